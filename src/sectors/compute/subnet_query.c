/* Read-only queries of subnets over committed state (include/cairn/subnet.h):
 * the list, one subnet by id or name, its members, its last epoch's result
 * and its validators' commit-reveal status. Each opens its own read txn. */
#include <string.h>

#include "ledger/view.h"
#include "sectors/compute/subnet.h"

typedef cairn_err (*txn_fn)(MDB_txn *txn, const store *s, void *arg);

static cairn_err with_txn(cairn_chain *c, txn_fn fn, void *arg)
{
    MDB_txn *txn;
    cairn_err e = chain_read_begin(c, &txn);
    if (e)
        return e;
    e = fn(txn, chain_store(c), arg);
    mdb_txn_abort(txn);
    return e;
}

typedef struct list_arg {
    uint32_t after;
    cairn_subnet_info *out;
    size_t max, *n;
    int *more;
} list_arg;

/* Ids are sequential from 1 and never removed: read after+1, after+2, ... */
static cairn_err list_fn(MDB_txn *txn, const store *s, void *arg)
{
    list_arg *a = arg;
    cairn_subnet_info sn;
    for (uint64_t id = (uint64_t)a->after + 1; id <= UINT32_MAX; id++) {
        cairn_err e = subnet_read(txn, s, (uint32_t)id, &sn);
        if (e == CAIRN_ERR_NO_SUBNET)
            return CAIRN_OK;
        if (e)
            return e;
        if (*a->n == a->max) {
            *a->more = 1;
            return CAIRN_OK;
        }
        a->out[(*a->n)++] = sn;
    }
    return CAIRN_OK;
}

cairn_err cairn_chain_subnets(cairn_chain *c, uint32_t after,
                              cairn_subnet_info *out, size_t max, size_t *n,
                              int *more)
{
    list_arg a = {after, out, max, n, more};
    *n = 0;
    *more = 0;
    return with_txn(c, list_fn, &a);
}

typedef struct one_arg {
    uint32_t id;
    const char *name;
    cairn_subnet_info *out;
} one_arg;

static cairn_err one_fn(MDB_txn *txn, const store *s, void *arg)
{
    one_arg *a = arg;
    cairn_err e =
        a->name ? subnet_find_name(txn, s, a->name, &a->id) : CAIRN_OK;
    return e ? e : subnet_read(txn, s, a->id, a->out);
}

cairn_err cairn_chain_subnet(cairn_chain *c, uint32_t id,
                             cairn_subnet_info *out)
{
    one_arg a = {id, NULL, out};
    return with_txn(c, one_fn, &a);
}

cairn_err cairn_chain_subnet_by_name(cairn_chain *c, const char *name,
                                     cairn_subnet_info *out)
{
    one_arg a = {0, name, out};
    return with_txn(c, one_fn, &a);
}

typedef struct members_arg {
    uint32_t id;
    cairn_subnet_member *out;
    size_t max, *n;
} members_arg;

static cairn_err members_fn(MDB_txn *txn, const store *s, void *arg)
{
    members_arg *a = arg;
    cairn_subnet_info sn;
    cairn_err e = subnet_read(txn, s, a->id, &sn);
    for (uint16_t j = 0; !e && j < sn.miners && *a->n < a->max; j++)
        if (!(e = member_read(txn, s, a->id, CAIRN_ROLE_MINER, j,
                              &a->out[*a->n])))
            (*a->n)++;
    for (uint16_t i = 0; !e && i < sn.validators && *a->n < a->max; i++)
        if (!(e = member_read(txn, s, a->id, CAIRN_ROLE_VALIDATOR, i,
                              &a->out[*a->n])))
            (*a->n)++;
    return e;
}

cairn_err cairn_chain_subnet_members(cairn_chain *c, uint32_t id,
                                     cairn_subnet_member *out, size_t max,
                                     size_t *n)
{
    members_arg a = {id, out, max, n};
    *n = 0;
    return with_txn(c, members_fn, &a);
}

/* Decodes a result record (subnet.h) into r. */
static cairn_err result_decode(cairn_subnet_result *r, const uint8_t *v,
                               size_t len)
{
    if (len < RESULT_HEAD_LEN || v[0] != 1)
        return CAIRN_ERR_DB;
    memset(r, 0, sizeof *r);
    r->epoch = cairn_le64_get(v + 1);
    r->emission = cairn_le64_get(v + 9);
    r->owner_pay = cairn_le64_get(v + 17);
    r->unpaid = cairn_le64_get(v + 25);
    r->miners = sn_le16_get(v + 33);
    r->validators = sn_le16_get(v + 35);
    if (r->miners > CAIRN_SUBNET_MAX_MINERS ||
        r->validators > CAIRN_SUBNET_MAX_VALIDATORS ||
        len != RESULT_HEAD_LEN + 16 * (size_t)r->miners +
                   20 * (size_t)r->validators)
        return CAIRN_ERR_DB;
    const uint8_t *p = v + RESULT_HEAD_LEN;
    for (uint16_t j = 0; j < r->miners; j++, p += 16) {
        r->consensus[j] = cairn_le32_get(p);
        r->incentive[j] = cairn_le32_get(p + 4);
        r->miner_pay[j] = cairn_le64_get(p + 8);
    }
    for (uint16_t i = 0; i < r->validators; i++, p += 20) {
        r->dividend[i] = cairn_le32_get(p);
        r->validator_pay[i] = cairn_le64_get(p + 4);
        r->bond_sum[i] = cairn_le64_get(p + 12);
    }
    return CAIRN_OK;
}

typedef struct result_arg {
    uint32_t id;
    cairn_subnet_result *out;
} result_arg;

static cairn_err result_fn(MDB_txn *txn, const store *s, void *arg)
{
    result_arg *a = arg;
    cairn_subnet_info sn;
    uint8_t k[4];
    MDB_val v;
    cairn_err e = subnet_read(txn, s, a->id, &sn);
    sn_be32_put(k, a->id);
    if (!e)
        e = state_get(txn, s, STATE_SUBNET_YUMA, k, 4, &v);
    return e ? e : result_decode(a->out, v.mv_data, v.mv_size);
}

cairn_err cairn_chain_subnet_result(cairn_chain *c, uint32_t id,
                                    cairn_subnet_result *out)
{
    result_arg a = {id, out};
    return with_txn(c, result_fn, &a);
}

typedef struct weights_arg {
    uint32_t id;
    cairn_subnet_weights_status *out;
    size_t max, *n;
} weights_arg;

/* The newest commit epoch of validator uid (UINT64_MAX when none). */
static cairn_err newest_commit(MDB_txn *txn, const store *s, uint32_t id,
                               uint16_t uid, uint64_t *epoch)
{
    MDB_cursor *cur;
    uint8_t pre[7] = {STATE_SUBNET_WEIGHTS};
    MDB_val k = {7, pre}, v;
    sn_be32_put(pre + 1, id);
    pre[5] = (uint8_t)(uid >> 8);
    pre[6] = (uint8_t)uid;
    *epoch = UINT64_MAX;
    if (mdb_cursor_open(txn, s->state, &cur))
        return CAIRN_ERR_DB;
    int rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
    for (; rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        if (k.mv_size < 7 || memcmp(k.mv_data, pre, 7) != 0)
            break;
        if (k.mv_size == 15)
            *epoch = cairn_be64_get((const uint8_t *)k.mv_data + 7);
    }
    mdb_cursor_close(cur);
    return rc == 0 || rc == MDB_NOTFOUND ? CAIRN_OK : CAIRN_ERR_DB;
}

static cairn_err weights_fn(MDB_txn *txn, const store *s, void *arg)
{
    weights_arg *a = arg;
    cairn_subnet_info sn;
    cairn_err e = subnet_read(txn, s, a->id, &sn);
    for (uint16_t i = 0; !e && i < sn.validators && *a->n < a->max; i++) {
        cairn_subnet_weights_status *w = &a->out[*a->n];
        uint8_t k[6];
        MDB_val v;
        memset(w, 0, sizeof *w);
        w->uid = i;
        w->reveal_epoch = UINT64_MAX;
        if ((e = newest_commit(txn, s, a->id, i, &w->commit_epoch)))
            break;
        sn_be32_put(k, a->id);
        k[4] = (uint8_t)(i >> 8);
        k[5] = (uint8_t)i;
        e = state_get(txn, s, STATE_SUBNET_WEIGHTS, k, 6, &v);
        if (e == CAIRN_OK && v.mv_size >= 10) {
            const uint8_t *p = v.mv_data;
            w->reveal_epoch = cairn_le64_get(p);
            w->reveal_count = sn_le16_get(p + 8);
            if (w->reveal_count > CAIRN_SUBNET_MAX_MINERS ||
                v.mv_size != 10 + 4 * (size_t)w->reveal_count)
                return CAIRN_ERR_DB;
            w->row.n = w->reveal_count;
            for (uint16_t j = 0; j < w->row.n; j++) {
                w->row.e[j].uid = sn_le16_get(p + 10 + 4 * j);
                w->row.e[j].w = sn_le16_get(p + 12 + 4 * j);
            }
        }
        e = e == CAIRN_ERR_NOT_FOUND ? CAIRN_OK : e;
        (*a->n)++;
    }
    return e;
}

cairn_err cairn_chain_subnet_weights(cairn_chain *c, uint32_t id,
                                     cairn_subnet_weights_status *out,
                                     size_t max, size_t *n)
{
    weights_arg a = {id, out, max, n};
    *n = 0;
    return with_txn(c, weights_fn, &a);
}
