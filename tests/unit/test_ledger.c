/* Unit tests of the ledger against real LMDB chains in a temporary
 * directory: genesis parsing, transfers through the mempool and
 * cairn_chain_propose, every rejection with its own error and no effect,
 * vesting, a follower re-executing the sequencer's blocks, tampered blocks,
 * reopen, replay and account proofs. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <ftw.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cairn/amount.h"
#include "cairn/block.h"
#include "cairn/chain.h"
#include "cairn/mempool.h"
#include "cairn/smt.h"
#include "cairn/tx.h"

#define CHAIN "cairn-lt"
#define TOK CAIRN_UNITS_PER_TOKEN
#define MIN_FEE 1000 /* "0.001" */
#define T0 1700000000000ULL
#define SUPPLY (1800 * TOK)
#define VEST_TOTAL (200 * TOK)
#define VEST_CLIFF 5
#define VEST_END 15

typedef struct fx {
    char tmp[64];
    char dir[128], fdir[128];
    cairn_keypair seq, a, b, v, c, other;
    cairn_genesis g;
    cairn_chain *ch;  /* the sequencer's chain */
    cairn_chain *fol; /* a follower from the same genesis */
    cairn_mempool *mp;
    uint64_t time;
} fx;

static void seed_key(cairn_keypair *kp, uint8_t fill)
{
    uint8_t seed[CAIRN_SEED_LEN];
    memset(seed, fill, sizeof seed);
    cairn_keypair_from_seed(kp, seed);
}

static void addr_of(char out[CAIRN_ADDR_TEXT_LEN + 1], const cairn_keypair *kp)
{
    cairn_addr_format(out, &kp->pk);
}

/* The test network's genesis, as a jansson object the caller owns. */
static json_t *base_genesis(const fx *f)
{
    char seq[80], a[80], b[80], v[80];
    addr_of(seq, &f->seq);
    addr_of(a, &f->a);
    addr_of(b, &f->b);
    addr_of(v, &f->v);
    json_error_t err;
    json_t *o = json_pack_ex(
        &err, 0,
        "{s:s, s:{s:s, s:s}, s:s, s:I, s:i, s:i, s:s, s:s,"
        " s:[{s:s, s:s, s:s}, {s:s, s:s}, {s:s, s:s, s:{s:s, s:i, s:i}}],"
        " s:{s:i, s:i, s:i, s:i, s:s, s:i}}",
        "chain_id", CHAIN, "token", "name", "Cairn Ledger Test", "symbol",
        "CLT", "supply_cap", "1000000", "genesis_time_ms", (json_int_t)T0,
        "block_interval_ms", 1000, "max_block_txs", 100, "min_fee", "0.001",
        "sequencer", seq, "allocations", "address", a, "amount", "1000",
        "label", "alice", "address", b, "amount", "500", "address", v, "amount",
        "300", "vesting", "amount", "200", "cliff_height", VEST_CLIFF,
        "end_height", VEST_END, "economy", "fee_provider_bps", 0,
        "fee_burn_bps", 0, "fee_treasury_bps", 10000, "fee_stakers_bps", 0,
        "emission_initial", "0", "epoch_blocks", 1000000);
    if (!o)
        fail_msg("json_pack: %s", err.text);
    return o;
}

static char *dump(json_t *o)
{
    char *s = json_dumps(o, JSON_COMPACT);
    assert_non_null(s);
    return s;
}

static int rm_one(const char *p, const struct stat *sb, int flag,
                  struct FTW *ftw)
{
    return remove(p);
}

static void rm_rf(const char *dir)
{
    nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    char msg[256] = "";
    seed_key(&f->seq, 0x10);
    seed_key(&f->a, 0x01);
    seed_key(&f->b, 0x02);
    seed_key(&f->v, 0x03);
    seed_key(&f->c, 0x04);
    seed_key(&f->other, 0x20);
    snprintf(f->tmp, sizeof f->tmp, "/tmp/cairn-test-ledger-XXXXXX");
    if (!mkdtemp(f->tmp))
        return -1;
    snprintf(f->dir, sizeof f->dir, "%s/seq", f->tmp);
    snprintf(f->fdir, sizeof f->fdir, "%s/fol", f->tmp);
    json_t *o = base_genesis(f);
    char *s = dump(o);
    cairn_err e = cairn_genesis_parse(&f->g, s, msg, sizeof msg);
    free(s);
    json_decref(o);
    if (e) {
        fprintf(stderr, "genesis: %s\n", msg);
        return -1;
    }
    if (cairn_chain_create(f->dir, &f->g) ||
        cairn_chain_create(f->fdir, &f->g) ||
        cairn_chain_open(&f->ch, f->dir) || cairn_chain_open(&f->fol, f->fdir))
        return -1;
    f->mp = cairn_mempool_new(1000, 1u << 22);
    f->time = T0;
    *state = f;
    return f->mp ? 0 : -1;
}

static int teardown(void **state)
{
    fx *f = *state;
    cairn_chain_close(f->ch);
    cairn_chain_close(f->fol);
    cairn_mempool_free(f->mp);
    cairn_genesis_free(&f->g);
    rm_rf(f->tmp);
    free(f);
    return 0;
}

/* ---- helpers ---- */

/* Headers compared field by field (the struct has tail padding). */
static void assert_header_eq(const cairn_header *x, const cairn_header *y)
{
    assert_true(x->height == y->height);
    assert_memory_equal(x->prev.b, y->prev.b, 32);
    assert_true(x->time_ms == y->time_ms);
    assert_memory_equal(x->tx_root.b, y->tx_root.b, 32);
    assert_memory_equal(x->state_root.b, y->state_root.b, 32);
    assert_memory_equal(x->proposer.b, y->proposer.b, 32);
    assert_int_equal(x->tx_count, y->tx_count);
    assert_memory_equal(x->sig.b, y->sig.b, 64);
}

static void mk(cairn_buf *b, const char *chain, const cairn_keypair *kp,
               uint64_t nonce, uint64_t fee, const cairn_pubkey *to,
               uint64_t amount)
{
    cairn_buf_init(b, CAIRN_TX_MAX_BYTES);
    assert_int_equal(
        cairn_tx_make_transfer(b, chain, kp, nonce, fee, to, amount), CAIRN_OK);
}

static cairn_account account_of(cairn_chain *c, const cairn_keypair *kp)
{
    cairn_account a;
    assert_int_equal(cairn_chain_account(c, &kp->pk, &a), CAIRN_OK);
    return a;
}

static cairn_totals totals(cairn_chain *c)
{
    cairn_totals t;
    assert_int_equal(cairn_chain_totals(c, &t), CAIRN_OK);
    return t;
}

/* What the node does with a submitted transaction. */
static cairn_err submit_bytes(fx *f, const uint8_t *p, size_t n, cairn_hash *h)
{
    cairn_tx tx;
    cairn_hash hh;
    cairn_account a;
    cairn_err e = cairn_chain_check_tx(f->ch, p, n, &tx, h ? h : &hh);
    if (e)
        return e;
    assert_int_equal(cairn_chain_account(f->ch, &tx.sender, &a), CAIRN_OK);
    return cairn_mempool_add(f->mp, p, n, &tx, h ? h : &hh, a.nonce);
}

static cairn_err submit(fx *f, const cairn_keypair *kp, uint64_t nonce,
                        uint64_t fee, const cairn_pubkey *to, uint64_t amount,
                        cairn_hash *h)
{
    cairn_buf b;
    mk(&b, CHAIN, kp, nonce, fee, to, amount);
    cairn_err e = submit_bytes(f, b.p, b.len, h);
    cairn_buf_free(&b);
    return e;
}

/* Adds to the mempool without the state check (as a stale or hostile
 * mempool could), so that block execution's own checks are exercised. */
static void force_add(fx *f, const cairn_keypair *kp, uint64_t nonce,
                      uint64_t fee, const cairn_pubkey *to, uint64_t amount,
                      cairn_hash *h)
{
    cairn_buf b;
    cairn_tx tx;
    mk(&b, CHAIN, kp, nonce, fee, to, amount);
    assert_int_equal(cairn_chain_check_tx(f->ch, b.p, b.len, &tx, h), CAIRN_OK);
    assert_int_equal(cairn_mempool_add(f->mp, b.p, b.len, &tx, h, nonce),
                     CAIRN_OK);
    cairn_buf_free(&b);
}

static void same_tip(cairn_chain *x, cairn_chain *y)
{
    cairn_header hx, hy;
    cairn_hash ax, ay;
    cairn_chain_tip(x, &hx, &ax);
    cairn_chain_tip(y, &hy, &ay);
    assert_true(hx.height == hy.height);
    assert_memory_equal(ax.b, ay.b, 32);
    assert_memory_equal(hx.state_root.b, hy.state_root.b, 32);
}

/* The follower applies every block it lacks and reaches the same tip. */
static void follow(fx *f)
{
    cairn_header th, fh;
    cairn_chain_tip(f->ch, &th, NULL);
    cairn_chain_tip(f->fol, &fh, NULL);
    for (uint64_t h = fh.height + 1; h <= th.height; h++) {
        uint8_t *p;
        size_t n;
        assert_int_equal(cairn_chain_block(f->ch, h, &p, &n), CAIRN_OK);
        assert_int_equal(cairn_chain_apply_block(f->fol, p, n), CAIRN_OK);
        free(p);
    }
    same_tip(f->ch, f->fol);
}

/* Supply constant, nothing burned or minted, and every unit accounted for:
 * sum of balances + treasury == supply. */
static void invariants(fx *f)
{
    cairn_totals t = totals(f->ch);
    const cairn_keypair *all[] = {&f->seq, &f->a, &f->b,
                                  &f->v,   &f->c, &f->other};
    uint64_t sum = 0;
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        sum += account_of(f->ch, all[i]).balance;
    assert_true(t.supply == SUPPLY);
    assert_true(t.burned == 0);
    assert_true(t.minted == 0);
    assert_true(sum + t.treasury == t.supply);
}

/* Proposes a block (and checks the invariants). */
static void propose(fx *f, cairn_proposal *pr)
{
    f->time += 1000;
    assert_int_equal(cairn_chain_propose(f->ch, f->mp, &f->seq, f->time, pr),
                     CAIRN_OK);
    invariants(f);
}

static void step(fx *f, size_t want_included)
{
    cairn_proposal pr;
    propose(f, &pr);
    assert_int_equal(pr.n_included, want_included);
    assert_int_equal(pr.n_dropped, 0);
    cairn_proposal_free(&pr);
}

/* A block in which every pending transaction must be dropped: it must be
 * byte for byte the empty block the follower builds at the same time. The
 * follower is brought in sync first and stays in sync. */
static void propose_noop(fx *f, cairn_proposal *pr)
{
    cairn_mempool *empty = cairn_mempool_new(8, 1 << 16);
    cairn_proposal epr;
    uint8_t *p1, *p2;
    size_t n1, n2;
    follow(f);
    f->time += 1000;
    assert_int_equal(cairn_chain_propose(f->fol, empty, &f->seq, f->time, &epr),
                     CAIRN_OK);
    assert_int_equal(cairn_chain_propose(f->ch, f->mp, &f->seq, f->time, pr),
                     CAIRN_OK);
    assert_int_equal(pr->n_included, 0);
    assert_int_equal(epr.n_included, 0);
    assert_memory_equal(pr->hash.b, epr.hash.b, 32);
    assert_memory_equal(pr->header.state_root.b, epr.header.state_root.b, 32);
    assert_int_equal(cairn_chain_block(f->ch, pr->header.height, &p1, &n1),
                     CAIRN_OK);
    assert_int_equal(cairn_chain_block(f->fol, pr->header.height, &p2, &n2),
                     CAIRN_OK);
    assert_int_equal(n1, n2);
    assert_memory_equal(p1, p2, n1);
    free(p1);
    free(p2);
    cairn_proposal_free(&epr);
    cairn_mempool_free(empty);
    same_tip(f->ch, f->fol);
    invariants(f);
}

static void expect_drop(const cairn_proposal *pr, size_t i, const cairn_hash *h,
                        cairn_err e)
{
    assert_true(i < pr->n_dropped);
    assert_memory_equal(pr->dropped[i].b, h->b, 32);
    if (pr->drop_err[i] != e)
        fail_msg("drop %zu: got %s, want %s", i, cairn_errname(pr->drop_err[i]),
                 cairn_errname(e));
}

static uint64_t tip_height(cairn_chain *c)
{
    cairn_header h;
    cairn_chain_tip(c, &h, NULL);
    return h.height;
}

/* ---- genesis ---- */

static void genesis_valid(void **state)
{
    fx *f = *state;
    const cairn_params *p = cairn_chain_params(f->ch);
    assert_string_equal(p->chain_id, CHAIN);
    assert_string_equal(p->token_name, "Cairn Ledger Test");
    assert_string_equal(p->token_symbol, "CLT");
    assert_true(p->supply_cap == 1000000 * TOK);
    assert_true(p->min_fee == MIN_FEE);
    assert_int_equal(p->block_interval_ms, 1000);
    assert_int_equal(p->max_block_txs, 100);
    assert_true(p->genesis_time_ms == T0);
    assert_memory_equal(p->sequencer.b, f->seq.pk.b, 32);
    assert_int_equal(f->g.nallocs, 3);
    assert_true(f->g.allocs[2].vest_amount == VEST_TOTAL);
    assert_true(f->g.allocs[2].vest_cliff == VEST_CLIFF);
    assert_true(f->g.allocs[2].vest_end == VEST_END);
    assert_non_null(f->g.economy_json);

    cairn_account a = account_of(f->ch, &f->a), v = account_of(f->ch, &f->v);
    assert_true(a.balance == 1000 * TOK && a.nonce == 0 && a.vest_total == 0);
    assert_true(v.balance == 300 * TOK && v.vest_total == VEST_TOTAL &&
                v.vest_start == 0 && v.vest_cliff == VEST_CLIFF &&
                v.vest_end == VEST_END);
    cairn_totals t = totals(f->ch);
    assert_true(t.supply == SUPPLY && t.treasury == 0);
    invariants(f);

    /* block 0 */
    cairn_header h;
    cairn_hash hash, gh;
    cairn_chain_tip(f->ch, &h, &hash);
    cairn_chain_genesis_hash(f->ch, &gh);
    assert_true(h.height == 0);
    assert_memory_equal(hash.b, gh.b, 32);
    assert_true(h.time_ms == T0);
    assert_int_equal(h.tx_count, 0);
    cairn_hash zero = {{0}};
    assert_memory_equal(h.prev.b, zero.b, 32);
    assert_memory_equal(h.tx_root.b, zero.b, 32);
    assert_memory_equal(h.proposer.b, f->seq.pk.b, 32);
    same_tip(f->ch, f->fol); /* same genesis, same block 0 */

    /* a chain is already there */
    assert_int_equal(cairn_chain_create(f->dir, &f->g), CAIRN_ERR_GENESIS);
    /* nothing there */
    char none[200];
    cairn_chain *c = NULL;
    snprintf(none, sizeof none, "%s/none", f->tmp);
    assert_int_not_equal(cairn_chain_open(&c, none), CAIRN_OK);
    assert_null(c);
}

typedef struct bad_case {
    const char *what; /* a tag for the mutation below */
    const char *want; /* substring the message must contain */
} bad_case;

/* Applies mutation `what` to the base genesis. */
static void mutate(json_t *o, const char *what, const fx *f)
{
    json_t *allocs = json_object_get(o, "allocations");
    json_t *a0 = json_array_get(allocs, 0), *a1 = json_array_get(allocs, 1);
    json_t *vest = json_object_get(json_array_get(allocs, 2), "vesting");
    if (!strcmp(what, "unknown_top"))
        json_object_set_new(o, "colour", json_string("blue"));
    else if (!strcmp(what, "unknown_token"))
        json_object_set_new(json_object_get(o, "token"), "decimals",
                            json_integer(6));
    else if (!strcmp(what, "unknown_alloc"))
        json_object_set_new(a1, "memo", json_string("x"));
    else if (!strcmp(what, "unknown_vesting"))
        json_object_set_new(vest, "start_height", json_integer(0));
    else if (!strcmp(what, "bad_address")) {
        char s[80];
        snprintf(s, sizeof s, "%s",
                 json_string_value(json_object_get(a1, "address")));
        s[CAIRN_ADDR_TEXT_LEN - 1] =
            s[CAIRN_ADDR_TEXT_LEN - 1] == '0' ? '1' : '0';
        json_object_set_new(a1, "address", json_string(s));
    } else if (!strcmp(what, "upper_address")) {
        char s[80];
        snprintf(s, sizeof s, "%s",
                 json_string_value(json_object_get(a1, "address")));
        for (char *c = s + 6; *c; c++)
            if (*c >= 'a' && *c <= 'f')
                *c = (char)(*c - 'a' + 'A');
        json_object_set_new(a1, "address", json_string(s));
    } else if (!strcmp(what, "bad_sequencer"))
        json_object_set_new(o, "sequencer", json_string("cairn1xyz"));
    else if (!strcmp(what, "over_cap"))
        json_object_set_new(o, "supply_cap", json_string("1799.999999"));
    else if (!strcmp(what, "duplicate"))
        json_object_set(a1, "address", json_object_get(a0, "address"));
    else if (!strcmp(what, "vest_over"))
        json_object_set_new(vest, "amount", json_string("300.000001"));
    else if (!strcmp(what, "cliff_after_end"))
        json_object_set_new(vest, "cliff_height", json_integer(VEST_END + 1));
    else if (!strcmp(what, "end_zero"))
        json_object_set_new(vest, "end_height", json_integer(0));
    else if (!strcmp(what, "no_chain_id"))
        json_object_del(o, "chain_id");
    else if (!strcmp(what, "empty_chain_id"))
        json_object_set_new(o, "chain_id", json_string(""));
    else if (!strcmp(what, "long_chain_id"))
        json_object_set_new(o, "chain_id",
                            json_string("abcdefghijabcdefghijabcdefghijabc"));
    else if (!strcmp(what, "space_chain_id"))
        json_object_set_new(o, "chain_id", json_string("cairn lt"));
    else if (!strcmp(what, "no_token"))
        json_object_del(o, "token");
    else if (!strcmp(what, "long_symbol"))
        json_object_set_new(json_object_get(o, "token"), "symbol",
                            json_string("ABCDEFGHI"));
    else if (!strcmp(what, "number_cap"))
        json_object_set_new(o, "supply_cap", json_integer(1000000));
    else if (!strcmp(what, "zero_cap"))
        json_object_set_new(o, "supply_cap", json_string("0"));
    else if (!strcmp(what, "no_min_fee"))
        json_object_del(o, "min_fee");
    else if (!strcmp(what, "interval_low"))
        json_object_set_new(o, "block_interval_ms", json_integer(9));
    else if (!strcmp(what, "max_txs_zero"))
        json_object_set_new(o, "max_block_txs", json_integer(0));
    else if (!strcmp(what, "max_txs_high"))
        json_object_set_new(o, "max_block_txs",
                            json_integer(CAIRN_BLOCK_MAX_TXS + 1));
    else if (!strcmp(what, "negative_time"))
        json_object_set_new(o, "genesis_time_ms", json_integer(-1));
    else if (!strcmp(what, "no_allocs"))
        json_object_set_new(o, "allocations", json_array());
    else if (!strcmp(what, "zero_alloc"))
        json_object_set_new(a1, "amount", json_string("0"));
    else if (!strcmp(what, "economy_array"))
        json_object_set_new(o, "economy", json_array());
    else
        fail_msg("no mutation %s", what);
    (void)f;
}

static void genesis_invalid(void **state)
{
    fx *f = *state;
    static const bad_case cases[] = {
        {"unknown_top", "colour"},
        {"unknown_token", "decimals"},
        {"unknown_alloc", "memo"},
        {"unknown_vesting", "start_height"},
        {"bad_address", "allocations[1].address"},
        {"upper_address", "allocations[1].address"},
        {"bad_sequencer", "sequencer"},
        {"over_cap", "supply_cap"},
        {"duplicate", "allocations[1]"},
        {"vest_over", "allocations[2].vesting.amount"},
        {"cliff_after_end", "cliff_height"},
        {"end_zero", "end_height"},
        {"no_chain_id", "chain_id"},
        {"empty_chain_id", "chain_id"},
        {"long_chain_id", "chain_id"},
        {"space_chain_id", "chain_id"},
        {"no_token", "token"},
        {"long_symbol", "symbol"},
        {"number_cap", "supply_cap"},
        {"zero_cap", "supply_cap"},
        {"no_min_fee", "min_fee"},
        {"interval_low", "block_interval_ms"},
        {"max_txs_zero", "max_block_txs"},
        {"max_txs_high", "max_block_txs"},
        {"negative_time", "genesis_time_ms"},
        {"no_allocs", "allocations"},
        {"zero_alloc", "allocations[1].amount"},
        {"economy_array", "economy"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *o = base_genesis(f);
        cairn_genesis g;
        char msg[256] = "";
        mutate(o, cases[i].what, f);
        char *s = dump(o);
        cairn_err e = cairn_genesis_parse(&g, s, msg, sizeof msg);
        if (e != CAIRN_ERR_GENESIS)
            fail_msg("%s: got %d, want GENESIS", cases[i].what, e);
        if (!strstr(msg, cases[i].want))
            fail_msg("%s: message \"%s\" does not name %s", cases[i].what, msg,
                     cases[i].want);
        assert_null(g.allocs);
        free(s);
        json_decref(o);
    }
    /* not JSON at all; a duplicate key */
    cairn_genesis g;
    char msg[256] = "";
    assert_int_equal(cairn_genesis_parse(&g, "{\"chain_id\":", msg, sizeof msg),
                     CAIRN_ERR_GENESIS);
    assert_non_null(strstr(msg, "JSON"));
    assert_int_equal(cairn_genesis_parse(&g, "[]", msg, sizeof msg),
                     CAIRN_ERR_GENESIS);
    msg[0] = '\0';
    assert_int_equal(
        cairn_genesis_parse(&g, "{\"chain_id\":\"a\",\"chain_id\":\"b\"}", msg,
                            sizeof msg),
        CAIRN_ERR_GENESIS);
    assert_non_null(strstr(msg, "JSON"));
    /* allocations exactly at the cap are fine */
    json_t *o = base_genesis(f);
    json_object_set_new(o, "supply_cap", json_string("1800"));
    char *s = dump(o);
    assert_int_equal(cairn_genesis_parse(&g, s, msg, sizeof msg), CAIRN_OK);
    cairn_genesis_free(&g);
    free(s);
    json_decref(o);
    /* a bad economy parameter is refused when the chain is created */
    o = base_genesis(f);
    json_object_set_new(json_object_get(o, "economy"), "bogus",
                        json_integer(1));
    s = dump(o);
    assert_int_equal(cairn_genesis_parse(&g, s, msg, sizeof msg), CAIRN_OK);
    char dir[200];
    snprintf(dir, sizeof dir, "%s/bad-econ", f->tmp);
    assert_int_equal(cairn_chain_create(dir, &g), CAIRN_ERR_GENESIS);
    cairn_chain *c = NULL;
    assert_int_not_equal(cairn_chain_open(&c, dir), CAIRN_OK);
    cairn_genesis_free(&g);
    free(s);
    json_decref(o);
}

/* ---- transfers ---- */

static void transfers_move_exactly(void **state)
{
    fx *f = *state;
    cairn_hash h[3];
    cairn_proposal pr;
    assert_int_equal(submit(f, &f->a, 0, 1000, &f->c.pk, 10 * TOK, &h[0]),
                     CAIRN_OK);
    assert_int_equal(submit(f, &f->b, 0, 1500, &f->c.pk, 1 * TOK, &h[1]),
                     CAIRN_OK);
    assert_int_equal(submit(f, &f->a, 1, 2000, &f->b.pk, 5 * TOK, &h[2]),
                     CAIRN_OK);
    assert_int_equal(cairn_mempool_count(f->mp), 3);
    propose(f, &pr);
    assert_int_equal(pr.n_included, 3);
    assert_int_equal(pr.n_dropped, 0);
    /* senders first come first served, each in nonce order */
    assert_memory_equal(pr.included[0].b, h[0].b, 32);
    assert_memory_equal(pr.included[1].b, h[2].b, 32);
    assert_memory_equal(pr.included[2].b, h[1].b, 32);
    assert_true(pr.header.height == 1);
    assert_int_equal(pr.header.tx_count, 3);
    cairn_proposal_free(&pr);
    assert_int_equal(cairn_mempool_count(f->mp), 0);

    cairn_account a = account_of(f->ch, &f->a), b = account_of(f->ch, &f->b),
                  c = account_of(f->ch, &f->c);
    assert_true(a.balance == 1000 * TOK - 10 * TOK - 1000 - 5 * TOK - 2000);
    assert_true(a.nonce == 2);
    assert_true(b.balance == 500 * TOK + 5 * TOK - 1 * TOK - 1500);
    assert_true(b.nonce == 1);
    assert_true(c.balance == 11 * TOK && c.nonce == 0);
    assert_true(totals(f->ch).treasury == 4500);

    /* indexes */
    uint64_t height;
    uint32_t index;
    assert_int_equal(cairn_chain_tx_location(f->ch, &h[1], &height, &index),
                     CAIRN_OK);
    assert_true(height == 1 && index == 2);
    assert_int_equal(cairn_chain_tx_location(f->ch, &h[2], &height, &index),
                     CAIRN_OK);
    assert_true(height == 1 && index == 1);
    cairn_hash tip, nope = {{1}};
    cairn_chain_tip(f->ch, NULL, &tip);
    assert_int_equal(cairn_chain_block_height(f->ch, &tip, &height), CAIRN_OK);
    assert_true(height == 1);
    assert_int_equal(cairn_chain_block_height(f->ch, &nope, &height),
                     CAIRN_ERR_NOT_FOUND);
    assert_int_equal(cairn_chain_tx_location(f->ch, &nope, &height, &index),
                     CAIRN_ERR_NOT_FOUND);
    uint8_t *p;
    size_t n;
    assert_int_equal(cairn_chain_block(f->ch, 2, &p, &n), CAIRN_ERR_NOT_FOUND);

    /* a second block: the new account spends; fees accumulate */
    assert_int_equal(submit(f, &f->c, 0, 3000, &f->a.pk, 2 * TOK, NULL),
                     CAIRN_OK);
    step(f, 1);
    assert_true(account_of(f->ch, &f->c).balance == 9 * TOK - 3000);
    assert_true(account_of(f->ch, &f->a).balance == 985 * TOK - 3000 + 2 * TOK);
    assert_true(totals(f->ch).treasury == 7500);
    /* an empty block changes no account */
    step(f, 0);
    assert_true(account_of(f->ch, &f->c).balance == 9 * TOK - 3000);
    assert_true(totals(f->ch).treasury == 7500);
    follow(f);
}

static void rejected_at_admission(void **state)
{
    fx *f = *state;
    cairn_buf b;
    cairn_tx tx;
    cairn_hash h;
    cairn_proposal pr;
    cairn_account a0 = account_of(f->ch, &f->a);

    /* bad signature: any byte of it, or of what it covers */
    mk(&b, CHAIN, &f->a, 0, MIN_FEE, &f->b.pk, TOK);
    b.p[b.len - 1] ^= 1;
    assert_int_equal(submit_bytes(f, b.p, b.len, NULL), CAIRN_ERR_BAD_SIG);
    b.p[b.len - 1] ^= 1;
    b.p[b.len - 64 - 1] ^= 1; /* the amount's top byte */
    assert_int_equal(cairn_chain_check_tx(f->ch, b.p, b.len, &tx, &h),
                     CAIRN_ERR_BAD_SIG);
    b.p[b.len - 64 - 1] ^= 1;
    assert_int_equal(cairn_chain_check_tx(f->ch, b.p, b.len, &tx, &h),
                     CAIRN_OK);
    cairn_buf_free(&b);

    /* another network */
    mk(&b, "cairn-other", &f->a, 0, MIN_FEE, &f->b.pk, TOK);
    assert_int_equal(submit_bytes(f, b.p, b.len, NULL), CAIRN_ERR_CHAIN_ID);
    cairn_buf_free(&b);
    mk(&b, "cairn-lt2", &f->a, 0, MIN_FEE, &f->b.pk, TOK); /* a prefix match */
    assert_int_equal(submit_bytes(f, b.p, b.len, NULL), CAIRN_ERR_CHAIN_ID);
    cairn_buf_free(&b);
    mk(&b, "cairn-l", &f->a, 0, MIN_FEE, &f->b.pk, TOK);
    assert_int_equal(submit_bytes(f, b.p, b.len, NULL), CAIRN_ERR_CHAIN_ID);
    cairn_buf_free(&b);

    /* fee floor */
    assert_int_equal(submit(f, &f->a, 0, MIN_FEE - 1, &f->b.pk, TOK, NULL),
                     CAIRN_ERR_FEE_LOW);
    assert_int_equal(submit(f, &f->a, 0, 0, &f->b.pk, TOK, NULL),
                     CAIRN_ERR_FEE_LOW);
    /* zero amount, self transfer */
    assert_int_equal(submit(f, &f->a, 0, MIN_FEE, &f->b.pk, 0, NULL),
                     CAIRN_ERR_ZERO_AMOUNT);
    assert_int_equal(submit(f, &f->a, 0, MIN_FEE, &f->a.pk, TOK, NULL),
                     CAIRN_ERR_SELF_TRANSFER);

    /* a transfer body of the wrong size; an unknown kind */
    uint8_t body[41] = {0};
    memcpy(body, f->b.pk.b, 32);
    body[32] = 1;
    for (int k = 0; k < 3; k++) {
        uint32_t lens[] = {39, 41, 0};
        memset(&tx, 0, sizeof tx);
        assert_int_equal(cairn_tx_set_chain(&tx, CHAIN), CAIRN_OK);
        tx.fee = MIN_FEE;
        tx.kind = CAIRN_TX_TRANSFER;
        tx.body = body;
        tx.body_len = lens[k];
        assert_int_equal(cairn_tx_sign(&tx, &f->a), CAIRN_OK);
        cairn_buf_init(&b, CAIRN_TX_MAX_BYTES);
        cairn_tx_encode(&tx, &b);
        assert_int_equal(submit_bytes(f, b.p, b.len, NULL), CAIRN_ERR_BAD_BODY);
        cairn_buf_free(&b);
    }
    uint16_t bad_kinds[] = {0, 0x7fff, 0xffff};
    for (int k = 0; k < 3; k++) {
        memset(&tx, 0, sizeof tx);
        assert_int_equal(cairn_tx_set_chain(&tx, CHAIN), CAIRN_OK);
        tx.fee = MIN_FEE;
        tx.kind = bad_kinds[k];
        tx.body = body;
        tx.body_len = 40;
        assert_int_equal(cairn_tx_sign(&tx, &f->a), CAIRN_OK);
        cairn_buf_init(&b, CAIRN_TX_MAX_BYTES);
        cairn_tx_encode(&tx, &b);
        assert_int_equal(submit_bytes(f, b.p, b.len, NULL), CAIRN_ERR_BAD_KIND);
        cairn_buf_free(&b);
    }
    /* malformed bytes */
    uint8_t junk[3] = {CAIRN_TX_MAGIC, 5, 'a'};
    assert_int_equal(submit_bytes(f, junk, sizeof junk, NULL),
                     CAIRN_ERR_TRUNCATED);

    /* nothing got in; the next block is the empty block */
    assert_int_equal(cairn_mempool_count(f->mp), 0);
    propose_noop(f, &pr);
    assert_int_equal(pr.n_dropped, 0);
    cairn_proposal_free(&pr);
    cairn_account a1 = account_of(f->ch, &f->a);
    assert_memory_equal(&a0, &a1, sizeof a0);
}

static void nonce_rules(void **state)
{
    fx *f = *state;
    cairn_buf b0, b0x;
    cairn_hash h;
    cairn_proposal pr;
    mk(&b0, CHAIN, &f->a, 0, MIN_FEE, &f->b.pk, TOK);
    mk(&b0x, CHAIN, &f->a, 0, MIN_FEE + 1, &f->b.pk, TOK); /* same nonce */
    /* skipped nonce */
    assert_int_equal(submit(f, &f->a, 1, MIN_FEE, &f->b.pk, TOK, NULL),
                     CAIRN_ERR_NONCE_GAP);
    assert_int_equal(submit_bytes(f, b0.p, b0.len, NULL), CAIRN_OK);
    /* the same transaction again, another with the same nonce */
    assert_int_equal(submit_bytes(f, b0.p, b0.len, NULL), CAIRN_ERR_DUPLICATE);
    assert_int_equal(submit_bytes(f, b0x.p, b0x.len, NULL),
                     CAIRN_ERR_DUPLICATE);
    assert_int_equal(submit(f, &f->a, 2, MIN_FEE, &f->b.pk, TOK, NULL),
                     CAIRN_ERR_NONCE_GAP);
    assert_int_equal(submit(f, &f->a, 1, MIN_FEE, &f->b.pk, TOK, NULL),
                     CAIRN_OK);
    assert_int_equal(cairn_mempool_pending(f->mp, &f->a.pk), 2);
    step(f, 2);
    assert_true(account_of(f->ch, &f->a).nonce == 2);
    /* replay after commit */
    assert_int_equal(submit_bytes(f, b0.p, b0.len, NULL), CAIRN_ERR_NONCE_USED);
    assert_int_equal(submit_bytes(f, b0x.p, b0x.len, NULL),
                     CAIRN_ERR_NONCE_USED);
    assert_int_equal(submit(f, &f->a, 1, MIN_FEE, &f->b.pk, TOK, NULL),
                     CAIRN_ERR_NONCE_USED);
    assert_int_equal(submit(f, &f->a, 3, MIN_FEE, &f->b.pk, TOK, NULL),
                     CAIRN_ERR_NONCE_GAP);

    /* block execution checks nonces itself: a replay or a gap that got into
     * the mempool is dropped with its reason and changes nothing */
    cairn_account a0 = account_of(f->ch, &f->a), b0a = account_of(f->ch, &f->b);
    force_add(f, &f->a, 1, MIN_FEE, &f->b.pk, TOK, &h);
    propose_noop(f, &pr);
    assert_int_equal(pr.n_dropped, 1);
    expect_drop(&pr, 0, &h, CAIRN_ERR_NONCE_USED);
    cairn_proposal_free(&pr);
    force_add(f, &f->a, 5, MIN_FEE, &f->b.pk, TOK, &h);
    propose_noop(f, &pr);
    assert_int_equal(pr.n_dropped, 1);
    expect_drop(&pr, 0, &h, CAIRN_ERR_NONCE_GAP);
    cairn_proposal_free(&pr);
    cairn_account a1 = account_of(f->ch, &f->a), b1 = account_of(f->ch, &f->b);
    assert_memory_equal(&a0, &a1, sizeof a0);
    assert_memory_equal(&b0a, &b1, sizeof b1);
    assert_int_equal(cairn_mempool_count(f->mp), 0);
    cairn_buf_free(&b0);
    cairn_buf_free(&b0x);
}

static void overspend_and_overflow(void **state)
{
    fx *f = *state;
    cairn_hash h[4];
    cairn_proposal pr;
    cairn_account b0 = account_of(f->ch, &f->b), a0 = account_of(f->ch, &f->a);
    uint64_t bal = b0.balance;

    /* amount + fee one unit over the balance; the sender's next one goes too */
    assert_int_equal(
        submit(f, &f->b, 0, MIN_FEE, &f->c.pk, bal - MIN_FEE + 1, &h[0]),
        CAIRN_OK);
    assert_int_equal(submit(f, &f->b, 1, MIN_FEE, &f->c.pk, 1, &h[1]),
                     CAIRN_OK);
    /* amount + fee overflows u64; amount + fee == UINT64_MAX is just funds */
    assert_int_equal(submit(f, &f->a, 0, MIN_FEE, &f->c.pk, UINT64_MAX, &h[2]),
                     CAIRN_OK);
    propose_noop(f, &pr);
    assert_int_equal(pr.n_dropped, 3);
    expect_drop(&pr, 0, &h[0], CAIRN_ERR_FUNDS);
    expect_drop(&pr, 1, &h[1], CAIRN_ERR_NONCE_GAP);
    expect_drop(&pr, 2, &h[2], CAIRN_ERR_OVERFLOW);
    cairn_proposal_free(&pr);
    assert_int_equal(cairn_mempool_count(f->mp), 0);
    assert_int_equal(
        submit(f, &f->a, 0, MIN_FEE, &f->c.pk, UINT64_MAX - MIN_FEE, &h[3]),
        CAIRN_OK);
    propose_noop(f, &pr);
    expect_drop(&pr, 0, &h[3], CAIRN_ERR_FUNDS);
    cairn_proposal_free(&pr);
    cairn_account b1 = account_of(f->ch, &f->b), a1 = account_of(f->ch, &f->a);
    assert_memory_equal(&b0, &b1, sizeof b0);
    assert_memory_equal(&a0, &a1, sizeof a0);
    assert_true(account_of(f->ch, &f->c).balance == 0);

    /* the whole balance exactly: fine, and a failing sender does not take
     * another sender's transaction down with it */
    assert_int_equal(
        submit(f, &f->b, 0, MIN_FEE, &f->c.pk, bal - MIN_FEE, &h[0]), CAIRN_OK);
    assert_int_equal(submit(f, &f->b, 1, MIN_FEE, &f->c.pk, 1, &h[1]),
                     CAIRN_OK);
    assert_int_equal(submit(f, &f->a, 0, MIN_FEE, &f->c.pk, TOK, &h[2]),
                     CAIRN_OK);
    propose(f, &pr);
    assert_int_equal(pr.n_included, 2);
    assert_memory_equal(pr.included[0].b, h[0].b, 32);
    assert_memory_equal(pr.included[1].b, h[2].b, 32);
    assert_int_equal(pr.n_dropped, 1);
    expect_drop(&pr, 0, &h[1], CAIRN_ERR_FUNDS);
    cairn_proposal_free(&pr);
    assert_true(account_of(f->ch, &f->b).balance == 0);
    assert_true(account_of(f->ch, &f->b).nonce == 1);
    assert_true(account_of(f->ch, &f->c).balance == bal - MIN_FEE + TOK);
    assert_true(totals(f->ch).treasury == 2 * MIN_FEE);
    follow(f);
}

/* locked(h) as docs/genesis.md states it, start = 0. */
static uint64_t model_locked(uint64_t total, uint64_t cliff, uint64_t end,
                             uint64_t h)
{
    if (h < cliff)
        return total;
    if (h >= end)
        return 0;
    return total - (uint64_t)((unsigned __int128)total * h / end);
}

/* Advances with empty blocks until the tip is at `height`. */
static void advance_to(fx *f, uint64_t height)
{
    while (tip_height(f->ch) < height)
        step(f, 0);
    assert_true(tip_height(f->ch) == height);
}

/* At the next height, V tries one unit more than it may spend (LOCKED),
 * then in the block after exactly what it may spend (included). */
static void spend_limit(fx *f)
{
    cairn_hash h;
    cairn_proposal pr;
    uint64_t next = tip_height(f->ch) + 1;
    cairn_account v = account_of(f->ch, &f->v);
    uint64_t sp = cairn_account_spendable(&v, next);
    uint64_t lk = model_locked(VEST_TOTAL, VEST_CLIFF, VEST_END, next);
    assert_true(cairn_account_locked(&v, next) == lk);
    assert_true(sp == (v.balance > lk ? v.balance - lk : 0));
    assert_true(sp > MIN_FEE);
    assert_true(v.balance >= sp + 1);
    assert_int_equal(
        submit(f, &f->v, v.nonce, MIN_FEE, &f->c.pk, sp - MIN_FEE + 1, &h),
        CAIRN_OK);
    propose_noop(f, &pr);
    assert_int_equal(pr.n_dropped, 1);
    expect_drop(&pr, 0, &h, CAIRN_ERR_LOCKED);
    cairn_proposal_free(&pr);

    next++;
    sp = cairn_account_spendable(&v, next);
    lk = model_locked(VEST_TOTAL, VEST_CLIFF, VEST_END, next);
    assert_true(sp == (v.balance > lk ? v.balance - lk : 0));
    assert_int_equal(
        submit(f, &f->v, v.nonce, MIN_FEE, &f->c.pk, sp - MIN_FEE, &h),
        CAIRN_OK);
    step(f, 1);
    cairn_account v2 = account_of(f->ch, &f->v);
    assert_true(v2.balance == v.balance - sp);
    assert_true(v2.nonce == v.nonce + 1);
    assert_true(cairn_account_spendable(&v2, next) == 0);
}

static void vesting(void **state)
{
    fx *f = *state;
    cairn_hash h;
    cairn_proposal pr;
    /* before the cliff only the unvested 100 tokens move */
    cairn_account v = account_of(f->ch, &f->v);
    for (uint64_t ht = 0; ht < VEST_CLIFF; ht++) {
        assert_true(cairn_account_locked(&v, ht) == VEST_TOTAL);
        assert_true(cairn_account_spendable(&v, ht) == 100 * TOK);
    }
    spend_limit(f); /* heights 1 and 2: 100 tokens out, 200 left, all locked */
    v = account_of(f->ch, &f->v);
    assert_true(v.balance == VEST_TOTAL);
    assert_true(cairn_account_spendable(&v, 3) == 0);
    assert_int_equal(submit(f, &f->v, v.nonce, MIN_FEE, &f->c.pk, 1, &h),
                     CAIRN_OK);
    propose_noop(f, &pr); /* height 3 */
    expect_drop(&pr, 0, &h, CAIRN_ERR_LOCKED);
    cairn_proposal_free(&pr);

    /* the cliff: vested = floor(200 * 5 / 15) tokens */
    assert_true(cairn_account_locked(&v, VEST_CLIFF) == 133333334);
    assert_true(cairn_account_spendable(&v, VEST_CLIFF) == 66666666);
    assert_true(cairn_account_locked(&v, VEST_CLIFF - 1) == VEST_TOTAL);
    /* linear between cliff and end, all free at the end */
    assert_true(cairn_account_locked(&v, 7) == VEST_TOTAL - 93333333);
    assert_true(cairn_account_locked(&v, VEST_END - 1) ==
                VEST_TOTAL - 186666666);
    assert_true(cairn_account_locked(&v, VEST_END) == 0);
    assert_true(cairn_account_locked(&v, UINT64_MAX) == 0);
    for (uint64_t ht = 0; ht < 20; ht++)
        assert_true(cairn_account_locked(&v, ht) ==
                    model_locked(VEST_TOTAL, VEST_CLIFF, VEST_END, ht));

    advance_to(f, VEST_CLIFF); /* heights 6 and 7 next */
    spend_limit(f);
    advance_to(f, 10); /* heights 11 and 12 */
    spend_limit(f);
    /* after the end everything is spendable */
    advance_to(f, VEST_END - 1);
    v = account_of(f->ch, &f->v);
    assert_true(cairn_account_spendable(&v, VEST_END) == v.balance);
    assert_int_equal(
        submit(f, &f->v, v.nonce, MIN_FEE, &f->c.pk, v.balance - MIN_FEE, NULL),
        CAIRN_OK);
    step(f, 1);
    assert_true(account_of(f->ch, &f->v).balance == 0);
    follow(f);

    /* the pure functions on edge cases */
    cairn_account x = {.balance = 10,
                       .vest_total = 100,
                       .vest_start = 10,
                       .vest_cliff = 20,
                       .vest_end = 30};
    assert_true(cairn_account_locked(&x, 19) == 100);
    assert_true(cairn_account_locked(&x, 20) == 50);
    assert_true(cairn_account_locked(&x, 29) == 5);
    assert_true(cairn_account_locked(&x, 30) == 0);
    assert_true(cairn_account_spendable(&x, 20) == 0); /* balance < locked */
    assert_true(cairn_account_spendable(&x, 30) == 10);
    cairn_account y = {.balance = 5};
    assert_true(cairn_account_locked(&y, 0) == 0);
    assert_true(cairn_account_spendable(&y, 0) == 5);
    cairn_account z = {.balance = UINT64_MAX,
                       .vest_total = UINT64_MAX,
                       .vest_cliff = 0,
                       .vest_end = UINT64_MAX};
    assert_true(cairn_account_locked(&z, UINT64_MAX - 1) == 1);
}

/* ---- blocks from the network ---- */

/* Re-encodes a decoded block with header h, signed by `signer` (NULL keeps
 * h's signature), and with transaction list txs/n. */
static void reencode(cairn_buf *out, cairn_header *h,
                     const cairn_keypair *signer, const cairn_block_tx *txs,
                     uint32_t n)
{
    if (signer)
        cairn_header_sign(h, signer);
    cairn_buf_init(out, CAIRN_BLOCK_MAX_BYTES);
    cairn_header_encode(h, out);
    for (uint32_t i = 0; i < n; i++)
        cairn_put_var(out, txs[i].p, txs[i].n);
    assert_int_equal(out->err, CAIRN_OK);
}

/* The follower refuses p/n with `want` and its tip does not move. */
static void refuse(fx *f, const uint8_t *p, size_t n, cairn_err want,
                   const char *what)
{
    cairn_header h0, h1;
    cairn_hash a0, a1;
    cairn_account acc0 = account_of(f->fol, &f->a), acc1;
    cairn_chain_tip(f->fol, &h0, &a0);
    cairn_err e = cairn_chain_apply_block(f->fol, p, n);
    if (e != want)
        fail_msg("%s: got %s, want %s", what, cairn_errname(e),
                 cairn_errname(want));
    cairn_chain_tip(f->fol, &h1, &a1);
    assert_header_eq(&h0, &h1);
    assert_memory_equal(a0.b, a1.b, 32);
    acc1 = account_of(f->fol, &f->a);
    assert_memory_equal(&acc0, &acc1, sizeof acc0);
}

static void follower_refuses_tampered_blocks(void **state)
{
    fx *f = *state;
    /* some history first */
    for (int i = 0; i < 3; i++) {
        assert_int_equal(
            submit(f, &f->a, (uint64_t)i, MIN_FEE, &f->b.pk, TOK, NULL),
            CAIRN_OK);
        assert_int_equal(submit(f, &f->b, (uint64_t)i, MIN_FEE + (uint64_t)i,
                                &f->c.pk, 2 * TOK, NULL),
                         CAIRN_OK);
        step(f, 2);
    }
    follow(f);
    /* the next block, with two transactions */
    assert_int_equal(submit(f, &f->a, 3, MIN_FEE, &f->c.pk, 7 * TOK, NULL),
                     CAIRN_OK);
    assert_int_equal(submit(f, &f->c, 0, MIN_FEE, &f->b.pk, TOK, NULL),
                     CAIRN_OK);
    step(f, 2);
    uint8_t *p;
    size_t n;
    cairn_block blk;
    cairn_buf b;
    cairn_header h;
    assert_int_equal(cairn_chain_block(f->ch, 4, &p, &n), CAIRN_OK);
    assert_int_equal(cairn_block_decode(&blk, p, n), CAIRN_OK);
    uint32_t cnt = blk.h.tx_count;
    assert_int_equal(cnt, 2);

    /* state root changed, properly re-signed */
    h = blk.h;
    h.state_root.b[5] ^= 0x40;
    reencode(&b, &h, &f->seq, blk.txs, cnt);
    refuse(f, b.p, b.len, CAIRN_ERR_STATE_ROOT, "state root");
    cairn_buf_free(&b);
    /* signed by another key */
    h = blk.h;
    reencode(&b, &h, &f->other, blk.txs, cnt);
    refuse(f, b.p, b.len, CAIRN_ERR_BAD_PROPOSER, "other signer");
    cairn_buf_free(&b);
    /* the right proposer field, a broken signature */
    h = blk.h;
    h.sig.b[10] ^= 1;
    reencode(&b, &h, NULL, blk.txs, cnt);
    refuse(f, b.p, b.len, CAIRN_ERR_BAD_PROPOSER, "broken signature");
    cairn_buf_free(&b);
    /* a field changed after signing */
    h = blk.h;
    h.time_ms++;
    reencode(&b, &h, NULL, blk.txs, cnt);
    refuse(f, b.p, b.len, CAIRN_ERR_BAD_PROPOSER, "unsigned change");
    cairn_buf_free(&b);
    /* tx root */
    h = blk.h;
    h.tx_root.b[0] ^= 1;
    reencode(&b, &h, &f->seq, blk.txs, cnt);
    refuse(f, b.p, b.len, CAIRN_ERR_TX_ROOT, "tx root");
    cairn_buf_free(&b);
    /* transactions reordered, or one left out, under the original root */
    {
        cairn_block_tx sw[2] = {blk.txs[1], blk.txs[0]};
        h = blk.h;
        reencode(&b, &h, &f->seq, sw, 2);
        refuse(f, b.p, b.len, CAIRN_ERR_TX_ROOT, "reordered");
        cairn_buf_free(&b);
        h = blk.h;
        h.tx_count = 1;
        reencode(&b, &h, &f->seq, blk.txs, 1);
        refuse(f, b.p, b.len, CAIRN_ERR_TX_ROOT, "tx left out");
        cairn_buf_free(&b);
    }
    /* wrong height, wrong parent, time before the parent's */
    h = blk.h;
    h.height++;
    reencode(&b, &h, &f->seq, blk.txs, cnt);
    refuse(f, b.p, b.len, CAIRN_ERR_BAD_BLOCK, "height");
    cairn_buf_free(&b);
    h = blk.h;
    h.height--;
    reencode(&b, &h, &f->seq, blk.txs, cnt);
    refuse(f, b.p, b.len, CAIRN_ERR_BAD_BLOCK, "height - 1");
    cairn_buf_free(&b);
    h = blk.h;
    h.prev.b[31] ^= 1;
    reencode(&b, &h, &f->seq, blk.txs, cnt);
    refuse(f, b.p, b.len, CAIRN_ERR_BAD_BLOCK, "prev");
    cairn_buf_free(&b);
    {
        cairn_header parent;
        cairn_chain_tip(f->fol, &parent, NULL);
        h = blk.h;
        h.time_ms = parent.time_ms - 1;
        reencode(&b, &h, &f->seq, blk.txs, cnt);
        refuse(f, b.p, b.len, CAIRN_ERR_BAD_BLOCK, "time");
        cairn_buf_free(&b);
    }
    /* a transaction with a broken signature, under a matching tx root */
    {
        uint8_t *copy = malloc(blk.txs[1].n);
        memcpy(copy, blk.txs[1].p, blk.txs[1].n);
        copy[blk.txs[1].n - 5] ^= 1;
        cairn_block_tx t2[2] = {blk.txs[0], {copy, blk.txs[1].n}};
        h = blk.h;
        assert_int_equal(cairn_block_tx_root(&h.tx_root, t2, 2), CAIRN_OK);
        reencode(&b, &h, &f->seq, t2, 2);
        refuse(f, b.p, b.len, CAIRN_ERR_BAD_SIG, "tx signature");
        cairn_buf_free(&b);
        free(copy);
    }
    /* a transaction that cannot execute (replayed nonce) */
    {
        uint8_t *p3;
        size_t n3;
        cairn_block b3;
        assert_int_equal(cairn_chain_block(f->ch, 3, &p3, &n3), CAIRN_OK);
        assert_int_equal(cairn_block_decode(&b3, p3, n3), CAIRN_OK);
        cairn_block_tx t3[3] = {blk.txs[0], blk.txs[1], b3.txs[0]};
        h = blk.h;
        h.tx_count = 3;
        assert_int_equal(cairn_block_tx_root(&h.tx_root, t3, 3), CAIRN_OK);
        reencode(&b, &h, &f->seq, t3, 3);
        refuse(f, b.p, b.len, CAIRN_ERR_NONCE_USED, "replayed tx");
        cairn_buf_free(&b);
        cairn_block_free(&b3);
        free(p3);
    }
    /* an overspend, signed and rooted properly */
    {
        cairn_buf t;
        mk(&t, CHAIN, &f->c, 1, MIN_FEE, &f->a.pk, 1000 * TOK);
        cairn_block_tx t3[3] = {blk.txs[0], blk.txs[1], {t.p, (uint32_t)t.len}};
        h = blk.h;
        h.tx_count = 3;
        assert_int_equal(cairn_block_tx_root(&h.tx_root, t3, 3), CAIRN_OK);
        reencode(&b, &h, &f->seq, t3, 3);
        refuse(f, b.p, b.len, CAIRN_ERR_FUNDS, "overspend");
        cairn_buf_free(&b);
        cairn_buf_free(&t);
    }
    /* more transactions than the genesis max_block_txs (100) */
    {
        cairn_block_tx many[101];
        for (int i = 0; i < 101; i++)
            many[i] = blk.txs[0];
        h = blk.h;
        h.tx_count = 101;
        assert_int_equal(cairn_block_tx_root(&h.tx_root, many, 101), CAIRN_OK);
        reencode(&b, &h, &f->seq, many, 101);
        refuse(f, b.p, b.len, CAIRN_ERR_TOO_LARGE, "too many txs");
        cairn_buf_free(&b);
    }
    /* garbage */
    refuse(f, p, CAIRN_HEADER_LEN - 1, CAIRN_ERR_TRUNCATED, "truncated");

    /* after all that, the genuine block applies and the tips agree */
    assert_int_equal(cairn_chain_apply_block(f->fol, p, n), CAIRN_OK);
    same_tip(f->ch, f->fol);
    /* and not twice */
    refuse(f, p, n, CAIRN_ERR_BAD_BLOCK, "applied twice");
    cairn_block_free(&blk);
    free(p);

    /* the follower's state matches account by account */
    const cairn_keypair *all[] = {&f->a, &f->b, &f->c, &f->v, &f->seq};
    for (size_t i = 0; i < 5; i++) {
        cairn_account x = account_of(f->ch, all[i]),
                      y = account_of(f->fol, all[i]);
        assert_memory_equal(&x, &y, sizeof x);
    }
    cairn_totals t1 = totals(f->ch), t2 = totals(f->fol);
    assert_memory_equal(&t1, &t2, sizeof t1);
    /* more blocks still follow */
    assert_int_equal(submit(f, &f->a, 4, MIN_FEE, &f->c.pk, TOK, NULL),
                     CAIRN_OK);
    step(f, 1);
    follow(f);
}

static void reopen_replay_and_prove(void **state)
{
    fx *f = *state;
    for (int i = 0; i < 4; i++) {
        assert_int_equal(submit(f, &f->a, (uint64_t)i, MIN_FEE, &f->c.pk,
                                (uint64_t)(i + 1) * TOK, NULL),
                         CAIRN_OK);
        step(f, 1);
    }
    step(f, 0);
    cairn_header h0, h1;
    cairn_hash a0, a1;
    cairn_account acc0 = account_of(f->ch, &f->a), acc1;
    cairn_totals t0 = totals(f->ch), t1;
    cairn_chain_tip(f->ch, &h0, &a0);
    assert_true(h0.height == 5);

    /* reopen */
    cairn_chain_close(f->ch);
    f->ch = NULL;
    assert_int_equal(cairn_chain_open(&f->ch, f->dir), CAIRN_OK);
    cairn_chain_tip(f->ch, &h1, &a1);
    assert_header_eq(&h0, &h1);
    assert_memory_equal(a0.b, a1.b, 32);
    acc1 = account_of(f->ch, &f->a);
    t1 = totals(f->ch);
    assert_memory_equal(&acc0, &acc1, sizeof acc0);
    assert_memory_equal(&t0, &t1, sizeof t0);
    assert_string_equal(cairn_chain_params(f->ch)->chain_id, CHAIN);

    /* replay (the chain is closed meanwhile: one LMDB env per process) */
    cairn_hash root;
    uint64_t blocks = 0;
    char rdir[200];
    snprintf(rdir, sizeof rdir, "%s/replay", f->tmp);
    cairn_chain_close(f->ch);
    f->ch = NULL;
    assert_int_equal(cairn_chain_replay(f->dir, rdir, &root, &blocks),
                     CAIRN_OK);
    assert_true(blocks == 5);
    assert_memory_equal(root.b, h0.state_root.b, 32);
    assert_int_equal(cairn_chain_open(&f->ch, f->dir), CAIRN_OK);

    /* account proofs against the tip's state root */
    cairn_smt_proof pf;
    cairn_hash key, vh, want;
    uint8_t rec[48], skey[33];
    cairn_account_key(&key, &f->a.pk);
    cairn_account_vhash(&vh, &acc0);
    skey[0] = 0x01; /* the documented derivation */
    memcpy(skey + 1, f->a.pk.b, 32);
    cairn_hash_bytes(&want, skey, 33);
    assert_memory_equal(key.b, want.b, 32);
    cairn_account_encode(rec, &acc0);
    cairn_hash_bytes(&want, rec, 48);
    assert_memory_equal(vh.b, want.b, 32);
    assert_true(rec[0] == (uint8_t)acc0.balance &&
                rec[8] == (uint8_t)acc0.nonce);
    cairn_chain_prove_account(f->ch, &f->a.pk, &pf);
    assert_int_equal(cairn_smt_verify(&h0.state_root, &key, &vh, &pf),
                     CAIRN_OK);
    assert_int_equal(cairn_smt_verify(&h0.state_root, &key, NULL, &pf),
                     CAIRN_ERR_BAD_PROOF);
    cairn_account wrong = acc0;
    wrong.balance++;
    cairn_account_vhash(&vh, &wrong);
    assert_int_equal(cairn_smt_verify(&h0.state_root, &key, &vh, &pf),
                     CAIRN_ERR_BAD_PROOF);
    /* against an older root the current value does not verify */
    uint8_t *p;
    size_t n;
    cairn_header old;
    assert_int_equal(cairn_chain_block(f->ch, 2, &p, &n), CAIRN_OK);
    assert_int_equal(cairn_header_decode(&old, p, CAIRN_HEADER_LEN), CAIRN_OK);
    free(p);
    cairn_account_vhash(&vh, &acc0);
    assert_int_equal(cairn_smt_verify(&old.state_root, &key, &vh, &pf),
                     CAIRN_ERR_BAD_PROOF);
    /* every funded account, and an absent one */
    const cairn_keypair *all[] = {&f->b, &f->c, &f->v};
    for (size_t i = 0; i < 3; i++) {
        cairn_account x = account_of(f->ch, all[i]);
        cairn_account_key(&key, &all[i]->pk);
        cairn_account_vhash(&vh, &x);
        cairn_chain_prove_account(f->ch, &all[i]->pk, &pf);
        assert_int_equal(cairn_smt_verify(&h0.state_root, &key, &vh, &pf),
                         CAIRN_OK);
    }
    cairn_account_key(&key, &f->other.pk);
    cairn_chain_prove_account(f->ch, &f->other.pk, &pf);
    assert_int_equal(cairn_smt_verify(&h0.state_root, &key, NULL, &pf),
                     CAIRN_OK);
    cairn_account zero = {0};
    cairn_account_vhash(&vh, &zero);
    assert_int_equal(cairn_smt_verify(&h0.state_root, &key, &vh, &pf),
                     CAIRN_ERR_BAD_PROOF);

    /* the reopened chain keeps producing, and the follower keeps up */
    assert_int_equal(submit(f, &f->a, 4, MIN_FEE, &f->c.pk, TOK, NULL),
                     CAIRN_OK);
    step(f, 1);
    follow(f);
}

static void block_fills_up(void **state)
{
    fx *f = *state;
    /* 150 from one sender, 20 from another: the block takes 100 */
    for (uint64_t i = 0; i < 150; i++)
        assert_int_equal(submit(f, &f->a, i, MIN_FEE, &f->c.pk, 1, NULL),
                         CAIRN_OK);
    for (uint64_t i = 0; i < 20; i++)
        assert_int_equal(submit(f, &f->b, i, MIN_FEE, &f->c.pk, 1, NULL),
                         CAIRN_OK);
    assert_int_equal(cairn_mempool_count(f->mp), 170);
    step(f, 100);
    assert_int_equal(cairn_mempool_count(f->mp), 70);
    assert_true(account_of(f->ch, &f->a).nonce == 100);
    /* the sender's next nonces still join its queue */
    assert_int_equal(submit(f, &f->a, 150, MIN_FEE, &f->c.pk, 1, NULL),
                     CAIRN_OK);
    step(f, 71);
    assert_int_equal(cairn_mempool_count(f->mp), 0);
    assert_true(account_of(f->ch, &f->a).nonce == 151);
    assert_true(account_of(f->ch, &f->b).nonce == 20);
    assert_true(account_of(f->ch, &f->c).balance == 171);
    assert_true(totals(f->ch).treasury == 171 * MIN_FEE);
    follow(f);
}

/* The state vectors of docs/encoding.md. */
static void commitment_vectors(void **state)
{
    cairn_keypair kp;
    cairn_hash k, v, want;
    char hex[65];
    seed_key(&kp, 0x01);
    cairn_account a = {.balance = 1000 * TOK, .nonce = 3};
    uint8_t rec[48];
    cairn_account_encode(rec, &a);
    cairn_hex_encode(hex, rec, 16);
    assert_string_equal(hex, "00ca9a3b000000000300000000000000");
    cairn_account_key(&k, &kp.pk);
    cairn_account_vhash(&v, &a);
    assert_int_equal(
        cairn_hex_decode(
            want.b, 32,
            "35a4b34274879075ccdd314f0180eb3c55cca4d054a10fd1068c8588bda4f106",
            64),
        CAIRN_OK);
    assert_memory_equal(k.b, want.b, 32);
    assert_int_equal(
        cairn_hex_decode(
            want.b, 32,
            "3556d109ca1b11bc77c36d558ac71de7c421f0c48146f1667d345fce32265f96",
            64),
        CAIRN_OK);
    assert_memory_equal(v.b, want.b, 32);
}

int main(void)
{
    cairn_crypto_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(commitment_vectors),
        cmocka_unit_test_setup_teardown(genesis_valid, setup, teardown),
        cmocka_unit_test_setup_teardown(genesis_invalid, setup, teardown),
        cmocka_unit_test_setup_teardown(transfers_move_exactly, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(rejected_at_admission, setup, teardown),
        cmocka_unit_test_setup_teardown(nonce_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(overspend_and_overflow, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(vesting, setup, teardown),
        cmocka_unit_test_setup_teardown(follower_refuses_tampered_blocks, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(reopen_replay_and_prove, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(block_fills_up, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
