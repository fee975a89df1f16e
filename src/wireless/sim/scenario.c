/* Reading and validating the radio simulator's scenario (scenario.h). */
#include "wireless/sim/scenario.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cairn/parse.h"

typedef struct ctx {
    char *why;
    size_t len;
} ctx;

__attribute__((format(printf, 2, 3))) static int fail(ctx *c, const char *fmt,
                                                      ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (c->why && c->len)
        vsnprintf(c->why, c->len, fmt, ap);
    va_end(ap);
    return -1;
}

/* Refuses keys of o not in the NULL-terminated list (a typo is an error,
 * not a silent default). */
static int only_keys(ctx *c, const char *where, json_t *o,
                     const char *const *keys)
{
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v)
    {
        int known = 0;
        for (size_t i = 0; keys[i]; i++)
            known |= strcmp(k, keys[i]) == 0;
        if (!known)
            return fail(c, "%s: unknown field \"%s\"", where, k);
    }
    return 0;
}

/* A number field: *out untouched when absent and !req. */
static int num(ctx *c, const char *where, json_t *o, const char *k, bool req,
               double lo, double hi, double *out)
{
    json_t *v = json_object_get(o, k);
    if (!v) {
        if (req)
            return fail(c, "%s.%s: missing (a number from %g to %g)", where, k,
                        lo, hi);
        return 0;
    }
    if (!json_is_number(v))
        return fail(c, "%s.%s: must be a number", where, k);
    double x = json_number_value(v);
    if (!(x >= lo && x <= hi))
        return fail(c, "%s.%s: %g is out of range (%g to %g)", where, k, x, lo,
                    hi);
    *out = x;
    return 0;
}

/* An integer field (JSON integer, lo..hi). */
static int uint_(ctx *c, const char *where, json_t *o, const char *k, bool req,
                 uint64_t lo, uint64_t hi, uint64_t *out)
{
    json_t *v = json_object_get(o, k);
    if (!v) {
        if (req)
            return fail(c, "%s.%s: missing (an integer from %llu to %llu)",
                        where, k, (unsigned long long)lo,
                        (unsigned long long)hi);
        return 0;
    }
    if (!json_is_integer(v) || json_integer_value(v) < 0 ||
        (uint64_t)json_integer_value(v) < lo ||
        (uint64_t)json_integer_value(v) > hi)
        return fail(c, "%s.%s: must be an integer from %llu to %llu", where, k,
                    (unsigned long long)lo, (unsigned long long)hi);
    *out = (uint64_t)json_integer_value(v);
    return 0;
}

static const char *str(ctx *c, const char *where, json_t *o, const char *k,
                       bool req)
{
    json_t *v = json_object_get(o, k);
    if (!v) {
        if (req)
            fail(c, "%s.%s: missing (a string)", where, k);
        return NULL;
    }
    if (!json_is_string(v)) {
        fail(c, "%s.%s: must be a string", where, k);
        return NULL;
    }
    return json_string_value(v);
}

static int hexval(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/* n bytes from exactly 2n hex digits. */
static int hex_field(ctx *c, const char *where, json_t *o, const char *k,
                     uint8_t *out, size_t n)
{
    const char *s = str(c, where, o, k, true);
    if (!s)
        return -1;
    if (strlen(s) != 2 * n)
        return fail(c, "%s.%s: must be %zu hex digits, got %zu characters",
                    where, k, 2 * n, strlen(s));
    for (size_t i = 0; i < n; i++) {
        int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return fail(c, "%s.%s: \"%s\" is not hex", where, k, s);
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return 0;
}

/* A big-endian hex number of n bytes (EUIs, DevAddr as written). */
static int hex_be(ctx *c, const char *where, json_t *o, const char *k, size_t n,
                  uint64_t *out)
{
    uint8_t b[8];
    if (hex_field(c, where, o, k, b, n))
        return -1;
    uint64_t x = 0;
    for (size_t i = 0; i < n; i++)
        x = x << 8 | b[i];
    *out = x;
    return 0;
}

static int name_field(ctx *c, const char *where, json_t *o, char *out)
{
    const char *s = str(c, where, o, "name", true);
    if (!s)
        return -1;
    size_t n = strlen(s);
    if (n == 0 || n >= SIM_NAME_MAX)
        return fail(c, "%s.name: must be 1 to %d characters", where,
                    SIM_NAME_MAX - 1);
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
              (ch >= '0' && ch <= '9') || ch == '_' || ch == '-' || ch == '.'))
            return fail(c, "%s.name: \"%s\": only letters, digits, _ - .",
                        where, s);
    }
    memcpy(out, s, n + 1);
    return 0;
}

static int32_t udeg(double deg)
{
    double x = deg * 1e6;
    return (int32_t)(x >= 0 ? x + 0.5 : x - 0.5);
}

static int position(ctx *c, const char *where, json_t *o, int32_t *lat,
                    int32_t *lon)
{
    double a = 0, b = 0;
    if (num(c, where, o, "lat", true, -90, 90, &a) ||
        num(c, where, o, "lon", true, -180, 179.999999, &b))
        return -1;
    *lat = udeg(a);
    *lon = udeg(b);
    return 0;
}

static int parse_model(ctx *c, json_t *m, rm_params *p)
{
    static const char *const keys[] = {"freq_mhz",
                                       "breakpoint_m",
                                       "exponent",
                                       "shadow_sigma_db",
                                       "fs_margin_db",
                                       "noise_figure_db",
                                       "bandwidth_khz",
                                       "sf",
                                       "demod_floor_db",
                                       "rx_gain_dbi",
                                       "tx_power_dbm",
                                       "snr_max_db",
                                       NULL};
    const char *w = "model";
    if (!json_is_object(m))
        return fail(c, "model: must be an object");
    if (only_keys(c, w, m, keys))
        return -1;
    double f = (double)p->freq_hz / 1e6;
    uint64_t d0 = p->breakpoint_m, bw = p->bw_hz / 1000, sf = p->sf;
    if (num(c, w, m, "freq_mhz", false, 1, 10000, &f) ||
        uint_(c, w, m, "breakpoint_m", false, 1, 1000000, &d0) ||
        num(c, w, m, "exponent", false, 2, 6, &p->exponent) ||
        num(c, w, m, "shadow_sigma_db", false, 0, 20, &p->sigma_db) ||
        num(c, w, m, "fs_margin_db", false, 0, 10, &p->fs_margin_db) ||
        num(c, w, m, "noise_figure_db", false, 0, 30, &p->noise_figure_db) ||
        uint_(c, w, m, "bandwidth_khz", false, 125, 500, &bw) ||
        uint_(c, w, m, "sf", false, RM_SF_MIN, RM_SF_MAX, &sf) ||
        num(c, w, m, "rx_gain_dbi", false, -10, 30, &p->rx_gain_dbi) ||
        num(c, w, m, "tx_power_dbm", false, -10, 36, &p->tx_power_dbm) ||
        num(c, w, m, "snr_max_db", false, 0, 50, &p->snr_max_db))
        return -1;
    if (bw != 125 && bw != 250 && bw != 500)
        return fail(c, "model.bandwidth_khz: must be 125, 250 or 500");
    p->freq_hz = (uint64_t)(f * 1e6 + 0.5);
    p->breakpoint_m = d0;
    p->bw_hz = (uint32_t)bw * 1000;
    p->sf = (uint8_t)sf;
    json_t *fl = json_object_get(m, "demod_floor_db");
    if (fl) {
        if (!json_is_array(fl) || json_array_size(fl) != RM_NSF)
            return fail(c,
                        "model.demod_floor_db: must be an array of %d "
                        "numbers (SF7..SF12)",
                        RM_NSF);
        for (size_t i = 0; i < RM_NSF; i++) {
            json_t *v = json_array_get(fl, i);
            if (!json_is_number(v) || json_number_value(v) < -40 ||
                json_number_value(v) > 20)
                return fail(c,
                            "model.demod_floor_db[%zu]: must be a number "
                            "from -40 to 20 (dB SNR)",
                            i);
            p->floor_db[i] = json_number_value(v);
        }
    }
    return 0;
}

static int parse_addr(ctx *c, const char *where, const char *s,
                      struct sockaddr_in *a)
{
    const char *colon = strrchr(s, ':');
    char host[INET_ADDRSTRLEN];
    uint64_t port = 0;
    if (!colon || (size_t)(colon - s) >= sizeof host ||
        cairn_parse_u64_max(colon + 1, 65535, &port) != CAIRN_OK || port == 0)
        return fail(c, "%s.forwarder: \"%s\" is not IPv4:PORT", where, s);
    memcpy(host, s, (size_t)(colon - s));
    host[colon - s] = '\0';
    memset(a, 0, sizeof *a);
    a->sin_family = AF_INET;
    a->sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host, &a->sin_addr) != 1)
        return fail(c, "%s.forwarder: \"%s\" is not an IPv4 address", where,
                    host);
    return 0;
}

static int parse_hotspot(ctx *c, size_t i, json_t *o, sim_scenario *sc)
{
    static const char *const keys[] = {
        "name",     "forwarder",    "eui",          "lat", "lon",
        "gain_dbi", "asserted_lat", "asserted_lon", NULL};
    char w[48];
    snprintf(w, sizeof w, "hotspots[%zu]", i);
    if (!json_is_object(o))
        return fail(c, "%s: must be an object", w);
    sim_hotspot_cfg *h = &sc->hs[i];
    h->gain_dbi = 0;
    const char *fw;
    if (only_keys(c, w, o, keys) || name_field(c, w, o, h->name) ||
        !(fw = str(c, w, o, "forwarder", true)) ||
        parse_addr(c, w, fw, &h->addr) ||
        hex_field(c, w, o, "eui", h->eui, 8) ||
        position(c, w, o, &h->lat, &h->lon) ||
        num(c, w, o, "gain_dbi", false, -10, 30, &h->gain_dbi))
        return -1;
    bool alat = json_object_get(o, "asserted_lat") != NULL;
    bool alon = json_object_get(o, "asserted_lon") != NULL;
    if (alat != alon)
        return fail(c,
                    "%s: give both asserted_lat and asserted_lon, or "
                    "neither",
                    w);
    if (alat) {
        double a = 0, b = 0;
        if (num(c, w, o, "asserted_lat", true, -90, 90, &a) ||
            num(c, w, o, "asserted_lon", true, -180, 179.999999, &b))
            return -1;
        h->has_asserted = true;
        h->asserted_lat = udeg(a);
        h->asserted_lon = udeg(b);
    }
    for (size_t j = 0; j < i; j++) {
        if (strcmp(sc->hs[j].name, h->name) == 0)
            return fail(c, "%s.name: \"%s\" is also hotspots[%zu]'s", w,
                        h->name, j);
        if (memcmp(&sc->hs[j].addr, &h->addr, sizeof h->addr) == 0)
            return fail(c, "%s.forwarder: %s is also hotspots[%zu]'s", w, fw,
                        j);
        if (memcmp(sc->hs[j].eui, h->eui, 8) == 0)
            return fail(c, "%s.eui: also hotspots[%zu]'s", w, j);
    }
    return 0;
}

static int parse_device(ctx *c, size_t i, json_t *o, sim_scenario *sc)
{
    static const char *const keys[] = {"name",     "lat",          "lon",
                                       "every_ms", "size",         "dev_addr",
                                       "nwk_skey", "dev_eui",      "join_eui",
                                       "app_key",  "tx_power_dbm", NULL};
    char w[48];
    snprintf(w, sizeof w, "devices[%zu]", i);
    if (!json_is_object(o))
        return fail(c, "%s: must be an object", w);
    sim_device_cfg *d = &sc->dev[i];
    uint64_t every = 10000, size = 10;
    d->tx_power_dbm = sc->model.tx_power_dbm;
    if (only_keys(c, w, o, keys) || name_field(c, w, o, d->name) ||
        position(c, w, o, &d->lat, &d->lon) ||
        uint_(c, w, o, "every_ms", false, 100, 86400000, &every) ||
        uint_(c, w, o, "size", false, 0, 200, &size) ||
        num(c, w, o, "tx_power_dbm", false, -10, 36, &d->tx_power_dbm))
        return -1;
    d->every_ms = every;
    d->size = (uint32_t)size;
    bool abp = json_object_get(o, "dev_addr") || json_object_get(o, "nwk_skey");
    bool otaa = json_object_get(o, "dev_eui") ||
                json_object_get(o, "join_eui") || json_object_get(o, "app_key");
    if (abp == otaa)
        return fail(c,
                    "%s: give either ABP (dev_addr, nwk_skey) or OTAA "
                    "(dev_eui, join_eui, app_key), not %s",
                    w, abp ? "both" : "neither");
    d->otaa = otaa;
    uint64_t x;
    if (abp) {
        if (hex_be(c, w, o, "dev_addr", 4, &x) ||
            hex_field(c, w, o, "nwk_skey", d->nwk_skey, 16))
            return -1;
        d->dev_addr = (uint32_t)x;
    } else {
        if (hex_be(c, w, o, "dev_eui", 8, &d->dev_eui) ||
            hex_be(c, w, o, "join_eui", 8, &d->join_eui) ||
            hex_field(c, w, o, "app_key", d->app_key, 16))
            return -1;
    }
    for (size_t j = 0; j < i; j++)
        if (strcmp(sc->dev[j].name, d->name) == 0)
            return fail(c, "%s.name: \"%s\" is also devices[%zu]'s", w, d->name,
                        j);
    return 0;
}

static int parse_replayer(ctx *c, size_t i, json_t *o, sim_scenario *sc)
{
    static const char *const keys[] = {"lat",      "lon",          "delay_ms",
                                       "gain_dbi", "tx_power_dbm", NULL};
    char w[48];
    snprintf(w, sizeof w, "replayers[%zu]", i);
    if (!json_is_object(o))
        return fail(c, "%s: must be an object", w);
    sim_replayer_cfg *r = &sc->rep[i];
    r->gain_dbi = sc->model.rx_gain_dbi;
    r->tx_power_dbm = sc->model.tx_power_dbm;
    if (only_keys(c, w, o, keys) || position(c, w, o, &r->lat, &r->lon) ||
        uint_(c, w, o, "delay_ms", true, 0, 600000, &r->delay_ms) ||
        num(c, w, o, "gain_dbi", false, -10, 30, &r->gain_dbi) ||
        num(c, w, o, "tx_power_dbm", false, -10, 36, &r->tx_power_dbm))
        return -1;
    return 0;
}

/* The array at key (absent: 0 elements), at most max. */
static int array(ctx *c, json_t *root, const char *k, size_t max, bool req,
                 json_t **out)
{
    json_t *a = json_object_get(root, k);
    *out = a;
    if (!a) {
        if (req)
            return fail(c, "%s: missing (an array of 1 to %zu)", k, max);
        return 0;
    }
    if (!json_is_array(a))
        return fail(c, "%s: must be an array", k);
    if (json_array_size(a) > max)
        return fail(c, "%s: %zu entries, at most %zu", k, json_array_size(a),
                    max);
    if (req && json_array_size(a) == 0)
        return fail(c, "%s: must not be empty", k);
    return 0;
}

static int parse_root(ctx *c, json_t *root, sim_scenario *sc)
{
    static const char *const keys[] = {"seed",    "model",     "hotspots",
                                       "devices", "replayers", NULL};
    if (!json_is_object(root))
        return fail(c, "scenario: must be a JSON object");
    if (only_keys(c, "scenario", root, keys))
        return -1;
    rm_defaults(&sc->model);
    json_t *v = json_object_get(root, "seed");
    if (v) {
        if (uint_(c, "scenario", root, "seed", true, 0, CAIRN_JSON_SAFE_MAX,
                  &sc->seed))
            return -1;
        sc->has_seed = true;
    }
    if ((v = json_object_get(root, "model")) && parse_model(c, v, &sc->model))
        return -1;
    json_t *hs, *dev, *rep;
    if (array(c, root, "hotspots", SIM_MAX_HOTSPOTS, true, &hs) ||
        array(c, root, "devices", SIM_MAX_DEVICES, false, &dev) ||
        array(c, root, "replayers", SIM_MAX_REPLAYERS, false, &rep))
        return -1;
    for (size_t i = 0; i < json_array_size(hs); i++)
        if (parse_hotspot(c, i, json_array_get(hs, i), sc))
            return -1;
    sc->n_hs = json_array_size(hs);
    for (size_t i = 0; dev && i < json_array_size(dev); i++)
        if (parse_device(c, i, json_array_get(dev, i), sc))
            return -1;
    sc->n_dev = dev ? json_array_size(dev) : 0;
    for (size_t i = 0; rep && i < json_array_size(rep); i++)
        if (parse_replayer(c, i, json_array_get(rep, i), sc))
            return -1;
    sc->n_rep = rep ? json_array_size(rep) : 0;
    return 0;
}

int sim_scenario_parse(const char *text, sim_scenario *sc, char *why,
                       size_t why_len)
{
    ctx c = {why, why_len};
    memset(sc, 0, sizeof *sc);
    json_error_t err;
    json_t *root = json_loads(text, JSON_REJECT_DUPLICATES, &err);
    if (!root)
        return fail(&c, "scenario: not JSON: %s (line %d)", err.text, err.line);
    int rc = parse_root(&c, root, sc);
    json_decref(root);
    return rc;
}

int sim_scenario_load(const char *path, sim_scenario *sc, char *why,
                      size_t why_len)
{
    ctx c = {why, why_len};
    memset(sc, 0, sizeof *sc);
    json_error_t err;
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &err);
    if (!root)
        return fail(&c, "%s: %s (line %d)", path, err.text, err.line);
    int rc = parse_root(&c, root, sc);
    json_decref(root);
    return rc;
}
