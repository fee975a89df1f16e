/* Choosing storage providers (client/pick.h). */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/amount.h"
#include "storage/client/par.h"
#include "storage/client/pick.h"

#define PAGES_MAX 16

/* 1 if pk is the client's or one of exclude. */
static int excluded(const sclient *c, const cairn_pubkey *pk,
                    const cairn_pubkey *ex, size_t nex)
{
    if (memcmp(pk->b, c->key.pk.b, 32) == 0)
        return 1;
    for (size_t i = 0; i < nex; i++)
        if (memcmp(pk->b, ex[i].b, 32) == 0)
            return 1;
    return 0;
}

/* Appends the usable providers of one page of /v1/storage/providers. */
static void take_page(sclient *c, const json_t *page, const cairn_pubkey *ex,
                      size_t nex, cpeer *out, size_t *n)
{
    size_t i;
    const json_t *o;
    json_array_foreach(json_object_get(page, "providers"), i, o)
    {
        cairn_pubkey pk;
        const char *ep = json_string_value(json_object_get(o, "endpoint"));
        if (*n == CPICK_MAX || snode_addr(o, "address", &pk) || !ep || !*ep ||
            !json_is_true(json_object_get(o, "active")) ||
            json_is_true(json_object_get(o, "jailed")) ||
            excluded(c, &pk, ex, nex))
            continue;
        clink_init(&out[*n].link, &pk, ep, &c->key);
        (*n)++;
    }
}

/* Every usable provider, not asked yet. */
static cairn_err list_providers(sclient *c, const cairn_pubkey *ex, size_t nex,
                                cpeer *out, size_t *n)
{
    char path[200] = "/v1/storage/providers";
    snode_err ne;
    for (int page = 0; page < PAGES_MAX; page++) {
        json_t *j;
        cairn_err e = snode_get(c->node, path, &j, &ne);
        if (e)
            return sclient_fail(c, e, "cannot list storage providers: %s",
                                ne.msg);
        take_page(c, j, ex, nex, out, n);
        const char *next = json_string_value(json_object_get(j, "next"));
        int more = json_is_true(json_object_get(j, "more")) && next;
        if (more)
            snprintf(path, sizeof path, "/v1/storage/providers?after=%s", next);
        json_decref(j);
        if (!more)
            break;
    }
    return CAIRN_OK;
}

uint64_t cpick_price(const schain *ch, const cairn_sp_info *info)
{
    return info->price > ch->min_price_per_mib ? info->price
                                               : ch->min_price_per_mib;
}

typedef struct ask_ctx {
    cpeer *p;
    const schain *ch;
    const cpick_want *w;
} ask_ctx;

/* What ASK told of a provider: ok, or why it is left out. */
enum { ASK_SILENT = 0, ASK_OK, ASK_NO_ROOM, ASK_TOO_DEAR };

/* The price compared with the limit, and that limit (0: none). */
static uint64_t price_of(const ask_ctx *a, const cairn_sp_info *info,
                         uint64_t *limit)
{
    *limit = a->w->permanent ? a->ch->perm_cost_per_mib : a->w->max_price;
    return a->w->permanent ? info->price : cpick_price(a->ch, info);
}

static void ask_one(void *arg, size_t i)
{
    ask_ctx *a = arg;
    cpeer *p = &a->p[i];
    uint64_t limit;
    if (clink_ask(&p->link, &p->info))
        return;
    if (p->info.free < a->w->need ||
        p->info.collateral_bps < a->ch->collateral_bps) {
        snprintf(p->link.why, sizeof p->link.why,
                 "%s has too little room or collateral", p->link.endpoint);
        p->verdict = ASK_NO_ROOM;
        return;
    }
    if (price_of(a, &p->info, &limit) > limit && limit) {
        snprintf(p->link.why, sizeof p->link.why, "%s asks too much",
                 p->link.endpoint);
        p->verdict = ASK_TOO_DEAR;
        return;
    }
    p->verdict = ASK_OK;
    p->ok = 1;
}

/* Counts the verdicts into st. */
static void tally(const ask_ctx *a, size_t n, cpick_stats *st)
{
    memset(st, 0, sizeof *st);
    st->listed = n;
    st->cheapest = UINT64_MAX;
    for (size_t i = 0; i < n; i++) {
        const cpeer *p = &a->p[i];
        uint64_t price = price_of(a, &p->info, &st->limit);
        st->silent += p->verdict == ASK_SILENT;
        st->no_room += p->verdict == ASK_NO_ROOM;
        st->too_dear += p->verdict == ASK_TOO_DEAR;
        if ((p->verdict == ASK_OK || p->verdict == ASK_TOO_DEAR) &&
            price < st->cheapest)
            st->cheapest = price;
    }
}

void cpick_explain(const cpick_stats *st, int permanent, char *out, size_t len)
{
    char max[CAIRN_AMOUNT_TEXT_MAX], low[CAIRN_AMOUNT_TEXT_MAX];
    size_t at = strlen(out);
    if (st->silent && at < len)
        at += (size_t)snprintf(out + at, len - at, "; %zu did not answer",
                               st->silent);
    if (st->no_room && at < len)
        at += (size_t)snprintf(out + at, len - at,
                               "; %zu have too little room or collateral",
                               st->no_room);
    if (!st->too_dear || at >= len)
        return;
    cairn_amount_format(max, st->limit);
    cairn_amount_format(low, st->cheapest);
    if (permanent)
        snprintf(out + at, len - at,
                 "; %zu ask more than the network's permanent rate, %s per "
                 "MiB and epoch, which is all a permanent deal pays (the "
                 "lowest ask is %s): store for a term (leave out "
                 "--permanent), or wait for providers that take it",
                 st->too_dear, max, low);
    else
        snprintf(out + at, len - at,
                 "; %zu ask more than --max-price %s per MiB and epoch: the "
                 "lowest price on offer is %s, so raise --max-price to at "
                 "least that",
                 st->too_dear, max, low);
}

static int by_price(const void *a, const void *b)
{
    const cpeer *x = a, *y = b;
    if (x->ok != y->ok)
        return y->ok - x->ok;
    return x->info.price < y->info.price ? -1 : x->info.price > y->info.price;
}

/* Fisher-Yates, so that equal prices come in random order. */
static void shuffle(cpeer *p, size_t n)
{
    for (size_t i = n; i > 1; i--) {
        size_t j = randombytes_uniform((uint32_t)i);
        cpeer t = p[i - 1];
        p[i - 1] = p[j];
        p[j] = t;
    }
}

cairn_err cpick(sclient *c, const schain *ch, const cpick_want *w, cpeer **out,
                size_t *n, cpick_stats *st)
{
    cpeer *p = calloc(CPICK_MAX, sizeof *p);
    size_t cnt = 0, good = 0;
    *out = NULL;
    *n = 0;
    if (!p)
        return sclient_fail(c, CAIRN_ERR_NOMEM, "out of memory");
    cairn_err e = list_providers(c, w->exclude, w->nex, p, &cnt);
    if (e) {
        free(p);
        return e;
    }
    ask_ctx a = {p, ch, w};
    cpar_run(cnt, ask_one, &a);
    if (st)
        tally(&a, cnt, st);
    shuffle(p, cnt);
    qsort(p, cnt, sizeof *p, by_price); /* not stable, but the shuffle was */
    while (good < cnt && p[good].ok)
        good++;
    for (size_t i = good; i < cnt; i++)
        clink_close(&p[i].link);
    *out = p;
    *n = good;
    return CAIRN_OK;
}

void cpick_free(cpeer *p, size_t n)
{
    for (size_t i = 0; p && i < n; i++)
        clink_close(&p[i].link);
    free(p);
}
