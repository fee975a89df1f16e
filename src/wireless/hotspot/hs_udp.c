/* The hotspot's radio side (hs.h): the server end of the Semtech UDP
 * packet-forwarder protocol (docs/wireless-semtech.md). One thread reads
 * the socket: PUSH_DATA is acked with PUSH_ACK and its packets queued for
 * the chain thread, PULL_DATA is acked with PULL_ACK and its source kept
 * as the gateway's downlink address, TX_ACK is counted (an error logged).
 * Malformed datagrams, gateways beyond HS_MAX_GW and a full queue are
 * dropped with rate-limited log lines; nothing a datagram holds can grow
 * memory. */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "wireless/hotspot/hs.h"

#define POLL_SLICE_MS 200
#define GW_IDLE_MS 600000 /* a gateway silent this long may be replaced */
#define RECV_BUF 65536

static void ip_text(const struct sockaddr_storage *a, char *out, size_t len)
{
    char host[64] = "?", serv[16] = "?";
    getnameinfo((const struct sockaddr *)a, sizeof *a, host, sizeof host, serv,
                sizeof serv, NI_NUMERICHOST | NI_NUMERICSERV);
    snprintf(out, len, "%s:%s", host, serv);
}

static void eui_text(const uint8_t eui[CAIRN_SM_EUI_LEN], char out[17])
{
    cairn_hex_encode(out, eui, CAIRN_SM_EUI_LEN);
}

/* The gateway of eui, added when there is room (mu held); NULL: full. */
static hs_gw *gateway(hs *h, const uint8_t eui[CAIRN_SM_EUI_LEN], int64_t now)
{
    hs_gw *idle = NULL;
    for (int i = 0; i < h->ngw; i++) {
        if (memcmp(h->gw[i].eui, eui, CAIRN_SM_EUI_LEN) == 0)
            return &h->gw[i];
        if (now - h->gw[i].seen_ms > GW_IDLE_MS)
            idle = &h->gw[i];
    }
    hs_gw *g = h->ngw < HS_MAX_GW ? &h->gw[h->ngw++] : idle;
    if (!g)
        return NULL;
    memset(g, 0, sizeof *g);
    memcpy(g->eui, eui, CAIRN_SM_EUI_LEN);
    return g;
}

static void queue_rx(hs *h, const cairn_sm_rxpk *pk, uint64_t now)
{
    if (h->inq_n == HS_INQ) {
        h->inq_full++;
        log_limited(&h->lim_bad, h->cfg.log, HS_WHO,
                    "dropped a received packet: %d are waiting for the chain "
                    "thread already",
                    HS_INQ);
        return;
    }
    hs_rx *r = &h->inq[(h->inq_head + h->inq_n++) % HS_INQ];
    r->pk = *pk;
    r->rx_ms = now;
}

static void send_ack(hs *h, const cairn_sm_msg *m,
                     const struct sockaddr_storage *from, socklen_t flen)
{
    uint8_t ack[CAIRN_SM_HDR_LEN];
    if (cairn_sm_ack(m, ack) == CAIRN_OK)
        (void)sendto(h->fd, ack, sizeof ack, 0, (const struct sockaddr *)from,
                     flen);
}

/* One decoded datagram from a known (or newly admitted) gateway. */
static void handle(hs *h, const cairn_sm_msg *m,
                   const struct sockaddr_storage *from, socklen_t flen)
{
    char who[80], eui[17];
    int64_t now = log_now_ms();
    if (m->type != CAIRN_SM_PUSH_DATA && m->type != CAIRN_SM_PULL_DATA &&
        m->type != CAIRN_SM_TX_ACK) {
        ip_text(from, who, sizeof who);
        log_limited(&h->lim_bad, h->cfg.log, HS_WHO,
                    "dropped a %s from %s: a server does not take it",
                    cairn_sm_type_name(m->type), who);
        h->udp_bad++;
        return;
    }
    pthread_mutex_lock(&h->mu);
    hs_gw *g = gateway(h, m->eui, now);
    if (!g) {
        h->udp_other_gw++;
        pthread_mutex_unlock(&h->mu);
        ip_text(from, who, sizeof who);
        eui_text(m->eui, eui);
        log_limited(&h->lim_gw, h->cfg.log, HS_WHO,
                    "dropped a %s from gateway %s at %s: this hotspot "
                    "serves %d gateways already",
                    cairn_sm_type_name(m->type), eui, who, HS_MAX_GW);
        return;
    }
    g->seen_ms = now;
    if (m->type == CAIRN_SM_PUSH_DATA) {
        uint64_t t = hs_now_ms();
        for (size_t i = 0; i < m->n_rxpk; i++)
            if (m->rxpk[i].stat != -1) /* CRC failed: not a packet */
                queue_rx(h, &m->rxpk[i], t);
    } else if (m->type == CAIRN_SM_PULL_DATA) {
        g->has_pull = 1;
        g->pull = *from;
        g->pull_len = flen;
        g->pull_at_ms = now;
    } else {
        h->tx_acks++;
        if (m->has_txack_json && m->txerr != CAIRN_SM_TXE_NONE)
            h->tx_errs++;
        if (m->has_txack_json && m->txerr == CAIRN_SM_TXE_GPS_UNLOCKED)
            h->no_gps = 1;
    }
    pthread_mutex_unlock(&h->mu);
    if (m->type == CAIRN_SM_TX_ACK && m->has_txack_json &&
        m->txerr != CAIRN_SM_TXE_NONE) {
        eui_text(m->eui, eui);
        log_limited(&h->lim_gw, h->cfg.log, HS_WHO,
                    "gateway %s did not transmit: %s", eui,
                    cairn_sm_txerr_name(m->txerr));
    }
    send_ack(h, m, from, flen);
}

static void datagram(hs *h, cairn_sm_msg *m, const uint8_t *buf, size_t n,
                     const struct sockaddr_storage *from, socklen_t flen)
{
    char why[CAIRN_SM_WHY_LEN] = "", who[80];
    cairn_err e = cairn_sm_decode(m, buf, n, why, sizeof why);
    if (e) {
        ip_text(from, who, sizeof who);
        h->udp_bad++;
        log_limited(&h->lim_bad, h->cfg.log, HS_WHO,
                    "dropped a datagram of %zu bytes from %s: %s (%s)", n, who,
                    why, cairn_strerror(e));
        return;
    }
    handle(h, m, from, flen);
}

static void *udp_loop(void *arg)
{
    hs *h = arg;
    uint8_t *buf = malloc(RECV_BUF);
    cairn_sm_msg *m = malloc(sizeof *m);
    while (buf && m && !h->udp_quit) {
        struct pollfd pf = {.fd = h->fd, .events = POLLIN};
        if (poll(&pf, 1, POLL_SLICE_MS) <= 0)
            continue;
        struct sockaddr_storage from;
        socklen_t flen = sizeof from;
        ssize_t n = recvfrom(h->fd, buf, RECV_BUF, MSG_TRUNC,
                             (struct sockaddr *)&from, &flen);
        if (n < 0)
            continue; /* EINTR, EAGAIN, an ICMP error of an earlier send */
        if ((size_t)n > RECV_BUF)
            n = RECV_BUF; /* cut by the kernel: decode refuses it as too large
                           */
        datagram(h, m, buf, (size_t)n, &from, flen);
    }
    if (!buf || !m)
        log_line(h->cfg.log, HS_WHO, "out of memory for the radio thread");
    free(buf);
    free(m);
    return NULL;
}

cairn_err hs_udp_start(hs *h, char *msg, size_t len)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC,
                             .ai_socktype = SOCK_DGRAM,
                             .ai_flags = AI_PASSIVE | AI_NUMERICSERV},
                    *ai = NULL;
    char port[16];
    snprintf(port, sizeof port, "%d", h->cfg.fwd_port);
    int rc = getaddrinfo(h->cfg.fwd_host, port, &hints, &ai);
    if (rc != 0 || !ai) {
        snprintf(msg, len, "--forwarder %s:%d: %s", h->cfg.fwd_host,
                 h->cfg.fwd_port, gai_strerror(rc));
        return CAIRN_ERR_BAD_ARG;
    }
    h->fd = socket(ai->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (h->fd < 0 || bind(h->fd, ai->ai_addr, ai->ai_addrlen) != 0) {
        int err = errno;
        snprintf(msg, len,
                 "cannot bind UDP %s:%d for the packet forwarder: %s%s",
                 h->cfg.fwd_host, h->cfg.fwd_port, strerror(err),
                 err == EADDRINUSE ? " (another program serves that port; "
                                     "give another --forwarder)"
                                   : "");
        freeaddrinfo(ai);
        if (h->fd >= 0)
            close(h->fd);
        h->fd = -1;
        return err == EADDRINUSE ? CAIRN_ERR_ADDR_IN_USE : CAIRN_ERR_IO;
    }
    freeaddrinfo(ai);
    struct sockaddr_storage me;
    socklen_t mlen = sizeof me;
    getsockname(h->fd, (struct sockaddr *)&me, &mlen);
    h->port =
        ntohs(me.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&me)->sin6_port
                                       : ((struct sockaddr_in *)&me)->sin_port);
    h->udp_quit = 0;
    if (pthread_create(&h->udp_thread, NULL, udp_loop, h) != 0) {
        snprintf(msg, len, "cannot start the radio thread");
        close(h->fd);
        h->fd = -1;
        return CAIRN_ERR_NOMEM;
    }
    h->udp_started = 1;
    return CAIRN_OK;
}

void hs_udp_stop(hs *h)
{
    if (h->udp_started) {
        h->udp_quit = 1;
        pthread_join(h->udp_thread, NULL);
        h->udp_started = 0;
    }
    if (h->fd >= 0)
        close(h->fd);
    h->fd = -1;
}

cairn_err hs_udp_send(hs *h, const cairn_sm_txpk *tx)
{
    static cairn_sm_msg m; /* chain thread only */
    uint8_t out[1024];
    size_t n;
    char why[CAIRN_SM_WHY_LEN];
    struct sockaddr_storage to;
    socklen_t tlen = 0;
    memset(&m, 0, sizeof m);
    m.type = CAIRN_SM_PULL_RESP;
    m.token = (uint16_t)randombytes_uniform(65536);
    m.txpk = *tx;
    cairn_err e = cairn_sm_encode(&m, out, sizeof out, &n, why, sizeof why);
    if (e) {
        hs_log(h, "cannot encode a txpk: %s", why);
        return e;
    }
    pthread_mutex_lock(&h->mu);
    int64_t best = -1;
    for (int i = 0; i < h->ngw; i++)
        if (h->gw[i].has_pull && h->gw[i].pull_at_ms > best) {
            best = h->gw[i].pull_at_ms;
            to = h->gw[i].pull;
            tlen = h->gw[i].pull_len;
        }
    pthread_mutex_unlock(&h->mu);
    if (best < 0)
        return CAIRN_ERR_NOT_READY;
    if (sendto(h->fd, out, n, 0, (struct sockaddr *)&to, tlen) != (ssize_t)n)
        return CAIRN_ERR_IO;
    return CAIRN_OK;
}

size_t hs_udp_take(hs *h, hs_rx *out, size_t max)
{
    size_t k = 0;
    pthread_mutex_lock(&h->mu);
    while (k < max && h->inq_n > 0) {
        out[k++] = h->inq[h->inq_head];
        h->inq_head = (h->inq_head + 1) % HS_INQ;
        h->inq_n--;
    }
    pthread_mutex_unlock(&h->mu);
    return k;
}
