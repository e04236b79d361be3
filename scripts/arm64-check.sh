#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make upstream-check-arm64: install what the arm64 check needs on the host
# (QEMU's arm emulators, Debian's arm64 cross compiler, linux-source-6.12;
# no arm64 package: scripts/arm64-root.sh fetches those into the cache),
# then run selftests/qemu/test_upstream_arm64.sh: upstream/*.patch built
# for arm64 and Debian's arm64 6.12 kernel booted under
# qemu-system-aarch64 -M virt (TCG) with -device pvpanic-pci.
# Ends with "N passed, N failed"; exits non-zero on a failure or a skip.
cd "$(dirname "$0")/.." || exit 1
want="qemu-system-arm gcc-aarch64-linux-gnu linux-source-6.12 git cpio binutils
	python3 kmod"
missing=""
for p in $want; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "arm64-check: missing packages:$missing; run as root or install them"
		echo "0 passed, 1 failed"
		exit 1
	fi
	echo "arm64-check: installing$missing"
	apt-get update -qq
	# shellcheck disable=SC2086 # one word per package
	if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends $missing >/dev/null; then
		echo "arm64-check: cannot install$missing"
		echo "0 passed, 1 failed"
		exit 1
	fi
fi
out=out/upstream-check-arm64.log
mkdir -p out
selftests/qemu/test_upstream_arm64.sh 2>&1 | tee "$out"
rc=${PIPESTATUS[0]}
pass=$(grep -c '^# ok: ' "$out")
fail=$(grep -Ec '^(# )?FAIL: ' "$out")
if [ "$rc" = 4 ]; then
	echo "$pass passed, $fail failed, 1 skipped ($(grep -m 1 '^SKIP: ' "$out"))"
	exit 4
fi
[ "$rc" != 0 ] && [ "$fail" = 0 ] && fail=1	# killed, or exited without a word
echo "$pass passed, $fail failed"
[ "$rc" = 0 ] && [ "$fail" = 0 ]
