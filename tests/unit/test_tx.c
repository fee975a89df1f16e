/* Unit tests of the transaction envelope and block codecs (ledger/tx.c,
 * ledger/block.c): round trips, signatures, every malformation with its own
 * error, and the fixed vectors in tests/vectors/tx_transfer.txt and
 * tests/vectors/block_header.txt (generated independently in Python). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/block.h"
#include "cairn/codec.h"
#include "cairn/crypto.h"
#include "cairn/merkle.h"
#include "cairn/tx.h"

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
    assert_true(x->term == y->term);
    assert_int_equal(x->tx_count, y->tx_count);
    assert_memory_equal(x->sig.b, y->sig.b, 64);
}

static void seed_key(cairn_keypair *kp, uint8_t fill)
{
    uint8_t seed[CAIRN_SEED_LEN];
    memset(seed, fill, sizeof seed);
    cairn_keypair_from_seed(kp, seed);
}

/* A signed transfer from seed 0x01 to seed 0x02's key, encoded into b. */
static void sample_tx(cairn_buf *b, uint64_t nonce, uint64_t amount)
{
    cairn_keypair a, c;
    seed_key(&a, 1);
    seed_key(&c, 2);
    cairn_buf_init(b, CAIRN_TX_MAX_BYTES);
    assert_int_equal(
        cairn_tx_make_transfer(b, "cairn-test", &a, nonce, 1000, &c.pk, amount),
        CAIRN_OK);
}

/* Encodes and signs an arbitrary envelope. */
static void build_tx(cairn_buf *b, const char *chain, uint16_t kind,
                     const uint8_t *body, uint32_t body_len)
{
    cairn_tx tx;
    cairn_keypair a;
    seed_key(&a, 1);
    memset(&tx, 0, sizeof tx);
    assert_int_equal(cairn_tx_set_chain(&tx, chain), CAIRN_OK);
    tx.nonce = 3;
    tx.fee = 77;
    tx.kind = kind;
    tx.body = body;
    tx.body_len = body_len;
    assert_int_equal(cairn_tx_sign(&tx, &a), CAIRN_OK);
    cairn_buf_init(b, CAIRN_TX_MAX_BYTES + 1024);
    cairn_tx_encode(&tx, b);
    assert_int_equal(b->err, CAIRN_OK);
}

/* Offset of the body length field in an encoding with chain id length L. */
static size_t body_len_off(size_t L)
{
    return 1 + 1 + L + 32 + 8 + 8 + 2;
}

/* ---- envelope ---- */

static void tx_roundtrip(void **st)
{
    cairn_buf b, b2;
    cairn_tx tx;
    cairn_transfer t;
    cairn_keypair a, c;
    seed_key(&a, 1);
    seed_key(&c, 2);
    sample_tx(&b, 5, 123456);
    assert_int_equal(b.len, 1 + 1 + 10 + 32 + 8 + 8 + 2 + 4 + 40 + 64);
    assert_int_equal(cairn_tx_decode(&tx, b.p, b.len), CAIRN_OK);
    assert_int_equal(tx.chain_id_len, 10);
    assert_memory_equal(tx.chain_id, "cairn-test", 10);
    assert_memory_equal(tx.sender.b, a.pk.b, 32);
    assert_true(tx.nonce == 5);
    assert_true(tx.fee == 1000);
    assert_int_equal(tx.kind, CAIRN_TX_TRANSFER);
    assert_int_equal(tx.body_len, 40);
    assert_ptr_equal(tx.body, b.p + body_len_off(10) + 4); /* borrowed */
    assert_int_equal(cairn_transfer_decode(&t, tx.body, tx.body_len), CAIRN_OK);
    assert_memory_equal(t.to.b, c.pk.b, 32);
    assert_true(t.amount == 123456);
    /* re-encoding gives the same bytes */
    cairn_buf_init(&b2, CAIRN_TX_MAX_BYTES);
    cairn_tx_encode(&tx, &b2);
    assert_int_equal(b2.err, CAIRN_OK);
    assert_int_equal(b2.len, b.len);
    assert_memory_equal(b2.p, b.p, b.len);
    cairn_buf_free(&b2);
    cairn_buf_free(&b);
}

static void tx_sign_verify(void **st)
{
    cairn_buf b;
    cairn_tx tx;
    cairn_hash h1, h2;
    sample_tx(&b, 0, 1);
    assert_int_equal(cairn_tx_decode(&tx, b.p, b.len), CAIRN_OK);
    assert_int_equal(cairn_tx_verify(&tx, b.p, b.len), CAIRN_OK);
    /* a signature over different bytes fails */
    assert_int_equal(cairn_tx_verify(&tx, b.p, b.len - 1), CAIRN_ERR_BAD_SIG);
    assert_int_equal(cairn_tx_verify(&tx, b.p, 63), CAIRN_ERR_TRUNCATED);
    /* another key claims to be the sender */
    cairn_keypair other;
    seed_key(&other, 9);
    tx.sender = other.pk;
    assert_int_equal(cairn_tx_verify(&tx, b.p, b.len), CAIRN_ERR_BAD_SIG);
    /* hash is BLAKE2b-256 of the whole encoding */
    cairn_tx_hash(&h1, b.p, b.len);
    cairn_hash_bytes(&h2, b.p, b.len);
    assert_memory_equal(h1.b, h2.b, 32);
    cairn_buf_free(&b);
}

static void tx_truncated_every_prefix(void **st)
{
    cairn_buf b;
    cairn_tx tx;
    sample_tx(&b, 1, 2);
    for (size_t n = 0; n < b.len; n++) {
        uint8_t *copy = malloc(n ? n : 1); /* exact size: ASan sees overreads */
        memcpy(copy, b.p, n);
        cairn_err e = cairn_tx_decode(&tx, copy, n);
        if (e != CAIRN_ERR_TRUNCATED)
            fail_msg("prefix of %zu bytes: got %d", n, e);
        free(copy);
    }
    cairn_buf_free(&b);
}

static void tx_too_large(void **st)
{
    cairn_buf b;
    cairn_tx tx;
    /* a body one byte over the bound, bytes all present */
    uint8_t *body = calloc(1, CAIRN_TX_BODY_MAX + 1);
    build_tx(&b, "c", CAIRN_TX_TRANSFER, body, CAIRN_TX_BODY_MAX + 1);
    assert_true(b.len <= CAIRN_TX_MAX_BYTES);
    assert_int_equal(cairn_tx_decode(&tx, b.p, b.len), CAIRN_ERR_TOO_LARGE);
    cairn_buf_free(&b);
    /* exactly at the bound: fine */
    build_tx(&b, "c", CAIRN_TX_TRANSFER, body, CAIRN_TX_BODY_MAX);
    assert_int_equal(cairn_tx_decode(&tx, b.p, b.len), CAIRN_OK);
    assert_int_equal(tx.body_len, CAIRN_TX_BODY_MAX);
    assert_int_equal(cairn_tx_verify(&tx, b.p, b.len), CAIRN_OK);
    cairn_buf_free(&b);
    free(body);
    /* a huge length field with nothing behind it */
    sample_tx(&b, 0, 1);
    size_t off = body_len_off(10);
    b.p[off] = b.p[off + 1] = b.p[off + 2] = b.p[off + 3] = 0xff;
    assert_int_equal(cairn_tx_decode(&tx, b.p, b.len), CAIRN_ERR_TOO_LARGE);
    cairn_buf_free(&b);
    /* input longer than any transaction can be */
    uint8_t *big = calloc(1, CAIRN_TX_MAX_BYTES + 1);
    big[0] = CAIRN_TX_MAGIC;
    assert_int_equal(cairn_tx_decode(&tx, big, CAIRN_TX_MAX_BYTES + 1),
                     CAIRN_ERR_TOO_LARGE);
    free(big);
}

static void tx_trailing(void **st)
{
    cairn_buf b;
    cairn_tx tx;
    sample_tx(&b, 0, 1);
    cairn_put_u8(&b, 0);
    assert_int_equal(cairn_tx_decode(&tx, b.p, b.len), CAIRN_ERR_TRAILING);
    cairn_buf_free(&b);
}

static void tx_bad_magic(void **st)
{
    cairn_buf b;
    cairn_tx tx;
    const uint8_t bad[] = {0x00, 0xC0, 0xC2, CAIRN_BLOCK_MAGIC, 0xff};
    sample_tx(&b, 0, 1);
    for (size_t i = 0; i < sizeof bad; i++) {
        b.p[0] = bad[i];
        assert_int_equal(cairn_tx_decode(&tx, b.p, b.len),
                         CAIRN_ERR_BAD_VERSION);
    }
    /* bad magic is reported even for a one-byte input */
    assert_int_equal(cairn_tx_decode(&tx, bad, 1), CAIRN_ERR_BAD_VERSION);
    cairn_buf_free(&b);
}

/* Rewrites the chain id field of an encoded tx (signature left stale). */
static void with_chain_id(cairn_buf *out, const cairn_buf *in, const char *id,
                          size_t idlen)
{
    size_t L = in->p[1];
    cairn_buf_init(out, CAIRN_TX_MAX_BYTES + 64);
    cairn_put_u8(out, in->p[0]);
    cairn_put_u8(out, (uint8_t)idlen);
    cairn_put_bytes(out, id, idlen);
    cairn_put_bytes(out, in->p + 2 + L, in->len - 2 - L);
    assert_int_equal(out->err, CAIRN_OK);
}

static void tx_chain_id_bounds(void **st)
{
    cairn_buf b, m;
    cairn_tx tx;
    const char *id33 = "abcdefghijabcdefghijabcdefghijabc";
    sample_tx(&b, 0, 1);
    with_chain_id(&m, &b, "", 0);
    assert_int_equal(cairn_tx_decode(&tx, m.p, m.len), CAIRN_ERR_CHAIN_ID);
    cairn_buf_free(&m);
    with_chain_id(&m, &b, id33, 33);
    assert_int_equal(cairn_tx_decode(&tx, m.p, m.len), CAIRN_ERR_TOO_LARGE);
    cairn_buf_free(&m);
    with_chain_id(&m, &b, id33, 32); /* 32 is the maximum */
    assert_int_equal(cairn_tx_decode(&tx, m.p, m.len), CAIRN_OK);
    assert_int_equal(tx.chain_id_len, 32);
    cairn_buf_free(&m);
    with_chain_id(&m, &b, "a b", 3); /* not printable without spaces */
    assert_int_equal(cairn_tx_decode(&tx, m.p, m.len), CAIRN_ERR_CHAIN_ID);
    cairn_buf_free(&m);
    with_chain_id(&m, &b, "a\x7f", 2);
    assert_int_equal(cairn_tx_decode(&tx, m.p, m.len), CAIRN_ERR_CHAIN_ID);
    cairn_buf_free(&m);
    with_chain_id(&m, &b, "a\x80", 2);
    assert_int_equal(cairn_tx_decode(&tx, m.p, m.len), CAIRN_ERR_CHAIN_ID);
    cairn_buf_free(&m);
    cairn_buf_free(&b);

    memset(&tx, 0, sizeof tx);
    assert_int_equal(cairn_tx_set_chain(&tx, ""), CAIRN_ERR_BAD_ARG);
    assert_int_equal(cairn_tx_set_chain(&tx, id33), CAIRN_ERR_BAD_ARG);
    assert_int_equal(cairn_tx_set_chain(&tx, "a b"), CAIRN_ERR_BAD_ARG);
    assert_int_equal(cairn_tx_set_chain(&tx, "cairn-1"), CAIRN_OK);
    assert_int_equal(tx.chain_id_len, 7);
    assert_string_equal(tx.chain_id, "cairn-1");
    cairn_keypair kp;
    cairn_pubkey to = {{0}};
    seed_key(&kp, 1);
    cairn_buf_init(&b, CAIRN_TX_MAX_BYTES);
    assert_int_equal(cairn_tx_make_transfer(&b, id33, &kp, 0, 1, &to, 1),
                     CAIRN_ERR_BAD_ARG);
    cairn_buf_free(&b);
}

static void tx_every_bit_flip_fails(void **st)
{
    cairn_buf b;
    cairn_tx tx;
    sample_tx(&b, 9, 4242);
    for (size_t i = 0; i < b.len; i++) {
        for (int bit = 0; bit < 8; bit++) {
            b.p[i] ^= (uint8_t)(1u << bit);
            cairn_err e = cairn_tx_decode(&tx, b.p, b.len);
            if (e == CAIRN_OK)
                e = cairn_tx_verify(&tx, b.p, b.len);
            if (e == CAIRN_OK)
                fail_msg("flipping bit %d of byte %zu still verifies", bit, i);
            b.p[i] ^= (uint8_t)(1u << bit);
        }
    }
    assert_int_equal(cairn_tx_decode(&tx, b.p, b.len), CAIRN_OK);
    assert_int_equal(cairn_tx_verify(&tx, b.p, b.len), CAIRN_OK);
    cairn_buf_free(&b);
}

static void transfer_body_sizes(void **st)
{
    uint8_t body[48] = {0};
    cairn_transfer t = {.amount = 0x0102030405060708ULL};
    memset(t.to.b, 0xab, 32);
    cairn_transfer_encode(body, &t);
    assert_int_equal(body[32], 0x08); /* little-endian amount */
    assert_int_equal(body[39], 0x01);
    cairn_transfer got;
    assert_int_equal(cairn_transfer_decode(&got, body, 40), CAIRN_OK);
    assert_memory_equal(got.to.b, t.to.b, 32);
    assert_true(got.amount == t.amount);
    for (size_t n = 0; n <= sizeof body; n++)
        if (n != 40)
            assert_int_equal(cairn_transfer_decode(&got, body, n),
                             CAIRN_ERR_BAD_BODY);
}

/* ---- vectors ---- */

typedef struct kv {
    char key[32];
    char *val;
} kv;

/* Reads the next vector: key=value lines up to and including `last`.
 * Returns the number of pairs, 0 at end of file. */
static size_t read_vector(FILE *f, kv *out, size_t max, const char *last)
{
    static char line[1 << 16];
    size_t n = 0;
    while (fgets(line, sizeof line, f)) {
        size_t len = strlen(line);
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (len == 0 || line[0] == '#')
            continue;
        char *eq = strchr(line, '=');
        assert_non_null(eq);
        assert_true(n < max);
        assert_true((size_t)(eq - line) < sizeof out[n].key);
        memcpy(out[n].key, line, (size_t)(eq - line));
        out[n].key[eq - line] = '\0';
        out[n].val = strdup(eq + 1);
        if (strcmp(out[n++].key, last) == 0)
            return n;
    }
    assert_int_equal(n, 0); /* no half vector at the end */
    return 0;
}

static const char *get(const kv *v, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i].key, key) == 0)
            return v[i].val;
    fail_msg("vector lacks %s", key);
    return NULL;
}

static uint64_t get_u64(const kv *v, size_t n, const char *key)
{
    const char *s = get(v, n, key);
    char *end;
    uint64_t x = strtoull(s, &end, 10);
    assert_true(*s && *end == '\0');
    return x;
}

static void get_hex(const kv *v, size_t n, const char *key, void *out,
                    size_t len)
{
    const char *s = get(v, n, key);
    assert_int_equal(cairn_hex_decode(out, len, s, strlen(s)), CAIRN_OK);
}

static void free_kv(kv *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i].val);
}

static FILE *open_vectors(const char *name)
{
    char path[4096];
    const char *src = getenv("CAIRN_SRC");
    assert_non_null(src);
    snprintf(path, sizeof path, "%s/tests/vectors/%s", src, name);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    return f;
}

/* Raw bytes of each vector, by name, for the block vector. */
typedef struct named_tx {
    char name[32];
    uint8_t *p;
    size_t n;
} named_tx;

static size_t load_tx_vectors(named_tx *out, size_t max, int check)
{
    FILE *f = open_vectors("tx_transfer.txt");
    kv v[32];
    size_t n, count = 0;
    while ((n = read_vector(f, v, 32, "hash"))) {
        cairn_keypair kp;
        uint8_t seed[32];
        cairn_pubkey to, sender;
        cairn_hash want_hash, got_hash;
        cairn_buf b;
        uint8_t *want;
        size_t want_n;
        const char *chain = get(v, n, "chain_id");
        get_hex(v, n, "seed", seed, 32);
        get_hex(v, n, "to", to.b, 32);
        get_hex(v, n, "sender", sender.b, 32);
        get_hex(v, n, "hash", want_hash.b, 32);
        assert_int_equal(cairn_hex_decode_alloc(&want, &want_n,
                                                get(v, n, "bytes"),
                                                CAIRN_TX_MAX_BYTES),
                         CAIRN_OK);
        uint64_t nonce = get_u64(v, n, "nonce"), fee = get_u64(v, n, "fee"),
                 amount = get_u64(v, n, "amount");
        assert_true(get_u64(v, n, "kind") == CAIRN_TX_TRANSFER);
        if (check) {
            /* the key and address derive from the seed */
            char addr[CAIRN_ADDR_TEXT_LEN + 1];
            cairn_pubkey parsed;
            cairn_keypair_from_seed(&kp, seed);
            assert_memory_equal(kp.pk.b, sender.b, 32);
            cairn_addr_format(addr, &kp.pk);
            assert_string_equal(addr, get(v, n, "sender_addr"));
            assert_int_equal(cairn_addr_parse(&parsed, addr), CAIRN_OK);
            assert_memory_equal(parsed.b, sender.b, 32);
            /* building from the fields gives exactly the bytes */
            cairn_buf_init(&b, CAIRN_TX_MAX_BYTES);
            assert_int_equal(
                cairn_tx_make_transfer(&b, chain, &kp, nonce, fee, &to, amount),
                CAIRN_OK);
            assert_int_equal(b.len, want_n);
            assert_memory_equal(b.p, want, want_n);
            cairn_tx_hash(&got_hash, b.p, b.len);
            assert_memory_equal(got_hash.b, want_hash.b, 32);
            cairn_buf_free(&b);
            /* decoding the bytes gives the fields, and the signature holds */
            cairn_tx tx;
            cairn_transfer t;
            assert_int_equal(cairn_tx_decode(&tx, want, want_n), CAIRN_OK);
            assert_int_equal(tx.chain_id_len, strlen(chain));
            assert_memory_equal(tx.chain_id, chain, tx.chain_id_len);
            assert_memory_equal(tx.sender.b, sender.b, 32);
            assert_true(tx.nonce == nonce);
            assert_true(tx.fee == fee);
            assert_int_equal(tx.kind, CAIRN_TX_TRANSFER);
            assert_int_equal(cairn_transfer_decode(&t, tx.body, tx.body_len),
                             CAIRN_OK);
            assert_memory_equal(t.to.b, to.b, 32);
            assert_true(t.amount == amount);
            assert_int_equal(cairn_tx_verify(&tx, want, want_n), CAIRN_OK);
            cairn_keypair_wipe(&kp);
        }
        if (count < max) {
            snprintf(out[count].name, sizeof out[count].name, "%s",
                     get(v, n, "name"));
            out[count].p = want;
            out[count].n = want_n;
        } else {
            free(want);
        }
        count++;
        free_kv(v, n);
    }
    fclose(f);
    return count;
}

static void tx_vectors(void **st)
{
    named_tx t[16];
    size_t n = load_tx_vectors(t, 16, 1);
    assert_true(n >= 4);
    for (size_t i = 0; i < n && i < 16; i++)
        free(t[i].p);
}

static void block_vectors(void **st)
{
    named_tx txv[16];
    size_t ntxv = load_tx_vectors(txv, 16, 0);
    FILE *f = open_vectors("block_header.txt");
    kv v[32];
    size_t n, checked = 0;
    while ((n = read_vector(f, v, 32, "block"))) {
        uint8_t seed[32], want_hdr[CAIRN_HEADER_LEN];
        cairn_keypair kp;
        cairn_header h, d;
        cairn_hash want_hash, got;
        cairn_buf b;
        memset(&h, 0, sizeof h);
        get_hex(v, n, "seed", seed, 32);
        cairn_keypair_from_seed(&kp, seed);
        h.height = get_u64(v, n, "height");
        h.time_ms = get_u64(v, n, "time_ms");
        get_hex(v, n, "prev", h.prev.b, 32);
        get_hex(v, n, "state_root", h.state_root.b, 32);
        get_hex(v, n, "tx_root", h.tx_root.b, 32);
        h.term = get_u64(v, n, "term");
        h.tx_count = (uint32_t)get_u64(v, n, "tx_count");
        get_hex(v, n, "header", want_hdr, sizeof want_hdr);
        get_hex(v, n, "hash", want_hash.b, 32);
        cairn_header_sign(&h, &kp);
        {
            cairn_pubkey prop;
            get_hex(v, n, "proposer", prop.b, 32);
            assert_memory_equal(h.proposer.b, prop.b, 32);
        }
        cairn_buf_init(&b, CAIRN_HEADER_LEN);
        cairn_header_encode(&h, &b);
        assert_int_equal(b.err, CAIRN_OK);
        assert_int_equal(b.len, CAIRN_HEADER_LEN);
        assert_memory_equal(b.p, want_hdr, CAIRN_HEADER_LEN);
        cairn_buf_free(&b);
        cairn_header_hash(&got, &h);
        assert_memory_equal(got.b, want_hash.b, 32);
        cairn_hash_bytes(&got, want_hdr, CAIRN_HEADER_LEN - 64);
        assert_memory_equal(got.b, want_hash.b, 32);
        assert_int_equal(cairn_header_verify(&h, &kp.pk), CAIRN_OK);
        assert_int_equal(cairn_header_decode(&d, want_hdr, CAIRN_HEADER_LEN),
                         CAIRN_OK);
        assert_header_eq(&d, &h);

        /* the whole block: header then the named transactions */
        uint8_t *blk;
        size_t blen;
        cairn_block bd;
        assert_int_equal(cairn_hex_decode_alloc(&blk, &blen, get(v, n, "block"),
                                                CAIRN_BLOCK_MAX_BYTES),
                         CAIRN_OK);
        assert_int_equal(cairn_block_decode(&bd, blk, blen), CAIRN_OK);
        assert_header_eq(&bd.h, &h);
        char *names = strdup(get(v, n, "txs")), *save = NULL;
        uint32_t k = 0;
        for (char *nm = strtok_r(names, ",", &save); nm;
             nm = strtok_r(NULL, ",", &save), k++) {
            size_t j = 0;
            while (j < ntxv && strcmp(txv[j].name, nm) != 0)
                j++;
            assert_true(j < ntxv);
            assert_true(k < bd.h.tx_count);
            assert_int_equal(bd.txs[k].n, txv[j].n);
            assert_memory_equal(bd.txs[k].p, txv[j].p, txv[j].n);
        }
        assert_int_equal(k, h.tx_count);
        free(names);
        assert_int_equal(cairn_block_tx_root(&got, bd.txs, bd.h.tx_count),
                         CAIRN_OK);
        assert_memory_equal(got.b, h.tx_root.b, 32);
        cairn_block_free(&bd);
        free(blk);
        cairn_keypair_wipe(&kp);
        free_kv(v, n);
        checked++;
    }
    fclose(f);
    assert_true(checked >= 1);
    for (size_t i = 0; i < ntxv && i < 16; i++)
        free(txv[i].p);
}

/* ---- blocks ---- */

/* A signed block of `count` sample transactions into b. */
static void sample_block(cairn_buf *b, cairn_header *h, uint32_t count)
{
    cairn_keypair kp;
    cairn_buf t[4];
    cairn_block_tx txs[4];
    assert_true(count <= 4);
    seed_key(&kp, 9);
    memset(h, 0, sizeof *h);
    h->height = 7;
    h->time_ms = 1234;
    memset(h->prev.b, 0x11, 32);
    memset(h->state_root.b, 0x22, 32);
    h->tx_count = count;
    for (uint32_t i = 0; i < count; i++) {
        sample_tx(&t[i], i, 100 + i);
        txs[i] = (cairn_block_tx){t[i].p, (uint32_t)t[i].len};
    }
    assert_int_equal(cairn_block_tx_root(&h->tx_root, txs, count), CAIRN_OK);
    cairn_header_sign(h, &kp);
    cairn_buf_init(b, CAIRN_BLOCK_MAX_BYTES);
    cairn_header_encode(h, b);
    for (uint32_t i = 0; i < count; i++) {
        cairn_put_var(b, txs[i].p, txs[i].n);
        cairn_buf_free(&t[i]);
    }
    assert_int_equal(b->err, CAIRN_OK);
}

static void block_roundtrip_and_malformed(void **st)
{
    cairn_buf b;
    cairn_header h, d;
    cairn_block blk;
    cairn_keypair kp, other;
    seed_key(&kp, 9);
    seed_key(&other, 8);
    sample_block(&b, &h, 3);
    assert_int_equal(cairn_block_decode(&blk, b.p, b.len), CAIRN_OK);
    assert_header_eq(&blk.h, &h);
    assert_int_equal(blk.h.tx_count, 3);
    for (uint32_t i = 0; i < 3; i++) {
        cairn_tx tx;
        assert_int_equal(cairn_tx_decode(&tx, blk.txs[i].p, blk.txs[i].n),
                         CAIRN_OK);
        assert_true(tx.nonce == i);
    }
    cairn_block_free(&blk);
    assert_null(blk.txs);
    assert_int_equal(cairn_header_verify(&h, &kp.pk), CAIRN_OK);
    assert_int_equal(cairn_header_verify(&h, &other.pk),
                     CAIRN_ERR_BAD_PROPOSER);

    /* the header alone decodes with cairn_header_decode, not with trailing */
    assert_int_equal(cairn_header_decode(&d, b.p, CAIRN_HEADER_LEN), CAIRN_OK);
    assert_int_equal(cairn_header_decode(&d, b.p, CAIRN_HEADER_LEN + 1),
                     CAIRN_ERR_TRAILING);

    /* every prefix is truncated */
    for (size_t n = 0; n < b.len; n++) {
        uint8_t *copy = malloc(n ? n : 1);
        memcpy(copy, b.p, n);
        cairn_err e = cairn_block_decode(&blk, copy, n);
        if (e != CAIRN_ERR_TRUNCATED)
            fail_msg("block prefix of %zu bytes: got %d", n, e);
        assert_null(blk.txs);
        free(copy);
    }
    /* trailing byte */
    cairn_put_u8(&b, 0);
    assert_int_equal(cairn_block_decode(&blk, b.p, b.len), CAIRN_ERR_TRAILING);
    b.len--;
    /* bad magic */
    b.p[0] = CAIRN_TX_MAGIC;
    assert_int_equal(cairn_block_decode(&blk, b.p, b.len),
                     CAIRN_ERR_BAD_VERSION);
    assert_int_equal(cairn_header_decode(&d, b.p, CAIRN_HEADER_LEN),
                     CAIRN_ERR_BAD_VERSION);
    b.p[0] = CAIRN_BLOCK_MAGIC;
    /* tx_count above the bound */
    size_t cnt_off = 1 + 8 + 32 + 8 + 32 + 32 + 32 + 8;
    uint32_t big = CAIRN_BLOCK_MAX_TXS + 1;
    memcpy(b.p + cnt_off, &big, 4); /* test host is little-endian */
    assert_int_equal(b.p[cnt_off], (uint8_t)big);
    assert_int_equal(cairn_block_decode(&blk, b.p, b.len), CAIRN_ERR_TOO_LARGE);
    /* a count the input cannot hold: truncated, without a huge allocation */
    uint32_t many = CAIRN_BLOCK_MAX_TXS;
    memcpy(b.p + cnt_off, &many, 4);
    assert_int_equal(cairn_block_decode(&blk, b.p, b.len), CAIRN_ERR_TRUNCATED);
    /* fewer transactions announced than present: trailing */
    uint32_t two = 2;
    memcpy(b.p + cnt_off, &two, 4);
    assert_int_equal(cairn_block_decode(&blk, b.p, b.len), CAIRN_ERR_TRAILING);
    uint32_t three = 3;
    memcpy(b.p + cnt_off, &three, 4);
    /* a transaction length over the tx bound */
    uint32_t huge = CAIRN_TX_MAX_BYTES + 1;
    memcpy(b.p + CAIRN_HEADER_LEN, &huge, 4);
    assert_int_equal(cairn_block_decode(&blk, b.p, b.len), CAIRN_ERR_TOO_LARGE);
    cairn_buf_free(&b);

    /* input larger than any block */
    uint8_t *p = calloc(1, (size_t)CAIRN_BLOCK_MAX_BYTES + 1);
    p[0] = CAIRN_BLOCK_MAGIC;
    assert_int_equal(
        cairn_block_decode(&blk, p, (size_t)CAIRN_BLOCK_MAX_BYTES + 1),
        CAIRN_ERR_TOO_LARGE);
    free(p);

    /* an empty block */
    sample_block(&b, &h, 0);
    assert_int_equal(b.len, CAIRN_HEADER_LEN);
    assert_int_equal(cairn_block_decode(&blk, b.p, b.len), CAIRN_OK);
    assert_null(blk.txs);
    cairn_hash zero = {{0}};
    assert_memory_equal(h.tx_root.b, zero.b, 32);
    cairn_block_free(&blk);
    cairn_buf_free(&b);
}

static void header_every_bit_flip_fails(void **st)
{
    cairn_buf b;
    cairn_header h, d;
    cairn_keypair kp;
    seed_key(&kp, 9);
    sample_block(&b, &h, 1);
    for (size_t i = 0; i < CAIRN_HEADER_LEN; i++) {
        for (int bit = 0; bit < 8; bit++) {
            b.p[i] ^= (uint8_t)(1u << bit);
            cairn_err e = cairn_header_decode(&d, b.p, CAIRN_HEADER_LEN);
            if (e == CAIRN_OK)
                e = cairn_header_verify(&d, &kp.pk);
            if (e == CAIRN_OK)
                fail_msg("flipping bit %d of header byte %zu still verifies",
                         bit, i);
            b.p[i] ^= (uint8_t)(1u << bit);
        }
    }
    cairn_buf_free(&b);
}

int main(void)
{
    cairn_crypto_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tx_roundtrip),
        cmocka_unit_test(tx_sign_verify),
        cmocka_unit_test(tx_truncated_every_prefix),
        cmocka_unit_test(tx_too_large),
        cmocka_unit_test(tx_trailing),
        cmocka_unit_test(tx_bad_magic),
        cmocka_unit_test(tx_chain_id_bounds),
        cmocka_unit_test(tx_every_bit_flip_fails),
        cmocka_unit_test(transfer_body_sizes),
        cmocka_unit_test(tx_vectors),
        cmocka_unit_test(block_vectors),
        cmocka_unit_test(block_roundtrip_and_malformed),
        cmocka_unit_test(header_every_bit_flip_fails),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
