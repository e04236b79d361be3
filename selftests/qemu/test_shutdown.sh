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
# comparison (Linux 6.10+ only: 6.1's does not know bit 2).  QEMU 7.2
# offers no bit 2 (capability 3): nothing is sent.
. "$(dirname "$0")/../lib.sh"
vm_setup

# boot NAME QEMU 'guest commands': -device pvpanic, default action.
boot() {
	local name=$1 qemu=$2

	shift 2
	PVP_QEMU=$qemu VM_TIMEOUT=120 vm "$name" --allow-panic \
		--qemu-arg=-device --qemu-arg=pvpanic -- "set -e
		d=/sys/bus/platform/devices/QEMU0001:00
		$*" || die "$name: run-vm failed"
}

# The handler path: one SHUTDOWN write, then QEMU 10.0 shuts the guest down.
boot trigger10 10 "$(load_drv_cmd)
	[ \$(cat \$d/capability) = 7 ] || exit 1
	[ \$(cat \$d/events) = 7 ] || exit 1
	head -n1 $DRV_DBG/QEMU0001:00/path
	echo shutdown > $DRV_DBG/trigger
	sleep 5"
expect_events trigger10 "GUEST_PVSHUTDOWN SHUTDOWN:guest-shutdown"

# Cleared from events: the handler is unregistered; the trigger sends
# nothing and the guest powers off on its own (S5).  Long budgets only.
long_run && boot masked10 10 "$(load_drv_cmd)
	echo 3 > \$d/events
	echo shutdown > $DRV_DBG/trigger
	sleep 1"
long_run && expect_events masked10 "SHUTDOWN:guest-shutdown"

# A real poweroff: ACPI S5 powers the machine off before the handler of
# last resort, ours as upstream's.
boot poweroff10 10 "$(load_drv_cmd)"
expect_events poweroff10 "SHUTDOWN:guest-shutdown"
if modinfo -k "$KVER" pvpanic-mmio 2>/dev/null | grep -q .; then
	boot upstream10 10 "modprobe pvpanic-mmio
		echo upstream capability \$(cat \$d/capability)"
	log "upstream pvpanic-mmio, $KVER, capability $(vm_output upstream10 |
		sed -n 's/^upstream capability //p'): $(qmp_events upstream10)"
	expect_events upstream10 "SHUTDOWN:guest-shutdown"
fi

# QEMU 7.2: no bit 2 in the capability; the trigger sends nothing.
boot trigger72 7.2 "$(load_drv_cmd)
	[ \$(cat \$d/capability) = 3 ] || exit 1
	echo shutdown > $DRV_DBG/trigger
	sleep 1"
expect_events trigger72 "SHUTDOWN:guest-shutdown"
echo "ok"
