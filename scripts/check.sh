#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make check: install what is missing, build, then run two at a time the
# static gates, the harness's proof that it can fail and the tests: the
# kselftest targets (selftests/{sim,driver,stress}) each in a guest, and on
# the host each test of selftests/qemu (they boot guests with QEMU's own
# device) and the packaging tests; then print one line per test and
# "N passed, N failed, N skipped".
#
#   PVP_TARGETS       kselftest targets run in the guest (sim driver stress)
#   PVP_HOST_TARGETS  targets run on the host (qemu packaging); "" for none
#   PVP_TEST_PROGS    only these tests (file names) of the targets above
#   PVP_TIMEOUT_SCALE every timeout multiplied (slow machines, debug kernels)
#   PVP_JOBS          how many jobs at a time (2)
#   PVP_SUITE_TIMEOUT seconds each kselftest guest may take (900)
#   PVP_BOOT_RETRIES  boots again a guest whose kernel reported before any
#                     module of ours was loaded, this many times (0; make
#                     check-debug: 1); the summary counts them
cd "$(dirname "$0")/.." || exit 1
: "${KVER:=$(scripts/kver.sh)}"
export KVER
out=$PWD/out/check-$KVER
rm -rf "$out"
mkdir -p "$out"
results=$out/results
: >"$results"
# Each guest boot retried by scripts/vm/run-vm.py (PVP_BOOT_RETRIES: the
# kernel reported before any module of ours was loaded), one line each.
export PVP_RETRY_LOG=$out/retries
: >"$PVP_RETRY_LOG"
# python3 may be a version manager's shim (pyenv's is a shell script that
# runs on every call, and the tests call python3 hundreds of times): the
# directory of the interpreter it stands for goes first on PATH.  A directory,
# not a symlink to the binary, so that a virtual environment's pyvenv.cfg is
# still found beside it.
if py=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null) &&
   [ -x "$py" ] && [ "$py" != "$(command -v python3)" ]; then
	PATH=$(dirname "$py"):$PATH
	export PATH
fi
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
# qemu/test_upstream_patch.sh boots the 7.2 kernel and builds for 6.12
# too, whatever KVER is (7.2 comes from the sid root: scripts/sid-root.sh).
kvers=$KVER
case " $host_targets " in *" qemu "*)
	for k in $(scripts/kver.sh 7.2) $(scripts/kver.sh 6.12); do
		[ "$k" != "$KVER" ] && kvers="$kvers $k"
	done ;;
esac
echo "== install (kernel $kvers)"
# shellcheck disable=SC2086 # one word per kernel
if ! scripts/install-deps.sh $kvers; then
	record "not ok - install: packages for $kvers"
fi
# QEMU 10 referees the host tests' bit-2 cases: build its cached root now
# (a debootstrap, a minute or two the first time), not inside a test that
# waits for a guest's QMP socket.
# The same for qemu/test_upstream_patch.sh's sources: linux-source-7.2
# (from the sid root) and the CONFIG_CRASH_DUMP=n tree made from it (its
# extraction and modules_prepare take minutes the first time).
case " $host_targets " in *" qemu "*)
	if ! scripts/qemu10.sh >/dev/null; then
		record "not ok - install: QEMU 10 (scripts/qemu10.sh)"
	fi
	if [ -n "$(scripts/kver.sh 7.2)" ] && ! { scripts/ksrc.sh 7.2 &&
			scripts/upstream-tree.sh 7.2; } >/dev/null; then
		record "not ok - install: linux-source-7.2 (scripts/ksrc.sh, scripts/upstream-tree.sh)"
	fi ;;
esac
phase install

echo "== build"
# ynl-cache: the kernel's ynl CLI and library, for the tests in guests.
if make -s -j"$(nproc)" modules tool selftests ynl-cache >"$out/build.log" 2>&1; then
	record "ok - build: modules, tool and selftests for $KVER"
else
	cat "$out/build.log"
	record "not ok - build: modules, tool and selftests for $KVER"
fi
phase build

# Then everything else as jobs, PVP_JOBS (2) at a time: one guest each,
# and a guest under TCG keeps a core busy. A job is the static gates
# ("lint"), the harness proving it can fail (a hung guest, a WARN:
# "harness"), a kselftest target in a guest of its own ("guest:sim"), one
# test of selftests/qemu on the host ("qemu:test_trigger.sh", each boots
# its own guests), or the whole packaging target (its tests share the
# tree's build). The longest start first (the list "longest" below);
# each job's output goes to $out/jobs/NAME, its results printed in order
# at the end.
progs_of() {
	local p

	# shellcheck disable=SC2016 # for make to expand
	for p in $(make -s -C "selftests/$1" OUTPUT="$PWD/selftests/$1" \
		--eval='pvp-progs: ; @echo $(TEST_PROGS) $(TEST_GEN_PROGS)' pvp-progs); do
		p=${p##*/}
		if [ -z "${PVP_TEST_PROGS:-}" ] || [[ " $PVP_TEST_PROGS " == *" $p "* ]]; then
			echo "$p"
		fi
	done
}
# The kselftest runner as make check runs it, for one target or one test.
run_target() {
	local t=$1 p=${2:-}

	if [ -n "$p" ]; then
		make -s -C "selftests/$t" OUTPUT="$PWD/selftests/$t" run_tests \
			TEST_PROGS="$p" TEST_GEN_PROGS=
	elif [ -z "${PVP_TEST_PROGS:-}" ]; then
		make -s -C "selftests/$t" OUTPUT="$PWD/selftests/$t" run_tests
	else
		for p in $PVP_TEST_PROGS; do
			[ -e "selftests/$t/$p" ] && echo "$p"
		done | {
			mapfile -t progs
			[ ${#progs[@]} = 0 ] || make -s -C "selftests/$t" OUTPUT="$PWD/selftests/$t" \
				run_tests TEST_PROGS="${progs[*]}" TEST_GEN_PROGS=
		}
	fi
}
# sim's and driver's tests do one thing at a time: one vCPU, which TCG
# runs faster; stress (concurrency) has two.
declare -A guest_smp=([sim]=1 [driver]=1)
guest_job() {
	local t=$1 rc

	scripts/vm/run-vm.py --kver "$KVER" --timeout "${PVP_SUITE_TIMEOUT:-900}" \
		--out "$out/guest-$t" --append "crashkernel=256M" --mem 1536 \
		--smp "${guest_smp[$t]:-2}" -- \
		"$(declare -f run_target); run_target $t" \
		>"$out/jobs/guest:$t" 2>"$out/guest-$t.err"
	rc=$?
	if [ $rc != 0 ] && ! grep -q '^not ok' "$out/jobs/guest:$t"; then
		cat "$out/guest-$t.err"
		echo "not ok - guest $t: the guest run failed (exit $rc)"
	elif [ $rc -ge 90 ]; then
		cat "$out/guest-$t.err"
		echo "not ok - guest $t: kernel log not clean or guest hung (exit $rc)"
	fi >"$out/jobs/guest:$t.fail"
}
host_job() {
	PVP_TIMEOUT_SCALE=${PVP_TIMEOUT_SCALE:-1} run_target "$1" "${2:-}" \
		>"$out/jobs/$1${2:+:$2}" 2>&1
}

mkdir -p "$out/jobs"
natural=(lint harness)
for t in $guest_targets; do
	[ -n "$(progs_of "$t")" ] && natural+=("guest:$t")
done
for t in $host_targets; do
	if [ "$t" = qemu ]; then
		for p in $(progs_of qemu); do natural+=("qemu:$p"); done
	elif [ -n "$(progs_of "$t")" ]; then
		natural+=("$t")
	fi
done
# The longest jobs first, so that two places end close together (each
# job's time is in $out/phases); then the others in their natural order.
longest=(qemu:test_upstream_patch.sh qemu:test_differential.py packaging
	qemu:test_real_panic.sh guest:sim lint qemu:test_shutdown.sh
	qemu:test_aml_busy.sh guest:stress guest:driver)
order=()
for j in "${longest[@]}" "${natural[@]}"; do
	[[ $j == harness || " ${order[*]} " == *" $j "* ]] && continue
	[[ " ${natural[*]} " == *" $j "* ]] && order+=("$j")
done

# run_job NAME: one job; how long it took into $out/jobs/NAME.time.
run_job() {
	local t0=$SECONDS

	case $1 in
	lint) scripts/lint.sh >"$out/jobs/lint" 2>&1 ;;
	harness) scripts/vm/selftest.sh >"$out/jobs/harness" 2>&1 ;;
	guest:*) guest_job "${1#guest:}" ;;
	*:*) host_job "${1%%:*}" "${1#*:}" ;;
	*) host_job "$1" ;;
	esac
	echo $((SECONDS - t0)) >"$out/jobs/$1.time"
}

# The harness's guests mostly wait for a timeout: it runs beside the
# others, not in one of their PVP_JOBS places.
echo "# $(date +%T) start harness"
run_job harness &
harness_pid=$!
echo "== ${#order[@]} jobs, ${PVP_JOBS:-2} at a time: ${order[*]}"
for j in "${order[@]}"; do
	while [ "$(jobs -rp | grep -cvx "$harness_pid")" -ge "${PVP_JOBS:-2}" ]; do
		wait -n
	done
	echo "# $(date +%T) start $j"
	run_job "$j" &
done
wait
phase jobs
for j in harness "${order[@]}"; do
	echo "#   job $j: $(cat "$out/jobs/$j.time" 2>/dev/null || echo '?')s" >>"$out/phases"
done

for j in "${natural[@]}"; do
	echo "== $j"
	case $j in lint | harness)
		gate <"$out/jobs/$j"
		grep -q '^ok\|^not ok' "$out/jobs/$j" || record "not ok - $j: the job gave no result"
		continue ;;
	esac
	cat "$out/jobs/$j"
	if ! grep -Eq '^(ok|not ok) [0-9]+ selftests: ' "$out/jobs/$j" &&
		[ ! -s "$out/jobs/$j.fail" ]; then
		record "not ok - $j: the job gave no result"
	fi
	ktap_results <"$out/jobs/$j" | tee -a "$results"
	if [ -s "$out/jobs/$j.fail" ]; then
		grep -v '^not ok' "$out/jobs/$j.fail"
		grep '^not ok' "$out/jobs/$j.fail" | tee -a "$results"
	fi
done

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
if [ "${PVP_BOOT_RETRIES:-0}" != 0 ] || [ -s "$PVP_RETRY_LOG" ]; then
	echo "$(wc -l <"$PVP_RETRY_LOG") guest boots retried (PVP_BOOT_RETRIES=${PVP_BOOT_RETRIES:-0}: a kernel report before any module of ours was loaded)"
	sed 's/^/RETRY /' "$PVP_RETRY_LOG"
fi
# A lockdep kernel: in how many kselftest guests it was still on at the end
# (run-vm fails a guest where it was not).
set -- "$out"/guest-*/debug_locks
if [ -e "$1" ]; then
	echo "lockdep on to the end in $(cat "$@" | grep -cx 1) of $# kselftest guests"
fi
if [ $((pass + fail + skip)) = 0 ]; then
	echo "no test ran"
	fail=1
fi
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
