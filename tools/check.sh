#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make check: install what is missing, run the static gates, build, prove the
# harness can fail, run the kselftests inside a guest and the end-to-end
# tests against QEMU's own pvpanic device, then print one line per test and
# "N passed, N failed, N skipped". Exits non-zero on any failure.
cd "$(dirname "$0")/.." || exit 1
: "${KVER:=$(tools/kver.sh)}"
export KVER
out=$PWD/out/check-$KVER
rm -rf "$out"
mkdir -p "$out"
results=$out/results
: >"$results"
t_start=$(date +%s)
phase() { echo "# phase $1: $(($(date +%s) - t_phase))s" >>"$out/phases"; t_phase=$(date +%s); }
t_phase=$t_start

# Each test result line is "ok - NAME", "ok - NAME # SKIP why" or "not ok - NAME".
record() { echo "$1" | tee -a "$results"; }

echo "== install (kernel $KVER)"
if ! tools/install-deps.sh "$KVER"; then
	record "not ok - install: packages for $KVER"
fi
phase install

echo "== lint"
tools/lint.sh | while IFS= read -r l; do
	case $l in ok* | "not ok"*) record "$l" ;; *) echo "$l" ;; esac
done
phase lint

echo "== build"
# The kernel's ynl CLI (linux-source-6.12), for selftests/guest/test_ynl.sh.
if make -s modules tool selftests ynl-cache >"$out/build.log" 2>&1; then
	record "ok - build: modules, tool and selftests for $KVER"
else
	cat "$out/build.log"
	record "not ok - build: modules, tool and selftests for $KVER"
fi
phase build

echo "== harness"
tools/vm/selftest.sh | while IFS= read -r l; do
	case $l in ok* | "not ok"*) record "$l" ;; *) echo "$l" ;; esac
done
phase harness

# The end-to-end tests boot guests of their own: run them beside the
# kselftest guest (two cores, two guests), and print them after it.
e2e_lane() {
	local t name rc
	for t in selftests/e2e/test_*; do
		[ -x "$t" ] && [ -f "$t" ] || continue
		case $t in *.c) continue ;; esac
		name=e2e:${t##*/}
		[ -n "${PVP_TEST_FILTER:-}" ] && ! [[ $t =~ $PVP_TEST_FILTER ]] && continue
		timeout -k 10 $((900 * ${PVP_TIMEOUT_SCALE:-1})) "$t" \
			>"$out/${t##*/}.log" 2>&1
		rc=$?
		sed 's/^/# /' "$out/${t##*/}.log"
		case $rc in
		0) echo "ok - $name" ;;
		4) echo "ok - $name # SKIP $(grep -m1 -o 'SKIP.*' "$out/${t##*/}.log")" ;;
		*) echo "not ok - $name # exit=$rc" ;;
		esac
	done >"$out/e2e.out" 2>&1
}
# PVP_E2E=0 (make check-debug): the kselftests only. Nothing is counted
# for the e2e tests then, neither pass nor skip.
if [ "${PVP_E2E:-1}" = 0 ]; then
	echo "== kselftests in a guest (PVP_E2E=0: no end-to-end tests)"
	: >"$out/e2e.out"
	e2e_pid=
else
	echo "== kselftests in a guest; end-to-end tests against QEMU's device beside it"
	e2e_lane &
	e2e_pid=$!
fi

tools/vm/run-vm.py --kver "$KVER" --timeout "${PVP_SUITE_TIMEOUT:-2400}" --out "$out/guest" \
	--append "crashkernel=256M" --mem 1536 -- selftests/run_tests.sh host guest stress \
	>"$out/ktap" 2>"$out/guest.err"
rc=$?
cat "$out/ktap"
grep -E '^(ok|not ok) [0-9]+ selftests: ' "$out/ktap" |
	sed -E 's/^(ok|not ok) [0-9]+ selftests: /\1 - /' >>"$results"
if [ $rc != 0 ] && ! grep -q '^not ok' "$out/ktap"; then
	cat "$out/guest.err"
	record "not ok - guest suite: the guest run failed (exit $rc)"
elif [ $rc -ge 90 ]; then
	cat "$out/guest.err"
	record "not ok - guest suite: kernel log not clean or guest hung (exit $rc)"
fi
phase guest

[ -n "$e2e_pid" ] && wait $e2e_pid
echo "== end-to-end against QEMU's device"
grep -v -E '^(ok|not ok) - ' "$out/e2e.out"
grep -E '^(ok|not ok) - ' "$out/e2e.out" | tee -a "$results"
phase e2e

echo "== summary ($KVER, $(($(date +%s) - t_start))s)"
cat "$out/phases"
pass=$(grep -c '^ok' "$results" | tr -d ' ')
skip=$(grep -c '^ok.*# SKIP' "$results" | tr -d ' ')
fail=$(grep -c '^not ok' "$results" | tr -d ' ')
pass=$((pass - skip))
while IFS= read -r l; do
	case $l in
	"not ok"*) echo "FAIL ${l#not ok - }" ;;
	*"# SKIP"*) echo "SKIP ${l#ok - }" ;;
	*) echo "PASS ${l#ok - }" ;;
	esac
done <"$results"
if [ $((pass + fail + skip)) = 0 ]; then
	echo "no test ran"
	fail=1
fi
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
