#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Kdump against QEMU's own device: a crash kernel is loaded, the guest
# panics, the crash kernel boots and loads the driver.  With
# crash_kexec_post_notifiers off (the default) only the crash kernel's probe
# can tell the host; with it on the panicking kernel tells it too.  QEMU must
# see GUEST_CRASHLOADED and never GUEST_PANICKED; kdump_report=0 turns the
# probe-time report off.  PVP_E2E_UPSTREAM=1 runs pvpanic-mmio instead and
# prints what it does (no expectations: for comparison only).
. "$(dirname "$0")/../lib.sh"
vm_setup

VM_TIMEOUT=${VM_TIMEOUT:-240}
# One vCPU, as test_upstream_patch.sh's kdump guests: a second one slows
# every TCG boot, the crash kernel has one (nr_cpus=1) anyway,
# and panics beside a second CPU are test_real_panic.sh's and
# test_aml_busy.sh's.
c=GUEST_CRASHLOADED:run
s=SHUTDOWN:guest-shutdown

run() {
	local name=$1 drv=$2 post=$3

	shift 3
	vm "$name" --smp 1 --allow-panic --mem 1536 --append crashkernel=256M \
		--qemu-arg=-device --qemu-arg=pvpanic \
		--qemu-arg=-action --qemu-arg=panic=none -- \
		selftests/qemu/kdump_guest.sh "$drv" "$post" "$@" ||
		die "$name: run-vm failed"
	if [ ! -e "$T/$name.out/ready" ]; then
		vm_output "$name"
		grep -q "crashkernel reservation failed\|Cannot load" "$T/$name.console" &&
			skip "no crash kernel under this QEMU"
		vm_die "$name" "crash kernel or driver not loaded"
	fi
	grep -q "pvpanic-kdump: modules loaded" "$T/$name.console" || {
		tail -n 20 "$T/$name.console" | sed 's/^/#   /'
		die "$name: the crash kernel did not run its initramfs"
	}
}

if [ -n "$PVP_E2E_UPSTREAM" ]; then
	for post in 0 1; do
		run "upstream-post$post" upstream $post
		log "upstream pvpanic-mmio, crash_kexec_post_notifiers=$post: $(qmp_events "upstream-post$post")"
	done
	exit 0
fi

run post0 acpi 0
expect_events post0 "$c $s"
grep -q "kdump kernel: reported CRASH_LOADED through WRPT" "$T/post0.console" ||
	die "post0: no log line from the crash kernel's probe"
run post1 acpi 1
expect_events post1 "$c $c $s"
long_run || { echo "ok"; exit 0; }	# kdump_report=0: the long budgets
run post1-noreport acpi 1 kdump_report=0
expect_events post1-noreport "$c $s"
run post0-noreport acpi 0 kdump_report=0
expect_events post0-noreport "$s"
echo "ok"
