#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Prepare, once, a 32-bit x86 kernel tree for external modules from Debian's
# linux-source-6.1 and its cross compiler (gcc-i686-linux-gnu), and print its
# path: make lint builds the guest driver against it, since the DKMS package
# is Architecture: all.  i386_defconfig plus what the driver calls
# (kexec_crash_loaded(), is_kdump_kernel(), debugfs), then modules_prepare.
# The tree is cached in ~/.cache/pvpanic-acpi/kdir-6.1-i386/<key>, <key>
# naming the linux-source version, the compiler and the options; it is
# built under another name and renamed when complete, one build at a time.
#   make -C "$(scripts/i386-kdir.sh)" ARCH=i386 CROSS_COMPILE=i686-linux-gnu- M=...
set -eu
ver=6.1
cross=i686-linux-gnu-
top=${XDG_CACHE_HOME:-$HOME/.cache}/pvpanic-acpi/kdir-$ver-i386
tarball=/usr/src/linux-source-$ver.tar.xz
log() { echo "i386-kdir: $*" >&2; }

command -v "${cross}gcc" >/dev/null ||
	{ log "${cross}gcc missing (package gcc-i686-linux-gnu)"; exit 1; }
if ! pkgver=$(dpkg-query -W -f '${Version}' "linux-source-$ver" 2>/dev/null) ||
   [ ! -f "$tarball" ]; then
	log "$tarball missing (package linux-source-$ver)"
	exit 1
fi
# What the driver needs beyond i386_defconfig (which has ACPI and modules).
opts="ACPI MODULES MODULE_UNLOAD KEXEC CRASH_DUMP DEBUG_FS"
key=$( (echo "$pkgver $opts"; "${cross}gcc" --version | head -n 1) |
	sha256sum | cut -c1-12)
kdir=$top/$key
if [ -f "$kdir/.ready" ]; then
	echo "$kdir"
	exit 0
fi

mkdir -p "$top"
# One build at a time; whoever waited finds the tree ready.
exec 9>"$top/.lock"
flock 9
if [ ! -f "$kdir/.ready" ]; then
	start=$(date +%s)
	tmp=$top/.build-$key.$$
	rm -rf "$top"/.build-*
	trap 'rm -rf "$tmp"' EXIT
	mkdir -p "$tmp"
	log "extracting linux-source-$ver $pkgver"
	tar -xJf "$tarball" -C "$tmp" --strip-components=1
	k() { make -s -C "$tmp" ARCH=i386 CROSS_COMPILE=$cross "$@" >&2; }
	log "configuring (i386_defconfig + $opts)"
	k i386_defconfig
	# shellcheck disable=SC2046,SC2086 # one option a word
	"$tmp/scripts/config" --file "$tmp/.config" $(printf ' --enable %s' $opts)
	k olddefconfig
	for o in X86_32 $opts; do
		grep -qx "CONFIG_$o=y" "$tmp/.config" ||
			{ log "CONFIG_$o not set after olddefconfig"; exit 1; }
	done
	log "make modules_prepare"
	k -j2 modules_prepare
	touch "$tmp/.ready"
	mv -T "$tmp" "$kdir"
	trap - EXIT
	# Trees of older keys (another linux-source, compiler or script).
	for d in "$top"/*; do
		[ "$d" = "$kdir" ] || rm -rf "$d"
	done
	log "prepared $kdir in $(( $(date +%s) - start )) s"
fi
echo "$kdir"
