/* Internal: `cairn validator --subnet NAME`, a subnet's validator daemon
 * (issue 10; docs/compute-verify.md, "Validators").
 *
 * Every epoch E it
 *   1. reveals the weights it committed in E − 1 (read back from
 *      DATA/commits/<E−1>, written durably before that commit was sent, so
 *      a restart or kill -9 between commit and reveal loses nothing);
 *   2. sends every active miner of the subnet one job of the subnet's type,
 *      the same job every validator sends it this epoch (drawn from the
 *      hash of the block before the epoch, the subnet, the epoch and the
 *      miner's uid: so that validators that find it wrong vote against one
 *      claim), checks the output (the claim's signature and roots, then
 *      Freivalds for a matrix, a re-run of every part for a transcode or
 *      render) and times it;
 *   3. scores: a miner that passed gets 65535 · fastest / its time (at
 *      least 1), one that failed, did not answer or is jailed gets 0;
 *   4. for a failed check, submits compute_evidence: the proof of the wrong
 *      entry (matrix) or its re-run vote (transcode, render);
 *   5. at the start of the next epoch, writes DATA/commits/<E+1> with
 *      those scores, then commits the weights' hash (first thing in the
 *      epoch, so that slow probes never push a commit past its epoch).
 * It joins the subnet as a validator with --stake when it is not one. */
#ifndef CAIRN_COMPUTE_VALIDATOR_H
#define CAIRN_COMPUTE_VALIDATOR_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cairn/crypto.h"
#include "cairn/subnet.h"
#include "net/node_rpc.h"

#define VAL_PATH_MAX 1024
#define VAL_MINERS_MAX CAIRN_SUBNET_MAX_MINERS

typedef struct val_config {
    const char *node, *data, *subnet;
    cairn_keypair key;
    uint64_t stake; /* join with this much when not a validator; 0: no */
    int poll_ms;
    uint32_t dim; /* matrix jobs: n = k = m = dim */
} val_config;

/* One miner as the validator sees it this epoch. */
typedef struct val_miner {
    uint16_t uid;
    cairn_pubkey address;
    int active;
    char endpoint[128]; /* "" when it registered none */
} val_miner;

/* What probing one miner gave. */
typedef struct val_probe {
    int answered, passed;
    uint64_t ms;       /* wall time of the job, answered ones */
    uint8_t *evidence; /* malloc'd evidence body when !passed, or NULL */
    size_t evidence_len;
    char why[320];
} val_probe;

typedef struct val {
    val_config cfg;
    snode_ctx ctx;
    uint32_t subnet_id;
    uint8_t type;
    uint64_t epoch, epoch_blocks, height;
    cairn_hash epoch_rand; /* the hash of the block before the epoch */
    int probe_ms;          /* each probe's deadline: half an epoch's
                              time, 1..120 s */
    uint64_t rand_epoch;   /* the epoch epoch_rand is for */
    int is_validator;
    /* ours on chain (UINT64_MAX: none): the epoch of our newest commit,
     * and the epoch our newest reveal was made in (its commit's + 1) */
    uint64_t commit_epoch, reveal_epoch;
    val_miner miners[VAL_MINERS_MAX];
    size_t nminers;
    uint64_t done_epoch;   /* the epoch we last committed for */
    uint64_t probed_epoch; /* the epoch of the newest probes */
    int have_scores;       /* scores holds the newest probes' weights */
    cairn_weights scores;
    uint8_t *segment; /* the transcode probe's input (owned), or NULL */
    size_t segment_len;
    uint64_t reveal_tried; /* the last epoch whose reveal we sent */
    char scratch[VAL_PATH_MAX];
} val;

/* val_chain.c: the node's view of the subnet and our sends. */
cairn_err val_refresh(val *v);
cairn_err val_send(val *v, uint16_t kind, const uint8_t *body, size_t n);

/* val_store.c: DATA/commits/<epoch>, the weights and salt of a commit. */
cairn_err val_commit_save(const val *v, uint64_t epoch,
                          const cairn_weights_reveal *r);
/* NOT_FOUND when no file for that epoch. */
cairn_err val_commit_load(const val *v, uint64_t epoch,
                          cairn_weights_reveal *r);
/* Removes commit files older than keep_from. */
void val_commit_prune(const val *v, uint64_t keep_from);

/* val_probe.c: one job to one miner, checked; p->evidence owned by p
 * (val_probe_free). Reads v only: probes of several miners run at once
 * (after val_probe_prepare). */
void val_probe_miner(const val *v, const val_miner *m, val_probe *p);
/* What probes share and make once (the transcode probe's segment). */
cairn_err val_probe_prepare(val *v);
void val_probe_free(val_probe *p);

/* val_round.c */
void val_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* One round: reveal, probe, evidence, commit, as the epoch asks. */
void val_round(val *v);
int val_run(val_config *cfg, volatile sig_atomic_t *stop);

#endif
