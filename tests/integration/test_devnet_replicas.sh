#!/usr/bin/env bash
# `cairn devnet --replicas 3`: three sequencer replicas on three etcd
# members. `cairn status` on each replica names the same leader and term;
# kill -9 of the leading replica (by the PID in the devnet's pid file)
# makes another one lead within a bounded wait while blocks continue, and
# the devnet starts the killed one again, which rejoins as a standby. The
# devnet is then stopped by PID and no etcd or cairn process of it may be
# left. Every wait is bounded.
# Needs bash, grep, sed, etcd (scripts/install-deps.sh) and cairn.
set -euo pipefail

: "${CAIRN_BIN:?CAIRN_BIN must point at the cairn binary (run through ctest)}"
if ! command -v etcd >/dev/null && [ ! -x /usr/bin/etcd ]; then
    echo "FAIL: etcd is not installed; run scripts/install-deps.sh" \
         "(or: apt-get install etcd-server)" >&2
    exit 1
fi
DEVNET_ARGS="--replicas 3"
DEVNET_WAIT_S=60
. "$(dirname "$0")/devnet_lib.sh"
fail() {
    echo "FAIL: $*" >&2
    local f
    for f in "$TMP"/devnet-*.out "$NET"/replica-*.log "$NET"/etcd-1.log; do
        [ -f "$f" ] && { echo "--- $f" >&2; tail -n 15 "$f" >&2; }
    done
    exit 1
}
devnet_storage_test devnet-replicas
grep -q "who leads: .* status" "$OUT" || fail "the banner does not say how to see who leads"
ok "devnet with 3 replicas on port $PORT"

alive() { kill -0 "$DEVNET_PID" 2>/dev/null || fail "the devnet stopped: $1"; }
url_of() { # replica I (1..3): replica 1 on P, replica I on P+I
    if [ "$1" -eq 1 ]; then echo "http://127.0.0.1:$PORT"; else echo "http://127.0.0.1:$((PORT + $1))"; fi
}
# `cairn status` of replica $1 into ST_ROLE, ST_TERM, ST_LEADER, ST_API,
# ST_HEIGHT; 1 when it does not answer.
status_of() {
    local out
    ST_ROLE="" ST_TERM="" ST_LEADER="" ST_API="" ST_HEIGHT=""
    out=$("$CAIRN_BIN" --node "$(url_of "$1")" status 2>/dev/null) || return 1
    ST_ROLE=$(printf '%s\n' "$out" | sed -n 's/^role  *\([a-z]*\) (term \([0-9]*\).*/\1/p')
    ST_TERM=$(printf '%s\n' "$out" | sed -n 's/^role  *[a-z]* (term \([0-9]*\).*/\1/p')
    ST_LEADER=$(printf '%s\n' "$out" | sed -n 's/^leader  *\(cairn1[0-9a-z]*\) .*/\1/p')
    ST_API=$(printf '%s\n' "$out" | sed -n 's/^leader  *cairn1[0-9a-z]*  *\(http[^ ]*\).*/\1/p')
    ST_HEIGHT=$(printf '%s\n' "$out" | sed -n 's/^height  *\([0-9]*\)$/\1/p')
    [ -n "$ST_ROLE" ] && [ -n "$ST_HEIGHT" ]
}

# Waits (at most $2 s) until the replicas in $1 (e.g. "1 2 3") all answer,
# name the same leader and term, exactly one of them leads, and their
# height is at least $3. Sets LEADER, TERM, LEAD_IDX, HEIGHT.
wait_agree() {
    local tries=$(($2 * 5)) i leaders terms n_lead
    while [ "$tries" -gt 0 ]; do
        alive "waiting for the replicas to agree"
        leaders="" terms="" n_lead=0 LEAD_IDX="" HEIGHT=999999999
        for i in $1; do
            status_of "$i" || { leaders="x"; break; }
            leaders+="$ST_LEADER "
            terms+="$ST_TERM "
            [ "$ST_ROLE" = leader ] && { n_lead=$((n_lead + 1)); LEAD_IDX=$i; }
            [ "$ST_HEIGHT" -lt "$HEIGHT" ] && HEIGHT=$ST_HEIGHT
        done
        LEADER=${leaders%% *}
        TERM=${terms%% *}
        if [ "$leaders" != x ] && [ -n "$LEADER" ] && [ "$n_lead" -eq 1 ] &&
            [ "$(printf '%s\n' $leaders | sort -u | wc -l)" -eq 1 ] &&
            [ "$(printf '%s\n' $terms | sort -u | wc -l)" -eq 1 ] &&
            [ "$HEIGHT" -ge "$3" ]; then
            return 0
        fi
        sleep 0.2
        tries=$((tries - 1))
    done
    fail "replicas $1 did not agree on one leader at height >= $3 within $2 s (last: leaders '$leaders' terms '$terms')"
}

wait_agree "1 2 3" 30 3
ok "replicas 1..3 name one leader, replica $LEAD_IDX ($LEADER), term $TERM, height >= 3"
status_of "$LEAD_IDX"
[ "$ST_API" = "$(url_of "$LEAD_IDX")" ] || fail "the leader's API is $ST_API, not $(url_of "$LEAD_IDX")"
"$CAIRN_BIN" --node "$(url_of 1)" --json status | grep -q '"etcd_tip"' ||
    fail "status --json lacks the replica object"
"$CAIRN_BIN" --node "$(url_of 1)" status | grep -q '^etcd  .*  up' ||
    fail "status shows no etcd member up"

# kill -9 the leading replica.
OLD_IDX=$LEAD_IDX OLD_LEADER=$LEADER OLD_TERM=$TERM OLD_HEIGHT=$HEIGHT
OLD_PID=$(cat "$NET/replica-$OLD_IDX.pid" 2>/dev/null || true)
[ -n "$OLD_PID" ] || fail "no $NET/replica-$OLD_IDX.pid"
kill -9 "$OLD_PID"
SURVIVORS=""
for i in 1 2 3; do [ "$i" -eq "$OLD_IDX" ] || SURVIVORS+="$i "; done
wait_agree "$SURVIVORS" 30 $((OLD_HEIGHT + 3))
[ "$LEADER" != "$OLD_LEADER" ] || fail "the killed replica still leads"
[ "$TERM" -gt "$OLD_TERM" ] || fail "the term did not grow ($OLD_TERM -> $TERM)"
ok "after kill -9 of replica $OLD_IDX: replica $LEAD_IDX leads, term $TERM, blocks continue (height $HEIGHT > $OLD_HEIGHT)"

# The devnet starts it again; it rejoins as a standby of the new leader.
NEW_LEADER=$LEADER
for _ in $(seq 1 300); do
    alive "waiting for replica $OLD_IDX to come back"
    NEW_PID=$(cat "$NET/replica-$OLD_IDX.pid" 2>/dev/null || true)
    if [ -n "$NEW_PID" ] && [ "$NEW_PID" != "$OLD_PID" ] && status_of "$OLD_IDX" &&
        [ "$ST_ROLE" = standby ] && [ "$ST_LEADER" = "$NEW_LEADER" ] &&
        [ "$ST_HEIGHT" -ge "$HEIGHT" ]; then
        break
    fi
    sleep 0.2
done
[ "${ST_ROLE:-}" = standby ] && [ "${ST_LEADER:-}" = "$NEW_LEADER" ] ||
    fail "replica $OLD_IDX did not rejoin as a standby within 60 s"
grep -q "replica $OLD_IDX was killed by signal 9" "$OUT" ||
    fail "the devnet did not say that replica $OLD_IDX was killed"
grep -q "replica $OLD_IDX started again" "$OUT" ||
    fail "the devnet did not say that replica $OLD_IDX started again"
ok "replica $OLD_IDX is back (pid $OLD_PID -> $NEW_PID) as a standby at height $ST_HEIGHT"

# Stop by PID; nothing of this devnet may be left.
PIDS=$(cat "$NET"/replica-*.pid "$NET"/etcd-*.pid "$NET"/follower.pid 2>/dev/null || true)
[ "$(printf '%s\n' $PIDS | wc -l)" -eq 7 ] || fail "expected 7 pid files, got: $PIDS"
stop_devnet
for p in $PIDS; do
    ! kill -0 "$p" 2>/dev/null || fail "process $p of the devnet is still running"
done
LEFT=$(pgrep -f -- "$NET" || true)
[ -z "$LEFT" ] || fail "processes of the devnet are left: $LEFT"
ls "$NET"/*.pid >/dev/null 2>&1 && fail "pid files are left: $(ls "$NET"/*.pid)"
ok "the devnet stopped every replica, etcd member and the follower"
echo "PASS"
