#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make upstream-check: the patch for mainline (upstream/) as a reviewer
# would want it shown.  Installs what it needs (Debian's 7.2 and 6.12
# kernels and headers and their linux-source packages; QEMU's arm
# emulators and the arm64 cross compiler; libvirt 9.0), then runs:
#   selftests/qemu/test_upstream_patch.sh in full (PVP_UPSTREAM_FULL=1):
#     applied to 7.2 and 6.12, checkpatch, W=1/sparse builds and one with
#     CONFIG_CRASH_DUMP=n, QEMU's events in 7.2 and 6.12 guests
#   selftests/qemu/test_upstream_arm64.sh: arm64's pvpanic-pci under
#     qemu-system-aarch64 -M virt
#   selftests/qemu/test_upstream_libvirt.sh: virsh's lifecycle events
#   selftests/distro/test_upstream_patched.sh: a real Debian 13 guest's
#     kdump-tools with the patched pvpanic-mmio in its crash initrd
# and then test_upstream_patch.sh on two broken copies of the series,
# each of which must fail it: a style error (checkpatch) and the kdump
# condition inverted (the guests).  Logs in out/upstream-check-*.log.
# Ends with "N passed, N failed"; exits non-zero on a failure or a skip.
cd "$(dirname "$0")/.." || exit 1
k72=${PVP_UPSTREAM_KVER:-$(scripts/kver.sh 7.2)}
k612=${PVP_UPSTREAM_KVER2:-$(scripts/kver.sh 6.12)}
if [ -z "$k72" ] || [ -z "$k612" ]; then
	echo "upstream-check: no 7.2 or 6.12 kernel in scripts/kernels.txt"
	echo "0 passed, 1 failed"
	exit 1
fi
# The arm64 and libvirt parts' packages are this target's alone: not in
# scripts/packages.txt (make check).
if ! PVP_EXTRA_PACKAGES="qemu-system-arm gcc-aarch64-linux-gnu libvirt-daemon
		libvirt-daemon-driver-qemu libvirt-clients" \
		scripts/install-deps.sh "$k72" "$k612"; then
	echo "upstream-check: cannot install the packages for $k72 and $k612"
	echo "0 passed, 1 failed"
	exit 1
fi
mkdir -p out
export PVP_UPSTREAM_KVER=$k72 PVP_UPSTREAM_KVER2=$k612 PVP_LIBVIRT_KVER=$k612
make -s selftests >/dev/null 2>&1 || :
pass=0 fail=0 skips=()

# part NAME COMMAND...: one of the tests, its output shown and kept in
# out/upstream-check-NAME.log; its checks counted.
part() {
	local name=$1 log=out/upstream-check-$1.log rc f

	shift
	echo "=== $name: $*"
	"$@" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	# (a distribution test's lines carry its name: "# trixie: ok: ...")
	pass=$((pass + $(grep -Ec '^# ([a-z]+: )?ok: ' "$log")))
	# check's findings, and a stop of the test (die: "FAIL: why")
	f=$(grep -Ec '^(# )?([a-z]+: )?FAIL: ' "$log")
	if [ "$rc" = 4 ]; then
		skips+=("$name: $(grep -m 1 '^SKIP: ' "$log")")
	elif [ "$rc" != 0 ] && [ "$f" = 0 ]; then
		f=1	# killed, or exited without a word
	fi
	fail=$((fail + f))
}
part x86 env PVP_UPSTREAM_FULL=1 selftests/qemu/test_upstream_patch.sh
part arm64 selftests/qemu/test_upstream_arm64.sh
part libvirt selftests/qemu/test_upstream_libvirt.sh
part distro env PVP_DISTROS=trixie selftests/distro/test_upstream_patched.sh

# broken NAME SED WANT: the series with SED applied to its patches must
# fail test_upstream_patch.sh (its quick form: 7.2, -device pvpanic) with
# a "# FAIL:" line matching WANT; its log in out/upstream-broken-NAME.log.
broken() {
	local d=out/upstream-broken-$1 log=out/upstream-broken-$1.log p

	rm -rf "$d"
	mkdir -p "$d"
	for p in upstream/[0-9]*.patch; do
		case ${p##*/} in
		0000-*) cp "$p" "$d/" ;;
		*) sed "$2" "$p" >"$d/${p##*/}" ;;
		esac
	done
	if cmp -s "$d"/0001-*.patch upstream/0001-*.patch; then
		echo "FAIL: broken series $1: the edit changed nothing"
		fail=$((fail + 1))
		return
	fi
	PVP_UPSTREAM_SERIES=$PWD/$d PVP_UPSTREAM_QUICK=1 \
		selftests/qemu/test_upstream_patch.sh >"$log" 2>&1
	if [ $? = 1 ] && grep -q "^# FAIL: .*$3" "$log"; then
		echo "# ok: broken series $1 fails the test: $(grep -m 1 "^# FAIL: .*$3" "$log")"
		pass=$((pass + 1))
	else
		echo "FAIL: broken series $1 did not fail the test as it should (want '$3'; $log)"
		fail=$((fail + 1))
	fi
}
echo "=== broken copies of the series"
# a space before the tab that indents the new if: checkpatch's
# SPACE_BEFORE_TAB; and the kdump test inverted, which compiles cleanly
broken style 's/^+\tif (is_kdump_kernel()/+ \tif (is_kdump_kernel()/' \
	'checkpatch.pl --strict'
broken inverted 's/^+\tif (is_kdump_kernel()/+\tif (!is_kdump_kernel()/' \
	'kdump, -device pvpanic, patched: GUEST_CRASHLOADED after the panic'
if [ ${#skips[@]} -gt 0 ]; then
	echo "$pass passed, $fail failed, ${#skips[@]} skipped (${skips[*]})"
	exit 4
fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
