#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The patch for mainline (upstream/*.patch) as a user of libvirt sees it
# (issue 32): Debian 12's libvirtd (9.0) runs a transient 6.12 guest with
# <panic model='isa'/> (QEMU's -device pvpanic) and TCG, and
# `virsh event --loop --event lifecycle` records what management software
# is told:
#   kdump (crash_kexec_post_notifiers=0): the first kernel loads a crash
#     kernel, the modules, and panics; the crash kernel loads the modules
#     and powers off.  Patched: "Crashed Crashloaded" exactly once and no
#     "Crashed Panicked"; unpatched: no Crashed event at all.
#   plain: the modules, then a panic with no crash kernel: "Crashed
#     Panicked" once (then <on_crash>destroy</on_crash>: "Stopped
#     Crashed"), patched and unpatched alike.
# pvpanic-pci too, the kdump pair: with <panic model='pvpanic'/> where
# libvirt knows that model; libvirt 9.0 does not ("unknown panic model"),
# and there the device is added with <qemu:commandline>, which libvirt
# passes to QEMU as it is (its events are handled all the same).
# The guests boot a self-contained initramfs (kdump_initrd.sh): libvirt
# shares nothing of the host with them.
#
# libvirtd is started by the test and stopped at its end, in a mount
# namespace of the test's own (unshare -m): its configuration, sockets,
# state, logs and caches are bind-mounted from the test's temporary
# directory over /etc/libvirt, /run/libvirt, /var/lib/libvirt,
# /var/log/libvirt and /var/cache/libvirt, so neither systemd nor
# libvirt-daemon-system is needed and a libvirtd of the host, if any, is
# neither seen nor disturbed.  QEMU runs as root, with no security driver
# and no cgroups, and inherits libvirtd's nice 15.  The only trace left on
# the host is the empty mount points, created if missing.
# Packages: libvirt-daemon, libvirt-daemon-driver-qemu, libvirt-clients
# (and what test_upstream_patch.sh needs); without them, SKIP.
# LV_TIMEOUT: seconds a guest may run (default 300).
# One "# ok:" or "# FAIL:" line per check.
# shellcheck disable=SC2016 # loop_until evaluates its words

# Into a mount namespace of our own first (before lib.sh makes $T).
if [ -z "${PVP_LIBVIRT_NS:-}" ] && [ "$(id -u)" = 0 ] &&
	unshare -m --propagation private true 2>/dev/null; then
	PVP_LIBVIRT_NS=1 exec unshare -m --propagation private "$0" "$@"
fi
. "$(dirname "$0")/../lib.sh"

require_root
[ "${PVP_LIBVIRT_NS:-}" = 1 ] ||
	skip "cannot make a mount namespace (unshare -m) for a libvirtd of the test's own"
KVER=${PVP_LIBVIRT_KVER:-$("$PVP_ROOT/scripts/kver.sh" 6.12)}
[ -n "$KVER" ] || skip "no 6.12 kernel in scripts/kernels.txt"
vm_setup nodrv
if [ ! -e "/boot/vmlinuz-$KVER" ] || [ ! -d "/lib/modules/$KVER/build" ]; then
	skip "kernel $KVER is not installed (scripts/install-deps.sh $KVER)"
fi
for t in libvirtd virsh; do
	command -v $t >/dev/null ||
		skip "$t is not installed (libvirt-daemon, libvirt-daemon-driver-qemu, libvirt-clients)"
done
[ -e /usr/lib/x86_64-linux-gnu/libvirt/connection-driver/libvirt_driver_qemu.so ] ||
	skip "libvirt's QEMU driver is not installed (libvirt-daemon-driver-qemu)"
for t in kexec patch cpio; do
	command -v $t >/dev/null || skip "$t is not installed (scripts/install-deps.sh)"
done
ldd "$(command -v busybox || echo /bin/busybox)" >/dev/null 2>&1 &&
	skip "busybox is not the static one (busybox-static)"
[ -f "/usr/src/linux-source-6.12.tar.xz" ] ||
	skip "linux-source-6.12 is not installed (scripts/install-deps.sh)"
upstream_series
series=("${SERIES[@]}")

UP=$PVP_ROOT/out/upstream-libvirt
B=$UP/build-$KVER
LV_TIMEOUT=${LV_TIMEOUT:-300}
V=(virsh -q -c qemu:///system)
mkdir -p "$UP"

log "kernel $KVER, $(libvirtd --version), $(qemu-system-x86_64 --version | head -n 1)"
log "series: ${series[*]##*/}"

# The modules, unpatched and patched, from Debian's linux-source-6.12, as
# test_upstream_patch.sh builds them: external modules against the 6.12
# headers.  patch(1), not git apply: the build is inside this repository.
SRC=$("$PVP_ROOT/scripts/ksrc.sh" 6.12) || die "cannot extract linux-source-6.12"
build() {
	local d=$B/$1 p

	rm -rf "$d"
	mkdir -p "$d"
	cp -a "$SRC/drivers/misc/pvpanic/." "$d/"
	if [ "$1" = patched ]; then
		for p in "${series[@]}"; do
			patch -d "$d" -p4 --batch --quiet <"$p" >>"$d.log" 2>&1 || return 1
		done
	fi
	nice -n 15 make -C "/lib/modules/$KVER/build" M="$d" CONFIG_PVPANIC=y \
		CONFIG_PVPANIC_MMIO=m CONFIG_PVPANIC_PCI=m modules >>"$d.log" 2>&1 &&
		[ -e "$d/pvpanic.ko" ] && [ -e "$d/pvpanic-mmio.ko" ] && [ -e "$d/pvpanic-pci.ko" ]
}
t0=$EPOCHREALTIME
for b in unpatched patched; do
	rm -f "$B/$b.log"
	if ! build $b; then
		tail -n 20 "$B/$b.log" | sed 's/^/#   /'
		die "building the $b modules against $KVER failed"
	fi
	for f in pvpanic-mmio pvpanic-pci; do
		nice -n 15 "$PVP_ROOT/selftests/qemu/kdump_initrd.sh" "$KVER" "$B/$b" $f \
			"$B/initrd-$b-$f.cpio" || die "the $b $f initramfs could not be made"
	done
done
# The kernel the guests boot: run-vm.py's (decompressed once and cached,
# entered through PVH: under TCG the bzImage's decompressor is slow).
KERNEL=$(python3 - "$PVP_ROOT/scripts/vm/run-vm.py" "$KVER" <<'PY'
import importlib.util, sys
spec = importlib.util.spec_from_file_location("runvm", sys.argv[1])
m = importlib.util.module_from_spec(spec)
spec.loader.exec_module(m)
print(m.boot_image(sys.argv[2], "/boot/vmlinuz-" + sys.argv[2]))
PY
) || die "no kernel image for $KVER"
log "built in $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }') s:" \
	"$B/{unpatched,patched}/pvpanic{,-mmio,-pci}.ko, initrd-{unpatched,patched}-{pvpanic-mmio,pvpanic-pci}.cpio"

# libvirtd of our own (see the top of this file).
LV=$T/libvirt
LV_PID='' EV_PID=''
lv_start() {
	local p d

	mkdir -p "$LV"/{etc,run,lib,log,cache}
	for p in etc/libvirt:etc run/libvirt:run var/lib/libvirt:lib \
		var/log/libvirt:log var/cache/libvirt:cache; do
		d=/${p%%:*}
		mkdir -p "$d"
		mount --bind "$LV/${p#*:}" "$d" || skip "cannot bind-mount over $d"
	done
	# libvirt's QEMU driver resolves its built-in user before it reads
	# qemu.conf: libvirt-daemon-system would create it on the host.
	cp /etc/passwd "$LV/passwd"
	cp /etc/group "$LV/group"
	grep -q '^libvirt-qemu:' /etc/passwd ||
		echo 'libvirt-qemu:x:64055:64055:Libvirt Qemu:/var/lib/libvirt:/usr/sbin/nologin' >>"$LV/passwd"
	grep -q '^libvirt-qemu:' /etc/group || echo 'libvirt-qemu:x:64055:' >>"$LV/group"
	grep -q '^kvm:' /etc/group || echo 'kvm:x:64056:' >>"$LV/group"
	if ! mount --bind "$LV/passwd" /etc/passwd || ! mount --bind "$LV/group" /etc/group; then
		skip "cannot bind-mount over /etc/passwd"
	fi
	cat >/etc/libvirt/qemu.conf <<-EOF
		user = "root"
		group = "root"
		dynamic_ownership = 0
		remember_owner = 0
		security_driver = "none"
		cgroup_controllers = [ ]
		namespaces = [ ]
		stdio_handler = "file"
	EOF
	echo 'log_outputs = "3:file:/var/log/libvirt/libvirtd.log"' >/etc/libvirt/libvirtd.conf
	nice -n 15 libvirtd --pid-file "$LV/libvirtd.pid" \
		--config /etc/libvirt/libvirtd.conf >"$LV/libvirtd.out" 2>&1 &
	LV_PID=$!
	on_exit lv_stop
	LOOP_TIMEOUT=120 loop_until '"${V[@]}" version >/dev/null 2>&1' || {
		tail -n 20 "$LV/libvirtd.out" "$LV/log/libvirtd.log" | sed 's/^/#   /'
		die "libvirtd did not answer within 120 s"
	}
	"${V[@]}" event --loop --event lifecycle --timestamp >"$LV/events.log" 2>&1 &
	EV_PID=$!
	LOOP_TIMEOUT=30 loop_until '"${V[@]}" list --all >/dev/null 2>&1' ||
		die "virsh does not answer"
}

# lv_stop: no domain, libvirtd nor virsh of ours left running.
lv_stop() {
	local d f

	if [ -n "$LV_PID" ]; then
		for d in $("${V[@]}" list --name 2>/dev/null); do
			"${V[@]}" destroy "$d" >/dev/null 2>&1
		done
	fi
	stop_pid "$EV_PID"
	stop_pid "$LV_PID"
	# a QEMU that outlived libvirtd (libvirtd leaves domains running)
	for f in "$LV"/run/qemu/*.pid; do
		[ -e "$f" ] && kill -KILL "$(cat "$f")" 2>/dev/null
	done
	EV_PID='' LV_PID=''
}

# The panic device of each front-end, as libvirt is given it.
declare -A PANIC=(
	[pvpanic-mmio]="<panic model='isa'><address type='isa' iobase='0x505'/></panic>"
	[pvpanic-pci]="<panic model='pvpanic'/>")
QEMU_ARGS=''

# dom_xml NAME BUILD MODE FRONT: a transient domain: TCG, direct kernel
# boot, the serial console into $T/NAME.console, the panic device that
# FRONT drives (PANIC, or QEMU_ARGS for pvpanic-pci).
dom_xml() {
	local panic=${PANIC[$4]} extra=''

	if [ "$4" = pvpanic-pci ] && [ -n "$QEMU_ARGS" ]; then
		panic='' extra=$QEMU_ARGS
	fi
	cat <<-EOF
		<domain type='qemu' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>
		  <name>$1</name>
		  <memory unit='MiB'>1536</memory>
		  <vcpu>1</vcpu>
		  <os>
		    <type arch='x86_64' machine='pc'>hvm</type>
		    <kernel>$KERNEL</kernel>
		    <initrd>$B/initrd-$2-$4.cpio</initrd>
		    <cmdline>console=ttyS0 no_timer_check no5lvl crashkernel=256M rdinit=/init pvp.mode=$3</cmdline>
		  </os>
		  <features><acpi/></features>
		  <cpu mode='maximum'/>
		  <on_poweroff>destroy</on_poweroff>
		  <on_reboot>destroy</on_reboot>
		  <on_crash>destroy</on_crash>
		  <devices>
		    <emulator>$(command -v qemu-system-x86_64)</emulator>
		    <serial type='file'><source path='$T/$1.console'/><target port='0'/></serial>
		    $panic
		    <controller type='usb' model='none'/>
		    <memballoon model='none'/>
		  </devices>
		  $extra
		</domain>
	EOF
}

# dom_events NAME: the lifecycle events of domain NAME, as virsh event
# prints them ("Crashed Crashloaded"), one a line.
dom_events() {
	sed -n "s/.*event 'lifecycle' for domain '$1': //p" "$LV/events.log"
}

# lv_run NAME BUILD MODE FRONT: create the domain, wait until it is gone
# (the guest powered off, or on_crash destroyed it), and its "Stopped"
# event.
lv_run() {
	local name=$1 t=$EPOCHREALTIME i f=$4

	dom_xml "$@" >"$T/$name.xml"
	"${V[@]}" create "$T/$name.xml" >"$T/$name.create" 2>&1 || {
		sed 's/^/#   /' "$T/$name.create"
		die "$name: virsh create failed"
	}
	# Once a second (each virsh is an exec beside the guest's TCG): gone
	# when libvirtd answers and lists it no more.
	for ((i = 0; i < LV_TIMEOUT * SCALE; i++)); do
		"${V[@]}" list --name >"$T/list" 2>/dev/null &&
			! grep -qx "$name" "$T/list" && break
		nap 1
	done
	if ((i >= LV_TIMEOUT * SCALE)); then
		"${V[@]}" destroy "$name" >/dev/null 2>&1
		log "console of $name:"
		tail -n 30 "$T/$name.console" | sed 's/^/#   /'
		die "$name: still running after $LV_TIMEOUT s"
	fi
	LOOP_TIMEOUT=20 loop_until 'dom_events "$name" | grep -q "^Stopped"' ||
		log "$name: no Stopped event within 20 s of the domain's end"
	log "$name: $(awk -v a="$t" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }') s," \
		"virsh event lines:"
	grep "for domain '$name':" "$LV/events.log" | sed 's/^/#   /'
	grep -q "pvpanic-guest: bound [a-z]*/drivers/$f/" "$T/$name.console" || {
		tail -n 30 "$T/$name.console" | sed 's/^/#   /'
		die "$name: $f bound no device in the first kernel"
	}
	grep -q "pvpanic-guest: panicking now" "$T/$name.console" || {
		tail -n 30 "$T/$name.console" | sed 's/^/#   /'
		die "$name: the first kernel did not get to its panic"
	}
}

# n_ev NAME EVENT: how many lifecycle events of NAME are EVENT.
n_ev() { dom_events "$1" | grep -cx "$2"; }

t0=$EPOCHREALTIME
lv_start
log "libvirtd up in $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }') s"

# <panic model='pvpanic'/>: does this libvirt know it?  Asked with a
# domain defined, never started, and undefined at once.
dom_xml "pci-model-$$" unpatched plain pvpanic-pci >"$T/pci-model.xml"
if "${V[@]}" define "$T/pci-model.xml" >"$T/pci-model.out" 2>&1; then
	"${V[@]}" undefine "pci-model-$$" >/dev/null 2>&1
	log "libvirt takes <panic model='pvpanic'/>: pvpanic-pci through it"
	PCI_AS="<panic model='pvpanic'/>"
else
	log "libvirt refuses <panic model='pvpanic'/>:" \
		"$(sed -n 's/^error: //p' "$T/pci-model.out" | tail -n 1)"
	log "pvpanic-pci through <qemu:commandline> (-device pvpanic-pci) instead"
	QEMU_ARGS="<qemu:commandline><qemu:arg value='-device'/><qemu:arg value='pvpanic-pci'/></qemu:commandline>"
	PCI_AS="<qemu:commandline> -device pvpanic-pci"
fi
declare -A AS=([pvpanic-mmio]="<panic model='isa'/>" [pvpanic-pci]=$PCI_AS)

summary=()
for f in pvpanic-mmio pvpanic-pci; do
	for b in unpatched patched; do
		name=kdump-$b-$f-$$
		lv_run "$name" "$b" kdump $f
		q=$LV/log/qemu/$name.log
		[ $b = unpatched ] &&
			log "libvirt started QEMU with: $(grep -o -e "-device '{\"driver\":\"pvpanic[^']*'" -e "-device pvpanic-pci" "$q")" \
				"$(grep -o -- "-no-shutdown" "$q")" \
				"$(grep -q -- "-action" "$q" && grep -o -- "-action [^ ]*" "$q" || echo "(no -action)")"
		grep -q "pvpanic-kdump: bound [a-z]*/drivers/$f/" "$T/$name.console" || {
			tail -n 30 "$T/$name.console" | sed 's/^/#   /'
			die "$name: the crash kernel did not bind $f"
		}
		cl=$(n_ev "$name" "Crashed Crashloaded")
		pa=$(n_ev "$name" "Crashed Panicked")
		cr=$(dom_events "$name" | grep -c "^Crashed")
		summary+=("kdump, ${AS[$f]}, $b: Crashed Crashloaded $cl, Crashed Panicked $pa, Crashed (any) $cr")
		if [ $b = patched ]; then
			check "kdump, ${AS[$f]}, patched: Crashed Crashloaded once" "$cl" 1
			check "kdump, ${AS[$f]}, patched: no Crashed Panicked" "$pa" 0
		else
			check "kdump, ${AS[$f]}, unpatched: no Crashed event" "$cr" 0
		fi
		check "kdump, ${AS[$f]}, $b: the crash kernel powered the guest off (Shutdown Finished)" \
			"$(dom_events "$name" | grep -c "^Shutdown Finished")" 1
	done
done
for b in unpatched patched; do
	name=plain-$b-$$
	lv_run "$name" "$b" plain pvpanic-mmio
	pa=$(n_ev "$name" "Crashed Panicked")
	cl=$(n_ev "$name" "Crashed Crashloaded")
	summary+=("plain panic, $b: Crashed Panicked $pa, Crashed Crashloaded $cl")
	check "plain panic, <panic model='isa'/>, $b: Crashed Panicked once" "$pa" 1
	check "plain panic, <panic model='isa'/>, $b: no Crashed Crashloaded" "$cl" 0
	check "plain panic, $b: on_crash destroy (Stopped Crashed)" \
		"$(n_ev "$name" "Stopped Crashed")" 1
done
log "counts (virsh event lifecycle per run):"
for s in "${summary[@]}"; do
	log "  $s"
done
lv_stop
finish
