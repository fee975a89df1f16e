/* Subnets through the real chain (two chains from one genesis; a refused
 * transaction goes to chain A only, and both state roots must stay equal;
 * the books are audited after every block):
 * - create, join, commit, reveal, Yuma at the epoch's end paying the
 *   subnet's share of the compute emission exactly (owner + miners +
 *   validators + unpaid = the share), leave and the stake's return;
 * - refusals: duplicate name, miner that is no compute provider, stake
 *   below the minimum, commit by a non-validator, commit or reveal in the
 *   wrong epoch, reveal that does not open its commit;
 * - a minority of validators (by stake) that inflates one miner cannot
 *   raise its consensus above the majority's weight;
 * - a validator that copies another's revealed weights (one epoch late,
 *   necessarily) while miner quality shifts earns far less in dividends
 *   than the ones that score the miners themselves. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "compute_fixture.h"

#include "cairn/metrics.h"
#include "cairn/subnet.h"
#include "econ/econ.h"
#include "econ/staking.h"
#include "ledger/view.h"
#include "sectors/compute/subnet.h"

#define ECON                                                                   \
    "{\"epoch_blocks\": 10, \"fee_provider_bps\": 7000,"                       \
    " \"fee_burn_bps\": 1000, \"fee_treasury_bps\": 1000,"                     \
    " \"fee_stakers_bps\": 1000, \"compute_subnet_create_cost\": \"5\","       \
    " \"compute_subnet_min_stake\": \"10\","                                   \
    " \"compute_subnet_unlock_epochs\": 1, \"jail_after_faults\": 1}"

enum { M1 = 1, M2 = 2, V3 = 3, V4 = 4, V5 = 5, OWNER = 6 };

#define Q32 4294967296.0

/* A refused transaction of keys[who] on chain A only. */
static cairn_err refused(twin *t, int who, uint16_t kind, cairn_buf *b)
{
    cairn_err e = bad(t, who, kind, b);
    dx_audit(t);
    return e;
}

static void create_body(cairn_buf *b, const char *name, uint8_t type)
{
    cairn_buf_reset(b);
    cairn_subnet_create_encode(b, name, type);
}

static void join_body(cairn_buf *b, uint32_t id, uint8_t role, uint64_t amt)
{
    cairn_buf_reset(b);
    cairn_subnet_join_encode(b, id, role, amt);
}

static void salt_of(uint8_t salt[32], int who, uint64_t epoch)
{
    memset(salt, 0, 32);
    salt[0] = (uint8_t)who;
    salt[1] = (uint8_t)epoch;
    salt[31] = 0x5A;
}

static void commit_body(cairn_buf *b, uint32_t id, uint64_t epoch, int who,
                        const cairn_weights *w)
{
    cairn_hash h;
    uint8_t salt[32];
    salt_of(salt, who, epoch);
    cairn_weights_commit_hash(&h, id, epoch, &fx_keys[who].pk, w, salt);
    cairn_buf_reset(b);
    cairn_weights_commit_encode(b, id, epoch, &h);
}

static void reveal_body(cairn_buf *b, uint32_t id, uint64_t epoch, int who,
                        const cairn_weights *w)
{
    static cairn_weights_reveal r;
    memset(&r, 0, sizeof r);
    r.subnet = id;
    r.epoch = epoch;
    r.w = *w;
    salt_of(r.salt, who, epoch);
    cairn_buf_reset(b);
    cairn_weights_reveal_encode(b, &r);
}

/* Two weights: miner 0 and miner 1. */
static cairn_weights row2(uint16_t a, uint16_t c)
{
    cairn_weights w;
    memset(&w, 0, sizeof w);
    w.n = 2;
    w.e[0] = (cairn_weight){0, a};
    w.e[1] = (cairn_weight){1, c};
    return w;
}

static cairn_subnet_result *result_of(twin *t, uint32_t id)
{
    static cairn_subnet_result r;
    assert_int_equal(cairn_chain_subnet_result(t->c[0], id, &r), CAIRN_OK);
    return &r;
}

/* Owner OWNER, miners M1 and M2 (compute providers), subnet 1 "tx-1"
 * (its id is checked), validators with the stakes given (0: not joined)
 * in key order V3, V4, V5. */
static void setup(twin *t, uint64_t s3, uint64_t s4, uint64_t s5)
{
    cairn_buf b;
    const uint64_t st[3] = {s3, s4, s5};
    twin_open(t, ECON);
    cairn_buf_init(&b, 4096);
    cx_register(t, M1, 1000 * TOK);
    cx_register(t, M2, 1000 * TOK);
    create_body(&b, "tx-1", CAIRN_SUBNET_TRANSCODE);
    both(t, OWNER, CAIRN_TX_SUBNET_CREATE, &b);
    cx_step(t);
    cx_offer(t, M1, 8, 16384, 100000);
    cx_offer(t, M2, 8, 16384, 100000);
    cx_step(t);
    join_body(&b, 1, CAIRN_ROLE_MINER, 0);
    both(t, M1, CAIRN_TX_SUBNET_JOIN, &b);
    join_body(&b, 1, CAIRN_ROLE_MINER, 0); /* both() reset it */
    both(t, M2, CAIRN_TX_SUBNET_JOIN, &b);
    for (int i = 0; i < 3; i++)
        if (st[i]) {
            join_body(&b, 1, CAIRN_ROLE_VALIDATOR, st[i]);
            both(t, V3 + i, CAIRN_TX_SUBNET_JOIN, &b);
        }
    cx_step(t);
    cairn_buf_free(&b);
}

/* The epoch that the next block belongs to. */
static uint64_t epoch_now(twin *t)
{
    return cx_status(t).epoch;
}

static void happy_path(void **st)
{
    (void)st;
    twin t;
    cairn_buf b;
    cairn_subnet_info sn;
    static cairn_subnet_member mem[16];
    size_t n;
    uint64_t owner0 = 100000 * TOK;
    setup(&t, 100 * TOK, 50 * TOK, 0);
    cairn_buf_init(&b, 4096);
    assert_int_equal(cx_balance(&t, OWNER), owner0 - 5 * TOK - FEE);
    assert_int_equal(cairn_chain_subnet_by_name(t.c[0], "tx-1", &sn), CAIRN_OK);
    assert_int_equal(sn.id, 1);
    assert_int_equal(sn.type, CAIRN_SUBNET_TRANSCODE);
    assert_int_equal(sn.miners, 2);
    assert_int_equal(sn.validators, 2);
    assert_int_equal(sn.locked, 5 * TOK);
    assert_memory_equal(sn.owner.b, fx_keys[OWNER].pk.b, 32);
    assert_int_equal(cairn_chain_subnet_members(t.c[0], 1, mem, 16, &n),
                     CAIRN_OK);
    assert_int_equal(n, 4);
    assert_int_equal(mem[1].role, CAIRN_ROLE_MINER);
    assert_int_equal(mem[1].uid, 1);
    assert_memory_equal(mem[1].address.b, fx_keys[M2].pk.b, 32);
    assert_int_equal(mem[2].role, CAIRN_ROLE_VALIDATOR);
    assert_int_equal(mem[2].stake, 100 * TOK);
    assert_int_equal(cx_balance(&t, V3), 100000 * TOK - 100 * TOK - FEE);

    /* commit in E, reveal in E + 1; Yuma at the end of E + 1 pays */
    uint64_t e = epoch_now(&t);
    cairn_weights w = row2(40000, 20000);
    commit_body(&b, 1, e, V3, &w);
    both(&t, V3, CAIRN_TX_WEIGHTS_COMMIT, &b);
    cx_step(&t);
    cx_to_epoch(&t, e + 1);
    reveal_body(&b, 1, e, V3, &w);
    both(&t, V3, CAIRN_TX_WEIGHTS_REVEAL, &b);
    cx_step(&t);
    uint64_t m1 = cx_balance(&t, M1), own = cx_balance(&t, OWNER);
    uint64_t v3 = cx_balance(&t, V3);
    cx_to_epoch(&t, e + 2);
    cairn_subnet_result *r = result_of(&t, 1);
    cairn_epoch_metrics em;
    assert_int_equal(cairn_chain_epoch_metrics(t.c[0], e + 1, &em), CAIRN_OK);
    assert_int_equal(r->epoch, e + 1);
    assert_true(em.emitted_sector[CAIRN_SECTOR_COMPUTE] > 0);
    /* the only subnet with a reveal: half the compute sector's share */
    assert_int_equal(r->emission, em.emitted_sector[CAIRN_SECTOR_COMPUTE] / 2);
    uint64_t sum = r->owner_pay + r->unpaid;
    for (int j = 0; j < r->miners; j++)
        sum += r->miner_pay[j];
    for (int i = 0; i < r->validators; i++)
        sum += r->validator_pay[i];
    assert_int_equal(sum, r->emission); /* exact */
    print_message(
        "sector %llu subnet %llu owner %llu miners %llu %llu "
        "validators %llu %llu unpaid %llu\n",
        (unsigned long long)em.emitted_sector[CAIRN_SECTOR_COMPUTE],
        (unsigned long long)r->emission, (unsigned long long)r->owner_pay,
        (unsigned long long)r->miner_pay[0],
        (unsigned long long)r->miner_pay[1],
        (unsigned long long)r->validator_pay[0],
        (unsigned long long)r->validator_pay[1], (unsigned long long)r->unpaid);
    assert_int_equal(r->owner_pay, r->emission * 1800 / 10000);
    /* docs/compute-verify.md, "Worked numbers": to the base unit */
    assert_int_equal(r->emission, 125000000);
    assert_int_equal(r->owner_pay, 22500000);
    assert_int_equal(r->miner_pay[0], 34166667);
    assert_int_equal(r->miner_pay[1], 17083333);
    assert_int_equal(r->validator_pay[0], 51250000);
    assert_int_equal(r->unpaid, 0);
    assert_true(r->miner_pay[0] > r->miner_pay[1]); /* 40000 vs 20000 */
    assert_int_equal(cx_balance(&t, M1), m1 + r->miner_pay[0]);
    assert_int_equal(cx_balance(&t, OWNER), own + r->owner_pay);
    assert_int_equal(cx_balance(&t, V3), v3 + r->validator_pay[0]);
    assert_true(r->validator_pay[0] > 0);
    assert_int_equal(r->validator_pay[1], 0); /* V4 revealed nothing */

    /* V4 leaves: inactive at once, its stake back at the end of the epoch
     * after next (unlock 1 epoch) */
    uint64_t v4 = cx_balance(&t, V4);
    cairn_buf_reset(&b);
    cairn_subnet_leave_encode(&b, 1);
    both(&t, V4, CAIRN_TX_SUBNET_LEAVE, &b);
    cx_step(&t);
    assert_int_equal(cx_balance(&t, V4), v4 - FEE);
    cx_to_epoch(&t, e + 3);
    assert_int_equal(cx_balance(&t, V4), v4 - FEE);
    cx_to_epoch(&t, e + 4);
    assert_int_equal(cx_balance(&t, V4), v4 - FEE + 50 * TOK);
    /* and may join again with its old uid */
    join_body(&b, 1, CAIRN_ROLE_VALIDATOR, 20 * TOK);
    both(&t, V4, CAIRN_TX_SUBNET_JOIN, &b);
    cx_step(&t);
    assert_int_equal(cairn_chain_subnet_members(t.c[0], 1, mem, 16, &n),
                     CAIRN_OK);
    assert_int_equal(n, 4);
    assert_int_equal(mem[3].active, 1);
    assert_int_equal(mem[3].stake, 20 * TOK);
    fx_replay_check(&t);
    cairn_buf_free(&b);
    twin_close(&t);
}

static void refusals(void **st)
{
    (void)st;
    twin t;
    cairn_buf b;
    setup(&t, 100 * TOK, 0, 0);
    cairn_buf_init(&b, 4096);
    cairn_weights w = row2(1, 2);

    create_body(&b, "tx-1", CAIRN_SUBNET_RENDER);
    assert_int_equal(refused(&t, V4, CAIRN_TX_SUBNET_CREATE, &b),
                     CAIRN_ERR_NAME_TAKEN);
    join_body(&b, 1, CAIRN_ROLE_MINER, 0); /* V4 is no compute provider */
    assert_int_equal(refused(&t, V4, CAIRN_TX_SUBNET_JOIN, &b),
                     CAIRN_ERR_NOT_PROVIDER);
    join_body(&b, 1, CAIRN_ROLE_VALIDATOR, 10 * TOK - 1);
    assert_int_equal(refused(&t, V4, CAIRN_TX_SUBNET_JOIN, &b),
                     CAIRN_ERR_STAKE_LOW);
    join_body(&b, 7, CAIRN_ROLE_VALIDATOR, 10 * TOK);
    assert_int_equal(refused(&t, V4, CAIRN_TX_SUBNET_JOIN, &b),
                     CAIRN_ERR_NO_SUBNET);
    join_body(&b, 1, CAIRN_ROLE_VALIDATOR, 10 * TOK); /* already a member */
    assert_int_equal(refused(&t, V3, CAIRN_TX_SUBNET_JOIN, &b),
                     CAIRN_ERR_DUPLICATE);

    /* commits: by a miner, by a stranger, for another epoch (each refusal
     * is a block: start an epoch so that they all fall in it) */
    cx_to_epoch(&t, epoch_now(&t) + 1);
    uint64_t e = epoch_now(&t);
    commit_body(&b, 1, e, M1, &w);
    assert_int_equal(refused(&t, M1, CAIRN_TX_WEIGHTS_COMMIT, &b),
                     CAIRN_ERR_NOT_MEMBER);
    commit_body(&b, 1, e, V5, &w);
    assert_int_equal(refused(&t, V5, CAIRN_TX_WEIGHTS_COMMIT, &b),
                     CAIRN_ERR_NOT_MEMBER);
    commit_body(&b, 1, e + 1, V3, &w);
    assert_int_equal(refused(&t, V3, CAIRN_TX_WEIGHTS_COMMIT, &b),
                     CAIRN_ERR_WEIGHTS_EPOCH);
    commit_body(&b, 1, e, V3, &w);
    both(&t, V3, CAIRN_TX_WEIGHTS_COMMIT, &b);
    cx_step(&t);

    /* a reveal in the commit's own epoch is too early */
    reveal_body(&b, 1, e, V3, &w);
    assert_int_equal(refused(&t, V3, CAIRN_TX_WEIGHTS_REVEAL, &b),
                     CAIRN_ERR_WEIGHTS_EPOCH);
    cx_to_epoch(&t, e + 1);
    cairn_weights other = row2(2, 1); /* not what was committed */
    reveal_body(&b, 1, e, V3, &other);
    assert_int_equal(refused(&t, V3, CAIRN_TX_WEIGHTS_REVEAL, &b),
                     CAIRN_ERR_COMMIT_MISMATCH);
    reveal_body(&b, 1, e, V3, &w);
    b.p[b.len - 1] ^= 1; /* another salt */
    assert_int_equal(refused(&t, V3, CAIRN_TX_WEIGHTS_REVEAL, &b),
                     CAIRN_ERR_COMMIT_MISMATCH);
    cairn_weights far = w;
    far.e[1].uid = 9; /* a miner that does not exist */
    reveal_body(&b, 1, e, V3, &far);
    assert_int_equal(refused(&t, V3, CAIRN_TX_WEIGHTS_REVEAL, &b),
                     CAIRN_ERR_COMMIT_MISMATCH);
    reveal_body(&b, 1, e, V3, &w);
    both(&t, V3, CAIRN_TX_WEIGHTS_REVEAL, &b);
    cx_step(&t);
    /* revealed once: the commit is gone */
    reveal_body(&b, 1, e, V3, &w);
    assert_int_equal(refused(&t, V3, CAIRN_TX_WEIGHTS_REVEAL, &b),
                     CAIRN_ERR_COMMIT_MISMATCH);

    /* a commit not revealed in its next epoch can never be */
    uint64_t e2 = epoch_now(&t);
    commit_body(&b, 1, e2, V3, &w);
    both(&t, V3, CAIRN_TX_WEIGHTS_COMMIT, &b);
    cx_step(&t);
    cx_to_epoch(&t, e2 + 2);
    reveal_body(&b, 1, e2, V3, &w);
    assert_int_equal(refused(&t, V3, CAIRN_TX_WEIGHTS_REVEAL, &b),
                     CAIRN_ERR_WEIGHTS_EPOCH);

    /* bodies */
    cairn_buf_reset(&b);
    cairn_put_u8(&b, 3);
    cairn_put_bytes(&b, "A-b", 3); /* upper case */
    cairn_put_u8(&b, 1);
    assert_int_equal(refused(&t, V4, CAIRN_TX_SUBNET_CREATE, &b),
                     CAIRN_ERR_BAD_BODY);
    create_body(&b, "ok", 4); /* no job type 4 */
    assert_int_equal(refused(&t, V4, CAIRN_TX_SUBNET_CREATE, &b),
                     CAIRN_ERR_BAD_BODY);
    cairn_buf_free(&b);
    twin_close(&t);
}

/* Commits row w of `who` in the current epoch (queued). */
static void commit_q(twin *t, cairn_buf *b, int who, const cairn_weights *w)
{
    commit_body(b, 1, epoch_now(t), who, w);
    both(t, who, CAIRN_TX_WEIGHTS_COMMIT, b);
}

static void reveal_q(twin *t, cairn_buf *b, int who, const cairn_weights *w)
{
    reveal_body(b, 1, epoch_now(t) - 1, who, w);
    both(t, who, CAIRN_TX_WEIGHTS_REVEAL, b);
}

/* Stake: V3 400, V4 350 (the majority: equal weights), V5 250 (the
 * minority: every weight on miner 1). Consensus keeps miner 1 at the
 * majority's 0.5; without the clip its incentive would be 0.625. */
static void minority(void **st)
{
    (void)st;
    twin t;
    cairn_buf b;
    setup(&t, 400 * TOK, 350 * TOK, 250 * TOK);
    cairn_buf_init(&b, 4096);
    cairn_weights fair = row2(30000, 30000), pump = row2(0, 65535);
    for (int k = 0; k < 3; k++) {
        if (k) {
            reveal_q(&t, &b, V3, &fair);
            reveal_q(&t, &b, V4, &fair);
            reveal_q(&t, &b, V5, &pump);
            cx_step(&t);
        }
        commit_q(&t, &b, V3, &fair);
        commit_q(&t, &b, V4, &fair);
        commit_q(&t, &b, V5, &pump);
        cx_step(&t);
        cx_to_epoch(&t, epoch_now(&t) + 1);
    }
    cairn_subnet_result *r = result_of(&t, 1);
    double c1 = r->consensus[1] / Q32, i1 = r->incentive[1] / Q32;
    double i0 = r->incentive[0] / Q32;
    print_message("consensus %.4f %.4f incentive %.4f %.4f\n",
                  r->consensus[0] / Q32, c1, i0, i1);
    assert_true(c1 <= 0.5 + 0.001); /* the majority's weight, no higher */
    assert_true(c1 >= 0.5 - 0.001);
    assert_true(i1 < 0.58); /* 0.571 with the clip, 0.625 without */
    assert_true(i0 + i1 > 0.999);
    cairn_buf_free(&b);
    twin_close(&t);
}

/* Miner quality alternates every epoch: in epoch E the good miner is
 * E % 2. V3 and V5 score it themselves (commit in E what they saw in E);
 * V4 copies V3's row from V3's reveal, which comes in E + 1, commits it
 * then and reveals it in E + 2: in every Yuma it holds the row of the
 * epoch before, which consensus no longer backs. Equal stakes. */
static void copier(void **st)
{
    (void)st;
    twin t;
    cairn_buf b;
    setup(&t, 300 * TOK, 300 * TOK, 300 * TOK);
    cairn_buf_init(&b, 4096);
    cairn_weights rows[2] = {row2(65535, 0), row2(0, 65535)};
    uint64_t paid[3] = {0}, divs[3] = {0};
    uint64_t e0 = epoch_now(&t);
    for (uint64_t e = e0; e < e0 + 8; e++) {
        const cairn_weights *now = &rows[e % 2], *prev = &rows[(e + 1) % 2];
        if (e > e0) { /* the reveals of last epoch's commits */
            reveal_q(&t, &b, V3, prev);
            reveal_q(&t, &b, V5, prev);
            if (e > e0 + 1) /* V4 committed V3's row of e - 2 */
                reveal_q(&t, &b, V4, now);
            cx_step(&t);
        }
        commit_q(&t, &b, V3, now);
        commit_q(&t, &b, V5, now);
        if (e > e0) /* V3's reveal (row of e - 1) is on chain: copy it */
            commit_q(&t, &b, V4, prev);
        cx_step(&t);
        cx_to_epoch(&t, e + 1);
        cairn_subnet_result *r = result_of(&t, 1);
        assert_int_equal(r->epoch, e);
        if (e < e0 + 3)
            continue; /* let the bonds form */
        for (int i = 0; i < 3; i++) {
            paid[i] += r->validator_pay[i];
            divs[i] += r->dividend[i];
        }
    }
    print_message("dividends honest %llu copier %llu honest %llu\n",
                  (unsigned long long)paid[0], (unsigned long long)paid[1],
                  (unsigned long long)paid[2]);
    assert_true(paid[0] > 0);
    assert_true(paid[1] * 3 < paid[0]); /* the copier: under a third */
    assert_true(divs[1] * 3 < divs[0]);
    /* the two honest ones: within 1% of each other */
    assert_true(paid[2] * 100 >= paid[0] * 99 && paid[0] * 100 >= paid[2] * 99);
    cairn_buf_free(&b);
    twin_close(&t);
}

/* The lookups the evidence kind uses (src/sectors/compute/subnet.h):
 * active validators' stakes, their total, active miners. */
static void lookups(void **st)
{
    (void)st;
    twin t;
    cairn_buf b;
    MDB_txn *txn;
    uint64_t v, total;
    int yes;
    uint16_t uid = 99;
    setup(&t, 100 * TOK, 50 * TOK, 0);
    cairn_buf_init(&b, 64);
    cairn_subnet_leave_encode(&b, 1);
    both(&t, V4, CAIRN_TX_SUBNET_LEAVE, &b);
    cx_step(&t);
    assert_int_equal(chain_read_begin(t.c[0], &txn), CAIRN_OK);
    const store *s = chain_store(t.c[0]);
    assert_int_equal(subnet_validator_stake(txn, s, 1, &fx_keys[V3].pk, &v),
                     CAIRN_OK);
    assert_int_equal(v, 100 * TOK);
    /* left (its stake still held, unlocking): 0 */
    assert_int_equal(subnet_validator_stake(txn, s, 1, &fx_keys[V4].pk, &v),
                     CAIRN_OK);
    assert_int_equal(v, 0);
    /* a miner and a stranger: 0 */
    assert_int_equal(subnet_validator_stake(txn, s, 1, &fx_keys[M1].pk, &v),
                     CAIRN_OK);
    assert_int_equal(v, 0);
    assert_int_equal(subnet_validator_stake(txn, s, 1, &fx_keys[V5].pk, &v),
                     CAIRN_OK);
    assert_int_equal(v, 0);
    assert_int_equal(subnet_total_stake(txn, s, 1, &total), CAIRN_OK);
    assert_int_equal(total, 100 * TOK);
    assert_int_equal(subnet_is_miner(txn, s, 1, &fx_keys[M2].pk, &yes, &uid),
                     CAIRN_OK);
    assert_int_equal(yes, 1);
    assert_int_equal(uid, 1);
    assert_int_equal(subnet_is_miner(txn, s, 1, &fx_keys[V3].pk, &yes, NULL),
                     CAIRN_OK);
    assert_int_equal(yes, 0);
    assert_int_equal(subnet_total_stake(txn, s, 2, &total),
                     CAIRN_ERR_NO_SUBNET);
    assert_int_equal(subnet_is_miner(txn, s, 2, &fx_keys[M2].pk, &yes, NULL),
                     CAIRN_ERR_NO_SUBNET);
    mdb_txn_abort(txn);
    cairn_buf_free(&b);
    twin_close(&t);
}

/* Slashes (and, with jail_after_faults 1, jails) keys[who] at one
 * height, on both chains alike. */
static struct {
    uint64_t height;
    int who;
} jail_plan;

static cairn_err jail_hook(exec_ctx *x, void *arg)
{
    (void)arg;
    if (x->height != jail_plan.height)
        return CAIRN_OK;
    return econ_slash(x, &fx_keys[jail_plan.who].pk, 100, "test: jailed");
}

static uint64_t sum_of(const cairn_subnet_result *r)
{
    uint64_t sum = r->owner_pay + r->unpaid;
    for (int j = 0; j < r->miners; j++)
        sum += r->miner_pay[j];
    for (int i = 0; i < r->validators; i++)
        sum += r->validator_pay[i];
    return sum;
}

/* A jailed miner's column is ignored (incentive 0, no pay) while the
 * other takes the miners' whole pool; once the other has left too, the
 * miners' pool is unpaid and goes back to the sector, exactly. */
static void jailed_and_left(void **st)
{
    (void)st;
    twin t;
    cairn_buf b;
    setup(&t, 100 * TOK, 0, 0);
    cairn_buf_init(&b, 4096);
    econ_set_test_hook(jail_hook, NULL);
    cairn_weights w = row2(30000, 30000);
    uint64_t e = epoch_now(&t);
    commit_q(&t, &b, V3, &w);
    cx_step(&t);
    cx_to_epoch(&t, e + 1);
    reveal_q(&t, &b, V3, &w);
    commit_q(&t, &b, V3, &w);
    jail_plan.height = fx_height(&t) + 1;
    jail_plan.who = M2;
    cx_step(&t);
    cx_to_epoch(&t, e + 2);
    cairn_subnet_result r = *result_of(&t, 1);
    assert_int_equal(r.epoch, e + 1);
    assert_int_equal(r.incentive[1], 0);
    assert_int_equal(r.miner_pay[1], 0);
    uint64_t rest = r.emission - r.owner_pay;
    assert_int_equal(r.miner_pay[0], rest - rest / 2); /* the whole pool */
    assert_int_equal(sum_of(&r), r.emission);

    reveal_q(&t, &b, V3, &w);
    cairn_subnet_leave_encode(&b, 1);
    both(&t, M1, CAIRN_TX_SUBNET_LEAVE, &b);
    cx_step(&t);
    cx_to_epoch(&t, e + 3);
    r = *result_of(&t, 1);
    assert_int_equal(r.epoch, e + 2);
    assert_int_equal(r.miner_pay[0] + r.miner_pay[1], 0);
    rest = r.emission - r.owner_pay;
    assert_true(r.emission > 0);
    assert_true(r.unpaid >= rest - rest / 2); /* the miners' pool at least */
    assert_int_equal(sum_of(&r), r.emission);
    fx_replay_check(&t);
    cairn_buf_free(&b);
    twin_close(&t);
}

/* Two subnets with reveals split the pot equally (remainder to the
 * lower id); a subnet without one gets nothing; every split exact. */
static void two_subnets(void **st)
{
    (void)st;
    twin t;
    cairn_buf b;
    setup(&t, 100 * TOK, 0, 0);
    cairn_buf_init(&b, 4096);
    create_body(&b, "tx-2", CAIRN_SUBNET_MATMUL);
    both(&t, OWNER, CAIRN_TX_SUBNET_CREATE, &b);
    create_body(&b, "tx-3", CAIRN_SUBNET_RENDER);
    both(&t, OWNER, CAIRN_TX_SUBNET_CREATE, &b);
    cx_step(&t);
    join_body(&b, 2, CAIRN_ROLE_MINER, 0);
    both(&t, M1, CAIRN_TX_SUBNET_JOIN, &b);
    join_body(&b, 3, CAIRN_ROLE_MINER, 0);
    both(&t, M1, CAIRN_TX_SUBNET_JOIN, &b);
    join_body(&b, 2, CAIRN_ROLE_VALIDATOR, 10 * TOK);
    both(&t, V4, CAIRN_TX_SUBNET_JOIN, &b);
    join_body(&b, 3, CAIRN_ROLE_VALIDATOR, 10 * TOK);
    both(&t, V5, CAIRN_TX_SUBNET_JOIN, &b);
    cx_step(&t);
    uint64_t e = epoch_now(&t);
    cairn_weights w1 = row2(5, 7), w2;
    memset(&w2, 0, sizeof w2);
    w2.n = 1;
    w2.e[0] = (cairn_weight){0, 100};
    commit_q(&t, &b, V3, &w1);
    commit_body(&b, 2, e, V4, &w2);
    both(&t, V4, CAIRN_TX_WEIGHTS_COMMIT, &b);
    cx_step(&t);
    cx_to_epoch(&t, e + 1);
    reveal_q(&t, &b, V3, &w1);
    reveal_body(&b, 2, e, V4, &w2);
    both(&t, V4, CAIRN_TX_WEIGHTS_REVEAL, &b);
    cx_step(&t);
    cx_to_epoch(&t, e + 2);
    cairn_epoch_metrics em;
    assert_int_equal(cairn_chain_epoch_metrics(t.c[0], e + 1, &em), CAIRN_OK);
    uint64_t pot = em.emitted_sector[CAIRN_SECTOR_COMPUTE] / 2;
    cairn_subnet_result r1 = *result_of(&t, 1), r2 = *result_of(&t, 2);
    cairn_subnet_result r3 = *result_of(&t, 3);
    assert_int_equal(r1.emission, pot / 2 + pot % 2);
    assert_int_equal(r2.emission, pot / 2);
    assert_int_equal(r3.emission, 0);
    assert_int_equal(r3.epoch, e + 1);
    cairn_subnet_result *rs[3] = {&r1, &r2, &r3};
    for (int k = 0; k < 3; k++) {
        uint64_t sum = rs[k]->owner_pay + rs[k]->unpaid;
        for (int j = 0; j < rs[k]->miners; j++)
            sum += rs[k]->miner_pay[j];
        for (int i = 0; i < rs[k]->validators; i++)
            sum += rs[k]->validator_pay[i];
        assert_int_equal(sum, rs[k]->emission);
    }
    cairn_subnet_info list[4];
    size_t n;
    int more;
    assert_int_equal(cairn_chain_subnets(t.c[0], 0, list, 2, &n, &more),
                     CAIRN_OK);
    assert_int_equal(n, 2);
    assert_int_equal(more, 1);
    assert_int_equal(cairn_chain_subnets(t.c[0], 2, list, 4, &n, &more),
                     CAIRN_OK);
    assert_int_equal(n, 1);
    assert_string_equal(list[0].name, "tx-3");
    fx_replay_check(&t);
    cairn_buf_free(&b);
    twin_close(&t);
}

/* The codecs: every body re-encodes to itself; the commit hash binds
 * every field. */
static void codecs(void **st)
{
    (void)st;
    cairn_buf b;
    static cairn_weights_reveal r, back;
    char name[CAIRN_SUBNET_NAME_MAX + 1];
    uint8_t type;
    cairn_buf_init(&b, 4096);
    assert_true(cairn_subnet_name_ok("a-0"));
    assert_false(cairn_subnet_name_ok(""));
    assert_false(cairn_subnet_name_ok("abcdefghijklmnopq"));
    assert_false(cairn_subnet_name_ok("a_b"));
    cairn_subnet_create_encode(&b, "render-x", CAIRN_SUBNET_RENDER);
    assert_int_equal(cairn_subnet_create_decode(name, &type, b.p, b.len),
                     CAIRN_OK);
    assert_string_equal(name, "render-x");
    memset(&r, 0, sizeof r);
    r.subnet = 3;
    r.epoch = 99;
    r.w = row2(1, 2);
    cairn_buf_reset(&b);
    cairn_weights_reveal_encode(&b, &r);
    assert_int_equal(b.len, 4 + 8 + 2 + 8 + 32);
    assert_int_equal(cairn_weights_reveal_decode(&back, b.p, b.len), CAIRN_OK);
    assert_int_equal(back.w.n, 2);
    assert_int_equal(back.w.e[1].w, 2);
    b.p[14] = 5; /* uid 5 then uid 1: not increasing */
    assert_int_equal(cairn_weights_reveal_decode(&back, b.p, b.len),
                     CAIRN_ERR_BAD_BODY);
    cairn_hash h1, h2;
    cairn_weights_commit_hash(&h1, 1, 2, &fx_keys[1].pk, &r.w, r.salt);
    cairn_weights_commit_hash(&h2, 1, 2, &fx_keys[2].pk, &r.w, r.salt);
    assert_memory_not_equal(h1.b, h2.b, 32);
    cairn_weights_commit_hash(&h2, 1, 3, &fx_keys[1].pk, &r.w, r.salt);
    assert_memory_not_equal(h1.b, h2.b, 32);
    cairn_buf_free(&b);
}

int main(void)
{
    fx_make_keys();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(codecs),          cmocka_unit_test(happy_path),
        cmocka_unit_test(refusals),        cmocka_unit_test(minority),
        cmocka_unit_test(copier),          cmocka_unit_test(two_subnets),
        cmocka_unit_test(jailed_and_left), cmocka_unit_test(lookups),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
