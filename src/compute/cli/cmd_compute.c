/* `cairn compute ...`: the dispatcher and the helpers its subcommands
 * share (keys, lease ids, lease JSON, sending transactions). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/parse.h"
#include "compute/cli/compute_cli.h"

static const char compute_usage[] =
    "usage: cairn compute SUBCOMMAND ...\n"
    "  deploy MANIFEST [--pick] [--follow]  post an order, take the best bid,\n"
    "                                       send the manifest; prints LEASE\n"
    "  ls                                   your orders and leases\n"
    "  status LEASE                         the lease on chain and its "
    "workload\n"
    "  logs LEASE [--follow]                the workload's output\n"
    "  fetch LEASE PATH [OUT]               a file of its work directory\n"
    "  deposit LEASE TOKENS                 top up the escrow (resumes a\n"
    "                                       paused lease)\n"
    "  close LEASE                          end it; the escrow left returns\n"
    "  tunnel LEASE [--listen HOST:PORT]    reach its published port\n"
    "  job TYPE --provider HOST:PORT ...    a verified-work job (transcode,\n"
    "                                       render, matmul), checked here\n"
    "Every subcommand takes --key FILE (default $CAIRN_KEY, else\n"
    "~/.cairn/key), --node URL and --help. docs/compute.md has the manifest\n"
    "format.\n";

static const cli_sub subs[] = {
    {"deploy", ccmd_deploy},   {"ls", ccmd_ls},         {"status", ccmd_status},
    {"deposit", ccmd_deposit}, {"close", ccmd_close},   {"logs", ccmd_logs},
    {"fetch", ccmd_fetch},     {"tunnel", ccmd_tunnel}, {"job", ccmd_job},
};

int cmd_compute(int argc, char **argv)
{
    return cli_dispatch(argc, argv, "compute", compute_usage, subs,
                        sizeof subs / sizeof subs[0]);
}

int ccli_key(const char *opt, cairn_keypair *kp)
{
    return cli_key(opt, kp);
}

int ccli_lease_id(const char *s, uint64_t *id)
{
    if (cairn_parse_u64(s, id))
        return cli_fail("\"%s\" is not a lease id (a number; see cairn "
                        "compute ls)",
                        s);
    return 0;
}

int ccli_lease(uint64_t id, json_t **out)
{
    char path[64];
    snprintf(path, sizeof path, "/v1/compute/lease/%llu",
             (unsigned long long)id);
    return api_get(cli_node_url(), path, out);
}

int ccli_send(const cairn_keypair *kp, uint16_t kind, cairn_buf *b,
              uint64_t *height)
{
    json_t *r;
    int status = 0;
    int rc = cli_send_body(kp, kind, b, &status, &r);
    if (!rc && height)
        *height = jint(r, "height") < 0 ? 0 : (uint64_t)jint(r, "height");
    json_decref(r);
    return rc;
}

void ccli_print_lease_line(const json_t *l)
{
    const char *prov = jstr(l, "provider");
    printf("%-6lld %-7s %-8s price %-10s escrow %-10s paid %-10s %s\n",
           jint(l, "id"), jstr(l, "state"), jstr(l, "work_state"),
           *jstr(l, "price") ? jstr(l, "price") : "-", jstr(l, "escrow"),
           jstr(l, "paid"), *prov ? prov : "(taking bids)");
}
