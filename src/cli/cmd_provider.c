/* `cairn provider`: register a provider, add or unbond self stake, set the
 * commission, show one provider or list them; and the helpers the
 * delegation commands share (staking_cli.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/econ_math.h"
#include "cairn/staking.h"
#include "cli/staking_cli.h"
#include "sectors/registry.h"

/* ---- shared helpers ---- */

int stk_key_addr(const char *keyfile, char addr[STK_ADDR_MAX])
{
    cairn_keypair kp;
    if (cli_load_key(keyfile, &kp))
        return 1;
    cairn_addr_format(addr, &kp.pk);
    cairn_keypair_wipe(&kp);
    return 0;
}

int stk_get_quiet(const char *path, json_t **out)
{
    snode_err why = {.msg = ""};
    const char *base = cli_node_url();
    cairn_err e = snode_get(base, path, out, &why);
    if (e && !why.status)
        cli_rpc_fail(base, e, &why);
    return why.status;
}

void stk_print_committed(const json_t *reply)
{
    printf("tx %s committed in block %lld\n", jstr(reply, "hash"),
           jint(reply, "height"));
}

/* The entry of an unbonding list with the highest seq (the newest), or
 * NULL. Borrowed from u. */
static const json_t *newest_entry(const json_t *u)
{
    const json_t *best = NULL, *x;
    long long seq = -1;
    size_t i;
    json_t *arr = json_object_get(u, "unbonding");
    json_array_foreach(arr, i, x)
    {
        if (jint(x, "seq") > seq) {
            seq = jint(x, "seq");
            best = x;
        }
    }
    return best;
}

int stk_report_unbond(const json_t *reply, const char *addr)
{
    char path[128];
    json_t *u;
    snprintf(path, sizeof path, "/v1/unbonding/%s", addr);
    if (api_get(cli_node_url(), path, &u))
        return 1;
    const json_t *x = newest_entry(u);
    if (cli.json) {
        json_t *o = json_deep_copy(reply);
        if (x) {
            json_object_set(o, "release_epoch",
                            json_object_get(x, "release_epoch"));
            json_object_set(o, "release_height",
                            json_object_get(x, "release_height"));
        }
        json_object_set(o, "unbonding_epochs",
                        json_object_get(u, "unbonding_epochs"));
        cli_print_json(o);
        json_decref(o);
    } else {
        stk_print_committed(reply);
        if (x)
            printf("%s tokens are unbonding: they earn nothing from now on and "
                   "are\n"
                   "released to your balance at the end of epoch %lld (around "
                   "block %lld).\n"
                   "The unbonding period is %lld epochs; this is epoch %lld.\n",
                   jstr(x, "amount"), jint(x, "release_epoch"),
                   jint(x, "release_height"), jint(u, "unbonding_epochs"),
                   jint(u, "epoch"));
    }
    json_decref(u);
    return 0;
}

/* ---- parsing ---- */

/* "5%", "2.5%", "12.25%" (percent, at most two decimals) or "500" (bps). */
static int parse_commission(const char *s, uint32_t *bps)
{
    const char *pct = strchr(s, '%');
    uint64_t v = 0, frac = 0;
    int fd = 0;
    const char *p = s;
    for (; *p >= '0' && *p <= '9' && v <= 10000; p++)
        v = v * 10 + (uint64_t)(*p - '0');
    if (pct && *p == '.')
        for (p++; *p >= '0' && *p <= '9' && fd < 2; p++, fd++)
            frac = frac * 10 + (uint64_t)(*p - '0');
    for (; fd < 2; fd++)
        frac *= 10;
    int ok = p != s && (pct ? p == pct && !pct[1] : !*p);
    uint64_t r = pct ? v * 100 + frac : v;
    if (!ok || r > CAIRN_BPS)
        return cli_fail(
            "--commission \"%s\": give a percentage (\"5%%\", \"2.5%%\") or "
            "basis points (\"500\"), at most 100%%",
            s);
    *bps = (uint32_t)r;
    return 0;
}

/* HOST:PORT, at most CAIRN_ENDPOINT_MAX bytes of printable ASCII. */
static int check_endpoint(const char *s)
{
    const char *colon = strrchr(s, ':');
    char *end;
    size_t n = strlen(s);
    for (size_t i = 0; i < n; i++)
        if (s[i] <= ' ' || s[i] > '~')
            return cli_fail("--endpoint \"%s\" has a space or a non-ASCII byte",
                            s);
    long port = colon ? strtol(colon + 1, &end, 10) : 0;
    if (n > CAIRN_ENDPOINT_MAX || !colon || colon == s || !colon[1] || *end ||
        port < 1 || port > 65535)
        return cli_fail(
            "--endpoint \"%s\": give HOST:PORT (at most %d bytes), e.g. "
            "203.0.113.5:9000",
            s, CAIRN_ENDPOINT_MAX);
    return 0;
}

/* Refuses a commission above the network's max_commission_bps (the node
 * would refuse it with a generic bad_param). Returns 0 or 1 (printed). */
static int check_max_commission(uint32_t bps)
{
    json_t *j;
    if (api_get(cli_node_url(), "/v1/staking", &j))
        return 1;
    long long max = jint(j, "max_commission_bps");
    json_decref(j);
    if (max >= 0 && bps > max)
        return cli_fail(
            "commission %u bps is above max_commission_bps, %lld bps on this "
            "network",
            bps, max);
    return 0;
}

/* Prints a bps value as "5.00% (500 bps)". */
static void print_bps(long long bps)
{
    printf("%lld.%02lld%% (%lld bps)", bps / 100, bps % 100, bps);
}

/* ---- provider info ---- */

static void print_status_word(const json_t *p)
{
    if (json_is_true(json_object_get(p, "jailed")))
        printf("jailed until epoch %lld", jint(p, "jailed_until"));
    else if (json_is_true(json_object_get(p, "active")))
        printf("active");
    else
        printf("inactive (self stake below the minimum)");
}

static void print_unbonding(const json_t *p)
{
    const json_t *x;
    size_t i;
    json_t *arr = json_object_get(p, "unbonding");
    printf("unbonding   ");
    if (!json_array_size(arr))
        printf("none\n");
    json_array_foreach(arr, i, x)
    {
        printf("%s%s released at the end of epoch %lld (around block %lld)\n",
               i ? "            " : "", jstr(x, "amount"),
               jint(x, "release_epoch"), jint(x, "release_height"));
    }
    if ((long long)json_array_size(arr) < jint(p, "unbonding_count"))
        printf("            ... %lld entries, %s in all\n",
               jint(p, "unbonding_count"), jstr(p, "unbonding_total"));
}

static void print_provider(const json_t *p)
{
    printf("provider    %s\n", jstr(p, "address"));
    printf("sector      %s\n", jstr(p, "sector"));
    printf("endpoint    %s\n", jstr(p, "endpoint"));
    printf("status      ");
    print_status_word(p);
    printf("\ncommission  ");
    print_bps(jint(p, "commission_bps"));
    printf("\nself stake  %s\n", jstr(p, "self_stake"));
    printf("delegated   %s\n", jstr(p, "delegated"));
    printf("reward      %s unclaimed (delegators' pool %s)\n",
           jstr(p, "reward"), jstr(p, "delegator_pool"));
    printf("faults      %lld\n", jint(p, "faults"));
    printf("registered  block %lld (now block %lld, epoch %lld)\n",
           jint(p, "registered_height"), jint(p, "height"), jint(p, "epoch"));
    print_unbonding(p);
}

static const char info_usage[] =
    "usage: cairn provider info ADDR | --key FILE [--node URL] [--json]\n"
    "Shows a provider: sector, endpoint, status, commission, self stake, "
    "stake\n"
    "delegated to it, unclaimed rewards, faults, and its stake still "
    "unbonding\n"
    "with the epoch that releases each part.\n";

static int provider_info(int argc, char **argv)
{
    const char *key = NULL;
    cli_opt opts[] = {{"key", &key, NULL}, {NULL, NULL, NULL}};
    cli_args a;
    cairn_pubkey pk;
    char addr[STK_ADDR_MAX], path[128];
    json_t *j;
    int rc = cli_parse(argc, argv, "provider info", info_usage, opts, 1, &a);
    if (rc)
        return CLI_EXIT(rc);
    if (a.npos + !!key != 1)
        return cli_fail("provider info: give an ADDR or --key FILE");
    if (key ? stk_key_addr(key, addr) : cli_parse_addr(a.pos[0], "ADDR", &pk))
        return 1;
    snprintf(path, sizeof path, "/v1/provider/%s", key ? addr : a.pos[0]);
    if (api_get(cli_node_url(), path, &j))
        return 1;
    if (cli.json)
        cli_print_json(j);
    else
        print_provider(j);
    json_decref(j);
    return 0;
}

/* ---- provider list ---- */

static void print_list_row(const json_t *p)
{
    printf("%s  %-8s  %-8s  %14s  %14s  %6lld  %s\n", jstr(p, "address"),
           jstr(p, "sector"),
           json_is_true(json_object_get(p, "jailed"))   ? "jailed"
           : json_is_true(json_object_get(p, "active")) ? "active"
                                                        : "inactive",
           jstr(p, "self_stake"), jstr(p, "delegated"),
           jint(p, "commission_bps"), jstr(p, "endpoint"));
}

static void print_list(const json_t *j, const char *sector)
{
    const json_t *p;
    size_t i;
    json_t *arr = json_object_get(j, "providers");
    if (!json_array_size(arr)) {
        printf("no providers\n");
        return;
    }
    printf("%-78s  %-8s  %-8s  %14s  %14s  %6s  %s\n", "ADDRESS", "SECTOR",
           "STATUS", "SELF STAKE", "DELEGATED", "BPS", "ENDPOINT");
    json_array_foreach(arr, i, p)
    {
        print_list_row(p);
    }
    if (*jstr(j, "next"))
        printf("more: cairn provider list --after %s%s%s\n", jstr(j, "next"),
               sector ? " --sector " : "", sector ? sector : "");
}

static const char list_usage[] =
    "usage: cairn provider list [--sector S] [--limit N] [--after ADDR]\n"
    "                           [--node URL] [--json]\n"
    "Lists providers in address order (S: storage, compute, wireless or "
    "sensor;\n"
    "N: 1..1000, default 100). A long list ends with the --after to go on "
    "with.\n";

static int provider_list(int argc, char **argv)
{
    const char *sector = NULL, *limit = NULL, *after = NULL;
    cli_opt opts[] = {{"sector", &sector, NULL},
                      {"limit", &limit, NULL},
                      {"after", &after, NULL},
                      {NULL, NULL, NULL}};
    cli_args a;
    cairn_pubkey pk;
    uint8_t sec;
    uint64_t lim = 100;
    char path[256];
    json_t *j;
    int rc = cli_parse(argc, argv, "provider list", list_usage, opts, 0, &a);
    if (rc)
        return CLI_EXIT(rc);
    if (sector && cairn_sector_parse(sector, &sec))
        return cli_fail("--sector \"%s\": %s", sector,
                        cairn_strerror(CAIRN_ERR_BAD_SECTOR));
    if ((limit && econ_parse_u64(limit, "--limit", &lim)) ||
        (after && cli_parse_addr(after, "--after", &pk)))
        return 1;
    if (lim < 1 || lim > 1000)
        return cli_fail("--limit must be 1..1000");
    int len = snprintf(path, sizeof path, "/v1/providers?limit=%llu",
                       (unsigned long long)lim);
    if (sector)
        len += snprintf(path + len, sizeof path - (size_t)len, "&sector=%s",
                        sector);
    if (after)
        snprintf(path + len, sizeof path - (size_t)len, "&after=%s", after);
    if (api_get(cli_node_url(), path, &j))
        return 1;
    if (cli.json)
        cli_print_json(j);
    else
        print_list(j, sector);
    json_decref(j);
    return 0;
}

/* ---- transactions ---- */

/* After a committed tx of the key's own provider: the provider's state in
 * one line (or the reply as JSON). */
static int report_provider(const json_t *r, const econ_tx_opts *o,
                           const char *what)
{
    char addr[STK_ADDR_MAX], path[128];
    json_t *p;
    if (cli.json) {
        cli_print_json(r);
        return 0;
    }
    stk_print_committed(r);
    if (stk_key_addr(o->key, addr))
        return 1;
    snprintf(path, sizeof path, "/v1/provider/%s", addr);
    if (api_get(cli_node_url(), path, &p))
        return 1;
    printf("%s: provider %s in sector %s, self stake %s, ", what, addr,
           jstr(p, "sector"), jstr(p, "self_stake"));
    print_status_word(p);
    printf(", commission ");
    print_bps(jint(p, "commission_bps"));
    printf("\n");
    json_decref(p);
    return 0;
}

/* Submits kind/body and reports as report_provider. */
static int submit_own(const econ_tx_opts *o, uint16_t kind, cairn_buf *b,
                      const char *what)
{
    json_t *r = NULL;
    int rc = econ_submit(o, kind, b, &r);
    cairn_buf_free(b);
    if (!rc && r)
        rc = report_provider(r, o, what);
    json_decref(r);
    return rc;
}

/* clang-format off */
#define TX_OPTS(o) {"key", &(o).key, NULL}, {"fee", &(o).fee, NULL}, \
                   {"no-wait", NULL, &(o).no_wait}
/* clang-format on */

static const char register_usage[] =
    "usage: cairn provider register --key FILE --sector S --stake TOKENS\n"
    "                               --endpoint HOST:PORT [--commission "
    "PCT|BPS]\n"
    "                               [--fee TOKENS] [--no-wait] [--node URL] "
    "[--json]\n"
    "Registers the key's address as a provider of sector S (storage, compute,\n"
    "wireless or sensor), bonding TOKENS of its spendable balance as self "
    "stake.\n"
    "The stake must reach min_provider_stake (see cairn provider params).\n"
    "--commission is the share of delegators' rewards the provider keeps:\n"
    "\"5%\", \"2.5%\" or basis points (\"500\"); default 0, at most\n"
    "max_commission_bps. The endpoint is where users reach the service.\n";

static int provider_register(int argc, char **argv)
{
    const char *sector = NULL, *stake = NULL, *endpoint = NULL, *comm = NULL;
    econ_tx_opts o = {0};
    cli_opt opts[] = {{"sector", &sector, NULL},
                      {"stake", &stake, NULL},
                      {"endpoint", &endpoint, NULL},
                      {"commission", &comm, NULL},
                      TX_OPTS(o),
                      {NULL, NULL, NULL}};
    cli_args a;
    cairn_register r = {0};
    cairn_buf b;
    int rc =
        cli_parse(argc, argv, "provider register", register_usage, opts, 0, &a);
    if (rc)
        return CLI_EXIT(rc);
    if (!sector || !stake || !endpoint)
        return cli_fail(
            "provider register: --sector, --stake and --endpoint are required");
    if (cairn_sector_parse(sector, &r.sector))
        return cli_fail("--sector \"%s\": %s", sector,
                        cairn_strerror(CAIRN_ERR_BAD_SECTOR));
    if (econ_parse_tokens(stake, "--stake", &r.stake) ||
        check_endpoint(endpoint) ||
        (comm && (parse_commission(comm, &r.commission_bps) ||
                  check_max_commission(r.commission_bps))))
        return 1;
    if (r.stake == 0)
        return cli_fail("--stake must be positive");
    snprintf(r.endpoint, sizeof r.endpoint, "%s", endpoint);
    cairn_buf_init(&b, 192);
    cairn_register_encode(&b, &r);
    return submit_own(&o, CAIRN_TX_REGISTER, &b, "registered");
}

/* STAKE or UNBOND of --amount for the key's own provider. */
static int own_amount(int argc, char **argv, const char *cmd, const char *usage,
                      uint16_t kind)
{
    const char *amount = NULL;
    econ_tx_opts o = {0};
    cli_opt opts[] = {
        {"amount", &amount, NULL}, TX_OPTS(o), {NULL, NULL, NULL}};
    cli_args a;
    cairn_buf b;
    uint64_t units;
    char addr[STK_ADDR_MAX];
    json_t *r = NULL;
    int rc = cli_parse(argc, argv, cmd, usage, opts, 0, &a);
    if (rc)
        return CLI_EXIT(rc);
    if (!amount)
        return cli_fail("%s: --amount TOKENS is required", cmd);
    if (econ_parse_tokens(amount, "--amount", &units))
        return 1;
    if (units == 0)
        return cli_fail("--amount must be positive");
    cairn_buf_init(&b, 16);
    cairn_amount_body_encode(&b, units);
    if (kind == CAIRN_TX_STAKE)
        return submit_own(&o, kind, &b, "staked");
    rc = econ_submit(&o, kind, &b, &r);
    cairn_buf_free(&b);
    if (!rc && r)
        rc = stk_key_addr(o.key, addr) || stk_report_unbond(r, addr);
    json_decref(r);
    return rc;
}

static const char stake_usage[] =
    "usage: cairn provider stake --key FILE --amount TOKENS [--fee TOKENS]\n"
    "                            [--no-wait] [--node URL] [--json]\n"
    "Adds TOKENS of the key's spendable balance to its provider's self "
    "stake.\n";

static int provider_stake(int argc, char **argv)
{
    return own_amount(argc, argv, "provider stake", stake_usage,
                      CAIRN_TX_STAKE);
}

static const char unstake_usage[] =
    "usage: cairn provider unstake --key FILE --amount TOKENS [--fee TOKENS]\n"
    "                              [--no-wait] [--node URL] [--json]\n"
    "Unbonds TOKENS of the key's provider self stake. Unbonding stake earns\n"
    "nothing and is not spendable: it returns to the balance at the end of\n"
    "epoch (current epoch + unbonding_epochs); the output names that epoch.\n"
    "A self stake left below min_provider_stake makes the provider inactive.\n";

static int provider_unstake(int argc, char **argv)
{
    return own_amount(argc, argv, "provider unstake", unstake_usage,
                      CAIRN_TX_UNBOND);
}

static const char commission_usage[] =
    "usage: cairn provider commission --key FILE --bps N [--fee TOKENS]\n"
    "                                 [--no-wait] [--node URL] [--json]\n"
    "Sets the share of delegators' rewards the provider keeps, in basis "
    "points\n"
    "(100 bps = 1%), at most max_commission_bps.\n";

static int provider_commission(int argc, char **argv)
{
    const char *bps = NULL;
    econ_tx_opts o = {0};
    cli_opt opts[] = {{"bps", &bps, NULL}, TX_OPTS(o), {NULL, NULL, NULL}};
    cli_args a;
    cairn_buf b;
    uint64_t v;
    int rc = cli_parse(argc, argv, "provider commission", commission_usage,
                       opts, 0, &a);
    if (rc)
        return CLI_EXIT(rc);
    if (!bps)
        return cli_fail("provider commission: --bps N is required");
    if (econ_parse_u64(bps, "--bps", &v))
        return 1;
    if (v > CAIRN_BPS)
        return cli_fail("--bps must be 0..10000");
    if (check_max_commission((uint32_t)v))
        return 1;
    cairn_buf_init(&b, 8);
    cairn_commission_encode(&b, (uint32_t)v);
    return submit_own(&o, CAIRN_TX_SET_COMMISSION, &b, "commission set");
}

/* ---- provider params ---- */

static const char params_usage[] =
    "usage: cairn provider params [--node URL] [--json]\n"
    "Shows the epoch and the staking rules in force: minimum provider stake,\n"
    "minimum delegation, unbonding period, highest commission.\n";

static int provider_params(int argc, char **argv)
{
    cli_args a;
    json_t *j;
    int rc =
        cli_parse(argc, argv, "provider params", params_usage, NULL, 0, &a);
    if (rc)
        return CLI_EXIT(rc);
    if (api_get(cli_node_url(), "/v1/staking", &j))
        return 1;
    if (cli.json) {
        cli_print_json(j);
    } else {
        printf("epoch               %lld (blocks %lld..%lld)\n",
               jint(j, "epoch"), jint(j, "epoch_start_height"),
               jint(j, "epoch_end_height"));
        printf("min provider stake  %s\nmin delegation      %s\n",
               jstr(j, "min_provider_stake"), jstr(j, "min_delegation"));
        printf("unbonding period    %lld epochs of %lld blocks\nmax commission "
               "     ",
               jint(j, "unbonding_epochs"), jint(j, "epoch_blocks"));
        print_bps(jint(j, "max_commission_bps"));
        printf("\nstaked              %s (unbonding %s)\n", jstr(j, "staked"),
               jstr(j, "unbonding"));
    }
    json_decref(j);
    return 0;
}

static const char provider_usage[] =
    "usage: cairn provider <subcommand> [options]\n"
    "  register --key FILE --sector S --stake TOKENS --endpoint HOST:PORT\n"
    "           [--commission PCT|BPS]       become a provider\n"
    "  stake --key FILE --amount TOKENS      add self stake\n"
    "  unstake --key FILE --amount TOKENS    unbond self stake (released "
    "later)\n"
    "  commission --key FILE --bps N         set the commission\n"
    "  info ADDR | --key FILE                one provider\n"
    "  list [--sector S]                     providers in address order\n"
    "  params                                the staking rules in force\n"
    "  storage --data DIR --capacity SIZE --key FILE\n"
    "                                        run a storage provider daemon\n"
    "`cairn provider <subcommand> --help` tells more.\n";

int cmd_provider(int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*run)(int, char **);
    } subs[] = {
        {"register", provider_register}, {"stake", provider_stake},
        {"unstake", provider_unstake},   {"commission", provider_commission},
        {"info", provider_info},         {"list", provider_list},
        {"params", provider_params}};
    if (argc < 1 || !strcmp(argv[0], "--help") || !strcmp(argv[0], "-h")) {
        fputs(provider_usage, argc < 1 ? stderr : stdout);
        return argc < 1 ? 2 : 0;
    }
    for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++)
        if (strcmp(argv[0], subs[i].name) == 0)
            return subs[i].run(argc - 1, argv + 1);
    const cairn_sector_plugin *sec = cairn_plugin(argv[0]);
    if (sec && sec->provider) /* `cairn provider <sector>`: its daemon */
        return sec->provider(argc - 1, argv + 1);
    if (sec)
        return cli_fail("provider: the %s sector has no provider daemon yet "
                        "(see cairn provider --help)",
                        argv[0]);
    cli_fail("provider: unknown subcommand \"%s\" (see cairn provider --help)",
             argv[0]);
    return 2;
}
