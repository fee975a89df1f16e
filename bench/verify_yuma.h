/* bench/verify (Yuma): one epoch of Yuma consensus (sectors/compute/yuma.h)
 * for 256 validators × 4096 miners, weights and previous bonds random from
 * a fixed seed, against the time to read the weights once (one pass
 * summing the 1M u16 entries of the matrix, in memory). Header-only:
 * bench/verify.c includes it and calls bench_yuma(). Median of BY_RUNS
 * runs each, interleaved. Prints; asserts nothing about speed.
 *
 * What the ratio means: Yuma must read the weights more than once (row
 * sums, the consensus gather, ranks, the bonds' two passes), read and
 * write the bonds (as large as the weights), and do a few multiplies per
 * entry; the reading pass is the floor any epoch pays. */
#ifndef CAIRN_BENCH_VERIFY_YUMA_H
#define CAIRN_BENCH_VERIFY_YUMA_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "sectors/compute/yuma.h"

#define BY_N 256u
#define BY_M 4096u
#define BY_RUNS 21

static double by_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static uint64_t by_mix(uint64_t *s) /* splitmix64 */
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static int by_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double by_median(double *v)
{
    qsort(v, BY_RUNS, sizeof *v, by_cmp);
    return v[BY_RUNS / 2];
}

static void bench_yuma(void)
{
    size_t cells = (size_t)BY_N * BY_M;
    uint64_t seed = 0x59554D41, *stake = malloc(BY_N * sizeof *stake);
    uint16_t *w = malloc(cells * sizeof *w), *b = malloc(cells * sizeof *b);
    double ty[BY_RUNS], tr[BY_RUNS];
    volatile uint64_t sink = 0;
    if (!stake || !w || !b) {
        fprintf(stderr, "bench_yuma: out of memory\n");
        exit(1);
    }
    for (uint32_t i = 0; i < BY_N; i++)
        stake[i] = 1000000 + by_mix(&seed) % 1000000000000ull;
    for (size_t k = 0; k < cells; k++) {
        w[k] = by_mix(&seed) % 4 ? (uint16_t)by_mix(&seed) : 0;
        b[k] = (uint16_t)by_mix(&seed);
    }
    yuma_in in = {BY_N,
                  BY_M,
                  stake,
                  w,
                  b,
                  YUMA_KAPPA_DEFAULT,
                  YUMA_ALPHA_DEFAULT,
                  1000000000000ull,
                  YUMA_OWNER_BPS_DEFAULT};
    for (int r = 0; r < BY_RUNS; r++) {
        double t0 = by_now();
        uint64_t s = 0;
        for (size_t k = 0; k < cells; k++)
            s += w[k];
        sink += s;
        double t1 = by_now();
        yuma_out o;
        if (yuma_run(&in, &o) != CAIRN_OK) {
            fprintf(stderr, "bench_yuma: yuma_run failed\n");
            exit(1);
        }
        tr[r] = t1 - t0;
        ty[r] = by_now() - t1;
        sink += o.owner;
        yuma_out_free(&o);
    }
    double y = by_median(ty), rd = by_median(tr);
    printf("yuma %u validators x %u miners: epoch %.3f ms, reading the "
           "weights %.3f ms, ratio %.1fx (aim <= 2x)\n",
           BY_N, BY_M, y * 1e3, rd * 1e3, y / rd);
    free(stake);
    free(w);
    free(b);
    (void)sink;
}

#endif
