/* `cairn delegate`, `cairn undelegate` and `cairn claim`: a token holder
 * bonds tokens to a provider for a share of its rewards, unbonds them, and
 * collects rewards (a provider collects its own with `cairn claim`). */
#include <stdio.h>
#include <string.h>

#include "cairn/staking.h"
#include "cli/staking_cli.h"

/* clang-format off */
#define TX_OPTS(o) {"key", &(o).key, NULL}, {"fee", &(o).fee, NULL}, \
                   {"no-wait", NULL, &(o).no_wait}
/* clang-format on */

/* Parses the provider address and the amount of a (un)delegation into d.
 * Returns 0 or 1 (printed). */
static int deleg_body(const char *cmd, const char *opt, const char *prov,
                      const char *amount, cairn_delegate *d)
{
    if (!prov || !amount)
        return cli_fail("%s: --%s PROVIDER and --amount TOKENS are required",
                        cmd, opt);
    if (cli_parse_addr(prov, opt[0] == 't' ? "--to" : "--from", &d->provider) ||
        econ_parse_tokens(amount, "--amount", &d->amount))
        return 1;
    return d->amount ? 0 : cli_fail("--amount must be positive");
}

/* Prints the delegation of the key's address to prov, one line. */
static int print_delegation(const char *addr, const char *prov)
{
    char path[256];
    json_t *d;
    snprintf(path, sizeof path, "/v1/delegation/%s/%s", addr, prov);
    int st = stk_get_quiet(path, &d);
    if (st == 404) {
        printf("no delegation to %s remains\n", prov);
        return 0;
    }
    if (!d)
        return st ? cli_fail("the node answered HTTP %d for %s", st, path) : 1;
    printf("delegation to %s: %s tokens (%s shares), rewards pending %s\n",
           prov, jstr(d, "stake"), jstr(d, "shares"), jstr(d, "pending"));
    json_decref(d);
    return 0;
}

/* ---- delegate ---- */

static const char delegate_usage[] =
    "usage: cairn delegate --key FILE --to PROVIDER --amount TOKENS\n"
    "                      [--fee TOKENS] [--no-wait] [--node URL] [--json]\n"
    "Bonds TOKENS of the key's spendable balance to PROVIDER. The delegation\n"
    "earns a share of the provider's rewards, less its commission, and is\n"
    "slashed with the provider's stake. It must be at least min_delegation\n"
    "(see cairn provider params); a jailed provider takes no delegations.\n";

/* Parses `cmd --key K --<flag> PROVIDER --amount T`, then signs, submits
 * and waits for a DELEGATE/UNDELEGATE (`kind`). *o gets the tx options,
 * *prov the PROVIDER text (borrowed from argv), *r the node's reply
 * (caller decrefs; may be NULL). Returns the exit status. */
static int deleg_run(int argc, char **argv, const char *cmd, const char *flag,
                     const char *usage, uint16_t kind, econ_tx_opts *o,
                     const char **prov_out, json_t **r)
{
    const char *prov = NULL, *amount = NULL;
    cli_opt opts[] = {{flag, &prov, NULL},
                      {"amount", &amount, NULL},
                      TX_OPTS(*o),
                      {NULL, NULL, NULL}};
    cli_args a;
    cairn_delegate d;
    cairn_buf b;
    int rc = cli_parse(argc, argv, cmd, usage, opts, 0, &a);
    if (rc)
        return CLI_EXIT(rc);
    if (deleg_body(cmd, flag, prov, amount, &d))
        return 1;
    *prov_out = prov;
    cairn_buf_init(&b, 48);
    cairn_delegate_encode(&b, &d);
    rc = econ_submit(o, kind, &b, r);
    cairn_buf_free(&b);
    return rc;
}

int cmd_delegate(int argc, char **argv)
{
    econ_tx_opts o = {0};
    char addr[STK_ADDR_MAX];
    const char *prov = NULL;
    json_t *r = NULL;
    int rc = deleg_run(argc, argv, "delegate", "to", delegate_usage,
                       CAIRN_TX_DELEGATE, &o, &prov, &r);
    if (!rc && r && cli.json)
        cli_print_json(r);
    else if (!rc && r) {
        stk_print_committed(r);
        rc = stk_key_addr(o.key, addr) || print_delegation(addr, prov);
    }
    json_decref(r);
    return rc;
}

/* ---- undelegate ---- */

static const char undelegate_usage[] =
    "usage: cairn undelegate --key FILE --from PROVIDER --amount TOKENS\n"
    "                        [--fee TOKENS] [--no-wait] [--node URL] [--json]\n"
    "Unbonds TOKENS of the key's delegation to PROVIDER, paying its pending\n"
    "rewards now. The tokens earn nothing while unbonding and return to the\n"
    "balance at the end of epoch (current epoch + unbonding_epochs); the\n"
    "output names that epoch.\n";

int cmd_undelegate(int argc, char **argv)
{
    econ_tx_opts o = {0};
    char addr[STK_ADDR_MAX];
    const char *prov = NULL;
    json_t *r = NULL;
    int rc = deleg_run(argc, argv, "undelegate", "from", undelegate_usage,
                       CAIRN_TX_UNDELEGATE, &o, &prov, &r);
    if (!rc && r)
        rc = stk_key_addr(o.key, addr) || stk_report_unbond(r, addr);
    json_decref(r);
    return rc;
}

/* ---- claim ---- */

/* What is pending for addr from prov before the claim: the provider's own
 * reward (when prov is addr) and the delegation's rewards. Fills the token
 * strings (or "0"). Returns 0, or 1 when nothing can be claimed there. */
static int pending_before(const char *addr, const char *prov, char own[32],
                          char deleg[32])
{
    char path[256];
    json_t *j;
    int self = strcmp(addr, prov) == 0, has_deleg;
    snprintf(own, 32, "0");
    snprintf(deleg, 32, "0");
    snprintf(path, sizeof path, "/v1/delegation/%s/%s", addr, prov);
    int st = stk_get_quiet(path, &j);
    if ((has_deleg = j != NULL))
        snprintf(deleg, 32, "%s", jstr(j, "pending"));
    json_decref(j);
    if (!st)
        return 1;
    snprintf(path, sizeof path, "/v1/provider/%s", prov);
    st = stk_get_quiet(path, &j);
    if (j && self)
        snprintf(own, 32, "%s", jstr(j, "reward"));
    json_decref(j);
    if (st == 404)
        return cli_fail(
            self ? "claim: this key is not a provider; give --provider ADDR "
                   "to claim a delegation's rewards"
                 : "claim: %s is not a provider",
            prov);
    if (!st)
        return 1;
    if (!self && !has_deleg)
        return cli_fail("claim: this key has no delegation to %s", prov);
    return 0;
}

static const char claim_usage[] =
    "usage: cairn claim --key FILE [--provider ADDR] [--fee TOKENS] "
    "[--no-wait]\n"
    "                   [--node URL] [--json]\n"
    "Pays rewards into the key's balance: without --provider, the key's own\n"
    "provider reward (and its delegation to itself, if any); with --provider,\n"
    "the rewards of the key's delegation to ADDR. Rewards accrue at the end "
    "of\n"
    "each epoch from verified work.\n";

int cmd_claim(int argc, char **argv)
{
    const char *prov = NULL;
    econ_tx_opts o = {0};
    cli_opt opts[] = {
        {"provider", &prov, NULL}, TX_OPTS(o), {NULL, NULL, NULL}};
    cli_args a;
    cairn_pubkey pk;
    cairn_buf b;
    char addr[STK_ADDR_MAX], own[32], deleg[32];
    json_t *r = NULL;
    int rc = cli_parse(argc, argv, "claim", claim_usage, opts, 0, &a);
    if (rc)
        return CLI_EXIT(rc);
    if (!o.key)
        return cli_fail("claim: --key FILE is required (the account paid)");
    if (stk_key_addr(o.key, addr) ||
        (prov && cli_parse_addr(prov, "--provider", &pk)) ||
        (!prov && cairn_addr_parse(&pk, addr)))
        return 1;
    if (pending_before(addr, prov ? prov : addr, own, deleg))
        return 1;
    cairn_buf_init(&b, 32);
    cairn_claim_encode(&b, &pk);
    rc = econ_submit(&o, CAIRN_TX_CLAIM, &b, &r);
    cairn_buf_free(&b);
    if (!rc && r && cli.json)
        cli_print_json(r);
    else if (!rc && r) {
        stk_print_committed(r);
        printf("claimed: provider reward %s, delegation rewards %s (as pending "
               "before the claim)\n",
               own, deleg);
    }
    json_decref(r);
    return rc;
}
