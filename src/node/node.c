/* cairn node: event loop, block timer, signals, start and clean stop. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "cairn/parse.h"
#include "node/node_internal.h"
#include "node/replica.h"

void node_log(const node *n, int warn, const char *fmt, ...)
{
    va_list ap;
    char ts[32];
    struct timespec t;
    struct tm tm;
    if (n && n->quiet && !warn)
        return;
    clock_gettime(CLOCK_REALTIME, &t);
    gmtime_r(&t.tv_sec, &tm);
    strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);
    fprintf(stderr, "%s.%03ldZ %s ", ts, t.tv_nsec / 1000000,
            warn ? "WARN" : "info");
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

uint64_t node_mono_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000 + (uint64_t)t.tv_nsec / 1000000;
}

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
    node *n = arg;
    cairn_proposal pr;
    cairn_header tip;
    if (n->stopping)
        return;
    pthread_mutex_lock(&n->lock);
    cairn_chain_tip(n->chain, &tip, NULL);
    cairn_err e =
        cairn_chain_propose(n->chain, n->mp, &n->kp, node_now_ms(), &pr);
    pthread_mutex_unlock(&n->lock);
    node_note_write(n, e, tip.height + 1, e ? pr.n_included : 0);
    if (e) /* its included transactions are back in the mempool: they wait on */
        pr.n_included = 0;
    else if (pr.n_included || pr.n_dropped)
        node_log(n, 0, "block %llu: %zu txs, %zu dropped",
                 (unsigned long long)pr.header.height, pr.n_included,
                 pr.n_dropped);
    waiters_block(n, &pr);
    waiters_expire(n, node_now_ms());
    cairn_proposal_free(&pr);
}

/* Replica mode: blocks are committed on the replica thread; the held
 * requests are answered from here. */
static void on_poll(evutil_socket_t fd, short what, void *arg)
{
    node *n = arg;
    if (n->stopping)
        return;
    waiters_poll(n);
    waiters_expire(n, node_now_ms());
}

static void on_drained(void *arg)
{
    node *n = arg;
    event_base_loopbreak(n->base);
}

/* Stops block production, answers every held request with 503 and stops
 * the loop once those answers are sent (or after NODE_STOP_GRACE_MS). A
 * second signal stops at once. */
static void on_signal(evutil_socket_t sig, short what, void *arg)
{
    node *n = arg;
    if (n->stopping) {
        event_base_loopbreak(n->base);
        return;
    }
    node_log(n, 0, "signal %d: stopping", (int)sig);
    n->stopping = 1;
    if (n->tick)
        event_del(n->tick);
    httpd_shutdown(n->http, NODE_STOP_GRACE_MS, on_drained, n);
    waiters_fail_all(n); /* their answers close their connections */
}

/* libevent's own warnings, at most one per NODE_LOG_EVERY_MS (it can log
 * the same failure thousands of times a second). Any thread. */
static void on_event_log(int severity, const char *msg)
{
    static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    static cairn_ratelimit limit = {.interval_ms = NODE_LOG_EVERY_MS};
    uint64_t skipped = 0;
    if (severity < EVENT_LOG_WARN)
        return;
    pthread_mutex_lock(&lock);
    int say = cairn_ratelimit_allow(&limit, node_mono_ms(), &skipped);
    pthread_mutex_unlock(&lock);
    if (say && skipped)
        node_log(NULL, 1,
                 "libevent: %s (and %llu more warnings in the last %d s)", msg,
                 (unsigned long long)skipped, NODE_LOG_EVERY_MS / 1000);
    else if (say)
        node_log(NULL, 1, "libevent: %s", msg);
}

/* Raises the open-file soft limit to the hard one (each API connection
 * holds a descriptor); returns the soft limit in force. */
static uint64_t raise_fd_limit(void)
{
    struct rlimit r;
    if (getrlimit(RLIMIT_NOFILE, &r))
        return 1024;
    rlim_t want = r.rlim_max == RLIM_INFINITY ? (rlim_t)1 << 20 : r.rlim_max;
    if (r.rlim_cur != RLIM_INFINITY && r.rlim_cur < want) {
        struct rlimit nr = {want, r.rlim_max};
        if (setrlimit(RLIMIT_NOFILE, &nr) == 0)
            r.rlim_cur = want;
    }
    return r.rlim_cur == RLIM_INFINITY ? (uint64_t)1 << 20
                                       : (uint64_t)r.rlim_cur;
}

/* The API's connection cap: --max-connections (or the default), lowered
 * to what the open-file limit leaves after NODE_FD_RESERVE. */
static size_t connection_cap(node *n, uint32_t asked)
{
    uint64_t fds = raise_fd_limit();
    uint64_t cap = asked ? asked : NODE_MAX_CONNS;
    uint64_t room = fds > NODE_FD_RESERVE + 8 ? fds - NODE_FD_RESERVE : 8;
    if (cap > room) {
        node_log(n, asked != 0,
                 "the open-file limit is %llu: serving at most "
                 "%llu API connections (raise ulimit -n for more)",
                 (unsigned long long)fds, (unsigned long long)room);
        cap = room;
    }
    return (size_t)cap;
}

/* Splits "host:port"; defaults to 127.0.0.1:8645. */
static int parse_listen(const char *s, char *host, size_t hlen, int *port)
{
    const char *colon = s ? strrchr(s, ':') : NULL;
    uint64_t p;
    if (!s) {
        snprintf(host, hlen, "127.0.0.1");
        *port = 8645;
        return 0;
    }
    if (!colon || (size_t)(colon - s) >= hlen || colon == s)
        return -1;
    if (cairn_parse_u64_max(colon + 1, 65535, &p) || p == 0)
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
        fprintf(stderr,
                "cairn: a sequencer needs --key (or use --follow URL)\n");
        return CAIRN_ERR_BAD_ARG;
    }
    cairn_err e = cairn_key_load(o->key_path, &n->kp);
    if (e) {
        fprintf(stderr, "cairn: cannot load key %s: %s\n", o->key_path,
                cairn_strerror(e));
        return e;
    }
    if (cairn_params_sequencer_index(p, &n->kp.pk) < 0) {
        char want[CAIRN_ADDR_TEXT_LEN + 1];
        cairn_addr_format(want, &p->sequencer);
        fprintf(stderr,
                "cairn: %s is not a key of this network's sequencer set (the "
                "genesis names %s%s); give such a key, or follow with "
                "--follow URL\n",
                o->key_path, want, p->n_sequencers > 1 ? " and others" : "");
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
        fprintf(stderr,
                "cairn: another cairn node is using %s; stop it first\n", dir);
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
    if (!(n->mp = cairn_mempool_new(o->mempool_max ? o->mempool_max : 100000,
                                    256u << 20)) ||
        !(n->base = event_base_new()))
        return CAIRN_ERR_NOMEM;
    if (parse_listen(o->listen, host, sizeof host, &port)) {
        fprintf(stderr,
                "cairn: --listen wants HOST:PORT, e.g. 127.0.0.1:8645\n");
        return CAIRN_ERR_BAD_ARG;
    }
    api_web_init(n, o->web_dir);
    e = api_start(n, host, port, connection_cap(n, o->max_connections));
    if (e == CAIRN_ERR_IO && errno == EADDRINUSE) {
        fprintf(stderr,
                "cairn: port %d on %s is already in use (another node?); "
                "stop it or pick another port with --listen\n",
                port, host);
        return CAIRN_ERR_ADDR_IN_USE;
    }
    if (e == CAIRN_ERR_IO) {
        int err = errno;
        fprintf(stderr, "cairn: cannot listen on %s:%d: %s\n", host, port,
                strerror(err));
    }
    if (e)
        return e;
    cairn_header tip;
    cairn_chain_tip(n->chain, &tip, NULL);
    node_log(n, 0, "%s on http://%s:%d, chain %s at height %llu",
             o->replica     ? "sequencer replica"
             : n->sequencer ? "sequencer"
                            : "follower",
             host, port, cairn_chain_params(n->chain)->chain_id,
             (unsigned long long)tip.height);
    return CAIRN_OK;
}

static cairn_err arm(node *n)
{
    const cairn_params *p = cairn_chain_params(n->chain);
    struct timeval tv = {p->block_interval_ms / 1000,
                         (p->block_interval_ms % 1000) * 1000};
    n->sigterm = evsignal_new(n->base, SIGTERM, on_signal, n);
    n->sigint = evsignal_new(n->base, SIGINT, on_signal, n);
    if (!n->sigterm || !n->sigint || evsignal_add(n->sigterm, NULL) ||
        evsignal_add(n->sigint, NULL))
        return CAIRN_ERR_NOMEM;
    if (n->rep) {
        struct timeval pv = {0, 20 * 1000};
        n->poll_ev = event_new(n->base, -1, EV_PERSIST, on_poll, n);
        if (!n->poll_ev || event_add(n->poll_ev, &pv))
            return CAIRN_ERR_NOMEM;
    } else if (n->sequencer) {
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
    replica_stop(n);
    waiters_fail_all(n);
    if (n->tick)
        event_free(n->tick);
    if (n->poll_ev)
        event_free(n->poll_ev);
    if (n->sigterm)
        event_free(n->sigterm);
    if (n->sigint)
        event_free(n->sigint);
    httpd_free(n->http);
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
    /* a file-size limit reads as a failed write (EFBIG), like a full disk,
     * instead of killing the node */
    signal(SIGXFSZ, SIG_IGN);
    event_set_log_callback(on_event_log);
    n.write_log.interval_ms = NODE_LOG_EVERY_MS;
    pthread_mutex_init(&n.lock, NULL);
    n.sequencer = o->follow_url == NULL;
    n.follow_url = o->follow_url;
    n.quiet = o->quiet;
    cairn_err e = start(&n, o);
    if (!e && o->replica && replica_start(&n, o))
        e = CAIRN_ERR_BAD_ARG;
    if (!e && !(e = arm(&n))) {
        event_base_dispatch(n.base);
        node_log(&n, 0, "stopped cleanly");
    }
    teardown(&n);
    return e;
}
