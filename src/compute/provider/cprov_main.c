/* The compute provider daemon's start and stop, its lease table, the log,
 * one round of chain work (cprov_tick) and the whole daemon (cprov_run),
 * which leaves the data dir lock, the connection server, registration and
 * the endpoint watch to the shared plumbing (provider/daemon.h). */
#define _GNU_SOURCE
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cairn/compute.h"
#include "compute/provider/cprov_internal.h"

#define WHO "provider"
#define STOP_SLICE_MS 100

void cprov_log(cprov *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_vline(p->cfg.log, WHO, fmt, ap);
    va_end(ap);
}

void cprov_log_peer(cprov *p, const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    log_limited(&p->lim_peer, p->cfg.log, WHO, "%s", line);
}

/* ---- the lease table ---- */

cprov_lease *cprov_find(cprov *p, uint64_t id)
{
    for (size_t i = 0; i < p->nleases; i++)
        if (p->leases[i]->c.id == id)
            return p->leases[i];
    return NULL;
}

cprov_lease *cprov_add(cprov *p, const cprov_chain_lease *c)
{
    if (p->nleases == p->cap_leases) {
        size_t cap = p->cap_leases ? 2 * p->cap_leases : 16;
        cprov_lease **n = realloc(p->leases, cap * sizeof *n);
        if (!n)
            return NULL;
        p->leases = n;
        p->cap_leases = cap;
    }
    cprov_lease *l = calloc(1, sizeof *l);
    if (!l)
        return NULL;
    l->c = *c;
    l->phase = CP_WAIT;
    p->leases[p->nleases++] = l;
    return l;
}

void cprov_drop(cprov *p, cprov_lease *l)
{
    for (size_t i = 0; i < p->nleases; i++)
        if (p->leases[i] == l) {
            p->leases[i] = p->leases[--p->nleases];
            break;
        }
    sodium_memzero(l->token, sizeof l->token);
    free(l);
}

/* The service port's question: which running lease holds this token. */
static int svc_lookup(void *ctx, const uint8_t token[CAIRN_CP_TOKEN_LEN],
                      uint64_t *lease, char *sock, size_t len)
{
    cprov *p = ctx;
    int found = -1;
    pthread_mutex_lock(&p->mu);
    for (size_t i = 0; i < p->nleases; i++) {
        cprov_lease *l = p->leases[i];
        int live = l->c.port && l->phase == CP_RUNNING && l->sb && !l->frozen &&
                   !l->gone;
        /* every token is compared, in constant time each */
        if (sodium_memcmp(l->token, token, CAIRN_CP_TOKEN_LEN) == 0 && live &&
            found < 0) {
            found = 0;
            *lease = l->c.id;
        }
    }
    pthread_mutex_unlock(&p->mu);
    if (found == 0) {
        char path[CPROV_PATH_MAX];
        cprov_path(p, *lease, "work/.cairn-port.sock", path);
        snprintf(sock, len, "%s", path);
    }
    return found;
}

/* ---- start and stop ---- */

static cprov *alloc_cprov(const cprov_config *cfg)
{
    cprov *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->cfg = *cfg;
    p->lock_fd = -1;
    pthread_mutex_init(&p->mu, NULL);
    pthread_mutex_init(&p->store_mu, NULL);
    log_limit_init(&p->lim_peer, 5, 10000);
    log_limit_init(&p->lim_lookup, CPROV_LOOKUPS, 1000);
    cairn_addr_format(p->addr, &cfg->key.pk);
    snprintf(p->leases_dir, sizeof p->leases_dir, "%s/leases", cfg->data_dir);
    return p;
}

static cairn_err start_server(cprov *p, char *msg, size_t len)
{
    pd_serve_config sc = {.listen_host = p->cfg.listen_host,
                          .listen_port = p->cfg.listen_port,
                          .key = p->cfg.key,
                          .max_request = CAIRN_CP_MSG_MAX,
                          .max_reply = CAIRN_CP_MSG_MAX,
                          .limits = p->cfg.limits,
                          .handle = cprov_handle,
                          .refuse = cprov_refuse,
                          .ctx = p,
                          .log = p->cfg.log,
                          .who = WHO};
    cairn_err e = pd_serve_start(&p->srv, &sc, msg, len);
    cairn_keypair_wipe(&sc.key);
    return e;
}

static cairn_err start_service(cprov *p, char *msg, size_t len)
{
    if (!p->cfg.service_host)
        return CAIRN_OK;
    csvc_config sc = {.host = p->cfg.service_host,
                      .port = p->cfg.service_port,
                      .lookup = svc_lookup,
                      .ctx = p,
                      .log = p->cfg.log,
                      .who = WHO};
    cairn_err e = csvc_start(&p->svc, &sc, msg, len);
    if (e)
        return e;
    if (p->cfg.service_endpoint)
        snprintf(p->service_ep, sizeof p->service_ep, "%s",
                 p->cfg.service_endpoint);
    else
        snprintf(p->service_ep, sizeof p->service_ep, "%s:%d",
                 p->cfg.service_host, csvc_port(p->svc));
    return CAIRN_OK;
}

cairn_err cprov_start(cprov **out, const cprov_config *cfg, char *msg,
                      size_t len)
{
    *out = NULL;
    cprov *p = alloc_cprov(cfg);
    if (!p)
        return CAIRN_ERR_NOMEM;
    if (strlen(cfg->data_dir) > CPROV_DATA_DIR_MAX) {
        snprintf(msg, len, "--data is at most %d bytes", CPROV_DATA_DIR_MAX);
        cprov_stop(p);
        return CAIRN_ERR_BAD_ARG;
    }
    /* the lock first: a second daemon must not touch the leases */
    cairn_err e = pd_lock_dir(cfg->data_dir, &p->lock_fd, msg, len);
    if (!e && (e = cprov_load_all(p)))
        snprintf(msg, len, "cannot read the leases in %s", p->leases_dir);
    if (!e)
        cprov_jobs_init(p);
    if (!e && (e = cprov_tickets_init(p)))
        snprintf(msg, len, "cannot make %s/tickets", cfg->data_dir);
    if (!e)
        e = start_server(p, msg, len);
    if (!e)
        e = start_service(p, msg, len);
    if (e) {
        cprov_stop(p);
        return e;
    }
    *out = p;
    return CAIRN_OK;
}

int cprov_port(const cprov *p)
{
    return pd_serve_port(p->srv);
}

int cprov_service_port(const cprov *p)
{
    return p->svc ? csvc_port(p->svc) : 0;
}

void cprov_stop(cprov *p)
{
    if (!p)
        return;
    pd_serve_stop(p->srv); /* no handler runs after this */
    csvc_stop(p->svc);
    p->svc = NULL;
    while (p->nleases > 0) { /* stopped, kept on disk for a restart */
        cprov_lease *l = p->leases[p->nleases - 1];
        cprov_halt(p, l);
        cprov_drop(p, l);
    }
    free(p->leases);
    free(p->refused);
    free(p->open);
    cprov_tickets_free(p);
    pd_unlock_dir(p->lock_fd);
    log_limit_destroy(&p->lim_peer);
    log_limit_destroy(&p->lim_lookup);
    pthread_mutex_destroy(&p->store_mu);
    pthread_mutex_destroy(&p->mu);
    cairn_keypair_wipe(&p->cfg.key);
    free(p);
}

/* ---- the chain loop ---- */

/* Tells the server which peers are our tenants (they come first). */
static void set_friends(cprov *p)
{
    cairn_pubkey keys[256];
    size_t n = 0;
    pthread_mutex_lock(&p->mu);
    for (size_t i = 0; i < p->nleases && n < 256; i++)
        if (!p->leases[i]->gone)
            keys[n++] = p->leases[i]->c.tenant;
    pthread_mutex_unlock(&p->mu);
    (void)pd_serve_set_friends(p->srv, keys, n);
}

cairn_err cprov_tick(cprov *p)
{
    cairn_err e = cprov_refresh_view(p);
    if (e)
        return e;
    cairn_err first = cprov_offer(p);
    /* the open orders before our leases: an order leased meanwhile is
     * then in our lease list, never in neither */
    cairn_err o = cprov_list_open(p);
    cairn_err s = cprov_sync_leases(p);
    cairn_err r = cprov_report(p);
    cairn_err b = o ? o : cprov_bid_round(p);
    (void)cprov_redeem(p);
    set_friends(p);
    p->ticks++;
    cairn_err all[] = {o, s, r, b};
    for (size_t i = 0; i < 4 && !first; i++)
        first = all[i];
    return first;
}

static void nap(int ms, volatile sig_atomic_t *stop)
{
    struct timespec ts = {0, STOP_SLICE_MS * 1000000L};
    for (int t = 0; t < ms && !*stop; t += STOP_SLICE_MS)
        nanosleep(&ts, NULL);
}

static cairn_err prepare(void *ctx)
{
    return cprov_refresh_view(ctx);
}

static cairn_err tick(void *ctx)
{
    return cprov_tick(ctx);
}

int cprov_run(const cprov_config *cfg, int poll_ms, volatile sig_atomic_t *stop)
{
    cprov *p;
    char msg[512], endpoint[CAIRN_ENDPOINT_MAX + 1];
    cairn_err e = cprov_start(&p, cfg, msg, sizeof msg);
    if (e) {
        log_line(cfg->log, WHO, "%s", msg);
        return 1;
    }
    cprov_log(p,
              "%s listening on %s:%d%s%s; %u cores, %u MiB memory, %u MiB "
              "disk in %s",
              p->addr, cfg->listen_host, cprov_port(p),
              p->svc ? "; service port " : "", p->svc ? p->service_ep : "",
              cfg->cpus, cfg->mem_mib, cfg->disk_mib, cfg->data_dir);
    if (cfg->endpoint)
        snprintf(endpoint, sizeof endpoint, "%s", cfg->endpoint);
    else
        snprintf(endpoint, sizeof endpoint, "%s:%d", cfg->listen_host,
                 cprov_port(p));
    pd_chain_config cc = {.node = cfg->node,
                          .key = &p->cfg.key,
                          .sector = CAIRN_SECTOR_COMPUTE,
                          .sector_name = "compute",
                          .endpoint = endpoint,
                          .stake = cfg->stake,
                          .commission_bps = cfg->commission_bps,
                          .log = cfg->log,
                          .who = WHO};
    pd_chain_init(&p->chain, &cc);
    pd_run_ops ops = {.ctx = p, .prepare = prepare, .tick = tick};
    int rc = 0;
    if (cfg->node)
        rc = pd_run_chain(&p->chain, &ops, poll_ms, stop);
    else
        while (!*stop)
            nap(poll_ms, stop);
    cprov_log(p, "stopping (workloads stop; their leases resume on restart)");
    cprov_stop(p);
    return rc;
}
