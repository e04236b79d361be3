#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Boot a selftests/distro image (scripts/distro/image.sh) under QEMU once.

  vm.py --disk DISK --share DIR --out DIR [options]

The disk is a qcow2 overlay (one per scenario, on the image or on another
overlay) or the raw image itself.  The guest boots /boot's kernel and
initrd as the guest's agent left them in SHARE/boot (-kernel/-initrd), with
root=/dev/vda, console=ttyS0 and crashkernel=256M; SHARE is the 9p share
"agent" (run.sh, out/boot-N.log).  QEMU runs with QEMU's own pvpanic device
(-device pvpanic, the default -action: panic=shutdown) and -no-reboot, so
that a reboot (kdump-tools' after saving a dump) ends the run too.  TCG,
-cpu max as scripts/vm/run-vm.py (with svm=off, trixie's glibc aborts in
its initrd under QEMU 7.2's TCG: "_dl_get_origin: assertion failed").
A guest with more than one vCPU runs under single-threaded TCG: QEMU
7.2's multi-threaded TCG now and then hangs a 7.x kernel at smpboot or
oopses it on an int3 (scripts/vm/run-vm.py does the same for 7.x), and
oopsed Debian 13's 6.12 too, on an int3 in sched_clock_cpu() as the
clocksource watchdog of a loaded host marked the TSC unstable (the
static key patched while the other vCPU ran it).

Written to OUT:
  serial.log  every console line, "<host time> <line>"
  qmp.log     every QMP event as JSON, with QEMU's timestamp and host_recv
  cmd.txt     the QEMU command line
  vm.txt      how the run ended and how long it took (also printed)

Exit status: 0 QEMU ended by itself; 3 --until matched (QEMU was killed
--grace seconds later); 2 the timeout killed QEMU; 1 QEMU failed.  Only
the QEMU started here is ever killed (by its pid; it also dies with us)."""
import argparse
import ctypes
import json
import os
import re
import signal
import struct
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "vm"))
import qmpsock  # noqa: E402 (the harness's)

ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
ap.add_argument("--disk", required=True)
ap.add_argument("--share", required=True)
ap.add_argument("--out", required=True)
ap.add_argument("--kernel", help="default: SHARE/boot/vmlinuz")
ap.add_argument("--initrd", help="default: SHARE/boot/initrd.img")
ap.add_argument("--append", default="", help="more kernel parameters")
ap.add_argument("--timeout", type=float, default=900)
ap.add_argument("--until", help="regex: stop once a console line matches it")
ap.add_argument("--grace", type=float, default=10, help="seconds after --until")
ap.add_argument("--mem", default="2048")
ap.add_argument("--smp", default="2")
ap.add_argument("--no-pvpanic", action="store_true")
ap.add_argument("--qemu", default=os.environ.get("PVP_QEMU_BIN", "qemu-system-x86_64"))
a = ap.parse_args()

# Ended with whoever started us (a test killed mid-run): SIGTERM, below,
# then kills our QEMU.
ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)
os.makedirs(a.out, exist_ok=True)
kernel = a.kernel or os.path.join(a.share, "boot", "vmlinuz")
initrd = a.initrd or os.path.join(a.share, "boot", "initrd.img")
for f in (a.disk, kernel, initrd):
    if not os.path.exists(f):
        sys.exit(f"vm.py: {f} does not exist")
qmp_path = os.path.join(a.out, "qmp.sock")
if os.path.exists(qmp_path):
    os.unlink(qmp_path)
fmt = "raw" if a.disk.endswith(".raw") else "qcow2"


def kernel_release(path):
    """The release a bzImage was built as, from its setup header
    (kernel_version, at 0x20e: an offset from 0x200 to the version
    string), or "" if it is not a bzImage."""
    with open(path, "rb") as f:
        head = f.read(0x8000)
    if len(head) < 0x210 or head[0x202:0x206] != b"HdrS":
        return ""
    off = struct.unpack_from("<H", head, 0x20E)[0] + 0x200
    return head[off:off + 64].split(b" ")[0].decode("ascii", "replace")


release = kernel_release(kernel)
accel = "tcg" if a.smp == "1" else "tcg,thread=single"
append = "root=/dev/vda rw console=ttyS0 crashkernel=256M " + a.append
cmd = [a.qemu, "-nodefaults", "-no-user-config", "-machine", "pc", "-accel", accel,
       "-cpu", "max", "-m", a.mem, "-smp", a.smp, "-vga", "none", "-display", "none",
       "-kernel", kernel, "-initrd", initrd, "-append", append.strip(),
       "-drive", f"file={a.disk},if=virtio,format={fmt},cache=unsafe",
       "-virtfs", f"local,path={os.path.abspath(a.share)},mount_tag=agent,"
                  "security_model=none,id=agent",
       "-serial", "stdio", "-monitor", "none", "-no-reboot",
       "-qmp", f"unix:{qmp_path},server=on,wait=off"]
if not a.no_pvpanic:
    cmd += ["-device", "pvpanic"]
with open(os.path.join(a.out, "cmd.txt"), "w") as f:
    f.write(" ".join(cmd) + "\n")
    f.write(f"# kernel {release or '?'}\n")


def die_with_parent():
    # PR_SET_PDEATHSIG: QEMU gets SIGKILL if this script dies.
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)


ser = open(os.path.join(a.out, "serial.log"), "w")
qlog = open(os.path.join(a.out, "qmp.log"), "w")
lock = threading.Lock()
t_start = time.time()
p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                     stderr=subprocess.STDOUT, preexec_fn=die_with_parent)


def stop(signum, frame):
    # The main thread may be inside p.wait(timeout), holding Popen's
    # waitpid lock: p.wait() here would wait for it forever.  Reap QEMU
    # with os.waitpid instead, and leave at once.
    with lock:
        ser.write(f"{time.time():.3f} [host] signal {signum}, qemu killed\n")
        ser.flush()
    p.kill()
    try:
        os.waitpid(p.pid, 0)
    except ChildProcessError:
        pass
    qlog.flush()
    os._exit(128 + signum)


signal.signal(signal.SIGTERM, stop)
signal.signal(signal.SIGINT, stop)
with lock:
    ser.write(f"{t_start:.3f} [host] qemu started (pid {p.pid})\n")
until = re.compile(a.until) if a.until else None
matched = threading.Event()


def read_serial():
    for raw in iter(p.stdout.readline, b""):
        line = raw.decode("utf-8", "replace").rstrip("\r\n")
        with lock:
            ser.write(f"{time.time():.3f} {line}\n")
            ser.flush()
        if until and not matched.is_set() and until.search(line):
            matched.set()


def read_qmp():
    f = qmpsock.qmp_events(qmp_path, 20)
    if f is None:
        return
    for line in f:
        try:
            m = json.loads(line)
        except ValueError:
            continue
        if "event" in m:
            m["host_recv"] = round(time.time(), 6)
            qlog.write(json.dumps(m) + "\n")
            qlog.flush()


ts = threading.Thread(target=read_serial, daemon=True)
tq = threading.Thread(target=read_qmp, daemon=True)
ts.start()
tq.start()
deadline = t_start + a.timeout
rc = None
why = None
while rc is None:
    try:
        rc = p.wait(timeout=0.5)
        why = f"qemu exited ({rc})"
        status = 0 if rc == 0 else 1
    except subprocess.TimeoutExpired:
        if matched.is_set():
            time.sleep(a.grace)
            p.kill()
            p.wait()
            rc = -9
            why = f"--until matched, qemu killed {a.grace:g} s later"
            status = 3
        elif time.time() > deadline:
            p.kill()
            p.wait()
            rc = -9
            why = f"timeout ({a.timeout:g} s), qemu killed"
            status = 2
ts.join(5)
time.sleep(0.3)
t_end = time.time()
with lock:
    ser.write(f"{t_end:.3f} [host] {why}\n")
    ser.close()
qlog.close()
msg = f"{why}; {t_end - t_start:.1f} s"
with open(os.path.join(a.out, "vm.txt"), "w") as f:
    f.write(msg + "\n")
print(msg)
sys.exit(status)
