/* Unit tests of the wireless device frames (src/wireless/frame.h): MIC
 * vectors computed independently with Python's hashlib.blake2b (key
 * 00..0f, digest_size 16, first 4 bytes), round trips of each frame type,
 * session keys, and the refusals: empty, truncated, oversized, trailing,
 * unknown MHDR, wrong MIC, each with a one-line reason. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "cairn/codec.h"
#include "wireless/frame.h"

static uint8_t KEY[16];

static void unhex(uint8_t *out, size_t n, const char *s)
{
    assert_int_equal(cairn_hex_decode(out, n, s, strlen(s)), CAIRN_OK);
}

static int setup(void **st)
{
    (void)st;
    for (int i = 0; i < 16; i++)
        KEY[i] = (uint8_t)i;
    return 0;
}

/* python3: blake2b(frame, key=bytes(range(16)), digest_size=16)[:4] */
static void test_vectors(void **st)
{
    (void)st;
    uint8_t out[LORA_MAX_PHY], want[64];
    size_t n;

    lora_uplink u = {.mhdr = LORA_UP_UNCONFIRMED,
                     .dev_addr = 0x26011bda,
                     .fctrl = 0,
                     .fcnt = 7,
                     .fport = 1,
                     .len = 5};
    memcpy(u.payload, "hello", 5);
    assert_int_equal(lora_uplink_encode(&u, KEY, out, sizeof out, &n),
                     CAIRN_OK);
    unhex(want, 18, "40da1b01260007000168656c6c6f4b449858");
    assert_int_equal(n, 18);
    assert_memory_equal(out, want, 18);
    assert_int_equal(lora_check_mic(out, n, KEY), CAIRN_OK);

    lora_join_req j = {.join_eui = 0x70b3d57ed0000001ULL,
                       .dev_eui = 0x0004a30b001c0530ULL,
                       .dev_nonce = 0x1234};
    assert_int_equal(lora_join_req_encode(&j, KEY, out, sizeof out, &n),
                     CAIRN_OK);
    unhex(want, 23, "00010000d07ed5b37030051c000ba30400341283998545");
    assert_int_equal(n, LORA_JOIN_REQ_LEN);
    assert_memory_equal(out, want, 23);

    lora_join_acc a = {
        .join_nonce = 0xabcdef, .net_id = 0x13, .dev_addr = 0x26011bda};
    assert_int_equal(lora_join_acc_encode(&a, KEY, out, sizeof out, &n),
                     CAIRN_OK);
    unhex(want, 15, "20efcdab130000da1b01268a622460");
    assert_int_equal(n, LORA_JOIN_ACC_LEN);
    assert_memory_equal(out, want, 15);

    uint8_t k[16], kw[16], ka[16];
    lora_derive_nwk_skey(k, KEY, 0xabcdef, 0x13, 0x1234);
    unhex(kw, 16, "ca92747ca79fadf4abb9b9ef1fd5b545");
    assert_memory_equal(k, kw, 16);
    lora_derive_app_skey(ka, KEY, 0xabcdef, 0x13, 0x1234);
    assert_memory_not_equal(ka, k, 16);
}

static void test_roundtrip(void **st)
{
    (void)st;
    uint8_t out[LORA_MAX_PHY];
    size_t n;
    lora_frame f;
    char why[LORA_WHY_LEN];

    lora_uplink u = {.mhdr = LORA_UP_CONFIRMED,
                     .dev_addr = 0xfeedbeef,
                     .fctrl = 0x80,
                     .fcnt = 65535,
                     .fport = 200,
                     .len = LORA_MAX_FRM};
    for (size_t i = 0; i < u.len; i++)
        u.payload[i] = (uint8_t)(i * 7);
    assert_int_equal(lora_uplink_encode(&u, KEY, out, sizeof out, &n),
                     CAIRN_OK);
    assert_int_equal(n, LORA_MAX_PHY);
    assert_int_equal(lora_frame_decode(&f, out, n, why, sizeof why), CAIRN_OK);
    assert_int_equal(f.type, LORA_UP_CONFIRMED);
    assert_int_equal(f.u.up.dev_addr, 0xfeedbeef);
    assert_int_equal(f.u.up.fctrl, 0x80);
    assert_int_equal(f.u.up.fcnt, 65535);
    assert_int_equal(f.u.up.fport, 200);
    assert_int_equal(f.u.up.len, LORA_MAX_FRM);
    assert_memory_equal(f.u.up.payload, u.payload, u.len);
    assert_memory_equal(f.mic, out + n - 4, 4);

    /* empty payload */
    u.len = 0;
    assert_int_equal(lora_uplink_encode(&u, KEY, out, sizeof out, &n),
                     CAIRN_OK);
    assert_int_equal(n, LORA_UPLINK_OVERHEAD);
    assert_int_equal(lora_frame_decode(&f, out, n, why, sizeof why), CAIRN_OK);
    assert_int_equal(f.u.up.len, 0);

    lora_join_req j = {.join_eui = 1, .dev_eui = UINT64_MAX, .dev_nonce = 9};
    assert_int_equal(lora_join_req_encode(&j, KEY, out, sizeof out, &n),
                     CAIRN_OK);
    assert_int_equal(lora_frame_decode(&f, out, n, why, sizeof why), CAIRN_OK);
    assert_int_equal(f.type, LORA_JOIN_REQUEST);
    assert_true(f.u.jreq.join_eui == 1 && f.u.jreq.dev_eui == UINT64_MAX &&
                f.u.jreq.dev_nonce == 9);
    assert_int_equal(lora_check_mic(out, n, KEY), CAIRN_OK);

    lora_join_acc a = {
        .join_nonce = 0xffffff, .net_id = 0, .dev_addr = 0x01020304};
    assert_int_equal(lora_join_acc_encode(&a, KEY, out, sizeof out, &n),
                     CAIRN_OK);
    assert_int_equal(lora_frame_decode(&f, out, n, why, sizeof why), CAIRN_OK);
    assert_int_equal(f.type, LORA_JOIN_ACCEPT);
    assert_true(f.u.jacc.join_nonce == 0xffffff && f.u.jacc.net_id == 0 &&
                f.u.jacc.dev_addr == 0x01020304);
    assert_string_equal(lora_mtype_name(f.type), "join accept");
}

static void expect_fail(const uint8_t *p, size_t n, cairn_err want,
                        const char *needle)
{
    lora_frame f;
    char why[LORA_WHY_LEN] = "";
    assert_int_equal(lora_frame_decode(&f, p, n, why, sizeof why), want);
    assert_non_null(strstr(why, needle));
    assert_null(strchr(why, '\n'));
}

static void test_refusals(void **st)
{
    (void)st;
    uint8_t buf[300] = {0};
    expect_fail(buf, 0, CAIRN_ERR_BAD_MSG, "empty");
    buf[0] = 0x40;
    expect_fail(buf, 12, CAIRN_ERR_TRUNCATED, "uplink of 12 bytes");
    expect_fail(buf, 256, CAIRN_ERR_TOO_LARGE, "256");
    buf[0] = 0x00;
    expect_fail(buf, 22, CAIRN_ERR_TRUNCATED, "join request");
    expect_fail(buf, 24, CAIRN_ERR_TRAILING, "join request");
    buf[0] = 0x20;
    expect_fail(buf, 14, CAIRN_ERR_TRUNCATED, "join accept");
    expect_fail(buf, 16, CAIRN_ERR_TRAILING, "join accept");
    buf[0] = 0x60; /* unconfirmed downlink: not ours */
    expect_fail(buf, 20, CAIRN_ERR_BAD_MSG, "unknown MHDR 0x60");
    buf[0] = 0xe0;
    expect_fail(buf, 20, CAIRN_ERR_BAD_MSG, "MHDR");

    /* a NULL reason buffer is fine */
    lora_frame f;
    assert_int_equal(lora_frame_decode(&f, buf, 0, NULL, 0), CAIRN_ERR_BAD_MSG);

    /* MIC: every flipped bit fails, a wrong key fails */
    uint8_t out[LORA_MAX_PHY];
    size_t n;
    lora_uplink u = {.mhdr = LORA_UP_UNCONFIRMED, .dev_addr = 5, .len = 3};
    assert_int_equal(lora_uplink_encode(&u, KEY, out, sizeof out, &n),
                     CAIRN_OK);
    for (size_t i = 0; i < n * 8; i++) {
        out[i / 8] ^= (uint8_t)(1u << (i % 8));
        assert_int_equal(lora_check_mic(out, n, KEY), CAIRN_ERR_BAD_MAC);
        out[i / 8] ^= (uint8_t)(1u << (i % 8));
    }
    uint8_t k2[16];
    memcpy(k2, KEY, 16);
    k2[15] ^= 1;
    assert_int_equal(lora_check_mic(out, n, k2), CAIRN_ERR_BAD_MAC);
    assert_int_equal(lora_check_mic(out, 4, KEY), CAIRN_ERR_TRUNCATED);

    /* encoder bounds */
    assert_int_equal(lora_uplink_encode(&u, KEY, out, 15, &n),
                     CAIRN_ERR_TOO_LARGE);
    u.len = LORA_MAX_FRM + 1;
    assert_int_equal(lora_uplink_encode(&u, KEY, out, sizeof out, &n),
                     CAIRN_ERR_TOO_LARGE);
    u.len = 0;
    u.mhdr = 0x60;
    assert_int_equal(lora_uplink_encode(&u, KEY, out, sizeof out, &n),
                     CAIRN_ERR_BAD_ARG);
    lora_join_acc a = {.join_nonce = 0x1000000};
    assert_int_equal(lora_join_acc_encode(&a, KEY, out, sizeof out, &n),
                     CAIRN_ERR_BAD_ARG);
    lora_join_req j = {0};
    assert_int_equal(lora_join_req_encode(&j, KEY, out, 22, &n),
                     CAIRN_ERR_TOO_LARGE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vectors),
        cmocka_unit_test(test_roundtrip),
        cmocka_unit_test(test_refusals),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
