/* Internal: the hotspot daemon, `cairn provider wireless`
 * (docs/wireless-hotspot.md). Two threads:
 *   - the radio thread (hs_udp.c) owns the Semtech UDP socket: it answers
 *     PUSH_DATA and PULL_DATA at once, remembers where each gateway pulls
 *     from, and queues the received packets (bounded) for
 *   - the chain thread (hs_main.c), which every poll reads the chain's
 *     epoch (hs_chain.c), beacons at its slot (hs_beacon.c), turns heard
 *     beacons into witness reports and appeals (hs_witness.c), forwards
 *     device frames to their routers and claims the receipts
 *     (hs_packets.c), and, in the test-only attack mode, forges reports
 *     for a ring (hs_liar.c).
 * Everything it keeps is bounded (the HS_* limits below). */
#ifndef CAIRN_WIRELESS_HOTSPOT_HS_H
#define CAIRN_WIRELESS_HOTSPOT_HS_H

#include <jansson.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

#include "cairn/conn.h"
#include "cairn/crypto.h"
#include "cairn/semtech.h"
#include "cairn/tx.h"
#include "core/log.h"
#include "provider/daemon.h"
#include "wireless/hotspot/hs_wire.h"

#define HS_WHO "hotspot"
#define HS_MAX_GW 4          /* gateway EUIs served; others dropped */
#define HS_INQ 256           /* received packets waiting for the chain */
#define HS_HEARD 256         /* beacon payloads kept for appeals */
#define HS_HEARD_EPOCHS 4    /* ... this many epochs back */
#define HS_PENDING_MAX 256   /* witness reports waiting to be sent */
#define HS_RECEIPTS_MAX 4096 /* unclaimed receipts kept on disk */
#define HS_ROUTES 64         /* DevAddr -> router lookups cached */
#define HS_ROUTER_MS 2000    /* one POST /v1/uplink, at most */
#define HS_TX_AHEAD_MS 100   /* a beacon is sent this far ahead */
#define HS_FREQ_DEFAULT 904300000ULL
#define HS_WITNESS_BLOCKS_DEFAULT 3
#define HS_WINDOW_MS_DEFAULT 5000
#define HS_POLL_MS_DEFAULT 250
#define HS_LIAR_LATE_MS 300   /* forged reception time after the beacon */
#define HS_LIAR_UNDER_CDB 100 /* forged RSSI under the free-space limit */

typedef struct hs_config {
    const char *data_dir;
    const char *node; /* node API base URL */
    cairn_keypair key;
    int32_t lat_udeg, lon_udeg;
    int16_t gain_cdbi;
    uint16_t elev_m;
    int16_t txp_cdbm; /* tx power, centi-dBm */
    uint64_t stake;
    uint64_t freq_hz;
    char fwd_host[CAIRN_HOST_MAX + 1];
    int fwd_port;
    const char *liar_dir; /* NULL: honest */
    const char *router;   /* HOST:PORT for every device packet; NULL: the
                             router the chain names by DevAddr */
    int dry_run;          /* log the bodies of transactions, send none */
    int poll_ms;
    FILE *log;  /* NULL: stderr */
    FILE *stat; /* status lines; NULL: stdout */
} hs_config;

/* One received packet, as the radio thread hands it over. */
typedef struct hs_rx {
    cairn_sm_rxpk pk;
    uint64_t rx_ms; /* our clock (Unix ms) when the datagram came */
} hs_rx;

/* A gateway: its EUI and where its last PULL_DATA came from. */
typedef struct hs_gw {
    uint8_t eui[CAIRN_SM_EUI_LEN];
    int has_pull;
    struct sockaddr_storage pull;
    socklen_t pull_len;
    int64_t pull_at_ms; /* monotonic */
    int64_t seen_ms;    /* monotonic, any datagram */
} hs_gw;

/* A beacon payload heard (for the appeal of a NOT_REPORTED verdict). */
typedef struct hs_heard {
    uint64_t epoch; /* ours when heard */
    cairn_pubkey beaconer;
    uint8_t p[HS_P_LEN];
    int appealed;
} hs_heard;

/* What the chain shows this round. */
typedef struct hs_view {
    int ok;
    uint64_t height, epoch, start, epoch_blocks, witness_blocks;
    uint64_t window_ms; /* wireless_beacon_window_ms */
    char chain_id[CAIRN_CHAIN_ID_MAX + 1];
} hs_view;

/* Our beacon of one epoch (DIR/beacon, durable before it is sent). */
typedef struct hs_beacon_state {
    uint64_t epoch;
    uint64_t slot;    /* 0: no slot this epoch */
    int sent;         /* transmitted (time_ms set) */
    int reported;     /* poc_beacon submitted */
    uint64_t time_ms; /* Unix ms of transmission */
    uint64_t freq_hz;
    uint8_t p[HS_P_LEN];
} hs_beacon_state;

typedef struct hs_route {
    uint64_t id; /* DevAddr, or JoinEUI when join */
    int join;
    uint64_t epoch; /* looked up in; stale after */
    int found;
    char endpoint[CAIRN_ENDPOINT_MAX + 1];
} hs_route;

/* Counters of one epoch, for its status line. */
typedef struct hs_counts {
    uint64_t beacons, witnesses, appeals, packets, claimed, dropped;
} hs_counts;

typedef struct hs {
    hs_config cfg;
    char addr[CAIRN_ADDR_TEXT_LEN + 1];
    int lock_fd;
    volatile sig_atomic_t *stop;

    /* the radio side (mu guards gw, inq, counters written by the thread) */
    pthread_mutex_t mu;
    int fd;
    int port; /* the bound UDP port */
    pthread_t udp_thread;
    int udp_started;
    volatile sig_atomic_t udp_quit;
    hs_gw gw[HS_MAX_GW];
    int ngw;
    hs_rx *inq; /* ring of HS_INQ */
    size_t inq_head, inq_n;
    uint64_t udp_bad, udp_other_gw, inq_full, tx_acks, tx_errs;
    int no_gps; /* a TX_ACK said GPS_UNLOCKED: beacons go out imme */
    log_limit lim_bad, lim_gw;

    /* the chain side (chain thread only) */
    pd_chain chain;
    hs_view view;
    cairn_hash seed; /* of view.epoch */
    uint64_t seed_epoch;
    int have_seed;
    hs_beacon_state beacon;
    int beacon_loaded; /* beacon holds a state (loaded or made) */
    int asserted;
    hs_witness pending[HS_PENDING_MAX];
    size_t npending;
    hs_heard heard[HS_HEARD];
    size_t heard_next;
    uint8_t (*receipts)[HS_RECEIPT_LEN]; /* HS_RECEIPTS_MAX, unclaimed */
    size_t nreceipts;
    uint64_t claim_height; /* receipts last claimed at */
    hs_route routes[HS_ROUTES];
    size_t route_next;
    hs_counts cnt;
    cairn_hash forged[64]; /* liar ring: member files forged from */
    size_t forged_next;
    uint64_t cnt_epoch;    /* the epoch cnt counts */
    uint64_t appeal_epoch; /* appeals last looked for in */
    log_limit lim_chain;
} hs;

/* ---- hs_main.c ---- */
void hs_log(hs *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Runs the daemon until *stop; 0 on a clean stop, 1 on a failure (said). */
int hs_run(const hs_config *cfg, volatile sig_atomic_t *stop);
/* Unix ms now. */
uint64_t hs_now_ms(void);

/* ---- hs_udp.c ---- */
/* Binds cfg.fwd_host:fwd_port and starts the radio thread. */
cairn_err hs_udp_start(hs *h, char *msg, size_t len);
/* Stops and joins the radio thread, closes the socket. */
void hs_udp_stop(hs *h);
/* Sends tx as a PULL_RESP to the gateway that pulled last. NOT_READY when
 * no gateway has pulled yet. */
cairn_err hs_udp_send(hs *h, const cairn_sm_txpk *tx);
/* Takes up to max queued packets out (oldest first); returns how many. */
size_t hs_udp_take(hs *h, hs_rx *out, size_t max);

/* ---- hs_chain.c ---- */
/* Reads height, epoch and the schedule numbers into h->view; fetches the
 * epoch seed on a new epoch. */
cairn_err hs_chain_view(hs *h);
/* Signs and submits a transaction (not waiting for its block unless
 * wait); with --dry-run logs "dry-run: would submit NAME body HEX" and
 * sends nothing. why (len) receives the node's message on failure. */
cairn_err hs_chain_send(hs *h, uint16_t kind, const char *name,
                        const uint8_t *body, size_t n, int wait, char *why,
                        size_t len);
/* Sends hotspot_assert unless the chain (or DIR/asserted) already holds
 * our location, gain, elevation and power. */
cairn_err hs_chain_assert(hs *h);
/* GETs base+path (JSON) with a bounded wait. */
cairn_err hs_chain_get(hs *h, const char *path, json_t **out);

/* ---- hs_beacon.c ---- */
/* Loads DIR/beacon (a restart does not beacon twice in an epoch). */
void hs_beacon_load(hs *h);
/* Transmits at the slot, reports after slot + W. */
void hs_beacon_tick(hs *h);

/* ---- hs_witness.c ---- */
/* A packet whose data is a beacon payload: queue a witness report. */
void hs_witness_heard(hs *h, const hs_rx *rx, const uint8_t *p);
/* Queues a report already made (the liar ring). */
void hs_witness_queue(hs *h, const hs_witness *w);
/* Submits the queued reports (batches of up to HS_REPORTS_MAX). */
void hs_witness_flush(hs *h);
/* Once per epoch: appeals our NOT_REPORTED witness records it can prove. */
void hs_appeal_tick(hs *h);

/* ---- hs_packets.c ---- */
/* Allocates h->receipts (HS_RECEIPTS_MAX entries, owned by h, freed by
 * the daemon at stop) and loads DIR/receipts into it. */
cairn_err hs_packets_load(hs *h);
/* A packet that may be a device frame: forward it to its router. */
void hs_packet_heard(hs *h, const hs_rx *rx);
/* Claims unclaimed receipts (packet_claim, up to HS_CLAIM_MAX each). */
void hs_packets_claim(hs *h);

/* ---- hs_liar.c (test-only attack mode) ---- */
/* Writes our beacon into the ring's directory. */
void hs_liar_publish(hs *h);
/* Forges reports for ring members' beacons of this epoch. */
void hs_liar_tick(hs *h);

#endif
