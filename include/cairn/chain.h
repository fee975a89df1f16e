/* cairn — the chain: state in LMDB, block production and validation.
 *
 * A chain lives in one data directory (an LMDB environment). One LMDB write
 * transaction commits a block, every state change it makes, and its
 * indexes, with a synchronous commit: a block that was reported committed
 * survives a crash at any moment.
 *
 * Threading: one thread mutates a chain (propose/apply); any thread may
 * call the query functions concurrently with the lock the node holds. */
#ifndef CAIRN_CHAIN_H
#define CAIRN_CHAIN_H

#include <stddef.h>
#include <stdint.h>

#include "cairn/block.h"
#include "cairn/crypto.h"
#include "cairn/mempool.h"
#include "cairn/smt.h"
#include "cairn/tx.h"

#define CAIRN_TOKEN_NAME_MAX 32
#define CAIRN_TOKEN_SYMBOL_MAX 8
/* Members of a sequencer set (docs/replicas.md). */
#define CAIRN_SEQUENCERS_MAX 16

/* Network parameters, fixed by the genesis file. */
typedef struct cairn_params {
    char chain_id[CAIRN_CHAIN_ID_MAX + 1];
    char token_name[CAIRN_TOKEN_NAME_MAX + 1];
    char token_symbol[CAIRN_TOKEN_SYMBOL_MAX + 1];
    uint64_t supply_cap; /* base units */
    uint64_t min_fee;    /* base units per transaction */
    uint32_t block_interval_ms;
    uint32_t max_block_txs;
    uint64_t genesis_time_ms;
    cairn_pubkey sequencer; /* the first member of the set: block 0's */
    /* The sequencer set: the keys that may sign blocks, each with the
     * stake bonded from its allocation at genesis (0: none), which
     * equivocation evidence slashes. One member unless the genesis lists
     * "sequencers". */
    uint32_t n_sequencers;
    cairn_pubkey sequencers[CAIRN_SEQUENCERS_MAX];
    uint64_t sequencer_stake[CAIRN_SEQUENCERS_MAX];
} cairn_params;

/* The index of pk in p's sequencer set, or -1 when it is not a member. */
CAIRN_API int cairn_params_sequencer_index(const cairn_params *p,
                                           const cairn_pubkey *pk);

/* An account as stored. Vesting: of `vest_total` tokens granted at genesis,
 * none may be spent before height vest_cliff, and they unlock linearly
 * from vest_start to vest_end (all of them at vest_end). */
typedef struct cairn_account {
    uint64_t balance;
    uint64_t nonce;
    uint64_t vest_total;
    uint64_t vest_start;
    uint64_t vest_cliff;
    uint64_t vest_end;
} cairn_account;

/* Ledger-wide totals, stored as state so the commitment covers them.
 * Invariant: supply = sum of balances + treasury. */
typedef struct cairn_totals {
    uint64_t supply;   /* tokens in existence */
    uint64_t treasury; /* fees collected, held by the protocol */
    uint64_t burned;
    uint64_t minted; /* after genesis */
} cairn_totals;

typedef struct cairn_alloc {
    cairn_pubkey addr;
    uint64_t amount;
    uint64_t vest_amount; /* part of amount that vests; 0 = none */
    uint64_t vest_cliff;  /* heights */
    uint64_t vest_end;
} cairn_alloc;

typedef struct cairn_genesis {
    cairn_params params;
    cairn_alloc *allocs; /* owned */
    size_t nallocs;
    char *economy_json; /* owned; the "economy" object as JSON, or NULL */
} cairn_genesis;

typedef struct cairn_chain cairn_chain;

/* Parses a genesis JSON file (format in docs/genesis.md). On error, msg
 * (size msglen) says which field is wrong. The caller frees g with
 * cairn_genesis_free. */
CAIRN_API cairn_err cairn_genesis_load(cairn_genesis *g, const char *path,
                                       char *msg, size_t msglen) CAIRN_WUR;
CAIRN_API cairn_err cairn_genesis_parse(cairn_genesis *g, const char *json,
                                        char *msg, size_t msglen) CAIRN_WUR;
CAIRN_API void cairn_genesis_free(cairn_genesis *g);

/* Creates a new chain in directory `dir` (created if missing; must not
 * already hold a chain) from g: writes genesis state and block 0. */
CAIRN_API cairn_err cairn_chain_create(const char *dir,
                                       const cairn_genesis *g) CAIRN_WUR;
/* Opens an existing chain, rebuilds the state commitment and checks it
 * against the tip's state root. The caller owns *out (cairn_chain_close). */
CAIRN_API cairn_err cairn_chain_open(cairn_chain **out,
                                     const char *dir) CAIRN_WUR;
CAIRN_API void cairn_chain_close(cairn_chain *c);

/* The same three with explicit rules (the kinds, genesis and end-of-block
 * hooks of the layers above the ledger; src/ledger/kinds.h). The plain
 * forms use the node's registry of sectors (src/sectors/registry.c), the
 * composition root; rules must outlive the chain. NULL: transfers only. */
typedef struct cairn_rules cairn_rules;
CAIRN_API cairn_err
cairn_chain_create_rules(const char *dir, const cairn_genesis *g,
                         const cairn_rules *rules) CAIRN_WUR;
CAIRN_API cairn_err cairn_chain_open_rules(cairn_chain **out, const char *dir,
                                           const cairn_rules *rules) CAIRN_WUR;
/* The rules c was opened with (borrowed). */
CAIRN_API const cairn_rules *cairn_chain_rules(const cairn_chain *c);
CAIRN_API cairn_err cairn_chain_replay_rules(const char *dir,
                                             const char *tmpdir,
                                             const cairn_rules *rules,
                                             cairn_hash *tip_root,
                                             uint64_t *blocks) CAIRN_WUR;

CAIRN_API const cairn_params *cairn_chain_params(const cairn_chain *c);
CAIRN_API void cairn_chain_tip(const cairn_chain *c, cairn_header *h,
                               cairn_hash *hash);
/* The hash of block 0: names the network together with the chain id. */
CAIRN_API void cairn_chain_genesis_hash(const cairn_chain *c, cairn_hash *out);

/* Checks a transaction for the mempool against committed state: decode,
 * chain id, signature, fee, kind and body; the nonce is checked by the
 * mempool. *tx and *hash are filled on success (tx borrows p). */
CAIRN_API cairn_err cairn_chain_check_tx(cairn_chain *c, const uint8_t *p,
                                         size_t n, cairn_tx *tx,
                                         cairn_hash *hash) CAIRN_WUR;

/* Result of proposing: what went into the block and what was dropped. */
typedef struct cairn_proposal {
    cairn_header header;
    cairn_hash hash;
    cairn_hash *included; /* owned, n_included */
    size_t n_included;
    cairn_hash *dropped; /* owned, n_dropped */
    cairn_err *drop_err; /* owned, why each was dropped */
    size_t n_dropped;
} cairn_proposal;

/* Sequencer: builds a block from the mempool (up to max_block_txs), signs it
 * with kp, applies and commits it durably. Transactions that fail are
 * dropped with their reason, and so are the sender's later ones. Empty
 * blocks are produced too (they carry the time forward). When the block
 * cannot be committed (e.g. a full disk), the error is returned, the chain
 * is unchanged, the transactions pr lists as included are back in the
 * mempool and those it lists as dropped are gone. The caller frees pr with
 * cairn_proposal_free. */
CAIRN_API cairn_err cairn_chain_propose(cairn_chain *c, cairn_mempool *mp,
                                        const cairn_keypair *kp,
                                        uint64_t time_ms,
                                        cairn_proposal *pr) CAIRN_WUR;
CAIRN_API void cairn_proposal_free(cairn_proposal *pr);

/* Sequencer replica (docs/replicas.md): builds, executes and signs the next
 * block like cairn_chain_propose, with `term` in its header, but leaves it
 * pending: its write transaction stays open and nothing is committed until
 * cairn_chain_pending_commit (after etcd stored the block) or
 * cairn_chain_pending_abort (another block won the height). *blk and *n are the
 * encoded block, borrowed until then. max_bytes (0: no bound) bounds the
 * encoding: transactions past it stay in the mempool. While a block is
 * pending, proposing or applying another returns BAD_ARG. The caller frees
 * pr with cairn_proposal_free, also on error. */
CAIRN_API cairn_err cairn_chain_propose_pending(
    cairn_chain *c, cairn_mempool *mp, const cairn_keypair *kp,
    uint64_t time_ms, uint64_t term, size_t max_bytes, cairn_proposal *pr,
    const uint8_t **blk, size_t *n) CAIRN_WUR;
/* 1 while a block is pending (the state tree is ahead of the tip). */
CAIRN_API int cairn_chain_is_pending(const cairn_chain *c);
/* 1 and *next = the nonce after pk's last transaction in the pending
 * block, when it holds one (a mempool admits pk's next transaction on
 * that nonce); 0 otherwise. */
CAIRN_API int cairn_chain_pending_next_nonce(const cairn_chain *c,
                                             const cairn_pubkey *pk,
                                             uint64_t *next);
/* Commits the pending block durably and moves the tip to it. */
CAIRN_API cairn_err cairn_chain_pending_commit(cairn_chain *c) CAIRN_WUR;
/* Drops the pending block, if any: the chain is as before; the
 * transactions it held go back to mp (none when mp is NULL). */
CAIRN_API void cairn_chain_pending_abort(cairn_chain *c, cairn_mempool *mp);

/* Follower: validates an encoded block fully (link, proposer a member of
 * the sequencer set with a term not below the tip's, its signature,
 * every transaction's signature and effect, tx root, state root) and
 * commits it, or changes nothing and returns why. */
CAIRN_API cairn_err cairn_chain_apply_block(cairn_chain *c, const uint8_t *p,
                                            size_t n) CAIRN_WUR;

/* Queries over committed state. */
CAIRN_API cairn_err cairn_chain_account(cairn_chain *c, const cairn_pubkey *pk,
                                        cairn_account *a) CAIRN_WUR;
CAIRN_API cairn_err cairn_chain_totals(cairn_chain *c,
                                       cairn_totals *t) CAIRN_WUR;
/* Spendable part of an account's balance at the next block's height. */
CAIRN_API uint64_t cairn_account_spendable(const cairn_account *a,
                                           uint64_t height);
CAIRN_API uint64_t cairn_account_locked(const cairn_account *a,
                                        uint64_t height);
/* Copies an encoded block into a new malloc'd buffer the caller frees.
 * NOT_FOUND if no such block. */
CAIRN_API cairn_err cairn_chain_block(cairn_chain *c, uint64_t height,
                                      uint8_t **p, size_t *n) CAIRN_WUR;
CAIRN_API cairn_err cairn_chain_block_height(cairn_chain *c,
                                             const cairn_hash *hash,
                                             uint64_t *height) CAIRN_WUR;
/* Where a committed transaction is: block height and index in it. */
CAIRN_API cairn_err cairn_chain_tx_location(cairn_chain *c,
                                            const cairn_hash *hash,
                                            uint64_t *height,
                                            uint32_t *index) CAIRN_WUR;

/* The commitment key and value hash of an account, as the state tree holds
 * them; a light client computes these to check a proof. */
CAIRN_API void cairn_account_key(cairn_hash *key, const cairn_pubkey *pk);
CAIRN_API void cairn_account_vhash(cairn_hash *vh, const cairn_account *a);
CAIRN_API void cairn_account_encode(uint8_t out[48], const cairn_account *a);
/* Proof of the account (or of its absence) against the tip's state root. */
CAIRN_API void cairn_chain_prove_account(cairn_chain *c, const cairn_pubkey *pk,
                                         cairn_smt_proof *pf);

/* Replays every block of the chain in `dir` into a fresh chain in `tmpdir`
 * from the same genesis, and checks that each block re-executes to its
 * state root; *tip_root receives the replayed tip's root. */
CAIRN_API cairn_err cairn_chain_replay(const char *dir, const char *tmpdir,
                                       cairn_hash *tip_root,
                                       uint64_t *blocks) CAIRN_WUR;

#endif
