#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make check: install what is missing, run the static gates, build, prove the
# harness can fail, run the kselftests (selftests/{sim,driver,stress}) inside
# a guest and, beside it on the host, the tests that boot guests with QEMU's
# own device (selftests/qemu) and the packaging tests (selftests/packaging);
# then print one line per test and "N passed, N failed, N skipped".
#
#   PVP_TARGETS       kselftest targets run in the guest (sim driver stress)
#   PVP_HOST_TARGETS  targets run on the host (qemu packaging); "" for none
#   PVP_TEST_PROGS    only these tests (file names) of the targets above
#   PVP_TIMEOUT_SCALE every timeout multiplied (slow machines, debug kernels)
cd "$(dirname "$0")/.." || exit 1
: "${KVER:=$(scripts/kver.sh)}"
export KVER
out=$PWD/out/check-$KVER
rm -rf "$out"
mkdir -p "$out"
results=$out/results
: >"$results"
t_start=$(date +%s)
phase() { echo "# phase $1: $(($(date +%s) - t_phase))s" >>"$out/phases"; t_phase=$(date +%s); }
t_phase=$t_start
guest_targets=${PVP_TARGETS-sim driver stress}
host_targets=${PVP_HOST_TARGETS-qemu packaging}

# Each result line is "ok - NAME", "ok - NAME # SKIP why" or "not ok - NAME".
record() { echo "$1" | tee -a "$results"; }
gate() {
	while IFS= read -r l; do
		case $l in ok* | "not ok"*) record "$l" ;; *) echo "$l" ;; esac
	done
}
# KTAP from kselftest's runner -> result lines, a skip with the reason
# the test printed ("SKIP: why").
ktap_results() {
	awk '/^# SKIP: / { why = substr($0, 9) }
	     /^(ok|not ok) [0-9]+ selftests: / {
		sub(/ [0-9]+ selftests: /, " - ")
		if ($0 ~ /# SKIP$/) $0 = $0 " " why
		print; why = "" }'
}
# make run_tests for some targets; with PVP_TEST_PROGS, only those of its
# tests that each target has.
run_targets() {
	local dir=$1 t p progs

	shift
	for t in "$@"; do
		if [ -z "${PVP_TEST_PROGS:-}" ]; then
			make -s -C "$dir/$t" OUTPUT="$PWD/$dir/$t" run_tests
			continue
		fi
		progs=
		for p in $PVP_TEST_PROGS; do
			[ -e "$dir/$t/$p" ] && progs="$progs $p"
		done
		[ -z "$progs" ] || make -s -C "$dir/$t" OUTPUT="$PWD/$dir/$t" \
			run_tests TEST_PROGS="$progs" TEST_GEN_PROGS=
	done
}

echo "== install (kernel $KVER)"
if ! scripts/install-deps.sh "$KVER"; then
	record "not ok - install: packages for $KVER"
fi
# QEMU 10 referees the host tests' bit-2 cases: build its cached root now
# (a debootstrap, a minute or two the first time), not inside a test that
# waits for a guest's QMP socket.
case " $host_targets " in *" qemu "*)
	if ! scripts/qemu10.sh >/dev/null; then
		record "not ok - install: QEMU 10 (scripts/qemu10.sh)"
	fi ;;
esac
phase install

echo "== lint"
scripts/lint.sh | gate
phase lint

echo "== build"
# ynl-cache: the kernel's ynl CLI and library, for the tests in guests.
if make -s modules tool selftests ynl-cache >"$out/build.log" 2>&1; then
	record "ok - build: modules, tool and selftests for $KVER"
else
	cat "$out/build.log"
	record "not ok - build: modules, tool and selftests for $KVER"
fi
phase build

echo "== harness"
scripts/vm/selftest.sh | gate
phase harness

# The host targets boot guests of their own: run them beside the kselftest
# guest (two cores, two guests), and print them after it.
host_lane() {
	# shellcheck disable=SC2086 # one word per target
	PVP_TIMEOUT_SCALE=${PVP_TIMEOUT_SCALE:-1} run_targets selftests $host_targets \
		>"$out/host.ktap" 2>&1
}
host_pid=
if [ -n "$host_targets" ]; then
	echo "== kselftests in a guest; $host_targets on the host beside it"
	host_lane &
	host_pid=$!
else
	echo "== kselftests in a guest"
	: >"$out/host.ktap"
fi

rc=0
if [ -n "$guest_targets" ]; then
	scripts/vm/run-vm.py --kver "$KVER" --timeout "${PVP_SUITE_TIMEOUT:-2400}" \
		--out "$out/guest" --append "crashkernel=256M" --mem 1536 -- \
		"$(declare -f run_targets); run_targets selftests $guest_targets" \
		>"$out/guest.ktap" 2>"$out/guest.err"
	rc=$?
	cat "$out/guest.ktap"
	ktap_results <"$out/guest.ktap" >>"$results"
	if [ $rc != 0 ] && ! grep -q '^not ok' "$out/guest.ktap"; then
		cat "$out/guest.err"
		record "not ok - guest: the guest run failed (exit $rc)"
	elif [ $rc -ge 90 ]; then
		cat "$out/guest.err"
		record "not ok - guest: kernel log not clean or guest hung (exit $rc)"
	fi
fi
phase guest

[ -n "$host_pid" ] && wait $host_pid
if [ -n "$host_targets" ]; then
	echo "== on the host: $host_targets"
	cat "$out/host.ktap"
	ktap_results <"$out/host.ktap" | tee -a "$results"
fi
phase host

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
