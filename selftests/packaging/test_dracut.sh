#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The dracut entry the package installs, with Debian's own dracut
# (dracut-core): kdumpctl's crash initrd is a dracut initrd that never loads
# modules from the real root, so the driver must be in it.
#
# On the host, dracut builds two initrds for the kernel under test from a
# module tree laid out as DKMS leaves it (the driver in updates/dkms): one
# with guest-driver/pvpanic-acpi.dracut as its only configuration, which
# must carry pvpanic_acpi.ko, and one with no configuration, which must not
# (so it is the entry that adds the driver).  Then a guest with QEMU's own
# device loads the first as its crash kernel's initrd (kexec -p) and
# crashes: the initrd must load the driver (rd.driver.pre, or udev by its
# ACPI alias where the initrd has no kernel-modules hook) and QEMU
# must show GUEST_CRASHLOADED, never GUEST_PANICKED.  The crash kernel is
# given a root it cannot mount, as kdumpctl's initrd does not need one.
# The second initrd is built while the guest runs; the guest has one vCPU
# (the crash kernel has one anyway, nr_cpus=1).
. "$(dirname "$0")/../lib.sh"
vm_setup

command -v dracut >/dev/null || skip "dracut is not installed (Debian package dracut-core)"
command -v lsinitrd >/dev/null || skip "lsinitrd is not installed (Debian package dracut-core)"
[ -f "/boot/vmlinuz-$KVER" ] || skip "no /boot/vmlinuz-$KVER"

km=$T/km/lib/modules/$KVER
mkdir -p "$T/km/lib/modules" "$T/conf" "$T/none" "$T/crash.out"
cp -as "/lib/modules/$KVER" "$T/km/lib/modules/" || die "cannot stage /lib/modules/$KVER"
mkdir -p "$km/updates/dkms"
cp "$DRV_KO" "$km/updates/dkms/" || die "cannot stage $DRV_KO"
depmod -b "$T/km" "$KVER" || die "depmod -b on the staged tree failed"
cp "$PVP_ROOT/guest-driver/pvpanic-acpi.dracut" "$T/conf/50-pvpanic-acpi.conf"

# dracut_args CONFDIR: into da, dracut's options for a small generic
# initrd (the modules a crash initrd needs to boot, no host-only pruning),
# uncompressed, configured by CONFDIR only.
dracut_args() {
	da=(--confdir "$1" --conf /dev/null --kver "$KVER" --kmoddir "$km"
		--no-hostonly --modules "base udev-rules rootfs-block"
		--no-compress --no-early-microcode --force)
}
# dracut_failed IMAGE: dracut's last words for IMAGE, then fail.
dracut_failed() {
	tail -n 20 "$1.log" | sed 's/^/#   /'
	die "dracut failed for $1"
}

t0=$(date +%s.%N)
dracut_args "$T/conf"
dracut "${da[@]}" "$T/crash.out/dracut.img" >"$T/crash.out/dracut.img.log" 2>&1 ||
	dracut_failed "$T/crash.out/dracut.img"
t1=$(date +%s.%N)
# The initrd without the entry is only listed: dracut builds it while the
# guest below runs (the guest needs only the first).
dracut_args "$T/none"
dracut "${da[@]}" "$T/none.img" >"$T/none.img.log" 2>&1 &
none_pid=$!
# shellcheck disable=SC2016 # expanded at exit
on_exit 'stop_pid "$none_pid"'
lsinitrd "$T/crash.out/dracut.img" >"$T/with.list" 2>&1 || die "lsinitrd failed"
grep -q "lib/modules/$KVER/updates/dkms/pvpanic_acpi.ko" "$T/with.list" ||
	die "the dracut entry did not put pvpanic_acpi.ko in the initrd"
grep -q 'systemd-udevd' "$T/with.list" || die "the initrd has no udev"

# shellcheck disable=SC2016  # expanded in the guest
VM_KEEP_OUT=1 VM_TIMEOUT=${VM_TIMEOUT:-240} vm crash --smp 1 --allow-panic --mem 1536 \
	--append crashkernel=256M --stop-on-event GUEST_CRASHLOADED \
	--qemu-arg=-device --qemu-arg=pvpanic \
	--qemu-arg=-action --qemu-arg=panic=none -- '
	set -e
	kexec -p -s "/boot/vmlinuz-$(uname -r)" --initrd="$PVP_OUT/dracut.img" \
		--append="console=ttyS0 irqpoll nr_cpus=1 reset_devices panic=-1 root=/dev/vdz rd.timeout=30 rd.shell=0"
	[ "$(cat /sys/kernel/kexec_crash_loaded)" = 1 ]
	echo ready >"$PVP_OUT/ready"
	echo c >/proc/sysrq-trigger' || die "run-vm failed"
wait "$none_pid" || { none_pid=; dracut_failed "$T/none.img"; }
none_pid=
lsinitrd "$T/none.img" >"$T/none.list" 2>&1 || die "lsinitrd failed"
grep -q 'pvpanic_acpi' "$T/none.list" &&
	die "without the entry the initrd carries pvpanic_acpi too: the check proves nothing"
log "dracut $(dracut --version 2>/dev/null | awk '{print $2}'): the entry adds" \
	"updates/dkms/pvpanic_acpi.ko ($(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.0f", b - a}') s)," \
	"absent without it"
if [ ! -e "$T/crash.out/ready" ]; then
	grep -q "crashkernel reservation failed\|Cannot load" "$T/crash.console" &&
		skip "no crash kernel under this QEMU"
	vm_die crash "the crash kernel was not loaded"
fi
grep -q '^\[ *[0-9.]*\] dracut: ' "$T/crash.console" ||
	vm_die crash "the crash kernel did not run the dracut initrd"
expect_events crash "GUEST_CRASHLOADED:run"
probe=$(grep 'kdump kernel: reported CRASH_LOADED' "$T/crash.console") ||
	vm_die crash "no log line from the crash kernel's probe"
log "crash kernel: ${probe#*] }"
log "  at ${probe%%]*}] of the crash kernel's boot, loaded in the dracut initrd"
echo "ok"
