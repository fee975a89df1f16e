/* The provider daemon's answers to the chain's storage challenges: reads
 * this epoch's challenges from the node, proves each challenged leaf from
 * the piece store (a piece that fails its checksum is not proven, and the
 * log says so), and submits the proofs in PROVE batches. A proof sent is
 * not sent again until it has had time to land. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cairn/storage.h"
#include "net/node_rpc.h"
#include "storage/provider/provider_internal.h"

#define PENDING_S 8 /* a sent proof is retried after this long */
#define FAILED_S                                                               \
    3600 /* a piece that cannot be proven: logged once an epoch                \
          */
#define CHALLENGE_PAGES 64 /* pages of challenges read per round, at most */

/* One batch being filled: entries and the leaf bytes they point to. */
typedef struct batch {
    cairn_proof_entry e[CAIRN_PROVE_MAX];
    uint8_t leaves[CAIRN_PROVE_MAX][CAIRN_LEAF_SIZE];
    size_t n;
} batch;

/* Chain state for submitting this round's batches. */
typedef struct sender {
    snode_ctx ctx;
    uint64_t nonce;
    int ready, failed;
    unsigned sent, proofs;
} sender;

/* 1 if (deal, epoch) was sent recently; forgets what has expired. */
static int is_pending(sprov *p, uint64_t deal, uint64_t epoch, uint64_t now)
{
    int found = 0;
    for (int i = 0; i < p->npending;) {
        sprov_pending *x = &p->pending[i];
        if (x->until <= now) {
            *x = p->pending[--p->npending];
            continue;
        }
        found |= x->deal == deal && x->epoch == epoch;
        i++;
    }
    return found;
}

static void add_pending(sprov *p, uint64_t deal, uint64_t epoch, uint64_t until)
{
    if (p->npending < SPROV_PENDING)
        p->pending[p->npending++] = (sprov_pending){deal, epoch, until};
}

/* Submits the batch (without waiting for its block). */
static void flush(sprov *p, sender *s, batch *b)
{
    snode_err why = {.msg = ""};
    cairn_buf body;
    cairn_err e = CAIRN_OK;
    if (s->failed)
        b->n = 0; /* a refusal this round: the rest waits for the next */
    if (b->n == 0)
        return;
    if (!s->ready) {
        e = snode_status(p->cfg.node, &s->ctx, &why);
        if (!e)
            e = snode_next_nonce(p->cfg.node, &p->cfg.key.pk, &s->nonce, &why);
        s->ready = !e;
    }
    cairn_buf_init(&body, CAIRN_TX_BODY_MAX);
    cairn_prove_encode(&body, b->e, b->n);
    if (!e)
        e = body.err
                ? body.err
                : snode_send(p->cfg.node, &s->ctx, &p->cfg.key, s->nonce,
                             CAIRN_TX_PROVE, body.p, body.len, 0, NULL, &why);
    cairn_buf_free(&body);
    if (e) {
        sprov_log(p, "PROVE of %zu deal(s) refused: %s (%s)", b->n,
                  cairn_strerror(e), why.msg);
        s->failed = 1; /* later nonces would leave a gap: next round */
    } else {
        uint64_t now = (uint64_t)time(NULL);
        for (size_t i = 0; i < b->n; i++)
            add_pending(p, b->e[i].deal_id, b->e[i].epoch, now + PENDING_S);
        s->nonce++;
        s->sent++;
        s->proofs += (unsigned)b->n;
    }
    b->n = 0;
}

/* Proves one challenge into the batch; logs a piece it cannot prove. */
static void prove_one(sprov *p, const json_t *c, batch *b)
{
    uint64_t deal, epoch, leaf;
    cairn_hash root;
    cairn_merkle_proof pf;
    char hex[17];
    if (snode_u64(c, "deal", &deal) || snode_u64(c, "epoch", &epoch) ||
        snode_u64(c, "leaf_index", &leaf) || snode_hash(c, "root", &root))
        return;
    cairn_err e =
        cairn_piecestore_prove(p->ps, &root, leaf, b->leaves[b->n], &pf);
    if (e) {
        cairn_hex_encode(hex, root.b, 8);
        sprov_log(p,
                  "cannot prove deal %llu (piece %s) in epoch %llu: %s; "
                  "it will count as a fault",
                  (unsigned long long)deal, hex, (unsigned long long)epoch,
                  cairn_strerror(e));
        add_pending(p, deal, epoch,
                    (uint64_t)time(NULL) + FAILED_S); /* once an epoch */
        return;
    }
    cairn_proof_entry *x = &b->e[b->n++];
    x->deal_id = deal;
    x->epoch = epoch;
    x->leaf_index = leaf;
    x->leaf = b->leaves[b->n - 1];
    x->path_len = (uint8_t)pf.n;
    memcpy(x->path, pf.sib, pf.n * sizeof pf.sib[0]);
}

/* Proves the unproven challenges of one page; *after gets the last deal. */
static void prove_page(sprov *p, const json_t *page, sender *s, batch *b,
                       uint64_t *after)
{
    size_t i;
    const json_t *c;
    uint64_t now = (uint64_t)time(NULL), deal, epoch;
    json_array_foreach(json_object_get(page, "challenges"), i, c)
    {
        if (snode_u64(c, "deal", &deal) || snode_u64(c, "epoch", &epoch))
            continue;
        *after = deal;
        if (json_is_true(json_object_get(c, "proven")) ||
            is_pending(p, deal, epoch, now))
            continue;
        if (s->failed)
            break;
        prove_one(p, c, b);
        if (b->n == CAIRN_PROVE_MAX)
            flush(p, s, b);
    }
}

cairn_err sprov_prove(sprov *p)
{
    sender s = {0};
    snode_err why;
    uint64_t after = 0;
    char path[200];
    batch *b = calloc(1, sizeof *b); /* 8 KiB of leaves: off the stack */
    if (!b)
        return CAIRN_ERR_NOMEM;
    for (int page = 0; page < CHALLENGE_PAGES && !s.failed; page++) {
        json_t *j;
        snprintf(path, sizeof path,
                 "/v1/storage/challenges?provider=%s&after=%llu", p->addr,
                 (unsigned long long)after);
        cairn_err e = snode_get(p->cfg.node, path, &j, &why);
        if (e) {
            free(b);
            return e;
        }
        prove_page(p, j, &s, b, &after);
        int more = json_is_true(json_object_get(j, "more"));
        json_decref(j);
        if (!more)
            break;
    }
    flush(p, &s, b);
    free(b);
    if (s.proofs)
        sprov_log(p, "sent %u proof(s) in %u PROVE transaction(s)", s.proofs,
                  s.sent);
    return s.failed ? CAIRN_ERR_BAD_PROOF : CAIRN_OK;
}
