/* Ticket transaction bodies (TICKET_FUND, TICKET_REDEEM, TICKET_WITHDRAW):
 * the decoders answer BAD_BODY, and nothing else, for any input they
 * refuse; a body that decodes re-encodes to the same bytes. */
#include <string.h>

#include "sectors/compute/compute.h"

void cairn_ticket_fund_encode(cairn_buf *b, uint64_t deposit, uint64_t reserve)
{
    cairn_put_u64(b, deposit);
    cairn_put_u64(b, reserve);
}

cairn_err cairn_ticket_fund_decode(uint64_t *deposit, uint64_t *reserve,
                                   const uint8_t *p, size_t n)
{
    cairn_reader r;
    cairn_reader_init(&r, p, n);
    *deposit = cairn_get_u64(&r);
    *reserve = cairn_get_u64(&r);
    if (cairn_reader_done(&r) || (*deposit == 0 && *reserve == 0))
        return CAIRN_ERR_BAD_BODY;
    return CAIRN_OK;
}

void cairn_ticket_redeem_encode(cairn_buf *b, const cairn_ticket *t,
                                const uint8_t rand[CAIRN_TICKET_RAND_LEN])
{
    cairn_ticket_encode(b, t);
    cairn_put_bytes(b, rand, CAIRN_TICKET_RAND_LEN);
}

cairn_err cairn_ticket_redeem_decode(cairn_ticket *t,
                                     uint8_t rand[CAIRN_TICKET_RAND_LEN],
                                     const uint8_t *p, size_t n)
{
    if (n < CAIRN_TICKET_MIN_BYTES + CAIRN_TICKET_RAND_LEN ||
        n > CAIRN_TICKET_MAX_BYTES + CAIRN_TICKET_RAND_LEN)
        return CAIRN_ERR_BAD_BODY;
    if (cairn_ticket_decode(t, p, n - CAIRN_TICKET_RAND_LEN))
        return CAIRN_ERR_BAD_BODY;
    memcpy(rand, p + n - CAIRN_TICKET_RAND_LEN, CAIRN_TICKET_RAND_LEN);
    return CAIRN_OK;
}

void cairn_ticket_withdraw_encode(cairn_buf *b, uint64_t amount)
{
    cairn_put_u64(b, amount);
}

cairn_err cairn_ticket_withdraw_decode(uint64_t *amount, const uint8_t *p,
                                       size_t n)
{
    cairn_reader r;
    cairn_reader_init(&r, p, n);
    *amount = cairn_get_u64(&r);
    if (cairn_reader_done(&r) || *amount == 0)
        return CAIRN_ERR_BAD_BODY;
    return CAIRN_OK;
}
