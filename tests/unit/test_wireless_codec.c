/* Unit tests of the wireless wire formats (include/cairn/wireless.h): the
 * beacon payload and its signature, the witness report and every PoC body:
 * round trips with fixed lengths, every truncation, a trailing byte, a bad
 * version, a forged or tampered signature, a wrong chain id, the slot rule
 * and body bounds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/wireless.h"

#define CHAIN "cairn-test"

static void key_of(cairn_keypair *kp, uint8_t tag)
{
    uint8_t seed[CAIRN_SEED_LEN];
    memset(seed, tag, sizeof seed);
    cairn_keypair_from_seed(kp, seed);
}

static cairn_hash seed_of(uint8_t tag)
{
    cairn_hash h;
    memset(h.b, tag, sizeof h.b);
    return h;
}

static void test_beacon_payload(void **state)
{
    (void)state;
    cairn_keypair kp, other;
    key_of(&kp, 1);
    key_of(&other, 2);
    cairn_hash seed = seed_of(7);
    uint8_t p[CAIRN_BEACON_PAYLOAD_LEN];
    assert_int_equal(cairn_beacon_make(p, CHAIN, 42, &seed, &kp), CAIRN_OK);
    assert_memory_equal(p, "CBK1", 4);
    cairn_beacon_payload b;
    assert_int_equal(cairn_beacon_payload_parse(&b, p, sizeof p), CAIRN_OK);
    assert_memory_equal(b.beaconer.b, kp.pk.b, 32);
    assert_int_equal(b.epoch, 42);
    uint8_t q[CAIRN_BEACON_PAYLOAD_LEN];
    cairn_beacon_payload_build(q, &b);
    assert_memory_equal(p, q, sizeof p);
    /* the signature binds chain, epoch, seed and key */
    assert_int_equal(cairn_beacon_verify(&b.sig, CHAIN, 42, &seed, &kp.pk),
                     CAIRN_OK);
    assert_int_equal(cairn_beacon_verify(&b.sig, "other", 42, &seed, &kp.pk),
                     CAIRN_ERR_BAD_SIG);
    assert_int_equal(cairn_beacon_verify(&b.sig, CHAIN, 43, &seed, &kp.pk),
                     CAIRN_ERR_BAD_SIG);
    cairn_hash seed2 = seed_of(8);
    assert_int_equal(cairn_beacon_verify(&b.sig, CHAIN, 42, &seed2, &kp.pk),
                     CAIRN_ERR_BAD_SIG);
    assert_int_equal(cairn_beacon_verify(&b.sig, CHAIN, 42, &seed, &other.pk),
                     CAIRN_ERR_BAD_SIG);
    assert_int_equal(cairn_beacon_verify(&b.sig, "", 42, &seed, &kp.pk),
                     CAIRN_ERR_CHAIN_ID);
    assert_int_equal(cairn_beacon_make(p, "bad chain", 42, &seed, &kp),
                     CAIRN_ERR_BAD_ARG);
    /* deterministic: the same inputs give the same payload */
    assert_int_equal(cairn_beacon_make(q, CHAIN, 42, &seed, &kp), CAIRN_OK);
    assert_int_equal(cairn_beacon_make(p, CHAIN, 42, &seed, &kp), CAIRN_OK);
    assert_memory_equal(p, q, sizeof p);
    /* refusals */
    for (size_t n = 0; n < sizeof p; n++)
        assert_int_equal(cairn_beacon_payload_parse(&b, p, n),
                         CAIRN_ERR_TRUNCATED);
    uint8_t big[CAIRN_BEACON_PAYLOAD_LEN + 1];
    memcpy(big, p, sizeof p);
    big[sizeof p] = 0;
    assert_int_equal(cairn_beacon_payload_parse(&b, big, sizeof big),
                     CAIRN_ERR_TRAILING);
    q[3] = '2';
    assert_int_equal(cairn_beacon_payload_parse(&b, q, sizeof q),
                     CAIRN_ERR_BAD_VERSION);
    /* payload hash is BLAKE2b-256 of the bytes */
    cairn_hash h1, h2;
    cairn_beacon_payload_hash(&h1, p, sizeof p);
    cairn_hash_bytes(&h2, p, sizeof p);
    assert_memory_equal(h1.b, h2.b, 32);
}

static cairn_witness_report report(const cairn_keypair *w, uint8_t beaconer)
{
    cairn_witness_report r;
    memset(&r, 0, sizeof r);
    memset(r.beaconer.b, beaconer, 32);
    r.epoch = 9;
    memset(r.payload_hash.b, 0xAB, 32);
    r.time_ms = 1700000000123ULL;
    r.freq_hz = 904300000;
    r.rssi_cdbm = -11250;
    r.snr_cdb = -725;
    assert_int_equal(cairn_witness_sign(&r, CHAIN, w), CAIRN_OK);
    return r;
}

static void test_witness_round_trip(void **state)
{
    (void)state;
    cairn_keypair kp;
    key_of(&kp, 3);
    cairn_witness_report r = report(&kp, 4), d;
    cairn_buf b;
    cairn_buf_init(&b, 1024);
    cairn_witness_encode(&b, &r);
    assert_int_equal(b.len, CAIRN_WITNESS_REPORT_LEN);
    assert_int_equal(cairn_witness_decode(&d, b.p, b.len), CAIRN_OK);
    assert_memory_equal(&d.witness, &kp.pk, 32);
    assert_int_equal(d.rssi_cdbm, -11250);
    assert_int_equal(d.snr_cdb, -725);
    assert_int_equal(d.time_ms, 1700000000123ULL);
    assert_int_equal(cairn_witness_verify(&d, CHAIN), CAIRN_OK);
    cairn_buf c;
    cairn_buf_init(&c, 1024);
    cairn_witness_encode(&c, &d);
    assert_int_equal(c.len, b.len);
    assert_memory_equal(c.p, b.p, b.len);
    cairn_buf_free(&c);
    /* refusals */
    for (size_t n = 0; n < b.len; n++)
        assert_int_equal(cairn_witness_decode(&d, b.p, n), CAIRN_ERR_TRUNCATED);
    cairn_put_u8(&b, 0);
    assert_int_equal(cairn_witness_decode(&d, b.p, b.len), CAIRN_ERR_TRAILING);
    b.p[0] = 2;
    assert_int_equal(cairn_witness_decode(&d, b.p, CAIRN_WITNESS_REPORT_LEN),
                     CAIRN_ERR_BAD_VERSION);
    cairn_buf_free(&b);
}

static void test_witness_signature(void **state)
{
    (void)state;
    cairn_keypair kp, other;
    key_of(&kp, 3);
    key_of(&other, 5);
    cairn_witness_report r = report(&kp, 4), t;
    assert_int_equal(cairn_witness_verify(&r, CHAIN), CAIRN_OK);
    assert_int_equal(cairn_witness_verify(&r, "cairn-other"),
                     CAIRN_ERR_BAD_SIG);
    assert_int_equal(cairn_witness_verify(&r, ""), CAIRN_ERR_CHAIN_ID);
    assert_int_equal(cairn_witness_sign(&r, "has space", &kp),
                     CAIRN_ERR_BAD_ARG);
    r = report(&kp, 4);
    /* each tampered field breaks the signature */
    t = r;
    t.rssi_cdbm += 100;
    assert_int_equal(cairn_witness_verify(&t, CHAIN), CAIRN_ERR_BAD_SIG);
    t = r;
    t.time_ms--;
    assert_int_equal(cairn_witness_verify(&t, CHAIN), CAIRN_ERR_BAD_SIG);
    t = r;
    t.payload_hash.b[31] ^= 1;
    assert_int_equal(cairn_witness_verify(&t, CHAIN), CAIRN_ERR_BAD_SIG);
    t = r;
    t.epoch++;
    assert_int_equal(cairn_witness_verify(&t, CHAIN), CAIRN_ERR_BAD_SIG);
    t = r;
    t.witness = other.pk; /* claims to be another hotspot */
    assert_int_equal(cairn_witness_verify(&t, CHAIN), CAIRN_ERR_BAD_SIG);
    t = r;
    t.sig.b[0] ^= 0x80;
    assert_int_equal(cairn_witness_verify(&t, CHAIN), CAIRN_ERR_BAD_SIG);
}

static void test_poc_witness_body(void **state)
{
    (void)state;
    cairn_keypair kp;
    cairn_witness_report in[CAIRN_POC_WITNESS_MAX];
    cairn_witness_report out[CAIRN_POC_WITNESS_MAX];
    for (int i = 0; i < CAIRN_POC_WITNESS_MAX; i++) {
        key_of(&kp, (uint8_t)(10 + i));
        in[i] = report(&kp, 4);
    }
    cairn_buf b;
    cairn_buf_init(&b, 1 << 14);
    assert_int_equal(cairn_poc_witness_encode(&b, in, 0), CAIRN_ERR_BAD_ARG);
    assert_int_equal(
        cairn_poc_witness_encode(&b, in, CAIRN_POC_WITNESS_MAX + 1),
        CAIRN_ERR_BAD_ARG);
    assert_int_equal(cairn_poc_witness_encode(&b, in, CAIRN_POC_WITNESS_MAX),
                     CAIRN_OK);
    assert_int_equal(b.len,
                     1 + CAIRN_POC_WITNESS_MAX * CAIRN_WITNESS_REPORT_LEN);
    size_t n = 0;
    assert_int_equal(cairn_poc_witness_decode(out, &n, b.p, b.len), CAIRN_OK);
    assert_int_equal(n, CAIRN_POC_WITNESS_MAX);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(cairn_witness_verify(&out[i], CHAIN), CAIRN_OK);
    assert_int_equal(cairn_poc_witness_decode(out, &n, b.p, b.len - 1),
                     CAIRN_ERR_TRUNCATED);
    assert_int_equal(n, 0);
    cairn_buf_reset(&b);
    assert_int_equal(cairn_poc_witness_encode(&b, in, 2), CAIRN_OK);
    cairn_put_u8(&b, 1);
    assert_int_equal(cairn_poc_witness_decode(out, &n, b.p, b.len),
                     CAIRN_ERR_TRAILING);
    b.p[0] = 0;
    assert_int_equal(cairn_poc_witness_decode(out, &n, b.p, b.len),
                     CAIRN_ERR_BAD_BODY);
    b.p[0] = CAIRN_POC_WITNESS_MAX + 1;
    assert_int_equal(cairn_poc_witness_decode(out, &n, b.p, b.len),
                     CAIRN_ERR_BAD_BODY);
    assert_int_equal(cairn_poc_witness_decode(out, &n, b.p, 0),
                     CAIRN_ERR_TRUNCATED);
    cairn_buf_free(&b);
}

static void assert_same(const cairn_hotspot_assert *a,
                        const cairn_hotspot_assert *b)
{
    assert_int_equal(a->lat_udeg, b->lat_udeg);
    assert_int_equal(a->lon_udeg, b->lon_udeg);
    assert_int_equal(a->gain_cdbi, b->gain_cdbi);
    assert_int_equal(a->elevation_m, b->elevation_m);
    assert_int_equal(a->tx_power_cdbm, b->tx_power_cdbm);
}

static void test_assert_body(void **state)
{
    (void)state;
    cairn_hotspot_assert a = {37774900, -122419400, 300, 12, 2700}, d;
    cairn_buf b;
    cairn_buf_init(&b, 64);
    cairn_hotspot_assert_encode(&b, &a);
    assert_int_equal(b.len, CAIRN_HOTSPOT_ASSERT_LEN);
    assert_int_equal(cairn_hotspot_assert_decode(&d, b.p, b.len), CAIRN_OK);
    assert_same(&a, &d);
    for (size_t n = 0; n < b.len; n++)
        assert_int_equal(cairn_hotspot_assert_decode(&d, b.p, n),
                         CAIRN_ERR_TRUNCATED);
    cairn_put_u8(&b, 0);
    assert_int_equal(cairn_hotspot_assert_decode(&d, b.p, b.len),
                     CAIRN_ERR_TRAILING);
    /* bounds */
    cairn_hotspot_assert bad[] = {
        {90000001, 0, 0, 0, 0},  {-90000001, 0, 0, 0, 0},
        {0, 180000000, 0, 0, 0}, {0, -180000001, 0, 0, 0},
        {0, 0, -1001, 0, 0},     {0, 0, 3001, 0, 0},
        {0, 0, 0, 0, -1},        {0, 0, 0, 0, 3601},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cairn_buf_reset(&b);
        cairn_hotspot_assert_encode(&b, &bad[i]);
        assert_int_equal(cairn_hotspot_assert_decode(&d, b.p, b.len),
                         CAIRN_ERR_BAD_BODY);
    }
    cairn_hotspot_assert edge[] = {
        {90000000, -180000000, -1000, 65535, 0},
        {-90000000, 179999999, 3000, 0, 3600},
    };
    for (size_t i = 0; i < 2; i++) {
        cairn_buf_reset(&b);
        cairn_hotspot_assert_encode(&b, &edge[i]);
        assert_int_equal(cairn_hotspot_assert_decode(&d, b.p, b.len), CAIRN_OK);
        assert_same(&edge[i], &d);
    }
    cairn_buf_free(&b);
}

static void test_beacon_body(void **state)
{
    (void)state;
    cairn_poc_beacon x, d;
    memset(&x, 0, sizeof x);
    x.epoch = 77;
    memset(x.sig.b, 0x5A, 64);
    x.time_ms = 1700000001000ULL;
    x.freq_hz = 904300000;
    cairn_buf b;
    cairn_buf_init(&b, 256);
    cairn_poc_beacon_encode(&b, &x);
    assert_int_equal(b.len, CAIRN_POC_BEACON_LEN);
    assert_int_equal(cairn_poc_beacon_decode(&d, b.p, b.len), CAIRN_OK);
    assert_memory_equal(&x, &d, sizeof x);
    for (size_t n = 0; n < b.len; n++)
        assert_int_equal(cairn_poc_beacon_decode(&d, b.p, n),
                         CAIRN_ERR_TRUNCATED);
    cairn_put_u8(&b, 0);
    assert_int_equal(cairn_poc_beacon_decode(&d, b.p, b.len),
                     CAIRN_ERR_TRAILING);
    cairn_buf_free(&b);
}

static void test_appeal_body(void **state)
{
    (void)state;
    cairn_keypair kp;
    key_of(&kp, 1);
    cairn_hash seed = seed_of(9);
    cairn_poc_appeal a, d;
    memset(&a, 0, sizeof a);
    a.type = CAIRN_APPEAL_NOT_REPORTED;
    a.beaconer = kp.pk;
    a.epoch = 5;
    memset(a.witness.b, 3, 32);
    assert_int_equal(cairn_beacon_make(a.payload, CHAIN, 5, &seed, &kp),
                     CAIRN_OK);
    cairn_buf b;
    cairn_buf_init(&b, 512);
    cairn_poc_appeal_encode(&b, &a);
    assert_int_equal(b.len, CAIRN_POC_APPEAL_LEN);
    assert_int_equal(b.len, 181);
    assert_int_equal(cairn_poc_appeal_decode(&d, b.p, b.len), CAIRN_OK);
    assert_memory_equal(&a, &d, sizeof a);
    for (size_t n = 0; n < b.len; n++)
        assert_int_equal(cairn_poc_appeal_decode(&d, b.p, n),
                         CAIRN_ERR_TRUNCATED);
    cairn_put_u8(&b, 0);
    assert_int_equal(cairn_poc_appeal_decode(&d, b.p, b.len),
                     CAIRN_ERR_TRAILING);
    b.p[0] = 2;
    assert_int_equal(cairn_poc_appeal_decode(&d, b.p, CAIRN_POC_APPEAL_LEN),
                     CAIRN_ERR_BAD_VERSION);
    cairn_buf_free(&b);
}

static void test_slot(void **state)
{
    (void)state;
    cairn_keypair kp;
    cairn_hash seed = seed_of(1);
    /* span = 10 - 3 - 1 = 6: slots in [start, start + 6) */
    uint64_t seen[6] = {0};
    for (int i = 0; i < 200; i++) {
        key_of(&kp, (uint8_t)i);
        uint64_t s = cairn_beacon_slot(&seed, &kp.pk, 100, 10, 3);
        assert_true(s >= 100 && s < 106);
        seen[s - 100]++;
        assert_int_equal(s, cairn_beacon_slot(&seed, &kp.pk, 100, 10, 3));
    }
    for (int i = 0; i < 6; i++)
        assert_true(seen[i] > 0);
    /* span < 1: no beacons */
    assert_int_equal(cairn_beacon_slot(&seed, &kp.pk, 100, 4, 3),
                     CAIRN_SLOT_NONE);
    assert_int_equal(cairn_beacon_slot(&seed, &kp.pk, 100, 3, 3),
                     CAIRN_SLOT_NONE);
    assert_int_equal(cairn_beacon_slot(&seed, &kp.pk, 100, 5, 3), 100);
}

int main(void)
{
    cairn_crypto_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_beacon_payload),
        cmocka_unit_test(test_witness_round_trip),
        cmocka_unit_test(test_witness_signature),
        cmocka_unit_test(test_poc_witness_body),
        cmocka_unit_test(test_assert_body),
        cmocka_unit_test(test_beacon_body),
        cmocka_unit_test(test_appeal_body),
        cmocka_unit_test(test_slot),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
