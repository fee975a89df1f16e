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
    if (r.err || r.pos != r.len || m->params_len == 0 || m->input_len == 0)
        return CAIRN_ERR_BAD_MSG;
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
