/* JSON building helpers for the API: amounts, hex, addresses, transactions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/amount.h"
#include "core/json_amount.h"
#include "node/node_internal.h"

void api_json_set_amount(json_t *o, const char *name, uint64_t units)
{
    amount_json_set(o, name, units);
}

json_t *api_json_hex(const void *p, size_t n)
{
    char *s = malloc(2 * n + 1);
    if (!s)
        return json_null();
    cairn_hex_encode(s, p, n);
    json_t *j = json_stringn(s, 2 * n);
    free(s);
    return j;
}

json_t *api_json_addr(const cairn_pubkey *pk)
{
    char a[CAIRN_ADDR_TEXT_LEN + 1];
    cairn_addr_format(a, pk);
    return json_string(a);
}

/* Integers above 2^53 lose precision in many JSON readers, but heights and
 * nonces stay far below that; amounts are strings. */
json_t *api_json_u64(uint64_t v)
{
    return json_integer((json_int_t)v);
}

static void add_body(json_t *o, const cairn_tx *tx)
{
    cairn_transfer t;
    if (tx->kind == CAIRN_TX_TRANSFER &&
        cairn_transfer_decode(&t, tx->body, tx->body_len) == CAIRN_OK) {
        json_object_set_new(o, "kind", json_string("transfer"));
        json_object_set_new(o, "to", api_json_addr(&t.to));
        api_json_set_amount(o, "amount", t.amount);
    } else {
        json_object_set_new(o, "kind", api_json_u64(tx->kind));
        json_object_set_new(o, "body", api_json_hex(tx->body, tx->body_len));
    }
}

/* A new JSON object describing encoded tx bytes (caller owns it). */
json_t *api_tx_json(const uint8_t *p, size_t n, int with_raw)
{
    cairn_tx tx;
    cairn_hash h;
    json_t *o = json_object();
    cairn_tx_hash(&h, p, n);
    json_object_set_new(o, "hash", api_json_hex(h.b, 32));
    if (cairn_tx_decode(&tx, p, n) == CAIRN_OK) {
        json_object_set_new(o, "sender", api_json_addr(&tx.sender));
        json_object_set_new(o, "nonce", api_json_u64(tx.nonce));
        api_json_set_amount(o, "fee", tx.fee);
        add_body(o, &tx);
    }
    if (with_raw)
        json_object_set_new(o, "raw", api_json_hex(p, n));
    return o;
}
