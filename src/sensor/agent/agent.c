/* The sensor device agent's loop (agent.h). */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cairn/parse.h"
#include "cairn/sensor.h"
#include "core/log.h"
#include "net/node_rpc.h"
#include "provider/daemon.h"
#include "sensor/agent/agent.h"
#include "sensor/batch.h"
#include "sensor/source/source.h"
#include "storage/client/client.h"
#include "storage/client/tag.h"

#define PATH_MAX_ 1024
#define SLICE_MS 50

typedef struct agent {
    const sagent_cfg *cfg;
    volatile sig_atomic_t *stop;
    char addr[CAIRN_ADDR_TEXT_LEN + 1];
    int lock_fd;
    ssrc *src;
    int src_end;
    unsigned res;
    uint64_t span_ms;
    /* state: what the chain holds from us */
    uint64_t seq, t_to;
    int paired;
    /* the batch being filled */
    sbatch_reading *r;
    uint32_t n;
    sbatch_tiler tiler;
    sbatch_reading carry; /* the reading that did not fit the last batch */
    int have_carry;
    uint64_t said_old;     /* readings dropped as too old */
    uint64_t last_read_ms; /* monotonic time of the last reading */
    uint32_t pass; /* the source's pass the batch's readings come from */
    /* the pending batch */
    int refusals;
    uint64_t registered; /* this run */
    int backoff_ms;
    char why[512];
} agent;

static void alog(agent *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void alog(agent *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_vline(a->cfg->log, SAGENT_WHO, fmt, ap);
    va_end(ap);
}

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static uint64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void nap(agent *a, int ms)
{
    struct timespec ts = {0, SLICE_MS * 1000000L};
    for (int t = 0; t < ms && !*a->stop; t += SLICE_MS)
        nanosleep(&ts, NULL);
}

/* Waits the current backoff and doubles it (bounded). */
static void back_off(agent *a)
{
    if (a->backoff_ms < SAGENT_BACKOFF_MIN_MS)
        a->backoff_ms = SAGENT_BACKOFF_MIN_MS;
    nap(a, a->backoff_ms);
    a->backoff_ms *= 2;
    if (a->backoff_ms > SAGENT_BACKOFF_MAX_MS)
        a->backoff_ms = SAGENT_BACKOFF_MAX_MS;
}

static void path_of(const agent *a, const char *name, char out[PATH_MAX_])
{
    snprintf(out, PATH_MAX_, "%s/%s", a->cfg->data_dir, name);
}

/* Failures worth a retry: the node down or busy, a nonce race. */
static int transient(cairn_err e)
{
    return e == CAIRN_ERR_HTTP || e == CAIRN_ERR_TIMEOUT ||
           e == CAIRN_ERR_MEMPOOL_FULL || e == CAIRN_ERR_NONCE_USED ||
           e == CAIRN_ERR_NONCE_GAP || e == CAIRN_ERR_BUSY ||
           e == CAIRN_ERR_NOMEM || e == CAIRN_ERR_READ_ONLY ||
           e == CAIRN_ERR_BAD_JSON;
}

/* ---- files in the data dir ---- */

/* Writes n bytes to DIR/name atomically (temp file, fsync, rename). */
static cairn_err write_file(agent *a, const char *name, const void *p, size_t n)
{
    char path[PATH_MAX_], tmp[PATH_MAX_ + 8];
    path_of(a, name, path);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0)
        return CAIRN_ERR_IO;
    const uint8_t *b = p;
    size_t off = 0;
    while (off < n) {
        ssize_t w = write(fd, b + off, n - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            close(fd);
            unlink(tmp);
            return CAIRN_ERR_IO;
        }
        off += (size_t)w;
    }
    int rc = fsync(fd);
    close(fd);
    if (rc != 0 || rename(tmp, path) != 0) {
        unlink(tmp);
        return CAIRN_ERR_IO;
    }
    return CAIRN_OK;
}

/* Reads DIR/name (at most max bytes) into *out (malloc'd). NOT_FOUND when
 * it does not exist. */
static cairn_err read_file(agent *a, const char *name, size_t max,
                           uint8_t **out, size_t *n)
{
    char path[PATH_MAX_];
    path_of(a, name, path);
    *out = NULL;
    *n = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return errno == ENOENT ? CAIRN_ERR_NOT_FOUND : CAIRN_ERR_IO;
    uint8_t *b = malloc(max + 1);
    if (!b) {
        fclose(f);
        return CAIRN_ERR_NOMEM;
    }
    size_t got = fread(b, 1, max + 1, f);
    int err = ferror(f);
    fclose(f);
    if (err || got > max) {
        free(b);
        return err ? CAIRN_ERR_IO : CAIRN_ERR_TOO_LARGE;
    }
    *out = b;
    *n = got;
    return CAIRN_OK;
}

static void remove_file(agent *a, const char *name)
{
    char path[PATH_MAX_];
    path_of(a, name, path);
    unlink(path);
}

/* sensor.state: "seq N\nt_to MS\n". */
static cairn_err load_state(agent *a)
{
    uint8_t *b;
    size_t n;
    cairn_err e = read_file(a, "sensor.state", 256, &b, &n);
    if (e == CAIRN_ERR_NOT_FOUND)
        return CAIRN_OK;
    if (e)
        return e;
    b[n] = '\0';
    char *s = (char *)b, *p = strstr(s, "seq "), *q = strstr(s, "t_to ");
    char *pe = p ? strchr(p, '\n') : NULL, *qe = q ? strchr(q, '\n') : NULL;
    if (!p || !q || !pe || !qe ||
        cairn_parse_u64_n(p + 4, (size_t)(pe - p - 4), UINT64_MAX, &a->seq) ||
        cairn_parse_u64_n(q + 5, (size_t)(qe - q - 5), UINT64_MAX, &a->t_to))
        e = CAIRN_ERR_CORRUPT;
    free(b);
    return e;
}

static cairn_err save_state(agent *a)
{
    char s[96];
    int n = snprintf(s, sizeof s, "seq %llu\nt_to %llu\n",
                     (unsigned long long)a->seq, (unsigned long long)a->t_to);
    return write_file(a, "sensor.state", s, (size_t)n);
}

/* ---- the chain ---- */

/* The chain's sensor_tile_res and sensor_batch_span_ms (defaults when the
 * node does not say). */
static void chain_params(agent *a)
{
    json_t *j, *it;
    size_t i;
    uint64_t v;
    snode_err ne = {.msg = ""};
    a->res = 9;
    a->span_ms = 600000;
    if (snode_get(a->cfg->node, "/v1/params", &j, &ne))
        return;
    json_array_foreach(json_object_get(j, "params"), i, it)
    {
        const char *name = json_string_value(json_object_get(it, "name"));
        if (!name || snode_u64(it, "value", &v))
            continue;
        if (strcmp(name, "sensor_tile_res") == 0 && v <= 12)
            a->res = (unsigned)v;
        else if (strcmp(name, "sensor_batch_span_ms") == 0 && v > 0)
            a->span_ms = v;
    }
    json_decref(j);
    if (a->cfg->batch_span_ms && a->cfg->batch_span_ms < a->span_ms)
        a->span_ms = a->cfg->batch_span_ms;
}

/* Signs and submits a transaction of the owner's, waiting for its block. */
static cairn_err send_tx(agent *a, uint16_t kind, const uint8_t *body, size_t n,
                         uint64_t *height)
{
    snode_ctx ctx;
    snode_err ne = {.msg = ""};
    uint64_t nonce;
    cairn_err e = snode_status(a->cfg->node, &ctx, &ne);
    if (!e)
        e = snode_require_sequencer(a->cfg->node, &ctx, &ne);
    if (!e)
        e = snode_next_nonce(a->cfg->node, &a->cfg->owner.pk, &nonce, &ne);
    if (!e)
        e = snode_send(a->cfg->node, &ctx, &a->cfg->owner, nonce, kind, body, n,
                       1, height, &ne);
    snprintf(a->why, sizeof a->why, "%s", e ? ne.msg : "");
    return e;
}

/* The device's record: NOT_FOUND when the chain does not know it. */
static cairn_err device_record(agent *a, json_t **out)
{
    char path[160];
    snode_err ne = {.msg = ""};
    snprintf(path, sizeof path, "/v1/sensor/device/%s", a->addr);
    cairn_err e = snode_get(a->cfg->node, path, out, &ne);
    if ((e == CAIRN_ERR_HTTP && ne.status == 404) ||
        e == CAIRN_ERR_NOT_DEVICE || e == CAIRN_ERR_NOT_FOUND)
        e = CAIRN_ERR_NOT_FOUND; /* the chain does not know the device */
    snprintf(a->why, sizeof a->why, "%s", e ? ne.msg : "");
    return e;
}

/* Pairs the device with the owner unless the chain has it paired to the
 * owner already; reads last_seq / last_t_to_ms back. OK, or an error that
 * is fatal (paired to another owner: BAD_ARG) or worth a retry. */
static cairn_err pair(agent *a)
{
    json_t *j;
    cairn_err e = device_record(a, &j);
    if (e == CAIRN_ERR_NOT_FOUND) {
        cairn_sensor_pair p = {.device = a->cfg->device.pk, .generation = 0};
        snode_ctx ctx;
        snode_err ne = {.msg = ""};
        if ((e = snode_status(a->cfg->node, &ctx, &ne)))
            return e;
        if ((e = cairn_sensor_pair_sign(&p.sig, ctx.chain_id, &a->cfg->owner.pk,
                                        0, &a->cfg->device)))
            return e;
        cairn_buf b;
        cairn_buf_init(&b, 256);
        cairn_sensor_pair_encode(&b, &p);
        uint64_t h = 0;
        e = b.err ? CAIRN_ERR_NOMEM
                  : send_tx(a, CAIRN_TX_DEVICE_PAIR, b.p, b.len, &h);
        cairn_buf_free(&b);
        if (e == CAIRN_ERR_DEVICE_PAIRED) {
            /* the node's API did not list it, the chain has it: whose it
             * is shows at the first batch (NOT_DEVICE_OWNER stops us) */
            alog(a, "the chain has device %s paired already", a->addr);
            a->paired = 1;
            return CAIRN_OK;
        }
        if (e) {
            alog(a, "cannot pair device %s: %s (%s)", a->addr,
                 cairn_strerror(e), a->why);
            return e;
        }
        alog(a, "paired device %s with its owner at height %llu", a->addr,
             (unsigned long long)h);
        a->paired = 1;
        return CAIRN_OK;
    }
    if (e)
        return e;
    cairn_pubkey owner;
    uint64_t seq = 0, t_to = 0;
    if (snode_addr(j, "owner", &owner)) {
        json_decref(j);
        snprintf(a->why, sizeof a->why,
                 "the node's device record has no owner");
        return CAIRN_ERR_BAD_JSON;
    }
    if (memcmp(owner.b, a->cfg->owner.pk.b, CAIRN_PK_LEN) != 0) {
        char oa[CAIRN_ADDR_TEXT_LEN + 1];
        cairn_addr_format(oa, &owner);
        alog(a,
             "device %s is paired to %s, not to --owner-key: its owner must "
             "transfer it (cairn sensor transfer) before this owner can use "
             "it",
             a->addr, oa);
        json_decref(j);
        return CAIRN_ERR_BAD_ARG;
    }
    (void)snode_u64(j, "last_seq", &seq);
    (void)snode_u64(j, "last_t_to_ms", &t_to);
    json_decref(j);
    if (seq > a->seq)
        a->seq = seq;
    if (t_to > a->t_to)
        a->t_to = t_to;
    a->paired = 1;
    return CAIRN_OK;
}

/* Seals the keys to every app with an active grant (CAIRN_SENSOR_KEYS_MAX
 * at most; more are logged and left out). */
static cairn_err seal_keys(agent *a, cairn_sensor_batch *b,
                           const uint8_t file_key[32], const uint8_t s[32])
{
    json_t *j, *g;
    size_t i;
    cairn_err e = device_record(a, &j);
    b->nkeys = 0;
    if (e == CAIRN_ERR_NOT_FOUND)
        return CAIRN_OK; /* no record, no grants (the chain judges the rest) */
    if (e)
        return e;
    json_array_foreach(json_object_get(j, "grants"), i, g)
    {
        uint64_t priv;
        cairn_pubkey app;
        uint8_t gk[SBATCH_KEY_LEN];
        if (!json_is_true(json_object_get(g, "active")) ||
            snode_addr(g, "app", &app) || snode_u64(g, "privileges", &priv) ||
            sbatch_grant_key(gk, (uint32_t)priv, s))
            continue;
        if (b->nkeys == CAIRN_SENSOR_KEYS_MAX) {
            alog(a, "more than %d active grants: the rest get no key",
                 CAIRN_SENSOR_KEYS_MAX);
            break;
        }
        cairn_sensor_sealed *k = &b->keys[b->nkeys];
        k->app = app;
        if (sbatch_seal(k->box, &app, file_key, gk) == CAIRN_OK)
            b->nkeys++;
        sodium_memzero(gk, sizeof gk);
    }
    json_decref(j);
    return CAIRN_OK;
}

/* ---- the pending batch ---- */

typedef struct pending {
    uint8_t *file;
    size_t len;
    uint8_t s[SBATCH_KEY_LEN];
    sbatch_view v;
    sbatch_reading *r;
    int stored;
    uint8_t fid[CAIRN_SENSOR_FILE_ID_LEN], fkey[CAIRN_FILE_KEY_LEN];
} pending;

static void pending_free(pending *p)
{
    free(p->file);
    free(p->r);
    sodium_memzero(p, sizeof *p);
}

static void pending_drop(agent *a)
{
    remove_file(a, "pending.fid");
    remove_file(a, "pending.key");
    remove_file(a, "pending.csb");
    a->refusals = 0;
}

/* Loads the pending batch: NOT_FOUND when there is none. */
static cairn_err pending_load(agent *a, pending *p)
{
    uint8_t *k, *fid;
    size_t kn, fn;
    memset(p, 0, sizeof *p);
    cairn_err e =
        read_file(a, "pending.csb", SBATCH_FILE_MAX, &p->file, &p->len);
    if (e)
        return e;
    if ((e = read_file(a, "pending.key", 64, &k, &kn)))
        goto bad;
    if (kn != SBATCH_KEY_LEN) {
        free(k);
        e = CAIRN_ERR_CORRUPT;
        goto bad;
    }
    memcpy(p->s, k, SBATCH_KEY_LEN);
    sodium_memzero(k, kn);
    free(k);
    if ((e = sbatch_parse(&p->v, p->file, p->len, a->why, sizeof a->why)))
        goto bad;
    p->r = malloc((size_t)p->v.n * sizeof *p->r);
    if (!p->r) {
        e = CAIRN_ERR_NOMEM;
        goto bad;
    }
    if ((e = sbatch_open(&p->v, CAIRN_SENSOR_PRIV_ALL, p->s, p->r, a->why,
                         sizeof a->why)))
        goto bad;
    e = read_file(a, "pending.fid", 256, &fid, &fn);
    if (e == CAIRN_OK) {
        if (fn == sizeof p->fid + sizeof p->fkey) {
            memcpy(p->fid, fid, sizeof p->fid);
            memcpy(p->fkey, fid + sizeof p->fid, sizeof p->fkey);
            p->stored = 1;
        }
        sodium_memzero(fid, fn);
        free(fid);
    } else if (e != CAIRN_ERR_NOT_FOUND) {
        goto bad;
    }
    return CAIRN_OK;
bad:
    alog(a, "the pending batch in %s is unreadable (%s%s%s): dropping it",
         a->cfg->data_dir, cairn_strerror(e), a->why[0] ? ": " : "", a->why);
    pending_free(p);
    pending_drop(a);
    return CAIRN_ERR_NOT_FOUND;
}

/* Stores the batch file through the storage sector. */
static cairn_err pending_store(agent *a, pending *p)
{
    sclient c;
    cmeta_file f;
    char dir[PATH_MAX_], path[PATH_MAX_];
    path_of(a, "client", dir);
    path_of(a, "pending.csb", path);
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        snprintf(a->why, sizeof a->why, "cannot make %.300s: %s", dir,
                 strerror(errno));
        return CAIRN_ERR_IO;
    }
    cairn_err e = sclient_open(&c, a->cfg->node, dir, &a->cfg->owner);
    if (e) {
        snprintf(a->why, sizeof a->why,
                 "cannot open the storage client in %.300s", dir);
        return e;
    }
    c.log = NULL;
    char name[64];
    snprintf(name, sizeof name, "sensor-batch-%llu",
             (unsigned long long)p->v.seq);
    sclient_put_opts o = {.path = path,
                          .name = name,
                          .p = a->cfg->storage,
                          .epochs = a->cfg->storage_epochs};
    e = sclient_put(&c, &o, &f);
    if (e) {
        snprintf(a->why, sizeof a->why, "%s", c.why);
        sclient_close(&c);
        return e;
    }
    memcpy(p->fid, f.id, sizeof p->fid);
    ctag_file_key(p->fkey, f.id, c.secret);
    sclient_close(&c);
    uint8_t rec[sizeof p->fid + sizeof p->fkey];
    memcpy(rec, p->fid, sizeof p->fid);
    memcpy(rec + sizeof p->fid, p->fkey, sizeof p->fkey);
    e = write_file(a, "pending.fid", rec, sizeof rec);
    sodium_memzero(rec, sizeof rec);
    if (e) {
        snprintf(a->why, sizeof a->why, "cannot write %s/pending.fid",
                 a->cfg->data_dir);
        return e;
    }
    p->stored = 1;
    char hex[2 * CMETA_ID_LEN + 1];
    cmeta_id_hex(hex, f.id);
    alog(a, "batch %llu stored as file %s (%zu bytes, %u-of-%u)",
         (unsigned long long)p->v.seq, hex, p->len, a->cfg->storage.k,
         a->cfg->storage.n);
    return CAIRN_OK;
}

/* Builds, signs and submits BATCH_REGISTER for the stored pending batch. */
static cairn_err pending_register(agent *a, pending *p)
{
    cairn_sensor_batch *b = calloc(1, sizeof *b);
    snode_ctx ctx;
    snode_err ne = {.msg = ""};
    if (!b)
        return CAIRN_ERR_NOMEM;
    cairn_err e = snode_status(a->cfg->node, &ctx, &ne);
    if (e) {
        snprintf(a->why, sizeof a->why, "%s", ne.msg);
        free(b);
        return e;
    }
    b->device = a->cfg->device.pk;
    b->seq = p->v.seq;
    b->ref_height = ctx.height;
    b->t_from_ms = p->r[0].t_ms;
    b->t_to_ms = p->r[p->v.n - 1].t_ms;
    sbatch_content(&b->content, p->file, p->len);
    memcpy(b->file_id, p->fid, sizeof b->file_id);
    b->readings = p->v.n;
    e = sbatch_tiles(p->r, p->v.n, a->res, a->cfg->quantum, b->tiles,
                     &b->ntiles);
    if (e) {
        snprintf(a->why, sizeof a->why, "cannot make the tiles");
        free(b);
        return CAIRN_ERR_BAD_BODY;
    }
    if (!e)
        e = seal_keys(a, b, p->fkey, p->s);
    if (!e)
        e = cairn_sensor_batch_sign(b, ctx.chain_id, &a->cfg->device);
    cairn_buf body;
    cairn_buf_init(&body, 64 * 1024);
    if (!e) {
        cairn_sensor_batch_encode(&body, b);
        e = body.err ? CAIRN_ERR_NOMEM : CAIRN_OK;
    }
    uint64_t h = 0;
    if (!e)
        e = send_tx(a, CAIRN_TX_BATCH_REGISTER, body.p, body.len, &h);
    cairn_buf_free(&body);
    if (!e) {
        char hex[2 * CMETA_ID_LEN + 1];
        cmeta_id_hex(hex, p->fid);
        alog(a,
             "batch %llu registered at height %llu: %u readings, %u "
             "tiles, %u sealed keys, file %s%s",
             (unsigned long long)b->seq, (unsigned long long)h, b->readings,
             b->ntiles, b->nkeys, hex, a->cfg->forge ? " (FORGED values)" : "");
        a->seq = b->seq;
        a->t_to = b->t_to_ms;
    }
    free(b);
    return e;
}

/* 1 when the chain holds batch p->v.seq of this device with p's content
 * (registered by a run that was killed before it could note it), 0 when
 * not or when the node cannot say. */
static int pending_on_chain(agent *a, const pending *p)
{
    char path[200], want[2 * sizeof(cairn_hash) + 1];
    json_t *j;
    snode_err ne = {.msg = ""};
    cairn_hash h;
    uint64_t seq = 0;
    snprintf(path, sizeof path,
             "/v1/sensor/batches?device=%s&after_seq=%llu&limit=1", a->addr,
             (unsigned long long)(p->v.seq - 1));
    if (snode_get(a->cfg->node, path, &j, &ne))
        return 0;
    json_t *b = json_array_get(json_object_get(j, "batches"), 0);
    const char *got = json_string_value(json_object_get(b, "content"));
    sbatch_content(&h, p->file, p->len);
    cairn_hex_encode(want, h.b, sizeof h.b);
    int same = b && snode_u64(b, "seq", &seq) == CAIRN_OK && seq == p->v.seq &&
               got && strcmp(got, want) == 0;
    json_decref(j);
    return same;
}

/* The pending batch is on chain already: note it and drop it. */
static void pending_landed(agent *a, const pending *p)
{
    alog(a, "batch %llu is on chain already (registered before a restart)",
         (unsigned long long)p->v.seq);
    if (p->v.seq > a->seq)
        a->seq = p->v.seq;
    if (p->r && p->v.n && p->r[p->v.n - 1].t_ms > a->t_to)
        a->t_to = p->r[p->v.n - 1].t_ms;
    if (save_state(a))
        alog(a, "cannot write %s/sensor.state", a->cfg->data_dir);
    pending_drop(a);
    a->refusals = 0;
}

/* Moves the pending batch on: store, then register. 0: nothing pending
 * or done; 1: try again later; 2: fatal (the owner does not own the
 * device). */
static int pending_step(agent *a)
{
    pending p;
    if (pending_load(a, &p))
        return 0;
    int rc = 0;
    if (p.v.seq <= a->seq && pending_on_chain(a, &p)) {
        pending_landed(a, &p);
        goto out;
    }
    if (p.v.seq <= a->seq) {
        alog(a,
             "the pending batch %llu is not after the chain's last (%llu): "
             "dropping it",
             (unsigned long long)p.v.seq, (unsigned long long)a->seq);
        pending_drop(a);
        goto out;
    }
    if (!p.stored) {
        cairn_err e = pending_store(a, &p);
        if (e) {
            alog(a,
                 "cannot store batch %llu: %s (%s); keeping it and trying "
                 "again",
                 (unsigned long long)p.v.seq, cairn_strerror(e), a->why);
            rc = 1;
            goto out;
        }
    }
    cairn_err e = pending_register(a, &p);
    if (!e) {
        if (save_state(a))
            alog(a, "cannot write %s/sensor.state", a->cfg->data_dir);
        pending_drop(a);
        a->registered++;
        a->backoff_ms = 0;
    } else if (e == CAIRN_ERR_NOT_DEVICE_OWNER || e == CAIRN_ERR_NOT_DEVICE) {
        alog(a,
             "the chain refused batch %llu: %s (%s): --owner-key does not "
             "own device %s; stopping (the batch is kept)",
             (unsigned long long)p.v.seq, cairn_strerror(e), a->why, a->addr);
        rc = 2;
    } else if (e == CAIRN_ERR_BATCH_REPLAY && pending_on_chain(a, &p)) {
        pending_landed(a, &p);
    } else if (transient(e)) {
        alog(a, "cannot register batch %llu: %s (%s); trying again",
             (unsigned long long)p.v.seq, cairn_strerror(e), a->why);
        rc = 1;
    } else if (++a->refusals >= SAGENT_REFUSALS_MAX) {
        alog(a, "the chain refused batch %llu %d times (%s: %s): dropping it",
             (unsigned long long)p.v.seq, a->refusals, cairn_strerror(e),
             a->why);
        pending_drop(a);
        (void)pair(a); /* read last_seq and t_to back */
    } else {
        alog(a, "the chain refused batch %llu: %s (%s); trying again",
             (unsigned long long)p.v.seq, cairn_strerror(e), a->why);
        rc = 1;
    }
out:
    pending_free(&p);
    return rc;
}

/* ---- filling a batch ---- */

/* Writes the batch being filled as the pending batch. */
static cairn_err close_batch(agent *a)
{
    uint8_t *f, s[SBATCH_KEY_LEN];
    size_t len;
    if (a->n == 0)
        return CAIRN_OK;
    uint64_t seq = a->seq + 1;
    cairn_err e = sbatch_encode(&f, &len, s, &a->cfg->device.pk, seq, a->r,
                                a->n, a->why, sizeof a->why);
    if (e)
        return e;
    e = write_file(a, "pending.key", s, sizeof s);
    if (!e)
        e = write_file(a, "pending.csb", f, len);
    sodium_memzero(s, sizeof s);
    free(f);
    if (e) {
        snprintf(a->why, sizeof a->why, "cannot write the batch into %s",
                 a->cfg->data_dir);
        remove_file(a, "pending.key");
        return e;
    }
    a->refusals = 0;
    a->n = 0;
    sbatch_tiler_init(&a->tiler, a->res);
    return CAIRN_OK;
}

/* Adds a reading: 1 when the batch is full (and r not added: it starts
 * the next one), 0 when added or dropped. */
static int add_reading(agent *a, sbatch_reading *r)
{
    uint64_t last = a->n ? a->r[a->n - 1].t_ms : a->t_to;
    if (r->t_ms <= last && (a->n || a->t_to)) {
        /* not after the last: the chain would refuse it */
        if (!a->said_old++)
            alog(a,
                 "dropping readings not after %llu ms (the last reading "
                 "batched or registered): is the source's clock behind?",
                 (unsigned long long)last);
        return 0;
    }
    if (a->cfg->forge)
        r->value += SAGENT_FORGE_OFFSET;
    if (a->n && r->t_ms - a->r[0].t_ms > a->span_ms)
        return 1;
    cairn_err e = sbatch_tiler_add(&a->tiler, r);
    if (e == CAIRN_ERR_TOO_LARGE)
        return 1;
    if (e)
        return 0;
    a->r[a->n++] = *r;
    return 0;
}

static int open_source(agent *a)
{
    ssrc_opts o = {.speed_pm = a->cfg->speed_pm,
                   .loop = a->cfg->loop,
                   .clock_phase = a->cfg->clock_phase,
                   .value =
                       a->cfg->value_alt ? SSRC_VALUE_ALT : SSRC_VALUE_SPEED,
                   .value_file = a->cfg->value_file};
    cairn_err e;
    if (a->cfg->drive) {
        uint64_t t = now_ms();
        /* recorded times move to now (after the chain's last batch), so a
         * replay and a restart are both new readings; --print keeps them */
        o.rebase_ms = a->cfg->print ? 0 : t > a->t_to ? t : a->t_to + 1;
        e = ssrc_open_drive(&a->src, a->cfg->drive, &o, a->why, sizeof a->why);
    } else {
        e = ssrc_open_gpsd(&a->src, a->cfg->gpsd, &o, a->why, sizeof a->why);
    }
    if (e)
        alog(a, "%s", a->why);
    return e ? -1 : 0;
}

/* Reads the source until the batch is full or nothing comes for a while;
 * closes the batch when full or at the end of the source. */
static void fill(agent *a)
{
    sbatch_reading r;
    if (!a->src && !a->src_end && open_source(a)) {
        if (a->cfg->drive) {
            a->src_end = 1; /* a drive that cannot be read will not be */
            return;
        }
        back_off(a);
        return;
    }
    if (a->have_carry) {
        a->have_carry = 0;
        (void)add_reading(a, &a->carry);
    }
    for (int i = 0; i < 4096 && !*a->stop && a->src; i++) {
        int k = ssrc_next(a->src, &r, 200, a->why, sizeof a->why);
        if (k == SSRC_WAIT) {
            /* a source gone quiet (a parked car) does not hold a batch
             * back for ever */
            if (a->n && mono_ms() - a->last_read_ms >= SAGENT_IDLE_CLOSE_MS &&
                close_batch(a))
                alog(a, "cannot make a batch: %s", a->why);
            return;
        }
        a->last_read_ms = mono_ms();
        if (k == SSRC_END || k == SSRC_ERROR) {
            if (k == SSRC_ERROR)
                alog(a, "%s; connecting again", a->why);
            ssrc_close(a->src);
            a->src = NULL;
            if (k == SSRC_END)
                a->src_end = 1;
            if (close_batch(a))
                alog(a, "cannot make a batch: %s", a->why);
            return;
        }
        int full;
        if (ssrc_pass(a->src) != a->pass) {
            /* a looped drive started over: that jump ends the batch */
            a->pass = ssrc_pass(a->src);
            full = a->n > 0;
            if (!full)
                full = add_reading(a, &r);
            else if (a->cfg->forge)
                r.value += SAGENT_FORGE_OFFSET; /* as add_reading would */
        } else {
            full = add_reading(a, &r);
        }
        if (full || a->n == a->cfg->batch_readings) {
            if (full) {
                a->carry = r;
                a->have_carry = 1;
                if (a->cfg->forge)
                    a->carry.value -= SAGENT_FORGE_OFFSET; /* added again */
            }
            if (close_batch(a))
                alog(a, "cannot make a batch: %s", a->why);
            return;
        }
    }
}

static int print_readings(agent *a)
{
    sbatch_reading r;
    uint64_t got = 0;
    int idle = 0;
    if (open_source(a))
        return 1;
    while (got < a->cfg->print && !*a->stop && idle < 150) {
        int k = ssrc_next(a->src, &r, 200, a->why, sizeof a->why);
        if (k == SSRC_READING) {
            if (a->cfg->forge)
                r.value += SAGENT_FORGE_OFFSET;
            printf("%llu,%d,%d,%lld\n", (unsigned long long)r.t_ms,
                   (int)r.lat_udeg, (int)r.lon_udeg, (long long)r.value);
            fflush(stdout);
            got++;
            idle = 0;
        } else if (k == SSRC_WAIT) {
            idle++;
        } else {
            if (k == SSRC_ERROR)
                alog(a, "%s", a->why);
            break;
        }
    }
    ssrc_close(a->src);
    a->src = NULL;
    if (got < a->cfg->print)
        alog(a, "read %llu of %llu readings", (unsigned long long)got,
             (unsigned long long)a->cfg->print);
    return got == a->cfg->print ? 0 : 1;
}

int sagent_run(const sagent_cfg *cfg, volatile sig_atomic_t *stop)
{
    char msg[512];
    agent *a = calloc(1, sizeof *a);
    if (!a) {
        log_line(cfg->log, SAGENT_WHO, "out of memory");
        return 1;
    }
    a->cfg = cfg;
    a->stop = stop;
    a->lock_fd = -1;
    a->res = 9;
    a->span_ms = cfg->batch_span_ms ? cfg->batch_span_ms : 600000;
    cairn_addr_format(a->addr, &cfg->device.pk);
    if (cfg->print) {
        int rc = print_readings(a);
        free(a);
        return rc;
    }
    int rc = 0;
    a->r = malloc((size_t)cfg->batch_readings * sizeof *a->r);
    if (!a->r) {
        log_line(cfg->log, SAGENT_WHO, "out of memory");
        free(a);
        return 1;
    }
    if (pd_lock_dir(cfg->data_dir, &a->lock_fd, msg, sizeof msg)) {
        log_line(cfg->log, SAGENT_WHO, "%s", msg);
        rc = 1;
        goto done;
    }
    if (load_state(a)) {
        alog(a, "%s/sensor.state is unreadable: move it away to start over",
             cfg->data_dir);
        rc = 1;
        goto done;
    }
    alog(a, "device %s; node %s; source %s%s", a->addr, cfg->node,
         cfg->drive ? cfg->drive : cfg->gpsd,
         cfg->forge ? "; FORGING values (attack mode, tests only)" : "");
    /* wait for the node, then pair */
    int said = 0, refused = 0;
    while (!*stop) {
        cairn_err e = pair(a);
        if (!e)
            break;
        if (e == CAIRN_ERR_BAD_ARG ||
            (!transient(e) && ++refused >= SAGENT_REFUSALS_MAX)) {
            if (e != CAIRN_ERR_BAD_ARG)
                alog(a,
                     "the chain keeps refusing to pair device %s (%s: %s); "
                     "stopping",
                     a->addr, cairn_strerror(e), a->why);
            rc = 1;
            goto done;
        }
        if (transient(e) && !said++)
            alog(a, "waiting for the node at %s (%s)", cfg->node,
                 cairn_strerror(e));
        back_off(a);
    }
    a->backoff_ms = 0;
    if (cfg->stake && !*stop) {
        /* rewards go to owners registered in the sensor sector */
        pd_chain ch;
        pd_chain_config cc = {.node = cfg->node,
                              .key = &cfg->owner,
                              .sector = CAIRN_SECTOR_SENSOR,
                              .sector_name = "sensor",
                              .endpoint = SAGENT_ENDPOINT,
                              .stake = cfg->stake,
                              .log = cfg->log,
                              .who = SAGENT_WHO};
        pd_chain_init(&ch, &cc);
        cairn_err e;
        while ((e = pd_chain_register(&ch)) && transient(e) && !*stop)
            back_off(a);
        if (e)
            alog(a,
                 "the owner is not a sensor provider (%s): its batches are "
                 "registered but earn no rewards",
                 cairn_strerror(e));
        a->backoff_ms = 0;
    }
    chain_params(a);
    sbatch_tiler_init(&a->tiler, a->res);
    alog(a,
         "paired; last batch on chain %llu; tiles at res %u, batches of "
         "%u readings within %llu ms",
         (unsigned long long)a->seq, a->res, cfg->batch_readings,
         (unsigned long long)a->span_ms);
    while (!*stop) {
        int ps = pending_step(a);
        if (ps == 2) {
            rc = 1;
            break;
        }
        if (ps) {
            back_off(a);
            continue;
        }
        a->backoff_ms = 0;
        if (cfg->max_batches && a->registered >= cfg->max_batches)
            break;
        if (a->src_end && a->n == 0)
            break; /* the drive is done and registered */
        fill(a);
    }
    alog(a, "stopping: %llu batches registered in this run, last seq %llu",
         (unsigned long long)a->registered, (unsigned long long)a->seq);
done:
    ssrc_close(a->src);
    pd_unlock_dir(a->lock_fd);
    free(a->r);
    sodium_memzero(a, sizeof *a);
    free(a);
    return rc;
}
