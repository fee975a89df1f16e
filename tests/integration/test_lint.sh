#!/usr/bin/env bash
# The banned-function check (scripts/check-banned.sh): it reports a call in
# code with file:line and fails; it ignores the same names in comments,
# strings, character literals, members and longer identifiers; and the
# tree itself is clean.
set -u
SRC=${CAIRN_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
CHECK=$SRC/scripts/check-banned.sh
TMP=$(mktemp -d /tmp/cairn-lint-XXXXXX)
trap 'rm -rf "$TMP"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok: $*"; }

cat >"$TMP/bad.c" <<'C'
/* strcpy(a, b) in a comment, and
   sprintf(x) in a block comment */
int f(char *a, const char *b, struct s *x, struct s *p)
{
    const char *m = "gets(line) in a string"; char c = '(';
    x->rand(); p.atoi(); my_strcpy(a, b); strcpy_s(a, b); // strcat(a, b)
    strcpy(a, b);
    return c > atoi(b) + (int)sizeof m;
}
C
out=$(bash "$CHECK" "$TMP/bad.c" 2>/dev/null)
rc=$?
[ $rc -eq 1 ] || fail "a file with banned calls gave exit status $rc, want 1"
want="$TMP/bad.c:7: strcpy
$TMP/bad.c:8: atoi"
got=$(printf '%s\n' "$out" | cut -d: -f1-3)
[ "$got" = "$want" ] || fail "findings differ; got:
$out"
ok "reports the two calls in code, with file:line, and nothing else"

printf 'int g(void) { return snprintf(0, 0, "strcpy(") ; }\n' >"$TMP/good.c"
bash "$CHECK" "$TMP/good.c" >/dev/null 2>&1 || fail "a clean file was reported"
ok "a clean file passes"

bash "$CHECK" >"$TMP/tree.out" 2>&1 || fail "the tree calls banned functions:
$(cat "$TMP/tree.out")"
ok "src/ include/ tests/ bench/ call no banned function"
