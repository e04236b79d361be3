#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Write the names of a YNL spec's enums as C lookup functions.

The kernel's ynl-gen-c.py writes the uapi header and the kernel policies
and ops; the names of the enum values (what pvpanic_sim prints on the
console and pvpanic-monitor prints as QMP JSON) come from the same spec
here.  Static inline functions per enum, usable by the kernel and by user
space: <prefix>_<enum>_str(value), "unknown" for a value the spec does not
name, and <prefix>_<enum>_parse(name), the value or -1.

Usage: ynl-names.py SPEC OUTPUT
"""
import sys

import yaml


def c_name(s):
    return s.replace("-", "_")


def main():
    spec_path, out_path = sys.argv[1], sys.argv[2]
    spec = yaml.safe_load(open(spec_path))
    fam = c_name(spec["name"])
    guard = "_%s_NAMES_H" % fam.upper()
    out = ["/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */",
           "/* Do not edit directly, auto-generated from: */",
           "/*\tinclude/uapi/linux/%s.yaml */" % spec["name"],
           "/* by scripts/ynl-names.py */",
           "",
           "#ifndef %s" % guard,
           "#define %s" % guard,
           "",
           "/* Include the uapi header (<linux/%s.h>) and strcmp()'s first. */" % spec["name"],
           "",
           "#ifndef ARRAY_SIZE	/* user space */",
           "#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))",
           "#endif"]
    for d in spec.get("definitions", []):
        if d.get("type") != "enum":
            continue
        name = c_name(d["name"])
        prefix = "%s_%s_" % (fam.upper(), name.upper())
        # QMP spells event names in capitals (GUEST_PANICKED).
        qmp = name == "event"
        out += ["",
                "static inline const char *%s_%s_name(unsigned long long v)" % (fam, name),
                "{",
                "\tstatic const char *const names[] = {"]
        for e in d["entries"]:
            e = e if isinstance(e, str) else e["name"]
            text = c_name(e).upper() if qmp else e
            out.append("\t\t[%s%s] = \"%s\"," % (prefix, c_name(e).upper(), text))
        out += ["\t};",
                "",
                "\treturn v < ARRAY_SIZE(names) ? names[v] : NULL;",
                "}",
                "",
                "static inline const char *%s_%s_str(unsigned long long v)" % (fam, name),
                "{",
                "\treturn %s_%s_name(v) ?: \"unknown\";" % (fam, name),
                "}",
                "",
                "static inline int %s_%s_parse(const char *name)" % (fam, name),
                "{",
                "\tconst char *s;",
                "\tint i;",
                "",
                "\tfor (i = 0; i <= %sMAX; i++) {" % prefix,
                "\t\ts = %s_%s_name(i);" % (fam, name),
                "\t\tif (s && !strcmp(s, name))",
                "\t\t\treturn i;",
                "\t}",
                "\treturn -1;",
                "}"]
    out += ["", "#endif /* %s */" % guard, ""]
    with open(out_path, "w") as f:
        f.write("\n".join(out))


if __name__ == "__main__":
    main()
