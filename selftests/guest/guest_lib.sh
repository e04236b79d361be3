# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash disable=SC2034
# Helpers for the in-guest tests of pvpanic_acpi against the pvpanic_sim
# model.  Source it: . "$(dirname "$0")/guest_lib.sh"

: "${PVP_ROOT:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
. "$PVP_ROOT/selftests/lib.sh"
# PVP_DRV_KO: test another build of the driver (used to check that the tests
# catch deliberately broken builds).
DRV_KO=${PVP_DRV_KO:-$DRV_KO}

DBG=/sys/kernel/debug/pvpanic_acpi
DRV=/sys/bus/platform/drivers/pvpanic_acpi
DEV0=QEMU0001:00
DEV1=QEMU0001:01

require_root
require_file "$SIM_KO" "$DRV_KO" "$MONITOR"
[ -d /sys/kernel/debug/tracing ] || [ -d /sys/kernel/debug ] || skip "no debugfs"
mod_loaded pvpanic_sim && skip "pvpanic_sim is already loaded"
mod_loaded pvpanic_acpi && skip "pvpanic_acpi is already loaded"

G_TMP=$(mktemp -d /tmp/pvp-guest.XXXXXX)
MON_PID=

cleanup() {
	monitor_stop
	unload_mod pvpanic_acpi
	unload_mod pvpanic_mmio
	unload_mod pvpanic
	unload_mod pvpanic_sim
	rm -rf "$G_TMP"
}
trap cleanup EXIT

# The netlink family lives as long as the model: the event monitor is
# started with it and stopped before it goes.
sim_load() {
	insmod "$SIM_KO" "$@" || die "insmod pvpanic_sim $*"
	monitor_start
}

sim_unload() {
	monitor_stop
	unload_mod pvpanic_sim
}

drv_load() { insmod "$DRV_KO" "$@" || die "insmod pvpanic_acpi $*"; }
reload() {
	# reload SIM_ARGS -- DRV_ARGS
	local sim=() drv=()

	while [ $# -gt 0 ] && [ "$1" != -- ]; do sim+=("$1"); shift; done
	[ "$1" = -- ] && shift
	drv=("$@")
	unload_mod pvpanic_acpi
	sim_unload
	sim_load "${sim[@]}"
	drv_load "${drv[@]}"
}

bound() { [ -e "$DRV/$1" ]; }
# Reads without exec: every fork+exec costs a lot under TCG over 9p.
sysfs() { echo "$(<"/sys/bus/platform/devices/$1/$2")"; }
# The first line of debugfs <dev>/path: what the panic path writes.
path_of() {
	local l

	read -r l <"$DBG/$1/path"
	echo "$l"
}

# Events from the model, one per line, as "EVENT:action@device".
monitor_start() {
	: >"$G_TMP/ev"
	"$MONITOR" events --extra --timeout 3600000 >"$G_TMP/ev" 2>"$G_TMP/ev.err" &
	MON_PID=$!
	loop_until "grep -q subscribed $G_TMP/ev.err" || die "monitor did not subscribe"
}

monitor_stop() {
	[ -n "$MON_PID" ] || return 0
	kill "$MON_PID" 2>/dev/null
	wait "$MON_PID" 2>/dev/null
	MON_PID=
}

# ev_read: the monitor's lines so far into EV[], their number into EVN.
ev_read() {
	mapfile -t EV <"$G_TMP/ev"
	EVN=${#EV[@]}
}

# ev_since N: the events after the first N, as words EVENT[:action][@device].
ev_since() {
	local line w out=()

	ev_read
	for line in "${EV[@]:$1}"; do
		[[ $line =~ \"event\":\ \"([A-Z_]+)\" ]] || continue
		w=${BASH_REMATCH[1]}
		[[ $line =~ \"action\":\ \"([a-z-]+)\" ]] && w+=":${BASH_REMATCH[1]}"
		[[ $line =~ \"device\":\ ([0-9]+) ]] && w+="@${BASH_REMATCH[1]}"
		out+=("$w")
	done
	echo "${out[*]}"
}

# expect_after WANT CMD...: run CMD, then the new events must be exactly WANT
# (space separated words, "" for none).  Waits up to 10 s for the expected
# number (a stalled vCPU under TCG can take seconds), then 0.2 s more so
# that an extra event would be seen.
expect_after() {
	local want=$1 n0 nwant got cmd

	shift
	cmd="$*"
	ev_read
	n0=$EVN
	"$@"
	set -- $want
	nwant=$#
	LOOP_TIMEOUT=10 loop_until "ev_read; [ \$EVN -ge $((n0 + nwant)) ]"
	sleep 0.2
	got=$(ev_since "$n0")
	[ "$got" = "$want" ] || die "after '$cmd': events '$got', want '$want'"
}

trigger() { echo panic >"$DBG/trigger"; }
trigger_shutdown() { echo shutdown >"$DBG/trigger"; }

# The model's OEM space is reached only by live WRPT: tests that need the
# model to see the panic path's events bind with policy=acpi.
LIVE=policy=acpi
PORT_LIVE="live + port 0x538"

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
