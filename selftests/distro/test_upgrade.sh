#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# (g) apt install the older package (0.1.0), upgrade to the new one, apt
# remove: the driver, its configuration and its place in both initrds go,
# and after a reboot pvpanic-mmio holds the device again; apt purge leaves
# nothing (/usr/src, /var/lib/dkms, modprobe.d, the initramfs entries, the
# module in the initrds, dpkg's database).
# On sid, dracut instead of initramfs-tools: kdump-tools as packaged has no
# crash initrd there and is "Not ready to kdump"; 0.1.0 (the same debian/,
# see scripts/build-deb.sh) builds it with dracut, and kdump-tools loads it
# at the next boot only, so it stays "Not ready" through the steps of the
# first boot.  apt remove rebuilds that crash initrd without the driver
# (the postrm), so that kdump-tools, ready after the reboot, keeps one.
. "$(dirname "$0")/lib-distro.sh"
distro_setup

upgrade() {
	local g=upgraded/step_upgrade p=purged/step_purge
	local ready="ready to kdump"

	# kdump-tools loads its crash kernel at boot; on sid the crash initrd
	# did not exist when this boot began
	[ "$D" != sid ] || ready="Not ready to kdump"
	state upgraded base step_upgrade 5400
	[ "$D" != sid ] || check "(g) before: kdump-tools as packaged, no crash initrd" \
		"$(res $g before.kdump), $(res $g before.kdump_initrd_exists)" "Not ready to kdump, 0"
	check "(g) $OLD_VERSION: DKMS built it" "$(res $g old.dkms)" "pvpanic-acpi/$OLD_VERSION, $KV, x86_64: installed"
	check "(g) $OLD_VERSION: in the crash initrd" "$(res $g old.kdump_initrd_ko)" 1
	check "(g) $OLD_VERSION: kdump-config status" "$(res $g old.kdump)" "$ready"
	check "(g) upgrade: DKMS has $NEW_VERSION only" "$(res $g new.dkms)" "pvpanic-acpi/$NEW_VERSION, $KV, x86_64: installed"
	check "(g) upgrade: sources of $NEW_VERSION only" "$(res $g new.src)" "/usr/src/pvpanic-acpi-$NEW_VERSION"
	check "(g) upgrade: /var/lib/dkms has $NEW_VERSION only" "$(res $g new.dkms_versions)" "$NEW_VERSION"
	check "(g) upgrade: in the crash initrd" "$(res $g new.kdump_initrd_ko)" 1
	check "(g) upgrade: in the boot initrd" "$(res $g new.boot_initrd_ko)" 1
	check "(g) upgrade: kdump-config status" "$(res $g new.kdump)" "$ready"
	check "(g) remove: dpkg" "$(res $g removed.dpkg)" "$NEW_VERSION rc"
	check "(g) remove: no file of the package left" "$(res $g removed.files)" ""
	check "(g) remove: DKMS has nothing" "$(res $g removed.dkms)" ""
	check "(g) remove: not in the crash initrd" "$(res $g removed.kdump_initrd_ko)" 0
	check "(g) remove: not in the boot initrd" "$(res $g removed.boot_initrd_ko)" 0
	check "(g) remove: kdump-config status" "$(res $g removed.kdump)" "$ready"
	# kdump-tools keeps a crash initrd (on sid the postrm's dracut rebuild)
	check "(g) remove: the crash initrd is still there" "$(res $g removed.kdump_initrd_exists)" 1

	leaf purged upgraded step_purge 1800 || { show_boot purged step_purge; die "purged: the boot did not end by itself"; }
	check "(g) after the reboot: pvpanic-mmio holds the device" "$(res $p boot.bound)" pvpanic-mmio
	check "(g) after the reboot: kdump-config status" "$(res $p boot.kdump)" "ready to kdump"
	check "(g) apt purge" "$(res $p purge.rc)" 0
	check "(g) purge: nothing named pvpanic left" "$(res $p purged.leftovers)" ""
	check "(g) purge: /var/lib/dkms" "$(res $p purged.dkms_tree)" ""
	check "(g) purge: dpkg knows nothing" "$(res $p purged.dpkg)" ""
	check "(g) purge: nothing pvpanic in the crash initrd" "$(res $p purged.kdump_initrd_any)" 0
	check "(g) purge: nothing pvpanic in the boot initrd" "$(res $p purged.boot_initrd_any)" 0
}
lanes upgrade
