#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Bit 2, SHUTDOWN (QEMU 9.1+, Linux 6.10+), against both QEMUs whatever
# PVP_QEMU says.  QEMU 10.0 offers it (capability 7): the driver's
# power-off handler of last resort, run through the debugfs trigger with
# interrupts off, makes QEMU emit GUEST_PVSHUTDOWN and a guest shutdown,
# through the replayed port write; cleared from events, it sends nothing.
# A real poweroff (the harness ends each guest with sysrq o; ACPI S5
# works) gives only QEMU's own SHUTDOWN: the handler of last resort never
# runs, as with upstream pvpanic-mmio, which runs beside ours for
# comparison (Linux 6.10+ only: 6.1's does not know bit 2).  Without S5
# the kernel's power-off chain reaches the handler, which tells every
# device and waits up to 2 s for the host (wait72: a host that never
# acts).  QEMU 7.2 offers no bit 2 (capability 3): nothing is sent.
# The handler is registered only while some device has bit 2 in
# capability & events, as upstream's: where nothing can power the machine
# off (no \_S5, or acpi=off) a poweroff from PID 1 then halts, as with
# upstream pvpanic-mmio, instead of returning to a PID 1 that exits and
# panics; QEMU 10 with events cleared to 3 halts too.
. "$(dirname "$0")/../lib.sh"
vm_setup

# halt NAME QEMU 'guest commands' [run-vm options]: -device pvpanic; after
# the commands PID 1 asks for a power-off (reboot(2)), and the guest must
# halt: "System halted" on the console, no panic, no QMP event.
halt() {
	local name=$1 qemu=$2 cmd=$3

	shift 3
	PVP_QEMU=$qemu VM_TIMEOUT=120 vm "$name" --end poweroff \
		--qemu-arg=-device --qemu-arg=pvpanic "$@" -- "set -e
		d=/sys/bus/platform/devices/QEMU0001:00
		$cmd" || vm_die "$name" "run-vm failed (a panic instead of a halt?)"
	grep -Eq "reboot: (Power off not available: )?System halted" "$T/$name.console" ||
		vm_die "$name" "the guest did not halt"
	expect_events "$name" ""
}

# boot NAME QEMU 'guest commands' [run-vm options]: -device pvpanic,
# default action.
boot() {
	local name=$1 qemu=$2 cmd=$3

	shift 3
	PVP_QEMU=$qemu VM_TIMEOUT=120 vm "$name" --allow-panic \
		--qemu-arg=-device --qemu-arg=pvpanic "$@" -- "set -e
		d=/sys/bus/platform/devices/QEMU0001:00
		$cmd" || die "$name: run-vm failed"
}

# The handler path: one SHUTDOWN write, then QEMU 10.0 shuts the guest down.
boot trigger10 10 "$(load_drv_cmd)
	[ \$(cat \$d/capability) = 7 ] || exit 1
	[ \$(cat \$d/events) = 7 ] || exit 1
	head -n1 $DRV_DBG/QEMU0001:00/path
	echo shutdown > $DRV_DBG/trigger
	sleep 5"
expect_events trigger10 "GUEST_PVSHUTDOWN SHUTDOWN:guest-shutdown"

# Cleared from events: the trigger sends nothing and the guest powers off
# on its own (S5).  Long budgets only.
long_run && boot masked10 10 "$(load_drv_cmd)
	echo 3 > \$d/events
	echo shutdown > $DRV_DBG/trigger
	sleep 1"
long_run && expect_events masked10 "SHUTDOWN:guest-shutdown"

# A real poweroff: ACPI S5 powers the machine off before the handler of
# last resort, ours as upstream's.  This guest has chain10's devices
# (below): it also hands over QEMU's DSDT, for chain10's table without S5.
dbg=(--qemu-arg=-chardev --qemu-arg="file,id=dbg,path=$T/debugcon"
     --qemu-arg=-device --qemu-arg=isa-debugcon,iobase=0x5a8,readback=7,chardev=dbg)
boot poweroff10 10 "cp /sys/firmware/acpi/tables/DSDT \$PVP_OUT/dsdt
	$(load_drv_cmd)" "${dbg[@]}"
expect_events poweroff10 "SHUTDOWN:guest-shutdown"
if modinfo -k "$KVER" pvpanic-mmio 2>/dev/null | grep -q .; then
	boot upstream10 10 "modprobe pvpanic-mmio
		echo upstream capability \$(cat \$d/capability)"
	log "upstream pvpanic-mmio, $KVER, capability $(vm_output upstream10 |
		sed -n 's/^upstream capability //p'): $(qmp_events upstream10)"
	expect_events upstream10 "SHUTDOWN:guest-shutdown"
fi

# The kernel's real power-off chain, in a guest no firmware method powers
# off: QEMU's DSDT with its \_S5 renamed, through the initrd's table
# upgrade.  Two devices offer bit 2: a bare QEMU0001 whose _CRS port is
# QEMU's isa-debugcon (pvpanic_sim's io_bare_5a8; the port reads back 7 and
# records every byte written), then QEMU's pvpanic, moved to the end of the
# driver's list by a rebind.  The one handler of last resort writes both:
# 0x04 on the debug port, then GUEST_PVSHUTDOWN and QEMU's shutdown.  (Two
# pvpanic devices would race: QEMU may stop the guest after the first.)
# (QEMU's DSDT, as poweroff10 above copied it with the same devices.)
"$PVP_ROOT/selftests/qemu/dsdt_no_s5.py" "$T/poweroff10.out/dsdt" "$T/dsdt-no-s5.aml" ||
	die "cannot take \\_S5 out of QEMU's DSDT"
rm -f "$T/debugcon"
boot chain10 10 "dmesg | grep -q 'ACPI: PM: (supports S0 S3 S4)' || exit 1
	$(load_drv_cmd)
	insmod host-module/pvpanic_sim.ko variant=io_bare_5a8
	echo QEMU0001:00 > /sys/bus/platform/drivers/pvpanic_acpi/unbind
	echo QEMU0001:00 > /sys/bus/platform/drivers/pvpanic_acpi/bind
	for e in 3 7; do
		for n in 00 01; do
			echo \$e > /sys/bus/platform/devices/QEMU0001:\$n/events
		done
	done
	for n in 00 01; do
		[ \$(cat /sys/bus/platform/devices/QEMU0001:\$n/events) = 7 ] || exit 1
	done
	echo two devices with bit 2, no S5" \
	"${dbg[@]}" --acpi-table "$T/dsdt-no-s5.aml" --end poweroff
grep -q "two devices with bit 2, no S5" <(vm_output chain10) ||
	vm_die chain10 "the guest did not boot without S5 with both devices"
expect_events chain10 "GUEST_PVSHUTDOWN SHUTDOWN:guest-shutdown"
got=$(od -An -tx1 "$T/debugcon" | tr -d ' \n')
[ "$got" = 04 ] || die "chain10: the debug port got '$got', want one SHUTDOWN byte (04)"
# QEMU acts on SHUTDOWN from its main loop while the vCPU runs on: it
# powered off within the handler's wait (else the kernel's "power-off
# failed" path follows: a WARN in do_exit, PID 1's panic).
! grep -q "pvpanic_acpi: the host did not power off" "$T/chain10.console" ||
	vm_die chain10 "the host did not power off within the handler's wait"

# Bit 2 cleared from events (set again, and cleared again): no handler,
# so the same poweroff halts, and nothing reaches QEMU or the debug port.
rm -f "$T/debugcon"
halt halt-masked10 10 "$(load_drv_cmd)
	[ \$(cat \$d/capability) = 7 ]
	echo 3 > \$d/events; echo 7 > \$d/events; echo 3 > \$d/events" \
	"${dbg[@]}" --acpi-table "$T/dsdt-no-s5.aml"
[ ! -s "$T/debugcon" ] || die "halt-masked10: the debug port got a byte"

# QEMU 7.2: no bit 2 in the capability; the trigger sends nothing.  (No
# wait after it: a port write's event comes before the write returns, and
# the QMP log is read until QEMU exits.)  This guest also hands over
# QEMU 7.2's DSDT, for a table without \_S5.
boot trigger72 7.2 "cp /sys/firmware/acpi/tables/DSDT \$PVP_OUT/dsdt
	$(load_drv_cmd)
	[ \$(cat \$d/capability) = 3 ] || exit 1
	echo shutdown > $DRV_DBG/trigger"
expect_events trigger72 "SHUTDOWN:guest-shutdown"

# Nothing can power the machine off: no \_S5 (QEMU 7.2, capability 3), or
# acpi=off (no QEMU0001 at all, the module loaded as every initrd loads
# it): the poweroff halts with our driver as with upstream's.
"$PVP_ROOT/selftests/qemu/dsdt_no_s5.py" "$T/trigger72.out/dsdt" "$T/dsdt72-no-s5.aml" ||
	die "cannot take \\_S5 out of QEMU 7.2's DSDT"
halt halt72 7.2 "dmesg | grep -q 'ACPI: PM: (supports S0 S3 S4)'
	$(load_drv_cmd)
	[ \$(cat \$d/capability) = 3 ]" --acpi-table "$T/dsdt72-no-s5.aml"
halt halt72-upstream 7.2 "modprobe pvpanic-mmio
	[ -e /sys/bus/platform/drivers/pvpanic-mmio/QEMU0001:00 ]" \
	--acpi-table "$T/dsdt72-no-s5.aml"
halt acpi-off 7.2 "[ ! -e \$d ]
	$(load_drv_cmd)" --append acpi=off

# A host that does not act on SHUTDOWN: without \_S5, QEMU 7.2's pvpanic
# (no bit 2) beside the bare QEMU0001 on the debug port, which records
# bytes and powers nothing off.  The handler writes 0x04 there, waits its
# bounded 2 s, says so and returns; the kernel's own "power-off failed"
# path follows, as with any handler that returns: a WARN in do_exit
# (allowed here, and checked to come after the wait), then PID 1 exits and
# panics, which the panic notifier reports (QEMU 7.2's device first:
# QEMU may stop the guest before the debug port's turn).  One vCPU: with
# two, TCG's TSCs disagree and the printk clock stands still while
# interrupts are off.
# The WARN: "WARNING: CPU: 0 PID: 1 at kernel/exit.c:819 do_exit+0x8eb/0xb10"
# (6.1, 6.12), "WARNING: kernel/exit.c:913 at do_exit+0x90e/0xb60, CPU#0:
# busybox/1" (7.2).
exit_warn='WARNING: (CPU: [0-9]+ PID: 1 at kernel/exit\.c:[0-9]+ do_exit'
exit_warn+='|kernel/exit\.c:[0-9]+ at do_exit\+.*, CPU#[0-9]+: [^ ]+/1$)'
rm -f "$T/debugcon"
PVP_QEMU=7.2 VM_TIMEOUT=120 vm wait72 --smp 1 --end poweroff --allow-panic \
	--allow-splat "$exit_warn" \
	--qemu-arg=-device --qemu-arg=pvpanic "${dbg[@]}" \
	--acpi-table "$T/dsdt72-no-s5.aml" -- "set -e
	$(load_drv_cmd)
	insmod host-module/pvpanic_sim.ko variant=io_bare_5a8
	grep -H . /sys/bus/platform/devices/QEMU0001:0*/capability" ||
	vm_die wait72 "run-vm failed"
vm_output wait72 | tr '\n' ' ' | grep -q "QEMU0001:00/capability:3 .*QEMU0001:01/capability:7" ||
	vm_die wait72 "want QEMU 7.2's pvpanic (3), then the bare device (7)"
got=$(od -An -tx1 "$T/debugcon" | tr -d ' \n')
[ "$got" = 04 ] || [ "$got" = 0401 ] ||
	die "wait72: the debug port got '$got', want SHUTDOWN, then PANICKED unless QEMU stopped first"
expect_events wait72 "GUEST_PANICKED:poweroff SHUTDOWN:guest-panic"
# The console, in order: the wait announced, given up 2 s later (bounded:
# under 3 s), then the kernel's WARN and PID 1's panic.
waited=$(W=$exit_warn awk '
	function t(l) { sub(/^\[ */, "", l); sub(/\].*/, "", l); return l + 0 }
	{ sub(/\r$/, "") }
	/pvpanic_acpi: SHUTDOWN sent, waiting up to 2000 ms/ { s = t($0); n = 1; next }
	n == 1 && /pvpanic_acpi: the host did not power off within 2000 ms/ { e = t($0); n = 2; next }
	n == 2 && $0 ~ ENVIRON["W"] { n = 3; next }
	n == 3 && /Kernel panic - not syncing: Attempted to kill init/ { n = 4 }
	END { if (n == 4) printf "%.2f", e - s }' "$T/wait72.console")
[ -n "$waited" ] ||
	vm_die wait72 "want on the console: the wait, its end, do_exit's WARN, PID 1's panic"
awk -v w="$waited" 'BEGIN { exit !(w >= 1.9 && w < 3) }' ||
	vm_die wait72 "the handler waited ${waited} s, want 2 s"
log "wait72: no power-off from the host: the handler waited ${waited} s, then the kernel's fallback"
echo "ok"
