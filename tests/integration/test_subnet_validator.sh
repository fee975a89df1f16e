#!/usr/bin/env bash
# Verified work end to end (issue 10), with real processes on 127.0.0.1: a
# sequencer with 2-second epochs, three `cairn provider compute --serve
# matmul` miners (m3 with --cheat-every 1: every result has one wrong
# entry) in a matmul subnet, and one `cairn validator`.
#  - the validator probes every miner each epoch, checks each result with
#    Freivalds' check, and sends the proof of m3's wrong entry: the chain
#    checks it, slashes m3 compute_verify_slash_bps of its stake (to the
#    base unit) and jails it; m1 and m2 are never touched;
#  - commit-reveal runs: the validator's weights are revealed and Yuma pays
#    the honest miners; the jailed cheat gets nothing once jailed;
#  - kill -9 of the validator right after a commit: after its restart it
#    reveals that commit (the weights were on disk before the commit went
#    out), so the epoch's weights are not lost;
#  - `cairn compute job matmul` against an honest miner passes; against the
#    cheat it fails with the check's verdict (exit status 1);
#  - `cairn subnet show` lists the miners, the validator and the payouts;
#  - a transcode subnet with two validators of equal stake: m4 flips a byte
#    of a rendition; both validators re-run it and vote, and only the
#    second vote (the quorum of stake) convicts it.
# Every process started is stopped by PID (background processes are
# started as "$CAIRN_BIN" itself, not through the cairn() function, whose
# subshell would be the PID and leave the daemon behind); every wait is
# bounded.
set -euo pipefail

: "${CAIRN_BIN:?CAIRN_BIN must point at the cairn binary (run through ctest)}"
command -v bwrap >/dev/null || { echo "SKIP: bwrap (bubblewrap) is not installed"; exit 0; }
TMP=$(mktemp -d /tmp/cairn-subnet-XXXXXX)
export HOME=$TMP/home
mkdir -p "$HOME"
PORT=0
NODE_PID=""
VAL_PID=""
VA_PID=""
VB_PID=""
declare -a PPID_OF

cleanup() {
    local p
    [ -n "${PPID_OF[5]:-}" ] && kill -CONT "${PPID_OF[5]}" 2>/dev/null || true
    for p in "$VAL_PID" "$VA_PID" "$VB_PID" "${PPID_OF[@]:-}" "$NODE_PID"; do
        [ -n "$p" ] && kill -TERM "$p" 2>/dev/null || true
    done
    for p in "$VAL_PID" "$VA_PID" "$VB_PID" "${PPID_OF[@]:-}" "$NODE_PID"; do
        [ -n "$p" ] && wait "$p" 2>/dev/null || true
    done
    if [ -z "${CAIRN_KEEP_TMP:-}" ]; then rm -rf "$TMP"; else echo "kept $TMP"; fi
}
trap cleanup EXIT

fail() {
    echo "FAIL: $*" >&2
    for f in "$TMP"/node.out "$TMP"/m*.log "$TMP"/val*.log; do
        [ -f "$f" ] && { echo "--- $f" >&2; tail -n 25 "$f" >&2; }
    done
    exit 1
}
ok() { echo "ok: $*"; }
URL() { echo "http://127.0.0.1:$PORT"; }
cairn() { "$CAIRN_BIN" --node "$(URL)" "$@"; }
field() { grep -o "\"$1\": *\"\?[^\",}]*" | head -n 1 | sed 's/^[^:]*: *"\?//'; }
prov() { curl -s "$(URL)/v1/provider/$(addr "$1")" | field "$2"; }

# --- keys, genesis, node ---------------------------------------------------------
mkdir -p "$TMP/keys"
for k in sequencer owner m1 m2 m3 m4 m5 val va vb user; do
    "$CAIRN_BIN" keygen --out "$TMP/keys/$k.key" >"$TMP/keys/$k.addr" 2>/dev/null
done
addr() { cat "$TMP/keys/$1.addr"; }
cat >"$TMP/genesis.json" <<EOF
{"chain_id": "cairn-subnet-test", "token": {"name": "Cairn", "symbol": "CRN"},
 "supply_cap": "1000000000", "genesis_time_ms": 1700000000000,
 "block_interval_ms": 250, "max_block_txs": 1000, "min_fee": "0.001",
 "sequencer": "$(addr sequencer)",
 "allocations": [{"address": "$(addr owner)", "amount": "1000"},
                 {"address": "$(addr m1)", "amount": "1000"},
                 {"address": "$(addr m2)", "amount": "1000"},
                 {"address": "$(addr m3)", "amount": "1000"},
                 {"address": "$(addr m4)", "amount": "1000"},
                 {"address": "$(addr m5)", "amount": "1000"},
                 {"address": "$(addr val)", "amount": "1000"},
                 {"address": "$(addr va)", "amount": "1000"},
                 {"address": "$(addr vb)", "amount": "1000"},
                 {"address": "$(addr user)", "amount": "10"}],
 "economy": {"epoch_blocks": 8, "min_provider_stake": "10",
             "jail_after_faults": 1000, "jail_epochs": 1000,
             "compute_subnet_create_cost": "5",
             "compute_subnet_min_stake": "10"}}
EOF
"$CAIRN_BIN" init --genesis "$TMP/genesis.json" --data "$TMP/chain" >/dev/null || fail "init"
for attempt in 1 2 3 4 5; do
    PORT=$((20000 + RANDOM % 12000))
    "$CAIRN_BIN" node --data "$TMP/chain" --key "$TMP/keys/sequencer.key" \
        --listen "127.0.0.1:$PORT" >"$TMP/node.out" 2>&1 &
    NODE_PID=$!
    for _ in $(seq 1 100); do cairn status >/dev/null 2>&1 && break; sleep 0.1; done
    cairn status >/dev/null 2>&1 && break
    kill -TERM "$NODE_PID" 2>/dev/null || true; wait "$NODE_PID" 2>/dev/null || true; NODE_PID=""
    [ "$attempt" -lt 5 ] || fail "node would not start"
done
ok "node on $PORT"

# --- three miners ------------------------------------------------------------------
mport() { echo $((PORT + 10 + 2 * $1)); }
start_miner() {
    local i=$1
    shift
    "$CAIRN_BIN" --node "$(URL)" provider compute --data "$TMP/m$i" --key "$TMP/keys/m$i.key" \
        --cpus 2 --memory 512MiB --disk 256MiB --stake 100 \
        --listen "127.0.0.1:$(mport "$i")" --poll-ms 300 "$@" >"$TMP/m$i.log" 2>&1 &
    PPID_OF[$i]=$!
}
start_miner 1 --serve matmul,transcode
start_miner 2 --serve matmul
start_miner 3 --serve matmul --cheat-every 1
start_miner 4 --serve transcode --cheat-every 1
start_miner 5 --serve matmul
n=0
for _ in $(seq 1 150); do
    n=0
    for i in 1 2 3 4 5; do
        [ "$(curl -s "$(URL)/v1/compute/provider/$(addr "m$i")" | field cpus)" = 2 ] && n=$((n + 1))
    done
    [ "$n" = 5 ] && break
    sleep 0.2
done
[ "$n" = 5 ] || fail "the miners did not offer capacity"
ok "four compute providers serve jobs (m3 cheats on every matrix, m4 on every transcode)"

cairn subnet create mm --type matmul --key "$TMP/keys/owner.key" >/dev/null || fail "subnet create"
for i in 1 2 3 5; do
    cairn subnet join mm --role miner --key "$TMP/keys/m$i.key" >/dev/null || fail "m$i join"
done
cairn subnet show mm --json >"$TMP/show.json" || fail "subnet show"
[ "$(grep -o '"role": *"miner"' "$TMP/show.json" | wc -l)" = 4 ] || fail "four miners: $(cat "$TMP/show.json")"
ok "subnet mm with four miners"

# --- cairn compute job by hand -------------------------------------------------------
mkdir -p "$TMP/out1" "$TMP/out3"
cairn compute job matmul --provider "127.0.0.1:$(mport 1)" --random 16x16x16 \
    --key "$TMP/keys/user.key" --out "$TMP/out1" >"$TMP/job1.out" 2>&1 ||
    fail "a job on m1: $(cat "$TMP/job1.out")"
if cairn compute job matmul --provider "127.0.0.1:$(mport 3)" --random 16x16x16 \
    --key "$TMP/keys/user.key" --out "$TMP/out3" >"$TMP/job3.out" 2>&1; then
    fail "the cheat's job passed: $(cat "$TMP/job3.out")"
fi
ok "cairn compute job: m1's product passes the check, m3's fails it"

# --- the validator ---------------------------------------------------------------------
S3=$(prov m3 self_stake_units)
start_validator() {
    "$CAIRN_BIN" --node "$(URL)" validator --subnet mm --data "$TMP/v" --key "$TMP/keys/val.key" \
        --stake 50 --dim 24 --poll-ms 300 >>"$TMP/val.log" 2>&1 &
    VAL_PID=$!
}
start_validator
for _ in $(seq 1 300); do
    [ "$(prov m3 jailed)" = true ] && break
    sleep 0.2
done
[ "$(prov m3 jailed)" = true ] || fail "m3 was not jailed within 60 s"
S3B=$(prov m3 self_stake_units)
[ "$S3B" = $((S3 - S3 / 10)) ] || fail "m3's stake $S3 -> $S3B, not minus 10%"
grep -q "sent evidence against miner" "$TMP/val.log" || fail "no evidence line in the validator's log"
for i in 1 2; do
    [ "$(prov "m$i" jailed)" = false ] || fail "honest m$i was jailed"
    [ "$(prov "m$i" self_stake_units)" = 100000000 ] || fail "honest m$i lost stake"
done
ok "the validator proved m3's wrong entry on chain: slashed 10% ($S3 -> $S3B) and jailed; m1, m2 untouched"

# --- commit-reveal and Yuma's pay --------------------------------------------------------
paid_epoch() {
    cairn subnet show mm --json >"$TMP/show.json" 2>/dev/null || return 1
    python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))
le = j.get("last_epoch")
if not le:
    sys.exit(1)
pays = {m["uid"]: int(m["pay_units"]) for m in le["miners"]}
uid = {m["address"]: m["uid"] for m in j["members"] if m["role"] == "miner"}
print(le["epoch"], *(pays.get(uid.get(a), 0) for a in sys.argv[2:]))
' "$TMP/show.json" "$(addr m1)" "$(addr m2)" "$(addr m3)"
}
PAID=""
for _ in $(seq 1 200); do
    line=$(paid_epoch 2>/dev/null || true)
    read -r e p1 p2 p3 <<<"${line:-x x x x}"
    if [ "$e" != x ] && [ "$p1" -gt 0 ] && [ "$p2" -gt 0 ] && [ "$p3" = 0 ]; then
        PAID=$line
        break
    fi
    sleep 0.3
done
[ -n "$PAID" ] || fail "no epoch paid m1 and m2 but not m3: $(cat "$TMP/show.json")"
ok "Yuma paid the honest miners and not the jailed cheat (epoch, m1, m2, m3 in base units: $PAID)"

# --- a miner that holds the validator's connection and never answers --------------------
# SIGSTOP m5: the kernel still accepts its connections, nobody answers
# them. The validator's round must not wait on it past one probe's
# deadline: it keeps committing epoch after epoch.
kill -STOP "${PPID_OF[5]}"
L=$(wc -l <"$TMP/val.log")
for _ in $(seq 1 300); do
    [ "$(tail -n +"$((L + 1))" "$TMP/val.log" | grep -c "committed weights for epoch")" -ge 3 ] && break
    sleep 0.2
done
[ "$(tail -n +"$((L + 1))" "$TMP/val.log" | grep -c "committed weights for epoch")" -ge 3 ] ||
    fail "the validator stalled behind a silent miner: $(tail -n 8 "$TMP/val.log")"
tail -n +"$((L + 1))" "$TMP/val.log" | grep -q "did not answer" || fail "the silent miner was not reported"
kill -CONT "${PPID_OF[5]}"
ok "a miner that never answers costs one probe's deadline: three epochs committed meanwhile"

# --- kill -9 between a commit and its reveal ----------------------------------------------
# Kill it right after a commit whose reveal has not happened yet (if the
# reveal slipped in first, take the next commit), then check that the
# restarted validator reveals it: a line written after the restart.
C=""
for _ in $(seq 1 300); do
    C=$(grep -o "committed weights for epoch [0-9]*" "$TMP/val.log" | tail -n 1 | grep -o "[0-9]*$" || true)
    if [ -n "$C" ] && ! grep -q "revealed the weights of epoch $C " "$TMP/val.log"; then
        kill -KILL "$VAL_PID"
        wait "$VAL_PID" 2>/dev/null || true
        VAL_PID=""
        grep -q "revealed the weights of epoch $C " "$TMP/val.log" || break
        start_validator # it revealed just before the kill: try the next one
    fi
    C=""
    sleep 0.1
done
[ -n "$C" ] || fail "never caught a commit before its reveal"
[ -f "$TMP/v/commits/$C" ] || fail "no commit file for epoch $C"
L=$(wc -l <"$TMP/val.log")
start_validator
for _ in $(seq 1 200); do
    tail -n +"$((L + 1))" "$TMP/val.log" | grep -q "revealed the weights of epoch $C " && break
    sleep 0.2
done
tail -n +"$((L + 1))" "$TMP/val.log" | grep -q "revealed the weights of epoch $C " ||
    fail "epoch $C's commit was not revealed after kill -9"
ok "killed -9 after committing epoch $C's weights; the restarted validator revealed them"

# every epoch's commit is revealed in the next one: two reveals in a row
R=$(grep -o "revealed the weights of epoch [0-9]*" "$TMP/val.log" | grep -o "[0-9]*$" | sort -n | uniq)
echo "$R" | awk 'NR > 1 && $1 == prev + 1 { found = 1 } { prev = $1 } END { exit !found }' ||
    fail "no two consecutive epochs revealed: $(echo $R)"
ok "commits revealed epoch after epoch ($(echo $R))"

cairn subnet show mm >"$TMP/show.txt" || fail "subnet show"
grep -qi "validator" "$TMP/show.txt" || fail "subnet show: $(cat "$TMP/show.txt")"
ok "cairn subnet show lists the subnet"

# --- transcode: votes, and a quorum of validator stake ------------------------------------
# Subnet tc: honest m1 and cheating m4 (rendition 0 has a flipped byte),
# validators va and vb with 50 each (compute_vote_quorum_bps 6667: one
# vote is not enough). Both probe the same job of each miner each epoch,
# so both find m4's one wrong claim, and the second vote convicts.
cairn subnet create tc --type transcode --key "$TMP/keys/owner.key" >/dev/null || fail "subnet tc"
for i in 1 4; do
    cairn subnet join tc --role miner --key "$TMP/keys/m$i.key" >/dev/null || fail "m$i join tc"
done
S4=$(prov m4 self_stake_units)
"$CAIRN_BIN" --node "$(URL)" validator --subnet tc --data "$TMP/va" --key "$TMP/keys/va.key" \
    --stake 50 --poll-ms 300 >"$TMP/val-a.log" 2>&1 &
VA_PID=$!
"$CAIRN_BIN" --node "$(URL)" validator --subnet tc --data "$TMP/vb" --key "$TMP/keys/vb.key" \
    --stake 50 --poll-ms 300 >"$TMP/val-b.log" 2>&1 &
VB_PID=$!
for _ in $(seq 1 450); do
    [ "$(prov m4 jailed)" = true ] && break
    sleep 0.2
done
[ "$(prov m4 jailed)" = true ] || fail "m4 was not convicted within 90 s: $(tail -n 5 "$TMP/val-a.log" "$TMP/val-b.log")"
[ "$(prov m4 self_stake_units)" = $((S4 - S4 / 10)) ] || fail "m4's stake $S4 -> $(prov m4 self_stake_units)"
grep -q "sent evidence against miner" "$TMP/val-a.log" || fail "va sent no vote"
grep -q "sent evidence against miner" "$TMP/val-b.log" || fail "vb sent no vote"
[ "$(prov m1 jailed)" = false ] || fail "honest m1 was jailed"
ok "transcode: both validators re-ran m4's rendition, voted, and the second vote convicted it (slashed 10%, jailed); m1 untouched"

