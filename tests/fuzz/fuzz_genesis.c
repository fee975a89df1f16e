/* libFuzzer target for cairn_genesis_parse (ledger/genesis.c).
 *
 * Any bytes, as a NUL-terminated string, must parse to OK or
 * CAIRN_ERR_GENESIS (NOMEM aside) with a message, without crashing or
 * leaking. A genesis that parses satisfies the documented bounds. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/chain.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cairn_genesis g;
    char msg[256];
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    msg[0] = '\0';
    cairn_err e = cairn_genesis_parse(&g, s, msg, sizeof msg);
    if (e == CAIRN_OK) {
        uint64_t sum = 0;
        const cairn_params *p = &g.params;
        if (g.nallocs == 0 || !g.allocs || p->supply_cap == 0 ||
            p->max_block_txs == 0 || p->max_block_txs > CAIRN_BLOCK_MAX_TXS ||
            p->block_interval_ms < 10 || strlen(p->chain_id) == 0 ||
            strlen(p->chain_id) > CAIRN_CHAIN_ID_MAX)
            abort();
        for (size_t i = 0; i < g.nallocs; i++) {
            const cairn_alloc *a = &g.allocs[i];
            if (a->amount == 0 || a->vest_amount > a->amount ||
                (a->vest_amount && a->vest_cliff > a->vest_end))
                abort();
            sum += a->amount;
            if (sum > p->supply_cap)
                abort();
        }
        cairn_genesis_free(&g);
    } else if (e == CAIRN_ERR_GENESIS) {
        if (msg[0] == '\0')
            abort(); /* every refusal says why */
        if (g.allocs || g.economy_json)
            abort();
    } else if (e != CAIRN_ERR_NOMEM) {
        abort();
    }
    free(s);
    return 0;
}
