#!/usr/bin/env python3
"""The genesis state root of a small network, computed from docs/ alone.

Writes tests/vectors/genesis_state.txt: a genesis file (one line of JSON)
and the state root its genesis block must carry. Every rule used here is
written in docs/encoding.md ("State", "Genesis state", "State commitment",
"Addresses") and docs/tokenomics.md ("Parameters"); nothing is taken from
the C code. tests/unit/test_state_docs.c checks that cairn_chain_create
gives the same root.

Needs Python 3 and the `cryptography` package (Ed25519 keys from seeds).
"""
import hashlib
import json
import os
import struct

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

TOKEN = 10**6


def h(b):
    return hashlib.blake2b(b, digest_size=32).digest()


def key(seed_byte):
    sk = Ed25519PrivateKey.from_private_bytes(bytes([seed_byte]) * 32)
    return sk.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def addr(pk):
    return "cairn1" + (pk + h(b"cairn-addr" + pk)[:4]).hex()


def u64(v):
    return struct.pack("<Q", v)


# docs/tokenomics.md, "Parameters": id -> (name, default in base units or
# plain integer).
PARAMS = [
    ("epoch_blocks", 10),
    ("emission_initial", 1000 * TOKEN),
    ("halving_epochs", 1000),
    ("decay_bps", 0),
    ("weight_storage", 2500),
    ("weight_compute", 2500),
    ("weight_wireless", 2500),
    ("weight_sensor", 2500),
    ("fee_provider_bps", 0),
    ("fee_burn_bps", 2000),
    ("fee_treasury_bps", 5000),
    ("fee_stakers_bps", 3000),
    ("min_provider_stake", 100 * TOKEN),
    ("min_delegation", 10 * TOKEN),
    ("unbonding_epochs", 2),
    ("slash_to_treasury", 0),
    ("jail_after_faults", 3),
    ("jail_epochs", 5),
    ("max_commission_bps", 5000),
    ("gov_deposit", 100 * TOKEN),
    ("gov_voting_blocks", 50),
    ("gov_quorum_bps", 3340),
    ("gov_threshold_bps", 5000),
    ("max_price_change_bps", 1000),
    ("deal_collateral_bps", 2000),
    ("deal_fault_slash_bps", 1000),
    ("deal_max_faults", 3),
    ("deal_max_epochs", 10**6),
    ("perm_cost_per_mib", 100),  # "0.0001" tokens
    ("perm_decline_bps", 10),
    ("deal_min_price_per_mib", 100),  # "0.0001" tokens
]

# docs/tokenomics.md, "Parameters", the compute sector's own (ids from
# 0x200) and the wireless sector's (from 0x300): id -> (name, default).
SECTOR_PARAMS = [
    (0x200, "compute_min_price_per_core", 10_000),  # "0.01" tokens
    (0x201, "compute_bid_deposit", 500_000),  # "0.5" tokens
    (0x202, "compute_max_bids", 20),
    (0x203, "compute_bid_window_max", 1000),
    (0x204, "compute_grace_epochs", 3),
    (0x205, "compute_max_missed", 2),
    (0x206, "compute_fault_slash_bps", 100),
    (0x207, "compute_max_epochs", 10**6),
    (0x208, "compute_ticket_unlock_blocks", 1000),
    (0x209, "compute_subnet_create_cost", 100 * TOKEN),
    (0x20A, "compute_subnet_min_stake", 10 * TOKEN),
    (0x20B, "compute_subnet_unlock_epochs", 2),
    (0x20C, "compute_subnet_kappa", 32767),
    (0x20D, "compute_subnet_alpha", 6554),
    (0x20E, "compute_subnet_owner_bps", 1800),
    (0x20F, "compute_subnet_emission_bps", 5000),
    (0x210, "compute_verify_slash_bps", 1000),
    (0x211, "compute_vote_quorum_bps", 6667),
    # the wireless sector's PoC part (ids from 0x300)
    (0x300, "wireless_witness_blocks", 3),
    (0x301, "wireless_beacon_window_ms", 5000),
    (0x302, "wireless_location_fee", 1 * TOKEN),
    (0x303, "wireless_reports_max", 28),
    (0x304, "wireless_appeal_epochs", 4),
    (0x305, "wireless_keep_epochs", 8),
    (0x306, "wireless_group_epochs", 4),
    (0x307, "wireless_group_max", 4),
    (0x308, "wireless_group_cap_bps", 2500),
    (0x309, "wireless_beacon_bps", 750),
    (0x30A, "wireless_witness_bps", 3000),
    (0x30B, "wireless_data_bps", 6250),
    (0x30C, "wireless_max_delay_ms", 4000),
    (0x30D, "wireless_max_freq_off_hz", 100000),
    (0x30E, "wireless_min_cells", 8),
    (0x30F, "wireless_max_dist_m", 100000),
    (0x310, "wireless_rssi_tolerance_cdb", 300),
    (0x311, "wireless_snr_min_neg_cdb", 2000),
    (0x312, "wireless_snr_max_cdb", 2000),
    (0x313, "wireless_max_witnesses", 14),
    (0x314, "wireless_redundancy", 4),
    (0x315, "wireless_decay_bps", 8000),
    # HIP-17 per resolution 4..10, packed N*10^8 + target*10^4 + max
    (0x316, "wireless_hip17_r4", 1 * 10**8 + 250 * 10**4 + 800),
    (0x317, "wireless_hip17_r5", 1 * 10**8 + 100 * 10**4 + 400),
    (0x318, "wireless_hip17_r6", 1 * 10**8 + 25 * 10**4 + 100),
    (0x319, "wireless_hip17_r7", 2 * 10**8 + 5 * 10**4 + 20),
    (0x31A, "wireless_hip17_r8", 2 * 10**8 + 1 * 10**4 + 4),
    (0x31B, "wireless_hip17_r9", 2 * 10**8 + 1 * 10**4 + 2),
    (0x31C, "wireless_hip17_r10", 2 * 10**8 + 1 * 10**4 + 1),
    # the wireless sector's data-credit part (ids from 0x320)
    (0x320, "wireless_receipt_epochs", 4),
    (0x321, "wireless_data_keep_epochs", 8),
    # the sensor sector (ids from 0x400, docs/sensor-chain.md)
    (0x400, "sensor_tile_res", 9),
    (0x401, "sensor_ref_window", 20),
    (0x402, "sensor_batch_span_ms", 600000),
    (0x403, "sensor_max_speed_mps", 70),
    (0x404, "sensor_quorum", 2),
    (0x405, "sensor_tile_units", 1000),
    (0x406, "sensor_fresh_epochs", 7),
    (0x407, "sensor_bounty_boost_bps", 10000),
    (0x408, "sensor_bounty_max", 28),
    (0x409, "sensor_map_read_credits", 1),
    (0x40A, "sensor_owner_bps", 8000),
    (0x40B, "sensor_period_epochs", 7),
    (0x40C, "sensor_week_epochs", 7),
    (0x40D, "sensor_full_batches", 3),
    (0x40E, "sensor_map_bps", 7000),
    (0x40F, "sensor_quorum_epochs", 3),
]


def smt_root(leaves):
    """Compact sparse Merkle tree of docs/encoding.md, "State commitment":
    leaves is a list of (k, v) with k = H(state key), v = H(value)."""

    def bit(k, i):
        return (k[i // 8] >> (7 - i % 8)) & 1

    def node(items, depth):
        if not items:
            return bytes(32)
        if len(items) == 1:
            k, v = items[0]
            return h(b"\x00" + k + v)
        left = [x for x in items if bit(x[0], depth) == 0]
        right = [x for x in items if bit(x[0], depth) == 1]
        return h(b"\x01" + node(left, depth + 1) + node(right, depth + 1))

    return node(sorted(leaves), 0)


def main():
    seq, alice, bob, carol = key(0x31), key(0x32), key(0x33), key(0x34)
    allocs = [
        # (pk, amount in base units, vesting (total, cliff, end) or None)
        (alice, 300 * TOKEN, (200 * TOKEN, 5, 15)),
        (bob, 1_000_000 * TOKEN + 500_000, None),
        (carol, 7, None),
    ]
    economy = {"epoch_blocks": 7, "fee_provider_bps": 7000, "fee_burn_bps": 1000,
               "fee_treasury_bps": 1000, "fee_stakers_bps": 1000,
               "min_delegation": "2.5", "gov_voting_blocks": 9,
               "price_oracle": addr(carol)}
    genesis = {
        "chain_id": "cairn-genesis-vector",
        "token": {"name": "Cairn", "symbol": "CRN"},
        "supply_cap": "1000000000",
        "genesis_time_ms": 1767225600000,
        "block_interval_ms": 1000,
        "max_block_txs": 100,
        "min_fee": "0.001",
        "sequencer": addr(seq),
        "allocations": [],
        "economy": economy,
    }
    for pk, amount, vest in allocs:
        a = {"address": addr(pk), "amount": "%d.%06d" % divmod(amount, TOKEN)}
        if vest:
            a["vesting"] = {"amount": "%d.%06d" % divmod(vest[0], TOKEN),
                            "cliff_height": vest[1], "end_height": vest[2]}
        genesis["allocations"].append(a)

    state = {}
    supply = 0
    for pk, amount, vest in allocs:
        total, cliff, end = vest if vest else (0, 0, 0)
        state[b"\x01" + pk] = u64(amount) + u64(0) + u64(total) + u64(0) + u64(cliff) + u64(end)
        supply += amount
    state[b"\x02ledger"] = u64(supply) + u64(0) * 3
    values = {
        "epoch_blocks": 7, "fee_provider_bps": 7000, "fee_burn_bps": 1000,
        "fee_treasury_bps": 1000, "fee_stakers_bps": 1000,
        "min_delegation": 2_500_000, "gov_voting_blocks": 9,
    }
    for pid, (name, default) in enumerate(PARAMS):
        state[b"\x03" + struct.pack("<H", pid)] = u64(values.get(name, default))
    for pid, name, default in SECTOR_PARAMS:
        state[b"\x03" + struct.pack("<H", pid)] = u64(values.get(name, default))
    state[b"\x04oracle"] = carol
    # econ record: epoch 0, start_height 1, genesis_supply, all else 0
    state[b"\x04econ"] = u64(0) + u64(1) + u64(supply) + bytes(208 - 24)

    root = smt_root([(h(k), h(v)) for k, v in state.items()])
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "genesis_state.txt")
    with open(out, "w") as f:
        f.write("# Generated by gen_genesis_vector.py from docs/encoding.md and\n")
        f.write("# docs/tokenomics.md alone: a genesis file and its state root.\n")
        f.write("entries=%d\n" % len(state))
        f.write("genesis=%s\n" % json.dumps(genesis, separators=(",", ":")))
        f.write("state_root=%s\n" % root.hex())
    print(out, root.hex(), len(state), "entries")


if __name__ == "__main__":
    main()
