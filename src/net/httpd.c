/* net/httpd: the listener, the connection cap and who is dropped at it,
 * deadlines, pauses after accept errors, and the stop (net/httpd.h). */
#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "net/httpd_internal.h"

#define LISTEN_BACKLOG 511

uint64_t httpd_now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000 + (uint64_t)t.tv_nsec / 1000000;
}

void httpd_warn(httpd *d, cairn_ratelimit *lim, const char *fmt, ...)
{
    char msg[384];
    uint64_t skipped;
    if (!d->hooks.log || !cairn_ratelimit_allow(lim, httpd_now_ms(), &skipped))
        return;
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (skipped && k > 0 && (size_t)k < sizeof msg)
        snprintf(msg + k, sizeof msg - (size_t)k,
                 " (and %llu more times in the last %u s)",
                 (unsigned long long)skipped, HTTPD_LOG_EVERY_MS / 1000);
    d->hooks.log(d->hooks.arg, msg);
}

/* Accepting is on unless paused, full or stopping. */
static void listener_update(httpd *d)
{
    if (!d->lst)
        return;
    if (d->paused || d->full || d->stopping)
        evconnlistener_disable(d->lst);
    else
        evconnlistener_enable(d->lst);
}

/* The connection to drop for a new one: a lingering one, else the one
 * that has gone longest without an answer (since its accept or its last
 * answer), idle or still sending a request. One that holds a request being
 * answered never goes; one just accepted goes last. */
static hconn *victim(httpd *d)
{
    hconn *best = NULL;
    int best_rank = 0;
    for (hconn *c = d->conns; c; c = c->next) {
        int rank = hconn_evict_rank(c);
        if (rank < 0)
            continue;
        if (!best || rank < best_rank ||
            (rank == best_rank && c->turn < best->turn)) {
            best = c;
            best_rank = rank;
        }
    }
    return best;
}

/* Accepting stops for ms (0: until the loop's next turn, so that the
 * connections accepted so far are read before more are let in). */
static void pause_accepting(httpd *d, int ms)
{
    struct timeval tv = {0, ms * 1000};
    d->paused = 1;
    listener_update(d);
    evtimer_add(d->resume, &tv);
}

/* Makes room for one connection; 0 when no connection can go. */
static int evict_one(httpd *d, const char *why)
{
    hconn *c = victim(d);
    if (!c)
        return 0;
    httpd_warn(d, &d->evict_log,
               "%s: closed the longest-waiting of %zu "
               "API connections",
               why, d->nconns);
    hconn_free(c);
    pause_accepting(d, 0);
    return 1;
}

/* At the cap, accepting stops while no connection could make room. */
static void check_full(httpd *d)
{
    int full = d->nconns >= d->lim.max_conns && !victim(d);
    if (full != d->full) {
        d->full = full;
        listener_update(d);
    }
}

static void on_accept(struct evconnlistener *l, evutil_socket_t fd,
                      struct sockaddr *sa, int len, void *arg)
{
    httpd *d = arg;
    char why[64];
    snprintf(why, sizeof why, "at the cap of %zu connections",
             d->lim.max_conns);
    hconn *c = NULL;
    if (d->stopping || (d->nconns >= d->lim.max_conns && !evict_one(d, why)) ||
        !(c = hconn_new(d, fd))) {
        evutil_closesocket(fd);
        check_full(d);
        return;
    }
    c->next = d->conns;
    if (d->conns)
        d->conns->prev = c;
    d->conns = c;
    d->nconns++;
    if (d->nconns >= d->lim.max_conns)
        check_full(d);
}

/* accept() failed (e.g. no file descriptors left): give one back by
 * closing the longest-idle connection, or, when none can go, pause
 * instead of spinning on a listener that stays readable. */
static void on_accept_error(struct evconnlistener *l, void *arg)
{
    httpd *d = arg;
    int err = EVUTIL_SOCKET_ERROR();
    int fds = err == EMFILE || err == ENFILE;
    httpd_warn(d, &d->accept_log, "cannot accept API connections: %s%s",
               evutil_socket_error_to_string(err),
               fds ? " (raise the open-file limit, ulimit -n, or lower "
                     "--max-connections)"
                   : "");
    if (!(fds && evict_one(d, "out of file descriptors")))
        pause_accepting(d, HTTPD_PAUSE_MS);
}

static void on_resume(evutil_socket_t fd, short what, void *arg)
{
    httpd *d = arg;
    d->paused = 0;
    listener_update(d);
}

static void finish(httpd *d)
{
    void (*done)(void *) = d->done;
    d->done = NULL;
    if (d->grace)
        evtimer_del(d->grace);
    if (done)
        done(d->done_arg);
}

static void on_sweep(evutil_socket_t fd, short what, void *arg)
{
    httpd *d = arg;
    uint64_t now = httpd_now_ms();
    for (hconn *c = d->conns, *next; c; c = next) {
        next = c->next;
        hconn_expire(c, now);
    }
    check_full(d);
}

static void on_grace(evutil_socket_t fd, short what, void *arg)
{
    finish(arg);
}

void httpd_conn_gone(httpd *d, hconn *c)
{
    if (c->prev)
        c->prev->next = c->next;
    else
        d->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    d->nconns--;
    if (d->full && d->nconns < d->lim.max_conns) {
        d->full = 0;
        listener_update(d);
    }
    if (d->stopping && d->nconns == 0)
        finish(d);
}

httpd *httpd_new(struct event_base *base, const httpd_limits *lim,
                 const httpd_hooks *hooks)
{
    struct timeval tv = {0, HTTPD_SWEEP_MS * 1000};
    httpd *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->base = base;
    d->lim = *lim;
    if (d->lim.max_conns < 1)
        d->lim.max_conns = 1;
    d->hooks = *hooks;
    d->accept_log.interval_ms = d->evict_log.interval_ms =
        d->budget_log.interval_ms = HTTPD_LOG_EVERY_MS;
    d->sweep = event_new(base, -1, EV_PERSIST, on_sweep, d);
    d->resume = evtimer_new(base, on_resume, d);
    d->grace = evtimer_new(base, on_grace, d);
    if (!d->sweep || !d->resume || !d->grace || event_add(d->sweep, &tv)) {
        httpd_free(d);
        return NULL;
    }
    return d;
}

cairn_err httpd_listen(httpd *d, const char *host, int port)
{
    struct addrinfo hints = {.ai_flags = AI_PASSIVE | AI_NUMERICSERV,
                             .ai_socktype = SOCK_STREAM};
    struct addrinfo *ai = NULL;
    char ps[16];
    snprintf(ps, sizeof ps, "%d", port);
    if (getaddrinfo(host, ps, &hints, &ai) || !ai) {
        errno = EADDRNOTAVAIL;
        return CAIRN_ERR_IO;
    }
    d->lst = evconnlistener_new_bind(
        d->base, on_accept, d,
        LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC,
        LISTEN_BACKLOG, ai->ai_addr, (int)ai->ai_addrlen);
    int err = errno;
    freeaddrinfo(ai);
    if (!d->lst) {
        errno = err;
        return CAIRN_ERR_IO;
    }
    evconnlistener_set_error_cb(d->lst, on_accept_error);
    return CAIRN_OK;
}

void httpd_shutdown(httpd *d, uint32_t grace_ms, void (*done)(void *arg),
                    void *arg)
{
    struct timeval tv = {grace_ms / 1000, (grace_ms % 1000) * 1000};
    d->stopping = 1;
    d->done = done;
    d->done_arg = arg;
    if (d->lst)
        evconnlistener_free(d->lst);
    d->lst = NULL;
    for (hconn *c = d->conns, *next; c; c = next) {
        next = c->next;
        if (hconn_evict_rank(c) >= 0)
            hconn_free(c);
    }
    if (!d->done)
        return; /* the last close finished already */
    if (d->nconns == 0)
        finish(d);
    else
        evtimer_add(d->grace, &tv);
}

void httpd_free(httpd *d)
{
    if (!d)
        return;
    d->stopping = 1;
    d->done = NULL;
    while (d->conns)
        hconn_free(d->conns);
    if (d->lst)
        evconnlistener_free(d->lst);
    if (d->sweep)
        event_free(d->sweep);
    if (d->resume)
        event_free(d->resume);
    if (d->grace)
        event_free(d->grace);
    free(d);
}

size_t httpd_conn_count(const httpd *d)
{
    return d->nconns;
}

size_t httpd_conn_max(const httpd *d)
{
    return d->lim.max_conns;
}
