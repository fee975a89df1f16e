/* Property tests of the economy through the real chain: random valid and
 * invalid staking traffic across many epochs, with the books audited after
 * every block; the emission cap; replay determinism; one error per bad
 * input; the genesis "economy" object's validation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cairn/amount.h"
#include "cairn/chain.h"
#include "cairn/staking.h"
#include "econ/staking.h"
#include "econ/stats.h"
#include "ledger/view.h"

#define NACC 30
#define TOK 1000000ull
#define FEE 1000

static cairn_keypair keys[NACC + 1]; /* keys[0]: sequencer */

static uint64_t rnd(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* Deterministic keys from seeds. */
static void make_keys(void)
{
    for (int i = 0; i <= NACC; i++) {
        uint8_t seed[32] = {0};
        seed[0] = (uint8_t)i;
        seed[1] = 0xEC;
        cairn_keypair_from_seed(&keys[i], seed);
    }
}

/* Builds a genesis JSON (malloc'd; caller frees) with NACC funded
 * accounts, the given supply cap and economy object. */
static char *genesis_json(const char *cap, const char *amount,
                          const char *economy)
{
    size_t n = 4096 + NACC * 200 + strlen(economy);
    char *j = malloc(n), addr[CAIRN_ADDR_TEXT_LEN + 1];
    cairn_addr_format(addr, &keys[0].pk);
    int o = snprintf(
        j, n,
        "{\"chain_id\":\"econ-test\",\"token\":{\"name\":\"Test\",\"symbol\":\"TST\"},"
        "\"supply_cap\":\"%s\",\"min_fee\":\"0.001\",\"genesis_time_ms\":0,"
        "\"block_interval_ms\":1000,\"max_block_txs\":1000,\"sequencer\":\"%s\","
        "\"allocations\":[",
        cap, addr);
    for (int i = 1; i <= NACC; i++) {
        cairn_addr_format(addr, &keys[i].pk);
        o += snprintf(j + o, n - (size_t)o,
                      "%s{\"address\":\"%s\",\"amount\":\"%s\"}",
                      i > 1 ? "," : "", addr, amount);
    }
    snprintf(j + o, n - (size_t)o, "],\"economy\":%s}", economy);
    return j;
}

/* Creates a chain in a fresh temp dir (path written to dir). */
static cairn_err make_chain(char dir[64], const char *cap, const char *amount,
                            const char *economy)
{
    cairn_genesis g;
    char msg[256] = "";
    char *j = genesis_json(cap, amount, economy);
    snprintf(dir, 64, "/tmp/cairn-econ-XXXXXX");
    assert_non_null(mkdtemp(dir));
    cairn_err e = cairn_genesis_parse(&g, j, msg, sizeof msg);
    free(j);
    assert_int_equal(e, CAIRN_OK);
    e = cairn_chain_create(dir, &g);
    cairn_genesis_free(&g);
    return e;
}

static void rm_rf(const char *dir)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

/* Signs a tx from keys[who] and admits it; returns the admission error. */
static cairn_err submit(cairn_chain *c, cairn_mempool *mp, int who,
                        uint16_t kind, const cairn_buf *body)
{
    cairn_account a;
    cairn_buf b;
    cairn_tx tx;
    cairn_hash h;
    assert_int_equal(cairn_chain_account(c, &keys[who].pk, &a), CAIRN_OK);
    cairn_buf_init(&b, CAIRN_TX_MAX_BYTES);
    uint64_t nonce = a.nonce + cairn_mempool_pending(mp, &keys[who].pk);
    assert_int_equal(cairn_tx_make(&b, "econ-test", &keys[who], nonce, FEE,
                                   kind, body->p, body->len),
                     CAIRN_OK);
    cairn_err e = cairn_chain_check_tx(c, b.p, b.len, &tx, &h);
    if (!e)
        e = cairn_mempool_add(mp, b.p, b.len, &tx, &h, a.nonce);
    cairn_buf_free(&b);
    return e;
}

/* Proposes one block; returns the drop error of the first dropped tx
 * (CAIRN_OK when none was dropped). */
static cairn_err block(cairn_chain *c, cairn_mempool *mp)
{
    cairn_proposal pr;
    cairn_header h;
    cairn_hash th;
    cairn_chain_tip(c, &h, &th);
    assert_int_equal(
        cairn_chain_propose(c, mp, &keys[0], (h.height + 1) * 1000, &pr),
        CAIRN_OK);
    cairn_err e = pr.n_dropped ? pr.drop_err[0] : CAIRN_OK;
    cairn_proposal_free(&pr);
    return e;
}

/* Asserts the books balance. */
static void audit_ok(cairn_chain *c, const cairn_params *p)
{
    cairn_econ_audit a;
    assert_int_equal(cairn_chain_econ_audit(c, &a), CAIRN_OK);
    if (!a.ok)
        fprintf(
            stderr,
            "audit: supply %llu genesis %llu minted %llu burned %llu "
            "balances %llu staked %llu unbonding %llu pools %llu treasury %llu\n",
            (unsigned long long)a.supply, (unsigned long long)a.genesis_supply,
            (unsigned long long)a.minted, (unsigned long long)a.burned,
            (unsigned long long)a.balances, (unsigned long long)a.staked,
            (unsigned long long)a.unbonding, (unsigned long long)a.pools,
            (unsigned long long)a.treasury);
    assert_true(a.ok);
    assert_true(a.supply <= p->supply_cap);
}

/* ---- body helpers ---- */

static void body_register(cairn_buf *b, uint8_t sector, uint32_t comm,
                          uint64_t stake)
{
    cairn_register r = {sector, comm, stake, "tcp://127.0.0.1:7000"};
    cairn_register_encode(b, &r);
}

static void body_deleg(cairn_buf *b, int prov, uint64_t amount)
{
    cairn_delegate d = {keys[prov].pk, amount};
    cairn_delegate_encode(b, &d);
}

/* ---- the test hook: work and faults, a pure function of the height ---- */

static cairn_err hook(exec_ctx *x, void *arg)
{
    uint64_t s = x->height * 0x9E3779B97F4A7C15ull + 1;
    (void)arg;
    for (int i = 1; i <= NACC; i++) {
        uint64_t r = rnd(&s);
        if (r % 3 == 0)
            (void)econ_add_work(x, &keys[i].pk,
                                1 + r % 1000); /* may be no provider */
        if (r % 97 == 0)
            (void)econ_slash(x, &keys[i].pk, (uint32_t)(r % 3000),
                             "test fault");
    }
    return CAIRN_OK;
}

/* A random amount: zero, tiny, typical, or more than anyone has. */
static uint64_t rand_amount(uint64_t *s)
{
    switch (rnd(s) % 6) {
    case 0:
        return 0;
    case 1:
        return rnd(s) % 1000;
    case 2:
        return UINT64_MAX / 2;
    case 3:
        return (rnd(s) % 50) * TOK;
    default:
        return (rnd(s) % 500 + 1) * TOK;
    }
}

/* Submits one random (valid or invalid) tx from account `who`. */
static void random_tx(cairn_chain *c, cairn_mempool *mp, int who, uint64_t *s)
{
    cairn_buf b;
    uint16_t kind;
    int other = 1 + (int)(rnd(s) % NACC);
    cairn_buf_init(&b, 4096);
    switch (rnd(s) % 8) {
    case 0: {
        cairn_transfer t = {keys[other].pk, rand_amount(s)};
        uint8_t tb[40];
        cairn_transfer_encode(tb, &t);
        cairn_put_bytes(&b, tb, 40);
        kind = CAIRN_TX_TRANSFER;
        break;
    }
    case 1:
        body_register(&b, (uint8_t)(rnd(s) % 5), (uint32_t)(rnd(s) % 6000),
                      rand_amount(s) + (rnd(s) % 2 ? 100 * TOK : 0));
        kind = CAIRN_TX_REGISTER;
        break;
    case 2:
        cairn_amount_body_encode(&b, rand_amount(s));
        kind = CAIRN_TX_STAKE;
        break;
    case 3:
        cairn_amount_body_encode(&b, rand_amount(s));
        kind = CAIRN_TX_UNBOND;
        break;
    case 4:
    case 5:
        body_deleg(&b, other, rand_amount(s));
        kind = CAIRN_TX_DELEGATE;
        break;
    case 6:
        body_deleg(&b, other,
                   rnd(s) % 2 ? rand_amount(s) : 1 + rnd(s) % (20 * TOK));
        kind = CAIRN_TX_UNDELEGATE;
        break;
    default:
        cairn_claim_encode(&b, &keys[rnd(s) % 3 ? other : who].pk);
        kind = CAIRN_TX_CLAIM;
        break;
    }
    (void)submit(c, mp, who, kind, &b);
    cairn_buf_free(&b);
}

static const char *ECON_SMALL =
    "{\"epoch_blocks\":5,\"emission_initial\":\"1000\",\"halving_epochs\":7,"
    "\"min_provider_stake\":\"100\",\"min_delegation\":\"1\",\"unbonding_epochs\":1,"
    "\"jail_after_faults\":2,\"jail_epochs\":2,\"slash_to_treasury\":0}";

/* Thousands of random transactions over ~40 epochs; books audited after
 * every block; then a replay reaches the same root. */
static void random_traffic(void **st)
{
    char dir[64], rdir[80];
    cairn_chain *c;
    cairn_mempool *mp = cairn_mempool_new(10000, 1u << 26);
    uint64_t seed = 0xC0FFEE;
    int txs = 0;
    (void)st;
    econ_set_test_hook(hook, NULL);
    assert_int_equal(make_chain(dir, "100000000", "10000", ECON_SMALL),
                     CAIRN_OK);
    assert_int_equal(cairn_chain_open(&c, dir), CAIRN_OK);
    const cairn_params *p = cairn_chain_params(c);
    audit_ok(c, p);
    for (int blk = 0; blk < 200; blk++) {
        for (int i = 1; i <= NACC; i++)
            if (rnd(&seed) % 2) {
                random_tx(c, mp, i, &seed);
                txs++;
            }
        (void)block(c, mp);
        audit_ok(c, p);
    }
    cairn_totals t;
    cairn_econ_audit a;
    assert_int_equal(cairn_chain_totals(c, &t), CAIRN_OK);
    assert_int_equal(cairn_chain_econ_audit(c, &a), CAIRN_OK);
    assert_true(t.minted > 0 && t.burned > 0);
    assert_true(a.providers > 0 && a.delegations > 0);
    fprintf(stderr,
            "random traffic: %d txs, %llu providers, %llu delegations, "
            "%llu unbonding entries, minted %llu burned %llu\n",
            txs, (unsigned long long)a.providers,
            (unsigned long long)a.delegations,
            (unsigned long long)a.unbond_entries, (unsigned long long)t.minted,
            (unsigned long long)t.burned);
    cairn_header h;
    cairn_hash tip, root;
    uint64_t blocks;
    cairn_chain_tip(c, &h, &tip);
    cairn_chain_close(c);
    snprintf(rdir, sizeof rdir, "%s-replay", dir);
    assert_int_equal(cairn_chain_replay(dir, rdir, &root, &blocks), CAIRN_OK);
    assert_memory_equal(root.b, h.state_root.b, 32);
    assert_int_equal(blocks, 200);
    econ_set_test_hook(NULL, NULL);
    cairn_mempool_free(mp);
    rm_rf(dir);
    rm_rf(rdir);
}

/* A tiny cap: emission stops exactly at it. */
static void emission_cap(void **st)
{
    char dir[64];
    cairn_chain *c;
    cairn_mempool *mp = cairn_mempool_new(100, 1u << 20);
    cairn_totals t;
    (void)st;
    /* 30 × 10 = 300 tokens at genesis, cap 325: 25 tokens to mint */
    assert_int_equal(
        make_chain(dir, "325", "10",
                   "{\"epoch_blocks\":2,\"emission_initial\":\"7\"}"),
        CAIRN_OK);
    assert_int_equal(cairn_chain_open(&c, dir), CAIRN_OK);
    for (int i = 0; i < 20; i++) {
        (void)block(c, mp);
        assert_int_equal(cairn_chain_totals(c, &t), CAIRN_OK);
        assert_true(t.supply <= 325 * TOK);
        audit_ok(c, cairn_chain_params(c));
    }
    assert_int_equal(t.supply, 325 * TOK);
    assert_int_equal(t.minted, 25 * TOK);
    assert_int_equal(t.treasury, 25 * TOK); /* no work: all to the treasury */
    cairn_chain_close(c);
    cairn_mempool_free(mp);
    rm_rf(dir);
}

/* Submits a tx and produces a block; returns the admission error or the
 * execution (drop) error. */
static cairn_err run_tx(cairn_chain *c, cairn_mempool *mp, int who,
                        uint16_t kind, cairn_buf *b)
{
    cairn_err e = submit(c, mp, who, kind, b);
    cairn_err d = block(c, mp);
    cairn_buf_reset(b);
    return e ? e : d;
}

/* Each bad input fails with its own error and leaves state unchanged. */
static void bad_inputs(void **st)
{
    char dir[64];
    cairn_chain *c;
    cairn_mempool *mp = cairn_mempool_new(100, 1u << 20);
    cairn_buf b;
    cairn_account a0, a1;
    cairn_provider_info pi;
    (void)st;
    cairn_buf_init(&b, 4096);
    assert_int_equal(make_chain(dir, "100000000", "10000", "{}"), CAIRN_OK);
    assert_int_equal(cairn_chain_open(&c, dir), CAIRN_OK);
    body_register(&b, 0, 100, 99 * TOK);
    assert_int_equal(run_tx(c, mp, 1, CAIRN_TX_REGISTER, &b),
                     CAIRN_ERR_STAKE_LOW);
    body_register(&b, 4, 100, 200 * TOK);
    assert_int_equal(run_tx(c, mp, 1, CAIRN_TX_REGISTER, &b),
                     CAIRN_ERR_BAD_SECTOR);
    body_register(&b, 1, 100, 200 * TOK);
    assert_int_equal(run_tx(c, mp, 1, CAIRN_TX_REGISTER, &b), CAIRN_OK);
    assert_int_equal(cairn_chain_account(c, &keys[1].pk, &a0), CAIRN_OK);
    assert_int_equal(cairn_chain_provider(c, &keys[1].pk, &pi), CAIRN_OK);
    assert_int_equal(pi.self_stake, 200 * TOK);
    body_register(&b, 1, 100, 200 * TOK);
    assert_int_equal(run_tx(c, mp, 1, CAIRN_TX_REGISTER, &b),
                     CAIRN_ERR_PROVIDER_EXISTS);
    cairn_amount_body_encode(&b, 201 * TOK);
    assert_int_equal(run_tx(c, mp, 1, CAIRN_TX_UNBOND, &b),
                     CAIRN_ERR_UNBOND_TOO_MUCH);
    cairn_amount_body_encode(&b, 0);
    assert_int_equal(run_tx(c, mp, 1, CAIRN_TX_STAKE, &b),
                     CAIRN_ERR_ZERO_AMOUNT);
    cairn_amount_body_encode(&b, 1);
    assert_int_equal(run_tx(c, mp, 2, CAIRN_TX_STAKE, &b),
                     CAIRN_ERR_NOT_PROVIDER);
    body_deleg(&b, 3, 50 * TOK);
    assert_int_equal(run_tx(c, mp, 2, CAIRN_TX_DELEGATE, &b),
                     CAIRN_ERR_NOT_PROVIDER);
    body_deleg(&b, 1, 5 * TOK);
    assert_int_equal(run_tx(c, mp, 2, CAIRN_TX_DELEGATE, &b),
                     CAIRN_ERR_STAKE_LOW);
    body_deleg(&b, 1, 20000 * TOK);
    assert_int_equal(run_tx(c, mp, 2, CAIRN_TX_DELEGATE, &b), CAIRN_ERR_FUNDS);
    body_deleg(&b, 1, 5 * TOK);
    assert_int_equal(run_tx(c, mp, 2, CAIRN_TX_UNDELEGATE, &b),
                     CAIRN_ERR_NOT_DELEGATED);
    cairn_commission_encode(&b, 6000);
    assert_int_equal(run_tx(c, mp, 1, CAIRN_TX_SET_COMMISSION, &b),
                     CAIRN_ERR_BAD_PARAM);
    cairn_claim_encode(&b, &keys[1].pk);
    assert_int_equal(run_tx(c, mp, 2, CAIRN_TX_CLAIM, &b),
                     CAIRN_ERR_NOT_DELEGATED);
    cairn_endpoint_body_encode(&b, "127.0.0.1:9");
    assert_int_equal(run_tx(c, mp, 2, CAIRN_TX_SET_ENDPOINT, &b),
                     CAIRN_ERR_NOT_PROVIDER);
    cairn_endpoint_body_encode(&b, "");
    assert_int_equal(run_tx(c, mp, 1, CAIRN_TX_SET_ENDPOINT, &b),
                     CAIRN_ERR_BAD_BODY);
    /* nothing changed: same balance, nonce, provider record */
    assert_int_equal(cairn_chain_account(c, &keys[1].pk, &a1), CAIRN_OK);
    assert_memory_equal(&a0, &a1, sizeof a0);
    assert_int_equal(cairn_chain_account(c, &keys[2].pk, &a1), CAIRN_OK);
    assert_int_equal(a1.balance, 10000 * TOK);
    assert_int_equal(a1.nonce, 0);
    cairn_provider_info pj;
    assert_int_equal(cairn_chain_provider(c, &keys[1].pk, &pj), CAIRN_OK);
    assert_true(pj.reward >= pi.reward); /* epochs settled: its stake earns */
    pj.reward = pi.reward;
    assert_memory_equal(&pi, &pj, sizeof pi);
    audit_ok(c, cairn_chain_params(c));
    cairn_buf_free(&b);
    cairn_chain_close(c);
    cairn_mempool_free(mp);
    rm_rf(dir);
}

/* The "economy" object: bounds, unknown fields, sums, all with a message
 * naming the field; a chain is not created from a bad one. */
static void genesis_params(void **st)
{
    char msg[256], dir[64];
    (void)st;
    assert_int_equal(cairn_econ_check(NULL, msg, sizeof msg), CAIRN_OK);
    assert_int_equal(cairn_econ_check("{\"epoch_blocks\":0}", msg, sizeof msg),
                     CAIRN_ERR_GENESIS);
    assert_non_null(strstr(msg, "epoch_blocks"));
    assert_int_equal(cairn_econ_check("{\"epochs\":3}", msg, sizeof msg),
                     CAIRN_ERR_GENESIS);
    assert_non_null(strstr(msg, "epochs"));
    assert_int_equal(
        cairn_econ_check("{\"min_delegation\":5}", msg, sizeof msg),
        CAIRN_ERR_GENESIS);
    assert_non_null(strstr(msg, "min_delegation"));
    assert_int_equal(
        cairn_econ_check("{\"weight_storage\":2000}", msg, sizeof msg),
        CAIRN_ERR_GENESIS);
    assert_non_null(strstr(msg, "weight_storage"));
    assert_int_equal(
        cairn_econ_check("{\"max_commission_bps\":10001}", msg, sizeof msg),
        CAIRN_ERR_GENESIS);
    assert_non_null(strstr(msg, "max_commission_bps"));
    assert_int_equal(
        cairn_econ_check("{\"fee_burn_bps\":0,\"fee_treasury_bps\":7000,"
                         "\"min_provider_stake\":\"12.5\"}",
                         msg, sizeof msg),
        CAIRN_OK);
    assert_int_equal(
        make_chain(dir, "100000000", "10", "{\"jail_after_faults\":0}"),
        CAIRN_ERR_GENESIS);
    rm_rf(dir);
    /* a good one: the values land in state */
    cairn_chain *c;
    cairn_econ_param ps[128];
    size_t n;
    assert_int_equal(
        make_chain(dir, "100000000", "10",
                   "{\"min_provider_stake\":\"12.5\",\"epoch_blocks\":3}"),
        CAIRN_OK);
    assert_int_equal(cairn_chain_open(&c, dir), CAIRN_OK);
    assert_int_equal(cairn_chain_econ_params(c, ps, 128, &n), CAIRN_OK);
    /* the economy's (ids in order first), the compute sector's 18 and the
     * wireless sector's 29 (proof of coverage) and 2 (data credits), the
     * sensor sector's 16 */
    assert_int_equal(n, ECON_PARAM_COUNT + 18 + 29 + 2 + 16);
    assert_int_equal(ps[P_MIN_PROVIDER_STAKE].value, 12500000);
    assert_int_equal(ps[P_EPOCH_BLOCKS].value, 3);
    assert_int_equal(ps[P_HALVING_EPOCHS].value, 1000);
    cairn_chain_close(c);
    rm_rf(dir);
}

/* Work hook for the worked example: provider keys[1] works 30 units and
 * keys[2] 10 units in the storage sector, every block. */
static cairn_err hook_example(exec_ctx *x, void *arg)
{
    (void)arg;
    (void)econ_add_work(x, &keys[1].pk, 30);
    (void)econ_add_work(x, &keys[2].pk, 10);
    return CAIRN_OK;
}

/* The worked example of docs/tokenomics.md: exact rewards, delegator
 * accumulator, claim, unbonding release. */
static void worked_example(void **st)
{
    char dir[64];
    cairn_chain *c;
    cairn_mempool *mp = cairn_mempool_new(100, 1u << 20);
    cairn_buf b;
    cairn_provider_info p1, p2;
    cairn_delegation_info d;
    cairn_account a;
    (void)st;
    cairn_buf_init(&b, 4096);
    assert_int_equal(
        make_chain(
            dir, "100000000", "10000",
            "{\"epoch_blocks\":4,\"emission_initial\":\"1000\",\"weight_storage\":10000,"
            "\"weight_compute\":0,\"weight_wireless\":0,\"weight_sensor\":0,"
            "\"unbonding_epochs\":1}"),
        CAIRN_OK);
    assert_int_equal(cairn_chain_open(&c, dir), CAIRN_OK);
    /* block 1: both register in storage; block 2: keys[3] delegates 300
     * to keys[1] (commission 10%); block 3: empty; block 4 ends epoch 0 */
    body_register(&b, 0, 1000, 100 * TOK);
    assert_int_equal(submit(c, mp, 1, CAIRN_TX_REGISTER, &b), CAIRN_OK);
    cairn_buf_reset(&b);
    body_register(&b, 0, 0, 100 * TOK);
    assert_int_equal(submit(c, mp, 2, CAIRN_TX_REGISTER, &b), CAIRN_OK);
    cairn_buf_reset(&b);
    assert_int_equal(block(c, mp), CAIRN_OK);
    econ_set_test_hook(hook_example, NULL);
    body_deleg(&b, 1, 300 * TOK);
    assert_int_equal(run_tx(c, mp, 3, CAIRN_TX_DELEGATE, &b), CAIRN_OK);
    (void)block(c, mp);
    (void)block(c, mp); /* height 4: epoch 0 settles; work 90 vs 30 */
    econ_set_test_hook(NULL, NULL);
    assert_int_equal(cairn_chain_provider(c, &keys[1].pk, &p1), CAIRN_OK);
    assert_int_equal(cairn_chain_provider(c, &keys[2].pk, &p2), CAIRN_OK);
    /* 1000 tokens by work: keys[1] 3/4 = 750000000, keys[2] 250000000;
     * stakers' 30% of 3 fees (900 units) by bonded stake 400 : 100:
     * keys[1] 720, keys[2] 180 */
    assert_int_equal(p2.reward, 250000180);
    /* keys[1]: delegators' share 300/400 of 750000720 = 562500540, less
     * 10% commission 56250054 -> 506250486 to delegators */
    assert_int_equal(p1.delegator_pool, 506250486);
    assert_int_equal(p1.reward, 750000720 - 506250486);
    assert_int_equal(cairn_chain_delegation(c, &keys[3].pk, &keys[1].pk, &d),
                     CAIRN_OK);
    assert_true(d.pending <= 506250486 && d.pending >= 506250485);
    assert_int_equal(d.stake, 300 * TOK);
    /* claim as delegator and undelegate all */
    assert_int_equal(cairn_chain_account(c, &keys[3].pk, &a), CAIRN_OK);
    uint64_t before = a.balance;
    cairn_claim_encode(&b, &keys[1].pk);
    assert_int_equal(run_tx(c, mp, 3, CAIRN_TX_CLAIM, &b), CAIRN_OK);
    assert_int_equal(cairn_chain_account(c, &keys[3].pk, &a), CAIRN_OK);
    assert_int_equal(a.balance, before + d.pending - FEE);
    body_deleg(&b, 1, 300 * TOK);
    assert_int_equal(run_tx(c, mp, 3, CAIRN_TX_UNDELEGATE, &b), CAIRN_OK);
    assert_int_equal(cairn_chain_delegation(c, &keys[3].pk, &keys[1].pk, &d),
                     CAIRN_ERR_NOT_DELEGATED);
    /* undelegated at height 6 (epoch 1): released at the end of epoch 2 */
    for (int i = 0; i < 6; i++)
        (void)block(c, mp);
    assert_int_equal(cairn_chain_account(c, &keys[3].pk, &a), CAIRN_OK);
    assert_int_equal(a.balance, before + d.pending - 2 * FEE + 300 * TOK);
    cairn_econ_audit au;
    assert_int_equal(cairn_chain_econ_audit(c, &au), CAIRN_OK);
    assert_true(au.ok);
    assert_int_equal(au.unbonding, 0);
    /* epoch stats record of epoch 0 */
    econ_epoch_stats es;
    MDB_txn *txn;
    assert_int_equal(chain_read_begin(c, &txn), CAIRN_OK);
    assert_int_equal(econ_stats_get(txn, chain_store(c), 0, &es), CAIRN_OK);
    mdb_txn_abort(txn);
    assert_int_equal(es.end_height, 4);
    assert_int_equal(es.emitted, 1000 * TOK);
    assert_int_equal(es.work_units[0], 120);
    assert_int_equal(es.active_providers[0], 2);
    assert_int_equal(es.fees_paid, 3 * FEE);
    cairn_buf_free(&b);
    cairn_chain_close(c);
    cairn_mempool_free(mp);
    rm_rf(dir);
}

/* Slashes keys[1] by 10% in each of the next *(int *)arg blocks. */
static cairn_err hook_slash(exec_ctx *x, void *arg)
{
    int *left = arg;
    if (*left > 0 && econ_slash(x, &keys[1].pk, 1000, "test") == CAIRN_OK)
        (*left)--;
    return CAIRN_OK;
}

/* Slashing cuts self stake and delegations alike, burns the cut, and the
 * third fault jails: no new delegations. */
static void slash_and_jail(void **st)
{
    char dir[64];
    cairn_chain *c;
    cairn_mempool *mp = cairn_mempool_new(100, 1u << 20);
    cairn_buf b;
    cairn_provider_info pi;
    cairn_delegation_info d;
    cairn_totals t0, t1;
    int left = 3;
    (void)st;
    cairn_buf_init(&b, 4096);
    assert_int_equal(make_chain(dir, "100000000", "10000", "{}"), CAIRN_OK);
    assert_int_equal(cairn_chain_open(&c, dir), CAIRN_OK);
    body_register(&b, 2, 0, 200 * TOK);
    assert_int_equal(run_tx(c, mp, 1, CAIRN_TX_REGISTER, &b), CAIRN_OK);
    body_deleg(&b, 1, 100 * TOK);
    assert_int_equal(run_tx(c, mp, 2, CAIRN_TX_DELEGATE, &b), CAIRN_OK);
    assert_int_equal(cairn_chain_totals(c, &t0), CAIRN_OK);
    econ_set_test_hook(hook_slash, &left);
    for (int i = 0; i < 3; i++)
        (void)block(c, mp);
    econ_set_test_hook(NULL, NULL);
    assert_int_equal(cairn_chain_provider(c, &keys[1].pk, &pi), CAIRN_OK);
    assert_int_equal(pi.self_stake, 145800000); /* 200 × 0.9³ */
    assert_int_equal(pi.delegated, 72900000);
    assert_true(pi.jailed);
    assert_int_equal(pi.faults, 0);
    assert_int_equal(cairn_chain_delegation(c, &keys[2].pk, &keys[1].pk, &d),
                     CAIRN_OK);
    assert_int_equal(d.stake, 72900000);
    assert_int_equal(cairn_chain_totals(c, &t1), CAIRN_OK);
    assert_true(t1.burned - t0.burned >= 81300000); /* + fee burns */
    body_deleg(&b, 1, 100 * TOK);
    assert_int_equal(run_tx(c, mp, 3, CAIRN_TX_DELEGATE, &b), CAIRN_ERR_JAILED);
    audit_ok(c, cairn_chain_params(c));
    cairn_buf_free(&b);
    cairn_chain_close(c);
    cairn_mempool_free(mp);
    rm_rf(dir);
}

/* Stake in the unbonding queue stays slashable until released: a provider
 * (and its delegator) that unbond right after a fault lose the slash's
 * share of the queued tokens too (issue 8, point 17). */
static void unbonding_slashable(void **st)
{
    char dir[64];
    cairn_chain *c;
    cairn_mempool *mp = cairn_mempool_new(100, 1u << 20);
    cairn_buf b;
    cairn_unbond_entry ue[4];
    size_t n;
    uint64_t total;
    int left = 1;
    (void)st;
    cairn_buf_init(&b, 4096);
    assert_int_equal(make_chain(dir, "100000000", "10000", "{}"), CAIRN_OK);
    assert_int_equal(cairn_chain_open(&c, dir), CAIRN_OK);
    body_register(&b, 0, 0, 200 * TOK);
    assert_int_equal(run_tx(c, mp, 1, CAIRN_TX_REGISTER, &b), CAIRN_OK);
    body_deleg(&b, 1, 100 * TOK);
    assert_int_equal(run_tx(c, mp, 2, CAIRN_TX_DELEGATE, &b), CAIRN_OK);
    cairn_amount_body_encode(&b, 50 * TOK);
    assert_int_equal(run_tx(c, mp, 1, CAIRN_TX_UNBOND, &b), CAIRN_OK);
    body_deleg(&b, 1, 40 * TOK);
    assert_int_equal(run_tx(c, mp, 2, CAIRN_TX_UNDELEGATE, &b), CAIRN_OK);
    econ_set_test_hook(hook_slash, &left); /* one fault: 10% */
    (void)block(c, mp);
    econ_set_test_hook(NULL, NULL);
    assert_int_equal(left, 0);
    assert_int_equal(cairn_chain_unbonding(c, &keys[1].pk, ue, 4, &n, &total),
                     CAIRN_OK);
    assert_int_equal(n, 1);
    assert_int_equal(total, 45 * TOK);
    assert_int_equal(cairn_chain_unbonding(c, &keys[2].pk, ue, 4, &n, &total),
                     CAIRN_OK);
    assert_int_equal(total, 36 * TOK);
    audit_ok(c, cairn_chain_params(c));
    /* released in full of what is left, with the index gone */
    cairn_account a1, a2, b1, b2;
    assert_int_equal(cairn_chain_account(c, &keys[1].pk, &a1), CAIRN_OK);
    assert_int_equal(cairn_chain_account(c, &keys[2].pk, &a2), CAIRN_OK);
    for (int i = 0; i < 30; i++) /* 10-block epochs, released after 2 */
        (void)block(c, mp);
    assert_int_equal(cairn_chain_unbonding(c, &keys[1].pk, ue, 4, &n, &total),
                     CAIRN_OK);
    assert_int_equal(n, 0);
    assert_int_equal(cairn_chain_account(c, &keys[1].pk, &b1), CAIRN_OK);
    assert_int_equal(cairn_chain_account(c, &keys[2].pk, &b2), CAIRN_OK);
    assert_int_equal(b1.balance - a1.balance, 45 * TOK);
    assert_int_equal(b2.balance - a2.balance, 36 * TOK);
    left = 1; /* a later fault finds no stale queue entries */
    econ_set_test_hook(hook_slash, &left);
    (void)block(c, mp);
    econ_set_test_hook(NULL, NULL);
    assert_int_equal(left, 0);
    audit_ok(c, cairn_chain_params(c));
    cairn_buf_free(&b);
    cairn_chain_close(c);
    cairn_mempool_free(mp);
    rm_rf(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(genesis_params), cmocka_unit_test(bad_inputs),
        cmocka_unit_test(emission_cap),   cmocka_unit_test(worked_example),
        cmocka_unit_test(slash_and_jail), cmocka_unit_test(unbonding_slashable),
        cmocka_unit_test(random_traffic),
    };
    cairn_crypto_init();
    make_keys();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
