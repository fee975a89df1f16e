/* File name records on a real chain (FILE_NAME, tag 0x55) and their
 * sealing (src/storage/client/names.h): a record set, replaced, listed in
 * id order with paging, deleted; deleting an absent one fails (not_found)
 * and changes nothing; bad bodies are refused at admission; records are
 * per owner; only the minimum fee is paid; the chain replays to the same
 * root and the books balance. Sealed blobs open only for their owner, id
 * and key; the plaintext is padded and bounded. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "deal_fixture.h"

#include <sodium.h>

#include "storage/client/names.h"

#define ECON "{\"epoch_blocks\": 4}"

enum { ALICE = 2, BOB = 3 };

static void id_of(uint8_t id[CAIRN_FILE_ID_LEN], uint8_t v)
{
    memset(id, 0, CAIRN_FILE_ID_LEN);
    id[0] = v;
    id[15] = (uint8_t)(0xA0 ^ v);
}

/* A FILE_NAME body for id with blob[0..len). */
static void name_body(cairn_buf *b, const uint8_t id[CAIRN_FILE_ID_LEN],
                      const uint8_t *blob, uint16_t len)
{
    cairn_file_name f = {.len = len, .blob = blob};
    memcpy(f.id, id, CAIRN_FILE_ID_LEN);
    cairn_file_name_encode(b, &f);
    assert_int_equal(b->err, CAIRN_OK);
}

/* The records of keys[who] after `after` (NULL: all), max at a time. */
static size_t names_of(twin *t, int who, const uint8_t *after,
                       cairn_name_record *out, size_t max, int *more)
{
    size_t n;
    assert_int_equal(cairn_chain_file_names(t->c[0], &fx_keys[who].pk, after,
                                            out, max, &n, more),
                     CAIRN_OK);
    return n;
}

static void test_codec(void **state)
{
    cairn_buf b;
    cairn_file_name f;
    uint8_t id[CAIRN_FILE_ID_LEN], blob[CAIRN_FILE_NAME_MAX + 1];
    (void)state;
    memset(blob, 7, sizeof blob);
    id_of(id, 1);
    cairn_buf_init(&b, CAIRN_TX_BODY_MAX);
    name_body(&b, id, blob, CAIRN_FILE_NAME_MAX);
    assert_int_equal(b.len, 18 + CAIRN_FILE_NAME_MAX);
    assert_int_equal(cairn_file_name_decode(&f, b.p, b.len), CAIRN_OK);
    assert_memory_equal(f.id, id, CAIRN_FILE_ID_LEN);
    assert_int_equal(f.len, CAIRN_FILE_NAME_MAX);
    assert_ptr_equal(f.blob, b.p + 18);
    /* one byte short, one too many, header only with a length */
    assert_int_equal(cairn_file_name_decode(&f, b.p, b.len - 1),
                     CAIRN_ERR_BAD_BODY);
    assert_int_equal(cairn_file_name_decode(&f, b.p, 17), CAIRN_ERR_BAD_BODY);
    cairn_buf_reset(&b);
    name_body(&b, id, NULL, 0); /* delete: 18 bytes */
    assert_int_equal(b.len, 18);
    assert_int_equal(cairn_file_name_decode(&f, b.p, b.len), CAIRN_OK);
    assert_int_equal(f.len, 0);
    assert_null(f.blob);
    cairn_put_u8(&b, 0);
    assert_int_equal(cairn_file_name_decode(&f, b.p, b.len),
                     CAIRN_ERR_BAD_BODY); /* trailing byte */
    /* the encoder refuses a blob over the bound, or a missing one */
    cairn_buf_reset(&b);
    f.len = CAIRN_FILE_NAME_MAX + 1;
    f.blob = blob;
    cairn_file_name_encode(&b, &f);
    assert_int_equal(b.err, CAIRN_ERR_BAD_ARG);
    cairn_buf_free(&b);
    cairn_buf_init(&b, CAIRN_TX_BODY_MAX);
    f.len = 3;
    f.blob = NULL;
    cairn_file_name_encode(&b, &f);
    assert_int_equal(b.err, CAIRN_ERR_BAD_ARG);
    cairn_buf_free(&b);
}

/* Set, replace, list, page, delete; bad bodies and an absent record. */
static void test_chain(void **state)
{
    twin t;
    cairn_buf b;
    static cairn_name_record out[8];
    uint8_t id[5][CAIRN_FILE_ID_LEN], blob[CAIRN_FILE_NAME_MAX + 8];
    int more;
    (void)state;
    twin_open(&t, ECON);
    cairn_buf_init(&b, CAIRN_TX_BODY_MAX);
    memset(blob, 0x5A, sizeof blob);
    for (int i = 0; i < 5; i++)
        id_of(id[i], (uint8_t)(5 - i)); /* sent out of id order */

    uint64_t a0 = fx_account(&t, ALICE).balance;
    for (int i = 0; i < 5; i++) {
        blob[0] = (uint8_t)i;
        name_body(&b, id[i], blob, (uint16_t)(40 + i));
        both(&t, ALICE, CAIRN_TX_FILE_NAME, &b);
    }
    name_body(&b, id[0], blob, 1); /* bob's own record of the same id */
    both(&t, BOB, CAIRN_TX_FILE_NAME, &b);
    assert_int_equal(step(&t), CAIRN_OK);
    assert_int_equal(fx_account(&t, ALICE).balance, a0 - 5 * FEE);

    size_t n = names_of(&t, ALICE, NULL, out, 8, &more);
    assert_int_equal(n, 5);
    assert_false(more);
    for (size_t i = 0; i < n; i++) { /* id order: id[4] (1) .. id[0] (5) */
        assert_memory_equal(out[i].id, id[4 - i], CAIRN_FILE_ID_LEN);
        assert_int_equal(out[i].len, 40 + (4 - i));
        assert_int_equal(out[i].blob[0], 4 - i);
    }
    /* pages of two: after the last id of each */
    n = names_of(&t, ALICE, NULL, out, 2, &more);
    assert_int_equal(n, 2);
    assert_true(more);
    n = names_of(&t, ALICE, out[1].id, out, 2, &more);
    assert_int_equal(n, 2);
    assert_true(more);
    assert_memory_equal(out[0].id, id[2], CAIRN_FILE_ID_LEN);
    n = names_of(&t, ALICE, out[1].id, out, 2, &more);
    assert_int_equal(n, 1);
    assert_false(more);
    assert_memory_equal(out[0].id, id[0], CAIRN_FILE_ID_LEN);
    assert_int_equal(names_of(&t, BOB, NULL, out, 8, &more), 1);
    assert_int_equal(out[0].len, 1);

    /* replace: the largest blob */
    name_body(&b, id[2], blob, CAIRN_FILE_NAME_MAX);
    both(&t, ALICE, CAIRN_TX_FILE_NAME, &b);
    assert_int_equal(step(&t), CAIRN_OK);
    n = names_of(&t, ALICE, id[3], out, 1, &more);
    assert_memory_equal(out[0].id, id[2], CAIRN_FILE_ID_LEN);
    assert_int_equal(out[0].len, CAIRN_FILE_NAME_MAX);

    /* bad bodies: refused at admission, nothing changes */
    cairn_put_bytes(&b, id[0], CAIRN_FILE_ID_LEN);
    cairn_put_u16(&b, CAIRN_FILE_NAME_MAX + 1);
    cairn_put_bytes(&b, blob, CAIRN_FILE_NAME_MAX + 1);
    assert_int_equal(bad(&t, ALICE, CAIRN_TX_FILE_NAME, &b),
                     CAIRN_ERR_BAD_BODY);
    cairn_put_bytes(&b, id[0], CAIRN_FILE_ID_LEN);
    cairn_put_u16(&b, 10);
    cairn_put_bytes(&b, blob, 9);
    assert_int_equal(bad(&t, ALICE, CAIRN_TX_FILE_NAME, &b),
                     CAIRN_ERR_BAD_BODY);
    cairn_put_bytes(&b, id[0], 15);
    assert_int_equal(bad(&t, ALICE, CAIRN_TX_FILE_NAME, &b),
                     CAIRN_ERR_BAD_BODY);

    /* delete; deleting it again, or bob deleting alice's, is not_found */
    name_body(&b, id[1], NULL, 0);
    both(&t, ALICE, CAIRN_TX_FILE_NAME, &b);
    assert_int_equal(step(&t), CAIRN_OK);
    assert_int_equal(names_of(&t, ALICE, NULL, out, 8, &more), 4);
    name_body(&b, id[1], NULL, 0);
    assert_int_equal(bad(&t, ALICE, CAIRN_TX_FILE_NAME, &b),
                     CAIRN_ERR_NOT_FOUND);
    name_body(&b, id[3], NULL, 0);
    assert_int_equal(bad(&t, BOB, CAIRN_TX_FILE_NAME, &b), CAIRN_ERR_NOT_FOUND);
    assert_int_equal(names_of(&t, ALICE, NULL, out, 8, &more), 4);
    assert_int_equal(names_of(&t, BOB, NULL, out, 8, &more), 1);

    dx_audit(&t);
    fx_replay_check(&t);
    cairn_buf_free(&b);
    twin_close(&t);
}

/* A sealed record on chain opens for its owner, id and key only. */
static void test_sealed(void **state)
{
    twin t;
    cairn_buf b;
    static cairn_name_record out[2];
    uint8_t secret[CAIRN_SECRET_LEN], key[32], other[32];
    uint8_t id[CAIRN_FILE_ID_LEN], id2[CAIRN_FILE_ID_LEN];
    uint8_t plain[SNAMES_PLAIN_MAX], blob[SNAMES_BLOB_MAX];
    size_t n, blen;
    int more;
    json_t *o;
    (void)state;
    memset(secret, 0x11, sizeof secret);
    snames_key(key, secret);
    secret[0] ^= 1;
    snames_key(other, secret);
    id_of(id, 9);
    id_of(id2, 10);
    assert_int_equal(
        snames_plain(plain, &n, "{ \"name\" : \"photos.tar\", \"x\": [1, 2] }"),
        CAIRN_OK);
    assert_int_equal(n, SNAMES_PAD); /* 31 bytes of JSON, padded */
    assert_memory_equal(plain, "{\"name\":\"photos.tar\",\"x\":[1,2]}   ", 34);
    twin_open(&t, ECON);
    fx_make_keys();
    assert_int_equal(
        snames_seal(blob, &blen, key, &fx_keys[ALICE].pk, id, plain, n),
        CAIRN_OK);
    assert_int_equal(blen, SNAMES_NONCE_LEN + n + SNAMES_TAG_LEN);
    cairn_buf_init(&b, CAIRN_TX_BODY_MAX);
    name_body(&b, id, blob, (uint16_t)blen);
    both(&t, ALICE, CAIRN_TX_FILE_NAME, &b);
    assert_int_equal(step(&t), CAIRN_OK);
    assert_int_equal(cairn_chain_file_names(t.c[0], &fx_keys[ALICE].pk, NULL,
                                            out, 2, &n, &more),
                     CAIRN_OK);
    assert_int_equal(n, 1);
    assert_int_equal(snames_open(&o, key, &fx_keys[ALICE].pk, out[0].id,
                                 out[0].blob, out[0].len),
                     CAIRN_OK);
    assert_string_equal(json_string_value(json_object_get(o, "name")),
                        "photos.tar");
    json_decref(o);
    /* another key, owner or id; a flipped byte; a short blob */
    assert_int_equal(
        snames_open(&o, other, &fx_keys[ALICE].pk, id, out[0].blob, out[0].len),
        CAIRN_ERR_BAD_SIG);
    assert_int_equal(
        snames_open(&o, key, &fx_keys[BOB].pk, id, out[0].blob, out[0].len),
        CAIRN_ERR_BAD_SIG);
    assert_int_equal(
        snames_open(&o, key, &fx_keys[ALICE].pk, id2, out[0].blob, out[0].len),
        CAIRN_ERR_BAD_SIG);
    out[0].blob[30] ^= 1;
    assert_int_equal(
        snames_open(&o, key, &fx_keys[ALICE].pk, id, out[0].blob, out[0].len),
        CAIRN_ERR_BAD_SIG);
    assert_int_equal(snames_open(&o, key, &fx_keys[ALICE].pk, id, out[0].blob,
                                 SNAMES_NONCE_LEN + SNAMES_TAG_LEN - 1),
                     CAIRN_ERR_BAD_SIG);
    assert_null(o);
    /* a sealed text that is not an object */
    assert_int_equal(snames_seal(blob, &blen, key, &fx_keys[ALICE].pk, id,
                                 (const uint8_t *)"[1]", 3),
                     CAIRN_OK);
    assert_int_equal(snames_open(&o, key, &fx_keys[ALICE].pk, id, blob, blen),
                     CAIRN_ERR_BAD_JSON);
    cairn_buf_free(&b);
    twin_close(&t);
}

/* The plaintext: an object only, at most SNAMES_PLAIN_MAX bytes. */
static void test_plain_bounds(void **state)
{
    uint8_t plain[SNAMES_PLAIN_MAX];
    char json[SNAMES_PLAIN_MAX + 64];
    size_t n;
    (void)state;
    assert_int_equal(snames_plain(plain, &n, "[1,2]"), CAIRN_ERR_BAD_ARG);
    assert_int_equal(snames_plain(plain, &n, "\"x\""), CAIRN_ERR_BAD_ARG);
    assert_int_equal(snames_plain(plain, &n, "{"), CAIRN_ERR_BAD_ARG);
    assert_int_equal(snames_plain(plain, &n, NULL), CAIRN_ERR_BAD_ARG);
    /* {"n":"xxx..."}: 8 bytes around the string */
    memset(json, 0, sizeof json);
    memcpy(json, "{\"n\":\"", 6);
    memset(json + 6, 'x', SNAMES_PLAIN_MAX - 8);
    memcpy(json + 6 + SNAMES_PLAIN_MAX - 8, "\"}", 2);
    assert_int_equal(snames_plain(plain, &n, json), CAIRN_OK);
    assert_int_equal(n, SNAMES_PLAIN_MAX);
    memcpy(json + 6 + SNAMES_PLAIN_MAX - 8, "x\"}", 3);
    assert_int_equal(snames_plain(plain, &n, json), CAIRN_ERR_TOO_LARGE);
    assert_true(SNAMES_BLOB_MAX <= CAIRN_FILE_NAME_MAX);
}

/* Names cut for the client's store end on a UTF-8 character boundary. */
static void test_name_copy(void **state)
{
    char out[8];
    (void)state;
    snames_name_copy(out, 4, "a\xC3\xA9"); /* "aé" fits */
    assert_string_equal(out, "a\xC3\xA9");
    snames_name_copy(out, 3, "a\xC3\xA9"); /* not half of é */
    assert_string_equal(out, "a");
    snames_name_copy(out, 5, "\xE2\x82\xAC\xE2\x82\xAC"); /* "€€" */
    assert_string_equal(out, "\xE2\x82\xAC");
    snames_name_copy(out, sizeof out, "plain.txt");
    assert_string_equal(out, "plain.t");
    snames_name_copy(out, 1, "x");
    assert_string_equal(out, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_codec),     cmocka_unit_test(test_chain),
        cmocka_unit_test(test_sealed),    cmocka_unit_test(test_plain_bounds),
        cmocka_unit_test(test_name_copy),
    };
    if (sodium_init() < 0)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
