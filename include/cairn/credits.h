/* cairn — burn-and-mint service credits and the price feed: transaction
 * kinds, their bodies, and read-only queries over committed state
 * (docs/tokenomics.md, "Credits").
 *
 * The price is quoted in token base units per credit. The price-feed key
 * (the genesis "economy" object's "price_oracle") sets it; each change is
 * bounded by max_price_change_bps relative to the price at the start of
 * the current epoch (the first price ever set is free). Buying N credits
 * burns exactly N × price base units: the product is exact, there is no
 * rounding. Credits are not transferable: no transaction kind moves them;
 * only sectors spend them, for service.
 *
 * Body encodings (little-endian, as in docs/encoding.md):
 *   SET_PRICE     u64 price (base units per credit, > 0)
 *   BUY_CREDITS   u64 credits (> 0) */
#ifndef CAIRN_CREDITS_H
#define CAIRN_CREDITS_H

#include <stddef.h>
#include <stdint.h>

#include "cairn/chain.h"

enum cairn_credits_kind {
    CAIRN_TX_SET_PRICE = 0x30,
    CAIRN_TX_BUY_CREDITS = 0x31,
};

/* Body codecs: encoders append to b; decoders check every byte
 * (BAD_BODY on a wrong length). A zero value decodes; the kinds' checks
 * reject it with ZERO_AMOUNT. */
CAIRN_API void cairn_set_price_encode(cairn_buf *b, uint64_t price);
CAIRN_API cairn_err cairn_set_price_decode(uint64_t *price, const uint8_t *p,
                                           size_t n) CAIRN_WUR;
CAIRN_API void cairn_buy_credits_encode(cairn_buf *b, uint64_t credits);
CAIRN_API cairn_err cairn_buy_credits_decode(uint64_t *credits,
                                             const uint8_t *p,
                                             size_t n) CAIRN_WUR;

/* The price feed as stored. */
typedef struct cairn_price_info {
    int has_price;              /* 0: no price was ever set */
    uint64_t price;             /* base units per credit */
    uint64_t set_height;        /* block that set it */
    uint64_t epoch;             /* current epoch */
    uint64_t epoch_start_price; /* reference for this epoch's bound */
    uint64_t max_change_bps;
    int has_oracle;
    cairn_pubkey oracle;
} cairn_price_info;

/* Credits held by owner (0 when none). */
CAIRN_API cairn_err cairn_chain_credits(cairn_chain *c,
                                        const cairn_pubkey *owner,
                                        uint64_t *credits) CAIRN_WUR;
/* The price feed and the bounds on its next change. */
CAIRN_API cairn_err cairn_chain_price(cairn_chain *c,
                                      cairn_price_info *out) CAIRN_WUR;
/* Base units that buying `credits` at `price` burns; OVERFLOW when the
 * product exceeds u64. */
CAIRN_API cairn_err cairn_credits_cost(uint64_t credits, uint64_t price,
                                       uint64_t *units) CAIRN_WUR;

#endif
