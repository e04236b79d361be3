#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run the test programs of the given areas (default: host guest) in the
# manner of kselftest's runner and print KTAP. A test exits 0 to pass, 4 to
# skip, anything else to fail; a splat in the kernel log during a test fails
# it too. PVP_TEST_FILTER (an extended regex) picks tests by name.
cd "$(dirname "$0")" || exit 1
. ./lib.sh

areas=${*:-host guest}
tests=()
for a in $areas; do
	for t in "$a"/test_*; do
		[ -f "$t" ] && [ -x "$t" ] || continue
		case "$t" in *.c | *.o) continue ;; esac
		[ -n "${PVP_TEST_FILTER:-}" ] && ! [[ $t =~ $PVP_TEST_FILTER ]] && continue
		tests+=("$t")
	done
done

echo "TAP version 13"
echo "1..${#tests[@]}"
n=0
fail=0
for t in "${tests[@]}"; do
	n=$((n + 1))
	area=${t%%/*}
	name=${t#*/}
	timeout=120
	[ -f "$area/settings" ] && timeout=$(sed -n 's/^timeout=//p' "$area/settings")
	# a debug kernel (make check-debug) runs several times slower
	timeout=$((timeout * ${PVP_TIMEOUT_SCALE:-1}))
	echo "# selftests: $area: $name"
	dmesg_mark
	start=$EPOCHREALTIME
	(cd "$area" && timeout -k 5 "$timeout" "./$name") >/tmp/ksft-out 2>&1
	rc=$?
	secs=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
	sed 's/^/# /' /tmp/ksft-out
	splat=$(dmesg_since | grep -E "$SPLAT_RE")
	if [ -n "$splat" ]; then
		echo "$splat" | sed 's/^/# kernel: /'
		[ $rc = 0 ] || [ $rc = 4 ] && rc=1
	fi
	case $rc in
	0) echo "ok $n selftests: $area: $name # time=${secs}s" ;;
	4) reason=$(grep -m1 -o 'SKIP.*' /tmp/ksft-out | head -c 200)
	   echo "ok $n selftests: $area: $name # SKIP ${reason#SKIP: }" ;;
	124) echo "not ok $n selftests: $area: $name # TIMEOUT ${timeout} seconds"
	     fail=1 ;;
	*) echo "not ok $n selftests: $area: $name # exit=$rc"
	   fail=1 ;;
	esac
done
exit $fail
