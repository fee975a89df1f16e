/* The economy's subcommands (cmd_gov.c, cmd_credits.c, cmd_metrics.c,
 * cmd_provider.c, cmd_delegate.c) and
 * the transaction-submission helper they share. */
#ifndef CAIRN_CLI_ECON_H
#define CAIRN_CLI_ECON_H

#include <stdint.h>

#include "cairn/codec.h"
#include "cli/cli.h"

/* Options every econ transaction takes. */
typedef struct econ_tx_opts {
    const char *key; /* --key FILE (required) */
    const char *fee; /* --fee TOKENS (default: the network minimum) */
    int no_wait;     /* --no-wait */
} econ_tx_opts;

/* Signs a transaction of `kind` with `body` using the key file, submits it
 * to the node and (unless no_wait) waits for its block. Prints the result
 * unless *reply is wanted: then *reply receives the node's answer (caller
 * decrefs) and the height is in it. Returns the exit status. */
int econ_submit(const econ_tx_opts *o, uint16_t kind, const cairn_buf *body,
                json_t **reply);

/* Parses a transaction command that takes only the common options (--key,
 * --fee, --no-wait) and up to `max_pos` positional arguments, into *o and
 * *a. Returns what cli_parse does: 0 to go on, else CLI_EXIT of it is the
 * exit status. */
int econ_tx_parse(int argc, char **argv, const char *name, const char *usage,
                  int max_pos, econ_tx_opts *o, cli_args *a);

/* Parses a token amount option into base units, printing an error naming
 * it. Returns 0 or 1. */
int econ_parse_tokens(const char *s, const char *what, uint64_t *units);
/* Parses a decimal u64, printing an error naming it. Returns 0 or 1. */
int econ_parse_u64(const char *s, const char *what, uint64_t *v);

int cmd_gov(int argc, char **argv);
int cmd_credits(int argc, char **argv);
int cmd_price(int argc, char **argv);
int cmd_metrics(int argc, char **argv);
/* `cairn sim` (cmd_sim.c): the economic simulator; `sim radio|scenario`
 * go to the wireless plug-in's simulators. */
int cmd_sim_econ(int argc, char **argv);
/* cmd_provider.c, cmd_delegate.c: providers, delegation, rewards. */
int cmd_provider(int argc, char **argv);
int cmd_delegate(int argc, char **argv);
int cmd_undelegate(int argc, char **argv);
int cmd_claim(int argc, char **argv);
/* cmd_tickets.c: the ticket funds behind lottery tickets. */
int cmd_tickets(int argc, char **argv);
/* cmd_sequencer.c: the sequencer set, equivocation evidence, and `block`
 * (cmd_block's subcommands plus `block header HEIGHT`). */
int cmd_sequencers(int argc, char **argv);
int cmd_evidence(int argc, char **argv);
int cmd_block_any(int argc, char **argv);

#endif
