#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""One boot of scripts/distro/vm.py, for the shell tests: shell assignments
(one a line, quoted) of what QEMU and the console showed.

  boot_report.py BOOTDIR

  events     the QMP events, one word each: EVENT[:action or reason]
  crash      1 if the console showed the kernel's "sysrq: Trigger a crash"
  t_EVENT    seconds from that line (host time) to the first EVENT (QEMU's
             timestamp), e.g. t_GUEST_CRASHLOADED
  m_NAME     seconds from that line to the first console line after it
             that matches NAME's pattern below
  m_end      seconds from that line to QEMU's end
  k_init_probe  seconds, in the crash kernel's own clock (its printk
             times), from its "Run /init" line to the driver's report
             (systemd's status lines, udevd's among them, carry no printk
             time: m_udevd - m_init is in host time)
  length     seconds from QEMU's start to its end
Times are empty when the thing did not happen."""
import json
import os
import re
import shlex
import sys

MARKS = {
    "crashkernel": r"Linux version ",
    "init": r"Run /init as init process",
    # systemd's unit (dracut) or initramfs-tools' init-top/udev
    "udevd": r"Starting .*systemd-udevd\.service|Starting systemd-udevd version",
    "probe": r"pvpanic_acpi QEMU0001:00: kdump kernel: reported CRASH_LOADED",
    "rootmount": r"EXT4-fs \(vda\): mounted filesystem",
    "systemd": r"systemd\[1\]: |Welcome to ",
    "saved": r"saved vmcore in",
    # initramfs-tools; dracut (sid): its initqueue timed out, then
    # systemd's emergency mode
    "gaveup": r"Gave up waiting for root|dracut-initqueue\[[0-9]+\]: Warning: Could not boot\.",
}

d = sys.argv[1]
ser = []
with open(os.path.join(d, "serial.log"), errors="replace") as f:
    for line in f:
        t, _, rest = line.rstrip("\n").partition(" ")
        try:
            ser.append((float(t), rest))
        except ValueError:
            pass
crash = next((t for t, l in ser if "sysrq: Trigger a crash" in l), None)
out = {"crash": "1" if crash else "0"}
out["length"] = f"{ser[-1][0] - ser[0][0]:.1f}" if ser else ""
words = []
first = {}
try:
    with open(os.path.join(d, "qmp.log")) as f:
        for line in f:
            m = json.loads(line)
            ev = m["event"]
            data = m.get("data", {})
            w = ev
            if "action" in data:
                w += ":" + data["action"]
            elif "reason" in data:
                w += ":" + data["reason"]
            words.append(w)
            ts = m["timestamp"]["seconds"] + m["timestamp"]["microseconds"] / 1e6
            first.setdefault(ev, ts)
except FileNotFoundError:
    pass
out["events"] = " ".join(words)
for ev in ("GUEST_CRASHLOADED", "GUEST_PANICKED", "SHUTDOWN"):
    out["t_" + ev] = f"{first[ev] - crash:.2f}" if crash and ev in first else ""
for name, pat in MARKS.items():
    r = re.compile(pat)
    t = next((t for t, l in ser if crash and t >= crash and r.search(l)), None)
    out["m_" + name] = f"{t - crash:.2f}" if t is not None else ""
KTIME = re.compile(r"^\[ *([0-9]+\.[0-9]+)\]")
ktimes = {}
for name in ("init", "probe"):
    r = re.compile(MARKS[name])
    line = next((l for t, l in ser if crash and t >= crash and r.search(l)), None)
    m = KTIME.search(line) if line else None
    if m:
        ktimes[name] = float(m.group(1))
ok = "init" in ktimes and "probe" in ktimes
out["k_init_probe"] = f"{ktimes['probe'] - ktimes['init']:.2f}" if ok else ""
out["m_end"] = f"{ser[-1][0] - crash:.2f}" if crash and ser else ""
for k, v in out.items():
    print(f"{k}={shlex.quote(v)}")
