#!/usr/bin/env bash
# The simulator's chain is a real chain: runs a short scenario with
# --keep-chain, serves OUT/chain with a sequencer `cairn node` (its key is
# OUT/sequencer.key), starts a follower from OUT/genesis.json in a fresh
# directory, waits (bounded) until the follower re-executed up to the
# simulator's tip, and checks that the follower's state root at that
# height equals summary.json's and that the follower's /v1/metrics give
# the CSV's supply, burned, emitted and fees by destination for every
# epoch, to the unit.
# Also: `cairn sim --help` lists both simulators, `cairn sim radio --help`
# still reaches the wireless one. Needs bash, curl, python3 and cairn.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
lib_init simnode
SRC=${CAIRN_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
OUT=$TMP/out

# --- the command's dispatch -------------------------------------------------
"$CAIRN_BIN" sim --help >"$TMP/help.txt" || fail "cairn sim --help"
grep -q -- "--scenario FILE" "$TMP/help.txt" || fail "sim --help: no --scenario"
grep -q "radio" "$TMP/help.txt" || fail "sim --help: no radio simulator"
"$CAIRN_BIN" sim radio --help >/dev/null || fail "cairn sim radio --help"
ok "cairn sim dispatches to both simulators"

# --- a run with its chain kept ---------------------------------------------
"$CAIRN_BIN" sim --scenario "$SRC/tests/data/sim/small.json" --epochs 4 \
    --out "$OUT" --keep-chain --no-plots >"$TMP/sim.log" 2>&1 || fail "sim run"
for f in metrics.csv summary.json genesis.json sequencer.key chain/data.mdb; do
    [ -f "$OUT/$f" ] || fail "sim left no $f"
done
TIP=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["tip_height"])' "$OUT/summary.json")
ROOT=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["state_root"])' "$OUT/summary.json")
[ "$(wc -l <"$OUT/metrics.csv")" = 5 ] || fail "metrics.csv has no 4 epochs"
ok "sim kept its chain (tip $TIP)"

# --- a sequencer node on the simulator's chain ------------------------------
for attempt in 1 2 3 4 5; do
    PORT=$((20000 + RANDOM % 12000))
    "$CAIRN_BIN" node --data "$OUT/chain" --key "$OUT/sequencer.key" \
        --listen "127.0.0.1:$PORT" >"$TMP/node.out" 2>&1 &
    NODE_PID=$!
    wait_for 20 cairn status >/dev/null 2>&1 && break
    kill -TERM "$NODE_PID" 2>/dev/null || true
    wait "$NODE_PID" 2>/dev/null || true
    NODE_PID=""
done
[ -n "$NODE_PID" ] || fail "the sequencer would not open the simulator's chain"
ok "a node serves the simulator's chain"

# --- a follower from the same genesis ---------------------------------------
"$CAIRN_BIN" init --genesis "$OUT/genesis.json" --data "$TMP/follower" >/dev/null ||
    fail "init from the simulator's genesis.json"
FPID=""
for attempt in 1 2 3 4 5; do
    FPORT=$((20000 + RANDOM % 12000))
    "$CAIRN_BIN" node --data "$TMP/follower" --follow "$(URL)" \
        --listen "127.0.0.1:$FPORT" >"$TMP/follower.log" 2>&1 &
    FPID=$!
    track "$FPID"
    wait_for 20 "$CAIRN_BIN" --node "http://127.0.0.1:$FPORT" status >/dev/null 2>&1 && break
    kill -TERM "$FPID" 2>/dev/null || true
    wait "$FPID" 2>/dev/null || true
    FPID=""
done
[ -n "$FPID" ] || fail "the follower would not start"
FURL="http://127.0.0.1:$FPORT"
synced() {
    local h
    h=$(curl -sf "$FURL/v1/status" | field height) || return 1
    [ -n "$h" ] && [ "$h" -ge "$TIP" ]
}
wait_for 60 synced || fail "the follower did not reach height $TIP within 60 s"
ok "the follower re-executed the simulator's $TIP blocks"

curl -sf "$FURL/v1/block/$TIP" >"$TMP/block.json" || fail "GET /v1/block/$TIP"
FROOT=$(python3 -c 'import json,sys
b=json.load(open(sys.argv[1]))
h=b.get("header", b)
print(h["state_root"])' "$TMP/block.json")
[ "$FROOT" = "$ROOT" ] || fail "state root at $TIP: follower $FROOT, simulator $ROOT"
ok "the follower's state root at $TIP equals the simulator's"

curl -sf "$FURL/v1/metrics?from=0&to=3" >"$TMP/metrics.json" || fail "GET /v1/metrics"
python3 - "$OUT/metrics.csv" "$TMP/metrics.json" <<'EOF' || fail "metrics differ"
import csv, json, sys
from decimal import Decimal
rows = list(csv.DictReader(open(sys.argv[1])))
api = {int(e["epoch"]): e for e in json.load(open(sys.argv[2]))["epochs"]}
def units(tokens):
    return int(Decimal(tokens) * 1000000)
for r in rows:
    e = api.get(int(r["epoch"]))
    if e is None:
        sys.exit("epoch %s missing from /v1/metrics" % r["epoch"])
    for col in ("supply", "burned", "emitted", "revenue", "circulating", "staked"):
        a, b = units(r[col]), int(e[col + "_units"])
        if a != b:
            sys.exit("epoch %s %s: csv %d units, node %d" % (r["epoch"], col, a, b))
    fd = e["fees_by_destination"]
    for col, key in (("fees_providers", "providers"), ("fees_burned", "burn"),
                     ("fees_treasury", "treasury"), ("fees_stakers", "stakers")):
        a, b = units(r[col]), int(fd[key + "_units"])
        if a != b:
            sys.exit("epoch %s %s: csv %d units, node %d" % (r["epoch"], col, a, b))
    net = units(r["net_supply_change"])
    if net != int(e["net_supply_change_units"]):
        sys.exit("epoch %s net_supply_change: csv %d, node %s" % (r["epoch"], net, e["net_supply_change_units"]))
print("ok: %d epochs equal" % len(rows))
EOF
ok "the follower's metrics equal the CSV's for every epoch"

# --- a second run never touches a kept chain --------------------------------
if "$CAIRN_BIN" sim --scenario "$SRC/tests/data/sim/small.json" --epochs 1 \
    --out "$OUT" --keep-chain --no-plots >"$TMP/sim2.log" 2>&1; then
    fail "a second --keep-chain run into $OUT was not refused"
fi
grep -q "already exists" "$TMP/sim2.log" || fail "no reason given: $(cat "$TMP/sim2.log")"
[ -f "$OUT/chain/data.mdb" ] || fail "the refused run removed the kept chain"
ok "a second run refuses to overwrite the kept chain"
