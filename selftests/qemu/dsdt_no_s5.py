#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""dsdt_no_s5.py IN OUT: QEMU's DSDT without \\_S5, for a guest that no
firmware method powers off.

The one Name (_S5, ...) of the table is renamed XS5_ (a NameSeg of the same
length, so no AML length changes), the OEM revision goes up by one (the
kernel takes a table upgrade only when it is higher) and the checksum is
fixed. Linux then registers no ACPI power-off handler (it looks for \\_S5),
and a power-off runs down the kernel's chain to the handlers of last
resort."""
import struct
import sys


def main(src, dst):
    t = bytearray(open(src, "rb").read())
    if t[:4] != b"DSDT" or struct.unpack_from("<I", t, 4)[0] != len(t):
        raise SystemExit("%s: not a whole DSDT" % src)
    name = b"\x08_S5_"                   # NameOp, then the NameSeg
    i = t.find(name)
    if i < 0 or t.find(name, i + 1) >= 0:
        raise SystemExit("%s: want exactly one Name (_S5), found %d"
                         % (src, t.count(name)))
    t[i + 1:i + 5] = b"XS5_"
    rev = struct.unpack_from("<I", t, 24)[0]
    struct.pack_into("<I", t, 24, rev + 1)
    t[9] = 0
    t[9] = -sum(t) & 0xff
    open(dst, "wb").write(t)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    main(sys.argv[1], sys.argv[2])
