#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Lifecycle stress on 2 vCPUs: cycles of bind/unbind, driver reload, model
# reload under a bound driver, and reloads in both orders, while the other
# CPU keeps firing the panic path through the debugfs trigger and a monitor
# stays subscribed (resubscribing after each model unload). Then: no splat
# (the runner checks the log), no module left, no memory left behind (slab
# compared with a warmed-up baseline), and every event accounted for: the
# monitor saw events, no gap in their sequence that the model did not count
# as lost, and no monitor left listening after the last unload.
# PVP_STRESS_CYCLES sets the count: 5 by default (make check), 1000 in
# make check-long.
. "$(dirname "$0")/../lib.sh"
drv_setup
[ "$(nproc)" -ge 2 ] || skip "needs 2 CPUs"

cycles=${PVP_STRESS_CYCLES:-5}
TRIG=$DRV_DBG/trigger
tmp=$T
pids=() writer=

# The trigger writer: CPU 1 fires the panic path as fast as it can,
# whenever the file is there.
writer_start() {
	taskset -c 1 bash -c "while :; do { echo 1 > $TRIG; } 2>/dev/null; done" &
	writer=$!
}

# Once it has exited, no open of the trigger is under way.
writer_stop() {
	stop_pid "$writer"
	writer=
}

# Stop the background load (the trigger writer and the monitor loop).
kill_load() {
	local p

	writer_stop
	for p in "${pids[@]}"; do stop_pid "$p"; done
	pids=()
}

on_exit kill_load

# The action none keeps the model running whatever the trigger sends.
n_sim=0 n_drv=0 n_bind=0
sim_in() {
	mod_in "$SIM_KO" panic_action=none || die "insmod pvpanic_sim (cycle $i)"
	n_sim=$((n_sim + 1))
}
# policy=acpi: the trigger evaluates WRPT live (in process context, under
# the driver's list lock) while the model's table is loaded and unloaded
# and devices come and go; every event then reaches the model and the
# monitor (the default policy writes the _CRS port, which nothing serves).
drv_in() {
	mod_in "$DRV_KO" policy=acpi || die "insmod pvpanic_acpi (cycle $i)"
	n_drv=$((n_drv + 1))
}
sim_out() { loop_until "mod_out pvpanic_sim 2>/dev/null" || die "rmmod pvpanic_sim (cycle $i)"; }
# The trigger writer stops while the driver is removed. Opening a debugfs
# file races with delete_module in the kernel itself (6.1 and 6.12 alike):
# try_stop_module drops the module's refcount to zero a moment before it
# marks the module GOING, and a debugfs open landing in between fails its
# fops_get and takes the module for one that left its files behind:
# "WARNING ... full_proxy_open: debugfs file owner did not clean up at
# exit". It is the kernel's race, not the
# driver's, and every module with debugfs files has it; the stop keeps the
# test about ours. Writes still run through every other step of a cycle.
drv_out() {
	writer_stop
	loop_until "mod_out pvpanic_acpi 2>/dev/null" || die "rmmod pvpanic_acpi (cycle $i)"
	writer_start
}
# The first device bound (ls | head | basename, without the three execs).
dev() {
	local d

	for d in "$DRV"/QEMU0001:*; do
		[ -e "$d" ] && echo "${d##*/}"
		return
	done
}

# What our modules and ACPICA allocate from: the kmalloc caches and
# ACPICA's own (Acpi-*). Process caches (task_struct, filp, 9p inodes) move
# with the test's own shell work and say nothing about the modules.
# Per cache: active objects, objects per slab, object size.
slab_snapshot() {
	sleep 1	# let RCU free what exited processes left
	sync; echo 3 > /proc/sys/vm/drop_caches
	# Flush the CPU slabs to the node lists, where free objects count as
	# free (SLUB counts every object of a CPU slab as active).
	for f in /sys/kernel/slab/kmalloc-*/shrink /sys/kernel/slab/Acpi-*/shrink; do
		[ -w "$f" ] && echo 1 >"$f"
	done
	awk 'NR > 2 && ($1 ~ /^kmalloc-/ || $1 ~ /^Acpi-/) { print $1, $2, $5, $4 }' \
		/proc/slabinfo | sort >"$1"
}

# The trigger writer; and a monitor, resubscribing whenever the model
# comes back (it ends when the model is unloaded). Per session: events
# received, and events the model counted lost (the "lost" of the last one).
# While the model is not loaded at all the loop naps (a read that times
# out, no exec) instead of starting monitors that cannot subscribe, which
# would take a CPU from the cycles. A load under
# way (the module's directory comes before its init) still sees a monitor
# race the family's registration.
load_start() {
	writer_start
	bash -c "exec 3<> <(:)
		while :; do
		until [ -d /sys/module/pvpanic_sim ]; do read -rt 0.01 -u 3 _; done
		$MONITOR events --extra 2>>$tmp/mon.err |
		sed -n 's/.*\"lost\": \([0-9]*\).*/\1/p' |
		awk '{ n++; l = \$1 } END { if (n) print n, l }' >>$tmp/mon.count
		read -rt 0.01 -u 3 _; done" &
	pids+=($!)
}

# mon_running: a pvpanic-monitor process exists (pgrep -x without the
# exec; comm holds the first 15 characters, as pgrep reads it).
mon_running() {
	local f c

	for f in /proc/[0-9]*/comm; do
		read -r c 2>/dev/null <"$f" || continue
		[ "$c" = pvpanic-monitor ] && return 0
	done
	return 1
}

load_stop() {
	kill_load
	# Every cycle ends with the model unloaded: a monitor still running
	# missed that (a deaf listener: one that missed the controller's
	# notice). Else let its pipe flush.
	if ! loop_until "! mon_running"; then
		pkill -x pvpanic-monitor
		die "a monitor still listens with no model loaded: it missed an unload"
	fi
	nap 0.2
}

one_cycle() {
	case $((i % 4)) in
	0)	# unbind/bind the device through sysfs, four times: as many
		# as cycles in all
		sim_in; drv_in
		d=$(dev)
		[ -n "$d" ] || die "cycle $i: driver not bound"
		for _ in 1 2 3 4; do
			echo "$d" > $DRV/unbind || die "cycle $i: unbind"
			echo "$d" > $DRV/bind || die "cycle $i: bind"
			n_bind=$((n_bind + 1))
		done
		drv_out; sim_out ;;
	1)	# the model goes first, under a bound driver
		sim_in; drv_in; sim_out; drv_out ;;
	2)	# the driver comes first and waits for the device
		drv_in; sim_in; sim_out; drv_out ;;
	3)	# driver reloads while the model stays
		sim_in; drv_in; drv_out; drv_in; drv_out; sim_out ;;
	esac
}

# A warm-up of each kind of cycle under the same load, so that caches,
# slab pages and ACPICA's kept table copy are in place before the baseline
# (both snapshots are then taken in the same state: load stopped, nothing
# loaded).
load_start
for ((i = 1; i <= 4; i++)); do one_cycle; done
load_stop
rm -f "$tmp/mon.err" "$tmp/mon.count"
slab_snapshot "$tmp/slab0"

load_start
n_sim=0 n_drv=0 n_bind=0
for ((i = 1; i <= cycles; i++)); do one_cycle; done
load_stop
log "$cycles cycles: $n_sim model loads and unloads, $n_drv driver loads and unloads, $n_bind sysfs unbind/bind"

mod_loaded pvpanic_sim && die "pvpanic_sim still loaded"
mod_loaded pvpanic_acpi && die "pvpanic_acpi still loaded"
ls /sys/bus/platform/devices/ | grep -q QEMU0001 && die "a QEMU0001 device is left"
# A leak of one object a cycle adds $cycles objects to one cache. The
# shrink leaves a cache moving by a few objects for no leak at all
# (without it, whole slabs). A cache fails
# when it grew by half a leak's worth of objects and by more than two slabs
# per CPU; make check's few cycles catch only gross leaks, the 1000-cycle run
# (PVP_STRESS_CYCLES=1000) and kmemleak (make check-debug) the rest.
# slab_leaks: per cache, from slab0 to slab1, bytes, objects and limit
# (biggest first, in slabdiff); the caches over their limit in $leak.
slab_leaks() {
	join "$tmp/slab0" "$tmp/slab1" | awk -v c="$cycles" -v n="$(nproc)" '{
		d = $5 - $2; lim = c / 2; if (lim < 2 * n * $3) lim = 2 * n * $3
		print d * $4, d, lim, $1 }' | sort -rn >"$tmp/slabdiff"
	leak=$(awk '$2 >= $3 { printf "%s%s +%d objects", s, $4, $2; s = ", " }' \
		"$tmp/slabdiff")
}
slab_snapshot "$tmp/slab1"
slab_leaks
# Over the limit: read again, twice at most, keeping each cache's lowest
# count. What lands between the shrink and the read (a CPU slab refilled,
# kworker allocations) is gone in another reading; a leak is not.
for reread in 1 2; do
	[ -n "$leak" ] || break
	log "slab reading $reread over the limit ($leak): reading again"
	slab_snapshot "$tmp/slab2"
	join "$tmp/slab1" "$tmp/slab2" |
		awk '{ print $1, ($2 < $5 ? $2 : $5), $3, $4 }' >"$tmp/slabmin"
	mv "$tmp/slabmin" "$tmp/slab1"
	slab_leaks
done
grew=$(awk '{ b += $1 } END { print b + 0 }' "$tmp/slabdiff")
log "$cycles cycles; active kmalloc and Acpi objects changed by $grew bytes:"
awk '$2 != 0 { printf "#   %d bytes, %d objects (limit %d) %s\n", $1, $2, $3, $4 }' \
	"$tmp/slabdiff" | head -n 6

read -r sessions received lost < <(awk '{ s++; n += $1; l += $2 }
	END { print s + 0, n + 0, l + 0 }' "$tmp/mon.count" 2>/dev/null)
unloads=$(grep -c 'was unloaded' "$tmp/mon.err" 2>/dev/null)
log "monitor: $received events in $sessions sessions ($unloads ended by an unload), $lost counted lost by the model"
grep 'dropped by this socket\|recv:' "$tmp/mon.err" | head -n 3 | sed 's/^/#   /'
grep -q 'dropped by this socket\|recv:' "$tmp/mon.err" &&
	die "events went missing between the model and the monitor"
[ "$received" -gt 0 ] || die "the monitor received no event"
[ "${unloads:-0}" -gt 0 ] || die "no monitor session saw the model unloaded"
[ -z "$leak" ] || die "slab grew over $cycles cycles: $leak"
echo "ok"
