/* `cairn devnet`: a local network in one command — keys, genesis file and
 * two chains on first run, then a sequencer and a follower. Its options
 * are kept in DIR/devnet.json so that a resume or --fresh gives the same
 * network. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/devnet.h"

#define OPTIONS_FILE "devnet.json"

const devnet_demo devnet_demos[DEVNET_DEMOS] = {{"alice", "1000000", 0},
                                                {"bob", "1000000", 0},
                                                {"carol", "1000000", 0},
                                                {"dave", "500000", 1}};

/* Writes "DIR/rest" into out; 1 (printed) if it does not fit. */
static int dir_path(char *out, const devnet *d, const char *rest)
{
    if ((size_t)snprintf(out, DEVNET_PATH_MAX, "%s/%s", d->dir, rest) >=
        DEVNET_PATH_MAX)
        return cli_fail("devnet: path too long: %s/%s", d->dir, rest);
    return 0;
}

/* Loads DIR/keys/NAME.key, generating and saving it first if missing. */
static int demo_key(const devnet *d, const char *name, cairn_keypair *kp)
{
    char path[DEVNET_PATH_MAX], rest[64];
    snprintf(rest, sizeof rest, "keys/%s.key", name);
    if (dir_path(path, d, rest))
        return 1;
    if (access(path, F_OK) == 0)
        return cli_load_key(path, kp);
    cairn_keypair_generate(kp);
    cairn_err e = cairn_key_save(path, kp);
    return e ? cli_fail("cannot save %s: %s", path, cairn_strerror(e)) : 0;
}

/* One allocation object of the genesis file (a new reference). */
static json_t *alloc_json(const devnet_demo *m, const cairn_pubkey *pk)
{
    char addr[CAIRN_ADDR_TEXT_LEN + 1];
    cairn_addr_format(addr, pk);
    json_t *a = json_pack("{s:s, s:s, s:s}", "label", m->name, "address", addr,
                          "amount", m->amount);
    if (m->vests)
        json_object_set_new(a, "vesting",
                            json_pack("{s:s, s:i, s:i}", "amount", m->amount,
                                      "cliff_height", 60, "end_height", 600));
    return a;
}

/* The devnet economy (a new reference): short epochs so that settlement is
 * visible within a minute, alice as the price-feed oracle, and 70% of every
 * service payment to the provider serving it. */
static json_t *economy_json(const cairn_pubkey *oracle)
{
    char addr[CAIRN_ADDR_TEXT_LEN + 1];
    cairn_addr_format(addr, oracle);
    return json_pack("{s:i, s:s, s:i, s:i, s:i, s:i}", "epoch_blocks", 10,
                     "price_oracle", addr, "fee_provider_bps", 7000,
                     "fee_burn_bps", 1000, "fee_treasury_bps", 1000,
                     "fee_stakers_bps", 1000);
}

/* The devnet genesis (a new reference): fixed parameters, the given
 * sequencer (or, with replicas, the set of DIR/keys/sequencer-I.key), the
 * demo allocations and the economy. NULL after printing why. */
static json_t *genesis_json(const devnet *d, const cairn_pubkey *seq,
                            const cairn_pubkey *accts)
{
    char addr[CAIRN_ADDR_TEXT_LEN + 1];
    cairn_addr_format(addr, seq);
    json_t *allocs = json_array();
    for (int i = 0; i < DEVNET_DEMOS; i++)
        json_array_append_new(allocs, alloc_json(&devnet_demos[i], &accts[i]));
    json_t *set = d->replicas ? devnet_replicas_genesis(d, allocs) : NULL;
    if (d->replicas && !set) {
        json_decref(allocs);
        return NULL;
    }
    json_t *g = json_pack(
        "{s:s, s:{s:s, s:s}, s:s, s:I, s:i, s:i, s:s}", "chain_id",
        "cairn-devnet", "token", "name", "Cairn", "symbol", "CRN", "supply_cap",
        "1000000000", "genesis_time_ms", (json_int_t)1767225600000LL,
        "block_interval_ms", 1000, "max_block_txs", 5000, "min_fee", "0.001");
    if (set)
        json_object_set_new(g, "sequencers", set);
    else
        json_object_set_new(g, "sequencer", json_string(addr));
    json_object_set_new(g, "allocations", allocs);
    json_object_set_new(g, "economy", economy_json(&accts[0]));
    return g;
}

/* First run: DIR, DIR/keys, the five keys and DIR/genesis.json. */
static int make_genesis(devnet *d)
{
    char keys[DEVNET_PATH_MAX];
    cairn_keypair kp;
    cairn_pubkey seq = {{0}}, accts[DEVNET_DEMOS];
    if (dir_path(keys, d, "keys"))
        return 1;
    if (mkdir(keys, 0700) && errno != EEXIST)
        return cli_fail("cannot create %s: %s", keys, strerror(errno));
    if (!d->replicas) { /* with replicas: the set, in genesis_json */
        if (demo_key(d, "sequencer", &kp))
            return 1;
        seq = kp.pk;
    }
    for (int i = 0; i < DEVNET_DEMOS; i++) {
        if (demo_key(d, devnet_demos[i].name, &kp))
            return 1;
        accts[i] = kp.pk;
    }
    cairn_keypair_wipe(&kp);
    json_t *g = genesis_json(d, &seq, accts);
    if (!g)
        return 1;
    int bad =
        json_dump_file(g, d->genesis, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(g);
    return bad ? cli_fail("cannot write %s", d->genesis) : 0;
}

/* Fills the paths and URLs of d for DIR and port. */
static int layout(devnet *d)
{
    devnet_node *ns[2] = {&d->seq, &d->fol};
    const char *roles[2] = {"sequencer", "follower"};
    const char *names[2] = {"the sequencer", "the follower"};
    char rest[32];
    if (dir_path(d->genesis, d, "genesis.json") ||
        dir_path(d->seq_key, d, "keys/sequencer.key"))
        return 1;
    for (int i = 0; i < 2; i++) {
        snprintf(ns[i]->name, sizeof ns[i]->name, "%s", names[i]);
        snprintf(rest, sizeof rest, "%s.log", roles[i]);
        if (dir_path(ns[i]->data, d, roles[i]) || dir_path(ns[i]->log, d, rest))
            return 1;
        snprintf(ns[i]->listen, sizeof ns[i]->listen, "127.0.0.1:%d",
                 d->port + i);
        snprintf(ns[i]->url, sizeof ns[i]->url, "http://127.0.0.1:%d",
                 d->port + i);
    }
    return devnet_replicas_layout(d);
}

/* Makes whatever of the network is missing: genesis, then each chain. */
static int prepare(devnet *d)
{
    if (access(d->genesis, F_OK) != 0) {
        if (make_genesis(d))
            return 1;
        printf("created a new network in %s (genesis %s)\n", d->dir,
               d->genesis);
    }
    if (devnet_replicas_prepare(d))
        return 1;
    if (access(d->seq.data, F_OK) != 0 &&
        cli_init_chain(d->genesis, d->seq.data, 1))
        return 1;
    if (access(d->fol.data, F_OK) != 0 &&
        cli_init_chain(d->genesis, d->fol.data, 1))
        return 1;
    return 0;
}

/* Creates DIR if missing and locks it against a second devnet. */
static int claim_dir(const devnet *d)
{
    if (mkdir(d->dir, 0755) && errno != EEXIST)
        return cli_fail("cannot create %s: %s", d->dir, strerror(errno));
    return devnet_lock(d);
}

/* Reads the options kept in DIR/devnet.json into *port, *storage and
 * *compute (left alone when it does not exist; compute may be absent, as
 * devnets made before the compute sector; replicas as devnets made
 * without). 0, or 1 (printed). */
static int load_options(const devnet *d, long *port, long *storage,
                        long *compute, long *validators, long *wireless,
                        long *sensor, long *replicas)
{
    char path[DEVNET_PATH_MAX];
    json_error_t jerr;
    if (dir_path(path, d, OPTIONS_FILE))
        return 1;
    if (access(path, F_OK) != 0)
        return 0;
    json_t *j = json_load_file(path, 0, &jerr);
    json_t *p = json_object_get(j, "port"), *s = json_object_get(j, "storage");
    json_t *c = json_object_get(j, "compute");
    json_t *v = json_object_get(j, "validators");
    json_t *w = json_object_get(j, "wireless");
    json_t *se = json_object_get(j, "sensor");
    json_t *r = json_object_get(j, "replicas");
    int bad = !json_is_integer(p) || !json_is_integer(s) ||
              (c && !json_is_integer(c)) || (v && !json_is_integer(v)) ||
              (w && !json_is_integer(w)) || (se && !json_is_integer(se)) ||
              (r && !json_is_integer(r));
    if (!bad) {
        *port = (long)json_integer_value(p);
        *storage = (long)json_integer_value(s);
        *compute = c ? (long)json_integer_value(c) : 0;
        *validators = v ? (long)json_integer_value(v) : 0;
        *wireless = w ? (long)json_integer_value(w) : 0;
        *sensor = se ? (long)json_integer_value(se) : 0;
        *replicas = r ? (long)json_integer_value(r) : 0;
    }
    json_decref(j);
    return bad ? cli_fail(
                     "%s is not {\"port\": P, \"storage\": N, \"compute\": "
                     "M, \"validators\": V, \"wireless\": W, \"sensor\": S, "
                     "\"replicas\": R}; fix or remove it",
                     path)
               : 0;
}

/* Keeps the options in DIR/devnet.json. 0, or 1 (printed). */
static int save_options(const devnet *d)
{
    char path[DEVNET_PATH_MAX];
    if (dir_path(path, d, OPTIONS_FILE))
        return 1;
    json_t *j = json_pack("{s:i, s:i, s:i, s:i, s:i, s:i, s:i}", "port",
                          d->port, "storage", d->storage, "compute", d->compute,
                          "validators", d->validators, "wireless", d->wireless,
                          "sensor", d->sensor, "replicas", d->replicas);
    int bad = !j || json_dump_file(j, path, JSON_PRESERVE_ORDER);
    json_decref(j);
    return bad ? cli_fail("cannot write %s", path) : 0;
}

/* Parses a number option given as text into *v (left alone when text is
 * NULL) and checks it is in lo..hi. 0, or 1 (printed). */
static int number_opt(const char *text, const char *what, long lo, long hi,
                      long *v)
{
    char *end;
    if (!text)
        return 0;
    long x = strtol(text, &end, 10);
    if (!*text || *end || x < lo || x > hi)
        return cli_fail("devnet: %s must be %ld..%ld", what, lo, hi);
    *v = x;
    return 0;
}

/* The options in effect: those given, else those kept in DIR, else the
 * defaults (port 8645, no storage). Checks what is given before DIR is
 * touched. 0, or 1 (printed). */
static int options(devnet *d, const char *port, const char *storage,
                   const char *compute, const char *validators,
                   const char *wireless, const char *sensor,
                   const char *replicas)
{
    long p = 8645, ns = 0, nc = 0, nv = 0, nw = 0, nse = 0, nr = 0, gp = -1,
         gns = -1, gnc = -1, gnv = -1, gnw = -1, gnse = -1, gnr = -1;
    if (number_opt(port, "--port", 1, 65534, &gp) ||
        number_opt(storage, "--storage", 0, DEVNET_STORAGE_MAX, &gns) ||
        number_opt(compute, "--compute", 0, DEVNET_STORAGE_MAX, &gnc) ||
        number_opt(validators, "--validators", 0, 8, &gnv) ||
        number_opt(wireless, "--wireless", 0, DEVNET_STORAGE_MAX, &gnw) ||
        number_opt(sensor, "--sensor", 0, DEVNET_SENSOR_MAX, &gnse) ||
        number_opt(replicas, "--replicas", 0, DEVNET_REPLICAS_MAX, &gnr))
        return 1;
    int existed = access(d->dir, F_OK) == 0;
    if (claim_dir(d))
        return 1;
    int bad = load_options(d, &p, &ns, &nc, &nv, &nw, &nse, &nr);
    p = gp >= 0 ? gp : p;
    ns = gns >= 0 ? gns : ns;
    nc = gnc >= 0 ? gnc : nc;
    nv = gnv >= 0 ? gnv : nv;
    nw = gnw >= 0 ? gnw : nw;
    nse = gnse >= 0 ? gnse : nse;
    nr = gnr >= 0 ? gnr : nr;
    if (!bad && (nr < 0 || nr > DEVNET_REPLICAS_MAX))
        bad = cli_fail("devnet: replicas must be 0..%d", DEVNET_REPLICAS_MAX);
    if (!bad &&
        (p < 1 || p > 65534 || ns < 0 || ns > DEVNET_STORAGE_MAX || nc < 0 ||
         nc > DEVNET_STORAGE_MAX || nw < 0 || nw > DEVNET_STORAGE_MAX ||
         nse < 0 || nse > DEVNET_SENSOR_MAX || p + 100 + ns - 1 > 65535 ||
         p + 200 + 2 * nc - 1 > 65535 || p + 351 > 65535))
        bad = cli_fail("devnet: port %ld with %ld storage and %ld compute "
                       "providers does not fit (ports P..P+1, P+100..P+100+N-1 "
                       "and P+200..P+200+2M-1, P+300..P+351 must be <= "
                       "65535)",
                       p, ns, nc);
    if (bad) {
        if (!existed)
            cli_rmtree(d->dir); /* it holds only our lock */
        return 1;
    }
    d->port = (int)p;
    d->storage = (int)ns;
    d->compute = (int)nc;
    d->validators = (int)nv;
    d->wireless = (int)nw;
    d->sensor = (int)nse;
    d->replicas = (int)nr;
    return 0;
}

static const char devnet_usage[] =
    "usage: cairn devnet [--dir DIR] [--port P] [--fresh] [--storage N]\n"
    "                    [--compute M] [--validators V] [--wireless W]\n"
    "                    [--sensor S [--drives DIR]] [--replicas R]\n"
    "Runs a local network: a sequencer on 127.0.0.1:P (default 8645) and a\n"
    "follower on P+1, with demo accounts alice, bob, carol and dave (vesting).\n"
    "The first run creates DIR (default ./devnet): keys, genesis.json and both\n"
    "chains; later runs resume it. --fresh deletes DIR first. --storage N also\n"
    "runs N storage provider daemons (ports P+100.., keys funded by alice) and\n"
    "stores a sample file on them once (`make run` uses 6). --compute M runs\n"
    "M compute provider daemons (ports P+200.., two each) and deploys a\n"
    "sample workload on them once as bob (`make run` uses 3). --validators V\n"
    "makes the compute providers the miners of a matrix-job subnet \"matmul\"\n"
    "(the last one cheats on one job in three) and runs V validator daemons\n"
    "that check them, set weights and send evidence (`make run` uses 2).\n"
    "--wireless W runs W hotspot daemons (UDP ports P+300..; the last of\n"
    "four or more asserts a false location), a router with data credits\n"
    "(P+350) and `cairn sim radio` with three devices (`make run` uses 12).\n"
    "--sensor S runs S sensor device agents replaying the recorded drives\n"
    "DIR/driveI.csv (--drives, default tests/data/drives) through storage;\n"
    "the third forges its readings; carol is granted device 1's data and\n"
    "reads it every epoch (`make run` uses 3; needs --storage).\n"
    "--replicas R runs R sequencer replicas instead of the one sequencer\n"
    "(the first on P, the others on P+2..) that elect a leader through R\n"
    "etcd members (client ports P+10, P+12, ..; Debian's etcd-server), with\n"
    "a genesis whose sequencer set is their keys; see docs/replicas.md.\n"
    "A devnet made with R replicas resumes only with R (or --fresh).\n"
    "The options are\n"
    "kept in DIR/devnet.json: a later run (also with --fresh) that does not\n"
    "give them uses those. A process that ends is started again after 5 s.\n"
    "Prints, every epoch, one line per sector with providers. Stops on Ctrl-C.\n";

int cmd_devnet(int argc, char **argv)
{
    const char *port = NULL, *storage = NULL, *compute = NULL,
               *validators = NULL, *wireless = NULL, *sensor = NULL,
               *replicas = NULL;
    int fresh = 0;
    devnet d = {.dir = "devnet",
                .cmd = cli.argv0 ? cli.argv0 : "cairn",
                .drives = "tests/data/drives"};
    cli_opt opts[] = {{"dir", &d.dir, NULL},
                      {"port", &port, NULL},
                      {"fresh", NULL, &fresh},
                      {"storage", &storage, NULL},
                      {"compute", &compute, NULL},
                      {"validators", &validators, NULL},
                      {"wireless", &wireless, NULL},
                      {"sensor", &sensor, NULL},
                      {"drives", &d.drives, NULL},
                      {"replicas", &replicas, NULL},
                      {NULL, NULL, NULL}};
    cli_args a;
    int rc = cli_parse(argc, argv, "devnet", devnet_usage, opts, 0, &a);
    if (rc)
        return CLI_EXIT(rc);
    if (options(&d, port, storage, compute, validators, wireless, sensor,
                replicas) ||
        layout(&d))
        return 1;
    if (fresh && (cli_rmtree(d.dir) || claim_dir(&d)))
        return cli_fail("cannot start afresh in %s", d.dir);
    if (prepare(&d) || save_options(&d) || devnet_start(&d))
        return 1;
    if (devnet_storage_start(&d) || devnet_compute_start(&d) ||
        devnet_subnet_start(&d) || devnet_wireless_start(&d) ||
        devnet_sensor_start(&d) || devnet_s3_start(&d)) {
        devnet_stop(&d);
        return 1;
    }
    devnet_banner(&d);
    return devnet_supervise(&d);
}
