#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make bench's short form, so that the documented command cannot rot: the
# same script (scripts/bench/bench.sh) with the smallest amounts, into a
# directory of its own.  It must complete and print each table: every
# panic path with its ratio, every write reported by QEMU, the probe and
# the pipeline with nothing unaccounted.  No timing is asserted.
. "$(dirname "$0")/../lib.sh"
vm_setup

o=$T/bench
BENCH_OUT=$o BENCH_ROUNDS=1 BENCH_CALLS=10 BENCH_PROBES=2 BENCH_RATES="2000 0" \
	BENCH_SECONDS=0.3 BENCH_BOOTS=1 "$PVP_ROOT/scripts/bench/bench.sh" >"$T/bench.log" 2>&1 ||
	{ tail -n 30 "$T/bench.log"; die "make bench's short form failed"; }
md=$o/bench.md
[ -s "$md" ] || die "no report $md"
for row in "ours, replayed WRPT" "ours, live WRPT" "ours, \`_CRS\` port" \
	"upstream pvpanic-mmio"; do
	grep -qE "^\| $row.* \| [0-9]+\.[0-9]{2} \(" "$md" ||
		{ cat "$md"; die "no ratio for '$row'"; }
done
grep -q "every one arrived" "$md" || { cat "$md"; die "QEMU missed writes"; }
grep -q "^| ours (RDPT" "$md" || { cat "$md"; die "no probe figure"; }
# The pipeline rows: the unaccounted column (6th) is 0 in each.
rows=$(awk -F'|' '/^\| [0-9]+|^\| max/ { n++; if ($7 + 0 != 0) bad++ }
	END { print n + 0, bad + 0 }' "$md")
[ "$rows" = "3 0" ] || { cat "$md"; die "pipeline rows (count, unaccounted): $rows, want 3 0"; }
log "bench short form: $(grep -c '^|' "$md") table rows, $(grep 'replayed WRPT' "$md")"
echo "ok"
