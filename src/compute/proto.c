/* The compute tenant<->provider messages (include/cairn/compute_proto.h):
 * encoders and bounded decoders. */
#include <string.h>

#include "cairn/compute.h"
#include "cairn/compute_proto.h"

int cairn_cp_path_ok(const char *p, size_t n)
{
    size_t part = 0;
    if (n == 0 || n > CAIRN_CP_PATH_MAX)
        return 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || p[i] == '/') {
            if (part == 0)
                return 0; /* empty part, leading or trailing '/' */
            if ((part == 1 && p[i - 1] == '.') ||
                (part == 2 && p[i - 1] == '.' && p[i - 2] == '.'))
                return 0;
            part = 0;
            continue;
        }
        char c = p[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
            return 0;
        part++;
    }
    return 1;
}

/* Appends var text cut at max, non-printable bytes as '?'. */
static void put_text(cairn_buf *b, const char *s, size_t max)
{
    char clean[CAIRN_CP_NOTE_MAX > CAIRN_ENDPOINT_TEXT_MAX
                   ? CAIRN_CP_NOTE_MAX
                   : CAIRN_ENDPOINT_TEXT_MAX];
    size_t n = s ? strlen(s) : 0;
    if (n > max)
        n = max;
    for (size_t i = 0; i < n; i++)
        clean[i] = s[i] >= ' ' && s[i] <= '~' ? s[i] : '?';
    cairn_put_var(b, clean, (uint32_t)n);
}

/* Reads var text of at most max printable bytes into out (max + 1). */
static int get_text(cairn_reader *r, char *out, uint32_t max)
{
    const uint8_t *t;
    uint32_t len;
    out[0] = '\0';
    cairn_get_var(r, &t, &len, max);
    if (r->err)
        return -1;
    for (uint32_t i = 0; i < len; i++)
        if (t[i] < ' ' || t[i] > '~')
            return -1;
    memcpy(out, t, len);
    out[len] = '\0';
    return 0;
}

void cairn_cp_manifest_encode(cairn_buf *b, const cairn_cp_manifest *m)
{
    cairn_put_u64(b, m->lease);
    cairn_put_var(b, m->bytes, m->len);
    cairn_put_u8(b, m->nkeys);
    cairn_put_bytes(b, m->keys, (size_t)m->nkeys * CAIRN_CP_KEY_ENTRY);
}

/* The keys' ids are in strictly ascending order. */
static int keys_ordered(const uint8_t *k, uint8_t n)
{
    for (uint8_t i = 1; i < n; i++)
        if (memcmp(k + (size_t)(i - 1) * CAIRN_CP_KEY_ENTRY,
                   k + (size_t)i * CAIRN_CP_KEY_ENTRY,
                   CAIRN_CP_FILE_ID_LEN) >= 0)
            return 0;
    return 1;
}

cairn_err cairn_cp_manifest_decode(cairn_cp_manifest *m, const uint8_t *p,
                                   size_t n)
{
    cairn_reader r;
    cairn_reader_init(&r, p, n);
    m->lease = cairn_get_u64(&r);
    cairn_get_var(&r, &m->bytes, &m->len, CAIRN_CP_MANIFEST_MAX);
    m->nkeys = cairn_get_u8(&r);
    size_t klen = (size_t)m->nkeys * CAIRN_CP_KEY_ENTRY;
    m->keys = !r.err && r.len - r.pos >= klen ? r.p + r.pos : NULL;
    if (m->keys)
        r.pos += klen;
    if (cairn_reader_done(&r) || m->len == 0 || !m->keys ||
        m->nkeys > CAIRN_CP_KEYS_MAX || !keys_ordered(m->keys, m->nkeys)) {
        m->bytes = m->keys = NULL;
        m->len = 0;
        m->nkeys = 0;
        return CAIRN_ERR_BAD_MSG;
    }
    return CAIRN_OK;
}

void cairn_cp_status_encode(cairn_buf *b, uint64_t lease)
{
    cairn_put_u64(b, lease);
}

cairn_err cairn_cp_status_decode(uint64_t *lease, const uint8_t *p, size_t n)
{
    cairn_reader r;
    cairn_reader_init(&r, p, n);
    *lease = cairn_get_u64(&r);
    return cairn_reader_done(&r) ? CAIRN_ERR_BAD_MSG : CAIRN_OK;
}

void cairn_cp_logs_encode(cairn_buf *b, const cairn_cp_logs_req *m)
{
    cairn_put_u64(b, m->lease);
    cairn_put_u64(b, m->offset);
    cairn_put_u32(b, m->max);
}

cairn_err cairn_cp_logs_decode(cairn_cp_logs_req *m, const uint8_t *p, size_t n)
{
    cairn_reader r;
    cairn_reader_init(&r, p, n);
    m->lease = cairn_get_u64(&r);
    m->offset = cairn_get_u64(&r);
    m->max = cairn_get_u32(&r);
    if (cairn_reader_done(&r) || m->max == 0 || m->max > CAIRN_CP_CHUNK_MAX)
        return CAIRN_ERR_BAD_MSG;
    return CAIRN_OK;
}

void cairn_cp_fetch_encode(cairn_buf *b, const cairn_cp_fetch_req *m)
{
    size_t n = strnlen(m->path, CAIRN_CP_PATH_MAX);
    cairn_put_u64(b, m->lease);
    cairn_put_var(b, m->path, (uint32_t)n);
    cairn_put_u64(b, m->offset);
}

cairn_err cairn_cp_fetch_decode(cairn_cp_fetch_req *m, const uint8_t *p,
                                size_t n)
{
    cairn_reader r;
    const uint8_t *path;
    uint32_t len;
    cairn_reader_init(&r, p, n);
    m->path[0] = '\0';
    m->lease = cairn_get_u64(&r);
    cairn_get_var(&r, &path, &len, CAIRN_CP_PATH_MAX);
    m->offset = cairn_get_u64(&r);
    if (cairn_reader_done(&r) || !cairn_cp_path_ok((const char *)path, len))
        return CAIRN_ERR_BAD_MSG;
    memcpy(m->path, path, len);
    m->path[len] = '\0';
    return CAIRN_OK;
}

void cairn_cp_accepted_encode(cairn_buf *b, const cairn_cp_accepted *m)
{
    cairn_put_u64(b, m->lease);
    cairn_put_u8(b, m->state);
}

cairn_err cairn_cp_accepted_decode(cairn_cp_accepted *m, const uint8_t *p,
                                   size_t n)
{
    cairn_reader r;
    cairn_reader_init(&r, p, n);
    m->lease = cairn_get_u64(&r);
    m->state = cairn_get_u8(&r);
    if (cairn_reader_done(&r) || m->state > CAIRN_WORK_FAILED)
        return CAIRN_ERR_BAD_MSG;
    return CAIRN_OK;
}

void cairn_cp_state_encode(cairn_buf *b, const cairn_cp_state *m)
{
    cairn_put_u64(b, m->lease);
    cairn_put_u8(b, m->state);
    cairn_put_u8(b, m->flags);
    cairn_put_u32(b, m->exit_code);
    cairn_put_u64(b, m->started);
    cairn_put_u64(b, m->ended);
    cairn_put_u64(b, m->disk_used);
    cairn_put_u64(b, m->log_size);
    put_text(b, m->note, CAIRN_CP_NOTE_MAX);
    put_text(b, m->endpoint, CAIRN_ENDPOINT_TEXT_MAX);
    if (m->endpoint[0])
        cairn_put_bytes(b, m->token, CAIRN_CP_TOKEN_LEN);
}

cairn_err cairn_cp_state_decode(cairn_cp_state *m, const uint8_t *p, size_t n)
{
    cairn_reader r;
    char host[CAIRN_HOST_MAX + 1];
    int port;
    memset(m, 0, sizeof *m);
    cairn_reader_init(&r, p, n);
    m->lease = cairn_get_u64(&r);
    m->state = cairn_get_u8(&r);
    m->flags = cairn_get_u8(&r);
    m->exit_code = cairn_get_u32(&r);
    m->started = cairn_get_u64(&r);
    m->ended = cairn_get_u64(&r);
    m->disk_used = cairn_get_u64(&r);
    m->log_size = cairn_get_u64(&r);
    if (get_text(&r, m->note, CAIRN_CP_NOTE_MAX) ||
        get_text(&r, m->endpoint, CAIRN_ENDPOINT_TEXT_MAX))
        return CAIRN_ERR_BAD_MSG;
    if (m->endpoint[0]) {
        if (cairn_endpoint_parse(m->endpoint, host, &port))
            return CAIRN_ERR_BAD_MSG;
        cairn_get_bytes(&r, m->token, CAIRN_CP_TOKEN_LEN);
    }
    if (cairn_reader_done(&r) || m->state > CAIRN_WORK_FAILED ||
        (m->flags & ~CAIRN_CP_FLAGS_ALL))
        return CAIRN_ERR_BAD_MSG;
    return CAIRN_OK;
}

void cairn_cp_log_encode(cairn_buf *b, const cairn_cp_log *m)
{
    cairn_put_u64(b, m->next);
    cairn_put_u64(b, m->size);
    cairn_put_u8(b, m->ended);
    cairn_put_var(b, m->bytes, m->len);
}

cairn_err cairn_cp_log_decode(cairn_cp_log *m, const uint8_t *p, size_t n)
{
    cairn_reader r;
    cairn_reader_init(&r, p, n);
    m->next = cairn_get_u64(&r);
    m->size = cairn_get_u64(&r);
    m->ended = cairn_get_u8(&r);
    cairn_get_var(&r, &m->bytes, &m->len, CAIRN_CP_CHUNK_MAX);
    if (cairn_reader_done(&r) || m->ended > 1) {
        m->bytes = NULL;
        m->len = 0;
        return CAIRN_ERR_BAD_MSG;
    }
    return CAIRN_OK;
}

void cairn_cp_chunk_encode(cairn_buf *b, const cairn_cp_chunk *m)
{
    cairn_put_u64(b, m->total);
    cairn_put_var(b, m->bytes, m->len);
}

cairn_err cairn_cp_chunk_decode(cairn_cp_chunk *m, const uint8_t *p, size_t n)
{
    cairn_reader r;
    cairn_reader_init(&r, p, n);
    m->total = cairn_get_u64(&r);
    cairn_get_var(&r, &m->bytes, &m->len, CAIRN_CP_CHUNK_MAX);
    if (cairn_reader_done(&r)) {
        m->bytes = NULL;
        m->len = 0;
        return CAIRN_ERR_BAD_MSG;
    }
    return CAIRN_OK;
}

void cairn_cp_error_encode(cairn_buf *b, cairn_err code, const char *msg)
{
    cairn_put_u32(b, (uint32_t)code);
    put_text(b, msg, CAIRN_CP_ERRMSG_MAX);
}

cairn_err cairn_cp_error_decode(cairn_cp_error *m, const uint8_t *p, size_t n)
{
    cairn_reader r;
    cairn_reader_init(&r, p, n);
    m->code = cairn_get_u32(&r);
    if (get_text(&r, m->msg, CAIRN_CP_ERRMSG_MAX) || cairn_reader_done(&r)) {
        m->msg[0] = '\0';
        return CAIRN_ERR_BAD_MSG;
    }
    return CAIRN_OK;
}

cairn_err cairn_cp_error_code(const cairn_cp_error *m)
{
    if (m->code == 0 || m->code >= (uint32_t)CAIRN__ERR_COUNT)
        return CAIRN_ERR_BAD_MSG;
    return (cairn_err)m->code;
}

void cairn_cp_token_line(char line[CAIRN_CP_TOKEN_LINE],
                         const uint8_t token[CAIRN_CP_TOKEN_LEN])
{
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < CAIRN_CP_TOKEN_LEN; i++) {
        line[2 * i] = hex[token[i] >> 4];
        line[2 * i + 1] = hex[token[i] & 15];
    }
    line[2 * CAIRN_CP_TOKEN_LEN] = '\n';
}

static int nibble(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

cairn_err cairn_cp_token_parse(uint8_t token[CAIRN_CP_TOKEN_LEN],
                               const char *line, size_t n)
{
    if (n != CAIRN_CP_TOKEN_LINE || line[n - 1] != '\n')
        return CAIRN_ERR_BAD_MSG;
    for (int i = 0; i < CAIRN_CP_TOKEN_LEN; i++) {
        int hi = nibble(line[2 * i]), lo = nibble(line[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return CAIRN_ERR_BAD_MSG;
        token[i] = (uint8_t)(hi << 4 | lo);
    }
    return CAIRN_OK;
}
