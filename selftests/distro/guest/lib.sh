# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Sourced by the steps (guest/step_*.sh), which run in the Debian guest as
# the agent's run.sh (scripts/distro/image.sh): the share is /mnt/agent.
# A step prints what it did; "R KEY VALUE" lines are the results the host
# test checks, "T WHAT SECONDS" lines the durations it prints.
A=/mnt/agent
K=$(uname -r)
DEV=/sys/bus/platform/devices/QEMU0001:00
KDUMP_INITRD=/var/lib/kdump/initrd.img-$K
BOOT_INITRD=/boot/initrd.img-$K
export DEBIAN_FRONTEND=noninteractive

R() {
	local k=$1

	shift
	echo "R $k $*"
}

step() { echo "=== $* [$(date +%T)]"; }

# timed NAME CMD...: run CMD, print its duration as "T NAME SECONDS" and
# its status as the result NAME.rc.
timed() {
	local name=$1 t0 rc

	shift
	step "$name: $*"
	t0=$(date +%s.%N)
	"$@"
	rc=$?
	echo "T $name $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')"
	R "$name.rc" "$rc"
	return $rc
}

# The driver that holds QEMU's pvpanic device, or "none".
bound_to() {
	local d

	d=$(readlink "$DEV/driver" 2>/dev/null) || { echo none; return; }
	echo "${d##*/}"
}

# The files of an initrd: lsinitramfs (initramfs-tools), else dracut's
# lsinitrd (sid, where dracut replaced initramfs-tools).
initrd_ls() {
	if command -v lsinitramfs >/dev/null; then
		lsinitramfs "$1"
	else
		lsinitrd "$1"
	fi
}

# How many pvpanic_acpi modules an initrd holds (0 if it does not exist).
ko_in() {
	[ -f "$1" ] || { echo 0; return; }
	initrd_ls "$1" | grep -c '/pvpanic_acpi\.ko'
}

# crash_initrd_by_hand: on a dracut system without the package (sid)
# kdump-tools has no crash initrd and loads nothing; build it as README.md
# tells a user to, with plain dracut, and have kdump-tools load it.  Does
# nothing where the crash initrd exists or mkinitramfs builds it.  Results
# dracut_initrd.rc, kdump_reload.rc.
crash_initrd_by_hand() {
	[ ! -f "$KDUMP_INITRD" ] && ! command -v mkinitramfs >/dev/null &&
		command -v dracut >/dev/null || return 0
	timed dracut_initrd dracut --force --hostonly "$KDUMP_INITRD"
	timed kdump_reload kdump-config reload
}

# The files the package (or make dkms-install) installs, those present.
pvp_files() {
	ls -d /usr/src/pvpanic-acpi-* /var/lib/dkms/pvpanic-acpi \
		/lib/modprobe.d/pvpanic-acpi.conf /etc/modprobe.d/pvpanic-acpi.conf \
		/usr/share/initramfs-tools/modules.d/pvpanic-acpi \
		/usr/lib/dracut/dracut.conf.d/50-pvpanic-acpi.conf \
		/lib/modules/*/updates/dkms/pvpanic_acpi.ko* 2>/dev/null | tr '\n' ' '
}

# report PHASE [full]: the state of the machine, as results PHASE.*; with
# "full" also DKMS, dpkg, the files and the boot initrd (slow under TCG).
report() {
	local p=$1 st

	step "state: $p"
	# The agent starts at multi-user.target, which does not wait for udev
	# to have handled the coldplug events: on sid the first report found
	# QEMU0001:00 without a driver, and pvpanic-mmio on it minutes later.
	udevadm settle --timeout=180 || echo "udev did not settle in 180 s"
	st=$(kdump-config status 2>&1)
	echo "$st"
	R "$p.bound" "$(bound_to)"
	R "$p.kdump" "$(echo "$st" | sed -n 's/^current state *: *//p')"
	R "$p.crash_loaded" "$(cat /sys/kernel/kexec_crash_loaded)"
	R "$p.kdump_initrd_exists" "$([ -f "$KDUMP_INITRD" ] && echo 1 || echo 0)"
	R "$p.kdump_initrd_ko" "$(ko_in "$KDUMP_INITRD")"
	# what loads it there early, on dracut: rd.driver.pre, modules-load.d
	R "$p.kdump_initrd_early" "$([ -f "$KDUMP_INITRD" ] && initrd_ls "$KDUMP_INITRD" |
		grep -c -E '(^| )etc/(cmdline.d/20-force_drivers.conf|modules-load.d/pvpanic-acpi.conf)$')"
	R "$p.probe" "$(dmesg | grep -c 'pvpanic_acpi QEMU0001:00: capability 0x3, panic path: replay io 0x505 8')"
	# whose pvpanic.ko modprobe loads: the kernel's or one under updates/
	R "$p.pvpanic_ko" "$(modinfo -n pvpanic 2>/dev/null)"
	lsmod | grep pvpanic
	[ "${2:-}" = full ] || return 0
	R "$p.boot_initrd_ko" "$(ko_in "$BOOT_INITRD")"
	R "$p.dkms" "$(dkms status pvpanic-acpi 2>/dev/null | tr '\n' ' ')"
	R "$p.dpkg" "$(dpkg-query -W -f='${Version} ${db:Status-Abbrev}' pvpanic-acpi-dkms 2>/dev/null)"
	R "$p.files" "$(pvp_files)"
	ls -l "$KDUMP_INITRD" "$BOOT_INITRD"
}

# What is left anywhere of the package (the kernel's own pvpanic drivers
# and headers aside), as the result PHASE.leftovers.
leftovers() {
	local p=$1 left

	step "leftovers: $p"
	left=$(find / -xdev \( -path /proc -o -path /sys -o -path /mnt/agent -o -path /tmp \) -prune -o \
		-iname '*pvpanic*' -print 2>/dev/null |
		grep -v -e "^/usr/lib/modules/[^/]*/kernel/drivers/misc/pvpanic" \
			-e "^/usr/src/linux-headers-[^/]*/" -e "^/usr/share/doc/linux-headers" |
		tr '\n' ' ')
	R "$p.leftovers" "$left"
	R "$p.dkms_tree" "$(ls /var/lib/dkms 2>/dev/null | grep -v -x -e mok.key -e mok.pub | tr '\n' ' ')"
	R "$p.dpkg" "$(dpkg-query -W -f='${Version} ${db:Status-Abbrev}' pvpanic-acpi-dkms 2>/dev/null)"
	R "$p.kdump_initrd_any" "$(initrd_ls "$KDUMP_INITRD" | grep -c pvpanic)"
	R "$p.boot_initrd_any" "$(initrd_ls "$BOOT_INITRD" | grep -c pvpanic)"
}

# The package's .debs are in the share; apt wants them readable by _apt.
deb() {
	cp "$A/debs/pvpanic-acpi-dkms_$1_all.deb" /tmp/
	echo "/tmp/pvpanic-acpi-dkms_$1_all.deb"
}

# crash: the panic, as a user would cause it; the console line "sysrq:
# Trigger a crash" is the host's time zero.
crash() {
	R crash.post_notifiers "$(cat /sys/module/kernel/parameters/crash_kexec_post_notifiers)"
	R crash.panic_on_oops "$(cat /proc/sys/kernel/panic_on_oops)"
	step "crash"
	sync
	echo c >/proc/sysrq-trigger
	sleep 60
	echo "still alive after the crash"
}
