/* cairn — on-chain governance: transaction kinds, their bodies, and
 * read-only queries over committed state (docs/tokenomics.md,
 * "Governance").
 *
 * A proposal changes one declared economy parameter (within its bounds) or
 * spends from the treasury to an address. Opening one locks the gov_deposit
 * parameter's amount from the proposer. Voting lasts gov_voting_blocks
 * blocks: a proposal opened at height h takes votes in blocks h .. h +
 * gov_voting_blocks (its end height) and is tallied and, if it passed,
 * executed at the end of its end-height block. Votes weigh the voter's
 * bonded stake at vote time. Quorum: yes + no + abstain ≥ gov_quorum_bps of
 * the total bonded stake (at the end), with at least one vote; pass: quorum,
 * yes > 0 and yes ≥ gov_threshold_bps of (yes + no). The deposit goes back
 * to the proposer when quorum was reached, else it is burned.
 *
 * Body encodings (little-endian, as in docs/encoding.md):
 *   PROPOSE  u8 type ‖ payload
 *            type 1 (PARAM):  var name (u32 length ≤ 32, bytes) ‖ u64 value
 *            type 2 (SPEND):  [32] to ‖ u64 amount
 *   VOTE     u64 proposal id ‖ u8 choice (1 yes, 2 no, 3 abstain) */
#ifndef CAIRN_GOV_H
#define CAIRN_GOV_H

#include <stddef.h>
#include <stdint.h>

#include "cairn/chain.h"

enum cairn_gov_kind {
    CAIRN_TX_PROPOSE = 0x20,
    CAIRN_TX_VOTE = 0x21,
};

enum cairn_gov_type {
    CAIRN_GOV_PARAM = 1, /* set a declared economy parameter */
    CAIRN_GOV_SPEND = 2, /* pay from the treasury */
};

enum cairn_vote_choice {
    CAIRN_VOTE_YES = 1,
    CAIRN_VOTE_NO = 2,
    CAIRN_VOTE_ABSTAIN = 3,
};

enum cairn_gov_status {
    CAIRN_GOV_OPEN = 0,      /* voting */
    CAIRN_GOV_PASSED = 1,    /* passed and executed */
    CAIRN_GOV_REJECTED = 2,  /* quorum reached, too few yes votes */
    CAIRN_GOV_NO_QUORUM = 3, /* too little stake voted: deposit burned */
    CAIRN_GOV_FAILED = 4,    /* passed, but could not execute (exec_err) */
};

#define CAIRN_GOV_NAME_MAX 32

/* Body of PROPOSE. */
typedef struct cairn_gov_propose {
    uint8_t type;                       /* cairn_gov_type */
    char param[CAIRN_GOV_NAME_MAX + 1]; /* PARAM: JSON name, NUL-terminated */
    uint64_t value;                     /* PARAM: new value (base units for
                                           amount parameters) */
    cairn_pubkey to;                    /* SPEND: recipient */
    uint64_t amount;                    /* SPEND: base units */
} cairn_gov_propose;

/* Body of VOTE. */
typedef struct cairn_gov_vote {
    uint64_t id;
    uint8_t choice; /* cairn_vote_choice */
} cairn_gov_vote;

/* Body codecs: encoders append to b; decoders check every byte (BAD_BODY
 * for a bad length, an unknown type or choice, or a bad name). */
CAIRN_API void cairn_gov_propose_encode(cairn_buf *b,
                                        const cairn_gov_propose *p);
CAIRN_API cairn_err cairn_gov_propose_decode(cairn_gov_propose *p,
                                             const uint8_t *b,
                                             size_t n) CAIRN_WUR;
CAIRN_API void cairn_gov_vote_encode(cairn_buf *b, const cairn_gov_vote *v);
CAIRN_API cairn_err cairn_gov_vote_decode(cairn_gov_vote *v, const uint8_t *b,
                                          size_t n) CAIRN_WUR;

/* A proposal as stored, for queries. */
typedef struct cairn_gov_info {
    uint64_t id;
    uint8_t type;   /* cairn_gov_type */
    uint8_t status; /* cairn_gov_status */
    cairn_pubkey proposer;
    uint64_t deposit;      /* amount locked at submission */
    int deposit_held;      /* 1 while open */
    uint64_t start_height; /* block that opened it */
    uint64_t end_height;   /* last block that takes votes; tallied at its end */
    uint64_t yes, no, abstain; /* stake-weighted tallies */
    uint64_t total_bonded;     /* at the tally (0 while open) */
    uint16_t param_id;         /* PARAM */
    char param[CAIRN_GOV_NAME_MAX + 1];
    uint64_t value;
    cairn_pubkey to; /* SPEND */
    uint64_t amount;
    cairn_err exec_err; /* FAILED: why execution failed */
} cairn_gov_info;

/* "open", "passed", "rejected", "no_quorum", "failed" ("?" otherwise). */
CAIRN_API const char *cairn_gov_status_name(uint8_t status);
/* "yes", "no", "abstain" ("?" otherwise); and the reverse (0 unknown). */
CAIRN_API const char *cairn_vote_name(uint8_t choice);
CAIRN_API uint8_t cairn_vote_parse(const char *s);

/* NO_PROPOSAL when there is no proposal `id`. */
CAIRN_API cairn_err cairn_chain_gov_proposal(cairn_chain *c, uint64_t id,
                                             cairn_gov_info *out) CAIRN_WUR;
/* Up to max proposals with id > after_id, in id order; *n receives how
 * many were written. */
CAIRN_API cairn_err cairn_chain_gov_proposals(cairn_chain *c, uint64_t after_id,
                                              cairn_gov_info *out, size_t max,
                                              size_t *n) CAIRN_WUR;
/* A voter's ballot on proposal id: NOT_FOUND when it did not vote. */
CAIRN_API cairn_err cairn_chain_gov_vote(cairn_chain *c, uint64_t id,
                                         const cairn_pubkey *voter,
                                         uint8_t *choice,
                                         uint64_t *weight) CAIRN_WUR;

#endif
