/* `cairn provider wireless`: the hotspot daemon's command line. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cairn/parse.h"
#include "cli/cli.h"
#include "cli/econ_cli.h"
#include "wireless/hotspot/hotspot.h"
#include "wireless/hotspot/hs.h"

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

static const char usage[] =
    "usage: cairn provider wireless --data DIR --key FILE --lat DEG --lon DEG\n"
    "           --gain DBI --forwarder HOST:PORT [--elevation M] [--tx-power "
    "DBM]\n"
    "           [--stake TOKENS] [--freq HZ] [--poll-ms MS] [--node URL]\n"
    "           [--router HOST:PORT] [--dry-run] [--liar-ring DIR]\n"
    "Runs a wireless hotspot (docs/wireless-hotspot.md): registers the key "
    "in\n"
    "the wireless sector with --stake (default: the network's minimum), "
    "asserts\n"
    "its location (--lat/--lon in degrees, antenna --gain in dBi, "
    "--elevation\n"
    "in metres, --tx-power in dBm, default 27) when the chain does not hold "
    "it,\n"
    "and serves the Semtech UDP packet forwarder on --forwarder (e.g.\n"
    "127.0.0.1:1700: point the gateway's packet forwarder there). Each epoch "
    "it\n"
    "beacons at its slot on --freq (default 904300000), witnesses the "
    "beacons\n"
    "it hears, forwards device packets to their routers and claims the "
    "receipts.\n"
    "One status line per epoch on stdout; stops cleanly on SIGTERM.\n"
    "--router sends every device packet to that router instead of the one "
    "the\nchain names for its DevAddr (a private network, tests).\n"
    "--dry-run sends no transaction and logs each body instead (tests).\n"
    "--liar-ring DIR is an ATTACK MODE for tests: it forges witness reports "
    "for\n"
    "the other hotspots writing their beacons into DIR.\n";

typedef struct hs_args {
    const char *data, *key, *lat, *lon, *gain, *fwd, *elev, *txp, *stake, *freq,
        *liar, *poll, *router;
    int dry;
} hs_args;

/* The network's minimum self stake, read from /v1/staking. */
static int min_stake(uint64_t *units)
{
    json_t *j;
    if (api_get(cli_node_url(), "/v1/staking", &j))
        return 1;
    int rc = econ_parse_u64(jstr(j, "min_provider_stake_units"),
                            "the node's min_provider_stake_units", units);
    json_decref(j);
    return rc;
}

static int numbers(const hs_args *a, hs_config *c)
{
    int64_t v;
    uint64_t u;
    if (cli_parse_fixed(a->lat, 6, -90000000, 90000000, "--lat", &v))
        return 1;
    c->lat_udeg = (int32_t)v;
    if (cli_parse_fixed(a->lon, 6, -180000000, 179999999, "--lon", &v))
        return 1;
    c->lon_udeg = (int32_t)v;
    if (cli_parse_fixed(a->gain, 2, -1000, 3000, "--gain (dBi, -10..30)", &v))
        return 1;
    c->gain_cdbi = (int16_t)v;
    if (a->txp &&
        cli_parse_fixed(a->txp, 2, 0, 3600, "--tx-power (dBm, 0..36)", &v))
        return 1;
    c->txp_cdbm = (int16_t)(a->txp ? v : 2700);
    if (a->elev && (econ_parse_u64(a->elev, "--elevation", &u) || u > 65535))
        return cli_fail("--elevation is 0..65535 metres");
    c->elev_m = (uint16_t)(a->elev ? u : 0);
    if (a->freq && (econ_parse_u64(a->freq, "--freq", &u) || u < 1000000 ||
                    u > 10000000000ULL))
        return cli_fail("--freq is in Hz, e.g. 904300000");
    c->freq_hz = a->freq ? u : HS_FREQ_DEFAULT;
    if (a->poll &&
        (econ_parse_u64(a->poll, "--poll-ms", &u) || u < 50 || u > 60000))
        return cli_fail("--poll-ms is 50..60000");
    c->poll_ms = a->poll ? (int)u : HS_POLL_MS_DEFAULT;
    if (a->stake)
        return econ_parse_tokens(a->stake, "--stake", &c->stake);
    return a->dry ? 0 : min_stake(&c->stake);
}

static int configure(const hs_args *a, hs_config *c)
{
    if (!a->data || !a->key || !a->lat || !a->lon || !a->gain || !a->fwd)
        return cli_fail("provider wireless: --data, --key, --lat, --lon, "
                        "--gain and --forwarder are required (see cairn "
                        "provider wireless --help)");
    if (cairn_endpoint_parse(a->fwd, c->fwd_host, &c->fwd_port))
        return cli_fail("--forwarder \"%s\": give HOST:PORT, e.g. "
                        "127.0.0.1:1700",
                        a->fwd);
    c->data_dir = a->data;
    c->node = cli_node_url();
    c->liar_dir = a->liar;
    c->router = a->router;
    if (a->router && strlen(a->router) > CAIRN_ENDPOINT_MAX)
        return cli_fail("--router is HOST:PORT, at most %d bytes",
                        CAIRN_ENDPOINT_MAX);
    c->dry_run = a->dry;
    return cli_load_key(a->key, &c->key) || numbers(a, c);
}

int cmd_provider_wireless(int argc, char **argv)
{
    hs_args a = {0};
    cli_opt opts[] = {{"data", &a.data, NULL},
                      {"key", &a.key, NULL},
                      {"lat", &a.lat, NULL},
                      {"lon", &a.lon, NULL},
                      {"gain", &a.gain, NULL},
                      {"forwarder", &a.fwd, NULL},
                      {"elevation", &a.elev, NULL},
                      {"tx-power", &a.txp, NULL},
                      {"stake", &a.stake, NULL},
                      {"freq", &a.freq, NULL},
                      {"liar-ring", &a.liar, NULL},
                      {"poll-ms", &a.poll, NULL},
                      {"router", &a.router, NULL},
                      {"dry-run", NULL, &a.dry},
                      {NULL, NULL, NULL}};
    cli_args pa;
    hs_config cfg = {0};
    int rc = cli_parse(argc, argv, "provider wireless", usage, opts, 0, &pa);
    if (rc)
        return CLI_EXIT(rc);
    if (configure(&a, &cfg)) {
        cairn_keypair_wipe(&cfg.key);
        return 1;
    }
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    stop_flag = 0;
    rc = hs_run(&cfg, &stop_flag);
    cairn_keypair_wipe(&cfg.key);
    return rc;
}
