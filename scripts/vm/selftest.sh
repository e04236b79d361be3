#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The harness tests itself: a guest that hangs and a module that warns must
# each fail the run with a clear message, or no green result means anything.
cd "$(dirname "$0")/../.." || exit 1
: "${KVER:=$(scripts/kver.sh)}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# must_fail NAME RC PATTERN -- RUN-VM ARGS: run-vm must exit RC and say PATTERN.
must_fail() {
	local name=$1 want=$2 pattern=$3 rc

	shift 4
	scripts/vm/run-vm.py --kver "$KVER" --quiet "$@" >"$tmp/out" 2>&1
	rc=$?
	if [ $rc = "$want" ] && grep -q "$pattern" "$tmp/out"; then
		echo "ok - harness: $name"
	else
		sed 's/^/# /' "$tmp/out"
		echo "not ok - harness: $name (exit $rc)"
		return 1
	fi
}

must_fail "a hung guest fails within its timeout" 91 'the guest hung' -- \
	--timeout 20 -- 'echo started; sleep 1000'

mkdir -p "$tmp/vm"
cp scripts/vm/warn-test/* "$tmp/vm/"
if ! make -s -C "/lib/modules/$KVER/build" M="$tmp/vm" modules >"$tmp/build.out" 2>&1; then
	sed 's/^/# /' "$tmp/build.out"
	echo "not ok - harness: a WARN_ON in a module fails the run (build failed)"
	exit 0
fi
# The warning names the module's function: "WARNING: CPU: 0 PID: 141 at
# .../warn_test.c:11 warn_test_init+0x9/0x1000 [warn_test]" on 6.1 and 6.12,
# "WARNING: warn_test.c:11 at warn_test_init+0x9/0xff0 [warn_test], CPU#0:
# insmod/141" on 7.2.  A report some test allows (--allow-splat, here
# qemu/test_shutdown.sh's) does not hide another.
must_fail "a WARN_ON in a module fails the run" 90 'WARNING: .*warn_test' -- \
	--timeout 150 --out "$tmp/vm" \
	--allow-splat 'WARNING: CPU: [0-9]+ PID: 1 at kernel/exit\.c:[0-9]+ do_exit' \
	-- "insmod \$PVP_OUT/warn_test.ko && rmmod warn_test"
warn_rc=$?

# make check-debug boots a guest again when its kernel reported before the
# command started (PVP_BOOT_RETRIES): never for a report after it, as the
# WARN above; a report of boot's once, not twice in a row.
[ "${PVP_BOOT_RETRIES:-0}" -gt 0 ] || exit 0
if [ $warn_rc != 0 ]; then
	echo "not ok - harness: a WARN_ON after the command started is not retried (no WARN_ON run)"
elif grep -q 'RETRY.*WARNING' "$tmp/out"; then
	sed 's/^/# /' "$tmp/out"
	echo "not ok - harness: a WARN_ON after the command started is not retried"
else
	echo "ok - harness: a WARN_ON after the command started is not retried"
fi
: >"$tmp/retries"
PVP_RETRY_LOG=$tmp/retries must_fail \
	"a report before the command is retried once, and twice in a row fails" \
	90 'again: 2 boots in a row' -- --timeout 150 --boot-retries 1 \
	--append pvp.selftest_boot_report -- true
if [ "$(grep -c 'boot 1 of 2 retried.*forced by the harness' "$tmp/retries")" != 1 ]; then
	sed 's/^/# /' "$tmp/retries"
	echo "not ok - harness: the retry is logged for the summary"
else
	echo "ok - harness: the retry is logged for the summary"
fi
# On a lockdep kernel: a module that turns it off without a word.
if [ -e "$tmp/vm/locks_off_test.ko" ]; then
	must_fail "a guest whose lockdep went off fails the run" 90 'lockdep was off' -- \
		--timeout 150 --out "$tmp/vm" -- "insmod \$PVP_OUT/locks_off_test.ko"
fi
