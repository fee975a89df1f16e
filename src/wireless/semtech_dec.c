/* Semtech packet forwarder: decoding the JSON part of PUSH_DATA ("rxpk",
 * "stat"), PULL_RESP ("txpk") and TX_ACK ("txpk_ack") with jansson.
 *
 * Decimal numbers (freq, lsnr, lati, long, ackr) come from jansson as
 * doubles; they are scaled and rounded to the nearest integer unit, which is
 * exact for every text with no more decimals than the unit has (6 for MHz
 * to Hz): the double's error is far below half a unit at these magnitudes. */
#include <jansson.h>
#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "semtech_int.h"

typedef struct dctx {
    char *why;
    size_t len;
    const char *obj; /* "rxpk[3]", "stat", "txpk": where, for reasons */
    char buf[16];    /* obj's text for "rxpk[i]" */
} dctx;

#define FAIL(c, e, ...) sm_fail((c)->why, (c)->len, (e), __VA_ARGS__)

/* An integer field in [min, max]. Absent: *present = 0 (or an error when
 * present is NULL, i.e. required). */
static cairn_err get_int(dctx *c, json_t *o, const char *k, int64_t min,
                         int64_t max, int64_t *v, int *present)
{
    json_t *j = json_object_get(o, k);
    if (present)
        *present = j != NULL;
    if (!j)
        return present
                   ? CAIRN_OK
                   : FAIL(c, CAIRN_ERR_BAD_JSON, "%s has no \"%s\"", c->obj, k);
    if (!json_is_integer(j))
        return FAIL(c, CAIRN_ERR_BAD_JSON, "%s.%s is not an integer", c->obj,
                    k);
    json_int_t x = json_integer_value(j);
    if (x < min || x > max)
        return FAIL(c, CAIRN_ERR_BAD_MSG, "%s.%s = %lld, outside %lld..%lld",
                    c->obj, k, (long long)x, (long long)min, (long long)max);
    *v = x;
    return CAIRN_OK;
}

/* A decimal number field times 10^scale, rounded, in [min, max] units. */
static cairn_err get_dec(dctx *c, json_t *o, const char *k, double scale,
                         int64_t min, int64_t max, int64_t *v, int *present)
{
    json_t *j = json_object_get(o, k);
    if (present)
        *present = j != NULL;
    if (!j)
        return present
                   ? CAIRN_OK
                   : FAIL(c, CAIRN_ERR_BAD_JSON, "%s has no \"%s\"", c->obj, k);
    if (!json_is_number(j))
        return FAIL(c, CAIRN_ERR_BAD_JSON, "%s.%s is not a number", c->obj, k);
    double x = json_number_value(j) * scale;
    if (!isfinite(x) || x < (double)min - 0.5 || x > (double)max + 0.5)
        return FAIL(c, CAIRN_ERR_BAD_MSG, "%s.%s out of range", c->obj, k);
    /* round half away from zero; |x| <= 1e10 + 0.5 here */
    int64_t r = x < 0 ? -(int64_t)(0.5 - x) : (int64_t)(x + 0.5);
    if (r < min || r > max)
        return FAIL(c, CAIRN_ERR_BAD_MSG, "%s.%s out of range", c->obj, k);
    *v = r;
    return CAIRN_OK;
}

static cairn_err get_bool(dctx *c, json_t *o, const char *k, bool *v)
{
    json_t *j = json_object_get(o, k);
    if (!j)
        return CAIRN_OK;
    if (!json_is_boolean(j))
        return FAIL(c, CAIRN_ERR_BAD_JSON, "%s.%s is not true or false", c->obj,
                    k);
    *v = json_is_true(j);
    return CAIRN_OK;
}

/* Optional printable "time" string into out. */
static cairn_err get_time(dctx *c, json_t *o, bool *has, char *out)
{
    json_t *j = json_object_get(o, "time");
    if (!j)
        return CAIRN_OK;
    if (!json_is_string(j))
        return FAIL(c, CAIRN_ERR_BAD_JSON, "%s.time is not a string", c->obj);
    size_t n = json_string_length(j);
    if (!sm_time_ok(json_string_value(j), n))
        return FAIL(c, CAIRN_ERR_BAD_MSG,
                    "%s.time is not up to %d printable characters", c->obj,
                    CAIRN_SM_TIME_MAX);
    memcpy(out, json_string_value(j), n);
    out[n] = 0;
    *has = 1;
    return CAIRN_OK;
}

/* "SF7BW125" into sf and bw_khz. */
static int parse_lora_datr(const char *s, cairn_sm_rate *r)
{
    unsigned sf = 0, bw = 0;
    if (s[0] != 'S' || s[1] != 'F')
        return 0;
    s += 2;
    for (int i = 0; i < 2 && *s >= '0' && *s <= '9'; i++)
        sf = sf * 10 + (unsigned)(*s++ - '0');
    if (s[0] != 'B' || s[1] != 'W')
        return 0;
    s += 2;
    for (int i = 0; i < 3 && *s >= '0' && *s <= '9'; i++)
        bw = bw * 10 + (unsigned)(*s++ - '0');
    if (*s || sf < 5 || sf > 12 || (bw != 125 && bw != 250 && bw != 500))
        return 0;
    r->sf = (uint8_t)sf;
    r->bw_khz = (uint16_t)bw;
    return 1;
}

/* modu, datr and (LoRa) codr into *r. */
static cairn_err get_rate(dctx *c, json_t *o, cairn_sm_rate *r)
{
    const char *modu = json_string_value(json_object_get(o, "modu"));
    json_t *datr = json_object_get(o, "datr");
    if (!modu || !datr)
        return FAIL(c, CAIRN_ERR_BAD_JSON, "%s needs string modu and datr",
                    c->obj);
    if (!strcmp(modu, "FSK")) {
        int64_t bps;
        r->modu = CAIRN_SM_FSK;
        cairn_err e = get_int(c, o, "datr", 500, 300000, &bps, NULL);
        r->bps = (uint32_t)bps;
        return e;
    }
    if (strcmp(modu, "LORA"))
        return FAIL(c, CAIRN_ERR_BAD_MSG, "%s.modu is neither LORA nor FSK",
                    c->obj);
    r->modu = CAIRN_SM_LORA;
    if (!json_is_string(datr) || !parse_lora_datr(json_string_value(datr), r))
        return FAIL(c, CAIRN_ERR_BAD_MSG,
                    "%s.datr is not SF5..SF12 with BW125, BW250 or BW500",
                    c->obj);
    const char *codr = json_string_value(json_object_get(o, "codr"));
    if (!codr || strlen(codr) != 3 || codr[0] != '4' || codr[1] != '/' ||
        codr[2] < '5' || codr[2] > '8')
        return FAIL(c, CAIRN_ERR_BAD_MSG, "%s.codr is not 4/5..4/8", c->obj);
    r->codr = (uint8_t)(codr[2] - '0');
    return CAIRN_OK;
}

/* Base64 text whose last character carries bits past the data (the
 * protocol's own txpk example ends in 'v' where 's' is canonical): those
 * bits are cleared, as the reference forwarder ignores them, so that
 * libsodium's strict decoder accepts it. Anything else is left alone. */
static void clear_spare_bits(char *b, size_t n)
{
    static const char abc[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t k = n;
    while (k > 0 && n - k < 2 && b[k - 1] == '=')
        k--;
    if (k % 4 < 2)
        return;
    const char *at = b[k - 1] ? strchr(abc, b[k - 1]) : NULL;
    if (!at)
        return;
    unsigned spare = k % 4 == 2 ? 0xf : 0x3;
    b[k - 1] = abc[(unsigned)(at - abc) & ~spare];
}

/* size and base64 data; the data must decode to exactly size bytes. */
static cairn_err get_data(dctx *c, json_t *o, uint16_t *size, uint8_t *data)
{
    int64_t sz;
    cairn_err e = get_int(c, o, "size", 0, INT64_MAX, &sz, NULL);
    if (e)
        return e;
    if (sz > CAIRN_SM_MAX_PAYLOAD)
        return FAIL(c, CAIRN_ERR_TOO_LARGE, "%s.size %lld over %d bytes",
                    c->obj, (long long)sz, CAIRN_SM_MAX_PAYLOAD);
    json_t *j = json_object_get(o, "data");
    if (!json_is_string(j))
        return FAIL(c, CAIRN_ERR_BAD_JSON, "%s has no string \"data\"", c->obj);
    const char *s = json_string_value(j);
    size_t n = json_string_length(j), got = 0;
    if (n > 4 * ((CAIRN_SM_MAX_PAYLOAD + 2) / 3))
        return FAIL(c, CAIRN_ERR_TOO_LARGE, "%s.data over %d bytes", c->obj,
                    CAIRN_SM_MAX_PAYLOAD);
    char b64[4 * ((CAIRN_SM_MAX_PAYLOAD + 2) / 3)];
    memcpy(b64, s, n);
    clear_spare_bits(b64, n);
    int variant = n % 4 ? sodium_base64_VARIANT_ORIGINAL_NO_PADDING
                        : sodium_base64_VARIANT_ORIGINAL;
    if (sodium_base642bin(data, CAIRN_SM_MAX_PAYLOAD, b64, n, NULL, &got, NULL,
                          variant) != 0)
        return FAIL(c, CAIRN_ERR_BAD_MSG, "%s.data is not base64", c->obj);
    if (got != (size_t)sz)
        return FAIL(c, CAIRN_ERR_BAD_MSG,
                    "%s.data holds %zu bytes but size says %lld", c->obj, got,
                    (long long)sz);
    *size = (uint16_t)sz;
    return CAIRN_OK;
}

/* Required fields, except the data, of one rxpk. */
static cairn_err dec_rxpk_radio(dctx *c, json_t *o, cairn_sm_rxpk *r)
{
    int64_t v, fr, ch, rf, st, rs;
    int has;
    cairn_err e;
    if ((e = get_time(c, o, &r->has_time, r->time)) ||
        (e = get_int(c, o, "tmms", 0, (INT64_C(1) << 53) - 1, &v, &has)))
        return e;
    r->has_tmms = has;
    r->tmms = has ? (uint64_t)v : 0;
    if ((e = get_int(c, o, "tmst", 0, UINT32_MAX, &v, NULL)) ||
        (e = get_dec(c, o, "freq", 1e6, 1, INT64_C(10000000000), &fr, NULL)) ||
        (e = get_int(c, o, "chan", 0, 255, &ch, NULL)) ||
        (e = get_int(c, o, "rfch", 0, 255, &rf, NULL)) ||
        (e = get_int(c, o, "stat", -1, 1, &st, NULL)) ||
        (e = get_rate(c, o, &r->rate)) ||
        (e = get_int(c, o, "rssi", -1000, 1000, &rs, NULL)))
        return e;
    r->tmst = (uint32_t)v;
    r->freq_hz = (uint64_t)fr;
    r->chan = (uint8_t)ch;
    r->rfch = (uint8_t)rf;
    r->stat = (int8_t)st;
    r->rssi = (int16_t)rs;
    return CAIRN_OK;
}

static cairn_err dec_rxpk(dctx *c, json_t *o, cairn_sm_rxpk *r)
{
    if (!json_is_object(o))
        return FAIL(c, CAIRN_ERR_BAD_JSON, "%s is not an object", c->obj);
    cairn_err e = dec_rxpk_radio(c, o, r);
    if (e)
        return e;
    int has = 0;
    int64_t v = 0;
    if (r->rate.modu == CAIRN_SM_LORA &&
        (e = get_dec(c, o, "lsnr", 100, -100000, 100000, &v, NULL)))
        return e;
    if (r->rate.modu == CAIRN_SM_FSK &&
        (e = get_dec(c, o, "lsnr", 100, -100000, 100000, &v, &has)))
        return e;
    if (has)
        return FAIL(c, CAIRN_ERR_BAD_MSG, "%s: an FSK packet has no lsnr",
                    c->obj);
    r->has_lsnr = r->rate.modu == CAIRN_SM_LORA;
    r->lsnr_cdb = (int32_t)v;
    return get_data(c, o, &r->size, r->data);
}

static cairn_err dec_stat(dctx *c, json_t *o, cairn_sm_stat *s)
{
    if (!json_is_object(o))
        return FAIL(c, CAIRN_ERR_BAD_JSON, "stat is not an object");
    int64_t la, lo, al, v;
    int h1, h2, h3, has;
    cairn_err e;
    if ((e = get_time(c, o, &s->has_time, s->time)) ||
        (e = get_dec(c, o, "lati", 1e7, -900000000, 900000000, &la, &h1)) ||
        (e = get_dec(c, o, "long", 1e7, -1800000000, 1800000000, &lo, &h2)) ||
        (e = get_int(c, o, "alti", -100000, 100000, &al, &h3)))
        return e;
    if (h1 != h2 || h1 != h3)
        return FAIL(c, CAIRN_ERR_BAD_MSG,
                    "stat has some of lati, long, alti but not all three");
    s->has_gps = h1;
    s->lat_e7 = h1 ? (int32_t)la : 0;
    s->lon_e7 = h1 ? (int32_t)lo : 0;
    s->alti_m = h1 ? (int32_t)al : 0;
    static const char *const keys[] = {"rxnb", "rxok", "rxfw", "dwnb", "txnb"};
    uint32_t *dst[] = {&s->rxnb, &s->rxok, &s->rxfw, &s->dwnb, &s->txnb};
    for (int i = 0; i < 5; i++) {
        if ((e = get_int(c, o, keys[i], 0, UINT32_MAX, &v, &has)))
            return e;
        *dst[i] = has ? (uint32_t)v : 0;
    }
    if ((e = get_dec(c, o, "ackr", 100, 0, 10000, &v, &has)))
        return e;
    s->ackr_cpct = has ? (uint32_t)v : 0;
    return CAIRN_OK;
}

/* The JSON root object, or NULL with the reason set. */
static json_t *load(dctx *c, const uint8_t *p, size_t n, cairn_err *e)
{
    json_error_t jerr;
    json_t *root =
        json_loadb((const char *)p, n, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        *e = FAIL(c, CAIRN_ERR_BAD_JSON, "JSON at byte %d: %s", jerr.position,
                  jerr.text);
        return NULL;
    }
    if (!json_is_object(root)) {
        json_decref(root);
        *e = FAIL(c, CAIRN_ERR_BAD_JSON, "JSON is not an object");
        return NULL;
    }
    return root;
}

static cairn_err dec_rxpks(dctx *c, json_t *arr, cairn_sm_msg *m)
{
    if (!json_is_array(arr))
        return FAIL(c, CAIRN_ERR_BAD_JSON, "rxpk is not an array");
    size_t k = json_array_size(arr);
    if (k == 0)
        return FAIL(c, CAIRN_ERR_BAD_MSG, "rxpk is an empty array");
    if (k > CAIRN_SM_MAX_RXPK)
        return FAIL(c, CAIRN_ERR_TOO_LARGE, "%zu rxpk, at most %d", k,
                    CAIRN_SM_MAX_RXPK);
    c->obj = c->buf;
    for (size_t i = 0; i < k; i++) {
        snprintf(c->buf, sizeof c->buf, "rxpk[%zu]", i);
        cairn_err e = dec_rxpk(c, json_array_get(arr, i), &m->rxpk[i]);
        if (e)
            return e;
    }
    m->n_rxpk = k;
    return CAIRN_OK;
}

cairn_err sm_dec_push(cairn_sm_msg *m, const uint8_t *p, size_t n, char *why,
                      size_t len)
{
    dctx c = {why, len, "root", ""};
    cairn_err e = CAIRN_OK;
    json_t *root = load(&c, p, n, &e);
    if (!root)
        return e;
    json_t *rx = json_object_get(root, "rxpk"),
           *st = json_object_get(root, "stat");
    if (!rx && !st)
        e = FAIL(&c, CAIRN_ERR_BAD_JSON, "PUSH_DATA has neither rxpk nor stat");
    if (!e && rx)
        e = dec_rxpks(&c, rx, m);
    c.obj = "stat";
    if (!e && st && !(e = dec_stat(&c, st, &m->stat)))
        m->has_stat = 1;
    json_decref(root);
    return e;
}

static cairn_err dec_txpk(dctx *c, json_t *o, cairn_sm_txpk *t)
{
    if (!json_is_object(o))
        return FAIL(c, CAIRN_ERR_BAD_JSON, "PULL_RESP has no txpk object");
    int64_t ts, tm, fr, rf = 0, pw, fd = 0, pr;
    int h1, h2, hrf, hp, hpr, hfd;
    cairn_err e;
    if ((e = get_bool(c, o, "imme", &t->imme)) ||
        (e = get_int(c, o, "tmst", 0, UINT32_MAX, &ts, &h1)) ||
        (e = get_int(c, o, "tmms", 0, (INT64_C(1) << 53) - 1, &tm, &h2)) ||
        (e = get_dec(c, o, "freq", 1e6, 1, INT64_C(10000000000), &fr, NULL)) ||
        (e = get_int(c, o, "rfch", 0, 255, &rf, &hrf)) ||
        (e = get_int(c, o, "powe", -128, 127, &pw, &hp)) ||
        (e = get_rate(c, o, &t->rate)) ||
        (e = get_int(c, o, "fdev", 1, 200000, &fd, &hfd)) ||
        (e = get_int(c, o, "prea", 0, 65535, &pr, &hpr)) ||
        (e = get_bool(c, o, "ipol", &t->ipol)) ||
        (e = get_bool(c, o, "ncrc", &t->ncrc)))
        return e;
    if ((int)t->imme + h1 + h2 != 1)
        return FAIL(c, CAIRN_ERR_BAD_MSG,
                    "txpk needs exactly one of imme:true, tmst, tmms");
    if (hfd != (t->rate.modu == CAIRN_SM_FSK))
        return FAIL(c, CAIRN_ERR_BAD_MSG,
                    "txpk.fdev is required with FSK and refused with LORA");
    if (t->ipol && t->rate.modu == CAIRN_SM_FSK)
        return FAIL(c, CAIRN_ERR_BAD_MSG, "txpk.ipol is LoRa only");
    t->has_tmst = h1;
    t->tmst = h1 ? (uint32_t)ts : 0;
    t->has_tmms = h2;
    t->tmms = h2 ? (uint64_t)tm : 0;
    t->freq_hz = (uint64_t)fr;
    t->rfch = (uint8_t)rf;
    t->has_powe = hp;
    t->powe = hp ? (int8_t)pw : 0;
    t->fdev_hz = (uint32_t)fd;
    t->has_prea = hpr;
    t->prea = hpr ? (uint16_t)pr : 0;
    return get_data(c, o, &t->size, t->data);
}

cairn_err sm_dec_resp(cairn_sm_msg *m, const uint8_t *p, size_t n, char *why,
                      size_t len)
{
    dctx c = {why, len, "txpk", ""};
    cairn_err e = CAIRN_OK;
    json_t *root = load(&c, p, n, &e);
    if (!root)
        return e;
    e = dec_txpk(&c, json_object_get(root, "txpk"), &m->txpk);
    json_decref(root);
    return e;
}

cairn_err sm_dec_txack(cairn_sm_msg *m, const uint8_t *p, size_t n, char *why,
                       size_t len)
{
    dctx c = {why, len, "txpk_ack", ""};
    if (n == 0)
        return CAIRN_OK; /* no JSON: no error */
    cairn_err e = CAIRN_OK;
    json_t *root = load(&c, p, n, &e);
    if (!root)
        return e;
    json_t *ack = json_object_get(root, "txpk_ack");
    const char *err = json_string_value(json_object_get(ack, "error"));
    m->has_txack_json = 1;
    if (!json_is_object(ack))
        e = FAIL(&c, CAIRN_ERR_BAD_JSON, "TX_ACK has no txpk_ack object");
    else if (!err)
        e = FAIL(&c, CAIRN_ERR_BAD_JSON, "txpk_ack has no string error");
    else {
        e = FAIL(&c, CAIRN_ERR_BAD_MSG, "txpk_ack.error is unknown");
        for (int i = 0; i < SM_TXERR_COUNT; i++)
            if (!strcmp(err, sm_txerr_names[i])) {
                m->txerr = (cairn_sm_txerr)i;
                e = CAIRN_OK;
            }
    }
    json_decref(root);
    return e;
}
