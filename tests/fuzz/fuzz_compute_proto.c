/* libFuzzer target for the compute tenant<->provider messages
 * (src/compute/proto.c, include/cairn/compute_proto.h).
 *
 * The first byte is the message type the bytes after it are decoded as
 * (0x0A: a service-port token line). Any input must decode to OK or
 * BAD_MSG without crashing or reading past the input. When it decodes, the
 * encoding is canonical: encoding the decoded message gives back exactly
 * the input bytes, and borrowed bytes lie inside the input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/compute_proto.h"

#define TOKEN_LINE_TYPE 0x0A

/* Aborts unless b holds exactly p[0..n). */
static void same(const cairn_buf *b, const uint8_t *p, size_t n)
{
    if (b->err || b->len != n || (n && memcmp(b->p, p, n) != 0))
        abort();
}

static void inside(const uint8_t *x, size_t xn, const uint8_t *p, size_t n)
{
    if (xn && (x < p || x + xn > p + n))
        abort();
}

static cairn_err requests(uint8_t type, const uint8_t *p, size_t n,
                          cairn_buf *b)
{
    cairn_err e = CAIRN_ERR_BAD_MSG;
    if (type == CAIRN_CP_MANIFEST) {
        cairn_cp_manifest m;
        if (!(e = cairn_cp_manifest_decode(&m, p, n))) {
            inside(m.bytes, m.len, p, n);
            inside(m.keys, (size_t)m.nkeys * CAIRN_CP_KEY_ENTRY, p, n);
            if (m.nkeys > CAIRN_CP_KEYS_MAX)
                abort();
            cairn_cp_manifest_encode(b, &m);
        }
    } else if (type == CAIRN_CP_STATUS) {
        uint64_t lease;
        if (!(e = cairn_cp_status_decode(&lease, p, n)))
            cairn_cp_status_encode(b, lease);
    } else if (type == CAIRN_CP_LOGS) {
        cairn_cp_logs_req m;
        if (!(e = cairn_cp_logs_decode(&m, p, n)))
            cairn_cp_logs_encode(b, &m);
    } else if (type == CAIRN_CP_FETCH) {
        cairn_cp_fetch_req m;
        if (!(e = cairn_cp_fetch_decode(&m, p, n))) {
            if (!cairn_cp_path_ok(m.path, strlen(m.path)))
                abort();
            cairn_cp_fetch_encode(b, &m);
        }
    } else if (type == CAIRN_CP_JOB) {
        cairn_cp_job m;
        if (!(e = cairn_cp_job_decode(&m, p, n))) {
            inside(m.params, m.params_len, p, n);
            inside(m.input, m.input_len, p, n);
            inside(m.ticket, m.ticket_len, p, n);
            cairn_cp_job_encode(b, &m);
        }
    }
    return e;
}

static cairn_err replies(uint8_t type, const uint8_t *p, size_t n, cairn_buf *b)
{
    cairn_err e = CAIRN_ERR_BAD_MSG;
    if (type == CAIRN_CP_ACCEPTED) {
        cairn_cp_accepted m;
        if (!(e = cairn_cp_accepted_decode(&m, p, n)))
            cairn_cp_accepted_encode(b, &m);
    } else if (type == CAIRN_CP_STATE) {
        cairn_cp_state m;
        if (!(e = cairn_cp_state_decode(&m, p, n)))
            cairn_cp_state_encode(b, &m);
    } else if (type == CAIRN_CP_LOG) {
        cairn_cp_log m;
        if (!(e = cairn_cp_log_decode(&m, p, n))) {
            inside(m.bytes, m.len, p, n);
            cairn_cp_log_encode(b, &m);
        }
    } else if (type == CAIRN_CP_CHUNK) {
        cairn_cp_chunk m;
        if (!(e = cairn_cp_chunk_decode(&m, p, n))) {
            inside(m.bytes, m.len, p, n);
            cairn_cp_chunk_encode(b, &m);
        }
    } else if (type == CAIRN_CP_TICKET_RAND) {
        cairn_cp_ticket_rand m;
        if (!(e = cairn_cp_ticket_rand_decode(&m, p, n)))
            cairn_cp_ticket_rand_encode(b, &m);
    } else if (type == CAIRN_CP_JOB_RESULT) {
        static cairn_cp_job_result m; /* 6 KiB: off the fuzzer's stack */
        if (!(e = cairn_cp_job_result_decode(&m, p, n))) {
            inside(m.claim, m.claim_len, p, n);
            if (m.count > CAIRN_CP_JOB_PARTS_MAX)
                abort();
            for (uint32_t i = 0; i < m.count; i++)
                inside(m.part[i], m.part_len[i], p, n);
            cairn_cp_job_result_encode(b, &m);
        }
    } else {
        cairn_cp_error m;
        if (!(e = cairn_cp_error_decode(&m, p, n))) {
            if (strlen(m.msg) > CAIRN_CP_ERRMSG_MAX)
                abort();
            (void)cairn_cp_error_code(&m);
            cairn_cp_error_encode(b, (cairn_err)m.code, m.msg);
        }
    }
    return e;
}

static cairn_err token_line(const uint8_t *p, size_t n, cairn_buf *b)
{
    uint8_t token[CAIRN_CP_TOKEN_LEN];
    char line[CAIRN_CP_TOKEN_LINE];
    cairn_err e = cairn_cp_token_parse(token, (const char *)p, n);
    if (!e) {
        cairn_cp_token_line(line, token);
        cairn_put_bytes(b, line, sizeof line);
    }
    return e;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t n = size - 1;
    uint8_t type = data[0];
    /* an exact-size heap copy, so that ASan catches any overread */
    uint8_t *p = malloc(n ? n : 1);
    if (!p)
        return 0;
    memcpy(p, data + 1, n);
    cairn_buf b;
    cairn_buf_init(&b, CAIRN_CP_MSG_MAX);
    cairn_err e;
    if (type == TOKEN_LINE_TYPE)
        e = token_line(p, n, &b);
    else if (type < 0x80)
        e = requests(type, p, n, &b);
    else
        e = replies(type, p, n, &b);
    if (e == CAIRN_OK)
        same(&b, p, n);
    if (e != CAIRN_OK && e != CAIRN_ERR_BAD_MSG)
        abort();
    cairn_buf_free(&b);
    free(p);
    return 0;
}
