#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Boot a kernel N times under QEMU as run-vm.py does (same machine, CPU,
command line and PVH entry), each only until its console shows --stop-at
(default: the kernel starts /init), and count the boots whose console
matched splat.re before that: how often a kernel reports during its own
boot, before anything of ours runs (issue 33). Nothing is loaded, nothing
of the host is shared: the initramfs is busybox powering off.

  scripts/debug-kernel/boot-loop.py --kver 6.1.192-pvpanic-debug -n 20
  ... --la57   (as before issue 33's fix: does an option change it?)
  ... -n 1 --stop-at 'boot-loop: '   (its init says how many paging levels)

Each boot's console is kept in --out (bootNNN.log); the boots with a
report are listed with their first report line. Exit status 1 if any.
"""

import argparse
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
VM = os.path.join(os.path.dirname(HERE), "vm")
spec = importlib.util.spec_from_file_location("run_vm", os.path.join(VM, "run-vm.py"))
run_vm = importlib.util.module_from_spec(spec)
spec.loader.exec_module(run_vm)

# The kernel keeps the la57 flag only while it runs with 5-level paging.
INIT = r"""#!/bin/busybox sh
/bin/busybox mkdir -p /proc
/bin/busybox mount -t proc proc /proc
if /bin/busybox grep -qw la57 /proc/cpuinfo; then
	echo "boot-loop: 5-level paging (la57)"
else
	echo "boot-loop: 4-level paging"
fi
/bin/busybox poweroff -f
"""


def initramfs(d):
    root = os.path.join(d, "root")
    os.makedirs(os.path.join(root, "bin"))
    shutil.copy(shutil.which("busybox") or "/bin/busybox", os.path.join(root, "bin"))
    with open(os.path.join(root, "init"), "w") as f:
        f.write(INIT)
    os.chmod(os.path.join(root, "init"), 0o755)
    path = os.path.join(d, "initrd.cpio")
    with open(path, "wb") as f:
        subprocess.run("find . | cpio -o -H newc --quiet", shell=True, cwd=root,
                       stdout=f, check=True)
    return path


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kver", required=True)
    ap.add_argument("-n", type=int, default=10, help="boots (10)")
    ap.add_argument("--smp", default="1")
    ap.add_argument("--mem", default="1536")
    ap.add_argument("--append", default="")
    ap.add_argument("--la57", action="store_true",
                    help="without run-vm.py's no5lvl: 5-level paging where the CPU has it "
                    "(QEMU's max does) and the kernel enters through its bzImage")
    ap.add_argument("--qemu-arg", action="append", default=[])
    ap.add_argument("--stop-at", default=r"Run /init as init process",
                    help="end a boot when its console matches this (a regex)")
    ap.add_argument("--timeout", type=float, default=300, help="seconds per boot")
    ap.add_argument("--out", help="keep the consoles here (default: a new directory)")
    a = ap.parse_args()
    out = a.out or tempfile.mkdtemp(prefix="boot-loop-")
    os.makedirs(out, exist_ok=True)
    image = run_vm.boot_image(a.kver, "/boot/vmlinuz-" + a.kver)
    stop = re.compile(a.stop_at.encode())
    # run-vm.py's command line, less what only its initramfs reads
    cmdline = ("console=ttyS0 panic=-1 no_hash_pointers printk.devkmsg=on "
               "log_buf_len=4M no_timer_check %ssysrq_always_enabled rdinit=/init %s"
               % ("" if a.la57 else "no5lvl ", a.append))
    bad_boots = []
    with tempfile.TemporaryDirectory() as d:
        initrd = initramfs(d)
        for i in range(1, a.n + 1):
            console = os.path.join(out, "boot%03d.log" % i)
            if os.path.exists(console):
                os.unlink(console)  # an earlier loop's
            qemu = ["qemu-system-x86_64", "-nodefaults", "-no-user-config",
                    "-display", "none", "-machine", "pc", "-accel", "tcg", "-cpu", "max",
                    "-m", a.mem, "-smp", a.smp, "-kernel", image, "-initrd", initrd,
                    "-append", cmdline, "-serial", "file:" + console,
                    "-no-reboot"] + a.qemu_arg
            t0 = time.time()
            proc = subprocess.Popen(qemu, stdin=subprocess.DEVNULL,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            how = "timeout"
            while time.time() - t0 < a.timeout:
                if proc.poll() is not None:
                    how = "ended"
                    break
                try:
                    with open(console, "rb") as f:
                        if stop.search(f.read()):
                            how = "stop-at"
                            break
                except OSError:
                    pass
                time.sleep(0.1)
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            with open(console, errors="replace") as f:
                text = f.read()
            m = stop.search(text.encode())
            reports = run_vm.scan(text[:m.start()] if m else text, False)
            print("boot %d/%d: %.1fs, %s, %s" % (
                i, a.n, time.time() - t0, how,
                "REPORT: " + reports[0].strip() if reports else "clean"), flush=True)
            if reports:
                bad_boots.append((i, reports[0].strip()))
    print("%d of %d boots reported before %r (consoles in %s)"
          % (len(bad_boots), a.n, a.stop_at, out))
    for i, line in bad_boots:
        print("  boot %d: %s" % (i, line))
    return 1 if bad_boots else 0


if __name__ == "__main__":
    sys.exit(main())
