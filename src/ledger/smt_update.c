/* A big batch's plain value replacements, on several threads.
 *
 * The top of the tree is cut, level by level, into disjoint subtrees (the
 * tasks). A change qualifies when it sets a value (not a deletion), is the
 * batch's only change to its key (no other change shares its 32-bit
 * prefix), and its key's walk reaches a task. A thread takes a task and, in
 * key order, replaces the value of each qualifying change whose key is in
 * the subtree already, marking the path inside the subtree dirty; nothing
 * outside its subtree is written. Afterwards the caller's thread marks the
 * top above each touched task. The tree's shape does not change, so the
 * remaining changes can follow one by one. */
#include "ledger/smt_internal.h"

#include <stdatomic.h>
#include <stdlib.h>

#define TASKS_PER_THREAD 16
#define MAX_WANT (SMT_MAX_THREADS * TASKS_PER_THREAD)
#define MAX_TASKS (2 * MAX_WANT) /* a level cut holds fewer than 2 × want */
#define MAX_TOP (4 * MAX_WANT)   /* nodes on the levels cut, tasks included */
#define NO_TASK UINT16_MAX
#define PREFETCH 16 /* changes read ahead */

/* A node of the levels cut: the slot that holds it, and its parent's index
 * in the same array (-1 for the root). */
typedef struct top_node {
    uint32_t *slot;
    int parent;
} top_node;

/* A task's node, for finding tasks by ref. */
typedef struct task_ref {
    uint32_t ref;
    uint32_t task;
} task_ref;

/* The cut: top[first..n) are the tasks, `level` inner nodes below the
 * root; by_ref lists them by ref. */
typedef struct cut {
    top_node top[MAX_TOP];
    size_t first, n;
    unsigned level;
    task_ref by_ref[MAX_TASKS];
} cut;

/* The work shared by the update threads. */
typedef struct update_job {
    cairn_smt *t;
    const cairn_smt_change *c;
    const smt_sort_ent *order;
    uint8_t *done; /* per position in order */
    const cut *cut;
    const uint32_t *pos;         /* qualifying positions, grouped by task */
    size_t start[MAX_TASKS + 1]; /* task k's are pos[start[k]..start[k+1]) */
    uint8_t touched[MAX_TASKS];
    atomic_size_t next; /* the next task to take */
    atomic_size_t applied;
} update_job;

/* Orders task_refs by ref (refs are distinct). */
static int cmp_ref(const void *a, const void *b)
{
    uint32_t x = ((const task_ref *)a)->ref, y = ((const task_ref *)b)->ref;
    return x < y ? -1 : x > y;
}

/* Cuts the tree's top into levels of inner nodes until the last holds at
 * least `want` (or the next would not fit, or has none). */
static void make_cut(cairn_smt *t, cut *k, size_t want)
{
    if (want > MAX_WANT)
        want = MAX_WANT;
    k->first = k->n = 0;
    k->level = 0;
    if (!smt_is_inner(t->root))
        return;
    k->top[k->n++] = (top_node){&t->root, -1};
    while (k->n - k->first < want && k->n + 2 * (k->n - k->first) <= MAX_TOP) {
        size_t next = k->n;
        for (size_t i = k->first; i < next; i++) {
            smt_inner *x = smt_in_at(t, *k->top[i].slot);
            for (int b = 0; b < 2; b++)
                if (smt_is_inner(x->kid[b]))
                    k->top[k->n++] = (top_node){&x->kid[b], (int)i};
        }
        if (k->n == next)
            break;
        k->first = next;
        k->level++;
    }
    for (size_t i = k->first; i < k->n; i++)
        k->by_ref[i - k->first] =
            (task_ref){*k->top[i].slot, (uint32_t)(i - k->first)};
    qsort(k->by_ref, k->n - k->first, sizeof *k->by_ref, cmp_ref);
}

/* The task whose subtree key's walk reaches, or NO_TASK. Tasks are found
 * by their ref; the cut is small and in cache. */
static unsigned task_of(const cairn_smt *t, const cut *k, const cairn_hash *key)
{
    uint32_t ref = t->root;
    for (unsigned l = 0; l < k->level; l++) {
        if (!smt_is_inner(ref))
            return NO_TASK;
        const smt_inner *x = smt_in_at(t, ref);
        ref = x->kid[smt_key_bit(key, x->bit)];
    }
    if (!smt_is_inner(ref))
        return NO_TASK;
    size_t lo = 0, hi = k->n - k->first;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (k->by_ref[mid].ref < ref)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < k->n - k->first && k->by_ref[lo].ref == ref ? k->by_ref[lo].task
                                                            : NO_TASK;
}

/* Whether order[i] is the batch's only change to its 32-bit prefix. */
static int alone(const smt_sort_ent *order, size_t n, size_t i)
{
    return (i == 0 || order[i - 1].pre != order[i].pre) &&
           (i + 1 == n || order[i + 1].pre != order[i].pre);
}

/* Groups the qualifying positions by task, in key order within each.
 * Returns a malloc'd array (the caller frees it) or NULL. */
static uint32_t *group(update_job *j, const cairn_smt *t, const cut *k,
                       size_t n)
{
    uint16_t *tk = malloc(n * sizeof *tk);
    uint32_t *pos = malloc(n * sizeof *pos);
    size_t ntasks = k->n - k->first;
    if (!tk || !pos) {
        free(tk);
        free(pos);
        return NULL;
    }
    memset(j->start, 0, sizeof j->start);
    for (size_t i = 0; i < n; i++) {
        const cairn_smt_change *ch = &j->c[j->order[i].idx];
        if (i + PREFETCH < n) /* sorted order reads c at random */
            __builtin_prefetch(&j->c[j->order[i + PREFETCH].idx]);
        tk[i] = ch->deleted || !alone(j->order, n, i)
                    ? NO_TASK
                    : (uint16_t)task_of(t, k, &ch->key);
        if (tk[i] != NO_TASK)
            j->start[tk[i] + 1]++;
    }
    for (size_t x = 0; x < ntasks; x++)
        j->start[x + 1] += j->start[x];
    size_t fill[MAX_TASKS];
    memcpy(fill, j->start, sizeof fill);
    for (size_t i = 0; i < n; i++)
        if (tk[i] != NO_TASK)
            pos[fill[tk[i]]++] = (uint32_t)i;
    free(tk);
    return pos;
}

/* Replaces the values of one task's changes whose keys are present. */
static void update_task(update_job *j, uint32_t *slot, size_t task)
{
    smt_path p;
    const cairn_hash *prev = NULL;
    size_t applied = 0;
    p.slot[0] = slot;
    p.n = 1;
    for (size_t x = j->start[task]; x < j->start[task + 1]; x++) {
        const cairn_smt_change *ch = &j->c[j->order[j->pos[x]].idx];
        if (x + PREFETCH < j->start[task + 1])
            __builtin_prefetch(&j->c[j->order[j->pos[x + PREFETCH]].idx]);
        unsigned k =
            prev ? smt_shared_prefix(j->t, &p, smt_first_diff(prev, &ch->key))
                 : 1;
        smt_descend_from(j->t, &ch->key, &p, k);
        prev = &ch->key;
        uint32_t end = *p.slot[p.n - 1]; /* a leaf: no slot below an inner
                                          * node is empty */
        if (!smt_is_leaf(end))
            continue;
        smt_leaf *l = smt_lf_at(j->t, end);
        if (memcmp(l->key.b, ch->key.b, CAIRN_HASH_LEN) != 0)
            continue; /* a new key: left for the caller */
        if (memcmp(l->vhash.b, ch->vhash.b, CAIRN_HASH_LEN) != 0) {
            l->vhash = ch->vhash;
            smt_mark_dirty(j->t, p.slot, p.n - 1);
            j->touched[task] = 1;
        }
        j->done[j->pos[x]] = 1;
        applied++;
    }
    atomic_fetch_add(&j->applied, applied);
}

/* Takes tasks until none is left. */
static void *update_worker(void *arg)
{
    update_job *j = arg;
    const cut *k = j->cut;
    for (;;) {
        size_t i = atomic_fetch_add(&j->next, 1);
        if (i >= k->n - k->first)
            return NULL;
        update_task(j, k->top[k->first + i].slot, i);
    }
}

/* Marks the top above each touched task dirty (each task's own node was
 * marked by its thread). */
static void mark_top(cairn_smt *t, const cut *k, const update_job *j)
{
    for (size_t i = k->first; i < k->n; i++) {
        if (!j->touched[i - k->first])
            continue;
        for (int up = k->top[i].parent; up >= 0; up = k->top[up].parent) {
            smt_inner *x = smt_in_at(t, *k->top[up].slot);
            if (x->dirty)
                break;
            x->dirty = 1;
        }
    }
}

void smt_update_parallel(cairn_smt *t, const cairn_smt_change *c,
                         const smt_sort_ent *order, size_t n, uint8_t *done,
                         unsigned threads)
{
    struct {
        update_job j;
        cut k;
    } *w = calloc(1, sizeof *w); /* some 40 KiB: not on the stack */
    if (!w)
        return;
    atomic_init(&w->j.next, 0);
    atomic_init(&w->j.applied, 0);
    w->j.t = t;
    w->j.c = c;
    w->j.order = order;
    w->j.done = done;
    w->j.cut = &w->k;
    make_cut(t, &w->k, (size_t)threads * TASKS_PER_THREAD);
    uint32_t *pos = w->k.n > w->k.first ? group(&w->j, t, &w->k, n) : NULL;
    if (pos) {
        w->j.pos = pos;
        smt_run(threads, update_worker, &w->j);
        mark_top(t, &w->k, &w->j);
        t->pending += atomic_load(&w->j.applied);
    }
    free(pos);
    free(w);
}
