/* The simulator's event log: one JSON object per line (world.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "wireless/sim/world.h"

void sim_log(sim_world *w, uint64_t now_us, const char *ev, const char *fmt,
             ...)
{
    if (!w->log)
        return;
    if (now_us == 0) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        now_us = (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
    }
    fprintf(w->log, "{\"t_ms\":%llu,\"ev\":\"%s\"",
            (unsigned long long)(now_us / 1000), ev);
    if (fmt[0]) {
        va_list ap;
        va_start(ap, fmt);
        fputc(',', w->log);
        vfprintf(w->log, fmt, ap);
        va_end(ap);
    }
    fputs("}\n", w->log);
    fflush(w->log);
}

void sim_src_name(const sim_world *w, sim_src s, size_t idx, char *out,
                  size_t cap)
{
    switch (s) {
    case SIM_SRC_HOTSPOT:
        snprintf(out, cap, "hs:%s", w->sc->hs[idx].name);
        break;
    case SIM_SRC_DEVICE:
        snprintf(out, cap, "dev:%s", w->sc->dev[idx].name);
        break;
    default:
        snprintf(out, cap, "rep:%zu", idx);
    }
}

void sim_esc(const char *s, char *out, size_t cap)
{
    size_t o = 0;
    for (; *s && o + 7 < cap; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            out[o++] = '\\';
            out[o++] = (char)c;
        } else if (c < 0x20 || c >= 0x7f) {
            o += (size_t)snprintf(out + o, cap - o, "\\u%04x", c);
        } else {
            out[o++] = (char)c;
        }
    }
    if (cap)
        out[o < cap ? o : cap - 1] = '\0';
}

void sim_hex(const uint8_t *p, size_t n, char *out)
{
    static const char d[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = d[p[i] >> 4];
        out[2 * i + 1] = d[p[i] & 15];
    }
    out[2 * n] = '\0';
}
