#!/usr/bin/env bash
# Two hotspot daemons (`cairn provider wireless`) on a real chain, with a
# small radio relay in Python standing in for their packet forwarders: it
# pulls for each hotspot, and delivers every txpk one transmits to the
# other as an rxpk (same tmms, RSSI -90 dBm, SNR 5.5 dB: physically
# possible at their 2 km).
#  - both register in the wireless sector with stake and assert their
#    location (the chain's hotspot record shows it);
#  - a beacon of one reaches the other, whose witness report lands on chain
#    and is judged valid at the epoch's end (the beaconer's poc_beacon
#    landed too);
#  - appeal: h3, restarted with --dry-run, still beacons over the air but
#    never sends its poc_beacon; the witnesses' reports get NOT_REPORTED
#    at the epoch's end, and h2 appeals with the payload it heard: the
#    record turns valid (appealed);
#  - SIGTERM stops them with exit 0 and status lines.
# Skips when this build of `cairn` does not have the command wired yet
# (the wireless plug-in's .provider). Every wait is bounded; every process
# started is stopped by PID.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

if ! "$CAIRN_BIN" provider wireless --help >/dev/null 2>&1; then
    echo "SKIP: cairn provider wireless is not wired into this build"
    exit 0
fi
command -v python3 >/dev/null || { echo "SKIP: python3 is not installed"; exit 0; }
lib_init hotspot-chain

keys sequencer h1 h2 h3
cat >"$TMP/genesis.json" <<JSON
{"chain_id": "cairn-hotspot-test", "token": {"name": "Cairn", "symbol": "CRN"},
 "supply_cap": "1000000000", "genesis_time_ms": 1700000000000,
 "block_interval_ms": 250, "max_block_txs": 1000, "min_fee": "0.001",
 "sequencer": "$(addr sequencer)",
 "allocations": [{"address": "$(addr h1)", "amount": "1000"},
                 {"address": "$(addr h2)", "amount": "1000"},
                 {"address": "$(addr h3)", "amount": "1000"}],
 "economy": {"epoch_blocks": 12, "min_provider_stake": "10"}}
JSON
start_node "$TMP/genesis.json"
ok "node on $PORT"

# --- the relay: one UDP socket per hotspot, acting as its forwarder ---------
cat >"$TMP/relay.py" <<'PY'
import base64, json, os, select, socket, sys, time
ports = [int(p) for p in sys.argv[1:]]
socks = []
for i, p in enumerate(ports):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    socks.append((s, ("127.0.0.1", p), bytes([0xAA] * 7 + [i + 1])))
last_pull = 0
end = time.time() + 600
while time.time() < end:
    if time.time() - last_pull > 0.5:
        for s, dst, eui in socks:
            s.sendto(bytes([2]) + os.urandom(2) + bytes([2]) + eui, dst)
        last_pull = time.time()
    r, _, _ = select.select([s for s, _, _ in socks], [], [], 0.1)
    for s in r:
        data = s.recv(65535)
        i = [x[0] for x in socks].index(s)
        if len(data) < 4 or data[0] != 2 or data[3] != 3:
            continue  # acks
        _, dst, eui = socks[i]
        s.sendto(bytes([2]) + data[1:3] + bytes([5]) + eui, dst)  # TX_ACK
        tx = json.loads(data[4:])["txpk"]
        rx = {"tmst": 1000, "freq": tx["freq"], "chan": 0, "rfch": 0,
              "stat": 1, "modu": "LORA", "datr": tx["datr"], "codr": "4/5",
              "rssi": -90, "lsnr": 5.5, "size": tx["size"], "data": tx["data"]}
        if "tmms" in tx:
            rx["tmms"] = tx["tmms"]
        for j, (s2, dst2, eui2) in enumerate(socks):
            if j != i:
                body = json.dumps({"rxpk": [rx]}).encode()
                s2.sendto(bytes([2]) + os.urandom(2) + bytes([0]) + eui2 + body, dst2)
                print("relayed", tx["size"], "bytes from", i, "to", j, flush=True)
PY
U1=$((PORT + 11)); U2=$((PORT + 12)); U3=$((PORT + 13))
start_hotspot() { # NAME UDP LAT [--dry-run]
    "$CAIRN_BIN" --node "$(URL)" provider wireless --data "$TMP/$1" \
        --key "$TMP/keys/$1.key" --lat "$3" --lon 4.895168 --gain 3 \
        --forwarder "127.0.0.1:$2" --stake 10 --poll-ms 100 ${4:-} \
        >>"$TMP/$1.out" 2>>"$TMP/$1.log" &
}
start_hotspot h1 "$U1" 52.370216
H1_PID=$!
track $!
start_hotspot h2 "$U2" 52.388216   # 0.018 degrees north: about 2 km
H2_PID=$!
track $!
start_hotspot h3 "$U3" 52.379216   # about 1 km from each
H3_PID=$!
track $!
python3 "$TMP/relay.py" "$U1" "$U2" "$U3" >"$TMP/relay.log" 2>&1 &
RELAY_PID=$!
track $!

# --- registered, asserted ---------------------------------------------------------
for _ in $(seq 1 150); do
    [ "$(curl -s "$(URL)/v1/wireless/hotspot/$(addr h1)" | field lat_udeg)" = 52370216 ] &&
        [ "$(curl -s "$(URL)/v1/wireless/hotspot/$(addr h2)" | field lat_udeg)" = 52388216 ] && break
    sleep 0.2
done
[ "$(curl -s "$(URL)/v1/wireless/hotspot/$(addr h2)" | field lat_udeg)" = 52388216 ] ||
    fail "the hotspots' locations are not on chain"
for _ in $(seq 1 100); do
    [ "$(curl -s "$(URL)/v1/wireless/hotspot/$(addr h3)" | field lat_udeg)" = 52379216 ] && break
    sleep 0.2
done
[ "$(curl -s "$(URL)/v1/wireless/hotspot/$(addr h3)" | field lat_udeg)" = 52379216 ] ||
    fail "h3's location is not on chain"
[ "$(curl -s "$(URL)/v1/provider/$(addr h1)" | field sector)" = wireless ] ||
    fail "h1 is not a wireless provider"
ok "both hotspots registered in the wireless sector and asserted their locations"

# --- a beacon of h1 witnessed by h2, judged valid ---------------------------------------
valid=""
for _ in $(seq 1 300); do
    E=$(curl -s "$(URL)/v1/staking" | field epoch)
    for e in $((E - 1)) $((E - 2)); do
        [ "$e" -ge 0 ] || continue
        W=$(curl -s "$(URL)/v1/wireless/witnesses/$(addr h1)?epoch=$e")
        if echo "$W" | grep -q "\"witness\": *\"$(addr h2)\"" &&
            echo "$W" | grep -q '"valid": *true'; then
            valid=$e
            break 2
        fi
    done
    sleep 0.2
done
[ -n "$valid" ] || fail "no valid witness of h1's beacon by h2 within 60 s"
ok "h2's witness report of h1's beacon landed and was judged valid (epoch $valid)"

# --- appeal: h3 beacons but never reports; h2 proves it heard it ----------------
kill -TERM "$H3_PID"; wait "$H3_PID" || fail "h3 exit status"
start_hotspot h3 "$U3" 52.379216 --dry-run
H3_PID=$!
track $!
appealed=""
for _ in $(seq 1 400); do
    E=$(curl -s "$(URL)/v1/staking" | field epoch)
    for e in $((E - 1)) $((E - 2)) $((E - 3)); do
        [ "$e" -ge 0 ] || continue
        W=$(curl -s "$(URL)/v1/wireless/witnesses/$(addr h3)?epoch=$e")
        if echo "$W" | tr '{' '\n' | grep "\"witness\": *\"$(addr h2)\"" |
            grep -q '"appealed": *true'; then
            appealed=$e
            break 2
        fi
    done
    sleep 0.2
done
[ -n "$appealed" ] || fail "no appealed witness record of h3's beacon by h2 within 80 s"
grep -q "appealed NOT_REPORTED" "$TMP/h2.log" || fail "h2 did not log its appeal"
W=$(curl -s "$(URL)/v1/wireless/witnesses/$(addr h3)?epoch=$appealed")
echo "$W" | tr '{' '\n' | grep "\"witness\": *\"$(addr h2)\"" | grep -q '"valid": *true' ||
    fail "the appealed record is not valid: $W"
ok "h3's beacon was never reported; h2 appealed with the payload and its record turned valid (epoch $appealed)"

kill -TERM "$H1_PID" "$H2_PID" "$H3_PID"
for p in "$H1_PID" "$H2_PID" "$H3_PID"; do
    rc=0; wait "$p" || rc=$?
    [ "$rc" = 0 ] || fail "a hotspot exited $rc on SIGTERM"
done
H1_PID=""; H2_PID=""; H3_PID=""
grep -q "beacons sent" "$TMP/h1.out" || fail "no status line from h1"
ok "SIGTERM: all exit 0 with status lines"
echo "4 passed, 0 failed"
