# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash disable=SC2034
# The tests' helpers for a guest: modules and the kernel log, the model
# (pvpanic_sim) and its monitor, the driver (pvpanic_acpi) against it,
# crash kernels.  Sourced by lib.sh, whose common helpers they use; a
# guest command of a host test sources lib.sh too.

mod_loaded() { [ -d "/sys/module/$1" ]; }

# mod_in KO [PARAMS], mod_out NAME: loads and unloads that must succeed,
# through busybox's static insmod and rmmod (busybox-static is in
# scripts/packages.txt), which start faster than kmod's (libcrypto,
# liblzma and libzstd linked in). A load whose refusal
# a test checks keeps kmod's insmod, its exit status and its messages
# (busybox retries a refused finit_module with init_module).
PVP_BB=
[ -x /bin/busybox ] && PVP_BB=/bin/busybox
mod_in() { $PVP_BB insmod "$@"; }
mod_out() { $PVP_BB rmmod "$@"; }

# unload_mod NAME: remove a module, waiting for its refcount to drop.
unload_mod() {
	mod_loaded "$1" || return 0
	loop_until "mod_out $1 2>/dev/null" || die "cannot unload $1"
}

# dmesg_read [SKIP]: the kernel log, its first SKIP lines left out, into
# the array DMESG; one exec. Through a file: bash's mapfile reads a pipe
# one byte per read(2).
dmesg_read() {
	local f=$T/dmesg.$BASHPID	# here: a redirection expands in the child

	dmesg >"$f" || return
	mapfile -t -s "${1:-0}" DMESG <"$f"
}

# dmesg_mark: remember where the kernel log is; dmesg_since: what came after.
dmesg_mark() {
	dmesg_read
	DMESG_START=${#DMESG[@]}
}
dmesg_since() {
	dmesg_read "${DMESG_START:-0}"
	((${#DMESG[@]} == 0)) || printf '%s\n' "${DMESG[@]}"
}

# dmesg_has A [B]: a line of DMESG (dmesg_read, dmesg_since) holds the
# text A and, after it, the text B: grep -q 'A.*B' on fixed strings,
# without the exec.
dmesg_has() {
	local l

	for l in "${DMESG[@]}"; do
		[[ $l == *"$1"*"${2:-}"* ]] && return 0
	done
	return 1
}

dmesg_check() {
	local bad

	bad=$(dmesg_since | grep -E "$SPLAT_RE")
	[ -z "$bad" ] || die "kernel log shows: $bad"
}

# expect_file FILE WANT: the first line of FILE is WANT, or the test fails.
expect_file() {
	local l

	read -r l <"$1"
	expect_eq "$1" "$l" "$2"
}

# write_fails FILE VALUE [ERROR]: writing VALUE (one write) must fail with
# ERROR (strerror's text; default EINVAL's).
write_fails() {
	local err want=${3:-Invalid argument}

	if err=$( (printf '%s' "$2" >"$1") 2>&1); then
		die "writing '$2' to $1 succeeded"
	fi
	case $err in
	*"$want"*) ;;
	*) die "writing '$2' to $1: '$err', want '$want'" ;;
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
	dmesg_read
	PVP_DMESG0=${#DMESG[@]}
	PVP_SPLAT_CHECK=1
	on_exit "mon_stop; unload_mod pvpanic_acpi; unload_mod pvpanic_mmio; unload_mod pvpanic; unload_mod pvpanic_sim"
}

sim_load() {
	unload_mod pvpanic_sim
	mod_in "$SIM_KO" "$@" || die "insmod pvpanic_sim $*"
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

# acpi_eval DEV METHOD [ARG]: evaluate a method of a platform device's ACPI
# node from the test module (loaded), outside every pvpanic driver; prints
# the status and the value ("AE_OK 0x3").
acpi_eval() {
	local p

	read -r p <"/sys/bus/platform/devices/$1/firmware_node/path"
	echo "$p.$2${3:+ $3}" >"$SIM_DBG/eval" && echo "$(<"$SIM_DBG/eval")"
}

# status_of: the run state, as query-status names it.
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
	loop_until "file_has '$MON_OUT.err' subscribed" ||
		die "monitor did not subscribe: $(cat "$MON_OUT.err")"
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
	read -r s0 <"$SIM_DBG/seq"
	"$@"
	read -r s1 <"$SIM_DBG/seq"
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

drv_load() { mod_in "$DRV_KO" "$@" || die "insmod pvpanic_acpi $*"; }

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
# sysfs DEV ATTR: an attribute of a platform device.
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
