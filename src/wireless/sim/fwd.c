/* The packet-forwarder side of the simulator: one UDP socket per hotspot,
 * speaking Semtech UDP v2 to the hotspot daemon (docs/wireless-semtech.md):
 * PULL_DATA keepalives, PUSH_DATA with rxpk and stat, TX_ACK for each
 * PULL_RESP, whose txpk goes on the air at its time (world.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "wireless/sim/world.h"

static void send_msg(sim_world *w, size_t h)
{
    size_t n = 0;
    char why[CAIRN_SM_WHY_LEN];
    w->msg.token = ++w->fwd[h].token;
    if (cairn_sm_encode(&w->msg, w->buf, sizeof w->buf, &n, why, sizeof why) !=
        CAIRN_OK) {
        char esc[2 * CAIRN_SM_WHY_LEN];
        sim_esc(why, esc, sizeof esc);
        sim_log(w, 0, "error", "\"hs\":\"%s\",\"reason\":\"encode: %s\"",
                w->sc->hs[h].name, esc);
        return;
    }
    /* ECONNREFUSED: the daemon is not listening (yet); UDP drops it */
    (void)send(w->fwd[h].fd, w->buf, n, MSG_DONTWAIT | MSG_NOSIGNAL);
}

int sim_fwd_open(sim_world *w, uint64_t now_us)
{
    for (size_t h = 0; h < w->sc->n_hs; h++)
        w->fwd[h].fd = -1;
    for (size_t h = 0; h < w->sc->n_hs; h++) {
        sim_fwd *f = &w->fwd[h];
        f->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (f->fd < 0 ||
            connect(f->fd, (const struct sockaddr *)&w->sc->hs[h].addr,
                    sizeof w->sc->hs[h].addr) != 0) {
            fprintf(stderr, "cairn: sim radio: hotspot %s: UDP socket: %s\n",
                    w->sc->hs[h].name, strerror(errno));
            sim_fwd_close(w);
            return -1;
        }
        f->tmst_off = (uint32_t)rm_rng_next(&w->rng);
        f->token = (uint16_t)rm_rng_next(&w->rng);
        f->next_pull_us = now_us;
        f->next_stat_us = now_us + SIM_STAT_US;
    }
    return 0;
}

void sim_fwd_close(sim_world *w)
{
    for (size_t h = 0; h < w->sc->n_hs; h++)
        if (w->fwd[h].fd >= 0) {
            close(w->fwd[h].fd);
            w->fwd[h].fd = -1;
        }
}

static void iso_time(uint64_t us, char *out, size_t cap)
{
    time_t s = (time_t)(us / 1000000);
    struct tm tm;
    gmtime_r(&s, &tm);
    strftime(out, cap, "%Y-%m-%d %H:%M:%S GMT", &tm);
}

static void send_stat(sim_world *w, size_t h, uint64_t now_us)
{
    sim_fwd *f = &w->fwd[h];
    cairn_sm_msg *m = &w->msg;
    memset(m, 0, sizeof *m);
    m->type = CAIRN_SM_PUSH_DATA;
    memcpy(m->eui, w->sc->hs[h].eui, 8);
    m->has_stat = true;
    m->stat.has_time = true;
    iso_time(now_us, m->stat.time, sizeof m->stat.time);
    m->stat.has_gps = true; /* the radio's GPS: its TRUE position */
    m->stat.lat_e7 = w->sc->hs[h].lat * 10;
    m->stat.lon_e7 = w->sc->hs[h].lon * 10;
    m->stat.rxnb = f->rxnb;
    m->stat.rxok = f->rxok;
    m->stat.rxfw = f->rxfw;
    m->stat.dwnb = f->dwnb;
    m->stat.txnb = f->txnb;
    m->stat.ackr_cpct =
        f->push_sent ? (uint32_t)(f->push_acked * 10000 / f->push_sent) : 0;
    if (m->stat.ackr_cpct > 10000)
        m->stat.ackr_cpct = 10000;
    f->push_sent++;
    send_msg(w, h);
}

uint64_t sim_fwd_tick(sim_world *w, uint64_t now_us)
{
    uint64_t next = UINT64_MAX;
    for (size_t h = 0; h < w->sc->n_hs; h++) {
        sim_fwd *f = &w->fwd[h];
        if (now_us >= f->next_pull_us) {
            memset(&w->msg, 0, sizeof w->msg);
            w->msg.type = CAIRN_SM_PULL_DATA;
            memcpy(w->msg.eui, w->sc->hs[h].eui, 8);
            f->pull_sent++;
            send_msg(w, h);
            f->next_pull_us = now_us + SIM_PULL_US;
        }
        if (now_us >= f->next_stat_us) {
            send_stat(w, h, now_us);
            f->next_stat_us = now_us + SIM_STAT_US;
        }
        if (f->next_pull_us < next)
            next = f->next_pull_us;
        if (f->next_stat_us < next)
            next = f->next_stat_us;
    }
    return next;
}

void sim_fwd_push_rx(sim_world *w, size_t h, const cairn_sm_rxpk *rx)
{
    sim_fwd *f = &w->fwd[h];
    cairn_sm_msg *m = &w->msg;
    m->type = CAIRN_SM_PUSH_DATA;
    memcpy(m->eui, w->sc->hs[h].eui, 8);
    m->has_stat = false;
    m->n_rxpk = 1;
    m->rxpk[0] = *rx;
    f->rxnb++;
    f->rxok++;
    f->rxfw++;
    f->push_sent++;
    send_msg(w, h);
}

static void send_txack(sim_world *w, size_t h, uint16_t token, cairn_sm_txerr e)
{
    cairn_sm_msg *m = &w->msg;
    memset(m, 0, sizeof *m);
    m->type = CAIRN_SM_TX_ACK;
    memcpy(m->eui, w->sc->hs[h].eui, 8);
    m->has_txack_json = true;
    m->txerr = e;
    uint16_t keep = w->fwd[h].token;
    w->fwd[h].token = (uint16_t)(token - 1); /* send_msg adds one */
    send_msg(w, h);
    w->fwd[h].token = keep;
}

/* A PULL_RESP: schedules its txpk and answers TX_ACK. */
static void pull_resp(sim_world *w, size_t h, uint64_t now_us)
{
    const cairn_sm_txpk *p = &w->msg.txpk;
    const sim_hotspot_cfg *hc = &w->sc->hs[h];
    uint16_t token = w->msg.token;
    w->fwd[h].dwnb++;
    uint64_t at = now_us;
    const char *timing = "imme";
    if (!p->imme && p->has_tmms) {
        at = cairn_sm_gps_to_unix_ms(p->tmms) * 1000;
        timing = "tmms";
    } else if (!p->imme && p->has_tmst) {
        int32_t delta =
            (int32_t)(p->tmst - (uint32_t)(now_us + w->fwd[h].tmst_off));
        at = (uint64_t)((int64_t)now_us + delta);
        timing = "tmst";
    }
    cairn_sm_txerr e = CAIRN_SM_TXE_NONE;
    if (at + SIM_LATE_US < now_us)
        e = CAIRN_SM_TXE_TOO_LATE;
    else if (at > now_us + SIM_EARLY_US)
        e = CAIRN_SM_TXE_TOO_EARLY;
    else if (w->nq >= SIM_QUEUE_MAX)
        e = CAIRN_SM_TXE_COLLISION_PACKET;
    sim_log(w, now_us, "txpk",
            "\"hs\":\"%s\",\"timing\":\"%s\",\"at_ms\":%llu,\"ahead_ms\":%lld,"
            "\"size\":%u,\"result\":\"%s\"",
            hc->name, timing, (unsigned long long)(at / 1000),
            (long long)((int64_t)at - (int64_t)now_us) / 1000, p->size,
            cairn_sm_txerr_name(e));
    if (e == CAIRN_SM_TXE_NONE) {
        sim_tx t;
        memset(&t, 0, sizeof t);
        t.at_us = at < now_us ? now_us : at;
        t.src = SIM_SRC_HOTSPOT;
        t.src_idx = (uint16_t)h;
        t.lat = hc->lat;
        t.lon = hc->lon;
        t.power_dbm = p->has_powe ? p->powe : w->sc->model.tx_power_dbm;
        t.gain_dbi = hc->gain_dbi;
        t.freq_hz = p->freq_hz;
        t.rate = p->rate;
        t.ipol = p->ipol;
        t.size = p->size;
        memcpy(t.data, p->data, p->size);
        if (sim_air_queue(w, &t))
            w->fwd[h].txnb++;
    } else {
        w->n.late++;
    }
    send_txack(w, h, token, e);
}

void sim_fwd_read(sim_world *w, size_t h, uint64_t now_us)
{
    sim_fwd *f = &w->fwd[h];
    for (int i = 0; i < 64; i++) {
        ssize_t n = recv(f->fd, w->buf, sizeof w->buf, MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EINTR || errno == ECONNREFUSED)
                continue; /* ICMP from a daemon not up yet */
            return;
        }
        char why[CAIRN_SM_WHY_LEN];
        if (cairn_sm_decode(&w->msg, w->buf, (size_t)n, why, sizeof why) !=
            CAIRN_OK) {
            char esc[2 * CAIRN_SM_WHY_LEN];
            sim_esc(why, esc, sizeof esc);
            w->n.bad_datagrams++;
            sim_log(w, now_us, "bad_datagram",
                    "\"hs\":\"%s\",\"bytes\":%zd,\"reason\":\"%s\"",
                    w->sc->hs[h].name, n, esc);
            continue;
        }
        switch (w->msg.type) {
        case CAIRN_SM_PUSH_ACK:
            f->push_acked++;
            break;
        case CAIRN_SM_PULL_ACK:
            f->pull_acked++;
            break;
        case CAIRN_SM_PULL_RESP:
            pull_resp(w, h, now_us);
            break;
        default:
            w->n.bad_datagrams++;
            sim_log(w, now_us, "bad_datagram",
                    "\"hs\":\"%s\",\"reason\":\"unexpected %s from the "
                    "server\"",
                    w->sc->hs[h].name, cairn_sm_type_name(w->msg.type));
        }
    }
}
