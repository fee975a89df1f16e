/* A small fork-join pool (client/par.h). */
#include <pthread.h>
#include <stdatomic.h>

#include "storage/client/par.h"

typedef struct job {
    cpar_fn fn;
    void *ctx;
    size_t n;
    atomic_size_t next;
} job;

static void *run(void *arg)
{
    job *j = arg;
    for (size_t i; (i = atomic_fetch_add(&j->next, 1)) < j->n;)
        j->fn(j->ctx, i);
    return NULL;
}

void cpar_run(size_t n, cpar_fn fn, void *ctx)
{
    pthread_t th[CPAR_THREADS];
    job j = {.fn = fn, .ctx = ctx, .n = n};
    size_t want = n < CPAR_THREADS ? n : CPAR_THREADS, started = 0;
    atomic_init(&j.next, 0);
    while (started + 1 < want &&
           pthread_create(&th[started], NULL, run, &j) == 0)
        started++;
    run(&j); /* this thread works too */
    for (size_t i = 0; i < started; i++)
        pthread_join(th[i], NULL);
}
