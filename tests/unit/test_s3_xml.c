/* Unit tests of the S3 gateway's XML (src/s3/xml.h) and error bodies
 * (src/s3/errors.h): CompleteMultipartUpload and DeleteObjects bodies as the
 * AWS CLI and s3cmd send them parse; bodies out of shape, out of order,
 * with a DTD or an entity of their own (billion laughs, external entity),
 * in UTF-16, too large or too deep are refused with S3's codes; the writer's
 * output parses back with libxml2 and escapes what it must; every code has
 * a name and a status. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "s3/errors.h"
#include "s3/xml.h"

#define NS "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\""

static s3_code complete(const char *xml, s3_part_ref **p, size_t *n)
{
    return s3_xml_complete(xml, strlen(xml), p, n);
}

static void test_complete(void **state)
{
    (void)state;
    s3_part_ref *p;
    size_t n;
    const char *aws =
        "<CompleteMultipartUpload " NS ">"
        "<Part><ETag>\"7778aef83f66abc1fa1e8477f296d394\"</ETag>"
        "<PartNumber>1</PartNumber></Part>\n"
        "  <Part><PartNumber>2</PartNumber>"
        "<ETag>&quot;aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa&quot;</ETag>"
        "<ChecksumCRC32>AAAAAA==</ChecksumCRC32></Part>"
        "<Part><PartNumber> 7 </PartNumber><ETag>abc</ETag></Part>"
        "</CompleteMultipartUpload>";
    assert_int_equal(complete(aws, &p, &n), S3_OK);
    assert_int_equal(n, 3);
    assert_int_equal(p[0].number, 1);
    assert_string_equal(p[0].etag, "7778aef83f66abc1fa1e8477f296d394");
    assert_int_equal(p[1].number, 2);
    assert_string_equal(p[1].etag, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    assert_int_equal(p[2].number, 7);
    assert_string_equal(p[2].etag, "abc");
    free(p);
    /* s3cmd: an XML declaration, no namespace */
    const char *s3cmd = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                        "<CompleteMultipartUpload><Part><PartNumber>1"
                        "</PartNumber><ETag>\"x\"</ETag></Part>"
                        "</CompleteMultipartUpload>";
    assert_int_equal(complete(s3cmd, &p, &n), S3_OK);
    assert_int_equal(n, 1);
    free(p);
    /* a byte order mark, a comment */
    assert_int_equal(complete("\xEF\xBB\xBF<!-- hi --><CompleteMultipartUpload>"
                              "<Part><PartNumber>1</PartNumber><ETag>e</ETag>"
                              "</Part></CompleteMultipartUpload>",
                              &p, &n),
                     S3_OK);
    free(p);
}

static void test_complete_refused(void **state)
{
    (void)state;
    static const struct {
        const char *xml;
        s3_code want;
    } cases[] = {
        {"", S3_MALFORMED_XML},
        {"   ", S3_MALFORMED_XML},
        {"not xml", S3_MALFORMED_XML},
        {"<CompleteMultipartUpload>", S3_MALFORMED_XML},
        {"<CompleteMultipartUpload></CompleteMultipartUpload>",
         S3_MALFORMED_XML},
        {"<CompleteMultipartUpload/>", S3_MALFORMED_XML},
        {"<Other><Part><PartNumber>1</PartNumber><ETag>e</ETag></Part>"
         "</Other>",
         S3_MALFORMED_XML},
        {"<CompleteMultipartUpload><Part><PartNumber>1</PartNumber></Part>"
         "</CompleteMultipartUpload>",
         S3_MALFORMED_XML},
        {"<CompleteMultipartUpload><Part><ETag>e</ETag></Part>"
         "</CompleteMultipartUpload>",
         S3_MALFORMED_XML},
        {"<CompleteMultipartUpload><Part><PartNumber>0</PartNumber><ETag>e"
         "</ETag></Part></CompleteMultipartUpload>",
         S3_MALFORMED_XML},
        {"<CompleteMultipartUpload><Part><PartNumber>10001</PartNumber><ETag>"
         "e</ETag></Part></CompleteMultipartUpload>",
         S3_MALFORMED_XML},
        {"<CompleteMultipartUpload><Part><PartNumber>-1</PartNumber><ETag>e"
         "</ETag></Part></CompleteMultipartUpload>",
         S3_MALFORMED_XML},
        {"<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>\"\""
         "</ETag></Part></CompleteMultipartUpload>",
         S3_MALFORMED_XML},
        {"<CompleteMultipartUpload><Part><PartNumber>1</PartNumber>"
         "<PartNumber>2</PartNumber><ETag>e</ETag></Part>"
         "</CompleteMultipartUpload>",
         S3_MALFORMED_XML},
        {"<CompleteMultipartUpload><Part><PartNumber>2</PartNumber><ETag>e"
         "</ETag></Part><Part><PartNumber>1</PartNumber><ETag>e</ETag></Part>"
         "</CompleteMultipartUpload>",
         S3_INVALID_PART_ORDER},
        {"<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>e"
         "</ETag></Part><Part><PartNumber>1</PartNumber><ETag>e</ETag></Part>"
         "</CompleteMultipartUpload>",
         S3_INVALID_PART_ORDER},
        {"<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>e"
         "</ETag></Part></CompleteMultipartUpload><x/>",
         S3_MALFORMED_XML},
        {"<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>e"
         "</ETag></Part></Part></CompleteMultipartUpload>",
         S3_MALFORMED_XML},
        /* a DTD, entities: refused before libxml2 reads them */
        {"<!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 "
         "\"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">]>"
         "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber>"
         "<ETag>&lol2;</ETag></Part></CompleteMultipartUpload>",
         S3_MALFORMED_XML},
        {"<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "
         "\"file:///etc/passwd\">]><CompleteMultipartUpload><Part>"
         "<PartNumber>1</PartNumber><ETag>&xxe;</ETag></Part>"
         "</CompleteMultipartUpload>",
         S3_MALFORMED_XML},
        {"<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"
         "&undeclared;</ETag></Part></CompleteMultipartUpload>",
         S3_MALFORMED_XML},
        /* more than 8 levels */
        {"<CompleteMultipartUpload><Part><a><b><c><d><e><f><g></g></f></e>"
         "</d></c></b></a></Part></CompleteMultipartUpload>",
         S3_MALFORMED_XML},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        s3_part_ref *p = (s3_part_ref *)1;
        size_t n = 9;
        s3_code c = complete(cases[i].xml, &p, &n);
        if (c != cases[i].want)
            fail_msg("case %zu: got %s, want %s", i, s3_code_name(c),
                     s3_code_name(cases[i].want));
        assert_null(p);
        assert_int_equal(n, 0);
    }
    /* UTF-16 (which would hide a DTD from the byte scan): refused */
    const char u16[] = "\xFF\xFE<\0C\0/\0>\0";
    s3_part_ref *p;
    size_t n;
    assert_int_equal(s3_xml_complete(u16, sizeof u16 - 1, &p, &n),
                     S3_MALFORMED_XML);
    /* embedded NUL */
    const char nul[] = "<CompleteMultipartUpload><Part><PartNumber>1"
                       "</PartNumber><ETag>e\0</ETag></Part>"
                       "</CompleteMultipartUpload>";
    assert_int_equal(s3_xml_complete(nul, sizeof nul - 1, &p, &n),
                     S3_MALFORMED_XML);
    /* too large */
    size_t big = S3_XML_MAX + 1;
    char *b = malloc(big);
    assert_non_null(b);
    memset(b, ' ', big);
    b[0] = '<';
    assert_int_equal(s3_xml_complete(b, big, &p, &n), S3_ENTITY_TOO_LARGE);
    free(b);
}

static void test_complete_many_parts(void **state)
{
    (void)state;
    size_t cap = 10001 * 80 + 100, o = 0;
    char *x = malloc(cap);
    assert_non_null(x);
    o += (size_t)snprintf(x + o, cap - o, "<CompleteMultipartUpload>");
    for (unsigned i = 1; i <= 10000; i++)
        o += (size_t)snprintf(x + o, cap - o,
                              "<Part><PartNumber>%u</PartNumber><ETag>\"e%u\""
                              "</ETag></Part>",
                              i, i);
    o += (size_t)snprintf(x + o, cap - o, "</CompleteMultipartUpload>");
    s3_part_ref *p;
    size_t n;
    assert_int_equal(s3_xml_complete(x, o, &p, &n), S3_OK);
    assert_int_equal(n, 10000);
    assert_int_equal(p[9999].number, 10000);
    assert_string_equal(p[9999].etag, "e10000");
    free(p);
    free(x);
}

static void free_keys(char **k, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(k[i]);
    free(k);
}

static void test_delete(void **state)
{
    (void)state;
    char **k;
    size_t n;
    int quiet;
    const char *aws = "<Delete " NS "><Object><Key>a/b.txt</Key></Object>"
                      "<Object><Key> spaced &amp; &lt;odd&gt; </Key>"
                      "<VersionId>null</VersionId></Object>"
                      "<Quiet>true</Quiet></Delete>";
    assert_int_equal(s3_xml_delete(aws, strlen(aws), &k, &n, &quiet), S3_OK);
    assert_int_equal(n, 2);
    assert_int_equal(quiet, 1);
    assert_string_equal(k[0], "a/b.txt");
    assert_string_equal(k[1], " spaced & <odd> ");
    free_keys(k, n);
    const char *s3cmd = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Delete>"
                        "<Quiet>false</Quiet><Object><Key>x</Key></Object>"
                        "<Object><Key><![CDATA[c<d]]></Key></Object></Delete>";
    assert_int_equal(s3_xml_delete(s3cmd, strlen(s3cmd), &k, &n, &quiet),
                     S3_OK);
    assert_int_equal(n, 2);
    assert_int_equal(quiet, 0);
    assert_string_equal(k[1], "c<d");
    free_keys(k, n);

    static const char *bad[] = {
        "<Delete></Delete>",
        "<Delete><Quiet>true</Quiet></Delete>",
        "<Delete><Object></Object></Delete>",
        "<Delete><Object><Key></Key></Object></Delete>",
        "<Delete><Object><Key>a</Key><Key>b</Key></Object></Delete>",
        "<Delete><Quiet>yes</Quiet><Object><Key>a</Key></Object></Delete>",
        "<Remove><Object><Key>a</Key></Object></Remove>",
        "<Delete><Object><Key>a</Key></Object>",
        "<Delete><Object><Key>a</Object></Key></Delete>",
        "<!DOCTYPE d><Delete><Object><Key>a</Key></Object></Delete>",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        s3_code c = s3_xml_delete(bad[i], strlen(bad[i]), &k, &n, &quiet);
        if (c != S3_MALFORMED_XML)
            fail_msg("bad delete %zu: got %s", i, s3_code_name(c));
        assert_null(k);
        assert_int_equal(n, 0);
    }
    /* a key of 1025 bytes */
    char x[1200];
    int o = snprintf(x, sizeof x, "<Delete><Object><Key>");
    memset(x + o, 'k', 1025);
    o += 1025;
    o += snprintf(x + o, sizeof x - (size_t)o, "</Key></Object></Delete>");
    assert_int_equal(s3_xml_delete(x, (size_t)o, &k, &n, &quiet),
                     S3_MALFORMED_XML);
    /* 1000 keys pass, 1001 do not */
    size_t cap = 1002 * 40 + 64;
    char *d = malloc(cap);
    assert_non_null(d);
    for (unsigned count = 1000; count <= 1001; count++) {
        size_t m = (size_t)snprintf(d, cap, "<Delete>");
        for (unsigned i = 0; i < count; i++)
            m += (size_t)snprintf(d + m, cap - m,
                                  "<Object><Key>k%u</Key></Object>", i);
        m += (size_t)snprintf(d + m, cap - m, "</Delete>");
        s3_code c = s3_xml_delete(d, m, &k, &n, &quiet);
        if (count == 1000) {
            assert_int_equal(c, S3_OK);
            assert_int_equal(n, 1000);
            free_keys(k, n);
        } else {
            assert_int_equal(c, S3_MALFORMED_XML);
        }
    }
    free(d);
}

static void test_writer(void **state)
{
    (void)state;
    s3_xw *w = s3_xw_new("ListBucketResult");
    assert_non_null(w);
    s3_xw_text(w, "Name", "b<&>\"'");
    s3_xw_u64(w, "MaxKeys", UINT64_MAX);
    s3_xw_open(w, "Contents");
    s3_xw_text(w, "Key", "bad\x01utf8\xff\xc3\xa9");
    s3_xw_text(w, "ETag", "\"abc\"");
    s3_xw_close(w);
    s3_xw_open(w, "CommonPrefixes"); /* left open: finish closes it */
    s3_xw_text(w, "Prefix", "p/");
    size_t len = 0;
    char *x = s3_xw_finish(w, &len);
    assert_non_null(x);
    assert_int_equal(len, strlen(x));
    assert_non_null(strstr(x, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
    assert_non_null(strstr(x, "<ListBucketResult " NS ">"));
    assert_non_null(strstr(x, "<Name>b&lt;&amp;&gt;"));
    assert_non_null(strstr(x, "<MaxKeys>18446744073709551615</MaxKeys>"));
    assert_non_null(strstr(x, "<Key>bad?utf8?\xc3\xa9</Key>"));
    assert_non_null(strstr(x, "<CommonPrefixes><Prefix>p/</Prefix>"
                              "</CommonPrefixes></ListBucketResult>"));
    /* well-formed for libxml2 */
    xmlDocPtr doc = xmlReadMemory(x, (int)len, NULL, NULL, XML_PARSE_NONET);
    assert_non_null(doc);
    xmlFreeDoc(doc);
    free(x);
    assert_null(s3_xw_finish(NULL, NULL));
}

static void test_errors(void **state)
{
    (void)state;
    for (int c = 0; c < S3_CODE_COUNT; c++) {
        assert_non_null(s3_code_name((s3_code)c));
        assert_true(strlen(s3_code_name((s3_code)c)) > 1);
        unsigned st = s3_code_status((s3_code)c);
        assert_true(c == S3_OK ? st == 200 : st >= 400 && st < 600);
        assert_true(strlen(s3_code_message((s3_code)c)) > 1);
    }
    assert_string_equal(s3_code_name(S3_NO_SUCH_KEY), "NoSuchKey");
    assert_int_equal(s3_code_status(S3_NO_SUCH_KEY), 404);
    assert_string_equal(s3_code_name(S3_SIGNATURE_DOES_NOT_MATCH),
                        "SignatureDoesNotMatch");
    assert_int_equal(s3_code_status(S3_SIGNATURE_DOES_NOT_MATCH), 403);
    assert_string_equal(s3_code_name(S3_CONTENT_SHA256_MISMATCH),
                        "XAmzContentSHA256Mismatch");
    assert_string_equal(s3_code_name(S3_AUTH_MALFORMED),
                        "AuthorizationHeaderMalformed");
    assert_string_equal(s3_code_name(S3_REQUEST_HEADER_TOO_LARGE),
                        "RequestHeaderSectionTooLarge");
    assert_int_equal(s3_code_status(S3_REQUEST_HEADER_TOO_LARGE), 400);
    assert_int_equal(s3_code_status(S3_INVALID_RANGE), 416);
    assert_int_equal(s3_code_status(S3_SLOW_DOWN), 503);
    assert_int_equal(s3_code_status(S3_BUCKET_NOT_EMPTY), 409);
    assert_int_equal(s3_code_status(S3_NOT_IMPLEMENTED), 501);
    assert_int_equal(s3_code_status(S3_MISSING_CONTENT_LENGTH), 411);
    assert_string_equal(s3_code_name((s3_code)999), "InternalError");
    assert_int_equal(s3_code_status((s3_code)-1), 500);

    size_t len;
    char *x = s3_error_xml(S3_NO_SUCH_KEY, NULL, "/b/k<1>", "REQ1", &len);
    assert_non_null(x);
    assert_string_equal(
        x, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
           "<Error><Code>NoSuchKey</Code><Message>The specified key does not "
           "exist.</Message><Resource>/b/k&lt;1&gt;</Resource>"
           "<RequestId>REQ1</RequestId></Error>\n");
    assert_int_equal(len, strlen(x));
    free(x);
    x = s3_error_xml(S3_EXPIRED_TOKEN, "Request has expired", NULL, "", NULL);
    assert_non_null(x);
    assert_non_null(strstr(x, "<Code>AccessDenied</Code><Message>Request has "
                              "expired</Message></Error>"));
    free(x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_complete),
        cmocka_unit_test(test_complete_refused),
        cmocka_unit_test(test_complete_many_parts),
        cmocka_unit_test(test_delete),
        cmocka_unit_test(test_writer),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
