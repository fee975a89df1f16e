#!/usr/bin/env bash
# The S3 gateway (`cairn s3`, docs/s3.md) with the real clients from Debian,
# against a node (250 ms blocks) and six `cairn provider storage` daemons on
# 127.0.0.1 (issue 15):
#  - s3cmd: mb, put, get, ls, del, sync; round trips byte-identical;
#  - the AWS CLI (/usr/bin/aws, v2): cp, ls, rm, sync; s3api put-object,
#    get-object --range, list-objects-v2 with prefix, delimiter, max-keys
#    and continuation, a multipart upload of a large file (default 8 MiB
#    parts); a wrong secret -> SignatureDoesNotMatch; a missing key ->
#    NoSuchKey;
#  - kill -9 of the gateway after an acknowledged PUT, restart: the object
#    is there; a fresh gateway directory rebuilds its index from the chain.
# Epochs are 4 s, so the multipart Complete outlasts several of them (its
# later deals start later). S3_BIG_MB (default 200) sizes the multipart file.
# Every process started is stopped by PID; every wait is bounded.
# Needs bash, python3, curl, sha256sum, s3cmd, /usr/bin/aws and cairn.
set -euo pipefail

: "${CAIRN_BIN:?CAIRN_BIN must point at the cairn binary (run through ctest)}"
AWS_BIN=${AWS_BIN:-/usr/bin/aws}
BIG_MB=${S3_BIG_MB:-200}
for t in s3cmd "$AWS_BIN" python3 curl sha256sum; do
    command -v "$t" >/dev/null || { echo "FAIL: $t is not installed (scripts/install-deps.sh --tests installs it)"; exit 1; }
done
TMP=$(mktemp -d /tmp/cairn-s3-XXXXXX)
export HOME=$TMP/home
mkdir -p "$HOME"
PORT=0
NODE_PID=""
GW_PID=""
declare -a PPID_OF

cleanup() {
    local p
    for p in "$GW_PID" "${PPID_OF[@]:-}" "$NODE_PID"; do
        [ -n "$p" ] && kill -TERM "$p" 2>/dev/null || true
    done
    for p in "$GW_PID" "${PPID_OF[@]:-}" "$NODE_PID"; do
        [ -n "$p" ] && wait "$p" 2>/dev/null || true
    done
    if [ -z "${CAIRN_KEEP_TMP:-}" ]; then rm -rf "$TMP"; else echo "kept $TMP"; fi
}
trap cleanup EXIT

fail() {
    echo "FAIL: $*" >&2
    for f in "$TMP"/node.out "$TMP"/gw*.log "$TMP"/p1.log; do
        [ -f "$f" ] && { echo "--- $f" >&2; tail -n 25 "$f" >&2; }
    done
    exit 1
}
ok() { echo "ok: $*"; }
SEQ_URL() { echo "http://127.0.0.1:$PORT"; }
count() { { grep -o "\"$1\": *$2" || true; } | wc -l; }

# --- keys, genesis, node ------------------------------------------------------
mkdir -p "$TMP/keys"
for k in sequencer alice p1 p2 p3 p4 p5 p6 p7 p8; do
    "$CAIRN_BIN" keygen --out "$TMP/keys/$k.key" >"$TMP/keys/$k.addr" 2>/dev/null
done
addr() { cat "$TMP/keys/$1.addr"; }
ALLOC="{\"address\": \"$(addr alice)\", \"amount\": \"1000000\"}"
for i in 1 2 3 4 5 6 7 8; do
    ALLOC="$ALLOC, {\"address\": \"$(addr p$i)\", \"amount\": \"1000\"}"
done
cat >"$TMP/genesis.json" <<EOG
{"chain_id": "cairn-s3-test", "token": {"name": "Cairn", "symbol": "CRN"},
 "supply_cap": "1000000000", "genesis_time_ms": 1700000000000,
 "block_interval_ms": 250, "max_block_txs": 1000, "min_fee": "0.001",
 "sequencer": "$(addr sequencer)", "allocations": [$ALLOC],
 "economy": {"epoch_blocks": 16, "min_provider_stake": "10",
             "deal_max_faults": 2, "jail_after_faults": 1000,
             "perm_cost_per_mib": "0.0002"}}
EOG
"$CAIRN_BIN" init --genesis "$TMP/genesis.json" --data "$TMP/chain" >/dev/null || fail "init"
for attempt in 1 2 3 4 5; do
    PORT=$((20000 + RANDOM % 12000)) # below the ephemeral ports (32768..)
    "$CAIRN_BIN" node --data "$TMP/chain" --key "$TMP/keys/sequencer.key" \
        --listen "127.0.0.1:$PORT" >"$TMP/node.out" 2>&1 &
    NODE_PID=$!
    for _ in $(seq 1 300); do
        "$CAIRN_BIN" --node "$(SEQ_URL)" status >/dev/null 2>&1 && break
        kill -0 "$NODE_PID" 2>/dev/null || break
        sleep 0.1
    done
    "$CAIRN_BIN" --node "$(SEQ_URL)" status >/dev/null 2>&1 && break
    kill -TERM "$NODE_PID" 2>/dev/null || true
    wait "$NODE_PID" 2>/dev/null || true
    NODE_PID=""
    [ "$attempt" -lt 5 ] || fail "the node would not start"
done
ok "node on $PORT"

# --- six providers ------------------------------------------------------------
start_provider() {
    local i=$1 port=$((PORT + 10 + $1))
    for _ in 1 2 3 4 5; do
        "$CAIRN_BIN" --node "$(SEQ_URL)" provider storage --data "$TMP/p$i" --capacity 1GiB \
            --key "$TMP/keys/p$i.key" --listen "127.0.0.1:$port" --stake 10 \
            --price 0.0002 --poll-ms 300 --gc-grace 600 >"$TMP/p$i.log" 2>&1 &
        PPID_OF[$i]=$!
        for _ in $(seq 1 300); do
            grep -q "listening on 127.0.0.1:$port" "$TMP/p$i.log" 2>/dev/null && return 0
            kill -0 "${PPID_OF[$i]}" 2>/dev/null || break
            sleep 0.1
        done
        wait "${PPID_OF[$i]}" 2>/dev/null || true
        PPID_OF[$i]=""
        grep -q "cannot listen" "$TMP/p$i.log" || fail "provider p$i did not start"
        port=$((20000 + RANDOM % 12000))
    done
    fail "provider p$i found no free port"
}
for i in 1 2 3 4 5 6; do start_provider "$i"; done
n=0
for _ in $(seq 1 300); do
    n=$("$CAIRN_BIN" --node "$(SEQ_URL)" provider list --sector storage --json 2>/dev/null | count active true)
    [ "$n" -ge 6 ] && break
    sleep 0.1
done
[ "$n" -ge 6 ] || fail "only $n of 6 providers registered within 30 s"
ok "six storage providers registered"

# --- the gateway --------------------------------------------------------------
AK=AKIACAIRNTEST0001
SK=cairn-test-secret-0001/abcdefghij
umask 077
printf '# test keys\n%s %s - rw\n' "$AK" "$SK" >"$TMP/s3keys"
umask 022
GW_PORT=0
# Starts the gateway on $GW_PORT (a free one the first time) with store $1.
start_gw() {
    local store=$1 log=$2
    for _ in 1 2 3 4 5; do
        [ "$GW_PORT" -ne 0 ] || GW_PORT=$((20000 + RANDOM % 12000))
        "$CAIRN_BIN" --node "$(SEQ_URL)" s3 --listen "127.0.0.1:$GW_PORT" \
            --keys "$TMP/s3keys" --store "$store" --key "$TMP/keys/alice.key" \
            --epochs 20 --segment 4MiB >"$log" 2>&1 &
        GW_PID=$!
        for _ in $(seq 1 600); do
            grep -q "s3: listening on" "$log" && return 0
            kill -0 "$GW_PID" 2>/dev/null || break
            sleep 0.1
        done
        wait "$GW_PID" 2>/dev/null || true
        GW_PID=""
        grep -q "cannot listen" "$log" || fail "the gateway did not start: $(tail -n 5 "$log")"
        GW_PORT=0
    done
    fail "the gateway found no free port"
}
start_gw "$TMP/gw" "$TMP/gw1.log"
EP=http://127.0.0.1:$GW_PORT
ok "gateway on $GW_PORT"

cat >"$TMP/s3cfg" <<EOC
[default]
access_key = $AK
secret_key = $SK
host_base = 127.0.0.1:$GW_PORT
host_bucket = 127.0.0.1:$GW_PORT
use_https = False
signature_v2 = False
bucket_location = us-east-1
check_ssl_certificate = False
EOC
s3c() { s3cmd -c "$TMP/s3cfg" --no-progress "$@"; }
mkdir -p "$TMP/aws"
cat >"$TMP/aws/config" <<EOC
[default]
region = us-east-1
output = json
EOC
cat >"$TMP/aws/credentials" <<EOC
[default]
aws_access_key_id = $AK
aws_secret_access_key = $SK
[wrong]
aws_access_key_id = $AK
aws_secret_access_key = not-the-secret-at-all
EOC
export AWS_CONFIG_FILE=$TMP/aws/config AWS_SHARED_CREDENTIALS_FILE=$TMP/aws/credentials
export AWS_PAGER="" AWS_EC2_METADATA_DISABLED=true
aws() { timeout 600 "$AWS_BIN" --endpoint-url "$EP" "$@"; }
sha() { sha256sum "$1" | cut -d' ' -f1; }
same() { [ "$(sha "$1")" = "$(sha "$2")" ] || fail "$3: $1 and $2 differ"; }

# --- s3cmd ---------------------------------------------------------------------
head -c 3000000 /dev/urandom >"$TMP/f3m"
printf 'hello, cairn\n' >"$TMP/small.txt"
s3c mb s3://photos >"$TMP/out" 2>&1 || fail "s3cmd mb: $(cat "$TMP/out")"
s3c put "$TMP/f3m" s3://photos/2026/f3m.bin >"$TMP/out" 2>&1 || fail "s3cmd put: $(cat "$TMP/out")"
s3c put "$TMP/small.txt" s3://photos/small.txt >"$TMP/out" 2>&1 || fail "s3cmd put small: $(cat "$TMP/out")"
# providers charge for reads (docs/storage.md, "Paid retrieval"): before
# the gateway's account backs lottery tickets a GET is refused with an S3
# error saying what to do, not a 200 cut short; then it funds them
if OUT=$(aws s3api get-object --bucket photos --key 2026/f3m.bin "$TMP/unpaid" 2>&1); then
    fail "a GET with no ticket funds succeeded"
fi
echo "$OUT" | grep -q "AccessDenied" && echo "$OUT" | grep -q "tickets fund" ||
    fail "an unfunded GET said: $OUT"
ok "unfunded GET refused: AccessDenied, naming cairn tickets fund"
"$CAIRN_BIN" --node "$(SEQ_URL)" tickets fund 1000 --key "$TMP/keys/alice.key" >"$TMP/out" 2>&1 ||
    fail "tickets fund: $(cat "$TMP/out")"
s3c get s3://photos/2026/f3m.bin "$TMP/f3m.back" >"$TMP/out" 2>&1 || fail "s3cmd get: $(cat "$TMP/out")"
same "$TMP/f3m" "$TMP/f3m.back" "s3cmd put/get"
s3c ls s3://photos >"$TMP/out" 2>&1 || fail "s3cmd ls: $(cat "$TMP/out")"
grep -q "DIR *s3://photos/2026/" "$TMP/out" || fail "s3cmd ls lacks the 2026/ prefix: $(cat "$TMP/out")"
grep -q "s3://photos/small.txt" "$TMP/out" || fail "s3cmd ls lacks small.txt: $(cat "$TMP/out")"
s3c ls | grep -q "s3://photos" || fail "s3cmd ls of buckets"
ok "s3cmd mb/put/get/ls: round trip identical"

# --- the AWS CLI -----------------------------------------------------------------
aws s3 mb s3://docs >"$TMP/out" 2>&1 || fail "aws s3 mb: $(cat "$TMP/out")"
aws s3 cp "$TMP/small.txt" s3://docs/a/one.txt >"$TMP/out" 2>&1 || fail "aws s3 cp up: $(cat "$TMP/out")"
aws s3 cp s3://docs/a/one.txt "$TMP/one.back" >"$TMP/out" 2>&1 || fail "aws s3 cp down: $(cat "$TMP/out")"
same "$TMP/small.txt" "$TMP/one.back" "aws s3 cp"
aws s3api put-object --bucket docs --key b/f3m.bin --body "$TMP/f3m" \
    --content-type application/x-test --metadata colour=blue >"$TMP/out" 2>&1 ||
    fail "s3api put-object: $(cat "$TMP/out")"
grep -q "\"ETag\": \"\\\\\"$(md5sum "$TMP/f3m" | cut -d' ' -f1)\\\\\"\"" "$TMP/out" ||
    fail "put-object's ETag is not the MD5: $(cat "$TMP/out")"
aws s3api head-object --bucket docs --key b/f3m.bin >"$TMP/out" 2>&1 || fail "head-object: $(cat "$TMP/out")"
grep -q '"ContentLength": 3000000' "$TMP/out" || fail "head-object length: $(cat "$TMP/out")"
grep -q '"colour": "blue"' "$TMP/out" || fail "head-object metadata: $(cat "$TMP/out")"
grep -q '"ContentType": "application/x-test"' "$TMP/out" || fail "head-object type: $(cat "$TMP/out")"
aws s3api get-object --bucket docs --key b/f3m.bin --range bytes=1000000-2500000 "$TMP/range" \
    >"$TMP/out" 2>&1 || fail "get-object --range: $(cat "$TMP/out")"
head -c 2500001 "$TMP/f3m" | tail -c 1500001 >"$TMP/range.want"
same "$TMP/range.want" "$TMP/range" "get-object --range bytes=1000000-2500000"
grep -q '"ContentRange": "bytes 1000000-2500000/3000000"' "$TMP/out" || fail "Content-Range: $(cat "$TMP/out")"
aws s3api get-object --bucket docs --key b/f3m.bin --range bytes=-100 "$TMP/range" >/dev/null 2>&1 ||
    fail "get-object --range bytes=-100"
tail -c 100 "$TMP/f3m" >"$TMP/range.want"
same "$TMP/range.want" "$TMP/range" "get-object --range bytes=-100"
ok "aws s3 cp, s3api put-object (ETag = MD5, metadata), head-object, get-object --range"

# listing: 7 keys under a/ and b/, a delimiter, max-keys 2 and continuation
for k in a/x/1 a/x/2 a/y c/1 c/2; do
    aws s3api put-object --bucket docs --key "$k" --body "$TMP/small.txt" >/dev/null 2>&1 || fail "put $k"
done
aws s3api list-objects-v2 --bucket docs --delimiter / >"$TMP/out" 2>&1 || fail "list-objects-v2: $(cat "$TMP/out")"
python3 - "$TMP/out" <<'PY' || fail "list-objects-v2 --delimiter /: $(cat "$TMP/out")"
import json, sys
d = json.load(open(sys.argv[1]))
cps = [p["Prefix"] for p in d.get("CommonPrefixes", [])]
assert cps == ["a/", "b/", "c/"], cps
assert "Contents" not in d, d
PY
aws s3api list-objects-v2 --bucket docs --prefix a/ --delimiter / >"$TMP/out" 2>&1 || fail "list a/"
python3 - "$TMP/out" <<'PY' || fail "list-objects-v2 --prefix a/ --delimiter /: $(cat "$TMP/out")"
import json, sys
d = json.load(open(sys.argv[1]))
assert [p["Prefix"] for p in d.get("CommonPrefixes", [])] == ["a/x/"], d
assert [c["Key"] for c in d["Contents"]] == ["a/one.txt", "a/y"], d
PY
# pages of 2 by hand: continuation tokens
TOK=""
: >"$TMP/keys.seen"
for _ in $(seq 1 10); do
    if [ -z "$TOK" ]; then
        aws s3api list-objects-v2 --bucket docs --max-keys 2 --no-paginate >"$TMP/out" 2>&1 || fail "page: $(cat "$TMP/out")"
    else
        aws s3api list-objects-v2 --bucket docs --max-keys 2 --no-paginate \
            --continuation-token "$TOK" >"$TMP/out" 2>&1 || fail "page: $(cat "$TMP/out")"
    fi
    TOK=$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["KeyCount"] == len(d.get("Contents", [])) <= 2, d
with open(sys.argv[2], "a") as f:
    for c in d.get("Contents", []): f.write(c["Key"] + "\n")
print(d.get("NextContinuationToken", "") if d["IsTruncated"] else "")
' "$TMP/out" "$TMP/keys.seen") || fail "a page of list-objects-v2: $(cat "$TMP/out")"
    [ -n "$TOK" ] || break
done
[ "$(tr '\n' ' ' <"$TMP/keys.seen")" = "a/one.txt a/x/1 a/x/2 a/y b/f3m.bin c/1 c/2 " ] ||
    fail "pages of 2 listed: $(tr '\n' ' ' <"$TMP/keys.seen")"
aws s3 ls s3://docs/a/ >"$TMP/out" 2>&1 || fail "aws s3 ls: $(cat "$TMP/out")"
grep -q "PRE x/" "$TMP/out" && grep -q " one.txt" "$TMP/out" || fail "aws s3 ls s3://docs/a/: $(cat "$TMP/out")"
ok "list-objects-v2: prefix, delimiter, pages of 2 with continuation tokens; aws s3 ls"

# refusals
if aws --profile wrong s3api list-objects-v2 --bucket docs >"$TMP/out" 2>&1; then fail "a wrong secret was taken"; fi
grep -q SignatureDoesNotMatch "$TMP/out" || fail "wrong secret: $(cat "$TMP/out")"
if aws s3api get-object --bucket docs --key no/such/key "$TMP/x" >"$TMP/out" 2>&1; then fail "a missing key was served"; fi
grep -q NoSuchKey "$TMP/out" || fail "missing key: $(cat "$TMP/out")"
if aws s3api list-objects-v2 --bucket nosuchbucket >"$TMP/out" 2>&1; then fail "a missing bucket was listed"; fi
grep -q NoSuchBucket "$TMP/out" || fail "missing bucket: $(cat "$TMP/out")"
if aws s3 rb s3://docs >"$TMP/out" 2>&1; then fail "a bucket with objects was removed"; fi
grep -q BucketNotEmpty "$TMP/out" || fail "rb of a full bucket: $(cat "$TMP/out")"
ok "refused: wrong secret (SignatureDoesNotMatch), missing key (NoSuchKey), missing bucket, full bucket"

# copy and delete-objects
aws s3api copy-object --bucket docs --key b/copy.bin --copy-source docs/b/f3m.bin >"$TMP/out" 2>&1 ||
    fail "copy-object: $(cat "$TMP/out")"
aws s3 cp s3://docs/b/copy.bin "$TMP/copy.back" >/dev/null 2>&1 || fail "get the copy"
same "$TMP/f3m" "$TMP/copy.back" "copy-object"
aws s3api delete-objects --bucket docs --delete '{"Objects":[{"Key":"c/1"},{"Key":"c/2"}]}' >"$TMP/out" 2>&1 ||
    fail "delete-objects: $(cat "$TMP/out")"
aws s3api list-objects-v2 --bucket docs --prefix c/ >"$TMP/out" 2>&1 || fail "list c/"
! grep -q '"Key"' "$TMP/out" || fail "delete-objects left: $(cat "$TMP/out")"
ok "copy-object (identical), delete-objects"

# a large file: multipart upload with the CLI's default 8 MiB parts
head -c $((BIG_MB * 1024 * 1024)) /dev/urandom >"$TMP/big"
T0=$(date +%s.%N)
aws s3 cp --only-show-errors "$TMP/big" s3://docs/big.bin >"$TMP/out" 2>&1 || fail "aws s3 cp of ${BIG_MB} MB: $(tail -c 600 "$TMP/out")"
T1=$(date +%s.%N)
HWM_PUT=$(awk '/^VmHWM:/ { printf "%d", $2 / 1024 }' "/proc/$GW_PID/status")
aws s3api head-object --bucket docs --key big.bin >"$TMP/out" 2>&1 || fail "head big"
grep -q "\"ETag\": \"\\\\\"[0-9a-f]*-$(( (BIG_MB + 7) / 8 ))\\\\\"\"" "$TMP/out" ||
    fail "the large object's ETag is not a multipart one of $(( (BIG_MB + 7) / 8 )) parts: $(cat "$TMP/out")"
aws s3 cp --only-show-errors s3://docs/big.bin "$TMP/big.back" >"$TMP/out" 2>&1 || fail "aws s3 cp down big: $(tail -c 600 "$TMP/out")"
T2=$(date +%s.%N)
same "$TMP/big" "$TMP/big.back" "multipart round trip"
rm -f "$TMP/big.back"
HWM=$(awk '/^VmHWM:/ { printf "%d", $2 / 1024 }' "/proc/$GW_PID/status")
ok "gateway peak memory (VmHWM): $HWM_PUT MiB after the ${BIG_MB} MB upload, $HWM MiB after its download"
ok "$(python3 -c "import sys; b=$BIG_MB; u=$T1-$T0; d=$T2-$T1; print(f'{b} MB multipart upload {u:.1f} s ({b/u:.1f} MB/s), download {d:.1f} s ({b/d:.1f} MB/s): identical')")"

# sync and rm
mkdir -p "$TMP/tree/sub"
head -c 100000 /dev/urandom >"$TMP/tree/one"
head -c 200000 /dev/urandom >"$TMP/tree/sub/two"
aws s3 sync "$TMP/tree" s3://docs/tree >"$TMP/out" 2>&1 || fail "aws s3 sync up: $(cat "$TMP/out")"
aws s3 sync s3://docs/tree "$TMP/tree.back" >"$TMP/out" 2>&1 || fail "aws s3 sync down: $(cat "$TMP/out")"
same "$TMP/tree/sub/two" "$TMP/tree.back/sub/two" "aws s3 sync"
s3c sync "$TMP/tree/" s3://photos/tree/ >"$TMP/out" 2>&1 || fail "s3cmd sync: $(cat "$TMP/out")"
s3c get s3://photos/tree/sub/two "$TMP/two.s3cmd" >/dev/null 2>&1 || fail "s3cmd get after sync"
same "$TMP/tree/sub/two" "$TMP/two.s3cmd" "s3cmd sync"
aws s3 rm s3://docs/tree --recursive >"$TMP/out" 2>&1 || fail "aws s3 rm: $(cat "$TMP/out")"
s3c del s3://photos/small.txt >"$TMP/out" 2>&1 || fail "s3cmd del: $(cat "$TMP/out")"
if s3c get s3://photos/small.txt "$TMP/gone" >"$TMP/out" 2>&1; then fail "a deleted object was served"; fi
ok "aws s3 sync/rm, s3cmd sync/del"

# --- n - k providers down: still readable; the repair checker puts it back ----
kill -KILL "${PPID_OF[1]}" "${PPID_OF[2]}"
wait "${PPID_OF[1]}" 2>/dev/null || true
wait "${PPID_OF[2]}" 2>/dev/null || true
PPID_OF[1]=""
PPID_OF[2]=""
aws s3 cp s3://docs/b/f3m.bin "$TMP/f3m.down" >"$TMP/out" 2>&1 || fail "get with 2 of 6 providers down: $(cat "$TMP/out")"
same "$TMP/f3m" "$TMP/f3m.down" "get with 2 of 6 providers down"
ok "2 of 6 providers killed: the object still reads back identical"
start_provider 7
start_provider 8
MARK=$(wc -l <"$TMP/gw1.log")
for _ in $(seq 1 1200); do
    tail -n +"$MARK" "$TMP/gw1.log" | grep -q "repair: .*(docs/b/f3m.bin): 4 of 6 pieces alive.*: 2 placed" && break
    kill -0 "$GW_PID" 2>/dev/null || fail "the gateway died"
    sleep 0.1
done
tail -n +"$MARK" "$TMP/gw1.log" | grep -q "repair: .*(docs/b/f3m.bin): 4 of 6 pieces alive.*: 2 placed" ||
    fail "the gateway's repair checker did not repair b/f3m.bin within 120 s: $(tail -n +"$MARK" "$TMP/gw1.log" | tail -n 5)"
MARK=$(wc -l <"$TMP/gw1.log")
for _ in $(seq 1 1200); do
    tail -n +"$MARK" "$TMP/gw1.log" | grep -q "repair: checked [0-9]* file(s): 0 below the threshold" && break
    sleep 0.1
done
tail -n +"$MARK" "$TMP/gw1.log" | grep -q "repair: checked [0-9]* file(s): 0 below the threshold" ||
    fail "files stayed below the threshold: $(tail -n +"$MARK" "$TMP/gw1.log" | tail -n 5)"
ok "the gateway's repair checker brought every file back (no request): $(tail -n +"$MARK" "$TMP/gw1.log" | grep "repair: checked" | head -n 1)"

# --- kill -9 after an acknowledged PUT; restart: the object is there ----------
aws s3api put-object --bucket docs --key durable.txt --body "$TMP/small.txt" >"$TMP/out" 2>&1 ||
    fail "put before the kill: $(cat "$TMP/out")"
kill -KILL "$GW_PID"
wait "$GW_PID" 2>/dev/null || true
GW_PID=""
start_gw "$TMP/gw" "$TMP/gw2.log"
aws s3 cp s3://docs/durable.txt "$TMP/durable.back" >"$TMP/out" 2>&1 || fail "get after restart: $(cat "$TMP/out")"
same "$TMP/small.txt" "$TMP/durable.back" "after kill -9"
ok "kill -9 after an acknowledged PUT: the object is there after a restart"

# one GET of the large object on the fresh gateway: streamed, bounded memory
hwm() { awk '/^VmHWM:/ { printf "%d", $2 / 1024 }' "/proc/$GW_PID/status"; }
HWM0=$(hwm)
read -r TTFB TTOT < <(curl -sS --fail-with-body --aws-sigv4 "aws:amz:us-east-1:s3" --user "$AK:$SK" \
    -H "x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" \
    "$EP/docs/big.bin" -o "$TMP/big.curl" -w '%{time_starttransfer} %{time_total}\n') ||
    fail "a GET of big.bin with curl"
HWM1=$(hwm)
same "$TMP/big" "$TMP/big.curl" "one GET of big.bin"
rm -f "$TMP/big.curl"
ok "one GET of ${BIG_MB} MB: first byte after $TTFB s of $TTOT s; gateway peak memory $HWM0 MiB before, $HWM1 MiB after"
# Under AddressSanitizer freed memory sits in its quarantine (256 MiB) and
# the resident size says nothing about streaming: measured in plain builds.
if ldd "$CAIRN_BIN" 2>/dev/null | grep -q libasan; then
    ok "memory bound not checked: this cairn is built with AddressSanitizer"
elif [ "$BIG_MB" -ge 200 ] && [ $((HWM1 - HWM0)) -ge $((BIG_MB / 2)) ]; then
    fail "the GET of ${BIG_MB} MB took $((HWM1 - HWM0)) MiB: not streamed"
fi

# --- a new gateway directory: the index comes back from the chain and the key -
kill -TERM "$GW_PID"
wait "$GW_PID" || fail "the gateway exited with status $? after SIGTERM"
GW_PID=""
start_gw "$TMP/gw-new" "$TMP/gw3.log"
grep -q "rebuilt [0-9]* bucket(s) and [0-9]* object(s) from the chain" "$TMP/gw3.log" ||
    fail "the new gateway did not rebuild its index: $(cat "$TMP/gw3.log")"
aws s3 ls s3://docs/ --recursive >"$TMP/out" 2>&1 || fail "ls after the rebuild: $(cat "$TMP/out")"
for k in a/one.txt a/x/1 a/y b/f3m.bin b/copy.bin big.bin durable.txt; do
    grep -q " $k\$" "$TMP/out" || fail "$k is not listed after the rebuild: $(cat "$TMP/out")"
done
aws s3 ls >"$TMP/out" 2>&1 || fail "ls of buckets after the rebuild"
grep -q " photos\$" "$TMP/out" && grep -q " docs\$" "$TMP/out" || fail "buckets after the rebuild: $(cat "$TMP/out")"
aws s3api head-object --bucket docs --key b/f3m.bin >"$TMP/out" 2>&1 || fail "head after the rebuild"
grep -q '"colour": "blue"' "$TMP/out" || fail "metadata lost in the rebuild: $(cat "$TMP/out")"
aws s3 cp s3://docs/b/f3m.bin "$TMP/f3m.rebuilt" >/dev/null 2>&1 || fail "get after the rebuild"
same "$TMP/f3m" "$TMP/f3m.rebuilt" "after the rebuild"
ok "a new gateway directory rebuilt buckets, keys, ETags and metadata from the chain (names encrypted on chain)"
