#!/usr/bin/env bash
# Paid retrieval end to end (docs/storage.md, "Paid retrieval"): a
# sequencer, four `cairn provider storage` daemons charging 1000 tokens per
# GiB served (so that every 512 KiB piece costs ~0.49 token, above the
# default face value of 100 minimum fees: each ticket wins, which makes the
# test deterministic), and alice:
#  - puts a file (storing is paid by the deals, not by tickets);
#  - without ticket funds, `cairn get` is refused with payment_required and
#    told to run `cairn tickets fund`; so is `status` (which fetches);
#  - `cairn tickets fund 10` then `get`: the bytes come back (SHA-256
#    equal), every FETCH carried a winning ticket, the providers redeem them
#    on chain (TICKET_REDEEM, "ticket redeemed" in their logs), alice's
#    ticket deposit falls by exactly their face values and the paid
#    providers' balances rise (the genesis gives providers half of every
#    service fee: a redeemed ticket is paid through the fee split, as a
#    deal's price is);
#  - the node stopped, the books audit of its data dir holds.
# Replayed, underpriced, misaddressed and stale tickets are refused in
# tests/unit/test_storage_proto.c (provider_charges) over real connections.
# Every process stopped by PID; every wait bounded.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
: "${CAIRN_REPLICAS_AUDIT:?CAIRN_REPLICAS_AUDIT must point at the replicas_audit binary (run through ctest)}"
lib_init storage-paid
K() { echo "$TMP/keys/$1.key"; }
client() { cairn "$@" --key "$(K alice)" --store "$TMP/store"; }
units_of() { cairn balance "$1" --json | field balance_units; }
deposit_units() { cairn tickets show "$(addr alice)" --json | field deposit_units; }

keys sequencer alice p1 p2 p3 p4
ALLOC="{\"address\": \"$(addr alice)\", \"amount\": \"100000\"}"
for k in p1 p2 p3 p4; do ALLOC="$ALLOC, {\"address\": \"$(addr $k)\", \"amount\": \"1000\"}"; done
cat >"$TMP/genesis.json" <<JSON
{"chain_id": "cairn-storage-paid-test", "token": {"name": "Cairn", "symbol": "CRN"},
 "supply_cap": "1000000000", "genesis_time_ms": 1700000000000,
 "block_interval_ms": 250, "max_block_txs": 1000, "min_fee": "0.001",
 "sequencer": "$(addr sequencer)", "allocations": [$ALLOC],
 "economy": {"epoch_blocks": 40, "min_provider_stake": "10",
             "fee_provider_bps": 5000, "fee_burn_bps": 2000,
             "fee_treasury_bps": 2000, "fee_stakers_bps": 1000}}
JSON
start_node "$TMP/genesis.json"
ok "node on $PORT"
LIB_EGRESS_PRICE=1000 start_storage 4
ok "four storage providers charging 1000 tokens per GiB served"

# --- put, then a get without ticket funds ---------------------------------------
head -c 1048576 /dev/urandom >"$TMP/file.bin"
SUM=$(sha256sum "$TMP/file.bin" | cut -d' ' -f1)
ID=""
for _ in $(seq 1 30); do # providers that just registered may not have read the chain
    ID=$(client put "$TMP/file.bin" --k 2 --n 4 --segment 1MiB --epochs 100 2>"$TMP/put.err") && break
    grep -q "few_providers\|storage provider(s) can take" "$TMP/put.err" || break
    sleep 1
done
[ ${#ID} -eq 32 ] || fail "put: $(cat "$TMP/put.err")"
ok "put $ID: 1 segment, 2-of-4, 512 KiB pieces"

expect client get "$ID" "$TMP/nope.bin" -- "payment" "cairn tickets fund"
[ ! -e "$TMP/nope.bin" ] || fail "a refused get left a file"
expect client status "$ID" -- "want payment" "cairn tickets fund"
ok "without ticket funds: get and status refused with payment_required"

# --- fund, get, redemption --------------------------------------------------------
cairn tickets fund 10 --key "$(K alice)" >/dev/null || fail "tickets fund"
D0=$(deposit_units)
[ "$D0" = 10000000 ] || fail "deposit after funding: $D0"
cairn tickets show --key "$(K alice)" | grep -q "deposit 10" || fail "tickets show: $(cairn tickets show --key "$(K alice)")"
declare -A B0
for k in p1 p2 p3 p4; do B0[$k]=$(units_of "$(addr $k)"); done
sleep 1 # the providers read a sender's funds once per poll round (300 ms)
client get "$ID" "$TMP/out.bin" 2>"$TMP/get.err" || { cat "$TMP/get.err" >&2; fail "paid get"; }
[ "$(sha256sum "$TMP/out.bin" | cut -d' ' -f1)" = "$SUM" ] || fail "got different bytes"
grep -q "paid with lottery tickets worth 0.976578 tokens" "$TMP/get.err" ||
    fail "get did not say what it paid: $(cat "$TMP/get.err")" # 2 x ceil(10^9 x 524296 / 2^30) (a piece: 512 KiB + its 8-byte header)
ok "funded: get paid with tickets ($(grep -o "worth [0-9.]* tokens" "$TMP/get.err")), SHA-256 equal"

redeemed() { cat "$TMP"/p*.log | grep -c "ticket redeemed" || true; }
redeemed_2() { [ "$(redeemed)" -ge 2 ]; }
wait_for 30 redeemed_2 || fail "fewer than 2 tickets redeemed: $(redeemed)"
N=$(redeemed)
# each redeemed ticket's face value, from the providers' lines
FACES=$(cat "$TMP"/p*.log | grep "ticket redeemed" | sed 's/.*redeemed: \([0-9]*\) base units.*/\1/' | paste -sd+ | bc)
deposit_paid() { [ "$(deposit_units)" = "$((D0 - FACES))" ]; }
wait_for 30 deposit_paid ||
    fail "deposit $(deposit_units), expected $D0 - $FACES ($N tickets)"
[ "$(cat "$TMP"/p*.log | grep -c "winning ticket stored")" = "$N" ] || fail "stored and redeemed differ"
ROSE=0
for k in p1 p2 p3 p4; do
    if grep -q "ticket redeemed" "$TMP/$k.log"; then
        [ "$(units_of "$(addr $k)")" -gt "${B0[$k]}" ] || fail "$k redeemed but its balance did not rise: ${B0[$k]} -> $(units_of "$(addr $k)")"
        ROSE=$((ROSE + 1))
    fi
done
[ "$ROSE" -ge 1 ] || fail "no provider was paid"
ls "$TMP"/p*/tickets/sent/* >/dev/null 2>&1 || fail "no ticket filed under tickets/sent/"
ok "$N winning tickets redeemed on chain ($FACES base units from alice's deposit); $ROSE provider(s) paid"

# --- withdrawing ticket funds: a request first, paid after the unlock ------------
cairn tickets withdraw 1 --key "$(K alice)" >/dev/null || fail "tickets withdraw"
[ "$(cairn tickets show "$(addr alice)" --json | field pending_units)" = 1000000 ] ||
    fail "withdrawal not pending: $(cairn tickets show "$(addr alice)")"
expect cairn tickets withdraw 2 --key "$(K alice)" -- "a withdrawal of 1 tokens is pending" "at or after height"
ok "tickets withdraw: 1 token pending until the unlock height; another amount refused"

# --- the books -------------------------------------------------------------------
for p in "${LIB_PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
LIB_PIDS=()
kill -TERM "$NODE_PID"
wait "$NODE_PID" 2>/dev/null || true
NODE_PID=""
AUD=$("$CAIRN_REPLICAS_AUDIT" "$TMP/chain") || fail "books audit: $AUD"
ok "books audit holds: $(echo "$AUD" | tail -n 1)"
echo "PASS: test_storage_paid"
