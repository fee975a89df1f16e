/* libFuzzer target for cairn_block_decode (ledger/block.c).
 *
 * Any input must decode to OK or an error without crashing, leaking or
 * reading past the input. When it decodes, the header re-encodes to the
 * input's first CAIRN_HEADER_LEN bytes, cairn_header_decode agrees, every
 * transaction span lies inside the input, and re-encoding the whole block
 * gives back the input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/block.h"
#include "cairn/tx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cairn_block blk;
    uint8_t *p = malloc(size ? size : 1);
    if (!p)
        return 0;
    memcpy(p, data, size);
    cairn_err e = cairn_block_decode(&blk, p, size);
    if (e != CAIRN_OK) {
        if (blk.txs) /* a failed decode owns nothing */
            abort();
        free(p);
        return 0;
    }
    if (size < CAIRN_HEADER_LEN)
        abort();
    cairn_buf b;
    cairn_buf_init(&b, CAIRN_BLOCK_MAX_BYTES);
    cairn_header_encode(&blk.h, &b);
    if (b.err || b.len != CAIRN_HEADER_LEN || memcmp(b.p, p, CAIRN_HEADER_LEN))
        abort();
    /* cairn_header_decode agrees (compared through the encoding: the
     * struct has padding) */
    cairn_header h;
    cairn_buf hb;
    if (cairn_header_decode(&h, p, CAIRN_HEADER_LEN) != CAIRN_OK)
        abort();
    cairn_buf_init(&hb, CAIRN_HEADER_LEN);
    cairn_header_encode(&h, &hb);
    if (hb.err || hb.len != CAIRN_HEADER_LEN ||
        memcmp(hb.p, p, CAIRN_HEADER_LEN))
        abort();
    cairn_buf_free(&hb);
    for (uint32_t i = 0; i < blk.h.tx_count; i++) {
        const cairn_block_tx *t = &blk.txs[i];
        if (t->n > CAIRN_TX_MAX_BYTES ||
            (t->n && (t->p < p || t->p + t->n > p + size)))
            abort();
        cairn_put_var(&b, t->p, t->n);
        cairn_tx tx;
        (void)cairn_tx_decode(&tx, t->p, t->n);
    }
    if (b.err || b.len != size || memcmp(b.p, p, size) != 0)
        abort();
    cairn_hash root;
    if (cairn_block_tx_root(&root, blk.txs, blk.h.tx_count) != CAIRN_OK)
        abort();
    (void)cairn_header_verify(&blk.h, &blk.h.proposer);
    cairn_buf_free(&b);
    cairn_block_free(&blk);
    free(p);
    return 0;
}
