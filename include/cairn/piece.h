/* cairn — a storage piece's Merkle commitment (the contract between the
 * client, the provider and the chain; docs/storage.md).
 *
 * A piece of S bytes (1 <= S <= CAIRN_PIECE_MAX) is cut into
 * L = ceil(S / CAIRN_LEAF_SIZE) leaves of CAIRN_LEAF_SIZE bytes; the last
 * leaf is zero-padded to CAIRN_LEAF_SIZE. The piece root is
 *   cairn_merkle_root(cairn_merkle_leaf(leaf_0, CAIRN_LEAF_SIZE), ...,
 *                     cairn_merkle_leaf(leaf_{L-1}, CAIRN_LEAF_SIZE))
 * (include/cairn/merkle.h: RFC 6962 shape, 0x00 leaf / 0x01 inner prefix).
 * A storage proof for leaf i is the padded leaf bytes plus the Merkle
 * inclusion path of its leaf hash. */
#ifndef CAIRN_PIECE_H
#define CAIRN_PIECE_H

#include <stddef.h>
#include <stdint.h>

#include "cairn/error.h"
#include "cairn/merkle.h"

#define CAIRN_LEAF_SIZE 1024u
#define CAIRN_PIECE_MAX (64u << 20) /* 64 MiB: bound on one piece */

/* Number of leaves of a piece of `size` bytes (0 for size 0). */
static inline uint64_t cairn_piece_leaves(uint64_t size)
{
    return (size + CAIRN_LEAF_SIZE - 1) / CAIRN_LEAF_SIZE;
}

#endif
