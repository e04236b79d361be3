#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# (c) The README's way instead of the package: in a copy of the
# repository's files, "make dkms-install", "modprobe pvpanic_acpi", the
# device moved from pvpanic-mmio by hand, kdump-tools' crash initrd left as
# it was (without the driver, as nothing rebuilds it).  Then a crash with
# default settings: the driver reports GUEST_CRASHLOADED only once the
# crash kernel has mounted the root file system.  Prints the time beside
# the package's (test_kdump_tools.sh).
# On sid (dracut) kdump-tools has no crash initrd: the step builds it as
# README.md says, after the install, so the driver is in it (the dracut
# entry make dkms-install installs) and reports from the initrd.
. "$(dirname "$0")/lib-distro.sh"
distro_setup

# What make dkms-install needs of the repository.
copy_src() {
	local s=$1 f

	mkdir -p "$s/guest-driver" "$s/debian" "$s/scripts"
	cp "$PVP_ROOT/Makefile" "$PVP_ROOT/dkms.conf" "$s/"
	cp "$PVP_ROOT/debian/changelog" "$s/debian/"
	cp "$PVP_ROOT/scripts/kver.sh" "$PVP_ROOT/scripts/kernels.txt" "$s/scripts/"
	for f in "$PVP_ROOT"/guest-driver/Kbuild "$PVP_ROOT"/guest-driver/*.[ch] \
		"$PVP_ROOT"/guest-driver/pvpanic-acpi.*; do
		case $f in *.mod.c) continue ;; esac
		cp "$f" "$s/guest-driver/"
	done
}

dkms_install() {
	local c=crash_dkms/step_dkms_install

	new_machine crash_dkms base
	copy_src "$W/crash_dkms/share/src"
	boot crash_dkms step_dkms_install 1800 ||
		{ show_boot crash_dkms step_dkms_install; die "crash_dkms: the boot did not end by itself"; }
	check "(c) before: pvpanic-mmio holds the device" "$(res $c before.bound)" pvpanic-mmio
	check "(c) make dkms-install" "$(res $c dkms_install.rc)" 0
	check "(c) DKMS built and installed it" "$(res $c after.dkms)" \
		"pvpanic-acpi/$NEW_VERSION, $KV, x86_64: installed"
	check "(c) moved by hand: pvpanic_acpi holds the device" "$(res $c after.bound)" pvpanic_acpi
	check "(c) the driver's probe line" "$(res $c after.probe)" 1
	check "(c) /etc/modprobe.d/pvpanic-acpi.conf installed" \
		"$(res $c after.files | tr ' ' '\n' | grep -c '^/etc/modprobe.d/pvpanic-acpi.conf$')" 1
	if [ "$D" = sid ]; then
		check "(c) README's dracut command built the crash initrd, kdump-config reload" \
			"$(res $c dracut_initrd.rc) $(res $c kdump_reload.rc)" "0 0"
		check "(c) pvpanic_acpi.ko in it, loaded by rd.driver.pre" \
			"$(res $c after.kdump_initrd_ko) $(res $c after.kdump_initrd_early)" "1 1"
	else
		check "(c) the crash initrd has no pvpanic_acpi.ko" "$(res $c after.kdump_initrd_ko)" 0
	fi
	check "(c) kdump-config status" "$(res $c after.kdump)" "ready to kdump"
	crash_report crash_dkms step_dkms_install
	log "(c) QMP events: $events"
	check "(c) QMP: GUEST_CRASHLOADED, never GUEST_PANICKED" "$pvp_events" "GUEST_CRASHLOADED:run"
	reported_from "(c)" "$([ "$D" = sid ] && echo initrd || echo root)"
	check "(c) kdump-tools saved the vmcore (console)" "$([ -n "$m_saved" ] && echo yes)" yes
	log "(c) make dkms-install: crash -> GUEST_CRASHLOADED: $(crash_to GUEST_CRASHLOADED)"
	log "(c) ($(crash_times))"
	log "(b) the package, for comparison: $(recall crash_pkg)"
	remember crash_dkms "GUEST_CRASHLOADED $(crash_to GUEST_CRASHLOADED); QMP: $events"
}
lanes dkms_install
