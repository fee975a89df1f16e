/* The provider daemon's network side: listening, the accept thread, the
 * pool of connection workers, one connection's request loop, and a clean
 * stop that wakes every worker. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cairn/conn.h"
#include "cairn/storage_proto.h"
#include "storage/provider/provider_internal.h"

#define ACCEPT_POLL_MS 200

void sprov_log(sprov *p, const char *fmt, ...)
{
    FILE *f = p->cfg.log ? p->cfg.log : stderr;
    char when[32];
    time_t now = time(NULL);
    struct tm tm;
    va_list ap;
    gmtime_r(&now, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    flockfile(f);
    fprintf(f, "%s provider: ", when);
    va_start(ap, fmt);
    vfprintf(f, fmt, ap);
    va_end(ap);
    fputc('\n', f);
    fflush(f);
    funlockfile(f);
}

void sprov_serve_conn(sprov *p, int fd, int slot)
{
    cairn_conn *c;
    int idle = p->cfg.idle_ms > 0 ? p->cfg.idle_ms : SPROV_IDLE_MS;
    if (cairn_conn_server(&c, fd, &p->cfg.key, SPROV_HS_MS))
        return;
    cairn_pubkey client = *cairn_conn_peer(c);
    for (;;) {
        uint8_t type, *req;
        size_t n;
        if (cairn_conn_recv(c, &type, &req, &n, CAIRN_SP_MSG_MAX, idle))
            break; /* closed, quiet too long, or broken */
        sprov_reply r = {0};
        cairn_buf_init(&r.body, CAIRN_SP_MSG_MAX);
        sprov_handle(p, &client, type, req, n, &r);
        free(req);
        cairn_err e = r.body.err ? r.body.err
                                 : cairn_conn_send(c, r.type, r.body.p,
                                                   r.body.len, SPROV_SEND_MS);
        cairn_buf_free(&r.body);
        if (e)
            break;
    }
    cairn_conn_close(c);
}

/* Takes the next queued socket, or -1 when stopping. Records a dup of it
 * in live_fd[slot] so that a stop can wake the worker. */
static int next_socket(sprov *p, int slot)
{
    int fd = -1;
    pthread_mutex_lock(&p->lock);
    while (!p->stopping && p->qlen == 0)
        pthread_cond_wait(&p->cond, &p->lock);
    if (!p->stopping) {
        fd = p->queue[p->qhead];
        p->qhead = (p->qhead + 1) % SPROV_QUEUE;
        p->qlen--;
        p->live_fd[slot] = fcntl(fd, F_DUPFD_CLOEXEC, 0);
    }
    pthread_mutex_unlock(&p->lock);
    return fd;
}

typedef struct worker_arg {
    sprov *p;
    int slot;
} worker_arg;

static void *worker_main(void *arg)
{
    worker_arg w = *(worker_arg *)arg;
    free(arg);
    for (;;) {
        int fd = next_socket(w.p, w.slot);
        if (fd < 0)
            break;
        sprov_serve_conn(w.p, fd, w.slot);
        pthread_mutex_lock(&w.p->lock);
        if (w.p->live_fd[w.slot] >= 0)
            close(w.p->live_fd[w.slot]);
        w.p->live_fd[w.slot] = -1;
        pthread_mutex_unlock(&w.p->lock);
    }
    return NULL;
}

/* Queues an accepted socket for the workers; closes it when the queue is
 * full (the client sees the connection end and tries later). */
static void enqueue(sprov *p, int fd)
{
    pthread_mutex_lock(&p->lock);
    if (p->qlen < SPROV_QUEUE) {
        p->queue[(p->qhead + p->qlen) % SPROV_QUEUE] = fd;
        p->qlen++;
        fd = -1;
        pthread_cond_signal(&p->cond);
    }
    pthread_mutex_unlock(&p->lock);
    if (fd >= 0) {
        sprov_log(p, "busy: %d connections already wait; refused one",
                  SPROV_QUEUE);
        close(fd);
    }
}

static int stopping(sprov *p)
{
    pthread_mutex_lock(&p->lock);
    int s = p->stopping;
    pthread_mutex_unlock(&p->lock);
    return s;
}

static void *accept_main(void *arg)
{
    sprov *p = arg;
    while (!stopping(p)) {
        struct pollfd pfd = {.fd = p->listen_fd, .events = POLLIN};
        if (poll(&pfd, 1, ACCEPT_POLL_MS) <= 0)
            continue;
        int fd = accept4(p->listen_fd, NULL, NULL, SOCK_CLOEXEC);
        if (fd >= 0)
            enqueue(p, fd);
        else if (errno == EMFILE || errno == ENFILE)
            poll(NULL, 0, ACCEPT_POLL_MS); /* out of descriptors: back off */
    }
    return NULL;
}

/* Starts the accept thread and the workers; 0 or -1. */
static int start_threads(sprov *p)
{
    int want = p->cfg.workers > 0 ? p->cfg.workers : SPROV_WORKERS_DEFAULT;
    if (want > SPROV_WORKERS_MAX)
        want = SPROV_WORKERS_MAX;
    for (int i = 0; i < want; i++) {
        worker_arg *w = malloc(sizeof *w);
        if (!w)
            return -1;
        w->p = p;
        w->slot = i;
        if (pthread_create(&p->workers[i], NULL, worker_main, w)) {
            free(w);
            return -1;
        }
        p->nworkers++;
    }
    if (pthread_create(&p->acceptor, NULL, accept_main, p))
        return -1;
    p->accepting = 1;
    return 0;
}

static sprov *alloc_sprov(const sprov_config *cfg)
{
    sprov *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->cfg = *cfg;
    p->listen_fd = -1;
    for (int i = 0; i < SPROV_WORKERS_MAX; i++)
        p->live_fd[i] = -1;
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->cond, NULL);
    cairn_addr_format(p->addr, &cfg->key.pk);
    return p;
}

cairn_err sprov_start(sprov **out, const sprov_config *cfg, char *msg,
                      size_t len)
{
    uint64_t cleaned = 0;
    *out = NULL;
    sprov *p = alloc_sprov(cfg);
    if (!p)
        return CAIRN_ERR_NOMEM;
    cairn_err e =
        cairn_piecestore_open(&p->ps, cfg->data_dir, cfg->capacity, &cleaned);
    if (e) {
        snprintf(msg, len, "cannot open the piece store in %s: %s",
                 cfg->data_dir, cairn_strerror(e));
    } else if ((e = cairn_listen(cfg->listen_host, cfg->listen_port,
                                 &p->listen_fd))) {
        snprintf(msg, len, "cannot listen on %s:%d: %s", cfg->listen_host,
                 cfg->listen_port, cairn_strerror(e));
    } else {
        p->port = cairn_listen_port(p->listen_fd);
        if (start_threads(p)) {
            e = CAIRN_ERR_NOMEM;
            snprintf(msg, len, "cannot start the provider's threads");
        }
    }
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
    return p->port;
}

void sprov_stop(sprov *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->lock);
    p->stopping = 1;
    for (int i = 0; i < SPROV_WORKERS_MAX; i++)
        if (p->live_fd[i] >= 0)
            shutdown(p->live_fd[i], SHUT_RDWR); /* wakes its recv */
    pthread_cond_broadcast(&p->cond);
    pthread_mutex_unlock(&p->lock);
    if (p->accepting)
        pthread_join(p->acceptor, NULL);
    for (int i = 0; i < p->nworkers; i++)
        pthread_join(p->workers[i], NULL);
    for (int i = 0; i < p->qlen; i++)
        close(p->queue[(p->qhead + i) % SPROV_QUEUE]);
    if (p->listen_fd >= 0)
        close(p->listen_fd);
    cairn_piecestore_close(p->ps);
    pthread_cond_destroy(&p->cond);
    pthread_mutex_destroy(&p->lock);
    cairn_keypair_wipe(&p->cfg.key);
    free(p);
}
