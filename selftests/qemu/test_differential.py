#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Differential conformance: pvpanic_sim against QEMU's own pvpanic.

One guest has both QEMU's device (-device pvpanic) and the emulated one
(pvpanic_sim); pvpanic_acpi binds both. Every step is applied to both sides
through the same means (a raw byte through each device's WRPT, evaluated
by the test module's debugfs "eval" file, outside every driver; QMP control commands on the host for QEMU, the same commands
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

# Any ACPI method, evaluated by the test module: "PATH [ARG]", then read.
EVAL = "/sys/kernel/debug/pvpanic_sim/eval"
# The model's last sequence number, the counter GET_CONFIG reports as seq.
SIM_SEQ = "/sys/kernel/debug/pvpanic_sim/seq"
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
        """Load both modules, name the bound devices and start the monitor
        (again, after a reboot): one shell in the guest, and no exec but
        the loads and the monitor (after a reboot nothing is loaded: no
        pkill, no rmmod)."""
        out = self.g.run(
            "if [ -d /sys/module/pvpanic_sim ] || [ -d /sys/module/pvpanic_acpi ]; then "
            "pkill -x pvpanic-monitor; rmmod pvpanic_acpi pvpanic_sim 2>/dev/null; fi; "
            "insmod host-module/pvpanic_sim.ko %s && "
            "insmod guest-driver/pvpanic_acpi.ko || exit; "
            # {ACPI path: device name} of the devices pvpanic_acpi is bound to
            "for d in /sys/bus/platform/drivers/pvpanic_acpi/QEMU0001:*; do "
            "read -r p < $d/firmware_node/path; echo \"bound ${d##*/} $p\"; done; "
            # One long-lived monitor: the model's events, with seq numbers.
            # (emptied first: a "subscribed" left by the last one is not this one's)
            ": > /tmp/sim-events.err; "
            "(%s events --extra > /tmp/sim-events 2>/tmp/sim-events.err &); "
            "exec 3<> <(:); s=; for i in {1..100}; do "
            "[ -r /tmp/sim-events.err ] && IFS= read -r -d '' s < /tmp/sim-events.err; "
            "[[ $s == *subscribed* ]] && exit 0; read -rt 0.05 -u 3 _; done; "
            "echo \"monitor did not subscribe: $s\"; exit 1"
            % (self.sim_args, MON))
        devs = {}
        for line in out.split("\n"):
            if line.startswith("bound "):
                _, name, path = line.split()
                devs[path] = name
        if SIM_PATH not in devs or len(devs) != 2:
            raise RuntimeError("expected QEMU's and the model's device, driver bound %s" % devs)
        self.sim = devs.pop(SIM_PATH)
        self.qemu_path = list(devs)[0]
        self.sim_off = 0  # bytes of /tmp/sim-events already read
        self.sim_evs = []  # read but not yet matched to a step
        self.fresh = True  # the model as loaded: no step since

    # -- the model's side --------------------------------------------------
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
        """One round trip to the agent: the sequence number before and
        after the step (debugfs, the counter GET_CONFIG reports), the step,
        and query-status (nothing acts on the model after the step: the
        same status as once its events are read); then the events."""
        self.fresh = False
        kind, arg = step
        if kind == "write":
            act = {"write": EVAL, "data": "%s.WRPT %d" % (SIM_PATH, arg)}
        elif kind == "set-action":
            act = {"nl": "set-config", "attrs": {"panic-action": arg}}
        else:
            act = {"nl": kind.replace("_", "-"), "attrs": {}}
        r0, r, r1, st = self.g.batch([{"read": SIM_SEQ}, act, {"read": SIM_SEQ},
                                      {"nl": "status", "attrs": {}}])
        for what, x in (("seq", r0), ("seq", r1), ("status", st)):
            if x["rc"]:
                raise RuntimeError("model %s failed: %s" % (what, x.get("out")))
        err = None
        if kind in ("write", "set-action"):
            if r["rc"]:
                raise RuntimeError("model step %s failed: %s" % (step, r.get("out")))
        elif r["rc"]:
            err = r.get("out", "")
        seq0, seq1 = int(r0["out"]), int(r1["out"])
        events = self.sim_events(seq0, seq1) if seq1 != seq0 else []
        return events, norm_status(st["out"]), err

    # -- QEMU's side -------------------------------------------------------
    def qemu_step(self, step):
        """A step on QEMU's side: its events are those received up to the
        reply to settled_status() after it, with no wait for more."""
        g = self.g
        g.qmp.poll(0)
        g.qmp.take_events()
        kind, arg = step
        if kind == "write":
            g.send({"write": EVAL, "data": "%s.WRPT %d" % (self.qemu_path, arg)})
            # A pause stops the vCPU inside the write: answer with the
            # status, then let it go on with cont (which we do not count).
            deadline = time.time() + 30
            events, status = None, None
            while True:
                r = wait_either(g, 0.05)
                if g.agent in r:
                    try:
                        g.reply(10)
                    except EOFError:  # QEMU exited under the guest
                        g.qmp.poll(2)
                        return norm_events(g.qmp.take_events()), None, "qemu-exits"
                    break
                g.qmp.poll(0)
                if g.qmp.closed:
                    return norm_events(g.qmp.take_events()), None, "qemu-exits"
                if any(e["event"] == "STOP" for e in g.qmp.events) and events is None:
                    status = settled_status(g)
                    events = g.qmp.take_events()
                    g.qmp.execute("cont")
                if time.time() > deadline:
                    raise RuntimeError("write %d to QEMU's device did not finish" % arg)
            if events is None:
                try:
                    status = settled_status(g)
                except (EOFError, OSError):
                    # QEMU exited meanwhile; the query's send may fail
                    # (EPIPE, ECONNRESET) before anything is read: the
                    # events it sent first are still in the socket.
                    g.qmp.poll(2)
                    return norm_events(g.qmp.take_events()), None, "qemu-exits"
                events = g.qmp.take_events()
                return norm_events(events), norm_status(status), None
            # We resumed the guest ourselves: put the model in the same
            # place, so both continue from "running". (cont's RESUME came
            # before its reply: the next step drops it.)
            self.pending_resume = True
            return norm_events(events), norm_status(status), None
        err = qmp_control(g, kind, arg)
        status = settled_status(g)
        events = g.qmp.take_events()
        return norm_events(events), norm_status(status), err


def settled_status(g):
    """query-status once QEMU has acted on what was asked of it before
    this call, with every event of that received before the reply.

    QMP sends events and replies in the order QEMU emits them. The events
    of a step come from the vCPU inside the guest's write, before the agent
    can reply (GUEST_PANICKED, GUEST_CRASHLOADED, GUEST_PVSHUTDOWN), from
    the command itself (STOP, RESUME), or from the main loop acting on a
    request (vmstop: STOP; shutdown: SHUTDOWN, with -no-shutdown its STOP;
    reset: RESET) between two passes of its event loop. Each in-band
    command is dispatched in a pass of its own (the dispatcher coroutine
    goes through the I/O handler context between two), so the second of
    two queries runs after a pass boundary that follows the first: every
    request made before the first has been acted on. A fixed wait would
    only make that likely on a loaded host."""
    g.qmp.execute("query-status")
    return g.qmp.execute("query-status")


def wait_either(g, timeout):
    """Wait up to timeout for the agent's reply or a QMP message (one
    already buffered counts); returns the readable ones of the two."""
    if b"\n" in g.qmp.buf:
        return [g.qmp.sock]
    socks = [g.agent] if g.qmp.closed else [g.agent, g.qmp.sock]
    return select.select(socks, [], [], timeout)[0]


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
                g.send({"write": EVAL, "data": "%s.WRPT %d" % (pair.qemu_path, arg)})
            else:
                g.send({"sh": "echo o > /proc/sysrq-trigger"})
                need_ready = True
            # A write ends with the agent's reply, or with STOP (the vCPU
            # paused inside it; its reply comes after a cont). The poweroff
            # that enter-shutdown asks for runs after the shell's reply:
            # wait for its SHUTDOWN (and the reply, if it comes first).
            deadline = time.time() + 30
            replied = False
            while True:
                if replied:
                    g.qmp.poll(0.05)
                elif g.agent in wait_either(g, 0.05):
                    g.reply(10)
                    replied = True
                    if kind == "write":
                        break
                g.qmp.poll(0)
                if any(e["event"] in ("STOP", "SHUTDOWN") for e in g.qmp.events):
                    pending = kind == "write"
                    break
                if time.time() > deadline:
                    raise RuntimeError("QEMU step %s %s did not finish" % (kind, arg))
        else:
            err = qmp_control(g, kind, arg)
            if kind == "system_reset" and not err:
                need_ready = True
        # The step's events: those before the reply to settled_status().
        # A rebooting guest's own firmware reset (RESET guest:true) may
        # come at any time: it is left out.
        status = settled_status(g)
        evs = [e for e in g.qmp.take_events()
               if not (e["event"] == "RESET" and e.get("data", {}).get("guest"))]
        results.append((norm_events(evs), norm_status(status), err))
    pair.rebooting = need_ready
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
    def ev(path):
        pair.g.write(EVAL, path + ".RDPT")
        r = pair.g.read(EVAL).split()
        return r[1] if r[0] == "AE_OK" and len(r) == 2 else " ".join(r)
    q, s = ev(pair.qemu_path), ev(SIM_PATH)
    counts[cls] = counts.get(cls, 0) + 1
    if q != s:
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
        # The resets rebooted the guest: qemu_script set the model up again
        # at its first write after them and no model step has run since;
        # else (a reset at the end) wait for the guest and load again.
        if p.rebooting:
            g.wait_ready()
            p.setup()
        elif not p.fresh:
            p.setup()
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
