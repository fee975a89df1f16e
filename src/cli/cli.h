/* The `cairn` command: shared declarations of the subcommands and helpers. */
#ifndef CAIRN_CLI_H
#define CAIRN_CLI_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "cairn/codec.h"
#include "cairn/crypto.h"
#include "net/node_rpc.h"

#define CLI_DEFAULT_NODE "http://127.0.0.1:8645"
#define CLI_MAX_POS 4

/* Options every subcommand may take, set by the parser (cli.c). */
typedef struct cli_common {
    const char *node;  /* --node URL; NULL: $CAIRN_NODE or the default */
    int json;          /* --json: print data as JSON */
    const char *argv0; /* how cairn was started ("./build/cairn") */
} cli_common;

extern cli_common cli;

/* One option of a subcommand: "--name VALUE" into *val, or a flag "--name"
 * that sets *flag to 1. */
typedef struct cli_opt {
    const char *name;
    const char **val;
    int *flag;
} cli_opt;

/* Parsed command line of one subcommand. */
typedef struct cli_args {
    const char *pos[CLI_MAX_POS]; /* positional arguments (borrowed argv) */
    int npos;
} cli_args;

/* Parses argv[0..argc) (the words after the subcommand) against opts (a
 * table ending in {NULL}); --help, --json and --node are always accepted.
 * Returns 0 to go on; -1 after --help (usage printed to stdout); 2 after an
 * error (printed). CLI_EXIT turns a non-zero result into the exit status. */
int cli_parse(int argc, char **argv, const char *cmd, const char *usage,
              const cli_opt *opts, int maxpos, cli_args *a);
#define CLI_EXIT(r) ((r) < 0 ? 0 : (r))

/* One subcommand of a command with subcommands. */
typedef struct cli_sub {
    const char *name;
    int (*run)(int argc, char **argv);
} cli_sub;

/* Runs subcommand argv[0] of `cmd` ("wireless", "sensor map") from
 * subs[0..n): no words print usage to stderr (exit status 2), --help or -h
 * to stdout (0); an unknown word fails naming cmd's --help (1). */
int cli_dispatch(int argc, char **argv, const char *cmd, const char *usage,
                 const cli_sub *subs, size_t n);

/* Prints "cairn: <message>" to stderr; returns 1 (the exit status). */
/* Reads an option file (cli_config.c) into the opts the command line left
 * unset. Returns the file's text, which the values point into (the caller
 * frees it after the last use), or NULL after printing what is wrong. */
char *cli_config_load(const char *path, const cli_opt *opts, int argc,
                      char **argv);
int cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints a JSON value pretty-printed to stdout. Does not take ownership. */
void cli_print_json(const json_t *j);

/* Base URL of the node to talk to: --node, else $CAIRN_NODE, else the
 * default. Borrowed; never NULL. */
const char *cli_node_url(void);

/* GETs base+path through the node API client (net/node_rpc.h). On
 * success *out is a new reference the caller releases with json_decref.
 * On any failure (no answer, an API error, bad JSON) prints why and
 * returns 1. */
int api_get(const char *base, const char *path, json_t **out);
/* Prints a failure of the node API client at base as one line: "no answer
 * from the node at BASE: ..." when no reply came (why->status 0), else
 * the reason (the node's message for an API error). Returns 1 (the exit
 * status). */
int cli_rpc_fail(const char *base, cairn_err e, const snode_err *why);

/* How to sign a transaction: the key, and the fee and nonce when given
 * (NULL: the network's minimum fee, the account's next nonce). */
typedef struct cli_tx {
    const cairn_keypair *kp;
    const uint64_t *fee;
    const uint64_t *nonce;
    int no_wait; /* 1: do not wait for the block */
} cli_tx;

/* Signs a transaction of `kind` with `body` for the network of the node
 * (cli_node_url) and submits it. On success *status is 202 (pending) or
 * 200 (committed) and *reply the node's answer (a new reference the caller
 * releases). Prints any failure; returns the exit status. */
int cli_send_tx(const cli_tx *t, uint16_t kind, const uint8_t *body, size_t len,
                int *status, json_t **reply);
/* cli_send_tx of the bytes in b with kp, the minimum fee and the next
 * nonce, waiting for the block; frees b (an encoding error in b is
 * printed and sends nothing). *reply as cli_send_tx's (NULL on failure).
 * Returns the exit status. */
int cli_send_body(const cairn_keypair *kp, uint16_t kind, cairn_buf *b,
                  int *status, json_t **reply);
/* Prints the node's answer to a submission: JSON with --json, else one
 * line ("tx H pending ..." for 202, "tx H committed in block N"). */
void cli_print_submitted(const json_t *r, int status);

/* Field readers for API replies: a string ("" when missing, borrowed from
 * the object) and an integer (-1 when missing). */
const char *jstr(const json_t *o, const char *k);
long long jint(const json_t *o, const char *k);

#define CLI_PATH_MAX 4096

/* The default key file, $HOME/.cairn/key, into out (n bytes): what keygen
 * writes and what commands whose --key is optional read. Returns 0, or 1
 * after printing why ($HOME unset or too long). */
int cli_default_key(char *out, size_t n);
/* Loads a key file, printing a clear error on failure. Returns 0 or 1. */
int cli_load_key(const char *path, cairn_keypair *kp);
/* Loads the key a command signs with: the file opt names (--key), else
 * $CAIRN_KEY, else the default key file. Returns 0, or 1 after printing
 * why. */
int cli_key(const char *opt, cairn_keypair *kp);
/* Parses a text address, printing an error naming `what` on failure. */
int cli_parse_addr(const char *s, const char *what, cairn_pubkey *pk);
/* Parses a decimal "-12.345" with at most `dec` decimals into an integer
 * scaled by 10^dec, within [lo, hi] ("--lat" 6 decimals: micro-degrees).
 * Prints an error naming `what` and returns 1 on bad input; else 0. */
int cli_parse_fixed(const char *s, unsigned dec, int64_t lo, int64_t hi,
                    const char *what, int64_t *out);
/* cli_parse_fixed without printing: 0, or 1 (not a decimal number), 2 (too
 * many decimals), 3 (out of range). */
int cli_fixed(const char *s, unsigned dec, int64_t lo, int64_t hi,
              int64_t *out);
/* Removes a directory tree (like rm -rf). Returns 0 or -1. */
int cli_rmtree(const char *path);
/* Creates a chain in data_dir from the genesis file; prints its chain id
 * and genesis hash unless quiet. Returns 0 or 1 (error printed). */
int cli_init_chain(const char *genesis, const char *data_dir, int quiet);

/* Subcommands: each takes the words after its name. */
int cmd_keygen(int argc, char **argv);
int cmd_address(int argc, char **argv);
int cmd_init(int argc, char **argv);
int cmd_node(int argc, char **argv);
int cmd_replay(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_transfer(int argc, char **argv);
int cmd_balance(int argc, char **argv);
int cmd_tx(int argc, char **argv);
int cmd_block(int argc, char **argv);
int cmd_account(int argc, char **argv);
int cmd_devnet(int argc, char **argv);

#endif
