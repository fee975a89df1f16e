/* Unit tests of lottery tickets (include/cairn/ticket.h): the encoding
 * round trip and its refusals (every truncation, a trailing byte, magic,
 * chain id); forged signatures, tampered fields, a wrong chain id and a
 * wrong revealed random number refused; the ticket id; the expected value;
 * and, with fixed keys and seeds, 20,000 tickets of win probability 1/100
 * win within 5 sigma of 200, so that what they pay is within the same
 * bound of 20,000 × EV. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/ticket.h"

#define CHAIN "cairn-test"

static void key_of(cairn_keypair *kp, uint8_t tag)
{
    uint8_t seed[CAIRN_SEED_LEN];
    memset(seed, tag, sizeof seed);
    cairn_keypair_from_seed(kp, seed);
}

static void rand_of(uint8_t rand[CAIRN_TICKET_RAND_LEN], uint64_t i)
{
    cairn_hash h;
    cairn_hash_bytes(&h, &i, sizeof i);
    memcpy(rand, h.b, CAIRN_TICKET_RAND_LEN);
}

/* A ticket from key 1 to key 2 for rand, signed. */
static cairn_ticket make(const uint8_t rand[CAIRN_TICKET_RAND_LEN])
{
    cairn_keypair s, r;
    cairn_ticket t;
    memset(&t, 0, sizeof t);
    key_of(&s, 1);
    key_of(&r, 2);
    assert_int_equal(cairn_ticket_set_chain(&t, CHAIN), CAIRN_OK);
    t.recipient = r.pk;
    t.face_value = 1000000;
    t.win_prob = UINT64_MAX / 100;
    t.nonce = 7;
    t.expiration = 12345;
    cairn_ticket_rand_hash(&t.rand_hash, rand);
    assert_int_equal(cairn_ticket_sign(&t, &s), CAIRN_OK);
    assert_memory_equal(t.sender.b, s.pk.b, CAIRN_PK_LEN);
    cairn_keypair_wipe(&s);
    cairn_keypair_wipe(&r);
    return t;
}

static void encode(cairn_buf *b, const cairn_ticket *t)
{
    cairn_buf_init(b, CAIRN_TICKET_MAX_BYTES);
    cairn_ticket_encode(b, t);
    assert_int_equal(b->err, CAIRN_OK);
}

static void test_round_trip(void **state)
{
    uint8_t rand[32];
    rand_of(rand, 1);
    cairn_ticket t = make(rand), u;
    cairn_buf b, b2;
    encode(&b, &t);
    assert_int_equal(b.len, CAIRN_TICKET_MIN_BYTES - 1 + strlen(CHAIN));
    assert_int_equal(cairn_ticket_decode(&u, b.p, b.len), CAIRN_OK);
    assert_memory_equal(u.sender.b, t.sender.b, CAIRN_PK_LEN);
    assert_memory_equal(u.recipient.b, t.recipient.b, CAIRN_PK_LEN);
    assert_memory_equal(u.rand_hash.b, t.rand_hash.b, CAIRN_HASH_LEN);
    assert_memory_equal(u.sig.b, t.sig.b, CAIRN_SIG_LEN);
    assert_true(u.face_value == t.face_value && u.win_prob == t.win_prob &&
                u.nonce == t.nonce && u.expiration == t.expiration);
    assert_string_equal(u.chain_id, CHAIN);
    encode(&b2, &u);
    assert_int_equal(b2.len, b.len);
    assert_memory_equal(b.p, b2.p, b.len);
    assert_int_equal(cairn_ticket_verify(&u, CHAIN), CAIRN_OK);
    /* every strict prefix is truncated; one byte more is trailing */
    uint8_t *p = malloc(b.len + 1);
    assert_non_null(p);
    memcpy(p, b.p, b.len);
    p[b.len] = 0;
    assert_int_equal(cairn_ticket_decode(&u, p, 0), CAIRN_ERR_TRUNCATED);
    for (size_t i = 1; i < b.len; i++)
        assert_int_equal(cairn_ticket_decode(&u, p, i), CAIRN_ERR_TRUNCATED);
    assert_int_equal(cairn_ticket_decode(&u, p, b.len + 1), CAIRN_ERR_TRAILING);
    free(p);
    cairn_buf_free(&b);
    cairn_buf_free(&b2);
}

static void test_decode_refusals(void **state)
{
    uint8_t rand[32];
    rand_of(rand, 2);
    cairn_ticket t = make(rand), u;
    cairn_buf b;
    encode(&b, &t);
    b.p[0] = 0xC1; /* a transaction's magic */
    assert_int_equal(cairn_ticket_decode(&u, b.p, b.len),
                     CAIRN_ERR_BAD_VERSION);
    b.p[0] = CAIRN_TICKET_MAGIC;
    b.p[2] = ' '; /* a space in the chain id */
    assert_int_equal(cairn_ticket_decode(&u, b.p, b.len), CAIRN_ERR_CHAIN_ID);
    b.p[2] = CHAIN[0];
    b.p[1] = CAIRN_CHAIN_ID_MAX + 1;
    assert_int_equal(cairn_ticket_decode(&u, b.p, b.len), CAIRN_ERR_TOO_LARGE);
    b.p[1] = 0xFF;
    assert_int_equal(cairn_ticket_decode(&u, b.p, b.len), CAIRN_ERR_TOO_LARGE);
    /* an empty chain id: the bytes after it shift by the old length */
    uint8_t e[CAIRN_TICKET_MAX_BYTES];
    size_t n = 0, cl = strlen(CHAIN);
    e[n++] = CAIRN_TICKET_MAGIC;
    e[n++] = 0;
    memcpy(e + n, b.p + 2 + cl, b.len - 2 - cl);
    n += b.len - 2 - cl;
    assert_int_equal(cairn_ticket_decode(&u, e, n), CAIRN_ERR_CHAIN_ID);
    /* set_chain bounds */
    assert_int_equal(cairn_ticket_set_chain(&u, ""), CAIRN_ERR_BAD_ARG);
    assert_int_equal(cairn_ticket_set_chain(&u, "a b"), CAIRN_ERR_BAD_ARG);
    assert_int_equal(
        cairn_ticket_set_chain(&u, "123456789012345678901234567890123"),
        CAIRN_ERR_BAD_ARG);
    assert_int_equal(
        cairn_ticket_set_chain(&u, "12345678901234567890123456789012"),
        CAIRN_OK);
    cairn_buf_free(&b);
}

/* Any change to a signed field, the signature or the signer is refused. */
static void test_forgery(void **state)
{
    uint8_t rand[32];
    rand_of(rand, 3);
    const cairn_ticket good = make(rand);
    cairn_ticket t = good;
    assert_int_equal(cairn_ticket_verify(&t, CHAIN), CAIRN_OK);
    /* signed by another key, claiming to be the sender */
    cairn_keypair mallory;
    key_of(&mallory, 9);
    assert_int_equal(cairn_ticket_sign(&t, &mallory), CAIRN_OK);
    t.sender = good.sender;
    assert_int_equal(cairn_ticket_verify(&t, CHAIN), CAIRN_ERR_BAD_SIG);
    cairn_keypair_wipe(&mallory);
    /* each byte of the encoding after the chain id, flipped */
    cairn_buf b;
    encode(&b, &good);
    for (size_t i = 2 + strlen(CHAIN); i < b.len; i++) {
        b.p[i] ^= 0x01;
        assert_int_equal(cairn_ticket_decode(&t, b.p, b.len), CAIRN_OK);
        assert_int_equal(cairn_ticket_verify(&t, CHAIN), CAIRN_ERR_BAD_SIG);
        b.p[i] ^= 0x01;
    }
    /* another chain: refused by name, and a ticket re-labelled for it
     * does not verify there */
    t = good;
    assert_int_equal(cairn_ticket_verify(&t, "cairn-main"), CAIRN_ERR_CHAIN_ID);
    assert_int_equal(cairn_ticket_verify(&t, "cairn-tes"), CAIRN_ERR_CHAIN_ID);
    assert_int_equal(cairn_ticket_set_chain(&t, "cairn-main"), CAIRN_OK);
    assert_int_equal(cairn_ticket_verify(&t, "cairn-main"), CAIRN_ERR_BAD_SIG);
    cairn_buf_free(&b);
}

static void test_rand_commitment(void **state)
{
    uint8_t rand[32], other[32];
    rand_of(rand, 4);
    rand_of(other, 5);
    cairn_ticket t = make(rand);
    assert_int_equal(cairn_ticket_rand_check(&t, rand), CAIRN_OK);
    assert_int_equal(cairn_ticket_rand_check(&t, other), CAIRN_ERR_BAD_PROOF);
    rand[31] ^= 0x80;
    assert_int_equal(cairn_ticket_rand_check(&t, rand), CAIRN_ERR_BAD_PROOF);
    /* the commitment is domain-separated, not the bare hash */
    cairn_hash bare;
    rand[31] ^= 0x80;
    cairn_hash_bytes(&bare, rand, 32);
    assert_memory_not_equal(bare.b, t.rand_hash.b, 32);
}

/* The id is the hash of the signed message: the signature is not in it. */
static void test_ticket_id(void **state)
{
    uint8_t rand[32];
    rand_of(rand, 6);
    cairn_ticket t = make(rand);
    cairn_hash id, id2, want;
    cairn_ticket_id(&id, &t);
    cairn_buf b, m;
    encode(&b, &t);
    cairn_buf_init(&m, 512);
    cairn_put_bytes(&m, "cairn-ticket-v1", 15);
    cairn_put_bytes(&m, b.p, b.len - CAIRN_SIG_LEN);
    cairn_hash_bytes(&want, m.p, m.len);
    assert_memory_equal(id.b, want.b, 32);
    t.sig.b[0] ^= 1;
    cairn_ticket_id(&id2, &t);
    assert_memory_equal(id.b, id2.b, 32);
    t.nonce++;
    cairn_ticket_id(&id2, &t);
    assert_memory_not_equal(id.b, id2.b, 32);
    cairn_buf_free(&b);
    cairn_buf_free(&m);
}

static void test_expected_value(void **state)
{
    cairn_ticket t;
    memset(&t, 0, sizeof t);
    t.face_value = 100;
    t.win_prob = 1ull << 63;
    assert_int_equal(cairn_ticket_ev(&t), 50);
    t.face_value = UINT64_MAX;
    t.win_prob = UINT64_MAX;
    assert_true(cairn_ticket_ev(&t) == UINT64_MAX - 1);
    t.win_prob = 0;
    assert_int_equal(cairn_ticket_ev(&t), 0);
    assert_true(cairn_ticket_win_prob_for(1, 100) == UINT64_MAX / 100);
    assert_true(cairn_ticket_win_prob_for(100, 100) == UINT64_MAX);
    assert_true(cairn_ticket_win_prob_for(500, 100) == UINT64_MAX);
    assert_int_equal(cairn_ticket_win_prob_for(5, 0), 0);
    /* face F at EV F/100 gives back EV within one unit */
    t.face_value = 1000000;
    t.win_prob = cairn_ticket_win_prob_for(10000, t.face_value);
    assert_true(cairn_ticket_ev(&t) == 9999 || cairn_ticket_ev(&t) == 10000);
    /* win_prob 0 never wins, 2^64 - 1 wins all but 2^-64 of the time */
    uint8_t rand[32];
    rand_of(rand, 7);
    t = make(rand);
    t.win_prob = 0;
    assert_false(cairn_ticket_wins(&t, rand));
    t.win_prob = UINT64_MAX;
    assert_true(cairn_ticket_wins(&t, rand));
}

/* 20,000 tickets, nonces 0..N-1 under one committed random number, each
 * re-signed: winners ~ Binomial(N, 1/100), mean 200, sigma 14.07. */
static void test_win_rate(void **state)
{
    enum { N = 20000 };
    const uint64_t face = 1000000;
    uint8_t rand[32];
    rand_of(rand, 8);
    cairn_ticket t = make(rand);
    cairn_keypair s;
    key_of(&s, 1);
    t.face_value = face;
    t.win_prob = cairn_ticket_win_prob_for(face / 100, face);
    uint64_t ev = cairn_ticket_ev(&t), winners = 0;
    for (uint64_t i = 0; i < N; i++) {
        t.nonce = i;
        assert_int_equal(cairn_ticket_sign(&t, &s), CAIRN_OK);
        if (cairn_ticket_wins(&t, rand)) {
            winners++;
            assert_int_equal(cairn_ticket_verify(&t, CHAIN), CAIRN_OK);
            assert_int_equal(cairn_ticket_rand_check(&t, rand), CAIRN_OK);
        }
    }
    cairn_keypair_wipe(&s);
    /* |W - N/100| <= 5 sigma, sigma^2 = N · (1/100) · (99/100) = 198 */
    int64_t dev = (int64_t)winners - N / 100;
    print_message("%llu of %d tickets won (expected %d, 5 sigma = 70.4); "
                  "paid %llu vs N x EV = %llu\n",
                  (unsigned long long)winners, N, N / 100,
                  (unsigned long long)(winners * face),
                  (unsigned long long)(N * ev));
    assert_true(dev * dev <= 25 * 198);
    /* so the total paid is N × EV within 5 sigma of face value (plus the
     * EV's rounding, under 1 unit per ticket) */
    int64_t paid_dev = (int64_t)(winners * face) - (int64_t)(N * ev);
    assert_true(paid_dev * paid_dev <=
                25 * 198 * (int64_t)(face * face) + (int64_t)N * N);
}

int main(void)
{
    cairn_crypto_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_decode_refusals),
        cmocka_unit_test(test_forgery),
        cmocka_unit_test(test_rand_commitment),
        cmocka_unit_test(test_ticket_id),
        cmocka_unit_test(test_expected_value),
        cmocka_unit_test(test_win_rate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
