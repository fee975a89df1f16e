/* `cairn compute tunnel LEASE`: a local port that reaches a service
 * workload's published port. Each connection accepted here opens one to
 * the provider's service listener with the lease's access token (which
 * only the tenant gets, through the authenticated status call) and then
 * copies bytes both ways until either side closes. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "compute/cli/compute_cli.h"
#include "compute/client.h"

#define TUNNEL_CONNS_MAX 32
#define TUNNEL_DIAL_MS 10000

static const char tunnel_usage[] =
    "usage: cairn compute tunnel LEASE [--listen HOST:PORT] [--key FILE]\n"
    "                            [--node URL]\n"
    "Listens on HOST:PORT (default 127.0.0.1 and a free port, printed) and\n"
    "carries each connection to the lease's published port through its\n"
    "provider. Runs until Ctrl-C.\n";

typedef struct pipe_job {
    int a, b;
} pipe_job;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int live; /* connections being carried */

/* Copies what is readable on from to `to`. 0 at EOF or error. */
static int copy_once(int from, int to)
{
    char buf[16384];
    ssize_t n = recv(from, buf, sizeof buf, 0);
    for (ssize_t off = 0; n > 0 && off < n;) {
        ssize_t w = send(to, buf + off, (size_t)(n - off), MSG_NOSIGNAL);
        if (w <= 0)
            return 0;
        off += w;
    }
    return n > 0;
}

static void *pump(void *arg)
{
    pipe_job j = *(pipe_job *)arg;
    free(arg);
    struct pollfd p[2] = {{j.a, POLLIN, 0}, {j.b, POLLIN, 0}};
    for (;;) {
        if (poll(p, 2, -1) < 0 && errno != EINTR)
            break;
        if (p[0].revents && !copy_once(j.a, j.b))
            break;
        if (p[1].revents && !copy_once(j.b, j.a))
            break;
    }
    close(j.a);
    close(j.b);
    pthread_mutex_lock(&lock);
    live--;
    pthread_mutex_unlock(&lock);
    return NULL;
}

/* Carries one accepted connection (owned) to the service. */
static void carry(int cfd, const cairn_cp_state *st)
{
    char why[256];
    int sfd;
    pthread_t t;
    pthread_mutex_lock(&lock);
    int full = live >= TUNNEL_CONNS_MAX;
    live += !full;
    pthread_mutex_unlock(&lock);
    if (full) {
        close(cfd);
        return;
    }
    pipe_job *j = malloc(sizeof *j);
    if (!j || cclient_tunnel(st, TUNNEL_DIAL_MS, &sfd, why, sizeof why)) {
        fprintf(stderr, "cairn: tunnel: %s\n", j ? why : "out of memory");
        free(j);
        close(cfd);
        pthread_mutex_lock(&lock);
        live--;
        pthread_mutex_unlock(&lock);
        return;
    }
    j->a = cfd, j->b = sfd;
    if (pthread_create(&t, NULL, pump, j) == 0) {
        pthread_detach(t);
        return;
    }
    close(cfd);
    close(sfd);
    free(j);
    pthread_mutex_lock(&lock);
    live--;
    pthread_mutex_unlock(&lock);
}

/* The lease's service endpoint and token, from its provider. */
static int service_of(const cairn_keypair *kp, uint64_t id, cairn_cp_state *st)
{
    cclient c;
    cclient_init(&c, cli_node_url(), kp);
    cairn_err e = cclient_status(&c, id, st);
    int rc = e ? cli_fail("%s", *c.why ? c.why : cairn_strerror(e)) : 0;
    cclient_close(&c);
    if (!rc && !*st->endpoint)
        rc = cli_fail("lease %llu publishes no port (the manifest has no "
                      "\"port\"), or its provider has no manifest yet",
                      (unsigned long long)id);
    return rc;
}

static int listen_on(const char *text, int *fd)
{
    char host[CAIRN_HOST_MAX + 1] = "127.0.0.1";
    int port = 0;
    if (text && cairn_endpoint_parse(text, host, &port))
        return cli_fail("--listen \"%s\": not HOST:PORT", text);
    cairn_err e = cairn_listen(host, port, fd);
    if (e)
        return cli_fail("cannot listen on %s:%d: %s", host, port,
                        cairn_strerror(e));
    printf("tunnel to the workload's port on %s:%d (Ctrl-C stops it)\n", host,
           cairn_listen_port(*fd));
    fflush(stdout);
    return 0;
}

int ccmd_tunnel(int argc, char **argv)
{
    const char *key = NULL, *listen_at = NULL;
    cli_opt opts[] = {
        {"key", &key, NULL}, {"listen", &listen_at, NULL}, {NULL, NULL, NULL}};
    cli_args a;
    cairn_keypair kp;
    cairn_cp_state st;
    uint64_t id;
    int lfd;
    int rc = cli_parse(argc, argv, "compute tunnel", tunnel_usage, opts, 1, &a);
    if (rc)
        return CLI_EXIT(rc);
    if (a.npos != 1)
        return cli_fail("compute tunnel: give the LEASE");
    if (ccli_lease_id(a.pos[0], &id) || ccli_key(key, &kp))
        return 1;
    rc = service_of(&kp, id, &st);
    cairn_keypair_wipe(&kp);
    if (rc || listen_on(listen_at, &lfd))
        return 1;
    for (;;) {
        struct pollfd p = {lfd, POLLIN, 0};
        if (poll(&p, 1, -1) < 0 && errno != EINTR)
            break;
        int cfd = accept(lfd, NULL, NULL);
        if (cfd >= 0)
            carry(cfd, &st);
    }
    close(lfd);
    return 1;
}
