/* Resolving, connecting and listening within a deadline (conn_io.h and
 * cairn_listen in cairn/conn.h).
 *
 * getaddrinfo(3) has no timeout, so a name (not a numeric address) is
 * resolved on a detached helper thread; the caller waits on a condition
 * variable until its deadline and then abandons the job. The job is
 * reference-counted so that whichever of the two finishes last frees it. */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cairn/conn.h"
#include "net/conn_io.h"

typedef struct resolve_job {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int refs; /* caller and helper thread */
    int done;
    int rc; /* getaddrinfo's result */
    struct addrinfo *res;
    char host[CAIRN_HOST_MAX + 1];
    char port[8];
} resolve_job;

static const struct addrinfo tcp_hints = {.ai_socktype = SOCK_STREAM,
                                          .ai_flags = AI_NUMERICSERV};

static void job_unref(resolve_job *j)
{
    pthread_mutex_lock(&j->mu);
    int last = --j->refs == 0;
    pthread_mutex_unlock(&j->mu);
    if (!last)
        return;
    if (j->res)
        freeaddrinfo(j->res);
    pthread_cond_destroy(&j->cv);
    pthread_mutex_destroy(&j->mu);
    free(j);
}

static void *resolve_thread(void *arg)
{
    resolve_job *j = arg;
    struct addrinfo *res = NULL;
    int rc = getaddrinfo(j->host, j->port, &tcp_hints, &res);
    pthread_mutex_lock(&j->mu);
    j->rc = rc;
    j->res = res;
    j->done = 1;
    pthread_cond_signal(&j->cv);
    pthread_mutex_unlock(&j->mu);
    job_unref(j);
    return NULL;
}

/* Allocates a job holding two references; NULL when out of memory. */
static resolve_job *job_new(const char *host, const char *port)
{
    resolve_job *j = calloc(1, sizeof *j);
    pthread_condattr_t ca;
    if (!j)
        return NULL;
    pthread_mutex_init(&j->mu, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&j->cv, &ca);
    pthread_condattr_destroy(&ca);
    j->refs = 2;
    snprintf(j->host, sizeof j->host, "%s", host);
    snprintf(j->port, sizeof j->port, "%s", port);
    return j;
}

/* Waits for the job until the deadline; takes its result on success. */
static cairn_err job_wait(resolve_job *j, struct addrinfo **res,
                          int64_t deadline)
{
    struct timespec until = {.tv_sec = deadline / 1000,
                             .tv_nsec = (deadline % 1000) * 1000000};
    cairn_err e = CAIRN_OK;
    pthread_mutex_lock(&j->mu);
    while (!j->done && e == CAIRN_OK)
        if (pthread_cond_timedwait(&j->cv, &j->mu, &until) == ETIMEDOUT)
            e = j->done ? CAIRN_OK : CAIRN_ERR_TIMEOUT;
    if (e == CAIRN_OK && j->rc != 0) /* no such name, or no resolver */
        e = j->rc == EAI_AGAIN || j->rc == EAI_SYSTEM ? CAIRN_ERR_IO
                                                      : CAIRN_ERR_BAD_ENDPOINT;
    if (e == CAIRN_OK) {
        *res = j->res;
        j->res = NULL;
    }
    pthread_mutex_unlock(&j->mu);
    return e;
}

/* Resolves host:port to a list the caller frees with freeaddrinfo. */
static cairn_err resolve(struct addrinfo **res, const char *host, int port,
                         int64_t deadline)
{
    char ps[8];
    snprintf(ps, sizeof ps, "%d", port);
    struct addrinfo h = tcp_hints;
    h.ai_flags |= AI_NUMERICHOST;
    int rc = getaddrinfo(host, ps, &h, res);
    if (rc == 0)
        return CAIRN_OK;
    if (rc != EAI_NONAME || strlen(host) > CAIRN_HOST_MAX)
        return CAIRN_ERR_BAD_ENDPOINT;
    resolve_job *j = job_new(host, ps);
    if (!j)
        return CAIRN_ERR_NOMEM;
    pthread_t t;
    pthread_attr_t a;
    pthread_attr_init(&a);
    pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
    rc = pthread_create(&t, &a, resolve_thread, j);
    pthread_attr_destroy(&a);
    if (rc != 0) {
        j->refs = 1; /* no helper will drop its reference */
        job_unref(j);
        return CAIRN_ERR_IO;
    }
    cairn_err e = job_wait(j, res, deadline);
    job_unref(j);
    return e;
}

/* Starts a connect to one address and waits for it until the deadline. */
static cairn_err connect_one(int *fd_out, const struct addrinfo *ai,
                             int64_t deadline)
{
    int fd =
        socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return CAIRN_ERR_IO;
    cairn_err e = CAIRN_OK;
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
        if (errno != EINPROGRESS && errno != EINTR)
            e = CAIRN_ERR_IO;
        else if ((e = conn_wait(fd, POLLOUT, deadline)) == CAIRN_OK) {
            int err = 0;
            socklen_t len = sizeof err;
            if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err)
                e = CAIRN_ERR_IO;
        }
    }
    if (e) {
        close(fd);
        return e;
    }
    *fd_out = fd;
    return CAIRN_OK;
}

cairn_err conn_connect(int *fd_out, const char *host, int port,
                       int64_t deadline)
{
    struct addrinfo *res = NULL;
    if (!host || port < 1 || port > 65535)
        return CAIRN_ERR_BAD_ENDPOINT;
    cairn_err e = resolve(&res, host, port, deadline);
    if (e)
        return e;
    e = CAIRN_ERR_IO;
    for (struct addrinfo *ai = res; ai && e != CAIRN_OK; ai = ai->ai_next) {
        e = connect_one(fd_out, ai, deadline);
        if (e == CAIRN_ERR_TIMEOUT)
            break;
    }
    freeaddrinfo(res);
    return e;
}

cairn_err cairn_listen(const char *host, int port, int *fd_out)
{
    char ps[8];
    struct addrinfo h = tcp_hints, *res = NULL;
    if (port < 0 || port > 65535 || !fd_out)
        return CAIRN_ERR_BAD_ARG;
    h.ai_flags |= AI_PASSIVE;
    snprintf(ps, sizeof ps, "%d", port);
    if (getaddrinfo(host, ps, &h, &res) != 0)
        return CAIRN_ERR_BAD_ENDPOINT;
    int fd =
        socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    cairn_err e = CAIRN_ERR_IO;
    if (fd >= 0 &&
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == 0 &&
        bind(fd, res->ai_addr, res->ai_addrlen) == 0 && listen(fd, 64) == 0)
        e = CAIRN_OK;
    else if (errno == EADDRINUSE)
        e = CAIRN_ERR_ADDR_IN_USE;
    freeaddrinfo(res);
    if (e) {
        if (fd >= 0)
            close(fd);
        return e;
    }
    *fd_out = fd;
    return CAIRN_OK;
}

int cairn_listen_port(int fd)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0)
        return -1;
    if (ss.ss_family == AF_INET)
        return ntohs(((struct sockaddr_in *)&ss)->sin_port);
    if (ss.ss_family == AF_INET6)
        return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
    return -1;
}
