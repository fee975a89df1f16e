/* Internal: the sensor sector's off-chain batch file (docs/sensor-agent.md,
 * "The batch file"): a device's readings, sealed per batch, stored through
 * the storage sector; the chain holds only its content hash, file id,
 * tiles and the batch keys sealed to each grantee.
 *
 * Plaintext file (little-endian, 128 + 32 n bytes):
 *   "CSB1" ‖ [32] device ‖ u64 seq ‖ u32 n ‖ section LOC ‖ section TEL
 *   section = [24] nonce ‖ XChaCha20-Poly1305(key, nonce, AD = the 48
 *             bytes before the first section, records) (16 n + 16 bytes)
 *   LOC record = u64 t_ms ‖ i32 lat_udeg ‖ i32 lon_udeg     (16 bytes)
 *   TEL record = u64 t_ms ‖ i64 value                      (16 bytes)
 *   K_loc = BLAKE2b-256(key = S, "cairn-sensor-loc")
 *   K_tel = BLAKE2b-256(key = S, "cairn-sensor-tel")
 * S is a fresh random 32-byte batch secret. content hash = BLAKE2b-256 of
 * the whole file. An app gets, sealed to its key (crypto_box_seal to the
 * X25519 key converted from its Ed25519 key; 112 bytes), the storage file
 * key ‖ the grant key: S for privileges ALL, K_loc for LOCATION, K_tel
 * for TELEMETRY.
 *
 * Tiles (what BATCH_REGISTER claims; sbatch_tiler): each reading's cell is
 * hexg_cell(lat, lon, res); tiles are listed in order of first entry,
 * enter_ms = first reading's t_ms − the batch's first t_ms, points = the
 * readings in the cell (a cell left and entered again is one tile), and
 * q = floor(floor(Σ values / points) / quantum), integer floor division
 * (toward minus infinity), the sum exact in 128 bits. */
#ifndef CAIRN_SENSOR_BATCH_H
#define CAIRN_SENSOR_BATCH_H

#include <stddef.h>
#include <stdint.h>

#include "cairn/crypto.h"
#include "cairn/error.h"
#include "cairn/sensor.h"

#define SBATCH_MAGIC "CSB1"
#define SBATCH_HDR_LEN 48
#define SBATCH_KEY_LEN 32
#define SBATCH_NONCE_LEN 24
#define SBATCH_REC_LEN 16
#define SBATCH_TAG_LEN 16
#define SBATCH_READINGS_MAX 16384u /* so a tile's points fit a u16 */
#define SBATCH_FILE_LEN(n)                                                     \
    (SBATCH_HDR_LEN + 2u * (SBATCH_NONCE_LEN + SBATCH_TAG_LEN) +               \
     32u * (size_t)(n))
#define SBATCH_FILE_MAX SBATCH_FILE_LEN(SBATCH_READINGS_MAX)
#define SBATCH_SEALED_PLAIN 64 /* file key ‖ grant key */

typedef struct sbatch_reading {
    uint64_t t_ms;
    int32_t lat_udeg, lon_udeg;
    int64_t value;
} sbatch_reading;

/* K_loc and K_tel of batch secret s. Wipe them after use. */
void sbatch_keys(const uint8_t s[SBATCH_KEY_LEN], uint8_t kloc[SBATCH_KEY_LEN],
                 uint8_t ktel[SBATCH_KEY_LEN]);

/* The grant key for privileges (ALL: s; LOCATION: K_loc; TELEMETRY:
 * K_tel). BAD_ARG for any other privileges value. */
cairn_err sbatch_grant_key(uint8_t out[SBATCH_KEY_LEN], uint32_t privileges,
                           const uint8_t s[SBATCH_KEY_LEN]);

/* Checks readings for a batch: 1..SBATCH_READINGS_MAX of them, t_ms
 * non-decreasing, positions in range (lat ±90e6, lon [-180e6, 180e6)).
 * BAD_ARG/TOO_LARGE with why. */
cairn_err sbatch_check(const sbatch_reading *r, uint32_t n, char *why,
                       size_t wl);

/* Builds the plaintext file of n readings under a fresh random secret:
 * *out (SBATCH_FILE_LEN(n) bytes, malloc'd; the caller frees it) and s
 * (wipe after use). Errors as sbatch_check, NOMEM. */
cairn_err sbatch_encode(uint8_t **out, size_t *len, uint8_t s[SBATCH_KEY_LEN],
                        const cairn_pubkey *device, uint64_t seq,
                        const sbatch_reading *r, uint32_t n, char *why,
                        size_t wl);
/* As sbatch_encode with the secret and nonces given (tests, vectors). */
cairn_err sbatch_encode_with(uint8_t **out, size_t *len,
                             const uint8_t s[SBATCH_KEY_LEN],
                             const uint8_t nloc[SBATCH_NONCE_LEN],
                             const uint8_t ntel[SBATCH_NONCE_LEN],
                             const cairn_pubkey *device, uint64_t seq,
                             const sbatch_reading *r, uint32_t n, char *why,
                             size_t wl);

/* A parsed file: pointers into the caller's bytes (valid while they are). */
typedef struct sbatch_view {
    const uint8_t *file; /* the whole file (its first 48 bytes are the AD) */
    cairn_pubkey device;
    uint64_t seq;
    uint32_t n;
    const uint8_t *loc, *tel; /* each section: nonce ‖ cipher text */
} sbatch_view;

/* Parses untrusted bytes: TRUNCATED (shorter than its n says), TRAILING
 * (longer), BAD_BODY (magic is not CSB1), TOO_LARGE (n 0 or above
 * SBATCH_READINGS_MAX), each with why. Decrypts nothing. */
cairn_err sbatch_parse(sbatch_view *v, const uint8_t *d, size_t len, char *why,
                       size_t wl);

/* Decrypts the sections privileges open with grant_key (the key
 * sbatch_grant_key gave for them) into out (v->n entries, the caller's):
 * fields of a section not opened are 0. DECRYPT when a section does not
 * authenticate under the key (wrong key, or bytes changed), CORRUPT when
 * the decrypted readings break sbatch_check or the two sections' times
 * differ, BAD_ARG for bad privileges. Wipes what it derived. */
cairn_err sbatch_open(const sbatch_view *v, uint32_t privileges,
                      const uint8_t grant_key[SBATCH_KEY_LEN],
                      sbatch_reading *out, char *why, size_t wl);

/* BLAKE2b-256 of the plaintext file. */
void sbatch_content(cairn_hash *out, const uint8_t *file, size_t len);

/* Seals file_key ‖ grant_key to app's Ed25519 public key (converted to
 * X25519): box is CAIRN_SENSOR_SEALED_LEN bytes. BAD_KEY when app is not a
 * valid Ed25519 point. */
cairn_err sbatch_seal(uint8_t box[CAIRN_SENSOR_SEALED_LEN],
                      const cairn_pubkey *app,
                      const uint8_t file_key[SBATCH_KEY_LEN],
                      const uint8_t grant_key[SBATCH_KEY_LEN]);
/* Opens a box sealed to app (its Ed25519 keypair): DECRYPT when it was not
 * sealed to this key or was changed, BAD_KEY for a key that cannot be
 * converted. Wipe the keys after use. */
cairn_err sbatch_seal_open(uint8_t file_key[SBATCH_KEY_LEN],
                           uint8_t grant_key[SBATCH_KEY_LEN],
                           const uint8_t box[CAIRN_SENSOR_SEALED_LEN],
                           const cairn_keypair *app);

/* ---- tiles ---- */

typedef struct sbatch_tiler {
    unsigned res;
    uint64_t t0; /* first reading's time */
    uint32_t n;  /* readings added */
    uint16_t ntiles;
    uint64_t cell[CAIRN_SENSOR_TILES_MAX];
    uint32_t enter_ms[CAIRN_SENSOR_TILES_MAX];
    uint16_t points[CAIRN_SENSOR_TILES_MAX];
    __int128 sum[CAIRN_SENSOR_TILES_MAX];
} sbatch_tiler;

void sbatch_tiler_init(sbatch_tiler *t, unsigned res);
/* The cell reading r falls in at t->res (BAD_ARG: position out of range). */
cairn_err sbatch_tiler_cell(const sbatch_tiler *t, const sbatch_reading *r,
                            uint64_t *cell);
/* Adds a reading (time not before the last one added). TOO_LARGE, and
 * nothing added, when it would need a tile beyond CAIRN_SENSOR_TILES_MAX,
 * a tile beyond 65535 points or an enter_ms beyond u32; BAD_ARG for a
 * position out of range or a time going back. */
cairn_err sbatch_tiler_add(sbatch_tiler *t, const sbatch_reading *r);
/* The tiles so far with q under quantum (>= 1): *ntiles of them. */
cairn_err sbatch_tiler_finish(const sbatch_tiler *t, int64_t quantum,
                              cairn_sensor_tile *tiles, uint16_t *ntiles);
/* All of it for n readings (the tiler on the heap). */
cairn_err sbatch_tiles(const sbatch_reading *r, uint32_t n, unsigned res,
                       int64_t quantum, cairn_sensor_tile *tiles,
                       uint16_t *ntiles);
/* floor(a / b) for b > 0 (toward minus infinity). */
int64_t sbatch_floor_div(__int128 a, int64_t b);

#endif
