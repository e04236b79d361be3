#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Every firmware variant of the model's tables: the driver binds or refuses
# as the ABI document says, with its log line; debugfs path names the
# anchors it chose and why; the trigger gives exactly the events that path
# can deliver here (the model serves no port, so port and replay writes
# reach nobody in this guest; the e2e tests aim the io_* and mem variants
# at QEMU's own device), and nothing hangs.
. "$(dirname "$0")/../lib.sh"
drv_setup

# check VARIANT POLICY WANT LOG [EVENTS]: WANT is "refuse" or the path.
# The same variant again is bound again with the new policy, not reloaded.
# The kernel log since the step is left in DMESG (dmesg_has). The log
# texts are fixed strings: none has a character special to grep.
CUR=
check() {
	local variant=$1 policy=${2:-auto} want=$3 log=$4 events=$5 what txt

	what="$variant${2:+ policy=$policy}"
	dmesg_mark
	if [ "$variant" = "$CUR" ]; then
		bound $DEV0 && echo $DEV0 >$DRV/unbind
		echo "$policy" >/sys/module/pvpanic_acpi/parameters/policy
		echo $DEV0 >$DRV/bind 2>/dev/null
	else
		reload variant="$variant" panic_action=none -- policy="$policy"
		CUR=$variant
	fi
	if [ "$want" = refuse ]; then
		[ -e /sys/bus/platform/devices/$DEV0 ] ||
			die "$what: no platform device to refuse"
		bound $DEV0 && die "$what: bound, want refused"
	else
		bound $DEV0 || die "$what: not bound"
		expect_eq "$what path" "$(path_of $DEV0)" "$want"
		IFS= read -r -d '' txt <"$DRV_DBG/$DEV0/path"
		[[ $'\n'$txt == *$'\n'"learned: "* && $'\n'$txt == *$'\n'"why: "* ]] ||
			die "$what: debugfs path lacks learned:/why: $txt"
		expect_after "$events" trigger
		expect_after "" trigger_shutdown
	fi
	dmesg_read "$DMESG_START"
	dmesg_has pvpanic_acpi "$log" ||
		die "$what: no log line matching '$log'"
	# Learning stops after WRPT(0) when the store escapes our handlers
	# (the OEM space): the model would log the probe values 0xa8/0x50.
	dmesg_has pvpanic_sim "unknown event" &&
		die "$what: the model saw a learn-mode probe value"
	log "$what: ${want} ok"
}

p=GUEST_PANICKED:run@0
unseen="WRPT made no access this driver can see"
check default "" "port 0x538" "$unseen" ""
check default acpi "$PORT_LIVE" "panic path: $PORT_LIVE" "$p"
check default io "port 0x538" "panic path: port 0x538" ""
# Without a usable RDPT the capability is the _CRS register's, as
# pvpanic-mmio reads it: nothing serves port 0x538 here, it reads 0xff.
rdpt_from_crs() {
	check "$1" "" "port 0x538" "$2"
	# DMESG: the log since the step, as check read it after the bind.
	dmesg_has pvpanic_acpi "capability read from the _CRS register" ||
		die "$1: no log line saying where the capability came from"
	expect_eq "$1 capability" "$(sysfs $DEV0 capability)" 7
}
rdpt_from_crs no_rdpt "no RDPT method"
rdpt_from_crs rdpt_string "RDPT returned a non-integer"
rdpt_from_crs rdpt_buffer "RDPT returned a non-integer"
rdpt_from_crs rdpt_big "RDPT returned 0x1ff, not a byte"
rdpt_from_crs rdpt_fail "RDPT failed (AE_"
check no_wrpt "" "port 0x538" "learned: no WRPT method"
check no_wrpt acpi "port 0x538" "learned: no WRPT method"
check wrpt_fail "" "port 0x538" "WRPT(0) failed (AE_"
check wrpt_fail acpi "port 0x538" "WRPT(0) failed (see the log) (at an earlier bind)"
check no_crs "" refuse "no panic path with policy=auto"
check no_crs acpi live "panic path: live" "$p"
check no_crs io refuse "no panic path with policy=io"
check multi_store "" "port 0x538" "$unseen"
check multi_store acpi "$PORT_LIVE" "panic path: $PORT_LIVE" "$p"

# Shapes aimed at QEMU's port 0x505 (nothing serves it in this guest):
# only the path chosen is checked here.
check io_parent "" "port 0x505" "$unseen"
check io_debug_real "" "replay io 0x5a8 8 + port 0x505" "disagree: both are written"
check io_stale_crs "" "replay io 0x505 8 + port 0x5a8" "disagree: both are written"
check io_stale_crs io "port 0x5a8" "policy=io: the _CRS register only"
# Learned once, kept on the ACPI node: a later bind (ACPICA's handlers sit
# at the node by then) and a module reload replay the same registers.
stale="replay io 0x505 8 + port 0x5a8"
check io_stale_crs "" "$stale" "SystemIO 0x505, 8 bits (at an earlier bind)"
unload_mod pvpanic_acpi
drv_load
expect_eq "io_stale_crs after a module reload: path" "$(path_of $DEV0)" "$stale"
check io_read_first "" "replay io 0x505 8" "the learned register is the _CRS register"
check io_read_first "" "replay io 0x505 8" "SystemIO 0x505, 8 bits (at an earlier bind)"
check io_rdpt_big "" refuse "no usable RDPT and no _CRS register"
check io_bare "" "port 0x505" "no RDPT method: capability read from the _CRS register"
check io_wide_crs "" "replay io 0x505 8" "the learned register is the _CRS register"
check io_illegal "" "port 0x505" "write io 0x20/8=0x0 (illegal port)"
check io_wrpt_ram "" "port 0x505" "the learned register 0x1000 is RAM: refused"

# mem needs QEMU's pvpanic-pci: without it the model refuses the variant.
unload_mod pvpanic_acpi
sim_unload
CUR=
dmesg_mark
insmod "$SIM_KO" variant=mem 2>/dev/null && die "variant mem loaded without pvpanic-pci"
dmesg_read "$DMESG_START"
dmesg_has "variant mem needs QEMU's -device pvpanic-pci" ||
	die "variant mem: no log line naming pvpanic-pci"

# _STA = 0: the ACPI core enumerates no platform device, nothing binds.
dmesg_mark
reload variant=sta0 panic_action=none --
for d in /sys/bus/platform/devices/QEMU0001:*; do
	[ -e "$d" ] && die "sta0: a QEMU0001 platform device exists: $d"
done
dmesg_read "$DMESG_START"
dmesg_has "pvpanic_acpi QEMU0001" && die "sta0: the driver saw a device"
expect_after "" trigger
log "sta0: no device, ok"

# Two devices: both told, each through its own WRPT.
reload variant=two_devices panic_action=none -- $LIVE
bound $DEV0 && bound $DEV1 || die "two_devices: not both bound"
expect_after "GUEST_PANICKED:run@0 GUEST_PANICKED:run@1" trigger
echo 1 >/sys/bus/platform/devices/$DEV1/events
echo 0 >/sys/bus/platform/devices/$DEV0/events
expect_after "GUEST_PANICKED:run@1" trigger
log "two_devices: ok"
echo "ok"
