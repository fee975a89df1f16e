/* The compute API of a real `cairn node` process over HTTP on 127.0.0.1:
 * a provider registers in the compute sector and offers its capacity, a
 * tenant posts an order, the provider bids, the tenant takes the bid; the
 * endpoints of docs/api.md ("Compute") answer at each step as it says,
 * and bad requests get their errors. */
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

#include "cairn/amount.h"
#include "cairn/compute.h"
#include "cairn/http.h"
#include "harness.h"
#include "api_fixture.h"

static void check_params(void)
{
    json_t *j;
    assert_int_equal(get("/v1/compute/params", &j), 200);
    assert_true(jint(j, "epoch_blocks") >= 1);
    assert_string_equal(jstr(j, "compute_min_price_per_core"), "0.01");
    assert_string_equal(jstr(j, "compute_min_price_per_core_units"), "10000");
    assert_string_equal(jstr(j, "compute_bid_deposit_units"), "500000");
    assert_int_equal(jint(j, "compute_max_bids"), 20);
    assert_int_equal(jint(j, "compute_bid_window_max"), 1000);
    assert_int_equal(jint(j, "compute_grace_epochs"), 3);
    assert_int_equal(jint(j, "compute_max_missed"), 2);
    assert_int_equal(jint(j, "compute_fault_slash_bps"), 100);
    assert_int_equal(jint(j, "compute_max_epochs"), 1000000);
    assert_int_equal(jint(j, "compute_ticket_unlock_blocks"), 1000);
    assert_int_equal(jint(j, "report_max"), CAIRN_REPORT_MAX);
    jint(j, "epoch");
    json_decref(j);
}

/* The provider registers and offers 4 cores; checks its capacity. */
static void provider_up(const cairn_keypair *P, const char *prov, cairn_buf *b)
{
    char path[160];
    json_t *j;
    cairn_register reg = {CAIRN_SECTOR_COMPUTE, 0, 1000 * CAIRN_UNITS_PER_TOKEN,
                          "127.0.0.1:7100"};
    cairn_register_encode(b, &reg);
    post(P, CAIRN_TX_REGISTER, b);
    snprintf(path, sizeof path, "/v1/compute/provider/%s", prov);
    expect_error(path, 404, "not_provider");
    cairn_compute_offer off = {4, 8192, 65536};
    cairn_compute_offer_encode(b, &off);
    post(P, CAIRN_TX_COMPUTE_OFFER, b);
    assert_int_equal(get(path, &j), 200);
    assert_string_equal(jstr(j, "provider"), prov);
    assert_int_equal(jint(json_object_get(j, "capacity"), "cpus"), 4);
    assert_int_equal(jint(json_object_get(j, "capacity"), "disk_mib"), 65536);
    assert_int_equal(jint(json_object_get(j, "used"), "cpus"), 0);
    assert_int_equal(jint(j, "leases"), 0);
    json_decref(j);
}

/* The open order 1 as the API shows it, with P's bid. */
static void check_open(const char *ten, const char *prov)
{
    json_t *j;
    assert_int_equal(get("/v1/compute/leases?state=open", &j), 200);
    json_t *arr = json_object_get(j, "leases");
    assert_int_equal(json_array_size(arr), 1);
    assert_true(json_is_false(json_object_get(j, "more")));
    json_t *l = json_array_get(arr, 0);
    assert_int_equal(jint(l, "id"), 1);
    assert_string_equal(jstr(l, "tenant"), ten);
    assert_true(json_is_null(json_object_get(l, "provider")));
    assert_string_equal(jstr(l, "state"), "open");
    assert_true(json_is_null(json_object_get(l, "end_reason")));
    assert_int_equal(jint(l, "cpus"), 2);
    assert_int_equal(jint(l, "memory_mib"), 1024);
    assert_int_equal(jint(l, "port"), 8080);
    assert_string_equal(jstr(l, "max_price"), "0.1");
    assert_string_equal(jstr(l, "escrow_units"), "1000000");
    assert_true(json_is_null(json_object_get(l, "last_report")));
    assert_string_equal(jstr(l, "work_state"), "none");
    assert_int_equal(jint(l, "nbids"), 1);
    json_decref(j);
    assert_int_equal(get("/v1/compute/lease/1", &j), 200);
    json_t *bids = json_object_get(j, "bids");
    assert_int_equal(json_array_size(bids), 1);
    assert_string_equal(jstr(json_array_get(bids, 0), "provider"), prov);
    assert_string_equal(jstr(json_array_get(bids, 0), "price_units"), "80000");
    assert_string_equal(jstr(json_array_get(bids, 0), "deposit"), "0.5");
    json_decref(j);
}

/* Lease 1 as the API shows it once P won it. */
static void check_leased(const char *ten, const char *prov)
{
    char path[200];
    json_t *j;
    assert_int_equal(get("/v1/compute/lease/1", &j), 200);
    assert_string_equal(jstr(j, "state"), "active");
    assert_string_equal(jstr(j, "provider"), prov);
    assert_string_equal(jstr(j, "price_units"), "80000");
    assert_int_equal(json_array_size(json_object_get(j, "bids")), 0);
    assert_true(jint(j, "start_height") > 0);
    assert_string_equal(jstr(j, "work_state"), "running");
    json_decref(j);
    snprintf(path, sizeof path, "/v1/compute/leases?provider=%s", prov);
    assert_int_equal(get(path, &j), 200);
    assert_int_equal(json_array_size(json_object_get(j, "leases")), 1);
    json_decref(j);
    snprintf(path, sizeof path, "/v1/compute/leases?tenant=%s&after=1", ten);
    assert_int_equal(get(path, &j), 200);
    assert_int_equal(json_array_size(json_object_get(j, "leases")), 0);
    json_decref(j);
    assert_int_equal(get("/v1/compute/leases?state=open", &j), 200);
    assert_int_equal(json_array_size(json_object_get(j, "leases")), 0);
    json_decref(j);
    snprintf(path, sizeof path, "/v1/compute/provider/%s", prov);
    assert_int_equal(get(path, &j), 200);
    assert_int_equal(jint(json_object_get(j, "used"), "cpus"), 2);
    assert_int_equal(jint(j, "leases"), 1);
    json_decref(j);
}

static void bad_requests(const char *ten, const char *prov)
{
    char path[200];
    expect_error("/v1/compute/lease/999", 404, "no_order");
    expect_error("/v1/compute/lease/x1", 400, "bad_argument");
    expect_error("/v1/compute/leases", 400, "bad_argument");
    expect_error("/v1/compute/leases?state=closed", 400, "bad_argument");
    expect_error("/v1/compute/leases?tenant=cairn1zz", 400, "bad_argument");
    expect_error("/v1/compute/leases?state=open&after=x", 400, "bad_argument");
    snprintf(path, sizeof path, "/v1/compute/leases?tenant=%s&provider=%s", ten,
             prov);
    expect_error(path, 400, "bad_argument");
    expect_error("/v1/compute/provider/cairn1zz", 400, NULL);
    expect_error("/v1/compute/tickets/cairn1zz", 400, "bad_address");
    snprintf(path, sizeof path, "/v1/compute/tickets/%s", prov);
    expect_error(path, 404, "not_found"); /* never funded */
}

/* TICKET_FUND, then the sender's funds over the API. */
static void check_tickets(const cairn_keypair *T, const char *ten, cairn_buf *b)
{
    char path[200];
    json_t *j;
    cairn_ticket_fund_encode(b, 10000000, 1000000);
    post(T, CAIRN_TX_TICKET_FUND, b);
    snprintf(path, sizeof path, "/v1/compute/tickets/%s", ten);
    assert_int_equal(get(path, &j), 200);
    assert_string_equal(jstr(j, "sender"), ten);
    assert_string_equal(jstr(j, "deposit"), "10");
    assert_string_equal(jstr(j, "deposit_units"), "10000000");
    assert_string_equal(jstr(j, "reserve_units"), "1000000");
    assert_string_equal(jstr(j, "pending_units"), "0");
    assert_int_equal(jint(j, "unlock_height"), 0);
    json_decref(j);
}

static void test_compute_api(void **state)
{
    h_net net;
    char data[400], prov[CAIRN_ADDR_TEXT_LEN + 1], ten[CAIRN_ADDR_TEXT_LEN + 1];
    cairn_buf b;
    (void)state;
    h_net_setup(&net, 3, "100000", 100);
    h_init_chain(&net, "seq", data, sizeof data);
    pid_t pid = h_start_node(&net, data, net.port, NULL);
    snprintf(base, sizeof base, "http://127.0.0.1:%d", net.port);
    const cairn_keypair *P = &net.acct[0], *T = &net.acct[1];
    cairn_addr_format(prov, &P->pk);
    cairn_addr_format(ten, &T->pk);
    cairn_buf_init(&b, CAIRN_TX_BODY_MAX);
    check_params();
    provider_up(P, prov, &b);
    cairn_order o = {.cpus = 2,
                     .mem_mib = 1024,
                     .disk_mib = 2048,
                     .port = 8080,
                     .max_price = 100000,
                     .max_epochs = 100,
                     .escrow = 1000000,
                     .bid_blocks = 900};
    memset(o.manifest.b, 0xAB, 32);
    cairn_order_encode(&b, &o);
    post(T, CAIRN_TX_ORDER_OPEN, &b);
    cairn_bid bid = {1, 80000};
    cairn_bid_encode(&b, &bid);
    post(P, CAIRN_TX_BID, &b);
    check_open(ten, prov);
    cairn_lease_create_encode(&b, 1, &P->pk);
    post(T, CAIRN_TX_LEASE_CREATE, &b);
    cairn_report_entry e = {1, CAIRN_WORK_RUNNING, 0};
    cairn_report_encode(&b, &e, 1);
    post(P, CAIRN_TX_LEASE_REPORT, &b);
    check_leased(ten, prov);
    bad_requests(ten, prov);
    check_tickets(T, ten, &b);
    cairn_lease_close_encode(&b, 1);
    post(T, CAIRN_TX_LEASE_CLOSE, &b);
    json_t *j;
    assert_int_equal(get("/v1/compute/lease/1", &j), 200);
    assert_string_equal(jstr(j, "state"), "closed");
    assert_string_equal(jstr(j, "end_reason"), "tenant");
    assert_string_equal(jstr(j, "escrow_units"), "0");
    json_decref(j);
    cairn_buf_free(&b);
    h_stop(pid, SIGTERM);
    h_net_cleanup(&net);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_compute_api),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
