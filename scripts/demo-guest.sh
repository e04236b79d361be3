#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The inside of make run's first guest (see scripts/run-demo.sh).
set -u
mon=tools/pvpanic-monitor/pvpanic-monitor
insmod host-module/pvpanic_sim.ko panic_action=pause || exit 1
# The model's register lives in an OEM address space that only AML can
# reach: its panic path is live WRPT (policy=acpi), which the default
# policy never uses (it is not panic-safe; guest 2 shows the default).
insmod guest-driver/pvpanic_acpi.ko policy=acpi || exit 1
for d in /sys/bus/platform/drivers/pvpanic_acpi/QEMU0001:*; do
	dev=${d##*/}
	echo "bound $dev: capability (from RDPT)=$(cat "$d/capability") events=$(cat "$d/events")"
	sed 's/^/  /' "/sys/kernel/debug/pvpanic_acpi/$dev/path"
done
echo "status: $($mon status)"
$mon events --count 3 --timeout 5000 >/tmp/events 2>/tmp/mon.err &
mon_pid=$!
loop=0
until grep -qs subscribed /tmp/mon.err || [ $loop -gt 100 ]; do sleep 0.05; loop=$((loop + 1)); done
echo "firing the panic notifier's path (debugfs trigger): bit 0, PANICKED"
echo panic > /sys/kernel/debug/pvpanic_acpi/trigger
echo "writing bit 1 (CRASH_LOADED) through WRPT (the model's debugfs)"
echo 2 > /sys/kernel/debug/pvpanic_sim/wrpt
wait $mon_pid
echo "events, as pvpanic-monitor prints them (QMP JSON lines):"
sed 's/^/  /' /tmp/events
echo "status: $($mon status)"
echo "cont: $($mon cont && echo done)"
echo "status: $($mon status)"
rmmod pvpanic_acpi && rmmod pvpanic_sim
