/* libFuzzer target for cairn_tx_decode (ledger/tx.c).
 *
 * Any input must decode to OK or an error without crashing or reading
 * past the input. When it decodes, the encoding is canonical: encoding the
 * decoded transaction gives back exactly the input bytes, the body points
 * inside the input, and a transfer body decodes only at 40 bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/tx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cairn_tx tx;
    /* an exact-size heap copy, so that ASan catches any overread */
    uint8_t *p = malloc(size ? size : 1);
    if (!p)
        return 0;
    memcpy(p, data, size);
    if (cairn_tx_decode(&tx, p, size) == CAIRN_OK) {
        cairn_buf b;
        cairn_buf_init(&b, CAIRN_TX_MAX_BYTES);
        cairn_tx_encode(&tx, &b);
        if (b.err || b.len != size || memcmp(b.p, p, size) != 0)
            abort(); /* not canonical */
        if (tx.body_len && (tx.body < p || tx.body + tx.body_len > p + size))
            abort();
        if (tx.chain_id_len == 0 || tx.chain_id_len > CAIRN_CHAIN_ID_MAX)
            abort();
        cairn_transfer t;
        cairn_err e = cairn_transfer_decode(&t, tx.body, tx.body_len);
        if ((e == CAIRN_OK) != (tx.body_len == 40))
            abort();
        (void)cairn_tx_verify(&tx, p, size);
        cairn_buf_free(&b);
    }
    free(p);
    return 0;
}
