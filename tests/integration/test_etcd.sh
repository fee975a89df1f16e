#!/usr/bin/env bash
# The etcd client (src/net/etcd.c) against a real 3-member etcd cluster:
# starts it with tests/etcd_cluster.sh, runs test_etcd's cmocka binary
# (CAIRN_ETCD_TEST, set by CMake) with CAIRN_ETCD_URLS and CAIRN_ETCD_PIDS
# (its last test kills the raft leader), then checks the cluster helper's
# own procedures: the killed member restarts on its data, and a member
# whose disk is wiped rejoins (member remove + add) and catches up.
# Needs etcd, etcdctl and curl (scripts/install-deps.sh).
set -euo pipefail

: "${CAIRN_ETCD_TEST:?CAIRN_ETCD_TEST must point at the test_etcd binary (run through ctest)}"
SRC=${CAIRN_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
for tool in etcd etcdctl curl; do
    if ! command -v "$tool" >/dev/null; then
        echo "FAIL: $tool is not installed; run scripts/install-deps.sh" \
             "(or: apt-get install etcd-server etcd-client curl)" >&2
        exit 1
    fi
done

TMP=$(mktemp -d /tmp/cairn-etcd-XXXXXX)
. "$SRC/tests/etcd_cluster.sh"

cleanup() {
    etcd_cluster_stop
    if [ -z "${CAIRN_KEEP_TMP:-}" ]; then rm -rf "$TMP"; else echo "kept $TMP"; fi
}
trap cleanup EXIT

fail() {
    echo "FAIL: $*" >&2
    local f
    for f in "$TMP"/etcd/*.log; do
        [ -f "$f" ] && { echo "--- $f" >&2; tail -n 15 "$f" >&2; }
    done
    exit 1
}
ok() { echo "ok: $*"; }

# Three members on a random base port (below the ephemeral range), retried
# on another base if a port is taken.
started=0
for attempt in 1 2 3 4 5; do
    BASE=$((20000 + (RANDOM % 1200) * 10))
    rm -rf "$TMP/etcd"
    if etcd_cluster_start "$TMP/etcd" 3 "$BASE"; then
        started=1
        break
    fi
done
[ "$started" -eq 1 ] || fail "the etcd cluster would not start"
ok "3 etcd members at $ETCD_URLS"

pids=$(IFS=,; echo "${ETCD_PIDS[*]}")
CAIRN_ETCD_URLS=$ETCD_URLS CAIRN_ETCD_PIDS=$pids "$CAIRN_ETCD_TEST" ||
    fail "test_etcd failed against the cluster"

# The test killed one member (the leader): find it, reap it, restart it.
dead=""
for i in 0 1 2; do
    if ! kill -0 "${ETCD_PIDS[i]}" 2>/dev/null; then
        dead=$i
        wait "${ETCD_PIDS[i]}" 2>/dev/null || true
    fi
done
[ -n "$dead" ] || fail "no member was killed by the leader test"
etcd_member_start "$dead"
etcd_member_wait "$dead" 20 || fail "m$dead would not restart on its data dir"
ok "m$dead restarted on its data dir"

# Wipe another member's disk: it must rejoin and serve the keys again
# (a serializable read answers from that member's own store).
w=$(((dead + 1) % 3))
etcd_member_wipe "$w" || fail "m$w would not rejoin after its data dir was wiped"
url=${ETCD_URL_LIST[w]}
key=$(printf '/cairn-test/wiped' | base64)
curl -s -m 2 -X POST -d "{\"key\":\"$key\",\"value\":\"eA==\"}" \
    "${ETCD_URL_LIST[dead]}/v3/kv/put" >"$TMP/put.json" || fail "put after the wipe"
seen=0
for _ in $(seq 1 50); do
    out=$(curl -s -m 2 -X POST -d "{\"key\":\"$key\",\"serializable\":true}" \
        "$url/v3/kv/range" || true)
    case $out in *'"value":"eA=="'*) seen=1; break ;; esac
    sleep 0.1
done
[ "$seen" -eq 1 ] || fail "the wiped member m$w does not serve the cluster's keys: $out"
members=$(ETCDCTL_API=3 etcdctl --endpoints "$ETCD_URLS" member list | grep -c started || true)
[ "$members" -eq 3 ] || fail "after the wipe $members members are started, not 3"
leader=$(etcd_leader_index) || fail "no leader after the wipe"
ok "m$w rejoined after a wipe and serves the keys; leader m$leader"
