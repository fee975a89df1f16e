/* `cairn provider sensor`: the sensor device agent (docs/sensor-agent.md).
 *
 * It pairs the device with its owner when the chain does not know it
 * (DEVICE_PAIR, signed by both), reads positions and values from a source
 * (src/sensor/source/), cuts them into batches (--batch-readings, the
 * chain's sensor_batch_span_ms, CAIRN_SENSOR_TILES_MAX tiles), writes each
 * as a batch file (src/sensor/batch.h) kept in the data dir until it is
 * registered, stores it through the storage sector (paid by the owner),
 * seals the batch keys to every app holding an active grant of the device
 * and registers the batch (BATCH_REGISTER: the header signed by the device,
 * the transaction by the owner). A batch whose file is not stored is never
 * registered; a failed put or a node that is down is retried with backoff.
 *
 * Data dir: provider.lock (one agent per dir), sensor.state (last seq and
 * t_to registered), pending.csb / pending.key / pending.fid (the batch on
 * its way: plaintext file, batch secret, stored file id and key), client/
 * (the storage client's metadata). */
#ifndef CAIRN_SENSOR_AGENT_H
#define CAIRN_SENSOR_AGENT_H

#include <signal.h>
#include <stdint.h>
#include <stdio.h>

#include "cairn/crypto.h"
#include "cairn/layout.h"

int cmd_provider_sensor(int argc, char **argv);

#define SAGENT_WHO "sensor"
/* what a sensor owner registers as its endpoint: nothing dials it */
#define SAGENT_ENDPOINT "sensor-owner.invalid:1"
#define SAGENT_READINGS_DEFAULT 60
#define SAGENT_QUANTUM_DEFAULT 10
#define SAGENT_FORGE_OFFSET 1000 /* --forge adds this to every value */
#define SAGENT_BACKOFF_MIN_MS 500
#define SAGENT_BACKOFF_MAX_MS 30000
/* no reading for this long: the batch closes */
#define SAGENT_IDLE_CLOSE_MS 15000
/* a batch the chain refused this often is dropped */
#define SAGENT_REFUSALS_MAX 3

typedef struct sagent_cfg {
    const char *node;     /* node API URL */
    const char *data_dir; /* state, pending batch, storage metadata */
    const char *gpsd;     /* gpsd://HOST:PORT, or NULL */
    const char *drive;    /* a drive file, or NULL */
    const char *value_file;
    int value_alt; /* gpsd/NMEA value: altitude instead of speed */
    cairn_keypair device, owner;
    int64_t quantum;
    uint32_t batch_readings;
    uint64_t batch_span_ms;      /* 0: the chain's sensor_batch_span_ms */
    cairn_layout_params storage; /* k, n, segment size */
    uint64_t storage_epochs;
    uint64_t speed_pm; /* drive replay pace x 1000; 0: as fast as it can */
    int loop;          /* replay the drive again and again */
    int clock_phase;   /* looped passes start where the clock puts them */
    int forge;         /* ATTACK MODE: add SAGENT_FORGE_OFFSET to each value */
    uint64_t stake;    /* > 0: register the owner as a sensor provider with
                          this self stake (base units) when it is not */
    uint64_t max_batches; /* stop after this many registered (0: never) */
    uint64_t print;       /* print this many readings and stop (no chain) */
    FILE *log;            /* NULL: stderr */
} sagent_cfg;

/* Runs the agent until *stop, the end of a drive (without loop) once its
 * last batch is registered, or max_batches. 0 on a clean stop, 1 on a
 * fatal error (logged). */
int sagent_run(const sagent_cfg *cfg, volatile sig_atomic_t *stop);

#endif
