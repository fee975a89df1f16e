/* cairn — the economic simulator (docs/simulator.md): a whole network in
 * one process on the real ledger, economy and compute-sector code. An
 * in-process sequencer writes a genesis, creates the chain in a
 * temporary LMDB directory and, block by block, puts real signed
 * transactions of modeled agents (compute providers, users, a price
 * oracle, an exchange) into a mempool and proposes blocks at
 * deterministic times. Per-epoch metrics come from the chain
 * (cairn_chain_epoch_metrics). A run is deterministic for a seed. */
#ifndef CAIRN_SIM_H
#define CAIRN_SIM_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cairn/error.h"

typedef struct cairn_sim_opts {
    const char *scenario; /* path of the scenario JSON */
    uint64_t epochs;      /* epochs to settle, >= 1 */
    const char *outdir;   /* created if missing */
    int has_seed;         /* 1: seed overrides the scenario's */
    uint64_t seed;
    int keep_chain; /* 1: OUT/chain, OUT/genesis.json, OUT/sequencer.key */
    FILE *progress; /* one line per 10% at most; NULL: silent */
} cairn_sim_opts;

/* What a run ended with (also in OUT/summary.json). */
typedef struct cairn_sim_result {
    uint64_t epochs, tip_height, txs, dropped;
    uint8_t state_root[32];
    double seconds;        /* wall time of the run (informational) */
    double settle_seconds; /* of which the epochs' last blocks (no agent
                              transactions there when epoch_blocks > 5:
                              the chain's settlement and its commit) */
    /* the last epochs / 2 epochs alone (the steady state, without the
     * start's burst of arrivals): wall time and transactions */
    double tail_seconds;
    uint64_t tail_epochs, tail_txs;
} cairn_sim_result;

/* Runs a scenario: writes OUT/metrics.csv and OUT/summary.json (and the
 * chain when kept). On error msg says what to fix (a scenario error names
 * the key and its range) and nothing is left in OUT that looks like a
 * result (metrics.csv and summary.json are removed). */
CAIRN_API cairn_err cairn_sim_run(const cairn_sim_opts *o, cairn_sim_result *r,
                                  char *msg, size_t len) CAIRN_WUR;

#endif
