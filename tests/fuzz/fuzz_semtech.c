/* libFuzzer target for the Semtech packet-forwarder decoder
 * (src/wireless/semtech*.c, include/cairn/semtech.h).
 *
 * Any input must decode or fail with one of the decoder's documented errors
 * and a one-line reason, without crashing or reading past the input. When
 * it decodes, the message re-encodes; the encoding decodes to the same
 * message, and encoding that gives the same bytes (the encoder's output is
 * canonical). Acks and PULL_DATA, which carry no JSON, re-encode to exactly
 * the input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/semtech.h"

static int documented(cairn_err e)
{
    return e == CAIRN_ERR_TRUNCATED || e == CAIRN_ERR_TOO_LARGE ||
           e == CAIRN_ERR_TRAILING || e == CAIRN_ERR_BAD_VERSION ||
           e == CAIRN_ERR_BAD_JSON || e == CAIRN_ERR_BAD_MSG;
}

static cairn_sm_msg m1, m2;
static uint8_t e1[CAIRN_SM_MAX_DATAGRAM], e2[CAIRN_SM_MAX_DATAGRAM];

static void decoded(const uint8_t *p, size_t n)
{
    char why[CAIRN_SM_WHY_LEN];
    size_t n1, n2;
    if (cairn_sm_encode(&m1, e1, sizeof e1, &n1, why, sizeof why) != CAIRN_OK)
        abort();
    if (cairn_sm_decode(&m2, e1, n1, why, sizeof why) != CAIRN_OK ||
        memcmp(&m1, &m2, sizeof m1) != 0)
        abort();
    if (cairn_sm_encode(&m2, e2, sizeof e2, &n2, why, sizeof why) != CAIRN_OK ||
        n1 != n2 || memcmp(e1, e2, n1) != 0)
        abort();
    int fixed = m1.type == CAIRN_SM_PUSH_ACK || m1.type == CAIRN_SM_PULL_ACK ||
                m1.type == CAIRN_SM_PULL_DATA ||
                (m1.type == CAIRN_SM_TX_ACK && !m1.has_txack_json);
    if (fixed && (n1 != n || memcmp(e1, p, n) != 0))
        abort();
    uint8_t ack[CAIRN_SM_HDR_LEN];
    (void)cairn_sm_ack(&m1, ack);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* an exact-size heap copy, so that ASan catches any overread */
    uint8_t *p = malloc(size ? size : 1);
    if (!p)
        return 0;
    memcpy(p, data, size);
    char why[CAIRN_SM_WHY_LEN];
    why[0] = 0;
    cairn_err e = cairn_sm_decode(&m1, p, size, why, sizeof why);
    if (e == CAIRN_OK)
        decoded(p, size);
    else if (!documented(e) || !why[0] || strchr(why, '\n'))
        abort();
    free(p);
    return 0;
}
