/* End of block and end of epoch. Until the economy lands in full, fees go
 * to the treasury (the ledger's original rule). */
#include "econ/econ.h"

#include "cairn/amount.h"

cairn_err econ_end_block(exec_ctx *x, uint64_t fees, uint64_t transfer_volume)
{
    cairn_totals t;
    cairn_err e;
    (void)transfer_volume;
    if (!fees)
        return CAIRN_OK;
    if ((e = totals_get(x->w->txn, x->s, &t)))
        return e;
    if (cairn_add(&t.treasury, t.treasury, fees))
        return CAIRN_ERR_OVERFLOW;
    return totals_put(x->w, x->s, &t);
}

cairn_err econ_genesis(exec_ctx *x, const char *economy_json, char *msg,
                       size_t len)
{
    (void)x;
    (void)economy_json;
    (void)msg;
    (void)len;
    return CAIRN_OK;
}
