#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# (e) What the host sees with Debian's own driver, pvpanic-mmio, and
# kdump-tools' defaults: a crash, the vmcore saved, QEMU's events printed
# beside the package's (test_kdump_tools.sh).  Checked: pvpanic-mmio held
# the device and kdump worked; what QMP shows is reported, not judged.
# On sid (dracut) kdump-tools has no crash initrd without the package: the
# step builds it as README.md says (plain dracut).
. "$(dirname "$0")/lib-distro.sh"
distro_setup

upstream() {
	local u=crash_mmio/step_crash

	leaf crash_mmio base step_crash 1200 || { show_boot crash_mmio step_crash; die "crash_mmio: the boot did not end by itself"; }
	check "(e) pvpanic-mmio holds the device" "$(res $u boot.bound)" pvpanic-mmio
	[ "$D" != sid ] || check "(e) README's dracut command built the crash initrd, kdump-config reload" \
		"$(res $u dracut_initrd.rc) $(res $u kdump_reload.rc)" "0 0"
	check "(e) kdump-config status" "$(res $u boot.kdump)" "ready to kdump"
	crash_report crash_mmio step_crash
	check "(e) kdump-tools saved the vmcore (console)" "$([ -n "$m_saved" ] && echo yes)" yes
	log "(e) pvpanic-mmio, kdump defaults: QMP events: ${events:-none}; pvpanic events: ${pvp_events:-none}"
	log "(e) ($(crash_times))"
	log "(b) beside it, the package:       $(recall crash_pkg)"
	log "(c) beside it, make dkms-install: $(recall crash_dkms)"
}
lanes upstream
