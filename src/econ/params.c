/* The governable parameters: declaration table, bounds, genesis parsing,
 * get/set through state (tag 0x03). */
#include "econ/params.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/amount.h"
#include "econ/econ.h"
#include "econ/sector.h"

#define TOK 1000000ull /* base units per token */

/* The economy's own parameters: id, JSON name, default, min, max, amount?,
 * doc. Ids are part of the state format: never renumber. Sector weights
 * (ids 4..7) and sector parameters come from the sectors' descriptors
 * (econ/sector.h), through econ_param_find. */
static const econ_param_def defs[] = {
    {P_EPOCH_BLOCKS, "epoch_blocks", 10, 1, 1000000, 0, "blocks per epoch"},
    {P_EMISSION_INITIAL, "emission_initial", 1000 * TOK, 0, 1000000000 * TOK, 1,
     "tokens emitted in epoch 0"},
    {P_HALVING_EPOCHS, "halving_epochs", 1000, 0, 1000000000, 0,
     "emission halves every N epochs (0: decay_bps)"},
    {P_DECAY_BPS, "decay_bps", 0, 0, 10000, 0,
     "per-epoch emission decay when halving_epochs is 0"},
    {P_FEE_PROVIDER_BPS, "fee_provider_bps", 0, 0, 10000, 0,
     "fee share: the provider serving the payment (stakers' pool for base fees)"},
    {P_FEE_BURN_BPS, "fee_burn_bps", 2000, 0, 10000, 0, "fee share: burned"},
    {P_FEE_TREASURY_BPS, "fee_treasury_bps", 5000, 0, 10000, 0,
     "fee share: treasury"},
    {P_FEE_STAKERS_BPS, "fee_stakers_bps", 3000, 0, 10000, 0,
     "fee share: stakers"},
    {P_MIN_PROVIDER_STAKE, "min_provider_stake", 100 * TOK, 1, 1000000000 * TOK,
     1, "minimum self stake of an active provider"},
    {P_MIN_DELEGATION, "min_delegation", 10 * TOK, 1, 1000000000 * TOK, 1,
     "minimum delegation"},
    {P_UNBONDING_EPOCHS, "unbonding_epochs", 2, 0, 10000, 0,
     "epochs before unbonded stake is released"},
    {P_SLASH_TO_TREASURY, "slash_to_treasury", 0, 0, 1, 0,
     "1: slashed stake to treasury; 0: burned"},
    {P_JAIL_AFTER_FAULTS, "jail_after_faults", 3, 1, 1000, 0,
     "faults that jail a provider"},
    {P_JAIL_EPOCHS, "jail_epochs", 5, 0, 1000000, 0,
     "epochs a jailed provider sits out"},
    {P_MAX_COMMISSION_BPS, "max_commission_bps", 5000, 0, 10000, 0,
     "highest commission a provider may set"},
    {P_GOV_DEPOSIT, "gov_deposit", 100 * TOK, 0, 1000000000 * TOK, 1,
     "deposit to open a proposal"},
    {P_GOV_VOTING_BLOCKS, "gov_voting_blocks", 50, 1, 10000000, 0,
     "length of a vote in blocks"},
    {P_GOV_QUORUM_BPS, "gov_quorum_bps", 3340, 0, 10000, 0,
     "share of bonded stake that must vote"},
    {P_GOV_THRESHOLD_BPS, "gov_threshold_bps", 5000, 1, 10000, 0,
     "share of yes among votes to pass"},
    {P_MAX_PRICE_CHANGE_BPS, "max_price_change_bps", 1000, 0, 10000, 0,
     "largest price-feed move per epoch"},
};

const econ_param_def *econ_param_own(unsigned id)
{
    for (size_t i = 0; i < sizeof defs / sizeof defs[0]; i++)
        if (defs[i].id == id)
            return &defs[i];
    return NULL;
}

const econ_param_def *econ_param_own_at(size_t i)
{
    return i < sizeof defs / sizeof defs[0] ? &defs[i] : NULL;
}

/* The u16 LE state key of parameter id. */
static void param_key(uint8_t k[2], unsigned id)
{
    k[0] = (uint8_t)id;
    k[1] = (uint8_t)(id >> 8);
}

static uint64_t le64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

cairn_err econ_param_read(MDB_txn *txn, const store *s, unsigned id,
                          uint64_t *v)
{
    uint8_t k[2];
    MDB_val val;
    if (id > 0xFFFF)
        return CAIRN_ERR_BAD_PARAM;
    param_key(k, id);
    cairn_err e = state_get(txn, s, STATE_PARAM, k, 2, &val);
    if (e == CAIRN_ERR_NOT_FOUND) { /* never written: the economy's default */
        const econ_param_def *d = econ_param_own(id);
        if (!d)
            return CAIRN_ERR_NOT_FOUND;
        *v = d->def;
        return CAIRN_OK;
    }
    if (e)
        return e;
    if (val.mv_size != 8)
        return CAIRN_ERR_DB;
    *v = le64(val.mv_data);
    return CAIRN_OK;
}

cairn_err econ_param_get(exec_ctx *x, unsigned id, uint64_t *v)
{
    cairn_err e = econ_param_read(x->w->txn, x->s, id, v);
    if (e != CAIRN_ERR_NOT_FOUND)
        return e;
    const econ_param_def *d = econ_param_find(econ_registry_of(x), id);
    if (!d)
        return CAIRN_ERR_BAD_PARAM;
    *v = d->def; /* a sector's parameter never written: its default */
    return CAIRN_OK;
}

cairn_err econ_param_set(exec_ctx *x, unsigned id, uint64_t v)
{
    uint8_t k[2], val[8];
    const econ_param_def *d = econ_param_find(econ_registry_of(x), id);
    if (!d || v < d->min || v > d->max)
        return CAIRN_ERR_BAD_PARAM;
    param_key(k, id);
    for (int i = 0; i < 8; i++)
        val[i] = (uint8_t)(v >> (8 * i));
    return state_put(x->w, x->s, STATE_PARAM, k, 2, val, 8);
}

cairn_err econ_params_load(exec_ctx *x, econ_params *out)
{
    for (unsigned i = 0; i < ECON_PARAM_COUNT; i++) {
        cairn_err e = econ_param_get(x, i, &out->v[i]);
        if (e == CAIRN_ERR_BAD_PARAM) /* a sector this chain does not run */
            out->v[i] = 0, e = CAIRN_OK;
        if (e)
            return e;
    }
    return CAIRN_OK;
}

cairn_err econ_oracle_get(exec_ctx *x, cairn_pubkey *pk)
{
    MDB_val v;
    cairn_err e = state_get(x->w->txn, x->s, STATE_ECON, "oracle", 6, &v);
    if (e)
        return e;
    if (v.mv_size != 32)
        return CAIRN_ERR_DB;
    memcpy(pk->b, v.mv_data, 32);
    return CAIRN_OK;
}

cairn_err econ_oracle_set(exec_ctx *x, const cairn_pubkey *pk)
{
    return state_put(x->w, x->s, STATE_ECON, "oracle", 6, pk->b, 32);
}

cairn_err econ_msg(cairn_err e, char *msg, size_t len, const char *fmt, ...)
{
    va_list ap;
    if (msg && len) {
        va_start(ap, fmt);
        vsnprintf(msg, len, fmt, ap);
        va_end(ap);
    }
    return e;
}

#define fail(msg, len, ...) econ_msg(CAIRN_ERR_GENESIS, msg, len, __VA_ARGS__)

/* Reads one JSON value into *out per its declaration, checking bounds. */
static cairn_err parse_one(const econ_param_def *d, json_t *v, uint64_t *out,
                           char *msg, size_t len)
{
    char lo[CAIRN_AMOUNT_TEXT_MAX], hi[CAIRN_AMOUNT_TEXT_MAX];
    if (d->amount) {
        if (!json_is_string(v) || cairn_amount_parse(out, json_string_value(v)))
            return fail(msg, len,
                        "economy: \"%s\" must be a token amount in a "
                        "string, e.g. \"1000.5\"",
                        d->name);
    } else {
        if (!json_is_integer(v) || json_integer_value(v) < 0)
            return fail(msg, len,
                        "economy: \"%s\" must be a non-negative integer",
                        d->name);
        *out = (uint64_t)json_integer_value(v);
    }
    if (*out >= d->min && *out <= d->max)
        return CAIRN_OK;
    if (!d->amount)
        return fail(msg, len, "economy: \"%s\" must be between %llu and %llu",
                    d->name, (unsigned long long)d->min,
                    (unsigned long long)d->max);
    cairn_amount_format(lo, d->min);
    cairn_amount_format(hi, d->max);
    return fail(msg, len, "economy: \"%s\" must be between %s and %s tokens",
                d->name, lo, hi);
}

/* Every parameter a registry declares, each with a value. */
#define PARAMS_MAX 512
typedef struct param_set {
    size_t n;
    const econ_param_def *d[PARAMS_MAX];
    uint64_t v[PARAMS_MAX];
} param_set;

static void set_add(param_set *ps, const econ_param_def *d)
{
    if (ps->n < PARAMS_MAX) { /* econ_registry_check bounds the count */
        ps->d[ps->n] = d;
        ps->v[ps->n++] = d->def;
    }
}

/* The economy's parameters, then each sector's weight and own ones, all
 * at their defaults. */
static void set_fill(param_set *ps, const econ_registry *reg)
{
    ps->n = 0;
    for (size_t i = 0; econ_param_own_at(i); i++)
        set_add(ps, econ_param_own_at(i));
    for (size_t i = 0; i < reg->n; i++) {
        set_add(ps, &reg->sectors[i]->weight);
        for (size_t j = 0; j < reg->sectors[i]->nparams; j++)
            set_add(ps, &reg->sectors[i]->params[j]);
    }
}

static uint64_t *set_val(param_set *ps, unsigned id)
{
    for (size_t i = 0; i < ps->n; i++)
        if (ps->d[i]->id == id)
            return &ps->v[i];
    return NULL;
}

/* Checks that the sector weights and the fee split each sum to 10000. */
static cairn_err check_sums(param_set *ps, const econ_registry *reg, char *msg,
                            size_t len)
{
    uint64_t w = 0, f = 0;
    char names[256] = "";
    size_t used = 0;
    for (size_t i = 0; i < reg->n; i++) {
        w += *set_val(ps, reg->sectors[i]->weight.id);
        int k = snprintf(names + used, sizeof names - used, "%s\"%s\"",
                         i ? " + " : "", reg->sectors[i]->weight.name);
        if (k > 0 && (size_t)k < sizeof names - used)
            used += (size_t)k;
    }
    for (unsigned id = P_FEE_PROVIDER_BPS; id <= P_FEE_STAKERS_BPS; id++)
        f += *set_val(ps, id);
    if (reg->n && w != CAIRN_BPS)
        return fail(msg, len,
                    "economy: %s must sum to 10000 (they sum to %llu)", names,
                    (unsigned long long)w);
    if (f != CAIRN_BPS)
        return fail(msg, len,
                    "economy: \"fee_provider_bps\" + \"fee_burn_bps\" + "
                    "\"fee_treasury_bps\" + \"fee_stakers_bps\" must sum to "
                    "10000 (they sum to %llu)",
                    (unsigned long long)f);
    return CAIRN_OK;
}

/* Walks the object's fields: a known parameter, "price_oracle", a sector's
 * own section (checked by its genesis hook), or an error. */
static cairn_err parse_fields(json_t *root, const econ_registry *reg,
                              param_set *ps, cairn_pubkey *oracle,
                              int *has_oracle, char *msg, size_t len)
{
    const char *k;
    json_t *v;
    json_object_foreach(root, k, v)
    {
        const econ_param_def *d = econ_param_find_name(reg, k);
        const econ_sector *sec = econ_sector_by_name(reg, k);
        cairn_err e;
        if (d) {
            if ((e = parse_one(d, v, set_val(ps, d->id), msg, len)))
                return e;
        } else if (strcmp(k, "price_oracle") == 0) {
            if (!json_is_string(v) ||
                cairn_addr_parse(oracle, json_string_value(v)))
                return fail(
                    msg, len,
                    "economy: \"price_oracle\" must be a cairn address");
            *has_oracle = 1;
        } else if (!sec || !sec->genesis) {
            return fail(msg, len, "economy: unknown field \"%s\"", k);
        }
    }
    return CAIRN_OK;
}

/* Parses and checks an "economy" object (NULL: defaults) into ps; *root
 * receives the parsed object (NULL when json is NULL; caller decrefs). */
static cairn_err params_parse(const econ_registry *reg, const char *json,
                              param_set *ps, json_t **root,
                              cairn_pubkey *oracle, int *has_oracle, char *msg,
                              size_t len)
{
    json_error_t jerr;
    set_fill(ps, reg);
    *has_oracle = 0;
    *root = NULL;
    if (!json)
        return check_sums(ps, reg, msg, len);
    *root = json_loads(json, JSON_REJECT_DUPLICATES, &jerr);
    if (!*root)
        return fail(msg, len, "economy: not valid JSON: %s", jerr.text);
    cairn_err e =
        json_is_object(*root)
            ? parse_fields(*root, reg, ps, oracle, has_oracle, msg, len)
            : fail(msg, len, "\"economy\" must be an object");
    return e ? e : check_sums(ps, reg, msg, len);
}

cairn_err econ_params_check(const econ_registry *reg, const char *json,
                            char *msg, size_t len)
{
    param_set *ps = malloc(sizeof *ps);
    json_t *root;
    cairn_pubkey o;
    int has;
    if (!ps)
        return CAIRN_ERR_NOMEM;
    cairn_err e = params_parse(reg, json, ps, &root, &o, &has, msg, len);
    json_decref(root);
    free(ps);
    return e;
}

/* Hands each sector with a genesis hook its section of root (or NULL). */
static cairn_err sector_sections(exec_ctx *x, const econ_registry *reg,
                                 json_t *root, char *msg, size_t len)
{
    cairn_err e = CAIRN_OK;
    for (size_t i = 0; !e && i < reg->n; i++) {
        const econ_sector *sec = reg->sectors[i];
        json_t *v = root ? json_object_get(root, sec->name) : NULL;
        char *text = v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
        if (v && !text)
            return CAIRN_ERR_NOMEM;
        if (sec->genesis)
            e = sec->genesis(x, text, msg, len);
        free(text);
    }
    return e;
}

/* Writes every parameter (and the oracle key) to state at genesis, then
 * runs the sectors' genesis hooks. */
cairn_err econ_params_genesis(exec_ctx *x, const char *json, char *msg,
                              size_t len)
{
    const econ_registry *reg = econ_registry_of(x);
    param_set *ps = malloc(sizeof *ps);
    json_t *root = NULL;
    cairn_pubkey o;
    int has;
    if (!ps)
        return CAIRN_ERR_NOMEM;
    cairn_err e = params_parse(reg, json, ps, &root, &o, &has, msg, len);
    for (size_t i = 0; !e && i < ps->n; i++)
        e = econ_param_set(x, ps->d[i]->id, ps->v[i]);
    if (!e && has)
        e = econ_oracle_set(x, &o);
    if (!e)
        e = sector_sections(x, reg, root, msg, len);
    json_decref(root);
    free(ps);
    return e;
}
