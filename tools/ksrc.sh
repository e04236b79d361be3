#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Extract from Debian's linux-source-6.1 only the files we use (checkpatch
# and the kselftest headers) into a cache outside the tree; print its path.
set -eu
cache=${XDG_CACHE_HOME:-$HOME/.cache}/pvpanic-acpi/linux-source-6.1
tarball=/usr/src/linux-source-6.1.tar.xz
if [ ! -f "$cache/.done" ]; then
	[ -f "$tarball" ] || { echo "ksrc: $tarball missing (package linux-source-6.1)" >&2; exit 1; }
	mkdir -p "$cache"
	tar -xJf "$tarball" -C "$cache" --strip-components=1 \
		linux-source-6.1/scripts/checkpatch.pl \
		linux-source-6.1/scripts/spelling.txt \
		linux-source-6.1/scripts/const_structs.checkpatch \
		linux-source-6.1/tools/testing/selftests/kselftest_harness.h \
		linux-source-6.1/tools/testing/selftests/kselftest.h
	touch "$cache/.done"
fi
echo "$cache"
