/* Internal: fetching the pieces of a segment for get and repair. Each
 * provider of a file gets one link, dialed once; a provider that cannot be
 * reached, or does not answer a request before its deadline, is not dialed
 * again, and a piece that fails its root is dropped
 * and another provider's piece tried. */
#ifndef CAIRN_CLIENT_FETCH_H
#define CAIRN_CLIENT_FETCH_H

#include "storage/client/client.h"
#include "storage/client/link.h"

/* The links of one file's providers. */
typedef struct cfetch {
    sclient *c;
    clink *links;
    size_t nlinks;
    const cmeta_piece *pieces; /* the file's pieces, by (segment, index) */
    size_t npieces;
    int *link_of;    /* per piece: its link */
    clink_payer pay; /* the tickets' chain, fee and expiry (from the node) */
    int unpaid;      /* fetches refused for their payment (PAYMENT_REQUIRED) */
} cfetch;

/* Sets up links for the pieces (no dial yet); with a node, they pay with
 * tickets of c->key (docs/storage.md, "Paid retrieval"). */
cairn_err cfetch_init(cfetch *f, sclient *c, const cmeta_piece *pieces,
                      size_t n);
void cfetch_free(cfetch *f);

/* Fetches k good pieces of segment seg, trying pieces in index order (data
 * pieces first) and more of them as fetches fail. in[0..*got) receive the
 * pieces (bytes new, freed with cfetch_release); skip (may be NULL) lists
 * pieces not to use. FEW_PIECES (c->why names the failures) when fewer
 * than k could be had; PAYMENT_REQUIRED instead when a provider refused
 * the payment (why says what it wants, and how to fund tickets). */
cairn_err cfetch_segment(cfetch *f, uint32_t seg, uint32_t k, const int *skip,
                         cairn_piece_in *in, size_t *got);
void cfetch_release(cairn_piece_in *in, size_t n);
/* The expected value of the tickets f's links sent, base units. */
uint64_t cfetch_paid(const cfetch *f);

#endif
