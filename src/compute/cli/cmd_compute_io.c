/* `cairn compute logs | fetch | tunnel` and the calls to the lease's
 * provider that deploy and status make (through the tenant client,
 * compute/client.h). */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cairn/compute.h"
#include "compute/cli/compute_cli.h"
#include "compute/client.h"
#include "storage/cli/storage_cli.h"

#define MANIFEST_TRIES 30 /* seconds the provider may take to see a lease */
#define FOLLOW_POLL_MS 1000

static void nap_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Prints the client's failure and returns 1. */
static int cfail(const cclient *c, cairn_err e)
{
    return cli_fail("%s", *c->why ? c->why : cairn_strerror(e));
}

int ccli_send_manifest(const cairn_keypair *kp, uint64_t lease,
                       const uint8_t *bytes, size_t len)
{
    cclient c;
    cairn_err e = CAIRN_OK;
    uint8_t st = 0;
    cclient_init(&c, cli_node_url(), kp);
    for (int t = 0; t < MANIFEST_TRIES; t++) {
        e = cclient_manifest(&c, lease, bytes, len, &st);
        /* the provider answers NOT_READY / NO_ORDER until it has read the
         * lease from chain; a dial can fail while it restarts */
        if (!e || e == CAIRN_ERR_BAD_MANIFEST ||
            e == CAIRN_ERR_NOT_LEASE_PARTY || e == CAIRN_ERR_LEASE_STATE)
            break;
        nap_ms(1000);
    }
    int rc = e ? cfail(&c, e) : 0;
    if (!e)
        fprintf(stderr, "manifest delivered; the workload is %s\n",
                cairn_workload_state_name(st));
    cclient_close(&c);
    return rc;
}

/* ---- status ---- */

int ccli_workload(const cairn_keypair *kp, uint64_t lease, json_t **out)
{
    cclient c;
    cairn_cp_state s;
    char tok[2 * CAIRN_CP_TOKEN_LEN + 1];
    cclient_init(&c, cli_node_url(), kp);
    cairn_err e = cclient_status(&c, lease, &s);
    int rc = e ? cfail(&c, e) : 0;
    cclient_close(&c);
    *out = NULL;
    if (rc)
        return rc;
    json_t *o = json_pack("{s:s, s:I, s:b, s:b, s:b, s:I, s:I, s:I, s:I, s:s}",
                          "state", cairn_workload_state_name(s.state),
                          "exit_code", (json_int_t)s.exit_code, "manifest",
                          (s.flags & CAIRN_CP_HAS_MANIFEST) != 0, "frozen",
                          (s.flags & CAIRN_CP_FROZEN) != 0, "resumed",
                          (s.flags & CAIRN_CP_RESUMED) != 0, "started",
                          (json_int_t)s.started, "ended", (json_int_t)s.ended,
                          "disk_used", (json_int_t)s.disk_used, "log_size",
                          (json_int_t)s.log_size, "note", s.note);
    if (*s.endpoint) {
        cairn_hex_encode(tok, s.token, sizeof s.token);
        json_object_set_new(o, "endpoint", json_string(s.endpoint));
        json_object_set_new(o, "token", json_string(tok));
    }
    *out = o;
    return 0;
}

void ccli_print_workload(const json_t *w)
{
    printf("workload  %s", jstr(w, "state"));
    if (!strcmp(jstr(w, "state"), "exited"))
        printf(", exit code %lld", jint(w, "exit_code"));
    if (json_is_true(json_object_get(w, "frozen")))
        printf(", frozen while the lease is paused");
    if (json_is_true(json_object_get(w, "resumed")))
        printf(", started again after a provider restart");
    if (!json_is_true(json_object_get(w, "manifest")))
        printf(", the provider has no manifest yet");
    printf("\n          %lld bytes on disk, %lld bytes of log%s%s\n",
           jint(w, "disk_used"), jint(w, "log_size"),
           *jstr(w, "note") ? "; " : "", jstr(w, "note"));
    if (*jstr(w, "endpoint"))
        printf("service   %s, token %s (or: cairn compute tunnel)\n",
               jstr(w, "endpoint"), jstr(w, "token"));
}

/* ---- logs ---- */

/* Prints the log from offset 0; with follow, until the workload ends. */
static int print_logs(const cairn_keypair *kp, uint64_t lease, int follow)
{
    cclient c;
    uint64_t off = 0, next;
    int ended = 0, rc = 0;
    cclient_init(&c, cli_node_url(), kp);
    for (;;) {
        uint8_t *b;
        size_t n;
        cairn_err e = cclient_logs(&c, lease, off, CAIRN_CP_CHUNK_MAX, &b, &n,
                                   &next, &ended);
        if (e) {
            rc = cfail(&c, e);
            break;
        }
        fwrite(b, 1, n, stdout);
        free(b);
        fflush(stdout);
        int more = next > off;
        off = next;
        if (more)
            continue;
        if (!follow || ended)
            break;
        nap_ms(FOLLOW_POLL_MS);
    }
    cclient_close(&c);
    return rc;
}

int ccli_follow_logs(const cairn_keypair *kp, uint64_t lease)
{
    return print_logs(kp, lease, 1);
}

static const char logs_usage[] =
    "usage: cairn compute logs LEASE [--follow] [--key FILE] [--node URL]\n"
    "Prints the workload's stdout and stderr as its provider keeps them.\n"
    "--follow goes on printing until the workload ends.\n";

int ccmd_logs(int argc, char **argv)
{
    const char *key = NULL;
    int follow = 0;
    cli_opt opts[] = {
        {"key", &key, NULL}, {"follow", NULL, &follow}, {NULL, NULL, NULL}};
    cli_args a;
    cairn_keypair kp;
    uint64_t id;
    int rc = cli_parse(argc, argv, "compute logs", logs_usage, opts, 1, &a);
    if (rc)
        return CLI_EXIT(rc);
    if (a.npos != 1)
        return cli_fail("compute logs: give the LEASE");
    if (ccli_lease_id(a.pos[0], &id) || ccli_key(key, &kp))
        return 1;
    rc = print_logs(&kp, id, follow);
    cairn_keypair_wipe(&kp);
    return rc;
}

/* ---- fetch ---- */

static const char fetch_usage[] =
    "usage: cairn compute fetch LEASE PATH [OUT] [--put [--store DIR]]\n"
    "                           [--key FILE] [--node URL]\n"
    "Copies PATH (relative to the workload's /work) from the provider into\n"
    "OUT (default: PATH's last part, in the current directory), while the\n"
    "lease lives. --put then stores OUT in the storage sector with your key\n"
    "(as `cairn put OUT` does, with its defaults) and prints its file id.\n";

/* --put: `cairn put OUT` with the same key and store. */
static int put_output(const char *out, const char *key, const char *store)
{
    char *argv[6] = {(char *)out};
    int argc = 1;
    if (key) {
        argv[argc++] = "--key";
        argv[argc++] = (char *)key;
    }
    if (store) {
        argv[argc++] = "--store";
        argv[argc++] = (char *)store;
    }
    argv[argc] = NULL;
    return cmd_put(argc, argv);
}

int ccmd_fetch(int argc, char **argv)
{
    const char *key = NULL, *store = NULL;
    int put = 0;
    cli_opt opts[] = {{"key", &key, NULL},
                      {"put", NULL, &put},
                      {"store", &store, NULL},
                      {NULL, NULL, NULL}};
    cli_args a;
    cairn_keypair kp;
    uint64_t id, size = 0;
    int rc = cli_parse(argc, argv, "compute fetch", fetch_usage, opts, 3, &a);
    if (rc)
        return CLI_EXIT(rc);
    if (a.npos < 2)
        return cli_fail("compute fetch: give LEASE and PATH");
    const char *out = a.npos == 3 ? a.pos[2] : strrchr(a.pos[1], '/');
    out = a.npos == 3 ? out : out ? out + 1 : a.pos[1];
    if (!*out)
        return cli_fail("compute fetch: PATH names no file; give OUT");
    if (ccli_lease_id(a.pos[0], &id) || ccli_key(key, &kp))
        return 1;
    cclient c;
    cclient_init(&c, cli_node_url(), &kp);
    cairn_keypair_wipe(&kp);
    cairn_err e = cclient_fetch(&c, id, a.pos[1], out, &size);
    rc = e ? cfail(&c, e) : 0;
    cclient_close(&c);
    if (!rc)
        fprintf(stderr, "%s: %llu bytes\n", out, (unsigned long long)size);
    if (!rc && put)
        rc = put_output(out, key, store);
    return rc;
}
