#!/usr/bin/env bash
# The storage commands as a new user meets them (issue 8, points 6-11), with
# real processes on 127.0.0.1: a sequencer with 2-second epochs, a follower
# of it, and three `cairn provider storage` daemons asking 0.0002 per MiB.
#  - keygen writes ~/.cairn/key (dir 0700, never overwritten), which the
#    storage commands read when given no --key;
#  - a provider or a put pointed at the follower is refused at once, naming
#    the sequencer's URL, before any piece is uploaded;
#  - --max-price 0 is refused; a price below every ask names the price and
#    the lowest one on offer;
#  - put prints its cost, which is what left the account; rm of a permanent
#    file says what of the endowment comes back, and it does;
#  - with one of three providers down repair has nowhere to go and exits 1
#    saying why; with two down status and get agree that the file is lost
#    (status exits 1); once both are back (their deals ended by faults)
#    status and get agree that it is retrievable, and repair puts the
#    pieces back with them.
# Every process started is stopped by PID; every wait is bounded.
# Needs bash, grep, sed, tr, find, stat, timeout, head, cmp and cairn.
set -euo pipefail

: "${CAIRN_BIN:?CAIRN_BIN must point at the cairn binary (run through ctest)}"
TMP=$(mktemp -d /tmp/cairn-sclient-XXXXXX)
export HOME=$TMP/home # keygen's and the client's defaults live here
mkdir -p "$HOME"
PORT=0
NODE_PID=""
FOLLOW_PID=""
declare -a PPID_OF PPORT_OF

# Stops everything we started (by PID) and removes the temp dir.
cleanup() {
    local p
    for p in "${PPID_OF[@]:-}" "$FOLLOW_PID" "$NODE_PID"; do
        [ -n "$p" ] && kill -TERM "$p" 2>/dev/null || true
    done
    for p in "${PPID_OF[@]:-}" "$FOLLOW_PID" "$NODE_PID"; do
        [ -n "$p" ] && wait "$p" 2>/dev/null || true
    done
    if [ -z "${CAIRN_KEEP_TMP:-}" ]; then rm -rf "$TMP"; else echo "kept $TMP"; fi
}
trap cleanup EXIT

fail() {
    echo "FAIL: $*" >&2
    for f in "$TMP"/node.out "$TMP"/follower.out "$TMP"/p*.log; do
        [ -f "$f" ] && { echo "--- $f" >&2; tail -n 15 "$f" >&2; }
    done
    exit 1
}
ok() { echo "ok: $*"; }

SEQ_URL() { echo "http://127.0.0.1:$PORT"; }
FOL_URL() { echo "http://127.0.0.1:$((PORT + 1))"; }
cairn() { "$CAIRN_BIN" --node "$(SEQ_URL)" "$@"; }
field() { grep -o "\"$1\": *\"\?[^\",}]*" | head -n 1 | sed 's/^[^:]*: *"\?//'; }
count() { { grep -o "\"$1\": *$2" || true; } | wc -l; }
units_of() { cairn balance "$1" --json | field balance_units; }
# Runs a command that must fail; its stdout and stderr go to $OUT.
must_fail() {
    if OUT=$("$@" 2>&1); then fail "succeeded, should not have: $*"; fi
}

# --- 11: keygen's default is the storage commands' default ------------------
cd "$TMP" # where the old default, ./cairn.key, would land
"$CAIRN_BIN" keygen >"$TMP/alice.addr" 2>"$TMP/keygen.err" || fail "keygen: $(cat "$TMP/keygen.err")"
[ -f "$HOME/.cairn/key" ] || fail "keygen did not write ~/.cairn/key: $(cat "$TMP/keygen.err")"
[ "$(stat -c %a "$HOME/.cairn")" = 700 ] || fail "~/.cairn is not mode 0700"
[ "$(stat -c %a "$HOME/.cairn/key")" = 600 ] || fail "~/.cairn/key is not mode 0600"
[ ! -e "$TMP/cairn.key" ] || fail "keygen wrote ./cairn.key"
cp "$HOME/.cairn/key" "$TMP/key.before"
must_fail "$CAIRN_BIN" keygen
echo "$OUT" | grep -q "already exists" || fail "second keygen: $OUT"
cmp -s "$HOME/.cairn/key" "$TMP/key.before" || fail "second keygen changed the key"
ALICE=$(cat "$TMP/alice.addr")
[ "$("$CAIRN_BIN" address --key "$HOME/.cairn/key")" = "$ALICE" ] || fail "address of ~/.cairn/key"
ok "keygen wrote ~/.cairn/key (0600, in a 0700 dir) and refuses to overwrite it"

# --- keys, genesis, sequencer and follower -----------------------------------
mkdir -p "$TMP/keys"
for k in sequencer p1 p2 p3 p4; do
    "$CAIRN_BIN" keygen --out "$TMP/keys/$k.key" >"$TMP/keys/$k.addr" 2>/dev/null
done
addr() { cat "$TMP/keys/$1.addr"; }
ALLOC="{\"address\": \"$ALICE\", \"amount\": \"100000\"}"
for i in 1 2 3 4; do
    ALLOC="$ALLOC, {\"address\": \"$(addr p$i)\", \"amount\": \"1000\"}"
done
# deals end after 2 missed proofs; faults never jail (providers come back);
# the permanent rate meets the providers' ask
cat >"$TMP/genesis.json" <<EOF
{"chain_id": "cairn-sclient-test", "token": {"name": "Cairn", "symbol": "CRN"},
 "supply_cap": "1000000000", "genesis_time_ms": 1700000000000,
 "block_interval_ms": 250, "max_block_txs": 1000, "min_fee": "0.001",
 "sequencer": "$(addr sequencer)", "allocations": [$ALLOC],
 "economy": {"epoch_blocks": 8, "min_provider_stake": "10",
             "deal_max_faults": 2, "jail_after_faults": 1000,
             "perm_cost_per_mib": "0.0002"}}
EOF
"$CAIRN_BIN" init --genesis "$TMP/genesis.json" --data "$TMP/chain" >/dev/null || fail "init"
"$CAIRN_BIN" init --genesis "$TMP/genesis.json" --data "$TMP/fchain" >/dev/null || fail "init 2"

# Starts node $1 (its args follow) on port $2; waits until it answers.
start_node() {
    local out=$1 port=$2 pid
    shift 2
    "$CAIRN_BIN" node "$@" --listen "127.0.0.1:$port" >"$TMP/$out.out" 2>&1 &
    pid=$!
    for _ in $(seq 1 300); do
        if "$CAIRN_BIN" --node "http://127.0.0.1:$port" status >/dev/null 2>&1; then
            STARTED=$pid
            return 0
        fi
        kill -0 "$pid" 2>/dev/null || { wait "$pid" || true; return 1; }
        sleep 0.1
    done
    fail "node $out did not answer within 30 s"
}
for attempt in 1 2 3 4 5; do
    PORT=$((20000 + RANDOM % 12000))  # below the ephemeral ports (32768..)
    start_node node "$PORT" --data "$TMP/chain" --key "$TMP/keys/sequencer.key" &&
        NODE_PID=$STARTED && start_node follower $((PORT + 1)) --data "$TMP/fchain" \
        --follow "$(SEQ_URL)" && FOLLOW_PID=$STARTED && break
    [ -z "$NODE_PID" ] || { kill -TERM "$NODE_PID"; wait "$NODE_PID" || true; NODE_PID=""; }
    [ "$attempt" -lt 5 ] || fail "nodes would not start"
done
"$CAIRN_BIN" --node "$(FOL_URL)" status --json | grep -q '"follower"' || fail "not a follower"
ok "sequencer on $PORT, follower on $((PORT + 1))"

# --- providers ----------------------------------------------------------------
# Starts provider I on its last port, or PORT+10+I the first time, and
# waits until it listens; when the port is taken (by anyone: tests run side
# by side), on a random other one (the provider moves its registered
# endpoint there).
start_provider() {
    local i=$1 port=${PPORT_OF[$1]:-$((PORT + 10 + $1))}
    for _ in 1 2 3 4 5; do
        "$CAIRN_BIN" --node "$(SEQ_URL)" provider storage --data "$TMP/p$i" --capacity 64MiB \
            --key "$TMP/keys/p$i.key" --listen "127.0.0.1:$port" --stake 10 \
            --price 0.0002 --poll-ms 300 --gc-grace 600 --egress-price 0 >"$TMP/p$i.log" 2>&1 &
        PPID_OF[$i]=$!
        for _ in $(seq 1 300); do
            if grep -q "listening on 127.0.0.1:$port" "$TMP/p$i.log"; then
                PPORT_OF[$i]=$port
                return 0
            fi
            kill -0 "${PPID_OF[$i]}" 2>/dev/null || break
            sleep 0.1
        done
        wait "${PPID_OF[$i]}" 2>/dev/null || true
        PPID_OF[$i]=""
        grep -q "cannot listen" "$TMP/p$i.log" || fail "provider p$i did not start"
        port=$((20000 + RANDOM % 12000))  # below the ephemeral ports (32768..)
    done
    fail "provider p$i found no free port"
}
wait_providers() {
    local n=0
    for _ in $(seq 1 300); do
        n=$(cairn provider list --sector storage --json 2>/dev/null | count active true)
        [ "$n" -ge "$1" ] && return 0
        sleep 0.1
    done
    fail "only $n of $1 storage providers registered within 30 s"
}
for i in 1 2 3; do start_provider $i; done
wait_providers 3
ok "three providers registered"

# --- 6: a follower takes no transactions: refused at once ---------------------
rc=0
OUT=$(timeout 30 "$CAIRN_BIN" --node "$(FOL_URL)" provider storage --data "$TMP/p4" \
    --capacity 64MiB --key "$TMP/keys/p4.key" --listen "127.0.0.1:$((PORT + 14))" \
    --stake 10 2>&1) || rc=$?
[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] || fail "provider on the follower: exit $rc: $OUT"
echo "$OUT" | grep -q "follower" || fail "provider refusal does not say follower: $OUT"
echo "$OUT" | grep -qF -- "--node $(SEQ_URL)" || fail "provider refusal lacks the URL: $OUT"
head -c 200000 /dev/urandom >"$TMP/small.bin"
must_fail "$CAIRN_BIN" --node "$(FOL_URL)" put "$TMP/small.bin" --k 2 --n 3
echo "$OUT" | grep -qF -- "--node $(SEQ_URL)" || fail "put refusal lacks the URL: $OUT"
if echo "$OUT" | grep -q "no deal"; then fail "put uploaded before refusing: $OUT"; fi
left=$(find "$TMP"/p1/pieces "$TMP"/p2/pieces "$TMP"/p3/pieces -type f 2>/dev/null | head -n 1)
[ -z "$left" ] || fail "pieces were uploaded for a put to the follower: $left"
ok "provider and put pointed at the follower are refused at once: $OUT"

# --- 10: --max-price -------------------------------------------------------------
must_fail cairn put "$TMP/small.bin" --k 2 --n 3 --max-price 0
echo "$OUT" | grep -q -- "--max-price must be above 0" || fail "--max-price 0: $OUT"
must_fail cairn put "$TMP/small.bin" --k 2 --n 3 --max-price 0.0001
echo "$OUT" | grep -q "3 ask more than --max-price 0.0001" || fail "low price: $OUT"
echo "$OUT" | grep -q "lowest price on offer is 0.0002" || fail "lowest price: $OUT"
ok "--max-price 0 refused; a low one is named with the lowest price on offer"

# --- 9: what put costs, what rm of a permanent file gives back ----------------------
A0=$(units_of "$ALICE")
PUT=$(cairn put "$TMP/small.bin" --k 2 --n 3 --permanent --json 2>"$TMP/perm.err") ||
    fail "permanent put: $(cat "$TMP/perm.err")"
PERM=$(echo "$PUT" | field id)
COST=$(echo "$PUT" | field cost_units)
A1=$(units_of "$ALICE")
[ -n "$COST" ] && [ "$COST" -gt 0 ] || fail "put --json has no cost: $PUT"
[ $((A0 - A1)) -eq "$COST" ] || fail "cost $COST but alice paid $((A0 - A1))"
[ "$(echo "$PUT" | field deals)" = 3 ] || fail "not 3 deals: $PUT"
[ "$(echo "$PUT" | field named)" = true ] || fail "no name record on chain: $PUT"
ENDOW=$(echo "$PUT" | field escrow_units)
RM=$(cairn rm "$PERM" --json) || fail "rm of the permanent file"
NOW=$(echo "$RM" | field refund_units)
LATER=$(echo "$RM" | field endowment_returning_units)
# all of it (less an epoch's payout, 0.1% of it, had one been settled since)
[ $((NOW + LATER)) -le "$ENDOW" ] && [ $(((NOW + LATER) * 1000)) -ge $((ENDOW * 998)) ] ||
    fail "rm says $NOW now and $LATER later of $ENDOW: $RM"
# back: what alice has gained since the put, plus rm's 4 fees (3 DEAL_END,
# and the FILE_NAME that deletes the name record)
back() { echo $(($(units_of "$ALICE") - A1 + 4000)); }
for _ in $(seq 1 200); do
    [ $(($(back) * 1000)) -ge $((ENDOW * 998)) ] && break
    sleep 0.1
done
GOT=$(back)
[ "$GOT" -le "$ENDOW" ] && [ $((GOT * 1000)) -ge $((ENDOW * 998)) ] ||
    fail "endowment $ENDOW, but $GOT came back"
A2=$(units_of "$ALICE")
ID=$(cairn put "$TMP/small.bin" --k 2 --n 3 --segment 128KiB --epochs 50 2>"$TMP/put.err") ||
    fail "put: $(cat "$TMP/put.err")"
A3=$(units_of "$ALICE")
grep -q "^cost .* tokens: .* held in escrow for 50 epoch(s) by 6 deal(s)" "$TMP/put.err" ||
    fail "put does not say what it cost: $(cat "$TMP/put.err")"
# 6 deals of 0.0002 x 1 MiB for 50 epochs, and 7 fees of 0.001 (6 deals and
# the name record)
[ $((A2 - A3)) -eq $((6 * 200 * 50 + 7 * 1000)) ] || fail "term put took $((A2 - A3))"
ok "put told its cost ($COST; $((A2 - A3))) and that is what it took; rm gave back $GOT of the endowment $ENDOW"

# --- 7 and 8: status, get and repair as providers go and come back ----------------
wait_proven() {
    for _ in $(seq 1 400); do
        [ "$(cairn status "$ID" --json --no-fetch | count last_proven null)" = 0 ] && return 0
        sleep 0.1
    done
    fail "deals not all proven within 40 s"
}
wait_proven
provider_of() { # the provider number holding piece $1 of segment 0
    local ep i
    ep=$(cairn status "$ID" --json --no-fetch | tr -d '\n ' | grep -o "\"index\":$1,[^}]*" |
        head -n 1 | grep -o '"provider":"[^"]*' | sed 's/.*"//')
    for i in 1 2 3; do
        [ "$(addr p$i)" = "$ep" ] && { echo "$i"; return 0; }
    done
    fail "piece $1 is with no provider of this test: $ep"
}
K1=$(provider_of 1)
K2=$(provider_of 2)
stop_provider() {
    kill -KILL "${PPID_OF[$1]}"
    wait "${PPID_OF[$1]}" 2>/dev/null || true
    PPID_OF[$1]=""
}
stop_provider "$K1"
cairn status "$ID" >"$TMP/st1" 2>&1 || fail "status with one provider down: $(cat "$TMP/st1")"
must_fail cairn repair "$ID"
echo "$OUT" | grep -q "add providers" || fail "repair does not say why: $OUT"
echo "$OUT" | grep -q "NOT back to full health" || fail "repair does not say the file is not whole: $OUT"
ok "one provider down: repair exits 1: $(echo "$OUT" | tail -n 1)"

stop_provider "$K2"
must_fail cairn status "$ID"
echo "$OUT" | grep -q "NOT RETRIEVABLE" || fail "status with two down: $OUT"
must_fail cairn get "$ID" "$TMP/lost.bin"
ok "two providers down: status and get both say the file cannot be had (status exits 1)"

# Both deals end by faults (2 missed epochs); then the providers come back.
for _ in $(seq 1 400); do
    [ "$(cairn status "$ID" --json --no-fetch 2>/dev/null | count deal_state '"ended"')" -ge 4 ] && break
    sleep 0.1
done
[ "$(cairn status "$ID" --json --no-fetch 2>/dev/null | count deal_state '"ended"')" -ge 4 ] ||
    fail "the down providers' deals did not end within 40 s"
start_provider "$K1"
start_provider "$K2"
for _ in $(seq 1 300); do
    S=$(cairn status "$ID" --json --no-fetch 2>/dev/null || true)
    echo "$S" | grep -q '"reachable": false' || break
    sleep 0.1
done
ST=$(cairn status "$ID" --json 2>"$TMP/st2.err") || fail "status after the providers came back: $ST"
[ "$(echo "$ST" | field retrievable)" = true ] || fail "not retrievable: $ST"
[ "$(echo "$ST" | field weakest_segment_alive)" = 1 ] || fail "expected 1 alive: $ST"
cairn get "$ID" "$TMP/back.bin" 2>/dev/null || fail "get after the providers came back"
cmp -s "$TMP/small.bin" "$TMP/back.bin" || fail "got other bytes"
ok "providers back with ended deals: status and get agree the file is retrievable"

REP=$(cairn repair "$ID" --json 2>"$TMP/rep.err") || fail "repair: $REP $(cat "$TMP/rep.err")"
[ "$(echo "$REP" | field repaired)" = 4 ] || fail "repair placed $(echo "$REP" | field repaired), not 4: $REP"
ST=$(cairn status "$ID" --json) || fail "status after repair"
[ "$(echo "$ST" | field weakest_segment_alive)" = 3 ] || fail "after repair: $ST"
[ "$(provider_of 1)" = "$K1" ] && [ "$(provider_of 2)" = "$K2" ] ||
    fail "repair did not put the pieces back with the providers that came back"
ok "repair put the 4 lost pieces back with the providers that came back; all alive"
echo "PASS"
