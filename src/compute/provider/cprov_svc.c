/* The compute provider's service port (cprov_svc.h): a token line, then
 * bytes piped between a TCP client and a lease's Unix socket, on one
 * libevent loop thread. */
#define _GNU_SOURCE
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "cairn/conn.h"
#include "compute/provider/cprov_svc.h"
#include "core/log.h"

#define TICK_MS 250
#define LOG_BURST 5
#define LOG_WINDOW_MS 10000

typedef struct sconn {
    struct csvc *s;
    struct bufferevent *cli, *wl; /* wl: NULL until the token is good */
    int piped;
    int cli_eof, wl_eof;
    uint64_t lease;
    int64_t born, last; /* monotonic ms */
    char ip[INET6_ADDRSTRLEN];
} sconn;

struct csvc {
    csvc_config cfg;
    int listen_fd, port;
    struct event_base *base;
    struct event *lev, *tick, *wake_ev;
    int wake[2];
    pthread_t th;
    int started;

    sconn **conns;
    int nconns;

    pthread_mutex_t mu; /* stats, stopping, drops */
    csvc_stats stats;
    int stopping;
    uint64_t drops[16];
    int ndrops;
    log_limit lim_refuse, lim_token;
};

static int64_t now_ms(void)
{
    return log_now_ms();
}

static void count(csvc *s, uint64_t *field)
{
    pthread_mutex_lock(&s->mu);
    (*field)++;
    pthread_mutex_unlock(&s->mu);
}

static void sync_gauges(csvc *s)
{
    int pending = 0;
    for (int i = 0; i < s->nconns; i++)
        pending += !s->conns[i]->piped;
    pthread_mutex_lock(&s->mu);
    s->stats.conns = s->nconns;
    s->stats.pending = pending;
    pthread_mutex_unlock(&s->mu);
}

static void conn_free(sconn *c)
{
    csvc *s = c->s;
    for (int i = 0; i < s->nconns; i++)
        if (s->conns[i] == c) {
            s->conns[i] = s->conns[--s->nconns];
            break;
        }
    if (c->cli)
        bufferevent_free(c->cli);
    if (c->wl)
        bufferevent_free(c->wl);
    free(c);
    sync_gauges(s);
}

/* ---- the workload's socket ---- */

/* Connects to the Unix socket at path, following no link: the workload
 * owns the directory it is in and could put a link there. 0 or -1. */
static int connect_unix(const char *path, int *out)
{
    struct stat st;
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    int pfd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (pfd < 0)
        return -1;
    if (fstat(pfd, &st) != 0 || !S_ISSOCK(st.st_mode)) {
        close(pfd);
        return -1;
    }
    snprintf(sa.sun_path, sizeof sa.sun_path, "/proc/self/fd/%d", pfd);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int rc = fd >= 0 ? connect(fd, (struct sockaddr *)&sa, sizeof sa) : -1;
    close(pfd);
    if (rc != 0 && fd >= 0 && errno != EINPROGRESS) {
        close(fd);
        return -1;
    }
    *out = fd;
    return fd >= 0 ? 0 : -1;
}

/* ---- piping ---- */

static struct bufferevent *other(sconn *c, struct bufferevent *b)
{
    return b == c->cli ? c->wl : c->cli;
}

/* Both ways ended and nothing left to write: done. */
static int finished(sconn *c)
{
    return c->cli_eof && c->wl_eof &&
           evbuffer_get_length(bufferevent_get_output(c->cli)) == 0 &&
           evbuffer_get_length(bufferevent_get_output(c->wl)) == 0;
}

/* Half-closes dst's write side once its output is empty and src ended. */
static void pass_eof(sconn *c, struct bufferevent *dst)
{
    int src_eof = dst == c->wl ? c->cli_eof : c->wl_eof;
    if (src_eof && evbuffer_get_length(bufferevent_get_output(dst)) == 0)
        shutdown(bufferevent_getfd(dst), SHUT_WR);
}

static void pipe_read(struct bufferevent *b, void *arg)
{
    sconn *c = arg;
    struct bufferevent *dst = other(c, b);
    c->last = now_ms();
    evbuffer_add_buffer(bufferevent_get_output(dst), bufferevent_get_input(b));
    if (evbuffer_get_length(bufferevent_get_output(dst)) >= CSVC_BUF)
        bufferevent_disable(b, EV_READ); /* dst's write cb turns it on */
}

static void pipe_write(struct bufferevent *b, void *arg)
{
    sconn *c = arg;
    struct bufferevent *src = other(c, b);
    int src_eof = src == c->cli ? c->cli_eof : c->wl_eof;
    c->last = now_ms();
    if (!src_eof)
        bufferevent_enable(src, EV_READ);
    pass_eof(c, b);
    if (finished(c))
        conn_free(c);
}

static void pipe_event(struct bufferevent *b, short what, void *arg)
{
    sconn *c = arg;
    if (what & BEV_EVENT_ERROR || !(what & BEV_EVENT_EOF)) {
        conn_free(c);
        return;
    }
    if (b == c->cli)
        c->cli_eof = 1;
    else
        c->wl_eof = 1;
    bufferevent_disable(b, EV_READ);
    /* the other side's write callback now fires once all is written */
    bufferevent_setwatermark(other(c, b), EV_WRITE, 0, 0);
    pass_eof(c, other(c, b));
    if (finished(c))
        conn_free(c);
}

/* ---- the token line ---- */

static int lease_conns(csvc *s, uint64_t lease)
{
    int n = 0;
    for (int i = 0; i < s->nconns; i++)
        n += s->conns[i]->piped && s->conns[i]->lease == lease;
    return n;
}

static void bad_token(sconn *c, const char *why)
{
    csvc *s = c->s;
    count(s, &s->stats.bad_token);
    log_limited(&s->lim_token, s->cfg.log, s->cfg.who,
                "service port: closed %s: %s", c->ip, why);
    conn_free(c);
}

/* Starts piping c to the lease's socket at sock. */
static void start_pipe(sconn *c, const char *sock)
{
    csvc *s = c->s;
    int fd;
    if (connect_unix(sock, &fd)) {
        log_limited(&s->lim_token, s->cfg.log, s->cfg.who,
                    "service port: lease %llu's workload does not answer",
                    (unsigned long long)c->lease);
        conn_free(c);
        return;
    }
    c->wl = bufferevent_socket_new(s->base, fd, BEV_OPT_CLOSE_ON_FREE);
    if (!c->wl) {
        close(fd);
        conn_free(c);
        return;
    }
    c->piped = 1;
    c->last = now_ms();
    count(s, &s->stats.piped);
    sync_gauges(s);
    bufferevent_setcb(c->cli, pipe_read, pipe_write, pipe_event, c);
    bufferevent_setcb(c->wl, pipe_read, pipe_write, pipe_event, c);
    bufferevent_setwatermark(c->cli, EV_WRITE, CSVC_BUF / 2, 0);
    bufferevent_setwatermark(c->wl, EV_WRITE, CSVC_BUF / 2, 0);
    bufferevent_setwatermark(c->cli, EV_READ, 0, CSVC_BUF);
    bufferevent_setwatermark(c->wl, EV_READ, 0, CSVC_BUF);
    bufferevent_enable(c->wl, EV_READ | EV_WRITE);
    pipe_read(c->cli, c); /* bytes sent right after the token */
}

static void token_read(struct bufferevent *b, void *arg)
{
    sconn *c = arg;
    csvc *s = c->s;
    struct evbuffer *in = bufferevent_get_input(b);
    char line[CAIRN_CP_TOKEN_LINE], sock[1024];
    uint8_t token[CAIRN_CP_TOKEN_LEN];
    size_t have = evbuffer_get_length(in);
    size_t look = have < sizeof line ? have : sizeof line;
    evbuffer_copyout(in, line, look);
    if (memchr(line, '\n', look) && look < sizeof line) {
        bad_token(c, "a short token line");
        return;
    }
    if (have < sizeof line)
        return;
    if (cairn_cp_token_parse(token, line, sizeof line)) {
        bad_token(c, "not a token line");
        return;
    }
    int found = s->cfg.lookup(s->cfg.ctx, token, &c->lease, sock, sizeof sock);
    sodium_memzero(token, sizeof token);
    sodium_memzero(line, sizeof line);
    if (found != 0) {
        bad_token(c, "no lease has that token");
        return;
    }
    if (lease_conns(s, c->lease) >= s->cfg.per_lease) {
        log_limited(&s->lim_refuse, s->cfg.log, s->cfg.who,
                    "service port: lease %llu has %d connections, refused "
                    "one more",
                    (unsigned long long)c->lease, s->cfg.per_lease);
        conn_free(c);
        return;
    }
    evbuffer_drain(in, sizeof line);
    start_pipe(c, sock);
}

static void token_event(struct bufferevent *b, short what, void *arg)
{
    conn_free(arg);
}

/* ---- accepting ---- */

/* The oldest connection without a token, or NULL. */
static sconn *oldest_pending(csvc *s)
{
    sconn *o = NULL;
    for (int i = 0; i < s->nconns; i++)
        if (!s->conns[i]->piped && (!o || s->conns[i]->born < o->born))
            o = s->conns[i];
    return o;
}

static int pending(csvc *s)
{
    int n = 0;
    for (int i = 0; i < s->nconns; i++)
        n += !s->conns[i]->piped;
    return n;
}

/* Makes room for one more connection: 0, or -1 when every slot is piped. */
static int make_room(csvc *s)
{
    if (s->nconns < s->cfg.max_conns && pending(s) < s->cfg.max_pending)
        return 0;
    sconn *o = oldest_pending(s);
    if (!o)
        return -1;
    count(s, &s->stats.evicted);
    conn_free(o);
    return 0;
}

static void ip_text(const struct sockaddr_storage *ss, char *out, size_t n)
{
    if (ss->ss_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ss)->sin6_addr, out,
                  (socklen_t)n);
    else
        inet_ntop(AF_INET, &((const struct sockaddr_in *)ss)->sin_addr, out,
                  (socklen_t)n);
}

static void accept_one(csvc *s, int fd, const struct sockaddr_storage *ss)
{
    sconn *c = calloc(1, sizeof *c);
    if (!c || make_room(s)) {
        free(c);
        close(fd);
        count(s, &s->stats.refused);
        log_limited(&s->lim_refuse, s->cfg.log, s->cfg.who,
                    "service port: full (%d connections), refused one",
                    s->nconns);
        return;
    }
    c->s = s;
    c->born = c->last = now_ms();
    ip_text(ss, c->ip, sizeof c->ip);
    c->cli = bufferevent_socket_new(s->base, fd, BEV_OPT_CLOSE_ON_FREE);
    if (!c->cli) {
        close(fd);
        free(c);
        return;
    }
    s->conns[s->nconns++] = c;
    count(s, &s->stats.accepted);
    sync_gauges(s);
    bufferevent_setcb(c->cli, token_read, NULL, token_event, c);
    bufferevent_setwatermark(c->cli, EV_READ, 0, CSVC_BUF);
    bufferevent_enable(c->cli, EV_READ | EV_WRITE);
}

static void on_accept(evutil_socket_t lfd, short what, void *arg)
{
    csvc *s = arg;
    for (int i = 0; i < 64; i++) {
        struct sockaddr_storage ss;
        socklen_t sl = sizeof ss;
        int fd = accept4(lfd, (struct sockaddr *)&ss, &sl,
                         SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0)
            return;
        accept_one(s, fd, &ss);
    }
}

/* ---- the timer and the wake pipe ---- */

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
    csvc *s = arg;
    int64_t now = now_ms();
    for (int i = 0; i < s->nconns;) {
        sconn *c = s->conns[i];
        int late = c->piped ? now - c->last > s->cfg.idle_ms
                            : now - c->born > s->cfg.token_ms;
        if (!late) {
            i++;
            continue;
        }
        count(s, &s->stats.timed_out);
        conn_free(c); /* its slot now holds another: look again */
    }
}

static void on_wake(evutil_socket_t fd, short what, void *arg)
{
    csvc *s = arg;
    char buf[64];
    uint64_t drops[16];
    while (read(fd, buf, sizeof buf) > 0)
        ;
    pthread_mutex_lock(&s->mu);
    int stop = s->stopping, nd = s->ndrops;
    memcpy(drops, s->drops, sizeof drops);
    s->ndrops = 0;
    pthread_mutex_unlock(&s->mu);
    if (stop) {
        event_base_loopbreak(s->base);
        return;
    }
    for (int d = 0; d < nd; d++)
        for (int i = 0; i < s->nconns;) {
            sconn *c = s->conns[i];
            if (c->piped && c->lease == drops[d])
                conn_free(c);
            else
                i++;
        }
}

static void *loop_main(void *arg)
{
    csvc *s = arg;
    event_base_dispatch(s->base);
    return NULL;
}

static void wake(csvc *s)
{
    if (write(s->wake[1], "x", 1) < 0) {
        /* full: the loop wakes anyway */
    }
}

static void fill(csvc_config *c)
{
    if (c->max_conns <= 0)
        c->max_conns = CSVC_MAX_CONNS;
    if (c->max_pending <= 0 || c->max_pending > c->max_conns)
        c->max_pending =
            c->max_conns < CSVC_MAX_PENDING ? c->max_conns : CSVC_MAX_PENDING;
    if (c->per_lease <= 0)
        c->per_lease = CSVC_PER_LEASE;
    if (c->token_ms <= 0)
        c->token_ms = CSVC_TOKEN_MS;
    if (c->idle_ms <= 0)
        c->idle_ms = CSVC_IDLE_MS;
    if (!c->who)
        c->who = "provider";
}

static int setup(csvc *s)
{
    struct timeval tv = {0, TICK_MS * 1000};
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
    if (!s->lev || !s->tick || !s->wake_ev || event_add(s->lev, NULL) ||
        event_add(s->tick, &tv) || event_add(s->wake_ev, NULL))
        return -1;
    return 0;
}

cairn_err csvc_start(csvc **out, const csvc_config *cfg, char *msg, size_t len)
{
    *out = NULL;
    if (!cfg->lookup)
        return CAIRN_ERR_BAD_ARG;
    csvc *s = calloc(1, sizeof *s);
    if (!s)
        return CAIRN_ERR_NOMEM;
    s->cfg = *cfg;
    fill(&s->cfg);
    s->listen_fd = s->wake[0] = s->wake[1] = -1;
    pthread_mutex_init(&s->mu, NULL);
    log_limit_init(&s->lim_refuse, LOG_BURST, LOG_WINDOW_MS);
    log_limit_init(&s->lim_token, LOG_BURST, LOG_WINDOW_MS);
    s->conns = calloc((size_t)s->cfg.max_conns, sizeof *s->conns);
    cairn_err e = s->conns ? cairn_listen(cfg->host, cfg->port, &s->listen_fd)
                           : CAIRN_ERR_NOMEM;
    if (e) {
        snprintf(msg, len, "cannot listen on %s:%d for the service port: %s",
                 cfg->host, cfg->port,
                 e == CAIRN_ERR_IO ? "the port is in use or not allowed"
                                   : cairn_strerror(e));
    } else if (setup(s) || pthread_create(&s->th, NULL, loop_main, s)) {
        e = CAIRN_ERR_NOMEM;
        snprintf(msg, len, "cannot start the service port's thread");
    } else {
        s->started = 1;
        s->port = cairn_listen_port(s->listen_fd);
    }
    if (e) {
        csvc_stop(s);
        return e;
    }
    *out = s;
    return CAIRN_OK;
}

int csvc_port(const csvc *s)
{
    return s->port;
}

void csvc_stats_get(csvc *s, csvc_stats *out)
{
    pthread_mutex_lock(&s->mu);
    *out = s->stats;
    pthread_mutex_unlock(&s->mu);
}

void csvc_drop_lease(csvc *s, uint64_t lease)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->mu);
    if (s->ndrops < 16)
        s->drops[s->ndrops++] = lease;
    pthread_mutex_unlock(&s->mu);
    wake(s);
}

void csvc_stop(csvc *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->mu);
    s->stopping = 1;
    pthread_mutex_unlock(&s->mu);
    if (s->started) {
        wake(s);
        pthread_join(s->th, NULL);
    }
    while (s->nconns > 0)
        conn_free(s->conns[s->nconns - 1]);
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
    if (s->listen_fd >= 0)
        close(s->listen_fd);
    free(s->conns);
    log_limit_destroy(&s->lim_refuse);
    log_limit_destroy(&s->lim_token);
    pthread_mutex_destroy(&s->mu);
    free(s);
}
