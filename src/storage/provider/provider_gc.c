/* The provider daemon's garbage collection, and the clients with a deal
 * (whom the connection server serves first): a piece is kept while an
 * active deal of this provider names its root. A piece no active deal
 * names is deleted once it has been stored (or last signed for) longer
 * than the grace time: pieces of deals that never opened, that ended, that
 * failed, or that moved to another provider. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cairn/storage.h"
#include "net/node_rpc.h"
#include "storage/provider/provider_internal.h"

#define DEAL_PAGES 10000 /* pages of 100 deals read, at most */

/* A growing sorted set of roots. */
typedef struct root_set {
    cairn_hash *r;
    size_t n, cap;
} root_set;

static cairn_err set_add(root_set *s, const cairn_hash *h)
{
    if (s->n == s->cap) {
        size_t nc = s->cap ? s->cap * 2 : 256;
        cairn_hash *x = realloc(s->r, nc * sizeof *x);
        if (!x)
            return CAIRN_ERR_NOMEM;
        s->r = x;
        s->cap = nc;
    }
    s->r[s->n++] = *h;
    return CAIRN_OK;
}

static int cmp_hash(const void *a, const void *b)
{
    return memcmp(a, b, CAIRN_HASH_LEN);
}

/* The clients of the running deals (for the server's friends). */
typedef struct key_set {
    cairn_pubkey *k;
    size_t n, cap;
} key_set;

static cairn_err keys_add(key_set *s, const cairn_pubkey *k)
{
    if (s->n == s->cap) {
        size_t nc = s->cap ? s->cap * 2 : 64;
        cairn_pubkey *x = realloc(s->k, nc * sizeof *x);
        if (!x)
            return CAIRN_ERR_NOMEM;
        s->k = x;
        s->cap = nc;
    }
    s->k[s->n++] = *k;
    return CAIRN_OK;
}

/* Adds the roots (or clients) of the page's running deals; *after gets the
 * last id. Either set may be NULL. */
static cairn_err add_page(root_set *roots, key_set *clients, const json_t *page,
                          uint64_t *after)
{
    size_t i;
    const json_t *d;
    cairn_hash h;
    cairn_pubkey k;
    json_array_foreach(json_object_get(page, "deals"), i, d)
    {
        const char *state = json_string_value(json_object_get(d, "state"));
        if (snode_u64(d, "id", after) || snode_hash(d, "root", &h) ||
            snode_addr(d, "client", &k))
            return CAIRN_ERR_BAD_JSON;
        if (!state || strcmp(state, "active") != 0)
            continue;
        if ((roots && set_add(roots, &h)) || (clients && keys_add(clients, &k)))
            return CAIRN_ERR_NOMEM;
    }
    return CAIRN_OK;
}

/* Reads every running deal of this provider into roots (sorted) and
 * clients; either may be NULL. */
static cairn_err scan_deals(sprov *p, root_set *roots, key_set *clients)
{
    char path[200];
    snode_err why;
    uint64_t after = 0;
    for (int page = 0; page < DEAL_PAGES; page++) {
        json_t *j;
        snprintf(path, sizeof path, "/v1/deals?provider=%s&after=%llu&limit=%d",
                 p->addr, (unsigned long long)after, CAIRN_DEALS_MAX);
        cairn_err e = snode_get(p->cfg.node, path, &j, &why);
        if (!e)
            e = add_page(roots, clients, j, &after);
        int more = !e && json_is_true(json_object_get(j, "more"));
        json_decref(j);
        if (e)
            return e;
        if (!more) {
            if (roots && roots->n)
                qsort(roots->r, roots->n, sizeof *roots->r, cmp_hash);
            return CAIRN_OK;
        }
    }
    return CAIRN_ERR_TOO_LARGE;
}

cairn_err sprov_friends(sprov *p)
{
    key_set k = {0};
    cairn_err e = scan_deals(p, NULL, &k);
    if (!e)
        e = pd_serve_set_friends(p->srv, k.k, k.n);
    free(k.k);
    return e;
}

/* 1 if the piece has outlived its grace time without a running deal. */
static int is_garbage(sprov *p, const root_set *s, const cairn_piece_stat *st,
                      uint64_t now)
{
    uint64_t grace = p->cfg.gc_grace_s ? p->cfg.gc_grace_s : SPROV_GC_GRACE_S;
    uint64_t seen = sprov_signed_at(p, &st->root);
    if (st->stored_at > seen)
        seen = st->stored_at;
    if (s->n && bsearch(&st->root, s->r, s->n, sizeof *s->r, cmp_hash))
        return 0;
    return now > seen && now - seen > grace;
}

cairn_err sprov_gc(sprov *p)
{
    root_set s = {0};
    cairn_piece_stat *list = NULL;
    size_t n = 0, dropped = 0;
    uint64_t freed = 0, now = (uint64_t)time(NULL);
    cairn_err e = scan_deals(p, &s, NULL);
    if (!e)
        e = cairn_piecestore_list(p->ps, &list, &n);
    for (size_t i = 0; !e && i < n; i++) {
        if (!is_garbage(p, &s, &list[i], now))
            continue;
        if (cairn_piecestore_delete(p->ps, &list[i].root) == CAIRN_OK) {
            dropped++;
            freed += cairn_piecestore_cost(list[i].size);
        }
    }
    if (dropped)
        sprov_log(
            p, "dropped %zu piece(s) no running deal needs (%llu bytes freed)",
            dropped, (unsigned long long)freed);
    free(list);
    free(s.r);
    return e;
}
