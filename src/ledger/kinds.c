/* Kind lookup: transfers are the ledger's own (a fast path in exec.c;
 * here for their name and body check); every other kind comes from the
 * rules the chain was opened with. */
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

static const tx_kind transfer = {CAIRN_TX_TRANSFER, "transfer", transfer_check,
                                 NULL};

const tx_kind *kind_find(const cairn_rules *r, uint16_t kind)
{
    if (kind == CAIRN_TX_TRANSFER)
        return &transfer;
    return r && r->kind ? r->kind(r, kind) : NULL;
}
