/* Internal: how each piece of a file stands — its deal on chain and
 * whether its provider answers — for status and repair. */
#ifndef CAIRN_CLIENT_HEALTH_H
#define CAIRN_CLIENT_HEALTH_H

#include "storage/client/deals.h"

/* One piece's standing. */
typedef struct chealth {
    const cmeta_piece *piece;
    int has_deal; /* the deal was found on chain */
    cdeal deal;
    int reachable;           /* its provider answered an ASK */
    int alive;               /* deal active and provider reachable */
    char why[CLINK_WHY_MAX]; /* when not reachable */
} chealth;

/* The standing of pieces[0..n) (asks each provider once, in parallel).
 * *out is a new array of n entries the caller frees. */
cairn_err chealth_read(sclient *c, const cmeta_piece *pieces, size_t n,
                       chealth **out);

/* Loads file `id` and its pieces (*pieces new; caller frees). */
cairn_err cfile_load(sclient *c, const char *id, cmeta_file *f,
                     cmeta_piece **pieces, size_t *n);

#endif
