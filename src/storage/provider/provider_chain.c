/* The storage provider daemon and its node: the chain view its handlers
 * check deals against, one round of the sector's chain work (sprov_tick),
 * and the daemon's main loop (sprov_run), which leaves registration, the
 * endpoint watch and the loop itself to the shared plumbing
 * (provider/daemon.h). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cairn/staking.h"
#include "cairn/storage.h"
#include "core/log.h"
#include "net/node_rpc.h"
#include "storage/provider/provider_internal.h"

#define GC_EVERY 15     /* ticks between garbage collections */
#define FRIENDS_EVERY 5 /* ticks between reads of who has a deal with us */
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
    v.height = ctx.height;
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
                 sprov_port(p));
}

cairn_err sprov_send(sprov *p, uint16_t kind, const cairn_buf *body, char *why,
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

static cairn_err send_tx(void *arg, uint16_t kind, const cairn_buf *body,
                         char *why, size_t len)
{
    return sprov_send(arg, kind, body, why, len);
}

cairn_err sprov_tick(sprov *p)
{
    cairn_err e = sprov_refresh_view(p);
    if (e)
        return e;
    e = sprov_prove(p);
    pd_tickets_round(&p->tk); /* senders' funds read again */
    (void)pd_tickets_redeem(&p->tk, send_tx, p);
    uint64_t t = p->ticks++;
    if (t % FRIENDS_EVERY == 0) {
        cairn_err f = sprov_friends(p);
        if (!e)
            e = f;
    }
    if (t % GC_EVERY == GC_EVERY - 1) {
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

static cairn_err prepare(void *ctx)
{
    return sprov_refresh_view(ctx);
}

static cairn_err tick(void *ctx)
{
    return sprov_tick(ctx);
}

int sprov_run(const sprov_config *cfg, int poll_ms, volatile sig_atomic_t *stop)
{
    sprov *p;
    char msg[512], endpoint[CAIRN_ENDPOINT_MAX + 1];
    uint64_t used, cap;
    cairn_err e = sprov_start(&p, cfg, msg, sizeof msg);
    if (e) {
        log_line(cfg->log, "provider", "%s", msg);
        return 1;
    }
    cairn_piecestore_usage(p->ps, &used, &cap);
    sprov_log(p, "%s listening on %s:%d; store %s holds %llu of %llu bytes",
              p->addr, cfg->listen_host, sprov_port(p), cfg->data_dir,
              (unsigned long long)used, (unsigned long long)cap);
    own_endpoint(p, endpoint);
    pd_chain_config cc = {.node = cfg->node,
                          .key = &p->cfg.key,
                          .sector = CAIRN_SECTOR_STORAGE,
                          .sector_name = "storage",
                          .endpoint = endpoint,
                          .stake = cfg->stake,
                          .commission_bps = cfg->commission_bps,
                          .log = cfg->log,
                          .who = "provider"};
    pd_chain_init(&p->chain, &cc);
    pd_run_ops ops = {.ctx = p, .prepare = prepare, .tick = tick};
    int rc = 0;
    if (cfg->node)
        rc = pd_run_chain(&p->chain, &ops, poll_ms, stop);
    else
        while (!*stop)
            nap(poll_ms, stop);
    sprov_log(p, "stopping");
    sprov_stop(p);
    return rc;
}
