#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make upstream-check: install what the check needs (the 6.12 kernel's
# image and headers, Debian's linux-source packages), then run
# selftests/qemu/test_upstream_patch.sh, which applies upstream/*.patch to
# linux-source-6.12, builds the modules patched and unpatched and counts
# QEMU's events in 6.12 guests (make check runs the same test as a job).
# Ends with "N passed, N failed"; exits non-zero on a failure or a skip.
cd "$(dirname "$0")/.." || exit 1
kver=${PVP_UPSTREAM_KVER:-$(scripts/kver.sh 6.12)}
if [ -z "$kver" ]; then
	echo "upstream-check: no 6.12 kernel in scripts/kernels.txt"
	echo "0 passed, 1 failed"
	exit 1
fi
if ! scripts/install-deps.sh "$kver"; then
	echo "upstream-check: cannot install the packages for $kver"
	echo "0 passed, 1 failed"
	exit 1
fi
out=out/upstream-check.log
mkdir -p out
PVP_UPSTREAM_KVER=$kver selftests/qemu/test_upstream_patch.sh 2>&1 | tee "$out"
rc=${PIPESTATUS[0]}
pass=$(grep -c '^# ok: ' "$out")
# check's findings, and a stop of the test (die: "FAIL: why")
fail=$(grep -Ec '^(# )?FAIL: ' "$out")
if [ "$rc" = 4 ]; then
	echo "$pass passed, $fail failed, 1 skipped ($(grep -m 1 '^SKIP: ' "$out"))"
	exit 4
fi
[ "$rc" != 0 ] && [ "$fail" = 0 ] && fail=1	# killed, or exited without a word
echo "$pass passed, $fail failed"
[ "$rc" = 0 ] && [ "$fail" = 0 ]
