#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# (b') dracut only, for comparison: the crash initrd rebuilt with the
# driver left to udev (add_drivers, the dracut entry before 0.2.1), in an
# /etc/dracut.conf.d file of the package's name that overrides the
# package's force_drivers, reloaded, then a crash with default settings.
. /mnt/agent/lib.sh
echo 'add_drivers+=" pvpanic_acpi "' >/etc/dracut.conf.d/50-pvpanic-acpi.conf
timed rebuild /usr/share/pvpanic-acpi-dkms/kdump-dracut-initrd "$K"
R rebuild.forced "$(initrd_ls "$KDUMP_INITRD" | grep -c 'rd.driver.pre=pvpanic_acpi\|20-force_drivers')"
timed reload kdump-config reload
report boot
crash
