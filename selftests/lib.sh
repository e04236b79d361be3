# SPDX-License-Identifier: GPL-2.0
# Shell helpers for the tests, in the manner of the kernel's
# selftests/livepatch/functions.sh. Source it: . "$PVP_ROOT/selftests/lib.sh"

: "${PVP_ROOT:=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
KSFT_PASS=0
KSFT_FAIL=1
KSFT_SKIP=4

SIM_KO=$PVP_ROOT/host-module/pvpanic_sim.ko
DRV_KO=$PVP_ROOT/guest-driver/pvpanic_acpi.ko
MONITOR=$PVP_ROOT/tools/monitor/pvpanic-monitor

# Same patterns as tools/vm/run-vm.py: any of these in the kernel log fails.
SPLAT_RE='BUG: |WARNING: |Oops|general protection fault|KASAN|UBSAN|possible recursive locking|possible circular locking|inconsistent lock state|suspicious RCU usage|scheduling while atomic|sleeping function called from invalid context|INFO: task .* blocked|soft lockup|refcount_t: |list_(add|del) corruption'

log() { echo "# $*"; }

skip() {
	echo "SKIP: $*"
	exit $KSFT_SKIP
}

die() {
	echo "FAIL: $*"
	exit $KSFT_FAIL
}

# Require root and the named files (modules, tools) or skip.
require_root() { [ "$(id -u)" = 0 ] || skip "needs root"; }

require_file() {
	local f
	for f in "$@"; do
		[ -e "$f" ] || skip "$f is not built"
	done
}

# PVP_TIMEOUT_SCALE: a debug kernel (make check-debug) is several times
# slower; every wait of the tests is multiplied by it.
SCALE=${PVP_TIMEOUT_SCALE:-1}

# loop_until CMD...: retry for up to LOOP_TIMEOUT (default 5) seconds.
loop_until() {
	local i max=$((${LOOP_TIMEOUT:-5} * 20 * SCALE))
	for ((i = 0; i < max; i++)); do
		eval "$@" && return 0
		sleep 0.05
	done
	return 1
}

mod_loaded() { [ -d "/sys/module/$1" ]; }

# unload_mod NAME: remove a module, waiting for its refcount to drop.
unload_mod() {
	mod_loaded "$1" || return 0
	loop_until "rmmod $1 2>/dev/null" || die "cannot unload $1"
}

# dmesg_mark: remember where the kernel log is; dmesg_check: fail on any
# splat logged since the mark.
dmesg_mark() { DMESG_START=$(dmesg | wc -l); }

dmesg_since() { dmesg | tail -n +"$((${DMESG_START:-0} + 1))"; }

dmesg_check() {
	local bad
	bad=$(dmesg_since | grep -E "$SPLAT_RE")
	[ -z "$bad" ] || die "kernel log shows: $bad"
}

# expect_eq WHAT GOT WANT
expect_eq() {
	[ "$2" = "$3" ] || die "$1: got '$2', want '$3'"
}
