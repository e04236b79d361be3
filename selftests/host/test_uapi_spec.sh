#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The uapi header and the YNL spec next to it describe the same family:
# every constant the spec implies has the same value in the header, and
# the header has no constant the spec does not imply (but *_UNSPEC).
: "${PVP_ROOT:=$(cd "$(dirname "$0")/../.." && pwd)}"
command -v python3 >/dev/null || { echo "SKIP: python3 missing"; exit 4; }
python3 -c 'import yaml' 2>/dev/null || { echo "SKIP: python3-yaml missing"; exit 4; }

exec python3 - "$PVP_ROOT/include/uapi/linux/pvpanic_sim.h" \
	"$PVP_ROOT/include/uapi/linux/pvpanic_sim.yaml" <<'PY'
import re
import sys

import yaml

hdr, spec_path = sys.argv[1], sys.argv[2]
spec = yaml.safe_load(open(spec_path))
text = re.sub(r'/\*.*?\*/', '', open(hdr).read(), flags=re.S)


def c(s):
    return s.upper().replace('-', '_')


# Header: enumerators with their values, and the string/int defines.
have = {}
for body in re.findall(r'enum\s*\w*\s*{(.*?)}', text, flags=re.S):
    val = -1
    for item in [i.strip() for i in body.split(',') if i.strip()]:
        m = re.match(r'(\w+)\s*(?:=\s*(.+))?$', item, flags=re.S)
        name, expr = m.group(1), m.group(2)
        if expr is None:
            val += 1
        else:
            val = eval(re.sub(r'\b([A-Z_]\w*)\b',
                              lambda x: str(have[x.group(1)]), expr))
        have[name] = val
for name, v in re.findall(r'#define\s+(PVPANIC_SIM_\w+)\s+(\S+)', text):
    have[name] = eval(v)

fam = c(spec['name'])
want = {fam + '_FAMILY_NAME': spec['name'], fam + '_FAMILY_VERSION': 1}
for g in spec['mcast-groups']['list']:
    want[fam + '_MCGRP_' + c(g['name'])] = g['name']


def render(prefix, names, start, render_max):
    for i, n in enumerate(names):
        want[prefix + c(n)] = start + i
    if render_max:
        want['__' + prefix + 'MAX'] = start + len(names)
        want[prefix + 'MAX'] = start + len(names) - 1


for d in spec['definitions']:
    names = [e if isinstance(e, str) else e['name'] for e in d['entries']]
    render(fam + '_' + c(d['name']) + '_', names, d.get('value-start', 0),
           d.get('render-max', False))
for s in spec['attribute-sets']:
    render(c(s['name-prefix']), [a['name'] for a in s['attributes']], 1, True)
ops = spec['operations']
render(c(ops['name-prefix']), [o['name'] for o in ops['list']], 1, True)

bad = 0
for k, v in want.items():
    if have.get(k) != v:
        print('# %s: header %r, spec %r' % (k, have.get(k), v))
        bad += 1
for k in have:
    if k not in want and not k.endswith('_UNSPEC'):
        print('# %s: in the header, not in the spec' % k)
        bad += 1
print('# %d constants compared, %d mismatches' % (len(want), bad))
sys.exit(1 if bad else 0)
PY
