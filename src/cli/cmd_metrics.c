/* `cairn metrics`: per-epoch network metrics from /v1/metrics as a table
 * (or JSON; with --by-sector a row per sector), or the node's Prometheus
 * exposition from /metrics. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/metrics.h"
#include "cli/econ_cli.h"

/* Prints the raw /metrics text. */
static int print_prometheus(void)
{
    snode_err why = {.msg = ""};
    char *body;
    size_t len;
    cairn_err e = snode_get_text(cli_node_url(), "/metrics", &body, &len, &why);
    if (e)
        return cli_rpc_fail(cli_node_url(), e, &why);
    fwrite(body, 1, len, stdout);
    free(body);
    return 0;
}

/* Sum of a per-sector object's counts. */
static long long sector_sum(const json_t *o)
{
    const char *k;
    json_t *v;
    long long s = 0;
    json_object_foreach((json_t *)o, k, v) s +=
        json_is_integer(v) ? (long long)json_integer_value(v) : 0;
    return s;
}

/* One table row per epoch. */
static void print_table(const json_t *j)
{
    json_t *arr = json_object_get(j, "epochs"), *e;
    size_t i;
    if (!json_array_size(arr)) {
        printf("no settled epoch in that range yet\n");
        return;
    }
    printf("%6s %13s %7s %14s %14s %14s %15s %7s %9s\n", "epoch",
           "staked/worked", "work", "revenue", "burned", "emitted",
           "net change", "staked", "velocity");
    json_array_foreach(arr, i, e)
    {
        char prov[32];
        snprintf(prov, sizeof prov, "%lld/%lld",
                 sector_sum(json_object_get(e, "staked_providers")),
                 sector_sum(json_object_get(e, "active_providers")));
        long long bps = jint(e, "staked_ratio_bps");
        printf("%6lld %13s %7lld %14s %14s %14s %15s %4lld.%02lld%% %9s\n",
               jint(e, "epoch"), prov,
               sector_sum(json_object_get(e, "work_units")), jstr(e, "revenue"),
               jstr(e, "burned"), jstr(e, "emitted"),
               jstr(e, "net_supply_change"), bps / 100, bps % 100,
               jstr(e, "velocity"));
    }
    printf("staked/worked: providers staked and not jailed / paid for work; "
           "velocity: over the last %d epochs (docs/tokenomics.md)\n",
           CAIRN_VELOCITY_WINDOW);
}

/* Sector k's amount in e's per-sector object `field` ("?" when absent). */
static const char *sector_amount(const json_t *e, const char *field,
                                 const char *k)
{
    const char *s = jstr(json_object_get(e, field), k);
    return *s ? s : "?";
}

/* One table row per sector per epoch: the sector's own providers, work,
 * revenue, burn and emission. */
static void print_sectors(const json_t *j)
{
    json_t *arr = json_object_get(j, "epochs"), *e, *v;
    size_t i;
    const char *k;
    if (!json_array_size(arr)) {
        printf("no settled epoch in that range yet\n");
        return;
    }
    printf("%6s %-9s %13s %9s %14s %14s %14s\n", "epoch", "sector",
           "staked/worked", "work", "revenue", "burned", "emitted");
    json_array_foreach(arr, i, e)
    {
        json_object_foreach(json_object_get(e, "work_units"), k, v)
        {
            char prov[32];
            snprintf(prov, sizeof prov, "%lld/%lld",
                     jint(json_object_get(e, "staked_providers"), k),
                     jint(json_object_get(e, "active_providers"), k));
            printf("%6lld %-9s %13s %9lld %14s %14s %14s\n", jint(e, "epoch"),
                   k, prov, json_integer_value(v),
                   sector_amount(e, "revenue_by_sector", k),
                   sector_amount(e, "burned_by_sector", k),
                   sector_amount(e, "emitted_by_sector", k));
        }
    }
    printf("revenue: the sector's service fees (base fees count toward no "
           "sector); burned: their burned part\n");
}

/* One table row per epoch: where the epoch's fees went (the fee split's
 * four destinations; they sum to the revenue). */
static void print_fees(const json_t *j)
{
    json_t *arr = json_object_get(j, "epochs"), *e;
    size_t i;
    if (!json_array_size(arr)) {
        printf("no settled epoch in that range yet\n");
        return;
    }
    printf("%6s %14s %14s %14s %14s %14s\n", "epoch", "revenue", "to providers",
           "burned", "to treasury", "to stakers");
    json_array_foreach(arr, i, e)
    {
        const json_t *fd = json_object_get(e, "fees_by_destination");
        printf("%6lld %14s %14s %14s %14s %14s\n", jint(e, "epoch"),
               jstr(e, "revenue"), jstr(fd, "providers"), jstr(fd, "burn"),
               jstr(fd, "treasury"), jstr(fd, "stakers"));
    }
    printf("burned here: the fee split's burn only (slashes are in "
           "`cairn metrics`' burned)\n");
}

static const char metrics_usage[] =
    "usage: cairn metrics [--from EPOCH] [--to EPOCH] [--by-sector | --fees]\n"
    "                     [--prometheus] [--node URL] [--json]\n"
    "Per-epoch metrics: active providers, work, revenue (fees), burned,\n"
    "emitted, net supply change, staked ratio and token velocity over the\n"
    "trailing 30 epochs.\n"
    "Default: the last 100 settled epochs; at most 1000 per query.\n"
    "--by-sector prints a row per sector per epoch instead: its providers,\n"
    "work, service revenue, burned part of it and emission share.\n"
    "--fees prints where each epoch's fees went: providers, burn, treasury,\n"
    "stakers (they sum to the revenue).\n"
    "--prometheus prints the node's /metrics text instead.\n";

int cmd_metrics(int argc, char **argv)
{
    const char *from = NULL, *to = NULL;
    int prom = 0, by_sector = 0, fees = 0;
    cli_opt opts[] = {{"from", &from, NULL},           {"to", &to, NULL},
                      {"by-sector", NULL, &by_sector}, {"fees", NULL, &fees},
                      {"prometheus", NULL, &prom},     {NULL, NULL, NULL}};
    cli_args a;
    uint64_t f = 0, t = 0;
    char path[128] = "/v1/metrics";
    json_t *j;
    int rc = cli_parse(argc, argv, "metrics", metrics_usage, opts, 0, &a);
    if (rc)
        return CLI_EXIT(rc);
    if (prom)
        return print_prometheus();
    if ((from && econ_parse_u64(from, "--from", &f)) ||
        (to && econ_parse_u64(to, "--to", &t)))
        return 1;
    if (from && to)
        snprintf(path, sizeof path, "/v1/metrics?from=%llu&to=%llu",
                 (unsigned long long)f, (unsigned long long)t);
    else if (from || to)
        snprintf(path, sizeof path, "/v1/metrics?%s=%llu", from ? "from" : "to",
                 (unsigned long long)(from ? f : t));
    if (api_get(cli_node_url(), path, &j))
        return 1;
    if (cli.json)
        cli_print_json(j);
    else if (by_sector)
        print_sectors(j);
    else if (fees)
        print_fees(j);
    else
        print_table(j);
    json_decref(j);
    return 0;
}
