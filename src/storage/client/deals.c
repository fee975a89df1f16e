/* The client's deals on chain (client/deals.h): reading them, sending
 * transactions in nonce order, and putting signed jobs on chain with the
 * re-signing a changed nonce or start epoch needs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "storage/client/deals.h"
#include "cairn/amount.h"
#include "storage/client/par.h"

#define ROUNDS_MAX 6 /* submission rounds before giving up */
#define DEAL_PAGE 100

int cdeal_from_json(cdeal *d, const json_t *o)
{
    const char *state = json_string_value(json_object_get(o, "state"));
    uint64_t seg, idx;
    memset(d, 0, sizeof *d);
    if (!state || snode_u64(o, "id", &d->id) ||
        snode_addr(o, "provider", &d->provider) ||
        snode_hash(o, "root", &d->root) || snode_hash(o, "file_tag", &d->tag) ||
        snode_u64(o, "size", &d->size) || snode_u64(o, "segment", &seg) ||
        snode_u64(o, "piece_index", &idx) ||
        snode_u64(o, "start_epoch", &d->start) ||
        snode_u64(o, "price_units", &d->price) ||
        snode_u64(o, "escrow_units", &d->escrow) ||
        snode_u64(o, "paid_units", &d->paid) ||
        snode_u64(o, "faults", &d->faults) ||
        snode_u64(o, "total_faults", &d->total_faults) || seg > UINT32_MAX ||
        idx > UINT32_MAX)
        return -1;
    d->seg = (uint32_t)seg;
    d->idx = (uint32_t)idx;
    d->permanent = json_is_true(json_object_get(o, "permanent"));
    d->active = strcmp(state, "active") == 0;
    snprintf(d->state, sizeof d->state, "%s", state);
    if (snode_u64(o, "end_epoch", &d->end))
        d->end = CAIRN_EPOCH_NONE;
    if (snode_u64(o, "last_proven", &d->last_proven))
        d->last_proven = CAIRN_EPOCH_NONE;
    return 0;
}

cairn_err cdeals_scan(sclient *c, uint64_t after,
                      int (*fn)(void *ctx, const cdeal *d), void *ctx)
{
    char path[256], addr[CAIRN_ADDR_TEXT_LEN + 1];
    snode_err ne;
    cairn_addr_format(addr, &c->key.pk);
    for (;;) {
        json_t *j, *o;
        size_t i;
        int stop = 0;
        cdeal d;
        snprintf(path, sizeof path, "/v1/deals?client=%s&after=%llu&limit=%d",
                 addr, (unsigned long long)after, DEAL_PAGE);
        cairn_err e = snode_get(c->node, path, &j, &ne);
        if (e)
            return sclient_fail(c, e, "cannot list deals: %s", ne.msg);
        json_array_foreach(json_object_get(j, "deals"), i, o)
        {
            if (stop || cdeal_from_json(&d, o))
                continue;
            after = d.id;
            stop = fn(ctx, &d);
        }
        int more = json_is_true(json_object_get(j, "more"));
        json_decref(j);
        if (stop || !more)
            return CAIRN_OK;
    }
}

cairn_err cdeal_get(sclient *c, uint64_t id, cdeal *d)
{
    char path[64];
    json_t *j;
    snode_err ne;
    snprintf(path, sizeof path, "/v1/deal/%llu", (unsigned long long)id);
    cairn_err e = snode_get(c->node, path, &j, &ne);
    if (e == CAIRN_ERR_NOT_FOUND)
        e = CAIRN_ERR_NO_DEAL;
    if (e)
        return sclient_fail(c, e, "deal %llu: %s", (unsigned long long)id,
                            ne.msg);
    if (cdeal_from_json(d, j))
        e = sclient_fail(c, CAIRN_ERR_BAD_JSON,
                         "the node's deal %llu is malformed",
                         (unsigned long long)id);
    json_decref(j);
    return e;
}

cairn_err cdeals_send(sclient *c, const snode_ctx *ctx, uint64_t nonce,
                      uint16_t kind, const uint8_t *bodies, size_t stride,
                      size_t len, size_t n)
{
    snode_err ne = {.msg = ""};
    cairn_err e = CAIRN_OK;
    if (nonce == UINT64_MAX &&
        (e = snode_next_nonce(c->node, &c->key.pk, &nonce, &ne)))
        return sclient_fail(c, e, "cannot read the account's nonce: %s",
                            ne.msg);
    for (size_t i = 0; !e && i < n; i++)
        e = snode_send(c->node, ctx, &c->key, nonce + i, kind,
                       bodies + i * stride, len, i + 1 == n, NULL, &ne);
    return e ? sclient_fail(c, e, "%s", ne.msg) : CAIRN_OK;
}

/* ---- signed jobs onto the chain ---- */

/* Jobs sharing one link, asked to sign again one after another. */
typedef struct resign_ctx {
    cjob *jobs;
    size_t n;
    clink **links; /* distinct links of the jobs */
} resign_ctx;

static void resign_link(void *arg, size_t li)
{
    resign_ctx *r = arg;
    for (size_t i = 0; i < r->n; i++) {
        cjob *j = &r->jobs[i];
        if (j->link != r->links[li] || j->state != CJOB_SIGNED)
            continue;
        if (j->signed_nonce == j->m.client_nonce &&
            j->signed_collateral == j->m.collateral &&
            (j->m.what != CAIRN_SP_OPEN ||
             j->signed_start == j->m.terms.start_epoch))
            continue;
        j->m.piece = NULL;
        j->m.piece_len = 0;
        if (clink_store(j->link, &j->m, &j->sig)) {
            snprintf(j->why, sizeof j->why, "%s", j->link->why);
            j->state = CJOB_FAILED;
            continue;
        }
        j->signed_nonce = j->m.client_nonce;
        j->signed_start = j->m.terms.start_epoch;
        j->signed_collateral = j->m.collateral;
    }
}

/* Asks every provider whose job's nonce or start changed to sign again. */
static void resign(cjob *jobs, size_t n)
{
    resign_ctx r = {jobs, n, calloc(n ? n : 1, sizeof(clink *))};
    size_t nl = 0;
    if (!r.links) {
        for (size_t i = 0; i < n; i++)
            jobs[i].state =
                jobs[i].state == CJOB_SIGNED ? CJOB_FAILED : jobs[i].state;
        return;
    }
    for (size_t i = 0; i < n; i++) {
        size_t k = 0;
        while (k < nl && r.links[k] != jobs[i].link)
            k++;
        if (k == nl)
            r.links[nl++] = jobs[i].link;
    }
    cpar_run(nl, resign_link, &r);
    free(r.links);
}

/* A job's transaction body. */
static void job_body(const cjob *j, uint8_t *out, size_t *len)
{
    cairn_buf b;
    cairn_buf_init(&b, CAIRN_DEAL_OPEN_LEN);
    if (j->m.what == CAIRN_SP_OPEN) {
        cairn_deal_open o = {.t = j->m.terms, .sig = j->sig};
        cairn_deal_open_encode(&b, &o);
    } else {
        cairn_deal_replace r = {.deal_id = j->m.deal_id,
                                .provider = j->link->provider,
                                .collateral = j->m.collateral,
                                .sig = j->sig};
        cairn_deal_replace_encode(&b, &r);
    }
    *len = b.err ? 0 : b.len;
    memcpy(out, b.p, *len);
    cairn_buf_free(&b);
}

/* Matches deals on chain to OPEN jobs still waiting (same piece, same
 * provider). */
typedef struct match_ctx {
    cjob *jobs;
    size_t n;
    uint64_t last;
} match_ctx;

static int match_deal(void *arg, const cdeal *d)
{
    match_ctx *m = arg;
    m->last = d->id;
    for (size_t i = 0; i < m->n; i++) {
        cjob *j = &m->jobs[i];
        const cairn_deal_terms *t = &j->m.terms;
        if (j->state != CJOB_SIGNED || j->m.what != CAIRN_SP_OPEN ||
            d->seg != t->segment || d->idx != t->piece_index ||
            memcmp(d->tag.b, t->file_tag.b, 32) != 0 ||
            memcmp(d->root.b, t->root.b, 32) != 0 ||
            memcmp(d->provider.b, t->provider.b, 32) != 0)
            continue;
        j->state = CJOB_OPEN;
        j->deal = d->id;
    }
    return 0;
}

/* Marks the jobs whose deals reached the chain. */
static cairn_err find_landed(sclient *c, cjob *jobs, size_t n)
{
    uint64_t after;
    match_ctx m = {jobs, n, 0};
    cairn_err e = cmeta_last_deal(c->meta, &after);
    if (!e)
        e = cdeals_scan(c, after, match_deal, &m);
    for (size_t i = 0; !e && i < n; i++) {
        cdeal d;
        cjob *j = &jobs[i];
        if (j->state != CJOB_SIGNED || j->m.what != CAIRN_SP_REPLACE)
            continue;
        if ((e = cdeal_get(c, j->m.deal_id, &d)))
            break;
        if (memcmp(d.provider.b, j->link->provider.b, 32) == 0) {
            j->state = CJOB_OPEN;
            j->deal = d.id;
        }
    }
    return e;
}

static size_t count_state(const cjob *jobs, size_t n, int state)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += jobs[i].state == state;
    return k;
}

/* Gives the waiting jobs consecutive nonces from `nonce` and a start epoch
 * no earlier than `start`, and has them signed again where that changed;
 * repeats while a provider's refusal shifts the nonces. */
static void renumber(cjob *jobs, size_t n, uint64_t nonce, uint64_t start)
{
    for (size_t pass = 0; pass <= n; pass++) {
        size_t before = count_state(jobs, n, CJOB_FAILED), k = 0;
        for (size_t i = 0; i < n; i++) {
            cjob *j = &jobs[i];
            if (j->state != CJOB_SIGNED)
                continue;
            j->m.client_nonce = nonce + k++;
            if (j->m.what == CAIRN_SP_OPEN && j->signed_start < start)
                j->m.terms.start_epoch = start;
        }
        resign(jobs, n);
        if (count_state(jobs, n, CJOB_FAILED) == before)
            return;
    }
}

/* The collateral a move of deal d takes after the current epoch of ch. */
static cairn_err replace_collateral(const cdeal *d, const schain *ch,
                                    uint64_t *out)
{
    uint64_t total = d->escrow, /* permanent: the endowment left */
        from = d->start > ch->epoch + 1 ? d->start : ch->epoch + 1;
    cairn_err e = d->permanent ? CAIRN_OK
                               : cairn_mul(&total, d->price,
                                           d->end > from ? d->end - from : 0);
    return e ? e : cairn_storage_collateral(out, total, ch->collateral_bps);
}

cairn_err cjob_replace(cjob *j, clink *link, const cdeal *d, const schain *ch)
{
    memset(j, 0, sizeof *j);
    j->link = link;
    j->m.what = CAIRN_SP_REPLACE;
    j->m.deal_id = d->id;
    j->m.root = d->root;
    j->m.size = d->size;
    return replace_collateral(d, ch, &j->m.collateral);
}

/* Sets each waiting move's collateral for the deal as it stands now (its
 * epochs left, or its endowment left); renumber has them signed again. */
static void recollateral(sclient *c, cjob *jobs, size_t n, const schain *ch)
{
    for (size_t i = 0; i < n; i++) {
        cdeal d;
        uint64_t coll;
        cjob *j = &jobs[i];
        if (j->state == CJOB_SIGNED && j->m.what == CAIRN_SP_REPLACE &&
            !cdeal_get(c, j->m.deal_id, &d) &&
            !replace_collateral(&d, ch, &coll))
            j->m.collateral = coll;
    }
}

/* Sends the waiting jobs in nonce order (only the first when probing),
 * the last one waiting for its block. */
static cairn_err send_round(sclient *c, cjob *jobs, size_t n, int probe)
{
    schain ch;
    uint64_t nonce;
    snode_err ne = {.msg = ""};
    cairn_err e = sclient_chain(c, &ch);
    if (!e && (e = snode_next_nonce(c->node, &c->key.pk, &nonce, &ne)))
        sclient_fail(c, e, "cannot read the account's nonce: %s", ne.msg);
    if (e)
        return e;
    recollateral(c, jobs, n, &ch);
    renumber(jobs, n, nonce, sclient_start_epoch(&ch));
    size_t todo = count_state(jobs, n, CJOB_SIGNED), sent = 0;
    if (probe && todo > 1)
        todo = 1;
    for (size_t i = 0; !e && i < n && sent < todo; i++) {
        uint8_t body[CAIRN_DEAL_OPEN_LEN];
        size_t len;
        cjob *j = &jobs[i];
        if (j->state != CJOB_SIGNED)
            continue;
        job_body(j, body, &len);
        uint16_t kind = j->m.what == CAIRN_SP_OPEN ? CAIRN_TX_DEAL_OPEN
                                                   : CAIRN_TX_DEAL_REPLACE;
        sent++;
        e = snode_send(c->node, &ch.ctx, &c->key, j->m.client_nonce, kind, body,
                       len, sent == todo, NULL, &ne);
        if (e && probe)
            snprintf(j->why, sizeof j->why, "%s", ne.msg);
    }
    return e ? sclient_fail(c, e, "%s", ne.msg) : CAIRN_OK;
}

/* The first job still waiting. */
static cjob *first_waiting(cjob *jobs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (jobs[i].state == CJOB_SIGNED)
            return &jobs[i];
    return NULL;
}

cairn_err cjobs_submit(sclient *c, cjob *jobs, size_t n)
{
    int probe = 0;
    cairn_err first = CAIRN_OK;
    for (size_t round = 0; round < 2 * n + ROUNDS_MAX && first_waiting(jobs, n);
         round++) {
        cjob *head = first_waiting(jobs, n);
        cairn_err e = send_round(c, jobs, n, probe);
        if (e == CAIRN_ERR_HTTP)
            return e; /* the node is gone: nothing more to learn */
        cairn_err f = find_landed(c, jobs, n);
        if (f)
            return f;
        if (e && probe && head->state == CJOB_SIGNED) {
            head->state = CJOB_FAILED; /* its own refusal, not a gap */
            if (!first)
                first = sclient_fail(c, e, "%s", head->why);
        }
        probe = e != CAIRN_OK;
    }
    for (size_t i = 0; i < n; i++)
        if (jobs[i].state == CJOB_SIGNED) {
            jobs[i].state = CJOB_FAILED;
            snprintf(jobs[i].why, sizeof jobs[i].why,
                     "did not reach the chain");
        }
    for (size_t i = 0; i < n && !first; i++)
        if (jobs[i].state == CJOB_FAILED)
            first = sclient_fail(c, CAIRN_ERR_DEAL_TERMS, "%s", jobs[i].why);
    return first;
}

cairn_err cjob_open(cjob *j, clink *link, const cairn_sp_info *info,
                    const schain *ch, const cmeta_file *f, uint32_t seg,
                    uint32_t idx, const cairn_hash *root, uint64_t size,
                    uint64_t nonce, uint64_t start)
{
    cairn_deal_terms *t = &j->m.terms;
    uint64_t total;
    cairn_err e;
    memset(j, 0, sizeof *j);
    j->link = link;
    j->m.what = CAIRN_SP_OPEN;
    j->m.client_nonce = nonce;
    t->provider = link->provider;
    t->root = *root;
    t->size = size;
    t->file_tag = f->tag;
    t->segment = seg;
    t->piece_index = idx;
    t->start_epoch = start;
    if (f->permanent) {
        t->flags = CAIRN_DEAL_PERMANENT;
        e = cairn_storage_perm_price(&t->price, size, ch->perm_cost_per_mib,
                                     ch->perm_decline_bps);
        total = t->price;
    } else {
        uint64_t per_mib = info->price > ch->min_price_per_mib
                               ? info->price
                               : ch->min_price_per_mib;
        t->epochs = f->epochs;
        e = cairn_mul(&t->price, per_mib, cairn_storage_units(size));
        if (!e)
            e = cairn_mul(&total, t->price, f->epochs);
    }
    if (!e)
        e = cairn_storage_collateral(&t->collateral, total, ch->collateral_bps);
    j->m.root = *root;
    j->m.size = size;
    return e;
}

/* Records the outcome of j's STORE. */
static void stored(cjob *j, cairn_err e)
{
    if (e) {
        snprintf(j->why, sizeof j->why, "%s", j->link->why);
        j->state = CJOB_FAILED;
        return;
    }
    j->state = CJOB_SIGNED;
    j->signed_nonce = j->m.client_nonce;
    j->signed_start = j->m.terms.start_epoch;
    j->signed_collateral = j->m.collateral;
}

void cjob_store(cjob *j)
{
    stored(j, clink_store(j->link, &j->m, &j->sig));
}

void cjob_send(cjob *j)
{
    if (clink_store_send(j->link, &j->m, &j->conn))
        stored(j, CAIRN_ERR_IO);
}

void cjob_recv(cjob *j)
{
    stored(j, clink_store_recv(j->link, j->conn, j->m.size, &j->sig));
}
