#!/usr/bin/env bash
# The README's resilience demo under `cairn devnet --storage 6` (as
# `make run`): kill -9 one storage provider, then two at once, then the
# follower, then the sequencer. Each time the devnet must say so, keep
# running, serve `cairn get` of its sample file byte for byte (providers),
# and start what ended again (new pid, answering). Every wait is bounded;
# the devnet is stopped by PID.
# Needs bash, grep, sed, cmp and cairn.
set -euo pipefail

: "${CAIRN_BIN:?CAIRN_BIN must point at the cairn binary (run through ctest)}"
DEVNET_ARGS="--storage 6"
DEVNET_WAIT_S=90
. "$(dirname "$0")/devnet_lib.sh"
fail() { devnet_fail "$@"; }
devnet_storage_test devnet-restart
ID=$(grep -o "sample.bin is stored as alice with id [0-9a-f]*" "$OUT" | sed 's/.* //' || true)
[ ${#ID} -eq 32 ] || fail "banner lacks the sample's id"
ok "devnet on port $PORT with 6 storage providers; sample $ID"

alive() { kill -0 "$DEVNET_PID" 2>/dev/null || fail "the devnet stopped: $1"; }
pid_of() { cat "$NET/$1.pid" 2>/dev/null || true; }
# Waits (at most 60 s) until OUT has a line that contains $1.
wait_line() {
    for _ in $(seq 1 600); do
        grep -qF -- "$1" "$OUT" && return 0
        alive "waiting for: $1"
        sleep 0.1
    done
    fail "the devnet never said: $1"
}
get_sample() {
    rm -f "$TMP/back.bin"
    "$CAIRN_BIN" --node "http://127.0.0.1:$PORT" get "$ID" "$TMP/back.bin" \
        --key "$NET/keys/alice.key" --store "$NET/client" >"$TMP/get.out" 2>&1 ||
        { cat "$TMP/get.out" >&2; fail "get with $1"; }
    cmp -s "$TMP/back.bin" "$NET/sample.bin" || fail "get with $1: bytes differ"
    ok "get with $1: the sample comes back byte for byte"
}
# Waits (at most 60 s) until NAME.pid names a live process other than OLD.
wait_back() {
    local name=$1 old=$2 new
    for _ in $(seq 1 600); do
        new=$(pid_of "$name")
        if [ -n "$new" ] && [ "$new" != "$old" ] && kill -0 "$new" 2>/dev/null; then
            ok "$name is back (pid $old -> $new)"
            return 0
        fi
        alive "waiting for $name to come back"
        sleep 0.1
    done
    fail "$name did not come back"
}

get_sample "all six providers"

# One provider.
P1=$(pid_of storage-1)
[ -n "$P1" ] || fail "no $NET/storage-1.pid"
kill -9 "$P1"
wait_line "storage provider 1 was killed by signal 9; starting it again in"
alive "after kill -9 of provider 1"
get_sample "provider 1 killed"
wait_line "storage provider 1 started again"
wait_back storage-1 "$P1"

# Two at once: k = 4 of n = 6 pieces still answer.
P2=$(pid_of storage-2) P3=$(pid_of storage-3)
kill -9 "$P2" "$P3"
wait_line "storage provider 2 was killed by signal 9"
wait_line "storage provider 3 was killed by signal 9"
alive "after kill -9 of providers 2 and 3"
get_sample "providers 2 and 3 killed"
wait_back storage-2 "$P2"
wait_back storage-3 "$P3"

# The follower.
PF=$(pid_of follower)
kill -9 "$PF"
wait_line "the follower was killed by signal 9; starting it again in"
wait_back follower "$PF"
for _ in $(seq 1 300); do
    "$CAIRN_BIN" --node "http://127.0.0.1:$((PORT + 1))" status >/dev/null 2>&1 && break
    sleep 0.1
done
"$CAIRN_BIN" --node "http://127.0.0.1:$((PORT + 1))" status >/dev/null || fail "the follower does not answer"
ok "the follower answers again"

# The sequencer: started again too; the chain goes on from where it was.
PS=$(pid_of sequencer)
H0=$("$CAIRN_BIN" --node "http://127.0.0.1:$PORT" --json status | field height)
kill -9 "$PS"
wait_line "the sequencer was killed by signal 9; starting it again in"
wait_back sequencer "$PS"
H1=""
for _ in $(seq 1 300); do
    H1=$("$CAIRN_BIN" --node "http://127.0.0.1:$PORT" --json status 2>/dev/null | field height) || true
    [ -n "$H1" ] && [ "$H1" -gt "$H0" ] && break
    sleep 0.1
done
[ -n "$H1" ] && [ "$H1" -gt "$H0" ] || fail "the sequencer did not go on after its restart ($H0 -> $H1)"
ok "the sequencer is back and makes blocks ($H0 -> $H1)"

# The providers that came back serve their pieces: all six alive.
ST=""
for _ in $(seq 1 300); do
    ST=$("$CAIRN_BIN" --node "http://127.0.0.1:$PORT" status "$ID" --json \
        --key "$NET/keys/alice.key" --store "$NET/client" 2>&1) || true
    [ "$(echo "$ST" | field weakest_segment_alive)" = 6 ] && break
    sleep 0.2
done
[ "$(echo "$ST" | field weakest_segment_alive)" = 6 ] || fail "not every piece alive again: $ST"
ok "every piece of the sample is alive again"
stop_devnet
ok "the devnet stopped cleanly"
