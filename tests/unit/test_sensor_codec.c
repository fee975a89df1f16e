/* Unit tests of the sensor wire formats (include/cairn/sensor.h): the
 * pairing signature, the signed batch header and every 0x70..0x77 body:
 * round trips with fixed lengths, every truncation, a trailing byte, values
 * out of range, a forged or tampered signature and a wrong chain id. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/sensor.h"

#define CHAIN "cairn-test"

static void key_of(cairn_keypair *kp, uint8_t tag)
{
    uint8_t seed[CAIRN_SEED_LEN];
    memset(seed, tag, sizeof seed);
    cairn_keypair_from_seed(kp, seed);
}

static cairn_pubkey pk_of(uint8_t tag)
{
    cairn_pubkey p;
    memset(p.b, tag, sizeof p.b);
    return p;
}

/* A decoder under test: every body below goes through one of these. */
typedef cairn_err (*decode_fn)(const uint8_t *d, size_t n);

/* Every proper prefix is TRUNCATED, one extra byte is TRAILING. */
static void check_bounds(decode_fn f, const uint8_t *p, size_t n)
{
    assert_int_equal(f(p, n), CAIRN_OK);
    for (size_t k = 0; k < n; k++)
        assert_int_equal(f(p, k), CAIRN_ERR_TRUNCATED);
    uint8_t *big = malloc(n + 1);
    assert_non_null(big);
    memcpy(big, p, n);
    big[n] = 0;
    assert_int_equal(f(big, n + 1), CAIRN_ERR_TRAILING);
    free(big);
}

static void test_pair(void **state)
{
    (void)state;
    cairn_keypair dev, other;
    key_of(&dev, 1);
    key_of(&other, 2);
    cairn_pubkey owner = pk_of(9), owner2 = pk_of(10);
    cairn_sensor_pair p = {.device = dev.pk, .generation = 3};
    assert_int_equal(cairn_sensor_pair_sign(&p.sig, CHAIN, &owner, 3, &dev),
                     CAIRN_OK);
    assert_int_equal(
        cairn_sensor_pair_verify(&p.sig, CHAIN, &owner, &dev.pk, 3), CAIRN_OK);
    /* bound to chain, owner, device and generation */
    assert_int_equal(
        cairn_sensor_pair_verify(&p.sig, "other", &owner, &dev.pk, 3),
        CAIRN_ERR_BAD_SIG);
    assert_int_equal(
        cairn_sensor_pair_verify(&p.sig, CHAIN, &owner2, &dev.pk, 3),
        CAIRN_ERR_BAD_SIG);
    assert_int_equal(
        cairn_sensor_pair_verify(&p.sig, CHAIN, &owner, &other.pk, 3),
        CAIRN_ERR_BAD_SIG);
    assert_int_equal(
        cairn_sensor_pair_verify(&p.sig, CHAIN, &owner, &dev.pk, 2),
        CAIRN_ERR_BAD_SIG);
    assert_int_equal(cairn_sensor_pair_verify(&p.sig, "", &owner, &dev.pk, 3),
                     CAIRN_ERR_BAD_SIG);
    cairn_sig s;
    assert_int_equal(cairn_sensor_pair_sign(&s, "bad chain", &owner, 3, &dev),
                     CAIRN_ERR_BAD_ARG);
    assert_int_equal(cairn_sensor_pair_sign(&s, "", &owner, 3, &dev),
                     CAIRN_ERR_BAD_ARG);

    cairn_buf b;
    cairn_buf_init(&b, 1024);
    cairn_sensor_pair_encode(&b, &p);
    assert_int_equal(b.len, 100);
    cairn_sensor_pair d;
    assert_int_equal(cairn_sensor_pair_decode(&d, b.p, b.len), CAIRN_OK);
    assert_memory_equal(&d, &p, sizeof d);
    for (size_t k = 0; k < b.len; k++)
        assert_int_equal(cairn_sensor_pair_decode(&d, b.p, k),
                         CAIRN_ERR_TRUNCATED);
    cairn_put_u8(&b, 0);
    assert_int_equal(cairn_sensor_pair_decode(&d, b.p, b.len),
                     CAIRN_ERR_TRAILING);
    cairn_buf_free(&b);
}

static cairn_sensor_batch *batch_new(const cairn_keypair *dev, uint16_t nt,
                                     uint16_t nk)
{
    cairn_sensor_batch *x = calloc(1, sizeof *x);
    assert_non_null(x);
    x->device = dev->pk;
    x->seq = 7;
    x->ref_height = 100;
    x->t_from_ms = 1700000000000ULL;
    x->t_to_ms = 1700000060000ULL;
    memset(x->content.b, 0xC0, 32);
    memset(x->file_id, 0xF1, sizeof x->file_id);
    x->ntiles = nt;
    x->nkeys = nk;
    uint32_t readings = 0;
    for (uint16_t i = 0; i < nt; i++) {
        x->tiles[i].cell = 0x0900000000000000ULL + i;
        x->tiles[i].enter_ms = i * 100u;
        x->tiles[i].points = (uint16_t)(i + 1);
        x->tiles[i].q = (i & 1) ? -(int64_t)i * 1000 : (int64_t)i;
        readings += i + 1u;
    }
    x->readings = readings;
    for (uint16_t i = 0; i < nk; i++) {
        memset(x->keys[i].app.b, 0xA0 + i, 32);
        memset(x->keys[i].box, 0x50 + i, CAIRN_SENSOR_SEALED_LEN);
    }
    assert_int_equal(cairn_sensor_batch_sign(x, CHAIN, dev), CAIRN_OK);
    return x;
}

static cairn_sensor_batch scratch;

static cairn_err dec_batch(const uint8_t *d, size_t n)
{
    return cairn_sensor_batch_decode(&scratch, d, n);
}

static void test_batch(void **state)
{
    (void)state;
    cairn_keypair dev, other;
    key_of(&dev, 1);
    key_of(&other, 2);
    const uint16_t shapes[][2] = {
        {1, 0}, {3, 2}, {CAIRN_SENSOR_TILES_MAX, CAIRN_SENSOR_KEYS_MAX}};
    for (size_t s = 0; s < 3; s++) {
        cairn_sensor_batch *x = batch_new(&dev, shapes[s][0], shapes[s][1]);
        assert_int_equal(cairn_sensor_batch_verify(x, CHAIN), CAIRN_OK);
        cairn_buf b;
        cairn_buf_init(&b, 1 << 16);
        cairn_sensor_batch_encode(&b, x);
        size_t want = 32 + 32 + 32 + 16 + 4 + 2 + 22u * x->ntiles + 2 +
                      144u * x->nkeys + 64;
        assert_int_equal(b.len, want);
        cairn_sensor_batch *d = calloc(1, sizeof *d);
        assert_non_null(d);
        assert_int_equal(cairn_sensor_batch_decode(d, b.p, b.len), CAIRN_OK);
        assert_memory_equal(d, x, sizeof *d);
        assert_int_equal(cairn_sensor_batch_verify(d, CHAIN), CAIRN_OK);
        /* re-encodes to the same bytes */
        cairn_buf c;
        cairn_buf_init(&c, 1 << 16);
        cairn_sensor_batch_encode(&c, d);
        assert_int_equal(c.len, b.len);
        assert_memory_equal(c.p, b.p, b.len);
        if (s < 2)
            check_bounds(dec_batch, b.p, b.len);
        cairn_buf_free(&c);
        cairn_buf_free(&b);
        free(d);
        free(x);
    }

    cairn_sensor_batch *x = batch_new(&dev, 2, 1);
    /* wrong chain id, tampered fields, a device it is not */
    assert_int_equal(cairn_sensor_batch_verify(x, "other"), CAIRN_ERR_BAD_SIG);
    assert_int_equal(cairn_sensor_batch_verify(x, "bad chain"),
                     CAIRN_ERR_BAD_SIG);
    x->tiles[1].q++;
    assert_int_equal(cairn_sensor_batch_verify(x, CHAIN), CAIRN_ERR_BAD_SIG);
    x->tiles[1].q--;
    x->keys[0].box[5] ^= 1;
    assert_int_equal(cairn_sensor_batch_verify(x, CHAIN), CAIRN_ERR_BAD_SIG);
    x->keys[0].box[5] ^= 1;
    x->seq++;
    assert_int_equal(cairn_sensor_batch_verify(x, CHAIN), CAIRN_ERR_BAD_SIG);
    x->seq--;
    assert_int_equal(cairn_sensor_batch_verify(x, CHAIN), CAIRN_OK);
    cairn_sensor_batch *f = batch_new(&dev, 2, 1);
    f->device = other.pk; /* claims another device, signed by dev */
    assert_int_equal(cairn_sensor_batch_verify(f, CHAIN), CAIRN_ERR_BAD_SIG);
    assert_int_equal(cairn_sensor_batch_sign(f, "bad chain", &other),
                     CAIRN_ERR_BAD_ARG);
    free(f);

    /* values out of range */
    cairn_buf b;
    cairn_buf_init(&b, 1 << 16);
    cairn_sensor_batch_encode(&b, x);
    uint8_t *p = b.p;
    size_t ntoff = 32 + 32 + 32 + 16 + 4;
    p[ntoff] = 0;
    p[ntoff + 1] = 0; /* ntiles 0 */
    assert_int_equal(dec_batch(p, b.len), CAIRN_ERR_BAD_BODY);
    p[ntoff] = (uint8_t)(CAIRN_SENSOR_TILES_MAX + 1);
    p[ntoff + 1] = (uint8_t)((CAIRN_SENSOR_TILES_MAX + 1) >> 8);
    assert_int_equal(dec_batch(p, b.len), CAIRN_ERR_BAD_BODY);
    p[ntoff] = 2;
    p[ntoff + 1] = 0;
    size_t nkoff = ntoff + 2 + 2 * 22;
    p[nkoff] = CAIRN_SENSOR_KEYS_MAX + 1;
    assert_int_equal(dec_batch(p, b.len), CAIRN_ERR_BAD_BODY);
    p[nkoff] = 1;
    assert_int_equal(dec_batch(p, b.len), CAIRN_OK);
    /* t_from > t_to */
    x->t_from_ms = x->t_to_ms + 1;
    cairn_buf_reset(&b);
    cairn_sensor_batch_encode(&b, x);
    assert_int_equal(dec_batch(b.p, b.len), CAIRN_ERR_BAD_BODY);
    cairn_buf_free(&b);
    free(x);
}

static cairn_err dec_transfer(const uint8_t *d, size_t n)
{
    cairn_pubkey a, o;
    return cairn_sensor_transfer_decode(&a, &o, d, n);
}

static cairn_err dec_revoke(const uint8_t *d, size_t n)
{
    cairn_pubkey a, o;
    return cairn_sensor_revoke_decode(&a, &o, d, n);
}

static cairn_err dec_grant(const uint8_t *d, size_t n)
{
    cairn_sensor_grant g;
    return cairn_sensor_grant_decode(&g, d, n);
}

static cairn_err dec_pay(const uint8_t *d, size_t n)
{
    cairn_sensor_pay g;
    return cairn_sensor_pay_decode(&g, d, n);
}

static cairn_err dec_bounty(const uint8_t *d, size_t n)
{
    cairn_sensor_bounty g;
    return cairn_sensor_bounty_decode(&g, d, n);
}

static cairn_err dec_map(const uint8_t *d, size_t n)
{
    uint64_t c;
    return cairn_sensor_map_read_decode(&c, d, n);
}

static void test_bodies(void **state)
{
    (void)state;
    cairn_buf b;
    cairn_buf_init(&b, 1024);
    cairn_pubkey dev = pk_of(1), app = pk_of(2), x, y;

    cairn_sensor_transfer_encode(&b, &dev, &app);
    assert_int_equal(b.len, 64);
    assert_int_equal(cairn_sensor_transfer_decode(&x, &y, b.p, b.len),
                     CAIRN_OK);
    assert_memory_equal(&x, &dev, 32);
    assert_memory_equal(&y, &app, 32);
    check_bounds(dec_transfer, b.p, b.len);
    cairn_buf_reset(&b);
    cairn_sensor_revoke_encode(&b, &dev, &app);
    assert_int_equal(b.len, 64);
    assert_int_equal(cairn_sensor_revoke_decode(&x, &y, b.p, b.len), CAIRN_OK);
    assert_memory_equal(&y, &app, 32);
    check_bounds(dec_revoke, b.p, b.len);

    /* memset first: the structs have padding that memcmp sees */
    cairn_sensor_grant g, gd;
    memset(&g, 0, sizeof g);
    g.device = dev;
    g.app = app;
    g.privileges = CAIRN_SENSOR_PRIV_LOCATION;
    g.expiry_epoch = 99;
    g.price = 1234567;
    cairn_buf_reset(&b);
    cairn_sensor_grant_encode(&b, &g);
    assert_int_equal(b.len, 84);
    assert_int_equal(cairn_sensor_grant_decode(&gd, b.p, b.len), CAIRN_OK);
    assert_memory_equal(&gd, &g, sizeof g);
    check_bounds(dec_grant, b.p, b.len);
    uint32_t bad_priv[] = {0, 4, 0x80000000u, 7};
    for (size_t i = 0; i < 4; i++) {
        g.privileges = bad_priv[i];
        cairn_buf_reset(&b);
        cairn_sensor_grant_encode(&b, &g);
        assert_int_equal(cairn_sensor_grant_decode(&gd, b.p, b.len),
                         CAIRN_ERR_BAD_BODY);
    }

    cairn_sensor_pay p, pd;
    memset(&p, 0, sizeof p);
    p.device = dev;
    p.periods = 3;
    p.max_price = 77;
    cairn_buf_reset(&b);
    cairn_sensor_pay_encode(&b, &p);
    assert_int_equal(b.len, 44);
    assert_int_equal(cairn_sensor_pay_decode(&pd, b.p, b.len), CAIRN_OK);
    assert_memory_equal(&pd, &p, sizeof p);
    check_bounds(dec_pay, b.p, b.len);
    p.periods = 0;
    cairn_buf_reset(&b);
    cairn_sensor_pay_encode(&b, &p);
    assert_int_equal(cairn_sensor_pay_decode(&pd, b.p, b.len),
                     CAIRN_ERR_BAD_BODY);

    cairn_sensor_bounty o, od;
    memset(&o, 0, sizeof o);
    o.cell = 0x0912345678ULL;
    o.amount = 5;
    o.epochs = 7;
    cairn_buf_reset(&b);
    cairn_sensor_bounty_encode(&b, &o);
    assert_int_equal(b.len, 20);
    assert_int_equal(cairn_sensor_bounty_decode(&od, b.p, b.len), CAIRN_OK);
    assert_memory_equal(&od, &o, sizeof o);
    check_bounds(dec_bounty, b.p, b.len);
    o.amount = 0;
    cairn_buf_reset(&b);
    cairn_sensor_bounty_encode(&b, &o);
    assert_int_equal(cairn_sensor_bounty_decode(&od, b.p, b.len),
                     CAIRN_ERR_BAD_BODY);
    o.amount = 5;
    o.epochs = 0;
    cairn_buf_reset(&b);
    cairn_sensor_bounty_encode(&b, &o);
    assert_int_equal(cairn_sensor_bounty_decode(&od, b.p, b.len),
                     CAIRN_ERR_BAD_BODY);

    uint64_t cell;
    cairn_buf_reset(&b);
    cairn_sensor_map_read_encode(&b, 0x0102030405060708ULL);
    assert_int_equal(b.len, 8);
    assert_int_equal(b.p[0], 0x08); /* little-endian */
    assert_int_equal(cairn_sensor_map_read_decode(&cell, b.p, b.len), CAIRN_OK);
    assert_true(cell == 0x0102030405060708ULL);
    check_bounds(dec_map, b.p, b.len);
    cairn_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pair),
        cmocka_unit_test(test_batch),
        cmocka_unit_test(test_bodies),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
