#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install, as root, the Debian packages the build and the tests need, and
# the image and headers of each kernel named. Does nothing when all is there.
# A kernel of a later Debian release than the host's (its ABI name says
# +debN, N above the host's major version: 7.2's +deb14) is not in the
# host's archive and is not built by its compiler: scripts/sid-root.sh
# installs it from sid, with a build tree that uses sid's compiler.
# PVP_EXTRA_PACKAGES: more packages, for a target that alone needs them
# (make upstream-check's arm emulator, cross compiler and libvirt).
# Usage: scripts/install-deps.sh [KVER...]
set -eu
cd "$(dirname "$0")/.."
want="$(grep -v '^#' scripts/packages.txt) ${PVP_EXTRA_PACKAGES:-}"
host=$(cut -d. -f1 /etc/debian_version)
sid=""
for k in "$@"; do
	# make check-debug's kernel is built here (scripts/debug-kernel/build.sh)
	case $k in *-pvpanic-debug) continue ;; esac
	n=$(echo "$k" | sed -n 's/.*+deb\([0-9]*\).*/\1/p')
	if [ -n "$n" ] && [ "$n" -gt "$host" ]; then
		sid="$sid $k"
		continue
	fi
	want="$want linux-image-$k linux-headers-$k"
done
missing=""
for p in $want; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' ||
		missing="$missing $p"
done
# Sid's kernels, after the host's packages (debootstrap among them).
sid_kernels() {
	local k need=""

	for k in $sid; do
		[ -f "/boot/vmlinuz-$k" ] && [ -e "/lib/modules/$k/build/Makefile" ] ||
			need="$need $k"
	done
	[ -z "$need" ] && return 0
	if [ "$(id -u)" != 0 ]; then
		echo "install-deps: missing kernels:$need; run as root (scripts/sid-root.sh)" >&2
		return 1
	fi
	echo "install-deps: installing$need from sid (scripts/sid-root.sh)"
	# shellcheck disable=SC2086 # one word per kernel
	scripts/sid-root.sh $need >/dev/null
}
if [ -z "$missing" ]; then
	sid_kernels
	exit
fi
if [ "$(id -u)" != 0 ]; then
	echo "install-deps: missing packages:$missing; run as root or install them" >&2
	exit 1
fi
echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# The guests boot an initramfs of our own: INITRD=No spares the kernel
# packages' hook the work of building one per kernel.
INITRD=No apt-get install -y -qq --no-install-recommends $missing >/dev/null
sid_kernels
