/* The gateway's accounts (gw.h): one per key file named in the access keys
 * file (or the gateway's --key), each with its storage client session in
 * DIR/accounts/<address>/client, its index in DIR/s3/<address>, a mutex
 * that keeps its transactions one at a time (nonces), the name records of
 * its buckets and objects, the rebuild of its index from the chain, and a
 * repair thread that checks every file once per epoch. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/durable.h"
#include "s3/gw.h"

#include "storage/client/names.h"
#include "storage/client/repairwatch.h"

cairn_err gw_name_set(gw_acct *a, const uint8_t id[CMETA_ID_LEN],
                      const char *json)
{
    return sclient_name_set(&a->c, id, json);
}

cairn_err gw_name_del(gw_acct *a, const uint8_t id[CMETA_ID_LEN])
{
    return sclient_name_del(&a->c, id);
}

/* ---- recovery ---- */

typedef struct rec_ctx {
    gw_acct *a;
    size_t buckets, objects;
} rec_ctx;

static int recover_one(void *arg, const uint8_t id[CMETA_ID_LEN], json_t *obj)
{
    rec_ctx *x = arg;
    gw_acct *a = x->a;
    char hex[2 * CMETA_ID_LEN + 1];
    gw_hex(hex, id, CMETA_ID_LEN);
    const char *bname = json_string_value(json_object_get(obj, "s3bucket"));
    if (bname && gw_bucket_name_ok(bname)) {
        json_t *rec = json_pack("{s:s, s:I}", "id", hex, "created",
                                (json_int_t)time(NULL));
        s3idx_bucket_put(a->idx, bname, rec);
        json_decref(rec);
        x->buckets++;
        return 0;
    }
    json_t *s3 = json_object_get(obj, "s3");
    const char *name = json_string_value(json_object_get(obj, "name"));
    const char *slash = name ? strchr(name, '/') : NULL;
    char b[GW_BUCKET_MAX + 1];
    if (!json_is_object(s3) || !slash || (size_t)(slash - name) > GW_BUCKET_MAX)
        return 0;
    memcpy(b, name, (size_t)(slash - name));
    b[slash - name] = '\0';
    const char *k = slash + 1;
    if (!gw_bucket_name_ok(b) || strlen(k) > GW_KEY_MAX || !*k)
        return 0;
    uint64_t size = (uint64_t)json_integer_value(json_object_get(s3, "size"));
    cmeta_file f;
    int has_file = cmeta_find(a->c.meta, hex, &f) == CAIRN_OK;
    if (has_file)
        size = f.fi.size;
    else if (size) /* the file's deals are gone: nothing to serve */
        return 0;
    json_t *bk;
    if (s3idx_bucket_get(a->idx, b, &bk) == CAIRN_OK)
        json_decref(bk);
    else {
        json_t *rec = json_pack("{s:s, s:I}", "id", "", "created",
                                (json_int_t)time(NULL));
        s3idx_bucket_put(a->idx, b, rec);
        json_decref(rec);
    }
    json_t *rec = json_pack(
        "{s:s, s:s, s:I, s:s, s:s, s:I}", "id", has_file ? hex : "", "nid",
        has_file ? "" : hex, "size", (json_int_t)size, "etag",
        json_string_value(json_object_get(s3, "etag")) ?: "", "type",
        json_string_value(json_object_get(s3, "type")) ?: "binary/octet-stream",
        "mtime", json_integer_value(json_object_get(s3, "mtime")));
    json_t *meta = json_object_get(s3, "meta");
    if (json_is_object(meta))
        json_object_set(rec, "meta", meta);
    s3idx_obj_put(a->idx, b, k, rec);
    json_decref(rec);
    x->objects++;
    return 0;
}

cairn_err gw_recover(gw_acct *a, size_t *buckets, size_t *objects)
{
    size_t files = 0;
    rec_ctx x = {a, 0, 0};
    pthread_mutex_lock(&a->mu);
    cairn_err e = sclient_recover(&a->c, &files);
    if (!e)
        e = sclient_names(&a->c, recover_one, &x);
    pthread_mutex_unlock(&a->mu);
    *buckets = x.buckets;
    *objects = x.objects;
    return e;
}

/* ---- repair ---- */

/* Sleeps up to ms or until the gateway stops; 1 when stopping. */
static int nap(gw *g, unsigned ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&g->stop_mu);
    while (!g->stop &&
           pthread_cond_timedwait(&g->stop_cv, &g->stop_mu, &ts) == 0)
        ;
    int s = g->stop;
    pthread_mutex_unlock(&g->stop_mu);
    return s;
}

static void *repair_loop(void *arg)
{
    gw_acct *a = arg;
    gw *g = a->g;
    uint64_t last = UINT64_MAX;
    while (!nap(g, 2000)) {
        schain ch;
        if (sclient_chain(&a->c, &ch) != CAIRN_OK || ch.epoch == last)
            continue; /* the node is away, or the epoch has not turned */
        srepair_stats st;
        last = ch.epoch;
        pthread_mutex_lock(&a->mu);
        cairn_err e = srepair_pass(&a->c, g->o.repair_min_alive, stderr, &st);
        pthread_mutex_unlock(&a->mu);
        if (e)
            fprintf(stderr, "s3: account %s: repair pass failed: %s\n", a->addr,
                    cairn_strerror(e));
    }
    return NULL;
}

/* ---- accounts ---- */

static cairn_err acct_open(gw *g, gw_acct *a, char *why, size_t whylen)
{
    cairn_keypair kp;
    const char *kf = *a->key_file ? a->key_file : g->o.key;
    char dir[GW_PATH_MAX];
    cairn_err e = cairn_key_load(kf, &kp);
    if (e) {
        snprintf(why, whylen, "cannot read the key file %s: %s", kf,
                 cairn_strerror(e));
        return e;
    }
    cairn_addr_format(a->addr, &kp.pk);
    snprintf(dir, sizeof dir, "%s/accounts/%s/client", g->o.store, a->addr);
    if (cairn_mkdirs(dir)) {
        cairn_keypair_wipe(&kp);
        snprintf(why, whylen, "cannot create %s: %s", dir, strerror(errno));
        return CAIRN_ERR_IO;
    }
    e = sclient_open(&a->c, g->o.node, dir, &kp);
    cairn_keypair_wipe(&kp);
    if (e) {
        snprintf(why, whylen, "cannot open the client store %s: %s", dir,
                 *a->c.why ? a->c.why : cairn_strerror(e));
        return e;
    }
    a->open = 1;
    a->c.log = stderr;
    a->c.progress = 0;
    snprintf(dir, sizeof dir, "%s/s3/%s", g->o.store, a->addr);
    if ((e = s3idx_open(&a->idx, dir))) {
        snprintf(why, whylen, "cannot open the index %s: %s", dir,
                 cairn_strerror(e));
        return e;
    }
    pthread_mutex_init(&a->mu, NULL);
    a->g = g;
    return CAIRN_OK;
}

cairn_err gw_accts_open(gw *g, char *why, size_t whylen)
{
    g->acct = calloc(g->keys.n + 1, sizeof *g->acct);
    g->acct_of = calloc(g->keys.n + 1, sizeof *g->acct_of);
    if (!g->acct || !g->acct_of)
        return CAIRN_ERR_NOMEM;
    for (size_t i = 0; i < g->keys.n; i++) {
        const char *kf = g->keys.k[i].key_file;
        size_t j;
        for (j = 0; j < g->nacct; j++)
            if (strcmp(g->acct[j].key_file, kf) == 0)
                break;
        if (j == g->nacct) {
            gw_acct *a = &g->acct[g->nacct++];
            snprintf(a->key_file, sizeof a->key_file, "%s", kf);
            cairn_err e = acct_open(g, a, why, whylen);
            if (e)
                return e;
        }
        g->acct_of[i] = j;
    }
    for (size_t j = 0; j < g->nacct; j++) {
        gw_acct *a = &g->acct[j];
        if (g->o.recover || s3idx_empty(a->idx)) {
            size_t nb = 0, no = 0;
            cairn_err e = gw_recover(a, &nb, &no);
            if (e)
                fprintf(stderr,
                        "s3: account %s: the index was not rebuilt from the "
                        "chain: %s\n",
                        a->addr, *a->c.why ? a->c.why : cairn_strerror(e));
            else if (nb || no)
                fprintf(stderr,
                        "s3: account %s: rebuilt %zu bucket(s) and %zu "
                        "object(s) from the chain\n",
                        a->addr, nb, no);
        }
        if (!g->o.no_repair &&
            pthread_create(&a->repair, NULL, repair_loop, a) == 0)
            a->repair_started = 1;
    }
    return CAIRN_OK;
}

void gw_accts_close(gw *g)
{
    pthread_mutex_lock(&g->stop_mu);
    g->stop = 1;
    pthread_cond_broadcast(&g->stop_cv);
    pthread_mutex_unlock(&g->stop_mu);
    for (size_t j = 0; j < g->nacct; j++) {
        gw_acct *a = &g->acct[j];
        if (a->repair_started)
            pthread_join(a->repair, NULL);
        if (a->idx)
            s3idx_close(a->idx);
        if (a->open)
            sclient_close(&a->c);
        if (a->g)
            pthread_mutex_destroy(&a->mu);
    }
    free(g->acct);
    free(g->acct_of);
    g->acct = NULL;
    g->acct_of = NULL;
    g->nacct = 0;
}
