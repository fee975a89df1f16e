/* `cairn devnet` internals: the network's files and options (cmd_devnet.c),
 * the banner (devnet_banner.c), its two node processes (devnet_proc.c),
 * restarts of processes that end (devnet_watch.c), its storage providers
 * with a sample file (devnet_storage.c) and the line printed per epoch
 * (devnet_epoch.c). */
#ifndef CAIRN_CLI_DEVNET_H
#define CAIRN_CLI_DEVNET_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define DEVNET_PATH_MAX 1024
#define DEVNET_RESTART_S                                                       \
    5 /* a process that ends is started again after this                       \
       */

/* One child process of the devnet: a node or a storage provider. */
typedef struct devnet_node {
    char name[32]; /* "sequencer", "follower", "storage provider 3" */
    char data[DEVNET_PATH_MAX];
    char log[DEVNET_PATH_MAX];
    char url[64];          /* nodes: http://127.0.0.1:PORT */
    char listen[48];       /* 127.0.0.1:PORT */
    pid_t pid;             /* 0 when not running */
    int64_t started_ms;    /* when it was last started (monotonic) */
    int64_t restart_at_ms; /* it ended: start it again then; 0: no */
    int quick_ends;        /* ends in a row soon after a start */
} devnet_node;

/* The demo accounts and their genesis allocations (tokens; cmd_devnet.c). */
#define DEVNET_DEMOS 4
typedef struct devnet_demo {
    const char *name;
    const char *amount;
    int vests; /* all of it vests: none before block 60, all by block 600 */
} devnet_demo;
extern const devnet_demo devnet_demos[DEVNET_DEMOS];

typedef struct devnet {
    const char *dir;
    const char *cmd; /* how the banner names cairn: "./build/cairn" */
    int port;
    char genesis[DEVNET_PATH_MAX];
    char seq_key[DEVNET_PATH_MAX];
    devnet_node seq, fol;
    int storage;        /* storage provider daemons to run (--storage) */
    int compute;        /* compute provider daemons to run (--compute) */
    int validators;     /* subnet validator daemons to run (--validators) */
    int wireless;       /* hotspot daemons to run (--wireless) */
    int sensor;         /* sensor device agents to run (--sensor) */
    const char *drives; /* where drive1.csv.. are (--drives) */
    int replicas; /* --replicas: sequencer replicas and etcd members (0: the
                     one sequencer); replica 1 is seq */
} devnet;

/* Takes DIR/devnet.lock for the life of this process, so that two devnets
 * never run on one directory. 0, or 1 (printed) if another holds it. */
int devnet_lock(const devnet *d);
/* Blocks SIGINT/SIGTERM/SIGCHLD (they are taken with sigtimedwait), starts
 * the sequencer then the follower, and waits until each answers
 * /v1/status. On failure prints why (with the log's tail), stops whatever
 * started, and returns 1. */
int devnet_start(devnet *d);
/* Runs until SIGINT/SIGTERM (returns 0). A child that ends is reported in
 * one line and started again DEVNET_RESTART_S later (devnet_watch.c); only
 * a sequencer that keeps ending at start stops the devnet (returns 1).
 * Prints the per-epoch lines. Then stops everything: SIGTERM, SIGKILL
 * after 10 s. */
int devnet_supervise(devnet *d);
/* 1 if something accepts connections on 127.0.0.1:port. */
int devnet_port_listens(int port);
/* 1 if 127.0.0.1:port cannot be bound (another socket holds it). */
int devnet_port_taken(int port);
/* 1 if SIGINT or SIGTERM is pending (and takes it); after devnet_start
 * blocked them. */
int devnet_stop_requested(void);
/* Stops whatever runs: storage providers, then both nodes. */
void devnet_stop(devnet *d);
/* The banner (devnet_banner.c): where everything is and what to try. */
void devnet_banner(const devnet *d);

/* ---- devnet_watch.c: restarts ---- */

/* Monotonic milliseconds. */
int64_t devnet_now_ms(void);
/* Records that n (n->pid) was just started and writes its pid file: its
 * log's path with .pid for .log (DIR/storage-1.pid). */
void devnet_watch_started(devnet_node *n);
/* Removes n's pid file (once it is stopped for good). */
void devnet_watch_stopped(devnet_node *n);
/* If n's process has ended: reaps it and prints one line. With restart,
 * the line says when it starts again (and n->restart_at_ms is set), or,
 * after DEVNET_QUICK_MAX ends in a row within 30 s of a start, that it
 * will not (the log's tail follows). Without restart it says where the
 * log is and prints its tail. Returns 0 (still running, or not started),
 * 1 (ended; restart scheduled) or 2 (ended for good). */
int devnet_watch_reap(devnet_node *n, int restart);
/* 1 when n ended and its restart is due. */
int devnet_watch_due(const devnet_node *n);
/* Prints the last lines of a log file to stderr. */
void devnet_print_tail(const char *path);

#define DEVNET_STORAGE_MAX 32

/* ---- devnet_storage.c ---- */

/* With d->storage > 0: funds DIR/keys/storage-I.key from alice, starts
 * that many `cairn provider storage` processes (data DIR/storage-I, log
 * DIR/storage-I.log, port P+100+I), waits until each registered, and stores
 * a sample file once (as alice, store DIR/client). 0, or 1 after printing
 * why (the caller stops everything). */
int devnet_storage_start(devnet *d);
/* Tops up the ticket funds of the key in keyfile (a reader of storage:
 * providers charge for reads, docs/storage.md "Paid retrieval"), waiting
 * for the block. 0, or 1 after printing why. */
int devnet_fund_tickets(const devnet *d, const char *keyfile);
/* Reaps providers that ended (one line each) and starts again those whose
 * restart is due. */
void devnet_storage_watch(devnet *d);
/* SIGTERM to each provider, SIGKILL after 10 s. */
void devnet_storage_stop(devnet *d);
/* Providers started and the sample's id ("" when none stored). */
int devnet_storage_count(void);
const char *devnet_storage_sample_id(void);

/* The last epoch in which each of the sample's pieces was proven, as the
 * chain's deals say (UINT64_MAX: never, or no deal), into last[0..max),
 * their count in *n. 0, or -1 when there is no sample or the node or the
 * client's store cannot say. */
int devnet_sample_proven(uint64_t *last, size_t max, size_t *n);
/* The sample's pieces alive (deal running and provider answering) and
 * all of them, asking each provider. 0, or -1 when unknown. */
int devnet_sample_alive(int *alive, int *all);

/* ---- devnet_compute.c ---- */

/* With d->compute > 0: that many `cairn provider compute` processes
 * (data DIR/compute-I, ports P+200+2I and P+201+2I, keys funded by
 * alice), and once, a sample workload deployed as bob (its lease id kept
 * in DIR/sample-lease). 0, or 1 after printing why. */
int devnet_compute_start(devnet *d);
void devnet_compute_watch(devnet *d);
void devnet_compute_stop(devnet *d);
/* The sample's lease id (0: none). */
uint64_t devnet_compute_sample_lease(void);
int devnet_compute_count(void);

/* The compute providers' group (their keys: the subnet's miners). */
struct devnet_group;
const struct devnet_group *devnet_compute_group(void);

/* ---- devnet_subnet.c ---- */

/* With d->validators > 0 (and compute providers): subnet "matmul" created
 * by alice, every compute provider joined as a miner, and that many
 * `cairn validator` processes (data DIR/validator-I, keys funded by
 * alice, staking 100). 0, or 1 after printing why. */
int devnet_subnet_start(devnet *d);
void devnet_subnet_watch(devnet *d);
void devnet_subnet_stop(devnet *d);
/* Prints the subnet's line for settled epoch `epoch` (nothing when the
 * chain has not settled it yet or there is no subnet). */
void devnet_subnet_line(const devnet *d, uint64_t epoch);

/* ---- devnet_wireless.c ---- */

/* With d->wireless > 0: alice sets the credit price (once), a router
 * (DIR/router-1, port P+350) with its DevAddr route and credits, that many
 * `cairn provider wireless` hotspots (DIR/wireless-I, UDP ports P+300+I;
 * the last of four or more asserts a false location) and `cairn sim radio`
 * (DIR/radio.json) between them and three devices. 0, or 1 after printing
 * why. */
int devnet_wireless_start(devnet *d);
void devnet_wireless_watch(devnet *d);
void devnet_wireless_stop(devnet *d);
/* Hotspots started (0 before the start). */
int devnet_wireless_count(void);
/* The wireless part of settled epoch E's line into out ("" when none). */
void devnet_wireless_tail(const devnet *d, uint64_t epoch, char *out,
                          size_t len);

/* ---- devnet_sensor.c ---- */

#define DEVNET_SENSOR_MAX 8

/* With d->sensor > 0: that many `cairn provider sensor` device agents
 * (owner keys DIR/keys/sensor-I.key, device keys DIR/keys/device-I.key,
 * data DIR/sensor-I) replaying d->drives/driveI.csv (cycling through the
 * files there), the third forging its readings; once: the owner of device
 * 1 grants carol its data and carol pays for it, and alice funds two map
 * bounties (one on the drives' road, one where nobody drives). 0, or 1
 * after printing why. */
int devnet_sensor_start(devnet *d);
void devnet_sensor_watch(devnet *d);
void devnet_sensor_stop(devnet *d);

/* ---- devnet_s3.c ---- */

/* With at least 2 storage providers: `cairn s3` on 127.0.0.1:P+90 as its
 * own funded account, with the demo access key in DIR/s3-keys. 0, or 1
 * after printing why. */
int devnet_s3_start(devnet *d);
void devnet_s3_watch(devnet *d);
void devnet_s3_stop(devnet *d);
/* Its lines in the banner: where it is and an AWS CLI line to try. */
void devnet_s3_banner(const devnet *d);
/* Device agents started (0 before the start). */
int devnet_sensor_count(void);
/* The sensor part of settled epoch E's line into out ("" when none); it
 * also starts carol's next read of device 1 (its count shows next time). */
void devnet_sensor_tail(const devnet *d, uint64_t epoch, char *out, size_t len);

/* ---- devnet_replicas.c: --replicas N ---- */

#define DEVNET_REPLICAS_MAX 5

/* Makes or loads DIR/keys/sequencer-I.key (I = 1..N), appends an
 * allocation for each to allocs and returns the genesis "sequencers"
 * (each with a stake bonded at genesis; a new reference), or NULL after
 * printing why. */
json_t *devnet_replicas_genesis(const devnet *d, json_t *allocs);
/* With replicas: d->seq becomes replica 1 (DIR/replica-1, its log, key
 * DIR/keys/sequencer-1.key); replicas 2..N listen on P+2..P+N; etcd
 * member I on P+8+2I (client) and P+9+2I (peer). 0, or 1 printed. */
int devnet_replicas_layout(devnet *d);
/* Checks that DIR's genesis was made with d->replicas replicas (0: none),
 * that etcd is installed, and makes the chains of replicas 2..N. 0, or 1
 * printed. */
int devnet_replicas_prepare(devnet *d);
/* Fills argv (at least 14 slots, NULL-terminated) with `cairn node
 * --replica ...` for replica n (d->seq or another); strings are static. */
int devnet_replica_argv(const devnet *d, const devnet_node *n, char **argv);
/* Before replica 1: checks the ports, starts the etcd members and waits
 * until each listens. After replica 1 answers: starts the other replicas
 * and waits until each answers and one leads. 0, or 1 printed (what it
 * started is stopped by devnet_replicas_stop). */
int devnet_etcd_start(devnet *d);
int devnet_replicas_start(devnet *d);
/* Reaps replicas and etcd members that ended; restarts them when due. */
void devnet_replicas_watch(devnet *d);
/* Stops replicas 2..N, then the etcd members (SIGKILL after 10 s). */
void devnet_replicas_stop(devnet *d);
/* The banner's lines: replicas, etcd members, how to see who leads. */
void devnet_replicas_banner(const devnet *d, const char *cmd);

/* ---- devnet_epoch.c ---- */

/* Called about once a second: follows which of the sample's pieces are
 * proven in the current epoch and, once an epoch has settled, prints one
 * line per sector with providers or work (staked providers, providers with
 * work, usage, the network's revenue, burned, emitted and velocity; the
 * storage line adds the sample's pieces alive and proven in that epoch).
 * The first epoch reported is the one running when it is first called. */
void devnet_epoch_tick(const devnet *d);

/* In a forked child: stdout and stderr to n->log, stdin from /dev/null,
 * SIGTERM when the devnet dies, every signal unblocked (devnet_proc.c). */
void devnet_child_setup(const devnet_node *n);

#endif
