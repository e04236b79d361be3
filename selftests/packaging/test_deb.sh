#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make deb: pvpanic-acpi-dkms_<version>_all.deb, built with dh-dkms, holds
# the driver's sources for DKMS (the driver alone, AUTOINSTALL, the version
# filled in), the modprobe.d file and the initramfs-tools and dracut
# entries, and nothing else; lintian reports no error and no warning; the
# packaged sources build for KVER; an older version (the upgrade test's)
# builds too.  Installing, upgrading and removing it in a real Debian
# guest is make check-distro (selftests/distro).
. "$(dirname "$0")/../lib.sh"
vm_setup
cd "$PVP_ROOT" || exit 1
for c in dpkg-buildpackage dh_dkms lintian; do
	command -v $c >/dev/null || skip "$c is not installed (dpkg-dev, dh-dkms, lintian)"
done

ver=$(head -n 1 debian/changelog | cut -d'(' -f2 | cut -d')' -f1)
deb=$(make -s deb) || die "make deb failed"
expect_eq "make deb prints" "$deb" "$PVP_ROOT/out/deb/pvpanic-acpi-dkms_${ver}_all.deb"
old=$(make -s deb DEB_VERSION=0.1.0) || die "make deb DEB_VERSION=0.1.0 failed"
[ -f "$old" ] || die "no $old"

# lintian: no error, no warning (pedantic and info tags are printed).
out=$(cd out/deb && lintian --fail-on error,warning --pedantic --info \
	"pvpanic-acpi-dkms_${ver}_all.deb" "pvpanic-acpi_${ver}_all.changes" 2>&1)
rc=$?
echo "$out" | grep -v 'running with root privileges' | sed 's/^/# lintian: /'
[ $rc = 0 ] || die "lintian failed (exit $rc)"

expect_eq "package" "$(dpkg-deb -f "$deb" Package Architecture Version)" \
	"Package: pvpanic-acpi-dkms
Architecture: all
Version: $ver"
dpkg-deb -f "$deb" Depends | grep -q 'dkms' || die "does not depend on dkms"

# Every file, and nothing else.
src=usr/src/pvpanic-acpi-$ver
want="etc/kernel/postinst.d/pvpanic-acpi-dkms
lib/modprobe.d/pvpanic-acpi.conf
usr/lib/dracut/dracut.conf.d/50-pvpanic-acpi.conf
usr/share/doc/pvpanic-acpi-dkms/changelog.gz
usr/share/doc/pvpanic-acpi-dkms/copyright
usr/share/initramfs-tools/modules.d/pvpanic-acpi
usr/share/pvpanic-acpi-dkms/kdump-dracut-initrd
$src/dkms.conf
$src/guest-driver/Kbuild
$(cd guest-driver && ls ./*.c ./*.h | grep -v "\.mod\.c$" | sed "s|^./|$src/guest-driver/|")"
expect_eq "contents" "$(dpkg-deb -c "$deb" | awk '$1 !~ /^d/ { sub("^\\./", "", $6); print $6 }' | sort)" \
	"$(echo "$want" | sort)"

dpkg-deb -x "$deb" "$T/x"
conf=$T/x/$src/dkms.conf
grep -qx "PACKAGE_VERSION=\"$ver\"" "$conf" || die "dkms.conf: no PACKAGE_VERSION=\"$ver\""
grep -qx 'AUTOINSTALL="yes"' "$conf" || die "dkms.conf: not AUTOINSTALL"
expect_eq "dkms.conf: modules" "$(grep '^BUILT_MODULE_NAME' "$conf")" \
	'BUILT_MODULE_NAME[0]="pvpanic_acpi"'
cmp -s guest-driver/pvpanic-acpi.conf "$T/x/lib/modprobe.d/pvpanic-acpi.conf" ||
	die "the packaged modprobe.d file differs"

# The packaged sources are complete: they build for KVER as DKMS would.
make -s -C "/lib/modules/$KVER/build" M="$T/x/$src/guest-driver" modules \
	>"$T/build.log" 2>&1 || { cat "$T/build.log"; die "the packaged sources do not build"; }
[ -f "$T/x/$src/guest-driver/pvpanic_acpi.ko" ] || die "no pvpanic_acpi.ko built"
log "$(basename "$deb") and $(basename "$old"): lintian clean, contents as listed, sources build for $KVER"
echo "ok"
