#!/usr/bin/env bash
# `cairn node --config FILE`: a node started from an option file serves on
# the file's port; the command line wins over the file; a bad file (an
# unknown option, a flag that is not true/false, a line without `=`) is
# refused with its line number before anything starts; a single sequencer
# runs with any member of a genesis sequencer set, and a key outside it is
# refused naming the set. Stops its nodes by PID.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
lib_init node-config

keys s1 s2 alice outsider
cat >"$TMP/genesis.json" <<JSON
{"chain_id": "cairn-config-test", "token": {"name": "Cairn", "symbol": "CRN"},
 "supply_cap": "1000000000", "genesis_time_ms": 1700000000000,
 "block_interval_ms": 200, "max_block_txs": 1000, "min_fee": "0.001",
 "sequencers": [{"address": "$(addr s1)", "stake": "10"},
                {"address": "$(addr s2)", "stake": "20"}],
 "allocations": [{"address": "$(addr s1)", "amount": "100"},
                 {"address": "$(addr s2)", "amount": "100"},
                 {"address": "$(addr alice)", "amount": "1000"}]}
JSON
"$CAIRN_BIN" init --genesis "$TMP/genesis.json" --data "$TMP/chain" >/dev/null || fail "init"

# a bad file is refused, naming the line
printf 'data = %s\nkey = %s\nbogus = 1\n' "$TMP/chain" "$TMP/keys/s2.key" >"$TMP/bad.conf"
expect "$CAIRN_BIN" node --config "$TMP/bad.conf" -- "bad.conf:3" 'unknown option "bogus"'
printf 'quiet = maybe\n' >"$TMP/bad2.conf"
expect "$CAIRN_BIN" node --config "$TMP/bad2.conf" -- "bad2.conf:1" "true or false"
printf 'data %s\n' "$TMP/chain" >"$TMP/bad3.conf"
expect "$CAIRN_BIN" node --config "$TMP/bad3.conf" -- "bad3.conf:1" "name = value"
expect "$CAIRN_BIN" node --config "$TMP/none.conf" -- "cannot read the config file"
ok "bad option files are refused with their line"

# a key outside the sequencer set
expect "$CAIRN_BIN" node --data "$TMP/chain" --key "$TMP/keys/outsider.key" \
    --listen 127.0.0.1:1 -- "sequencer set" "$(addr s1)"
ok "a key outside the sequencer set is refused"

# the second member of the set runs a single sequencer from the file; the
# command line's --listen wins over the file's
for attempt in 1 2 3 4 5; do
    PORT=$((20000 + RANDOM % 12000))
    printf '# a node\ndata = %s\nkey = %s   # member 2\nlisten = 127.0.0.1:1\nquiet = true\n' \
        "$TMP/chain" "$TMP/keys/s2.key" >"$TMP/node.conf"
    "$CAIRN_BIN" node --config "$TMP/node.conf" --listen "127.0.0.1:$PORT" \
        >"$TMP/node.out" 2>&1 &
    NODE_PID=$!
    wait_for 20 cairn status >/dev/null 2>&1 && break
    kill -TERM "$NODE_PID" 2>/dev/null || true
    wait "$NODE_PID" 2>/dev/null || true
    NODE_PID=""
done
[ -n "$NODE_PID" ] || fail "the node from the config file did not start"
wait_for 20 sh -c "curl -s $(URL)/v1/block/2 | grep -q '\"proposer\": *\"$(addr s2)\"'" ||
    fail "block 2 is not signed by the second member"
[ ! -s "$TMP/node.out" ] || fail "quiet = true did not quiet the node: $(cat "$TMP/node.out")"
ok "a node runs from its config file (member 2 signs; --listen overrides the file)"

# POST /v1/txs (the replicas' forwarding batch): a result per entry, bad
# bodies refused whole
R=$(curl -s -X POST -d '{"txs": ["zz", 5]}' "$(URL)/v1/txs")
[ "$(grep -o '"bad_json"' <<<"$R" | wc -l)" = 2 ] || fail "/v1/txs bad entries: $R"
C=$(curl -s -o /dev/null -w '%{http_code}' -X POST -d '{"txs": "x"}' "$(URL)/v1/txs")
[ "$C" = 400 ] || fail "/v1/txs with no array answered $C"
BIG=$(python3 -c 'print("{\"txs\": [" + ",".join(["\"00\""] * 1001) + "]}")')
C=$(curl -s -o /dev/null -w '%{http_code}' -X POST -d "$BIG" "$(URL)/v1/txs")
[ "$C" = 400 ] || fail "/v1/txs with 1001 entries answered $C"
C=$(curl -s -o /dev/null -w '%{http_code}' "$(URL)/v1/txs")
[ "$C" = 405 ] || fail "GET /v1/txs answered $C"
ok "/v1/txs: a result per entry; a body without an array or over 1000 entries is 400; GET is 405"
