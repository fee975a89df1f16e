/* libFuzzer target for the lottery-ticket decoder (src/compute/verify/
 * ticket.c, include/cairn/ticket.h).
 *
 * Any input must decode or fail with one of the decoder's documented
 * errors, without crashing or reading past the input. When it decodes,
 * the encoding is canonical (re-encoding gives back exactly the input),
 * the chain id is a NUL-terminated string of its stated length, and the
 * checks that run on a decoded ticket (signature, id, win rule, expected
 * value) run without fault. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/ticket.h"

static int documented(cairn_err e)
{
    return e == CAIRN_ERR_TRUNCATED || e == CAIRN_ERR_TOO_LARGE ||
           e == CAIRN_ERR_TRAILING || e == CAIRN_ERR_BAD_VERSION ||
           e == CAIRN_ERR_CHAIN_ID;
}

static void decoded(const cairn_ticket *t, const uint8_t *p, size_t n)
{
    cairn_buf b;
    cairn_buf_init(&b, CAIRN_TICKET_MAX_BYTES);
    cairn_ticket_encode(&b, t);
    if (b.err || b.len != n || memcmp(b.p, p, n) != 0)
        abort();
    cairn_buf_free(&b);
    if (n < CAIRN_TICKET_MIN_BYTES || n > CAIRN_TICKET_MAX_BYTES ||
        strlen(t->chain_id) != t->chain_id_len)
        abort();
    cairn_err e = cairn_ticket_verify(t, t->chain_id);
    if (e != CAIRN_OK && e != CAIRN_ERR_BAD_SIG)
        abort();
    cairn_hash id;
    cairn_ticket_id(&id, t);
    uint8_t rand[CAIRN_TICKET_RAND_LEN];
    memcpy(rand, id.b, sizeof rand);
    (void)cairn_ticket_wins(t, rand);
    (void)cairn_ticket_rand_check(t, rand);
    if (cairn_ticket_ev(t) > t->face_value)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int init;
    if (!init) {
        cairn_crypto_init();
        init = 1;
    }
    /* an exact-size heap copy, so that ASan catches any overread */
    uint8_t *p = malloc(size ? size : 1);
    if (!p)
        return 0;
    memcpy(p, data, size);
    cairn_ticket t;
    cairn_err e = cairn_ticket_decode(&t, p, size);
    if (e == CAIRN_OK)
        decoded(&t, p, size);
    else if (!documented(e))
        abort();
    free(p);
    return 0;
}
