#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Print the kernel to build for when none is given: the running kernel when
# its build tree exists, else the project's default kernel when installed,
# else the newest installed Debian -amd64 kernel with headers, else the
# default (make check installs it).
# scripts/kver.sh X.Y: the kernel of series X.Y in scripts/kernels.txt.
cd "$(dirname "$0")/.."
if [ -n "${1:-}" ]; then
	grep -v '^#' scripts/kernels.txt | grep -m 1 "^${1//./\\.}\\."
	exit
fi
if [ -d "/lib/modules/$(uname -r)/build" ]; then
	uname -r
	exit 0
fi
def=$(grep -v '^#' scripts/kernels.txt | head -n 1)
if [ -d "/lib/modules/$def/build" ]; then
	echo "$def"
	exit 0
fi
newest=$(ls -d /lib/modules/*-amd64/build 2>/dev/null | cut -d/ -f4 | sort -V | tail -n 1)
echo "${newest:-$def}"
