/* Semtech packet forwarder: writing the JSON part of PUSH_DATA and
 * PULL_RESP as text, with integers only, so that decimals come out exact
 * (868100000 Hz is "868.1") and the decoder reads back the same fields.
 * Keys in a fixed order, no spaces. */
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "semtech_int.h"

void sm_put_bytes(sm_w *w, const void *b, size_t n)
{
    if (w->over || n > w->cap - w->len) {
        w->over = 1;
        return;
    }
    memcpy(w->p + w->len, b, n);
    w->len += n;
}

void sm_put(sm_w *w, const char *fmt, ...)
{
    if (w->over)
        return;
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf((char *)w->p + w->len, w->cap - w->len, fmt, ap);
    va_end(ap);
    /* vsnprintf wants room for its NUL; the NUL itself is not kept */
    if (k < 0 || (size_t)k >= w->cap - w->len)
        w->over = 1;
    else
        w->len += (size_t)k;
}

/* "key":v/10^places, trailing zeros dropped, at least one decimal. */
static void put_dec(sm_w *w, const char *key, int64_t v, int places)
{
    uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v, pow = 1;
    for (int i = 0; i < places; i++)
        pow *= 10;
    uint64_t ip = mag / pow, fp = mag % pow;
    int digits = places;
    while (digits > 1 && fp % 10 == 0) {
        fp /= 10;
        digits--;
    }
    sm_put(w, "\"%s\":%s%" PRIu64 ".%0*" PRIu64, key, v < 0 ? "-" : "", ip,
           digits, fp);
}

static void put_rate(sm_w *w, const cairn_sm_rate *r)
{
    if (r->modu == CAIRN_SM_FSK)
        sm_put(w, ",\"modu\":\"FSK\",\"datr\":%" PRIu32, r->bps);
    else
        sm_put(w, ",\"modu\":\"LORA\",\"datr\":\"SF%uBW%u\",\"codr\":\"4/%u\"",
               r->sf, r->bw_khz, r->codr);
}

static void put_data(sm_w *w, uint16_t size, const uint8_t *data)
{
    char b64[sodium_base64_ENCODED_LEN(CAIRN_SM_MAX_PAYLOAD,
                                       sodium_base64_VARIANT_ORIGINAL)];
    sodium_bin2base64(b64, sizeof b64, data, size,
                      sodium_base64_VARIANT_ORIGINAL);
    sm_put(w, ",\"size\":%u,\"data\":\"%s\"", size, b64);
}

static int freq_ok(uint64_t hz)
{
    return hz >= 1 && hz <= UINT64_C(10000000000);
}

static cairn_err enc_rxpk(sm_w *w, const cairn_sm_rxpk *r, size_t i, char *why,
                          size_t len)
{
    int lora = r->rate.modu == CAIRN_SM_LORA;
    if (!sm_rate_ok(&r->rate) || !freq_ok(r->freq_hz) || r->stat < -1 ||
        r->stat > 1 || r->rssi < -1000 || r->rssi > 1000 ||
        r->has_lsnr != lora || r->lsnr_cdb < -100000 || r->lsnr_cdb > 100000 ||
        r->size > CAIRN_SM_MAX_PAYLOAD || r->tmms >= (UINT64_C(1) << 53) ||
        (r->has_time && !sm_time_ok(r->time, strnlen(r->time, sizeof r->time))))
        return sm_fail(why, len, CAIRN_ERR_BAD_MSG,
                       "rxpk[%zu] has a field out of range", i);
    sm_put(w, "%s{", i ? "," : "");
    if (r->has_time)
        sm_put(w, "\"time\":\"%s\",", r->time);
    if (r->has_tmms)
        sm_put(w, "\"tmms\":%" PRIu64 ",", r->tmms);
    sm_put(w, "\"tmst\":%" PRIu32 ",\"chan\":%u,\"rfch\":%u,", r->tmst, r->chan,
           r->rfch);
    put_dec(w, "freq", (int64_t)r->freq_hz, 6);
    sm_put(w, ",\"stat\":%d", r->stat);
    put_rate(w, &r->rate);
    sm_put(w, ",\"rssi\":%d", r->rssi);
    if (lora) {
        sm_put(w, ",");
        put_dec(w, "lsnr", r->lsnr_cdb, 2);
    }
    put_data(w, r->size, r->data);
    sm_put(w, "}");
    return CAIRN_OK;
}

static cairn_err enc_stat(sm_w *w, const cairn_sm_stat *s, char *why,
                          size_t len)
{
    if (s->lat_e7 < -900000000 || s->lat_e7 > 900000000 ||
        s->lon_e7 < -1800000000 || s->lon_e7 > 1800000000 ||
        s->alti_m < -100000 || s->alti_m > 100000 || s->ackr_cpct > 10000 ||
        (s->has_time && !sm_time_ok(s->time, strnlen(s->time, sizeof s->time))))
        return sm_fail(why, len, CAIRN_ERR_BAD_MSG,
                       "stat has a field out of range");
    sm_put(w, "\"stat\":{");
    if (s->has_time)
        sm_put(w, "\"time\":\"%s\",", s->time);
    if (s->has_gps) {
        put_dec(w, "lati", s->lat_e7, 7);
        sm_put(w, ",");
        put_dec(w, "long", s->lon_e7, 7);
        sm_put(w, ",\"alti\":%" PRId32 ",", s->alti_m);
    }
    sm_put(w, "\"rxnb\":%" PRIu32 ",\"rxok\":%" PRIu32 ",\"rxfw\":%" PRIu32 ",",
           s->rxnb, s->rxok, s->rxfw);
    put_dec(w, "ackr", s->ackr_cpct, 2);
    sm_put(w, ",\"dwnb\":%" PRIu32 ",\"txnb\":%" PRIu32 "}", s->dwnb, s->txnb);
    return CAIRN_OK;
}

cairn_err sm_enc_push(sm_w *w, const cairn_sm_msg *m, char *why, size_t len)
{
    if (m->n_rxpk > CAIRN_SM_MAX_RXPK)
        return sm_fail(why, len, CAIRN_ERR_TOO_LARGE, "%zu rxpk, at most %d",
                       m->n_rxpk, CAIRN_SM_MAX_RXPK);
    if (!m->n_rxpk && !m->has_stat)
        return sm_fail(why, len, CAIRN_ERR_BAD_MSG,
                       "PUSH_DATA needs an rxpk or a stat");
    sm_put(w, "{");
    if (m->n_rxpk) {
        sm_put(w, "\"rxpk\":[");
        for (size_t i = 0; i < m->n_rxpk; i++) {
            cairn_err e = enc_rxpk(w, &m->rxpk[i], i, why, len);
            if (e)
                return e;
        }
        sm_put(w, "]%s", m->has_stat ? "," : "");
    }
    if (m->has_stat) {
        cairn_err e = enc_stat(w, &m->stat, why, len);
        if (e)
            return e;
    }
    sm_put(w, "}");
    return CAIRN_OK;
}

cairn_err sm_enc_txpk(sm_w *w, const cairn_sm_txpk *t, char *why, size_t len)
{
    int fsk = t->rate.modu == CAIRN_SM_FSK;
    if (!sm_rate_ok(&t->rate) || !freq_ok(t->freq_hz) ||
        t->size > CAIRN_SM_MAX_PAYLOAD || t->tmms >= (UINT64_C(1) << 53) ||
        (int)t->imme + t->has_tmst + t->has_tmms != 1 ||
        (fsk ? (t->fdev_hz < 1 || t->fdev_hz > 200000 || t->ipol)
             : t->fdev_hz != 0))
        return sm_fail(why, len, CAIRN_ERR_BAD_MSG,
                       "txpk has a field out of range or not exactly one of "
                       "imme, tmst, tmms");
    sm_put(w, "{");
    if (t->imme)
        sm_put(w, "\"imme\":true,");
    if (t->has_tmst)
        sm_put(w, "\"tmst\":%" PRIu32 ",", t->tmst);
    if (t->has_tmms)
        sm_put(w, "\"tmms\":%" PRIu64 ",", t->tmms);
    put_dec(w, "freq", (int64_t)t->freq_hz, 6);
    sm_put(w, ",\"rfch\":%u", t->rfch);
    if (t->has_powe)
        sm_put(w, ",\"powe\":%d", t->powe);
    put_rate(w, &t->rate);
    if (fsk)
        sm_put(w, ",\"fdev\":%" PRIu32, t->fdev_hz);
    else
        sm_put(w, ",\"ipol\":%s", t->ipol ? "true" : "false");
    if (t->has_prea)
        sm_put(w, ",\"prea\":%u", t->prea);
    if (t->ncrc)
        sm_put(w, ",\"ncrc\":true");
    put_data(w, t->size, t->data);
    sm_put(w, "}");
    return CAIRN_OK;
}
