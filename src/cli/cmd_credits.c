/* `cairn credits` (buy, balance) and `cairn price` (set, show): service
 * credits bought by burning tokens at the oracle's price feed. */
#include <stdio.h>
#include <string.h>

#include "cairn/credits.h"
#include "cli/econ_cli.h"

/* ---- credits buy ---- */

static const char buy_usage[] =
    "usage: cairn credits buy CREDITS --key FILE [--fee TOKENS] [--no-wait]\n"
    "                         [--node URL] [--json]\n"
    "Burns CREDITS x price tokens from the key's account (see cairn price show)\n"
    "for CREDITS service credits. Credits cannot be transferred; sectors spend\n"
    "them for service.\n";

static int credits_buy(int argc, char **argv)
{
    econ_tx_opts o;
    cli_args a;
    cairn_buf b;
    uint64_t n;
    int rc = econ_tx_parse(argc, argv, "credits buy", buy_usage, 1, &o, &a);
    if (rc)
        return CLI_EXIT(rc);
    if (a.npos != 1)
        return cli_fail("credits buy: give the number of CREDITS");
    if (econ_parse_u64(a.pos[0], "CREDITS", &n))
        return 1;
    if (n == 0)
        return cli_fail("credits buy: CREDITS must be positive");
    cairn_buf_init(&b, 16);
    cairn_buy_credits_encode(&b, n);
    rc = econ_submit(&o, CAIRN_TX_BUY_CREDITS, &b, NULL);
    cairn_buf_free(&b);
    return rc;
}

/* ---- credits balance ---- */

static const char balance_usage[] =
    "usage: cairn credits balance ADDR [--node URL] [--json]\n"
    "Shows the service credits ADDR holds.\n";

static int credits_balance(int argc, char **argv)
{
    cli_args a;
    cairn_pubkey pk;
    char path[128];
    json_t *j;
    int rc =
        cli_parse(argc, argv, "credits balance", balance_usage, NULL, 1, &a);
    if (rc)
        return CLI_EXIT(rc);
    if (a.npos != 1)
        return cli_fail("credits balance: give an ADDR");
    if (cli_parse_addr(a.pos[0], "ADDR", &pk))
        return 1;
    snprintf(path, sizeof path, "/v1/credits/%s", a.pos[0]);
    if (api_get(cli_node_url(), path, &j))
        return 1;
    if (cli.json)
        cli_print_json(j);
    else
        printf("%s credits (at block %lld)\n", jstr(j, "credits"),
               jint(j, "height"));
    json_decref(j);
    return 0;
}

static const char credits_usage[] =
    "usage: cairn credits <buy|balance> [options]\n"
    "  buy CREDITS --key FILE   burn tokens at the price feed for credits\n"
    "  balance ADDR             credits an address holds\n";

int cmd_credits(int argc, char **argv)
{
    if (argc < 1 || !strcmp(argv[0], "--help") || !strcmp(argv[0], "-h")) {
        fputs(credits_usage, argc < 1 ? stderr : stdout);
        return argc < 1 ? 2 : 0;
    }
    if (!strcmp(argv[0], "buy"))
        return credits_buy(argc - 1, argv + 1);
    if (!strcmp(argv[0], "balance"))
        return credits_balance(argc - 1, argv + 1);
    cli_fail("credits: unknown subcommand \"%s\" (see cairn credits --help)",
             argv[0]);
    return 2;
}

/* ---- price set / show ---- */

static const char set_usage[] =
    "usage: cairn price set PRICE --key FILE [--fee TOKENS] [--no-wait]\n"
    "                       [--node URL] [--json]\n"
    "Sets the credit price to PRICE tokens per credit (e.g. 0.00001). Only the\n"
    "price-feed key may; each change stays within max_price_change_bps of the\n"
    "price at the start of the epoch (the first price is free).\n";

static int price_set(int argc, char **argv)
{
    econ_tx_opts o;
    cli_args a;
    cairn_buf b;
    uint64_t units;
    int rc = econ_tx_parse(argc, argv, "price set", set_usage, 1, &o, &a);
    if (rc)
        return CLI_EXIT(rc);
    if (a.npos != 1)
        return cli_fail("price set: give a PRICE in tokens per credit");
    if (econ_parse_tokens(a.pos[0], "PRICE", &units))
        return 1;
    if (units == 0)
        return cli_fail("price set: PRICE must be at least 0.000001");
    cairn_buf_init(&b, 16);
    cairn_set_price_encode(&b, units);
    rc = econ_submit(&o, CAIRN_TX_SET_PRICE, &b, NULL);
    cairn_buf_free(&b);
    return rc;
}

static void print_price(const json_t *j)
{
    if (json_is_null(json_object_get(j, "price")))
        printf("price       none set yet\n");
    else
        printf("price       %s tokens per credit (set in block %lld)\n"
               "epoch %lld   started at %s; moves at most %lld bps per epoch\n",
               jstr(j, "price"), jint(j, "set_height"), jint(j, "epoch"),
               jstr(j, "epoch_start_price"), jint(j, "max_change_bps"));
    printf("oracle      %s\n", *jstr(j, "oracle") ? jstr(j, "oracle") : "none");
}

static const char show_usage[] =
    "usage: cairn price [show] [--node URL] [--json]\n"
    "Shows the credit price feed and its oracle.\n";

static int price_show(int argc, char **argv)
{
    cli_args a;
    json_t *j;
    int rc = cli_parse(argc, argv, "price show", show_usage, NULL, 0, &a);
    if (rc)
        return CLI_EXIT(rc);
    if (api_get(cli_node_url(), "/v1/price", &j))
        return 1;
    if (cli.json)
        cli_print_json(j);
    else
        print_price(j);
    json_decref(j);
    return 0;
}

static const char price_usage[] =
    "usage: cairn price [show] [--node URL] [--json]\n"
    "       cairn price set PRICE --key FILE [--fee TOKENS] [--no-wait]\n"
    "  show        the credit price feed, its oracle and how far it may move\n"
    "  set PRICE   the oracle sets the price (tokens per credit)\n"
    "`cairn price set --help` tells more.\n";

int cmd_price(int argc, char **argv)
{
    if (argc >= 1 && (!strcmp(argv[0], "--help") || !strcmp(argv[0], "-h"))) {
        fputs(price_usage, stdout);
        return 0;
    }
    if (argc >= 1 && !strcmp(argv[0], "set"))
        return price_set(argc - 1, argv + 1);
    if (argc >= 1 && !strcmp(argv[0], "show"))
        return price_show(argc - 1, argv + 1);
    return price_show(argc, argv);
}
