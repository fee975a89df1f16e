/* libFuzzer target for the wireless device frames (src/wireless/frame.h):
 * frames arrive from any radio, so any input must decode or fail with one
 * of the documented errors and a one-line reason, without reading past the
 * input. A decoded frame re-encodes (with a MIC under a fixed key) to the
 * same bytes but the MIC, and the re-encoding passes lora_check_mic. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wireless/frame.h"

static int documented(cairn_err e)
{
    return e == CAIRN_ERR_TRUNCATED || e == CAIRN_ERR_TOO_LARGE ||
           e == CAIRN_ERR_TRAILING || e == CAIRN_ERR_BAD_MSG;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint8_t key[LORA_KEY_LEN] = {1, 2,  3,  4,  5,  6,  7,  8,
                                              9, 10, 11, 12, 13, 14, 15, 16};
    lora_frame f;
    char why[LORA_WHY_LEN];
    why[0] = 0;
    cairn_err e = lora_frame_decode(&f, data, size, why, sizeof why);
    if (e != CAIRN_OK) {
        if (!documented(e) || !why[0] || strchr(why, '\n'))
            abort();
        return 0;
    }
    uint8_t out[LORA_MAX_PHY];
    size_t n = 0;
    switch (f.type) {
    case LORA_UP_UNCONFIRMED:
    case LORA_UP_CONFIRMED:
        e = lora_uplink_encode(&f.u.up, key, out, sizeof out, &n);
        break;
    case LORA_JOIN_REQUEST:
        e = lora_join_req_encode(&f.u.jreq, key, out, sizeof out, &n);
        break;
    case LORA_JOIN_ACCEPT:
        e = lora_join_acc_encode(&f.u.jacc, key, out, sizeof out, &n);
        break;
    default:
        abort();
    }
    if (e != CAIRN_OK || n != size ||
        memcmp(out, data, size - LORA_MIC_LEN) != 0 ||
        lora_check_mic(out, n, key) != CAIRN_OK)
        abort();
    (void)lora_check_mic(data, size, key);
    return 0;
}
