/* Internal: executing one transaction against state. */
#ifndef CAIRN_LEDGER_EXEC_H
#define CAIRN_LEDGER_EXEC_H

#include "ledger/kinds.h"

/* Applies a decoded transaction whose signature was already checked, at
 * height w->height. Every check runs before the first write, so an error
 * leaves state untouched. The fee is added to *fees (the block's total,
 * credited to the treasury once at block end). */
cairn_err exec_tx(wctx *w, const store *s, const cairn_params *p,
                  const cairn_rules *r, const cairn_tx *tx, uint64_t *fees);

/* The checks that need no state: chain id, fee floor, kind and body. */
cairn_err exec_check_static(const cairn_params *p, const cairn_rules *r,
                            const cairn_tx *tx);

#endif
