# SPDX-License-Identifier: GPL-2.0
"""Host-side helpers for tests that drive a guest interactively.

Guest boots a kernel with tools/vm/run-vm.py, runs selftests/e2e/agent.py
inside it (commands arrive over a virtio-serial port) and opens QEMU's QMP.
Qmp is a small QMP client that keeps every event it sees.
"""

import json
import os
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def kver():
    return os.environ.get("KVER") or subprocess.run(
        [os.path.join(ROOT, "tools/kver.sh")], capture_output=True,
        text=True, check=True).stdout.strip()


def connect_unix(path, timeout=30.0):
    deadline = time.time() + timeout
    while True:
        s = socket.socket(socket.AF_UNIX)
        try:
            s.connect(path)
            return s
        except OSError:
            s.close()
            if time.time() > deadline:
                raise
            time.sleep(0.05)


class QmpError(Exception):
    def __init__(self, err):
        super().__init__(err.get("desc", str(err)))
        self.err = err


class Qmp:
    def __init__(self, path):
        self.sock = connect_unix(path)
        self.file = self.sock.makefile("rw")
        self.events = []
        self.closed = False
        json.loads(self.file.readline())  # greeting
        self.execute("qmp_capabilities")

    def _read(self):
        line = self.file.readline()
        if not line:
            self.closed = True
            raise EOFError("QMP closed")
        msg = json.loads(line)
        if "event" in msg:
            self.events.append(msg)
        return msg

    def execute(self, cmd, args=None):
        req = {"execute": cmd}
        if args:
            req["arguments"] = args
        self.file.write(json.dumps(req) + "\n")
        self.file.flush()
        while True:
            msg = self._read()
            if "return" in msg:
                return msg["return"]
            if "error" in msg:
                raise QmpError(msg["error"])

    def poll(self, timeout):
        """Read events for up to timeout seconds."""
        self.sock.settimeout(timeout)
        try:
            while True:
                self._read()
        except (socket.timeout, TimeoutError):
            pass
        except (EOFError, OSError):
            self.closed = True
        finally:
            if not self.closed:
                self.sock.settimeout(None)

    def take_events(self):
        ev, self.events = self.events, []
        return ev


class Guest:
    """A guest running the agent; run() sends one shell command to it."""

    def __init__(self, qemu_args=(), append="", mem="1024", timeout=600,
                 allow_exit=False):
        self.tmp = tempfile.mkdtemp(prefix="pvp-e2e-")
        self.qmp_path = os.path.join(self.tmp, "qmp.sock")
        self.agent_path = os.path.join(self.tmp, "agent.sock")
        args = [os.path.join(ROOT, "tools/vm/run-vm.py"), "--kver", kver(),
                "--timeout", str(timeout), "--mem", mem, "--quiet",
                "--out", os.path.join(self.tmp, "out"),
                "--qmp-sock", self.qmp_path]
        if append:
            args += ["--append", append]
        if allow_exit:
            args += ["--allow-panic"]
        extra = ["-device", "virtio-serial-pci",
                 "-chardev", "socket,id=agent,path=%s,server=on,wait=off" % self.agent_path,
                 "-device", "virtserialport,chardev=agent,name=pvp.agent"]
        for a in list(qemu_args) + extra:
            args.append("--qemu-arg=" + a)
        args += ["--", "python3", "selftests/e2e/agent.py"]
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True)
        self.qmp = Qmp(self.qmp_path)
        self.agent = connect_unix(self.agent_path)
        self.agent_file = self.agent.makefile("rw")
        # The agent says hello once it is listening.
        line = self.agent_file.readline()
        if not line.startswith("READY"):
            raise RuntimeError("guest agent did not start: %r" % line)

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
        rc, out = self.reply(timeout)
        if check and rc != 0:
            raise RuntimeError("guest request failed (%d): %s\n%s" % (rc, req, out))
        return out

    def run(self, cmd, timeout=60, check=True):
        """Run a shell command in the guest; returns its output."""
        return self._call({"sh": cmd}, timeout, check)

    def write(self, path, data, timeout=60, check=True):
        return self._call({"write": path, "data": str(data)}, timeout, check)

    def read(self, path, timeout=60):
        return self._call({"read": path}, timeout, True)

    def finish(self):
        """Stop the agent and the guest; returns run-vm.py's exit status."""
        try:
            self.send({"exit": True})
        except OSError:
            pass
        try:
            out, _ = self.proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, _ = self.proc.communicate()
        self.log = out
        return self.proc.returncode


def log(msg):
    print("# " + msg, flush=True)


def fail_exit(msg):
    print("FAIL: " + msg, flush=True)
    sys.exit(1)
