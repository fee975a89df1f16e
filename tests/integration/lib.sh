# Shared helpers of the shell integration tests (source it after `set -euo
# pipefail`). It gives each test a temporary directory, a node on a free
# port, keys with addresses, and a cleanup that stops, by PID, every
# background process the test registered with `track PID`.
#
#   lib_init NAME            $TMP (mktemp), $HOME inside it, the EXIT trap
#   track PID                stop PID (SIGTERM, then wait) at exit
#   fail MSG / ok MSG        report; fail prints the tails of $TMP/*.log
#   keys NAME...             $TMP/keys/NAME.key and NAME.addr; addr NAME
#   start_node GENESIS       init and start a sequencer on a random port
#   cairn ARGS...            the command against that node (foreground only:
#                            background daemons are started as "$CAIRN_BIN"
#                            itself so that $! is the daemon, not a subshell)
#   field NAME               first value of "NAME" in JSON on stdin
#   wait_for SECONDS CMD...  runs CMD every 0.2 s until it succeeds (1 if not)
#   expect CMD... -- PAT...  CMD must fail and say every PAT (fixed strings)
#   start_storage N          N `cairn provider storage` daemons (keys p1..pN,
#                            funded in the genesis), tracked, registered;
#                            each stores $LIB_STORAGE_CAPACITY (64MiB)

: "${CAIRN_BIN:?CAIRN_BIN must point at the cairn binary (run through ctest)}"
PORT=0
NODE_PID=""
LIB_PIDS=()

lib_cleanup() {
    local p
    for p in "${LIB_PIDS[@]:-}" "$NODE_PID"; do
        [ -n "$p" ] && kill -CONT "$p" 2>/dev/null || true
        [ -n "$p" ] && kill -TERM "$p" 2>/dev/null || true
    done
    for p in "${LIB_PIDS[@]:-}" "$NODE_PID"; do
        [ -n "$p" ] && wait "$p" 2>/dev/null || true
    done
    if [ -z "${CAIRN_KEEP_TMP:-}" ]; then rm -rf "$TMP"; else echo "kept $TMP"; fi
}

lib_init() {
    TMP=$(mktemp -d "/tmp/cairn-$1-XXXXXX")
    export HOME=$TMP/home
    mkdir -p "$HOME" "$TMP/keys"
    trap lib_cleanup EXIT
}

track() { LIB_PIDS+=("$1"); }

fail() {
    echo "FAIL: $*" >&2
    local f
    for f in "$TMP"/node.out "$TMP"/*.log; do
        [ -f "$f" ] && { echo "--- $f" >&2; tail -n 25 "$f" >&2; }
    done
    exit 1
}
ok() { echo "ok: $*"; }
URL() { echo "http://127.0.0.1:$PORT"; }
cairn() { "$CAIRN_BIN" --node "$(URL)" "$@"; }
field() { grep -o "\"$1\": *\"\?[^\",}]*" | head -n 1 | sed 's/^[^:]*: *"\?//'; }

keys() {
    local k
    for k in "$@"; do
        "$CAIRN_BIN" keygen --out "$TMP/keys/$k.key" >"$TMP/keys/$k.addr" 2>/dev/null
    done
}
addr() { cat "$TMP/keys/$1.addr"; }

wait_for() {
    local secs=$1 i
    shift
    for i in $(seq 1 $((secs * 5))); do
        "$@" && return 0
        sleep 0.2
    done
    return 1
}

start_node() {
    "$CAIRN_BIN" init --genesis "$1" --data "$TMP/chain" >/dev/null || fail "init"
    local attempt
    for attempt in 1 2 3 4 5; do
        PORT=$((20000 + RANDOM % 12000))
        "$CAIRN_BIN" node --data "$TMP/chain" --key "$TMP/keys/sequencer.key" \
            --listen "127.0.0.1:$PORT" >"$TMP/node.out" 2>&1 &
        NODE_PID=$!
        wait_for 20 cairn status >/dev/null 2>&1 && return 0
        kill -TERM "$NODE_PID" 2>/dev/null || true
        wait "$NODE_PID" 2>/dev/null || true
        NODE_PID=""
    done
    fail "node would not start"
}

# Starts `cairn provider storage` with keys p1..pN (each with at least 10
# tokens for its stake), logs in $TMP/pI.log, and waits (bounded) until the
# chain lists N storage providers.
start_storage() {
    local n=$1 pn attempt pport pid started
    for pn in $(seq 1 "$n"); do
        started=""
        for attempt in 1 2 3 4 5; do
            pport=$((20000 + RANDOM % 12000))
            "$CAIRN_BIN" --node "$(URL)" provider storage --data "$TMP/p$pn" --capacity "${LIB_STORAGE_CAPACITY:-64MiB}" \
                --key "$TMP/keys/p$pn.key" --listen "127.0.0.1:$pport" --stake 10 \
                --egress-price "${LIB_EGRESS_PRICE:-0}" --poll-ms 300 >"$TMP/p$pn.log" 2>&1 &
            pid=$!
            if wait_for 30 grep -q "listening on 127.0.0.1:$pport" "$TMP/p$pn.log"; then
                track "$pid"
                started=1
                break
            fi
            kill -TERM "$pid" 2>/dev/null || true
            wait "$pid" 2>/dev/null || true
        done
        [ -n "$started" ] || fail "storage provider $pn would not start"
    done
    lib_storage_n=$n
    wait_for 60 lib_storage_registered || fail "the storage providers did not register"
}
lib_storage_registered() {
    [ "$("$CAIRN_BIN" --node "$(URL)" provider list --json |
        grep -o '"sector": *"storage"' | wc -l)" -ge "$lib_storage_n" ]
}

# The command must fail and say every pattern after --.
expect() {
    local out pat
    local -a cmd=()
    while [ "$1" != "--" ]; do cmd+=("$1"); shift; done
    shift
    if out=$("${cmd[@]}" 2>&1); then fail "expected a failure: ${cmd[*]}"; fi
    for pat in "$@"; do
        echo "$out" | grep -qF -- "$pat" || fail "\"${cmd[*]}\" said: $out -- lacks: $pat"
    done
    ok "refused: ${cmd[*]:1:3}...: $(echo "$out" | head -n 1)"
}
