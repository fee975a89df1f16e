/* Deadlines and full reads/writes on non-blocking sockets (conn_io.h).
 *
 * Every wait is a poll(2) bounded by the time left until the call's
 * deadline, so a peer that sends nothing, or trickles one byte at a time,
 * cannot hold a caller past it. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>

#include "net/conn_io.h"

int64_t conn_deadline(int timeout_ms)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000 +
           (timeout_ms > 0 ? timeout_ms : 0);
}

int conn_remaining(int64_t deadline)
{
    int64_t left = deadline - conn_deadline(0);
    if (left <= 0)
        return 0;
    return left > 0x7fffffff ? 0x7fffffff : (int)left;
}

cairn_err conn_set_nonblock(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
        return CAIRN_ERR_IO;
    return CAIRN_OK;
}

cairn_err conn_wait(int fd, short events, int64_t deadline)
{
    for (;;) {
        int left = conn_remaining(deadline);
        if (left == 0)
            return CAIRN_ERR_TIMEOUT;
        struct pollfd pfd = {.fd = fd, .events = events};
        int r = poll(&pfd, 1, left);
        if (r > 0)
            return CAIRN_OK; /* ready, or an error the next call reports */
        if (r < 0 && errno != EINTR)
            return CAIRN_ERR_IO;
    }
}

cairn_err conn_read_full(int fd, void *p, size_t n, int64_t deadline)
{
    uint8_t *b = p;
    size_t got = 0;
    while (got < n) {
        ssize_t r = recv(fd, b + got, n - got, 0);
        if (r > 0) {
            got += (size_t)r;
            continue;
        }
        if (r == 0)
            return CAIRN_ERR_TRUNCATED;
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK)
            return CAIRN_ERR_IO;
        cairn_err e = conn_wait(fd, POLLIN, deadline);
        if (e)
            return e;
    }
    return CAIRN_OK;
}

cairn_err conn_write_full(int fd, const void *p, size_t n, int64_t deadline)
{
    const uint8_t *b = p;
    size_t put = 0;
    while (put < n) {
        ssize_t r = send(fd, b + put, n - put, MSG_NOSIGNAL);
        if (r >= 0) {
            put += (size_t)r;
            continue;
        }
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK)
            return CAIRN_ERR_IO;
        cairn_err e = conn_wait(fd, POLLOUT, deadline);
        if (e)
            return e;
    }
    return CAIRN_OK;
}
