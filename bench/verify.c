/* bench/verify: the checks of verified work (issue 10), each figure beside
 * a limit measured in the same run. Prints; asserts nothing about speed.
 * About a minute on a 2-core machine, most of it the 2048³ recompute.
 *
 * (a) Freivalds' check (one round over F_(2^61-1), error below 2^-60) of
 *     C = A·B for n = 256, 1024, 2048 against recomputing the product
 *     (fv_multiply: a blocked, transposed O(n³) loop, one core), and
 *     against reading A, B and C once (the least any check can do).
 * (b) Ticket verifications per second (decode, Ed25519 signature, the
 *     revealed number against its commitment, the win rule) against raw
 *     Ed25519 verifications per second of the same signed messages.
 * (c) Yuma consensus: bench/verify_yuma.h, included below when present. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cairn/ticket.h"
#include "compute/verify/freivalds.h"

#define CHAIN "bench-verify"
#define TICKETS 20000

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what, cairn_err e)
{
    fprintf(stderr, "bench_verify: %s: %s\n", what, cairn_strerror(e));
    exit(1);
}

/* An n × n matrix of residues below 2^61 - 1 (splitmix64); free m.v. */
static fv_mat mat_new(uint32_t n, uint64_t s)
{
    fv_mat m = {n, n, malloc(sizeof(uint64_t) * n * n)};
    if (!m.v)
        die("matrix", CAIRN_ERR_NOMEM);
    for (size_t i = 0; i < (size_t)n * n; i++) {
        uint64_t z = (s += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        m.v[i] = (z ^ (z >> 31)) % FV_P61;
    }
    return m;
}

/* Seconds to read every entry of a, b and c once (best of 3). */
static double read_time(const fv_mat *a, const fv_mat *b, const fv_mat *c)
{
    const fv_mat *ms[3] = {a, b, c};
    double best = 1e9;
    volatile uint64_t sink = 0;
    for (int rep = 0; rep < 3; rep++) {
        double t0 = now();
        uint64_t x = 0;
        for (int k = 0; k < 3; k++)
            for (size_t i = 0; i < (size_t)ms[k]->rows * ms[k]->cols; i++)
                x ^= ms[k]->v[i];
        sink ^= x;
        double t = now() - t0;
        best = t < best ? t : best;
    }
    (void)sink;
    return best;
}

static void bench_freivalds(uint32_t n)
{
    fv_mat a = mat_new(n, n), b = mat_new(n, 2 * n + 1),
           c = {n, n, malloc(sizeof(uint64_t) * n * n)};
    uint8_t seed[FV_SEED_LEN] = {7};
    fv_verdict v;
    cairn_err e;
    if (!c.v)
        die("matrix", CAIRN_ERR_NOMEM);
    double t0 = now();
    if ((e = fv_multiply(&a, &b, &c, FV_P61)))
        die("multiply", e);
    double mul = now() - t0, check = 1e9;
    for (int rep = 0; rep < 5; rep++) {
        seed[1] = (uint8_t)rep;
        t0 = now();
        if ((e = fv_check(&a, &b, &c, FV_P61, seed, 1, &v)))
            die("check", e);
        double t = now() - t0;
        check = t < check ? t : check;
        if (!v.pass)
            die("an honest product failed the check", CAIRN_ERR_BAD_ARG);
    }
    c.v[(size_t)n * n / 2] ^= 1; /* one wrong entry: caught */
    if ((e = fv_check(&a, &b, &c, FV_P61, seed, 1, &v)) || v.pass)
        die("a wrong entry passed the check", e ? e : CAIRN_ERR_BAD_ARG);
    double rd = read_time(&a, &b, &c);
    printf("  n = %4u: recompute %9.3f s  check %8.3f ms  "
           "recompute/check %7.0fx  check/read(A,B,C) %5.2f\n",
           n, mul, check * 1e3, mul / check, check / rd);
    free(a.v);
    free(b.v);
    free(c.v);
}

/* TICKETS signed tickets, encoded into one array of `stride`-byte slots
 * (lengths in lens), and their signed messages for the raw verify. */
static void make_tickets(uint8_t *enc, size_t *lens, uint8_t *msgs,
                         size_t stride, const uint8_t rand[32])
{
    cairn_keypair s;
    uint8_t seed[CAIRN_SEED_LEN] = {1};
    cairn_keypair_from_seed(&s, seed);
    cairn_ticket t;
    memset(&t, 0, sizeof t);
    if (cairn_ticket_set_chain(&t, CHAIN))
        die("chain id", CAIRN_ERR_BAD_ARG);
    memset(t.recipient.b, 2, sizeof t.recipient.b);
    t.face_value = 1000000;
    t.win_prob = UINT64_MAX / 100;
    t.expiration = 1000;
    cairn_ticket_rand_hash(&t.rand_hash, rand);
    for (size_t i = 0; i < TICKETS; i++) {
        t.nonce = i;
        cairn_err e = cairn_ticket_sign(&t, &s);
        if (e)
            die("sign", e);
        cairn_buf b;
        cairn_buf_init(&b, CAIRN_TICKET_MAX_BYTES);
        cairn_ticket_encode(&b, &t);
        memcpy(enc + i * stride, b.p, b.len);
        lens[i] = b.len;
        memcpy(msgs + i * stride, "cairn-ticket-v1", 15);
        memcpy(msgs + i * stride + 15, b.p, b.len - CAIRN_SIG_LEN);
        cairn_buf_free(&b);
    }
    cairn_keypair_wipe(&s);
}

static void bench_tickets(void)
{
    const size_t stride = 256;
    uint8_t *enc = malloc(TICKETS * stride), *msgs = malloc(TICKETS * stride);
    size_t *lens = malloc(TICKETS * sizeof *lens);
    uint8_t rand[32] = {9};
    if (!enc || !msgs || !lens)
        die("tickets", CAIRN_ERR_NOMEM);
    make_tickets(enc, lens, msgs, stride, rand);
    size_t winners = 0;
    double t0 = now();
    for (size_t i = 0; i < TICKETS; i++) {
        cairn_ticket t;
        cairn_err e = cairn_ticket_decode(&t, enc + i * stride, lens[i]);
        if (!e)
            e = cairn_ticket_verify(&t, CHAIN);
        if (!e)
            e = cairn_ticket_rand_check(&t, rand);
        if (e)
            die("ticket", e);
        winners += cairn_ticket_wins(&t, rand);
    }
    double tv = now() - t0;
    t0 = now();
    for (size_t i = 0; i < TICKETS; i++) {
        cairn_sig sig;
        cairn_pubkey pk;
        memcpy(sig.b, enc + i * stride + lens[i] - CAIRN_SIG_LEN, 64);
        memcpy(pk.b, enc + i * stride + 2 + strlen(CHAIN), 32);
        if (cairn_verify(&sig, msgs + i * stride, 15 + lens[i] - 64, &pk))
            die("raw verify", CAIRN_ERR_BAD_SIG);
    }
    double raw = now() - t0;
    printf("  ticket checks (decode, signature, commitment, win rule): "
           "%8.0f /s  (%zu of %d won)\n",
           TICKETS / tv, winners, TICKETS);
    printf("  raw Ed25519 verifications (same messages):               "
           "%8.0f /s\n",
           TICKETS / raw);
    printf("  ratio ticket checks / raw verifications:                 "
           "%8.3f\n",
           raw / tv);
    free(enc);
    free(msgs);
    free(lens);
}

/* ---- (c) Yuma consensus: the lead includes bench/verify_yuma.h (another
 * piece of issue 10, `static void bench_yuma(void)`) here. ---- */
#if __has_include("verify_yuma.h")
#include "verify_yuma.h"
#define HAVE_BENCH_YUMA 1
#endif

int main(void)
{
    cairn_crypto_init();
    printf("(a) Freivalds' check (1 round over F_(2^61-1)) vs recomputing "
           "C = A·B\n");
    bench_freivalds(256);
    bench_freivalds(1024);
    bench_freivalds(2048);
    printf("(b) lottery tickets, %d tickets of win probability 1/100\n",
           TICKETS);
    bench_tickets();
#ifdef HAVE_BENCH_YUMA
    printf("(c) Yuma consensus\n");
    bench_yuma();
#endif
    return 0;
}
