#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Fetch, once, what selftests/qemu/test_upstream_arm64.sh needs of Debian's
# arm64 side, without installing any arm64 package on the host: the arm64
# kernel (the 6.12 of scripts/kernels.txt, -amd64 read as -arm64), its
# headers (arch-specific and -common), the amd64 linux-kbuild of the same
# version (the headers' scripts/ are host programs: fixdep, modpost), and
# the guest's userland: busybox-static and kexec-tools with the shared
# libraries kexec needs.  The packages are fetched with apt-get download
# through a private apt state for arm64 (the host's sources, its own lists
# and no dpkg status), and extracted with dpkg-deb -x into
# ~/.cache/pvpanic-acpi/arm64/<kernel>/root; the headers' Makefile is
# pointed at the -common tree there.  Prints that root.
#   make -C "$root/usr/src/linux-headers-<kernel>" ARCH=arm64 \
#        CROSS_COMPILE=aarch64-linux-gnu- M=...
# Usage: scripts/arm64-root.sh [KVER-arm64]
set -eu
cd "$(dirname "$0")/.."
log() { echo "arm64-root: $*" >&2; }

if [ -n "${1:-}" ]; then
	kver=$1
else
	k=$(scripts/kver.sh 6.12)
	[ -n "$k" ] || { log "no 6.12 kernel in scripts/kernels.txt"; exit 1; }
	kver=${k%-amd64}-arm64
fi
base=${kver%-arm64}	# the ABI name: 6.12.117+deb12
top=${XDG_CACHE_HOME:-$HOME/.cache}/pvpanic-acpi/arm64
dir=$top/$kver
root=$dir/root
if [ -f "$dir/.ready" ]; then
	echo "$root"
	exit 0
fi
# kexec-tools' libraries on Debian 12 (it links libxenctrl, from
# libxenmisc4.17, and what that links); the closure is checked below.
libs="libc6 zlib1g libxenmisc4.17 libxentoollog1 libxencall1 libxenevtchn1
	libxengnttab1 libxenforeignmemory1 libxendevicemodel1 libxentoolcore1"
arm64_pkgs="linux-image-$kver linux-headers-$kver linux-headers-$base-common
	busybox-static kexec-tools $libs"

mkdir -p "$top"
exec 9>"$top/.lock"
flock 9
if [ -f "$dir/.ready" ]; then
	echo "$root"
	exit 0
fi
start=$(date +%s)
rm -rf "$dir"
apt=$dir/apt
mkdir -p "$apt/lists/partial" "$apt/archives/partial" "$apt/sources.list.d" \
	"$dir/debs" "$root"
# The host's own Debian sources, read for arm64.
for f in /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list; do
	[ -f "$f" ] && cp "$f" "$apt/sources.list.d/"
done
[ -s /etc/apt/sources.list ] && cp /etc/apt/sources.list "$apt/sources.list.d/host.list"
: >"$apt/status"
a64=(-o APT::Sandbox::User=root
	-o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts="$apt/sources.list.d"
	-o Dir::Etc::Preferences=/dev/null -o Dir::Etc::PreferencesParts=/dev/null
	-o Dir::State::Lists="$apt/lists" -o Dir::State::status="$apt/status"
	-o Dir::Cache::archives="$apt/archives" -o Dir::Cache::pkgcache=
	-o Dir::Cache::srcpkgcache=
	-o APT::Architecture=arm64 -o APT::Architectures::=arm64)
log "apt-get update (arm64 lists, private to $apt)"
apt-get "${a64[@]}" update -qq >&2 ||
	{ log "apt-get update for arm64 failed"; exit 1; }
log "downloading $kver and the guest's userland (arm64)"
# shellcheck disable=SC2086 # one word per package
(cd "$dir/debs" && apt-get "${a64[@]}" download -q $arm64_pkgs >&2) ||
	{ log "apt-get download (arm64) failed"; exit 1; }
log "downloading linux-kbuild-$base (amd64: the host's programs of kbuild)"
kbuild() {
	(cd "$dir/debs" && apt-get -o APT::Sandbox::User=root download -q \
		"linux-kbuild-$base:amd64" >&2)
}
# The host's lists may be older than the kernel: once more after an update.
kbuild || { apt-get update -qq >&2 && kbuild; } ||
	{ log "apt-get download linux-kbuild-$base:amd64 failed"; exit 1; }
for d in "$dir"/debs/*.deb; do
	dpkg-deb -x "$d" "$root"
done
# The image's modules are not used (the guests load ours only).
rm -rf "$apt" "$dir/debs" "$root/lib/modules"
# The arm64 headers include the -common tree by its absolute path.
h=$root/usr/src/linux-headers-$kver
sed -i "s#^include /usr/src/#include $root/usr/src/#" "$h/Makefile"
for f in "$root/boot/vmlinuz-$kver" "$h/scripts/basic/fixdep" \
	"$h/scripts/mod/modpost" "$root/bin/busybox" "$root/sbin/kexec"; do
	[ -e "$f" ] || { log "$f missing after extraction"; exit 1; }
done
# kexec's shared libraries, all of them there.
todo=$root/sbin/kexec
seen=" "
while [ -n "$todo" ]; do
	# shellcheck disable=SC2086 # one word per file
	set -- $todo
	f=$1
	shift
	todo="$*"
	for l in $(readelf -d "$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
		[[ $seen == *" $l "* ]] && continue
		seen="$seen$l "
		# shellcheck disable=SC2012 # names of Debian's libraries
		p=$(ls "$root"/lib/aarch64-linux-gnu/"$l" "$root"/usr/lib/aarch64-linux-gnu/"$l" \
			2>/dev/null | head -n 1)
		[ -n "$p" ] || { log "kexec needs $l: in none of the packages"; exit 1; }
		todo="$todo $p"
	done
done
touch "$dir/.ready"
log "prepared $root in $(($(date +%s) - start)) s"
echo "$root"
