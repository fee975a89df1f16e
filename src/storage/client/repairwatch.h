/* Internal: the repair checker (`cairn repair --watch`, and a thread of the
 * S3 gateway). Storj and Sia repair at a health level rather than on
 * request: once per epoch the checker reads the standing of every file in
 * the client's store (each piece's deal on chain and whether its provider
 * answers) and repairs the files whose weakest segment has fewer alive
 * pieces than the threshold, back to n (sclient_repair). */
#ifndef CAIRN_CLIENT_REPAIRWATCH_H
#define CAIRN_CLIENT_REPAIRWATCH_H

#include <stdio.h>

#include "storage/client/client.h"

/* What one pass did. */
typedef struct srepair_stats {
    size_t files;    /* files checked */
    size_t below;    /* of them, below the threshold */
    size_t repaired; /* of those, back to full health */
    size_t placed;   /* pieces placed with providers */
    size_t unplaced; /* lost pieces no provider took */
    size_t failed;   /* files whose check or repair failed */
} srepair_stats;

/* The default threshold of a k-of-n file: k + ceil((n - k) / 2), so a
 * 4-of-6 file is repaired when it is down to 4 alive pieces in a segment
 * and a 10-of-30 one at 19 (halfway between what rebuilds it and n). */
uint32_t srepair_default_min(uint32_t k, uint32_t n);

/* One pass over every file in c's store: repairs each file whose weakest
 * segment has fewer than min_alive alive pieces (0: srepair_default_min of
 * the file; above n: n). Writes one line per file repaired or failed, and
 * one per pass, to log (may be NULL). OK unless the store cannot be read:
 * a file that cannot be checked or repaired is counted in st->failed and
 * the pass goes on. */
cairn_err srepair_pass(sclient *c, uint32_t min_alive, FILE *log,
                       srepair_stats *st);

/* The alive pieces of the weakest segment of file `id` (its deals on
 * chain and its providers' answers, as `status --no-fetch`), in *alive. */
cairn_err srepair_weakest(sclient *c, const char *id, uint32_t *alive);

#endif
