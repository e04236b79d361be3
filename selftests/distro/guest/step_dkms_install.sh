#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# (c) The README's way instead of the package: make dkms-install in a copy
# of the repository, modprobe, the device moved from pvpanic-mmio by hand;
# kdump-tools' crash initrd is left as it was (no pvpanic_acpi in it), or
# where kdump-tools has none (sid: dracut), built as README.md says, after
# the install.  Then a crash with default settings.
. /mnt/agent/lib.sh
report before
rm -rf /root/pvpanic-acpi
cp -r "$A/src" /root/pvpanic-acpi
cd /root/pvpanic-acpi || exit 1
timed dkms_install make dkms-install
timed modprobe modprobe pvpanic_acpi
echo QEMU0001:00 >/sys/bus/platform/drivers/pvpanic-mmio/unbind
echo QEMU0001:00 >/sys/bus/platform/drivers/pvpanic_acpi/bind
crash_initrd_by_hand
report after full
crash
