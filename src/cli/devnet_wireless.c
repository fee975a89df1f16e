/* `cairn devnet --wireless N`: the wireless sector on the devnet
 * (docs/wireless.md): a router that owns DevAddr range 26000000/8 and
 * holds data credits, N hotspot daemons around Lisbon (the last of four or
 * more asserts a location 40 km from where its radio is), `cairn sim radio`
 * playing the air between them and three devices, and the wireless tail of
 * the per-epoch line (witnesses valid and rejected with reasons, density
 * scale, packets carried). */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <sodium.h>
#include <unistd.h>

#include "cairn/credits.h"
#include "cli/cli.h"
#include "cli/devnet.h"
#include "cli/devnet_group.h"
#include "net/node_rpc.h"

#define CENTER_LAT 38.7223 /* Lisbon */
#define CENTER_LON (-9.1393)
#define LIAR_SHIFT_M 40000.0 /* the liar asserts this far east */
#define DEVICES 3
#define ROUTE "26000000/8"
#define CREDIT_PRICE 10         /* base units per data credit */
#define ROUTER_CREDITS "200000" /* bought once */

static void hotspot_args(const devnet *d, const devnet_group *g, int i,
                         char **argv, int max);
static void router_args(const devnet *d, const devnet_group *g, int i,
                        char **argv, int max);
static void radio_args(const devnet *d, const devnet_group *g, int i,
                       char **argv, int max);

static struct {
    devnet_group hs, router, radio;
    char lat[DEVNET_STORAGE_MAX][24], lon[DEVNET_STORAGE_MAX][24];
    char scenario[DEVNET_PATH_MAX], devices[DEVNET_PATH_MAX];
    char events[DEVNET_PATH_MAX];
    int ready;
} ws = {.hs = {.sector = "wireless",
               .label = "hotspot",
               .ports = 1,
               .udp = 1,
               .args = hotspot_args},
        .router = {.sector = "router",
                   .label = "router",
                   .ports = 1,
                   .command = "wireless",
                   .args = router_args},
        .radio = {.sector = "radio",
                  .label = "radio simulator",
                  .ports = 0,
                  .command = "sim",
                  .keyless = 1,
                  .args = radio_args}};

/* Where hotspot i's radio is (meters east and north of the center): a
 * cluster of four 400 m apart (one res-8 hex: density-scaled), the rest on
 * a ring 2.5 to 8 km out; the liar's radio sits 1.5 km north. */
static const double spot_m[][2] = {
    {0, 0},       {0, 400},       {400, 0},      {-300, -300},
    {0, 3000},    {0, -3000},     {5000, 0},     {-5000, 0},
    {1800, 1800}, {-4200, -4200}, {5600, -5600}, {-2500, 6000},
    {6500, 6500}, {-6500, 2000},  {2000, -7000}, {-7000, -6000},
};
#define SPOTS (int)(sizeof spot_m / sizeof spot_m[0])

static int is_liar(int i, int n)
{
    return n >= 4 && i == n - 1;
}

/* Degrees at (east, north) meters from the center. */
static void at_m(double east, double north, double *lat, double *lon)
{
    *lat = CENTER_LAT + north / 111195.0;
    *lon = CENTER_LON + east / (111195.0 * cos(CENTER_LAT * M_PI / 180.0));
}

/* Hotspot i's true position (the radio's), in degrees. */
static void true_pos(int i, int n, double *lat, double *lon)
{
    if (is_liar(i, n))
        at_m(0, 1500, lat, lon);
    else
        at_m(spot_m[i % SPOTS][0], spot_m[i % SPOTS][1], lat, lon);
}

static void hotspot_args(const devnet *d, const devnet_group *g, int i,
                         char **argv, int max)
{
    (void)d;
    double lat, lon;
    true_pos(i, g->n, &lat, &lon);
    if (is_liar(i, g->n))
        at_m(LIAR_SHIFT_M, 1500, &lat, &lon); /* what it asserts */
    snprintf(ws.lat[i], sizeof ws.lat[i], "%.6f", lat);
    snprintf(ws.lon[i], sizeof ws.lon[i], "%.6f", lon);
    char *a[] = {"--data",      (char *)g->p[i].data,
                 "--key",       (char *)g->key[i],
                 "--lat",       ws.lat[i],
                 "--lon",       ws.lon[i],
                 "--gain",      "3",
                 "--forwarder", (char *)g->p[i].listen,
                 NULL};
    for (int k = 0; k < max && k < (int)(sizeof a / sizeof a[0]); k++)
        argv[k] = a[k];
}

static void router_args(const devnet *d, const devnet_group *g, int i,
                        char **argv, int max)
{
    (void)d;
    char *a[] = {"route",     "run",
                 "--listen",  (char *)g->p[i].listen,
                 "--key",     (char *)g->key[i],
                 "--devices", ws.devices,
                 "--data",    (char *)g->p[i].data,
                 NULL};
    for (int k = 0; k < max && k < (int)(sizeof a / sizeof a[0]); k++)
        argv[k] = a[k];
}

static void radio_args(const devnet *d, const devnet_group *g, int i,
                       char **argv, int max)
{
    (void)d;
    (void)g;
    (void)i;
    char *a[] = {"radio", "--scenario", ws.scenario, "--log", ws.events, NULL};
    for (int k = 0; k < max && k < (int)(sizeof a / sizeof a[0]); k++)
        argv[k] = a[k];
}

/* `cairn --node SEQ ARGS...` to its end, output to DIR/wireless.log. */
static int run_cli(const devnet *d, char *const args[])
{
    return devnet_run_cli(d, "wireless.log", args);
}

/* alice, the devnet's price oracle, sets the credit price once. */
static int set_price(const devnet *d)
{
    json_t *j;
    snode_err ne = {.msg = ""};
    if (snode_get(d->seq.url, "/v1/price", &j, &ne) == CAIRN_OK) {
        uint64_t p = 0;
        int have = snode_u64(j, "price_units", &p) == CAIRN_OK && p > 0;
        json_decref(j);
        if (have)
            return 0;
    }
    char key[DEVNET_PATH_MAX], price[32];
    snprintf(key, sizeof key, "%s/keys/alice.key", d->dir);
    snprintf(price, sizeof price, "0.0000%02d", CREDIT_PRICE);
    char *args[] = {"price", "set", price, "--key", key, NULL};
    return run_cli(d, args);
}

/* The router: its route on chain and credits, once (DIR/router-1/ready). */
static int router_setup(const devnet *d)
{
    char ready[DEVNET_PATH_MAX];
    snprintf(ready, sizeof ready, "%s/router-ready", d->dir);
    if (access(ready, F_OK) == 0)
        return 0;
    char *reg[] = {"wireless",
                   "route",
                   "register",
                   "--devaddr",
                   ROUTE,
                   "--endpoint",
                   (char *)ws.router.p[0].listen,
                   "--key",
                   (char *)ws.router.key[0],
                   NULL};
    char *buy[] = {
        "credits", "buy", ROUTER_CREDITS, "--key", (char *)ws.router.key[0],
        NULL};
    if (run_cli(d, reg) || run_cli(d, buy))
        return 1;
    FILE *f = fopen(ready, "w");
    return f && fclose(f) == 0 ? 0 : cli_fail("cannot write %s", ready);
}

/* 16 random bytes as hex into out[33]. */
static void random_hex16(char out[33])
{
    uint8_t b[16];
    randombytes_buf(b, sizeof b);
    for (int i = 0; i < 16; i++)
        snprintf(out + 2 * i, 3, "%02x", b[i]);
}

/* DIR/devices.json (made once: the devices' keys) and DIR/radio.json,
 * the radio simulator's scenario. 0, or 1 after printing why. */
static int write_scenario(const devnet *d)
{
    json_t *devs = NULL;
    if (access(ws.devices, F_OK) == 0)
        devs = json_load_file(ws.devices, 0, NULL);
    if (!json_is_array(devs)) {
        json_decref(devs);
        devs = json_array();
        for (int i = 0; i < DEVICES; i++) {
            char addr[16], key[33];
            snprintf(addr, sizeof addr, "%08x", 0x26000001u + (unsigned)i);
            random_hex16(key);
            json_array_append_new(devs, json_pack("{s:s, s:s}", "dev_addr",
                                                  addr, "nwk_skey", key));
        }
        if (json_dump_file(devs, ws.devices, JSON_INDENT(2)))
            return json_decref(devs), cli_fail("cannot write %s", ws.devices);
    }
    json_t *hs = json_array(), *dv = json_array();
    for (int i = 0; i < ws.hs.n; i++) {
        double lat, lon;
        char eui[24], name[32], fwd[32];
        true_pos(i, ws.hs.n, &lat, &lon);
        snprintf(eui, sizeof eui, "AA555A00000000%02X", i + 1);
        snprintf(name, sizeof name, "hotspot-%d", i + 1);
        snprintf(fwd, sizeof fwd, "127.0.0.1:%d", ws.hs.port_base + i);
        json_array_append_new(hs, json_pack("{s:s, s:s, s:s, s:f, s:f, s:i}",
                                            "name", name, "forwarder", fwd,
                                            "eui", eui, "lat", lat, "lon", lon,
                                            "gain_dbi", 3));
    }
    size_t k;
    json_t *o;
    json_array_foreach(devs, k, o)
    {
        double lat, lon;
        char name[32];
        at_m(200.0 - 300.0 * (double)k, 150.0 * (double)k, &lat, &lon);
        snprintf(name, sizeof name, "device-%zu", k + 1);
        json_array_append_new(
            dv,
            json_pack("{s:s, s:f, s:f, s:i, s:i, s:i, s:s, s:s}", "name", name,
                      "lat", lat, "lon", lon, "every_ms", 4000, "size",
                      30 + 10 * (int)k, "tx_power_dbm", 14, "dev_addr",
                      jstr(o, "dev_addr"), "nwk_skey", jstr(o, "nwk_skey")));
    }
    json_decref(devs);
    json_t *sc = json_pack("{s:i, s:o, s:o, s:[]}", "seed", 1, "hotspots", hs,
                           "devices", dv, "replayers");
    int bad = !sc || json_dump_file(sc, ws.scenario, JSON_INDENT(2));
    json_decref(sc);
    return bad ? cli_fail("cannot write %s", ws.scenario) : 0;
}

int devnet_wireless_start(devnet *d)
{
    if (d->wireless <= 0)
        return 0;
    ws.hs.n = d->wireless;
    ws.hs.port_base = d->port + 300;
    ws.router.n = 1;
    ws.router.port_base = d->port + 350;
    ws.radio.n = 1;
    ws.radio.port_base = d->port + 351;
    snprintf(ws.scenario, sizeof ws.scenario, "%s/radio.json", d->dir);
    snprintf(ws.devices, sizeof ws.devices, "%s/devices.json", d->dir);
    snprintf(ws.events, sizeof ws.events, "%s/radio-events.log", d->dir);
    /* The simulated devices count their frames from 0 at every start, and
     * a router refuses a counter it has seen: its counters start afresh
     * too (what it was paid for is on chain, and never paid twice). */
    char rdata[DEVNET_PATH_MAX];
    snprintf(rdata, sizeof rdata, "%s/router-1", d->dir);
    if (access(rdata, F_OK) == 0 && cli_rmtree(rdata))
        return cli_fail("cannot clear %s", rdata);
    if (set_price(d) || write_scenario(d) ||
        devnet_group_start(d, &ws.router) || router_setup(d) ||
        devnet_group_start(d, &ws.hs) || devnet_group_start(d, &ws.radio))
        return 1;
    ws.ready = 1;
    return 0;
}

void devnet_wireless_watch(devnet *d)
{
    if (!ws.ready)
        return;
    devnet_group_watch(d, &ws.router);
    devnet_group_watch(d, &ws.hs);
    devnet_group_watch(d, &ws.radio);
}

void devnet_wireless_stop(devnet *d)
{
    (void)d;
    devnet_group_stop(&ws.radio);
    devnet_group_stop(&ws.hs);
    devnet_group_stop(&ws.router);
}

int devnet_wireless_count(void)
{
    return ws.ready ? ws.hs.n : 0;
}

/* "; witnesses 40 valid, 6 rejected (rssi_impossible 5, late 1); density
 * scale 0.25..1.00; 12 packets (15 DC)" for settled epoch E, from
 * /v1/wireless/epoch/E ("" when the node has none). */
void devnet_wireless_tail(const devnet *d, uint64_t epoch, char *out,
                          size_t len)
{
    char path[64], reasons[160] = "";
    json_t *j, *v;
    snode_err ne;
    const char *k;
    size_t n = 0;
    out[0] = '\0';
    snprintf(path, sizeof path, "/v1/wireless/epoch/%llu",
             (unsigned long long)epoch);
    if (!ws.ready || snode_get(d->seq.url, path, &j, &ne))
        return;
    json_object_foreach(json_object_get(j, "reasons"), k, v)
    {
        long long c = json_is_string(v)
                          ? strtoll(json_string_value(v), NULL, 10)
                          : json_integer_value(v);
        if (c > 0 && strcmp(k, "ok") && n < sizeof reasons - 40)
            n += (size_t)snprintf(reasons + n, sizeof reasons - n, "%s%s %lld",
                                  n ? ", " : " (", k, c);
    }
    if (n)
        snprintf(reasons + n, sizeof reasons - n, ")");
    snprintf(out, len,
             "; beacons %lld, witnesses %lld valid, %lld rejected%s; density "
             "scale %.4s..%.4s; %lld capped; packets %lld (%lld DC)",
             jint(j, "beacons"), jint(j, "witnesses_valid"),
             jint(j, "witnesses_invalid"), reasons, jstr(j, "scale_min_text"),
             jstr(j, "scale_max_text"), jint(j, "hotspots_capped"),
             jint(j, "packets"), jint(j, "dc"));
    json_decref(j);
}
