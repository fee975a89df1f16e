/* `cairn wireless route register | close | ls | run` (route.h). */
#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/conn.h"
#include "cairn/parse.h"
#include "cli/cli.h"
#include "sectors/wireless/data.h"
#include "wireless/route/route_int.h"

static const char route_usage[] =
    "usage: cairn wireless route <register|close|ls|run> [options]\n"
    "  register --devaddr BASE/BITS --endpoint HOST:PORT [--join-eui EUI]\n"
    "           --key FILE       claim a DevAddr range (8 hex digits / 8..32)\n"
    "                            for the router daemon at HOST:PORT; again to\n"
    "                            move the endpoint or JoinEUI\n"
    "  close --devaddr BASE/BITS --key FILE   give the range back\n"
    "  ls                        every route on chain\n"
    "  run --listen HOST:PORT --key FILE --devices FILE [--data DIR]\n"
    "      [--devaddr BASE/BITS] the router daemon: buys its devices' uplinks\n"
    "                            from hotspots with signed packet receipts\n"
    "  All take --node URL (the node API).\n";

static int parse_range(const char *s, uint32_t *base, uint8_t *bits)
{
    if (!s || cairn_route_parse(s, base, bits))
        return cli_fail("wireless route: --devaddr: give BASE/BITS, BASE 8 "
                        "hex digits with no bit set below its BITS (8..32) "
                        "prefix, e.g. 26000000/8");
    return 0;
}

static int send_body(const char *key, uint16_t kind, const cairn_buf *b)
{
    cairn_keypair kp;
    json_t *reply = NULL;
    int status = 0;
    if (cli_load_key(key, &kp))
        return 1;
    cli_tx t = {.kp = &kp};
    int rc = cli_send_tx(&t, kind, b->p, b->len, &status, &reply);
    cairn_keypair_wipe(&kp);
    if (!rc)
        cli_print_submitted(reply, status);
    json_decref(reply);
    return rc;
}

static int sub_register(int argc, char **argv)
{
    const char *key = NULL, *range = NULL, *ep = NULL, *join = NULL;
    cli_opt opts[] = {{"key", &key, NULL},
                      {"devaddr", &range, NULL},
                      {"endpoint", &ep, NULL},
                      {"join-eui", &join, NULL},
                      {NULL, NULL, NULL}};
    cli_args a;
    cairn_route_set r = {0};
    char host[CAIRN_HOST_MAX + 1];
    int port;
    uint8_t eui[8];
    int rc = cli_parse(argc, argv, "wireless route register", route_usage, opts,
                       0, &a);
    if (rc)
        return CLI_EXIT(rc);
    if (!key)
        return cli_fail("wireless route register: --key FILE is required");
    if (parse_range(range, &r.devaddr_base, &r.bits))
        return 1;
    if (!ep || strlen(ep) > CAIRN_ENDPOINT_MAX ||
        cairn_endpoint_parse(ep, host, &port))
        return cli_fail("wireless route register: --endpoint: give the "
                        "router daemon's HOST:PORT");
    snprintf(r.endpoint, sizeof r.endpoint, "%s", ep);
    if (join) {
        if (strlen(join) != 16 || cairn_hex_decode(eui, 8, join, 16))
            return cli_fail("wireless route register: --join-eui: give 16 "
                            "hex digits");
        for (int i = 0; i < 8; i++)
            r.join_eui = r.join_eui << 8 | eui[i];
    }
    cairn_buf b;
    cairn_buf_init(&b, 256);
    cairn_route_set_encode(&b, &r);
    rc = send_body(key, WDATA_TX_ROUTE_SET, &b);
    cairn_buf_free(&b);
    return rc;
}

static int sub_close(int argc, char **argv)
{
    const char *key = NULL, *range = NULL;
    cli_opt opts[] = {
        {"key", &key, NULL}, {"devaddr", &range, NULL}, {NULL, NULL, NULL}};
    cli_args a;
    uint32_t base;
    uint8_t bits;
    int rc =
        cli_parse(argc, argv, "wireless route close", route_usage, opts, 0, &a);
    if (rc)
        return CLI_EXIT(rc);
    if (!key)
        return cli_fail("wireless route close: --key FILE is required");
    if (parse_range(range, &base, &bits))
        return 1;
    cairn_buf b;
    cairn_buf_init(&b, 16);
    cairn_route_close_encode(&b, base, bits);
    rc = send_body(key, WDATA_TX_ROUTE_CLOSE, &b);
    cairn_buf_free(&b);
    return rc;
}

static int sub_ls(int argc, char **argv)
{
    cli_args a;
    json_t *o;
    int rc =
        cli_parse(argc, argv, "wireless route ls", route_usage, NULL, 0, &a);
    if (rc)
        return CLI_EXIT(rc);
    if (api_get(cli_node_url(), "/v1/wireless/routes", &o))
        return 1;
    if (cli.json) {
        cli_print_json(o);
    } else {
        size_t i;
        json_t *r;
        json_t *arr = json_object_get(o, "routes");
        if (json_array_size(arr) == 0)
            printf("no routes\n");
        json_array_foreach(arr, i, r)
            printf("%-12s %-22s join %-16s %s\n", jstr(r, "devaddr"),
                   jstr(r, "endpoint"),
                   jstr(r, "join_eui")[0] ? jstr(r, "join_eui") : "-",
                   jstr(r, "owner"));
    }
    json_decref(o);
    return 0;
}

static int sub_run(int argc, char **argv)
{
    const char *key = NULL, *listen = NULL, *devices = NULL, *data = NULL,
               *range = NULL;
    cli_opt opts[] = {{"key", &key, NULL},         {"listen", &listen, NULL},
                      {"devices", &devices, NULL}, {"data", &data, NULL},
                      {"devaddr", &range, NULL},   {NULL, NULL, NULL}};
    cli_args a;
    char why[512] = "";
    int rc =
        cli_parse(argc, argv, "wireless route run", route_usage, opts, 0, &a);
    if (rc)
        return CLI_EXIT(rc);
    if (!key || !listen || !devices)
        return cli_fail("wireless route run: --key, --listen and --devices "
                        "are required");
    rt_router *r = calloc(1, sizeof *r);
    if (!r)
        return cli_fail("out of memory");
    pthread_mutex_init(&r->mu, NULL);
    r->window = 4;
    if (range && parse_range(range, &r->base, &r->bits)) {
        free(r);
        return 1;
    }
    r->has_range = range != NULL;
    if (cli_load_key(key, &r->kp)) {
        free(r);
        return 1;
    }
    cairn_err e = rt_load_devices(r, devices, why, sizeof why);
    if (e) {
        rc = cli_fail("wireless route run: %s", why[0] ? why : "bad devices");
        goto out;
    }
    if (data) {
        if (strlen(data) > sizeof r->state_path - 32) {
            rc = cli_fail("wireless route run: --data path too long");
            goto out;
        }
        snprintf(r->state_path, sizeof r->state_path, "%s/router-state.json",
                 data);
        if (mkdir(data, 0700) && errno != EEXIST) {
            rc = cli_fail("wireless route run: cannot create %s: %s", data,
                          strerror(errno));
            goto out;
        }
        if ((e = rt_state_load(r))) {
            rc = cli_fail("wireless route run: %s: %s", r->state_path,
                          cairn_strerror(e));
            goto out;
        }
    }
    rc = rt_run(r, listen, cli_node_url());
out:
    rt_free(r);
    cairn_keypair_wipe(&r->kp);
    pthread_mutex_destroy(&r->mu);
    free(r);
    return rc;
}

int cmd_wireless_route(int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*run)(int, char **);
    } subs[] = {{"register", sub_register},
                {"close", sub_close},
                {"ls", sub_ls},
                {"run", sub_run}};
    if (argc < 1 || !strcmp(argv[0], "--help") || !strcmp(argv[0], "-h")) {
        fputs(route_usage, argc < 1 ? stderr : stdout);
        return argc < 1 ? 2 : 0;
    }
    for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++)
        if (!strcmp(argv[0], subs[i].name))
            return subs[i].run(argc - 1, argv + 1);
    return cli_fail("wireless route: unknown subcommand \"%s\" (see cairn "
                    "wireless route --help)",
                    argv[0]);
}
