# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash disable=SC2034
# The helpers of the selftests/distro tests, over ../lib.sh.  Each test
# boots a real Debian system (scripts/distro/image.sh: systemd, its own
# initrd, a writable root, kdump-tools as packaged) under QEMU
# (scripts/distro/vm.py) and runs one of guest/step_*.sh in it.
#
# Machines are qcow2 overlays: a "state" is a machine after a step that
# ends with a clean power-off (e.g. "pkg": the package installed); it is
# made once per run and the tests of the run share it.  A "leaf" is a
# boot that ends the machine (a crash) and is made afresh each time.
#
#   PVP_DISTROS       the distributions, run side by side (default
#                     "bookworm trixie sid"; bookworm alone:
#                     PVP_DISTROS=bookworm).  sid is the dracut system.
#   PVP_DISTRO_JOBS   1: one distribution after the other
#   PVP_DISTRO_WORK   where the machines and logs go (default out/distro)
#   PVP_DISTRO_RUN    the run's name; the Makefile sets one per make
#                     invocation.  PVP_DISTRO_REUSE=1 reuses the states of
#                     earlier runs when nothing they were made from changed
#                     (for developing the tests, never for results).
. "$(dirname "$0")/../lib.sh"

DISTRO_SH=$PVP_ROOT/scripts/distro
DISTRO_GUEST=$PVP_ROOT/selftests/distro/guest
DISTROS=${PVP_DISTROS:-bookworm trixie sid}
DISTRO_WORK=${PVP_DISTRO_WORK:-$PVP_ROOT/out/distro}
DISTRO_RUN=${PVP_DISTRO_RUN:-$$-$(date +%s)}
DEB_OLD_VERSION=0.1.0

distro_setup() {
	local c

	require_root
	for c in qemu-system-x86_64 qemu-img debugfs mke2fs python3 flock; do
		command -v $c >/dev/null || skip "$c is not installed"
	done
	for c in dpkg-buildpackage dh_dkms; do
		command -v $c >/dev/null || skip "$c is not installed (dpkg-dev, dh-dkms)"
	done
	DEB_NEW=$(make -s --no-print-directory -C "$PVP_ROOT" deb) || die "make deb failed"
	DEB_OLD=$(make -s --no-print-directory -C "$PVP_ROOT" deb DEB_VERSION=$DEB_OLD_VERSION) ||
		die "make deb DEB_VERSION=$DEB_OLD_VERSION failed"
	[ -f "$DEB_NEW" ] && [ -f "$DEB_OLD" ] || die "make deb printed '$DEB_NEW', '$DEB_OLD'"
	NEW_VERSION=${DEB_NEW##*/pvpanic-acpi-dkms_}
	NEW_VERSION=${NEW_VERSION%_all.deb}
	OLD_VERSION=$DEB_OLD_VERSION
	log "packages: $(basename "$DEB_NEW"), $(basename "$DEB_OLD"); run $DISTRO_RUN"
}

# not_on DIST REASON: the test's lanes leave DIST out (a SKIP with the
# reason), for a test that does not apply there yet.
declare -A NOT_ON
not_on() { NOT_ON[$1]=$2; }

# lanes FN: FN once per distribution, side by side; each lane's output is
# printed when it ends, prefixed with the distribution.  A lane fails on a
# failed check or die, skips on skip; the test fails if a lane failed and
# skips only if every lane skipped.
lanes() {
	local fn=$1 d fails=0 skips=0 n=0
	local -A pid st

	for d in $DISTROS; do
		if [ -n "${NOT_ON[$d]:-}" ]; then
			echo "SKIP: not on $d: ${NOT_ON[$d]}" >"$T/lane-$d.log"
			st[$d]=4
		elif [ "${PVP_DISTRO_JOBS:-}" = 1 ]; then
			(lane_run "$d" "$fn") >"$T/lane-$d.log" 2>&1
			st[$d]=$?
		else
			# lane_run's subshell is vm.py's parent: killing it (at
			# exit) ends vm.py and so its QEMU.
			lane_run "$d" "$fn" >"$T/lane-$d.log" 2>&1 &
			pid[$d]=$!
			on_exit "kill ${pid[$d]} 2>/dev/null"
		fi
	done
	for d in $DISTROS; do
		if [ -n "${pid[$d]:-}" ]; then
			wait "${pid[$d]}"
			st[$d]=$?
		fi
		sed -e "s/^# /# $d: /" -e "t" -e "s/^/# $d: /" "$T/lane-$d.log"
		n=$((n + 1))
		case ${st[$d]} in
		0) ;;
		4) skips=$((skips + 1)) ;;
		*) fails=$((fails + 1)); echo "# $d: FAILED (exit ${st[$d]})" ;;
		esac
	done
	[ $fails = 0 ] || exit $KSFT_FAIL
	if [ $skips = "$n" ]; then
		for d in $DISTROS; do
			sed -n 's/^SKIP: //p' "$T/lane-$d.log"
		done | head -n 1 | sed 's/^/SKIP: /'
		exit $KSFT_SKIP
	fi
	exit $KSFT_PASS
}

lane_run() {
	local t0=$SECONDS

	D=$1
	W=$DISTRO_WORK/$D
	mkdir -p "$W"
	IMG=$("$DISTRO_SH/image.sh" "$D" 2>"$T/image-$D.err") || {
		cat "$T/image-$D.err"
		die "scripts/distro/image.sh $D failed"
	}
	[ -s "$T/image-$D.err" ] && sed 's/^/image: /' "$T/image-$D.err"
	KV=$(cat "$IMG/kver")
	log "image $IMG (kernel $KV; $(tail -n 1 "$IMG/info")); ready in $((SECONDS - t0)) s"
	"$2"
	echo "# $((CHECKS - CHECK_FAILS)) of $CHECKS checks passed"
	[ "$CHECK_FAILS" = 0 ] || exit $KSFT_FAIL
	exit $KSFT_PASS
}

### Machines

disk_of() {
	if [ "$1" = base ]; then echo "$IMG/base.raw"; else echo "$W/$1/disk.qcow2"; fi
}

key_of() {
	if [ "$1" = base ]; then basename "$IMG"; else cat "$W/$1/key"; fi
}

# new_machine NAME PARENT: an overlay on PARENT (base: the image), with
# the parent's /boot kernel and initrd and the packages in its share.
new_machine() {
	local m=$W/$1 p=$2

	rm -rf "$m"
	mkdir -p "$m/share/out" "$m/share/boot" "$m/share/debs"
	if [ "$p" = base ]; then
		qemu-img create -q -f qcow2 -b "$IMG/base.raw" -F raw "$m/disk.qcow2"
		cp -p "$IMG/vmlinuz" "$IMG/initrd.img" "$m/share/boot/"
	else
		qemu-img create -q -f qcow2 -b "$W/$p/disk.qcow2" -F qcow2 "$m/disk.qcow2"
		cp -p "$W/$p/share/boot/vmlinuz" "$W/$p/share/boot/initrd.img" "$m/share/boot/"
	fi || die "$1: cannot make the overlay on $p"
	cp "$DEB_NEW" "$DEB_OLD" "$m/share/debs/" || die "$1: cannot copy the packages"
	echo "$NEW_VERSION" >"$m/share/debs/new"
	echo "$OLD_VERSION" >"$m/share/debs/old"
	echo "$p" >"$m/parent"
}

# boot NAME STEP TIMEOUT [vm.py options]: boot machine NAME once with
# guest/STEP.sh as its run.sh.  The boot's logs go to NAME/STEP/
# (serial.log, qmp.log, vm.txt, guest.log: the step's output).  Prints
# the durations; returns vm.py's status.
boot() {
	local name=$1 step=$2 to=$3 m=$W/$1 out n rc vmout=$T/vm.$BASHPID

	shift 3
	out=$m/$step
	rm -rf "$out"
	cp "$DISTRO_GUEST/lib.sh" "$m/share/lib.sh"
	cp "$DISTRO_GUEST/$step.sh" "$m/share/run.sh"
	n=0
	while [ -e "$m/share/out/boot-$n.log" ]; do n=$((n + 1)); done
	"$DISTRO_SH/vm.py" --disk "$m/disk.qcow2" --share "$m/share" --out "$out" \
		--timeout "$((to * SCALE))" "$@" >"$vmout" 2>&1
	rc=$?
	cp "$m/share/out/boot-$n.log" "$out/guest.log" 2>/dev/null || : >"$out/guest.log"
	log "$name: boot for $step: $(cat "$vmout")"
	sed -n 's/^T \([^ ]*\) \(.*\)/#   \1: \2 s (in the guest)/p' "$out/guest.log"
	return $rc
}

# The tail of a boot's console and of its step's output, for a failure.
show_boot() {
	log "$1/$2: the console's end:"
	tail -n 25 "$W/$1/$2/serial.log" | cut -c 1-200 | sed 's/^/#   /'
	log "$1/$2: the step's output's end:"
	tail -n 25 "$W/$1/$2/guest.log" | sed 's/^/#   /'
}

# state NAME PARENT STEP TIMEOUT [DIR]: machine NAME is PARENT after STEP,
# which must end with every timed command and run.sh successful and a
# clean power-off.  DIR, if given, is copied to the share as extra/ for
# the step.  Made once per run (see PVP_DISTRO_REUSE).
state() {
	local name=$1 parent=$2 step=$3 to=$4 extra=${5:-} key bad

	key=$({
		key_of "$parent"
		cat "$DISTRO_GUEST/lib.sh" "$DISTRO_GUEST/$step.sh"
		sha256sum <"$DEB_NEW"
		sha256sum <"$DEB_OLD"
		[ -z "$extra" ] || (cd "$extra" && find . -type f | LC_ALL=C sort | xargs sha256sum)
	} | sha256sum | cut -c1-16)
	if [ -f "$W/$name/done" ]; then
		if [ "$(cat "$W/$name/done")" = "$key $DISTRO_RUN" ] ||
			{ [ "${PVP_DISTRO_REUSE:-}" = 1 ] &&
			  [ "$(cut -d' ' -f1 "$W/$name/done")" = "$key" ]; }; then
			log "$name: made earlier in this run ($(cut -d' ' -f2 "$W/$name/done"))"
			return 0
		fi
	fi
	new_machine "$name" "$parent"
	[ -z "$extra" ] || cp -r "$extra" "$W/$name/share/extra" || die "$name: cannot copy $extra"
	if ! boot "$name" "$step" "$to"; then
		show_boot "$name" "$step"
		die "$name: the boot for $step did not end by itself"
	fi
	bad=$(grep '^R [^ ]*\.rc ' "$W/$name/$step/guest.log" | grep -v ' 0$')
	if [ -n "$bad" ] || ! grep -q '^pvp-agent: run.sh exit 0' "$W/$name/$step/guest.log"; then
		show_boot "$name" "$step"
		die "$name: $step failed${bad:+: $bad}"
	fi
	echo "$key" >"$W/$name/key"
	echo "$key $DISTRO_RUN" >"$W/$name/done"
}

# leaf NAME PARENT STEP TIMEOUT [vm.py options]: a new machine on PARENT,
# booted once with STEP (a crash, usually).  Returns vm.py's status.
leaf() {
	local name=$1

	new_machine "$1" "$2"
	shift 2
	boot "$name" "$@"
}

### Results

# res NAME/STEP KEY: a result the step printed ("R KEY VALUE").
res() {
	sed -n "s/^R $2 //p" "$W/$1/guest.log" | tail -n 1 | sed 's/ *$//'
}

# crash_report NAME STEP: what QEMU and the console showed in that boot,
# as variables (boot_report.py): events, crash, t_*, m_*, length.
crash_report() {
	local v

	events='' crash='' length='' pvp_events=''
	t_GUEST_CRASHLOADED='' t_GUEST_PANICKED='' t_SHUTDOWN=''
	m_crashkernel='' m_probe='' m_rootmount='' m_systemd='' m_saved='' m_gaveup='' m_end=''
	m_init='' m_udevd='' k_init_probe=''
	v=$(python3 "$PVP_ROOT/selftests/distro/boot_report.py" "$W/$1/$2") ||
		die "$1: no boot report"
	eval "$v"
	# The pvpanic events alone.
	pvp_events=$(echo "$events" | tr ' ' '\n' | grep '^GUEST_' | tr '\n' ' ' | sed 's/ $//')
}

# before A B: "yes" if time A is set and earlier than B (or B never came).
before() {
	[ -n "$1" ] || { echo "no ($1 never came)"; return; }
	awk -v a="$1" -v b="$2" 'BEGIN { print (b == "" || a + 0 < b + 0) ? "yes" : "no (" a " s, then " b " s)" }'
}

# reported_from WHAT initrd|root: the check that GUEST_CRASHLOADED (as
# crash_report read it) came from the crash initrd, before the root mount,
# or only from the root file system, after it.
reported_from() {
	if [ "$2" = initrd ]; then
		check "$1: reported from the crash initrd, before the root mount" \
			"$(before "$t_GUEST_CRASHLOADED" "$m_rootmount")" yes
	else
		check "$1: reported only after the crash kernel mounted its root" \
			"$(before "$m_rootmount" "$t_GUEST_CRASHLOADED")" yes
	fi
}

# The console's times after a crash, in one line.
crash_times() {
	echo "crash kernel's first line +${m_crashkernel:-?} s, driver's report +${m_probe:--} s," \
		"root mounted +${m_rootmount:--} s, vmcore saved +${m_saved:--} s, QEMU ended +${m_end:-?} s"
}

# init_to_report: the crash kernel's /init to the driver's report, in the
# crash kernel's own clock (its printk times): the figure of issue 31.
init_to_report() {
	if [ -n "$k_init_probe" ]; then
		echo "$k_init_probe s; in host time, udevd started $(awk -v i="$m_init" -v u="$m_udevd" \
			'BEGIN { if (i == "" || u == "") print "never"; else printf "%.2f s after /init", u - i }')"
	else
		echo "never"
	fi
}

# crash_to EVENT: "N s after the crash (M s after the crash kernel's first
# line)": the second figure depends less on how loaded the host is.
crash_to() {
	local t

	t=$(eval echo "\${t_$1}")
	[ -n "$t" ] || { echo "never"; return; }
	awk -v t="$t" -v k="$m_crashkernel" 'BEGIN {
		printf "%.2f s after the crash", t
		if (k != "") printf " (%.2f s after the crash kernel'"'"'s first line)", t - k }'
}

# remember NAME TEXT / recall NAME: a figure for another test of this run.
remember() { echo "$DISTRO_RUN $2" >"$W/remember.$1"; }
recall() {
	local r

	r=$(cat "$W/remember.$1" 2>/dev/null)
	if [ "${r%% *}" = "$DISTRO_RUN" ]; then echo "${r#* }"; else echo "(not run in this run)"; fi
}

# vmcore NAME: check, offline, that kdump-tools saved the crash under
# /var/crash in machine NAME's disk: results in vmcore_* variables.
vmcore() {
	local raw=$T/$D-$1.raw dir f t0=$SECONDS

	vmcore_dir='' vmcore_size='' vmcore_format='' vmcore_dmesg=0
	qemu-img convert -O raw "$W/$1/disk.qcow2" "$raw" || return 1
	dir=$(debugfs -R 'ls -p /var/crash' "$raw" 2>/dev/null |
		awk -F/ '$6 ~ /^[0-9]+$/ { print $6 }' | tail -n 1)
	if [ -n "$dir" ]; then
		vmcore_dir=/var/crash/$dir
		vmcore_size=$(debugfs -R "ls -p $vmcore_dir" "$raw" 2>/dev/null |
			awk -F/ -v f="dump.$dir" '$6 == f { print $7 }')
		debugfs -R "dump $vmcore_dir/dump.$dir $T/$D-dump" "$raw" >/dev/null 2>&1
		f=$(head -c 12 "$T/$D-dump" 2>/dev/null | tr -d '\0')
		case $f in
		"KDUMP   "*) vmcore_format="kdump-compressed" ;;
		makedumpfile) vmcore_format="flattened" ;;
		$'\x7fELF'*) vmcore_format="ELF" ;;
		*) vmcore_format="unknown ($f)" ;;
		esac
		debugfs -R "dump $vmcore_dir/dmesg.$dir $T/$D-dmesg" "$raw" >/dev/null 2>&1
		vmcore_dmesg=$(grep -c 'sysrq: Trigger a crash' "$T/$D-dmesg" 2>/dev/null)
		rm -f "$T/$D-dump" "$T/$D-dmesg"
	fi
	rm -f "$raw"
	log "$1: the disk read offline (qemu-img convert, debugfs) in $((SECONDS - t0)) s"
}
