/* libFuzzer target for the sensor batch header decoder (the 0x72 body a
 * device signs; src/sensor/codec.c, include/cairn/sensor.h) and the
 * stateless batch checks the chain runs on it (sn_batch_shape: tiles,
 * teleport, points).
 *
 * Any input must decode or fail with one of the decoder's documented
 * errors (TRUNCATED, TRAILING, BAD_BODY), without crashing or reading past
 * the input. When it decodes, the encoding is canonical (re-encoding gives
 * back exactly the input), the signature check answers OK or BAD_SIG, and
 * the shape check answers OK or one of its documented refusals. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/sensor.h"
#include "sectors/sensor/sn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static cairn_sensor_batch b;
    uint8_t *p = malloc(size ? size : 1);
    if (!p)
        return 0;
    memcpy(p, data, size);
    cairn_err e = cairn_sensor_batch_decode(&b, p, size);
    if (e) {
        if (e != CAIRN_ERR_TRUNCATED && e != CAIRN_ERR_TRAILING &&
            e != CAIRN_ERR_BAD_BODY)
            abort();
        free(p);
        return 0;
    }
    cairn_buf out;
    cairn_buf_init(&out, 1 << 16);
    cairn_sensor_batch_encode(&out, &b);
    if (out.err || out.len != size || memcmp(out.p, p, size) != 0)
        abort();
    cairn_buf_free(&out);
    e = cairn_sensor_batch_verify(&b, "cairn-fuzz");
    if (e != CAIRN_OK && e != CAIRN_ERR_BAD_SIG)
        abort();
    sn_params P = {.tile_res = 9,
                   .batch_span_ms = 600000,
                   .max_speed_mps = 70,
                   .week_epochs = 7,
                   .period_epochs = 7};
    e = sn_batch_shape(&b, &P);
    if (e != CAIRN_OK && e != CAIRN_ERR_BAD_TILE &&
        e != CAIRN_ERR_BATCH_TELEPORT && e != CAIRN_ERR_BATCH_TIME &&
        e != CAIRN_ERR_BAD_BODY)
        abort();
    free(p);
    return 0;
}
