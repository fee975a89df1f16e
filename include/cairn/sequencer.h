/* cairn — the sequencer set's bonds and equivocation evidence
 * (docs/replicas.md, "Trust model").
 *
 * A genesis "sequencers" member with a stake has that stake taken from its
 * allocation into a bond at genesis. Two different block headers at one
 * height, both signed by the same member, are equivocation evidence:
 * anyone may submit them, and the signer's whole bond is slashed by the
 * economy's slash rule (burned, or to the treasury when slash_to_treasury
 * is 1). A bond is slashed once.
 *
 * Body of SEQ_EVIDENCE (little-endian, docs/encoding.md):
 *   [221] header A ‖ [221] header B   (each a full signed header) */
#ifndef CAIRN_SEQUENCER_H
#define CAIRN_SEQUENCER_H

#include <stdint.h>

#include "cairn/block.h"
#include "cairn/chain.h"

enum { CAIRN_TX_SEQ_EVIDENCE = 0x18 };

CAIRN_API void cairn_seq_evidence_encode(cairn_buf *b, const cairn_header *a,
                                         const cairn_header *bh);
/* Decodes and checks the evidence without state: two headers at the same
 * height (> 0) by the same proposer, with different hashes, each signature
 * valid. BAD_BODY (also for a header that does not decode), BAD_SIG. */
CAIRN_API cairn_err cairn_seq_evidence_decode(cairn_header *a, cairn_header *b,
                                              const uint8_t *p,
                                              size_t n) CAIRN_WUR;

/* A member's bond as stored. */
typedef struct cairn_seq_bond {
    uint64_t bond;           /* still bonded */
    uint64_t slashed;        /* slashed by evidence (0: never) */
    uint64_t slashed_height; /* the equivocated height */
} cairn_seq_bond;

/* The bond of sequencer pk (NOT_FOUND: no stake at genesis). */
CAIRN_API cairn_err cairn_chain_seq_bond(cairn_chain *c, const cairn_pubkey *pk,
                                         cairn_seq_bond *out) CAIRN_WUR;

#endif
