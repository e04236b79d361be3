#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# pvpanic-monitor's command line: help, usage errors (exit 2), a missing
# module (exit 1 with a message), the exact output formats, and the end of
# the event stream when the model is unloaded.
. "$(dirname "$0")/../lib.sh"
sim_setup

rc_of() { "$MONITOR" "$@" >/dev/null 2>&1; echo $?; }

check "--help exits 0" "$(rc_of --help)" 0
check "--help prints usage" "$("$MONITOR" --help | head -n 1)" \
	"Usage: pvpanic-monitor COMMAND [OPTIONS]"
check "events --help exits 0" "$(rc_of events --help)" 0
check "no command: exit 2" "$(rc_of)" 2
check "unknown command: exit 2" "$(rc_of frobnicate)" 2
check "status with an argument: exit 2" "$(rc_of status now)" 2
check "set without options: exit 2" "$(rc_of set)" 2
check "set with a bad action name: exit 2" "$(rc_of set --panic-action reboot)" 2
check "set with a bad number: exit 2" "$(rc_of set --capability 3x)" 2
check "events with a bad count: exit 2" "$(rc_of events --count 0)" 2
check "events with a bad timeout: exit 2" "$(rc_of events --timeout -1)" 2

unload_mod pvpanic_sim
check "module not loaded: exit 1" "$(rc_of status)" 1
check "module not loaded: says so" "$("$MONITOR" status 2>&1 | tail -n 1)" \
	"pvpanic-monitor: family pvpanic_sim not found (is pvpanic_sim loaded?)"

sim_load panic_action=exit-failure capability=2
check "status format (query-status)" "$("$MONITOR" status)" \
	'{"status": "running", "singlestep": false, "running": true}'
check "config format" "$("$MONITOR" config)" \
	'{"capability": 2, "panic-action": "exit-failure", "seq": 0, "lost": 0, "qemu": "7.2"}'
check "kernel range check shown: exit 1" "$(rc_of set --capability 256)" 1
check "kernel range check shown: message" \
	"$("$MONITOR" set --capability 256 2>&1)" \
	"pvpanic-monitor: Numerical result out of range: integer out of range"
check "events with --count and too few: exit 1" "$(rc_of events --count 1 --timeout 300)" 1
check "events without --count, timeout: exit 0" "$(rc_of events --timeout 300)" 0

# The JSON of one event, whole: timestamp first, QMP field order.
mon_start --count 1 --timeout 20000
wrpt 2
mon_wait
check "event line shape" \
	"$(sed -E 's/"seconds": [0-9]+, "microseconds": [0-9]+/S/; s/"seq": [0-9]+/"seq": N/' "$MON_OUT")" \
	'{"timestamp": {S}, "event": "GUEST_CRASHLOADED", "data": {"action": "run"}, "pvpanic": {"seq": N, "device": 0, "value": 2, "status": "running", "lost": 0}}'
now=$(date +%s)
ts=$(sed -E 's/.*"seconds": ([0-9]+).*/\1/' "$MON_OUT")
check "event timestamp is wall-clock time" "$((ts <= now && ts > now - 60))" 1

# Unloading the model ends the stream, as QEMU's exit closes a QMP socket:
# exit 1 with a message naming the events seen, not a listener left deaf.
mon_start --timeout 60000
wrpt 2
drain
sim_unload
t0=$(date +%s)
mon_wait
check "model unloaded: events exits 1" "$MON_RC" 1
check "model unloaded: events ends at once" "$(($(date +%s) - t0 < 10 * SCALE))" 1
check "model unloaded: says so" "$(tail -n 1 "$MON_OUT.err")" \
	"pvpanic-monitor: pvpanic_sim was unloaded (events received: 1)"
check "model unloaded: the event before it printed" "$(mon_events)" "$EV_GC"
finish
