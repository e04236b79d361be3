# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash disable=SC2034
# The shell library of the tests, in the manner of the kernel's
# selftests/livepatch/functions.sh.  Source it:
#   . "$(dirname "$0")/../lib.sh"
# then call the setup of what the test needs: sim_setup (the model),
# drv_setup (the model and the driver, in a guest), vm_setup (guests
# booted from the host).
#
# This file holds what every test uses: paths, skip and die, cleanups at
# exit, waits, checks.  It sources the helpers of each side:
#   lib-guest.sh  in a guest: modules, kernel log, the model and its
#                 monitor, the driver, crash kernels
#   lib-host.sh   on the host: guests booted with QEMU's own device, QMP

: "${PVP_ROOT:=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
export PVP_ROOT
KSFT_PASS=0
KSFT_FAIL=1
KSFT_SKIP=4

SIM_KO=$PVP_ROOT/host-module/pvpanic_sim.ko
# PVP_DRV_KO: test another build of the driver (to check that the tests
# catch deliberately broken builds).
DRV_KO=${PVP_DRV_KO:-$PVP_ROOT/guest-driver/pvpanic_acpi.ko}
MONITOR=$PVP_ROOT/tools/pvpanic-monitor/pvpanic-monitor
SIM_DBG=/sys/kernel/debug/pvpanic_sim
DRV_DBG=/sys/kernel/debug/pvpanic_acpi
DRV=/sys/bus/platform/drivers/pvpanic_acpi
DEV0=QEMU0001:00
DEV1=QEMU0001:01

# What fails a run in the kernel log: the same ERE as scripts/vm/run-vm.py.
SPLAT_RE=$(<"$PVP_ROOT/scripts/vm/splat.re")

# PVP_TIMEOUT_SCALE: a debug kernel (make check-debug) is several times
# slower; every wait of the tests is multiplied by it.
SCALE=${PVP_TIMEOUT_SCALE:-1}

log() { echo "# $*"; }

# PVP_LONG=1 (make check-long, make check-all): the long budgets.
long_run() { [ "${PVP_LONG:-}" = 1 ]; }

skip() {
	echo "SKIP: $*"
	exit $KSFT_SKIP
}

die() {
	echo "FAIL: $*"
	exit $KSFT_FAIL
}

require_root() { [ "$(id -u)" = 0 ] || skip "needs root"; }

require_file() {
	local f

	for f in "$@"; do
		[ -e "$f" ] || skip "$f is not built"
	done
}

# Cleanups run at exit, last registered first; a test that loaded modules
# then fails if the kernel logged a splat meanwhile.
T=$(mktemp -d /tmp/pvp-test.XXXXXX)
PVP_T0=$EPOCHREALTIME
PVP_ON_EXIT=()
PVP_SPLAT_CHECK=0
on_exit() { PVP_ON_EXIT=("$*" "${PVP_ON_EXIT[@]}"); }

pvp_exit() {
	local rc=$? c bad

	# A background child killed before it exec'd may run the trap too.
	[ "$BASHPID" = $$ ] || exit $rc
	for c in "${PVP_ON_EXIT[@]}"; do
		eval "$c"
	done
	rm -rf "$T"
	awk -v a="$PVP_T0" -v b="$EPOCHREALTIME" 'BEGIN { printf "# %.1f s\n", b - a }'
	if [ $PVP_SPLAT_CHECK = 1 ]; then
		bad=$(dmesg | tail -n +"$((PVP_DMESG0 + 1))" | grep -E "$SPLAT_RE")
		if [ -n "$bad" ]; then
			echo "$bad" | sed 's/^/# kernel: /'
			[ $rc = 0 ] || [ $rc = 4 ] && rc=$KSFT_FAIL
		fi
	fi
	exit $rc
}
trap pvp_exit EXIT

# loop_until CMD...: retry for up to LOOP_TIMEOUT (default 5) seconds.
loop_until() {
	local i max=$((${LOOP_TIMEOUT:-5} * 20 * SCALE))

	for ((i = 0; i < max; i++)); do
		eval "$@" && return 0
		nap 0.05
	done
	return 1
}

# expect_eq WHAT GOT WANT: stop at the first difference.
expect_eq() {
	[ "$2" = "$3" ] || die "$1: got '$2', want '$3'"
}

# check WHAT GOT WANT: record one result and go on; finish exits with them.
CHECKS=0
CHECK_FAILS=0
check() {
	CHECKS=$((CHECKS + 1))
	if [ "$2" = "$3" ]; then
		echo "# ok: $1"
	else
		CHECK_FAILS=$((CHECK_FAILS + 1))
		echo "# FAIL: $1"
		echo "#   got:  $(echo "$2" | tr '\n' '|')"
		echo "#   want: $(echo "$3" | tr '\n' '|')"
	fi
}

finish() {
	echo "# $((CHECKS - CHECK_FAILS)) of $CHECKS checks passed"
	[ "$CHECK_FAILS" = 0 ] || exit $KSFT_FAIL
	exit $KSFT_PASS
}

# Under TCG every exec costs tens of milliseconds: the guest helpers below
# and in lib-guest.sh loop, wait and match without one where they can.
# nap SECONDS: sleep without an exec: a read that times out on a pipe no
# one writes.
exec {PVP_NAP_FD}<> <(:)
nap() { read -rt "$1" -u "$PVP_NAP_FD" _ || :; }

# file_has FILE TEXT: FILE contains TEXT (grep -qsF without the exec).
file_has() {
	local s

	[ -r "$1" ] || return 1
	IFS= read -r -d '' s <"$1"
	[[ $s == *"$2"* ]]
}

# stop_pid PID: kill a background child and reap it; once it returns,
# nothing of the child runs. The signal is sent again until the child is
# gone: bash loses one that reaches an async child between its fork and
# its exec while this shell traps EXIT (the inherited handler takes it,
# the exec drops it); SIGKILL after 5 s.
stop_pid() {
	local i st

	[ -n "$1" ] || return 0
	for ((i = 0; i < 500; i++)); do
		if ((i % 10 == 0)); then
			kill "$1" 2>/dev/null || break
		fi
		read -r _ _ st _ 2>/dev/null <"/proc/$1/stat" || break
		[ "$st" = Z ] && break
		nap 0.01
	done
	((i < 500)) || kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}

. "$PVP_ROOT/selftests/lib-guest.sh"
. "$PVP_ROOT/selftests/lib-host.sh"
