/* kill -9 durability: a load of transfers runs against a real sequencer
 * process that is killed with SIGKILL at a random moment, ROUNDS times
 * (CAIRN_CRASH_ROUNDS overrides), and restarted each time. Every
 * transaction the node acknowledged as committed must be in the chain
 * afterwards, token totals must add up, and a fresh replay of the blocks
 * from genesis must reach the same state root. */
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cairn/chain.h"
#include "cairn/http.h"
#include "cairn/parse.h"
#include "cairn/parse.h"
#include "harness.h"
#include "cairn/staking.h"

#define SENDERS 6
#define ROUNDS 20
#define ROUNDS_MAX 10000
#define MAX_ACKS 20000
#define CHECK(c)                                                               \
    do {                                                                       \
        if (!(c)) {                                                            \
            fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #c);       \
            exit(1);                                                           \
        }                                                                      \
    } while (0)

static h_net net;
static char url[128];
static cairn_hash acked[MAX_ACKS];
static int nacked;
static pthread_mutex_t ack_lock = PTHREAD_MUTEX_INITIALIZER;
static _Atomic int round_over;

/* Asks the node for the sender's next nonce; -1 if it does not answer. */
static long long next_nonce(const cairn_pubkey *pk)
{
    char a[CAIRN_ADDR_TEXT_LEN + 1], u[300];
    cairn_addr_format(a, pk);
    snprintf(u, sizeof u, "%s/v1/account/%s", url, a);
    return h_get_int(u, "next_nonce");
}

/* Submits one transfer with wait=1; 1 if acknowledged committed. */
static int submit(int s, uint64_t nonce, cairn_hash *h)
{
    cairn_buf b;
    cairn_http_resp r = {0};
    char u[160];
    int ok = 0;
    cairn_buf_init(&b, CAIRN_TX_MAX_BYTES);
    CHECK(cairn_tx_make_transfer(&b, "cairn-test", &net.acct[s], nonce, 1000,
                                 &net.acct[(s + 1) % SENDERS].pk,
                                 1000 + s) == CAIRN_OK);
    char *hex = malloc(2 * b.len + 1);
    cairn_hex_encode(hex, b.p, b.len);
    json_t *body = json_pack("{s:s}", "tx", hex);
    char *js = json_dumps(body, JSON_COMPACT);
    snprintf(u, sizeof u, "%s/v1/tx?wait=1", url);
    if (cairn_http_request("POST", u, js, strlen(js), "application/json", 10000,
                           &r) == CAIRN_OK &&
        r.status == 200 && strstr(r.body, "\"committed\"")) {
        cairn_tx_hash(h, b.p, b.len);
        ok = 1;
    }
    free(r.body);
    free(js);
    json_decref(body);
    free(hex);
    cairn_buf_free(&b);
    return ok;
}

static void *worker(void *arg)
{
    int s = (int)(intptr_t)arg;
    long long nonce = next_nonce(&net.acct[s].pk);
    while (!round_over && nonce >= 0) {
        cairn_hash h;
        if (submit(s, (uint64_t)nonce, &h)) {
            pthread_mutex_lock(&ack_lock);
            if (nacked < MAX_ACKS)
                acked[nacked++] = h;
            pthread_mutex_unlock(&ack_lock);
            nonce++;
        } else {
            /* no ack: the tx may or may not have landed; ask again */
            struct timespec ts = {0, 20 * 1000000L};
            nanosleep(&ts, NULL);
            nonce = next_nonce(&net.acct[s].pk);
        }
    }
    return NULL;
}

static void run_round(const char *datadir, unsigned *seed, int round)
{
    pthread_t th[SENDERS];
    /* a port free now: over many restarts another process may take one */
    net.port = h_port();
    snprintf(url, sizeof url, "http://127.0.0.1:%d", net.port);
    pid_t pid = h_start_node(&net, datadir, net.port, NULL);
    round_over = 0;
    for (int s = 0; s < SENDERS; s++)
        pthread_create(&th[s], NULL, worker, (void *)(intptr_t)s);
    int ms = 100 + (int)(rand_r(seed) % 900); /* kill at a random moment */
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
    h_stop(pid, SIGKILL);
    round_over = 1;
    for (int s = 0; s < SENDERS; s++)
        pthread_join(th[s], NULL);
    fprintf(stderr, "round %d: killed after %d ms, %d acked so far\n", round,
            ms, nacked);
}

static void check_chain(const char *datadir)
{
    cairn_chain *c;
    cairn_totals t;
    uint64_t sum = 0, blocks;
    cairn_hash root;
    char tmp[300];
    CHECK(cairn_chain_open(&c, datadir) == CAIRN_OK);
    for (int i = 0; i < nacked; i++) {
        uint64_t h;
        uint32_t idx;
        CHECK(cairn_chain_tx_location(c, &acked[i], &h, &idx) == CAIRN_OK);
    }
    for (int i = 0; i < SENDERS; i++) {
        cairn_account a;
        CHECK(cairn_chain_account(c, &net.acct[i].pk, &a) == CAIRN_OK);
        sum += a.balance;
    }
    CHECK(cairn_chain_totals(c, &t) == CAIRN_OK);
    CHECK(sum <= t.supply);
    /* every token is somewhere: balances + stakes + pools + treasury */
    cairn_econ_audit au;
    CHECK(cairn_chain_econ_audit(c, &au) == CAIRN_OK);
    CHECK(au.ok == 1);
    CHECK(au.supply == t.supply);
    cairn_header tip;
    cairn_chain_tip(c, &tip, NULL);
    cairn_chain_close(c);
    snprintf(tmp, sizeof tmp, "%s/replay", net.dir);
    CHECK(cairn_chain_replay(datadir, tmp, &root, &blocks) == CAIRN_OK);
    CHECK(memcmp(root.b, tip.state_root.b, 32) == 0);
    fprintf(
        stderr,
        "ok: %d acknowledged txs all present; %llu blocks replay to the same root\n",
        nacked, (unsigned long long)blocks);
}

/* ROUNDS, or CAIRN_CRASH_ROUNDS (1..ROUNDS_MAX) when set. */
static int rounds(void)
{
    const char *s = getenv("CAIRN_CRASH_ROUNDS");
    uint64_t n = ROUNDS;
    if (s && cairn_parse_u64_max(s, ROUNDS_MAX, &n))
        n = ROUNDS;
    return n >= 1 ? (int)n : ROUNDS;
}

int main(void)
{
    char datadir[300];
    unsigned seed = (unsigned)time(NULL);
    int n = rounds();
    h_net_setup(&net, SENDERS, "1000000", 50);
    h_init_chain(&net, "data", datadir, sizeof datadir);
    fprintf(stderr, "%d kill -9 rounds (seed %u)\n", n, seed);
    for (int r = 1; r <= n; r++)
        run_round(datadir, &seed, r);
    CHECK(nacked > 0);
    /* one clean restart: the node must open what kill -9 left */
    pid_t pid = h_start_node(&net, datadir, h_port(), NULL);
    CHECK(WIFEXITED(h_stop(pid, SIGTERM)));
    check_chain(datadir);
    h_net_cleanup(&net);
    printf("1 passed, 0 failed\n");
    return 0;
}
