/* The arguments of `cairn sensor ...` (scli.h): pure parsers, each
 * refusing bad input with a message that says what to give instead. */
#include <stdio.h>
#include <string.h>

#include "cairn/amount.h"
#include "cairn/parse.h"
#include "cairn/sensor.h"
#include "cli/cli.h"
#include "sectors/wireless/hexgrid.h"
#include "sensor/cli/scli.h"
#include "sensor/sn_api.h"

static int say(char *msg, size_t n, const char *fmt, const char *a,
               const char *b)
{
    snprintf(msg, n, fmt, a, b);
    return 1;
}

int scli_parse_cell(const char *s, uint64_t *cell, char *msg, size_t n)
{
    uint64_t v = 0;
    const char *hint = "give a map cell as a decimal or 0x-hex id (cairn "
                       "sensor map tiles lists them), or --lat/--lon";
    if (!s || !*s)
        return say(msg, n, "no cell: %s%s", hint, "");
    /* the node's own reading of a cell (decimal, 0x-hex, or the 16 hex
     * digits it prints as cell_hex) */
    if (sn_api_parse_cell(s, &v))
        return say(msg, n, "cell \"%s\" is not a cell: %s", s, hint);
    if (!hexg_valid(v))
        return say(msg, n,
                   "cell \"%s\" is not a valid hex-grid cell (reserved "
                   "bits set, resolution above 12, or off the map): %s",
                   s, hint);
    *cell = v;
    return 0;
}

int scli_parse_privs(const char *s, uint32_t *privs, char *msg, size_t n)
{
    uint32_t p = 0;
    const char *hint = "give all, or location, telemetry or "
                       "location,telemetry";
    if (!s || !*s)
        return say(msg, n, "--privileges is empty: %s%s", hint, "");
    if (!strcmp(s, "all")) {
        *privs = CAIRN_SENSOR_PRIV_ALL;
        return 0;
    }
    for (const char *w = s; *w;) {
        const char *comma = strchr(w, ',');
        size_t len = comma ? (size_t)(comma - w) : strlen(w);
        uint32_t bit = 0;
        if (len == 8 && !strncmp(w, "location", 8))
            bit = CAIRN_SENSOR_PRIV_LOCATION;
        else if (len == 9 && !strncmp(w, "telemetry", 9))
            bit = CAIRN_SENSOR_PRIV_TELEMETRY;
        if (!bit || (p & bit)) {
            snprintf(msg, n, "--privileges \"%s\": %s \"%.*s\": %s", s,
                     bit ? "repeated" : "unknown privilege", (int)len, w, hint);
            return 1;
        }
        p |= bit;
        if (!comma)
            break;
        w = comma + 1;
        if (!*w)
            return say(msg, n, "--privileges \"%s\" ends in a comma: %s", s,
                       hint);
    }
    *privs = p;
    return 0;
}

int scli_parse_count(const char *s, uint64_t max, const char *what, uint64_t *v,
                     char *msg, size_t n)
{
    uint64_t x;
    if (!s || cairn_parse_u64_max(s, max, &x) || x == 0) {
        snprintf(msg, n, "%s \"%s\": give a whole number from 1 to %llu", what,
                 s ? s : "", (unsigned long long)max);
        return 1;
    }
    *v = x;
    return 0;
}

int scli_parse_ms(const char *s, const char *what, uint64_t *ms, char *msg,
                  size_t n)
{
    if (!s || cairn_parse_u64(s, ms))
        return say(msg, n,
                   "%s \"%s\": give a time in milliseconds since 1970 (e.g. "
                   "$(date +%%s)000)",
                   what, s ? s : "");
    return 0;
}

int scli_parse_tokens(const char *s, const char *what, int zero_ok,
                      uint64_t *units, char *msg, size_t n)
{
    uint64_t u;
    if (!s || cairn_amount_parse(&u, s) || (!zero_ok && u == 0)) {
        snprintf(msg, n,
                 "%s \"%s\": give an amount of tokens%s (e.g. 2.5, at most 6 "
                 "decimals)",
                 what, s ? s : "", zero_ok ? "" : " above 0");
        return 1;
    }
    *units = u;
    return 0;
}

int scli_parse_addr(const char *s, const char *what, cairn_pubkey *pk,
                    char *msg, size_t n)
{
    if (!s || cairn_addr_parse(pk, s))
        return say(msg, n,
                   "%s \"%s\" is not an address (cairn address --key FILE "
                   "prints a key's)",
                   what, s ? s : "");
    return 0;
}

int scli_cell_at(const char *lat, const char *lon, unsigned res, uint64_t *cell,
                 char *msg, size_t n)
{
    int64_t la, lo;
    if (!lat || !lon)
        return say(msg, n, "give both --lat and --lon (degrees)%s%s", "", "");
    if (cli_fixed(lat, 6, -90000000, 90000000, &la))
        return say(msg, n,
                   "--lat \"%s\": give degrees from -90 to 90, at most 6 "
                   "decimals%s",
                   lat, "");
    if (cli_fixed(lon, 6, -180000000, 179999999, &lo))
        return say(msg, n,
                   "--lon \"%s\": give degrees from -180 to 180 (180 "
                   "excluded), at most 6 decimals%s",
                   lon, "");
    if (hexg_cell((int32_t)la, (int32_t)lo, res, cell))
        return say(msg, n, "no cell at %s,%s on the map's grid", lat, lon);
    return 0;
}

void scli_privs_text(uint32_t privs, char *out, size_t n)
{
    snprintf(
        out, n, "%s%s%s", privs & CAIRN_SENSOR_PRIV_LOCATION ? "location" : "",
        (privs & CAIRN_SENSOR_PRIV_ALL) == CAIRN_SENSOR_PRIV_ALL ? "," : "",
        privs & CAIRN_SENSOR_PRIV_TELEMETRY ? "telemetry" : "");
    if (!(privs & CAIRN_SENSOR_PRIV_ALL))
        snprintf(out, n, "none");
}
