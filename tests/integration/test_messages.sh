#!/usr/bin/env bash
# Errors that used to mislead (issue 8, point 12) and the CLI's own help
# (point 14): each case runs the command a user would and checks that the
# message says what is wrong and what to do, and that nothing false or
# left-over follows. Starts one `cairn node` (stopped by PID at exit).
# Needs bash, grep, sed and cairn.
set -euo pipefail

: "${CAIRN_BIN:?CAIRN_BIN must point at the cairn binary (run through ctest)}"
TMP=$(mktemp -d /tmp/cairn-messages-XXXXXX)
NODE_PID=""

cleanup() {
    if [ -n "$NODE_PID" ] && kill -0 "$NODE_PID" 2>/dev/null; then
        kill -TERM "$NODE_PID" 2>/dev/null || true
        wait "$NODE_PID" 2>/dev/null || true
    fi
    if [ -z "${CAIRN_KEEP_TMP:-}" ]; then rm -rf "$TMP"; else echo "kept $TMP"; fi
}
trap cleanup EXIT
fail() {
    echo "FAIL: $*" >&2
    [ -f "$TMP/node.log" ] && { echo "--- node.log" >&2; tail -n 20 "$TMP/node.log" >&2; }
    exit 1
}
ok() { echo "ok: $*"; }
c() { "$CAIRN_BIN" "$@"; }

# Runs the command, which must fail; its stderr must hold every pattern
# given after --, and (with NOT=pattern) must not hold NOT.
expect() {
    local out pat
    local -a cmd=()
    while [ "$1" != "--" ]; do cmd+=("$1"); shift; done
    shift
    if out=$("${cmd[@]}" 2>&1); then fail "expected a failure: ${cmd[*]}"; fi
    for pat in "$@"; do
        echo "$out" | grep -qF -- "$pat" || fail "\"${cmd[*]}\" said: $out -- lacks: $pat"
    done
    if [ -n "${NOT:-}" ] && echo "$out" | grep -qF -- "$NOT"; then
        fail "\"${cmd[*]}\" said: $out -- should not say: $NOT"
    fi
    ok "${cmd[1]}: $(echo "$out" | head -n 1)"
}

c keygen --out "$TMP/seq.key" >/dev/null
c keygen --out "$TMP/other.key" >/dev/null
SEQ=$(c address --key "$TMP/seq.key")
OTHER=$(c address --key "$TMP/other.key")
# genesis FILE ALLOCATION-AMOUNT [EPOCH_BLOCKS]
genesis() {
    cat >"$1" <<EOF
{"chain_id": "msg-test", "token": {"name": "Test", "symbol": "TST"},
 "supply_cap": "1000000", "genesis_time_ms": 1767225600000,
 "block_interval_ms": 200, "max_block_txs": 100, "min_fee": "0.001",
 "sequencer": "$SEQ",
 "allocations": [{"label": "seq", "address": "$SEQ", "amount": "$2"}],
 "economy": {"price_oracle": "$SEQ", "epoch_blocks": ${3:-1000}}}
EOF
}
genesis "$TMP/g.json" 1000
genesis "$TMP/neg.json" -5
genesis "$TMP/econ.json" 1000 0

# --- help and version ---------------------------------------------------
c help | grep -q "usage: cairn" || fail "cairn help"
c --version | grep -qE "^cairn [0-9]+\.[0-9]+\.[0-9]+" || fail "cairn --version: $(c --version 2>&1)"
c help price | grep -q "price set PRICE" || fail "cairn help price lacks set"
c price --help | grep -q "price set PRICE" || fail "cairn price --help lacks set"
ok "help, --version, price --help (names set)"

# --- genesis and chain directories ----------------------------------------
c init --genesis "$TMP/g.json" --data "$TMP/chain" >/dev/null
c init --genesis "$TMP/g.json" --data "$TMP/chain2" >/dev/null
NOT="genesis file is invalid" expect c init --genesis "$TMP/g.json" --data "$TMP/chain" -- \
    "already holds a chain" "msg-test"
expect c init --genesis "$TMP/neg.json" --data "$TMP/neg" -- 'allocations[0] ("seq").amount' '"-5"'
[ ! -e "$TMP/neg" ] || fail "a refused genesis left $TMP/neg"
expect c init --genesis "$TMP/econ.json" --data "$TMP/econ" -- "epoch_blocks" "nothing was written"
[ ! -e "$TMP/econ" ] || fail "a failed genesis left $(ls "$TMP/econ")"
mkdir "$TMP/mine" && touch "$TMP/mine/notes.txt"
expect c init --genesis "$TMP/econ.json" --data "$TMP/mine" -- "nothing was written"
[ "$(ls "$TMP/mine")" = notes.txt ] || fail "a failed genesis left $(ls "$TMP/mine")"
ok "failed genesis left nothing behind (data.mdb, lock.mdb)"
NOT="state database" expect c node --data "$TMP/nothere" --key "$TMP/seq.key" -- "cairn init"
NOT="state database" expect c replay --data "$TMP/nothere" -- "cairn init"
NOT="state database" expect c replay --data "$TMP/mine" -- "holds no chain" "cairn init"
[ ! -e "$TMP/mine/data.mdb" ] || fail "replay created a database in $TMP/mine"

# The wrong key: one line that says so, not a false "malformed" after it.
NOT="malformed" expect c node --data "$TMP/chain2" --key "$TMP/other.key" --listen 127.0.0.1:1 -- \
    "is not a key of this network's sequencer set" "$SEQ"
LINES=$(c node --data "$TMP/chain2" --key "$TMP/other.key" --listen 127.0.0.1:1 2>&1 | grep -c "^cairn:" || true)
[ "$LINES" = 1 ] || fail "a wrong sequencer key printed $LINES lines"

# --- a running node: port in use, fee and price bounds -------------------
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
ok "node on port $PORT"
N=(--node "http://127.0.0.1:$PORT")

NOT="I/O failed" expect c node --data "$TMP/chain2" --key "$TMP/seq.key" --listen "127.0.0.1:$PORT" -- \
    "port $PORT" "already in use"
c keygen --out "$TMP/prov.key" >/dev/null
NOT="I/O failed" expect c "${N[@]}" provider storage --data "$TMP/prov" --capacity 1MiB \
    --key "$TMP/prov.key" --listen "127.0.0.1:$PORT" -- "already in use"

expect c "${N[@]}" transfer --key "$TMP/seq.key" --to "$OTHER" --amount 1 --fee 0.0001 -- \
    "minimum of 0.001" "at least 0.001"
c "${N[@]}" price set 1 --key "$TMP/seq.key" >/dev/null || fail "the first price"
expect c "${N[@]}" price set 2 --key "$TMP/seq.key" -- "1000 bps" "0.9..1.1"
c "${N[@]}" price set 1.1 --key "$TMP/seq.key" >/dev/null || fail "a price at the bound was refused"
ok "a price at the edge of the stated range is taken"
