# SPDX-License-Identifier: GPL-2.0
"""A minimal generic netlink client of the pvpanic_sim family, in Python.

It lets the guest agent query and drive the model without forking
pvpanic-monitor for every step (forks are slow under TCG), and it is a
second, independent reader of the uapi: the numbers come from parsing
include/uapi/linux/pvpanic_sim.h itself, so nothing here is copied.
"""

import os
import re
import socket
import struct

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HEADER = os.path.join(ROOT, "include/uapi/linux/pvpanic_sim.h")

NETLINK_GENERIC = 16
GENL_ID_CTRL = 0x10
CTRL_CMD_GETFAMILY = 3
CTRL_ATTR_FAMILY_ID = 1
CTRL_ATTR_FAMILY_NAME = 2
NLM_F_REQUEST = 1
NLM_F_ACK = 4
NLMSG_ERROR = 2
SOL_NETLINK = 270
NETLINK_EXT_ACK = 11
NLMSGERR_ATTR_MSG = 1
NLM_F_ACK_TLVS = 0x200
NLM_F_CAPPED = 0x100


def parse_enums(path=HEADER):
    """{enumerator name: value} for every enum of the uapi header."""
    text = re.sub(r"/\*.*?\*/", "", open(path).read(), flags=re.S)
    names = {}
    for body in re.findall(r"enum\s*\w*\s*\{(.*?)\}", text, flags=re.S):
        val = -1
        for item in body.split(","):
            item = item.strip()
            if not item:
                continue
            if "=" in item:
                name, expr = [x.strip() for x in item.split("=", 1)]
                expr = re.sub(r"\b[A-Z_][A-Z0-9_]*\b", lambda m: str(names[m.group(0)]), expr)
                val = eval(expr, {"__builtins__": {}})  # only digits and operators left
            else:
                name, val = item, val + 1
            names[name] = val
    return names


E = parse_enums()
_DEFINES = dict(re.findall(r"#define\s+(PVPANIC_SIM_\w+)\s+(\S+)", open(HEADER).read()))
FAMILY_NAME = _DEFINES["PVPANIC_SIM_FAMILY_NAME"].strip('"')
FAMILY_VERSION = int(_DEFINES["PVPANIC_SIM_FAMILY_VERSION"])


def names_of(prefix):
    """Lower-case, dashed names by value, e.g. RUN_STATE_ -> {9: "running"}."""
    p = "PVPANIC_SIM_" + prefix
    return {v: k[len(p):].lower().replace("_", "-") for k, v in E.items()
            if k.startswith(p) and not k.startswith("__") and not k.endswith("_MAX")}


RUN_STATES = names_of("RUN_STATE_")
PANIC_ACTIONS = names_of("PANIC_ACTION_")
ATTRS = {v: k[len("PVPANIC_SIM_A_"):] for k, v in E.items()
         if k.startswith("PVPANIC_SIM_A_") and not k.endswith("_MAX")}


class NlError(Exception):
    def __init__(self, errno, msg):
        super().__init__("%s: %s" % (os.strerror(errno), msg))
        self.errno, self.msg = errno, msg


def _attr(atype, fmt, val):
    payload = struct.pack(fmt, val)
    hdr = struct.pack("HH", 4 + len(payload), atype)
    pad = b"\0" * ((4 - len(payload) % 4) % 4)
    return hdr + payload + pad


def _parse_attrs(data):
    out = {}
    while len(data) >= 4:
        alen, atype = struct.unpack_from("HH", data)
        if alen < 4:
            break
        out[atype & 0x3fff] = data[4:alen]
        data = data[(alen + 3) & ~3:]
    return out


class Sim:
    def __init__(self):
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
        self.sock.bind((0, 0))
        self.sock.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
        self.seq = 0
        name = FAMILY_NAME
        reply = self._request(GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1,
                              struct.pack("HH", 4 + len(name) + 1, CTRL_ATTR_FAMILY_NAME)
                              + name.encode() + b"\0" * (4 - len(name) % 4))
        self.family = struct.unpack("H", reply[CTRL_ATTR_FAMILY_ID][:2])[0]

    def _request(self, family, cmd, version, payload=b""):
        self.seq += 1
        body = struct.pack("BBH", cmd, version, 0) + payload
        msg = struct.pack("IHHII", 16 + len(body), family, NLM_F_REQUEST | NLM_F_ACK,
                          self.seq, 0) + body
        self.sock.send(msg)
        attrs = {}
        while True:
            data = self.sock.recv(65536)
            while data:
                mlen, mtype, mflags, mseq, _ = struct.unpack_from("IHHII", data)
                m, data = data[:mlen], data[(mlen + 3) & ~3:]
                if mseq != self.seq:
                    continue
                if mtype == NLMSG_ERROR:
                    err = -struct.unpack_from("i", m, 16)[0]
                    if err == 0:
                        return attrs
                    text = ""
                    if mflags & NLM_F_ACK_TLVS:
                        off = 20 + (16 if mflags & NLM_F_CAPPED else
                                    struct.unpack_from("I", m, 20)[0])
                        tl = _parse_attrs(m[off:])
                        text = tl.get(NLMSGERR_ATTR_MSG, b"").rstrip(b"\0").decode()
                    raise NlError(err, text)
                attrs = _parse_attrs(m[20:])

    def call(self, cmd, **attrs):
        """Run PVPANIC_SIM_CMD_<cmd>; attrs are u32 values by attribute name."""
        payload = b"".join(_attr(E["PVPANIC_SIM_A_" + k.upper()], "I", v)
                           for k, v in attrs.items())
        raw = self._request(self.family, E["PVPANIC_SIM_CMD_" + cmd.upper()],
                            FAMILY_VERSION, payload)
        out = {}
        for t, v in raw.items():
            fmt = {1: "B", 2: "H", 4: "I", 8: "Q"}.get(len(v))
            out[ATTRS.get(t, t)] = struct.unpack(fmt, v)[0] if fmt else v
        return out

    def status(self):
        a = self.call("get_status")
        return {"status": RUN_STATES[a["STATUS"]], "singlestep": bool(a.get("SINGLESTEP", 0)),
                "running": bool(a["RUNNING"])}
