/* PROVE bodies and the pure rules of a storage proof: the challenge
 * derivation and the expected Merkle path length (public: the provider
 * daemon answers challenges with these). */
#include <string.h>

#include "sectors/storage/storage.h"

#define CHALLENGE_DOMAIN "cairn-storage-challenge-v1"

void cairn_prove_encode(cairn_buf *b, const cairn_proof_entry *e, size_t count)
{
    int bad = count == 0 || count > CAIRN_PROVE_MAX;
    for (size_t i = 0; !bad && i < count; i++)
        bad = e[i].path_len > CAIRN_PROOF_DEPTH_MAX || !e[i].leaf;
    if (bad) { /* a caller bug: the buffer refuses further writes */
        if (!b->err)
            b->err = CAIRN_ERR_BAD_ARG;
        return;
    }
    cairn_put_u8(b, (uint8_t)count);
    for (size_t i = 0; i < count; i++) {
        cairn_put_u64(b, e[i].deal_id);
        cairn_put_u64(b, e[i].epoch);
        cairn_put_u64(b, e[i].leaf_index);
        cairn_put_bytes(b, e[i].leaf, CAIRN_LEAF_SIZE);
        cairn_put_u8(b, e[i].path_len);
        for (uint8_t k = 0; k < e[i].path_len; k++)
            cairn_put_bytes(b, e[i].path[k].b, 32);
    }
}

/* Reads one entry; its leaf borrows the reader's buffer. */
static void entry_read(cairn_reader *r, cairn_proof_entry *e)
{
    e->deal_id = cairn_get_u64(r);
    e->epoch = cairn_get_u64(r);
    e->leaf_index = cairn_get_u64(r);
    e->leaf = NULL;
    if (!r->err && r->len - r->pos >= CAIRN_LEAF_SIZE) {
        e->leaf = r->p + r->pos;
        r->pos += CAIRN_LEAF_SIZE;
    } else if (!r->err) {
        r->err = CAIRN_ERR_TRUNCATED;
    }
    e->path_len = cairn_get_u8(r);
    if (!r->err && e->path_len > CAIRN_PROOF_DEPTH_MAX)
        r->err = CAIRN_ERR_TOO_LARGE;
    for (uint8_t k = 0; !r->err && k < e->path_len; k++)
        cairn_get_bytes(r, e->path[k].b, 32);
}

cairn_err cairn_prove_decode(cairn_prove *pv, const uint8_t *p, size_t n)
{
    cairn_reader r;
    cairn_reader_init(&r, p, n);
    pv->count = cairn_get_u8(&r);
    if (r.err || pv->count == 0 || pv->count > CAIRN_PROVE_MAX)
        return CAIRN_ERR_BAD_BODY;
    for (uint8_t i = 0; !r.err && i < pv->count; i++)
        entry_read(&r, &pv->e[i]);
    return cairn_reader_done(&r) ? CAIRN_ERR_BAD_BODY : CAIRN_OK;
}

uint64_t cairn_storage_challenge(const cairn_hash *seed, uint64_t deal_id,
                                 uint64_t size)
{
    cairn_hasher h;
    cairn_hash out;
    uint8_t id[8];
    uint64_t leaves = cairn_piece_leaves(size), v = 0;
    if (leaves == 0)
        return 0;
    for (int i = 0; i < 8; i++)
        id[i] = (uint8_t)(deal_id >> (8 * i));
    cairn_hasher_init(&h);
    cairn_hasher_update(&h, CHALLENGE_DOMAIN, strlen(CHALLENGE_DOMAIN));
    cairn_hasher_update(&h, seed->b, 32);
    cairn_hasher_update(&h, id, 8);
    cairn_hasher_final(&h, &out);
    for (int i = 7; i >= 0; i--)
        v = v << 8 | out.b[i];
    return v % leaves;
}

uint32_t cairn_storage_path_len(uint64_t index, uint64_t leaves)
{
    uint32_t n = 0;
    uint64_t len = leaves, at = index;
    if (index >= leaves)
        return 0;
    while (len > 1) { /* as cairn_merkle_prove walks down */
        uint64_t k = (uint64_t)1 << (63 - __builtin_clzll(len - 1));
        if (at < k) {
            len = k;
        } else {
            at -= k;
            len -= k;
        }
        n++;
    }
    return n;
}

/* The leaf bytes past the piece's end must be the zero padding. */
static int padding_ok(const cairn_proof_entry *pe, uint64_t size,
                      uint64_t leaves)
{
    uint64_t used = size - (leaves - 1) * CAIRN_LEAF_SIZE;
    if (pe->leaf_index != leaves - 1)
        return 1;
    for (uint64_t i = used; i < CAIRN_LEAF_SIZE; i++)
        if (pe->leaf[i])
            return 0;
    return 1;
}

cairn_err cairn_storage_proof_check(const cairn_hash *root, uint64_t size,
                                    uint64_t deal_id, const cairn_hash *seed,
                                    const cairn_proof_entry *pe)
{
    cairn_merkle_proof pf;
    cairn_hash leaf;
    uint64_t leaves = cairn_piece_leaves(size);
    if (size == 0 || size > CAIRN_PIECE_MAX || !pe->leaf)
        return CAIRN_ERR_BAD_PROOF;
    if (pe->leaf_index != cairn_storage_challenge(seed, deal_id, size))
        return CAIRN_ERR_WRONG_LEAF;
    if (pe->path_len != cairn_storage_path_len(pe->leaf_index, leaves))
        return CAIRN_ERR_PROOF_PATH;
    if (!padding_ok(pe, size, leaves))
        return CAIRN_ERR_BAD_PROOF;
    memset(&pf, 0, sizeof pf);
    pf.index = pe->leaf_index;
    pf.count = leaves;
    pf.n = pe->path_len; /* <= CAIRN_PROOF_DEPTH_MAX: the path length rule */
    memcpy(pf.sib, pe->path, pe->path_len * sizeof pf.sib[0]);
    cairn_merkle_leaf(&leaf, pe->leaf, CAIRN_LEAF_SIZE);
    return cairn_merkle_verify(root, &leaf, &pf);
}
