/* docs/encoding.md's state format against the node (issue 8, point 16):
 * - the genesis state root of tests/vectors/genesis_state.txt, computed
 *   from the docs alone in Python, is the one cairn_chain_create gives;
 * - after a chain used every kind that writes state, every entry of its
 *   LMDB state table has a documented tag, key length and value length,
 *   and every documented record occurs.
 * Reads the tree at $CAIRN_SRC (set by ctest). */
#include "compute_fixture.h"
#include "wireless_fixture.h"

#include <stdlib.h>

#include "cairn/job.h"
#include "cairn/sensor.h"
#include "cairn/subnet.h"
#include "cairn/wireless_data.h"

#include <lmdb.h>
#include "unit/src_file.h"

#define ROWS_MAX 128

/* One row of encoding.md's state table. */
typedef struct state_row {
    unsigned tag;
    size_t klen, vmin, vmax;
    int seen;
} state_row;

/* ---- the genesis vector ---- */

/* The value of "name=" on its own line of text (borrowed, modified). */
static char *vector_field(char *text, const char *name)
{
    size_t n = strlen(name);
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save))
        if (strncmp(line, name, n) == 0 && line[n] == '=')
            return line + n + 1;
    fail_msg("tests/vectors/genesis_state.txt has no %s=", name);
    return NULL;
}

static void genesis_vector(void **st)
{
    char *a = read_src("tests/vectors/genesis_state.txt");
    char *b = read_src("tests/vectors/genesis_state.txt");
    const char *json = vector_field(a, "genesis"),
               *want = vector_field(b, "state_root");
    char dir[] = "/tmp/cairn-gvec-XXXXXX", msg[256] = "", got[65], cmd[64];
    cairn_genesis g;
    cairn_chain *c;
    cairn_header h;
    assert_non_null(mkdtemp(dir));
    assert_int_equal(cairn_genesis_parse(&g, json, msg, sizeof msg), CAIRN_OK);
    assert_int_equal(cairn_chain_create(dir, &g), CAIRN_OK);
    assert_int_equal(cairn_chain_open(&c, dir), CAIRN_OK);
    cairn_chain_tip(c, &h, NULL);
    cairn_hex_encode(got, h.state_root.b, 32);
    got[64] = '\0';
    assert_int_equal(h.height, 0);
    if (strcmp(got, want) != 0)
        fail_msg("genesis state root %s, docs/ say %s", got, want);
    cairn_chain_close(c);
    cairn_genesis_free(&g);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    free(a);
    free(b);
}

/* ---- the state table ---- */

/* Reads "N" or "A–B" (en dash) into lo..hi; -1 when the cell has none. */
static int read_range(const char *cell, size_t *lo, size_t *hi)
{
    unsigned a, b;
    if (sscanf(cell, " %u", &a) != 1)
        return -1;
    *lo = *hi = a;
    const char *dash = strstr(cell, "–");
    if (dash && sscanf(dash + strlen("–"), "%u", &b) == 1)
        *hi = b;
    return 0;
}

/* The rows "| 0xTT | record | key | key bytes | value | value bytes |" of
 * the table in encoding.md's "## State" section. */
static size_t state_rows(state_row *rows)
{
    char *doc = read_src("docs/encoding.md"), *save;
    char *sec = strstr(doc, "\n## State\n");
    size_t n = 0;
    assert_non_null(sec);
    char *end = strstr(sec + 1, "\n### ");
    if (end)
        *end = '\0';
    for (char *line = strtok_r(sec, "\n", &save); line && n < ROWS_MAX;
         line = strtok_r(NULL, "\n", &save)) {
        char *cell[8], *p = line;
        int k = 0;
        if (strncmp(line, "| 0x", 4) != 0)
            continue;
        while ((p = strchr(p, '|')) && k < 8) {
            *p++ = '\0'; /* ends the cell before it */
            cell[k++] = p;
        }
        state_row *r = &rows[n];
        if (k < 7 || sscanf(cell[0], " 0x%x", &r->tag) != 1 ||
            read_range(cell[3], &r->klen, &r->klen) ||
            read_range(cell[5], &r->vmin, &r->vmax))
            continue; /* a retired tag */
        r->seen = 0;
        n++;
    }
    free(doc);
    return n;
}

/* Looks up one state entry among the rows; fails when none describes it. */
static void check_entry(state_row *rows, size_t n, const MDB_val *k,
                        const MDB_val *v)
{
    const uint8_t *kp = k->mv_data;
    assert_true(k->mv_size >= 1);
    for (size_t i = 0; i < n; i++) {
        if (rows[i].tag != kp[0] || rows[i].klen != k->mv_size - 1)
            continue;
        if (v->mv_size < rows[i].vmin || v->mv_size > rows[i].vmax)
            fail_msg(
                "tag 0x%02x: a %zu-byte value, docs/encoding.md says %zu..%zu",
                kp[0], v->mv_size, rows[i].vmin, rows[i].vmax);
        rows[i].seen++;
        return;
    }
    fail_msg(
        "state entry tag 0x%02x with a %zu-byte key is not in docs/encoding.md",
        kp[0], k->mv_size - 1);
}

/* Walks the LMDB state table of the (closed) chain in dir. */
static void check_state_table(const char *dir, state_row *rows, size_t n)
{
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi dbi;
    MDB_cursor *cur;
    MDB_val k, v;
    assert_int_equal(mdb_env_create(&env), 0);
    assert_int_equal(mdb_env_set_maxdbs(env, 8), 0);
    assert_int_equal(mdb_env_open(env, dir, MDB_RDONLY, 0600), 0);
    assert_int_equal(mdb_txn_begin(env, NULL, MDB_RDONLY, &txn), 0);
    assert_int_equal(mdb_dbi_open(txn, "state", 0, &dbi), 0);
    assert_int_equal(mdb_cursor_open(txn, dbi, &cur), 0);
    for (int rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT))
        check_entry(rows, n, &k, &v);
    mdb_cursor_close(cur);
    mdb_txn_abort(txn);
    mdb_env_close(env);
}

enum { ORACLE = 1, PROV = 2, CLIENT = 3, HOLDER = 4, CPROV = 5, MINER = 6 };

#define ECON_BUSY                                                              \
    "{\"epoch_blocks\": 4, \"gov_voting_blocks\": 1000, "                      \
    "\"unbonding_epochs\": 100, \"price_oracle\": \"%ORACLE%\", "              \
    "\"fee_provider_bps\": 7000, \"fee_burn_bps\": 1000, "                     \
    "\"fee_treasury_bps\": 1000, \"fee_stakers_bps\": 1000, "                  \
    "\"wireless_witness_blocks\": 1, \"sensor_week_epochs\": 1}"

/* Staking, governance and credits: a delegation, an unbonding entry, an
 * open proposal with a vote, a price and credits. */
static void busy_econ(twin *t)
{
    cairn_buf b;
    cairn_delegate d = {fx_keys[PROV].pk, 100 * TOK};
    cairn_gov_propose p = {
        .type = CAIRN_GOV_PARAM, .param = "jail_epochs", .value = 3};
    cairn_gov_vote v = {1, CAIRN_VOTE_YES};
    cairn_buf_init(&b, 4096);
    fx_register(t, PROV, 1000 * TOK, &b);
    assert_int_equal(step(t), CAIRN_OK);
    cairn_delegate_encode(&b, &d);
    both(t, HOLDER, CAIRN_TX_DELEGATE, &b);
    cairn_amount_body_encode(&b, 10 * TOK);
    both(t, PROV, CAIRN_TX_UNBOND, &b);
    cairn_gov_propose_encode(&b, &p);
    both(t, PROV, CAIRN_TX_PROPOSE, &b);
    cairn_set_price_encode(&b, 10);
    both(t, ORACLE, CAIRN_TX_SET_PRICE, &b);
    assert_int_equal(step(t), CAIRN_OK);
    cairn_gov_vote_encode(&b, &v);
    both(t, PROV, CAIRN_TX_VOTE, &b);
    cairn_buy_credits_encode(&b, 5);
    both(t, CLIENT, CAIRN_TX_BUY_CREDITS, &b);
    assert_int_equal(step(t), CAIRN_OK);
    cairn_buf_free(&b);
}

/* A storage deal with a file name record, and an epoch settled after it. */
static void busy_storage(twin *t, tpiece *p)
{
    cairn_buf b;
    uint64_t S = dx_epoch(t) + 1;
    cairn_deal_terms tm = dx_terms(PROV, p, S, 3, 1000, 600, 0);
    uint8_t blob[100] = {1};
    cairn_file_name fn = {.len = sizeof blob, .blob = blob};
    memcpy(fn.id, tm.file_tag.b, CAIRN_FILE_ID_LEN);
    cairn_buf_init(&b, 4096);
    dx_open_body(&b, t, CLIENT, PROV, &tm);
    both(t, CLIENT, CAIRN_TX_DEAL_OPEN, &b);
    cairn_file_name_encode(&b, &fn);
    both(t, CLIENT, CAIRN_TX_FILE_NAME, &b);
    assert_int_equal(step(t), CAIRN_OK);
    dx_to_epoch(t, S);
    dx_prove(t, PROV, 1, p);
    assert_int_equal(step(t), CAIRN_OK);
    dx_to_epoch(t, S + 1);
    assert_int_equal(dx_deal(t, 1).state, CAIRN_DEAL_ACTIVE);
    cairn_buf_free(&b);
}

/* Compute: a provider with an offer, a lease that runs (reported) and an
 * order that still takes bids, with a bid on it. */
static void busy_compute(twin *t)
{
    cairn_order o = cx_order_terms(1, 50000, 10, 100000, 100);
    cx_register(t, CPROV, 1000 * TOK);
    assert_int_equal(step(t), CAIRN_OK);
    cx_offer(t, CPROV, 4, 4096, 4096);
    assert_int_equal(step(t), CAIRN_OK);
    uint64_t a = cx_order(t, CLIENT, &o), b = cx_order(t, CLIENT, &o);
    cx_bid(t, CPROV, a, 40000);
    cx_bid(t, CPROV, b, 40000);
    assert_int_equal(step(t), CAIRN_OK);
    cx_lease(t, CLIENT, a, CPROV);
    assert_int_equal(step(t), CAIRN_OK);
    cx_report(t, CPROV, a, CAIRN_WORK_RUNNING);
    assert_int_equal(step(t), CAIRN_OK);
    assert_int_equal(cx_get(t, a).state, CAIRN_LEASE_ACTIVE);
    assert_int_equal(cx_get(t, b).state, CAIRN_LEASE_OPEN);
}

/* Subnet "busy": MINER (made a compute provider here) and the validator
 * CLIENT, a revealed row and a settled epoch (bonds and a result). Before
 * busy_storage: the epochs it runs leave the deal active. */
static void busy_subnet(twin *t, cairn_weights_reveal *r)
{
    cairn_buf b;
    cairn_hash h;
    memset(r, 0, sizeof *r);
    r->subnet = 1;
    r->w.n = 1;
    r->w.e[0] = (cairn_weight){0, 7};
    cairn_buf_init(&b, 4096);
    cx_register(t, MINER, 1000 * TOK);
    cairn_subnet_create_encode(&b, "busy", CAIRN_SUBNET_MATMUL);
    both(t, HOLDER, CAIRN_TX_SUBNET_CREATE, &b);
    assert_int_equal(step(t), CAIRN_OK);
    cx_offer(t, MINER, 4, 4096, 4096);
    assert_int_equal(step(t), CAIRN_OK);
    cairn_subnet_join_encode(&b, 1, CAIRN_ROLE_MINER, 0);
    both(t, MINER, CAIRN_TX_SUBNET_JOIN, &b);
    cairn_subnet_join_encode(&b, 1, CAIRN_ROLE_VALIDATOR, 10 * TOK);
    both(t, CLIENT, CAIRN_TX_SUBNET_JOIN, &b);
    assert_int_equal(step(t), CAIRN_OK);
    r->epoch = dx_epoch(t);
    cairn_weights_commit_hash(&h, 1, r->epoch, &fx_keys[CLIENT].pk, &r->w,
                              r->salt);
    cairn_weights_commit_encode(&b, 1, r->epoch, &h);
    both(t, CLIENT, CAIRN_TX_WEIGHTS_COMMIT, &b);
    assert_int_equal(step(t), CAIRN_OK);
    dx_to_epoch(t, r->epoch + 1);
    cairn_weights_reveal_encode(&b, r);
    both(t, CLIENT, CAIRN_TX_WEIGHTS_REVEAL, &b);
    assert_int_equal(step(t), CAIRN_OK);
    dx_to_epoch(t, dx_epoch(t) + 1);
    cairn_buf_free(&b);
}

/* Queues a commit of the current epoch (busy_compute's first block
 * takes it: no block more, so the storage deal stays active), which
 * stays waiting for its reveal. */
static void busy_commit(twin *t, const cairn_weights_reveal *r)
{
    cairn_buf b;
    cairn_hash h;
    uint64_t e = dx_epoch(t);
    cairn_buf_init(&b, 256);
    cairn_weights_commit_hash(&h, 1, e, &fx_keys[CLIENT].pk, &r->w, r->salt);
    cairn_weights_commit_encode(&b, 1, e, &h);
    both(t, CLIENT, CAIRN_TX_WEIGHTS_COMMIT, &b);
    cairn_buf_free(&b);
}

/* Lottery tickets: HOLDER funds, CLIENT redeems one winning ticket. */
static void busy_tickets(twin *t)
{
    cairn_buf b;
    cairn_ticket tk;
    uint8_t rand[CAIRN_TICKET_RAND_LEN] = {9};
    cairn_buf_init(&b, 512);
    cairn_ticket_fund_encode(&b, 10 * TOK, TOK);
    both(t, HOLDER, CAIRN_TX_TICKET_FUND, &b);
    assert_int_equal(step(t), CAIRN_OK);
    memset(&tk, 0, sizeof tk);
    assert_int_equal(cairn_ticket_set_chain(&tk, FX_CHAIN), CAIRN_OK);
    tk.recipient = fx_keys[CLIENT].pk;
    tk.face_value = TOK;
    tk.win_prob = UINT64_MAX;
    tk.expiration = 1000000;
    cairn_ticket_rand_hash(&tk.rand_hash, rand);
    assert_int_equal(cairn_ticket_sign(&tk, &fx_keys[HOLDER]), CAIRN_OK);
    cairn_ticket_redeem_encode(&b, &tk, rand);
    both(t, CLIENT, CAIRN_TX_TICKET_REDEEM, &b);
    assert_int_equal(step(t), CAIRN_OK);
    cairn_buf_free(&b);
}

/* Evidence: in subnet "ev-tc" (transcode) HOLDER, a validator, votes
 * against part 0 of a MINER claim (a tally and a vote record, below the
 * quorum: CLIENT holds more stake); in "ev-mm" (matmul) a wrong entry of
 * a MINER claim convicts it (a judged record). After busy_subnet, before
 * busy_storage (whose deal must still be active at the end). */
static void busy_evidence(twin *t)
{
    cairn_buf b;
    cairn_subnet_info tc, mm;
    cairn_job_evidence e;
    uint8_t *keep;
    uint64_t a[1] = {3}, bm[1] = {5}, c[1] = {16}; /* 3 · 5 is not 16 */
    cairn_hash leaf, ra, rb;
    cairn_buf_init(&b, CAIRN_TX_BODY_MAX);
    cairn_subnet_create_encode(&b, "ev-tc", CAIRN_SUBNET_TRANSCODE);
    both(t, ORACLE, CAIRN_TX_SUBNET_CREATE, &b);
    cairn_subnet_create_encode(&b, "ev-mm", CAIRN_SUBNET_MATMUL);
    both(t, ORACLE, CAIRN_TX_SUBNET_CREATE, &b);
    assert_int_equal(step(t), CAIRN_OK);
    assert_int_equal(cairn_chain_subnet_by_name(t->c[0], "ev-tc", &tc), 0);
    assert_int_equal(cairn_chain_subnet_by_name(t->c[0], "ev-mm", &mm), 0);
    cairn_subnet_join_encode(&b, tc.id, CAIRN_ROLE_VALIDATOR, 100 * TOK);
    both(t, HOLDER, CAIRN_TX_SUBNET_JOIN, &b);
    cairn_subnet_join_encode(&b, tc.id, CAIRN_ROLE_VALIDATOR, 1000 * TOK);
    both(t, CLIENT, CAIRN_TX_SUBNET_JOIN, &b);
    assert_int_equal(step(t), CAIRN_OK);

    memset(&e, 0, sizeof e);
    assert_int_equal(cairn_job_claim_set_chain(&e.claim, FX_CHAIN), 0);
    e.claim.subnet = tc.id;
    e.claim.type = CAIRN_JOB_TRANSCODE;
    e.claim.parts = 1;
    cairn_merkle_leaf(&leaf, "rendition", 9);
    e.claim.output_root = leaf; /* one part: the root is its leaf */
    assert_int_equal(cairn_job_claim_sign(&e.claim, &fx_keys[MINER]), 0);
    e.form = CAIRN_EVIDENCE_VOTE;
    e.pv.count = 1;
    e.miner_leaf = leaf;
    cairn_merkle_leaf(&e.rerun_leaf, "other", 5);
    cairn_buf_reset(&b);
    cairn_job_evidence_encode(&b, &e);
    both(t, HOLDER, CAIRN_TX_COMPUTE_EVIDENCE, &b);
    assert_int_equal(step(t), CAIRN_OK);

    memset(&e.claim, 0, sizeof e.claim);
    assert_int_equal(cairn_job_claim_set_chain(&e.claim, FX_CHAIN), 0);
    e.claim.subnet = mm.id;
    e.claim.type = CAIRN_JOB_MATMUL;
    e.claim.parts = 1;
    assert_int_equal(cairn_mm_roots(&ra, &rb, a, bm, 1, 1, 1), 0);
    cairn_mm_input_root(&e.claim.input_root, 1, 1, 1, &ra, &rb);
    assert_int_equal(cairn_mm_output_root(&e.claim.output_root, c, 1, 1), 0);
    assert_int_equal(cairn_job_claim_sign(&e.claim, &fx_keys[MINER]), 0);
    cairn_job_claim cl = e.claim; /* the builder resets e */
    assert_int_equal(
        cairn_job_evidence_matmul(&e, &keep, &cl, a, bm, c, 1, 1, 1, 0, 0), 0);
    cairn_buf_reset(&b);
    cairn_job_evidence_encode(&b, &e);
    free(keep);
    both(t, ORACLE, CAIRN_TX_COMPUTE_EVIDENCE, &b);
    assert_int_equal(step(t), CAIRN_OK);
    cairn_provider_info pi;
    assert_int_equal(cairn_chain_provider(t->c[0], &fx_keys[MINER].pk, &pi), 0);
    assert_true(pi.jailed);
    cairn_buf_free(&b);
}

/* Wireless "busy": six hotspots asserted (records and cell index), then
 * one epoch in which two of them beacon and the others witness (beacon,
 * witness, units and totals records). */
static void busy_wireless(twin *t)
{
    static const int ws[] = {0, 1, 2, 3, 4, 5};
    const int32_t off[6][2] = {{0, 0},       {5400, 0},  {0, 6800},
                               {5400, 6800}, {10800, 0}, {10800, 6800}};
    wx_plan p[2];
    wx_n = 0;
    for (int i = 0; i < 6; i++)
        wx_place(i, 37000000 + off[i][0], -122000000 + off[i][1],
                 37000000 + off[i][0], -122000000 + off[i][1]);
    wx_setup(t);
    cx_to_epoch(t, cx_status(t).epoch + 1);
    p[0] = wx_honest(0, ws, 6);
    p[1] = wx_honest(1, ws, 6);
    wx_run_epoch(t, p, 2);
    assert_int_equal(wx_witness(t, cx_status(t).epoch - 1, 0, 2).verdict,
                     POC_OK);
}

/* Wireless data credits: CLIENT (who bought 5 credits in busy_econ) as a
 * router with a route and a JoinEUI; hotspot 0 of busy_wireless claims
 * one receipt of it (paid receipt, data units, totals; the claim floor
 * comes with the epochs that follow). */
static void busy_wdata(twin *t)
{
    cairn_buf b;
    cairn_route_set rs = {.devaddr_base = 0x26000000,
                          .bits = 8,
                          .join_eui = 0x70b3d57ed0000001ull,
                          .endpoint = "127.0.0.1:8700"};
    static cairn_packet_claim c;
    cairn_buf_init(&b, CAIRN_TX_MAX_BYTES);
    cairn_route_set_encode(&b, &rs);
    both(t, CLIENT, CAIRN_TX_ROUTE_SET, &b);
    assert_int_equal(step(t), CAIRN_OK);
    c.n = 1;
    cairn_packet_hash(&c.r[0].packet_hash, "a packet", 8);
    c.r[0].hotspot = wx[0].kp.pk;
    c.r[0].dc = 1;
    c.r[0].epoch = cx_status(t).epoch;
    assert_int_equal(
        cairn_packet_receipt_sign(&c.r[0], FX_CHAIN, &fx_keys[CLIENT]),
        CAIRN_OK);
    cairn_packet_claim_encode(&b, &c);
    wx_both(t, 0, CAIRN_TX_PACKET_CLAIM, &b);
    assert_int_equal(step(t), CAIRN_OK);
    cairn_buf_free(&b);
}

/* Sensors: two owners registered in the sensor sector pair a device each;
 * both devices report the same tile with the same q in one epoch, with a
 * sealed key for CLIENT under a free grant (batch, content, reports,
 * devices, by-owner rows); the epoch's end agrees the tile (tile, units,
 * weekly points with sensor_week_epochs 1, totals); CLIENT reads the tile
 * (map read) and funds a bounty on a tile nobody maps (bounty). */
static void kp_both(twin *t, const cairn_keypair *kp, uint16_t kind,
                    cairn_buf *body)
{
    assert_int_equal(wx_submit(t, 0, kp, kind, body), CAIRN_OK);
    assert_int_equal(wx_submit(t, 1, kp, kind, body), CAIRN_OK);
    cairn_buf_reset(body);
}

static void busy_sensor(twin *t)
{
    cairn_buf b;
    cairn_keypair own[2], dev[2];
    uint64_t cell, other;
    cairn_buf_init(&b, CAIRN_TX_MAX_BYTES);
    for (int i = 0; i < 2; i++) {
        uint8_t seed[32] = {(uint8_t)i, 0x5E, 1};
        cairn_keypair_from_seed(&own[i], seed);
        seed[2] = 2;
        cairn_keypair_from_seed(&dev[i], seed);
        cairn_put_bytes(&b, own[i].pk.b, 32);
        cairn_put_u64(&b, 1000 * TOK);
        both(t, ORACLE, CAIRN_TX_TRANSFER, &b);
    }
    assert_int_equal(step(t), CAIRN_OK);
    assert_int_equal(hexg_cell(37000000, -122000000, 9, &cell), 0);
    assert_int_equal(hexg_cell(38000000, -122000000, 9, &other), 0);
    for (int i = 0; i < 2; i++) {
        cairn_register r = {CAIRN_SECTOR_SENSOR, 0, 100 * TOK,
                            "tcp://127.0.0.1:7300"};
        cairn_register_encode(&b, &r);
        kp_both(t, &own[i], CAIRN_TX_REGISTER, &b);
        cairn_sensor_pair p = {.device = dev[i].pk};
        assert_int_equal(
            cairn_sensor_pair_sign(&p.sig, FX_CHAIN, &own[i].pk, 0, &dev[i]),
            CAIRN_OK);
        cairn_sensor_pair_encode(&b, &p);
        kp_both(t, &own[i], CAIRN_TX_DEVICE_PAIR, &b);
        cairn_sensor_grant g = {.device = dev[i].pk,
                                .app = fx_keys[CLIENT].pk,
                                .privileges = CAIRN_SENSOR_PRIV_ALL,
                                .expiry_epoch = 1000000,
                                .price = 0};
        cairn_sensor_grant_encode(&b, &g);
        kp_both(t, &own[i], CAIRN_TX_GRANT, &b);
    }
    assert_int_equal(step(t), CAIRN_OK);
    /* at an epoch's start, so both batches land in one epoch */
    cx_to_epoch(t, cx_status(t).epoch + 1);
    static cairn_sensor_batch x;
    for (int i = 0; i < 2; i++) {
        memset(&x, 0, sizeof x);
        x.device = dev[i].pk;
        x.seq = 1;
        x.ref_height = fx_height(t);
        x.t_from_ms = 1000;
        x.t_to_ms = 2000;
        memset(x.content.b, 0xC0 + i, 32);
        x.readings = 3;
        x.ntiles = 1;
        x.tiles[0].cell = cell;
        x.tiles[0].points = 3;
        x.tiles[0].q = 17;
        x.nkeys = 1;
        x.keys[0].app = fx_keys[CLIENT].pk;
        assert_int_equal(cairn_sensor_batch_sign(&x, FX_CHAIN, &dev[i]),
                         CAIRN_OK);
        cairn_sensor_batch_encode(&b, &x);
        kp_both(t, &own[i], CAIRN_TX_BATCH_REGISTER, &b);
    }
    assert_int_equal(step(t), CAIRN_OK);
    cx_to_epoch(t, cx_status(t).epoch + 1);
    cairn_sensor_map_read_encode(&b, cell);
    both(t, CLIENT, CAIRN_TX_MAP_READ, &b);
    cairn_sensor_bounty bo = {.cell = other, .amount = TOK, .epochs = 28};
    cairn_sensor_bounty_encode(&b, &bo);
    both(t, CLIENT, CAIRN_TX_BOUNTY_FUND, &b);
    assert_int_equal(step(t), CAIRN_OK);
    cairn_buf_free(&b);
}

static void state_table(void **st)
{
    twin t;
    tpiece p;
    state_row rows[ROWS_MAX];
    static cairn_weights_reveal rv;
    size_t n = state_rows(rows);
    assert_true(n >= 10);  /* the table was found */
    fx_seq_stake = "1000"; /* a sequencer bond (tag 0x13) */
    twin_open(&t, ECON_BUSY);
    tp_make(&p, 5000, 1);
    busy_econ(&t);
    busy_tickets(&t);
    busy_subnet(&t, &rv);
    busy_evidence(&t);
    busy_sensor(&t);   /* before the wireless and storage epochs */
    busy_wireless(&t); /* before busy_storage: its epochs would end the deal */
    busy_wdata(&t);
    busy_storage(&t, &p);
    busy_commit(&t, &rv);
    busy_compute(&t);
    cairn_chain_close(t.c[0]);
    check_state_table(t.dir[0], rows, n);
    assert_int_equal(cairn_chain_open(&t.c[0], t.dir[0]), CAIRN_OK);
    for (size_t i = 0; i < n; i++)
        if (!rows[i].seen)
            fail_msg(
                "docs/encoding.md documents tag 0x%02x with a %zu-byte key, "
                "but the busy chain has no such entry",
                rows[i].tag, rows[i].klen);
    tp_free(&p);
    twin_close(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(genesis_vector),
        cmocka_unit_test(state_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
