/* The storage client's connection to one provider (client/link.h). */
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

cairn_err clink_fetch(clink *l, const cairn_hash *root, uint64_t size,
                      uint8_t **bytes)
{
    cairn_buf b;
    uint8_t *rep;
    const uint8_t *piece;
    uint32_t len;
    size_t n;
    *bytes = NULL;
    cairn_buf_init(&b, 64);
    cairn_sp_fetch_encode(&b, root);
    cairn_err e =
        request(l, CAIRN_SP_FETCH, &b, CAIRN_SP_PIECE, size, &rep, &n);
    cairn_buf_free(&b);
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
