#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# (a) A new user's install: on a Debian machine where kdump-tools is
# installed and loaded with nothing configured beyond its documentation
# (USE_KDUMP=1 by default, crashkernel= on the kernel command line),
# "apt install ./pvpanic-acpi-dkms_<version>_all.deb"; after a reboot the
# driver holds the device, pvpanic_acpi.ko is in kdump-tools' crash initrd
# and kdump-config says ready.
# (b) Then a crash with default settings (echo c > /proc/sysrq-trigger):
# QMP shows GUEST_CRASHLOADED, reported by the driver from the crash
# initrd before the root file system is mounted, and never GUEST_PANICKED;
# kdump-tools saves the vmcore under /var/crash (checked in the disk
# afterwards).  Prints the time from the crash to GUEST_CRASHLOADED, and
# from the crash kernel's /init to the driver's report.
# On sid, dracut instead of initramfs-tools: kdump-tools as packaged builds
# no crash initrd there and is "Not ready to kdump" before the install; the
# package builds it with dracut, and kdump-tools loads it at the next boot.
# (b') there too, for comparison, the same crash with the driver left to
# udev (add_drivers, plain dracut) instead of the package's modules-load.d
# entry and force_drivers.
. "$(dirname "$0")/lib-distro.sh"
distro_setup

kdump_tools() {
	local a=pkg/step_install b=crash_pkg/step_crash u=crash_udev/step_crash_udev
	local ready_before="ready to kdump" ready_after="ready to kdump" what="loaded by itself"

	if [ "$D" = sid ]; then
		# no crash initrd without mkinitramfs; loaded at the next boot
		ready_before="Not ready to kdump" ready_after="Not ready to kdump"
		what="as packaged, without mkinitramfs"
	fi
	state pkg base step_install 3600
	check "(a) before: pvpanic-mmio holds the device" "$(res $a before.bound)" pvpanic-mmio
	check "(a) before: kdump-tools $what" "$(res $a before.kdump)" "$ready_before"
	check "(a) apt install ./pvpanic-acpi-dkms_${NEW_VERSION}_all.deb" "$(res $a install.rc)" 0
	check "(a) DKMS built and installed it" "$(res $a after.dkms)" \
		"pvpanic-acpi/$NEW_VERSION, $KV, x86_64: installed"
	check "(a) pvpanic_acpi.ko in the crash initrd" "$(res $a after.kdump_initrd_ko)" 1
	check "(a) pvpanic_acpi.ko in the boot initrd" "$(res $a after.boot_initrd_ko)" 1
	check "(a) kdump-config status after the install" "$(res $a after.kdump)" "$ready_after"
	[ "$D" != sid ] || check "(a) the crash initrd loads it early (rd.driver.pre, modules-load.d)" \
		"$(res $a after.kdump_initrd_early)" 2

	leaf crash_pkg pkg step_crash 1200 || { show_boot crash_pkg step_crash; die "crash_pkg: the boot did not end by itself"; }
	check "(a) after the reboot: pvpanic_acpi holds the device" "$(res $b boot.bound)" pvpanic_acpi
	check "(a) after the reboot: the driver's probe line" "$(res $b boot.probe)" 1
	check "(a) after the reboot: kdump-config status" "$(res $b boot.kdump)" "ready to kdump"
	check "(a) after the reboot: pvpanic_acpi.ko in /var/lib/kdump/initrd.img-$KV" \
		"$(res $b boot.kdump_initrd_ko)" 1
	check "(b) defaults: crash_kexec_post_notifiers" "$(res $b crash.post_notifiers)" N
	crash_report crash_pkg step_crash
	log "(b) QMP events: $events"
	check "(b) QMP: GUEST_CRASHLOADED, never GUEST_PANICKED" "$pvp_events" "GUEST_CRASHLOADED:run"
	check "(b) the driver reported from the crash kernel" "$([ -n "$m_probe" ] && echo yes)" yes
	reported_from "(b)" initrd
	check "(b) kdump-tools saved the vmcore (console)" "$([ -n "$m_saved" ] && echo yes)" yes
	vmcore crash_pkg
	log "(b) in the disk: ${vmcore_dir:-no /var/crash/<time>}: dump $vmcore_size bytes ($vmcore_format)"
	check "(b) vmcore under /var/crash" "$([ "${vmcore_size:-0}" -gt 1000000 ] && echo yes)" yes
	check "(b) its dmesg file holds the crash" "$vmcore_dmesg" 1
	log "(b) crash -> GUEST_CRASHLOADED: $(crash_to GUEST_CRASHLOADED)"
	log "(b) ($(crash_times))"
	log "(b) crash kernel's /init -> CRASH_LOADED (its clock): $(init_to_report)"
	remember crash_pkg "GUEST_CRASHLOADED $(crash_to GUEST_CRASHLOADED); QMP: $events"
	[ "$D" = sid ] || return 0

	leaf crash_udev pkg step_crash_udev 1800 ||
		{ show_boot crash_udev step_crash_udev; die "crash_udev: the boot did not end by itself"; }
	check "(b') the crash initrd rebuilt with add_drivers" "$(res $u rebuild.rc) $(res $u reload.rc)" "0 0"
	check "(b') kdump-config status" "$(res $u boot.kdump)" "ready to kdump"
	check "(b') the driver in it, left to udev" "$(res $u boot.kdump_initrd_ko) $(res $u rebuild.early)" "1 0"
	crash_report crash_udev step_crash_udev
	check "(b') QMP: GUEST_CRASHLOADED" "$pvp_events" "GUEST_CRASHLOADED:run"
	log "(b') add_drivers: crash kernel's /init -> CRASH_LOADED (its clock): $(init_to_report)"
	log "(b') ($(crash_times))"
}
lanes kdump_tools
