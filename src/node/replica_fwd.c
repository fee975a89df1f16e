/* Sequencer replicas: transactions submitted to a standby reach the
 * leader. The API admits them to the standby's own mempool (they are
 * there should it lead next) and queues a copy here; the replica thread
 * posts the queue to the leader's API. When the leader changes, the whole
 * mempool is queued again for the new one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/http.h"
#include "node/node_internal.h"
#include "ledger/store.h"
#include "node/replica.h"

#define FWD_TIMEOUT_MS 2000
#define FWD_BATCH 256
#define FWD_BUDGET_MS 200

/* Appends a copy of p; the caller holds n->lock. */
static cairn_err push(replica *r, const uint8_t *p, size_t len)
{
    if (r->fq_len >= REPLICA_FWD_MAX)
        return CAIRN_ERR_MEMPOOL_FULL;
    void *q = r->fq;
    if (grow_array(&q, &r->fq_cap, r->fq_len, sizeof *r->fq, 64))
        return CAIRN_ERR_NOMEM;
    r->fq = q;
    uint8_t *copy = malloc(len);
    if (!copy)
        return CAIRN_ERR_NOMEM;
    memcpy(copy, p, len);
    r->fq[r->fq_len++] = (replica_fwd){copy, len};
    return CAIRN_OK;
}

/* Puts k entries back at the front (the caller holds n->lock); what
 * does not fit in memory is dropped (the standby's mempool still has it). */
static void unshift(replica *r, replica_fwd *items, size_t k)
{
    if (r->fq_len + k > r->fq_cap) {
        size_t cap = r->fq_len + k;
        replica_fwd *q = realloc(r->fq, cap * sizeof *q);
        if (!q) {
            for (size_t i = 0; i < k; i++)
                free(items[i].p);
            return;
        }
        r->fq = q;
        r->fq_cap = cap;
    }
    if (r->fq_len)
        memmove(r->fq + k, r->fq, r->fq_len * sizeof *r->fq);
    memcpy(r->fq, items, k * sizeof *items);
    r->fq_len += k;
}

cairn_err replica_forward(node *n, const uint8_t *p, size_t len)
{
    replica *r = n->rep;
    pthread_mutex_lock(&n->lock);
    cairn_err e = r->leading ? CAIRN_OK : push(r, p, len);
    pthread_mutex_unlock(&n->lock);
    return e;
}

void replica_fwd_clear(replica *r)
{
    for (size_t i = 0; i < r->fq_len; i++)
        free(r->fq[i].p);
    r->fq_len = 0;
}

void replica_note_drop(replica *r, const cairn_hash *h, cairn_err e)
{
    r->drops[r->drops_next++ % REPLICA_DROPS] = (replica_drop){*h, e};
}

cairn_err replica_drop_of(const replica *r, const cairn_hash *h)
{
    size_t n = r->drops_next < REPLICA_DROPS ? r->drops_next : REPLICA_DROPS;
    for (size_t i = 0; i < n; i++)
        if (!memcmp(r->drops[i].hash.b, h->b, 32))
            return r->drops[i].err;
    return CAIRN_OK;
}

/* The leader refused f for good (code): a held request for it learns why
 * (not for "already known" or "nonce used": it may be committed already). */
static void refused(node *n, const replica_fwd *f, json_int_t code)
{
    if (!code || code == CAIRN_ERR_DUPLICATE || code == CAIRN_ERR_NONCE_USED)
        return;
    cairn_hash h;
    cairn_tx_hash(&h, f->p, f->n);
    pthread_mutex_lock(&n->lock);
    replica_note_drop(n->rep, &h, (cairn_err)code);
    pthread_mutex_unlock(&n->lock);
}

/* A forwarded transaction the leader finds ahead of the sender's nonce
 * is sent again later: the leader may still be storing the block with the
 * sender's previous one in etcd. A gap episode (nonce_gap answers with no
 * other answer between them) that lasts this long is taken as final: from
 * then on each gapped transaction is dropped, so a sender whose earlier
 * transaction the leader never got holds the queue up at most this long. */
#define FWD_GAP_MAX_MS 1000

/* {"txs": [hex, ...]} of batch[0..k) (malloc'd; NULL when out of memory). */
static char *batch_body(const replica_fwd *batch, size_t k, size_t *len)
{
    size_t cap = 16;
    for (size_t i = 0; i < k; i++)
        cap += 2 * batch[i].n + 4;
    char *b = malloc(cap);
    if (!b)
        return NULL;
    size_t o = (size_t)snprintf(b, cap, "{\"txs\":[");
    for (size_t i = 0; i < k; i++) {
        b[o++] = i ? ',' : ' ';
        b[o++] = '"';
        cairn_hex_encode(b + o, batch[i].p, batch[i].n);
        o += 2 * batch[i].n;
        b[o++] = '"';
    }
    o += (size_t)snprintf(b + o, cap - o, "]}");
    *len = o;
    return b;
}

/* Posts batch[0..k) to the leader's /v1/txs; returns how many are done
 * with (taken, or refused for good); the rest are to be sent again. */
static size_t post_batch(node *n, const char *url, const replica_fwd *batch,
                         size_t k)
{
    static uint64_t gap_since; /* 0: the last answer was not nonce_gap */
    cairn_http_resp resp = {0};
    size_t len = 0, done = 0;
    char *body = batch_body(batch, k, &len);
    cairn_err e =
        body ? cairn_http_request("POST", url, body, len, "application/json",
                                  FWD_TIMEOUT_MS, &resp)
             : CAIRN_ERR_NOMEM;
    free(body);
    json_error_t je;
    json_t *j = !e && resp.status == 200
                    ? json_loadb(resp.body, resp.len, 0, &je)
                    : NULL; /* no answer or 5xx: the leader may be changing */
    json_t *res = json_object_get(j, "results");
    for (; done < k && done < json_array_size(res); done++) {
        json_t *one = json_array_get(res, done);
        json_int_t code = json_integer_value(json_object_get(one, "code"));
        if (code == CAIRN_ERR_NONCE_GAP) {
            uint64_t now = node_mono_ms();
            if (!gap_since)
                gap_since = now;
            if (now - gap_since < FWD_GAP_MAX_MS)
                break; /* this one and the rest: later */
        } else {
            gap_since = 0;
        }
        refused(n, &batch[done], code);
    }
    json_decref(j);
    free(resp.body);
    return done;
}

/* Sends one batch from the front of the queue; 1 when all of it went and
 * more is queued. */
static int flush_batch(node *n, replica *r)
{
    char url[320];
    replica_fwd batch[FWD_BATCH];
    size_t k;
    pthread_mutex_lock(&n->lock);
    if (r->leading || !r->leader_api[0] || !r->fq_len) {
        pthread_mutex_unlock(&n->lock); /* r->fq may still be NULL */
        return 0;
    }
    snprintf(url, sizeof url, "%s/v1/txs", r->leader_api);
    k = r->fq_len < FWD_BATCH ? r->fq_len : FWD_BATCH;
    memcpy(batch, r->fq, k * sizeof *batch);
    memmove(r->fq, r->fq + k, (r->fq_len - k) * sizeof *r->fq);
    r->fq_len -= k;
    pthread_mutex_unlock(&n->lock);
    size_t sent = n->stopping ? 0 : post_batch(n, url, batch, k);
    for (size_t i = 0; i < sent; i++)
        free(batch[i].p);
    pthread_mutex_lock(&n->lock);
    if (sent < k) /* the rest go back in front, in order */
        unshift(r, batch + sent, k - sent);
    int more = sent == k && r->fq_len > 0;
    pthread_mutex_unlock(&n->lock);
    return more;
}

void replica_forward_flush(node *n, replica *r)
{
    /* batch after batch while they go through, for at most
     * FWD_BUDGET_MS: the replica thread has etcd to watch too */
    uint64_t t0 = node_mono_ms();
    while (flush_batch(n, r) && !n->stopping &&
           node_mono_ms() - t0 < FWD_BUDGET_MS)
        ;
}

void replica_forward_mempool(node *n)
{
    size_t max;
    pthread_mutex_lock(&n->lock);
    max = cairn_mempool_count(n->mp);
    cairn_mp_entry *e = max ? calloc(max, sizeof *e) : NULL;
    size_t k = e ? cairn_mempool_pop(n->mp, e, max) : 0;
    replica_fwd_clear(n->rep); /* all of them are in the mempool */
    for (size_t i = 0; i < k; i++)
        (void)push(n->rep, e[i].bytes, e[i].n);
    cairn_mempool_unpop(n->mp, e, k);
    pthread_mutex_unlock(&n->lock);
    free(e);
}
