/* `cairn status ID`, `cairn rm ID` and `cairn repair ID`: how a stored file
 * stands, ending its deals, and rebuilding its lost pieces. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/amount.h"
#include "cli/econ_cli.h"
#include "storage/cli/storage_cli.h"

/* ---- status ---- */

static const char status_usage[] =
    "usage: cairn status ID [--key FILE] [--store DIR] [--node URL] [--json]\n"
    "       cairn status [--node URL] [--json]\n"
    "Shows file ID per segment: each piece's provider, its deal on chain\n"
    "(state, faults, the last epoch proven), whether the provider answers, "
    "and\n"
    "the pieces alive (deal active and provider reachable; any K of the N\n"
    "rebuild a segment); and what the deals have paid providers so far.\n"
    "Without an ID: the node's chain id, height, tip and mempool.\n";

static void print_piece(const json_t *p)
{
    long long last = jint(p, "last_proven"), deal = jint(p, "deal");
    char dealtxt[24] = "-", lasttxt[24] = "never";
    if (deal >= 0)
        snprintf(dealtxt, sizeof dealtxt, "%lld", deal);
    if (last >= 0)
        snprintf(lasttxt, sizeof lasttxt, "%lld", last);
    printf("    piece %-3lld %s  deal %-6s %-7s faults %-3lld proven %-6s paid "
           "%-10s %s\n",
           jint(p, "index"),
           json_is_true(json_object_get(p, "alive")) ? "alive" : "LOST ",
           dealtxt, jstr(p, "deal_state"),
           jint(p, "faults") < 0 ? 0 : jint(p, "faults"), lasttxt,
           *jstr(p, "paid") ? jstr(p, "paid") : "0",
           json_is_true(json_object_get(p, "reachable"))
               ? jstr(p, "endpoint")
               : "(provider unreachable)");
}

static void print_status(const json_t *r)
{
    const json_t *s, *p;
    size_t i, j;
    printf("file      %s  %s\n", jstr(r, "id"), jstr(r, "name"));
    printf("size      %lld bytes, %lld-of-%lld pieces per segment, %s\n",
           jint(r, "size"), jint(r, "k"), jint(r, "n"),
           json_is_true(json_object_get(r, "permanent")) ? "permanent"
                                                         : "term deals");
    printf("health    %s: the weakest segment has %lld of %lld pieces alive "
           "(%lld needed)\n",
           json_is_true(json_object_get(r, "retrievable")) ? "retrievable"
                                                           : "NOT RETRIEVABLE",
           jint(r, "weakest_segment_alive"), jint(r, "n"), jint(r, "k"));
    printf("paid      %s to providers so far; %s still in escrow\n",
           jstr(r, "paid"), jstr(r, "escrow"));
    json_array_foreach(json_object_get(r, "segments"), i, s)
    {
        printf("  segment %lld: %lld alive\n", jint(s, "segment"),
               jint(s, "alive"));
        json_array_foreach(json_object_get(s, "pieces"), j, p) print_piece(p);
    }
}

int cmd_storage_status(int argc, char **argv)
{
    stor_opts so = {0};
    cli_opt opts[] = {
        {"key", &so.key, NULL}, {"store", &so.store, NULL}, {NULL, NULL, NULL}};
    cli_args a;
    sclient c;
    json_t *r = NULL;
    int rc = cli_parse(argc, argv, "status", status_usage, opts, 1, &a);
    if (rc)
        return CLI_EXIT(rc);
    if (a.npos != 1)
        return cli_fail("status: give the file's ID");
    if (stor_open(&so, &c))
        return 1;
    cairn_err e = sclient_status(&c, a.pos[0], &r);
    rc = e ? stor_fail(&c, e) : 0;
    if (!e && cli.json)
        cli_print_json(r);
    else if (!e)
        print_status(r);
    json_decref(r);
    sclient_close(&c);
    return rc;
}

int cmd_status_any(int argc, char **argv)
{
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
            return cmd_storage_status(argc, argv); /* its usage tells both */
        if (!strcmp(argv[i], "--node") || !strcmp(argv[i], "--key") ||
            !strcmp(argv[i], "--store")) {
            i++; /* skip the option's value */
            continue;
        }
        if (argv[i][0] != '-')
            return cmd_storage_status(argc, argv);
    }
    return cmd_status(argc, argv);
}

/* ---- rm ---- */

static const char rm_usage[] =
    "usage: cairn rm ID [--key FILE] [--store DIR] [--node URL] [--json]\n"
    "Ends every running deal of file ID (DEAL_END): the escrow of the epochs\n"
    "after the current one returns to you at once; providers drop the pieces.\n"
    "Then forgets the file.\n";

int cmd_rm(int argc, char **argv)
{
    stor_opts so = {0};
    cli_opt opts[] = {
        {"key", &so.key, NULL}, {"store", &so.store, NULL}, {NULL, NULL, NULL}};
    cli_args a;
    sclient c;
    uint64_t refund = 0;
    char amt[CAIRN_AMOUNT_TEXT_MAX];
    int rc = cli_parse(argc, argv, "rm", rm_usage, opts, 1, &a);
    if (rc)
        return CLI_EXIT(rc);
    if (a.npos != 1)
        return cli_fail("rm: give the file's ID");
    if (stor_open(&so, &c))
        return 1;
    cairn_err e = sclient_rm(&c, a.pos[0], &refund);
    rc = e ? stor_fail(&c, e) : 0;
    cairn_amount_format(amt, refund);
    if (!e && cli.json) {
        char units[24];
        snprintf(units, sizeof units, "%llu", (unsigned long long)refund);
        json_t *o = json_pack("{s:s, s:s, s:s}", "id", a.pos[0], "refund", amt,
                              "refund_units", units);
        cli_print_json(o);
        json_decref(o);
    } else if (!e) {
        printf("removed %s: its deals end with this epoch; %s returned from "
               "escrow\n",
               a.pos[0], amt);
    }
    sclient_close(&c);
    return rc;
}

/* ---- repair ---- */

static const char repair_usage[] =
    "usage: cairn repair ID [--min-alive M] [--key FILE] [--store DIR] [--node "
    "URL]\n"
    "For each segment of file ID with fewer than M alive pieces (default N:\n"
    "any loss), fetches K good pieces, rebuilds the lost ones and places each\n"
    "with a provider that holds no piece of that segment: a running deal "
    "moves\n"
    "to the new provider with its escrow (DEAL_REPLACE), an ended one is\n"
    "opened anew.\n";

int cmd_repair(int argc, char **argv)
{
    stor_opts so = {0};
    const char *min = NULL;
    cli_opt opts[] = {{"key", &so.key, NULL},
                      {"store", &so.store, NULL},
                      {"min-alive", &min, NULL},
                      {NULL, NULL, NULL}};
    cli_args a;
    sclient c;
    uint64_t m = 0;
    size_t fixed = 0;
    int rc = cli_parse(argc, argv, "repair", repair_usage, opts, 1, &a);
    if (rc)
        return CLI_EXIT(rc);
    if (a.npos != 1)
        return cli_fail("repair: give the file's ID");
    if (min && econ_parse_u64(min, "--min-alive", &m))
        return 1;
    if (m > 255)
        return cli_fail("--min-alive is at most 255");
    if (stor_open(&so, &c))
        return 1;
    cairn_err e = sclient_repair(&c, a.pos[0], (uint32_t)m, &fixed);
    rc = e ? stor_fail(&c, e) : 0;
    if (cli.json) {
        json_t *o = json_pack("{s:s, s:I, s:b}", "id", a.pos[0], "repaired",
                              (json_int_t)fixed, "complete", !e);
        cli_print_json(o);
        json_decref(o);
    } else {
        printf("%zu piece(s) placed with new providers\n", fixed);
    }
    sclient_close(&c);
    return rc;
}
