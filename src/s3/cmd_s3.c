/* `cairn s3`: the S3 gateway (docs/s3.md). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/econ_cli.h"
#include "s3/gw.h"
#include "storage/cli/storage_cli.h"

static const char usage[] =
    "usage: cairn s3 --listen HOST:PORT --keys FILE --store DIR [--key FILE]\n"
    "                [--node URL] [--k K --n N --segment SIZE --epochs E]\n"
    "                [--max-object SIZE] [--max-transfers N]\n"
    "                [--repair-min-alive M] [--no-repair] [--recover]\n"
    "Serves the S3 REST API (path-style: http://HOST:PORT/BUCKET/KEY) with\n"
    "AWS Signature Version 4. --keys maps access keys to cairn accounts (one\n"
    "line each: ACCESS_KEY_ID SECRET [KEY_FILE|-] [rw|ro]; `-`: the --key\n"
    "account; docs/s3-auth.md). Every object is one storage file of its\n"
    "account (K of N pieces, default 4 of 6, segments of SIZE, deals of E\n"
    "epochs, default 100); bucket and object names and metadata are kept\n"
    "encrypted on chain. The index lives in DIR/s3; --recover (or an empty\n"
    "index) rebuilds it from the chain and the keys. Once per epoch every\n"
    "file is checked and segments with fewer than M live pieces (default N)\n"
    "are repaired. --max-object (default 5GiB) refuses larger objects\n"
    "with EntityTooLarge; at most --max-transfers (default 8) object bodies\n"
    "move at once (each GET holds about two segments' pieces in memory);\n"
    "others wait up to 30 s for their turn, then get SlowDown.\n";

static int parse_opts(gw_opts *o, const char *k, const char *n, const char *seg,
                      const char *epochs, const char *maxo, const char *maxt,
                      const char *mina)
{
    uint64_t v;
    o->p.k = 4;
    o->p.n = 6;
    o->p.segment_size = CAIRN_SEGMENT_DEFAULT;
    o->epochs = 100;
    o->max_object = (uint64_t)5 << 30;
    o->max_transfers = 8;
    if (k && (econ_parse_u64(k, "--k", &v) || v == 0 || v > 254))
        return cli_fail("--k must be 1..254");
    if (k)
        o->p.k = (uint32_t)v;
    if (n && (econ_parse_u64(n, "--n", &v) || v > 255))
        return cli_fail("--n must be at most 255");
    if (n)
        o->p.n = (uint32_t)v;
    if (o->p.n <= o->p.k)
        return cli_fail("--n (%u) must be above --k (%u)", o->p.n, o->p.k);
    if (seg && stor_parse_size(seg, "--segment", &v))
        return 1;
    if (seg && (v < CAIRN_SEGMENT_MIN || v > CAIRN_SEGMENT_MAX || v % 1024))
        return cli_fail("--segment must be 1KiB..32MiB in whole KiB");
    if (seg)
        o->p.segment_size = (uint32_t)v;
    if (epochs &&
        (econ_parse_u64(epochs, "--epochs", &o->epochs) || !o->epochs))
        return cli_fail("--epochs must be at least 1");
    if (maxo && (stor_parse_size(maxo, "--max-object", &o->max_object) ||
                 o->max_object == 0))
        return cli_fail("--max-object must be above 0");
    if (maxt &&
        (econ_parse_u64(maxt, "--max-transfers", &v) || v == 0 || v > 1024))
        return cli_fail("--max-transfers must be 1..1024");
    if (maxt)
        o->max_transfers = (uint32_t)v;
    if (mina && (econ_parse_u64(mina, "--repair-min-alive", &v) || v > 255))
        return cli_fail("--repair-min-alive must be 0..255");
    if (mina)
        o->repair_min_alive = (uint32_t)v;
    return 0;
}

int cmd_s3(int argc, char **argv)
{
    static gw g;
    const char *k = NULL, *n = NULL, *seg = NULL, *epochs = NULL, *maxo = NULL,
               *maxt = NULL, *mina = NULL;
    char why[1024] = "", keypath[CLI_PATH_MAX];
    cli_opt opts[] = {{"listen", &g.o.listen, NULL},
                      {"keys", &g.o.keys, NULL},
                      {"store", &g.o.store, NULL},
                      {"key", &g.o.key, NULL},
                      {"k", &k, NULL},
                      {"n", &n, NULL},
                      {"segment", &seg, NULL},
                      {"epochs", &epochs, NULL},
                      {"max-object", &maxo, NULL},
                      {"max-transfers", &maxt, NULL},
                      {"repair-min-alive", &mina, NULL},
                      {"no-repair", NULL, &g.o.no_repair},
                      {"recover", NULL, &g.o.recover},
                      {NULL, NULL, NULL}};
    cli_args a;
    int rc = cli_parse(argc, argv, "s3", usage, opts, 0, &a);
    if (rc)
        return CLI_EXIT(rc);
    if (!g.o.listen || !g.o.keys || !g.o.store)
        return cli_fail("s3 needs --listen, --keys and --store (see cairn s3 "
                        "--help)");
    if (parse_opts(&g.o, k, n, seg, epochs, maxo, maxt, mina))
        return 1;
    if (!g.o.key) {
        g.o.key = getenv("CAIRN_KEY");
        if (!g.o.key || !*g.o.key) {
            if (cli_default_key(keypath, sizeof keypath))
                return 1;
            g.o.key = keypath;
        }
    }
    g.o.node = cli_node_url();
    if (s3_keys_load(&g.keys, g.o.keys, why, sizeof why)) {
        s3_keys_free(&g.keys);
        return cli_fail("%s", why);
    }
    if (g.keys.n == 0) {
        s3_keys_free(&g.keys);
        return cli_fail("%s holds no access key: add a line "
                        "`ACCESS_KEY_ID SECRET - rw`",
                        g.o.keys);
    }
    snprintf(g.spool, sizeof g.spool, "%s/spool", g.o.store);
    pthread_mutex_init(&g.stop_mu, NULL);
    pthread_cond_init(&g.stop_cv, NULL);
    pthread_mutex_init(&g.slot_mu, NULL);
    pthread_cond_init(&g.slot_cv, NULL);
    /* the threads we start inherit this mask: the signals come to sigwait */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    cairn_err e = gw_spool_init(&g, why, sizeof why);
    if (!e)
        e = gw_accts_open(&g, why, sizeof why);
    if (!e)
        e = gw_start(&g, why, sizeof why);
    if (e) {
        gw_accts_close(&g);
        s3_keys_free(&g.keys);
        return cli_fail("%s", *why ? why : cairn_strerror(e));
    }
    fprintf(stderr, "s3: listening on %s (%zu access key(s), %zu account(s))\n",
            g.o.listen, g.keys.n, g.nacct);
    int sig = 0;
    sigwait(&set, &sig);
    fprintf(stderr, "s3: stopping (signal %d)\n", sig);
    gw_stop(&g);
    gw_accts_close(&g);
    s3_keys_free(&g.keys);
    return 0;
}
