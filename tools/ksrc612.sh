#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Extract from Debian's linux-source-6.12 only the kernel's YNL CLI
# (tools/net/ynl: cli.py and its Python library) and the genetlink schemas
# (Documentation/netlink/genetlink*.yaml) into a cache outside the tree;
# print its path. Same approach as tools/ksrc.sh does for 6.1.
set -eu
cache=${XDG_CACHE_HOME:-$HOME/.cache}/pvpanic-acpi/linux-source-6.12
tarball=/usr/src/linux-source-6.12.tar.xz
if [ ! -f "$cache/.done" ]; then
	[ -f "$tarball" ] || { echo "ksrc612: $tarball missing (package linux-source-6.12)" >&2; exit 1; }
	mkdir -p "$cache"
	tar -xJf "$tarball" -C "$cache" --strip-components=1 \
		linux-source-6.12/tools/net/ynl/cli.py \
		linux-source-6.12/tools/net/ynl/lib/__init__.py \
		linux-source-6.12/tools/net/ynl/lib/nlspec.py \
		linux-source-6.12/tools/net/ynl/lib/ynl.py \
		linux-source-6.12/Documentation/netlink/genetlink.yaml \
		linux-source-6.12/Documentation/netlink/genetlink-c.yaml \
		linux-source-6.12/Documentation/netlink/genetlink-legacy.yaml
	touch "$cache/.done"
fi
echo "$cache"
