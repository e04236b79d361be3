#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make run: show the whole thing working, in two guests.
#  1. One kernel plays both sides: pvpanic_sim emulates the device behind an
#     ACPI table of ours, pvpanic_acpi binds it, probes RDPT, and its test
#     trigger fires events that pvpanic-monitor prints as QMP JSON lines.
#  2. QEMU's own pvpanic device: pvpanic_acpi binds it, learns WRPT's port
#     write, the guest panics for real, and QEMU's QMP event is printed.
set -u
cd "$(dirname "$0")/.." || exit 1
: "${KVER:=$(scripts/kver.sh)}"
export KVER
scripts/install-deps.sh "$KVER" || exit 1
echo "== building for $KVER"
make -s modules tool >/dev/null || { echo "build failed: run 'make' to see why"; exit 1; }

echo
echo "== guest 1: pvpanic_acpi against the emulated device (pvpanic_sim)"
scripts/vm/run-vm.py --kver "$KVER" --timeout 180 -- scripts/demo-guest.sh
rc1=$?

echo
echo "== guest 2: pvpanic_acpi against QEMU's own device, -action panic=pause, a real panic"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
scripts/vm/run-vm.py --kver "$KVER" --timeout 180 --allow-panic \
	--qemu-arg=-device --qemu-arg=pvpanic --qemu-arg=-action --qemu-arg=panic=pause \
	--qmp-log "$tmp/qmp.json" --stop-on-event GUEST_PANICKED -- '
	insmod guest-driver/pvpanic_acpi.ko || exit 1
	for d in /sys/bus/platform/drivers/pvpanic_acpi/QEMU0001:*; do
		echo "bound ${d##*/}: capability=$(cat $d/capability) events=$(cat $d/events)"
		sed "s/^/  /" /sys/kernel/debug/pvpanic_acpi/${d##*/}/path
	done
	echo "panicking the guest for real (echo c > /proc/sysrq-trigger)"
	echo c > /proc/sysrq-trigger'
rc2=$?
echo "QMP events QEMU sent to the host:"
if [ -s "$tmp/qmp.json" ]; then
	# The last SHUTDOWN (host-signal) is the runner ending the paused QEMU.
	grep -v '"reason": "host-signal"' "$tmp/qmp.json" | sed 's/^/  /'
	echo "  (the guest stays paused in guest-panicked until the host acts; the runner then stops QEMU)"
else
	echo "  (none)"
	rc2=1
fi
[ $rc1 = 0 ] && [ $rc2 = 0 ]
