/* Genesis file: JSON in, validated parameters and allocations out. */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/amount.h"
#include "cairn/chain.h"

/* Formats an error message naming the field, returns GENESIS. */
static cairn_err fail(char *msg, size_t len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (msg && len)
        vsnprintf(msg, len, fmt, ap);
    va_end(ap);
    return CAIRN_ERR_GENESIS;
}

static const char *const top_keys[] = {
    "chain_id",          "token",         "supply_cap", "genesis_time_ms",
    "block_interval_ms", "max_block_txs", "min_fee",    "sequencer",
    "sequencers",        "allocations",   "economy",    NULL};

static cairn_err check_keys(json_t *o, const char *const *allowed,
                            const char *where, char *msg, size_t len)
{
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v)
    {
        int ok = 0;
        for (const char *const *a = allowed; *a; a++)
            ok |= strcmp(*a, k) == 0;
        if (!ok)
            return fail(msg, len, "%s: unknown field \"%s\"", where, k);
    }
    return CAIRN_OK;
}

static cairn_err get_str(json_t *o, const char *k, char *out, size_t max,
                         char *msg, size_t len)
{
    json_t *v = json_object_get(o, k);
    if (!json_is_string(v))
        return fail(msg, len, "\"%s\" must be a string", k);
    if (json_string_length(v) == 0 || json_string_length(v) > max)
        return fail(msg, len, "\"%s\" must be 1..%zu characters", k, max);
    memcpy(out, json_string_value(v), json_string_length(v) + 1);
    return CAIRN_OK;
}

/* Reads o's field k, a token amount; `where` names o in the message
 * ("allocations[2]"), NULL at the top level. */
static cairn_err get_amount(json_t *o, const char *where, const char *k,
                            uint64_t *out, char *msg, size_t len)
{
    json_t *v = json_object_get(o, k);
    if (json_is_string(v) && !cairn_amount_parse(out, json_string_value(v)))
        return CAIRN_OK;
    char got[48] = "", name[160];
    if (json_is_string(v))
        snprintf(got, sizeof got, " (not \"%.24s\")", json_string_value(v));
    if (where)
        snprintf(name, sizeof name, "%s.%s", where, k);
    else
        snprintf(name, sizeof name, "\"%s\"", k);
    return fail(msg, len,
                "%s must be a non-negative token amount in a string, e.g. "
                "\"1000.5\"%s",
                name, got);
}

static cairn_err get_uint(json_t *o, const char *k, uint64_t lo, uint64_t hi,
                          uint64_t *out, char *msg, size_t len)
{
    json_t *v = json_object_get(o, k);
    if (!json_is_integer(v) || json_integer_value(v) < 0 ||
        (uint64_t)json_integer_value(v) < lo ||
        (uint64_t)json_integer_value(v) > hi)
        return fail(msg, len, "\"%s\" must be an integer in %llu..%llu", k,
                    (unsigned long long)lo, (unsigned long long)hi);
    *out = (uint64_t)json_integer_value(v);
    return CAIRN_OK;
}

static cairn_err parse_vesting(json_t *v, cairn_alloc *a, size_t i, char *msg,
                               size_t len)
{
    static const char *const keys[] = {"amount", "cliff_height", "end_height",
                                       NULL};
    char where[64];
    snprintf(where, sizeof where, "allocations[%zu].vesting", i);
    if (!json_is_object(v))
        return fail(msg, len, "%s must be an object", where);
    cairn_err e = check_keys(v, keys, where, msg, len);
    if (e || (e = get_amount(v, where, "amount", &a->vest_amount, msg, len)) ||
        (e = get_uint(v, "cliff_height", 0, UINT64_MAX >> 1, &a->vest_cliff,
                      msg, len)) ||
        (e = get_uint(v, "end_height", 1, UINT64_MAX >> 1, &a->vest_end, msg,
                      len)))
        return e;
    if (a->vest_amount > a->amount)
        return fail(msg, len, "%s.amount exceeds the allocation", where);
    if (a->vest_cliff > a->vest_end)
        return fail(msg, len, "%s: cliff_height is after end_height", where);
    return CAIRN_OK;
}

static cairn_err parse_alloc(json_t *v, cairn_alloc *a, size_t i, char *msg,
                             size_t len)
{
    static const char *const keys[] = {"address", "amount", "vesting", "label",
                                       NULL};
    char where[96];
    const char *label = json_string_value(json_object_get(v, "label"));
    if (label)
        snprintf(where, sizeof where, "allocations[%zu] (\"%.40s\")", i, label);
    else
        snprintf(where, sizeof where, "allocations[%zu]", i);
    memset(a, 0, sizeof *a);
    if (!json_is_object(v))
        return fail(msg, len, "%s must be an object", where);
    cairn_err e = check_keys(v, keys, where, msg, len);
    if (e)
        return e;
    json_t *addr = json_object_get(v, "address");
    if (!json_is_string(addr) ||
        cairn_addr_parse(&a->addr, json_string_value(addr)))
        return fail(msg, len, "%s.address is not a valid cairn address", where);
    if ((e = get_amount(v, where, "amount", &a->amount, msg, len)))
        return e;
    if (a->amount == 0)
        return fail(msg, len, "%s.amount must be positive", where);
    json_t *vest = json_object_get(v, "vesting");
    return vest ? parse_vesting(vest, a, i, msg, len) : CAIRN_OK;
}

static cairn_err parse_allocs(json_t *root, cairn_genesis *g, char *msg,
                              size_t len)
{
    json_t *arr = json_object_get(root, "allocations");
    uint64_t sum = 0;
    if (!json_is_array(arr) || json_array_size(arr) == 0 ||
        json_array_size(arr) > 1000000)
        return fail(msg, len, "\"allocations\" must be a non-empty array");
    g->nallocs = json_array_size(arr);
    g->allocs = calloc(g->nallocs, sizeof *g->allocs);
    if (!g->allocs)
        return CAIRN_ERR_NOMEM;
    for (size_t i = 0; i < g->nallocs; i++) {
        cairn_err e =
            parse_alloc(json_array_get(arr, i), &g->allocs[i], i, msg, len);
        if (e)
            return e;
        for (size_t j = 0; j < i; j++)
            if (!memcmp(g->allocs[j].addr.b, g->allocs[i].addr.b, 32))
                return fail(
                    msg, len,
                    "allocations[%zu] repeats the address of allocations[%zu]",
                    i, j);
        if (cairn_add(&sum, sum, g->allocs[i].amount) ||
            sum > g->params.supply_cap)
            return fail(msg, len, "allocations add up to more than supply_cap");
    }
    return CAIRN_OK;
}

/* One member of "sequencers": {"address": ..., "stake": "..."}. */
static cairn_err parse_member(json_t *v, cairn_params *p, size_t i, char *msg,
                              size_t len)
{
    static const char *const keys[] = {"address", "stake", NULL};
    char where[48];
    snprintf(where, sizeof where, "sequencers[%zu]", i);
    if (!json_is_object(v))
        return fail(msg, len, "%s must be an object", where);
    cairn_err e = check_keys(v, keys, where, msg, len);
    json_t *addr = json_object_get(v, "address");
    if (e)
        return e;
    if (!json_is_string(addr) ||
        cairn_addr_parse(&p->sequencers[i], json_string_value(addr)))
        return fail(msg, len, "%s.address is not a valid cairn address", where);
    if (json_object_get(v, "stake") &&
        (e = get_amount(v, where, "stake", &p->sequencer_stake[i], msg, len)))
        return e;
    for (size_t j = 0; j < i; j++)
        if (!memcmp(p->sequencers[j].b, p->sequencers[i].b, 32))
            return fail(msg, len, "%s repeats sequencers[%zu]", where, j);
    return CAIRN_OK;
}

/* "sequencer" (one key) or "sequencers" (the set), exactly one of them. */
static cairn_err parse_sequencers(json_t *root, cairn_params *p, char *msg,
                                  size_t len)
{
    json_t *seq = json_object_get(root, "sequencer");
    json_t *set = json_object_get(root, "sequencers");
    if (seq && set)
        return fail(msg, len, "give \"sequencer\" or \"sequencers\", not both");
    if (!set) {
        if (!json_is_string(seq) ||
            cairn_addr_parse(&p->sequencer, json_string_value(seq)))
            return fail(msg, len, "\"sequencer\" must be a cairn address");
        p->n_sequencers = 1;
        p->sequencers[0] = p->sequencer;
        return CAIRN_OK;
    }
    if (!json_is_array(set) || json_array_size(set) == 0 ||
        json_array_size(set) > CAIRN_SEQUENCERS_MAX)
        return fail(msg, len,
                    "\"sequencers\" must be an array of 1..%d members",
                    CAIRN_SEQUENCERS_MAX);
    p->n_sequencers = (uint32_t)json_array_size(set);
    for (size_t i = 0; i < p->n_sequencers; i++) {
        cairn_err e = parse_member(json_array_get(set, i), p, i, msg, len);
        if (e)
            return e;
    }
    p->sequencer = p->sequencers[0];
    return CAIRN_OK;
}

/* Each member's stake comes out of its own allocation. */
static cairn_err check_stakes(const cairn_genesis *g, char *msg, size_t len)
{
    const cairn_params *p = &g->params;
    for (uint32_t i = 0; i < p->n_sequencers; i++) {
        uint64_t have = 0;
        for (size_t j = 0; j < g->nallocs; j++)
            if (!memcmp(g->allocs[j].addr.b, p->sequencers[i].b, 32))
                have = g->allocs[j].amount - g->allocs[j].vest_amount;
        if (p->sequencer_stake[i] > have)
            return fail(msg, len,
                        "sequencers[%u].stake is more than the unvested "
                        "allocation of its address",
                        i);
    }
    return CAIRN_OK;
}

int cairn_params_sequencer_index(const cairn_params *p, const cairn_pubkey *pk)
{
    if (p->n_sequencers == 0) /* params built in code: the one sequencer */
        return memcmp(p->sequencer.b, pk->b, 32) ? -1 : 0;
    for (uint32_t i = 0; i < p->n_sequencers && i < CAIRN_SEQUENCERS_MAX; i++)
        if (!memcmp(p->sequencers[i].b, pk->b, 32))
            return (int)i;
    return -1;
}

static cairn_err parse_params(json_t *root, cairn_params *p, char *msg,
                              size_t len)
{
    uint64_t v;
    json_t *tok = json_object_get(root, "token");
    static const char *const tok_keys[] = {"name", "symbol", NULL};
    cairn_err e =
        get_str(root, "chain_id", p->chain_id, CAIRN_CHAIN_ID_MAX, msg, len);
    if (e)
        return e;
    for (const char *c = p->chain_id; *c; c++)
        if (*c < 0x21 || *c > 0x7e)
            return fail(msg, len,
                        "\"chain_id\" must be printable ASCII without spaces");
    if (!json_is_object(tok))
        return fail(msg, len,
                    "\"token\" must be an object with name and symbol");
    if ((e = check_keys(tok, tok_keys, "token", msg, len)) ||
        (e = get_str(tok, "name", p->token_name, CAIRN_TOKEN_NAME_MAX, msg,
                     len)) ||
        (e = get_str(tok, "symbol", p->token_symbol, CAIRN_TOKEN_SYMBOL_MAX,
                     msg, len)) ||
        (e = get_amount(root, NULL, "supply_cap", &p->supply_cap, msg, len)) ||
        (e = get_amount(root, NULL, "min_fee", &p->min_fee, msg, len)) ||
        (e = get_uint(root, "genesis_time_ms", 0, UINT64_MAX >> 1,
                      &p->genesis_time_ms, msg, len)) ||
        (e = get_uint(root, "block_interval_ms", 10, 600000, &v, msg, len)))
        return e;
    p->block_interval_ms = (uint32_t)v;
    if ((e = get_uint(root, "max_block_txs", 1, CAIRN_BLOCK_MAX_TXS, &v, msg,
                      len)))
        return e;
    p->max_block_txs = (uint32_t)v;
    if ((e = parse_sequencers(root, p, msg, len)))
        return e;
    if (p->supply_cap == 0)
        return fail(msg, len, "\"supply_cap\" must be positive");
    return CAIRN_OK;
}

cairn_err cairn_genesis_parse(cairn_genesis *g, const char *json, char *msg,
                              size_t len)
{
    json_error_t jerr;
    memset(g, 0, sizeof *g);
    json_t *root = json_loads(json, JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        return fail(msg, len, "not valid JSON: %s (line %d)", jerr.text,
                    jerr.line);
    cairn_err e = CAIRN_OK;
    if (!json_is_object(root))
        e = fail(msg, len, "the genesis file must hold a JSON object");
    if (!e)
        e = check_keys(root, top_keys, "genesis", msg, len);
    if (!e)
        e = parse_params(root, &g->params, msg, len);
    if (!e)
        e = parse_allocs(root, g, msg, len);
    if (!e)
        e = check_stakes(g, msg, len);
    json_t *econ = json_object_get(root, "economy");
    if (!e && econ && !json_is_object(econ))
        e = fail(msg, len, "\"economy\" must be an object");
    if (!e && econ &&
        !(g->economy_json = json_dumps(econ, JSON_COMPACT | JSON_SORT_KEYS)))
        e = CAIRN_ERR_NOMEM;
    json_decref(root);
    if (e)
        cairn_genesis_free(g);
    return e;
}

cairn_err cairn_genesis_load(cairn_genesis *g, const char *path, char *msg,
                             size_t len)
{
    FILE *f = fopen(path, "rb");
    memset(g, 0, sizeof *g);
    if (!f)
        return fail(msg, len, "cannot open %s", path);
    char *buf = malloc(64u << 20);
    size_t n = buf ? fread(buf, 1, (64u << 20) - 1, f) : 0;
    int big = !feof(f);
    fclose(f);
    if (!buf)
        return CAIRN_ERR_NOMEM;
    buf[n] = '\0';
    cairn_err e = big ? fail(msg, len, "%s is larger than 64 MiB", path)
                      : cairn_genesis_parse(g, buf, msg, len);
    free(buf);
    return e;
}

void cairn_genesis_free(cairn_genesis *g)
{
    free(g->allocs);
    free(g->economy_json);
    g->allocs = NULL;
    g->economy_json = NULL;
    g->nallocs = 0;
}
