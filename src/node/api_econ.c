/* Economy endpoints (docs/api.md): governance proposals, the parameters in
 * force, service credits, the price feed, per-epoch metrics as JSON, and
 * the Prometheus /metrics exposition. */
#include <event2/buffer.h>
#include <event2/keyvalq_struct.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include "cairn/amount.h"
#include "cairn/credits.h"
#include "cairn/gov.h"
#include "cairn/metrics.h"
#include "cairn/staking.h"
#include "node/api_handlers.h"

#define PROPOSALS_MAX 100
#define PARAMS_MAX 256 /* far above the parameter table's size */
#define METRICS_DEFAULT 100

/* Reads query parameter k as a u64 (*set = 0 when absent); -1 if bad. */
static int query_opt(struct evkeyvalq *q, const char *k, uint64_t *v, int *set)
{
    const char *s = evhttp_find_header(q, k);
    *set = s != NULL;
    return s ? api_parse_num(s, v) : 0;
}

/* ---- governance ---- */

/* A proposal as JSON. */
static json_t *proposal_json(const cairn_gov_info *g)
{
    json_t *o = json_object(), *t = json_object();
    json_object_set_new(o, "id", api_json_u64(g->id));
    json_object_set_new(
        o, "type", json_string(g->type == CAIRN_GOV_PARAM ? "param" : "spend"));
    json_object_set_new(o, "status",
                        json_string(cairn_gov_status_name(g->status)));
    json_object_set_new(o, "proposer", api_json_addr(&g->proposer));
    api_json_set_amount(o, "deposit", g->deposit);
    json_object_set_new(o, "deposit_held", json_boolean(g->deposit_held));
    json_object_set_new(o, "start_height", api_json_u64(g->start_height));
    json_object_set_new(o, "end_height", api_json_u64(g->end_height));
    if (g->type == CAIRN_GOV_PARAM) {
        json_object_set_new(o, "param", json_string(g->param));
        char num[24];
        snprintf(num, sizeof num, "%llu", (unsigned long long)g->value);
        json_object_set_new(o, "value", json_string(num));
    } else {
        json_object_set_new(o, "to", api_json_addr(&g->to));
        api_json_set_amount(o, "amount", g->amount);
    }
    api_json_set_amount(t, "yes", g->yes);
    api_json_set_amount(t, "no", g->no);
    api_json_set_amount(t, "abstain", g->abstain);
    api_json_set_amount(t, "total_bonded", g->total_bonded);
    json_object_set_new(o, "tally", t);
    if (g->status == CAIRN_GOV_FAILED)
        json_object_set_new(o, "exec_error",
                            json_string(cairn_errname(g->exec_err)));
    return o;
}

void api_proposals(node *n, httpd_req *req, const char *query)
{
    struct evkeyvalq q;
    uint64_t after = 0, limit = PROPOSALS_MAX;
    int s1, s2;
    size_t cnt = 0;
    TAILQ_INIT(&q);
    int bad = query && evhttp_parse_query_str(query, &q);
    bad = bad || query_opt(&q, "after", &after, &s1) ||
          query_opt(&q, "limit", &limit, &s2) || limit == 0 ||
          limit > PROPOSALS_MAX;
    evhttp_clear_headers(&q);
    if (bad) {
        api_error(req, 400, CAIRN_ERR_BAD_ARG,
                  "after must be a proposal id, limit 1..100");
        return;
    }
    cairn_gov_info *list = calloc(limit, sizeof *list);
    if (!list) {
        api_error(req, 500, CAIRN_ERR_NOMEM, NULL);
        return;
    }
    pthread_mutex_lock(&n->lock);
    cairn_err e = cairn_chain_gov_proposals(n->chain, after, list, limit, &cnt);
    pthread_mutex_unlock(&n->lock);
    json_t *o = json_object(), *arr = json_array();
    for (size_t i = 0; !e && i < cnt; i++)
        json_array_append_new(arr, proposal_json(&list[i]));
    free(list);
    json_object_set_new(o, "proposals", arr);
    if (e) {
        json_decref(o);
        api_error(req, 0, e, NULL);
        return;
    }
    api_reply(req, 200, o);
}

void api_proposal(node *n, httpd_req *req, const char *id)
{
    uint64_t v;
    cairn_gov_info g;
    if (api_parse_num(id, &v)) {
        api_error(req, 400, CAIRN_ERR_BAD_ARG,
                  "a proposal id is a decimal number");
        return;
    }
    pthread_mutex_lock(&n->lock);
    cairn_err e = cairn_chain_gov_proposal(n->chain, v, &g);
    pthread_mutex_unlock(&n->lock);
    if (e)
        api_error(req, e == CAIRN_ERR_NO_PROPOSAL ? 404 : 0, e, NULL);
    else
        api_reply(req, 200, proposal_json(&g));
}

/* ---- credits and price ---- */

void api_credits(node *n, httpd_req *req, const char *addr)
{
    cairn_pubkey pk;
    cairn_header h;
    uint64_t credits = 0;
    if (strlen(addr) != CAIRN_ADDR_TEXT_LEN || cairn_addr_parse(&pk, addr)) {
        api_error(req, 400, CAIRN_ERR_BAD_ADDRESS, NULL);
        return;
    }
    pthread_mutex_lock(&n->lock);
    cairn_chain_tip(n->chain, &h, NULL);
    cairn_err e = cairn_chain_credits(n->chain, &pk, &credits);
    pthread_mutex_unlock(&n->lock);
    if (e) {
        api_error(req, 0, e, NULL);
        return;
    }
    json_t *o = json_object();
    char num[24];
    snprintf(num, sizeof num, "%llu", (unsigned long long)credits);
    json_object_set_new(o, "address", api_json_addr(&pk));
    json_object_set_new(o, "height", api_json_u64(h.height));
    json_object_set_new(o, "credits", json_string(num));
    api_reply(req, 200, o);
}

void api_price(node *n, httpd_req *req)
{
    cairn_price_info pi;
    cairn_header h;
    pthread_mutex_lock(&n->lock);
    cairn_chain_tip(n->chain, &h, NULL);
    cairn_err e = cairn_chain_price(n->chain, &pi);
    pthread_mutex_unlock(&n->lock);
    if (e) {
        api_error(req, 0, e, NULL);
        return;
    }
    json_t *o = json_object();
    json_object_set_new(o, "height", api_json_u64(h.height));
    json_object_set_new(o, "epoch", api_json_u64(pi.epoch));
    json_object_set_new(
        o, "oracle", pi.has_oracle ? api_json_addr(&pi.oracle) : json_null());
    json_object_set_new(o, "max_change_bps", api_json_u64(pi.max_change_bps));
    if (pi.has_price) {
        api_json_set_amount(o, "price", pi.price);
        api_json_set_amount(o, "epoch_start_price", pi.epoch_start_price);
        json_object_set_new(o, "set_height", api_json_u64(pi.set_height));
    } else {
        json_object_set_new(o, "price", json_null());
    }
    api_reply(req, 200, o);
}

/* ---- parameters in force ---- */

/* Sets name (and, for an amount, name_tokens) from a raw value. */
static void set_raw(json_t *o, const char *name, uint64_t v, int amount)
{
    char num[24], key[32], txt[CAIRN_AMOUNT_TEXT_MAX];
    snprintf(num, sizeof num, "%llu", (unsigned long long)v);
    json_object_set_new(o, name, json_string(num));
    if (!amount)
        return;
    snprintf(key, sizeof key, "%s_tokens", name);
    cairn_amount_format(txt, v);
    json_object_set_new(o, key, json_string(txt));
}

/* One governable parameter as JSON. */
static json_t *param_json(const cairn_econ_param *p)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", api_json_u64(p->id));
    json_object_set_new(o, "name", json_string(p->name));
    json_object_set_new(o, "amount", json_boolean(p->amount));
    set_raw(o, "value", p->value, p->amount);
    set_raw(o, "default", p->def, p->amount);
    set_raw(o, "min", p->min, p->amount);
    set_raw(o, "max", p->max, p->amount);
    json_object_set_new(o, "description", json_string(p->doc));
    return o;
}

void api_params(node *n, httpd_req *req)
{
    cairn_econ_param *ps = calloc(PARAMS_MAX, sizeof *ps);
    cairn_staking_status st;
    cairn_price_info pi;
    cairn_header h;
    size_t cnt = 0;
    if (!ps) {
        api_error(req, 500, CAIRN_ERR_NOMEM, NULL);
        return;
    }
    pthread_mutex_lock(&n->lock);
    cairn_chain_tip(n->chain, &h, NULL);
    cairn_err e = cairn_chain_econ_params(n->chain, ps, PARAMS_MAX, &cnt);
    if (!e)
        e = cairn_chain_staking_status(n->chain, &st);
    if (!e)
        e = cairn_chain_price(n->chain, &pi);
    pthread_mutex_unlock(&n->lock);
    if (!e && cnt > PARAMS_MAX)
        e = CAIRN_ERR_TOO_LARGE; /* cannot be: the table is small */
    if (e) {
        free(ps);
        api_error(req, e == CAIRN_ERR_TOO_LARGE ? 500 : 0, e, NULL);
        return;
    }
    json_t *o = json_object(), *arr = json_array();
    for (size_t i = 0; i < cnt; i++)
        json_array_append_new(arr, param_json(&ps[i]));
    free(ps);
    json_object_set_new(o, "height", api_json_u64(h.height));
    json_object_set_new(o, "epoch", api_json_u64(st.epoch));
    json_object_set_new(o, "price_oracle",
                        pi.has_oracle ? api_json_addr(&pi.oracle)
                                      : json_null());
    json_object_set_new(o, "params", arr);
    api_reply(req, 200, o);
}

/* ---- metrics as JSON ---- */

/* A per-sector object of counts. */
static json_t *sectors_json(const uint64_t *v)
{
    json_t *o = json_object();
    for (unsigned i = 0; i < CAIRN_SECTOR_SLOTS; i++)
        if (strcmp(cairn_sector_name(i), "unknown") != 0) /* in the registry */
            json_object_set_new(o, cairn_sector_name(i), api_json_u64(v[i]));
    return o;
}

/* A signed amount: "-1.5" / "-1500000", or as api_json_set_amount. */
static void set_signed_amount(json_t *o, const char *name, uint64_t units,
                              int neg)
{
    char txt[CAIRN_AMOUNT_TEXT_MAX + 1], key[64], num[26];
    cairn_amount_format(txt + 1, units);
    txt[0] = '-';
    snprintf(key, sizeof key, "%s_units", name);
    snprintf(num, sizeof num, "%s%llu", neg && units ? "-" : "",
             (unsigned long long)units);
    json_object_set_new(o, name, json_string(neg && units ? txt : txt + 1));
    json_object_set_new(o, key, json_string(num));
}

/* Sets o[name] to an amount object by sector name ({"storage": "1.5",
 * "storage_units": "1500000", ...}), sectors of the registry only. */
static void set_sector_amounts(json_t *o, const char *name, const uint64_t *v)
{
    json_t *s = json_object();
    for (unsigned i = 0; i < CAIRN_SECTOR_SLOTS; i++)
        if (strcmp(cairn_sector_name(i), "unknown") != 0)
            api_json_set_amount(s, cairn_sector_name(i), v[i]);
    json_object_set_new(o, name, s);
}

/* One epoch as JSON. */
static json_t *epoch_json(const cairn_epoch_metrics *m)
{
    json_t *o = json_object();
    char v[CAIRN_VELOCITY_TEXT_MAX];
    json_object_set_new(o, "epoch", api_json_u64(m->epoch));
    json_object_set_new(o, "start_height", api_json_u64(m->start_height));
    json_object_set_new(o, "end_height", api_json_u64(m->end_height));
    json_object_set_new(o, "active_providers",
                        sectors_json(m->active_providers));
    json_object_set_new(o, "staked_providers",
                        sectors_json(m->staked_providers));
    json_object_set_new(o, "work_units", sectors_json(m->work_units));
    api_json_set_amount(o, "revenue", m->revenue);
    set_sector_amounts(o, "revenue_by_sector", m->revenue_sector);
    api_json_set_amount(o, "burned", m->burned);
    set_sector_amounts(o, "burned_by_sector", m->burned_sector);
    api_json_set_amount(o, "emitted", m->emitted);
    set_sector_amounts(o, "emitted_by_sector", m->emitted_sector);
    api_json_set_amount(o, "stakers_pool", m->stakers_pool);
    json_t *fd = json_object(); /* Σ = revenue */
    api_json_set_amount(fd, "providers", m->fees_providers);
    api_json_set_amount(fd, "burn", m->fees_burned);
    api_json_set_amount(fd, "treasury", m->fees_treasury);
    api_json_set_amount(fd, "stakers", m->fees_stakers);
    json_object_set_new(o, "fees_by_destination", fd);
    set_signed_amount(o, "net_supply_change", m->net_change, m->net_negative);
    api_json_set_amount(o, "supply", m->supply);
    api_json_set_amount(o, "circulating", m->circulating);
    api_json_set_amount(o, "treasury", m->treasury);
    api_json_set_amount(o, "staked", m->staked);
    api_json_set_amount(o, "held", m->held);
    json_object_set_new(o, "staked_ratio_bps",
                        api_json_u64(m->staked_ratio_bps));
    api_json_set_amount(o, "transfer_volume", m->transfer_volume);
    api_json_set_amount(o, "avg_circulating", m->avg_circulating);
    cairn_velocity_format(v, m->velocity_window_bps);
    json_object_set_new(o, "velocity", json_string(v));
    json_object_set_new(o, "velocity_bps",
                        api_json_u64(m->velocity_window_bps));
    json_object_set_new(o, "velocity_window_epochs",
                        api_json_u64(m->window_epochs));
    cairn_velocity_format(v, m->velocity_bps);
    json_object_set_new(o, "velocity_epoch_annualised", json_string(v));
    json_object_set_new(o, "periods_per_year",
                        api_json_u64(m->periods_per_year));
    json_object_set_new(o, "credits_bought", api_json_u64(m->credits_bought));
    return o;
}

/* Resolves from/to: defaults are the last METRICS_DEFAULT settled epochs
 * (or METRICS_DEFAULT from `from`); -1 when the range is malformed or too
 * long. */
static int metrics_range(const char *query, uint64_t last, uint64_t *from,
                         uint64_t *to)
{
    struct evkeyvalq q;
    int sf, st;
    TAILQ_INIT(&q);
    int bad = query && evhttp_parse_query_str(query, &q);
    bad =
        bad || query_opt(&q, "from", from, &sf) || query_opt(&q, "to", to, &st);
    evhttp_clear_headers(&q);
    if (bad)
        return -1;
    if (!st && sf) /* the METRICS_DEFAULT epochs from `from`, up to the last */
        *to = *from > last                      ? *from
              : last - *from >= METRICS_DEFAULT ? *from + (METRICS_DEFAULT - 1)
                                                : last;
    else if (!st)
        *to = last;
    if (!sf)
        *from = *to >= METRICS_DEFAULT - 1 ? *to - (METRICS_DEFAULT - 1) : 0;
    return *from > *to || *to - *from >= CAIRN_METRICS_MAX_EPOCHS ? -1 : 0;
}

/* Fills o with the epochs from..to. */
static cairn_err metrics_fill(node *n, json_t *arr, uint64_t from, uint64_t to)
{
    size_t cnt = 0, max = (size_t)(to - from + 1);
    cairn_epoch_metrics *m = calloc(max, sizeof *m);
    if (!m)
        return CAIRN_ERR_NOMEM;
    pthread_mutex_lock(&n->lock);
    cairn_err e = cairn_chain_metrics_range(n->chain, from, to, m, max, &cnt);
    pthread_mutex_unlock(&n->lock);
    for (size_t i = 0; !e && i < cnt; i++)
        json_array_append_new(arr, epoch_json(&m[i]));
    free(m);
    return e;
}

void api_metrics(node *n, httpd_req *req, const char *query)
{
    uint64_t last = 0, from = 0, to = 0;
    pthread_mutex_lock(&n->lock);
    cairn_err e = cairn_chain_latest_epoch(n->chain, &last);
    const cairn_params *p = cairn_chain_params(n->chain);
    uint64_t interval = p->block_interval_ms;
    pthread_mutex_unlock(&n->lock);
    int none = e == CAIRN_ERR_NOT_FOUND;
    if (e && !none) {
        api_error(req, 0, e, NULL);
        return;
    }
    if (metrics_range(query, last, &from, &to)) {
        api_error(
            req, 400, CAIRN_ERR_BAD_ARG,
            "from and to are epoch numbers, from <= to, at most 1000 epochs");
        return;
    }
    json_t *o = json_object(), *arr = json_array();
    e = none ? CAIRN_OK : metrics_fill(n, arr, from, to);
    json_object_set_new(o, "latest_epoch",
                        none ? json_null() : api_json_u64(last));
    json_object_set_new(o, "from", api_json_u64(from));
    json_object_set_new(o, "to", api_json_u64(to));
    json_object_set_new(o, "block_interval_ms", api_json_u64(interval));
    json_object_set_new(o, "epochs", arr);
    if (e) {
        json_decref(o);
        api_error(req, 0, e, NULL);
        return;
    }
    api_reply(req, 200, o);
}

/* ---- downsampled series ---- */

/* GET /v1/metrics/series?from=&to=&points=: defaults to the last
 * CAIRN_SERIES_MAX_SPAN settled epochs in CAIRN_SERIES_DEFAULT_POINTS
 * points; `to` past the last settled epoch is cut to it (so a range of
 * 10M epochs on a young chain reads only what exists); a longer range is
 * refused (413), never read. */
void api_metrics_series(node *n, httpd_req *req, const char *query)
{
    struct evkeyvalq q;
    uint64_t last = 0, from = 0, to = 0, points = CAIRN_SERIES_DEFAULT_POINTS;
    int sf, st, sp;
    TAILQ_INIT(&q);
    int bad = query && evhttp_parse_query_str(query, &q);
    bad = bad || query_opt(&q, "from", &from, &sf) ||
          query_opt(&q, "to", &to, &st) ||
          query_opt(&q, "points", &points, &sp);
    evhttp_clear_headers(&q);
    if (bad || points == 0 || points > CAIRN_SERIES_MAX_POINTS ||
        (sf && st && from > to)) {
        api_error(req, 400, CAIRN_ERR_BAD_ARG,
                  "from and to are epoch numbers (from <= to), points 1..1000");
        return;
    }
    pthread_mutex_lock(&n->lock);
    cairn_err e = cairn_chain_latest_epoch(n->chain, &last);
    uint64_t interval = cairn_chain_params(n->chain)->block_interval_ms;
    pthread_mutex_unlock(&n->lock);
    int none = e == CAIRN_ERR_NOT_FOUND;
    if (e && !none) {
        api_error(req, 0, e, NULL);
        return;
    }
    e = CAIRN_OK;
    if (!st || to > last)
        to = none ? 0 : last; /* nothing past the last settled epoch */
    if (!sf)
        from = to >= CAIRN_SERIES_MAX_SPAN - 1
                   ? to - (CAIRN_SERIES_MAX_SPAN - 1)
                   : 0;
    int empty = none || from > to;
    cairn_series_plan plan = {0};
    if (!empty && (e = cairn_series_plan_make(from, to, points, &plan))) {
        char msg[160];
        snprintf(msg, sizeof msg,
                 "a series covers at most %u epochs; ask for a shorter "
                 "range (from, to)",
                 (unsigned)CAIRN_SERIES_MAX_SPAN);
        api_error(req, e == CAIRN_ERR_TOO_LARGE ? 413 : 400, e, msg);
        return;
    }
    size_t cnt = 0, max = empty ? 1 : (size_t)plan.points;
    cairn_epoch_metrics *m = calloc(max, sizeof *m);
    uint64_t *first = calloc(max, sizeof *first);
    if (!m || !first) {
        free(m);
        free(first);
        api_error(req, 500, CAIRN_ERR_NOMEM, NULL);
        return;
    }
    if (!empty) {
        pthread_mutex_lock(&n->lock);
        e = cairn_chain_metrics_series(n->chain, &plan, m, first, max, &cnt);
        pthread_mutex_unlock(&n->lock);
    }
    json_t *o = json_object(), *arr = json_array();
    for (size_t i = 0; !e && i < cnt; i++) {
        json_t *pt = epoch_json(&m[i]);
        json_object_set_new(pt, "first_epoch", api_json_u64(first[i]));
        json_object_set_new(pt, "epochs",
                            api_json_u64(m[i].epoch - first[i] + 1));
        json_array_append_new(arr, pt);
    }
    free(m);
    free(first);
    json_object_set_new(o, "latest_epoch",
                        none ? json_null() : api_json_u64(last));
    json_object_set_new(o, "from", api_json_u64(from));
    json_object_set_new(o, "to", api_json_u64(to));
    json_object_set_new(o, "bucket_epochs",
                        api_json_u64(empty ? 1 : plan.bucket_epochs));
    json_object_set_new(o, "block_interval_ms", api_json_u64(interval));
    json_object_set_new(o, "points", arr);
    if (e) {
        json_decref(o);
        api_error(req, 0, e, NULL);
        return;
    }
    api_reply(req, 200, o);
}

/* ---- Prometheus exposition ---- */

/* One HELP/TYPE header. */
static void prom_head(struct evbuffer *b, const char *name, const char *help)
{
    evbuffer_add_printf(b, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

/* A gauge with one integer value. */
static void prom_u64(struct evbuffer *b, const char *name, const char *help,
                     uint64_t v)
{
    prom_head(b, name, help);
    evbuffer_add_printf(b, "%s %llu\n", name, (unsigned long long)v);
}

/* A gauge holding a token amount (decimal, exact). */
static void prom_tokens(struct evbuffer *b, const char *name, const char *help,
                        uint64_t units, int neg)
{
    char txt[CAIRN_AMOUNT_TEXT_MAX];
    cairn_amount_format(txt, units);
    prom_head(b, name, help);
    evbuffer_add_printf(b, "%s %s%s\n", name, neg && units ? "-" : "", txt);
}

/* A gauge per sector. */
static void prom_sectors(struct evbuffer *b, const char *name, const char *help,
                         const uint64_t *v)
{
    prom_head(b, name, help);
    for (int i = 0; i < CAIRN_SECTOR_SLOTS; i++)
        if (strcmp(cairn_sector_name((unsigned)i), "unknown") != 0)
            evbuffer_add_printf(b, "%s{sector=\"%s\"} %llu\n", name,
                                cairn_sector_name((unsigned)i),
                                (unsigned long long)v[i]);
}

/* A token gauge per sector. */
static void prom_sector_tokens(struct evbuffer *b, const char *name,
                               const char *help, const uint64_t *v)
{
    char txt[CAIRN_AMOUNT_TEXT_MAX];
    prom_head(b, name, help);
    for (int i = 0; i < CAIRN_SECTOR_SLOTS; i++)
        if (strcmp(cairn_sector_name((unsigned)i), "unknown") != 0) {
            cairn_amount_format(txt, v[i]);
            evbuffer_add_printf(b, "%s{sector=\"%s\"} %s\n", name,
                                cairn_sector_name((unsigned)i), txt);
        }
}

/* The epoch's fees by destination, one gauge with a label each. */
static void prom_fees(struct evbuffer *b, const cairn_epoch_metrics *m)
{
    const char *dest[4] = {"providers", "burn", "treasury", "stakers"};
    const uint64_t v[4] = {m->fees_providers, m->fees_burned, m->fees_treasury,
                           m->fees_stakers};
    char txt[CAIRN_AMOUNT_TEXT_MAX];
    prom_head(b, "cairn_epoch_fees_tokens",
              "the epoch's fees by destination (sum = revenue)");
    for (int i = 0; i < 4; i++) {
        cairn_amount_format(txt, v[i]);
        evbuffer_add_printf(b,
                            "cairn_epoch_fees_tokens{destination=\"%s\"} %s\n",
                            dest[i], txt);
    }
}

/* The latest epoch's values. */
static void prom_epoch(struct evbuffer *b, const cairn_epoch_metrics *m)
{
    char v[CAIRN_VELOCITY_TEXT_MAX];
    prom_u64(b, "cairn_epoch", "last settled epoch", m->epoch);
    prom_sectors(b, "cairn_epoch_active_providers",
                 "providers paid for work per sector", m->active_providers);
    prom_sectors(b, "cairn_epoch_staked_providers",
                 "providers staked and not jailed per sector",
                 m->staked_providers);
    prom_sectors(b, "cairn_epoch_work_units", "verified work units per sector",
                 m->work_units);
    prom_tokens(b, "cairn_epoch_revenue_tokens", "fees paid in the epoch",
                m->revenue, 0);
    prom_tokens(b, "cairn_epoch_burned_tokens", "tokens burned in the epoch",
                m->burned, 0);
    prom_tokens(b, "cairn_epoch_emitted_tokens",
                "tokens emitted at the epoch end", m->emitted, 0);
    prom_sector_tokens(b, "cairn_epoch_sector_revenue_tokens",
                       "service fees paid to the sector's providers",
                       m->revenue_sector);
    prom_sector_tokens(b, "cairn_epoch_sector_burned_tokens",
                       "burned part of the sector's service fees",
                       m->burned_sector);
    prom_sector_tokens(b, "cairn_epoch_sector_emitted_tokens",
                       "the sector's share of the emission", m->emitted_sector);
    prom_fees(b, m);
    prom_tokens(b, "cairn_epoch_net_supply_change_tokens",
                "emitted minus burned", m->net_change, m->net_negative);
    prom_tokens(b, "cairn_epoch_circulating_tokens",
                "supply minus treasury, staked, unbonding and held",
                m->circulating, 0);
    prom_tokens(b, "cairn_epoch_transfer_volume_tokens",
                "tokens moved by transfers", m->transfer_volume, 0);
    prom_u64(b, "cairn_epoch_staked_ratio_bps", "staked share of supply (bps)",
             m->staked_ratio_bps);
    cairn_velocity_format(v, m->velocity_window_bps);
    prom_head(b, "cairn_epoch_velocity",
              "token velocity over the trailing 30 epochs (not annualised)");
    evbuffer_add_printf(b, "cairn_epoch_velocity %s\n", v);
    prom_u64(b, "cairn_epoch_credits_bought", "service credits bought",
             m->credits_bought);
}

/* Node gauges and, once an epoch settled, its metrics. */
static cairn_err prom_fill(node *n, struct evbuffer *b)
{
    cairn_header h;
    cairn_totals t;
    cairn_epoch_metrics m;
    uint64_t last;
    pthread_mutex_lock(&n->lock);
    cairn_chain_tip(n->chain, &h, NULL);
    size_t mp = cairn_mempool_count(n->mp);
    cairn_err e = cairn_chain_totals(n->chain, &t);
    cairn_err le = e ? e : cairn_chain_latest_epoch(n->chain, &last);
    if (!le)
        le = cairn_chain_epoch_metrics(n->chain, last, &m);
    pthread_mutex_unlock(&n->lock);
    if (e || (le && le != CAIRN_ERR_NOT_FOUND))
        return e ? e : le;
    prom_u64(b, "cairn_height", "height of the tip block", h.height);
    prom_u64(b, "cairn_mempool_txs", "transactions waiting in the mempool", mp);
    prom_tokens(b, "cairn_supply_tokens", "tokens in existence", t.supply, 0);
    prom_tokens(b, "cairn_treasury_tokens", "tokens held by the treasury",
                t.treasury, 0);
    prom_tokens(b, "cairn_burned_tokens", "tokens burned since genesis",
                t.burned, 0);
    if (!le)
        prom_epoch(b, &m);
    return CAIRN_OK;
}

void api_prometheus(node *n, httpd_req *req)
{
    struct evbuffer *b = evbuffer_new();
    if (!b) {
        api_error(req, 500, CAIRN_ERR_NOMEM, NULL);
        return;
    }
    cairn_err e = prom_fill(n, b);
    if (e) {
        evbuffer_free(b);
        api_error(req, 0, e, NULL);
        return;
    }
    size_t len = evbuffer_get_length(b);
    const char *text = len ? (const char *)evbuffer_pullup(b, -1) : "";
    httpd_reply(req, 200, "text/plain; version=0.0.4; charset=utf-8", text,
                len);
    evbuffer_free(b);
}

/* ---- routing ---- */

int api_econ_route(node *n, httpd_req *req, const char *path, const char *query)
{
    if (strcmp(path, "/v1/proposals") == 0)
        api_proposals(n, req, query);
    else if (strncmp(path, "/v1/proposal/", 13) == 0)
        api_proposal(n, req, path + 13);
    else if (strncmp(path, "/v1/credits/", 12) == 0)
        api_credits(n, req, path + 12);
    else if (strcmp(path, "/v1/price") == 0)
        api_price(n, req);
    else if (strcmp(path, "/v1/params") == 0)
        api_params(n, req);
    else if (strcmp(path, "/v1/metrics") == 0)
        api_metrics(n, req, query);
    else if (strcmp(path, "/v1/metrics/series") == 0)
        api_metrics_series(n, req, query);
    else if (strcmp(path, "/metrics") == 0)
        api_prometheus(n, req);
    else if (strcmp(path, "/v1/rewards") == 0)
        api_rewards(n, req, query); /* api_rewards.c */
    else
        return 0;
    return 1;
}
