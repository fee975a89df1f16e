#!/usr/bin/env bash
# The library's exported names: libcairn.so (CAIRN_LIB) exports only
# cairn_-prefixed symbols, and no global symbol of the static library sits
# in the namespace of a library cairn links (a future version of that
# library defining the same name would break every static link).
#
# Exceptions to the cairn_ rule are listed in ALLOWED below with their
# reason; there are none today.
set -u
fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok: $*"; }

LIB=${CAIRN_LIB:-}
[ -n "$LIB" ] && [ -f "$LIB" ] || fail "CAIRN_LIB must name libcairn.so (got '$LIB')"
STATIC=$(dirname "$LIB")/libcairnlib.a
command -v nm >/dev/null || fail "nm not found (binutils)"

# Names a build may export that are not ours, with the reason. Regular
# expressions, matched against the whole name.
ALLOWED=(
    # the toolchain's section markers, present in some linkers' output
    '_init' '_fini' '_edata' '_end' '__bss_start'
    # sanitizer builds: the runtime's hooks and options defaults
    '__asan_.*' '__ubsan_.*' '__sanitizer_.*' '__lsan_.*' '__sancov_.*'
)
allowed_re="^($(IFS='|'; echo "${ALLOWED[*]}"))\$"

# Defined global symbols (code, data, weak) of the shared library.
syms=$(nm -D --defined-only "$LIB" | awk 'NF >= 3 && $2 ~ /^[A-Z]$/ { print $3 }')
n=$(printf '%s\n' "$syms" | grep -c .)
[ "$n" -gt 0 ] || fail "nm found no exported symbols in $LIB"
bad=$(printf '%s\n' "$syms" | grep -v '^cairn_' | grep -Ev "$allowed_re")
[ -z "$bad" ] || fail "$LIB exports names without the cairn_ prefix (mark them static, prefix them, or drop CAIRN_API):
$bad"
ok "$LIB exports $n symbols, all cairn_*"

# The static library: hidden internals are still global there.
[ -f "$STATIC" ] || fail "no static library at $STATIC"
foreign='^(json_|mdb_|event_|evhttp_|evbuffer_|bufferevent_|evutil_|crypto_|sodium_|randombytes_|ec_|gf_|isal_|crc[0-9]|cmocka_|_cmocka)'
clash=$(nm --defined-only "$STATIC" 2>/dev/null |
    awk 'NF >= 3 && $2 ~ /^[A-TV-Z]$/ { print $3 }' | sort -u | grep -E "$foreign")
[ -z "$clash" ] || fail "the static library defines names in a dependency's namespace (prefix them with their module):
$clash"
ok "no global symbol of $STATIC sits in jansson's, LMDB's, libevent's, libsodium's or ISA-L's namespace"
