/* `cairn`: the command-line front end. Finds the subcommand and runs it. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cairn/crypto.h"
#include "cli/cli.h"
#include "cli/econ_cli.h"
#include "compute/sandbox.h"
#include "sectors/registry.h"
#include "storage/cli/storage_cli.h"

static const char usage[] =
    "usage: cairn [--node URL] [--json] <command> [options]\n"
    "       cairn help [COMMAND] | --version\n"
    "\n"
    "A local network in one command:\n"
    "  devnet [--dir DIR] [--port P] [--fresh] [--storage N]\n"
    "                                       a sequencer, a follower, N storage providers\n"
    "\n"
    "Keys and chains:\n"
    "  keygen [--out FILE]                  new key; prints its address\n"
    "  address --key FILE                   address of a key file\n"
    "  init --genesis FILE --data DIR       create a chain from a genesis file\n"
    "  node --data DIR [--key FILE | --follow URL] [--listen HOST:PORT]\n"
    "                                       run a node (sequencer or follower)\n"
    "  replay --data DIR                    re-execute every block, check roots\n"
    "\n"
    "Using a node (default " CLI_DEFAULT_NODE ", or $CAIRN_NODE, or --node):\n"
    "  status [ID]                          the node's chain and tip (a file's with ID)\n"
    "  balance ADDR | --key FILE            balance, spendable, locked, nonce\n"
    "  transfer --key FILE --to ADDR --amount TOKENS [--fee T] [--no-wait]\n"
    "  tx show HASH                         a committed transaction\n"
    "  block show [HEIGHT | HASH]           a block (default: the latest)\n"
    "  block header HEIGHT                  a block's signed header, as hex\n"
    "  account prove ADDR [--sequencer ADDR]  check an account as a light client\n"
    "\n"
    "The economy:\n"
    "  gov <propose|vote|list|show>         governance by bonded stake\n"
    "  credits <buy|balance>                service credits (burn-and-mint)\n"
    "  price <set|show>                     the oracle's price feed\n"
    "  metrics [--from E] [--to E]          the network's numbers per epoch\n"
    "  provider <register|stake|unstake|commission|info|list|params>\n"
    "                                       run a provider: stake, commission\n"
    "  delegate --key FILE --to P --amount TOKENS     bond tokens to provider P\n"
    "  undelegate --key FILE --from P --amount TOKENS unbond them (released later)\n"
    "  claim --key FILE [--provider P]      collect staking rewards\n"
    "  tickets <fund|withdraw|show>         funds behind lottery tickets (paid\n"
    "                                       storage reads, compute jobs)\n"
    "  sequencers                           the sequencer set: bonds, slashes, term\n"
    "  evidence HEADER_A HEADER_B --key FILE  slash a sequencer that signed two\n"
    "                                       headers at one height\n"
    "\n"
    "Simulation:\n"
    "  sim --scenario FILE --epochs N --out DIR [--seed S] [--keep-chain]\n"
    "                                       the economy on the real chain code\n"
    "  sim --compare A.json B.json --epochs N --out DIR  two scenarios, one seed\n"
    "\n"
    "`cairn <command> --help` tells more. --json prints data as JSON.\n"
    "The sectors' commands:\n";

#ifndef CAIRN_VERSION
#define CAIRN_VERSION "unknown"
#endif

/* `cairn sandbox-forward SOCK PORT`, left out of the usage: it runs inside
 * a compute sandbox (compute/sandbox.h). */
static int cmd_forward(int argc, char **argv)
{
    return cairn_sandbox_forward_main(argc, argv);
}

typedef struct command {
    const char *name;
    int (*run)(int argc, char **argv);
} command;

static const command commands[] = {{"devnet", cmd_devnet},
                                   {"keygen", cmd_keygen},
                                   {"address", cmd_address},
                                   {"init", cmd_init},
                                   {"node", cmd_node},
                                   {"replay", cmd_replay},
                                   {"status", cmd_status_any},
                                   {"balance", cmd_balance},
                                   {"transfer", cmd_transfer},
                                   {"tx", cmd_tx},
                                   {"block", cmd_block_any},
                                   {"account", cmd_account},
                                   {"gov", cmd_gov},
                                   {"credits", cmd_credits},
                                   {"price", cmd_price},
                                   {"metrics", cmd_metrics},
                                   {"provider", cmd_provider},
                                   {"delegate", cmd_delegate},
                                   {"undelegate", cmd_undelegate},
                                   {"claim", cmd_claim},
                                   {"tickets", cmd_tickets},
                                   {"sequencers", cmd_sequencers},
                                   {"evidence", cmd_evidence},
                                   {"sim", cmd_sim_econ},
                                   {"sandbox-forward", cmd_forward},
                                   {NULL, NULL}};

/* The usage: the general part, then each sector's lines. */
static void print_usage(FILE *f)
{
    size_t n;
    const cairn_sector_plugin *const *pl = cairn_plugins(&n);
    fputs(usage, f);
    for (size_t i = 0; i < n; i++)
        if (pl[i]->usage)
            fprintf(f, "\n%s", pl[i]->usage);
}

/* The command named `name`: the general ones, then the sectors'. */
static int (*find_command(const char *name))(int, char **)
{
    size_t n;
    const cairn_sector_plugin *const *pl = cairn_plugins(&n);
    for (const command *c = commands; c->name; c++)
        if (strcmp(c->name, name) == 0)
            return c->run;
    for (size_t i = 0; i < n; i++)
        for (const cairn_cli_cmd *c = pl[i]->commands; c && c->name; c++)
            if (strcmp(c->name, name) == 0)
                return c->run;
    return NULL;
}

/* `cairn help [COMMAND [SUB]]`: the usage, or COMMAND's own --help. */
static int help(int argc, char **argv)
{
    char *args[3] = {NULL, NULL, NULL};
    if (argc == 0) {
        print_usage(stdout);
        return 0;
    }
    int (*run)(int, char **) = find_command(argv[0]);
    if (!run)
        return cli_fail("help: unknown command \"%s\" (see cairn help)",
                        argv[0]) +
               1;
    int n = 0;
    if (argc > 1)
        args[n++] = argv[1]; /* a subcommand: `help price set` */
    args[n++] = "--help";
    return run(n, args);
}

/* Consumes the options given before the subcommand; returns the index of
 * the subcommand word, or -1 (after printing) to stop with status *rc. */
static int global_opts(int argc, char **argv, int *rc)
{
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            print_usage(stdout);
            *rc = 0;
            return -1;
        } else if (!strcmp(argv[i], "--version") || !strcmp(argv[i], "-V")) {
            printf("cairn %s\n", CAIRN_VERSION);
            *rc = 0;
            return -1;
        } else if (!strcmp(argv[i], "--json")) {
            cli.json = 1;
        } else if (!strcmp(argv[i], "--node") && i + 1 < argc) {
            cli.node = argv[++i];
        } else if (!strncmp(argv[i], "--node=", 7)) {
            cli.node = argv[i] + 7;
        } else {
            *rc = cli_fail("unknown option %s (see cairn --help)", argv[i]);
            return -1;
        }
    }
    return i;
}

int main(int argc, char **argv)
{
    int rc = 2;
    signal(SIGPIPE, SIG_IGN);
    cairn_crypto_init();
    cli.argv0 = argv[0];
    int i = global_opts(argc, argv, &rc);
    if (i < 0)
        return rc;
    if (i >= argc) {
        print_usage(stderr);
        return 2;
    }
    if (!strcmp(argv[i], "help"))
        return help(argc - i - 1, argv + i + 1);
    if (!strcmp(argv[i], "version")) {
        printf("cairn %s\n", CAIRN_VERSION);
        return 0;
    }
    int (*run)(int, char **) = find_command(argv[i]);
    if (run)
        return run(argc - i - 1, argv + i + 1);
    cli_fail("unknown command \"%s\" (see cairn --help)", argv[i]);
    return 2;
}
