/* Recorded drives and gpsd behind one reading source (source.h). */
#include <errno.h>
#include <gps.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cairn/parse.h"
#include "sensor/source/source.h"

struct ssrc {
    int gpsd;
    ssrc_opts o;
    /* drive */
    sbatch_reading *r;
    uint32_t n, i;
    uint64_t base;    /* output time of the pass's first reading */
    uint64_t wall0;   /* monotonic ms when the pass began */
    uint64_t last_ms; /* last output time */
    uint32_t pass;    /* restarts of a looped drive */
    /* gpsd */
    struct gps_data_t g;
    int open;
    uint64_t gps_last;
    int warned;
};

static uint64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static uint64_t real_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* A recorded offset (ms) as replay time at the drive's pace. */
static uint64_t paced(const ssrc *s, uint64_t off)
{
    return s->o.speed_pm ? off * 1000u / s->o.speed_pm : off;
}

/* clock_phase: starts the pass at the reading the wall clock puts it at. */
static void sync_phase(ssrc *s)
{
    uint64_t len =
        paced(s, s->r[s->n - 1].t_ms - s->r[0].t_ms) + SSRC_LOOP_GAP_MS;
    uint64_t now = real_ms(), phase = now % len;
    s->i = 0;
    while (s->i < s->n && paced(s, s->r[s->i].t_ms - s->r[0].t_ms) < phase)
        s->i++;
    s->wall0 = mono_ms() - phase;
    s->base = now - phase;
}

static void nap_ms(uint64_t ms)
{
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

static cairn_err load(ssrc *s, FILE *f, const char *path, char *why, size_t wl)
{
    char line[SSRC_LINE_MAX + 2];
    size_t cap = 0, lineno = 0;
    int nmea = -1;
    ssrc_nmea st = {.value = s->o.value};
    while (fgets(line, sizeof line, f)) {
        lineno++;
        if (!strchr(line, '\n') && !feof(f)) {
            snprintf(why, wl, "%s:%zu: line longer than %d bytes", path, lineno,
                     SSRC_LINE_MAX);
            return CAIRN_ERR_BAD_ARG;
        }
        sbatch_reading r;
        if (nmea < 0) {
            const char *p = line;
            while (*p == ' ' || *p == '\t')
                p++;
            if (*p == '\0' || *p == '\n' || *p == '\r' || *p == '#')
                continue;
            nmea = *p == '$';
        }
        if (nmea) {
            if (ssrc_nmea_line(&st, line, &r) != 1)
                continue;
        } else {
            cairn_err e = ssrc_csv_line(line, &r);
            if (e == CAIRN_ERR_NOT_FOUND)
                continue;
            if (e) {
                snprintf(why, wl,
                         "%s:%zu: not a reading: give "
                         "t_ms,lat_udeg,lon_udeg,value (integers; lat "
                         "-90e6..90e6, lon -180e6..180e6)",
                         path, lineno);
                return e;
            }
        }
        if (s->n && r.t_ms < s->r[s->n - 1].t_ms) {
            snprintf(why, wl,
                     "%s:%zu: time %llu goes back (readings must be "
                     "in time order)",
                     path, lineno, (unsigned long long)r.t_ms);
            return CAIRN_ERR_BAD_ARG;
        }
        if (nmea && s->n && r.t_ms == s->r[s->n - 1].t_ms)
            continue; /* a repeated RMC of the same second */
        if (s->n == SSRC_DRIVE_MAX) {
            snprintf(why, wl, "%s: more than %u readings", path,
                     SSRC_DRIVE_MAX);
            return CAIRN_ERR_TOO_LARGE;
        }
        if (s->n == cap) {
            size_t nc = cap ? cap * 2 : 1024;
            sbatch_reading *m = realloc(s->r, nc * sizeof *m);
            if (!m) {
                snprintf(why, wl, "out of memory");
                return CAIRN_ERR_NOMEM;
            }
            s->r = m;
            cap = nc;
        }
        s->r[s->n++] = r;
    }
    if (ferror(f)) {
        snprintf(why, wl, "cannot read %s: %s", path, strerror(errno));
        return CAIRN_ERR_IO;
    }
    if (s->n == 0) {
        snprintf(why, wl, "%s holds no readings%s", path,
                 nmea == 1 ? " (no valid $xxRMC sentence with a fix)" : "");
        return CAIRN_ERR_NOT_FOUND;
    }
    return CAIRN_OK;
}

cairn_err ssrc_open_drive(ssrc **out, const char *path, const ssrc_opts *o,
                          char *why, size_t wl)
{
    *out = NULL;
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(why, wl, "cannot open the drive file %s: %s", path,
                 strerror(errno));
        return CAIRN_ERR_IO;
    }
    ssrc *s = calloc(1, sizeof *s);
    if (!s) {
        fclose(f);
        snprintf(why, wl, "out of memory");
        return CAIRN_ERR_NOMEM;
    }
    s->o = *o;
    cairn_err e = load(s, f, path, why, wl);
    fclose(f);
    if (e) {
        ssrc_close(s);
        return e;
    }
    s->base = o->rebase_ms ? o->rebase_ms : s->r[0].t_ms;
    s->wall0 = mono_ms();
    if (o->clock_phase && o->loop && o->speed_pm)
        sync_phase(s);
    *out = s;
    return CAIRN_OK;
}

uint32_t ssrc_pass(const ssrc *s)
{
    return s->gpsd ? 0 : s->pass;
}

uint32_t ssrc_count(const ssrc *s)
{
    return s->gpsd ? 0 : s->n;
}

static int drive_next(ssrc *s, sbatch_reading *r, int timeout_ms)
{
    if (s->i == s->n) {
        if (!s->o.loop)
            return SSRC_END;
        s->base = s->last_ms + SSRC_LOOP_GAP_MS;
        s->i = 0;
        s->pass++;
        s->wall0 = mono_ms();
        if (s->o.clock_phase && s->o.speed_pm)
            sync_phase(s);
        if (s->i == s->n)
            return SSRC_WAIT; /* the clock is in this pass's last gap */
    }
    uint64_t off = s->r[s->i].t_ms - s->r[0].t_ms;
    if (s->o.speed_pm) {
        uint64_t due = s->wall0 + paced(s, off), now = mono_ms();
        if (due > now) {
            uint64_t wait = due - now;
            if (wait > (uint64_t)timeout_ms) {
                nap_ms((uint64_t)timeout_ms);
                return SSRC_WAIT;
            }
            nap_ms(wait);
        }
    }
    *r = s->r[s->i++];
    r->t_ms = (s->o.rebase_ms || s->o.loop) ? s->base + paced(s, off) : r->t_ms;
    s->last_ms = r->t_ms;
    return SSRC_READING;
}

/* ---- gpsd ---- */

cairn_err ssrc_open_gpsd(ssrc **out, const char *url, const ssrc_opts *o,
                         char *why, size_t wl)
{
    char host[256], port[16];
    *out = NULL;
    const char *p = strncmp(url, "gpsd://", 7) == 0 ? url + 7 : url;
    const char *colon = strrchr(p, ':');
    size_t hn = colon ? (size_t)(colon - p) : 0;
    uint64_t pn;
    if (!colon || hn == 0 || hn >= sizeof host ||
        strlen(colon + 1) >= sizeof port ||
        cairn_parse_u64_max(colon + 1, 65535, &pn) || pn == 0) {
        snprintf(why, wl,
                 "--source \"%s\": give gpsd://HOST:PORT, e.g. "
                 "gpsd://127.0.0.1:2947",
                 url);
        return CAIRN_ERR_BAD_ARG;
    }
    memcpy(host, p, hn);
    host[hn] = '\0';
    snprintf(port, sizeof port, "%s", colon + 1);
    ssrc *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(why, wl, "out of memory");
        return CAIRN_ERR_NOMEM;
    }
    s->gpsd = 1;
    s->o = *o;
    if (gps_open(host, port, &s->g) != 0) {
        snprintf(why, wl, "cannot reach gpsd at %s:%s: %s (is gpsd running?)",
                 host, port, gps_errstr(errno));
        free(s);
        return CAIRN_ERR_IO;
    }
    s->open = 1;
    if (gps_stream(&s->g, WATCH_ENABLE | WATCH_JSON, NULL) != 0) {
        snprintf(why, wl, "gpsd at %s:%s refused the watch request", host,
                 port);
        ssrc_close(s);
        return CAIRN_ERR_IO;
    }
    *out = s;
    return CAIRN_OK;
}

static int64_t round_i64(double x)
{
    return (int64_t)(x >= 0 ? x + 0.5 : x - 0.5);
}

/* The integer in the side file (decimal, optional sign); 0 with a warning
 * once when it cannot be read. */
static int64_t side_value(ssrc *s)
{
    char buf[64];
    FILE *f = fopen(s->o.value_file, "r");
    size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
    if (f)
        fclose(f);
    while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' '))
        n--;
    buf[n] = '\0';
    uint64_t u;
    int neg = buf[0] == '-';
    if (n == 0 || cairn_parse_u64_max(buf + neg, INT64_MAX, &u)) {
        if (!s->warned++)
            fprintf(stderr,
                    "sensor: cannot read an integer from %s; using 0 "
                    "until it holds one\n",
                    s->o.value_file);
        return 0;
    }
    return neg ? -(int64_t)u : (int64_t)u;
}

static int gpsd_next(ssrc *s, sbatch_reading *r, int timeout_ms, char *why,
                     size_t wl)
{
    if (!gps_waiting(&s->g, timeout_ms * 1000))
        return SSRC_WAIT;
    s->g.set = 0;
    if (gps_read(&s->g, NULL, 0) < 0) {
        snprintf(why, wl, "lost gpsd: %s", gps_errstr(errno));
        return SSRC_ERROR;
    }
    const struct gps_fix_t *x = &s->g.fix;
    if (!(s->g.set & LATLON_SET) || !(s->g.set & TIME_SET) ||
        x->mode < MODE_2D || x->latitude != x->latitude ||
        x->longitude != x->longitude)
        return SSRC_WAIT;
    if (x->time.tv_sec < 0)
        return SSRC_WAIT;
    uint64_t t =
        (uint64_t)x->time.tv_sec * 1000u + (uint64_t)x->time.tv_nsec / 1000000u;
    if (t <= s->gps_last)
        return SSRC_WAIT;
    int64_t lat = round_i64(x->latitude * 1e6),
            lon = round_i64(x->longitude * 1e6);
    if (lat < -90000000 || lat > 90000000 || lon < -180000000 ||
        lon >= 180000000)
        return SSRC_WAIT;
    s->gps_last = t;
    r->t_ms = t;
    r->lat_udeg = (int32_t)lat;
    r->lon_udeg = (int32_t)lon;
    if (s->o.value_file)
        r->value = side_value(s);
    else if (s->o.value == SSRC_VALUE_ALT)
        r->value = (s->g.set & ALTITUDE_SET) && x->altMSL == x->altMSL
                       ? round_i64(x->altMSL * 100)
                       : 0;
    else
        r->value = (s->g.set & SPEED_SET) && x->speed == x->speed
                       ? round_i64(x->speed * 100)
                       : 0;
    return SSRC_READING;
}

int ssrc_next(ssrc *s, sbatch_reading *r, int timeout_ms, char *why, size_t wl)
{
    return s->gpsd ? gpsd_next(s, r, timeout_ms, why, wl)
                   : drive_next(s, r, timeout_ms);
}

void ssrc_close(ssrc *s)
{
    if (!s)
        return;
    if (s->gpsd && s->open) {
        (void)gps_stream(&s->g, WATCH_DISABLE, NULL);
        gps_close(&s->g);
    }
    free(s->r);
    free(s);
}
