/* `cairn provider storage`: the storage provider daemon. */
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/amount.h"
#include "cairn/conn.h"
#include "cli/econ_cli.h"
#include "net/node_rpc.h"
#include "storage/cli/storage_cli.h"
#include "storage/provider/provider.h"

#define POLL_MS_DEFAULT 2000

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

static const char usage[] =
    "usage: cairn provider storage --data DIR --capacity SIZE --key FILE\n"
    "           [--listen HOST:PORT] [--endpoint HOST:PORT] [--stake TOKENS]\n"
    "           [--price TOKENS] [--commission BPS] [--collateral-bps BPS]\n"
    "           [--egress-price TOKENS] [--poll-ms MS] [--gc-grace SECONDS]\n"
    "           [--node URL]\n"
    "Runs a storage provider: keeps pieces in DIR (at most SIZE bytes, e.g.\n"
    "10GiB), answers clients on --listen (default 127.0.0.1:9700), and every\n"
    "--poll-ms (default 2000) answers the chain's storage challenges of the\n"
    "current epoch with PROVE transactions. On first start it registers the\n"
    "key as a storage provider with --stake (default: the network's minimum)\n"
    "and --endpoint (default: the listen address) as the address clients "
    "dial.\n"
    "--price is its ask per MiB and epoch (default 0.0001); --collateral-bps "
    "the\n"
    "most collateral it puts up per deal, as a share of the deal's price\n"
    "(default: what the chain requires; the key's balance pays it).\n"
    "--egress-price is what it charges per GiB it serves (default 0.01; 0:\n"
    "free): each piece fetched is paid with a lottery ticket of the reader\n"
    "(cairn tickets fund), winners kept in DIR/tickets/ and redeemed on\n"
    "chain (docs/storage.md, \"Paid retrieval\"). Pieces no\n"
    "active deal needs are dropped after --gc-grace seconds (default 600).\n"
    "Stops cleanly on SIGTERM or Ctrl-C.\n";

typedef struct prov_args {
    const char *data, *capacity, *key, *listen, *endpoint, *stake, *price,
        *commission, *collateral, *poll, *grace, *egress;
} prov_args;

/* The network's minimum self stake, read from /v1/staking. */
static int min_stake(uint64_t *units)
{
    json_t *j;
    if (api_get(cli_node_url(), "/v1/staking", &j))
        return 1;
    const char *s = jstr(j, "min_provider_stake_units");
    int rc = econ_parse_u64(s, "the node's min_provider_stake_units", units);
    json_decref(j);
    return rc;
}

/* Reads the numeric options into cfg. */
static int numbers(const prov_args *a, sprov_config *cfg, int *poll_ms)
{
    uint64_t v;
    cfg->price = 100; /* 0.0001 tokens: the default permanent rate */
    cfg->egress_price = SPROV_EGRESS_PRICE_DEFAULT;
    *poll_ms = POLL_MS_DEFAULT;
    if (stor_parse_size(a->capacity, "--capacity", &cfg->capacity))
        return 1;
    if (a->price && econ_parse_tokens(a->price, "--price", &cfg->price))
        return 1;
    if (a->egress &&
        econ_parse_tokens(a->egress, "--egress-price", &cfg->egress_price))
        return 1;
    if (a->stake ? econ_parse_tokens(a->stake, "--stake", &cfg->stake)
                 : min_stake(&cfg->stake))
        return 1;
    if (a->commission &&
        (econ_parse_u64(a->commission, "--commission", &v) || v > 10000))
        return cli_fail("--commission is in basis points, 0..10000");
    cfg->commission_bps = a->commission ? (uint32_t)v : 0;
    if (a->collateral &&
        (econ_parse_u64(a->collateral, "--collateral-bps", &v) || v > 100000))
        return cli_fail("--collateral-bps is 0..100000");
    cfg->collateral_bps = a->collateral ? (uint32_t)v : 0;
    if (a->poll &&
        (econ_parse_u64(a->poll, "--poll-ms", &v) || v < 100 || v > 600000))
        return cli_fail("--poll-ms is 100..600000");
    *poll_ms = a->poll ? (int)v : POLL_MS_DEFAULT;
    if (a->grace && econ_parse_u64(a->grace, "--gc-grace", &cfg->gc_grace_s))
        return 1;
    return 0;
}

/* Fills cfg from the parsed options; host is the caller's buffer. */
static int configure(const prov_args *a, sprov_config *cfg, char *host,
                     int *poll_ms)
{
    if (!a->data || !a->capacity || !a->key)
        return cli_fail(
            "provider storage: --data, --capacity and --key are required "
            "(see cairn provider storage --help)");
    if (cairn_endpoint_parse(a->listen ? a->listen : "127.0.0.1:9700", host,
                             &cfg->listen_port))
        return cli_fail("--listen \"%s\": give HOST:PORT", a->listen);
    if (a->endpoint && strlen(a->endpoint) > CAIRN_ENDPOINT_MAX)
        return cli_fail("--endpoint is at most %d bytes", CAIRN_ENDPOINT_MAX);
    cfg->data_dir = a->data;
    cfg->listen_host = host;
    cfg->endpoint = a->endpoint;
    cfg->node = cli_node_url();
    return cli_load_key(a->key, &cfg->key) || numbers(a, cfg, poll_ms);
}

/* Refuses a follower node at once: a provider sends transactions (its
 * registration, its proofs), which only the sequencer takes. A node that
 * does not answer yet is left to the daemon, which waits for it. */
static int need_sequencer(void)
{
    snode_ctx ctx;
    snode_err ne;
    if (snode_status(cli_node_url(), &ctx, &ne) != CAIRN_OK)
        return 0;
    if (snode_require_sequencer(cli_node_url(), &ctx, &ne) != CAIRN_OK)
        return cli_fail("provider storage: %s", ne.msg);
    return 0;
}

int cmd_provider_storage(int argc, char **argv)
{
    prov_args a = {0};
    cli_opt opts[] = {{"data", &a.data, NULL},
                      {"capacity", &a.capacity, NULL},
                      {"key", &a.key, NULL},
                      {"listen", &a.listen, NULL},
                      {"endpoint", &a.endpoint, NULL},
                      {"stake", &a.stake, NULL},
                      {"price", &a.price, NULL},
                      {"commission", &a.commission, NULL},
                      {"collateral-bps", &a.collateral, NULL},
                      {"poll-ms", &a.poll, NULL},
                      {"gc-grace", &a.grace, NULL},
                      {"egress-price", &a.egress, NULL},
                      {NULL, NULL, NULL}};
    cli_args pa;
    sprov_config cfg = {0};
    char host[CAIRN_HOST_MAX + 1];
    int poll_ms = POLL_MS_DEFAULT;
    int rc = cli_parse(argc, argv, "provider storage", usage, opts, 0, &pa);
    if (rc)
        return CLI_EXIT(rc);
    if (configure(&a, &cfg, host, &poll_ms) || need_sequencer()) {
        cairn_keypair_wipe(&cfg.key);
        return 1;
    }
    /* A request's buffer grows as its bytes arrive and is freed when the
     * request is done: a fixed mmap threshold gives every large buffer back
     * to the system at once (glibc would otherwise raise the threshold
     * after the first free and keep later buffers in its heap). */
    mallopt(M_MMAP_THRESHOLD, 128 * 1024);
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    rc = sprov_run(&cfg, poll_ms, &stop_flag);
    cairn_keypair_wipe(&cfg.key);
    return rc;
}
