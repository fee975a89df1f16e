/* `cairn gov`: open proposals, vote, list and show them; and the econ
 * commands' shared option handling (econ_submit signs and submits through
 * cli_send_tx). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/amount.h"
#include "cairn/gov.h"
#include "cairn/staking.h"
#include "cli/econ_cli.h"
#include "econ/params.h"
#include "sectors/registry.h"

/* ---- shared helpers ---- */

int econ_parse_tokens(const char *s, const char *what, uint64_t *units)
{
    cairn_err e = cairn_amount_parse(units, s);
    return e ? cli_fail("%s \"%s\": %s", what, s, cairn_strerror(e)) : 0;
}

int econ_parse_u64(const char *s, const char *what, uint64_t *v)
{
    char *end;
    errno = 0;
    unsigned long long x = strtoull(s, &end, 10);
    if (!*s || *s < '0' || *s > '9' || *end || errno)
        return cli_fail("%s \"%s\" is not a non-negative integer", what, s);
    *v = x;
    return 0;
}

int econ_tx_parse(int argc, char **argv, const char *name, const char *usage,
                  int max_pos, econ_tx_opts *o, cli_args *a)
{
    cli_opt opts[] = {{"key", &o->key, NULL},
                      {"fee", &o->fee, NULL},
                      {"no-wait", NULL, &o->no_wait},
                      {NULL, NULL, NULL}};
    memset(o, 0, sizeof *o);
    return cli_parse(argc, argv, name, usage, opts, max_pos, a);
}

int econ_submit(const econ_tx_opts *o, uint16_t kind, const cairn_buf *body,
                json_t **reply)
{
    cairn_keypair kp;
    uint64_t fee = 0;
    json_t *r = NULL;
    int status = 0;
    if (!o->key)
        return cli_fail("--key FILE is required (the signing account)");
    if ((o->fee && econ_parse_tokens(o->fee, "--fee", &fee)) ||
        cli_load_key(o->key, &kp))
        return 1;
    cli_tx how = {&kp, o->fee ? &fee : NULL, NULL, o->no_wait};
    int rc = cli_send_tx(&how, kind, body->p, body->len, &status, &r);
    cairn_keypair_wipe(&kp);
    if (rc)
        return rc;
    if (reply && status != 202)
        *reply = r;
    else {
        cli_print_submitted(r, status);
        json_decref(r);
    }
    return 0;
}

/* ---- gov propose ---- */

static const char propose_usage[] =
    "usage: cairn gov propose (--param NAME --value V | --spend TOKENS --to ADDR)\n"
    "                         --key FILE [--fee TOKENS] [--no-wait] [--node URL] [--json]\n"
    "Opens a proposal, locking the gov_deposit from the key's account. NAME is\n"
    "an economy parameter (see docs/tokenomics.md); V is a token amount for\n"
    "amount parameters, else an integer. --spend pays TOKENS from the treasury\n"
    "to ADDR. Voting lasts gov_voting_blocks blocks.\n";

/* Builds a PARAM body: the name must be declared, the value in bounds. */
static int param_body(const char *name, const char *val, cairn_buf *b)
{
    cairn_gov_propose p = {.type = CAIRN_GOV_PARAM};
    const econ_param_def *d = econ_param_find_name(cairn_registry(), name);
    if (!d)
        return cli_fail("gov propose: no parameter named \"%s\"", name);
    if (d->amount ? econ_parse_tokens(val, "--value", &p.value)
                  : econ_parse_u64(val, "--value", &p.value))
        return 1;
    if (p.value < d->min || p.value > d->max)
        return cli_fail("gov propose: %s must be between %llu and %llu%s", name,
                        (unsigned long long)d->min, (unsigned long long)d->max,
                        d->amount ? " base units" : "");
    snprintf(p.param, sizeof p.param, "%s", name);
    cairn_gov_propose_encode(b, &p);
    return 0;
}

/* Builds a SPEND body. */
static int spend_body(const char *amount, const char *to, cairn_buf *b)
{
    cairn_gov_propose p = {.type = CAIRN_GOV_SPEND};
    if (econ_parse_tokens(amount, "--spend", &p.amount) ||
        cli_parse_addr(to, "--to", &p.to))
        return 1;
    cairn_gov_propose_encode(b, &p);
    return 0;
}

/* Prints the proposal the committed tx opened: the newest one opened in
 * that block by this proposer. */
static void print_opened(const json_t *r)
{
    json_t *list;
    if (cli.json || api_get(cli_node_url(), "/v1/proposals?limit=100", &list)) {
        cli_print_submitted(r, 200);
        return;
    }
    json_t *arr = json_object_get(list, "proposals"), *p, *found = NULL;
    size_t i;
    json_array_foreach(arr, i, p) if (jint(p, "start_height") ==
                                      jint(r, "height")) found = p;
    printf("tx %s committed in block %lld\n", jstr(r, "hash"),
           jint(r, "height"));
    if (found)
        printf("proposal %lld is open; voting ends with block %lld\n",
               jint(found, "id"), jint(found, "end_height"));
    json_decref(list);
}

static int gov_propose(int argc, char **argv)
{
    const char *param = NULL, *value = NULL, *spend = NULL, *to = NULL;
    econ_tx_opts o = {0};
    cli_opt opts[] = {{"param", &param, NULL},       {"value", &value, NULL},
                      {"spend", &spend, NULL},       {"to", &to, NULL},
                      {"key", &o.key, NULL},         {"fee", &o.fee, NULL},
                      {"no-wait", NULL, &o.no_wait}, {NULL, NULL, NULL}};
    cli_args a;
    cairn_buf b;
    json_t *r = NULL;
    int rc = cli_parse(argc, argv, "gov propose", propose_usage, opts, 0, &a);
    if (rc)
        return CLI_EXIT(rc);
    if (!!param + !!spend != 1 || (param && !value) || (spend && !to))
        return cli_fail(
            "gov propose: give --param NAME --value V, or --spend TOKENS --to ADDR");
    cairn_buf_init(&b, 256);
    rc = param ? param_body(param, value, &b) : spend_body(spend, to, &b);
    if (!rc)
        rc = econ_submit(&o, CAIRN_TX_PROPOSE, &b, &r);
    cairn_buf_free(&b);
    if (!rc && r) {
        print_opened(r);
        json_decref(r);
    }
    return rc;
}

/* ---- gov vote ---- */

static const char vote_usage[] =
    "usage: cairn gov vote ID yes|no|abstain --key FILE [--fee TOKENS] [--no-wait]\n"
    "                      [--node URL] [--json]\n"
    "Votes on proposal ID with the key's bonded stake (own provider stake plus\n"
    "delegations) as its weight. One vote per address.\n";

static int gov_vote(int argc, char **argv)
{
    econ_tx_opts o;
    cli_args a;
    cairn_buf b;
    cairn_gov_vote v;
    int rc = econ_tx_parse(argc, argv, "gov vote", vote_usage, 2, &o, &a);
    if (rc)
        return CLI_EXIT(rc);
    if (a.npos != 2)
        return cli_fail("gov vote: give a proposal ID and yes, no or abstain");
    if (econ_parse_u64(a.pos[0], "proposal ID", &v.id))
        return 1;
    if (!(v.choice = cairn_vote_parse(a.pos[1])))
        return cli_fail("gov vote: \"%s\" is not yes, no or abstain", a.pos[1]);
    cairn_buf_init(&b, 64);
    cairn_gov_vote_encode(&b, &v);
    rc = econ_submit(&o, CAIRN_TX_VOTE, &b, NULL);
    cairn_buf_free(&b);
    return rc;
}

/* ---- gov list / show ---- */

/* One line about a proposal's subject. */
static void print_subject(const json_t *p)
{
    if (strcmp(jstr(p, "type"), "param") == 0)
        printf("set %s = %s", jstr(p, "param"), jstr(p, "value"));
    else
        printf("spend %s to %s", jstr(p, "amount"), jstr(p, "to"));
}

static void print_proposal(const json_t *p)
{
    json_t *t = json_object_get(p, "tally");
    printf("proposal %lld: ", jint(p, "id"));
    print_subject(p);
    printf("\nstatus      %s%s%s\n", jstr(p, "status"),
           *jstr(p, "exec_error") ? ": " : "", jstr(p, "exec_error"));
    printf("proposer    %s (deposit %s%s)\n", jstr(p, "proposer"),
           jstr(p, "deposit"),
           json_is_true(json_object_get(p, "deposit_held")) ? ", held" : "");
    printf("voting      blocks %lld..%lld\n", jint(p, "start_height"),
           jint(p, "end_height"));
    printf("tally       yes %s  no %s  abstain %s", jstr(t, "yes"),
           jstr(t, "no"), jstr(t, "abstain"));
    if (strcmp(jstr(p, "status"), "open") != 0)
        printf("  of bonded %s", jstr(t, "total_bonded"));
    printf("\n");
}

static const char list_usage[] =
    "usage: cairn gov list [--after ID] [--node URL] [--json]\n"
    "Lists up to 100 proposals with ids above ID (default: from the first).\n";

static int gov_list(int argc, char **argv)
{
    const char *after = NULL;
    cli_opt opts[] = {{"after", &after, NULL}, {NULL, NULL, NULL}};
    cli_args a;
    char path[64];
    uint64_t from = 0;
    json_t *j, *p;
    size_t i;
    int rc = cli_parse(argc, argv, "gov list", list_usage, opts, 0, &a);
    if (rc)
        return CLI_EXIT(rc);
    if (after && econ_parse_u64(after, "--after", &from))
        return 1;
    snprintf(path, sizeof path, "/v1/proposals?after=%llu",
             (unsigned long long)from);
    if (api_get(cli_node_url(), path, &j))
        return 1;
    json_t *arr = json_object_get(j, "proposals");
    if (cli.json)
        cli_print_json(j);
    else if (!json_array_size(arr))
        printf("no proposals\n");
    json_array_foreach(arr, i, p)
    {
        if (cli.json)
            break;
        printf("%4lld  %-9s  ends %-8lld  ", jint(p, "id"), jstr(p, "status"),
               jint(p, "end_height"));
        print_subject(p);
        printf("\n");
    }
    json_decref(j);
    return 0;
}

static const char show_usage[] =
    "usage: cairn gov show ID [--node URL] [--json]\n"
    "Shows proposal ID: subject, status, deposit, voting period and tally.\n";

static int gov_show(int argc, char **argv)
{
    cli_args a;
    char path[64];
    uint64_t id = 0;
    json_t *j;
    int rc = cli_parse(argc, argv, "gov show", show_usage, NULL, 1, &a);
    if (rc)
        return CLI_EXIT(rc);
    if (a.npos != 1)
        return cli_fail("gov show: give a proposal ID");
    if (econ_parse_u64(a.pos[0], "proposal ID", &id))
        return 1;
    snprintf(path, sizeof path, "/v1/proposal/%llu", (unsigned long long)id);
    if (api_get(cli_node_url(), path, &j))
        return 1;
    if (cli.json)
        cli_print_json(j);
    else
        print_proposal(j);
    json_decref(j);
    return 0;
}

static const char gov_usage[] =
    "usage: cairn gov <propose|vote|list|show> [options]\n"
    "  propose (--param NAME --value V | --spend TOKENS --to ADDR) --key FILE\n"
    "  vote ID yes|no|abstain --key FILE\n"
    "  list [--after ID]\n"
    "  show ID\n"
    "`cairn gov <subcommand> --help` tells more.\n";

int cmd_gov(int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*run)(int, char **);
    } subs[] = {{"propose", gov_propose},
                {"vote", gov_vote},
                {"list", gov_list},
                {"show", gov_show}};
    if (argc < 1 || !strcmp(argv[0], "--help") || !strcmp(argv[0], "-h")) {
        fputs(gov_usage, argc < 1 ? stderr : stdout);
        return argc < 1 ? 2 : 0;
    }
    for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++)
        if (strcmp(argv[0], subs[i].name) == 0)
            return subs[i].run(argc - 1, argv + 1);
    cli_fail("gov: unknown subcommand \"%s\" (see cairn gov --help)", argv[0]);
    return 2;
}
