#!/usr/bin/env bash
# Staking end to end, as a provider and a token holder would do it: starts a
# real sequencer node (fast blocks, 5-block epochs, 2-epoch unbonding),
# registers a provider (first below the minimum stake), delegates to it,
# unbonds, waits for the release, claims, lists; checks the API's answers
# and error codes; stops the node by PID and replays its chain.
# Needs bash, grep, sed, curl and cairn.
set -euo pipefail

: "${CAIRN_BIN:?CAIRN_BIN must point at the cairn binary (run through ctest)}"
TMP=$(mktemp -d /tmp/cairn-staking-XXXXXX)
DATA=$TMP/chain
PORT=0
NODE_PID=""

# Stops the node we started (by PID) and removes the temp dir.
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
    [ -f "$TMP/node.out" ] && { echo "--- node output" >&2; tail -n 20 "$TMP/node.out" >&2; }
    exit 1
}
ok() { echo "ok: $*"; }

URL() { echo "http://127.0.0.1:$PORT$1"; }
cairn() { "$CAIRN_BIN" --node "$(URL "")" "$@"; }
# Field NAME of JSON on stdin ("NAME": "text" | number | true/false).
field() { grep -o "\"$1\": *\"\?[^\",}]*" | head -n 1 | sed 's/^[^:]*: *"\?//'; }
units_of() { cairn balance "$1" --json | field balance_units; }
http_code() { curl -s -o "$TMP/body" -w '%{http_code}' "$(URL "$1")"; }

# Expects the command to fail (non-zero) with one line containing WORD.
expect_fail() {
    local word=$1 out
    shift
    if out=$("$@" 2>&1); then fail "expected failure ($word): $*"; fi
    echo "$out" | grep -qi -- "$word" || fail "message lacks \"$word\": $out"
    [ "$(echo "$out" | wc -l)" -eq 1 ] || fail "error is not one line: $out"
    ok "refused with: $out"
}

# --- keys and a genesis with short epochs ----------------------------------
mkdir -p "$TMP/keys"
for k in sequencer alice bob carol dave; do
    "$CAIRN_BIN" keygen --out "$TMP/keys/$k.key" >"$TMP/keys/$k.addr" 2>/dev/null
done
SEQ=$(cat "$TMP/keys/sequencer.addr")
ALICE=$(cat "$TMP/keys/alice.addr")
BOB=$(cat "$TMP/keys/bob.addr")
CAROL=$(cat "$TMP/keys/carol.addr")
DAVE=$(cat "$TMP/keys/dave.addr")
cat >"$TMP/genesis.json" <<EOF
{"chain_id": "cairn-staking-test", "token": {"name": "Cairn", "symbol": "CRN"},
 "supply_cap": "1000000000", "genesis_time_ms": 1700000000000,
 "block_interval_ms": 200, "max_block_txs": 1000, "min_fee": "0.001",
 "sequencer": "$SEQ",
 "allocations": [{"address": "$ALICE", "amount": "1000"},
                 {"address": "$BOB", "amount": "1000"},
                 {"address": "$CAROL", "amount": "1000"},
                 {"address": "$DAVE", "amount": "1000"}],
 "economy": {"epoch_blocks": 5, "unbonding_epochs": 2, "min_provider_stake": "100",
             "min_delegation": "10", "max_commission_bps": 5000}}
EOF
"$CAIRN_BIN" init --genesis "$TMP/genesis.json" --data "$DATA" >/dev/null \
    || fail "cairn init"

# Starts the node; returns 1 if it exited (port taken).
start_node() {
    "$CAIRN_BIN" node --data "$DATA" --key "$TMP/keys/sequencer.key" \
        --listen "127.0.0.1:$PORT" >"$TMP/node.out" 2>&1 &
    NODE_PID=$!
    for _ in $(seq 1 300); do
        cairn status >/dev/null 2>&1 && return 0
        kill -0 "$NODE_PID" 2>/dev/null || { wait "$NODE_PID" || true; NODE_PID=""; return 1; }
        sleep 0.1
    done
    fail "node did not answer within 30 s"
}
for attempt in 1 2 3 4 5; do
    PORT=$((20000 + RANDOM % 12000))  # below the ephemeral ports (32768..)
    start_node && break
    [ "$attempt" -lt 5 ] || fail "node would not start"
done
ok "node on port $PORT"

FEE=1000 # min_fee in base units
A0=$(units_of "$ALICE")
[ "$A0" = 1000000000 ] || fail "alice does not hold 1000 tokens: $A0"

# --- help and argument errors ------------------------------------------------
for c in "provider register" "provider stake" "provider unstake" "provider info" \
         "provider commission" "provider list" "provider params" delegate undelegate claim; do
    # shellcheck disable=SC2086
    cairn $c --help | grep -q "^usage: cairn $c" || fail "cairn $c --help"
done
expect_fail sector cairn provider register --key "$TMP/keys/alice.key" --sector moon \
    --stake 150 --endpoint 127.0.0.1:9000
expect_fail "HOST:PORT" cairn provider register --key "$TMP/keys/alice.key" \
    --sector storage --stake 150 --endpoint nohost
expect_fail commission cairn provider register --key "$TMP/keys/alice.key" \
    --sector storage --stake 150 --endpoint 127.0.0.1:9000 --commission 120%
ok "help on every command; bad arguments refused before any transaction"

# --- below the minimum: refused by the node, nothing spent --------------------
expect_fail "below the minimum" cairn provider register --key "$TMP/keys/alice.key" \
    --sector storage --stake 50 --endpoint 127.0.0.1:9000
[ "$(units_of "$ALICE")" = "$A0" ] || fail "a refused registration changed the balance"
[ "$(http_code "/v1/provider/$ALICE")" = 404 ] || fail "refused provider exists"
ok "registration below min_provider_stake refused; balance unchanged"

# --- register properly ----------------------------------------------------------
OUT=$(cairn provider register --key "$TMP/keys/alice.key" --sector storage --stake 150 \
    --endpoint 127.0.0.1:9000 --commission 5%) || fail "register: $OUT"
echo "$OUT" | grep -q "registered: provider $ALICE in sector storage, self stake 150, active" \
    || fail "register output: $OUT"
A1=$(units_of "$ALICE")
[ "$A1" = $((A0 - 150000000 - FEE)) ] || fail "balance after register: $A1"
INFO=$(cairn provider info "$ALICE" --json)
[ "$(echo "$INFO" | field active)" = true ] || fail "not active: $INFO"
[ "$(echo "$INFO" | field self_stake_units)" = 150000000 ] || fail "self stake: $INFO"
[ "$(echo "$INFO" | field sector)" = storage ] || fail "sector: $INFO"
[ "$(echo "$INFO" | field commission_bps)" = 500 ] || fail "commission: $INFO"
[ "$(echo "$INFO" | field endpoint)" = 127.0.0.1:9000 ] || fail "endpoint: $INFO"
cairn provider info --key "$TMP/keys/alice.key" | grep -q "^status *active" \
    || fail "human info lacks the status"
expect_fail "already registered" cairn provider register --key "$TMP/keys/alice.key" \
    --sector storage --stake 150 --endpoint 127.0.0.1:9000
ok "alice registered: active, 150 staked, 5% commission"

# --- delegation ---------------------------------------------------------------
expect_fail "below the minimum" cairn delegate --key "$TMP/keys/bob.key" --to "$ALICE" --amount 5
expect_fail "not a provider\|no provider" cairn delegate --key "$TMP/keys/bob.key" \
    --to "$CAROL" --amount 20
B0=$(units_of "$BOB")
E0=$(curl -sf "$(URL /v1/staking)" | field epoch)
OUT=$(cairn delegate --key "$TMP/keys/bob.key" --to "$ALICE" --amount 20) \
    || fail "delegate: $OUT"
echo "$OUT" | grep -q "delegation to $ALICE: 20 tokens" || fail "delegate output: $OUT"
[ "$(units_of "$BOB")" = $((B0 - 20000000 - FEE)) ] || fail "bob's balance after delegating"
D=$(curl -sf "$(URL "/v1/delegation/$BOB/$ALICE")") || fail "GET /v1/delegation"
[ "$(echo "$D" | field stake_units)" = 20000000 ] || fail "delegation stake: $D"
# nothing pending, unless an epoch settled since (the stakers' pool then
# pays the new delegation its share; a slow run can cross a boundary)
[ "$(echo "$D" | field pending_units)" = 0 ] || [ "$(echo "$D" | field epoch)" != "$E0" ] ||
    fail "delegation pending: $D"
[ "$(cairn provider info "$ALICE" --json | field delegated_units)" = 20000000 ] \
    || fail "provider does not show the delegation"
ok "bob delegated 20 to alice"

# --- unbonding ------------------------------------------------------------------
expect_fail "more than is bonded" cairn provider unstake --key "$TMP/keys/alice.key" --amount 151
OUT=$(cairn provider unstake --key "$TMP/keys/alice.key" --amount 30) || fail "unstake: $OUT"
REL=$(echo "$OUT" | sed -n 's/.*at the end of epoch \([0-9]*\).*/\1/p')
[ -n "$REL" ] || fail "unstake does not name the release epoch: $OUT"
echo "$OUT" | grep -q "unbonding period is 2 epochs" || fail "unstake output: $OUT"
A2=$(units_of "$ALICE")
[ "$A2" = $((A1 - FEE)) ] || fail "unstaking changed the balance beyond the fee: $A2"
INFO=$(cairn provider info "$ALICE" --json)
[ "$(echo "$INFO" | field self_stake_units)" = 120000000 ] || fail "self stake after unstake"
[ "$(echo "$INFO" | field release_epoch)" = "$REL" ] || fail "entry's release epoch: $INFO"
echo "$INFO" | grep -q '"amount_units": "30000000"' || fail "no 30-token entry: $INFO"
cairn provider info "$ALICE" | grep -q "30 released at the end of epoch $REL" \
    || fail "human info lacks the unbonding entry"
ok "unstaked 30: released at the end of epoch $REL"

# Until the release, the balance stays put: read it between two looks at
# the queue that both still show the entry.
CHECKED=""
for _ in $(seq 1 50); do
    C1=$(cairn provider info "$ALICE" --json | field unbonding_count)
    BAL=$(units_of "$ALICE")
    C2=$(cairn provider info "$ALICE" --json | field unbonding_count)
    [ "$C1" = 1 ] && [ "$C2" = 1 ] || break
    [ "$BAL" = "$A2" ] || fail "balance moved before the release: $BAL"
    CHECKED=1
    sleep 0.1
done
[ -n "$CHECKED" ] || fail "the entry was released before it could be observed"
ok "balance unchanged while unbonding"

RELEASED=""
for _ in $(seq 1 600); do
    [ "$(cairn provider info "$ALICE" --json | field unbonding_count)" = 0 ] && {
        RELEASED=1
        break
    }
    sleep 0.1
done
[ -n "$RELEASED" ] || fail "stake not released within 60 s"
[ "$(units_of "$ALICE")" = $((A2 + 30000000)) ] || fail "release did not pay exactly 30"
EPOCH=$(curl -sf "$(URL /v1/staking)" | field epoch)
[ "$EPOCH" -gt "$REL" ] || fail "released in epoch $EPOCH, before the end of $REL"
ok "released exactly 30 tokens after epoch $REL ended (now epoch $EPOCH)"

# --- undelegate, claim, commission ----------------------------------------------
expect_fail "more than is bonded" cairn undelegate --key "$TMP/keys/bob.key" --from "$ALICE" \
    --amount 21
OUT=$(cairn undelegate --key "$TMP/keys/bob.key" --from "$ALICE" --amount 5) \
    || fail "undelegate: $OUT"
echo "$OUT" | grep -q "^5 tokens are unbonding" || fail "undelegate output: $OUT"
echo "$OUT" | grep -q "at the end of epoch [0-9]* (around block [0-9]*)" \
    || fail "undelegate does not name the release: $OUT"
[ "$(curl -sf "$(URL "/v1/delegation/$BOB/$ALICE")" | field stake_units)" = 15000000 ] \
    || fail "delegation after undelegating 5"

# alice has done no work, but her bonded stake earns a share of the fees'
# stakers' pool every epoch (docs/tokenomics.md): claim pays at least what
# was claimable before it, less the fee.
A3=$(units_of "$ALICE")
R3=$(curl -sf "$(URL "/v1/provider/$ALICE")" | field reward_units)
OUT=$(cairn claim --key "$TMP/keys/alice.key") || fail "claim: $OUT"
echo "$OUT" | grep -q "committed in block" || fail "claim output: $OUT"
[ "$(units_of "$ALICE")" -ge $((A3 - FEE + R3)) ] ||
    fail "claim paid less than the $R3 units claimable from staking"
cairn claim --key "$TMP/keys/bob.key" --provider "$ALICE" >/dev/null || fail "bob's claim"
expect_fail "not a provider" cairn claim --key "$TMP/keys/carol.key"
expect_fail "no delegation" cairn claim --key "$TMP/keys/carol.key" --provider "$ALICE"
ok "undelegate names its release; claims commit"

cairn provider commission --key "$TMP/keys/alice.key" --bps 700 >/dev/null || fail "commission"
[ "$(cairn provider info "$ALICE" --json | field commission_bps)" = 700 ] || fail "bps not 700"
expect_fail "above max_commission_bps, 5000" cairn provider commission \
    --key "$TMP/keys/alice.key" --bps 6000
cairn provider stake --key "$TMP/keys/alice.key" --amount 10 | grep -q "self stake 130, active" \
    || fail "stake output"
ok "commission set to 700 bps (6000 refused); stake added"

# --- listing and API errors -------------------------------------------------
cairn provider list | grep -q "^$ALICE  *storage  *active  *130  *15  *700  *127.0.0.1:9000$" \
    || fail "provider list: $(cairn provider list)"
cairn provider list --sector storage --json | grep -q "\"address\": \"$ALICE\"" \
    || fail "provider list --sector storage"
cairn provider list --sector wireless | grep -q "^no providers" || fail "wireless list"
cairn provider register --key "$TMP/keys/dave.key" --sector compute --stake 100 \
    --endpoint 127.0.0.1:9001 >/dev/null || fail "dave's registration"
cairn provider list --sector compute | grep -q "^$DAVE  *compute  *active  *100 " \
    || fail "compute list"
[ "$(cairn provider list | grep -c '^cairn1')" = 2 ] || fail "not two providers"
FIRST=$(cairn provider list --limit 1 | grep '^cairn1' | cut -d' ' -f1)
cairn provider list --limit 1 | grep -q "^more: cairn provider list --after $FIRST$" \
    || fail "a one-provider page does not say how to go on"
[ "$(cairn provider list --limit 1 --after "$FIRST" | grep -c '^cairn1')" = 1 ] \
    || fail "second page"
cairn provider list --limit 1 --after "$FIRST" | grep -q "^more:" && fail "a third page"
expect_fail sector cairn provider list --sector moon
[ "$(http_code "/v1/providers?sector=moon")" = 400 ] || fail "bad sector not 400"
[ "$(http_code "/v1/providers?limit=0")" = 400 ] || fail "limit 0 not 400"
[ "$(http_code "/v1/providers?limit=1")" = 200 ] || fail "limit 1"
grep -q '"next":"cairn1' "$TMP/body" || fail "two providers, no next page: $(cat "$TMP/body")"
[ "$(http_code "/v1/providers?limit=2")" = 200 ] || fail "limit 2"
grep -q '"next":null' "$TMP/body" || fail "two providers, yet a next page: $(cat "$TMP/body")"
[ "$(http_code /v1/provider/cairn1bad)" = 400 ] || fail "bad address not 400"
[ "$(http_code "/v1/provider/$CAROL")" = 404 ] || fail "unknown provider not 404"
grep -q '"error":"not_provider"' "$TMP/body" || fail "404 body: $(cat "$TMP/body")"
[ "$(http_code "/v1/delegation/$CAROL/$ALICE")" = 404 ] || fail "no delegation not 404"
[ "$(http_code "/v1/delegation/$CAROL")" = 400 ] || fail "half a delegation path not 400"
expect_fail "no provider\|not a provider" cairn provider info "$CAROL"
ok "provider list and API errors (400/404)"

# --- stop by PID, replay -----------------------------------------------------------
kill -TERM "$NODE_PID"
RC=0
wait "$NODE_PID" || RC=$?
NODE_PID=""
[ "$RC" -eq 0 ] || fail "node exited with $RC after SIGTERM"
"$CAIRN_BIN" replay --data "$DATA" >/dev/null || fail "replay of the staking chain"
ok "replay matches"
echo "PASS"
