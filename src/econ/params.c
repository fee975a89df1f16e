/* The governable parameters: declaration table, bounds, genesis parsing,
 * get/set through state (tag 0x03). */
#include "econ/params.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cairn/amount.h"
#include "econ/econ.h"

#define TOK 1000000ull /* base units per token */

/* The table: id, JSON name, default, min, max, amount?, doc. Ids are the
 * index and are part of the state format: never renumber, append only. */
static const econ_param_def defs[ECON_PARAM_COUNT] = {
    {P_EPOCH_BLOCKS, "epoch_blocks", 10, 1, 1000000, 0, "blocks per epoch"},
    {P_EMISSION_INITIAL, "emission_initial", 1000 * TOK, 0, 1000000000 * TOK, 1,
     "tokens emitted in epoch 0"},
    {P_HALVING_EPOCHS, "halving_epochs", 1000, 0, 1000000000, 0,
     "emission halves every N epochs (0: decay_bps)"},
    {P_DECAY_BPS, "decay_bps", 0, 0, 10000, 0,
     "per-epoch emission decay when halving_epochs is 0"},
    {P_WEIGHT_STORAGE, "weight_storage", 2500, 0, 10000, 0, "storage sector weight"},
    {P_WEIGHT_COMPUTE, "weight_compute", 2500, 0, 10000, 0, "compute sector weight"},
    {P_WEIGHT_WIRELESS, "weight_wireless", 2500, 0, 10000, 0, "wireless sector weight"},
    {P_WEIGHT_SENSOR, "weight_sensor", 2500, 0, 10000, 0, "sensor sector weight"},
    {P_FEE_PROVIDER_BPS, "fee_provider_bps", 0, 0, 10000, 0,
     "fee share: the provider serving the payment (stakers' pool for base fees)"},
    {P_FEE_BURN_BPS, "fee_burn_bps", 2000, 0, 10000, 0, "fee share: burned"},
    {P_FEE_TREASURY_BPS, "fee_treasury_bps", 5000, 0, 10000, 0, "fee share: treasury"},
    {P_FEE_STAKERS_BPS, "fee_stakers_bps", 3000, 0, 10000, 0, "fee share: stakers"},
    {P_MIN_PROVIDER_STAKE, "min_provider_stake", 100 * TOK, 1, 1000000000 * TOK, 1,
     "minimum self stake of an active provider"},
    {P_MIN_DELEGATION, "min_delegation", 10 * TOK, 1, 1000000000 * TOK, 1,
     "minimum delegation"},
    {P_UNBONDING_EPOCHS, "unbonding_epochs", 2, 0, 10000, 0,
     "epochs before unbonded stake is released"},
    {P_SLASH_TO_TREASURY, "slash_to_treasury", 0, 0, 1, 0,
     "1: slashed stake to treasury; 0: burned"},
    {P_JAIL_AFTER_FAULTS, "jail_after_faults", 3, 1, 1000, 0,
     "faults that jail a provider"},
    {P_JAIL_EPOCHS, "jail_epochs", 5, 0, 1000000, 0, "epochs a jailed provider sits out"},
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
    {P_DEAL_COLLATERAL_BPS, "deal_collateral_bps", 2000, 0, 100000, 0,
     "storage deal collateral, share of the deal's total price"},
    {P_DEAL_FAULT_SLASH_BPS, "deal_fault_slash_bps", 1000, 0, 10000, 0,
     "share of a deal's collateral slashed per missed proof"},
    {P_DEAL_MAX_FAULTS, "deal_max_faults", 3, 1, 1000, 0,
     "consecutive missed proofs that end a storage deal"},
    {P_DEAL_MAX_EPOCHS, "deal_max_epochs", 1000000, 1, 1000000000, 0,
     "longest storage deal in epochs"},
    {P_PERM_COST_PER_MIB, "perm_cost_per_mib", 100, 1, 1000000000 * TOK, 1,
     "permanent storage: cost of one MiB for one epoch"},
    {P_PERM_DECLINE_BPS, "perm_decline_bps", 10, 1, 10000, 0,
     "permanent storage: share of the endowment paid out per epoch"},
    {P_DEAL_MIN_PRICE_PER_MIB, "deal_min_price_per_mib", 100, 0, 1000000000 * TOK, 1,
     "lowest price of a term deal per MiB per epoch: proven MiB earn "
     "emission, so self-dealing must cost real fees"},
};

const econ_param_def *econ_param_def_of(unsigned id)
{
    return id < ECON_PARAM_COUNT ? &defs[id] : NULL;
}

const econ_param_def *econ_param_by_name(const char *name)
{
    for (unsigned i = 0; i < ECON_PARAM_COUNT; i++)
        if (strcmp(defs[i].name, name) == 0)
            return &defs[i];
    return NULL;
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
    if (id >= ECON_PARAM_COUNT)
        return CAIRN_ERR_BAD_PARAM;
    param_key(k, id);
    cairn_err e = state_get(txn, s, STATE_PARAM, k, 2, &val);
    if (e == CAIRN_ERR_NOT_FOUND) {
        *v = defs[id].def;
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
    return econ_param_read(x->w->txn, x->s, id, v);
}

cairn_err econ_param_set(exec_ctx *x, unsigned id, uint64_t v)
{
    uint8_t k[2], val[8];
    if (id >= ECON_PARAM_COUNT || v < defs[id].min || v > defs[id].max)
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

/* Writes a message into msg and returns GENESIS. */
static cairn_err fail(char *msg, size_t len, const char *fmt, ...)
{
    va_list ap;
    if (msg && len) {
        va_start(ap, fmt);
        vsnprintf(msg, len, fmt, ap);
        va_end(ap);
    }
    return CAIRN_ERR_GENESIS;
}

/* Reads one JSON value into *out per its declaration, checking bounds. */
static cairn_err parse_one(const econ_param_def *d, json_t *v, uint64_t *out,
                           char *msg, size_t len)
{
    char lo[CAIRN_AMOUNT_TEXT_MAX], hi[CAIRN_AMOUNT_TEXT_MAX];
    if (d->amount) {
        if (!json_is_string(v) || cairn_amount_parse(out, json_string_value(v)))
            return fail(msg, len, "economy: \"%s\" must be a token amount in a "
                        "string, e.g. \"1000.5\"", d->name);
    } else {
        if (!json_is_integer(v) || json_integer_value(v) < 0)
            return fail(msg, len, "economy: \"%s\" must be a non-negative integer",
                        d->name);
        *out = (uint64_t)json_integer_value(v);
    }
    if (*out >= d->min && *out <= d->max)
        return CAIRN_OK;
    if (!d->amount)
        return fail(msg, len, "economy: \"%s\" must be between %llu and %llu",
                    d->name, (unsigned long long)d->min, (unsigned long long)d->max);
    cairn_amount_format(lo, d->min);
    cairn_amount_format(hi, d->max);
    return fail(msg, len, "economy: \"%s\" must be between %s and %s tokens",
                d->name, lo, hi);
}

/* Checks that the sector weights and the fee split each sum to 10000. */
static cairn_err check_sums(const econ_params *p, char *msg, size_t len)
{
    uint64_t w = p->v[P_WEIGHT_STORAGE] + p->v[P_WEIGHT_COMPUTE] +
                 p->v[P_WEIGHT_WIRELESS] + p->v[P_WEIGHT_SENSOR];
    uint64_t f = p->v[P_FEE_PROVIDER_BPS] + p->v[P_FEE_BURN_BPS] +
                 p->v[P_FEE_TREASURY_BPS] + p->v[P_FEE_STAKERS_BPS];
    if (w != CAIRN_BPS)
        return fail(msg, len, "economy: \"weight_storage\" + \"weight_compute\" + "
                    "\"weight_wireless\" + \"weight_sensor\" must sum to 10000 "
                    "(they sum to %llu)", (unsigned long long)w);
    if (f != CAIRN_BPS)
        return fail(msg, len, "economy: \"fee_provider_bps\" + \"fee_burn_bps\" + "
                    "\"fee_treasury_bps\" + \"fee_stakers_bps\" must sum to "
                    "10000 (they sum to %llu)", (unsigned long long)f);
    return CAIRN_OK;
}

/* Walks the object's fields: a known parameter, "price_oracle", or an error. */
static cairn_err parse_fields(json_t *root, econ_params *vals,
                              cairn_pubkey *oracle, int *has_oracle, char *msg,
                              size_t len)
{
    const char *k;
    json_t *v;
    json_object_foreach(root, k, v) {
        const econ_param_def *d = econ_param_by_name(k);
        cairn_err e;
        if (d) {
            if ((e = parse_one(d, v, &vals->v[d->id], msg, len)))
                return e;
        } else if (strcmp(k, "price_oracle") == 0) {
            if (!json_is_string(v) || cairn_addr_parse(oracle, json_string_value(v)))
                return fail(msg, len, "economy: \"price_oracle\" must be a cairn address");
            *has_oracle = 1;
        } else {
            return fail(msg, len, "economy: unknown field \"%s\"", k);
        }
    }
    return CAIRN_OK;
}

cairn_err econ_params_parse(const char *json, econ_params *vals,
                            cairn_pubkey *oracle, int *has_oracle, char *msg,
                            size_t len)
{
    json_error_t jerr;
    for (unsigned i = 0; i < ECON_PARAM_COUNT; i++)
        vals->v[i] = defs[i].def;
    *has_oracle = 0;
    if (!json)
        return CAIRN_OK;
    json_t *root = json_loads(json, JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        return fail(msg, len, "economy: not valid JSON: %s", jerr.text);
    cairn_err e = json_is_object(root)
                      ? parse_fields(root, vals, oracle, has_oracle, msg, len)
                      : fail(msg, len, "\"economy\" must be an object");
    json_decref(root);
    return e ? e : check_sums(vals, msg, len);
}

cairn_err cairn_econ_check(const char *economy_json, char *msg, size_t len)
{
    econ_params p;
    cairn_pubkey o;
    int has;
    return econ_params_parse(economy_json, &p, &o, &has, msg, len);
}

/* Writes every parameter (and the oracle key) to state at genesis. */
cairn_err econ_params_genesis(exec_ctx *x, const char *json, char *msg,
                              size_t len)
{
    econ_params p;
    cairn_pubkey o;
    int has;
    cairn_err e = econ_params_parse(json, &p, &o, &has, msg, len);
    for (unsigned i = 0; !e && i < ECON_PARAM_COUNT; i++)
        e = econ_param_set(x, i, p.v[i]);
    if (!e && has)
        e = econ_oracle_set(x, &o);
    return e;
}
