/* Packet receipts, routes and the data-credit bodies
 * (include/cairn/wireless_data.h, docs/wireless-data.md). */
#include "cairn/wireless_data.h"

#include <sodium.h>
#include <string.h>

#include "compute/verify/chain_id.h"
#include "core/bytes.h"

#define PACKET_DOMAIN "cairn/packet/v1"
/* the signed fields: 108 bytes */
#define RECEIPT_FIELDS_LEN (CAIRN_PACKET_RECEIPT_LEN - CAIRN_SIG_LEN)

uint32_t cairn_packet_dc(size_t len)
{
    size_t dc = (len + CAIRN_DC_BYTES - 1) / CAIRN_DC_BYTES;
    return dc ? (uint32_t)(dc > UINT32_MAX ? UINT32_MAX : dc) : 1;
}

void cairn_packet_hash(cairn_hash *out, const void *phy, size_t len)
{
    crypto_generichash(out->b, sizeof out->b, phy, len, NULL, 0);
}

uint32_t cairn_route_mask(uint8_t bits)
{
    if (bits == 0)
        return 0;
    if (bits >= 32)
        return UINT32_MAX;
    return ~(UINT32_MAX >> bits);
}

int cairn_route_contains(uint32_t base, uint8_t bits, uint32_t devaddr)
{
    uint32_t m = cairn_route_mask(bits);
    return (devaddr & m) == (base & m);
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

cairn_err cairn_route_parse(const char *s, uint32_t *base, uint8_t *bits)
{
    uint32_t b = 0;
    unsigned k = 0;
    size_t i;
    for (i = 0; i < 8; i++) {
        int v = hexval(s[i]);
        if (v < 0)
            return CAIRN_ERR_BAD_ARG;
        b = b << 4 | (uint32_t)v;
    }
    if (s[i++] != '/')
        return CAIRN_ERR_BAD_ARG;
    size_t start = i;
    for (; s[i] >= '0' && s[i] <= '9' && i - start < 2; i++)
        k = k * 10 + (unsigned)(s[i] - '0');
    if (i == start || s[i] != '\0' || (s[start] == '0' && i - start > 1) ||
        k < CAIRN_ROUTE_BITS_MIN || k > CAIRN_ROUTE_BITS_MAX ||
        (b & ~cairn_route_mask((uint8_t)k)) != 0)
        return CAIRN_ERR_BAD_ARG;
    *base = b;
    *bits = (uint8_t)k;
    return CAIRN_OK;
}

/* ---- receipts ---- */

static void receipt_fields(uint8_t *p, const cairn_packet_receipt *r)
{
    memcpy(p, r->router.b, 32);
    memcpy(p + 32, r->hotspot.b, 32);
    memcpy(p + 64, r->packet_hash.b, 32);
    cairn_le32_put(p + 96, r->dc);
    cairn_le64_put(p + 100, r->epoch);
}

void cairn_packet_receipt_encode(const cairn_packet_receipt *r,
                                 uint8_t out[CAIRN_PACKET_RECEIPT_LEN])
{
    receipt_fields(out, r);
    memcpy(out + RECEIPT_FIELDS_LEN, r->sig.b, CAIRN_SIG_LEN);
}

cairn_err cairn_packet_receipt_decode(cairn_packet_receipt *r, const uint8_t *p,
                                      size_t n)
{
    memset(r, 0, sizeof *r);
    if (n < CAIRN_PACKET_RECEIPT_LEN)
        return CAIRN_ERR_TRUNCATED;
    if (n > CAIRN_PACKET_RECEIPT_LEN)
        return CAIRN_ERR_TRAILING;
    memcpy(r->router.b, p, 32);
    memcpy(r->hotspot.b, p + 32, 32);
    memcpy(r->packet_hash.b, p + 64, 32);
    r->dc = cairn_le32_get(p + 96);
    r->epoch = cairn_le64_get(p + 100);
    memcpy(r->sig.b, p + RECEIPT_FIELDS_LEN, CAIRN_SIG_LEN);
    if (r->dc < 1 || r->dc > CAIRN_DC_MAX)
        return CAIRN_ERR_BAD_MSG;
    return CAIRN_OK;
}

#define RECEIPT_MSG_MAX                                                        \
    (sizeof PACKET_DOMAIN + CAIRN_CHAIN_ID_MAX + RECEIPT_FIELDS_LEN)

/* The signed message into m; its length into *n. BAD_ARG on an invalid
 * chain id. */
static cairn_err receipt_msg(uint8_t m[RECEIPT_MSG_MAX], size_t *n,
                             const cairn_packet_receipt *r,
                             const char *chain_id)
{
    size_t len = strnlen(chain_id, CAIRN_CHAIN_ID_MAX + 1);
    if (!cv_chain_id_ok(chain_id, len))
        return CAIRN_ERR_BAD_ARG;
    size_t o = sizeof PACKET_DOMAIN - 1;
    memcpy(m, PACKET_DOMAIN, o);
    m[o++] = (uint8_t)len;
    memcpy(m + o, chain_id, len);
    o += len;
    receipt_fields(m + o, r);
    *n = o + RECEIPT_FIELDS_LEN;
    return CAIRN_OK;
}

cairn_err cairn_packet_receipt_sign(cairn_packet_receipt *r,
                                    const char *chain_id,
                                    const cairn_keypair *kp)
{
    uint8_t m[RECEIPT_MSG_MAX];
    size_t n;
    r->router = kp->pk;
    cairn_err e = receipt_msg(m, &n, r, chain_id);
    if (!e)
        cairn_sign(&r->sig, m, n, kp);
    return e;
}

cairn_err cairn_packet_receipt_verify(const cairn_packet_receipt *r,
                                      const char *chain_id)
{
    uint8_t m[RECEIPT_MSG_MAX];
    size_t n;
    if (receipt_msg(m, &n, r, chain_id))
        return CAIRN_ERR_CHAIN_ID;
    return cairn_verify(&r->sig, m, n, &r->router);
}

/* ---- bodies ---- */

void cairn_route_set_encode(cairn_buf *b, const cairn_route_set *r)
{
    size_t len = strnlen(r->endpoint, CAIRN_ENDPOINT_MAX);
    cairn_put_u32(b, r->devaddr_base);
    cairn_put_u8(b, r->bits);
    cairn_put_u64(b, r->join_eui);
    cairn_put_u8(b, (uint8_t)len);
    cairn_put_bytes(b, r->endpoint, len);
}

static int range_ok(uint32_t base, uint8_t bits)
{
    return bits >= CAIRN_ROUTE_BITS_MIN && bits <= CAIRN_ROUTE_BITS_MAX &&
           (base & ~cairn_route_mask(bits)) == 0;
}

cairn_err cairn_route_set_decode(cairn_route_set *r, const uint8_t *p, size_t n)
{
    cairn_reader rd;
    memset(r, 0, sizeof *r);
    cairn_reader_init(&rd, p, n);
    r->devaddr_base = cairn_get_u32(&rd);
    r->bits = cairn_get_u8(&rd);
    r->join_eui = cairn_get_u64(&rd);
    uint8_t len = cairn_get_u8(&rd);
    if (rd.err || len < 1 || len > CAIRN_ENDPOINT_MAX)
        return CAIRN_ERR_BAD_BODY;
    cairn_get_bytes(&rd, r->endpoint, len);
    if (cairn_reader_done(&rd) || memchr(r->endpoint, 0, len) ||
        !range_ok(r->devaddr_base, r->bits))
        return CAIRN_ERR_BAD_BODY;
    return CAIRN_OK;
}

void cairn_route_close_encode(cairn_buf *b, uint32_t base, uint8_t bits)
{
    cairn_put_u32(b, base);
    cairn_put_u8(b, bits);
}

cairn_err cairn_route_close_decode(uint32_t *base, uint8_t *bits,
                                   const uint8_t *p, size_t n)
{
    cairn_reader rd;
    cairn_reader_init(&rd, p, n);
    *base = cairn_get_u32(&rd);
    *bits = cairn_get_u8(&rd);
    if (cairn_reader_done(&rd) || !range_ok(*base, *bits))
        return CAIRN_ERR_BAD_BODY;
    return CAIRN_OK;
}

void cairn_packet_claim_encode(cairn_buf *b, const cairn_packet_claim *c)
{
    uint8_t rb[CAIRN_PACKET_RECEIPT_LEN];
    cairn_put_u8(b, c->n);
    for (size_t i = 0; i < c->n && i < CAIRN_PACKET_CLAIM_MAX; i++) {
        cairn_packet_receipt_encode(&c->r[i], rb);
        cairn_put_bytes(b, rb, sizeof rb);
    }
}

cairn_err cairn_packet_claim_decode(cairn_packet_claim *c, const uint8_t *p,
                                    size_t n)
{
    c->n = 0;
    if (n < 1 || p[0] < 1 || p[0] > CAIRN_PACKET_CLAIM_MAX ||
        n != 1 + (size_t)p[0] * CAIRN_PACKET_RECEIPT_LEN)
        return CAIRN_ERR_BAD_BODY;
    for (size_t i = 0; i < p[0]; i++)
        if (cairn_packet_receipt_decode(&c->r[i],
                                        p + 1 + i * CAIRN_PACKET_RECEIPT_LEN,
                                        CAIRN_PACKET_RECEIPT_LEN))
            return CAIRN_ERR_BAD_BODY;
    c->n = p[0];
    return CAIRN_OK;
}
