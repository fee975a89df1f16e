/* The storage API of a real `cairn node` process over HTTP on 127.0.0.1:
 * a provider registers, a client opens a deal, the provider polls its
 * challenge, answers it with a proof built from the challenge the API
 * gives, and sees it marked proven; the deal endpoints answer as
 * docs/api.md says, and bad requests get their errors. */
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
#include "cairn/http.h"
#include "cairn/storage.h"
#include "harness.h"
#include "api_fixture.h"

#define PIECE 5000

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* The current epoch, from /v1/storage/params. */
static uint64_t epoch_now(void)
{
    json_t *j;
    assert_int_equal(get("/v1/storage/params", &j), 200);
    uint64_t e = (uint64_t)jint(j, "epoch");
    json_decref(j);
    return e;
}

/* Builds the proof for `ch` (one challenge object) of the piece. */
static void proof_body(cairn_buf *b, json_t *ch, json_t *reply,
                       const uint8_t *piece, const cairn_hash *leaves,
                       uint64_t nleaves)
{
    cairn_hash seed;
    cairn_merkle_proof pf;
    uint8_t leaf[CAIRN_LEAF_SIZE] = {0};
    const char *sh = jstr(reply, "seed");
    assert_int_equal(cairn_hex_decode(seed.b, 32, sh, strlen(sh)), CAIRN_OK);
    uint64_t deal = (uint64_t)jint(ch, "deal"),
             idx = (uint64_t)jint(ch, "leaf_index");
    /* the API's leaf is the one the rule gives */
    assert_int_equal(idx, cairn_storage_challenge(&seed, deal, PIECE));
    assert_int_equal(cairn_merkle_prove(&pf, leaves, nleaves, idx), CAIRN_OK);
    uint64_t off = idx * CAIRN_LEAF_SIZE;
    memcpy(leaf, piece + off,
           PIECE - off < CAIRN_LEAF_SIZE ? PIECE - off : CAIRN_LEAF_SIZE);
    cairn_proof_entry e = {
        deal, (uint64_t)jint(ch, "epoch"), idx, leaf, (uint8_t)pf.n, {{{0}}}};
    memcpy(e.path, pf.sib, pf.n * sizeof pf.sib[0]);
    cairn_prove_encode(b, &e, 1);
}

static void test_storage_api(void **state)
{
    h_net net;
    char data[400], err[64], prov[CAIRN_ADDR_TEXT_LEN + 1],
        cli[CAIRN_ADDR_TEXT_LEN + 1];
    char path[256];
    uint8_t piece[PIECE];
    cairn_hash leaves[5], root;
    json_t *j;
    cairn_buf b;
    (void)state;
    h_net_setup(&net, 3, "100000", 100);
    h_init_chain(&net, "seq", data, sizeof data);
    pid_t pid = h_start_node(&net, data, net.port, NULL);
    snprintf(base, sizeof base, "http://127.0.0.1:%d", net.port);
    const cairn_keypair *P = &net.acct[0], *C = &net.acct[1];
    cairn_addr_format(prov, &P->pk);
    cairn_addr_format(cli, &C->pk);
    cairn_buf_init(&b, CAIRN_TX_BODY_MAX);

    cairn_register reg = {CAIRN_SECTOR_STORAGE, 0, 1000 * CAIRN_UNITS_PER_TOKEN,
                          "127.0.0.1:7000"};
    cairn_register_encode(&b, &reg);
    post_tx(P, CAIRN_TX_REGISTER, &b, err);
    assert_string_equal(err, "");
    assert_int_equal(get("/v1/storage/providers", &j), 200);
    json_t *arr = json_object_get(j, "providers");
    assert_int_equal(json_array_size(arr), 1);
    assert_string_equal(jstr(json_array_get(arr, 0), "address"), prov);
    assert_string_equal(jstr(json_array_get(arr, 0), "endpoint"),
                        "127.0.0.1:7000");
    assert_true(
        json_is_true(json_object_get(json_array_get(arr, 0), "active")));
    json_decref(j);

    for (int i = 0; i < PIECE; i++)
        piece[i] = (uint8_t)(i * 131 + 7);
    for (int i = 0; i < 5; i++) {
        uint8_t leaf[CAIRN_LEAF_SIZE] = {0};
        int take = PIECE - i * 1024 < 1024 ? PIECE - i * 1024 : 1024;
        memcpy(leaf, piece + i * 1024, (size_t)take);
        cairn_merkle_leaf(&leaves[i], leaf, CAIRN_LEAF_SIZE);
    }
    cairn_merkle_root(&root, leaves, 5);
    uint64_t start = epoch_now() + 1;
    cairn_deal_open o = {
        {P->pk, root, PIECE, {{0}}, 1, 2, 0, start, 50, 1000, 10000}, {{0}}};
    assert_int_equal(cairn_deal_open_sign(&o.sig, "cairn-test", &C->pk,
                                          nonce_of(C), &o.t, P),
                     CAIRN_OK);
    cairn_buf_reset(&b);
    cairn_deal_open_encode(&b, &o);
    post_tx(C, CAIRN_TX_DEAL_OPEN, &b, err);
    assert_string_equal(err, "");

    snprintf(path, sizeof path, "/v1/deals?client=%s", cli);
    assert_int_equal(get(path, &j), 200);
    assert_int_equal(json_array_size(json_object_get(j, "deals")), 1);
    assert_true(json_is_false(json_object_get(j, "more")));
    json_decref(j);
    assert_int_equal(get("/v1/deal/1", &j), 200);
    assert_string_equal(jstr(j, "provider"), prov);
    assert_string_equal(jstr(j, "state"), "active");
    assert_string_equal(jstr(j, "escrow_units"), "50000");
    assert_int_equal(jint(j, "segment"), 1);
    assert_true(json_is_null(json_object_get(j, "last_proven")));
    json_decref(j);

    for (int i = 0; i < 600 && epoch_now() < start;
         i++) /* 10 blocks of 100 ms */
        sleep_ms(20);
    /* answer the challenge; a proof built at an epoch's very end may land in
     * the next epoch (proof_epoch): then poll and answer again */
    int proven = 0;
    for (int attempt = 0; attempt < 5 && !proven; attempt++) {
        snprintf(path, sizeof path, "/v1/storage/challenges?provider=%s", prov);
        assert_int_equal(get(path, &j), 200);
        json_t *chs = json_object_get(j, "challenges");
        assert_int_equal(json_array_size(chs), 1);
        json_t *ch = json_array_get(chs, 0);
        assert_int_equal(jint(ch, "deal"), 1);
        assert_int_equal(jint(ch, "leaves"), 5);
        if (json_is_true(json_object_get(ch, "proven"))) {
            proven = 1;
        } else {
            cairn_buf_reset(&b);
            proof_body(&b, ch, j, piece, leaves, 5);
            post_tx(P, CAIRN_TX_PROVE, &b, err);
            if (err[0])
                assert_string_equal(err, "proof_epoch");
        }
        json_decref(j);
    }
    assert_true(proven);
    assert_int_equal(get("/v1/deal/1", &j), 200);
    assert_true(jint(j, "last_proven") >= (long long)start);
    json_decref(j);

    assert_int_equal(get("/v1/deal/999", &j), 404);
    assert_string_equal(jstr(j, "error"), "no_deal");
    json_decref(j);
    assert_int_equal(get("/v1/deal/x1", &j), 400);
    json_decref(j);
    assert_int_equal(get("/v1/deals", &j), 400);
    json_decref(j);
    snprintf(path, sizeof path, "/v1/deals?client=%s&provider=%s", cli, prov);
    assert_int_equal(get(path, &j), 400);
    json_decref(j);
    assert_int_equal(get("/v1/storage/challenges?provider=cairn1zz", &j), 400);
    json_decref(j);
    assert_int_equal(get("/v1/storage/providers?limit=0", &j), 400);
    json_decref(j);

    cairn_buf_free(&b);
    h_stop(pid, SIGTERM);
    h_net_cleanup(&net);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_storage_api),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
