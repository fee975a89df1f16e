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
#include "node/replica.h"

#define FWD_TIMEOUT_MS 2000
#define FWD_BATCH 256
#define FWD_BUDGET_MS 200

/* Appends a copy of p; the caller holds n->lock. */
static cairn_err push(replica *r, const uint8_t *p, size_t len)
{
    if (r->fq_len >= REPLICA_FWD_MAX)
        return CAIRN_ERR_MEMPOOL_FULL;
    if (r->fq_len == r->fq_cap) {
        size_t cap = r->fq_cap ? r->fq_cap * 2 : 64;
        replica_fwd *q = realloc(r->fq, cap * sizeof *q);
        if (!q)
            return CAIRN_ERR_NOMEM;
        r->fq = q;
        r->fq_cap = cap;
    }
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

/* The leader refused f for good: a held request for it learns why (not
 * for "already known" or "nonce used": it may be committed already). */
static void refused(node *n, const replica_fwd *f, const cairn_http_resp *r)
{
    json_error_t je;
    json_t *j = json_loadb(r->body, r->len, 0, &je);
    json_int_t code = json_integer_value(json_object_get(j, "code"));
    json_decref(j);
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
 * sender's previous one in etcd (it left the mempool, and the leader's
 * committed state does not show it yet). A gap episode (nonce_gap answers
 * with no other answer between them) that lasts this long is taken as
 * final: from then on each gapped transaction is dropped, so a sender whose
 * earlier transaction the leader never got holds the queue up once, for at
 * most this long. */
#define FWD_GAP_MAX_MS 1000

/* Posts one transaction to url; 0 when the leader took it or refused it
 * for good (a bad or stale transaction), -1 when it should be retried. */
static int post(node *n, const char *url, const replica_fwd *f)
{
    /* 0: the last answer was not nonce_gap (one replica thread) */
    static uint64_t gap_since;
    cairn_http_resp resp = {0};
    char *hex = malloc(2 * f->n + 1), *body = malloc(2 * f->n + 16);
    int rc = -1;
    if (hex && body) {
        cairn_hex_encode(hex, f->p, f->n);
        int len = snprintf(body, 2 * f->n + 16, "{\"tx\":\"%s\"}", hex);
        cairn_err e =
            cairn_http_request("POST", url, body, (size_t)len,
                               "application/json", FWD_TIMEOUT_MS, &resp);
        /* 5xx or no answer: the leader may be changing; retry later */
        rc = e || resp.status >= 500 || resp.status == 0 ? -1 : 0;
        if (!rc && resp.status == 400 && resp.body &&
            strstr(resp.body, "\"nonce_gap\"")) {
            uint64_t now = node_mono_ms();
            if (!gap_since)
                gap_since = now;
            rc = now - gap_since < FWD_GAP_MAX_MS ? -1 : 0;
            if (!rc) /* final: a held request learns why */
                refused(n, f, &resp);
        } else if (!rc) {
            gap_since = 0;
            if (resp.status >= 400)
                refused(n, f, &resp);
        }
    }
    free(resp.body);
    free(hex);
    free(body);
    return rc;
}

/* Sends one batch; 1 when all of it went and more is queued. */
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
    snprintf(url, sizeof url, "%s/v1/tx", r->leader_api);
    k = r->fq_len < FWD_BATCH ? r->fq_len : FWD_BATCH;
    memcpy(batch, r->fq, k * sizeof *batch);
    memmove(r->fq, r->fq + k, (r->fq_len - k) * sizeof *r->fq);
    r->fq_len -= k;
    pthread_mutex_unlock(&n->lock);
    size_t sent = 0;
    while (sent < k && !n->stopping && post(n, url, &batch[sent]) == 0)
        free(batch[sent++].p);
    if (sent == k) {
        pthread_mutex_lock(&n->lock);
        int more = r->fq_len > 0;
        pthread_mutex_unlock(&n->lock);
        return more;
    }
    /* the rest go back in front, in order */
    pthread_mutex_lock(&n->lock);
    unshift(r, batch + sent, k - sent);
    pthread_mutex_unlock(&n->lock);
    return 0;
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
