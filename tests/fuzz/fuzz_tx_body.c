/* libFuzzer target for every transaction kind's body decoder: the kinds of
 * src/ledger/kinds.c (transfer), src/econ/registry.c and each sector's
 * table (src/sectors/storage/sector.c), decoded by their public codecs
 * (ledger/tx.c, econ/kinds_econ.c, econ/gov.c, econ/credits.c,
 * sectors/storage/deal_codec.c and proof_codec.c,
 * sectors/compute/codec.c, the latter's round trips with their bounds
 * from compute_rt.h, shared with fuzz_compute_tx.c, and the subnet kinds'
 * from subnet_rt.h, the wireless data kinds
 * (wireless/data_codec.c), the sensor kinds (sensor/codec.c) and the
 * sequencer set's evidence (econ/sequencer.c)). A new kind
 * adds a line to the table below and a seed to the corpus.
 *
 * Input: a selector byte, then the body. The selector picks the kind
 * (selector % NKINDS, in the order of the table below); the body is copied
 * to an exact-size heap buffer so that ASan catches any overread.
 *
 * Each decoder must answer OK or BAD_BODY and nothing else. A body that
 * decodes is canonical: encoding the decoded value gives back exactly the
 * body's bytes (so one body has one encoding, and one transaction hash).
 * A decoded PROVE body borrows its leaves from the input: they must point
 * inside it. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/compute.h"
#include "compute_rt.h"
#include "subnet_rt.h"
#include "cairn/credits.h"
#include "cairn/gov.h"
#include "cairn/staking.h"
#include "cairn/storage.h"
#include "cairn/tx.h"
#include "cairn/sensor.h"
#include "cairn/sequencer.h"
#include "cairn/wireless.h"
#include "cairn/wireless_data.h"
#include "ledger/kinds.h"
#include "sectors/registry.h"
#include "sectors/wireless/data.h"

/* Decodes p[0..n) as the kind's body; on success encodes the value into b.
 * Returns the decoder's answer. */
typedef cairn_err (*roundtrip_fn)(cairn_buf *b, const uint8_t *p, size_t n);

static cairn_err rt_transfer(cairn_buf *b, const uint8_t *p, size_t n)
{
    cairn_transfer t;
    uint8_t out[40];
    cairn_err e = cairn_transfer_decode(&t, p, n);
    if (e == CAIRN_OK) {
        cairn_transfer_encode(out, &t);
        cairn_put_bytes(b, out, sizeof out);
    }
    return e;
}

static cairn_err rt_register(cairn_buf *b, const uint8_t *p, size_t n)
{
    cairn_register r;
    cairn_err e = cairn_register_decode(&r, p, n);
    if (e == CAIRN_OK)
        cairn_register_encode(b, &r);
    return e;
}

/* STAKE and UNBOND: one u64 amount. */
static cairn_err rt_amount(cairn_buf *b, const uint8_t *p, size_t n)
{
    uint64_t a;
    cairn_err e = cairn_amount_body_decode(&a, p, n);
    if (e == CAIRN_OK)
        cairn_amount_body_encode(b, a);
    return e;
}

/* DELEGATE and UNDELEGATE. */
static cairn_err rt_delegate(cairn_buf *b, const uint8_t *p, size_t n)
{
    cairn_delegate d;
    cairn_err e = cairn_delegate_decode(&d, p, n);
    if (e == CAIRN_OK)
        cairn_delegate_encode(b, &d);
    return e;
}

static cairn_err rt_commission(cairn_buf *b, const uint8_t *p, size_t n)
{
    uint32_t bps;
    cairn_err e = cairn_commission_decode(&bps, p, n);
    if (e == CAIRN_OK)
        cairn_commission_encode(b, bps);
    return e;
}

static cairn_err rt_endpoint(cairn_buf *b, const uint8_t *p, size_t n)
{
    char ep[CAIRN_ENDPOINT_MAX + 1];
    cairn_err e = cairn_endpoint_body_decode(ep, p, n);
    if (e == CAIRN_OK) {
        if (strnlen(ep, sizeof ep) > CAIRN_ENDPOINT_MAX)
            abort(); /* not terminated */
        cairn_endpoint_body_encode(b, ep);
    }
    return e;
}

static cairn_err rt_claim(cairn_buf *b, const uint8_t *p, size_t n)
{
    cairn_pubkey pk;
    cairn_err e = cairn_claim_decode(&pk, p, n);
    if (e == CAIRN_OK)
        cairn_claim_encode(b, &pk);
    return e;
}

static cairn_err rt_propose(cairn_buf *b, const uint8_t *p, size_t n)
{
    cairn_gov_propose g;
    cairn_err e = cairn_gov_propose_decode(&g, p, n);
    if (e == CAIRN_OK)
        cairn_gov_propose_encode(b, &g);
    return e;
}

static cairn_err rt_vote(cairn_buf *b, const uint8_t *p, size_t n)
{
    cairn_gov_vote v;
    cairn_err e = cairn_gov_vote_decode(&v, p, n);
    if (e == CAIRN_OK)
        cairn_gov_vote_encode(b, &v);
    return e;
}

static cairn_err rt_set_price(cairn_buf *b, const uint8_t *p, size_t n)
{
    uint64_t price;
    cairn_err e = cairn_set_price_decode(&price, p, n);
    if (e == CAIRN_OK)
        cairn_set_price_encode(b, price);
    return e;
}

static cairn_err rt_buy_credits(cairn_buf *b, const uint8_t *p, size_t n)
{
    uint64_t credits;
    cairn_err e = cairn_buy_credits_decode(&credits, p, n);
    if (e == CAIRN_OK)
        cairn_buy_credits_encode(b, credits);
    return e;
}

static cairn_err rt_deal_open(cairn_buf *b, const uint8_t *p, size_t n)
{
    cairn_deal_open o;
    cairn_err e = cairn_deal_open_decode(&o, p, n);
    if (e == CAIRN_OK)
        cairn_deal_open_encode(b, &o);
    return e;
}

static cairn_err rt_prove(cairn_buf *b, const uint8_t *p, size_t n)
{
    static cairn_prove pv; /* large: off the stack */
    cairn_err e = cairn_prove_decode(&pv, p, n);
    if (e != CAIRN_OK)
        return e;
    for (uint8_t i = 0; i < pv.count; i++) {
        const uint8_t *leaf = pv.e[i].leaf;
        if (!leaf || leaf < p || leaf + CAIRN_LEAF_SIZE > p + n)
            abort(); /* a leaf outside the body */
    }
    cairn_prove_encode(b, pv.e, pv.count);
    return e;
}

static cairn_err rt_deal_end(cairn_buf *b, const uint8_t *p, size_t n)
{
    uint64_t id;
    cairn_err e = cairn_deal_end_decode(&id, p, n);
    if (e == CAIRN_OK)
        cairn_deal_end_encode(b, id);
    return e;
}

static cairn_err rt_deal_replace(cairn_buf *b, const uint8_t *p, size_t n)
{
    cairn_deal_replace r;
    cairn_err e = cairn_deal_replace_decode(&r, p, n);
    if (e == CAIRN_OK)
        cairn_deal_replace_encode(b, &r);
    return e;
}

/* The wireless PoC bodies (src/wireless/poc_codec.c): the codec's own
 * refusals are BAD_BODY to the ledger (src/sectors/wireless/kinds.c). */
static cairn_err wt_assert(cairn_buf *b, const uint8_t *p, size_t n)
{
    cairn_hotspot_assert a;
    if (cairn_hotspot_assert_decode(&a, p, n))
        return CAIRN_ERR_BAD_BODY;
    cairn_hotspot_assert_encode(b, &a);
    return CAIRN_OK;
}

static cairn_err wt_witness(cairn_buf *b, const uint8_t *p, size_t n)
{
    static cairn_witness_report w[CAIRN_POC_WITNESS_MAX];
    size_t k;
    if (cairn_poc_witness_decode(w, &k, p, n))
        return CAIRN_ERR_BAD_BODY;
    if (cairn_poc_witness_encode(b, w, k))
        abort(); /* a decoded count is always encodable */
    return CAIRN_OK;
}

static cairn_err wt_beacon(cairn_buf *b, const uint8_t *p, size_t n)
{
    cairn_poc_beacon x;
    if (cairn_poc_beacon_decode(&x, p, n))
        return CAIRN_ERR_BAD_BODY;
    cairn_poc_beacon_encode(b, &x);
    return CAIRN_OK;
}

static cairn_err wt_appeal(cairn_buf *b, const uint8_t *p, size_t n)
{
    cairn_poc_appeal a;
    if (cairn_poc_appeal_decode(&a, p, n))
        return CAIRN_ERR_BAD_BODY;
    cairn_poc_appeal_encode(b, &a);
    return CAIRN_OK;
}

static cairn_err wd_route_set(cairn_buf *b, const uint8_t *p, size_t n)
{
    cairn_route_set r;
    cairn_err e = cairn_route_set_decode(&r, p, n);
    if (e == CAIRN_OK)
        cairn_route_set_encode(b, &r);
    return e;
}

static cairn_err wd_route_close(cairn_buf *b, const uint8_t *p, size_t n)
{
    uint32_t base;
    uint8_t bits;
    cairn_err e = cairn_route_close_decode(&base, &bits, p, n);
    if (e == CAIRN_OK)
        cairn_route_close_encode(b, base, bits);
    return e;
}

static cairn_err wd_packet_claim(cairn_buf *b, const uint8_t *p, size_t n)
{
    static cairn_packet_claim c;
    cairn_err e = cairn_packet_claim_decode(&c, p, n);
    if (e == CAIRN_OK)
        cairn_packet_claim_encode(b, &c);
    return e;
}

/* The sensor bodies (src/sensor/codec.c): the codec's own refusals are
 * BAD_BODY to the ledger (src/sectors/sensor/kinds.c). */
static cairn_err sn_pair(cairn_buf *b, const uint8_t *p, size_t n)
{
    cairn_sensor_pair x;
    if (cairn_sensor_pair_decode(&x, p, n))
        return CAIRN_ERR_BAD_BODY;
    cairn_sensor_pair_encode(b, &x);
    return CAIRN_OK;
}

static cairn_err sn_transfer(cairn_buf *b, const uint8_t *p, size_t n)
{
    cairn_pubkey d, o;
    if (cairn_sensor_transfer_decode(&d, &o, p, n))
        return CAIRN_ERR_BAD_BODY;
    cairn_sensor_transfer_encode(b, &d, &o);
    return CAIRN_OK;
}

static cairn_err sn_batch(cairn_buf *b, const uint8_t *p, size_t n)
{
    static cairn_sensor_batch x;
    if (cairn_sensor_batch_decode(&x, p, n))
        return CAIRN_ERR_BAD_BODY;
    cairn_sensor_batch_encode(b, &x);
    return CAIRN_OK;
}

static cairn_err sn_grant(cairn_buf *b, const uint8_t *p, size_t n)
{
    cairn_sensor_grant x;
    if (cairn_sensor_grant_decode(&x, p, n))
        return CAIRN_ERR_BAD_BODY;
    cairn_sensor_grant_encode(b, &x);
    return CAIRN_OK;
}

static cairn_err sn_revoke(cairn_buf *b, const uint8_t *p, size_t n)
{
    cairn_pubkey d, a;
    if (cairn_sensor_revoke_decode(&d, &a, p, n))
        return CAIRN_ERR_BAD_BODY;
    cairn_sensor_revoke_encode(b, &d, &a);
    return CAIRN_OK;
}

static cairn_err sn_pay(cairn_buf *b, const uint8_t *p, size_t n)
{
    cairn_sensor_pay x;
    if (cairn_sensor_pay_decode(&x, p, n))
        return CAIRN_ERR_BAD_BODY;
    cairn_sensor_pay_encode(b, &x);
    return CAIRN_OK;
}

static cairn_err sn_bounty(cairn_buf *b, const uint8_t *p, size_t n)
{
    cairn_sensor_bounty x;
    if (cairn_sensor_bounty_decode(&x, p, n))
        return CAIRN_ERR_BAD_BODY;
    cairn_sensor_bounty_encode(b, &x);
    return CAIRN_OK;
}

static cairn_err sn_map_read(cairn_buf *b, const uint8_t *p, size_t n)
{
    uint64_t cell;
    if (cairn_sensor_map_read_decode(&cell, p, n))
        return CAIRN_ERR_BAD_BODY;
    cairn_sensor_map_read_encode(b, cell);
    return CAIRN_OK;
}

static cairn_err rt_file_name(cairn_buf *b, const uint8_t *p, size_t n)
{
    cairn_file_name f;
    cairn_err e = cairn_file_name_decode(&f, p, n);
    if (e == CAIRN_OK)
        cairn_file_name_encode(b, &f);
    return e;
}

/* SEQ_EVIDENCE: two signed headers. Besides BAD_BODY the decoder answers
 * the header codec's BAD_VERSION (magic) and TOO_LARGE (tx_count), and
 * BAD_SIG (it checks both signatures): each a refusal, nothing else. */
static cairn_err sq_evidence(cairn_buf *b, const uint8_t *p, size_t n)
{
    cairn_header x, y;
    cairn_err e = cairn_seq_evidence_decode(&x, &y, p, n);
    if (e == CAIRN_ERR_BAD_SIG || e == CAIRN_ERR_BAD_VERSION ||
        e == CAIRN_ERR_TOO_LARGE)
        return CAIRN_ERR_BAD_BODY;
    if (e == CAIRN_OK)
        cairn_seq_evidence_encode(b, &x, &y);
    return e;
}

/* Every kind, in the registry's order; the selector byte of a seed
 * (tests/fuzz/corpus/fuzz_tx_body/) is the index here, so new kinds go at
 * the end. */
static const struct {
    uint16_t kind;
    roundtrip_fn rt;
} kinds[] = {
    {CAIRN_TX_TRANSFER, rt_transfer},
    {CAIRN_TX_REGISTER, rt_register},
    {CAIRN_TX_STAKE, rt_amount},
    {CAIRN_TX_UNBOND, rt_amount},
    {CAIRN_TX_DELEGATE, rt_delegate},
    {CAIRN_TX_UNDELEGATE, rt_delegate},
    {CAIRN_TX_SET_COMMISSION, rt_commission},
    {CAIRN_TX_SET_ENDPOINT, rt_endpoint},
    {CAIRN_TX_CLAIM, rt_claim},
    {CAIRN_TX_PROPOSE, rt_propose},
    {CAIRN_TX_VOTE, rt_vote},
    {CAIRN_TX_SET_PRICE, rt_set_price},
    {CAIRN_TX_BUY_CREDITS, rt_buy_credits},
    {CAIRN_TX_DEAL_OPEN, rt_deal_open},
    {CAIRN_TX_PROVE, rt_prove},
    {CAIRN_TX_DEAL_END, rt_deal_end},
    {CAIRN_TX_DEAL_REPLACE, rt_deal_replace},
    {CAIRN_TX_COMPUTE_OFFER, ct_offer},
    {CAIRN_TX_ORDER_OPEN, ct_order},
    {CAIRN_TX_BID, ct_bid},
    {CAIRN_TX_LEASE_CREATE, ct_create},
    {CAIRN_TX_LEASE_DEPOSIT, ct_deposit},
    {CAIRN_TX_LEASE_CLOSE, ct_close},
    {CAIRN_TX_LEASE_REPORT, ct_report},
    {CAIRN_TX_TICKET_FUND, ct_tfund},
    {CAIRN_TX_TICKET_REDEEM, ct_tredeem},
    {CAIRN_TX_TICKET_WITHDRAW, ct_twithdraw},
    {CAIRN_TX_SUBNET_CREATE, st_create},
    {CAIRN_TX_SUBNET_JOIN, st_join},
    {CAIRN_TX_SUBNET_LEAVE, st_leave},
    {CAIRN_TX_WEIGHTS_COMMIT, st_commit},
    {CAIRN_TX_WEIGHTS_REVEAL, st_reveal},
    {CAIRN_TX_COMPUTE_EVIDENCE, st_evidence},
    {CAIRN_TX_HOTSPOT_ASSERT, wt_assert},
    {CAIRN_TX_POC_WITNESS, wt_witness},
    {CAIRN_TX_POC_BEACON, wt_beacon},
    {CAIRN_TX_POC_APPEAL, wt_appeal},
    {WDATA_TX_ROUTE_SET, wd_route_set},
    {WDATA_TX_PACKET_CLAIM, wd_packet_claim},
    {WDATA_TX_ROUTE_CLOSE, wd_route_close},
    {CAIRN_TX_DEVICE_PAIR, sn_pair},
    {CAIRN_TX_DEVICE_TRANSFER, sn_transfer},
    {CAIRN_TX_BATCH_REGISTER, sn_batch},
    {CAIRN_TX_GRANT, sn_grant},
    {CAIRN_TX_REVOKE, sn_revoke},
    {CAIRN_TX_ACCESS_PAY, sn_pay},
    {CAIRN_TX_BOUNTY_FUND, sn_bounty},
    {CAIRN_TX_MAP_READ, sn_map_read},
    {CAIRN_TX_SEQ_EVIDENCE, sq_evidence},
    {CAIRN_TX_FILE_NAME, rt_file_name},
};
#define NKINDS (sizeof kinds / sizeof kinds[0])

/* Refuses to start when the node's rules know a kind that the table above
 * lacks, so that a sector's new kind cannot go unfuzzed. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    const cairn_rules *rules = cairn_registry_rules();
    for (uint32_t k = 0; k <= UINT16_MAX; k++) {
        const tx_kind *tk = kind_find(rules, (uint16_t)k);
        size_t i = 0;
        while (tk && i < NKINDS && kinds[i].kind != k)
            i++;
        if (tk && i == NKINDS) {
            fprintf(stderr,
                    "fuzz_tx_body: kind 0x%x (%s) has no line in "
                    "the table of tests/fuzz/fuzz_tx_body.c\n",
                    (unsigned)k, tk->name);
            abort();
        }
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0 || size - 1 > CAIRN_TX_BODY_MAX)
        return 0;
    size_t n = size - 1;
    uint8_t *p = malloc(n ? n : 1);
    if (!p)
        return 0;
    memcpy(p, data + 1, n);
    cairn_buf b;
    cairn_buf_init(&b, CAIRN_TX_BODY_MAX);
    cairn_err e = kinds[data[0] % NKINDS].rt(&b, p, n);
    if (e != CAIRN_OK && e != CAIRN_ERR_BAD_BODY)
        abort(); /* decoders refuse with BAD_BODY only */
    if (e == CAIRN_OK && (b.err || b.len != n || memcmp(b.p, p, n) != 0))
        abort(); /* not canonical */
    cairn_buf_free(&b);
    free(p);
    return 0;
}
