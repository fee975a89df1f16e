#!/usr/bin/env bash
# The sensor device agent against a real chain (docs/sensor-agent.md): a
# sequencer with short epochs, three `cairn provider storage` daemons, and
# two agents replaying recorded drives of the same road:
#  - an honest one (drive1.csv, --stake 10) starts before any storage
#    provider: it pairs its device, registers its owner as a sensor
#    provider, and keeps its first batch unregistered while the put fails;
#    once the providers are up it stores two batches of 30 readings and
#    registers them: the node lists both batches with their file ids and
#    tiles, and the agent's state file holds seq 2;
#  - a forging one (--forge, drive2.csv) registers too, and on every tile
#    both devices reported its q is 100 above the honest one's (values +
#    1000, quantum 10), so the chain's quorum cannot agree with it;
#  - the honest agent started again continues at seq 3, after its last
#    batch's time (no replay);
#  - a third agent fed by gpsd (gpsfake replaying drive1.nmea) registers a
#    batch of 10 fixes.
# Every process started is stopped by PID; every wait is bounded.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

if ! "$CAIRN_BIN" provider sensor --help >/dev/null 2>&1; then
    echo "SKIP: cairn provider sensor is not wired yet (src/sensor/plugin.c .provider = cmd_provider_sensor)"
    exit 0
fi
lib_init sensor-agent
SRC=${CAIRN_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
DRIVES=$SRC/tests/data/drives

keys sequencer p1 p2 p3 owner1 owner2 owner3 dev1 dev2 dev3
ALLOC="{\"address\": \"$(addr owner1)\", \"amount\": \"100000\"}"
ALLOC="$ALLOC, {\"address\": \"$(addr owner2)\", \"amount\": \"100000\"}"
ALLOC="$ALLOC, {\"address\": \"$(addr owner3)\", \"amount\": \"100000\"}"
for i in 1 2 3; do
    ALLOC="$ALLOC, {\"address\": \"$(addr p$i)\", \"amount\": \"1000\"}"
done
cat >"$TMP/genesis.json" <<JSON
{"chain_id": "cairn-sensor-agent-test", "token": {"name": "Cairn", "symbol": "CRN"},
 "supply_cap": "1000000000", "genesis_time_ms": 1700000000000,
 "block_interval_ms": 250, "max_block_txs": 1000, "min_fee": "0.001",
 "sequencer": "$(addr sequencer)", "allocations": [$ALLOC],
 "economy": {"epoch_blocks": 8, "min_provider_stake": "10"}}
JSON
start_node "$TMP/genesis.json"
ok "node on $PORT"

# Runs an agent in the background: $1 name, the rest its options.
start_agent() {
    local name=$1
    shift
    "$CAIRN_BIN" --node "$(URL)" provider sensor --data "$TMP/$name" "$@" \
        >"$TMP/$name.log" 2>&1 &
    AGENT_PID=$!
    track "$AGENT_PID"
}
# Waits (bounded) for agent pid $1 to exit; its status must be 0.
wait_exit() {
    local pid=$1 name=$2
    gone() { ! kill -0 "$pid" 2>/dev/null; }
    wait_for 240 gone || fail "$name did not finish within 240 s"
    wait "$pid" || fail "$name exited non-zero"
}

# The honest agent starts before any storage provider: it pairs, registers
# its owner as a sensor provider, and cannot store its first batch, which
# it keeps (never registering a batch whose file is not stored).
start_agent honest --device-key "$TMP/keys/dev1.key" --owner-key "$TMP/keys/owner1.key" \
    --drive "$DRIVES/drive1.csv" --batch-readings 30 --max-batches 2 --stake 10
H_PID=$AGENT_PID
cannot_store() { grep -q "cannot store batch 1" "$TMP/honest.log"; }
wait_for 60 cannot_store || fail "honest: no failed put logged"
! grep -q "registered at height" "$TMP/honest.log" || fail "a batch was registered before its file was stored"
cairn provider info "$(addr owner1)" --json | grep -q '"sensor"' || fail "owner1 is not a sensor provider"
ok "without storage providers the agent keeps its batch unregistered; owner1 is a sensor provider"

start_storage 3
ok "three storage providers registered"

start_agent forger --device-key "$TMP/keys/dev2.key" --owner-key "$TMP/keys/owner2.key" \
    --drive "$DRIVES/drive1.csv" --batch-readings 30 --max-batches 2 --forge
F_PID=$AGENT_PID
wait_exit "$H_PID" honest
wait_exit "$F_PID" forger
grep -q "batch 2 registered" "$TMP/honest.log" || fail "honest: no batch 2 registered"
grep -q "^seq 2$" "$TMP/honest/sensor.state" || fail "state: $(cat "$TMP/honest/sensor.state")"
ok "the honest agent paired its device and registered batches 1 and 2"

DEV1=$(addr dev1)
DEV2=$(addr dev2)
curl -fsS "$(URL)/v1/sensor/batches?device=$DEV1" >"$TMP/b1.json" || fail "batches of dev1"
curl -fsS "$(URL)/v1/sensor/batches?device=$DEV2" >"$TMP/b2.json" || fail "batches of dev2"
[ "$(grep -o '"file_id"' "$TMP/b1.json" | wc -l)" -eq 2 ] || fail "dev1 batches: $(cat "$TMP/b1.json")"
ok "the node lists both batches of the honest device with their file ids"

# q per cell: the forger's is the honest one's + 100 on every shared cell
python3 - "$TMP/b1.json" "$TMP/b2.json" <<'PY' || fail "forged q check"
import json, sys
def qs(p):
    out = {}
    for b in json.load(open(p))["batches"]:
        for t in b["tiles"]:
            out.setdefault(str(t["cell"]), set()).add(int(t["q"]))
    return out
h, f = qs(sys.argv[1]), qs(sys.argv[2])
shared = set(h) & set(f)
assert shared, "no shared tiles"
for c in shared:
    assert {q + 100 for q in h[c]} == f[c], (c, h[c], f[c])
print("shared tiles", len(shared))
PY
ok "the forging device's q is 100 above the honest device's on every shared tile"

mv "$TMP/honest.log" "$TMP/honest-first.log"
start_agent honest --device-key "$TMP/keys/dev1.key" --owner-key "$TMP/keys/owner1.key" \
    --drive "$DRIVES/drive1.csv" --batch-readings 30 --max-batches 1
wait_exit "$AGENT_PID" "honest (again)"
grep -q "batch 3 registered" "$TMP/honest.log" || fail "restart: no batch 3: $(tail -5 "$TMP/honest.log")"
ok "started again, the agent continues at seq 3"

# kill -9 three times, each right after a batch file is stored and before
# (or while) it is registered: the pending batch on disk is registered at
# its own seq after the restart, so the chain's seqs stay 1..N without a
# gap or a refusal, and no registered batch is lost.
stored_n() { grep -c "stored as file" "$TMP/honest.log" 2>/dev/null || true; }
for round in 1 2 3; do
    mv "$TMP/honest.log" "$TMP/honest-$round.log"
    start_agent honest --device-key "$TMP/keys/dev1.key" --owner-key "$TMP/keys/owner1.key" \
        --drive "$DRIVES/drive1.csv" --batch-readings 30 --loop
    stored_one() { [ "$(stored_n)" -ge 1 ]; }
    wait_for 60 stored_one || fail "kill -9 round $round: nothing stored"
    kill -KILL "$AGENT_PID"
    wait "$AGENT_PID" 2>/dev/null || true
done
mv "$TMP/honest.log" "$TMP/honest-4.log"
start_agent honest --device-key "$TMP/keys/dev1.key" --owner-key "$TMP/keys/owner1.key" \
    --drive "$DRIVES/drive1.csv" --batch-readings 30 --max-batches 1
wait_exit "$AGENT_PID" "honest (after kill -9)"
! grep -h "refused\|replay" "$TMP"/honest-[1-4].log "$TMP/honest.log" \
    || fail "a batch was refused after kill -9"
curl -fsS "$(URL)/v1/sensor/batches?device=$DEV1&limit=100" >"$TMP/b1k.json" || fail "batches after kill -9"
python3 - "$TMP/b1k.json" <<'PY' || fail "seqs after kill -9: $(cat "$TMP/b1k.json" | head -c 400)"
import json, sys
seqs = [int(b["seq"]) for b in json.load(open(sys.argv[1]))["batches"]]
assert seqs == list(range(1, len(seqs) + 1)), seqs
assert len(seqs) >= 5, seqs
print("seqs 1 ..", len(seqs))
PY
ok "kill -9 between storing and registering: the chain's seqs stay 1..N, none refused"

# A live source: gpsfake replays drive1.nmea through gpsd, and a third
# device's agent reads it through libgps and registers a batch of 10 fixes.
export PATH=$PATH:/usr/sbin
if command -v gpsfake >/dev/null 2>&1 && command -v gpsd >/dev/null 2>&1; then
    GP=0
    for attempt in 1 2 3 4 5; do
        GP=$((32000 + RANDOM % 20000))
        gpsfake -1 -q -c 0.05 -P "$GP" "$DRIVES/drive1.nmea" >"$TMP/gpsfake.log" 2>&1 &
        GF_PID=$!
        gpsd_up() { timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$GP" 2>/dev/null; }
        if wait_for 15 gpsd_up; then
            track "$GF_PID"
            break
        fi
        kill -TERM "$GF_PID" 2>/dev/null || true
        wait "$GF_PID" 2>/dev/null || true
        GP=0
    done
    [ "$GP" != 0 ] || fail "gpsfake would not start gpsd"
    start_agent live --device-key "$TMP/keys/dev3.key" --owner-key "$TMP/keys/owner3.key" \
        --source "gpsd://127.0.0.1:$GP" --batch-readings 10 --max-batches 1
    wait_exit "$AGENT_PID" live
    grep -q "batch 1 registered at height .*: 10 readings" "$TMP/live.log" || fail "live: $(tail -3 "$TMP/live.log")"
    ok "a device fed by gpsd (gpsfake) registered a batch of 10 fixes"
else
    echo "skip: gpsfake or gpsd is not installed: no live-source agent"
fi
