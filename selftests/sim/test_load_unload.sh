#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Loading and unloading pvpanic_sim, repeatedly and with every variant,
# with no driver, with the guest driver (pvpanic_acpi) and with upstream
# pvpanic-mmio bound: the enumerated devices come and go with the module,
# nothing dangles, nothing splats. Bad parameters refuse the load.
. "$(dirname "$0")/../lib.sh"
sim_setup

# nlog ERE: how many lines of DMESG (dmesg_read) match ERE: grep -c
# without the exec.
nlog() {
	local l n=0

	for l in "${DMESG[@]}"; do
		[[ $l =~ $1 ]] && n=$((n + 1))
	done
	echo $n
}

# count GLOB: how many paths it matches.
count() { [ -e "$1" ] && echo $# || echo 0; }
ndev() { count /sys/bus/platform/devices/QEMU0001:*; }
nadev() { count /sys/bus/acpi/devices/QEMU0001:*; }
# The drivers bound to QEMU0001 devices, sorted, each followed by a space.
drivers() {
	local d out=

	for d in /sys/bus/platform/drivers/*/QEMU0001:*; do
		[ -e "$d" ] || continue
		d=${d%/*}
		out+="${d##*/} "
	done
	echo "$out"
}

dmesg_mark
for p in variant=bogus capability=256 capability=-2 panic_action=reboot \
	ring_size=15 ring_size=65537 qemu=11 qemu=7; do
	insmod "$SIM_KO" $p 2>/dev/null
	rc=$?
	check "insmod $p refused" "$rc$(mod_loaded pvpanic_sim && echo ' loaded')" 1
done
dmesg_read "$DMESG_START"
check "bad variant named in the log" \
	"$(nlog 'pvpanic_sim: unknown variant=bogus')" 1
check "bad capabilities named in the log" \
	"$(nlog 'pvpanic_sim: capability=(256|-2) out of range')" 2
check "bad QEMU versions named in the log" \
	"$(nlog 'pvpanic_sim: unknown qemu=(11|7): 7.2 or 10.0')" 2
check "bad panic action named in the log" \
	"$(nlog 'pvpanic_sim: unknown panic_action=reboot')" 1
check "bad ring sizes named in the log" \
	"$(nlog 'pvpanic_sim: ring_size=(15|65537) out of range 16..65536')" 2

# Those that need QEMU's pvpanic-pci (target pci) refuse to load here.
mapfile -t variants < <(sim_variants pci)
for vd in "${variants[@]}"; do
	v=${vd%% *}
	dmesg_mark
	insmod "$SIM_KO" variant="$v" 2>/dev/null
	rc=$?
	dmesg_read "$DMESG_START"
	check "$v refused without pvpanic-pci" \
		"$rc$(mod_loaded pvpanic_sim && echo ' loaded') $(nlog "variant $v needs QEMU's -device pvpanic-pci")" "1 1"
done
# Every other variant.
mapfile -t variants < <(sim_variants model qemu)
[ ${#variants[@]} -gt 1 ] || die "no variants read from acpi/variants.txt"
check "no QEMU0001 device before" "$(ndev) $(nadev)" "0 0"
for vd in "${variants[@]}"; do
	read -r v want <<<"$vd"
	[ "$v" = sta0 ] && want=0	# declared, not present
	reps=1
	[ "$v" = default ] && reps=3
	for ((i = 1; i <= reps; i++)); do
		sim_load variant=$v
		check "$v #$i: platform devices after load" "$(ndev)" $want
		sim_unload
		check "$v #$i: nothing left after unload" "$(ndev) $(nadev)" "0 0"
	done
done

# A subscriber does not pin the module.
sim_load
mon_start --timeout 3000
sim_unload
check "unload with a subscriber" "$(mod_loaded pvpanic_sim && echo loaded)" ""
mon_wait

# Unload with events still held in the ring and a subscriber.
sim_load
mon_start --timeout 3000
echo 1 > "$SIM_DBG/hold"
wrpt "2 10"
sim_unload
mon_wait
check "unload with held events: none delivered" "$(wc -l < "$MON_OUT")" 0
check "unload with held events: nothing left" "$(ndev) $(nadev)" "0 0"

# With a driver bound to the devices.
try_driver() {
	local drv=$1 mod=$2 variant=$3 want=$4 i
	for i in 1 2 3; do
		sim_load variant="$variant"
		loop_until "[ \"\$(drivers)\" = '$want' ]"
		check "$variant with $mod #$i: bound" "$(drivers)" "$want"
		sim_unload
		check "$variant with $mod #$i: unbound and gone" \
			"$(ndev) $(nadev) $(mod_loaded "$drv" && echo "$drv")" "0 0 $drv"
	done
}

if [ -e "$DRV_KO" ]; then
	insmod "$DRV_KO" || die "insmod pvpanic_acpi"
	try_driver pvpanic_acpi pvpanic_acpi default "pvpanic_acpi "
	try_driver pvpanic_acpi pvpanic_acpi two_devices "pvpanic_acpi pvpanic_acpi "
	unload_mod pvpanic_acpi
else
	echo "# guest driver not built: $DRV_KO (those cases not run)"
fi

if modprobe pvpanic-mmio 2>/dev/null; then
	try_driver pvpanic_mmio pvpanic-mmio default "pvpanic-mmio "
	unload_mod pvpanic_mmio
	unload_mod pvpanic
else
	echo "# pvpanic-mmio not available (those cases not run)"
fi

dmesg_check
finish
