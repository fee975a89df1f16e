/* File name records through a real `cairn node` over HTTP on 127.0.0.1:
 * the storage client's API (src/storage/client/names.h) seals, writes,
 * replaces, lists and deletes records; a record it cannot open (another
 * key's secret) is skipped; deleting an absent record is fine for the
 * client and `not_found` on chain; paging and bad queries of
 * GET /v1/storage/names answer as docs/api.md says. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/storage.h"
#include "harness.h"
#include "api_fixture.h"
#include "storage/client/names.h"

typedef struct seen {
    int n;
    uint8_t id[8][CMETA_ID_LEN];
    char name[8][64];
} seen;

static int collect(void *arg, const uint8_t id[CMETA_ID_LEN], json_t *obj)
{
    seen *s = arg;
    const char *nm = json_string_value(json_object_get(obj, "name"));
    if (s->n == 8)
        return 1;
    memcpy(s->id[s->n], id, CMETA_ID_LEN);
    snprintf(s->name[s->n], sizeof s->name[0], "%s", nm ? nm : "");
    s->n++;
    return 0;
}

static int stop_at_first(void *arg, const uint8_t id[CMETA_ID_LEN], json_t *obj)
{
    (void)id;
    (void)obj;
    ++*(int *)arg;
    return 1;
}

static void test_names(void **state)
{
    h_net net;
    char data[400], store[420], err[64], path[256],
        who[CAIRN_ADDR_TEXT_LEN + 1], hex[2 * CMETA_ID_LEN + 1];
    uint8_t id[3][CMETA_ID_LEN], junk[100];
    sclient c;
    seen s;
    json_t *j;
    cairn_buf b;
    (void)state;
    h_net_setup(&net, 2, "100000", 100);
    h_init_chain(&net, "seq", data, sizeof data);
    pid_t pid = h_start_node(&net, data, net.port, NULL);
    snprintf(base, sizeof base, "http://127.0.0.1:%d", net.port);
    snprintf(store, sizeof store, "%s/client", data);
    assert_int_equal(sclient_open(&c, base, store, &net.acct[0]), CAIRN_OK);
    cairn_addr_format(who, &net.acct[0].pk);
    for (int i = 0; i < 3; i++) {
        memset(id[i], 0x10 * (i + 1), CMETA_ID_LEN);
    }

    /* no records yet */
    memset(&s, 0, sizeof s);
    assert_int_equal(sclient_names(&c, collect, &s), CAIRN_OK);
    assert_int_equal(s.n, 0);

    /* refusals before anything is sent */
    assert_int_equal(sclient_name_set(&c, id[0], "[1]"), CAIRN_ERR_BAD_ARG);
    assert_non_null(strstr(c.why, "JSON object"));
    char big[1100];
    memset(big, 0, sizeof big);
    memcpy(big, "{\"name\":\"", 9);
    memset(big + 9, 'x', 1000);
    memcpy(big + 1009, "\"}", 2);
    assert_int_equal(sclient_name_set(&c, id[0], big), CAIRN_ERR_TOO_LARGE);
    assert_non_null(strstr(c.why, "960"));

    /* set three, replace one; ids come back in order */
    assert_int_equal(sclient_name_set(&c, id[2], "{\"name\":\"c.txt\"}"),
                     CAIRN_OK);
    assert_int_equal(sclient_name_set(&c, id[0], "{\"name\":\"a.txt\"}"),
                     CAIRN_OK);
    assert_int_equal(
        sclient_name_set(&c, id[1], "{\"name\":\"b.txt\",\"s3\":{\"k\":1}}"),
        CAIRN_OK);
    assert_int_equal(sclient_name_set(&c, id[0], "{\"name\":\"A.txt\"}"),
                     CAIRN_OK);
    /* a record of this account that is not sealed under its secret */
    cairn_buf_init(&b, CAIRN_TX_BODY_MAX);
    memset(junk, 0xEE, sizeof junk);
    uint8_t jid[CMETA_ID_LEN];
    memset(jid, 0x18, sizeof jid); /* between id[0] and id[1] */
    cairn_file_name fn = {.len = sizeof junk, .blob = junk};
    memcpy(fn.id, jid, CMETA_ID_LEN);
    cairn_file_name_encode(&b, &fn);
    post(&net.acct[0], CAIRN_TX_FILE_NAME, &b);

    memset(&s, 0, sizeof s);
    assert_int_equal(sclient_names(&c, collect, &s), CAIRN_OK);
    assert_int_equal(s.n, 3);
    assert_memory_equal(s.id[0], id[0], CMETA_ID_LEN);
    assert_string_equal(s.name[0], "A.txt");
    assert_string_equal(s.name[1], "b.txt");
    assert_string_equal(s.name[2], "c.txt");
    int calls = 0;
    assert_int_equal(sclient_names(&c, stop_at_first, &calls), CAIRN_OK);
    assert_int_equal(calls, 1);

    /* the API: four records, paged one at a time */
    snprintf(path, sizeof path, "/v1/storage/names?owner=%s", who);
    assert_int_equal(get(path, &j), 200);
    assert_int_equal(json_array_size(json_object_get(j, "names")), 4);
    assert_true(json_is_false(json_object_get(j, "more")));
    json_decref(j);
    snprintf(path, sizeof path, "/v1/storage/names?owner=%s&limit=1", who);
    assert_int_equal(get(path, &j), 200);
    assert_true(json_is_true(json_object_get(j, "more")));
    json_t *first = json_array_get(json_object_get(j, "names"), 0);
    cmeta_id_hex(hex, id[0]);
    assert_string_equal(jstr(first, "id"), hex);
    /* 24 nonce + 64 padded + 16 tag bytes, in hex */
    assert_int_equal(strlen(jstr(first, "blob")), 2 * (24 + 64 + 16));
    json_decref(j);
    snprintf(path, sizeof path, "/v1/storage/names?owner=%s&limit=2&after=%s",
             who, hex);
    assert_int_equal(get(path, &j), 200);
    cmeta_id_hex(hex, jid);
    assert_string_equal(
        jstr(json_array_get(json_object_get(j, "names"), 0), "id"), hex);
    assert_true(json_is_true(json_object_get(j, "more")));
    json_decref(j);

    /* delete; again is OK for the client, not_found on chain */
    assert_int_equal(sclient_name_del(&c, id[1]), CAIRN_OK);
    assert_int_equal(sclient_name_del(&c, id[1]), CAIRN_OK);
    uint8_t del[CMETA_ID_LEN + 2] = {0};
    memcpy(del, id[1], CMETA_ID_LEN);
    cairn_buf_reset(&b);
    cairn_put_bytes(&b, del, sizeof del);
    assert_int_not_equal(post_tx(&net.acct[0], CAIRN_TX_FILE_NAME, &b, err),
                         200);
    assert_string_equal(err, "not_found");
    memset(&s, 0, sizeof s);
    assert_int_equal(sclient_names(&c, collect, &s), CAIRN_OK);
    assert_int_equal(s.n, 2);
    assert_string_equal(s.name[1], "c.txt");

    /* another account sees none of them */
    sclient other;
    char store2[420];
    snprintf(store2, sizeof store2, "%s/client2", data);
    assert_int_equal(sclient_open(&other, base, store2, &net.acct[1]),
                     CAIRN_OK);
    memset(&s, 0, sizeof s);
    assert_int_equal(sclient_names(&other, collect, &s), CAIRN_OK);
    assert_int_equal(s.n, 0);
    sclient_close(&other);

    /* bad queries */
    expect_error("/v1/storage/names", 400, "bad_argument");
    expect_error("/v1/storage/names?owner=cairn1zz", 400, "bad_argument");
    snprintf(path, sizeof path, "/v1/storage/names?owner=%s&after=12", who);
    expect_error(path, 400, "bad_argument");
    snprintf(path, sizeof path, "/v1/storage/names?owner=%s&limit=1001", who);
    expect_error(path, 400, "bad_argument");

    cairn_buf_free(&b);
    sclient_close(&c);
    h_stop(pid, SIGTERM);
    h_net_cleanup(&net);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
