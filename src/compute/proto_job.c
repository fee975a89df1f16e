/* The compute protocol's job messages, JOB and JOB_RESULT
 * (include/cairn/compute_proto.h): encoders and bounded decoders. */
#include <string.h>

#include "cairn/compute_proto.h"

void cairn_cp_job_encode(cairn_buf *b, const cairn_cp_job *m)
{
    cairn_put_u8(b, m->type);
    cairn_put_u32(b, m->subnet);
    cairn_put_bytes(b, m->job_id, sizeof m->job_id);
    cairn_put_var(b, m->params, m->params_len);
    cairn_put_var(b, m->input, m->input_len);
    cairn_put_var(b, m->ticket, m->ticket_len);
}

cairn_err cairn_cp_job_decode(cairn_cp_job *m, const uint8_t *p, size_t n)
{
    cairn_reader r;
    memset(m, 0, sizeof *m);
    cairn_reader_init(&r, p, n);
    m->type = cairn_get_u8(&r);
    m->subnet = cairn_get_u32(&r);
    cairn_get_bytes(&r, m->job_id, sizeof m->job_id);
    cairn_get_var(&r, &m->params, &m->params_len, CAIRN_CP_JOB_PARAMS_MAX);
    cairn_get_var(&r, &m->input, &m->input_len, CAIRN_CP_JOB_INPUT_MAX);
    cairn_get_var(&r, &m->ticket, &m->ticket_len, CAIRN_TICKET_MAX_BYTES);
    if (r.err || r.pos != r.len || m->params_len == 0 || m->input_len == 0)
        return CAIRN_ERR_BAD_MSG;
    return CAIRN_OK;
}

void cairn_cp_ticket_rand_encode(cairn_buf *b, const cairn_cp_ticket_rand *m)
{
    size_t n = strnlen(m->chain_id, CAIRN_CHAIN_ID_MAX);
    cairn_put_bytes(b, m->rand_hash, sizeof m->rand_hash);
    cairn_put_var(b, m->chain_id, (uint32_t)n);
}

cairn_err cairn_cp_ticket_rand_decode(cairn_cp_ticket_rand *m, const uint8_t *p,
                                      size_t n)
{
    cairn_reader r;
    const uint8_t *id;
    uint32_t len;
    memset(m, 0, sizeof *m);
    cairn_reader_init(&r, p, n);
    cairn_get_bytes(&r, m->rand_hash, sizeof m->rand_hash);
    cairn_get_var(&r, &id, &len, CAIRN_CHAIN_ID_MAX);
    if (r.err || r.pos != r.len || len == 0)
        return CAIRN_ERR_BAD_MSG;
    for (uint32_t i = 0; i < len; i++)
        if (id[i] <= ' ' || id[i] > '~')
            return CAIRN_ERR_BAD_MSG;
    memcpy(m->chain_id, id, len);
    return CAIRN_OK;
}

void cairn_cp_job_result_encode(cairn_buf *b, const cairn_cp_job_result *m)
{
    cairn_put_var(b, m->claim, m->claim_len);
    cairn_put_u32(b, m->count);
    for (uint32_t i = 0; i < m->count && i < CAIRN_CP_JOB_PARTS_MAX; i++)
        cairn_put_var(b, m->part[i], m->part_len[i]);
}

cairn_err cairn_cp_job_result_decode(cairn_cp_job_result *m, const uint8_t *p,
                                     size_t n)
{
    cairn_reader r;
    uint64_t total = 0;
    m->claim = NULL;
    m->claim_len = m->count = 0;
    cairn_reader_init(&r, p, n);
    cairn_get_var(&r, &m->claim, &m->claim_len, CAIRN_CP_CLAIM_MAX);
    m->count = cairn_get_u32(&r);
    if (r.err || m->claim_len == 0 || m->count == 0 ||
        m->count > CAIRN_CP_JOB_PARTS_MAX)
        return CAIRN_ERR_BAD_MSG;
    for (uint32_t i = 0; i < m->count && !r.err; i++) {
        cairn_get_var(&r, &m->part[i], &m->part_len[i],
                      CAIRN_CP_JOB_OUTPUT_MAX);
        total += m->part_len[i];
    }
    if (r.err || r.pos != r.len || total > CAIRN_CP_JOB_OUTPUT_MAX)
        return CAIRN_ERR_BAD_MSG;
    return CAIRN_OK;
}
