/* `cairn devnet --validators V`: a matrix-job subnet over the devnet's
 * compute providers (its miners; the last one cheats now and then) with V
 * validator daemons, and its line per epoch: consensus, who was paid and
 * who was jailed (docs/compute-verify.md, "Subnets" and "Validators"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/subnet.h"
#include "cli/cli.h"
#include "cli/devnet.h"
#include "cli/devnet_group.h"
#include "net/node_rpc.h"

#define SUBNET_NAME "matmul"
#define VALIDATOR_STAKE "100"
#define JOIN_WAIT_S 60

static void validator_args(const devnet *d, const devnet_group *g, int i,
                           char **argv, int max);

static struct {
    devnet_group g;
    int ready; /* the subnet exists and every miner joined */
} vs = {.g = {.sector = "validator",
              .label = "validator",
              .ports = 0,
              .command = "validator",
              .args = validator_args}};

static void validator_args(const devnet *d, const devnet_group *g, int i,
                           char **argv, int max)
{
    (void)d;
    char *a[] = {"--subnet",  SUBNET_NAME,
                 "--data",    (char *)g->p[i].data,
                 "--key",     (char *)g->key[i],
                 "--stake",   VALIDATOR_STAKE,
                 "--dim",     "48",
                 "--poll-ms", "1000",
                 NULL};
    for (int k = 0; k < max && k < (int)(sizeof a / sizeof a[0]); k++)
        argv[k] = a[k];
}

/* Sends one transaction from the key in file `key`; waits for its block. */
static cairn_err send_as(const devnet *d, const char *key, uint16_t kind,
                         const cairn_buf *b, snode_err *ne)
{
    cairn_keypair kp;
    snode_ctx ctx;
    uint64_t nonce;
    if (cli_load_key(key, &kp))
        return CAIRN_ERR_IO;
    cairn_err e = snode_status(d->seq.url, &ctx, ne);
    if (!e)
        e = snode_next_nonce(d->seq.url, &kp.pk, &nonce, ne);
    if (!e)
        e = snode_send(d->seq.url, &ctx, &kp, nonce, kind, b->p, b->len, 1,
                       NULL, ne);
    cairn_keypair_wipe(&kp);
    return e;
}

/* The subnet's id (0 when it does not exist yet), and how many of its
 * miners are active. */
static uint32_t subnet_state(const devnet *d, int *miners)
{
    json_t *j, *o;
    snode_err ne;
    uint64_t id = 0;
    size_t k;
    *miners = 0;
    if (snode_get(d->seq.url, "/v1/compute/subnet/" SUBNET_NAME, &j, &ne))
        return 0;
    if (snode_u64(j, "id", &id) || id > UINT32_MAX)
        id = 0;
    json_array_foreach(json_object_get(j, "members"), k, o)
    {
        *miners += !strcmp(jstr(o, "role"), "miner") &&
                   json_is_true(json_object_get(o, "active"));
    }
    json_decref(j);
    return (uint32_t)id;
}

static int create_subnet(const devnet *d)
{
    char key[DEVNET_PATH_MAX];
    snode_err ne = {.msg = ""};
    cairn_buf b;
    snprintf(key, sizeof key, "%s/keys/alice.key", d->dir);
    cairn_buf_init(&b, 64);
    cairn_subnet_create_encode(&b, SUBNET_NAME, CAIRN_SUBNET_MATMUL);
    cairn_err e = send_as(d, key, CAIRN_TX_SUBNET_CREATE, &b, &ne);
    cairn_buf_free(&b);
    return e ? cli_fail("devnet: cannot create subnet %s: %s", SUBNET_NAME,
                        ne.msg)
             : 0;
}

/* Each compute provider joins as a miner (retried while its offer is not
 * on chain yet). */
static int join_miners(const devnet *d, uint32_t id)
{
    const devnet_group *cg = devnet_compute_group();
    int miners = 0;
    for (int t = 0; t < JOIN_WAIT_S; t++) {
        for (int i = 0; i < cg->n; i++) {
            snode_err ne;
            cairn_buf b;
            cairn_buf_init(&b, CAIRN_SUBNET_JOIN_LEN);
            cairn_subnet_join_encode(&b, id, CAIRN_ROLE_MINER, 0);
            (void)send_as(d, cg->key[i], CAIRN_TX_SUBNET_JOIN, &b, &ne);
            cairn_buf_free(&b);
        }
        if (subnet_state(d, &miners) && miners >= cg->n)
            return 0;
        devnet_sleep_ms(1000);
    }
    return cli_fail("devnet: only %d of %d compute providers joined subnet "
                    "%s within %d s",
                    miners, cg->n, SUBNET_NAME, JOIN_WAIT_S);
}

int devnet_subnet_start(devnet *d)
{
    int miners;
    vs.g.n = d->validators;
    if (d->validators <= 0 || d->compute <= 0)
        return 0;
    uint32_t id = subnet_state(d, &miners);
    if (!id && (create_subnet(d) || !(id = subnet_state(d, &miners))))
        return cli_fail("devnet: subnet %s did not appear", SUBNET_NAME);
    if (miners < devnet_compute_group()->n && join_miners(d, id))
        return 1;
    vs.ready = 1;
    return devnet_group_start(d, &vs.g);
}

void devnet_subnet_watch(devnet *d)
{
    if (vs.ready)
        devnet_group_watch(d, &vs.g);
}

void devnet_subnet_stop(devnet *d)
{
    (void)d;
    if (vs.ready)
        devnet_group_stop(&vs.g);
}

/* Miner `uid`'s label among members: "m1".."mN" by compute provider,
 * else "uidU". */
static void miner_label(const json_t *members, uint64_t uid, char *out,
                        size_t len)
{
    const devnet_group *cg = devnet_compute_group();
    const json_t *o;
    size_t k;
    uint64_t u;
    cairn_pubkey pk;
    snprintf(out, len, "uid%llu", (unsigned long long)uid);
    json_array_foreach(members, k, o)
    {
        if (strcmp(jstr(o, "role"), "miner") || snode_u64(o, "uid", &u) ||
            u != uid || snode_addr(o, "address", &pk))
            continue;
        for (int i = 0; i < cg->n; i++)
            if (!memcmp(pk.b, cg->pk[i].b, 32))
                snprintf(out, len, "m%d", i + 1);
    }
}

/* " m3 m1" for the compute providers jailed now, " none" when none. */
static const char *jailed_list(const devnet *d)
{
    static char out[128];
    const devnet_group *cg = devnet_compute_group();
    size_t n = 0;
    out[0] = '\0';
    for (int i = 0; i < cg->n && n < sizeof out - 8; i++) {
        char addr[CAIRN_ADDR_TEXT_LEN + 1], path[128];
        json_t *j;
        snode_err ne;
        cairn_addr_format(addr, &cg->pk[i]);
        snprintf(path, sizeof path, "/v1/provider/%s", addr);
        if (snode_get(d->seq.url, path, &j, &ne))
            continue;
        if (json_is_true(json_object_get(j, "jailed")))
            n += (size_t)snprintf(out + n, sizeof out - n, " m%d", i + 1);
        json_decref(j);
    }
    if (!n)
        snprintf(out, sizeof out, " none");
    return out;
}

void devnet_subnet_line(const devnet *d, uint64_t epoch)
{
    json_t *j, *r, *o;
    snode_err ne;
    size_t k;
    uint64_t rep = 0;
    char line[1024];
    if (!vs.ready ||
        snode_get(d->seq.url, "/v1/compute/subnet/" SUBNET_NAME, &j, &ne))
        return;
    r = json_object_get(j, "last_epoch");
    if (!json_is_object(r) || snode_u64(r, "epoch", &rep) || rep != epoch) {
        json_decref(j);
        return;
    }
    int n = snprintf(line, sizeof line, "epoch %llu subnet %s: consensus",
                     (unsigned long long)epoch, SUBNET_NAME);
    json_array_foreach(json_object_get(r, "miners"), k, o)
    {
        char who[24];
        uint64_t uid = 0;
        snode_u64(o, "uid", &uid);
        miner_label(json_object_get(j, "members"), uid, who, sizeof who);
        n +=
            snprintf(line + n, sizeof line - (size_t)n, " %s %.2f paid %s", who,
                     (double)jint(o, "consensus_ppm") / 1e6, jstr(o, "pay"));
        if (n >= (int)sizeof line - 64)
            break;
    }
    json_array_foreach(json_object_get(r, "validators"), k, o)
    {
        n += snprintf(line + n, sizeof line - (size_t)n,
                      k ? ", v%zu %s" : "; validators v%zu %s", k + 1,
                      jstr(o, "pay"));
        if (n >= (int)sizeof line - 64)
            break;
    }
    snprintf(line + n, sizeof line - (size_t)n, "; jailed:%s", jailed_list(d));
    json_decref(j);
    printf("%s\n", line);
    fflush(stdout);
}
