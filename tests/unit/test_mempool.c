/* Unit tests of the mempool (ledger/mempool.c): nonce order, per-sender
 * contiguity, senders first come first served, pop/unpop, drop_sender,
 * bounds, a randomized stress against a simple model, and many senders
 * to exercise the hash table's tombstones and rehashing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/mempool.h"
#include "cairn/tx.h"

/* A decoded transaction for the mempool. Signatures do not matter to it,
 * so senders are synthetic keys and transactions are encoded unsigned. */
typedef struct ttx {
    uint8_t *p;
    size_t n;
    cairn_tx tx;
    cairn_hash h;
} ttx;

static void sender_key(cairn_pubkey *pk, uint32_t id)
{
    memset(pk->b, 0, 32);
    memcpy(pk->b, &id, 4);
    pk->b[31] = 0x5a;
}

static uint32_t sender_id(const cairn_pubkey *pk)
{
    uint32_t id;
    memcpy(&id, pk->b, 4);
    return id;
}

static void make(ttx *t, uint32_t sender, uint64_t nonce, uint32_t pad)
{
    cairn_tx tx;
    cairn_buf b;
    uint8_t body[40 + 256] = {0};
    memset(&tx, 0, sizeof tx);
    assert_int_equal(cairn_tx_set_chain(&tx, "mp"), CAIRN_OK);
    sender_key(&tx.sender, sender);
    tx.nonce = nonce;
    tx.fee = 1;
    tx.kind = CAIRN_TX_TRANSFER;
    tx.body = body;
    tx.body_len = 40 + (pad % 256);
    memcpy(body + 32, &nonce, 8);
    cairn_buf_init(&b, CAIRN_TX_MAX_BYTES);
    cairn_tx_encode(&tx, &b);
    assert_int_equal(b.err, CAIRN_OK);
    t->p = b.p; /* owned now */
    t->n = b.len;
    assert_int_equal(cairn_tx_decode(&t->tx, t->p, t->n), CAIRN_OK);
    cairn_tx_hash(&t->h, t->p, t->n);
}

static cairn_err add(cairn_mempool *mp, uint32_t sender, uint64_t nonce,
                     uint64_t committed)
{
    ttx t;
    make(&t, sender, nonce, 0);
    cairn_err e = cairn_mempool_add(mp, t.p, t.n, &t.tx, &t.h, committed);
    free(t.p); /* the mempool copied it */
    return e;
}

/* Pops up to max and checks each entry is self-consistent. */
static size_t pop(cairn_mempool *mp, cairn_mp_entry *out, size_t max)
{
    size_t k = cairn_mempool_pop(mp, out, max);
    for (size_t i = 0; i < k; i++) {
        cairn_tx tx;
        cairn_hash h;
        assert_int_equal(cairn_tx_decode(&tx, out[i].bytes, out[i].n),
                         CAIRN_OK);
        assert_true(tx.nonce == out[i].tx.nonce);
        assert_memory_equal(tx.sender.b, out[i].tx.sender.b, 32);
        /* the entry's body points into its own bytes */
        assert_ptr_equal(out[i].tx.body,
                         out[i].bytes + (tx.body - out[i].bytes));
        assert_int_equal(out[i].tx.body_len, tx.body_len);
        cairn_tx_hash(&h, out[i].bytes, out[i].n);
        assert_memory_equal(h.b, out[i].hash.b, 32);
    }
    return k;
}

static void free_entries(cairn_mp_entry *e, size_t n)
{
    for (size_t i = 0; i < n; i++)
        cairn_mp_entry_free(&e[i]);
}

static void nonce_order_and_errors(void **st)
{
    cairn_mempool *mp = cairn_mempool_new(100, 1 << 20);
    cairn_mp_entry out[16];
    assert_non_null(mp);
    /* committed nonce 5 */
    assert_int_equal(add(mp, 1, 4, 5), CAIRN_ERR_NONCE_USED);
    assert_int_equal(add(mp, 1, 6, 5), CAIRN_ERR_NONCE_GAP);
    assert_int_equal(add(mp, 1, 5, 5), CAIRN_OK);
    assert_int_equal(add(mp, 1, 5, 5), CAIRN_ERR_DUPLICATE);
    assert_int_equal(add(mp, 1, 7, 5), CAIRN_ERR_NONCE_GAP);
    assert_int_equal(add(mp, 1, 6, 5), CAIRN_OK);
    assert_int_equal(add(mp, 1, 6, 5), CAIRN_ERR_DUPLICATE);
    assert_int_equal(add(mp, 1, 4, 5), CAIRN_ERR_NONCE_USED);
    assert_int_equal(add(mp, 1, 7, 5), CAIRN_OK);
    /* a committed nonce beyond the queue's base: stale */
    assert_int_equal(add(mp, 1, 8, 6), CAIRN_ERR_NONCE_USED);
    assert_int_equal(cairn_mempool_count(mp), 3);
    cairn_pubkey pk;
    sender_key(&pk, 1);
    assert_int_equal(cairn_mempool_pending(mp, &pk), 3);
    sender_key(&pk, 2);
    assert_int_equal(cairn_mempool_pending(mp, &pk), 0);
    size_t k = pop(mp, out, 16);
    assert_int_equal(k, 3);
    for (size_t i = 0; i < 3; i++)
        assert_true(out[i].tx.nonce == 5 + i);
    free_entries(out, k);
    assert_int_equal(cairn_mempool_count(mp), 0);
    assert_int_equal(pop(mp, out, 16), 0);
    /* the sender's queue is gone: the next add starts from committed */
    assert_int_equal(add(mp, 1, 8, 8), CAIRN_OK);
    cairn_mempool_free(mp);
}

static void fifo_across_senders(void **st)
{
    cairn_mempool *mp = cairn_mempool_new(100, 1 << 20);
    cairn_mp_entry out[32];
    /* arrivals interleaved: 3, 1, 2, 1, 3, 2, 1 */
    assert_int_equal(add(mp, 3, 0, 0), CAIRN_OK);
    assert_int_equal(add(mp, 1, 10, 10), CAIRN_OK);
    assert_int_equal(add(mp, 2, 0, 0), CAIRN_OK);
    assert_int_equal(add(mp, 1, 11, 10), CAIRN_OK);
    assert_int_equal(add(mp, 3, 1, 0), CAIRN_OK);
    assert_int_equal(add(mp, 2, 1, 0), CAIRN_OK);
    assert_int_equal(add(mp, 1, 12, 10), CAIRN_OK);
    /* whole queues in the senders' order of arrival: 3, 1, 2 */
    const uint32_t ws[] = {3, 3, 1, 1, 1, 2, 2};
    const uint64_t wn[] = {0, 1, 10, 11, 12, 0, 1};
    size_t k = pop(mp, out, 32);
    assert_int_equal(k, 7);
    for (size_t i = 0; i < k; i++) {
        assert_int_equal(sender_id(&out[i].tx.sender), ws[i]);
        assert_true(out[i].tx.nonce == wn[i]);
    }
    free_entries(out, k);
    cairn_mempool_free(mp);
}

static void pop_max_and_unpop(void **st)
{
    cairn_mempool *mp = cairn_mempool_new(100, 1 << 20);
    cairn_mp_entry out[32];
    for (uint64_t i = 0; i < 4; i++)
        assert_int_equal(add(mp, 1, i, 0), CAIRN_OK);
    for (uint64_t i = 0; i < 3; i++)
        assert_int_equal(add(mp, 2, i, 0), CAIRN_OK);
    /* pop with max stops inside a queue */
    size_t k = pop(mp, out, 2);
    assert_int_equal(k, 2);
    assert_true(out[0].tx.nonce == 0 && out[1].tx.nonce == 1);
    assert_int_equal(cairn_mempool_count(mp), 5);
    cairn_pubkey p1, p2;
    sender_key(&p1, 1);
    sender_key(&p2, 2);
    assert_int_equal(cairn_mempool_pending(mp, &p1), 2);
    /* sender 1's next nonce is 4 again */
    assert_int_equal(add(mp, 1, 3, 0), CAIRN_ERR_DUPLICATE);
    /* unpop puts them back ahead of sender 1's remaining ones */
    cairn_mempool_unpop(mp, out, k);
    assert_int_equal(cairn_mempool_count(mp), 7);
    assert_int_equal(cairn_mempool_pending(mp, &p1), 4);
    assert_int_equal(add(mp, 1, 4, 0), CAIRN_OK);
    k = pop(mp, out, 32);
    assert_int_equal(k, 8);
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(sender_id(&out[i].tx.sender), 1);
        assert_true(out[i].tx.nonce == i);
    }
    for (size_t i = 5; i < 8; i++) {
        assert_int_equal(sender_id(&out[i].tx.sender), 2);
        assert_true(out[i].tx.nonce == i - 5);
    }
    /* unpop of whole queues: senders return to the front, in the order
     * given, each queue in nonce order; later arrivals queue behind */
    assert_int_equal(add(mp, 9, 0, 0), CAIRN_OK);
    cairn_mempool_unpop(mp, out, k);
    assert_int_equal(cairn_mempool_count(mp), 9);
    assert_int_equal(add(mp, 2, 3, 0), CAIRN_OK); /* next after unpopped 0..2 */
    assert_int_equal(add(mp, 1, 4, 0), CAIRN_ERR_DUPLICATE);
    k = pop(mp, out, 32);
    assert_int_equal(k, 10);
    const uint32_t ws[] = {1, 1, 1, 1, 1, 2, 2, 2, 2, 9};
    const uint64_t wn[] = {0, 1, 2, 3, 4, 0, 1, 2, 3, 0};
    for (size_t i = 0; i < k; i++) {
        assert_int_equal(sender_id(&out[i].tx.sender), ws[i]);
        assert_true(out[i].tx.nonce == wn[i]);
    }
    free_entries(out, k);
    assert_int_equal(cairn_mempool_count(mp), 0);
    cairn_mempool_free(mp);
}

/* Unpop into a queue that has been emptied to its front and grown again,
 * so that the entries must be moved to make room. */
static void unpop_into_grown_queue(void **st)
{
    cairn_mempool *mp = cairn_mempool_new(100, 1 << 20);
    cairn_mp_entry out[32];
    for (uint64_t i = 0; i < 3; i++)
        assert_int_equal(add(mp, 1, i, 0), CAIRN_OK);
    size_t k = pop(mp, out, 1); /* nonce 0 out; head = 1 */
    assert_int_equal(k, 1);
    for (uint64_t i = 3; i < 12; i++) /* grows, slides the queue down */
        assert_int_equal(add(mp, 1, i, 0), CAIRN_OK);
    cairn_mempool_unpop(mp, out, 1); /* head may be 0 now */
    k = pop(mp, out, 32);
    assert_int_equal(k, 12);
    for (size_t i = 0; i < k; i++)
        assert_true(out[i].tx.nonce == i);
    free_entries(out, k);
    cairn_mempool_free(mp);
}

static void drop_sender(void **st)
{
    cairn_mempool *mp = cairn_mempool_new(100, 1 << 20);
    cairn_mp_entry out[32];
    cairn_hash hs[8];
    ttx t[5];
    for (uint64_t i = 0; i < 5; i++) {
        make(&t[i], 7, i, 0);
        assert_int_equal(
            cairn_mempool_add(mp, t[i].p, t[i].n, &t[i].tx, &t[i].h, 0),
            CAIRN_OK);
    }
    assert_int_equal(add(mp, 8, 0, 0), CAIRN_OK);
    cairn_pubkey p7, p9;
    sender_key(&p7, 7);
    sender_key(&p9, 9);
    assert_int_equal(cairn_mempool_drop_sender(mp, &p9, hs, 8), 0);
    /* hashes handed back in nonce order, limited to max; all five go, and
     * the return value is the number of hashes written (3), not the five
     * dropped as mempool.h says: callers must not count on it */
    assert_int_equal(cairn_mempool_drop_sender(mp, &p7, hs, 3), 3);
    for (size_t i = 0; i < 3; i++)
        assert_memory_equal(hs[i].b, t[i].h.b, 32);
    assert_int_equal(cairn_mempool_count(mp), 1);
    assert_int_equal(cairn_mempool_pending(mp, &p7), 0);
    assert_int_equal(cairn_mempool_drop_sender(mp, &p7, hs, 8), 0);
    /* the sender can start again from its committed nonce */
    assert_int_equal(add(mp, 7, 2, 2), CAIRN_OK);
    /* without an output array: just the count */
    assert_int_equal(add(mp, 7, 3, 2), CAIRN_OK);
    assert_int_equal(cairn_mempool_drop_sender(mp, &p7, NULL, 0), 2);
    size_t k = pop(mp, out, 32);
    assert_int_equal(k, 1);
    assert_int_equal(sender_id(&out[0].tx.sender), 8);
    free_entries(out, k);
    for (size_t i = 0; i < 5; i++)
        free(t[i].p);
    cairn_mempool_free(mp);
}

static void bounds(void **st)
{
    /* count */
    cairn_mempool *mp = cairn_mempool_new(5, 1 << 20);
    for (uint32_t s = 0; s < 5; s++)
        assert_int_equal(add(mp, s, 0, 0), CAIRN_OK);
    assert_int_equal(add(mp, 9, 0, 0), CAIRN_ERR_MEMPOOL_FULL);
    assert_int_equal(add(mp, 0, 1, 0), CAIRN_ERR_MEMPOOL_FULL);
    assert_int_equal(cairn_mempool_count(mp), 5);
    cairn_mp_entry out[8];
    size_t k = pop(mp, out, 1);
    free_entries(out, k);
    assert_int_equal(add(mp, 9, 0, 0), CAIRN_OK);
    cairn_mempool_free(mp);

    /* bytes */
    ttx t;
    make(&t, 1, 0, 0);
    size_t one = t.n;
    free(t.p);
    mp = cairn_mempool_new(1000, 3 * one);
    for (uint64_t i = 0; i < 3; i++)
        assert_int_equal(add(mp, 1, i, 0), CAIRN_OK);
    assert_int_equal(add(mp, 1, 3, 0), CAIRN_ERR_MEMPOOL_FULL);
    assert_int_equal(add(mp, 2, 0, 0), CAIRN_ERR_MEMPOOL_FULL);
    k = pop(mp, out, 1);
    /* a bigger one does not fit where a small one left */
    make(&t, 2, 0, 1);
    assert_int_equal(cairn_mempool_add(mp, t.p, t.n, &t.tx, &t.h, 0),
                     CAIRN_ERR_MEMPOOL_FULL);
    free(t.p);
    assert_int_equal(add(mp, 2, 0, 0), CAIRN_OK);
    /* unpop may exceed the bound (the entries were already admitted) */
    cairn_mempool_unpop(mp, out, k);
    assert_int_equal(cairn_mempool_count(mp), 4);
    assert_int_equal(add(mp, 3, 0, 0), CAIRN_ERR_MEMPOOL_FULL);
    cairn_mempool_free(mp);

    /* per sender */
    mp = cairn_mempool_new(CAIRN_MEMPOOL_PER_SENDER + 10, 1u << 30);
    for (uint64_t i = 0; i < CAIRN_MEMPOOL_PER_SENDER; i++)
        assert_int_equal(add(mp, 1, i, 0), CAIRN_OK);
    assert_int_equal(add(mp, 1, CAIRN_MEMPOOL_PER_SENDER, 0),
                     CAIRN_ERR_MEMPOOL_FULL);
    assert_int_equal(add(mp, 2, 0, 0), CAIRN_OK);
    cairn_mempool_free(mp);
}

/* ---- randomized stress against a model ---- */

#define NS 64

typedef struct model {
    uint64_t committed[NS]; /* next nonce the "chain" expects */
    uint64_t pending[NS];   /* entries pending in the mempool */
    size_t count;
} model;

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;
static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static void stress(void **st)
{
    enum { MAXTX = 500 };
    cairn_mempool *mp = cairn_mempool_new(MAXTX, 1u << 30);
    model m;
    cairn_mp_entry out[64];
    memset(&m, 0, sizeof m);
    for (int op = 0; op < 50000; op++) {
        uint32_t s = (uint32_t)(rnd() % NS);
        cairn_pubkey pk;
        sender_key(&pk, s);
        unsigned r = (unsigned)(rnd() % 100);
        if (r < 60) { /* add: usually the right nonce, sometimes wrong */
            uint64_t next = m.committed[s] + m.pending[s];
            uint64_t nonce = next;
            unsigned w = (unsigned)(rnd() % 10);
            if (w == 0 && next > 0)
                nonce = next - 1 - rnd() % next;
            else if (w == 1)
                nonce = next + 1 + rnd() % 3;
            cairn_err want = CAIRN_OK;
            if (nonce < m.committed[s])
                want = CAIRN_ERR_NONCE_USED;
            else if (nonce < next)
                want = CAIRN_ERR_DUPLICATE;
            else if (nonce > next)
                want = CAIRN_ERR_NONCE_GAP;
            else if (m.count >= MAXTX)
                want = CAIRN_ERR_MEMPOOL_FULL;
            cairn_err e = add(mp, s, nonce, m.committed[s]);
            if (e != want)
                fail_msg("op %d: add sender %u nonce %llu: got %d want %d", op,
                         s, (unsigned long long)nonce, e, want);
            if (!e) {
                m.pending[s]++;
                m.count++;
            }
        } else if (r < 85) { /* pop some, commit most, unpop the rest */
            size_t max = (size_t)(rnd() % 64);
            size_t k = pop(mp, out, max);
            assert_true(k == (m.count < max ? m.count : max));
            size_t keep = k ? (size_t)(rnd() % (k + 1)) : 0;
            /* entries are each sender's lowest pending nonces, in order */
            uint64_t expect[NS];
            memcpy(expect, m.committed, sizeof expect);
            for (size_t i = 0; i < k; i++) {
                uint32_t id = sender_id(&out[i].tx.sender);
                assert_true(id < NS);
                if (out[i].tx.nonce != expect[id]++)
                    fail_msg(
                        "op %d: popped #%zu of %zu (max %zu): sender %u nonce "
                        "%llu, want %llu",
                        op, i, k, max, id, (unsigned long long)out[i].tx.nonce,
                        (unsigned long long)expect[id] - 1);
                if (i < keep) { /* "committed" */
                    m.committed[id]++;
                    m.pending[id]--;
                    m.count--;
                }
            }
            /* the rest go back, unless a sender's run was broken */
            if (k > keep)
                cairn_mempool_unpop(mp, out + keep, k - keep);
            free_entries(out, keep);
        } else if (r < 92) { /* drop a sender */
            size_t k = cairn_mempool_drop_sender(mp, &pk, NULL, 0);
            assert_true(k == m.pending[s]);
            m.count -= k;
            m.pending[s] = 0;
        } else if (r < 95) { /* the chain moves a sender on by itself:
                                 only when nothing is pending for it */
            if (m.pending[s] == 0)
                m.committed[s] += 1 + rnd() % 3;
        } else {
            assert_int_equal(cairn_mempool_pending(mp, &pk), m.pending[s]);
        }
        assert_int_equal(cairn_mempool_count(mp), m.count);
    }
    size_t total = 0;
    for (uint32_t s = 0; s < NS; s++) {
        cairn_pubkey pk;
        sender_key(&pk, s);
        assert_int_equal(cairn_mempool_pending(mp, &pk), m.pending[s]);
        total += m.pending[s];
    }
    assert_int_equal(total, m.count);
    /* drain: every sender's entries from its committed nonce, in order */
    uint64_t seen[NS];
    memcpy(seen, m.committed, sizeof seen);
    size_t k;
    while ((k = pop(mp, out, 64)) > 0) {
        for (size_t i = 0; i < k; i++) {
            uint32_t id = sender_id(&out[i].tx.sender);
            assert_true(out[i].tx.nonce == seen[id]);
            seen[id]++;
        }
        free_entries(out, k);
        total -= k;
    }
    assert_int_equal(total, 0);
    assert_int_equal(cairn_mempool_count(mp), 0);
    cairn_mempool_free(mp);
}

/* Many distinct senders, added and popped repeatedly: every round leaves
 * a table full of tombstones, which the next round's inserts must reuse
 * or rehash away. */
static void many_senders(void **st)
{
    enum { N = 20000, ROUNDS = 10 };
    cairn_mempool *mp = cairn_mempool_new(N, 1u << 30);
    cairn_mp_entry *out = calloc(N, sizeof *out);
    uint64_t *nonce = calloc((ROUNDS + 2) * N / 2, sizeof *nonce);
    assert_non_null(out);
    for (int round = 0; round < ROUNDS; round++) {
        /* half the senders are new each round */
        uint32_t base = (uint32_t)round * (N / 2);
        for (uint32_t i = 0; i < N; i++) {
            uint32_t s = base + i;
            assert_int_equal(add(mp, s, nonce[s], nonce[s]), CAIRN_OK);
        }
        assert_int_equal(cairn_mempool_count(mp), N);
        assert_int_equal(add(mp, 0xfffffff0u, 0, 0), CAIRN_ERR_MEMPOOL_FULL);
        for (uint32_t i = 0; i < N; i += 997) {
            cairn_pubkey pk;
            sender_key(&pk, base + i);
            assert_int_equal(cairn_mempool_pending(mp, &pk), 1);
            assert_int_equal(
                add(mp, base + i, nonce[base + i], nonce[base + i]),
                CAIRN_ERR_DUPLICATE);
        }
        /* pop in chunks; senders come out in arrival order */
        size_t got = 0;
        while (got < N) {
            size_t k = pop(mp, out + got, 3001);
            assert_true(k > 0);
            got += k;
        }
        for (uint32_t i = 0; i < N; i++) {
            assert_int_equal(sender_id(&out[i].tx.sender), base + i);
            nonce[base + i]++;
        }
        /* put a third back, then drop a few senders, then pop again */
        if (round % 2 == 0) {
            for (uint32_t i = 0; i < N / 3; i++)
                nonce[base + i]--;
            cairn_mempool_unpop(mp, out, N / 3);
            free_entries(out + N / 3, N - N / 3);
            for (uint32_t i = 0; i < N / 3; i += 2) {
                cairn_pubkey pk;
                sender_key(&pk, base + i);
                assert_int_equal(cairn_mempool_drop_sender(mp, &pk, NULL, 0),
                                 1);
            }
            size_t left = cairn_mempool_count(mp);
            assert_int_equal(left, N / 3 - (N / 3 + 1) / 2);
            size_t k = pop(mp, out, N);
            assert_int_equal(k, left);
            for (size_t i = 0; i < k; i++) { /* in the order unpopped */
                uint32_t id = sender_id(&out[i].tx.sender);
                assert_int_equal(id, base + 1 + 2 * i);
                nonce[id]++;
            }
            free_entries(out, k);
        } else {
            free_entries(out, N);
        }
        assert_int_equal(cairn_mempool_count(mp), 0);
    }
    cairn_mempool_free(mp);
    free(out);
    free(nonce);
}

int main(void)
{
    cairn_crypto_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(nonce_order_and_errors),
        cmocka_unit_test(fifo_across_senders),
        cmocka_unit_test(pop_max_and_unpop),
        cmocka_unit_test(unpop_into_grown_queue),
        cmocka_unit_test(drop_sender),
        cmocka_unit_test(bounds),
        cmocka_unit_test(stress),
        cmocka_unit_test(many_senders),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
