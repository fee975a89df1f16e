/* The state commitment on several threads: a small runner, and the rehash
 * of the dirty part of the tree split into disjoint subtrees.
 *
 * Deterministic by construction: a node's hash is a function of its
 * subtree alone, each subtree is rehashed by one thread, the top above them
 * is rehashed afterwards by the caller's thread, and the threads only
 * decide who computes a hash, never what it is. */
#include "ledger/smt_internal.h"

#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

#define TASKS_PER_THREAD 16 /* subtrees per thread, to even out the load */
#define MAX_TASKS (2 * SMT_MAX_THREADS * TASKS_PER_THREAD)

static long online_cpus;
static pthread_once_t online_once = PTHREAD_ONCE_INIT;

/* Asks the system once: sysconf reads a file each time. */
static void count_cpus(void)
{
    online_cpus = sysconf(_SC_NPROCESSORS_ONLN);
}

unsigned smt_threads(unsigned asked)
{
    long n = asked;
    if (n == 0) {
        pthread_once(&online_once, count_cpus);
        n = online_cpus;
    }
    return n < 1 ? 1 : n > SMT_MAX_THREADS ? SMT_MAX_THREADS : (unsigned)n;
}

void smt_run(unsigned threads, void *(*fn)(void *), void *arg)
{
    pthread_t th[SMT_MAX_THREADS];
    int started[SMT_MAX_THREADS] = {0};
    if (threads > SMT_MAX_THREADS)
        threads = SMT_MAX_THREADS;
    for (unsigned i = 1; i < threads; i++)
        started[i] = pthread_create(&th[i], NULL, fn, arg) == 0;
    fn(arg);
    for (unsigned i = 1; i < threads; i++)
        if (started[i])
            pthread_join(th[i], NULL);
}

/* A subtree to rehash: its ref and the depth of the slot that holds it. */
typedef struct task {
    uint32_t ref;
    unsigned depth;
} task;

/* The work shared by the rehash threads. */
typedef struct rehash_job {
    cairn_smt *t;
    const task *tasks;
    size_t n;
    atomic_size_t next; /* the next task to take */
} rehash_job;

/* Takes tasks until none is left. */
static void *rehash_worker(void *arg)
{
    rehash_job *j = arg;
    cairn_hash h;
    for (;;) {
        size_t i = atomic_fetch_add(&j->next, 1);
        if (i >= j->n)
            return NULL;
        smt_node_hash(j->t, j->tasks[i].ref, j->tasks[i].depth, &h);
    }
}

/* Whether ref is an inner node whose hash must be recomputed. */
static int is_dirty(const cairn_smt *t, uint32_t ref)
{
    return smt_is_inner(ref) && smt_in_at(t, ref)->dirty;
}

/* Splits the dirty part of the tree into disjoint dirty subtrees, level by
 * level from the root, until there are at least `want` (or no dirty inner
 * node has dirty inner children). The nodes split are left for the
 * caller's final pass. Returns how many subtrees out[] holds. */
static size_t split_tasks(const cairn_smt *t, task *out, size_t want)
{
    task tmp[MAX_TASKS];
    size_t n = 0;
    if (is_dirty(t, t->root))
        out[n++] = (task){t->root, 0};
    while (n > 0 && n < want) {
        size_t m = 0; /* at most 2n < 2 * want <= MAX_TASKS */
        for (size_t i = 0; i < n; i++) {
            const smt_inner *x = smt_in_at(t, out[i].ref);
            for (int k = 0; k < 2; k++)
                if (is_dirty(t, x->kid[k]))
                    tmp[m++] = (task){x->kid[k], x->bit + 1u};
        }
        if (m == 0)
            break;
        memcpy(out, tmp, m * sizeof *out);
        n = m;
    }
    return n;
}

void smt_rehash_parallel(cairn_smt *t, unsigned threads)
{
    task tasks[MAX_TASKS];
    threads = smt_threads(threads);
    if (threads < 2)
        return; /* the caller's pass does it all */
    rehash_job j;
    j.t = t;
    j.tasks = tasks;
    j.n = split_tasks(t, tasks, threads * TASKS_PER_THREAD);
    atomic_init(&j.next, 0);
    if (j.n >= 2)
        smt_run(threads, rehash_worker, &j);
}
