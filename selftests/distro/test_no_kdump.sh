#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# (f) With the package and no crash kernel loaded (kdump-config unload), a
# panic is GUEST_PANICKED (QEMU's default action, shutdown: "poweroff").
. "$(dirname "$0")/lib-distro.sh"
distro_setup

no_kdump() {
	local f=nokdump/step_nokdump

	state pkg base step_install 3600
	leaf nokdump pkg step_nokdump 900 || { show_boot nokdump step_nokdump; die "nokdump: the boot did not end by itself"; }
	check "(f) kdump-config unload" "$(res $f unload.rc)" 0
	check "(f) no crash kernel loaded" "$(res $f boot.crash_loaded)" 0
	check "(f) pvpanic_acpi holds the device" "$(res $f boot.bound)" pvpanic_acpi
	crash_report nokdump step_nokdump
	check "(f) QMP: GUEST_PANICKED, then QEMU's shutdown" "$events" \
		"GUEST_PANICKED:poweroff SHUTDOWN:guest-panic"
	log "(f) crash -> GUEST_PANICKED: $(crash_to GUEST_PANICKED)"
}
lanes no_kdump
