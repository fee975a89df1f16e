/* `cairn devnet --sensor N`: the sensor sector on the devnet
 * (docs/sensor.md): N device agents replaying recorded drives along one
 * road in Berlin through the storage sector (the third forges its
 * readings), carol as an app granted device 1's data and reading it every
 * epoch, two map bounties, and the sensor tail of the per-epoch line
 * (tiles reported, agreed and disputed, freshness, bounties, weekly
 * device rewards, what carol read). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/devnet.h"
#include "cli/devnet_group.h"
#include "net/node_rpc.h"
#include "sectors/wireless/hexgrid.h"

#define DRIVES 3           /* drive1.csv .. drive3.csv */
#define FORGER 2           /* agent index that forges (with 3 or more) */
#define GRANT_PRICE "1"    /* CRN per period carol pays */
#define GRANT_PERIODS "1"  /* carol pays a period at a time, as she goes */
#define PAY_AHEAD_EPOCHS 2 /* ... this long before her paid periods end */
#define BOUNTY_ROAD "50"   /* CRN on a tile of the road */
#define BOUNTY_NOWHERE "20"
#define TILE_RES 9 /* sensor_tile_res's default */
#define LOG_NAME "sensor.log"
/* Each drive's replay factor: the drives were recorded at 9, 11 and 13
 * m/s along the same 4 km, so these replay them at 19.8, 19.8 and 19.5 m/s
 * over the ground, and --clock-phase starts each pass where the clock puts
 * it (a pass is about 207 s): the devices pass each tile within seconds of
 * each other, also after a restart, as devices do that corroborate each
 * other's map. */
static const char *const drive_speed[] = {"2.2", "1.8", "1.5"};
#define READ_LAST_MS 60000 /* carol reads the last minute */

static void agent_args(const devnet *d, const devnet_group *g, int i,
                       char **argv, int max);

static struct {
    devnet_group ag;
    char dkey[DEVNET_SENSOR_MAX][DEVNET_PATH_MAX];
    char device[DEVNET_SENSOR_MAX][CAIRN_ADDR_TEXT_LEN + 1];
    char drive[DEVNET_SENSOR_MAX][DEVNET_PATH_MAX];
    char read_out[DEVNET_PATH_MAX];
    char carol[DEVNET_PATH_MAX], carol_addr[CAIRN_ADDR_TEXT_LEN + 1];
    uint64_t period_epochs; /* sensor_period_epochs (0: not read yet) */
    pid_t reader;           /* carol's read running now (0: none) */
    long long readings;     /* what carol's last finished read decrypted */
    int ready;
} ss = {.ag = {.sector = "sensor",
               .label = "sensor device agent",
               .ports = 1,
               .nolisten = 1,
               .args = agent_args},
        .readings = -1};

static void agent_args(const devnet *d, const devnet_group *g, int i,
                       char **argv, int max)
{
    (void)d;
    char *a[] = {"--data",
                 (char *)g->p[i].data,
                 "--owner-key",
                 (char *)g->key[i],
                 "--device-key",
                 ss.dkey[i],
                 "--drive",
                 ss.drive[i],
                 "--speed",
                 (char *)drive_speed[i % DRIVES],
                 "--batch-readings",
                 "20",
                 "--storage-epochs",
                 "30",
                 "--stake",
                 "100",
                 "--loop",
                 "--clock-phase",
                 i == FORGER ? "--forge" : NULL,
                 NULL};
    for (int k = 0; k < max && k < (int)(sizeof a / sizeof a[0]); k++)
        argv[k] = a[k];
}

/* DIR/keys/device-I.key (made on first use) and its address. */
static int device_key(const devnet *d, int i)
{
    cairn_keypair kp;
    snprintf(ss.dkey[i], DEVNET_PATH_MAX, "%s/keys/device-%d.key", d->dir,
             i + 1);
    if (access(ss.dkey[i], F_OK) != 0) {
        cairn_keypair_generate(&kp);
        cairn_err e = cairn_key_save(ss.dkey[i], &kp);
        if (e)
            return cli_fail("cannot save %s: %s", ss.dkey[i],
                            cairn_strerror(e));
    } else if (cli_load_key(ss.dkey[i], &kp)) {
        return 1;
    }
    cairn_addr_format(ss.device[i], &kp.pk);
    cairn_keypair_wipe(&kp);
    return 0;
}

/* The drive files, device keys and the path of carol's reads. */
static int prepare(const devnet *d)
{
    for (int i = 0; i < ss.ag.n; i++) {
        snprintf(ss.drive[i], DEVNET_PATH_MAX, "%s/drive%d.csv", d->drives,
                 i % DRIVES + 1);
        if (access(ss.drive[i], R_OK) != 0)
            return cli_fail("devnet: cannot read the recorded drive %s (run "
                            "from the source tree, or give --drives DIR)",
                            ss.drive[i]);
        if (device_key(d, i))
            return 1;
    }
    snprintf(ss.read_out, sizeof ss.read_out, "%s/carol-read.csv", d->dir);
    snprintf(ss.carol, sizeof ss.carol, "%s/keys/carol.key", d->dir);
    cairn_keypair kp;
    if (cli_load_key(ss.carol, &kp))
        return 1;
    cairn_addr_format(ss.carol_addr, &kp.pk);
    cairn_keypair_wipe(&kp);
    return 0;
}

/* The map tile (res TILE_RES) at micro-degrees (lat, lon) as decimal. */
static void tile_at(int32_t lat, int32_t lon, char out[24])
{
    uint64_t cell = 0;
    if (hexg_cell(lat, lon, TILE_RES, &cell))
        cell = 0;
    snprintf(out, 24, "%llu", (unsigned long long)cell);
}

/* Once (DIR/sensor-ready): device 1's owner grants carol all of its data,
 * carol pays its first period (then one at a time, carol_pays), alice funds a
 * bounty on the road (mapped soon: paid out) and one 30 km away (nobody maps
 * it: refunded). */
static int setup_once(const devnet *d)
{
    char ready[DEVNET_PATH_MAX], alice[DEVNET_PATH_MAX], road[24], nowhere[24];
    snprintf(ready, sizeof ready, "%s/sensor-ready", d->dir);
    if (access(ready, F_OK) == 0)
        return 0;
    snprintf(alice, sizeof alice, "%s/keys/alice.key", d->dir);
    tile_at(52520000, 13400000, road);
    tile_at(52790000, 13400000, nowhere);
    char *grant[] = {"sensor",
                     "grant",
                     ss.device[0],
                     ss.carol_addr,
                     "--privileges",
                     "all",
                     "--expiry-epochs",
                     "100000",
                     "--price",
                     GRANT_PRICE,
                     "--key",
                     ss.ag.key[0],
                     NULL};
    char *pay[] = {"sensor",      "pay",         ss.device[0], "--periods",
                   GRANT_PERIODS, "--max-price", GRANT_PRICE,  "--key",
                   ss.carol,      NULL};
    char *b1[] = {"sensor",   "map", "bounty", road,  BOUNTY_ROAD,
                  "--epochs", "20",  "--key",  alice, NULL};
    char *b2[] = {"sensor",   "map", "bounty", nowhere, BOUNTY_NOWHERE,
                  "--epochs", "5",   "--key",  alice,   NULL};
    if (devnet_run_cli(d, LOG_NAME, grant) ||
        devnet_run_cli(d, LOG_NAME, pay) || devnet_run_cli(d, LOG_NAME, b1) ||
        devnet_run_cli(d, LOG_NAME, b2))
        return 1;
    FILE *f = fopen(ready, "w");
    return f && fclose(f) == 0 ? 0 : cli_fail("cannot write %s", ready);
}

int devnet_sensor_start(devnet *d)
{
    if (d->sensor <= 0)
        return 0;
    if (d->storage <= 0)
        return cli_fail("devnet: --sensor needs storage providers (the "
                        "agents store their batches there): add --storage 6");
    ss.ag.n = d->sensor;
    ss.ag.port_base = d->port + 400;
    if (prepare(d) || devnet_group_start(d, &ss.ag) || setup_once(d))
        return 1;
    ss.ready = 1;
    return 0;
}

void devnet_sensor_watch(devnet *d)
{
    if (ss.ready)
        devnet_group_watch(d, &ss.ag);
}

void devnet_sensor_stop(devnet *d)
{
    (void)d;
    if (ss.reader > 0) {
        kill(ss.reader, SIGTERM);
        waitpid(ss.reader, NULL, 0);
        ss.reader = 0;
    }
    devnet_group_stop(&ss.ag);
}

int devnet_sensor_count(void)
{
    return ss.ready ? ss.ag.n : 0;
}

/* sensor_period_epochs from /v1/params (0 when the node cannot say). */
static uint64_t period_epochs(const devnet *d)
{
    json_t *j, *p;
    snode_err ne;
    size_t i;
    uint64_t v = 0;
    if (snode_get(d->seq.url, "/v1/params", &j, &ne))
        return 0;
    json_array_foreach(json_object_get(j, "params"), i, p)
    {
        if (!strcmp(jstr(p, "name"), "sensor_period_epochs") &&
            snode_u64(p, "value", &v))
            v = 0;
    }
    json_decref(j);
    return v;
}

/* Carol pays for one more period of device 1's data when what she paid
 * ends within PAY_AHEAD_EPOCHS of epoch `now` (the sector's revenue). */
static void carol_pays(const devnet *d, uint64_t now)
{
    char path[160];
    json_t *j, *g;
    snode_err ne;
    size_t i;
    uint64_t paid = UINT64_MAX;
    if (!ss.period_epochs && !(ss.period_epochs = period_epochs(d)))
        return;
    snprintf(path, sizeof path, "/v1/sensor/device/%s", ss.device[0]);
    if (snode_get(d->seq.url, path, &j, &ne))
        return;
    json_array_foreach(json_object_get(j, "grants"), i, g)
    {
        if (!strcmp(jstr(g, "app"), ss.carol_addr) &&
            snode_u64(g, "paid_until_period", &paid))
            paid = UINT64_MAX;
    }
    json_decref(j);
    if (paid == UINT64_MAX || paid * ss.period_epochs > now + PAY_AHEAD_EPOCHS)
        return;
    char *pay[] = {"sensor",      "pay",       ss.device[0], "--periods", "1",
                   "--max-price", GRANT_PRICE, "--key",      ss.carol,    NULL};
    (void)devnet_run_cli(d, LOG_NAME, pay);
}

/* Lines of carol's last read (the CSV's header and comments aside). */
static long long count_readings(void)
{
    FILE *f = fopen(ss.read_out, "r");
    char line[256];
    long long n = 0;
    if (!f)
        return -1;
    while (fgets(line, sizeof line, f))
        n += line[0] >= '0' && line[0] <= '9';
    fclose(f);
    return n;
}

/* Collects carol's finished read, then starts the next one: device 1's
 * data of the last minute, decrypted with the key sealed to her. */
static void carol_reads(const devnet *d)
{
    int status;
    if (ss.reader > 0) {
        if (waitpid(ss.reader, &status, WNOHANG) != ss.reader)
            return; /* still reading */
        ss.reader = 0;
        ss.readings = WIFEXITED(status) && WEXITSTATUS(status) == 0
                          ? count_readings()
                          : -1;
    }
    char log[DEVNET_PATH_MAX];
    snprintf(log, sizeof log, "%s/%s", d->dir, LOG_NAME);
    char from[24], to[24];
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    long long ms = (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
    snprintf(from, sizeof from, "%lld", ms - READ_LAST_MS);
    snprintf(to, sizeof to, "%lld", ms);
    char *argv[] = {"cairn",  "--node",    (char *)d->seq.url,
                    "sensor", "read",      ss.device[0],
                    "--from", from,        "--to",
                    to,       "--key",     ss.carol,
                    "--out",  ss.read_out, NULL};
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
        sigset_t all;
        if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
            _exit(126);
        sigfillset(&all);
        sigprocmask(SIG_UNBLOCK, &all, NULL);
        alarm(60);
        execv("/proc/self/exe", argv);
        _exit(127);
    }
    ss.reader = pid > 0 ? pid : 0;
}

void devnet_sensor_tail(const devnet *d, uint64_t epoch, char *out, size_t len)
{
    char path[64], read[96] = "";
    json_t *j;
    snode_err ne;
    out[0] = '\0';
    if (!ss.ready)
        return;
    carol_reads(d);
    if (ss.readings >= 0)
        snprintf(read, sizeof read, "; carol read %lld readings of device 1",
                 ss.readings);
    snprintf(path, sizeof path, "/v1/sensor/epoch/%llu",
             (unsigned long long)epoch);
    if (snode_get(d->seq.url, path, &j, &ne))
        return;
    uint64_t now = 0;
    if (snode_u64(j, "current_epoch", &now) == CAIRN_OK)
        carol_pays(d, now);
    snprintf(out, len,
             "; tiles %lld reported, %lld agreed, %lld below quorum; "
             "%lld reports outvoted; freshness "
             "%.2f; bounties %lld paid, %lld refunded; %lld devices paid "
             "weekly%s",
             jint(j, "tiles_reported"), jint(j, "tiles_agreed"),
             jint(j, "tiles_disagreed"), jint(j, "reports_disagreed"),
             (double)jint(j, "fresh_bps_mean") / 1e4,
             jint(j, "bounties_paid_n"), jint(j, "bounties_refunded_n"),
             jint(j, "devices_paid_weekly"), read);
    json_decref(j);
}
