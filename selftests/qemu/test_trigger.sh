#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# QEMU's own pvpanic device (-action panic=none, so the guest lives on): the
# driver learns QEMU's WRPT at its first bind and replays it; each debugfs
# trigger gives exactly one GUEST_PANICKED, masked events give none; a
# rebind, each policy (set through the writable parameter and a rebind)
# and a reload after rmmod take what the first bind learned from the ACPI
# node and replay it again (policy=io: the _CRS port).  Counts differ per
# step (3, 0, 0, 1, 0, 1, 1, 1, 1, 1) so a wrong step cannot hide behind
# another.
. "$(dirname "$0")/../lib.sh"
vm_setup

guest=$(cat <<GUEST
. $PVP_ROOT/selftests/lib.sh
set -e
d=$DRV_DBG/QEMU0001:00
s=/sys/bus/platform/devices/QEMU0001:00
b=/sys/bus/platform/drivers/pvpanic_acpi
p=/sys/module/pvpanic_acpi/parameters/policy
trig() { for i in \$(seq \$1); do echo panic > $DRV_DBG/trigger; done; }
rebind() { echo QEMU0001:00 > \$b/unbind; echo \$1 > \$p; echo QEMU0001:00 > \$b/bind; }
$(load_drv_cmd)
expect_file \$d/path "replay io 0x505 8"
expect_file \$s/capability $QEMU_CAP
trig 3
echo 0 > \$s/events; trig 2
echo 2 > \$s/events; trig 2
echo 1 > \$s/events; trig 1
echo shutdown > $DRV_DBG/trigger
echo QEMU0001:00 > \$b/unbind
trig 2
echo QEMU0001:00 > \$b/bind
expect_file \$d/path "replay io 0x505 8"
trig 1
rebind acpi
expect_file \$d/path "live + replay io 0x505 8"
trig 1
rebind io
expect_file \$d/path "port 0x505"
trig 1
rebind auto
expect_file \$d/path "replay io 0x505 8"
trig 1
rmmod pvpanic_acpi
$(load_drv_cmd)
expect_file \$d/path "replay io 0x505 8"
grep -qx "learned: WRPT(0) stores 0 to SystemIO 0x505, 8 bits (at an earlier bind)" \$d/path
trig 1
rmmod pvpanic_acpi
echo done
GUEST
)

p="GUEST_PANICKED:run"
vm_ok trigger pvpanic "$guest" "$p $p $p $p $p $p $p $p $p SHUTDOWN:guest-shutdown"
echo "ok"
