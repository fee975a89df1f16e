/* Shared by the storage-deal tests (test_deals.c, test_storage_*.c): the
 * twin chains of gov_fixture.h (bad transactions go to chain A only, and
 * both state roots must stay equal), plus pieces with their Merkle leaves,
 * deal bodies signed by the provider, and proofs for the current epoch's
 * challenge. Include after cmocka.h. */
#ifndef CAIRN_TEST_DEAL_FIXTURE_H
#define CAIRN_TEST_DEAL_FIXTURE_H

#include "gov_fixture.h"

#include "cairn/metrics.h"
#include "cairn/storage.h"

/* A piece in memory: bytes, leaf hashes, root. */
typedef struct tpiece {
    uint8_t *bytes; /* owned */
    uint64_t size;
    cairn_hash *leaves; /* owned */
    uint64_t n;
    cairn_hash root;
} tpiece;

/* A piece of `size` bytes whose content depends on `seed`. */
static inline void tp_make(tpiece *p, uint64_t size, uint8_t seed)
{
    uint8_t leaf[CAIRN_LEAF_SIZE];
    uint64_t s = 0x243F6A8885A308D3ull ^ seed;
    p->size = size;
    p->n = cairn_piece_leaves(size);
    p->bytes = malloc(size);
    p->leaves = malloc(p->n * sizeof *p->leaves);
    assert_non_null(p->bytes);
    assert_non_null(p->leaves);
    for (uint64_t i = 0; i < size; i++) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        p->bytes[i] = (uint8_t)(s >> 56);
    }
    for (uint64_t i = 0; i < p->n; i++) {
        uint64_t off = i * CAIRN_LEAF_SIZE;
        uint64_t take =
            size - off < CAIRN_LEAF_SIZE ? size - off : CAIRN_LEAF_SIZE;
        memset(leaf, 0, sizeof leaf);
        memcpy(leaf, p->bytes + off, take);
        cairn_merkle_leaf(&p->leaves[i], leaf, CAIRN_LEAF_SIZE);
    }
    cairn_merkle_root(&p->root, p->leaves, p->n);
}

static inline void tp_free(tpiece *p)
{
    free(p->bytes);
    free(p->leaves);
}

/* The current (unsettled) epoch of chain A. */
static inline uint64_t dx_epoch(twin *t)
{
    cairn_storage_params sp;
    assert_int_equal(cairn_chain_storage_params(t->c[0], &sp), CAIRN_OK);
    return sp.epoch;
}

/* Steps both chains until epoch `e` is the current one (every epoch
 * before it settled). */
static inline void dx_to_epoch(twin *t, uint64_t e)
{
    for (int i = 0; i < 100000 && dx_epoch(t) < e; i++)
        assert_int_equal(step(t), CAIRN_OK);
    assert_int_equal(dx_epoch(t), e);
}

/* The nonce the next tx of keys[who] will carry on chain i. */
static inline uint64_t dx_nonce(twin *t, int i, int who)
{
    cairn_account a;
    assert_int_equal(cairn_chain_account(t->c[i], &fx_keys[who].pk, &a),
                     CAIRN_OK);
    return a.nonce + cairn_mempool_pending(t->mp[i], &fx_keys[who].pk);
}

/* Terms of a deal with provider keys[prov] for piece p. */
static inline cairn_deal_terms dx_terms(int prov, const tpiece *p,
                                        uint64_t start, uint64_t epochs,
                                        uint64_t price, uint64_t collateral,
                                        uint8_t flags)
{
    cairn_deal_terms tm;
    memset(&tm, 0, sizeof tm);
    tm.provider = fx_keys[prov].pk;
    tm.root = p->root;
    tm.size = p->size;
    memset(tm.file_tag.b, 0xF1, 32);
    tm.segment = 3;
    tm.piece_index = 7;
    tm.flags = flags;
    tm.start_epoch = start;
    tm.epochs = epochs;
    tm.price = price;
    tm.collateral = collateral;
    return tm;
}

/* A DEAL_OPEN body of keys[client]'s next tx on chain A, signed by
 * keys[prov] (the terms' provider). */
static inline void dx_open_body(cairn_buf *b, twin *t, int client, int prov,
                                const cairn_deal_terms *tm)
{
    cairn_deal_open o;
    o.t = *tm;
    assert_int_equal(cairn_deal_open_sign(&o.sig, FX_CHAIN, &fx_keys[client].pk,
                                          dx_nonce(t, 0, client), tm,
                                          &fx_keys[prov]),
                     CAIRN_OK);
    cairn_deal_open_encode(b, &o);
}

/* A proof of the current challenge of `deal` whose piece is p, leaf bytes
 * written into leafbuf (which e borrows). */
static inline void dx_proof(cairn_proof_entry *e,
                            uint8_t leafbuf[CAIRN_LEAF_SIZE], twin *t,
                            uint64_t deal, const tpiece *p)
{
    cairn_hash seed;
    cairn_merkle_proof pf;
    uint64_t epoch;
    assert_int_equal(cairn_chain_storage_seed(t->c[0], &epoch, &seed),
                     CAIRN_OK);
    uint64_t idx = cairn_storage_challenge(&seed, deal, p->size);
    uint64_t off = idx * CAIRN_LEAF_SIZE;
    uint64_t take =
        p->size - off < CAIRN_LEAF_SIZE ? p->size - off : CAIRN_LEAF_SIZE;
    assert_int_equal(cairn_merkle_prove(&pf, p->leaves, p->n, idx), CAIRN_OK);
    memset(leafbuf, 0, CAIRN_LEAF_SIZE);
    memcpy(leafbuf, p->bytes + off, take);
    memset(e, 0, sizeof *e);
    e->deal_id = deal;
    e->epoch = epoch;
    e->leaf_index = idx;
    e->leaf = leafbuf;
    e->path_len = (uint8_t)pf.n;
    memcpy(e->path, pf.sib, pf.n * sizeof pf.sib[0]);
}

/* Proves `deal` (piece p) by keys[prov] on both chains. */
static inline void dx_prove(twin *t, int prov, uint64_t deal, const tpiece *p)
{
    cairn_proof_entry e;
    uint8_t leaf[CAIRN_LEAF_SIZE];
    cairn_buf b;
    cairn_buf_init(&b, CAIRN_TX_BODY_MAX);
    dx_proof(&e, leaf, t, deal, p);
    cairn_prove_encode(&b, &e, 1);
    both(t, prov, CAIRN_TX_PROVE, &b);
    cairn_buf_free(&b);
}

static inline cairn_deal_info dx_deal(twin *t, uint64_t id)
{
    cairn_deal_info d;
    assert_int_equal(cairn_chain_deal(t->c[0], id, &d), CAIRN_OK);
    return d;
}

/* The books balance on chain A; returns the audit. */
static inline cairn_econ_audit dx_audit(twin *t)
{
    cairn_econ_audit a;
    assert_int_equal(cairn_chain_econ_audit(t->c[0], &a), CAIRN_OK);
    if (!a.ok)
        fprintf(
            stderr,
            "audit: supply %llu genesis %llu minted %llu burned %llu "
            "balances %llu staked %llu unbonding %llu pools %llu escrow %llu "
            "treasury %llu\n",
            (unsigned long long)a.supply, (unsigned long long)a.genesis_supply,
            (unsigned long long)a.minted, (unsigned long long)a.burned,
            (unsigned long long)a.balances, (unsigned long long)a.staked,
            (unsigned long long)a.unbonding, (unsigned long long)a.pools,
            (unsigned long long)a.escrow, (unsigned long long)a.treasury);
    assert_true(a.ok);
    return a;
}

/* The provider's part of a service payment under the split in force. */
static inline uint64_t dx_provider_share(uint64_t amount, uint32_t provider_bps)
{
    return (uint64_t)((unsigned __int128)amount * provider_bps / CAIRN_BPS);
}

#endif
