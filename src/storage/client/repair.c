/* `cairn repair ID`: for each segment with fewer alive pieces than asked
 * (alive: deal active and provider answering), fetch k good pieces,
 * rebuild the others (the same bytes, so the same roots), and place each
 * with a provider that holds no piece of that segment: DEAL_REPLACE moves
 * a running deal (its escrow or endowment) to the new provider, a new
 * DEAL_OPEN replaces a deal that has ended. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/amount.h"
#include "storage/client/fetch.h"
#include "storage/client/health.h"
#include "storage/client/pick.h"

typedef struct repair_state {
    sclient *c;
    cmeta_file f;
    cmeta_piece *pieces;
    size_t npieces;
    chealth *h;
    schain ch;
    cfetch fetch;
    cairn_layout *l;
    cjob *jobs;      /* one per piece to place */
    uint8_t **bytes; /* each job's rebuilt piece */
    cmeta_piece *placed;
    size_t njobs;
    cpeer *peers;
    size_t npeers;
    cpick_stats stats;         /* the providers listed, and why left out */
    size_t unplaced;           /* lost pieces no provider took */
    char why[SCLIENT_WHY_MAX]; /* why the first of them was not placed */
} repair_state;

/* Per segment, what each provider (r->peers) is to it. */
enum {
    PEER_FREE = 0, /* holds no piece of the segment */
    PEER_LOST,     /* held a piece of it whose deal ended (came back?) */
    PEER_HOLDS,    /* holds an alive piece, one under a running deal, or
                      took one now */
    PEER_TRIED,    /* refused a piece of it now */
};

/* The record of piece (seg, idx), or NULL. */
static size_t find_piece(const repair_state *r, uint32_t seg, uint32_t idx)
{
    for (size_t i = 0; i < r->npieces; i++)
        if (r->pieces[i].seg == seg && r->pieces[i].idx == idx)
            return i;
    return SIZE_MAX;
}

/* 1 if the piece's deal can be moved: it runs past the next epoch. */
static int movable(const repair_state *r, const chealth *h)
{
    const cdeal *d = &h->deal;
    if (!h->has_deal || !strcmp(d->state, "ended"))
        return 0;
    uint64_t from = d->start > r->ch.epoch + 1 ? d->start : r->ch.epoch + 1;
    return d->permanent || d->end > from;
}

/* Makes j move the running deal of the piece at record `at` to peer p,
 * with the collateral for the deal and the epoch as they are now (both
 * read again: the provider allows no more than that). */
static cairn_err move_job(repair_state *r, cjob *j, size_t at, cpeer *p)
{
    cdeal d;
    cairn_err e = sclient_chain(r->c, &r->ch);
    if (!e)
        e = cdeal_get(r->c, r->h[at].deal.id, &d);
    return e ? e : cjob_replace(j, &p->link, &d, &r->ch);
}

/* Offers job j (piece idx of segment seg) to peer k; 1 if it signed. */
static int offer(repair_state *r, cjob *j, size_t k, size_t at, uint32_t seg,
                 uint32_t idx, const cairn_hash *root, uint64_t size,
                 uint8_t *bytes)
{
    cpeer *p = &r->peers[k];
    cairn_err e =
        at != SIZE_MAX && movable(r, &r->h[at])
            ? move_job(r, j, at, p)
            : cjob_open(j, &p->link, &p->info, &r->ch, &r->f, seg, idx, root,
                        size, 0, sclient_start_epoch(&r->ch));
    if (e) {
        snprintf(j->why, sizeof j->why, "cannot make the deal for %s: %s",
                 p->link.endpoint, cairn_strerror(e));
        return 0;
    }
    j->m.piece = bytes;
    j->m.piece_len = (uint32_t)size;
    cjob_store(j);
    j->m.piece = NULL;
    j->m.piece_len = 0;
    if (j->state != CJOB_SIGNED && r->c->log)
        fprintf(r->c->log, "cairn: %s; trying another provider\n", j->why);
    return j->state == CJOB_SIGNED;
}

/* The peer that held the piece at record `at`, if it may take it back
 * (its deal has ended and it holds no other piece of the segment).
 * SIZE_MAX if none. */
static size_t own_peer(const repair_state *r, size_t at, const uint8_t *seat)
{
    for (size_t k = 0; at != SIZE_MAX && k < r->npeers; k++)
        if (seat[k] == PEER_LOST &&
            !memcmp(r->peers[k].link.provider.b, r->pieces[at].provider.b, 32))
            return k;
    return SIZE_MAX;
}

/* Why no provider took a piece of segment seg that none was offered to. */
static void why_none(const repair_state *r, const uint8_t *seat, uint32_t seg,
                     cjob *j)
{
    size_t refused = 0;
    for (size_t k = 0; k < r->npeers; k++)
        refused += seat[k] == PEER_TRIED;
    if (!r->npeers)
        snprintf(j->why, sizeof j->why,
                 "none of the %zu storage provider(s) on chain answers with "
                 "room for it; start or add providers, then run repair again",
                 r->stats.listed);
    else if (!refused)
        snprintf(j->why, sizeof j->why,
                 "every one of the %zu storage provider(s) that answer already "
                 "holds a piece of segment %u (its %u pieces need %u distinct "
                 "providers); add providers, then run repair again",
                 r->npeers, seg, r->f.fi.p.n, r->f.fi.p.n);
    else
        snprintf(j->why, sizeof j->why,
                 "of the %zu storage provider(s) that answer, %zu refused a "
                 "piece of segment %u and the others hold one; add providers, "
                 "then run repair again",
                 r->npeers, refused, seg);
}

/* Places job j with a provider of this segment's `seat`: the piece's own
 * former provider first when it is back, then providers holding nothing
 * of the segment (cheapest first), then those whose piece of it is lost.
 * Each is tried once per segment; the one that signs is busy from then
 * on. On failure j is FAILED with why. */
static void place(repair_state *r, cjob *j, size_t at, uint32_t seg,
                  uint32_t idx, const cairn_hash *root, uint64_t size,
                  uint8_t *bytes, uint8_t *seat)
{
    size_t own = own_peer(r, at, seat), tried = 0;
    memset(j, 0, sizeof *j);
    for (int pass = 0; pass < 3 && j->state != CJOB_SIGNED; pass++)
        for (size_t k = 0; k < r->npeers && j->state != CJOB_SIGNED; k++) {
            int want = pass == 0   ? k == own
                       : pass == 1 ? seat[k] == PEER_FREE
                                   : seat[k] == PEER_LOST;
            if (!want)
                continue;
            tried++; /* never twice for one segment: */
            seat[k] = offer(r, j, k, at, seg, idx, root, size, bytes)
                          ? PEER_HOLDS
                          : PEER_TRIED;
        }
    if (j->state == CJOB_SIGNED)
        return;
    j->state = CJOB_FAILED;
    if (!tried)
        why_none(r, seat, seg, j);
}

/* Seats of segment seg: HOLDS for the providers holding an alive piece of
 * it or one under a running deal (it may still keep that one), LOST for
 * those whose piece of it has no running deal any more, FREE for the
 * others. */
static void seat_peers(const repair_state *r, uint32_t seg, uint8_t *seat)
{
    memset(seat, PEER_FREE, r->npeers);
    for (size_t i = 0; i < r->npieces; i++)
        for (size_t k = 0; r->pieces[i].seg == seg && k < r->npeers; k++)
            if (!memcmp(r->peers[k].link.provider.b, r->pieces[i].provider.b,
                        32) &&
                seat[k] != PEER_HOLDS)
                seat[k] = r->h[i].alive || movable(r, &r->h[i]) ? PEER_HOLDS
                                                                : PEER_LOST;
}

/* Rebuilds piece idx from in[] and checks it against its recorded root
 * (or computes the root of a piece never recorded). *bytes is new. */
static cairn_err rebuild(repair_state *r, uint32_t seg, uint32_t idx, size_t at,
                         const cairn_piece_in *in, size_t got, uint64_t size,
                         uint8_t **bytes, cairn_hash *root)
{
    uint8_t *b = malloc(size);
    cairn_err e =
        b ? cairn_layout_repair(r->l, seg, in, got, idx, b) : CAIRN_ERR_NOMEM;
    if (!e && at != SIZE_MAX) {
        *root = r->pieces[at].root;
        if (r->pieces[at].size != size || cairn_piece_check(root, size, b))
            e = CAIRN_ERR_BAD_PROOF;
    } else if (!e) {
        e = cairn_piece_root(root, b, size);
    }
    if (e) {
        free(b);
        return sclient_fail(r->c, e, "cannot rebuild segment %u piece %u: %s",
                            seg, idx, cairn_strerror(e));
    }
    *bytes = b;
    return CAIRN_OK;
}

/* Records where job j put piece (seg, idx). */
static void note_placed(repair_state *r, const cjob *j, uint32_t seg,
                        uint32_t idx, const cairn_hash *root, uint64_t size)
{
    cmeta_piece *p = &r->placed[r->njobs];
    memset(p, 0, sizeof *p);
    p->seg = seg;
    p->idx = idx;
    p->provider = j->link->provider;
    p->root = *root;
    p->size = size;
    snprintf(p->endpoint, sizeof p->endpoint, "%s", j->link->endpoint);
    r->njobs++;
}

/* Alive pieces of segment seg. */
static uint32_t alive_in(const repair_state *r, uint32_t seg)
{
    uint32_t a = 0;
    for (size_t i = 0; i < r->npieces; i++)
        a += r->pieces[i].seg == seg && r->h[i].alive;
    return a;
}

/* Notes that piece idx of segment seg found no provider, and why. */
static void note_unplaced(repair_state *r, const cjob *j, uint32_t seg,
                          uint32_t idx)
{
    if (!r->unplaced++)
        snprintf(r->why, sizeof r->why, "segment %u piece %u: %s", seg, idx,
                 j->why);
    if (r->c->log)
        fprintf(r->c->log,
                "cairn: segment %u piece %u: no provider took it: "
                "%s\n",
                seg, idx, j->why);
}

static cairn_err repair_segment(repair_state *r, uint32_t seg,
                                uint32_t min_alive)
{
    cairn_piece_in in[CAIRN_RS_MAX_N];
    cairn_segment_sizes sz;
    size_t got;
    uint8_t seat[CPICK_MAX];
    if (alive_in(r, seg) >= min_alive)
        return CAIRN_OK;
    cairn_err e = cairn_layout_sizes(&r->f.fi, seg, &sz);
    if (!e)
        e = cfetch_segment(&r->fetch, seg, r->f.fi.p.k, NULL, in, &got);
    if (e)
        return e;
    seat_peers(r, seg, seat);
    for (uint32_t idx = 0; !e && idx < r->f.fi.p.n; idx++) {
        size_t at = find_piece(r, seg, idx);
        uint8_t *bytes = NULL;
        cairn_hash root;
        if (at != SIZE_MAX && r->h[at].alive)
            continue;
        if ((e = rebuild(r, seg, idx, at, in, got, sz.piece, &bytes, &root)))
            break;
        cjob *j = &r->jobs[r->njobs];
        place(r, j, at, seg, idx, &root, sz.piece, bytes, seat);
        free(bytes);
        if (j->state == CJOB_SIGNED)
            note_placed(r, j, seg, idx, &root, sz.piece);
        else
            note_unplaced(r, j, seg, idx);
    }
    cfetch_release(in, got);
    return e;
}

static void repair_free(repair_state *r)
{
    cfetch_free(&r->fetch);
    cairn_layout_free(r->l);
    cpick_free(r->peers, r->npeers);
    free(r->jobs);
    free(r->placed);
    free(r->h);
    free(r->pieces);
}

/* Loads the file, its pieces' standing, the chain and the providers. */
static cairn_err repair_setup(repair_state *r, const char *id)
{
    sclient *c = r->c;
    cairn_err e = cfile_load(c, id, &r->f, &r->pieces, &r->npieces);
    if (!e)
        e = chealth_read(c, r->pieces, r->npieces, &r->h);
    if (!e)
        e = sclient_chain(c, &r->ch);
    if (!e)
        e = cfetch_init(&r->fetch, c, r->pieces, r->npieces);
    if (e)
        return e;
    size_t total = cairn_layout_segments(&r->f.fi) * r->f.fi.p.n;
    r->jobs = calloc(total, sizeof *r->jobs);
    r->placed = calloc(total, sizeof *r->placed);
    if (!r->jobs || !r->placed)
        return sclient_fail(c, CAIRN_ERR_NOMEM, "out of memory");
    if ((e = cairn_layout_new(&r->l, &r->f.fi, c->secret)))
        return sclient_fail(c, e, "cannot set up the decoder: %s",
                            cairn_strerror(e));
    cpick_want w = {.permanent = r->f.permanent};
    return cpick(c, &r->ch, &w, &r->peers, &r->npeers, &r->stats);
}

/* Puts the signed jobs on chain and records where each piece went. */
static cairn_err repair_commit(repair_state *r, size_t *fixed)
{
    size_t ok = 0;
    uint64_t last = 0;
    cairn_err e = r->njobs ? cjobs_submit(r->c, r->jobs, r->njobs) : CAIRN_OK;
    if (e == CAIRN_ERR_HTTP)
        return e;
    for (size_t i = 0; i < r->njobs; i++) {
        if (r->jobs[i].state != CJOB_OPEN)
            continue;
        r->placed[i].deal = r->jobs[i].deal;
        last = r->jobs[i].deal > last ? r->jobs[i].deal : last;
        r->placed[ok++] = r->placed[i];
    }
    cairn_err w = cmeta_put_pieces(r->c->meta, r->f.id, r->placed, ok);
    if (!w && last)
        w = cmeta_set_last_deal(r->c->meta, last);
    if (w)
        return sclient_fail(r->c, w, "cannot update the client's store: %s",
                            cairn_strerror(w));
    *fixed = ok;
    return ok == r->njobs ? CAIRN_OK : e;
}

cairn_err sclient_repair(sclient *c, const char *id, uint32_t min_alive,
                         sclient_repaired *out)
{
    repair_state r = {.c = c};
    char why[SCLIENT_WHY_MAX] = "";
    memset(out, 0, sizeof *out);
    cairn_err e = repair_setup(&r, id), first = CAIRN_OK;
    if (!min_alive || min_alive > r.f.fi.p.n)
        min_alive = r.f.fi.p.n;
    uint64_t segs = e ? 0 : cairn_layout_segments(&r.f.fi);
    for (uint64_t s = 0; !e && s < segs; s++) {
        cairn_err se = repair_segment(&r, (uint32_t)s, min_alive);
        if (se && !first) { /* the others may still be repaired */
            first = se;
            snprintf(why, sizeof why, "%s", c->why);
        }
        e = se == CAIRN_ERR_FEW_PIECES ? CAIRN_OK : se;
    }
    if (!e)
        e = repair_commit(&r, &out->placed);
    out->unplaced = r.unplaced;
    if (!e && first)
        e = sclient_fail(c, first, "%s: the segment cannot be rebuilt", why);
    else if (!e && r.unplaced)
        e = sclient_fail(c, CAIRN_ERR_FEW_PROVIDERS,
                         "%zu lost piece(s) could not be placed; %s",
                         r.unplaced, r.why);
    repair_free(&r);
    return e;
}
