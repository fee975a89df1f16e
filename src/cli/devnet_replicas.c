/* `cairn devnet --replicas N`: N sequencer replicas (`cairn node --replica`)
 * that elect a leader through N etcd members (docs/replicas.md), instead
 * of the one sequencer. Replica 1 is d->seq (port P: the providers, the
 * follower and the banner's commands talk to it; a standby forwards
 * transactions to the leader); replica I >= 2 listens on P+I. etcd member
 * I has its client port on P+8+2I and its peer port on P+9+2I, its data in
 * DIR/etcd/mI and its log in DIR/etcd-I.log. Every one of them is
 * restarted DEVNET_RESTART_S after it ends and has a pid file next to its
 * log (DIR/replica-2.pid, DIR/etcd-1.pid). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/devnet.h"
#include "cli/devnet_group.h"

#define ETCD_WAIT_MS 20000   /* etcd members' client ports open */
#define LEADER_WAIT_MS 30000 /* a replica leads */
#define READY_WAIT_MS 15000  /* a replica answers /v1/status */
#define STOP_WAIT_MS 10000
#define SEQ_FUNDS "2000" /* each sequencer key's allocation (tokens) */
#define SEQ_STAKE "1000" /* ... of which bonded at genesis */
#define ETCD_TTL "3"     /* the replicas' lease (s) */

/* Replica I (1-based) is rep[I-1]; rep[0] is a copy of nothing: replica 1
 * is d->seq. etcd member I is etcd[I-1]. */
static devnet_node rep[DEVNET_REPLICAS_MAX];
static devnet_node etcd[DEVNET_REPLICAS_MAX];
static char rkey[DEVNET_REPLICAS_MAX][DEVNET_PATH_MAX];
static char etcd_dir[DEVNET_PATH_MAX];
static char etcd_bin[DEVNET_PATH_MAX];
static char client_urls[DEVNET_REPLICAS_MAX * 32]; /* "http://..,http://.." */
static char cluster[DEVNET_REPLICAS_MAX * 40];     /* "m1=http://..,..." */
static char token[48];
static char peer_url[DEVNET_REPLICAS_MAX][32];
static char client_url[DEVNET_REPLICAS_MAX][32];
static char member_name[DEVNET_REPLICAS_MAX][16];
static char member_data[DEVNET_REPLICAS_MAX][DEVNET_PATH_MAX + 16];

static int client_port(const devnet *d, int i) /* i: 0-based member */
{
    return d->port + 10 + 2 * i;
}

/* DIR/keys/sequencer-I.key (1-based I), made on first use; its key. */
static int seq_key(const devnet *d, int i, cairn_pubkey *pk)
{
    cairn_keypair kp;
    snprintf(rkey[i], DEVNET_PATH_MAX, "%s/keys/sequencer-%d.key", d->dir,
             i + 1);
    if (access(rkey[i], F_OK) != 0) {
        cairn_keypair_generate(&kp);
        cairn_err e = cairn_key_save(rkey[i], &kp);
        if (e)
            return cli_fail("cannot save %s: %s", rkey[i], cairn_strerror(e));
    } else if (cli_load_key(rkey[i], &kp)) {
        return 1;
    }
    *pk = kp.pk;
    cairn_keypair_wipe(&kp);
    return 0;
}

json_t *devnet_replicas_genesis(const devnet *d, json_t *allocs)
{
    json_t *set = json_array();
    for (int i = 0; i < d->replicas; i++) {
        cairn_pubkey pk;
        char addr[CAIRN_ADDR_TEXT_LEN + 1], label[32];
        if (seq_key(d, i, &pk)) {
            json_decref(set);
            return NULL;
        }
        cairn_addr_format(addr, &pk);
        snprintf(label, sizeof label, "sequencer-%d", i + 1);
        json_array_append_new(allocs,
                              json_pack("{s:s, s:s, s:s}", "label", label,
                                        "address", addr, "amount", SEQ_FUNDS));
        json_array_append_new(
            set, json_pack("{s:s, s:s}", "address", addr, "stake", SEQ_STAKE));
    }
    return set;
}

int devnet_replicas_layout(devnet *d)
{
    if (!d->replicas)
        return 0;
    snprintf(etcd_dir, sizeof etcd_dir, "%s/etcd", d->dir);
    snprintf(token, sizeof token, "cairn-devnet-%d", d->port);
    client_urls[0] = cluster[0] = '\0';
    for (int i = 0; i < d->replicas; i++) {
        devnet_node *n = i ? &rep[i] : &d->seq;
        snprintf(rkey[i], DEVNET_PATH_MAX, "%s/keys/sequencer-%d.key", d->dir,
                 i + 1);
        snprintf(n->name, sizeof n->name, "replica %d", i + 1);
        if ((size_t)snprintf(n->data, sizeof n->data, "%s/replica-%d", d->dir,
                             i + 1) >= sizeof n->data ||
            (size_t)snprintf(n->log, sizeof n->log, "%s/replica-%d.log", d->dir,
                             i + 1) >= sizeof n->log)
            return cli_fail("devnet: path too long: %s", d->dir);
        int port = i ? d->port + i + 1 : d->port;
        snprintf(n->listen, sizeof n->listen, "127.0.0.1:%d", port);
        snprintf(n->url, sizeof n->url, "http://127.0.0.1:%d", port);

        devnet_node *m = &etcd[i];
        snprintf(m->name, sizeof m->name, "etcd member %d", i + 1);
        snprintf(m->log, sizeof m->log, "%s/etcd-%d.log", d->dir, i + 1);
        snprintf(member_name[i], sizeof member_name[i], "m%d", i + 1);
        snprintf(member_data[i], sizeof member_data[i], "%s/m%d", etcd_dir,
                 i + 1);
        snprintf(client_url[i], sizeof client_url[i], "http://127.0.0.1:%d",
                 client_port(d, i));
        snprintf(peer_url[i], sizeof peer_url[i], "http://127.0.0.1:%d",
                 client_port(d, i) + 1);
        snprintf(m->url, sizeof m->url, "%s", client_url[i]);
        size_t cl = strlen(client_urls), cr = strlen(cluster);
        snprintf(client_urls + cl, sizeof client_urls - cl, "%s%s",
                 i ? "," : "", client_url[i]);
        snprintf(cluster + cr, sizeof cluster - cr, "%s%s=%s", i ? "," : "",
                 member_name[i], peer_url[i]);
    }
    snprintf(d->seq_key, sizeof d->seq_key, "%s", rkey[0]);
    return 0;
}

/* The number of members of the genesis file's "sequencers" (0 when it
 * names one "sequencer"), or -1 when it cannot be read. */
static int genesis_replicas(const devnet *d)
{
    json_error_t jerr;
    json_t *g = json_load_file(d->genesis, 0, &jerr);
    if (!g)
        return -1;
    json_t *set = json_object_get(g, "sequencers");
    int n = json_is_array(set) ? (int)json_array_size(set) : 0;
    json_decref(g);
    return n;
}

/* Finds etcd on PATH (or /usr/bin/etcd) into etcd_bin. 0, or 1 printed. */
static int find_etcd(void)
{
    const char *path = getenv("PATH");
    char dir[DEVNET_PATH_MAX];
    while (path && *path) {
        size_t len = strcspn(path, ":");
        if (len && len < sizeof dir - 8) {
            snprintf(dir, sizeof dir, "%.*s/etcd", (int)len, path);
            if (access(dir, X_OK) == 0) {
                snprintf(etcd_bin, sizeof etcd_bin, "%s", dir);
                return 0;
            }
        }
        path += len + (path[len] == ':');
    }
    if (access("/usr/bin/etcd", X_OK) == 0) {
        snprintf(etcd_bin, sizeof etcd_bin, "/usr/bin/etcd");
        return 0;
    }
    return cli_fail("devnet --replicas needs etcd (Debian's etcd-server), "
                    "which is not installed: run scripts/install-deps.sh");
}

/* When the etcd members' ports changed since DIR/etcd was made (the
 * devnet resumed on another --port), their stored membership is wrong:
 * starts them empty (the replicas put their chain's tip back). */
static int etcd_fresh_if_moved(void)
{
    char path[DEVNET_PATH_MAX + 16], old[sizeof cluster] = "";
    snprintf(path, sizeof path, "%s/cluster", etcd_dir);
    FILE *f = fopen(path, "r");
    if (f) {
        if (!fgets(old, sizeof old, f))
            old[0] = '\0';
        fclose(f);
        old[strcspn(old, "\n")] = '\0';
        if (strcmp(old, cluster) == 0)
            return 0;
        if (cli_rmtree(etcd_dir))
            return cli_fail("cannot remove %s", etcd_dir);
        printf("etcd's ports moved: its members start empty\n");
    }
    if (mkdir(etcd_dir, 0700) && errno != EEXIST)
        return cli_fail("cannot create %s: %s", etcd_dir, strerror(errno));
    f = fopen(path, "w");
    if (!f || fprintf(f, "%s\n", cluster) < 0 || fclose(f))
        return cli_fail("cannot write %s", path);
    return 0;
}

int devnet_replicas_prepare(devnet *d)
{
    int had = genesis_replicas(d);
    if (had < 0)
        return cli_fail("cannot read %s", d->genesis);
    if (had != d->replicas && had)
        return cli_fail("%s was made with %d sequencer replicas; give "
                        "--replicas %d, or add --fresh to make it again",
                        d->dir, had, had);
    if (had != d->replicas)
        return cli_fail("%s was made with one sequencer, not replicas; give "
                        "--replicas 0, or add --fresh to make it again",
                        d->dir);
    if (!d->replicas)
        return 0;
    if (find_etcd() || etcd_fresh_if_moved())
        return 1;
    for (int i = 1; i < d->replicas; i++)
        if (access(rep[i].data, F_OK) != 0 &&
            cli_init_chain(d->genesis, rep[i].data, 1))
            return 1;
    return 0;
}

int devnet_replica_argv(const devnet *d, const devnet_node *n, char **argv)
{
    int i = 0; /* d->seq: replica 1 */
    for (int k = 1; k < d->replicas; k++)
        if (n == &rep[k])
            i = k;
    char *const a[] = {"cairn",     "node",   "--data",    (char *)n->data,
                       "--key",     rkey[i],  "--listen",  (char *)n->listen,
                       "--replica", "--etcd", client_urls, "--lease-ttl",
                       ETCD_TTL,    NULL};
    memcpy(argv, a, sizeof a);
    return (int)(sizeof a / sizeof a[0]);
}

/* In the child: log to n->log, default signals, exec argv[0]. */
static void exec_child(const devnet_node *n, const char *bin, char **argv)
{
    devnet_child_setup(n);
    execv(bin, argv);
    _exit(127);
}

/* Starts replica i (0-based, i >= 1) or etcd member i. 0, or 1 printed. */
static int spawn(const devnet *d, devnet_node *n)
{
    char *argv[40];
    const char *bin = "/proc/self/exe";
    int i = -1;
    for (int k = 0; k < d->replicas; k++)
        if (n == &etcd[k])
            i = k;
    if (i >= 0) {
        char *const a[] = {
            etcd_bin, "--name", member_name[i], "--data-dir", member_data[i],
            "--listen-client-urls", client_url[i], "--advertise-client-urls",
            client_url[i], "--listen-peer-urls", peer_url[i],
            "--initial-advertise-peer-urls", peer_url[i], "--initial-cluster",
            cluster, "--initial-cluster-token", token,
            "--initial-cluster-state",
            "new", /* ignored once the data dir exists */
            "--heartbeat-interval", "100", "--election-timeout", "1000",
            /* the leader deletes old blocks; compaction
             * frees their revisions (docs/replicas.md) */
            "--auto-compaction-mode", "revision", "--auto-compaction-retention",
            "10000", "--logger", "zap", "--log-outputs", "stderr", NULL};
        memcpy(argv, a, sizeof a);
        bin = etcd_bin;
    } else {
        devnet_replica_argv(d, n, argv);
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        return cli_fail("fork: %s", strerror(errno));
    if (pid == 0)
        exec_child(n, bin, argv);
    n->pid = pid;
    devnet_watch_started(n);
    return 0;
}

/* The "replica" object of url's /v1/status (new ref), or NULL. */
static json_t *replica_status(const char *url)
{
    json_t *j = NULL;
    snode_err why;
    if (snode_call("GET", url, "/v1/status", NULL, 1000, &j, &why) !=
            CAIRN_OK ||
        why.status != 200) {
        json_decref(j);
        return NULL;
    }
    json_t *r = json_incref(json_object_get(j, "replica"));
    json_decref(j);
    return r;
}

/* SIGTERM to each of ns[0..n), SIGKILL after 10 s; pid files removed. */
static void stop_nodes(devnet_node *ns, int from, int n)
{
    for (int i = from; i < n; i++)
        if (ns[i].pid)
            kill(ns[i].pid, SIGTERM);
    for (int t = 0; t < STOP_WAIT_MS / 50; t++) {
        int left = 0;
        for (int i = from; i < n; i++)
            if (ns[i].pid && waitpid(ns[i].pid, NULL, WNOHANG) == ns[i].pid)
                ns[i].pid = 0;
            else
                left += ns[i].pid != 0;
        if (!left)
            break;
        devnet_sleep_ms(50);
    }
    for (int i = from; i < n; i++) {
        if (ns[i].pid) {
            fprintf(stderr, "cairn: %s did not stop in 10 s; killing it\n",
                    ns[i].name);
            kill(ns[i].pid, SIGKILL);
            waitpid(ns[i].pid, NULL, 0);
            ns[i].pid = 0;
        }
        devnet_watch_stopped(&ns[i]);
    }
}

int devnet_etcd_start(devnet *d)
{
    if (!d->replicas)
        return 0;
    for (int i = 0; i < d->replicas; i++) {
        int p = i ? d->port + i + 1 : d->port;
        if (i && devnet_port_taken(p))
            return cli_fail("port %d (replica %d) is already in use; pick "
                            "another --port",
                            p, i + 1);
        for (int k = 0; k < 2; k++)
            if (devnet_port_taken(client_port(d, i) + k))
                return cli_fail("port %d (etcd member %d) is already in use; "
                                "pick another --port",
                                client_port(d, i) + k, i + 1);
    }
    for (int i = 0; i < d->replicas; i++)
        if (spawn(d, &etcd[i])) {
            stop_nodes(etcd, 0, d->replicas);
            return 1;
        }
    for (int t = 0; t < ETCD_WAIT_MS / 100; t++) {
        int up = 0;
        for (int i = 0; i < d->replicas; i++) {
            if (devnet_watch_reap(&etcd[i], 0)) {
                stop_nodes(etcd, 0, d->replicas);
                return 1;
            }
            up += devnet_port_listens(client_port(d, i));
        }
        if (up == d->replicas)
            return 0;
        if (devnet_stop_requested()) {
            stop_nodes(etcd, 0, d->replicas);
            return cli_fail("interrupted while starting etcd");
        }
        devnet_sleep_ms(100);
    }
    cli_fail("etcd did not listen on ports %d..%d within %d s",
             client_port(d, 0), client_port(d, d->replicas - 1),
             ETCD_WAIT_MS / 1000);
    devnet_print_tail(etcd[0].log);
    stop_nodes(etcd, 0, d->replicas);
    return 1;
}

int devnet_replicas_start(devnet *d)
{
    if (!d->replicas)
        return 0;
    for (int i = 1; i < d->replicas; i++)
        if (spawn(d, &rep[i]))
            return 1;
    int answered = 0;
    for (int t = 0; t < LEADER_WAIT_MS / 100; t++) {
        for (int i = 1; i < d->replicas; i++)
            if (devnet_watch_reap(&rep[i], 0))
                return 1;
        if (devnet_stop_requested())
            return cli_fail("interrupted while the replicas elect a leader");
        answered = 1;
        for (int i = 1; i < d->replicas; i++) {
            json_t *r = replica_status(rep[i].url);
            answered &= r != NULL;
            json_decref(r);
        }
        json_t *r = replica_status(d->seq.url);
        int led = r && *jstr(r, "leader");
        json_decref(r);
        if (answered && led)
            return 0;
        if (!answered && t == READY_WAIT_MS / 100)
            break;
        devnet_sleep_ms(100);
    }
    if (!answered) {
        cli_fail("a replica did not answer within %d s", READY_WAIT_MS / 1000);
        for (int i = 1; i < d->replicas; i++)
            devnet_print_tail(rep[i].log);
    } else {
        cli_fail("no replica became leader within %d s (is etcd up? see "
                 "%s/etcd-1.log)",
                 LEADER_WAIT_MS / 1000, d->dir);
        devnet_print_tail(d->seq.log);
    }
    return 1;
}

/* Reaps n if it ended and starts it again when due. */
static void watch_one(devnet *d, devnet_node *n)
{
    devnet_watch_reap(n, 1);
    if (devnet_watch_due(n) && spawn(d, n) == 0)
        fprintf(stderr, "cairn: %s started again\n", n->name);
}

void devnet_replicas_watch(devnet *d)
{
    for (int i = 0; i < d->replicas; i++) {
        if (i)
            watch_one(d, &rep[i]);
        watch_one(d, &etcd[i]);
    }
}

/* The etcd member (0-based) that is raft leader now, or -1. */
static int raft_leader(const devnet *d)
{
    for (int i = 0; i < d->replicas; i++) {
        json_t *j = NULL;
        snode_err why;
        if (!etcd[i].pid ||
            snode_call("POST", etcd[i].url, "/v3/maintenance/status", "{}", 500,
                       &j, &why) != CAIRN_OK) {
            json_decref(j);
            continue;
        }
        const char *id = jstr(json_object_get(j, "header"), "member_id");
        int leads = *id && strcmp(id, jstr(j, "leader")) == 0;
        json_decref(j);
        if (leads)
            return i;
    }
    return -1;
}

void devnet_replicas_stop(devnet *d)
{
    if (!d->replicas)
        return;
    stop_nodes(rep, 1, d->replicas);
    /* etcd's leader, stopped while its followers run, hands its
     * leadership to one of them and waits for it (7 s when they are
     * stopping too): the followers go first, then the leader alone. */
    int lead = raft_leader(d);
    if (lead >= 0) {
        devnet_node keep = etcd[lead];
        etcd[lead].pid = 0;
        stop_nodes(etcd, 0, d->replicas);
        etcd[lead] = keep;
    }
    stop_nodes(etcd, 0, d->replicas);
}

void devnet_replicas_banner(const devnet *d, const char *cmd)
{
    printf("  replicas   %s", d->seq.url);
    for (int i = 1; i < d->replicas; i++)
        printf(", :%d", d->port + i + 1);
    printf(" (logs %s/replica-N.log), etcd 127.0.0.1:%d", d->dir,
           client_port(d, 0));
    for (int i = 1; i < d->replicas; i++)
        printf(", :%d", client_port(d, i));
    printf("\n             who leads: %s --node %s status\n", cmd, d->seq.url);
}
