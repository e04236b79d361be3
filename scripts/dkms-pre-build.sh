#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# DKMS PRE_BUILD hook (copied to the top of the DKMS source by
# `make dkms-src`): pvpanic_sim embeds ACPI tables that iasl compiles at
# build time, so a missing iasl is named here rather than deep in make.log.
if ! command -v "${IASL:-iasl}" >/dev/null 2>&1; then
	echo "pvpanic-acpi: iasl not found; install acpica-tools (the build of pvpanic_sim needs it)" >&2
	exit 1
fi
exit 0
