#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# (f) A panic with no crash kernel loaded.
. /mnt/agent/lib.sh
timed unload kdump-config unload
report boot
crash
