/* `cairn ls --from-chain`: rebuilds the client's metadata from the chain and
 * the user's key. Every deal of a file carries its tag, which the key's
 * secret opens into the file's id and cairn_file_info (client/tag.h), and
 * the piece's segment and index; the provider's endpoint comes from its
 * registration; the file's name and creation time come from its sealed
 * name record (client/names.h). Files whose deals have all ended (removed,
 * or lost) are left out. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "storage/client/deals.h"
#include "storage/client/names.h"
#include "storage/client/tag.h"

/* A file being rebuilt. */
typedef struct rfile {
    cmeta_file f;
    cmeta_piece *p;
    size_t n, cap;
    int live; /* some deal has not ended: not a removed file */
} rfile;

typedef struct recover_ctx {
    sclient *c;
    rfile *files;
    size_t n, cap;
    uint64_t last;
    cairn_err err;
} recover_ctx;

static rfile *file_for(recover_ctx *x, const cdeal *d)
{
    cairn_file_info fi;
    uint8_t id[CMETA_ID_LEN];
    if (ctag_open(&fi, id, &d->tag, x->c->secret))
        return NULL; /* not a tag of this key: someone else's scheme */
    for (size_t i = 0; i < x->n; i++)
        if (!memcmp(x->files[i].f.id, id, CMETA_ID_LEN))
            return &x->files[i];
    if (x->n == x->cap) {
        size_t nc = x->cap ? x->cap * 2 : 8;
        rfile *a = realloc(x->files, nc * sizeof *a);
        if (!a)
            return NULL;
        x->files = a;
        x->cap = nc;
    }
    rfile *r = &x->files[x->n++];
    memset(r, 0, sizeof *r);
    memcpy(r->f.id, id, CMETA_ID_LEN);
    r->f.tag = d->tag;
    r->f.fi = fi;
    r->f.permanent = (uint8_t)d->permanent;
    memcpy(r->f.name, "recovered-", 10);
    cmeta_id_hex(r->f.name + 10, id);
    return r;
}

/* The piece slot of (seg, idx) in r, new if needed. */
static cmeta_piece *piece_for(rfile *r, uint32_t seg, uint32_t idx)
{
    for (size_t i = 0; i < r->n; i++)
        if (r->p[i].seg == seg && r->p[i].idx == idx)
            return &r->p[i];
    if (r->n == r->cap) {
        size_t nc = r->cap ? r->cap * 2 : 16;
        cmeta_piece *a = realloc(r->p, nc * sizeof *a);
        if (!a)
            return NULL;
        r->p = a;
        r->cap = nc;
    }
    cmeta_piece *p = &r->p[r->n++];
    memset(p, 0, sizeof *p);
    p->seg = seg;
    p->idx = idx;
    return p;
}

static int take_deal(void *arg, const cdeal *d)
{
    recover_ctx *x = arg;
    x->last = d->id;
    rfile *r = file_for(x, d);
    if (!r || d->idx >= r->f.fi.p.n ||
        d->seg >= cairn_layout_segments(&r->f.fi))
        return 0;
    r->live |= strcmp(d->state, "ended") != 0;
    cmeta_piece *p = piece_for(r, d->seg, d->idx);
    if (!p) {
        x->err = CAIRN_ERR_NOMEM;
        return 1;
    }
    if (!d->permanent && d->end != CAIRN_EPOCH_NONE &&
        d->end - d->start > r->f.epochs)
        r->f.epochs = d->end - d->start;
    if (d->id > p->deal) { /* the latest deal of a piece wins (a repair's) */
        p->deal = d->id;
        p->provider = d->provider;
        p->root = d->root;
        p->size = d->size;
    }
    return 0;
}

/* Fills the pieces' endpoints from the providers' registrations. */
static void endpoints(sclient *c, rfile *r)
{
    for (size_t i = 0; i < r->n; i++) {
        char addr[CAIRN_ADDR_TEXT_LEN + 1], path[128];
        json_t *j;
        snode_err ne;
        cairn_addr_format(addr, &r->p[i].provider);
        snprintf(path, sizeof path, "/v1/provider/%s", addr);
        if (snode_get(c->node, path, &j, &ne))
            continue;
        const char *ep = json_string_value(json_object_get(j, "endpoint"));
        snprintf(r->p[i].endpoint, sizeof r->p[i].endpoint, "%s", ep ? ep : "");
        json_decref(j);
    }
}

/* Names the rebuilt file of a name record, if any. */
static int take_name(void *arg, const uint8_t id[CMETA_ID_LEN], json_t *obj)
{
    recover_ctx *x = arg;
    const char *name = json_string_value(json_object_get(obj, "name"));
    json_t *created = json_object_get(obj, "created");
    for (size_t i = 0; i < x->n; i++) {
        cmeta_file *f = &x->files[i].f;
        if (memcmp(f->id, id, CMETA_ID_LEN) != 0)
            continue;
        if (name && *name)
            snames_name_copy(f->name, sizeof f->name, name);
        if (json_is_integer(created) && json_integer_value(created) > 0)
            f->created = (uint64_t)json_integer_value(created);
        break;
    }
    return 0;
}

/* Reads the name records; without them the files keep recovered-<id>. */
static void names(sclient *c, recover_ctx *x)
{
    if (x->n == 0 || sclient_names(c, take_name, x) == CAIRN_OK)
        return;
    if (c->log)
        fprintf(c->log,
                "cairn: warning: the files' names were not read (%s); they "
                "are called recovered-<id>\n",
                c->why);
    c->why[0] = '\0';
}

/* A known file still called recovered-<id> takes the name its record gave
 * r (same id). */
static cairn_err rename_known(sclient *c, cmeta_file *old, const rfile *r)
{
    if (strncmp(old->name, "recovered-", 10) != 0 ||
        strncmp(r->f.name, "recovered-", 10) == 0)
        return CAIRN_OK;
    memcpy(old->name, r->f.name, sizeof old->name);
    if (!old->created)
        old->created = r->f.created;
    cairn_err e = cmeta_put(c->meta, old, NULL, 0);
    return e ? sclient_fail(c, e, "cannot write the client's store: %s",
                            cairn_strerror(e))
             : CAIRN_OK;
}

cairn_err sclient_recover(sclient *c, size_t *files)
{
    recover_ctx x = {.c = c};
    cairn_err e = cdeals_scan(c, 0, take_deal, &x);
    if (!e && x.err)
        e = sclient_fail(c, x.err, "out of memory");
    if (!e)
        names(c, &x);
    size_t live = 0;
    for (size_t i = 0; !e && i < x.n; i++) {
        cmeta_file old;
        char hex[2 * CMETA_ID_LEN + 1];
        if (!x.files[i].live)
            continue; /* every deal ended: removed, or beyond repair */
        live++;
        cmeta_id_hex(hex, x.files[i].f.id);
        if (cmeta_find(c->meta, hex, &old) == CAIRN_OK) {
            e = rename_known(c, &old, &x.files[i]); /* known, with its name */
            continue;
        }
        endpoints(c, &x.files[i]);
        if ((e = cmeta_put(c->meta, &x.files[i].f, x.files[i].p, x.files[i].n)))
            sclient_fail(c, e, "cannot write the client's store: %s",
                         cairn_strerror(e));
    }
    if (!e && x.last)
        e = cmeta_set_last_deal(c->meta, x.last);
    for (size_t i = 0; i < x.n; i++)
        free(x.files[i].p);
    free(x.files);
    *files = live;
    return e;
}
