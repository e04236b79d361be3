#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The guest half of make bench (run by scripts/bench/bench.sh in a guest
booted with QEMU's -device pvpanic and -action panic=none).

Three measurements, raw samples written to $PVP_OUT/bench.json for the host
half (report.py) to summarise:

  paths     the pvpanic drivers' panic notifiers, called from the kernel's
            panic notifier list by pvpanic_bench with interrupts off and
            timed in the kernel, once per configuration: no pvpanic driver
            loaded, ours bound with each policy (replay, live WRPT, _CRS
            port), upstream pvpanic-mmio bound; each after the bare outb()
            to QEMU's port. Configurations rotate from round to round.
  probe     the time a bind (probe) takes, ours and pvpanic-mmio's,
            interleaved.
  pipeline  pvpanic_sim with panic_action=none; pvpanic_bench evaluates
            WRPT(1) on CPU 1 at a set rate, pvpanic-monitor on CPU 0 prints
            each event with when it received it; per rate: what arrived,
            what the model counted lost, socket overruns, latencies.
"""
import json
import os
import re
import subprocess
import sys
import time

ROOT = os.environ["PVP_ROOT"]
OUT = os.environ.get("PVP_OUT", "/tmp")
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "9"))
CALLS = int(os.environ.get("BENCH_CALLS", "200"))
PROBES = int(os.environ.get("BENCH_PROBES", "15"))
RATES = [int(r) for r in os.environ.get(
    "BENCH_RATES", "1000 2000 5000 10000 20000 50000 100000 0").split()]
SECONDS = float(os.environ.get("BENCH_SECONDS", "1.5"))

DRV = ROOT + "/guest-driver/pvpanic_acpi.ko"
SIM = ROOT + "/host-module/pvpanic_sim.ko"
BENCH = OUT + "/pvpanic_bench.ko"
MON = ROOT + "/tools/pvpanic-monitor/pvpanic-monitor"
DBG = "/sys/kernel/debug/pvpanic_bench/"
DEV = "QEMU0001:00"
PORT = 0x505
SIM_DEV = "\\_SB.PEVT"


def log(msg):
    print("bench: " + msg, flush=True)


def sh(cmd):
    subprocess.run(cmd, shell=True, check=True)


def loaded(mod):
    return os.path.isdir("/sys/module/" + mod)


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


def read(path):
    with open(path) as f:
        return f.read()


def timed(name, arg, notifiers=None):
    """Run one pvpanic_bench measurement; returns ns per call."""
    write(DBG + name, arg)
    calls, ns, fail, late, nbs = (int(x) for x in read(DBG + name).split())
    if fail:
        raise SystemExit("bench: %s %s: %d failures" % (name, arg, fail))
    if notifiers is not None and nbs != notifiers:
        raise SystemExit("bench: %s ran %d pvpanic notifiers, want %d"
                         % (name, nbs, notifiers))
    return ns / calls, calls, ns, late


def unload_all():
    for mod in ("pvpanic_acpi", "pvpanic_mmio", "pvpanic", "pvpanic_sim"):
        if loaded(mod):
            sh("rmmod " + mod)


def unbind_all():
    for drv in ("pvpanic_acpi", "pvpanic-mmio"):
        if os.path.exists("/sys/bus/platform/drivers/%s/%s" % (drv, DEV)):
            unbind(drv)


# Each configuration: the driver and policy that bind QEMU's device, the
# path it must report, the module whose panic notifier is timed.  Ours stays
# loaded and changes policy by rebinding: a reload could not learn WRPT
# again (Documentation/panic-path.md).
CONFIGS = {
    "none": (None, None, None, None),
    "replay": ("pvpanic_acpi", "auto", "replay io 0x505 8", "pvpanic_acpi"),
    "live": ("pvpanic_acpi", "acpi", "live + replay io 0x505 8", "pvpanic_acpi"),
    "port": ("pvpanic_acpi", "io", "port 0x505", "pvpanic_acpi"),
    "upstream": ("pvpanic-mmio", None, None, "pvpanic"),
}


def setup(cfg):
    drv, policy, want, _ = CONFIGS[cfg]
    unbind_all()
    if policy:
        write("/sys/module/pvpanic_acpi/parameters/policy", policy)
    if drv:
        write("/sys/bus/platform/drivers/%s/bind" % drv, DEV)
    if want:
        got = read("/sys/kernel/debug/pvpanic_acpi/%s/path" % DEV).split("\n")[0]
        if got != want:
            raise SystemExit("bench: %s: path is %r, want %r" % (cfg, got, want))
    if drv and not os.path.exists("/sys/bus/platform/drivers/%s/%s" % (drv, DEV)):
        raise SystemExit("bench: %s did not bind %s" % (drv, DEV))


def bench_paths():
    """Per round and configuration: the bare port write, then the chain with
    that configuration bound, back to back, so that each pair sees the same
    host load (QEMU's device emits a QMP event per write: it dominates)."""
    samples = {c: [] for c in CONFIGS}
    bare = {c: [] for c in CONFIGS}
    order = list(CONFIGS)
    sh("insmod %s policy=auto" % DRV)
    sh("modprobe pvpanic-mmio")
    for r in range(ROUNDS):
        # rotate, so that no configuration always runs first
        for cfg in order[r % len(order):] + order[:r % len(order)]:
            setup(cfg)
            mod = CONFIGS[cfg][3] or "none"
            timed("chain", "10 " + mod)     # warm the caches and the TLB
            timed("port", "%#x 10" % PORT)
            bare[cfg].append(timed("port", "%#x %d" % (PORT, CALLS))[0])
            nbs = 0 if cfg == "none" else 1
            samples[cfg].append(timed("chain", "%d %s" % (CALLS, mod), nbs)[0])
        unbind_all()
        log("paths: round %d/%d done" % (r + 1, ROUNDS))
    return {"chain": samples, "bare": bare}


def bind_ns(driver):
    path = "/sys/bus/platform/drivers/%s/bind" % driver
    fd = os.open(path, os.O_WRONLY)
    t0 = time.perf_counter_ns()
    os.write(fd, DEV.encode())
    t1 = time.perf_counter_ns()
    os.close(fd)
    return t1 - t0


def unbind(driver):
    write("/sys/bus/platform/drivers/%s/unbind" % driver, DEV)


def bench_probe():
    write("/sys/module/pvpanic_acpi/parameters/policy", "auto")
    samples = {"ours": [], "upstream": []}
    for _ in range(PROBES):
        for name, driver in (("ours", "pvpanic_acpi"), ("upstream", "pvpanic-mmio")):
            samples[name].append(bind_ns(driver))
            unbind(driver)
    unload_all()
    return samples


def sim_counters():
    out = subprocess.run([MON, "config"], capture_output=True, text=True,
                         check=True).stdout
    cfg = json.loads(out)
    return cfg["seq"], cfg["lost"]


def one_rate(rate, count, rcvbuf=None):
    seq0, lost0 = sim_counters()
    # on tmpfs: a write per event to the 9p share would be the bottleneck
    ev_path, err_path = "/tmp/mon.ev", "/tmp/mon.err"
    cmd = ["taskset", "-c", "0", MON, "events", "--extra", "--received"]
    if rcvbuf:
        cmd += ["--rcvbuf", str(rcvbuf)]
    with open(ev_path, "w") as ev, open(err_path, "w") as err:
        mon = subprocess.Popen(cmd, stdout=ev, stderr=err)
    deadline = time.time() + 10
    while "subscribed" not in read(err_path):
        if time.time() > deadline or mon.poll() is not None:
            raise SystemExit("bench: the monitor did not subscribe")
        time.sleep(0.01)
    os.sched_setaffinity(0, {1})
    try:
        per_call, calls, ns, late = timed("wrpt", "%s %d %d" % (SIM_DEV, rate, count))
        produced = calls / (ns / 1e9)
        # one more, paced apart, so that the monitor sees any gap at the end
        time.sleep(0.2)
        timed("wrpt", "%s 0 1" % SIM_DEV)
        calls += 1
    finally:
        os.sched_setaffinity(0, {0, 1})
    # wait for the last event (it may be lost: then until nothing comes)
    seq1, lost1 = sim_counters()
    last, still = -1, 0
    deadline = time.time() + 60
    while still < 20 and time.time() < deadline:
        with open(ev_path, "rb") as f:
            f.seek(max(0, os.path.getsize(ev_path) - 4096))
            if ('"seq": %d,' % seq1).encode() in f.read():
                break
        size = os.path.getsize(ev_path)
        still = still + 1 if size == last else 0
        last = size
        time.sleep(0.1)
    mon.terminate()
    mon.wait()
    seqs, lat = [], []
    for line in open(ev_path):
        e = json.loads(line)
        p = e["pvpanic"]
        seqs.append(p["seq"])
        ts, rx = e["timestamp"], p["received"]
        lat.append((rx["seconds"] - ts["seconds"]) * 1000000 +
                   rx["microseconds"] - ts["microseconds"])
    err = read(err_path)
    overruns = len(re.findall("No buffer space", err))
    counted = re.findall(r"dropped by this socket before seq \d+ \((\d+) in all\)", err)
    got = set(seqs)
    return {
        "offered": rate, "count": calls, "elapsed_ns": ns, "late": late,
        "produced_per_s": produced,
        "events": seq1 - seq0, "delivered": len(seqs),
        "duplicates": len(seqs) - len(got),
        "outside": len([s for s in got if not seq0 < s <= seq1]),
        "lost_model": lost1 - lost0, "socket_overruns": overruns,
        "socket_dropped": int(counted[-1]) if counted else 0,
        "rcvbuf": rcvbuf or 0,
        "latency_us": lat,
    }


def producer_only(count):
    """WRPT as fast as it goes with nobody subscribed: the model still
    records and its work still drains the ring, but nothing is sent."""
    os.sched_setaffinity(0, {1})
    try:
        _, calls, ns, _ = timed("wrpt", "%s 0 %d" % (SIM_DEV, count))
    finally:
        os.sched_setaffinity(0, {0, 1})
    return calls / (ns / 1e9)


def bench_pipeline():
    sh("insmod %s panic_action=none" % SIM)
    alone = [producer_only(5000) for _ in range(3)]
    log("pipeline: WRPT with no listener: %.0f/s" % max(alone))
    runs = []
    for rate in RATES:
        count = int(rate * SECONDS) if rate else 20000
        count = max(1000, min(count, 50000))
        r = one_rate(rate, count)
        log("pipeline: offered %s/s: %d written in %.2f s, %d delivered, "
            "%d lost (model), %d socket overruns" %
            (rate or "max", r["count"], r["elapsed_ns"] / 1e9, r["delivered"],
             r["lost_model"], r["socket_overruns"]))
        runs.append(r)
    # The same as fast as it goes into a tiny receive buffer: the socket
    # must overrun, and the monitor must count every event it missed.
    r = one_rate(0, 5000, rcvbuf=1024)
    log("pipeline: tiny rcvbuf: %d delivered, %d lost (model), %d dropped "
        "(counted by the monitor)" % (r["delivered"], r["lost_model"],
                                      r["socket_dropped"]))
    runs.append(r)
    unload_all()
    return {"runs": runs, "no_listener_per_s": alone}


def main():
    sh("insmod " + BENCH)
    unload_all()
    res = {"kernel": os.uname().release, "rounds": ROUNDS, "calls": CALLS,
           "chain_members": read(DBG + "members").splitlines()}
    res["paths"] = bench_paths()
    res["probe"] = bench_probe()
    res["pipeline"] = bench_pipeline()
    sh("rmmod pvpanic_bench")
    with open(OUT + "/bench.json", "w") as f:
        json.dump(res, f)
    log("done")


if __name__ == "__main__":
    sys.exit(main())
