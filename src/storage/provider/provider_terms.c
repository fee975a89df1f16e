/* The provider daemon's rules for the deals it signs: the price is at least
 * its ask, the collateral at most what it puts up, the deal starts soon,
 * and a deal it takes over (REPLACE) is the client's, for the same piece,
 * and still running. */
#include <stdio.h>
#include <string.h>

#include "cairn/amount.h"
#include "cairn/econ_math.h"
#include "net/node_rpc.h"
#include "storage/provider/provider_terms.h"

uint64_t sprov_collateral_bps(const sprov *p, const sprov_view *v)
{
    return p->cfg.collateral_bps ? p->cfg.collateral_bps : v->collateral_bps;
}

/* The provider's ask for a piece of `size` bytes, per epoch. */
static cairn_err ask_for(const sprov *p, uint64_t size, uint64_t *need)
{
    return cairn_mul(need, p->cfg.price, cairn_storage_units(size));
}

/* Refuses collateral above what the provider puts up for `total`. */
static cairn_err check_collateral(sprov *p, const sprov_view *v, uint64_t total,
                                  uint64_t collateral, char *why, size_t len)
{
    uint64_t most = 0;
    char a[CAIRN_AMOUNT_TEXT_MAX], b[CAIRN_AMOUNT_TEXT_MAX];
    if (cairn_storage_collateral(&most, total, sprov_collateral_bps(p, v)) ||
        collateral > most) {
        cairn_amount_format(a, collateral);
        cairn_amount_format(b, most);
        snprintf(
            why, len,
            "the deal asks for %s collateral; this provider puts up at most %s",
            a, b);
        return CAIRN_ERR_DEAL_TERMS;
    }
    return CAIRN_OK;
}

/* Permanent storage pays out of the network's endowment at its rate per
 * MiB and epoch: the provider takes it when that rate meets its ask. */
static cairn_err check_perm_rate(const sprov *p, const sprov_view *v, char *why,
                                 size_t len)
{
    char a[CAIRN_AMOUNT_TEXT_MAX], b[CAIRN_AMOUNT_TEXT_MAX];
    if (p->cfg.price <= v->perm_cost_per_mib)
        return CAIRN_OK;
    cairn_amount_format(a, p->cfg.price);
    cairn_amount_format(b, v->perm_cost_per_mib);
    snprintf(
        why, len,
        "this provider asks %s per MiB and epoch; permanent storage pays %s", a,
        b);
    return CAIRN_ERR_PRICE_LOW;
}

/* The deal's total price (what the chain escrows), after the price and
 * duration checks. */
static cairn_err open_total(sprov *p, const sprov_view *v,
                            const cairn_deal_terms *t, uint64_t *total,
                            char *why, size_t len)
{
    uint64_t need;
    char a[CAIRN_AMOUNT_TEXT_MAX], b[CAIRN_AMOUNT_TEXT_MAX];
    cairn_err e;
    if (t->flags & CAIRN_DEAL_PERMANENT) {
        if ((e = check_perm_rate(p, v, why, len)))
            return e;
        if (t->epochs != 0 ||
            cairn_storage_perm_price(total, t->size, v->perm_cost_per_mib,
                                     v->perm_decline_bps) ||
            t->price < *total) {
            snprintf(why, len,
                     "permanent terms must have 0 epochs and a price of at "
                     "least the "
                     "network's permanent price");
            return CAIRN_ERR_DEAL_TERMS;
        }
        return CAIRN_OK;
    }
    if (t->epochs == 0 || t->epochs > v->max_epochs) {
        snprintf(why, len, "a deal runs 1..%llu epochs",
                 (unsigned long long)v->max_epochs);
        return CAIRN_ERR_DEAL_TERMS;
    }
    if (ask_for(p, t->size, &need) || t->price < need) {
        cairn_amount_format(a, t->price);
        cairn_amount_format(b, p->cfg.price);
        snprintf(why, len,
                 "the deal offers %s per epoch; this provider asks %s per MiB "
                 "(%llu MiB) and epoch",
                 a, b, (unsigned long long)cairn_storage_units(t->size));
        return CAIRN_ERR_PRICE_LOW;
    }
    if (cairn_mul(total, t->price, t->epochs)) {
        snprintf(why, len, "price times epochs overflows");
        return CAIRN_ERR_DEAL_TERMS;
    }
    return CAIRN_OK;
}

cairn_err sprov_check_open(sprov *p, const sprov_view *v,
                           const cairn_sp_store *m, char *why, size_t len)
{
    const cairn_deal_terms *t = &m->terms;
    uint64_t total;
    cairn_err e;
    if (!v->ok) {
        snprintf(
            why, len,
            "the provider has not reached its node yet; try again shortly");
        return CAIRN_ERR_HTTP;
    }
    if (memcmp(t->provider.b, p->cfg.key.pk.b, 32) != 0) {
        snprintf(why, len, "the terms name another provider; this one is %s",
                 p->addr);
        return CAIRN_ERR_BAD_ARG;
    }
    if (t->start_epoch <= v->epoch ||
        t->start_epoch - v->epoch > SPROV_START_AHEAD) {
        snprintf(why, len,
                 "a deal must start within the next %d epochs (now %llu; asked "
                 "%llu)",
                 SPROV_START_AHEAD, (unsigned long long)v->epoch,
                 (unsigned long long)t->start_epoch);
        return CAIRN_ERR_DEAL_TERMS;
    }
    if ((e = open_total(p, v, t, &total, why, len)))
        return e;
    return check_collateral(p, v, total, t->collateral, why, len);
}

cairn_err sprov_sign_open(sprov *p, const sprov_view *v,
                          const cairn_pubkey *client, const cairn_sp_store *m,
                          cairn_sig *sig)
{
    return cairn_deal_open_sign(sig, v->chain_id, client, m->client_nonce,
                                &m->terms, &p->cfg.key);
}

/* A deal read from the node: the fields a replacement is checked with. */
typedef struct chain_deal {
    cairn_pubkey client, provider;
    cairn_hash root;
    uint64_t size, start, end, price, escrow;
    int permanent, running;
} chain_deal;

/* Reads deal `id` from the node into d. */
static cairn_err read_deal(sprov *p, uint64_t id, chain_deal *d, char *why,
                           size_t len)
{
    char path[64];
    json_t *j;
    snode_err ne;
    if (!p->cfg.node) {
        snprintf(why, len, "this provider has no node to read deals from");
        return CAIRN_ERR_HTTP;
    }
    snprintf(path, sizeof path, "/v1/deal/%llu", (unsigned long long)id);
    cairn_err e = snode_get(p->cfg.node, path, &j, &ne);
    if (e) {
        snprintf(why, len, "deal %llu: %s", (unsigned long long)id, ne.msg);
        return e == CAIRN_ERR_NOT_FOUND ? CAIRN_ERR_NO_DEAL : e;
    }
    const char *state = json_string_value(json_object_get(j, "state"));
    d->permanent = json_is_true(json_object_get(j, "permanent"));
    d->running =
        state && (!strcmp(state, "active") || !strcmp(state, "failed"));
    if (json_is_null(json_object_get(j, "end_epoch")))
        d->end = CAIRN_EPOCH_NONE;
    else if (snode_u64(j, "end_epoch", &d->end))
        e = CAIRN_ERR_BAD_JSON;
    if (snode_addr(j, "client", &d->client) ||
        snode_addr(j, "provider", &d->provider) ||
        snode_hash(j, "root", &d->root) || snode_u64(j, "size", &d->size) ||
        snode_u64(j, "start_epoch", &d->start) ||
        snode_u64(j, "price_units", &d->price) ||
        snode_u64(j, "escrow_units", &d->escrow))
        e = CAIRN_ERR_BAD_JSON;
    json_decref(j);
    if (e)
        snprintf(why, len, "the node's deal %llu is malformed",
                 (unsigned long long)id);
    return e;
}

/* What the new provider would be paid from here on: price × the epochs
 * left (term), or the endowment left (permanent). */
static cairn_err replace_total(const sprov_view *v, const chain_deal *d,
                               uint64_t *total)
{
    uint64_t from = d->start > v->epoch + 1 ? d->start : v->epoch + 1;
    if (d->permanent) {
        *total = d->escrow;
        return CAIRN_OK;
    }
    return cairn_mul(total, d->price, d->end > from ? d->end - from : 0);
}

/* The price rules of a deal being taken over. */
static cairn_err replace_price(sprov *p, const sprov_view *v,
                               const chain_deal *d, char *why, size_t len)
{
    uint64_t need;
    if (d->permanent)
        return check_perm_rate(p, v, why, len);
    if (ask_for(p, d->size, &need) || d->price < need) {
        snprintf(why, len,
                 "the deal pays less per epoch than this provider asks");
        return CAIRN_ERR_PRICE_LOW;
    }
    return CAIRN_OK;
}

cairn_err sprov_check_replace(sprov *p, const sprov_view *v,
                              const cairn_pubkey *client,
                              const cairn_sp_store *m, cairn_replace_ctx *rc,
                              char *why, size_t len)
{
    chain_deal d;
    uint64_t total;
    cairn_err e;
    if (!v->ok) {
        snprintf(
            why, len,
            "the provider has not reached its node yet; try again shortly");
        return CAIRN_ERR_HTTP;
    }
    if ((e = read_deal(p, m->deal_id, &d, why, len)))
        return e;
    if (memcmp(d.client.b, client->b, 32) != 0) {
        snprintf(why, len, "deal %llu is not yours",
                 (unsigned long long)m->deal_id);
        return CAIRN_ERR_NOT_DEAL_PARTY;
    }
    if (memcmp(d.root.b, m->root.b, 32) != 0 || d.size != m->size ||
        memcmp(d.provider.b, p->cfg.key.pk.b, 32) == 0) {
        snprintf(
            why, len,
            "deal %llu is for another piece, or already with this provider",
            (unsigned long long)m->deal_id);
        return CAIRN_ERR_DEAL_TERMS;
    }
    if (!d.running || (!d.permanent && d.end <= v->epoch + 1)) {
        snprintf(why, len, "deal %llu has ended",
                 (unsigned long long)m->deal_id);
        return CAIRN_ERR_DEAL_ENDED;
    }
    if ((e = replace_price(p, v, &d, why, len)))
        return e;
    if (replace_total(v, &d, &total) ||
        (e = check_collateral(p, v, total, m->collateral, why, len)))
        return e ? e : CAIRN_ERR_DEAL_TERMS;
    rc->root = d.root;
    rc->size = d.size;
    rc->flags = d.permanent ? CAIRN_DEAL_PERMANENT : 0;
    rc->end_epoch = d.end;
    rc->price = d.price;
    return CAIRN_OK;
}

cairn_err sprov_sign_replace(sprov *p, const sprov_view *v,
                             const cairn_pubkey *client,
                             const cairn_sp_store *m,
                             const cairn_replace_ctx *rc, cairn_sig *sig)
{
    cairn_deal_replace r = {.deal_id = m->deal_id,
                            .provider = p->cfg.key.pk,
                            .collateral = m->collateral};
    return cairn_deal_replace_sign(sig, v->chain_id, client, m->client_nonce,
                                   &r, rc, &p->cfg.key);
}
