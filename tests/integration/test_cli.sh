#!/usr/bin/env bash
# Drives the `cairn` command as a user would: starts `cairn devnet`, moves
# tokens, looks things up, checks a light-client proof, restarts the
# network and replays its chain. Needs only bash, grep, sed and cairn.
set -euo pipefail

: "${CAIRN_BIN:?CAIRN_BIN must point at the cairn binary (run through ctest)}"
TMP=$(mktemp -d /tmp/cairn-cli-XXXXXX)
NET=$TMP/net
PORT=0
DEVNET_PID=""

# Stops the devnet we started (by PID) and removes the temp dir.
cleanup() {
    if [ -n "$DEVNET_PID" ] && kill -0 "$DEVNET_PID" 2>/dev/null; then
        kill -TERM "$DEVNET_PID" 2>/dev/null || true
        wait "$DEVNET_PID" 2>/dev/null || true
    fi
    if [ -z "${CAIRN_KEEP_TMP:-}" ]; then rm -rf "$TMP"; else echo "kept $TMP"; fi
}
trap cleanup EXIT
. "$(dirname "$0")/devnet_lib.sh"

fail() {
    echo "FAIL: $*" >&2
    for f in "$TMP"/devnet*.out "$NET"/sequencer.log "$NET"/follower.log; do
        [ -f "$f" ] && { echo "--- $f" >&2; tail -n 20 "$f" >&2; }
    done
    exit 1
}
# The cairn CLI, pointed at the sequencer (or at URL with NODE=URL).
cairn() { "$CAIRN_BIN" --node "${NODE:-http://127.0.0.1:$PORT}" "$@"; }

# Expects the command to fail with a message containing WORD.
expect_fail() {
    local word=$1 out
    shift
    if out=$("$@" 2>&1); then fail "expected failure ($word): $*"; fi
    echo "$out" | grep -qi -- "$word" || fail "message lacks \"$word\": $out"
    ok "refused with: $out"
}

balance_of() { cairn balance "$1" --json | field balance; }

# --- start a fresh devnet on a random free port ---------------------------
for attempt in 1 2 3 4 5; do
    PORT=$((20000 + RANDOM % 12000))  # below the ephemeral ports (32768..)
    start_devnet first && break
    [ "$attempt" -lt 5 ] || fail "devnet would not start"
done
ok "devnet on port $PORT"

ALICE=$("$CAIRN_BIN" address --key "$NET/keys/alice.key")
BOB=$("$CAIRN_BIN" address --key "$NET/keys/bob.key")
CAROL=$("$CAIRN_BIN" address --key "$NET/keys/carol.key")
grep -q "$ALICE" "$TMP/devnet-first.out" || fail "banner does not list alice"

# Dave's tokens all vest (none before block 60): spending any is refused.
expect_fail vest cairn transfer --key "$NET/keys/dave.key" --to "$BOB" --amount 100

[ "$(balance_of "$ALICE")" = "1000000" ] || fail "alice's balance is not 1000000"
ok "alice holds 1000000"

# --- a transfer commits, and can be looked up ------------------------------
REPLY=$(cairn transfer --key "$NET/keys/alice.key" --to "$BOB" --amount 10 --json)
HASH=$(echo "$REPLY" | field hash)
HEIGHT=$(echo "$REPLY" | field height)
[ "$(echo "$REPLY" | field status)" = "committed" ] || fail "transfer not committed: $REPLY"
ok "transfer $HASH committed in block $HEIGHT"

[ "$(balance_of "$BOB")" = "1000010" ] || fail "bob's balance is not 1000010"
[ "$(balance_of "$ALICE")" = "999989.999" ] || fail "alice's balance is not 999989.999"
ok "balances moved: bob 1000010, alice 999989.999"

[ "$(cairn tx show "$HASH" --json | field height)" = "$HEIGHT" ] || fail "tx show: wrong height"
cairn tx show "$HASH" | grep -q "$BOB" || fail "tx show does not name bob"
cairn block show "$HEIGHT" | grep -q "$HASH" || fail "block $HEIGHT does not list $HASH"
cairn block show >/dev/null || fail "block show (latest) failed"
ok "tx show and block show find it"

# --- light-client proofs --------------------------------------------------
PROOF=$(cairn account prove "$BOB" 2>/dev/null) || fail "bob's proof does not verify"
echo "$PROOF" | grep -q "verified: balance 1000010" || fail "proof output: $PROOF"
SEQ=$("$CAIRN_BIN" address --key "$NET/keys/sequencer.key")
cairn account prove "$BOB" --sequencer "$SEQ" >/dev/null || fail "proof with --sequencer"
expect_fail "not signed" cairn account prove "$BOB" --sequencer "$ALICE"
"$CAIRN_BIN" keygen --out "$TMP/fresh.key" >"$TMP/fresh.addr" 2>/dev/null
FRESH=$(cat "$TMP/fresh.addr")
expect_fail exists "$CAIRN_BIN" keygen --out "$TMP/fresh.key"
cairn account prove "$FRESH" 2>/dev/null | grep -q "absent" || fail "absence proof"
ok "inclusion and absence proofs verify"

# --- refusals carry the reason --------------------------------------------
expect_fail address cairn transfer --key "$NET/keys/alice.key" --to cairn1deadbeef --amount 1
expect_fail balance cairn transfer --key "$NET/keys/carol.key" --to "$ALICE" --amount 2000000
expect_fail "64 hex" cairn tx show 1234
[ "$(balance_of "$CAROL")" = "1000000" ] || fail "carol's balance changed"

# --- the follower reaches the sequencer's tip --------------------------------
TARGET=$(cairn status --json | field height)
SYNCED=""
for _ in $(seq 1 100); do
    FST=$(NODE="http://127.0.0.1:$((PORT + 1))" cairn status --json) || true
    FH=$(echo "$FST" | field height) || true
    if [ -n "$FH" ] && [ "$FH" -ge "$TARGET" ]; then
        SEQ_HASH=$(cairn block show "$FH" --json | field hash)
        [ "$SEQ_HASH" = "$(echo "$FST" | field tip_hash)" ] || fail "follower's tip differs at $FH"
        SYNCED=$FH
        break
    fi
    sleep 0.1
done
[ -n "$SYNCED" ] || fail "follower did not reach height $TARGET within 10 s"
ok "follower at height $SYNCED with the sequencer's hash"

# --- restart keeps state ----------------------------------------------------
stop_devnet
start_devnet second || fail "devnet did not restart"
[ "$(balance_of "$BOB")" = "1000010" ] || fail "bob's balance lost across restart"
ok "restart kept bob's 1000010"
# a second node on a data dir in use is refused before it touches it
expect_fail "another cairn node" "$CAIRN_BIN" node --data "$NET/sequencer" \
    --follow "http://127.0.0.1:$PORT" --listen "127.0.0.1:$((PORT + 7))"
stop_devnet

"$CAIRN_BIN" replay --data "$NET/sequencer" || fail "replay of the sequencer's chain"
ok "replay matches"
echo "PASS"
