#!/usr/bin/env bash
# `cairn sensor read` and `cairn sensor map get` end to end: a sequencer,
# three `cairn provider storage` daemons and two device agents (`cairn
# provider sensor`, owners owner1 and owner2) replaying the same recorded
# drive (tests/data/drives/drive1.csv):
#  - owner1 pairs dev1 with `cairn sensor pair`, grants app1 location and
#    app2 all, both pay; the agent seals each batch's keys to them;
#  - app1 reads t_ms,lat,lon (no value column), app2 t_ms,lat,lon,value,
#    both exactly the drive's first 60 readings (the file fetched from the
#    storage providers with the sealed file key, its hash checked against
#    the chain, the sections decrypted); app3, without a grant, is told to
#    ask the owner;
#  - after a revoke, a new batch is not sealed to app1: it still reads the
#    two earlier ones and is told about the third;
#  - the two owners' devices agree on tiles: `map tiles` lists them and a
#    reader with credits reads one with `map get` (one credit spent).
# Skips when `cairn sensor` or `cairn provider sensor` is not wired in
# (src/sensor/plugin.c). Every process is stopped by PID; waits bounded.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

if ! "$CAIRN_BIN" sensor --help >/dev/null 2>&1 ||
    ! "$CAIRN_BIN" provider sensor --help >/dev/null 2>&1; then
    echo "SKIP: cairn sensor / provider sensor are not wired into this build"
    exit 0
fi
command -v python3 >/dev/null || { echo "SKIP: python3 is not installed"; exit 0; }
lib_init sensor-read
SRC=${CAIRN_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
DRIVE=$SRC/tests/data/drives/drive1.csv
K() { echo "$TMP/keys/$1.key"; }

keys sequencer p1 p2 p3 owner1 owner2 dev1 dev2 app1 app2 app3 reader
ALLOC=""
for k in owner1 owner2 app1 app2 app3 reader; do
    ALLOC="$ALLOC{\"address\": \"$(addr $k)\", \"amount\": \"100000\"}, "
done
for k in p1 p2 p3; do ALLOC="$ALLOC{\"address\": \"$(addr $k)\", \"amount\": \"1000\"}, "; done
cat >"$TMP/genesis.json" <<JSON
{"chain_id": "cairn-sensor-read-test", "token": {"name": "Cairn", "symbol": "CRN"},
 "supply_cap": "1000000000", "genesis_time_ms": 1700000000000,
 "block_interval_ms": 250, "max_block_txs": 1000, "min_fee": "0.001",
 "sequencer": "$(addr sequencer)", "allocations": [${ALLOC%, }],
 "economy": {"epoch_blocks": 40, "min_provider_stake": "10",
             "price_oracle": "$(addr reader)"}}
JSON
start_node "$TMP/genesis.json"
ok "node on $PORT"
start_storage 3
ok "three storage providers registered"

D1=$(addr dev1)
cairn sensor pair --key "$(K owner1)" --device-key "$(K dev1)" >/dev/null || fail "pair dev1"
cairn sensor pair --key "$(K owner2)" --device-key "$(K dev2)" >/dev/null || fail "pair dev2"
cairn sensor grant "$D1" "$(addr app1)" --privileges location --expiry-epochs 1000 --price 1 \
    --key "$(K owner1)" >/dev/null || fail "grant app1"
cairn sensor grant "$D1" "$(addr app2)" --privileges all --expiry-epochs 1000 --price 1 \
    --key "$(K owner1)" >/dev/null || fail "grant app2"
for a in app1 app2; do
    cairn sensor pay "$D1" --periods 5 --max-price 1 --key "$(K $a)" >/dev/null || fail "pay $a"
done
cairn sensor device "$D1" | grep -c " active$" | grep -qx 2 || fail "grants: $(cairn sensor device "$D1")"
ok "dev1, dev2 paired by cairn sensor pair; app1 (location) and app2 (all) granted and paid"

# Runs both agents for N batches each and waits (bounded) for them.
agents() {
    local n=$1 p1 p2
    "$CAIRN_BIN" --node "$(URL)" provider sensor --data "$TMP/a1" --device-key "$(K dev1)" \
        --owner-key "$(K owner1)" --drive "$DRIVE" --batch-readings 30 --max-batches "$n" \
        >>"$TMP/agent1.log" 2>&1 &
    p1=$!
    track "$p1"
    "$CAIRN_BIN" --node "$(URL)" provider sensor --data "$TMP/a2" --device-key "$(K dev2)" \
        --owner-key "$(K owner2)" --drive "$DRIVE" --batch-readings 30 --max-batches "$n" \
        >>"$TMP/agent2.log" 2>&1 &
    p2=$!
    track "$p2"
    gone() { ! kill -0 "$p1" 2>/dev/null && ! kill -0 "$p2" 2>/dev/null; }
    wait_for 180 gone || fail "the agents did not finish within 180 s"
    wait "$p1" || fail "agent 1 exited non-zero"
    wait "$p2" || fail "agent 2 exited non-zero"
}
agents 2
grep -q "batch 2 registered" "$TMP/agent1.log" || fail "agent 1: no batch 2"
ok "two agents registered two batches each"

# --- read: columns by privilege, readings exact --------------------------------
cairn sensor read "$D1" --from 0 --to 99999999999999 --key "$(K app1)" --out "$TMP/app1.csv" \
    2>"$TMP/app1.err" || fail "app1 read: $(cat "$TMP/app1.err")"
cairn sensor read "$D1" --from 0 --to 99999999999999 --key "$(K app2)" >"$TMP/app2.csv" \
    2>"$TMP/app2.err" || fail "app2 read: $(cat "$TMP/app2.err")"
grep -q "read 60 readings from 2 of 2 batches" "$TMP/app2.err" || fail "app2: $(cat "$TMP/app2.err")"
python3 - "$DRIVE" "$TMP/app1.csv" "$TMP/app2.csv" <<'PY' || fail "the readings are not the drive's"
import sys
drive = [l.strip().split(",") for l in open(sys.argv[1]) if l.strip() and not l.startswith("#")]
drive = drive[:60]
deg = lambda u: "%s%d.%06d" % ("-" if int(u) < 0 else "", abs(int(u)) // 10**6, abs(int(u)) % 10**6)
a1 = open(sys.argv[2]).read().splitlines()
a2 = open(sys.argv[3]).read().splitlines()
assert a1[0] == "t_ms,lat,lon", a1[0]
assert a2[0] == "t_ms,lat,lon,value", a2[0]
assert len(a1) == 61 and len(a2) == 61, (len(a1), len(a2))
for d, r1, r2 in zip(drive, a1[1:], a2[1:]):
    f1, f2 = r1.split(","), r2.split(",")
    assert f1[1:] == [deg(d[1]), deg(d[2])], (d, r1)
    assert f2[1:] == [deg(d[1]), deg(d[2]), d[3]], (d, r2)
    assert f1[0] == f2[0]
print("60 readings match the drive")
PY
ok "app1 reads t_ms,lat,lon and app2 t_ms,lat,lon,value: the drive's 60 readings"
if cairn sensor read "$D1" --from 0 --to 99999999999999 --key "$(K app3)" >/dev/null 2>"$TMP/app3.err"; then
    fail "app3 read without a grant"
fi
grep -q "has no grant of device $D1: ask the owner" "$TMP/app3.err" || fail "app3: $(cat "$TMP/app3.err")"
ok "app3 without a grant: $(head -c 120 "$TMP/app3.err")..."

# --- revoke: the next batch is not sealed to app1 -----------------------------
cairn sensor revoke "$D1" "$(addr app1)" --key "$(K owner1)" >/dev/null || fail "revoke"
agents 1
cairn sensor read "$D1" --from 0 --to 99999999999999 --key "$(K app1)" >"$TMP/app1b.csv" \
    2>"$TMP/app1b.err" || fail "app1 read after revoke: $(cat "$TMP/app1b.err")"
grep -q "1 of 3 batches are not sealed to you" "$TMP/app1b.err" || fail "after revoke: $(cat "$TMP/app1b.err")"
[ "$(wc -l <"$TMP/app1b.csv")" -eq 61 ] || fail "after revoke app1 read $(wc -l <"$TMP/app1b.csv") lines"
ok "after revoke app1 still reads batches 1-2, batch 3 is not sealed to it"
T3=$(python3 -c "
import json, sys, urllib.request
j = json.load(urllib.request.urlopen('$(URL)/v1/sensor/batches?device=$D1'))
print([b['t_from_ms'] for b in j['batches'] if int(b['seq']) == 3][0])")
if cairn sensor read "$D1" --from "$T3" --to 99999999999999 --key "$(K app1)" >/dev/null \
    2>"$TMP/app1c.err"; then
    fail "app1 read batch 3 after the revoke"
fi
grep -q "your grant of $D1 was revoked" "$TMP/app1c.err" || fail "batch 3 alone: $(cat "$TMP/app1c.err")"
ok "batch 3 alone: $(head -c 100 "$TMP/app1c.err")..."

# --- map: agreed tiles, a paid read -------------------------------------------
have_tiles() { cairn sensor map tiles --json | grep -q '"cell"'; }
wait_for 60 have_tiles || fail "no agreed tiles: $(cairn sensor map tiles)"
CELL=$(cairn sensor map tiles --json | python3 -c "import json,sys; print(json.load(sys.stdin)['tiles'][0]['cell'])")
ok "map tiles lists agreed tiles (first $CELL)"
cairn price set 0.00001 --key "$(K reader)" >/dev/null || fail "price set"
cairn credits buy 100 --key "$(K reader)" >/dev/null || fail "credits buy"
c0=$(cairn credits balance "$(addr reader)" --json | field credits)
cairn sensor map get "$CELL" --key "$(K reader)" >"$TMP/map.out" 2>"$TMP/map.err" ||
    fail "map get: $(cat "$TMP/map.err")"
grep -q "^tile $CELL (0x[0-9a-f]*): q -\?[0-9]*, agreed in epoch [0-9]* by 2 contributors" "$TMP/map.out" ||
    fail "map get said: $(cat "$TMP/map.out")"
grep -q "batch $D1 #" "$TMP/map.out" || grep -q "batch $(addr dev2) #" "$TMP/map.out" ||
    fail "map get lists no batch: $(cat "$TMP/map.out")"
c1=$(cairn credits balance "$(addr reader)" --json | field credits)
[ "$((c0 - c1))" -eq 1 ] || fail "map get spent $((c0 - c1)) credits"
ok "map get: $(head -n 1 "$TMP/map.out"), 1 credit spent"
