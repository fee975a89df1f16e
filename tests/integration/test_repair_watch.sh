#!/usr/bin/env bash
# The repair checker (`cairn repair --watch`, docs/storage.md) as a user
# runs it beside their files, with real processes on 127.0.0.1: a node with
# 2-second epochs and six storage providers that charge for reads (0.01
# per GiB, paid with lottery tickets); a 2-of-4 file of 3 segments.
#  - the checker's first pass finds nothing to do;
#  - two of the file's four providers are killed (kill -9): the file is
#    still readable (k = 2 alive), and without being asked the checker
#    rebuilds the lost pieces on the two providers holding none, until
#    every segment has 4 alive pieces again, and logs it (its reads are
#    paid like get's);
#  - the file comes back byte-identical from the new set of providers;
#  - --watch with an ID, or against a store it cannot open, is refused.
# Every process started is stopped by PID; every wait is bounded.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
lib_init repair-watch
K() { echo "$TMP/keys/$1.key"; }

keys sequencer user p1 p2 p3 p4 p5 p6
ALLOC="{\"address\": \"$(addr user)\", \"amount\": \"100000\"}, "
for k in p1 p2 p3 p4 p5 p6; do ALLOC="$ALLOC{\"address\": \"$(addr $k)\", \"amount\": \"1000\"}, "; done
cat >"$TMP/genesis.json" <<JSON
{"chain_id": "cairn-repair-watch-test", "token": {"name": "Cairn", "symbol": "CRN"},
 "supply_cap": "1000000000", "genesis_time_ms": 1700000000000,
 "block_interval_ms": 250, "max_block_txs": 1000, "min_fee": "0.001",
 "sequencer": "$(addr sequencer)", "allocations": [${ALLOC%, }],
 "economy": {"epoch_blocks": 8, "min_provider_stake": "10"}}
JSON
start_node "$TMP/genesis.json"
LIB_EGRESS_PRICE=0.01 start_storage 6
ok "node on $PORT, six storage providers registered"
cairn tickets fund 10 --key "$(K user)" >/dev/null || fail "tickets fund"

head -c 300000 /dev/urandom >"$TMP/data.bin"
ID=$(cairn put "$TMP/data.bin" --k 2 --n 4 --segment 128KiB --epochs 200 \
    --key "$(K user)" --json | field id) || fail "put"
[ -n "$ID" ] || fail "put printed no id"
ok "put $ID: 2-of-4, 3 segments"
alive() { cairn status "$ID" --no-fetch --key "$(K user)" --json | field weakest_segment_alive; }
[ "$(alive)" = 4 ] || fail "a new file has $(alive) alive pieces in its weakest segment"

expect cairn repair --watch "$ID" --key "$(K user)" -- "give no ID"

"$CAIRN_BIN" --node "$(URL)" repair --watch --key "$(K user)" >"$TMP/watch.log" 2>&1 &
WATCH_PID=$!
track "$WATCH_PID"
wait_for 30 grep -q "checked 1 file(s): 0 below" "$TMP/watch.log" ||
    fail "the checker's first pass did not report the healthy file"
ok "first pass: nothing below the threshold"

# The providers of piece 0 and 1 of segment 0 (2-of-4: all four hold a
# piece of every segment), by address -> which pN.
holders=$(cairn status "$ID" --no-fetch --key "$(K user)" --json |
    grep -o '"provider": *"[^"]*"' | sed 's/.*"\([^"]*\)"$/\1/' | sort -u)
killed=0
for pn in 1 2 3 4 5 6; do
    [ "$killed" -lt 2 ] || break
    if echo "$holders" | grep -qx "$(addr p$pn)"; then
        pid=$(pgrep -f -- "--data $TMP/p$pn " || true)
        [ -n "$pid" ] || fail "no process for provider p$pn"
        kill -9 $pid
        killed=$((killed + 1))
        ok "killed provider p$pn (pid $pid) with kill -9"
    fi
done
[ "$killed" = 2 ] || fail "found $killed of the file's providers to kill"

cairn get "$ID" "$TMP/mid.bin" --key "$(K user)" 2>"$TMP/get1.log" || fail "get with 2 of 4 down: $(cat "$TMP/get1.log")"
cmp -s "$TMP/data.bin" "$TMP/mid.bin" || fail "the file read with 2 of 4 down differs"
ok "readable with n - k providers down"

wait_for 90 grep -q "back to full health" "$TMP/watch.log" ||
    fail "the checker did not repair the file: $(tail -n 5 "$TMP/watch.log")"
[ "$(alive)" = 4 ] || fail "after the repair the weakest segment has $(alive) alive pieces"
grep -q "2 of 4 pieces alive in its weakest segment (threshold 3)" "$TMP/watch.log" ||
    fail "the log does not say why it repaired: $(grep repair: "$TMP/watch.log" | tail -n 3)"
ok "the checker brought every segment back to 4 alive pieces by itself"

cairn get "$ID" "$TMP/back.bin" --key "$(K user)" 2>"$TMP/get2.log" || fail "get after repair: $(cat "$TMP/get2.log")"
cmp -s "$TMP/data.bin" "$TMP/back.bin" || fail "the file differs after repair"
ok "byte-identical after the repair"

kill -TERM "$WATCH_PID"
wait_for 10 grep -q "repair: stopped" "$TMP/watch.log" || fail "the checker did not stop on SIGTERM"
ok "the checker stops on SIGTERM"
