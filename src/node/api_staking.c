/* Staking endpoints (docs/api.md): /v1/staking, /v1/provider/A,
 * /v1/providers, /v1/delegation/D/P and /v1/unbonding/A. Amounts are token
 * strings plus *_units strings, as everywhere in the API. */
#include <event2/keyvalq_struct.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include "cairn/staking.h"
#include "node/api_handlers.h"

#define UNBOND_SHOW 100 /* entries listed per address */
#define PROVIDERS_DEFAULT 100
#define PROVIDERS_MAX 1000

/* Parses a text address of exactly the address length; 0 on success. */
static int parse_addr(const char *s, size_t len, cairn_pubkey *pk)
{
    char a[CAIRN_ADDR_TEXT_LEN + 1];
    if (len != CAIRN_ADDR_TEXT_LEN)
        return -1;
    memcpy(a, s, len);
    a[len] = '\0';
    return cairn_addr_parse(pk, a) ? -1 : 0;
}

static void bad_addr(httpd_req *req, const char *what)
{
    char msg[160];
    snprintf(msg, sizeof msg,
             "%s is not a valid cairn1... address (see docs/encoding.md)",
             what);
    api_error(req, 400, CAIRN_ERR_BAD_ADDRESS, msg);
}

static json_t *u64_string(uint64_t v)
{
    char num[24];
    snprintf(num, sizeof num, "%llu", (unsigned long long)v);
    return json_string(num);
}

/* Last block of epoch `r` if epoch_blocks stays as it is now. */
static uint64_t epoch_end_height(const cairn_staking_status *st, uint64_t r)
{
    uint64_t ahead = r >= st->epoch ? r - st->epoch + 1 : 0;
    if (ahead &&
        st->epoch_blocks > (UINT64_MAX - st->epoch_start_height) / ahead)
        return UINT64_MAX;
    return ahead ? st->epoch_start_height + ahead * st->epoch_blocks - 1 : 0;
}

/* An address's unbonding, read under the lock. */
typedef struct unbond_view {
    cairn_unbond_entry e[UNBOND_SHOW];
    size_t n;
    uint64_t total;
} unbond_view;

/* Sets "unbonding" (entries), "unbonding_count" and "unbonding_total". */
static void set_unbonding(json_t *o, const unbond_view *u,
                          const cairn_staking_status *st)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < u->n && i < UNBOND_SHOW; i++) {
        json_t *x = json_object();
        json_object_set_new(x, "release_epoch",
                            api_json_u64(u->e[i].release_epoch));
        json_object_set_new(
            x, "release_height",
            api_json_u64(epoch_end_height(st, u->e[i].release_epoch)));
        api_json_set_amount(x, "amount", u->e[i].amount);
        json_object_set_new(x, "seq", api_json_u64(u->e[i].seq));
        json_array_append_new(arr, x);
    }
    json_object_set_new(o, "unbonding", arr);
    json_object_set_new(o, "unbonding_count", api_json_u64(u->n));
    api_json_set_amount(o, "unbonding_total", u->total);
    json_object_set_new(o, "unbonding_epochs",
                        api_json_u64(st->unbonding_epochs));
}

/* A provider's own fields. */
static json_t *provider_json(const cairn_pubkey *pk,
                             const cairn_provider_info *p)
{
    json_t *o = json_object();
    json_object_set_new(o, "address", api_json_addr(pk));
    json_object_set_new(o, "sector", json_string(cairn_sector_name(p->sector)));
    json_object_set_new(o, "endpoint", json_string(p->endpoint));
    json_object_set_new(o, "active", json_boolean(p->active));
    json_object_set_new(o, "jailed", json_boolean(p->jailed));
    json_object_set_new(o, "jailed_until", api_json_u64(p->jailed_until));
    json_object_set_new(o, "commission_bps", api_json_u64(p->commission_bps));
    api_json_set_amount(o, "self_stake", p->self_stake);
    api_json_set_amount(o, "delegated", p->delegated);
    api_json_set_amount(o, "reward", p->reward);
    api_json_set_amount(o, "delegator_pool", p->delegator_pool);
    json_object_set_new(o, "faults", api_json_u64(p->faults));
    json_object_set_new(o, "registered_height",
                        api_json_u64(p->registered_height));
    return o;
}

/* Tip height and staking status, under the lock already held. */
static cairn_err context_locked(node *n, uint64_t *height,
                                cairn_staking_status *st)
{
    cairn_header h;
    cairn_chain_tip(n->chain, &h, NULL);
    *height = h.height;
    return cairn_chain_staking_status(n->chain, st);
}

/* ---- GET /v1/staking ---- */

static void api_staking(node *n, httpd_req *req)
{
    cairn_staking_status st;
    uint64_t height;
    pthread_mutex_lock(&n->lock);
    cairn_err e = context_locked(n, &height, &st);
    pthread_mutex_unlock(&n->lock);
    if (e) {
        api_error(req, 0, e, NULL);
        return;
    }
    json_t *o = json_object();
    json_object_set_new(o, "height", api_json_u64(height));
    json_object_set_new(o, "epoch", api_json_u64(st.epoch));
    json_object_set_new(o, "epoch_start_height",
                        api_json_u64(st.epoch_start_height));
    json_object_set_new(o, "epoch_end_height",
                        api_json_u64(epoch_end_height(&st, st.epoch)));
    json_object_set_new(o, "epoch_blocks", api_json_u64(st.epoch_blocks));
    json_object_set_new(o, "unbonding_epochs",
                        api_json_u64(st.unbonding_epochs));
    api_json_set_amount(o, "min_provider_stake", st.min_provider_stake);
    api_json_set_amount(o, "min_delegation", st.min_delegation);
    json_object_set_new(o, "max_commission_bps",
                        api_json_u64(st.max_commission_bps));
    api_json_set_amount(o, "staked", st.staked);
    api_json_set_amount(o, "unbonding", st.unbonding);
    api_reply(req, 200, o);
}

/* ---- GET /v1/provider/A and /v1/unbonding/A ---- */

static void api_provider(node *n, httpd_req *req, const char *addr)
{
    cairn_pubkey pk;
    cairn_provider_info p;
    cairn_staking_status st;
    uint64_t height;
    unbond_view *u = calloc(1, sizeof *u);
    if (!u) {
        api_error(req, 500, CAIRN_ERR_NOMEM, NULL);
        return;
    }
    if (parse_addr(addr, strlen(addr), &pk)) {
        free(u);
        bad_addr(req, "the provider");
        return;
    }
    pthread_mutex_lock(&n->lock);
    cairn_err e = context_locked(n, &height, &st);
    if (!e)
        e = cairn_chain_provider(n->chain, &pk, &p);
    if (!e)
        e = cairn_chain_unbonding(n->chain, &pk, u->e, UNBOND_SHOW, &u->n,
                                  &u->total);
    pthread_mutex_unlock(&n->lock);
    if (e) {
        free(u);
        api_error(req, e == CAIRN_ERR_NOT_PROVIDER ? 404 : 0, e, NULL);
        return;
    }
    json_t *o = provider_json(&pk, &p);
    json_object_set_new(o, "height", api_json_u64(height));
    json_object_set_new(o, "epoch", api_json_u64(st.epoch));
    set_unbonding(o, u, &st);
    free(u);
    api_reply(req, 200, o);
}

static void api_unbonding(node *n, httpd_req *req, const char *addr)
{
    cairn_pubkey pk;
    cairn_staking_status st;
    uint64_t height;
    unbond_view *u = calloc(1, sizeof *u);
    if (!u) {
        api_error(req, 500, CAIRN_ERR_NOMEM, NULL);
        return;
    }
    if (parse_addr(addr, strlen(addr), &pk)) {
        free(u);
        bad_addr(req, "the address");
        return;
    }
    pthread_mutex_lock(&n->lock);
    cairn_err e = context_locked(n, &height, &st);
    if (!e)
        e = cairn_chain_unbonding(n->chain, &pk, u->e, UNBOND_SHOW, &u->n,
                                  &u->total);
    pthread_mutex_unlock(&n->lock);
    if (e) {
        free(u);
        api_error(req, 0, e, NULL);
        return;
    }
    json_t *o = json_object();
    json_object_set_new(o, "address", api_json_addr(&pk));
    json_object_set_new(o, "height", api_json_u64(height));
    json_object_set_new(o, "epoch", api_json_u64(st.epoch));
    set_unbonding(o, u, &st);
    free(u);
    api_reply(req, 200, o);
}

/* ---- GET /v1/delegation/D/P ---- */

static void api_delegation(node *n, httpd_req *req, const char *rest)
{
    cairn_pubkey who, prov;
    cairn_delegation_info d;
    cairn_staking_status st;
    uint64_t height;
    const char *slash = strchr(rest, '/');
    if (!slash || parse_addr(rest, (size_t)(slash - rest), &who)) {
        bad_addr(req, "the delegator (/v1/delegation/DELEGATOR/PROVIDER)");
        return;
    }
    if (parse_addr(slash + 1, strlen(slash + 1), &prov)) {
        bad_addr(req, "the provider (/v1/delegation/DELEGATOR/PROVIDER)");
        return;
    }
    pthread_mutex_lock(&n->lock);
    cairn_err e = context_locked(n, &height, &st);
    if (!e)
        e = cairn_chain_delegation(n->chain, &who, &prov, &d);
    pthread_mutex_unlock(&n->lock);
    if (e) {
        int notfound =
            e == CAIRN_ERR_NOT_PROVIDER || e == CAIRN_ERR_NOT_DELEGATED;
        api_error(req, notfound ? 404 : 0, e, NULL);
        return;
    }
    json_t *o = json_object();
    json_object_set_new(o, "delegator", api_json_addr(&who));
    json_object_set_new(o, "provider", api_json_addr(&prov));
    json_object_set_new(o, "height", api_json_u64(height));
    json_object_set_new(o, "epoch", api_json_u64(st.epoch));
    api_json_set_amount(o, "stake", d.stake);
    json_object_set_new(o, "shares", u64_string(d.shares));
    api_json_set_amount(o, "pending", d.pending);
    api_reply(req, 200, o);
}

/* ---- GET /v1/providers?sector=S&limit=N&after=A ---- */

/* Reads the list's query; 0, or -1 after replying 400. */
static int providers_query(httpd_req *req, const char *query, unsigned *sector,
                           size_t *limit, cairn_pubkey *after, int *has_after)
{
    struct evkeyvalq q;
    uint8_t sec = 0;
    uint64_t v = PROVIDERS_DEFAULT;
    TAILQ_INIT(&q);
    int bad = query && evhttp_parse_query_str(query, &q);
    const char *s = bad ? NULL : evhttp_find_header(&q, "sector");
    const char *l = bad ? NULL : evhttp_find_header(&q, "limit");
    const char *a = bad ? NULL : evhttp_find_header(&q, "after");
    int bad_s = s && cairn_sector_parse(s, &sec);
    int bad_l = l && (api_parse_num(l, &v) || v < 1 || v > PROVIDERS_MAX);
    int bad_a = a && parse_addr(a, strlen(a), after);
    evhttp_clear_headers(&q);
    *sector = s ? sec : CAIRN_SECTOR_SLOTS;
    *limit = (size_t)v;
    *has_after = a != NULL;
    if (bad || bad_l)
        api_error(req, 400, CAIRN_ERR_BAD_ARG, "limit must be 1..1000");
    else if (bad_s)
        api_error(req, 400, CAIRN_ERR_BAD_SECTOR, NULL);
    else if (bad_a)
        bad_addr(req, "after");
    return bad || bad_l || bad_s || bad_a ? -1 : 0;
}

static void api_providers(node *n, httpd_req *req, const char *query)
{
    unsigned sector;
    size_t limit, cnt = 0;
    cairn_pubkey after, next;
    int has_after, more = 0;
    uint64_t height;
    cairn_staking_status st;
    if (providers_query(req, query, &sector, &limit, &after, &has_after))
        return;
    cairn_provider_entry *list = calloc(limit, sizeof *list);
    if (!list) {
        api_error(req, 500, CAIRN_ERR_NOMEM, NULL);
        return;
    }
    pthread_mutex_lock(&n->lock);
    cairn_err e = context_locked(n, &height, &st);
    if (!e)
        e = cairn_chain_providers(n->chain, sector, has_after ? &after : NULL,
                                  list, limit, &cnt, &next, &more);
    pthread_mutex_unlock(&n->lock);
    if (e) {
        free(list);
        api_error(req, 0, e, NULL);
        return;
    }
    json_t *o = json_object(), *arr = json_array();
    for (size_t i = 0; i < cnt; i++)
        json_array_append_new(arr,
                              provider_json(&list[i].address, &list[i].info));
    free(list);
    json_object_set_new(o, "height", api_json_u64(height));
    json_object_set_new(o, "epoch", api_json_u64(st.epoch));
    json_object_set_new(o, "providers", arr);
    json_object_set_new(o, "next", more ? api_json_addr(&next) : json_null());
    api_reply(req, 200, o);
}

/* ---- routing ---- */

int api_staking_route(node *n, httpd_req *req, const char *path,
                      const char *query)
{
    if (strcmp(path, "/v1/staking") == 0)
        api_staking(n, req);
    else if (strncmp(path, "/v1/provider/", 13) == 0)
        api_provider(n, req, path + 13);
    else if (strcmp(path, "/v1/providers") == 0)
        api_providers(n, req, query);
    else if (strncmp(path, "/v1/delegation/", 15) == 0)
        api_delegation(n, req, path + 15);
    else if (strncmp(path, "/v1/unbonding/", 14) == 0)
        api_unbonding(n, req, path + 14);
    else
        return 0;
    return 1;
}
