#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# (b), (e): the machine as it booted, then a crash with default settings.
. /mnt/agent/lib.sh
report boot
crash
