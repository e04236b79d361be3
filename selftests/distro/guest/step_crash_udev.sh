#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# (b') dracut only, for comparison: the crash initrd rebuilt with plain
# dracut and the driver left to udev (add_drivers, as the dracut entry of
# 0.2.0, in an /etc/dracut.conf.d file of the package's name, which
# overrides the package's force_drivers; no modules-load.d entry), reloaded,
# then a crash with default settings.
. /mnt/agent/lib.sh
echo 'add_drivers+=" pvpanic_acpi "' >/etc/dracut.conf.d/50-pvpanic-acpi.conf
timed rebuild dracut --quiet --force --hostonly --kver "$K" "$KDUMP_INITRD"
R rebuild.early "$(initrd_ls "$KDUMP_INITRD" | grep -c -E '(^| )etc/(cmdline.d/20-force_drivers.conf|modules-load.d/pvpanic-acpi.conf)$')"
timed reload kdump-config reload
report boot
crash
