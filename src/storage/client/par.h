/* Internal: runs fn(ctx, i) for i in 0..n-1 on up to CPAR_THREADS threads
 * (the storage client's parallel dials, stores and fetches). */
#ifndef CAIRN_CLIENT_PAR_H
#define CAIRN_CLIENT_PAR_H

#include <stddef.h>

#define CPAR_THREADS 16

typedef void (*cpar_fn)(void *ctx, size_t i);

/* Returns when every call has returned. Falls back to running the calls
 * on this thread if no thread can be started. */
void cpar_run(size_t n, cpar_fn fn, void *ctx);

#endif
