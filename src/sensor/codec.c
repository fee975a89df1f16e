/* The sensor sector's wire formats: the pairing message, signed batch
 * headers and the 0x70..0x77 transaction bodies (include/cairn/sensor.h).
 * Pure codecs: no state, no clock. */
#include "cairn/sensor.h"

#include <string.h>

#include "compute/verify/chain_id.h"

#define PAIR_DOMAIN "cairn/sensor/pair/v1"
#define BATCH_DOMAIN "cairn/sensor/batch/v1"

/* The largest header: fixed fields, every tile and every sealed key. */
#define TILE_LEN (8 + 4 + 2 + 8)
#define KEY_LEN (CAIRN_PK_LEN + CAIRN_SENSOR_SEALED_LEN)
#define HEADER_MAX                                                             \
    (CAIRN_PK_LEN + 4 * 8 + CAIRN_HASH_LEN + CAIRN_SENSOR_FILE_ID_LEN + 4 +    \
     2 + CAIRN_SENSOR_TILES_MAX * TILE_LEN + 2 +                               \
     CAIRN_SENSOR_KEYS_MAX * KEY_LEN)
#define BATCH_MSG_MAX (sizeof BATCH_DOMAIN + CAIRN_CHAIN_ID_MAX + HEADER_MAX)

/* Writes the domain prefix "domain ‖ u8 len ‖ chain_id" into b. BAD_ARG on
 * an invalid chain id (nothing written). */
static cairn_err put_domain(cairn_buf *b, const char *domain, size_t dlen,
                            const char *chain_id)
{
    if (!chain_id)
        return CAIRN_ERR_BAD_ARG;
    size_t len = strnlen(chain_id, CAIRN_CHAIN_ID_MAX + 1);
    if (!cv_chain_id_ok(chain_id, len))
        return CAIRN_ERR_BAD_ARG;
    cairn_put_bytes(b, domain, dlen);
    cairn_put_u8(b, (uint8_t)len);
    cairn_put_bytes(b, chain_id, len);
    return b->err;
}

/* ---- pairing ---- */

#define PAIR_MSG_MAX                                                           \
    (sizeof PAIR_DOMAIN + CAIRN_CHAIN_ID_MAX + 2 * CAIRN_PK_LEN + 4)

/* The pairing message into b. BAD_ARG on an invalid chain id. */
static cairn_err pair_msg(cairn_buf *b, const char *chain_id,
                          const cairn_pubkey *owner, const cairn_pubkey *device,
                          uint32_t generation)
{
    cairn_err e = put_domain(b, PAIR_DOMAIN, sizeof PAIR_DOMAIN - 1, chain_id);
    if (e)
        return e;
    cairn_put_bytes(b, owner->b, CAIRN_PK_LEN);
    cairn_put_bytes(b, device->b, CAIRN_PK_LEN);
    cairn_put_u32(b, generation);
    return b->err;
}

cairn_err cairn_sensor_pair_sign(cairn_sig *sig, const char *chain_id,
                                 const cairn_pubkey *owner, uint32_t generation,
                                 const cairn_keypair *device)
{
    cairn_buf b;
    cairn_buf_init(&b, PAIR_MSG_MAX);
    cairn_err e = pair_msg(&b, chain_id, owner, &device->pk, generation);
    if (!e)
        cairn_sign(sig, b.p, b.len, device);
    cairn_buf_free(&b);
    return e;
}

cairn_err cairn_sensor_pair_verify(const cairn_sig *sig, const char *chain_id,
                                   const cairn_pubkey *owner,
                                   const cairn_pubkey *device,
                                   uint32_t generation)
{
    cairn_buf b;
    cairn_buf_init(&b, PAIR_MSG_MAX);
    cairn_err e = pair_msg(&b, chain_id, owner, device, generation);
    if (e)
        e = CAIRN_ERR_BAD_SIG;
    else if (cairn_verify(sig, b.p, b.len, device) != CAIRN_OK)
        e = CAIRN_ERR_BAD_SIG;
    cairn_buf_free(&b);
    return e;
}

void cairn_sensor_pair_encode(cairn_buf *b, const cairn_sensor_pair *p)
{
    cairn_put_bytes(b, p->device.b, CAIRN_PK_LEN);
    cairn_put_u32(b, p->generation);
    cairn_put_bytes(b, p->sig.b, CAIRN_SIG_LEN);
}

cairn_err cairn_sensor_pair_decode(cairn_sensor_pair *p, const uint8_t *d,
                                   size_t n)
{
    cairn_reader r;
    memset(p, 0, sizeof *p);
    cairn_reader_init(&r, d, n);
    cairn_get_bytes(&r, p->device.b, CAIRN_PK_LEN);
    p->generation = cairn_get_u32(&r);
    cairn_get_bytes(&r, p->sig.b, CAIRN_SIG_LEN);
    return cairn_reader_done(&r);
}

/* ---- batches ---- */

void cairn_sensor_batch_header_encode(cairn_buf *out,
                                      const cairn_sensor_batch *b)
{
    cairn_put_bytes(out, b->device.b, CAIRN_PK_LEN);
    cairn_put_u64(out, b->seq);
    cairn_put_u64(out, b->ref_height);
    cairn_put_u64(out, b->t_from_ms);
    cairn_put_u64(out, b->t_to_ms);
    cairn_put_bytes(out, b->content.b, CAIRN_HASH_LEN);
    cairn_put_bytes(out, b->file_id, CAIRN_SENSOR_FILE_ID_LEN);
    cairn_put_u32(out, b->readings);
    uint16_t nt =
        b->ntiles > CAIRN_SENSOR_TILES_MAX ? CAIRN_SENSOR_TILES_MAX : b->ntiles;
    cairn_put_u16(out, b->ntiles);
    for (uint16_t i = 0; i < nt; i++) {
        const cairn_sensor_tile *t = &b->tiles[i];
        cairn_put_u64(out, t->cell);
        cairn_put_u32(out, t->enter_ms);
        cairn_put_u16(out, t->points);
        cairn_put_u64(out, (uint64_t)t->q);
    }
    uint16_t nk =
        b->nkeys > CAIRN_SENSOR_KEYS_MAX ? CAIRN_SENSOR_KEYS_MAX : b->nkeys;
    cairn_put_u16(out, b->nkeys);
    for (uint16_t i = 0; i < nk; i++) {
        cairn_put_bytes(out, b->keys[i].app.b, CAIRN_PK_LEN);
        cairn_put_bytes(out, b->keys[i].box, CAIRN_SENSOR_SEALED_LEN);
    }
}

/* The signed batch message into m. BAD_ARG on an invalid chain id. */
static cairn_err batch_msg(cairn_buf *m, const cairn_sensor_batch *b,
                           const char *chain_id)
{
    cairn_err e =
        put_domain(m, BATCH_DOMAIN, sizeof BATCH_DOMAIN - 1, chain_id);
    if (e)
        return e;
    cairn_sensor_batch_header_encode(m, b);
    return m->err;
}

cairn_err cairn_sensor_batch_sign(cairn_sensor_batch *b, const char *chain_id,
                                  const cairn_keypair *device)
{
    cairn_buf m;
    cairn_buf_init(&m, BATCH_MSG_MAX);
    cairn_err e = batch_msg(&m, b, chain_id);
    if (!e)
        cairn_sign(&b->sig, m.p, m.len, device);
    cairn_buf_free(&m);
    return e == CAIRN_ERR_TOO_LARGE ? CAIRN_ERR_BAD_ARG : e;
}

cairn_err cairn_sensor_batch_verify(const cairn_sensor_batch *b,
                                    const char *chain_id)
{
    cairn_buf m;
    cairn_buf_init(&m, BATCH_MSG_MAX);
    cairn_err e = batch_msg(&m, b, chain_id);
    if (e == CAIRN_ERR_NOMEM)
        ; /* out of memory: say so */
    else if (e || cairn_verify(&b->sig, m.p, m.len, &b->device) != CAIRN_OK)
        e = CAIRN_ERR_BAD_SIG;
    cairn_buf_free(&m);
    return e;
}

void cairn_sensor_batch_encode(cairn_buf *out, const cairn_sensor_batch *b)
{
    cairn_sensor_batch_header_encode(out, b);
    cairn_put_bytes(out, b->sig.b, CAIRN_SIG_LEN);
}

cairn_err cairn_sensor_batch_decode(cairn_sensor_batch *b, const uint8_t *d,
                                    size_t n)
{
    cairn_reader r;
    memset(b, 0, sizeof *b);
    cairn_reader_init(&r, d, n);
    cairn_get_bytes(&r, b->device.b, CAIRN_PK_LEN);
    b->seq = cairn_get_u64(&r);
    b->ref_height = cairn_get_u64(&r);
    b->t_from_ms = cairn_get_u64(&r);
    b->t_to_ms = cairn_get_u64(&r);
    if (!r.err && b->t_from_ms > b->t_to_ms)
        return CAIRN_ERR_BAD_BODY;
    cairn_get_bytes(&r, b->content.b, CAIRN_HASH_LEN);
    cairn_get_bytes(&r, b->file_id, CAIRN_SENSOR_FILE_ID_LEN);
    b->readings = cairn_get_u32(&r);
    uint16_t nt = cairn_get_u16(&r);
    if (r.err)
        return r.err;
    if (nt < 1 || nt > CAIRN_SENSOR_TILES_MAX)
        return CAIRN_ERR_BAD_BODY;
    b->ntiles = nt;
    for (uint16_t i = 0; i < nt; i++) {
        cairn_sensor_tile *t = &b->tiles[i];
        t->cell = cairn_get_u64(&r);
        t->enter_ms = cairn_get_u32(&r);
        t->points = cairn_get_u16(&r);
        t->q = (int64_t)cairn_get_u64(&r);
    }
    uint16_t nk = cairn_get_u16(&r);
    if (r.err)
        return r.err;
    if (nk > CAIRN_SENSOR_KEYS_MAX)
        return CAIRN_ERR_BAD_BODY;
    b->nkeys = nk;
    for (uint16_t i = 0; i < nk; i++) {
        cairn_get_bytes(&r, b->keys[i].app.b, CAIRN_PK_LEN);
        cairn_get_bytes(&r, b->keys[i].box, CAIRN_SENSOR_SEALED_LEN);
    }
    cairn_get_bytes(&r, b->sig.b, CAIRN_SIG_LEN);
    return cairn_reader_done(&r);
}

/* ---- the other bodies ---- */

/* Two public keys (TRANSFER and REVOKE). */
static void put_two(cairn_buf *b, const cairn_pubkey *x, const cairn_pubkey *y)
{
    cairn_put_bytes(b, x->b, CAIRN_PK_LEN);
    cairn_put_bytes(b, y->b, CAIRN_PK_LEN);
}

static cairn_err get_two(cairn_pubkey *x, cairn_pubkey *y, const uint8_t *d,
                         size_t n)
{
    cairn_reader r;
    memset(x, 0, sizeof *x);
    memset(y, 0, sizeof *y);
    cairn_reader_init(&r, d, n);
    cairn_get_bytes(&r, x->b, CAIRN_PK_LEN);
    cairn_get_bytes(&r, y->b, CAIRN_PK_LEN);
    return cairn_reader_done(&r);
}

void cairn_sensor_transfer_encode(cairn_buf *b, const cairn_pubkey *device,
                                  const cairn_pubkey *new_owner)
{
    put_two(b, device, new_owner);
}

cairn_err cairn_sensor_transfer_decode(cairn_pubkey *device,
                                       cairn_pubkey *new_owner,
                                       const uint8_t *d, size_t n)
{
    return get_two(device, new_owner, d, n);
}

void cairn_sensor_revoke_encode(cairn_buf *b, const cairn_pubkey *device,
                                const cairn_pubkey *app)
{
    put_two(b, device, app);
}

cairn_err cairn_sensor_revoke_decode(cairn_pubkey *device, cairn_pubkey *app,
                                     const uint8_t *d, size_t n)
{
    return get_two(device, app, d, n);
}

void cairn_sensor_grant_encode(cairn_buf *b, const cairn_sensor_grant *g)
{
    put_two(b, &g->device, &g->app);
    cairn_put_u32(b, g->privileges);
    cairn_put_u64(b, g->expiry_epoch);
    cairn_put_u64(b, g->price);
}

cairn_err cairn_sensor_grant_decode(cairn_sensor_grant *g, const uint8_t *d,
                                    size_t n)
{
    cairn_reader r;
    memset(g, 0, sizeof *g);
    cairn_reader_init(&r, d, n);
    cairn_get_bytes(&r, g->device.b, CAIRN_PK_LEN);
    cairn_get_bytes(&r, g->app.b, CAIRN_PK_LEN);
    g->privileges = cairn_get_u32(&r);
    g->expiry_epoch = cairn_get_u64(&r);
    g->price = cairn_get_u64(&r);
    cairn_err e = cairn_reader_done(&r);
    if (e)
        return e;
    if (g->privileges == 0 ||
        (g->privileges & ~(uint32_t)CAIRN_SENSOR_PRIV_ALL))
        return CAIRN_ERR_BAD_BODY;
    return CAIRN_OK;
}

void cairn_sensor_pay_encode(cairn_buf *b, const cairn_sensor_pay *p)
{
    cairn_put_bytes(b, p->device.b, CAIRN_PK_LEN);
    cairn_put_u32(b, p->periods);
    cairn_put_u64(b, p->max_price);
}

cairn_err cairn_sensor_pay_decode(cairn_sensor_pay *p, const uint8_t *d,
                                  size_t n)
{
    cairn_reader r;
    memset(p, 0, sizeof *p);
    cairn_reader_init(&r, d, n);
    cairn_get_bytes(&r, p->device.b, CAIRN_PK_LEN);
    p->periods = cairn_get_u32(&r);
    p->max_price = cairn_get_u64(&r);
    cairn_err e = cairn_reader_done(&r);
    if (e)
        return e;
    return p->periods == 0 ? CAIRN_ERR_BAD_BODY : CAIRN_OK;
}

void cairn_sensor_bounty_encode(cairn_buf *b, const cairn_sensor_bounty *x)
{
    cairn_put_u64(b, x->cell);
    cairn_put_u64(b, x->amount);
    cairn_put_u32(b, x->epochs);
}

cairn_err cairn_sensor_bounty_decode(cairn_sensor_bounty *x, const uint8_t *d,
                                     size_t n)
{
    cairn_reader r;
    memset(x, 0, sizeof *x);
    cairn_reader_init(&r, d, n);
    x->cell = cairn_get_u64(&r);
    x->amount = cairn_get_u64(&r);
    x->epochs = cairn_get_u32(&r);
    cairn_err e = cairn_reader_done(&r);
    if (e)
        return e;
    return x->amount == 0 || x->epochs == 0 ? CAIRN_ERR_BAD_BODY : CAIRN_OK;
}

void cairn_sensor_map_read_encode(cairn_buf *b, uint64_t cell)
{
    cairn_put_u64(b, cell);
}

cairn_err cairn_sensor_map_read_decode(uint64_t *cell, const uint8_t *d,
                                       size_t n)
{
    cairn_reader r;
    cairn_reader_init(&r, d, n);
    *cell = cairn_get_u64(&r);
    return cairn_reader_done(&r);
}
