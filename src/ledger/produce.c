/* Block production (sequencer), block validation (follower) and replay. */
#include <stdlib.h>
#include <string.h>

#include "cairn/merkle.h"
#include "ledger/chain_internal.h"
#include "ledger/exec.h"
#include "ledger/verify_pool.h"

cairn_err cairn_chain_check_tx(cairn_chain *c, const uint8_t *p, size_t n,
                               cairn_tx *tx, cairn_hash *hash)
{
    cairn_err e = cairn_tx_decode(tx, p, n);
    if (e || (e = exec_check_static(&c->p, c->rules, tx)) ||
        (e = cairn_tx_verify(tx, p, n)))
        return e;
    cairn_tx_hash(hash, p, n);
    return CAIRN_OK;
}

void cairn_proposal_free(cairn_proposal *pr)
{
    free(pr->included);
    free(pr->dropped);
    free(pr->drop_err);
    memset(pr, 0, sizeof *pr);
}

static void note_drop(cairn_proposal *pr, const cairn_hash *h, cairn_err e)
{
    pr->dropped[pr->n_dropped] = *h;
    pr->drop_err[pr->n_dropped++] = e;
}

/* Executes popped entries in order; fills pr and the block's tx list.
 * Stops before an entry that would take the block past max_bytes (0: no
 * bound): *used = the entries looked at; the rest go back to the mempool. */
static cairn_err run_entries(cairn_chain *c, wctx *w, cairn_mempool *mp,
                             cairn_mp_entry *ents, size_t n, cairn_proposal *pr,
                             cairn_block_tx *txs, uint64_t *fees,
                             size_t max_bytes, size_t *used)
{
    size_t bytes = CAIRN_HEADER_LEN;
    for (*used = 0; *used < n; (*used)++) {
        size_t i = *used;
        if (max_bytes && bytes + 4 + ents[i].n > max_bytes && pr->n_included)
            break;
        cairn_err e = exec_tx(w, &c->s, &c->p, c->rules, &ents[i].tx, fees);
        if (e == CAIRN_ERR_DB || e == CAIRN_ERR_NOMEM)
            return e;
        if (e) {
            note_drop(pr, &ents[i].hash, e);
            cairn_mp_entry_free(&ents[i]); /* gone, whatever the block's fate */
            /* the sender's later transactions can no longer apply */
            size_t room =
                c->p.max_block_txs + CAIRN_MEMPOOL_PER_SENDER - pr->n_dropped;
            size_t k = cairn_mempool_drop_sender(
                mp, &ents[i].tx.sender, pr->dropped + pr->n_dropped, room);
            for (size_t j = 0; j < k; j++)
                pr->drop_err[pr->n_dropped++] = CAIRN_ERR_NONCE_GAP;
            continue;
        }
        bytes += 4 + ents[i].n;
        txs[pr->n_included] = (cairn_block_tx){ents[i].bytes, ents[i].n};
        pr->included[pr->n_included++] = ents[i].hash;
    }
    return CAIRN_OK;
}

/* Encodes header + txs into b. */
static void encode_block(cairn_buf *b, const cairn_header *h,
                         const cairn_block_tx *txs, uint32_t n)
{
    cairn_header_encode(h, b);
    for (uint32_t i = 0; i < n; i++)
        cairn_put_var(b, txs[i].p, txs[i].n);
}

/* Finishes the state, signs the header and encodes the block into b
 * (the caller frees b). On failure the write transaction is aborted. */
static cairn_err seal(cairn_chain *c, wctx *w, cairn_header *h,
                      const cairn_keypair *kp, cairn_block_tx *txs,
                      uint64_t fees, cairn_buf *b)
{
    cairn_err e = chain_finish_state(c, w, fees, &h->state_root);
    if (!e)
        e = cairn_block_tx_root(&h->tx_root, txs, h->tx_count);
    if (!e) {
        cairn_header_sign(h, kp);
        cairn_buf_init(b, CAIRN_BLOCK_MAX_BYTES);
        encode_block(b, h, txs, h->tx_count);
        e = b->err;
    }
    if (e) {
        wctx_abort(w);
        (void)chain_rebuild_smt(c);
    }
    return e;
}

/* Puts the entries not dropped back into the mempool, in order (it takes
 * them over; their slots are left empty). */
static void requeue(cairn_mempool *mp, cairn_mp_entry *ents, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (ents[i].bytes)
            ents[k++] = ents[i];
    cairn_mempool_unpop(mp, ents, k);
    memset(ents, 0, n * sizeof *ents);
}

/* A block built and signed but not yet committed (one at a time). */
struct chain_pending {
    wctx w;
    cairn_header h;
    cairn_buf blk;
    cairn_mp_entry *ents; /* the popped entries, freed at the end */
    size_t n;
    cairn_hash *txh; /* borrowed from the proposal */
};

static void pending_free(cairn_chain *c)
{
    chain_pending *pd = c->pending;
    if (!pd)
        return;
    for (size_t i = 0; i < pd->n; i++)
        cairn_mp_entry_free(&pd->ents[i]);
    free(pd->ents);
    cairn_buf_free(&pd->blk);
    free(pd);
    c->pending = NULL;
}

static cairn_err proposal_alloc(cairn_proposal *pr, size_t max)
{
    memset(pr, 0, sizeof *pr);
    pr->included = calloc(max, sizeof *pr->included);
    pr->dropped = calloc(max + CAIRN_MEMPOOL_PER_SENDER, sizeof *pr->dropped);
    pr->drop_err = calloc(max + CAIRN_MEMPOOL_PER_SENDER, sizeof *pr->drop_err);
    return pr->included && pr->dropped && pr->drop_err ? CAIRN_OK
                                                       : CAIRN_ERR_NOMEM;
}

/* Executes and seals the next block into a new c->pending. */
static cairn_err build(cairn_chain *c, cairn_mempool *mp,
                       const cairn_keypair *kp, uint64_t time_ms, uint64_t term,
                       size_t max_bytes, cairn_proposal *pr)
{
    size_t max = c->p.max_block_txs, used = 0;
    uint64_t fees = 0;
    cairn_block_tx *txs = calloc(max, sizeof *txs);
    chain_pending *pd = calloc(1, sizeof *pd);
    cairn_err e = proposal_alloc(pr, max);
    if (!e && (!txs || !pd || !(pd->ents = calloc(max, sizeof *pd->ents))))
        e = CAIRN_ERR_NOMEM;
    if (!e)
        e = wctx_begin(&pd->w, &c->s, c->tip.height + 1);
    int began = !e;
    if (!e) {
        pd->n = cairn_mempool_pop(mp, pd->ents, max);
        e = run_entries(c, &pd->w, mp, pd->ents, pd->n, pr, txs, &fees,
                        max_bytes, &used);
        requeue(mp, pd->ents + used, pd->n - used); /* past the byte bound */
    }
    if (!e) {
        cairn_header *h = &pr->header;
        h->height = c->tip.height + 1;
        h->prev = c->tip_hash;
        h->time_ms = time_ms > c->tip.time_ms ? time_ms : c->tip.time_ms;
        h->term = term > c->tip.term ? term : c->tip.term; /* 0: one seq. */
        h->tx_count = (uint32_t)pr->n_included;
        e = seal(c, &pd->w, h, kp, txs, fees, &pd->blk);
        began = 0; /* seal aborted on failure */
        cairn_header_hash(&pr->hash, h);
        pd->h = *h;
        pd->txh = pr->included;
    }
    free(txs);
    if (e && began)
        wctx_abort(&pd->w);
    if (e && pd && pd->ents) /* not built: what it held waits for the next */
        requeue(mp, pd->ents, pd->n);
    c->pending = pd;
    if (e)
        pending_free(c);
    return e;
}

cairn_err cairn_chain_propose_pending(cairn_chain *c, cairn_mempool *mp,
                                      const cairn_keypair *kp, uint64_t time_ms,
                                      uint64_t term, size_t max_bytes,
                                      cairn_proposal *pr, const uint8_t **blk,
                                      size_t *n)
{
    memset(pr, 0, sizeof *pr); /* freed by the caller, also on error */
    if (c->pending)
        return CAIRN_ERR_BAD_ARG;
    if (term && term < c->tip.term) /* a deposed leader: followers refuse */
        return CAIRN_ERR_BAD_PROPOSER;
    cairn_err e = build(c, mp, kp, time_ms, term, max_bytes, pr);
    if (!e) {
        *blk = c->pending->blk.p;
        *n = c->pending->blk.len;
    }
    return e;
}

int cairn_chain_is_pending(const cairn_chain *c)
{
    return c->pending != NULL;
}

int cairn_chain_pending_next_nonce(const cairn_chain *c, const cairn_pubkey *pk,
                                   uint64_t *next)
{
    const chain_pending *pd = c->pending;
    int found = 0;
    for (size_t i = 0; pd && i < pd->n; i++) /* included: bytes kept */
        if (pd->ents[i].bytes && !memcmp(pd->ents[i].tx.sender.b, pk->b, 32) &&
            (!found || pd->ents[i].tx.nonce + 1 > *next)) {
            *next = pd->ents[i].tx.nonce + 1;
            found = 1;
        }
    return found;
}

cairn_err cairn_chain_pending_commit(cairn_chain *c)
{
    chain_pending *pd = c->pending;
    if (!pd)
        return CAIRN_ERR_BAD_ARG;
    cairn_err e = chain_commit_block(c, &pd->w, &pd->h, pd->blk.p, pd->blk.len,
                                     pd->txh, pd->h.tx_count);
    pending_free(c);
    return e;
}

void cairn_chain_pending_abort(cairn_chain *c, cairn_mempool *mp)
{
    chain_pending *pd = c->pending;
    if (!pd)
        return;
    wctx_abort(&pd->w);
    (void)chain_rebuild_smt(c);
    if (mp)
        requeue(mp, pd->ents, pd->n);
    pending_free(c);
}

cairn_err cairn_chain_propose(cairn_chain *c, cairn_mempool *mp,
                              const cairn_keypair *kp, uint64_t time_ms,
                              cairn_proposal *pr)
{
    const uint8_t *blk;
    size_t n;
    cairn_err e =
        cairn_chain_propose_pending(c, mp, kp, time_ms, 0, 0, pr, &blk, &n);
    if (e)
        return e;
    /* on a failed commit (e.g. disk full) the block's transactions wait
     * for the next one; chain_commit_block already aborted and rebuilt */
    chain_pending *pd = c->pending;
    e = chain_commit_block(c, &pd->w, &pd->h, pd->blk.p, pd->blk.len, pd->txh,
                           pd->h.tx_count);
    if (e)
        requeue(mp, pd->ents, pd->n);
    pending_free(c);
    return e;
}

/* Checks a decoded block's header against the tip and the network. */
static cairn_err check_header(cairn_chain *c, const cairn_block *blk)
{
    const cairn_header *h = &blk->h;
    cairn_hash root;
    if (h->height != c->tip.height + 1 ||
        memcmp(h->prev.b, c->tip_hash.b, 32) != 0 ||
        h->time_ms < c->tip.time_ms)
        return CAIRN_ERR_BAD_BLOCK;
    if (h->tx_count > c->p.max_block_txs)
        return CAIRN_ERR_TOO_LARGE;
    if (cairn_params_sequencer_index(&c->p, &h->proposer) < 0 ||
        h->term < c->tip.term)
        return CAIRN_ERR_BAD_PROPOSER;
    cairn_err e = cairn_header_verify(h, &h->proposer);
    if (e || (e = cairn_block_tx_root(&root, blk->txs, h->tx_count)))
        return e;
    return memcmp(root.b, h->tx_root.b, 32) ? CAIRN_ERR_TX_ROOT : CAIRN_OK;
}

/* Signatures first, on every core; then effects in block order. */
static cairn_err exec_block_txs(cairn_chain *c, wctx *w, const cairn_block *blk,
                                cairn_hash *txh, uint64_t *fees)
{
    uint32_t bad;
    cairn_err e =
        verify_block_sigs(blk->txs, blk->h.tx_count, verify_threads(), &bad);
    if (e)
        return e;
    for (uint32_t i = 0; i < blk->h.tx_count; i++) {
        cairn_tx tx;
        const cairn_block_tx *t = &blk->txs[i];
        if ((e = cairn_tx_decode(&tx, t->p, t->n)) ||
            (e = exec_tx(w, &c->s, &c->p, c->rules, &tx, fees)))
            return e;
        cairn_tx_hash(&txh[i], t->p, t->n);
    }
    return CAIRN_OK;
}

cairn_err cairn_chain_apply_block(cairn_chain *c, const uint8_t *p, size_t n)
{
    cairn_block blk;
    wctx w;
    uint64_t fees = 0;
    cairn_hash root, *txh = NULL;
    if (c->pending) /* a replica leader's block awaits etcd */
        return CAIRN_ERR_BAD_ARG;
    cairn_err e = cairn_block_decode(&blk, p, n);
    if (e)
        return e;
    if ((e = check_header(c, &blk)))
        goto out;
    txh = calloc(blk.h.tx_count + 1, sizeof *txh);
    if (!txh || (e = wctx_begin(&w, &c->s, blk.h.height))) {
        e = e ? e : CAIRN_ERR_NOMEM;
        goto out;
    }
    e = exec_block_txs(c, &w, &blk, txh, &fees);
    int touched = !e;
    if (!e && !(e = chain_finish_state(c, &w, fees, &root)) &&
        memcmp(root.b, blk.h.state_root.b, 32) != 0)
        e = CAIRN_ERR_STATE_ROOT;
    if (e) {
        wctx_abort(&w);
        if (touched)
            (void)chain_rebuild_smt(c);
        goto out;
    }
    e = chain_commit_block(c, &w, &blk.h, p, n, txh, blk.h.tx_count);
out:
    free(txh);
    cairn_block_free(&blk);
    return e;
}
