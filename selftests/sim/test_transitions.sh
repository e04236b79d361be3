#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The pvpanic_sim model against QEMU 7.2: every write decoding, every panic
# action, and stop/cont/system_reset from every reachable run state. Each
# case starts from running (system_reset and cont, as a QMP client would),
# reaches a state, acts, and compares the QMP events (one subscription for
# all cases, sliced by sequence numbers), the number of events, the status
# and the command's exit code.
. "$(dirname "$0")/../lib.sh"
sim_setup

# How to reach each state from a fresh load (running).
declare -A REACH=(
	[running]=":"
	[paused]="mon stop"
	[guest-panicked]="mon set --panic-action pause && wrpt 1"
	[shutdown]="mon set --panic-action shutdown && wrpt 1"
	[prelaunch]="mon stop && mon system_reset"
)

nl=$'\n'

# The status the last case read at its end (nothing acts on the model
# between two cases), empty when unknown: one pvpanic-monitor exec less
# per case.
LAST_ST=

back_to_running() {
	[ "${LAST_ST:-$(status_of)}" = running ] && return
	LAST_ST=
	mon system_reset && mon cont || die "cannot get back to running"
}

# The events numbered after $1, up to $2; waits until the subscription
# has seen number $2.
events_between() {
	[ "$2" = "$1" ] && return
	loop_until "mon_seen $2" || die "event $2 never arrived"
	mon_events "$1" "$2"
}

# run_case STATE PANIC_ACTION ACTION WANT_EVENTS WANT_STATUS [WANT_RC]: one
# subscription (started with the model) sees every case's events.
run_case() {
	local state=$1 pa=$2 action=$3 want_ev=$4 want_st=$5 want_rc=${6:-0}
	local name="from $state, panic action $pa: $action"
	local n=0 seq0 seq1 rc st l

	back_to_running
	# Running, as the last case's own status query said: nothing to reach.
	if [ "$state" != running ] || [ "$LAST_ST" != running ]; then
		eval "${REACH[$state]}" >/dev/null || die "$name: cannot reach $state"
		st=$(status_of)
		[ "$st" = "$state" ] || die "$name: reached $st, not $state"
	fi
	LAST_ST=
	mon set --panic-action "$pa" || die "$name: set panic action"
	# The lines of want_ev (printf '%s\n' | wc -l) without an exec.
	l=${want_ev//[!$'\n']/}
	[ -n "$want_ev" ] && n=$((${#l} + 1))
	# The model's sequence number (what "config" reports as seq) from
	# debugfs: the same counter, read without an exec.
	read -r seq0 <"$SIM_DBG/seq"
	eval "$action" >/dev/null 2>"$T/action.err"
	rc=$?
	read -r seq1 <"$SIM_DBG/seq"
	check "$name: events" "$(events_between "$seq0" "$seq1")" "$want_ev"
	check "$name: number of events" "$((seq1 - seq0))" "$n"
	st=$(status_of)
	check "$name: status" "$st" "$want_st"
	LAST_ST=$st
	check "$name: exit code" "$rc" "$want_rc"
}

sim_load
mon_start --timeout 3600000

# Writes from running, per panic action: bit 0 first, first match only.
run_case running pause "wrpt 1" "$EV_GP_PAUSE$nl$EV_STOP" guest-panicked
run_case running shutdown "wrpt 1" "$EV_GP_POWEROFF$nl$EV_SHUTDOWN" shutdown
run_case running exit-failure "wrpt 1" "$EV_GP_POWEROFF$nl$EV_SHUTDOWN" shutdown
run_case running none "wrpt 1" "$EV_GP_RUN" running
for pa in pause shutdown exit-failure none; do
	run_case running $pa "wrpt 2" "$EV_GC" running
	run_case running $pa "wrpt 6" "$EV_GC" running
done
run_case running pause "wrpt 3" "$EV_GP_PAUSE$nl$EV_STOP" guest-panicked
run_case running none "wrpt 3" "$EV_GP_RUN" running
run_case running pause "wrpt 0xff" "$EV_GP_PAUSE$nl$EV_STOP" guest-panicked
run_case running pause "wrpt 0" "" running
run_case running pause "wrpt 4" "" running
run_case running shutdown "wrpt 0xfc" "" running

# Writes while not running: vm_stop does nothing (no STOP, state kept).
for st in paused guest-panicked prelaunch shutdown; do
	run_case $st pause "wrpt 1" "$EV_GP_PAUSE" $st
	run_case $st none "wrpt 1" "$EV_GP_RUN" $st
	run_case $st pause "wrpt 2" "$EV_GC" $st
	run_case $st shutdown "wrpt 1" "$EV_GP_POWEROFF$nl$EV_SHUTDOWN" shutdown
done

# stop: only acts when running.
run_case running pause "mon stop" "$EV_STOP" paused
for st in paused guest-panicked shutdown prelaunch; do
	run_case $st pause "mon stop" "" $st
done

# cont: nothing when running, refused when a reset is needed, else resume.
run_case running pause "mon cont" "" running
run_case paused pause "mon cont" "$EV_RESUME" running
run_case guest-panicked pause "mon cont" "$EV_RESUME" running
run_case prelaunch pause "mon cont" "$EV_RESUME" running
run_case shutdown pause "mon cont" "" shutdown 1
check "cont in shutdown: QEMU's message" "$(cat "$T/action.err")" \
	"pvpanic-monitor: Device or resource busy: Resetting the Virtual Machine is required"

# system_reset: RESET always; prelaunch unless running.
run_case running pause "mon system_reset" "$EV_RESET" running
for st in paused guest-panicked shutdown prelaunch; do
	run_case $st pause "mon system_reset" "$EV_RESET" prelaunch
done

# A whole QEMU-like cycle: panic (pause), cont, panic (shutdown), reset, cont.
run_case running pause \
	"wrpt 1 && mon cont && mon set --panic-action shutdown && wrpt 1 && mon system_reset && mon cont" \
	"$EV_GP_PAUSE$nl$EV_STOP$nl$EV_RESUME$nl$EV_GP_POWEROFF$nl$EV_SHUTDOWN$nl$EV_RESET$nl$EV_RESUME" \
	running

# QEMU 10.0 (qemu=10.0): bit 2 is GUEST_PVSHUTDOWN then a guest shutdown,
# whatever the panic action, after bits 0 and 1 (first match only).
mon_stop
sim_load qemu=10.0
LAST_ST=
mon_start --timeout 3600000
pvs="$EV_PVSHUTDOWN$nl$EV_SHUTDOWN_GUEST"
for pa in pause none exit-failure; do
	run_case running $pa "wrpt 4" "$pvs" shutdown
done
run_case running pause "wrpt 0xfc" "$pvs" shutdown
run_case running none "wrpt 5" "$EV_GP_RUN" running
run_case running pause "wrpt 6" "$EV_GC" running
run_case running pause "wrpt 8" "" running
for st in paused guest-panicked prelaunch; do
	run_case $st pause "wrpt 4" "$pvs" shutdown
done
run_case shutdown pause "wrpt 4" "$pvs" shutdown
run_case shutdown pause "wrpt 4 && mon cont" "$pvs" shutdown 1
check "cont after PVSHUTDOWN: QEMU's message" "$(cat "$T/action.err")" \
	"pvpanic-monitor: Device or resource busy: Resetting the Virtual Machine is required"
check "QEMU 10.0: query-status without singlestep" "$(mon status)" \
	'{"status": "shutdown", "running": false}'
run_case running pause "wrpt 4 && mon system_reset && mon cont" \
	"$pvs$nl$EV_RESET$nl$EV_RESUME" running

# Each event carries the run state its own transition leads to, the raw
# byte and device for writes, and contiguous sequence numbers.
mon_stop
sim_load panic_action=pause
seq0=$(cfg_field seq)
mon_start --count 9 --timeout 20000
wrpt 1
mon cont
mon stop
mon system_reset
mon cont
mon set --panic-action shutdown
wrpt 3
mon system_reset
mon_wait
check "event status after each event" \
	"$(sed -n 's/.*"event": "\([A-Z_]*\)".*"status": "\([a-z-]*\)".*/\1:\2/p' "$MON_OUT" | tr '\n' ' ')" \
	"GUEST_PANICKED:running STOP:guest-panicked RESUME:running STOP:paused RESET:prelaunch RESUME:running GUEST_PANICKED:running SHUTDOWN:shutdown RESET:prelaunch "
check "event sequence numbers" \
	"$(sed -n 's/.*"seq": \([0-9]*\),.*/\1/p' "$MON_OUT" | tr '\n' ' ')" \
	"$(seq $((seq0 + 1)) $((seq0 + 9)) | tr '\n' ' ')"
check "event device/value: write, command" \
	"$(sed -n 's/.*"device": \([0-9a-z]*\), "value": \([0-9a-z]*\).*/\1,\2/p' "$MON_OUT" | tr '\n' ' ')" \
	"0,1 0,1 null,null null,null null,null null,null 0,3 0,3 null,null "

# Unknown bits are logged once per load, as QEMU logs them once.
sim_load
dmesg_mark
wrpt 4
wrpt 8
wrpt 0x10
check "unknown bits logged once" "$(dmesg_since | grep -c 'pvpanic_sim: unknown event')" 1
check "unknown bits: first value named" \
	"$(dmesg_since | grep -o 'unknown event 0x[0-9a-f]*')" "unknown event 0x4"

finish
