/* Subnet and member records (tags 0x6B, 0x6C): encode, decode, read,
 * write, and the lookups other compute kinds use (subnet.h). */
#include <string.h>

#include "cairn/amount.h"
#include "sectors/compute/subnet.h"

static void subnet_encode(uint8_t v[SUBNET_REC_LEN],
                          const cairn_subnet_info *sn)
{
    size_t len = strnlen(sn->name, CAIRN_SUBNET_NAME_MAX);
    memset(v, 0, SUBNET_REC_LEN);
    v[0] = 1;
    v[1] = sn->type;
    memcpy(v + 2, sn->owner.b, 32);
    v[34] = (uint8_t)len;
    memcpy(v + 35, sn->name, len);
    sn_le16_put(v + 51, sn->miners);
    sn_le16_put(v + 53, sn->validators);
    cairn_le64_put(v + 55, sn->locked);
    cairn_le64_put(v + 63, sn->created_height);
}

static cairn_err subnet_decode(cairn_subnet_info *sn, const uint8_t *v,
                               size_t n)
{
    if (n != SUBNET_REC_LEN || v[0] != 1 || v[34] < 1 ||
        v[34] > CAIRN_SUBNET_NAME_MAX)
        return CAIRN_ERR_DB;
    sn->type = v[1];
    memcpy(sn->owner.b, v + 2, 32);
    memset(sn->name, 0, sizeof sn->name);
    memcpy(sn->name, v + 35, v[34]);
    sn->miners = sn_le16_get(v + 51);
    sn->validators = sn_le16_get(v + 53);
    sn->locked = cairn_le64_get(v + 55);
    sn->created_height = cairn_le64_get(v + 63);
    return CAIRN_OK;
}

cairn_err subnet_read(MDB_txn *txn, const store *s, uint32_t id,
                      cairn_subnet_info *out)
{
    uint8_t k[4];
    MDB_val v;
    sn_be32_put(k, id);
    cairn_err e = state_get(txn, s, STATE_SUBNET, k, 4, &v);
    if (e)
        return e == CAIRN_ERR_NOT_FOUND ? CAIRN_ERR_NO_SUBNET : e;
    out->id = id;
    return subnet_decode(out, v.mv_data, v.mv_size);
}

cairn_err subnet_put(exec_ctx *x, const cairn_subnet_info *sn)
{
    uint8_t k[4], v[SUBNET_REC_LEN];
    sn_be32_put(k, sn->id);
    subnet_encode(v, sn);
    return state_put(x->w, x->s, STATE_SUBNET, k, 4, v, sizeof v);
}

static void name_key(uint8_t k[CAIRN_SUBNET_NAME_MAX], const char *name)
{
    memset(k, 0, CAIRN_SUBNET_NAME_MAX);
    memcpy(k, name, strnlen(name, CAIRN_SUBNET_NAME_MAX));
}

cairn_err subnet_find_name(MDB_txn *txn, const store *s, const char *name,
                           uint32_t *id)
{
    uint8_t k[CAIRN_SUBNET_NAME_MAX];
    MDB_val v;
    if (!cairn_subnet_name_ok(name))
        return CAIRN_ERR_NO_SUBNET;
    name_key(k, name);
    cairn_err e = state_get(txn, s, STATE_SUBNET, k, sizeof k, &v);
    if (e)
        return e == CAIRN_ERR_NOT_FOUND ? CAIRN_ERR_NO_SUBNET : e;
    if (v.mv_size != 4)
        return CAIRN_ERR_DB;
    *id = cairn_le32_get(v.mv_data);
    return CAIRN_OK;
}

cairn_err subnet_name_put(exec_ctx *x, const char *name, uint32_t id)
{
    uint8_t k[CAIRN_SUBNET_NAME_MAX], v[4];
    name_key(k, name);
    cairn_le32_put(v, id);
    return state_put(x->w, x->s, STATE_SUBNET, k, sizeof k, v, 4);
}

static cairn_err visit_count(void *arg, const uint8_t *kp, size_t klen,
                             const uint8_t *vp, size_t vlen)
{
    uint32_t *n = arg;
    (void)kp;
    (void)vp;
    (void)vlen;
    if (klen == 5)
        (*n)++;
    return CAIRN_OK;
}

cairn_err subnet_next_id(MDB_txn *txn, const store *s, uint32_t *id)
{
    uint32_t n = 0;
    cairn_err e = state_scan(txn, s, STATE_SUBNET, visit_count, &n);
    if (!e && n == UINT32_MAX)
        return CAIRN_ERR_OVERFLOW;
    *id = n + 1;
    return e;
}

/* ---- members ---- */

static void member_key(uint8_t k[7], uint32_t subnet, uint8_t role,
                       uint16_t uid)
{
    sn_be32_put(k, subnet);
    k[4] = role;
    k[5] = (uint8_t)(uid >> 8);
    k[6] = (uint8_t)uid;
}

static cairn_err member_decode(cairn_subnet_member *m, const uint8_t *v,
                               size_t n)
{
    if (n != MEMBER_REC_LEN || v[32] > 1)
        return CAIRN_ERR_DB;
    memcpy(m->address.b, v, 32);
    m->active = v[32];
    m->stake = cairn_le64_get(v + 33);
    m->joined_epoch = cairn_le64_get(v + 41);
    m->unlock_epoch = cairn_le64_get(v + 49);
    return CAIRN_OK;
}

cairn_err member_read(MDB_txn *txn, const store *s, uint32_t subnet,
                      uint8_t role, uint16_t uid, cairn_subnet_member *out)
{
    uint8_t k[7];
    MDB_val v;
    member_key(k, subnet, role, uid);
    cairn_err e = state_get(txn, s, STATE_SUBNET_MEMBER, k, 7, &v);
    if (e)
        return e == CAIRN_ERR_NOT_FOUND ? CAIRN_ERR_NOT_MEMBER : e;
    out->role = role;
    out->uid = uid;
    return member_decode(out, v.mv_data, v.mv_size);
}

cairn_err member_put(exec_ctx *x, uint32_t subnet, const cairn_subnet_member *m)
{
    uint8_t k[7], v[MEMBER_REC_LEN], ak[36], av[3];
    member_key(k, subnet, m->role, m->uid);
    memcpy(v, m->address.b, 32);
    v[32] = m->active;
    cairn_le64_put(v + 33, m->stake);
    cairn_le64_put(v + 41, m->joined_epoch);
    cairn_le64_put(v + 49, m->unlock_epoch);
    sn_be32_put(ak, subnet);
    memcpy(ak + 4, m->address.b, 32);
    av[0] = m->role;
    sn_le16_put(av + 1, m->uid);
    cairn_err e = state_put(x->w, x->s, STATE_SUBNET_MEMBER, k, 7, v, sizeof v);
    return e ? e : state_put(x->w, x->s, STATE_SUBNET_MEMBER, ak, 36, av, 3);
}

cairn_err member_find(MDB_txn *txn, const store *s, uint32_t subnet,
                      const cairn_pubkey *pk, cairn_subnet_member *out)
{
    uint8_t ak[36];
    MDB_val v;
    sn_be32_put(ak, subnet);
    memcpy(ak + 4, pk->b, 32);
    cairn_err e = state_get(txn, s, STATE_SUBNET_MEMBER, ak, 36, &v);
    if (e)
        return e == CAIRN_ERR_NOT_FOUND ? CAIRN_ERR_NOT_MEMBER : e;
    if (v.mv_size != 3)
        return CAIRN_ERR_DB;
    const uint8_t *p = v.mv_data;
    return member_read(txn, s, subnet, p[0], sn_le16_get(p + 1), out);
}

uint64_t subnet_held(const uint8_t *k, size_t kn, const uint8_t *v, size_t vn)
{
    cairn_subnet_info sn;
    cairn_subnet_member m;
    if (k[0] == STATE_SUBNET && kn == 5)
        return subnet_decode(&sn, v, vn) ? UINT64_MAX : sn.locked;
    if (k[0] == STATE_SUBNET_MEMBER && kn == 8)
        return member_decode(&m, v, vn) ? UINT64_MAX : m.stake;
    return 0;
}

/* ---- lookups for the evidence kind ---- */

cairn_err subnet_validator_stake(MDB_txn *txn, const store *s, uint32_t subnet,
                                 const cairn_pubkey *pk, uint64_t *stake)
{
    cairn_subnet_info sn;
    cairn_subnet_member m;
    *stake = 0;
    cairn_err e = subnet_read(txn, s, subnet, &sn);
    if (e || (e = member_find(txn, s, subnet, pk, &m)))
        return e == CAIRN_ERR_NOT_MEMBER ? CAIRN_OK : e;
    if (m.role == CAIRN_ROLE_VALIDATOR && m.active)
        *stake = m.stake;
    return CAIRN_OK;
}

cairn_err subnet_total_stake(MDB_txn *txn, const store *s, uint32_t subnet,
                             uint64_t *total)
{
    cairn_subnet_info sn;
    cairn_err e = subnet_read(txn, s, subnet, &sn);
    *total = 0;
    for (uint16_t i = 0; !e && i < sn.validators; i++) {
        cairn_subnet_member m;
        if ((e = member_read(txn, s, subnet, CAIRN_ROLE_VALIDATOR, i, &m)))
            break;
        if (m.active && cairn_add(total, *total, m.stake))
            e = CAIRN_ERR_OVERFLOW;
    }
    return e;
}

cairn_err subnet_is_miner(MDB_txn *txn, const store *s, uint32_t subnet,
                          const cairn_pubkey *pk, int *yes, uint16_t *uid)
{
    cairn_subnet_info sn;
    cairn_subnet_member m;
    *yes = 0;
    cairn_err e = subnet_read(txn, s, subnet, &sn);
    if (e || (e = member_find(txn, s, subnet, pk, &m)))
        return e == CAIRN_ERR_NOT_MEMBER ? CAIRN_OK : e;
    *yes = m.role == CAIRN_ROLE_MINER && m.active;
    if (uid)
        *uid = m.uid;
    return CAIRN_OK;
}
