#!/usr/bin/env bash
# The wireless sector end to end (issue 11), with real processes on
# 127.0.0.1: a sequencer with 3-second epochs, five honest `cairn provider
# wireless` hotspots about 1 km apart, a liar whose radio sits among them
# but who asserts a location 40 km east, a replayer radio, two devices, a
# router with data credits, and `cairn sim radio` playing the air.
#  - the liar is caught: its reports of honest beacons are rejected with
#    "RSSI above free-space limit by N dB", shown by `cairn wireless
#    witnesses`; the honest hotspots' reports of each other are valid and
#    they are paid;
#  - the replayer re-sends beacons; no honest hotspot is charged a bad
#    verdict for it (each already heard the original);
#  - packets: the devices' uplinks reach the router through the hotspots,
#    the hotspots claim the receipts, and the router's credits fall by
#    exactly the data credits the chain counts as carried.
# Every wait is bounded; every process started is stopped by PID.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

if ! "$CAIRN_BIN" provider wireless --help >/dev/null 2>&1; then
    echo "SKIP: this cairn has no wireless sector"
    exit 0
fi
command -v python3 >/dev/null || { echo "SKIP: python3 is not installed"; exit 0; }
lib_init wireless-e2e
jget() { python3 -c "import json,sys; j=json.load(sys.stdin); print($1)"; }

NAMES="h1 h2 h3 h4 h5 liar"
LATS=(52.370216 52.379216 52.388216 52.397216 52.406216 52.383216)
keys sequencer router $NAMES
ALLOC="{\"address\": \"$(addr router)\", \"amount\": \"1000\"}"
for k in $NAMES; do ALLOC="$ALLOC,{\"address\": \"$(addr "$k")\", \"amount\": \"1000\"}"; done
cat >"$TMP/genesis.json" <<JSON
{"chain_id": "cairn-wireless-e2e", "token": {"name": "Cairn", "symbol": "CRN"},
 "supply_cap": "1000000000", "genesis_time_ms": 1700000000000,
 "block_interval_ms": 250, "max_block_txs": 1000, "min_fee": "0.001",
 "sequencer": "$(addr sequencer)", "allocations": [$ALLOC],
 "economy": {"epoch_blocks": 12, "min_provider_stake": "10",
             "wireless_data_keep_epochs": 1000000,
             "price_oracle": "$(addr router)"}}
JSON
start_node "$TMP/genesis.json"
ok "node on $PORT"

# --- the router: price, credits, route, daemon --------------------------------
RPORT=$((PORT + 40))
cairn price set 0.00001 --key "$TMP/keys/router.key" >/dev/null || fail "price set"
cairn credits buy 100000 --key "$TMP/keys/router.key" >/dev/null || fail "credits buy"
cairn wireless route register --devaddr 26000000/8 --endpoint "127.0.0.1:$RPORT" \
    --key "$TMP/keys/router.key" >/dev/null || fail "route register"
credits() { cairn credits balance "$(addr router)" --json | field credits; }
C0=$(credits)
[ "$C0" = 100000 ] || fail "router holds $C0 credits, not 100000"
cat >"$TMP/devices.json" <<JSON
[{"dev_addr": "26000001", "nwk_skey": "000102030405060708090a0b0c0d0e0f"},
 {"dev_addr": "26000002", "nwk_skey": "f0e0d0c0b0a090807060504030201000"}]
JSON
"$CAIRN_BIN" --node "$(URL)" wireless route run --listen "127.0.0.1:$RPORT" \
    --key "$TMP/keys/router.key" --devices "$TMP/devices.json" \
    --data "$TMP/router" >"$TMP/router.log" 2>&1 &
track $!
ok "router with 100000 credits and DevAddr 26000000/8"

# --- hotspots and the air ------------------------------------------------------------
HS=""
i=0
for k in $NAMES; do
    HS="$HS${HS:+,}{\"name\": \"$k\", \"forwarder\": \"127.0.0.1:$((PORT + 20 + i))\", \"eui\": \"aa0000000000000$((i + 1))\", \"lat\": ${LATS[$i]}, \"lon\": 4.895168, \"gain_dbi\": 3}"
    i=$((i + 1))
done
cat >"$TMP/scenario.json" <<JSON
{"seed": 5, "model": {"sf": 9}, "hotspots": [$HS],
 "devices": [
  {"name": "d1", "lat": 52.375, "lon": 4.895168, "every_ms": 700, "size": 30,
   "dev_addr": "26000001", "nwk_skey": "000102030405060708090a0b0c0d0e0f"},
  {"name": "d2", "lat": 52.395, "lon": 4.895168, "every_ms": 900, "size": 60,
   "dev_addr": "26000002", "nwk_skey": "f0e0d0c0b0a090807060504030201000"}],
 "replayers": [{"lat": 52.390, "lon": 4.9, "delay_ms": 1500}]}
JSON
i=0
for k in $NAMES; do
    lon=4.895168
    [ "$k" = liar ] && lon=5.484 # asserts ~40 km east of its radio
    "$CAIRN_BIN" --node "$(URL)" provider wireless --data "$TMP/$k" \
        --key "$TMP/keys/$k.key" --lat "${LATS[$i]}" --lon "$lon" --gain 3 \
        --forwarder "127.0.0.1:$((PORT + 20 + i))" --stake 10 --poll-ms 100 \
        >"$TMP/$k.out" 2>"$TMP/$k.log" &
    track $!
    i=$((i + 1))
done
"$CAIRN_BIN" sim radio --scenario "$TMP/scenario.json" --log "$TMP/events.jsonl" \
    >"$TMP/sim.log" 2>&1 &
track $!

# --- the liar is caught ----------------------------------------------------------------
# a settled epoch where the liar reported honest beacons and h1 was paid
liar_json() { cairn wireless witnesses "$(addr liar)" --json 2>/dev/null || true; }
caught() {
    liar_json | jget "sum(1 for w in j.get('made', []) if w.get('verdict') == 'rssi_impossible')" 2>/dev/null |
        grep -q '^[1-9]'
}
wait_for 90 caught || fail "no report of the liar was rejected for its RSSI within 90 s"
msg=$(cairn wireless witnesses "$(addr liar)" | grep -m1 "RSSI above free-space limit by" || true)
[ -n "$msg" ] || fail "cairn wireless witnesses does not say why the liar's reports fail"
ok "liar caught: ${msg##*  }"

h1_paid() {
    curl -s "$(URL)/v1/wireless/hotspot/$(addr h1)" |
        jget "(lambda u: u and u['witness_units'] > 0 and not u['capped'])(j.get('last_epoch'))" 2>/dev/null |
        grep -q True
}
wait_for 30 h1_paid || fail "h1's reports were not paid"
honest_bad=$(for k in h1 h2 h3 h4 h5; do
    cairn wireless witnesses "$(addr "$k")" --json |
        jget "' '.join(w['verdict'] for w in j.get('made', []) if w['verdict'] not in ('ok', 'rssi_impossible', 'too_far'))"
done | tr -s ' \n' ' ')
[ -z "${honest_bad// /}" ] || fail "honest hotspots' reports got verdicts: $honest_bad"
ok "honest hotspots witnessed each other and were paid (no verdict against them)"
replayed() { grep -q '"ev":"replay_scheduled"' "$TMP/events.jsonl"; }
wait_for 30 replayed || fail "the replayer sent nothing within 30 s"
ok "the replayer re-sent beacons; the honest hotspots, having heard the originals, reported none"

# --- packets paid in data credits -------------------------------------------------------
carried() {
    local e now sum=0 d
    now=$(curl -s "$(URL)/v1/params" | field epoch)
    for e in $(seq 0 $((now - 1))); do
        d=$(curl -s "$(URL)/v1/wireless/epoch/$e" | field dc)
        sum=$((sum + ${d:-0}))
    done
    echo "$sum"
}
spent_matches() {
    local before after c
    before=$(carried)
    c=$(credits)
    after=$(carried)
    # compare only when no epoch settled between the two reads
    [ "$before" = "$after" ] && [ "$before" -gt 0 ] && [ $((C0 - c)) -ge "$before" ] || return 1
    SPENT=$((C0 - c))
    CARRIED=$before
    return 0
}
wait_for 30 spent_matches || fail "no data credits were carried"
# credits are spent when a claim lands (mid-epoch), the count per epoch at
# its end: stop the hotspots so that no claim lands after the last epoch,
# let one more epoch settle, and then the two must agree to the unit
for p in "${LIB_PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
for p in "${LIB_PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
LIB_PIDS=()
e0=$(curl -s "$(URL)/v1/params" | field epoch)
settled() { [ "$(curl -s "$(URL)/v1/params" | field epoch)" -gt $((e0 + 1)) ]; }
wait_for 20 settled || fail "no epoch settled after the hotspots stopped"
c=$(credits)
n=$(carried)
[ $((C0 - c)) -eq "$n" ] || fail "router spent $((C0 - c)) credits but the chain counts $n carried"
ok "credits spent = data credits carried, exactly ($n DC)"
echo "6 passed, 0 failed"
