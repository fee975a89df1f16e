/* Internal: helpers shared by `cairn provider` (cmd_provider.c) and
 * `cairn delegate | undelegate | claim` (cmd_delegate.c). */
#ifndef CAIRN_CLI_STAKING_H
#define CAIRN_CLI_STAKING_H

#include "cairn/crypto.h"
#include "cli/econ_cli.h"

#define STK_ADDR_MAX (CAIRN_ADDR_TEXT_LEN + 1)

/* The address of a key file, as text. Returns 0, or 1 after printing. */
int stk_key_addr(const char *keyfile, char addr[STK_ADDR_MAX]);

/* GETs path without printing API errors: returns the HTTP status (0 when
 * no answer came, printed) and, for 2xx, *out a new reference (caller
 * decrefs); *out is NULL otherwise. */
int stk_get_quiet(const char *path, json_t **out);

/* After an UNBOND or UNDELEGATE of `amount_units` by `addr` committed
 * (reply: the node's answer): finds the newest unbonding entry of addr and
 * prints when it is released (or, with --json, the reply with the entry's
 * release_epoch and release_height added). Returns the exit status. */
int stk_report_unbond(const json_t *reply, const char *addr);

/* Prints the committed-tx line ("tx H committed in block N"). */
void stk_print_committed(const json_t *reply);

#endif
