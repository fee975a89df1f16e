#!/usr/bin/env bash
# Sequencer replicas on etcd (issue 13), end to end: a real 3-member etcd
# cluster (tests/etcd_cluster.sh), three `cairn node --replica` processes
# (lease TTL 2 s, blocks every 200 ms) and one plain follower of replica 0,
# under a load of `cairn transfer` loops (one per funded key, each sending
# to the replicas in turn and recording every hash the CLI reported as
# committed). While the load runs:
#   a. the leading replica is killed with kill -9 at random moments and
#      restarted on its data dir, KILLS times; the time from each kill to
#      the next leader's first block is printed (not asserted);
#   b. the etcd raft leader is killed with kill -9 and restarted, then one
#      member's data dir is wiped (it rejoins empty); the chain goes on;
#   c. the leading replica is stopped (SIGSTOP) for 2 x TTL + 1 s: another
#      one leads; after SIGCONT the old one says it is no longer the leader
#      and no block of its old term is in the chain after the new term's
#      first block (the term is read from the raw header).
# Then the load stops and:
#   d. two of the three etcd members are killed: the chain stops (the height
#      stays the same for 3 s on every replica), a transfer submitted with
#      wait is not reported committed; the members restart: the chain goes
#      on and that transfer is in it.
# Finally every acknowledged transaction is in the chain (replica and
# follower), all four nodes have the same block hash and state root at one
# height, a replay of a stopped replica's blocks from genesis reaches its
# state root, and the books audit (tests/integration/replicas_audit.c)
# holds on its data dir.
# Needs etcd, etcdctl, curl and python3 (scripts/install-deps.sh).
set -euo pipefail

SRC=${CAIRN_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
for tool in etcd etcdctl curl python3; do
    if ! command -v "$tool" >/dev/null; then
        echo "FAIL: $tool is not installed; run scripts/install-deps.sh" \
            "(or: apt-get install etcd-server etcd-client curl python3)" >&2
        exit 1
    fi
done
: "${CAIRN_REPLICAS_AUDIT:?CAIRN_REPLICAS_AUDIT must point at the replicas_audit binary (run through ctest)}"
. "$SRC/tests/integration/lib.sh"
. "$SRC/tests/etcd_cluster.sh"
UTIL="$SRC/tests/integration/replicas_util.py"
KILLS=${CAIRN_REPLICA_KILLS:-20}
TTL=2
LOADERS=3

lib_init replicas
RPID=() RPORT=() RURL=() LOAD_PIDS=() FPID=""
cleanup() {
    local p
    touch "$TMP/stop"
    for p in "${RPID[@]:-}" "$FPID" "${LOAD_PIDS[@]:-}"; do
        [ -n "$p" ] && kill -CONT "$p" 2>/dev/null || true
        [ -n "$p" ] && kill -TERM "$p" 2>/dev/null || true
    done
    for p in "${RPID[@]:-}" "$FPID" "${LOAD_PIDS[@]:-}"; do
        [ -n "$p" ] && wait "$p" 2>/dev/null || true
    done
    etcd_cluster_stop
    lib_cleanup
}
trap cleanup EXIT
now_ms() { date +%s%3N; }

# --- keys and genesis: sequencers s0..s2, loaders u1..uN, m (phase d) ---
loaders=$(seq 1 $LOADERS | sed 's/^/u/')
# shellcheck disable=SC2086
keys s0 s1 s2 m dest $loaders
DEST=$(addr dest)
{
    printf '{"chain_id":"replica-test","token":{"name":"Cairn","symbol":"CRN"},'
    printf '"supply_cap":"1000000000","min_fee":"0.001","genesis_time_ms":0,'
    printf '"block_interval_ms":200,"max_block_txs":5000,"sequencers":['
    printf '{"address":"%s","stake":"1000"},' "$(addr s0)" "$(addr s1)"
    printf '{"address":"%s","stake":"1000"}],"allocations":[' "$(addr s2)"
    for k in s0 s1 s2; do printf '{"address":"%s","amount":"2000"},' "$(addr "$k")"; done
    for k in $loaders; do printf '{"address":"%s","amount":"100000"},' "$(addr "$k")"; done
    printf '{"address":"%s","amount":"100"}]}\n' "$(addr m)"
} >"$TMP/genesis.json"
for d in r0 r1 r2 f; do
    "$CAIRN_BIN" init --genesis "$TMP/genesis.json" --data "$TMP/$d" >/dev/null || fail "init $d"
done

# --- etcd, on a random base port; the nodes just above it ---
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
started=0
for _ in 1 2 3 4 5; do
    BASE=$((20000 + (RANDOM % 1200) * 10))
    port_free $((BASE + 5)) && port_free $((BASE + 6)) && port_free $((BASE + 7)) &&
        port_free $((BASE + 8)) || continue
    rm -rf "$TMP/etcd"
    if etcd_cluster_start "$TMP/etcd" 3 "$BASE"; then
        started=1
        break
    fi
done
[ "$started" -eq 1 ] || fail "the etcd cluster would not start"
ok "3 etcd members at $ETCD_URLS"

for i in 0 1 2; do
    RPORT[i]=$((BASE + 5 + i))
    RURL[i]="http://127.0.0.1:${RPORT[i]}"
    ADDR[i]=$(addr "s$i")
done
FURL="http://127.0.0.1:$((BASE + 8))"
# Starts replica $1 on its data dir and port (appending to its log).
start_replica() {
    "$CAIRN_BIN" node --data "$TMP/r$1" --key "$TMP/keys/s$1.key" --replica \
        --etcd "$ETCD_URLS" --lease-ttl "$TTL" --listen "127.0.0.1:${RPORT[$1]}" \
        >>"$TMP/r$1.log" 2>&1 &
    RPID[$1]=$!
}
kill9_replica() {
    kill -9 "${RPID[$1]}" 2>/dev/null || true
    wait "${RPID[$1]}" 2>/dev/null || true
    RPID[$1]=""
}
for i in 0 1 2; do start_replica "$i"; done
"$CAIRN_BIN" node --data "$TMP/f" --follow "${RURL[0]}" --listen "127.0.0.1:$((BASE + 8))" \
    >"$TMP/f.log" 2>&1 &
FPID=$!

# status lines of the three replicas: "height tip root role term" | down
statuses() { python3 "$UTIL" status "${RURL[@]}"; }
# "index term" of the replica that leads with the highest term (1 if none)
leader() { statuses | awk '$4 == "leader" && $5 > t {t = $5; i = NR - 1} END {if (t) print i, t; else exit 1}'; }
height_of() { python3 "$UTIL" status "$1" | awk '$1 != "down" {print $1}'; }

LEAD=""
has_leader() { LEAD=$(leader); }
wait_for 30 has_leader || fail "no replica leads after 30 s"
ok "replicas up; replica ${LEAD% *} leads (term ${LEAD#* })"

# --- load: one `cairn transfer` loop per key, round robin over replicas ---
loader() {
    local k=$1 i=$1 out
    while [ ! -e "$TMP/stop" ]; do
        i=$(((i + 1) % 3))
        if out=$("$CAIRN_BIN" --node "${RURL[i]}" transfer --key "$TMP/keys/u$k.key" \
            --to "$DEST" --amount 1 2>&1); then
            case $out in
            *"committed in block"*) echo "$out" | awk '{print $2}' >>"$TMP/acked.u$k" ;;
            *) echo "r$i: $out" >>"$TMP/load.u$k.txt" ;;
            esac
        else
            echo "r$i: $out" >>"$TMP/load.u$k.txt"
            sleep 0.1
        fi
    done
}
for k in $(seq 1 $LOADERS); do
    loader "$k" &
    LOAD_PIDS+=($!)
done
acked() { cat "$TMP"/acked.u* 2>/dev/null | wc -l; }

# Waits (at most $2 s) until a replica leads with a term above $1 and has
# made a block in it; sets NL (its index), NT (its term) and NFIRST (the
# time_ms of that term's first block: its leader's clock).
NL="" NT="" NFIRST=""
wait_new_leader() {
    local tries=$(($2 * 10)) l
    while [ "$tries" -gt 0 ]; do
        if l=$(python3 "$UTIL" newleader "$1" "${RURL[@]}"); then
            read -r NL NT NFIRST <<<"$l"
            return 0
        fi
        sleep 0.1
        tries=$((tries - 1))
    done
    return 1
}
# 0 when the leading replica's height grows by $1 blocks within $2 s.
advances() {
    local need=$1 secs=$2 h0 h l
    wait_for 20 has_leader || return 1
    l=${LEAD% *}
    h0=$(height_of "${RURL[l]}")
    [ -n "$h0" ] || return 1
    for _ in $(seq 1 $((secs * 5))); do
        for l in 0 1 2; do
            h=$(height_of "${RURL[l]}")
            [ -n "$h" ] && [ "$h" -ge $((h0 + need)) ] && return 0
        done
        sleep 0.2
    done
    return 1
}

# --- a. kill -9 the leading replica, KILLS times ---
FAILOVERS=() TAKEOVERS=""
t_a=$SECONDS
for n in $(seq 1 "$KILLS"); do
    wait_for 20 has_leader || fail "kill $n: no leader"
    L=${LEAD% *} T=${LEAD#* }
    sleep "0.$((RANDOM % 9 + 1))"
    t0=$(now_ms)
    kill9_replica "$L"
    start_replica "$L"
    wait_new_leader "$T" 20 || fail "kill $n: no new leader 20 s after replica $L (term $T) was killed"
    FAILOVERS+=($((NFIRST - t0)))
    TAKEOVERS+="r$L>r$NL "
done
ok "a. $KILLS kill -9 of the leading replica in $((SECONDS - t_a)) s; $(acked) transfers acknowledged so far"
echo "failover times, kill -9 to the time_ms of the new leader's first block (ms, TTL ${TTL} s): ${FAILOVERS[*]}"
echo "leader changes (killed>next): $TAKEOVERS"
printf '%s\n' "${FAILOVERS[@]}" | sort -n | awk '{a[NR] = $1} END {printf "failover median %d ms, max %d ms\n", a[int((NR + 1) / 2)], a[NR]}'

# --- b. the etcd raft leader killed and restarted; then a member wiped ---
a0=$(acked)
li=$(etcd_leader_index) || fail "no etcd raft leader"
etcd_member_kill "$li"
advances 5 20 || fail "b. the chain stopped after etcd leader m$li was killed"
etcd_member_start "$li"
etcd_member_wait "$li" 20 || fail "b. etcd m$li would not restart"
advances 5 20 || fail "b. the chain stopped after etcd m$li restarted"
ok "b. etcd raft leader m$li killed -9 and restarted; chain advancing"
w=$(( ($(etcd_leader_index || echo 0) + 1) % 3))
etcd_member_wipe "$w" || fail "b. etcd m$w would not rejoin after a wipe"
advances 5 20 || fail "b. the chain stopped after etcd m$w was wiped"
acked_more() { [ "$(acked)" -gt "$a0" ]; }
wait_for 20 acked_more || fail "b. no transfer acknowledged during the etcd faults"
ok "b. etcd m$w wiped and rejoined; chain advancing; $(($(acked) - a0)) transfers acknowledged meanwhile"

# --- c. SIGSTOP the leading replica for 2 x TTL + 1 s ---
wait_for 20 has_leader || fail "c. no leader"
L=${LEAD% *} T=${LEAD#* }
h_stop=$(height_of "${RURL[L]}")
said=$(grep -c "no longer the leader" "$TMP/r$L.log" || true)
kill -STOP "${RPID[L]}"
t0=$SECONDS
others=()
for i in 0 1 2; do [ "$i" -ne "$L" ] && others+=("${RURL[i]}"); done
new_leader_other() { python3 "$UTIL" status "${others[@]}" | awk '$4 == "leader" {f = 1} END {exit !f}'; }
wait_for $((2 * TTL + 1)) new_leader_other || {
    kill -CONT "${RPID[L]}"
    fail "c. no other replica leads while replica $L is stopped"
}
NT=$(python3 "$UTIL" status "${others[@]}" | awk '$4 == "leader" {print $5}' | sort -n | tail -n 1)
[ "$NT" -gt "$T" ] || fail "c. the new leader's term $NT is not above $T"
while [ $((SECONDS - t0)) -lt $((2 * TTL + 1)) ]; do sleep 0.2; done
kill -CONT "${RPID[L]}"
said_more() { [ "$(grep -c "no longer the leader" "$TMP/r$L.log" || true)" -gt "$said" ]; }
wait_for 10 said_more || fail "c. replica $L does not say it is no longer the leader after SIGCONT"
advances 5 20 || fail "c. the chain stopped after replica $L resumed"
tip=$(height_of "${RURL[0]}")
python3 "$UTIL" terms "${RURL[0]}" $((h_stop + 1)) "$tip" >"$TMP/terms.txt" ||
    fail "c. blocks $((h_stop + 1))..$tip not readable"
# blocks of the old term T come before the new term's first block, every
# later block has a term >= NT, and terms never go down
awk -v T="$T" -v NT="$NT" -v L="${ADDR[L]}" '
    $2 >= NT && !first {first = $1}
    $2 < prev {print "term goes down at " $1; bad = 1}
    first && $2 < NT {print "block " $1 " term " $2 " after the new term " NT; bad = 1}
    $2 == T && $3 != L {print "block " $1 " of term " T " not signed by its leader"; bad = 1}
    {prev = $2}
    END {if (!first) {print "no block of term " NT; bad = 1}; exit bad}' "$TMP/terms.txt" ||
    fail "c. the chain after the takeover: $(tail -n 5 "$TMP/terms.txt")"
ok "c. replica $L stopped $((2 * TTL + 1)) s: term $T -> $NT, it stepped down after SIGCONT, no block of term $T after the takeover (heights $((h_stop + 1))..$tip)"

# --- stop the load ---
touch "$TMP/stop"
for p in "${LOAD_PIDS[@]}"; do
    for _ in $(seq 1 200); do kill -0 "$p" 2>/dev/null || break; sleep 0.2; done
    kill -TERM "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
done
LOAD_PIDS=()
ok "load stopped: $(acked) transfers acknowledged as committed"

# --- d. majority loss: two etcd members down ---
etcd_member_kill 0
etcd_member_kill 1
h1="" h2=""
stopped() {
    h1=$(statuses | awk '{print $1}' | tr '\n' ' ')
    sleep 3
    h2=$(statuses | awk '{print $1}' | tr '\n' ' ')
    [ "$h1" = "$h2" ] && case $h1 in *down*) return 1 ;; esac
}
wait_for 20 stopped || fail "d. the chain did not stop with 2 of 3 etcd members down: $h1 / $h2"
out=$(timeout 6 "$CAIRN_BIN" --node "${RURL[0]}" transfer --key "$TMP/keys/m.key" --to "$DEST" \
    --amount 1 2>&1) || true
case $out in *committed*) fail "d. a transfer committed without an etcd majority: $out" ;; esac
h3=$(statuses | awk '{print $1}' | tr '\n' ' ')
[ "$h3" = "$h2" ] || fail "d. the chain moved without an etcd majority: $h2 -> $h3"
ok "d. 2 of 3 etcd members down: heights stay at $h3, the transfer is not committed (${out:-timed out})"
etcd_member_start 0
etcd_member_start 1
etcd_member_wait 0 20 || fail "d. etcd m0 would not restart"
etcd_member_wait 1 20 || fail "d. etcd m1 would not restart"
m_done() { curl -s -m 2 "${RURL[0]}/v1/account/$(addr m)" | grep -q '"nonce": *1[,}]'; }
wait_for 30 m_done || fail "d. the transfer held during the majority loss did not commit after etcd came back"
advances 5 20 || fail "d. the chain did not resume"
ok "d. etcd majority back: the chain resumed and the held transfer committed"

# --- every acknowledged transaction is in the chain, on a replica and on the follower ---
cat "$TMP"/acked.u* >"$TMP/acked.all" 2>/dev/null || true
[ -s "$TMP/acked.all" ] || fail "no transfer was acknowledged"
python3 "$UTIL" txs "${RURL[1]}" "$TMP/acked.all" || fail "acknowledged transactions missing on replica 1"
# --- the four nodes agree on one height ---
same_block() {
    local H=0 h u ref="" b
    for u in "${RURL[@]}" "$FURL"; do
        h=$(height_of "$u")
        [ -n "$h" ] || return 1
        { [ "$H" -eq 0 ] || [ "$h" -lt "$H" ]; } && H=$h
    done
    for u in "${RURL[@]}" "$FURL"; do
        b=$(python3 "$UTIL" block "$u" "$H" | awk '{print $1, $2}')
        [ -n "$ref" ] || ref=$b
        [ "$b" = "$ref" ] || return 1
    done
    SAME="height $H: block ${ref% *} state root ${ref#* }"
}
wait_for 30 same_block || fail "the replicas and the follower do not agree on a block"
ok "3 replicas and the follower agree: $SAME"
python3 "$UTIL" txs "$FURL" "$TMP/acked.all" >/dev/null || fail "acknowledged transactions missing on the follower"
ok "the follower has every acknowledged transaction too"

# --- replay and books audit of a stopped replica ---
kill -TERM "${RPID[2]}"
wait "${RPID[2]}" 2>/dev/null || true
RPID[2]=""
rep=$("$CAIRN_BIN" replay --data "$TMP/r2") || fail "replay of replica 2: $rep"
aud=$("$CAIRN_REPLICAS_AUDIT" "$TMP/r2") || fail "books audit of replica 2: $aud"
echo "$aud"
h=$(echo "$aud" | awk '/^height/ {print $2}')
root=$(echo "$aud" | awk '/^height/ {print $6}')
rroot=$(echo "$rep" | awk '/^state root/ {print $3}')
[ "$rroot" = "$root" ] || fail "replay of replica 2 reached $rroot, its tip has $root"
ref=$(python3 "$UTIL" block "${RURL[0]}" "$h" | awk '{print $2}')
[ "$ref" = "$root" ] || fail "replica 2's state root $root at $h differs from replica 0's $ref"
ok "replica 2 stopped at $h: replay reaches its state root $root (replica 0 agrees); books audit holds"
