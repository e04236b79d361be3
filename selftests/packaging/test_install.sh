#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make install / uninstall and make install-tests / uninstall-tests into a
# temporary DESTDIR: install puts the driver alone and its configuration
# (modprobe.d, initramfs-tools and dracut entries), install-tests the test
# side (pvpanic_sim, pvpanic-monitor, its man page, the uapi header); the
# staged module tree works with depmod/modprobe -d; the machine's own trees
# are not touched; depmod runs only for a real install; uninstall leaves no
# file behind.  Host-side, no guest.
. "$(dirname "$0")/../lib.sh"
vm_setup
cd "$PVP_ROOT" || exit 1

[ -d "/lib/modules/$KVER/build" ] || skip "no headers for $KVER"
require_file "$SIM_KO" "$DRV_KO" "$MONITOR"
command -v depmod >/dev/null || skip "depmod (kmod) is not installed"

D=$T/root
MOD=$D/lib/modules/$KVER/updates
CONFIGS="/etc/modprobe.d/pvpanic-acpi.conf
/usr/lib/dracut/dracut.conf.d/50-pvpanic-acpi.conf
/usr/share/initramfs-tools/modules.d/pvpanic-acpi"

# What the machine's own trees look like before (names, sizes, times).
snapshot() {
	find "/lib/modules/$KVER" -maxdepth 3 -path "*/build" -prune -o -print0 |
		xargs -0 stat -c '%n %s %Y' 2>/dev/null | sort
	stat -c '%n %s %Y' /etc/modprobe.d/* /usr/local/sbin/* /usr/local/include/linux/* \
		/usr/share/initramfs-tools/modules.d/* /usr/lib/dracut/dracut.conf.d/* \
		/usr/sbin/pvpanic-monitor 2>/dev/null | sort
}
snapshot >"$T/before"

# depmod belongs to a real install only; a staged one leaves it to a
# package's postinst.
for t in uninstall uninstall-tests; do
	make -s -n $t KVER="$KVER" DESTDIR= | grep -q "depmod -a $KVER" ||
		die "make $t without DESTDIR does not run depmod"
	make -s -n $t KVER="$KVER" DESTDIR="$D" | grep -q depmod &&
		die "make $t with DESTDIR runs depmod"
done
make -s -n uninstall-tests KVER="$KVER" DESTDIR="$D" |
	grep -q "$D/usr/local/sbin/pvpanic-monitor" ||
	die "the default PREFIX is not /usr/local"

# files: what DESTDIR holds, one path a line
files() { find "$D" \( -type f -o -type l \) | sed "s|^$D||" | sort; }

# ko NAME: the installed module NAME, built for KVER
ko() {
	local kos=("$MOD/$1".ko*) vermagic

	[ -f "${kos[0]}" ] || die "$MOD/$1.ko not installed"
	expect_eq "module name of ${kos[0]}" "$(modinfo -F name "${kos[0]}")" "$1"
	vermagic=$(modinfo -F vermagic "${kos[0]}")
	[ "${vermagic%% *}" = "$KVER" ] || die "$1 is built for ${vermagic%% *}, not $KVER"
	log "installed ${kos[0]#"$D"} ($vermagic)"
}

log "make install DESTDIR=$D KVER=$KVER"
make -s install KVER="$KVER" DESTDIR="$D" >"$T/install.log" 2>&1 || {
	cat "$T/install.log"
	die "make install failed"
}
grep -q "depmod -a" "$T/install.log" && die "make install with DESTDIR ran depmod"
ko pvpanic_acpi
cmp -s guest-driver/pvpanic-acpi.conf "$D/etc/modprobe.d/pvpanic-acpi.conf" ||
	die "/etc/modprobe.d/pvpanic-acpi.conf missing or different"
grep -qx pvpanic_acpi "$D/usr/share/initramfs-tools/modules.d/pvpanic-acpi" ||
	die "the initramfs-tools entry does not name pvpanic_acpi"
grep -q '^force_drivers+=" pvpanic_acpi "$' "$D/usr/lib/dracut/dracut.conf.d/50-pvpanic-acpi.conf" ||
	die "the dracut entry does not force pvpanic_acpi"
expect_eq "make install: every file" "$(files)" \
	"$(printf '%s\n' "/lib/modules/$KVER/updates/$(basename "$MOD"/pvpanic_acpi.ko*)" "$CONFIGS" | sort)"

log "make install-tests DESTDIR=$D PREFIX=/usr KVER=$KVER"
make -s install-tests KVER="$KVER" DESTDIR="$D" PREFIX=/usr >"$T/install-tests.log" 2>&1 || {
	cat "$T/install-tests.log"
	die "make install-tests failed"
}
ko pvpanic_sim
"$D/usr/sbin/pvpanic-monitor" --help | grep -q '^Usage: pvpanic-monitor' ||
	die "the installed pvpanic-monitor does not run"
[ "$(stat -c %a "$D/usr/share/man/man8/pvpanic-monitor.8")" = 644 ] ||
	die "usr/share/man/man8/pvpanic-monitor.8 missing or not mode 644"
cmp -s include/uapi/linux/pvpanic_sim.h "$D/usr/include/linux/pvpanic_sim.h" ||
	die "usr/include/linux/pvpanic_sim.h missing or different"

# The staged tree is usable as is: depmod and modprobe on a copy of it find
# both modules and the modprobe.d file.
cp -a "$D" "$T/copy"
depmod -b "$T/copy" "$KVER" 2>"$T/depmod.err" || {
	cat "$T/depmod.err"
	die "depmod -b on the staged tree failed"
}
for m in pvpanic_acpi pvpanic_sim; do
	modprobe -d "$T/copy" -S "$KVER" -C "$T/copy/etc/modprobe.d" \
		--show-depends "$m" 2>&1 | grep -q "updates/$m.ko" ||
		die "modprobe -d cannot find $m in the staged tree"
done
modprobe -d "$T/copy" -S "$KVER" -C "$T/copy/etc/modprobe.d" -c |
	grep -q '^blacklist pvpanic_mmio' || die "the modprobe.d file is not read"

log "make uninstall-tests, make uninstall"
make -s uninstall-tests KVER="$KVER" DESTDIR="$D" PREFIX=/usr >"$T/u1.log" 2>&1 &&
	make -s uninstall KVER="$KVER" DESTDIR="$D" >"$T/u2.log" 2>&1 || {
	cat "$T/u1.log" "$T/u2.log"
	die "make uninstall failed"
}
expect_eq "left after uninstall" "$(files)" ""
# A second uninstall has nothing to do and must not fail.
make -s uninstall uninstall-tests KVER="$KVER" DESTDIR="$D" PREFIX=/usr >/dev/null 2>&1 ||
	die "make uninstall fails when nothing is installed"

snapshot >"$T/after"
diff -u "$T/before" "$T/after" || die "the machine's own trees changed"
log "install and uninstall in $D: every file checked, nothing left"
exit 0
