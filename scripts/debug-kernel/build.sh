#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the debug kernel of make check-debug from Debian's linux-source-6.1
# (KASAN, lockdep, PROVE_RCU, DEBUG_ATOMIC_SLEEP, kmemleak, debugobjects; see
# debug.config), once: the build is cached outside the tree and redone only
# when debug.config or the linux-source package changes. Then install it as
# /boot/vmlinuz-<ver> and /lib/modules/<ver> (with build -> the cached tree)
# so that the harness boots it like any Debian kernel, and print <ver>.
set -eu
here=$(dirname "$(readlink -f "$0")")
cache=${XDG_CACHE_HOME:-$HOME/.cache}/pvpanic-acpi/debug-kernel-6.1
src=$cache/src
tarball=/usr/src/linux-source-6.1.tar.xz
log() { echo "debug-kernel: $*" >&2; }

need=
for p in flex bison libelf-dev libssl-dev bc linux-source-6.1; do
	dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		need="$need $p"
done
if [ -n "$need" ]; then
	log "installing$need"
	apt-get install -y -q $need >&2
fi

pkgver=$(dpkg-query -W -f '${Version}' linux-source-6.1)
key=$( (echo "$pkgver"; cat "$here/debug.config") | sha256sum | cut -c1-12)
if [ ! -f "$src/.built-$key" ]; then
	start=$(date +%s)
	if [ ! -f "$src/.extracted-$pkgver" ]; then
		log "extracting linux-source-6.1 $pkgver"
		rm -rf "$src"
		mkdir -p "$src"
		tar -xJf "$tarball" -C "$src" --strip-components=1
		touch "$src/.extracted-$pkgver"
	fi
	log "configuring (x86_64_defconfig + kvm_guest.config + debug.config)"
	make -s -C "$src" x86_64_defconfig >&2
	make -s -C "$src" kvm_guest.config >&2
	"$src/scripts/kconfig/merge_config.sh" -m -O "$src" "$src/.config" \
		"$here/debug.config" >"$cache/merge_config.log" 2>&1
	make -s -C "$src" olddefconfig >&2
	# Every option we asked for must have survived olddefconfig.
	missing=$(grep -E '^CONFIG_' "$here/debug.config" | while read -r l; do
		grep -qxF "$l" "$src/.config" || echo "$l"; done)
	if [ -n "$missing" ]; then
		log "options dropped by Kconfig (dependency missing):"
		echo "$missing" >&2
		exit 1
	fi
	log "building with $(nproc) jobs (the first build takes a while)"
	nice make -s -C "$src" -j"$(nproc)" bzImage modules >&2
	rm -f "$src"/.built-*
	touch "$src/.built-$key"
	log "built in $(( $(date +%s) - start )) s"
fi
ver=$(make -s -C "$src" kernelrelease)
if [ ! -f "/lib/modules/$ver/.installed-$key" ] ||
   ! cmp -s "$src/arch/x86/boot/bzImage" "/boot/vmlinuz-$ver"; then
	log "installing $ver into /boot and /lib/modules"
	rm -rf "/lib/modules/$ver"
	make -s -C "$src" INSTALL_MOD_STRIP=1 modules_install >&2
	install -m 0644 "$src/arch/x86/boot/bzImage" "/boot/vmlinuz-$ver"
	install -m 0644 "$src/.config" "/boot/config-$ver"
	ln -sfn "$src" "/lib/modules/$ver/build"
	touch "/lib/modules/$ver/.installed-$key"
fi
echo "$ver"
