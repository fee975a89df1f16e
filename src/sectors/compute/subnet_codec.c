/* Subnet transaction bodies (SUBNET_CREATE .. WEIGHTS_REVEAL) and the
 * weights commit hash: the decoders answer BAD_BODY, and nothing else, for
 * any input they refuse; a body that decodes re-encodes to the same
 * bytes. */
#include <string.h>

#include "cairn/subnet.h"

int cairn_subnet_name_ok(const char *name)
{
    size_t n = name ? strnlen(name, CAIRN_SUBNET_NAME_MAX + 1) : 0;
    if (n < 1 || n > CAIRN_SUBNET_NAME_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
            return 0;
    }
    return 1;
}

const char *cairn_subnet_type_name(uint8_t type)
{
    switch (type) {
    case CAIRN_SUBNET_TRANSCODE:
        return "transcode";
    case CAIRN_SUBNET_RENDER:
        return "render";
    case CAIRN_SUBNET_MATMUL:
        return "matmul";
    default:
        return "unknown";
    }
}

const char *cairn_subnet_role_name(uint8_t role)
{
    return role == CAIRN_ROLE_MINER       ? "miner"
           : role == CAIRN_ROLE_VALIDATOR ? "validator"
                                          : "unknown";
}

void cairn_subnet_create_encode(cairn_buf *b, const char *name, uint8_t type)
{
    if (!cairn_subnet_name_ok(name))
        return;
    size_t n = strlen(name);
    cairn_put_u8(b, (uint8_t)n);
    cairn_put_bytes(b, name, n);
    cairn_put_u8(b, type);
}

cairn_err cairn_subnet_create_decode(char name[CAIRN_SUBNET_NAME_MAX + 1],
                                     uint8_t *type, const uint8_t *p, size_t n)
{
    cairn_reader r;
    cairn_reader_init(&r, p, n);
    uint8_t len = cairn_get_u8(&r);
    memset(name, 0, CAIRN_SUBNET_NAME_MAX + 1);
    if (len < 1 || len > CAIRN_SUBNET_NAME_MAX)
        return CAIRN_ERR_BAD_BODY;
    cairn_get_bytes(&r, name, len);
    *type = cairn_get_u8(&r);
    if (cairn_reader_done(&r) || !cairn_subnet_name_ok(name) ||
        strlen(name) != len || *type < CAIRN_SUBNET_TRANSCODE ||
        *type > CAIRN_SUBNET_MATMUL)
        return CAIRN_ERR_BAD_BODY;
    return CAIRN_OK;
}

void cairn_subnet_join_encode(cairn_buf *b, uint32_t subnet, uint8_t role,
                              uint64_t amount)
{
    cairn_put_u32(b, subnet);
    cairn_put_u8(b, role);
    cairn_put_u64(b, amount);
}

cairn_err cairn_subnet_join_decode(uint32_t *subnet, uint8_t *role,
                                   uint64_t *amount, const uint8_t *p, size_t n)
{
    cairn_reader r;
    cairn_reader_init(&r, p, n);
    *subnet = cairn_get_u32(&r);
    *role = cairn_get_u8(&r);
    *amount = cairn_get_u64(&r);
    if (cairn_reader_done(&r) || *subnet == 0)
        return CAIRN_ERR_BAD_BODY;
    if (*role == CAIRN_ROLE_MINER)
        return *amount == 0 ? CAIRN_OK : CAIRN_ERR_BAD_BODY;
    if (*role == CAIRN_ROLE_VALIDATOR)
        return *amount ? CAIRN_OK : CAIRN_ERR_BAD_BODY;
    return CAIRN_ERR_BAD_BODY;
}

void cairn_subnet_leave_encode(cairn_buf *b, uint32_t subnet)
{
    cairn_put_u32(b, subnet);
}

cairn_err cairn_subnet_leave_decode(uint32_t *subnet, const uint8_t *p,
                                    size_t n)
{
    cairn_reader r;
    cairn_reader_init(&r, p, n);
    *subnet = cairn_get_u32(&r);
    return cairn_reader_done(&r) || *subnet == 0 ? CAIRN_ERR_BAD_BODY
                                                 : CAIRN_OK;
}

void cairn_weights_commit_encode(cairn_buf *b, uint32_t subnet, uint64_t epoch,
                                 const cairn_hash *h)
{
    cairn_put_u32(b, subnet);
    cairn_put_u64(b, epoch);
    cairn_put_bytes(b, h->b, 32);
}

cairn_err cairn_weights_commit_decode(uint32_t *subnet, uint64_t *epoch,
                                      cairn_hash *h, const uint8_t *p, size_t n)
{
    cairn_reader r;
    cairn_reader_init(&r, p, n);
    *subnet = cairn_get_u32(&r);
    *epoch = cairn_get_u64(&r);
    cairn_get_bytes(&r, h->b, 32);
    return cairn_reader_done(&r) || *subnet == 0 ? CAIRN_ERR_BAD_BODY
                                                 : CAIRN_OK;
}

void cairn_weights_encode(cairn_buf *b, const cairn_weights *w)
{
    uint16_t n = w->n > CAIRN_SUBNET_MAX_MINERS ? 0 : w->n;
    cairn_put_u16(b, n);
    for (uint16_t i = 0; i < n; i++) {
        cairn_put_u16(b, w->e[i].uid);
        cairn_put_u16(b, w->e[i].w);
    }
}

/* Reads a weight row: count bounded, uids strictly increasing. */
static int weights_read(cairn_reader *r, cairn_weights *w)
{
    w->n = cairn_get_u16(r);
    if (r->err || w->n > CAIRN_SUBNET_MAX_MINERS)
        return 0;
    for (uint16_t i = 0; i < w->n; i++) {
        w->e[i].uid = cairn_get_u16(r);
        w->e[i].w = cairn_get_u16(r);
        if (w->e[i].uid >= CAIRN_SUBNET_MAX_MINERS ||
            (i && w->e[i].uid <= w->e[i - 1].uid))
            return 0;
    }
    return !r->err;
}

void cairn_weights_reveal_encode(cairn_buf *b, const cairn_weights_reveal *r)
{
    cairn_put_u32(b, r->subnet);
    cairn_put_u64(b, r->epoch);
    cairn_weights_encode(b, &r->w);
    cairn_put_bytes(b, r->salt, CAIRN_WEIGHTS_SALT_LEN);
}

cairn_err cairn_weights_reveal_decode(cairn_weights_reveal *out,
                                      const uint8_t *p, size_t n)
{
    cairn_reader r;
    cairn_reader_init(&r, p, n);
    out->subnet = cairn_get_u32(&r);
    out->epoch = cairn_get_u64(&r);
    if (!weights_read(&r, &out->w))
        return CAIRN_ERR_BAD_BODY;
    cairn_get_bytes(&r, out->salt, CAIRN_WEIGHTS_SALT_LEN);
    return cairn_reader_done(&r) || out->subnet == 0 ? CAIRN_ERR_BAD_BODY
                                                     : CAIRN_OK;
}

/* Feeds v as `n` little-endian bytes. */
static void hash_le(cairn_hasher *h, uint64_t v, int n)
{
    uint8_t b[8];
    for (int i = 0; i < n; i++)
        b[i] = (uint8_t)(v >> (8 * i));
    cairn_hasher_update(h, b, (size_t)n);
}

void cairn_weights_commit_hash(cairn_hash *out, uint32_t subnet, uint64_t epoch,
                               const cairn_pubkey *validator,
                               const cairn_weights *w, const uint8_t salt[32])
{
    static const char dom[] = "cairn-weights-v1";
    uint16_t n = w->n > CAIRN_SUBNET_MAX_MINERS ? 0 : w->n;
    cairn_hasher h;
    cairn_hasher_init(&h);
    cairn_hasher_update(&h, dom, sizeof dom - 1);
    hash_le(&h, subnet, 4);
    hash_le(&h, epoch, 8);
    cairn_hasher_update(&h, validator->b, 32);
    hash_le(&h, n, 2); /* the bytes cairn_weights_encode writes */
    for (uint16_t i = 0; i < n; i++) {
        hash_le(&h, w->e[i].uid, 2);
        hash_le(&h, w->e[i].w, 2);
    }
    cairn_hasher_update(&h, salt, CAIRN_WEIGHTS_SALT_LEN);
    cairn_hasher_final(&h, out);
}
