/* Device frames of the wireless sector (docs/wireless-data.md): the
 * LoRaWAN-shaped PHYPayloads a device sends through a hotspot to its
 * router, with the message integrity code (MIC) made by keyed BLAKE2b
 * instead of LoRaWAN's AES-CMAC.
 *
 *   uplink       MHDR(0x40 unconfirmed | 0x80 confirmed) ‖ DevAddr u32 LE ‖
 *                FCtrl u8 ‖ FCnt u16 LE ‖ FPort u8 ‖ payload ‖ MIC[4]
 *                (MIC key: the session's NwkSKey)
 *   join request 0x00 ‖ JoinEUI u64 LE ‖ DevEUI u64 LE ‖ DevNonce u16 LE ‖
 *                MIC[4]   (MIC key: the device's AppKey)
 *   join accept  0x20 ‖ JoinNonce u24 LE ‖ NetID u24 LE ‖ DevAddr u32 LE ‖
 *                MIC[4]   (MIC key: the device's AppKey)
 *
 * MIC = the first 4 bytes of BLAKE2b with a 16-byte output, keyed with the
 * 16-byte key, over every byte of the frame before the MIC (libsodium's
 * crypto_generichash(out, 16, msg, len, key, 16)).
 * NwkSKey = BLAKE2b, 16-byte output, keyed with AppKey, over
 * 0x01 ‖ JoinNonce u24 LE ‖ NetID u24 LE ‖ DevNonce u16 LE (AppSKey the same
 * with 0x02).
 *
 * FCtrl is carried as is (no FOpts follow it whatever its low bits say);
 * the join accept is not encrypted (it carries no key). A pure codec: no
 * allocation, no clock, no I/O. Decode errors: CAIRN_ERR_TRUNCATED (shorter
 * than the type's fixed part), CAIRN_ERR_TOO_LARGE (over 255 bytes),
 * CAIRN_ERR_TRAILING (a join frame longer than its size), CAIRN_ERR_BAD_MSG
 * (empty, or an MHDR this codec does not know), each with a one-line reason
 * in `why`; a wrong MIC is CAIRN_ERR_BAD_MAC from lora_check_mic. */
#ifndef CAIRN_WIRELESS_FRAME_H
#define CAIRN_WIRELESS_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "cairn/error.h"

#define LORA_KEY_LEN 16
#define LORA_MIC_LEN 4
#define LORA_MAX_PHY 255        /* bytes of one LoRa packet */
#define LORA_UPLINK_OVERHEAD 13 /* MHDR+DevAddr+FCtrl+FCnt+FPort+MIC */
#define LORA_MAX_FRM (LORA_MAX_PHY - LORA_UPLINK_OVERHEAD) /* 242 */
#define LORA_JOIN_REQ_LEN 23
#define LORA_JOIN_ACC_LEN 15
#define LORA_WHY_LEN 96 /* a reason buffer that always suffices */

typedef enum lora_mtype {
    LORA_JOIN_REQUEST = 0x00,
    LORA_JOIN_ACCEPT = 0x20,
    LORA_UP_UNCONFIRMED = 0x40,
    LORA_UP_CONFIRMED = 0x80,
} lora_mtype;

typedef struct lora_uplink {
    uint8_t mhdr; /* LORA_UP_UNCONFIRMED or LORA_UP_CONFIRMED */
    uint32_t dev_addr;
    uint8_t fctrl;
    uint16_t fcnt;
    uint8_t fport;
    size_t len; /* payload bytes, 0..LORA_MAX_FRM */
    uint8_t payload[LORA_MAX_FRM];
} lora_uplink;

typedef struct lora_join_req {
    uint64_t join_eui;
    uint64_t dev_eui;
    uint16_t dev_nonce;
} lora_join_req;

typedef struct lora_join_acc {
    uint32_t join_nonce; /* 24 bits */
    uint32_t net_id;     /* 24 bits */
    uint32_t dev_addr;
} lora_join_acc;

/* One decoded frame: `type` says which member is set. `mic` is the frame's
 * MIC as received (decode does not check it: the key depends on the
 * device, which the caller finds from the decoded fields). */
typedef struct lora_frame {
    lora_mtype type;
    union {
        lora_uplink up;
        lora_join_req jreq;
        lora_join_acc jacc;
    } u;
    uint8_t mic[LORA_MIC_LEN];
} lora_frame;

/* MIC of msg[0..n) under key: the first 4 bytes of 16-byte keyed BLAKE2b. */
void lora_mic(uint8_t out[LORA_MIC_LEN], const uint8_t key[LORA_KEY_LEN],
              const uint8_t *msg, size_t n);

/* CAIRN_OK when the last 4 bytes of frame[0..n) are the MIC under key of
 * the bytes before them (constant-time compare); CAIRN_ERR_BAD_MAC when
 * not; CAIRN_ERR_TRUNCATED when n < 5. */
cairn_err lora_check_mic(const uint8_t *frame, size_t n,
                         const uint8_t key[LORA_KEY_LEN]) CAIRN_WUR;

/* Parses frame[0..n) into *f (no MIC check). Errors as in the header
 * comment, with a one-line reason in why (why may be NULL). */
cairn_err lora_frame_decode(lora_frame *f, const uint8_t *frame, size_t n,
                            char *why, size_t whylen) CAIRN_WUR;

/* Encoders: write the frame with its MIC into out[0..cap) and its size
 * into *n. CAIRN_ERR_TOO_LARGE when cap is too small or u->len exceeds
 * LORA_MAX_FRM; CAIRN_ERR_BAD_ARG for an MHDR that is not an uplink's or
 * a 24-bit field over 0xFFFFFF. */
cairn_err lora_uplink_encode(const lora_uplink *u,
                             const uint8_t nwk_skey[LORA_KEY_LEN], uint8_t *out,
                             size_t cap, size_t *n) CAIRN_WUR;
cairn_err lora_join_req_encode(const lora_join_req *j,
                               const uint8_t app_key[LORA_KEY_LEN],
                               uint8_t *out, size_t cap, size_t *n) CAIRN_WUR;
cairn_err lora_join_acc_encode(const lora_join_acc *j,
                               const uint8_t app_key[LORA_KEY_LEN],
                               uint8_t *out, size_t cap, size_t *n) CAIRN_WUR;

/* Session keys after a join: NwkSKey (kind 0x01) and AppSKey (kind 0x02),
 * BLAKE2b (16-byte output) keyed with AppKey over kind ‖ JoinNonce u24 LE ‖
 * NetID u24 LE ‖ DevNonce u16 LE. */
void lora_derive_nwk_skey(uint8_t out[LORA_KEY_LEN],
                          const uint8_t app_key[LORA_KEY_LEN],
                          uint32_t join_nonce, uint32_t net_id,
                          uint16_t dev_nonce);
void lora_derive_app_skey(uint8_t out[LORA_KEY_LEN],
                          const uint8_t app_key[LORA_KEY_LEN],
                          uint32_t join_nonce, uint32_t net_id,
                          uint16_t dev_nonce);

/* The short name of a frame type ("uplink", "join request", ...). */
const char *lora_mtype_name(lora_mtype t);

#endif
