/* Governance on a real chain: parameter changes take effect at the end of
 * their voting period and not before; out-of-bounds and unknown parameters
 * are refused at submission; treasury spends move exactly their amount;
 * failed proposals change nothing; deposits come back or burn; every
 * refused vote has its own error and leaves the state root unchanged. */
#include "gov_fixture.h"

/* Voting lasts 6 blocks; quorum 33.4%; pass at 50% yes. */
static const char *ECON =
    "{\"epoch_blocks\":5,\"gov_deposit\":\"50\",\"gov_voting_blocks\":6,"
    "\"gov_quorum_bps\":3340,\"gov_threshold_bps\":5000}";

/* Emission only in epoch 0 (full decay), so the treasury stays put after. */
static const char *ECON_ONCE =
    "{\"epoch_blocks\":5,\"gov_deposit\":\"50\",\"gov_voting_blocks\":6,"
    "\"gov_quorum_bps\":3340,\"gov_threshold_bps\":5000,"
    "\"halving_epochs\":0,\"decay_bps\":10000}";

/* Keys 2, 3, 4 bond 1000, 500 and 300 tokens (block 1); 5 and 6 none. */
static void bond_stake(twin *t, cairn_buf *b)
{
    fx_register(t, 2, 1000 * TOK, b);
    fx_register(t, 3, 500 * TOK, b);
    fx_register(t, 4, 300 * TOK, b);
    assert_int_equal(step(t), CAIRN_OK);
}

static void body_param(cairn_buf *b, const char *name, uint64_t value)
{
    cairn_gov_propose p = {.type = CAIRN_GOV_PARAM, .value = value};
    snprintf(p.param, sizeof p.param, "%s", name);
    cairn_buf_reset(b);
    cairn_gov_propose_encode(b, &p);
}

static void body_spend(cairn_buf *b, int to, uint64_t amount)
{
    cairn_gov_propose p = {
        .type = CAIRN_GOV_SPEND, .to = fx_keys[to].pk, .amount = amount};
    cairn_buf_reset(b);
    cairn_gov_propose_encode(b, &p);
}

static void body_vote(cairn_buf *b, uint64_t id, uint8_t choice)
{
    cairn_gov_vote v = {id, choice};
    cairn_buf_reset(b);
    cairn_gov_vote_encode(b, &v);
}

/* The current value of the parameter named `name`. */
static uint64_t param(twin *t, const char *name)
{
    cairn_econ_param ps[64];
    size_t n;
    assert_int_equal(cairn_chain_econ_params(t->c[0], ps, 64, &n), CAIRN_OK);
    for (size_t i = 0; i < n && i < 64; i++)
        if (strcmp(ps[i].name, name) == 0)
            return ps[i].value;
    fail_msg("no parameter %s", name);
    return 0;
}

static cairn_gov_info proposal(twin *t, uint64_t id)
{
    cairn_gov_info g;
    assert_int_equal(cairn_chain_gov_proposal(t->c[0], id, &g), CAIRN_OK);
    return g;
}

/* Checks the books: the audit counts deposits still held by open
 * proposals with the undistributed pools. */
static void books_balance(twin *t)
{
    cairn_econ_audit a;
    assert_int_equal(cairn_chain_econ_audit(t->c[0], &a), CAIRN_OK);
    assert_int_equal(a.balances + a.staked + a.unbonding + a.pools + a.treasury,
                     a.supply);
    assert_int_equal(a.genesis_supply + a.minted - a.burned, a.supply);
    assert_true(a.ok);
}

/* A passing change takes effect at the end of block end_height, not
 * before; every refused vote leaves the state root unchanged. */
static void param_change_passes(void **st)
{
    twin t;
    cairn_buf b;
    (void)st;
    twin_open(&t, ECON);
    cairn_buf_init(&b, 1024);
    bond_stake(&t, &b);
    cairn_account p0 = fx_account(&t, 5);
    body_param(&b, "max_commission_bps", 7000);
    both(&t, 5, CAIRN_TX_PROPOSE, &b); /* block 2: id 1, ends at 8 */
    assert_int_equal(step(&t), CAIRN_OK);
    cairn_gov_info g = proposal(&t, 1);
    assert_int_equal(g.status, CAIRN_GOV_OPEN);
    assert_int_equal(g.start_height, 2);
    assert_int_equal(g.end_height, 8);
    assert_int_equal(g.deposit, 50 * TOK);
    assert_int_equal(p0.balance - fx_account(&t, 5).balance, 50 * TOK + FEE);
    books_balance(&t);
    body_vote(&b, 1, CAIRN_VOTE_YES);
    both(&t, 2, CAIRN_TX_VOTE, &b);
    body_vote(&b, 1, CAIRN_VOTE_NO);
    both(&t, 3, CAIRN_TX_VOTE, &b);
    assert_int_equal(step(&t), CAIRN_OK); /* block 3 */
    body_vote(&b, 1, CAIRN_VOTE_NO);
    assert_int_equal(bad(&t, 2, CAIRN_TX_VOTE, &b), CAIRN_ERR_ALREADY_VOTED);
    body_vote(&b, 1, CAIRN_VOTE_YES);
    assert_int_equal(bad(&t, 5, CAIRN_TX_VOTE, &b), CAIRN_ERR_NO_STAKE);
    body_vote(&b, 99, CAIRN_VOTE_YES);
    assert_int_equal(bad(&t, 4, CAIRN_TX_VOTE, &b), CAIRN_ERR_NO_PROPOSAL);
    g = proposal(&t, 1);
    assert_int_equal(g.yes, 1000 * TOK);
    assert_int_equal(g.no, 500 * TOK);
    while (fx_height(&t) < 7) {
        assert_int_equal(param(&t, "max_commission_bps"), 5000);
        assert_int_equal(step(&t), CAIRN_OK);
    }
    assert_int_equal(param(&t, "max_commission_bps"), 5000); /* tip 7 */
    assert_int_equal(proposal(&t, 1).status, CAIRN_GOV_OPEN);
    assert_int_equal(step(&t), CAIRN_OK); /* block 8 ends the vote */
    assert_int_equal(param(&t, "max_commission_bps"), 7000);
    g = proposal(&t, 1);
    assert_int_equal(g.status, CAIRN_GOV_PASSED);
    assert_false(g.deposit_held);
    assert_int_equal(g.total_bonded, 1800 * TOK);
    assert_int_equal(p0.balance - fx_account(&t, 5).balance,
                     FEE); /* deposit back */
    body_vote(&b, 1, CAIRN_VOTE_YES);
    assert_int_equal(bad(&t, 4, CAIRN_TX_VOTE, &b), CAIRN_ERR_VOTING_CLOSED);
    books_balance(&t);
    cairn_buf_free(&b);
    twin_close(&t);
}

/* Unknown parameters and out-of-bounds values never get in. */
static void bad_params_refused(void **st)
{
    twin t;
    cairn_buf b;
    (void)st;
    twin_open(&t, ECON);
    cairn_buf_init(&b, 1024);
    body_param(&b, "max_commission_bps", 10001);
    assert_int_equal(bad(&t, 5, CAIRN_TX_PROPOSE, &b), CAIRN_ERR_BAD_PARAM);
    body_param(&b, "gov_threshold_bps", 0); /* below its minimum of 1 */
    assert_int_equal(bad(&t, 5, CAIRN_TX_PROPOSE, &b), CAIRN_ERR_BAD_PARAM);
    body_param(&b, "no_such_param", 1);
    assert_int_equal(bad(&t, 5, CAIRN_TX_PROPOSE, &b), CAIRN_ERR_BAD_PARAM);
    body_spend(&b, 6, 0);
    assert_int_equal(bad(&t, 5, CAIRN_TX_PROPOSE, &b), CAIRN_ERR_ZERO_AMOUNT);
    body_spend(&b, 6, fx_totals(&t).treasury + 1);
    assert_int_equal(bad(&t, 5, CAIRN_TX_PROPOSE, &b), CAIRN_ERR_TREASURY);
    body_vote(&b, 1, CAIRN_VOTE_YES);
    assert_int_equal(bad(&t, 2, CAIRN_TX_VOTE, &b), CAIRN_ERR_NO_PROPOSAL);
    cairn_gov_info g;
    assert_int_equal(cairn_chain_gov_proposal(t.c[0], 1, &g),
                     CAIRN_ERR_NO_PROPOSAL);
    cairn_buf_free(&b);
    twin_close(&t);
}

/* Rejected and no-quorum proposals change nothing; a rejected one returns
 * its deposit, a no-quorum one burns it. */
static void failed_proposals(void **st)
{
    twin t;
    cairn_buf b;
    (void)st;
    twin_open(&t, ECON);
    cairn_buf_init(&b, 1024);
    bond_stake(&t, &b);
    cairn_account p5 = fx_account(&t, 5), p6 = fx_account(&t, 6);
    body_param(&b, "max_commission_bps", 100);
    both(&t, 5, CAIRN_TX_PROPOSE, &b); /* id 1 */
    body_param(&b, "jail_epochs", 99);
    both(&t, 6, CAIRN_TX_PROPOSE, &b);    /* id 2 */
    assert_int_equal(step(&t), CAIRN_OK); /* block 2; both end at 8 */
    body_vote(&b, 1, CAIRN_VOTE_NO);
    both(&t, 2, CAIRN_TX_VOTE, &b);
    body_vote(&b, 1, CAIRN_VOTE_YES);
    both(&t, 3, CAIRN_TX_VOTE, &b);
    body_vote(&b, 2, CAIRN_VOTE_YES);
    both(&t, 4, CAIRN_TX_VOTE, &b); /* 300 of 1800: no quorum */
    assert_int_equal(step(&t), CAIRN_OK);
    step_to(&t, 8);
    cairn_gov_info g1 = proposal(&t, 1), g2 = proposal(&t, 2);
    assert_int_equal(g1.status, CAIRN_GOV_REJECTED);
    assert_int_equal(g2.status, CAIRN_GOV_NO_QUORUM);
    step_to(&t, 12); /* nothing executes later either */
    assert_int_equal(param(&t, "max_commission_bps"), 5000);
    assert_int_equal(param(&t, "jail_epochs"), 5);
    assert_int_equal(p5.balance - fx_account(&t, 5).balance, FEE);
    assert_int_equal(p6.balance - fx_account(&t, 6).balance, 50 * TOK + FEE);
    books_balance(&t);
    cairn_buf_free(&b);
    twin_close(&t);
}

/* A treasury spend moves exactly its amount; a second one that the
 * treasury can no longer cover fails at execution and moves nothing. */
static void treasury_spend(void **st)
{
    twin t;
    cairn_buf b;
    (void)st;
    twin_open(&t, ECON_ONCE);
    cairn_buf_init(&b, 1024);
    bond_stake(&t, &b);
    step_to(&t, 5); /* epoch 0 settles: unearned emission to the treasury */
    uint64_t tr = fx_totals(&t).treasury, amount = tr * 6 / 10 + 7;
    assert_true(tr > 1000);
    body_spend(&b, 6, amount);
    both(&t, 5, CAIRN_TX_PROPOSE, &b); /* block 6: id 1, ends at 12 */
    body_spend(&b, 6, amount);
    both(&t, 4, CAIRN_TX_PROPOSE, &b); /* id 2 */
    assert_int_equal(step(&t), CAIRN_OK);
    body_vote(&b, 1, CAIRN_VOTE_YES);
    both(&t, 2, CAIRN_TX_VOTE, &b);
    body_vote(&b, 2, CAIRN_VOTE_YES);
    both(&t, 2, CAIRN_TX_VOTE, &b);
    assert_int_equal(step(&t), CAIRN_OK);
    step_to(&t, 11);
    cairn_account before = fx_account(&t, 6);
    cairn_totals tb = fx_totals(&t);
    assert_int_equal(step(&t),
                     CAIRN_OK); /* block 12: no txs, not an epoch end */
    cairn_totals ta = fx_totals(&t);
    assert_int_equal(fx_account(&t, 6).balance - before.balance, amount);
    assert_int_equal(tb.treasury - ta.treasury, amount);
    assert_int_equal(ta.supply, tb.supply);
    cairn_gov_info g1 = proposal(&t, 1), g2 = proposal(&t, 2);
    assert_int_equal(g1.status, CAIRN_GOV_PASSED);
    assert_int_equal(g2.status, CAIRN_GOV_FAILED);
    assert_int_equal(g2.exec_err, CAIRN_ERR_TREASURY);
    cairn_gov_info list[4];
    size_t n;
    assert_int_equal(cairn_chain_gov_proposals(t.c[0], 0, list, 4, &n),
                     CAIRN_OK);
    assert_int_equal(n, 2);
    assert_int_equal(cairn_chain_gov_proposals(t.c[0], 1, list, 4, &n),
                     CAIRN_OK);
    assert_int_equal(n, 1);
    assert_int_equal(list[0].id, 2);
    books_balance(&t);
    fx_replay_check(&t);
    cairn_buf_free(&b);
    twin_close(&t);
}

/* Body codecs reject bad bytes. */
static void codecs(void **st)
{
    cairn_buf b;
    cairn_gov_propose p;
    cairn_gov_vote v;
    (void)st;
    cairn_buf_init(&b, 1024);
    body_param(&b, "gov_deposit", 5);
    assert_int_equal(cairn_gov_propose_decode(&p, b.p, b.len), CAIRN_OK);
    assert_string_equal(p.param, "gov_deposit");
    assert_int_equal(cairn_gov_propose_decode(&p, b.p, b.len - 1),
                     CAIRN_ERR_BAD_BODY);
    b.p[0] = 7;
    assert_int_equal(cairn_gov_propose_decode(&p, b.p, b.len),
                     CAIRN_ERR_BAD_BODY);
    body_vote(&b, 3, 4);
    assert_int_equal(cairn_gov_vote_decode(&v, b.p, b.len), CAIRN_ERR_BAD_BODY);
    body_vote(&b, 3, CAIRN_VOTE_ABSTAIN);
    assert_int_equal(cairn_gov_vote_decode(&v, b.p, b.len), CAIRN_OK);
    assert_int_equal(v.id, 3);
    assert_int_equal(cairn_vote_parse("abstain"), CAIRN_VOTE_ABSTAIN);
    assert_int_equal(cairn_vote_parse("maybe"), 0);
    assert_string_equal(cairn_gov_status_name(CAIRN_GOV_NO_QUORUM),
                        "no_quorum");
    cairn_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(codecs),
        cmocka_unit_test(param_change_passes),
        cmocka_unit_test(bad_params_refused),
        cmocka_unit_test(failed_proposals),
        cmocka_unit_test(treasury_spend),
    };
    cairn_crypto_init();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
