/* `cairn provider sensor`: the device agent's command line (agent.h). */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/econ_cli.h"
#include "sensor/agent/agent.h"
#include "sensor/batch.h"

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

static const char usage[] =
    "usage: cairn provider sensor --data DIR --device-key D --owner-key O\n"
    "           (--source gpsd://HOST:PORT | --drive FILE) [--node URL]\n"
    "           [--quantum Q] [--batch-readings N] [--batch-span-ms MS]\n"
    "           [--storage-k K --storage-n N] [--storage-epochs E]\n"
    "           [--speed X] [--loop [--clock-phase]] [--value speed|alt]\n"
    "           [--value-file F]\n"
    "           [--stake TOKENS] [--max-batches N] [--print N] [--forge]\n"
    "Runs a sensor device agent (docs/sensor-agent.md). It pairs device key "
    "D\n"
    "with owner key O on chain when they are not paired, reads positions and\n"
    "values from gpsd (--source) or a recorded drive (--drive: CSV\n"
    "t_ms,lat_udeg,lon_udeg,value or NMEA), cuts them into batches of N\n"
    "readings (default 60; fewer when the chain's batch span or 256 tiles "
    "is\n"
    "reached), encrypts each, stores it through the storage sector (K-of-N\n"
    "pieces, default 2-of-3, for E epochs, default 100; paid by O), seals the\n"
    "batch keys to every app with an active grant and registers the batch\n"
    "(signed by D, sent by O). Each tile's q is floor(mean value / Q), Q\n"
    "default 10. A drive is replayed at X times its recorded pace (X may\n"
    "have 3 decimals; default 0: as fast as the chain takes batches), its\n"
    "times moved to now (paced: each reading stamped when it is replayed);\n"
    "--loop replays it again and again, and --clock-phase starts each pass\n"
    "where the wall clock puts it (agents on drives of one length stay in\n"
    "step across restarts). The value of a gpsd or NMEA reading is the\n"
    "speed in cm/s (--value alt: altitude in cm), or the integer in "
    "--value-file.\n"
    "--stake registers the owner as a sensor provider with that self stake\n"
    "when it is not one (rewards go to registered owners only).\n"
    "--max-batches stops after N batches; --print N prints N readings of the\n"
    "source as CSV and stops (no chain). Stops cleanly on SIGTERM.\n"
    "--forge is an ATTACK MODE for tests: every value is raised by 1000, so\n"
    "its tiles' q disagree with honest devices'.\n";

typedef struct sa_args {
    const char *data, *dev, *own, *src, *drive, *quantum, *nread, *span, *k, *n,
        *epochs, *speed, *value, *vfile, *maxb, *print, *stake;
    int loop, forge, clock;
} sa_args;

static int num(const char *s, const char *what, uint64_t lo, uint64_t hi,
               uint64_t *out)
{
    if (econ_parse_u64(s, what, out))
        return 1;
    if (*out < lo || *out > hi)
        return cli_fail("%s is %llu..%llu", what, (unsigned long long)lo,
                        (unsigned long long)hi);
    return 0;
}

static int configure(const sa_args *a, sagent_cfg *c)
{
    uint64_t v;
    if (a->print && (!a->src != !a->drive)) {
        /* --print reads the source alone: no keys, no chain */
    } else if (!a->data || !a->dev || !a->own || (!a->src == !a->drive))
        return cli_fail("provider sensor: --data, --device-key, --owner-key "
                        "and one of --source or --drive are required (see "
                        "cairn provider sensor --help)");
    c->node = cli_node_url();
    c->data_dir = a->data;
    c->gpsd = a->src;
    c->drive = a->drive;
    c->value_file = a->vfile;
    c->loop = a->loop;
    c->forge = a->forge;
    c->quantum = SAGENT_QUANTUM_DEFAULT;
    c->batch_readings = SAGENT_READINGS_DEFAULT;
    c->storage.k = 2;
    c->storage.n = 3;
    c->storage.segment_size = 1u << 20;
    c->storage_epochs = 100;
    if (a->value && strcmp(a->value, "speed") != 0 &&
        strcmp(a->value, "alt") != 0)
        return cli_fail("--value is speed (cm/s) or alt (cm)");
    c->value_alt = a->value && strcmp(a->value, "alt") == 0;
    if (a->quantum) {
        if (num(a->quantum, "--quantum", 1, INT64_MAX, &v))
            return 1;
        c->quantum = (int64_t)v;
    }
    if (a->nread) {
        if (num(a->nread, "--batch-readings", 1, SBATCH_READINGS_MAX, &v))
            return 1;
        c->batch_readings = (uint32_t)v;
    }
    if (a->span &&
        num(a->span, "--batch-span-ms", 1, UINT32_MAX, &c->batch_span_ms))
        return 1;
    if (a->k) {
        if (num(a->k, "--storage-k", 1, 254, &v))
            return 1;
        c->storage.k = (uint32_t)v;
    }
    if (a->n) {
        if (num(a->n, "--storage-n", 2, 255, &v))
            return 1;
        c->storage.n = (uint32_t)v;
    }
    if (c->storage.k >= c->storage.n)
        return cli_fail("--storage-k must be below --storage-n (K of N "
                        "pieces rebuild the file)");
    if (a->epochs &&
        num(a->epochs, "--storage-epochs", 1, UINT32_MAX, &c->storage_epochs))
        return 1;
    if (a->speed) {
        int64_t pm;
        if (cli_parse_fixed(a->speed, 3, 0, 1000000000, "--speed", &pm))
            return 1;
        c->speed_pm = (uint64_t)pm;
    }
    if (a->clock && (!a->loop || !c->speed_pm))
        return cli_fail("--clock-phase needs --loop and a --speed above 0");
    c->clock_phase = a->clock;
    if (a->maxb &&
        num(a->maxb, "--max-batches", 1, UINT64_MAX, &c->max_batches))
        return 1;
    if (a->print && num(a->print, "--print", 1, UINT64_MAX, &c->print))
        return 1;
    if (a->stake && econ_parse_tokens(a->stake, "--stake", &c->stake))
        return 1;
    if (c->print)
        return 0;
    if (cli_load_key(a->dev, &c->device) || cli_load_key(a->own, &c->owner))
        return 1;
    if (memcmp(c->device.pk.b, c->owner.pk.b, CAIRN_PK_LEN) == 0)
        return cli_fail("--device-key and --owner-key must be different keys "
                        "(the device signs batches, the owner pays)");
    return 0;
}

int cmd_provider_sensor(int argc, char **argv)
{
    sa_args a = {0};
    cli_opt opts[] = {{"data", &a.data, NULL},
                      {"device-key", &a.dev, NULL},
                      {"owner-key", &a.own, NULL},
                      {"source", &a.src, NULL},
                      {"drive", &a.drive, NULL},
                      {"quantum", &a.quantum, NULL},
                      {"batch-readings", &a.nread, NULL},
                      {"batch-span-ms", &a.span, NULL},
                      {"storage-k", &a.k, NULL},
                      {"storage-n", &a.n, NULL},
                      {"storage-epochs", &a.epochs, NULL},
                      {"speed", &a.speed, NULL},
                      {"value", &a.value, NULL},
                      {"value-file", &a.vfile, NULL},
                      {"max-batches", &a.maxb, NULL},
                      {"print", &a.print, NULL},
                      {"stake", &a.stake, NULL},
                      {"loop", NULL, &a.loop},
                      {"clock-phase", NULL, &a.clock},
                      {"forge", NULL, &a.forge},
                      {NULL, NULL, NULL}};
    cli_args pa;
    sagent_cfg cfg = {0};
    int rc = cli_parse(argc, argv, "provider sensor", usage, opts, 0, &pa);
    if (rc)
        return CLI_EXIT(rc);
    if (configure(&a, &cfg)) {
        cairn_keypair_wipe(&cfg.device);
        cairn_keypair_wipe(&cfg.owner);
        return 1;
    }
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    stop_flag = 0;
    rc = sagent_run(&cfg, &stop_flag);
    cairn_keypair_wipe(&cfg.device);
    cairn_keypair_wipe(&cfg.owner);
    return rc;
}
