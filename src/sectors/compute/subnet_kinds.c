/* SUBNET_CREATE, SUBNET_JOIN, SUBNET_LEAVE, WEIGHTS_COMMIT and
 * WEIGHTS_REVEAL (include/cairn/subnet.h has the rules). Every check comes
 * before the first write. */
#include <string.h>

#include "cairn/amount.h"
#include "econ/staking.h"
#include "sectors/compute/compute.h"
#include "sectors/compute/subnet.h"

/* ---- SUBNET_CREATE ---- */

cairn_err subnet_create_check(const cairn_tx *tx)
{
    char name[CAIRN_SUBNET_NAME_MAX + 1];
    uint8_t type;
    return cairn_subnet_create_decode(name, &type, tx->body, tx->body_len);
}

cairn_err subnet_create_apply(exec_ctx *x, const cairn_tx *tx)
{
    cairn_subnet_info sn;
    uint32_t other;
    uint64_t cost;
    memset(&sn, 0, sizeof sn);
    cairn_err e =
        cairn_subnet_create_decode(sn.name, &sn.type, tx->body, tx->body_len);
    if (e)
        return e;
    e = subnet_find_name(x->w->txn, x->s, sn.name, &other);
    if (e != CAIRN_ERR_NO_SUBNET)
        return e ? e : CAIRN_ERR_NAME_TAKEN;
    if ((e = subnet_next_id(x->w->txn, x->s, &sn.id)) ||
        (e = econ_param_get(x, P_SUBNET_CREATE_COST, &cost)))
        return e;
    sn.owner = tx->sender;
    sn.locked = cost;
    sn.created_height = x->height;
    if ((e = econ_hold(x, &tx->sender, cost)) || (e = subnet_put(x, &sn)))
        return e;
    return subnet_name_put(x, sn.name, sn.id);
}

/* ---- SUBNET_JOIN ---- */

cairn_err subnet_join_check(const cairn_tx *tx)
{
    uint32_t subnet;
    uint8_t role;
    uint64_t amount;
    return cairn_subnet_join_decode(&subnet, &role, &amount, tx->body,
                                    tx->body_len);
}

/* The member record sender gets: a new uid, or its old one back (it left
 * in the same role and its stake was paid back). */
static cairn_err join_slot(exec_ctx *x, cairn_subnet_info *sn, uint8_t role,
                           const cairn_pubkey *pk, cairn_subnet_member *m)
{
    cairn_err e = member_find(x->w->txn, x->s, sn->id, pk, m);
    if (e == CAIRN_OK)
        return m->active || m->role != role || m->stake ? CAIRN_ERR_DUPLICATE
                                                        : CAIRN_OK;
    if (e != CAIRN_ERR_NOT_MEMBER)
        return e;
    uint16_t *next = role == CAIRN_ROLE_MINER ? &sn->miners : &sn->validators;
    unsigned max = role == CAIRN_ROLE_MINER ? CAIRN_SUBNET_MAX_MINERS
                                            : CAIRN_SUBNET_MAX_VALIDATORS;
    if (*next >= max)
        return CAIRN_ERR_SUBNET_FULL;
    memset(m, 0, sizeof *m);
    m->role = role;
    m->uid = (*next)++;
    m->address = *pk;
    return CAIRN_OK;
}

cairn_err subnet_join_apply(exec_ctx *x, const cairn_tx *tx)
{
    cairn_subnet_info sn;
    cairn_subnet_member m;
    cairn_compute_provider cp;
    uint32_t id;
    uint8_t role;
    uint64_t amount, min, epoch;
    cairn_err e =
        cairn_subnet_join_decode(&id, &role, &amount, tx->body, tx->body_len);
    if (e || (e = subnet_read(x->w->txn, x->s, id, &sn)) ||
        (e = compute_epoch_now(x, &epoch, NULL)) ||
        (e = econ_param_get(x, P_SUBNET_MIN_STAKE, &min)))
        return e;
    if (role == CAIRN_ROLE_MINER &&
        (e = cprov_read(x->w->txn, x->s, &tx->sender, &cp)))
        return e; /* NOT_PROVIDER: send COMPUTE_OFFER first */
    if (role == CAIRN_ROLE_VALIDATOR && amount < min)
        return CAIRN_ERR_STAKE_LOW;
    if ((e = join_slot(x, &sn, role, &tx->sender, &m)))
        return e;
    m.active = 1;
    m.stake = amount;
    m.joined_epoch = epoch;
    m.unlock_epoch = 0;
    if (amount && (e = econ_hold(x, &tx->sender, amount)))
        return e;
    if ((e = member_put(x, id, &m)))
        return e;
    return subnet_put(x, &sn);
}

/* ---- SUBNET_LEAVE ---- */

cairn_err subnet_leave_check(const cairn_tx *tx)
{
    uint32_t subnet;
    return cairn_subnet_leave_decode(&subnet, tx->body, tx->body_len);
}

cairn_err subnet_leave_apply(exec_ctx *x, const cairn_tx *tx)
{
    cairn_subnet_info sn;
    cairn_subnet_member m;
    uint32_t id;
    uint64_t epoch, unlock;
    cairn_err e = cairn_subnet_leave_decode(&id, tx->body, tx->body_len);
    if (e || (e = subnet_read(x->w->txn, x->s, id, &sn)) ||
        (e = member_find(x->w->txn, x->s, id, &tx->sender, &m)) ||
        (e = compute_epoch_now(x, &epoch, NULL)) ||
        (e = econ_param_get(x, P_SUBNET_UNLOCK_EPOCHS, &unlock)))
        return e;
    if (!m.active)
        return CAIRN_ERR_NOT_MEMBER;
    m.active = 0;
    if (cairn_add(&m.unlock_epoch, epoch, unlock))
        return CAIRN_ERR_OVERFLOW;
    return member_put(x, id, &m);
}

/* ---- WEIGHTS_COMMIT and WEIGHTS_REVEAL ---- */

/* The sender as an active validator of subnet `id`. */
static cairn_err active_validator(exec_ctx *x, uint32_t id,
                                  const cairn_pubkey *pk, cairn_subnet_info *sn,
                                  cairn_subnet_member *m)
{
    cairn_err e = subnet_read(x->w->txn, x->s, id, sn);
    if (e || (e = member_find(x->w->txn, x->s, id, pk, m)))
        return e;
    return m->role == CAIRN_ROLE_VALIDATOR && m->active ? CAIRN_OK
                                                        : CAIRN_ERR_NOT_MEMBER;
}

static void commit_key(uint8_t k[14], uint32_t subnet, uint16_t uid,
                       uint64_t epoch)
{
    sn_be32_put(k, subnet);
    k[4] = (uint8_t)(uid >> 8);
    k[5] = (uint8_t)uid;
    cairn_be64_put(k + 6, epoch);
}

cairn_err weights_commit_check(const cairn_tx *tx)
{
    uint32_t subnet;
    uint64_t epoch;
    cairn_hash h;
    return cairn_weights_commit_decode(&subnet, &epoch, &h, tx->body,
                                       tx->body_len);
}

cairn_err weights_commit_apply(exec_ctx *x, const cairn_tx *tx)
{
    cairn_subnet_info sn;
    cairn_subnet_member m;
    uint32_t id;
    uint64_t epoch, now;
    cairn_hash h;
    uint8_t k[14];
    cairn_err e =
        cairn_weights_commit_decode(&id, &epoch, &h, tx->body, tx->body_len);
    if (e || (e = active_validator(x, id, &tx->sender, &sn, &m)) ||
        (e = compute_epoch_now(x, &now, NULL)))
        return e;
    if (epoch != now)
        return CAIRN_ERR_WEIGHTS_EPOCH;
    commit_key(k, id, m.uid, epoch);
    return state_put(x->w, x->s, STATE_SUBNET_WEIGHTS, k, 14, h.b, 32);
}

cairn_err weights_reveal_check(const cairn_tx *tx)
{
    cairn_weights_reveal r;
    return cairn_weights_reveal_decode(&r, tx->body, tx->body_len);
}

/* The reveal's commit exists and opens: COMMIT_MISMATCH otherwise. */
static cairn_err reveal_opens(exec_ctx *x, const cairn_weights_reveal *r,
                              const cairn_subnet_member *m)
{
    uint8_t k[14];
    MDB_val v;
    cairn_hash h;
    commit_key(k, r->subnet, m->uid, r->epoch);
    cairn_err e = state_get(x->w->txn, x->s, STATE_SUBNET_WEIGHTS, k, 14, &v);
    if (e)
        return e == CAIRN_ERR_NOT_FOUND ? CAIRN_ERR_COMMIT_MISMATCH : e;
    cairn_weights_commit_hash(&h, r->subnet, r->epoch, &m->address, &r->w,
                              r->salt);
    if (v.mv_size != 32 || memcmp(v.mv_data, h.b, 32) != 0)
        return CAIRN_ERR_COMMIT_MISMATCH;
    return CAIRN_OK;
}

cairn_err weights_reveal_apply(exec_ctx *x, const cairn_tx *tx)
{
    cairn_weights_reveal r;
    cairn_subnet_info sn;
    cairn_subnet_member m;
    uint64_t now;
    uint8_t k[15], v[10 + 4 * CAIRN_SUBNET_MAX_MINERS];
    cairn_err e = cairn_weights_reveal_decode(&r, tx->body, tx->body_len);
    if (e || (e = active_validator(x, r.subnet, &tx->sender, &sn, &m)) ||
        (e = compute_epoch_now(x, &now, NULL)))
        return e;
    if (now == 0 || r.epoch != now - 1)
        return CAIRN_ERR_WEIGHTS_EPOCH;
    if ((e = reveal_opens(x, &r, &m)))
        return e;
    for (uint16_t i = 0; i < r.w.n; i++)
        if (r.w.e[i].uid >= sn.miners)
            return CAIRN_ERR_BAD_ARG; /* no such miner */
    cairn_le64_put(v, now);
    sn_le16_put(v + 8, r.w.n);
    for (uint16_t i = 0; i < r.w.n; i++) {
        sn_le16_put(v + 10 + 4 * i, r.w.e[i].uid);
        sn_le16_put(v + 12 + 4 * i, r.w.e[i].w);
    }
    k[0] = STATE_SUBNET_WEIGHTS;
    commit_key(k + 1, r.subnet, m.uid, r.epoch);
    if ((e = state_del_raw(x->w, x->s, k, 15)))
        return e;
    return state_put(x->w, x->s, STATE_SUBNET_WEIGHTS, k + 1, 6, v,
                     10 + 4 * (size_t)r.w.n);
}
