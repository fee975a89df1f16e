# Shared by the shell tests that drive `cairn devnet` (sourced, not run).
# The test defines fail() and sets CAIRN_BIN, TMP, NET and PORT first;
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
