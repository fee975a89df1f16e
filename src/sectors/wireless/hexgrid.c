/* Integer hierarchical hex grid: see hexgrid.h and docs/wireless-hexgrid.md. */
#include "sectors/wireless/hexgrid.h"

#include <stddef.h>

#define COS_ONE 1048576 /* 2^20 */
#define UDEG 1000000

/* round(2^20 * cos(d degrees)), d = 0..90. */
static const int64_t cos_tab[91] = {
    1048576, 1048416, 1047937, 1047139, 1046022, 1044586, 1042832, 1040760,
    1038371, 1035666, 1032646, 1029311, 1025662, 1021701, 1017429, 1012847,
    1007956, 1002758, 997255,  991448,  985339,  978930,  972223,  965219,
    957922,  950333,  942454,  934288,  925838,  917105,  908093,  898805,
    889243,  879410,  869309,  858943,  848316,  837430,  826289,  814897,
    803256,  791370,  779244,  766880,  754282,  741455,  728402,  715127,
    701634,  687928,  674012,  659890,  645568,  631049,  616338,  601438,
    586356,  571095,  555661,  540057,  524288,  508360,  492277,  476044,
    459665,  443147,  426494,  409711,  392803,  375776,  358634,  341383,
    324028,  306574,  289027,  271391,  253673,  235878,  218011,  200078,
    182083,  164033,  145934,  127789,  109606,  91389,   73145,   54878,
    36595,   18300,   0};

/* Per resolution: s (center to vertex), W (column pitch, even), V (row
 * pitch = 3s/2), all in micro-degrees of latitude. */
static const int64_t hex_s[13] = {9411920, 3557372, 1344560, 508196, 192080,
                                  72600,   27440,   10372,   3920,   1482,
                                  560,     212,     80};
static const int64_t hex_w[13] = {16301924, 6161550, 2328846, 880222, 332692,
                                  125746,   47528,   17964,   6790,   2566,
                                  970,      368,     138};
static const int64_t hex_v[13] = {14117880, 5336058, 2016840, 762294, 288120,
                                  108900,   41160,   15558,   5880,   2223,
                                  840,      318,     120};

static int64_t floor_div(int64_t a, int64_t b) /* b > 0 */
{
    int64_t q = a / b;
    return (a % b != 0 && a < 0) ? q - 1 : q;
}

static int64_t abs64(int64_t a)
{
    return a < 0 ? -a : a;
}

/* 2^20 * cos(lat), linearly interpolated between whole degrees; |lat| is
 * clamped to 90e6. */
static int64_t cos_q20(int64_t lat)
{
    int64_t a = abs64(lat);
    if (a >= 90 * (int64_t)UDEG)
        return 0;
    int64_t i = a / UDEG, f = a % UDEG;
    return (cos_tab[i] * (UDEG - f) + cos_tab[i + 1] * f) / UDEG;
}

/* The longitude zone (0..23, 15 degrees each) of lon, or of plane x when
 * clamped, and its central meridian. */
static int64_t zone_of(int64_t lon)
{
    int64_t z = floor_div(lon + HEXG_LON_MAX, HEXG_ZONE);
    return z < 0 ? 0 : (z >= HEXG_ZONES ? HEXG_ZONES - 1 : z);
}

static int64_t meridian(int64_t z)
{
    return -HEXG_LON_MAX + HEXG_ZONE / 2 + z * HEXG_ZONE;
}

static uint64_t pack(unsigned res, int64_t q, int64_t r)
{
    return ((uint64_t)res << 56) | (((uint64_t)q & 0xFFFFFFFu) << 28) |
           ((uint64_t)r & 0xFFFFFFFu);
}

static int64_t sext28(uint64_t v)
{
    v &= 0xFFFFFFFu;
    return (v & 0x8000000u) ? (int64_t)v - 0x10000000 : (int64_t)v;
}

static void unpack(uint64_t id, unsigned *res, int64_t *q, int64_t *r)
{
    *res = (unsigned)((id >> 56) & 0xFu);
    *q = sext28(id >> 28);
    *r = sext28(id);
}

/* The hex at res holding plane point (x, y): exact cube rounding of the
 * fractional axial coordinates Q/D, R/D, S/D. */
static void plane_to_hex(int64_t x, int64_t y, unsigned res, int64_t *q,
                         int64_t *r)
{
    int64_t w = hex_w[res], v = hex_v[res], d = 2 * v * w;
    int64_t fq = 2 * v * x - w * y, fr = 2 * w * y, fs = -fq - fr;
    int64_t rq = floor_div(2 * fq + d, 2 * d);
    int64_t rr = floor_div(2 * fr + d, 2 * d);
    int64_t rs = floor_div(2 * fs + d, 2 * d);
    int64_t dq = abs64(fq - rq * d), dr = abs64(fr - rr * d),
            ds = abs64(fs - rs * d);
    if (dq > dr && dq > ds)
        rq = -rr - rs;
    else if (dr > ds)
        rr = -rq - rs;
    *q = rq;
    *r = rr;
}

static void hex_to_plane(unsigned res, int64_t q, int64_t r, int64_t *x,
                         int64_t *y)
{
    *x = q * hex_w[res] + r * (hex_w[res] / 2);
    *y = r * hex_v[res];
}

bool hexg_valid(uint64_t id)
{
    if (id >> 60)
        return false;
    unsigned res;
    int64_t q, r, x, y;
    unpack(id, &res, &q, &r);
    if (res > HEXG_MAX_RES)
        return false;
    hex_to_plane(res, q, r, &x, &y);
    return abs64(y) <= HEXG_LAT_MAX + 4 * hex_s[res] &&
           abs64(x) <= HEXG_LON_MAX + 2 * hex_w[res];
}

unsigned hexg_res(uint64_t id)
{
    return (unsigned)((id >> 56) & 0xFu);
}

cairn_err hexg_cell(int32_t lat, int32_t lon, unsigned res, uint64_t *out)
{
    if (lat < -HEXG_LAT_MAX || lat > HEXG_LAT_MAX || lon < -HEXG_LON_MAX ||
        lon >= HEXG_LON_MAX || res > HEXG_MAX_RES)
        return CAIRN_ERR_BAD_ARG;
    int64_t m = meridian(zone_of(lon));
    int64_t x =
        m + floor_div(((int64_t)lon - m) * cos_q20(lat) + COS_ONE / 2, COS_ONE);
    int64_t q, r;
    plane_to_hex(x, lat, res, &q, &r);
    *out = pack(res, q, r);
    return CAIRN_OK;
}

cairn_err hexg_parent(uint64_t id, unsigned res, uint64_t *out)
{
    if (!hexg_valid(id) || res > hexg_res(id))
        return CAIRN_ERR_BAD_ARG;
    unsigned cur;
    int64_t q, r, x, y;
    unpack(id, &cur, &q, &r);
    while (cur > res) {
        hex_to_plane(cur, q, r, &x, &y);
        cur--;
        plane_to_hex(x, y, cur, &q, &r);
    }
    *out = pack(cur, q, r);
    return CAIRN_OK;
}

cairn_err hexg_center(uint64_t id, int64_t *lat, int64_t *lon)
{
    if (!hexg_valid(id))
        return CAIRN_ERR_BAD_ARG;
    unsigned res;
    int64_t q, r, x, y;
    unpack(id, &res, &q, &r);
    hex_to_plane(res, q, r, &x, &y);
    int64_t c = cos_q20(y), m = meridian(zone_of(x));
    *lat = y;
    *lon = c == 0 ? m : m + floor_div(2 * (x - m) * COS_ONE + c, 2 * c);
    return CAIRN_OK;
}

cairn_err hexg_neighbors(uint64_t id, uint64_t out[6])
{
    static const int64_t dir[6][2] = {{1, 0},  {1, -1}, {0, -1},
                                      {-1, 0}, {-1, 1}, {0, 1}};
    if (!hexg_valid(id))
        return CAIRN_ERR_BAD_ARG;
    unsigned res;
    int64_t q, r;
    unpack(id, &res, &q, &r);
    for (size_t i = 0; i < 6; i++)
        out[i] = pack(res, q + dir[i][0], r + dir[i][1]);
    return CAIRN_OK;
}

cairn_err hexg_grid_distance(uint64_t a, uint64_t b, uint64_t *out)
{
    if (!hexg_valid(a) || !hexg_valid(b) || hexg_res(a) != hexg_res(b))
        return CAIRN_ERR_BAD_ARG;
    unsigned res;
    int64_t qa, ra, qb, rb;
    unpack(a, &res, &qa, &ra);
    unpack(b, &res, &qb, &rb);
    int64_t dq = qa - qb, dr = ra - rb;
    *out = (uint64_t)((abs64(dq) + abs64(dr) + abs64(dq + dr)) / 2);
    return CAIRN_OK;
}

static uint64_t isqrt64(uint64_t n)
{
    uint64_t x = 0, bit = (uint64_t)1 << 62;
    while (bit > n)
        bit >>= 2;
    while (bit) {
        if (n >= x + bit) {
            n -= x + bit;
            x = (x >> 1) + bit;
        } else {
            x >>= 1;
        }
        bit >>= 2;
    }
    return x;
}

cairn_err hexg_distance_m(int32_t lat1, int32_t lon1, int32_t lat2,
                          int32_t lon2, uint64_t *out)
{
    if (lat1 < -HEXG_LAT_MAX || lat1 > HEXG_LAT_MAX || lat2 < -HEXG_LAT_MAX ||
        lat2 > HEXG_LAT_MAX || lon1 < -HEXG_LON_MAX || lon1 >= HEXG_LON_MAX ||
        lon2 < -HEXG_LON_MAX || lon2 >= HEXG_LON_MAX)
        return CAIRN_ERR_BAD_ARG;
    int64_t dlon = abs64((int64_t)lon2 - lon1);
    if (dlon > HEXG_LON_MAX)
        dlon = 2 * (int64_t)HEXG_LON_MAX - dlon;
    int64_t dlat = abs64((int64_t)lat2 - lat1);
    int64_t mlat = floor_div((int64_t)lat1 + lat2, 2);
    int64_t dx = (dlon * cos_q20(mlat) + COS_ONE / 2) / COS_ONE;
    uint64_t d = isqrt64((uint64_t)(dx * dx + dlat * dlat));
    /* 111194.93 m per degree on a sphere of radius 6371008.8 m. */
    uint64_t m = (d * 11119493u + 50000000u) / 100000000u;
    *out = m < HEXG_HALF_CIRCLE_M ? m : HEXG_HALF_CIRCLE_M;
    return CAIRN_OK;
}
