/* COMPUTE_EVIDENCE (0x5F): proof that a miner's signed job claim is wrong
 * (include/cairn/job.h; docs/compute-verify.md, "Evidence").
 *
 * Form 1 (a matrix job) proves one entry of C wrong by itself: any sender
 * may submit it, and the miner is slashed compute_verify_slash_bps and
 * jailed in that block. Form 2 (transcode, render) is one validator's vote
 * that its re-run of a part differs from the part the miner committed
 * to; the miner is slashed and jailed once the subnet's active validators
 * holding compute_vote_quorum_bps of its validator stake have voted
 * against the same part of the same claim. A claim is judged once.
 *
 * State (tag 0x6F, docs/encoding.md):
 *   0x6F 0x01 ‖ [32] claim id                   -> u64 height judged
 *   0x6F 0x02 ‖ [32] claim id ‖ u32 BE part     -> u64 stake voted
 *   0x6F 0x03 ‖ [32] claim id ‖ u32 BE part ‖ u16 BE validator uid
 *                                               -> u64 height
 * Every check comes before the first write. */
#include <string.h>

#include "cairn/amount.h"
#include "cairn/job.h"
#include "econ/staking.h"
#include "ledger/view.h"
#include "sectors/compute/compute.h"
#include "sectors/compute/subnet.h"

enum { EV_JUDGED = 1, EV_TALLY = 2, EV_VOTER = 3 };

#define EV_KEY_MAX 39

/* Key: sub-type ‖ claim id [‖ u32 BE part [‖ u16 BE validator uid]];
 * returns its length. */
static size_t ev_key(uint8_t k[EV_KEY_MAX], uint8_t sub, const cairn_hash *id,
                     uint32_t part, uint16_t voter)
{
    k[0] = sub;
    memcpy(k + 1, id->b, 32);
    if (sub == EV_JUDGED)
        return 33;
    for (int i = 0; i < 4; i++)
        k[33 + i] = (uint8_t)(part >> (24 - 8 * i));
    if (sub == EV_TALLY)
        return 37;
    k[37] = (uint8_t)(voter >> 8);
    k[38] = (uint8_t)voter;
    return EV_KEY_MAX;
}

/* *v = the u64 under the key, 0 when absent. */
static cairn_err ev_get(exec_ctx *x, const uint8_t *k, size_t kn, uint64_t *v,
                        int *found)
{
    MDB_val val;
    cairn_err e = state_get(x->w->txn, x->s, STATE_EVIDENCE, k, kn, &val);
    *v = 0;
    *found = e == CAIRN_OK;
    if (e == CAIRN_ERR_NOT_FOUND)
        return CAIRN_OK;
    if (e)
        return e;
    if (val.mv_size != 8)
        return CAIRN_ERR_DB;
    *v = cairn_le64_get(val.mv_data);
    return CAIRN_OK;
}

static cairn_err ev_put(exec_ctx *x, const uint8_t *k, size_t kn, uint64_t v)
{
    uint8_t b[8];
    cairn_le64_put(b, v);
    return state_put(x->w, x->s, STATE_EVIDENCE, k, kn, b, sizeof b);
}

/* The body: any decoding failure is BAD_BODY, as for every kind. */
static cairn_err body(cairn_job_evidence *ev, const cairn_tx *tx)
{
    return cairn_job_evidence_decode(ev, tx->body, tx->body_len)
               ? CAIRN_ERR_BAD_BODY
               : CAIRN_OK;
}

cairn_err compute_evidence_check(const cairn_tx *tx)
{
    cairn_job_evidence ev;
    cairn_err e = body(&ev, tx);
    return e ? e : cairn_job_evidence_check(&ev);
}

/* Slashes and jails the claim's miner and marks the claim judged. */
static cairn_err convict(exec_ctx *x, const cairn_job_evidence *ev,
                         const cairn_hash *id)
{
    uint64_t bps;
    uint8_t k[EV_KEY_MAX];
    size_t kn = ev_key(k, EV_JUDGED, id, 0, 0);
    cairn_err e = econ_param_get(x, P_COMPUTE_VERIFY_SLASH_BPS, &bps);
    if (e ||
        (e = econ_slash(x, &ev->claim.miner, (uint32_t)bps,
                        "wrong job output")) ||
        (e = econ_jail(x, &ev->claim.miner)))
        return e;
    return ev_put(x, k, kn, x->height);
}

/* The claim's own checks: signature, subnet and type, not judged yet. */
static cairn_err claim_ok(exec_ctx *x, const cairn_job_evidence *ev,
                          cairn_hash *id)
{
    cairn_subnet_info sn;
    uint64_t when;
    int judged;
    uint8_t k[EV_KEY_MAX];
    cairn_err e = cairn_job_claim_verify(&ev->claim, x->p->chain_id);
    if (e || (e = subnet_read(x->w->txn, x->s, ev->claim.subnet, &sn)))
        return e;
    if (sn.type != ev->claim.type)
        return CAIRN_ERR_BAD_PROOF; /* a claim for another kind of work */
    econ_provider prov;
    if ((e = econ_provider_read(x->w->txn, x->s, &ev->claim.miner, &prov)))
        return e; /* NOT_PROVIDER: nothing staked to slash */
    cairn_job_claim_id(id, &ev->claim);
    size_t kn = ev_key(k, EV_JUDGED, id, 0, 0);
    if ((e = ev_get(x, k, kn, &when, &judged)))
        return e;
    return judged ? CAIRN_ERR_DUPLICATE : CAIRN_OK;
}

/* One validator's vote; convicts when the tally reaches the quorum. */
static cairn_err vote(exec_ctx *x, const cairn_tx *tx,
                      const cairn_job_evidence *ev, const cairn_hash *id)
{
    uint64_t stake, total, tally, quorum, when;
    int voted, found;
    uint8_t kv[EV_KEY_MAX], kt[EV_KEY_MAX];
    cairn_subnet_member mem;
    uint32_t sub = ev->claim.subnet;
    cairn_err e =
        subnet_validator_stake(x->w->txn, x->s, sub, &tx->sender, &stake);
    if (e)
        return e;
    if (stake == 0)
        return CAIRN_ERR_NOT_MEMBER; /* only the subnet's validators vote */
    if ((e = member_find(x->w->txn, x->s, sub, &tx->sender, &mem)))
        return e;
    size_t nv = ev_key(kv, EV_VOTER, id, ev->part, mem.uid);
    size_t nt = ev_key(kt, EV_TALLY, id, ev->part, 0);
    if ((e = ev_get(x, kv, nv, &when, &voted)))
        return e;
    if (voted)
        return CAIRN_ERR_DUPLICATE;
    if ((e = ev_get(x, kt, nt, &tally, &found)) ||
        (e = subnet_total_stake(x->w->txn, x->s, sub, &total)) ||
        (e = econ_param_get(x, P_COMPUTE_VOTE_QUORUM_BPS, &quorum)))
        return e;
    if (cairn_add(&tally, tally, stake))
        return CAIRN_ERR_OVERFLOW;
    if ((e = ev_put(x, kv, nv, x->height)) || (e = ev_put(x, kt, nt, tally)))
        return e;
    /* tally / total >= quorum / 10000, in 128 bits */
    if ((unsigned __int128)tally * CAIRN_BPS >=
        (unsigned __int128)quorum * total)
        return convict(x, ev, id);
    return CAIRN_OK;
}

cairn_err compute_evidence_apply(exec_ctx *x, const cairn_tx *tx)
{
    cairn_job_evidence ev;
    cairn_hash id;
    cairn_err e = body(&ev, tx);
    if (e || (e = cairn_job_evidence_check(&ev)) || (e = claim_ok(x, &ev, &id)))
        return e;
    if (ev.form == CAIRN_EVIDENCE_MATMUL)
        return convict(x, &ev, &id);
    return vote(x, tx, &ev, &id);
}
