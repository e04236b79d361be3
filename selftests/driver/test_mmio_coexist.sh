#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Coexistence with the in-tree pvpanic-mmio, which matches QEMU0001 too: at
# load the driver names the other driver and the fix, the unbind recipe
# works both ways, and the shipped modprobe.d file keeps the alias from loading it.
. "$(dirname "$0")/../lib.sh"
drv_setup

MMIO=/sys/bus/platform/drivers/pvpanic-mmio
modprobe pvpanic_mmio 2>/dev/null || skip "pvpanic_mmio is not available for $(uname -r)"
p=GUEST_PANICKED:run@0
model_up panic_action=none
loop_until "[ -e $MMIO/$DEV0 ]" || die "pvpanic-mmio did not bind the model's device"

dmesg_mark
drv_load $LIVE
bound $DEV0 && die "bound although pvpanic-mmio holds the device"
dmesg_since | grep -q "$DEV0: bound to pvpanic-mmio, not pvpanic_acpi: unbind it" ||
	die "no log line naming pvpanic-mmio"

echo $DEV0 >$MMIO/unbind
echo $DEV0 >$DRV/bind || die "bind after unbinding pvpanic-mmio failed"
bound $DEV0 || die "not bound"
expect_after "$p" trigger

echo $DEV0 >$DRV/unbind
echo $DEV0 >$MMIO/bind || die "pvpanic-mmio cannot take the device back"
expect_after "" trigger
echo $DEV0 >$MMIO/unbind
echo $DEV0 >$DRV/bind || die "rebind failed"
expect_after "$p" trigger

# The modprobe.d file: by alias, pvpanic_mmio is not chosen any more.
conf=$PVP_ROOT/guest-driver/pvpanic-acpi.conf
alias=$(</sys/bus/platform/devices/$DEV0/modalias)
modprobe --show-depends "$alias" 2>/dev/null | grep -q pvpanic-mmio.ko ||
	skip "modprobe does not resolve $alias to pvpanic_mmio here"
modprobe -C "$conf" -b --show-depends "$alias" 2>/dev/null | grep -q pvpanic-mmio.ko &&
	die "with $conf, $alias still resolves to pvpanic_mmio"
echo "ok"
