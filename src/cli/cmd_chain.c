/* `cairn init`, `cairn node` and `cairn replay`: chains on local disk. */
#include <stdio.h>
#include <stdlib.h>

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
    json_t *o = json_pack("{s:s, s:s, s:s}", "chain_id", chain_id,
                          "data_dir", dir, "genesis_hash", hex);
    cli_print_json(o);
    json_decref(o);
}

int cli_init_chain(const char *genesis, const char *data_dir, int quiet)
{
    cairn_genesis g;
    cairn_chain *c;
    cairn_hash gh;
    char msg[256] = "";
    cairn_err e = cairn_genesis_load(&g, genesis, msg, sizeof msg);
    if (e)
        return cli_fail("genesis %s: %s", genesis, *msg ? msg : cairn_strerror(e));
    e = cairn_chain_create(data_dir, &g);
    cairn_genesis_free(&g);
    if (e)
        return cli_fail("cannot create a chain in %s: %s", data_dir, cairn_strerror(e));
    if ((e = cairn_chain_open(&c, data_dir)))
        return cli_fail("cannot open the new chain in %s: %s", data_dir, cairn_strerror(e));
    cairn_chain_genesis_hash(c, &gh);
    if (!quiet)
        print_init(data_dir, cairn_chain_params(c)->chain_id, &gh);
    cairn_chain_close(c);
    return 0;
}

static const char init_usage[] =
    "usage: cairn init --genesis FILE --data DIR [--json]\n"
    "Creates a new chain in DIR from the genesis file (docs/genesis.md) and\n"
    "prints its chain id and genesis hash.\n";

int cmd_init(int argc, char **argv)
{
    const char *genesis = NULL, *data = NULL;
    cli_opt opts[] = {{"genesis", &genesis, NULL}, {"data", &data, NULL},
                      {NULL, NULL, NULL}};
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
    "                  [--listen HOST:PORT] [--max-connections N] [--quiet]\n"
    "Runs a node on the chain in DIR until SIGINT or SIGTERM: the sequencer\n"
    "with --key (its key file), or a follower of the node at URL. The API\n"
    "listens on 127.0.0.1:8645 unless --listen says otherwise and serves at\n"
    "most N connections at once (default 1024, fewer if ulimit -n is low).\n";

int cmd_node(int argc, char **argv)
{
    int quiet = 0;
    const char *max_conns = NULL;
    uint64_t mc = 0;
    cairn_node_opts o = {0};
    cli_opt opts[] = {{"data", &o.data_dir, NULL}, {"key", &o.key_path, NULL},
                      {"follow", &o.follow_url, NULL}, {"listen", &o.listen, NULL},
                      {"max-connections", &max_conns, NULL},
                      {"quiet", NULL, &quiet}, {NULL, NULL, NULL}};
    cli_args a;
    int rc = cli_parse(argc, argv, "node", node_usage, opts, 0, &a);
    if (rc)
        return CLI_EXIT(rc);
    if (!o.data_dir)
        return cli_fail("node: --data DIR is required");
    if (!o.key_path == !o.follow_url)
        return cli_fail("node: give --key FILE (sequencer) or --follow URL (follower)");
    if (max_conns && (cairn_parse_u64_max(max_conns, 1000000, &mc) || mc == 0))
        return cli_fail("node: --max-connections wants a number from 1 to 1000000");
    o.max_connections = (uint32_t)mc;
    o.quiet = quiet;
    cairn_err e = cairn_node_run(&o);
    return e ? cli_fail("node stopped: %s", cairn_strerror(e)) : 0;
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
        printf("replayed %llu blocks; every state root matches\nstate root %s\n",
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
