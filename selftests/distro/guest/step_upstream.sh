#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# (h) The upstream series as someone who runs it would, on a machine
# without this package: drivers/misc/pvpanic from the share (extra/src,
# linux-source's own or with upstream/ applied, extra/mode saying which)
# built against this kernel's headers and, when patched, installed under
# updates/, which depmod prefers to the kernel's own.  With extra/entry,
# pvpanic-mmio listed in /etc/initramfs-tools/modules, which kdump-tools
# copies for its crash initrd, so that the crash initrd carries it and
# loads it before the root mount; that initrd rebuilt by kdump-tools' own
# kernel hook.  Without, the crash initrd stays as kdump-tools made it.
# On sid (dracut, where kdump-tools builds no crash initrd) the entry is
# dracut's add_drivers, and the crash initrd is built with plain dracut as
# README.md says, with or without it.
. /mnt/agent/lib.sh
X=$A/extra
S=/root/pvpanic-upstream
MODE=$(cat "$X/mode")

report before
rm -rf "$S"
cp -r "$X/src" "$S"
# The tree's Makefile keys on the kernel's options, which an external
# build does not see: name the two front-ends, as Debian builds them.
timed build make -C "/lib/modules/$K/build" M="$S" CONFIG_PVPANIC_MMIO=m CONFIG_PVPANIC_PCI=m modules
R built "$(cd "$S" && ls -- *.ko | tr '\n' ' ')"
if [ "$MODE" = patched ]; then
	timed install install -D -m 0644 -t "/lib/modules/$K/updates/pvpanic-upstream" "$S"/*.ko
	timed depmod depmod -a "$K"
fi
R modinfo "$(modinfo -n pvpanic) $(modinfo -n pvpanic-mmio)"
if [ -f "$X/entry" ] && command -v mkinitramfs >/dev/null; then
	grep -qx pvpanic-mmio /etc/initramfs-tools/modules || echo pvpanic-mmio >>/etc/initramfs-tools/modules
	timed kdump_initrd /etc/kernel/postinst.d/kdump-tools "$K"
elif [ -f "$X/entry" ]; then
	# dracut (sid): the same wish, in dracut's words
	echo 'add_drivers+=" pvpanic-mmio "' >/etc/dracut.conf.d/90-pvpanic-mmio.conf
fi
# sid: kdump-tools builds no crash initrd there; the one README.md tells
# users to build, with the entry above if there is one
crash_initrd_by_hand
R kdump_initrd "$(initrd_ls "$KDUMP_INITRD" | grep -o '[^ ]*/pvpanic[^ /]*\.ko[^ /]*' | sort | tr '\n' ' ')"
