#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Differential conformance: pvpanic_sim against QEMU's own pvpanic.

One guest has both QEMU's device (-device pvpanic) and the emulated one
(pvpanic_sim); pvpanic_acpi binds both. Every step is applied to both sides
through the same means (a raw byte through WRPT via the driver's debugfs
"wrpt" file; QMP control commands on the host for QEMU, the same commands
through pvpanic-monitor for the model) and the RDPT value, the events (name
and data, in order) and the status after each step are compared.

QEMU exits on a panic with the shutdown actions, so those cases get a QEMU
of their own. Expected differences are listed in EXPECTED with a reason.

Bit 2 (GUEST_PVSHUTDOWN, QEMU 9.1+) exists only in QEMU 10.0: classes 5
and 6 always run with QEMU 10.0 (scripts/qemu10.sh) and the model's
qemu=10.0. PVP_QEMU=10 runs classes 1-4 with it too: then the bytes that
are GUEST_PVSHUTDOWN are left to class 5, QEMU's capability is 7 by
default, and query-status has no "singlestep". make check writes every
byte whose bits 0-2 take each value (with and without high bits) and boots
one QEMU for each of classes 3 to 5; the long budgets (PVP_LONG=1) write
every byte and boot each case of those classes. The guests have one vCPU:
the device's protocol needs no second one, and TCG runs one faster.
PVP_DIFF_ONLY=1,3 runs only those classes.
"""

import json
import os
import select
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from pvptest import Guest, QmpError, log, QEMU10, LONG  # noqa: E402

DBG = "/sys/kernel/debug/pvpanic_acpi"
MON = "tools/pvpanic-monitor/pvpanic-monitor"
SIM_PATH = "\\_SB_.PEVT"
DEFAULT_CAP = 7 if QEMU10 else 3
# Every byte, or those of each value of bits 0-2 with and without high bits.
BYTES = list(range(256)) if LONG else sorted(
    set(range(16)) | set(range(0xf0, 0x100)) | {0x20, 0x40, 0x50, 0x80, 0xa8})


def pvshutdown(b):
    """A byte QEMU 10.0 decodes as GUEST_PVSHUTDOWN (bit 2, not 0 or 1)."""
    return QEMU10 and b & 7 == 4

# Differences we keep on purpose: (case class, what differs) -> reason.
EXPECTED = {
    "qemu-exits": "QEMU exits after SHUTDOWN with panic=shutdown/exit-failure; "
                  "the model stays, in state shutdown, so it can be inspected "
                  "(as QEMU itself does with -no-shutdown's state)",
    "guest-reset": "after a reset QEMU reboots the guest, whose firmware resets the "
                   "machine itself (RESET guest:true reason:guest-reset); the model "
                   "has no firmware: such events are left out of the comparison",
    "enter-shutdown": "QEMU reaches state shutdown (with -no-shutdown) by a guest "
                      "poweroff, the model by a panic with action shutdown: the "
                      "events of that step differ by design, the state must not",
    "pvshutdown-stop": "QEMU 10.0 with -no-shutdown stops after GUEST_PVSHUTDOWN "
                       "and SHUTDOWN (STOP); the model follows QEMU without it, "
                       "which exits there: that step's events differ, the state "
                       "after it (shutdown) must not",
}

mismatches = []
counts = {}


def norm_qmp(ev):
    e = {"event": ev["event"]}
    if "data" in ev:
        e["data"] = ev["data"]
    return e


def norm_status(st):
    """query-status as it is: QEMU 10.0 has no "singlestep", 7.2 has."""
    return dict(st)


class Pair:
    """The two devices of one guest, driven side by side."""

    def __init__(self, guest, sim_args):
        self.g = guest
        self.sim_args = sim_args
        self.setup()

    def setup(self):
        """Load both modules and start the monitor (again, after a reboot)."""
        g = self.g
        g.run("pkill -x pvpanic-monitor; rmmod pvpanic_acpi pvpanic_sim 2>/dev/null; "
              "insmod host-module/pvpanic_sim.ko %s && "
              "insmod guest-driver/pvpanic_acpi.ko" % self.sim_args)
        devs = self.bound()
        if SIM_PATH not in devs or len(devs) != 2:
            raise RuntimeError("expected QEMU's and the model's device, driver bound %s" % devs)
        self.sim = devs.pop(SIM_PATH)
        self.qemu = list(devs.values())[0]
        # One long-lived monitor: the model's events, with seq numbers.
        g.run("(%s events --extra > /tmp/sim-events 2>/tmp/sim-events.err &) ; "
              "for i in $(seq 100); do grep -qs subscribed /tmp/sim-events.err && break; "
              "sleep 0.05; done; grep -qs subscribed /tmp/sim-events.err" % MON)
        self.sim_off = 0  # bytes of /tmp/sim-events already read
        self.sim_evs = []  # read but not yet matched to a step

    def bound(self):
        """{ACPI path: device name} of the devices pvpanic_acpi is bound to."""
        devs = {}
        for line in self.g.run("for d in /sys/bus/platform/drivers/pvpanic_acpi/QEMU0001:*; do "
                               "echo ${d##*/} $(cat $d/firmware_node/path); done").split("\n"):
            if line.strip():
                name, path = line.split()
                devs[path] = name
        return devs

    # -- the model's side --------------------------------------------------
    def sim_seq(self):
        return self.g.nl("get-config")[1]["seq"]

    def sim_events(self, seq0, seq1):
        """The model's events numbered seq0 < seq <= seq1, in order."""
        deadline = time.time() + 10
        while True:
            # Read what the monitor wrote since last time, whole lines only.
            data = self.g.read("/tmp/sim-events", self.sim_off)
            data = data[:data.rfind("\n") + 1]
            self.sim_off += len(data.encode())
            self.sim_evs += [json.loads(x) for x in data.splitlines() if x.strip()]
            evs = self.sim_evs
            if any(e["pvpanic"]["seq"] >= seq1 for e in evs) or time.time() > deadline:
                got = [norm_qmp(e) for e in evs if seq0 < e["pvpanic"]["seq"] <= seq1]
                self.sim_evs = [e for e in evs if e["pvpanic"]["seq"] > seq1]
                if len(got) != seq1 - seq0:
                    got.append({"event": "<%d events lost>" % (seq1 - seq0 - len(got))})
                return got
            time.sleep(0.02)

    def sim_step(self, step):
        seq0 = self.sim_seq()
        kind, arg = step
        err = None
        if kind == "write":
            self.g.write("%s/%s/wrpt" % (DBG, self.sim), arg)
        elif kind == "set-action":
            self.g.nl("set-config", {"panic-action": arg})
        else:
            rc, out = self.g.nl(kind, check=False)
            err = out if rc else None
        seq1 = self.sim_seq()
        events = self.sim_events(seq0, seq1) if seq1 != seq0 else []
        status = norm_status(self.g.nl("status")[1])
        return events, status, err

    # -- QEMU's side -------------------------------------------------------
    def qemu_step(self, step):
        g = self.g
        g.qmp.poll(0)
        g.qmp.take_events()
        kind, arg = step
        if kind == "write":
            g.send({"write": "%s/%s/wrpt" % (DBG, self.qemu), "data": str(arg)})
            # A pause stops the vCPU inside the write: answer with the
            # status, then let it go on with cont (which we do not count).
            deadline = time.time() + 30
            events, status = None, None
            while True:
                r, _, _ = select.select([g.agent], [], [], 0.02)
                if r:
                    try:
                        g.reply(10)
                    except EOFError:  # QEMU exited under the guest
                        g.qmp.poll(2)
                        return norm_events(g.qmp.take_events()), None, "qemu-exits"
                    break
                g.qmp.poll(0.01)
                if g.qmp.closed:
                    return norm_events(g.qmp.take_events()), None, "qemu-exits"
                if any(e["event"] == "STOP" for e in g.qmp.events) and events is None:
                    time.sleep(0.05)
                    g.qmp.poll(0.05)
                    events = g.qmp.take_events()
                    status = g.qmp.execute("query-status")
                    g.qmp.execute("cont")
                if time.time() > deadline:
                    raise RuntimeError("write %d to QEMU's device did not finish" % arg)
            if events is None:
                g.qmp.poll(0.05)
                events = g.qmp.take_events()
                try:
                    status = g.qmp.execute("query-status")
                except (EOFError, OSError):
                    return norm_events(events), None, "qemu-exits"
                return norm_events(events), norm_status(status), None
            # We resumed the guest ourselves: put the model in the same
            # place, so both continue from "running".
            g.qmp.poll(0.05)
            g.qmp.take_events()
            self.pending_resume = True
            return norm_events(events), norm_status(status), None
        err = qmp_control(g, kind, arg)
        g.qmp.poll(0.1)
        events = g.qmp.take_events()
        status = g.qmp.execute("query-status")
        return norm_events(events), norm_status(status), err


def qmp_control(g, kind, arg):
    """A control step on QEMU's side; returns QMP's error text or None.
    system_reset only asks for a reset: QEMU's main loop does it, and sends
    RESET, after the command has returned. Wait for that event, so that a
    busy host cannot push it into the next step."""
    try:
        if kind == "set-action":
            g.qmp.execute("set-action", {"panic": arg})
        else:
            g.qmp.execute(kind)
    except QmpError as e:
        return str(e)
    if kind == "system_reset":
        deadline = time.time() + 30
        while not any(e["event"] == "RESET" for e in g.qmp.events):
            if time.time() > deadline:
                raise RuntimeError("system_reset: no RESET event in 30 s")
            g.qmp.poll(0.05)
    return None


def qemu_script(pair, steps):
    """Run steps on QEMU's side only, in order, with the VM really stopping
    and resetting (the guest reboots; the agent comes back)."""
    g = pair.g
    results = []
    need_ready = False   # a reset rebooted the guest
    pending = False      # a write's reply is held by a paused vCPU
    for kind, arg in steps:
        g.qmp.poll(0)
        g.qmp.take_events()
        err = None
        if kind in ("write", "enter-shutdown"):
            if need_ready:
                g.wait_ready()
                need_ready = pending = False
                pair.setup()
            if pending:
                g.reply(30)
                pending = False
            if kind == "write":
                g.send({"write": "%s/%s/wrpt" % (DBG, pair.qemu), "data": str(arg)})
            else:
                g.send({"sh": "echo o > /proc/sysrq-trigger"})
                need_ready = True
            deadline = time.time() + 30
            while True:
                if select.select([g.agent], [], [], 0.02)[0]:
                    g.reply(10)
                    break
                g.qmp.poll(0.01)
                if any(e["event"] in ("STOP", "SHUTDOWN") for e in g.qmp.events):
                    pending = kind == "write"
                    break
                if time.time() > deadline:
                    raise RuntimeError("QEMU step %s %s did not finish" % (kind, arg))
        else:
            err = qmp_control(g, kind, arg)
            if kind == "system_reset" and not err:
                need_ready = True
        g.qmp.poll(0.3)
        evs = [e for e in g.qmp.take_events()
               if not (e["event"] == "RESET" and e.get("data", {}).get("guest"))]
        results.append((norm_events(evs),
                        norm_status(g.qmp.execute("query-status")), err))
    return results


def compare_scripts(pair, cls, steps, sim_steps=None, state_only=()):
    """The same steps on each side in turn, the model's first (its steps
    never stop the guest); sim_steps replaces steps where the two sides
    must reach a state by different means; the steps at the indices of
    state_only compare the state only."""
    sim = [pair.sim_step(st) for st in (sim_steps or steps)]
    qemu = qemu_script(pair, steps)
    for i, (st, q, si) in enumerate(zip(steps, qemu, sim)):
        if st[0] == "enter-shutdown" or i in state_only:
            # Entered by different means (see EXPECTED): compare the state.
            if q[1] != si[1]:
                mismatches.append((cls, st, q, si))
            continue
        check(cls, st, q, si)
    counts[cls] = counts.get(cls, 0) + len(steps)


def norm_events(evs):
    return [norm_qmp(e) for e in evs]


def compare(pair, cls, steps):
    """Apply steps to both sides, the model first (QEMU may exit or stop
    the guest); record mismatches under class cls."""
    n = 0
    for step in steps:
        pair.pending_resume = False
        s = pair.sim_step(step)
        q = pair.qemu_step(step)
        check(cls, step, q, s)
        if pair.pending_resume:
            # QEMU paused inside the write and we resumed it: resume the
            # model the same way, so both go on from "running".
            pair.sim_step(("cont", None))
        n += 1
        if q[2] == "qemu-exits":
            break
    counts[cls] = counts.get(cls, 0) + n


def check(cls, step, q, s):
    qe, qs, qerr = q
    se, ss, serr = s
    if qerr == "qemu-exits":
        # QEMU is gone: compare events; the model must be in shutdown.
        if qe != se or ss["status"] != "shutdown":
            mismatches.append((cls, step, (qe, "qemu exited"), (se, ss)))
        return
    if qe != se or qs != ss or bool(qerr) != bool(serr) or (qerr and qerr not in serr):
        mismatches.append((cls, step, (qe, qs, qerr), (se, ss, serr)))


def rdpt(pair, cls):
    q = pair.g.read("%s/%s/rdpt" % (DBG, pair.qemu)).strip()
    s = pair.g.read("%s/%s/rdpt" % (DBG, pair.sim)).strip()
    counts[cls] = counts.get(cls, 0) + 1
    if int(q, 0) != int(s, 0):
        mismatches.append((cls, ("rdpt", None), q, s))


def boot(qemu_dev="pvpanic", action="pause", sim_args="", allow_exit=False,
         reboot=False, extra=(), qemu10=QEMU10):
    g = Guest(qemu_args=["-device", qemu_dev, "-action", "panic=%s" % action] + list(extra),
              allow_exit=allow_exit, reboot=reboot, qemu="10" if qemu10 else "7.2",
              smp="1")
    return g, Pair(g, "panic_action=%s qemu=%s %s"
                   % (action, "10.0" if qemu10 else "7.2", sim_args))


def finish(g, allow_exit=False):
    rc = g.finish()
    if rc != 0 and not allow_exit:
        mismatches.append(("guest", ("run-vm", None), "exit %d" % rc, g.log[-2000:]))


def want(n):
    """PVP_DIFF_ONLY=1,3 runs only those classes (for debugging)."""
    only = os.environ.get("PVP_DIFF_ONLY")
    return not only or str(n) in only.split(",")


def main():
    t0 = time.time()
    if want(1):
        # 1. Every byte, actions pause and none, default capability.
        #    (QEMU 10.0: those that are GUEST_PVSHUTDOWN make it exit: class 5.)
        g, p = boot(action="pause")
        rdpt(p, "rdpt events=%d" % DEFAULT_CAP)
        for action in ("pause", "none"):
            compare(p, "set-action", [("set-action", action)])
            compare(p, "bytes action=%s" % action,
                    [("write", v) for v in BYTES if not pvshutdown(v)])
        finish(g)
        log("class 1 done in %.0fs" % (time.time() - t0))

    if want(2):
        # 2. Control sequences after a panic, with QEMU's VM really stopping and
        #    resetting: no -no-reboot (a reset reboots the guest), and
        #    -no-shutdown so the shutdown state can be entered and left.
        g, p = boot(action="pause", reboot=True, extra=["-no-shutdown"])
        controls = [("write", 1), ("stop", None), ("cont", None), ("stop", None),
                    ("stop", None), ("cont", None), ("cont", None),
                    ("system_reset", None), ("write", 1), ("system_reset", None),
                    ("cont", None), ("stop", None), ("system_reset", None),
                    ("stop", None), ("cont", None), ("write", 2),
                    ("set-action", "none"), ("write", 1), ("write", 3),
                    ("set-action", "pause")]
        compare_scripts(p, "controls", controls)
        shutdown = [("enter-shutdown", None), ("cont", None), ("stop", None),
                    ("cont", None), ("system_reset", None), ("cont", None),
                    ("write", 2)]
        p.setup()  # the resets rebooted the guest
        p.sim_step(("set-action", "shutdown"))
        compare_scripts(p, "controls from shutdown", shutdown,
                        [("write", 1)] + shutdown[1:])
        finish(g)
        log("class 2 done in %.0fs" % (time.time() - t0))

    if want(3):
        # 3. Capabilities (QEMU's events= property): RDPT and a few writes.
        for cap in ((0, 1) if not QEMU10 else (0, 3))[:None if LONG else 1]:
            g, p = boot(qemu_dev="pvpanic,events=%d" % cap, action="none",
                        sim_args="capability=%d" % cap)
            rdpt(p, "rdpt events=%d" % cap)
            compare(p, "writes with events=%d" % cap,
                    [("write", v) for v in (0, 1, 2, 3, 4, 8, 0x80, 0xff)
                     if not pvshutdown(v)])
            finish(g)
        log("class 3 done in %.0fs" % (time.time() - t0))

    if want(4):
        # 4. The actions that make QEMU exit, one QEMU each, with the other
        #    capabilities (one with unknown bits): every byte without bit 0
        #    first, then bit 0 (not filtered by a capability without it).
        for action, cap in (("exit-failure", 0x7f), ("shutdown", 2))[:None if LONG else 1]:
            g, p = boot(qemu_dev="pvpanic,events=%d" % cap, action=action,
                        sim_args="capability=%d" % cap, allow_exit=True)
            rdpt(p, "rdpt events=%d" % cap)
            steps = [("write", b) for b in BYTES
                     if not b & 1 and not pvshutdown(b)]
            compare(p, "action=%s events=%d" % (action, cap), steps + [("write", 0x01)])
            finish(g, allow_exit=True)
        log("class 4 done in %.0fs" % (time.time() - t0))

    if want(5):
        # 5. GUEST_PVSHUTDOWN (QEMU 10.0): QEMU exits, whatever the panic
        #    action (exit-failure still exits 0); the model stays in shutdown.
        for action, b in (("exit-failure", 0xfc), ("none", 0x04))[:None if LONG else 1]:
            g, p = boot(action=action, allow_exit=True, qemu10=True)
            compare(p, "pvshutdown 0x%02x action=%s" % (b, action),
                    [("write", 0x08), ("write", b)])
            finish(g, allow_exit=True)
        log("class 5 done in %.0fs" % (time.time() - t0))

    if want(6):
        # 6. Control sequences after a GUEST_PVSHUTDOWN (QEMU 10.0), with
        #    -no-shutdown so that QEMU stays (see EXPECTED: the entering step
        #    compares the state).
        g, p = boot(action="pause", reboot=True, extra=["-no-shutdown"], qemu10=True)
        steps = [("write", 4), ("cont", None), ("stop", None), ("cont", None),
                 ("system_reset", None), ("cont", None), ("write", 2)]
        compare_scripts(p, "controls after pvshutdown", steps, state_only=(0,))
        finish(g)
        log("class 6 done in %.0fs" % (time.time() - t0))

    for key, why in EXPECTED.items():
        log("expected difference %s: %s" % (key, why))
    for cls, n in counts.items():
        bad = sum(1 for m in mismatches if m[0] == cls)
        print("%s %s: %d steps, %d mismatches" % ("ok" if not bad else "not ok", cls, n, bad))
    if mismatches:
        print("# mismatches (QEMU | pvpanic_sim):")
        for cls, step, q, s in mismatches:
            print("#  %-28s %-22s QEMU: %s" % (cls, step, json.dumps(q)))
            print("#  %-28s %-22s sim : %s" % ("", "", json.dumps(s)))
        return 1
    log("0 mismatches, %.0fs" % (time.time() - t0))
    return 0


if __name__ == "__main__":
    sys.exit(main())
