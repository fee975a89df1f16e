/* Device frames: codec and MIC (see frame.h, docs/wireless-data.md). */
#include "wireless/frame.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static cairn_err fail(cairn_err e, char *why, size_t whylen, const char *fmt,
                      ...) __attribute__((format(printf, 4, 5)));
static cairn_err fail(cairn_err e, char *why, size_t whylen, const char *fmt,
                      ...)
{
    if (why && whylen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(why, whylen, fmt, ap);
        va_end(ap);
    }
    return e;
}

static void put16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}
static void put24(uint8_t *p, uint32_t v)
{
    put16(p, v);
    p[2] = (uint8_t)(v >> 16);
}
static void put32(uint8_t *p, uint32_t v)
{
    put24(p, v);
    p[3] = (uint8_t)(v >> 24);
}
static void put64(uint8_t *p, uint64_t v)
{
    put32(p, (uint32_t)v);
    put32(p + 4, (uint32_t)(v >> 32));
}
static uint32_t get16(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}
static uint32_t get24(const uint8_t *p)
{
    return get16(p) | (uint32_t)p[2] << 16;
}
static uint32_t get32(const uint8_t *p)
{
    return get24(p) | (uint32_t)p[3] << 24;
}
static uint64_t get64(const uint8_t *p)
{
    return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

void lora_mic(uint8_t out[LORA_MIC_LEN], const uint8_t key[LORA_KEY_LEN],
              const uint8_t *msg, size_t n)
{
    uint8_t h[16];
    crypto_generichash(h, sizeof h, msg, n, key, LORA_KEY_LEN);
    memcpy(out, h, LORA_MIC_LEN);
    sodium_memzero(h, sizeof h);
}

cairn_err lora_check_mic(const uint8_t *frame, size_t n,
                         const uint8_t key[LORA_KEY_LEN])
{
    if (n <= LORA_MIC_LEN)
        return CAIRN_ERR_TRUNCATED;
    uint8_t m[LORA_MIC_LEN];
    lora_mic(m, key, frame, n - LORA_MIC_LEN);
    return sodium_memcmp(m, frame + n - LORA_MIC_LEN, LORA_MIC_LEN) == 0
               ? CAIRN_OK
               : CAIRN_ERR_BAD_MAC;
}

const char *lora_mtype_name(lora_mtype t)
{
    switch (t) {
    case LORA_JOIN_REQUEST:
        return "join request";
    case LORA_JOIN_ACCEPT:
        return "join accept";
    case LORA_UP_UNCONFIRMED:
        return "unconfirmed uplink";
    case LORA_UP_CONFIRMED:
        return "confirmed uplink";
    }
    return "unknown";
}

cairn_err lora_frame_decode(lora_frame *f, const uint8_t *p, size_t n,
                            char *why, size_t whylen)
{
    memset(f, 0, sizeof *f);
    if (n == 0)
        return fail(CAIRN_ERR_BAD_MSG, why, whylen, "empty frame");
    if (n > LORA_MAX_PHY)
        return fail(CAIRN_ERR_TOO_LARGE, why, whylen,
                    "frame of %zu bytes (at most %d)", n, LORA_MAX_PHY);
    f->type = (lora_mtype)p[0];
    switch (p[0]) {
    case LORA_UP_UNCONFIRMED:
    case LORA_UP_CONFIRMED:
        if (n < LORA_UPLINK_OVERHEAD)
            return fail(CAIRN_ERR_TRUNCATED, why, whylen,
                        "uplink of %zu bytes (at least %d)", n,
                        LORA_UPLINK_OVERHEAD);
        f->u.up.mhdr = p[0];
        f->u.up.dev_addr = get32(p + 1);
        f->u.up.fctrl = p[5];
        f->u.up.fcnt = (uint16_t)get16(p + 6);
        f->u.up.fport = p[8];
        f->u.up.len = n - LORA_UPLINK_OVERHEAD;
        memcpy(f->u.up.payload, p + 9, f->u.up.len);
        break;
    case LORA_JOIN_REQUEST:
        if (n < LORA_JOIN_REQ_LEN)
            return fail(CAIRN_ERR_TRUNCATED, why, whylen,
                        "join request of %zu bytes (exactly %d)", n,
                        LORA_JOIN_REQ_LEN);
        if (n > LORA_JOIN_REQ_LEN)
            return fail(CAIRN_ERR_TRAILING, why, whylen,
                        "join request of %zu bytes (exactly %d)", n,
                        LORA_JOIN_REQ_LEN);
        f->u.jreq.join_eui = get64(p + 1);
        f->u.jreq.dev_eui = get64(p + 9);
        f->u.jreq.dev_nonce = (uint16_t)get16(p + 17);
        break;
    case LORA_JOIN_ACCEPT:
        if (n < LORA_JOIN_ACC_LEN)
            return fail(CAIRN_ERR_TRUNCATED, why, whylen,
                        "join accept of %zu bytes (exactly %d)", n,
                        LORA_JOIN_ACC_LEN);
        if (n > LORA_JOIN_ACC_LEN)
            return fail(CAIRN_ERR_TRAILING, why, whylen,
                        "join accept of %zu bytes (exactly %d)", n,
                        LORA_JOIN_ACC_LEN);
        f->u.jacc.join_nonce = get24(p + 1);
        f->u.jacc.net_id = get24(p + 4);
        f->u.jacc.dev_addr = get32(p + 7);
        break;
    default:
        memset(f, 0, sizeof *f);
        return fail(CAIRN_ERR_BAD_MSG, why, whylen,
                    "unknown MHDR 0x%02x (0x00 join request, 0x20 join accept, "
                    "0x40/0x80 uplink)",
                    p[0]);
    }
    memcpy(f->mic, p + n - LORA_MIC_LEN, LORA_MIC_LEN);
    return CAIRN_OK;
}

/* Appends the MIC of out[0..body) and sets *n. */
static void seal(uint8_t *out, size_t body, const uint8_t key[LORA_KEY_LEN],
                 size_t *n)
{
    lora_mic(out + body, key, out, body);
    *n = body + LORA_MIC_LEN;
}

cairn_err lora_uplink_encode(const lora_uplink *u,
                             const uint8_t nwk_skey[LORA_KEY_LEN], uint8_t *out,
                             size_t cap, size_t *n)
{
    if (u->mhdr != LORA_UP_UNCONFIRMED && u->mhdr != LORA_UP_CONFIRMED)
        return CAIRN_ERR_BAD_ARG;
    if (u->len > LORA_MAX_FRM || cap < LORA_UPLINK_OVERHEAD + u->len)
        return CAIRN_ERR_TOO_LARGE;
    out[0] = u->mhdr;
    put32(out + 1, u->dev_addr);
    out[5] = u->fctrl;
    put16(out + 6, u->fcnt);
    out[8] = u->fport;
    if (u->len)
        memcpy(out + 9, u->payload, u->len);
    seal(out, 9 + u->len, nwk_skey, n);
    return CAIRN_OK;
}

cairn_err lora_join_req_encode(const lora_join_req *j,
                               const uint8_t app_key[LORA_KEY_LEN],
                               uint8_t *out, size_t cap, size_t *n)
{
    if (cap < LORA_JOIN_REQ_LEN)
        return CAIRN_ERR_TOO_LARGE;
    out[0] = LORA_JOIN_REQUEST;
    put64(out + 1, j->join_eui);
    put64(out + 9, j->dev_eui);
    put16(out + 17, j->dev_nonce);
    seal(out, 19, app_key, n);
    return CAIRN_OK;
}

cairn_err lora_join_acc_encode(const lora_join_acc *j,
                               const uint8_t app_key[LORA_KEY_LEN],
                               uint8_t *out, size_t cap, size_t *n)
{
    if (j->join_nonce > 0xFFFFFFu || j->net_id > 0xFFFFFFu)
        return CAIRN_ERR_BAD_ARG;
    if (cap < LORA_JOIN_ACC_LEN)
        return CAIRN_ERR_TOO_LARGE;
    out[0] = LORA_JOIN_ACCEPT;
    put24(out + 1, j->join_nonce);
    put24(out + 4, j->net_id);
    put32(out + 7, j->dev_addr);
    seal(out, 11, app_key, n);
    return CAIRN_OK;
}

static void derive(uint8_t out[LORA_KEY_LEN], uint8_t kind,
                   const uint8_t app_key[LORA_KEY_LEN], uint32_t join_nonce,
                   uint32_t net_id, uint16_t dev_nonce)
{
    uint8_t m[9];
    m[0] = kind;
    put24(m + 1, join_nonce & 0xFFFFFFu);
    put24(m + 4, net_id & 0xFFFFFFu);
    put16(m + 7, dev_nonce);
    crypto_generichash(out, LORA_KEY_LEN, m, sizeof m, app_key, LORA_KEY_LEN);
}

void lora_derive_nwk_skey(uint8_t out[LORA_KEY_LEN],
                          const uint8_t app_key[LORA_KEY_LEN],
                          uint32_t join_nonce, uint32_t net_id,
                          uint16_t dev_nonce)
{
    derive(out, 0x01, app_key, join_nonce, net_id, dev_nonce);
}

void lora_derive_app_skey(uint8_t out[LORA_KEY_LEN],
                          const uint8_t app_key[LORA_KEY_LEN],
                          uint32_t join_nonce, uint32_t net_id,
                          uint16_t dev_nonce)
{
    derive(out, 0x02, app_key, join_nonce, net_id, dev_nonce);
}
