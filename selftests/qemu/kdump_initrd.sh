#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A self-contained initramfs for a guest that needs nothing of the host's
# at run time (test_upstream_libvirt.sh boots it through libvirt, which
# shares no directory with it): static busybox, kexec with its libraries,
# the kernel again as the crash kernel's image, the crash kernel's own
# initramfs, and pvpanic.ko with one front-end module.
#
# Usage: kdump_initrd.sh KVER MODULE_DIR FRONT OUT.cpio
#   MODULE_DIR holds pvpanic.ko and FRONT.ko (pvpanic-mmio or pvpanic-pci).
#
# The guest's /init reads pvp.mode= from the kernel command line:
#   kdump  load the crash kernel (kexec -p -s; crashkernel= must reserve
#          room), load the modules, panic with sysrq c.  The crash kernel's
#          /init loads the same modules, names the devices they bound, and
#          powers off.  crash_kexec_post_notifiers is left at its default
#          (0): the panicking kernel runs no notifier.
#   plain  load the modules and panic with no crash kernel loaded.
# Every step prints a "pvpanic-guest:" (first kernel) or "pvpanic-kdump:"
# (crash kernel) line on the console; a step that fails prints
# "pvpanic-guest: FAILED ..." and powers off without panicking.
set -eu
kver=$1 dir=$2 front=$3 out=$4
kernel=/boot/vmlinuz-$kver
busybox=$(command -v busybox || echo /bin/busybox)
kexec=$(command -v kexec || echo /usr/sbin/kexec)
for f in "$kernel" "$dir/pvpanic.ko" "$dir/$front.ko" "$busybox" "$kexec"; do
	[ -e "$f" ] || { echo "kdump_initrd: $f is missing" >&2; exit 1; }
done
# busybox is the one binary the crash kernel runs: it must be static.
if ldd "$busybox" >/dev/null 2>&1; then
	echo "kdump_initrd: $busybox is not static (package busybox-static)" >&2
	exit 1
fi

w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT

# The crash kernel's initramfs.
c=$w/crash
mkdir -p "$c/bin" "$c/proc" "$c/sys" "$c/dev"
cp "$busybox" "$c/bin/busybox"
cp "$dir/pvpanic.ko" "$dir/$front.ko" "$c/"
cat >"$c/init" <<INIT
#!/bin/busybox sh
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sys /sys
echo "pvpanic-kdump: crash kernel up, vmcore: \$(/bin/busybox ls /proc/vmcore 2>&1)"
/bin/busybox insmod /pvpanic.ko
/bin/busybox insmod /$front.ko
for d in /sys/bus/*/drivers/pvpanic*/*:*; do
	[ -e "\$d" ] && echo "pvpanic-kdump: bound \${d#/sys/bus/}"
done
echo "pvpanic-kdump: modules loaded, powering off"
/bin/busybox poweroff -f
INIT
chmod +x "$c/init"

# The first kernel's.
r=$w/root
mkdir -p "$r/bin" "$r/sbin" "$r/proc" "$r/sys" "$r/dev" "$r/tmp"
cp "$busybox" "$r/bin/busybox"
cp "$kexec" "$r/sbin/kexec"
# kexec's libraries (Debian's links it with Xen's), at the paths ldd names.
ldd "$kexec" | awk '/=> \// { print $3 } /^\t\// { print $1 }' | while read -r l; do
	mkdir -p "$r$(dirname "$l")"
	cp -L "$l" "$r$l"
done
cp "$kernel" "$r/vmlinuz"
cp "$dir/pvpanic.ko" "$dir/$front.ko" "$r/"
(cd "$c" && find . | cpio -o -H newc --quiet) >"$r/crash.cpio"
cat >"$r/init" <<INIT
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
fail() {
	echo "pvpanic-guest: FAILED \$*"
	poweroff -f
}
mode=
for w in \$(cat /proc/cmdline); do
	case \$w in pvp.mode=*) mode=\${w#pvp.mode=} ;; esac
done
echo "pvpanic-guest: up in \$(cut -d' ' -f1 /proc/uptime)s, mode \$mode"
if [ "\$mode" = kdump ]; then
	kexec -p -s /vmlinuz --initrd=/crash.cpio \\
		--append="console=ttyS0 irqpoll nr_cpus=1 reset_devices rdinit=/init panic=-1 no_timer_check" ||
		fail "kexec -p"
	[ "\$(cat /sys/kernel/kexec_crash_loaded)" = 1 ] || fail "no crash kernel loaded"
	echo "pvpanic-guest: crash kernel loaded"
elif [ "\$mode" != plain ]; then
	fail "pvp.mode=\$mode"
fi
echo "pvpanic-guest: crash_kexec_post_notifiers \$(cat /sys/module/kernel/parameters/crash_kexec_post_notifiers)"
insmod /pvpanic.ko || fail "insmod pvpanic.ko"
insmod /$front.ko || fail "insmod $front.ko"
for d in /sys/bus/*/drivers/$front/*:*; do
	[ -e "\$d" ] && echo "pvpanic-guest: bound \${d#/sys/bus/}"
done
echo "pvpanic-guest: panicking now"
echo c >/proc/sysrq-trigger
INIT
chmod +x "$r/init"
(cd "$r" && find . | cpio -o -H newc --quiet) >"$out.tmp"
mv "$out.tmp" "$out"
