# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash disable=SC2034
# The one shell library of the tests, in the manner of the kernel's
# selftests/livepatch/functions.sh.  Source it:
#   . "$(dirname "$0")/../lib.sh"
# then call the setup of what the test needs: sim_setup (the model),
# drv_setup (the model and the driver, in a guest), vm_setup (guests
# booted from the host).

: "${PVP_ROOT:=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
export PVP_ROOT
KSFT_PASS=0
KSFT_FAIL=1
KSFT_SKIP=4

SIM_KO=$PVP_ROOT/host-module/pvpanic_sim.ko
# PVP_DRV_KO: test another build of the driver (to check that the tests
# catch deliberately broken builds).
DRV_KO=${PVP_DRV_KO:-$PVP_ROOT/guest-driver/pvpanic_acpi.ko}
MONITOR=$PVP_ROOT/tools/pvpanic-monitor/pvpanic-monitor
SIM_DBG=/sys/kernel/debug/pvpanic_sim
DRV_DBG=/sys/kernel/debug/pvpanic_acpi
DRV=/sys/bus/platform/drivers/pvpanic_acpi
DEV0=QEMU0001:00
DEV1=QEMU0001:01

# What fails a run in the kernel log: the same ERE as scripts/vm/run-vm.py.
SPLAT_RE=$(<"$PVP_ROOT/scripts/vm/splat.re")

# PVP_TIMEOUT_SCALE: a debug kernel (make check-debug) is several times
# slower; every wait of the tests is multiplied by it.
SCALE=${PVP_TIMEOUT_SCALE:-1}

log() { echo "# $*"; }

# PVP_LONG=1 (make check-long, make check-all): the long budgets.
long_run() { [ "${PVP_LONG:-}" = 1 ]; }

skip() {
	echo "SKIP: $*"
	exit $KSFT_SKIP
}

die() {
	echo "FAIL: $*"
	exit $KSFT_FAIL
}

require_root() { [ "$(id -u)" = 0 ] || skip "needs root"; }

require_file() {
	local f

	for f in "$@"; do
		[ -e "$f" ] || skip "$f is not built"
	done
}

# Cleanups run at exit, last registered first; a test that loaded modules
# then fails if the kernel logged a splat meanwhile.
T=$(mktemp -d /tmp/pvp-test.XXXXXX)
PVP_T0=$EPOCHREALTIME
PVP_ON_EXIT=()
PVP_SPLAT_CHECK=0
on_exit() { PVP_ON_EXIT=("$*" "${PVP_ON_EXIT[@]}"); }

pvp_exit() {
	local rc=$? c bad

	# A background child killed before it exec'd may run the trap too.
	[ "$BASHPID" = $$ ] || exit $rc
	for c in "${PVP_ON_EXIT[@]}"; do
		eval "$c"
	done
	rm -rf "$T"
	awk -v a="$PVP_T0" -v b="$EPOCHREALTIME" 'BEGIN { printf "# %.1f s\n", b - a }'
	if [ $PVP_SPLAT_CHECK = 1 ]; then
		bad=$(dmesg | tail -n +"$((PVP_DMESG0 + 1))" | grep -E "$SPLAT_RE")
		if [ -n "$bad" ]; then
			echo "$bad" | sed 's/^/# kernel: /'
			[ $rc = 0 ] || [ $rc = 4 ] && rc=$KSFT_FAIL
		fi
	fi
	exit $rc
}
trap pvp_exit EXIT

# loop_until CMD...: retry for up to LOOP_TIMEOUT (default 5) seconds.
loop_until() {
	local i max=$((${LOOP_TIMEOUT:-5} * 20 * SCALE))

	for ((i = 0; i < max; i++)); do
		eval "$@" && return 0
		sleep 0.05
	done
	return 1
}

mod_loaded() { [ -d "/sys/module/$1" ]; }

# unload_mod NAME: remove a module, waiting for its refcount to drop.
unload_mod() {
	mod_loaded "$1" || return 0
	loop_until "rmmod $1 2>/dev/null" || die "cannot unload $1"
}

# dmesg_mark: remember where the kernel log is; dmesg_since: what came after.
dmesg_mark() { DMESG_START=$(dmesg | wc -l); }
dmesg_since() { dmesg | tail -n +"$((${DMESG_START:-0} + 1))"; }

dmesg_check() {
	local bad

	bad=$(dmesg_since | grep -E "$SPLAT_RE")
	[ -z "$bad" ] || die "kernel log shows: $bad"
}

# expect_eq WHAT GOT WANT: stop at the first difference.
expect_eq() {
	[ "$2" = "$3" ] || die "$1: got '$2', want '$3'"
}

# check WHAT GOT WANT: record one result and go on; finish exits with them.
CHECKS=0
CHECK_FAILS=0
check() {
	CHECKS=$((CHECKS + 1))
	if [ "$2" = "$3" ]; then
		echo "# ok: $1"
	else
		CHECK_FAILS=$((CHECK_FAILS + 1))
		echo "# FAIL: $1"
		echo "#   got:  $(echo "$2" | tr '\n' '|')"
		echo "#   want: $(echo "$3" | tr '\n' '|')"
	fi
}

finish() {
	echo "# $((CHECKS - CHECK_FAILS)) of $CHECKS checks passed"
	[ "$CHECK_FAILS" = 0 ] || exit $KSFT_FAIL
	exit $KSFT_PASS
}

# write_fails FILE VALUE: writing VALUE (one write) must fail with EINVAL.
write_fails() {
	local err

	if err=$( (printf '%s' "$2" >"$1") 2>&1); then
		die "writing '$2' to $1 succeeded"
	fi
	case $err in
	*"Invalid argument"*) ;;
	*) die "writing '$2' to $1: '$err', want EINVAL" ;;
	esac
}

### The model (pvpanic_sim) and its monitor

# In a guest, as root, with the model built and not loaded yet.
sim_setup() {
	require_root
	require_file "$SIM_KO" "$MONITOR"
	[ -d /sys/kernel/debug/block ] ||
		mount -t debugfs none /sys/kernel/debug 2>/dev/null
	mod_loaded pvpanic_sim && skip "pvpanic_sim is already loaded"
	PVP_DMESG0=$(dmesg | wc -l)
	PVP_SPLAT_CHECK=1
	on_exit "mon_stop; unload_mod pvpanic_acpi; unload_mod pvpanic_mmio; unload_mod pvpanic; unload_mod pvpanic_sim"
}

sim_load() {
	unload_mod pvpanic_sim
	insmod "$SIM_KO" "$@" || die "insmod pvpanic_sim $*"
}

# A monitor still listening ends by itself: the family goes with the model.
sim_unload() { unload_mod pvpanic_sim; }

# sim_variants TARGET...: "NAME DEVICES" for each SSDT variant of
# acpi/variants.txt aimed at one of the TARGETs (model, qemu, pci).
sim_variants() {
	local name devices target _

	while read -r name devices target _; do
		[[ -z $name || $name == "#"* ]] && continue
		[[ " $* " == *" $target "* ]] && echo "$name $devices"
	done <"$PVP_ROOT/acpi/variants.txt"
}

mon() { "$MONITOR" "$@"; }

# QMP event lines as pvpanic-monitor prints them, minus the timestamp.
EV_GP_PAUSE='{"event": "GUEST_PANICKED", "data": {"action": "pause"}}'
EV_GP_POWEROFF='{"event": "GUEST_PANICKED", "data": {"action": "poweroff"}}'
EV_GP_RUN='{"event": "GUEST_PANICKED", "data": {"action": "run"}}'
EV_GC='{"event": "GUEST_CRASHLOADED", "data": {"action": "run"}}'
EV_STOP='{"event": "STOP"}'
EV_RESUME='{"event": "RESUME"}'
EV_SHUTDOWN='{"event": "SHUTDOWN", "data": {"guest": true, "reason": "guest-panic"}}'
EV_RESET='{"event": "RESET", "data": {"guest": false, "reason": "host-qmp-system-reset"}}'
EV_PVSHUTDOWN='{"event": "GUEST_PVSHUTDOWN"}'
EV_SHUTDOWN_GUEST='{"event": "SHUTDOWN", "data": {"guest": true, "reason": "guest-shutdown"}}'

# The raw byte goes through \_SB.PEVT.WRPT (AML -> OEM region -> model).
wrpt() { echo "$1" >"$SIM_DBG/wrpt${2:-}"; }

# Parsed in bash: under TCG every exec costs tens of milliseconds.
status_of() {
	local o

	o=$(mon status) && [[ $o =~ ^\{\"status\":\ \"([a-z-]+)\" ]] &&
		echo "${BASH_REMATCH[1]}"
}

cfg_field() {
	local o

	o=$(mon config) && [[ $o =~ \"$1\":\ \"?([a-z0-9.-]*) ]] &&
		echo "${BASH_REMATCH[1]}"
}

# Wait until the model has handed every recorded event to netlink.
drain() {
	loop_until "[ \"\$(<$SIM_DBG/pending)\" = 0 ]" || die "events stay pending"
}

# mon_start [ARGS]: subscribe in the background (events --extra ARGS into
# $MON_OUT), once every earlier event is delivered; wait until subscribed.
# A --timeout is scaled like every wait.
MON_PID=
mon_start() {
	local a args=() scale=

	drain
	for a in "$@"; do
		[ -n "$scale" ] && a=$((a * SCALE))
		scale=
		[ "$a" = --timeout ] && scale=1
		args+=("$a")
	done
	MON_OUT=$T/events.$BASHPID.$RANDOM
	"$MONITOR" events --extra "${args[@]}" >"$MON_OUT" 2>"$MON_OUT.err" &
	MON_PID=$!
	loop_until "grep -q subscribed '$MON_OUT.err'" ||
		die "monitor did not subscribe: $(cat "$MON_OUT.err")"
}

# nap SECONDS: sleep without an exec (under TCG an exec of sleep costs
# tens of milliseconds): a read that times out on a pipe no one writes.
exec {PVP_NAP_FD}<> <(:)
nap() { read -rt "$1" -u "$PVP_NAP_FD" _ || :; }

# stop_pid PID: kill a background child and reap it; once it returns,
# nothing of the child runs. The signal is sent again until the child is
# gone: bash loses one that reaches an async child between its fork and
# its exec while this shell traps EXIT (the inherited handler takes it,
# the exec drops it: about 1 kill in 300 in a guest, and a stress run then
# waited for its trigger writer for ever); SIGKILL after 5 s.
stop_pid() {
	local i st

	[ -n "$1" ] || return 0
	for ((i = 0; i < 500; i++)); do
		if ((i % 10 == 0)); then
			kill "$1" 2>/dev/null || break
		fi
		read -r _ _ st _ 2>/dev/null <"/proc/$1/stat" || break
		[ "$st" = Z ] && break
		nap 0.01
	done
	((i < 500)) || kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}

mon_stop() {
	stop_pid "$MON_PID"
	MON_PID=
}

# mon_wait: let the monitor end by itself; its exit status into MON_RC.
mon_wait() {
	wait "$MON_PID"
	MON_RC=$?
	MON_PID=
}

# mon_events [A B]: the events received (those numbered A < seq <= B), as
# QMP lines without the timestamp and extras.
mon_events() {
	local l n

	while IFS= read -r l; do
		if [ $# = 2 ]; then
			[[ $l =~ \"seq\":\ ([0-9]+) ]] || continue
			n=${BASH_REMATCH[1]}
			((n > $1 && n <= $2)) || continue
		fi
		[[ $l =~ ^(.*)\"timestamp\":\ \{[^}]*\},\ (.*)$ ]] &&
			l=${BASH_REMATCH[1]}${BASH_REMATCH[2]}
		[[ $l =~ ^(.*),\ \"pvpanic\":\ \{[^}]*\}\}$ ]] && l="${BASH_REMATCH[1]}}"
		echo "$l"
	done <"$MON_OUT"
}

# mon_seen SEQ: the subscription has received event number SEQ.
mon_seen() {
	local l

	while IFS= read -r l; do
		[[ $l == *"\"seq\": $1,"* ]] && return 0
	done <"$MON_OUT"
	return 1
}

# ev_words SEQ: the events numbered after SEQ, as words
# EVENT[:action][@device].
ev_words() {
	local line w out=() ev

	mapfile -t ev <"$MON_OUT"
	for line in "${ev[@]}"; do
		[[ $line =~ \"seq\":\ ([0-9]+) ]] || continue
		((BASH_REMATCH[1] > $1)) || continue
		[[ $line =~ \"event\":\ \"([A-Z_]+)\" ]] || continue
		w=${BASH_REMATCH[1]}
		[[ $line =~ \"action\":\ \"([a-z-]+)\" ]] && w+=":${BASH_REMATCH[1]}"
		[[ $line =~ \"device\":\ ([0-9]+) ]] && w+="@${BASH_REMATCH[1]}"
		out+=("$w")
	done
	echo "${out[*]}"
}

# expect_after WANT CMD...: run CMD, then the events it made must be
# exactly WANT (space separated words, "" for none). The model numbers
# every event as it records it: those CMD recorded are the numbers it
# added; once the monitor has the last of them (up to 10 s: a stalled vCPU
# under TCG can take seconds), every event it has numbered after the ones
# before CMD must be one of them.
expect_after() {
	local want=$1 s0 s1 got cmd

	shift
	cmd="$*"
	s0=$(<"$SIM_DBG/seq")
	"$@"
	s1=$(<"$SIM_DBG/seq")
	if ((s1 > s0)); then
		LOOP_TIMEOUT=10 loop_until "mon_seen $s1" ||
			die "after '$cmd': event $s1 did not reach the monitor"
	fi
	got=$(ev_words "$s0")
	[ "$got" = "$want" ] || die "after '$cmd': events '$got', want '$want'"
}

### The driver (pvpanic_acpi) against the model, in a guest

drv_setup() {
	sim_setup
	require_file "$DRV_KO"
	mod_loaded pvpanic_acpi && skip "pvpanic_acpi is already loaded"
}

drv_load() { insmod "$DRV_KO" "$@" || die "insmod pvpanic_acpi $*"; }

# The model with a monitor subscribed to it.
model_up() {
	sim_load "$@"
	mon_start --timeout 3600000
}

# reload SIM_ARGS -- DRV_ARGS: both modules again.
reload() {
	local sim=()

	while [ $# -gt 0 ] && [ "$1" != -- ]; do sim+=("$1"); shift; done
	[ "${1:-}" = -- ] && shift
	unload_mod pvpanic_acpi
	mon_stop
	sim_unload
	model_up "${sim[@]}"
	drv_load "$@"
}

bound() { [ -e "$DRV/$1" ]; }
# Reads without exec: every fork+exec costs a lot under TCG over 9p.
sysfs() { echo "$(<"/sys/bus/platform/devices/$1/$2")"; }

# The first line of debugfs <dev>/path: what the panic path writes.
path_of() {
	local l

	read -r l <"$DRV_DBG/$1/path"
	echo "$l"
}

trigger() { echo panic >"$DRV_DBG/trigger"; }
trigger_shutdown() { echo shutdown >"$DRV_DBG/trigger"; }

# The model's OEM space is reached only by live WRPT: tests that need the
# model to see the panic path's events bind with policy=acpi.
LIVE=policy=acpi
PORT_LIVE="live + port 0x538"

# crash_kernel_load: load a crash kernel with kexec_file_load, or return 1.
crash_kernel_load() {
	local size

	[ -r /sys/kernel/kexec_crash_size ] && size=$(</sys/kernel/kexec_crash_size)
	[ -n "$size" ] && [ "$size" -gt 0 ] || return 1
	command -v kexec >/dev/null || return 1
	kexec -p -s "/boot/vmlinuz-$(uname -r)" \
		--append="console=ttyS0 irqpoll nr_cpus=1 reset_devices" \
		>/dev/null 2>&1 || return 1
	[ "$(</sys/kernel/kexec_crash_loaded)" = 1 ]
}

crash_kernel_unload() { kexec -p -u >/dev/null 2>&1; }

### Guests booted from the host (selftests/qemu)

RUNVM=$PVP_ROOT/scripts/vm/run-vm.py

# PVP_QEMU: 7.2 (Debian 12's, the default) or 10 (Debian 13's, with bit 2
# and the events property at 7 by default).
qemu10() { case ${PVP_QEMU:-} in 10 | 10.0) return 0 ;; esac; return 1; }
QEMU_CAP=3
qemu10 && QEMU_CAP=7

vm_setup() {
	: "${KVER:=$("$PVP_ROOT/scripts/kver.sh")}"
	export KVER
	require_file "$RUNVM" "$DRV_KO"
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

# vm_ok NAME [run-vm options...] -- 'commands ending in "echo done"': vm,
# and the guest must have run them all.
vm_ok() {
	local name=$1

	vm "$@" || { vm_output "$name"; die "$name: guest run failed"; }
	vm_output "$name" | grep -q '^done$' ||
		{ vm_output "$name"; die "$name: guest command did not finish"; }
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
