/* The storage data path (include/cairn/layout.h): a segment is sealed with
 * XChaCha20-Poly1305 straight into the first k pieces of the caller's
 * buffer, zero-padded, Reed-Solomon parity is added after them, and every
 * piece is hashed to its root. Decoding gathers the data pieces into a
 * scratch buffer, rebuilding the missing ones from parity, and opens it. */
#include "cairn/layout.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "storage/crypt.h"
#include "storage/layout_key.h"
#include "storage/rs.h"

_Static_assert(CAIRN_RS_MAX_N == STORAGE_RS_MAX_N, "RS bound");
_Static_assert(CAIRN_SEGMENT_MAX + CAIRN_SEGMENT_TAG_LEN <= CAIRN_PIECE_MAX,
               "a k = 1 piece must fit CAIRN_PIECE_MAX");

struct cairn_layout {
    cairn_file_info fi;
    uint8_t key[CAIRN_FILE_KEY_LEN];
    storage_rs rs;
    uint8_t *scratch; /* k x the largest segment's piece size */
};

/* The layout of fi sealed with key (NULL: derived from secret). */
static cairn_err layout_make(cairn_layout **out, const cairn_file_info *fi,
                             const uint8_t *secret, const uint8_t *key)
{
    cairn_segment_sizes first;
    cairn_err e;
    *out = NULL;
    if ((e = cairn_layout_sizes(fi, 0, &first)))
        return e; /* segment 0 is the largest */
    cairn_layout *l = calloc(1, sizeof *l);
    if (!l)
        return CAIRN_ERR_NOMEM;
    cairn_crypto_init();
    l->fi = *fi;
    if (key)
        memcpy(l->key, key, CAIRN_FILE_KEY_LEN);
    else
        cairn_file_key(l->key, secret, fi->nonce);
    e = storage_rs_init(&l->rs, fi->p.k, fi->p.n);
    if (!e && !(l->scratch = malloc((size_t)fi->p.k * first.piece)))
        e = CAIRN_ERR_NOMEM;
    if (e) {
        cairn_layout_free(l);
        return e;
    }
    *out = l;
    return CAIRN_OK;
}

cairn_err cairn_layout_new(cairn_layout **out, const cairn_file_info *fi,
                           const uint8_t secret[CAIRN_SECRET_LEN])
{
    return layout_make(out, fi, secret, NULL);
}

cairn_err storage_layout_with_key(cairn_layout **out, const cairn_file_info *fi,
                                  const uint8_t key[CAIRN_FILE_KEY_LEN])
{
    return layout_make(out, fi, NULL, key);
}

void cairn_layout_free(cairn_layout *l)
{
    if (!l)
        return;
    sodium_memzero(l->key, sizeof l->key);
    storage_rs_free(&l->rs);
    free(l->scratch);
    free(l);
}

const cairn_file_info *cairn_layout_info(const cairn_layout *l)
{
    return &l->fi;
}

static storage_seg_id seg_id(const cairn_layout *l, uint64_t seg)
{
    return (storage_seg_id){.seg = seg,
                            .file_size = l->fi.size,
                            .segment_size = l->fi.p.segment_size};
}

cairn_err cairn_layout_encode(cairn_layout *l, uint64_t seg,
                              const uint8_t *plain, size_t plain_len,
                              uint8_t *pieces, size_t pieces_cap,
                              cairn_hash *roots)
{
    uint8_t *data[STORAGE_RS_MAX_N];
    cairn_segment_sizes sz;
    static const uint8_t none[1];
    cairn_err e = cairn_layout_sizes(&l->fi, seg, &sz);
    if (e)
        return e;
    size_t k = l->fi.p.k, n = l->fi.p.n, ps = sz.piece;
    if (plain_len != sz.plain || pieces_cap < n * ps)
        return CAIRN_ERR_BAD_ARG;
    storage_seg_id id = seg_id(l, seg);
    storage_seal(pieces, plain_len ? plain : none, plain_len, l->key, &id);
    memset(pieces + sz.cipher, 0, k * ps - sz.cipher);
    for (size_t i = 0; i < n; i++)
        data[i] = pieces + i * ps;
    storage_rs_encode(&l->rs, ps, data, data + k);
    for (size_t i = 0; i < n; i++)
        if ((e = cairn_piece_root(&roots[i], data[i], ps)))
            return e; /* cannot happen: ps <= CAIRN_PIECE_MAX */
    return CAIRN_OK;
}

/* The pieces decoding uses: the k lowest distinct indices of in[], into
 * have[0..k-1] (ascending) and src[0..k-1]; by[i] is piece i or NULL. */
static cairn_err pick(const cairn_layout *l, const cairn_piece_in *in,
                      size_t count, const uint8_t **by, uint32_t *have,
                      const uint8_t **src)
{
    unsigned n = l->fi.p.n, k = l->fi.p.k, got = 0;
    memset(by, 0, n * sizeof *by);
    for (size_t i = 0; i < count; i++) {
        if (in[i].index >= n || !in[i].bytes || by[in[i].index])
            return CAIRN_ERR_BAD_ARG;
        by[in[i].index] = in[i].bytes;
    }
    for (unsigned i = 0; i < n && got < k; i++)
        if (by[i]) {
            have[got] = i;
            src[got++] = by[i];
        }
    return got < k ? CAIRN_ERR_FEW_PIECES : CAIRN_OK;
}

/* Lays the k data pieces of the segment side by side in l->scratch: copies
 * those at hand and rebuilds the others from the picked pieces. */
static cairn_err gather(cairn_layout *l, size_t ps, const uint8_t **by,
                        const uint32_t *have, const uint8_t **src)
{
    uint32_t want[STORAGE_RS_MAX_N];
    uint8_t *out[STORAGE_RS_MAX_N];
    unsigned k = l->fi.p.k, nwant = 0;
    for (unsigned j = 0; j < k; j++) {
        if (by[j]) {
            memcpy(l->scratch + j * ps, by[j], ps);
        } else {
            want[nwant] = j;
            out[nwant++] = l->scratch + j * ps;
        }
    }
    if (nwant == 0)
        return CAIRN_OK;
    return storage_rs_rebuild(&l->rs, ps, have, src, want, nwant, out);
}

cairn_err cairn_layout_decode(cairn_layout *l, uint64_t seg,
                              const cairn_piece_in *in, size_t count,
                              uint8_t *plain, size_t plain_cap)
{
    const uint8_t *by[STORAGE_RS_MAX_N], *src[STORAGE_RS_MAX_N];
    uint32_t have[STORAGE_RS_MAX_N];
    uint8_t none[1];
    cairn_segment_sizes sz;
    cairn_err e = cairn_layout_sizes(&l->fi, seg, &sz);
    if (e)
        return e;
    if (plain_cap < sz.plain)
        return CAIRN_ERR_BAD_ARG;
    if ((e = pick(l, in, count, by, have, src)) ||
        (e = gather(l, sz.piece, by, have, src)))
        return e;
    size_t padded = (size_t)l->fi.p.k * sz.piece;
    for (size_t i = sz.cipher; i < padded; i++)
        if (l->scratch[i] != 0)
            return CAIRN_ERR_DECRYPT; /* honest padding is zero */
    storage_seg_id id = seg_id(l, seg);
    return storage_open(sz.plain ? plain : none, l->scratch, sz.cipher, l->key,
                        &id);
}

cairn_err cairn_layout_repair(cairn_layout *l, uint64_t seg,
                              const cairn_piece_in *in, size_t count,
                              uint32_t want, uint8_t *out)
{
    const uint8_t *by[STORAGE_RS_MAX_N], *src[STORAGE_RS_MAX_N];
    uint32_t have[STORAGE_RS_MAX_N];
    cairn_segment_sizes sz;
    cairn_err e = cairn_layout_sizes(&l->fi, seg, &sz);
    if (e)
        return e;
    if (want >= l->fi.p.n)
        return CAIRN_ERR_BAD_ARG;
    if ((e = pick(l, in, count, by, have, src)))
        return e;
    if (by[want]) {
        memcpy(out, by[want], sz.piece);
        return CAIRN_OK;
    }
    return storage_rs_rebuild(&l->rs, sz.piece, have, src, &want, 1, &out);
}
