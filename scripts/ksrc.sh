#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Extract from Debian's linux-source-<version> only the files we use into a
# cache outside the tree, once, and print its path.
#   scripts/ksrc.sh        6.1: checkpatch, the kselftest headers, lib.mk and runner
#   scripts/ksrc.sh 6.12   the kernel's YNL CLI and generator (tools/net/ynl)
#                        and the genetlink schemas it validates specs against
set -eu
ver=${1:-6.1}
case $ver in
6.1)	files="scripts/checkpatch.pl scripts/spelling.txt
		scripts/const_structs.checkpatch
		tools/testing/selftests/kselftest_harness.h
		tools/testing/selftests/kselftest.h
		tools/testing/selftests/lib.mk
		tools/testing/selftests/kselftest/runner.sh
		tools/testing/selftests/kselftest/prefix.pl" ;;
6.12)	files="tools/net/ynl/cli.py tools/net/ynl/ynl-gen-c.py
		tools/net/ynl/lib/__init__.py
		tools/net/ynl/lib/nlspec.py tools/net/ynl/lib/ynl.py
		Documentation/netlink/genetlink.yaml
		Documentation/netlink/genetlink-c.yaml
		Documentation/netlink/genetlink-legacy.yaml" ;;
*)	echo "ksrc: no file list for linux-source-$ver" >&2; exit 1 ;;
esac
cache=${XDG_CACHE_HOME:-$HOME/.cache}/pvpanic-acpi/linux-source-$ver
tarball=/usr/src/linux-source-$ver.tar.xz
stamp=$(echo "$files" | md5sum | cut -c1-8)
if [ ! -f "$cache/.done-$stamp" ]; then
	[ -f "$tarball" ] || { echo "ksrc: $tarball missing (package linux-source-$ver)" >&2; exit 1; }
	mkdir -p "$cache"
	# shellcheck disable=SC2086 # one word per file
	tar -xJf "$tarball" -C "$cache" --strip-components=1 \
		$(for f in $files; do echo "linux-source-$ver/$f"; done)
	touch "$cache/.done-$stamp"
fi
# The ynl library compiled for the guests' python3 (the host's own, over
# 9p, read-only there): else every python3 that imports it in a guest
# compiles it again, half a second or more under TCG. compileall skips
# what is up to date; a .pyc whose source changed is recompiled anyway.
if [ "$ver" = 6.12 ]; then
	py=/usr/bin/python3
	[ -x "$py" ] || py=python3
	"$py" -m compileall -q "$cache/tools/net/ynl/lib" >/dev/null 2>&1 || :
fi
echo "$cache"
