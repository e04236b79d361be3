#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Boot an arm64 kernel under qemu-system-aarch64 -M virt (TCG) with an
initramfs that does all the work, for selftests/qemu/test_upstream_arm64.sh.

The serial console goes to --console-log; every console line that matches
--mark (an ERE: the guest's own "pvpanic-arm64:" lines and the kernel's
landmarks: its start, a panic, the jump into a crash kernel) is also
written, with the seconds since QEMU started, to --marks, and its end as
"pvpanic-arm64: QEMU exited" (or "timeout").  QMP events go to --qmp-log as JSON lines, as
scripts/vm/run-vm.py writes them (selftests/pvptest.py qmp-events reads
them).  The guest is expected to end QEMU itself: a power-off, or a
reboot turned into an exit by -no-reboot.

Exit status: 0 when QEMU exited by itself, 91 at --timeout (QEMU killed).
"""

import argparse
import re
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "vm"))
import qmpsock  # noqa: E402 (the harness's)

RC_TIMEOUT = 91
MARK = (r"pvpanic-arm64:|Booting Linux on physical CPU|Kernel panic - not syncing|"
        r"Starting crashdump kernel|reboot: ")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--kernel", required=True)
    p.add_argument("--initrd", required=True)
    p.add_argument("--append", default="")
    p.add_argument("--cpu", default="max,pauth-impdef=on")
    p.add_argument("--mem", default="1536")
    p.add_argument("--timeout", type=float, default=600)
    p.add_argument("--console-log", required=True)
    p.add_argument("--qmp-log", required=True)
    p.add_argument("--marks", required=True)
    p.add_argument("--mark", default=MARK)
    p.add_argument("--qemu-arg", action="append", default=[])
    a = p.parse_args()

    d = tempfile.mkdtemp(prefix="pvp-arm64-")
    sock = os.path.join(d, "qmp.sock")
    qemu = ["qemu-system-aarch64", "-M", "virt", "-accel", "tcg",
            "-cpu", a.cpu, "-smp", "1", "-m", a.mem,
            "-display", "none", "-monitor", "none", "-serial", "stdio",
            "-no-reboot", "-kernel", a.kernel, "-initrd", a.initrd,
            "-append", a.append,
            "-qmp", "unix:%s,server=on,wait=off" % sock] + a.qemu_arg
    mark = re.compile(a.mark)
    for f in (a.console_log, a.qmp_log, a.marks):
        open(f, "w").close()
    t0 = time.time()
    proc = qmpsock.start_qemu(qemu)

    def qmp_log():
        qmpsock.log_events(sock, a.qmp_log)

    def console_log():
        with open(a.console_log, "ab") as cons, open(a.marks, "a") as marks:
            for line in proc.stdout:
                cons.write(line)
                cons.flush()
                text = line.decode(errors="replace").rstrip("\r\n")
                if mark.search(text):
                    marks.write("%.1f %s\n" % (time.time() - t0, text))
                    marks.flush()

    q = threading.Thread(target=qmp_log, daemon=True)
    q.start()
    c = threading.Thread(target=console_log, daemon=True)
    c.start()
    try:
        proc.wait(a.timeout)
        rc = 0
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        rc = RC_TIMEOUT
    c.join(10)
    q.join(5)
    elapsed = time.time() - t0
    with open(a.marks, "a") as marks:
        marks.write("%.1f pvpanic-arm64: %s\n" % (
            elapsed, "timeout, QEMU killed" if rc else "QEMU exited"))
    try:
        os.unlink(sock)
        os.rmdir(d)
    except OSError:
        pass
    return rc


if __name__ == "__main__":
    sys.exit(main())
