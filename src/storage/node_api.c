/* Storage endpoints (docs/api.md, docs/storage-chain.md): one deal, deals
 * by client or provider, the current epoch's challenges of a provider (what
 * a provider daemon polls), the storage providers and the storage rules in
 * force (what a client reads to pick providers), and an owner's sealed file
 * name records. */
#include <event2/keyvalq_struct.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include "cairn/storage.h"
#include "node/api_handlers.h"

#define CHALLENGES_MAX 1000
#define SPROVIDERS_MAX 1000

static const char *const state_names[] = {"unknown", "active", "ended",
                                          "failed"};
static const char *const end_names[] = {NULL, "completed", "client", "faults",
                                        "exhausted"};

static json_t *epoch_or_null(uint64_t e)
{
    return e == CAIRN_EPOCH_NONE ? json_null() : api_json_u64(e);
}

/* A deal as JSON (docs/api.md). */
static json_t *deal_json(const cairn_deal_info *d)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", api_json_u64(d->id));
    json_object_set_new(o, "client", api_json_addr(&d->client));
    json_object_set_new(o, "provider", api_json_addr(&d->provider));
    json_object_set_new(o, "root", api_json_hex(d->root.b, 32));
    json_object_set_new(o, "size", api_json_u64(d->size));
    json_object_set_new(o, "file_tag", api_json_hex(d->file_tag.b, 32));
    json_object_set_new(o, "segment", api_json_u64(d->segment));
    json_object_set_new(o, "piece_index", api_json_u64(d->piece_index));
    json_object_set_new(o, "permanent",
                        json_boolean(d->flags & CAIRN_DEAL_PERMANENT));
    json_object_set_new(o, "state",
                        json_string(state_names[d->state <= 3 ? d->state : 0]));
    json_object_set_new(o, "end_reason",
                        d->end_reason >= 1 && d->end_reason <= 4
                            ? json_string(end_names[d->end_reason])
                            : json_null());
    json_object_set_new(o, "client_ended",
                        json_boolean(d->flags & CAIRN_DEAL_CLIENT_ENDED));
    json_object_set_new(o, "start_epoch", api_json_u64(d->start_epoch));
    json_object_set_new(o, "end_epoch", epoch_or_null(d->end_epoch));
    api_json_set_amount(o, "price", d->price);
    api_json_set_amount(o, "escrow", d->escrow);
    api_json_set_amount(o, "collateral", d->collateral);
    json_object_set_new(o, "faults", api_json_u64(d->faults));
    json_object_set_new(o, "total_faults", api_json_u64(d->total_faults));
    json_object_set_new(o, "last_proven", epoch_or_null(d->last_proven));
    api_json_set_amount(o, "paid", d->paid);
    api_json_set_amount(o, "slashed", d->slashed);
    json_object_set_new(o, "opened_height", api_json_u64(d->opened_height));
    return o;
}

static void api_deal(node *n, httpd_req *req, const char *id)
{
    uint64_t v;
    cairn_deal_info d;
    if (api_parse_num(id, &v)) {
        api_error(req, 400, CAIRN_ERR_BAD_ARG, "a deal id is a decimal number");
        return;
    }
    pthread_mutex_lock(&n->lock);
    cairn_err e = cairn_chain_deal(n->chain, v, &d);
    pthread_mutex_unlock(&n->lock);
    if (e)
        api_error(req, e == CAIRN_ERR_NO_DEAL ? 404 : 0, e, NULL);
    else
        api_reply(req, 200, deal_json(&d));
}

/* Query of a list: who (client= or provider=), after, limit. */
typedef struct list_query {
    cairn_pubkey who;
    int by_provider;
    uint64_t after, limit;
} list_query;

/* Parses `query` into q; returns an error text, or NULL. `roles` allows
 * provider= only (0) or client= or provider= (1). */
static const char *parse_list(const char *query, list_query *q, int roles,
                              uint64_t max)
{
    struct evkeyvalq kv;
    const char *err = NULL;
    TAILQ_INIT(&kv);
    if (!query || evhttp_parse_query_str(query, &kv))
        err = "malformed query";
    const char *c = err ? NULL : evhttp_find_header(&kv, "client");
    const char *p = err ? NULL : evhttp_find_header(&kv, "provider");
    const char *a = err ? NULL : evhttp_find_header(&kv, "after");
    const char *l = err ? NULL : evhttp_find_header(&kv, "limit");
    q->by_provider = p != NULL;
    q->after = 0;
    q->limit = max;
    if (!err && ((!c && !p) || (c && p) || (c && !roles)))
        err = roles ? "give client=ADDRESS or provider=ADDRESS"
                    : "give provider=ADDRESS";
    else if (!err && cairn_addr_parse(&q->who, c ? c : p))
        err = "not a valid cairn1... address";
    else if (!err && a && api_parse_num(a, &q->after))
        err = "after must be a deal id";
    else if (!err && l &&
             (api_parse_num(l, &q->limit) || q->limit == 0 || q->limit > max))
        err = "limit out of range";
    evhttp_clear_headers(&kv);
    return err;
}

static void api_deals(node *n, httpd_req *req, const char *query)
{
    list_query q;
    size_t cnt = 0;
    int more = 0;
    const char *bad = parse_list(query, &q, 1, CAIRN_DEALS_MAX);
    if (bad) {
        api_error(req, 400, CAIRN_ERR_BAD_ARG, bad);
        return;
    }
    cairn_deal_info *list = calloc(q.limit, sizeof *list);
    if (!list) {
        api_error(req, 500, CAIRN_ERR_NOMEM, NULL);
        return;
    }
    pthread_mutex_lock(&n->lock);
    cairn_err e = cairn_chain_deals(n->chain, q.by_provider, &q.who, q.after,
                                    list, q.limit, &cnt, &more);
    pthread_mutex_unlock(&n->lock);
    json_t *o = json_object(), *arr = json_array();
    for (size_t i = 0; !e && i < cnt; i++)
        json_array_append_new(arr, deal_json(&list[i]));
    free(list);
    json_object_set_new(o, "deals", arr);
    json_object_set_new(o, "more", json_boolean(more));
    if (e) {
        json_decref(o);
        api_error(req, 0, e, NULL);
        return;
    }
    api_reply(req, 200, o);
}

static json_t *challenge_json(const cairn_challenge *c)
{
    json_t *o = json_object();
    json_object_set_new(o, "deal", api_json_u64(c->deal_id));
    json_object_set_new(o, "epoch", api_json_u64(c->epoch));
    json_object_set_new(o, "leaf_index", api_json_u64(c->leaf_index));
    json_object_set_new(o, "leaves", api_json_u64(c->leaves));
    json_object_set_new(o, "size", api_json_u64(c->size));
    json_object_set_new(o, "root", api_json_hex(c->root.b, 32));
    json_object_set_new(o, "proven", json_boolean(c->proven));
    return o;
}

static void api_challenges(node *n, httpd_req *req, const char *query)
{
    list_query q;
    size_t cnt = 0;
    int more = 0;
    uint64_t epoch = 0;
    cairn_hash seed = {{0}};
    const char *bad = parse_list(query, &q, 0, CHALLENGES_MAX);
    if (bad) {
        api_error(req, 400, CAIRN_ERR_BAD_ARG, bad);
        return;
    }
    cairn_challenge *ch = calloc(q.limit, sizeof *ch);
    if (!ch) {
        api_error(req, 500, CAIRN_ERR_NOMEM, NULL);
        return;
    }
    pthread_mutex_lock(&n->lock);
    cairn_err e = cairn_chain_storage_seed(n->chain, &epoch, &seed);
    if (!e)
        e = cairn_chain_storage_challenges(n->chain, &q.who, q.after, ch,
                                           q.limit, &cnt, &more);
    pthread_mutex_unlock(&n->lock);
    json_t *o = json_object(), *arr = json_array();
    for (size_t i = 0; !e && i < cnt; i++)
        json_array_append_new(arr, challenge_json(&ch[i]));
    free(ch);
    json_object_set_new(o, "epoch", api_json_u64(epoch));
    json_object_set_new(o, "seed", api_json_hex(seed.b, 32));
    json_object_set_new(o, "challenges", arr);
    json_object_set_new(o, "more", json_boolean(more));
    if (e) {
        json_decref(o);
        api_error(req, 0, e, NULL);
        return;
    }
    api_reply(req, 200, o);
}

static json_t *sprovider_json(const cairn_storage_provider *p)
{
    json_t *o = json_object();
    json_object_set_new(o, "address", api_json_addr(&p->address));
    json_object_set_new(o, "endpoint", json_string(p->endpoint));
    api_json_set_amount(o, "self_stake", p->self_stake);
    api_json_set_amount(o, "delegated", p->delegated);
    json_object_set_new(o, "commission_bps", api_json_u64(p->commission_bps));
    json_object_set_new(o, "active", json_boolean(p->active));
    json_object_set_new(o, "jailed", json_boolean(p->jailed));
    return o;
}

/* Reads after= (an address) and limit= of /v1/storage/providers. */
static const char *parse_providers(const char *query, cairn_pubkey *after,
                                   int *has_after, uint64_t *limit)
{
    struct evkeyvalq kv;
    const char *err = NULL;
    TAILQ_INIT(&kv);
    *has_after = 0;
    *limit = SPROVIDERS_MAX;
    if (!query) /* no query: defaults */
        return NULL;
    if (evhttp_parse_query_str(query, &kv))
        err = "malformed query";
    const char *a = err ? NULL : evhttp_find_header(&kv, "after");
    const char *l = err ? NULL : evhttp_find_header(&kv, "limit");
    if (a && cairn_addr_parse(after, a))
        err = "after must be a cairn1... address";
    else if (l && (api_parse_num(l, limit) || *limit == 0 ||
                   *limit > SPROVIDERS_MAX))
        err = "limit must be 1..1000";
    *has_after = a != NULL;
    evhttp_clear_headers(&kv);
    return err;
}

static void api_sproviders(node *n, httpd_req *req, const char *query)
{
    cairn_pubkey after, next;
    int has_after, more = 0;
    uint64_t limit;
    size_t cnt = 0;
    const char *bad = parse_providers(query, &after, &has_after, &limit);
    if (bad) {
        api_error(req, 400, CAIRN_ERR_BAD_ARG, bad);
        return;
    }
    cairn_storage_provider *list = calloc(limit, sizeof *list);
    if (!list) {
        api_error(req, 500, CAIRN_ERR_NOMEM, NULL);
        return;
    }
    pthread_mutex_lock(&n->lock);
    cairn_err e = cairn_chain_storage_providers(
        n->chain, has_after ? &after : NULL, list, limit, &cnt, &next, &more);
    pthread_mutex_unlock(&n->lock);
    json_t *o = json_object(), *arr = json_array();
    for (size_t i = 0; !e && i < cnt; i++)
        json_array_append_new(arr, sprovider_json(&list[i]));
    free(list);
    json_object_set_new(o, "providers", arr);
    json_object_set_new(o, "more", json_boolean(more));
    json_object_set_new(o, "next", more ? api_json_addr(&next) : json_null());
    if (e) {
        json_decref(o);
        api_error(req, 0, e, NULL);
        return;
    }
    api_reply(req, 200, o);
}

static void api_sparams(node *n, httpd_req *req)
{
    cairn_storage_params p;
    pthread_mutex_lock(&n->lock);
    cairn_err e = cairn_chain_storage_params(n->chain, &p);
    pthread_mutex_unlock(&n->lock);
    if (e) {
        api_error(req, 0, e, NULL);
        return;
    }
    json_t *o = json_object();
    json_object_set_new(o, "epoch", api_json_u64(p.epoch));
    json_object_set_new(o, "deal_collateral_bps",
                        api_json_u64(p.collateral_bps));
    json_object_set_new(o, "deal_fault_slash_bps",
                        api_json_u64(p.fault_slash_bps));
    json_object_set_new(o, "deal_max_faults", api_json_u64(p.max_faults));
    json_object_set_new(o, "deal_max_epochs", api_json_u64(p.max_epochs));
    json_object_set_new(o, "deal_start_window",
                        api_json_u64(CAIRN_DEAL_START_WINDOW));
    api_json_set_amount(o, "perm_cost_per_mib", p.perm_cost_per_mib);
    json_object_set_new(o, "perm_decline_bps",
                        api_json_u64(p.perm_decline_bps));
    api_json_set_amount(o, "deal_min_price_per_mib", p.min_price_per_mib);
    json_object_set_new(o, "piece_max", api_json_u64(CAIRN_PIECE_MAX));
    json_object_set_new(o, "leaf_size", api_json_u64(CAIRN_LEAF_SIZE));
    json_object_set_new(o, "prove_max", api_json_u64(CAIRN_PROVE_MAX));
    api_reply(req, 200, o);
}

/* Reads owner= (an address), after= (32 hex digits) and limit= of
 * /v1/storage/names. */
static const char *parse_names(const char *query, cairn_pubkey *owner,
                               uint8_t after[CAIRN_FILE_ID_LEN], int *has_after,
                               uint64_t *limit)
{
    struct evkeyvalq kv;
    const char *err = NULL;
    TAILQ_INIT(&kv);
    *has_after = 0;
    *limit = CAIRN_FILE_NAMES_MAX;
    if (!query || evhttp_parse_query_str(query, &kv))
        err = "give owner=ADDRESS";
    const char *o = err ? NULL : evhttp_find_header(&kv, "owner");
    const char *a = err ? NULL : evhttp_find_header(&kv, "after");
    const char *l = err ? NULL : evhttp_find_header(&kv, "limit");
    if (!err && (!o || cairn_addr_parse(owner, o)))
        err = "give owner=ADDRESS (a cairn1... address)";
    else if (a && (strlen(a) != 2 * CAIRN_FILE_ID_LEN ||
                   cairn_hex_decode(after, CAIRN_FILE_ID_LEN, a, strlen(a))))
        err = "after must be a file id (32 hex digits)";
    else if (l && (api_parse_num(l, limit) || *limit == 0 ||
                   *limit > CAIRN_FILE_NAMES_MAX))
        err = "limit must be 1..1000";
    *has_after = a != NULL;
    evhttp_clear_headers(&kv);
    return err;
}

static void api_names(node *n, httpd_req *req, const char *query)
{
    cairn_pubkey owner;
    uint8_t after[CAIRN_FILE_ID_LEN];
    int has_after, more = 0;
    uint64_t limit;
    size_t cnt = 0;
    const char *bad = parse_names(query, &owner, after, &has_after, &limit);
    if (bad) {
        api_error(req, 400, CAIRN_ERR_BAD_ARG, bad);
        return;
    }
    cairn_name_record *list = calloc(limit, sizeof *list);
    if (!list) {
        api_error(req, 500, CAIRN_ERR_NOMEM, NULL);
        return;
    }
    pthread_mutex_lock(&n->lock);
    cairn_err e = cairn_chain_file_names(
        n->chain, &owner, has_after ? after : NULL, list, limit, &cnt, &more);
    pthread_mutex_unlock(&n->lock);
    json_t *o = json_object(), *arr = json_array();
    for (size_t i = 0; !e && i < cnt; i++) {
        json_t *r = json_object();
        json_object_set_new(r, "id",
                            api_json_hex(list[i].id, CAIRN_FILE_ID_LEN));
        json_object_set_new(r, "blob", api_json_hex(list[i].blob, list[i].len));
        json_array_append_new(arr, r);
    }
    free(list);
    json_object_set_new(o, "names", arr);
    json_object_set_new(o, "more", json_boolean(more));
    if (e) {
        json_decref(o);
        api_error(req, 0, e, NULL);
        return;
    }
    api_reply(req, 200, o);
}

int api_storage_route(node *n, httpd_req *req, const char *path,
                      const char *query)
{
    if (strncmp(path, "/v1/deal/", 9) == 0)
        api_deal(n, req, path + 9);
    else if (strcmp(path, "/v1/deals") == 0)
        api_deals(n, req, query);
    else if (strcmp(path, "/v1/storage/challenges") == 0)
        api_challenges(n, req, query);
    else if (strcmp(path, "/v1/storage/providers") == 0)
        api_sproviders(n, req, query);
    else if (strcmp(path, "/v1/storage/params") == 0)
        api_sparams(n, req);
    else if (strcmp(path, "/v1/storage/names") == 0)
        api_names(n, req, query);
    else
        return 0;
    return 1;
}
