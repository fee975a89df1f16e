/* Unit tests of core/: codec bounds, amounts, addresses, keys. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cairn/amount.h"
#include "cairn/codec.h"
#include "cairn/crypto.h"

static void codec_roundtrip(void **st)
{
    cairn_buf b;
    cairn_reader r;
    const uint8_t *v;
    uint32_t n;
    cairn_buf_init(&b, 1024);
    cairn_put_u8(&b, 7);
    cairn_put_u16(&b, 0x1234);
    cairn_put_u32(&b, 0xdeadbeef);
    cairn_put_u64(&b, 0x0102030405060708ULL);
    cairn_put_var(&b, "hello", 5);
    assert_int_equal(b.err, CAIRN_OK);
    assert_int_equal(b.len, 1 + 2 + 4 + 8 + 4 + 5);
    assert_int_equal(b.p[3], 0xef); /* little-endian */
    cairn_reader_init(&r, b.p, b.len);
    assert_int_equal(cairn_get_u8(&r), 7);
    assert_int_equal(cairn_get_u16(&r), 0x1234);
    assert_int_equal(cairn_get_u32(&r), 0xdeadbeef);
    assert_true(cairn_get_u64(&r) == 0x0102030405060708ULL);
    cairn_get_var(&r, &v, &n, 16);
    assert_int_equal(n, 5);
    assert_memory_equal(v, "hello", 5);
    assert_int_equal(cairn_reader_done(&r), CAIRN_OK);
    cairn_buf_free(&b);
}

static void codec_bounds(void **st)
{
    uint8_t bytes[] = {5, 0, 0, 0, 'a', 'b'};
    cairn_reader r;
    const uint8_t *v;
    uint32_t n;
    cairn_reader_init(&r, bytes, sizeof bytes);
    cairn_get_var(&r, &v, &n, 100);
    assert_int_equal(r.err, CAIRN_ERR_TRUNCATED);
    assert_int_equal(cairn_get_u64(&r), 0); /* sticky failure */
    cairn_reader_init(&r, bytes, sizeof bytes);
    cairn_get_var(&r, &v, &n, 4);
    assert_int_equal(r.err, CAIRN_ERR_TOO_LARGE);
    cairn_reader_init(&r, bytes, sizeof bytes);
    (void)cairn_get_u8(&r);
    assert_int_equal(cairn_reader_done(&r), CAIRN_ERR_TRAILING);

    cairn_buf b;
    cairn_buf_init(&b, 8);
    cairn_put_u64(&b, 1);
    assert_int_equal(b.err, CAIRN_OK);
    cairn_put_u8(&b, 1);
    assert_int_equal(b.err, CAIRN_ERR_TOO_LARGE);
    assert_int_equal(b.len, 8);
    cairn_buf_free(&b);
}

static void amounts(void **st)
{
    uint64_t u = 0;
    char txt[CAIRN_AMOUNT_TEXT_MAX];
    assert_int_equal(cairn_amount_parse(&u, "12.5"), CAIRN_OK);
    assert_true(u == 12500000);
    assert_int_equal(cairn_amount_parse(&u, "0.000001"), CAIRN_OK);
    assert_true(u == 1);
    assert_int_equal(cairn_amount_parse(&u, "0.0000001"), CAIRN_ERR_BAD_AMOUNT);
    assert_int_equal(cairn_amount_parse(&u, "1."), CAIRN_ERR_BAD_AMOUNT);
    assert_int_equal(cairn_amount_parse(&u, ".5"), CAIRN_ERR_BAD_AMOUNT);
    assert_int_equal(cairn_amount_parse(&u, "-1"), CAIRN_ERR_BAD_AMOUNT);
    assert_int_equal(cairn_amount_parse(&u, "1e5"), CAIRN_ERR_BAD_AMOUNT);
    assert_int_equal(cairn_amount_parse(&u, ""), CAIRN_ERR_BAD_AMOUNT);
    /* u64 max is 18446744073709.551615 tokens */
    assert_int_equal(cairn_amount_parse(&u, "18446744073709.551615"), CAIRN_OK);
    assert_true(u == UINT64_MAX);
    assert_int_equal(cairn_amount_parse(&u, "18446744073709.551616"),
                     CAIRN_ERR_OVERFLOW);
    assert_int_equal(cairn_amount_parse(&u, "99999999999999999999999"),
                     CAIRN_ERR_OVERFLOW);
    cairn_amount_format(txt, 12500000);
    assert_string_equal(txt, "12.5");
    cairn_amount_format(txt, UINT64_MAX);
    assert_string_equal(txt, "18446744073709.551615");
    cairn_amount_format(txt, 3000000);
    assert_string_equal(txt, "3");

    uint64_t r = 42;
    assert_int_equal(cairn_add(&r, UINT64_MAX, 1), CAIRN_ERR_OVERFLOW);
    assert_true(r == 42);
    assert_int_equal(cairn_add(&r, UINT64_MAX - 1, 1), CAIRN_OK);
    assert_true(r == UINT64_MAX);
    assert_int_equal(cairn_sub(&r, 1, 2), CAIRN_ERR_FUNDS);
    assert_int_equal(cairn_mul(&r, UINT64_MAX / 2 + 1, 2), CAIRN_ERR_OVERFLOW);
    assert_int_equal(cairn_muldiv(&r, UINT64_MAX, UINT64_MAX, UINT64_MAX),
                     CAIRN_OK);
    assert_true(r == UINT64_MAX);
    assert_int_equal(cairn_muldiv(&r, UINT64_MAX, 2, 1), CAIRN_ERR_OVERFLOW);
}

static void addresses(void **st)
{
    cairn_keypair kp;
    cairn_pubkey pk;
    char txt[CAIRN_ADDR_TEXT_LEN + 1];
    uint8_t seed[32] = {1};
    cairn_keypair_from_seed(&kp, seed);
    cairn_addr_format(txt, &kp.pk);
    assert_int_equal(strlen(txt), CAIRN_ADDR_TEXT_LEN);
    assert_int_equal(cairn_addr_parse(&pk, txt), CAIRN_OK);
    assert_memory_equal(pk.b, kp.pk.b, 32);
    /* every single-character change is caught */
    for (size_t i = 6; i < CAIRN_ADDR_TEXT_LEN; i++) {
        char bad[CAIRN_ADDR_TEXT_LEN + 1];
        memcpy(bad, txt, sizeof bad);
        bad[i] = bad[i] == '0' ? '1' : '0';
        assert_int_equal(cairn_addr_parse(&pk, bad), CAIRN_ERR_BAD_ADDRESS);
    }
    assert_int_equal(cairn_addr_parse(&pk, "cairn1"), CAIRN_ERR_BAD_ADDRESS);
    assert_int_equal(cairn_addr_parse(&pk, ""), CAIRN_ERR_BAD_ADDRESS);
    txt[10] = (char)(txt[10] >= 'a' ? txt[10] - 32 : txt[10]);
    if (txt[10] >= 'A' && txt[10] <= 'F')
        assert_int_equal(cairn_addr_parse(&pk, txt), CAIRN_ERR_BAD_ADDRESS);
}

static void keys_and_sigs(void **st)
{
    char path[] = "/tmp/cairn-key-XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    unlink(path);
    cairn_keypair kp, kp2;
    cairn_sig sig;
    cairn_keypair_generate(&kp);
    assert_int_equal(cairn_key_save(path, &kp), CAIRN_OK);
    assert_int_equal(cairn_key_save(path, &kp),
                     CAIRN_ERR_IO); /* no overwrite */
    assert_int_equal(cairn_key_load(path, &kp2), CAIRN_OK);
    assert_memory_equal(kp.pk.b, kp2.pk.b, 32);
    cairn_sign(&sig, "msg", 3, &kp2);
    assert_int_equal(cairn_verify(&sig, "msg", 3, &kp.pk), CAIRN_OK);
    assert_int_equal(cairn_verify(&sig, "msh", 3, &kp.pk), CAIRN_ERR_BAD_SIG);
    sig.b[63] ^= 0x80;
    assert_int_equal(cairn_verify(&sig, "msg", 3, &kp.pk), CAIRN_ERR_BAD_SIG);
    FILE *f = fopen(path, "w");
    fputs("cairn-key-v1 zz\n", f);
    fclose(f);
    assert_int_equal(cairn_key_load(path, &kp2), CAIRN_ERR_BAD_KEY);
    unlink(path);
}

/* Writes `text` (n bytes) to a fresh file at path. */
static void write_file(const char *path, const char *text, size_t n)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, n, f), n);
    fclose(f);
}

/* The loader accepts exactly the documented line (docs/encoding.md, "Key
 * files"): "cairn-key-v1 " + 64 lowercase hex, then nothing, \n or \r\n. */
static void key_file_strict(void **st)
{
    static const char hex[] =
        "0101010101010101010101010101010101010101010101010101010101010101";
    static const char *const good[] = {"", "\n", "\r\n"};
    static const char *const bad[] = {"\n\n", "\r",     "\n\r", " ", " \n",
                                      "\t",   "\r\n\n", "\n#",  "x"};
    char path[] = "/tmp/cairn-key-XXXXXX", text[160];
    int fd = mkstemp(path);
    cairn_keypair kp, want;
    uint8_t seed[32];
    close(fd);
    memset(seed, 1, sizeof seed);
    cairn_keypair_from_seed(&want, seed);
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        int n = snprintf(text, sizeof text, "cairn-key-v1 %s%s", hex, good[i]);
        write_file(path, text, (size_t)n);
        assert_int_equal(cairn_key_load(path, &kp), CAIRN_OK);
        assert_memory_equal(kp.pk.b, want.pk.b, 32);
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int n = snprintf(text, sizeof text, "cairn-key-v1 %s%s", hex, bad[i]);
        write_file(path, text, (size_t)n);
        assert_int_equal(cairn_key_load(path, &kp), CAIRN_ERR_BAD_KEY);
    }
    /* upper-case hex, a second space, a wrong tag, a short seed, a NUL */
    int n = snprintf(text, sizeof text, "cairn-key-v1 0A%s\n", hex + 2);
    write_file(path, text, (size_t)n);
    assert_int_equal(cairn_key_load(path, &kp), CAIRN_ERR_BAD_KEY);
    n = snprintf(text, sizeof text, "cairn-key-v1  %s\n", hex);
    write_file(path, text, (size_t)n);
    assert_int_equal(cairn_key_load(path, &kp), CAIRN_ERR_BAD_KEY);
    n = snprintf(text, sizeof text, "cairn-key-v2 %s\n", hex);
    write_file(path, text, (size_t)n);
    assert_int_equal(cairn_key_load(path, &kp), CAIRN_ERR_BAD_KEY);
    n = snprintf(text, sizeof text, "cairn-key-v1 %.62s\n", hex);
    write_file(path, text, (size_t)n);
    assert_int_equal(cairn_key_load(path, &kp), CAIRN_ERR_BAD_KEY);
    n = snprintf(text, sizeof text, "cairn-key-v1 %s\n", hex);
    text[20] = '\0';
    write_file(path, text, (size_t)n);
    assert_int_equal(cairn_key_load(path, &kp), CAIRN_ERR_BAD_KEY);
    write_file(path, "", 0);
    assert_int_equal(cairn_key_load(path, &kp), CAIRN_ERR_BAD_KEY);
    unlink(path);
}

int main(void)
{
    cairn_crypto_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(codec_roundtrip), cmocka_unit_test(codec_bounds),
        cmocka_unit_test(amounts),         cmocka_unit_test(addresses),
        cmocka_unit_test(keys_and_sigs),   cmocka_unit_test(key_file_strict),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
