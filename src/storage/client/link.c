/* The storage client's connection to one provider (client/link.h). */
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "storage/client/link.h"

#define BASE_MS 15000
#define BYTES_PER_MS 256 /* deadline grows by 1 ms per 256 bytes (256 KB/s) */

void clink_init(clink *l, const cairn_pubkey *provider, const char *endpoint,
                const cairn_keypair *me)
{
    memset(l, 0, sizeof *l);
    l->provider = *provider;
    snprintf(l->endpoint, sizeof l->endpoint, "%s", endpoint);
    l->me = me;
}

void clink_close(clink *l)
{
    cairn_conn_close(l->c);
    l->c = NULL;
}

static cairn_err dial(clink *l)
{
    char host[CAIRN_HOST_MAX + 1];
    int port;
    cairn_err e = l->dead ? CAIRN_ERR_CLOSED
                          : cairn_endpoint_parse(l->endpoint, host, &port);
    if (!e)
        e = cairn_conn_dial(&l->c, host, port, l->me, &l->provider,
                            CLINK_DIAL_MS);
    if (!e)
        l->conn_id++;
    if (e && !l->dead) {
        snprintf(l->why, sizeof l->why, "cannot reach %s: %s", l->endpoint,
                 e == CAIRN_ERR_IO ? "no connection (the provider is down or "
                                     "unreachable)"
                                   : cairn_strerror(e));
        l->dead = 1;
    }
    return e;
}

/* One exchange on the open connection; the reply's payload is new. */
static cairn_err exchange(clink *l, uint8_t type, const cairn_buf *req, int ms,
                          uint8_t *rtype, uint8_t **rep, size_t *n)
{
    cairn_err e = cairn_conn_send(l->c, type, req->p, req->len, ms);
    if (!e)
        e = cairn_conn_recv(l->c, rtype, rep, n, CAIRN_SP_MSG_MAX, ms);
    return e;
}

/* The deadline of a request carrying `bytes`. */
static int deadline_ms(uint64_t bytes)
{
    return BASE_MS + (int)(bytes / BYTES_PER_MS);
}

/* Records a transport failure: why, dead on a timeout, and closes. */
static cairn_err broken(clink *l, cairn_err e)
{
    if (l->c)
        snprintf(l->why, sizeof l->why, "%s: %s", l->endpoint,
                 cairn_strerror(e));
    if (e == CAIRN_ERR_TIMEOUT)
        l->dead = 1;
    clink_close(l);
    return e;
}

/* Takes a reply of type `want`, turning an ERROR into its code (the
 * payload is freed then). */
static cairn_err take_reply(clink *l, uint8_t rtype, uint8_t want,
                            uint8_t **rep, size_t n)
{
    if (rtype == want)
        return CAIRN_OK;
    cairn_sp_error er;
    cairn_err e =
        rtype == CAIRN_SP_ERROR && !cairn_sp_error_decode(&er, *rep, n)
            ? cairn_sp_error_code(&er)
            : CAIRN_ERR_BAD_MSG;
    if (rtype == CAIRN_SP_ERROR && e != CAIRN_ERR_BAD_MSG)
        snprintf(l->why, sizeof l->why, "%s refused: %s", l->endpoint, er.msg);
    else
        snprintf(l->why, sizeof l->why, "%s sent an unexpected reply",
                 l->endpoint);
    free(*rep);
    *rep = NULL;
    return e;
}

/* Sends a request and takes a reply of type `want` (payload new, caller
 * frees), turning an ERROR into its code. Dials if needed and dials again
 * once when a reused connection turns out broken. A provider that lets the
 * deadline pass is not asked again (dead): waiting for it once per segment
 * would make a stalled provider cost a get one deadline per segment. */
static cairn_err request(clink *l, uint8_t type, const cairn_buf *req,
                         uint8_t want, uint64_t bytes, uint8_t **rep, size_t *n)
{
    int ms = deadline_ms(bytes);
    uint8_t rtype = 0;
    int reused = l->c != NULL;
    cairn_err e = l->c ? CAIRN_OK : dial(l);
    if (!e && (e = exchange(l, type, req, ms, &rtype, rep, n)) && reused &&
        e != CAIRN_ERR_TIMEOUT) {
        clink_close(l);
        if (!(e = dial(l)))
            e = exchange(l, type, req, ms, &rtype, rep, n);
    }
    if (e)
        return broken(l, e);
    return take_reply(l, rtype, want, rep, *n);
}

cairn_err clink_ask(clink *l, cairn_sp_info *info)
{
    cairn_buf b;
    uint8_t *rep;
    size_t n;
    cairn_buf_init(&b, 16);
    cairn_err e = request(l, CAIRN_SP_ASK, &b, CAIRN_SP_INFO, 0, &rep, &n);
    cairn_buf_free(&b);
    if (e)
        return e;
    e = cairn_sp_info_decode(info, rep, n);
    free(rep);
    return e;
}

cairn_err clink_store_send(clink *l, const cairn_sp_store *m, uint32_t *conn)
{
    cairn_buf b;
    cairn_buf_init(&b, CAIRN_SP_MSG_MAX);
    cairn_sp_store_encode(&b, m);
    cairn_err e = b.err ? b.err : l->c ? CAIRN_OK : dial(l);
    if (!e)
        *conn = l->conn_id;
    if (!e && (e = cairn_conn_send(l->c, CAIRN_SP_STORE, b.p, b.len,
                                   deadline_ms(m->piece_len))))
        broken(l, e);
    cairn_buf_free(&b);
    return e;
}

cairn_err clink_store_recv(clink *l, uint32_t conn, uint64_t bytes,
                           cairn_sig *sig)
{
    uint8_t rtype = 0, *rep = NULL;
    size_t n = 0;
    if (!l->c || l->conn_id != conn)
        return CAIRN_ERR_CLOSED; /* broken since: why says how */
    cairn_err e = cairn_conn_recv(l->c, &rtype, &rep, &n, CAIRN_SP_MSG_MAX,
                                  deadline_ms(bytes));
    if (e)
        return broken(l, e);
    if ((e = take_reply(l, rtype, CAIRN_SP_SIGNED, &rep, n)))
        return e;
    e = cairn_sp_signed_decode(sig, rep, n);
    free(rep);
    return e;
}

cairn_err clink_store(clink *l, const cairn_sp_store *m, cairn_sig *sig)
{
    cairn_buf b;
    uint8_t *rep;
    size_t n;
    cairn_buf_init(&b, CAIRN_SP_MSG_MAX);
    cairn_sp_store_encode(&b, m);
    cairn_err e = b.err ? b.err
                        : request(l, CAIRN_SP_STORE, &b, CAIRN_SP_SIGNED,
                                  m->piece_len, &rep, &n);
    cairn_buf_free(&b);
    if (e)
        return e;
    e = cairn_sp_signed_decode(sig, rep, n);
    free(rep);
    return e;
}

void clink_set_payer(clink *l, const clink_payer *pay)
{
    l->pay = pay;
}

/* Tickets' nonces: one counter for the process, from a random start, so
 * that no two tickets to one provider under one rand hash share a nonce
 * (whatever the thread, link or fetch that signs them), and another
 * process of the same key is unlikely to meet them. */
static uint64_t nonce_next;
static pthread_once_t nonce_once = PTHREAD_ONCE_INIT;

static void nonce_seed(void)
{
    randombytes_buf(&nonce_next, sizeof nonce_next);
    nonce_next >>= 1; /* room to count */
}

static uint64_t next_nonce(void)
{
    pthread_once(&nonce_once, nonce_seed);
    return __atomic_fetch_add(&nonce_next, 1, __ATOMIC_RELAXED);
}

/* ceil(ev x 2^64 / face), saturated: the win probability whose expected
 * value at `face` is at least ev. */
static uint64_t win_prob_up(uint64_t ev, uint64_t face)
{
    unsigned __int128 num = (unsigned __int128)ev << 64;
    unsigned __int128 q = num / face + (num % face != 0);
    return q > UINT64_MAX ? UINT64_MAX : (uint64_t)q;
}

cairn_err clink_make_ticket(cairn_buf *b, const clink_payer *pay,
                            const cairn_keypair *me, const cairn_pubkey *to,
                            const uint8_t rand_hash[32], uint64_t ev)
{
    cairn_ticket t = {0};
    uint64_t face = pay->min_fee > UINT64_MAX / CLINK_FACE_FEES
                        ? UINT64_MAX
                        : pay->min_fee * CLINK_FACE_FEES;
    if (face <= ev) /* a winning ticket pays at least the price */
        face = ev < UINT64_MAX ? ev + 1 : UINT64_MAX;
    if (face == 0)
        face = 1;
    t.recipient = *to;
    memcpy(t.rand_hash.b, rand_hash, 32);
    t.face_value = face;
    t.win_prob = win_prob_up(ev, face);
    t.nonce = next_nonce();
    t.expiration = pay->expires;
    cairn_err e = cairn_ticket_set_chain(&t, pay->chain_id);
    if (!e && (e = cairn_ticket_sign(&t, me)))
        return e;
    if (!e && cairn_ticket_ev(&t) < ev)
        return CAIRN_ERR_OVERFLOW; /* a price no ticket can reach */
    if (!e)
        cairn_ticket_encode(b, &t);
    return e ? e : b->err;
}

/* The FETCH request for root into b, with a ticket when the provider
 * charges for `size` bytes. */
static cairn_err fetch_request(clink *l, const cairn_hash *root, uint64_t size,
                               cairn_buf *b)
{
    cairn_buf tb;
    cairn_sp_fetch m = {.root = *root};
    cairn_err e = CAIRN_OK;
    cairn_buf_init(&tb, CAIRN_TICKET_MAX_BYTES);
    if (l->pay && l->priced && l->info.egress_price) {
        uint64_t ev = cairn_sp_egress_cost(l->info.egress_price, size);
        e = clink_make_ticket(&tb, l->pay, l->me, &l->provider,
                              l->info.rand_hash, ev);
        if (e)
            snprintf(l->why, sizeof l->why, "cannot make a ticket for %s: %s",
                     l->endpoint, cairn_strerror(e));
        else {
            m.ticket = tb.p;
            m.ticket_len = (uint32_t)tb.len;
            l->paid += ev;
        }
    }
    if (!e) {
        cairn_sp_fetch_encode(b, &m);
        e = b->err;
    }
    cairn_buf_free(&tb);
    return e;
}

/* Reads the provider's egress price and rand hash (a provider whose ASK
 * fails for another reason than the transport is fetched from without a
 * ticket: it says so if it wants one). */
static cairn_err price(clink *l)
{
    cairn_err e = clink_ask(l, &l->info);
    l->priced = !e;
    if (e == CAIRN_ERR_IO || e == CAIRN_ERR_TIMEOUT || e == CAIRN_ERR_CLOSED ||
        e == CAIRN_ERR_PEER_MISMATCH || e == CAIRN_ERR_BAD_ENDPOINT)
        return e;
    return CAIRN_OK;
}

/* One FETCH; the reply's payload new. */
static cairn_err fetch_once(clink *l, const cairn_hash *root, uint64_t size,
                            uint8_t **rep, size_t *n)
{
    cairn_buf b;
    cairn_buf_init(&b, 64 + CAIRN_TICKET_MAX_BYTES);
    cairn_err e = fetch_request(l, root, size, &b);
    if (!e)
        e = request(l, CAIRN_SP_FETCH, &b, CAIRN_SP_PIECE, size, rep, n);
    cairn_buf_free(&b);
    return e;
}

cairn_err clink_fetch(clink *l, const cairn_hash *root, uint64_t size,
                      uint8_t **bytes)
{
    uint8_t *rep;
    const uint8_t *piece;
    uint32_t len;
    size_t n;
    cairn_err e = CAIRN_OK;
    *bytes = NULL;
    if (l->pay && !l->priced)
        e = price(l);
    if (!e)
        e = fetch_once(l, root, size, &rep, &n);
    /* a ticket refused: the provider may have a new number (it changes
     * after each win) or price; ask again and try once more */
    if (e == CAIRN_ERR_PAYMENT_REQUIRED && l->pay && !(e = price(l)))
        e = fetch_once(l, root, size, &rep, &n);
    if (e)
        return e;
    e = cairn_sp_piece_decode(&piece, &len, rep, n);
    if (!e && (len != size || cairn_piece_check(root, size, piece))) {
        snprintf(l->why, sizeof l->why,
                 "%s sent bytes that do not match the piece's root",
                 l->endpoint);
        e = CAIRN_ERR_BAD_PROOF;
    }
    if (e) {
        free(rep);
        return e;
    }
    memmove(rep, piece, size); /* the reply's buffer becomes the piece's */
    *bytes = rep;
    return CAIRN_OK;
}
