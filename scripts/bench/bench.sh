#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make bench: boot one guest with QEMU's own pvpanic device (-action
# panic=none, so the guest lives on) and measure there, within one boot:
# the cost of each panic path, the probe, and the host model's event
# pipeline (bench_guest.py); then a few empty boots; then print the table
# and draw the latency plot (report.py). Results: out/bench-<kver>/.
#   BENCH_ROUNDS, BENCH_CALLS, BENCH_PROBES, BENCH_RATES, BENCH_SECONDS
#   tune bench_guest.py, BENCH_BOOTS the empty boots (3), BENCH_OUT the
#   results' directory; PVP_ACCEL=kvm boots with KVM where it works.
set -eu
cd "$(dirname "$0")/../.."
: "${KVER:=$(scripts/kver.sh)}"
export KVER
out=${BENCH_OUT:-$PWD/out/bench-$KVER}
rm -rf "$out"
mkdir -p "$out/kmod" "$out/vm"

if [ "$(id -u)" = 0 ] && [ -z "${BENCH_OUT:-}" ]; then
	scripts/install-deps.sh "$KVER"
	command -v gnuplot >/dev/null ||
		apt-get install -y -q gnuplot-nox >/dev/null
fi
make -s modules tool KVER="$KVER"
cp scripts/bench/Kbuild scripts/bench/pvpanic_bench.c "$out/kmod/"
make -s -C "/lib/modules/$KVER/build" M="$out/kmod" modules
cp "$out/kmod/pvpanic_bench.ko" "$out/vm/"

pass=$(printf '%s\n' BENCH_ROUNDS BENCH_CALLS BENCH_PROBES BENCH_RATES \
	BENCH_SECONDS | while read -r v; do
	if [ -n "${!v:-}" ]; then printf '%s=%q ' "$v" "${!v}"; fi; done)
echo "bench: booting $KVER (${PVP_ACCEL:-tcg}); this takes a few minutes"
start=$(date +%s)
scripts/vm/run-vm.py --kver "$KVER" --timeout 1500 --quiet \
	--qemu-arg=-device --qemu-arg=pvpanic \
	--qemu-arg=-action --qemu-arg=panic=none \
	--qmp-log "$out/qmp.log" --console-log "$out/console.log" \
	--out "$out/vm" -- "${pass}python3 \$PVP_ROOT/scripts/bench/bench_guest.py" || {
	echo "bench: the guest failed (exit $?); its output:"
	tail -n 30 "$out/vm/cmd.log" 2>/dev/null
	exit 1
}
echo "bench: guest done in $(($(date +%s) - start)) s"

# Boot to a shell command and back, three times: the fixed price of every
# guest in make check.
for i in $(seq "${BENCH_BOOTS:-3}"); do
	t0=$(date +%s%N)
	scripts/vm/run-vm.py --kver "$KVER" --timeout 120 --quiet -- true \
		>/dev/null 2>&1 || { echo "bench: an empty boot failed"; exit 1; }
	echo $(( ($(date +%s%N) - t0) / 1000000 )) >>"$out/boot_ms"
done

python3 scripts/bench/report.py "$out"
