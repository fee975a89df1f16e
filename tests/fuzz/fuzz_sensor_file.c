/* libFuzzer target for the sensor batch file (src/sensor/batch.h: the
 * off-chain readings; fuzz_sensor_batch.c fuzzes the on-chain header). A
 * file fetched from storage is untrusted bytes, so parsing must judge any
 * input (bounded n, exact lengths) without undefined behaviour, and
 * decryption with any key must either fail cleanly or give readings that
 * pass sbatch_check and re-encode to the same bytes.
 *
 * The seeds (tests/fuzz/corpus/fuzz_sensor_file/) are batch files sealed
 * under the fixed secret S = 32 x 0x11 (sbatch_encode_with), so the
 * fuzzer starts past authentication and reaches the checks of decrypted
 * readings; the first 112 bytes are also tried as a sealed key box. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/crypto.h"
#include "sensor/batch.h"

static sbatch_reading got[SBATCH_READINGS_MAX];

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
    uint8_t s[SBATCH_KEY_LEN], k[SBATCH_KEY_LEN], fk[32], gk[32];
    char why[256];
    sbatch_view v;
    cairn_crypto_init();
    memset(s, 0x11, sizeof s);
    if (n >= CAIRN_SENSOR_SEALED_LEN) {
        cairn_keypair app;
        uint8_t seed[CAIRN_SEED_LEN];
        memset(seed, 0x22, sizeof seed);
        cairn_keypair_from_seed(&app, seed);
        cairn_err e = sbatch_seal_open(fk, gk, d, &app);
        if (e != CAIRN_OK && e != CAIRN_ERR_DECRYPT && e != CAIRN_ERR_BAD_KEY)
            abort();
    }
    if (sbatch_parse(&v, d, n, why, sizeof why) != CAIRN_OK)
        return 0;
    if (v.n == 0 || v.n > SBATCH_READINGS_MAX || n != SBATCH_FILE_LEN(v.n))
        abort();
    static const uint32_t privs[3] = {CAIRN_SENSOR_PRIV_ALL,
                                      CAIRN_SENSOR_PRIV_LOCATION,
                                      CAIRN_SENSOR_PRIV_TELEMETRY};
    for (int i = 0; i < 3; i++) {
        if (sbatch_grant_key(k, privs[i], s))
            abort();
        cairn_err e = sbatch_open(&v, privs[i], k, got, why, sizeof why);
        if (e == CAIRN_OK) {
            if (sbatch_check(got, v.n, why, sizeof why))
                abort();
        } else if (e != CAIRN_ERR_DECRYPT && e != CAIRN_ERR_CORRUPT) {
            abort();
        }
        if (e == CAIRN_OK && privs[i] == CAIRN_SENSOR_PRIV_ALL) {
            uint8_t *f2;
            size_t n2;
            if (sbatch_encode_with(&f2, &n2, s, v.loc, v.tel, &v.device, v.seq,
                                   got, v.n, why, sizeof why))
                abort();
            if (n2 != n || memcmp(f2, d, n) != 0)
                abort();
            free(f2);
        }
    }
    return 0;
}
