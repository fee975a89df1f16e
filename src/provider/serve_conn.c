/* One connection on the loop thread (serve_internal.h): the handshake
 * without blocking, a request's frame read into a buffer that grows as its
 * bytes arrive (charged to the memory budget), the reply written when the
 * socket takes it, and the deadline of whatever the connection is doing.
 *
 * Reads take exactly what the current step needs, so bytes of a later
 * request stay in the kernel while a request is with a worker (replies go
 * out in order, one request at a time per connection). */
#include <errno.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "provider/serve_internal.h"

static void on_read(evutil_socket_t fd, short what, void *arg);
static void on_write(evutil_socket_t fd, short what, void *arg);

static void want_read(pd_conn *c, int on)
{
    if (on && !c->rev_on)
        c->rev_on = event_add(c->rev, NULL) == 0;
    else if (!on && c->rev_on) {
        event_del(c->rev);
        c->rev_on = 0;
    }
}

static void want_write(pd_conn *c, int on)
{
    if (on && !c->wev_on)
        c->wev_on = event_add(c->wev, NULL) == 0;
    else if (!on && c->wev_on) {
        event_del(c->wev);
        c->wev_on = 0;
    }
}

/* The deadline of moving `bytes`: the base plus 1 ms per 256 bytes. */
static int64_t transfer_ms(const pd_server *s, size_t bytes)
{
    return (int64_t)s->lim.request_ms + (int64_t)(bytes / PD_BYTES_PER_MS);
}

void pd_conn_open(pd_server *s, int fd, const uint8_t ip[16],
                  const char *ip_text)
{
    int one = 1;
    pd_conn *c = calloc(1, sizeof *c);
    if (!c) {
        close(fd);
        return;
    }
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    c->srv = s;
    c->fd = fd;
    memcpy(c->ip, ip, 16);
    snprintf(c->ip_text, sizeof c->ip_text, "%s", ip_text);
    c->born = c->last_active = pd_now();
    c->deadline = c->born + s->lim.handshake_ms;
    conn_srv_init(&c->hs);
    c->rev = event_new(s->base, fd, EV_READ | EV_PERSIST, on_read, c);
    c->wev = event_new(s->base, fd, EV_WRITE | EV_PERSIST, on_write, c);
    c->slot = s->nconns;
    s->conns[s->nconns++] = c;
    pthread_mutex_lock(&s->mu);
    s->stats.conns++;
    s->stats.handshakes++;
    pthread_mutex_unlock(&s->mu);
    if (!c->rev || !c->wev) {
        pd_conn_close(c);
        return;
    }
    want_read(c, 1);
}

static void drop_out(pd_conn *c)
{
    if (c->out_charge) {
        free(c->out);
        pd_mem_release(c->srv, c->out_charge, c->out_stranger);
    }
    c->out = NULL;
    c->out_len = c->out_off = c->out_charge = 0;
}

static void drop_in(pd_conn *c)
{
    if (c->in) {
        free(c->in);
        pd_mem_release(c->srv, c->in_cap, c->in_stranger);
    }
    c->in = NULL;
    c->in_cap = c->in_got = c->in_need = 0;
}

void pd_conn_close(pd_conn *c)
{
    if (c->state == PC_BUSY) {
        c->doomed = 1; /* the worker still uses it */
        want_read(c, 0);
        want_write(c, 0);
        return;
    }
    pd_conn_free(c);
}

void pd_conn_free(pd_conn *c)
{
    pd_server *s = c->srv;
    want_read(c, 0);
    want_write(c, 0);
    if (c->rev)
        event_free(c->rev);
    if (c->wev)
        event_free(c->wev);
    close(c->fd);
    drop_in(c);
    drop_out(c);
    conn_srv_wipe(&c->hs);
    s->conns[c->slot] = s->conns[--s->nconns];
    s->conns[c->slot]->slot = c->slot;
    pthread_mutex_lock(&s->mu);
    s->stats.conns--;
    if (c->state == PC_HS)
        s->stats.handshakes--;
    pthread_mutex_unlock(&s->mu);
    free(c);
}

/* Closes a connection for something the peer did; the line is limited. */
static void close_bad(pd_conn *c, uint64_t *stat, const char *fmt,
                      const char *what)
{
    pd_server *s = c->srv;
    pd_count(s, stat);
    log_limited(&s->lim_close, s->cfg.log, s->cfg.who, fmt, c->ip_text, what);
    pd_conn_close(c);
}

static int flush_out(pd_conn *c);

/* Starts writing out[0..len); the connection stops reading meanwhile unless
 * it is in the handshake. -1 if the connection was closed. */
static int start_write(pd_conn *c)
{
    if (c->state != PC_HS)
        want_read(c, 0);
    return flush_out(c);
}

/* The last bytes are out: end our direction and wait (reading and
 * dropping) for the peer's end, so that it reads our last reply rather
 * than a reset. */
static void finish_closing(pd_conn *c)
{
    shutdown(c->fd, SHUT_WR);
    want_read(c, 1);
}

static void to_closing(pd_conn *c)
{
    c->state = PC_CLOSING;
    c->deadline = pd_now() + transfer_ms(c->srv, c->out_len) + PD_LINGER_MS;
    want_read(c, 0);
    if (c->out_len > c->out_off)
        (void)start_write(c);
    else
        finish_closing(c);
}

static void to_idle(pd_conn *c)
{
    c->state = PC_IDLE;
    c->hdr_got = 0;
    c->deadline = pd_now() + c->srv->lim.idle_ms;
    want_read(c, 1);
}

/* The handshake is done: admission, then open (or a refusal). */
static void handshake_done(pd_conn *c)
{
    pd_server *s = c->srv;
    c->authed = 1;
    c->peer = c->hs.peer;
    c->friend = pd_is_friend(s, &c->peer);
    pthread_mutex_lock(&s->mu);
    s->stats.handshakes--;
    pthread_mutex_unlock(&s->mu);
    c->state = PC_IDLE;
    const char *why = pd_admit_peer(c);
    if (why)
        pd_conn_refuse(c, CAIRN_ERR_BUSY, why);
    else
        to_idle(c);
}

/* Reads up to n bytes into p. >0: bytes, 0: nothing now, -1: closed (the
 * connection is gone). */
static ssize_t take(pd_conn *c, void *p, size_t n)
{
    ssize_t r = recv(c->fd, p, n, 0);
    if (r > 0) {
        c->last_active = pd_now();
        return r;
    }
    if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return 0;
    pd_conn_close(c); /* the peer's end, or a reset */
    return -1;
}

/* Handshake bytes; 1 while the connection lives. */
static int read_handshake(pd_conn *c)
{
    size_t want = conn_srv_want(&c->hs);
    ssize_t r = take(c, c->hs_in + c->hs_got, want - c->hs_got);
    if (r <= 0)
        return r == 0 ? 0 : -1;
    c->hs_got += (size_t)r;
    if (c->hs_got < want)
        return 1;
    c->hs_got = 0;
    cairn_err e = conn_srv_feed(&c->hs, &c->srv->cfg.key, c->hs_in, want);
    if (e) {
        close_bad(c, &c->srv->stats.closed_bad,
                  "closed a connection from %s: handshake failed (%s)",
                  cairn_strerror(e));
        return -1;
    }
    if (c->hs.out_len) {
        memcpy(c->hs_out, c->hs.out, c->hs.out_len);
        c->out = c->hs_out;
        c->out_len = c->hs.out_len;
        c->out_off = 0;
        return start_write(c) == 0 ? 1 : -1;
    }
    if (conn_srv_want(&c->hs) == 0) {
        handshake_done(c);
        return 0; /* a new state: the next wake-up goes on */
    }
    return 1;
}

/* The frame's length is in: check it against the bound, set up the
 * buffer's first part and the request's deadline. */
static int begin_frame(pd_conn *c)
{
    pd_server *s = c->srv;
    size_t ct = 0;
    cairn_err e = conn_frame_len(&ct, c->hdr, s->cfg.max_request);
    if (e) {
        close_bad(c, &s->stats.closed_bad, "closed a connection from %s: %s",
                  e == CAIRN_ERR_TOO_LARGE ? "it announced a request over the "
                                             "bound"
                                           : "a frame shorter than its MAC");
        return -1;
    }
    c->in_need = ct;
    c->in_got = 0;
    c->in_stranger = !c->friend;
    c->deadline = c->last_active + transfer_ms(s, ct);
    return 0;
}

/* Grows c->in for the bytes to come (never past the frame, at most double
 * each step), within the budget. 0, or -1 when the connection was closed. */
static int grow_in(pd_conn *c)
{
    pd_server *s = c->srv;
    size_t want = c->in_cap ? c->in_cap * 2 : PD_FIRST_ALLOC;
    if (want > c->in_need)
        want = c->in_need;
    size_t more = want - c->in_cap;
    if (pd_mem_charge(s, more, c->in_stranger, 0) != 0) {
        if (!c->in_stranger)
            pd_mem_evict(s, more, c);
        if (c->in_stranger || pd_mem_charge(s, more, 0, 0) != 0) {
            pd_count(s, &s->stats.mem_refused);
            log_limited(&s->lim_mem, s->cfg.log, s->cfg.who,
                        "closed a connection from %s: the memory for "
                        "requests of %s is in use (%zu bytes)",
                        c->ip_text,
                        c->in_stranger ? "peers without a deal" : "all peers",
                        c->in_stranger ? s->lim.mem_strangers
                                       : s->lim.mem_total);
            pd_conn_close(c);
            return -1;
        }
    }
    uint8_t *p = realloc(c->in, want);
    if (!p) {
        pd_mem_release(s, more, c->in_stranger);
        pd_conn_close(c);
        return -1;
    }
    c->in = p;
    c->in_cap = want;
    return 0;
}

/* The request is whole: it goes to the workers with its buffer, and the
 * connection reads nothing more until the reply is out. */
static void submit(pd_conn *c)
{
    pd_server *s = c->srv;
    pd_job *j = calloc(1, sizeof *j);
    if (!j) {
        pd_conn_close(c);
        return;
    }
    c->friend = pd_is_friend(s, &c->peer);
    j->c = c;
    j->peer = c->peer;
    j->friend = c->friend;
    j->buf = c->in;
    j->ct_len = c->in_need;
    j->charge = c->in_cap;
    j->stranger = c->in_stranger;
    c->in = NULL;
    c->in_cap = c->in_got = c->in_need = 0;
    c->hdr_got = 0;
    c->state = PC_BUSY;
    want_read(c, 0);
    pd_pool_push(s, j);
}

/* Frame bytes; 1 while the connection lives and reads on. */
static int read_frame(pd_conn *c)
{
    ssize_t r;
    if (c->hdr_got < sizeof c->hdr) {
        r = take(c, c->hdr + c->hdr_got, sizeof c->hdr - c->hdr_got);
        if (r <= 0)
            return r == 0 ? 0 : -1;
        if (c->state == PC_IDLE) {
            c->state = PC_READ;
            c->deadline = c->last_active + c->srv->lim.request_ms;
        }
        c->hdr_got += (size_t)r;
        if (c->hdr_got < sizeof c->hdr)
            return 1;
        return begin_frame(c) == 0 ? 1 : -1;
    }
    if (c->in_got == c->in_cap && grow_in(c) != 0)
        return -1;
    r = take(c, c->in + c->in_got, c->in_cap - c->in_got);
    if (r <= 0)
        return r == 0 ? 0 : -1;
    c->in_got += (size_t)r;
    if (c->in_got < c->in_need)
        return 1;
    submit(c);
    return 0;
}

#define READS_PER_WAKE 16 /* fair to the others: level-triggered, we return */

static void on_read(evutil_socket_t fd, short what, void *arg)
{
    pd_conn *c = arg;
    for (int i = 0; i < READS_PER_WAKE; i++) {
        int live;
        if (c->state == PC_HS)
            live = read_handshake(c);
        else if (c->state == PC_IDLE || c->state == PC_READ)
            live = read_frame(c);
        else if (c->state == PC_CLOSING) {
            uint8_t sink[4096];
            live = take(c, sink, sizeof sink) > 0 ? 1 : -1;
        } else
            live = 0;
        if (live <= 0)
            return;
    }
}

/* Writes what the socket takes; on the last byte moves on (idle, or the
 * end). -1 if the connection was closed. */
static int flush_out(pd_conn *c)
{
    while (c->out_off < c->out_len) {
        ssize_t w = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
                         MSG_NOSIGNAL);
        if (w > 0) {
            c->out_off += (size_t)w;
            c->last_active = pd_now();
            continue;
        }
        if (w < 0 &&
            (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
            want_write(c, 1);
            return 0;
        }
        pd_conn_close(c);
        return -1;
    }
    want_write(c, 0);
    drop_out(c);
    if (c->state == PC_CLOSING)
        finish_closing(c);
    else if (c->state == PC_WRITE && c->close_after)
        to_closing(c);
    else if (c->state == PC_WRITE)
        to_idle(c);
    return 0;
}

static void on_write(evutil_socket_t fd, short what, void *arg)
{
    (void)flush_out(arg);
}

void pd_conn_refuse(pd_conn *c, cairn_err e, const char *why)
{
    pd_server *s = c->srv;
    pd_reply r = {0};
    pd_count(s, &s->stats.refused);
    log_limited(&s->lim_refuse, s->cfg.log, s->cfg.who,
                "refused a connection from %s: %s", c->ip_text, why);
    cairn_buf_init(&r.body, 1024);
    s->cfg.refuse(s->cfg.ctx, e, why, &r);
    size_t n = r.body.err ? 0 : r.body.len;
    size_t len = CONN_SRV_FRAME_LEN(n);
    uint8_t *f = malloc(len);
    if (!f || r.type == 0) {
        free(f);
        cairn_buf_free(&r.body);
        pd_conn_close(c);
        return;
    }
    if (n)
        memcpy(f + CONN_SRV_PAYLOAD_AT, r.body.p, n);
    cairn_buf_free(&r.body);
    conn_srv_seal(&c->hs, f, r.type, n);
    (void)pd_mem_charge(s, len, !c->friend, 1);
    c->out = f;
    c->out_len = len;
    c->out_off = 0;
    c->out_charge = len;
    c->out_stranger = !c->friend;
    to_closing(c);
}

void pd_conn_done(pd_conn *c, pd_job *j)
{
    c->friend = pd_is_friend(c->srv, &c->peer); /* a deal may be new */
    if (!j->frame || c->doomed) {
        /* a frame that did not open, the peer's end, or closed meanwhile */
        pd_conn_free(c);
        return;
    }
    c->out = j->frame;
    c->out_len = j->frame_len;
    c->out_off = 0;
    c->out_charge = j->frame_charge;
    c->out_stranger = j->frame_stranger;
    j->frame = NULL;
    c->close_after = j->close;
    c->state = PC_WRITE;
    c->deadline = pd_now() + transfer_ms(c->srv, c->out_len);
    (void)start_write(c);
}

int pd_conn_check(pd_conn *c, int64_t now)
{
    if (c->state == PC_BUSY || now < c->deadline)
        return 0;
    if (c->state == PC_CLOSING) {
        pd_conn_close(c); /* the linger is over */
        return 1;
    }
    static const char *const what[] = {"the handshake", "idle", "a request", "",
                                       "a reply"};
    close_bad(c, &c->srv->stats.timed_out,
              "closed a connection from %s: %s took past its deadline",
              what[c->state]);
    return 1;
}
