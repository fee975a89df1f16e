/* `cairn status ID`, `cairn rm ID` and `cairn repair ID`: how a stored file
 * stands, ending its deals, and rebuilding its lost pieces. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/amount.h"
#include "core/json_amount.h"
#include "cli/econ_cli.h"
#include "storage/cli/storage_cli.h"

/* ---- status ---- */

static const char status_usage[] =
    "usage: cairn status ID [--no-fetch] [--key FILE] [--store DIR] [--node "
    "URL] [--json]\n"
    "       cairn status [--node URL] [--json]\n"
    "Shows file ID per segment: each piece's provider, its deal on chain\n"
    "(state, faults, the last epoch proven), whether the provider answers, "
    "and\n"
    "the pieces alive (deal active and provider reachable; repair restores\n"
    "the others); what the deals have paid providers so far; and whether the\n"
    "file is retrievable, tested as get does it: K good pieces of every\n"
    "segment fetched and checked (and dropped). --no-fetch judges from the\n"
    "deals alone (K pieces alive per segment) and downloads nothing. Exits 1\n"
    "when the file is not retrievable.\n"
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
    int ok = json_is_true(json_object_get(r, "retrievable"));
    int fetched = !strcmp(jstr(r, "checked"), "fetch");
    if (ok)
        printf("health    retrievable: %s\n",
               fetched ? "k good pieces of every segment fetched and checked, "
                         "as get does"
                       : "judged from the deals (--no-fetch), not fetched");
    else
        printf("health    NOT RETRIEVABLE: %s\n", jstr(r, "why"));
    printf("alive     the weakest segment has %lld of %lld pieces alive (deal "
           "active, provider answers)%s\n",
           jint(r, "weakest_segment_alive"), jint(r, "n"),
           jint(r, "weakest_segment_alive") >= jint(r, "n") ? ""
           : ok ? "; `cairn repair` restores the others"
                : "; too few good pieces to rebuild the others");
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
    int no_fetch = 0;
    cli_opt opts[] = {{"key", &so.key, NULL},
                      {"store", &so.store, NULL},
                      {"no-fetch", NULL, &no_fetch},
                      {NULL, NULL, NULL}};
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
    cairn_err e = sclient_status_check(&c, a.pos[0], !no_fetch, &r);
    rc = e ? stor_fail(&c, e) : 0;
    if (!e && cli.json)
        cli_print_json(r);
    else if (!e)
        print_status(r);
    if (!e && !json_is_true(json_object_get(r, "retrievable")))
        rc = cli_fail("file %s is not retrievable now: %s", jstr(r, "id"),
                      jstr(r, "why"));
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
    "Ends every running deal of file ID (DEAL_END) and forgets the file.\n"
    "Term deals: the escrow of the epochs after the current one returns to\n"
    "you at once (the current epoch is paid to a provider that proves it).\n"
    "Permanent deals: what is left of the endowment (all of it but the\n"
    "payouts of the epochs proven so far) returns once the current epoch is\n"
    "settled. Providers drop the pieces after that.\n";

static void print_rm(const char *id, const sclient_refund *r)
{
    char now[CAIRN_AMOUNT_TEXT_MAX], later[CAIRN_AMOUNT_TEXT_MAX];
    if (cli.json) {
        json_t *o =
            json_pack("{s:s, s:I}", "id", id, "epoch", (json_int_t)r->epoch);
        amount_json_set(o, "refund", r->now);
        amount_json_set(o, "endowment_returning", r->endowment);
        cli_print_json(o);
        json_decref(o);
        return;
    }
    cairn_amount_format(now, r->now);
    cairn_amount_format(later, r->endowment);
    printf("removed %s: its deals end with epoch %llu; %s tokens returned "
           "from escrow now\n",
           id, (unsigned long long)r->epoch, now);
    if (r->endowment)
        printf("the permanent deals' endowment left, %s tokens, returns when "
               "epoch %llu is settled (less that epoch's payout to a provider "
               "that proves it)\n",
               later, (unsigned long long)r->epoch);
}

int cmd_rm(int argc, char **argv)
{
    stor_opts so = {0};
    cli_opt opts[] = {
        {"key", &so.key, NULL}, {"store", &so.store, NULL}, {NULL, NULL, NULL}};
    cli_args a;
    sclient c;
    sclient_refund refund;
    int rc = cli_parse(argc, argv, "rm", rm_usage, opts, 1, &a);
    if (rc)
        return CLI_EXIT(rc);
    if (a.npos != 1)
        return cli_fail("rm: give the file's ID");
    if (stor_open(&so, &c))
        return 1;
    cairn_err e = sclient_rm(&c, a.pos[0], &refund);
    rc = e ? stor_fail(&c, e) : 0;
    if (!e)
        print_rm(a.pos[0], &refund);
    sclient_close(&c);
    return rc;
}

/* ---- repair ---- */

static const char repair_usage[] =
    "usage: cairn repair ID [--min-alive M] [--key FILE] [--store DIR] [--node "
    "URL] [--json]\n"
    "       cairn repair --watch [--min-alive M] [--key FILE] [--store DIR] "
    "[--node URL]\n"
    "For each segment of file ID with fewer than M alive pieces (default N:\n"
    "any loss), fetches K good pieces, rebuilds the lost ones and places each\n"
    "with a provider that holds no alive piece of that segment (its former\n"
    "provider first, when that one answers again): a running deal moves to\n"
    "the new provider with its escrow (DEAL_REPLACE), an ended one is opened\n"
    "anew. Exits 1 unless every lost piece was placed, saying why (e.g. every\n"
    "provider that answers already holds a piece of that segment: add\n"
    "providers).\n"
    "--watch runs until stopped (SIGTERM, Ctrl-C): once per epoch it checks\n"
    "every file in the store and repairs, back to N, each file whose weakest\n"
    "segment has fewer than M alive pieces (default K + ceil((N - K) / 2)).\n";

int cmd_repair(int argc, char **argv)
{
    stor_opts so = {0};
    const char *min = NULL;
    int watch = 0;
    cli_opt opts[] = {{"key", &so.key, NULL},
                      {"store", &so.store, NULL},
                      {"min-alive", &min, NULL},
                      {"watch", NULL, &watch},
                      {NULL, NULL, NULL}};
    cli_args a;
    sclient c;
    uint64_t m = 0;
    sclient_repaired out = {0};
    int rc = cli_parse(argc, argv, "repair", repair_usage, opts, 1, &a);
    if (rc)
        return CLI_EXIT(rc);
    if (a.npos != (watch ? 0 : 1))
        return cli_fail(watch ? "repair --watch checks every file: give no ID"
                              : "repair: give the file's ID");
    if (min && econ_parse_u64(min, "--min-alive", &m))
        return 1;
    if (m > 255)
        return cli_fail("--min-alive is at most 255");
    if (stor_open(&so, &c))
        return 1;
    if (watch) {
        rc = repair_watch(&c, (uint32_t)m);
        sclient_close(&c);
        return rc;
    }
    cairn_err e = sclient_repair(&c, a.pos[0], (uint32_t)m, &out);
    if (cli.json) {
        json_t *o = json_pack("{s:s, s:I, s:I, s:b}", "id", a.pos[0],
                              "repaired", (json_int_t)out.placed, "unplaced",
                              (json_int_t)out.unplaced, "complete", !e);
        if (e)
            json_object_set_new(o, "why", json_string(c.why));
        cli_print_json(o);
        json_decref(o);
    } else if (!e && !out.placed) {
        printf("nothing to repair: every segment has its pieces alive\n");
    } else {
        printf("%zu piece(s) placed with providers%s\n", out.placed,
               e ? "; the file is NOT back to full health" : "");
    }
    rc = e ? stor_fail(&c, e) : 0;
    sclient_close(&c);
    return rc;
}
