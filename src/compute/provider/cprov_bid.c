/* The provider's capacity accounting and bid policy.
 *
 * Committed = the resources of every live lease it holds (ACTIVE or
 * PAUSED, whatever its workload does) plus those of every bid it sent on
 * an order still open. It bids only on an order that fits capacity −
 * committed, so it never promises what it has promised already; a bid's
 * reservation ends when its order leaves the open list (then it is either
 * our lease, counted as such, or gone).
 *
 * Price: max(--price × cores, the chain's floor × cores), and no bid when
 * that is above the order's max price. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/amount.h"
#include "cairn/compute.h"
#include "compute/provider/cprov_internal.h"
#include "net/node_rpc.h"

uint64_t cprov_bid_price(uint64_t price_per_core, uint64_t floor_per_core,
                         uint32_t cpus, uint64_t max_price)
{
    uint64_t a, f;
    if (__builtin_mul_overflow(price_per_core, (uint64_t)cpus, &a) ||
        __builtin_mul_overflow(floor_per_core, (uint64_t)cpus, &f))
        return 0;
    uint64_t bid = a > f ? a : f;
    if (bid == 0)
        bid = 1;
    return bid <= max_price ? bid : 0;
}

uint64_t cprov_lowest_bid(const cprov *p)
{
    uint64_t low = UINT64_MAX;
    for (size_t i = 0; i < p->nbids; i++)
        if (p->bids[i].order < low)
            low = p->bids[i].order;
    return low;
}

static int is_open(const cprov *p, uint64_t id)
{
    for (size_t i = 0; i < p->nopen; i++)
        if (p->open[i].id == id)
            return 1;
    return 0;
}

static int was_refused(const cprov *p, uint64_t id)
{
    for (size_t i = 0; i < p->nrefused; i++)
        if (p->refused[i] == id)
            return 1;
    return 0;
}

static void mark_refused(cprov *p, uint64_t id)
{
    if (was_refused(p, id))
        return;
    if (p->nrefused == p->cap_refused) {
        size_t cap = p->cap_refused ? 2 * p->cap_refused : 64;
        uint64_t *n = realloc(p->refused, cap * sizeof *n);
        if (!n)
            return;
        p->refused = n;
        p->cap_refused = cap;
    }
    p->refused[p->nrefused++] = id;
}

static int has_bid(const cprov *p, uint64_t id)
{
    for (size_t i = 0; i < p->nbids; i++)
        if (p->bids[i].order == id)
            return 1;
    return 0;
}

static void add_bid(cprov *p, const cprov_chain_lease *o, uint64_t price)
{
    if (p->nbids == CPROV_BIDS_MAX || has_bid(p, o->id))
        return;
    p->bids[p->nbids++] =
        (cprov_bid){o->id, o->cpus, o->mem_mib, o->disk_mib, price};
}

/* Drops bids and refusals of orders that are not open any more. */
static void prune(cprov *p)
{
    size_t k = 0;
    for (size_t i = 0; i < p->nbids; i++)
        if (is_open(p, p->bids[i].order))
            p->bids[k++] = p->bids[i];
    p->nbids = k;
    k = 0;
    for (size_t i = 0; i < p->nrefused; i++)
        if (is_open(p, p->refused[i]))
            p->refused[k++] = p->refused[i];
    p->nrefused = k;
}

static int keep_open(cprov *p, const cprov_chain_lease *c)
{
    if (p->nopen == p->cap_open) {
        size_t cap = p->cap_open ? 2 * p->cap_open : 64;
        cprov_chain_lease *n = realloc(p->open, cap * sizeof *n);
        if (!n)
            return -1;
        p->open = n;
        p->cap_open = cap;
    }
    p->open[p->nopen++] = *c;
    return 0;
}

cairn_err cprov_list_open(cprov *p)
{
    uint64_t after = 0;
    int more = 1;
    cairn_err e = CAIRN_OK;
    p->nopen = 0;
    for (int page = 0; page < CPROV_SCAN_PAGES && more && !e; page++) {
        char path[96];
        json_t *j, *it;
        snode_err why;
        size_t i;
        snprintf(path, sizeof path, "/v1/compute/leases?state=open&after=%llu",
                 (unsigned long long)after);
        if ((e = snode_get(p->cfg.node, path, &j, &why)))
            break;
        more = json_is_true(json_object_get(j, "more"));
        uint64_t before = after;
        json_array_foreach(json_object_get(j, "leases"), i, it)
        {
            cprov_chain_lease c;
            if ((e = cprov_parse_lease(it, &c)) || keep_open(p, &c))
                break;
            after = c.id;
        }
        json_decref(j);
        if (!e && more && after == before)
            e = CAIRN_ERR_BAD_JSON;
    }
    if (!e && !more)
        prune(p); /* only against a whole list */
    return e;
}

/* ---- capacity ---- */

typedef struct room {
    uint64_t cpus, mem, disk;
} room;

/* Capacity less every live lease and outstanding bid. */
static room free_room(cprov *p)
{
    uint64_t cpus = 0, mem = 0, disk = 0;
    pthread_mutex_lock(&p->mu);
    for (size_t i = 0; i < p->nleases; i++) {
        const cprov_lease *l = p->leases[i];
        if (l->gone || (l->c.state != CAIRN_LEASE_ACTIVE &&
                        l->c.state != CAIRN_LEASE_PAUSED))
            continue;
        cpus += l->c.cpus;
        mem += l->c.mem_mib;
        disk += l->c.disk_mib;
    }
    pthread_mutex_unlock(&p->mu);
    for (size_t i = 0; i < p->nbids; i++) {
        cpus += p->bids[i].cpus;
        mem += p->bids[i].mem_mib;
        disk += p->bids[i].disk_mib;
    }
    room r = {p->cfg.cpus > cpus ? p->cfg.cpus - cpus : 0,
              p->cfg.mem_mib > mem ? p->cfg.mem_mib - mem : 0,
              p->cfg.disk_mib > disk ? p->cfg.disk_mib - disk : 0};
    return r;
}

static int fits(const room *r, const cprov_chain_lease *o)
{
    return o->cpus <= r->cpus && o->mem_mib <= r->mem && o->disk_mib <= r->disk;
}

/* ---- bidding ---- */

/* Reads the order's bids: 1 if one of them is ours (then recorded as an
 * outstanding bid), 0 if none is, -1 when the node cannot say. */
static int already_bid(cprov *p, const cprov_chain_lease *o)
{
    char path[64];
    json_t *j, *it;
    snode_err why;
    size_t i;
    int ours = 0;
    snprintf(path, sizeof path, "/v1/compute/lease/%llu",
             (unsigned long long)o->id);
    if (snode_get(p->cfg.node, path, &j, &why))
        return -1;
    json_array_foreach(json_object_get(j, "bids"), i, it)
    {
        cairn_pubkey pk;
        uint64_t price;
        if (!snode_addr(it, "provider", &pk) &&
            memcmp(pk.b, p->cfg.key.pk.b, 32) == 0) {
            if (snode_u64(it, "price_units", &price))
                price = 0;
            add_bid(p, o, price);
            ours = 1;
        }
    }
    json_decref(j);
    return ours;
}

/* Whether the order is one this provider serves at all. */
static int servable(cprov *p, const cprov_chain_lease *o, uint64_t *price)
{
    if (memcmp(o->tenant.b, p->cfg.key.pk.b, 32) == 0)
        return 0; /* our own order */
    if (o->cpus > p->cfg.cpus || o->mem_mib > p->cfg.mem_mib ||
        o->disk_mib > p->cfg.disk_mib)
        return 0;
    if (o->port && !p->svc)
        return 0; /* no service port to publish it on */
    if (o->bid_end < p->view.height || o->nbids >= p->view.max_bids)
        return 0;
    *price = cprov_bid_price(p->cfg.price, p->view.min_price_per_core, o->cpus,
                             o->max_price);
    return *price != 0;
}

/* Sends a BID: 0 sent, 1 refused for this order, -1 stop bidding. */
static int bid_one(cprov *p, const cprov_chain_lease *o, uint64_t price)
{
    char why[SNODE_MSG_MAX], amount[CAIRN_AMOUNT_TEXT_MAX];
    cairn_bid bid = {o->id, price};
    cairn_buf b;
    cairn_buf_init(&b, 64);
    cairn_bid_encode(&b, &bid);
    cairn_err e = cprov_send(p, CAIRN_TX_BID, &b, why, sizeof why);
    cairn_buf_free(&b);
    cairn_amount_format(amount, price);
    if (!e) {
        add_bid(p, o, price);
        p->funds_said = 0;
        cprov_log(p, "bid %s per epoch on order %llu (%u cores, %u MiB)",
                  amount, (unsigned long long)o->id, o->cpus, o->mem_mib);
        return 0;
    }
    if (e == CAIRN_ERR_FUNDS) {
        if (!p->funds_said++)
            cprov_log(p,
                      "cannot bid: the balance does not cover the bid "
                      "deposit (%s); fund %s",
                      why, p->addr);
        return -1;
    }
    if (e == CAIRN_ERR_HTTP)
        return -1;
    mark_refused(p, o->id); /* refused for this order: do not retry */
    cprov_log(p, "bid on order %llu refused: %s (%s)",
              (unsigned long long)o->id, cairn_strerror(e), why);
    return 1;
}

cairn_err cprov_bid_round(cprov *p)
{
    if (!p->view.ok || !p->offered)
        return CAIRN_OK; /* bids need our capacity on chain first */
    room r = free_room(p);
    for (size_t i = 0; i < p->nopen; i++) {
        const cprov_chain_lease *o = &p->open[i];
        uint64_t price;
        if (has_bid(p, o->id) || was_refused(p, o->id) ||
            !servable(p, o, &price) || !fits(&r, o))
            continue;
        int ours = already_bid(p, o); /* e.g. before a restart */
        if (ours < 0)
            break;
        if (ours == 0 && bid_one(p, o, price) < 0)
            break;
        r = free_room(p);
    }
    return CAIRN_OK;
}
