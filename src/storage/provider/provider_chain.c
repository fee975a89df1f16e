/* The provider daemon and its node: the chain view its handlers check
 * deals against, registration as a storage provider, one round of chain
 * work (sprov_tick) and the daemon's main loop (sprov_run). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cairn/amount.h"
#include "cairn/staking.h"
#include "cairn/storage.h"
#include "net/node_rpc.h"
#include "storage/provider/provider_internal.h"

#define GC_EVERY 15 /* ticks between garbage collections */
#define STOP_SLICE_MS 100

void sprov_set_view(sprov *p, const sprov_view *v)
{
    pthread_mutex_lock(&p->lock);
    p->view = *v;
    pthread_mutex_unlock(&p->lock);
}

cairn_err sprov_refresh_view(sprov *p)
{
    snode_ctx ctx;
    snode_err why;
    sprov_view v = {0};
    json_t *j;
    cairn_err e = snode_status(p->cfg.node, &ctx, &why);
    if (!e)
        e = snode_get(p->cfg.node, "/v1/storage/params", &j, &why);
    if (e)
        return e;
    if (snode_u64(j, "epoch", &v.epoch) ||
        snode_u64(j, "deal_collateral_bps", &v.collateral_bps) ||
        snode_u64(j, "deal_max_epochs", &v.max_epochs) ||
        snode_u64(j, "perm_cost_per_mib_units", &v.perm_cost_per_mib) ||
        snode_u64(j, "perm_decline_bps", &v.perm_decline_bps))
        e = CAIRN_ERR_BAD_JSON;
    json_decref(j);
    if (e)
        return e;
    v.ok = 1;
    snprintf(v.chain_id, sizeof v.chain_id, "%s", ctx.chain_id);
    sprov_set_view(p, &v);
    return CAIRN_OK;
}

/* The endpoint the provider registers: --endpoint, else where it listens. */
static void own_endpoint(const sprov *p, char out[CAIRN_ENDPOINT_MAX + 1])
{
    if (p->cfg.endpoint)
        snprintf(out, CAIRN_ENDPOINT_MAX + 1, "%s", p->cfg.endpoint);
    else
        snprintf(out, CAIRN_ENDPOINT_MAX + 1, "%s:%d", p->cfg.listen_host,
                 p->port);
}

/* Signs a transaction of `kind` with body b, submits it and waits for its
 * block (*height). why receives the node's message on failure. */
static cairn_err send_tx(sprov *p, uint16_t kind, const cairn_buf *b,
                         uint64_t *height, snode_err *why)
{
    snode_ctx ctx;
    uint64_t nonce;
    cairn_err e = b->err;
    if (!e)
        e = snode_status(p->cfg.node, &ctx, why);
    if (!e)
        e = snode_next_nonce(p->cfg.node, &p->cfg.key.pk, &nonce, why);
    if (!e)
        e = snode_send(p->cfg.node, &ctx, &p->cfg.key, nonce, kind, b->p,
                       b->len, 1, height, why);
    return e;
}

/* Moves the registered endpoint to where this daemon listens now. */
static cairn_err move_endpoint(sprov *p, const char *from, const char *to)
{
    snode_err why = {.msg = ""};
    uint64_t height = 0;
    cairn_buf b;
    cairn_buf_init(&b, 160);
    cairn_endpoint_body_encode(&b, to);
    cairn_err e = send_tx(p, CAIRN_TX_SET_ENDPOINT, &b, &height, &why);
    cairn_buf_free(&b);
    if (e)
        sprov_log(p, "registered endpoint %s differs from %s and cannot be "
                     "moved: %s (%s); clients will dial %s",
                  from, to, cairn_strerror(e), why.msg, from);
    else
        sprov_log(p, "moved the registered endpoint from %s to %s (block %llu)",
                  from, to, (unsigned long long)height);
    return e;
}

/* Checks an existing registration: the storage sector, the endpoint. */
static cairn_err check_registered(sprov *p, const json_t *j,
                                  const char *endpoint)
{
    const char *sector = json_string_value(json_object_get(j, "sector"));
    const char *ep = json_string_value(json_object_get(j, "endpoint"));
    if (!sector || strcmp(sector, "storage") != 0) {
        sprov_log(
            p,
            "%s is registered for the %s sector, not storage; use another key",
            p->addr, sector ? sector : "unknown");
        return CAIRN_ERR_BAD_SECTOR;
    }
    p->move_pending = 0;
    if (!ep || strcmp(ep, endpoint) != 0) {
        p->move_pending = move_endpoint(p, ep ? ep : "(none)", endpoint) != 0;
        ep = p->move_pending ? ep : endpoint; /* retried by sprov_tick */
    }
    if (!json_is_true(json_object_get(j, "active")))
        sprov_log(
            p,
            "registered but not active (self stake below the minimum): "
            "clients will not pick it; add stake with `cairn provider stake`");
    sprov_log(p, "registered as a storage provider at %s", ep ? ep : endpoint);
    return CAIRN_OK;
}

/* Submits REGISTER (storage, endpoint, stake) and waits for its block. */
static cairn_err register_now(sprov *p, const char *endpoint)
{
    cairn_register r = {.sector = CAIRN_SECTOR_STORAGE,
                        .commission_bps = p->cfg.commission_bps,
                        .stake = p->cfg.stake};
    snode_err why = {.msg = ""};
    uint64_t height = 0;
    cairn_buf b;
    char stake[CAIRN_AMOUNT_TEXT_MAX];
    snprintf(r.endpoint, sizeof r.endpoint, "%s", endpoint);
    cairn_buf_init(&b, 256);
    cairn_register_encode(&b, &r);
    cairn_err e = send_tx(p, CAIRN_TX_REGISTER, &b, &height, &why);
    cairn_buf_free(&b);
    cairn_amount_format(stake, p->cfg.stake);
    if (e)
        sprov_log(p,
                  "cannot register as a storage provider (stake %s): %s (%s)",
                  stake, cairn_strerror(e), why.msg);
    else
        sprov_log(p,
                  "registered as a storage provider at %s with %s staked "
                  "(block %llu)",
                  endpoint, stake, (unsigned long long)height);
    return e;
}

cairn_err sprov_register(sprov *p)
{
    char path[128], endpoint[CAIRN_ENDPOINT_MAX + 1];
    json_t *j;
    snode_err why;
    own_endpoint(p, endpoint);
    snprintf(path, sizeof path, "/v1/provider/%s", p->addr);
    cairn_err e = snode_get(p->cfg.node, path, &j, &why);
    if (e == CAIRN_ERR_NOT_PROVIDER || e == CAIRN_ERR_NOT_FOUND)
        return register_now(p, endpoint);
    if (e) {
        sprov_log(p, "cannot read this provider's registration: %s", why.msg);
        return e;
    }
    e = check_registered(p, j, endpoint);
    json_decref(j);
    return e;
}

cairn_err sprov_tick(sprov *p)
{
    cairn_err e = sprov_refresh_view(p);
    if (e)
        return e;
    if (p->move_pending)
        (void)sprov_register(p); /* logs its own outcome */
    e = sprov_prove(p);
    if (p->ticks++ % GC_EVERY == GC_EVERY - 1) {
        cairn_err g = sprov_gc(p);
        if (!e)
            e = g;
    }
    return e;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Sleeps ms in slices, returning early once *stop is set. */
static void nap(int ms, volatile sig_atomic_t *stop)
{
    for (int t = 0; t < ms && !*stop; t += STOP_SLICE_MS)
        sleep_ms(STOP_SLICE_MS);
}

/* Reaches the node and registers; retries while the node is down. */
static int connect_chain(sprov *p, int poll_ms, volatile sig_atomic_t *stop)
{
    int said = 0;
    while (!*stop) {
        cairn_err e = sprov_refresh_view(p);
        if (!e)
            e = sprov_register(p);
        if (!e)
            return 0;
        if (e != CAIRN_ERR_HTTP)
            return 1; /* logged: a refusal that waiting will not fix */
        if (!said++)
            sprov_log(p, "waiting for the node at %s", p->cfg.node);
        nap(poll_ms, stop);
    }
    return 0;
}

int sprov_run(const sprov_config *cfg, int poll_ms, volatile sig_atomic_t *stop)
{
    sprov *p;
    char msg[512];
    uint64_t used, cap;
    cairn_err e = sprov_start(&p, cfg, msg, sizeof msg);
    if (e) {
        fprintf(cfg->log ? cfg->log : stderr, "provider: %s\n", msg);
        return 1;
    }
    cairn_piecestore_usage(p->ps, &used, &cap);
    sprov_log(p, "%s listening on %s:%d; store %s holds %llu of %llu bytes",
              p->addr, cfg->listen_host, p->port, cfg->data_dir,
              (unsigned long long)used, (unsigned long long)cap);
    int rc = cfg->node ? connect_chain(p, poll_ms, stop) : 0;
    cairn_err last = CAIRN_OK;
    while (!rc && !*stop) {
        e = cfg->node ? sprov_tick(p) : CAIRN_OK;
        if (e && e != last)
            sprov_log(p, "chain round failed: %s", cairn_strerror(e));
        last = e;
        nap(poll_ms, stop);
    }
    sprov_log(p, "stopping");
    sprov_stop(p);
    return rc;
}
