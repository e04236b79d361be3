#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A real panic against the emulated device: pvpanic_acpi's notifier runs
# WRPT live (policy=acpi: the model's OEM space is reached only through
# the AML, and no other CPU is inside the interpreter), pvpanic_sim decodes
# the write in panic context and prints one line per event on the console,
# where a harness reading the serial port sees them. PVP_PANIC_REPEAT=N
# boots N guests in a row (make check: 1).
. "$(dirname "$0")/../lib.sh"
vm_setup
require_file "$SIM_KO"

n=${PVP_PANIC_REPEAT:-1}
seen=0
for i in $(seq "$n"); do
	vm "sim-panic-$i" --allow-panic -- \
		"set -e; insmod $SIM_KO panic_action=pause; $(load_drv_cmd policy=acpi); echo ready > \$PVP_OUT/ready; echo c > /proc/sysrq-trigger" ||
		die "sim-panic-$i: run-vm failed"
	[ -e "$T/sim-panic-$i.out/ready" ] || die "sim-panic-$i: modules did not load"
	c=$T/sim-panic-$i.console
	if grep -q 'pvpanic_sim: event seq=1 GUEST_PANICKED action=pause value=0x1 ' "$c" &&
	   grep -q 'pvpanic_sim: event seq=2 STOP value=0x1 status=guest-panicked' "$c" &&
	   [ "$(grep -c 'pvpanic_sim: event ' "$c")" = 2 ]; then
		seen=$((seen + 1))
	else
		log "boot $i: console:"
		grep -E 'pvpanic|Kernel panic' "$c" | sed 's/^/#   /'
	fi
done
log "real panics reported on the console: $seen of $n"
[ "$seen" = "$n" ] || die "$((n - seen)) panics were not reported"
echo "ok"
