/* Sending a job to a provider (job_client.h). */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/compute_proto.h"
#include "cairn/ticket.h"
#include "compute/jobs/job_client.h"

/* Asks the provider's TICKET_RAND and signs a ticket for it into tb. */
static cairn_err make_ticket(const job_request *r, cairn_conn *c, cairn_buf *tb)
{
    uint8_t type = 0, *p = NULL;
    size_t n = 0;
    cairn_cp_ticket_rand m;
    cairn_ticket t = {0};
    cairn_err e =
        cairn_conn_send(c, CAIRN_CP_TICKET_PARAMS, "", 0, JOB_CLIENT_DIAL_MS);
    if (!e)
        e = cairn_conn_recv(c, &type, &p, &n, CAIRN_CP_MSG_MAX,
                            JOB_CLIENT_DIAL_MS);
    if (!e &&
        (type != CAIRN_CP_TICKET_RAND || cairn_cp_ticket_rand_decode(&m, p, n)))
        e = CAIRN_ERR_BAD_MSG;
    free(p);
    if (e)
        return e;
    memcpy(t.recipient.b, cairn_conn_peer(c)->b, 32);
    memcpy(t.rand_hash.b, m.rand_hash, 32);
    t.face_value = r->ticket_face;
    t.win_prob = cairn_ticket_win_prob_for(r->ticket_ev, r->ticket_face);
    t.expiration = r->ticket_expires;
    randombytes_buf(&t.nonce, sizeof t.nonce);
    if ((e = cairn_ticket_set_chain(&t, m.chain_id)) ||
        (e = cairn_ticket_sign(&t, r->key)))
        return e;
    cairn_ticket_encode(tb, &t);
    return tb->err;
}

/* The JOB message into b (with the ticket in tb). */
static void job_message(const job_request *r, const cairn_buf *tb, cairn_buf *b)
{
    cairn_buf pb;
    cairn_buf_init(&pb, JOB_PARAMS_MAX);
    job_params_encode(&pb, r->jp);
    cairn_cp_job m = {.type = r->jp->type,
                      .subnet = r->subnet,
                      .params = pb.p,
                      .params_len = (uint32_t)pb.len,
                      .input = r->in,
                      .input_len = (uint32_t)r->n,
                      .ticket = tb->p,
                      .ticket_len = (uint32_t)tb->len};
    memcpy(m.job_id, r->job_id.b, 32);
    cairn_cp_job_encode(b, &m);
    cairn_buf_free(&pb);
}

/* The exchange: *reply (malloc'd) and its type. */
static cairn_err exchange(const job_request *r, uint8_t *type, uint8_t **reply,
                          size_t *rn, char *why, size_t len)
{
    cairn_conn *c = NULL;
    cairn_buf b, tb;
    cairn_buf_init(&tb, CAIRN_TICKET_MAX_BYTES);
    cairn_buf_init(&b, CAIRN_CP_MSG_MAX);
    int dial = r->dial_ms ? r->dial_ms : JOB_CLIENT_DIAL_MS;
    int send = r->dial_ms ? r->dial_ms : JOB_CLIENT_DIAL_MS + 60000;
    cairn_err e =
        cairn_conn_dial(&c, r->host, r->port, r->key, r->expect, dial);
    if (!e && r->ticket_face && (e = make_ticket(r, c, &tb)))
        snprintf(why, len, "cannot make a ticket for the provider at %s:%d: %s",
                 r->host, r->port, cairn_strerror(e));
    if (!e) {
        job_message(r, &tb, &b);
        e = b.err;
    }
    if (!e)
        e = cairn_conn_send(c, CAIRN_CP_JOB, b.p, b.len, send);
    if (!e)
        e = cairn_conn_recv(c, type, reply, rn, CAIRN_CP_MSG_MAX,
                            r->reply_ms ? r->reply_ms : JOB_CLIENT_REPLY_MS);
    if (e && !why[0])
        snprintf(why, len, "job with the provider at %s:%d: %s", r->host,
                 r->port, cairn_strerror(e));
    cairn_buf_free(&b);
    cairn_buf_free(&tb);
    cairn_conn_close(c);
    return e;
}

static cairn_err decode(const uint8_t *p, size_t n, cairn_job_claim *claim,
                        job_parts *parts)
{
    cairn_cp_job_result *res = malloc(sizeof *res);
    const uint8_t **ptr = malloc(CAIRN_CP_JOB_PARTS_MAX * sizeof *ptr);
    size_t *len = malloc(CAIRN_CP_JOB_PARTS_MAX * sizeof *len);
    cairn_err e = res && ptr && len ? CAIRN_OK : CAIRN_ERR_NOMEM;
    if (!e && (cairn_cp_job_result_decode(res, p, n) ||
               cairn_job_claim_decode(claim, res->claim, res->claim_len)))
        e = CAIRN_ERR_BAD_MSG;
    for (uint32_t i = 0; !e && i < res->count; i++) {
        ptr[i] = res->part[i];
        len[i] = res->part_len[i];
    }
    if (!e)
        e = job_parts_from(parts, res->count, ptr, len);
    free(res);
    free(ptr);
    free(len);
    return e;
}

cairn_err job_submit(const job_request *r, cairn_job_claim *claim,
                     job_parts *parts, char *why, size_t len)
{
    uint8_t type = 0, *reply = NULL;
    size_t rn = 0;
    why[0] = '\0';
    memset(parts, 0, sizeof *parts);
    cairn_err e = exchange(r, &type, &reply, &rn, why, len);
    if (e)
        return e;
    if (type == CAIRN_CP_ERROR) {
        cairn_cp_error m;
        if (cairn_cp_error_decode(&m, reply, rn)) {
            e = CAIRN_ERR_BAD_MSG;
            snprintf(why, len, "the provider sent a malformed error");
        } else {
            e = cairn_cp_error_code(&m);
            if (e == CAIRN_OK)
                e = CAIRN_ERR_BAD_MSG; /* an ERROR is never a success */
            snprintf(why, len, "the provider refused the job: %s (%s)", m.msg,
                     cairn_errname(e));
        }
    } else if (type != CAIRN_CP_JOB_RESULT) {
        snprintf(why, len,
                 "the provider answered with message 0x%02x, not a job result",
                 type);
        e = CAIRN_ERR_BAD_MSG;
    } else if ((e = decode(reply, rn, claim, parts)))
        snprintf(why, len, "%s",
                 e == CAIRN_ERR_NOMEM ? "out of memory"
                                      : "the provider's job result is "
                                        "malformed");
    free(reply);
    return e;
}
