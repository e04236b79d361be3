#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# (h) The upstream series (upstream/) on a real distribution's kdump, on a
# machine without this package: Debian 13's kernel (6.12, the series'
# second base) and sid's (7.2, its base), kdump-tools as packaged, a crash
# with default settings.  Three machines from the same image
# (guest/step_upstream.sh):
#   plain    pvpanic-mmio listed for kdump-tools' crash initrd
#            (/etc/initramfs-tools/modules; on sid dracut's add_drivers);
#            linux-source's drivers/misc/pvpanic as it is (built against
#            the guest's headers; the kernel's own modules stay in use): no
#            pvpanic event at all, and the vmcore saved;
#   patched  the same, with the series applied (git am) and the modules
#            installed under updates/: one GUEST_CRASHLOADED, from the
#            crash initrd, after the crash; never GUEST_PANICKED;
#            makedumpfile completes and the vmcore is on disk;
#   patched-default  the patched modules, the crash initrd as made
#            without asking for pvpanic: kdump-tools' (MODULES=dep) leaves
#            it out, so the crash kernel mounts the root file system and
#            udev loads pvpanic-mmio from there; one GUEST_CRASHLOADED,
#            after the root mount.  On sid the crash initrd is plain
#            dracut's (below), and dracut's host-only initrd carries the
#            modules under updates/ (its kernel-modules-extra), so the
#            patched pvpanic-mmio: the report comes from the initrd.
# On sid kdump-tools builds no crash initrd (dracut, no mkinitramfs): the
# step builds it as README.md tells users to, with plain dracut.
# Prints the time from the crash to GUEST_CRASHLOADED.
. "$(dirname "$0")/lib-distro.sh"
distro_setup

# src MODE DIR: DIR is what the step gets as extra/ (mode, src/, entry).
src() {
	local x=$2 k

	k=$("$PVP_ROOT/scripts/ksrc.sh" "$SV") || die "no linux-source-$SV (scripts/ksrc.sh $SV)"
	rm -rf "$x"
	mkdir -p "$x"
	echo "${1%-default}" >"$x/mode"
	[ "$1" = patched-default ] || : >"$x/entry"
	if [ "$1" != plain ]; then
		if [ ! -e "$T/$D-am.ok" ]; then	# once for both patched machines
			upstream_series
			series_am "$k" "$T/$D-am" "$T/$D-am.log" ||
				{ cat "$T/$D-am.log"; die "git am of upstream/ on linux-source-$SV failed"; }
			: >"$T/$D-am.ok"
		fi
		cp -r "$T/$D-am/drivers/misc/pvpanic" "$x/src"
	else
		cp -r "$k/drivers/misc/pvpanic" "$x/src"
	fi
}

# one MODE: the state made with the step, then the crash.
one() {
	local m=$1 s=up_$1 c=up_$1_crash x=$T/$D-extra-$1

	src "$m" "$x"
	state "$s" base step_upstream 2400 "$x"
	check "(h) $m: built against the guest's headers" "$(res $s/step_upstream built)" \
		"pvpanic-mmio.ko pvpanic-pci.ko pvpanic.ko"
	check "(h) $m: pvpanic-mmio and pvpanic.ko in the crash initrd" \
		"$(res $s/step_upstream kdump_initrd | tr ' ' '\n' | grep -c -E '/pvpanic(-mmio)?\.ko')" \
		"$([ "$m" = patched-default ] && [ "$D" != sid ] && echo 0 || echo 2)"
	leaf "$c" "$s" step_crash 1200 || { show_boot "$c" step_crash; die "$c: the boot did not end by itself"; }
	check "(h) $m: pvpanic-mmio holds the device" "$(res $c/step_crash boot.bound)" pvpanic-mmio
	check "(h) $m: kdump-config status" "$(res $c/step_crash boot.kdump)" "ready to kdump"
	check "(h) defaults: crash_kexec_post_notifiers" "$(res $c/step_crash crash.post_notifiers)" N
	crash_report "$c" step_crash
	log "(h) $m: QMP events: $events"
	check "(h) $m: kdump-tools saved the vmcore (console)" "$([ -n "$m_saved" ] && echo yes)" yes
	vmcore "$c"
	log "(h) $m: in the disk: ${vmcore_dir:-no /var/crash/<time>}: dump $vmcore_size bytes ($vmcore_format)"
	check "(h) $m: vmcore under /var/crash" "$([ "${vmcore_size:-0}" -gt 1000000 ] && echo yes)" yes
	log "(h) $m: ($(crash_times))"
}

patched() {
	case $KV in
	6.12.*) SV=6.12 ;;
	7.2.*) SV=7.2 ;;
	*) die "the image's kernel is $KV, not 6.12 or 7.2" ;;
	esac
	one plain
	# (modinfo -n on sid: /usr/lib/modules)
	check "(h) plain: the kernel's own pvpanic.ko" \
		"$(res up_plain_crash/step_crash boot.pvpanic_ko | sed 's|^/usr/lib/|/lib/|')" \
		"/lib/modules/$KV/kernel/drivers/misc/pvpanic/pvpanic.ko.xz"
	check "(h) plain: no pvpanic event (the notifier never runs)" "$pvp_events" ""
	one patched
	check "(h) patched: modprobe's pvpanic.ko is the one under updates/" \
		"$(res up_patched_crash/step_crash boot.pvpanic_ko | sed 's|^/usr/lib/|/lib/|')" \
		"/lib/modules/$KV/updates/pvpanic-upstream/pvpanic.ko"
	check "(h) patched: the crash initrd carries the patched modules" \
		"$(res up_patched/step_upstream kdump_initrd | tr ' ' '\n' | grep -c '/updates/pvpanic-upstream/pvpanic')" 2
	check "(h) patched: QMP: one GUEST_CRASHLOADED, never GUEST_PANICKED" "$pvp_events" "GUEST_CRASHLOADED:run"
	check "(h) patched: GUEST_CRASHLOADED after the crash" \
		"$(awk -v t="$t_GUEST_CRASHLOADED" 'BEGIN { print (t != "" && t > 0) ? "yes" : "no" }')" yes
	reported_from "(h) patched" initrd
	log "(h) patched: crash -> GUEST_CRASHLOADED: $(crash_to GUEST_CRASHLOADED);" \
		"$(awk -v t="$t_GUEST_CRASHLOADED" -v i="$m_init" 'BEGIN { printf "%.2f", t - i }') s after" \
		"the crash kernel's /init (host time); vmcore saved +$m_saved s"
	one patched-default
	check "(h) patched-default: QMP: one GUEST_CRASHLOADED, never GUEST_PANICKED" \
		"$pvp_events" "GUEST_CRASHLOADED:run"
	# on sid dracut's host-only crash initrd carries what is under updates/,
	# so the patched pvpanic-mmio; elsewhere udev loads it from the root
	reported_from "(h) patched-default" "$([ "$D" = sid ] && echo initrd || echo root)"
	log "(h) patched-default: crash -> GUEST_CRASHLOADED: $(crash_to GUEST_CRASHLOADED);" \
		"root mounted +$m_rootmount s; vmcore saved +$m_saved s"
}
not_on bookworm "the series is against 7.2 and applies to 6.12; git am fails on 6.1's drivers/misc/pvpanic"
lanes patched
