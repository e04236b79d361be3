#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install, as root, the Debian packages the build and the tests need, and
# the image and headers of each kernel named. Does nothing when all is there.
# Usage: scripts/install-deps.sh [KVER...]
set -eu
cd "$(dirname "$0")/.."
want=$(grep -v '^#' scripts/packages.txt)
for k in "$@"; do
	# make check-debug's kernel is built here (scripts/debug-kernel/build.sh)
	case $k in *-pvpanic-debug) continue ;; esac
	want="$want linux-image-$k linux-headers-$k"
done
missing=""
for p in $want; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
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
