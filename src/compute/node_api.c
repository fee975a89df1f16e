/* Compute endpoints (docs/api.md, docs/compute-chain.md): orders and
 * leases by id, by tenant, by provider or open; the bids on an order; a
 * compute provider's capacity; the compute rules in force. What the
 * compute client and provider daemon poll. */
#include <event2/keyvalq_struct.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include "cairn/compute.h"
#include "node/api_handlers.h"

#define CPARAMS_MAX 256 /* far above the parameter table's size */

/* src/compute/node_api_subnet.c: the subnet routes (0 when not one). */
int api_subnet_route(node *n, httpd_req *req, const char *path,
                     const char *query);

static json_t *epoch_or_null(uint64_t e)
{
    return e == CAIRN_EPOCH_NONE ? json_null() : api_json_u64(e);
}

static void set_u64(json_t *o, const char *name, uint64_t v)
{
    json_object_set_new(o, name, api_json_u64(v));
}

/* The order's terms as posted. */
static void order_fields(json_t *o, const cairn_order *od)
{
    json_object_set_new(o, "manifest", api_json_hex(od->manifest.b, 32));
    set_u64(o, "cpus", od->cpus);
    set_u64(o, "memory_mib", od->mem_mib);
    set_u64(o, "disk_mib", od->disk_mib);
    set_u64(o, "port", od->port);
    api_json_set_amount(o, "max_price", od->max_price);
    set_u64(o, "max_epochs", od->max_epochs);
    set_u64(o, "bid_blocks", od->bid_blocks);
}

/* An order or lease as JSON (docs/api.md). */
static json_t *lease_json(const cairn_lease_info *l)
{
    json_t *o = json_object();
    set_u64(o, "id", l->id);
    json_object_set_new(o, "tenant", api_json_addr(&l->tenant));
    json_object_set_new(
        o, "provider",
        l->state == CAIRN_LEASE_OPEN ||
                (l->state == CAIRN_LEASE_CLOSED && l->start_height == 0)
            ? json_null()
            : api_json_addr(&l->provider));
    json_object_set_new(o, "state",
                        json_string(cairn_lease_state_name(l->state)));
    json_object_set_new(o, "end_reason",
                        l->end_reason == CAIRN_LEASE_END_NONE
                            ? json_null()
                            : json_string(cairn_lease_end_name(l->end_reason)));
    order_fields(o, &l->order);
    api_json_set_amount(o, "price", l->price);
    api_json_set_amount(o, "escrow", l->escrow);
    api_json_set_amount(o, "deposited", l->deposited);
    api_json_set_amount(o, "paid", l->paid);
    api_json_set_amount(o, "refunded", l->refunded);
    set_u64(o, "opened_height", l->opened_height);
    set_u64(o, "bid_end", l->bid_end);
    set_u64(o, "start_height", l->start_height);
    set_u64(o, "start_epoch", l->start_epoch);
    set_u64(o, "settled_height", l->settled_height);
    json_object_set_new(o, "last_report", epoch_or_null(l->last_report));
    set_u64(o, "missed", l->missed);
    json_object_set_new(o, "paused_epoch",
                        l->state == CAIRN_LEASE_PAUSED
                            ? epoch_or_null(l->paused_epoch)
                            : json_null());
    set_u64(o, "closed_height", l->closed_height);
    json_object_set_new(o, "work_state",
                        json_string(cairn_workload_state_name(l->work_state)));
    set_u64(o, "exit_code", l->exit_code);
    set_u64(o, "nbids", l->nbids);
    return o;
}

static json_t *bid_json(const cairn_bid_info *b)
{
    json_t *o = json_object();
    json_object_set_new(o, "provider", api_json_addr(&b->provider));
    api_json_set_amount(o, "price", b->price);
    api_json_set_amount(o, "deposit", b->deposit);
    set_u64(o, "height", b->height);
    return o;
}

static int status_of(cairn_err e)
{
    return e == CAIRN_ERR_NO_ORDER || e == CAIRN_ERR_NOT_PROVIDER ? 404 : 0;
}

static void api_lease(node *n, httpd_req *req, const char *id)
{
    uint64_t v;
    cairn_lease_info l;
    cairn_bid_info bids[255];
    size_t nb = 0;
    if (api_parse_num(id, &v)) {
        api_error(req, 400, CAIRN_ERR_BAD_ARG,
                  "a lease id is a decimal number");
        return;
    }
    pthread_mutex_lock(&n->lock);
    cairn_err e = cairn_chain_lease(n->chain, v, &l);
    if (!e)
        e = cairn_chain_bids(n->chain, v, bids, 255, &nb);
    pthread_mutex_unlock(&n->lock);
    if (e) {
        api_error(req, status_of(e), e, NULL);
        return;
    }
    json_t *o = lease_json(&l), *arr = json_array();
    for (size_t i = 0; i < nb; i++)
        json_array_append_new(arr, bid_json(&bids[i]));
    json_object_set_new(o, "bids", arr);
    api_reply(req, 200, o);
}

/* A list query: state=open, tenant=ADDR or provider=ADDR; after=ID. */
typedef struct list_query {
    cairn_lease_filter f;
    cairn_pubkey who;
    uint64_t after;
} list_query;

/* Parses `query` into q; returns an error text, or NULL. */
static const char *parse_list(const char *query, list_query *q)
{
    struct evkeyvalq kv;
    const char *err = NULL;
    TAILQ_INIT(&kv);
    if (!query || evhttp_parse_query_str(query, &kv))
        err = "give state=open, tenant=ADDRESS or provider=ADDRESS";
    const char *s = err ? NULL : evhttp_find_header(&kv, "state");
    const char *t = err ? NULL : evhttp_find_header(&kv, "tenant");
    const char *p = err ? NULL : evhttp_find_header(&kv, "provider");
    const char *a = err ? NULL : evhttp_find_header(&kv, "after");
    q->after = 0;
    memset(&q->who, 0, sizeof q->who);
    q->f = t   ? CAIRN_LEASES_TENANT
           : p ? CAIRN_LEASES_PROVIDER
               : CAIRN_LEASES_OPEN;
    if (!err && (!!s + !!t + !!p) != 1)
        err = "give one of state=open, tenant=ADDRESS or provider=ADDRESS";
    else if (!err && s && strcmp(s, "open") != 0)
        err = "state must be open";
    else if (!err && (t || p) && cairn_addr_parse(&q->who, t ? t : p))
        err = "not a valid cairn1... address";
    else if (!err && a && api_parse_num(a, &q->after))
        err = "after must be a lease id";
    evhttp_clear_headers(&kv);
    return err;
}

static void api_leases(node *n, httpd_req *req, const char *query)
{
    list_query q;
    size_t cnt = 0;
    int more = 0;
    const char *bad = parse_list(query, &q);
    if (bad) {
        api_error(req, 400, CAIRN_ERR_BAD_ARG, bad);
        return;
    }
    cairn_lease_info *list = calloc(CAIRN_LEASES_MAX, sizeof *list);
    if (!list) {
        api_error(req, 500, CAIRN_ERR_NOMEM, NULL);
        return;
    }
    pthread_mutex_lock(&n->lock);
    cairn_err e = cairn_chain_leases(n->chain, q.f, &q.who, q.after, list,
                                     CAIRN_LEASES_MAX, &cnt, &more);
    pthread_mutex_unlock(&n->lock);
    if (e) {
        free(list);
        api_error(req, 0, e, NULL);
        return;
    }
    json_t *o = json_object(), *arr = json_array();
    for (size_t i = 0; i < cnt; i++)
        json_array_append_new(arr, lease_json(&list[i]));
    free(list);
    json_object_set_new(o, "leases", arr);
    json_object_set_new(o, "more", json_boolean(more));
    api_reply(req, 200, o);
}

static json_t *resources_json(const cairn_compute_offer *r)
{
    json_t *o = json_object();
    set_u64(o, "cpus", r->cpus);
    set_u64(o, "memory_mib", r->mem_mib);
    set_u64(o, "disk_mib", r->disk_mib);
    return o;
}

static void api_cprovider(node *n, httpd_req *req, const char *addr)
{
    cairn_pubkey pk;
    cairn_compute_provider p;
    if (cairn_addr_parse(&pk, addr)) {
        api_error(req, 400, CAIRN_ERR_BAD_ADDRESS, NULL);
        return;
    }
    pthread_mutex_lock(&n->lock);
    cairn_err e = cairn_chain_compute_provider(n->chain, &pk, &p);
    pthread_mutex_unlock(&n->lock);
    if (e) {
        api_error(req, status_of(e), e, NULL);
        return;
    }
    json_t *o = json_object();
    json_object_set_new(o, "provider", api_json_addr(&p.provider));
    json_object_set_new(o, "capacity", resources_json(&p.capacity));
    json_object_set_new(o, "used", resources_json(&p.used));
    set_u64(o, "leases", p.leases);
    set_u64(o, "done", p.done);
    set_u64(o, "lost", p.lost);
    api_reply(req, 200, o);
}

/* A ticket sender's funds: 404 not_found when it never funded. */
static void api_tickets(node *n, httpd_req *req, const char *addr)
{
    cairn_pubkey pk;
    cairn_ticket_funds f;
    if (cairn_addr_parse(&pk, addr)) {
        api_error(req, 400, CAIRN_ERR_BAD_ADDRESS, NULL);
        return;
    }
    pthread_mutex_lock(&n->lock);
    cairn_err e = cairn_chain_ticket_funds(n->chain, &pk, &f);
    pthread_mutex_unlock(&n->lock);
    if (e) {
        api_error(req, e == CAIRN_ERR_NOT_FOUND ? 404 : 0, e, NULL);
        return;
    }
    json_t *o = json_object();
    json_object_set_new(o, "sender", api_json_addr(&pk));
    api_json_set_amount(o, "deposit", f.deposit);
    api_json_set_amount(o, "reserve", f.reserve);
    api_json_set_amount(o, "pending", f.pending);
    set_u64(o, "unlock_height", f.unlock_height);
    api_reply(req, 200, o);
}

/* Every parameter named compute_* with its value in force. */
static void api_cparams(node *n, httpd_req *req)
{
    cairn_econ_param *ps = calloc(CPARAMS_MAX, sizeof *ps);
    cairn_staking_status st;
    size_t cnt = 0;
    if (!ps) {
        api_error(req, 500, CAIRN_ERR_NOMEM, NULL);
        return;
    }
    pthread_mutex_lock(&n->lock);
    cairn_err e = cairn_chain_econ_params(n->chain, ps, CPARAMS_MAX, &cnt);
    if (!e)
        e = cairn_chain_staking_status(n->chain, &st);
    pthread_mutex_unlock(&n->lock);
    if (e) {
        free(ps);
        api_error(req, 0, e, NULL);
        return;
    }
    json_t *o = json_object();
    set_u64(o, "epoch", st.epoch);
    set_u64(o, "epoch_blocks", st.epoch_blocks);
    for (size_t i = 0; i < cnt && i < CPARAMS_MAX; i++) {
        if (strncmp(ps[i].name, "compute_", 8) != 0)
            continue;
        if (ps[i].amount)
            api_json_set_amount(o, ps[i].name, ps[i].value);
        else
            set_u64(o, ps[i].name, ps[i].value);
    }
    free(ps);
    set_u64(o, "report_max", CAIRN_REPORT_MAX);
    api_reply(req, 200, o);
}

int api_compute_route(node *n, httpd_req *req, const char *path,
                      const char *query)
{
    if (strncmp(path, "/v1/compute/lease/", 18) == 0)
        api_lease(n, req, path + 18);
    else if (strcmp(path, "/v1/compute/leases") == 0)
        api_leases(n, req, query);
    else if (strncmp(path, "/v1/compute/provider/", 21) == 0)
        api_cprovider(n, req, path + 21);
    else if (strncmp(path, "/v1/compute/tickets/", 20) == 0)
        api_tickets(n, req, path + 20);
    else if (strcmp(path, "/v1/compute/params") == 0)
        api_cparams(n, req);
    else
        return api_subnet_route(n, req, path, query);
    return 1;
}
