/* The drive file parsers: CSV readings and NMEA 0183 RMC/GGA (source.h). */
#include <string.h>

#include "cairn/parse.h"
#include "sensor/source/source.h"

#define FIELDS_MAX 24

/* A signed decimal integer in the n bytes at s, within [lo, hi]. */
static int int_n(const char *s, size_t n, int64_t lo, int64_t hi, int64_t *out)
{
    int neg = 0;
    uint64_t u;
    if (n && (*s == '-' || *s == '+')) {
        neg = *s == '-';
        s++;
        n--;
    }
    if (n == 0 || cairn_parse_u64_n(s, n, (uint64_t)INT64_MAX, &u))
        return -1;
    int64_t v = neg ? -(int64_t)u : (int64_t)u;
    if (v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

/* A decimal "123.45" (no sign) in n bytes, scaled by 10^dec (more decimals
 * are cut off). */
static int fixed_n(const char *s, size_t n, unsigned dec, uint64_t *out)
{
    const char *dot = memchr(s, '.', n);
    size_t ni = dot ? (size_t)(dot - s) : n, nf = dot ? n - ni - 1 : 0;
    uint64_t ip = 0, fp = 0, scale = 1;
    if (ni == 0 || cairn_parse_u64_n(s, ni, 100000000000ULL, &ip))
        return -1;
    if (nf > dec)
        nf = dec;
    if (dot && nf && cairn_parse_u64_n(dot + 1, nf, UINT64_MAX, &fp))
        return -1;
    for (size_t i = nf; i < dec; i++)
        fp *= 10;
    for (unsigned i = 0; i < dec; i++)
        scale *= 10;
    *out = ip * scale + fp;
    return 0;
}

static int blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

cairn_err ssrc_csv_line(const char *line, sbatch_reading *r)
{
    const char *p = line, *f[4];
    size_t len[4], nf = 0;
    while (blank(*p))
        p++;
    if (*p == '\0' || *p == '#')
        return CAIRN_ERR_NOT_FOUND;
    size_t n = strlen(p);
    while (n && blank(p[n - 1]))
        n--;
    const char *end = p + n;
    while (nf < 4) {
        const char *c = memchr(p, ',', (size_t)(end - p));
        f[nf] = p;
        len[nf] = c ? (size_t)(c - p) : (size_t)(end - p);
        nf++;
        if (!c)
            break;
        p = c + 1;
    }
    if (nf != 4 || f[3] + len[3] != end)
        return CAIRN_ERR_BAD_ARG;
    int64_t t, lat, lon, v;
    if (int_n(f[0], len[0], 0, INT64_MAX, &t) ||
        int_n(f[1], len[1], -90000000, 90000000, &lat) ||
        int_n(f[2], len[2], -180000000, 179999999, &lon) ||
        int_n(f[3], len[3], INT64_MIN + 1, INT64_MAX, &v))
        return CAIRN_ERR_BAD_ARG;
    r->t_ms = (uint64_t)t;
    r->lat_udeg = (int32_t)lat;
    r->lon_udeg = (int32_t)lon;
    r->value = v;
    return CAIRN_OK;
}

uint64_t ssrc_unix_ms(int year, int mon, int day, uint32_t tod_ms)
{
    /* days from civil (Howard Hinnant's algorithm) */
    int64_t y = year - (mon <= 2);
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (mon + (mon > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    int64_t days = era * 146097 + doe - 719468;
    return (uint64_t)days * 86400000u + tod_ms;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* Splits a checked sentence body into fields (pointers into it, lengths). */
static size_t split(const char *b, size_t n, const char **f, size_t *len)
{
    size_t nf = 0;
    const char *p = b, *end = b + n;
    while (nf < FIELDS_MAX) {
        const char *c = memchr(p, ',', (size_t)(end - p));
        f[nf] = p;
        len[nf] = c ? (size_t)(c - p) : (size_t)(end - p);
        nf++;
        if (!c)
            break;
        p = c + 1;
    }
    return nf;
}

/* hhmmss[.sss] into ms of the day. */
static int tod(const char *s, size_t n, uint32_t *ms)
{
    uint64_t h, m, sec_e3;
    if (n < 6 || cairn_parse_u64_n(s, 2, 23, &h) ||
        cairn_parse_u64_n(s + 2, 2, 59, &m) ||
        fixed_n(s + 4, n - 4, 3, &sec_e3) || sec_e3 >= 61000)
        return -1;
    *ms = (uint32_t)(h * 3600000u + m * 60000u + sec_e3);
    return 0;
}

/* ddmm.mmmm / dddmm.mmmm and a hemisphere into micro-degrees. */
static int angle(const char *s, size_t n, const char *h, size_t hn,
                 unsigned deg_digits, char pos, char neg, int64_t *out)
{
    uint64_t d, min_e7;
    if (n < deg_digits + 2 || hn != 1 || (h[0] != pos && h[0] != neg) ||
        cairn_parse_u64_n(s, deg_digits, 180, &d) ||
        fixed_n(s + deg_digits, n - deg_digits, 7, &min_e7) ||
        min_e7 >= 600000000u)
        return -1;
    int64_t v = (int64_t)(d * 1000000u + (min_e7 + 300) / 600);
    *out = h[0] == neg ? -v : v;
    return 0;
}

int ssrc_nmea_line(ssrc_nmea *st, const char *line, sbatch_reading *r)
{
    const char *f[FIELDS_MAX];
    size_t len[FIELDS_MAX], n = strlen(line);
    while (n && blank(line[n - 1]))
        n--;
    if (n == 0 || line[0] != '$')
        return 0;
    const char *star = memchr(line, '*', n);
    const char *body = line + 1;
    size_t bn = star ? (size_t)(star - body) : n - 1;
    if (star) {
        uint8_t c = 0;
        for (size_t i = 0; i < bn; i++)
            c ^= (uint8_t)body[i];
        if (line + n - star != 3 || hexval(star[1]) < 0 ||
            hexval(star[2]) < 0 ||
            (uint8_t)(hexval(star[1]) << 4 | hexval(star[2])) != c) {
            st->bad++;
            return -1;
        }
    }
    size_t nf = split(body, bn, f, len);
    if (len[0] != 5)
        return 0;
    int64_t lat, lon;
    uint32_t ms;
    if (memcmp(f[0] + 2, "GGA", 3) == 0) {
        /* GGA,time,lat,N,lon,E,quality,sats,hdop,alt,M,... */
        uint64_t alt_e2;
        int neg = nf > 9 && len[9] && f[9][0] == '-';
        if (nf < 10 || tod(f[1], len[1], &ms) || len[6] != 1 ||
            f[6][0] == '0' ||
            fixed_n(f[9] + neg, len[9] - (size_t)neg, 2, &alt_e2)) {
            st->bad++;
            return -1;
        }
        st->gga_tod_ms = ms;
        st->gga_alt_cm = neg ? -(int64_t)alt_e2 : (int64_t)alt_e2;
        st->have_gga = 1;
        return 0;
    }
    if (memcmp(f[0] + 2, "RMC", 3) != 0)
        return 0;
    /* RMC,time,status,lat,N,lon,E,speed kn,track,ddmmyy,... */
    uint64_t dd, mm, yy, kn_e3 = 0;
    if (nf < 10 || tod(f[1], len[1], &ms) || len[2] != 1) {
        st->bad++;
        return -1;
    }
    if (f[2][0] != 'A')
        return 0; /* no fix: not a reading */
    if (angle(f[3], len[3], f[4], len[4], 2, 'N', 'S', &lat) ||
        lat > 90000000 || lat < -90000000 ||
        angle(f[5], len[5], f[6], len[6], 3, 'E', 'W', &lon) ||
        lon >= 180000000 || lon < -180000000 ||
        (len[7] && fixed_n(f[7], len[7], 3, &kn_e3)) || len[9] != 6 ||
        cairn_parse_u64_n(f[9], 2, 31, &dd) ||
        cairn_parse_u64_n(f[9] + 2, 2, 12, &mm) ||
        cairn_parse_u64_n(f[9] + 4, 2, 99, &yy) || dd == 0 || mm == 0 ||
        kn_e3 > 100000000u) {
        st->bad++;
        return -1;
    }
    int year = (int)(yy < 80 ? 2000 + yy : 1900 + yy);
    r->t_ms = ssrc_unix_ms(year, (int)mm, (int)dd, ms);
    r->lat_udeg = (int32_t)lat;
    r->lon_udeg = (int32_t)lon;
    if (st->value == SSRC_VALUE_ALT)
        r->value = st->have_gga ? st->gga_alt_cm : 0;
    else /* knots to cm/s: 1 kn = 51.4444 cm/s, rounded */
        r->value = (int64_t)((kn_e3 * 514444u + 5000000u) / 10000000u);
    return 1;
}
