/* The hotspot's wire formats (hs_wire.h): the beacon payload P, the beacon
 * slot, the witness report and the transaction bodies it sends. */
#include <string.h>

#include "wireless/hotspot/hs_wire.h"

#define BEACON_TAG "cairn/beacon/v1"
#define WITNESS_TAG "cairn/witness/v1"
#define SLOT_TAG "cairn/beacon-slot"
#define MAGIC "CBK1"
#define MSG_MAX 160

static void le64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t rd64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static void le32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

/* 1..32 printable ASCII characters without spaces. */
static int chain_id_ok(const char *id)
{
    size_t n = id ? strlen(id) : 0;
    if (n < 1 || n > 32)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (id[i] <= ' ' || id[i] > '~')
            return 0;
    return 1;
}

/* tag ‖ u8 len ‖ chain_id into m; returns the length written. */
static size_t domain(uint8_t *m, const char *tag, const char *chain_id)
{
    size_t t = strlen(tag), c = strlen(chain_id);
    memcpy(m, tag, t);
    m[t] = (uint8_t)c;
    memcpy(m + t + 1, chain_id, c);
    return t + 1 + c;
}

static size_t beacon_msg(uint8_t m[MSG_MAX], const char *chain_id,
                         uint64_t epoch, const cairn_hash *seed)
{
    size_t n = domain(m, BEACON_TAG, chain_id);
    le64(m + n, epoch);
    memcpy(m + n + 8, seed->b, 32);
    return n + 40;
}

cairn_err hs_beacon_make(uint8_t out[HS_P_LEN], const char *chain_id,
                         uint64_t epoch, const cairn_hash *seed,
                         const cairn_keypair *kp)
{
    uint8_t m[MSG_MAX];
    cairn_sig sig;
    if (!chain_id_ok(chain_id))
        return CAIRN_ERR_BAD_ARG;
    cairn_sign(&sig, m, beacon_msg(m, chain_id, epoch, seed), kp);
    memcpy(out, MAGIC, 4);
    memcpy(out + 4, kp->pk.b, 32);
    le64(out + 36, epoch);
    memcpy(out + 44, sig.b, 64);
    return CAIRN_OK;
}

int hs_beacon_parse(const uint8_t *p, size_t n, cairn_pubkey *beaconer,
                    uint64_t *epoch, cairn_sig *sig)
{
    if (n != HS_P_LEN || memcmp(p, MAGIC, 4) != 0)
        return -1;
    if (beaconer)
        memcpy(beaconer->b, p + 4, 32);
    if (epoch)
        *epoch = rd64(p + 36);
    if (sig)
        memcpy(sig->b, p + 44, 64);
    return 0;
}

int hs_beacon_verify(const uint8_t p[HS_P_LEN], const char *chain_id,
                     const cairn_hash *seed)
{
    cairn_pubkey pk;
    uint64_t epoch;
    cairn_sig sig;
    uint8_t m[MSG_MAX];
    if (!chain_id_ok(chain_id) ||
        hs_beacon_parse(p, HS_P_LEN, &pk, &epoch, &sig))
        return 0;
    return cairn_verify(&sig, m, beacon_msg(m, chain_id, epoch, seed), &pk) ==
           CAIRN_OK;
}

uint64_t hs_slot(const cairn_hash *seed, const cairn_pubkey *pk, uint64_t start,
                 uint64_t epoch_blocks, uint64_t w)
{
    cairn_hasher hh;
    cairn_hash d;
    if (epoch_blocks < w + 2)
        return 0; /* span = epoch_blocks - w - 1 < 1 */
    uint64_t span = epoch_blocks - w - 1;
    cairn_hasher_init(&hh);
    cairn_hasher_update(&hh, SLOT_TAG, strlen(SLOT_TAG));
    cairn_hasher_update(&hh, seed->b, 32);
    cairn_hasher_update(&hh, pk->b, 32);
    cairn_hasher_final(&hh, &d);
    return start + rd64(d.b) % span;
}

/* The 129 report bytes before the signature. */
static void report_fields(uint8_t f[HS_REPORT_LEN - 64], const hs_witness *w)
{
    f[0] = 1;
    memcpy(f + 1, w->witness.b, 32);
    memcpy(f + 33, w->beaconer.b, 32);
    le64(f + 65, w->epoch);
    memcpy(f + 73, w->payload_hash.b, 32);
    le64(f + 105, w->time_ms);
    le64(f + 113, w->freq_hz);
    le32(f + 121, (uint32_t)w->rssi_cdbm);
    le32(f + 125, (uint32_t)w->snr_cdb);
}

static size_t report_msg(uint8_t m[MSG_MAX + HS_REPORT_LEN],
                         const hs_witness *w, const char *chain_id)
{
    size_t n = domain(m, WITNESS_TAG, chain_id);
    report_fields(m + n, w);
    return n + HS_REPORT_LEN - 64;
}

cairn_err hs_witness_sign(hs_witness *w, const char *chain_id,
                          const cairn_keypair *kp)
{
    uint8_t m[MSG_MAX + HS_REPORT_LEN];
    if (!chain_id_ok(chain_id))
        return CAIRN_ERR_BAD_ARG;
    w->witness = kp->pk;
    cairn_sign(&w->sig, m, report_msg(m, w, chain_id), kp);
    return CAIRN_OK;
}

cairn_err hs_witness_verify(const hs_witness *w, const char *chain_id)
{
    uint8_t m[MSG_MAX + HS_REPORT_LEN];
    if (!chain_id_ok(chain_id))
        return CAIRN_ERR_CHAIN_ID;
    return cairn_verify(&w->sig, m, report_msg(m, w, chain_id), &w->witness);
}

void hs_witness_encode(cairn_buf *b, const hs_witness *w)
{
    uint8_t f[HS_REPORT_LEN - 64];
    report_fields(f, w);
    cairn_put_bytes(b, f, sizeof f);
    cairn_put_bytes(b, w->sig.b, 64);
}

cairn_err hs_witness_decode(hs_witness *w, const uint8_t *p, size_t n)
{
    if (n < HS_REPORT_LEN)
        return CAIRN_ERR_TRUNCATED;
    if (n > HS_REPORT_LEN)
        return CAIRN_ERR_TRAILING;
    if (p[0] != 1)
        return CAIRN_ERR_BAD_VERSION;
    memcpy(w->witness.b, p + 1, 32);
    memcpy(w->beaconer.b, p + 33, 32);
    w->epoch = rd64(p + 65);
    memcpy(w->payload_hash.b, p + 73, 32);
    w->time_ms = rd64(p + 105);
    w->freq_hz = rd64(p + 113);
    w->rssi_cdbm = (int32_t)rd32(p + 121);
    w->snr_cdb = (int32_t)rd32(p + 125);
    memcpy(w->sig.b, p + 129, 64);
    return CAIRN_OK;
}

void hs_assert_encode(cairn_buf *b, int32_t lat, int32_t lon, int16_t gain,
                      uint16_t elev, int16_t power)
{
    cairn_put_u32(b, (uint32_t)lat);
    cairn_put_u32(b, (uint32_t)lon);
    cairn_put_u16(b, (uint16_t)gain);
    cairn_put_u16(b, elev);
    cairn_put_u16(b, (uint16_t)power);
}

void hs_beacon_body(cairn_buf *b, uint64_t epoch, const cairn_sig *sig,
                    uint64_t time_ms, uint64_t freq_hz)
{
    cairn_put_u64(b, epoch);
    cairn_put_bytes(b, sig->b, 64);
    cairn_put_u64(b, time_ms);
    cairn_put_u64(b, freq_hz);
}

void hs_appeal_body(cairn_buf *b, const cairn_pubkey *beaconer, uint64_t epoch,
                    const cairn_pubkey *witness, const uint8_t p[HS_P_LEN])
{
    cairn_put_u8(b, 1); /* "beacon not reported" */
    cairn_put_bytes(b, beaconer->b, 32);
    cairn_put_u64(b, epoch);
    cairn_put_bytes(b, witness->b, 32);
    cairn_put_bytes(b, p, HS_P_LEN);
}
