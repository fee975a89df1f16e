/* `cairn wireless hotspots | hotspot ID | witnesses ID [--epoch E] |
 * coverage [--res R] [--geojson]`: what the wireless sector's chain says,
 * read from the node API (docs/wireless-chain.md, "Commands"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/parse.h"
#include "cli/cli.h"
#include "wireless/cli/wireless_cli.h"
#include "wireless/route/route.h"

static const char wireless_usage[] =
    "usage: cairn wireless SUBCOMMAND ...\n"
    "  hotspots                             every hotspot: location, gain, "
    "power\n"
    "  hotspot ADDR                         one hotspot: density scale, last "
    "epoch's\n"
    "                                       units, this epoch's beacon slot\n"
    "  witnesses ADDR [--epoch E]           its beacon's witnesses and the "
    "reports it\n"
    "                                       made, each with its verdict and "
    "why\n"
    "  coverage [--res R] [--geojson]       hexes with hotspots (R 0..12, "
    "default 8);\n"
    "                                       --geojson: a FeatureCollection for "
    "a map\n"
    "  route ...                            a router's DevAddr range "
    "(data credits)\n"
    "Every subcommand takes --node URL, --json and --help.\n";

/* "12.345678" from micro-degrees. */
static void udeg(char *out, size_t n, long long v)
{
    const char *sign = v < 0 ? "-" : "";
    unsigned long long a =
        v < 0 ? (unsigned long long)-v : (unsigned long long)v;
    snprintf(out, n, "%s%llu.%06llu", sign, a / 1000000, a % 1000000);
}

static int sub_hotspots(int argc, char **argv)
{
    cli_args a;
    char path[160], after[96] = "";
    int rc = cli_parse(argc, argv, "wireless hotspots", wireless_usage,
                       (cli_opt[]){{NULL, NULL, NULL}}, 0, &a);
    if (rc)
        return CLI_EXIT(rc);
    json_t *all = json_array();
    for (int page = 0; page < 100000; page++) {
        json_t *r, *h;
        size_t i;
        snprintf(path, sizeof path, "/v1/wireless/hotspots?limit=1000%s%s",
                 after[0] ? "&after=" : "", after);
        if (api_get(cli_node_url(), path, &r)) {
            json_decref(all);
            return 1;
        }
        json_t *arr = json_object_get(r, "hotspots");
        json_array_foreach(arr, i, h)
        {
            json_array_append(all, h);
            snprintf(after, sizeof after, "%s", jstr(h, "address"));
        }
        int more = json_is_true(json_object_get(r, "more"));
        json_decref(r);
        if (!more || !json_array_size(arr))
            break;
    }
    if (cli.json) {
        cli_print_json(all);
    } else {
        json_t *h;
        size_t i;
        if (!json_array_size(all))
            printf("no hotspots\n");
        json_array_foreach(all, i, h)
        {
            char la[32], lo[32];
            udeg(la, sizeof la, jint(h, "lat_udeg"));
            udeg(lo, sizeof lo, jint(h, "lon_udeg"));
            printf("%s  %s,%s  gain %lld cdBi  power %lld cdBm  elev %lld m  "
                   "moves %lld\n",
                   jstr(h, "address"), la, lo, jint(h, "gain_cdbi"),
                   jint(h, "tx_power_cdbm"), jint(h, "elevation_m"),
                   jint(h, "moves"));
        }
    }
    json_decref(all);
    return 0;
}

static int check_addr(const char *s)
{
    cairn_pubkey pk;
    return cli_parse_addr(s, "hotspot", &pk);
}

static int sub_hotspot(int argc, char **argv)
{
    cli_args a;
    char path[160];
    json_t *r;
    int rc = cli_parse(argc, argv, "wireless hotspot", wireless_usage,
                       (cli_opt[]){{NULL, NULL, NULL}}, 1, &a);
    if (rc)
        return CLI_EXIT(rc);
    if (a.npos != 1)
        return cli_fail("wireless hotspot: give the hotspot's address");
    if (check_addr(a.pos[0]))
        return 1;
    snprintf(path, sizeof path, "/v1/wireless/hotspot/%s", a.pos[0]);
    if (api_get(cli_node_url(), path, &r))
        return 1;
    if (cli.json) {
        cli_print_json(r);
    } else {
        char la[32], lo[32];
        json_t *b = json_object_get(r, "beacon"),
               *l = json_object_get(r, "last_epoch");
        udeg(la, sizeof la, jint(r, "lat_udeg"));
        udeg(lo, sizeof lo, jint(r, "lon_udeg"));
        printf("hotspot %s\n  location %s,%s (cell %s), gain %lld cdBi, "
               "power %lld cdBm, elevation %lld m, moves %lld\n",
               jstr(r, "address"), la, lo, jstr(r, "cell"),
               jint(r, "gain_cdbi"), jint(r, "tx_power_cdbm"),
               jint(r, "elevation_m"), jint(r, "moves"));
        printf("  density scale %s\n", jstr(r, "density_scale_text"));
        if (json_is_object(l))
            printf("  epoch %lld: beacon units %s, witness units %s%s, data "
                   "%lld DC\n",
                   jint(l, "epoch"), jstr(l, "beacon_units_text"),
                   jstr(l, "witness_units_text"),
                   json_is_true(json_object_get(l, "capped"))
                       ? " (closed-group cap)"
                       : "",
                   jint(l, "data_dc"));
        if (json_is_null(json_object_get(b, "slot")))
            printf("  epoch %lld: no beacon slot (epoch too short)\n",
                   jint(b, "epoch"));
        else
            printf("  epoch %lld (blocks %lld..%lld): beacon at block %lld, "
                   "witnesses until %lld\n",
                   jint(b, "epoch"), jint(b, "epoch_start"),
                   jint(b, "epoch_end"), jint(b, "slot"),
                   jint(b, "witness_until"));
    }
    json_decref(r);
    return 0;
}

static void print_wit(const json_t *w, const char *who)
{
    printf("  %-8s %s  %s  rssi %lld cdBm  snr %lld cdB  %s\n",
           json_is_true(json_object_get(w, "valid")) ? "valid" : "invalid",
           jstr(w, who), jstr(w, "verdict"), jint(w, "rssi_cdbm"),
           jint(w, "snr_cdb"), jstr(w, "message"));
}

static int sub_witnesses(int argc, char **argv)
{
    cli_args a;
    const char *epoch = NULL;
    char path[200];
    json_t *r, *w;
    size_t i;
    uint64_t e = 0;
    cli_opt opts[] = {{"epoch", &epoch, NULL}, {NULL, NULL, NULL}};
    int rc = cli_parse(argc, argv, "wireless witnesses", wireless_usage, opts,
                       1, &a);
    if (rc)
        return CLI_EXIT(rc);
    if (a.npos != 1)
        return cli_fail("wireless witnesses: give the hotspot's address");
    if (check_addr(a.pos[0]))
        return 1;
    if (epoch && cairn_parse_u64(epoch, &e))
        return cli_fail("wireless witnesses: --epoch must be a number");
    if (epoch)
        snprintf(path, sizeof path, "/v1/wireless/witnesses/%s?epoch=%llu",
                 a.pos[0], (unsigned long long)e);
    else
        snprintf(path, sizeof path, "/v1/wireless/witnesses/%s", a.pos[0]);
    if (api_get(cli_node_url(), path, &r))
        return 1;
    if (cli.json) {
        cli_print_json(r);
        json_decref(r);
        return 0;
    }
    json_t *b = json_object_get(r, "beacon");
    printf("hotspot %s, epoch %lld%s\n", jstr(r, "address"), jint(r, "epoch"),
           json_is_true(json_object_get(r, "settled")) ? "" : " (running)");
    if (json_is_object(b))
        printf("beacon: %s, %lld valid witnesses, units %s\n",
               jstr(b, "verdict"), jint(b, "valid_witnesses"),
               jstr(b, "units_text"));
    else
        printf("beacon: none reported\n");
    json_t *ws = json_object_get(r, "witnesses");
    printf("witnesses of its beacon (%zu):\n", json_array_size(ws));
    json_array_foreach(ws, i, w) print_wit(w, "witness");
    json_t *m = json_object_get(r, "made");
    printf("beacons it witnessed (%zu):\n", json_array_size(m));
    json_array_foreach(m, i, w) print_wit(w, "beaconer");
    json_decref(r);
    return 0;
}

/* Degrees (a JSON real) from micro-degrees. */
static json_t *deg(json_int_t u)
{
    return json_real((double)u / 1e6);
}

json_t *wireless_geojson(const json_t *cov)
{
    json_t *fc = json_object(), *feats = json_array(), *h;
    size_t i;
    json_object_set_new(fc, "type", json_string("FeatureCollection"));
    json_array_foreach(json_object_get(cov, "hexes"), i, h)
    {
        json_t *f = json_object(), *g = json_object(), *p = json_object();
        json_t *corners = json_object_get(h, "corners");
        json_object_set_new(f, "type", json_string("Feature"));
        if (json_array_size(corners) == 6) {
            json_t *ring = json_array(), *c;
            size_t j;
            json_array_foreach(corners, j, c) json_array_append_new(
                ring, json_pack("[o,o]",
                                deg(json_integer_value(json_array_get(c, 1))),
                                deg(json_integer_value(json_array_get(c, 0)))));
            json_array_append(ring, json_array_get(ring, 0));
            json_object_set_new(g, "type", json_string("Polygon"));
            json_object_set_new(g, "coordinates", json_pack("[o]", ring));
        } else {
            json_object_set_new(g, "type", json_string("Point"));
            json_object_set_new(g, "coordinates",
                                json_pack("[o,o]", deg(jint(h, "lon_udeg")),
                                          deg(jint(h, "lat_udeg"))));
        }
        json_object_set(p, "cell", json_object_get(h, "cell"));
        json_object_set(p, "hotspots", json_object_get(h, "hotspots"));
        json_object_set(p, "density_limit",
                        json_object_get(h, "density_limit"));
        json_object_set(p, "valid_witnesses",
                        json_object_get(h, "valid_witnesses"));
        json_object_set_new(f, "geometry", g);
        json_object_set_new(f, "properties", p);
        json_array_append_new(feats, f);
    }
    json_object_set_new(fc, "features", feats);
    return fc;
}

static int sub_coverage(int argc, char **argv)
{
    cli_args a;
    const char *res = NULL;
    int geo = 0;
    uint64_t r = 8;
    char path[96];
    json_t *c, *h;
    size_t i;
    cli_opt opts[] = {
        {"res", &res, NULL}, {"geojson", NULL, &geo}, {NULL, NULL, NULL}};
    int rc =
        cli_parse(argc, argv, "wireless coverage", wireless_usage, opts, 0, &a);
    if (rc)
        return CLI_EXIT(rc);
    if (res && (cairn_parse_u64(res, &r) || r > 12))
        return cli_fail("wireless coverage: --res must be 0..12");
    snprintf(path, sizeof path, "/v1/wireless/coverage?res=%llu",
             (unsigned long long)r);
    if (api_get(cli_node_url(), path, &c))
        return 1;
    if (geo) {
        json_t *g = wireless_geojson(c);
        cli_print_json(g);
        json_decref(g);
    } else if (cli.json) {
        cli_print_json(c);
    } else {
        printf("res %lld, valid witnesses of epoch %lld\n", jint(c, "res"),
               jint(c, "epoch"));
        json_array_foreach(json_object_get(c, "hexes"), i, h)
        {
            char la[32], lo[32], lim[32] = "-";
            udeg(la, sizeof la, jint(h, "lat_udeg"));
            udeg(lo, sizeof lo, jint(h, "lon_udeg"));
            if (!json_is_null(json_object_get(h, "density_limit")))
                snprintf(lim, sizeof lim, "%lld", jint(h, "density_limit"));
            printf("%s  %s,%s  hotspots %lld  limit %s  valid witnesses "
                   "%lld\n",
                   jstr(h, "cell"), la, lo, jint(h, "hotspots"), lim,
                   jint(h, "valid_witnesses"));
        }
    }
    json_decref(c);
    return 0;
}

static const cli_sub subs[] = {
    {"hotspots", sub_hotspots},    {"hotspot", sub_hotspot},
    {"witnesses", sub_witnesses},  {"coverage", sub_coverage},
    {"route", cmd_wireless_route}, /* a router's commands (route/) */
};

int cmd_wireless(int argc, char **argv)
{
    return cli_dispatch(argc, argv, "wireless", wireless_usage, subs,
                        sizeof subs / sizeof subs[0]);
}
