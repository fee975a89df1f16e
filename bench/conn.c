/* bench/conn: throughput of the provider<->client transport (cairn/conn.h)
 * sending 64 MiB in 1 MiB messages over loopback, against the physical
 * limit measured in the same process: raw crypto_secretstream encryption
 * (push) and encryption plus decryption (push + pull) of the same bytes in
 * memory. The channel's sender and receiver run on two threads, so its
 * ideal is about the push rate. Prints figures and ratios; asserts nothing
 * about speed. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "cairn/conn.h"

#define MSG (1u << 20)
#define TOTAL (64u << 20)
#define N (TOTAL / MSG)
#define T_MS 60000

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void die(const char *what, cairn_err e)
{
    fprintf(stderr, "bench: %s: %s\n", what, cairn_strerror(e));
    exit(1);
}

typedef struct sender {
    int port;
    cairn_keypair me;
    cairn_pubkey server;
    uint8_t *buf;
} sender;

static void *send_main(void *arg)
{
    sender *s = arg;
    cairn_conn *c = NULL;
    cairn_err e =
        cairn_conn_dial(&c, "127.0.0.1", s->port, &s->me, &s->server, T_MS);
    if (e)
        die("dial", e);
    for (unsigned i = 0; i < N; i++)
        if ((e = cairn_conn_send(c, 1, s->buf, MSG, T_MS)))
            die("send", e);
    if ((e = cairn_conn_finish(c, T_MS)))
        die("finish", e);
    /* wait for the receiver's end before closing */
    uint8_t t, *p = NULL;
    size_t n;
    if (cairn_conn_recv(c, &t, &p, &n, 0, T_MS) != CAIRN_ERR_CLOSED)
        die("end", CAIRN_ERR_BAD_ARG);
    cairn_conn_close(c);
    return NULL;
}

/* MiB/s of 64 MiB through the channel, handshake excluded. */
static double channel_rate(uint8_t *buf)
{
    sender s = {.buf = buf};
    cairn_keypair server;
    cairn_conn *c = NULL;
    int lfd = -1;
    pthread_t th;
    cairn_keypair_generate(&s.me);
    cairn_keypair_generate(&server);
    s.server = server.pk;
    cairn_err e = cairn_listen("127.0.0.1", 0, &lfd);
    if (e)
        die("listen", e);
    s.port = cairn_listen_port(lfd);
    pthread_create(&th, NULL, send_main, &s);
    if ((e = cairn_conn_accept(&c, lfd, &server, T_MS)))
        die("accept", e);
    double t0 = now();
    size_t got = 0;
    for (;;) {
        uint8_t type, *p = NULL;
        size_t n = 0;
        e = cairn_conn_recv(c, &type, &p, &n, MSG, T_MS);
        if (e == CAIRN_ERR_CLOSED)
            break;
        if (e)
            die("recv", e);
        got += n;
        free(p);
    }
    double dt = now() - t0;
    if (got != TOTAL)
        die("short transfer", CAIRN_ERR_TRUNCATED);
    if ((e = cairn_conn_finish(c, T_MS)))
        die("finish", e);
    pthread_join(th, NULL);
    cairn_conn_close(c);
    close(lfd);
    return TOTAL / dt / (1 << 20);
}

/* MiB/s of raw secretstream push (and, with pull, push then pull). */
static double raw_rate(const uint8_t *buf, int pull)
{
    uint8_t key[32], hdr[crypto_secretstream_xchacha20poly1305_HEADERBYTES];
    crypto_secretstream_xchacha20poly1305_state tx, rx;
    size_t clen = MSG + crypto_secretstream_xchacha20poly1305_ABYTES;
    uint8_t *ct = malloc(clen), *pt = malloc(MSG);
    randombytes_buf(key, sizeof key);
    crypto_secretstream_xchacha20poly1305_init_push(&tx, hdr, key);
    crypto_secretstream_xchacha20poly1305_init_pull(&rx, hdr, key);
    double t0 = now();
    for (unsigned i = 0; i < N; i++) {
        crypto_secretstream_xchacha20poly1305_push(&tx, ct, NULL, buf, MSG,
                                                   NULL, 0, 0);
        if (pull && crypto_secretstream_xchacha20poly1305_pull(
                        &rx, pt, NULL, NULL, ct, clen, NULL, 0) != 0)
            die("pull", CAIRN_ERR_BAD_MAC);
    }
    double dt = now() - t0;
    free(ct);
    free(pt);
    return TOTAL / dt / (1 << 20);
}

int main(void)
{
    cairn_crypto_init();
    uint8_t *buf = malloc(MSG);
    randombytes_buf(buf, MSG);
    double push = raw_rate(buf, 0), both = raw_rate(buf, 1);
    double chan = channel_rate(buf);
    printf("transport: %u MiB in %u MiB messages over 127.0.0.1\n", TOTAL >> 20,
           MSG >> 20);
    printf("  raw secretstream push          %8.0f MiB/s\n", push);
    printf("  raw secretstream push+pull     %8.0f MiB/s\n", both);
    printf("  cairn_conn send->recv          %8.0f MiB/s\n", chan);
    printf(
        "  ratio channel / raw push       %8.2f  (sender and receiver on two threads)\n",
        chan / push);
    printf("  ratio channel / raw push+pull  %8.2f  (one core doing both)\n",
           chan / both);
    free(buf);
    return 0;
}
