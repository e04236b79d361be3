# SPDX-License-Identifier: GPL-2.0
# Helpers for the pvpanic_sim tests (selftests/host). Source after lib.sh.

DBG=/sys/kernel/debug/pvpanic_sim
HOST_TMP=$(mktemp -d)
HOST_FAILS=0
HOST_CASES=0

# QMP event lines as pvpanic-monitor prints them, minus the timestamp.
EV_GP_PAUSE='{"event": "GUEST_PANICKED", "data": {"action": "pause"}}'
EV_GP_POWEROFF='{"event": "GUEST_PANICKED", "data": {"action": "poweroff"}}'
EV_GP_RUN='{"event": "GUEST_PANICKED", "data": {"action": "run"}}'
EV_GC='{"event": "GUEST_CRASHLOADED", "data": {"action": "run"}}'
EV_STOP='{"event": "STOP"}'
EV_RESUME='{"event": "RESUME"}'
EV_SHUTDOWN='{"event": "SHUTDOWN", "data": {"guest": true, "reason": "guest-panic"}}'
EV_RESET='{"event": "RESET", "data": {"guest": false, "reason": "host-qmp-system-reset"}}'

host_require() {
	require_root
	require_file "$SIM_KO" "$MONITOR"
	[ -d /sys/kernel/debug/tracing ] || [ -d /sys/kernel/debug/block ] ||
		mount -t debugfs none /sys/kernel/debug 2>/dev/null
}

host_cleanup() {
	[ -n "${MON_PID:-}" ] && kill "$MON_PID" 2>/dev/null
	unload_mod pvpanic_acpi
	unload_mod pvpanic_sim
	rm -rf "$HOST_TMP"
}

sim_load() {
	mod_loaded pvpanic_sim && unload_mod pvpanic_sim
	insmod "$SIM_KO" "$@" || die "insmod pvpanic_sim $*"
}

sim_unload() { unload_mod pvpanic_sim; }

mon() { "$MONITOR" "$@"; }

# The raw byte goes through \_SB.PEVT.WRPT (AML -> OEM region -> model).
wrpt() { echo "$1" > "$DBG/wrpt${2:-}"; }

status() { mon status; }

status_of() { mon status | sed -n 's/^{"status": "\([a-z-]*\)".*/\1/p'; }

cfg_field() { mon config | sed -n "s/.*\"$1\": \"\\{0,1\\}\\([a-z0-9-]*\\).*/\\1/p"; }

# Wait until the model has handed every recorded event to netlink.
drain() {
	loop_until "[ \"\$(cat $DBG/pending)\" = 0 ]" || die "events stay pending"
}

# mon_start ARGS...: subscribe in the background, wait until subscribed.
mon_start() {
	local a args=() scale=

	drain
	for a in "$@"; do
		[ -n "$scale" ] && a=$((a * SCALE))
		scale=
		[ "$a" = --timeout ] && scale=1
		args+=("$a")
	done
	MON_OUT=$HOST_TMP/events.$BASHPID.$RANDOM
	"$MONITOR" events --extra "${args[@]}" >"$MON_OUT" 2>"$MON_OUT.err" &
	MON_PID=$!
	loop_until "grep -q subscribed '$MON_OUT.err'" ||
		die "monitor did not subscribe: $(cat "$MON_OUT.err")"
}

mon_wait() {
	wait "$MON_PID"
	MON_RC=$?
	MON_PID=
}

# Events received, without timestamps and the "pvpanic" extra key.
mon_events() {
	sed -e 's/"timestamp": {[^}]*}, //' -e 's/, "pvpanic": {[^}]*}}$/}/' "$MON_OUT"
}

# check NAME GOT WANT: record one result, go on on failure.
check() {
	HOST_CASES=$((HOST_CASES + 1))
	if [ "$2" = "$3" ]; then
		echo "# ok: $1"
	else
		HOST_FAILS=$((HOST_FAILS + 1))
		echo "# FAIL: $1"
		echo "#   got:  $(echo "$2" | tr '\n' '|')"
		echo "#   want: $(echo "$3" | tr '\n' '|')"
	fi
}

host_finish() {
	echo "# $((HOST_CASES - HOST_FAILS)) of $HOST_CASES checks passed"
	[ "$HOST_FAILS" = 0 ] || exit $KSFT_FAIL
	exit $KSFT_PASS
}
