/* Getting another account's storage file with its key (keyget.h). */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/node_rpc.h"
#include "storage/client/deals.h"
#include "storage/client/getseg.h"
#include "storage/client/keyget.h"
#include "storage/client/tag.h"

#define DEALS_SCAN_MAX 100000 /* an owner's deals read at most */
#define DEAL_PAGE 100

static ckey_file *file_of(ckey_file *in, size_t n, const uint8_t *id)
{
    for (size_t i = 0; i < n; i++)
        if (!memcmp(in[i].id, id, CMETA_ID_LEN))
            return &in[i];
    return NULL;
}

static cmeta_piece *piece_slot(ckey_file *x, uint32_t seg, uint32_t idx)
{
    for (size_t i = 0; i < x->n; i++)
        if (x->p[i].seg == seg && x->p[i].idx == idx)
            return &x->p[i];
    if (x->n == x->cap) {
        size_t cap = x->cap ? 2 * x->cap : 16;
        cmeta_piece *a = realloc(x->p, cap * sizeof *a);
        if (!a)
            return NULL;
        x->p = a;
        x->cap = cap;
    }
    cmeta_piece *q = &x->p[x->n++];
    memset(q, 0, sizeof *q);
    q->seg = seg;
    q->idx = idx;
    return q;
}

/* Takes one deal of the owner into the file it belongs to, if any. */
static int take_deal(ckey_file *in, size_t nin, const cdeal *d)
{
    cairn_file_info fi;
    uint8_t id[CMETA_ID_LEN];
    if (ctag_read(&fi, id, &d->tag))
        return 0;
    ckey_file *x = file_of(in, nin, id);
    if (!x || strcmp(d->state, "ended") == 0)
        return 0;
    if (!x->found) {
        x->found = 1;
        memcpy(x->f.id, id, CMETA_ID_LEN);
        x->f.tag = d->tag;
        x->f.fi = fi;
    }
    if (d->idx >= x->f.fi.p.n || d->seg >= cairn_layout_segments(&x->f.fi))
        return 0;
    cmeta_piece *q = piece_slot(x, d->seg, d->idx);
    if (!q)
        return -1;
    if (d->id > q->deal) { /* the latest deal of a piece (a repair's) */
        q->deal = d->id;
        q->provider = d->provider;
        q->root = d->root;
        q->size = d->size;
    }
    return 0;
}

cairn_err ckey_scan(const char *node, const cairn_pubkey *owner,
                    ckey_file *files, size_t n, char *msg, size_t len)
{
    char path[256], addr[CAIRN_ADDR_TEXT_LEN + 1];
    uint64_t after = 0;
    cairn_addr_format(addr, owner);
    for (size_t seen = 0; seen < DEALS_SCAN_MAX;) {
        json_t *j, *o;
        snode_err ne;
        size_t i;
        snprintf(path, sizeof path, "/v1/deals?client=%s&after=%llu&limit=%d",
                 addr, (unsigned long long)after, DEAL_PAGE);
        cairn_err e = snode_get(node, path, &j, &ne);
        if (e) {
            snprintf(msg, len, "cannot list the owner's storage deals: %s",
                     ne.msg);
            return e;
        }
        int bad = 0;
        json_array_foreach(json_object_get(j, "deals"), i, o)
        {
            cdeal d;
            seen++;
            if (cdeal_from_json(&d, o))
                continue;
            after = d.id;
            bad |= take_deal(files, n, &d);
        }
        int more = json_is_true(json_object_get(j, "more"));
        json_decref(j);
        if (bad) {
            snprintf(msg, len, "out of memory");
            return CAIRN_ERR_NOMEM;
        }
        if (!more)
            return CAIRN_OK;
    }
    return CAIRN_OK;
}

/* Fills the pieces' endpoints from the storage providers' registrations. */
static void endpoints(const char *node, ckey_file *x)
{
    for (size_t i = 0; i < x->n; i++) {
        char addr[CAIRN_ADDR_TEXT_LEN + 1], path[128];
        json_t *j;
        snode_err ne;
        cairn_addr_format(addr, &x->p[i].provider);
        snprintf(path, sizeof path, "/v1/provider/%s", addr);
        if (snode_get(node, path, &j, &ne))
            continue;
        const char *ep = json_string_value(json_object_get(j, "endpoint"));
        snprintf(x->p[i].endpoint, sizeof x->p[i].endpoint, "%s", ep ? ep : "");
        json_decref(j);
    }
}

cairn_err ckey_get(const char *node, const cairn_keypair *who, ckey_file *x,
                   const uint8_t key[CAIRN_FILE_KEY_LEN], int fd, char *msg,
                   size_t len)
{
    sclient sc;
    cfetch f;
    memset(&sc, 0, sizeof sc);
    sc.node = node;
    sc.key = *who; /* our identity towards the storage providers */
    endpoints(node, x);
    cairn_err e = cfetch_init(&f, &sc, x->p, x->n);
    if (!e) {
        e = cget_run_key(&sc, &f, &x->f, key, fd, NULL);
        cfetch_free(&f);
    }
    if (e && snprintf(msg, len, "%s", sc.why[0] ? sc.why : cairn_strerror(e)) >=
                 (int)len)
        msg[len - 1] = '\0'; /* cut: the caller's buffer has a bound */
    cairn_keypair_wipe(&sc.key);
    return e;
}

void ckey_free(ckey_file *x)
{
    free(x->p);
    x->p = NULL;
    x->n = x->cap = 0;
}
