#!/usr/bin/env bash
# bench/s3: the S3 gateway (`cairn s3`, docs/s3.md) against `cairn put` and
# `cairn get` on the same file and the same providers, in one run with real
# processes on 127.0.0.1: a node, six storage providers, a 4-of-6 layout
# with 4 MiB segments.
#
#  (a) throughput: a SIZE_MB file (default 256) stored and read with
#      `cairn put/get`, then PUT and GET through the gateway by curl (a C
#      client, libcurl's SigV4, streaming: UNSIGNED-PAYLOAD); the ratio
#      gateway / cairn is the gateway's cost (aim >= 0.8). The GET's time to
#      first byte shows that a download starts before the object is
#      fetched.
#  (b) memory: a BIG_MB object (default 1024) PUT and GET through a freshly
#      started gateway; its peak resident memory (VmHWM) against the object
#      and the segment size (aim: a few segments, not the object).
#
# Needs curl, sha256sum and the cairn binary ($CAIRN_BIN, else
# build/cairn). Prints figures and ratios; asserts nothing about speed.
# Usage: bench/s3.sh [SIZE_MB [BIG_MB]]
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
export CAIRN_BIN=${CAIRN_BIN:-$HERE/../build/cairn}
SIZE_MB=${1:-256}
BIG_MB=${2:-1024}
. "$HERE/../tests/integration/lib.sh"
lib_init bench-s3
K() { echo "$TMP/keys/$1.key"; }
secs() { date +%s.%N; }
mbps() { awk -v b="$1" -v t="$2" 'BEGIN { printf "%.1f", b / t / 1e6 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

keys sequencer user p1 p2 p3 p4 p5 p6
ALLOC="{\"address\": \"$(addr user)\", \"amount\": \"1000000\"}, "
for k in p1 p2 p3 p4 p5 p6; do ALLOC="$ALLOC{\"address\": \"$(addr $k)\", \"amount\": \"1000\"}, "; done
cat >"$TMP/genesis.json" <<JSON
{"chain_id": "cairn-bench-s3", "token": {"name": "Cairn", "symbol": "CRN"},
 "supply_cap": "1000000000", "genesis_time_ms": 1700000000000,
 "block_interval_ms": 250, "max_block_txs": 5000, "min_fee": "0.001",
 "sequencer": "$(addr sequencer)", "allocations": [${ALLOC%, }],
 "economy": {"epoch_blocks": 40, "min_provider_stake": "10"}}
JSON
start_node "$TMP/genesis.json"
LIB_STORAGE_CAPACITY=8GiB start_storage 6
[ ! -x "$TMP/fund.sh" ] || "$TMP/fund.sh"
if "$CAIRN_BIN" tickets --help >/dev/null 2>&1; then
    cairn tickets fund 1000 --key "$(K user)" >/dev/null || fail "tickets fund"
fi

echo "== bench/s3: gateway vs cairn put/get, 6 providers, 4-of-6, 4 MiB segments"
head -c $((SIZE_MB << 20)) /dev/urandom >"$TMP/file"
BYTES=$((SIZE_MB << 20))
SUM=$(sha256sum <"$TMP/file" | cut -d' ' -f1)

t0=$(secs)
ID=$(cairn put "$TMP/file" --k 4 --n 6 --epochs 20 --key "$(K user)" \
    --store "$TMP/client" --json | field id) || fail "cairn put"
t1=$(secs)
cairn get "$ID" "$TMP/got" --key "$(K user)" --store "$TMP/client" 2>/dev/null || fail "cairn get"
t2=$(secs)
[ "$(sha256sum <"$TMP/got" | cut -d' ' -f1)" = "$SUM" ] || fail "cairn get: other bytes"
rm -f "$TMP/got"
PUT_C=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
GET_C=$(awk -v a="$t1" -v b="$t2" 'BEGIN { print b - a }')

# The gateway, on the same account and providers.
AK=benchaccesskey
SK=benchsecretkey0123456789abcdefghijklmnop
echo "$AK $SK" >"$TMP/s3keys"
GW_PID=""
start_gateway() {
    local attempt
    for attempt in 1 2 3 4 5; do
        GW_PORT=$((20000 + RANDOM % 12000))
        "$CAIRN_BIN" --node "$(URL)" s3 --listen "127.0.0.1:$GW_PORT" --key "$(K user)" \
            --store "$TMP/gw" --keys "$TMP/s3keys" --k 4 --n 6 --segment 4MiB \
            --epochs 20 >>"$TMP/gw.log" 2>&1 &
        GW_PID=$!
        if wait_for 30 curl -s -o /dev/null "http://127.0.0.1:$GW_PORT/"; then
            track "$GW_PID"
            return 0
        fi
        kill -TERM "$GW_PID" 2>/dev/null || true
        wait "$GW_PID" 2>/dev/null || true
    done
    fail "the gateway would not start"
}
# curl 7.88 signs an upload as UNSIGNED-PAYLOAD but does not send the
# header that says so, which S3 (and the gateway) require.
s3curl() {
    curl -sS --fail-with-body --aws-sigv4 "aws:amz:us-east-1:s3" --user "$AK:$SK" \
        -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" "$@"
}
start_gateway
S3="http://127.0.0.1:$GW_PORT"
s3curl -X PUT "$S3/bench" -o /dev/null || fail "CreateBucket"

t0=$(secs)
s3curl -T "$TMP/file" "$S3/bench/file" -o /dev/null || fail "PUT"
t1=$(secs)
read -r TTFB _ < <(s3curl "$S3/bench/file" -o "$TMP/got" -w '%{time_starttransfer} %{time_total}\n') || fail "GET"
t2=$(secs)
[ "$(sha256sum <"$TMP/got" | cut -d' ' -f1)" = "$SUM" ] || fail "GET through the gateway: other bytes"
rm -f "$TMP/got" "$TMP/file"
PUT_S=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
GET_S=$(awk -v a="$t1" -v b="$t2" 'BEGIN { print b - a }')

printf "(a) %d MiB file          cairn          gateway (curl)   ratio\n" "$SIZE_MB"
printf "    put                  %6s MB/s    %6s MB/s      %s\n" "$(mbps $BYTES $PUT_C)" "$(mbps $BYTES $PUT_S)" "$(ratio $PUT_C $PUT_S)"
printf "    get                  %6s MB/s    %6s MB/s      %s\n" "$(mbps $BYTES $GET_C)" "$(mbps $BYTES $GET_S)" "$(ratio $GET_C $GET_S)"
printf "    GET's first byte after %.2f s of %.2f s\n" "$TTFB" "$GET_S"

# (b) memory for a BIG_MB object, on a gateway started afresh.
kill -TERM "$GW_PID"
wait "$GW_PID" 2>/dev/null || true
start_gateway
S3="http://127.0.0.1:$GW_PORT"
head -c $((BIG_MB << 20)) /dev/urandom >"$TMP/big"
BIGSUM=$(sha256sum <"$TMP/big" | cut -d' ' -f1)
hwm() { awk '/^VmHWM:/ { printf "%.1f", $2 / 1024 }' "/proc/$GW_PID/status"; }
BASE=$(hwm)
t0=$(secs)
s3curl -T "$TMP/big" "$S3/bench/big" -o /dev/null || fail "PUT of the big object"
t1=$(secs)
rm -f "$TMP/big"
AFTER_PUT=$(hwm)
s3curl "$S3/bench/big" -o "$TMP/got" || fail "GET of the big object"
t2=$(secs)
AFTER_GET=$(hwm)
[ "$(sha256sum <"$TMP/got" | cut -d' ' -f1)" = "$BIGSUM" ] || fail "GET of the big object: other bytes"
rm -f "$TMP/got"
printf "(b) %d MiB object: PUT %s MB/s, GET %s MB/s\n" "$BIG_MB" \
    "$(mbps $((BIG_MB << 20)) "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')")" \
    "$(mbps $((BIG_MB << 20)) "$(awk -v a="$t1" -v b="$t2" 'BEGIN { print b - a }')")"
printf "    gateway peak memory (VmHWM): %s MiB at start, %s MiB after the PUT, %s MiB after the GET\n" \
    "$BASE" "$AFTER_PUT" "$AFTER_GET"
printf "    = %s of the object; %s segments of 4 MiB\n" \
    "$(ratio "$AFTER_GET" "$BIG_MB")" "$(awk -v m="$AFTER_GET" 'BEGIN { printf "%.1f", m / 4 }')"
