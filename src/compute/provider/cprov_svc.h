/* Internal: the compute provider's service port (docs/compute-provider.md,
 * "The service port"). One event-loop thread (libevent) accepts TCP
 * connections on its own address. A client first sends a lease's access
 * token as a line (cairn/compute_proto.h, CAIRN_CP_TOKEN_LINE bytes); the
 * server asks the daemon which lease holds that token (compared in
 * constant time), connects to that lease's Unix socket (the sandbox's
 * forwarder to the workload's port) and then pipes bytes both ways. A
 * client without a valid token is closed before anything reaches a
 * workload. Bounds:
 *   - connections in all, connections still without a token (when those
 *     are full the oldest of them is closed to make room), and
 *     connections per lease;
 *   - a deadline for the token line, an idle timeout once piped;
 *   - at most CSVC_BUF bytes buffered each way per connection (reading
 *     stops until the other side takes them).
 * Lines a peer can cause are rate-limited. */
#ifndef CAIRN_COMPUTE_PROVIDER_SVC_H
#define CAIRN_COMPUTE_PROVIDER_SVC_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cairn/compute_proto.h"
#include "cairn/error.h"

#define CSVC_MAX_CONNS 256
#define CSVC_MAX_PENDING 64 /* connections still without a token */
#define CSVC_PER_LEASE 32
#define CSVC_TOKEN_MS 5000
#define CSVC_IDLE_MS 120000
#define CSVC_BUF (64u << 10)

/* Finds the lease whose token this is: 0 with *lease and sock (the
 * Unix socket's path, len bytes) filled in, -1 when no live lease has it.
 * Called on the service loop's thread; must not block. */
typedef int (*csvc_lookup)(void *ctx, const uint8_t token[CAIRN_CP_TOKEN_LEN],
                           uint64_t *lease, char *sock, size_t len);

typedef struct csvc_config {
    const char *host;                      /* numeric address or "localhost" */
    int port;                              /* 0: the kernel picks */
    int max_conns, max_pending, per_lease; /* 0: the defaults above */
    int token_ms, idle_ms;
    csvc_lookup lookup;
    void *ctx;
    FILE *log;
    const char *who;
} csvc_config;

typedef struct csvc_stats {
    uint64_t accepted, refused, evicted, bad_token, timed_out, piped;
    int conns, pending;
} csvc_stats;

typedef struct csvc csvc;

/* Listens and starts the loop thread. msg (len bytes) says why it failed.
 * The caller owns *out and stops it with csvc_stop. */
cairn_err csvc_start(csvc **out, const csvc_config *cfg, char *msg, size_t len);
int csvc_port(const csvc *s);
void csvc_stats_get(csvc *s, csvc_stats *out);
/* Closes every connection of lease (e.g. when it closes). */
void csvc_drop_lease(csvc *s, uint64_t lease);
/* Stops the loop, closes every connection and frees s. NULL is fine. */
void csvc_stop(csvc *s);

#endif
