/* Storage deals through the real chain (two chains from one genesis; a
 * rejected transaction goes to chain A only, and both state roots must
 * stay equal): open, prove and get paid through the fee split; missed
 * proofs; every kind of bad proof, each with its own error; provider
 * signatures that cannot be reused; opens that must fail; ending early
 * with an exact refund. The books are audited along the way. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "deal_fixture.h"

/* Sector ids of the reserved entries in src/sectors/registry.c. */
enum { SECTOR_COMPUTE = 1, SECTOR_WIRELESS = 2, SECTOR_SENSOR = 3 };

/* Provider share 70%, so a payment's provider part is visible. */
#define ECON                                                                   \
    "{\"epoch_blocks\": 4, \"fee_provider_bps\": 7000, \"fee_burn_bps\": "     \
    "1000,"                                                                    \
    " \"fee_treasury_bps\": 1000, \"fee_stakers_bps\": 1000,"                  \
    " \"jail_after_faults\": 3, \"jail_epochs\": 2, \"deal_max_epochs\": 100}"
#define ECON_LONG                                                              \
    "{\"epoch_blocks\": 30, \"fee_provider_bps\": 7000, \"fee_burn_bps\": "    \
    "1000,"                                                                    \
    " \"fee_treasury_bps\": 1000, \"fee_stakers_bps\": 1000}"

enum { PROV = 2, CLIENT = 3, PROV2 = 4, COMPUTE = 5, NOBODY = 6 };

/* Registers the storage providers (and a compute one); one block. */
static void setup(twin *t, const char *econ)
{
    cairn_buf b;
    cairn_register r = {SECTOR_COMPUTE, 0, 1000 * TOK, "tcp://127.0.0.1:7001"};
    twin_open(t, econ);
    cairn_buf_init(&b, 4096);
    fx_register(t, PROV, 1000 * TOK, &b);
    fx_register(t, PROV2, 1000 * TOK, &b);
    cairn_register_encode(&b, &r);
    both(t, COMPUTE, CAIRN_TX_REGISTER, &b);
    assert_int_equal(step(t), CAIRN_OK);
    cairn_buf_free(&b);
}

/* Opens a deal (good on both chains) and returns its id. */
static uint64_t open_deal(twin *t, int client, const cairn_deal_terms *tm,
                          int prov)
{
    cairn_buf b;
    cairn_buf_init(&b, 4096);
    dx_open_body(&b, t, client, prov, tm);
    both(t, client, CAIRN_TX_DEAL_OPEN, &b);
    assert_int_equal(step(t), CAIRN_OK);
    cairn_buf_free(&b);
    size_t n;
    int more;
    cairn_deal_info d[CAIRN_DEALS_MAX];
    assert_int_equal(cairn_chain_deals(t->c[0], 0, &fx_keys[client].pk, 0, d,
                                       CAIRN_DEALS_MAX, &n, &more),
                     CAIRN_OK);
    assert_true(n > 0);
    return d[n - 1].id;
}

/* Open, prove every epoch, get paid exactly the provider's share of the
 * price per epoch; collateral back at the end; work units counted. */
static void test_prove_and_pay(void **state)
{
    twin t;
    tpiece p;
    (void)state;
    setup(&t, ECON);
    tp_make(&p, 5000, 1);
    uint64_t S = dx_epoch(&t) + 1;
    uint64_t c0 = fx_account(&t, CLIENT).balance,
             p0 = fx_account(&t, PROV).balance;
    cairn_deal_terms tm = dx_terms(PROV, &p, S, 3, 1000, 600, 0);
    uint64_t id = open_deal(&t, CLIENT, &tm, PROV);
    cairn_deal_info d = dx_deal(&t, id);
    assert_int_equal(d.state, CAIRN_DEAL_ACTIVE);
    assert_int_equal(d.escrow, 3000);
    assert_int_equal(d.collateral, 600);
    assert_int_equal(d.end_epoch, S + 3);
    assert_memory_equal(d.root.b, p.root.b, 32);
    assert_int_equal(d.segment, 3);
    assert_int_equal(d.piece_index, 7);
    assert_int_equal(fx_account(&t, CLIENT).balance, c0 - 3000 - FEE);
    assert_int_equal(fx_account(&t, PROV).balance, p0 - 600);
    assert_int_equal(dx_audit(&t).escrow, 3600);
    dx_to_epoch(&t, S);
    for (uint64_t k = 0; k < 3; k++) {
        uint64_t pb = fx_account(&t, PROV).balance;
        dx_prove(&t, PROV, id, &p);
        assert_int_equal(step(&t), CAIRN_OK);
        assert_int_equal(dx_deal(&t, id).last_proven, S + k);
        dx_to_epoch(&t, S + k + 1);
        uint64_t back = k == 2 ? 600 : 0; /* collateral returns at the end */
        assert_int_equal(fx_account(&t, PROV).balance,
                         pb - FEE + dx_provider_share(1000, 7000) + back);
        cairn_epoch_metrics m;
        assert_int_equal(cairn_chain_epoch_metrics(t.c[0], S + k, &m),
                         CAIRN_OK);
        assert_int_equal(m.work_units[CAIRN_SECTOR_STORAGE],
                         1); /* 5000 B: 1 MiB */
        dx_audit(&t);
    }
    d = dx_deal(&t, id);
    assert_int_equal(d.state, CAIRN_DEAL_ENDED);
    assert_int_equal(d.end_reason, CAIRN_DEAL_END_COMPLETED);
    assert_int_equal(d.paid, 3000);
    assert_int_equal(d.escrow, 0);
    assert_int_equal(d.collateral, 0);
    assert_int_equal(fx_account(&t, CLIENT).balance, c0 - 3000 - FEE);
    assert_int_equal(dx_audit(&t).escrow, 0);
    fx_replay_check(&t);
    tp_free(&p);
    twin_close(&t);
}

/* No proofs: no payment, the client gets each epoch back, collateral is cut
 * per fault and all of it at deal_max_faults; the provider is jailed. */
static void test_missed_proofs(void **state)
{
    twin t;
    tpiece p;
    cairn_provider_info pi;
    (void)state;
    setup(&t, ECON);
    tp_make(&p, 3000, 2);
    uint64_t S = dx_epoch(&t) + 1;
    uint64_t c0 = fx_account(&t, CLIENT).balance,
             p0 = fx_account(&t, PROV).balance;
    cairn_deal_terms tm = dx_terms(PROV, &p, S, 10, 1000, 2000, 0);
    uint64_t id = open_deal(&t, CLIENT, &tm, PROV);
    uint64_t burned0 = fx_totals(&t).burned;
    const uint64_t coll_left[3] = {1800, 1620, 0};
    for (uint64_t k = 0; k < 3; k++) {
        dx_to_epoch(&t, S + k + 1);
        cairn_deal_info d = dx_deal(&t, id);
        assert_int_equal(d.paid, 0);
        assert_int_equal(d.faults, k < 2 ? k + 1 : 3);
        assert_int_equal(d.collateral, coll_left[k]);
        assert_int_equal(fx_account(&t, PROV).balance, p0 - 2000);
        if (k < 2) { /* one epoch's price back per miss */
            assert_int_equal(d.escrow, 10000 - 1000 * (k + 1));
            assert_int_equal(fx_account(&t, CLIENT).balance,
                             c0 - FEE - 10000 + 1000 * (k + 1));
        }
        dx_audit(&t);
    }
    cairn_deal_info d = dx_deal(&t, id);
    assert_int_equal(d.state, CAIRN_DEAL_ENDED);
    assert_int_equal(d.end_reason, CAIRN_DEAL_END_FAULTS);
    assert_int_equal(d.slashed, 2000);
    assert_int_equal(d.escrow, 0);
    assert_int_equal(fx_account(&t, CLIENT).balance, c0 - FEE); /* all back */
    assert_int_equal(fx_totals(&t).burned - burned0, 2000); /* slash burned */
    assert_int_equal(cairn_chain_provider(t.c[0], &fx_keys[PROV].pk, &pi),
                     CAIRN_OK);
    assert_true(pi.jailed); /* three epochs with a miss: jail_after_faults */
    /* a jailed provider takes no new deal */
    cairn_buf b;
    cairn_buf_init(&b, 4096);
    tm = dx_terms(PROV, &p, dx_epoch(&t) + 1, 2, 1000, 400, 0);
    dx_open_body(&b, &t, CLIENT, PROV, &tm);
    assert_int_equal(bad(&t, CLIENT, CAIRN_TX_DEAL_OPEN, &b), CAIRN_ERR_JAILED);
    cairn_buf_free(&b);
    fx_replay_check(&t);
    tp_free(&p);
    twin_close(&t);
}

/* Submits one proof entry by `who` to chain A only; returns the error. */
static cairn_err bad_proof(twin *t, int who, const cairn_proof_entry *e,
                           size_t n)
{
    cairn_buf b;
    cairn_buf_init(&b, CAIRN_TX_BODY_MAX);
    cairn_prove_encode(&b, e, n);
    cairn_err r = bad(t, who, CAIRN_TX_PROVE, &b);
    cairn_buf_free(&b);
    return r;
}

/* Every bad proof is refused with its own error and changes nothing. */
static void test_bad_proofs(void **state)
{
    twin t;
    tpiece pa, pb;
    cairn_proof_entry e[2];
    uint8_t leaf[2][CAIRN_LEAF_SIZE];
    (void)state;
    setup(&t, ECON_LONG);
    tp_make(&pa, 9000, 3);
    tp_make(&pb, 9000, 4);
    uint64_t S = dx_epoch(&t) + 1;
    cairn_deal_terms ta = dx_terms(PROV, &pa, S, 5, 100, 100, 0);
    cairn_deal_terms tb = dx_terms(PROV, &pb, S, 5, 100, 100, 0);
    uint64_t A = open_deal(&t, CLIENT, &ta, PROV),
             B = open_deal(&t, CLIENT, &tb, PROV);
    dx_to_epoch(&t, S);

    dx_proof(&e[0], leaf[0], &t, A, &pa);
    e[0].deal_id = 99;
    assert_int_equal(bad_proof(&t, PROV, e, 1), CAIRN_ERR_NO_DEAL);
    dx_proof(&e[0], leaf[0], &t, A, &pa);
    assert_int_equal(bad_proof(&t, PROV2, e, 1), CAIRN_ERR_NOT_DEAL_PARTY);
    leaf[0][5] ^= 1; /* forged leaf */
    assert_int_equal(bad_proof(&t, PROV, e, 1), CAIRN_ERR_BAD_PROOF);
    dx_proof(&e[0], leaf[0], &t, A, &pa);
    e[0].path[0].b[0] ^= 1; /* wrong path */
    assert_int_equal(bad_proof(&t, PROV, e, 1), CAIRN_ERR_BAD_PROOF);
    dx_proof(&e[0], leaf[0], &t, A, &pa);
    e[0].path_len--; /* short path */
    assert_int_equal(bad_proof(&t, PROV, e, 1), CAIRN_ERR_PROOF_PATH);
    { /* a good proof of another leaf than the challenged one */
        cairn_merkle_proof pf;
        dx_proof(&e[0], leaf[0], &t, A, &pa);
        uint64_t other = (e[0].leaf_index + 1) % pa.n;
        assert_int_equal(cairn_merkle_prove(&pf, pa.leaves, pa.n, other),
                         CAIRN_OK);
        memset(leaf[0], 0, CAIRN_LEAF_SIZE);
        memcpy(leaf[0], pa.bytes + other * CAIRN_LEAF_SIZE,
               other == pa.n - 1 ? pa.size - other * CAIRN_LEAF_SIZE
                                 : CAIRN_LEAF_SIZE);
        e[0].leaf_index = other;
        e[0].path_len = (uint8_t)pf.n;
        memcpy(e[0].path, pf.sib, pf.n * sizeof pf.sib[0]);
        assert_int_equal(bad_proof(&t, PROV, e, 1), CAIRN_ERR_WRONG_LEAF);
    }
    { /* deal B's leaf and path, at A's challenged index, sent for A */
        cairn_merkle_proof pf;
        dx_proof(&e[0], leaf[0], &t, A, &pa);
        uint64_t i = e[0].leaf_index;
        assert_int_equal(cairn_merkle_prove(&pf, pb.leaves, pb.n, i), CAIRN_OK);
        memset(leaf[0], 0, CAIRN_LEAF_SIZE);
        memcpy(leaf[0], pb.bytes + i * CAIRN_LEAF_SIZE,
               i == pb.n - 1 ? pb.size - i * CAIRN_LEAF_SIZE : CAIRN_LEAF_SIZE);
        memcpy(e[0].path, pf.sib, pf.n * sizeof pf.sib[0]);
        assert_int_equal(bad_proof(&t, PROV, e, 1), CAIRN_ERR_BAD_PROOF);
    }
    dx_proof(&e[0], leaf[0], &t, A, &pa);
    e[0].epoch = S + 1; /* a future epoch */
    assert_int_equal(bad_proof(&t, PROV, e, 1), CAIRN_ERR_PROOF_EPOCH);
    /* all or nothing: a good proof of A with a forged one of B */
    dx_proof(&e[0], leaf[0], &t, A, &pa);
    dx_proof(&e[1], leaf[1], &t, B, &pb);
    leaf[1][0] ^= 0x80;
    assert_int_equal(bad_proof(&t, PROV, e, 2), CAIRN_ERR_BAD_PROOF);
    assert_int_equal(dx_deal(&t, A).last_proven, CAIRN_EPOCH_NONE);
    /* the same good proof, twice in one epoch */
    dx_proof(&e[0], leaf[0], &t, A, &pa);
    dx_prove(&t, PROV, A, &pa);
    assert_int_equal(step(&t), CAIRN_OK);
    assert_int_equal(dx_epoch(&t), S); /* still the same epoch */
    assert_int_equal(dx_deal(&t, A).last_proven, S);
    assert_int_equal(bad_proof(&t, PROV, e, 1), CAIRN_ERR_ALREADY_PROVEN);
    /* the same proof once the epoch is over */
    dx_to_epoch(&t, S + 1);
    assert_int_equal(bad_proof(&t, PROV, e, 1), CAIRN_ERR_PROOF_EPOCH);
    /* a malformed batch never reaches the chain */
    e[0].path_len = CAIRN_PROOF_DEPTH_MAX;
    {
        cairn_buf b;
        cairn_buf_init(&b, CAIRN_TX_BODY_MAX);
        cairn_prove_encode(&b, e, 1);
        b.p[0] = CAIRN_PROVE_MAX + 1;
        assert_int_equal(bad(&t, PROV, CAIRN_TX_PROVE, &b), CAIRN_ERR_BAD_BODY);
        cairn_buf_free(&b);
    }
    dx_audit(&t);
    tp_free(&pa);
    tp_free(&pb);
    twin_close(&t);
}

/* A provider's signature opens one deal: not a second one for the same
 * client, not one for another client, not changed terms. */
static void test_signature_once(void **state)
{
    twin t;
    tpiece p;
    cairn_buf b;
    cairn_deal_open o;
    (void)state;
    setup(&t, ECON);
    tp_make(&p, 2048, 5);
    cairn_buf_init(&b, 4096);
    o.t = dx_terms(PROV, &p, dx_epoch(&t) + 1, 4, 500, 400, 0);
    assert_int_equal(cairn_deal_open_sign(&o.sig, FX_CHAIN, &fx_keys[CLIENT].pk,
                                          dx_nonce(&t, 0, CLIENT), &o.t,
                                          &fx_keys[PROV]),
                     CAIRN_OK);
    cairn_deal_open_encode(&b, &o);
    both(&t, CLIENT, CAIRN_TX_DEAL_OPEN, &b);
    assert_int_equal(step(&t), CAIRN_OK);
    cairn_deal_open_encode(&b, &o); /* the same body again: next nonce */
    assert_int_equal(bad(&t, CLIENT, CAIRN_TX_DEAL_OPEN, &b),
                     CAIRN_ERR_BAD_SIG);
    cairn_deal_open_encode(&b, &o); /* another client */
    assert_int_equal(bad(&t, NOBODY, CAIRN_TX_DEAL_OPEN, &b),
                     CAIRN_ERR_BAD_SIG);
    o.t.price = 400; /* terms changed after signing */
    assert_int_equal(cairn_deal_open_sign(&o.sig, FX_CHAIN, &fx_keys[CLIENT].pk,
                                          dx_nonce(&t, 0, CLIENT), &o.t,
                                          &fx_keys[PROV]),
                     CAIRN_OK);
    o.t.price = 900;
    cairn_deal_open_encode(&b, &o);
    assert_int_equal(bad(&t, CLIENT, CAIRN_TX_DEAL_OPEN, &b),
                     CAIRN_ERR_BAD_SIG);
    o.t.price = 400; /* signed for another network */
    assert_int_equal(
        cairn_deal_open_sign(&o.sig, "other-net", &fx_keys[CLIENT].pk,
                             dx_nonce(&t, 0, CLIENT), &o.t, &fx_keys[PROV]),
        CAIRN_OK);
    cairn_deal_open_encode(&b, &o);
    assert_int_equal(bad(&t, CLIENT, CAIRN_TX_DEAL_OPEN, &b),
                     CAIRN_ERR_BAD_SIG);
    cairn_buf_free(&b);
    tp_free(&p);
    twin_close(&t);
}

/* Opens that must fail, each with its reason, changing nothing. */
static void test_open_rejected(void **state)
{
    twin t;
    tpiece p;
    cairn_buf b;
    (void)state;
    setup(&t, ECON);
    tp_make(&p, 4096, 6);
    cairn_buf_init(&b, 4096);
    const uint64_t W = CAIRN_DEAL_START_WINDOW, P = CAIRN_DEAL_PERMANENT;
    const struct {
        int client, prov;
        uint64_t ahead, epochs, price, collateral,
            flags; /* start = now + ahead */
        cairn_err want;
    } cases[] = {
        {CLIENT, PROV, 1, 100, 1000000 * TOK, 20000000 * TOK, 0,
         CAIRN_ERR_FUNDS},
        {CLIENT, PROV, 1, 10, 1000, 1999, 0, CAIRN_ERR_COLLATERAL_LOW},
        {CLIENT, PROV, 1, 10, 10 * TOK, 99999 * TOK, 0, CAIRN_ERR_FUNDS},
        {CLIENT, NOBODY, 1, 10, 1000, 2000, 0, CAIRN_ERR_NOT_PROVIDER},
        {CLIENT, COMPUTE, 1, 10, 1000, 2000, 0, CAIRN_ERR_BAD_SECTOR},
        {CLIENT, PROV, 0, 10, 1000, 2000, 0, CAIRN_ERR_DEAL_TERMS},
        {CLIENT, PROV, W + 1, 10, 1000, 2000, 0, CAIRN_ERR_DEAL_TERMS},
        {CLIENT, PROV, 1, 101, 1000, 30000, 0, CAIRN_ERR_DEAL_TERMS},
        {CLIENT, PROV, 1, 0, 1000, 2000, 0, CAIRN_ERR_DEAL_TERMS},
        {CLIENT, PROV, 1, 10, 0, 2000, 0, CAIRN_ERR_DEAL_TERMS},
        {PROV, PROV, 1, 10, 1000, 2000, 0, CAIRN_ERR_DEAL_TERMS},
        {CLIENT, PROV, 1, 10, UINT64_MAX / 4, 0, 0, CAIRN_ERR_OVERFLOW},
        /* under deal_min_price_per_mib (100 units for this 1-MiB piece) */
        {CLIENT, PROV, 1, 10, 99, 2000, 0, CAIRN_ERR_DEAL_TERMS},
        /* permanent: the price of 1 MiB is 100000 units by default */
        {CLIENT, PROV, 1, 0, 99999, 1000000, P, CAIRN_ERR_DEAL_TERMS},
        {CLIENT, PROV, 1, 5, 100000, 1000000, P, CAIRN_ERR_DEAL_TERMS},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cairn_deal_terms tm = dx_terms(
            cases[i].prov, &p, dx_epoch(&t) + cases[i].ahead, cases[i].epochs,
            cases[i].price, cases[i].collateral, (uint8_t)cases[i].flags);
        dx_open_body(&b, &t, cases[i].client, cases[i].prov, &tm);
        cairn_err e = bad(&t, cases[i].client, CAIRN_TX_DEAL_OPEN, &b);
        if (e != cases[i].want)
            fprintf(stderr, "case %zu: %s\n", i, cairn_errname(e));
        assert_int_equal(e, cases[i].want);
    }
    { /* a piece of 0 bytes or over the bound: refused at admission */
        cairn_deal_terms tm =
            dx_terms(PROV, &p, dx_epoch(&t) + 1, 10, 1000, 2000, 0);
        tm.size = CAIRN_PIECE_MAX + 1;
        dx_open_body(&b, &t, CLIENT, PROV, &tm);
        assert_int_equal(fx_submit(&t, 0, CLIENT, CAIRN_TX_DEAL_OPEN, &b),
                         CAIRN_ERR_DEAL_TERMS);
        cairn_buf_reset(&b);
    }
    assert_int_equal(dx_audit(&t).escrow, 0);
    cairn_buf_free(&b);
    tp_free(&p);
    twin_close(&t);
}

/* DEAL_END: future escrow back at once, the current epoch settled as
 * usual, collateral back at its end; only the client may end; twice is
 * refused; a deal not yet started returns everything at once. */
static void test_deal_end(void **state)
{
    twin t;
    tpiece p;
    cairn_buf b;
    (void)state;
    setup(&t, ECON);
    tp_make(&p, 7000, 7);
    cairn_buf_init(&b, 64);
    uint64_t S = dx_epoch(&t) + 1;
    uint64_t c0 = fx_account(&t, CLIENT).balance,
             p0 = fx_account(&t, PROV).balance;
    cairn_deal_terms tm = dx_terms(PROV, &p, S, 10, 1000, 2000, 0);
    uint64_t id = open_deal(&t, CLIENT, &tm, PROV);
    dx_to_epoch(&t, S);
    dx_prove(&t, PROV, id, &p);
    assert_int_equal(step(&t), CAIRN_OK);
    cairn_deal_end_encode(&b, id);
    assert_int_equal(bad(&t, PROV, CAIRN_TX_DEAL_END, &b),
                     CAIRN_ERR_NOT_DEAL_PARTY);
    cairn_deal_end_encode(&b, 12345);
    assert_int_equal(bad(&t, CLIENT, CAIRN_TX_DEAL_END, &b), CAIRN_ERR_NO_DEAL);
    dx_to_epoch(&t, S + 1); /* epoch_blocks 4: S+1 has the next four blocks */
    cairn_deal_end_encode(&b, id);
    both(&t, CLIENT, CAIRN_TX_DEAL_END, &b);
    assert_int_equal(step(&t), CAIRN_OK);
    /* epochs S+2 .. S+9 return now */
    assert_int_equal(fx_account(&t, CLIENT).balance,
                     c0 - 10000 - FEE + 8000 - FEE);
    cairn_deal_info d = dx_deal(&t, id);
    assert_int_equal(d.end_epoch, S + 2);
    assert_int_equal(d.escrow, 1000);
    cairn_deal_end_encode(&b, id);
    assert_int_equal(bad(&t, CLIENT, CAIRN_TX_DEAL_END, &b),
                     CAIRN_ERR_DEAL_ENDED);
    dx_prove(&t, PROV, id, &p);
    dx_to_epoch(&t, S + 2);
    d = dx_deal(&t, id);
    assert_int_equal(d.state, CAIRN_DEAL_ENDED);
    assert_int_equal(d.end_reason, CAIRN_DEAL_END_CLIENT);
    assert_int_equal(d.paid, 2000);
    assert_int_equal(fx_account(&t, CLIENT).balance, c0 - 2000 - 2 * FEE);
    assert_int_equal(fx_account(&t, PROV).balance,
                     p0 - 2 * FEE + 2 * dx_provider_share(1000, 7000));
    cairn_deal_end_encode(&b, id);
    assert_int_equal(bad(&t, CLIENT, CAIRN_TX_DEAL_END, &b),
                     CAIRN_ERR_DEAL_ENDED);
    /* not started yet: everything back in the same block */
    c0 = fx_account(&t, CLIENT).balance;
    p0 = fx_account(&t, PROV).balance;
    tm = dx_terms(PROV, &p, dx_epoch(&t) + 5, 10, 1000, 2000, 0);
    id = open_deal(&t, CLIENT, &tm, PROV);
    cairn_deal_end_encode(&b, id);
    both(&t, CLIENT, CAIRN_TX_DEAL_END, &b);
    assert_int_equal(step(&t), CAIRN_OK);
    d = dx_deal(&t, id);
    assert_int_equal(d.state, CAIRN_DEAL_ENDED);
    assert_int_equal(d.end_reason, CAIRN_DEAL_END_CLIENT);
    assert_int_equal(fx_account(&t, CLIENT).balance, c0 - 2 * FEE);
    assert_int_equal(fx_account(&t, PROV).balance, p0);
    assert_int_equal(dx_audit(&t).escrow, 0);
    fx_replay_check(&t);
    cairn_buf_free(&b);
    tp_free(&p);
    twin_close(&t);
}

/* The body codecs refuse every wrong length and out-of-bound field. */
static void test_codecs(void **state)
{
    cairn_buf b;
    cairn_deal_open o, o2;
    cairn_deal_replace r, r2;
    cairn_prove pv;
    uint64_t id;
    uint8_t leaf[CAIRN_LEAF_SIZE] = {1};
    (void)state;
    memset(&o, 0x11, sizeof o);
    o.t.flags = CAIRN_DEAL_PERMANENT;
    cairn_buf_init(&b, CAIRN_TX_BODY_MAX);
    cairn_deal_open_encode(&b, &o);
    assert_int_equal(b.len, CAIRN_DEAL_OPEN_LEN);
    assert_int_equal(cairn_deal_open_decode(&o2, b.p, b.len), CAIRN_OK);
    assert_memory_equal(&o2.t.root, &o.t.root, 32);
    assert_int_equal(o2.t.collateral, o.t.collateral);
    assert_int_equal(cairn_deal_open_decode(&o2, b.p, b.len - 1),
                     CAIRN_ERR_BAD_BODY);
    b.p[CAIRN_DEAL_TERMS_LEN - 33] = 4; /* unknown flag */
    assert_int_equal(cairn_deal_open_decode(&o2, b.p, b.len),
                     CAIRN_ERR_BAD_BODY);
    cairn_buf_reset(&b);
    memset(&r, 0x22, sizeof r);
    cairn_deal_replace_encode(&b, &r);
    assert_int_equal(b.len, CAIRN_DEAL_REPLACE_LEN);
    assert_int_equal(cairn_deal_replace_decode(&r2, b.p, b.len), CAIRN_OK);
    assert_int_equal(r2.collateral, r.collateral);
    assert_int_equal(cairn_deal_replace_decode(&r2, b.p, b.len + 0 - 2),
                     CAIRN_ERR_BAD_BODY);
    cairn_buf_reset(&b);
    cairn_deal_end_encode(&b, 77);
    assert_int_equal(cairn_deal_end_decode(&id, b.p, b.len), CAIRN_OK);
    assert_int_equal(id, 77);
    assert_int_equal(cairn_deal_end_decode(&id, b.p, 7), CAIRN_ERR_BAD_BODY);
    cairn_buf_reset(&b);
    cairn_proof_entry e[CAIRN_PROVE_MAX];
    memset(e, 0, sizeof e);
    for (int i = 0; i < CAIRN_PROVE_MAX; i++) {
        e[i].deal_id = (uint64_t)i + 1;
        e[i].leaf = leaf;
        e[i].path_len = CAIRN_PROOF_DEPTH_MAX;
    }
    cairn_prove_encode(&b, e, CAIRN_PROVE_MAX);
    assert_int_equal(b.err, CAIRN_OK);
    assert_true(b.len <= CAIRN_TX_BODY_MAX); /* a full batch fits a tx */
    assert_int_equal(cairn_prove_decode(&pv, b.p, b.len), CAIRN_OK);
    assert_int_equal(pv.count, CAIRN_PROVE_MAX);
    assert_int_equal(pv.e[7].deal_id, 8);
    assert_memory_equal(pv.e[3].leaf, leaf, CAIRN_LEAF_SIZE);
    assert_int_equal(cairn_prove_decode(&pv, b.p, b.len - 1),
                     CAIRN_ERR_BAD_BODY);
    b.p[0] = 0;
    assert_int_equal(cairn_prove_decode(&pv, b.p, b.len), CAIRN_ERR_BAD_BODY);
    b.p[0] = 1; /* one entry, then trailing bytes */
    assert_int_equal(cairn_prove_decode(&pv, b.p, b.len), CAIRN_ERR_BAD_BODY);
    b.p[0] = CAIRN_PROVE_MAX;
    b.p[1 + 24 + CAIRN_LEAF_SIZE] = CAIRN_PROOF_DEPTH_MAX + 1;
    assert_int_equal(cairn_prove_decode(&pv, b.p, b.len), CAIRN_ERR_BAD_BODY);
    cairn_buf_reset(&b);
    e[0].path_len =
        CAIRN_PROOF_DEPTH_MAX + 1; /* caller bug: the buffer refuses */
    cairn_prove_encode(&b, e, 1);
    assert_int_equal(b.err, CAIRN_ERR_BAD_ARG);
    cairn_buf_free(&b);
    /* path lengths match the Merkle prover's */
    cairn_hash hs[37];
    memset(hs, 0, sizeof hs);
    for (uint64_t n = 1; n <= 37; n++)
        for (uint64_t i = 0; i < n; i++) {
            cairn_merkle_proof pf;
            assert_int_equal(cairn_merkle_prove(&pf, hs, n, i), CAIRN_OK);
            assert_int_equal(cairn_storage_path_len(i, n), pf.n);
        }
    assert_int_equal(
        cairn_storage_path_len(0, CAIRN_PIECE_MAX / CAIRN_LEAF_SIZE),
        CAIRN_PROOF_DEPTH_MAX);
    assert_int_equal(cairn_storage_units(1), 1);
    assert_int_equal(cairn_storage_units(CAIRN_MIB), 1);
    assert_int_equal(cairn_storage_units(CAIRN_MIB + 1), 2);
}

int main(void)
{
    cairn_crypto_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_codecs),
        cmocka_unit_test(test_prove_and_pay),
        cmocka_unit_test(test_missed_proofs),
        cmocka_unit_test(test_bad_proofs),
        cmocka_unit_test(test_signature_once),
        cmocka_unit_test(test_open_rejected),
        cmocka_unit_test(test_deal_end),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
