/* The price feed and burn-and-mint credits on a real chain: who may set
 * the price, the per-epoch bound, buying burns exactly credits × price,
 * spending credits, and each refusal with its own error and no change to
 * the state root. */
#include "gov_fixture.h"

#include "cairn/metrics.h"
#include "econ/credits.h"

/* No fee burns and no emission, so supply moves only by credit burns. */
static const char *ECON =
    "{\"price_oracle\":\"%ORACLE%\",\"max_price_change_bps\":1000,"
    "\"epoch_blocks\":5,\"emission_initial\":\"0\",\"fee_burn_bps\":0,"
    "\"fee_treasury_bps\":7000,\"fee_stakers_bps\":3000}";

/* A u64 body for SET_PRICE or BUY_CREDITS. */
static cairn_buf *u64_body(cairn_buf *b, uint64_t v)
{
    cairn_buf_reset(b);
    cairn_put_u64(b, v);
    return b;
}

static uint64_t price_now(twin *t)
{
    cairn_price_info pi;
    assert_int_equal(cairn_chain_price(t->c[0], &pi), CAIRN_OK);
    assert_true(pi.has_price);
    return pi.price;
}

/* Buying before any price exists, and a price from anyone but the oracle. */
static void refusals_before_price(void **st)
{
    twin t;
    cairn_buf b;
    cairn_price_info pi;
    (void)st;
    twin_open(&t, ECON);
    cairn_buf_init(&b, 256);
    assert_int_equal(bad(&t, 2, CAIRN_TX_BUY_CREDITS, u64_body(&b, 10)),
                     CAIRN_ERR_NO_PRICE);
    assert_int_equal(bad(&t, 2, CAIRN_TX_SET_PRICE, u64_body(&b, 1000)),
                     CAIRN_ERR_NOT_ORACLE);
    assert_int_equal(bad(&t, 1, CAIRN_TX_SET_PRICE, u64_body(&b, 0)),
                     CAIRN_ERR_ZERO_AMOUNT);
    assert_int_equal(bad(&t, 1, CAIRN_TX_BUY_CREDITS, u64_body(&b, 0)),
                     CAIRN_ERR_ZERO_AMOUNT);
    assert_int_equal(cairn_chain_price(t.c[0], &pi), CAIRN_OK);
    assert_false(pi.has_price);
    assert_true(pi.has_oracle);
    assert_memory_equal(pi.oracle.b, fx_keys[1].pk.b, 32);
    cairn_buf_free(&b);
    twin_close(&t);
}

/* The first price is free; later ones stay within 10% of the price at the
 * start of the epoch, in either direction; a new epoch moves the anchor. */
static void price_bound(void **st)
{
    twin t;
    cairn_buf b;
    (void)st;
    twin_open(&t, ECON);
    cairn_buf_init(&b, 256);
    both(&t, 1, CAIRN_TX_SET_PRICE, u64_body(&b, 1000000)); /* block 1 */
    assert_int_equal(step(&t), CAIRN_OK);
    assert_int_equal(price_now(&t), 1000000);
    assert_int_equal(bad(&t, 1, CAIRN_TX_SET_PRICE, u64_body(&b, 1100001)),
                     CAIRN_ERR_PRICE_JUMP);
    both(&t, 1, CAIRN_TX_SET_PRICE, u64_body(&b, 1100000)); /* block 3 */
    assert_int_equal(step(&t), CAIRN_OK);
    /* still epoch 0: the anchor is 1.0, so 1.2 is too far even from 1.1 */
    assert_int_equal(bad(&t, 1, CAIRN_TX_SET_PRICE, u64_body(&b, 1200000)),
                     CAIRN_ERR_PRICE_JUMP);
    both(&t, 1, CAIRN_TX_SET_PRICE, u64_body(&b, 900000)); /* block 5 */
    assert_int_equal(step(&t), CAIRN_OK);
    assert_int_equal(price_now(&t), 900000);
    step_to(&t, 6); /* epoch 1 starts at block 6, anchored at 0.9 */
    assert_int_equal(bad(&t, 1, CAIRN_TX_SET_PRICE, u64_body(&b, 990001)),
                     CAIRN_ERR_PRICE_JUMP);
    assert_int_equal(bad(&t, 2, CAIRN_TX_SET_PRICE, u64_body(&b, 900000)),
                     CAIRN_ERR_NOT_ORACLE);
    both(&t, 1, CAIRN_TX_SET_PRICE, u64_body(&b, 990000));
    assert_int_equal(step(&t), CAIRN_OK);
    assert_int_equal(price_now(&t), 990000);
    cairn_buf_free(&b);
    twin_close(&t);
}

/* Buying N credits burns exactly N × price: balance, supply and burned
 * each move by it (fees aside), and the credits land with the buyer. */
static void buy_burns_exactly(void **st)
{
    twin t;
    cairn_buf b;
    uint64_t credits = 0;
    cairn_econ_audit a;
    (void)st;
    twin_open(&t, ECON);
    cairn_buf_init(&b, 256);
    both(&t, 1, CAIRN_TX_SET_PRICE, u64_body(&b, 1234));
    assert_int_equal(step(&t), CAIRN_OK);
    cairn_account before = fx_account(&t, 3);
    cairn_totals tb = fx_totals(&t);
    both(&t, 3, CAIRN_TX_BUY_CREDITS, u64_body(&b, 56789));
    assert_int_equal(step(&t), CAIRN_OK);
    cairn_account after = fx_account(&t, 3);
    cairn_totals ta = fx_totals(&t);
    uint64_t cost = 56789ull * 1234;
    assert_int_equal(before.balance - after.balance, cost + FEE);
    assert_int_equal(tb.supply - ta.supply, cost);
    assert_int_equal(ta.burned - tb.burned, cost);
    assert_int_equal(cairn_chain_credits(t.c[0], &fx_keys[3].pk, &credits),
                     CAIRN_OK);
    assert_int_equal(credits, 56789);
    both(&t, 3, CAIRN_TX_BUY_CREDITS, u64_body(&b, 11));
    assert_int_equal(step(&t), CAIRN_OK);
    assert_int_equal(cairn_chain_credits(t.c[0], &fx_keys[3].pk, &credits),
                     CAIRN_OK);
    assert_int_equal(credits, 56800);
    assert_int_equal(cairn_chain_credits(t.c[0], &fx_keys[4].pk, &credits),
                     CAIRN_OK);
    assert_int_equal(credits, 0);
    /* more than the balance can pay */
    assert_int_equal(
        bad(&t, 4, CAIRN_TX_BUY_CREDITS, u64_body(&b, 1000000000000ull)),
        CAIRN_ERR_FUNDS);
    /* a product past u64 */
    assert_int_equal(
        bad(&t, 4, CAIRN_TX_BUY_CREDITS, u64_body(&b, UINT64_MAX / 1000)),
        CAIRN_ERR_OVERFLOW);
    assert_int_equal(cairn_chain_econ_audit(t.c[0], &a), CAIRN_OK);
    assert_true(a.ok);
    fx_replay_check(&t);
    cairn_buf_free(&b);
    twin_close(&t);
}

/* What the spending hook does at one height. */
static struct {
    uint64_t height, amount;
    int who;
    cairn_err got;
} spend_plan;

/* Tally hook plus a sector-like credit spend at the planned height. */
static cairn_err spend_hook(exec_ctx *x, void *arg)
{
    (void)arg;
    if (x->height == spend_plan.height)
        spend_plan.got = econ_spend_credits(x, &fx_keys[spend_plan.who].pk,
                                            spend_plan.amount);
    return gov_end_block(x);
}

/* Sectors spend credits: down to zero, and NO_CREDITS when short. */
static void spend_credits(void **st)
{
    twin t;
    cairn_buf b;
    uint64_t credits = 1;
    (void)st;
    twin_open(&t, ECON);
    econ_set_test_hook(spend_hook, NULL);
    cairn_buf_init(&b, 256);
    both(&t, 1, CAIRN_TX_SET_PRICE, u64_body(&b, 10));
    both(&t, 2, CAIRN_TX_BUY_CREDITS, u64_body(&b, 100)); /* same block */
    assert_int_equal(step(&t), CAIRN_OK);
    spend_plan.who = 2;
    spend_plan.height = fx_height(&t) + 1;
    spend_plan.amount = 101;
    assert_int_equal(step(&t), CAIRN_OK);
    assert_int_equal(spend_plan.got, CAIRN_ERR_NO_CREDITS);
    assert_int_equal(cairn_chain_credits(t.c[0], &fx_keys[2].pk, &credits),
                     CAIRN_OK);
    assert_int_equal(credits, 100);
    spend_plan.height = fx_height(&t) + 1;
    spend_plan.amount = 60;
    assert_int_equal(step(&t), CAIRN_OK);
    assert_int_equal(spend_plan.got, CAIRN_OK);
    spend_plan.height = fx_height(&t) + 1;
    spend_plan.amount = 40;
    assert_int_equal(step(&t), CAIRN_OK);
    assert_int_equal(spend_plan.got, CAIRN_OK);
    assert_int_equal(cairn_chain_credits(t.c[0], &fx_keys[2].pk, &credits),
                     CAIRN_OK);
    assert_int_equal(credits, 0);
    cairn_buf_free(&b);
    twin_close(&t);
}

/* Body codecs reject wrong lengths. */
static void codecs(void **st)
{
    uint8_t nine[9] = {0};
    uint64_t v;
    (void)st;
    assert_int_equal(cairn_set_price_decode(&v, nine, 9), CAIRN_ERR_BAD_BODY);
    assert_int_equal(cairn_buy_credits_decode(&v, nine, 7), CAIRN_ERR_BAD_BODY);
    assert_int_equal(cairn_buy_credits_decode(&v, nine, 8), CAIRN_OK);
    assert_int_equal(cairn_credits_cost(UINT64_MAX, 2, &v), CAIRN_ERR_OVERFLOW);
    assert_int_equal(cairn_credits_cost(3, 7, &v), CAIRN_OK);
    assert_int_equal(v, 21);
}

/* The epoch record counts credits bought and their burn; the derived
 * metrics (velocity, net change, circulating) follow from it. */
static void metrics_record(void **st)
{
    twin t;
    cairn_buf b;
    cairn_epoch_metrics m[3];
    size_t n;
    uint64_t last;
    char v[CAIRN_VELOCITY_TEXT_MAX];
    uint8_t tb[40];
    (void)st;
    twin_open(&t, ECON);
    cairn_buf_init(&b, 256);
    assert_int_equal(cairn_chain_latest_epoch(t.c[0], &last),
                     CAIRN_ERR_NOT_FOUND);
    both(&t, 1, CAIRN_TX_SET_PRICE, u64_body(&b, 3));
    both(&t, 2, CAIRN_TX_BUY_CREDITS, u64_body(&b, 1000));
    cairn_transfer tr = {fx_keys[4].pk, 7 * TOK};
    cairn_transfer_encode(tb, &tr);
    cairn_put_bytes(&b, tb, 40);
    both(&t, 3, CAIRN_TX_TRANSFER, &b);
    step_to(&t, 5);
    assert_int_equal(cairn_chain_latest_epoch(t.c[0], &last), CAIRN_OK);
    assert_int_equal(last, 0);
    assert_int_equal(cairn_chain_metrics_range(t.c[0], 0, 5, m, 3, &n),
                     CAIRN_ERR_BAD_ARG);
    assert_int_equal(cairn_chain_metrics_range(t.c[0], 0, 2, m, 3, &n),
                     CAIRN_OK);
    assert_int_equal(n, 1);
    assert_int_equal(m[0].credits_bought, 1000);
    assert_int_equal(m[0].burned, 3000); /* no fee burns in this economy */
    assert_int_equal(m[0].emitted, 0);
    assert_true(m[0].net_negative);
    assert_int_equal(m[0].net_change, 3000);
    assert_int_equal(m[0].transfer_volume, 7 * TOK);
    assert_int_equal(m[0].revenue, 3 * FEE);
    assert_int_equal(m[0].periods_per_year, CAIRN_MS_PER_YEAR / 5000);
    assert_int_equal(m[0].velocity_bps,
                     cairn_velocity_bps(7 * TOK, m[0].avg_circulating,
                                        m[0].periods_per_year));
    assert_int_equal(m[0].circulating, m[0].supply - m[0].treasury);
    cairn_velocity_format(v, 36500);
    assert_string_equal(v, "3.65");
    cairn_velocity_format(v, 12345);
    assert_string_equal(v, "1.2345");
    cairn_velocity_format(v, 0);
    assert_string_equal(v, "0.00");
    cairn_velocity_format(v, 10);
    assert_string_equal(v, "0.001");
    cairn_buf_free(&b);
    twin_close(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(codecs),
        cmocka_unit_test(refusals_before_price),
        cmocka_unit_test(price_bound),
        cmocka_unit_test(buy_burns_exactly),
        cmocka_unit_test(spend_credits),
        cmocka_unit_test(metrics_record),
    };
    cairn_crypto_init();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
