#!/usr/bin/env bash
# Storage end to end with real processes on 127.0.0.1: a sequencer node with
# 2-second epochs, six `cairn provider storage` daemons that register
# themselves and answer challenges, and the client commands as a user runs
# them. Puts a random 3 MiB file 4-of-6 (three 1 MiB segments), waits until
# every deal is proven on chain, kills two providers with SIGKILL and gets
# the file back (SHA-256 equal); corrupts a piece on a third provider's disk
# and waits for its deal to show a fault on chain; rebuilds the store from
# the chain and the key alone, with the files' names from their sealed name
# records (rm deletes a record); repairs onto three new providers; removes
# the file and checks the escrow came back. Every process started is
# stopped by PID; every wait is bounded.
# Needs bash, grep, sed, tr, find, dd, cmp, sha256sum, curl and cairn.
set -euo pipefail

: "${CAIRN_BIN:?CAIRN_BIN must point at the cairn binary (run through ctest)}"
TMP=$(mktemp -d /tmp/cairn-storage-XXXXXX)
PORT=0
NODE_PID=""
declare -a PPID_OF PPORT_OF

# Stops everything we started (by PID) and removes the temp dir.
cleanup() {
    local p
    for p in "${PPID_OF[@]:-}"; do
        [ -n "$p" ] && kill -TERM "$p" 2>/dev/null || true
    done
    for p in "${PPID_OF[@]:-}"; do
        [ -n "$p" ] && wait "$p" 2>/dev/null || true
    done
    if [ -n "$NODE_PID" ] && kill -0 "$NODE_PID" 2>/dev/null; then
        kill -TERM "$NODE_PID" 2>/dev/null || true
        wait "$NODE_PID" 2>/dev/null || true
    fi
    if [ -z "${CAIRN_KEEP_TMP:-}" ]; then rm -rf "$TMP"; else echo "kept $TMP"; fi
}
trap cleanup EXIT

fail() {
    echo "FAIL: $*" >&2
    for f in "$TMP"/node.out "$TMP"/p*.log; do
        [ -f "$f" ] && { echo "--- $f" >&2; tail -n 15 "$f" >&2; }
    done
    exit 1
}
ok() { echo "ok: $*"; }

URL() { echo "http://127.0.0.1:$PORT$1"; }
cairn() { "$CAIRN_BIN" --node "$(URL "")" "$@"; }
# Client commands as alice, with her own store.
client() { cairn "$@" --key "$TMP/keys/alice.key" --store "$TMP/store"; }
# Field NAME of JSON on stdin ("NAME": "text" | number | true/false).
field() { grep -o "\"$1\": *\"\?[^\",}]*" | head -n 1 | sed 's/^[^:]*: *"\?//'; }
count() { { grep -o "\"$1\": *$2" || true; } | wc -l; }
units_of() { cairn balance "$1" --json | field balance_units; }

# --- keys, genesis, node ------------------------------------------------------
mkdir -p "$TMP/keys"
for k in sequencer alice p1 p2 p3 p4 p5 p6 p7 p8 p9; do
    "$CAIRN_BIN" keygen --out "$TMP/keys/$k.key" >"$TMP/keys/$k.addr" 2>/dev/null
done
addr() { cat "$TMP/keys/$1.addr"; }
ALLOC="{\"address\": \"$(addr alice)\", \"amount\": \"100000\"}"
for i in 1 2 3 4 5 6 7 8 9; do
    ALLOC="$ALLOC, {\"address\": \"$(addr p$i)\", \"amount\": \"1000\"}"
done
cat >"$TMP/genesis.json" <<EOF
{"chain_id": "cairn-storage-test", "token": {"name": "Cairn", "symbol": "CRN"},
 "supply_cap": "1000000000", "genesis_time_ms": 1700000000000,
 "block_interval_ms": 250, "max_block_txs": 1000, "min_fee": "0.001",
 "sequencer": "$(addr sequencer)", "allocations": [$ALLOC],
 "economy": {"epoch_blocks": 8, "min_provider_stake": "10"}}
EOF
"$CAIRN_BIN" init --genesis "$TMP/genesis.json" --data "$TMP/chain" >/dev/null || fail "init"

start_node() {
    "$CAIRN_BIN" node --data "$TMP/chain" --key "$TMP/keys/sequencer.key" \
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
ok "node on port $PORT (epochs of 8 blocks of 250 ms)"

# --- help, and refusals before anything is spent ------------------------------
for c in put get ls rm repair "provider storage"; do
    # shellcheck disable=SC2086
    cairn $c --help | grep -q "^usage: cairn $c" || fail "cairn $c --help"
done
cairn status --help | grep -q "^usage: cairn status ID" || fail "cairn status --help"
cairn status --json | grep -q '"chain_id"' || fail "cairn status without an ID is the node's"
head -c 1000 /dev/urandom >"$TMP/small.bin"
OUT=$(client put "$TMP/small.bin" 2>&1) && fail "put with no providers succeeded"
echo "$OUT" | grep -q "storage provider(s) can take the pieces" || fail "put refusal: $OUT"
OUT=$(client put "$TMP/small.bin" --k 6 --n 6 2>&1) && fail "put with k = n succeeded"
echo "$OUT" | grep -q "must be above" || fail "k = n refusal: $OUT"
OUT=$(client get 0123456789 "$TMP/x" 2>&1) && fail "get of an unknown id succeeded"
echo "$OUT" | grep -q "no file 0123456789" || fail "unknown id refusal: $OUT"
OUT=$(cairn provider storage --data "$TMP/px" --capacity 1MiB 2>&1) && fail "no --key accepted"
echo "$OUT" | grep -q "required" || fail "provider without --key: $OUT"
ok "help on every storage command; refusals name the reason"

# --- providers ---------------------------------------------------------------
# Starts provider I listening on PORT+10+I, or (when another process took
# that port) on another free one; waits until it listens (bounded).
start_provider() {
    local i=$1 p=$((PORT + 10 + $1))
    for _ in 1 2 3 4 5; do
        # the binary itself, not the cairn() function: $! must be its PID
        "$CAIRN_BIN" --node "$(URL "")" provider storage --data "$TMP/p$i" --capacity 64MiB \
            --key "$TMP/keys/p$i.key" --listen "127.0.0.1:$p" --stake 10 --poll-ms 300 \
            --gc-grace 5 --egress-price 0 >"$TMP/p$i.log" 2>&1 &
        PPID_OF[$i]=$!
        PPORT_OF[$i]=$p
        for _ in $(seq 1 300); do
            grep -q "listening on 127.0.0.1:$p" "$TMP/p$i.log" && return 0
            kill -0 "${PPID_OF[$i]}" 2>/dev/null || break
            sleep 0.1
        done
        wait "${PPID_OF[$i]}" 2>/dev/null || true
        grep -q "already in use\|cannot listen" "$TMP/p$i.log" || fail "provider p$i did not start"
        p=$((20000 + RANDOM % 12000))  # below the ephemeral ports (32768..)
    done
    fail "provider p$i found no free port"
}
# Waits (at most 30 s) until N storage providers are active on chain.
wait_providers() {
    local n
    for _ in $(seq 1 300); do
        n=$(cairn provider list --sector storage --json 2>/dev/null | count active true)
        [ "$n" -ge "$1" ] && return 0
        sleep 0.1
    done
    fail "only $n of $1 storage providers registered within 30 s"
}
for i in 1 2 3 4 5 6; do start_provider $i; done
wait_providers 6
grep -q "registered as a storage provider" "$TMP/p1.log" || fail "p1 did not log its registration"
ok "six providers registered themselves (REGISTER with their endpoints)"

# --- a permanent put: paid once into the endowment ------------------------------
PERM=$(client put "$TMP/small.bin" --permanent --k 2 --n 3 2>"$TMP/perm.err") ||
    { cat "$TMP/perm.err" >&2; fail "permanent put"; }
PST=$(client status "$PERM" --json)
[ "$(echo "$PST" | field permanent)" = true ] || fail "not permanent: $PST"
[ "$(echo "$PST" | count deal_state '"active"')" = 3 ] || fail "not 3 active deals: $PST"
client get "$PERM" "$TMP/small.out" 2>/dev/null || fail "get of the permanent file"
cmp -s "$TMP/small.bin" "$TMP/small.out" || fail "permanent file differs"
client rm "$PERM" >/dev/null || fail "rm of the permanent file"
ok "permanent put of $PERM: 3 deals paid once, got back, removed"

# --- put -----------------------------------------------------------------------
head -c 3145728 /dev/urandom >"$TMP/file.bin"
SUM=$(sha256sum "$TMP/file.bin" | cut -d' ' -f1)
A0=$(units_of "$(addr alice)")
ID=$(client put "$TMP/file.bin" --k 4 --n 6 --segment 1MiB --epochs 200 2>"$TMP/put.err") \
    || { cat "$TMP/put.err" >&2; fail "put"; }
[ ${#ID} -eq 32 ] || fail "put printed \"$ID\", not a file id"
client ls | grep -q "^$ID .*file.bin" || fail "ls does not list $ID"
ST=$(client status "$ID" --json)
[ "$(echo "$ST" | field weakest_segment_alive)" = 6 ] || fail "not all pieces alive: $ST"
[ "$(echo "$ST" | count deal_state '"active"')" = 18 ] || fail "not 18 active deals: $ST"
A1=$(units_of "$(addr alice)")
[ "$A1" -lt "$A0" ] || fail "the escrow did not leave alice's balance"
ok "put $ID: 3 segments x 6 pieces on 6 providers, 18 deals open, escrow paid"

# --- sealed name records on chain ------------------------------------------------
ID2=$(client put "$TMP/small.bin" --k 2 --n 3 --name "notes 2026.txt" 2>"$TMP/put2.err") \
    || { cat "$TMP/put2.err" >&2; fail "put of a named file"; }
if grep -q "not on chain" "$TMP/put2.err"; then fail "put: $(cat "$TMP/put2.err")"; fi
NAMES=$(curl -s "$(URL "/v1/storage/names?owner=$(addr alice)")")
echo "$NAMES" | grep -q "\"id\": *\"$ID\"" || fail "no name record of $ID: $NAMES"
echo "$NAMES" | grep -q "\"id\": *\"$ID2\"" || fail "no name record of $ID2: $NAMES"
if echo "$NAMES" | grep -q "$PERM"; then fail "rm left the name record of $PERM: $NAMES"; fi
if echo "$NAMES" | grep -qi "$(printf 'notes 2026' | od -An -tx1 | tr -d ' \n')"; then
    fail "a name record holds the name in clear: $NAMES"
fi
OUT=$(curl -s "$(URL "/v1/storage/names?owner=$(addr alice)&limit=0")")
echo "$OUT" | grep -q "limit must be" || fail "names with limit=0: $OUT"
ok "put wrote sealed name records of $ID and $ID2 (rm deleted $PERM's)"

# Waits (at most 60 s) until every deal of the file was proven at least once.
wait_proven() {
    local st
    for _ in $(seq 1 600); do
        st=$(client status "$ID" --json)
        [ "$(echo "$st" | count last_proven null)" = 0 ] && return 0
        sleep 0.1
    done
    fail "deals not all proven within 60 s: $(echo "$st" | count last_proven null) never proven"
}
wait_proven
grep -q "proof(s) in" "$TMP/p1.log" || fail "p1 logged no proofs"
ok "every deal proven on chain by its provider"

# --- kill two providers (data pieces 0 and 1), get it back ---------------------
# Provider number serving piece INDEX of segment 0, from the status report.
provider_of_piece() {
    local ep
    ep=$(client status "$ID" --json | tr -d '\n ' | grep -o "\"index\":$1,[^}]*" | head -n 1 |
        grep -o '"endpoint":"[^"]*' | sed 's/.*://')
    for i in 1 2 3 4 5 6 7 8 9; do
        [ "${PPORT_OF[$i]:-}" = "$ep" ] && { echo "$i"; return 0; }
    done
    fail "no provider listens on port $ep"
}
K1=$(provider_of_piece 0)
K2=$(provider_of_piece 1)
kill -KILL "${PPID_OF[$K1]}" "${PPID_OF[$K2]}"
wait "${PPID_OF[$K1]}" 2>/dev/null || true
wait "${PPID_OF[$K2]}" 2>/dev/null || true
PPID_OF[$K1]=""
PPID_OF[$K2]=""
client get "$ID" "$TMP/out.bin" 2>"$TMP/get.err" || { cat "$TMP/get.err" >&2; fail "get"; }
[ "$(sha256sum "$TMP/out.bin" | cut -d' ' -f1)" = "$SUM" ] || fail "got different bytes"
grep -q "skipped" "$TMP/get.err" || fail "get did not report the dead providers"
ok "providers p$K1 and p$K2 killed with SIGKILL; get rebuilt the file, SHA-256 equal"

# --- metadata from the chain and the key alone ----------------------------------
cairn ls --from-chain --key "$TMP/keys/alice.key" --store "$TMP/store2" >"$TMP/ls2" 2>&1 ||
    fail "ls --from-chain: $(cat "$TMP/ls2")"
grep -q "^$ID .*  file.bin$" "$TMP/ls2" || fail "ls --from-chain lacks $ID: $(cat "$TMP/ls2")"
grep -q "^$ID2 .*  notes 2026.txt$" "$TMP/ls2" || fail "ls --from-chain lacks $ID2: $(cat "$TMP/ls2")"
if grep -q "recovered-" "$TMP/ls2"; then fail "ls --from-chain: $(cat "$TMP/ls2")"; fi
if grep -q "$PERM" "$TMP/ls2"; then fail "ls --from-chain brought back the removed $PERM"; fi
client rm "$ID2" >/dev/null || fail "rm of $ID2"
NAMES=$(curl -s "$(URL "/v1/storage/names?owner=$(addr alice)")")
if echo "$NAMES" | grep -q "$ID2"; then fail "rm left the name record of $ID2: $NAMES"; fi
cairn get "$ID" "$TMP/out2.bin" --key "$TMP/keys/alice.key" --store "$TMP/store2" \
    2>"$TMP/get2.err" || fail "get from the recovered store: $(cat "$TMP/get2.err")"
[ "$(sha256sum "$TMP/out2.bin" | cut -d' ' -f1)" = "$SUM" ] || fail "recovered get differs"
ok "store rebuilt from chain + key (ls --from-chain, real names); get from it is SHA-256 equal; rm deleted $ID2's name record"

# --- repair onto new providers ------------------------------------------------------
for i in 7 8 9; do start_provider $i; done
wait_providers 9
REP=$(client repair "$ID" --json 2>"$TMP/repair.err") || { cat "$TMP/repair.err" >&2; fail "repair"; }
[ "$(echo "$REP" | field repaired)" -ge 6 ] || fail "repair placed too few pieces: $REP"
ST=$(client status "$ID" --json)
[ "$(echo "$ST" | field weakest_segment_alive)" = 6 ] || fail "after repair: $ST"
client get "$ID" "$TMP/out3.bin" 2>/dev/null || fail "get after repair"
[ "$(sha256sum "$TMP/out3.bin" | cut -d' ' -f1)" = "$SUM" ] || fail "get after repair differs"
ok "repair moved $(echo "$REP" | field repaired) pieces to new providers; all 18 alive again"

# --- a corrupted piece on disk fails its next challenge ---------------------------
# piece 2 of segment 0: its provider was never killed
C=$(provider_of_piece 2)
ROOT=$(client status "$ID" --json | tr -d '\n ' | grep -o '"index":2,[^}]*' | head -n 1 |
    grep -o '"root":"[0-9a-f]*' | sed 's/.*"//')
PIECE=$TMP/p$C/pieces/$ROOT
[ -f "$PIECE" ] || fail "p$C does not hold piece $ROOT"
printf 'XXXXXXXX' | dd of="$PIECE" bs=1 seek=1000 conv=notrunc 2>/dev/null
FAULT=""
for _ in $(seq 1 400); do
    D=$(curl -s "$(URL "/v1/deals?provider=$(addr p$C)")")
    FAULT=$(echo "$D" | tr -d '\n ' | grep -o "\"root\":\"$ROOT\"[^}]*" |
        grep -o '"total_faults":[1-9][0-9]*' | head -n 1 || true)
    [ -n "$FAULT" ] && break
    sleep 0.1
done
[ -n "$FAULT" ] || fail "the corrupted piece's deal shows no fault on chain within 40 s"
grep -q "cannot prove deal .* fails its checksum\|cannot prove deal .*checksum" "$TMP/p$C.log" \
    || fail "p$C did not log the corrupt piece"
ok "p$C's corrupted piece was not proven: its deal shows $FAULT on chain"

# Three missed proofs in a row end the deal; repair then opens a new one.
DEAL=$(echo "$D" | tr -d '\n ' | grep -o "\"id\":[0-9]*,[^}]*\"root\":\"$ROOT\"" |
    head -n 1 | sed 's/^"id":\([0-9]*\),.*/\1/')
[ -n "$DEAL" ] || fail "no deal of p$C for piece $ROOT"
STATE=""
for _ in $(seq 1 400); do
    STATE=$(curl -s "$(URL "/v1/deal/$DEAL")" | field state)
    [ "$STATE" = ended ] && break
    sleep 0.1
done
[ "$STATE" = ended ] || fail "deal $DEAL is $STATE, not ended by faults, after 40 s"
[ "$(curl -s "$(URL "/v1/deal/$DEAL")" | field end_reason)" = faults ] ||
    fail "deal $DEAL did not end by faults"
client status "$ID" | grep -q "LOST" || fail "status does not show the lost piece"
REP=$(client repair "$ID" --json 2>"$TMP/repair2.err") ||
    { cat "$TMP/repair2.err" >&2; fail "second repair"; }
[ "$(echo "$REP" | field repaired)" = 1 ] || fail "second repair: $REP"
[ "$(client status "$ID" --json | field weakest_segment_alive)" = 6 ] || fail "after repair 2"
ok "deal $DEAL ended after repeated faults; repair opened a new deal for its piece"

# --- rm refunds the escrow ------------------------------------------------------------
B0=$(units_of "$(addr alice)")
RM=$(client rm "$ID" --json) || fail "rm"
REFUND=$(echo "$RM" | field refund_units)
echo "$RM" | grep -q '"refund_units": "[0-9]*"' || fail "refund_units is not a string as every *_units: $RM"
[ "$REFUND" -gt 0 ] || fail "rm refunded nothing: $RM"
B1=$(units_of "$(addr alice)")
[ "$B1" -gt "$B0" ] || fail "alice's balance did not grow: $B0 -> $B1"
if client status "$ID" >/dev/null 2>&1; then fail "status still knows $ID after rm"; fi
ok "rm ended the deals: $REFUND units came back from escrow ($B0 -> $B1)"

# Providers drop the pieces of ended deals (after a 5 s grace here).
left=""
for _ in $(seq 1 600); do
    left=""
    for i in 1 2 3 4 5 6 7 8 9; do
        [ -n "${PPID_OF[$i]}" ] || continue
        left="$left$(find "$TMP/p$i/pieces" -type f | head -n 1)"
    done
    [ -z "$left" ] && break
    sleep 0.1
done
[ -z "$left" ] || fail "pieces of ended deals still on disk after 60 s: $left"
grep -q "dropped .* piece(s) no running deal needs" "$TMP/p$C.log" || fail "p$C logged no GC"
ok "providers garbage-collected every piece of the ended deals"

# --- clean stop ---------------------------------------------------------------------------
for i in 1 2 3 4 5 6 7 8 9; do
    p=${PPID_OF[$i]:-}
    [ -n "$p" ] || continue
    kill -TERM "$p"
    rc=0
    wait "$p" || rc=$?
    PPID_OF[$i]=""
    [ "$rc" -eq 0 ] || fail "provider p$i exited with $rc after SIGTERM"
done
grep -q "stopping" "$TMP/p$C.log" || fail "p$C did not log its stop"
ok "providers stopped cleanly on SIGTERM"
