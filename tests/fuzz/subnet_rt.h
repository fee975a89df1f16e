/* The subnet kinds' body round trips (include/cairn/subnet.h), for
 * fuzz_tx_body.c: each decodes p (n bytes); a body that decodes must lie
 * within the bounds the header states (abort otherwise) and is encoded
 * again into b, for the caller to compare with p. */
#ifndef CAIRN_FUZZ_SUBNET_RT_H
#define CAIRN_FUZZ_SUBNET_RT_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/job.h"
#include "cairn/subnet.h"

static cairn_err st_create(cairn_buf *b, const uint8_t *p, size_t n)
{
    char name[CAIRN_SUBNET_NAME_MAX + 1];
    uint8_t type;
    cairn_err e = cairn_subnet_create_decode(name, &type, p, n);
    if (e == CAIRN_OK) {
        if (!cairn_subnet_name_ok(name) || type < CAIRN_SUBNET_TRANSCODE ||
            type > CAIRN_SUBNET_MATMUL)
            abort();
        cairn_subnet_create_encode(b, name, type);
    }
    return e;
}

static cairn_err st_join(cairn_buf *b, const uint8_t *p, size_t n)
{
    uint32_t id;
    uint8_t role;
    uint64_t amount;
    cairn_err e = cairn_subnet_join_decode(&id, &role, &amount, p, n);
    if (e == CAIRN_OK) {
        if (!id || (role == CAIRN_ROLE_MINER) != (amount == 0) ||
            (role != CAIRN_ROLE_MINER && role != CAIRN_ROLE_VALIDATOR))
            abort();
        cairn_subnet_join_encode(b, id, role, amount);
    }
    return e;
}

static cairn_err st_leave(cairn_buf *b, const uint8_t *p, size_t n)
{
    uint32_t id;
    cairn_err e = cairn_subnet_leave_decode(&id, p, n);
    if (e == CAIRN_OK)
        cairn_subnet_leave_encode(b, id);
    return e;
}

static cairn_err st_commit(cairn_buf *b, const uint8_t *p, size_t n)
{
    uint32_t id;
    uint64_t epoch;
    cairn_hash h;
    cairn_err e = cairn_weights_commit_decode(&id, &epoch, &h, p, n);
    if (e == CAIRN_OK)
        cairn_weights_commit_encode(b, id, epoch, &h);
    return e;
}

static cairn_err st_reveal(cairn_buf *b, const uint8_t *p, size_t n)
{
    static cairn_weights_reveal r;
    cairn_err e = cairn_weights_reveal_decode(&r, p, n);
    if (e == CAIRN_OK) {
        if (r.w.n > CAIRN_SUBNET_MAX_MINERS)
            abort();
        for (uint16_t i = 1; i < r.w.n; i++)
            if (r.w.e[i].uid <= r.w.e[i - 1].uid)
                abort(); /* uids strictly increasing */
        cairn_weights_reveal_encode(b, &r);
    }
    return e;
}

/* COMPUTE_EVIDENCE: job.h's evidence; any refusal is BAD_BODY, as the
 * kind answers. */
static cairn_err st_evidence(cairn_buf *b, const uint8_t *p, size_t n)
{
    cairn_job_evidence ev;
    if (cairn_job_evidence_decode(&ev, p, n) != CAIRN_OK)
        return CAIRN_ERR_BAD_BODY;
    cairn_job_evidence_encode(b, &ev);
    return CAIRN_OK;
}

#endif
