#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Capability (0..7 and values with unknown bits) x events masks x crash
# kernel loaded or not: each debugfs trigger (the panic notifier's own
# function) must give exactly the expected event or none.  Bit 2
# (SHUTDOWN) is kept in the capability and allowed in the mask.  The
# model's capability is changed over netlink and read again by a rebind.
. "$(dirname "$0")/../lib.sh"
drv_setup
model_up panic_action=none
drv_load $LIVE

crash=(0)
if crash_kernel_load; then
	crash+=(1)
	crash_kernel_unload
else
	log "crash kernel not loadable (needs crashkernel= and kexec_file_load): that half is skipped"
fi

for c in "${crash[@]}"; do
	if [ "$c" = 1 ]; then
		crash_kernel_load || die "crash kernel loaded before, not now"
		ev=GUEST_CRASHLOADED bit=2 caps="2 3 7 0xfd"
	else
		ev=GUEST_PANICKED bit=1 caps="0 1 2 3 4 7 0x81 0xfd 0xff"
	fi
	for cap in $caps; do
		dmesg_mark
		mon set --capability $((cap)) || die "set capability $cap"
		echo $DEV0 >$DRV/unbind
		echo $DEV0 >$DRV/bind || die "capability $cap: bind failed"
		bound $DEV0 || die "capability $cap: not bound"
		known=$((cap & 7))
		expect_eq "capability ($cap)" "$(sysfs $DEV0 capability)" "$(printf %x $known)"
		expect_eq "initial events ($cap)" "$(sysfs $DEV0 events)" "$(printf %x $known)"
		expect_eq "rdpt ($cap)" "$(acpi_eval $DEV0 RDPT)" "AE_OK $(printf 0x%x $cap)"
		expect_eq "path ($cap)" "$(path_of $DEV0)" "$PORT_LIVE"
		if ((cap & ~7)); then
			dmesg_since | grep -q "ignoring unknown bits $(printf 0x%02x $((cap & ~7)))" ||
				die "capability $cap: no log line about the unknown bits"
		fi
		if ((known == 0)); then
			dmesg_since | grep -q "capability 0: bound" ||
				die "capability 0: no log line"
		fi
		for mask in 0 1 2 3 4 7; do
			if ((mask & ~known)); then
				before=$(sysfs $DEV0 events)
				write_fails /sys/bus/platform/devices/$DEV0/events "$mask"
				expect_eq "events after a refused $mask" "$(sysfs $DEV0 events)" "$before"
				continue
			fi
			echo "$mask" >/sys/bus/platform/devices/$DEV0/events
			want=
			((mask & known & bit)) && want="$ev:run@0"
			expect_after "$want" trigger
		done
	done
	[ "$c" = 1 ] && crash_kernel_unload
done
echo "ok"
