#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The harness tests itself: a guest that hangs and a module that warns must
# each fail the run with a clear message, or no green result means anything.
cd "$(dirname "$0")/../.." || exit 1
: "${KVER:=$(scripts/kver.sh)}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

scripts/vm/run-vm.py --kver "$KVER" --timeout 20 --quiet -- 'echo started; sleep 1000' \
	>"$tmp/hang.out" 2>&1
rc=$?
if [ $rc = 91 ] && grep -q 'the guest hung' "$tmp/hang.out"; then
	echo "ok - harness: a hung guest fails within its timeout"
else
	sed 's/^/# /' "$tmp/hang.out"
	echo "not ok - harness: a hung guest fails within its timeout (exit $rc)"
fi

mkdir -p "$tmp/vm"
cp scripts/vm/warn-test/* "$tmp/vm/"
if ! make -s -C "/lib/modules/$KVER/build" M="$tmp/vm" modules >"$tmp/build.out" 2>&1; then
	sed 's/^/# /' "$tmp/build.out"
	echo "not ok - harness: a WARN_ON in a module fails the run (build failed)"
	exit 0
fi
scripts/vm/run-vm.py --kver "$KVER" --timeout 60 --quiet --out "$tmp/vm" \
	-- "insmod \$PVP_OUT/warn_test.ko && rmmod warn_test" \
	>"$tmp/warn.out" 2>&1
rc=$?
if [ $rc = 90 ] && grep -q 'WARNING: CPU' "$tmp/warn.out"; then
	echo "ok - harness: a WARN_ON in a module fails the run"
else
	sed 's/^/# /' "$tmp/warn.out"
	echo "not ok - harness: a WARN_ON in a module fails the run (exit $rc)"
fi
