/* `cairn init`, `cairn node` and `cairn replay`: chains on local disk. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cairn/chain.h"
#include "cairn/node.h"
#include "cairn/parse.h"
#include "cli/cli.h"

/* Prints what init made, as text or JSON. */
static void print_init(const char *dir, const char *chain_id,
                       const cairn_hash *gh)
{
    char hex[2 * CAIRN_HASH_LEN + 1];
    cairn_hex_encode(hex, gh->b, CAIRN_HASH_LEN);
    if (!cli.json) {
        printf("initialised chain \"%s\" in %s\ngenesis hash %s\n", chain_id,
               dir, hex);
        return;
    }
    json_t *o = json_pack("{s:s, s:s, s:s}", "chain_id", chain_id, "data_dir",
                          dir, "genesis_hash", hex);
    cli_print_json(o);
    json_decref(o);
}

/* 1 (printed) if DIR already holds a chain, or a database that is not
 * one; 0 if it holds none. */
static int holds_chain(const char *dir)
{
    char path[1100];
    cairn_chain *c;
    snprintf(path, sizeof path, "%s/data.mdb", dir);
    if (access(path, F_OK) != 0)
        return 0;
    cairn_err e = cairn_chain_open(&c, dir);
    if (e)
        return cli_fail(
            "%s holds a database (data.mdb) that is not a complete "
            "chain (%s); remove %s and %s/lock.mdb, or use another --data DIR",
            dir, cairn_strerror(e), path, dir);
    cairn_header tip;
    cairn_chain_tip(c, &tip, NULL);
    cli_fail("%s already holds a chain (\"%s\", at height %llu); to start over "
             "remove %s, or use another --data DIR",
             dir, cairn_chain_params(c)->chain_id,
             (unsigned long long)tip.height, dir);
    cairn_chain_close(c);
    return 1;
}

/* What existed in DIR before init, so that a failed init removes only
 * what it made. */
typedef struct init_undo {
    char dir[1024], data[1100], lock[1100];
    int had_dir, had_data, had_lock;
} init_undo;

static void undo_note(init_undo *u, const char *dir)
{
    snprintf(u->dir, sizeof u->dir, "%s", dir);
    snprintf(u->data, sizeof u->data, "%s/data.mdb", dir);
    snprintf(u->lock, sizeof u->lock, "%s/lock.mdb", dir);
    u->had_dir = access(dir, F_OK) == 0;
    u->had_data = access(u->data, F_OK) == 0;
    u->had_lock = access(u->lock, F_OK) == 0;
}

static void undo_run(const init_undo *u)
{
    if (!u->had_data)
        unlink(u->data);
    if (!u->had_lock)
        unlink(u->lock);
    if (!u->had_dir)
        rmdir(u->dir);
}

int cli_init_chain(const char *genesis, const char *data_dir, int quiet)
{
    cairn_genesis g;
    cairn_chain *c;
    cairn_hash gh;
    init_undo u;
    char msg[256] = "";
    cairn_err e = cairn_genesis_load(&g, genesis, msg, sizeof msg);
    if (e)
        return cli_fail("genesis %s: %s", genesis,
                        *msg ? msg : cairn_strerror(e));
    if (strlen(data_dir) > 1000 || holds_chain(data_dir)) {
        cairn_genesis_free(&g);
        return strlen(data_dir) > 1000 ? cli_fail("--data: path too long") : 1;
    }
    undo_note(&u, data_dir);
    e = cairn_chain_create(data_dir, &g);
    cairn_genesis_free(&g);
    if (e) {
        undo_run(&u);
        return cli_fail(
            "cannot create a chain in %s: %s; nothing was written there",
            data_dir, cairn_strerror(e));
    }
    if ((e = cairn_chain_open(&c, data_dir)))
        return cli_fail("cannot open the new chain in %s: %s", data_dir,
                        cairn_strerror(e));
    cairn_chain_genesis_hash(c, &gh);
    if (!quiet)
        print_init(data_dir, cairn_chain_params(c)->chain_id, &gh);
    cairn_chain_close(c);
    return 0;
}

/* 0 if DIR holds a chain's database; else 1, after saying to run init. */
static int require_chain(const char *cmd, const char *dir)
{
    char path[1100];
    if (strlen(dir) > 1000)
        return cli_fail("%s: --data: path too long", cmd);
    snprintf(path, sizeof path, "%s/data.mdb", dir);
    if (access(dir, F_OK) != 0)
        return cli_fail(
            "%s: %s does not exist; create a chain there first with "
            "`cairn init --genesis FILE --data %s`",
            cmd, dir, dir);
    if (access(path, F_OK) != 0)
        return cli_fail("%s: %s holds no chain; create one first with "
                        "`cairn init --genesis FILE --data %s`",
                        cmd, dir, dir);
    return 0;
}

static const char init_usage[] =
    "usage: cairn init --genesis FILE --data DIR [--json]\n"
    "Creates a new chain in DIR from the genesis file (docs/genesis.md) and\n"
    "prints its chain id and genesis hash.\n";

int cmd_init(int argc, char **argv)
{
    const char *genesis = NULL, *data = NULL;
    cli_opt opts[] = {
        {"genesis", &genesis, NULL}, {"data", &data, NULL}, {NULL, NULL, NULL}};
    cli_args a;
    int rc = cli_parse(argc, argv, "init", init_usage, opts, 0, &a);
    if (rc)
        return CLI_EXIT(rc);
    if (!genesis || !data)
        return cli_fail("init: --genesis FILE and --data DIR are required");
    return cli_init_chain(genesis, data, 0);
}

static const char node_usage[] =
    "usage: cairn node --data DIR [--key FILE | --follow URL]\n"
    "                  [--replica --etcd URL[,URL...] [--lease-ttl S]\n"
    "                   [--advertise URL]]\n"
    "                  [--listen HOST:PORT] [--max-connections N] [--quiet]\n"
    "                  [--web DIR] [--config FILE]\n"
    "Runs a node on the chain in DIR until SIGINT or SIGTERM: the sequencer\n"
    "with --key (its key file), or a follower of the node at URL. With\n"
    "--replica, the key is one of the genesis sequencer set and the node\n"
    "is one of several sequencer replicas that elect a leader through the\n"
    "etcd members at URL (lease S seconds, default 3); --advertise is the\n"
    "API URL the others forward transactions to (default http://LISTEN).\n"
    "See docs/replicas.md. --config FILE reads these options from FILE,\n"
    "one `name = value` per line (flags: `replica = true`); the command\n"
    "line wins. The API\n"
    "listens on 127.0.0.1:8645 unless --listen says otherwise and serves at\n"
    "most N connections at once (default 1024, fewer if ulimit -n is low).\n"
    "It serves the dashboard at / from --web's DIR (default: the\n"
    "installed share/cairn/web, or web/ of the source tree it was built\n"
    "from); see docs/dashboard.md.\n";

/* The rest of `cairn node`, once the options are all read. */
static int node_run(cairn_node_opts *o, const char *max_conns, const char *ttl,
                    int replica, int quiet)
{
    uint64_t mc = 0, ttl_s = 0;
    if (!o->data_dir)
        return cli_fail("node: --data DIR is required");
    if (!o->key_path == !o->follow_url)
        return cli_fail(
            "node: give --key FILE (sequencer) or --follow URL (follower)");
    if (max_conns && (cairn_parse_u64_max(max_conns, 1000000, &mc) || mc == 0))
        return cli_fail(
            "node: --max-connections wants a number from 1 to 1000000");
    o->max_connections = (uint32_t)mc;
    if (replica != !!o->etcd_urls || (replica && !o->key_path))
        return cli_fail("node: a replica needs --replica, --etcd URL[,URL...] "
                        "and --key FILE together");
    if (ttl && (cairn_parse_u64_max(ttl, 60, &ttl_s) || ttl_s < 1))
        return cli_fail("node: --lease-ttl wants seconds from 1 to 60");
    o->replica = replica;
    o->lease_ttl_s = (uint32_t)ttl_s;
    if (require_chain("node", o->data_dir))
        return 1;
    o->quiet = quiet;
    cairn_err e = cairn_node_run(o);
    /* the node has said why, except when memory ran out */
    if (e == CAIRN_ERR_NOMEM)
        return cli_fail("node stopped: %s", cairn_strerror(e));
    return e ? 1 : 0;
}

int cmd_node(int argc, char **argv)
{
    int quiet = 0;
    const char *max_conns = NULL, *ttl = NULL;
    int replica = 0;
    const char *config = NULL;
    char *conf_text = NULL;
    cairn_node_opts o = {0};
    cli_opt opts[] = {{"data", &o.data_dir, NULL},
                      {"key", &o.key_path, NULL},
                      {"follow", &o.follow_url, NULL},
                      {"listen", &o.listen, NULL},
                      {"max-connections", &max_conns, NULL},
                      {"quiet", NULL, &quiet},
                      {"web", &o.web_dir, NULL},
                      {"replica", NULL, &replica},
                      {"etcd", &o.etcd_urls, NULL},
                      {"lease-ttl", &ttl, NULL},
                      {"advertise", &o.advertise, NULL},
                      {"config", &config, NULL},
                      {NULL, NULL, NULL}};
    cli_args a;
    int rc = cli_parse(argc, argv, "node", node_usage, opts, 0, &a);
    if (rc)
        return CLI_EXIT(rc);
    if (config && !(conf_text = cli_config_load(config, opts, argc, argv)))
        return 1;
    rc = node_run(&o, max_conns, ttl, replica, quiet);
    free(conf_text);
    return rc;
}

static const char replay_usage[] =
    "usage: cairn replay --data DIR [--json]\n"
    "Re-executes every block of the chain in DIR from its genesis in a\n"
    "scratch directory and checks each state root. Exits 1 on a mismatch.\n";

/* Prints the replay result, as text or JSON. */
static void print_replay(uint64_t blocks, const cairn_hash *root)
{
    char hex[2 * CAIRN_HASH_LEN + 1];
    cairn_hex_encode(hex, root->b, CAIRN_HASH_LEN);
    if (!cli.json) {
        printf(
            "replayed %llu blocks; every state root matches\nstate root %s\n",
            (unsigned long long)blocks, hex);
        return;
    }
    json_t *o = json_pack("{s:I, s:s, s:b}", "blocks", (json_int_t)blocks,
                          "state_root", hex, "ok", 1);
    cli_print_json(o);
    json_decref(o);
}

int cmd_replay(int argc, char **argv)
{
    const char *data = NULL;
    cli_opt opts[] = {{"data", &data, NULL}, {NULL, NULL, NULL}};
    cli_args a;
    int rc = cli_parse(argc, argv, "replay", replay_usage, opts, 0, &a);
    if (rc)
        return CLI_EXIT(rc);
    if (!data)
        return cli_fail("replay: --data DIR is required");
    if (require_chain("replay", data))
        return 1;
    char tmp[] = "/tmp/cairn-replay-XXXXXX";
    if (!mkdtemp(tmp))
        return cli_fail("cannot make a scratch directory under /tmp");
    cairn_hash root;
    uint64_t blocks = 0;
    cairn_err e = cairn_chain_replay(data, tmp, &root, &blocks);
    if (cli_rmtree(tmp))
        fprintf(stderr, "cairn: warning: could not remove %s\n", tmp);
    if (e)
        return cli_fail("replay of %s failed: %s", data, cairn_strerror(e));
    print_replay(blocks, &root);
    return 0;
}
