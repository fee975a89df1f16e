/* The wireless sector's data-transfer rules (src/sectors/wireless/data.h,
 * docs/wireless-data.md) on a real chain (real LMDB, real signatures):
 * routes (claim, overlap refused, update by the owner, JoinEUI, close) and
 * packet receipts paid in data credits: paid once, exactly dc credits;
 * replayed, forged, wrong router, claimed by another hotspot, twice in one
 * batch, outside the window, router without credits, sender not a
 * wireless provider: each refused with its own error and the state root
 * unchanged. The books are audited after every block, receipts are pruned
 * at the end of their window, and a replay reaches the same state root.
 *
 * Until the wireless sector's descriptor (wchain) is registered, the test
 * builds its own registry: storage and a wireless descriptor (id 2) that
 * holds just the data kinds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/chain.h"
#include "cairn/credits.h"
#include "cairn/mempool.h"
#include "cairn/staking.h"
#include "cairn/storage.h"
#include "cairn/wireless_data.h"
#include "econ/sector.h"
#include "econ/staking.h"
#include "ledger/view.h"
#include "sectors/storage/sector.h"
#include "sectors/wireless/data.h"
#include "sectors/wireless/data_int.h"

#define TOK 1000000ull
#define FEE 1000
#define CHAIN "wdata-test"
#define EPOCH_BLOCKS 4
#define CREDITS 1000 /* router A buys */

/* ---- a wireless descriptor with the data kinds only ---- */

static cairn_err test_end_epoch(exec_ctx *x, uint64_t epoch)
{
    return wdata_end_epoch(x, epoch);
}

static uint64_t held_none(const uint8_t *k, size_t kn, const uint8_t *v,
                          size_t vn)
{
    (void)k;
    (void)kn;
    (void)v;
    (void)vn;
    return 0;
}

static econ_sector wireless_sector = {
    .id = WDATA_SECTOR,
    .name = "wireless",
    .weight = ECON_WEIGHT(WDATA_SECTOR, "weight_wireless", 2500),
    .tag_first = 0x70,
    .tag_last = 0x7F,
    .kind_first = 0x60,
    .kind_last = 0x6F,
    .end_epoch = test_end_epoch,
    .held = held_none,
};
static const econ_sector *const sectors[] = {&cairn_storage_sector,
                                             &wireless_sector};
static const econ_registry registry = {sectors, 2};
static cairn_rules rules;

/* ---- the chain ---- */

enum { SEQ = 0, RA = 1, RB = 2, H1 = 3, H2 = 4, ST = 5, NKEYS = 6 };
static cairn_keypair keys[NKEYS]; /* sequencer/oracle, routers, hotspots,
                                   * a storage provider */
static cairn_chain *chain;
static cairn_mempool *mp;
static char dir[64];

static void open_chain(void)
{
    char j[4096], a[NKEYS][CAIRN_ADDR_TEXT_LEN + 1], msg[256] = "";
    cairn_genesis g;
    wireless_sector.kinds = wdata_kinds;
    wireless_sector.nkinds = wdata_nkinds;
    wireless_sector.params = wdata_params;
    wireless_sector.nparams = wdata_nparams;
    for (int i = 0; i < NKEYS; i++) {
        uint8_t seed[32] = {(uint8_t)i, 0x7A};
        cairn_keypair_from_seed(&keys[i], seed);
        cairn_addr_format(a[i], &keys[i].pk);
    }
    snprintf(
        j, sizeof j,
        "{\"chain_id\":\"" CHAIN
        "\",\"token\":{\"name\":\"T\",\"symbol\":\"T\"},"
        "\"supply_cap\":\"10000000\",\"min_fee\":\"0.001\",\"genesis_time_ms\":0,"
        "\"block_interval_ms\":1000,\"max_block_txs\":100,\"sequencer\":\"%s\","
        "\"allocations\":[{\"address\":\"%s\",\"amount\":\"10000\"},"
        "{\"address\":\"%s\",\"amount\":\"10000\"},"
        "{\"address\":\"%s\",\"amount\":\"10000\"},"
        "{\"address\":\"%s\",\"amount\":\"10000\"},"
        "{\"address\":\"%s\",\"amount\":\"10000\"},"
        "{\"address\":\"%s\",\"amount\":\"10000\"}],"
        "\"economy\":{\"epoch_blocks\":%d,\"emission_initial\":\"0\","
        "\"weight_storage\":7500,\"weight_wireless\":2500,"
        "\"price_oracle\":\"%s\",\"wireless_receipt_epochs\":2}}",
        a[SEQ], a[0], a[1], a[2], a[3], a[4], a[5], EPOCH_BLOCKS, a[SEQ]);
    econ_rules_init(&rules, &registry);
    assert_int_equal(econ_registry_check(&registry, msg, sizeof msg), CAIRN_OK);
    if (cairn_genesis_parse(&g, j, msg, sizeof msg) != CAIRN_OK)
        fail_msg("genesis: %s", msg);
    snprintf(dir, sizeof dir, "/tmp/cairn-wdata-XXXXXX");
    assert_non_null(mkdtemp(dir));
    assert_int_equal(cairn_chain_create_rules(dir, &g, &rules), CAIRN_OK);
    cairn_genesis_free(&g);
    assert_int_equal(cairn_chain_open_rules(&chain, dir, &rules), CAIRN_OK);
    mp = cairn_mempool_new(100, 1u << 22);
    assert_non_null(mp);
}

static void close_chain(void)
{
    char cmd[96];
    cairn_chain_close(chain);
    cairn_mempool_free(mp);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

static cairn_err submit(int who, uint16_t kind, const cairn_buf *body)
{
    cairn_account acc;
    cairn_buf b;
    cairn_tx tx;
    cairn_hash h;
    assert_int_equal(cairn_chain_account(chain, &keys[who].pk, &acc), CAIRN_OK);
    cairn_buf_init(&b, CAIRN_TX_MAX_BYTES);
    uint64_t nonce = acc.nonce + cairn_mempool_pending(mp, &keys[who].pk);
    assert_int_equal(cairn_tx_make(&b, CHAIN, &keys[who], nonce, FEE, kind,
                                   body->p, body->len),
                     CAIRN_OK);
    cairn_err e = cairn_chain_check_tx(chain, b.p, b.len, &tx, &h);
    if (!e)
        e = cairn_mempool_add(mp, b.p, b.len, &tx, &h, acc.nonce);
    cairn_buf_free(&b);
    return e;
}

/* One block; the books must balance after it. Returns the first drop. */
static cairn_err block(void)
{
    cairn_proposal pr;
    cairn_header h;
    cairn_econ_audit au;
    cairn_chain_tip(chain, &h, NULL);
    assert_int_equal(
        cairn_chain_propose(chain, mp, &keys[SEQ], (h.height + 1) * 1000, &pr),
        CAIRN_OK);
    cairn_err e = pr.n_dropped ? pr.drop_err[0] : CAIRN_OK;
    cairn_proposal_free(&pr);
    assert_int_equal(cairn_chain_econ_audit(chain, &au), CAIRN_OK);
    assert_true(au.ok);
    return e;
}

/* A block with one tx that must be dropped with `want`, leaving every
 * state the block's own bookkeeping does not touch unchanged: the routers'
 * credits and the hotspots' data units are compared by the callers. */
static void dropped(cairn_err want)
{
    assert_int_equal(block(), want);
}

static uint64_t height_now(void)
{
    cairn_header h;
    cairn_chain_tip(chain, &h, NULL);
    return h.height;
}

static uint64_t epoch_now(void)
{
    MDB_txn *txn;
    econ_global g;
    assert_int_equal(chain_read_begin(chain, &txn), CAIRN_OK);
    assert_int_equal(econ_global_get(txn, chain_store(chain), &g), CAIRN_OK);
    mdb_txn_abort(txn);
    return g.epoch;
}

static uint64_t credits_of(int who)
{
    uint64_t c;
    assert_int_equal(cairn_chain_credits(chain, &keys[who].pk, &c), CAIRN_OK);
    return c;
}

static uint64_t dc_of(uint64_t epoch, int who)
{
    MDB_txn *txn;
    uint64_t dc;
    assert_int_equal(chain_read_begin(chain, &txn), CAIRN_OK);
    assert_int_equal(
        wdata_hotspot_dc(txn, chain_store(chain), epoch, &keys[who].pk, &dc),
        CAIRN_OK);
    mdb_txn_abort(txn);
    return dc;
}

static void totals_of(uint64_t epoch, uint64_t *packets, uint64_t *dc)
{
    MDB_txn *txn;
    assert_int_equal(chain_read_begin(chain, &txn), CAIRN_OK);
    assert_int_equal(
        wdata_epoch_totals(txn, chain_store(chain), epoch, packets, dc),
        CAIRN_OK);
    mdb_txn_abort(txn);
}

static int paid(const cairn_packet_receipt *r)
{
    MDB_txn *txn;
    int p;
    assert_int_equal(chain_read_begin(chain, &txn), CAIRN_OK);
    assert_int_equal(wdata_receipt_paid(txn, chain_store(chain), r, &p),
                     CAIRN_OK);
    mdb_txn_abort(txn);
    return p;
}

static uint64_t floor_now(void)
{
    MDB_txn *txn;
    uint64_t f;
    assert_int_equal(chain_read_begin(chain, &txn), CAIRN_OK);
    assert_int_equal(wdata_floor_get(txn, chain_store(chain), &f), CAIRN_OK);
    mdb_txn_abort(txn);
    return f;
}

static cairn_err find_route(uint32_t devaddr, wdata_route *r)
{
    MDB_txn *txn;
    assert_int_equal(chain_read_begin(chain, &txn), CAIRN_OK);
    cairn_err e = wdata_route_find(txn, chain_store(chain), devaddr, r);
    mdb_txn_abort(txn);
    return e;
}

static cairn_err find_join(uint64_t eui, wdata_route *r)
{
    MDB_txn *txn;
    assert_int_equal(chain_read_begin(chain, &txn), CAIRN_OK);
    cairn_err e = wdata_route_by_join(txn, chain_store(chain), eui, r);
    mdb_txn_abort(txn);
    return e;
}

static cairn_err u64_tx(int who, uint16_t kind, uint64_t v)
{
    cairn_buf b;
    cairn_buf_init(&b, 16);
    cairn_put_u64(&b, v);
    cairn_err e = submit(who, kind, &b);
    cairn_buf_free(&b);
    return e;
}

static void reg(int who, uint8_t sector)
{
    cairn_buf b;
    cairn_register r = {sector, 0, 100 * TOK, "127.0.0.1:7000"};
    cairn_buf_init(&b, 256);
    cairn_register_encode(&b, &r);
    assert_int_equal(submit(who, CAIRN_TX_REGISTER, &b), CAIRN_OK);
    cairn_buf_free(&b);
}

static cairn_err route_set(int who, uint32_t base, uint8_t bits, uint64_t join,
                           const char *ep)
{
    cairn_buf b;
    cairn_route_set r = {.devaddr_base = base, .bits = bits, .join_eui = join};
    snprintf(r.endpoint, sizeof r.endpoint, "%s", ep);
    cairn_buf_init(&b, 256);
    cairn_route_set_encode(&b, &r);
    cairn_err e = submit(who, WDATA_TX_ROUTE_SET, &b);
    cairn_buf_free(&b);
    return e;
}

static cairn_err route_close(int who, uint32_t base, uint8_t bits)
{
    cairn_buf b;
    cairn_buf_init(&b, 16);
    cairn_route_close_encode(&b, base, bits);
    cairn_err e = submit(who, WDATA_TX_ROUTE_CLOSE, &b);
    cairn_buf_free(&b);
    return e;
}

/* A receipt signed by router `r` for a packet of len bytes (its bytes from
 * seed) carried by hotspot h, in epoch. */
static cairn_packet_receipt receipt(int r, int h, uint8_t seed, size_t len,
                                    uint64_t epoch)
{
    uint8_t phy[255];
    cairn_packet_receipt rc = {0};
    for (size_t i = 0; i < len; i++)
        phy[i] = (uint8_t)(seed + i * 31);
    cairn_packet_hash(&rc.packet_hash, phy, len);
    rc.hotspot = keys[h].pk;
    rc.dc = cairn_packet_dc(len);
    rc.epoch = epoch;
    assert_int_equal(cairn_packet_receipt_sign(&rc, CHAIN, &keys[r]), CAIRN_OK);
    return rc;
}

static cairn_err claim(int who, const cairn_packet_receipt *rs, size_t n)
{
    cairn_packet_claim *c = calloc(1, sizeof *c);
    cairn_buf b;
    assert_non_null(c);
    c->n = (uint8_t)n;
    memcpy(c->r, rs, n * sizeof *rs);
    cairn_buf_init(&b, CAIRN_TX_MAX_BYTES);
    cairn_packet_claim_encode(&b, c);
    cairn_err e = submit(who, WDATA_TX_PACKET_CLAIM, &b);
    cairn_buf_free(&b);
    free(c);
    return e;
}

/* Hotspots registered in the wireless sector, a storage provider, a price
 * of 0.001 tokens a credit, router A with CREDITS credits, router B with none.
 */
static void world(void)
{
    open_chain();
    reg(H1, WDATA_SECTOR);
    reg(H2, WDATA_SECTOR);
    reg(ST, CAIRN_SECTOR_STORAGE);
    assert_int_equal(u64_tx(SEQ, CAIRN_TX_SET_PRICE, 1000), CAIRN_OK);
    assert_int_equal(block(), CAIRN_OK);
    assert_int_equal(u64_tx(RA, CAIRN_TX_BUY_CREDITS, CREDITS), CAIRN_OK);
    assert_int_equal(block(), CAIRN_OK);
    assert_int_equal(credits_of(RA), CREDITS);
    assert_int_equal(credits_of(RB), 0);
}

/* ---- tests ---- */

static void test_codec(void **st)
{
    (void)st;
    uint8_t buf[CAIRN_PACKET_RECEIPT_LEN + 1];
    cairn_packet_receipt r = {0}, r2;
    cairn_keypair kp;
    uint8_t seed[32] = {9};
    cairn_keypair_from_seed(&kp, seed);
    assert_int_equal(cairn_packet_dc(0), 1);
    assert_int_equal(cairn_packet_dc(1), 1);
    assert_int_equal(cairn_packet_dc(24), 1);
    assert_int_equal(cairn_packet_dc(25), 2);
    assert_int_equal(cairn_packet_dc(255), CAIRN_DC_MAX);
    r.dc = 3;
    r.epoch = 77;
    r.hotspot.b[0] = 1;
    assert_int_equal(cairn_packet_receipt_sign(&r, "c", &kp), CAIRN_OK);
    cairn_packet_receipt_encode(&r, buf);
    assert_int_equal(cairn_packet_receipt_decode(&r2, buf, 172), CAIRN_OK);
    assert_memory_equal(&r, &r2, sizeof r);
    assert_int_equal(cairn_packet_receipt_verify(&r2, "c"), CAIRN_OK);
    assert_int_equal(cairn_packet_receipt_verify(&r2, "d"), CAIRN_ERR_BAD_SIG);
    assert_int_equal(cairn_packet_receipt_verify(&r2, ""), CAIRN_ERR_CHAIN_ID);
    assert_int_equal(cairn_packet_receipt_sign(&r, "", &kp), CAIRN_ERR_BAD_ARG);
    assert_int_equal(cairn_packet_receipt_decode(&r2, buf, 171),
                     CAIRN_ERR_TRUNCATED);
    assert_int_equal(cairn_packet_receipt_decode(&r2, buf, 173),
                     CAIRN_ERR_TRAILING);
    buf[96] = 0; /* dc 0 */
    assert_int_equal(cairn_packet_receipt_decode(&r2, buf, 172),
                     CAIRN_ERR_BAD_MSG);
    buf[96] = 12;
    assert_int_equal(cairn_packet_receipt_decode(&r2, buf, 172),
                     CAIRN_ERR_BAD_MSG);

    uint32_t base;
    uint8_t bits;
    assert_int_equal(cairn_route_parse("26000000/8", &base, &bits), CAIRN_OK);
    assert_true(base == 0x26000000 && bits == 8);
    assert_int_equal(cairn_route_parse("260000ab/32", &base, &bits), CAIRN_OK);
    assert_int_equal(cairn_route_parse("26010000/8", &base, &bits),
                     CAIRN_ERR_BAD_ARG); /* bits below the prefix */
    assert_int_equal(cairn_route_parse("26000000/7", &base, &bits),
                     CAIRN_ERR_BAD_ARG);
    assert_int_equal(cairn_route_parse("26000000/33", &base, &bits),
                     CAIRN_ERR_BAD_ARG);
    assert_int_equal(cairn_route_parse("2600000/8", &base, &bits),
                     CAIRN_ERR_BAD_ARG);
    assert_int_equal(cairn_route_parse("26000000/08", &base, &bits),
                     CAIRN_ERR_BAD_ARG);
    assert_int_equal(cairn_route_parse("26000000/8x", &base, &bits),
                     CAIRN_ERR_BAD_ARG);
    assert_true(cairn_route_contains(0x26000000, 8, 0x26ffffff));
    assert_false(cairn_route_contains(0x26000000, 8, 0x27000000));

    /* bodies round-trip; bad ones are BAD_BODY */
    cairn_buf b;
    cairn_route_set rs = {.devaddr_base = 0x26010000,
                          .bits = 16,
                          .join_eui = 5,
                          .endpoint = "127.0.0.1:9"},
                    rs2;
    cairn_buf_init(&b, 512);
    cairn_route_set_encode(&b, &rs);
    assert_int_equal(cairn_route_set_decode(&rs2, b.p, b.len), CAIRN_OK);
    assert_true(rs2.devaddr_base == rs.devaddr_base && rs2.bits == rs.bits &&
                rs2.join_eui == rs.join_eui &&
                strcmp(rs2.endpoint, rs.endpoint) == 0);
    assert_int_equal(cairn_route_set_decode(&rs2, b.p, b.len - 1),
                     CAIRN_ERR_BAD_BODY);
    b.p[4] = 7; /* bits */
    assert_int_equal(cairn_route_set_decode(&rs2, b.p, b.len),
                     CAIRN_ERR_BAD_BODY);
    cairn_buf_reset(&b);
    cairn_put_u8(&b, 0);
    cairn_packet_claim *c = calloc(1, sizeof *c);
    assert_non_null(c);
    assert_int_equal(cairn_packet_claim_decode(c, b.p, b.len),
                     CAIRN_ERR_BAD_BODY);
    free(c);
    cairn_buf_free(&b);
}

static void test_routes(void **st)
{
    (void)st;
    wdata_route r;
    world();
    assert_int_equal(route_set(RA, 0x26000000, 8, 0x70, "127.0.0.1:8000"),
                     CAIRN_OK);
    assert_int_equal(block(), CAIRN_OK);
    assert_int_equal(find_route(0x26abcdef, &r), CAIRN_OK);
    assert_memory_equal(r.owner.b, keys[RA].pk.b, 32);
    assert_string_equal(r.endpoint, "127.0.0.1:8000");
    assert_int_equal(find_route(0x27000000, &r), CAIRN_ERR_NO_ROUTE);
    assert_int_equal(find_join(0x70, &r), CAIRN_OK);
    assert_int_equal(r.base, 0x26000000);

    /* a malformed endpoint or range never reaches a block */
    assert_int_equal(route_set(RB, 0x27000000, 8, 0, "no port"),
                     CAIRN_ERR_BAD_ENDPOINT);
    assert_int_equal(route_set(RB, 0x27000001, 8, 0, "127.0.0.1:1"),
                     CAIRN_ERR_BAD_BODY);

    /* overlaps: inside A's, containing A's, A's exact range, A's JoinEUI;
     * A itself may not overlap its own range with a second one */
    assert_int_equal(route_set(RB, 0x26010000, 16, 0, "127.0.0.1:9000"),
                     CAIRN_OK);
    dropped(CAIRN_ERR_ROUTE_OVERLAP);
    assert_int_equal(route_set(RB, 0x26000000, 8, 0, "127.0.0.1:9000"),
                     CAIRN_OK);
    dropped(CAIRN_ERR_ROUTE_OVERLAP);
    assert_int_equal(route_set(RB, 0x27000000, 8, 0x70, "127.0.0.1:9000"),
                     CAIRN_OK);
    dropped(CAIRN_ERR_ROUTE_OVERLAP);
    assert_int_equal(route_set(RA, 0x26ff0000, 16, 0, "127.0.0.1:9000"),
                     CAIRN_OK);
    dropped(CAIRN_ERR_ROUTE_OVERLAP);
    /* B takes a neighbouring range, then a wider one over A's fails */
    assert_int_equal(route_set(RB, 0x27000000, 8, 0x71, "127.0.0.1:9000"),
                     CAIRN_OK);
    assert_int_equal(block(), CAIRN_OK);
    assert_int_equal(route_set(RB, 0x26000000, 8, 0, "127.0.0.1:9000"),
                     CAIRN_OK);
    dropped(CAIRN_ERR_ROUTE_OVERLAP);
    assert_int_equal(find_route(0x27000001, &r), CAIRN_OK);
    assert_memory_equal(r.owner.b, keys[RB].pk.b, 32);

    /* the owner updates its endpoint and JoinEUI */
    assert_int_equal(route_set(RA, 0x26000000, 8, 0x72, "127.0.0.1:8001"),
                     CAIRN_OK);
    assert_int_equal(block(), CAIRN_OK);
    assert_int_equal(find_route(0x26000001, &r), CAIRN_OK);
    assert_string_equal(r.endpoint, "127.0.0.1:8001");
    assert_int_equal(r.join_eui, 0x72);
    assert_int_equal(find_join(0x70, &r), CAIRN_ERR_NO_ROUTE);
    assert_int_equal(find_join(0x72, &r), CAIRN_OK);

    /* only the owner closes; then the range and its JoinEUI are free */
    assert_int_equal(route_close(RB, 0x26000000, 8), CAIRN_OK);
    dropped(CAIRN_ERR_NOT_ROUTE_OWNER);
    assert_int_equal(route_close(RB, 0x28000000, 8), CAIRN_OK);
    dropped(CAIRN_ERR_NO_ROUTE);
    assert_int_equal(route_close(RA, 0x26000000, 8), CAIRN_OK);
    assert_int_equal(block(), CAIRN_OK);
    assert_int_equal(find_route(0x26000001, &r), CAIRN_ERR_NO_ROUTE);
    assert_int_equal(find_join(0x72, &r), CAIRN_ERR_NO_ROUTE);
    assert_int_equal(route_set(RB, 0x26000000, 8, 0x72, "127.0.0.1:9001"),
                     CAIRN_OK);
    assert_int_equal(block(), CAIRN_OK);
    assert_int_equal(find_join(0x72, &r), CAIRN_OK);
    assert_memory_equal(r.owner.b, keys[RB].pk.b, 32);

    wdata_route *list;
    size_t n;
    MDB_txn *txn;
    assert_int_equal(chain_read_begin(chain, &txn), CAIRN_OK);
    assert_int_equal(wdata_route_list(txn, chain_store(chain), &list, &n),
                     CAIRN_OK);
    mdb_txn_abort(txn);
    assert_int_equal(n, 2);
    assert_true(list[0].base == 0x26000000 && list[1].base == 0x27000000);
    free(list);
    close_chain();
}

/* A refused claim leaves the state root as it was (but for the block's
 * own bookkeeping: compare the sector's numbers). */
static void refused(int who, const cairn_packet_receipt *rs, size_t n,
                    cairn_err at_check, cairn_err in_block)
{
    uint64_t ca = credits_of(RA), cb = credits_of(RB), e = epoch_now();
    uint64_t d1 = dc_of(e, H1), d2 = dc_of(e, H2), p0, t0, p1, t1;
    totals_of(e, &p0, &t0);
    assert_int_equal(claim(who, rs, n), at_check);
    if (at_check == CAIRN_OK)
        assert_int_equal(block(), in_block);
    assert_int_equal(credits_of(RA), ca);
    assert_int_equal(credits_of(RB), cb);
    assert_int_equal(dc_of(e, H1), d1);
    assert_int_equal(dc_of(e, H2), d2);
    totals_of(e, &p1, &t1);
    assert_true(p0 == p1 && t0 == t1);
}

static void test_claims(void **st)
{
    (void)st;
    world();
    uint64_t e = epoch_now();
    cairn_packet_receipt r[4];
    r[0] = receipt(RA, H1, 1, 20, e);  /* 1 dc */
    r[1] = receipt(RA, H1, 2, 100, e); /* 5 dc */
    assert_int_equal(claim(H1, r, 2), CAIRN_OK);
    assert_int_equal(block(), CAIRN_OK);
    e = epoch_now();
    assert_int_equal(credits_of(RA), CREDITS - 6);
    assert_int_equal(dc_of(e, H1), 6);
    uint64_t pk, dc;
    totals_of(e, &pk, &dc);
    assert_true(pk == 2 && dc == 6);
    assert_true(paid(&r[0]) && paid(&r[1]));

    /* replayed: whole and inside a batch with a new one */
    refused(H1, &r[0], 1, CAIRN_OK, CAIRN_ERR_RECEIPT_CLAIMED);
    r[2] = receipt(RA, H1, 3, 255, e);
    cairn_packet_receipt mix[2] = {r[2], r[1]};
    refused(H1, mix, 2, CAIRN_OK, CAIRN_ERR_RECEIPT_CLAIMED);
    assert_false(paid(&r[2]));

    /* forged: a flipped signature byte, a changed dc, the wrong router */
    cairn_packet_receipt f = r[2];
    f.sig.b[5] ^= 1;
    refused(H1, &f, 1, CAIRN_ERR_BAD_SIG, 0);
    f = r[2];
    f.dc = 1;
    refused(H1, &f, 1, CAIRN_ERR_BAD_SIG, 0);
    f = r[2];
    f.router = keys[RB].pk; /* signed by A, names B */
    refused(H1, &f, 1, CAIRN_ERR_BAD_SIG, 0);

    /* claimed by another hotspot: H1's receipt sent by H2; the same packet
     * re-signed for H2 after H1 was paid */
    refused(H2, &r[2], 1, CAIRN_ERR_NOT_CARRIER, 0);
    f = receipt(RA, H2, 1, 20, e); /* r[0]'s packet */
    refused(H2, &f, 1, CAIRN_OK, CAIRN_ERR_RECEIPT_CLAIMED);

    /* twice in one batch */
    cairn_packet_receipt twice[2] = {r[2], r[2]};
    refused(H1, twice, 2, CAIRN_ERR_RECEIPT_CLAIMED, 0);

    /* a later epoch than the chain's */
    f = receipt(RA, H1, 4, 10, epoch_now() + 1);
    refused(H1, &f, 1, CAIRN_OK, CAIRN_ERR_RECEIPT_EPOCH);

    /* router without credits; and the whole batch falls with it */
    f = receipt(RB, H1, 5, 10, e);
    refused(H1, &f, 1, CAIRN_OK, CAIRN_ERR_NO_CREDITS);
    cairn_packet_receipt ab[2] = {r[2], f};
    refused(H1, ab, 2, CAIRN_OK, CAIRN_ERR_NO_CREDITS);

    /* a sender that is not a wireless provider */
    f = receipt(RA, ST, 6, 10, e);
    refused(ST, &f, 1, CAIRN_OK, CAIRN_ERR_NOT_CARRIER);
    f = receipt(RA, RB, 6, 10, e);
    refused(RB, &f, 1, CAIRN_OK, CAIRN_ERR_NOT_CARRIER);

    /* a good batch from H2 with many receipts: credits spent == dc */
    cairn_packet_receipt *many = calloc(CAIRN_PACKET_CLAIM_MAX, sizeof *many);
    assert_non_null(many);
    uint64_t want = 0, before = credits_of(RA);
    for (size_t i = 0; i < CAIRN_PACKET_CLAIM_MAX; i++) {
        many[i] = receipt(RA, H2, (uint8_t)(100 + i), 1 + i, e);
        want += many[i].dc;
    }
    assert_true(want <= before);
    uint64_t e2 = epoch_now();
    uint64_t h2_before = dc_of(e2, H2);
    assert_int_equal(claim(H2, many, CAIRN_PACKET_CLAIM_MAX), CAIRN_OK);
    assert_int_equal(block(), CAIRN_OK);
    assert_int_equal(credits_of(RA), before - want);
    if (epoch_now() == e2)
        assert_int_equal(dc_of(e2, H2), h2_before + want);
    free(many);

    /* outside the window: wireless_receipt_epochs is 2 here */
    f = receipt(RA, H1, 7, 10, e);
    while (epoch_now() < e + 3)
        assert_int_equal(block(), CAIRN_OK);
    refused(H1, &f, 1, CAIRN_OK, CAIRN_ERR_RECEIPT_EPOCH);
    /* the paid keys of epoch e were pruned with the window... */
    assert_false(paid(&r[0]));
    /* ...and the floor keeps them unclaimable: it stands at the current
     * epoch minus the window (2), and only rises */
    assert_int_equal(floor_now(), epoch_now() - 2);
    refused(H1, &r[0], 1, CAIRN_OK, CAIRN_ERR_RECEIPT_EPOCH);
    uint64_t fl = floor_now();
    for (int i = 0; i < EPOCH_BLOCKS; i++)
        assert_int_equal(block(), CAIRN_OK);
    assert_true(floor_now() == fl + 1);

    /* every credit A spent went to a receipt: CREDITS - left == Σ dc paid */
    uint64_t sum = 0;
    for (uint64_t ep = 0; ep <= epoch_now(); ep++) {
        totals_of(ep, &pk, &dc);
        sum += dc;
    }
    assert_int_equal(CREDITS - credits_of(RA), sum);

    /* the replay reaches the same state root */
    cairn_header h;
    cairn_hash root;
    uint64_t blocks;
    char rdir[96], cmd[128];
    cairn_chain_tip(chain, &h, NULL);
    snprintf(rdir, sizeof rdir, "%s-replay", dir);
    assert_int_equal(
        cairn_chain_replay_rules(dir, rdir, &rules, &root, &blocks), CAIRN_OK);
    assert_memory_equal(root.b, h.state_root.b, 32);
    assert_int_equal(blocks, height_now());
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", rdir);
    assert_int_equal(system(cmd), 0);
    close_chain();
}

int main(void)
{
    cairn_crypto_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_codec),
        cmocka_unit_test(test_routes),
        cmocka_unit_test(test_claims),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
