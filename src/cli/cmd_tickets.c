/* `cairn tickets fund | withdraw | show`: the ticket funds on chain that
 * back a sender's lottery tickets (docs/compute-verify.md "Lottery
 * tickets"): what pays compute jobs and storage reads (docs/storage.md
 * "Paid retrieval"). */
#include <stdio.h>
#include <string.h>

#include "cairn/compute.h"
#include "cli/econ_cli.h"
#include "cli/staking_cli.h"

/* clang-format off */
#define TX_OPTS(o) {"key", &(o).key, NULL}, {"fee", &(o).fee, NULL}, \
                   {"no-wait", NULL, &(o).no_wait}
/* clang-format on */

static const char fund_usage[] =
    "usage: cairn tickets fund TOKENS [--reserve TOKENS] --key FILE\n"
    "                          [--fee TOKENS] [--no-wait] [--node URL]\n"
    "Moves TOKENS of the key's balance into its ticket deposit (and\n"
    "--reserve TOKENS into its reserve), which pay the lottery tickets it\n"
    "signs: storage providers that charge for reads (--egress-price) and\n"
    "compute jobs (--ticket-face) take a ticket only when these funds cover\n"
    "its face value. Get them back with cairn tickets withdraw.\n";

static int tickets_fund(int argc, char **argv)
{
    econ_tx_opts o = {0};
    const char *reserve = NULL;
    cli_opt opts[] = {
        {"reserve", &reserve, NULL}, TX_OPTS(o), {NULL, NULL, NULL}};
    cli_args a;
    cairn_buf b;
    uint64_t dep, res = 0;
    int rc = cli_parse(argc, argv, "tickets fund", fund_usage, opts, 1, &a);
    if (rc)
        return CLI_EXIT(rc);
    if (a.npos != 1)
        return cli_fail("tickets fund: give the TOKENS to deposit");
    if (econ_parse_tokens(a.pos[0], "TOKENS", &dep) ||
        (reserve && econ_parse_tokens(reserve, "--reserve", &res)))
        return 1;
    if (dep == 0 && res == 0)
        return cli_fail("tickets fund: TOKENS must be positive");
    cairn_buf_init(&b, 32);
    cairn_ticket_fund_encode(&b, dep, res);
    rc = econ_submit(&o, CAIRN_TX_TICKET_FUND, &b, NULL);
    cairn_buf_free(&b);
    return rc;
}

static const char withdraw_usage[] =
    "usage: cairn tickets withdraw TOKENS --key FILE [--fee TOKENS]\n"
    "                              [--no-wait] [--node URL]\n"
    "Takes TOKENS of the key's ticket funds back, in two calls: the first\n"
    "asks for them (they keep backing tickets in flight until the unlock\n"
    "height, compute_ticket_unlock_blocks later; cairn tickets show tells\n"
    "it); the same command again at or after that height pays them back.\n";

/* Refuses, with what to do, a second call that cannot succeed: another
 * amount than the one pending. 0 to go on. */
static int withdraw_precheck(const char *key, uint64_t amount)
{
    char addr[STK_ADDR_MAX], path[160];
    json_t *j;
    if (!key || stk_key_addr(key, addr))
        return 0; /* the submission says what is wrong */
    snprintf(path, sizeof path, "/v1/compute/tickets/%s", addr);
    (void)stk_get_quiet(path, &j); /* the HTTP status; j NULL on failure */
    if (!j)
        return 0;
    const char *p = jstr(j, "pending_units");
    uint64_t pending = 0;
    int rc = 0;
    if (*p && !econ_parse_u64(p, "pending_units", &pending) && pending &&
        pending != amount)
        rc = cli_fail("tickets withdraw: a withdrawal of %s tokens is "
                      "pending; repeat it with that amount at or after "
                      "height %lld",
                      jstr(j, "pending"), jint(j, "unlock_height"));
    json_decref(j);
    return rc;
}

static int tickets_withdraw(int argc, char **argv)
{
    econ_tx_opts o;
    cli_args a;
    cairn_buf b;
    uint64_t amount;
    int rc = econ_tx_parse(argc, argv, "tickets withdraw", withdraw_usage, 1,
                           &o, &a);
    if (rc)
        return CLI_EXIT(rc);
    if (a.npos != 1)
        return cli_fail("tickets withdraw: give the TOKENS to withdraw");
    if (econ_parse_tokens(a.pos[0], "TOKENS", &amount))
        return 1;
    if (amount == 0)
        return cli_fail("tickets withdraw: TOKENS must be positive");
    if (withdraw_precheck(o.key, amount))
        return 1;
    cairn_buf_init(&b, 16);
    cairn_ticket_withdraw_encode(&b, amount);
    rc = econ_submit(&o, CAIRN_TX_TICKET_WITHDRAW, &b, NULL);
    cairn_buf_free(&b);
    return rc;
}

static const char show_usage[] =
    "usage: cairn tickets show ADDR | --key FILE [--node URL] [--json]\n"
    "Shows the ticket funds of ADDR (or of the key's address): deposit,\n"
    "reserve, a withdrawal pending and its unlock height.\n";

static int tickets_show(int argc, char **argv)
{
    const char *key = NULL;
    cli_opt opts[] = {{"key", &key, NULL}, {NULL, NULL, NULL}};
    cli_args a;
    cairn_pubkey pk;
    char addr[STK_ADDR_MAX], path[160];
    json_t *j;
    int rc = cli_parse(argc, argv, "tickets show", show_usage, opts, 1, &a);
    if (rc)
        return CLI_EXIT(rc);
    if ((a.npos == 1) == (key != NULL))
        return cli_fail("tickets show: give an ADDR or --key FILE");
    if (key ? stk_key_addr(key, addr) : cli_parse_addr(a.pos[0], "ADDR", &pk))
        return 1;
    if (!key)
        snprintf(addr, sizeof addr, "%s", a.pos[0]);
    snprintf(path, sizeof path, "/v1/compute/tickets/%s", addr);
    int st = stk_get_quiet(path, &j);
    if (st == 404) {
        printf("%s has no ticket funds (cairn tickets fund TOKENS)\n", addr);
        return 0;
    }
    if (!j)
        return st ? cli_fail("the node answered HTTP %d for %s", st, path) : 1;
    if (cli.json)
        cli_print_json(j);
    else
        printf("ticket funds of %s: deposit %s, reserve %s; withdrawal "
               "pending %s (unlock height %lld)\n",
               addr, jstr(j, "deposit"), jstr(j, "reserve"), jstr(j, "pending"),
               jint(j, "unlock_height"));
    json_decref(j);
    return 0;
}

static const char tickets_usage[] =
    "usage: cairn tickets <fund|withdraw|show> [options]\n"
    "  fund TOKENS --key FILE      back the key's lottery tickets\n"
    "  withdraw TOKENS --key FILE  take them back (two calls, an unlock apart)\n"
    "  show ADDR | --key FILE      the ticket funds of an address\n";

int cmd_tickets(int argc, char **argv)
{
    if (argc < 1 || !strcmp(argv[0], "--help") || !strcmp(argv[0], "-h")) {
        fputs(tickets_usage, argc < 1 ? stderr : stdout);
        return argc < 1 ? 2 : 0;
    }
    if (!strcmp(argv[0], "fund"))
        return tickets_fund(argc - 1, argv + 1);
    if (!strcmp(argv[0], "withdraw"))
        return tickets_withdraw(argc - 1, argv + 1);
    if (!strcmp(argv[0], "show"))
        return tickets_show(argc - 1, argv + 1);
    cli_fail("tickets: unknown subcommand \"%s\" (see cairn tickets --help)",
             argv[0]);
    return 2;
}
