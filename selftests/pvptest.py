# SPDX-License-Identifier: GPL-2.0
"""The one Python library of the tests.

Guest boots a kernel with scripts/vm/run-vm.py, runs selftests/qemu/agent.py
inside it (commands arrive over a virtio-serial port) and opens QEMU's QMP;
Qmp is a small QMP client that keeps every event it sees.  Model talks to
pvpanic_sim's netlink family through the kernel's own YNL library (Debian's
linux-source-6.12, extracted by scripts/ksrc.sh 6.12), driven by the spec.

As a command: pvptest.py qmp-events FILE prints the pvpanic-related QMP
events of a run-vm.py --qmp-log file, one word each; pvptest.py qmp-after
FILE EVENT REF the seconds from REF's modification time (a file the guest
wrote over 9p: the host's clock, as QMP's timestamps) to the first EVENT.
"""

import atexit
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts/vm"))
import qmpsock  # noqa: E402 (the harness's)
SPEC = os.path.join(ROOT, "include/uapi/linux/pvpanic_sim.yaml")
# make check-debug's kernel runs several times slower: every wait scales
TIMEOUT_SCALE = int(os.environ.get("PVP_TIMEOUT_SCALE", "1"))
# PVP_QEMU=10: QEMU 10.0 referees instead of Debian 12's 7.2.
QEMU10 = os.environ.get("PVP_QEMU", "") in ("10", "10.0")
# PVP_LONG=1 (make check-long, make check-all): the long budgets.
LONG = os.environ.get("PVP_LONG", "") == "1"


def ynl_dir():
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
    return os.path.join(cache, "pvpanic-acpi/linux-source-6.12/tools/net/ynl")


class Model:
    """pvpanic_sim's family, through the kernel's YNL library."""

    def __init__(self):
        sys.path.insert(0, ynl_dir())
        from lib import YnlFamily, NlError  # noqa: E402 (the kernel's)
        self.NlError = NlError
        # schema "": the spec is validated once, by scripts/ynl-gen.sh.
        self.ynl = YnlFamily(SPEC, schema="")

    def do(self, op, **attrs):
        """Run an operation; returns (0, reply) or (errno, extack message)."""
        try:
            return 0, self.ynl.do(op, attrs) or {}
        except self.NlError as e:
            return e.error, (e.nl_msg.extack or {}).get("msg", "")

    def status(self):
        """query-status, as QMP returns it."""
        rc, r = self.do("get-status")
        if rc:
            raise RuntimeError("get-status failed: %s" % r)
        st = {"status": r["status"], "running": bool(r["running"])}
        if "singlestep" in r:       # QEMU 7.2's query-status has it, 10.0's not
            st["singlestep"] = bool(r["singlestep"])
        return st


def qmp_words(path):
    """The pvpanic-related QMP events of a --qmp-log file, one word each:
    EVENT or EVENT:action (GUEST_*), SHUTDOWN:reason.  SHUTDOWN:host-signal
    is left out: that is run-vm.py ending a paused guest."""
    out = []
    try:
        lines = open(path).read().splitlines()
    except OSError:
        lines = []
    for line in lines:
        if not line.strip():
            continue
        e = json.loads(line)
        ev, data = e.get("event"), e.get("data", {})
        if ev.startswith("GUEST_") and "action" in data:
            out.append("%s:%s" % (ev, data["action"]))
        elif ev == "SHUTDOWN" and data.get("reason") != "host-signal":
            out.append("SHUTDOWN:%s" % data.get("reason"))
        elif ev in ("STOP", "RESUME", "RESET") or ev.startswith("GUEST_"):
            out.append(ev)
    return " ".join(out)


def kver():
    return os.environ.get("KVER") or subprocess.run(
        [os.path.join(ROOT, "scripts/kver.sh")], capture_output=True,
        text=True, check=True).stdout.strip()


def connect_unix(path, timeout=30.0, proc=None):
    """Connect to a socket QEMU creates; with proc (run-vm.py), fail at
    once, with its output, if it ended before QEMU made the socket."""
    s = qmpsock.connect(path, timeout, proc and (lambda: proc.poll() is not None))
    if s is not None:
        return s
    if proc is not None and proc.poll() is not None:
        raise RuntimeError("run-vm.py exited (%d) before QEMU opened %s: %s"
                           % (proc.returncode, path, proc.stdout.read()[-2000:]))
    raise RuntimeError("QEMU did not open %s within %g s" % (path, timeout))


atexit.register(lambda: Guest.kill_all())


class QmpError(Exception):
    def __init__(self, err):
        super().__init__(err.get("desc", str(err)))
        self.err = err


class Qmp:
    def __init__(self, path, proc=None):
        self.sock = connect_unix(path, proc=proc)
        self.buf = b""
        self.events = []
        self.closed = False
        self._line(None)  # greeting
        self.execute("qmp_capabilities")

    def _line(self, timeout):
        """One JSON message, or None when timeout (seconds) passes first
        (0: only what has already arrived)."""
        deadline = None if timeout is None else time.time() + timeout
        while b"\n" not in self.buf:
            if deadline is not None:
                left = max(0, deadline - time.time())
                if not select.select([self.sock], [], [], left)[0]:
                    return None
            data = self.sock.recv(65536)
            if not data:
                self.closed = True
                raise EOFError("QMP closed")
            self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        msg = json.loads(line)
        if "event" in msg:
            self.events.append(msg)
        return msg

    def execute(self, cmd, args=None):
        req = {"execute": cmd}
        if args:
            req["arguments"] = args
        self.sock.sendall((json.dumps(req) + "\n").encode())
        while True:
            msg = self._line(None)
            if "return" in msg:
                return msg["return"]
            if "error" in msg:
                raise QmpError(msg["error"])

    def poll(self, timeout):
        """Read events for up to timeout seconds."""
        deadline = time.time() + timeout
        try:
            while self._line(max(0, deadline - time.time())) is not None:
                pass
        except (EOFError, OSError):
            self.closed = True

    def sync(self):
        """Read every event QEMU emitted before now: QMP answers a command
        after the events queued before it, and a guest's port or MMIO
        write emits its event before the write returns to the guest."""
        self.execute("query-status")

    def take_events(self):
        ev, self.events = self.events, []
        return ev


class Guest:
    """A guest running the agent; run() sends one shell command to it."""

    live = set()  # guests to kill if the test dies

    @classmethod
    def kill_all(cls):
        for g in list(cls.live):
            try:
                os.killpg(g.proc.pid, signal.SIGTERM)
            except OSError:
                pass
            cls.live.discard(g)

    def __init__(self, qemu_args=(), append="", mem="1024", timeout=600,
                 allow_exit=False, reboot=False, qemu=None, smp="2"):
        self.tmp = tempfile.mkdtemp(prefix="pvp-e2e-")
        self.no_shutdown = "-no-shutdown" in qemu_args
        self.qmp_path = os.path.join(self.tmp, "qmp.sock")
        self.agent_path = os.path.join(self.tmp, "agent.sock")
        # this interpreter, not run-vm.py's "env python3": that may be a
        # slow wrapper (pyenv's shim)
        args = [sys.executable or "python3", os.path.join(ROOT, "scripts/vm/run-vm.py"),
                "--kver", kver(),
                "--timeout", str(timeout), "--mem", mem, "--smp", smp, "--quiet",
                "--out", os.path.join(self.tmp, "out"),
                "--qmp-sock", self.qmp_path]
        if append:
            args += ["--append", append]
        if allow_exit:
            args += ["--allow-panic"]
        if reboot:
            args += ["--reboot"]
        if qemu in ("10", "10.0"):
            # Its cached root may take minutes to build the first time:
            # before the QMP socket's timeout starts.
            qemu = subprocess.run([os.path.join(ROOT, "scripts/qemu10.sh")], check=True,
                                  stdout=subprocess.PIPE, text=True).stdout.strip()
        if qemu:
            args += ["--qemu", qemu]
        extra = ["-device", "virtio-serial-pci",
                 "-chardev", "socket,id=agent,path=%s,server=on,wait=off" % self.agent_path,
                 "-device", "virtserialport,chardev=agent,name=pvp.agent"]
        for a in list(qemu_args) + extra:
            args.append("--qemu-arg=" + a)
        args += ["--", "python3", "selftests/qemu/agent.py"]
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True,
                                     start_new_session=True)
        Guest.live.add(self)
        self.qmp = Qmp(self.qmp_path, self.proc)
        self.agent = connect_unix(self.agent_path, proc=self.proc)
        self.agent_file = self.agent.makefile("rw")
        self.wait_ready()

    def wait_ready(self, timeout=120):
        """Wait for the agent's READY (after boot, or a reboot), skipping
        replies a reset cut off."""
        self.agent.settimeout(timeout * TIMEOUT_SCALE)
        while True:
            line = self.agent_file.readline()
            if not line:
                raise RuntimeError("guest agent did not start")
            if line.startswith("READY"):
                break
        self.agent.settimeout(None)

    def send(self, req):
        self.agent_file.write(json.dumps(req) + "\n")
        self.agent_file.flush()

    def reply(self, timeout=None):
        self.agent.settimeout(timeout)
        line = self.agent_file.readline()
        self.agent.settimeout(None)
        if not line:
            raise EOFError("guest agent closed")
        r = json.loads(line)
        return r["rc"], r.get("out", "")

    def _call(self, req, timeout, check):
        self.send(req)
        rc, out = self.reply(timeout and timeout * TIMEOUT_SCALE)
        if check and rc != 0:
            raise RuntimeError("guest request failed (%d): %s\n%s" % (rc, req, out))
        return out

    def run(self, cmd, timeout=60, check=True):
        """Run a shell command in the guest; returns its output."""
        return self._call({"sh": cmd}, timeout, check)

    def write(self, path, data, timeout=60, check=True):
        return self._call({"write": path, "data": str(data)}, timeout, check)

    def nl(self, op, attrs=None, check=True):
        """A pvpanic_sim netlink operation in the guest (Model.do there);
        returns (errno, reply or extack message).  "status" is query-status."""
        self.send({"nl": op.replace("_", "-"), "attrs": attrs or {}})
        rc, out = self.reply(60)
        if check and rc:
            raise RuntimeError("netlink %s failed: %s" % (op, out))
        return rc, out

    def read(self, path, offset=0, timeout=60):
        return self._call({"read": path, "offset": offset}, timeout, True)

    def batch(self, reqs, timeout=60):
        """Several requests in one round trip, run in order; returns each
        one's reply ({"rc": N, "out": ...}), whatever their rc."""
        self.send({"batch": reqs})
        rc, out = self.reply(timeout * TIMEOUT_SCALE)
        if rc:
            raise RuntimeError("guest batch failed (%d): %s" % (rc, out))
        return out

    def finish(self):
        """Stop the agent and the guest; returns run-vm.py's exit status.
        With -no-shutdown QEMU stays after the guest has powered off: it
        is told to quit when QMP reports that SHUTDOWN."""
        self.qmp.take_events()
        try:
            self.send({"exit": True})
        except OSError:
            pass
        deadline = time.time() + 20
        while self.proc.poll() is None and time.time() < deadline:
            self.qmp.poll(0.1)
            if self.qmp.closed:
                break
            if self.no_shutdown and any(e["event"] == "SHUTDOWN" for e in self.qmp.events):
                break
        if self.proc.poll() is None:
            try:
                self.qmp.execute("quit")
            except (OSError, EOFError, QmpError):
                pass
        try:
            out, _ = self.proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, _ = self.proc.communicate()
        self.log = out
        Guest.live.discard(self)
        if self.proc.returncode == 0:
            shutil.rmtree(self.tmp, ignore_errors=True)
        else:
            log("guest files kept in %s" % self.tmp)
        return self.proc.returncode


def log(msg):
    print("# " + msg, flush=True)


def fail_exit(msg):
    print("FAIL: " + msg, flush=True)
    sys.exit(1)


def qmp_after(path, event, ref):
    """Seconds from REF's mtime to EVENT's first QMP timestamp, or None."""
    t0 = os.stat(ref).st_mtime
    with open(path) as f:
        for line in f:
            e = json.loads(line) if line.strip() else {}
            if e.get("event") == event:
                ts = e["timestamp"]
                return ts["seconds"] + ts["microseconds"] / 1e6 - t0
    return None


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "qmp-events":
        print(qmp_words(sys.argv[2]))
    elif len(sys.argv) == 5 and sys.argv[1] == "qmp-after":
        t = qmp_after(*sys.argv[2:])
        print("-" if t is None else "%.2f" % t)
    else:
        sys.exit("usage: pvptest.py qmp-events FILE | qmp-after FILE EVENT REF")
