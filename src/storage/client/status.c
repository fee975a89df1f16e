/* `cairn status ID` and `cairn rm ID`: how a file stands on the network,
 * and ending its deals. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/amount.h"
#include "storage/client/health.h"

/* A token amount and its base units, as the API gives them. */
static void set_amount(json_t *o, const char *key, uint64_t units)
{
    char text[CAIRN_AMOUNT_TEXT_MAX], k[64];
    cairn_amount_format(text, units);
    json_object_set_new(o, key, json_string(text));
    snprintf(k, sizeof k, "%s_units", key);
    snprintf(text, sizeof text, "%llu", (unsigned long long)units);
    json_object_set_new(o, k, json_string(text));
}

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
        set_amount(o, "paid", h->deal.paid);
        set_amount(o, "escrow", h->deal.escrow);
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

cairn_err sclient_status(sclient *c, const char *id, json_t **report)
{
    cmeta_file f;
    cmeta_piece *pieces = NULL;
    chealth *h = NULL;
    size_t n = 0;
    char hex[2 * CMETA_ID_LEN + 1];
    uint64_t paid = 0, escrow = 0, weakest;
    cairn_err e = cfile_load(c, id, &f, &pieces, &n);
    if (!e)
        e = chealth_read(c, pieces, n, &h);
    if (e) {
        free(pieces);
        return e;
    }
    json_t *o = json_object();
    cmeta_id_hex(hex, f.id);
    json_object_set_new(o, "id", json_string(hex));
    json_object_set_new(o, "name", json_string(f.name));
    json_object_set_new(o, "size", json_integer((json_int_t)f.fi.size));
    json_object_set_new(o, "k", json_integer(f.fi.p.k));
    json_object_set_new(o, "n", json_integer(f.fi.p.n));
    json_object_set_new(o, "permanent", json_boolean(f.permanent));
    json_object_set_new(o, "epochs", json_integer((json_int_t)f.epochs));
    json_t *segs = segments_json(&f, h, n, &paid, &escrow, &weakest);
    json_object_set_new(o, "weakest_segment_alive",
                        json_integer((json_int_t)weakest));
    json_object_set_new(o, "retrievable", json_boolean(weakest >= f.fi.p.k));
    set_amount(o, "paid", paid);
    set_amount(o, "escrow", escrow);
    json_object_set_new(o, "segments", segs);
    free(h);
    free(pieces);
    *report = o;
    return CAIRN_OK;
}

/* ---- rm ---- */

/* Deal ids of the pieces whose deals still run; sums their escrow. */
static size_t running_deals(sclient *c, const cmeta_piece *p, size_t n,
                            uint64_t *ids, uint64_t *escrow, cairn_err *e)
{
    size_t k = 0;
    *escrow = 0;
    for (size_t i = 0; i < n && !*e; i++) {
        cdeal d;
        if (!p[i].deal)
            continue;
        *e = cdeal_get(c, p[i].deal, &d);
        if (*e == CAIRN_ERR_NO_DEAL) {
            *e = CAIRN_OK;
            continue;
        }
        if (!*e && strcmp(d.state, "ended") != 0) {
            ids[k++] = d.id;
            *escrow += d.escrow;
        }
    }
    return k;
}

cairn_err sclient_rm(sclient *c, const char *id, uint64_t *refund)
{
    cmeta_file f;
    cmeta_piece *pieces = NULL;
    size_t n = 0;
    schain ch;
    uint64_t before = 0, after = 0;
    cairn_err e = cfile_load(c, id, &f, &pieces, &n);
    uint64_t *ids = e ? NULL : calloc(n ? n : 1, sizeof *ids);
    uint8_t *bodies = ids ? calloc(n ? n : 1, 8) : NULL;
    if (!e && !bodies)
        e = sclient_fail(c, CAIRN_ERR_NOMEM, "out of memory");
    size_t k = e ? 0 : running_deals(c, pieces, n, ids, &before, &e);
    for (size_t i = 0; i < k; i++) {
        cairn_buf b;
        cairn_buf_init(&b, 8);
        cairn_deal_end_encode(&b, ids[i]);
        memcpy(bodies + 8 * i, b.p, 8);
        cairn_buf_free(&b);
    }
    if (!e && k && !(e = sclient_chain(c, &ch)))
        e = cdeals_send(c, &ch.ctx, UINT64_MAX, CAIRN_TX_DEAL_END, bodies, 8, 8,
                        k);
    if (!e)
        running_deals(c, pieces, n, ids, &after, &e);
    if (!e && (e = cmeta_delete(c->meta, f.id)))
        sclient_fail(c, e, "cannot update the client's store: %s",
                     cairn_strerror(e));
    if (!e && refund)
        *refund = before > after ? before - after : 0;
    free(ids);
    free(bodies);
    free(pieces);
    return e;
}
