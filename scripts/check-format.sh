#!/usr/bin/env bash
# Fails when a tracked C file differs from what clang-format makes of it
# with the repository's .clang-format (`make format` fixes them all).
#
#   scripts/check-format.sh            every tracked *.c and *.h
#   scripts/check-format.sh FILE...    the given files
#
# Prints clang-format's warnings (file:line:col and the expected text) and
# a count of the files that would change; exits 1 if any would, 2 if
# clang-format is missing.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 2
cf=${CLANG_FORMAT:-clang-format}
if ! command -v "$cf" >/dev/null 2>&1; then
    echo "check-format: $cf not found (apt-get install clang-format, or set CLANG_FORMAT)" >&2
    exit 2
fi
if [ $# -gt 0 ]; then
    files=("$@")
else
    mapfile -t files < <(git ls-files '*.c' '*.h')
fi
[ ${#files[@]} -gt 0 ] || { echo "check-format: no files" >&2; exit 2; }

bad=0
for f in "${files[@]}"; do
    if ! out=$("$cf" --style=file --dry-run -Werror "$f" 2>&1); then
        printf '%s\n' "$out" | head -n 12
        bad=$((bad + 1))
    fi
done
if [ $bad -gt 0 ]; then
    echo "check-format: $bad of ${#files[@]} files differ from .clang-format (run \`make format\`)" >&2
    exit 1
fi
echo "check-format: ${#files[@]} files match .clang-format"
