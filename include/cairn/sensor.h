/* cairn — the sensor sector's wire formats (issue 12): devices paired to
 * owners, signed reading batches registered on chain, access grants, map
 * bounties and map reads.
 *
 * Everything here is a pure codec (src/sensor/codec.c): no state, no
 * clock. The rules that judge these bodies are in src/sectors/sensor/ and
 * docs/sensor-chain.md. Integers are little-endian (docs/encoding.md);
 * signed fields are two's complement of the same width.
 *
 * Pairing message (signed by the device's key; the owner signs the tx):
 *   "cairn/sensor/pair/v1" ‖ u8 len ‖ chain_id ‖ [32] owner ‖ [32] device ‖
 *   u32 generation
 * generation is the device record's counter (0 for a device never paired;
 * each transfer adds one), so an old pairing cannot be replayed.
 *
 * Batch header (what the device signs; 0x72 BATCH_REGISTER's body is the
 * header followed by the device's signature):
 *   [32] device ‖ u64 seq ‖ u64 ref_height ‖ u64 t_from_ms ‖ u64 t_to_ms ‖
 *   [32] content hash ‖ [16] file id ‖ u32 readings ‖
 *   u16 ntiles (1..CAIRN_SENSOR_TILES_MAX) ‖ ntiles × tile ‖
 *   u16 nkeys (0..CAIRN_SENSOR_KEYS_MAX) ‖ nkeys × sealed key ‖ [64] sig
 *   tile       = u64 cell ‖ u32 enter_ms (offset from t_from) ‖
 *                u16 points ‖ i64 q (the tile's quantized feature)
 *   sealed key = [32] app ‖ [112] crypto_box_seal(file key ‖ grant key)
 *                to the app's X25519 key (converted from its Ed25519 key):
 *                the storage file's key, then the key of the sections the
 *                app's privileges open (docs/sensor-agent.md)
 *   sig = Ed25519 by the device over
 *   "cairn/sensor/batch/v1" ‖ u8 len ‖ chain_id ‖ every byte before sig.
 * content hash = BLAKE2b-256 of the plaintext batch file (src/sensor/
 * batch.c); file id = the storage file holding it, encrypted (docs/
 * storage.md). ref_height is a recent block the device saw: the chain
 * refuses a batch whose ref_height is not within the last few blocks, so a
 * batch cannot be held back and registered later.
 *
 * Transaction bodies (kinds 0x70..0x77):
 *   0x70 DEVICE_PAIR     [32] device ‖ u32 generation ‖ [64] device sig (100)
 *   0x71 DEVICE_TRANSFER [32] device ‖ [32] new owner                    (64)
 *   0x72 BATCH_REGISTER  batch header ‖ [64] device sig
 *   0x73 GRANT           [32] device ‖ [32] app ‖ u32 privileges ‖
 *                        u64 expiry_epoch ‖ u64 price per period          (84)
 *   0x74 REVOKE          [32] device ‖ [32] app                           (64)
 *   0x75 ACCESS_PAY      [32] device ‖ u32 periods ‖ u64 max_price        (44)
 *   0x76 BOUNTY_FUND     u64 cell ‖ u64 amount ‖ u32 epochs               (20)
 *   0x77 MAP_READ        u64 cell                                          (8)
 * Decoders read exactly one structure: TRUNCATED when bytes are missing,
 * TRAILING when bytes are left, BAD_BODY for a value out of its range
 * (ntiles 0 or above the max, nkeys above the max, privileges 0 or with
 * unknown bits, periods 0, amount 0, epochs 0, t_from > t_to). Every
 * decoded value re-encodes to the same bytes. */
#ifndef CAIRN_SENSOR_H
#define CAIRN_SENSOR_H

#include <stddef.h>
#include <stdint.h>

#include "cairn/codec.h"
#include "cairn/crypto.h"
#include "cairn/error.h"

#define CAIRN_SECTOR_SENSOR 3 /* the sensor sector's id */

enum cairn_sensor_kind {
    CAIRN_TX_DEVICE_PAIR = 0x70,
    CAIRN_TX_DEVICE_TRANSFER = 0x71,
    CAIRN_TX_BATCH_REGISTER = 0x72,
    CAIRN_TX_GRANT = 0x73,
    CAIRN_TX_REVOKE = 0x74,
    CAIRN_TX_ACCESS_PAY = 0x75,
    CAIRN_TX_BOUNTY_FUND = 0x76,
    CAIRN_TX_MAP_READ = 0x77,
};

/* Privileges of a grant (DIMO's per-privilege permissions). */
enum cairn_sensor_priv {
    CAIRN_SENSOR_PRIV_LOCATION = 1u << 0,  /* positions */
    CAIRN_SENSOR_PRIV_TELEMETRY = 1u << 1, /* readings */
    CAIRN_SENSOR_PRIV_ALL = 3u,
};

#define CAIRN_SENSOR_TILES_MAX 256
#define CAIRN_SENSOR_KEYS_MAX 16
#define CAIRN_SENSOR_FILE_ID_LEN 16
#define CAIRN_SENSOR_SEALED_LEN 112 /* crypto_box_SEALBYTES + 64 */

typedef struct cairn_sensor_tile {
    uint64_t cell;     /* hex cell (src/sectors/wireless/hexgrid.h) */
    uint32_t enter_ms; /* first point in the tile, ms after t_from */
    uint16_t points;   /* readings in the tile */
    int64_t q;         /* quantized feature (docs/sensor-agent.md) */
} cairn_sensor_tile;

typedef struct cairn_sensor_sealed {
    cairn_pubkey app;
    uint8_t box[CAIRN_SENSOR_SEALED_LEN];
} cairn_sensor_sealed;

/* A batch header with its signature. The arrays are inline: the struct is
 * large (about 8 KiB); keep it static or on the heap in loops. */
typedef struct cairn_sensor_batch {
    cairn_pubkey device;
    uint64_t seq, ref_height, t_from_ms, t_to_ms;
    cairn_hash content;
    uint8_t file_id[CAIRN_SENSOR_FILE_ID_LEN];
    uint32_t readings;
    uint16_t ntiles, nkeys;
    cairn_sensor_tile tiles[CAIRN_SENSOR_TILES_MAX];
    cairn_sensor_sealed keys[CAIRN_SENSOR_KEYS_MAX];
    cairn_sig sig;
} cairn_sensor_batch;

/* ---- pairing ---- */

/* Signs the pairing message with the device's key. BAD_ARG when chain_id
 * is not a valid chain id. */
CAIRN_API cairn_err cairn_sensor_pair_sign(
    cairn_sig *sig, const char *chain_id, const cairn_pubkey *owner,
    uint32_t generation, const cairn_keypair *device) CAIRN_WUR;
/* OK when sig is device's over the pairing message; BAD_SIG otherwise. */
CAIRN_API cairn_err cairn_sensor_pair_verify(const cairn_sig *sig,
                                             const char *chain_id,
                                             const cairn_pubkey *owner,
                                             const cairn_pubkey *device,
                                             uint32_t generation) CAIRN_WUR;

typedef struct cairn_sensor_pair {
    cairn_pubkey device;
    uint32_t generation;
    cairn_sig sig;
} cairn_sensor_pair;
CAIRN_API void cairn_sensor_pair_encode(cairn_buf *b,
                                        const cairn_sensor_pair *p);
CAIRN_API cairn_err cairn_sensor_pair_decode(cairn_sensor_pair *p,
                                             const uint8_t *d,
                                             size_t n) CAIRN_WUR;

/* ---- batches ---- */

/* Encodes b's header (every field before sig): what the device signs,
 * after the domain prefix. */
CAIRN_API void cairn_sensor_batch_header_encode(cairn_buf *out,
                                                const cairn_sensor_batch *b);
/* Signs b (sets b->sig) with the device's key. BAD_ARG: bad chain_id;
 * NOMEM. */
CAIRN_API cairn_err
cairn_sensor_batch_sign(cairn_sensor_batch *b, const char *chain_id,
                        const cairn_keypair *device) CAIRN_WUR;
/* OK when b->sig is b->device's over b's header; BAD_SIG otherwise. */
CAIRN_API cairn_err cairn_sensor_batch_verify(const cairn_sensor_batch *b,
                                              const char *chain_id) CAIRN_WUR;
/* The 0x72 body: header ‖ sig. */
CAIRN_API void cairn_sensor_batch_encode(cairn_buf *out,
                                         const cairn_sensor_batch *b);
CAIRN_API cairn_err cairn_sensor_batch_decode(cairn_sensor_batch *b,
                                              const uint8_t *d,
                                              size_t n) CAIRN_WUR;

/* ---- the other bodies ---- */

typedef struct cairn_sensor_grant {
    cairn_pubkey device, app;
    uint32_t privileges;
    uint64_t expiry_epoch, price;
} cairn_sensor_grant;

CAIRN_API void cairn_sensor_transfer_encode(cairn_buf *b,
                                            const cairn_pubkey *device,
                                            const cairn_pubkey *new_owner);
CAIRN_API cairn_err cairn_sensor_transfer_decode(cairn_pubkey *device,
                                                 cairn_pubkey *new_owner,
                                                 const uint8_t *d,
                                                 size_t n) CAIRN_WUR;
CAIRN_API void cairn_sensor_grant_encode(cairn_buf *b,
                                         const cairn_sensor_grant *g);
CAIRN_API cairn_err cairn_sensor_grant_decode(cairn_sensor_grant *g,
                                              const uint8_t *d,
                                              size_t n) CAIRN_WUR;
/* REVOKE has the TRANSFER layout (device, app). */
CAIRN_API void cairn_sensor_revoke_encode(cairn_buf *b,
                                          const cairn_pubkey *device,
                                          const cairn_pubkey *app);
CAIRN_API cairn_err cairn_sensor_revoke_decode(cairn_pubkey *device,
                                               cairn_pubkey *app,
                                               const uint8_t *d,
                                               size_t n) CAIRN_WUR;

typedef struct cairn_sensor_pay {
    cairn_pubkey device;
    uint32_t periods;
    uint64_t max_price;
} cairn_sensor_pay;
CAIRN_API void cairn_sensor_pay_encode(cairn_buf *b, const cairn_sensor_pay *p);
CAIRN_API cairn_err cairn_sensor_pay_decode(cairn_sensor_pay *p,
                                            const uint8_t *d,
                                            size_t n) CAIRN_WUR;

typedef struct cairn_sensor_bounty {
    uint64_t cell, amount;
    uint32_t epochs;
} cairn_sensor_bounty;
CAIRN_API void cairn_sensor_bounty_encode(cairn_buf *b,
                                          const cairn_sensor_bounty *x);
CAIRN_API cairn_err cairn_sensor_bounty_decode(cairn_sensor_bounty *x,
                                               const uint8_t *d,
                                               size_t n) CAIRN_WUR;

CAIRN_API void cairn_sensor_map_read_encode(cairn_buf *b, uint64_t cell);
CAIRN_API cairn_err cairn_sensor_map_read_decode(uint64_t *cell,
                                                 const uint8_t *d,
                                                 size_t n) CAIRN_WUR;

#endif
