#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make upstream-check: install what the check needs (Debian's 7.2 and 6.12
# kernels and headers, their linux-source packages), then run
# selftests/qemu/test_upstream_patch.sh in full (PVP_UPSTREAM_FULL=1:
# 7.2 and 6.12 guests), which applies upstream/*.patch, builds the modules
# patched and unpatched and counts QEMU's events.  Then the same test on
# two broken copies of the series, each of which must fail it: a style
# error (checkpatch) and the kdump condition inverted (the guests).
# Ends with "N passed, N failed"; exits non-zero on a failure or a skip.
cd "$(dirname "$0")/.." || exit 1
k72=${PVP_UPSTREAM_KVER:-$(scripts/kver.sh 7.2)}
k612=${PVP_UPSTREAM_KVER2:-$(scripts/kver.sh 6.12)}
if [ -z "$k72" ] || [ -z "$k612" ]; then
	echo "upstream-check: no 7.2 or 6.12 kernel in scripts/kernels.txt"
	echo "0 passed, 1 failed"
	exit 1
fi
if ! scripts/install-deps.sh "$k72" "$k612"; then
	echo "upstream-check: cannot install the packages for $k72 and $k612"
	echo "0 passed, 1 failed"
	exit 1
fi
mkdir -p out
out=out/upstream-check.log
export PVP_UPSTREAM_KVER=$k72 PVP_UPSTREAM_KVER2=$k612
make -s selftests >/dev/null 2>&1 || :
PVP_UPSTREAM_FULL=1 selftests/qemu/test_upstream_patch.sh 2>&1 | tee "$out"
rc=${PIPESTATUS[0]}
pass=$(grep -c '^# ok: ' "$out")
# check's findings, and a stop of the test (die: "FAIL: why")
fail=$(grep -Ec '^(# )?FAIL: ' "$out")
if [ "$rc" = 4 ]; then
	echo "$pass passed, $fail failed, 1 skipped ($(grep -m 1 '^SKIP: ' "$out"))"
	exit 4
fi
[ "$rc" != 0 ] && [ "$fail" = 0 ] && fail=1	# killed, or exited without a word

# broken NAME SED WANT: the series with SED applied to its patch must fail
# the test, with a "# FAIL:" line matching WANT (its log in
# out/upstream-broken-NAME.log).  The quick form: 7.2, -device pvpanic.
broken() {
	local d=out/upstream-broken-$1 log=out/upstream-broken-$1.log p

	rm -rf "$d"
	mkdir -p "$d"
	for p in upstream/[0-9]*.patch; do
		case ${p##*/} in
		0000-*) cp "$p" "$d/" ;;
		*) sed "$2" "$p" >"$d/${p##*/}" ;;
		esac
	done
	if cmp -s "$d"/0001-*.patch upstream/0001-*.patch; then
		echo "FAIL: broken series $1: the edit changed nothing"
		fail=$((fail + 1))
		return
	fi
	PVP_UPSTREAM_SERIES=$PWD/$d PVP_UPSTREAM_QUICK=1 \
		selftests/qemu/test_upstream_patch.sh >"$log" 2>&1
	if [ $? = 1 ] && grep -q "^# FAIL: .*$3" "$log"; then
		echo "# ok: broken series $1 fails the test: $(grep -m 1 "^# FAIL: .*$3" "$log")"
		pass=$((pass + 1))
	else
		echo "FAIL: broken series $1 did not fail the test as it should (want '$3'; $log)"
		fail=$((fail + 1))
	fi
}
# a space before the tab that indents the new if: checkpatch's
# SPACE_BEFORE_TAB; and the kdump test inverted, which compiles cleanly
broken style 's/^+\tif (is_kdump_kernel()/+ \tif (is_kdump_kernel()/' \
	'checkpatch.pl --strict'
broken inverted 's/^+\tif (is_kdump_kernel()/+\tif (!is_kdump_kernel()/' \
	'kdump, -device pvpanic, patched: GUEST_CRASHLOADED'
echo "$pass passed, $fail failed"
[ "$rc" = 0 ] && [ "$fail" = 0 ]
