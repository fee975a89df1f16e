/* The wireless sector's wire formats: beacon payloads, witness reports and
 * the PoC transaction bodies (include/cairn/wireless.h). */
#include "cairn/wireless.h"

#include <string.h>

#include "compute/verify/chain_id.h"
#include "sectors/wireless/hexgrid.h"

#define BEACON_DOMAIN "cairn/beacon/v1"
#define WITNESS_DOMAIN "cairn/witness/v1"
#define SLOT_DOMAIN "cairn/beacon-slot"

static void le64(uint8_t out[8], uint64_t v)
{
    for (int i = 0; i < 8; i++)
        out[i] = (uint8_t)(v >> (8 * i));
}

/* ---- beacon ---- */

/* The signed beacon message into m (room for 15+1+32+8+32 bytes); its
 * length in *n. BAD_ARG on an invalid chain id. */
static cairn_err beacon_msg(uint8_t *m, size_t *n, const char *chain_id,
                            uint64_t epoch, const cairn_hash *seed)
{
    size_t len = strnlen(chain_id, CAIRN_CHAIN_ID_MAX + 1);
    if (!cv_chain_id_ok(chain_id, len))
        return CAIRN_ERR_BAD_ARG;
    size_t k = 0;
    memcpy(m, BEACON_DOMAIN, sizeof BEACON_DOMAIN - 1);
    k += sizeof BEACON_DOMAIN - 1;
    m[k++] = (uint8_t)len;
    memcpy(m + k, chain_id, len);
    k += len;
    le64(m + k, epoch);
    k += 8;
    memcpy(m + k, seed->b, CAIRN_HASH_LEN);
    k += CAIRN_HASH_LEN;
    *n = k;
    return CAIRN_OK;
}

#define BEACON_MSG_MAX                                                         \
    (sizeof BEACON_DOMAIN + CAIRN_CHAIN_ID_MAX + 8 + CAIRN_HASH_LEN)

cairn_err cairn_beacon_sign(cairn_sig *sig, const char *chain_id,
                            uint64_t epoch, const cairn_hash *seed,
                            const cairn_keypair *kp)
{
    uint8_t m[BEACON_MSG_MAX];
    size_t n;
    cairn_err e = beacon_msg(m, &n, chain_id, epoch, seed);
    if (!e)
        cairn_sign(sig, m, n, kp);
    return e;
}

cairn_err cairn_beacon_verify(const cairn_sig *sig, const char *chain_id,
                              uint64_t epoch, const cairn_hash *seed,
                              const cairn_pubkey *pk)
{
    uint8_t m[BEACON_MSG_MAX];
    size_t n;
    if (beacon_msg(m, &n, chain_id, epoch, seed))
        return CAIRN_ERR_CHAIN_ID;
    return cairn_verify(sig, m, n, pk);
}

void cairn_beacon_payload_build(uint8_t out[CAIRN_BEACON_PAYLOAD_LEN],
                                const cairn_beacon_payload *b)
{
    memcpy(out, CAIRN_BEACON_MAGIC, 4);
    memcpy(out + 4, b->beaconer.b, CAIRN_PK_LEN);
    le64(out + 36, b->epoch);
    memcpy(out + 44, b->sig.b, CAIRN_SIG_LEN);
}

cairn_err cairn_beacon_payload_parse(cairn_beacon_payload *b, const uint8_t *p,
                                     size_t n)
{
    memset(b, 0, sizeof *b);
    cairn_reader r;
    cairn_reader_init(&r, p, n);
    uint8_t magic[4];
    cairn_get_bytes(&r, magic, 4);
    if (!r.err && memcmp(magic, CAIRN_BEACON_MAGIC, 4) != 0)
        return CAIRN_ERR_BAD_VERSION;
    cairn_get_bytes(&r, b->beaconer.b, CAIRN_PK_LEN);
    b->epoch = cairn_get_u64(&r);
    cairn_get_bytes(&r, b->sig.b, CAIRN_SIG_LEN);
    return cairn_reader_done(&r);
}

cairn_err cairn_beacon_make(uint8_t out[CAIRN_BEACON_PAYLOAD_LEN],
                            const char *chain_id, uint64_t epoch,
                            const cairn_hash *seed, const cairn_keypair *kp)
{
    cairn_beacon_payload b;
    b.beaconer = kp->pk;
    b.epoch = epoch;
    cairn_err e = cairn_beacon_sign(&b.sig, chain_id, epoch, seed, kp);
    if (!e)
        cairn_beacon_payload_build(out, &b);
    return e;
}

void cairn_beacon_payload_hash(cairn_hash *out, const uint8_t *p, size_t n)
{
    cairn_hash_bytes(out, p, n);
}

uint64_t cairn_beacon_slot(const cairn_hash *seed, const cairn_pubkey *pk,
                           uint64_t start, uint64_t epoch_blocks,
                           uint64_t witness_blocks)
{
    if (epoch_blocks < witness_blocks + 2)
        return CAIRN_SLOT_NONE;
    uint64_t span = epoch_blocks - witness_blocks - 1;
    cairn_hasher h;
    cairn_hash d;
    cairn_hasher_init(&h);
    cairn_hasher_update(&h, SLOT_DOMAIN, sizeof SLOT_DOMAIN - 1);
    cairn_hasher_update(&h, seed->b, CAIRN_HASH_LEN);
    cairn_hasher_update(&h, pk->b, CAIRN_PK_LEN);
    cairn_hasher_final(&h, &d);
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | d.b[i];
    return start + v % span;
}

/* ---- witness report ---- */

/* Every field but the signature. */
static void witness_fields(cairn_buf *b, const cairn_witness_report *w)
{
    cairn_put_u8(b, CAIRN_WITNESS_VERSION);
    cairn_put_bytes(b, w->witness.b, CAIRN_PK_LEN);
    cairn_put_bytes(b, w->beaconer.b, CAIRN_PK_LEN);
    cairn_put_u64(b, w->epoch);
    cairn_put_bytes(b, w->payload_hash.b, CAIRN_HASH_LEN);
    cairn_put_u64(b, w->time_ms);
    cairn_put_u64(b, w->freq_hz);
    cairn_put_u32(b, (uint32_t)w->rssi_cdbm);
    cairn_put_u32(b, (uint32_t)w->snr_cdb);
}

void cairn_witness_encode(cairn_buf *b, const cairn_witness_report *w)
{
    witness_fields(b, w);
    cairn_put_bytes(b, w->sig.b, CAIRN_SIG_LEN);
}

cairn_err cairn_witness_read(cairn_reader *r, cairn_witness_report *w)
{
    memset(w, 0, sizeof *w);
    uint8_t v = cairn_get_u8(r);
    if (r->err)
        return r->err;
    if (v != CAIRN_WITNESS_VERSION) {
        r->err = CAIRN_ERR_BAD_VERSION;
        return r->err;
    }
    cairn_get_bytes(r, w->witness.b, CAIRN_PK_LEN);
    cairn_get_bytes(r, w->beaconer.b, CAIRN_PK_LEN);
    w->epoch = cairn_get_u64(r);
    cairn_get_bytes(r, w->payload_hash.b, CAIRN_HASH_LEN);
    w->time_ms = cairn_get_u64(r);
    w->freq_hz = cairn_get_u64(r);
    w->rssi_cdbm = (int32_t)cairn_get_u32(r);
    w->snr_cdb = (int32_t)cairn_get_u32(r);
    cairn_get_bytes(r, w->sig.b, CAIRN_SIG_LEN);
    return r->err;
}

cairn_err cairn_witness_decode(cairn_witness_report *w, const uint8_t *p,
                               size_t n)
{
    cairn_reader r;
    cairn_reader_init(&r, p, n);
    cairn_err e = cairn_witness_read(&r, w);
    if (e)
        return e;
    return cairn_reader_done(&r);
}

#define WITNESS_MSG_MAX                                                        \
    (sizeof WITNESS_DOMAIN + CAIRN_CHAIN_ID_MAX + CAIRN_WITNESS_REPORT_LEN)

/* The signed message into b. BAD_ARG on an invalid chain id. */
static cairn_err witness_msg(cairn_buf *b, const cairn_witness_report *w,
                             const char *chain_id)
{
    size_t len = strnlen(chain_id, CAIRN_CHAIN_ID_MAX + 1);
    if (!cv_chain_id_ok(chain_id, len))
        return CAIRN_ERR_BAD_ARG;
    cairn_put_bytes(b, WITNESS_DOMAIN, sizeof WITNESS_DOMAIN - 1);
    cairn_put_u8(b, (uint8_t)len);
    cairn_put_bytes(b, chain_id, len);
    witness_fields(b, w);
    return b->err;
}

cairn_err cairn_witness_sign(cairn_witness_report *w, const char *chain_id,
                             const cairn_keypair *kp)
{
    cairn_buf b;
    w->witness = kp->pk;
    cairn_buf_init(&b, WITNESS_MSG_MAX);
    cairn_err e = witness_msg(&b, w, chain_id);
    if (!e)
        cairn_sign(&w->sig, b.p, b.len, kp);
    cairn_buf_free(&b);
    return e;
}

cairn_err cairn_witness_verify(const cairn_witness_report *w,
                               const char *chain_id)
{
    cairn_buf b;
    cairn_buf_init(&b, WITNESS_MSG_MAX);
    cairn_err e = witness_msg(&b, w, chain_id);
    if (e == CAIRN_ERR_BAD_ARG)
        e = CAIRN_ERR_CHAIN_ID;
    else if (!e)
        e = cairn_verify(&w->sig, b.p, b.len, &w->witness);
    cairn_buf_free(&b);
    return e;
}

/* ---- bodies ---- */

void cairn_hotspot_assert_encode(cairn_buf *b, const cairn_hotspot_assert *a)
{
    cairn_put_u32(b, (uint32_t)a->lat_udeg);
    cairn_put_u32(b, (uint32_t)a->lon_udeg);
    cairn_put_u16(b, (uint16_t)a->gain_cdbi);
    cairn_put_u16(b, a->elevation_m);
    cairn_put_u16(b, (uint16_t)a->tx_power_cdbm);
}

cairn_err cairn_hotspot_assert_decode(cairn_hotspot_assert *a, const uint8_t *p,
                                      size_t n)
{
    cairn_reader r;
    memset(a, 0, sizeof *a);
    cairn_reader_init(&r, p, n);
    a->lat_udeg = (int32_t)cairn_get_u32(&r);
    a->lon_udeg = (int32_t)cairn_get_u32(&r);
    a->gain_cdbi = (int16_t)cairn_get_u16(&r);
    a->elevation_m = cairn_get_u16(&r);
    a->tx_power_cdbm = (int16_t)cairn_get_u16(&r);
    cairn_err e = cairn_reader_done(&r);
    if (e)
        return e;
    if (a->lat_udeg < -HEXG_LAT_MAX || a->lat_udeg > HEXG_LAT_MAX ||
        a->lon_udeg < -HEXG_LON_MAX || a->lon_udeg >= HEXG_LON_MAX ||
        a->gain_cdbi < CAIRN_HOTSPOT_GAIN_MIN ||
        a->gain_cdbi > CAIRN_HOTSPOT_GAIN_MAX || a->tx_power_cdbm < 0 ||
        a->tx_power_cdbm > CAIRN_HOTSPOT_POWER_MAX)
        return CAIRN_ERR_BAD_BODY;
    return CAIRN_OK;
}

cairn_err cairn_poc_witness_encode(cairn_buf *b, const cairn_witness_report *w,
                                   size_t n)
{
    if (n < 1 || n > CAIRN_POC_WITNESS_MAX)
        return CAIRN_ERR_BAD_ARG;
    cairn_put_u8(b, (uint8_t)n);
    for (size_t i = 0; i < n; i++)
        cairn_witness_encode(b, &w[i]);
    return b->err;
}

cairn_err cairn_poc_witness_decode(cairn_witness_report *out, size_t *n,
                                   const uint8_t *p, size_t len)
{
    cairn_reader r;
    *n = 0;
    cairn_reader_init(&r, p, len);
    uint8_t k = cairn_get_u8(&r);
    if (r.err)
        return r.err;
    if (k < 1 || k > CAIRN_POC_WITNESS_MAX)
        return CAIRN_ERR_BAD_BODY;
    for (size_t i = 0; i < k; i++) {
        cairn_err e = cairn_witness_read(&r, &out[i]);
        if (e)
            return e;
    }
    cairn_err e = cairn_reader_done(&r);
    if (!e)
        *n = k;
    return e;
}

void cairn_poc_beacon_encode(cairn_buf *b, const cairn_poc_beacon *x)
{
    cairn_put_u64(b, x->epoch);
    cairn_put_bytes(b, x->sig.b, CAIRN_SIG_LEN);
    cairn_put_u64(b, x->time_ms);
    cairn_put_u64(b, x->freq_hz);
}

cairn_err cairn_poc_beacon_decode(cairn_poc_beacon *x, const uint8_t *p,
                                  size_t n)
{
    cairn_reader r;
    memset(x, 0, sizeof *x);
    cairn_reader_init(&r, p, n);
    x->epoch = cairn_get_u64(&r);
    cairn_get_bytes(&r, x->sig.b, CAIRN_SIG_LEN);
    x->time_ms = cairn_get_u64(&r);
    x->freq_hz = cairn_get_u64(&r);
    return cairn_reader_done(&r);
}

void cairn_poc_appeal_encode(cairn_buf *b, const cairn_poc_appeal *a)
{
    cairn_put_u8(b, a->type);
    cairn_put_bytes(b, a->beaconer.b, CAIRN_PK_LEN);
    cairn_put_u64(b, a->epoch);
    cairn_put_bytes(b, a->witness.b, CAIRN_PK_LEN);
    cairn_put_bytes(b, a->payload, CAIRN_BEACON_PAYLOAD_LEN);
}

cairn_err cairn_poc_appeal_decode(cairn_poc_appeal *a, const uint8_t *p,
                                  size_t n)
{
    cairn_reader r;
    memset(a, 0, sizeof *a);
    cairn_reader_init(&r, p, n);
    a->type = cairn_get_u8(&r);
    if (!r.err && a->type != CAIRN_APPEAL_NOT_REPORTED)
        return CAIRN_ERR_BAD_VERSION;
    cairn_get_bytes(&r, a->beaconer.b, CAIRN_PK_LEN);
    a->epoch = cairn_get_u64(&r);
    cairn_get_bytes(&r, a->witness.b, CAIRN_PK_LEN);
    cairn_get_bytes(&r, a->payload, CAIRN_BEACON_PAYLOAD_LEN);
    return cairn_reader_done(&r);
}
