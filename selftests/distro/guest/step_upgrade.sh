#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# (g) Install the older package, upgrade to the new one, remove it.
. /mnt/agent/lib.sh
old=$(cat "$A/debs/old") new=$(cat "$A/debs/new")
report before
timed install_old apt install -y "$(deb "$old")"
report old full
timed upgrade apt install -y "$(deb "$new")"
report new full
R new.src "$(ls -d /usr/src/pvpanic-acpi-* | tr '\n' ' ')"
R new.dkms_versions "$(ls /var/lib/dkms/pvpanic-acpi | grep -v '^kernel-' | tr '\n' ' ')"
timed remove apt remove -y pvpanic-acpi-dkms
report removed full
leftovers removed
