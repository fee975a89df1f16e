/* `cairn put`: encode a file, store piece i of every segment with provider
 * i (a spare provider takes over a slot whose provider refuses or fails),
 * record it, and open one deal per piece. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cairn/piecestore.h"
#include "client/deals.h"
#include "client/par.h"
#include "client/pick.h"
#include "client/progress.h"
#include "client/tag.h"

typedef struct put_state {
    sclient *c;
    const sclient_put_opts *o;
    schain ch;
    cmeta_file f;
    uint64_t segments, nonce, start;
    cpeer *peers;
    size_t npeers, next_spare;
    size_t *slot; /* n: the peer now holding piece index i */
    cjob *jobs;   /* segments x n */
    cairn_layout *l;
    uint8_t *plain, *pieces;
    size_t pieces_cap;
    cairn_hash roots[CAIRN_RS_MAX_N];
} put_state;

static void put_free(put_state *s)
{
    cairn_layout_free(s->l);
    cpick_free(s->peers, s->npeers);
    free(s->slot);
    free(s->jobs);
    free(s->plain);
    free(s->pieces);
}

/* Bytes one provider stores for the whole file (piece i of each segment). */
static uint64_t per_provider(const cairn_file_info *fi, uint64_t segments)
{
    cairn_segment_sizes sz;
    if (cairn_layout_sizes(fi, 0, &sz))
        return 0;
    return segments * cairn_piecestore_cost(sz.piece);
}

/* Chooses the providers and sets up the buffers. */
static cairn_err prepare(put_state *s, uint64_t size)
{
    sclient *c = s->c;
    uint32_t n = s->o->p.n;
    cairn_segment_sizes sz;
    snode_err ne;
    s->segments = cairn_layout_segments(&s->f.fi);
    cairn_err e = cpick(c, &s->ch, per_provider(&s->f.fi, s->segments),
                        s->o->max_price, NULL, 0, &s->peers, &s->npeers);
    if (e)
        return e;
    if (s->npeers < n)
        return sclient_fail(
            c, CAIRN_ERR_FEW_PROVIDERS,
            "%zu storage provider(s) can take the pieces; %u are needed "
            "(n = %u): lower --n or wait for more providers",
            s->npeers, n, n);
    if ((e = snode_next_nonce(c->node, &c->key.pk, &s->nonce, &ne)))
        return sclient_fail(c, e, "cannot read the account's nonce: %s",
                            ne.msg);
    if ((e = cairn_layout_sizes(&s->f.fi, 0, &sz)) ||
        (e = cairn_layout_new(&s->l, &s->f.fi, c->secret)))
        return sclient_fail(c, e, "cannot set up the encoder: %s",
                            cairn_strerror(e));
    s->pieces_cap = (size_t)n * sz.piece;
    s->slot = calloc(n, sizeof *s->slot);
    s->jobs = calloc(s->segments * n, sizeof *s->jobs);
    s->plain = malloc(s->o->p.segment_size);
    s->pieces = malloc(s->pieces_cap);
    if (!s->slot || !s->jobs || !s->plain || !s->pieces)
        return sclient_fail(c, CAIRN_ERR_NOMEM,
                            "out of memory for a %u-byte segment",
                            s->o->p.segment_size);
    for (uint32_t i = 0; i < n; i++)
        s->slot[i] = i;
    s->next_spare = n;
    s->start = sclient_start_epoch(&s->ch);
    return CAIRN_OK;
}

/* Makes the STORE of piece idx of segment seg for peer `peer`. */
static cairn_err make_job(put_state *s, uint64_t seg, uint32_t idx, size_t peer,
                          const cairn_segment_sizes *sz)
{
    cjob *j = &s->jobs[seg * s->o->p.n + idx];
    cpeer *p = &s->peers[peer];
    cairn_err e = cjob_open(j, &p->link, &p->info, &s->ch, &s->f, (uint32_t)seg,
                            idx, &s->roots[idx], sz->piece,
                            s->nonce + seg * s->o->p.n + idx, s->start);
    j->m.piece = s->pieces + (size_t)idx * sz->piece;
    j->m.piece_len = sz->piece;
    return e;
}

typedef struct store_ctx {
    put_state *s;
    uint64_t seg;
} store_ctx;

static void store_slot(void *arg, size_t i)
{
    store_ctx *x = arg;
    cjob_store(&x->s->jobs[x->seg * x->s->o->p.n + i]);
}

/* Gives a failed piece to the spare providers in turn. */
static void use_spares(put_state *s, uint64_t seg, uint32_t idx,
                       const cairn_segment_sizes *sz)
{
    cjob *j = &s->jobs[seg * s->o->p.n + idx];
    while (j->state == CJOB_FAILED && s->next_spare < s->npeers) {
        size_t spare = s->next_spare++;
        if (s->c->log)
            fprintf(s->c->log, "cairn: %s; trying another provider\n", j->why);
        if (make_job(s, seg, idx, spare, sz))
            continue;
        cjob_store(j);
        if (j->state == CJOB_SIGNED)
            s->slot[idx] = spare; /* it keeps this slot from now on */
    }
}

/* Encodes and stores one segment; OK when at least k pieces found a
 * provider. */
static cairn_err put_segment(put_state *s, int fd, uint64_t seg)
{
    cairn_segment_sizes sz;
    uint32_t n = s->o->p.n, placed = 0;
    cairn_err e = cairn_layout_sizes(&s->f.fi, seg, &sz);
    if (!e && sz.plain &&
        pread(fd, s->plain, sz.plain, (off_t)(seg * s->o->p.segment_size)) !=
            (ssize_t)sz.plain)
        return sclient_fail(s->c, CAIRN_ERR_IO, "cannot read %s", s->o->path);
    if (!e)
        e = cairn_layout_encode(s->l, seg, s->plain, sz.plain, s->pieces,
                                s->pieces_cap, s->roots);
    for (uint32_t i = 0; !e && i < n; i++)
        e = make_job(s, seg, i, s->slot[i], &sz);
    if (e)
        return sclient_fail(s->c, e, "cannot encode segment %llu: %s",
                            (unsigned long long)seg, cairn_strerror(e));
    store_ctx x = {s, seg};
    cpar_run(n, store_slot, &x);
    for (uint32_t i = 0; i < n; i++) {
        use_spares(s, seg, i, &sz);
        cjob *j = &s->jobs[seg * n + i];
        j->m.piece = NULL; /* the buffer is reused for the next segment */
        j->m.piece_len = 0;
        placed += j->state == CJOB_SIGNED;
    }
    if (placed < s->o->p.k)
        return sclient_fail(
            s->c, CAIRN_ERR_FEW_PROVIDERS,
            "only %u of segment %llu's pieces found a provider (k = %u): %s",
            placed, (unsigned long long)seg, s->o->p.k, s->jobs[seg * n].why);
    return CAIRN_OK;
}

/* The piece records of the jobs that were stored. */
static cairn_err record(put_state *s)
{
    size_t total = s->segments * s->o->p.n, k = 0;
    cmeta_piece *p = calloc(total, sizeof *p);
    if (!p)
        return sclient_fail(s->c, CAIRN_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < total; i++) {
        const cjob *j = &s->jobs[i];
        if (j->state != CJOB_SIGNED && j->state != CJOB_OPEN)
            continue;
        p[k].seg = j->m.terms.segment;
        p[k].idx = j->m.terms.piece_index;
        p[k].provider = j->link->provider;
        p[k].root = j->m.root;
        p[k].size = j->m.size;
        p[k].deal = j->state == CJOB_OPEN ? j->deal : 0;
        snprintf(p[k].endpoint, sizeof p[k].endpoint, "%s", j->link->endpoint);
        k++;
    }
    cairn_err e = cmeta_put(s->c->meta, &s->f, p, k);
    free(p);
    return e ? sclient_fail(s->c, e, "cannot write the client's store: %s",
                            cairn_strerror(e))
             : CAIRN_OK;
}

/* Opens the deals and records their ids; warns of pieces left out. */
static cairn_err open_deals(put_state *s)
{
    size_t total = s->segments * s->o->p.n, open = 0;
    uint64_t last = 0;
    cairn_err e = cjobs_submit(s->c, s->jobs, total);
    if (e == CAIRN_ERR_HTTP)
        return e;
    for (size_t i = 0; i < total; i++) {
        open += s->jobs[i].state == CJOB_OPEN;
        if (s->jobs[i].deal > last)
            last = s->jobs[i].deal;
    }
    cairn_err r = record(s);
    if (!r && last)
        r = cmeta_set_last_deal(s->c->meta, last);
    if (r)
        return r;
    if (open < total && s->c->log)
        fprintf(s->c->log,
                "cairn: warning: %zu of %zu pieces have no deal (%s); "
                "`cairn repair` places them again\n",
                total - open, total, s->c->why);
    return open ? CAIRN_OK : e;
}

/* Fills the file record. */
static void file_record(put_state *s, const uint8_t id[CMETA_ID_LEN])
{
    const char *name = s->o->name ? s->o->name : strrchr(s->o->path, '/');
    name = name ? (name == s->o->name ? name : name + 1) : s->o->path;
    memcpy(s->f.id, id, CMETA_ID_LEN);
    s->f.created = (uint64_t)time(NULL);
    s->f.permanent = (uint8_t)(s->o->permanent != 0);
    s->f.epochs = s->o->permanent ? 0 : s->o->epochs;
    snprintf(s->f.name, sizeof s->f.name, "%s", name);
}

cairn_err sclient_put(sclient *c, const sclient_put_opts *o, cmeta_file *out)
{
    put_state s = {.c = c, .o = o};
    uint8_t id[CMETA_ID_LEN];
    struct stat st;
    cprog bar;
    int fd = open(o->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        if (fd >= 0)
            close(fd);
        return sclient_fail(c, CAIRN_ERR_IO, "cannot read %s (a regular file)",
                            o->path);
    }
    cairn_err e =
        ctag_new(&s.f.fi, &s.f.tag, id, &o->p, (uint64_t)st.st_size, c->secret);
    if (e)
        sclient_fail(
            c, e,
            "k, n and segment size out of bounds (1 <= k < n <= 255, segment "
            "1 KiB..32 MiB in whole KiB)");
    file_record(&s, id);
    if (!e && !(e = sclient_chain(c, &s.ch)))
        e = prepare(&s, (uint64_t)st.st_size);
    cprog_start(&bar, !e && c->progress ? c->log : NULL, "put",
                (uint64_t)st.st_size);
    for (uint64_t seg = 0; !e && seg < s.segments; seg++) {
        e = put_segment(&s, fd, seg);
        cairn_segment_sizes sz;
        if (!e && !cairn_layout_sizes(&s.f.fi, seg, &sz))
            cprog_add(&bar, sz.plain);
    }
    cprog_end(&bar);
    close(fd);
    if (!e && !(e = record(&s)))
        e = open_deals(&s);
    if (!e)
        *out = s.f;
    put_free(&s);
    return e;
}
