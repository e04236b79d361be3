#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# (a) As a new user: apt install the package, on a machine where
# kdump-tools is installed and loaded with its defaults.
. /mnt/agent/lib.sh
report before
timed install apt install -y "$(deb "$(cat "$A/debs/new")")"
report after full
