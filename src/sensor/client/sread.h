/* Internal: an app reading a device's data it was granted (`cairn sensor
 * read`, docs/sensor-cli.md): per batch, the key sealed to the app on
 * chain is opened (sbatch_seal_open: the storage file key and the grant
 * key), the batch file is fetched from the storage sector with the file
 * key alone (storage/client/keyget.h, from the device owner's deals),
 * checked against the content hash on chain, and the sections the grant
 * key opens are decrypted (src/sensor/batch.h). */
#ifndef CAIRN_SENSOR_CLIENT_SREAD_H
#define CAIRN_SENSOR_CLIENT_SREAD_H

#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "cairn/crypto.h"
#include "sensor/batch.h"

/* One batch of the device as the node lists it, with the app's sealed
 * key when the chain holds one. */
typedef struct sread_batch {
    uint64_t seq, t_from_ms, t_to_ms;
    cairn_hash content;
    uint8_t file_id[CAIRN_SENSOR_FILE_ID_LEN];
    int has_key;
    uint8_t box[CAIRN_SENSOR_SEALED_LEN];
} sread_batch;

/* Reads one entry of /v1/sensor/batches (an object) into b, looking in its
 * "keys" for app's address. -1 when malformed. */
int sread_batch_from_json(sread_batch *b, const json_t *o, const char *app);

/* Decodes the plaintext batch file (len bytes): its BLAKE2b-256 must be
 * content (else CORRUPT: "the file is not the batch the chain
 * registered"), it must parse, and the grant key must open its sections:
 * tried with privileges `hint` first, then the others (a grant's
 * privileges may have changed since the batch). *out (the batch's
 * readings; malloc'd, the caller frees it) and *n; *privs says which
 * sections were opened. Errors with why (wl bytes). */
cairn_err sread_decode(const uint8_t *file, size_t len,
                       const cairn_hash *content,
                       const uint8_t grant_key[SBATCH_KEY_LEN], uint32_t hint,
                       sbatch_reading **out, uint32_t *n, uint32_t *privs,
                       char *why, size_t wl);

/* The CSV header for the columns privs opens ("t_ms,lat,lon,value",
 * "t_ms,lat,lon" or "t_ms,value"), and the rows of n readings in the
 * columns cols (lat/lon in degrees with 6 decimals); a column the batch's
 * opened sections lack is left empty. */
void sread_csv_header(FILE *f, uint32_t privs);
void sread_csv_rows(FILE *f, const sbatch_reading *r, uint32_t n, uint32_t cols,
                    uint32_t opened);

/* Fetches the batch files of b[0..n) (those with has_key) that owner
 * stored, each into a malloc'd buffer files[i] (lens[i] bytes; NULL for
 * a batch without a key or that failed: fail[i] says why, SREAD_WHY_MAX
 * bytes), with gkeys[i] the grant key its sealed key held (the caller
 * wipes them). `who` is the app's key: it opens the sealed keys and is
 * its identity towards the storage providers. Returns OK, or the failure
 * listing the owner's deals (why). */
#define SREAD_WHY_MAX 256
cairn_err sread_fetch(const char *node, const cairn_keypair *who,
                      const cairn_pubkey *owner, const sread_batch *b, size_t n,
                      uint8_t **files, size_t *lens,
                      uint8_t (*gkeys)[SBATCH_KEY_LEN],
                      char (*fail)[SREAD_WHY_MAX], char *why, size_t wl);

#endif
