/* Opening and closing connections: dial, accept, the handshake over a
 * given socket, and close (cairn/conn.h). */
#define _GNU_SOURCE /* accept4 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/conn_internal.h"
#include "net/conn_io.h"

/* A connection over fd, which it owns from now on (closed on failure). */
static cairn_err conn_new(cairn_conn **out, int fd)
{
    int one = 1;
    cairn_conn *c = calloc(1, sizeof *c);
    if (!c || conn_set_nonblock(fd)) {
        free(c);
        close(fd);
        return c ? CAIRN_ERR_IO : CAIRN_ERR_NOMEM;
    }
    /* frames are written whole; do not let Nagle hold the last segment */
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    c->fd = fd;
    atomic_init(&c->err, CAIRN_OK);
    *out = c;
    return CAIRN_OK;
}

void cairn_conn_close(cairn_conn *c)
{
    if (!c)
        return;
    close(c->fd);
    free(c->sbuf);
    free(c->rbuf);
    sodium_memzero(c, sizeof *c);
    free(c);
}

static cairn_err open_as(cairn_conn **out, int fd, const cairn_keypair *me,
                         const cairn_pubkey *expect_peer, int server,
                         int64_t deadline)
{
    cairn_conn *c = NULL;
    cairn_crypto_init();
    cairn_err e = conn_new(&c, fd);
    if (e)
        return e;
    e = server ? conn_handshake_server(c, me, deadline)
               : conn_handshake_client(c, me, expect_peer, deadline);
    if (e) {
        cairn_conn_close(c);
        return e;
    }
    *out = c;
    return CAIRN_OK;
}

cairn_err cairn_conn_client(cairn_conn **out, int fd, const cairn_keypair *me,
                            const cairn_pubkey *expect_peer, int timeout_ms)
{
    if (!out || !me || fd < 0 || timeout_ms <= 0) {
        if (fd >= 0)
            close(fd);
        return CAIRN_ERR_BAD_ARG;
    }
    return open_as(out, fd, me, expect_peer, 0, conn_deadline(timeout_ms));
}

cairn_err cairn_conn_server(cairn_conn **out, int fd, const cairn_keypair *me,
                            int timeout_ms)
{
    if (!out || !me || fd < 0 || timeout_ms <= 0) {
        if (fd >= 0)
            close(fd);
        return CAIRN_ERR_BAD_ARG;
    }
    return open_as(out, fd, me, NULL, 1, conn_deadline(timeout_ms));
}

cairn_err cairn_conn_dial(cairn_conn **out, const char *host, int port,
                          const cairn_keypair *me,
                          const cairn_pubkey *expect_peer, int timeout_ms)
{
    int fd = -1;
    if (!out || !host || !me || timeout_ms <= 0)
        return CAIRN_ERR_BAD_ARG;
    int64_t deadline = conn_deadline(timeout_ms);
    cairn_err e = conn_connect(&fd, host, port, deadline);
    if (e)
        return e;
    return open_as(out, fd, me, expect_peer, 0, deadline);
}

/* Accepts one pending connection before the deadline. Waits first, so
 * that even a blocking listen_fd is only accepted from when ready. */
static cairn_err accept_one(int *fd_out, int listen_fd, int64_t deadline)
{
    for (;;) {
        cairn_err e = conn_wait(listen_fd, POLLIN, deadline);
        if (e)
            return e;
        int fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd >= 0) {
            *fd_out = fd;
            return CAIRN_OK;
        }
        /* EAGAIN: another thread took it; the others: the client gave up
         * before we got to it, or a signal came */
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
            errno != ECONNABORTED && errno != EPROTO)
            return CAIRN_ERR_IO;
    }
}

cairn_err cairn_conn_accept(cairn_conn **out, int listen_fd,
                            const cairn_keypair *me, int timeout_ms)
{
    int fd = -1;
    if (!out || !me || listen_fd < 0 || timeout_ms <= 0)
        return CAIRN_ERR_BAD_ARG;
    int64_t deadline = conn_deadline(timeout_ms);
    cairn_err e = accept_one(&fd, listen_fd, deadline);
    if (e)
        return e;
    return open_as(out, fd, me, NULL, 1, deadline);
}
