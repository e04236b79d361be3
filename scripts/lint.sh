#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The static gates: a W=1 build with sparse (C=2) that prints no warning,
# the guest driver built for i386 with W=1 and no warning, checkpatch.pl
# --strict clean on every C source and header, and the code generated from
# the YNL spec up to date.
# Prints one "ok"/"not ok" line per gate; exits non-zero if any fails.
cd "$(dirname "$0")/.." || exit 1
: "${KVER:=$(scripts/kver.sh)}"
KDIR=/lib/modules/$KVER/build
ksrc=$(scripts/ksrc.sh) || exit 1
tmp=$(mktemp -d)
log=$tmp/log
trap 'rm -rf "$tmp"' EXIT
fail=0

# Build a copy, so every file is compiled (W=1 only warns on what it
# compiles) and the tree's own build is left alone.
if git rev-parse --git-dir >/dev/null 2>&1; then
	git ls-files -co --exclude-standard | cpio -pdm --quiet "$tmp/src"
else
	cp -a . "$tmp/src"
fi
# The guest driver alone, for i386 below, before this copy has objects.
cp -a "$tmp/src/guest-driver" "$tmp/i386"
# The product's modules, then the benchmark's test module, with the
# compiler that built the kernel (a sid kernel's build tree runs kbuild in
# the sid root: scripts/sid-root.sh).  Kbuild may switch sparse off (7.x
# does when it finds it too old, or cannot test it): that is a skip with
# kbuild's reason, never a pass; else sparse must have checked something.
jobs=-j$(nproc)
kgcc=$(sed -n 's/^CONFIG_GCC_VERSION=//p' "$KDIR/.config" 2>/dev/null)
if make "$jobs" -C "$KDIR" M="$tmp/src" W=1 C=2 CHECK="sparse" modules >"$log" 2>&1 &&
   make "$jobs" -C "$KDIR" M="$tmp/src/scripts/bench" W=1 C=2 CHECK="sparse" modules \
	>>"$log" 2>&1; then
	off=$(grep -m 1 -o 'C=2 specified, but .* is not available or not up to date' "$log")
	# The major version of each compiler that built an object ("GCC:
	# (Debian 16.2.0-4) 16.2.0") against the kernel's (160200).
	used=$(readelf -p .comment "$tmp/src/guest-driver/pvpanic_acpi.ko" \
		"$tmp/src/host-module/pvpanic_sim.ko" 2>/dev/null |
		sed -n 's/.*GCC: .* \([0-9]*\)\.[0-9.]*$/\1/p' | sort -u | tr '\n' ' ')
	what="W=1 + sparse build"
	[ -n "$off" ] && what="W=1 build"
	what="$what ($KVER, gcc ${used% })"
	if grep -E 'warning:|error:' "$log"; then
		echo "not ok - lint: $what prints warnings"
		fail=1
	elif [ -n "$kgcc" ] && [ "$used" != "$((kgcc / 10000)) " ]; then
		echo "not ok - lint: $what: the kernel was built by gcc $((kgcc / 10000))"
		fail=1
	elif [ -z "$off" ] && ! grep -q '^  CHECK ' "$log"; then
		echo "not ok - lint: $what: sparse checked nothing"
		fail=1
	else
		echo "ok - lint: $what is clean"
	fi
	if [ -n "$off" ]; then
		[ -e "$KDIR/scripts/checker-valid.sh" ] ||
			off="$off (its headers lack scripts/checker-valid.sh)"
		echo "ok - lint: sparse ($KVER) # SKIP kbuild: $off"
	fi
else
	tail -n 30 "$log"
	echo "not ok - lint: W=1 + sparse build ($KVER) failed"
	fail=1
fi

# The DKMS package is Architecture: all: the guest driver must build for
# 32-bit x86 too, with W=1, against Debian's linux-source-6.1 configured for
# i386 and Debian's cross compiler (scripts/i386-kdir.sh; a few minutes the
# first time, then cached). That tree has no Module.symvers, so modpost
# cannot resolve the kernel's symbols: its warnings about that are expected,
# every other warning fails, and so does a libgcc helper such as __udivdi3
# (a 64-bit division the 32-bit kernel does not provide).
i386=(ARCH=i386 CROSS_COMPILE=i686-linux-gnu-)
if ! kdir32=$(scripts/i386-kdir.sh 2>"$log"); then
	sed 's/^/# /' "$log"
	echo "not ok - lint: guest-driver builds for i386 (W=1): no i386 kernel tree"
	fail=1
elif ! make -j2 -C "$kdir32" "${i386[@]}" M="$tmp/i386" W=1 modules >"$log" 2>&1; then
	tail -n 30 "$log" | sed 's/^/# /'
	echo "not ok - lint: guest-driver builds for i386 (W=1): build failed"
	fail=1
else
	warn=$(sed -e '/^WARNING: Module.symvers is missing\.$/,+2d' \
		-e '/^WARNING: modpost: "[^"]*" \[.*\] undefined!$/d' \
		-e '/^WARNING: modpost: suppressed [0-9]* unresolved symbol warnings/d' \
		"$log" | grep -iE 'warning|error')
	helpers=$(i686-linux-gnu-nm -u "$tmp/i386/pvpanic_acpi.ko" |
		grep -E ' __(u?(div|mod)|ashl|ashr|lshr|mul|u?cmp)di[0-9]$')
	if [ -n "$warn$helpers" ]; then
		printf '%s\n' "$warn" "$helpers" | sed '/^$/d; s/^/# /'
		echo "not ok - lint: guest-driver builds for i386 (W=1) with warnings"
		fail=1
	else
		echo "ok - lint: guest-driver builds for i386 (W=1)"
	fi
fi

files=$(git ls-files '*.c' '*.h' 2>/dev/null)
[ -n "$files" ] || files=$(find . -name '*.[ch]' -not -path './.git/*' -not -name '*.mod.c')
files=$(echo "$files" | grep -v -e '\.mod\.c$' -e '^host-module/aml_tables\.c$')
# One checkpatch per file, as many at a time as there are CPUs; each
# file's findings printed together.
mkdir "$tmp/cp"
# shellcheck disable=SC2016 # for the inner shell
echo "$files" | xargs -P "$(nproc)" -I{} sh -c \
	'"$0/scripts/checkpatch.pl" --strict --no-tree --quiet --show-types -f "$1" \
		>"$2/$(echo "$1" | tr / _)" 2>&1' "$ksrc" {} "$tmp/cp"
bad=0
for f in $files; do
	out=$tmp/cp/$(echo "$f" | tr / _)
	if [ -s "$out" ]; then
		sed 's/^/# /' "$out"
		bad=1
	fi
done
if [ $bad = 0 ]; then
	echo "ok - lint: checkpatch --strict clean ($(echo "$files" | wc -w) files)"
else
	echo "not ok - lint: checkpatch --strict"
	fail=1
fi
if out=$(scripts/ynl-gen.sh --check 2>&1); then
	echo "ok - lint: generated netlink code matches include/uapi/linux/pvpanic_sim.yaml"
else
	echo "$out" | sed 's/^/# /'
	echo "not ok - lint: generated netlink code differs from its spec (make ynl-gen)"
	fail=1
fi
exit $fail
