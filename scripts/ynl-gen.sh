#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Generate the pvpanic_sim netlink code from its YNL spec,
# include/uapi/linux/pvpanic_sim.yaml, with the kernel's own generator
# (ynl-gen-c.py from Debian's linux-source-6.12), or check it for drift.
#
#   scripts/ynl-gen.sh           regenerate the files below
#   scripts/ynl-gen.sh --check   regenerate into a temporary directory and
#                                diff; exit 1 when a committed file differs
#
#   include/uapi/linux/pvpanic_sim.h    ynl-gen-c.py --mode uapi
#   host-module/genl.h, genl.c          ynl-gen-c.py --mode kernel (policies, ops)
#   include/pvpanic_sim_names.h         scripts/ynl-names.py (enum value names)
set -eu -o pipefail
cd "$(dirname "$0")/.."
check=0
case ${1:-} in
--check) check=1 ;;
"") ;;
*) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

ksrc=$(scripts/ksrc.sh 6.12)
spec_rel=include/uapi/linux/pvpanic_sim.yaml
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# ynl-gen-c.py stamps the spec's path relative to the first parent holding
# a MAINTAINERS file (and loops for ever if there is none), and validates
# the spec against ../../<protocol>.yaml beside it: stage the spec so.
proto=$(sed -n 's/^protocol: *\([a-z-]*\).*/\1/p' $spec_rel)
stage=$tmp/stage
mkdir -p "$stage/include/uapi/linux"
: >"$stage/MAINTAINERS"
cp $spec_rel "$stage/$spec_rel"
cp "$ksrc/Documentation/netlink/$proto.yaml" "$stage/include/uapi/"

out=.
[ $check = 0 ] || out=$tmp/out
mkdir -p "$out/include/uapi/linux" "$out/host-module"
gen() {
	PYTHONDONTWRITEBYTECODE=1 timeout 120 python3 \
		"$ksrc/tools/net/ynl/ynl-gen-c.py" --mode "$1" --"$2" \
		--spec "$stage/$spec_rel" -o "$out/$3" >/dev/null
}
gen uapi header include/uapi/linux/pvpanic_sim.h
gen kernel header host-module/genl.h
gen kernel source host-module/genl.c
python3 scripts/ynl-names.py $spec_rel "$out/include/pvpanic_sim_names.h"
[ $check = 1 ] || exit 0

drift=0
for f in include/uapi/linux/pvpanic_sim.h host-module/genl.h \
	host-module/genl.c include/pvpanic_sim_names.h; do
	diff -u --label "a/$f" --label "b/$f (regenerated)" "$f" "$out/$f" ||
		drift=1
done
[ $drift = 0 ] || echo "ynl-gen: generated files differ from $spec_rel: run scripts/ynl-gen.sh and commit" >&2
exit $drift
