# SPDX-License-Identifier: GPL-2.0
# Out-of-tree build of the pvpanic modules (see Documentation/kbuild/modules.rst)
# plus the user-space tool, the selftests and the test harness.
#
#   make              modules, tool and selftests for KVER
#   make run          boot a guest and show the whole thing working
#   make check        static checks, then every test in guests; N passed, N failed
#   make check-all    make check on each kernel of scripts/kernels.txt
#   make check-debug  the kselftests on a KASAN/lockdep/kmemleak kernel
#   make check-long   the long budgets: 1000 stress cycles, 20 real panics
#   make lint         W=1, sparse, checkpatch, generated code up to date
#   make ynl-gen      regenerate the netlink code from its YNL spec
#   make bench        panic-path, probe and pipeline figures (out/bench-KVER)
KVER ?= $(shell scripts/kver.sh)
KDIR ?= /lib/modules/$(KVER)/build
export KVER

all: modules tool selftests

modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

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
check-debug:
	@set -e; k=$$(scripts/debug-kernel/build.sh); \
	PVP_HOST_TARGETS= PVP_TIMEOUT_SCALE=$${PVP_TIMEOUT_SCALE:-4} \
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

ynl-gen:
	scripts/ynl-gen.sh

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

.PHONY: all modules tool selftests deps lint check check-all check-debug \
	check-long ynl-gen run bench modules_install clean

# make install / make uninstall (packaging). DESTDIR stages everything
# under another root (absolute path; depmod is then left to the package's
# postinst); PREFIX places the tool and its man page. The modules go to
# /lib/modules/$(KVER)/$(INSTALL_MOD_DIR)/{guest-driver,host-module}/.
PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
INSTALL_MOD_DIR ?= updates
PVP_DESTDIR = $(if $(DESTDIR),$(abspath $(DESTDIR)))
PVP_MODDIR = $(PVP_DESTDIR)/lib/modules/$(KVER)/$(INSTALL_MOD_DIR)
PVP_MODULES = guest-driver/pvpanic_acpi host-module/pvpanic_sim
# Distribution headers carry no signing key: skip kbuild's signing step
# there rather than print its errors (DKMS signs with its own MOK key).
PVP_NOSIGN = $(if $(wildcard $(KDIR)/certs/signing_key.x509),,CONFIG_MODULE_SIG_ALL=)

install: modules tool
	$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_PATH=$(PVP_DESTDIR) \
		INSTALL_MOD_DIR=$(INSTALL_MOD_DIR) $(PVP_NOSIGN) modules_install
	install -D -m 0644 guest-driver/pvpanic-acpi.conf \
		$(PVP_DESTDIR)$(SYSCONFDIR)/modprobe.d/pvpanic-acpi.conf
	install -D -m 0755 tools/pvpanic-monitor/pvpanic-monitor \
		$(PVP_DESTDIR)$(SBINDIR)/pvpanic-monitor
	install -D -m 0644 tools/pvpanic-monitor/pvpanic-monitor.8 \
		$(PVP_DESTDIR)$(MANDIR)/man8/pvpanic-monitor.8
ifeq ($(DESTDIR),)
	depmod -a $(KVER)
	@echo "installed; run update-initramfs -u so early boot sees modprobe.d/pvpanic-acpi.conf"
endif

uninstall:
	rm -f $(foreach m,$(PVP_MODULES),$(PVP_MODDIR)/$(m).ko $(PVP_MODDIR)/$(m).ko.*)
	for d in $(sort $(dir $(PVP_MODULES))); do \
		[ ! -d $(PVP_MODDIR)/$$d ] || rmdir --ignore-fail-on-non-empty $(PVP_MODDIR)/$$d; \
	done
	rm -f $(PVP_DESTDIR)$(SYSCONFDIR)/modprobe.d/pvpanic-acpi.conf \
		$(PVP_DESTDIR)$(SBINDIR)/pvpanic-monitor \
		$(PVP_DESTDIR)$(MANDIR)/man8/pvpanic-monitor.8
ifeq ($(DESTDIR),)
	depmod -a $(KVER)
endif

# DKMS. `make dkms-src` stages the module sources (what the Kbuild files
# need, nothing else) in $(DESTDIR)$(DKMS_SOURCE_TREE)/pvpanic-acpi-<version>;
# `make dkms-install` adds, builds and installs them for KVER with dkms, and
# installs the modprobe.d file; `make dkms-uninstall` removes every trace.
# DKMS_FLAGS passes options to dkms (the tests use --dkmstree,
# --sourcetree and --installtree to stay off the machine's own trees).
DKMS ?= dkms
DKMS_FLAGS ?=
DKMS_SOURCE_TREE ?= /usr/src
DKMS_VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf 2>/dev/null)
PVP_DKMS_SRC = $(PVP_DESTDIR)$(DKMS_SOURCE_TREE)/pvpanic-acpi-$(DKMS_VERSION)
PVP_DKMS = $(DKMS) --sourcetree $(PVP_DESTDIR)$(DKMS_SOURCE_TREE) $(DKMS_FLAGS)
PVP_DKMS_FILES = dkms.conf Kbuild $(wildcard acpi/*.asl include/*.h include/uapi/linux/*.h \
	guest-driver/Kbuild host-module/Kbuild host-module/*.sh) \
	$(filter-out %.mod.c host-module/aml_tables.c, \
		$(wildcard guest-driver/*.[ch] host-module/*.[ch]))

dkms-src:
	rm -rf $(PVP_DKMS_SRC)
	for f in $(PVP_DKMS_FILES); do \
		install -D -m 0644 $$f $(PVP_DKMS_SRC)/$$f || exit 1; \
	done
	install -m 0755 scripts/dkms-pre-build.sh $(PVP_DKMS_SRC)/dkms-pre-build.sh

dkms-install: dkms-src
	$(PVP_DKMS) status -m pvpanic-acpi -v $(DKMS_VERSION) | grep -q . || \
		$(PVP_DKMS) add -m pvpanic-acpi -v $(DKMS_VERSION)
	$(PVP_DKMS) install -m pvpanic-acpi -v $(DKMS_VERSION) -k $(KVER)
	install -D -m 0644 guest-driver/pvpanic-acpi.conf \
		$(PVP_DESTDIR)$(SYSCONFDIR)/modprobe.d/pvpanic-acpi.conf

dkms-uninstall:
	-$(PVP_DKMS) remove -m pvpanic-acpi -v $(DKMS_VERSION) --all
	rm -rf $(PVP_DKMS_SRC)
	rm -f $(PVP_DESTDIR)$(SYSCONFDIR)/modprobe.d/pvpanic-acpi.conf

.PHONY: install uninstall dkms-src dkms-install dkms-uninstall

# The kernel's ynl CLI and genetlink schemas, extracted once from Debian's
# linux-source-6.12 into ~/.cache (the guest test selftests/sim/test_ynl.sh
# needs it extracted on the host before the guest boots).
ynl-cache:
	scripts/ksrc.sh 6.12 >/dev/null

.PHONY: ynl-cache
