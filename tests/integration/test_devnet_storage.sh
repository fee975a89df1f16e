#!/usr/bin/env bash
# `cairn devnet --storage 4` as `make run` uses it: the devnet funds and
# starts four storage provider daemons, stores its sample file on them,
# and prints a line per sector per epoch from /v1/metrics; one of them must
# show the sample proven. It is stopped once every piece is proven in the
# running epoch; SIGTERM stops everything (exit 0, every provider logged its
# stop), a restart resumes without storing the sample twice, and the first
# epoch it reports shows every piece proven (issue 8, point 4: it said 0).
# `--fresh` without --storage keeps the four providers (point 2). Every
# wait is bounded; the devnet is stopped by PID.
# A get of the sample is paid with alice's tickets (the devnet funds them).
# Needs bash, grep, cmp and cairn.
set -euo pipefail

: "${CAIRN_BIN:?CAIRN_BIN must point at the cairn binary (run through ctest)}"
DEVNET_ARGS="--storage 4"
DEVNET_WAIT_S=90
. "$(dirname "$0")/devnet_lib.sh"
fail() { devnet_fail "$@"; }
devnet_storage_test devnet-storage
grep -q "storage: 4 provider daemons" "$OUT" || fail "banner lacks the providers"
ID=$(grep -o "sample.bin is stored as alice with id [0-9a-f]*" "$OUT" | sed 's/.* //' || true)
[ ${#ID} -eq 32 ] || fail "banner lacks the sample's id"
ok "devnet on port $PORT with 4 storage providers; sample stored as $ID"

# Wait (at most 90 s: deals start next epoch, 10 one-second blocks each).
PROVEN="storage: 4 providers staked, [0-9]* with work, usage [0-9]* units; .*sample.bin [0-9]*/12 pieces alive, [1-9][0-9]* proven"
for _ in $(seq 1 900); do
    grep -q "^epoch [0-9]* $PROVEN" "$OUT" && break
    kill -0 "$DEVNET_PID" 2>/dev/null || fail "devnet died"
    sleep 0.1
done
LINE=$(grep "^epoch [0-9]* $PROVEN" "$OUT" | head -n 1) ||
    fail "no epoch showed the sample proven within 90 s"
ok "the devnet reports: $LINE"
echo "$LINE" | grep -q "; revenue [0-9.]* CRN, burned [0-9.]*, emitted [0-9.]*; network velocity [0-9.]*" ||
    fail "the epoch line lacks the sector's numbers: $LINE"
# The deals proven in that epoch were paid in it: the storage line shows
# storage's own revenue, not 0 and not the network's total repeated.
if echo "$LINE" | grep -q "; revenue 0 CRN"; then
    fail "storage earned nothing in a proven epoch: $LINE"
fi

"$CAIRN_BIN" --node "http://127.0.0.1:$PORT" status "$ID" --key "$NET/keys/alice.key" \
    --store "$NET/client" | grep -q "^health *retrievable" || fail "status of the sample"
# Reads are paid (docs/storage.md "Paid retrieval"): the devnet funded
# alice's tickets, so a get of the sample pays the providers' egress price.
"$CAIRN_BIN" --node "http://127.0.0.1:$PORT" tickets show --key "$NET/keys/alice.key" |
    grep -q "deposit [1-9]" || fail "alice has no ticket funds"
"$CAIRN_BIN" --node "http://127.0.0.1:$PORT" get "$ID" "$NET/sample.out" \
    --key "$NET/keys/alice.key" --store "$NET/client" 2>/dev/null || fail "paid get of the sample"
cmp -s "$NET/sample.out" "$NET/sample.bin" || fail "the sample came back different"
ok "alice's ticket funds pay for a get of the sample (bytes equal)"

# The proven epoch's rewards trace back to the work that earned them.
EPOCH=$(echo "$LINE" | sed 's/^epoch \([0-9]*\) .*/\1/')
REW=$(curl -sf "http://127.0.0.1:$PORT/v1/rewards?epoch=$EPOCH") || fail "GET /v1/rewards"
echo "$REW" | grep -q '"sector": *"storage"' || fail "no storage reward in epoch $EPOCH: $REW"
echo "$REW" | grep -q '"work_units": *[1-9]' || fail "rewards without work in epoch $EPOCH: $REW"
PROV=$(echo "$REW" | grep -o '"provider": *"[^"]*"' | head -n 1 | sed 's/.*"\([^"]*\)"$/\1/')
HIST=$(curl -sf "http://127.0.0.1:$PORT/v1/rewards?provider=$PROV&from=$EPOCH&to=$EPOCH") ||
    fail "GET /v1/rewards?provider="
echo "$HIST" | grep -q "\"epoch\": *$EPOCH" || fail "provider $PROV has no record of epoch $EPOCH: $HIST"
grep -q bad_argument <<<"$(curl -s "http://127.0.0.1:$PORT/v1/rewards?epoch=1&provider=$PROV")" ||
    fail "epoch and provider together were not refused"
ok "GET /v1/rewards traces epoch $EPOCH's storage rewards to their work units"

# Stop early in an epoch in which every piece is proven already, so that
# the resumed devnet reports that epoch.
EPOCH=""
for _ in $(seq 1 600); do
    P=$("$CAIRN_BIN" --node "http://127.0.0.1:$PORT" --json provider params)
    E=$(echo "$P" | field epoch) H=$(echo "$P" | field height) S=$(echo "$P" | field epoch_start_height)
    LP=$("$CAIRN_BIN" --node "http://127.0.0.1:$PORT" status "$ID" --json --key "$NET/keys/alice.key" \
        --store "$NET/client" | grep -c "\"last_proven\": $E\b" || true)
    if [ "$LP" = 12 ] && [ $((H - S)) -le 5 ]; then EPOCH=$E; break; fi
    sleep 0.1
done
[ -n "$EPOCH" ] || fail "the pieces were never all proven early in an epoch"
ok "all 12 pieces proven in epoch $EPOCH; stopping"
stop_devnet
for i in 1 2 3 4; do
    grep -q "stopping" "$NET/storage-$i.log" || fail "storage provider $i did not stop cleanly"
done
ok "SIGTERM stopped the devnet and its four providers"

# Restart on other ports: the providers move their registered endpoints
# (SET_ENDPOINT) and the sample stays retrievable through the new ones.
for attempt in 1 2 3 4 5; do
    PORT=$((20000 + (PORT - 20000 + 1000 + RANDOM % 5000) % 12000))
    start_devnet second && break
    [ "$attempt" -lt 5 ] || fail "devnet did not restart"
done
grep -q "id $ID" "$TMP/devnet-second.out" || fail "restart stored another sample"
ok "restart on port $PORT resumed the same sample"
for _ in $(seq 1 300); do
    grep -q "^epoch " "$TMP/devnet-second.out" && break
    sleep 0.1
done
FIRST=$(grep "^epoch " "$TMP/devnet-second.out" | head -n 1) || fail "no epoch line after the restart"
echo "$FIRST" | grep -q "^epoch $EPOCH storage: .* 12 proven$" ||
    fail "after the resume, epoch $EPOCH should show 12 pieces proven: $FIRST"
ok "after the resume: $FIRST"
RETR=""
for _ in $(seq 1 300); do
    MOVED=$( (grep -l "moved the registered endpoint" "$NET"/storage-*.log 2>/dev/null || true) | wc -l)
    ST=""
    if [ "$MOVED" -eq 4 ]; then
        ST=$("$CAIRN_BIN" --node "http://127.0.0.1:$PORT" status "$ID" --key "$NET/keys/alice.key" \
            --store "$NET/client" 2>&1) || true
        if echo "$ST" | grep -q "^health *retrievable"; then RETR=1; break; fi
    fi
    sleep 0.2
done
[ -n "$RETR" ] || fail "providers moved: $MOVED of 4; status: $ST"
ok "providers moved their endpoints; the sample is retrievable"
stop_devnet

# --fresh starts over with the options kept in the dir: four providers
# again although only --fresh is given (and start_devnet's --port).
DEVNET_ARGS="--fresh"
start_devnet third || fail "devnet --fresh did not start"
grep -q "storage: 4 provider daemons" "$TMP/devnet-third.out" || fail "--fresh dropped the providers"
grep -q "id $ID" "$TMP/devnet-third.out" && fail "--fresh kept the old sample"
grep -q '"storage": 4' "$NET/devnet.json" || fail "devnet.json: $(cat "$NET/devnet.json")"
ok "--fresh started over with the four providers kept in $NET/devnet.json"
stop_devnet
