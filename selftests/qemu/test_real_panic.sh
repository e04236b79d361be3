#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A real panic (sysrq c) in a guest with QEMU's own pvpanic device, one boot
# per -action panic= value: the driver (replay path, checked before the
# crash) must make QEMU emit GUEST_PANICKED with the action QEMU 7.2 reports.
# PVP_E2E_UPSTREAM=1 runs the same with upstream pvpanic-mmio instead (for
# comparison; the expectations are the same). Then the other policies, and
# a QEMU0001 without methods (an I/O and a memory _CRS), as firmware other
# than QEMU's describes the device, and a stale _CRS after a module
# reload. PVP_PANIC_REPEAT=N runs the
# four actions N times (make check: 1; 5 gives 20 panicking boots).
. "$(dirname "$0")/../lib.sh"
vm_setup

if [ -n "$PVP_E2E_UPSTREAM" ]; then
	load="modprobe pvpanic_mmio"
	check=true
else
	load=$(load_drv_cmd)
	check="[ \"\$(head -n1 $DRV_DBG/QEMU0001:00/path)\" = 'replay io 0x505 8' ]"
fi

# action -> the QMP events QEMU 7.2 emits for one PANICKED write
declare -A want=(
	[pause]="GUEST_PANICKED:pause STOP"
	[shutdown]="GUEST_PANICKED:poweroff SHUTDOWN:guest-panic"
	[exit-failure]="GUEST_PANICKED:poweroff SHUTDOWN:guest-panic"
	[none]="GUEST_PANICKED:run SHUTDOWN:guest-reset"
)

booted=0
for r in $(seq "${PVP_PANIC_REPEAT:-1}"); do
	for action in pause shutdown exit-failure none; do
		name=panic-$action-$r
		stop=()
		[ "$action" = pause ] && stop=(--stop-on-event STOP)
		vm "$name" --allow-panic "${stop[@]}" \
			--qemu-arg=-device --qemu-arg=pvpanic \
			--qemu-arg=-action --qemu-arg="panic=$action" -- \
			"set -e; $load; $check; echo ready > \$PVP_OUT/ready; echo c > /proc/sysrq-trigger" ||
			{ log "$name: QMP events before run-vm failed: $(qmp_events "$name")"
			  vm_die "$name" "run-vm failed"; }
		[ -e "$T/$name.out/ready" ] ||
			vm_die "$name" "driver not loaded or wrong path"
		expect_events "$name" "${want[$action]}"
		booted=$((booted + 1))
	done
done
log "$booted panicking boots, each reported on QMP as expected"

[ -n "$PVP_E2E_UPSTREAM" ] && { echo "ok"; exit 0; }
# The other policies in a real panic: live WRPT with the other CPU stopped
# outside the interpreter (test_aml_busy.sh stops it inside), and the
# _CRS port.
for policy in acpi:"live + replay io 0x505 8" io:"port 0x505"; do
	p=${policy%%:*}
	vm "panic-policy-$p" --allow-panic \
		--qemu-arg=-device --qemu-arg=pvpanic \
		--qemu-arg=-action --qemu-arg=panic=none -- \
		"set -e; $(load_drv_cmd policy="$p"); [ \"\$(head -n1 $DRV_DBG/QEMU0001:00/path)\" = '${policy#*:}' ]; echo ready > \$PVP_OUT/ready; echo c > /proc/sysrq-trigger" ||
		die "panic-policy-$p: run-vm failed"
	[ -e "$T/panic-policy-$p.out/ready" ] ||
		vm_die "panic-policy-$p" "driver not loaded or wrong path"
	expect_events "panic-policy-$p" "${want[none]}"
done

# Firmware that is not QEMU's, bound where pvpanic-mmio binds it: a
# QEMU0001 with _HID, _STA and _CRS only, no RDPT, no WRPT, no region; its
# _CRS an I/O port (QEMU's pvpanic) or memory (pvpanic-pci's BAR).
# pvpanic_sim loads the table beside QEMU's own device, which is told
# nothing (events 0), so the one event comes from the bare device.
for shape in io_bare:"port 0x505" mem_bare:"mem 0xfe"; do
	v=${shape%%:*}
	vm "panic-$v" --allow-panic \
		--qemu-arg=-device --qemu-arg=pvpanic \
		--qemu-arg=-device --qemu-arg=pvpanic-pci \
		--qemu-arg=-action --qemu-arg=panic=none -- \
		"set -e; $(load_drv_cmd); echo 0 > /sys/bus/platform/devices/QEMU0001:00/events; insmod host-module/pvpanic_sim.ko variant=$v; case \$(head -n1 $DRV_DBG/QEMU0001:01/path) in '${shape#*:}'*) ;; *) exit 1 ;; esac; echo ready > \$PVP_OUT/ready; echo c > /proc/sysrq-trigger" ||
		die "panic-$v: run-vm failed"
	[ -e "$T/panic-$v.out/ready" ] ||
		vm_die "panic-$v" "driver not bound to the $v device, or wrong path"
	expect_events "panic-$v" "${want[none]}"
done

# A stale _CRS (io_stale_crs: WRPT writes QEMU's port 0x505, _CRS names
# 0x5a8, where nothing is), after a module reload: what the first bind
# learned is kept on the ACPI node, so the reloaded driver still replays
# 0x505, and the real panic reaches QEMU there.
drv0="echo 0 > /sys/bus/platform/devices/QEMU0001:00/events"
vm panic-stale-reload --allow-panic \
	--qemu-arg=-device --qemu-arg=pvpanic \
	--qemu-arg=-action --qemu-arg=panic=none -- \
	"set -e; $(load_drv_cmd); $drv0; insmod host-module/pvpanic_sim.ko variant=io_stale_crs; rmmod pvpanic_acpi; $(load_drv_cmd); $drv0; [ \"\$(head -n1 $DRV_DBG/QEMU0001:01/path)\" = 'replay io 0x505 8 + port 0x5a8' ]; echo ready > \$PVP_OUT/ready; echo c > /proc/sysrq-trigger" ||
	die "panic-stale-reload: run-vm failed"
[ -e "$T/panic-stale-reload.out/ready" ] ||
	vm_die panic-stale-reload "after the reload, the path is not the first bind's"
expect_events panic-stale-reload "${want[none]}"
echo "ok"
