#!/usr/bin/env bash
# The /v1/sensor routes of a running node with no device yet (the rules
# and the answers' contents: tests/unit/test_sensor_chain.c): the empty
# lists, an epoch's totals, the statuses for an unknown device (404
# not_device), a tile nobody reported (404), a map read not paid (402
# no_credits, naming `cairn sensor map get`), bad arguments (400) and a
# cell given as decimal or hex. Starts one `cairn node` (stopped by PID at
# exit). Needs bash, curl, grep and cairn.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
lib_init sensor-api

keys sequencer owner
cat >"$TMP/genesis.json" <<JSON
{"chain_id": "cairn-sensor-api", "token": {"name": "Cairn", "symbol": "CRN"},
 "supply_cap": "1000000000", "genesis_time_ms": 1700000000000,
 "block_interval_ms": 250, "max_block_txs": 1000, "min_fee": "0.001",
 "sequencer": "$(addr sequencer)",
 "allocations": [{"address": "$(addr owner)", "amount": "1000"}],
 "economy": {"epoch_blocks": 12}}
JSON
start_node "$TMP/genesis.json"
ok "node on $PORT"

# status and body of a GET
get() { curl -s -o "$TMP/body" -w '%{http_code}' "$(URL)$1"; }

[ "$(get "/v1/sensor/devices?owner=$(addr owner)")" = 200 ] || fail "devices: $(cat "$TMP/body")"
grep -q '"devices": *\[\]' "$TMP/body" || fail "devices not empty: $(cat "$TMP/body")"
grep -q '"more": *false' "$TMP/body" || fail "devices: no more flag"
ok "devices of an owner: none"

[ "$(get "/v1/sensor/device/$(addr owner)")" = 404 ] || fail "device: $(cat "$TMP/body")"
grep -q not_device "$TMP/body" || fail "device: $(cat "$TMP/body")"
ok "unknown device: 404 not_device"

[ "$(get "/v1/sensor/epoch/0")" = 200 ] || fail "epoch: $(cat "$TMP/body")"
[ "$(field tiles_agreed <"$TMP/body")" = 0 ] || fail "epoch: $(cat "$TMP/body")"
ok "epoch 0 totals"

[ "$(get "/v1/sensor/tiles?limit=5")" = 200 ] || fail "tiles: $(cat "$TMP/body")"
grep -q '"tiles": *\[\]' "$TMP/body" || fail "tiles: $(cat "$TMP/body")"
[ "$(get "/v1/sensor/tiles?limit=101")" = 400 ] || fail "tiles limit 101 accepted"
ok "tiles: none; limit bounded"

CELL=653042214931054592
HEX=$(printf '%016x' "$CELL")
[ "$(get "/v1/sensor/tile/$CELL")" = 404 ] || fail "tile: $(cat "$TMP/body")"
[ "$(get "/v1/sensor/tile/$HEX")" = 404 ] || fail "tile hex: $(cat "$TMP/body")"
[ "$(get "/v1/sensor/tile/xyz")" = 400 ] || fail "tile xyz: $(cat "$TMP/body")"
ok "tile nobody reported: 404 (decimal and hex); a bad cell: 400"

[ "$(get "/v1/sensor/map/$CELL?reader=$(addr owner)")" = 402 ] || fail "map: $(cat "$TMP/body")"
grep -q no_credits "$TMP/body" || fail "map: $(cat "$TMP/body")"
grep -q "cairn sensor map get" "$TMP/body" || fail "map message: $(cat "$TMP/body")"
[ "$(get "/v1/sensor/map/$CELL")" = 400 ] || fail "map without reader accepted"
ok "map without a paid read: 402"

[ "$(get "/v1/sensor/batches?device=$(addr owner)&after_seq=3&limit=2")" = 200 ] ||
    fail "batches: $(cat "$TMP/body")"
grep -q '"batches": *\[\]' "$TMP/body" || fail "batches: $(cat "$TMP/body")"
[ "$(get "/v1/sensor/batches")" = 400 ] || fail "batches without device accepted"
[ "$(get "/v1/sensor/grants?app=$(addr owner)")" = 200 ] || fail "grants: $(cat "$TMP/body")"
ok "batches and grants: empty pages; arguments checked"
