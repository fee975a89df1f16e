/* `cairn subnet ls | show | create | join | leave | commit | reveal`: the
 * subnets of the compute sector (docs/compute-verify.md, "Subnets"), read
 * from the node API and changed by transactions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/amount.h"
#include "cairn/parse.h"
#include "cairn/subnet.h"
#include "compute/cli/compute_cli.h"

static const char subnet_usage[] =
    "usage: cairn subnet SUBCOMMAND ...\n"
    "  ls                                   every subnet: id, name, type, "
    "owner, members\n"
    "  show NAME|ID                         members, last epoch's consensus,\n"
    "                                       incentive, dividends, payouts; "
    "commits\n"
    "  create NAME --type transcode|render|matmul   a new subnet (locks\n"
    "                                       compute_subnet_create_cost)\n"
    "  join NAME --role miner|validator [--stake TOKENS]\n"
    "  leave NAME                           a validator's stake returns "
    "after\n"
    "                                       compute_subnet_unlock_epochs\n"
    "  commit NAME --weights UID:W,... --salt HEX64   this epoch's weights\n"
    "  reveal NAME --weights UID:W,... --salt HEX64   last epoch's, opened\n"
    "Every subcommand takes --key FILE (default $CAIRN_KEY, else "
    "~/.cairn/key),\n"
    "--node URL, --json and --help.\n";

/* GETs one subnet by name or id. */
static int get_subnet(const char *ref, json_t **out)
{
    char path[96];
    if (strlen(ref) > 32)
        return cli_fail("subnet: \"%s\" is no subnet name or id", ref);
    snprintf(path, sizeof path, "/v1/compute/subnet/%s", ref);
    return api_get(cli_node_url(), path, out);
}

static int subnet_id(const char *ref, uint32_t *id)
{
    json_t *s;
    if (get_subnet(ref, &s))
        return 1;
    *id = (uint32_t)jint(s, "id");
    json_decref(s);
    return 0;
}

static int sub_ls(int argc, char **argv)
{
    cli_args a;
    json_t *r, *s;
    size_t i;
    cli_opt opts[] = {{NULL, NULL, NULL}};
    int rc = cli_parse(argc, argv, "subnet ls", subnet_usage, opts, 0, &a);
    if (rc)
        return CLI_EXIT(rc);
    if (api_get(cli_node_url(), "/v1/compute/subnets", &r))
        return 1;
    if (cli.json) {
        cli_print_json(r);
    } else {
        json_t *arr = json_object_get(r, "subnets");
        if (!json_array_size(arr))
            printf("no subnets\n");
        json_array_foreach(arr, i, s)
            printf("%-4lld %-16s %-9s miners %-3lld validators %-3lld owner "
                   "%s\n",
                   jint(s, "id"), jstr(s, "name"), jstr(s, "type"),
                   jint(s, "miners"), jint(s, "validators"), jstr(s, "owner"));
    }
    json_decref(r);
    return 0;
}

static void show_members(const json_t *s)
{
    json_t *m;
    size_t i;
    json_array_foreach(json_object_get(s, "members"), i, m)
        printf("  %-9s uid %-3lld %-6s stake %-12s %s\n", jstr(m, "role"),
               jint(m, "uid"),
               json_is_true(json_object_get(m, "active")) ? "active" : "left",
               jstr(m, "stake"), jstr(m, "address"));
}

static void show_epoch(const json_t *s)
{
    json_t *e = json_object_get(s, "last_epoch"), *x;
    size_t i;
    if (!json_is_object(e)) {
        printf("no epoch settled yet\n");
        return;
    }
    printf("epoch %lld: emission %s, owner %s, unpaid %s\n", jint(e, "epoch"),
           jstr(e, "emission"), jstr(e, "owner_pay"), jstr(e, "unpaid"));
    json_array_foreach(json_object_get(e, "miners"), i, x)
        printf("  miner uid %-3lld consensus %.6f incentive %.6f pay %s\n",
               jint(x, "uid"), jint(x, "consensus_ppm") / 1e6,
               jint(x, "incentive_ppm") / 1e6, jstr(x, "pay"));
    json_array_foreach(json_object_get(e, "validators"), i, x)
        printf("  validator uid %-3lld dividend %.6f bonds %lld pay %s\n",
               jint(x, "uid"), jint(x, "dividend_ppm") / 1e6,
               jint(x, "bond_sum"), jstr(x, "pay"));
}

/* One validator's commit-reveal line and its revealed row. */
static void show_weights(const json_t *w)
{
    json_t *c = json_object_get(w, "commit_epoch");
    json_t *r = json_object_get(w, "reveal_epoch"), *x;
    size_t j;
    printf("  validator uid %-3lld committed in epoch ", jint(w, "uid"));
    if (json_is_integer(c))
        printf("%lld", (long long)json_integer_value(c));
    else
        printf("-");
    printf(", revealed in epoch ");
    if (json_is_integer(r))
        printf("%lld:", (long long)json_integer_value(r));
    else
        printf("-");
    json_array_foreach(json_object_get(w, "row"), j, x) printf(
        " %lld:%lld", (long long)json_integer_value(json_array_get(x, 0)),
        (long long)json_integer_value(json_array_get(x, 1)));
    printf("\n");
}

static int sub_show(int argc, char **argv)
{
    cli_args a;
    json_t *s, *w;
    size_t i;
    cli_opt opts[] = {{NULL, NULL, NULL}};
    int rc = cli_parse(argc, argv, "subnet show", subnet_usage, opts, 1, &a);
    if (rc)
        return CLI_EXIT(rc);
    if (a.npos != 1)
        return cli_fail("subnet show: give the subnet's NAME or ID");
    if (get_subnet(a.pos[0], &s))
        return 1;
    if (cli.json) {
        cli_print_json(s);
        json_decref(s);
        return 0;
    }
    printf("subnet %lld %s (%s), owner %s, %lld miners, %lld validators\n",
           jint(s, "id"), jstr(s, "name"), jstr(s, "type"), jstr(s, "owner"),
           jint(s, "miners"), jint(s, "validators"));
    show_members(s);
    show_epoch(s);
    json_array_foreach(json_object_get(s, "weights"), i, w) show_weights(w);
    json_decref(s);
    return 0;
}

static int type_of(const char *t, uint8_t *type)
{
    for (uint8_t i = CAIRN_SUBNET_TRANSCODE; i <= CAIRN_SUBNET_MATMUL; i++)
        if (t && !strcmp(t, cairn_subnet_type_name(i))) {
            *type = i;
            return 0;
        }
    return cli_fail("subnet create: --type is transcode, render or matmul");
}

static int sub_create(int argc, char **argv)
{
    const char *key = NULL, *type_s = NULL;
    cli_opt opts[] = {
        {"key", &key, NULL}, {"type", &type_s, NULL}, {NULL, NULL, NULL}};
    cli_args a;
    cairn_keypair kp;
    uint8_t type = 0;
    int rc = cli_parse(argc, argv, "subnet create", subnet_usage, opts, 1, &a);
    if (rc)
        return CLI_EXIT(rc);
    if (a.npos != 1 || !cairn_subnet_name_ok(a.pos[0]))
        return cli_fail("subnet create: give a NAME of 1..16 characters "
                        "a-z, 0-9 and -");
    if (type_of(type_s, &type) || ccli_key(key, &kp))
        return 1;
    cairn_buf b;
    cairn_buf_init(&b, 64);
    cairn_subnet_create_encode(&b, a.pos[0], type);
    rc = ccli_send(&kp, CAIRN_TX_SUBNET_CREATE, &b, NULL);
    cairn_keypair_wipe(&kp);
    if (!rc)
        printf("subnet %s created\n", a.pos[0]);
    return rc;
}

static int sub_join(int argc, char **argv)
{
    const char *key = NULL, *role_s = NULL, *stake_s = NULL;
    cli_opt opts[] = {{"key", &key, NULL},
                      {"role", &role_s, NULL},
                      {"stake", &stake_s, NULL},
                      {NULL, NULL, NULL}};
    cli_args a;
    cairn_keypair kp;
    uint32_t id;
    uint64_t stake = 0;
    uint8_t role;
    int rc = cli_parse(argc, argv, "subnet join", subnet_usage, opts, 1, &a);
    if (rc)
        return CLI_EXIT(rc);
    if (a.npos != 1)
        return cli_fail("subnet join: give the subnet's NAME");
    if (role_s && !strcmp(role_s, "miner"))
        role = CAIRN_ROLE_MINER;
    else if (role_s && !strcmp(role_s, "validator"))
        role = CAIRN_ROLE_VALIDATOR;
    else
        return cli_fail("subnet join: --role is miner or validator");
    if (role == CAIRN_ROLE_VALIDATOR &&
        (!stake_s || cairn_amount_parse(&stake, stake_s) || !stake))
        return cli_fail("subnet join: a validator gives --stake TOKENS (at "
                        "least compute_subnet_min_stake)");
    if (role == CAIRN_ROLE_MINER && stake_s)
        return cli_fail("subnet join: a miner stakes as a compute provider, "
                        "not here: drop --stake");
    if (subnet_id(a.pos[0], &id) || ccli_key(key, &kp))
        return 1;
    cairn_buf b;
    cairn_buf_init(&b, CAIRN_SUBNET_JOIN_LEN);
    cairn_subnet_join_encode(&b, id, role, stake);
    rc = ccli_send(&kp, CAIRN_TX_SUBNET_JOIN, &b, NULL);
    cairn_keypair_wipe(&kp);
    if (!rc)
        printf("joined subnet %s as %s\n", a.pos[0], role_s);
    return rc;
}

static int sub_leave(int argc, char **argv)
{
    const char *key = NULL;
    cli_opt opts[] = {{"key", &key, NULL}, {NULL, NULL, NULL}};
    cli_args a;
    cairn_keypair kp;
    uint32_t id;
    int rc = cli_parse(argc, argv, "subnet leave", subnet_usage, opts, 1, &a);
    if (rc)
        return CLI_EXIT(rc);
    if (a.npos != 1)
        return cli_fail("subnet leave: give the subnet's NAME");
    if (subnet_id(a.pos[0], &id) || ccli_key(key, &kp))
        return 1;
    cairn_buf b;
    cairn_buf_init(&b, CAIRN_SUBNET_LEAVE_LEN);
    cairn_subnet_leave_encode(&b, id);
    rc = ccli_send(&kp, CAIRN_TX_SUBNET_LEAVE, &b, NULL);
    cairn_keypair_wipe(&kp);
    if (!rc)
        printf("left subnet %s\n", a.pos[0]);
    return rc;
}

/* "UID:W,UID:W,..." with uids increasing. */
static int parse_weights(const char *s, cairn_weights *w)
{
    char *copy = strdup(s ? s : ""), *save = NULL;
    int bad = !copy || !s;
    memset(w, 0, sizeof *w);
    for (char *t = copy ? strtok_r(copy, ",", &save) : NULL; t && !bad;
         t = strtok_r(NULL, ",", &save)) {
        char *colon = strchr(t, ':');
        uint64_t uid = 0, wt = 0;
        if (!colon || w->n >= CAIRN_SUBNET_MAX_MINERS) {
            bad = 1;
            break;
        }
        *colon = '\0';
        bad = cairn_parse_u64(t, &uid) || cairn_parse_u64(colon + 1, &wt) ||
              uid >= CAIRN_SUBNET_MAX_MINERS || wt > 65535 ||
              (w->n && uid <= w->e[w->n - 1].uid);
        w->e[w->n++] = (cairn_weight){(uint16_t)uid, (uint16_t)wt};
    }
    free(copy);
    return bad ? cli_fail("subnet: --weights is UID:WEIGHT,... (uids "
                          "increasing, weights 0..65535)")
               : 0;
}

/* The epoch the next block belongs to (GET /v1/compute/params). */
static int epoch_now(uint64_t *epoch)
{
    json_t *p;
    if (api_get(cli_node_url(), "/v1/compute/params", &p))
        return 1;
    *epoch = (uint64_t)jint(p, "epoch");
    json_decref(p);
    return 0;
}

/* commit (reveal = 0) or reveal (1). */
static int commit_or_reveal(int argc, char **argv, int reveal)
{
    const char *key = NULL, *ws = NULL, *salt_s = NULL;
    cli_opt opts[] = {{"key", &key, NULL},
                      {"weights", &ws, NULL},
                      {"salt", &salt_s, NULL},
                      {NULL, NULL, NULL}};
    const char *cmd = reveal ? "subnet reveal" : "subnet commit";
    cli_args a;
    cairn_keypair kp;
    static cairn_weights_reveal r;
    uint64_t now;
    int rc = cli_parse(argc, argv, cmd, subnet_usage, opts, 1, &a);
    if (rc)
        return CLI_EXIT(rc);
    if (a.npos != 1)
        return cli_fail("%s: give the subnet's NAME", cmd);
    if (parse_weights(ws, &r.w))
        return 1;
    if (!salt_s || strlen(salt_s) != 64 ||
        cairn_hex_decode(r.salt, 32, salt_s, 64))
        return cli_fail("%s: --salt is 64 hex digits, the same for the "
                        "commit and its reveal",
                        cmd);
    if (subnet_id(a.pos[0], &r.subnet) || epoch_now(&now))
        return 1;
    if (reveal && now == 0)
        return cli_fail("subnet reveal: nothing can be committed before "
                        "epoch 0");
    r.epoch = reveal ? now - 1 : now;
    if (ccli_key(key, &kp))
        return 1;
    cairn_buf b;
    cairn_buf_init(&b, 2048);
    if (reveal) {
        cairn_weights_reveal_encode(&b, &r);
    } else {
        cairn_hash h;
        cairn_weights_commit_hash(&h, r.subnet, r.epoch, &kp.pk, &r.w, r.salt);
        cairn_weights_commit_encode(&b, r.subnet, r.epoch, &h);
    }
    rc = ccli_send(&kp,
                   reveal ? CAIRN_TX_WEIGHTS_REVEAL : CAIRN_TX_WEIGHTS_COMMIT,
                   &b, NULL);
    cairn_keypair_wipe(&kp);
    if (!rc)
        printf("%s weights of epoch %llu on subnet %s\n",
               reveal ? "revealed" : "committed", (unsigned long long)r.epoch,
               a.pos[0]);
    return rc;
}

static int sub_commit(int argc, char **argv)
{
    return commit_or_reveal(argc, argv, 0);
}

static int sub_reveal(int argc, char **argv)
{
    return commit_or_reveal(argc, argv, 1);
}

typedef struct scmd {
    const char *name;
    int (*run)(int argc, char **argv);
} scmd;

static const scmd subs[] = {
    {"ls", sub_ls},         {"show", sub_show},   {"create", sub_create},
    {"join", sub_join},     {"leave", sub_leave}, {"commit", sub_commit},
    {"reveal", sub_reveal},
};

int cmd_subnet(int argc, char **argv)
{
    if (argc < 1 || !strcmp(argv[0], "--help") || !strcmp(argv[0], "-h")) {
        fputs(subnet_usage, argc < 1 ? stderr : stdout);
        return argc < 1 ? 2 : 0;
    }
    for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++)
        if (!strcmp(argv[0], subs[i].name))
            return subs[i].run(argc - 1, argv + 1);
    return cli_fail("subnet: unknown subcommand \"%s\" (see cairn subnet "
                    "--help)",
                    argv[0]);
}
