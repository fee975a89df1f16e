/* Socket plumbing for the transport: deadlines, full reads and writes on
 * non-blocking sockets, connecting and resolving within a deadline.
 * Internal to src/net. A deadline is a CLOCK_MONOTONIC time in ms. */
#ifndef CAIRN_NET_CONN_IO_H
#define CAIRN_NET_CONN_IO_H

#include <stddef.h>
#include <stdint.h>

#include "cairn/error.h"

/* now + timeout_ms on the monotonic clock. */
int64_t conn_deadline(int timeout_ms);
/* Milliseconds left until deadline, 0 when past it. */
int conn_remaining(int64_t deadline);

/* Sets O_NONBLOCK; CAIRN_ERR_IO on failure. */
cairn_err conn_set_nonblock(int fd) CAIRN_WUR;
/* Waits until fd is ready for `events` (POLLIN/POLLOUT) or the deadline
 * passes (CAIRN_ERR_TIMEOUT). Retries on EINTR. */
cairn_err conn_wait(int fd, short events, int64_t deadline) CAIRN_WUR;
/* Reads exactly n bytes. CAIRN_ERR_TRUNCATED when the peer closes first,
 * CAIRN_ERR_TIMEOUT past the deadline, CAIRN_ERR_IO on a socket error. */
cairn_err conn_read_full(int fd, void *p, size_t n, int64_t deadline) CAIRN_WUR;
/* Writes exactly n bytes (MSG_NOSIGNAL: a closed peer gives CAIRN_ERR_IO,
 * never SIGPIPE). CAIRN_ERR_TIMEOUT past the deadline. */
cairn_err conn_write_full(int fd, const void *p, size_t n,
                          int64_t deadline) CAIRN_WUR;
/* Resolves host (numeric at once; a name on a helper thread, abandoned
 * at the deadline) and connects a non-blocking TCP socket to the first
 * address that answers. The caller owns *fd_out. CAIRN_ERR_BAD_ENDPOINT
 * when the name does not resolve, CAIRN_ERR_IO when no address accepts,
 * CAIRN_ERR_TIMEOUT at the deadline. */
cairn_err conn_connect(int *fd_out, const char *host, int port,
                       int64_t deadline) CAIRN_WUR;

#endif
