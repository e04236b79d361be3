#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Firmware shapes other than QEMU's, against QEMU's own device; and the
firmware left as found.  One guest with -device pvpanic and -device
pvpanic-pci (which no ACPI node describes) runs both, the firmware as
found first: it needs QEMU's node as boot left it, never bound before.

1. Firmware as found: RDPT and WRPT of QEMU's own device, evaluated from
   the test module (pvpanic_sim's debugfs eval, outside every pvpanic
   driver), give the same status and value, and WRPT(2) the same
   GUEST_CRASHLOADED, before the driver, after unbind, after a failed
   probe (io_rdpt_big), after rmmod, and with policy=io; the driver learns
   at the first bind only and every later bind and reload replays what it
   learned; a _REG inside the device never runs.

2. Shapes: for each of the model's variants aimed at QEMU (io_parent,
   io_debug_real, io_stale_crs, io_read_first, mem, ...), pvpanic_sim
   loads the table, pvpanic_acpi binds it (QEMU's own QEMU0001 device is
   told nothing: events=0), debugfs path must name the expected anchors,
   and one trigger must give exactly one GUEST_PANICKED on QMP; the
   SHUTDOWN trigger nothing (capability 3).  Port 0x5a8 is QEMU's
   isa-debugcon, which reads back 2 (CRASH_LOADED only) and records every
   byte written: as the _CRS register of io_stale_crs it advertises no
   PANICKED and must get nothing; as the learned register of io_debug_real
   it gets what RDPT advertises, one PANICKED.  io_stale_crs is also bound
   again and reloaded: the same path, and again one event.

QMP is read up to a command's reply (Qmp.sync), not for a fixed time: a
trigger's port or MMIO write emits its event before the write returns.
"""

import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from pvptest import Guest, log, fail_exit  # noqa: E402

DBG = "/sys/kernel/debug/pvpanic_acpi"
SIM = "/sys/kernel/debug/pvpanic_sim"
DEVS = "/sys/bus/platform/devices"
DRV = "/sys/bus/platform/drivers/pvpanic_acpi"
QDEV = "QEMU0001:00"           # QEMU's own device, enumerated first
QPATH = "\\_SB_.PCI0.S08_.PEVT"
QEMU10 = os.environ.get("PVP_QEMU", "") in ("10", "10.0")
QCAP = "0x7" if QEMU10 else "0x3"
SHAPES = [
    ("io_parent", "port 0x505", "WRPT made no access this driver can see"),
    ("io_debug_real", "replay io 0x5a8 8 + port 0x505", "disagree: both are written"),
    ("io_stale_crs", "replay io 0x505 8 + port 0x5a8", "disagree: both are written"),
    ("io_read_first", "replay io 0x505 8", "the learned register is the _CRS register"),
    ("mem", "replay mem 0x%x 8", "the learned register (no _CRS register)"),
    ("io_bare", "port 0x505", "no WRPT method"),
    ("mem_bare", "mem 0x%x", "no WRPT method"),
    ("io_wide_crs", "replay io 0x505 8", "the learned register is the _CRS register"),
    ("io_illegal", "port 0x505", "is not one byte store of 0"),
    ("io_wrpt_ram", "port 0x505", "the learned register 0x1000 is RAM: refused"),
]
# (variant, bytes on the debug port after one panic trigger, hex)
DEBUGCON = {"io_debug_real": "01", "io_stale_crs": ""}
errors = []


def check(what, got, want):
    if got != want:
        errors.append("%s: got %r, want %r" % (what, got, want))
        log("FAIL %s: got %r, want %r" % (what, got, want))
    else:
        log("ok %s: %s" % (what, got if len(str(got)) < 80 else "..."))


def events(g):
    """The pvpanic QMP events since the last call, as NAME:action words:
    all that the guest's requests so far made QEMU emit."""
    g.qmp.sync()
    out = []
    for e in g.qmp.take_events():
        if e["event"].startswith("GUEST_"):
            out.append("%s:%s" % (e["event"], e.get("data", {}).get("action")))
    return " ".join(out)


def first_line(g, path):
    return g.run("head -n1 %s" % path).strip()


def ev(g, method, arg=None):
    g.write(SIM + "/eval", method + ("" if arg is None else " %d" % arg))
    return g.read(SIM + "/eval").strip()


def firmware_view(g, path):
    """What an outsider gets from the device's methods: RDPT, WRPT(0),
    WRPT(2) and the QMP events the latter cause."""
    check("%s: no stray event before the methods" % path, events(g), "")
    r = (ev(g, path + ".RDPT"), ev(g, path + ".WRPT", 0), ev(g, path + ".WRPT", 2))
    return r + (events(g),)


def debugcon(g):
    """The bytes written to the debug port since the last call, hex."""
    g.qmp.sync()
    with open(g.debugcon, "rb") as f:
        f.seek(g.debugcon_off)
        data = f.read()
    g.debugcon_off += len(data)
    return data.hex()


def shapes(g):
    bar = int(g.run("for d in /sys/bus/pci/devices/*; do "
                    "[ \"$(cat $d/vendor):$(cat $d/device)\" = 0x1b36:0x0011 ] && "
                    "head -n1 $d/resource | cut -d' ' -f1; done; true").strip(), 16)
    for variant, path, why in SHAPES:
        if "%" in path:
            path = path % bar
        g.run("insmod host-module/pvpanic_sim.ko variant=%s panic_action=none && "
              "insmod guest-driver/pvpanic_acpi.ko" % variant)
        g.write("%s/%s/events" % (DEVS, QDEV), "0")
        check("%s: no stray event from the loads" % variant, events(g), "")
        dev = g.run("for d in %s/QEMU0001:*; do [ \"$(cat $d/firmware_node/path)\" = "
                    "'\\_SB_.PEVT' ] && echo ${d##*/}; done; true" % DEVS).strip()
        check("%s: path" % variant, first_line(g, "%s/%s/path" % (DBG, dev)), path)
        check("%s: why" % variant,
              why in g.read("%s/%s/path" % (DBG, dev)), True)
        debugcon(g)
        g.write(DBG + "/trigger", "panic")
        check("%s: QMP after one trigger" % variant, events(g), "GUEST_PANICKED:run")
        check("%s: the debug port after one trigger" % variant, debugcon(g),
              DEBUGCON.get(variant, ""))
        if not QEMU10:      # QEMU 10.0 would exit: qemu/test_shutdown.sh
            g.write(DBG + "/trigger", "shutdown")
            check("%s: QMP after the SHUTDOWN trigger" % variant, events(g), "")
        if variant == "io_stale_crs":
            for how in ("unbind, bind", "rmmod, insmod"):
                if how[0] == "u":
                    g.write(DRV + "/unbind", dev)
                    g.write(DRV + "/bind", dev)
                else:
                    g.run("rmmod pvpanic_acpi && insmod guest-driver/pvpanic_acpi.ko")
                    g.write("%s/%s/events" % (DEVS, QDEV), "0")
                check("%s: path after %s" % (variant, how),
                      first_line(g, "%s/%s/path" % (DBG, dev)), path)
                g.write(DBG + "/trigger", "panic")
                check("%s: QMP after %s and one trigger" % (variant, how), events(g),
                      "GUEST_PANICKED:run")
                check("%s: the debug port after %s" % (variant, how), debugcon(g), "")
        g.run("rmmod pvpanic_acpi && rmmod pvpanic_sim")


def as_found(g):
    crash = "GUEST_CRASHLOADED:run"
    g.run("insmod host-module/pvpanic_sim.ko variant=default panic_action=none")
    want = firmware_view(g, QPATH)
    check("before the driver: RDPT and the event of WRPT(2)",
          (want[0], want[3]), ("AE_OK " + QCAP, crash))

    g.run("insmod guest-driver/pvpanic_acpi.ko policy=io")
    check("policy=io: path", first_line(g, "%s/%s/path" % (DBG, QDEV)), "port 0x505")
    check("policy=io: bound", firmware_view(g, QPATH), want)
    g.write("/sys/module/pvpanic_acpi/parameters/policy", "auto")
    g.write(DRV + "/unbind", QDEV)
    check("policy=io, unbound", firmware_view(g, QPATH), want)
    g.write(DRV + "/bind", QDEV)
    check("auto after io: path (io left the node untouched)",
          first_line(g, "%s/%s/path" % (DBG, QDEV)), "replay io 0x505 8")
    check("bound", firmware_view(g, QPATH), want)
    for i in (1, 2):
        g.write(DRV + "/unbind", QDEV)
        check("after unbind %d" % i, firmware_view(g, QPATH), want)
        g.write(DRV + "/bind", QDEV)
        check("rebind %d: path (learned once, at the first bind)" % i,
              first_line(g, "%s/%s/path" % (DBG, QDEV)), "replay io 0x505 8")
        check("rebind %d: kept on the node" % i, "(at an earlier bind)"
              in g.read("%s/%s/path" % (DBG, QDEV)), True)

    # A failed probe: io_rdpt_big's RDPT is not a byte and it has no _CRS
    # register to read the capability from; its WRPT writes QEMU's port
    # from inside the device.
    g.run("rmmod pvpanic_sim && insmod host-module/pvpanic_sim.ko "
          "variant=io_rdpt_big panic_action=none")
    g.write("%s/%s/events" % (DEVS, QDEV), "0")
    failed = ("AE_OK 0x10%s" % QCAP[-1],) + want[1:]
    out = g.run("dmesg | grep 'pvpanic_acpi.*RDPT returned 0x10%s, not a byte' -A1 | tail -n1"
                % QCAP[-1])
    check("io_rdpt_big refused", "not binding" in out, True)
    check("after the failed probe", firmware_view(g, "\\_SB_.PEVT"), failed)

    # _REG inside the device: ACPICA runs none for SystemIO and
    # SystemMemory (acpi_ev_execute_reg_methods()), so the driver's hooks,
    # which come and go at the first bind, must not make it run either;
    # and the methods work after.
    g.run("rmmod pvpanic_acpi && rmmod pvpanic_sim && "
          "insmod host-module/pvpanic_sim.ko variant=io_reg panic_action=none")
    rpath = "\\_SB_.PEVT"

    def reg():
        return (ev(g, rpath + ".REGC"), ev(g, rpath + ".REGD"))
    before = reg()
    g.run("insmod guest-driver/pvpanic_acpi.ko")
    rdev = g.run("for d in %s/QEMU0001:*; do [ \"$(cat $d/firmware_node/path)\" = "
                 "'\\_SB_.PEVT' ] && echo ${d##*/}; done; true" % DEVS).strip()
    first = reg()
    check("io_reg: _REG not run by the first bind", first, before)
    check("io_reg: learned at the first bind",
          first_line(g, "%s/%s/path" % (DBG, rdev)), "replay io 0x505 8")
    check("io_reg: the device's methods after the first bind",
          firmware_view(g, rpath), want)
    g.write(DRV + "/unbind", rdev)
    g.write(DRV + "/bind", rdev)
    check("io_reg: _REG not run by unbind and bind", reg(), first)
    g.run("rmmod pvpanic_acpi")
    check("io_reg: _REG not run by rmmod", reg(), first)
    check("io_reg: the device's methods after rmmod", firmware_view(g, rpath), want)

    check("after rmmod: QEMU's device", firmware_view(g, QPATH), want)
    g.run("insmod guest-driver/pvpanic_acpi.ko")
    check("reload: path (what the first bind learned)",
          first_line(g, "%s/%s/path" % (DBG, QDEV)), "replay io 0x505 8")
    check("reload", firmware_view(g, QPATH), want)
    g.run("rmmod pvpanic_acpi && rmmod pvpanic_sim")


def main():
    t0 = time.time()
    con = os.path.join(tempfile.mkdtemp(prefix="pvp-debugcon-"), "debugcon")
    g = Guest(qemu_args=["-device", "pvpanic", "-device", "pvpanic-pci",
                         "-chardev", "file,id=dbg,path=" + con,
                         "-device", "isa-debugcon,iobase=0x5a8,readback=2,chardev=dbg",
                         "-action", "panic=none"], smp="1")
    g.debugcon, g.debugcon_off = con, 0
    for name, fn in (("as found", as_found), ("shapes", shapes)):
        fn(g)
        log("%s: done at %.0f s" % (name, time.time() - t0))
    rc = g.finish()
    log("as found, shapes: guest finished in %.0f s, run-vm exit %d" % (time.time() - t0, rc))
    if rc:
        errors.append("as found, shapes: run-vm exited %d (splat, hang or crash)" % rc)
    if errors:
        fail_exit("; ".join(errors))
    print("ok")


if __name__ == "__main__":
    main()
