/* The standing of a file's pieces (client/health.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "storage/client/health.h"
#include "storage/client/par.h"

cairn_err cfile_load(sclient *c, const char *id, cmeta_file *f,
                     cmeta_piece **pieces, size_t *n)
{
    cairn_err e = cmeta_find(c->meta, id, f);
    if (e == CAIRN_ERR_DUPLICATE)
        return sclient_fail(
            c, e, "%s names more than one file; give more of its id", id);
    if (e)
        return sclient_fail(
            c, e, "no file %s in the client's store (see cairn ls)", id);
    e = cmeta_pieces(c->meta, f->id, pieces, n);
    return e ? sclient_fail(c, e, "cannot read the client's store: %s",
                            cairn_strerror(e))
             : CAIRN_OK;
}

/* Providers asked once each. */
typedef struct ask_ctx {
    clink *links;
    int *ok;
} ask_ctx;

static void ask_one(void *arg, size_t i)
{
    ask_ctx *a = arg;
    cairn_sp_info info;
    a->ok[i] = clink_ask(&a->links[i], &info) == CAIRN_OK;
    clink_close(&a->links[i]);
}

/* Asks every distinct provider of the pieces; fills reachable and why. */
static cairn_err reach(sclient *c, chealth *h, size_t n)
{
    clink *links = calloc(n ? n : 1, sizeof *links);
    int *ok = calloc(n ? n : 1, sizeof *ok),
        *of = calloc(n ? n : 1, sizeof *of);
    size_t nl = 0;
    if (!links || !ok || !of) {
        free(links);
        free(ok);
        free(of);
        return sclient_fail(c, CAIRN_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        size_t l = 0;
        while (l < nl &&
               memcmp(links[l].provider.b, h[i].piece->provider.b, 32))
            l++;
        if (l == nl) {
            char ep[CAIRN_ENDPOINT_MAX + 1];
            sclient_endpoint(c, &h[i].piece->provider, h[i].piece->endpoint,
                             ep);
            clink_init(&links[nl++], &h[i].piece->provider, ep, &c->key);
        }
        of[i] = (int)l;
    }
    ask_ctx a = {links, ok};
    cpar_run(nl, ask_one, &a);
    for (size_t i = 0; i < n; i++) {
        h[i].reachable = ok[of[i]];
        snprintf(h[i].why, sizeof h[i].why, "%s", links[of[i]].why);
    }
    free(links);
    free(ok);
    free(of);
    return CAIRN_OK;
}

cairn_err chealth_read(sclient *c, const cmeta_piece *pieces, size_t n,
                       chealth **out)
{
    chealth *h = calloc(n ? n : 1, sizeof *h);
    cairn_err e =
        h ? CAIRN_OK : sclient_fail(c, CAIRN_ERR_NOMEM, "out of memory");
    for (size_t i = 0; !e && i < n; i++) {
        h[i].piece = &pieces[i];
        if (!pieces[i].deal)
            continue;
        e = cdeal_get(c, pieces[i].deal, &h[i].deal);
        if (e == CAIRN_ERR_NO_DEAL)
            e = CAIRN_OK;
        else if (!e)
            h[i].has_deal = 1;
    }
    if (!e)
        e = reach(c, h, n);
    for (size_t i = 0; !e && i < n; i++)
        h[i].alive = h[i].has_deal && h[i].deal.active && h[i].reachable &&
                     !memcmp(h[i].deal.provider.b, pieces[i].provider.b, 32);
    if (e) {
        free(h);
        return e;
    }
    *out = h;
    return CAIRN_OK;
}
