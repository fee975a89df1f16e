/* libFuzzer target for the JSON request bodies the node parses: today the
 * one body of its API, POST /v1/tx's {"tx": "<hex>"}
 * (api_tx_body_parse, src/node/api_submit.c). The other routes are GETs
 * whose input is the path and query.
 *
 * Any input must parse to OK or be refused with BAD_JSON or TOO_LARGE,
 * without crashing, reading past the input or leaking. A body that parses
 * gives at most CAIRN_TX_MAX_BYTES of transaction, and the same bytes come
 * back from {"tx": "<their hex>"}. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/codec.h"
#include "cairn/tx.h"
#include "node/api_handlers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *tx = NULL, *again = NULL;
    char why[256];
    size_t n = 0, n2 = 0;
    /* an exact-size heap copy, without a terminator: the parser is told
     * the length, as libevent's buffer gives it */
    char *body = malloc(size ? size : 1);
    if (!body)
        return 0;
    memcpy(body, data, size);
    cairn_err e = api_tx_body_parse(body, size, &tx, &n, why);
    free(body);
    if (e == CAIRN_ERR_BAD_JSON || e == CAIRN_ERR_TOO_LARGE ||
        e == CAIRN_ERR_NOMEM) {
        if (tx)
            abort(); /* an error leaves no buffer behind */
        return 0;
    }
    if (e != CAIRN_OK || !tx || n > CAIRN_TX_MAX_BYTES)
        abort();
    /* {"tx":"<hex>"}: 7 bytes, the hex, 2 bytes */
    size_t len = 2 * n + 9;
    char *j = malloc(len + 1), *hex = malloc(2 * n + 1);
    if (!j || !hex)
        abort();
    cairn_hex_encode(hex, tx, n);
    snprintf(j, len + 1, "{\"tx\":\"%s\"}", hex);
    if (api_tx_body_parse(j, len, &again, &n2, why) != CAIRN_OK || n2 != n ||
        memcmp(again, tx, n) != 0)
        abort(); /* the bytes do not survive a round trip */
    free(again);
    free(hex);
    free(j);
    free(tx);
    return 0;
}
