/* Unit tests of the S3 gateway's SigV4 check (src/s3/sigv4.h): AWS's
 * published examples (the S3 docs' "examplebucket" GET with Range, PUT,
 * GET ?lifecycle, GET ?max-keys=2&prefix=J and the presigned GET, key
 * AKIAIOSFODNN7EXAMPLE, 20130524T000000Z, us-east-1) verify; the same
 * requests with a wrong secret, an unknown key, a tampered header, a clock
 * 901 s off either way, an expired presigned URL, and malformed
 * Authorization headers are refused with S3's codes; equivalent
 * encodings of the path and the query verify alike; s3_uri_decode. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "s3/sigv4.h"

#define AKID "AKIAIOSFODNN7EXAMPLE"
#define SECRET "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
#define T0 1369353600 /* 20130524T000000Z */
#define EMPTY_SHA                                                              \
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define HOST "examplebucket.s3.amazonaws.com"
#define CRED AKID "/20130524/us-east-1/s3/aws4_request"

typedef struct hdrs {
    const char *name[16];
    const char *value[16];
    int n;
} hdrs;

static const char *get_hdr(void *arg, const char *name)
{
    hdrs *h = arg;
    for (int i = 0; i < h->n; i++)
        if (strcasecmp(h->name[i], name) == 0)
            return h->value[i];
    return NULL;
}

static void add(hdrs *h, const char *n, const char *v)
{
    h->name[h->n] = n;
    h->value[h->n] = v;
    h->n++;
}

static s3_key keyv[2];
static s3_keys keys = {keyv, 2};

static int setup(void **state)
{
    (void)state;
    memset(keyv, 0, sizeof keyv);
    snprintf(keyv[0].id, sizeof keyv[0].id, "%s", "OTHERKEY");
    snprintf(keyv[0].secret, sizeof keyv[0].secret, "%s", "othersecret");
    snprintf(keyv[1].id, sizeof keyv[1].id, "%s", AKID);
    snprintf(keyv[1].secret, sizeof keyv[1].secret, "%s", SECRET);
    return 0;
}

static s3_code check(const char *method, const char *path, const char *query,
                     hdrs *h, int64_t now, s3_auth *out)
{
    s3_sig_req r = {.method = method,
                    .path = path,
                    .query = query,
                    .header = get_hdr,
                    .harg = h,
                    .now = now,
                    .max_skew = S3_MAX_SKEW};
    char msg[256];
    s3_code c = s3_sigv4_check(&r, &keys, out, msg, sizeof msg);
    if (c != S3_OK)
        assert_true(msg[0] != 0);
    return c;
}

/* The docs' GET /test.txt with Range: bytes=0-9 */
static void get_range_headers(hdrs *h, const char *authz, const char *range)
{
    memset(h, 0, sizeof *h);
    add(h, "host", HOST);
    add(h, "range", range);
    add(h, "x-amz-content-sha256", EMPTY_SHA);
    add(h, "x-amz-date", "20130524T000000Z");
    add(h, "authorization", authz);
}

#define GET_AUTHZ(sig)                                                         \
    "AWS4-HMAC-SHA256 Credential=" CRED                                        \
    ",SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=" sig
#define GET_SIG                                                                \
    "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"

static void test_aws_get_object(void **state)
{
    (void)state;
    hdrs h;
    s3_auth a;
    get_range_headers(&h, GET_AUTHZ(GET_SIG), "bytes=0-9");
    assert_int_equal(check("GET", "/test.txt", "", &h, T0, &a), S3_OK);
    assert_ptr_equal(a.key, &keyv[1]);
    assert_int_equal(a.presigned, 0);
    assert_string_equal(a.payload_sha256, EMPTY_SHA);
    assert_string_equal(a.region, "us-east-1");
    /* blanks around and inside a header value are normalized */
    get_range_headers(&h, GET_AUTHZ(GET_SIG), "  bytes=0-9 ");
    assert_int_equal(check("GET", "/test.txt", "", &h, T0, &a), S3_OK);
    /* the clock within the skew either way */
    assert_int_equal(check("GET", "/test.txt", "", &h, T0 + 900, &a), S3_OK);
    assert_int_equal(check("GET", "/test.txt", "", &h, T0 - 900, &a), S3_OK);
    /* spaces after the commas of the header */
    get_range_headers(&h,
                      "AWS4-HMAC-SHA256 Credential=" CRED
                      ", SignedHeaders=host;range;x-amz-content-sha256;"
                      "x-amz-date, Signature=" GET_SIG,
                      "bytes=0-9");
    assert_int_equal(check("GET", "/test.txt", "", &h, T0, &a), S3_OK);
}

static void test_aws_get_object_refused(void **state)
{
    (void)state;
    hdrs h;
    s3_auth a;
    get_range_headers(&h, GET_AUTHZ(GET_SIG), "bytes=0-10");
    assert_int_equal(check("GET", "/test.txt", "", &h, T0, &a),
                     S3_SIGNATURE_DOES_NOT_MATCH);
    get_range_headers(&h, GET_AUTHZ(GET_SIG), "bytes=0-9");
    assert_int_equal(check("GET", "/test.txt", "", &h, T0 + 901, &a),
                     S3_REQUEST_TIME_TOO_SKEWED);
    assert_int_equal(check("GET", "/test.txt", "", &h, T0 - 901, &a),
                     S3_REQUEST_TIME_TOO_SKEWED);
    assert_int_equal(check("HEAD", "/test.txt", "", &h, T0, &a),
                     S3_SIGNATURE_DOES_NOT_MATCH);
    assert_int_equal(check("GET", "/test.txt", "x=1", &h, T0, &a),
                     S3_SIGNATURE_DOES_NOT_MATCH);
    assert_null(a.key);
    /* the wrong secret */
    snprintf(keyv[1].secret, sizeof keyv[1].secret, "%s",
             "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEZ");
    assert_int_equal(check("GET", "/test.txt", "", &h, T0, &a),
                     S3_SIGNATURE_DOES_NOT_MATCH);
    setup(NULL);
    /* an unknown access key */
    get_range_headers(&h,
                      "AWS4-HMAC-SHA256 Credential=AKIANOTKNOWN/20130524/"
                      "us-east-1/s3/aws4_request,SignedHeaders=host;range;"
                      "x-amz-content-sha256;x-amz-date,Signature=" GET_SIG,
                      "bytes=0-9");
    assert_int_equal(check("GET", "/test.txt", "", &h, T0, &a),
                     S3_INVALID_ACCESS_KEY_ID);
    /* one hex digit changed */
    get_range_headers(
        &h,
        GET_AUTHZ(
            "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb42"),
        "bytes=0-9");
    assert_int_equal(check("GET", "/test.txt", "", &h, T0, &a),
                     S3_SIGNATURE_DOES_NOT_MATCH);
    /* a signed header missing from the request */
    get_range_headers(&h, GET_AUTHZ(GET_SIG), "bytes=0-9");
    h.name[1] = "x-not-range";
    assert_int_equal(check("GET", "/test.txt", "", &h, T0, &a),
                     S3_SIGNATURE_DOES_NOT_MATCH);
    /* no x-amz-date */
    get_range_headers(&h, GET_AUTHZ(GET_SIG), "bytes=0-9");
    h.name[3] = "x-amz-datf";
    assert_int_equal(check("GET", "/test.txt", "", &h, T0, &a),
                     S3_ACCESS_DENIED);
    /* no x-amz-content-sha256 */
    get_range_headers(&h, GET_AUTHZ(GET_SIG), "bytes=0-9");
    h.name[2] = "x-amz-content-sha257";
    assert_int_equal(check("GET", "/test.txt", "", &h, T0, &a),
                     S3_INVALID_REQUEST);
}

static void test_malformed_authorization(void **state)
{
    (void)state;
    static const struct {
        const char *authz;
        s3_code want;
    } cases[] = {
        {"", S3_AUTH_MALFORMED},
        {"AWS4-HMAC-SHA256", S3_AUTH_MALFORMED},
        {"AWS4-HMAC-SHA256 ", S3_AUTH_MALFORMED},
        {"AWS4-HMAC-SHA512 Credential=" CRED
         ",SignedHeaders=host,Signature=" GET_SIG,
         S3_AUTH_MALFORMED},
        {"AWS AKIAIOSFODNN7EXAMPLE:frJIUN8DYpKDtOLCwo//yllqDzg=",
         S3_INVALID_REQUEST},
        {"AWS4-HMAC-SHA256 Credential=" CRED ",Signature=" GET_SIG,
         S3_AUTH_MALFORMED},
        {"AWS4-HMAC-SHA256 Credential=" CRED
         ",SignedHeaders=range,Signature=" GET_SIG,
         S3_AUTH_MALFORMED},
        {"AWS4-HMAC-SHA256 Credential=" CRED
         ",SignedHeaders=host;;range,Signature=" GET_SIG,
         S3_AUTH_MALFORMED},
        {"AWS4-HMAC-SHA256 Credential=" CRED
         ",SignedHeaders=Host,Signature=" GET_SIG,
         S3_AUTH_MALFORMED},
        {"AWS4-HMAC-SHA256 Credential=" CRED
         ",SignedHeaders=host,Signature=F0E8",
         S3_AUTH_MALFORMED},
        {"AWS4-HMAC-SHA256 Credential=" AKID
         "/20130524/us-east-1/ec2/aws4_request,SignedHeaders=host,"
         "Signature=" GET_SIG,
         S3_AUTH_MALFORMED},
        {"AWS4-HMAC-SHA256 Credential=" AKID
         "/2013052/us-east-1/s3/aws4_request,SignedHeaders=host,"
         "Signature=" GET_SIG,
         S3_AUTH_MALFORMED},
        {"AWS4-HMAC-SHA256 Credential=" AKID
         "/20130525/us-east-1/s3/aws4_request,SignedHeaders=host,"
         "Signature=" GET_SIG,
         S3_AUTH_MALFORMED},
        {"AWS4-HMAC-SHA256 Credential=" AKID
         "/20130524/us-east-1/s3/aws4_request/x,SignedHeaders=host,"
         "Signature=" GET_SIG,
         S3_AUTH_MALFORMED},
        {"AWS4-HMAC-SHA256 Credential=" AKID
         "/20130524/US-EAST-1/s3/aws4_request,SignedHeaders=host,"
         "Signature=" GET_SIG,
         S3_AUTH_MALFORMED},
        {"AWS4-HMAC-SHA256 Credential=" CRED ",Credential=" CRED
         ",SignedHeaders=host,Signature=" GET_SIG,
         S3_AUTH_MALFORMED},
        {"AWS4-HMAC-SHA256 Credential=" CRED
         ",SignedHeaders=host,Signature=" GET_SIG ",Extra=1",
         S3_AUTH_MALFORMED},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        hdrs h;
        s3_auth a;
        get_range_headers(&h, cases[i].authz, "bytes=0-9");
        s3_code c = check("GET", "/test.txt", "", &h, T0, &a);
        if (c != cases[i].want)
            fail_msg("case %zu (%s): got %s, want %s", i, cases[i].authz,
                     s3_code_name(c), s3_code_name(cases[i].want));
    }
}

static void test_payload_forms(void **state)
{
    (void)state;
    hdrs h;
    s3_auth a;
    get_range_headers(&h, GET_AUTHZ(GET_SIG), "bytes=0-9");
    h.value[2] = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
    assert_int_equal(check("GET", "/test.txt", "", &h, T0, &a),
                     S3_NOT_IMPLEMENTED);
    h.value[2] =
        "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855";
    assert_int_equal(check("GET", "/test.txt", "", &h, T0, &a),
                     S3_INVALID_ARGUMENT);
    h.value[2] = "UNSIGNED-PAYLOAD"; /* signed over the empty hash: */
    assert_int_equal(check("GET", "/test.txt", "", &h, T0, &a),
                     S3_SIGNATURE_DOES_NOT_MATCH);
}

#define PUT_SHA                                                                \
    "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072"

static void test_aws_put_object(void **state)
{
    (void)state;
    hdrs h = {0};
    add(&h, "host", HOST);
    add(&h, "date", "Fri, 24 May 2013 00:00:00 GMT");
    add(&h, "x-amz-date", "20130524T000000Z");
    add(&h, "x-amz-storage-class", "REDUCED_REDUNDANCY");
    add(&h, "x-amz-content-sha256", PUT_SHA);
    add(&h, "authorization",
        "AWS4-HMAC-SHA256 Credential=" CRED
        ",SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;"
        "x-amz-storage-class,Signature="
        "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
    s3_auth a;
    assert_int_equal(check("PUT", "/test$file.text", "", &h, T0, &a), S3_OK);
    assert_string_equal(a.payload_sha256, PUT_SHA);
    /* '$' escaped on the wire, and an escape of an unreserved byte */
    assert_int_equal(check("PUT", "/test%24file.text", "", &h, T0, &a), S3_OK);
    assert_int_equal(check("PUT", "/test%24file%2etext", "", &h, T0, &a),
                     S3_OK);
    /* an escaped '/' is not a '/' */
    assert_int_equal(check("PUT", "/test$file%2Etext/", "", &h, T0, &a),
                     S3_SIGNATURE_DOES_NOT_MATCH);
    assert_int_equal(check("PUT", "/test%2", "", &h, T0, &a),
                     S3_INVALID_REQUEST);
    assert_int_equal(check("PUT", "/test%zz", "", &h, T0, &a),
                     S3_INVALID_REQUEST);
    /* another body */
    h.value[4] =
        "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b073";
    assert_int_equal(check("PUT", "/test$file.text", "", &h, T0, &a),
                     S3_SIGNATURE_DOES_NOT_MATCH);
}

static void bucket_headers(hdrs *h, const char *sig)
{
    static char authz[512];
    snprintf(authz, sizeof authz,
             "AWS4-HMAC-SHA256 Credential=" CRED
             ",SignedHeaders=host;x-amz-content-sha256;x-amz-date,"
             "Signature=%s",
             sig);
    memset(h, 0, sizeof *h);
    add(h, "host", HOST);
    add(h, "x-amz-date", "20130524T000000Z");
    add(h, "x-amz-content-sha256", EMPTY_SHA);
    add(h, "authorization", authz);
}

static void test_aws_bucket_queries(void **state)
{
    (void)state;
    hdrs h;
    s3_auth a;
    bucket_headers(
        &h, "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543");
    assert_int_equal(check("GET", "/", "lifecycle", &h, T0, &a), S3_OK);
    assert_int_equal(check("GET", "/", "lifecycle=", &h, T0, &a), S3_OK);
    assert_int_equal(check("GET", "", "lifecycle", &h, T0, &a), S3_OK);
    assert_int_equal(check("GET", "/", "", &h, T0, &a),
                     S3_SIGNATURE_DOES_NOT_MATCH);
    bucket_headers(
        &h, "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
    assert_int_equal(check("GET", "/", "max-keys=2&prefix=J", &h, T0, &a),
                     S3_OK);
    /* the order on the wire does not matter, nor escapes of unreserved
     * characters, nor empty parameters */
    assert_int_equal(check("GET", "/", "prefix=J&max-keys=2", &h, T0, &a),
                     S3_OK);
    assert_int_equal(check("GET", "/", "prefix=%4a&max%2Dkeys=2&", &h, T0, &a),
                     S3_OK);
    assert_int_equal(check("GET", "/", "prefix=J&max-keys=3", &h, T0, &a),
                     S3_SIGNATURE_DOES_NOT_MATCH);
    assert_int_equal(check("GET", "/", "prefix=%J&max-keys=2", &h, T0, &a),
                     S3_INVALID_REQUEST);
}

#define PRE_Q                                                                  \
    "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE"   \
    "%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date="                  \
    "20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
#define PRE_SIG                                                                \
    "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"

static void test_aws_presigned(void **state)
{
    (void)state;
    hdrs h = {0};
    add(&h, "host", HOST);
    s3_auth a;
    const char *q = PRE_Q "&X-Amz-Signature=" PRE_SIG;
    assert_int_equal(check("GET", "/test.txt", q, &h, T0 + 3600, &a), S3_OK);
    assert_int_equal(a.presigned, 1);
    assert_string_equal(a.payload_sha256, "");
    assert_ptr_equal(a.key, &keyv[1]);
    assert_int_equal(check("GET", "/test.txt", q, &h, T0 + 86400, &a), S3_OK);
    assert_int_equal(check("GET", "/test.txt", q, &h, T0 + 86401, &a),
                     S3_EXPIRED_TOKEN);
    assert_string_equal(s3_code_name(S3_EXPIRED_TOKEN), "AccessDenied");
    assert_int_equal(check("GET", "/test.txt", q, &h, T0 - 901, &a),
                     S3_REQUEST_TIME_TOO_SKEWED);
    /* the signature first on the wire */
    assert_int_equal(check("GET", "/test.txt",
                           "X-Amz-Signature=" PRE_SIG "&" PRE_Q, &h, T0 + 10,
                           &a),
                     S3_OK);
    assert_int_equal(check("GET", "/test2.txt", q, &h, T0 + 10, &a),
                     S3_SIGNATURE_DOES_NOT_MATCH);
    assert_int_equal(check("GET", "/test.txt",
                           PRE_Q "&X-Amz-Signature=" PRE_SIG "&extra=1", &h,
                           T0 + 10, &a),
                     S3_SIGNATURE_DOES_NOT_MATCH);
    /* missing pieces and bounds */
    assert_int_equal(check("GET", "/test.txt", PRE_Q, &h, T0 + 10, &a),
                     S3_AUTH_MALFORMED);
    assert_int_equal(
        check("GET", "/test.txt",
              "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential="
              "AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_"
              "request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=604801&"
              "X-Amz-SignedHeaders=host&X-Amz-Signature=" PRE_SIG,
              &h, T0 + 10, &a),
        S3_AUTH_MALFORMED);
    /* both forms at once */
    add(&h, "authorization", GET_AUTHZ(GET_SIG));
    assert_int_equal(check("GET", "/test.txt", q, &h, T0 + 10, &a),
                     S3_INVALID_ARGUMENT);
}

static void test_anonymous(void **state)
{
    (void)state;
    hdrs h = {0};
    add(&h, "host", HOST);
    s3_auth a;
    assert_int_equal(check("GET", "/", "", &h, T0, &a), S3_ACCESS_DENIED);
    assert_int_equal(check("GET", "/x", "prefix=a&b", &h, T0, &a),
                     S3_ACCESS_DENIED);
    assert_null(a.key);
}

static void test_uri_decode(void **state)
{
    (void)state;
    char out[16];
    assert_int_equal(s3_uri_decode(out, sizeof out, "a%20b+c", 7), 5);
    assert_string_equal(out, "a b+c");
    assert_int_equal(s3_uri_decode(out, sizeof out, "%2f%2F", 6), 2);
    assert_string_equal(out, "//");
    assert_int_equal(s3_uri_decode(out, sizeof out, "", 0), 0);
    assert_string_equal(out, "");
    assert_int_equal(s3_uri_decode(out, sizeof out, "%", 1), -1);
    assert_int_equal(s3_uri_decode(out, sizeof out, "%4", 2), -1);
    assert_int_equal(s3_uri_decode(out, sizeof out, "%4g", 3), -1);
    assert_int_equal(s3_uri_decode(out, sizeof out, "a%00", 4), -1);
    assert_int_equal(s3_uri_decode(out, sizeof out, "ab\0c", 4), -1);
    /* n bounds the input: the escape past it is not read */
    assert_int_equal(s3_uri_decode(out, sizeof out, "ab%41", 2), 2);
    assert_int_equal(s3_uri_decode(out, 4, "abcd", 4), -1);
    assert_int_equal(s3_uri_decode(out, 5, "abcd", 4), 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_aws_get_object, setup),
        cmocka_unit_test_setup(test_aws_get_object_refused, setup),
        cmocka_unit_test_setup(test_malformed_authorization, setup),
        cmocka_unit_test_setup(test_payload_forms, setup),
        cmocka_unit_test_setup(test_aws_put_object, setup),
        cmocka_unit_test_setup(test_aws_bucket_queries, setup),
        cmocka_unit_test_setup(test_aws_presigned, setup),
        cmocka_unit_test_setup(test_anonymous, setup),
        cmocka_unit_test(test_uri_decode),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
