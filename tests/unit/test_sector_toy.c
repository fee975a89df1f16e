/* A toy second sector, defined in this test only, on the sector interface
 * (src/econ/sector.h): one transaction kind (report work units with a
 * deposit held in escrow), one governable parameter (a cap on the units a
 * provider may report per epoch), an end-of-epoch hook that reports the
 * work to the economy and returns the deposits, and an escrow rule for the
 * books audit. It runs beside the real storage sector on a real chain (real
 * LMDB, real signatures) and shows emission split between the two by their
 * weights, rewards that follow the toy's work, the cap enforced, the books
 * audited after every block, and a clean replay. It touches no file outside
 * the test tree: docs/sectors.md walks through it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/amount.h"
#include "cairn/chain.h"
#include "cairn/mempool.h"
#include "cairn/metrics.h"
#include "cairn/rewards.h"
#include "cairn/staking.h"
#include "cairn/storage.h"
#include "core/bytes.h"
#include "econ/sector.h"
#include "econ/staking.h"
#include "econ/stats.h"
#include "ledger/view.h"
#include "sectors/storage/sector.h"

#define TOK 1000000ull
#define FEE 1000
#define CHAIN "toy-test"

/* ---- the toy sector ---- */

enum {
    TOY_ID = 1,     /* a free sector id (no compute here) */
    TOY_TAG = 0x60, /* its state: 0x60 ‖ provider -> units ‖ deposit */
    TOY_KIND_WORK = 0x50, /* body: u64 units ‖ u64 deposit */
    TOY_P_CAP = 0x200,    /* ECON_SECTOR_PARAM_BASE(1) + 0 */
    TOY_MAX_PENDING = 64, /* records settled per epoch in this test */
};

static cairn_err toy_work_check(const cairn_tx *tx)
{
    if (tx->body_len != 16)
        return CAIRN_ERR_BAD_BODY;
    return cairn_le64_get(tx->body) ? CAIRN_OK : CAIRN_ERR_ZERO_AMOUNT;
}

/* The sender must be an active provider of this sector; its deposit moves
 * from its balance into the record (escrow) until the epoch ends. */
static cairn_err toy_work_apply(exec_ctx *x, const cairn_tx *tx)
{
    econ_provider p;
    MDB_val v;
    uint8_t rec[16];
    uint64_t units = cairn_le64_get(tx->body),
             dep = cairn_le64_get(tx->body + 8);
    cairn_err e = econ_provider_read(x->w->txn, x->s, &tx->sender, &p);
    if (e || p.sector != TOY_ID)
        return e ? e : CAIRN_ERR_BAD_SECTOR;
    e = state_get(x->w->txn, x->s, TOY_TAG, tx->sender.b, 32, &v);
    if (e == CAIRN_OK && v.mv_size == 16) {
        if (cairn_add(&units, units, cairn_le64_get(v.mv_data)) ||
            cairn_add(&dep, dep, cairn_le64_get((uint8_t *)v.mv_data + 8)))
            return CAIRN_ERR_OVERFLOW;
    } else if (e != CAIRN_ERR_NOT_FOUND) {
        return e ? e : CAIRN_ERR_DB;
    }
    if ((e = econ_hold(x, &tx->sender, cairn_le64_get(tx->body + 8))))
        return e;
    cairn_le64_put(rec, units);
    cairn_le64_put(rec + 8, dep);
    return state_put(x->w, x->s, TOY_TAG, tx->sender.b, 32, rec, 16);
}

typedef struct pending {
    size_t n;
    uint8_t key[TOY_MAX_PENDING][33];
    uint64_t units[TOY_MAX_PENDING], deposit[TOY_MAX_PENDING];
} pending;

static cairn_err collect(void *arg, const uint8_t *kp, size_t klen,
                         const uint8_t *vp, size_t vlen)
{
    pending *p = arg;
    if (klen != 33 || vlen != 16 || p->n == TOY_MAX_PENDING)
        return CAIRN_ERR_DB;
    memcpy(p->key[p->n], kp, 33);
    p->units[p->n] = cairn_le64_get(vp);
    p->deposit[p->n++] = cairn_le64_get(vp + 8);
    return CAIRN_OK;
}

/* Reports each provider's units (at most the cap) as work, returns its
 * deposit and clears its record, in key order. */
static cairn_err toy_end_epoch(exec_ctx *x, uint64_t epoch)
{
    pending p = {0};
    uint64_t cap;
    (void)epoch;
    cairn_err e = econ_param_get(x, TOY_P_CAP, &cap);
    if (!e)
        e = state_scan(x->w->txn, x->s, TOY_TAG, collect, &p);
    for (size_t i = 0; !e && i < p.n; i++) {
        cairn_pubkey pk;
        memcpy(pk.b, p.key[i] + 1, 32);
        e = econ_add_work(x, &pk, p.units[i] < cap ? p.units[i] : cap);
        if (!e)
            e = econ_unhold(x, &pk, p.deposit[i]);
        if (!e)
            e = state_del_raw(x->w, x->s, p.key[i], 33);
    }
    return e;
}

static uint64_t toy_held(const uint8_t *k, size_t kn, const uint8_t *v,
                         size_t vn)
{
    (void)k;
    (void)kn;
    return vn == 16 ? cairn_le64_get(v + 8) : UINT64_MAX;
}

static const tx_kind toy_kinds[] = {
    {TOY_KIND_WORK, "toy_work", toy_work_check, toy_work_apply},
};
static const econ_param_def toy_params[] = {
    {TOY_P_CAP, "toy_unit_cap", 100, 1, 1000000, 0,
     "most units a toy provider is paid for per epoch"},
};
static const econ_sector toy_sector = {
    .id = TOY_ID,
    .name = "toy",
    .weight = ECON_WEIGHT(TOY_ID, "weight_toy", 5000),
    .tag_first = TOY_TAG,
    .tag_last = TOY_TAG + 0x0F,
    .kind_first = TOY_KIND_WORK,
    .kind_last = TOY_KIND_WORK + 0x0F,
    .kinds = toy_kinds,
    .nkinds = 1,
    .params = toy_params,
    .nparams = 1,
    .end_epoch = toy_end_epoch,
    .held = toy_held,
};

/* The test's composition root: storage and the toy. */
static const econ_sector *const sectors[] = {&cairn_storage_sector,
                                             &toy_sector};
static const econ_registry registry = {sectors, 2};
static cairn_rules rules;

/* ---- a chain on those rules ---- */

static cairn_keypair keys[4]; /* 0 sequencer, 1 toy A, 2 toy B, 3 storage */
static cairn_chain *chain;
static cairn_mempool *mp;
static char dir[64];

#define ECONOMY                                                                \
    "{\"epoch_blocks\":4,\"emission_initial\":\"1000\",\"halving_epochs\":0,"  \
    "\"weight_storage\":6000,\"weight_toy\":4000,\"toy_unit_cap\":50,"         \
    "\"fee_provider_bps\":0,\"fee_burn_bps\":10000,\"fee_treasury_bps\":0,"    \
    "\"fee_stakers_bps\":0}"

static void open_chain(void)
{
    char j[4096], a[4][CAIRN_ADDR_TEXT_LEN + 1], msg[256] = "";
    cairn_genesis g;
    for (int i = 0; i < 4; i++) {
        uint8_t seed[32] = {(uint8_t)i, 0x70};
        cairn_keypair_from_seed(&keys[i], seed);
        cairn_addr_format(a[i], &keys[i].pk);
    }
    snprintf(
        j, sizeof j,
        "{\"chain_id\":\"" CHAIN
        "\",\"token\":{\"name\":\"T\",\"symbol\":\"T\"},"
        "\"supply_cap\":\"10000000\",\"min_fee\":\"0.001\",\"genesis_time_ms\":0,"
        "\"block_interval_ms\":1000,\"max_block_txs\":100,\"sequencer\":\"%s\","
        "\"allocations\":[{\"address\":\"%s\",\"amount\":\"10000\"},"
        "{\"address\":\"%s\",\"amount\":\"10000\"},"
        "{\"address\":\"%s\",\"amount\":\"10000\"}],\"economy\":" ECONOMY "}",
        a[0], a[1], a[2], a[3]);
    econ_rules_init(&rules, &registry);
    assert_int_equal(econ_registry_check(&registry, msg, sizeof msg), CAIRN_OK);
    assert_int_equal(cairn_genesis_parse(&g, j, msg, sizeof msg), CAIRN_OK);
    snprintf(dir, sizeof dir, "/tmp/cairn-toy-XXXXXX");
    assert_non_null(mkdtemp(dir));
    assert_int_equal(cairn_chain_create_rules(dir, &g, &rules), CAIRN_OK);
    cairn_genesis_free(&g);
    assert_int_equal(cairn_chain_open_rules(&chain, dir, &rules), CAIRN_OK);
    mp = cairn_mempool_new(100, 1u << 20);
    assert_non_null(mp);
}

static void close_chain(void)
{
    char cmd[96];
    cairn_chain_close(chain);
    cairn_mempool_free(mp);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

static cairn_err submit(int who, uint16_t kind, const cairn_buf *body)
{
    cairn_account acc;
    cairn_buf b;
    cairn_tx tx;
    cairn_hash h;
    assert_int_equal(cairn_chain_account(chain, &keys[who].pk, &acc), CAIRN_OK);
    cairn_buf_init(&b, CAIRN_TX_MAX_BYTES);
    uint64_t nonce = acc.nonce + cairn_mempool_pending(mp, &keys[who].pk);
    assert_int_equal(cairn_tx_make(&b, CHAIN, &keys[who], nonce, FEE, kind,
                                   body->p, body->len),
                     CAIRN_OK);
    cairn_err e = cairn_chain_check_tx(chain, b.p, b.len, &tx, &h);
    if (!e)
        e = cairn_mempool_add(mp, b.p, b.len, &tx, &h, acc.nonce);
    cairn_buf_free(&b);
    return e;
}

/* One block; the books must balance after it. Returns the first drop. */
static cairn_err block(void)
{
    cairn_proposal pr;
    cairn_header h;
    cairn_econ_audit au;
    cairn_chain_tip(chain, &h, NULL);
    assert_int_equal(
        cairn_chain_propose(chain, mp, &keys[0], (h.height + 1) * 1000, &pr),
        CAIRN_OK);
    cairn_err e = pr.n_dropped ? pr.drop_err[0] : CAIRN_OK;
    cairn_proposal_free(&pr);
    assert_int_equal(cairn_chain_econ_audit(chain, &au), CAIRN_OK);
    assert_true(au.ok);
    return e;
}

static void reg(int who, uint8_t sector)
{
    cairn_buf b;
    cairn_register r = {sector, 0, 100 * TOK, "tcp://127.0.0.1:7000"};
    cairn_buf_init(&b, 256);
    cairn_register_encode(&b, &r);
    assert_int_equal(submit(who, CAIRN_TX_REGISTER, &b), CAIRN_OK);
    cairn_buf_free(&b);
}

static cairn_err work(int who, uint64_t units, uint64_t deposit)
{
    cairn_buf b;
    cairn_buf_init(&b, 16);
    cairn_put_u64(&b, units);
    cairn_put_u64(&b, deposit);
    cairn_err e = submit(who, TOY_KIND_WORK, &b);
    cairn_buf_free(&b);
    return e;
}

static econ_epoch_stats stats_of(uint64_t epoch)
{
    MDB_txn *txn;
    econ_epoch_stats s;
    assert_int_equal(chain_read_begin(chain, &txn), CAIRN_OK);
    assert_int_equal(econ_stats_get(txn, chain_store(chain), epoch, &s),
                     CAIRN_OK);
    mdb_txn_abort(txn);
    return s;
}

static uint64_t reward_of(int who)
{
    cairn_provider_info p;
    assert_int_equal(cairn_chain_provider(chain, &keys[who].pk, &p), CAIRN_OK);
    return p.reward;
}

/* ---- tests ---- */

static void test_registry_rejects_overlaps(void **st)
{
    (void)st;
    char msg[200] = "";
    econ_sector clash = toy_sector;
    clash.tag_first = 0x58; /* inside storage's 0x50..0x5F */
    clash.tag_last = 0x61;
    const econ_sector *const two[] = {&cairn_storage_sector, &clash};
    econ_registry r = {two, 2};
    assert_int_equal(econ_registry_check(&r, msg, sizeof msg),
                     CAIRN_ERR_BAD_SECTOR);
    assert_non_null(strstr(msg, "state tags"));
    clash = toy_sector;
    clash.kind_first = 0x4F; /* storage's last kind */
    assert_int_equal(econ_registry_check(&r, msg, sizeof msg),
                     CAIRN_ERR_BAD_SECTOR);
    assert_non_null(strstr(msg, "kinds"));
    clash = toy_sector;
    clash.id = 0; /* storage's id */
    clash.weight.id = toy_sector.weight.id - 1;
    assert_int_equal(econ_registry_check(&r, msg, sizeof msg),
                     CAIRN_ERR_BAD_SECTOR);
    assert_int_equal(econ_registry_check(&registry, msg, sizeof msg), CAIRN_OK);
}

static void test_genesis_checks_toy_weights(void **st)
{
    (void)st;
    char msg[256] = "";
    /* the weights of the registered sectors must sum to 10000 */
    assert_int_equal(
        econ_params_check(&registry, "{\"weight_toy\":3000}", msg, sizeof msg),
        CAIRN_ERR_GENESIS);
    assert_non_null(strstr(msg, "\"weight_toy\""));
    /* a sector the registry does not list has no parameters */
    assert_int_equal(
        econ_params_check(&registry, "{\"weight_compute\":0}", msg, sizeof msg),
        CAIRN_ERR_GENESIS);
    assert_int_equal(
        econ_params_check(&registry, "{\"toy_unit_cap\":0}", msg, sizeof msg),
        CAIRN_ERR_GENESIS);
}

static void test_emission_split_by_weight(void **st)
{
    (void)st;
    open_chain();
    reg(1, TOY_ID);
    reg(2, TOY_ID);
    reg(3, CAIRN_SECTOR_STORAGE);
    assert_int_equal(block(), CAIRN_OK); /* height 1 */
    /* A storage provider cannot use the toy's kind. */
    assert_int_equal(work(3, 10, 0), CAIRN_OK);
    assert_int_equal(block(), CAIRN_ERR_BAD_SECTOR); /* height 2 */
    /* A reports 30 units, B 90 (capped at 50); deposits held in escrow. */
    uint64_t bal_a = 0;
    cairn_account acc;
    assert_int_equal(cairn_chain_account(chain, &keys[1].pk, &acc), CAIRN_OK);
    bal_a = acc.balance;
    assert_int_equal(work(1, 30, 5 * TOK), CAIRN_OK);
    assert_int_equal(work(2, 90, 7 * TOK), CAIRN_OK);
    assert_int_equal(block(), CAIRN_OK); /* height 3: deposits in escrow */
    assert_int_equal(cairn_chain_account(chain, &keys[1].pk, &acc), CAIRN_OK);
    assert_int_equal(acc.balance, bal_a - FEE - 5 * TOK);
    assert_int_equal(block(), CAIRN_OK); /* height 4: epoch 0 ends */
    econ_epoch_stats s = stats_of(0);
    assert_int_equal(s.emitted, 1000 * TOK);
    assert_int_equal(s.emitted_sector[CAIRN_SECTOR_STORAGE], 600 * TOK);
    assert_int_equal(s.emitted_sector[TOY_ID], 400 * TOK);
    assert_int_equal(s.work_units[TOY_ID], 30 + 50);
    assert_int_equal(s.work_units[CAIRN_SECTOR_STORAGE], 0);
    assert_int_equal(s.active_providers[TOY_ID], 2);
    /* staked providers count with work or not: storage's has none */
    assert_int_equal(s.staked_providers[TOY_ID], 2);
    assert_int_equal(s.staked_providers[CAIRN_SECTOR_STORAGE], 1);
    assert_int_equal(s.active_providers[CAIRN_SECTOR_STORAGE], 0);
    assert_int_equal(s.held_end, 0); /* the deposits went back */
    cairn_epoch_metrics m;
    assert_int_equal(cairn_chain_epoch_metrics(chain, 0, &m), CAIRN_OK);
    assert_int_equal(m.window_epochs, 1);
    assert_int_equal(m.emitted_sector[TOY_ID], 400 * TOK);
    /* the reward records tie each reward to its work */
    cairn_reward rw[4];
    size_t nr;
    int more;
    uint64_t next;
    assert_int_equal(
        cairn_chain_epoch_rewards(chain, 0, NULL, rw, 4, &nr, &more), CAIRN_OK);
    assert_int_equal(nr, 2); /* the two toy providers; storage's did no work */
    assert_int_equal(more, 0);
    assert_int_equal(cairn_chain_provider_rewards(chain, &keys[2].pk, 0, 20000,
                                                  rw, 4, &nr, &more, &next),
                     CAIRN_OK);
    assert_int_equal(nr, 1);
    assert_int_equal(rw[0].epoch, 0);
    assert_int_equal(rw[0].sector, TOY_ID);
    assert_int_equal(rw[0].work_units, 50);
    assert_int_equal(rw[0].sector_work, 80);
    assert_int_equal(rw[0].reward, 250 * TOK);
    assert_int_equal(more, 1); /* 20001 epochs: one query reads 10000 */
    assert_int_equal(next, CAIRN_REWARDS_SCAN);
    /* The toy's 400 tokens follow its work: 30/80 and 50/80. */
    assert_int_equal(reward_of(1), 150 * TOK);
    assert_int_equal(reward_of(2), 250 * TOK);
    assert_int_equal(reward_of(3), 0);
    /* Deposits came back (only the two fees were spent). */
    assert_int_equal(cairn_chain_account(chain, &keys[1].pk, &acc), CAIRN_OK);
    assert_int_equal(acc.balance, bal_a - FEE);
    /* The replay through the same rules reaches the same state. */
    cairn_header h;
    cairn_hash root;
    uint64_t blocks;
    char rdir[96], cmd[128];
    cairn_chain_tip(chain, &h, NULL);
    snprintf(rdir, sizeof rdir, "%s-replay", dir);
    assert_int_equal(
        cairn_chain_replay_rules(dir, rdir, &rules, &root, &blocks), CAIRN_OK);
    assert_memory_equal(root.b, h.state_root.b, 32);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", rdir);
    assert_int_equal(system(cmd), 0);
    close_chain();
}

static void test_unknown_without_the_sector(void **st)
{
    (void)st;
    /* The node's own registry (no toy) does not know the toy's kind. */
    open_chain();
    reg(1, TOY_ID);
    assert_int_equal(block(), CAIRN_OK);
    cairn_chain_close(chain);
    assert_int_equal(cairn_chain_open_rules(&chain, dir, NULL), CAIRN_OK);
    assert_int_equal(work(1, 10, 0), CAIRN_ERR_BAD_KIND);
    cairn_chain_close(chain);
    assert_int_equal(cairn_chain_open_rules(&chain, dir, &rules), CAIRN_OK);
    close_chain();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_registry_rejects_overlaps),
        cmocka_unit_test(test_genesis_checks_toy_weights),
        cmocka_unit_test(test_emission_split_by_weight),
        cmocka_unit_test(test_unknown_without_the_sector),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
