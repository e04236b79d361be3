#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make install` and `make uninstall` into a temporary DESTDIR: every file
# lands where it should (modules for KVER, the modprobe.d file, the tool,
# its man page), the staged module tree works with depmod/modprobe -d, the
# machine's own /lib/modules and /etc are not touched, depmod runs only for
# a real install, and uninstall leaves no file behind. Host-side, no guest.
: "${PVP_ROOT:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$PVP_ROOT/selftests/lib.sh"
cd "$PVP_ROOT" || exit 1
: "${KVER:=$(scripts/kver.sh)}"

[ -d "/lib/modules/$KVER/build" ] || skip "no headers for $KVER"
require_file "$SIM_KO" "$DRV_KO" "$MONITOR"
command -v depmod >/dev/null || skip "depmod (kmod) is not installed"

T=$(mktemp -d /tmp/pvp-install.XXXXXX)
trap 'rm -rf "$T"' EXIT
D=$T/root
MOD=$D/lib/modules/$KVER/updates

# What the machine's own trees look like before (names, sizes, times).
snapshot() {
	find "/lib/modules/$KVER" -maxdepth 3 -path "*/build" -prune -o -print0 |
		xargs -0 stat -c '%n %s %Y' 2>/dev/null | sort
	stat -c '%n %s %Y' /etc/modprobe.d/* /usr/local/sbin/* \
		/usr/sbin/pvpanic-monitor 2>/dev/null | sort
}
snapshot >"$T/before"

# depmod belongs to a real install only; a staged one leaves it to the
# package's postinst.
make -s -n uninstall KVER="$KVER" DESTDIR= | grep -q "depmod -a $KVER" ||
	die "make uninstall without DESTDIR does not run depmod"
make -s -n uninstall KVER="$KVER" DESTDIR="$D" | grep -q depmod &&
	die "make uninstall with DESTDIR runs depmod"
make -s -n uninstall KVER="$KVER" DESTDIR="$D" |
	grep -q "$D/usr/local/sbin/pvpanic-monitor" ||
	die "the default PREFIX is not /usr/local"

log "make install DESTDIR=$D PREFIX=/usr KVER=$KVER"
make -s install KVER="$KVER" DESTDIR="$D" PREFIX=/usr >"$T/install.log" 2>&1 || {
	cat "$T/install.log"
	die "make install failed"
}
if grep -q depmod "$T/install.log" && ! grep -q "Skipping depmod" "$T/install.log"; then
	cat "$T/install.log"
	die "make install with DESTDIR ran depmod"
fi

# Every file, in its place, with the right content and mode.
for m in guest-driver/pvpanic_acpi host-module/pvpanic_sim; do
	kos=("$MOD/$m".ko*)
	ko=${kos[0]}
	[ -f "$ko" ] || die "$MOD/$m.ko not installed"
	name=$(modinfo -F name "$ko")
	expect_eq "module name of $ko" "$name" "${m#*/}"
	vermagic=$(modinfo -F vermagic "$ko")
	[ "${vermagic%% *}" = "$KVER" ] || die "$ko is built for ${vermagic%% *}, not $KVER"
	log "installed ${ko#"$D"} ($vermagic)"
done
cmp -s guest-driver/pvpanic-acpi.conf "$D/etc/modprobe.d/pvpanic-acpi.conf" ||
	die "/etc/modprobe.d/pvpanic-acpi.conf missing or different"
[ -x "$D/usr/sbin/pvpanic-monitor" ] || die "usr/sbin/pvpanic-monitor missing or not executable"
"$D/usr/sbin/pvpanic-monitor" --help | grep -q '^Usage: pvpanic-monitor' ||
	die "the installed pvpanic-monitor does not run"
[ "$(stat -c %a "$D/usr/share/man/man8/pvpanic-monitor.8")" = 644 ] ||
	die "usr/share/man/man8/pvpanic-monitor.8 missing or not mode 644"
if command -v man >/dev/null; then
	MANWIDTH=80 man -l "$D/usr/share/man/man8/pvpanic-monitor.8" 2>&1 |
		grep -q '^NAME' || die "the installed man page does not render"
fi
extra=$(find "$D" \( -type f -o -type l \) | sed "s|^$D||" | sort |
	grep -v -e "^/lib/modules/$KVER/updates/guest-driver/pvpanic_acpi.ko" \
		-e "^/lib/modules/$KVER/updates/host-module/pvpanic_sim.ko" \
		-e '^/etc/modprobe.d/pvpanic-acpi.conf$' -e '^/usr/sbin/pvpanic-monitor$' \
		-e '^/usr/share/man/man8/pvpanic-monitor.8$')
[ -z "$extra" ] || die "make install put unexpected files: $extra"

# The staged tree is usable as is: depmod and modprobe on a copy of it find
# both modules and the softdep of the modprobe.d file.
cp -a "$D" "$T/copy"
depmod -b "$T/copy" "$KVER" 2>"$T/depmod.err" || {
	cat "$T/depmod.err"
	die "depmod -b on the staged tree failed"
}
for m in pvpanic_acpi pvpanic_sim; do
	modprobe -d "$T/copy" -S "$KVER" -C "$T/copy/etc/modprobe.d" \
		--show-depends "$m" 2>&1 | grep -q "updates/.*/$m.ko" ||
		die "modprobe -d cannot find $m in the staged tree"
done
modprobe -d "$T/copy" -S "$KVER" -C "$T/copy/etc/modprobe.d" -c |
	grep -q '^blacklist pvpanic_mmio' || die "the modprobe.d file is not read"

log "make uninstall DESTDIR=$D PREFIX=/usr"
make -s uninstall KVER="$KVER" DESTDIR="$D" PREFIX=/usr >"$T/uninstall.log" 2>&1 || {
	cat "$T/uninstall.log"
	die "make uninstall failed"
}
left=$(find "$D" \( -type f -o -type l \))
[ -z "$left" ] || die "make uninstall left: $left"
for d in "$MOD/guest-driver" "$MOD/host-module"; do
	[ ! -e "$d" ] || die "make uninstall left the directory $d"
done
# A second uninstall has nothing to do and must not fail.
make -s uninstall KVER="$KVER" DESTDIR="$D" PREFIX=/usr >/dev/null 2>&1 ||
	die "make uninstall fails when nothing is installed"

snapshot >"$T/after"
diff -u "$T/before" "$T/after" || die "the machine's own trees changed"
log "install and uninstall in $D: every file checked, nothing left"
exit 0
