/* The storage provider daemon's start and stop: the data dir lock, the
 * piece store, and the shared connection server (provider/daemon.h) with
 * storage's handlers (provider_handle.c). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/storage_proto.h"
#include "core/log.h"
#include "storage/provider/provider_internal.h"

#define WHO "provider"

void sprov_log(sprov *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_vline(p->cfg.log, WHO, fmt, ap);
    va_end(ap);
}

static sprov *alloc_sprov(const sprov_config *cfg)
{
    sprov *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->cfg = *cfg;
    p->lock_fd = -1;
    pthread_mutex_init(&p->lock, NULL);
    cairn_addr_format(p->addr, &cfg->key.pk);
    return p;
}

/* The connection server with storage's handlers and bounds. */
static cairn_err start_server(sprov *p, char *msg, size_t len)
{
    pd_serve_config sc = {.listen_host = p->cfg.listen_host,
                          .listen_port = p->cfg.listen_port,
                          .key = p->cfg.key,
                          .max_request = CAIRN_SP_MSG_MAX,
                          .max_reply = CAIRN_SP_MSG_MAX,
                          .limits = p->cfg.limits,
                          .handle = sprov_handle,
                          .refuse = sprov_refuse,
                          .ctx = p,
                          .log = p->cfg.log,
                          .who = WHO};
    cairn_err e = pd_serve_start(&p->srv, &sc, msg, len);
    cairn_keypair_wipe(&sc.key);
    return e;
}

cairn_err sprov_start(sprov **out, const sprov_config *cfg, char *msg,
                      size_t len)
{
    uint64_t cleaned = 0;
    *out = NULL;
    sprov *p = alloc_sprov(cfg);
    if (!p)
        return CAIRN_ERR_NOMEM;
    /* the lock first: a second daemon must not even clean DIR/tmp */
    cairn_err e = pd_lock_dir(cfg->data_dir, &p->lock_fd, msg, len);
    if (!e) {
        e = cairn_piecestore_open(&p->ps, cfg->data_dir, cfg->capacity,
                                  &cleaned);
        if (e)
            snprintf(msg, len, "cannot open the piece store in %s: %s",
                     cfg->data_dir, cairn_strerror(e));
    }
    if (!e && (e = pd_tickets_init(&p->tk, cfg->data_dir, &cfg->key.pk,
                                   cfg->node, cfg->log, WHO)))
        snprintf(msg, len, "cannot make %s/tickets: %s", cfg->data_dir,
                 cairn_strerror(e));
    if (!e)
        e = start_server(p, msg, len);
    if (e) {
        sprov_stop(p);
        return e;
    }
    if (cleaned)
        sprov_log(p, "removed %llu unfinished piece file(s) left by a crash",
                  (unsigned long long)cleaned);
    *out = p;
    return CAIRN_OK;
}

int sprov_port(const sprov *p)
{
    return pd_serve_port(p->srv);
}

void sprov_stats(sprov *p, pd_stats *out)
{
    pd_serve_stats(p->srv, out);
}

void sprov_stop(sprov *p)
{
    if (!p)
        return;
    pd_serve_stop(p->srv); /* no handler runs after this */
    pd_tickets_free(&p->tk);
    cairn_piecestore_close(p->ps);
    pd_unlock_dir(p->lock_fd);
    pthread_mutex_destroy(&p->lock);
    cairn_keypair_wipe(&p->cfg.key);
    free(p);
}
