/* The sensor sector's off-chain batch file (batch.h). */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sectors/wireless/hexgrid.h"
#include "sensor/batch.h"

#define CT_LEN(n) ((size_t)(n)*SBATCH_REC_LEN + SBATCH_TAG_LEN)
#define SECTION_LEN(n) (SBATCH_NONCE_LEN + CT_LEN(n))

static void le64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void le32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t rd64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static cairn_err failf(cairn_err e, char *why, size_t wl, const char *msg)
{
    if (why && wl)
        snprintf(why, wl, "%s", msg);
    return e;
}

static void derive(uint8_t out[SBATCH_KEY_LEN], const uint8_t s[SBATCH_KEY_LEN],
                   const char *label)
{
    crypto_generichash(out, SBATCH_KEY_LEN, (const uint8_t *)label,
                       strlen(label), s, SBATCH_KEY_LEN);
}

void sbatch_keys(const uint8_t s[SBATCH_KEY_LEN], uint8_t kloc[SBATCH_KEY_LEN],
                 uint8_t ktel[SBATCH_KEY_LEN])
{
    derive(kloc, s, "cairn-sensor-loc");
    derive(ktel, s, "cairn-sensor-tel");
}

cairn_err sbatch_grant_key(uint8_t out[SBATCH_KEY_LEN], uint32_t privileges,
                           const uint8_t s[SBATCH_KEY_LEN])
{
    switch (privileges) {
    case CAIRN_SENSOR_PRIV_ALL:
        memcpy(out, s, SBATCH_KEY_LEN);
        return CAIRN_OK;
    case CAIRN_SENSOR_PRIV_LOCATION:
        derive(out, s, "cairn-sensor-loc");
        return CAIRN_OK;
    case CAIRN_SENSOR_PRIV_TELEMETRY:
        derive(out, s, "cairn-sensor-tel");
        return CAIRN_OK;
    default:
        return CAIRN_ERR_BAD_ARG;
    }
}

static int pos_ok(int32_t lat, int32_t lon)
{
    return lat >= -HEXG_LAT_MAX && lat <= HEXG_LAT_MAX &&
           lon >= -HEXG_LON_MAX && lon < HEXG_LON_MAX;
}

cairn_err sbatch_check(const sbatch_reading *r, uint32_t n, char *why,
                       size_t wl)
{
    if (n == 0 || n > SBATCH_READINGS_MAX) {
        if (why && wl)
            snprintf(why, wl, "a batch holds 1..%u readings, not %u",
                     SBATCH_READINGS_MAX, n);
        return CAIRN_ERR_TOO_LARGE;
    }
    for (uint32_t i = 0; i < n; i++) {
        if (!pos_ok(r[i].lat_udeg, r[i].lon_udeg)) {
            if (why && wl)
                snprintf(why, wl,
                         "reading %u: position %d, %d udeg is out of range "
                         "(lat -90e6..90e6, lon -180e6..180e6)",
                         i, (int)r[i].lat_udeg, (int)r[i].lon_udeg);
            return CAIRN_ERR_BAD_ARG;
        }
        if (i && r[i].t_ms < r[i - 1].t_ms) {
            if (why && wl)
                snprintf(why, wl,
                         "reading %u: time %llu ms is before the one before "
                         "it (%llu): readings must be in time order",
                         i, (unsigned long long)r[i].t_ms,
                         (unsigned long long)r[i - 1].t_ms);
            return CAIRN_ERR_BAD_ARG;
        }
    }
    return CAIRN_OK;
}

/* Seals one section (records from r) at p: nonce ‖ cipher text. */
static cairn_err seal_section(uint8_t *p, const uint8_t *ad,
                              const uint8_t key[SBATCH_KEY_LEN],
                              const uint8_t nonce[SBATCH_NONCE_LEN],
                              const sbatch_reading *r, uint32_t n, int tel)
{
    uint8_t *plain = malloc((size_t)n * SBATCH_REC_LEN);
    if (!plain)
        return CAIRN_ERR_NOMEM;
    for (uint32_t i = 0; i < n; i++) {
        uint8_t *q = plain + (size_t)i * SBATCH_REC_LEN;
        le64(q, r[i].t_ms);
        if (tel) {
            le64(q + 8, (uint64_t)r[i].value);
        } else {
            le32(q + 8, (uint32_t)r[i].lat_udeg);
            le32(q + 12, (uint32_t)r[i].lon_udeg);
        }
    }
    memcpy(p, nonce, SBATCH_NONCE_LEN);
    unsigned long long clen;
    crypto_aead_xchacha20poly1305_ietf_encrypt(
        p + SBATCH_NONCE_LEN, &clen, plain, (size_t)n * SBATCH_REC_LEN, ad,
        SBATCH_HDR_LEN, NULL, nonce, key);
    sodium_memzero(plain, (size_t)n * SBATCH_REC_LEN);
    free(plain);
    return CAIRN_OK;
}

cairn_err sbatch_encode_with(uint8_t **out, size_t *len,
                             const uint8_t s[SBATCH_KEY_LEN],
                             const uint8_t nloc[SBATCH_NONCE_LEN],
                             const uint8_t ntel[SBATCH_NONCE_LEN],
                             const cairn_pubkey *device, uint64_t seq,
                             const sbatch_reading *r, uint32_t n, char *why,
                             size_t wl)
{
    uint8_t kloc[SBATCH_KEY_LEN], ktel[SBATCH_KEY_LEN];
    *out = NULL;
    *len = 0;
    cairn_err e = sbatch_check(r, n, why, wl);
    if (e)
        return e;
    size_t total = SBATCH_FILE_LEN(n);
    uint8_t *f = malloc(total);
    if (!f)
        return failf(CAIRN_ERR_NOMEM, why, wl, "out of memory");
    memcpy(f, SBATCH_MAGIC, 4);
    memcpy(f + 4, device->b, CAIRN_PK_LEN);
    le64(f + 36, seq);
    le32(f + 44, n);
    sbatch_keys(s, kloc, ktel);
    e = seal_section(f + SBATCH_HDR_LEN, f, kloc, nloc, r, n, 0);
    if (!e)
        e = seal_section(f + SBATCH_HDR_LEN + SECTION_LEN(n), f, ktel, ntel, r,
                         n, 1);
    sodium_memzero(kloc, sizeof kloc);
    sodium_memzero(ktel, sizeof ktel);
    if (e) {
        free(f);
        return failf(e, why, wl, "out of memory");
    }
    *out = f;
    *len = total;
    return CAIRN_OK;
}

cairn_err sbatch_encode(uint8_t **out, size_t *len, uint8_t s[SBATCH_KEY_LEN],
                        const cairn_pubkey *device, uint64_t seq,
                        const sbatch_reading *r, uint32_t n, char *why,
                        size_t wl)
{
    uint8_t nloc[SBATCH_NONCE_LEN], ntel[SBATCH_NONCE_LEN];
    randombytes_buf(s, SBATCH_KEY_LEN);
    randombytes_buf(nloc, sizeof nloc);
    randombytes_buf(ntel, sizeof ntel);
    cairn_err e =
        sbatch_encode_with(out, len, s, nloc, ntel, device, seq, r, n, why, wl);
    if (e)
        sodium_memzero(s, SBATCH_KEY_LEN);
    return e;
}

cairn_err sbatch_parse(sbatch_view *v, const uint8_t *d, size_t len, char *why,
                       size_t wl)
{
    memset(v, 0, sizeof *v);
    if (len < SBATCH_HDR_LEN)
        return failf(CAIRN_ERR_TRUNCATED, why, wl,
                     "a batch file is at least 48 bytes (magic, device, seq, "
                     "n): this one is cut short");
    if (memcmp(d, SBATCH_MAGIC, 4) != 0)
        return failf(CAIRN_ERR_BAD_BODY, why, wl,
                     "not a sensor batch file (it does not start with CSB1)");
    uint32_t n = rd32(d + 44);
    if (n == 0 || n > SBATCH_READINGS_MAX) {
        if (why && wl)
            snprintf(why, wl, "the batch file claims %u readings (1..%u)", n,
                     SBATCH_READINGS_MAX);
        return CAIRN_ERR_TOO_LARGE;
    }
    size_t want = SBATCH_FILE_LEN(n);
    if (len != want) {
        if (why && wl)
            snprintf(why, wl,
                     "a batch file of %u readings is %zu bytes, this one is "
                     "%zu",
                     n, want, len);
        return len < want ? CAIRN_ERR_TRUNCATED : CAIRN_ERR_TRAILING;
    }
    v->file = d;
    memcpy(v->device.b, d + 4, CAIRN_PK_LEN);
    v->seq = rd64(d + 36);
    v->n = n;
    v->loc = d + SBATCH_HDR_LEN;
    v->tel = v->loc + SECTION_LEN(n);
    return CAIRN_OK;
}

/* Decrypts one section into out (tel: t and value; else t, lat, lon);
 * have_t: compare times with what out holds. */
static cairn_err open_section(const sbatch_view *v, const uint8_t *sec,
                              const uint8_t key[SBATCH_KEY_LEN], int tel,
                              int have_t, sbatch_reading *out, char *why,
                              size_t wl)
{
    size_t plen = (size_t)v->n * SBATCH_REC_LEN;
    uint8_t *plain = malloc(plen);
    if (!plain)
        return failf(CAIRN_ERR_NOMEM, why, wl, "out of memory");
    unsigned long long got;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(
            plain, &got, NULL, sec + SBATCH_NONCE_LEN, CT_LEN(v->n), v->file,
            SBATCH_HDR_LEN, sec, key) != 0) {
        free(plain);
        if (why && wl)
            snprintf(why, wl,
                     "the %s section does not decrypt with this key (a key "
                     "for another batch or privilege, or changed bytes)",
                     tel ? "telemetry" : "location");
        return CAIRN_ERR_DECRYPT;
    }
    cairn_err e = CAIRN_OK;
    for (uint32_t i = 0; i < v->n && !e; i++) {
        const uint8_t *q = plain + (size_t)i * SBATCH_REC_LEN;
        uint64_t t = rd64(q);
        if (have_t && t != out[i].t_ms)
            e = failf(CAIRN_ERR_CORRUPT, why, wl,
                      "the location and telemetry sections disagree on a "
                      "reading's time");
        out[i].t_ms = t;
        if (tel) {
            out[i].value = (int64_t)rd64(q + 8);
        } else {
            out[i].lat_udeg = (int32_t)rd32(q + 8);
            out[i].lon_udeg = (int32_t)rd32(q + 12);
        }
    }
    sodium_memzero(plain, plen);
    free(plain);
    if (!e && sbatch_check(out, v->n, why, wl))
        e = CAIRN_ERR_CORRUPT;
    return e;
}

cairn_err sbatch_open(const sbatch_view *v, uint32_t privileges,
                      const uint8_t grant_key[SBATCH_KEY_LEN],
                      sbatch_reading *out, char *why, size_t wl)
{
    uint8_t kloc[SBATCH_KEY_LEN], ktel[SBATCH_KEY_LEN];
    cairn_err e = CAIRN_OK;
    memset(out, 0, (size_t)v->n * sizeof *out);
    switch (privileges) {
    case CAIRN_SENSOR_PRIV_ALL:
        sbatch_keys(grant_key, kloc, ktel);
        e = open_section(v, v->loc, kloc, 0, 0, out, why, wl);
        if (!e)
            e = open_section(v, v->tel, ktel, 1, 1, out, why, wl);
        break;
    case CAIRN_SENSOR_PRIV_LOCATION:
        e = open_section(v, v->loc, grant_key, 0, 0, out, why, wl);
        break;
    case CAIRN_SENSOR_PRIV_TELEMETRY:
        e = open_section(v, v->tel, grant_key, 1, 0, out, why, wl);
        break;
    default:
        e = failf(CAIRN_ERR_BAD_ARG, why, wl,
                  "privileges are 1 (location), 2 (telemetry) or 3 (all)");
    }
    sodium_memzero(kloc, sizeof kloc);
    sodium_memzero(ktel, sizeof ktel);
    if (e)
        sodium_memzero(out, (size_t)v->n * sizeof *out);
    return e;
}

void sbatch_content(cairn_hash *out, const uint8_t *file, size_t len)
{
    crypto_generichash(out->b, CAIRN_HASH_LEN, file, len, NULL, 0);
}

cairn_err sbatch_seal(uint8_t box[CAIRN_SENSOR_SEALED_LEN],
                      const cairn_pubkey *app,
                      const uint8_t file_key[SBATCH_KEY_LEN],
                      const uint8_t grant_key[SBATCH_KEY_LEN])
{
    uint8_t xpk[crypto_box_PUBLICKEYBYTES], m[SBATCH_SEALED_PLAIN];
    if (crypto_sign_ed25519_pk_to_curve25519(xpk, app->b) != 0)
        return CAIRN_ERR_BAD_KEY;
    memcpy(m, file_key, SBATCH_KEY_LEN);
    memcpy(m + SBATCH_KEY_LEN, grant_key, SBATCH_KEY_LEN);
    int rc = crypto_box_seal(box, m, sizeof m, xpk);
    sodium_memzero(m, sizeof m);
    return rc == 0 ? CAIRN_OK : CAIRN_ERR_BAD_KEY;
}

cairn_err sbatch_seal_open(uint8_t file_key[SBATCH_KEY_LEN],
                           uint8_t grant_key[SBATCH_KEY_LEN],
                           const uint8_t box[CAIRN_SENSOR_SEALED_LEN],
                           const cairn_keypair *app)
{
    uint8_t xpk[crypto_box_PUBLICKEYBYTES], xsk[crypto_box_SECRETKEYBYTES];
    uint8_t m[SBATCH_SEALED_PLAIN];
    if (crypto_sign_ed25519_pk_to_curve25519(xpk, app->pk.b) != 0)
        return CAIRN_ERR_BAD_KEY;
    crypto_sign_ed25519_sk_to_curve25519(xsk, app->sk);
    int rc = crypto_box_seal_open(m, box, CAIRN_SENSOR_SEALED_LEN, xpk, xsk);
    sodium_memzero(xsk, sizeof xsk);
    if (rc != 0)
        return CAIRN_ERR_DECRYPT;
    memcpy(file_key, m, SBATCH_KEY_LEN);
    memcpy(grant_key, m + SBATCH_KEY_LEN, SBATCH_KEY_LEN);
    sodium_memzero(m, sizeof m);
    return CAIRN_OK;
}

/* ---- tiles ---- */

int64_t sbatch_floor_div(__int128 a, int64_t b)
{
    __int128 q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0)))
        q -= 1;
    return (int64_t)q;
}

void sbatch_tiler_init(sbatch_tiler *t, unsigned res)
{
    memset(t, 0, sizeof *t);
    t->res = res;
}

cairn_err sbatch_tiler_cell(const sbatch_tiler *t, const sbatch_reading *r,
                            uint64_t *cell)
{
    return hexg_cell(r->lat_udeg, r->lon_udeg, t->res, cell);
}

cairn_err sbatch_tiler_add(sbatch_tiler *t, const sbatch_reading *r)
{
    uint64_t cell;
    if (hexg_cell(r->lat_udeg, r->lon_udeg, t->res, &cell))
        return CAIRN_ERR_BAD_ARG;
    if (t->n == 0)
        t->t0 = r->t_ms;
    if (r->t_ms < t->t0)
        return CAIRN_ERR_BAD_ARG;
    uint64_t off = r->t_ms - t->t0;
    if (off > UINT32_MAX)
        return CAIRN_ERR_TOO_LARGE;
    uint16_t i = 0;
    while (i < t->ntiles && t->cell[i] != cell)
        i++;
    if (i == t->ntiles) {
        if (t->ntiles == CAIRN_SENSOR_TILES_MAX)
            return CAIRN_ERR_TOO_LARGE;
        t->cell[i] = cell;
        t->enter_ms[i] = (uint32_t)off;
        t->points[i] = 0;
        t->sum[i] = 0;
        t->ntiles++;
    } else if (t->points[i] == UINT16_MAX) {
        return CAIRN_ERR_TOO_LARGE;
    }
    t->points[i]++;
    t->sum[i] += r->value;
    t->n++;
    return CAIRN_OK;
}

cairn_err sbatch_tiler_finish(const sbatch_tiler *t, int64_t quantum,
                              cairn_sensor_tile *tiles, uint16_t *ntiles)
{
    if (quantum < 1)
        return CAIRN_ERR_BAD_ARG;
    for (uint16_t i = 0; i < t->ntiles; i++) {
        int64_t mean = sbatch_floor_div(t->sum[i], t->points[i]);
        tiles[i].cell = t->cell[i];
        tiles[i].enter_ms = t->enter_ms[i];
        tiles[i].points = t->points[i];
        tiles[i].q = sbatch_floor_div(mean, quantum);
    }
    *ntiles = t->ntiles;
    return CAIRN_OK;
}

cairn_err sbatch_tiles(const sbatch_reading *r, uint32_t n, unsigned res,
                       int64_t quantum, cairn_sensor_tile *tiles,
                       uint16_t *ntiles)
{
    sbatch_tiler *t = malloc(sizeof *t);
    if (!t)
        return CAIRN_ERR_NOMEM;
    sbatch_tiler_init(t, res);
    cairn_err e = CAIRN_OK;
    for (uint32_t i = 0; i < n && !e; i++)
        e = sbatch_tiler_add(t, &r[i]);
    if (!e)
        e = sbatch_tiler_finish(t, quantum, tiles, ntiles);
    free(t);
    return e;
}
