# SPDX-License-Identifier: GPL-2.0
"""A QEMU that is starting: the process, taken down with its runner, and
its UNIX sockets (its QMP server, a virtio-serial chardev), connected to
while QEMU has not made them yet.  Shared by run-vm.py,
scripts/arm64-vm.py, scripts/distro/vm.py and selftests/pvptest.py."""

import json
import os
import signal
import socket
import subprocess
import sys
import time


def start_qemu(cmd):
    """Popen of cmd (stdin empty, stdout and stderr one pipe) in a session
    of its own, so that QEMU ignores the terminal's signals; if the caller
    gets SIGTERM, SIGINT or SIGHUP, that session is killed and the caller
    exits 128 + the signal."""
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)

    def on_signal(signum, _frame):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except OSError:
            pass
        sys.exit(128 + signum)
    for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(s, on_signal)
    return proc


def connect(path, timeout=30.0, gone=None):
    """A socket connected to path, retried until timeout; None then, or as
    soon as gone() is true (QEMU's side ended before making it)."""
    deadline = time.time() + timeout
    while True:
        s = socket.socket(socket.AF_UNIX)
        try:
            s.connect(path)
            return s
        except OSError:
            s.close()
            if (gone is not None and gone()) or time.time() > deadline:
                return None
            time.sleep(0.05)


def qmp_events(path, timeout=30.0):
    """QEMU's QMP at path, capabilities negotiated: its file, read for
    events (one JSON object a line), or None if it never came."""
    s = connect(path, timeout)
    if s is None:
        return None
    f = s.makefile("rw")
    f.readline()  # the greeting
    f.write('{"execute": "qmp_capabilities"}\n')
    f.flush()
    return f


def log_events(path, out_path, seen=None, timeout=30.0):
    """Append each QMP event of the QEMU at path to out_path as a JSON
    line, until QEMU closes QMP; seen(msg), if given, after each."""
    f = qmp_events(path, timeout)
    if f is None:
        return
    with open(out_path, "a") as out:
        for line in f:
            try:
                msg = json.loads(line)
            except ValueError:
                continue
            if "event" not in msg:
                continue
            out.write(json.dumps(msg) + "\n")
            out.flush()
            if seen is not None:
                seen(msg)
