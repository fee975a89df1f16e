/* libFuzzer target for the storage sector's untrusted bytes: the PROVE
 * body decoder and the proof verifier, and the DEAL_OPEN, DEAL_REPLACE and
 * DEAL_END body decoders (src/sectors/storage/).
 *
 * Input: a mode byte, then data.
 *   mode % 3 == 0: the data is a PROVE body. It must decode or be refused
 *     with BAD_BODY; a decoded body re-encodes to the same bytes; each
 *     entry is checked against a fixed piece with a seed taken from the
 *     input, and the verifier must answer OK only for the true leaf bytes
 *     at the challenged index.
 *   mode % 3 == 1: the data is a DEAL_OPEN / REPLACE / END body; decoders
 *     answer OK or BAD_BODY, and what decodes re-encodes to the same bytes.
 *   mode % 3 == 2: an honest proof. The data picks the piece size, deal id
 *     and seed; the honest proof must verify, and fail with any one byte
 *     of its leaf or path changed. */
#include <stdlib.h>
#include <string.h>

#include "cairn/storage.h"

#define PIECE_SIZE (37 * CAIRN_LEAF_SIZE - 300) /* 37 leaves, padded last */
#define BIG_MAX (300 * CAIRN_LEAF_SIZE)

static uint8_t piece[BIG_MAX];
static cairn_hash leaves[BIG_MAX / CAIRN_LEAF_SIZE];
static cairn_hash fixed_root;

/* Leaf hashes and root of the first `size` bytes of `piece`. */
static void hash_piece(uint64_t size, cairn_hash *root)
{
    uint8_t leaf[CAIRN_LEAF_SIZE];
    uint64_t n = cairn_piece_leaves(size);
    for (uint64_t i = 0; i < n; i++) {
        uint64_t off = i * CAIRN_LEAF_SIZE;
        uint64_t take =
            size - off < CAIRN_LEAF_SIZE ? size - off : CAIRN_LEAF_SIZE;
        memset(leaf, 0, sizeof leaf);
        memcpy(leaf, piece + off, take);
        cairn_merkle_leaf(&leaves[i], leaf, CAIRN_LEAF_SIZE);
    }
    cairn_merkle_root(root, leaves, n);
}

/* The true (padded) leaf i of a piece of `size` bytes. */
static void true_leaf(uint8_t out[CAIRN_LEAF_SIZE], uint64_t size, uint64_t i)
{
    uint64_t off = i * CAIRN_LEAF_SIZE;
    uint64_t take = size - off < CAIRN_LEAF_SIZE ? size - off : CAIRN_LEAF_SIZE;
    memset(out, 0, CAIRN_LEAF_SIZE);
    memcpy(out, piece + off, take);
}

static void prove_body(const uint8_t *p, size_t n)
{
    static cairn_prove pv;
    cairn_hash seed;
    cairn_buf b;
    uint8_t leaf[CAIRN_LEAF_SIZE];
    cairn_err e = cairn_prove_decode(&pv, p, n);
    if (e != CAIRN_OK) {
        if (e != CAIRN_ERR_BAD_BODY)
            abort();
        return;
    }
    cairn_buf_init(&b, CAIRN_TX_BODY_MAX);
    cairn_prove_encode(&b, pv.e, pv.count);
    if (b.err || b.len != n || memcmp(b.p, p, n) != 0)
        abort();
    cairn_buf_free(&b);
    memset(&seed, 0, sizeof seed);
    memcpy(seed.b, p, n < 32 ? n : 32);
    for (uint8_t i = 0; i < pv.count; i++) {
        const cairn_proof_entry *pe = &pv.e[i];
        e = cairn_storage_proof_check(&fixed_root, PIECE_SIZE, pe->deal_id,
                                      &seed, pe);
        if (e == CAIRN_OK) { /* only the true leaf at the challenged index */
            true_leaf(leaf, PIECE_SIZE, pe->leaf_index);
            if (pe->leaf_index !=
                    cairn_storage_challenge(&seed, pe->deal_id, PIECE_SIZE) ||
                memcmp(leaf, pe->leaf, CAIRN_LEAF_SIZE) != 0)
                abort();
        } else if (e != CAIRN_ERR_WRONG_LEAF && e != CAIRN_ERR_PROOF_PATH &&
                   e != CAIRN_ERR_BAD_PROOF) {
            abort();
        }
    }
}

/* Decoding must be all or nothing, and a decoded body must round-trip. */
static void deal_bodies(const uint8_t *p, size_t n)
{
    cairn_deal_open o;
    cairn_deal_replace r;
    uint64_t id;
    cairn_buf b;
    cairn_buf_init(&b, CAIRN_TX_BODY_MAX);
    cairn_err e = cairn_deal_open_decode(&o, p, n);
    if (e == CAIRN_OK) {
        cairn_deal_open_encode(&b, &o);
        if (b.len != n || memcmp(b.p, p, n) != 0 ||
            (o.t.flags & ~CAIRN_DEAL_PERMANENT))
            abort();
    } else if (e != CAIRN_ERR_BAD_BODY) {
        abort();
    }
    cairn_buf_reset(&b);
    e = cairn_deal_replace_decode(&r, p, n);
    if (e == CAIRN_OK) {
        cairn_deal_replace_encode(&b, &r);
        if (b.len != n || memcmp(b.p, p, n) != 0)
            abort();
    } else if (e != CAIRN_ERR_BAD_BODY) {
        abort();
    }
    e = cairn_deal_end_decode(&id, p, n);
    if ((e == CAIRN_OK) != (n == 8) || (e && e != CAIRN_ERR_BAD_BODY))
        abort();
    cairn_buf_free(&b);
}

/* An honest proof verifies; any single changed byte is caught. */
static void honest(const uint8_t *p, size_t n)
{
    uint8_t in[48] = {0}, leaf[CAIRN_LEAF_SIZE];
    cairn_hash root, seed;
    cairn_merkle_proof pf;
    cairn_proof_entry e;
    memcpy(in, p, n < sizeof in ? n : sizeof in);
    uint64_t size =
        1 + ((uint64_t)in[0] | (uint64_t)in[1] << 8 | (uint64_t)in[2] << 16) %
                BIG_MAX;
    uint64_t deal = (uint64_t)in[3] << 8 | in[4],
             pos = (uint64_t)in[5] << 8 | in[6];
    memcpy(seed.b, in + 16, 32);
    hash_piece(size, &root);
    uint64_t idx = cairn_storage_challenge(&seed, deal, size);
    if (cairn_merkle_prove(&pf, leaves, cairn_piece_leaves(size), idx) !=
        CAIRN_OK)
        abort();
    true_leaf(leaf, size, idx);
    memset(&e, 0, sizeof e);
    e.deal_id = deal;
    e.leaf_index = idx;
    e.leaf = leaf;
    e.path_len = (uint8_t)pf.n;
    memcpy(e.path, pf.sib, pf.n * sizeof pf.sib[0]);
    if (cairn_storage_proof_check(&root, size, deal, &seed, &e) != CAIRN_OK)
        abort();
    pos %= CAIRN_LEAF_SIZE + 32u * pf.n;
    uint8_t *byte = pos < CAIRN_LEAF_SIZE
                        ? &leaf[pos]
                        : &e.path[(pos - CAIRN_LEAF_SIZE) / 32].b[pos % 32];
    *byte ^= (uint8_t)(in[7] | 1);
    if (cairn_storage_proof_check(&root, size, deal, &seed, &e) == CAIRN_OK)
        abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    cairn_crypto_init();
    for (size_t i = 0; i < sizeof piece; i++)
        piece[i] = (uint8_t)(i * 2654435761u >> 13);
    hash_piece(PIECE_SIZE, &fixed_root);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    switch (data[0] % 3) {
    case 0:
        prove_body(data + 1, size - 1);
        break;
    case 1:
        deal_bodies(data + 1, size - 1);
        break;
    default:
        honest(data + 1, size - 1);
        break;
    }
    return 0;
}
