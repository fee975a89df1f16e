/* cairn — blocks.
 *
 * Header encoding (little-endian; see docs/encoding.md):
 *   u8   magic       0xB2 (a cairn block header, version 2; version 1
 *                    had no term)
 *   u64  height      0 for genesis
 *   [32] prev        hash of the previous header (zeros at genesis)
 *   u64  time_ms     proposer's clock, ms since the Unix epoch; never
 *                    earlier than the parent's (informational, not used
 *                    by any state transition)
 *   [32] tx_root     Merkle root (merkle.h) over the transaction hashes
 *   [32] state_root  state commitment (smt.h) after applying this block
 *   [32] proposer    the public key of the sequencer-set member that
 *                    signed the block (the genesis names the set)
 *   u64  term        the leader's term: with sequencer replicas, the etcd
 *                    revision at which it won the election
 *                    (docs/replicas.md); 0 for a single sequencer. Never
 *                    lower than the parent's.
 *   u32  tx_count
 *   [64] signature   Ed25519 by the proposer over every byte before it
 *                    (all zeros at genesis, which no one signs)
 * The block hash is BLAKE2b-256 of the header bytes before the signature.
 * A block is its header followed by tx_count × (u32 length ‖ tx bytes). */
#ifndef CAIRN_BLOCK_H
#define CAIRN_BLOCK_H

#include <stddef.h>
#include <stdint.h>

#include "cairn/codec.h"
#include "cairn/crypto.h"

#define CAIRN_BLOCK_MAGIC 0xB2
#define CAIRN_HEADER_LEN (1 + 8 + 32 + 8 + 32 + 32 + 32 + 8 + 4 + 64)
#define CAIRN_BLOCK_MAX_TXS 20000
#define CAIRN_BLOCK_MAX_BYTES (16u << 20)

typedef struct cairn_header {
    uint64_t height;
    cairn_hash prev;
    uint64_t time_ms;
    cairn_hash tx_root;
    cairn_hash state_root;
    cairn_pubkey proposer;
    uint64_t term;
    uint32_t tx_count;
    cairn_sig sig;
} cairn_header;

/* One transaction inside an encoded block: borrowed bytes. */
typedef struct cairn_block_tx {
    const uint8_t *p;
    uint32_t n;
} cairn_block_tx;

typedef struct cairn_block {
    cairn_header h;
    cairn_block_tx *txs; /* owned array of h.tx_count borrowed spans */
} cairn_block;

CAIRN_API void cairn_header_encode(const cairn_header *h, cairn_buf *b);
CAIRN_API cairn_err cairn_header_decode(cairn_header *h, const uint8_t *p,
                                        size_t n) CAIRN_WUR;
/* Hash of the unsigned header: the block's id. */
CAIRN_API void cairn_header_hash(cairn_hash *out, const cairn_header *h);
CAIRN_API void cairn_header_sign(cairn_header *h, const cairn_keypair *kp);
CAIRN_API cairn_err cairn_header_verify(const cairn_header *h,
                                        const cairn_pubkey *pk) CAIRN_WUR;

/* Decodes a whole block. On success blk->txs is malloc'd (free with
 * cairn_block_free) and its spans point into p, which must outlive blk.
 * Checks bounds and framing only, not signatures or roots. */
CAIRN_API cairn_err cairn_block_decode(cairn_block *blk, const uint8_t *p,
                                       size_t n) CAIRN_WUR;
CAIRN_API void cairn_block_free(cairn_block *blk);
/* Tx root over the block's transactions. NOMEM possible. */
CAIRN_API cairn_err cairn_block_tx_root(cairn_hash *out,
                                        const cairn_block_tx *txs,
                                        uint32_t count) CAIRN_WUR;

#endif
