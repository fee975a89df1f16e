/* libFuzzer target for the packet receipt decoder
 * (include/cairn/wireless_data.h): receipts arrive from routers and in
 * PACKET_CLAIM bodies, so any input must decode or fail with TRUNCATED,
 * TRAILING or BAD_MSG; a decoded receipt re-encodes to exactly the input,
 * and verifying it answers OK or BAD_SIG without crashing. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/wireless_data.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cairn_packet_receipt r;
    uint8_t out[CAIRN_PACKET_RECEIPT_LEN];
    cairn_err e = cairn_packet_receipt_decode(&r, data, size);
    if (e != CAIRN_OK) {
        if (e != CAIRN_ERR_TRUNCATED && e != CAIRN_ERR_TRAILING &&
            e != CAIRN_ERR_BAD_MSG)
            abort();
        return 0;
    }
    cairn_packet_receipt_encode(&r, out);
    if (size != sizeof out || memcmp(out, data, size) != 0)
        abort();
    e = cairn_packet_receipt_verify(&r, "fuzz");
    if (e != CAIRN_OK && e != CAIRN_ERR_BAD_SIG)
        abort();
    return 0;
}
