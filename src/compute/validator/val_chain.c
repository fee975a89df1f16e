/* The validator and its node: the epoch, the subnet's members, our own
 * commit-reveal state, the miners' endpoints; and the transactions we send
 * (docs/api.md, GET /v1/compute/subnet/{name}). */
#include <stdio.h>
#include <string.h>

#include "compute/validator/validator.h"

/* The epoch field of a JSON value that may be null: UINT64_MAX then. */
static uint64_t epoch_or_none(const json_t *o, const char *k)
{
    uint64_t e;
    const json_t *x = json_object_get(o, k);
    if (!x || json_is_null(x) || snode_u64(o, k, &e))
        return UINT64_MAX;
    return e;
}

/* Our own validator entry: active, and the commit and reveal epochs of
 * our uid in "weights". */
static void read_me(val *v, const json_t *members, const json_t *weights)
{
    size_t i;
    const json_t *it;
    cairn_pubkey pk;
    uint64_t uid = UINT64_MAX, u;
    v->is_validator = 0;
    v->commit_epoch = v->reveal_epoch = UINT64_MAX;
    json_array_foreach(members, i, it)
    {
        const char *role = json_string_value(json_object_get(it, "role"));
        if (!role || strcmp(role, "validator") != 0 ||
            snode_addr(it, "address", &pk) ||
            memcmp(pk.b, v->cfg.key.pk.b, 32) != 0 || snode_u64(it, "uid", &u))
            continue;
        v->is_validator = json_is_true(json_object_get(it, "active"));
        uid = u;
    }
    json_array_foreach(weights, i, it)
    {
        if (snode_u64(it, "uid", &u) || u != uid)
            continue;
        v->commit_epoch = epoch_or_none(it, "commit_epoch");
        v->reveal_epoch = epoch_or_none(it, "reveal_epoch");
    }
}

/* The miner's registered endpoint, "" when none or jailed. */
static void endpoint_of(val *v, val_miner *m)
{
    char path[160], addr[CAIRN_ADDR_TEXT_LEN + 1];
    json_t *j;
    snode_err ne;
    m->endpoint[0] = '\0';
    cairn_addr_format(addr, &m->address);
    snprintf(path, sizeof path, "/v1/provider/%s", addr);
    if (snode_get(v->cfg.node, path, &j, &ne) != CAIRN_OK)
        return;
    const char *s = json_string_value(json_object_get(j, "endpoint"));
    if (s && strlen(s) < sizeof m->endpoint &&
        !json_is_true(json_object_get(j, "jailed")))
        snprintf(m->endpoint, sizeof m->endpoint, "%s", s);
    json_decref(j);
}

static void read_miners(val *v, const json_t *members)
{
    size_t i;
    const json_t *it;
    uint64_t uid;
    v->nminers = 0;
    json_array_foreach(members, i, it)
    {
        val_miner *m = &v->miners[v->nminers];
        const char *role = json_string_value(json_object_get(it, "role"));
        if (!role || strcmp(role, "miner") != 0 ||
            v->nminers >= VAL_MINERS_MAX || snode_u64(it, "uid", &uid) ||
            uid > UINT16_MAX || snode_addr(it, "address", &m->address) ||
            !json_is_true(json_object_get(it, "active")))
            continue;
        m->uid = (uint16_t)uid;
        m->active = 1;
        endpoint_of(v, m);
        v->nminers++;
    }
}

static cairn_err join(val *v)
{
    cairn_buf b;
    cairn_buf_init(&b, CAIRN_SUBNET_JOIN_LEN);
    cairn_subnet_join_encode(&b, v->subnet_id, CAIRN_ROLE_VALIDATOR,
                             v->cfg.stake);
    cairn_err e = b.err ? b.err : val_send(v, CAIRN_TX_SUBNET_JOIN, b.p, b.len);
    cairn_buf_free(&b);
    if (!e)
        val_log("joined subnet %s as a validator", v->cfg.subnet);
    return e;
}

static uint8_t type_of(const char *s)
{
    for (uint8_t t = 1; s && t <= 3; t++)
        if (strcmp(s, cairn_subnet_type_name(t)) == 0)
            return t;
    return 0;
}

/* The hash of block start − 1 (the last of the epoch before), which
 * every validator reads alike and nobody knew before it was made. */
static cairn_err epoch_rand(val *v, uint64_t start)
{
    char path[64];
    json_t *j;
    snode_err ne;
    snprintf(path, sizeof path, "/v1/block/%llu",
             (unsigned long long)(start ? start - 1 : 0));
    cairn_err e = snode_get(v->cfg.node, path, &j, &ne);
    if (e)
        return e;
    int bad = snode_hash(j, "hash", &v->epoch_rand);
    json_decref(j);
    if (bad)
        return CAIRN_ERR_BAD_JSON;
    uint64_t block_ms = 1000;
    if (snode_get(v->cfg.node, "/v1/status", &j, &ne) == CAIRN_OK) {
        if (snode_u64(j, "block_interval_ms", &block_ms))
            block_ms = 1000;
        json_decref(j);
    }
    uint64_t ms = block_ms * (v->epoch_blocks ? v->epoch_blocks : 1) / 2;
    v->probe_ms = ms < 1000 ? 1000 : ms > 120000 ? 120000 : (int)ms;
    v->rand_epoch = v->epoch;
    return CAIRN_OK;
}

cairn_err val_refresh(val *v)
{
    snode_err ne;
    json_t *j;
    char path[128];
    cairn_err e = snode_status(v->cfg.node, &v->ctx, &ne);
    if (e)
        return e;
    v->height = v->ctx.height;
    snprintf(path, sizeof path, "/v1/compute/subnet/%s", v->cfg.subnet);
    if ((e = snode_get(v->cfg.node, path, &j, &ne))) {
        val_log("cannot read subnet %s: %s", v->cfg.subnet, ne.msg);
        return e;
    }
    uint64_t id;
    v->type = type_of(json_string_value(json_object_get(j, "type")));
    if (snode_u64(j, "id", &id) || id > UINT32_MAX || !v->type) {
        json_decref(j);
        val_log("the node's subnet reply lacks id or type");
        return CAIRN_ERR_BAD_JSON;
    }
    v->subnet_id = (uint32_t)id;
    read_me(v, json_object_get(j, "members"), json_object_get(j, "weights"));
    read_miners(v, json_object_get(j, "members"));
    json_decref(j);
    if ((e = snode_get(v->cfg.node, "/v1/staking", &j, &ne)))
        return e;
    uint64_t start = 0;
    int bad = snode_u64(j, "epoch", &v->epoch) ||
              snode_u64(j, "epoch_start_height", &start) ||
              snode_u64(j, "epoch_blocks", &v->epoch_blocks);
    json_decref(j);
    if (bad)
        return CAIRN_ERR_BAD_JSON;
    if (v->rand_epoch != v->epoch && (e = epoch_rand(v, start)))
        return e;
    if (!v->is_validator && v->cfg.stake)
        join(v); /* counts from the next round */
    return CAIRN_OK;
}

cairn_err val_send(val *v, uint16_t kind, const uint8_t *body, size_t n)
{
    uint64_t nonce, height;
    snode_err ne;
    cairn_err e = snode_next_nonce(v->cfg.node, &v->cfg.key.pk, &nonce, &ne);
    if (!e)
        e = snode_send(v->cfg.node, &v->ctx, &v->cfg.key, nonce, kind, body, n,
                       1, &height, &ne);
    if (e)
        val_log("transaction of kind 0x%02x refused: %s", (unsigned)kind,
                ne.msg);
    return e;
}
