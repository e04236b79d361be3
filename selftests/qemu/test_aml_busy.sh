#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A real panic on CPU 0 while CPU 1 is inside the ACPI interpreter
# (pvpanic_sim's aml_busy: \_SB.PVBZ, a Stall loop, one second per
# evaluation, so CPU 1 holds ACPICA's interpreter mutex when it is
# stopped).  The default policy never enters AML in the panic, so QEMU must
# get GUEST_PANICKED: with QEMU's own AML (the replayed port write), with
# the parent-scope shape of the model (io_parent: the _CRS port) and, in
# the long budgets (PVP_LONG=1), the others aimed at QEMU (io_debug_real,
# io_stale_crs: both anchors; io_read_first; mem: pvpanic-pci's register).  The busy module's own panic
# notifier, last in the chain, prints that CPU 1 was inside the
# interpreter: the panic went on past ours.  The control: policy=acpi
# evaluates WRPT in the panic and must hang there (no event, the notifier
# after ours never runs), which shows that the busy CPU does hold the
# interpreter.
. "$(dirname "$0")/../lib.sh"
vm_setup
require_file "$SIM_KO"

# panic NAME VARIANT 'DRIVER ARGS' [run-vm options]: one boot, one real
# panic.
panic() {
	local name=$1 variant=$2 args=$3 qdev=

	shift 3
	[ "$variant" != default ] && qdev="echo 0 > /sys/bus/platform/devices/QEMU0001:00/events;"
	vm "$name" --allow-panic --qemu-arg=-device --qemu-arg=pvpanic \
		--qemu-arg=-device --qemu-arg=pvpanic-pci \
		--qemu-arg=-action --qemu-arg=panic=none "$@" -- "set -e
		insmod $SIM_KO variant=$variant panic_action=none
		insmod $DRV_KO $args
		$qdev
		echo 1 > /sys/kernel/debug/pvpanic_sim/aml_busy
		for i in \$(seq 100); do grep -q 'inside 1' /sys/kernel/debug/pvpanic_sim/aml_busy && break; sleep 0.05; done
		head -n1 /sys/kernel/debug/pvpanic_acpi/QEMU0001:0*/path
		echo ready > \$PVP_OUT/ready
		taskset -c 0 sh -c 'echo c > /proc/sysrq-trigger'"
}

inside='pvpanic_sim: aml_busy: at the panic CPU 1 was inside the AML interpreter'
shapes="default io_parent"
long_run && shapes="$shapes io_debug_real io_stale_crs io_read_first mem"
for v in $shapes; do
	VM_TIMEOUT=120 panic "busy-$v" $v "" || die "busy-$v: run-vm failed"
	[ -e "$T/busy-$v.out/ready" ] || { vm_output "busy-$v"; die "busy-$v: setup failed"; }
	log "busy-$v: $(vm_output "busy-$v" | tr '\n' ' ')"
	expect_events "busy-$v" "GUEST_PANICKED:run SHUTDOWN:guest-reset"
	grep -q "$inside" "$T/busy-$v.console" ||
		die "busy-$v: the busy module did not report CPU 1 inside the interpreter"
done

# The control: live WRPT in the panic waits for the interpreter for good.
# It counts as hung 5 s after the panic starts, whatever the boot took:
# five of CPU 1's one-second evaluations, were CPU 1 still running; a
# panic that goes on sends its event well within one.
VM_TIMEOUT=120 panic busy-acpi default policy=acpi --panic-timeout 5
rc=$?
[ -e "$T/busy-acpi.out/ready" ] || { vm_output busy-acpi; die "busy-acpi: setup failed"; }
[ $rc = 91 ] || die "busy-acpi: policy=acpi did not hang (run-vm exit $rc)"
expect_events busy-acpi ""
grep -q "$inside" "$T/busy-acpi.console" &&
	die "busy-acpi: the panic went past the live WRPT"
log "policy=acpi with CPU 1 inside the interpreter: the panic hung in WRPT, as documented"
echo "ok"
