/* The radio simulator's running state: the forwarders' sockets, the
 * devices, the replayers and the queue of transmissions (internal to
 * src/wireless/sim/). Times are Unix microseconds from CLOCK_REALTIME. */
#ifndef CAIRN_WIRELESS_SIM_WORLD_H
#define CAIRN_WIRELESS_SIM_WORLD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "cairn/semtech.h"
#include "wireless/sim/scenario.h"

#define SIM_QUEUE_MAX 1024    /* pending transmissions */
#define SIM_REP_SEEN 64       /* payloads a replayer remembers */
#define SIM_PULL_US 1000000   /* PULL_DATA keepalive */
#define SIM_STAT_US 30000000  /* stat object */
#define SIM_LATE_US 20000     /* a txpk this far in the past: TOO_LATE */
#define SIM_EARLY_US 30000000 /* this far ahead: TOO_EARLY */
#define SIM_JOIN_RETRY_US 10000000

typedef enum sim_src {
    SIM_SRC_HOTSPOT,
    SIM_SRC_DEVICE,
    SIM_SRC_REPLAYER
} sim_src;

/* One transmission waiting for its time. */
typedef struct sim_tx {
    uint64_t at_us;
    uint64_t id;
    sim_src src;
    uint16_t src_idx;
    int32_t lat, lon;
    double power_dbm, gain_dbi;
    uint64_t freq_hz;
    cairn_sm_rate rate;
    bool ipol; /* a downlink: devices hear it, hotspots do not */
    uint16_t size;
    uint8_t data[CAIRN_SM_MAX_PAYLOAD];
} sim_tx;

typedef struct sim_fwd {
    int fd;            /* UDP, connected to the daemon's address */
    uint32_t tmst_off; /* tmst = (u32)(now_us + tmst_off) */
    uint16_t token;
    uint64_t next_pull_us, next_stat_us;
    uint32_t rxnb, rxok, rxfw, dwnb, txnb;
    uint64_t push_sent, push_acked, pull_sent, pull_acked;
} sim_fwd;

typedef struct sim_dev {
    bool joined; /* ABP: always */
    uint32_t dev_addr;
    uint8_t nwk_skey[16];
    uint16_t fcnt;
    uint16_t dev_nonce;
    uint64_t next_us; /* next uplink or join request */
    uint64_t uplinks, joins, accepts;
} sim_dev;

typedef struct sim_rep {
    uint64_t seen[SIM_REP_SEEN];
    size_t n_seen, next;
    uint64_t heard, replayed;
} sim_rep;

typedef struct sim_counts {
    uint64_t tx, rx, drop, late, queue_full, replays, uplinks, joins, accepts,
        bad_datagrams;
} sim_counts;

typedef struct sim_world {
    const sim_scenario *sc;
    uint64_t seed;
    FILE *log; /* JSON lines, or NULL */
    sim_fwd fwd[SIM_MAX_HOTSPOTS];
    sim_dev dev[SIM_MAX_DEVICES];
    sim_rep rep[SIM_MAX_REPLAYERS];
    sim_tx q[SIM_QUEUE_MAX];
    size_t nq;
    uint64_t next_id;
    rm_rng rng; /* tokens, nonces, phases */
    sim_counts n;
    cairn_sm_msg msg; /* scratch */
    uint8_t buf[CAIRN_SM_MAX_DATAGRAM + 1];
} sim_world;

/* ---- air.c ---- */
/* Queues t (t->id assigned). false when the queue is full (counted and
 * logged). */
bool sim_air_queue(sim_world *w, sim_tx *t);
/* Sends every queued transmission due at now_us; returns the time of the
 * next one (UINT64_MAX: none). */
uint64_t sim_air_run(sim_world *w, uint64_t now_us);
/* Distance in m between two positions (hexg_distance_m). */
uint64_t sim_dist_m(int32_t lat1, int32_t lon1, int32_t lat2, int32_t lon2);

/* ---- fwd.c ---- */
/* Opens every hotspot's forwarder socket. Returns 0 or -1 (printed). */
int sim_fwd_open(sim_world *w, uint64_t now_us);
void sim_fwd_close(sim_world *w);
/* Keepalives and stats due at now_us; returns the next due time. */
uint64_t sim_fwd_tick(sim_world *w, uint64_t now_us);
/* Reads what hotspot h's daemon sent (bounded per call). */
void sim_fwd_read(sim_world *w, size_t h, uint64_t now_us);
/* Sends one rxpk to hotspot h in a PUSH_DATA. */
void sim_fwd_push_rx(sim_world *w, size_t h, const cairn_sm_rxpk *rx);

/* ---- device.c ---- */
void sim_dev_init(sim_world *w, uint64_t now_us);
/* Uplinks and join requests due; returns the next due time. */
uint64_t sim_dev_tick(sim_world *w, uint64_t now_us);
/* Device d heard a downlink. */
void sim_dev_hear(sim_world *w, size_t d, const sim_tx *t, double rssi,
                  double snr);

/* ---- replayer.c ---- */
/* Replayer r heard t at arrival_us: a beacon ("CBK1...") not heard before
 * is queued again from r after its delay. */
void sim_rep_hear(sim_world *w, size_t r, const sim_tx *t, uint64_t arrival_us);

/* ---- sim_log.c ---- */
/* Writes one JSON line {"t_ms":..,"ev":ev,<fields>} to w->log (fields: a
 * JSON fragment "\"k\":v,..." without braces, or ""). */
void sim_log(sim_world *w, uint64_t now_us, const char *ev, const char *fmt,
             ...) __attribute__((format(printf, 4, 5)));
/* "hs:NAME", "dev:NAME" or "rep:N" of a transmission's source. */
void sim_src_name(const sim_world *w, sim_src s, size_t idx, char *out,
                  size_t cap);
/* s as the inside of a JSON string (quotes, backslashes and control
 * characters escaped), cut to fit cap. */
void sim_esc(const char *s, char *out, size_t cap);
/* Lowercase hex of n bytes into out (2n + 1). */
void sim_hex(const uint8_t *p, size_t n, char *out);

#endif
