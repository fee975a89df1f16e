/* Lottery tickets: the recipient's commitment, the win rule and the
 * expected value (include/cairn/ticket.h). */
#include "cairn/ticket.h"

#include <sodium.h>
#include <string.h>

#define RAND_DOMAIN "cairn-ticket-rand-v1"

void cairn_ticket_rand_hash(cairn_hash *out,
                            const uint8_t rand[CAIRN_TICKET_RAND_LEN])
{
    cairn_hasher h;
    cairn_hasher_init(&h);
    cairn_hasher_update(&h, RAND_DOMAIN, sizeof RAND_DOMAIN - 1);
    cairn_hasher_update(&h, rand, CAIRN_TICKET_RAND_LEN);
    cairn_hasher_final(&h, out);
}

cairn_err cairn_ticket_rand_check(const cairn_ticket *t,
                                  const uint8_t rand[CAIRN_TICKET_RAND_LEN])
{
    cairn_hash h;
    cairn_ticket_rand_hash(&h, rand);
    return sodium_memcmp(h.b, t->rand_hash.b, sizeof h.b) == 0
               ? CAIRN_OK
               : CAIRN_ERR_BAD_PROOF;
}

bool cairn_ticket_wins(const cairn_ticket *t,
                       const uint8_t rand[CAIRN_TICKET_RAND_LEN])
{
    uint8_t msg[CAIRN_SIG_LEN + CAIRN_TICKET_RAND_LEN];
    cairn_hash h;
    memcpy(msg, t->sig.b, CAIRN_SIG_LEN);
    memcpy(msg + CAIRN_SIG_LEN, rand, CAIRN_TICKET_RAND_LEN);
    cairn_hash_bytes(&h, msg, sizeof msg);
    uint64_t x = 0;
    for (int i = 0; i < 8; i++)
        x = x << 8 | h.b[i];
    return x < t->win_prob;
}

uint64_t cairn_ticket_ev(const cairn_ticket *t)
{
    return (uint64_t)((unsigned __int128)t->face_value * t->win_prob >> 64);
}

uint64_t cairn_ticket_win_prob_for(uint64_t ev, uint64_t face)
{
    if (!face)
        return 0;
    unsigned __int128 w = ((unsigned __int128)ev << 64) / face;
    return w > UINT64_MAX ? UINT64_MAX : (uint64_t)w;
}
