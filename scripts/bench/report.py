#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Summarise a make bench run: read OUT/vm/bench.json (bench_guest.py), the
QMP log, the empty boots and the last make check's phases; print the table,
write it as Markdown to OUT/bench.md and draw OUT/latency.svg (gnuplot)."""
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys

out = sys.argv[1]
res = json.load(open(os.path.join(out, "vm", "bench.json")))
kver = res["kernel"]
lines = []


def emit(text=""):
    print(text)
    lines.append(text)


def mmm(xs):
    return statistics.median(xs), min(xs), max(xs)


def fmt_ns(xs):
    med, lo, hi = mmm(xs)
    return "%.0f ns (%.0f-%.0f)" % (med, lo, hi)


def pct(xs, p):
    xs = sorted(xs)
    if not xs:
        return float("nan")
    return xs[min(len(xs) - 1, int(round(p / 100.0 * (len(xs) - 1))))]


def cpu_model():
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor()


accel = os.environ.get("PVP_ACCEL", "tcg")
emit("make bench, %s, kernel %s, QEMU %s under %s" % (
    datetime.date.today().isoformat(), kver,
    subprocess.run(["qemu-system-x86_64", "--version"], capture_output=True,
                   text=True).stdout.split()[3],
    accel.upper()))
emit("host: %s, %d CPUs" % (cpu_model(), os.cpu_count()))
emit()

# --- panic paths -------------------------------------------------------------
p = res["paths"]["chain"]
pb = res["paths"]["bare"]
rounds = len(p["none"])
bare = [x for c in pb for x in pb[c]]
emit("## One notification, per panic path (median of %d rounds of %d calls; min-max)"
     % (rounds, res["calls"]))
emit()
emit("| path | cost per notification | ratio to the bare port write |")
emit("|---|---|---|")
emit("| bare `outb` to QEMU's port 0x505 (the floor) | %s | 1.00 |" % fmt_ns(bare))
names = [("replay", "ours, replayed WRPT (policy=auto)"),
         ("live", "ours, live WRPT through the AML interpreter (policy=acpi)"),
         ("port", "ours, `_CRS` port (policy=io)"),
         ("upstream", "upstream pvpanic-mmio")]
for cfg, label in names:
    # the chain with this driver bound, minus the chain with none bound in
    # the same round; its ratio to the bare write measured just before it
    net = [a - b for a, b in zip(p[cfg], p["none"])]
    ratio = [n / b for n, b in zip(net, pb[cfg])]
    emit("| %s | %s | %.2f (%.2f-%.2f) |" % ((label, fmt_ns(net)) + mmm(ratio)))
emit()
emit("Each figure is the driver's own panic notifier, called from the "
     "kernel's panic notifier list with interrupts off as panic() calls it, "
     "minus the same loop with no pvpanic driver loaded (%s); the ratio is "
     "to the bare write timed right before it, in the same round. The "
     "chain's other notifiers (here: %s) are not run: one of them prints a "
     "console line each time." % (
         fmt_ns(p["none"]), ", ".join(m.split()[1] for m in res["chain_members"]
                                     if "pvpanic" not in m)))
# per round: a bare run before each of the 5 configurations, a chain run
# that writes with each of the 4 that bind a driver; 10 warm-up calls each
expect = rounds * (5 + 4) * (res["calls"] + 10)
seen = 0
try:
    for line in open(os.path.join(out, "qmp.log")):
        if line.strip() and json.loads(line).get("event") == "GUEST_PANICKED":
            seen += 1
except OSError:
    pass
emit("QEMU emitted %d GUEST_PANICKED events for the %d writes the timed and "
     "warm-up calls made: %s." % (seen, expect,
                                  "every one arrived" if seen == expect else "MISMATCH"))
emit()

# --- probe -------------------------------------------------------------------
pr = res["probe"]
emit("## Probe (bind) of QEMU's device, median of %d (min-max)" % len(pr["ours"]))
emit()
emit("| driver | bind |")
emit("|---|---|")
for k, label in (("ours", "ours (RDPT; WRPT learned at the first bind, kept on the node)"),
                 ("upstream", "upstream pvpanic-mmio")):
    med, lo, hi = mmm(pr[k])
    emit("| %s | %.0f us (%.0f-%.0f) |" % (label, med / 1e3, lo / 1e3, hi / 1e3))
emit()

# --- pipeline ----------------------------------------------------------------
emit("## Host pipeline: WRPT -> pvpanic_sim -> netlink -> pvpanic-monitor")
emit()
emit("| offered/s | produced/s | delivered | lost in the model | dropped at the socket | unaccounted | p50 us | p99 us |")
emit("|---|---|---|---|---|---|---|---|")
sustained = 0
dat = []
pipe = res["pipeline"]
for r in pipe["runs"]:
    unacc = r["count"] - r["delivered"] - r["lost_model"] - r["socket_dropped"]
    lossless = (r["lost_model"] == 0 and r["socket_dropped"] == 0 and unacc == 0
                and r["duplicates"] == 0 and r["outside"] == 0)
    if lossless and not r["rcvbuf"]:
        sustained = max(sustained, r["delivered"] / (r["elapsed_ns"] / 1e9))
    lat = r["latency_us"]
    p50, p99 = pct(lat, 50), pct(lat, 99)
    offered = "%s" % (r["offered"] or "max")
    if r["rcvbuf"]:
        offered += " (rcvbuf %d B)" % r["rcvbuf"]
    emit("| %s | %.0f | %d/%d | %d | %d | %d | %.0f | %.0f |" % (
        offered, r["produced_per_s"], r["delivered"], r["count"],
        r["lost_model"], r["socket_dropped"], unacc, p50, p99))
    if not r["rcvbuf"]:
        dat.append((r["offered"] or r["produced_per_s"], r["produced_per_s"], p50, p99))
emit()
emit("Sustained with no loss: %.0f events/s. The producer alone (WRPT as "
     "fast as it goes, nobody subscribed, so nothing is sent): %.0f/s "
     "(median of %d; %.0f-%.0f)." % ((sustained, ) + mmm(pipe["no_listener_per_s"])[:1]
                                    + (len(pipe["no_listener_per_s"]), )
                                    + mmm(pipe["no_listener_per_s"])[1:]))
emit()

# --- boots and make check ----------------------------------------------------
boots = [int(x) for x in open(os.path.join(out, "boot_ms")).read().split()]
emit("## Wall time")
emit()
emit("- an empty guest boot and shutdown: %.1f s (median of %d; %.1f-%.1f)" % (
    statistics.median(boots) / 1e3, len(boots), min(boots) / 1e3, max(boots) / 1e3))
phases = os.path.join(os.path.dirname(out), "check-" + kver, "phases")
if os.path.exists(phases):
    lines = [l.strip() for l in open(phases)]
    emit("- the last make check on this machine, by phase: " + ", ".join(
        l.replace("# phase ", "") for l in lines if l.startswith("# phase ")))
    emit("- its jobs: " + ", ".join(
        l.replace("#   job ", "") for l in lines if l.startswith("#   job ")))
else:
    emit("- make check phases: no out/check-%s/phases yet (run make check)" % kver)

with open(os.path.join(out, "bench.md"), "w") as f:
    f.write("\n".join(lines) + "\n")

with open(os.path.join(out, "latency.dat"), "w") as f:
    f.write("# offered/s produced/s p50_us p99_us\n")
    for row in sorted(dat):
        f.write("%.0f %.0f %.0f %.0f\n" % row)
if shutil.which("gnuplot"):
    script = """
set terminal svg size 720,420 dynamic font "sans,12"
set output "%(o)s/latency.svg"
set title "pvpanic_sim event latency, WRPT to pvpanic-monitor (%(k)s, %(a)s)"
set xlabel "offered events/s (unpaced: plotted at the rate the producer reached)"
set ylabel "latency (us)"
set logscale xy
set grid
set key top left
plot "%(o)s/latency.dat" using 1:3 with linespoints title "p50", \\
     "%(o)s/latency.dat" using 1:4 with linespoints title "p99"
""" % {"o": out, "k": kver, "a": accel.upper()}
    subprocess.run(["gnuplot"], input=script, text=True, check=True)
    print("plot: %s/latency.svg" % out)
else:
    print("plot: gnuplot is not installed; data in %s/latency.dat" % out)
