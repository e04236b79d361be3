#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The patch series for mainline (upstream/*.patch) against QEMU's own
# device.  The series is applied with git am to drivers/misc/pvpanic of
# Debian's linux-source-6.12, in a scratch repository under out/upstream,
# and must be checkpatch --strict clean but for the sign-off its sender
# adds; whether it applies to linux-source-6.1 too is printed, not checked.
# pvpanic.ko, pvpanic-mmio.ko and pvpanic-pci.ko are built from the
# unpatched and from the patched tree against the 6.12 headers, and a 6.12
# guest runs each build with -device pvpanic and with -device pvpanic-pci:
#   kdump (crash_kexec_post_notifiers=0): the first kernel probes the
#     device, panics, and the crash kernel probes it.  Unpatched: no
#     GUEST_CRASHLOADED; patched: exactly one.  GUEST_PANICKED in neither.
#   normal boot, then a panic without a crash kernel: no event before the
#     panic, then one GUEST_PANICKED; the same events patched and unpatched.
# With PVP_LONG=1, -device pvpanic also: kdump with
# crash_kexec_post_notifiers=1 (one GUEST_CRASHLOADED more patched: two),
# and a crash kernel that panics as well (patched: GUEST_CRASHLOADED, then
# GUEST_PANICKED from the crash kernel's own notifier).
# One "# ok:" or "# FAIL:" line per check (make upstream-check counts them).
. "$(dirname "$0")/../lib.sh"

KVER=${PVP_UPSTREAM_KVER:-$("$PVP_ROOT/scripts/kver.sh" 6.12)}
[ -n "$KVER" ] || skip "no 6.12 kernel in scripts/kernels.txt"
vm_setup nodrv
if [ ! -e "/boot/vmlinuz-$KVER" ] || [ ! -d "/lib/modules/$KVER/build" ]; then
	skip "kernel $KVER is not installed (scripts/install-deps.sh $KVER)"
fi
for t in git kexec xz; do
	command -v $t >/dev/null || skip "$t is not installed (scripts/install-deps.sh)"
done
for v in 6.12 6.1; do
	[ -f "/usr/src/linux-source-$v.tar.xz" ] ||
		skip "linux-source-$v is not installed (scripts/install-deps.sh)"
done
series=("$PVP_ROOT"/upstream/*.patch)
[ -e "${series[0]}" ] || die "no patch in upstream/"

UP=$PVP_ROOT/out/upstream
mkdir -p "$UP"
# SRC[VER]: Debian's linux-source-VER, the files the test reads
# (drivers/misc/pvpanic, checkpatch), extracted once by scripts/ksrc.sh.
declare -A SRC

# am VER: the pristine driver in a scratch repository, then the series
# with git am; true if every patch became a commit (git am's output in
# out/upstream/am-VER.log).
am() {
	local g=$UP/git-$1
	local id=(-c user.name=pvpanic-acpi -c user.email=pvpanic-acpi@localhost
		-c commit.gpgsign=false)

	rm -rf "$g"
	mkdir -p "$g/drivers/misc"
	cp -a "${SRC[$1]}/drivers/misc/pvpanic" "$g/drivers/misc/"
	git -C "$g" init -q &&
		git -C "$g" add -A &&
		git -C "$g" "${id[@]}" commit -q -m "linux-source-$1" &&
		git -C "$g" "${id[@]}" am "${series[@]}" >"$UP/am-$1.log" 2>&1 &&
		[ "$(git -C "$g" rev-list --count HEAD)" = $((1 + ${#series[@]})) ]
}

# build NAME TREE: the three modules of TREE/drivers/misc/pvpanic, built
# as external modules in out/upstream/build-KVER/NAME.
build() {
	local d=$UP/build-$KVER/$1

	rm -rf "$d"
	mkdir -p "$d"
	cp -a "$2/drivers/misc/pvpanic/." "$d/"
	make -C "/lib/modules/$KVER/build" M="$d" CONFIG_PVPANIC=y \
		CONFIG_PVPANIC_MMIO=m CONFIG_PVPANIC_PCI=m modules >"$d.log" 2>&1 &&
		[ -e "$d/pvpanic.ko" ] && [ -e "$d/pvpanic-mmio.ko" ] &&
		[ -e "$d/pvpanic-pci.ko" ]
}

# n_of EVENT WORDS: how many of the words are EVENT or EVENT:action.
n_of() {
	local w n=0

	for w in $2; do
		[[ $w == "$1" || $w == "$1":* ]] && n=$((n + 1))
	done
	echo $n
}

# before_panic WORDS: the pvpanic events before the first GUEST_PANICKED.
before_panic() {
	local w out=()

	for w in $1; do
		[[ $w == GUEST_PANICKED* ]] && break
		[[ $w == GUEST_* ]] && out+=("$w")
	done
	echo "${out[*]}"
}

# without_one EVENT WORDS: the words with the first EVENT word left out.
without_one() {
	local w out=() done=

	for w in $2; do
		if [ -z "$done" ] && [[ $w == "$1" || $w == "$1":* ]]; then
			done=1
			continue
		fi
		out+=("$w")
	done
	echo "${out[*]}"
}

log "kernel $KVER, QEMU ${PVP_QEMU:-7.2}, series: ${series[*]##*/}"
for v in 6.12 6.1; do
	SRC[$v]=$("$PVP_ROOT/scripts/ksrc.sh" $v) || die "cannot extract linux-source-$v"
done

if am 6.12; then r=yes; else r=no; sed 's/^/#   /' "$UP/am-6.12.log"; fi
check "the series applies to linux-source-6.12 (git am)" $r yes
[ $r = yes ] || finish
if am 6.1; then
	log "linux-source-6.1: the series applies too (git am)"
else
	log "linux-source-6.1: the series does not apply: $(grep -m 1 -i 'error\|failed' "$UP/am-6.1.log")"
fi

# The sign-off is the sender's to add: --no-signoff.
cp_out=$(cd "$UP/git-6.12" && "${SRC[6.12]}/scripts/checkpatch.pl" \
	--strict --no-tree --no-signoff --show-types "${series[@]}" 2>&1)
echo "$cp_out" | grep -v '^$' | sed 's/^/#   /'
check "checkpatch.pl --strict --no-signoff (linux-source-6.12): patches without a finding" \
	"$(echo "$cp_out" | grep -c '^total: 0 errors, 0 warnings, 0 checks,')" "${#series[@]}"

build unpatched "${SRC[6.12]}" &
pu=$!
build patched "$UP/git-6.12" &
pp=$!
for b in unpatched:$pu patched:$pp; do
	if ! wait "${b#*:}"; then
		tail -n 20 "$UP/build-$KVER/${b%%:*}.log" | sed 's/^/#   /'
		die "building the ${b%%:*} modules against $KVER failed"
	fi
done
log "built: $UP/build-$KVER/{unpatched,patched}/{pvpanic,pvpanic-mmio,pvpanic-pci}.ko"

VM_TIMEOUT=${VM_TIMEOUT:-240}
declare -A front=([pvpanic]=pvpanic-mmio [pvpanic-pci]=pvpanic-pci)

# kdump BUILD DEVICE [POST [again]]: kdump_guest.sh with BUILD's pvpanic.ko
# and the device's front-end, crash_kexec_post_notifiers=POST (0); again:
# the crash kernel panics too.  The events into EV.
kdump() {
	local b=$1 dev=$2 post=${3:-0} again=${4:-} f=${front[$2]} name

	name=kdump-$b-$dev-post$post${again:+-$again}
	PVP_UPSTREAM_DIR=$UP/build-$KVER/$b PVP_UPSTREAM_FRONT=$f \
		PVP_KDUMP_PANIC=${again:+1} \
		vm "$name" --smp 1 --allow-panic --mem 1536 --append crashkernel=256M \
		--qemu-arg=-device --qemu-arg="$dev" \
		--qemu-arg=-action --qemu-arg=panic=none -- \
		selftests/qemu/kdump_guest.sh upstream "$post" ||
		die "$name: run-vm failed"
	if [ ! -e "$T/$name.out/ready" ]; then
		grep -q "crashkernel reservation failed\|Cannot load" "$T/$name.console" &&
			skip "no crash kernel under this QEMU"
		vm_die "$name" "crash kernel or modules not loaded"
	fi
	grep -q "pvpanic-kdump: bound [a-z]*/drivers/$f/" "$T/$name.console" ||
		vm_die "$name" "$f bound no device in the crash kernel"
	EV=$(qmp_events "$name")
	log "$name: QMP events: $EV"
}

# plain BUILD DEVICE: load BUILD's modules, see the device bound, panic
# with no crash kernel; the events into EV.
plain() {
	local b=$1 dev=$2 name=plain-$1-$2 f=${front[$2]} d=$UP/build-$KVER/$1

	vm "$name" --smp 1 --allow-panic \
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

# kdump_counts WHAT EVENTS WANT: EVENTS hold WANT GUEST_CRASHLOADED and no
# GUEST_PANICKED; both counts go into the summary.
kdump_counts() {
	local cl pa

	cl=$(n_of GUEST_CRASHLOADED "$2")
	pa=$(n_of GUEST_PANICKED "$2")
	summary+=("$1: GUEST_CRASHLOADED $cl, GUEST_PANICKED $pa")
	check "$1: GUEST_CRASHLOADED" "$cl" "$3"
	check "$1: GUEST_PANICKED" "$pa" 0
}

declare -A ev
summary=()
for dev in pvpanic pvpanic-pci; do
	for b in unpatched patched; do
		kdump $b $dev
		ev[kdump-$b]=$EV
		plain $b $dev
		ev[plain-$b]=$EV
	done
	for b in unpatched patched; do
		[ $b = patched ] && want=1 || want=0
		kdump_counts "kdump, -device $dev, $b" "${ev[kdump-$b]}" "$want"
	done
	check "kdump, -device $dev: patched events = unpatched + one GUEST_CRASHLOADED" \
		"$(without_one GUEST_CRASHLOADED "${ev[kdump-patched]}")" "${ev[kdump-unpatched]}"
	for b in unpatched patched; do
		nb=$(before_panic "${ev[plain-$b]}")
		pa=$(n_of GUEST_PANICKED "${ev[plain-$b]}")
		cl=$(n_of GUEST_CRASHLOADED "${ev[plain-$b]}")
		read -ra w <<<"$nb"
		summary+=("normal boot, -device $dev, $b: pvpanic events ${#w[@]}")
		summary+=("plain panic, -device $dev, $b: GUEST_PANICKED $pa, GUEST_CRASHLOADED $cl")
		check "normal boot, -device $dev, $b: pvpanic events" "$nb" ""
		check "plain panic, -device $dev, $b: GUEST_PANICKED" "$pa" 1
		check "plain panic, -device $dev, $b: GUEST_CRASHLOADED" "$cl" 0
	done
	check "normal boot + plain panic, -device $dev: patched events = unpatched" \
		"${ev[plain-patched]}" "${ev[plain-unpatched]}"
done
# What reviewers ask (upstream/README), measured with the long budgets:
# crash_kexec_post_notifiers=1, where the panicking kernel's notifier
# reports too, and a panic of the crash kernel itself.
if long_run; then
	for b in unpatched patched; do
		kdump $b pvpanic 1
		ev[post1-$b]=$EV
		kdump $b pvpanic 0 again
		ev[again-$b]=$EV
	done
	for b in unpatched patched; do
		[ $b = patched ] && want=2 || want=1
		kdump_counts "kdump, crash_kexec_post_notifiers=1, -device pvpanic, $b" \
			"${ev[post1-$b]}" "$want"
		summary+=("kdump, the crash kernel panics, -device pvpanic, $b: ${ev[again-$b]}")
		want="GUEST_PANICKED:run SHUTDOWN:guest-reset"
		[ $b = patched ] && want="GUEST_CRASHLOADED:run $want"
		check "kdump, the crash kernel panics, $b: events" "${ev[again-$b]}" "$want"
	done
else
	log "PVP_LONG=1 also measures crash_kexec_post_notifiers=1 and a panic of the crash kernel"
fi
log "counts (QMP events per run):"
for s in "${summary[@]}"; do
	log "  $s"
done
finish
