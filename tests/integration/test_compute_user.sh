#!/usr/bin/env bash
# The compute commands as a tenant meets them (issue 9), with real
# processes on 127.0.0.1: a sequencer with 2-second epochs and two
# `cairn provider compute` daemons, p1 asking 0.02 and p2 0.01 per core
# and epoch.
#  - a malformed manifest is refused naming the field, before anything is
#    posted (the tenant's balance does not move);
#  - deploy shows both bids and leases to p2, the cheaper; the workload
#    runs in its sandbox and writes a file that fetch returns; logs shows
#    its output; a stranger's key is refused by the provider;
#  - the lease is paid epoch by epoch, never more than price x epochs;
#    close returns the rest (deposited = paid + refunded, to the base
#    unit), frees p2's capacity and p2 deletes the lease's files;
#  - an escrow that runs out pauses the lease (nothing paid while paused),
#    deposit resumes it, and without a top-up it closes after the grace
#    period with the rest returned;
#  - a service workload's port answers the tenant through `cairn compute
#    tunnel`, and refuses a stranger who connects without the token.
# Every process started is stopped by PID; every wait is bounded.
set -euo pipefail

: "${CAIRN_BIN:?CAIRN_BIN must point at the cairn binary (run through ctest)}"
command -v bwrap >/dev/null || { echo "SKIP: bwrap (bubblewrap) is not installed"; exit 0; }
TMP=$(mktemp -d /tmp/cairn-compute-XXXXXX)
export HOME=$TMP/home
mkdir -p "$HOME"
PORT=0
NODE_PID=""
TUNNEL_PID=""
declare -a PPID_OF

cleanup() {
    local p
    for p in "$TUNNEL_PID" "${PPID_OF[@]:-}" "$NODE_PID"; do
        [ -n "$p" ] && kill -TERM "$p" 2>/dev/null || true
    done
    for p in "$TUNNEL_PID" "${PPID_OF[@]:-}" "$NODE_PID"; do
        [ -n "$p" ] && wait "$p" 2>/dev/null || true
    done
    if [ -z "${CAIRN_KEEP_TMP:-}" ]; then rm -rf "$TMP"; else echo "kept $TMP"; fi
}
trap cleanup EXIT

fail() {
    echo "FAIL: $*" >&2
    for f in "$TMP"/node.out "$TMP"/p*.log "$TMP"/deploy*.err; do
        [ -f "$f" ] && { echo "--- $f" >&2; tail -n 20 "$f" >&2; }
    done
    exit 1
}
ok() { echo "ok: $*"; }
URL() { echo "http://127.0.0.1:$PORT"; }
cairn() { "$CAIRN_BIN" --node "$(URL)" "$@"; }
field() { grep -o "\"$1\": *\"\?[^\",}]*" | head -n 1 | sed 's/^[^:]*: *"\?//'; }
must_fail() { if OUT=$("$@" 2>&1); then fail "succeeded, should not have: $*"; fi; }
lease_field() { cairn compute status "$1" --no-provider --json | field "$2"; }
# Waits up to $2 seconds for `lease_field $1 $3` to equal $4.
wait_lease() {
    for _ in $(seq 1 $(($2 * 5))); do
        [ "$(lease_field "$1" "$3")" = "$4" ] && return 0
        sleep 0.2
    done
    fail "lease $1: $3 is $(lease_field "$1" "$3"), not $4, after $2 s"
}

# --- keys, genesis, node ------------------------------------------------------
mkdir -p "$TMP/keys"
for k in sequencer tenant p1 p2 stranger; do
    "$CAIRN_BIN" keygen --out "$TMP/keys/$k.key" >"$TMP/keys/$k.addr" 2>/dev/null
done
addr() { cat "$TMP/keys/$1.addr"; }
TK="--key $TMP/keys/tenant.key"
cat >"$TMP/genesis.json" <<EOF
{"chain_id": "cairn-compute-test", "token": {"name": "Cairn", "symbol": "CRN"},
 "supply_cap": "1000000000", "genesis_time_ms": 1700000000000,
 "block_interval_ms": 250, "max_block_txs": 1000, "min_fee": "0.001",
 "sequencer": "$(addr sequencer)",
 "allocations": [{"address": "$(addr tenant)", "amount": "1000"},
                 {"address": "$(addr p1)", "amount": "1000"},
                 {"address": "$(addr p2)", "amount": "1000"},
                 {"address": "$(addr stranger)", "amount": "10"}],
 "economy": {"epoch_blocks": 8, "min_provider_stake": "10",
             "compute_grace_epochs": 6, "jail_after_faults": 1000}}
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

# --- providers ------------------------------------------------------------------
start_provider() {
    local i=$1 price=$2 port=$((PORT + 10 + 2 * $1))
    # the binary itself, not the cairn function: $! must be its PID (a
    # function in the background is a subshell, and killing that one left
    # the daemon running)
    "$CAIRN_BIN" --node "$(URL)" provider compute --data "$TMP/p$i" --key "$TMP/keys/p$i.key" \
        --cpus 2 --memory 512MiB --disk 256MiB --price "$price" --stake 10 \
        --listen "127.0.0.1:$port" --service-listen "127.0.0.1:$((port + 1))" \
        --poll-ms 300 >"$TMP/p$i.log" 2>&1 &
    PPID_OF[$i]=$!
}
start_provider 1 0.02
start_provider 2 0.01
for _ in $(seq 1 150); do
    [ "$(curl -s "$(URL)/v1/compute/provider/$(addr p1)" | field cpus)" = 2 ] &&
        [ "$(curl -s "$(URL)/v1/compute/provider/$(addr p2)" | field cpus)" = 2 ] && break
    sleep 0.2
done
[ "$(curl -s "$(URL)/v1/compute/provider/$(addr p2)" | field cpus)" = 2 ] || fail "providers did not offer capacity"
ok "two compute providers registered with 2 cores each"

# --- a malformed manifest changes nothing ------------------------------------------
BAL0=$(cairn balance "$(addr tenant)" --json | field balance_units)
cat >"$TMP/bad.json" <<'EOF'
{"command": ["sh", "-c", "true"], "resources": {"cpus": 1, "memory": "12Q", "disk": "1M", "max_epochs": 5}, "max_price": "0.05"}
EOF
must_fail cairn compute deploy "$TMP/bad.json" $TK
echo "$OUT" | grep -q "resources.memory" || fail "bad manifest message: $OUT"
[ "$(cairn balance "$(addr tenant)" --json | field balance_units)" = "$BAL0" ] || fail "a refused manifest moved money"
ok "a malformed manifest is refused naming resources.memory; nothing posted"

# --- deploy: two bids, the cheaper wins, the workload writes a file ----------------
cat >"$TMP/job.json" <<'EOF'
{"command": ["sh", "-c", "echo hello from the sandbox; echo result-42 > out.txt; sleep 600"],
 "resources": {"cpus": 1, "memory": "64M", "disk": "8M", "max_epochs": 1000},
 "max_price": "0.05", "escrow": "2"}
EOF
LEASE=$(cairn compute deploy "$TMP/job.json" $TK --bid-wait 3 2>"$TMP/deploy.err") || fail "deploy"
[ "$(grep -c "bid [0-9]:" "$TMP/deploy.err")" -ge 2 ] || fail "deploy did not show two bids: $(cat "$TMP/deploy.err")"
[ "$(lease_field "$LEASE" provider)" = "$(addr p2)" ] || fail "the lease went to $(lease_field "$LEASE" provider), not the cheaper p2"
[ "$(lease_field "$LEASE" price)" = "0.01" ] || fail "lease price $(lease_field "$LEASE" price)"
ok "deploy saw two bids and leased $LEASE to p2 at 0.01"
for _ in $(seq 1 100); do
    cairn compute fetch "$LEASE" out.txt "$TMP/out.txt" $TK >/dev/null 2>&1 && break
    sleep 0.2
done
[ "$(cat "$TMP/out.txt" 2>/dev/null)" = "result-42" ] || fail "fetch out.txt: $(cat "$TMP/out.txt" 2>&1)"
cairn compute logs "$LEASE" $TK | grep -q "hello from the sandbox" || fail "logs"
must_fail cairn compute logs "$LEASE" --key "$TMP/keys/stranger.key"
echo "$OUT" | grep -qi "tenant" || fail "a stranger's logs: $OUT"
ok "the workload ran; fetch and logs work for the tenant, not for a stranger"

# --- paid per epoch, close returns the rest ----------------------------------------
wait_lease "$LEASE" 30 work_state running
for _ in $(seq 1 100); do
    [ "$(lease_field "$LEASE" paid_units)" -gt 0 ] && break
    sleep 0.2
done
P1=$(lease_field "$LEASE" paid_units)
[ "$P1" -gt 0 ] || fail "nothing paid after 20 s"
[ "$P1" -le "$(( 10000 * ($(lease_field "$LEASE" settled_height) - $(lease_field "$LEASE" start_height)) / 8 + 10000))" ] ||
    fail "paid $P1 is more than price x blocks"
cairn compute close "$LEASE" $TK >/dev/null || fail "close"
wait_lease "$LEASE" 5 state closed
DEP=$(lease_field "$LEASE" deposited_units); PAID=$(lease_field "$LEASE" paid_units); REF=$(lease_field "$LEASE" refunded_units)
[ "$DEP" -eq $((PAID + REF)) ] || fail "deposited $DEP != paid $PAID + refunded $REF"
[ "$(curl -s "$(URL)/v1/compute/provider/$(addr p2)" | grep -o '"used": *{[^}]*}' | field cpus)" = 0 ] || fail "p2's capacity not freed"
for _ in $(seq 1 50); do [ -d "$TMP/p2/leases/$LEASE" ] || break; sleep 0.2; done
[ ! -d "$TMP/p2/leases/$LEASE" ] || fail "p2 kept the closed lease's files"
ok "paid $PAID per the epochs run; close: deposited $DEP = paid + refunded $REF; capacity and files freed"

# --- the escrow runs out: paused, resumed by a deposit, closed after grace ---------
# at most 0.01 an epoch (only p2 bids), 1.5 epochs in escrow
sed 's/"escrow": "2"/"escrow": "0.015"/; s/"max_price": "0.05"/"max_price": "0.01"/' \
    "$TMP/job.json" >"$TMP/short.json"
L2=$(cairn compute deploy "$TMP/short.json" $TK --bid-wait 3 2>"$TMP/deploy2.err") || fail "deploy 2"
wait_lease "$L2" 30 state paused
PAID_AT_PAUSE=$(lease_field "$L2" paid_units)
sleep 3 # more than an epoch paused
[ "$(lease_field "$L2" paid_units)" = "$PAID_AT_PAUSE" ] || fail "a paused lease was paid"
cairn compute status "$L2" $TK | grep -q "frozen" || fail "the provider does not say the workload is frozen"
cairn compute deposit "$L2" 0.01 $TK >/dev/null || fail "deposit"
[ "$(lease_field "$L2" state)" = active ] || fail "deposit did not resume the lease"
wait_lease "$L2" 30 state paused
wait_lease "$L2" 45 state closed
[ "$(lease_field "$L2" end_reason)" = escrow ] || fail "closed for $(lease_field "$L2" end_reason)"
DEP=$(lease_field "$L2" deposited_units); PAID=$(lease_field "$L2" paid_units); REF=$(lease_field "$L2" refunded_units)
[ "$DEP" -eq $((PAID + REF)) ] || fail "lease 2: deposited $DEP != paid $PAID + refunded $REF"
ok "escrow short: paused and unpaid, resumed by deposit, closed after the grace period ($PAID paid, $REF returned)"

# --- a service port: the tenant through the tunnel, not a stranger -----------------
mkdir -p "$TMP/site"
cat >"$TMP/web.json" <<'EOF'
{"command": ["python3", "-m", "http.server", "8080", "--bind", "127.0.0.1"],
 "files": [{"path": "index.html", "content": "served-from-lease"}],
 "resources": {"cpus": 1, "memory": "256M", "disk": "8M", "max_epochs": 1000},
 "port": 8080, "max_price": "0.05", "escrow": "2"}
EOF
L3=$(cairn compute deploy "$TMP/web.json" $TK --bid-wait 3 2>"$TMP/deploy3.err") || fail "deploy 3"
TPORT=$((PORT + 40))
"$CAIRN_BIN" --node "$(URL)" compute tunnel "$L3" --listen "127.0.0.1:$TPORT" $TK \
    >"$TMP/tunnel.out" 2>&1 &
TUNNEL_PID=$!
GOT=""
for _ in $(seq 1 100); do
    GOT=$(curl -s --max-time 2 "http://127.0.0.1:$TPORT/index.html" || true)
    [ "$GOT" = "served-from-lease" ] && break
    sleep 0.3
done
[ "$GOT" = "served-from-lease" ] || fail "the tunnel did not reach the workload: $GOT $(cat "$TMP/tunnel.out")"
EP=$(cairn compute status "$L3" $TK --json | field endpoint)
[ -n "$EP" ] || fail "status shows no service endpoint"
STRANGER=$(curl -s --max-time 3 "http://$EP/index.html" || true)
[ "$STRANGER" != "served-from-lease" ] || fail "a stranger without the token reached the workload"
ok "the service port answers the tenant through the tunnel and not a stranger at $EP"
