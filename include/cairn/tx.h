/* cairn — the transaction envelope.
 *
 * Encoding (all integers little-endian; see docs/encoding.md):
 *   u8   magic      0xC1 (a cairn transaction, version 1)
 *   var8 chain_id   u8 length (1..32) then ASCII bytes
 *   [32] sender     Ed25519 public key
 *   u64  nonce      the sender's next nonce (0 for a new account)
 *   u64  fee        base units paid to the network
 *   u16  kind       what the body means (CAIRN_TX_*)
 *   var  body       u32 length (<= CAIRN_TX_BODY_MAX) then bytes
 *   [64] signature  Ed25519 over every byte before it
 * The transaction hash is BLAKE2b-256 of the whole encoding. */
#ifndef CAIRN_TX_H
#define CAIRN_TX_H

#include <stddef.h>
#include <stdint.h>

#include "cairn/codec.h"
#include "cairn/crypto.h"

#define CAIRN_TX_MAGIC 0xC1
#define CAIRN_CHAIN_ID_MAX 32
#define CAIRN_TX_BODY_MAX 16384
#define CAIRN_TX_MAX_BYTES                                                     \
    (1 + 1 + CAIRN_CHAIN_ID_MAX + 32 + 8 + 8 + 2 + 4 + CAIRN_TX_BODY_MAX + 64)

enum cairn_tx_kind {
    CAIRN_TX_TRANSFER = 1, /* body: [32] recipient ‖ u64 amount */
};

typedef struct cairn_tx {
    uint8_t chain_id_len;
    char chain_id[CAIRN_CHAIN_ID_MAX + 1];
    cairn_pubkey sender;
    uint64_t nonce;
    uint64_t fee;
    uint16_t kind;
    uint32_t body_len;
    const uint8_t *body; /* borrowed: points into the caller's bytes */
    cairn_sig sig;
} cairn_tx;

typedef struct cairn_transfer {
    cairn_pubkey to;
    uint64_t amount;
} cairn_transfer;

/* Decodes bytes into tx without checking the signature. tx->body points
 * into `p`, which must outlive tx. Errors: TRUNCATED, TOO_LARGE, TRAILING,
 * BAD_VERSION, CHAIN_ID (empty or non-printable chain id). */
CAIRN_API cairn_err cairn_tx_decode(cairn_tx *tx, const uint8_t *p,
                                    size_t n) CAIRN_WUR;
/* Appends the full encoding (with signature) to b. */
CAIRN_API void cairn_tx_encode(const cairn_tx *tx, cairn_buf *b);
/* Sets tx->sender to kp's key and signs. tx->body must be set. */
CAIRN_API cairn_err cairn_tx_sign(cairn_tx *tx,
                                  const cairn_keypair *kp) CAIRN_WUR;
/* Verifies the signature over the encoded bytes p[0..n) of a decoded tx:
 * every byte but the last 64. */
CAIRN_API cairn_err cairn_tx_verify(const cairn_tx *tx, const uint8_t *p,
                                    size_t n) CAIRN_WUR;
CAIRN_API void cairn_tx_hash(cairn_hash *out, const uint8_t *p, size_t n);

/* Sets the chain id from a NUL-terminated string; BAD_ARG if too long. */
CAIRN_API cairn_err cairn_tx_set_chain(cairn_tx *tx, const char *id) CAIRN_WUR;

/* Transfer body codec. encode writes exactly 40 bytes into out. */
CAIRN_API void cairn_transfer_encode(uint8_t out[40], const cairn_transfer *t);
CAIRN_API cairn_err cairn_transfer_decode(cairn_transfer *t, const uint8_t *p,
                                          size_t n) CAIRN_WUR;

/* Builds and signs a transfer in one call: a convenience for the CLI,
 * tests and benchmarks. Appends the encoded bytes to out. */
CAIRN_API cairn_err cairn_tx_make_transfer(cairn_buf *out, const char *chain_id,
                                           const cairn_keypair *kp,
                                           uint64_t nonce, uint64_t fee,
                                           const cairn_pubkey *to,
                                           uint64_t amount) CAIRN_WUR;

#endif
