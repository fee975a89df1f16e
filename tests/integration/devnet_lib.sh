# Shared by the shell tests that drive `cairn devnet` (sourced, not run).
# The test defines fail() and sets CAIRN_BIN, TMP, NET and PORT first (or
# uses devnet_storage_test, below, which sets them);
# DEVNET_ARGS (optional) adds devnet options, DEVNET_WAIT_S (default 30)
# bounds the wait for it to come up.

ok() { echo "ok: $*"; }

# Reads field NAME ("NAME": "text" or "NAME": number) from JSON on stdin.
field() { grep -o "\"$1\": *\"\?[^\",}]*" | head -n 1 | sed 's/^[^:]*: *"\?//'; }

# Starts the devnet in the background (output in $TMP/devnet-NAME.out) and
# waits until it says it runs. Returns 1 if it exited (e.g. its port was
# taken).
start_devnet() {
    local out=$TMP/devnet-$1.out wait_s=${DEVNET_WAIT_S:-30}
    # shellcheck disable=SC2086
    "$CAIRN_BIN" devnet --dir "$NET" --port "$PORT" ${DEVNET_ARGS:-} >"$out" 2>&1 &
    DEVNET_PID=$!
    for _ in $(seq 1 $((wait_s * 10))); do
        grep -q "devnet is running" "$out" && return 0
        kill -0 "$DEVNET_PID" 2>/dev/null || { wait "$DEVNET_PID" || true; DEVNET_PID=""; return 1; }
        sleep 0.1
    done
    fail "devnet did not start within $wait_s s"
}

# SIGTERM to the devnet by PID; it must stop its nodes and exit 0.
stop_devnet() {
    local rc=0
    kill -TERM "$DEVNET_PID"
    wait "$DEVNET_PID" || rc=$?
    DEVNET_PID=""
    [ "$rc" -eq 0 ] || fail "devnet exited with status $rc after SIGTERM"
}

# The common start of a test of a devnet with storage providers: a temp
# dir ($TMP, network in $NET) removed at exit with the devnet stopped by
# PID, a fail() that shows the logs, and the devnet started as "first"
# (up to five ports tried). NAME names the temp dir.
devnet_storage_test() {
    TMP=$(mktemp -d "/tmp/cairn-$1-XXXXXX")
    NET=$TMP/net
    DEVNET_PID=""
    trap devnet_cleanup EXIT
    for attempt in 1 2 3 4 5; do
        PORT=$((20000 + RANDOM % 12000)) # below the ephemeral ports (32768..)
        start_devnet first && break
        [ "$attempt" -lt 5 ] || fail "devnet would not start"
    done
    OUT=$TMP/devnet-first.out
}

devnet_cleanup() {
    if [ -n "$DEVNET_PID" ] && kill -0 "$DEVNET_PID" 2>/dev/null; then
        kill -TERM "$DEVNET_PID" 2>/dev/null || true
        wait "$DEVNET_PID" 2>/dev/null || true
    fi
    if [ -z "${CAIRN_KEEP_TMP:-}" ]; then rm -rf "$TMP"; else echo "kept $TMP"; fi
}

# Says what failed, with the tails of the devnet's logs, and exits 1.
devnet_fail() {
    echo "FAIL: $*" >&2
    for f in "$TMP"/devnet-*.out "$NET"/storage-1.log "$NET"/sequencer.log; do
        [ -f "$f" ] && { echo "--- $f" >&2; tail -n 20 "$f" >&2; }
    done
    exit 1
}
