/* Unit tests of the storage client<->provider messages
 * (sectors/storage/proto.c): round trips, every truncation, trailing
 * bytes, and each malformation the decoders must refuse; then the provider's
 * request handling (provider/provider_*.c) over real connections on
 * 127.0.0.1 with a real piece store: ASK, STORE with a checked signature,
 * refusals (wrong root, low price, over capacity, wrong provider), FETCH,
 * a re-sign without bytes, a corrupted piece that is not served, and a
 * provider that charges for reads (tickets refused and taken). */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/compute.h"
#include "cairn/conn.h"
#include "cairn/codec.h"
#include "cairn/piecestore.h"
#include "cairn/storage_proto.h"
#include "storage/client/link.h"
#include "storage/provider/provider_internal.h"

/* A STORE (open) with a piece of n bytes; the piece is the caller's. */
static cairn_sp_store sample_store(const uint8_t *piece, uint32_t n)
{
    cairn_sp_store m;
    memset(&m, 0, sizeof m);
    m.what = CAIRN_SP_OPEN;
    m.client_nonce = 77;
    memset(m.terms.provider.b, 0x11, 32);
    assert_int_equal(cairn_piece_root(&m.terms.root, piece, n), CAIRN_OK);
    m.terms.size = n;
    memset(m.terms.file_tag.b, 0x22, 32);
    m.terms.segment = 3;
    m.terms.piece_index = 5;
    m.terms.flags = CAIRN_DEAL_PERMANENT;
    m.terms.start_epoch = 9;
    m.terms.price = 1234;
    m.terms.collateral = 99;
    m.root = m.terms.root;
    m.size = n;
    m.piece = piece;
    m.piece_len = n;
    return m;
}

/* Every strict prefix of an encoding fails to decode, and so does the
 * encoding with one byte more. */
static void prefixes_fail(const cairn_buf *b,
                          cairn_err (*dec)(const uint8_t *, size_t))
{
    uint8_t *p = malloc(b->len + 1);
    assert_non_null(p);
    memcpy(p, b->p, b->len);
    for (size_t i = 0; i < b->len; i++)
        assert_int_equal(dec(p, i), CAIRN_ERR_BAD_MSG);
    p[b->len] = 0;
    assert_int_equal(dec(p, b->len + 1), CAIRN_ERR_BAD_MSG);
    assert_int_equal(dec(p, b->len), CAIRN_OK);
    free(p);
}

static cairn_err dec_fetch(const uint8_t *p, size_t n)
{
    cairn_sp_fetch m;
    return cairn_sp_fetch_decode(&m, p, n);
}

static cairn_err dec_store(const uint8_t *p, size_t n)
{
    cairn_sp_store m;
    return cairn_sp_store_decode(&m, p, n);
}
static cairn_err dec_info(const uint8_t *p, size_t n)
{
    cairn_sp_info m;
    return cairn_sp_info_decode(&m, p, n);
}
static cairn_err dec_error(const uint8_t *p, size_t n)
{
    cairn_sp_error m;
    return cairn_sp_error_decode(&m, p, n);
}
static cairn_err dec_piece(const uint8_t *p, size_t n)
{
    const uint8_t *x;
    uint32_t len;
    return cairn_sp_piece_decode(&x, &len, p, n);
}

static void store_round_trip(void **state)
{
    uint8_t piece[3000];
    for (size_t i = 0; i < sizeof piece; i++)
        piece[i] = (uint8_t)(i * 7);
    cairn_sp_store m = sample_store(piece, sizeof piece), d;
    cairn_buf b;
    cairn_buf_init(&b, CAIRN_SP_MSG_MAX);
    cairn_sp_store_encode(&b, &m);
    assert_int_equal(b.len, 1 + 8 + CAIRN_DEAL_TERMS_LEN + 4 + sizeof piece);
    assert_int_equal(cairn_sp_store_decode(&d, b.p, b.len), CAIRN_OK);
    assert_int_equal(d.what, CAIRN_SP_OPEN);
    assert_int_equal(d.client_nonce, 77);
    assert_memory_equal(&d.terms.root, &m.terms.root, 32);
    assert_memory_equal(&d.root, &m.terms.root, 32);
    assert_int_equal(d.size, sizeof piece);
    assert_int_equal(d.terms.segment, 3);
    assert_int_equal(d.terms.piece_index, 5);
    assert_int_equal(d.terms.flags, CAIRN_DEAL_PERMANENT);
    assert_int_equal(d.terms.price, 1234);
    assert_int_equal(d.terms.collateral, 99);
    assert_int_equal(d.piece_len, sizeof piece);
    assert_true(d.piece >= b.p && d.piece + d.piece_len <= b.p + b.len);
    prefixes_fail(&b, dec_store);
    /* without bytes: a re-sign */
    m.piece = NULL;
    m.piece_len = 0;
    cairn_buf_reset(&b);
    cairn_sp_store_encode(&b, &m);
    assert_int_equal(cairn_sp_store_decode(&d, b.p, b.len), CAIRN_OK);
    assert_null(d.piece);
    prefixes_fail(&b, dec_store);
    /* replace */
    m.what = CAIRN_SP_REPLACE;
    m.deal_id = 42;
    m.collateral = 5;
    cairn_buf_reset(&b);
    cairn_sp_store_encode(&b, &m);
    assert_int_equal(b.len, 1 + 8 + 56 + 4);
    assert_int_equal(cairn_sp_store_decode(&d, b.p, b.len), CAIRN_OK);
    assert_int_equal(d.deal_id, 42);
    assert_int_equal(d.collateral, 5);
    assert_int_equal(d.size, sizeof piece);
    prefixes_fail(&b, dec_store);
    cairn_buf_free(&b);
}

static void store_malformed(void **state)
{
    uint8_t piece[100] = {1};
    cairn_sp_store m = sample_store(piece, sizeof piece), d;
    cairn_buf b;
    cairn_buf_init(&b, CAIRN_SP_MSG_MAX);
    cairn_sp_store_encode(&b, &m);
    b.p[0] = 3; /* unknown what */
    assert_int_equal(cairn_sp_store_decode(&d, b.p, b.len), CAIRN_ERR_BAD_MSG);
    b.p[0] = CAIRN_SP_OPEN;
    size_t flags_at = 1 + 8 + 32 + 32 + 8 + 32 + 4 + 4;
    b.p[flags_at] = 4; /* unknown deal flag */
    assert_int_equal(cairn_sp_store_decode(&d, b.p, b.len), CAIRN_ERR_BAD_MSG);
    b.p[flags_at] = 0;
    assert_int_equal(cairn_sp_store_decode(&d, b.p, b.len), CAIRN_OK);
    /* a piece whose length differs from the terms' size */
    m.piece_len = 99;
    cairn_buf_reset(&b);
    cairn_sp_store_encode(&b, &m);
    assert_int_equal(cairn_sp_store_decode(&d, b.p, b.len), CAIRN_ERR_BAD_MSG);
    /* size 0 and size over the bound */
    m.piece_len = 0;
    m.terms.size = 0;
    cairn_buf_reset(&b);
    cairn_sp_store_encode(&b, &m);
    assert_int_equal(cairn_sp_store_decode(&d, b.p, b.len), CAIRN_ERR_BAD_MSG);
    m.terms.size = (uint64_t)CAIRN_PIECE_MAX + 1;
    cairn_buf_reset(&b);
    cairn_sp_store_encode(&b, &m);
    assert_int_equal(cairn_sp_store_decode(&d, b.p, b.len), CAIRN_ERR_BAD_MSG);
    /* a piece length field claiming more than is there */
    m.terms.size = 100;
    m.piece_len = 100;
    cairn_buf_reset(&b);
    cairn_sp_store_encode(&b, &m);
    assert_int_equal(cairn_sp_store_decode(&d, b.p, b.len - 1),
                     CAIRN_ERR_BAD_MSG);
    cairn_buf_free(&b);
}

static void small_messages(void **state)
{
    cairn_buf b;
    cairn_sp_info in = {1000, 1ull << 40, 64u << 20, 2000, 10000, {0}}, out;
    memset(in.rand_hash, 0x5a, 32);
    cairn_buf_init(&b, 4096);
    cairn_sp_info_encode(&b, &in);
    assert_int_equal(b.len, 68);
    assert_int_equal(cairn_sp_info_decode(&out, b.p, b.len), CAIRN_OK);
    assert_int_equal(out.price, 1000);
    assert_int_equal(out.free, 1ull << 40);
    assert_int_equal(out.max_piece, 64u << 20);
    assert_int_equal(out.collateral_bps, 2000);
    assert_int_equal(out.egress_price, 10000);
    assert_memory_equal(out.rand_hash, in.rand_hash, 32);
    prefixes_fail(&b, dec_info);
    assert_int_equal(cairn_sp_ask_decode(b.p, 0), CAIRN_OK);
    assert_int_equal(cairn_sp_ask_decode(b.p, 1), CAIRN_ERR_BAD_MSG);

    cairn_sp_fetch f = {.ticket = NULL}, f2;
    uint8_t ticket[CAIRN_TICKET_MAX_BYTES + 1];
    cairn_sig s, s2;
    memset(f.root.b, 7, 32);
    memset(s.b, 9, 64);
    memset(ticket, 3, sizeof ticket);
    cairn_buf_reset(&b);
    cairn_sp_fetch_encode(&b, &f);
    assert_int_equal(b.len, 36);
    assert_int_equal(cairn_sp_fetch_decode(&f2, b.p, b.len), CAIRN_OK);
    assert_memory_equal(&f.root, &f2.root, 32);
    assert_null(f2.ticket);
    assert_int_equal(f2.ticket_len, 0);
    prefixes_fail(&b, dec_fetch);
    f.ticket = ticket;
    f.ticket_len = 200;
    cairn_buf_reset(&b);
    cairn_sp_fetch_encode(&b, &f);
    assert_int_equal(cairn_sp_fetch_decode(&f2, b.p, b.len), CAIRN_OK);
    assert_int_equal(f2.ticket_len, 200);
    assert_ptr_equal(f2.ticket, b.p + 36); /* borrowed */
    prefixes_fail(&b, dec_fetch);
    f.ticket_len = CAIRN_TICKET_MAX_BYTES + 1; /* over the bound */
    cairn_buf_reset(&b);
    cairn_sp_fetch_encode(&b, &f);
    assert_int_equal(cairn_sp_fetch_decode(&f2, b.p, b.len), CAIRN_ERR_BAD_MSG);
    /* what a piece costs: rounded up, saturated */
    assert_int_equal(cairn_sp_egress_cost(0, 1u << 20), 0);
    assert_int_equal(cairn_sp_egress_cost(1u << 30, 1000), 1000);
    assert_int_equal(cairn_sp_egress_cost(10000, 1u << 20), 10);
    assert_int_equal(cairn_sp_egress_cost(1024, 1u << 20), 1);
    assert_int_equal(cairn_sp_egress_cost(1024, (1u << 20) + 1), 2);
    assert_int_equal(cairn_sp_egress_cost(1, 1), 1);
    assert_int_equal(cairn_sp_egress_cost(UINT64_MAX, UINT64_MAX), UINT64_MAX);
    cairn_buf_reset(&b);
    cairn_sp_signed_encode(&b, &s);
    assert_int_equal(cairn_sp_signed_decode(&s2, b.p, b.len), CAIRN_OK);
    assert_memory_equal(&s, &s2, 64);
    assert_int_equal(cairn_sp_signed_decode(&s2, b.p, 65), CAIRN_ERR_BAD_MSG);

    uint8_t piece[10] = {1, 2, 3};
    const uint8_t *pp;
    uint32_t pn;
    cairn_buf_reset(&b);
    cairn_sp_piece_encode(&b, piece, 10);
    assert_int_equal(cairn_sp_piece_decode(&pp, &pn, b.p, b.len), CAIRN_OK);
    assert_int_equal(pn, 10);
    assert_memory_equal(pp, piece, 10);
    prefixes_fail(&b, dec_piece);
    cairn_buf_reset(&b);
    cairn_sp_piece_encode(&b, piece, 0); /* an empty piece is not a piece */
    assert_int_equal(cairn_sp_piece_decode(&pp, &pn, b.p, b.len),
                     CAIRN_ERR_BAD_MSG);
    cairn_buf_free(&b);
}

static void error_messages(void **state)
{
    cairn_buf b;
    cairn_sp_error m;
    char long_msg[400];
    cairn_buf_init(&b, 4096);
    cairn_sp_error_encode(&b, CAIRN_ERR_PRICE_LOW, "price below ask\n");
    assert_int_equal(cairn_sp_error_decode(&m, b.p, b.len), CAIRN_OK);
    assert_int_equal(cairn_sp_error_code(&m), CAIRN_ERR_PRICE_LOW);
    assert_string_equal(m.msg, "price below ask?"); /* newline made printable */
    prefixes_fail(&b, dec_error);
    /* long messages are cut, unknown codes map to BAD_MSG */
    memset(long_msg, 'x', sizeof long_msg - 1);
    long_msg[sizeof long_msg - 1] = '\0';
    cairn_buf_reset(&b);
    cairn_sp_error_encode(&b, (cairn_err)9999, long_msg);
    assert_int_equal(cairn_sp_error_decode(&m, b.p, b.len), CAIRN_OK);
    assert_int_equal(strlen(m.msg), CAIRN_SP_ERRMSG_MAX);
    assert_int_equal(cairn_sp_error_code(&m), CAIRN_ERR_BAD_MSG);
    /* a control byte from a peer is refused */
    cairn_buf_reset(&b);
    cairn_sp_error_encode(&b, CAIRN_ERR_IO, "ab");
    b.p[b.len - 1] = 0x07;
    assert_int_equal(cairn_sp_error_decode(&m, b.p, b.len), CAIRN_ERR_BAD_MSG);
    /* a length over the bound is refused before reading */
    uint8_t big[8] = {1, 0, 0, 0, 0xff, 0xff, 0, 0};
    assert_int_equal(cairn_sp_error_decode(&m, big, sizeof big),
                     CAIRN_ERR_BAD_MSG);
    cairn_buf_free(&b);
}

/* ---- the provider's request handling over real connections ---- */

#define CHAIN "test-chain"
#define TOKEN 1000000ull
#define MS 10000

typedef struct world {
    char dir[64];
    cairn_keypair prov, client;
    sprov *p;
    cairn_conn *c;
} world;

static int world_start(void **state, uint64_t egress_price)
{
    world *w = calloc(1, sizeof *w);
    char msg[256];
    snprintf(w->dir, sizeof w->dir, "/tmp/cairn-sp-XXXXXX");
    assert_non_null(mkdtemp(w->dir));
    cairn_keypair_generate(&w->prov);
    cairn_keypair_generate(&w->client);
    sprov_config cfg = {.data_dir = w->dir,
                        .capacity = 200000,
                        .key = w->prov,
                        .listen_host = "127.0.0.1",
                        .price = TOKEN,
                        .egress_price = egress_price,
                        .limits = {.workers = 2},
                        .log = stderr};
    assert_int_equal(sprov_start(&w->p, &cfg, msg, sizeof msg), CAIRN_OK);
    sprov_view v = {.ok = 1,
                    .epoch = 5,
                    .collateral_bps = 2000,
                    .max_epochs = 1000,
                    .perm_cost_per_mib = 2 * TOKEN,
                    .perm_decline_bps = 50};
    snprintf(v.chain_id, sizeof v.chain_id, CHAIN);
    sprov_set_view(w->p, &v);
    assert_int_equal(cairn_conn_dial(&w->c, "127.0.0.1", sprov_port(w->p),
                                     &w->client, &w->prov.pk, MS),
                     CAIRN_OK);
    *state = w;
    return 0;
}

static int world_up(void **state)
{
    return world_start(state, 0);
}

/* A provider charging 1000 tokens per GiB served. */
static int paid_world_up(void **state)
{
    return world_start(state, 1000 * TOKEN);
}

static int world_down(void **state)
{
    world *w = *state;
    char cmd[128];
    cairn_conn_close(w->c);
    sprov_stop(w->p);
    snprintf(cmd, sizeof cmd, "rm -rf %s", w->dir);
    assert_int_equal(system(cmd), 0);
    free(w);
    return 0;
}

/* One request and its reply; the payload is the caller's to free. */
static uint8_t call(world *w, uint8_t type, const cairn_buf *req, uint8_t **rep,
                    size_t *n)
{
    uint8_t t;
    assert_int_equal(cairn_conn_send(w->c, type, req ? req->p : NULL,
                                     req ? req->len : 0, MS),
                     CAIRN_OK);
    assert_int_equal(cairn_conn_recv(w->c, &t, rep, n, CAIRN_SP_MSG_MAX, MS),
                     CAIRN_OK);
    return t;
}

/* Sends a STORE; returns CAIRN_OK with *sig, or the ERROR's code. */
static cairn_err store(world *w, const cairn_sp_store *m, cairn_sig *sig)
{
    cairn_buf b;
    uint8_t *rep;
    size_t n;
    cairn_sp_error er;
    cairn_err e;
    cairn_buf_init(&b, CAIRN_SP_MSG_MAX);
    cairn_sp_store_encode(&b, m);
    uint8_t t = call(w, CAIRN_SP_STORE, &b, &rep, &n);
    if (t == CAIRN_SP_SIGNED) {
        e = cairn_sp_signed_decode(sig, rep, n);
    } else {
        assert_int_equal(t, CAIRN_SP_ERROR);
        assert_int_equal(cairn_sp_error_decode(&er, rep, n), CAIRN_OK);
        e = cairn_sp_error_code(&er);
        print_message("refused: %s\n", er.msg);
    }
    free(rep);
    cairn_buf_free(&b);
    return e;
}

/* Terms of a term deal for a piece, at the provider's ask. */
static cairn_sp_store good_store(world *w, const uint8_t *piece, uint32_t n)
{
    cairn_sp_store m = sample_store(piece, n);
    m.terms.provider = w->prov.pk;
    m.terms.flags = 0;
    m.terms.start_epoch = 6;
    m.terms.epochs = 10;
    m.terms.price = TOKEN;          /* 1 MiB at 1 token per MiB-epoch */
    m.terms.collateral = 2 * TOKEN; /* 20% of 10 tokens */
    return m;
}

static void check_sig(world *w, const cairn_sp_store *m, const cairn_sig *sig)
{
    cairn_deal_open o = {.t = m->terms, .sig = *sig};
    assert_int_equal(
        cairn_deal_open_verify(&o, CHAIN, &w->client.pk, m->client_nonce),
        CAIRN_OK);
    assert_int_equal(
        cairn_deal_open_verify(&o, CHAIN, &w->client.pk, m->client_nonce + 1),
        CAIRN_ERR_BAD_SIG);
}

static void provider_serves(void **state)
{
    world *w = *state;
    uint8_t piece[5000], *rep;
    size_t n;
    cairn_sig sig;
    cairn_sp_info info;
    for (size_t i = 0; i < sizeof piece; i++)
        piece[i] = (uint8_t)(i * 13 + 1);
    assert_int_equal(call(w, CAIRN_SP_ASK, NULL, &rep, &n), CAIRN_SP_INFO);
    assert_int_equal(cairn_sp_info_decode(&info, rep, n), CAIRN_OK);
    free(rep);
    assert_int_equal(info.price, TOKEN);
    assert_int_equal(info.free, 200000);
    assert_int_equal(info.collateral_bps, 2000);

    cairn_sp_store m = good_store(w, piece, sizeof piece);
    assert_int_equal(store(w, &m, &sig), CAIRN_OK);
    check_sig(w, &m, &sig);
    /* signed again for another nonce, without sending the bytes again */
    m.piece = NULL;
    m.piece_len = 0;
    m.client_nonce = 78;
    assert_int_equal(store(w, &m, &sig), CAIRN_OK);
    check_sig(w, &m, &sig);

    cairn_buf b;
    const uint8_t *got;
    uint32_t len;
    cairn_sp_fetch f = {.root = m.terms.root};
    cairn_buf_init(&b, 64);
    cairn_sp_fetch_encode(&b, &f);
    assert_int_equal(call(w, CAIRN_SP_FETCH, &b, &rep, &n), CAIRN_SP_PIECE);
    assert_int_equal(cairn_sp_piece_decode(&got, &len, rep, n), CAIRN_OK);
    assert_int_equal(len, sizeof piece);
    assert_memory_equal(got, piece, sizeof piece);
    free(rep);
    cairn_buf_free(&b);
}

static void provider_refuses(void **state)
{
    world *w = *state;
    uint8_t piece[3000] = {9}, big[250000] = {1};
    cairn_sig sig;
    cairn_sp_store m = good_store(w, piece, sizeof piece);
    piece[10] ^= 1; /* bytes no longer match the root */
    assert_int_equal(store(w, &m, &sig), CAIRN_ERR_BAD_PROOF);
    piece[10] ^= 1;
    m.terms.price = TOKEN - 1;
    assert_int_equal(store(w, &m, &sig), CAIRN_ERR_PRICE_LOW);
    m = good_store(w, piece, sizeof piece);
    m.terms.collateral = 2 * TOKEN + 1;
    assert_int_equal(store(w, &m, &sig), CAIRN_ERR_DEAL_TERMS);
    m = good_store(w, piece, sizeof piece);
    m.terms.start_epoch = 5; /* not after the current epoch */
    assert_int_equal(store(w, &m, &sig), CAIRN_ERR_DEAL_TERMS);
    m.terms.start_epoch = 5 + SPROV_START_AHEAD + 1;
    assert_int_equal(store(w, &m, &sig), CAIRN_ERR_DEAL_TERMS);
    m = good_store(w, piece, sizeof piece);
    m.terms.provider = w->client.pk;
    assert_int_equal(store(w, &m, &sig), CAIRN_ERR_BAD_ARG);
    m = good_store(w, big, sizeof big); /* over the 200000-byte capacity */
    assert_int_equal(store(w, &m, &sig), CAIRN_ERR_NO_SPACE);
    m = good_store(w, piece, sizeof piece);
    m.piece = NULL;
    m.piece_len = 0; /* a re-sign for a piece it never got */
    assert_int_equal(store(w, &m, &sig), CAIRN_ERR_NOT_FOUND);
    /* permanent: the network's rate (2) meets the ask (1); price >= perm price
     */
    m = good_store(w, piece, sizeof piece);
    m.terms.flags = CAIRN_DEAL_PERMANENT;
    m.terms.epochs = 0;
    m.terms.price = 400 * TOKEN; /* 1 MiB x 2 x 10000 / 50 */
    m.terms.collateral = 80 * TOKEN;
    assert_int_equal(store(w, &m, &sig), CAIRN_OK);
    check_sig(w, &m, &sig);
    m.terms.price = 400 * TOKEN - 1;
    assert_int_equal(store(w, &m, &sig), CAIRN_ERR_DEAL_TERMS);
    /* a replace needs a node to read the deal from */
    m.what = CAIRN_SP_REPLACE;
    m.deal_id = 1;
    assert_int_equal(store(w, &m, &sig), CAIRN_ERR_HTTP);
    /* a refusal leaves the connection open: the next request is served */
    m = good_store(w, piece, sizeof piece);
    assert_int_equal(store(w, &m, &sig), CAIRN_OK);
    /* a malformed STORE, an unknown type, an ASK with a payload: each gets
     * ERROR(bad_message) and then the end of the connection */
    uint8_t *rep;
    size_t n;
    cairn_buf b;
    cairn_sp_error er;
    const uint8_t bad_types[] = {CAIRN_SP_STORE, 0x44, CAIRN_SP_ASK};
    cairn_buf_init(&b, 64);
    cairn_put_u8(&b, 1);
    for (size_t i = 0; i < sizeof bad_types; i++) {
        uint8_t t;
        assert_int_equal(call(w, bad_types[i], &b, &rep, &n), CAIRN_SP_ERROR);
        assert_int_equal(cairn_sp_error_decode(&er, rep, n), CAIRN_OK);
        assert_int_equal(cairn_sp_error_code(&er), CAIRN_ERR_BAD_MSG);
        free(rep);
        assert_int_equal(cairn_conn_recv(w->c, &t, &rep, &n, 0, MS),
                         CAIRN_ERR_TRUNCATED);
        cairn_conn_close(w->c);
        assert_int_equal(cairn_conn_dial(&w->c, "127.0.0.1", sprov_port(w->p),
                                         &w->client, &w->prov.pk, MS),
                         CAIRN_OK);
    }
    cairn_buf_free(&b);
    m = good_store(w, piece, sizeof piece);
    assert_int_equal(store(w, &m, &sig), CAIRN_OK);
    pd_stats st;
    sprov_stats(w->p, &st);
    assert_int_equal(st.closed_bad, 3);
}

static void corrupt_piece_not_served(void **state)
{
    world *w = *state;
    uint8_t piece[4000], *rep;
    size_t n;
    cairn_sig sig;
    char path[200], hex[65];
    for (size_t i = 0; i < sizeof piece; i++)
        piece[i] = (uint8_t)(i ^ 0x5a);
    cairn_sp_store m = good_store(w, piece, sizeof piece);
    assert_int_equal(store(w, &m, &sig), CAIRN_OK);
    cairn_hex_encode(hex, m.terms.root.b, 32);
    snprintf(path, sizeof path, "%s/pieces/%s", w->dir, hex);
    int fd = open(path, O_RDWR);
    assert_true(fd >= 0);
    uint8_t x = 0xff;
    assert_int_equal(pwrite(fd, &x, 1, CAIRN_PIECESTORE_HEADER + 77), 1);
    close(fd);
    cairn_buf b;
    cairn_sp_error er;
    cairn_sp_fetch f = {.root = m.terms.root};
    cairn_buf_init(&b, 64);
    cairn_sp_fetch_encode(&b, &f);
    assert_int_equal(call(w, CAIRN_SP_FETCH, &b, &rep, &n), CAIRN_SP_ERROR);
    assert_int_equal(cairn_sp_error_decode(&er, rep, n), CAIRN_OK);
    assert_int_equal(cairn_sp_error_code(&er), CAIRN_ERR_CORRUPT);
    free(rep);
    memset(f.root.b, 0, 32);
    cairn_buf_reset(&b);
    cairn_sp_fetch_encode(&b, &f);
    assert_int_equal(call(w, CAIRN_SP_FETCH, &b, &rep, &n), CAIRN_SP_ERROR);
    assert_int_equal(cairn_sp_error_decode(&er, rep, n), CAIRN_OK);
    assert_int_equal(cairn_sp_error_code(&er), CAIRN_ERR_NOT_FOUND);
    free(rep);
    cairn_buf_free(&b);
}

/* ---- paid retrieval (docs/storage.md "Paid retrieval") ---- */

/* A FETCH of root carrying ticket t[0..tn) (tn 0: none): CAIRN_OK when
 * the piece came, else the ERROR's code. */
static cairn_err paid_fetch(world *w, const cairn_hash *root, const uint8_t *t,
                            size_t tn)
{
    cairn_buf b;
    uint8_t *rep;
    size_t n;
    cairn_sp_error er;
    cairn_err e = CAIRN_OK;
    cairn_sp_fetch f = {.root = *root, .ticket = t, .ticket_len = (uint32_t)tn};
    cairn_buf_init(&b, 64 + CAIRN_TICKET_MAX_BYTES);
    cairn_sp_fetch_encode(&b, &f);
    uint8_t type = call(w, CAIRN_SP_FETCH, &b, &rep, &n);
    if (type != CAIRN_SP_PIECE) {
        assert_int_equal(type, CAIRN_SP_ERROR);
        assert_int_equal(cairn_sp_error_decode(&er, rep, n), CAIRN_OK);
        e = cairn_sp_error_code(&er);
        print_message("refused: %s\n", er.msg);
    }
    free(rep);
    cairn_buf_free(&b);
    return e;
}

static void ask_info(world *w, cairn_sp_info *info)
{
    uint8_t *rep;
    size_t n;
    assert_int_equal(call(w, CAIRN_SP_ASK, NULL, &rep, &n), CAIRN_SP_INFO);
    assert_int_equal(cairn_sp_info_decode(info, rep, n), CAIRN_OK);
    free(rep);
}

/* A ticket of w's client to `to` worth ev on average, into b (reset). */
static void ticket(world *w, cairn_buf *b, const clink_payer *pay,
                   const cairn_pubkey *to, const uint8_t rand_hash[32],
                   uint64_t ev)
{
    cairn_buf_reset(b);
    assert_int_equal(clink_make_ticket(b, pay, &w->client, to, rand_hash, ev),
                     CAIRN_OK);
    cairn_ticket t;
    assert_int_equal(cairn_ticket_decode(&t, b->p, b->len), CAIRN_OK);
    assert_true(cairn_ticket_ev(&t) >= ev);
}

static int redeemed;
static cairn_err fake_send(void *arg, uint16_t kind, const cairn_buf *body,
                           char *why, size_t len)
{
    (void)arg;
    (void)body;
    (void)why;
    (void)len;
    assert_int_equal(kind, CAIRN_TX_TICKET_REDEEM);
    redeemed++;
    return CAIRN_OK;
}

/* No ticket, an underpriced one, one for another recipient or chain, a
 * replay and one under an old rand hash are refused with
 * payment_required; a good one is served; a winning one is stored,
 * changes the rand hash and is redeemed. */
static void provider_charges(void **state)
{
    world *w = *state;
    uint8_t piece[5000];
    cairn_sig sig;
    cairn_sp_info info;
    cairn_buf b;
    cairn_keypair other;
    for (size_t i = 0; i < sizeof piece; i++)
        piece[i] = (uint8_t)(i * 7 + 3);
    cairn_sp_store m = good_store(w, piece, sizeof piece);
    assert_int_equal(store(w, &m, &sig), CAIRN_OK);
    ask_info(w, &info);
    assert_int_equal(info.egress_price, 1000 * TOKEN);
    const uint64_t cost = cairn_sp_egress_cost(info.egress_price, sizeof piece);
    assert_int_equal(cost, 4657); /* ceil(10^9 x 5000 / 2^30) */
    /* tickets that win once in ~2^30: face 100 x 10^9 */
    clink_payer loser = {.min_fee = 1000 * TOKEN, .expires = 1000};
    clink_payer winner = {.min_fee = 0, .expires = 1000};
    snprintf(loser.chain_id, sizeof loser.chain_id, CHAIN);
    snprintf(winner.chain_id, sizeof winner.chain_id, CHAIN);
    cairn_buf_init(&b, CAIRN_TICKET_MAX_BYTES);

    assert_int_equal(paid_fetch(w, &m.root, NULL, 0),
                     CAIRN_ERR_PAYMENT_REQUIRED);
    ticket(w, &b, &loser, &w->prov.pk, info.rand_hash, cost - 1);
    assert_int_equal(paid_fetch(w, &m.root, b.p, b.len),
                     CAIRN_ERR_PAYMENT_REQUIRED);
    cairn_keypair_generate(&other);
    ticket(w, &b, &loser, &other.pk, info.rand_hash, cost);
    assert_int_equal(paid_fetch(w, &m.root, b.p, b.len),
                     CAIRN_ERR_PAYMENT_REQUIRED);
    clink_payer elsewhere = loser;
    snprintf(elsewhere.chain_id, sizeof elsewhere.chain_id, "other-chain");
    ticket(w, &b, &elsewhere, &w->prov.pk, info.rand_hash, cost);
    assert_int_equal(paid_fetch(w, &m.root, b.p, b.len),
                     CAIRN_ERR_PAYMENT_REQUIRED);
    /* a good one, then the same bytes again */
    ticket(w, &b, &loser, &w->prov.pk, info.rand_hash, cost);
    assert_int_equal(paid_fetch(w, &m.root, b.p, b.len), CAIRN_OK);
    assert_int_equal(paid_fetch(w, &m.root, b.p, b.len),
                     CAIRN_ERR_PAYMENT_REQUIRED);
    /* a winner: stored, and the number changes */
    uint8_t old[32];
    memcpy(old, info.rand_hash, 32);
    ticket(w, &b, &winner, &w->prov.pk, info.rand_hash, cost);
    assert_int_equal(paid_fetch(w, &m.root, b.p, b.len), CAIRN_OK);
    ask_info(w, &info);
    assert_memory_not_equal(old, info.rand_hash, 32);
    ticket(w, &b, &loser, &w->prov.pk, old, cost);
    assert_int_equal(paid_fetch(w, &m.root, b.p, b.len),
                     CAIRN_ERR_PAYMENT_REQUIRED);
    ticket(w, &b, &loser, &w->prov.pk, info.rand_hash, cost);
    assert_int_equal(paid_fetch(w, &m.root, b.p, b.len), CAIRN_OK);
    /* the winner is redeemed once and filed under sent/ */
    redeemed = 0;
    assert_int_equal(pd_tickets_redeem(&w->p->tk, fake_send, NULL), 1);
    assert_int_equal(redeemed, 1);
    assert_int_equal(pd_tickets_redeem(&w->p->tk, fake_send, NULL), 0);
    char sent[128];
    snprintf(sent, sizeof sent, "ls %s/tickets/sent | grep -c . | grep -qx 1",
             w->dir);
    assert_int_equal(system(sent), 0);
    cairn_buf_free(&b);
}

/* A client that dials as someone other than expected is refused before
 * anything is sent; an idle connection does not hold up the stop. */
static void wrong_identity_and_stop(void **state)
{
    world *w = *state;
    cairn_conn *c2 = NULL;
    cairn_keypair other;
    cairn_keypair_generate(&other);
    assert_int_equal(cairn_conn_dial(&c2, "127.0.0.1", sprov_port(w->p),
                                     &w->client, &other.pk, MS),
                     CAIRN_ERR_PEER_MISMATCH);
    assert_null(c2);
    /* w->c stays open and idle: world_down's sprov_stop must still return */
}

int main(void)
{
    cairn_crypto_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(store_round_trip),
        cmocka_unit_test(store_malformed),
        cmocka_unit_test(small_messages),
        cmocka_unit_test(error_messages),
        cmocka_unit_test_setup_teardown(provider_serves, world_up, world_down),
        cmocka_unit_test_setup_teardown(provider_refuses, world_up, world_down),
        cmocka_unit_test_setup_teardown(corrupt_piece_not_served, world_up,
                                        world_down),
        cmocka_unit_test_setup_teardown(wrong_identity_and_stop, world_up,
                                        world_down),
        cmocka_unit_test_setup_teardown(provider_charges, paid_world_up,
                                        world_down),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
