#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Host-side, no guest: tools/pvpanic-monitor/pvpanic-monitor.8 renders without a
# single groff warning, has the sections a man page needs, and says what
# `pvpanic-monitor --help` says: the same commands, options, panic actions
# and exit codes, no more and no less.
: "${PVP_ROOT:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$PVP_ROOT/selftests/lib.sh"

PAGE=$PVP_ROOT/tools/pvpanic-monitor/pvpanic-monitor.8
require_file "$PAGE" "$MONITOR"
command -v groff >/dev/null || skip "groff is not installed (groff-base)"
T=$(mktemp -d /tmp/pvp-man.XXXXXX)
trap 'rm -rf "$T"' EXIT

LC_ALL=C.UTF-8 groff -man -Tutf8 -ww -z "$PAGE" 2>"$T/warn"
[ ! -s "$T/warn" ] || { cat "$T/warn"; die "groff warns about the man page"; }
LC_ALL=C.UTF-8 MANWIDTH=80 groff -man -Tutf8 -P-cbou "$PAGE" >"$T/page" 2>&1 ||
	die "groff cannot render the man page"
if command -v man >/dev/null; then
	MANWIDTH=80 man -l "$PAGE" 2>&1 | grep -q '^NAME' || die "man -l does not render the page"
	log "man -l renders it"
fi
for s in NAME SYNOPSIS DESCRIPTION COMMANDS OPTIONS OUTPUT "EXIT STATUS" PERMISSIONS "SEE ALSO"; do
	grep -q "^$s\$" "$T/page" || die "section $s missing"
done

# What --help names, the page must name, and the other way round.
"$MONITOR" --help >"$T/help" || die "pvpanic-monitor --help failed"
words() { grep -oE -- '--[a-z-]+|\b(events|status|config|set|stop|cont|system_reset|pause|shutdown|exit-failure|none)\b' "$1" | sort -u; }
words "$T/help" >"$T/help.words"
words "$T/page" >"$T/page.words"
diff "$T/help.words" "$T/page.words" >"$T/diff" || {
	sed 's/^/# /' "$T/diff"
	die "--help and the man page name different commands or options (< help, > page)"
}
for c in 0 1 2; do
	grep -qE "^ +$c( |$)" "$T/page" || die "exit status $c not described in the page"
	grep -q "\b$c\b" "$T/help" || die "exit status $c not in --help"
done
# The JSON of the OUTPUT section parses.
grep -E '^ +\{' "$T/page" | sed 's/^ *//' | python3 -c '
import json, sys
n = 0
for line in sys.stdin:
    json.loads(line)
    n += 1
assert n >= 4, n
' || die "the page's JSON examples do not parse"
log "renders cleanly; same commands and options as --help: $(tr '\n' ' ' <"$T/help.words")"
exit 0
