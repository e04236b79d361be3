#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The patch for mainline (upstream/*.patch) on arm64: Debian's arm64 6.12
# kernel under qemu-system-aarch64 -M virt (TCG, no firmware: the kernel
# boots from the device tree) with QEMU's -device pvpanic-pci, which binds
# through PCI.  scripts/arm64-root.sh fetches the arm64 kernel, headers,
# busybox-static and kexec-tools into the cache (nothing arm64 is installed
# on the host); the series is applied with git am to drivers/misc/pvpanic
# of Debian's linux-source-6.12, and pvpanic.ko, pvpanic-mmio.ko and
# pvpanic-pci.ko are built unpatched and patched as external modules with
# Debian's cross compiler (gcc-aarch64-linux-gnu).  Debian's arm64 kernel
# has no pvpanic of its own (CONFIG_PVPANIC is not set): the guests load
# only these.  Each guest runs from an initramfs (busybox, kexec and its
# libraries, the kernel's Image for kexec, the modules):
#   kdump, default settings (crash_kexec_post_notifiers=0): the first
#     kernel loads the modules, loads a crash kernel (kexec -p) whose
#     initramfs loads them too, and panics.  Unpatched: no
#     GUEST_CRASHLOADED; patched: exactly one.  GUEST_PANICKED in neither.
#   plain panic: the modules, no crash kernel, a panic: no event before
#     it, then one GUEST_PANICKED; the same events patched and unpatched.
# One "# ok:" or "# FAIL:" line per check, and the time of each boot.
#   PVP_ARM64_CPU      QEMU's -cpu (max,pauth-impdef=on)
#   PVP_ARM64_TIMEOUT  seconds a guest may take (300)
#   PVP_ARM64_KEXEC    more options of kexec -p (none; -i skips purgatory's
#                      sha256 check of the crash kernel, most of the time of
#                      the jump into it under TCG)
. "$(dirname "$0")/../lib.sh"

for t in qemu-system-aarch64:qemu-system-arm aarch64-linux-gnu-gcc-12:gcc-aarch64-linux-gnu \
	git:git cpio:cpio readelf:binutils; do
	command -v "${t%%:*}" >/dev/null ||
		skip "${t%%:*} is not installed (package ${t#*:})"
done
[ -f /usr/src/linux-source-6.12.tar.xz ] ||
	skip "linux-source-6.12 is not installed (scripts/install-deps.sh)"
upstream_series
series=("${SERIES[@]}")

UP=$PVP_ROOT/out/upstream-arm64
mkdir -p "$UP"
t=$EPOCHREALTIME
if ! A64=$("$PVP_ROOT/scripts/arm64-root.sh" 2>"$UP/arm64-root.log"); then
	sed 's/^/#   /' "$UP/arm64-root.log"
	skip "cannot fetch Debian's arm64 packages (scripts/arm64-root.sh)"
fi
KVER=$(basename "$(ls -d "$A64"/usr/src/linux-headers-*-arm64)")
KVER=${KVER#linux-headers-}
HDR=$A64/usr/src/linux-headers-$KVER
IMAGE=$A64/boot/vmlinuz-$KVER
SRC=$("$PVP_ROOT/scripts/ksrc.sh" 6.12) || die "cannot extract linux-source-6.12"
log "kernel $KVER (arm64), $(qemu-system-aarch64 --version | head -n 1)," \
	"series: ${series[*]##*/}"
log "arm64 packages ready in $(awk -v a="$t" -v b="$EPOCHREALTIME" \
	'BEGIN { printf "%.1f", b - a }') s: $A64"

G=$UP/git-6.12

# build NAME TREE: the three modules of TREE/drivers/misc/pvpanic for
# arm64, as external modules against the arm64 headers, in
# out/upstream-arm64/build/NAME.
build() {
	local d=$UP/build/$1

	rm -rf "$d"
	mkdir -p "$d"
	cp -a "$2/drivers/misc/pvpanic/." "$d/"
	nice -n 15 make -C "$HDR" M="$d" ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- \
		CONFIG_PVPANIC=y CONFIG_PVPANIC_MMIO=m CONFIG_PVPANIC_PCI=m \
		modules >"$d.log" 2>&1 &&
		[ -e "$d/pvpanic.ko" ] && [ -e "$d/pvpanic-mmio.ko" ] &&
		[ -e "$d/pvpanic-pci.ko" ]
}

if series_am "$SRC" "$G" "$UP/am.log"; then r=yes; else r=no; sed 's/^/#   /' "$UP/am.log"; fi
check "the series applies to linux-source-6.12 (git am)" $r yes
[ $r = yes ] || finish
t=$EPOCHREALTIME
for b in unpatched:"$SRC" patched:"$G"; do
	if ! build "${b%%:*}" "${b#*:}"; then
		tail -n 20 "$UP/build/${b%%:*}.log" | sed 's/^/#   /'
		die "building the ${b%%:*} modules for arm64 against $KVER failed"
	fi
done
log "built in $(awk -v a="$t" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }') s:" \
	"$UP/build/{unpatched,patched}/{pvpanic,pvpanic-mmio,pvpanic-pci}.ko"
for b in unpatched patched; do
	for m in pvpanic pvpanic-pci; do
		v=$(modinfo -F vermagic "$UP/build/$b/$m.ko")
		[ "${v%% *}" = "$KVER" ] || die "$b/$m.ko: vermagic '$v', not $KVER"
		case $(readelf -h "$UP/build/$b/$m.ko" | awk '/Machine:/ { print $2 }') in
		AArch64) ;;
		*) die "$b/$m.ko is not an AArch64 object" ;;
		esac
	done
done
check "patched pvpanic.ko differs from unpatched (arm64)" \
	"$(cmp -s "$UP/build/unpatched/pvpanic.ko" "$UP/build/patched/pvpanic.ko" && echo same || echo differs)" \
	differs

# initrd MODE BUILD NAME [VARIANT]: the first kernel's initramfs
# (uncompressed: nothing to inflate under TCG) into $UP/initrd-NAME.cpio.
# kdump: with kexec, its libraries, the Image and a crash kernel initramfs
# of its own.  VARIANT post1: crash_kexec_post_notifiers=1; again: the
# crash kernel panics too, instead of powering off.
initrd() {
	local mode=$1 b=$2 d=$UP/initrd-$3 variant=${4:-} l
	local mods=$UP/build/$2 end="/bin/busybox poweroff -f" post=""

	rm -rf "$d"
	mkdir -p "$d/bin" "$d/lib" "$d/proc" "$d/sys" "$d/dev" "$d/crash/bin" \
		"$d/crash/proc" "$d/crash/sys" "$d/crash/dev"
	cp "$A64/bin/busybox" "$d/bin/"
	cp "$mods/pvpanic.ko" "$mods/pvpanic-pci.ko" "$d/"
	if [ "$mode" = kdump ]; then
		cp "$A64/sbin/kexec" "$d/bin/"
		# kexec's libraries (scripts/arm64-root.sh checked the closure)
		for l in "$A64"/lib/aarch64-linux-gnu/{libc.so.6,libz.so.1} \
			"$A64"/usr/lib/aarch64-linux-gnu/libxen*.so.*; do
			cp -L "$l" "$d/lib/"
		done
		cp -L "$A64/lib/aarch64-linux-gnu/ld-linux-aarch64.so.1" "$d/lib/"
		cp "$IMAGE" "$d/Image"
		cp "$A64/bin/busybox" "$d/crash/bin/"
		cp "$mods/pvpanic.ko" "$mods/pvpanic-pci.ko" "$d/crash/"
		cat >"$d/crash/init" <<-'EOF'
		#!/bin/busybox sh
		/bin/busybox mount -t proc proc /proc
		/bin/busybox mount -t sysfs sys /sys
		v=no
		[ -e /proc/vmcore ] && v=yes
		echo "pvpanic-arm64: crash kernel up at $(/bin/busybox cut -d' ' -f1 /proc/uptime) s, /proc/vmcore: $v"
		/bin/busybox insmod /pvpanic.ko
		/bin/busybox insmod /pvpanic-pci.ko
		for d in /sys/bus/*/drivers/pvpanic*/*:*; do
			[ -e "$d" ] && echo "pvpanic-arm64: crash kernel bound ${d#/sys/bus/}"
		done
		echo "pvpanic-arm64: crash kernel done"
		EOF
		[ "$variant" = again ] && end="echo c >/proc/sysrq-trigger"
		echo "$end" >>"$d/crash/init"
		chmod +x "$d/crash/init"
		(cd "$d/crash" && find . | cpio -o -H newc --quiet) >"$d/crash.cpio"
		rm -rf "$d/crash"
	else
		rm -rf "$d/crash"
	fi
	[ "$variant" = post1 ] &&
		post="echo 1 >/sys/module/kernel/parameters/crash_kexec_post_notifiers"
	cat >"$d/init" <<-EOF
	#!/bin/busybox sh
	/bin/busybox --install -s /bin
	export PATH=/bin LD_LIBRARY_PATH=/lib
	mount -t proc proc /proc
	mount -t sysfs sys /sys
	mount -t devtmpfs dev /dev
	fail() { echo "pvpanic-arm64: FAILED: \$*"; poweroff -f; }
	echo "pvpanic-arm64: first kernel up at \$(cut -d' ' -f1 /proc/uptime) s"
	insmod /pvpanic.ko || fail insmod pvpanic.ko
	insmod /pvpanic-pci.ko || fail insmod pvpanic-pci.ko
	for d in /sys/bus/*/drivers/pvpanic*/*:*; do
		[ -e "\$d" ] && echo "pvpanic-arm64: bound \${d#/sys/bus/}"
	done
	$post
	echo "pvpanic-arm64: crash_kexec_post_notifiers \$(cat /sys/module/kernel/parameters/crash_kexec_post_notifiers)"
	if [ $mode = kdump ]; then
		kexec -p ${PVP_ARM64_KEXEC:-} /Image --initrd=/crash.cpio \\
			--append="console=ttyAMA0 nr_cpus=1 reset_devices rdinit=/init panic=-1" ||
			fail kexec -p
		rm -f /Image /crash.cpio
	fi
	echo "pvpanic-arm64: kexec_crash_loaded \$(cat /sys/kernel/kexec_crash_loaded)"
	echo "pvpanic-arm64: ready at \$(cut -d' ' -f1 /proc/uptime) s, panicking"
	echo c >/proc/sysrq-trigger
	EOF
	chmod +x "$d/init"
	(cd "$d" && find . | cpio -o -H newc --quiet) >"$d.cpio"
	rm -rf "$d"
}

TIMEOUT=${PVP_ARM64_TIMEOUT:-300}
# guest MODE BUILD [VARIANT]: boot it with -device pvpanic-pci (initrd
# above); its QMP events into EV, its console and marks (console lines
# with the seconds since QEMU started) in
# $UP/MODE-BUILD[-VARIANT].{console,marks,qmp}.
guest() {
	local mode=$1 b=$2 variant=${3:-} append="console=ttyAMA0 panic=-1 rdinit=/init"
	local name=$1-$2${3:+-$3}

	[ "$mode" = kdump ] && append="$append crashkernel=256M"
	initrd "$mode" "$b" "$name" "$variant"
	nice -n 15 "$PVP_ROOT/scripts/arm64-vm.py" --kernel "$IMAGE" \
		--initrd "$UP/initrd-$name.cpio" --append "$append" \
		--cpu "${PVP_ARM64_CPU:-max,pauth-impdef=on}" --timeout "$TIMEOUT" \
		--console-log "$UP/$name.console" --qmp-log "$UP/$name.qmp" \
		--marks "$UP/$name.marks" \
		--qemu-arg=-device --qemu-arg=pvpanic-pci \
		--qemu-arg=-action --qemu-arg=panic=none
	rc=$?
	rm -f "$UP/initrd-$name.cpio"
	sed "s/^/# $name: +/; s/pvpanic-arm64: //" "$UP/$name.marks"
	timing "$name"
	if [ $rc != 0 ] || ! grep -q 'pvpanic-arm64: ready' "$UP/$name.marks"; then
		log "console of $name:"
		tail -n 30 "$UP/$name.console" | sed 's/^/#   /'
		[ $rc = 0 ] || die "$name: no end within $TIMEOUT s (PVP_ARM64_TIMEOUT)"
		die "$name: the guest did not reach its panic"
	fi
	grep -q "pvpanic-arm64: bound pci/drivers/pvpanic-pci/" "$UP/$name.marks" ||
		die "$name: pvpanic-pci bound no device in the first kernel"
	EV=$(python3 "$PVP_ROOT/selftests/pvptest.py" qmp-events "$UP/$name.qmp")
	log "$name: QMP events: $EV"
	# The one report expected is the panic the guest asked for.
	check "$name: no kernel splat but the sysrq panic" \
		"$(grep -E "$SPLAT_RE" "$UP/$name.console" | grep -vc 'not syncing: sysrq triggered crash')" 0
}

# at NAME ERE: the seconds since QEMU started of the first mark of run
# NAME that matches ERE (the Nth with at=N), "-" if none.
at() {
	awk -v re="$2" -v n="${3:-1}" '$0 ~ re && ++i == n { print $1; f = 1; exit }
		END { if (!f) print "-" }' "$UP/$1.marks"
}

# timing NAME: one line of the boot's times into the summary.
timing() {
	local m=$1 t

	t="first kernel's userland at $(at "$m" 'first kernel up') s, panic at $(at "$m" 'Kernel panic')"
	if [[ $m == kdump-* ]]; then
		t="$t, crash kernel started at $(at "$m" 'Booting Linux' 2),"
		t="$t its userland at $(at "$m" 'crash kernel up') s"
	fi
	times+=("$m: $t, QEMU exited at $(at "$m" 'QEMU exited') s")
}

declare -A ev
summary=()
times=()
for b in unpatched patched; do
	guest kdump $b
	ev[kdump-$b]=$EV
	m=$UP/kdump-$b.marks
	check "kdump, $b: crash_kexec_post_notifiers is off (the default)" \
		"$(grep -c 'crash_kexec_post_notifiers N$' "$m")" 1
	check "kdump, $b: crash kernel loaded (kexec -p)" \
		"$(grep -c 'kexec_crash_loaded 1$' "$m")" 1
	check "kdump, $b: the crash kernel came up, /proc/vmcore there" \
		"$(grep -c 'crash kernel up at .* /proc/vmcore: yes' "$m")" 1
	check "kdump, $b: pvpanic-pci bound in the crash kernel" \
		"$(grep -c 'crash kernel bound pci/drivers/pvpanic-pci/' "$m")" 1
	guest plain $b
	ev[plain-$b]=$EV
	check "plain, $b: no crash kernel loaded" \
		"$(grep -c 'kexec_crash_loaded 0$' "$UP/plain-$b.marks")" 1
done
for b in unpatched patched; do
	[ $b = patched ] && want=1 || want=0
	kdump_counts "kdump, -device pvpanic-pci, $b" "${ev[kdump-$b]}" "$want"
done
check "kdump, -device pvpanic-pci: patched events = unpatched + one GUEST_CRASHLOADED" \
	"$(without_one GUEST_CRASHLOADED "${ev[kdump-patched]}")" "${ev[kdump-unpatched]}"
for b in unpatched patched; do
	plain_checks "-device pvpanic-pci, $b" "${ev[plain-$b]}"
done
check "normal boot + plain panic, -device pvpanic-pci: patched events = unpatched" \
	"${ev[plain-patched]}" "${ev[plain-unpatched]}"
# What reviewers ask (upstream/README), with the long budgets:
# crash_kexec_post_notifiers=1, where the panicking kernel's notifier
# reports too, and a panic of the crash kernel itself.
if long_run; then
	for b in unpatched patched; do
		guest kdump $b post1
		ev[post1-$b]=$EV
		check "kdump, crash_kexec_post_notifiers=1, $b: set" \
			"$(grep -c 'crash_kexec_post_notifiers Y$' "$UP/kdump-$b-post1.marks")" 1
		guest kdump $b again
		ev[again-$b]=$EV
		check "kdump, the crash kernel panics, $b: pvpanic-pci bound in the crash kernel" \
			"$(grep -c 'crash kernel bound pci/drivers/pvpanic-pci/' "$UP/kdump-$b-again.marks")" 1
	done
	for b in unpatched patched; do
		[ $b = patched ] && want=2 || want=1
		kdump_counts "kdump, crash_kexec_post_notifiers=1, -device pvpanic-pci, $b" \
			"${ev[post1-$b]}" "$want"
		summary+=("kdump, the crash kernel panics, $b: ${ev[again-$b]}")
		want="GUEST_PANICKED:run SHUTDOWN:guest-reset"
		[ $b = patched ] && want="GUEST_CRASHLOADED:run $want"
		check "kdump, the crash kernel panics, -device pvpanic-pci, $b: events" \
			"${ev[again-$b]}" "$want"
	done
else
	log "PVP_LONG=1 also measures crash_kexec_post_notifiers=1 and a panic of the crash kernel"
fi
log "counts (QMP events per run):"
for s in "${summary[@]}"; do
	log "  $s"
done
log "times (seconds since QEMU started, TCG, -cpu ${PVP_ARM64_CPU:-max,pauth-impdef=on} -smp 1):"
for s in "${times[@]}"; do
	log "  $s"
done
finish
