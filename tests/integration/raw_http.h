/* Raw HTTP over TCP for integration tests that must send what a normal
 * client would not (bad framing, slow bytes, many idle sockets) and read
 * exactly what the node answers. Header-only: static helpers. */
#ifndef CAIRN_TEST_RAW_HTTP_H
#define CAIRN_TEST_RAW_HTTP_H

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static inline long long raw_now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* A non-blocking TCP socket from local address src (host order, 0: any)
 * connected to 127.0.0.1:port within timeout_ms, or -1. A test that opens
 * hundreds of sockets uses src 127.0.0.2, so that their ports do not
 * collide with ports other tests bind on 127.0.0.1. */
static inline int raw_connect_from(uint32_t src, int port, int timeout_ms)
{
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    struct sockaddr_in me = {.sin_family = AF_INET,
                             .sin_addr.s_addr = htonl(src)};
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0 || (src && bind(fd, (struct sockaddr *)&me, sizeof me))) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    if (connect(fd, (struct sockaddr *)&a, sizeof a) == 0)
        return fd;
    struct pollfd p = {fd, POLLOUT, 0};
    int err = 0;
    socklen_t len = sizeof err;
    if (errno != EINPROGRESS || poll(&p, 1, timeout_ms) != 1 ||
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) || err) {
        close(fd);
        return -1;
    }
    return fd;
}

static inline int raw_connect(int port, int timeout_ms)
{
    return raw_connect_from(0, port, timeout_ms);
}

/* Sends all n bytes within timeout_ms; 0 or -1. */
static inline int raw_send(int fd, const void *buf, size_t n, int timeout_ms)
{
    const char *p = buf;
    long long end = raw_now_ms() + timeout_ms;
    while (n > 0) {
        ssize_t k = send(fd, p, n, MSG_NOSIGNAL);
        if (k > 0) {
            p += k;
            n -= (size_t)k;
            continue;
        }
        if (k < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
            return -1;
        struct pollfd q = {fd, POLLOUT, 0};
        long long left = end - raw_now_ms();
        if (left <= 0 || poll(&q, 1, (int)left) < 0)
            return -1;
    }
    return 0;
}

/* Reads into buf (NUL-terminated, at most cap - 1 bytes) until the peer
 * closes, a whole answer with Content-Length is in, or timeout_ms pass.
 * Returns the bytes read. */
static inline size_t raw_recv(int fd, char *buf, size_t cap, int timeout_ms)
{
    size_t n = 0;
    long long end = raw_now_ms() + timeout_ms;
    buf[0] = '\0';
    while (n + 1 < cap) {
        const char *head_end = strstr(buf, "\r\n\r\n");
        const char *cl = head_end ? strstr(buf, "Content-Length: ") : NULL;
        if (head_end && cl && cl < head_end &&
            n >= (size_t)(head_end + 4 - buf) + strtoul(cl + 16, NULL, 10) &&
            strncmp(buf, "HTTP/1.1 100", 12) != 0)
            break;
        struct pollfd q = {fd, POLLIN, 0};
        long long left = end - raw_now_ms();
        if (left <= 0 || poll(&q, 1, (int)left) != 1)
            break;
        ssize_t k = recv(fd, buf + n, cap - 1 - n, 0);
        if (k <= 0)
            break;
        n += (size_t)k;
        buf[n] = '\0';
    }
    return n;
}

/* The status code of the answer in buf, or -1. */
static inline int raw_status(const char *buf)
{
    int st;
    return sscanf(buf, "HTTP/1.1 %d ", &st) == 1 ? st : -1;
}

/* The answer's body as JSON (caller decrefs), or NULL when it is not JSON
 * or the Content-Type does not say application/json. */
static inline json_t *raw_json(const char *buf)
{
    const char *body = strstr(buf, "\r\n\r\n");
    const char *ct = strstr(buf, "Content-Type: application/json\r\n");
    if (!body || !ct || ct > body)
        return NULL;
    return json_loads(body + 4, JSON_REJECT_DUPLICATES, NULL);
}

/* One request on a new connection: sends req, reads the answer into buf.
 * Returns the status, or -1 when none came. */
static inline int raw_exchange(int port, const char *req, size_t len, char *buf,
                               size_t cap)
{
    int fd = raw_connect(port, 2000);
    buf[0] = '\0';
    if (fd < 0)
        return -1;
    if (raw_send(fd, req, len, 2000) == 0)
        raw_recv(fd, buf, cap, 5000);
    close(fd);
    return raw_status(buf);
}

#endif
