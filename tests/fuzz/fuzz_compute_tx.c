/* libFuzzer target for the compute sector's body decoders
 * (src/sectors/compute/codec.c): COMPUTE_OFFER, ORDER_OPEN, BID,
 * LEASE_CREATE, LEASE_DEPOSIT, LEASE_CLOSE, LEASE_REPORT (codec.c) and
 * TICKET_FUND, TICKET_REDEEM, TICKET_WITHDRAW (ticket_codec.c).
 *
 * Input: a selector byte (selector % 10 picks the kind, in the order of
 * the table below), then the body, copied to an exact-size heap buffer so
 * that ASan catches any overread.
 *
 * Each decoder must answer OK or BAD_BODY and nothing else; a body that
 * decodes is within the bounds include/cairn/compute.h states and is
 * canonical (encoding the value gives back exactly the body's bytes). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/compute.h"

typedef cairn_err (*roundtrip_fn)(cairn_buf *b, const uint8_t *p, size_t n);

#include "compute_rt.h"

static const roundtrip_fn kinds[] = {
    ct_offer, ct_order,  ct_bid,   ct_create,  ct_deposit,
    ct_close, ct_report, ct_tfund, ct_tredeem, ct_twithdraw};
#define NKINDS (sizeof kinds / sizeof kinds[0])

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0 || size - 1 > CAIRN_TX_BODY_MAX)
        return 0;
    size_t n = size - 1;
    uint8_t *p = malloc(n ? n : 1);
    if (!p)
        return 0;
    memcpy(p, data + 1, n);
    cairn_buf b;
    cairn_buf_init(&b, CAIRN_TX_BODY_MAX);
    cairn_err e = kinds[data[0] % NKINDS](&b, p, n);
    if (e != CAIRN_OK && e != CAIRN_ERR_BAD_BODY)
        abort(); /* decoders refuse with BAD_BODY only */
    if (e == CAIRN_OK && (b.err || b.len != n || memcmp(b.p, p, n) != 0))
        abort(); /* not canonical */
    cairn_buf_free(&b);
    free(p);
    return 0;
}
