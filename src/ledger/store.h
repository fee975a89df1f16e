/* Internal: the LMDB store behind a chain, and the write context through
 * which every state change goes so that the state commitment sees it.
 *
 * State keys are a one-byte table tag followed by the table's key. The
 * commitment key of a state entry is BLAKE2b-256(state key) and its value
 * hash BLAKE2b-256(value bytes). */
#ifndef CAIRN_LEDGER_STORE_H
#define CAIRN_LEDGER_STORE_H

#include <lmdb.h>
#include <stddef.h>
#include <stdint.h>

#include "cairn/chain.h"
#include "cairn/smt.h"

enum {
    STATE_ACCOUNT = 0x01, /* key: 32-byte public key; value: 48 bytes */
    STATE_TOTALS = 0x02,  /* key: "ledger"; value: 4 × u64 */
};

#define STATE_KEY_MAX 64

typedef struct store {
    MDB_env *env;
    MDB_dbi state;  /* state key -> value */
    MDB_dbi blocks; /* u64 big-endian height -> encoded block */
    MDB_dbi hashes; /* block hash -> u64 height */
    MDB_dbi txs;    /* tx hash -> u64 height ‖ u32 index */
    MDB_dbi meta;   /* "params", "genesis", "tip" */
    MDB_dbi index;  /* records the layers above derive from blocks (e.g.
                       rewards per provider per epoch): written in the
                       block's transaction, outside the state commitment */
} store;

/* One pending change to the state commitment (key, vhash, deleted). */
typedef cairn_smt_change smt_change;

/* A write context: an LMDB write transaction plus the list of commitment
 * changes it made, applied to the tree at block end. */
typedef struct wctx {
    MDB_txn *txn;
    smt_change *changes; /* owned */
    size_t n, cap;
    uint64_t height; /* height of the block being applied */
    uint64_t volume; /* tokens moved by transfers in this block */
} wctx;

cairn_err store_open(store *s, const char *dir, int create);
void store_close(store *s);

cairn_err wctx_begin(wctx *w, store *s, uint64_t height);
void wctx_abort(wctx *w);
/* Frees the change list; the txn must already be committed or aborted. */
void wctx_release(wctx *w);

/* Reads a state entry through any txn: NOT_FOUND, or *val points into LMDB
 * memory valid until that txn ends. */
cairn_err state_get(MDB_txn *txn, const store *s, uint8_t tag, const void *key,
                    size_t klen, MDB_val *val);
cairn_err state_put(wctx *w, const store *s, uint8_t tag, const void *key,
                    size_t klen, const void *val, size_t vlen);
/* Visits every state entry whose key starts with `tag`, in key order; key
 * and val point into LMDB memory valid during the call (key includes the
 * tag byte). A visit returning STATE_SCAN_STOP ends the scan with OK; any
 * other error ends it with that error. Deterministic: LMDB's key order. */
#define STATE_SCAN_STOP ((cairn_err)-1)
typedef cairn_err (*state_visit)(void *arg, const uint8_t *key, size_t klen,
                                 const uint8_t *val, size_t vlen);
cairn_err state_scan(MDB_txn *txn, const store *s, uint8_t tag,
                     state_visit visit, void *arg);
/* state_scan over the entries whose key starts with prefix[0..n) (tag
 * byte first). */
cairn_err state_scan_prefix(MDB_txn *txn, const store *s, const uint8_t *prefix,
                            size_t n, state_visit visit, void *arg);

/* Makes room for one more element in a growing array: doubles *cap (from
 * `first`) when n == *cap. The array is realloc'd; the caller frees it.
 * NOMEM leaves *arr as it was. */
cairn_err grow_array(void **arr, size_t *cap, size_t n, size_t elem,
                     size_t first);

/* Deletes a state entry by its full key (tag byte first) and records the
 * deletion for the commitment. Absent: OK. */
cairn_err state_del_raw(wctx *w, const store *s, const uint8_t *skey, size_t n);

/* Typed helpers over state_get/state_put. An absent account reads as
 * all zeros (NOT_FOUND is not an error for accounts). */
cairn_err account_get(MDB_txn *txn, const store *s, const cairn_pubkey *pk,
                      cairn_account *a);
cairn_err account_put(wctx *w, const store *s, const cairn_pubkey *pk,
                      const cairn_account *a);
cairn_err totals_get(MDB_txn *txn, const store *s, cairn_totals *t);
cairn_err totals_put(wctx *w, const store *s, const cairn_totals *t);

/* Commitment key of a raw state key. */
void state_commit_key(cairn_hash *out, const uint8_t *skey, size_t n);
/* Big-endian height, so LMDB orders blocks by height. */
void height_key(uint8_t out[8], uint64_t h);

cairn_err meta_get(MDB_txn *txn, const store *s, const char *name,
                   MDB_val *val);
cairn_err meta_put(MDB_txn *txn, const store *s, const char *name,
                   const void *p, size_t n);

#endif
