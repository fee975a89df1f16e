/* `cairn compute ls | status | deposit | close`: a tenant's orders and
 * leases as the chain holds them, and the two transactions that change
 * a running lease's money. */
#include <stdio.h>
#include <string.h>

#include "cairn/amount.h"
#include "cairn/compute.h"
#include "compute/cli/compute_cli.h"

static const char ls_usage[] =
    "usage: cairn compute ls [--key FILE] [--provider ADDR] [--open] "
    "[--node URL] [--json]\n"
    "Lists your orders and leases (id, state, workload, price per epoch,\n"
    "escrow left, paid so far, provider). --provider lists the leases a\n"
    "provider won instead; --open lists every order taking bids.\n";

/* Lists one query's pages; with JSON, one array. */
static int ls_pages(const char *query)
{
    char path[256];
    uint64_t after = 0;
    json_t *all = json_array(), *r;
    int more = 1, rc = 0;
    while (more && !rc) {
        snprintf(path, sizeof path, "/v1/compute/leases?%s&after=%llu", query,
                 (unsigned long long)after);
        if ((rc = api_get(cli_node_url(), path, &r)))
            break;
        json_t *ls = json_object_get(r, "leases"), *l;
        size_t i;
        json_array_foreach(ls, i, l)
        {
            json_array_append(all, l);
            after = (uint64_t)jint(l, "id");
        }
        more = json_is_true(json_object_get(r, "more")) && json_array_size(ls);
        json_decref(r);
    }
    if (!rc && cli.json) {
        cli_print_json(all);
    } else if (!rc) {
        size_t i;
        json_t *l;
        if (!json_array_size(all))
            printf("no orders or leases\n");
        json_array_foreach(all, i, l) ccli_print_lease_line(l);
    }
    json_decref(all);
    return rc;
}

int ccmd_ls(int argc, char **argv)
{
    const char *key = NULL, *prov = NULL;
    int open = 0;
    cli_opt opts[] = {{"key", &key, NULL},
                      {"provider", &prov, NULL},
                      {"open", NULL, &open},
                      {NULL, NULL, NULL}};
    cli_args a;
    cairn_keypair kp;
    char q[160], addr[CAIRN_ADDR_TEXT_LEN + 1];
    int rc = cli_parse(argc, argv, "compute ls", ls_usage, opts, 0, &a);
    if (rc)
        return CLI_EXIT(rc);
    if (open)
        return ls_pages("state=open");
    if (prov) {
        snprintf(q, sizeof q, "provider=%s", prov);
        return ls_pages(q);
    }
    if (ccli_key(key, &kp))
        return 1;
    cairn_addr_format(addr, &kp.pk);
    cairn_keypair_wipe(&kp);
    snprintf(q, sizeof q, "tenant=%s", addr);
    return ls_pages(q);
}

/* ---- deposit, close ---- */

static const char deposit_usage[] =
    "usage: cairn compute deposit LEASE TOKENS [--key FILE] [--node URL]\n"
    "Adds TOKENS to the lease's escrow. A paused lease (its escrow could not\n"
    "pay the next epoch) runs again once the escrow covers a full epoch.\n";

int ccmd_deposit(int argc, char **argv)
{
    const char *key = NULL;
    cli_opt opts[] = {{"key", &key, NULL}, {NULL, NULL, NULL}};
    cli_args a;
    cairn_keypair kp;
    uint64_t id, amount;
    int rc =
        cli_parse(argc, argv, "compute deposit", deposit_usage, opts, 2, &a);
    if (rc)
        return CLI_EXIT(rc);
    if (a.npos != 2)
        return cli_fail("compute deposit: give LEASE and TOKENS");
    if (ccli_lease_id(a.pos[0], &id))
        return 1;
    cairn_err e = cairn_amount_parse(&amount, a.pos[1]);
    if (e || amount == 0)
        return cli_fail("compute deposit: \"%s\" is not a positive amount "
                        "of tokens",
                        a.pos[1]);
    if (ccli_key(key, &kp))
        return 1;
    cairn_buf b;
    cairn_buf_init(&b, CAIRN_LEASE_DEPOSIT_LEN);
    cairn_lease_deposit_encode(&b, id, amount);
    rc = ccli_send(&kp, CAIRN_TX_LEASE_DEPOSIT, &b, NULL);
    cairn_keypair_wipe(&kp);
    if (!rc)
        printf("lease %llu: %s tokens added to its escrow\n",
               (unsigned long long)id, a.pos[1]);
    return rc;
}

static const char close_usage[] =
    "usage: cairn compute close LEASE [--key FILE] [--node URL]\n"
    "Ends the lease (or cancels an order still taking bids). The provider\n"
    "is paid for the blocks it ran this epoch if it reported them; the rest\n"
    "of the escrow returns to you, and the provider stops the workload and\n"
    "deletes its files: fetch what you need first.\n";

int ccmd_close(int argc, char **argv)
{
    const char *key = NULL;
    cli_opt opts[] = {{"key", &key, NULL}, {NULL, NULL, NULL}};
    cli_args a;
    cairn_keypair kp;
    uint64_t id;
    json_t *l;
    int rc = cli_parse(argc, argv, "compute close", close_usage, opts, 1, &a);
    if (rc)
        return CLI_EXIT(rc);
    if (a.npos != 1)
        return cli_fail("compute close: give the LEASE");
    if (ccli_lease_id(a.pos[0], &id) || ccli_key(key, &kp))
        return 1;
    cairn_buf b;
    cairn_buf_init(&b, CAIRN_LEASE_CLOSE_LEN);
    cairn_lease_close_encode(&b, id);
    rc = ccli_send(&kp, CAIRN_TX_LEASE_CLOSE, &b, NULL);
    cairn_keypair_wipe(&kp);
    if (rc || ccli_lease(id, &l))
        return 1;
    printf("lease %llu closed: paid %s to the provider in all, %s returned "
           "to you\n",
           (unsigned long long)id, jstr(l, "paid"), jstr(l, "refunded"));
    json_decref(l);
    return 0;
}

/* ---- status ---- */

static const char status_usage[] =
    "usage: cairn compute status LEASE [--key FILE] [--no-provider] "
    "[--node URL] [--json]\n"
    "Shows the lease as the chain holds it (state, price, escrow, paid,\n"
    "reports) and, unless --no-provider, what its provider says of the\n"
    "workload (state, exit code, disk used, and for a published port the\n"
    "endpoint and your access token).\n";

static void print_chain(const json_t *l)
{
    printf("lease     %lld  %s%s%s\n", jint(l, "id"), jstr(l, "state"),
           *jstr(l, "end_reason") ? ", ended by " : "", jstr(l, "end_reason"));
    printf("asks      %lld cores, %lld MiB memory, %lld MiB disk, port %lld, "
           "up to %lld epochs, at most %s per epoch\n",
           jint(l, "cpus"), jint(l, "memory_mib"), jint(l, "disk_mib"),
           jint(l, "port"), jint(l, "max_epochs"), jstr(l, "max_price"));
    if (!strcmp(jstr(l, "state"), "open")) {
        printf("bids      %lld so far; the window ends at block %lld\n",
               jint(l, "nbids"), jint(l, "bid_end"));
        return;
    }
    printf("provider  %s at %s per epoch since epoch %lld\n",
           jstr(l, "provider"), jstr(l, "price"), jint(l, "start_epoch"));
    printf("money     %s in escrow; %s paid, %s refunded, of %s put in\n",
           jstr(l, "escrow"), jstr(l, "paid"), jstr(l, "refunded"),
           jstr(l, "deposited"));
    char last[24] = "never";
    if (jint(l, "last_report") >= 0)
        snprintf(last, sizeof last, "%lld", jint(l, "last_report"));
    printf("reports   last in epoch %s; %lld epochs missed in a row; "
           "workload %s",
           last, jint(l, "missed"), jstr(l, "work_state"));
    if (!strcmp(jstr(l, "work_state"), "exited"))
        printf(" (exit code %lld)", jint(l, "exit_code"));
    printf("\n");
    if (!strcmp(jstr(l, "state"), "paused"))
        printf("PAUSED    the escrow cannot pay the next epoch: add tokens "
               "with `cairn compute deposit %lld TOKENS`\n",
               jint(l, "id"));
}

int ccmd_status(int argc, char **argv)
{
    const char *key = NULL;
    int no_prov = 0;
    cli_opt opts[] = {{"key", &key, NULL},
                      {"no-provider", NULL, &no_prov},
                      {NULL, NULL, NULL}};
    cli_args a;
    uint64_t id;
    json_t *l;
    int rc = cli_parse(argc, argv, "compute status", status_usage, opts, 1, &a);
    if (rc)
        return CLI_EXIT(rc);
    if (a.npos != 1)
        return cli_fail("compute status: give the LEASE");
    if (ccli_lease_id(a.pos[0], &id) || ccli_lease(id, &l))
        return 1;
    int live = !strcmp(jstr(l, "state"), "active") ||
               !strcmp(jstr(l, "state"), "paused");
    json_t *w = NULL;
    if (live && !no_prov) {
        cairn_keypair kp;
        if (ccli_key(key, &kp)) {
            json_decref(l);
            return 1;
        }
        rc = ccli_workload(&kp, id, &w);
        cairn_keypair_wipe(&kp);
    }
    if (cli.json) {
        if (w)
            json_object_set(l, "workload", w);
        cli_print_json(l);
    } else {
        print_chain(l);
        if (w)
            ccli_print_workload(w);
    }
    json_decref(w);
    json_decref(l);
    return rc;
}
