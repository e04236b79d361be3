#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Extract from Debian's linux-source-<version> only the files we use into a
# cache outside the tree, once, and print its path.
#   scripts/ksrc.sh        6.1: checkpatch, the kselftest headers, lib.mk and runner
#   scripts/ksrc.sh 6.12   the kernel's YNL CLI and generator (tools/net/ynl)
#                        and the genetlink schemas it validates specs against
#   scripts/ksrc.sh 7.2    sid's linux-source-7.2, from the sid root
#                        (scripts/sid-root.sh installs it there)
# All: checkpatch and the pristine drivers/misc/pvpanic, which
# selftests/qemu/test_upstream_patch.sh applies upstream/ to.
# scripts/ksrc.sh --tarball VER: only print where linux-source-VER's
# tarball is (installing sid's package for 7.x), extracting nothing.
set -eu
tarball_only=
[ "${1:-}" = --tarball ] && { tarball_only=1; shift; }
ver=${1:-6.1}
pv="scripts/checkpatch.pl scripts/spelling.txt scripts/const_structs.checkpatch
	drivers/misc/pvpanic/Kconfig drivers/misc/pvpanic/Makefile
	drivers/misc/pvpanic/pvpanic.c drivers/misc/pvpanic/pvpanic.h
	drivers/misc/pvpanic/pvpanic-mmio.c drivers/misc/pvpanic/pvpanic-pci.c"
case $ver in
6.1)	files="$pv
		tools/testing/selftests/kselftest_harness.h
		tools/testing/selftests/kselftest.h
		tools/testing/selftests/lib.mk
		tools/testing/selftests/kselftest/runner.sh
		tools/testing/selftests/kselftest/prefix.pl" ;;
6.12)	files="$pv tools/net/ynl/cli.py tools/net/ynl/ynl-gen-c.py
		tools/net/ynl/lib/__init__.py
		tools/net/ynl/lib/nlspec.py tools/net/ynl/lib/ynl.py
		Documentation/netlink/genetlink.yaml
		Documentation/netlink/genetlink-c.yaml
		Documentation/netlink/genetlink-legacy.yaml" ;;
7.2)	files=$pv ;;
*)	echo "ksrc: no file list for linux-source-$ver" >&2; exit 1 ;;
esac
cache=${XDG_CACHE_HOME:-$HOME/.cache}/pvpanic-acpi/linux-source-$ver
tarball=/usr/src/linux-source-$ver.tar.xz
case $ver in
7.*)	# not in the host's release: sid's package, in the sid root
	root=$("$(dirname "$0")/sid-root.sh" "linux-source-$ver") || exit 1
	tarball=$root/usr/src/linux-source-$ver.tar.xz ;;
esac
if [ -n "$tarball_only" ]; then
	echo "$tarball"
	exit 0
fi
# .done-<list> marks an extraction of this file list; it holds the size and
# date of the tarball it came from, so a new linux-source package extracts
# again, and a complete cache still serves once the package is removed.
mark=$cache/.done-$(echo "$files" | md5sum | cut -c1-8)
mkdir -p "$cache"
# One extraction at a time: make check's jobs may ask at once.
exec 9>"$cache.lock"
flock 9
if [ -f "$tarball" ]; then
	src=$(stat -c '%s %Y' "$tarball")
	if [ "$(cat "$mark" 2>/dev/null)" != "$src" ]; then
		rm -f "$cache"/.done-*
		# shellcheck disable=SC2046 # one word per file
		tar -xJf "$tarball" -C "$cache" --strip-components=1 \
			$(for f in $files; do echo "linux-source-$ver/$f"; done)
		echo "$src" >"$mark"
	fi
elif [ ! -f "$mark" ]; then
	echo "ksrc: $tarball missing (package linux-source-$ver)" >&2
	exit 1
fi
# The ynl library compiled for the guests' python3 (the host's own, over
# 9p, read-only there): else every python3 that imports it in a guest
# compiles it again, which is slow under TCG. compileall skips
# what is up to date; a .pyc whose source changed is recompiled anyway.
if [ "$ver" = 6.12 ]; then
	py=/usr/bin/python3
	[ -x "$py" ] || py=python3
	"$py" -m compileall -q "$cache/tools/net/ynl/lib" >/dev/null 2>&1 || :
fi
echo "$cache"
