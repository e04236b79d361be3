#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Host-side, no guest: our YNL spec (include/uapi/linux/pvpanic_sim.yaml)
# is valid against the genetlink schema shipped with the kernel's ynl in
# Debian's linux-source-6.12 (Documentation/netlink/genetlink.yaml, the
# schema of its "protocol: genetlink"), and the kernel's own YNL library
# (tools/net/ynl/lib) parses it into the family the uapi header describes.
# A spec broken on purpose must be rejected, so the check can fail.
# Extracts the ynl CLI into the cache (tools/ksrc.sh 6.12) for the guest test.
: "${PVP_ROOT:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$PVP_ROOT/selftests/lib.sh"

python3 -c 'import yaml, jsonschema' 2>/dev/null ||
	skip "python3-yaml or python3-jsonschema is not installed"
[ -f /usr/src/linux-source-6.12.tar.xz ] || [ -f "${XDG_CACHE_HOME:-$HOME/.cache}/pvpanic-acpi/linux-source-6.12/.done" ] ||
	skip "linux-source-6.12 is not installed"
K=$("$PVP_ROOT/tools/ksrc.sh" 6.12) || die "cannot extract the ynl CLI from linux-source-6.12"

PYTHONDONTWRITEBYTECODE=1 exec python3 - "$K" "$PVP_ROOT/include/uapi/linux/pvpanic_sim.yaml" <<'PY'
import copy
import sys

import jsonschema
import yaml

k, spec_path = sys.argv[1], sys.argv[2]
sys.path.insert(0, f"{k}/tools/net/ynl")
from lib import SpecFamily  # noqa: E402  the kernel's YNL library

spec = yaml.safe_load(open(spec_path))
schema_path = f"{k}/Documentation/netlink/{spec['protocol']}.yaml"
schema = yaml.safe_load(open(schema_path))
fails = 0


def fail(msg):
    global fails
    print(f"FAIL: {msg}")
    fails += 1


try:
    jsonschema.validate(spec, schema)
    print(f"# valid against {schema_path.split('/linux-source-6.12/')[1]}")
except jsonschema.ValidationError as e:
    fail(f"spec invalid: {e.message} at {list(e.path)}")

# The kernel's library (which validates again) builds the family.
fam = SpecFamily(spec_path, schema_path)
ops = sorted(fam.ops)
want_ops = sorted(['get-status', 'get-config', 'set-config', 'stop', 'cont',
                   'system-reset'])
if ops != want_ops:
    fail(f"operations {ops}, want {want_ops}")
if 'event' not in fam.msgs:
    fail("no 'event' notification")
if 'events' not in fam.mcast_groups:
    fail("no 'events' multicast group")
print(f"# ynl's SpecFamily: operations {ops}, notification 'event', "
      f"groups {list(fam.mcast_groups)}")

# Broken on purpose: an unknown attribute type, an unknown key.
for what, mutate in (
        ("attribute of unknown type",
         lambda s: s['attribute-sets'][0]['attributes'][0].update(type='u31')),
        ("unknown top-level key", lambda s: s.update(colour='blue'))):
    bad = copy.deepcopy(spec)
    mutate(bad)
    try:
        jsonschema.validate(bad, schema)
        fail(f"a spec with an {what} passes the schema")
    except jsonschema.ValidationError:
        print(f"# rejected as it should: {what}")
sys.exit(1 if fails else 0)
PY
