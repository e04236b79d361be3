#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# (b), (e), (h): the machine as it booted, then a crash with default
# settings.  Where kdump-tools has no crash initrd (sid without the
# package), first the one README.md tells users to build.
. /mnt/agent/lib.sh
crash_initrd_by_hand
report boot
crash
