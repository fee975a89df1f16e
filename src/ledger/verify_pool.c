/* Parallel signature checks for blocks a follower receives. */
#include "ledger/verify_pool.h"

#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "cairn/tx.h"

typedef struct job {
    const cairn_block_tx *txs;
    uint32_t from, to; /* this thread's slice */
    uint32_t bad;      /* lowest failing index in the slice, or UINT32_MAX */
    cairn_err err;
} job;

static void *run(void *arg)
{
    job *j = arg;
    j->bad = UINT32_MAX;
    j->err = CAIRN_OK;
    for (uint32_t i = j->from; i < j->to; i++) {
        cairn_tx tx;
        cairn_err e = cairn_tx_decode(&tx, j->txs[i].p, j->txs[i].n);
        if (!e)
            e = cairn_tx_verify(&tx, j->txs[i].p, j->txs[i].n);
        if (e) {
            j->bad = i;
            j->err = e;
            break;
        }
    }
    return NULL;
}

int verify_threads(void)
{
    const char *s = getenv("CAIRN_VERIFY_THREADS");
    long n = s ? strtol(s, NULL, 10) : sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 16 ? 16 : (int)n;
}

cairn_err verify_block_sigs(const cairn_block_tx *txs, uint32_t n, int threads,
                            uint32_t *bad)
{
    job jobs[16];
    pthread_t th[16];
    int started[16] = {0};
    if (threads > 16)
        threads = 16;
    if (n < 64 || threads < 2)
        threads = 1; /* not worth a thread */
    for (int t = 0; t < threads; t++) {
        jobs[t] = (job){txs, (uint32_t)((uint64_t)n * t / threads),
                        (uint32_t)((uint64_t)n * (t + 1) / threads), 0, 0};
        if (t > 0 && pthread_create(&th[t], NULL, run, &jobs[t]) == 0)
            started[t] = 1;
        else if (t > 0)
            run(&jobs[t]); /* no thread: do it here */
    }
    run(&jobs[0]);
    cairn_err e = CAIRN_OK;
    for (int t = 0; t < threads; t++) {
        if (started[t])
            pthread_join(th[t], NULL);
        if (jobs[t].err && !e) { /* slices are in index order */
            e = jobs[t].err;
            *bad = jobs[t].bad;
        }
    }
    return e;
}
