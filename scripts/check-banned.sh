#!/usr/bin/env bash
# Fails when C code calls a function listed in scripts/banned.txt.
#
#   scripts/check-banned.sh            scans src/ include/ tests/ bench/
#   scripts/check-banned.sh FILE...    scans the given files
#
# Comments, string literals and character literals are blanked first, so a
# banned name in prose or in a message is not a finding; a call is the name
# as a whole identifier (not a member: x.rand( and p->gets( pass) followed
# by '('. Prints FILE:LINE: NAME: what to use instead, one finding a line,
# and exits 1 if there is any, 2 on a usage error, 0 otherwise.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
list=$root/scripts/banned.txt
[ -r "$list" ] || { echo "check-banned: cannot read $list" >&2; exit 2; }

if [ $# -gt 0 ]; then
    files=("$@")
else
    cd "$root" || exit 2
    mapfile -t files < <(find src include tests bench -type f \
        \( -name '*.c' -o -name '*.h' \) 2>/dev/null | LC_ALL=C sort)
fi
[ ${#files[@]} -gt 0 ] || { echo "check-banned: no files to scan" >&2; exit 2; }

awk -v list="$list" '
BEGIN {
    while ((getline line < list) > 0) {
        sub(/#.*/, "", line)
        if (split(line, f, /[ \t]+/) == 0 || f[1] == "")
            continue
        name = f[1]
        hint = line
        sub(/^[ \t]*[^ \t]+[ \t]*/, "", hint)
        sub(/[ \t]+$/, "", hint)
        banned[name] = hint
        n_banned++
    }
    if (n_banned == 0) {
        print "check-banned: no names in " list > "/dev/stderr"
        exit 2
    }
    found = 0
}
FNR == 1 { in_comment = 0 }
{
    # Blank comments and literals, keeping code; a block comment may span
    # lines, a literal may not (C has no multi-line literal without "\").
    s = $0; out = ""; i = 1; len = length(s)
    while (i <= len) {
        c = substr(s, i, 1)
        if (in_comment) {
            if (c == "*" && substr(s, i + 1, 1) == "/") { in_comment = 0; i += 2 }
            else i++
            out = out " "
            continue
        }
        two = substr(s, i, 2)
        if (two == "/*") { in_comment = 1; i += 2; out = out " "; continue }
        if (two == "//") break
        if (c == "\"" || c == "\047") {
            q = c; i++
            while (i <= len) {
                d = substr(s, i, 1)
                if (d == "\\") { i += 2; continue }
                i++
                if (d == q) break
            }
            out = out q q
            continue
        }
        out = out c; i++
    }
    # Every identifier followed by "(" that is not a member access
    # (".name(" or "->name("; "a > name(" is a call).
    rest = "  " out
    while (match(rest, /[^A-Za-z0-9_.][A-Za-z_][A-Za-z0-9_]*[ \t]*\(/)) {
        word = substr(rest, RSTART + 1, RLENGTH - 1)
        sub(/[ \t]*\($/, "", word)
        arrow = substr(rest, RSTART - 1, 2) == "->"
        if ((word in banned) && !arrow) {
            printf "%s:%d: %s: use %s\n", FILENAME, FNR, word, banned[word]
            found = 1
        }
        rest = substr(rest, RSTART + RLENGTH - 1)
    }
}
END { exit found ? 1 : 0 }
' "${files[@]}"
rc=$?
if [ $rc -eq 1 ]; then
    echo "check-banned: banned functions above (list and reasons: scripts/banned.txt)" >&2
fi
exit $rc
