#!/usr/bin/env bash
# Fuzz targets: replay the corpus and regression inputs, or fuzz for a while.
#
#   scripts/fuzz.sh regress BUILD_DIR
#       Runs every built BUILD_DIR/fuzz_* binary once over each file in
#       tests/fuzz/corpus/<name>/ and tests/fuzz/regress/<name>/ (libFuzzer
#       executes inputs given as file arguments once each, like -runs=0).
#       Exits non-zero if any input crashes.
#   scripts/fuzz.sh run BUILD_DIR SECONDS
#       Fuzzes each target for SECONDS with tests/fuzz/corpus/<name>/ as its
#       corpus (new inputs are added there), then copies any crash-*,
#       leak-*, timeout-* or oom-* file into tests/fuzz/regress/<name>/.
#       Exits non-zero if any target found a crash.
#
# The fuzz build: CC=clang cmake -S . -B build-fuzz -DCAIRN_FUZZ=ON
set -u

usage() {
    echo "usage: $0 regress BUILD_DIR | run BUILD_DIR SECONDS" >&2
    exit 2
}

[ $# -ge 2 ] || usage
mode=$1
build=$2
root=$(cd "$(dirname "$0")/.." && pwd)
corpus_root=$root/tests/fuzz/corpus
regress_root=$root/tests/fuzz/regress

shopt -s nullglob
targets=()
for bin in "$build"/fuzz_*; do
    [ -f "$bin" ] && [ -x "$bin" ] && targets+=("$bin")
done
if [ ${#targets[@]} -eq 0 ]; then
    echo "fuzz.sh: no fuzz_* binaries in $build (configure with -DCAIRN_FUZZ=ON)" >&2
    exit 1
fi

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

failed=0
case $mode in
regress)
    for bin in "${targets[@]}"; do
        name=$(basename "$bin")
        inputs=()
        for f in "$corpus_root/$name"/* "$regress_root/$name"/*; do
            [ -f "$f" ] && [ "$(basename "$f")" != .keep ] && inputs+=("$f")
        done
        if [ ${#inputs[@]} -eq 0 ]; then
            echo "== $name: no inputs"
            continue
        fi
        # In batches, so that a large corpus stays under the argument limit.
        n=0
        while [ $n -lt ${#inputs[@]} ]; do
            batch=("${inputs[@]:$n:500}")
            if ! "$bin" -runs=0 "${batch[@]}" >"$build/$name.regress.log" 2>&1; then
                echo "== $name: FAILED (log: $build/$name.regress.log)" >&2
                tail -n 30 "$build/$name.regress.log" >&2
                failed=1
                break
            fi
            n=$((n + 500))
        done
        [ $failed -eq 0 ] && echo "== $name: ${#inputs[@]} inputs ok"
    done
    ;;
run)
    [ $# -ge 3 ] || usage
    secs=$3
    for bin in "${targets[@]}"; do
        name=$(basename "$bin")
        corpus=$corpus_root/$name
        art=$build/artifacts/$name
        rm -rf "$art" # only this run's findings are copied below
        mkdir -p "$corpus" "$art"
        dict=()
        [ -f "$root/tests/fuzz/$name.dict" ] && dict=(-dict="$root/tests/fuzz/$name.dict")
        echo "== $name: fuzzing for ${secs}s"
        "$bin" -max_total_time="$secs" -print_final_stats=1 \
            -artifact_prefix="$art/" "${dict[@]}" "$corpus" \
            >"$build/$name.fuzz.log" 2>&1
        rc=$?
        grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' \
            "$build/$name.fuzz.log" | sed 's/^/   /'
        found=0
        for c in "$art"/crash-* "$art"/leak-* "$art"/timeout-* "$art"/oom-*; do
            mkdir -p "$regress_root/$name"
            cp "$c" "$regress_root/$name/"
            echo "   saved $(basename "$c") to tests/fuzz/regress/$name/" >&2
            found=1
        done
        if [ $rc -ne 0 ] || [ $found -ne 0 ]; then
            echo "== $name: FAILED (rc $rc; log: $build/$name.fuzz.log)" >&2
            tail -n 40 "$build/$name.fuzz.log" >&2
            failed=1
        fi
    done
    ;;
*)
    usage
    ;;
esac
exit $failed
