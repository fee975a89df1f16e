/* Test harness for integration tests: temp dirs, a test network's keys and
 * genesis, and real `cairn node` processes started and stopped by PID. */
#ifndef CAIRN_TEST_HARNESS_H
#define CAIRN_TEST_HARNESS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cairn/crypto.h"

#define H_MAX_ACCOUNTS 16

typedef struct h_net {
    char dir[256]; /* temp dir holding everything */
    char genesis[300];
    char seq_key[300];
    cairn_keypair seq;
    cairn_keypair acct[H_MAX_ACCOUNTS];
    int nacct;
    int port;
} h_net;

/* When set, runs in every child the harness starts, just before exec
 * (e.g. to lower a resource limit of the node under test). */
extern void (*h_child_setup)(void);

/* Creates a temp dir, keys from fixed seeds (sequencer, nacct accounts each
 * funded with `tokens`), and a genesis file with the given block interval.
 * Aborts the test (exit 1) on any failure. */
void h_net_setup(h_net *net, int nacct, const char *tokens, uint32_t block_ms);
/* Runs `cairn init` for a data dir under net->dir named `name`. */
void h_init_chain(const h_net *net, const char *name, char *datadir,
                  size_t len);
/* Starts `cairn node` on the data dir (sequencer if follow_url is NULL) on
 * port, waits until /v1/status answers (up to 20 s). Returns the PID. */
pid_t h_start_node(const h_net *net, const char *datadir, int port,
                   const char *follow_url);
/* Sends sig to pid and waits for it to exit (SIGKILL after 15 s). Returns
 * the exit status as waitpid gives it. */
int h_stop(pid_t pid, int sig);
/* fork+exec of argv with stdout and stderr appended to files (NULL:
 * inherited); returns the pid (h_child_setup runs in the child). */
pid_t h_spawn(char *const argv[], const char *out, const char *err);
/* Runs argv to its end, at most limit_ms (then SIGKILL: -1); returns its
 * exit code (128 + signal when killed). */
int h_run(char *const argv[], const char *out, const char *err, int limit_ms);
/* GETs url and returns the parsed integer field `field` of the JSON reply,
 * or -1. */
long long h_get_int(const char *url, const char *field);
/* A free-looking port in 20000..45000, varied per process. */
int h_port(void);
/* rm -rf of net->dir. */
void h_net_cleanup(h_net *net);

#endif
