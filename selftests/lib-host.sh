# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash disable=SC2034
# The tests' helpers on the host: guests booted with QEMU's own device
# (scripts/vm/run-vm.py), their QMP events and output.  Sourced by lib.sh,
# whose common helpers they use.

RUNVM=$PVP_ROOT/scripts/vm/run-vm.py

# PVP_QEMU: 7.2 (Debian 12's, the default) or 10 (Debian 13's, with bit 2
# and the events property at 7 by default).
qemu10() { case ${PVP_QEMU:-} in 10 | 10.0) return 0 ;; esac; return 1; }
QEMU_CAP=3
qemu10 && QEMU_CAP=7

# vm_setup [nodrv]: nodrv for a test that never loads this project's
# driver (it boots upstream's modules only).
vm_setup() {
	: "${KVER:=$("$PVP_ROOT/scripts/kver.sh")}"
	export KVER
	require_file "$RUNVM"
	[ "${1:-}" = nodrv ] || require_file "$DRV_KO"
	command -v "${PVP_QEMU_BIN:-qemu-system-x86_64}" >/dev/null ||
		skip "QEMU is not installed"
}

# vm NAME [run-vm options...] -- 'guest command': boots one guest, keeps its
# QMP events in $T/NAME.qmp and its console in $T/NAME.console.  $T/NAME.out
# is shared as $PVP_OUT, emptied first unless VM_KEEP_OUT=1 (files for the
# guest put there beforehand).  Returns run-vm.py's status.
vm() {
	local name=$1

	shift
	[ "${VM_KEEP_OUT:-}" = 1 ] || rm -rf "$T/$name.out"
	"$RUNVM" --kver "$KVER" --timeout "${VM_TIMEOUT:-180}" --quiet \
		--qmp-log "$T/$name.qmp" --console-log "$T/$name.console" \
		--out "$T/$name.out" "$@"
}

# The guest command's output (its cmd.log).
vm_output() { cat "$T/$1.out/cmd.log" 2>/dev/null; }

# vm_ok NAME DEVICE 'commands ending in "echo done"' WANT: vm with QEMU's
# -device DEVICE, one vCPU and panic action none; the guest must run the
# commands to the end, and QEMU's events must be WANT (expect_events).
vm_ok() {
	local name=$1

	vm "$name" --smp 1 --qemu-arg=-device --qemu-arg="$2" \
		--qemu-arg=-action --qemu-arg=panic=none -- "$3" ||
		{ vm_output "$name"; die "$name: guest run failed"; }
	vm_output "$name" | grep -q '^done$' ||
		{ vm_output "$name"; die "$name: guest command did not finish"; }
	expect_events "$name" "$4"
}

# qmp_events NAME: the pvpanic-related QMP events of a run, one word each.
qmp_events() { python3 "$PVP_ROOT/selftests/pvptest.py" qmp-events "$T/$1.qmp"; }

# Shell text for the guest: load the driver (extra words are parameters).
load_drv_cmd() { echo "insmod $DRV_KO $*"; }

# vm_die NAME MESSAGE: fails the test, showing the end of run NAME's guest
# command output and console.
vm_die() {
	log "guest command output of $1:"
	vm_output "$1" | tail -n 20 | sed 's/^/#   /'
	log "console of $1:"
	tail -n 30 "$T/$1.console" 2>/dev/null | sed 's/^/#   /'
	die "$1: $2"
}

# expect_events NAME WANT: the QMP events of run NAME are exactly WANT.
expect_events() {
	local got

	got=$(qmp_events "$1")
	[ "$got" = "$2" ] || vm_die "$1" "QMP events '$got', want '$2'"
	log "$1: QMP events: $got"
}

# upstream_series [DIR]: the patches of upstream/ (or DIR) in order, the
# cover letter (0000-*) left out, into the array SERIES.
upstream_series() {
	local d=${1:-$PVP_ROOT/upstream} p

	SERIES=()
	for p in "$d"/[0-9][0-9][0-9][0-9]-*.patch; do
		[ -e "$p" ] && [[ ${p##*/} != 0000-* ]] && SERIES+=("$p")
	done
	[ ${#SERIES[@]} -gt 0 ] || die "no patch in $d"
}

# series_am SRC REPO LOG: SRC's pristine drivers/misc/pvpanic committed in
# a new scratch repository REPO, then SERIES applied with git am (its
# output in LOG); true if every patch became a commit.
series_am() {
	local g=$2 id=(-c user.name=pvpanic-acpi -c user.email=pvpanic-acpi@localhost
		-c commit.gpgsign=false)

	rm -rf "$g"
	mkdir -p "$g/drivers/misc"
	cp -a "$1/drivers/misc/pvpanic" "$g/drivers/misc/"
	git -C "$g" init -q &&
		git -C "$g" add -A &&
		git -C "$g" "${id[@]}" commit -q -m "${1##*/}" &&
		git -C "$g" "${id[@]}" am "${SERIES[@]}" >"$3" 2>&1 &&
		[ "$(git -C "$g" rev-list --count HEAD)" = $((1 + ${#SERIES[@]})) ]
}

# The event words of qmp_events (EVENT or EVENT:action):
# n_of EVENT WORDS: how many of the words are EVENT or EVENT:action.
n_of() {
	local w n=0

	for w in $2; do
		[[ $w == "$1" || $w == "$1":* ]] && n=$((n + 1))
	done
	echo $n
}

# kdump_counts WHAT WORDS WANT [AFTER]: the words hold WANT
# GUEST_CRASHLOADED and no GUEST_PANICKED; both counts go into the
# caller's summary array.  With AFTER (seconds from the panic to the first
# GUEST_CRASHLOADED, as pvptest.py qmp-after prints it), that one must have
# come after the panic: sent by the probe of a normal boot it would come
# before.
kdump_counts() {
	local cl pa

	cl=$(n_of GUEST_CRASHLOADED "$2")
	pa=$(n_of GUEST_PANICKED "$2")
	summary+=("$1: GUEST_CRASHLOADED $cl, GUEST_PANICKED $pa")
	check "$1: GUEST_CRASHLOADED" "$cl" "$3"
	check "$1: GUEST_PANICKED" "$pa" 0
	[ "$cl" != 0 ] && [ $# -ge 4 ] || return 0
	check "$1: GUEST_CRASHLOADED after the panic ($4 s)" \
		"$(awk -v t="$4" 'BEGIN { print (t > 0) ? "after" : "before" }')" after
}

# before_panic WORDS: the pvpanic events before the first GUEST_PANICKED.
before_panic() {
	local w out=()

	for w in $1; do
		[[ $w == GUEST_PANICKED* ]] && break
		[[ $w == GUEST_* ]] && out+=("$w")
	done
	echo "${out[*]}"
}

# without_one EVENT WORDS: the words with the first EVENT word left out.
without_one() {
	local w out=() done=

	for w in $2; do
		if [ -z "$done" ] && [[ $w == "$1" || $w == "$1":* ]]; then
			done=1
			continue
		fi
		out+=("$w")
	done
	echo "${out[*]}"
}

# plain_checks WHAT WORDS: the events of a normal boot followed by a panic
# without a crash kernel: none before the panic, then one GUEST_PANICKED
# and no GUEST_CRASHLOADED; the counts appended to the array summary.
plain_checks() {
	local nb pa cl w

	nb=$(before_panic "$2")
	pa=$(n_of GUEST_PANICKED "$2")
	cl=$(n_of GUEST_CRASHLOADED "$2")
	read -ra w <<<"$nb"
	summary+=("$1: pvpanic events before the panic ${#w[@]}, GUEST_PANICKED $pa, GUEST_CRASHLOADED $cl")
	check "$1, normal boot: pvpanic events" "$nb" ""
	check "$1, plain panic: GUEST_PANICKED" "$pa" 1
	check "$1, plain panic: GUEST_CRASHLOADED" "$cl" 0
}
