/* The compute provider and its node: the chain's compute parameters, the
 * leases it won (read every round and each driven one step), its capacity
 * offer, and the epoch's reports (the node API: docs/api.md, the compute
 * routes). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/compute.h"
#include "net/node_rpc.h"
#include "compute/provider/cprov_internal.h"

cairn_err cprov_refresh_view(cprov *p)
{
    snode_ctx ctx;
    snode_err why;
    cprov_view v = {0};
    json_t *j;
    cairn_err e = snode_status(p->cfg.node, &ctx, &why);
    if (!e)
        e = snode_get(p->cfg.node, "/v1/compute/params", &j, &why);
    if (e)
        return e;
    if (snode_u64(j, "epoch", &v.epoch) ||
        snode_u64(j, "epoch_blocks", &v.epoch_blocks) ||
        snode_u64(j, "compute_min_price_per_core_units",
                  &v.min_price_per_core) ||
        snode_u64(j, "compute_bid_deposit_units", &v.bid_deposit) ||
        snode_u64(j, "compute_max_bids", &v.max_bids))
        e = CAIRN_ERR_BAD_JSON;
    if (snode_u64(j, "report_max", &v.report_max) || v.report_max == 0 ||
        v.report_max > CAIRN_REPORT_MAX)
        v.report_max = CAIRN_REPORT_MAX;
    json_decref(j);
    if (e) {
        cprov_log(p, "the node's /v1/compute/params lacks a field this "
                     "provider needs; is the node's version older?");
        return e;
    }
    v.ok = 1;
    v.height = ctx.height;
    pthread_mutex_lock(&p->mu);
    p->view = v;
    pthread_mutex_unlock(&p->mu);
    return CAIRN_OK;
}

static int enum_of(const char *s, const char *(*name)(unsigned), unsigned lo,
                   unsigned hi)
{
    for (unsigned i = lo; s && i <= hi; i++)
        if (strcmp(s, name(i)) == 0)
            return (int)i;
    return -1;
}

static int u32_of(const json_t *j, const char *k, uint32_t *v)
{
    uint64_t x;
    if (snode_u64(j, k, &x) || x > UINT32_MAX)
        return -1;
    *v = (uint32_t)x;
    return 0;
}

cairn_err cprov_parse_lease(const json_t *j, cprov_chain_lease *c)
{
    uint64_t port;
    uint32_t nbids;
    memset(c, 0, sizeof *c);
    int st =
        enum_of(json_string_value(json_object_get(j, "state")),
                cairn_lease_state_name, CAIRN_LEASE_OPEN, CAIRN_LEASE_CLOSED);
    int ws =
        enum_of(json_string_value(json_object_get(j, "work_state")),
                cairn_workload_state_name, CAIRN_WORK_NONE, CAIRN_WORK_FAILED);
    json_t *lr = json_object_get(j, "last_report");
    if (st < 0 || ws < 0 || snode_u64(j, "id", &c->id) ||
        snode_addr(j, "tenant", &c->tenant) ||
        snode_hash(j, "manifest", &c->manifest) ||
        u32_of(j, "cpus", &c->cpus) || u32_of(j, "memory_mib", &c->mem_mib) ||
        u32_of(j, "disk_mib", &c->disk_mib) || snode_u64(j, "port", &port) ||
        port > 65535 || snode_u64(j, "max_price_units", &c->max_price) ||
        snode_u64(j, "max_epochs", &c->max_epochs) ||
        snode_u64(j, "bid_end", &c->bid_end) || u32_of(j, "nbids", &nbids))
        return CAIRN_ERR_BAD_JSON;
    if (!json_is_null(json_object_get(j, "provider")) &&
        snode_addr(j, "provider", &c->provider))
        return CAIRN_ERR_BAD_JSON;
    if (snode_u64(j, "price_units", &c->price))
        c->price = 0;
    if (snode_u64(j, "start_height", &c->start_height))
        c->start_height = 0;
    c->last_report = CAIRN_EPOCH_NONE;
    if (lr && !json_is_null(lr) && snode_u64(j, "last_report", &c->last_report))
        return CAIRN_ERR_BAD_JSON;
    c->port = (uint16_t)port;
    c->state = (uint8_t)st;
    c->work_state = (uint8_t)ws;
    c->nbids = nbids;
    return CAIRN_OK;
}

cairn_err cprov_get_lease(cprov *p, uint64_t id, cprov_chain_lease *out)
{
    char path[64];
    json_t *j;
    snode_err why;
    if (!p->cfg.node)
        return CAIRN_ERR_NOT_READY;
    snprintf(path, sizeof path, "/v1/compute/lease/%llu",
             (unsigned long long)id);
    cairn_err e = snode_get(p->cfg.node, path, &j, &why);
    if (e == CAIRN_ERR_NOT_FOUND)
        e = CAIRN_ERR_NO_ORDER;
    if (e)
        return e;
    e = cprov_parse_lease(j, out);
    json_decref(j);
    return e;
}

cairn_err cprov_send(cprov *p, uint16_t kind, const cairn_buf *body, char *why,
                     size_t len)
{
    snode_err ne = {.msg = ""};
    cairn_err e = body->err;
    if (!e)
        e = snode_send_next(p->cfg.node, &p->cfg.key, kind, body->p, body->len,
                            0, NULL, &ne);
    snprintf(why, len, "%s", e ? ne.msg : "");
    return e;
}

/* ---- the leases ---- */

/* Takes in one listed lease (p->mu held). */
static void take_listed(cprov *p, const cprov_chain_lease *c)
{
    cprov_lease *l = cprov_find(p, c->id);
    if (c->state == CAIRN_LEASE_CLOSED || c->state == CAIRN_LEASE_OPEN) {
        if (l) {
            l->c = *c;
            l->gone = 1;
        }
        return;
    }
    if (!l && !(l = cprov_add(p, c)))
        return;
    l->c = *c;
    l->seen = 1;
}

/* Reads one page of our leases after `after`; *last the last id, *more. */
static cairn_err read_page(cprov *p, uint64_t after, uint64_t *last, int *more)
{
    char path[200];
    json_t *j;
    snode_err why;
    snprintf(path, sizeof path, "/v1/compute/leases?provider=%s&after=%llu",
             p->addr, (unsigned long long)after);
    cairn_err e = snode_get(p->cfg.node, path, &j, &why);
    if (e)
        return e;
    json_t *arr = json_object_get(j, "leases"), *it;
    size_t i;
    *more = json_is_true(json_object_get(j, "more"));
    *last = after;
    json_array_foreach(arr, i, it)
    {
        cprov_chain_lease c;
        if (cprov_parse_lease(it, &c) ||
            memcmp(c.provider.b, p->cfg.key.pk.b, 32) != 0) {
            e = CAIRN_ERR_BAD_JSON;
            break;
        }
        pthread_mutex_lock(&p->mu);
        take_listed(p, &c);
        pthread_mutex_unlock(&p->mu);
        *last = c.id;
    }
    json_decref(j);
    if (!e && *more && *last == after)
        e = CAIRN_ERR_BAD_JSON; /* "more" without progress */
    return e;
}

/* A lease we hold locally that the listing did not show (e.g. found on
 * disk, closed long ago): asks the node about it alone. */
static void check_unseen(cprov *p, cprov_lease *l)
{
    cprov_chain_lease c;
    cairn_err e = cprov_get_lease(p, l->c.id, &c);
    pthread_mutex_lock(&p->mu);
    if (e == CAIRN_ERR_NO_ORDER ||
        (!e && (c.state == CAIRN_LEASE_CLOSED ||
                memcmp(c.provider.b, p->cfg.key.pk.b, 32) != 0))) {
        if (!e)
            l->c = c;
        l->gone = 1;
    } else if (!e) {
        l->c = c;
        l->seen = 1;
    }
    pthread_mutex_unlock(&p->mu);
}

/* The lowest id still worth listing from, less one. */
static uint64_t next_cursor(cprov *p)
{
    uint64_t low = cprov_lowest_bid(p);
    pthread_mutex_lock(&p->mu);
    for (size_t i = 0; i < p->nleases; i++)
        if (!p->leases[i]->gone && p->leases[i]->c.id < low)
            low = p->leases[i]->c.id;
    pthread_mutex_unlock(&p->mu);
    return low == UINT64_MAX ? p->scan_after : low - 1;
}

/* Reads our leases from the node into the table; *complete when every
 * page was read. */
static cairn_err list_leases(cprov *p, int *complete)
{
    int full = !p->scanned_all || p->ticks % 30 == 0;
    uint64_t after = full ? 0 : p->scan_after, last;
    int more = 1;
    cairn_err e = CAIRN_OK;
    *complete = 0;
    pthread_mutex_lock(&p->mu);
    for (size_t i = 0; i < p->nleases; i++)
        p->leases[i]->seen = 0;
    pthread_mutex_unlock(&p->mu);
    for (int page = 0; page < CPROV_SCAN_PAGES && more && !e; page++) {
        e = read_page(p, after, &last, &more);
        after = last;
    }
    *complete = !e && !more;
    if (*complete && full)
        p->scanned_all = 1;
    return e;
}

/* Leases not listed: asked about one by one (only after a whole list). */
static void check_all_unseen(cprov *p)
{
    for (size_t i = 0;; i++) {
        pthread_mutex_lock(&p->mu);
        cprov_lease *l = i < p->nleases ? p->leases[i] : NULL;
        int ask = l && !l->seen && !l->gone;
        pthread_mutex_unlock(&p->mu);
        if (!l)
            break;
        if (ask) /* only this thread removes leases: l stays valid */
            check_unseen(p, l);
    }
}

cairn_err cprov_sync_leases(cprov *p)
{
    int complete;
    cairn_err e = list_leases(p, &complete);
    if (complete)
        check_all_unseen(p);
    /* drive each lease one step; clean the closed ones */
    for (size_t i = 0;;) {
        pthread_mutex_lock(&p->mu);
        cprov_lease *l = i < p->nleases ? p->leases[i] : NULL;
        int gone = l && l->gone, known = l && l->c.state != 0;
        pthread_mutex_unlock(&p->mu);
        if (!l)
            break;
        if (gone) {
            cprov_clean(p, l, "its lease is closed");
            continue; /* the slot now holds another */
        }
        if (known)
            cprov_drive(p, l);
        i++;
    }
    if (complete)
        p->scan_after = next_cursor(p);
    return e;
}

/* ---- the capacity offer ---- */

cairn_err cprov_offer(cprov *p)
{
    char path[160], why[SNODE_MSG_MAX];
    json_t *j;
    snode_err ne;
    uint32_t cpus = 0, mem = 0, disk = 0;
    snprintf(path, sizeof path, "/v1/compute/provider/%s", p->addr);
    cairn_err e = snode_get(p->cfg.node, path, &j, &ne);
    if (!e) {
        json_t *cap = json_object_get(j, "capacity");
        if (u32_of(cap, "cpus", &cpus) || u32_of(cap, "memory_mib", &mem) ||
            u32_of(cap, "disk_mib", &disk))
            e = CAIRN_ERR_BAD_JSON;
        json_decref(j);
    } else if (e == CAIRN_ERR_NOT_FOUND || e == CAIRN_ERR_NOT_PROVIDER) {
        e = CAIRN_OK; /* no offer yet */
    }
    if (e)
        return e;
    p->offered =
        cpus == p->cfg.cpus && mem == p->cfg.mem_mib && disk == p->cfg.disk_mib;
    if (p->offered ||
        (p->offer_tick && p->ticks - p->offer_tick < CPROV_OFFER_TICKS))
        return CAIRN_OK;
    cairn_compute_offer o = {p->cfg.cpus, p->cfg.mem_mib, p->cfg.disk_mib};
    cairn_buf b;
    cairn_buf_init(&b, 64);
    cairn_compute_offer_encode(&b, &o);
    e = cprov_send(p, CAIRN_TX_COMPUTE_OFFER, &b, why, sizeof why);
    cairn_buf_free(&b);
    p->offer_tick = p->ticks ? p->ticks : 1;
    if (e)
        cprov_log(p, "cannot offer capacity on chain: %s (%s)",
                  cairn_strerror(e), why);
    else
        cprov_log(p,
                  "offered %u cores, %u MiB memory, %u MiB disk on chain "
                  "(was %u, %u, %u)",
                  o.cpus, o.mem_mib, o.disk_mib, cpus, mem, disk);
    return e;
}

/* ---- reports ---- */

/* Sends entries e[0..n) in one REPORT; on a refusal of several, each
 * alone (one bad lease must not cost the others their epoch). */
static cairn_err send_reports(cprov *p, const cairn_report_entry *e, size_t n)
{
    char why[SNODE_MSG_MAX];
    cairn_buf b;
    cairn_buf_init(&b, 16 + n * CAIRN_REPORT_ENTRY_LEN);
    cairn_report_encode(&b, e, n);
    cairn_err err = cprov_send(p, CAIRN_TX_LEASE_REPORT, &b, why, sizeof why);
    cairn_buf_free(&b);
    if (!err || n == 1 || err == CAIRN_ERR_HTTP) {
        if (err)
            cprov_log(p, "report of lease %llu not sent: %s (%s)",
                      (unsigned long long)e[0].lease, cairn_strerror(err), why);
        return err;
    }
    cairn_err first = CAIRN_OK;
    for (size_t i = 0; i < n; i++) {
        cairn_err one = send_reports(p, &e[i], 1);
        if (!first)
            first = one;
    }
    return first;
}

/* Whether l needs a report now (p->mu held); fills *out. */
static int wants_report(cprov *p, cprov_lease *l, uint64_t epoch,
                        cairn_report_entry *out)
{
    if (l->c.state != CAIRN_LEASE_ACTIVE || l->gone)
        return 0;
    uint8_t ws = cprov_work_state(l->phase);
    if (ws == CAIRN_WORK_NONE)
        ws = CAIRN_WORK_STARTING; /* waiting for the tenant's manifest */
    if (l->c.last_report == epoch && l->c.work_state == ws)
        return 0;
    if (l->sent_epoch == epoch && l->sent_state == ws &&
        p->ticks - l->sent_tick < CPROV_RESEND_TICKS)
        return 0; /* sent; not on chain yet */
    out->lease = l->c.id;
    out->state = ws;
    out->exit_code = ws == CAIRN_WORK_EXITED ? l->exit_code : 0;
    l->sent_epoch = epoch;
    l->sent_state = ws;
    l->sent_tick = p->ticks;
    return 1;
}

cairn_err cprov_report(cprov *p)
{
    cairn_report_entry e[CAIRN_REPORT_MAX];
    cairn_err first = CAIRN_OK;
    size_t i = 0;
    for (;;) {
        size_t n = 0;
        pthread_mutex_lock(&p->mu);
        uint64_t epoch = p->view.epoch, max = p->view.report_max;
        for (; i < p->nleases && n < max; i++)
            n += (size_t)wants_report(p, p->leases[i], epoch, &e[n]);
        int last = i >= p->nleases;
        pthread_mutex_unlock(&p->mu);
        if (n) {
            cairn_err err = send_reports(p, e, n);
            if (!first)
                first = err;
        }
        if (last)
            return first;
    }
}
