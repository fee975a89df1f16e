/* The economy over a registry of sectors: the rules a chain runs (kinds
 * and hooks), lookups of sectors and parameters, and the registry check
 * that keeps sectors' reserved ranges apart. */
#include <stdio.h>
#include <string.h>

#include "cairn/sequencer.h"
#include "econ/credits.h"
#include "econ/econ.h"
#include "econ/gov.h"
#include "econ/sector.h"
#include "econ/staking.h"

/* The economy's own kinds (0x10..0x3F). */
static const tx_kind econ_kinds[] = {
    {CAIRN_TX_REGISTER, "register", econ_register_check, econ_register_apply},
    {CAIRN_TX_STAKE, "stake", econ_amount_check, econ_stake_apply},
    {CAIRN_TX_UNBOND, "unbond", econ_amount_check, econ_unbond_apply},
    {CAIRN_TX_DELEGATE, "delegate", econ_delegate_check, econ_delegate_apply},
    {CAIRN_TX_UNDELEGATE, "undelegate", econ_delegate_check,
     econ_undelegate_apply},
    {CAIRN_TX_SET_COMMISSION, "set_commission", econ_commission_check,
     econ_commission_apply},
    {CAIRN_TX_SET_ENDPOINT, "set_endpoint", econ_endpoint_check,
     econ_endpoint_apply},
    {CAIRN_TX_CLAIM, "claim", econ_claim_check, econ_claim_apply},
    {CAIRN_TX_SEQ_EVIDENCE, "seq_evidence", econ_seq_evidence_check,
     econ_seq_evidence_apply},
    {CAIRN_TX_PROPOSE, "propose", gov_propose_check, gov_propose_apply},
    {CAIRN_TX_VOTE, "vote", gov_vote_check, gov_vote_apply},
    {CAIRN_TX_SET_PRICE, "set_price", econ_set_price_check,
     econ_set_price_apply},
    {CAIRN_TX_BUY_CREDITS, "buy_credits", econ_buy_credits_check,
     econ_buy_credits_apply},
};

static const econ_registry empty = {NULL, 0};

const econ_registry *econ_registry_of(const exec_ctx *x)
{
    return x && x->rules && x->rules->app ? x->rules->app : &empty;
}

const econ_registry *econ_chain_registry(const cairn_chain *c)
{
    const cairn_rules *r = cairn_chain_rules(c);
    return r && r->app ? r->app : &empty;
}

const econ_sector *econ_sector_by_id(const econ_registry *reg, unsigned id)
{
    for (size_t i = 0; i < reg->n; i++)
        if (reg->sectors[i]->id == id)
            return reg->sectors[i];
    return NULL;
}

const econ_sector *econ_sector_by_name(const econ_registry *reg,
                                       const char *name)
{
    for (size_t i = 0; name && i < reg->n; i++)
        if (strcmp(reg->sectors[i]->name, name) == 0)
            return reg->sectors[i];
    return NULL;
}

/* Calls fn on every parameter of reg until it returns non-zero; returns
 * the parameter it stopped at, or NULL. */
static const econ_param_def *
param_walk(const econ_registry *reg,
           int (*fn)(const econ_param_def *d, const void *arg), const void *arg)
{
    for (size_t i = 0; econ_param_own_at(i); i++)
        if (fn(econ_param_own_at(i), arg))
            return econ_param_own_at(i);
    for (size_t i = 0; i < reg->n; i++) {
        const econ_sector *s = reg->sectors[i];
        if (fn(&s->weight, arg))
            return &s->weight;
        for (size_t j = 0; j < s->nparams; j++)
            if (fn(&s->params[j], arg))
                return &s->params[j];
    }
    return NULL;
}

static int id_is(const econ_param_def *d, const void *arg)
{
    return d->id == *(const unsigned *)arg;
}

static int name_is(const econ_param_def *d, const void *arg)
{
    return strcmp(d->name, arg) == 0;
}

const econ_param_def *econ_param_find(const econ_registry *reg, unsigned id)
{
    return param_walk(reg, id_is, &id);
}

const econ_param_def *econ_param_find_name(const econ_registry *reg,
                                           const char *name)
{
    return name ? param_walk(reg, name_is, name) : NULL;
}

static int collect(const econ_param_def *d, const void *arg)
{
    struct {
        const econ_param_def **out;
        size_t max, n;
    } *c = (void *)arg;
    if (c->n < c->max) {
        size_t i = c->n++;
        for (; i > 0 && c->out[i - 1]->id > d->id; i--) /* keep id order */
            c->out[i] = c->out[i - 1];
        c->out[i] = d;
    } else {
        c->n++;
    }
    return 0;
}

size_t econ_param_list(const econ_registry *reg, const econ_param_def **out,
                       size_t max)
{
    struct {
        const econ_param_def **out;
        size_t max, n;
    } c = {out, max, 0};
    param_walk(reg, collect, &c);
    return c.n;
}

/* ---- the rules ---- */

static const tx_kind *find_kind(const cairn_rules *r, uint16_t kind)
{
    const econ_registry *reg = r->app;
    for (size_t i = 0; i < sizeof econ_kinds / sizeof econ_kinds[0]; i++)
        if (econ_kinds[i].kind == kind)
            return &econ_kinds[i];
    for (size_t i = 0; reg && i < reg->n; i++) {
        const econ_sector *s = reg->sectors[i];
        if (kind < s->kind_first || kind > s->kind_last)
            continue;
        for (size_t j = 0; j < s->nkinds; j++)
            if (s->kinds[j].kind == kind)
                return &s->kinds[j];
    }
    return NULL;
}

static cairn_err check_tx(const cairn_rules *r, const cairn_tx *tx)
{
    const econ_registry *reg = r->app ? r->app : &empty;
    return tx->kind == CAIRN_TX_PROPOSE ? gov_propose_check_rules(reg, tx)
                                        : CAIRN_OK;
}

void econ_rules_init(cairn_rules *rules, const econ_registry *reg)
{
    memset(rules, 0, sizeof *rules);
    rules->kind = find_kind;
    rules->check = check_tx;
    rules->genesis = econ_genesis;
    rules->end_block = econ_end_block;
    rules->app = reg;
}

/* ---- the registry check ---- */

#define clash(msg, len, ...)                                                   \
    econ_msg(CAIRN_ERR_BAD_SECTOR, msg, len, __VA_ARGS__)

/* One sector on its own: id, ranges, and what it declares inside them. */
static cairn_err check_one(const econ_sector *s, char *msg, size_t len)
{
    if (!s->name || !s->name[0] || s->id >= CAIRN_SECTOR_SLOTS)
        return clash(msg, len, "sector %u: needs a name and an id below %d",
                     s->id, CAIRN_SECTOR_SLOTS);
    if (s->tag_first < ECON_SECTOR_TAG_MIN || s->tag_first > s->tag_last ||
        s->kind_first < ECON_SECTOR_KIND_MIN || s->kind_first > s->kind_last)
        return clash(msg, len,
                     "sector %s: its tag or kind range is empty or "
                     "inside the economy's",
                     s->name);
    if (s->weight.id != P_WEIGHT_STORAGE + s->id)
        return clash(msg, len, "sector %s: declare its weight with ECON_WEIGHT",
                     s->name);
    for (size_t j = 0; j < s->nkinds; j++)
        if (s->kinds[j].kind < s->kind_first || s->kinds[j].kind > s->kind_last)
            return clash(msg, len, "sector %s: kind 0x%x is outside its range",
                         s->name, s->kinds[j].kind);
    for (size_t j = 0; j < s->nparams; j++) {
        unsigned id = s->params[j].id, base = ECON_SECTOR_PARAM_BASE(s->id);
        int legacy =
            s->id == 0 && id >= P_DEAL_COLLATERAL_BPS && id < ECON_PARAM_COUNT;
        if (!legacy && (id < base || id > base + 0xFF))
            return clash(msg, len,
                         "sector %s: parameter %s has id %u, outside "
                         "its range %u..%u",
                         s->name, s->params[j].name, id, base, base + 0xFF);
    }
    return CAIRN_OK;
}

/* Two sectors: nothing of theirs may overlap. */
static cairn_err check_pair(const econ_sector *a, const econ_sector *b,
                            char *msg, size_t len)
{
    if (a->id == b->id || strcmp(a->name, b->name) == 0)
        return clash(msg, len, "sectors %s and %s share an id or a name",
                     a->name, b->name);
    if (a->tag_first <= b->tag_last && b->tag_first <= a->tag_last)
        return clash(msg, len,
                     "sectors %s and %s reserve overlapping state "
                     "tags",
                     a->name, b->name);
    if (a->kind_first <= b->kind_last && b->kind_first <= a->kind_last)
        return clash(msg, len,
                     "sectors %s and %s reserve overlapping "
                     "transaction kinds",
                     a->name, b->name);
    return CAIRN_OK;
}

static int same_param(const econ_param_def *d, const void *arg)
{
    const econ_param_def *o = arg;
    return d != o && (d->id == o->id || strcmp(d->name, o->name) == 0);
}

cairn_err econ_registry_check(const econ_registry *r, char *msg, size_t len)
{
    cairn_err e = CAIRN_OK;
    size_t nparams = 0;
    for (size_t i = 0; !e && i < r->n; i++) {
        e = check_one(r->sectors[i], msg, len);
        for (size_t j = i + 1; !e && j < r->n; j++)
            e = check_pair(r->sectors[i], r->sectors[j], msg, len);
        nparams += 1 + r->sectors[i]->nparams;
    }
    for (size_t i = 0; !e && i < r->n; i++)
        for (size_t j = 0; !e && j < r->sectors[i]->nparams; j++) {
            const econ_param_def *d = &r->sectors[i]->params[j];
            if (param_walk(r, same_param, d))
                e = clash(msg, len,
                          "parameter %s (id %u) of sector %s is "
                          "declared twice",
                          d->name, d->id, r->sectors[i]->name);
        }
    if (!e && nparams > 256)
        e = clash(msg, len, "the sectors declare %zu parameters; at most 256",
                  nparams);
    return e;
}
