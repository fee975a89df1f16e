#!/usr/bin/env bash
# `cairn sim radio` against three hotspot "daemons" written in the test
# (tests/integration/sim_radio_peer.py: UDP servers speaking Semtech UDP v2):
# keepalives, a PULL_RESP beacon delivered to the near hotspot with RSSI
# under free space and not to the far one, TX_ACK, a replayer re-sending the
# beacon after its delay, an ABP device's uplinks, an OTAA join by a tmst
# downlink, a late txpk refused, a malformed datagram survived; scenario
# errors name the field; SIGTERM stops the sim.
# Every process started is stopped by PID; every wait is bounded.
set -euo pipefail

: "${CAIRN_BIN:?CAIRN_BIN must point at the cairn binary (run through ctest)}"
: "${CAIRN_SRC:?CAIRN_SRC must point at the source tree}"
command -v python3 >/dev/null || { echo "SKIP: python3 is not installed"; exit 0; }
TMP=$(mktemp -d /tmp/cairn-sim-XXXXXX)
SIM_PID=""
PEER_PID=""

cleanup() {
    local p
    for p in "$SIM_PID" "$PEER_PID"; do
        [ -n "$p" ] && kill -TERM "$p" 2>/dev/null || true
    done
    for p in "$SIM_PID" "$PEER_PID"; do
        [ -n "$p" ] && wait "$p" 2>/dev/null || true
    done
    if [ -z "${CAIRN_KEEP_TMP:-}" ]; then rm -rf "$TMP"; else echo "kept $TMP"; fi
}
trap cleanup EXIT

fail() {
    echo "FAIL: $*" >&2
    for f in "$TMP"/peer.out "$TMP"/sim.out "$TMP"/sim.err "$TMP"/events.jsonl; do
        [ -f "$f" ] && { echo "--- $f" >&2; tail -n 30 "$f" >&2; }
    done
    exit 1
}
ok() { echo "ok: $*"; }

# --- scenario errors name the field and what is wrong ---
bad() { # $1: scenario JSON, $2: expected text in the error
    printf '%s' "$1" >"$TMP/bad.json"
    if "$CAIRN_BIN" sim radio --scenario "$TMP/bad.json" --duration 1 \
        >"$TMP/bad.out" 2>&1; then
        fail "accepted a bad scenario: $1"
    fi
    grep -qF "$2" "$TMP/bad.out" || fail "error for $1: $(cat "$TMP/bad.out"), expected: $2"
}
H='{"name":"a","forwarder":"127.0.0.1:1700","eui":"0102030405060708","lat":1,"lon":2}'
bad '{}' 'hotspots: missing'
bad "{\"hotspots\":[{\"name\":\"a\",\"forwarder\":\"127.0.0.1\",\"eui\":\"0102030405060708\",\"lat\":1,\"lon\":2}]}" 'hotspots[0].forwarder: "127.0.0.1" is not IPv4:PORT'
bad "{\"hotspots\":[$H,$H]}" 'hotspots[1].name: "a" is also hotspots[0]'
bad "{\"hotspots\":[$H],\"model\":{\"sf\":13}}" 'model.sf: must be an integer from 7 to 12'
bad "{\"hotspots\":[$H],\"model\":{\"exponant\":3}}" 'model: unknown field "exponant"'
bad "{\"hotspots\":[{\"name\":\"a\",\"forwarder\":\"127.0.0.1:1700\",\"eui\":\"0102\",\"lat\":1,\"lon\":2}]}" 'hotspots[0].eui: must be 16 hex digits'
bad "{\"hotspots\":[$H],\"devices\":[{\"name\":\"d\",\"lat\":1,\"lon\":2}]}" 'devices[0]: give either ABP'
bad "{\"hotspots\":[$H],\"replayers\":[{\"lat\":91,\"lon\":2,\"delay_ms\":5}]}" 'replayers[0].lat: 91 is out of range'
ok "bad scenarios refused, naming the field"

# --- the same seed gives the same links; another seed other ones ---
# (no daemons listen: the datagrams are refused, the air is the same)
cat >"$TMP/det.json" <<'JSON'
{"hotspots":[
 {"name":"h1","forwarder":"127.0.0.1:9","eui":"0000000000000001","lat":45.0,"lon":7.0},
 {"name":"h2","forwarder":"127.0.0.1:10","eui":"0000000000000002","lat":45.05,"lon":7.02},
 {"name":"h3","forwarder":"127.0.0.1:11","eui":"0000000000000003","lat":45.3,"lon":7.3}],
 "devices":[
 {"name":"d1","lat":45.01,"lon":7.01,"every_ms":300,"dev_addr":"26000001","nwk_skey":"00000000000000000000000000000001"},
 {"name":"d2","lat":45.2,"lon":7.1,"every_ms":300,"dev_addr":"26000002","nwk_skey":"00000000000000000000000000000002"}]}
JSON
links() { # the distinct (src, dst, rssi, snr, shadow) of a log's receptions
    grep '"ev":"rx"' "$1" | sed 's/.*"src":\("[^"]*"\),"dst":\("[^"]*"\).*"rssi_model":\([^,]*\).*"snr_model":\([^,]*\),"shadow_db":\([^,]*\).*/\1 \2 \3 \4 \5/' | sort -u
}
for run in a b; do
    "$CAIRN_BIN" sim radio --scenario "$TMP/det.json" --seed 11 --duration 2 \
        --log "$TMP/det-$run.jsonl" >/dev/null
done
"$CAIRN_BIN" sim radio --scenario "$TMP/det.json" --seed 12 --duration 2 \
    --log "$TMP/det-c.jsonl" >/dev/null
[ "$(links "$TMP/det-a.jsonl" | wc -l)" -ge 4 ] || fail "too few links: $(links "$TMP/det-a.jsonl")"
[ "$(links "$TMP/det-a.jsonl")" = "$(links "$TMP/det-b.jsonl")" ] ||
    fail "seed 11 twice gave different links"
[ "$(links "$TMP/det-a.jsonl")" != "$(links "$TMP/det-c.jsonl")" ] ||
    fail "seeds 11 and 12 gave the same links"
ok "seed 11 twice: the same $(links "$TMP/det-a.jsonl" | wc -l) links (RSSI, SNR, shadowing); seed 12: others"

# --- the air between three hotspots ---
python3 "$CAIRN_SRC/tests/integration/sim_radio_peer.py" "$TMP/scenario.json" \
    >"$TMP/peer.out" 2>&1 &
PEER_PID=$!
for _ in $(seq 1 100); do
    [ -f "$TMP/scenario.json" ] && break
    sleep 0.1
done
[ -f "$TMP/scenario.json" ] || fail "the peer harness wrote no scenario"
"$CAIRN_BIN" sim radio --scenario "$TMP/scenario.json" --log "$TMP/events.jsonl" \
    --duration 180 >"$TMP/sim.out" 2>"$TMP/sim.err" &
SIM_PID=$!
peer_rc=0
for _ in $(seq 1 1200); do
    kill -0 "$PEER_PID" 2>/dev/null || break
    sleep 0.1
done
if kill -0 "$PEER_PID" 2>/dev/null; then
    fail "the peer harness did not finish within 120 s"
fi
wait "$PEER_PID" || peer_rc=$?
PEER_PID=""
cat "$TMP/peer.out"
[ "$peer_rc" -eq 0 ] || fail "peer harness failed (rc $peer_rc)"
kill -0 "$SIM_PID" 2>/dev/null || fail "the sim exited early"

# the event log: a drop at C with its reason, the malformed datagram
grep -q '"ev":"drop".*"dst":"hs:C".*"reason":"below demodulation floor"' \
    "$TMP/events.jsonl" || fail "no drop at C in the event log"
grep -q '"ev":"bad_datagram","hs":"A"' "$TMP/events.jsonl" ||
    fail "the malformed datagram is not in the event log"
grep -q '"ev":"replay_scheduled"' "$TMP/events.jsonl" || fail "no replay in the log"
grep -q '"ev":"joined","dev":"dev2","via":"hs:A"' "$TMP/events.jsonl" ||
    fail "no join of dev2 in the log"
python3 -c 'import json,sys
for l in open(sys.argv[1]): json.loads(l)' "$TMP/events.jsonl" ||
    fail "the event log is not JSON lines"
ok "event log: drop at C (below floor), bad datagram, replay, join; all lines JSON"

# SIGTERM stops it cleanly, with a last summary line
kill -TERM "$SIM_PID"
sim_rc=0
for _ in $(seq 1 100); do
    kill -0 "$SIM_PID" 2>/dev/null || break
    sleep 0.1
done
kill -0 "$SIM_PID" 2>/dev/null && fail "the sim did not stop within 10 s of SIGTERM"
wait "$SIM_PID" || sim_rc=$?
SIM_PID=""
[ "$sim_rc" -eq 0 ] || fail "the sim exited $sim_rc after SIGTERM"
grep -q '^sim radio: t=.* tx=' "$TMP/sim.out" || fail "no summary line"
grep -q '"ev":"stop"' "$TMP/events.jsonl" || fail "no stop event"
ok "SIGTERM: exit 0, summary: $(tail -n 1 "$TMP/sim.out")"
echo PASS
