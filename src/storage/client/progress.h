/* Internal: a one-line progress bar for the storage client, drawn on a
 * terminal only (the caller decides: isatty). */
#ifndef CAIRN_CLIENT_PROGRESS_H
#define CAIRN_CLIENT_PROGRESS_H

#include <stdint.h>
#include <stdio.h>

typedef struct cprog {
    FILE *f; /* NULL: draws nothing */
    const char *what;
    uint64_t total, done;
    int64_t t0_ms, drawn_ms;
} cprog;

void cprog_start(cprog *p, FILE *f, const char *what, uint64_t total);
/* Adds n bytes done; redraws at most ten times a second. */
void cprog_add(cprog *p, uint64_t n);
/* Draws 100% and ends the line. */
void cprog_end(cprog *p);

#endif
