/* Generating a scenario (scenario_gen.h). */
#include "wireless/sim/scenario_gen.h"

#include <sodium.h>
#include <stdarg.h>
#include <string.h>

#include "wireless/sim/scenario.h"

#define M_PER_DEG 111194.93 /* pi * 6371008.8 / 180 */
#define SQRT3 1.7320508075688772
#define PI 3.141592653589793

void sim_gen_defaults(sim_gen_opts *o)
{
    *o = (sim_gen_opts){.hotspots = 12,
                        .base_port = 1700,
                        .lat = 45.0,
                        .lon = 7.0,
                        .spacing_m = 2000,
                        .liar_offset_m = 30000,
                        .devices = 3,
                        .join_eui = 0x00000000CA1A0001ULL,
                        .devaddr_base = 0x26000000,
                        .every_ms = 60000,
                        .replayer_delay_ms = 2000,
                        .seed = 1};
}

/* cos(x) for |x| <= pi/2 by its series to x^12 (error < 1e-9): no libm. */
static double cos_(double x)
{
    double x2 = x * x, term = 1, sum = 1;
    for (int k = 1; k <= 7; k++) {
        term *= -x2 / ((2.0 * k - 1) * (2.0 * k));
        sum += term;
    }
    return sum;
}

/* The i-th cell of a hexagonal spiral (0: centre, 1..6: ring 1, ...), in
 * axial coordinates. */
static void spiral(size_t i, int *q, int *r)
{
    static const int dq[6] = {1, 1, 0, -1, -1, 0}, dr[6] = {0, -1, -1, 0, 1, 1};
    *q = *r = 0;
    if (i == 0)
        return;
    size_t n = 1;
    for (int k = 1;; k++) {
        int cq = -k, cr = k; /* k steps in direction 4 */
        for (int d = 0; d < 6; d++)
            for (int j = 0; j < k; j++) {
                if (n++ == i) {
                    *q = cq;
                    *r = cr;
                    return;
                }
                cq += dq[d];
                cr += dr[d];
            }
    }
}

static void key_of(const sim_gen_opts *o, const char *what, size_t i,
                   uint8_t out[16])
{
    uint8_t in[8 + 4];
    for (int k = 0; k < 8; k++)
        in[k] = (uint8_t)(o->seed >> (8 * k));
    for (int k = 0; k < 4; k++)
        in[8 + k] = (uint8_t)((uint32_t)i >> (8 * k));
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, 16);
    crypto_generichash_update(&st, (const uint8_t *)what, strlen(what));
    crypto_generichash_update(&st, in, sizeof in);
    crypto_generichash_final(&st, out, 16);
}

static void hex16(const uint8_t k[16], char out[33])
{
    static const char d[] = "0123456789abcdef";
    for (int i = 0; i < 16; i++) {
        out[2 * i] = d[k[i] >> 4];
        out[2 * i + 1] = d[k[i] & 15];
    }
    out[32] = '\0';
}

__attribute__((format(printf, 3, 4))) static int bad(char *why, size_t len,
                                                     const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (why && len)
        vsnprintf(why, len, fmt, ap);
    va_end(ap);
    return -1;
}

int sim_gen_write(FILE *out, const sim_gen_opts *o, char *why, size_t why_len)
{
    if (o->hotspots < 1 || o->hotspots > SIM_MAX_HOTSPOTS)
        return bad(why, why_len, "--hotspots: 1 to %d", SIM_MAX_HOTSPOTS);
    if ((size_t)o->base_port + o->hotspots - 1 > 65535 || o->base_port == 0)
        return bad(why, why_len, "--base-port: %u + %zu hotspots passes 65535",
                   o->base_port, o->hotspots);
    if (!(o->lat >= -80 && o->lat <= 80 && o->lon >= -179 && o->lon <= 179))
        return bad(why, why_len,
                   "--lat/--lon: the centre must lie within "
                   "+-80 and +-179 degrees");
    if (!(o->spacing_m >= 100 && o->spacing_m <= 50000))
        return bad(why, why_len, "--spacing-m: 100 to 50000");
    if (o->has_liar && o->liar >= o->hotspots)
        return bad(why, why_len, "--liar: %zu is not a hotspot (0..%zu)",
                   o->liar, o->hotspots - 1);
    if (!(o->liar_offset_m >= 0 && o->liar_offset_m <= 500000))
        return bad(why, why_len, "--liar-offset-m: 0 to 500000");
    if (o->devices + o->otaa > SIM_MAX_DEVICES)
        return bad(why, why_len, "--devices + --otaa: at most %d",
                   SIM_MAX_DEVICES);
    if (o->every_ms < 100 || o->every_ms > 86400000)
        return bad(why, why_len, "--every-ms: 100 to 86400000");
    if (o->replayer_delay_ms > 600000)
        return bad(why, why_len, "--replayer-delay-ms: at most 600000");
    double m_per_deg_lon = M_PER_DEG * cos_(o->lat * PI / 180);
    fprintf(out, "{\n \"seed\": %llu,\n \"hotspots\": [",
            (unsigned long long)o->seed);
    for (size_t i = 0; i < o->hotspots; i++) {
        int q, r;
        spiral(i, &q, &r);
        double x = o->spacing_m * (q + r / 2.0),
               y = o->spacing_m * r * SQRT3 / 2;
        double lat = o->lat + y / M_PER_DEG, lon = o->lon + x / m_per_deg_lon;
        fprintf(out,
                "%s\n  {\"name\": \"h%zu\", \"forwarder\": \"127.0.0.1:%zu\", "
                "\"eui\": \"%016llx\", \"lat\": %.6f, \"lon\": %.6f, "
                "\"gain_dbi\": 1.2",
                i ? "," : "", i, (size_t)o->base_port + i,
                (unsigned long long)(0xCA150000ULL + i), lat, lon);
        if (o->has_liar && o->liar == i)
            fprintf(out, ", \"asserted_lat\": %.6f, \"asserted_lon\": %.6f",
                    lat + o->liar_offset_m / M_PER_DEG, lon);
        fputc('}', out);
    }
    fputs("\n ],\n \"devices\": [", out);
    for (size_t i = 0; i < o->devices + o->otaa; i++) {
        int q, r;
        spiral(i + 1, &q, &r); /* around the centre, half a spacing out */
        double x = o->spacing_m * (q + r / 2.0) / 2,
               y = o->spacing_m * r * SQRT3 / 4;
        uint8_t k[16];
        char kh[33];
        fprintf(out,
                "%s\n  {\"name\": \"d%zu\", \"lat\": %.6f, \"lon\": %.6f, "
                "\"every_ms\": %llu, \"size\": 12, ",
                i ? "," : "", i, o->lat + y / M_PER_DEG,
                o->lon + x / m_per_deg_lon, (unsigned long long)o->every_ms);
        if (i < o->devices) {
            key_of(o, "cairn/sim/nwk_skey", i, k);
            hex16(k, kh);
            fprintf(out, "\"dev_addr\": \"%08x\", \"nwk_skey\": \"%s\"}",
                    (unsigned)(o->devaddr_base + (uint32_t)i), kh);
        } else {
            key_of(o, "cairn/sim/app_key", i, k);
            hex16(k, kh);
            fprintf(out,
                    "\"dev_eui\": \"%016llx\", \"join_eui\": \"%016llx\", "
                    "\"app_key\": \"%s\"}",
                    (unsigned long long)(0xDE0000000000ULL + i),
                    (unsigned long long)o->join_eui, kh);
        }
    }
    fputs("\n ]", out);
    if (o->has_replayer)
        fprintf(out,
                ",\n \"replayers\": [{\"lat\": %.6f, \"lon\": %.6f, "
                "\"delay_ms\": %llu}]",
                o->lat + o->spacing_m / 3 / M_PER_DEG, o->lon,
                (unsigned long long)o->replayer_delay_ms);
    fputs("\n}\n", out);
    return 0;
}
