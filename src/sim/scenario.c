/* The simulator's scenario file: a JSON object whose every key is named in
 * a table below with its default and range (docs/simulator.md lists the
 * same). Unknown keys, wrong types and values out of range are refused
 * with the key's path and the bound. */
#include "sim/scenario.h"

#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/amount.h"

#define TOK CAIRN_UNITS_PER_TOKEN

typedef enum fkind { F_U64, F_USD, F_TOKENS } fkind;

/* One numeric key of a section: where it goes and its bounds. */
typedef struct field {
    const char *name;
    fkind kind;
    size_t off;
    double min, max; /* F_U64 / F_TOKENS: integers (tokens for F_TOKENS) */
} field;

#define U(s, m, lo, hi)                                                        \
    {                                                                          \
#m, F_U64, offsetof(s, m), lo, hi                                      \
    }

static const field prov_fields[] = {
    U(sim_providers, initial, 0, 100000),
    U(sim_providers, max, 1, 100000),
    U(sim_providers, cpus, 1, 1024),
    {"cost_usd_per_cpu_epoch", F_USD, offsetof(sim_providers, cost_usd), 0,
     1e6},
    {"stake", F_TOKENS, offsetof(sim_providers, stake), 0.000001, 1e9},
    U(sim_providers, hurdle_bps, 0, 100000),
    U(sim_providers, leave_after, 1, 1000),
    U(sim_providers, join_bps, 0, 100000),
    U(sim_providers, bids_per_order, 1, 20),
    {NULL, F_U64, 0, 0, 0}};

static const field user_fields[] = {U(sim_users, initial, 0, 1000000),
                                    U(sim_users, max, 1, 1000000),
                                    U(sim_users, growth_bps, 0, 10000),
                                    U(sim_users, cpus, 1, 1024),
                                    {"budget_usd_per_cpu_epoch", F_USD,
                                     offsetof(sim_users, budget_usd), 1e-6,
                                     1e6},
                                    U(sim_users, elasticity_bps, 0, 100000),
                                    U(sim_users, prepay_epochs, 1, 1000),
                                    {NULL, F_U64, 0, 0, 0}};

static const field market_fields[] = {
    {"price_usd", F_USD, offsetof(sim_market, price_usd), 1e-6, 1e6},
    {"min_price_usd", F_USD, offsetof(sim_market, min_price_usd), 1e-9, 1e6},
    U(sim_market, k_bps, 0, 1000000),
    U(sim_market, max_move_bps, 0, 10000),
    {"credit_usd", F_USD, offsetof(sim_market, credit_usd), 1e-9, 1e3},
    {"credits_usd_per_epoch", F_USD, offsetof(sim_market, credits_usd), 0, 1e9},
    {"float_tokens", F_TOKENS, offsetof(sim_market, float_tokens), 1, 5e8},
    {NULL, F_U64, 0, 0, 0}};

static cairn_err fail(char *msg, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static cairn_err fail(char *msg, size_t len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, len, fmt, ap);
    va_end(ap);
    return CAIRN_ERR_BAD_ARG;
}

void esim_scenario_defaults(esim_scenario *s)
{
    memset(s, 0, sizeof *s);
    snprintf(s->name, sizeof s->name, "unnamed");
    s->seed = 1;
    s->epoch_blocks = 5;
    s->block_interval_ms = 600000;
    s->genesis_time_ms = 1767225600000ull; /* 2026-01-01 */
    s->prov = (sim_providers){.initial = 20,
                              .max = 100,
                              .cpus = 16,
                              .cost_usd = 0.02,
                              .stake = 1000 * TOK,
                              .hurdle_bps = 1000,
                              .leave_after = 3,
                              .join_bps = 1000,
                              .bids_per_order = 3};
    s->users = (sim_users){.initial = 200,
                           .max = 1000,
                           .growth_bps = 200,
                           .cpus = 2,
                           .budget_usd = 0.05,
                           .elasticity_bps = 10000,
                           .prepay_epochs = 4};
    s->market = (sim_market){.price_usd = 1.0,
                             .min_price_usd = 0.0001,
                             .k_bps = 10000,
                             .max_move_bps = 1000,
                             .credit_usd = 0.001,
                             .credits_usd = 0,
                             .float_tokens = 100000000 * TOK};
}

void esim_scenario_free(esim_scenario *s)
{
    free(s->economy);
    s->economy = NULL;
}

/* An integer JSON value within [min, max] into *out. */
static cairn_err get_u64(const char *path, json_t *v, double min, double max,
                         uint64_t *out, char *msg, size_t len)
{
    if (!json_is_integer(v))
        return fail(msg, len, "scenario %s: must be an integer (%.0f..%.0f)",
                    path, min, max);
    json_int_t i = json_integer_value(v);
    if ((double)i < min)
        return fail(msg, len, "scenario %s: %lld is below %.0f", path,
                    (long long)i, min);
    if ((double)i > max)
        return fail(msg, len, "scenario %s: %lld is above %.0f", path,
                    (long long)i, max);
    *out = (uint64_t)i;
    return CAIRN_OK;
}

static cairn_err get_field(const char *path, const field *f, json_t *v,
                           void *base, char *msg, size_t len)
{
    char *p = (char *)base + f->off;
    if (f->kind == F_U64)
        return get_u64(path, v, f->min, f->max, (uint64_t *)(void *)p, msg,
                       len);
    if (f->kind == F_USD) {
        if (!json_is_number(v))
            return fail(msg, len, "scenario %s: must be a number (%g..%g)",
                        path, f->min, f->max);
        double d = json_number_value(v);
        if (!isfinite(d) || d < f->min)
            return fail(msg, len, "scenario %s: %g is below %g", path, d,
                        f->min);
        if (d > f->max)
            return fail(msg, len, "scenario %s: %g is above %g", path, d,
                        f->max);
        memcpy(p, &d, sizeof d);
        return CAIRN_OK;
    }
    /* tokens: a string amount ("1000", "0.5") */
    uint64_t u;
    if (!json_is_string(v) || cairn_amount_parse(&u, json_string_value(v)))
        return fail(msg, len,
                    "scenario %s: must be a token amount as a string, e.g. "
                    "\"1000\" or \"0.5\"",
                    path);
    double tokens = (double)u / (double)TOK;
    if (tokens < f->min)
        return fail(msg, len, "scenario %s: %s is below %g", path,
                    json_string_value(v), f->min);
    if (tokens > f->max)
        return fail(msg, len, "scenario %s: %s is above %g", path,
                    json_string_value(v), f->max);
    memcpy(p, &u, sizeof u);
    return CAIRN_OK;
}

/* Parses one section object against its table. */
static cairn_err section(const char *name, json_t *obj, const field *tab,
                         void *base, char *msg, size_t len)
{
    const char *k;
    json_t *v;
    char path[96];
    if (!json_is_object(obj))
        return fail(msg, len, "scenario %s: must be an object", name);
    json_object_foreach(obj, k, v)
    {
        const field *f = tab;
        while (f->name && strcmp(f->name, k) != 0)
            f++;
        snprintf(path, sizeof path, "%s.%s", name, k);
        if (!f->name) {
            char known[512];
            size_t o = 0;
            for (f = tab; f->name && o < sizeof known; f++)
                o += (size_t)snprintf(known + o, sizeof known - o, "%s%s",
                                      f == tab ? "" : ", ", f->name);
            return fail(msg, len, "scenario %s: unknown key (known: %s)", path,
                        known);
        }
        cairn_err e = get_field(path, f, v, base, msg, len);
        if (e)
            return e;
    }
    return CAIRN_OK;
}

static cairn_err shock_type(const char *path, json_t *v, sim_shock *sh,
                            char *msg, size_t len)
{
    const char *t = json_string_value(v);
    if (t && strcmp(t, "exodus") == 0)
        sh->type = SIM_SHOCK_EXODUS;
    else if (t && strcmp(t, "demand") == 0)
        sh->type = SIM_SHOCK_DEMAND;
    else if (t && strcmp(t, "param") == 0)
        sh->type = SIM_SHOCK_PARAM;
    else
        return fail(msg, len,
                    "scenario %s: must be \"exodus\", \"demand\" or "
                    "\"param\"",
                    path);
    return CAIRN_OK;
}

/* One shock object: {"epoch", "type", and the type's keys}. */
static cairn_err shock(json_t *o, size_t i, sim_shock *sh, char *msg,
                       size_t len)
{
    char path[96];
    const char *k;
    json_t *v;
    cairn_err e;
    snprintf(path, sizeof path, "shocks[%zu]", i);
    if (!json_is_object(o))
        return fail(msg, len, "scenario %s: must be an object", path);
    memset(sh, 0, sizeof *sh);
    sh->yes_bps = 10000;
    sh->factor_bps = 10000;
    json_t *t = json_object_get(o, "type");
    snprintf(path, sizeof path, "shocks[%zu].type", i);
    if ((e = shock_type(path, t, sh, msg, len)))
        return e;
    if (!json_object_get(o, "epoch"))
        return fail(msg, len, "scenario shocks[%zu].epoch: missing", i);
    int have_param = 0, have_value = 0;
    json_object_foreach(o, k, v)
    {
        snprintf(path, sizeof path, "shocks[%zu].%s", i, k);
        if (strcmp(k, "type") == 0)
            continue;
        if (strcmp(k, "epoch") == 0)
            e = get_u64(path, v, 0, 1e9, &sh->epoch, msg, len);
        else if (strcmp(k, "fraction_bps") == 0 && sh->type == SIM_SHOCK_EXODUS)
            e = get_u64(path, v, 0, 10000, &sh->fraction_bps, msg, len);
        else if (strcmp(k, "factor_bps") == 0 && sh->type == SIM_SHOCK_DEMAND)
            e = get_u64(path, v, 0, 1000000, &sh->factor_bps, msg, len);
        else if (strcmp(k, "yes_bps") == 0 && sh->type == SIM_SHOCK_PARAM)
            e = get_u64(path, v, 0, 10000, &sh->yes_bps, msg, len);
        else if (strcmp(k, "value") == 0 && sh->type == SIM_SHOCK_PARAM) {
            e = get_u64(path, v, 0, 9007199254740991.0, &sh->value, msg, len);
            have_value = 1;
        } else if (strcmp(k, "param") == 0 && sh->type == SIM_SHOCK_PARAM) {
            const char *p = json_string_value(v);
            if (!p || !*p || strlen(p) > SIM_PARAM_MAX)
                return fail(msg, len,
                            "scenario %s: must be a parameter's JSON name "
                            "(docs/tokenomics.md), 1..%d characters",
                            path, SIM_PARAM_MAX);
            snprintf(sh->param, sizeof sh->param, "%s", p);
            have_param = 1;
            e = CAIRN_OK;
        } else
            return fail(msg, len,
                        "scenario %s: unknown key for a \"%s\" shock (exodus: "
                        "epoch, fraction_bps; demand: epoch, factor_bps; "
                        "param: epoch, param, value, yes_bps)",
                        path, json_string_value(t));
        if (e)
            return e;
    }
    if (sh->type == SIM_SHOCK_PARAM && (!have_param || !have_value))
        return fail(msg, len,
                    "scenario shocks[%zu]: a \"param\" shock needs \"param\" "
                    "and \"value\" (base units for token amounts)",
                    i);
    return CAIRN_OK;
}

static cairn_err shocks(esim_scenario *s, json_t *a, char *msg, size_t len)
{
    if (!json_is_array(a))
        return fail(msg, len, "scenario shocks: must be an array");
    if (json_array_size(a) > SIM_SHOCKS_MAX)
        return fail(msg, len, "scenario shocks: %zu shocks is above %d",
                    json_array_size(a), SIM_SHOCKS_MAX);
    for (size_t i = 0; i < json_array_size(a); i++) {
        cairn_err e = shock(json_array_get(a, i), i, &s->shocks[i], msg, len);
        if (e)
            return e;
        s->nshocks = i + 1;
    }
    return CAIRN_OK;
}

/* "genesis": economy parameters by their JSON names, passed to the chain
 * as they are (the chain checks them); two keys are the scenario's own. */
static cairn_err genesis(esim_scenario *s, json_t *g, char *msg, size_t len)
{
    if (!json_is_object(g))
        return fail(msg, len,
                    "scenario genesis: must be an object of economy "
                    "parameters (docs/tokenomics.md)");
    if (json_object_get(g, "epoch_blocks"))
        return fail(msg, len,
                    "scenario genesis.epoch_blocks: set the top-level "
                    "\"epoch_blocks\" instead");
    if (json_object_get(g, "price_oracle"))
        return fail(msg, len,
                    "scenario genesis.price_oracle: the simulator's oracle "
                    "key posts the price; leave it out");
    s->economy = json_dumps(g, JSON_COMPACT | JSON_SORT_KEYS);
    return s->economy ? CAIRN_OK
                      : fail(msg, len, "scenario genesis: out of memory");
}

static cairn_err top(esim_scenario *s, json_t *root, char *msg, size_t len)
{
    const char *k;
    json_t *v;
    cairn_err e = CAIRN_OK;
    if (!json_is_object(root))
        return fail(msg, len, "scenario: must be a JSON object");
    json_object_foreach(root, k, v)
    {
        if (strcmp(k, "name") == 0) {
            const char *n = json_string_value(v);
            if (!n || !*n || strlen(n) > SIM_NAME_MAX)
                return fail(msg, len,
                            "scenario name: must be a string of 1..%d "
                            "characters",
                            SIM_NAME_MAX);
            snprintf(s->name, sizeof s->name, "%s", n);
        } else if (strcmp(k, "description") == 0) {
            if (!json_is_string(v))
                return fail(msg, len,
                            "scenario description: must be a "
                            "string");
        } else if (strcmp(k, "seed") == 0)
            e = get_u64("seed", v, 0, 9007199254740991.0, &s->seed, msg, len);
        else if (strcmp(k, "epoch_blocks") == 0)
            e = get_u64("epoch_blocks", v, 5, 100000, &s->epoch_blocks, msg,
                        len);
        else if (strcmp(k, "block_interval_ms") == 0)
            e = get_u64("block_interval_ms", v, 10, 600000,
                        &s->block_interval_ms, msg, len);
        else if (strcmp(k, "genesis_time_ms") == 0)
            e = get_u64("genesis_time_ms", v, 0, 4102444800000.0,
                        &s->genesis_time_ms, msg, len);
        else if (strcmp(k, "genesis") == 0)
            e = genesis(s, v, msg, len);
        else if (strcmp(k, "providers") == 0)
            e = section("providers", v, prov_fields, &s->prov, msg, len);
        else if (strcmp(k, "users") == 0)
            e = section("users", v, user_fields, &s->users, msg, len);
        else if (strcmp(k, "market") == 0)
            e = section("market", v, market_fields, &s->market, msg, len);
        else if (strcmp(k, "shocks") == 0)
            e = shocks(s, v, msg, len);
        else
            return fail(msg, len,
                        "scenario %s: unknown key (known: name, description, "
                        "seed, epoch_blocks, block_interval_ms, "
                        "genesis_time_ms, genesis, providers, users, market, "
                        "shocks)",
                        k);
        if (e)
            return e;
    }
    return CAIRN_OK;
}

/* Relations between keys, checked after all of them are read. */
static cairn_err relations(const esim_scenario *s, char *msg, size_t len)
{
    if (s->prov.initial > s->prov.max)
        return fail(msg, len,
                    "scenario providers.initial: %llu is above providers.max "
                    "(%llu)",
                    (unsigned long long)s->prov.initial,
                    (unsigned long long)s->prov.max);
    if (s->users.initial > s->users.max)
        return fail(msg, len,
                    "scenario users.initial: %llu is above users.max (%llu)",
                    (unsigned long long)s->users.initial,
                    (unsigned long long)s->users.max);
    if (s->market.min_price_usd > s->market.price_usd)
        return fail(msg, len,
                    "scenario market.min_price_usd: %g is above "
                    "market.price_usd (%g)",
                    s->market.min_price_usd, s->market.price_usd);
    return CAIRN_OK;
}

cairn_err esim_scenario_parse(esim_scenario *s, const char *json, char *msg,
                              size_t len)
{
    json_error_t jerr;
    esim_scenario_defaults(s);
    json_t *root = json_loads(json, JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        return fail(msg, len, "scenario: not valid JSON at line %d: %s",
                    jerr.line, jerr.text);
    cairn_err e = top(s, root, msg, len);
    json_decref(root);
    return e ? e : relations(s, msg, len);
}

cairn_err esim_scenario_load(esim_scenario *s, const char *path, char *msg,
                             size_t len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        esim_scenario_defaults(s);
        snprintf(msg, len, "scenario %s: cannot be read", path);
        return CAIRN_ERR_IO;
    }
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        size_t r = fread(buf + n, 1, cap - n - 1, f);
        n += r;
        if (r == 0)
            break;
        if (n + 1 == cap) {
            char *nb = cap < (1u << 24) ? realloc(buf, cap * 2) : NULL;
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
    }
    fclose(f);
    if (!buf) {
        esim_scenario_defaults(s);
        snprintf(msg, len, "scenario %s: too large (16 MiB at most)", path);
        return CAIRN_ERR_BAD_ARG;
    }
    buf[n] = 0;
    cairn_err e = esim_scenario_parse(s, buf, msg, len);
    free(buf);
    return e;
}
