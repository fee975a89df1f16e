/* Replies held until the block holding a transaction is committed. All on
 * the event-loop thread. */
#include <stdlib.h>
#include <string.h>

#include "node/node_internal.h"
#include "node/replica.h"

/* The client went away while its request was held: forget the waiter
 * (the server frees the request after this returns). */
static void on_close(httpd_req *req, void *arg)
{
    node *n = arg;
    for (waiter **w = &n->waiters; *w; w = &(*w)->next) {
        if ((*w)->req == req) {
            waiter *dead = *w;
            *w = dead->next;
            free(dead);
            return;
        }
    }
}

void waiters_add(node *n, httpd_req *req, const cairn_hash *h)
{
    waiter *w = calloc(1, sizeof *w);
    if (!w) {
        api_error(req, 500, CAIRN_ERR_NOMEM, NULL);
        return;
    }
    w->hash = *h;
    w->req = req;
    w->deadline_ms = node_now_ms() + NODE_WAIT_MS;
    w->next = n->waiters;
    n->waiters = w;
    httpd_req_on_close(req, on_close, n);
}

/* Replies to and removes every waiter for hash h. */
static void answer(node *n, const cairn_hash *h, cairn_err e, uint64_t height)
{
    for (waiter **w = &n->waiters; *w;) {
        waiter *x = *w;
        if (memcmp(x->hash.b, h->b, 32) != 0) {
            w = &x->next;
            continue;
        }
        *w = x->next;
        httpd_req_on_close(x->req, NULL, NULL);
        if (e) {
            api_error(x->req, 0, e, NULL);
        } else {
            json_t *o = json_object();
            json_object_set_new(o, "hash", api_json_hex(h->b, 32));
            json_object_set_new(o, "status", json_string("committed"));
            json_object_set_new(o, "height", api_json_u64(height));
            api_reply(x->req, 200, o);
        }
        free(x);
    }
}

void waiters_block(node *n, const cairn_proposal *pr)
{
    if (!n->waiters)
        return;
    for (size_t i = 0; i < pr->n_included && n->waiters; i++)
        answer(n, &pr->included[i], CAIRN_OK, pr->header.height);
    for (size_t i = 0; i < pr->n_dropped && n->waiters; i++)
        answer(n, &pr->dropped[i], pr->drop_err[i], 0);
}

void waiters_expire(node *n, uint64_t now_ms)
{
    for (waiter **w = &n->waiters; *w;) {
        waiter *x = *w;
        if (x->deadline_ms > now_ms) {
            w = &x->next;
            continue;
        }
        *w = x->next;
        httpd_req_on_close(x->req, NULL, NULL);
        json_t *o = json_object();
        json_object_set_new(o, "hash", api_json_hex(x->hash.b, 32));
        json_object_set_new(o, "status", json_string("pending"));
        pthread_mutex_lock(&n->lock);
        json_t *we = node_write_error_json(n); /* why it is still pending */
        pthread_mutex_unlock(&n->lock);
        if (we)
            json_object_set_new(o, "write_error", we);
        api_reply(x->req, 202, o);
        free(x);
    }
}

void waiters_fail_all(node *n)
{
    while (n->waiters) {
        waiter *x = n->waiters;
        n->waiters = x->next;
        httpd_req_on_close(x->req, NULL, NULL);
        api_error(
            x->req, 503, CAIRN_ERR_IO,
            "the node is stopping; the transaction may or may not commit");
        free(x);
    }
}

void waiters_poll(node *n)
{
    int any = 0;
    pthread_mutex_lock(&n->lock);
    for (waiter *w = n->waiters; w; w = w->next) {
        uint32_t index;
        w->found = !cairn_chain_tx_location(n->chain, &w->hash,
                                            &w->found_height, &index);
        w->refused = w->found ? CAIRN_OK : replica_drop_of(n->rep, &w->hash);
        any |= w->found || w->refused;
    }
    pthread_mutex_unlock(&n->lock);
    while (any) { /* answer() removes every waiter of that hash */
        any = 0;
        for (waiter *w = n->waiters; w; w = w->next)
            if (w->found || w->refused) {
                cairn_hash h = w->hash; /* answer() frees w */
                answer(n, &h, w->refused, w->found_height);
                any = 1;
                break;
            }
    }
}
