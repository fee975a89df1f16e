/* Segment arithmetic of the storage data path: parameter bounds, segment
 * count and the sizes of each segment's plaintext, cipher text and pieces
 * (docs/storage.md, "Data path"). */
#include "cairn/layout.h"

#include <sodium.h>
#include <string.h>

cairn_err cairn_layout_params_check(const cairn_layout_params *p)
{
    if (p->k < 1 || p->k >= p->n || p->n > CAIRN_RS_MAX_N)
        return CAIRN_ERR_BAD_ARG;
    if (p->segment_size < CAIRN_SEGMENT_MIN ||
        p->segment_size > CAIRN_SEGMENT_MAX)
        return CAIRN_ERR_BAD_ARG;
    return CAIRN_OK;
}

cairn_err cairn_file_info_init(cairn_file_info *fi,
                               const cairn_layout_params *p, uint64_t size)
{
    cairn_err e = cairn_layout_params_check(p);
    if (e)
        return e;
    cairn_crypto_init();
    memset(fi, 0, sizeof *fi);
    fi->p = *p;
    fi->size = size;
    randombytes_buf(fi->nonce, sizeof fi->nonce);
    return CAIRN_OK;
}

uint64_t cairn_layout_segments(const cairn_file_info *fi)
{
    uint64_t s = fi->p.segment_size;
    if (cairn_layout_params_check(&fi->p))
        return 0;
    uint64_t n = fi->size / s + (fi->size % s != 0);
    return n > 0 ? n : 1;
}

cairn_err cairn_layout_sizes(const cairn_file_info *fi, uint64_t seg,
                             cairn_segment_sizes *out)
{
    uint64_t nseg = cairn_layout_segments(fi);
    if (nseg == 0 || seg >= nseg)
        return CAIRN_ERR_BAD_ARG;
    uint64_t start = seg * fi->p.segment_size, left = fi->size - start;
    out->plain =
        (uint32_t)(left < fi->p.segment_size ? left : fi->p.segment_size);
    out->cipher = out->plain + CAIRN_SEGMENT_TAG_LEN;
    out->piece = (out->cipher + fi->p.k - 1) / fi->p.k;
    return CAIRN_OK;
}
