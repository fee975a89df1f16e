/* The `cairn` command's side of the node API client (net/node_rpc.h):
 * the same requests, with every failure printed as one line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/amount.h"
#include "cairn/parse.h"
#include "cairn/staking.h"
#include "cairn/tx.h"
#include "cli/cli.h"

/* GETs base+path without printing anything; a new reference, or NULL. */
static json_t *quiet_get(const char *base, const char *path)
{
    json_t *j = NULL;
    snode_err why = {.msg = ""};
    return snode_get(base, path, &j, &why) ? NULL : j;
}

/* fee_too_low: says the network's minimum fee. 1 if printed. */
static int print_min_fee(const char *base)
{
    json_t *s = quiet_get(base, "/v1/status");
    const char *fee = jstr(s, "min_fee");
    int done = *fee != '\0';
    if (done)
        cli_fail(
            "the fee is below the network minimum of %s %s; raise --fee to at "
            "least %s",
            fee, jstr(json_object_get(s, "token"), "symbol"), fee);
    json_decref(s);
    return done;
}

/* price_jump: says the range the price may take this epoch. 1 if printed. */
static int print_price_range(const char *base)
{
    char lo[CAIRN_AMOUNT_TEXT_MAX], hi[CAIRN_AMOUNT_TEXT_MAX];
    uint64_t ref = 0;
    json_t *p = quiet_get(base, "/v1/price");
    long long bps = jint(p, "max_change_bps");
    int done = !cairn_parse_u64(jstr(p, "epoch_start_price_units"), &ref) &&
               ref > 0 && bps >= 0;
    if (done) {
        uint64_t room =
            (uint64_t)((unsigned __int128)ref * (uint64_t)bps / 10000);
        cairn_amount_format(lo, ref - room);
        cairn_amount_format(hi, ref + room < ref ? UINT64_MAX : ref + room);
        cli_fail(
            "the price may move at most %lld bps per epoch: in epoch %lld it "
            "started at %s, so it must stay within %s..%s",
            bps, jint(p, "epoch"), jstr(p, "epoch_start_price"), lo, hi);
    }
    json_decref(p);
    return done;
}

int cli_rpc_fail(const char *base, cairn_err e, const snode_err *why)
{
    if (why->status == 0 && e != CAIRN_ERR_BAD_ARG && e != CAIRN_ERR_NOMEM)
        return cli_fail("no answer from the node at %s: %s", base, why->msg);
    /* the bound the request broke, when the node can tell it */
    if (e == CAIRN_ERR_FEE_LOW && print_min_fee(base))
        return 1;
    if (e == CAIRN_ERR_PRICE_JUMP && print_price_range(base))
        return 1;
    return cli_fail("%s", why->msg);
}

int api_get(const char *base, const char *path, json_t **out)
{
    snode_err why = {.msg = ""};
    cairn_err e = snode_get(base, path, out, &why);
    return e ? cli_rpc_fail(base, e, &why) : 0;
}

void cli_print_submitted(const json_t *r, int status)
{
    if (cli.json)
        cli_print_json(r);
    else if (status == 202)
        printf("tx %s pending (not waiting for a block)\n", jstr(r, "hash"));
    else
        printf("tx %s committed in block %lld\n", jstr(r, "hash"),
               jint(r, "height"));
}

/* Chain id and minimum fee from /v1/status into ctx; the next nonce of pk
 * (counting its pending transactions) into *nonce unless have_nonce. */
static int tx_context(const char *node, const cairn_pubkey *pk, snode_ctx *ctx,
                      int have_nonce, uint64_t *nonce)
{
    snode_err why = {.msg = ""};
    cairn_err e = snode_status(node, ctx, &why);
    if (!e && !have_nonce)
        e = snode_next_nonce(node, pk, nonce, &why);
    return e ? cli_rpc_fail(node, e, &why) : 0;
}

int cli_send_tx(const cli_tx *t, uint16_t kind, const uint8_t *body, size_t len,
                int *status, json_t **reply)
{
    const char *node = cli_node_url();
    snode_ctx ctx;
    snode_err why = {.msg = ""};
    uint64_t nonce = t->nonce ? *t->nonce : 0;
    cairn_buf tx;
    *reply = NULL;
    if (tx_context(node, &t->kp->pk, &ctx, t->nonce != NULL, &nonce))
        return 1;
    cairn_buf_init(&tx, CAIRN_TX_MAX_BYTES);
    cairn_err e =
        cairn_tx_make(&tx, ctx.chain_id, t->kp, nonce,
                      t->fee ? *t->fee : ctx.min_fee, kind, body, len);
    if (e) {
        cairn_buf_free(&tx);
        return cli_fail("cannot build the transaction: %s", cairn_strerror(e));
    }
    e = snode_submit(node, tx.p, tx.len, !t->no_wait, reply, &why);
    cairn_buf_free(&tx);
    *status = why.status;
    return e ? cli_rpc_fail(node, e, &why) : 0;
}

int cli_send_body(const cairn_keypair *kp, uint16_t kind, cairn_buf *b,
                  int *status, json_t **reply)
{
    cli_tx how = {kp, NULL, NULL, 0};
    int rc;
    *reply = NULL;
    if (b->err)
        rc = cli_fail("cannot encode the transaction: %s",
                      cairn_strerror(b->err));
    else
        rc = cli_send_tx(&how, kind, b->p, b->len, status, reply);
    cairn_buf_free(b);
    return rc;
}
