/* Shared fixture of test_gov.c and test_credits.c: two chains from one
 * genesis, fed the same transactions, except that the "bad" ones go to
 * chain A only. After every block both state roots must be equal: a
 * rejected transaction changed nothing. Funded keys 1..FX_KEYS; key 0 is
 * the sequencer. The governance tally runs from the ledger's end of block
 * (econ_end_block calls gov_end_block). */
#ifndef CAIRN_TEST_GOV_FIXTURE_H
#define CAIRN_TEST_GOV_FIXTURE_H

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
#include "cairn/credits.h"
#include "cairn/gov.h"
#include "cairn/staking.h"
#include "econ/gov.h"
#include "econ/staking.h"

#define FX_KEYS 6
#define TOK 1000000ull
#define FEE 1000
#define FX_CHAIN "gov-test"

static cairn_keypair fx_keys[FX_KEYS + 1];
/* When set (a token amount), the genesis lists key 0 as the one member of
 * "sequencers" with this stake, and funds key 0 with it (a bond record). */
static const char *fx_seq_stake;

typedef struct twin {
    cairn_chain *c[2];
    cairn_mempool *mp[2];
    char dir[2][64];
} twin;

/* Deterministic keys from seeds. */
static inline void fx_make_keys(void)
{
    for (int i = 0; i <= FX_KEYS; i++) {
        uint8_t seed[32] = {0};
        seed[0] = (uint8_t)i;
        seed[1] = 0x60;
        cairn_keypair_from_seed(&fx_keys[i], seed);
    }
}

/* A genesis JSON (malloc'd) funding keys 1..FX_KEYS with 100000 tokens;
 * `economy` is the "economy" object; "%ORACLE%" in it stands for key 1's
 * address. */
static inline char *fx_genesis(const char *economy)
{
    size_t n = 4096 + FX_KEYS * 200 + strlen(economy);
    char *j = malloc(n), addr[CAIRN_ADDR_TEXT_LEN + 1], *eco = malloc(n);
    const char *at = strstr(economy, "%ORACLE%");
    cairn_addr_format(addr, &fx_keys[1].pk);
    if (at)
        snprintf(eco, n, "%.*s%s%s", (int)(at - economy), economy, addr,
                 at + 8);
    else
        snprintf(eco, n, "%s", economy);
    cairn_addr_format(addr, &fx_keys[0].pk);
    int o = snprintf(
        j, n,
        "{\"chain_id\":\"" FX_CHAIN
        "\",\"token\":{\"name\":\"Test\",\"symbol\":\"TST\"},"
        "\"supply_cap\":\"10000000\",\"min_fee\":\"0.001\",\"genesis_time_ms\":0,"
        "\"block_interval_ms\":1000,\"max_block_txs\":1000,");
    if (fx_seq_stake)
        o +=
            snprintf(j + o, n - (size_t)o,
                     "\"sequencers\":[{\"address\":\"%s\",\"stake\":\"%s\"}],"
                     "\"allocations\":[{\"address\":\"%s\",\"amount\":\"%s\"},",
                     addr, fx_seq_stake, addr, fx_seq_stake);
    else
        o += snprintf(j + o, n - (size_t)o,
                      "\"sequencer\":\"%s\",\"allocations\":[", addr);
    for (int i = 1; i <= FX_KEYS; i++) {
        cairn_addr_format(addr, &fx_keys[i].pk);
        o += snprintf(j + o, n - (size_t)o,
                      "%s{\"address\":\"%s\",\"amount\":\"100000\"}",
                      i > 1 ? "," : "", addr);
    }
    snprintf(j + o, n - (size_t)o, "],\"economy\":%s}", eco);
    free(eco);
    return j;
}

/* Creates and opens both chains. */
static inline void twin_open(twin *t, const char *economy)
{
    cairn_genesis g;
    char msg[256] = "";
    char *j;
    fx_make_keys();
    j = fx_genesis(economy);
    assert_int_equal(cairn_genesis_parse(&g, j, msg, sizeof msg), CAIRN_OK);
    free(j);
    for (int i = 0; i < 2; i++) {
        snprintf(t->dir[i], sizeof t->dir[i], "/tmp/cairn-gov-XXXXXX");
        assert_non_null(mkdtemp(t->dir[i]));
        assert_int_equal(cairn_chain_create(t->dir[i], &g), CAIRN_OK);
        assert_int_equal(cairn_chain_open(&t->c[i], t->dir[i]), CAIRN_OK);
        t->mp[i] = cairn_mempool_new(1000, 1u << 24);
        assert_non_null(t->mp[i]);
    }
    cairn_genesis_free(&g);
}

static inline void twin_close(twin *t)
{
    char cmd[128];
    for (int i = 0; i < 2; i++) {
        cairn_chain_close(t->c[i]);
        cairn_mempool_free(t->mp[i]);
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", t->dir[i]);
        assert_int_equal(system(cmd), 0);
    }
    econ_set_test_hook(NULL, NULL);
}

/* Signs a tx of keys[who] and admits it to chain i; returns the error. */
static inline cairn_err fx_submit(twin *t, int i, int who, uint16_t kind,
                                  const cairn_buf *body)
{
    cairn_account a;
    cairn_buf b;
    cairn_tx tx;
    cairn_hash h;
    assert_int_equal(cairn_chain_account(t->c[i], &fx_keys[who].pk, &a),
                     CAIRN_OK);
    cairn_buf_init(&b, CAIRN_TX_MAX_BYTES);
    uint64_t nonce =
        a.nonce + cairn_mempool_pending(t->mp[i], &fx_keys[who].pk);
    assert_int_equal(cairn_tx_make(&b, FX_CHAIN, &fx_keys[who], nonce, FEE,
                                   kind, body->p, body->len),
                     CAIRN_OK);
    cairn_err e = cairn_chain_check_tx(t->c[i], b.p, b.len, &tx, &h);
    if (!e)
        e = cairn_mempool_add(t->mp[i], b.p, b.len, &tx, &h, a.nonce);
    cairn_buf_free(&b);
    return e;
}

/* A good tx: admitted to both chains. Resets body. */
static inline void both(twin *t, int who, uint16_t kind, cairn_buf *body)
{
    assert_int_equal(fx_submit(t, 0, who, kind, body), CAIRN_OK);
    assert_int_equal(fx_submit(t, 1, who, kind, body), CAIRN_OK);
    cairn_buf_reset(body);
}

/* One block on both chains; returns chain A's first drop error (OK when
 * none). Chain B must drop nothing, and both roots must agree. */
static inline cairn_err step(twin *t)
{
    cairn_proposal pr[2];
    cairn_header h[2];
    cairn_err e;
    for (int i = 0; i < 2; i++) {
        cairn_chain_tip(t->c[i], &h[i], NULL);
        assert_int_equal(cairn_chain_propose(t->c[i], t->mp[i], &fx_keys[0],
                                             (h[i].height + 1) * 1000, &pr[i]),
                         CAIRN_OK);
    }
    e = pr[0].n_dropped ? pr[0].drop_err[0] : CAIRN_OK;
    assert_int_equal(pr[1].n_dropped, 0);
    assert_memory_equal(pr[0].header.state_root.b, pr[1].header.state_root.b,
                        32);
    cairn_proposal_free(&pr[0]);
    cairn_proposal_free(&pr[1]);
    return e;
}

/* A bad tx: offered to chain A only, then one block on both. Returns the
 * admission error, else the execution (drop) error. Resets body. */
static inline cairn_err bad(twin *t, int who, uint16_t kind, cairn_buf *body)
{
    cairn_err e = fx_submit(t, 0, who, kind, body);
    cairn_buf_reset(body);
    cairn_err d = step(t);
    return e ? e : d;
}

/* Steps until chain A's tip is at height h. */
static inline void step_to(twin *t, uint64_t h)
{
    cairn_header tip;
    for (;;) {
        cairn_chain_tip(t->c[0], &tip, NULL);
        if (tip.height >= h)
            return;
        assert_int_equal(step(t), CAIRN_OK);
    }
}

static inline uint64_t fx_height(twin *t)
{
    cairn_header h;
    cairn_chain_tip(t->c[0], &h, NULL);
    return h.height;
}

static inline cairn_account fx_account(twin *t, int who)
{
    cairn_account a;
    assert_int_equal(cairn_chain_account(t->c[0], &fx_keys[who].pk, &a),
                     CAIRN_OK);
    return a;
}

static inline cairn_totals fx_totals(twin *t)
{
    cairn_totals tt;
    assert_int_equal(cairn_chain_totals(t->c[0], &tt), CAIRN_OK);
    return tt;
}

/* Replays chain A from its genesis into a temp dir and checks that the
 * replay reaches the same state root (then reopens chain A). */
static inline void fx_replay_check(twin *t)
{
    cairn_header h;
    cairn_hash root;
    uint64_t blocks;
    char rdir[96], cmd[128];
    cairn_chain_tip(t->c[0], &h, NULL);
    cairn_chain_close(t->c[0]);
    snprintf(rdir, sizeof rdir, "%s-replay", t->dir[0]);
    assert_int_equal(cairn_chain_replay(t->dir[0], rdir, &root, &blocks),
                     CAIRN_OK);
    assert_memory_equal(root.b, h.state_root.b, 32);
    assert_int_equal(blocks, h.height);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", rdir);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(cairn_chain_open(&t->c[0], t->dir[0]), CAIRN_OK);
}

/* Registers keys[who] as a storage provider with `stake` tokens. */
static inline void fx_register(twin *t, int who, uint64_t stake, cairn_buf *b)
{
    cairn_register r = {0, 0, stake, "tcp://127.0.0.1:7000"};
    cairn_register_encode(b, &r);
    both(t, who, CAIRN_TX_REGISTER, b);
}

#endif
