/* Semtech UDP packet-forwarder protocol, version 2 (docs/wireless-semtech.md):
 * the datagrams a LoRaWAN gateway's packet forwarder exchanges with its
 * server. A pure codec: no sockets, no clock, no allocation the caller must
 * free.
 *
 *   byte 0     protocol version, 2
 *   bytes 1-2  random token (big-endian as read; any value)
 *   byte 3     identifier (cairn_sm_type)
 *   then       PUSH_DATA: gateway EUI (8) + JSON {"rxpk":[...],"stat":{...}}
 *              PULL_DATA: gateway EUI (8), nothing after
 *              PULL_RESP: JSON {"txpk":{...}}
 *              TX_ACK:    gateway EUI (8) + optional JSON {"txpk_ack":{...}}
 *              PUSH_ACK, PULL_ACK: nothing after
 *
 * Numbers are integers inside: frequencies in Hz, RSSI in dBm, SNR in
 * centi-dB, latitude/longitude in 1e-7 degrees. Every decode error is one
 * of CAIRN_ERR_TRUNCATED (shorter than its fixed part), CAIRN_ERR_TOO_LARGE
 * (datagram, packet count or payload over its bound), CAIRN_ERR_BAD_VERSION
 * (byte 0 is not 2), CAIRN_ERR_TRAILING (bytes after an ack or PULL_DATA),
 * CAIRN_ERR_BAD_JSON (not JSON, or a field missing or of the wrong type) or
 * CAIRN_ERR_BAD_MSG (unknown identifier, a value out of range, bad base64,
 * a size that does not match the data), each with a one-line reason. */
#ifndef CAIRN_SEMTECH_H
#define CAIRN_SEMTECH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cairn/error.h"

#define CAIRN_SM_VERSION 2
#define CAIRN_SM_HDR_LEN 4
#define CAIRN_SM_EUI_LEN 8
#define CAIRN_SM_MAX_DATAGRAM 65507 /* the largest UDP payload over IPv4 */
#define CAIRN_SM_MAX_RXPK 64        /* packets per PUSH_DATA */
#define CAIRN_SM_MAX_PAYLOAD 255    /* bytes of one LoRa packet */
#define CAIRN_SM_TIME_MAX 39        /* characters of a "time" string */
#define CAIRN_SM_WHY_LEN 128        /* a reason buffer that always suffices */

/* GPS time (the "tmms" fields: ms since 1980-01-06 00:00:00 UTC, no leap
 * seconds) against Unix ms: GPS is 315964800000 ms later in its origin and
 * 18 s ahead in leap seconds (fixed at today's count). Unix ms before the
 * GPS origin map to 0. */
#define CAIRN_SM_GPS_UNIX_OFFSET_MS 315964800000ULL
#define CAIRN_SM_GPS_LEAP_MS 18000ULL
static inline uint64_t cairn_sm_unix_to_gps_ms(uint64_t unix_ms)
{
    uint64_t off = CAIRN_SM_GPS_UNIX_OFFSET_MS - CAIRN_SM_GPS_LEAP_MS;
    return unix_ms > off ? unix_ms - off : 0;
}
static inline uint64_t cairn_sm_gps_to_unix_ms(uint64_t gps_ms)
{
    return gps_ms + CAIRN_SM_GPS_UNIX_OFFSET_MS - CAIRN_SM_GPS_LEAP_MS;
}

typedef enum cairn_sm_type {
    CAIRN_SM_PUSH_DATA = 0x00,
    CAIRN_SM_PUSH_ACK = 0x01,
    CAIRN_SM_PULL_DATA = 0x02,
    CAIRN_SM_PULL_RESP = 0x03,
    CAIRN_SM_PULL_ACK = 0x04,
    CAIRN_SM_TX_ACK = 0x05,
} cairn_sm_type;

typedef enum cairn_sm_modu {
    CAIRN_SM_LORA = 0, /* datr "SF<sf>BW<bw>", codr "4/5".."4/8" */
    CAIRN_SM_FSK = 1,  /* datr a number of bits per second, no codr */
} cairn_sm_modu;

/* Modulation and data rate of one packet. LoRa: sf 5..12, bw_khz one of
 * 125, 250, 500 (narrower ones are refused), codr the coding-rate
 * denominator 5..8 (4/5..4/8). FSK: bps 500..300000, sf, bw_khz, codr 0. */
typedef struct cairn_sm_rate {
    cairn_sm_modu modu;
    uint8_t sf;
    uint16_t bw_khz;
    uint8_t codr;
    uint32_t bps;
} cairn_sm_rate;

/* One received packet ("rxpk" element). Optional fields carry a has_ flag;
 * unknown keys are ignored (newer forwarders add some). */
typedef struct cairn_sm_rxpk {
    bool has_time;
    char time[CAIRN_SM_TIME_MAX + 1]; /* printable ASCII, no '"' or '\\' */
    bool has_tmms;
    uint64_t tmms;    /* GPS ms since 1980-01-06, below 2^53 */
    uint32_t tmst;    /* concentrator µs counter at end of reception */
    uint64_t freq_hz; /* 1..10^10 */
    uint8_t chan;     /* IF channel 0..255 */
    uint8_t rfch;     /* RF chain 0..255 */
    int8_t stat;      /* 1 CRC ok, -1 CRC bad, 0 no CRC */
    cairn_sm_rate rate;
    int16_t rssi;     /* dBm, -1000..1000 */
    bool has_lsnr;    /* LoRa always has it (required), FSK never */
    int32_t lsnr_cdb; /* centi-dB, -100000..100000 */
    uint16_t size;    /* 0..CAIRN_SM_MAX_PAYLOAD, = bytes of data */
    uint8_t data[CAIRN_SM_MAX_PAYLOAD];
} cairn_sm_rxpk;

/* The gateway's status ("stat"). Counters absent from the JSON read as 0
 * and are always written. */
typedef struct cairn_sm_stat {
    bool has_time;
    char time[CAIRN_SM_TIME_MAX + 1];
    bool has_gps;   /* lati, long and alti all present */
    int32_t lat_e7; /* 1e-7 degrees, -90..90 degrees */
    int32_t lon_e7; /* 1e-7 degrees, -180..180 degrees */
    int32_t alti_m; /* metres, -100000..100000 */
    uint32_t rxnb, rxok, rxfw, dwnb, txnb;
    uint32_t ackr_cpct; /* percent acknowledged, in 1/100 %, 0..10000 */
} cairn_sm_stat;

/* A packet to transmit ("txpk"). Timing: imme, or tmst, or tmms (exactly
 * one). powe absent means the forwarder's default power. */
typedef struct cairn_sm_txpk {
    bool imme;
    bool has_tmst;
    uint32_t tmst;
    bool has_tmms;
    uint64_t tmms;
    uint64_t freq_hz;
    uint8_t rfch;
    bool has_powe;
    int8_t powe; /* dBm, -128..127 */
    cairn_sm_rate rate;
    uint32_t fdev_hz; /* FSK frequency deviation, required for FSK, 0 LoRa */
    bool has_prea;
    uint16_t prea; /* preamble symbols */
    bool ipol;     /* LoRa polarity inversion (downlinks to devices) */
    bool ncrc;     /* no PHY CRC */
    uint16_t size;
    uint8_t data[CAIRN_SM_MAX_PAYLOAD];
} cairn_sm_txpk;

/* TX_ACK "error" values; NONE is also what an ack without JSON means. */
typedef enum cairn_sm_txerr {
    CAIRN_SM_TXE_NONE = 0,
    CAIRN_SM_TXE_TOO_LATE,
    CAIRN_SM_TXE_TOO_EARLY,
    CAIRN_SM_TXE_COLLISION_PACKET,
    CAIRN_SM_TXE_COLLISION_BEACON,
    CAIRN_SM_TXE_TX_FREQ,
    CAIRN_SM_TXE_TX_POWER,
    CAIRN_SM_TXE_GPS_UNLOCKED,
} cairn_sm_txerr;

/* One datagram. Which fields count depends on type: eui for PUSH_DATA,
 * PULL_DATA, TX_ACK; rxpk/n_rxpk, has_stat/stat for PUSH_DATA; txpk for
 * PULL_RESP; has_txack_json/txerr for TX_ACK. About 19 KiB: put it on the
 * heap or in static storage rather than on a small thread's stack. */
typedef struct cairn_sm_msg {
    cairn_sm_type type;
    uint16_t token;
    uint8_t eui[CAIRN_SM_EUI_LEN];
    size_t n_rxpk;
    cairn_sm_rxpk rxpk[CAIRN_SM_MAX_RXPK];
    bool has_stat;
    cairn_sm_stat stat;
    cairn_sm_txpk txpk;
    bool has_txack_json; /* false: TX_ACK with no JSON after the EUI */
    cairn_sm_txerr txerr;
} cairn_sm_msg;

/* Decodes one datagram p[0..n) into *m (fully overwritten). On error *m is
 * unspecified and why (if non-NULL, len > 0) holds a one-line reason. */
cairn_err cairn_sm_decode(cairn_sm_msg *m, const uint8_t *p, size_t n,
                          char *why, size_t why_len);

/* Encodes *m into out[0..cap), sets *n to its length. The JSON is compact
 * with keys in a fixed order, frequencies as MHz with up to six decimals,
 * SNR with up to two, base64 padded: decoding it gives back *m exactly.
 * CAIRN_ERR_BAD_MSG (a field out of the ranges above), CAIRN_ERR_TOO_LARGE
 * (does not fit cap, or over CAIRN_SM_MAX_DATAGRAM), CAIRN_ERR_BAD_ARG. */
cairn_err cairn_sm_encode(const cairn_sm_msg *m, uint8_t *out, size_t cap,
                          size_t *n, char *why, size_t why_len);

/* The name of a type ("PUSH_DATA") or of a TX_ACK error ("TOO_LATE");
 * "?" when out of range. Static strings. */
const char *cairn_sm_type_name(cairn_sm_type t);
const char *cairn_sm_txerr_name(cairn_sm_txerr e);

/* Writes the 4-byte ack a server sends for a received datagram: PUSH_ACK
 * for PUSH_DATA, PULL_ACK for PULL_DATA, with the same token.
 * CAIRN_ERR_BAD_ARG for other types (they are not acknowledged). */
cairn_err cairn_sm_ack(const cairn_sm_msg *in, uint8_t out[CAIRN_SM_HDR_LEN]);

#endif
