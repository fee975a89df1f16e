/* Subnets through a real `cairn node` process and the `cairn subnet`
 * command: a compute provider and a validator join a subnet the owner
 * created with the CLI; GET /v1/compute/subnets and
 * /v1/compute/subnet/{name|id} answer as docs/api.md says; an unknown
 * subnet is 404 no_subnet; `cairn subnet ls` and `show` print them;
 * `cairn subnet commit` and `reveal` set a validator's weights, which the
 * next epoch's result shows. */
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
#include <time.h>

#include "cairn/amount.h"
#include "cairn/compute.h"
#include "cairn/http.h"
#include "cairn/subnet.h"
#include "harness.h"
#include "api_fixture.h"

/* Runs `cairn --node BASE subnet ARGS... --key KEY`; returns its exit
 * code; its stdout is in net->dir/cli.out. */
static int cli(const h_net *net, const char *key, char *const *args, int n)
{
    char out[320], err[320];
    char *argv[16];
    int k = 0;
    snprintf(out, sizeof out, "%s/cli.out", net->dir);
    snprintf(err, sizeof err, "%s/cli.err", net->dir);
    remove(out);
    argv[k++] = getenv("CAIRN_BIN");
    argv[k++] = "--node";
    argv[k++] = base;
    argv[k++] = "subnet";
    for (int i = 0; i < n && k < 12; i++)
        argv[k++] = args[i];
    if (key) {
        argv[k++] = "--key";
        argv[k++] = (char *)key;
    }
    argv[k] = NULL;
    return h_run(argv, out, err, 60000);
}

static int out_has(const h_net *net, const char *needle)
{
    char path[320];
    static char buf[1 << 16];
    snprintf(path, sizeof path, "%s/cli.out", net->dir);
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    return strstr(buf, needle) != NULL;
}

static void check_subnet(const char *ref, const char *owner, const char *miner)
{
    char path[200];
    json_t *j, *m;
    snprintf(path, sizeof path, "/v1/compute/subnet/%s", ref);
    assert_int_equal(get(path, &j), 200);
    assert_int_equal(jint(j, "id"), 1);
    assert_string_equal(jstr(j, "name"), "sn-a");
    assert_string_equal(jstr(j, "type"), "matmul");
    assert_string_equal(jstr(j, "owner"), owner);
    assert_string_equal(jstr(j, "locked"), "100");
    assert_int_equal(jint(j, "miners"), 1);
    assert_int_equal(jint(j, "validators"), 1);
    json_t *mem = json_object_get(j, "members");
    assert_int_equal(json_array_size(mem), 2);
    m = json_array_get(mem, 0);
    assert_string_equal(jstr(m, "role"), "miner");
    assert_string_equal(jstr(m, "address"), miner);
    assert_int_equal(jint(m, "uid"), 0);
    assert_true(json_is_true(json_object_get(m, "active")));
    m = json_array_get(mem, 1);
    assert_string_equal(jstr(m, "role"), "validator");
    assert_string_equal(jstr(m, "stake"), "10");
    assert_int_equal(json_array_size(json_object_get(j, "weights")), 1);
    assert_non_null(json_object_get(j, "last_epoch"));
    json_decref(j);
}

static long long epoch_now(void)
{
    json_t *j;
    assert_int_equal(get("/v1/compute/params", &j), 200);
    long long e = jint(j, "epoch");
    json_decref(j);
    return e;
}

/* Waits (at most 40 s) until the epoch after `e` has begun; returns it.
 * Right after the change, a whole epoch (5 s) is left for a transaction
 * that must land in it. */
static long long next_epoch(long long e)
{
    struct timespec ts = {0, 20 * 1000 * 1000};
    for (int i = 0; i < 2000; i++) {
        long long now = epoch_now();
        if (now > e)
            return now;
        nanosleep(&ts, NULL);
    }
    fail_msg("epoch %lld did not end within 40 s", e);
    return -1;
}

/* `cairn subnet commit` in epoch E, `reveal` in E + 1: the API shows the
 * reveal, and at the end of E + 1 the Yuma result. */
static void commit_reveal(h_net *net, const char *kval)
{
    json_t *j;
    static char salt[] =
        "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
    char *commit[] = {"commit", "sn-a", "--weights", "0:100", "--salt", salt};
    char *reveal[] = {"reveal", "sn-a",   "--weights",
                      "0:100",  "--salt", commit[5]};
    long long e = next_epoch(epoch_now());
    assert_int_equal(cli(net, kval, commit, 6), 0);
    assert_true(out_has(net, "committed"));
    next_epoch(e);
    assert_int_equal(cli(net, kval, reveal, 6), 0);
    assert_true(out_has(net, "revealed"));
    assert_int_equal(get("/v1/compute/subnet/sn-a", &j), 200);
    json_t *w = json_array_get(json_object_get(j, "weights"), 0);
    assert_int_equal(jint(w, "reveal_epoch"), e + 1);
    assert_int_equal(jint(w, "reveal_count"), 1);
    json_t *row = json_array_get(json_object_get(w, "row"), 0);
    assert_int_equal(json_integer_value(json_array_get(row, 0)), 0);
    assert_int_equal(json_integer_value(json_array_get(row, 1)), 100);
    json_decref(j);
    char *show[] = {"show", "sn-a"};
    assert_int_equal(cli(net, NULL, show, 2), 0);
    assert_true(out_has(net, " 0:100"));
    next_epoch(e + 1);
    assert_int_equal(get("/v1/compute/subnet/sn-a", &j), 200);
    json_t *last = json_object_get(j, "last_epoch");
    assert_int_equal(jint(last, "epoch"), e + 1); /* polled every 20 ms */
    json_t *m = json_array_get(json_object_get(last, "miners"), 0);
    assert_true(jint(m, "incentive_ppm") > 999000); /* the only weight */
    assert_string_not_equal(jstr(m, "pay_units"), "0");
    json_decref(j);
}

static void test_subnet_api(void **state)
{
    h_net net;
    char data[400], prov[CAIRN_ADDR_TEXT_LEN + 1], own[CAIRN_ADDR_TEXT_LEN + 1];
    char kown[320], kval[320];
    cairn_buf b;
    json_t *j;
    (void)state;
    h_net_setup(&net, 3, "100000", 500); /* epochs of 10 blocks: 5 s */
    h_init_chain(&net, "seq", data, sizeof data);
    pid_t pid = h_start_node(&net, data, net.port, NULL);
    snprintf(base, sizeof base, "http://127.0.0.1:%d", net.port);
    const cairn_keypair *P = &net.acct[0], *O = &net.acct[1];
    cairn_addr_format(prov, &P->pk);
    cairn_addr_format(own, &O->pk);
    snprintf(kown, sizeof kown, "%s/own.key", net.dir);
    snprintf(kval, sizeof kval, "%s/val.key", net.dir);
    assert_int_equal(cairn_key_save(kown, O), CAIRN_OK);
    assert_int_equal(cairn_key_save(kval, &net.acct[2]), CAIRN_OK);
    cairn_buf_init(&b, CAIRN_TX_BODY_MAX);

    assert_int_equal(get("/v1/compute/subnets", &j), 200);
    assert_int_equal(json_array_size(json_object_get(j, "subnets")), 0);
    json_decref(j);
    char *create[] = {"create", "sn-a", "--type", "matmul"};
    assert_int_equal(cli(&net, kown, create, 4), 0);

    cairn_register reg = {CAIRN_SECTOR_COMPUTE, 0, 1000 * CAIRN_UNITS_PER_TOKEN,
                          "127.0.0.1:7100"};
    cairn_register_encode(&b, &reg);
    post(P, CAIRN_TX_REGISTER, &b);
    cairn_compute_offer off = {4, 8192, 65536};
    cairn_compute_offer_encode(&b, &off);
    post(P, CAIRN_TX_COMPUTE_OFFER, &b);
    cairn_subnet_join_encode(&b, 1, CAIRN_ROLE_MINER, 0);
    post(P, CAIRN_TX_SUBNET_JOIN, &b);
    char *join[] = {"join", "sn-a", "--role", "validator", "--stake", "10"};
    assert_int_equal(cli(&net, kval, join, 6), 0);

    assert_int_equal(get("/v1/compute/subnets", &j), 200);
    json_t *s = json_array_get(json_object_get(j, "subnets"), 0);
    assert_non_null(s);
    assert_string_equal(jstr(s, "name"), "sn-a");
    assert_int_equal(jint(s, "miners"), 1);
    assert_int_equal(jint(s, "validators"), 1);
    json_decref(j);
    check_subnet("sn-a", own, prov);
    check_subnet("1", own, prov);
    expect_error("/v1/compute/subnet/nope", 404, "no_subnet");
    expect_error("/v1/compute/subnet/7", 404, "no_subnet");

    char *ls[] = {"ls"};
    assert_int_equal(cli(&net, NULL, ls, 1), 0);
    assert_true(out_has(&net, "sn-a"));
    char *show[] = {"show", "sn-a"};
    assert_int_equal(cli(&net, NULL, show, 2), 0);
    assert_true(out_has(&net, prov));
    char *dup[] = {"create", "sn-a", "--type", "render"};
    assert_int_not_equal(cli(&net, kown, dup, 4), 0); /* name_taken */
    commit_reveal(&net, kval);
    cairn_buf_free(&b);
    h_stop(pid, SIGTERM);
    h_net_cleanup(&net);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_subnet_api),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
