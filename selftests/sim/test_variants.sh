#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The SSDT variants behave as documented in acpi/pvpanic-sim.asl, seen from
# the model's side (RDPT/WRPT evaluated through pvpanic_sim's debugfs), and
# the capability (module parameter and netlink) is what a read returns.
. "$(dirname "$0")/../lib.sh"
sim_setup

rdpt() { cat "$SIM_DBG/rdpt${1:-}" 2>/dev/null || echo fail; }
try_wrpt() { wrpt "$@" 2>/dev/null && echo ok || echo fail; }

# Capability: load-time default and parameter, runtime setting.
sim_load
check "default capability read by RDPT" "$(rdpt)" 3
for c in 0 1 2 3 4 170 255; do
	mon set --capability $c
	check "capability $c read by RDPT" "$(rdpt)" $c
	check "capability $c in config" "$(cfg_field capability)" $c
done
sim_load qemu=10.0
check "QEMU 10.0: default capability read by RDPT" "$(rdpt)" 7
check "QEMU 10.0 in config" "$(cfg_field qemu)" 10.0
sim_load capability=0 panic_action=pause
check "capability=0 parameter" "$(rdpt)" 0
seq0=$(cfg_field seq)
wrpt 1
check "writes are not filtered by the capability" \
	"$(status_of) $(($(cfg_field seq) - seq0))" "guest-panicked 2"

sim_load variant=rdpt_big
check "rdpt_big: RDPT returns 0x1ff" "$(rdpt)" 511
for v in no_rdpt rdpt_string rdpt_buffer rdpt_fail; do
	sim_load variant=$v
	check "$v: RDPT is not an integer read" "$(rdpt)" fail
	check "$v: WRPT still works" "$(try_wrpt 2)" ok
done

for v in no_wrpt wrpt_fail; do
	sim_load variant=$v
	seq0=$(cfg_field seq)
	check "$v: WRPT fails" "$(try_wrpt 1)" fail
	check "$v: no event, no state change" \
		"$(status_of) $(($(cfg_field seq) - seq0))" "running 0"
	check "$v: RDPT still works" "$(rdpt)" 3
done

sim_load variant=multi_store panic_action=none
seq0=$(cfg_field seq)
wrpt 1
check "multi_store: one event per WRPT" "$(($(cfg_field seq) - seq0))" 1

sim_load variant=two_devices
mon_start --count 2 --timeout 20000
wrpt 2 1
wrpt 2
mon_wait
check "two_devices: device index in events" \
	"$(sed -n 's/.*"device": \([0-9]*\).*/\1/p' "$MON_OUT" | tr '\n' ' ')" "1 0 "
check "two_devices: second RDPT" "$(rdpt 1)" 3
check "two_devices: _UID" \
	"$(cat /sys/bus/acpi/devices/QEMU0001:0*/uid 2>/dev/null | sort | tr '\n' ' ')" "0 1 "

sim_load variant=sta0
check "sta0: not enumerated" "$(ls /sys/bus/platform/devices | grep -c QEMU0001)" 0
sim_load variant=no_crs
check "no_crs: enumerated anyway" "$(ls /sys/bus/platform/devices | grep -c QEMU0001)" 1
sim_load
check "default: _CRS is I/O 0x538" \
	"$(grep -c '0538-0538 : QEMU0001:00' /proc/ioports)" 1
sim_load variant=two_devices
check "two_devices: _CRS of the second device is I/O 0x539" \
	"$(grep -c '0539-0539 : QEMU0001:01' /proc/ioports)" 1
finish
