#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make deb: build pvpanic-acpi-dkms_<version>_all.deb into out/deb/ with
# dpkg-buildpackage (debhelper, dh-dkms), from a copy of what it ships, and
# print its path.  With a VERSION, the changelog is cut to that entry and
# below (an older package, for the upgrade test).
set -eu -o pipefail
cd "$(dirname "$0")/.."
ver=${1:-$(sed -n '1s/^pvpanic-acpi (\([^)]*\)).*/\1/p' debian/changelog)}
out=$PWD/out/deb
src=$out/pvpanic-acpi-$ver
rm -rf "$src"
mkdir -p "$src"
cp -a debian dkms.conf "$src/"
mkdir "$src/guest-driver"
cp guest-driver/Kbuild guest-driver/*.[ch] guest-driver/pvpanic-acpi.* \
	"$src/guest-driver/"
rm -f "$src"/guest-driver/*.mod.c
awk -v v="pvpanic-acpi ($ver)" 'index($0, v) == 1 { p = 1 } p' \
	debian/changelog >"$src/debian/changelog"
[ -s "$src/debian/changelog" ] || { echo "build-deb: no version $ver in debian/changelog" >&2; exit 1; }
if ! (cd "$src" && dpkg-buildpackage -us -uc -A) >"$out/build-$ver.log" 2>&1; then
	tail -n 30 "$out/build-$ver.log" >&2
	exit 1
fi
echo "$out/pvpanic-acpi-dkms_${ver}_all.deb"
