#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# sysfs "events": every malformed or out-of-capability write is EINVAL (a
# number too large for the parser ERANGE, kstrtouint's error, as upstream
# returns it) and leaves the mask unchanged; good writes (hex, as
# upstream) take effect.
. "$(dirname "$0")/../lib.sh"
drv_setup

model_up capability=1 panic_action=none
drv_load
bound $DEV0 || die "not bound"
f=/sys/bus/platform/devices/$DEV0/events
expect_eq capability "$(sysfs $DEV0 capability)" 1
expect_eq "capability mode" "$(stat -c %a /sys/bus/platform/devices/$DEV0/capability)" 444
expect_eq "events mode" "$(stat -c %a $f)" 644
for start in 1 0; do
	echo $start >"$f"
	for bad in $'\n' " " xyz abc g -1 +-1 0x 1x "1 0" "1;" 2 3 4 ff 100 \
		$'1\n\n'; do
		write_fails "$f" "$bad"
		expect_eq "events after '$bad'" "$(<$f)" "$start"
	done
	for big in 99999999999999999999 0x100000000; do
		write_fails "$f" "$big" "Numerical result out of range"
		expect_eq "events after '$big'" "$(<$f)" "$start"
	done
done
for good in 0 1 0x1 $'1\n' 00; do
	printf '%s' "$good" >"$f" || die "writing '$good' failed"
	expect_eq "events after '$good'" "$(<$f)" "$((good))"
done
(echo 1 >/sys/bus/platform/devices/$DEV0/capability) 2>/dev/null &&
	die "capability accepted a write"
echo "ok"
