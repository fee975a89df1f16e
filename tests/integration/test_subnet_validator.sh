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
#  - `cairn subnet show` lists the miners, the validator and the payouts.
# Every process started is stopped by PID; every wait is bounded.
set -euo pipefail

: "${CAIRN_BIN:?CAIRN_BIN must point at the cairn binary (run through ctest)}"
command -v bwrap >/dev/null || { echo "SKIP: bwrap (bubblewrap) is not installed"; exit 0; }
TMP=$(mktemp -d /tmp/cairn-subnet-XXXXXX)
export HOME=$TMP/home
mkdir -p "$HOME"
PORT=0
NODE_PID=""
VAL_PID=""
declare -a PPID_OF

cleanup() {
    local p
    for p in "$VAL_PID" "${PPID_OF[@]:-}" "$NODE_PID"; do
        [ -n "$p" ] && kill -TERM "$p" 2>/dev/null || true
    done
    for p in "$VAL_PID" "${PPID_OF[@]:-}" "$NODE_PID"; do
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
for k in sequencer owner m1 m2 m3 val user; do
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
                 {"address": "$(addr val)", "amount": "1000"},
                 {"address": "$(addr user)", "amount": "10"}],
 "economy": {"epoch_blocks": 8, "min_provider_stake": "10",
             "jail_after_faults": 1000, "jail_epochs": 1000,
             "compute_subnet_create_cost": "5",
             "compute_subnet_min_stake": "10"}}
