#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The patch series for mainline (upstream/[0-9]*.patch, not the cover
# letter) against QEMU's own device.  The series is applied with git am to
# drivers/misc/pvpanic of Debian's linux-source-7.2 (its base) and of
# linux-source-6.12 (the second target), each in a scratch repository under
# out/upstream, and must be checkpatch --strict clean (7.2's checkpatch)
# but for the sign-off its sender adds.  pvpanic.ko, pvpanic-mmio.ko and
# pvpanic-pci.ko are built unpatched and patched with W=1 against the 7.2
# headers (sid's gcc 16, in the sid root) and the 6.12 headers (with
# sparse; sid's sparse cannot read 7.x's headers), and the patched objects
# once more in a linux-source-7.2 tree with CONFIG_CRASH_DUMP off
# (scripts/upstream-tree.sh), where is_kdump_kernel() is a constant false.
# A 7.2 guest then runs each build with -device pvpanic and with
# -device pvpanic-pci:
#   kdump (crash_kexec_post_notifiers=0): the first kernel probes the
#     device, panics, and the crash kernel probes it.  Unpatched: no
#     GUEST_CRASHLOADED; patched: exactly one.  GUEST_PANICKED in neither.
#   normal boot, then a panic without a crash kernel: no event before the
#     panic, then one GUEST_PANICKED; the same events patched and unpatched.
# and, with -device pvpanic, what the cover letter says of the cases a
# reviewer asks about: crash_kexec_post_notifiers=1 (one GUEST_CRASHLOADED
# unpatched, two patched); a device without bit 1 (events=1: no write);
# an events mask of 1 written in the first kernel (it does not carry over:
# one); an unbind and bind in the crash kernel (a second one).
# The seconds from the panic to GUEST_CRASHLOADED are printed per run.
# With PVP_LONG=1 or PVP_UPSTREAM_FULL=1 (make upstream-check) the 6.12
# guests run the same kdump and normal-boot matrix, and a crash kernel
# that panics as well is measured (patched: GUEST_CRASHLOADED, then
# GUEST_PANICKED from the crash kernel's own notifier).
# PVP_UPSTREAM_SERIES: another directory of patches (upstream-check's
# broken series); PVP_UPSTREAM_QUICK=1: the 7.2 guests with -device pvpanic
# only, kdump and normal boot.  One "# ok:" or "# FAIL:" line per check.
# A series checkpatch finds fault with is not built or booted.
. "$(dirname "$0")/../lib.sh"

KVER=${PVP_UPSTREAM_KVER:-$("$PVP_ROOT/scripts/kver.sh" 7.2)}
KVER2=${PVP_UPSTREAM_KVER2:-$("$PVP_ROOT/scripts/kver.sh" 6.12)}
[ -n "$KVER" ] || skip "no 7.2 kernel in scripts/kernels.txt"
[ -n "$KVER2" ] || skip "no 6.12 kernel in scripts/kernels.txt"
vm_setup nodrv
for k in "$KVER" "$KVER2"; do
	if [ ! -e "/boot/vmlinuz-$k" ] || [ ! -d "/lib/modules/$k/build" ]; then
		skip "kernel $k is not installed (scripts/install-deps.sh $k)"
	fi
done
for t in git kexec xz nm; do
	command -v $t >/dev/null || skip "$t is not installed (scripts/install-deps.sh)"
done
full=
{ long_run || [ "${PVP_UPSTREAM_FULL:-}" = 1 ]; } && full=1
quick=
[ "${PVP_UPSTREAM_QUICK:-}" = 1 ] && quick=" " full=
upstream_series "${PVP_UPSTREAM_SERIES:-}"
series=("${SERIES[@]}")
# base KVER: the linux-source series of a kernel (7.2.13+deb14-amd64: 7.2)
base() { echo "$1" | cut -d. -f1,2; }
B=$(base "$KVER")
B2=$(base "$KVER2")

UP=$PVP_ROOT/out/upstream
mkdir -p "$UP"
# SRC[VER]: Debian's linux-source-VER, the files the test reads
# (drivers/misc/pvpanic, checkpatch), extracted once by scripts/ksrc.sh.
declare -A SRC

# build KVER NAME TREE: the three modules of TREE/drivers/misc/pvpanic,
# built as external modules with W=1 (and sparse where it can read the
# headers: not 7.x's) in out/upstream/build-KVER/NAME, output in NAME.log.
build() {
	local d=$UP/build-$1/$2 c=C=2

	[[ $1 == 7.* ]] && c=
	rm -rf "$d"
	mkdir -p "$d"
	cp -a "$3/drivers/misc/pvpanic/." "$d/"
	make -C "/lib/modules/$1/build" M="$d" W=1 $c CONFIG_PVPANIC=y \
		CONFIG_PVPANIC_MMIO=m CONFIG_PVPANIC_PCI=m modules >"$d.log" 2>&1 &&
		[ -e "$d/pvpanic.ko" ] && [ -e "$d/pvpanic-mmio.ko" ] &&
		[ -e "$d/pvpanic-pci.ko" ]
}

# warnings LOG: the compiler's and sparse's findings in a build log.
warnings() { grep -c 'warning:\|error:' "$1"; }

log "kernels $KVER (booted) and $KVER2, QEMU ${PVP_QEMU:-7.2}, series: ${series[*]##*/}"
for v in "$B" "$B2"; do
	SRC[$v]=$("$PVP_ROOT/scripts/ksrc.sh" "$v") || die "cannot extract linux-source-$v"
done

for v in "$B" "$B2"; do
	if series_am "${SRC[$v]}" "$UP/git-$v" "$UP/am-$v.log"; then r=yes; else r=no; sed 's/^/#   /' "$UP/am-$v.log"; fi
	check "the series applies to linux-source-$v (git am)" $r yes
	[ $r = yes ] || finish
done

# The sign-off is the sender's to add: --no-signoff.
cp_out=$(cd "$UP/git-$B" && "${SRC[$B]}/scripts/checkpatch.pl" \
	--strict --no-tree --no-signoff --show-types "${series[@]}" 2>&1)
echo "$cp_out" | grep -v '^$' | sed 's/^/#   /'
r=$(echo "$cp_out" | grep -c '^total: 0 errors, 0 warnings, 0 checks,')
check "checkpatch.pl --strict --no-signoff (linux-source-$B): patches without a finding" \
	"$r" "${#series[@]}"
[ "$r" = "${#series[@]}" ] || finish	# no guest boots a patch to be restyled

for k in "$KVER" "$KVER2"; do
	build "$k" unpatched "${SRC[$(base "$k")]}" &
	pu=$!
	build "$k" patched "$UP/git-$(base "$k")" &
	pp=$!
	for b in unpatched:$pu patched:$pp; do
		if ! wait "${b#*:}"; then
			tail -n 20 "$UP/build-$k/${b%%:*}.log" | sed 's/^/#   /'
			die "building the ${b%%:*} modules against $k failed"
		fi
	done
	w=$(warnings "$UP/build-$k/patched.log")
	[ "$w" = 0 ] || grep 'warning:\|error:' "$UP/build-$k/patched.log" | sed 's/^/#   /'
	what="W=1, sparse"
	[[ $k == 7.* ]] && what="W=1; sparse cannot read 7.x's headers"
	check "$k: the patched modules build without a warning ($what)" "$w" 0
	# is_kdump_kernel() reads elfcorehdr_addr with CONFIG_CRASH_DUMP=y
	check "$k: the patched pvpanic.ko calls is_kdump_kernel() (needs elfcorehdr_addr)" \
		"$(nm -u "$UP/build-$k/patched/pvpanic.ko" | grep -cw elfcorehdr_addr)" 1
done
log "built: $UP/build-{$KVER,$KVER2}/{unpatched,patched}/{pvpanic,pvpanic-mmio,pvpanic-pci}.ko"

# CONFIG_CRASH_DUMP=n, which no Debian kernel has: the patched objects in
# a configured linux-source tree of the base, with the host's compiler.
ktree=$("$PVP_ROOT/scripts/upstream-tree.sh" "$B") || die "scripts/upstream-tree.sh $B failed"
d=$UP/nocrashdump
rm -rf "$d"
mkdir -p "$d"
cp -a "$UP/git-$B/drivers/misc/pvpanic/." "$d/"
if make -C "$ktree" M="$d" W=1 pvpanic.o pvpanic-mmio.o pvpanic-pci.o >"$d.log" 2>&1; then
	r=yes
else
	r=no
	tail -n 20 "$d.log" | sed 's/^/#   /'
fi
check "linux-source-$B, CONFIG_CRASH_DUMP=n: the patched objects build" $r yes
[ $r = yes ] || finish
check "linux-source-$B, CONFIG_CRASH_DUMP=n: no warning (W=1)" "$(warnings "$d.log")" 0
check "linux-source-$B, CONFIG_CRASH_DUMP=n: the kdump branch is compiled out" \
	"$(nm -u "$d/pvpanic.o" | grep -cw elfcorehdr_addr)" 0

VM_TIMEOUT=${VM_TIMEOUT:-240}
declare -A front=([pvpanic]=pvpanic-mmio [pvpanic-pci]=pvpanic-pci)

# kdump K BUILD DEVICE CASE [VAR=VALUE...]: kdump_guest.sh in kernel K
# with BUILD's modules and the device's front-end (DEVICE may carry QEMU
# properties: pvpanic,events=1); the variables go to the guest
# (PVP_KDUMP_POST for crash_kexec_post_notifiers, default 0; those of
# kdump_guest.sh).  The events into EV, the seconds from the panic to
# GUEST_CRASHLOADED (or -) into AFTER.
kdump() {
	local k=$1 b=$2 dev=$3 f=${front[${3%%,*}]} name=$1-kdump-$2-${3%%,*}-$4

	shift 4
	(
		# shellcheck disable=SC2163 # "$@" are VAR=VALUE words
		export PVP_UPSTREAM_DIR=$UP/build-$k/$b PVP_UPSTREAM_FRONT=$f "$@"
		KVER=$k vm "$name" --smp 1 --allow-panic --mem 1536 --append crashkernel=256M \
			--qemu-arg=-device --qemu-arg="$dev" \
			--qemu-arg=-action --qemu-arg=panic=none -- \
			selftests/qemu/kdump_guest.sh upstream "${PVP_KDUMP_POST:-0}"
	) || die "$name: run-vm failed"
	if [ ! -e "$T/$name.out/ready" ]; then
		grep -q "crashkernel reservation failed\|Cannot load" "$T/$name.console" &&
			skip "no crash kernel under this QEMU"
		vm_die "$name" "crash kernel or modules not loaded"
	fi
	grep -q "pvpanic-kdump: bound [a-z]*/drivers/$f/" "$T/$name.console" ||
		vm_die "$name" "$f bound no device in the crash kernel"
	EV=$(qmp_events "$name")
	AFTER=$(python3 "$PVP_ROOT/selftests/pvptest.py" qmp-after "$T/$name.qmp" \
		GUEST_CRASHLOADED "$T/$name.out/ready")
	log "$name: QMP events: $EV (GUEST_CRASHLOADED ${AFTER} s after the panic)"
}

# plain K BUILD DEVICE: load BUILD's modules in kernel K, see the device
# bound, panic with no crash kernel; the events into EV.
plain() {
	local k=$1 b=$2 dev=$3 name=$1-plain-$2-$3 f=${front[$3]} d=$UP/build-$1/$2

	KVER=$k vm "$name" --smp 1 --allow-panic \
		--qemu-arg=-device --qemu-arg="$dev" \
		--qemu-arg=-action --qemu-arg=panic=none -- "set -e
		insmod $d/pvpanic.ko
		insmod $d/$f.ko
		ls -d /sys/bus/*/drivers/$f/*:*
		[ \$(cat /sys/kernel/kexec_crash_loaded) = 0 ]
		echo ready >\$PVP_OUT/ready
		echo c >/proc/sysrq-trigger" || die "$name: run-vm failed"
	[ -e "$T/$name.out/ready" ] || vm_die "$name" "$f not loaded or bound"
	EV=$(qmp_events "$name")
	log "$name: QMP events: $EV"
}

# matrix K: kdump and normal boot + plain panic, unpatched and patched,
# with each device, in kernel K.
matrix() {
	local k=$1 dev b want

	for dev in pvpanic ${quick:-pvpanic-pci}; do
		for b in unpatched patched; do
			kdump "$k" $b "$dev" post0
			ev[kdump-$b]=$EV
			[ $b = patched ] && want=1 || want=0
			kdump_counts "$k, kdump, -device $dev, $b" "$EV" "$want" "$AFTER"
			[ $b = patched ] && after+=("$k, -device $dev, kdump: $AFTER s")
			plain "$k" $b "$dev"
			ev[plain-$b]=$EV
		done
		check "$k, kdump, -device $dev: patched events = unpatched + one GUEST_CRASHLOADED" \
			"$(without_one GUEST_CRASHLOADED "${ev[kdump-patched]}")" "${ev[kdump-unpatched]}"
		for b in unpatched patched; do
			plain_checks "$k, -device $dev, $b" "${ev[plain-$b]}"
		done
		check "$k, normal boot + plain panic, -device $dev: patched events = unpatched" \
			"${ev[plain-patched]}" "${ev[plain-unpatched]}"
	done
}

declare -A ev
summary=()
after=()
matrix "$KVER"

[ -n "$quick" ] && finish
# What the cover letter says of the cases reviewers ask about.
for b in unpatched patched; do
	kdump "$KVER" $b pvpanic post1 PVP_KDUMP_POST=1
	[ $b = patched ] && want=2 || want=1
	kdump_counts "$KVER, kdump, crash_kexec_post_notifiers=1, -device pvpanic, $b" "$EV" "$want" "$AFTER"
done
kdump "$KVER" patched pvpanic,events=1 events1
kdump_counts "$KVER, kdump, -device pvpanic,events=1 (no bit 1), patched" "$EV" 0 "$AFTER"
kdump "$KVER" patched pvpanic mask1 PVP_KDUMP_EVENTS=1
check "$KVER, the first kernel masked the device (events 1)" \
	"$(grep -c 'events 1$' "$T/$KVER-kdump-patched-pvpanic-mask1.out/masked" 2>/dev/null)" 1
kdump_counts "$KVER, kdump, events=1 written in the first kernel, -device pvpanic, patched" "$EV" 1 "$AFTER"
kdump "$KVER" patched pvpanic rebind PVP_KDUMP_REBIND=1
check "$KVER, the crash kernel unbound and bound the device" \
	"$(grep -c 'pvpanic-kdump: rebound' "$T/$KVER-kdump-patched-pvpanic-rebind.console")" 1
kdump_counts "$KVER, kdump, unbind + bind in the crash kernel, -device pvpanic, patched" "$EV" 2 "$AFTER"

if [ -n "$full" ]; then
	matrix "$KVER2"
	# A panic of the crash kernel itself.
	for b in unpatched patched; do
		kdump "$KVER" $b pvpanic again PVP_KDUMP_PANIC=1
		summary+=("$KVER, kdump, the crash kernel panics, -device pvpanic, $b: $EV")
		want="GUEST_PANICKED:run SHUTDOWN:guest-reset"
		[ $b = patched ] && want="GUEST_CRASHLOADED:run $want"
		check "$KVER, kdump, the crash kernel panics, $b: events" "$EV" "$want"
	done
else
	log "PVP_LONG=1 or PVP_UPSTREAM_FULL=1 also boot $KVER2 and a crash kernel that panics"
fi
log "counts (QMP events per run):"
for s in "${summary[@]}"; do
	log "  $s"
done
log "from the panic to GUEST_CRASHLOADED (QMP timestamp - the guest's ready file, host clock):"
for s in "${after[@]}"; do
	log "  $s"
done
finish
