#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A kernel tree in which drivers/misc/pvpanic builds with CONFIG_CRASH_DUMP
# off, which no Debian kernel has: Debian's linux-source-VER (default 7.2),
# whole, configured with allnoconfig plus PCI, modules and the three pvpanic
# options, then modules_prepare.  Built with the host's compiler (a compile
# check of the !CONFIG_CRASH_DUMP branch, not a kernel anyone boots).
# Cached in ${XDG_CACHE_HOME:-$HOME/.cache}/pvpanic-acpi/ktree-VER-nocrashdump,
# rebuilt when the source tarball or this script changes; prints the path
# of the tree to pass to make -C.  A few minutes the first time.
# Usage: scripts/upstream-tree.sh [VER]
set -eu
ver=${1:-7.2}
tarball=$("$(dirname "$0")/ksrc.sh" --tarball "$ver")
[ -f "$tarball" ] || { echo "upstream-tree: $tarball missing" >&2; exit 1; }
cache=${XDG_CACHE_HOME:-$HOME/.cache}/pvpanic-acpi/ktree-$ver-nocrashdump
key="$(stat -c '%s %Y' "$tarball") $(md5sum <"$0" | cut -c1-8)"
mkdir -p "$(dirname "$cache")"
exec 9>"$cache.lock"
flock 9
if [ "$(cat "$cache/.pvp-done" 2>/dev/null)" != "$key" ]; then
	rm -rf "$cache"
	# an extraction of the same tarball is reused (a failed configuration)
	if [ "$(cat "$cache.tmp/.pvp-extracted" 2>/dev/null)" != "$key" ]; then
		rm -rf "$cache.tmp"
		mkdir -p "$cache.tmp"
		echo "upstream-tree: extracting linux-source-$ver (once)" >&2
		nice tar -xJf "$tarball" -C "$cache.tmp" --strip-components=1
		echo "$key" >"$cache.tmp/.pvp-extracted"
	fi
	echo "upstream-tree: configuring and preparing linux-source-$ver" >&2
	log=$cache.tmp/.pvp-build.log
	{
		make -C "$cache.tmp" ARCH=x86_64 allnoconfig &&
		"$cache.tmp/scripts/config" --file "$cache.tmp/.config" \
			--enable 64BIT --enable MODULES --enable PCI --enable ACPI --enable PVPANIC \
			--module PVPANIC_MMIO --module PVPANIC_PCI --disable CRASH_DUMP &&
		make -C "$cache.tmp" ARCH=x86_64 olddefconfig &&
		nice make -C "$cache.tmp" ARCH=x86_64 -j"$(nproc)" modules_prepare
	} >"$log" 2>&1 || { tail -n 20 "$log" >&2; echo "upstream-tree: see $log" >&2; exit 1; }
	for want in 'CONFIG_PVPANIC=y' 'CONFIG_PVPANIC_MMIO=m' 'CONFIG_PVPANIC_PCI=m'; do
		grep -qx "$want" "$cache.tmp/.config" ||
			{ echo "upstream-tree: the config lacks '$want'" >&2; exit 1; }
	done
	if grep -q '^#define CONFIG_CRASH_DUMP ' "$cache.tmp/include/generated/autoconf.h"; then
		echo "upstream-tree: CONFIG_CRASH_DUMP is still on" >&2
		exit 1
	fi
	echo "$key" >"$cache.tmp/.pvp-done"
	mv "$cache.tmp" "$cache"
fi
echo "$cache"
