/* The provider daemon's answers to client requests (cairn/storage_proto.h):
 * ASK (its price and free space), STORE (check the terms against its ask
 * and the chain's rules, store the piece durably, sign), FETCH (a piece,
 * checked against its checksum first, for a lottery ticket that pays
 * --egress-price: docs/storage.md "Paid retrieval"). They run on the connection
 * server's workers (provider/daemon.h). A request that does not decode is
 * answered with ERROR(bad_message) and ends the connection: an honest
 * client never sends one, and a peer that does gets no second try on the
 * same connection. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cairn/amount.h"
#include "cairn/storage_proto.h"
#include "storage/provider/provider_internal.h"
#include "storage/provider/provider_terms.h"

/* Turns the reply into ERROR(e, message). */
static void fail(pd_reply *r, cairn_err e, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void fail(pd_reply *r, cairn_err e, const char *fmt, ...)
{
    char msg[CAIRN_SP_ERRMSG_MAX + 1];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    cairn_buf_reset(&r->body);
    r->type = CAIRN_SP_ERROR;
    cairn_sp_error_encode(&r->body, e, msg);
}

void sprov_get_view(sprov *p, sprov_view *v)
{
    pthread_mutex_lock(&p->lock);
    *v = p->view;
    pthread_mutex_unlock(&p->lock);
}

void sprov_note_signed(sprov *p, const cairn_hash *root)
{
    pthread_mutex_lock(&p->lock);
    p->recent[p->recent_next].root = *root;
    p->recent[p->recent_next].at = (uint64_t)time(NULL);
    p->recent_next = (p->recent_next + 1) % SPROV_RECENT;
    pthread_mutex_unlock(&p->lock);
}

uint64_t sprov_signed_at(sprov *p, const cairn_hash *root)
{
    uint64_t at = 0;
    pthread_mutex_lock(&p->lock);
    for (int i = 0; i < SPROV_RECENT; i++)
        if (p->recent[i].at > at &&
            memcmp(p->recent[i].root.b, root->b, 32) == 0)
            at = p->recent[i].at;
    pthread_mutex_unlock(&p->lock);
    return at;
}

static void handle_ask(sprov *p, pd_reply *r)
{
    uint64_t used, cap;
    sprov_view v;
    sprov_get_view(p, &v);
    if (!v.ok) { /* its collateral rule would read as 0: do not advertise */
        fail(r, CAIRN_ERR_NOT_READY, "has not read the chain's rules yet");
        return;
    }
    cairn_piecestore_usage(p->ps, &used, &cap);
    uint64_t free_bytes = used < cap ? cap - used : 0;
    uint64_t room = free_bytes > CAIRN_PIECESTORE_HEADER
                        ? free_bytes - CAIRN_PIECESTORE_HEADER
                        : 0;
    cairn_sp_info info = {
        .price = p->cfg.price,
        .free = free_bytes,
        .max_piece = room < CAIRN_PIECE_MAX ? room : CAIRN_PIECE_MAX,
        .collateral_bps = (uint32_t)sprov_collateral_bps(p, &v),
        .egress_price = p->cfg.egress_price,
    };
    pd_tickets_rand_hash(&p->tk, info.rand_hash);
    r->type = CAIRN_SP_INFO;
    cairn_sp_info_encode(&r->body, &info);
}

/* Stores the request's bytes, or checks that they are already here. */
static cairn_err keep_piece(sprov *p, const cairn_sp_store *m, pd_reply *r)
{
    cairn_piece_stat st;
    cairn_err e;
    if (m->piece_len == 0) {
        e = cairn_piecestore_stat(p->ps, &m->root, &st);
        if (e == CAIRN_ERR_NOT_FOUND)
            fail(r, e,
                 "this provider does not hold that piece; send its bytes");
        else if (e)
            fail(r, e,
                 "this provider's copy of that piece is unreadable; send its "
                 "bytes");
        return e;
    }
    e = cairn_piecestore_put(p->ps, &m->root, m->piece, m->piece_len);
    if (e == CAIRN_ERR_BAD_PROOF)
        fail(r, e, "the piece's bytes do not hash to the root in the terms");
    else if (e == CAIRN_ERR_NO_SPACE)
        fail(r, e, "this provider's store is full");
    else if (e) {
        sprov_log(p, "cannot store a piece: %s", cairn_strerror(e));
        fail(r, e, "the provider could not store the piece: %s",
             cairn_strerror(e));
    }
    return e;
}

static void short_hex(char out[17], const cairn_hash *h)
{
    cairn_hex_encode(out, h->b, 8);
}

static void handle_store(sprov *p, pd_server *srv, const cairn_pubkey *client,
                         const uint8_t *req, size_t n, pd_reply *r)
{
    cairn_sp_store m;
    cairn_replace_ctx rc;
    cairn_sig sig;
    sprov_view v;
    char why[CAIRN_SP_ERRMSG_MAX + 1] = "", root[17];
    if (cairn_sp_store_decode(&m, req, n)) {
        fail(r, CAIRN_ERR_BAD_MSG, "malformed STORE request");
        r->close = 1;
        return;
    }
    sprov_get_view(p, &v);
    cairn_err e =
        m.what == CAIRN_SP_OPEN
            ? sprov_check_open(p, &v, &m, why, sizeof why)
            : sprov_check_replace(p, &v, client, &m, &rc, why, sizeof why);
    if (e) {
        fail(r, e, "%s", why);
        return;
    }
    if (keep_piece(p, &m, r))
        return;
    e = m.what == CAIRN_SP_OPEN
            ? sprov_sign_open(p, &v, client, &m, &sig)
            : sprov_sign_replace(p, &v, client, &m, &rc, &sig);
    if (e) {
        fail(r, e, "cannot sign: %s", cairn_strerror(e));
        return;
    }
    sprov_note_signed(p, &m.root);
    pd_serve_add_friend(srv, client, 0); /* until the deal is on chain */
    short_hex(root, &m.root);
    sprov_log(p, "%s piece %s (%llu bytes) for a %s deal",
              m.piece_len ? "stored" : "re-signed", root,
              (unsigned long long)m.size,
              m.what == CAIRN_SP_OPEN ? "new" : "moved");
    r->type = CAIRN_SP_SIGNED;
    cairn_sp_signed_encode(&r->body, &sig);
}

/* The payment for serving `size` bytes: OK, or the reply is an ERROR. */
static cairn_err take_payment(sprov *p, const cairn_sp_fetch *m, uint64_t size,
                              pd_reply *r)
{
    char why[CAIRN_SP_ERRMSG_MAX + 1] = "";
    sprov_view v;
    uint64_t cost = cairn_sp_egress_cost(p->cfg.egress_price, size);
    if (!p->cfg.egress_price)
        return CAIRN_OK;
    if (m->ticket_len == 0) {
        fail(r, CAIRN_ERR_PAYMENT_REQUIRED,
             "this provider serves a piece for a lottery ticket worth %llu "
             "base units on average (ask for its price and rand hash); fund "
             "tickets with cairn tickets fund TOKENS --key FILE",
             (unsigned long long)cost);
        return CAIRN_ERR_PAYMENT_REQUIRED;
    }
    sprov_get_view(p, &v);
    if (!v.ok) {
        fail(r, CAIRN_ERR_NOT_READY,
             "has not read the chain yet and cannot check tickets; try again");
        return CAIRN_ERR_NOT_READY;
    }
    cairn_err e = pd_tickets_take(&p->tk, v.chain_id, v.height, cost, m->ticket,
                                  m->ticket_len, why, sizeof why);
    if (e) {
        fail(r, CAIRN_ERR_PAYMENT_REQUIRED, "ticket refused (%s): %s",
             cairn_errname(e), why);
        return CAIRN_ERR_PAYMENT_REQUIRED;
    }
    return CAIRN_OK;
}

static void handle_fetch(sprov *p, const uint8_t *req, size_t n, pd_reply *r)
{
    cairn_sp_fetch m;
    cairn_piece_stat st;
    uint8_t *bytes;
    size_t size;
    char root[17];
    if (cairn_sp_fetch_decode(&m, req, n)) {
        fail(r, CAIRN_ERR_BAD_MSG, "malformed FETCH request");
        r->close = 1;
        return;
    }
    cairn_err e = cairn_piecestore_stat(p->ps, &m.root, &st);
    if (e == CAIRN_ERR_NOT_FOUND) {
        fail(r, e, "this provider does not hold that piece");
        return;
    }
    if (!e && take_payment(p, &m, st.size, r))
        return;
    if (!e)
        e = cairn_piecestore_get(p->ps, &m.root, &bytes, &size);
    if (e == CAIRN_ERR_NOT_FOUND) {
        fail(r, e, "this provider does not hold that piece");
        return;
    }
    if (e) {
        short_hex(root, &m.root);
        sprov_log(p, "piece %s not served: %s", root, cairn_strerror(e));
        fail(r, e,
             "this provider's copy of that piece is damaged; fetch it "
             "elsewhere");
        return;
    }
    r->type = CAIRN_SP_PIECE;
    cairn_sp_piece_encode(&r->body, bytes, (uint32_t)size);
    free(bytes);
}

void sprov_handle(void *ctx, const pd_request *q, pd_reply *r)
{
    sprov *p = ctx;
    if (q->type == CAIRN_SP_ASK &&
        cairn_sp_ask_decode(q->body, q->n) == CAIRN_OK)
        handle_ask(p, r);
    else if (q->type == CAIRN_SP_STORE)
        handle_store(p, q->server, &q->peer, q->body, q->n, r);
    else if (q->type == CAIRN_SP_FETCH)
        handle_fetch(p, q->body, q->n, r);
    else {
        fail(r, CAIRN_ERR_BAD_MSG,
             "unknown request type 0x%02x, or a "
             "malformed one",
             q->type);
        r->close = 1;
    }
}

void sprov_refuse(void *ctx, cairn_err e, const char *why, pd_reply *r)
{
    (void)ctx;
    fail(r, e, "%s", why);
}
