/* The registration table of transaction kinds: the one place a new kind
 * (from econ/ or a sector) is added. Transfers have a fast path in exec.c
 * and appear here for their name and body check. */
#include "ledger/kinds.h"

#include <stddef.h>
#include <string.h>

static cairn_err transfer_check(const cairn_tx *tx)
{
    cairn_transfer t;
    cairn_err e = cairn_transfer_decode(&t, tx->body, tx->body_len);
    if (e)
        return e;
    if (t.amount == 0)
        return CAIRN_ERR_ZERO_AMOUNT;
    if (memcmp(t.to.b, tx->sender.b, 32) == 0)
        return CAIRN_ERR_SELF_TRANSFER;
    return CAIRN_OK;
}

static const tx_kind kinds[] = {
    {CAIRN_TX_TRANSFER, "transfer", transfer_check, NULL},
};

const tx_kind *kind_find(uint16_t kind)
{
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (kinds[i].kind == kind)
            return &kinds[i];
    return NULL;
}
