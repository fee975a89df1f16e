/* The sequencer set on real chains (docs/replicas.md): a genesis with three
 * members (keys 0..2, stakes 1000, 2000 and none) bonds the stakes out of
 * their allocations; blocks proposed by any member with a term not below
 * the tip's are followed, others refused; a pending proposal commits or
 * aborts cleanly and bounds its bytes; equivocation evidence slashes a
 * member's whole bond once, and every refusal has its own error. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cairn/chain.h"
#include "cairn/sequencer.h"
#include "cairn/staking.h"

#define NK 8 /* 0..2 members, 3..6 funded users, 7 an unfunded outsider */
#define TOK 1000000ull
#define FEE 1000
#define CHAIN "seq-test"
#define ECONOMY "{\"epoch_blocks\":1000}"

static cairn_keypair K[NK];
/* The "economy" object of the next genesis fx_open makes. */
static const char *economy = ECONOMY;

typedef struct fx {
    cairn_chain *c;
    cairn_mempool *mp;
    char dir[64];
} fx;

static void make_keys(void)
{
    for (int i = 0; i < NK; i++) {
        uint8_t seed[32] = {0};
        seed[0] = (uint8_t)i;
        seed[1] = 0x5e;
        cairn_keypair_from_seed(&K[i], seed);
    }
}

static void addr_of(char out[CAIRN_ADDR_TEXT_LEN + 1], const cairn_pubkey *pk)
{
    cairn_addr_format(out, pk);
}

/* A genesis JSON (malloc'd) whose sequencer field(s) are `seq` (JSON
 * text such as "\"sequencers\":[...]"); keys 0..2 get 10000 tokens and
 * keys 3..6 100000. */
static char *genesis_json(const char *seq)
{
    size_t n = 8192 + strlen(seq) + strlen(economy);
    char *j = malloc(n), a[CAIRN_ADDR_TEXT_LEN + 1];
    assert_non_null(j);
    int o = snprintf(j, n,
                     "{\"chain_id\":\"" CHAIN
                     "\",\"token\":{\"name\":\"Test\",\"symbol\":\"TST\"},"
                     "\"supply_cap\":\"10000000\",\"min_fee\":\"0.001\","
                     "\"genesis_time_ms\":0,\"block_interval_ms\":1000,"
                     "\"max_block_txs\":1000,%s,\"allocations\":[",
                     seq);
    for (int i = 0; i < 7; i++) {
        addr_of(a, &K[i].pk);
        o += snprintf(j + o, n - (size_t)o,
                      "%s{\"address\":\"%s\",\"amount\":\"%s\"}", i ? "," : "",
                      a, i < 3 ? "10000" : "100000");
    }
    snprintf(j + o, n - (size_t)o, "],\"economy\":%s}", economy);
    return j;
}

/* "{"address":"<key i>","stake":"<stake>"}" into out (stake NULL: none). */
static void member(char *out, size_t n, const cairn_keypair *k,
                   const char *stake)
{
    char a[CAIRN_ADDR_TEXT_LEN + 1];
    addr_of(a, &k->pk);
    if (stake)
        snprintf(out, n, "{\"address\":\"%s\",\"stake\":\"%s\"}", a, stake);
    else
        snprintf(out, n, "{\"address\":\"%s\"}", a);
}

/* The standard set: key 0 stakes 1000, key 1 2000, key 2 nothing. */
static char *std_genesis(void)
{
    char m[3][160], seq[600];
    member(m[0], sizeof m[0], &K[0], "1000");
    member(m[1], sizeof m[1], &K[1], "2000");
    member(m[2], sizeof m[2], &K[2], NULL);
    snprintf(seq, sizeof seq, "\"sequencers\":[%s,%s,%s]", m[0], m[1], m[2]);
    return genesis_json(seq);
}

static void fx_open(fx *f)
{
    cairn_genesis g;
    char msg[256] = "";
    char *j = std_genesis();
    cairn_err e = cairn_genesis_parse(&g, j, msg, sizeof msg);
    if (e)
        print_error("genesis: %s\n", msg);
    assert_int_equal(e, CAIRN_OK);
    free(j);
    snprintf(f->dir, sizeof f->dir, "/tmp/cairn-seq-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    assert_int_equal(cairn_chain_create(f->dir, &g), CAIRN_OK);
    assert_int_equal(cairn_chain_open(&f->c, f->dir), CAIRN_OK);
    f->mp = cairn_mempool_new(1000, 1u << 24);
    assert_non_null(f->mp);
    cairn_genesis_free(&g);
}

static void fx_close(fx *f)
{
    char cmd[128];
    cairn_chain_close(f->c);
    cairn_mempool_free(f->mp);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    assert_int_equal(system(cmd), 0);
}

static cairn_account account(fx *f, int who)
{
    cairn_account a;
    assert_int_equal(cairn_chain_account(f->c, &K[who].pk, &a), CAIRN_OK);
    return a;
}

static cairn_totals totals(fx *f)
{
    cairn_totals t;
    assert_int_equal(cairn_chain_totals(f->c, &t), CAIRN_OK);
    return t;
}

static void audit_ok(fx *f)
{
    cairn_econ_audit a;
    assert_int_equal(cairn_chain_econ_audit(f->c, &a), CAIRN_OK);
    assert_true(a.ok);
}

/* Signs a tx of K[who] (next nonce, counting the mempool) and admits it. */
static cairn_err submit(fx *f, int who, uint16_t kind, const uint8_t *body,
                        size_t len)
{
    cairn_account a;
    cairn_buf b;
    cairn_tx tx;
    cairn_hash h;
    assert_int_equal(cairn_chain_account(f->c, &K[who].pk, &a), CAIRN_OK);
    cairn_buf_init(&b, CAIRN_TX_MAX_BYTES);
    uint64_t nonce = a.nonce + cairn_mempool_pending(f->mp, &K[who].pk);
    assert_int_equal(
        cairn_tx_make(&b, CHAIN, &K[who], nonce, FEE, kind, body, len),
        CAIRN_OK);
    cairn_err e = cairn_chain_check_tx(f->c, b.p, b.len, &tx, &h);
    if (!e)
        e = cairn_mempool_add(f->mp, b.p, b.len, &tx, &h, a.nonce);
    cairn_buf_free(&b);
    return e;
}

static void transfer(fx *f, int who, int to, uint64_t amount)
{
    uint8_t body[40];
    cairn_transfer t = {.to = K[to].pk, .amount = amount};
    cairn_transfer_encode(body, &t);
    assert_int_equal(submit(f, who, CAIRN_TX_TRANSFER, body, sizeof body),
                     CAIRN_OK);
}

static uint64_t height(fx *f)
{
    cairn_header h;
    cairn_chain_tip(f->c, &h, NULL);
    return h.height;
}

/* One block by member `by` (cairn_chain_propose); returns the first drop
 * error (OK when none). The audit must hold after it. */
static cairn_err step(fx *f, int by)
{
    cairn_proposal pr;
    assert_int_equal(
        cairn_chain_propose(f->c, f->mp, &K[by], (height(f) + 1) * 1000, &pr),
        CAIRN_OK);
    cairn_err e = pr.n_dropped ? pr.drop_err[0] : CAIRN_OK;
    cairn_proposal_free(&pr);
    audit_ok(f);
    return e;
}

/* A copy (malloc'd) of the block at `h` with its header re-signed by kp
 * after `edit` changed it; *n its length. */
static uint8_t *resigned(fx *f, uint64_t h, const cairn_keypair *kp,
                         void (*edit)(cairn_header *), size_t *n)
{
    uint8_t *p;
    cairn_header hd;
    cairn_buf b;
    assert_int_equal(cairn_chain_block(f->c, h, &p, n), CAIRN_OK);
    assert_int_equal(cairn_header_decode(&hd, p, CAIRN_HEADER_LEN), CAIRN_OK);
    if (edit)
        edit(&hd);
    cairn_header_sign(&hd, kp);
    cairn_buf_init(&b, CAIRN_HEADER_LEN);
    cairn_header_encode(&hd, &b);
    assert_int_equal(b.len, CAIRN_HEADER_LEN);
    memcpy(p, b.p, CAIRN_HEADER_LEN);
    cairn_buf_free(&b);
    return p;
}

/* ---- genesis ---- */

static void genesis_bonds(void **state)
{
    (void)state;
    fx f;
    cairn_seq_bond b;
    make_keys();
    fx_open(&f);
    const cairn_params *p = cairn_chain_params(f.c);
    assert_int_equal(p->n_sequencers, 3);
    assert_memory_equal(p->sequencer.b, K[0].pk.b, 32);
    assert_int_equal(cairn_params_sequencer_index(p, &K[1].pk), 1);
    assert_int_equal(cairn_params_sequencer_index(p, &K[3].pk), -1);
    assert_int_equal(cairn_chain_seq_bond(f.c, &K[0].pk, &b), CAIRN_OK);
    assert_int_equal(b.bond, 1000 * TOK);
    assert_int_equal(b.slashed, 0);
    assert_int_equal(cairn_chain_seq_bond(f.c, &K[1].pk, &b), CAIRN_OK);
    assert_int_equal(b.bond, 2000 * TOK);
    assert_int_equal(cairn_chain_seq_bond(f.c, &K[2].pk, &b),
                     CAIRN_ERR_NOT_FOUND);
    assert_int_equal(account(&f, 0).balance, 9000 * TOK);
    assert_int_equal(account(&f, 1).balance, 8000 * TOK);
    assert_int_equal(account(&f, 2).balance, 10000 * TOK);
    assert_int_equal(account(&f, 3).balance, 100000 * TOK);
    assert_int_equal(totals(&f).supply, (3 * 10000 + 4 * 100000) * TOK);
    audit_ok(&f);
    fx_close(&f);
}

/* Parsing `seq` must fail with a message holding `want` (and `want2`). */
static void refused(const char *seq, const char *want, const char *want2)
{
    cairn_genesis g;
    char msg[256] = "";
    char *j = genesis_json(seq);
    cairn_err e = cairn_genesis_parse(&g, j, msg, sizeof msg);
    free(j);
    if (!e)
        cairn_genesis_free(&g);
    assert_int_not_equal(e, CAIRN_OK);
    if (!strstr(msg, want) || (want2 && !strstr(msg, want2)))
        fail_msg("genesis refused with \"%s\", not naming %s", msg, want);
}

static void genesis_errors(void **state)
{
    (void)state;
    char m0[160], m1[160], a[CAIRN_ADDR_TEXT_LEN + 1], seq[4096];
    make_keys();
    member(m0, sizeof m0, &K[0], "1000");
    addr_of(a, &K[0].pk);
    /* both fields */
    snprintf(seq, sizeof seq, "\"sequencer\":\"%s\",\"sequencers\":[%s]", a,
             m0);
    refused(seq, "\"sequencer\"", "\"sequencers\"");
    /* a stake over the member's allocation (10000) */
    member(m1, sizeof m1, &K[1], "10001");
    snprintf(seq, sizeof seq, "\"sequencers\":[%s,%s]", m0, m1);
    refused(seq, "sequencers[1].stake", NULL);
    /* a stake with no allocation at all */
    member(m1, sizeof m1, &K[7], "1");
    snprintf(seq, sizeof seq, "\"sequencers\":[%s,%s]", m0, m1);
    refused(seq, "sequencers[1].stake", NULL);
    /* 17 members */
    int o = snprintf(seq, sizeof seq, "\"sequencers\":[");
    for (int i = 0; i < 17; i++) {
        cairn_keypair k;
        uint8_t s[32] = {0};
        s[0] = (uint8_t)i;
        s[1] = 0x77;
        cairn_keypair_from_seed(&k, s);
        member(m1, sizeof m1, &k, NULL);
        o +=
            snprintf(seq + o, sizeof seq - (size_t)o, "%s%s", i ? "," : "", m1);
    }
    snprintf(seq + o, sizeof seq - (size_t)o, "]");
    refused(seq, "1..16", NULL);
    /* none */
    refused("\"sequencers\":[]", "1..16", NULL);
    /* a member twice */
    member(m1, sizeof m1, &K[0], NULL);
    snprintf(seq, sizeof seq, "\"sequencers\":[%s,%s]", m0, m1);
    refused(seq, "sequencers[1] repeats sequencers[0]", NULL);
}

/* ---- following blocks of any member ---- */

static void lower_term(cairn_header *h)
{
    h->term = 4;
}

static void follow_members(void **state)
{
    (void)state;
    fx a, b;
    cairn_proposal pr;
    const uint8_t *blk;
    size_t n;
    uint8_t *p;
    cairn_header ha, hb;
    cairn_hash tha, thb;
    make_keys();
    fx_open(&a);
    fx_open(&b);
    transfer(&a, 3, 4, 5 * TOK);
    /* member 1 proposes block 1 with term 5 */
    assert_int_equal(cairn_chain_propose_pending(a.c, a.mp, &K[1], 1000, 5, 0,
                                                 &pr, &blk, &n),
                     CAIRN_OK);
    assert_int_equal(pr.n_included, 1);
    assert_int_equal(pr.header.term, 5);
    assert_memory_equal(pr.header.proposer.b, K[1].pk.b, 32);
    assert_int_equal(cairn_chain_pending_commit(a.c), CAIRN_OK);
    cairn_proposal_free(&pr);
    audit_ok(&a);
    assert_int_equal(cairn_chain_block(a.c, 1, &p, &n), CAIRN_OK);
    assert_int_equal(cairn_chain_apply_block(b.c, p, n), CAIRN_OK);
    free(p);
    cairn_chain_tip(a.c, &ha, &tha);
    cairn_chain_tip(b.c, &hb, &thb);
    assert_int_equal(hb.height, 1);
    assert_int_equal(hb.term, 5);
    assert_memory_equal(tha.b, thb.b, 32);
    assert_memory_equal(ha.state_root.b, hb.state_root.b, 32);
    audit_ok(&b);

    /* block 2 on A by member 2 (term stays 5) */
    transfer(&a, 4, 5, 1 * TOK);
    assert_int_equal(step(&a, 2), CAIRN_OK);
    /* signed by a non-member: refused */
    p = resigned(&a, 2, &K[3], NULL, &n);
    assert_int_equal(cairn_chain_apply_block(b.c, p, n),
                     CAIRN_ERR_BAD_PROPOSER);
    free(p);
    /* a member's, with a term below the tip's (4 < 5): refused */
    p = resigned(&a, 2, &K[0], lower_term, &n);
    assert_int_equal(cairn_chain_apply_block(b.c, p, n),
                     CAIRN_ERR_BAD_PROPOSER);
    free(p);
    /* B is unchanged by both, and takes the real block 2 */
    cairn_chain_tip(b.c, &hb, &thb);
    assert_int_equal(hb.height, 1);
    assert_int_equal(cairn_chain_block(a.c, 2, &p, &n), CAIRN_OK);
    assert_int_equal(cairn_chain_apply_block(b.c, p, n), CAIRN_OK);
    free(p);
    cairn_chain_tip(a.c, &ha, &tha);
    cairn_chain_tip(b.c, &hb, &thb);
    assert_memory_equal(tha.b, thb.b, 32);
    assert_memory_equal(hb.proposer.b, K[2].pk.b, 32);
    fx_close(&a);
    fx_close(&b);
}

/* ---- pending proposals ---- */

static void pending_abort(void **state)
{
    (void)state;
    fx f;
    cairn_proposal pr, pr2;
    const uint8_t *blk, *blk2;
    size_t n, n2;
    cairn_header h0, h1;
    cairn_hash t0, t1;
    uint8_t *p;
    size_t pn;
    make_keys();
    fx_open(&f);
    assert_int_equal(step(&f, 0), CAIRN_OK); /* block 1: a tip to apply to */
    for (int i = 0; i < 3; i++)
        transfer(&f, 3, 4, (uint64_t)(i + 1) * TOK);
    transfer(&f, 5, 6, 7 * TOK);
    assert_int_equal(cairn_mempool_count(f.mp), 4);
    cairn_chain_tip(f.c, &h0, &t0);
    uint64_t bal3 = account(&f, 3).balance, bal4 = account(&f, 4).balance;
    assert_int_equal(cairn_chain_block(f.c, 1, &p, &pn), CAIRN_OK);

    assert_int_equal(cairn_chain_propose_pending(f.c, f.mp, &K[1], 5000, 2, 0,
                                                 &pr, &blk, &n),
                     CAIRN_OK);
    assert_int_equal(pr.n_included, 4);
    assert_int_equal(cairn_mempool_count(f.mp), 0);
    /* the pending block's nonces: key 3 sent 0..2, key 5 sent 0, key 4 none */
    uint64_t nx = 0;
    assert_int_equal(cairn_chain_pending_next_nonce(f.c, &K[3].pk, &nx), 1);
    assert_int_equal(nx, 3);
    assert_int_equal(cairn_chain_pending_next_nonce(f.c, &K[5].pk, &nx), 1);
    assert_int_equal(nx, 1);
    assert_int_equal(cairn_chain_pending_next_nonce(f.c, &K[4].pk, &nx), 0);
    /* while pending: no other block, proposed or applied */
    assert_int_equal(cairn_chain_apply_block(f.c, p, pn), CAIRN_ERR_BAD_ARG);
    assert_int_equal(cairn_chain_propose_pending(f.c, f.mp, &K[1], 6000, 2, 0,
                                                 &pr2, &blk2, &n2),
                     CAIRN_ERR_BAD_ARG);
    cairn_proposal_free(&pr2);
    free(p);
    cairn_chain_pending_abort(f.c, f.mp);
    cairn_proposal_free(&pr);
    assert_int_equal(cairn_chain_pending_next_nonce(f.c, &K[3].pk, &nx), 0);

    cairn_chain_tip(f.c, &h1, &t1);
    assert_int_equal(h1.height, h0.height);
    assert_memory_equal(t1.b, t0.b, 32);
    assert_memory_equal(h1.state_root.b, h0.state_root.b, 32);
    assert_int_equal(account(&f, 3).balance, bal3);
    assert_int_equal(account(&f, 4).balance, bal4);
    assert_int_equal(account(&f, 3).nonce, 0);
    assert_int_equal(cairn_mempool_count(f.mp), 4);
    assert_int_equal(cairn_mempool_pending(f.mp, &K[3].pk), 3);
    audit_ok(&f);

    /* aborting with nothing pending is harmless */
    cairn_chain_pending_abort(f.c, f.mp);
    /* proposing again includes them all, in nonce order */
    assert_int_equal(cairn_chain_propose_pending(f.c, f.mp, &K[1], 5000, 2, 0,
                                                 &pr, &blk, &n),
                     CAIRN_OK);
    assert_int_equal(pr.n_included, 4);
    assert_int_equal(pr.n_dropped, 0);
    assert_int_equal(cairn_chain_pending_commit(f.c), CAIRN_OK);
    assert_int_equal(cairn_chain_pending_commit(f.c), CAIRN_ERR_BAD_ARG);
    cairn_proposal_free(&pr);
    assert_int_equal(height(&f), 2);
    assert_int_equal(account(&f, 3).nonce, 3);
    assert_int_equal(account(&f, 3).balance, bal3 - 6 * TOK - 3 * FEE);
    assert_int_equal(cairn_mempool_count(f.mp), 0);
    audit_ok(&f);
    fx_close(&f);
}

static void pending_max_bytes(void **state)
{
    (void)state;
    fx f, g;
    cairn_proposal pr;
    const uint8_t *blk;
    size_t n, tx_len;
    cairn_buf b;
    make_keys();
    fx_open(&f);
    fx_open(&g);
    cairn_buf_init(&b, CAIRN_TX_MAX_BYTES);
    assert_int_equal(
        cairn_tx_make_transfer(&b, CHAIN, &K[3], 0, FEE, &K[4].pk, 1),
        CAIRN_OK);
    tx_len = b.len;
    cairn_buf_free(&b);
    for (int i = 0; i < 50; i++)
        transfer(&f, 3 + i % 4, 3 + (i + 1) % 4, TOK);
    assert_int_equal(cairn_mempool_count(f.mp), 50);
    size_t bound = CAIRN_HEADER_LEN + 10 * (4 + tx_len) + 2;
    assert_int_equal(cairn_chain_propose_pending(f.c, f.mp, &K[0], 1000, 0,
                                                 bound, &pr, &blk, &n),
                     CAIRN_OK);
    assert_true(n <= bound);
    assert_int_equal(pr.n_included, 10);
    assert_int_equal(pr.n_dropped, 0);
    assert_int_equal(cairn_mempool_count(f.mp), 40);
    /* the follower takes the bounded block as it is */
    assert_int_equal(cairn_chain_apply_block(g.c, blk, n), CAIRN_OK);
    assert_int_equal(cairn_chain_pending_commit(f.c), CAIRN_OK);
    cairn_proposal_free(&pr);
    audit_ok(&f);
    /* the rest follow, unbounded */
    assert_int_equal(cairn_chain_propose_pending(f.c, f.mp, &K[0], 2000, 0, 0,
                                                 &pr, &blk, &n),
                     CAIRN_OK);
    assert_int_equal(pr.n_included, 40);
    assert_int_equal(cairn_chain_pending_commit(f.c), CAIRN_OK);
    cairn_proposal_free(&pr);
    assert_int_equal(cairn_mempool_count(f.mp), 0);
    audit_ok(&f);
    fx_close(&f);
    fx_close(&g);
}

/* A replica that took a block it did not build drops what it committed. */
static void mempool_prune(void **state)
{
    (void)state;
    fx a, b;
    uint8_t *p;
    size_t n;
    cairn_account acc;
    make_keys();
    fx_open(&a);
    fx_open(&b);
    for (int i = 0; i < 3; i++)
        transfer(&a, 3, 4, TOK);
    for (int i = 0; i < 5; i++)
        transfer(&b, 3, 4, TOK); /* the same nonces 0..2, then 3, 4 */
    transfer(&b, 5, 4, TOK);
    assert_int_equal(step(&a, 0), CAIRN_OK);
    assert_int_equal(cairn_chain_block(a.c, 1, &p, &n), CAIRN_OK);
    assert_int_equal(cairn_chain_apply_block(b.c, p, n), CAIRN_OK);
    free(p);
    assert_int_equal(cairn_chain_account(b.c, &K[3].pk, &acc), CAIRN_OK);
    assert_int_equal(acc.nonce, 3);
    assert_int_equal(cairn_mempool_prune(b.mp, &K[3].pk, acc.nonce), 3);
    assert_int_equal(cairn_mempool_pending(b.mp, &K[3].pk), 2);
    assert_int_equal(cairn_mempool_prune(b.mp, &K[3].pk, acc.nonce), 0);
    assert_int_equal(cairn_chain_account(b.c, &K[5].pk, &acc), CAIRN_OK);
    assert_int_equal(cairn_mempool_prune(b.mp, &K[5].pk, acc.nonce), 0);
    assert_int_equal(cairn_mempool_prune(b.mp, &K[6].pk, 9), 0);
    assert_int_equal(cairn_mempool_count(b.mp), 3);
    /* what is left applies on B: nonces 3, 4 of key 3 and key 5's */
    assert_int_equal(step(&b, 1), CAIRN_OK);
    assert_int_equal(cairn_chain_account(b.c, &K[3].pk, &acc), CAIRN_OK);
    assert_int_equal(acc.nonce, 5);
    assert_int_equal(cairn_mempool_count(b.mp), 0);
    fx_close(&a);
    fx_close(&b);
}

/* ---- equivocation evidence ---- */

static uint64_t skew = 1;

static void other_time(cairn_header *h)
{
    h->time_ms += skew;
}

/* Two headers signed by kp at `height`, made up (not blocks of any chain):
 * they differ in time. */
static void made_up(cairn_header *x, cairn_header *y, const cairn_keypair *kp,
                    uint64_t height)
{
    memset(x, 0, sizeof *x);
    x->height = height;
    x->time_ms = 1000;
    cairn_header_sign(x, kp);
    *y = *x;
    y->time_ms = 2000;
    cairn_header_sign(y, kp);
}

static cairn_err evidence(fx *f, int who, const cairn_header *x,
                          const cairn_header *y)
{
    cairn_buf b;
    cairn_buf_init(&b, 2 * CAIRN_HEADER_LEN);
    cairn_seq_evidence_encode(&b, x, y);
    assert_int_equal(b.len, 2 * CAIRN_HEADER_LEN);
    cairn_err e = submit(f, who, CAIRN_TX_SEQ_EVIDENCE, b.p, b.len);
    cairn_buf_free(&b);
    return e;
}

/* Evidence for chain f's block `h` and a copy of it re-signed by its
 * proposer kp at another time. */
static cairn_err equivocate(fx *f, int who, uint64_t h, const cairn_keypair *kp)
{
    uint8_t *p, *q;
    size_t n;
    cairn_header x, y;
    assert_int_equal(cairn_chain_block(f->c, h, &p, &n), CAIRN_OK);
    q = resigned(f, h, kp, other_time, &n);
    skew++;
    assert_int_equal(cairn_header_decode(&x, p, CAIRN_HEADER_LEN), CAIRN_OK);
    assert_int_equal(cairn_header_decode(&y, q, CAIRN_HEADER_LEN), CAIRN_OK);
    free(p);
    free(q);
    return evidence(f, who, &x, &y);
}

static void evidence_slashes(void **state)
{
    (void)state;
    fx f;
    cairn_proposal pr;
    const uint8_t *blk;
    size_t n;
    cairn_seq_bond b;
    cairn_header x, y;
    make_keys();
    fx_open(&f);
    /* block 1 by member 1 */
    assert_int_equal(cairn_chain_propose_pending(f.c, f.mp, &K[1], 1000, 1, 0,
                                                 &pr, &blk, &n),
                     CAIRN_OK);
    assert_int_equal(cairn_chain_pending_commit(f.c), CAIRN_OK);
    cairn_proposal_free(&pr);
    audit_ok(&f);

    /* a control block: one plain transfer with the same fee */
    cairn_totals t0 = totals(&f);
    transfer(&f, 4, 5, 1);
    assert_int_equal(step(&f, 0), CAIRN_OK);
    cairn_totals t1 = totals(&f);
    uint64_t burn_fee = t1.burned - t0.burned;
    uint64_t treas_fee = t1.treasury - t0.treasury;

    /* member 1 signed another header at height 1: its bond goes */
    uint64_t bal3 = account(&f, 3).balance;
    assert_int_equal(equivocate(&f, 3, 1, &K[1]), CAIRN_OK);
    assert_int_equal(step(&f, 0), CAIRN_OK);
    cairn_totals t2 = totals(&f);
    assert_int_equal(cairn_chain_seq_bond(f.c, &K[1].pk, &b), CAIRN_OK);
    assert_int_equal(b.bond, 0);
    assert_int_equal(b.slashed, 2000 * TOK);
    assert_int_equal(b.slashed_height, 1);
    /* slash_to_treasury is 0 by default: burned, to the unit */
    assert_int_equal(t2.burned - t1.burned, burn_fee + 2000 * TOK);
    assert_int_equal(t2.treasury - t1.treasury, treas_fee);
    assert_int_equal(t2.supply, t1.supply - (t2.burned - t1.burned) +
                                    (t2.minted - t1.minted));
    assert_int_equal(account(&f, 3).balance, bal3 - FEE);
    assert_int_equal(account(&f, 1).balance, 8000 * TOK); /* untouched */
    /* member 0's bond is untouched */
    assert_int_equal(cairn_chain_seq_bond(f.c, &K[0].pk, &b), CAIRN_OK);
    assert_int_equal(b.bond, 1000 * TOK);

    /* again, with another pair: already slashed, dropped, nothing moves */
    bal3 = account(&f, 3).balance;
    assert_int_equal(equivocate(&f, 3, 1, &K[1]), CAIRN_OK);
    assert_int_equal(step(&f, 0), CAIRN_ERR_DUPLICATE);
    cairn_totals t3 = totals(&f);
    assert_int_equal(t3.burned, t2.burned);
    assert_int_equal(t3.treasury, t2.treasury);
    assert_int_equal(t3.supply, t2.supply);
    assert_int_equal(account(&f, 3).balance, bal3);
    assert_int_equal(cairn_chain_seq_bond(f.c, &K[1].pk, &b), CAIRN_OK);
    assert_int_equal(b.slashed, 2000 * TOK);
    assert_int_equal(b.slashed_height, 1);

    /* member 2 has no stake */
    made_up(&x, &y, &K[2], 2);
    assert_int_equal(evidence(&f, 4, &x, &y), CAIRN_OK);
    assert_int_equal(step(&f, 0), CAIRN_ERR_NO_STAKE);
    /* a non-member's headers */
    made_up(&x, &y, &K[6], 2);
    assert_int_equal(evidence(&f, 4, &x, &y), CAIRN_OK);
    assert_int_equal(step(&f, 0), CAIRN_ERR_BAD_PROPOSER);
    /* refused at admission: two heights, one header twice, a bad signature */
    made_up(&x, &y, &K[0], 2);
    y.height = 3;
    cairn_header_sign(&y, &K[0]);
    assert_int_equal(evidence(&f, 4, &x, &y), CAIRN_ERR_BAD_BODY);
    made_up(&x, &y, &K[0], 2);
    assert_int_equal(evidence(&f, 4, &x, &x), CAIRN_ERR_BAD_BODY);
    y.sig.b[7] ^= 1;
    assert_int_equal(evidence(&f, 4, &x, &y), CAIRN_ERR_BAD_SIG);
    /* height 0 (block 0 is signed by no one) */
    made_up(&x, &y, &K[0], 0);
    assert_int_equal(evidence(&f, 4, &x, &y), CAIRN_ERR_BAD_BODY);
    /* different proposers */
    made_up(&x, &y, &K[0], 2);
    cairn_header_sign(&y, &K[1]);
    assert_int_equal(evidence(&f, 4, &x, &y), CAIRN_ERR_BAD_BODY);
    /* member 0 is still bonded after all that */
    assert_int_equal(cairn_chain_seq_bond(f.c, &K[0].pk, &b), CAIRN_OK);
    assert_int_equal(b.bond, 1000 * TOK);
    audit_ok(&f);

    /* a replay re-executes every block to the same root */
    cairn_header h;
    cairn_hash root;
    uint64_t blocks;
    char rdir[96], cmd[128];
    cairn_chain_tip(f.c, &h, NULL);
    cairn_chain_close(f.c);
    snprintf(rdir, sizeof rdir, "%s-replay", f.dir);
    assert_int_equal(cairn_chain_replay(f.dir, rdir, &root, &blocks), CAIRN_OK);
    assert_memory_equal(root.b, h.state_root.b, 32);
    assert_int_equal(blocks, h.height);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", rdir);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(cairn_chain_open(&f.c, f.dir), CAIRN_OK);
    fx_close(&f);
}

/* With slash_to_treasury 1 the treasury takes the slash, to the unit. */
static void evidence_to_treasury(void **state)
{
    (void)state;
    fx f;
    cairn_seq_bond b;
    make_keys();
    economy = "{\"epoch_blocks\":1000,\"slash_to_treasury\":1}";
    fx_open(&f);
    economy = ECONOMY;
    assert_int_equal(step(&f, 0), CAIRN_OK);
    cairn_totals t0 = totals(&f);
    transfer(&f, 4, 5, 1);
    assert_int_equal(step(&f, 0), CAIRN_OK);
    cairn_totals t1 = totals(&f);
    uint64_t burn_fee = t1.burned - t0.burned;
    uint64_t treas_fee = t1.treasury - t0.treasury;
    assert_int_equal(equivocate(&f, 5, 1, &K[0]), CAIRN_OK);
    assert_int_equal(step(&f, 2), CAIRN_OK); /* member 2 builds it */
    cairn_totals t2 = totals(&f);
    assert_int_equal(t2.treasury - t1.treasury, treas_fee + 1000 * TOK);
    assert_int_equal(t2.burned - t1.burned, burn_fee);
    assert_int_equal(cairn_chain_seq_bond(f.c, &K[0].pk, &b), CAIRN_OK);
    assert_int_equal(b.bond, 0);
    assert_int_equal(b.slashed, 1000 * TOK);
    assert_int_equal(b.slashed_height, 1);
    fx_close(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(genesis_bonds),
        cmocka_unit_test(genesis_errors),
        cmocka_unit_test(follow_members),
        cmocka_unit_test(pending_abort),
        cmocka_unit_test(pending_max_bytes),
        cmocka_unit_test(mempool_prune),
        cmocka_unit_test(evidence_slashes),
        cmocka_unit_test(evidence_to_treasury),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
