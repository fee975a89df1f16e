/* The tenant's commands, `cairn compute deploy | ls | status | logs |
 * fetch | deposit | close | tunnel` (docs/compute.md), and the helpers
 * they share. */
#ifndef CAIRN_COMPUTE_CLI_H
#define CAIRN_COMPUTE_CLI_H

#include <jansson.h>
#include <stdint.h>

#include "cairn/codec.h"
#include "cairn/crypto.h"
#include "cli/cli.h"

/* `cairn compute SUBCOMMAND ...` */
int cmd_compute(int argc, char **argv);
/* `cairn subnet SUBCOMMAND ...` (cmd_subnet.c) */
int cmd_subnet(int argc, char **argv);

/* The subcommands (argv after the subcommand's name). */
int ccmd_deploy(int argc, char **argv);
int ccmd_ls(int argc, char **argv);
int ccmd_status(int argc, char **argv);
int ccmd_deposit(int argc, char **argv);
int ccmd_close(int argc, char **argv);
int ccmd_logs(int argc, char **argv);
int ccmd_fetch(int argc, char **argv);
int ccmd_tunnel(int argc, char **argv);
int ccmd_job(int argc, char **argv);

/* Loads --key, else $CAIRN_KEY, else ~/.cairn/key. Returns 0 or 1
 * (printed). */
int ccli_key(const char *opt, cairn_keypair *kp);
/* Parses a lease id. Returns 0 or 1 (printed). */
int ccli_lease_id(const char *s, uint64_t *id);
/* GETs /v1/compute/lease/ID into *out (a new reference). Returns 0 or 1
 * (printed). */
int ccli_lease(uint64_t id, json_t **out);
/* Sends a compute transaction of `kind` with the body in b (freed here)
 * and waits for its block (*height, may be NULL). Returns 0 or 1
 * (printed). */
int ccli_send(const cairn_keypair *kp, uint16_t kind, cairn_buf *b,
              uint64_t *height);
/* Sends the manifest bytes to the lease's provider, retrying while the
 * provider has not seen the lease yet. Returns 0 or 1 (printed). */
int ccli_send_manifest(const cairn_keypair *kp, uint64_t lease,
                       const uint8_t *bytes, size_t len);
/* Prints the workload's output until it ends. Returns 0 or 1. */
int ccli_follow_logs(const cairn_keypair *kp, uint64_t lease);
/* Asks the lease's provider how its workload stands: *out (a new
 * reference) holds "state", "exit_code", "disk_used", "log_size" and,
 * for a published port, "endpoint" and "token". Returns 0 or 1
 * (printed). */
int ccli_workload(const cairn_keypair *kp, uint64_t lease, json_t **out);
void ccli_print_workload(const json_t *w);
/* One line about a lease for ls and deploy. */
void ccli_print_lease_line(const json_t *l);

#endif
