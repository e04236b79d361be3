#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The static gates: a W=1 build with sparse (C=2) that prints no warning,
# checkpatch.pl --strict clean on every C source and header, and the code
# generated from the YNL spec up to date.
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
# The product's modules, then the benchmark's test module.
jobs=-j$(nproc)
if make "$jobs" -C "$KDIR" M="$tmp/src" W=1 C=2 CHECK="sparse" modules >"$log" 2>&1 &&
   make "$jobs" -C "$KDIR" M="$tmp/src/scripts/bench" W=1 C=2 CHECK="sparse" modules \
	>>"$log" 2>&1; then
	if grep -E 'warning:|error:' "$log"; then
		echo "not ok - lint: W=1 + sparse build ($KVER) prints warnings"
		fail=1
	else
		echo "ok - lint: W=1 + sparse build ($KVER) is clean"
	fi
else
	tail -n 30 "$log"
	echo "not ok - lint: W=1 + sparse build ($KVER) failed"
	fail=1
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
