#!/usr/bin/env bash
# Hotspot daemons on a real chain with `cairn sim radio` as their packet
# forwarders (the devnet's setup, in small): five honest hotspots about 1 km
# apart and a liar ring of two (--liar-ring) 89 km apart, far from the
# others, out of radio range of each other.
#  - the honest hotspots' beacons are witnessed by each other and judged
#    valid, and their group (5 > wireless_group_max) is not capped
#    (the first settled epoch where both show counts: the first epochs can
#    miss beacons while the simulator starts);
#  - the ring's forged reports pass the RSSI check (1 dB under free space)
#    but its members are paid under the closed-group cap (capped: true).
# Skips unless this build of `cairn` has both `provider wireless` and
# `sim radio` wired. Every wait is bounded; every process started is
# stopped by PID.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

if ! "$CAIRN_BIN" provider wireless --help >/dev/null 2>&1 ||
    ! "$CAIRN_BIN" sim radio --help >/dev/null 2>&1; then
    echo "SKIP: cairn provider wireless and cairn sim radio are not both wired"
    exit 0
fi
command -v python3 >/dev/null || { echo "SKIP: python3 is not installed"; exit 0; }
lib_init hotspot-sim
NAMES="h1 h2 h3 h4 h5 h6 h7"
LATS=(52.370216 52.379216 52.388216 52.397216 52.406216 56.0 56.8)
mkdir -p "$TMP/ring"
jget() { python3 -c "import json,sys; j=json.load(sys.stdin); print($1)"; }
keys sequencer $NAMES
ALLOC=""
for k in $NAMES; do ALLOC="$ALLOC${ALLOC:+,}{\"address\": \"$(addr "$k")\", \"amount\": \"1000\"}"; done
cat >"$TMP/genesis.json" <<JSON
{"chain_id": "cairn-hotspot-sim", "token": {"name": "Cairn", "symbol": "CRN"},
 "supply_cap": "1000000000", "genesis_time_ms": 1700000000000,
 "block_interval_ms": 250, "max_block_txs": 1000, "min_fee": "0.001",
 "sequencer": "$(addr sequencer)", "allocations": [$ALLOC],
 "economy": {"epoch_blocks": 12, "min_provider_stake": "10"}}
JSON
start_node "$TMP/genesis.json"
ok "node on $PORT"

HS=""
i=0
for k in $NAMES; do
    HS="$HS${HS:+,}{\"name\": \"$k\", \"forwarder\": \"127.0.0.1:$((PORT + 20 + i))\", \"eui\": \"aa0000000000000$((i + 1))\", \"lat\": ${LATS[$i]}, \"lon\": 4.895168, \"gain_dbi\": 3}"
    i=$((i + 1))
done
echo "{\"seed\": 7, \"model\": {\"sf\": 9}, \"hotspots\": [$HS]}" >"$TMP/scenario.json"
i=0
for k in $NAMES; do
    liar=""
    [ "$i" -ge 5 ] && liar="--liar-ring $TMP/ring"
    # shellcheck disable=SC2086
    "$CAIRN_BIN" --node "$(URL)" provider wireless --data "$TMP/$k" \
        --key "$TMP/keys/$k.key" --lat "${LATS[$i]}" --lon 4.895168 --gain 3 \
        --forwarder "127.0.0.1:$((PORT + 20 + i))" --stake 10 --poll-ms 100 \
        $liar >"$TMP/$k.out" 2>"$TMP/$k.log" &
    HPID[$i]=$!
    track $!
    i=$((i + 1))
done
"$CAIRN_BIN" sim radio --scenario "$TMP/scenario.json" >"$TMP/sim.out" 2>&1 &
SIM_PID=$!
track $!

# units of a settled epoch with every hotspot's beacon in it
units() {
    curl -s "$(URL)/v1/wireless/hotspot/$(addr "$1")" |
        jget "(lambda u: u and '%s %s %s' % (u['epoch'], u['capped'], u['witness_units']))(j.get('last_epoch'))" 2>/dev/null || true
}
# the first epochs may miss beacons while the simulator starts pulling:
# wait for a settled epoch where both show (bounded)
good=""
u1=""
u6=""
for _ in $(seq 1 400); do
    u1=$(units h1)
    u6=$(units h6)
    read -r e1 c1 w1 <<<"${u1:-x x 0}"
    read -r e6 c6 w6 <<<"${u6:-y y 0}"
    if [ "$e1" = "$e6" ] && [ "$c1" = False ] && [ "$w1" -gt 0 ] &&
        [ "$c6" = True ] && [ "$w6" -gt 0 ]; then
        good=1
        break
    fi
    sleep 0.2
done
[ -n "$good" ] || fail "within 80 s no settled epoch with h1 paid uncapped and h6 paid capped (h1: $u1, h6: $u6)"
ok "honest hotspots: witnessed, paid, not capped (h1 witness units $w1, epoch $e1)"
grep -q "liar ring: forged" "$TMP/h6.log" || fail "h6 forged nothing"
ok "liar ring: forged reports valid, rewards under the closed-group cap (h6 witness units $w6, capped)"
echo "3 passed, 0 failed"
