/* cairn — the storage sector on chain: deals, storage proofs, payments,
 * faults and permanent storage (docs/storage-chain.md has the rules, the
 * challenge derivation and the worked examples).
 *
 * Transaction kinds (numbers are part of the protocol):
 *   0x40 DEAL_OPEN     sender = client: opens a deal on terms the provider
 *                      signed; escrow (or the permanent price) and the
 *                      provider's collateral leave their balances.
 *   0x41 PROVE         sender = provider: a batch of storage proofs, one
 *                      per deal, for the current epoch's challenges.
 *                      All or nothing: one bad entry rejects the batch.
 *   0x42 DEAL_END      sender = client: ends a deal at the end of the
 *                      current epoch; future escrow returns at once.
 *   0x43 DEAL_REPLACE  sender = client: moves a running (or failed
 *                      permanent) deal's remaining escrow/endowment to a
 *                      new provider that signed for the same piece.
 *   0x44 FILE_NAME     sender = anyone: sets (or, with an empty blob,
 *                      deletes) the sender's name record of a file id: an
 *                      opaque blob the client sealed (docs/storage.md,
 *                      "Metadata from the chain and the key").
 *
 * Body encodings (little-endian, as docs/encoding.md):
 *   terms      [32] provider ‖ [32] piece root ‖ u64 piece size ‖
 *              [32] file tag ‖ u32 segment ‖ u32 piece index ‖ u8 flags ‖
 *              u64 start epoch ‖ u64 epochs ‖ u64 price ‖ u64 collateral
 *              (CAIRN_DEAL_TERMS_LEN bytes)
 *   DEAL_OPEN  terms ‖ [64] provider signature          (209 bytes)
 *   PROVE      u8 count (1..CAIRN_PROVE_MAX) ‖ count × entry, where entry =
 *              u64 deal id ‖ u64 epoch ‖ u64 leaf index ‖
 *              [1024] leaf bytes (the last leaf zero-padded) ‖
 *              u8 path length (<= CAIRN_PROOF_DEPTH_MAX) ‖ path × [32]
 *              (sibling hashes bottom-up, as cairn_merkle_proof.sib)
 *   DEAL_END   u64 deal id
 *   REPLACE    u64 deal id ‖ [32] new provider ‖ u64 collateral ‖
 *              [64] new provider's signature              (112 bytes)
 *   FILE_NAME  [16] file id ‖ u16 len (0..CAIRN_FILE_NAME_MAX) ‖ len bytes
 *              (len 0: delete the record)           (18..1042 bytes)
 *
 * Provider signatures (Ed25519 over these bytes):
 *   open     "cairn-deal-open-v1" ‖ u8 len ‖ chain id ‖ [32] client ‖
 *            u64 client's tx nonce ‖ terms
 *   replace  "cairn-deal-replace-v1" ‖ u8 len ‖ chain id ‖ [32] client ‖
 *            u64 client's tx nonce ‖ u64 deal id ‖ [32] new provider ‖
 *            [32] piece root ‖ u64 piece size ‖ u8 flags ‖ u64 end epoch ‖
 *            u64 price ‖ u64 collateral
 * The nonce is that of the client's transaction carrying the signature, so
 * one signature opens (or moves) one deal on one network only.
 *
 * Challenge: for deal d in epoch E, leaf index =
 *   LE64(BLAKE2b-256("cairn-storage-challenge-v1" ‖ seed(E) ‖ LE64(d))[0..8])
 *   mod ceil(size / 1024)
 * where seed(E) is the hash of the last block of epoch E-1 (of the genesis
 * block for epoch 0). */
#ifndef CAIRN_STORAGE_H
#define CAIRN_STORAGE_H

#include <stddef.h>
#include <stdint.h>

#include "cairn/chain.h"
#include "cairn/piece.h"
#include "cairn/staking.h"

#define CAIRN_SECTOR_STORAGE                                                   \
    0 /* the storage sector's id (src/sectors/registry.c) */

enum cairn_storage_kind {
    CAIRN_TX_DEAL_OPEN = 0x40,
    CAIRN_TX_PROVE = 0x41,
    CAIRN_TX_DEAL_END = 0x42,
    CAIRN_TX_DEAL_REPLACE = 0x43,
    CAIRN_TX_FILE_NAME = 0x44,
};

#define CAIRN_DEAL_TERMS_LEN 145
#define CAIRN_DEAL_OPEN_LEN (CAIRN_DEAL_TERMS_LEN + 64)
#define CAIRN_DEAL_REPLACE_LEN 112
#define CAIRN_PROVE_MAX 8        /* proofs in one PROVE transaction */
#define CAIRN_PROOF_DEPTH_MAX 16 /* log2(CAIRN_PIECE_MAX / CAIRN_LEAF_SIZE) */
#define CAIRN_DEAL_START_WINDOW 1000 /* start epoch at most this far ahead */
#define CAIRN_EPOCH_NONE UINT64_MAX  /* "never" for epochs */
#define CAIRN_MIB (1u << 20)
#define CAIRN_FILE_ID_LEN 16      /* a file id (the client's, random) */
#define CAIRN_FILE_NAME_MAX 1024  /* bytes of one name record's blob */
#define CAIRN_FILE_NAMES_MAX 1000 /* records one query returns at most */

/* Deal flags. PERMANENT is set by the client in the terms; CLIENT_ENDED is
 * set by DEAL_END. */
enum {
    CAIRN_DEAL_PERMANENT = 1,
    CAIRN_DEAL_CLIENT_ENDED = 2,
};

typedef enum cairn_deal_state {
    CAIRN_DEAL_ACTIVE = 1, /* running (or not yet started) */
    CAIRN_DEAL_ENDED = 2,  /* over; nothing held */
    CAIRN_DEAL_FAILED = 3, /* permanent deal whose provider failed: the
                              endowment is held until REPLACE or DEAL_END */
} cairn_deal_state;

typedef enum cairn_deal_end {
    CAIRN_DEAL_END_NONE = 0,
    CAIRN_DEAL_END_COMPLETED = 1, /* ran to its end epoch */
    CAIRN_DEAL_END_CLIENT = 2,    /* ended by DEAL_END */
    CAIRN_DEAL_END_FAULTS = 3,    /* deal_max_faults consecutive misses */
    CAIRN_DEAL_END_EXHAUSTED = 4, /* permanent endowment paid out */
} cairn_deal_end;

/* What client and provider agree on (the signed part of DEAL_OPEN). */
typedef struct cairn_deal_terms {
    cairn_pubkey provider;
    cairn_hash root;     /* piece root (cairn/piece.h) */
    uint64_t size;       /* piece bytes, 1..CAIRN_PIECE_MAX */
    cairn_hash file_tag; /* client-chosen: names the file */
    uint32_t segment;    /* client-chosen: the piece's place in the file */
    uint32_t piece_index;
    uint8_t flags;        /* 0 or CAIRN_DEAL_PERMANENT */
    uint64_t start_epoch; /* first epoch to prove; > the current epoch */
    uint64_t epochs;      /* term deals: 1..deal_max_epochs; permanent: 0 */
    uint64_t price;       /* term: per epoch (>= 1); permanent: the most
                             the client will pay once (>= 1) */
    uint64_t collateral;  /* provider's, base units */
} cairn_deal_terms;

typedef struct cairn_deal_open {
    cairn_deal_terms t;
    cairn_sig sig; /* provider's, over the open message */
} cairn_deal_open;

typedef struct cairn_deal_replace {
    uint64_t deal_id;
    cairn_pubkey provider; /* the new provider */
    uint64_t collateral;
    cairn_sig sig; /* new provider's, over the replace message */
} cairn_deal_replace;

/* FILE_NAME: the sender's record of file `id` gets `blob` (len 1..
 * CAIRN_FILE_NAME_MAX), or is deleted (len 0). A decoded blob borrows the
 * body. */
typedef struct cairn_file_name {
    uint8_t id[CAIRN_FILE_ID_LEN];
    uint16_t len;
    const uint8_t *blob;
} cairn_file_name;

/* One storage proof. `leaf` borrows CAIRN_LEAF_SIZE bytes (from the
 * decoded body, or the encoder's caller). */
typedef struct cairn_proof_entry {
    uint64_t deal_id;
    uint64_t epoch;
    uint64_t leaf_index;
    const uint8_t *leaf;
    uint8_t path_len;
    cairn_hash path[CAIRN_PROOF_DEPTH_MAX];
} cairn_proof_entry;

typedef struct cairn_prove {
    uint8_t count;
    cairn_proof_entry e[CAIRN_PROVE_MAX];
} cairn_prove;

/* Body codecs. Encoders append to b (cairn_prove_encode sets b->err to
 * BAD_ARG for a count outside 1..CAIRN_PROVE_MAX, a NULL leaf or a path
 * over CAIRN_PROOF_DEPTH_MAX). Decoders check every length and
 * bound: BAD_BODY for a wrong length, unknown flags, a count outside
 * 1..CAIRN_PROVE_MAX or a path longer than CAIRN_PROOF_DEPTH_MAX. A decoded
 * cairn_prove borrows p (its leaves point into it). */
CAIRN_API void cairn_deal_terms_encode(cairn_buf *b, const cairn_deal_terms *t);
CAIRN_API void cairn_deal_open_encode(cairn_buf *b, const cairn_deal_open *o);
CAIRN_API cairn_err cairn_deal_open_decode(cairn_deal_open *o, const uint8_t *p,
                                           size_t n) CAIRN_WUR;
CAIRN_API void cairn_deal_replace_encode(cairn_buf *b,
                                         const cairn_deal_replace *r);
CAIRN_API cairn_err cairn_deal_replace_decode(cairn_deal_replace *r,
                                              const uint8_t *p,
                                              size_t n) CAIRN_WUR;
CAIRN_API void cairn_deal_end_encode(cairn_buf *b, uint64_t deal_id);
CAIRN_API cairn_err cairn_deal_end_decode(uint64_t *deal_id, const uint8_t *p,
                                          size_t n) CAIRN_WUR;
/* FILE_NAME: the encoder sets b->err to BAD_ARG for len over
 * CAIRN_FILE_NAME_MAX or a NULL blob with len > 0; the decoder answers
 * BAD_BODY for a wrong length or len over CAIRN_FILE_NAME_MAX. */
CAIRN_API void cairn_file_name_encode(cairn_buf *b, const cairn_file_name *f);
CAIRN_API cairn_err cairn_file_name_decode(cairn_file_name *f, const uint8_t *p,
                                           size_t n) CAIRN_WUR;
CAIRN_API void cairn_prove_encode(cairn_buf *b, const cairn_proof_entry *e,
                                  size_t count);
CAIRN_API cairn_err cairn_prove_decode(cairn_prove *pv, const uint8_t *p,
                                       size_t n) CAIRN_WUR;

/* Provider signatures. The provider daemon signs with *_sign; the chain
 * checks with *_verify (BAD_SIG). chain_id is NUL-terminated (<= 32). */
CAIRN_API cairn_err cairn_deal_open_sign(
    cairn_sig *sig, const char *chain_id, const cairn_pubkey *client,
    uint64_t client_nonce, const cairn_deal_terms *t,
    const cairn_keypair *provider) CAIRN_WUR;
CAIRN_API cairn_err cairn_deal_open_verify(const cairn_deal_open *o,
                                           const char *chain_id,
                                           const cairn_pubkey *client,
                                           uint64_t client_nonce) CAIRN_WUR;

/* The deal fields a replacing provider signs for. */
typedef struct cairn_replace_ctx {
    cairn_hash root;
    uint64_t size;
    uint8_t flags;
    uint64_t end_epoch; /* CAIRN_EPOCH_NONE for a permanent deal */
    uint64_t price;
} cairn_replace_ctx;

CAIRN_API cairn_err cairn_deal_replace_sign(
    cairn_sig *sig, const char *chain_id, const cairn_pubkey *client,
    uint64_t client_nonce, const cairn_deal_replace *r,
    const cairn_replace_ctx *d, const cairn_keypair *provider) CAIRN_WUR;
CAIRN_API cairn_err
cairn_deal_replace_verify(const cairn_deal_replace *r, const char *chain_id,
                          const cairn_pubkey *client, uint64_t client_nonce,
                          const cairn_replace_ctx *d) CAIRN_WUR;

/* ---- pure rules, shared by the chain, the client and the provider ---- */

/* Work units of a piece: its size in MiB, rounded up. */
CAIRN_API uint64_t cairn_storage_units(uint64_t size);
/* The collateral rule: a deal of total price `total` needs at least
 * ceil(total × bps / 10000) collateral (bps: the deal_collateral_bps
 * parameter). The chain checks it; clients and providers compute it.
 * OVERFLOW when that exceeds 2^64 - 1. */
CAIRN_API cairn_err cairn_storage_collateral(uint64_t *out, uint64_t total,
                                             uint64_t bps) CAIRN_WUR;
/* The challenged leaf of deal_id for the epoch whose seed is `seed`. */
CAIRN_API uint64_t cairn_storage_challenge(const cairn_hash *seed,
                                           uint64_t deal_id, uint64_t size);
/* Permanent price: ceil(units(size) × cost_per_mib × 10000 / decline_bps).
 * BAD_ARG when decline_bps is 0 or above 10000, OVERFLOW past u64. */
CAIRN_API cairn_err cairn_storage_perm_price(uint64_t *price, uint64_t size,
                                             uint64_t cost_per_mib,
                                             uint64_t decline_bps) CAIRN_WUR;
/* One epoch's payout of a proven permanent deal: floor(endowment ×
 * decline_bps / 10000), at least 1 while endowment > 0, at most endowment. */
CAIRN_API uint64_t cairn_storage_perm_payout(uint64_t endowment,
                                             uint64_t decline_bps);
/* Sibling hashes a proof of leaf `index` of `leaves` leaves carries (the
 * depth of that leaf in the RFC 6962 tree); 0 for index >= leaves. */
CAIRN_API uint32_t cairn_storage_path_len(uint64_t index, uint64_t leaves);

/* Checks one proof entry against a deal's piece (root, size) and the
 * epoch's seed, in this order: WRONG_LEAF when it answers another leaf
 * than the challenged one, PROOF_PATH when the path length is not the
 * leaf's depth, BAD_PROOF when the last leaf's padding is not zero or
 * the leaf and path do not hash to the root (also for a size outside
 * 1..CAIRN_PIECE_MAX or a NULL leaf); CAIRN_OK otherwise. The epoch and
 * the deal's state are the chain's business. */
CAIRN_API cairn_err cairn_storage_proof_check(
    const cairn_hash *root, uint64_t size, uint64_t deal_id,
    const cairn_hash *seed, const cairn_proof_entry *e) CAIRN_WUR;

/* ---- queries over committed state ---- */

/* A deal as stored. */
typedef struct cairn_deal_info {
    uint64_t id;
    cairn_pubkey client, provider;
    cairn_hash root, file_tag;
    uint64_t size;
    uint32_t segment, piece_index;
    uint8_t flags, state, end_reason;
    uint64_t start_epoch;
    uint64_t end_epoch;  /* exclusive; CAIRN_EPOCH_NONE: permanent */
    uint64_t price;      /* term: per epoch; permanent: price paid */
    uint64_t escrow;     /* term: escrow left; permanent: endowment left */
    uint64_t collateral; /* provider's, left */
    uint32_t faults;     /* consecutive missed epochs */
    uint32_t total_faults;
    uint64_t last_proven; /* CAIRN_EPOCH_NONE: never */
    uint64_t paid;        /* released to the fee split so far */
    uint64_t slashed;     /* collateral slashed so far */
    uint64_t opened_height;
} cairn_deal_info;

/* NO_DEAL when absent. */
CAIRN_API cairn_err cairn_chain_deal(cairn_chain *c, uint64_t id,
                                     cairn_deal_info *out) CAIRN_WUR;

#define CAIRN_DEALS_MAX 100

/* Deals of a client (by_provider 0) or of a provider (1), in id order,
 * with id > after. Fills out[0..max) and *n; *more is 1 when more
 * remain (pass the last id as `after`). */
CAIRN_API cairn_err cairn_chain_deals(cairn_chain *c, int by_provider,
                                      const cairn_pubkey *who, uint64_t after,
                                      cairn_deal_info *out, size_t max,
                                      size_t *n, int *more) CAIRN_WUR;

/* A file name record as stored: owner's, keyed by file id. */
typedef struct cairn_name_record {
    uint8_t id[CAIRN_FILE_ID_LEN];
    uint16_t len;
    uint8_t blob[CAIRN_FILE_NAME_MAX];
} cairn_name_record;

/* The name records of `owner` in id order, with id > *after (after NULL:
 * from the first). Fills out[0..max) and *n; *more is 1 when more remain
 * (pass the last id as `after`). */
CAIRN_API cairn_err cairn_chain_file_names(cairn_chain *c,
                                           const cairn_pubkey *owner,
                                           const uint8_t *after,
                                           cairn_name_record *out, size_t max,
                                           size_t *n, int *more) CAIRN_WUR;

/* One challenge of the current epoch. */
typedef struct cairn_challenge {
    uint64_t deal_id;
    uint64_t epoch;
    uint64_t leaf_index;
    uint64_t leaves;
    uint64_t size;
    cairn_hash root;
    int proven;
} cairn_challenge;

/* The current (unsettled) epoch and its challenge seed. */
CAIRN_API cairn_err cairn_chain_storage_seed(cairn_chain *c, uint64_t *epoch,
                                             cairn_hash *seed) CAIRN_WUR;
/* The challenges a provider must answer in the current epoch: every deal
 * of its that is running in this epoch, in id order, ids > after. */
CAIRN_API cairn_err cairn_chain_storage_challenges(
    cairn_chain *c, const cairn_pubkey *provider, uint64_t after,
    cairn_challenge *out, size_t max, size_t *n, int *more) CAIRN_WUR;

/* A registered storage provider, for clients choosing where to store. */
typedef struct cairn_storage_provider {
    cairn_pubkey address;
    char endpoint[CAIRN_ENDPOINT_MAX + 1];
    uint64_t self_stake;
    uint64_t delegated;
    uint32_t commission_bps;
    int active; /* self stake >= min_provider_stake */
    int jailed;
} cairn_storage_provider;

#define CAIRN_STORAGE_SCAN 10000 /* provider records one call looks at */

/* Storage-sector providers in address order after *after (NULL: from the
 * first); looks at no more than CAIRN_STORAGE_SCAN records. *more is 1
 * when records remain: pass *next as `after` to go on. */
CAIRN_API cairn_err cairn_chain_storage_providers(
    cairn_chain *c, const cairn_pubkey *after, cairn_storage_provider *out,
    size_t max, size_t *n, cairn_pubkey *next, int *more) CAIRN_WUR;

/* The storage rules in force. */
typedef struct cairn_storage_params {
    uint64_t epoch; /* current epoch */
    uint64_t collateral_bps;
    uint64_t fault_slash_bps;
    uint64_t max_faults;
    uint64_t max_epochs;
    uint64_t perm_cost_per_mib; /* base units per MiB per epoch */
    uint64_t perm_decline_bps;
    uint64_t min_price_per_mib; /* base units per MiB per epoch, term deals */
} cairn_storage_params;

CAIRN_API cairn_err
cairn_chain_storage_params(cairn_chain *c, cairn_storage_params *out) CAIRN_WUR;

#endif
