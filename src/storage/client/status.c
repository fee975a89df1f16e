/* `cairn status ID` and `cairn rm ID`: how a file stands on the network,
 * and ending its deals. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/amount.h"
#include "core/json_amount.h"
#include "storage/client/fetch.h"
#include "storage/client/health.h"
#include "storage/client/names.h"

static json_t *piece_json(const chealth *h)
{
    char addr[CAIRN_ADDR_TEXT_LEN + 1], root[65];
    json_t *o = json_object();
    cairn_addr_format(addr, &h->piece->provider);
    cairn_hex_encode(root, h->piece->root.b, 32);
    json_object_set_new(o, "index", json_integer(h->piece->idx));
    json_object_set_new(o, "provider", json_string(addr));
    json_object_set_new(o, "endpoint", json_string(h->piece->endpoint));
    json_object_set_new(o, "root", json_string(root));
    json_object_set_new(o, "size", json_integer((json_int_t)h->piece->size));
    json_object_set_new(o, "deal",
                        h->piece->deal
                            ? json_integer((json_int_t)h->piece->deal)
                            : json_null());
    json_object_set_new(o, "deal_state",
                        json_string(h->has_deal ? h->deal.state : "none"));
    json_object_set_new(o, "reachable", json_boolean(h->reachable));
    json_object_set_new(o, "alive", json_boolean(h->alive));
    if (h->has_deal) {
        json_object_set_new(o, "faults",
                            json_integer((json_int_t)h->deal.faults));
        json_object_set_new(o, "total_faults",
                            json_integer((json_int_t)h->deal.total_faults));
        json_object_set_new(
            o, "last_proven",
            h->deal.last_proven == CAIRN_EPOCH_NONE
                ? json_null()
                : json_integer((json_int_t)h->deal.last_proven));
        amount_json_set(o, "paid", h->deal.paid);
        amount_json_set(o, "escrow", h->deal.escrow);
    }
    return o;
}

/* The per-segment part of the report; sums paid and escrow. */
static json_t *segments_json(const cmeta_file *f, const chealth *h, size_t n,
                             uint64_t *paid, uint64_t *escrow,
                             uint64_t *weakest)
{
    json_t *segs = json_array();
    uint64_t nseg = cairn_layout_segments(&f->fi);
    size_t at = 0;
    *weakest = UINT64_MAX;
    for (uint64_t s = 0; s < nseg; s++) {
        json_t *so = json_object(), *arr = json_array();
        uint64_t alive = 0;
        for (; at < n && h[at].piece->seg == s; at++) {
            alive += h[at].alive != 0;
            *paid += h[at].has_deal ? h[at].deal.paid : 0;
            *escrow += h[at].has_deal ? h[at].deal.escrow : 0;
            json_array_append_new(arr, piece_json(&h[at]));
        }
        if (alive < *weakest)
            *weakest = alive;
        json_object_set_new(so, "segment", json_integer((json_int_t)s));
        json_object_set_new(so, "alive", json_integer((json_int_t)alive));
        json_object_set_new(so, "pieces", arr);
        json_array_append_new(segs, so);
    }
    return segs;
}

/* The retrieval check of status: for each segment, fetches k good pieces
 * exactly as get does (cfetch_segment: any piece of the segment, in index
 * order, each checked against its root) and lets them go. Sets each
 * segment's "retrievable" and, for the first that fails, *why. Returns 1
 * when every segment could be had. */
static int fetch_check(sclient *c, const cmeta_file *f,
                       const cmeta_piece *pieces, size_t n, json_t *segs,
                       char *why, size_t wlen)
{
    cairn_piece_in in[CAIRN_RS_MAX_N];
    cfetch fx;
    size_t got;
    int all = 1;
    if (cfetch_init(&fx, c, pieces, n)) {
        snprintf(why, wlen, "%s", c->why);
        return 0;
    }
    for (size_t s = 0; s < json_array_size(segs); s++) {
        cairn_err e =
            cfetch_segment(&fx, (uint32_t)s, f->fi.p.k, NULL, in, &got);
        cfetch_release(in, got);
        json_object_set_new(json_array_get(segs, s), "retrievable",
                            json_boolean(!e));
        if (e && all)
            snprintf(why, wlen, "%s", c->why);
        all &= !e;
    }
    cfetch_free(&fx);
    return all;
}

/* The file-wide part of the report. */
static json_t *file_json(const cmeta_file *f)
{
    char hex[2 * CMETA_ID_LEN + 1];
    json_t *o = json_object();
    cmeta_id_hex(hex, f->id);
    json_object_set_new(o, "id", json_string(hex));
    json_object_set_new(o, "name", json_string(f->name));
    json_object_set_new(o, "size", json_integer((json_int_t)f->fi.size));
    json_object_set_new(o, "k", json_integer(f->fi.p.k));
    json_object_set_new(o, "n", json_integer(f->fi.p.n));
    json_object_set_new(o, "permanent", json_boolean(f->permanent));
    json_object_set_new(o, "epochs", json_integer((json_int_t)f->epochs));
    return o;
}

cairn_err sclient_status_check(sclient *c, const char *id, int fetch,
                               json_t **report)
{
    cmeta_file f;
    cmeta_piece *pieces = NULL;
    chealth *h = NULL;
    size_t n = 0;
    char why[SCLIENT_WHY_MAX] = "";
    uint64_t paid = 0, escrow = 0, weakest;
    cairn_err e = cfile_load(c, id, &f, &pieces, &n);
    if (!e)
        e = chealth_read(c, pieces, n, &h);
    if (e) {
        free(pieces);
        return e;
    }
    json_t *o = file_json(&f);
    json_t *segs = segments_json(&f, h, n, &paid, &escrow, &weakest);
    int ok = fetch ? fetch_check(c, &f, pieces, n, segs, why, sizeof why)
                   : weakest >= f.fi.p.k;
    if (!fetch && !ok)
        snprintf(why, sizeof why,
                 "judged from the deals alone (--no-fetch), a segment has %llu "
                 "piece(s) alive and needs k = %u; without --no-fetch status "
                 "tries to fetch them, as get would",
                 (unsigned long long)weakest, f.fi.p.k);
    json_object_set_new(o, "weakest_segment_alive",
                        json_integer((json_int_t)weakest));
    json_object_set_new(o, "retrievable", json_boolean(ok));
    json_object_set_new(o, "checked", json_string(fetch ? "fetch" : "deals"));
    if (!ok)
        json_object_set_new(o, "why", json_string(why));
    amount_json_set(o, "paid", paid);
    amount_json_set(o, "escrow", escrow);
    json_object_set_new(o, "segments", segs);
    free(h);
    free(pieces);
    *report = o;
    return CAIRN_OK;
}

cairn_err sclient_status(sclient *c, const char *id, json_t **report)
{
    return sclient_status_check(c, id, 0, report);
}

/* ---- rm ---- */

/* The escrow of a client's running deals: term and permanent apart. */
typedef struct held {
    uint64_t term, perm;
} held;

/* Deal ids of the pieces whose deals still run; sums their escrow. */
static size_t running_deals(sclient *c, const cmeta_piece *p, size_t n,
                            uint64_t *ids, held *h, cairn_err *e)
{
    size_t k = 0;
    memset(h, 0, sizeof *h);
    for (size_t i = 0; i < n && !*e; i++) {
        cdeal d;
        if (!p[i].deal)
            continue;
        *e = cdeal_get(c, p[i].deal, &d);
        if (*e == CAIRN_ERR_NO_DEAL) {
            *e = CAIRN_OK;
            continue;
        }
        if (*e || strcmp(d.state, "ended") == 0)
            continue;
        ids[k++] = d.id;
        uint64_t *sum = d.permanent ? &h->perm : &h->term;
        if (cairn_add(sum, *sum, d.escrow))
            *sum = UINT64_MAX;
    }
    return k;
}

/* Sends DEAL_END for deals ids[0..k). */
static cairn_err end_deals(sclient *c, const uint64_t *ids, size_t k,
                           uint64_t *epoch)
{
    schain ch;
    uint8_t *bodies = calloc(k ? k : 1, 8);
    cairn_err e = bodies ? sclient_chain(c, &ch)
                         : sclient_fail(c, CAIRN_ERR_NOMEM, "out of memory");
    for (size_t i = 0; !e && i < k; i++) {
        cairn_buf b;
        cairn_buf_init(&b, 8);
        cairn_deal_end_encode(&b, ids[i]);
        memcpy(bodies + 8 * i, b.p, 8);
        cairn_buf_free(&b);
    }
    if (!e) {
        *epoch = ch.epoch;
        e = cdeals_send(c, &ch.ctx, UINT64_MAX, CAIRN_TX_DEAL_END, bodies, 8, 8,
                        k);
    }
    free(bodies);
    return e;
}

cairn_err sclient_rm(sclient *c, const char *id, sclient_refund *refund)
{
    cmeta_file f;
    cmeta_piece *pieces = NULL;
    size_t n = 0;
    held before, after = {0, 0};
    memset(refund, 0, sizeof *refund);
    cairn_err e = cfile_load(c, id, &f, &pieces, &n);
    uint64_t *ids = e ? NULL : calloc(n ? n : 1, sizeof *ids);
    if (!e && !ids)
        e = sclient_fail(c, CAIRN_ERR_NOMEM, "out of memory");
    size_t k = e ? 0 : running_deals(c, pieces, n, ids, &before, &e);
    if (!e && k)
        e = end_deals(c, ids, k, &refund->epoch);
    if (!e)
        running_deals(c, pieces, n, ids, &after, &e);
    if (!e && (e = sclient_name_del(c, f.id))) {
        char why[SCLIENT_WHY_MAX];
        snprintf(why, sizeof why, "%s", c->why);
        sclient_fail(c, e,
                     "the file's deals have ended, but %s; the file stays "
                     "in the store: run `cairn rm` again",
                     why);
    }
    if (!e && (e = cmeta_delete(c->meta, f.id)))
        sclient_fail(c, e, "cannot update the client's store: %s",
                     cairn_strerror(e));
    if (!e) {
        refund->now =
            (before.term > after.term ? before.term - after.term : 0) +
            (before.perm > after.perm ? before.perm - after.perm : 0);
        refund->endowment = after.perm;
    }
    free(ids);
    free(pieces);
    return e;
}
