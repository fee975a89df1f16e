/* The connection server (daemon.h, part 2): start and stop, the loop
 * thread (libevent), accepting with a back-off when descriptors run out,
 * the deadline sweep, and the wake-up from the workers. */
#define _GNU_SOURCE /* accept4 */
#include <arpa/inet.h>
#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cairn/conn.h"
#include "provider/serve_internal.h"

#define ACCEPT_BATCH 64
#define LOG_BURST 5
#define LOG_WINDOW_MS 60000

int64_t pd_now(void)
{
    return log_now_ms();
}

void pd_log(pd_server *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_vline(s->cfg.log, s->cfg.who, fmt, ap);
    va_end(ap);
}

void pd_count(pd_server *s, uint64_t *field)
{
    pthread_mutex_lock(&s->mu);
    (*field)++;
    pthread_mutex_unlock(&s->mu);
}

/* The peer's address as 16 bytes (IPv4 mapped into IPv6) and as text. */
static void peer_ip(const struct sockaddr_storage *a, uint8_t ip[16],
                    char *text, size_t len)
{
    memset(ip, 0, 16);
    if (a->ss_family == AF_INET) {
        const struct sockaddr_in *v4 = (const struct sockaddr_in *)a;
        ip[10] = ip[11] = 0xff;
        memcpy(ip + 12, &v4->sin_addr, 4);
        inet_ntop(AF_INET, &v4->sin_addr, text, (socklen_t)len);
    } else if (a->ss_family == AF_INET6) {
        const struct sockaddr_in6 *v6 = (const struct sockaddr_in6 *)a;
        memcpy(ip, &v6->sin6_addr, 16);
        inet_ntop(AF_INET6, &v6->sin6_addr, text, (socklen_t)len);
    } else {
        snprintf(text, len, "?");
    }
}

static void listener_off(pd_server *s)
{
    if (s->lev_on)
        event_del(s->lev);
    s->lev_on = 0;
}

static void listener_on(pd_server *s)
{
    if (!s->lev_on && event_add(s->lev, NULL) == 0)
        s->lev_on = 1;
}

static void on_accept(evutil_socket_t fd, short what, void *arg)
{
    pd_server *s = arg;
    for (int i = 0; i < ACCEPT_BATCH; i++) {
        struct sockaddr_storage a;
        socklen_t alen = sizeof a;
        uint8_t ip[16];
        char text[INET6_ADDRSTRLEN];
        int c = accept4(fd, (struct sockaddr *)&a, &alen,
                        SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (c < 0) {
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
                errno == ENOMEM) {
                log_limited(&s->lim_accept, s->cfg.log, s->cfg.who,
                            "cannot accept connections: %s; pausing %d ms",
                            strerror(errno), PD_ACCEPT_BACKOFF_MS);
                listener_off(s);
                s->accept_resume = pd_now() + PD_ACCEPT_BACKOFF_MS;
            }
            return; /* EAGAIN, or a client that gave up (ECONNABORTED) */
        }
        peer_ip(&a, ip, text, sizeof text);
        pd_count(s, &s->stats.accepted);
        if (pd_admit_accept(s, ip, text) != 0) {
            close(c);
            continue;
        }
        pd_conn_open(s, c, ip, text);
    }
}

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
    pd_server *s = arg;
    int64_t now = pd_now();
    for (int i = 0; i < s->nconns;) {
        pd_conn *c = s->conns[i];
        if (!pd_conn_check(c, now))
            i++; /* a closed one's slot now holds another: look again */
    }
    if (!s->lev_on && now >= s->accept_resume)
        listener_on(s);
}

static void on_wake(evutil_socket_t fd, short what, void *arg)
{
    pd_server *s = arg;
    char buf[256];
    while (read(fd, buf, sizeof buf) > 0)
        ;
    pthread_mutex_lock(&s->mu);
    int stop = s->stopping;
    pthread_mutex_unlock(&s->mu);
    if (stop) {
        event_base_loopbreak(s->base);
        return;
    }
    pd_pool_collect(s);
}

static void *loop_main(void *arg)
{
    pd_server *s = arg;
    event_base_dispatch(s->base);
    return NULL;
}

/* The defaults for every limit left 0. */
static void fill_limits(pd_limits *l)
{
#define DEF(f, v)                                                              \
    if (l->f <= 0)                                                             \
    l->f = (v)
    DEF(max_conns, PD_MAX_CONNS);
    DEF(max_handshakes, PD_MAX_HANDSHAKES);
    DEF(per_ip, PD_PER_IP);
    DEF(per_ip_handshakes, PD_PER_IP_HANDSHAKES);
    DEF(per_key, PD_PER_KEY);
    DEF(per_key_friend, PD_PER_KEY_FRIEND);
    DEF(handshake_ms, PD_HANDSHAKE_MS);
    DEF(idle_ms, PD_IDLE_MS);
    DEF(request_ms, PD_REQUEST_MS);
    DEF(workers, PD_WORKERS);
#undef DEF
    if (l->mem_total == 0)
        l->mem_total = PD_MEM_TOTAL;
    if (l->mem_strangers == 0 || l->mem_strangers > l->mem_total)
        l->mem_strangers =
            l->mem_total < PD_MEM_STRANGERS ? l->mem_total : PD_MEM_STRANGERS;
    if (l->workers > PD_WORKERS_MAX)
        l->workers = PD_WORKERS_MAX;
}

static pd_server *alloc_server(const pd_serve_config *cfg)
{
    pd_server *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->cfg = *cfg;
    if (!s->cfg.who)
        s->cfg.who = "provider";
    s->lim = cfg->limits;
    fill_limits(&s->lim);
    s->listen_fd = s->wake[0] = s->wake[1] = -1;
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cond, NULL);
    pthread_mutex_init(&s->fmu, NULL);
    log_limit_init(&s->lim_refuse, LOG_BURST, LOG_WINDOW_MS);
    log_limit_init(&s->lim_close, LOG_BURST, LOG_WINDOW_MS);
    log_limit_init(&s->lim_mem, LOG_BURST, LOG_WINDOW_MS);
    log_limit_init(&s->lim_accept, LOG_BURST, LOG_WINDOW_MS);
    s->conns = calloc((size_t)s->lim.max_conns, sizeof *s->conns);
    if (!s->conns) {
        free(s);
        return NULL;
    }
    return s;
}

/* The libevent parts: base, listener, timer, wake pipe. 0 or -1. */
static int setup_loop(pd_server *s)
{
    struct timeval tv = {0, PD_TICK_MS * 1000};
    if (pipe2(s->wake, O_NONBLOCK | O_CLOEXEC) != 0)
        return -1;
    s->base = event_base_new();
    if (!s->base)
        return -1;
    s->lev =
        event_new(s->base, s->listen_fd, EV_READ | EV_PERSIST, on_accept, s);
    s->tick = event_new(s->base, -1, EV_PERSIST, on_tick, s);
    s->wake_ev =
        event_new(s->base, s->wake[0], EV_READ | EV_PERSIST, on_wake, s);
    if (!s->lev || !s->tick || !s->wake_ev || event_add(s->tick, &tv) ||
        event_add(s->wake_ev, NULL))
        return -1;
    listener_on(s);
    return s->lev_on ? 0 : -1;
}

cairn_err pd_serve_start(pd_server **out, const pd_serve_config *cfg, char *msg,
                         size_t len)
{
    *out = NULL;
    if (!cfg->handle || !cfg->refuse || !cfg->max_request || !cfg->max_reply)
        return CAIRN_ERR_BAD_ARG;
    pd_server *s = alloc_server(cfg);
    if (!s)
        return CAIRN_ERR_NOMEM;
    cairn_err e =
        cairn_listen(cfg->listen_host, cfg->listen_port, &s->listen_fd);
    if (e) {
        snprintf(msg, len, "cannot listen on %s:%d: %s", cfg->listen_host,
                 cfg->listen_port,
                 e == CAIRN_ERR_IO ? "the port is in use or not allowed"
                                   : cairn_strerror(e));
    } else if (setup_loop(s) || pd_pool_start(s) ||
               pthread_create(&s->loop_th, NULL, loop_main, s)) {
        e = CAIRN_ERR_NOMEM;
        snprintf(msg, len, "cannot start the connection server's threads");
    } else {
        s->loop_started = 1;
        s->port = cairn_listen_port(s->listen_fd);
    }
    if (e) {
        pd_serve_stop(s);
        return e;
    }
    *out = s;
    return CAIRN_OK;
}

int pd_serve_port(const pd_server *s)
{
    return s->port;
}

void pd_serve_stats(pd_server *s, pd_stats *out)
{
    pthread_mutex_lock(&s->mu);
    *out = s->stats;
    out->mem_used = s->mem_used;
    out->mem_strangers = s->mem_strangers;
    pthread_mutex_unlock(&s->mu);
}

static void free_loop(pd_server *s)
{
    if (s->lev)
        event_free(s->lev);
    if (s->tick)
        event_free(s->tick);
    if (s->wake_ev)
        event_free(s->wake_ev);
    if (s->base)
        event_base_free(s->base);
    for (int i = 0; i < 2; i++)
        if (s->wake[i] >= 0)
            close(s->wake[i]);
}

void pd_serve_stop(pd_server *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->mu);
    s->stopping = 1;
    pthread_mutex_unlock(&s->mu);
    if (s->loop_started) {
        if (write(s->wake[1], "x", 1) < 0) {
            /* the pipe is full: the loop wakes anyway */
        }
        pthread_join(s->loop_th, NULL);
    }
    pd_pool_stop(s);
    while (s->nconns > 0)
        pd_conn_free(s->conns[s->nconns - 1]);
    free_loop(s);
    if (s->listen_fd >= 0)
        close(s->listen_fd);
    free(s->conns);
    free(s->friends);
    log_limit_destroy(&s->lim_refuse);
    log_limit_destroy(&s->lim_close);
    log_limit_destroy(&s->lim_mem);
    log_limit_destroy(&s->lim_accept);
    pthread_mutex_destroy(&s->fmu);
    pthread_cond_destroy(&s->cond);
    pthread_mutex_destroy(&s->mu);
    cairn_keypair_wipe(&s->cfg.key);
    free(s);
}
