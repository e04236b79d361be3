#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Every malformed-firmware variant of the model: the driver does what
# DESIGN/the ABI document says, with its one log line, and a trigger gives
# exactly the events the chosen path can deliver (the _CRS port 0x538 of the
# model is served by nothing, so the port path delivers none).
. "$(dirname "$0")/guest_lib.sh"


# variant [policy] -> expected: "refuse:<log>" or "<path>:<events>:<log>"
check() {
	local variant=$1 policy=$2 want=$3 log=$4 events=$5 args=()

	[ -n "$policy" ] && args=(policy="$policy")
	dmesg_mark
	reload variant="$variant" panic_action=none -- "${args[@]}"
	if [ "$want" = refuse ]; then
		[ -e /sys/bus/platform/devices/$DEV0 ] ||
			die "$variant: no platform device to refuse"
		bound $DEV0 && die "$variant${policy:+ policy=$policy}: bound, want refused"
	else
		bound $DEV0 || die "$variant${policy:+ policy=$policy}: not bound"
		expect_eq "$variant path" "$(path_of $DEV0)" "$want"
		expect_after "$events" trigger
	fi
	dmesg_since | grep -q "pvpanic_acpi.*$log" ||
		die "$variant: no log line matching '$log'"
	# Learning must stop after WRPT(0) when the store escapes our handler
	# (the OEM space): the model would log the probe values 0xa8/0x50.
	dmesg_since | grep -q "pvpanic_sim.*unknown event" &&
		die "$variant: the model saw a learn-mode probe value"
	log "$variant${policy:+ policy=$policy}: ${want} ok"
}

p=GUEST_PANICKED:run@0
check default "" live "capability 0x3, panic path: live" "$p"
check default acpi live "panic path: live" "$p"
check default io "port 0x538" "panic path: port 0x538" ""
check no_rdpt "" refuse "no RDPT method"
check rdpt_string "" refuse "RDPT returned a non-integer"
check rdpt_buffer "" refuse "RDPT returned a non-integer"
check rdpt_big "" refuse "RDPT returned 0x1ff, not a byte"
check rdpt_fail "" refuse "RDPT failed (AE_"
check no_wrpt "" "port 0x538" "no WRPT method" ""
check no_wrpt acpi "port 0x538" "no WRPT method" ""
check wrpt_fail "" "port 0x538" "WRPT(0x00) failed (AE_" ""
check no_crs "" live "no _CRS" "$p"
check no_crs io refuse "no way to report with policy=io"
check multi_store "" live "no replay recipe" "$p"

# _STA = 0: the ACPI core enumerates no platform device, nothing binds.
dmesg_mark
reload variant=sta0 panic_action=none --
for d in /sys/bus/platform/devices/QEMU0001:*; do
	[ -e "$d" ] && die "sta0: a QEMU0001 platform device exists: $d"
done
dmesg_since | grep -q "pvpanic_acpi QEMU0001" && die "sta0: the driver saw a device"
expect_after "" trigger
log "sta0: no device, ok"

# Two devices: both told, each through its own WRPT.
reload variant=two_devices panic_action=none --
bound $DEV0 && bound $DEV1 || die "two_devices: not both bound"
expect_after "GUEST_PANICKED:run@0 GUEST_PANICKED:run@1" trigger
echo 1 >/sys/bus/platform/devices/$DEV1/events
echo 0 >/sys/bus/platform/devices/$DEV0/events
expect_after "GUEST_PANICKED:run@1" trigger
log "two_devices: ok"
echo "ok"
