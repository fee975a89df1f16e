/* `cairn sandbox-forward SOCK PORT`: the port forwarder that runs inside a
 * sandbox beside its workload (compute/sandbox.h). It accepts on the Unix
 * socket SOCK (in the work directory, where the provider outside can
 * reach it) and pipes each connection to 127.0.0.1:PORT, the workload's
 * own loopback. One thread, poll(2), FWD_MAX connections at a time, a
 * FWD_BUF buffer each way; a side's end of data is passed on as a
 * half-close. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "cairn/parse.h"
#include "compute/sandbox.h"

#define FWD_MAX 64
#define FWD_BUF 65536

/* One direction of a connection: from fd `from` to fd `to`. */
typedef struct fwd_dir {
    char buf[FWD_BUF];
    size_t off, len;
    int eof;  /* `from` has ended */
    int shut; /* `to` was told (shutdown SHUT_WR) */
} fwd_dir;

typedef struct fwd_conn {
    int fd[2];    /* 0: the Unix side, 1: the TCP side; -1: free slot */
    fwd_dir d[2]; /* d[0]: fd[0] -> fd[1]; d[1]: fd[1] -> fd[0] */
} fwd_conn;

static fwd_conn *conns; /* FWD_MAX, allocated when it starts */

static int listen_unix(const char *path)
{
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof a.sun_path) {
        fprintf(stderr, "sandbox-forward: socket path too long: %s\n", path);
        return -1;
    }
    memcpy(a.sun_path, path, strlen(path) + 1);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    unlink(path); /* one left by an earlier run */
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0 ||
        chmod(path, 0600) != 0 || listen(fd, 64) != 0) {
        fprintf(stderr, "sandbox-forward: listen on %s: %s\n", path,
                strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

static int connect_port(uint16_t port)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        return -1;
    }
    fcntl(fd, F_SETFL, O_NONBLOCK);
    return fd;
}

static void conn_close(fwd_conn *c)
{
    close(c->fd[0]);
    close(c->fd[1]);
    memset(c, 0, sizeof *c);
    c->fd[0] = c->fd[1] = -1;
}

/* Accepts one connection and connects it on; the workload not listening
 * (yet) closes it. */
static void accept_one(int lfd, uint16_t port)
{
    int u = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (u < 0)
        return;
    int t = connect_port(port);
    for (int i = 0; t >= 0 && i < FWD_MAX; i++)
        if (conns[i].fd[0] < 0) {
            memset(&conns[i], 0, sizeof conns[i]);
            conns[i].fd[0] = u;
            conns[i].fd[1] = t;
            return;
        }
    close(u);
    if (t >= 0)
        close(t);
}

/* Moves what it can in direction k of c. -1 when the connection is done
 * for (an error). */
static int move(fwd_conn *c, int k, short rev_from, short rev_to)
{
    fwd_dir *d = &c->d[k];
    int from = c->fd[k], to = c->fd[1 - k];
    if (!d->eof && d->len < FWD_BUF && (rev_from & (POLLIN | POLLHUP))) {
        ssize_t r = read(from, d->buf + d->len, FWD_BUF - d->len);
        if (r > 0)
            d->len += (size_t)r;
        else if (r == 0 || (errno != EAGAIN && errno != EINTR))
            d->eof = 1;
    }
    if (d->off < d->len && (rev_to & (POLLOUT | POLLERR))) {
        ssize_t w = send(to, d->buf + d->off, d->len - d->off, MSG_NOSIGNAL);
        if (w < 0 && errno != EAGAIN && errno != EINTR)
            return -1;
        if (w > 0)
            d->off += (size_t)w;
        if (d->off == d->len)
            d->off = d->len = 0;
    }
    if (d->eof && d->len == 0 && !d->shut) {
        shutdown(to, SHUT_WR);
        d->shut = 1;
    }
    return 0;
}

/* The events to wait for on side k of c. */
static short events(const fwd_conn *c, int k)
{
    short e = 0;
    if (!c->d[k].eof && c->d[k].len < FWD_BUF)
        e |= POLLIN;
    if (c->d[1 - k].off < c->d[1 - k].len)
        e |= POLLOUT;
    return e;
}

static void serve(int lfd, uint16_t port)
{
    struct pollfd p[1 + 2 * FWD_MAX];
    for (;;) {
        int used = 0;
        for (int i = 0; i < FWD_MAX; i++) {
            p[1 + 2 * i].fd = conns[i].fd[0];
            p[2 + 2 * i].fd = conns[i].fd[1];
            p[1 + 2 * i].events =
                conns[i].fd[0] >= 0 ? events(&conns[i], 0) : 0;
            p[2 + 2 * i].events =
                conns[i].fd[1] >= 0 ? events(&conns[i], 1) : 0;
            used += conns[i].fd[0] >= 0;
        }
        p[0].fd = lfd;
        p[0].events = used < FWD_MAX ? POLLIN : 0;
        if (poll(p, 1 + 2 * FWD_MAX, -1) < 0 && errno != EINTR)
            return;
        if (p[0].revents & POLLIN)
            accept_one(lfd, port);
        for (int i = 0; i < FWD_MAX; i++) {
            fwd_conn *c = &conns[i];
            short r0 = p[1 + 2 * i].revents, r1 = p[2 + 2 * i].revents;
            if (c->fd[0] < 0 || p[1 + 2 * i].fd != c->fd[0])
                continue; /* accepted in this round */
            if (move(c, 0, r0, r1) != 0 || move(c, 1, r1, r0) != 0 ||
                (c->d[0].shut && c->d[1].shut) ||
                ((r0 | r1) & (POLLERR | POLLNVAL)))
                conn_close(c);
        }
    }
}

int cairn_sandbox_forward_main(int argc, char **argv)
{
    uint64_t port;
    if (argc != 2 || cairn_parse_u64_max(argv[1], 65535, &port) != CAIRN_OK ||
        port == 0) {
        fprintf(stderr, "usage: cairn sandbox-forward SOCK PORT (runs "
                        "inside a sandbox)\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    conns = calloc(FWD_MAX, sizeof *conns);
    if (!conns) {
        fprintf(stderr, "sandbox-forward: out of memory\n");
        return 1;
    }
    for (int i = 0; i < FWD_MAX; i++)
        conns[i].fd[0] = conns[i].fd[1] = -1;
    int lfd = listen_unix(argv[0]);
    if (lfd < 0)
        return 1;
    serve(lfd, (uint16_t)port);
    fprintf(stderr, "sandbox-forward: poll: %s\n", strerror(errno));
    close(lfd);
    free(conns);
    conns = NULL;
    return 1;
}

/* ---- outside: the provider's side ---- */

/* Opens (O_PATH) the path rel below the directory fd, no part a link. */
static int open_beneath(int dirfd, const char *rel)
{
    char part[256];
    int fd = dup(dirfd);
    while (fd >= 0) {
        size_t k = strcspn(rel, "/");
        if (k == 0 || k >= sizeof part) {
            close(fd);
            errno = EINVAL;
            return -1;
        }
        memcpy(part, rel, k);
        part[k] = '\0';
        int last = rel[k] == '\0';
        if (!last && (!strcmp(part, ".") || !strcmp(part, ".."))) {
            close(fd);
            errno = EINVAL;
            return -1;
        }
        int next =
            openat(fd, part,
                   O_PATH | O_NOFOLLOW | O_CLOEXEC | (last ? 0 : O_DIRECTORY));
        close(fd);
        fd = next;
        if (last)
            break;
        rel += k + 1;
    }
    return fd;
}

int cairn_sandbox_port_connect(const char *workdir, const char *port_sock)
{
    size_t n = strlen(workdir);
    while (n > 1 && workdir[n - 1] == '/')
        n--;
    if (strncmp(port_sock, workdir, n) != 0 || port_sock[n] != '/') {
        errno = EINVAL;
        return -1;
    }
    int dir = open(workdir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    int fd = dir >= 0 ? open_beneath(dir, port_sock + n + 1) : -1;
    int saved = errno;
    if (dir >= 0)
        close(dir);
    struct stat st;
    if (fd < 0) {
        errno = saved == ENOTDIR ? ELOOP : saved;
        return -1;
    }
    if (fstat(fd, &st) != 0 || !S_ISSOCK(st.st_mode)) {
        close(fd);
        errno = ENOTSOCK;
        return -1;
    }
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    snprintf(a.sun_path, sizeof a.sun_path, "/proc/self/fd/%d", fd);
    int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof a) != 0) {
        saved = errno;
        if (s >= 0)
            close(s);
        close(fd);
        errno = saved;
        return -1;
    }
    close(fd);
    return s;
}
