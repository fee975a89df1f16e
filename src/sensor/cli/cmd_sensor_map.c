/* `cairn sensor map tiles | tile CELL | bounty CELL AMOUNT --epochs N |
 * get CELL`: the sensor map's agreed tiles, their bounties, and paid reads
 * (MAP_READ, then the tile's data from the node). Cells are decimal or
 * 0x-hex ids, or --lat/--lon at the chain's sensor_tile_res. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cairn/amount.h"
#include "cairn/sensor.h"
#include "cli/cli.h"
#include "sensor/cli/scli.h"

#define TILE_RES_DEFAULT 9
#define MAP_GET_TRIES 20    /* GETs of the map data after the MAP_READ */
#define MAP_GET_WAIT_MS 250 /* between them */
#define TILES_PAGES_MAX 10000

static const char map_usage[] =
    "usage: cairn sensor map SUBCOMMAND ...\n"
    "  tiles                                tiles with agreed data\n"
    "  tile CELL                            one tile: its record, this "
    "epoch's\n"
    "                                       reports and live bounties\n"
    "  bounty CELL AMOUNT --epochs N        fund mapping CELL within N "
    "epochs\n"
    "                                       (refunded if nobody maps it)\n"
    "  get CELL                             pay map credits (MAP_READ) and "
    "print\n"
    "                                       the tile's freshest agreed data\n"
    "CELL: a decimal or 0x-hex cell id, or --lat DEG --lon DEG instead (the\n"
    "tile there at the chain's sensor_tile_res). bounty and get sign with\n"
    "--key FILE (default $CAIRN_KEY, else ~/.cairn/key); every subcommand\n"
    "takes --node URL, --json and --help.\n";

/* The cell from a positional argument or --lat/--lon. Returns 0, or 1
 * after printing why. */
static int cell_arg(const cli_args *a, int need_pos, const char *lat,
                    const char *lon, const char *cmd, uint64_t *cell)
{
    char msg[SCLI_MSG_MAX];
    if (lat || lon) {
        uint64_t res;
        if (need_pos && a->npos >= need_pos)
            return cli_fail("%s: give CELL or --lat/--lon, not both", cmd);
        if (scli_param("sensor_tile_res", TILE_RES_DEFAULT, &res))
            return 1;
        if (res > 12)
            return cli_fail("the chain's sensor_tile_res (%llu) is not a "
                            "grid resolution",
                            (unsigned long long)res);
        if (scli_cell_at(lat, lon, (unsigned)res, cell, msg, sizeof msg))
            return cli_fail("%s: %s", cmd, msg);
        return 0;
    }
    if (a->npos < need_pos)
        return cli_fail("%s: give CELL (a decimal or 0x-hex id) or "
                        "--lat/--lon",
                        cmd);
    if (scli_parse_cell(a->pos[0], cell, msg, sizeof msg))
        return cli_fail("%s: %s", cmd, msg);
    return 0;
}

static void print_tile_line(const json_t *t)
{
    char b1[32], b2[32], b3[32], b4[32], b5[32];
    uint64_t cell = 0;
    snode_u64(t, "cell", &cell);
    printf("%-20s 0x%016llx %8s %10s %12s %8s\n", scli_field(t, "cell", b1),
           (unsigned long long)cell, scli_field(t, "q", b2),
           scli_field(t, "last_agreed_epoch", b3),
           scli_field(t, "contributors", b4),
           scli_field(t, "times_agreed", b5));
}

static int map_tiles(int argc, char **argv)
{
    cli_args a;
    char path[160], after[40] = "";
    int rc = cli_parse(argc, argv, "sensor map tiles", map_usage,
                       (cli_opt[]){{NULL, NULL, NULL}}, 0, &a);
    if (rc)
        return CLI_EXIT(rc);
    json_t *all = json_array();
    for (int page = 0; page < TILES_PAGES_MAX; page++) {
        json_t *r, *t;
        size_t i;
        snprintf(path, sizeof path, "/v1/sensor/tiles?limit=100%s%s",
                 after[0] ? "&after=" : "", after);
        if (api_get(cli_node_url(), path, &r)) {
            json_decref(all);
            return 1;
        }
        json_t *arr = json_object_get(r, "tiles");
        json_array_foreach(arr, i, t)
        {
            char b[32];
            json_array_append(all, t);
            snprintf(after, sizeof after, "%s", scli_field(t, "cell", b));
        }
        int more = json_is_true(json_object_get(r, "more"));
        json_decref(r);
        if (!more || !json_array_size(arr))
            break;
    }
    if (cli.json) {
        json_t *o = json_pack("{s:O}", "tiles", all);
        cli_print_json(o);
        json_decref(o);
    } else if (!json_array_size(all)) {
        printf("no tiles with agreed data yet (a tile is agreed when devices "
               "of different owners report the same value)\n");
    } else {
        json_t *t;
        size_t i;
        printf("%-20s %-18s %8s %10s %12s %8s\n", "CELL", "HEX", "Q",
               "AGREED_EP", "CONTRIBUTORS", "TIMES");
        json_array_foreach(all, i, t) print_tile_line(t);
    }
    json_decref(all);
    return 0;
}

static int map_tile(int argc, char **argv)
{
    cli_args a;
    const char *lat = NULL, *lon = NULL;
    cli_opt opts[] = {
        {"lat", &lat, NULL}, {"lon", &lon, NULL}, {NULL, NULL, NULL}};
    char path[96];
    uint64_t cell;
    json_t *r, *x;
    size_t i;
    snode_err why;
    int rc = cli_parse(argc, argv, "sensor map tile", map_usage, opts, 1, &a);
    if (rc)
        return CLI_EXIT(rc);
    if (cell_arg(&a, 1, lat, lon, "sensor map tile", &cell))
        return 1;
    snprintf(path, sizeof path, "/v1/sensor/tile/%llu",
             (unsigned long long)cell);
    cairn_err e = scli_get(path, &r, &why);
    if (e) {
        if (why.status == 404)
            return cli_fail("tile %llu (0x%016llx) has no data on chain yet "
                            "(fund mapping it: cairn sensor map bounty %llu "
                            "AMOUNT --epochs N)",
                            (unsigned long long)cell, (unsigned long long)cell,
                            (unsigned long long)cell);
        return cli_rpc_fail(cli_node_url(), e, &why);
    }
    if (cli.json) {
        cli_print_json(r);
        json_decref(r);
        return 0;
    }
    char b1[32], b2[32], b3[32], b4[32];
    printf("tile %llu (0x%016llx)\n", (unsigned long long)cell,
           (unsigned long long)cell);
    json_t *t = json_object_get(r, "tile");
    if (json_is_object(t))
        printf("  agreed q %s in epoch %s, contributors %s, agreed %s "
               "times\n",
               scli_field(t, "q", b1), scli_field(t, "last_agreed_epoch", b2),
               scli_field(t, "contributors", b3),
               scli_field(t, "times_agreed", b4));
    else
        printf("  no agreed data yet\n");
    json_t *rep = json_object_get(r, "reports");
    printf("  this epoch's reports (%zu):\n", json_array_size(rep));
    json_array_foreach(rep, i, x)
        printf("    %s  owner %s  q %s\n", jstr(x, "device"), jstr(x, "owner"),
               scli_field(x, "q", b1));
    json_t *bo = json_object_get(r, "bounties");
    printf("  live bounties (%zu):\n", json_array_size(bo));
    json_array_foreach(bo, i, x)
    {
        uint64_t amt = 0;
        char at[CAIRN_AMOUNT_TEXT_MAX];
        snode_u64(x, "amount", &amt);
        cairn_amount_format(at, amt);
        printf("    %s tokens from %s until epoch %s\n", at, jstr(x, "funder"),
               scli_field(x, "deadline_epoch", b1));
    }
    json_decref(r);
    return 0;
}

static int map_bounty(int argc, char **argv)
{
    cli_args a;
    const char *key = NULL, *epochs = NULL, *lat = NULL, *lon = NULL;
    cli_opt opts[] = {{"key", &key, NULL},
                      {"epochs", &epochs, NULL},
                      {"lat", &lat, NULL},
                      {"lon", &lon, NULL},
                      {NULL, NULL, NULL}};
    char msg[SCLI_MSG_MAX];
    cairn_sensor_bounty x;
    cairn_keypair kp;
    uint64_t n;
    int rc = cli_parse(argc, argv, "sensor map bounty", map_usage, opts, 2, &a);
    if (rc)
        return CLI_EXIT(rc);
    int with_ll = lat || lon;
    if (a.npos != (with_ll ? 1 : 2))
        return cli_fail("sensor map bounty: give CELL AMOUNT (or AMOUNT with "
                        "--lat/--lon)");
    if (!epochs)
        return cli_fail("sensor map bounty: give --epochs N (the epochs the "
                        "tile has to be mapped in)");
    memset(&x, 0, sizeof x);
    const char *amount = a.pos[with_ll ? 0 : 1];
    if (scli_parse_tokens(amount, "AMOUNT", 0, &x.amount, msg, sizeof msg) ||
        scli_parse_count(epochs, UINT32_MAX, "--epochs", &n, msg, sizeof msg))
        return cli_fail("sensor map bounty: %s", msg);
    x.epochs = (uint32_t)n;
    if (with_ll) {
        cli_args none = {.npos = 0};
        if (cell_arg(&none, 0, lat, lon, "sensor map bounty", &x.cell))
            return 1;
    } else if (cell_arg(&a, 1, NULL, NULL, "sensor map bounty", &x.cell)) {
        return 1;
    }
    if (cli_key(key, &kp))
        return 1;
    cairn_buf b;
    cairn_buf_init(&b, 64);
    cairn_sensor_bounty_encode(&b, &x);
    rc = scli_send(&kp, CAIRN_TX_BOUNTY_FUND, &b, NULL);
    cairn_keypair_wipe(&kp);
    if (!rc && !cli.json) {
        char at[CAIRN_AMOUNT_TEXT_MAX];
        cairn_amount_format(at, x.amount);
        printf("bounty of %s tokens on tile %llu (0x%016llx) for %u epochs\n",
               at, (unsigned long long)x.cell, (unsigned long long)x.cell,
               x.epochs);
    }
    return rc;
}

static void sleep_ms(unsigned ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static int map_get(int argc, char **argv)
{
    cli_args a;
    const char *key = NULL, *lat = NULL, *lon = NULL;
    cli_opt opts[] = {{"key", &key, NULL},
                      {"lat", &lat, NULL},
                      {"lon", &lon, NULL},
                      {NULL, NULL, NULL}};
    char path[200], me[CAIRN_ADDR_TEXT_LEN + 1];
    uint64_t cell;
    cairn_keypair kp;
    json_t *r = NULL;
    snode_err why;
    int rc = cli_parse(argc, argv, "sensor map get", map_usage, opts, 1, &a);
    if (rc)
        return CLI_EXIT(rc);
    if (cell_arg(&a, 1, lat, lon, "sensor map get", &cell))
        return 1;
    if (cli_key(key, &kp))
        return 1;
    cairn_addr_format(me, &kp.pk);
    /* the tile must have agreed data: ask first, so that nothing is paid
     * for a tile the chain would refuse (NO_TILE_DATA) */
    snprintf(path, sizeof path, "/v1/sensor/tile/%llu",
             (unsigned long long)cell);
    cairn_err e = scli_get(path, &r, &why);
    if (e) {
        cairn_keypair_wipe(&kp);
        if (why.status == 404)
            return cli_fail("tile %llu (0x%016llx) has no agreed data to "
                            "read; nothing was paid (cairn sensor map tiles "
                            "lists those that have)",
                            (unsigned long long)cell, (unsigned long long)cell);
        return cli_rpc_fail(cli_node_url(), e, &why);
    }
    int agreed = json_is_object(json_object_get(r, "tile"));
    json_decref(r);
    r = NULL;
    if (!agreed) {
        cairn_keypair_wipe(&kp);
        return cli_fail("tile %llu (0x%016llx) has no agreed data to read "
                        "yet; nothing was paid (cairn sensor map tiles lists "
                        "those that have)",
                        (unsigned long long)cell, (unsigned long long)cell);
    }
    cairn_buf b;
    json_t *receipt = NULL;
    cairn_buf_init(&b, 16);
    cairn_sensor_map_read_encode(&b, cell);
    rc = scli_send(&kp, CAIRN_TX_MAP_READ, &b, &receipt);
    cairn_keypair_wipe(&kp);
    /* the read's receipt goes to stderr: stdout is the tile's data */
    if (!rc)
        fprintf(stderr, "map read of tile %llu paid: tx %s in block %lld\n",
                (unsigned long long)cell, jstr(receipt, "hash"),
                jint(receipt, "height"));
    json_decref(receipt);
    if (rc)
        return rc;
    snprintf(path, sizeof path, "/v1/sensor/map/%llu?reader=%s",
             (unsigned long long)cell, me);
    for (int i = 0; i < MAP_GET_TRIES; i++) {
        e = scli_get(path, &r, &why);
        if (!e)
            break;
        if (why.status != 402 && why.status != 404 && why.status != 0)
            return cli_rpc_fail(cli_node_url(), e, &why);
        sleep_ms(MAP_GET_WAIT_MS);
    }
    if (!r)
        return cli_fail("the node did not hand out tile %llu's data after the "
                        "read was paid (%s); run cairn sensor map get %llu "
                        "again within this epoch or the next",
                        (unsigned long long)cell, why.msg,
                        (unsigned long long)cell);
    if (cli.json) {
        cli_print_json(r);
    } else {
        char b1[32], b2[32], b3[32];
        json_t *x;
        size_t i;
        printf("tile %llu (0x%016llx): q %s, agreed in epoch %s by %s "
               "contributors\n",
               (unsigned long long)cell, (unsigned long long)cell,
               scli_field(r, "q", b1), scli_field(r, "last_agreed_epoch", b2),
               scli_field(r, "contributors", b3));
        json_array_foreach(json_object_get(r, "batches"), i, x)
            printf("  batch %s #%s  file %s\n", jstr(x, "device"),
                   scli_field(x, "seq", b1), jstr(x, "file_id"));
    }
    json_decref(r);
    return 0;
}

static const cli_sub subs[] = {
    {"tiles", map_tiles},
    {"tile", map_tile},
    {"bounty", map_bounty},
    {"get", map_get},
};

int scli_map(int argc, char **argv)
{
    return cli_dispatch(argc, argv, "sensor map", map_usage, subs,
                        sizeof subs / sizeof subs[0]);
}
