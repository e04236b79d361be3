#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Boot an installed Debian kernel under QEMU and run one command inside it.

The guest's root file system is the host's own root, read-only over 9p (the
way virtme does it), so every tool of the host (bash, python3, modprobe,
kexec, this repository at its own path) is there without building an image.
A small busybox initramfs loads the 9p modules and switches to that root.
/tmp, /run and /var/tmp are tmpfs; a host directory is shared read-write as
$PVP_OUT for results.

Exit status: the guest command's own, or
  90  a kernel splat (BUG, WARNING, lockdep, KASAN, ...) or a bad taint,
  91  the guest did not finish within --timeout (hung),
  92  the guest died before the command finished (crash, unexpected panic).
With --boot-retries N (PVP_BOOT_RETRIES), a guest whose kernel reported
before the command started, so before any module of ours was loaded, is
booted again, up to N times; the last boot's result is the run's.
"""

import argparse
import hashlib
import json
import os
import re
import shlex
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import qmpsock  # noqa: E402 (beside this file)
ROOT = os.path.dirname(os.path.dirname(HERE))
CACHE = os.path.join(os.environ.get("XDG_CACHE_HOME",
                                    os.path.expanduser("~/.cache")),
                     "pvpanic-acpi")

RC_SPLAT, RC_TIMEOUT, RC_DIED = 90, 91, 92

# What fails a run even when the command passed.
# One ERE, shared with selftests/lib.sh (each test's own check).
with open(os.path.join(HERE, "splat.re")) as f:
    SPLAT = re.compile(f.read().strip())
# Where an expected real panic starts; nothing after it is scanned.
PANIC_START = re.compile(r"(sysrq: Trigger a crash|Kernel panic - not syncing|"
                         r"pvpanic-test: panicking now)")
# Taint flags allowed: O (out-of-tree, 4096), E (unsigned module, 8192)
# and N (a test module: pvpanic_sim carries MODULE_INFO(test, "Y"), 1 << 18).
TAINT_OK = 4096 | 8192 | (1 << 18)


def qemu_binary(which):
    """PVP_QEMU: 7.2 (Debian 12's, the default), 10 (Debian 13's, from
    scripts/qemu10.sh's cached root), or the path of a QEMU binary."""
    if which in ("", "7.2"):
        return "qemu-system-x86_64"
    if which in ("10", "10.0"):
        return subprocess.run([os.path.join(os.path.dirname(HERE), "qemu10.sh")],
                              check=True, capture_output=True, text=True).stdout.strip()
    return which


def log(msg):
    print("run-vm: " + msg, file=sys.stderr, flush=True)


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def module_deps(kver, mods):
    """insmod order (host paths) for mods and their dependencies."""
    paths = []
    out = ""
    for mod in mods:  # one at a time: further words would be parameters
        out += subprocess.run(["modprobe", "--show-depends", "-S", kver, mod],
                              check=True, capture_output=True, text=True).stdout
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0] == "insmod" and parts[1] not in paths:
            paths.append(parts[1])
    return paths


INIT = r"""#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
for m in /modules/*.ko; do
	[ -e "$m" ] || continue		# none: the kernel has them built in
	insmod "$m" || echo "initramfs: insmod $m failed"
done
mkdir -p /newroot
# The virtio devices are probed asynchronously: wait for the 9p tags.
i=0
until grep -qs hostroot /sys/bus/virtio/drivers/9pnet_virtio/virtio*/mount_tag; do
	i=$((i + 1))
	[ $i -gt 200 ] && break
	sleep 0.05
done
if ! mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=512000,cache=loose hostroot /newroot; then
	echo "initramfs: cannot mount the host root over 9p"
	echo o > /proc/sysrq-trigger
	sleep 10
fi
for d in tmp run var/tmp var/lib/dkms; do
	[ -d /newroot/$d ] && mount -t tmpfs tmpfs /newroot/$d
done
mkdir -p /newroot/run/pvp-out
# The repository again at its own path, in case a tmpfs above hid it.
for w in $(cat /proc/cmdline); do
	case $w in pvp.root=*) root=${w#pvp.root=} ;; esac
done
# Cached like the root: the host does not change it while a guest runs,
# and every exec of the tools in it otherwise reads them again over 9p.
if [ -n "$root" ]; then
	mkdir -p "/newroot$root" 2>/dev/null
	mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=512000,cache=loose pvproot "/newroot$root"
fi
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 pvpout /newroot/run/pvp-out
mount --move /dev /newroot/dev
mount --move /proc /newroot/proc
mount --move /sys /newroot/sys
exec switch_root /newroot /bin/bash /run/pvp-out/guest-init.sh
"""

GUEST_INIT = r"""#!/bin/bash
# PID 1 of the guest, on the host's root: run the command, then power off.
# One block, parsed whole before it runs: this file's 9p share is unmounted
# at the end and the root goes with the poweroff, and PID 1 must not exit
# (nor read or exec anything) meanwhile.
{
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root TERM=dumb
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
mkdir -p /dev/pts /dev/shm && mount -t devpts devpts /dev/pts && mount -t tmpfs tmpfs /dev/shm
ip link set lo up 2>/dev/null
hostname pvpanic-guest
echo "guest-init: booted $(uname -r) in $(cut -d' ' -f1 /proc/uptime)s"
ln -sf /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
# A kmemleak kernel (make check-debug): forget what boot left behind, and
# after the command scan twice (objects younger than 5 s are not reported)
# and show what is left; the scan's "new suspected" line fails the run.
kml=/sys/kernel/debug/kmemleak
if [ -w $kml ]; then
	echo scan >$kml
	echo clear >$kml
	echo "guest-init: kmemleak baseline: boot-time suspects cleared" |
		tee /dev/kmsg
fi
# scripts/vm/selftest.sh proves the boot retry with a report of boot's
# (the kernel's own cannot be had at will).
if grep -qw pvp.selftest_boot_report /proc/cmdline; then
	echo "BUG: forced by the harness self-test, before the command" >/dev/kmsg
fi
# Everything the kernel logged before this line ran before any module of
# ours was loaded: run-vm tells boot's reports from the command's by it.
echo "guest-init: command starts, no module of ours loaded before" >/dev/kmsg
bash /run/pvp-out/cmd.sh </dev/null 2>&1 | tee /run/pvp-out/cmd.log
rc=${PIPESTATUS[0]}
# A lockdep kernel: was lockdep still on at the end? Some reports, and any
# taint that makes it unreliable, turn it off, and nothing after is checked.
if [ -r /proc/lockdep_stats ]; then
	dl=$(awk '$1 == "debug_locks:" { print $2 }' /proc/lockdep_stats)
	echo "$dl" >/run/pvp-out/debug_locks
	echo "guest-init: lockdep: debug_locks $dl at the end of the command"
fi
if [ -w $kml ]; then
	echo scan >$kml
	sleep 6
	echo scan >$kml
	cat $kml >/run/pvp-out/kmemleak.txt
	if [ -s /run/pvp-out/kmemleak.txt ]; then
		echo "guest-init: kmemleak report:"
		cat /run/pvp-out/kmemleak.txt
	else
		echo "guest-init: kmemleak: no leak after the command"
	fi
fi
sleep 0.2
dmesg > /run/pvp-out/dmesg.txt
cat /proc/sys/kernel/tainted > /run/pvp-out/tainted
echo $rc > /run/pvp-out/rc
sync
umount /run/pvp-out
echo "guest-init: command exited $rc, powering off"
@END@
while :; do read -rt 1 </dev/console; done
}
"""
# How PID 1 ends the guest: sysrq o (kernel_power_off(), whatever the
# kernel thinks it can do), or --end poweroff: PID 1 itself asks for a
# power-off as an init does (busybox poweroff -f: reboot(2), POWER_OFF),
# which the kernel turns into a halt when nothing can power off; the run
# then ends at the console's "System halted".
END = {"sysrq": "echo o > /proc/sysrq-trigger",
       "poweroff": "exec busybox poweroff -f"}
# 6.1: "reboot: System halted"; 6.12 and later, when a power-off became a
# halt: "reboot: Power off not available: System halted instead".
HALTED = re.compile(rb"reboot: (Power off not available: )?System halted")


def build_initramfs(kver):
    mods = module_deps(kver, ["9pnet_virtio", "9p", "virtio_pci"])
    key = hashlib.sha256((INIT + kver + "\n".join(mods)).encode()).hexdigest()
    path = os.path.join(CACHE, "initramfs-%s-%s.cpio.gz" % (kver, key[:12]))
    if os.path.exists(path):
        return path
    os.makedirs(CACHE, exist_ok=True)
    busybox = shutil.which("busybox") or "/bin/busybox"
    with tempfile.TemporaryDirectory() as d:
        for sub in ("bin", "proc", "sys", "dev", "modules", "newroot"):
            os.makedirs(os.path.join(d, sub))
        shutil.copy(busybox, os.path.join(d, "bin", "busybox"))
        for i, m in enumerate(mods):
            dst = os.path.join(d, "modules", "%02d-%s" % (i, os.path.basename(m)))
            for ext, tool in ((".xz", "xz"), (".zst", "zstd"), (".gz", "gzip")):
                if m.endswith(ext):
                    dst = dst[:-len(ext)]
                    with open(dst, "wb") as f:
                        sh([tool, "-dc", m], stdout=f)
                    break
            else:
                shutil.copy(m, dst)
        with open(os.path.join(d, "init"), "w") as f:
            f.write(INIT)
        os.chmod(os.path.join(d, "init"), 0o755)
        tmp = "%s.%d.tmp" % (path, os.getpid())  # guests may start at once
        with open(tmp, "wb") as f:
            p1 = subprocess.Popen("find . | cpio -o -H newc --quiet", shell=True,
                                  cwd=d, stdout=subprocess.PIPE)
            sh(["gzip", "-1"], stdin=p1.stdout, stdout=f)
            if p1.wait():
                raise SystemExit("run-vm: cpio failed")
        os.rename(tmp, path)
    return path


def with_acpi_tables(initrd, tables, out):
    """The initrd behind an uncompressed cpio of kernel/firmware/acpi/*.aml,
    where the kernel looks for tables to upgrade (CONFIG_ACPI_TABLE_UPGRADE;
    a table replaces the firmware's only with a higher OEM revision)."""
    path = os.path.join(out, "initrd-acpi.img")
    with tempfile.TemporaryDirectory() as d:
        acpi = os.path.join(d, "kernel", "firmware", "acpi")
        os.makedirs(acpi)
        for t in tables:
            shutil.copy(t, acpi)
        with open(path, "wb") as f:
            sh("find kernel | cpio -o -H newc --quiet", shell=True, cwd=d, stdout=f)
            with open(initrd, "rb") as i:
                shutil.copyfileobj(i, f)
    return path


# bzImage payloads the kernel build appends its uncompressed size to, and
# the tool that undoes each (scripts/Makefile.lib: size_append).
PAYLOADS = ((b"\xfd7zXZ\x00", ["xz", "-dc"]), (b"\x28\xb5\x2f\xfd", ["zstd", "-dcq"]))


def pvh_note(elf):
    """Whether an ELF kernel has the PVH entry note (Xen's PHYS32_ENTRY)."""
    if elf[:5] != b"\x7fELF\x02":
        return False
    phoff, = struct.unpack_from("<Q", elf, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", elf, 0x36)
    for i in range(phnum):
        ptype, = struct.unpack_from("<I", elf, phoff + i * phentsize)
        if ptype != 4:  # PT_NOTE
            continue
        off, = struct.unpack_from("<Q", elf, phoff + i * phentsize + 8)
        size, = struct.unpack_from("<Q", elf, phoff + i * phentsize + 32)
        end = off + size
        while off + 12 <= end:
            namesz, descsz, ntype = struct.unpack_from("<III", elf, off)
            name = elf[off + 12:off + 12 + namesz]
            if name == b"Xen\x00" and ntype == 18:
                return True
            off += 12 + (namesz + 3) // 4 * 4 + (descsz + 3) // 4 * 4
    return False


def boot_image(kver, bzimage):
    """What QEMU boots: the kernel decompressed once and cached, entered
    through PVH (under TCG the bzImage's own decompressor is a large part
    of every boot), or the bzImage itself if that cannot be done."""
    st = os.stat(bzimage)
    path = os.path.join(CACHE, "vmlinux-%s-%d-%d" % (kver, st.st_size, int(st.st_mtime)))
    if os.path.exists(path):
        return path
    with open(bzimage, "rb") as f:
        k = f.read()
    start = ((k[0x1f1] or 4) + 1) * 512
    off, length = struct.unpack_from("<II", k, 0x248)
    payload = k[start + off:start + off + length]
    for magic, tool in PAYLOADS:
        if payload.startswith(magic) and shutil.which(tool[0]):
            want, = struct.unpack("<I", payload[-4:])
            p = subprocess.run(tool, input=payload[:-4], capture_output=True)
            if p.returncode == 0 and len(p.stdout) == want and pvh_note(p.stdout):
                os.makedirs(CACHE, exist_ok=True)
                tmp = "%s.%d.tmp" % (path, os.getpid())
                with open(tmp, "wb") as f:
                    f.write(p.stdout)
                os.rename(tmp, path)
                return path
    log("booting %s as it is (no PVH-capable payload found)" % bzimage)
    return bzimage


SYSRQ_FIRST = "sysrq: Show backtrace of all active CPUs"
SYSRQ_TASKS = "sysrq: Show State"


def sysrq_dump(sock):
    """Ask a hung guest, through the keyboard, for a backtrace of every CPU,
    its blocked tasks and every task's stack (sysrq l, w, t) onto the
    console; True if asked.  A test waiting for a child that never ends
    shows only in t: nothing is blocked."""
    f = qmpsock.qmp_events(sock, 2)
    if f is None:
        return False
    for key in "lwt":
        keys = [{"type": "qcode", "data": k} for k in ("alt", "sysrq", key)]
        f.write(json.dumps({"execute": "send-key", "arguments": {"keys": keys}}) + "\n")
        f.flush()
    time.sleep(8)  # every task's stack, through the serial console
    return True


class QmpLogger(threading.Thread):
    """Reads QMP events from QEMU and writes them as JSON lines."""

    def __init__(self, sock_path, out_path, stop_on):
        super().__init__(daemon=True)
        self.sock_path, self.out_path, self.stop_on = sock_path, out_path, stop_on
        self.seen_stop_event = threading.Event()

    def run(self):
        qmpsock.log_events(self.sock_path, self.out_path, self.seen)

    def seen(self, msg):
        if msg["event"] in self.stop_on:
            self.seen_stop_event.set()


# Boot banners of a debug kernel that name a checker without reporting
# anything ("rcu: \tRCU lockdep checking is enabled.").
BENIGN = re.compile(r"rcu: \s+RCU .* enabled\.$")
KMEMLEAK_BASELINE = "guest-init: kmemleak baseline"
KMEMLEAK_FOUND = re.compile(r"kmemleak: \d+ new suspected")


# GUEST_INIT logs it to the kernel just before the command: nothing of
# ours ran before it.
COMMAND_START = "guest-init: command starts"


def scan_split(text, allow_panic, allowed=()):
    """The reports of scan(), split at the start of the command: (boot's,
    the command's). Without the start line, all are boot's. The command's
    leave out the lines that match a regex of allowed; boot's never do."""
    i = text.find(COMMAND_START)
    if i < 0:
        return scan(text, allow_panic), []
    before = scan(text[:i], allow_panic)
    if allow_panic and PANIC_START.search(text[:i]):
        return before, []  # nothing after the panic start is scanned
    # (the kmemleak baseline comes before the start: all after it counts)
    return before, scan(text[text.rfind("\n", 0, i) + 1:], allow_panic, allowed)


def scan(text, allow_panic, allowed=()):
    bad = []
    # kmemleak suspects found by the scan before the baseline are boot's,
    # not ours (see GUEST_INIT)
    before_baseline = KMEMLEAK_BASELINE in text
    for line in text.splitlines():
        if allow_panic and PANIC_START.search(line):
            break
        if KMEMLEAK_BASELINE in line:
            before_baseline = False
        if before_baseline and KMEMLEAK_FOUND.search(line):
            continue
        if BENIGN.search(line) or any(r.search(line) for r in allowed):
            continue
        if SPLAT.search(line) and "guest-init" not in line:
            bad.append(line)
    return bad


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kver", default=os.environ.get("KVER"), required="KVER" not in os.environ)
    ap.add_argument("--timeout", type=float, default=300)
    ap.add_argument("--mem", default="1024")
    ap.add_argument("--smp", default="2")
    ap.add_argument("--append", default="")
    ap.add_argument("--qemu-arg", action="append", default=[])
    ap.add_argument("--qmp-log", help="write QEMU's QMP events here (JSON lines)")
    ap.add_argument("--qmp-sock", help="also open a QMP server socket at this path")
    ap.add_argument("--stop-on-event", action="append", default=[],
                    help="end the run shortly after this QMP event (needs --qmp-log)")
    ap.add_argument("--allow-panic", action="store_true",
                    help="the guest is meant to panic: a run that ends without "
                         "finishing the command is not a failure, and the log "
                         "after the panic starts is not scanned")
    ap.add_argument("--panic-timeout", type=float,
                    help="with --allow-panic: the guest counts as hung (exit 91) this "
                    "many seconds after its console shows the panic start, "
                    "however long it took to get there (--timeout still bounds the run)")
    ap.add_argument("--allow-splat", action="append", default=[], type=re.compile,
                    metavar="REGEX",
                    help="a kernel report the test expects during its command (a regex "
                    "on the console line, repeatable): not a failure; the test checks it")
    ap.add_argument("--end", choices=sorted(END), default="sysrq",
                    help="how PID 1 ends the guest after the command (default sysrq o; "
                    "poweroff: reboot(2) from PID 1, and a halt ends the run)")
    ap.add_argument("--reboot", action="store_true",
                    help="let a reset reboot the guest (default: QEMU exits, -no-reboot)")
    ap.add_argument("--console-log", help="keep the serial console log here")
    ap.add_argument("--out", help="the directory shared as $PVP_OUT (default: a new one)")
    ap.add_argument("--accel", default=os.environ.get("PVP_ACCEL", "tcg"))
    ap.add_argument("--qemu", default=os.environ.get("PVP_QEMU", ""),
                    help="7.2 (default), 10, or a QEMU binary (PVP_QEMU)")
    ap.add_argument("--quiet", action="store_true", help="do not echo the command's output")
    ap.add_argument("--acpi-table", action="append", default=[],
                    help="an ACPI table (.aml) that replaces the firmware's of the same "
                    "signature, through the kernel's initrd table upgrade (repeatable)")
    ap.add_argument("--boot-retries", type=int,
                    default=int(os.environ.get("PVP_BOOT_RETRIES") or 0),
                    help="boot again, up to this many times, when the kernel reported "
                    "(splat.re) before the command started, so before any module of ours "
                    "was loaded: a fault of the kernel or the emulation (default "
                    "PVP_BOOT_RETRIES or 0; make check-debug: 1). A report after the "
                    "start fails at once; none with --acpi-table. Each retry is logged, "
                    "and appended as a line to the file PVP_RETRY_LOG if set")
    ap.add_argument("command", nargs="+")
    a = ap.parse_args()
    if a.panic_timeout is not None and not a.allow_panic:
        ap.error("--panic-timeout needs --allow-panic")
    if a.panic_timeout is not None and a.panic_timeout <= 0:
        ap.error("--panic-timeout must be a positive number of seconds")
    # make check-debug's kernel runs several times slower: every boot scales
    a.timeout *= int(os.environ.get("PVP_TIMEOUT_SCALE", "1"))
    if a.panic_timeout:
        a.panic_timeout *= int(os.environ.get("PVP_TIMEOUT_SCALE", "1"))

    kernel = "/boot/vmlinuz-" + a.kver
    if not os.path.exists(kernel) or not os.path.isdir("/lib/modules/" + a.kver):
        raise SystemExit("run-vm: kernel %s is not installed (need %s and /lib/modules/%s)"
                         % (a.kver, kernel, a.kver))
    initrd = build_initramfs(a.kver)
    out = a.out or tempfile.mkdtemp(prefix="pvp-vm-")
    os.makedirs(out, exist_ok=True)
    if a.acpi_table:
        initrd = with_acpi_tables(initrd, a.acpi_table, out)
    with open(os.path.join(out, "guest-init.sh"), "w") as f:
        f.write(GUEST_INIT.replace("@END@", END[a.end]))
    env = {"PVP_ROOT": ROOT, "KVER": a.kver, "PVP_OUT": "/run/pvp-out"}
    # the tests' knobs (PVP_TEST_FILTER, PVP_STRESS_CYCLES, PVP_FUZZ_N, ...)
    for k, v in os.environ.items():
        if (k.startswith("PVP_") and k not in env and
                k not in ("PVP_ACCEL", "PVP_BOOT_RETRIES", "PVP_RETRY_LOG")) or \
                k == "XDG_CACHE_HOME":
            env[k] = v
    with open(os.path.join(out, "cmd.sh"), "w") as f:
        for k, v in env.items():
            f.write("export %s=%s\n" % (k, shlex.quote(v)))
        f.write("cd \"$PVP_ROOT\" || exit 1\n")
        f.write(" ".join(a.command) + "\n")

    console = a.console_log or os.path.join(out, "console.log")
    qmp_sock = os.path.join(out, "qmp-runner.sock")
    dump_sock = os.path.join(out, "qmp-dump.sock")
    cmdline = ("console=ttyS0 panic=-1 no_hash_pointers printk.devkmsg=on "
               # tests find their log lines by line number (dmesg_mark):
               # the default 128 KiB buffer wraps in long stress runs
               "log_buf_len=4M "
               # under TCG on a loaded host the IO-APIC timer check can
               # miss its ticks and panic at boot ("IO-APIC + timer
               # doesn't work!"); virtual machines skip it
               "no_timer_check "
               # 4-level paging, as every kernel entered through PVH has
               # anyway: a bzImage (make check-debug's) on -cpu max turns
               # on LA57, and then a KASAN kernel reports a wild-memory-
               # access at boot when an interrupt comes while identify_cpu()
               # has cleared the CPU's capabilities (issue 33)
               "no5lvl "
               # a hung guest is asked for its CPUs and blocked tasks
               "sysrq_always_enabled "
               "rdinit=/init pvp.root=%s %s" % (ROOT, a.append))
    accel = a.accel
    if accel == "kvm" and not os.access("/dev/kvm", os.W_OK):
        accel = "tcg"
    cpu = "max" if accel == "tcg" else "host"
    if accel == "tcg" and a.smp != "1":
        # one host thread for all vCPUs: under multi-threaded TCG a guest
        # with two vCPUs now and then hangs in early boot or oopses on an
        # int3 in kernel text another vCPU is patching (testing.md)
        accel = "tcg,thread=single"
    qemu = [qemu_binary(a.qemu), "-nodefaults", "-no-user-config",
            "-display", "none", "-machine", "pc", "-accel", accel,
            "-cpu", cpu,
            "-m", a.mem, "-smp", a.smp,
            "-kernel", boot_image(a.kver, kernel), "-initrd", initrd, "-append", cmdline,
            "-serial", "file:" + console,
            "-fsdev", "local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap",
            "-device", "virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot",
            "-fsdev", "local,id=pvpout,path=%s,security_model=none,multidevs=remap" % out,
            "-device", "virtio-9p-pci,fsdev=pvpout,mount_tag=pvpout",
            "-fsdev", "local,id=pvproot,path=%s,security_model=none,readonly=on,multidevs=remap" % ROOT,
            "-device", "virtio-9p-pci,fsdev=pvproot,mount_tag=pvproot"]
    if not a.reboot:
        qemu += ["-no-reboot"]
    if a.qmp_log:
        qemu += ["-qmp", "unix:%s,server=on,wait=off" % qmp_sock]
    if a.qmp_sock:
        qemu += ["-qmp", "unix:%s,server=on,wait=off" % a.qmp_sock]
    qemu += ["-qmp", "unix:%s,server=on,wait=off" % dump_sock]
    qemu += a.qemu_arg

    attempts = 1 + max(a.boot_retries, 0)
    if a.acpi_table and attempts > 1:
        # a table of ours is in the boot: no report of it is anyone else's
        log("--acpi-table: no boot retries, the boot itself is ours")
        attempts = 1
    for attempt in range(1, attempts + 1):
        rc = boot(a, qemu, out, console, qmp_sock, dump_sock, attempt, attempts)
        if rc is not None:
            return rc
    raise AssertionError("the last boot is never retried")


def boot(a, qemu, out, console, qmp_sock, dump_sock, attempt, attempts):
    """One boot of the guest: its exit status (see the top of this file),
    or None if boot itself logged a report before the command started and
    a retry is left (see BOOT_RETRY)."""
    for f in ("rc", "cmd.log", "dmesg.txt", "tainted", "debug_locks"):
        if os.path.exists(os.path.join(out, f)):
            os.unlink(os.path.join(out, f))
    if os.path.exists(console):
        os.unlink(console)
    retry_left = attempt < attempts
    t0 = time.time()
    # QEMU has a session of its own: taken down with us if we are killed.
    proc = qmpsock.start_qemu(qemu)
    qmp = None
    if a.qmp_log:
        qmp = QmpLogger(qmp_sock, a.qmp_log, set(a.stop_on_event))
        qmp.start()
    timed_out = False
    stopped_on_event = halted = False
    deadline = t0 + a.timeout
    # The console, read as it grows: for the panic start (--panic-timeout),
    # the halt (--end poweroff) and, while a retry is left, for a report
    # of boot's (the guest is then stopped as soon as its command starts:
    # it is booted again).
    panic_at, cons_f, cons_tail = None, None, b""
    panic_re = re.compile(PANIC_START.pattern.encode())
    watch_boot, boot_text, boot_stopped = retry_left, b"", False
    while proc.poll() is None:
        now = time.time()
        if now > deadline:
            timed_out = True
            break
        if (a.panic_timeout and panic_at is None) or a.end == "poweroff" or watch_boot:
            if cons_f is None and os.path.exists(console):
                cons_f = open(console, "rb")
            if cons_f is not None:
                new = cons_f.read()
                chunk = cons_tail + new
                if a.panic_timeout and panic_at is None and panic_re.search(chunk):
                    panic_at = now
                    deadline = min(deadline, now + a.panic_timeout)
                if a.end == "poweroff" and HALTED.search(chunk):
                    halted = True
                    break
                cons_tail = chunk[-200:]
                if watch_boot:
                    boot_text += new
                    if COMMAND_START.encode() in boot_text:
                        watch_boot = False
                        if scan_split(boot_text.decode(errors="replace"), a.allow_panic)[0]:
                            boot_stopped = True
                            break
        if qmp and qmp.seen_stop_event.is_set():
            time.sleep(0.5)  # let the events that follow arrive
            stopped_on_event = True
            break
        time.sleep(0.05)
    if cons_f is not None:
        cons_f.close()
    # A guest meant to panic may hang in the panic, where sysrq is deaf.
    dumped = (timed_out and not a.allow_panic and proc.poll() is None
              and sysrq_dump(dump_sock))
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    qemu_out = proc.stdout.read().decode(errors="replace")
    if qmp:
        qmp.join(10)
    elapsed = time.time() - t0

    def read(name):
        try:
            with open(os.path.join(out, name), errors="replace") as f:
                return f.read()
        except OSError:
            return None

    cons = ""
    try:
        with open(console, errors="replace") as f:
            cons = f.read()
    except OSError:
        pass
    dmesg = read("dmesg.txt") or ""
    boot_bad, cmd_bad = scan_split(cons, a.allow_panic, a.allow_splat)
    dmesg_boot_bad, dmesg_cmd_bad = scan_split(dmesg, a.allow_panic, a.allow_splat)
    boot_bad += dmesg_boot_bad
    cmd_bad += dmesg_cmd_bad
    if boot_bad and not cmd_bad and retry_left:
        # BOOT_RETRY: the kernel reported before the command started, so
        # before any module of ours was loaded: a fault of the kernel or of
        # the emulation (make check-debug: an early KASAN report, issue 33).
        # Its lockdep may be off now; the run is worth nothing, boot again.
        # The next boot is the last chance: a report of boot's again fails.
        kept = "%s.boot%d" % (console, attempt)
        os.replace(console, kept)
        if a.qmp_log and os.path.exists(a.qmp_log):
            os.replace(a.qmp_log, "%s.boot%d" % (a.qmp_log, attempt))
        what = "%s: boot %d of %d retried, a kernel report before any module of ours: %s " \
            "(%s, console %s)" % (out, attempt, attempts, boot_bad[0].strip(),
                                  "stopped when the command started" if boot_stopped else
                                  "after %.1fs" % elapsed, kept)
        log("RETRY " + what)
        for line in dict.fromkeys(boot_bad):
            print("  ! " + line, file=sys.stderr)
        if os.environ.get("PVP_RETRY_LOG"):
            with open(os.environ["PVP_RETRY_LOG"], "a") as f:
                f.write(what + "\n")
        return None
    cmdlog = read("cmd.log")
    if cmdlog and not a.quiet:
        sys.stdout.write(cmdlog)
        sys.stdout.flush()
    rc_text = read("rc")

    def tail(why, code):
        lines = cons.splitlines()
        first = max((i for i, l in enumerate(lines) if SYSRQ_FIRST in l), default=None)
        if dumped and first is not None:
            # The 40 lines before the dump, the CPUs and the blocked
            # tasks; every task's stack stays in the console log.
            end = next((i for i in range(first, len(lines)) if SYSRQ_TASKS in lines[i]),
                       len(lines))
            shown, what = lines[max(0, first - 40):end], (
                " (then sysrq l and w at the timeout: CPUs, blocked tasks; "
                "every task's stack, sysrq t: %s)" % console)
        else:
            shown, what = lines[-40:], ""
        log("%s after %.1fs; last lines of the console%s:" % (why, elapsed, what))
        for line in shown:
            print("  | " + line, file=sys.stderr)
        if qemu_out.strip():
            log("qemu said: " + qemu_out.strip()[-2000:])
        return code

    if timed_out and panic_at is not None:
        # the --timeout deadline may have come first
        return tail("FAIL: the guest hung in its panic (started at %.1fs, no result %.1fs later)"
                    % (panic_at - t0, deadline - panic_at), RC_TIMEOUT)
    if timed_out:
        return tail("FAIL: the guest hung (no result within %ds)" % a.timeout, RC_TIMEOUT)
    bad = boot_bad + cmd_bad
    if bad:
        log("FAIL: kernel splat in the guest log:")
        for line in dict.fromkeys(bad):
            print("  ! " + line, file=sys.stderr)
        if boot_bad and not cmd_bad and attempt > 1:
            log("FAIL: boot reported before the command started, again: "
                "%d boots in a row (the earlier: %s.boot*)" % (attempt, console))
        return tail("splat", RC_SPLAT)
    if halted:
        log("the guest halted (its console: System halted)")
    if rc_text is None:
        if a.allow_panic or stopped_on_event:
            log("guest ended without finishing the command (allowed), %.1fs" % elapsed)
            return 0
        return tail("FAIL: the guest died before the command finished", RC_DIED)
    taint = int((read("tainted") or "0").strip() or 0)
    if taint & ~TAINT_OK:
        return tail("FAIL: kernel tainted (%d), beyond out-of-tree/unsigned" % taint, RC_SPLAT)
    # A lockdep kernel says whether lockdep was still on (GUEST_INIT):
    # a guest that passed with it off was not checked by it.
    debug_locks = (read("debug_locks") or "").strip()
    if debug_locks and debug_locks != "1":
        return tail("FAIL: lockdep was off at the end of the command (debug_locks %s): "
                    "the run was not checked by it" % debug_locks, RC_SPLAT)
    rc = int(rc_text.strip())
    log("guest command exited %d after %.1fs%s%s" % (
        rc, elapsed, ", lockdep on to the end" if debug_locks else "",
        ", boot %d of %d" % (attempt, attempts) if attempt > 1 else ""))
    return rc


if __name__ == "__main__":
    sys.exit(main())
