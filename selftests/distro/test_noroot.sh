#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# (d) A crash kernel that cannot mount its root file system
# (KDUMP_CMDLINE_APPEND with root=/dev/vdz): with the package the host
# still hears of the crash (GUEST_CRASHLOADED, reported from the crash
# initrd); with Debian's own pvpanic-mmio (no package) it hears nothing.
# Each boot is watched until the crash kernel's initrd gives up waiting
# for its root device, and 15 s more.
# On sid the crash initrd is dracut's: it gives up when its initqueue
# times out (rd.retry, 180 s), then systemd's emergency mode.  Without
# the package kdump-tools has no crash initrd there (see
# test_kdump_tools.sh): for pvpanic-mmio the step builds one with plain
# dracut first.
. "$(dirname "$0")/lib-distro.sh"
distro_setup

# The console line of the initrd giving up on its root device (as
# boot_report.py's "gaveup"): initramfs-tools' panic message; dracut's
# initqueue warning, printed just before dracut-emergency.service starts.
GAVEUP_RE='Gave up waiting for root'
GAVEUP_RE_DRACUT='dracut-initqueue\[[0-9]+\]: Warning: Could not boot\.'

noroot() {
	local o=noroot_pkg/step_noroot u=noroot_mmio/step_noroot re=$GAVEUP_RE to=1200

	if [ "$D" = sid ]; then
		re=$GAVEUP_RE_DRACUT
		# rd.retry's 180 s, 5.5 min under TCG; the mmio boot builds a
		# crash initrd first (2 min)
		to=2400
	fi
	state pkg base step_install 3600
	leaf noroot_pkg pkg step_noroot $to --until "$re" --grace 15
	[ $? = 3 ] || { show_boot noroot_pkg step_noroot; die "noroot_pkg: the crash kernel did not give up on its root"; }
	check "(d) package: root=/dev/vdz in the crash kernel's command line" "$(res $o noroot.cmdline)" 1
	check "(d) package: pvpanic_acpi holds the device" "$(res $o boot.bound)" pvpanic_acpi
	check "(d) package: kdump-config status" "$(res $o boot.kdump)" "ready to kdump"
	crash_report noroot_pkg step_noroot
	log "(d) package: QMP events: $events"
	check "(d) package: QMP: GUEST_CRASHLOADED, never GUEST_PANICKED" "$pvp_events" "GUEST_CRASHLOADED:run"
	check "(d) package: reported before the initrd gave up on root" \
		"$(before "$t_GUEST_CRASHLOADED" "$m_gaveup")" yes
	check "(d) package: the initrd gave up on root" "$([ -n "$m_gaveup" ] && echo yes)" yes
	log "(d) package: crash -> GUEST_CRASHLOADED: $(crash_to GUEST_CRASHLOADED); gave up on root +$m_gaveup s"

	leaf noroot_mmio base step_noroot $to --until "$re" --grace 15
	[ $? = 3 ] || { show_boot noroot_mmio step_noroot; die "noroot_mmio: the crash kernel did not give up on its root"; }
	[ "$D" != sid ] || check "(d) pvpanic-mmio: a crash initrd built with plain dracut" \
		"$(res $u dracut_initrd.rc)" 0
	check "(d) pvpanic-mmio: root=/dev/vdz in the crash kernel's command line" "$(res $u noroot.cmdline)" 1
	check "(d) pvpanic-mmio: pvpanic-mmio holds the device" "$(res $u boot.bound)" pvpanic-mmio
	check "(d) pvpanic-mmio: kdump-config status" "$(res $u boot.kdump)" "ready to kdump"
	crash_report noroot_mmio step_noroot
	log "(d) pvpanic-mmio: QMP events: ${events:-none}"
	check "(d) pvpanic-mmio: no pvpanic event at all" "$pvp_events" ""
	check "(d) pvpanic-mmio: the initrd gave up on root" "$([ -n "$m_gaveup" ] && echo yes)" yes
	log "(d) pvpanic-mmio: watched until +$m_end s after the crash (gave up on root +$m_gaveup s)"
}
lanes noroot
