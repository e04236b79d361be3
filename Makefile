# SPDX-License-Identifier: GPL-2.0
# Out-of-tree build of the pvpanic modules (see Documentation/kbuild/modules.rst)
# plus the user-space tool, the selftests and the test harness.
#
#   make              modules, tool and selftests for KVER
#   make run          boot a guest and show the whole thing working
#   make check        static checks, then every test in guests; N passed, N failed
#   make check-all    make check on each kernel of scripts/kernels.txt
#   make check-debug  the kselftests on a KASAN/lockdep/kmemleak kernel
#   make check-long   the long budgets: stress, fuzzing, real panics, every byte
#   make check-distro the package in a real Debian guest with kdump-tools
#   make deb          out/deb/pvpanic-acpi-dkms_<version>_all.deb
#   make lint         W=1, sparse, checkpatch, an i386 build, generated code up to date
#   make ynl-gen      regenerate the netlink code from its YNL spec
#   make bench        panic-path, probe and pipeline figures (out/bench-KVER)
#   make upstream-check  the patch for mainline (upstream/) on 7.2 and 6.12: built, booted
KVER ?= $(shell scripts/kver.sh)
KDIR ?= /lib/modules/$(KVER)/build
export KVER

all: modules tool selftests

modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

# The guest driver alone (no iasl needed): what make install builds.
driver:
	$(MAKE) -C $(KDIR) M=$(CURDIR)/guest-driver modules

tool:
	$(MAKE) -C tools/pvpanic-monitor

selftests:
	$(MAKE) -C selftests

deps:
	scripts/install-deps.sh $(KVER)

lint:
	scripts/lint.sh

check:
	scripts/check.sh

# Every kernel with QEMU 7.2, then the host targets with QEMU 10.0; the
# long budgets' differential and shapes included (PVP_LONG=1).
check-all:
	@set -e; for k in $$(grep -v '^#' scripts/kernels.txt); do \
		echo "=== make check KVER=$$k"; \
		PVP_LONG=1 $(MAKE) --no-print-directory check KVER=$$k; \
		echo "=== make check KVER=$$k PVP_QEMU=10 (host targets)"; \
		PVP_LONG=1 PVP_QEMU=10 PVP_TARGETS= PVP_HOST_TARGETS=qemu \
			$(MAKE) --no-print-directory check KVER=$$k; \
	done

# The kselftests on a KASAN/lockdep/kmemleak kernel built from
# linux-source-6.1 (cached; the first build takes long, see the README).
# A guest whose kernel reported before any module of ours was loaded boots
# once more (issue 33: an early-boot KASAN report of its own); the summary
# counts the retries, and a second report in a row fails.
check-debug:
	@set -e; k=$$(scripts/debug-kernel/build.sh); \
	PVP_HOST_TARGETS= PVP_TIMEOUT_SCALE=$${PVP_TIMEOUT_SCALE:-4} \
	PVP_BOOT_RETRIES=$${PVP_BOOT_RETRIES:-1} \
		$(MAKE) --no-print-directory check KVER=$$k

# The long budgets (Documentation/testing.md): the lifecycle stress for 1000
# cycles, the fuzzer for 10 minutes, 5 real panics per QEMU action, every
# byte in the differential test, every firmware shape beside a busy
# interpreter, kdump without the report.
check-long:
	PVP_LONG=1 PVP_STRESS_CYCLES=$${PVP_STRESS_CYCLES:-1000} \
	PVP_FUZZ_N=$${PVP_FUZZ_N:-10000000} PVP_FUZZ_SECONDS=$${PVP_FUZZ_SECONDS:-600} \
	PVP_PANIC_REPEAT=$${PVP_PANIC_REPEAT:-5} PVP_TIMEOUT_SCALE=$${PVP_TIMEOUT_SCALE:-8} \
	PVP_TARGETS="sim stress" PVP_HOST_TARGETS=qemu \
	PVP_TEST_PROGS="test_nl_fuzz test_lifecycle.sh test_real_panic.sh test_differential.py test_aml_busy.sh test_kdump.sh" \
	$(MAKE) --no-print-directory check

# Real Debian 12, 13 and sid guests (systemd, kdump-tools, the package installed
# with apt): Documentation/packaging.md.
check-distro:
	PVP_TARGETS= PVP_HOST_TARGETS=distro $(MAKE) --no-print-directory check

ynl-gen:
	scripts/ynl-gen.sh

# upstream/*.patch applied to linux-source-7.2 and 6.12, built patched and
# unpatched, QEMU's events counted in 7.2 and 6.12 guests, and two broken
# copies of the series required to fail (make check runs the same test
# with the 7.2 guests: selftests/qemu/test_upstream_patch.sh).
upstream-check:
	scripts/upstream-check.sh

run:
	scripts/run-demo.sh

bench:
	scripts/bench/bench.sh

modules_install:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules_install

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	-$(MAKE) -C tools/pvpanic-monitor clean
	-$(MAKE) -C selftests clean

.PHONY: all modules driver tool selftests deps lint check check-all check-debug \
	check-long check-distro ynl-gen upstream-check run bench modules_install clean

# Installing.  What a guest needs is the driver and its configuration:
#   make install / uninstall          pvpanic_acpi.ko (kbuild's modules_install)
#   make dkms-install / dkms-uninstall the same through DKMS
#   make deb                          out/deb/pvpanic-acpi-dkms_<version>_all.deb
# each with modprobe.d (keeps pvpanic_mmio off the device) and the entries
# that put the driver in initramfs-tools and dracut initrds.  The test side
# (pvpanic_sim, pvpanic-monitor, its man page, the uapi header) installs
# with make install-tests / uninstall-tests, on test machines only.
# DESTDIR stages under another root (absolute path; no depmod then); PREFIX
# places the tool, its man page and the header.
PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
INCLUDEDIR ?= $(PREFIX)/include
SYSCONFDIR ?= /etc
INSTALL_MOD_DIR ?= updates
PVP_DESTDIR = $(if $(DESTDIR),$(abspath $(DESTDIR)))
PVP_MODDIR = $(PVP_DESTDIR)/lib/modules/$(KVER)/$(INSTALL_MOD_DIR)
# Distribution headers carry no signing key: skip kbuild's signing step
# there rather than print its errors (DKMS signs with its own MOK key).
PVP_NOSIGN = $(if $(wildcard $(KDIR)/certs/signing_key.x509),,CONFIG_MODULE_SIG_ALL=)
# The version: the first entry of debian/changelog.
VERSION := $(shell head -n 1 debian/changelog | cut -d'(' -f2 | cut -d')' -f1)
PVP_CONFIGS = guest-driver/pvpanic-acpi.conf:$(SYSCONFDIR)/modprobe.d/pvpanic-acpi.conf \
	guest-driver/pvpanic-acpi.initramfs:/usr/share/initramfs-tools/modules.d/pvpanic-acpi \
	guest-driver/pvpanic-acpi.dracut:/usr/lib/dracut/dracut.conf.d/50-pvpanic-acpi.conf
PVP_HINT = @echo "installed; run update-initramfs -u (or dracut -f), so that the initrds have it"

install-configs:
	for c in $(PVP_CONFIGS); do \
		install -D -m 0644 $${c%%:*} $(PVP_DESTDIR)$${c#*:} || exit 1; \
	done

uninstall-configs:
	rm -f $(foreach c,$(PVP_CONFIGS),$(PVP_DESTDIR)$(lastword $(subst :, ,$(c))))

install: driver install-configs
	$(MAKE) -C $(KDIR) M=$(CURDIR)/guest-driver INSTALL_MOD_PATH=$(PVP_DESTDIR) \
		INSTALL_MOD_DIR=$(INSTALL_MOD_DIR) $(PVP_NOSIGN) modules_install
ifeq ($(DESTDIR),)
	depmod -a $(KVER)
	$(PVP_HINT)
endif

uninstall: uninstall-configs
	rm -f $(PVP_MODDIR)/pvpanic_acpi.ko $(PVP_MODDIR)/pvpanic_acpi.ko.*
ifeq ($(DESTDIR),)
	depmod -a $(KVER)
endif

# Kbuild 6.13 and later (the M= working directory change) write a
# subdirectory's modules.order relative to the M= it was built with (6.12
# and before: absolute paths), so the test module built with M= the top
# would be looked for in host-module/host-module/ by modules_install with
# M=host-module: there install-tests builds it on its own first, as
# install does the driver.  LINUX_VERSION_CODE of KDIR; 396544 is 6.13.
PVP_KVCODE = $(shell sed -n 's/^\#define LINUX_VERSION_CODE //p' \
	$(KDIR)/include/generated/uapi/linux/version.h 2>/dev/null)
PVP_SIM = $(if $(shell [ "$(PVP_KVCODE)" -ge 396544 ] 2>/dev/null && echo y),sim,modules)

# The test module alone (what install-tests installs on 6.13 and later).
sim:
	$(MAKE) -C $(KDIR) M=$(CURDIR)/host-module modules

install-tests: $(PVP_SIM) tool
	$(MAKE) -C $(KDIR) M=$(CURDIR)/host-module INSTALL_MOD_PATH=$(PVP_DESTDIR) \
		INSTALL_MOD_DIR=$(INSTALL_MOD_DIR) $(PVP_NOSIGN) modules_install
	install -D -m 0755 tools/pvpanic-monitor/pvpanic-monitor \
		$(PVP_DESTDIR)$(SBINDIR)/pvpanic-monitor
	install -D -m 0644 tools/pvpanic-monitor/pvpanic-monitor.8 \
		$(PVP_DESTDIR)$(MANDIR)/man8/pvpanic-monitor.8
	install -D -m 0644 include/uapi/linux/pvpanic_sim.h \
		$(PVP_DESTDIR)$(INCLUDEDIR)/linux/pvpanic_sim.h
ifeq ($(DESTDIR),)
	depmod -a $(KVER)
endif

uninstall-tests:
	rm -f $(PVP_MODDIR)/pvpanic_sim.ko $(PVP_MODDIR)/pvpanic_sim.ko.* \
		$(PVP_DESTDIR)$(SBINDIR)/pvpanic-monitor \
		$(PVP_DESTDIR)$(MANDIR)/man8/pvpanic-monitor.8 \
		$(PVP_DESTDIR)$(INCLUDEDIR)/linux/pvpanic_sim.h
ifeq ($(DESTDIR),)
	depmod -a $(KVER)
endif

# DKMS: `make dkms-src` stages the driver's sources and dkms.conf in
# $(DESTDIR)$(DKMS_SOURCE_TREE)/pvpanic-acpi-<version>; `make dkms-install`
# adds, builds and installs them for KVER, and installs the configuration
# files; `make dkms-uninstall` removes every trace.  DKMS_FLAGS passes
# options to dkms (the tests use --dkmstree, --sourcetree and
# --installtree to stay off the machine's own trees).
DKMS ?= dkms
DKMS_FLAGS ?=
DKMS_SOURCE_TREE ?= /usr/src
PVP_DKMS_SRC = $(PVP_DESTDIR)$(DKMS_SOURCE_TREE)/pvpanic-acpi-$(VERSION)
PVP_DKMS = $(DKMS) --sourcetree $(PVP_DESTDIR)$(DKMS_SOURCE_TREE) $(DKMS_FLAGS)

dkms-src:
	rm -rf $(PVP_DKMS_SRC)
	install -D -m 0644 -t $(PVP_DKMS_SRC)/guest-driver guest-driver/Kbuild \
		$(filter-out %.mod.c,$(wildcard guest-driver/*.[ch]))
	sed 's/#MODULE_VERSION#/$(VERSION)/' dkms.conf >$(PVP_DKMS_SRC)/dkms.conf

dkms-install: dkms-src install-configs
	$(PVP_DKMS) status -m pvpanic-acpi -v $(VERSION) | grep -q . || \
		$(PVP_DKMS) add -m pvpanic-acpi -v $(VERSION)
	$(PVP_DKMS) install -m pvpanic-acpi -v $(VERSION) -k $(KVER)
	$(PVP_HINT)

dkms-uninstall: uninstall-configs
	-$(PVP_DKMS) remove -m pvpanic-acpi -v $(VERSION) --all
	rm -rf $(PVP_DKMS_SRC)

# The Debian package, built the way Debian builds DKMS packages (dh-dkms),
# from a copy of what it ships; DEB_VERSION builds another version (the
# upgrade test builds an older one).
deb:
	scripts/build-deb.sh $(DEB_VERSION)

.PHONY: install uninstall sim install-tests uninstall-tests install-configs \
	uninstall-configs dkms-src dkms-install dkms-uninstall deb

# The kernel's ynl CLI and genetlink schemas, extracted once from Debian's
# linux-source-6.12 into ~/.cache (the guest test selftests/sim/test_ynl.sh
# needs it extracted on the host before the guest boots).
ynl-cache:
	scripts/ksrc.sh 6.12 >/dev/null

.PHONY: ynl-cache
