#!/usr/bin/env bash
# `cairn wireless` against a running node with no hotspot yet: the empty
# answers, the GeoJSON shape, and the messages for a wrong address, an
# address without a hotspot, a bad --res and an unknown subcommand
# (the rules themselves: tests/unit/test_wireless_chain.c). Starts one
# `cairn node` (stopped by PID at exit). Needs bash, grep and cairn.
set -euo pipefail

: "${CAIRN_BIN:?CAIRN_BIN must point at the cairn binary (run through ctest)}"
TMP=$(mktemp -d /tmp/cairn-wireless-XXXXXX)
NODE_PID=""

cleanup() {
    if [ -n "$NODE_PID" ] && kill -0 "$NODE_PID" 2>/dev/null; then
        kill -TERM "$NODE_PID" 2>/dev/null || true
        wait "$NODE_PID" 2>/dev/null || true
    fi
    rm -rf "$TMP"
}
trap cleanup EXIT
fail() {
    echo "FAIL: $*" >&2
    [ -f "$TMP/node.log" ] && { echo "--- node.log" >&2; tail -n 20 "$TMP/node.log" >&2; }
    exit 1
}
ok() { echo "ok: $*"; }
c() { "$CAIRN_BIN" "$@"; }

# The command must fail and say every pattern after --.
expect() {
    local out pat
    local -a cmd=()
    while [ "$1" != "--" ]; do cmd+=("$1"); shift; done
    shift
    if out=$("${cmd[@]}" 2>&1); then fail "expected a failure: ${cmd[*]}"; fi
    for pat in "$@"; do
        echo "$out" | grep -qF -- "$pat" || fail "\"${cmd[*]}\" said: $out -- lacks: $pat"
    done
    ok "${cmd[*]:1}: $(echo "$out" | head -n 1)"
}

c keygen --out "$TMP/seq.key" >/dev/null
SEQ=$(c address --key "$TMP/seq.key")
cat >"$TMP/g.json" <<EOF
{"chain_id": "wireless-cli", "token": {"name": "Test", "symbol": "TST"},
 "supply_cap": "1000000", "genesis_time_ms": 1767225600000,
 "block_interval_ms": 200, "max_block_txs": 100, "min_fee": "0.001",
 "sequencer": "$SEQ",
 "allocations": [{"label": "seq", "address": "$SEQ", "amount": "1000"}],
 "economy": {"epoch_blocks": 10}}
EOF
c init --genesis "$TMP/g.json" --data "$TMP/chain" >/dev/null

for attempt in 1 2 3 4 5 6 7 8; do
    PORT=$((20000 + RANDOM % 12000))  # below the ephemeral ports (32768..)
    "$CAIRN_BIN" node --data "$TMP/chain" --key "$TMP/seq.key" --listen "127.0.0.1:$PORT" >"$TMP/node.log" 2>&1 &
    NODE_PID=$!
    for _ in $(seq 1 100); do
        c --node "http://127.0.0.1:$PORT" status >/dev/null 2>&1 && break
        kill -0 "$NODE_PID" 2>/dev/null || break
        sleep 0.1
    done
    c --node "http://127.0.0.1:$PORT" status >/dev/null 2>&1 && break
    kill -TERM "$NODE_PID" 2>/dev/null || true
    wait "$NODE_PID" 2>/dev/null || true
    NODE_PID=""
    [ "$attempt" -lt 8 ] || fail "the node would not start"
done
N=(--node "http://127.0.0.1:$PORT")

c wireless --help | grep -q "coverage \[--res R\] \[--geojson\]" || fail "wireless --help"
ok "wireless --help"
[ "$(c wireless hotspots "${N[@]}")" = "no hotspots" ] || fail "wireless hotspots"
ok "wireless hotspots: no hotspots"
c wireless hotspots "${N[@]}" --json | grep -q "^\[\]" || fail "wireless hotspots --json"
c wireless coverage --geojson "${N[@]}" | grep -q '"FeatureCollection"' || fail "coverage --geojson"
ok "wireless coverage --geojson: a FeatureCollection"
c wireless coverage --res 4 "${N[@]}" | grep -q "^res 4" || fail "coverage --res 4"
ok "wireless coverage --res 4"
expect c wireless coverage --res 13 "${N[@]}" -- "--res must be 0..12"
expect c wireless hotspot "${N[@]}" -- "give the hotspot's address"
expect c wireless hotspot cairn1nothex "${N[@]}" -- "cairn1"
expect c wireless hotspot "$SEQ" "${N[@]}" -- "no hotspot is asserted at that address" "hotspot_assert"
expect c wireless witnesses "$SEQ" --epoch 0 "${N[@]}" -- "no hotspot is asserted"
expect c wireless witnesses "$SEQ" --epoch x "${N[@]}" -- "--epoch must be a number"
expect c wireless nonsense "${N[@]}" -- "unknown subcommand" "cairn wireless --help"
echo "PASS"
