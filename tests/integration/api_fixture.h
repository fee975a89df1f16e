/* Shared by the node API tests (test_storage_api.c, test_compute_api.c,
 * test_subnet_api.c): GET a path of the node at `base` and parse its JSON,
 * typed field reads that fail the test when a field is missing, an
 * account's nonce, and a signed transaction POSTed with ?wait=1 on chain
 * "cairn-test". Include after cmocka.h; the test sets base
 * ("http://127.0.0.1:PORT") before any call. */
#ifndef CAIRN_TEST_API_FIXTURE_H
#define CAIRN_TEST_API_FIXTURE_H

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/crypto.h"
#include "cairn/http.h"
#include "cairn/tx.h"

#define FEE 1000

static char base[64];

/* GETs path; returns the status and the parsed body (caller decrefs). */
static inline int get(const char *path, json_t **out)
{
    char url[512];
    cairn_http_resp r = {0};
    snprintf(url, sizeof url, "%s%s", base, path);
    assert_int_equal(cairn_http_request("GET", url, NULL, 0, NULL, 5000, &r),
                     CAIRN_OK);
    *out = json_loadb(r.body, r.len, 0, NULL);
    assert_non_null(*out);
    free(r.body);
    return r.status;
}

static inline long long jint(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    if (!json_is_integer(v))
        fail_msg("field %s is not an integer", k);
    return json_integer_value(v);
}

static inline const char *jstr(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    if (!json_is_string(v))
        fail_msg("field %s is not a string", k);
    return json_string_value(v);
}

static inline uint64_t nonce_of(const cairn_keypair *kp)
{
    char path[160], a[CAIRN_ADDR_TEXT_LEN + 1];
    json_t *j;
    cairn_addr_format(a, &kp->pk);
    snprintf(path, sizeof path, "/v1/account/%s", a);
    assert_int_equal(get(path, &j), 200);
    uint64_t n = (uint64_t)jint(j, "nonce");
    json_decref(j);
    return n;
}

/* Signs and POSTs a tx with ?wait=1; returns the HTTP status, and in err
 * the error name of a refusal ("" when committed). */
static inline int post_tx(const cairn_keypair *kp, uint16_t kind,
                          const cairn_buf *body, char err[64])
{
    cairn_buf tx;
    char url[128];
    cairn_http_resp r = {0};
    cairn_buf_init(&tx, CAIRN_TX_MAX_BYTES);
    assert_int_equal(cairn_tx_make(&tx, "cairn-test", kp, nonce_of(kp), FEE,
                                   kind, body->p, body->len),
                     CAIRN_OK);
    char *hex = malloc(2 * tx.len + 1);
    assert_non_null(hex);
    cairn_hex_encode(hex, tx.p, tx.len);
    json_t *o = json_pack("{s:s}", "tx", hex);
    char *s = json_dumps(o, JSON_COMPACT);
    snprintf(url, sizeof url, "%s/v1/tx?wait=1", base);
    assert_int_equal(cairn_http_request("POST", url, s, strlen(s),
                                        "application/json", 30000, &r),
                     CAIRN_OK);
    json_t *j = json_loadb(r.body, r.len, 0, NULL);
    assert_non_null(j);
    snprintf(err, 64, "%s", r.status == 200 ? "" : jstr(j, "error"));
    int status = r.status;
    json_decref(j);
    json_decref(o);
    free(s);
    free(hex);
    free(r.body);
    cairn_buf_free(&tx);
    return status;
}

/* post_tx that must be committed. Resets body. */
static inline void post(const cairn_keypair *kp, uint16_t kind, cairn_buf *body)
{
    char err[64];
    int status = post_tx(kp, kind, body, err);
    if (status != 200)
        fail_msg("tx kind 0x%x: HTTP %d %s", kind, status, err);
    cairn_buf_reset(body);
}

/* GETs path and checks its status and error name. */
static inline void expect_error(const char *path, int status, const char *name)
{
    json_t *j;
    assert_int_equal(get(path, &j), status);
    if (name)
        assert_string_equal(jstr(j, "error"), name);
    json_decref(j);
}

#endif
