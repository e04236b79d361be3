#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Unbind, rebind and module reload: RDPT/WRPT keep working (evaluated by
# the test module, outside the driver), an unbound
# device is told nothing, the policy parameter takes effect at the next
# bind, the model can go away under a bound driver, and bad module
# parameters fail the load (or the write) and leave everything as it was.
. "$(dirname "$0")/../lib.sh"
drv_setup

p=GUEST_PANICKED:run@0
model_up panic_action=none
drv_load $LIVE
bound $DEV0 || die "not bound"
expect_after "$p" trigger
for i in 1 2 3; do
	echo $DEV0 >$DRV/unbind
	bound $DEV0 && die "still bound after unbind"
	[ -e $DRV_DBG/$DEV0 ] && die "debugfs dir left after unbind"
	expect_after "" trigger
	echo $DEV0 >$DRV/bind || die "rebind $i failed"
	expect_eq "rdpt after rebind $i" "$(acpi_eval $DEV0 RDPT)" "AE_OK 0x3"
	expect_eq "path after rebind $i" "$(path_of $DEV0)" "$PORT_LIVE"
	expect_after "$p" trigger
	expect_after "" acpi_eval $DEV0 WRPT 0
	expect_after "GUEST_CRASHLOADED:run@0" acpi_eval $DEV0 WRPT 2
done
for i in 1 2 3; do
	unload_mod pvpanic_acpi
	expect_after "" sh -c "echo 1 > /dev/null"
	drv_load $LIVE
	bound $DEV0 || die "not bound after reload $i"
	expect_after "$p" trigger
done
# The model goes away under the bound driver (its device is removed first).
sim_unload
bound $DEV0 && die "bound to a removed device"
[ -e $DRV_DBG/$DEV0 ] && die "debugfs dir left after the device went away"
model_up panic_action=none
bound $DEV0 || die "not bound to the new device"
expect_after "$p" trigger

# Bad module parameters: the load fails with a log line naming the
# parameter, nothing of the driver stays, the device stays as it was, and
# a good load afterwards binds as before.
unload_mod pvpanic_acpi
bad_param() {
	local arg=$1 want=$2

	dmesg_mark
	insmod "$DRV_KO" "$arg" 2>/dev/null && die "insmod pvpanic_acpi $arg: loaded"
	mod_loaded pvpanic_acpi && die "$arg: module left loaded"
	bound $DEV0 && die "$arg: device bound"
	[ -e $DRV_DBG ] && die "$arg: debugfs left behind"
	dmesg_since | grep -qF "$want" ||
		die "$arg: no log line '$want': $(dmesg_since | tail -n 2)"
	log "$arg refused: $want"
}
bad_param policy=bogus "policy=bogus: unknown, use auto, acpi or io"
bad_param policy=AUTO "policy=AUTO: unknown, use auto, acpi or io"
bad_param policy= "policy=: unknown, use auto, acpi or io"
bad_param kdump_report=maybe "invalid for parameter \`kdump_report'"
drv_load policy=io
bound $DEV0 || die "not bound after the refused loads"
expect_eq "path after the refused loads" "$(path_of $DEV0)" "port 0x538"

# policy is writable: a bad value is refused and changes nothing; a good
# one takes effect at the next bind only.
P=/sys/module/pvpanic_acpi/parameters/policy
expect_eq "policy" "$(<$P)" io
for bad in bogus AUTO $'\n' "acpi io"; do
	write_fails $P "$bad"
	expect_eq "policy after '$bad'" "$(<$P)" io
done
echo acpi >$P
expect_eq "path before the rebind" "$(path_of $DEV0)" "port 0x538"
echo $DEV0 >$DRV/unbind
echo $DEV0 >$DRV/bind || die "rebind with policy=acpi"
expect_eq "path after the rebind" "$(path_of $DEV0)" "$PORT_LIVE"
expect_after "$p" trigger
echo "ok"
