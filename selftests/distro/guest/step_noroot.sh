#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# (d) A crash kernel that cannot mount its root file system: root=/dev/vdz
# appended to kdump-tools' default KDUMP_CMDLINE_APPEND (the last root=
# wins), the crash kernel reloaded, then a crash.
. /mnt/agent/lib.sh
def=$(sed -n 's/^KDUMP_CMDLINE_APPEND=\${KDUMP_CMDLINE_APPEND:="\(.*\)"}.*/\1/p' /usr/sbin/kdump-config | head -n 1)
[ -n "$def" ] || { echo "no default KDUMP_CMDLINE_APPEND in kdump-config"; exit 1; }
echo "KDUMP_CMDLINE_APPEND=\"$def root=/dev/vdz\"" >>/etc/default/kdump-tools
# Without the package on a dracut system (sid) kdump-tools has no crash
# initrd: pvpanic-mmio too is watched in a crash kernel.
crash_initrd_by_hand
timed reload kdump-config reload
R noroot.cmdline "$(kdump-config show 2>&1 | grep -c 'root=/dev/vdz')"
kdump-config show
report boot
crash
