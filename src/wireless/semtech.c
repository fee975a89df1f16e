/* Semtech UDP packet-forwarder protocol v2: the binary framing (version,
 * token, identifier, gateway EUI) and the checks shared by the JSON halves
 * (semtech_dec.c, semtech_enc.c). See include/cairn/semtech.h. */
#include <stdio.h>
#include <string.h>

#include "semtech_int.h"

const char *const sm_txerr_names[SM_TXERR_COUNT] = {
    "NONE",
    "TOO_LATE",
    "TOO_EARLY",
    "COLLISION_PACKET",
    "COLLISION_BEACON",
    "TX_FREQ",
    "TX_POWER",
    "GPS_UNLOCKED",
};

cairn_err sm_fail(char *why, size_t len, cairn_err e, const char *fmt, ...)
{
    if (why && len) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(why, len, fmt, ap);
        va_end(ap);
    }
    return e;
}

const char *cairn_sm_type_name(cairn_sm_type t)
{
    static const char *const names[] = {"PUSH_DATA", "PUSH_ACK", "PULL_DATA",
                                        "PULL_RESP", "PULL_ACK", "TX_ACK"};
    return (unsigned)t < 6 ? names[t] : "?";
}

const char *cairn_sm_txerr_name(cairn_sm_txerr e)
{
    return (unsigned)e < SM_TXERR_COUNT ? sm_txerr_names[e] : "?";
}

int sm_rate_ok(const cairn_sm_rate *r)
{
    if (r->modu == CAIRN_SM_LORA)
        return r->sf >= 5 && r->sf <= 12 &&
               (r->bw_khz == 125 || r->bw_khz == 250 || r->bw_khz == 500) &&
               r->codr >= 5 && r->codr <= 8 && r->bps == 0;
    if (r->modu == CAIRN_SM_FSK)
        return r->bps >= 500 && r->bps <= 300000 && r->sf == 0 &&
               r->bw_khz == 0 && r->codr == 0;
    return 0;
}

int sm_time_ok(const char *s, size_t n)
{
    if (n > CAIRN_SM_TIME_MAX)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] < 0x20 || s[i] > 0x7e || s[i] == '"' || s[i] == '\\')
            return 0;
    return 1;
}

static int has_eui(cairn_sm_type t)
{
    return t == CAIRN_SM_PUSH_DATA || t == CAIRN_SM_PULL_DATA ||
           t == CAIRN_SM_TX_ACK;
}

cairn_err cairn_sm_decode(cairn_sm_msg *m, const uint8_t *p, size_t n,
                          char *why, size_t why_len)
{
    if (!m || (!p && n))
        return sm_fail(why, why_len, CAIRN_ERR_BAD_ARG, "no message or input");
    memset(m, 0, sizeof *m);
    if (n > CAIRN_SM_MAX_DATAGRAM)
        return sm_fail(why, why_len, CAIRN_ERR_TOO_LARGE,
                       "datagram of %zu bytes, at most %d", n,
                       CAIRN_SM_MAX_DATAGRAM);
    if (n < CAIRN_SM_HDR_LEN)
        return sm_fail(why, why_len, CAIRN_ERR_TRUNCATED,
                       "datagram of %zu bytes, shorter than the 4-byte header",
                       n);
    if (p[0] != CAIRN_SM_VERSION)
        return sm_fail(why, why_len, CAIRN_ERR_BAD_VERSION,
                       "protocol version %u, only 2 is spoken", p[0]);
    if (p[3] > CAIRN_SM_TX_ACK)
        return sm_fail(why, why_len, CAIRN_ERR_BAD_MSG,
                       "unknown identifier 0x%02x", p[3]);
    m->token = (uint16_t)(p[1] << 8 | p[2]);
    m->type = (cairn_sm_type)p[3];
    size_t off = CAIRN_SM_HDR_LEN;
    if (has_eui(m->type)) {
        if (n < off + CAIRN_SM_EUI_LEN)
            return sm_fail(why, why_len, CAIRN_ERR_TRUNCATED,
                           "%s of %zu bytes ends before its gateway EUI",
                           cairn_sm_type_name(m->type), n);
        memcpy(m->eui, p + off, CAIRN_SM_EUI_LEN);
        off += CAIRN_SM_EUI_LEN;
    }
    switch (m->type) {
    case CAIRN_SM_PUSH_DATA:
        return sm_dec_push(m, p + off, n - off, why, why_len);
    case CAIRN_SM_PULL_RESP:
        return sm_dec_resp(m, p + off, n - off, why, why_len);
    case CAIRN_SM_TX_ACK:
        return sm_dec_txack(m, p + off, n - off, why, why_len);
    default:
        if (n != off)
            return sm_fail(why, why_len, CAIRN_ERR_TRAILING,
                           "%s with %zu bytes after its fixed %zu",
                           cairn_sm_type_name(m->type), n - off, off);
        return CAIRN_OK;
    }
}

static cairn_err encode_body(sm_w *w, const cairn_sm_msg *m, char *why,
                             size_t len)
{
    switch (m->type) {
    case CAIRN_SM_PUSH_DATA:
        return sm_enc_push(w, m, why, len);
    case CAIRN_SM_PULL_RESP: {
        sm_put(w, "{\"txpk\":");
        cairn_err e = sm_enc_txpk(w, &m->txpk, why, len);
        sm_put(w, "}");
        return e;
    }
    case CAIRN_SM_TX_ACK:
        if ((unsigned)m->txerr >= SM_TXERR_COUNT)
            return sm_fail(why, len, CAIRN_ERR_BAD_MSG,
                           "TX_ACK error %d out of range", (int)m->txerr);
        if (m->has_txack_json)
            sm_put(w, "{\"txpk_ack\":{\"error\":\"%s\"}}",
                   sm_txerr_names[m->txerr]);
        else if (m->txerr != CAIRN_SM_TXE_NONE)
            return sm_fail(why, len, CAIRN_ERR_BAD_MSG,
                           "a TX_ACK error needs the JSON part");
        return CAIRN_OK;
    default:
        return CAIRN_OK;
    }
}

cairn_err cairn_sm_encode(const cairn_sm_msg *m, uint8_t *out, size_t cap,
                          size_t *n, char *why, size_t why_len)
{
    if (!m || !out || !n)
        return sm_fail(why, why_len, CAIRN_ERR_BAD_ARG, "no message or output");
    if ((unsigned)m->type > CAIRN_SM_TX_ACK)
        return sm_fail(why, why_len, CAIRN_ERR_BAD_MSG, "unknown identifier %d",
                       (int)m->type);
    sm_w w = {out, cap < CAIRN_SM_MAX_DATAGRAM ? cap : CAIRN_SM_MAX_DATAGRAM, 0,
              0};
    uint8_t hdr[CAIRN_SM_HDR_LEN] = {CAIRN_SM_VERSION, (uint8_t)(m->token >> 8),
                                     (uint8_t)m->token, (uint8_t)m->type};
    sm_put_bytes(&w, hdr, sizeof hdr);
    if (has_eui(m->type))
        sm_put_bytes(&w, m->eui, CAIRN_SM_EUI_LEN);
    cairn_err e = encode_body(&w, m, why, why_len);
    if (e)
        return e;
    if (w.over)
        return sm_fail(why, why_len, CAIRN_ERR_TOO_LARGE,
                       "%s does not fit %zu bytes", cairn_sm_type_name(m->type),
                       w.cap);
    *n = w.len;
    return CAIRN_OK;
}

cairn_err cairn_sm_ack(const cairn_sm_msg *in, uint8_t out[CAIRN_SM_HDR_LEN])
{
    if (!in || !out ||
        (in->type != CAIRN_SM_PUSH_DATA && in->type != CAIRN_SM_PULL_DATA))
        return CAIRN_ERR_BAD_ARG;
    out[0] = CAIRN_SM_VERSION;
    out[1] = (uint8_t)(in->token >> 8);
    out[2] = (uint8_t)in->token;
    out[3] =
        in->type == CAIRN_SM_PUSH_DATA ? CAIRN_SM_PUSH_ACK : CAIRN_SM_PULL_ACK;
    return CAIRN_OK;
}
