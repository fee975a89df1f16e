/* `cairn provider compute`: the compute provider daemon. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cairn/amount.h"
#include "cairn/compute.h"
#include "cairn/conn.h"
#include "cli/cli.h"
#include "cli/econ_cli.h"
#include "compute/provider/cprov.h"
#include "net/node_rpc.h"
#include "storage/cli/storage_cli.h"

#define POLL_MS_DEFAULT 1000

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

static const char usage[] =
    "usage: cairn provider compute --data DIR --key FILE --cpus N --memory "
    "SIZE\n"
    "           --disk SIZE [--price TOKENS] [--stake TOKENS] [--listen "
    "HOST:PORT]\n"
    "           [--endpoint HOST:PORT] [--service-listen HOST:PORT]\n"
    "           [--service-endpoint HOST:PORT] [--commission BPS] [--poll-ms "
    "MS]\n"
    "           [--node URL] [--serve TYPES] [--jobs N] [--cheat-every N]\n"
    "           [--chain-id ID] [--job-price TOKENS] [--no-chain]\n"
    "Runs a compute provider: registers the key in the compute sector with\n"
    "--stake (default: the network's minimum), offers N cores, SIZE memory "
    "and\n"
    "SIZE disk (e.g. 4GiB) on chain, bids on open orders that fit what it "
    "has\n"
    "not committed yet at --price per core and epoch (default and floor: "
    "the\n"
    "chain's compute_min_price_per_core; never above an order's max price),\n"
    "runs the workloads of the leases it wins under bubblewrap in DIR, "
    "reports\n"
    "them every epoch, and removes each one when its lease ends. Tenants "
    "dial\n"
    "--listen (default 127.0.0.1:9800; --endpoint is what it registers).\n"
    "With --service-listen it also serves the ports that service workloads\n"
    "publish (tenants get --service-endpoint, default that address, and a\n"
    "token); without it, orders with a port are not bid on. Checks the "
    "chain\n"
    "every --poll-ms (default 1000). Stops cleanly on SIGTERM or Ctrl-C; a\n"
    "restart resumes the leases it holds.\n"
    "--serve transcode,render,matmul (any of them) also runs verified-work\n"
    "jobs for anyone who sends one (docs/compute-provider.md, \"Jobs\"), at "
    "most\n"
    "--jobs N at once (default 2), each answered with the output and a "
    "claim\n"
    "signed with the key (its chain id from the node, or --chain-id). "
    "--no-chain\n"
    "serves jobs only: no node, no registration, no leases. --cheat-every "
    "N\n"
    "makes one job in N wrong on purpose, chosen by its job id (tests and\n"
    "the devnet's cheating miner). --job-price asks every job for a lottery ticket worth\n"
    "that much on average (default: tickets optional); winning tickets are\n"
    "kept in DIR/tickets/.\n";

typedef struct prov_args {
    const char *data, *key, *cpus, *memory, *disk, *price, *stake, *listen,
        *endpoint, *svc, *svc_ep, *commission, *poll, *serve, *jobs, *cheat,
        *chain_id, *job_price;
    int no_chain;
} prov_args;

/* --serve's list of job types into a mask (bit 1 << type). */
static int serve_mask(const char *s, uint32_t *mask)
{
    static const char *const names[] = {NULL, "transcode", "render", "matmul"};
    *mask = 0;
    while (s && *s) {
        const char *end = strchr(s, ',');
        size_t n = end ? (size_t)(end - s) : strlen(s);
        int found = 0;
        for (uint32_t t = 1; t <= 3; t++)
            if (strlen(names[t]) == n && !strncmp(s, names[t], n)) {
                *mask |= 1u << t;
                found = 1;
            }
        if (!found)
            return cli_fail("--serve \"%.*s\": the job types are transcode, "
                            "render and matmul, comma-separated",
                            (int)n, s);
        s = end ? end + 1 : s + n;
    }
    return 0;
}

static int job_options(const prov_args *a, cprov_config *cfg)
{
    uint64_t v;
    if (serve_mask(a->serve, &cfg->serve))
        return 1;
    if (a->jobs && (econ_parse_u64(a->jobs, "--jobs", &v) || v < 1 || v > 16))
        return cli_fail("--jobs is 1..16");
    cfg->jobs_max = a->jobs ? (uint32_t)v : 0;
    if (a->cheat &&
        (econ_parse_u64(a->cheat, "--cheat-every", &v) || v < 1 || v > 1000000))
        return cli_fail("--cheat-every is 1..1000000");
    cfg->cheat_every = a->cheat ? (uint32_t)v : 0;
    if (a->job_price &&
        econ_parse_tokens(a->job_price, "--job-price", &cfg->job_price))
        return 1;
    if (a->chain_id && strlen(a->chain_id) > CAIRN_CHAIN_ID_MAX)
        return cli_fail("--chain-id is at most %d bytes", CAIRN_CHAIN_ID_MAX);
    if (a->no_chain && !cfg->serve)
        return cli_fail("--no-chain serves jobs only: give --serve");
    return 0;
}

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

/* A size option in whole MiB, 1..CAIRN_COMPUTE_MIB_MAX. */
static int mib(const char *s, const char *what, uint32_t *out)
{
    uint64_t bytes;
    if (stor_parse_size(s, what, &bytes))
        return 1;
    uint64_t m = bytes >> 20;
    if (m < 1 || m > CAIRN_COMPUTE_MIB_MAX)
        return cli_fail("%s is 1MiB..%uTiB", what,
                        (unsigned)(CAIRN_COMPUTE_MIB_MAX >> 20));
    *out = (uint32_t)m;
    return 0;
}

static int resources(const prov_args *a, cprov_config *cfg)
{
    uint64_t v;
    if (econ_parse_u64(a->cpus, "--cpus", &v))
        return 1;
    if (v < 1 || v > CAIRN_COMPUTE_CPUS_MAX)
        return cli_fail("--cpus is 1..%d", CAIRN_COMPUTE_CPUS_MAX);
    cfg->cpus = (uint32_t)v;
    return mib(a->memory, "--memory", &cfg->mem_mib) ||
           mib(a->disk, "--disk", &cfg->disk_mib);
}

static int numbers(const prov_args *a, cprov_config *cfg, int *poll_ms)
{
    uint64_t v;
    if (resources(a, cfg))
        return 1;
    if (a->price && econ_parse_tokens(a->price, "--price", &cfg->price))
        return 1;
    if (a->stake ? econ_parse_tokens(a->stake, "--stake", &cfg->stake)
                 : !a->no_chain && min_stake(&cfg->stake))
        return 1;
    if (a->commission &&
        (econ_parse_u64(a->commission, "--commission", &v) || v > 10000))
        return cli_fail("--commission is in basis points, 0..10000");
    cfg->commission_bps = a->commission ? (uint32_t)v : 0;
    if (a->poll &&
        (econ_parse_u64(a->poll, "--poll-ms", &v) || v < 100 || v > 600000))
        return cli_fail("--poll-ms is 100..600000");
    *poll_ms = a->poll ? (int)v : POLL_MS_DEFAULT;
    return 0;
}

static int endpoints(const prov_args *a, cprov_config *cfg, char *host,
                     char *svc_host)
{
    if (cairn_endpoint_parse(a->listen ? a->listen : "127.0.0.1:9800", host,
                             &cfg->listen_port))
        return cli_fail("--listen \"%s\": give HOST:PORT", a->listen);
    cfg->listen_host = host;
    if (a->endpoint && strlen(a->endpoint) > CAIRN_ENDPOINT_MAX)
        return cli_fail("--endpoint is at most %d bytes", CAIRN_ENDPOINT_MAX);
    cfg->endpoint = a->endpoint;
    if (a->svc) {
        if (cairn_endpoint_parse(a->svc, svc_host, &cfg->service_port))
            return cli_fail("--service-listen \"%s\": give HOST:PORT", a->svc);
        cfg->service_host = svc_host;
    }
    char h[CAIRN_HOST_MAX + 1];
    int port;
    if (a->svc_ep && cairn_endpoint_parse(a->svc_ep, h, &port))
        return cli_fail("--service-endpoint \"%s\": give HOST:PORT", a->svc_ep);
    if (a->svc_ep && !a->svc)
        return cli_fail("--service-endpoint needs --service-listen");
    cfg->service_endpoint = a->svc_ep;
    return 0;
}

static int configure(const prov_args *a, cprov_config *cfg, char *host,
                     char *svc_host, char *self, int *poll_ms)
{
    if (!a->data || !a->key || !a->cpus || !a->memory || !a->disk)
        return cli_fail("provider compute: --data, --key, --cpus, --memory "
                        "and --disk are required (see cairn provider compute "
                        "--help)");
    ssize_t n = readlink("/proc/self/exe", self, 4095);
    if (n <= 0)
        return cli_fail("provider compute: cannot find its own binary "
                        "(/proc/self/exe), which runs the port forwarder");
    self[n] = '\0';
    cfg->forwarder = self;
    cfg->data_dir = a->data;
    cfg->node = a->no_chain ? NULL : cli_node_url();
    return job_options(a, cfg) || endpoints(a, cfg, host, svc_host) ||
           cli_load_key(a->key, &cfg->key) || numbers(a, cfg, poll_ms);
}

/* A provider sends transactions: a follower node is refused at once. The
 * node's chain id goes into job claims (unless --chain-id). */
static int need_sequencer(cprov_config *cfg, char *chain_id)
{
    snode_ctx ctx;
    snode_err ne;
    if (!cfg->node)
        return 0;
    if (snode_status(cli_node_url(), &ctx, &ne) != CAIRN_OK)
        return 0; /* not up yet: the daemon waits for it */
    if (!cfg->chain_id) {
        snprintf(chain_id, CAIRN_CHAIN_ID_MAX + 1, "%s", ctx.chain_id);
        cfg->chain_id = chain_id;
    }
    if (snode_require_sequencer(cli_node_url(), &ctx, &ne) != CAIRN_OK)
        return cli_fail("provider compute: %s", ne.msg);
    return 0;
}

int cmd_provider_compute(int argc, char **argv)
{
    prov_args a = {0};
    cli_opt opts[] = {{"data", &a.data, NULL},
                      {"key", &a.key, NULL},
                      {"cpus", &a.cpus, NULL},
                      {"memory", &a.memory, NULL},
                      {"disk", &a.disk, NULL},
                      {"price", &a.price, NULL},
                      {"stake", &a.stake, NULL},
                      {"listen", &a.listen, NULL},
                      {"endpoint", &a.endpoint, NULL},
                      {"service-listen", &a.svc, NULL},
                      {"service-endpoint", &a.svc_ep, NULL},
                      {"commission", &a.commission, NULL},
                      {"poll-ms", &a.poll, NULL},
                      {"serve", &a.serve, NULL},
                      {"jobs", &a.jobs, NULL},
                      {"cheat-every", &a.cheat, NULL},
                      {"chain-id", &a.chain_id, NULL},
                      {"job-price", &a.job_price, NULL},
                      {"no-chain", NULL, &a.no_chain},
                      {NULL, NULL, NULL}};
    cli_args pa;
    cprov_config cfg = {0};
    char host[CAIRN_HOST_MAX + 1], svc_host[CAIRN_HOST_MAX + 1], self[4096];
    char chain_id[CAIRN_CHAIN_ID_MAX + 1] = "";
    int poll_ms = POLL_MS_DEFAULT;
    int rc = cli_parse(argc, argv, "provider compute", usage, opts, 0, &pa);
    if (rc)
        return CLI_EXIT(rc);
    cfg.chain_id = a.chain_id;
    if (configure(&a, &cfg, host, svc_host, self, &poll_ms) ||
        need_sequencer(&cfg, chain_id)) {
        cairn_keypair_wipe(&cfg.key);
        return 1;
    }
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    rc = cprov_run(&cfg, poll_ms, &stop_flag);
    cairn_keypair_wipe(&cfg.key);
    return rc;
}
