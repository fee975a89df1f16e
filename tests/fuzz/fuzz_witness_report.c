/* libFuzzer target for the wireless decoders of bytes from the air and
 * from other hotspots (src/wireless/poc_codec.c, include/cairn/
 * wireless.h): the witness report and the beacon payload P, both run on
 * every input.
 *
 * Any input must decode or fail with one of the decoder's documented
 * errors (TRUNCATED, TRAILING, BAD_VERSION), without crashing or reading
 * past the input. When it decodes, the encoding is canonical (re-encoding
 * gives back exactly the input) and the signature check runs without fault
 * (OK or BAD_SIG). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/wireless.h"

static int documented(cairn_err e)
{
    return e == CAIRN_ERR_TRUNCATED || e == CAIRN_ERR_TRAILING ||
           e == CAIRN_ERR_BAD_VERSION;
}

static void report(const uint8_t *p, size_t n)
{
    cairn_witness_report w;
    cairn_err e = cairn_witness_decode(&w, p, n);
    if (e) {
        if (!documented(e))
            abort();
        return;
    }
    cairn_buf b;
    cairn_buf_init(&b, 4096);
    cairn_witness_encode(&b, &w);
    if (b.err || b.len != n || n != CAIRN_WITNESS_REPORT_LEN ||
        memcmp(b.p, p, n) != 0)
        abort();
    cairn_buf_free(&b);
    e = cairn_witness_verify(&w, "cairn-fuzz");
    if (e != CAIRN_OK && e != CAIRN_ERR_BAD_SIG)
        abort();
}

static void payload(const uint8_t *p, size_t n)
{
    cairn_beacon_payload pl;
    cairn_err e = cairn_beacon_payload_parse(&pl, p, n);
    if (e) {
        if (!documented(e))
            abort();
        return;
    }
    uint8_t out[CAIRN_BEACON_PAYLOAD_LEN];
    cairn_beacon_payload_build(out, &pl);
    if (n != sizeof out || memcmp(out, p, n) != 0)
        abort();
    cairn_hash seed;
    memset(seed.b, 0, sizeof seed.b);
    e = cairn_beacon_verify(&pl.sig, "cairn-fuzz", pl.epoch, &seed,
                            &pl.beaconer);
    if (e != CAIRN_OK && e != CAIRN_ERR_BAD_SIG)
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
    report(p, size);
    payload(p, size);
    free(p);
    return 0;
}
