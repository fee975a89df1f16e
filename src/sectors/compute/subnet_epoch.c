/* Subnets at the end of an epoch E.
 *
 * subnet_end_epoch (the compute sector's end_epoch hook, before the
 * settlement): the stake of every validator that left and whose unlock
 * epoch is <= E returns to its balance; commits of epochs < E (their
 * reveal window, epoch + 1, is over) are deleted.
 *
 * subnet_pay_emission (the sector's pay_emission hook, in the settlement):
 * pot = floor(share × compute_subnet_emission_bps / 10000) of the compute
 * sector's emission. The subnets with at least one row revealed in E by
 * an active validator split it equally, the remainder to the lowest id of
 * them; with none, nothing is paid and the whole share stays with the
 * sector's distribution by work. Then every subnet in id order with at
 * least one miner and one validator runs Yuma (yuma.h) over: stakes of
 * its active validators (0 for the others), the rows revealed in E (an
 * all-zero row for a validator that revealed none), the columns of miners
 * that left, are jailed or no longer providers set to 0, the stored bonds
 * (rows of inactive validators set to 0). The new bonds are stored, and
 * the result record (tag 0x6E, the last epoch only) is rewritten. The
 * owner, the miners by incentive and the active validators by dividend
 * are credited; Yuma's unpaid part (and nothing else: its split sums
 * exactly) stays in the sector's share. */
#include <stdlib.h>
#include <string.h>

#include "cairn/amount.h"
#include "econ/staking.h"
#include "sectors/compute/compute.h"
#include "sectors/compute/subnet.h"
#include "sectors/compute/yuma.h"

/* ---- end of epoch: unlocks and stale commits ---- */

typedef struct key_list {
    uint8_t (*k)[16];
    size_t n, cap;
    uint64_t epoch;
} key_list;

static cairn_err keep_key(key_list *l, const uint8_t *kp, size_t klen)
{
    cairn_err e = grow_array((void **)&l->k, &l->cap, l->n, sizeof *l->k, 16);
    if (!e)
        memcpy(l->k[l->n++], kp, klen);
    return e;
}

/* Member records of validators that left, with stake, unlocked by now. */
static cairn_err visit_unlock(void *arg, const uint8_t *kp, size_t klen,
                              const uint8_t *vp, size_t vlen)
{
    key_list *l = arg;
    if (klen != 8 || kp[5] != CAIRN_ROLE_VALIDATOR)
        return CAIRN_OK;
    if (vlen != MEMBER_REC_LEN)
        return CAIRN_ERR_DB;
    if (vp[32] || !cairn_le64_get(vp + 33) ||
        cairn_le64_get(vp + 49) > l->epoch)
        return CAIRN_OK;
    return keep_key(l, kp, klen);
}

/* Commit entries of epochs before l->epoch. */
static cairn_err visit_stale(void *arg, const uint8_t *kp, size_t klen,
                             const uint8_t *vp, size_t vlen)
{
    key_list *l = arg;
    (void)vp;
    (void)vlen;
    if (klen != 15 || cairn_be64_get(kp + 7) >= l->epoch)
        return CAIRN_OK;
    return keep_key(l, kp, klen);
}

static cairn_err unlock_one(exec_ctx *x, const uint8_t *kp)
{
    cairn_subnet_member m;
    uint32_t id = sn_be32_get(kp + 1);
    uint16_t uid = (uint16_t)(kp[6] << 8 | kp[7]);
    cairn_err e = member_read(x->w->txn, x->s, id, kp[5], uid, &m);
    if (e || (e = econ_unhold(x, &m.address, m.stake)))
        return e;
    m.stake = 0;
    return member_put(x, id, &m);
}

cairn_err subnet_end_epoch(exec_ctx *x, uint64_t epoch)
{
    key_list un = {.epoch = epoch}, st = {.epoch = epoch};
    cairn_err e =
        state_scan(x->w->txn, x->s, STATE_SUBNET_MEMBER, visit_unlock, &un);
    if (!e)
        e = state_scan(x->w->txn, x->s, STATE_SUBNET_WEIGHTS, visit_stale, &st);
    for (size_t i = 0; !e && i < un.n; i++)
        e = unlock_one(x, un.k[i]);
    for (size_t i = 0; !e && i < st.n; i++)
        e = state_del_raw(x->w, x->s, st.k[i], 15);
    free(un.k);
    free(st.k);
    return e;
}

/* ---- Yuma per subnet ---- */

/* One subnet's epoch, as Yuma reads it. */
typedef struct sn_epoch {
    cairn_subnet_info sn;
    uint32_t n, m;
    cairn_subnet_member val[CAIRN_SUBNET_MAX_VALIDATORS];
    cairn_subnet_member min[CAIRN_SUBNET_MAX_MINERS];
    uint64_t stake[CAIRN_SUBNET_MAX_VALIDATORS];
    uint16_t w[CAIRN_SUBNET_MAX_VALIDATORS * CAIRN_SUBNET_MAX_MINERS];
    uint16_t b[CAIRN_SUBNET_MAX_VALIDATORS * CAIRN_SUBNET_MAX_MINERS];
    int revealed; /* an active, staked validator revealed in this epoch */
} sn_epoch;

static void uid_key(uint8_t k[6], uint32_t id, uint16_t uid)
{
    sn_be32_put(k, id);
    k[4] = (uint8_t)(uid >> 8);
    k[5] = (uint8_t)uid;
}

/* The row validator uid revealed in `epoch`, into w (may be NULL: only
 * *yes is set); *yes = 0 when there is none. */
static cairn_err reveal_row(exec_ctx *x, uint32_t id, uint16_t uid,
                            uint64_t epoch, uint32_t m, uint16_t *w, int *yes)
{
    uint8_t k[6];
    MDB_val v;
    *yes = 0;
    uid_key(k, id, uid);
    cairn_err e = state_get(x->w->txn, x->s, STATE_SUBNET_WEIGHTS, k, 6, &v);
    if (e)
        return e == CAIRN_ERR_NOT_FOUND ? CAIRN_OK : e;
    const uint8_t *p = v.mv_data;
    uint16_t cnt = v.mv_size >= 10 ? sn_le16_get(p + 8) : 0;
    if (v.mv_size < 10 || v.mv_size != 10 + 4 * (size_t)cnt)
        return CAIRN_ERR_DB;
    if (cairn_le64_get(p) != epoch)
        return CAIRN_OK; /* an older row: this epoch counts it all zero */
    *yes = 1;
    for (uint16_t j = 0; w && j < cnt; j++) {
        uint16_t miner = sn_le16_get(p + 10 + 4 * j);
        if (miner < m)
            w[miner] = sn_le16_get(p + 12 + 4 * j);
    }
    return CAIRN_OK;
}

/* Validator uid's stored bonds into b[0..m) (zeros when none). */
static cairn_err bond_row(exec_ctx *x, uint32_t id, uint16_t uid, uint32_t m,
                          uint16_t *b)
{
    uint8_t k[6];
    MDB_val v;
    uid_key(k, id, uid);
    cairn_err e = state_get(x->w->txn, x->s, STATE_SUBNET_YUMA, k, 6, &v);
    if (e)
        return e == CAIRN_ERR_NOT_FOUND ? CAIRN_OK : e;
    const uint8_t *p = v.mv_data;
    uint16_t cnt = v.mv_size >= 2 ? sn_le16_get(p) : 0;
    if (v.mv_size < 2 || v.mv_size != 2 + 2 * (size_t)cnt || cnt > m)
        return CAIRN_ERR_DB;
    for (uint16_t j = 0; j < cnt; j++)
        b[j] = sn_le16_get(p + 2 + 2 * j);
    return CAIRN_OK;
}

/* Validator i's row and bonds (both zero unless it is active and staked). */
static cairn_err load_row(exec_ctx *x, sn_epoch *s, uint32_t i, uint64_t epoch)
{
    int yes;
    if (!s->stake[i])
        return CAIRN_OK;
    cairn_err e = reveal_row(x, s->sn.id, (uint16_t)i, epoch, s->m,
                             s->w + (size_t)i * s->m, &yes);
    s->revealed |= yes;
    return e ? e
             : bond_row(x, s->sn.id, (uint16_t)i, s->m,
                        s->b + (size_t)i * s->m);
}

/* *yes = 1 when subnet id has a miner and an active, staked validator
 * that revealed a row in `epoch` (what load_subnet calls `revealed`). */
static cairn_err has_reveal(exec_ctx *x, uint32_t id, uint64_t epoch, int *yes)
{
    cairn_subnet_info sn;
    cairn_err e = subnet_read(x->w->txn, x->s, id, &sn);
    *yes = 0;
    for (uint16_t i = 0; !e && sn.miners && !*yes && i < sn.validators; i++) {
        cairn_subnet_member v;
        if ((e = member_read(x->w->txn, x->s, id, CAIRN_ROLE_VALIDATOR, i, &v)))
            break;
        if (v.active && v.stake)
            e = reveal_row(x, id, i, epoch, 0, NULL, yes);
    }
    return e;
}

/* 1 when miner j earns this epoch: active, still a provider, not jailed. */
static cairn_err miner_counts(exec_ctx *x, const cairn_subnet_member *mm,
                              uint64_t epoch, int *yes)
{
    econ_provider p;
    *yes = 0;
    if (!mm->active)
        return CAIRN_OK;
    cairn_err e = econ_provider_read(x->w->txn, x->s, &mm->address, &p);
    if (e)
        return e == CAIRN_ERR_NOT_PROVIDER ? CAIRN_OK : e;
    *yes = !econ_is_jailed(&p, epoch);
    return CAIRN_OK;
}

/* Reads subnet id's members, rows and bonds into s (zeroed here). */
static cairn_err load_subnet(exec_ctx *x, sn_epoch *s, uint32_t id,
                             uint64_t epoch)
{
    memset(s, 0, sizeof *s);
    cairn_err e = subnet_read(x->w->txn, x->s, id, &s->sn);
    s->n = s->sn.validators;
    s->m = s->sn.miners;
    for (uint32_t j = 0; !e && j < s->m; j++)
        e = member_read(x->w->txn, x->s, id, CAIRN_ROLE_MINER, (uint16_t)j,
                        &s->min[j]);
    for (uint32_t i = 0; !e && i < s->n; i++) {
        e = member_read(x->w->txn, x->s, id, CAIRN_ROLE_VALIDATOR, (uint16_t)i,
                        &s->val[i]);
        s->stake[i] = s->val[i].active ? s->val[i].stake : 0;
    }
    for (uint32_t i = 0; !e && i < s->n; i++)
        e = load_row(x, s, i, epoch);
    for (uint32_t j = 0; !e && j < s->m; j++) {
        int yes;
        if ((e = miner_counts(x, &s->min[j], epoch, &yes)) || yes)
            continue;
        for (uint32_t i = 0; i < s->n; i++)
            s->w[(size_t)i * s->m + j] = 0; /* its column is ignored */
    }
    s->revealed = s->revealed && s->m; /* as has_reveal counts it */
    return e;
}

/* Stores the new bonds, one row per validator. */
static cairn_err store_bonds(exec_ctx *x, const sn_epoch *s, const yuma_out *o)
{
    uint8_t k[6], v[2 + 2 * CAIRN_SUBNET_MAX_MINERS];
    cairn_err e = CAIRN_OK;
    for (uint32_t i = 0; !e && i < s->n; i++) {
        uid_key(k, s->sn.id, (uint16_t)i);
        sn_le16_put(v, (uint16_t)s->m);
        for (uint32_t j = 0; j < s->m; j++)
            sn_le16_put(v + 2 + 2 * j, o->bonds[(size_t)i * s->m + j]);
        e = state_put(x->w, x->s, STATE_SUBNET_YUMA, k, 6, v,
                      2 + 2 * (size_t)s->m);
    }
    return e;
}

/* Rewrites the subnet's result record. */
static cairn_err store_result(exec_ctx *x, const sn_epoch *s, const yuma_out *o,
                              uint64_t epoch, uint64_t emission,
                              uint64_t unpaid)
{
    size_t len = RESULT_HEAD_LEN + 16 * (size_t)s->m + 20 * (size_t)s->n;
    uint8_t k[4], *v = malloc(len), *p;
    if (!v)
        return CAIRN_ERR_NOMEM;
    v[0] = 1;
    cairn_le64_put(v + 1, epoch);
    cairn_le64_put(v + 9, emission);
    cairn_le64_put(v + 17, o->owner);
    cairn_le64_put(v + 25, unpaid);
    sn_le16_put(v + 33, (uint16_t)s->m);
    sn_le16_put(v + 35, (uint16_t)s->n);
    p = v + RESULT_HEAD_LEN;
    for (uint32_t j = 0; j < s->m; j++, p += 16) {
        cairn_le32_put(p, o->consensus[j]);
        cairn_le32_put(p + 4, o->incentive[j]);
        cairn_le64_put(p + 8, o->miner_pay[j]);
    }
    for (uint32_t i = 0; i < s->n; i++, p += 20) {
        uint64_t sum = 0;
        for (uint32_t j = 0; j < s->m; j++)
            sum += o->bonds[(size_t)i * s->m + j];
        cairn_le32_put(p, o->dividend[i]);
        cairn_le64_put(p + 4, s->val[i].active ? o->validator_pay[i] : 0);
        cairn_le64_put(p + 12, sum);
    }
    sn_be32_put(k, s->sn.id);
    cairn_err e = state_put(x->w, x->s, STATE_SUBNET_YUMA, k, 4, v, len);
    free(v);
    return e;
}

/* Credits the owner, the miners and the active validators; *paid = their
 * sum (<= the emission: Yuma's split sums exactly). */
static cairn_err pay_out(exec_ctx *x, const sn_epoch *s, const yuma_out *o,
                         uint64_t *paid)
{
    cairn_err e = o->owner ? econ_credit(x, &s->sn.owner, o->owner) : CAIRN_OK;
    *paid = o->owner;
    for (uint32_t j = 0; !e && j < s->m; j++)
        if (o->miner_pay[j] &&
            !(e = econ_credit(x, &s->min[j].address, o->miner_pay[j])))
            *paid += o->miner_pay[j];
    for (uint32_t i = 0; !e && i < s->n; i++)
        if (o->validator_pay[i] && s->val[i].active &&
            !(e = econ_credit(x, &s->val[i].address, o->validator_pay[i])))
            *paid += o->validator_pay[i];
    return e;
}

typedef struct yuma_params {
    uint64_t kappa, alpha, owner_bps, emission_bps;
} yuma_params;

/* Yuma over one loaded subnet with `emission`; *paid what it credited. */
static cairn_err run_subnet(exec_ctx *x, sn_epoch *s, const yuma_params *P,
                            uint64_t epoch, uint64_t emission, uint64_t *paid)
{
    yuma_out o;
    yuma_in in = {.n = s->n,
                  .m = s->m,
                  .stake = s->stake,
                  .weights = s->w,
                  .bonds = s->b,
                  .kappa = (uint16_t)P->kappa,
                  .alpha = (uint16_t)P->alpha,
                  .emission = emission,
                  .owner_bps = (uint32_t)P->owner_bps};
    *paid = 0;
    cairn_err e = yuma_run(&in, &o);
    if (e)
        return e;
    if (!(e = store_bonds(x, s, &o)) && !(e = pay_out(x, s, &o, paid)))
        e = store_result(x, s, &o, epoch, emission, emission - *paid);
    yuma_out_free(&o);
    return e;
}

static cairn_err visit_ids(void *arg, const uint8_t *kp, size_t klen,
                           const uint8_t *vp, size_t vlen)
{
    key_list *l = arg;
    (void)vp;
    (void)vlen;
    return klen == 5 ? keep_key(l, kp, klen) : CAIRN_OK;
}

static cairn_err load_params(exec_ctx *x, yuma_params *P)
{
    cairn_err e = econ_param_get(x, P_SUBNET_KAPPA, &P->kappa);
    if (!e)
        e = econ_param_get(x, P_SUBNET_ALPHA, &P->alpha);
    if (!e)
        e = econ_param_get(x, P_SUBNET_OWNER_BPS, &P->owner_bps);
    if (!e)
        e = econ_param_get(x, P_SUBNET_EMISSION_BPS, &P->emission_bps);
    return e;
}

/* Counts the subnets (ids, in id order) with a reveal into *with and
 * marks them in got[]. */
static cairn_err count_reveals(exec_ctx *x, const key_list *ids, uint64_t epoch,
                               uint8_t *got, uint64_t *with)
{
    cairn_err e = CAIRN_OK;
    *with = 0;
    for (size_t i = 0; !e && i < ids->n; i++) {
        int yes = 0;
        e = has_reveal(x, sn_be32_get(ids->k[i] + 1), epoch, &yes);
        got[i] = (uint8_t)yes;
        *with += (uint64_t)yes;
    }
    return e;
}

cairn_err subnet_pay_emission(exec_ctx *x, uint64_t epoch, uint64_t share,
                              uint64_t *paid)
{
    yuma_params P;
    key_list ids = {0};
    sn_epoch *s = NULL;
    uint8_t *got = NULL;
    uint64_t with = 0, pot, each = 0, rem = 0;
    *paid = 0;
    cairn_err e = load_params(x, &P);
    if (!e)
        e = state_scan(x->w->txn, x->s, STATE_SUBNET, visit_ids, &ids);
    if (!e && ids.n && (!(s = malloc(sizeof *s)) || !(got = calloc(ids.n, 1))))
        e = CAIRN_ERR_NOMEM;
    if (!e && ids.n)
        e = count_reveals(x, &ids, epoch, got, &with);
    pot = (uint64_t)((unsigned __int128)share * P.emission_bps / CAIRN_BPS);
    if (with) {
        each = pot / with;
        rem = pot % with; /* to the lowest id with a reveal */
    }
    for (size_t i = 0; !e && i < ids.n; i++) {
        uint64_t em = got[i] ? each + rem : 0, paid_i = 0;
        if (got[i])
            rem = 0;
        if ((e = load_subnet(x, s, sn_be32_get(ids.k[i] + 1), epoch)))
            break;
        if (s->revealed != got[i])
            e = CAIRN_ERR_DB; /* the two reads of one state disagree */
        else if (s->n && s->m &&
                 !(e = run_subnet(x, s, &P, epoch, em, &paid_i)))
            *paid += paid_i;
    }
    free(s);
    free(got);
    free(ids.k);
    return e;
}
