#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# (g) After the removal and a reboot: who holds the device; then purge.
. /mnt/agent/lib.sh
report boot
timed purge apt purge -y pvpanic-acpi-dkms
leftovers purged
