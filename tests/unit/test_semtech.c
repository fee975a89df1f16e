/* Unit tests of the Semtech packet-forwarder codec (include/cairn/semtech.h):
 * the protocol's own example packets (PROTOCOL.TXT sections 4 and 6), round
 * trips of every message type (decode(encode(m)) == m, and encoding again
 * gives the same bytes), the acks, and the refusals: truncated, oversized,
 * wrong version, unknown identifier, trailing bytes, bad JSON, bad base64,
 * size mismatch, values out of range; each with a one-line reason. */
#define _GNU_SOURCE /* memmem */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/semtech.h"

static const uint8_t EUI[8] = {0xaa, 0x55, 0x5a, 0x00, 0x00, 0x00, 0x01, 0x01};

static cairn_sm_msg *msg_new(void)
{
    cairn_sm_msg *m = calloc(1, sizeof *m);
    assert_non_null(m);
    return m;
}

/* Decodes version 2, token 0x1234, type, EUI (when eui), then json. */
static cairn_err dec_json(cairn_sm_msg *m, uint8_t type, int eui,
                          const char *json, char *why)
{
    size_t jn = strlen(json), n = 4 + (eui ? 8 : 0) + jn;
    uint8_t *p = malloc(n);
    assert_non_null(p);
    p[0] = 2;
    p[1] = 0x12;
    p[2] = 0x34;
    p[3] = type;
    if (eui)
        memcpy(p + 4, EUI, 8);
    memcpy(p + n - jn, json, jn);
    why[0] = 0;
    cairn_err e = cairn_sm_decode(m, p, n, why, CAIRN_SM_WHY_LEN);
    free(p);
    if (e)
        assert_true(why[0] && !strchr(why, '\n'));
    return e;
}

#define RX_EX2                                                                 \
    "{\"time\":\"2013-03-31T16:21:17.530974Z\",\"tmst\":3512348514,"           \
    "\"chan\":9,\"rfch\":1,\"freq\":869.1,\"stat\":1,\"modu\":\"FSK\","        \
    "\"datr\":50000,\"rssi\":-75,\"size\":16,"                                 \
    "\"data\":\"VEVTVF9QQUNLRVRfMTIzNA==\"}"
#define RX_EX3                                                                 \
    "{\"time\":\"2013-03-31T16:21:17.532038Z\",\"tmst\":3316387610,"           \
    "\"chan\":0,\"rfch\":0,\"freq\":863.00981,\"stat\":1,\"modu\":\"LORA\","   \
    "\"datr\":\"SF10BW125\",\"codr\":\"4/7\",\"rssi\":-38,\"lsnr\":5.5,"       \
    "\"size\":32,\"data\":\"ysgRl452xNLep9S1NTIg2lomKDxUgn3DJ7DE+b00Ass\"}"
/* The first example packet mixes the base64 alphabets ('-' and '+'). */
#define RX_EX1                                                                 \
    "{\"time\":\"2013-03-31T16:21:17.528002Z\",\"tmst\":3512348611,"           \
    "\"chan\":2,\"rfch\":0,\"freq\":866.349812,\"stat\":1,\"modu\":\"LORA\","  \
    "\"datr\":\"SF7BW125\",\"codr\":\"4/6\",\"rssi\":-35,\"lsnr\":5.1,"        \
    "\"size\":32,\"data\":\"-DS4CGaDCdG+48eJNM3Vai-zDpsR71Pn9CPA9uCON84\"}"

/* Encodes m, decodes it back: the same fields; encoding again: same bytes. */
static void round_trip(const cairn_sm_msg *m)
{
    static uint8_t a[CAIRN_SM_MAX_DATAGRAM], b[CAIRN_SM_MAX_DATAGRAM];
    char why[CAIRN_SM_WHY_LEN] = "";
    size_t na, nb;
    cairn_err e = cairn_sm_encode(m, a, sizeof a, &na, why, sizeof why);
    if (e)
        fail_msg("encode: %s", why);
    cairn_sm_msg *d = msg_new();
    e = cairn_sm_decode(d, a, na, why, sizeof why);
    if (e)
        fail_msg("decode: %s (%.*s)", why, (int)na - 12, (const char *)a + 12);
    assert_memory_equal(d, m, sizeof *m);
    assert_int_equal(cairn_sm_encode(d, b, sizeof b, &nb, why, sizeof why),
                     CAIRN_OK);
    assert_int_equal(na, nb);
    assert_memory_equal(a, b, na);
    /* every strict prefix (of a long one, every 97th) is refused, without
     * a crash (but a TX_ACK cut right after its EUI is a TX_ACK without
     * JSON) */
    size_t step = na < 4096 ? 1 : 97;
    for (size_t i = 0; i < na; i += step)
        if (!(m->type == CAIRN_SM_TX_ACK && i == 12))
            assert_int_not_equal(cairn_sm_decode(d, a, i, why, sizeof why),
                                 CAIRN_OK);
    free(d);
}

/* decode(encode(m)) == m, without the prefix checks of round_trip. */
static void round_trip_fast(const cairn_sm_msg *m)
{
    static uint8_t a[CAIRN_SM_MAX_DATAGRAM];
    static cairn_sm_msg d;
    char why[CAIRN_SM_WHY_LEN] = "";
    size_t na;
    if (cairn_sm_encode(m, a, sizeof a, &na, why, sizeof why) ||
        cairn_sm_decode(&d, a, na, why, sizeof why))
        fail_msg("%s", why);
    if (memcmp(&d, m, sizeof d))
        fail_msg("differs after the round trip: %.*s", (int)na - 12,
                 (const char *)a + 12);
}

static void test_spec_rxpk(void **state)
{
    (void)state;
    cairn_sm_msg *m = msg_new();
    char why[CAIRN_SM_WHY_LEN];
    assert_int_equal(
        dec_json(m, 0, 1, "{\"rxpk\":[" RX_EX1 "," RX_EX2 "," RX_EX3 "]}", why),
        CAIRN_ERR_BAD_MSG);
    assert_non_null(strstr(why, "rxpk[0].data"));
    assert_int_equal(
        dec_json(m, 0, 1, "{\"rxpk\":[" RX_EX2 "," RX_EX3 "]}", why), CAIRN_OK);
    assert_int_equal(m->type, CAIRN_SM_PUSH_DATA);
    assert_int_equal(m->token, 0x1234);
    assert_memory_equal(m->eui, EUI, 8);
    assert_int_equal(m->n_rxpk, 2);
    assert_false(m->has_stat);
    const cairn_sm_rxpk *f = &m->rxpk[0], *l = &m->rxpk[1];
    assert_string_equal(f->time, "2013-03-31T16:21:17.530974Z");
    assert_int_equal(f->tmst, 3512348514u);
    assert_int_equal(f->freq_hz, 869100000);
    assert_int_equal(f->chan, 9);
    assert_int_equal(f->rfch, 1);
    assert_int_equal(f->rate.modu, CAIRN_SM_FSK);
    assert_int_equal(f->rate.bps, 50000);
    assert_int_equal(f->rssi, -75);
    assert_false(f->has_lsnr);
    assert_int_equal(f->size, 16);
    assert_memory_equal(f->data, "TEST_PACKET_1234", 16);
    assert_int_equal(l->tmst, 3316387610u);
    assert_int_equal(l->freq_hz, 863009810);
    assert_int_equal(l->rate.sf, 10);
    assert_int_equal(l->rate.bw_khz, 125);
    assert_int_equal(l->rate.codr, 7);
    assert_int_equal(l->rssi, -38);
    assert_int_equal(l->lsnr_cdb, 550);
    assert_int_equal(l->size, 32);
    round_trip(m);
    /* the first example with its data in one alphabet decodes */
    assert_int_equal(
        dec_json(m, 0, 1,
                 "{\"rxpk\":[{\"tmst\":3512348611,\"chan\":2,\"rfch\":0,"
                 "\"freq\":866.349812,\"stat\":1,\"modu\":\"LORA\",\"datr\":"
                 "\"SF7BW125\",\"codr\":\"4/6\",\"rssi\":-35,\"lsnr\":5.1,"
                 "\"size\":32,\"data\":"
                 "\"+DS4CGaDCdG+48eJNM3Vai+zDpsR71Pn9CPA9uCON84\"}]}",
                 why),
        CAIRN_OK);
    assert_int_equal(m->rxpk[0].freq_hz, 866349812);
    assert_int_equal(m->rxpk[0].lsnr_cdb, 510);
    assert_int_equal(m->rxpk[0].rate.sf, 7);
    assert_int_equal(m->rxpk[0].rate.codr, 6);
    round_trip(m);
    free(m);
}

static void test_spec_stat(void **state)
{
    (void)state;
    cairn_sm_msg *m = msg_new();
    char why[CAIRN_SM_WHY_LEN];
    assert_int_equal(dec_json(m, 0, 1,
                              "{\"stat\":{\"time\":\"2014-01-12 08:59:28 GMT\","
                              "\"lati\":46.24000,\"long\":3.25230,\"alti\":145,"
                              "\"rxnb\":2,\"rxok\":2,\"rxfw\":2,\"ackr\":100.0,"
                              "\"dwnb\":2,\"txnb\":2}}",
                              why),
                     CAIRN_OK);
    assert_true(m->has_stat);
    assert_int_equal(m->n_rxpk, 0);
    assert_string_equal(m->stat.time, "2014-01-12 08:59:28 GMT");
    assert_true(m->stat.has_gps);
    assert_int_equal(m->stat.lat_e7, 462400000);
    assert_int_equal(m->stat.lon_e7, 32523000);
    assert_int_equal(m->stat.alti_m, 145);
    assert_int_equal(m->stat.rxnb, 2);
    assert_int_equal(m->stat.txnb, 2);
    assert_int_equal(m->stat.ackr_cpct, 10000);
    round_trip(m);
    /* without GPS, counters absent read as 0 */
    assert_int_equal(dec_json(m, 0, 1, "{\"stat\":{\"rxnb\":7}}", why),
                     CAIRN_OK);
    assert_false(m->stat.has_gps);
    assert_int_equal(m->stat.rxnb, 7);
    round_trip(m);
    /* south-west, negative decimals */
    assert_int_equal(dec_json(m, 0, 1,
                              "{\"stat\":{\"lati\":-33.8688197,\"long\":"
                              "-0.5,\"alti\":-3}}",
                              why),
                     CAIRN_OK);
    assert_int_equal(m->stat.lat_e7, -338688197);
    assert_int_equal(m->stat.lon_e7, -5000000);
    round_trip(m);
    free(m);
}

static void test_spec_txpk(void **state)
{
    (void)state;
    cairn_sm_msg *m = msg_new();
    char why[CAIRN_SM_WHY_LEN];
    assert_int_equal(
        dec_json(m, 3, 0,
                 "{\"txpk\":{\"imme\":true,\"freq\":864.123456,\"rfch\":0,"
                 "\"powe\":14,\"modu\":\"LORA\",\"datr\":\"SF11BW125\","
                 "\"codr\":\"4/6\",\"ipol\":false,\"size\":32,\"data\":"
                 "\"H3P3N2i9qc4yt7rK7ldqoeCVJGBybzPY5h1Dd7P7p8v\"}}",
                 why),
        CAIRN_OK);
    assert_int_equal(m->type, CAIRN_SM_PULL_RESP);
    const cairn_sm_txpk *t = &m->txpk;
    assert_true(t->imme);
    assert_false(t->has_tmst);
    assert_int_equal(t->freq_hz, 864123456);
    assert_true(t->has_powe);
    assert_int_equal(t->powe, 14);
    assert_int_equal(t->rate.sf, 11);
    assert_int_equal(t->rate.codr, 6);
    assert_false(t->ipol);
    assert_int_equal(t->size, 32);
    round_trip(m);
    /* its data ends in spare bits set ('v'); re-encoded canonically */
    static uint8_t out[1024];
    size_t n;
    assert_int_equal(cairn_sm_encode(m, out, sizeof out, &n, why, sizeof why),
                     CAIRN_OK);
    assert_non_null(memmem(out, n, "Dd7P7p8s=\"", 10));
    assert_int_equal(
        dec_json(m, 3, 0,
                 "{\"txpk\":{\"imme\":true,\"freq\":861.3,\"rfch\":0,"
                 "\"powe\":12,\"modu\":\"FSK\",\"datr\":50000,\"fdev\":3000,"
                 "\"size\":32,\"data\":"
                 "\"H3P3N2i9qc4yt7rK7ldqoeCVJGBybzPY5h1Dd7P7p8v\"}}",
                 why),
        CAIRN_OK);
    assert_int_equal(t->freq_hz, 861300000);
    assert_int_equal(t->rate.modu, CAIRN_SM_FSK);
    assert_int_equal(t->rate.bps, 50000);
    assert_int_equal(t->fdev_hz, 3000);
    round_trip(m);
    /* ChirpStack style: imme false with a timestamp */
    assert_int_equal(
        dec_json(m, 3, 0,
                 "{\"txpk\":{\"imme\":false,\"tmst\":4000000000,\"freq\":923.3,"
                 "\"rfch\":0,\"powe\":27,\"modu\":\"LORA\",\"datr\":"
                 "\"SF12BW500\",\"codr\":\"4/5\",\"ipol\":true,\"size\":0,"
                 "\"data\":\"\"}}",
                 why),
        CAIRN_OK);
    assert_false(t->imme);
    assert_true(t->has_tmst);
    assert_int_equal(t->tmst, 4000000000u);
    assert_true(t->ipol);
    round_trip(m);
    free(m);
}

static void test_spec_tx_ack(void **state)
{
    (void)state;
    cairn_sm_msg *m = msg_new();
    char why[CAIRN_SM_WHY_LEN];
    assert_int_equal(dec_json(m, 5, 1,
                              "{\"txpk_ack\":{\"error\":\"COLLISION_PACKET\"}}",
                              why),
                     CAIRN_OK);
    assert_int_equal(m->type, CAIRN_SM_TX_ACK);
    assert_true(m->has_txack_json);
    assert_int_equal(m->txerr, CAIRN_SM_TXE_COLLISION_PACKET);
    assert_string_equal(cairn_sm_txerr_name(m->txerr), "COLLISION_PACKET");
    round_trip(m);
    assert_int_equal(dec_json(m, 5, 1, "", why), CAIRN_OK);
    assert_false(m->has_txack_json);
    assert_int_equal(m->txerr, CAIRN_SM_TXE_NONE);
    round_trip(m);
    assert_int_equal(
        dec_json(m, 5, 1, "{\"txpk_ack\":{\"error\":\"LATE\"}}", why),
        CAIRN_ERR_BAD_MSG);
    assert_int_equal(dec_json(m, 5, 1, "{\"txpk_ack\":{}}", why),
                     CAIRN_ERR_BAD_JSON);
    free(m);
}

static void test_acks(void **state)
{
    (void)state;
    cairn_sm_msg *m = msg_new();
    char why[CAIRN_SM_WHY_LEN];
    uint8_t ack[4];
    assert_int_equal(dec_json(m, 2, 1, "", why), CAIRN_OK);
    assert_int_equal(m->type, CAIRN_SM_PULL_DATA);
    round_trip(m);
    assert_int_equal(cairn_sm_ack(m, ack), CAIRN_OK);
    assert_memory_equal(ack, "\x02\x12\x34\x04", 4);
    assert_int_equal(cairn_sm_decode(m, ack, 4, why, sizeof why), CAIRN_OK);
    assert_int_equal(m->type, CAIRN_SM_PULL_ACK);
    assert_int_equal(m->token, 0x1234);
    round_trip(m);
    assert_int_equal(cairn_sm_ack(m, ack), CAIRN_ERR_BAD_ARG);
    m->type = CAIRN_SM_PUSH_DATA;
    assert_int_equal(cairn_sm_ack(m, ack), CAIRN_OK);
    assert_memory_equal(ack, "\x02\x12\x34\x01", 4);
    assert_int_equal(cairn_sm_decode(m, ack, 4, why, sizeof why), CAIRN_OK);
    assert_int_equal(m->type, CAIRN_SM_PUSH_ACK);
    round_trip(m);
    assert_string_equal(cairn_sm_type_name(CAIRN_SM_PULL_RESP), "PULL_RESP");
    assert_string_equal(cairn_sm_type_name((cairn_sm_type)9), "?");
    /* one byte more than an ack or a PULL_DATA */
    uint8_t more[13] = {2, 0, 0, 1};
    assert_int_equal(cairn_sm_decode(m, more, 5, why, sizeof why),
                     CAIRN_ERR_TRAILING);
    more[3] = 2;
    assert_int_equal(cairn_sm_decode(m, more, 13, why, sizeof why),
                     CAIRN_ERR_TRAILING);
    free(m);
}

static void lora(cairn_sm_rxpk *r, uint32_t i)
{
    r->tmst = 1000u * i;
    r->freq_hz = 902300000 + 200000 * (i % 8);
    r->chan = (uint8_t)(i % 8);
    r->stat = 1;
    r->rate = (cairn_sm_rate){CAIRN_SM_LORA, (uint8_t)(7 + i % 6), 125, 5, 0};
    r->rssi = (int16_t)(-120 + (int)(i % 100));
    r->has_lsnr = 1;
    r->lsnr_cdb = -2000 + (int32_t)i * 37;
    r->size = CAIRN_SM_MAX_PAYLOAD;
    for (int k = 0; k < r->size; k++)
        r->data[k] = (uint8_t)(i * 31 + (uint32_t)k);
}

/* 64 full-size packets plus a status fit in one datagram and come back. */
static void test_round_trip_max(void **state)
{
    (void)state;
    cairn_sm_msg *m = msg_new();
    m->type = CAIRN_SM_PUSH_DATA;
    m->token = 0xbeef;
    memcpy(m->eui, EUI, 8);
    m->n_rxpk = CAIRN_SM_MAX_RXPK;
    for (uint32_t i = 0; i < CAIRN_SM_MAX_RXPK; i++)
        lora(&m->rxpk[i], i);
    m->rxpk[3].has_time = 1;
    snprintf(m->rxpk[3].time, sizeof m->rxpk[3].time, "2026-12-02T17:00:00Z");
    m->rxpk[4].has_tmms = 1;
    m->rxpk[4].tmms = 1448928000000;
    m->rxpk[5].lsnr_cdb = -5; /* "-0.05" */
    m->rxpk[6].size = 0;
    memset(m->rxpk[6].data, 0, sizeof m->rxpk[6].data);
    m->rxpk[7].stat = -1;
    m->rxpk[8].rate = (cairn_sm_rate){CAIRN_SM_FSK, 0, 0, 0, 50000};
    m->rxpk[8].has_lsnr = 0;
    m->rxpk[8].lsnr_cdb = 0;
    m->rxpk[9].freq_hz = 1; /* "0.000001" */
    m->has_stat = 1;
    m->stat.ackr_cpct = 9999;
    m->stat.rxnb = UINT32_MAX;
    round_trip(m);
    /* one more packet is refused both ways */
    uint8_t *out = malloc(CAIRN_SM_MAX_DATAGRAM);
    size_t n;
    char why[CAIRN_SM_WHY_LEN];
    m->n_rxpk = CAIRN_SM_MAX_RXPK + 1;
    assert_int_equal(
        cairn_sm_encode(m, out, CAIRN_SM_MAX_DATAGRAM, &n, why, sizeof why),
        CAIRN_ERR_TOO_LARGE);
    /* a buffer too small */
    m->n_rxpk = 1;
    assert_int_equal(cairn_sm_encode(m, out, 100, &n, why, sizeof why),
                     CAIRN_ERR_TOO_LARGE);
    /* a field out of range */
    m->rxpk[0].rate.sf = 13;
    assert_int_equal(
        cairn_sm_encode(m, out, CAIRN_SM_MAX_DATAGRAM, &n, why, sizeof why),
        CAIRN_ERR_BAD_MSG);
    free(out);
    free(m);
}

/* The decimals come back exact: frequencies over 0..10 GHz (six decimals
 * of MHz), every 7th SNR in centi-dB, latitudes with seven decimals. */
static void test_exact_decimals(void **state)
{
    (void)state;
    cairn_sm_msg *m = msg_new();
    m->type = CAIRN_SM_PUSH_DATA;
    m->n_rxpk = 1;
    lora(&m->rxpk[0], 1);
    m->rxpk[0].size = 1;
    memset(m->rxpk[0].data + 1, 0, CAIRN_SM_MAX_PAYLOAD - 1);
    m->has_stat = 1;
    m->stat.has_gps = 1;
    uint64_t x = 88172645463325252u; /* xorshift64, fixed seed */
    for (int i = 0; i < 20000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        m->rxpk[0].freq_hz = 1 + x % UINT64_C(10000000000);
        if (i < 2)
            m->rxpk[0].freq_hz = i ? UINT64_C(10000000000) : 999999999;
        m->rxpk[0].lsnr_cdb = -100000 + 7 * i;
        m->stat.lat_e7 = (int32_t)((int64_t)(x % 1800000001u) - 900000000);
        m->stat.lon_e7 =
            (int32_t)((int64_t)((x >> 20) % 3600000001u) - 1800000000);
        round_trip_fast(m);
    }
    free(m);
}

static void test_header_refusals(void **state)
{
    (void)state;
    cairn_sm_msg *m = msg_new();
    char why[CAIRN_SM_WHY_LEN];
    uint8_t h[12] = {2, 1, 2, 0, 1, 2, 3, 4, 5, 6, 7, 8};
    assert_int_equal(cairn_sm_decode(m, h, 0, why, sizeof why),
                     CAIRN_ERR_TRUNCATED);
    assert_int_equal(cairn_sm_decode(m, h, 3, why, sizeof why),
                     CAIRN_ERR_TRUNCATED);
    assert_int_equal(cairn_sm_decode(m, h, 11, why, sizeof why),
                     CAIRN_ERR_TRUNCATED);
    assert_non_null(strstr(why, "PUSH_DATA"));
    assert_int_equal(cairn_sm_decode(m, h, 12, why, sizeof why),
                     CAIRN_ERR_BAD_JSON);
    h[0] = 1;
    assert_int_equal(cairn_sm_decode(m, h, 12, why, sizeof why),
                     CAIRN_ERR_BAD_VERSION);
    h[0] = 2;
    h[3] = 6;
    assert_int_equal(cairn_sm_decode(m, h, 12, why, sizeof why),
                     CAIRN_ERR_BAD_MSG);
    uint8_t *big = calloc(1, CAIRN_SM_MAX_DATAGRAM + 1);
    big[0] = 2;
    assert_int_equal(
        cairn_sm_decode(m, big, CAIRN_SM_MAX_DATAGRAM + 1, why, sizeof why),
        CAIRN_ERR_TOO_LARGE);
    free(big);
    /* a NULL why is fine */
    assert_int_equal(cairn_sm_decode(m, h, 2, NULL, 0), CAIRN_ERR_TRUNCATED);
    free(m);
}

#define RX(fields) "{\"rxpk\":[{" fields "}]}"
#define OK_FIELDS                                                              \
    "\"tmst\":1,\"chan\":0,\"rfch\":0,\"freq\":868.1,\"stat\":1,"              \
    "\"modu\":\"LORA\",\"datr\":\"SF7BW125\",\"codr\":\"4/5\",\"rssi\":-80,"   \
    "\"lsnr\":7.25,"

static void test_json_refusals(void **state)
{
    (void)state;
    static const struct {
        const char *json;
        cairn_err e;
        const char *in_why;
    } cases[] = {
        {RX(OK_FIELDS "\"size\":2,\"data\":\"AQI=\""), CAIRN_OK, NULL},
        {RX(OK_FIELDS "\"size\":2,\"data\":\"AQI\""), CAIRN_OK, NULL},
        {RX(OK_FIELDS "\"size\":3,\"data\":\"AQI=\""), CAIRN_ERR_BAD_MSG,
         "size says 3"},
        {RX(OK_FIELDS "\"size\":2,\"data\":\"AQ*=\""), CAIRN_ERR_BAD_MSG,
         "base64"},
        {RX(OK_FIELDS "\"size\":2,\"data\":\"AQJ=\""), CAIRN_OK, NULL},
        {RX(OK_FIELDS "\"size\":2,\"data\":\"AQJ==\""), CAIRN_ERR_BAD_MSG,
         "base64"},
        {RX(OK_FIELDS "\"size\":1,\"data\":\"A===\""), CAIRN_ERR_BAD_MSG,
         "base64"},
        {RX(OK_FIELDS "\"size\":2,\"data\":\"AQ==\""), CAIRN_ERR_BAD_MSG,
         "size says 2"},
        {RX(OK_FIELDS "\"size\":256,\"data\":\"\""), CAIRN_ERR_TOO_LARGE,
         "size"},
        {RX(OK_FIELDS "\"size\":-1,\"data\":\"\""), CAIRN_ERR_BAD_MSG, "size"},
        {RX(OK_FIELDS "\"size\":0"), CAIRN_ERR_BAD_JSON, "data"},
        {RX(OK_FIELDS "\"size\":\"0\",\"data\":\"\""), CAIRN_ERR_BAD_JSON,
         "size"},
        {"{\"rxpk\":[{\"tmst\":1,\"chan\":0,\"rfch\":0,\"stat\":1}]}",
         CAIRN_ERR_BAD_JSON, "freq"},
        {"{\"rxpk\":[]}", CAIRN_ERR_BAD_MSG, "empty"},
        {"{\"rxpk\":{}}", CAIRN_ERR_BAD_JSON, "array"},
        {"{\"rxpk\":[1]}", CAIRN_ERR_BAD_JSON, "rxpk[0]"},
        {"{}", CAIRN_ERR_BAD_JSON, "neither"},
        {"[]", CAIRN_ERR_BAD_JSON, "object"},
        {"{\"rxpk\":[", CAIRN_ERR_BAD_JSON, "JSON"},
        {"{\"stat\":{},\"stat\":{}}", CAIRN_ERR_BAD_JSON, "JSON"},
        {"{\"stat\":{}} x", CAIRN_ERR_BAD_JSON, "JSON"},
        {"{\"stat\":{\"lati\":1.0}}", CAIRN_ERR_BAD_MSG, "all three"},
        {"{\"stat\":{\"lati\":91,\"long\":0,\"alti\":0}}", CAIRN_ERR_BAD_MSG,
         "lati"},
        {"{\"stat\":{\"ackr\":100.01}}", CAIRN_ERR_BAD_MSG, "ackr"},
        {"{\"stat\":{\"rxnb\":4294967296}}", CAIRN_ERR_BAD_MSG, "rxnb"},
        {"{\"stat\":{\"time\":\"a\\nb\"}}", CAIRN_ERR_BAD_MSG, "time"},
        {"{\"stat\":{\"lati\":1e400,\"long\":0,\"alti\":0}}",
         CAIRN_ERR_BAD_JSON, "JSON"},
    };
    cairn_sm_msg *m = msg_new();
    char why[CAIRN_SM_WHY_LEN];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cairn_err e = dec_json(m, 0, 1, cases[i].json, why);
        if (e != cases[i].e ||
            (cases[i].in_why && !strstr(why, cases[i].in_why)))
            fail_msg("case %zu: got %d (%s), want %d with \"%s\"", i, e, why,
                     cases[i].e, cases[i].in_why ? cases[i].in_why : "");
    }
    free(m);
}

static void test_rate_refusals(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "\"modu\":\"LORA\",\"datr\":\"SF13BW125\",\"codr\":\"4/5\"",
        "\"modu\":\"LORA\",\"datr\":\"SF4BW125\",\"codr\":\"4/5\"",
        "\"modu\":\"LORA\",\"datr\":\"SF7BW124\",\"codr\":\"4/5\"",
        "\"modu\":\"LORA\",\"datr\":\"SF7BW1250\",\"codr\":\"4/5\"",
        "\"modu\":\"LORA\",\"datr\":\"SF7BW125x\",\"codr\":\"4/5\"",
        "\"modu\":\"LORA\",\"datr\":\"sf7bw125\",\"codr\":\"4/5\"",
        "\"modu\":\"LORA\",\"datr\":\"SF7BW125\",\"codr\":\"4/9\"",
        "\"modu\":\"LORA\",\"datr\":\"SF7BW125\",\"codr\":\"OFF\"",
        "\"modu\":\"LORA\",\"datr\":\"SF7BW125\"",
        "\"modu\":\"LORA\",\"datr\":125",
        "\"modu\":\"GFSK\",\"datr\":50000",
        "\"modu\":\"FSK\",\"datr\":\"50000\"",
        "\"modu\":\"FSK\",\"datr\":400000",
    };
    cairn_sm_msg *m = msg_new();
    char why[CAIRN_SM_WHY_LEN], json[512];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(json, sizeof json,
                 "{\"txpk\":{\"imme\":true,\"freq\":868.1,%s,\"size\":0,"
                 "\"data\":\"\"}}",
                 bad[i]);
        cairn_err e = dec_json(m, 3, 0, json, why);
        if (e != CAIRN_ERR_BAD_MSG && e != CAIRN_ERR_BAD_JSON)
            fail_msg("case %zu accepted: %s", i, bad[i]);
    }
    /* txpk timing: exactly one of imme, tmst, tmms */
    static const char *const timing[] = {"\"imme\":false",
                                         "\"imme\":true,\"tmst\":5",
                                         "\"tmst\":5,\"tmms\":9", "\"imme\":1"};
    for (size_t i = 0; i < sizeof timing / sizeof timing[0]; i++) {
        snprintf(json, sizeof json,
                 "{\"txpk\":{%s,\"freq\":868.1,\"modu\":\"LORA\",\"datr\":"
                 "\"SF7BW125\",\"codr\":\"4/5\",\"size\":0,\"data\":\"\"}}",
                 timing[i]);
        cairn_err e = dec_json(m, 3, 0, json, why);
        if (e != CAIRN_ERR_BAD_MSG && e != CAIRN_ERR_BAD_JSON)
            fail_msg("timing case %zu accepted", i);
    }
    assert_int_equal(dec_json(m, 3, 0, "{\"tx\":{}}", why), CAIRN_ERR_BAD_JSON);
    free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spec_rxpk),
        cmocka_unit_test(test_spec_stat),
        cmocka_unit_test(test_spec_txpk),
        cmocka_unit_test(test_spec_tx_ack),
        cmocka_unit_test(test_acks),
        cmocka_unit_test(test_round_trip_max),
        cmocka_unit_test(test_header_refusals),
        cmocka_unit_test(test_json_refusals),
        cmocka_unit_test(test_rate_refusals),
        cmocka_unit_test(test_exact_decimals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
