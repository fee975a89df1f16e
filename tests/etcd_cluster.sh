# Sourceable bash helper: a local etcd 3.4 cluster for tests (issue 13).
# Needs etcd and etcdctl (Debian etcd-server, etcd-client) and curl.
#
#   etcd_cluster_start DIR N BASEPORT
#       N members m0..m(N-1) on 127.0.0.1: client port BASEPORT+10*i, peer
#       port BASEPORT+10*i+1, data dir DIR/m$i, log DIR/m$i.log. Waits (at
#       most 20 s) until every member answers /v3/maintenance/status.
#       Sets ETCD_PIDS (array, by member), ETCD_URLS (comma list of client
#       URLs), ETCD_URL_LIST (array). Returns 1 if a member did not come up
#       (the ones started are stopped again).
#   etcd_member_kill I     kill -9 member I (and wait for it)
#   etcd_member_start I    restart member I on its data dir (state existing)
#   etcd_member_wipe I     kill member I, remove it from the cluster, delete
#                          its data dir, add it back and start it empty (it
#                          rejoins and catches up from the others); waits
#                          until it answers status. Needs N >= 3 (the
#                          others must keep a quorum to change membership)
#   etcd_leader_index      prints the index of the raft leader (1 if none)
#   etcd_cluster_stop      kill every member by PID and wait
#
# Members are started as `etcd ... &` from these functions, in the calling
# shell, so each PID is etcd itself. Call them from the test's own shell,
# not from a $(...) subshell (etcd_leader_index is the one meant for that).

ETCD_PIDS=()
ETCD_URL_LIST=()
ETCD_URLS=""
ETCD_DIR=""
ETCD_N=0
ETCD_BASE=0
ETCD_CLUSTER=""

etcd_client_url() { echo "http://127.0.0.1:$((ETCD_BASE + 10 * $1))"; }
etcd_peer_url() { echo "http://127.0.0.1:$((ETCD_BASE + 10 * $1 + 1))"; }

# Starts member $1 in the background with cluster state $2 (new|existing).
etcd_member_spawn() {
    local i=$1 state=$2
    etcd --name "m$i" --data-dir "$ETCD_DIR/m$i" \
        --listen-client-urls "$(etcd_client_url "$i")" \
        --advertise-client-urls "$(etcd_client_url "$i")" \
        --listen-peer-urls "$(etcd_peer_url "$i")" \
        --initial-advertise-peer-urls "$(etcd_peer_url "$i")" \
        --initial-cluster "$ETCD_CLUSTER" \
        --initial-cluster-token "cairn-test-$ETCD_BASE" \
        --initial-cluster-state "$state" \
        --heartbeat-interval 100 --election-timeout 1000 \
        --logger zap --log-outputs stderr \
        >>"$ETCD_DIR/m$i.log" 2>&1 &
    ETCD_PIDS[i]=$!
}

# 0 when member $1 answers /v3/maintenance/status.
etcd_member_up() {
    local out
    out=$(curl -s -m 1 -X POST -d '{}' "$(etcd_client_url "$1")/v3/maintenance/status" 2>/dev/null) ||
        return 1
    case $out in *'"header"'*) return 0 ;; esac
    return 1
}

# Waits (at most $2 s, polling every 0.1 s) until member $1 answers status.
etcd_member_wait() {
    local i=$1 tries=$(($2 * 10))
    while [ "$tries" -gt 0 ]; do
        etcd_member_up "$i" && return 0
        kill -0 "${ETCD_PIDS[i]}" 2>/dev/null || {
            echo "etcd m$i exited; see $ETCD_DIR/m$i.log" >&2
            return 1
        }
        sleep 0.1
        tries=$((tries - 1))
    done
    echo "etcd m$i did not answer status; see $ETCD_DIR/m$i.log" >&2
    return 1
}

etcd_cluster_start() {
    ETCD_DIR=$1 ETCD_N=$2 ETCD_BASE=$3
    ETCD_PIDS=() ETCD_URL_LIST=() ETCD_CLUSTER="" ETCD_URLS=""
    mkdir -p "$ETCD_DIR"
    local i
    for ((i = 0; i < ETCD_N; i++)); do
        ETCD_CLUSTER+="${ETCD_CLUSTER:+,}m$i=$(etcd_peer_url "$i")"
        ETCD_URL_LIST[i]=$(etcd_client_url "$i")
        ETCD_URLS+="${ETCD_URLS:+,}${ETCD_URL_LIST[i]}"
    done
    for ((i = 0; i < ETCD_N; i++)); do
        etcd_member_spawn "$i" new
    done
    # One 20 s budget for the whole cluster (members elect together).
    local deadline=$((SECONDS + 20))
    for ((i = 0; i < ETCD_N; i++)); do
        local left=$((deadline - SECONDS))
        [ "$left" -gt 0 ] || left=1
        if ! etcd_member_wait "$i" "$left"; then
            etcd_cluster_stop
            return 1
        fi
    done
    export ETCD_URLS
}

etcd_member_kill() {
    local p=${ETCD_PIDS[$1]:-}
    [ -n "$p" ] || return 0
    kill -9 "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
    ETCD_PIDS[$1]=""
}

etcd_member_start() {
    etcd_member_spawn "$1" existing
}

# etcdctl against every member but $1 (the one being replaced).
etcd_ctl_others() {
    local skip=$1 eps="" i
    shift
    for ((i = 0; i < ETCD_N; i++)); do
        [ "$i" -eq "$skip" ] || eps+="${eps:+,}${ETCD_URL_LIST[i]}"
    done
    ETCDCTL_API=3 etcdctl --endpoints "$eps" --command-timeout 5s "$@"
}

# etcd_ctl_others, every 0.5 s until it succeeds, at most 20 s.
etcd_ctl_retry() {
    local tries=40
    while ! etcd_ctl_others "$@" >>"$ETCD_DIR/etcdctl.log" 2>&1; do
        tries=$((tries - 1))
        if [ "$tries" -le 0 ]; then
            echo "etcdctl ${*:2} failed; see $ETCD_DIR/etcdctl.log" >&2
            return 1
        fi
        sleep 0.5
    done
}

# The procedure for a member that lost its disk (etcd 3.4): remove it,
# add it back (a new member id, same name and peer URL), start it with an
# empty data dir and --initial-cluster-state existing.
etcd_member_wipe() {
    local i=$1 id
    etcd_member_kill "$i"
    id=$(etcd_ctl_others "$i" member list | awk -F', ' -v n="m$i" '$3 == n {print $1}')
    if [ -z "$id" ]; then
        echo "etcd_member_wipe: m$i not in the member list" >&2
        return 1
    fi
    # etcd refuses a reconfiguration ("unhealthy cluster") until the leader
    # has been connected to the others for 5 s: retry, for at most 20 s.
    etcd_ctl_retry "$i" member remove "$id" || return 1
    rm -rf "${ETCD_DIR:?}/m$i"
    etcd_ctl_retry "$i" member add "m$i" --peer-urls "$(etcd_peer_url "$i")" ||
        return 1
    etcd_member_spawn "$i" existing
    etcd_member_wait "$i" 20
}

etcd_leader_index() {
    local i out id leader
    for ((i = 0; i < ETCD_N; i++)); do
        [ -n "${ETCD_PIDS[i]:-}" ] || continue
        out=$(curl -s -m 1 -X POST -d '{}' "$(etcd_client_url "$i")/v3/maintenance/status" 2>/dev/null) ||
            continue
        id=$(printf '%s' "$out" | grep -o '"member_id":"[0-9]*"' | head -n 1 | grep -o '[0-9][0-9]*')
        leader=$(printf '%s' "$out" | grep -o '"leader":"[0-9]*"' | head -n 1 | grep -o '[0-9][0-9]*')
        if [ -n "$id" ] && [ "$id" = "$leader" ]; then
            echo "$i"
            return 0
        fi
    done
    return 1
}

# SIGTERM each member, give them 5 s together, then SIGKILL the rest.
etcd_cluster_stop() {
    local p tries=50 alive
    for p in "${ETCD_PIDS[@]:-}"; do
        [ -n "$p" ] && kill -TERM "$p" 2>/dev/null || true
    done
    while [ "$tries" -gt 0 ]; do
        alive=0
        for p in "${ETCD_PIDS[@]:-}"; do
            [ -n "$p" ] && kill -0 "$p" 2>/dev/null && alive=1
        done
        [ "$alive" -eq 0 ] && break
        sleep 0.1
        tries=$((tries - 1))
    done
    for p in "${ETCD_PIDS[@]:-}"; do
        [ -n "$p" ] && kill -9 "$p" 2>/dev/null || true
        [ -n "$p" ] && wait "$p" 2>/dev/null || true
    done
    ETCD_PIDS=()
}
