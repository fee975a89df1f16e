/* The validator's rounds: reveal, probe, evidence, commit
 * (compute/validator/validator.h). */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cairn/job.h"
#include "cairn/compute.h"
#include <sodium.h>
#include "compute/validator/validator.h"

void val_log(const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    fprintf(stderr, "validator: %s\n", line);
}

/* Reveals the commit of epoch − 1 when we saved one and the chain has no
 * reveal of ours for it; a refusal is not retried (the chain will not
 * change its mind), a transport failure is, next round. */
static void reveal_prev(val *v)
{
    cairn_weights_reveal r;
    uint64_t prev = v->epoch - 1;
    /* the chain's reveal_epoch is the epoch a reveal was made in */
    if (v->epoch == 0 || v->reveal_epoch == v->epoch || v->reveal_tried == prev)
        return;
    cairn_err e = val_commit_load(v, prev, &r);
    if (e) {
        if (e != CAIRN_ERR_NOT_FOUND)
            val_log("cannot read the saved weights of epoch %llu (%s): that "
                    "commit cannot be revealed",
                    (unsigned long long)prev, cairn_strerror(e));
        v->reveal_tried = prev;
        return;
    }
    cairn_buf b;
    cairn_buf_init(&b, 4 + 8 + 2 + 4 * CAIRN_SUBNET_MAX_MINERS + 32);
    cairn_weights_reveal_encode(&b, &r);
    e = b.err ? b.err : val_send(v, CAIRN_TX_WEIGHTS_REVEAL, b.p, b.len);
    cairn_buf_free(&b);
    if (e != CAIRN_ERR_HTTP)
        v->reveal_tried = prev;
    if (!e) {
        val_log("revealed the weights of epoch %llu (%u miners)",
                (unsigned long long)prev, (unsigned)r.w.n);
        v->reveal_epoch = v->epoch;
    }
}

/* Turns probe results into weights: 65535 · fastest / ms for a pass. */
static void weigh(const val *v, const val_probe *p, cairn_weights *w)
{
    uint64_t best = UINT64_MAX;
    for (size_t i = 0; i < v->nminers; i++)
        if (p[i].passed && p[i].ms < best)
            best = p[i].ms;
    w->n = 0;
    for (size_t i = 0; i < v->nminers; i++) {
        uint64_t x = 0;
        if (p[i].passed) {
            uint64_t ms = p[i].ms ? p[i].ms : 1;
            x = 65535u * (best ? best : 1) / ms;
            x = x < 1 ? 1 : x > 65535u ? 65535u : x;
        }
        if (x == 0)
            continue;
        w->e[w->n].uid = v->miners[i].uid;
        w->e[w->n].w = (uint16_t)x;
        w->n++;
    }
}

static void report(const val *v, const val_probe *p)
{
    char addr[CAIRN_ADDR_TEXT_LEN + 1];
    for (size_t i = 0; i < v->nminers; i++) {
        cairn_addr_format(addr, &v->miners[i].address);
        if (p[i].passed)
            val_log("epoch %llu miner %u (%.12s…) passed in %llu ms",
                    (unsigned long long)v->epoch, v->miners[i].uid, addr,
                    (unsigned long long)p[i].ms);
        else
            val_log("epoch %llu miner %u (%.12s…) %s: %s",
                    (unsigned long long)v->epoch, v->miners[i].uid, addr,
                    p[i].answered ? "FAILED the check" : "did not answer",
                    p[i].why);
    }
}

/* Sends the evidence of each failed check. */
static void accuse(val *v, const val_probe *p)
{
    for (size_t i = 0; i < v->nminers; i++) {
        if (!p[i].evidence)
            continue;
        if (val_send(v, CAIRN_TX_COMPUTE_EVIDENCE, p[i].evidence,
                     p[i].evidence_len) == 0)
            val_log("sent evidence against miner %u", v->miners[i].uid);
    }
}

static void commit(val *v, const cairn_weights_reveal *r)
{
    cairn_hash h;
    cairn_buf b;
    cairn_weights_commit_hash(&h, r->subnet, r->epoch, &v->cfg.key.pk, &r->w,
                              r->salt);
    cairn_err e = val_commit_save(v, r->epoch, r);
    if (e) {
        val_log("cannot save the weights of epoch %llu under %s/commits (%s); "
                "not committing what could not be revealed",
                (unsigned long long)r->epoch, v->cfg.data, cairn_strerror(e));
        return;
    }
    cairn_buf_init(&b, CAIRN_WEIGHTS_COMMIT_LEN);
    cairn_weights_commit_encode(&b, r->subnet, r->epoch, &h);
    if (!b.err &&
        val_send(v, CAIRN_TX_WEIGHTS_COMMIT, b.p, b.len) == CAIRN_OK) {
        val_log("committed weights for epoch %llu over %u miners",
                (unsigned long long)r->epoch, (unsigned)r->w.n);
        v->done_epoch = r->epoch;
    }
    cairn_buf_free(&b);
    if (v->epoch >= 2)
        val_commit_prune(v, v->epoch - 2);
}

#define PROBES_AT_ONCE 16

typedef struct probe_arg {
    const val *v;
    const val_miner *m;
    val_probe *p;
} probe_arg;

static void *probe_thread(void *a)
{
    probe_arg *pa = a;
    val_probe_miner(pa->v, pa->m, pa->p);
    return NULL;
}

/* Probes every miner, PROBES_AT_ONCE at a time, each within v->probe_ms:
 * a miner that holds its connection open costs one probe's deadline, not
 * the round. A probe whose thread cannot start runs here. */
static void probe_all(val *v, val_probe *p)
{
    pthread_t th[PROBES_AT_ONCE];
    probe_arg arg[PROBES_AT_ONCE];
    int started[PROBES_AT_ONCE];
    if (val_probe_prepare(v) != CAIRN_OK)
        val_log("probes of this subnet's type cannot be made here");
    for (size_t i0 = 0; i0 < v->nminers; i0 += PROBES_AT_ONCE) {
        size_t k =
            v->nminers - i0 < PROBES_AT_ONCE ? v->nminers - i0 : PROBES_AT_ONCE;
        for (size_t t = 0; t < k; t++) {
            arg[t] = (probe_arg){v, &v->miners[i0 + t], &p[i0 + t]};
            started[t] =
                pthread_create(&th[t], NULL, probe_thread, &arg[t]) == 0;
            if (!started[t])
                probe_thread(&arg[t]);
        }
        for (size_t t = 0; t < k; t++)
            if (started[t])
                pthread_join(th[t], NULL);
    }
}

/* Probes every miner and keeps the weights they earn in v->scores, for
 * the next commit; sends the evidence of each failed check. */
static void probe_round(val *v)
{
    val_probe *p = calloc(v->nminers ? v->nminers : 1, sizeof *p);
    if (!p)
        return;
    probe_all(v, p);
    report(v, p);
    accuse(v, p);
    weigh(v, p, &v->scores);
    v->probed_epoch = v->epoch;
    v->have_scores = 1;
    for (size_t i = 0; i < v->nminers; i++)
        val_probe_free(&p[i]);
    free(p);
}

/* Commits the newest scores for this epoch. */
static void commit_scores(val *v)
{
    cairn_weights_reveal *r = calloc(1, sizeof *r);
    if (!r)
        return;
    r->subnet = v->subnet_id;
    r->epoch = v->epoch;
    r->w = v->scores;
    randombytes_buf(r->salt, sizeof r->salt);
    commit(v, r);
    free(r);
}

/* A round: reveal last epoch's commit; commit this epoch's weights first
 * thing (from the probes of the epoch before: a slow probe never pushes a
 * commit past its epoch); then probe once per epoch. The very first probes
 * are committed at once. */
void val_round(val *v)
{
    if (val_refresh(v) != CAIRN_OK || !v->is_validator)
        return;
    reveal_prev(v);
    int due = v->done_epoch != v->epoch && v->commit_epoch != v->epoch;
    if (due && v->have_scores)
        commit_scores(v);
    if (v->probed_epoch != v->epoch) {
        probe_round(v);
        if (due && v->done_epoch != v->epoch)
            commit_scores(v); /* the first epoch: nothing older */
    }
}
