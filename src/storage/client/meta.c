/* The storage client's metadata store (client/meta.h) on LMDB. */
#include <errno.h>
#include <lmdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/durable.h"
#include "cairn/codec.h"
#include "storage/client/meta.h"

#define MAP_SIZE (1ULL << 30) /* sparse; grows on disk only as used */
#define FILE_VERSION 1
#define PIECE_VERSION 1
#define FILE_KEY_LEN (1 + CMETA_ID_LEN)
#define PIECE_KEY_LEN (1 + CMETA_ID_LEN + 8)
#define REC_MAX 1024

struct cmeta {
    MDB_env *env;
    MDB_dbi db;
};

void cmeta_id_hex(char out[2 * CMETA_ID_LEN + 1],
                  const uint8_t id[CMETA_ID_LEN])
{
    cairn_hex_encode(out, id, CMETA_ID_LEN);
}

cairn_err cmeta_open(cmeta **out, const char *dir)
{
    MDB_txn *txn;
    *out = NULL;
    if (cairn_mkdirs(dir))
        return CAIRN_ERR_IO;
    cmeta *m = calloc(1, sizeof *m);
    if (!m)
        return CAIRN_ERR_NOMEM;
    if (mdb_env_create(&m->env) || mdb_env_set_mapsize(m->env, MAP_SIZE) ||
        mdb_env_open(m->env, dir, MDB_NOTLS, 0600) ||
        mdb_txn_begin(m->env, NULL, 0, &txn)) {
        cmeta_close(m);
        return CAIRN_ERR_DB;
    }
    if (mdb_dbi_open(txn, NULL, 0, &m->db) || mdb_txn_commit(txn)) {
        cmeta_close(m);
        return CAIRN_ERR_DB;
    }
    *out = m;
    return CAIRN_OK;
}

void cmeta_close(cmeta *m)
{
    if (!m)
        return;
    if (m->env)
        mdb_env_close(m->env);
    free(m);
}

/* ---- records ---- */

static void file_key(uint8_t k[FILE_KEY_LEN], const uint8_t id[CMETA_ID_LEN])
{
    k[0] = 'f';
    memcpy(k + 1, id, CMETA_ID_LEN);
}

static void piece_key(uint8_t k[PIECE_KEY_LEN], const uint8_t id[CMETA_ID_LEN],
                      uint32_t seg, uint32_t idx)
{
    k[0] = 'p';
    memcpy(k + 1, id, CMETA_ID_LEN);
    for (int i = 0; i < 4; i++) {
        k[1 + CMETA_ID_LEN + i] = (uint8_t)(seg >> (24 - 8 * i));
        k[5 + CMETA_ID_LEN + i] = (uint8_t)(idx >> (24 - 8 * i));
    }
}

static void file_encode(cairn_buf *b, const cmeta_file *f)
{
    cairn_put_u8(b, FILE_VERSION);
    cairn_put_bytes(b, f->tag.b, 32);
    cairn_put_u32(b, f->fi.p.k);
    cairn_put_u32(b, f->fi.p.n);
    cairn_put_u32(b, f->fi.p.segment_size);
    cairn_put_u64(b, f->fi.size);
    cairn_put_bytes(b, f->fi.nonce, CAIRN_FILE_NONCE_LEN);
    cairn_put_u64(b, f->created);
    cairn_put_u8(b, f->permanent);
    cairn_put_u64(b, f->epochs);
    cairn_put_var(b, f->name, (uint32_t)strlen(f->name));
}

static cairn_err file_decode(cmeta_file *f, const uint8_t *id, const MDB_val *v)
{
    cairn_reader r;
    const uint8_t *name;
    uint32_t nlen;
    memset(f, 0, sizeof *f);
    memcpy(f->id, id, CMETA_ID_LEN);
    cairn_reader_init(&r, v->mv_data, v->mv_size);
    uint8_t version = cairn_get_u8(&r);
    cairn_get_bytes(&r, f->tag.b, 32);
    f->fi.p.k = cairn_get_u32(&r);
    f->fi.p.n = cairn_get_u32(&r);
    f->fi.p.segment_size = cairn_get_u32(&r);
    f->fi.size = cairn_get_u64(&r);
    cairn_get_bytes(&r, f->fi.nonce, CAIRN_FILE_NONCE_LEN);
    f->created = cairn_get_u64(&r);
    f->permanent = cairn_get_u8(&r);
    f->epochs = cairn_get_u64(&r);
    cairn_get_var(&r, &name, &nlen, CMETA_NAME_MAX);
    if (cairn_reader_done(&r) || version != FILE_VERSION ||
        cairn_layout_params_check(&f->fi.p))
        return CAIRN_ERR_DB;
    memcpy(f->name, name, nlen);
    return CAIRN_OK;
}

static void piece_encode(cairn_buf *b, const cmeta_piece *p)
{
    cairn_put_u8(b, PIECE_VERSION);
    cairn_put_bytes(b, p->provider.b, 32);
    cairn_put_bytes(b, p->root.b, 32);
    cairn_put_u64(b, p->size);
    cairn_put_u64(b, p->deal);
    cairn_put_var(b, p->endpoint, (uint32_t)strlen(p->endpoint));
}

static cairn_err piece_decode(cmeta_piece *p, const MDB_val *k,
                              const MDB_val *v)
{
    cairn_reader r;
    const uint8_t *ep, *kb = k->mv_data;
    uint32_t elen;
    memset(p, 0, sizeof *p);
    for (int i = 0; i < 4; i++) {
        p->seg = p->seg << 8 | kb[1 + CMETA_ID_LEN + i];
        p->idx = p->idx << 8 | kb[5 + CMETA_ID_LEN + i];
    }
    cairn_reader_init(&r, v->mv_data, v->mv_size);
    uint8_t version = cairn_get_u8(&r);
    cairn_get_bytes(&r, p->provider.b, 32);
    cairn_get_bytes(&r, p->root.b, 32);
    p->size = cairn_get_u64(&r);
    p->deal = cairn_get_u64(&r);
    cairn_get_var(&r, &ep, &elen, CAIRN_ENDPOINT_MAX);
    if (cairn_reader_done(&r) || version != PIECE_VERSION)
        return CAIRN_ERR_DB;
    memcpy(p->endpoint, ep, elen);
    return CAIRN_OK;
}

/* ---- writes ---- */

static cairn_err put_rec(MDB_txn *txn, MDB_dbi db, void *key, size_t klen,
                         const cairn_buf *b)
{
    MDB_val k = {klen, key}, v = {b->len, b->p};
    if (b->err)
        return b->err;
    return mdb_put(txn, db, &k, &v, 0) ? CAIRN_ERR_DB : CAIRN_OK;
}

static cairn_err put_pieces(MDB_txn *txn, MDB_dbi db, const uint8_t *id,
                            const cmeta_piece *p, size_t n)
{
    cairn_buf b;
    uint8_t key[PIECE_KEY_LEN];
    cairn_err e = CAIRN_OK;
    cairn_buf_init(&b, REC_MAX);
    for (size_t i = 0; !e && i < n; i++) {
        cairn_buf_reset(&b);
        piece_encode(&b, &p[i]);
        piece_key(key, id, p[i].seg, p[i].idx);
        e = put_rec(txn, db, key, sizeof key, &b);
    }
    cairn_buf_free(&b);
    return e;
}

/* Commits txn when e is OK, else aborts it. */
static cairn_err finish(MDB_txn *txn, cairn_err e)
{
    if (e) {
        mdb_txn_abort(txn);
        return e;
    }
    return mdb_txn_commit(txn) ? CAIRN_ERR_DB : CAIRN_OK;
}

cairn_err cmeta_put(cmeta *m, const cmeta_file *f, const cmeta_piece *p,
                    size_t n)
{
    MDB_txn *txn;
    cairn_buf b;
    uint8_t key[FILE_KEY_LEN];
    if (mdb_txn_begin(m->env, NULL, 0, &txn))
        return CAIRN_ERR_DB;
    cairn_buf_init(&b, REC_MAX);
    file_encode(&b, f);
    file_key(key, f->id);
    cairn_err e = put_rec(txn, m->db, key, sizeof key, &b);
    cairn_buf_free(&b);
    if (!e)
        e = put_pieces(txn, m->db, f->id, p, n);
    return finish(txn, e);
}

cairn_err cmeta_put_pieces(cmeta *m, const uint8_t id[CMETA_ID_LEN],
                           const cmeta_piece *p, size_t n)
{
    MDB_txn *txn;
    if (mdb_txn_begin(m->env, NULL, 0, &txn))
        return CAIRN_ERR_DB;
    return finish(txn, put_pieces(txn, m->db, id, p, n));
}

/* ---- reads ---- */

/* Calls fn on every record whose key starts with prefix (plen bytes);
 * stops at the first error fn returns. */
typedef cairn_err (*rec_fn)(void *ctx, const MDB_val *k, const MDB_val *v);

static cairn_err scan(cmeta *m, const uint8_t *prefix, size_t plen, rec_fn fn,
                      void *ctx)
{
    MDB_txn *txn;
    MDB_cursor *cur;
    MDB_val k = {plen, (void *)prefix}, v;
    cairn_err e = CAIRN_OK;
    if (mdb_txn_begin(m->env, NULL, MDB_RDONLY, &txn))
        return CAIRN_ERR_DB;
    if (mdb_cursor_open(txn, m->db, &cur)) {
        mdb_txn_abort(txn);
        return CAIRN_ERR_DB;
    }
    int rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
    for (; !e && rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        if (k.mv_size < plen || memcmp(k.mv_data, prefix, plen) != 0)
            break;
        e = fn(ctx, &k, &v);
    }
    mdb_cursor_close(cur);
    mdb_txn_abort(txn);
    return e;
}

/* A growing array of records of `size` bytes. */
typedef struct grow {
    void *a;
    size_t n, cap, size;
    const char *prefix_hex; /* cmeta_find: the id prefix wanted */
} grow;

static void *grow_slot(grow *g)
{
    if (g->n == g->cap) {
        size_t nc = g->cap ? g->cap * 2 : 16;
        void *x = realloc(g->a, nc * g->size);
        if (!x)
            return NULL;
        g->a = x;
        g->cap = nc;
    }
    return (char *)g->a + g->size * g->n++;
}

static cairn_err file_rec(void *ctx, const MDB_val *k, const MDB_val *v)
{
    grow *g = ctx;
    char hex[2 * CMETA_ID_LEN + 1];
    if (k->mv_size != FILE_KEY_LEN)
        return CAIRN_OK;
    const uint8_t *id = (const uint8_t *)k->mv_data + 1;
    cmeta_id_hex(hex, id);
    if (g->prefix_hex &&
        strncmp(hex, g->prefix_hex, strlen(g->prefix_hex)) != 0)
        return CAIRN_OK;
    cmeta_file *f = grow_slot(g);
    if (!f)
        return CAIRN_ERR_NOMEM;
    return file_decode(f, id, v);
}

static cairn_err piece_rec(void *ctx, const MDB_val *k, const MDB_val *v)
{
    grow *g = ctx;
    if (k->mv_size != PIECE_KEY_LEN)
        return CAIRN_OK;
    cmeta_piece *p = grow_slot(g);
    return p ? piece_decode(p, k, v) : CAIRN_ERR_NOMEM;
}

cairn_err cmeta_list(cmeta *m, cmeta_file **out, size_t *n)
{
    grow g = {.size = sizeof(cmeta_file)};
    uint8_t prefix = 'f';
    cairn_err e = scan(m, &prefix, 1, file_rec, &g);
    if (e) {
        free(g.a);
        return e;
    }
    *out = g.a;
    *n = g.n;
    return CAIRN_OK;
}

cairn_err cmeta_find(cmeta *m, const char *prefix, cmeta_file *f)
{
    grow g = {.size = sizeof(cmeta_file), .prefix_hex = prefix};
    uint8_t key = 'f';
    size_t len = strlen(prefix);
    for (size_t i = 0; i < len; i++)
        if (!((prefix[i] >= '0' && prefix[i] <= '9') ||
              (prefix[i] >= 'a' && prefix[i] <= 'f')))
            return CAIRN_ERR_BAD_ARG;
    if (len < 4 || len > 2 * CMETA_ID_LEN)
        return CAIRN_ERR_BAD_ARG;
    cairn_err e = scan(m, &key, 1, file_rec, &g);
    if (!e && g.n == 0)
        e = CAIRN_ERR_NOT_FOUND;
    else if (!e && g.n > 1)
        e = CAIRN_ERR_DUPLICATE;
    if (!e)
        *f = *(cmeta_file *)g.a;
    free(g.a);
    return e;
}

cairn_err cmeta_pieces(cmeta *m, const uint8_t id[CMETA_ID_LEN],
                       cmeta_piece **out, size_t *n)
{
    grow g = {.size = sizeof(cmeta_piece)};
    uint8_t prefix[1 + CMETA_ID_LEN] = {'p'};
    memcpy(prefix + 1, id, CMETA_ID_LEN);
    cairn_err e = scan(m, prefix, sizeof prefix, piece_rec, &g);
    if (e) {
        free(g.a);
        return e;
    }
    *out = g.a;
    *n = g.n;
    return CAIRN_OK;
}

/* Deletes every record under prefix in txn. */
static cairn_err del_prefix(MDB_txn *txn, MDB_dbi db, const uint8_t *prefix,
                            size_t plen)
{
    MDB_cursor *cur;
    MDB_val k = {plen, (void *)prefix}, v;
    if (mdb_cursor_open(txn, db, &cur))
        return CAIRN_ERR_DB;
    int rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
    cairn_err e = CAIRN_OK;
    while (!e && rc == 0 && k.mv_size >= plen &&
           memcmp(k.mv_data, prefix, plen) == 0) {
        if (mdb_cursor_del(cur, 0))
            e = CAIRN_ERR_DB;
        else
            rc = mdb_cursor_get(cur, &k, &v, MDB_GET_CURRENT);
    }
    mdb_cursor_close(cur);
    return e;
}

cairn_err cmeta_delete(cmeta *m, const uint8_t id[CMETA_ID_LEN])
{
    MDB_txn *txn;
    uint8_t fk[FILE_KEY_LEN], pp[1 + CMETA_ID_LEN] = {'p'};
    file_key(fk, id);
    memcpy(pp + 1, id, CMETA_ID_LEN);
    if (mdb_txn_begin(m->env, NULL, 0, &txn))
        return CAIRN_ERR_DB;
    cairn_err e = del_prefix(txn, m->db, fk, sizeof fk);
    if (!e)
        e = del_prefix(txn, m->db, pp, sizeof pp);
    return finish(txn, e);
}

static const uint8_t last_key[] = "mlast_deal";

cairn_err cmeta_last_deal(cmeta *m, uint64_t *id)
{
    MDB_txn *txn;
    MDB_val k = {sizeof last_key - 1, (void *)last_key}, v;
    *id = 0;
    if (mdb_txn_begin(m->env, NULL, MDB_RDONLY, &txn))
        return CAIRN_ERR_DB;
    int rc = mdb_get(txn, m->db, &k, &v);
    if (rc == 0 && v.mv_size == 8) {
        cairn_reader r;
        cairn_reader_init(&r, v.mv_data, 8);
        *id = cairn_get_u64(&r);
    }
    mdb_txn_abort(txn);
    return rc == 0 || rc == MDB_NOTFOUND ? CAIRN_OK : CAIRN_ERR_DB;
}

cairn_err cmeta_set_last_deal(cmeta *m, uint64_t id)
{
    MDB_txn *txn;
    cairn_buf b;
    uint64_t old;
    cairn_err e = cmeta_last_deal(m, &old);
    if (e || old >= id)
        return e;
    if (mdb_txn_begin(m->env, NULL, 0, &txn))
        return CAIRN_ERR_DB;
    cairn_buf_init(&b, 8);
    cairn_put_u64(&b, id);
    e = put_rec(txn, m->db, (void *)last_key, sizeof last_key - 1, &b);
    cairn_buf_free(&b);
    return finish(txn, e);
}
