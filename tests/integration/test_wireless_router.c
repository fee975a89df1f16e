/* The router daemon (src/wireless/route/, docs/wireless-data.md) as a real
 * process against a real `cairn node` on loopback: a router with 5 data
 * credits (bought through `cairn price set` and `cairn credits buy`)
 * answers POST /v1/uplink:
 * - a good ABP uplink: a receipt signed for this chain, naming the hotspot,
 *   the packet's hash and its dc; the same packet from the same hotspot
 *   again (a retry): the same receipt; from another hotspot: fcnt_replay;
 * - a wrong MIC, an unknown DevAddr, a malformed frame, bad JSON, a body
 *   over the bound: refused with their errors;
 * - a join request: a join accept whose MIC the device checks, whose
 *   session key then carries an uplink; an old DevNonce: refused;
 * - more credits than the router has left: no_credits (and after a
 *   restart too: what it signed is remembered);
 * - a restart: the persisted counters refuse the old uplink again (not
 *   bought twice).
 * When the node runs the wireless sector (`cairn wireless route` exists),
 * the chain part runs too: `cairn wireless route register`, the route read
 * back from GET /v1/wireless/route/{devaddr} and `route ls`, the hotspot
 * registered in the wireless sector claims its receipts (the router's
 * credits fall by exactly their dc), and a second claim is refused.
 * Without it the chain side is left to tests/unit/test_wireless_data.c.
 *
 * The router is `$CAIRN_BIN wireless route run`; it is stopped by its
 * PID. */
#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cairn/codec.h"
#include "cairn/http.h"
#include "cairn/wireless_data.h"
#include "harness.h"
#include "net/node_rpc.h"
#include "sectors/wireless/data.h"
#include "wireless/frame.h"
#include "wireless/route/route.h"

#define CHECK(c)                                                               \
    do {                                                                       \
        if (!(c)) {                                                            \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__,   \
                    #c);                                                       \
            failures++;                                                        \
        }                                                                      \
    } while (0)

static int failures;
static h_net net;
static char node_url[64], router_url[96], router_key[400], devices[400],
    rdata[400], rlog[400], listen_ep[32];
static const uint8_t ABP_KEY[16] = {1, 2,  3,  4,  5,  6,  7,  8,
                                    9, 10, 11, 12, 13, 14, 15, 16};
static const uint8_t APP_KEY[16] = {0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5,
                                    0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab,
                                    0xac, 0xad, 0xae, 0xaf};
#define ABP_ADDR 0x26000001u
#define DEV_EUI 0x0004a30b001c0530ULL
#define JOIN_EUI 0x70b3d57ed0000001ULL

static void sleep_ms(unsigned ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void write_genesis(void)
{
    char a[CAIRN_ADDR_TEXT_LEN + 1];
    FILE *f = fopen(net.genesis, "w");
    if (!f)
        exit(1);
    cairn_addr_format(a, &net.seq.pk);
    fprintf(f,
            "{\"chain_id\":\"cairn-test\",\"token\":{\"name\":\"Test\","
            "\"symbol\":\"TST\"},\"supply_cap\":\"1000000000\","
            "\"genesis_time_ms\":1767225600000,\"block_interval_ms\":200,"
            "\"max_block_txs\":5000,\"min_fee\":\"0.001\",\"sequencer\":\"%s\","
            "\"economy\":{\"price_oracle\":\"%s\"},\"allocations\":["
            "{\"address\":\"%s\",\"amount\":\"10\"}",
            a, a, a);
    for (int i = 0; i < net.nacct; i++) {
        cairn_addr_format(a, &net.acct[i].pk);
        fprintf(f, ",{\"address\":\"%s\",\"amount\":\"1000\"}", a);
    }
    fprintf(f, "]}\n");
    fclose(f);
}

static int cairn_cmd(const char *a1, const char *a2, const char *a3,
                     const char *key)
{
    const char *bin = getenv("CAIRN_BIN");
    char log[400];
    snprintf(log, sizeof log, "%s/cmd.log", net.dir);
    char *argv[] = {(char *)bin, (char *)a1, (char *)a2, (char *)a3, "--key",
                    (char *)key, "--node",   node_url,   NULL};
    return h_run(argv, log, log, 60000);
}

static pid_t start_router(void)
{
    pid_t pid = fork();
    if (pid == 0) {
        FILE *f = freopen(rlog, "a", stderr);
        (void)f;
        /* the real command, exec'd (a forked copy of the test would carry
         * its state and any lock a thread held) */
        const char *bin = getenv("CAIRN_BIN");
        char *argv[] = {"cairn",     "wireless",   "route",  "run",
                        "--listen",  listen_ep,    "--key",  router_key,
                        "--devices", devices,      "--data", rdata,
                        "--devaddr", "26000000/8", "--node", node_url,
                        NULL};
        if (bin)
            execv(bin, argv);
        _exit(98);
    }
    /* ready: chain read and credits known */
    for (int i = 0; i < 200; i++) {
        cairn_http_resp r = {0};
        char url[128];
        snprintf(url, sizeof url, "%s/v1/status", router_url);
        if (cairn_http_request("GET", url, NULL, 0, NULL, 2000, &r) ==
                CAIRN_OK &&
            r.status == 200) {
            json_t *o = json_loads(r.body, 0, NULL);
            int ok = json_is_true(json_object_get(o, "chain_ok")) &&
                     json_integer_value(json_object_get(o, "credits")) == 5;
            json_decref(o);
            free(r.body);
            if (ok)
                return pid;
        } else {
            free(r.body);
        }
        sleep_ms(100);
    }
    fprintf(stderr, "router did not become ready (log %s)\n", rlog);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    exit(1);
}

static void stop_router(pid_t pid)
{
    int st;
    kill(pid, SIGTERM);
    for (int i = 0; i < 150; i++) {
        if (waitpid(pid, &st, WNOHANG) == pid)
            return;
        sleep_ms(100);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &st, 0);
}

/* POSTs body to the router's /v1/uplink: the status, and the reply in *o
 * (a new reference, NULL when not JSON). */
static int post_raw(const char *body, size_t len, json_t **o)
{
    cairn_http_resp r = {0};
    char url[128];
    snprintf(url, sizeof url, "%s/v1/uplink", router_url);
    if (cairn_http_request("POST", url, body, len, "application/json", 10000,
                           &r) != CAIRN_OK)
        return 0;
    *o = r.body ? json_loads(r.body, 0, NULL) : NULL;
    free(r.body);
    return r.status;
}

static int post(int hotspot, const uint8_t *phy, size_t n, json_t **o)
{
    char a[CAIRN_ADDR_TEXT_LEN + 1], b64[400], body[700];
    cairn_addr_format(a, &net.acct[hotspot].pk);
    sodium_bin2base64(b64, sizeof b64, phy, n, sodium_base64_VARIANT_ORIGINAL);
    snprintf(body, sizeof body,
             "{\"hotspot\":\"%s\",\"payload\":\"%s\",\"rssi\":-80,"
             "\"snr\":7.5,\"freq\":904300000,\"time\":1767225600000}",
             a, b64);
    return post_raw(body, strlen(body), o);
}

/* hotspot 1's receipts, to claim on chain */
static cairn_packet_receipt kept[8];
static size_t nkept;
static uint64_t kept_dc;

static void keep(json_t *o)
{
    const char *hex = json_string_value(json_object_get(o, "receipt"));
    uint8_t b[CAIRN_PACKET_RECEIPT_LEN];
    if (nkept < 8 && hex && strlen(hex) == 2 * sizeof b &&
        cairn_hex_decode(b, sizeof b, hex, strlen(hex)) == CAIRN_OK &&
        cairn_packet_receipt_decode(&kept[nkept], b, sizeof b) == CAIRN_OK)
        kept_dc += kept[nkept++].dc;
}

static uint64_t credits_of(const cairn_pubkey *pk)
{
    char a[CAIRN_ADDR_TEXT_LEN + 1], path[128];
    json_t *o;
    uint64_t c = UINT64_MAX;
    cairn_addr_format(a, pk);
    snprintf(path, sizeof path, "/v1/credits/%s", a);
    if (snode_get(node_url, path, &o, NULL) == CAIRN_OK) {
        if (snode_u64(o, "credits", &c))
            c = UINT64_MAX;
        json_decref(o);
    }
    return c;
}

/* Submits a tx of acct[who] and waits for its block; the error. */
static cairn_err send_wait(int who, uint16_t kind, const cairn_buf *b)
{
    snode_ctx ctx;
    snode_err why;
    uint64_t nonce, h;
    cairn_err e = snode_status(node_url, &ctx, &why);
    if (!e)
        e = snode_next_nonce(node_url, &net.acct[who].pk, &nonce, &why);
    if (!e)
        e = snode_send(node_url, &ctx, &net.acct[who], nonce, kind, b->p,
                       b->len, 1, &h, &why);
    if (e)
        fprintf(stderr, "tx kind 0x%x: %s\n", kind, why.msg);
    return e;
}

/* The chain part (the node runs the wireless sector). */
static void chain_part(void)
{
    char ep[64], url[160];
    const char *bin = getenv("CAIRN_BIN");
    char log[400];
    snprintf(log, sizeof log, "%s/cmd.log", net.dir);
    char *reg[] = {(char *)bin,  "wireless",         "route",      "register",
                   "--devaddr",  "26000000/8",       "--endpoint", listen_ep,
                   "--join-eui", "70b3d57ed0000001", "--key",      router_key,
                   "--node",     node_url,           NULL};
    CHECK(h_run(reg, log, log, 60000) == 0);
    snprintf(url, sizeof url, "%s/v1/wireless/route/26abcdef", node_url);
    cairn_http_resp r = {0};
    CHECK(cairn_http_request("GET", url, NULL, 0, NULL, 5000, &r) == 0 &&
          r.status == 200);
    json_t *o = r.body ? json_loads(r.body, 0, NULL) : NULL;
    char a[CAIRN_ADDR_TEXT_LEN + 1];
    cairn_addr_format(a, &net.acct[0].pk);
    const char *owner = json_string_value(json_object_get(o, "owner"));
    const char *e2 = json_string_value(json_object_get(o, "endpoint"));
    CHECK(owner && strcmp(owner, a) == 0);
    CHECK(e2 && strcmp(e2, listen_ep) == 0);
    json_decref(o);
    free(r.body);
    snprintf(url, sizeof url, "%s/v1/wireless/route/join/70b3d57ed0000001",
             node_url);
    memset(&r, 0, sizeof r);
    CHECK(cairn_http_request("GET", url, NULL, 0, NULL, 5000, &r) == 0 &&
          r.status == 200 && r.body && strstr(r.body, "26000000/8"));
    free(r.body);
    snprintf(url, sizeof url, "%s/v1/wireless/route/27000000", node_url);
    memset(&r, 0, sizeof r);
    CHECK(cairn_http_request("GET", url, NULL, 0, NULL, 5000, &r) == 0 &&
          r.status == 404);
    free(r.body);
    char *ls[] = {(char *)bin, "wireless", "route", "ls",
                  "--node",    node_url,   NULL};
    CHECK(h_run(ls, log, log, 60000) == 0);
    (void)ep;

    /* hotspot 1 registers in the wireless sector and claims its receipts */
    cairn_buf b;
    cairn_buf_init(&b, CAIRN_TX_MAX_BYTES);
    cairn_register reg1 = {WDATA_SECTOR, 0, 100 * 1000000ull,
                           "udp://127.0.0.1:1700"};
    cairn_register_encode(&b, &reg1);
    CHECK(send_wait(1, CAIRN_TX_REGISTER, &b) == CAIRN_OK);
    uint64_t before = credits_of(&net.acct[0].pk);
    static cairn_packet_claim c;
    c.n = (uint8_t)nkept;
    memcpy(c.r, kept, nkept * sizeof kept[0]);
    cairn_buf_reset(&b);
    cairn_packet_claim_encode(&b, &c);
    CHECK(nkept == 3 && kept_dc == 4);
    CHECK(send_wait(1, WDATA_TX_PACKET_CLAIM, &b) == CAIRN_OK);
    CHECK(credits_of(&net.acct[0].pk) == before - kept_dc);
    /* again: refused, credits unchanged */
    CHECK(send_wait(1, WDATA_TX_PACKET_CLAIM, &b) != CAIRN_OK);
    CHECK(credits_of(&net.acct[0].pk) == before - kept_dc);
    cairn_buf_free(&b);
    printf("test_wireless_router: chain part ran (%zu receipts, %llu dc)\n",
           nkept, (unsigned long long)kept_dc);
}

static const char *err_of(json_t *o)
{
    const char *s = json_string_value(json_object_get(o, "error"));
    return s ? s : "";
}

static size_t uplink(uint32_t addr, const uint8_t key[16], uint16_t fcnt,
                     size_t len, uint8_t *out)
{
    lora_uplink u = {.mhdr = LORA_UP_UNCONFIRMED,
                     .dev_addr = addr,
                     .fcnt = fcnt,
                     .fport = 1,
                     .len = len};
    size_t n;
    for (size_t i = 0; i < len; i++)
        u.payload[i] = (uint8_t)(fcnt + i);
    if (lora_uplink_encode(&u, key, out, LORA_MAX_PHY, &n))
        exit(1);
    return n;
}

/* The reply's receipt: signed for cairn-test by the router, naming hotspot
 * and the packet. */
static void check_receipt(json_t *o, int hotspot, const uint8_t *phy, size_t n)
{
    const char *hex = json_string_value(json_object_get(o, "receipt"));
    uint8_t b[CAIRN_PACKET_RECEIPT_LEN];
    cairn_packet_receipt r;
    cairn_hash h;
    CHECK(hex && strlen(hex) == 2 * sizeof b);
    if (!hex || cairn_hex_decode(b, sizeof b, hex, strlen(hex)))
        return;
    CHECK(cairn_packet_receipt_decode(&r, b, sizeof b) == CAIRN_OK);
    CHECK(cairn_packet_receipt_verify(&r, "cairn-test") == CAIRN_OK);
    CHECK(memcmp(r.router.b, net.acct[0].pk.b, 32) == 0);
    CHECK(memcmp(r.hotspot.b, net.acct[hotspot].pk.b, 32) == 0);
    cairn_packet_hash(&h, phy, n);
    CHECK(memcmp(r.packet_hash.b, h.b, 32) == 0);
    CHECK(r.dc == cairn_packet_dc(n));
    CHECK((uint64_t)json_integer_value(json_object_get(o, "dc")) == r.dc);
}

int main(void)
{
    char datadir[400];
    uint8_t phy[LORA_MAX_PHY], phy2[LORA_MAX_PHY];
    size_t n, n2;
    json_t *o = NULL, *o2 = NULL;

    h_net_setup(&net, 3, "1000", 200); /* router, hotspot 1, hotspot 2 */
    write_genesis();
    h_init_chain(&net, "node", datadir, sizeof datadir);
    snprintf(node_url, sizeof node_url, "http://127.0.0.1:%d", net.port);
    pid_t node = h_start_node(&net, datadir, net.port, NULL);
    snprintf(router_key, sizeof router_key, "%s/router.key", net.dir);
    snprintf(devices, sizeof devices, "%s/devices.json", net.dir);
    snprintf(rdata, sizeof rdata, "%s/router", net.dir);
    snprintf(rlog, sizeof rlog, "%s/router.log", net.dir);
    int rport = h_port() + 1;
    snprintf(listen_ep, sizeof listen_ep, "127.0.0.1:%d", rport);
    snprintf(router_url, sizeof router_url, "http://%s", listen_ep);
    if (cairn_key_save(router_key, &net.acct[0]) || mkdir(rdata, 0700))
        return 1;
    FILE *f = fopen(devices, "w");
    char k1[33], k2[33];
    cairn_hex_encode(k1, ABP_KEY, 16);
    cairn_hex_encode(k2, APP_KEY, 16);
    fprintf(f,
            "[{\"dev_addr\":\"26000001\",\"nwk_skey\":\"%s\"},"
            "{\"dev_eui\":\"0004a30b001c0530\",\"join_eui\":"
            "\"70b3d57ed0000001\",\"app_key\":\"%s\"}]\n",
            k1, k2);
    fclose(f);

    /* 5 credits at 0.001 tokens each */
    CHECK(cairn_cmd("price", "set", "0.001", net.seq_key) == 0);
    CHECK(cairn_cmd("credits", "buy", "5", router_key) == 0);
    pid_t router = start_router();

    /* a good uplink; the same again (retry); from another hotspot */
    n = uplink(ABP_ADDR, ABP_KEY, 1, 20, phy);
    CHECK(post(1, phy, n, &o) == 200);
    check_receipt(o, 1, phy, n);
    keep(o);
    CHECK(post(1, phy, n, &o2) == 200);
    CHECK(json_equal(json_object_get(o, "receipt"),
                     json_object_get(o2, "receipt")));
    json_decref(o);
    json_decref(o2);
    CHECK(post(2, phy, n, &o) == 409);
    CHECK(strcmp(err_of(o), "fcnt_replay") == 0);
    json_decref(o);

    /* wrong MIC, unknown device, malformed frame, bad JSON, too large */
    n2 = uplink(ABP_ADDR, APP_KEY, 2, 20, phy2);
    CHECK(post(1, phy2, n2, &o) == 400);
    CHECK(strcmp(err_of(o), "bad_frame") == 0);
    json_decref(o);
    n2 = uplink(0x26000099, ABP_KEY, 2, 20, phy2);
    CHECK(post(1, phy2, n2, &o) == 404);
    json_decref(o);
    CHECK(post(1, (const uint8_t *)"\x60xyz", 4, &o) == 400);
    CHECK(strcmp(err_of(o), "bad_frame") == 0);
    json_decref(o);
    CHECK(post_raw("{\"hotspot\":1}", 13, &o) == 400);
    CHECK(strcmp(err_of(o), "bad_json") == 0);
    json_decref(o);
    static char big[8192];
    memset(big, ' ', sizeof big);
    CHECK(post_raw(big, sizeof big, &o) == 413);
    json_decref(o);

    /* join: the accept's MIC, then an uplink under the derived key */
    lora_join_req jr = {
        .join_eui = JOIN_EUI, .dev_eui = DEV_EUI, .dev_nonce = 7};
    CHECK(lora_join_req_encode(&jr, APP_KEY, phy, sizeof phy, &n) == 0);
    CHECK(post(1, phy, n, &o) == 200);
    check_receipt(o, 1, phy, n);
    keep(o);
    CHECK(json_integer_value(json_object_get(o, "delay_ms")) == 5000);
    const char *dl = json_string_value(json_object_get(o, "downlink"));
    uint8_t acc[64];
    size_t an = 0;
    lora_frame fr;
    CHECK(dl && sodium_base642bin(acc, sizeof acc, dl, strlen(dl), NULL, &an,
                                  NULL, sodium_base64_VARIANT_ORIGINAL) == 0);
    CHECK(lora_frame_decode(&fr, acc, an, NULL, 0) == CAIRN_OK &&
          fr.type == LORA_JOIN_ACCEPT);
    CHECK(lora_check_mic(acc, an, APP_KEY) == CAIRN_OK);
    CHECK(cairn_route_contains(0x26000000, 8, fr.u.jacc.dev_addr));
    json_decref(o);
    uint8_t skey[16];
    lora_derive_nwk_skey(skey, APP_KEY, fr.u.jacc.join_nonce, fr.u.jacc.net_id,
                         7);
    n2 = uplink(fr.u.jacc.dev_addr, skey, 1, 10, phy2);
    CHECK(post(2, phy2, n2, &o) == 200);
    check_receipt(o, 2, phy2, n2);
    json_decref(o);
    CHECK(post(2, phy, n, &o) == 409); /* the old DevNonce, elsewhere */
    json_decref(o);

    /* 4 credits signed (33 + 23 + 23 bytes), 1 left: a 113-byte packet
     * (5 dc) is refused, a 24-byte one (1 dc) still fits */
    n2 = uplink(ABP_ADDR, ABP_KEY, 3, 100, phy2);
    CHECK(post(1, phy2, n2, &o) == 402);
    CHECK(strcmp(err_of(o), "no_credits") == 0);
    json_decref(o);
    n2 = uplink(ABP_ADDR, ABP_KEY, 4, 11, phy2);
    CHECK(post(1, phy2, n2, &o) == 200);
    keep(o);
    json_decref(o);

    /* a restart keeps the counters: the first uplink is not bought again,
     * and the 5 credits signed still count against the 5 on chain */
    stop_router(router);
    router = start_router();
    n = uplink(ABP_ADDR, ABP_KEY, 1, 20, phy);
    CHECK(post(2, phy, n, &o) == 409);
    json_decref(o);
    n = uplink(ABP_ADDR, ABP_KEY, 5, 20, phy);
    CHECK(post(2, phy, n, &o) == 402);
    json_decref(o);

    stop_router(router);
    char *probe[] = {(char *)getenv("CAIRN_BIN"), "wireless", "route", "--help",
                     NULL};
    if (h_run(probe, "/dev/null", "/dev/null", 30000) == 0)
        chain_part();
    else
        printf("test_wireless_router: this node has no wireless sector; "
               "chain part skipped\n");
    h_stop(node, SIGTERM);
    if (failures) {
        fprintf(stderr, "%d checks failed; router log %s (kept)\n", failures,
                rlog);
        return 1;
    }
    h_net_cleanup(&net);
    printf("test_wireless_router: all checks passed\n");
    return 0;
}
