/* cairn — the storage client<->provider protocol: the messages carried over
 * a cairn_conn (include/cairn/conn.h) and their encodings
 * (docs/storage.md, "Providers").
 *
 * The client dials the provider's registered endpoint, expecting the
 * provider's identity key; the provider learns the client's identity from
 * the handshake (cairn_conn_peer) and signs deals for that key only. One
 * connection carries any number of requests, each answered by exactly one
 * reply, in order. Message type = the frame's type byte; payloads
 * (little-endian, docs/encoding.md):
 *
 *   ASK     0x01  (empty)                      -> INFO
 *   STORE   0x02  u8 what ‖ u64 client nonce ‖ body ‖ var piece
 *                 what 1 (open):    terms (CAIRN_DEAL_TERMS_LEN bytes,
 *                                   cairn/storage.h)
 *                 what 2 (replace): u64 deal id ‖ u64 collateral ‖
 *                                   [32] piece root ‖ u64 piece size
 *                 piece: u32 length (0, or exactly the piece size) and the
 *                 bytes; length 0 asks the provider to sign again for a
 *                 piece it already holds (e.g. with a new nonce)
 *                                              -> SIGNED
 *   FETCH   0x03  [32] piece root ‖ u32 ticket length ‖ ticket
 *                 (cairn/ticket.h; 0..CAIRN_TICKET_MAX_BYTES, 0: none,
 *                 which only a provider serving for free takes)
 *                                              -> PIECE
 *   INFO    0x81  u64 price (base units per MiB per epoch) ‖
 *                 u64 free bytes ‖ u64 largest piece it takes ‖
 *                 u32 collateral bps it accepts at most ‖
 *                 u64 egress price (base units per GiB served; 0: free) ‖
 *                 [32] the provider's current ticket rand hash
 *   SIGNED  0x82  [64] the provider's signature over the deal-open (what 1)
 *                 or deal-replace (what 2) message of cairn/storage.h
 *   PIECE   0x83  var piece bytes
 *   ERROR   0xFF  u32 code (a cairn_err) ‖ var message (<= 256 bytes)
 *
 * Any request may be answered by ERROR instead. Decoders check every length
 * and bound and refuse trailing bytes (CAIRN_ERR_BAD_MSG); a decoded STORE
 * or PIECE borrows the payload (its piece points into it). */
#ifndef CAIRN_STORAGE_PROTO_H
#define CAIRN_STORAGE_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include "cairn/codec.h"
#include "cairn/error.h"
#include "cairn/storage.h"
#include "cairn/ticket.h"

enum cairn_sp_type {
    CAIRN_SP_ASK = 0x01,
    CAIRN_SP_STORE = 0x02,
    CAIRN_SP_FETCH = 0x03,
    CAIRN_SP_INFO = 0x81,
    CAIRN_SP_SIGNED = 0x82,
    CAIRN_SP_PIECE = 0x83,
    CAIRN_SP_ERROR = 0xFF,
};

enum cairn_sp_what {
    CAIRN_SP_OPEN = 1,
    CAIRN_SP_REPLACE = 2,
};

#define CAIRN_SP_ERRMSG_MAX 256
/* Bound on any message's payload: a whole piece plus its envelope. Pass
 * it as cairn_conn_recv's max. */
#define CAIRN_SP_MSG_MAX (CAIRN_PIECE_MAX + 1024u)

typedef struct cairn_sp_info {
    uint64_t price;          /* base units per MiB (rounded up) per epoch */
    uint64_t free;           /* bytes the provider can still take */
    uint64_t max_piece;      /* largest piece it accepts */
    uint32_t collateral_bps; /* most collateral it puts up, share of price */
    uint64_t egress_price;   /* base units per GiB served (0: free) */
    uint8_t rand_hash[32];   /* what a FETCH's ticket must name now */
} cairn_sp_info;

typedef struct cairn_sp_fetch {
    cairn_hash root;
    const uint8_t *ticket; /* borrowed; NULL when ticket_len is 0 */
    uint32_t ticket_len;   /* 0..CAIRN_TICKET_MAX_BYTES */
} cairn_sp_fetch;

typedef struct cairn_sp_store {
    uint8_t what;           /* CAIRN_SP_OPEN or CAIRN_SP_REPLACE */
    uint64_t client_nonce;  /* of the client's tx that will carry the sig */
    cairn_deal_terms terms; /* OPEN */
    uint64_t deal_id;       /* REPLACE */
    uint64_t collateral;    /* REPLACE */
    cairn_hash root;        /* REPLACE; for OPEN a copy of terms.root */
    uint64_t size;          /* REPLACE; for OPEN a copy of terms.size */
    const uint8_t *piece;   /* borrowed; NULL when piece_len is 0 */
    uint32_t piece_len;     /* 0 or size */
} cairn_sp_store;

typedef struct cairn_sp_error {
    uint32_t code;
    char msg[CAIRN_SP_ERRMSG_MAX + 1]; /* NUL-terminated, printable ASCII */
} cairn_sp_error;

/* Encoders append to b (whose limit must allow CAIRN_SP_MSG_MAX for a
 * STORE or PIECE with bytes). */
CAIRN_API void cairn_sp_info_encode(cairn_buf *b, const cairn_sp_info *m);
CAIRN_API void cairn_sp_store_encode(cairn_buf *b, const cairn_sp_store *m);
CAIRN_API void cairn_sp_fetch_encode(cairn_buf *b, const cairn_sp_fetch *m);
CAIRN_API void cairn_sp_signed_encode(cairn_buf *b, const cairn_sig *sig);
CAIRN_API void cairn_sp_piece_encode(cairn_buf *b, const uint8_t *p,
                                     uint32_t n);
/* msg may be NULL; it is cut at CAIRN_SP_ERRMSG_MAX bytes. */
CAIRN_API void cairn_sp_error_encode(cairn_buf *b, cairn_err code,
                                     const char *msg);

/* Decoders: CAIRN_ERR_BAD_MSG for any malformed payload (wrong length,
 * unknown `what`, unknown deal flags, a piece length other than 0 or the
 * stated size, a size outside 1..CAIRN_PIECE_MAX, an error message with a
 * byte outside printable ASCII). */
CAIRN_API cairn_err cairn_sp_ask_decode(const uint8_t *p, size_t n) CAIRN_WUR;
CAIRN_API cairn_err cairn_sp_info_decode(cairn_sp_info *m, const uint8_t *p,
                                         size_t n) CAIRN_WUR;
CAIRN_API cairn_err cairn_sp_store_decode(cairn_sp_store *m, const uint8_t *p,
                                          size_t n) CAIRN_WUR;
/* A decoded FETCH borrows its ticket from p (not decoded: see
 * cairn_ticket_decode). */
CAIRN_API cairn_err cairn_sp_fetch_decode(cairn_sp_fetch *m, const uint8_t *p,
                                          size_t n) CAIRN_WUR;
CAIRN_API cairn_err cairn_sp_signed_decode(cairn_sig *sig, const uint8_t *p,
                                           size_t n) CAIRN_WUR;
CAIRN_API cairn_err cairn_sp_piece_decode(const uint8_t **piece, uint32_t *n,
                                          const uint8_t *p,
                                          size_t len) CAIRN_WUR;
CAIRN_API cairn_err cairn_sp_error_decode(cairn_sp_error *m, const uint8_t *p,
                                          size_t n) CAIRN_WUR;

/* What serving `bytes` costs at an egress price of `price` base units
 * per GiB: ceil(price x bytes / 2^30), saturated; the expected value a
 * FETCH's ticket must reach. */
CAIRN_API uint64_t cairn_sp_egress_cost(uint64_t price, uint64_t bytes);

/* The error code an ERROR message carries, as a cairn_err: codes this
 * build does not know become CAIRN_ERR_BAD_MSG. */
CAIRN_API cairn_err cairn_sp_error_code(const cairn_sp_error *m);

#endif
