#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The test image of selftests/distro: a real Debian system (systemd, udev,
# apt, kdump-tools, DKMS, the kernel's headers) in an ext4 file system
# image, booted once so that kdump-tools has built its crash initrd and
# loads it at boot, as on any machine where kdump-tools was installed and
# crashkernel= added.  Prints the image's directory:
#
#   base.raw      ext4, no partition table (root=/dev/vda), booted once
#   vmlinuz       /boot/vmlinuz-<kver> of the image
#   initrd.img    /boot/initrd.img-<kver> of the image
#   kver          the image's kernel
#   firstboot.log what the first boot did (kdump-tools building its initrd)
#
# Usage: scripts/distro/image.sh [bookworm|trixie|sid]   (default bookworm)
#
# sid is the dracut system: dracut (not initramfs-tools) builds its
# initrds, and its kernel is the 7.2 of make check-all (sid-root.sh).
#
# Cached in ${XDG_CACHE_HOME:-$HOME/.cache}/pvpanic-acpi/distro/<dist>-<key>,
# where <key> is a hash of this script: any change rebuilds the image.  The
# debootstrap stage is cached apart (rootfs-<dist>-<key1>), keyed on what
# it installs, so that changing the configuration below costs minutes, not
# the download.  Both are built in a temporary directory and renamed when
# complete; older images of the same distribution are then deleted.
#
# Test-image settings (not Debian's defaults):
#   - initramfs-tools: MODULES=dep and COMPRESSLEVEL=1 (zstd) in
#     /etc/initramfs-tools/conf.d/selftests-image.  Each install, upgrade
#     and removal of the package runs update-initramfs once, and under
#     TCG MODULES=dep makes it several times faster and its initrd a
#     fraction of MODULES=most's (Debian's default); the compression level
#     matters little.  kdump-tools builds its crash initrd with MODULES=dep
#     anyway.
#   - dracut (sid) keeps Debian's settings: host-only initrds by
#     default (the image's first one, built in the chroot, is generic,
#     with ext4 added: see stage 2) compressed with zstd -15, 3 to 8
#     minutes an initrd under TCG.  (compress="zstd -1 -q" did not help:
#     dracut 112 packs with 3cpio and maps a custom compressor back to
#     its zstd -15.)
#   - no network, no getty, the periodic timers masked; the sources list
#     is emptied once the packages are installed (apt installs local .debs).
#   - pvp-agent.service: mounts the host's 9p share "agent" at /mnt/agent,
#     runs its run.sh (output in out/boot-N.log), copies /boot's kernel and
#     initrd to boot/ in the share when they changed, then powers off
#     (unless the share has keep-running).  Not in a kdump kernel.
set -eu -o pipefail
DIST=${1:-bookworm}
HERE=$(cd "$(dirname "$0")" && pwd)
CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/pvpanic-acpi/distro
SIZE=6G
FIRSTBOOT_TIMEOUT=${PVP_DISTRO_FIRSTBOOT_TIMEOUT:-1500}

case $DIST in
bookworm)
	KPKGS="linux-image-6.1.0-56-amd64 linux-headers-6.1.0-56-amd64"
	;;
trixie)
	KPKGS="linux-image-amd64 linux-headers-amd64"
	;;
sid)
	KPKGS="linux-image-7.2.13+deb14-amd64 linux-headers-7.2.13+deb14-amd64"
	;;
*)
	echo "image.sh: unknown distribution $DIST (bookworm, trixie, sid)" >&2
	exit 2
	;;
esac
# The initrd builder: initramfs-tools, Debian's default; dracut on sid.
INITRD_PKG=initramfs-tools
[ "$DIST" = sid ] && INITRD_PKG=dracut
PKGS="systemd-sysv udev kmod apt e2fsprogs procps zstd gcc make dkms
	$INITRD_PKG kdump-tools makedumpfile kexec-tools $KPKGS"
# sid's Release files may be past their Valid-Until on a mirror.
APT_OPTS=
[ "$DIST" = sid ] && APT_OPTS="-o Acquire::Check-Valid-Until=false"

key=$(sha256sum <"$0" | cut -c1-12)
OUT=$CACHE/$DIST-$key
if [ -f "$OUT/done" ]; then
	echo "$OUT"
	exit 0
fi

# The archive: the host's own apt source (never written into a file here).
mirror() {
	local m

	m=$(sed -n 's/^URIs: *\(.*\/debian\)\/*$/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n 1)
	[ -n "$m" ] || m=$(awk '$1 == "deb" && $2 ~ /\/debian\/?$/ { print $2; exit }' \
		/etc/apt/sources.list 2>/dev/null)
	echo "${m%/}"
}
MIRROR=$(mirror)
[ -n "$MIRROR" ] || { echo "image.sh: no Debian archive in the host's apt sources" >&2; exit 1; }
# Logs name no archive host.
scrub() { sed -e "s|$MIRROR|<archive>|g" -e 's|https\?://[^ /]*|<host>|g'; }

for tool in debootstrap mke2fs qemu-img qemu-system-x86_64 python3 flock; do
	command -v $tool >/dev/null && continue
	case $tool in
	debootstrap)
		apt-get install -y -qq debootstrap >/dev/null 2>&1 ||
			{ apt-get update -qq && apt-get install -y -qq debootstrap >/dev/null; }
		;;
	*) echo "image.sh: $tool is missing" >&2; exit 1 ;;
	esac
done

mkdir -p "$CACHE"
exec 9>"$CACHE/.lock-$DIST"
flock 9
if [ -f "$OUT/done" ]; then	# built meanwhile by another run
	echo "$OUT"
	exit 0
fi
t0=$(date +%s)

# chroot_run ROOT CMD...: with /proc, /sys and /dev, services kept from
# starting (policy-rc.d).
chroot_run() {
	local r=$1 rc=0

	shift
	mount -t proc proc "$r/proc"
	mount -t sysfs sys "$r/sys"
	mount --bind /dev "$r/dev"
	mount --bind /dev/pts "$r/dev/pts"
	printf '#!/bin/sh\nexit 101\n' >"$r/usr/sbin/policy-rc.d"
	chmod 755 "$r/usr/sbin/policy-rc.d"
	chroot "$r" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
		DEBIAN_FRONTEND=noninteractive "$@" || rc=$?
	rm -f "$r/usr/sbin/policy-rc.d"
	umount "$r/dev/pts" "$r/dev" "$r/sys" "$r/proc"
	return $rc
}

### Stage 1: debootstrap and the packages (cached apart).
# Keyed on the distribution, the packages and this stage's code.
key1=$({
	echo "$DIST" $PKGS $APT_OPTS
	declare -f chroot_run
	sed -n '/^### Stage 1/,/^### Stage 2/p' "$0"
} | sha256sum | cut -c1-12)
ROOTFS=$CACHE/rootfs-$DIST-$key1
if [ ! -f "$ROOTFS/.stage1-done" ]; then
	echo "image.sh: debootstrap $DIST" >&2
	tmp=$CACHE/.tmp-rootfs-$DIST.$$
	rm -rf "$tmp"
	mkdir -p "$tmp"
	trap 'umount -l "$tmp/dev/pts" "$tmp/dev" "$tmp/sys" "$tmp/proc" 2>/dev/null; rm -rf "$tmp"' EXIT
	log=$CACHE/stage1-$DIST.log
	ts=$(date +%s)
	if ! debootstrap --variant=minbase --include=systemd-sysv,udev,kmod,apt \
		--components=main "$DIST" "$tmp" "$MIRROR" 2>&1 | scrub >"$log"; then
		tail -n 30 "$log" >&2
		exit 1
	fi
	[ -x "$tmp/usr/bin/apt-get" ] || { tail -n 30 "$log" >&2; exit 1; }
	# The kernels' latest builds are in the security archive (sid has
	# neither it nor -updates).
	if [ "$DIST" = sid ]; then
		echo "deb $MIRROR sid main" >"$tmp/etc/apt/sources.list"
	else
		cat >"$tmp/etc/apt/sources.list" <<EOF
deb $MIRROR $DIST main
deb $MIRROR $DIST-updates main
deb $MIRROR-security $DIST-security main
EOF
	fi
	td=$(date +%s)
	# kdump-tools' debconf default is use_kdump=true: USE_KDUMP=1.
	# shellcheck disable=SC2086 # one word per package
	if ! chroot_run "$tmp" sh -c "apt-get $APT_OPTS update &&
		apt-get $APT_OPTS install -y --no-install-recommends $(echo $PKGS)" \
		2>&1 | scrub >>"$log"; then
		tail -n 30 "$log" >&2
		exit 1
	fi
	grep -q '^Setting up kdump-tools' "$log" || { tail -n 30 "$log" >&2; exit 1; }
	: >"$tmp/etc/apt/sources.list"
	rm -rf "$tmp"/var/lib/apt/lists/* "$tmp"/var/cache/apt/archives/*.deb
	echo "debootstrap $((td - ts)) s, packages $(($(date +%s) - td)) s" >"$tmp/.stage1-done"
	rm -rf "$ROOTFS"
	mv "$tmp" "$ROOTFS"
	trap - EXIT
	# older stage-1 trees of this distribution
	for d in "$CACHE"/rootfs-"$DIST"-*; do
		[ "$d" = "$ROOTFS" ] || rm -rf "$d"
	done
fi
t1=$(date +%s)

### Stage 2: configuration, file system image, first boot.
tmp=$CACHE/.tmp-$DIST.$$
rm -rf "$tmp"
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT
R=$tmp/rootfs
cp -a "$ROOTFS" "$R"
rm -f "$R/.stage1-done"
KVER=$(ls "$R/lib/modules" | sort -V | tail -n 1)
[ -f "$R/boot/vmlinuz-$KVER" ] && [ -f "$R/boot/initrd.img-$KVER" ] ||
	{ echo "image.sh: no kernel or initrd for $KVER in the image" >&2; exit 1; }

echo pvpguest >"$R/etc/hostname"
printf '127.0.0.1\tlocalhost\n127.0.1.1\tpvpguest\n' >"$R/etc/hosts"
printf '/dev/vda\t/\text4\trw,errors=remount-ro\t0\t1\n' >"$R/etc/fstab"
: >"$R/etc/machine-id"
# Test-image settings: see the header.
[ "$INITRD_PKG" != initramfs-tools ] ||
cat >"$R/etc/initramfs-tools/conf.d/selftests-image" <<'EOF'
# selftests/distro's test image (scripts/distro/image.sh): initrds built
# for this machine's root device only, compressed fast: under TCG the
# Debian defaults (MODULES=most, zstd -9) take many times longer.
MODULES=dep
COMPRESSLEVEL=1
EOF
# The initrd dracut built during stage 1 cannot boot the image: in the
# chroot dracut sees no loaded modules (this host's kernel has none), falls
# back to a generic initrd, and a generic one of dracut 112 has no file
# system module, ext4 included.  Rebuilt here with ext4; in the guest dracut
# builds host-only initrds as on any sid machine.
if [ "$INITRD_PKG" = dracut ]; then
	chroot_run "$R" dracut --quiet --force --filesystems ext4 --kver "$KVER" \
		"/boot/initrd.img-$KVER" >"$tmp/dracut.log" 2>&1 ||
		{ cat "$tmp/dracut.log" >&2; exit 1; }
fi
for u in serial-getty@ttyS0.service getty@tty1.service apt-daily.timer \
	apt-daily-upgrade.timer man-db.timer e2scrub_all.timer fstrim.timer \
	dpkg-db-backup.timer systemd-networkd-wait-online.service; do
	ln -sf /dev/null "$R/etc/systemd/system/$u"
done
mkdir -p "$R/mnt/agent"
cat >"$R/usr/local/sbin/pvp-agent" <<'EOF'
#!/bin/sh
# Run the host's /mnt/agent/run.sh once the system is up; its output goes
# to /mnt/agent/out/boot-N.log.  Then hand /boot's kernel and initrd to the
# host (it boots with -kernel/-initrd) and power off.
A=/mnt/agent
K=$(uname -r)
modprobe 9pnet_virtio 2>/dev/null
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 agent $A || exit 0
mkdir -p $A/out $A/boot
n=0
while [ -e $A/out/boot-$n.log ]; do n=$((n + 1)); done
log=$A/out/boot-$n.log
echo "pvp-agent: run.sh starts, log out/boot-$n.log" >/dev/console
if [ -x $A/run.sh ]; then
	$A/run.sh >$log 2>&1
	echo "pvp-agent: run.sh exit $?" >>$log
fi
for f in vmlinuz initrd.img; do
	src=/boot/$f-$K
	if [ ! -e $A/boot/$f ] || [ $src -nt $A/boot/$f ] || [ $src -ot $A/boot/$f ]; then
		cp -p $src $A/boot/$f.new && mv $A/boot/$f.new $A/boot/$f
	fi
done
echo "$K" >$A/boot/kver
sync
echo "pvp-agent: done" >/dev/console
[ -e $A/keep-running ] || systemctl poweroff
EOF
chmod 755 "$R/usr/local/sbin/pvp-agent"
cat >"$R/etc/systemd/system/pvp-agent.service" <<'EOF'
[Unit]
Description=selftests/distro agent: run.sh from the 9p share "agent"
After=multi-user.target kdump-tools.service
ConditionPathExists=!/proc/vmcore

[Service]
Type=simple
ExecStart=/usr/local/sbin/pvp-agent
StandardOutput=journal+console

[Install]
WantedBy=multi-user.target
EOF
ln -sf /etc/systemd/system/pvp-agent.service \
	"$R/etc/systemd/system/multi-user.target.wants/pvp-agent.service"
chroot "$R" sh -c 'echo root:root | chpasswd'
t2=$(date +%s)

mke2fs -q -t ext4 -L pvproot -d "$R" "$tmp/base.raw" "$SIZE" >"$tmp/mke2fs.log" 2>&1 ||
	{ cat "$tmp/mke2fs.log" >&2; exit 1; }
mkdir -p "$tmp/share/boot"
cp -p "$R/boot/vmlinuz-$KVER" "$tmp/share/boot/vmlinuz"
cp -p "$R/boot/initrd.img-$KVER" "$tmp/share/boot/initrd.img"
rm -rf "$R"
echo "$KVER" >"$tmp/kver"

# First boot: kdump-tools finds no crash initrd, builds it and loads it.
# On sid it cannot: its kernel hook builds the crash initrd with
# initramfs-tools' mkinitramfs only, and does nothing where dracut is the
# initrd builder, so kdump-config is "Not ready to kdump" (issue 31).
cat >"$tmp/share/run.sh" <<'EOF'
#!/bin/sh
K=$(uname -r)
echo "kernel: $K"
echo "cmdline: $(cat /proc/cmdline)"
systemd-analyze 2>&1 | head -n 1
journalctl -b -u kdump-tools --no-pager -o short-monotonic | tail -n 20
kdump-config status
ls -l /var/lib/kdump/
EOF
chmod 755 "$tmp/share/run.sh"
t3=$(date +%s)
echo "image.sh: first boot of $DIST ($KVER): kdump-tools builds its crash initrd" >&2
if ! "$HERE/vm.py" --disk "$tmp/base.raw" --share "$tmp/share" --out "$tmp/firstboot" \
	--timeout "$FIRSTBOOT_TIMEOUT" >"$tmp/firstboot.vm" 2>&1; then
	cat "$tmp/firstboot.vm" >&2
	tail -n 30 "$tmp/firstboot/serial.log" >&2
	exit 1
fi
cp "$tmp/share/out/boot-0.log" "$tmp/firstboot.log"
want='current state *: *ready to kdump'
[ "$INITRD_PKG" = dracut ] && want='current state *: *Not ready to kdump'
if ! grep -q "$want" "$tmp/firstboot.log" ||
	! grep -q 'run.sh exit 0' "$tmp/firstboot.log"; then
	cat "$tmp/firstboot.log" >&2
	echo "image.sh: kdump-tools' state after the first boot is not /$want/" >&2
	exit 1
fi
mv "$tmp/share/boot/vmlinuz" "$tmp/vmlinuz"
mv "$tmp/share/boot/initrd.img" "$tmp/initrd.img"
mv "$tmp/firstboot/serial.log" "$tmp/firstboot.serial"
rm -rf "$tmp/share" "$tmp/firstboot"
t4=$(date +%s)
{
	echo "dist $DIST kernel $KVER key $key"
	echo "stage 1 (debootstrap, packages): $((t1 - t0)) s ($(cat "$ROOTFS/.stage1-done"))"
	echo "stage 2 (configuration): $((t2 - t1)) s; mke2fs $((t3 - t2)) s"
	echo "first boot: $((t4 - t3)) s"
	echo "total: $((t4 - t0)) s"
} >"$tmp/info"
touch "$tmp/done"
rm -rf "$OUT"
mv "$tmp" "$OUT"
trap - EXIT
cat "$OUT/info" >&2
for d in "$CACHE/$DIST"-*; do
	[ "$d" = "$OUT" ] || rm -rf "$d"
done
echo "$OUT"
