/* The data path of `cairn put` (client/putseg.h). The caller's thread
 * encodes segments into a ring of buffers; one sender thread per group of
 * slots stores its pieces of each segment in order as soon as the segment
 * is encoded; a buffer is encoded again once every piece of its segment is
 * done. A mutex and a condition variable guard the counters of `run`. */
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "storage/client/par.h"
#include "storage/client/putseg.h"

#define NONE UINT64_MAX
#define PIPE 2                /* segments a sender has on their way at once */
#define START_REFRESH_MS 1000 /* a long put reads the epoch this often */

/* One cput_run: what the encoder and the senders share. */
typedef struct run {
    cput *s;
    cprog *bar;
    unsigned senders; /* slot i is sent by sender i % senders */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    uint64_t encoded;           /* segments 0..encoded-1 are ready */
    uint32_t done[CPUT_BUFS];   /* pieces done of the buffer's segment */
    uint32_t placed[CPUT_BUFS]; /* of which signed for */
    uint64_t failed;            /* lowest failed segment, or NONE */
    cairn_err err;              /* its error */
    char why[SCLIENT_WHY_MAX];  /* and message */
} run;

static int64_t mono_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* The start epoch of a deal made now. A provider signs only deals that
 * start after the current epoch, so a put that outlasts an epoch moves the
 * start of its later pieces on: the chain is read again (a copy of the
 * session, so that a failure's message stays here) at most every
 * START_REFRESH_MS, and the start becomes the epoch after next, which
 * stays valid for a provider (it takes up to 4 ahead) even when the epoch
 * turns before the next read; when it cannot be read, the start stays. */
static uint64_t start_now(cput *s)
{
    pthread_mutex_lock(&s->start_mu);
    int64_t now = mono_ms();
    if (s->c->node && now - s->start_read_ms >= START_REFRESH_MS) {
        sclient tmp = *s->c;
        schain ch;
        tmp.log = NULL;
        s->start_read_ms = now;
        if (sclient_chain(&tmp, &ch) == CAIRN_OK) {
            uint64_t st = ch.epoch + 2;
            s->start = st > s->start ? st : s->start;
        }
        sodium_memzero(tmp.secret, sizeof tmp.secret);
    }
    uint64_t start = s->start;
    pthread_mutex_unlock(&s->start_mu);
    return start;
}

cairn_err cput_init(cput *s)
{
    const cairn_file_info *fi = &s->f->fi;
    uint32_t n = fi->p.n;
    cairn_segment_sizes sz;
    s->segments = cairn_layout_segments(fi);
    cairn_err e = cairn_layout_sizes(fi, 0, &sz);
    if (e || (e = cairn_layout_new(&s->l, fi, s->c->secret)))
        return sclient_fail(s->c, e, "cannot set up the encoder: %s",
                            cairn_strerror(e));
    s->pieces_cap = (size_t)n * sz.piece;
    size_t one = s->pieces_cap + fi->p.segment_size;
    s->nbuf = 1;
    while (s->nbuf < CPUT_BUFS && s->nbuf < s->segments &&
           (s->nbuf + 1) * one <= CPUT_BUF_MAX)
        s->nbuf++;
    pthread_mutex_init(&s->start_mu, NULL);
    s->start_read_ms = mono_ms();
    s->slot = calloc(n, sizeof *s->slot);
    s->jobs = calloc(s->segments * n, sizeof *s->jobs);
    e = s->slot && s->jobs ? CAIRN_OK : CAIRN_ERR_NOMEM;
    for (unsigned b = 0; !e && b < s->nbuf; b++) {
        s->plain[b] = malloc(fi->p.segment_size);
        s->pieces[b] = malloc(s->pieces_cap);
        if (!s->plain[b] || !s->pieces[b])
            e = CAIRN_ERR_NOMEM;
    }
    if (e)
        return sclient_fail(s->c, e, "out of memory for a %u-byte segment",
                            fi->p.segment_size);
    for (uint32_t i = 0; i < n; i++)
        s->slot[i] = i;
    s->next_spare = n;
    return CAIRN_OK;
}

void cput_free(cput *s)
{
    pthread_mutex_destroy(&s->start_mu);
    cairn_layout_free(s->l);
    free(s->slot);
    free(s->jobs);
    for (unsigned b = 0; b < CPUT_BUFS; b++) {
        free(s->plain[b]);
        free(s->pieces[b]);
    }
    s->l = NULL;
    s->slot = NULL;
    s->jobs = NULL;
    memset(s->plain, 0, sizeof s->plain);
    memset(s->pieces, 0, sizeof s->pieces);
}

/* Records that segment seg failed (with e and a message) unless a lower
 * one did already. Under r->mu. */
static void fail_at(run *r, uint64_t seg, cairn_err e, const char *why)
{
    if (seg >= r->failed)
        return;
    r->failed = seg;
    r->err = e;
    snprintf(r->why, sizeof r->why, "%s", why);
    pthread_cond_broadcast(&r->cv);
}

/* Reads segment seg into its buffer and encodes it there; the encoder's
 * alone. 0, or -1 with the failure recorded. */
static int encode(run *r, uint64_t seg)
{
    cput *s = r->s;
    unsigned b = (unsigned)(seg % s->nbuf);
    cairn_segment_sizes sz;
    char why[SCLIENT_WHY_MAX] = "";
    cairn_err e = cairn_layout_sizes(&s->f->fi, seg, &sz);
    if (!e && sz.plain &&
        pread(s->fd, s->plain[b], sz.plain,
              (off_t)(seg * s->f->fi.p.segment_size)) != (ssize_t)sz.plain) {
        e = CAIRN_ERR_IO;
        snprintf(why, sizeof why, "cannot read %s", s->path);
    } else if (!e) {
        e = cairn_layout_encode(s->l, seg, s->plain[b], sz.plain, s->pieces[b],
                                s->pieces_cap, s->roots[b]);
    }
    if (e && !*why)
        snprintf(why, sizeof why, "cannot encode segment %llu: %s",
                 (unsigned long long)seg, cairn_strerror(e));
    if (!e)
        return 0;
    pthread_mutex_lock(&r->mu);
    fail_at(r, seg, e, why);
    pthread_mutex_unlock(&r->mu);
    return -1;
}

/* Makes the STORE of piece idx of segment seg for peer `peer`; FAILED
 * with why if the terms cannot be made. */
static int make_job(cput *s, uint64_t seg, uint32_t idx, size_t peer)
{
    uint32_t n = s->f->fi.p.n;
    unsigned b = (unsigned)(seg % s->nbuf);
    cjob *j = &s->jobs[seg * n + idx];
    cpeer *p = &s->peers[peer];
    cairn_segment_sizes sz;
    cairn_err e = cairn_layout_sizes(&s->f->fi, seg, &sz);
    if (!e)
        e = cjob_open(j, &p->link, &p->info, s->ch, s->f, (uint32_t)seg, idx,
                      &s->roots[b][idx], sz.piece, s->nonce + seg * n + idx,
                      start_now(s));
    if (!e) {
        j->m.piece = s->pieces[b] + (size_t)idx * sz.piece;
        j->m.piece_len = sz.piece;
    } else {
        j->link = &p->link;
        j->state = CJOB_FAILED;
        snprintf(j->why, sizeof j->why, "cannot make the deal: %s",
                 cairn_strerror(e));
    }
    return e ? -1 : 0;
}

/* The next spare provider, or -1 when none is left. */
static long take_spare(run *r)
{
    long spare = -1;
    pthread_mutex_lock(&r->mu);
    if (r->s->next_spare < r->s->npeers)
        spare = (long)r->s->next_spare++;
    pthread_mutex_unlock(&r->mu);
    return spare;
}

/* Piece idx of segment seg failed with its provider: tries the slot's
 * provider if a spare took the slot since it was sent, then further spares
 * in turn; a spare that takes it keeps the slot. Waits for each reply. */
static void fail_over(run *r, uint64_t seg, uint32_t idx)
{
    cput *s = r->s;
    cjob *j = &s->jobs[seg * s->f->fi.p.n + idx];
    size_t now = s->slot[idx];
    long spare;
    if (j->link != &s->peers[now].link && !make_job(s, seg, idx, now))
        cjob_store(j);
    while (j->state == CJOB_FAILED && (spare = take_spare(r)) >= 0) {
        if (s->c->log)
            fprintf(s->c->log, "cairn: %s; trying another provider\n", j->why);
        if (make_job(s, seg, idx, (size_t)spare))
            continue;
        cjob_store(j);
        if (j->state == CJOB_SIGNED)
            s->slot[idx] = (size_t)spare; /* it keeps this slot from now on */
    }
}

/* A sender: slots w, w + senders, ... of every segment, in segment order,
 * with up to PIPE segments' STOREs on their way on each link. */
typedef struct sender {
    run *r;
    unsigned w;
    size_t proven[CAIRN_RS_MAX_N]; /* per slot: the peer that answered */
} sender;

/* Starts piece idx of segment seg: its STORE goes on its way to the slot's
 * provider. The first STORE to a provider in this run waits for its reply
 * instead (clink_store dials again once when a connection left from asking
 * the provider turns out closed). Fails over at once when it fails. */
static void start_piece(sender *x, uint64_t seg, uint32_t idx)
{
    cput *s = x->r->s;
    cjob *j = &s->jobs[seg * s->f->fi.p.n + idx];
    size_t peer = s->slot[idx];
    if (make_job(s, seg, idx, peer)) {
        fail_over(x->r, seg, idx);
        return;
    }
    if (x->proven[idx] != peer) {
        cjob_store(j);
        if (j->state == CJOB_SIGNED)
            x->proven[idx] = peer;
    } else {
        cjob_send(j);
    }
    if (j->state == CJOB_FAILED) {
        x->proven[idx] = (size_t)NONE;
        fail_over(x->r, seg, idx);
    }
}

/* Finishes piece idx of segment seg: takes the reply of a STORE on its way
 * and fails over if it failed. */
static void finish_piece(sender *x, uint64_t seg, uint32_t idx)
{
    cput *s = x->r->s;
    cjob *j = &s->jobs[seg * s->f->fi.p.n + idx];
    if (j->state == CJOB_NEW) {
        cjob_recv(j);
        if (j->state == CJOB_FAILED) {
            x->proven[idx] = (size_t)NONE;
            fail_over(x->r, seg, idx);
        }
    }
    j->m.piece = NULL; /* the buffer is reused for a later segment */
    j->m.piece_len = 0;
}

/* Counts piece idx of segment seg done; the last piece of a segment checks
 * that k found a provider and frees its buffer. Under r->mu. */
static void piece_done(run *r, uint64_t seg, uint32_t idx)
{
    cput *s = r->s;
    const cairn_file_info *fi = &s->f->fi;
    unsigned b = (unsigned)(seg % s->nbuf);
    char why[SCLIENT_WHY_MAX];
    cairn_segment_sizes sz;
    r->placed[b] += s->jobs[seg * fi->p.n + idx].state == CJOB_SIGNED;
    if (++r->done[b] < fi->p.n)
        return;
    pthread_cond_broadcast(&r->cv);
    if (r->placed[b] < fi->p.k) {
        snprintf(why, sizeof why,
                 "only %u of segment %llu's pieces found a provider (k = %u): "
                 "%s",
                 r->placed[b], (unsigned long long)seg, fi->p.k,
                 s->jobs[seg * fi->p.n].why);
        fail_at(r, seg, CAIRN_ERR_FEW_PROVIDERS, why);
    } else if (r->bar && !cairn_layout_sizes(fi, seg, &sz)) {
        cprog_add(r->bar, sz.plain);
    }
}

/* Whether segment seg may be sent: 1 when encoded, 0 when not yet (and
 * `wait` is 0), -1 when a failure at or below it ends the run. */
static int ready(run *r, uint64_t seg, int wait)
{
    pthread_mutex_lock(&r->mu);
    while (wait && r->encoded <= seg && r->failed > seg)
        pthread_cond_wait(&r->cv, &r->mu);
    int go = r->failed <= seg ? -1 : r->encoded > seg;
    pthread_mutex_unlock(&r->mu);
    return go;
}

/* Starts (send) or finishes (!send) the sender's pieces of segment seg;
 * finishing counts them done. */
static void segment_pieces(sender *x, uint64_t seg, int send)
{
    run *r = x->r;
    uint32_t n = r->s->f->fi.p.n;
    for (uint32_t i = x->w; i < n; i += r->senders) {
        if (send)
            start_piece(x, seg, i);
        else
            finish_piece(x, seg, i);
    }
    if (send)
        return;
    pthread_mutex_lock(&r->mu);
    for (uint32_t i = x->w; i < n; i += r->senders)
        piece_done(r, seg, i);
    pthread_mutex_unlock(&r->mu);
}

/* The sender's loop: keeps up to PIPE segments on their way, starting the
 * next one once it is encoded (waiting for it only when none is on its
 * way) and finishing the oldest. */
static void *sender_main(void *arg)
{
    sender *x = arg;
    uint64_t next = 0, oldest = 0, segs = x->r->s->segments;
    int stop = 0;
    for (size_t i = 0; i < CAIRN_RS_MAX_N; i++)
        x->proven[i] = (size_t)NONE;
    while (oldest < segs) {
        while (!stop && next < segs && next - oldest < PIPE) {
            int go = ready(x->r, next, next == oldest);
            if (go < 0)
                stop = 1;
            if (go <= 0)
                break;
            segment_pieces(x, next++, 1);
        }
        if (oldest == next)
            break; /* stopped with nothing on its way */
        segment_pieces(x, oldest++, 0);
    }
    return NULL;
}

/* The encoder: waits for segment seg's buffer to be free (every piece of
 * the segment before in it done), resets its counts and marks it encoded
 * once it is. Stops at a failure. */
static void encoder(run *r)
{
    cput *s = r->s;
    uint32_t n = s->f->fi.p.n;
    for (uint64_t seg = 0; seg < s->segments; seg++) {
        unsigned b = (unsigned)(seg % s->nbuf);
        pthread_mutex_lock(&r->mu);
        while (seg >= s->nbuf && r->done[b] < n && r->failed > seg)
            pthread_cond_wait(&r->cv, &r->mu);
        int go = r->failed > seg;
        r->done[b] = r->placed[b] = 0;
        pthread_mutex_unlock(&r->mu);
        if (!go || encode(r, seg))
            return;
        pthread_mutex_lock(&r->mu);
        r->encoded = seg + 1;
        pthread_cond_broadcast(&r->cv);
        pthread_mutex_unlock(&r->mu);
    }
}

/* With no thread to be had: each segment encoded, then its pieces sent,
 * on this thread. */
static void in_turn(run *r, sender *x)
{
    r->senders = 1;
    *x = (sender){.r = r, .w = 0};
    for (size_t i = 0; i < CAIRN_RS_MAX_N; i++)
        x->proven[i] = (size_t)NONE;
    for (uint64_t seg = 0; seg < r->s->segments && r->failed == NONE; seg++) {
        unsigned b = (unsigned)(seg % r->s->nbuf);
        r->done[b] = r->placed[b] = 0;
        if (encode(r, seg))
            return;
        r->encoded = seg + 1;
        segment_pieces(x, seg, 1);
        segment_pieces(x, seg, 0);
    }
}

cairn_err cput_run(cput *s, cprog *bar)
{
    uint32_t n = s->f->fi.p.n;
    unsigned want = n < CPAR_THREADS ? n : CPAR_THREADS, started = 0;
    pthread_t th[CPAR_THREADS];
    sender x[CPAR_THREADS];
    run r = {.s = s, .bar = bar, .senders = want, .failed = NONE};
    pthread_mutex_init(&r.mu, NULL);
    pthread_cond_init(&r.cv, NULL);
    for (; started < want; started++) {
        x[started] = (sender){.r = &r, .w = started};
        if (pthread_create(&th[started], NULL, sender_main, &x[started]))
            break;
    }
    if (started == want) {
        encoder(&r);
    } else { /* stop those started (none has sent anything) */
        pthread_mutex_lock(&r.mu);
        fail_at(&r, 0, CAIRN_ERR_NOMEM, "cannot start a thread");
        pthread_mutex_unlock(&r.mu);
    }
    for (unsigned i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    if (started < want) { /* then do it all on this thread */
        r.failed = NONE;
        r.encoded = 0;
        in_turn(&r, &x[0]);
    }
    pthread_cond_destroy(&r.cv);
    pthread_mutex_destroy(&r.mu);
    return r.failed == NONE ? CAIRN_OK : sclient_fail(s->c, r.err, "%s", r.why);
}
