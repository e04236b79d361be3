#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside the guest for test_kdump.sh and test_upstream_patch.sh:
# load a crash kernel whose initramfs loads the pvpanic driver, names the
# devices it bound and powers off, set crash_kexec_post_notifiers, load the
# driver here too, then panic.  The crash kernel waits for nothing: insmod
# returns once the drivers have probed (synchronously), and QEMU sends the
# probe's event before the poweroff's SHUTDOWN.
# Usage: kdump_guest.sh acpi|upstream POST_NOTIFIERS(0|1) [MODULE ARGS...]
#   upstream: pvpanic.ko and a front-end, pvpanic-mmio.ko unless
#   PVP_UPSTREAM_FRONT names another (pvpanic-pci), from PVP_UPSTREAM_DIR
#   (default: the running kernel's own, compressed or not).
# PVP_KDUMP_PANIC=1: the crash kernel panics too, instead of powering off.
# PVP_KDUMP_REBIND=1: the crash kernel unbinds and binds each device its
#   pvpanic driver bound, once, before it ends.
# PVP_KDUMP_EVENTS=MASK: this kernel writes MASK to each bound device's
#   events attribute before the panic (the upstream driver's sysfs file).
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
	load=("$PVP_ROOT/guest-driver/pvpanic_acpi.ko")
else
	d=${PVP_UPSTREAM_DIR:-/lib/modules/$(uname -r)/kernel/drivers/misc/pvpanic}
	front=${PVP_UPSTREAM_FRONT:-pvpanic-mmio}
	for m in pvpanic "$front"; do
		if [ -e "$d/$m.ko" ]; then
			cp "$d/$m.ko" $k/
		else
			xz -dc "$d/$m.ko.xz" >"$k/$m.ko"
		fi
	done
	mods=$'/bin/busybox insmod /pvpanic.ko\n'"/bin/busybox insmod /$front.ko"
	load=("$k/pvpanic.ko" "$k/$front.ko")
fi
end="/bin/busybox poweroff -f"
[ "${PVP_KDUMP_PANIC:-}" = 1 ] && end="echo c >/proc/sysrq-trigger"
cat >$k/init <<INIT
#!/bin/busybox sh
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sys /sys
echo "pvpanic-kdump: crash kernel up"
$mods
for d in /sys/bus/*/drivers/pvpanic*/*:*; do
	[ -e "\$d" ] && echo "pvpanic-kdump: bound \${d#/sys/bus/}"
done
echo "pvpanic-kdump: modules loaded"
if [ "${PVP_KDUMP_REBIND:-}" = 1 ]; then
	for d in /sys/bus/*/drivers/pvpanic*/*:*; do
		[ -e "\$d" ] || continue
		echo "\${d##*/}" >"\${d%/*}/unbind"
		echo "\${d##*/}" >"\${d%/*}/bind"
		[ -e "\$d" ] && echo "pvpanic-kdump: rebound \${d#/sys/bus/}"
	done
fi
$end
INIT
chmod +x $k/init
(cd $k && find . | cpio -o -H newc --quiet) >/tmp/kdump-initrd.cpio
kexec -p -s "/boot/vmlinuz-$(uname -r)" --initrd=/tmp/kdump-initrd.cpio \
	--append="console=ttyS0 irqpoll nr_cpus=1 reset_devices rdinit=/init panic=-1"
[ "$(cat /sys/kernel/kexec_crash_loaded)" = 1 ]
echo "$post" >/sys/module/kernel/parameters/crash_kexec_post_notifiers
for m in "${load[@]}"; do
	insmod "$m"
done
if [ -n "${PVP_KDUMP_EVENTS:-}" ]; then
	for d in /sys/bus/*/drivers/pvpanic*/*:*; do
		echo "$PVP_KDUMP_EVENTS" >"$d/events"
		[ "$(cat "$d/events")" = "$PVP_KDUMP_EVENTS" ]
		echo "masked ${d#/sys/bus/}: events $PVP_KDUMP_EVENTS" >>"$PVP_OUT/masked"
	done
fi
echo ready >"$PVP_OUT/ready"
echo c >/proc/sysrq-trigger
