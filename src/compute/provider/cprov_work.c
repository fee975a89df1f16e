/* A lease's workload on the provider, driven one step per round by the
 * chain thread (cprov_drive):
 *
 *   waiting  --MANIFEST stored-->  staging  --inputs written-->  running
 *   running  --the workload ends-->  exited      staging --error--> failed
 *
 * staging runs on a stager thread of its own (inline files, storage
 * inputs), at most CPROV_STAGERS_MAX at once. A lease PAUSED on chain has
 * its workload frozen and thawed when ACTIVE again; nothing starts while
 * it is PAUSED. A RUNNING lease without a sandbox (the provider was
 * restarted) is started again in its work directory: "resumed". Every
 * change of phase is saved before it is acted on by anyone else. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "compute/manifest.h"
#include "compute/provider/cprov_internal.h"
#include "compute/provider/cprov_inputs.h"

#define PORT_SOCK ".cairn-port.sock"

static uint64_t now_s(void)
{
    return (uint64_t)time(NULL);
}

/* Loads and parses lease id's stored manifest into *m (freed by the
 * caller with cairn_manifest_free, also on error). */
static cairn_err load_parsed(cprov *p, uint64_t id, cairn_manifest *m,
                             char *msg, size_t len)
{
    uint8_t *b;
    size_t n;
    memset(m, 0, sizeof *m);
    cairn_err e = cprov_load_manifest(p, id, &b, &n);
    if (e) {
        snprintf(msg, len, "the stored manifest is unreadable: %s",
                 cairn_strerror(e));
        return e;
    }
    e = cairn_manifest_parse(m, b, n, msg, len);
    free(b);
    return e;
}

/* ---- staging ---- */

typedef struct stage_job {
    cprov *p;
    cprov_lease *l;
    uint64_t id;
    cprov_input_ctx in;
} stage_job;

static void *stage_main(void *arg)
{
    stage_job *j = arg;
    cprov *p = j->p;
    char msg[CPROV_NOTE_MAX + 1] = "", work[CPROV_PATH_MAX];
    cairn_manifest m;
    cprov_path(p, j->id, "work", work);
    cairn_err e = load_parsed(p, j->id, &m, msg, sizeof msg);
    if (!e)
        e = cairn_manifest_write_files(&m, work, msg, sizeof msg);
    if (!e)
        e = cprov_fetch_inputs(p, &j->in, &m, work, msg, sizeof msg);
    cairn_manifest_free(&m);
    pthread_mutex_lock(&p->mu);
    j->l->stage_err = e;
    snprintf(j->l->stage_msg, sizeof j->l->stage_msg, "%s", msg);
    j->l->stage_done = 1;
    pthread_mutex_unlock(&p->mu);
    free(j);
    return NULL;
}

static void start_stager(cprov *p, cprov_lease *l)
{
    if (p->stagers >= CPROV_STAGERS_MAX)
        return; /* next round */
    stage_job *j = malloc(sizeof *j);
    if (!j)
        return;
    *j = (stage_job){
        p, l, l->c.id, {l->c.id, l->c.tenant, (uint64_t)l->c.disk_mib << 20}};
    l->stage_done = 0;
    if (pthread_create(&l->stager, NULL, stage_main, j) != 0) {
        free(j);
        return;
    }
    l->staging = 1;
    p->stagers++;
}

static void join_stager(cprov *p, cprov_lease *l)
{
    if (!l->staging)
        return;
    pthread_join(l->stager, NULL);
    l->staging = 0;
    p->stagers--;
}

/* Sets a new phase with a note and saves it (p->mu not held). */
static void set_phase(cprov *p, cprov_lease *l, int phase, uint32_t exit_code,
                      const char *note)
{
    pthread_mutex_lock(&p->mu);
    l->phase = phase;
    l->exit_code = exit_code;
    if (phase == CP_EXITED || phase == CP_FAILED)
        l->ended = now_s();
    snprintf(l->note, sizeof l->note, "%s", note ? note : "");
    cairn_err e = cprov_save(p, l);
    pthread_mutex_unlock(&p->mu);
    if (e)
        cprov_log(p, "lease %llu: cannot save its state: %s",
                  (unsigned long long)l->c.id, cairn_strerror(e));
}

static void fail(cprov *p, cprov_lease *l, const char *why)
{
    set_phase(p, l, CP_FAILED, 0, why);
    cprov_lease_note(p, l->c.id, "failed: %s", why);
    cprov_log(p, "lease %llu: failed: %s", (unsigned long long)l->c.id, why);
}

/* ---- the sandbox ---- */

/* The sandbox's settings for l; the strings live in the caller's
 * buffers. 0, or -1 with msg when a path does not fit. */
static int sandbox_cfg(cprov *p, cprov_lease *l, const cairn_manifest *m,
                       cairn_sandbox_cfg *sc, char *work, char *log, char *sock,
                       char *msg, size_t len)
{
    cprov_path(p, l->c.id, "work", work);
    cprov_path(p, l->c.id, "log", log);
    cprov_path(p, l->c.id, "work/" PORT_SOCK, sock);
    memset(sc, 0, sizeof *sc);
    sc->workdir = work;
    sc->argv = (const char *const *)m->argv;
    sc->env = (const char *const *)m->env;
    sc->cpus = l->c.cpus;
    sc->mem_bytes = (uint64_t)l->c.mem_mib << 20;
    sc->disk_bytes = (uint64_t)l->c.disk_mib << 20;
    sc->log_path = log;
    sc->log_max = CPROV_LOG_MAX;
    if (!l->c.port)
        return 0;
    if (strlen(sock) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
        snprintf(msg, len,
                 "the port's socket path is too long for a Unix socket; "
                 "give the provider a shorter --data path");
        return -1;
    }
    unlink(sock); /* a previous run's */
    sc->port = l->c.port;
    sc->port_sock = sock;
    sc->forwarder = p->cfg.forwarder;
    return 0;
}

static void start_workload(cprov *p, cprov_lease *l, int resumed)
{
    char work[CPROV_PATH_MAX], log[CPROV_PATH_MAX], sock[CPROV_PATH_MAX];
    char msg[CPROV_NOTE_MAX + 1] = "";
    cairn_manifest m;
    cairn_sandbox_cfg sc;
    cairn_sandbox *sb = NULL;
    cairn_err e = load_parsed(p, l->c.id, &m, msg, sizeof msg);
    if (!e && sandbox_cfg(p, l, &m, &sc, work, log, sock, msg, sizeof msg))
        e = CAIRN_ERR_SANDBOX;
    if (!e)
        e = cairn_sandbox_start(&sb, &sc, msg, sizeof msg);
    cairn_manifest_free(&m);
    if (e) {
        fail(p, l, msg[0] ? msg : cairn_strerror(e));
        return;
    }
    pthread_mutex_lock(&p->mu);
    l->sb = sb;
    l->resumed = resumed;
    l->frozen = 0;
    l->phase = CP_RUNNING;
    if (!resumed || !l->started)
        l->started = now_s();
    cairn_err se = cprov_save(p, l);
    pthread_mutex_unlock(&p->mu);
    if (se)
        cprov_log(p, "lease %llu: cannot save its state: %s",
                  (unsigned long long)l->c.id, cairn_strerror(se));
    cprov_lease_note(p, l->c.id, "%s", resumed ? "resumed" : "started");
    cprov_log(p, "lease %llu: workload %s (pid %d)",
              (unsigned long long)l->c.id, resumed ? "resumed" : "started",
              (int)cairn_sandbox_pid(sb));
}

/* The workload ended: keep its exit code and say why. */
static void ended(cprov *p, cprov_lease *l, int code)
{
    const char *limit = cairn_sandbox_limit_hit(l->sb);
    char note[CPROV_NOTE_MAX + 1] = "";
    if (limit)
        snprintf(note, sizeof note, "ended by its %s", limit);
    cairn_sandbox_free(l->sb);
    pthread_mutex_lock(&p->mu);
    l->sb = NULL;
    l->frozen = 0;
    pthread_mutex_unlock(&p->mu);
    set_phase(p, l, CP_EXITED, (uint32_t)code, note);
    cprov_lease_note(p, l->c.id, "exited with code %d%s%s", code,
                     limit ? ", " : "", note);
    cprov_log(p, "lease %llu: workload exited with code %d%s%s",
              (unsigned long long)l->c.id, code, limit ? ", " : "", note);
}

/* Freezes or thaws the workload to match the chain. */
static void match_pause(cprov *p, cprov_lease *l, int paused)
{
    if (!l->sb || paused == l->frozen)
        return;
    cairn_err e = cairn_sandbox_pause(l->sb, paused);
    if (e) {
        cprov_log(p, "lease %llu: cannot %s the workload: %s",
                  (unsigned long long)l->c.id, paused ? "freeze" : "thaw",
                  cairn_strerror(e));
        return;
    }
    pthread_mutex_lock(&p->mu);
    l->frozen = paused;
    pthread_mutex_unlock(&p->mu);
    cprov_lease_note(p, l->c.id, "%s",
                     paused ? "frozen: the lease is paused (escrow short)"
                            : "thawed: the lease is active again");
    cprov_log(p, "lease %llu: workload %s", (unsigned long long)l->c.id,
              paused ? "frozen (lease paused)" : "thawed (lease active)");
}

static void drive_staging(cprov *p, cprov_lease *l, int active)
{
    if (!l->staging && !l->staged) {
        if (active)
            start_stager(p, l);
        return;
    }
    if (l->staging) {
        pthread_mutex_lock(&p->mu);
        int done = l->stage_done;
        pthread_mutex_unlock(&p->mu);
        if (!done)
            return;
        join_stager(p, l);
        if (l->stage_err) {
            fail(p, l,
                 l->stage_msg[0] ? l->stage_msg : cairn_strerror(l->stage_err));
            return;
        }
        l->staged = 1;
    }
    if (active) {
        l->staged = 0;
        start_workload(p, l, 0);
    }
}

void cprov_drive(cprov *p, cprov_lease *l)
{
    int active = l->c.state == CAIRN_LEASE_ACTIVE;
    int code;
    pthread_mutex_lock(&p->mu); /* a handler may have stored a manifest */
    int phase = l->phase;
    pthread_mutex_unlock(&p->mu);
    switch (phase) {
    case CP_STAGING:
        drive_staging(p, l, active);
        break;
    case CP_RUNNING:
        if (!l->sb) {
            if (active)
                start_workload(p, l, 1);
            break;
        }
        if (cairn_sandbox_poll(l->sb, &code)) {
            ended(p, l, code);
            break;
        }
        match_pause(p, l, l->c.state == CAIRN_LEASE_PAUSED);
        break;
    default:
        break;
    }
}

void cprov_halt(cprov *p, cprov_lease *l)
{
    join_stager(p, l);
    if (!l->sb)
        return;
    if (l->frozen)
        (void)cairn_sandbox_pause(l->sb, 0); /* let SIGTERM reach it */
    cairn_sandbox_stop(l->sb, p->cfg.stop_grace_ms > 0 ? p->cfg.stop_grace_ms
                                                       : CPROV_STOP_GRACE_MS);
    cairn_sandbox_free(l->sb);
    pthread_mutex_lock(&p->mu);
    l->sb = NULL;
    l->frozen = 0;
    pthread_mutex_unlock(&p->mu);
}

void cprov_clean(cprov *p, cprov_lease *l, const char *why)
{
    uint64_t id = l->c.id;
    cprov_halt(p, l);
    csvc_drop_lease(p->svc, id);
    pthread_mutex_lock(&p->mu);
    cprov_drop(p, l);
    pthread_mutex_unlock(&p->mu);
    int rc = cprov_remove_dir(p, id);
    cprov_log(p, "lease %llu: stopped and %s (%s)", (unsigned long long)id,
              rc ? "its directory NOT fully removed" : "its directory removed",
              why);
}
