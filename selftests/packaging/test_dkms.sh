#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# DKMS, as a user would drive it (make dkms-install / dkms-uninstall),
# without touching the machine's own trees: dkms runs on the host with
# --dkmstree, --sourcetree and --installtree in a temporary directory (and
# its MOK key there too).  It builds the driver alone (never the test
# module) and the configuration files go in place; then a guest booted with
# each kernel and QEMU's own device loads the DKMS-built driver from that
# tree with modprobe -d, and it must bind and learn QEMU's WRPT.
# make check tries the kernel under test (KVER), the long budgets both;
# PVP_DKMS_KVERS overrides the kernels tried.
. "$(dirname "$0")/../lib.sh"
vm_setup
cd "$PVP_ROOT" || exit 1

command -v dkms >/dev/null || skip "dkms is not installed (Debian package dkms)"
[ "$(id -u)" = 0 ] || skip "needs root (dkms)"

kvers=()
missing=()
all="6.1.0-56-amd64 6.12.117+deb12-amd64"
long_run || all=$KVER
for k in ${PVP_DKMS_KVERS:-$all}; do
	if [ -d "/lib/modules/$k/build" ] && [ -f "/boot/vmlinuz-$k" ]; then
		kvers+=("$k")
	else
		missing+=("$k")
	fi
done
[ ${#kvers[@]} -gt 0 ] || skip "no kernel with headers and image among: ${missing[*]}"

# The guest sees $T as $PVP_OUT (run-vm.py --out): the install tree is
# $T/root/lib/modules, so modprobe -d finds it there.
mkdir -p "$T/dkms" "$T/root/lib/modules"
for k in "${kvers[@]}"; do
	mkdir -p "$T/root/lib/modules/$k"
done
# dkms signs what it builds; keep its generated key out of /var/lib/dkms.
export mok_signing_key=$T/mok.key mok_certificate=$T/mok.pub
MK=(make -s DESTDIR="$T" DKMS_SOURCE_TREE=/src
    DKMS_FLAGS="--dkmstree $T/dkms --installtree $T/root/lib/modules --no-depmod")

own_trees() {
	ls -la --time-style=+%s /var/lib/dkms /usr/src 2>/dev/null
	for k in "${kvers[@]}"; do
		find "/lib/modules/$k" -maxdepth 2 -path "*/build" -prune -o -print0 |
			xargs -0 stat -c '%n %s %Y' | sort
	done
}
own_trees >"$T/before"

fail=0
for k in "${kvers[@]}"; do
	log "dkms: make dkms-install KVER=$k"
	if ! "${MK[@]}" dkms-install KVER="$k" >"$T/dkms-$k.log" 2>&1; then
		cat "$T/dkms-$k.log"
		cat "$T/dkms/pvpanic-acpi/"*/build/make.log 2>/dev/null
		die "dkms install for $k failed"
	fi
	grep -E 'Installing to|Signing module' "$T/dkms-$k.log" | sed 's/^/#   /'
	dkms --dkmstree "$T/dkms" --sourcetree "$T/src" --installtree "$T/root/lib/modules" \
		status -m pvpanic-acpi -k "$k" | grep -q ": installed" ||
		die "dkms status does not show pvpanic-acpi installed for $k"
	ls "$T/root/lib/modules/$k/updates/dkms/pvpanic_acpi.ko"* >/dev/null 2>&1 ||
		die "dkms did not install pvpanic_acpi for $k"
	ls "$T/root/lib/modules/$k/updates/dkms/pvpanic_sim.ko"* >/dev/null 2>&1 &&
		die "dkms built the test module pvpanic_sim for $k"
	depmod -b "$T/root" "$k" 2>/dev/null || die "depmod -b on the dkms tree for $k failed"
done
for f in etc/modprobe.d/pvpanic-acpi.conf usr/share/initramfs-tools/modules.d/pvpanic-acpi \
	usr/lib/dracut/dracut.conf.d/50-pvpanic-acpi.conf; do
	[ -f "$T/$f" ] || die "dkms-install did not install /$f"
done

# In a guest booted with each kernel: load the DKMS-built modules and bind.
for k in "${kvers[@]}"; do
	log "guest $k: modprobe -d the DKMS tree, pvpanic_acpi must bind QEMU's device"
	rm -f "$T/cmd.log"
	# shellcheck disable=SC2016  # expanded in the guest
	if ! "$PVP_ROOT/scripts/vm/run-vm.py" --kver "$k" --timeout "${VM_TIMEOUT:-240}" --quiet \
		--out "$T" --console-log "$T/console-$k.log" \
		--qemu-arg=-device --qemu-arg=pvpanic -- '
		R=$PVP_OUT/root m=pvpanic_acpi
		set -e
		[ ! -d /sys/module/$m ] || { echo "FAIL: $m already loaded"; exit 1; }
		f=$(modprobe -d "$R" --show-depends $m | sed -n "s/^insmod \([^ ]*\).*/\1/p")
		case $f in "$R"/lib/modules/*/updates/dkms/$m.ko*) ;;
		*) echo "FAIL: modprobe -d would load \"$f\" for $m"; exit 1 ;;
		esac
		modprobe -d "$R" $m
		[ -d /sys/module/$m ] || { echo "FAIL: $m did not load"; exit 1; }
		echo "loaded $f, signer: $(modinfo -F signer "$f")"
		[ -e /sys/bus/platform/drivers/pvpanic_acpi/QEMU0001:00 ] ||
			{ echo "FAIL: pvpanic_acpi did not bind"; exit 1; }
		p=$(head -n1 /sys/kernel/debug/pvpanic_acpi/QEMU0001:00/path)
		echo "path $p"
		[ "$p" = "replay io 0x505 8" ] || { echo "FAIL: path $p"; exit 1; }
		rmmod pvpanic_acpi
		echo "GUEST-OK $(uname -r)"'; then
		cat "$T/cmd.log" 2>/dev/null
		tail -n 30 "$T/console-$k.log"
		echo "FAIL: the guest with $k could not load or bind the DKMS modules"
		fail=1
		continue
	fi
	sed 's/^/#   /' "$T/cmd.log"
	grep -q "^GUEST-OK $k" "$T/cmd.log" || { echo "FAIL: guest $k did not finish"; fail=1; }
done

# The depmod indexes are this test's own (depmod -b above), not dkms's.
for k in "${kvers[@]}"; do
	rm -f "$T/root/lib/modules/$k"/modules.*
done
log "dkms: make dkms-uninstall"
"${MK[@]}" dkms-uninstall >"$T/remove.log" 2>&1 || { cat "$T/remove.log"; die "dkms-uninstall failed"; }
left=$(find "$T/root" "$T/src" "$T/etc" "$T/usr" -type f 2>/dev/null)
[ -z "$left" ] || die "dkms-uninstall left: $left"
[ -z "$(find "$T/dkms" -mindepth 1 2>/dev/null)" ] || die "dkms-uninstall left $(find "$T/dkms" -mindepth 1)"

own_trees >"$T/after"
diff -u "$T/before" "$T/after" || die "the machine's own trees changed"
[ $fail = 0 ] || exit 1
log "DKMS built, installed and bound QEMU's device on: ${kvers[*]}"
[ ${#missing[@]} = 0 ] || log "not tried (no headers or image): ${missing[*]}"
exit 0
