# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash disable=SC2034
# Helpers for the host-side tests: boot a guest with QEMU's own pvpanic
# device through tools/vm/run-vm.py and read the QMP events it emitted.
# Source it: . "$(dirname "$0")/e2e_lib.sh"

: "${PVP_ROOT:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
export PVP_ROOT
. "$PVP_ROOT/selftests/lib.sh"

: "${KVER:=6.1.0-56-amd64}"
RUNVM=$PVP_ROOT/tools/vm/run-vm.py
DBG=/sys/kernel/debug/pvpanic_acpi

require_file "$RUNVM" "$DRV_KO"
command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 is not installed"

E2E_TMP=$(mktemp -d /tmp/pvp-e2e.XXXXXX)
trap 'rm -rf "$E2E_TMP"' EXIT

# vm NAME [run-vm options...] -- 'guest command': boots one guest, keeps its
# QMP events in $E2E_TMP/NAME.qmp and its console in $E2E_TMP/NAME.console.
# Returns run-vm.py's status.
vm() {
	local name=$1

	shift
	rm -rf "$E2E_TMP/$name.out"
	"$RUNVM" --kver "$KVER" --timeout "${VM_TIMEOUT:-180}" --quiet \
		--qmp-log "$E2E_TMP/$name.qmp" \
		--console-log "$E2E_TMP/$name.console" \
		--out "$E2E_TMP/$name.out" "$@"
}

# The guest command's output (its cmd.log).
vm_output() { cat "$E2E_TMP/$1.out/cmd.log" 2>/dev/null; }

# qmp_events NAME: the pvpanic-related QMP events, one word each, in order:
# EVENT or EVENT:action (GUEST_*), SHUTDOWN:reason.  SHUTDOWN:host-signal is
# left out: that is run-vm.py ending a paused guest.
qmp_events() {
	python3 - "$E2E_TMP/$1.qmp" <<'PY'
import json, sys
out = []
try:
    lines = open(sys.argv[1]).read().splitlines()
except OSError:
    lines = []
for line in lines:
    if not line.strip():
        continue
    e = json.loads(line)
    ev, data = e.get("event"), e.get("data", {})
    if ev in ("GUEST_PANICKED", "GUEST_CRASHLOADED"):
        out.append("%s:%s" % (ev, data.get("action")))
    elif ev == "SHUTDOWN" and data.get("reason") != "host-signal":
        out.append("SHUTDOWN:%s" % data.get("reason"))
    elif ev in ("STOP", "RESUME", "RESET"):
        out.append(ev)
print(" ".join(out))
PY
}

# Shell text for the guest: load the driver (extra words are parameters).
load_drv_cmd() { echo "insmod $DRV_KO $*"; }

# expect_events NAME WANT: the QMP events of run NAME are exactly WANT.
expect_events() {
	local got

	got=$(qmp_events "$1")
	[ "$got" = "$2" ] || {
		log "console of $1:"
		tail -n 30 "$E2E_TMP/$1.console" | sed 's/^/#   /'
		die "$1: QMP events '$got', want '$2'"
	}
	log "$1: QMP events: $got"
}
