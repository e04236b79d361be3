#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Guest side of selftests/pvptest.py (class Guest).

Reads requests, one JSON object per line, from the virtio-serial port
"pvp.agent" and answers each with one JSON line. Requests:
  {"sh": "command"}            -> {"rc": N, "out": "..."}
  {"write": PATH, "data": S}   -> {"rc": 0} or {"rc": errno, "out": msg}
  {"read": PATH, "offset": N}  -> {"rc": 0, "out": contents from byte N}
  {"nl": OP, "attrs": {...}}   -> {"rc": 0, "out": reply attributes} or
                                  {"rc": errno, "out": extack message}
                                  (pvpanic_sim's family: pvptest.Model)
  {"batch": [REQ, ...]}        -> {"rc": 0, "out": [each REQ's reply]}
                                  (in order, in one round trip)
  {"exit": true}               -> the agent ends
File requests need no fork, which matters under TCG.
"""
import glob
import json
import os
import subprocess
import sys
import time

subprocess.run(["modprobe", "virtio_console"], check=True)
port = None
for _ in range(200):
    for p in glob.glob("/sys/class/virtio-ports/*"):
        try:
            with open(p + "/name") as f:
                if f.read().strip() == "pvp.agent":
                    port = "/dev/" + os.path.basename(p)
        except OSError:
            pass
    if port and os.path.exists(port):
        break
    time.sleep(0.05)
if not port:
    sys.exit("agent: no virtio-serial port named pvp.agent")

fd = os.open(port, os.O_RDWR)
rfile = os.fdopen(fd, "r", buffering=1)
wfile = os.fdopen(os.dup(fd), "w", buffering=1)
wfile.write("READY\n")


sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
model = None


def handle(req):
    global model
    if "batch" in req:
        return {"rc": 0, "out": [handle(r) for r in req["batch"]]}
    if "nl" in req:
        import pvptest
        try:
            if model is None:
                model = pvptest.Model()
            if req["nl"] == "status":
                return {"rc": 0, "out": model.status()}
            rc, out = model.do(req["nl"], **req.get("attrs", {}))
            return {"rc": rc, "out": out}
        except OSError as e:
            model = None
            return {"rc": e.errno or 1, "out": str(e)}
    if "sh" in req:
        p = subprocess.run(req["sh"], shell=True, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           executable="/bin/bash")
        return {"rc": p.returncode, "out": p.stdout.decode(errors="replace")}
    try:
        if "write" in req:
            with open(req["write"], "w") as f:
                f.write(req["data"])
            return {"rc": 0}
        if "read" in req:
            with open(req["read"], "rb") as f:
                if req.get("offset"):
                    f.seek(req["offset"])
                return {"rc": 0, "out": f.read().decode(errors="replace")}
    except OSError as e:
        return {"rc": e.errno or 1, "out": str(e)}
    return {"rc": 22, "out": "bad request"}


for line in rfile:
    req = json.loads(line)
    if req.get("exit"):
        break
    wfile.write(json.dumps(handle(req)) + "\n")
