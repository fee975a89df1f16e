/* The compute provider's answers to its tenants (cairn/compute_proto.h):
 * MANIFEST (checked against the order's hash, stored durably, then
 * acknowledged; the chain thread starts the workload), STATUS, LOGS and
 * FETCH. Only a lease's tenant key may use the lease. They run on the
 * connection server's workers (provider/daemon.h). A request that does
 * not decode is answered with ERROR(bad_message) and ends the connection. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compute/manifest.h"
#include "compute/provider/cprov_internal.h"

/* Turns the reply into ERROR(e, message). */
static void fail(pd_reply *r, cairn_err e, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void fail(pd_reply *r, cairn_err e, const char *fmt, ...)
{
    char msg[CAIRN_CP_ERRMSG_MAX + 1];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    cairn_buf_reset(&r->body);
    r->type = CAIRN_CP_ERROR;
    cairn_cp_error_encode(&r->body, e, msg);
}

static void malformed(pd_reply *r, const char *what)
{
    fail(r, CAIRN_ERR_BAD_MSG, "malformed %s request", what);
    r->close = 1;
}

/* What a handler knows of a lease: a copy taken under p->mu. */
typedef struct snap {
    cprov_chain_lease c;
    int local; /* in the table */
    int phase, frozen, resumed, running;
    uint32_t exit_code;
    uint64_t started, ended;
    uint8_t token[CAIRN_CP_TOKEN_LEN];
    char note[CPROV_NOTE_MAX + 1];
} snap;

static int take_local(cprov *p, uint64_t id, snap *s)
{
    pthread_mutex_lock(&p->mu);
    cprov_lease *l = cprov_find(p, id);
    int ok = l && l->c.state != 0 && !l->gone;
    if (l && !l->gone) { /* its chain record may not be read yet */
        s->c = l->c;
        s->local = 1;
        s->running = l->sb != NULL;
        s->phase = l->phase;
        s->frozen = l->frozen;
        s->resumed = l->resumed;
        s->exit_code = l->exit_code;
        s->started = l->started;
        s->ended = l->ended;
        memcpy(s->token, l->token, sizeof s->token);
        memcpy(s->note, l->note, sizeof s->note);
    }
    pthread_mutex_unlock(&p->mu);
    return ok;
}

/* The lease `id` as the peer may use it: 0 with *s filled in, or -1 with
 * the reply set to the refusal. */
static int lease_for(cprov *p, const pd_request *q, uint64_t id, snap *s,
                     pd_reply *r)
{
    uint64_t dropped;
    memset(s, 0, sizeof *s);
    if (!take_local(p, id, s)) {
        /* a lease we do not hold yet: ask the node, within a budget (a
         * stranger's made-up ids must not flood it) */
        if (!q->friend &&
            !log_limit_take(&p->lim_lookup, log_now_ms(), &dropped)) {
            fail(r, CAIRN_ERR_BUSY,
                 "the provider is busy looking up leases; try again");
            return -1;
        }
        cairn_err e = cprov_get_lease(p, id, &s->c);
        if (e == CAIRN_ERR_NO_ORDER) {
            fail(r, e, "there is no lease %llu on chain",
                 (unsigned long long)id);
            return -1;
        }
        if (e) {
            fail(r, CAIRN_ERR_NOT_READY,
                 "the provider cannot read lease %llu from its node now (%s); "
                 "try again",
                 (unsigned long long)id, cairn_strerror(e));
            return -1;
        }
        if (memcmp(s->c.provider.b, p->cfg.key.pk.b, 32) != 0) {
            fail(r, CAIRN_ERR_NOT_LEASE_PARTY,
                 "lease %llu is not with this provider",
                 (unsigned long long)id);
            return -1;
        }
    }
    if (memcmp(s->c.tenant.b, q->peer.b, 32) != 0) {
        char who[CAIRN_ADDR_TEXT_LEN + 1];
        cairn_addr_format(who, &q->peer);
        cprov_log_peer(p, "refused %s: not the tenant of lease %llu", who,
                       (unsigned long long)id);
        fail(r, CAIRN_ERR_NOT_LEASE_PARTY,
             "only the tenant of lease %llu may use it",
             (unsigned long long)id);
        return -1;
    }
    if (s->c.state != CAIRN_LEASE_ACTIVE && s->c.state != CAIRN_LEASE_PAUSED) {
        fail(r, CAIRN_ERR_LEASE_STATE, "lease %llu is %s",
             (unsigned long long)id, cairn_lease_state_name(s->c.state));
        return -1;
    }
    return 0;
}

/* ---- MANIFEST ---- */

/* The manifest's resources must be the order's. 0, or -1 with why. */
static int same_resources(const cairn_manifest *m, const cprov_chain_lease *c,
                          char *why, size_t len)
{
    if (m->cpus != c->cpus)
        snprintf(why, len, "resources.cpus %u is not the order's %u", m->cpus,
                 c->cpus);
    else if (m->mem_mib != c->mem_mib)
        snprintf(why, len, "resources.memory %u MiB is not the order's %u MiB",
                 m->mem_mib, c->mem_mib);
    else if (m->disk_mib != c->disk_mib)
        snprintf(why, len, "resources.disk %u MiB is not the order's %u MiB",
                 m->disk_mib, c->disk_mib);
    else if (m->port != c->port)
        snprintf(why, len, "port %u is not the order's %u", m->port, c->port);
    else
        return 0;
    return -1;
}

/* Every storage input of mf has its key among m's: 0, or -1 with why. */
static int keys_cover(const cairn_manifest *mf, const cairn_cp_manifest *m,
                      char *why, size_t len)
{
    for (size_t i = 0; i < mf->nfiles; i++) {
        uint8_t id[CAIRN_CP_FILE_ID_LEN];
        const char *sid = mf->files[i].storage_id;
        int found = 0;
        if (mf->files[i].kind != CAIRN_MFILE_STORAGE)
            continue;
        if (strlen(sid) == 2 * CAIRN_CP_FILE_ID_LEN &&
            !cairn_hex_decode(id, sizeof id, sid, strlen(sid)))
            for (uint8_t k = 0; k < m->nkeys && !found; k++)
                found = !memcmp(m->keys + (size_t)k * CAIRN_CP_KEY_ENTRY, id,
                                sizeof id);
        if (!found) {
            snprintf(why, len,
                     "files[%zu] (%s): no key for storage file %s came with "
                     "the manifest (cairn compute deploy sends it)",
                     i, mf->files[i].path, sid);
            return -1;
        }
    }
    return 0;
}

/* Checks the bytes against the order: 0, or -1 with the reply set. */
static int check_manifest(const cairn_cp_manifest *m, const snap *s,
                          pd_reply *r)
{
    cairn_hash h;
    cairn_manifest mf;
    char why[CAIRN_CP_ERRMSG_MAX + 1] = "";
    cairn_hash_bytes(&h, m->bytes, m->len);
    if (sodium_memcmp(h.b, s->c.manifest.b, 32) != 0) {
        fail(r, CAIRN_ERR_BAD_MANIFEST,
             "these bytes do not hash to the manifest hash of order %llu; "
             "send the manifest the order was posted with",
             (unsigned long long)m->lease);
        return -1;
    }
    cairn_err e = cairn_manifest_parse(&mf, m->bytes, m->len, why, sizeof why);
    if (!e && (same_resources(&mf, &s->c, why, sizeof why) ||
               keys_cover(&mf, m, why, sizeof why)))
        e = CAIRN_ERR_BAD_MANIFEST;
    cairn_manifest_free(&mf);
    if (e)
        fail(r, CAIRN_ERR_BAD_MANIFEST, "%s", why);
    return e ? -1 : 0;
}

/* Stores the manifest and the lease's new state, in that order (p->store_mu
 * held). *state: the workload state after. */
static cairn_err store_manifest(cprov *p, const cairn_cp_manifest *m,
                                const snap *s, uint8_t *state)
{
    pthread_mutex_lock(&p->mu);
    cprov_lease *l = cprov_find(p, m->lease);
    int have = l && l->phase != CP_WAIT;
    if (have)
        *state = cprov_work_state(l->phase);
    pthread_mutex_unlock(&p->mu);
    if (have)
        return CAIRN_OK; /* sent again: already stored */
    cairn_err e = cprov_make_dirs(p, m->lease);
    if (!e && m->nkeys)
        e = cprov_save_keys(p, m->lease, m->keys,
                            (size_t)m->nkeys * CAIRN_CP_KEY_ENTRY);
    if (!e)
        e = cprov_save_manifest(p, m->lease, m->bytes, m->len);
    if (e)
        return e;
    pthread_mutex_lock(&p->mu);
    l = cprov_find(p, m->lease);
    if (!l)
        l = cprov_add(p, &s->c);
    if (!l) {
        pthread_mutex_unlock(&p->mu);
        return CAIRN_ERR_NOMEM;
    }
    l->phase = CP_STAGING;
    if (s->c.port)
        randombytes_buf(l->token, sizeof l->token);
    e = cprov_save(p, l);
    if (e)
        l->phase = CP_WAIT;
    pthread_mutex_unlock(&p->mu);
    *state = CAIRN_WORK_STARTING;
    return e;
}

static void handle_manifest(cprov *p, const pd_request *q, pd_reply *r)
{
    cairn_cp_manifest m;
    snap s;
    uint8_t state = 0;
    if (cairn_cp_manifest_decode(&m, q->body, q->n)) {
        malformed(r, "MANIFEST");
        return;
    }
    if (lease_for(p, q, m.lease, &s, r) || check_manifest(&m, &s, r))
        return;
    pthread_mutex_lock(&p->store_mu);
    cairn_err e = store_manifest(p, &m, &s, &state);
    pthread_mutex_unlock(&p->store_mu);
    if (e) {
        cprov_log(p, "lease %llu: cannot store its manifest: %s",
                  (unsigned long long)m.lease, cairn_strerror(e));
        fail(r, e, "the provider could not store the manifest: %s",
             cairn_strerror(e));
        return;
    }
    cprov_log(p, "lease %llu: manifest stored (%u bytes)",
              (unsigned long long)m.lease, m.len);
    cairn_cp_accepted a = {m.lease, state};
    r->type = CAIRN_CP_ACCEPTED;
    cairn_cp_accepted_encode(&r->body, &a);
}

/* ---- STATUS ---- */

static uint64_t file_size(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0 && S_ISREG(st.st_mode) ? (uint64_t)st.st_size
                                                        : 0;
}

static void handle_status(cprov *p, const pd_request *q, pd_reply *r)
{
    uint64_t id;
    snap s;
    char path[CPROV_PATH_MAX];
    if (cairn_cp_status_decode(&id, q->body, q->n)) {
        malformed(r, "STATUS");
        return;
    }
    if (lease_for(p, q, id, &s, r))
        return;
    /* RUNNING without a sandbox: being started again after a restart */
    int phase = s.phase == CP_RUNNING && !s.running ? CP_STAGING : s.phase;
    cairn_cp_state st = {.lease = id,
                         .state = cprov_work_state(phase),
                         .exit_code = s.exit_code,
                         .started = s.started,
                         .ended = s.ended};
    if (s.phase != CP_WAIT) {
        st.flags |= CAIRN_CP_HAS_MANIFEST;
        cprov_path(p, id, "work", path);
        st.disk_used = cairn_dir_usage(path);
        cprov_path(p, id, "log", path);
        st.log_size = file_size(path);
    }
    st.flags |=
        (s.frozen ? CAIRN_CP_FROZEN : 0) | (s.resumed ? CAIRN_CP_RESUMED : 0);
    snprintf(st.note, sizeof st.note, "%s", s.note);
    if (s.c.port && p->service_ep[0] && s.phase != CP_WAIT) {
        snprintf(st.endpoint, sizeof st.endpoint, "%s", p->service_ep);
        memcpy(st.token, s.token, sizeof st.token);
    }
    r->type = CAIRN_CP_STATE;
    cairn_cp_state_encode(&r->body, &st);
    sodium_memzero(&st, sizeof st);
    sodium_memzero(&s, sizeof s);
}

/* ---- LOGS and FETCH ---- */

/* Reads up to max bytes at off from fd into a new buffer (*out, *n). */
static cairn_err read_at(int fd, uint64_t off, uint64_t size, uint32_t max,
                         uint8_t **out, uint32_t *n)
{
    uint64_t want = off < size ? size - off : 0;
    if (want > max)
        want = max;
    uint8_t *b = malloc(want ? want : 1);
    if (!b)
        return CAIRN_ERR_NOMEM;
    size_t got = 0;
    while (got < want) {
        ssize_t k = pread(fd, b + got, want - got, (off_t)(off + got));
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break; /* shrank meanwhile: send what there is */
        got += (size_t)k;
    }
    *out = b;
    *n = (uint32_t)got;
    return CAIRN_OK;
}

static void handle_logs(cprov *p, const pd_request *q, pd_reply *r)
{
    cairn_cp_logs_req m;
    snap s;
    char path[CPROV_PATH_MAX];
    struct stat st;
    if (cairn_cp_logs_decode(&m, q->body, q->n)) {
        malformed(r, "LOGS");
        return;
    }
    if (lease_for(p, q, m.lease, &s, r))
        return;
    cairn_cp_log lg = {.next = m.offset};
    uint8_t *b = NULL;
    cprov_path(p, m.lease, "log", path);
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
        lg.size = (uint64_t)st.st_size;
        if (lg.next > lg.size)
            lg.next = lg.size; /* ahead of the log: start at its end */
        if (read_at(fd, lg.next, lg.size, m.max, &b, &lg.len)) {
            close(fd);
            fail(r, CAIRN_ERR_NOMEM, "the provider is short of memory");
            return;
        }
    }
    if (fd >= 0)
        close(fd);
    lg.bytes = b;
    lg.next += lg.len;
    lg.ended =
        (s.phase == CP_EXITED || s.phase == CP_FAILED) && lg.next >= lg.size;
    r->type = CAIRN_CP_LOG;
    cairn_cp_log_encode(&r->body, &lg);
    free(b);
}

static void handle_fetch(cprov *p, const pd_request *q, pd_reply *r)
{
    cairn_cp_fetch_req m;
    snap s;
    char work[CPROV_PATH_MAX];
    struct stat st;
    int fd;
    if (cairn_cp_fetch_decode(&m, q->body, q->n)) {
        malformed(r, "FETCH");
        return;
    }
    if (lease_for(p, q, m.lease, &s, r))
        return;
    cprov_path(p, m.lease, "work", work);
    cairn_err e = s.phase == CP_WAIT ? CAIRN_ERR_NOT_FOUND
                                     : cprov_open_beneath(work, m.path, &fd);
    if (e == CAIRN_ERR_NOT_FOUND) {
        fail(r, e, "lease %llu has no file %s", (unsigned long long)m.lease,
             m.path);
        return;
    }
    if (e) {
        fail(r, e,
             "%s is not a regular file of lease %llu's work directory (a "
             "link, a directory or something else)",
             m.path, (unsigned long long)m.lease);
        return;
    }
    cairn_cp_chunk ch = {0};
    uint8_t *b = NULL;
    if (fstat(fd, &st) == 0)
        ch.total = (uint64_t)st.st_size;
    if (m.offset > ch.total) {
        close(fd);
        fail(r, CAIRN_ERR_BAD_ARG, "offset %llu is past the end of %s (%llu)",
             (unsigned long long)m.offset, m.path,
             (unsigned long long)ch.total);
        return;
    }
    e = read_at(fd, m.offset, ch.total, CAIRN_CP_CHUNK_MAX, &b, &ch.len);
    close(fd);
    if (e) {
        fail(r, e, "the provider is short of memory");
        return;
    }
    ch.bytes = b;
    r->type = CAIRN_CP_CHUNK;
    cairn_cp_chunk_encode(&r->body, &ch);
    free(b);
}

void cprov_handle(void *ctx, const pd_request *q, pd_reply *r)
{
    cprov *p = ctx;
    switch (q->type) {
    case CAIRN_CP_MANIFEST:
        handle_manifest(p, q, r);
        break;
    case CAIRN_CP_STATUS:
        handle_status(p, q, r);
        break;
    case CAIRN_CP_LOGS:
        handle_logs(p, q, r);
        break;
    case CAIRN_CP_FETCH:
        handle_fetch(p, q, r);
        break;
    case CAIRN_CP_JOB:
        cprov_handle_job(p, q, r);
        break;
    case CAIRN_CP_TICKET_PARAMS:
        cprov_handle_ticket_params(p, q, r);
        break;
    default:
        fail(r, CAIRN_ERR_BAD_MSG, "unknown request type 0x%02x", q->type);
        r->close = 1;
    }
}

void cprov_refuse(void *ctx, cairn_err e, const char *why, pd_reply *r)
{
    (void)ctx;
    fail(r, e, "%s", why);
}
