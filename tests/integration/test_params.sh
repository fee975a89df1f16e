#!/usr/bin/env bash
# GET /v1/params on a real node: every governable parameter with its value,
# default, bounds and description; after a governance vote passes, the new
# values are the ones served. Starts its own network (fast blocks, short
# votes) with `cairn init` and `cairn node`. Needs bash, grep, sed, curl
# and cairn.
set -euo pipefail

: "${CAIRN_BIN:?CAIRN_BIN must point at the cairn binary (run through ctest)}"
TMP=$(mktemp -d /tmp/cairn-params-XXXXXX)
NODE_PID=""
PORT=0

# Stops the node we started (by PID) and removes the temp dir.
cleanup() {
    if [ -n "$NODE_PID" ] && kill -0 "$NODE_PID" 2>/dev/null; then
        kill -TERM "$NODE_PID" 2>/dev/null || true
        wait "$NODE_PID" 2>/dev/null || true
    fi
    if [ -z "${CAIRN_KEEP_TMP:-}" ]; then rm -rf "$TMP"; else echo "kept $TMP"; fi
}
trap cleanup EXIT
ok() { echo "ok: $*"; }
fail() {
    echo "FAIL: $*" >&2
    [ -f "$TMP/node.log" ] && { echo "--- node.log" >&2; tail -n 20 "$TMP/node.log" >&2; }
    exit 1
}
URL() { echo "http://127.0.0.1:$PORT$1"; }
cairn() { "$CAIRN_BIN" --node "$(URL "")" "$@"; }
# The compact JSON of parameter NAME in a /v1/params reply on stdin.
param() { grep -o "{\"id\":[0-9]*,\"name\":\"$1\",[^}]*}"; }

# --- a network of its own: 100 ms blocks, 5-block epochs, 4-block votes ----
"$CAIRN_BIN" keygen --out "$TMP/seq.key" >/dev/null 2>&1
ALICE=$("$CAIRN_BIN" keygen --out "$TMP/alice.key" 2>/dev/null)
SEQ=$("$CAIRN_BIN" address --key "$TMP/seq.key")
cat >"$TMP/genesis.json" <<EOF
{"chain_id": "cairn-params", "token": {"name": "Cairn", "symbol": "CRN"},
 "supply_cap": "1000000000", "genesis_time_ms": 1767225600000,
 "block_interval_ms": 100, "max_block_txs": 1000, "min_fee": "0.001",
 "sequencer": "$SEQ",
 "allocations": [{"address": "$ALICE", "amount": "1000000"}],
 "economy": {"epoch_blocks": 5, "gov_voting_blocks": 4, "gov_deposit": "10",
             "price_oracle": "$ALICE"}}
EOF
"$CAIRN_BIN" init --genesis "$TMP/genesis.json" --data "$TMP/chain" >/dev/null \
    || fail "cairn init failed"

for attempt in 1 2 3 4 5; do
    PORT=$((20000 + RANDOM % 12000))  # below the ephemeral ports (32768..)
    "$CAIRN_BIN" node --data "$TMP/chain" --key "$TMP/seq.key" \
        --listen "127.0.0.1:$PORT" --quiet >"$TMP/node.log" 2>&1 &
    NODE_PID=$!
    for _ in $(seq 1 100); do
        curl -sf "$(URL /v1/status)" >/dev/null 2>&1 && break
        kill -0 "$NODE_PID" 2>/dev/null || break
        sleep 0.1
    done
    curl -sf "$(URL /v1/status)" >/dev/null 2>&1 && break
    kill -TERM "$NODE_PID" 2>/dev/null || true
    wait "$NODE_PID" 2>/dev/null || true
    NODE_PID=""
    [ "$attempt" -lt 5 ] || fail "node would not start"
done
ok "node on port $PORT"

# --- the parameters at genesis ---------------------------------------------
P=$(curl -sf "$(URL /v1/params)") || fail "GET /v1/params failed"
N=$(echo "$P" | grep -o '"name":"[a-z_]*"' | wc -l)
[ "$N" -ge 31 ] || fail "/v1/params lists $N parameters, expected all 31 or more"
echo "$P" | grep -q "\"price_oracle\":\"$ALICE\"" || fail "price_oracle missing: $P"
echo "$P" | grep -q '"height":[0-9]*,"epoch":[0-9]*' || fail "no height and epoch: $P"
EB=$(echo "$P" | param epoch_blocks)
[ "$EB" = '{"id":0,"name":"epoch_blocks","amount":false,"value":"5","default":"10","min":"1","max":"1000000","description":"blocks per epoch"}' ] \
    || fail "epoch_blocks: $EB"
MC=$(echo "$P" | param max_commission_bps)
echo "$MC" | grep -q '"value":"5000","default":"5000","min":"0","max":"10000"' \
    || fail "max_commission_bps before the vote: $MC"
MD=$(echo "$P" | param min_delegation)
echo "$MD" | grep -q '"amount":true,"value":"10000000","value_tokens":"10"' \
    || fail "min_delegation before the vote: $MD"
echo "$MD" | grep -q '"min":"1","min_tokens":"0.000001"' || fail "min_delegation bounds: $MD"
# every parameter carries every field, and a description
for f in id name amount value default min max description; do
    C=$(echo "$P" | grep -o "\"$f\":" | wc -l)
    [ "$C" -ge "$N" ] || fail "only $C of $N parameters have \"$f\""
done
echo "$P" | grep -q '"description":""' && fail "a parameter has no description"
ok "/v1/params lists $N parameters with values, defaults, bounds and descriptions"

# --- a governance vote changes two of them ---------------------------------
cairn provider register --key "$TMP/alice.key" --sector storage --stake 500 \
    --endpoint 127.0.0.1:9 >/dev/null || fail "register failed"
cairn gov propose --param max_commission_bps --value 6000 --key "$TMP/alice.key" \
    >/dev/null || fail "propose max_commission_bps failed"
cairn gov propose --param min_delegation --value 2.5 --key "$TMP/alice.key" \
    >/dev/null || fail "propose min_delegation failed"
cairn gov vote 1 yes --key "$TMP/alice.key" >/dev/null || fail "vote on 1 failed"
cairn gov vote 2 yes --key "$TMP/alice.key" >/dev/null || fail "vote on 2 failed"
for id in 1 2; do
    for _ in $(seq 1 300); do
        S=$(curl -sf "$(URL "/v1/proposal/$id")" | grep -o '"status":"[a-z_]*"') || true
        [ "$S" = '"status":"open"' ] || break
        sleep 0.1
    done
    [ "$S" = '"status":"passed"' ] || fail "proposal $id ended $S"
done
ok "both proposals passed"

P=$(curl -sf "$(URL /v1/params)") || fail "GET /v1/params failed"
MC=$(echo "$P" | param max_commission_bps)
echo "$MC" | grep -q '"value":"6000","default":"5000","min":"0","max":"10000"' \
    || fail "max_commission_bps after the vote: $MC"
MD=$(echo "$P" | param min_delegation)
echo "$MD" | grep -q '"value":"2500000","value_tokens":"2.5","default":"10000000"' \
    || fail "min_delegation after the vote: $MD"
# the staking endpoint reads the same values
ST=$(curl -sf "$(URL /v1/staking)") || fail "GET /v1/staking failed"
echo "$ST" | grep -q '"max_commission_bps":6000' || fail "/v1/staking disagrees: $ST"
ok "/v1/params serves the values governance set"

# --- read-only: other methods are refused ----------------------------------
CODE=$(curl -s -o /dev/null -w '%{http_code}' -X POST --data '{}' "$(URL /v1/params)")
[ "$CODE" = 405 ] || fail "POST /v1/params answered HTTP $CODE, expected 405"
ok "POST /v1/params is refused with 405"

kill -TERM "$NODE_PID"
wait "$NODE_PID" || fail "node exited with status $? after SIGTERM"
NODE_PID=""
ok "node stopped"
