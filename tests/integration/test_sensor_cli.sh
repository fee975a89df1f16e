#!/usr/bin/env bash
# `cairn sensor` against a real node (the sector's rules: src/sectors/
# sensor/; the commands: docs/sensor-cli.md):
#  - an owner pairs a device (the device key signs the pairing, the owner
#    the tx), lists it, grants an app access; the app pays two periods;
#    the owner revokes, then transfers the device to a second owner (the
#    generation goes up, the old owner can no longer grant);
#  - a funder puts a bounty on a tile (by id and by --lat/--lon); the map
#    lists no agreed tiles yet;
#  - bad input gives a clear error and changes nothing (balances equal
#    before and after): an unknown device, the wrong key, a malformed
#    cell, a second pairing of a paired device, a pay above --max-price, a
#    map read of a tile without data.
# The read/decrypt end to end (agent + storage providers) is the devnet's
# and tests/unit/test_sensor_cli_args.c's decrypt test. Skips when this
# build of `cairn` does not have `sensor` wired in (src/sensor/plugin.c's
# .commands). Every wait is bounded; the node is stopped by PID.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

if ! "$CAIRN_BIN" sensor --help >/dev/null 2>&1; then
    echo "SKIP: cairn sensor is not wired into this build"
    exit 0
fi
lib_init sensor-cli

bal() { cairn balance "$(addr "$1")" --json | field balance; }
K() { echo "$TMP/keys/$1.key"; }

keys sequencer owner owner2 app funder dev1 dev2
cat >"$TMP/genesis.json" <<JSON
{"chain_id": "cairn-sensor-cli", "token": {"name": "Cairn", "symbol": "CRN"},
 "supply_cap": "1000000000", "genesis_time_ms": 1700000000000,
 "block_interval_ms": 200, "max_block_txs": 1000, "min_fee": "0.001",
 "sequencer": "$(addr sequencer)",
 "allocations": [{"address": "$(addr owner)", "amount": "1000"},
                 {"address": "$(addr owner2)", "amount": "1000"},
                 {"address": "$(addr app)", "amount": "1000"},
                 {"address": "$(addr funder)", "amount": "1000"}],
 "economy": {"epoch_blocks": 20}}
JSON
start_node "$TMP/genesis.json"
ok "node on $PORT"
D1=$(addr dev1)
D2=$(addr dev2)
APP=$(addr app)
O2=$(addr owner2)

# --- owner: pair, devices ---------------------------------------------------
cairn sensor devices --key "$(K owner)" | grep -q "no devices" || fail "devices before pairing"
cairn sensor pair --key "$(K owner)" --device-key "$(K dev1)" >"$TMP/pair.out" ||
    fail "pair: $(cat "$TMP/pair.out")"
grep -q "paired to $(addr owner) (generation 0)" "$TMP/pair.out" || fail "pair said: $(cat "$TMP/pair.out")"
ok "pair: $(tail -n 1 "$TMP/pair.out")"
cairn sensor devices --key "$(K owner)" | grep -q "^$D1 " || fail "devices lacks dev1"
cairn sensor devices --owner "$(addr owner)" --json | grep -q "\"$D1\"" || fail "devices --json"
ok "devices lists dev1"

cairn sensor pair --key "$(K owner)" --device-key "$(K dev1)" | grep -q "already paired to you" ||
    fail "a second pairing by the owner"
b=$(bal owner2)
expect cairn sensor pair --key "$(K owner2)" --device-key "$(K dev1)" -- "is paired to $(addr owner) already"
[ "$(bal owner2)" = "$b" ] || fail "a refused pairing changed owner2's balance"
expect cairn sensor pair --key "$(K owner)" -- "--device-key"
expect cairn sensor pair --key "$(K owner)" --device-key "$TMP/nokey" -- "$TMP/nokey"

# --- grant; wrong key; unknown device ---------------------------------------
b=$(bal app)
expect cairn sensor grant "$D1" "$APP" --privileges location --expiry-epochs 10 --price 1 \
    --key "$(K app)" -- "only the device's owner can grant access to it"
expect cairn sensor grant "$D2" "$APP" --privileges all --expiry-epochs 10 --price 1 \
    --key "$(K owner)" -- "no device $D2 on chain"
expect cairn sensor grant "$D1" "$APP" --privileges gps --expiry-epochs 10 --price 1 \
    --key "$(K owner)" -- 'unknown privilege "gps"'
expect cairn sensor pay "$D1" --periods 1 --max-price 1 --key "$(K app)" -- "has no grant of device" \
    "cairn sensor grant $D1 $APP"
[ "$(bal app)" = "$b" ] || fail "refused commands changed the app's balance"
cairn sensor grant "$D1" "$APP" --privileges location --expiry-epochs 10 --price 1 \
    --key "$(K owner)" >"$TMP/grant.out" || fail "grant: $(cat "$TMP/grant.out")"
grep -q "granted $D1 to $APP: location until epoch" "$TMP/grant.out" || fail "grant said: $(cat "$TMP/grant.out")"
ok "grant: $(tail -n 1 "$TMP/grant.out")"
cairn sensor device "$D1" | grep -q "$APP  location" || fail "device lacks the grant: $(cairn sensor device "$D1")"
ok "device shows the grant"

# --- pay: above max-price refused, then two periods -------------------------
b=$(bal app)
expect cairn sensor pay "$D1" --periods 2 --max-price 0.5 --key "$(K app)" -- \
    "the grant's price is 1 tokens a period, above your --max-price 0.5"
[ "$(bal app)" = "$b" ] || fail "a refused pay changed the app's balance"
bo=$(bal owner)
cairn sensor pay "$D1" --periods 2 --max-price 1 --key "$(K app)" >"$TMP/pay.out" ||
    fail "pay: $(cat "$TMP/pay.out")"
ok "pay: $(tail -n 1 "$TMP/pay.out")"
# the app paid 2 tokens and the fee; the owner got its share (> 0, <= 2)
python3 - "$b" "$(bal app)" "$bo" "$(bal owner)" <<'PY' || fail "pay's amounts"
import sys
from decimal import Decimal as D
a0, a1, o0, o1 = (D(x) for x in sys.argv[1:])
assert a0 - a1 >= 2 and a0 - a1 <= D("2.01"), (a0, a1)
assert 0 < o1 - o0 <= 2, (o0, o1)
PY
ok "pay: app -$(python3 -c "from decimal import Decimal as D; print(D('$b') - D('$(bal app)'))"), owner +$(python3 -c "from decimal import Decimal as D; print(D('$(bal owner)') - D('$bo'))")"
cairn sensor read "$D1" --from 0 --to 99999999999999 --key "$(K app)" 2>"$TMP/read.err" ||
    fail "read with no batches: $(cat "$TMP/read.err")"
grep -q "no batches of $D1" "$TMP/read.err" || fail "read said: $(cat "$TMP/read.err")"
ok "read: no batches yet"

# --- revoke, transfer --------------------------------------------------------
cairn sensor revoke "$D1" "$APP" --key "$(K owner)" >/dev/null || fail "revoke"
ok "revoke"
cairn sensor device "$D1" | grep -q "grants (0)" || fail "the grant is still there after revoke"
b=$(bal owner)
expect cairn sensor revoke "$D1" "$APP" --key "$(K owner)" -- "grant"
[ "$(bal owner)" = "$b" ] || fail "a refused revoke changed the owner's balance"
cairn sensor grant "$D1" "$APP" --privileges all --expiry-epochs 5 --price 1 \
    --key "$(K owner)" >/dev/null || fail "grant again"
cairn sensor transfer "$D1" "$O2" --key "$(K owner)" >"$TMP/xfer.out" || fail "transfer: $(cat "$TMP/xfer.out")"
ok "transfer: $(tail -n 1 "$TMP/xfer.out")"
cairn sensor devices --owner "$O2" | grep -q "^$D1 \+1 " || fail "devices of owner2: $(cairn sensor devices --owner "$O2")"
cairn sensor device "$D1" | grep -q "grants (0)" || fail "a transfer left a grant"
ok "transfer: generation 1, no grants left"
expect cairn sensor grant "$D1" "$APP" --privileges all --expiry-epochs 5 --price 1 \
    --key "$(K owner)" -- "only the device's owner" "owned by $O2"
expect cairn sensor transfer "$D1" "$(addr owner)" --key "$(K owner)" -- "only the device's owner"

# --- map ----------------------------------------------------------------------
cairn sensor map tiles | grep -q "no tiles with agreed data yet" || fail "map tiles"
cairn sensor map tiles --json | grep -q '"tiles"' || fail "map tiles --json"
ok "map tiles: none agreed yet"
CELL=$(python3 -c "print((9 << 56) | (123 << 28) | 456)")
b=$(bal funder)
expect cairn sensor map bounty 0xZZ 5 --epochs 3 --key "$(K funder)" -- 'cell "0xZZ" is not a cell'
expect cairn sensor map bounty 17 5 --epochs 3 --key "$(K funder)" -- "not a valid hex-grid cell"
expect cairn sensor map bounty "$CELL" 5 --epochs 0 --key "$(K funder)" -- "--epochs"
expect cairn sensor map tile 12ab -- "decimal or 0x-hex"
expect cairn sensor map get "$CELL" --key "$(K funder)" -- "nothing was paid"
[ "$(bal funder)" = "$b" ] || fail "refused map commands changed the funder's balance"
cairn sensor map bounty "$CELL" 5 --epochs 3 --key "$(K funder)" >"$TMP/bounty.out" ||
    fail "bounty: $(cat "$TMP/bounty.out")"
ok "bounty: $(tail -n 1 "$TMP/bounty.out")"
python3 -c "import sys; from decimal import Decimal as D; assert D('$b') - D('$(bal funder)') >= 5" ||
    fail "the bounty did not take 5 tokens"
cairn sensor map bounty 2 --lat 52.52 --lon 13.40 --epochs 3 --key "$(K funder)" >"$TMP/bounty2.out" ||
    fail "bounty --lat/--lon: $(cat "$TMP/bounty2.out")"
ok "bounty --lat/--lon: $(tail -n 1 "$TMP/bounty2.out")"
cairn sensor map tile "$CELL" --json >"$TMP/tile.json" 2>&1 || true
grep -q "$(addr funder)" "$TMP/tile.json" || echo "note: map tile $CELL does not list the bounty ($(head -c 200 "$TMP/tile.json"))"
ok "sensor CLI against a real node"
