/* `cairn devnet`: a local network in one command — keys, genesis file and
 * two chains on first run, then a sequencer and a follower. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/devnet.h"

#define N_DEMO 4

/* The demo accounts and their genesis allocations (tokens). */
static const struct demo {
    const char *name;
    const char *amount;
    int vests; /* all of it vests: none before block 60, all by block 600 */
} demo[N_DEMO] = {{"alice", "1000000", 0}, {"bob", "1000000", 0},
                  {"carol", "1000000", 0}, {"dave", "500000", 1}};

/* Writes "DIR/rest" into out; 1 (printed) if it does not fit. */
static int dir_path(char *out, const devnet *d, const char *rest)
{
    if ((size_t)snprintf(out, DEVNET_PATH_MAX, "%s/%s", d->dir, rest) >= DEVNET_PATH_MAX)
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
static json_t *alloc_json(const struct demo *m, const cairn_pubkey *pk)
{
    char addr[CAIRN_ADDR_TEXT_LEN + 1];
    cairn_addr_format(addr, pk);
    json_t *a = json_pack("{s:s, s:s, s:s}", "label", m->name, "address", addr,
                          "amount", m->amount);
    if (m->vests)
        json_object_set_new(a, "vesting", json_pack("{s:s, s:i, s:i}", "amount",
                                                     m->amount, "cliff_height", 60,
                                                     "end_height", 600));
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
 * sequencer, the demo allocations and the economy. */
static json_t *genesis_json(const cairn_pubkey *seq, const cairn_pubkey *accts)
{
    char addr[CAIRN_ADDR_TEXT_LEN + 1];
    cairn_addr_format(addr, seq);
    json_t *allocs = json_array();
    for (int i = 0; i < N_DEMO; i++)
        json_array_append_new(allocs, alloc_json(&demo[i], &accts[i]));
    return json_pack("{s:s, s:{s:s, s:s}, s:s, s:I, s:i, s:i, s:s, s:s, s:o, s:o}",
                     "chain_id", "cairn-devnet", "token", "name", "Cairn",
                     "symbol", "CRN", "supply_cap", "1000000000",
                     "genesis_time_ms", (json_int_t)1767225600000LL,
                     "block_interval_ms", 1000, "max_block_txs", 5000,
                     "min_fee", "0.001", "sequencer", addr, "allocations", allocs,
                     "economy", economy_json(&accts[0]));
}

/* First run: DIR, DIR/keys, the five keys and DIR/genesis.json. */
static int make_genesis(devnet *d)
{
    char keys[DEVNET_PATH_MAX];
    cairn_keypair kp;
    cairn_pubkey seq, accts[N_DEMO];
    if (dir_path(keys, d, "keys"))
        return 1;
    if (mkdir(keys, 0700) && errno != EEXIST)
        return cli_fail("cannot create %s: %s", keys, strerror(errno));
    if (demo_key(d, "sequencer", &kp))
        return 1;
    seq = kp.pk;
    for (int i = 0; i < N_DEMO; i++) {
        if (demo_key(d, demo[i].name, &kp))
            return 1;
        accts[i] = kp.pk;
    }
    cairn_keypair_wipe(&kp);
    json_t *g = genesis_json(&seq, accts);
    int bad = !g || json_dump_file(g, d->genesis, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(g);
    return bad ? cli_fail("cannot write %s", d->genesis) : 0;
}

/* Fills the paths and URLs of d for DIR and port. */
static int layout(devnet *d)
{
    devnet_node *ns[2] = {&d->seq, &d->fol};
    const char *roles[2] = {"sequencer", "follower"};
    char rest[32];
    if (dir_path(d->genesis, d, "genesis.json") || dir_path(d->seq_key, d, "keys/sequencer.key"))
        return 1;
    for (int i = 0; i < 2; i++) {
        ns[i]->role = roles[i];
        snprintf(rest, sizeof rest, "%s.log", roles[i]);
        if (dir_path(ns[i]->data, d, roles[i]) || dir_path(ns[i]->log, d, rest))
            return 1;
        snprintf(ns[i]->listen, sizeof ns[i]->listen, "127.0.0.1:%d", d->port + i);
        snprintf(ns[i]->url, sizeof ns[i]->url, "http://127.0.0.1:%d", d->port + i);
    }
    return 0;
}

/* Makes whatever of the network is missing: genesis, then each chain. */
static int prepare(devnet *d)
{
    if (access(d->genesis, F_OK) != 0) {
        if (make_genesis(d))
            return 1;
        printf("created a new network in %s (genesis %s)\n", d->dir, d->genesis);
    }
    if (access(d->seq.data, F_OK) != 0 && cli_init_chain(d->genesis, d->seq.data, 1))
        return 1;
    if (access(d->fol.data, F_OK) != 0 && cli_init_chain(d->genesis, d->fol.data, 1))
        return 1;
    return 0;
}

/* Prints one demo account: name, address, current balance. */
static void print_account(const devnet *d, int i, char addr[CAIRN_ADDR_TEXT_LEN + 1])
{
    char path[DEVNET_PATH_MAX], rest[64], url[160];
    cairn_keypair kp;
    json_t *a = NULL;
    snprintf(rest, sizeof rest, "keys/%s.key", demo[i].name);
    addr[0] = '\0';
    if (dir_path(path, d, rest) || cairn_key_load(path, &kp))
        return;
    cairn_addr_format(addr, &kp.pk);
    cairn_keypair_wipe(&kp);
    snprintf(url, sizeof url, "/v1/account/%.*s", CAIRN_ADDR_TEXT_LEN, addr);
    if (api_get(d->seq.url, url, &a))
        return;
    printf("  %-6s %s  %s CRN%s\n", demo[i].name, addr, jstr(a, "balance"),
           demo[i].vests ? " (vesting: locked until block 60, all free at 600)" : "");
    json_decref(a);
}

/* The banner: where the nodes are, the accounts, and what to try. */
static void print_banner(const devnet *d)
{
    char addr[N_DEMO][CAIRN_ADDR_TEXT_LEN + 1], node[96] = "";
    if (d->port != 8645)
        snprintf(node, sizeof node, "--node %s ", d->seq.url);
    printf("\ncairn devnet is running\n");
    printf("  sequencer  %s   (log %s)\n", d->seq.url, d->seq.log);
    printf("  follower   %s   (log %s)\n\naccounts (keys in %s/keys):\n",
           d->fol.url, d->fol.log, d->dir);
    for (int i = 0; i < N_DEMO; i++)
        print_account(d, i, addr[i]);
    printf("\ntry, in another terminal:\n");
    printf("  cairn %sbalance %s\n", node, addr[0]);
    printf("  cairn %stransfer --key %s/keys/alice.key --to %s --amount 10\n", node,
           d->dir, addr[1]);
    printf("  cairn %saccount prove %s\n", node, addr[1]);
    printf("  cairn %sblock show\n", node);
    printf("  cairn --node %s status\n", d->fol.url);
    devnet_storage_banner(d);
    printf("\nCtrl-C stops the network; `cairn devnet --dir %s` resumes it.\n", d->dir);
    fflush(stdout);
}

/* Creates DIR if missing and locks it against a second devnet. */
static int claim_dir(const devnet *d)
{
    if (mkdir(d->dir, 0755) && errno != EEXIST)
        return cli_fail("cannot create %s: %s", d->dir, strerror(errno));
    return devnet_lock(d);
}

static const char devnet_usage[] =
    "usage: cairn devnet [--dir DIR] [--port P] [--fresh] [--storage N]\n"
    "Runs a local network: a sequencer on 127.0.0.1:P (default 8645) and a\n"
    "follower on P+1, with demo accounts alice, bob, carol and dave (vesting).\n"
    "The first run creates DIR (default ./devnet): keys, genesis.json and both\n"
    "chains; later runs resume it. --fresh deletes DIR first. --storage N also\n"
    "runs N storage provider daemons (ports P+100.., keys funded by alice),\n"
    "stores a sample file on them once and prints, every epoch, how it is\n"
    "proven and paid (`make run` uses 6). Stops on Ctrl-C.\n";

int cmd_devnet(int argc, char **argv)
{
    const char *port = "8645", *storage = "0";
    int fresh = 0;
    devnet d = {.dir = "devnet"};
    cli_opt opts[] = {{"dir", &d.dir, NULL}, {"port", &port, NULL},
                      {"fresh", NULL, &fresh}, {"storage", &storage, NULL},
                      {NULL, NULL, NULL}};
    cli_args a;
    int rc = cli_parse(argc, argv, "devnet", devnet_usage, opts, 0, &a);
    if (rc)
        return CLI_EXIT(rc);
    char *end;
    long p = strtol(port, &end, 10);
    if (!*port || *end || p < 1 || p > 65534)
        return cli_fail("devnet: --port must be 1..65534");
    d.port = (int)p;
    long ns = strtol(storage, &end, 10);
    if (!*storage || *end || ns < 0 || ns > DEVNET_STORAGE_MAX || p + 100 + ns > 65535)
        return cli_fail("devnet: --storage must be 0..%d", DEVNET_STORAGE_MAX);
    d.storage = (int)ns;
    if (layout(&d))
        return 1;
    if (claim_dir(&d))
        return 1;
    if (fresh && (cli_rmtree(d.dir) || claim_dir(&d)))
        return cli_fail("cannot start afresh in %s", d.dir);
    if (prepare(&d) || devnet_start(&d))
        return 1;
    if (devnet_storage_start(&d)) {
        devnet_stop(&d);
        return 1;
    }
    print_banner(&d);
    return devnet_supervise(&d);
}
