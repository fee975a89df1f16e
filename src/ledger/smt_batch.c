/* The state commitment in bulk: a block's changes applied in key order.
 * Each walk starts where the previous key's path parts from it, so the
 * nodes it meets were just visited and are in cache; a big batch first has
 * its plain value replacements done on several threads (smt_update.c).
 *
 * The result is that of applying the changes one by one in the order
 * given: the sort is stable, so a later change to a key still comes later,
 * and changes to different keys commute (the tree's shape depends only on
 * the set of keys, a leaf's value only on the last change to its key). */
#include "ledger/smt_internal.h"

#include <stdlib.h>

#define SORT_MIN 256        /* fewer changes: apply them as given */
#define PAR_UPDATE_MIN 4096 /* fewer: no threads for the replacements */
#define PREFETCH 16         /* changes read ahead in a sorted batch */

/* One stable counting-sort pass of a[0..n) into b on the byte at shift. */
static void radix_pass(const smt_sort_ent *a, smt_sort_ent *b, size_t n,
                       unsigned sh)
{
    size_t cnt[257] = {0};
    for (size_t i = 0; i < n; i++)
        cnt[((a[i].pre >> sh) & 255u) + 1]++;
    for (int d = 0; d < 256; d++)
        cnt[d + 1] += cnt[d];
    for (size_t i = 0; i < n; i++)
        b[cnt[(a[i].pre >> sh) & 255u]++] = a[i];
}

/* The first 32 bits of k as a number (big-endian, like the key order). */
static uint32_t key_prefix(const cairn_hash *k)
{
    return (uint32_t)k->b[0] << 24 | (uint32_t)k->b[1] << 16 |
           (uint32_t)k->b[2] << 8 | k->b[3];
}

/* The changes ordered by the first 32 bits of their keys, equal prefixes
 * (and so repeated keys) in their given order. Returns a malloc'd array of
 * n entries (the caller frees it), or NULL on out of memory. */
static smt_sort_ent *sort_changes(const cairn_smt_change *c, size_t n)
{
    smt_sort_ent *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b);
    if (!a || !b) {
        free(a);
        free(b);
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        a[i] = (smt_sort_ent){key_prefix(&c[i].key), (uint32_t)i};
    for (unsigned sh = 0; sh < 32; sh += 16) {
        radix_pass(a, b, n, sh);
        radix_pass(b, a, n, sh + 8);
    }
    free(b);
    return a;
}

unsigned smt_shared_prefix(const cairn_smt *t, const smt_path *p, unsigned d)
{
    unsigned k = 1;
    while (k < p->n && smt_in_at(t, *p->slot[k - 1])->bit < d)
        k++;
    return k;
}

/* Applies c[order[i].idx] for each i in 0..n not marked in done (order
 * NULL: c in the given order; done may be NULL), each walk starting from
 * the previous key's path where it can. */
static cairn_err apply_in_order(cairn_smt *t, const cairn_smt_change *c,
                                const smt_sort_ent *order, size_t n,
                                const uint8_t *done)
{
    smt_path p;
    const cairn_hash *prev = NULL;
    p.n = 0;
    for (size_t i = 0; i < n; i++) {
        if (done && done[i])
            continue;
        const cairn_smt_change *ch = &c[order ? order[i].idx : i];
        unsigned k = 0;
        if (order && i + PREFETCH < n) /* sorted order reads c at random */
            __builtin_prefetch(&c[order[i + PREFETCH].idx]);
        if (prev && p.n > 0)
            k = smt_shared_prefix(t, &p, smt_first_diff(prev, &ch->key));
        smt_descend_from(t, &ch->key, &p, k);
        cairn_err e =
            smt_set_at(t, &p, &ch->key, ch->deleted ? NULL : &ch->vhash);
        if (e)
            return e;
        prev = &ch->key;
    }
    return CAIRN_OK;
}

/* Sorts big batches by key, does a big batch's plain replacements on
 * several threads, then applies the rest in key order. Without memory for
 * the sort, or for the threads' bookkeeping, it does less of that. */
cairn_err cairn_smt_apply(cairn_smt *t, const cairn_smt_change *c, size_t n)
{
    smt_sort_ent *order = NULL;
    uint8_t *done = NULL;
    unsigned threads = 1;
    if (n >= SORT_MIN && n <= UINT32_MAX)
        order = sort_changes(c, n);
    if (order && n >= PAR_UPDATE_MIN &&
        (threads = smt_threads(t->threads)) > 1 && (done = calloc(n, 1)))
        smt_update_parallel(t, c, order, n, done, threads);
    cairn_err e = apply_in_order(t, c, order, n, done);
    free(done);
    free(order);
    return e;
}
