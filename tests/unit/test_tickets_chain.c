/* Lottery tickets through the real chain (two chains from one genesis; a
 * refused transaction goes to chain A only, and both state roots must stay
 * equal; the books are audited after every block): TICKET_FUND holds a
 * deposit and a reserve; TICKET_REDEEM pays a winning ticket's face value
 * from the deposit, then the reserve, through the fee split, exact to the
 * base unit; every refusal (double redemption, forged signature, wrong
 * number, losing ticket, expired ticket, wrong chain, beyond deposit plus
 * reserve, not the recipient) leaves the state root as it was;
 * TICKET_WITHDRAW pays back only after compute_ticket_unlock_blocks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "compute_fixture.h"

#define ECON                                                                   \
    "{\"epoch_blocks\": 10, \"fee_provider_bps\": 7000,"                       \
    " \"fee_burn_bps\": 1000, \"fee_treasury_bps\": 1000,"                     \
    " \"fee_stakers_bps\": 1000, \"compute_ticket_unlock_blocks\": 5}"

enum { SND = 2, RCP = 3, OTHER = 4 };

#define SHARE(x) dx_provider_share((x), 7000)
#define FAR 1000000 /* an expiration height no test reaches */

static const uint8_t RAND[CAIRN_TICKET_RAND_LEN] = {7, 7, 7, 7, 1, 2, 3, 4};

/* A ticket of keys[snd] to keys[RCP] committing to RAND, signed for
 * `chain`. prob UINT64_MAX wins (but with odds 2^-64), 0 never does. */
static cairn_ticket ticket(int snd, uint64_t face, uint64_t prob,
                           uint64_t nonce, uint64_t exp, const char *chain)
{
    cairn_ticket t;
    memset(&t, 0, sizeof t);
    assert_int_equal(cairn_ticket_set_chain(&t, chain), CAIRN_OK);
    t.recipient = fx_keys[RCP].pk;
    t.face_value = face;
    t.win_prob = prob;
    t.nonce = nonce;
    t.expiration = exp;
    cairn_ticket_rand_hash(&t.rand_hash, RAND);
    assert_int_equal(cairn_ticket_sign(&t, &fx_keys[snd]), CAIRN_OK);
    return t;
}

static void redeem_body(cairn_buf *b, const cairn_ticket *t,
                        const uint8_t rand[CAIRN_TICKET_RAND_LEN])
{
    cairn_buf_reset(b);
    cairn_ticket_redeem_encode(b, t, rand);
}

static cairn_ticket_funds funds(twin *t, int who)
{
    cairn_ticket_funds f;
    assert_int_equal(cairn_chain_ticket_funds(t->c[0], &fx_keys[who].pk, &f),
                     CAIRN_OK);
    return f;
}

/* keys[SND] funds deposit and reserve: one block. */
static void fund(twin *t, uint64_t deposit, uint64_t reserve)
{
    cairn_buf b;
    cairn_buf_init(&b, 64);
    cairn_ticket_fund_encode(&b, deposit, reserve);
    both(t, SND, CAIRN_TX_TICKET_FUND, &b);
    cairn_buf_free(&b);
    cx_step(t);
}

/* A good redemption by keys[RCP]: one block; checks what it paid. */
static void redeem_ok(twin *t, const cairn_ticket *tk)
{
    cairn_buf b;
    cairn_hash id;
    int used = 0;
    uint64_t before = cx_balance(t, RCP);
    cairn_buf_init(&b, 512);
    redeem_body(&b, tk, RAND);
    both(t, RCP, CAIRN_TX_TICKET_REDEEM, &b);
    cairn_buf_free(&b);
    cx_step(t);
    assert_int_equal(cx_balance(t, RCP), before + SHARE(tk->face_value) - FEE);
    cairn_ticket_id(&id, tk);
    assert_int_equal(cairn_chain_ticket_redeemed(t->c[0], &id, &used),
                     CAIRN_OK);
    assert_int_equal(used, 1);
}

/* A refused transaction of keys[who] on chain A only: the error, roots
 * compared by step(), books audited. */
static cairn_err refused(twin *t, int who, uint16_t kind, cairn_buf *b)
{
    cairn_err e = bad(t, who, kind, b);
    dx_audit(t);
    return e;
}

static void fund_and_redeem(void **st)
{
    (void)st;
    twin t;
    twin_open(&t, ECON);
    uint64_t bal = cx_balance(&t, SND);
    cairn_ticket_funds f;
    assert_int_equal(cairn_chain_ticket_funds(t.c[0], &fx_keys[SND].pk, &f),
                     CAIRN_ERR_NOT_FOUND);
    fund(&t, 10 * TOK, 5 * TOK);
    assert_int_equal(cx_balance(&t, SND), bal - 15 * TOK - FEE);
    f = funds(&t, SND);
    assert_int_equal(f.deposit, 10 * TOK);
    assert_int_equal(f.reserve, 5 * TOK);
    assert_int_equal(f.pending, 0);

    cairn_ticket tk = ticket(SND, 3 * TOK, UINT64_MAX, 1, FAR, FX_CHAIN);
    assert_true(cairn_ticket_wins(&tk, RAND));
    redeem_ok(&t, &tk);
    f = funds(&t, SND);
    assert_int_equal(f.deposit, 7 * TOK); /* down by the face value */
    assert_int_equal(f.reserve, 5 * TOK);
    assert_int_equal(cx_balance(&t, SND), bal - 15 * TOK - FEE);

    /* the deposit runs short: the reserve pays the rest */
    cairn_ticket big = ticket(SND, 8 * TOK, UINT64_MAX, 2, FAR, FX_CHAIN);
    redeem_ok(&t, &big);
    f = funds(&t, SND);
    assert_int_equal(f.deposit, 0);
    assert_int_equal(f.reserve, 4 * TOK);
    fx_replay_check(&t);
    twin_close(&t);
}

static void refusals(void **st)
{
    (void)st;
    twin t;
    cairn_buf b;
    twin_open(&t, ECON);
    cairn_buf_init(&b, 512);
    fund(&t, 10 * TOK, 2 * TOK);
    cairn_ticket tk = ticket(SND, 1 * TOK, UINT64_MAX, 1, FAR, FX_CHAIN);
    redeem_ok(&t, &tk);

    /* double redemption, and the same ticket signed again (one id) */
    redeem_body(&b, &tk, RAND);
    assert_int_equal(refused(&t, RCP, CAIRN_TX_TICKET_REDEEM, &b),
                     CAIRN_ERR_DUPLICATE);

    /* forged: signed by another key, claiming SND's */
    cairn_ticket forged = ticket(OTHER, 1 * TOK, UINT64_MAX, 2, FAR, FX_CHAIN);
    forged.sender = fx_keys[SND].pk;
    redeem_body(&b, &forged, RAND);
    assert_int_equal(refused(&t, RCP, CAIRN_TX_TICKET_REDEEM, &b),
                     CAIRN_ERR_BAD_SIG);
    /* changed after signing */
    cairn_ticket raised = ticket(SND, 1 * TOK, UINT64_MAX, 3, FAR, FX_CHAIN);
    raised.face_value = 2 * TOK;
    redeem_body(&b, &raised, RAND);
    assert_int_equal(refused(&t, RCP, CAIRN_TX_TICKET_REDEEM, &b),
                     CAIRN_ERR_BAD_SIG);

    /* a number that does not open the commitment */
    cairn_ticket good = ticket(SND, 1 * TOK, UINT64_MAX, 4, FAR, FX_CHAIN);
    uint8_t wrong[CAIRN_TICKET_RAND_LEN];
    memcpy(wrong, RAND, sizeof wrong);
    wrong[31] ^= 1;
    redeem_body(&b, &good, wrong);
    assert_int_equal(refused(&t, RCP, CAIRN_TX_TICKET_REDEEM, &b),
                     CAIRN_ERR_BAD_PROOF);

    /* a losing ticket */
    cairn_ticket lost = ticket(SND, 1 * TOK, 0, 5, FAR, FX_CHAIN);
    redeem_body(&b, &lost, RAND);
    assert_int_equal(refused(&t, RCP, CAIRN_TX_TICKET_REDEEM, &b),
                     CAIRN_ERR_TICKET_LOST);

    /* expired: redeemable through its expiration height only */
    cairn_ticket old =
        ticket(SND, 1 * TOK, UINT64_MAX, 6, fx_height(&t), FX_CHAIN);
    redeem_body(&b, &old, RAND);
    assert_int_equal(refused(&t, RCP, CAIRN_TX_TICKET_REDEEM, &b),
                     CAIRN_ERR_TICKET_EXPIRED);

    /* for another chain */
    cairn_ticket other = ticket(SND, 1 * TOK, UINT64_MAX, 7, FAR, "other-net");
    redeem_body(&b, &other, RAND);
    assert_int_equal(refused(&t, RCP, CAIRN_TX_TICKET_REDEEM, &b),
                     CAIRN_ERR_CHAIN_ID);

    /* beyond deposit + reserve (9 + 2 left): refused outright */
    cairn_ticket over = ticket(SND, 11 * TOK + 1, UINT64_MAX, 8, FAR, FX_CHAIN);
    redeem_body(&b, &over, RAND);
    assert_int_equal(refused(&t, RCP, CAIRN_TX_TICKET_REDEEM, &b),
                     CAIRN_ERR_FUNDS);

    /* only the recipient redeems */
    redeem_body(&b, &good, RAND);
    assert_int_equal(refused(&t, OTHER, CAIRN_TX_TICKET_REDEEM, &b),
                     CAIRN_ERR_NOT_LEASE_PARTY);

    cairn_ticket_funds f = funds(&t, SND);
    assert_int_equal(f.deposit, 9 * TOK);
    assert_int_equal(f.reserve, 2 * TOK);
    /* exactly deposit + reserve is paid */
    cairn_ticket all = ticket(SND, 11 * TOK, UINT64_MAX, 9, FAR, FX_CHAIN);
    redeem_ok(&t, &all);
    f = funds(&t, SND);
    assert_int_equal(f.deposit + f.reserve, 0);
    cairn_buf_free(&b);
    twin_close(&t);
}

static void withdraw_body(cairn_buf *b, uint64_t amount)
{
    cairn_buf_reset(b);
    cairn_ticket_withdraw_encode(b, amount);
}

static void withdraw(void **st)
{
    (void)st;
    twin t;
    cairn_buf b;
    twin_open(&t, ECON);
    cairn_buf_init(&b, 64);
    fund(&t, 10 * TOK, 2 * TOK);
    uint64_t bal = cx_balance(&t, SND);

    withdraw_body(&b, 13 * TOK); /* more than it holds */
    assert_int_equal(refused(&t, SND, CAIRN_TX_TICKET_WITHDRAW, &b),
                     CAIRN_ERR_FUNDS);
    withdraw_body(&b, 4 * TOK);
    both(&t, SND, CAIRN_TX_TICKET_WITHDRAW, &b);
    cx_step(&t);
    uint64_t asked = fx_height(&t);
    cairn_ticket_funds f = funds(&t, SND);
    assert_int_equal(f.pending, 4 * TOK);
    assert_int_equal(f.unlock_height, asked + 5);
    assert_int_equal(f.deposit, 10 * TOK); /* still backs tickets */

    /* before the unlock height: refused, state unchanged */
    withdraw_body(&b, 4 * TOK);
    assert_int_equal(refused(&t, SND, CAIRN_TX_TICKET_WITHDRAW, &b),
                     CAIRN_ERR_TICKET_LOCKED);
    withdraw_body(&b, 3 * TOK); /* not the amount asked */
    assert_int_equal(refused(&t, SND, CAIRN_TX_TICKET_WITHDRAW, &b),
                     CAIRN_ERR_BAD_ARG);

    /* a ticket in flight is still paid meanwhile */
    cairn_ticket tk = ticket(SND, 1 * TOK, UINT64_MAX, 1, FAR, FX_CHAIN);
    redeem_ok(&t, &tk);

    cx_to_height(&t, asked + 3); /* the next block is asked + 4 */
    withdraw_body(&b, 4 * TOK);
    assert_int_equal(refused(&t, SND, CAIRN_TX_TICKET_WITHDRAW, &b),
                     CAIRN_ERR_TICKET_LOCKED);
    withdraw_body(&b, 4 * TOK); /* the next block is the unlock height */
    both(&t, SND, CAIRN_TX_TICKET_WITHDRAW, &b);
    cx_step(&t);
    assert_int_equal(fx_height(&t), asked + 5);
    assert_int_equal(cx_balance(&t, SND), bal + 4 * TOK - 2 * FEE);
    f = funds(&t, SND);
    assert_int_equal(f.deposit, 5 * TOK); /* 10 - 1 redeemed - 4 */
    assert_int_equal(f.reserve, 2 * TOK);
    assert_int_equal(f.pending, 0);

    /* never funded */
    withdraw_body(&b, 1);
    assert_int_equal(refused(&t, OTHER, CAIRN_TX_TICKET_WITHDRAW, &b),
                     CAIRN_ERR_FUNDS);
    cairn_buf_free(&b);
    twin_close(&t);
}

/* Redemptions during the unlock period shrink what the withdrawal pays;
 * funding beyond the balance or with nothing is refused. */
static void withdraw_short(void **st)
{
    (void)st;
    twin t;
    cairn_buf b;
    twin_open(&t, ECON);
    cairn_buf_init(&b, 512);
    cairn_ticket_fund_encode(&b, 200000 * TOK, 0); /* above its balance */
    assert_int_equal(refused(&t, SND, CAIRN_TX_TICKET_FUND, &b),
                     CAIRN_ERR_FUNDS);
    cairn_ticket_fund_encode(&b, 0, 0);
    assert_int_equal(refused(&t, SND, CAIRN_TX_TICKET_FUND, &b),
                     CAIRN_ERR_BAD_BODY);
    fund(&t, 4 * TOK, 3 * TOK);
    uint64_t bal = cx_balance(&t, SND);
    withdraw_body(&b, 7 * TOK);
    both(&t, SND, CAIRN_TX_TICKET_WITHDRAW, &b);
    cx_step(&t);
    uint64_t unlock = funds(&t, SND).unlock_height;
    cairn_ticket tk = ticket(SND, 6 * TOK, UINT64_MAX, 1, FAR, FX_CHAIN);
    redeem_ok(&t, &tk); /* 4 from the deposit, 2 from the reserve */
    cx_to_height(&t, unlock - 1);
    withdraw_body(&b, 7 * TOK);
    both(&t, SND, CAIRN_TX_TICKET_WITHDRAW, &b);
    cx_step(&t);
    assert_int_equal(cx_balance(&t, SND), bal + 1 * TOK - 2 * FEE);
    cairn_ticket_funds f = funds(&t, SND);
    assert_int_equal(f.deposit + f.reserve + f.pending, 0);
    cairn_buf_free(&b);
    twin_close(&t);
}

int main(void)
{
    fx_make_keys();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fund_and_redeem),
        cmocka_unit_test(refusals),
        cmocka_unit_test(withdraw),
        cmocka_unit_test(withdraw_short),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
