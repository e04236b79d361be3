#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Without CAP_NET_ADMIN: status and config can be read; set, stop, cont,
# system_reset and joining the events group are refused, with no effect.
. "$(dirname "$0")/../lib.sh"
sim_setup
command -v setpriv >/dev/null || skip "setpriv (util-linux) is missing"

nobody() {
	setpriv --reuid=65534 --regid=65534 --clear-groups \
		--inh-caps=-all --bounding-set=-all "$MONITOR" "$@"
}

sim_load panic_action=pause
check "unprivileged status" "$(nobody status)" \
	'{"status": "running", "singlestep": false, "running": true}'
check "unprivileged config" "$(nobody config | sed 's/, "seq".*//')" \
	'{"capability": 3, "panic-action": "pause"'

seq0=$(cfg_field seq)
for cmd in stop cont system_reset "set --capability 1" "set --panic-action none"; do
	# shellcheck disable=SC2086
	err=$(nobody $cmd 2>&1 >/dev/null)
	rc=$?
	check "unprivileged $cmd: exit code" $rc 1
	check "unprivileged $cmd: EPERM" "$err" \
		"pvpanic-monitor: Operation not permitted"
done
err=$(nobody events --timeout 200 2>&1 >/dev/null)
rc=$?
check "unprivileged events: exit code" $rc 1
check "unprivileged events: refused" "$err" \
	"pvpanic-monitor: cannot join the events group: Operation not permitted"

check "no state change: status" "$(status_of)" running
check "no state change: config" "$(cfg_field capability) $(cfg_field panic-action)" "3 pause"
check "no events" "$(cfg_field seq)" "$seq0"

# Root still can: the same commands work and act.
mon stop
check "root stop" "$(status_of)" paused
finish
