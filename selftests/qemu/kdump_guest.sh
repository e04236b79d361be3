#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside the guest for test_kdump.sh: load a crash kernel whose
# initramfs loads the pvpanic driver and powers off, set
# crash_kexec_post_notifiers, load the driver here too, then panic.
# Usage: kdump_guest.sh acpi|upstream POST_NOTIFIERS(0|1) [MODULE ARGS...]
set -e
drv=$1 post=$2
shift 2
k=/tmp/kdump-initrd
rm -rf $k
mkdir -p $k/bin $k/proc $k/sys $k/dev
cp /bin/busybox $k/bin/
if [ "$drv" = acpi ]; then
	cp "$PVP_ROOT/guest-driver/pvpanic_acpi.ko" $k/
	mods="/bin/busybox insmod /pvpanic_acpi.ko $*"
	load="insmod $PVP_ROOT/guest-driver/pvpanic_acpi.ko"
else
	cp /lib/modules/"$(uname -r)"/kernel/drivers/misc/pvpanic/pvpanic.ko $k/
	cp /lib/modules/"$(uname -r)"/kernel/drivers/misc/pvpanic/pvpanic-mmio.ko $k/
	mods=$'/bin/busybox insmod /pvpanic.ko\n/bin/busybox insmod /pvpanic-mmio.ko'
	load="modprobe pvpanic_mmio"
fi
cat >$k/init <<INIT
#!/bin/busybox sh
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sys /sys
echo "pvpanic-kdump: crash kernel up"
$mods
/bin/busybox sleep 1
echo "pvpanic-kdump: modules loaded"
/bin/busybox poweroff -f
INIT
chmod +x $k/init
(cd $k && find . | cpio -o -H newc --quiet) >/tmp/kdump-initrd.cpio
kexec -p -s "/boot/vmlinuz-$(uname -r)" --initrd=/tmp/kdump-initrd.cpio \
	--append="console=ttyS0 irqpoll nr_cpus=1 reset_devices rdinit=/init panic=-1"
[ "$(cat /sys/kernel/kexec_crash_loaded)" = 1 ]
echo "$post" >/sys/module/kernel/parameters/crash_kexec_post_notifiers
$load
echo ready >"$PVP_OUT/ready"
echo c >/proc/sysrq-trigger
