/* Permanent storage and the repair path through the real chain: the
 * one-time price, the geometric payout of the endowment, an endowment paid
 * out in full, a failed provider's deal held and moved to a new provider
 * (DEAL_REPLACE), a running deal moved, and the pure price rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "deal_fixture.h"

/* cost 100 units per MiB-epoch, 1% of the endowment paid per epoch */
#define ECON                                                                   \
    "{\"epoch_blocks\": 4, \"fee_provider_bps\": 7000, \"fee_burn_bps\": "     \
    "1000,"                                                                    \
    " \"fee_treasury_bps\": 1000, \"fee_stakers_bps\": 1000,"                  \
    " \"perm_cost_per_mib\": \"0.0001\", \"perm_decline_bps\": 100}"
#define ECON_ALL "{\"epoch_blocks\": 4, \"perm_decline_bps\": 10000}"

enum { PROV = 2, CLIENT = 3, PROV2 = 4, OTHER = 5 };

static void setup(twin *t, const char *econ)
{
    cairn_buf b;
    twin_open(t, econ);
    cairn_buf_init(&b, 4096);
    fx_register(t, PROV, 1000 * TOK, &b);
    fx_register(t, PROV2, 1000 * TOK, &b);
    assert_int_equal(step(t), CAIRN_OK);
    cairn_buf_free(&b);
}

static uint64_t open_deal(twin *t, const cairn_deal_terms *tm)
{
    cairn_buf b;
    size_t n;
    int more;
    cairn_deal_info d[CAIRN_DEALS_MAX];
    cairn_buf_init(&b, 4096);
    dx_open_body(&b, t, CLIENT, PROV, tm);
    both(t, CLIENT, CAIRN_TX_DEAL_OPEN, &b);
    assert_int_equal(step(t), CAIRN_OK);
    cairn_buf_free(&b);
    assert_int_equal(cairn_chain_deals(t->c[0], 1, &fx_keys[PROV].pk, 0, d,
                                       CAIRN_DEALS_MAX, &n, &more),
                     CAIRN_OK);
    assert_true(n > 0);
    return d[n - 1].id;
}

/* A REPLACE body of CLIENT's next tx for deal d, signed by keys[prov]. */
static void replace_body(cairn_buf *b, twin *t, const cairn_deal_info *d,
                         int prov, uint64_t collateral, int sign_as)
{
    cairn_deal_replace r = {d->id, fx_keys[prov].pk, collateral, {{0}}};
    cairn_replace_ctx c = {d->root, d->size, d->flags & CAIRN_DEAL_PERMANENT,
                           d->end_epoch, d->price};
    assert_int_equal(cairn_deal_replace_sign(
                         &r.sig, FX_CHAIN, &fx_keys[CLIENT].pk,
                         dx_nonce(t, 0, CLIENT), &r, &c, &fx_keys[sign_as]),
                     CAIRN_OK);
    cairn_deal_replace_encode(b, &r);
}

/* Pays once; proven epochs are paid 1% of what is left (at least 1 unit);
 * the client is never charged again; the books balance. */
static void test_permanent_geometric(void **state)
{
    twin t;
    tpiece p;
    (void)state;
    setup(&t, ECON);
    tp_make(&p, 3 * CAIRN_MIB - 5, 8); /* 3 MiB units */
    uint64_t price;
    assert_int_equal(cairn_storage_perm_price(&price, p.size, 100, 100),
                     CAIRN_OK);
    assert_int_equal(price, 30000); /* ceil(3 × 100 × 10000 / 100) */
    uint64_t S = dx_epoch(&t) + 1;
    uint64_t c0 = fx_account(&t, CLIENT).balance;
    cairn_deal_terms tm =
        dx_terms(PROV, &p, S, 0, 30000, 6000, CAIRN_DEAL_PERMANENT);
    uint64_t id = open_deal(&t, &tm);
    cairn_deal_info d = dx_deal(&t, id);
    assert_int_equal(d.price, 30000);
    assert_int_equal(d.escrow, 30000);
    assert_int_equal(d.end_epoch, CAIRN_EPOCH_NONE);
    assert_int_equal(fx_account(&t, CLIENT).balance, c0 - 30000 - FEE);
    dx_to_epoch(&t, S);
    const uint64_t want[5] = {300, 297, 294, 291,
                              288}; /* 1% of 30000, 29700, ... */
    uint64_t left = 30000;
    for (uint64_t k = 0; k < 5; k++) {
        uint64_t pb = fx_account(&t, PROV).balance;
        dx_prove(&t, PROV, id, &p);
        dx_to_epoch(&t, S + k + 1);
        assert_int_equal(cairn_storage_perm_payout(left, 100), want[k]);
        left -= want[k];
        d = dx_deal(&t, id);
        assert_int_equal(d.escrow, left);
        assert_int_equal(fx_account(&t, PROV).balance,
                         pb - FEE + dx_provider_share(want[k], 7000));
        cairn_epoch_metrics m;
        assert_int_equal(cairn_chain_epoch_metrics(t.c[0], S + k, &m),
                         CAIRN_OK);
        assert_int_equal(m.work_units[CAIRN_SECTOR_STORAGE], 3);
        dx_audit(&t);
    }
    /* a missed epoch pays nothing and takes nothing from the endowment */
    dx_to_epoch(&t, S + 6);
    d = dx_deal(&t, id);
    assert_int_equal(d.escrow, left);
    assert_int_equal(d.faults, 1);
    assert_int_equal(d.collateral, 6000 - 600);
    assert_int_equal(fx_account(&t, CLIENT).balance, c0 - 30000 - FEE);
    assert_int_equal(dx_audit(&t).escrow, left + 5400);
    fx_replay_check(&t);
    tp_free(&p);
    twin_close(&t);
}

/* decline_bps 10000: the whole endowment in the first proven epoch; the
 * deal then ends as exhausted and the collateral returns. */
static void test_permanent_exhausted(void **state)
{
    twin t;
    tpiece p;
    (void)state;
    setup(&t, ECON_ALL);
    tp_make(&p, 100, 9);
    uint64_t S = dx_epoch(&t) + 1, p0 = fx_account(&t, PROV).balance;
    cairn_deal_terms tm =
        dx_terms(PROV, &p, S, 0, 1000, 20, CAIRN_DEAL_PERMANENT);
    uint64_t id = open_deal(&t, &tm);
    assert_int_equal(dx_deal(&t, id).escrow, 100); /* 1 MiB × 100 × 1 */
    dx_to_epoch(&t, S);
    dx_prove(&t, PROV, id, &p);
    dx_to_epoch(&t, S + 1);
    cairn_deal_info d = dx_deal(&t, id);
    assert_int_equal(d.state, CAIRN_DEAL_ENDED);
    assert_int_equal(d.end_reason, CAIRN_DEAL_END_EXHAUSTED);
    assert_int_equal(d.paid, 100);
    assert_int_equal(d.collateral, 0);
    assert_int_equal(fx_account(&t, PROV).balance,
                     p0 - FEE); /* provider share 0 */
    assert_int_equal(dx_audit(&t).escrow, 0);
    tp_free(&p);
    twin_close(&t);
}

/* The provider stops: after deal_max_faults the permanent deal FAILS with
 * its endowment held; the client moves it to a new provider, who proves
 * and is paid; only the client may move it, and only with the new
 * provider's signature over this deal. */
static void test_replace_failed(void **state)
{
    twin t;
    tpiece p;
    cairn_buf b;
    (void)state;
    setup(&t, ECON);
    tp_make(&p, 2 * CAIRN_MIB, 10);
    cairn_buf_init(&b, 4096);
    uint64_t S = dx_epoch(&t) + 1;
    cairn_deal_terms tm =
        dx_terms(PROV, &p, S, 0, 20000, 4000, CAIRN_DEAL_PERMANENT);
    uint64_t id = open_deal(&t, &tm);
    dx_to_epoch(&t, S + 3); /* three misses */
    cairn_deal_info d = dx_deal(&t, id);
    assert_int_equal(d.state, CAIRN_DEAL_FAILED);
    assert_int_equal(d.end_reason, CAIRN_DEAL_END_FAULTS);
    assert_int_equal(d.escrow, 20000); /* held for repair */
    assert_int_equal(d.collateral, 0);
    assert_int_equal(d.slashed, 4000);
    assert_int_equal(dx_audit(&t).escrow, 20000);
    /* a failed deal is not proven any more */
    {
        cairn_proof_entry e;
        uint8_t leaf[CAIRN_LEAF_SIZE];
        dx_proof(&e, leaf, &t, id, &p);
        cairn_prove_encode(&b, &e, 1);
        assert_int_equal(bad(&t, PROV, CAIRN_TX_PROVE, &b),
                         CAIRN_ERR_DEAL_ENDED);
    }
    replace_body(&b, &t, &d, PROV2, 4000, PROV); /* signed by the wrong key */
    assert_int_equal(bad(&t, CLIENT, CAIRN_TX_DEAL_REPLACE, &b),
                     CAIRN_ERR_BAD_SIG);
    replace_body(&b, &t, &d, PROV2, 3999, PROV2); /* 20% of 20000 is 4000 */
    assert_int_equal(bad(&t, CLIENT, CAIRN_TX_DEAL_REPLACE, &b),
                     CAIRN_ERR_COLLATERAL_LOW);
    {
        cairn_deal_replace r = {id, fx_keys[PROV2].pk, 4000, {{0}}};
        cairn_deal_replace_encode(&b, &r); /* by someone else */
        assert_int_equal(bad(&t, OTHER, CAIRN_TX_DEAL_REPLACE, &b),
                         CAIRN_ERR_NOT_DEAL_PARTY);
    }
    uint64_t E = dx_epoch(&t), p2 = fx_account(&t, PROV2).balance;
    replace_body(&b, &t, &d, PROV2, 4000, PROV2);
    both(&t, CLIENT, CAIRN_TX_DEAL_REPLACE, &b);
    assert_int_equal(step(&t), CAIRN_OK);
    d = dx_deal(&t, id);
    assert_int_equal(d.state, CAIRN_DEAL_ACTIVE);
    assert_memory_equal(d.provider.b, fx_keys[PROV2].pk.b, 32);
    assert_int_equal(d.collateral, 4000);
    assert_int_equal(d.faults, 0);
    assert_int_equal(d.start_epoch, E + 1);
    assert_int_equal(fx_account(&t, PROV2).balance, p2 - 4000);
    dx_to_epoch(&t, d.start_epoch);
    dx_prove(&t, PROV2, id, &p);
    dx_to_epoch(&t, d.start_epoch + 1);
    d = dx_deal(&t, id);
    assert_int_equal(d.escrow, 20000 - 200);
    assert_int_equal(d.last_proven, d.start_epoch);
    /* listed under the new provider, gone from the old one's */
    size_t n;
    int more;
    cairn_deal_info l[4];
    assert_int_equal(
        cairn_chain_deals(t.c[0], 1, &fx_keys[PROV].pk, 0, l, 4, &n, &more),
        CAIRN_OK);
    assert_int_equal(n, 0);
    assert_int_equal(
        cairn_chain_deals(t.c[0], 1, &fx_keys[PROV2].pk, 0, l, 4, &n, &more),
        CAIRN_OK);
    assert_int_equal(n, 1);
    dx_audit(&t);
    fx_replay_check(&t);
    cairn_buf_free(&b);
    tp_free(&p);
    twin_close(&t);
}

/* Moving a running term deal: the old provider, who proved this epoch, is
 * paid for it and gets its collateral back; the new one takes the rest. */
static void test_replace_running(void **state)
{
    twin t;
    tpiece p;
    cairn_buf b;
    (void)state;
    setup(&t, ECON);
    tp_make(&p, 1500, 11);
    cairn_buf_init(&b, 4096);
    uint64_t S = dx_epoch(&t) + 1;
    cairn_deal_terms tm = dx_terms(PROV, &p, S, 6, 1000, 1200, 0);
    uint64_t id = open_deal(&t, &tm);
    dx_to_epoch(&t, S);
    uint64_t p1 = fx_account(&t, PROV).balance,
             p2 = fx_account(&t, PROV2).balance;
    uint64_t c0 = fx_account(&t, CLIENT).balance;
    dx_prove(&t, PROV, id, &p);
    assert_int_equal(step(&t), CAIRN_OK);
    cairn_deal_info d = dx_deal(&t, id);
    replace_body(&b, &t, &d, PROV2, 1000, PROV2); /* 20% of 5 × 1000 */
    both(&t, CLIENT, CAIRN_TX_DEAL_REPLACE, &b);
    assert_int_equal(step(&t), CAIRN_OK);
    assert_int_equal(dx_epoch(&t), S);
    d = dx_deal(&t, id);
    assert_int_equal(d.start_epoch, S + 1);
    assert_int_equal(d.escrow, 5000);
    assert_int_equal(d.paid, 1000);
    assert_int_equal(fx_account(&t, PROV).balance,
                     p1 - FEE + dx_provider_share(1000, 7000) + 1200);
    assert_int_equal(fx_account(&t, PROV2).balance, p2 - 1000);
    assert_int_equal(fx_account(&t, CLIENT).balance, c0 - FEE);
    dx_to_epoch(&t, S + 1); /* epoch S is not settled again */
    assert_int_equal(dx_deal(&t, id).faults, 0);
    assert_int_equal(dx_deal(&t, id).escrow, 5000);
    dx_audit(&t);
    cairn_buf_free(&b);
    tp_free(&p);
    twin_close(&t);
}

/* The pure rules: price, payout, and a payout series that sums exactly. */
static void test_perm_rules(void **state)
{
    uint64_t v;
    (void)state;
    assert_int_equal(cairn_storage_perm_price(&v, 1, 100, 10), CAIRN_OK);
    assert_int_equal(v, 100000);
    assert_int_equal(cairn_storage_perm_price(&v, 10 * CAIRN_MIB, 100, 10),
                     CAIRN_OK);
    assert_int_equal(v, 1000000); /* the docs' worked example */
    assert_int_equal(cairn_storage_perm_price(&v, 1, 1, 3), CAIRN_OK);
    assert_int_equal(v, 3334); /* ceil(10000 / 3) */
    assert_int_equal(cairn_storage_perm_price(&v, 1, 100, 0),
                     CAIRN_ERR_BAD_ARG);
    assert_int_equal(cairn_storage_perm_price(&v, 1, 100, 10001),
                     CAIRN_ERR_BAD_ARG);
    assert_int_equal(
        cairn_storage_perm_price(&v, CAIRN_PIECE_MAX, UINT64_MAX / 2, 1),
        CAIRN_ERR_OVERFLOW);
    assert_int_equal(cairn_storage_perm_payout(0, 10), 0);
    assert_int_equal(cairn_storage_perm_payout(5, 10), 1); /* at least 1 */
    assert_int_equal(cairn_storage_perm_payout(1000000, 10), 1000);
    assert_int_equal(cairn_storage_perm_payout(7, 10000), 7);
    uint64_t left = 1000000, paid = 0, epochs = 0;
    while (left && epochs < 10000000) {
        uint64_t pay = cairn_storage_perm_payout(left, 10);
        assert_true(pay >= 1 && pay <= left);
        left -= pay;
        paid += pay;
        epochs++;
    }
    assert_int_equal(paid, 1000000);
    assert_int_equal(left, 0);
    assert_true(epochs > 5000); /* geometric phase, then 1 unit per epoch */
}

int main(void)
{
    cairn_crypto_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_perm_rules),
        cmocka_unit_test(test_permanent_geometric),
        cmocka_unit_test(test_permanent_exhausted),
        cmocka_unit_test(test_replace_failed),
        cmocka_unit_test(test_replace_running),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
