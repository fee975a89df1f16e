/* The hotspot daemon's start, chain loop and stop (hs.h). */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "wireless/hotspot/hs.h"

#define STOP_SLICE_MS 50
#define WATCH_EVERY 20 /* rounds between registration checks */
#define RX_BATCH 64

void hs_log(hs *h, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_vline(h->cfg.log, HS_WHO, fmt, ap);
    va_end(ap);
}

uint64_t hs_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void nap(int ms, volatile sig_atomic_t *stop)
{
    struct timespec ts = {0, STOP_SLICE_MS * 1000000L};
    for (int t = 0; t < ms && !*stop; t += STOP_SLICE_MS)
        nanosleep(&ts, NULL);
}

static void status_line(hs *h)
{
    FILE *f = h->cfg.stat ? h->cfg.stat : stdout;
    fprintf(
        f,
        "epoch %llu: beacons sent %llu, witnesses reported %llu, appeals "
        "%llu, packets forwarded %llu, receipts claimed %llu, datagrams "
        "dropped %llu\n",
        (unsigned long long)h->cnt_epoch, (unsigned long long)h->cnt.beacons,
        (unsigned long long)h->cnt.witnesses,
        (unsigned long long)h->cnt.appeals, (unsigned long long)h->cnt.packets,
        (unsigned long long)h->cnt.claimed, (unsigned long long)h->cnt.dropped);
    fflush(f);
}

/* Frees h and all it owns (stops the radio thread first, releases the
 * lock, wipes the key). NULL is fine. */
static void free_hs(hs *h)
{
    if (!h)
        return;
    hs_udp_stop(h);
    pd_unlock_dir(h->lock_fd);
    log_limit_destroy(&h->lim_bad);
    log_limit_destroy(&h->lim_gw);
    log_limit_destroy(&h->lim_chain);
    pthread_mutex_destroy(&h->mu);
    free(h->inq);
    free(h->receipts);
    cairn_keypair_wipe(&h->cfg.key);
    free(h);
}

/* A new daemon state (copies cfg, key included); the caller owns it and
 * frees it with free_hs. NULL when out of memory. */
static hs *alloc_hs(const hs_config *cfg)
{
    hs *h = calloc(1, sizeof *h);
    if (!h)
        return NULL;
    h->cfg = *cfg;
    h->fd = -1;
    h->lock_fd = -1;
    pthread_mutex_init(&h->mu, NULL);
    log_limit_init(&h->lim_bad, 5, 10000);
    log_limit_init(&h->lim_gw, 5, 10000);
    log_limit_init(&h->lim_chain, 5, 10000);
    cairn_addr_format(h->addr, &cfg->key.pk);
    h->inq = calloc(HS_INQ, sizeof *h->inq);
    if (!h->inq) {
        free_hs(h);
        return NULL;
    }
    return h;
}

static cairn_err start(hs *h, char *msg, size_t len)
{
    cairn_err e = pd_lock_dir(h->cfg.data_dir, &h->lock_fd, msg, len);
    if (!e && (e = hs_packets_load(h)))
        snprintf(msg, len, "cannot read %s/receipts: %s", h->cfg.data_dir,
                 cairn_strerror(e));
    if (!e)
        hs_beacon_load(h);
    if (!e)
        e = hs_udp_start(h, msg, len);
    return e;
}

/* The packets the radio thread queued: beacons and device frames. */
static void drain(hs *h)
{
    static hs_rx rx[RX_BATCH]; /* chain thread only */
    size_t n;
    while ((n = hs_udp_take(h, rx, RX_BATCH)) > 0)
        for (size_t i = 0; i < n; i++) {
            if (hs_beacon_parse(rx[i].pk.data, rx[i].pk.size, NULL, NULL,
                                NULL) == 0)
                hs_witness_heard(h, &rx[i], rx[i].pk.data);
            else
                hs_packet_heard(h, &rx[i]);
        }
}

static void round_(hs *h)
{
    cairn_err e = hs_chain_view(h);
    if (e) {
        log_limited(&h->lim_chain, h->cfg.log, HS_WHO,
                    "cannot read the chain's epoch from %s: %s", h->cfg.node,
                    cairn_strerror(e));
        return;
    }
    if (h->cnt_epoch != h->view.epoch) {
        if (h->cnt_epoch || h->cnt.beacons || h->cnt.witnesses)
            status_line(h);
        memset(&h->cnt, 0, sizeof h->cnt);
        h->cnt_epoch = h->view.epoch;
    }
    pthread_mutex_lock(&h->mu);
    h->cnt.dropped = h->udp_bad + h->udp_other_gw + h->inq_full;
    pthread_mutex_unlock(&h->mu);
    (void)hs_chain_assert(h);
    hs_beacon_tick(h);
    hs_packets_claim(h); /* before drain: a new receipt waits a round */
    drain(h);
    hs_liar_tick(h);
    hs_witness_flush(h);
    hs_appeal_tick(h);
}

/* Registration (not in a dry run): 0 done, 1 refused for good, 2 wait. */
static int registered(hs *h, int *said)
{
    cairn_err e = pd_chain_register(&h->chain);
    if (!e)
        return 0;
    if (e != CAIRN_ERR_HTTP)
        return 1;
    if (!(*said)++)
        hs_log(h, "waiting for the node at %s", h->cfg.node);
    return 2;
}

int hs_run(const hs_config *cfg, volatile sig_atomic_t *stop)
{
    char msg[512], ep[CAIRN_HOST_MAX + 16];
    hs *h = alloc_hs(cfg);
    if (!h) {
        log_line(cfg->log, HS_WHO, "out of memory");
        return 1;
    }
    h->stop = stop;
    if (start(h, msg, sizeof msg)) {
        log_line(cfg->log, HS_WHO, "%s", msg);
        free_hs(h);
        return 1;
    }
    snprintf(ep, sizeof ep, "%s:%d", cfg->fwd_host, h->port);
    if (strlen(ep) > CAIRN_ENDPOINT_MAX)
        ep[CAIRN_ENDPOINT_MAX] = '\0'; /* registered only; never dialled */
    hs_log(h,
           "%s serving the packet forwarder on UDP %s; node %s; location %d, "
           "%d udeg, gain %d cdBi; beacons on %llu Hz%s%s",
           h->addr, ep, cfg->node, (int)cfg->lat_udeg, (int)cfg->lon_udeg,
           (int)cfg->gain_cdbi, (unsigned long long)cfg->freq_hz,
           cfg->dry_run ? "; dry run: no transactions are sent" : "",
           cfg->liar_dir ? "; LIAR RING attack mode (tests only)" : "");
    pd_chain_config cc = {.node = cfg->node,
                          .key = &h->cfg.key,
                          .sector = CAIRN_SECTOR_WIRELESS,
                          .sector_name = "wireless",
                          .endpoint = ep,
                          .stake = cfg->stake,
                          .log = cfg->log,
                          .who = HS_WHO};
    pd_chain_init(&h->chain, &cc);
    int rc = 0, reg = cfg->dry_run ? 0 : 2, said = 0;
    for (unsigned r = 0; !*stop && rc == 0; r++) {
        if (reg == 2 && (reg = registered(h, &said)) == 1)
            rc = 1;
        if (reg == 0) {
            round_(h);
            if (!cfg->dry_run && r % WATCH_EVERY == 0) {
                (void)pd_chain_watch(&h->chain);
                if (h->chain.fatal)
                    rc = 1;
            }
        }
        if (rc == 0)
            nap(cfg->poll_ms, stop);
    }
    status_line(h);
    hs_log(h, "stopping%s",
           h->nreceipts ? " (unclaimed receipts are kept "
                          "for the next start)"
                        : "");
    free_hs(h);
    return rc;
}
