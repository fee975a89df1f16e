/* A randomized run of the storage sector over many epochs: clients open
 * term and permanent deals (some with bad terms), providers answer most
 * challenges (some with forged leaves), clients end and move deals. Both
 * chains get every transaction; after every block their state roots must
 * agree and the books must balance. At the end the chain is replayed from
 * genesis to the same state root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "deal_fixture.h"

#define ECON                                                                   \
    "{\"epoch_blocks\": 4, \"fee_provider_bps\": 6000, \"fee_burn_bps\": "     \
    "1000,"                                                                    \
    " \"fee_treasury_bps\": 2000, \"fee_stakers_bps\": 1000,"                  \
    " \"perm_cost_per_mib\": \"0.0001\", \"perm_decline_bps\": 500,"           \
    " \"jail_after_faults\": 4, \"jail_epochs\": 1, \"deal_max_faults\": 2}"
#define EPOCHS 60
#define MAX_PIECES 300

static const int provs[3] = {1, 2, 4};
static const int clients[3] = {3, 5, 6};

typedef struct run {
    twin t;
    uint64_t s; /* xorshift state */
    tpiece pieces[MAX_PIECES];
    size_t np;
    uint64_t opened, proofs, bad_proofs, ends, replaces;
} run;

static uint64_t rnd(run *r)
{
    r->s ^= r->s << 13;
    r->s ^= r->s >> 7;
    r->s ^= r->s << 17;
    return r->s;
}

/* Submits to both chains; the admission result must agree. */
static void submit_both(run *r, int who, uint16_t kind, cairn_buf *b)
{
    cairn_err e0 = fx_submit(&r->t, 0, who, kind, b);
    cairn_err e1 = fx_submit(&r->t, 1, who, kind, b);
    assert_int_equal(e0, e1);
    cairn_buf_reset(b);
}

/* One block on both chains: same drops, same root, balanced books. */
static void rstep(run *r)
{
    cairn_proposal pr[2];
    for (int i = 0; i < 2; i++) {
        cairn_header h;
        cairn_chain_tip(r->t.c[i], &h, NULL);
        assert_int_equal(cairn_chain_propose(r->t.c[i], r->t.mp[i], &fx_keys[0],
                                             (h.height + 1) * 1000, &pr[i]),
                         CAIRN_OK);
    }
    assert_int_equal(pr[0].n_dropped, pr[1].n_dropped);
    assert_memory_equal(pr[0].header.state_root.b, pr[1].header.state_root.b,
                        32);
    cairn_proposal_free(&pr[0]);
    cairn_proposal_free(&pr[1]);
    dx_audit(&r->t);
}

static const tpiece *piece_of(run *r, const cairn_hash *root)
{
    for (size_t i = 0; i < r->np; i++)
        if (memcmp(r->pieces[i].root.b, root->b, 32) == 0)
            return &r->pieces[i];
    return NULL;
}

/* A client opens a deal on random (sometimes bad) terms. */
static void random_open(run *r)
{
    cairn_buf b;
    if (r->np == MAX_PIECES)
        return;
    tpiece *p = &r->pieces[r->np];
    uint64_t size =
        rnd(r) % 17 == 0 ? CAIRN_MIB + rnd(r) % CAIRN_MIB : 1 + rnd(r) % 40000;
    tp_make(p, size, (uint8_t)r->np);
    r->np++;
    int perm = rnd(r) % 5 == 0, prov = provs[rnd(r) % 3],
        client = clients[rnd(r) % 3];
    uint64_t epochs = perm ? 0 : 1 + rnd(r) % 8, price = 1 + rnd(r) % 5000,
             total;
    if (perm)
        assert_int_equal(cairn_storage_perm_price(&total, size, 100, 500),
                         CAIRN_OK);
    else
        total = price * epochs;
    uint64_t coll = total / 5 + (total % 5 != 0);
    if (rnd(r) % 10 == 0)
        coll = coll ? coll - 1 : 0; /* short collateral: refused (unless 0) */
    cairn_deal_terms tm =
        dx_terms(prov, p, dx_epoch(&r->t) + 1 + rnd(r) % 3, epochs,
                 perm ? total : price, coll, perm ? CAIRN_DEAL_PERMANENT : 0);
    cairn_buf_init(&b, 4096);
    dx_open_body(&b, &r->t, client, prov, &tm);
    submit_both(r, client, CAIRN_TX_DEAL_OPEN, &b);
    cairn_buf_free(&b);
    r->opened++;
}

/* Provider keys[prov] answers most of its open challenges. */
static void random_prove(run *r, int prov)
{
    cairn_challenge ch[CAIRN_PROVE_MAX];
    cairn_proof_entry e[CAIRN_PROVE_MAX];
    uint8_t leaf[CAIRN_PROVE_MAX][CAIRN_LEAF_SIZE];
    size_t n, k = 0;
    int more;
    assert_int_equal(cairn_chain_storage_challenges(r->t.c[0],
                                                    &fx_keys[prov].pk, 0, ch,
                                                    CAIRN_PROVE_MAX, &n, &more),
                     CAIRN_OK);
    for (size_t i = 0; i < n; i++) {
        const tpiece *p = piece_of(r, &ch[i].root);
        if (ch[i].proven || !p || rnd(r) % 10 < 2)
            continue; /* misses some */
        dx_proof(&e[k], leaf[k], &r->t, ch[i].deal_id, p);
        assert_int_equal(e[k].leaf_index, ch[i].leaf_index);
        k++;
    }
    if (!k)
        return;
    if (rnd(r) % 15 == 0) { /* a forged leaf sinks the whole batch */
        leaf[0][rnd(r) % CAIRN_LEAF_SIZE] ^= 1;
        r->bad_proofs++;
    }
    cairn_buf b;
    cairn_buf_init(&b, CAIRN_TX_BODY_MAX);
    cairn_prove_encode(&b, e, k);
    submit_both(r, prov, CAIRN_TX_PROVE, &b);
    cairn_buf_free(&b);
    r->proofs += k;
}

/* A client ends or moves one of its deals. */
static void random_client(run *r)
{
    int client = clients[rnd(r) % 3];
    cairn_deal_info d[16];
    size_t n;
    int more;
    assert_int_equal(cairn_chain_deals(r->t.c[0], 0, &fx_keys[client].pk,
                                       rnd(r) % 40, d, 16, &n, &more),
                     CAIRN_OK);
    if (!n)
        return;
    const cairn_deal_info *x = &d[rnd(r) % n];
    cairn_buf b;
    cairn_buf_init(&b, 4096);
    if (rnd(r) % 2) {
        cairn_deal_end_encode(&b, x->id);
        submit_both(r, client, CAIRN_TX_DEAL_END, &b);
        r->ends++;
    } else {
        int np = provs[rnd(r) % 3];
        cairn_deal_replace rp = {
            x->id, fx_keys[np].pk, x->escrow / 5 + 1 + x->price, {{0}}};
        cairn_replace_ctx c = {x->root, x->size,
                               x->flags & CAIRN_DEAL_PERMANENT, x->end_epoch,
                               x->price};
        assert_int_equal(cairn_deal_replace_sign(
                             &rp.sig, FX_CHAIN, &fx_keys[client].pk,
                             dx_nonce(&r->t, 0, client), &rp, &c, &fx_keys[np]),
                         CAIRN_OK);
        cairn_deal_replace_encode(&b, &rp);
        submit_both(r, client, CAIRN_TX_DEAL_REPLACE, &b);
        r->replaces++;
    }
    cairn_buf_free(&b);
}

static void test_random_run(void **state)
{
    static run r; /* large: pieces */
    cairn_buf b;
    (void)state;
    memset(&r, 0, sizeof r);
    r.s = 0x5EED5EED12345677ull;
    twin_open(&r.t, ECON);
    cairn_buf_init(&b, 4096);
    for (int i = 0; i < 3; i++)
        fx_register(&r.t, provs[i], 1000 * TOK, &b);
    rstep(&r);
    for (int blk = 0; blk < EPOCHS * 4; blk++) {
        if (rnd(&r) % 3 == 0)
            random_open(&r);
        for (int i = 0; i < 3; i++)
            if (rnd(&r) % 3 == 0)
                random_prove(&r, provs[i]);
        if (rnd(&r) % 8 == 0)
            random_client(&r);
        rstep(&r);
    }
    cairn_buf_free(&b);
    cairn_econ_audit a = dx_audit(&r.t);
    fprintf(stderr,
            "random run: %llu opens, %llu proofs (%llu forged batches), "
            "%llu ends, %llu replaces; escrow held %llu\n",
            (unsigned long long)r.opened, (unsigned long long)r.proofs,
            (unsigned long long)r.bad_proofs, (unsigned long long)r.ends,
            (unsigned long long)r.replaces, (unsigned long long)a.escrow);
    assert_true(r.opened > 20 && r.proofs > 50);
    /* the run reached every way a deal lives and ends */
    uint64_t seen[4][5] = {{0}}; /* [state][end reason] */
    for (int i = 0; i < 3; i++) {
        cairn_deal_info d[CAIRN_DEALS_MAX];
        size_t n;
        int more;
        assert_int_equal(cairn_chain_deals(r.t.c[0], 0, &fx_keys[clients[i]].pk,
                                           0, d, CAIRN_DEALS_MAX, &n, &more),
                         CAIRN_OK);
        for (size_t k = 0; k < n; k++)
            seen[d[k].state][d[k].end_reason]++;
    }
    fprintf(
        stderr,
        "deals: active %llu, completed %llu, client %llu, faults %llu, "
        "failed %llu, exhausted %llu\n",
        (unsigned long long)seen[CAIRN_DEAL_ACTIVE][0],
        (unsigned long long)seen[CAIRN_DEAL_ENDED][CAIRN_DEAL_END_COMPLETED],
        (unsigned long long)seen[CAIRN_DEAL_ENDED][CAIRN_DEAL_END_CLIENT],
        (unsigned long long)seen[CAIRN_DEAL_ENDED][CAIRN_DEAL_END_FAULTS],
        (unsigned long long)seen[CAIRN_DEAL_FAILED][CAIRN_DEAL_END_FAULTS],
        (unsigned long long)seen[CAIRN_DEAL_ENDED][CAIRN_DEAL_END_EXHAUSTED]);
    assert_true(seen[CAIRN_DEAL_ACTIVE][0] > 0);
    assert_true(seen[CAIRN_DEAL_ENDED][CAIRN_DEAL_END_COMPLETED] > 0);
    assert_true(seen[CAIRN_DEAL_ENDED][CAIRN_DEAL_END_CLIENT] > 0);
    assert_true(seen[CAIRN_DEAL_ENDED][CAIRN_DEAL_END_FAULTS] > 0);
    fx_replay_check(&r.t);
    for (size_t i = 0; i < r.np; i++)
        tp_free(&r.pieces[i]);
    twin_close(&r.t);
}

int main(void)
{
    cairn_crypto_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_run),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
