# SPDX-License-Identifier: GPL-2.0
# Out-of-tree build of the pvpanic modules (see Documentation/kbuild/modules.rst)
# plus the user-space tool, the selftests and the test harness.
#
#   make              modules, tool and selftests for KVER
#   make run          boot a guest and show the whole thing working
#   make check        static checks, then every test in guests; N passed, N failed
#   make check-all    make check on each kernel of tools/kernels.txt
#   make lint         W=1, sparse and checkpatch only
KVER ?= $(shell tools/kver.sh)
KDIR ?= /lib/modules/$(KVER)/build
export KVER

all: modules tool selftests

modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

tool:
	$(MAKE) -C tools/monitor

selftests:
	$(MAKE) -C selftests

deps:
	tools/install-deps.sh $(KVER)

lint:
	tools/lint.sh

check:
	tools/check.sh

check-all:
	@set -e; for k in $$(grep -v '^#' tools/kernels.txt); do \
		echo "=== make check KVER=$$k"; \
		$(MAKE) --no-print-directory check KVER=$$k; \
	done

run:
	tools/run-demo.sh

modules_install:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules_install

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	-$(MAKE) -C tools/monitor clean
	-$(MAKE) -C selftests clean

.PHONY: all modules tool selftests deps lint check check-all run \
	modules_install clean
