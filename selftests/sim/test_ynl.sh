#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The kernel's own YNL CLI (tools/net/ynl/cli.py from Debian's
# linux-source-6.12, extracted on the host by scripts/ksrc.sh 6.12) drives the
# pvpanic_sim family from our spec, include/uapi/linux/pvpanic_sim.yaml,
# and agrees with pvpanic-monitor: get-status, stop then cont, and an event
# subscription while a panic is written through the model's WRPT.  (The
# spec is validated against genetlink-legacy.yaml on the host, by make
# lint's regeneration: jsonschema is slow under TCG.)
. "$(dirname "$0")/../lib.sh"
sim_setup
command -v python3 >/dev/null || skip "python3 is not installed"
# python3-yaml: the first ynl run says whether it is there (a python3 of
# its own to ask first would be one more slow start under TCG).
K=${XDG_CACHE_HOME:-$HOME/.cache}/pvpanic-acpi/linux-source-6.12
CLI=$K/tools/net/ynl/cli.py
[ -f "$CLI" ] ||
	skip "the kernel's ynl CLI is not extracted: run scripts/ksrc.sh 6.12 on the host (make ynl-cache)"

SPEC=$PVP_ROOT/include/uapi/linux/pvpanic_sim.yaml
W=$T
YNL_PID=
on_exit 'stop_pid "$YNL_PID"'
export PYTHONDONTWRITEBYTECODE=1

# ynl ARGS...: the kernel's CLI on our spec.
ynl() { python3 "$CLI" --spec "$SPEC" --output-json --no-schema "$@"; }

sim_load panic_action=pause

# 1. get-status.
ynl --do get-status >"$W/y.status" 2>"$W/y.err" || {
	file_has "$W/y.err" "No module named 'yaml'" && skip "python3-yaml is not installed"
	cat "$W/y.err"
	die "ynl --do get-status failed"
}
log "ynl --do get-status: $(cat "$W/y.status")"
"$MONITOR" status >"$W/m.status" || die "pvpanic-monitor status failed"

# 2. stop, then cont, through ynl; the monitor reads the state after each.
ynl --do stop >"$W/y.stop" 2>&1 || { cat "$W/y.stop"; die "ynl --do stop failed"; }
"$MONITOR" status >"$W/m.stopped"
ynl --do cont >"$W/y.cont" 2>&1 || { cat "$W/y.cont"; die "ynl --do cont failed"; }
"$MONITOR" status >"$W/m.cont"
log "after ynl stop: $(cat "$W/m.stopped"); after ynl cont: $(cat "$W/m.cont")"

# 3. Both subscribe to "events"; a panic is written through WRPT. ynl
# joins, sleeps, then reads only what is queued: the write must come well
# within its sleep. Seen joining, it is written at once (a poll of 0.1 s
# without an exec): 3 s leave it a margin of seconds; unseen, the write
# waits half the sleep from ynl's start, so the sleep stays at 5 s.
"$MONITOR" events --extra --count 2 --timeout $((60000 * SCALE)) >"$W/m.ev" 2>"$W/m.err" &
MON_PID=$!
loop_until "file_has '$W/m.err' subscribed" || die "pvpanic-monitor did not subscribe"
grp=$(genl ctrl get name pvpanic_sim 2>/dev/null |
	sed -n 's/.*ID-0x\([0-9a-f]*\)[[:space:]]*name: events.*/\1/p')
ynl_sleep=$((5 * SCALE))
[ -n "$grp" ] && [ $((0x$grp)) -le 32 ] && ynl_sleep=$((3 * SCALE))
# (python3 directly, not through the function: $! must be its pid, the
# port id its socket gets.)
python3 "$CLI" --spec "$SPEC" --output-json --no-schema --subscribe events --sleep "$ynl_sleep" \
	>"$W/y.ev" 2>"$W/y.ev.err" &
YNL_PID=$!
# joined PID BIT: a generic netlink socket of PID is in the group of BIT.
# The file is read whole first (read -d '', to its end, never seeking
# back): bash's read seeks back after each line, and netlink's seq_file
# skips sockets when repositioned.
# shellcheck disable=SC2317  # called through wait_for
joined() {
	local eth pid groups table

	IFS= read -r -d '' table </proc/net/netlink
	while read -r _ eth pid groups _; do
		[ "$eth" = 16 ] && [ "$pid" = "$1" ] && (((0x$groups & $2) != 0)) && return 0
	done <<<"$table"
	return 1
}

# wait_for SECONDS CMD...: poll CMD until it succeeds or SECONDS (real
# time, not iterations: python under TCG is slow) pass.
wait_for() {
	local end=$((SECONDS + $1))

	shift
	until "$@"; do
		[ $SECONDS -lt $end ] || return 1
		nap 0.1
	done
}
# Wait until ynl's socket has joined the group: /proc/net/netlink shows
# the first 32 groups of each socket. Without that, give it time.
if [ -n "$grp" ] && [ $((0x$grp)) -le 32 ]; then
	wait_for $((90 * SCALE)) joined "$YNL_PID" $((1 << (0x$grp - 1))) ||
		die "ynl did not join the events group (id 0x$grp)"
	log "ynl joined group 0x$grp"
else
	log "events group id ${grp:-unknown}: cannot see the join, waiting $((ynl_sleep / 2)) s"
	sleep $((ynl_sleep / 2))
fi
echo 1 >/sys/kernel/debug/pvpanic_sim/wrpt || die "write to wrpt failed"
wait "$MON_PID" || { cat "$W/m.err"; die "pvpanic-monitor did not see 2 events"; }
MON_PID=
wait "$YNL_PID" || { cat "$W/y.ev.err"; die "ynl --subscribe failed"; }
YNL_PID=
sed 's/^/# monitor: /' "$W/m.ev"
sed 's/^/# ynl: /' "$W/y.ev"

# Compare, field by field, what ynl decoded with what the monitor printed.
python3 - "$W" <<'PY' || die "ynl and pvpanic-monitor disagree"
import json
import sys

w = sys.argv[1]


def load(name):
    with open(f"{w}/{name}") as f:
        return json.loads(f.read())


bad = []


def same(what, got, want):
    if got != want:
        bad.append(f"{what}: ynl {got!r}, monitor {want!r}")


def status(y, m):
    same("status", y["status"], m["status"])
    same("running", bool(y["running"]), m["running"])
    same("singlestep", bool(y["singlestep"]), m["singlestep"])


status(load("y.status"), load("m.status"))
same("state after stop", load("m.stopped")["status"], "paused")
same("state after cont", load("m.cont")["status"], "running")

y_ev = [n for n in load("y.ev") if n["name"] == "event"]
with open(f"{w}/m.ev") as f:
    m_ev = [json.loads(line) for line in f if line.strip()]
same("number of events", len(y_ev), len(m_ev))
same("events", [m["event"] for m in m_ev], ["GUEST_PANICKED", "STOP"])
for y, m in zip(y_ev, m_ev):
    y = y["msg"]
    ev = m["event"]
    same(f"{ev} name", y["event"].upper().replace("-", "_"), ev)
    ts = y["timestamp"]
    same(f"{ev} timestamp", {"seconds": ts // 10**9,
                             "microseconds": ts % 10**9 // 1000},
         m["timestamp"])
    same(f"{ev} action", y.get("action"), m.get("data", {}).get("action"))
    p = m["pvpanic"]
    for k in ("seq", "device", "value", "status", "lost"):
        same(f"{ev} {k}", y.get(k), p[k])
for b in bad:
    print("# FAIL", b)
sys.exit(1 if bad else 0)
PY
log "ynl get-status, stop, cont and the events subscription match pvpanic-monitor"
exit 0
