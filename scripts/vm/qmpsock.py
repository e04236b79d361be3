# SPDX-License-Identifier: GPL-2.0
"""The UNIX sockets of a QEMU that is starting (its QMP server, a
virtio-serial chardev): connecting while QEMU has not made them yet.
Shared by run-vm.py, scripts/arm64-vm.py, scripts/distro/vm.py and
selftests/pvptest.py."""

import json
import socket
import time


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
