#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# QEMU's device moved with ioport= to a free port (0x600 would collide with
# the ACPI PM block): WRPT follows it, the driver learns the new port and
# replays it, and policy=io uses the moved _CRS port.  Also events=2 (QEMU's
# capability property): PANICKED is not offered, so a trigger sends nothing,
# and the device's WRPT(2), evaluated by the test module, gives its event.
. "$(dirname "$0")/../lib.sh"
vm_setup

port=${PVP_E2E_PORT:-0x5a0}
pstr=$(printf '%04x' $((port)))

guest=$(cat <<GUEST
. $PVP_ROOT/selftests/lib.sh
set -e
d=$DRV_DBG/QEMU0001:00
owners=\$(grep -i '^ *$pstr-' /proc/ioports || true)
[ "\$owners" = "  $pstr-$pstr : QEMU0001:00" ] || { echo "FAIL: port $port in /proc/ioports: '\$owners'"; grep -i "^ *0[4-6]" /proc/ioports; exit 1; }
$(load_drv_cmd)
expect_file \$d/path "replay io $port 8"
echo panic > $DRV_DBG/trigger
rmmod pvpanic_acpi
$(load_drv_cmd policy=io)
expect_file \$d/path "port $port"
echo panic > $DRV_DBG/trigger
rmmod pvpanic_acpi
echo done
GUEST
)
vm_ok ioport "pvpanic,ioport=$port" "$guest" \
	"GUEST_PANICKED:run GUEST_PANICKED:run SHUTDOWN:guest-shutdown"

guest=$(cat <<GUEST
. $PVP_ROOT/selftests/lib.sh
set -e
s=/sys/bus/platform/devices/QEMU0001:00
$(load_drv_cmd)
[ "\$(cat \$s/capability)" = 2 ] || { echo "FAIL: capability \$(cat \$s/capability)"; exit 1; }
echo panic > $DRV_DBG/trigger
insmod host-module/pvpanic_sim.ko panic_action=none
[[ \$(acpi_eval QEMU0001:00 WRPT 2) == AE_OK* ]]
rmmod pvpanic_acpi pvpanic_sim
echo done
GUEST
)
vm_ok events2 "pvpanic,events=2" "$guest" "GUEST_CRASHLOADED:run SHUTDOWN:guest-shutdown"
echo "ok"
