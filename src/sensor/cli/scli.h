/* Internal: what the `cairn sensor` subcommands share (src/sensor/cli/):
 * the parsers of their arguments (pure: unit-tested in
 * tests/unit/test_sensor_cli_args.c), the chain reads they make (the
 * current epoch, a parameter, a device's record) and sending a
 * transaction. */
#ifndef CAIRN_SENSOR_SCLI_H
#define CAIRN_SENSOR_SCLI_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "cairn/codec.h"
#include "cairn/crypto.h"
#include "net/node_rpc.h"
#include "net/node_rpc.h"

#define SCLI_MSG_MAX 256

/* ---- parsers: 0, or 1 with a message for the user in msg (n bytes) ---- */

/* A map cell: decimal ("650785638434471936"), 0x-hex ("0x0907...") or the
 * 16 hex digits the node prints as cell_hex (sn_api_parse_cell), a valid
 * hex-grid cell (src/sectors/wireless/hexgrid.h). */
int scli_parse_cell(const char *s, uint64_t *cell, char *msg, size_t n);
/* Privileges: "all", or a comma list of "location" and "telemetry" (each
 * once), into CAIRN_SENSOR_PRIV_* bits. */
int scli_parse_privs(const char *s, uint32_t *privs, char *msg, size_t n);
/* A count 1..max (periods, epochs) named `what` in the message. */
int scli_parse_count(const char *s, uint64_t max, const char *what, uint64_t *v,
                     char *msg, size_t n);
/* A time in milliseconds since 1970 (decimal), named `what`. */
int scli_parse_ms(const char *s, const char *what, uint64_t *ms, char *msg,
                  size_t n);
/* A token amount ("12.5": tokens, at most 6 decimals) into base units,
 * named `what`; zero allowed when zero_ok. */
int scli_parse_tokens(const char *s, const char *what, int zero_ok,
                      uint64_t *units, char *msg, size_t n);
/* An address, named `what`. */
int scli_parse_addr(const char *s, const char *what, cairn_pubkey *pk,
                    char *msg, size_t n);
/* The map cell named by --lat/--lon (degrees, 6 decimals) at resolution
 * res. */
int scli_cell_at(const char *lat, const char *lon, unsigned res, uint64_t *cell,
                 char *msg, size_t n);
/* Names privilege bits ("location,telemetry"), into out (n bytes). */
void scli_privs_text(uint32_t privs, char *out, size_t n);

/* ---- the chain (node API at cli_node_url()); print why on failure ---- */

/* The current epoch (/v1/params "epoch"). Returns 0, or 1. */
int scli_epoch(uint64_t *epoch);
/* A chain parameter by name from /v1/params; *v = dflt when the node does
 * not list it. Returns 0, or 1 when the node does not answer. */
int scli_param(const char *name, uint64_t dflt, uint64_t *v);
/* GET of the node API without printing: OK with *out (a new reference),
 * else the failure, with the HTTP status in why->status (0: no answer)
 * and the node's message (cli_rpc_fail prints it). */
cairn_err scli_get(const char *path, json_t **out, snode_err *why);
/* The device's record (/v1/sensor/device/ADDR; a new reference). 0, or 1
 * after printing why: "no device ADDR on chain (pair it: cairn sensor
 * pair ...)" for an unknown device. */
int scli_device(const char *addr, json_t **out);
/* 1 when the owner in dev (device addr's record) is pk; else prints that
 * `verb` needs the owner's key and returns 0. */
int scli_is_owner(const json_t *dev, const char *addr, const cairn_pubkey *pk,
                  const char *verb);

/* Signs b's bytes as a transaction of `kind` with kp, submits it and waits
 * for its block, and frees b. The node's answer is printed
 * (cli_print_submitted), or, with reply, handed over (*reply, a new
 * reference the caller releases; set only on success). Returns the exit
 * status. */
int scli_send(const cairn_keypair *kp, uint16_t kind, cairn_buf *b,
              json_t **reply);

/* A field as text: a string as is, an integer in decimal, else "-".
 * Borrowed from o, or from buf (32 bytes). */
const char *scli_field(const json_t *o, const char *k, char buf[32]);

/* Subcommand groups (cmd_sensor_map.c, cmd_sensor_read.c). */
int scli_map(int argc, char **argv);
int scli_read(int argc, char **argv);
int scli_usage_fail(const char *sub);

#endif
