/* cairn node: event loop, block timer, signals, start and clean stop. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "node/node_internal.h"

void node_log(const node *n, int warn, const char *fmt, ...)
{
    va_list ap;
    char ts[32];
    struct timespec t;
    struct tm tm;
    if (n->quiet && !warn)
        return;
    clock_gettime(CLOCK_REALTIME, &t);
    gmtime_r(&t.tv_sec, &tm);
    strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);
    fprintf(stderr, "%s.%03ldZ %s ", ts, t.tv_nsec / 1000000, warn ? "WARN" : "info");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/* Wall-clock time for block headers and reply deadlines; never used by
 * any state transition. */
uint64_t node_now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return (uint64_t)t.tv_sec * 1000 + (uint64_t)t.tv_nsec / 1000000;
}

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
    node *n = arg;
    cairn_proposal pr;
    if (n->stopping)
        return;
    pthread_mutex_lock(&n->lock);
    cairn_err e = cairn_chain_propose(n->chain, n->mp, &n->kp, node_now_ms(), &pr);
    pthread_mutex_unlock(&n->lock);
    if (e) {
        node_log(n, 1, "block production failed: %s", cairn_strerror(e));
        cairn_proposal_free(&pr);
        return;
    }
    if (pr.n_included || pr.n_dropped)
        node_log(n, 0, "block %llu: %zu txs, %zu dropped",
                 (unsigned long long)pr.header.height, pr.n_included, pr.n_dropped);
    waiters_block(n, &pr);
    waiters_expire(n, node_now_ms());
    cairn_proposal_free(&pr);
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
    node *n = arg;
    node_log(n, 0, "signal %d: stopping", (int)sig);
    n->stopping = 1;
    event_base_loopbreak(n->base);
}

/* Splits "host:port"; defaults to 127.0.0.1:8645. */
static int parse_listen(const char *s, char *host, size_t hlen, int *port)
{
    const char *colon = s ? strrchr(s, ':') : NULL;
    char *end;
    if (!s) {
        snprintf(host, hlen, "127.0.0.1");
        *port = 8645;
        return 0;
    }
    if (!colon || (size_t)(colon - s) >= hlen || colon == s)
        return -1;
    long p = strtol(colon + 1, &end, 10);
    if (*end || p <= 0 || p > 65535)
        return -1;
    memcpy(host, s, (size_t)(colon - s));
    host[colon - s] = '\0';
    *port = (int)p;
    return 0;
}

static cairn_err load_key(node *n, const cairn_node_opts *o)
{
    const cairn_params *p = cairn_chain_params(n->chain);
    if (!o->key_path) {
        fprintf(stderr, "cairn: a sequencer needs --key (or use --follow URL)\n");
        return CAIRN_ERR_BAD_ARG;
    }
    cairn_err e = cairn_key_load(o->key_path, &n->kp);
    if (e) {
        fprintf(stderr, "cairn: cannot load key %s: %s\n", o->key_path, cairn_strerror(e));
        return e;
    }
    if (memcmp(n->kp.pk.b, p->sequencer.b, 32) != 0) {
        char want[CAIRN_ADDR_TEXT_LEN + 1];
        cairn_addr_format(want, &p->sequencer);
        fprintf(stderr, "cairn: %s is not this network's sequencer key (the genesis "
                "names %s); give that key, or follow with --follow URL\n",
                o->key_path, want);
        return CAIRN_ERR_BAD_KEY;
    }
    return CAIRN_OK;
}

/* One node per data dir: an exclusive flock on DIR/node.lock, released by
 * the kernel when the process exits, also after kill -9. */
static cairn_err lock_dir(node *n, const char *dir)
{
    char path[1024];
    if ((size_t)snprintf(path, sizeof path, "%s/node.lock", dir) >= sizeof path)
        return CAIRN_ERR_BAD_ARG;
    n->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (n->lock_fd < 0) {
        fprintf(stderr, "cairn: cannot open %s: %s (run `cairn init` first?)\n",
                path, strerror(errno));
        return CAIRN_ERR_IO;
    }
    if (flock(n->lock_fd, LOCK_EX | LOCK_NB) != 0) {
        fprintf(stderr, "cairn: another cairn node is using %s; stop it first\n", dir);
        return CAIRN_ERR_IO;
    }
    return CAIRN_OK;
}

static cairn_err start(node *n, const cairn_node_opts *o)
{
    char host[128];
    int port;
    cairn_err e = CAIRN_OK;
    if (access(o->data_dir, F_OK) == 0 && (e = lock_dir(n, o->data_dir)))
        return e;
    e = cairn_chain_open(&n->chain, o->data_dir);
    if (e) {
        fprintf(stderr, "cairn: cannot open chain in %s: %s%s\n", o->data_dir,
                cairn_strerror(e),
                e == CAIRN_ERR_GENESIS ? " (run `cairn init` first)" : "");
        return e;
    }
    if (n->sequencer && (e = load_key(n, o)))
        return e;
    if (!(n->mp = cairn_mempool_new(o->mempool_max ? o->mempool_max : 100000, 256u << 20)) ||
        !(n->base = event_base_new()) || !(n->http = evhttp_new(n->base)))
        return CAIRN_ERR_NOMEM;
    if (parse_listen(o->listen, host, sizeof host, &port)) {
        fprintf(stderr, "cairn: --listen wants HOST:PORT, e.g. 127.0.0.1:8645\n");
        return CAIRN_ERR_BAD_ARG;
    }
    if (evhttp_bind_socket(n->http, host, (uint16_t)port)) {
        if (errno == EADDRINUSE) {
            fprintf(stderr, "cairn: port %d on %s is already in use (another node?); "
                    "stop it or pick another port with --listen\n", port, host);
            return CAIRN_ERR_ADDR_IN_USE;
        }
        fprintf(stderr, "cairn: cannot listen on %s:%d: %s\n", host, port, strerror(errno));
        return CAIRN_ERR_IO;
    }
    api_register(n);
    cairn_header tip;
    cairn_chain_tip(n->chain, &tip, NULL);
    node_log(n, 0, "%s on http://%s:%d, chain %s at height %llu",
             n->sequencer ? "sequencer" : "follower", host, port,
             cairn_chain_params(n->chain)->chain_id,
             (unsigned long long)tip.height);
    return CAIRN_OK;
}

static cairn_err arm(node *n)
{
    const cairn_params *p = cairn_chain_params(n->chain);
    struct timeval tv = {p->block_interval_ms / 1000, (p->block_interval_ms % 1000) * 1000};
    n->sigterm = evsignal_new(n->base, SIGTERM, on_signal, n);
    n->sigint = evsignal_new(n->base, SIGINT, on_signal, n);
    if (!n->sigterm || !n->sigint || evsignal_add(n->sigterm, NULL) ||
        evsignal_add(n->sigint, NULL))
        return CAIRN_ERR_NOMEM;
    if (n->sequencer) {
        n->tick = event_new(n->base, -1, EV_PERSIST, on_tick, n);
        if (!n->tick || event_add(n->tick, &tv))
            return CAIRN_ERR_NOMEM;
    } else if (follower_start(n)) {
        return CAIRN_ERR_NOMEM;
    }
    return CAIRN_OK;
}

static void teardown(node *n)
{
    n->stopping = 1;
    follower_stop(n);
    waiters_fail_all(n);
    if (n->tick)
        event_free(n->tick);
    if (n->sigterm)
        event_free(n->sigterm);
    if (n->sigint)
        event_free(n->sigint);
    if (n->http)
        evhttp_free(n->http);
    if (n->base)
        event_base_free(n->base);
    cairn_mempool_free(n->mp);
    cairn_chain_close(n->chain);
    cairn_keypair_wipe(&n->kp);
    pthread_mutex_destroy(&n->lock);
    if (n->lock_fd >= 0)
        close(n->lock_fd);
}

cairn_err cairn_node_run(const cairn_node_opts *o)
{
    node n;
    memset(&n, 0, sizeof n);
    n.lock_fd = -1;
    cairn_crypto_init();
    signal(SIGPIPE, SIG_IGN);
    pthread_mutex_init(&n.lock, NULL);
    n.sequencer = o->follow_url == NULL;
    n.follow_url = o->follow_url;
    n.quiet = o->quiet;
    cairn_err e = start(&n, o);
    if (!e && !(e = arm(&n))) {
        event_base_dispatch(n.base);
        node_log(&n, 0, "stopped cleanly");
    }
    teardown(&n);
    return e;
}
