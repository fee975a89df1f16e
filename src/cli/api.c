/* The `cairn` command's side of the node API client (net/node_rpc.h):
 * the same requests, with every failure printed as one line. */
#include <stdio.h>

#include "cairn/staking.h"
#include "cairn/tx.h"
#include "cli/cli.h"

int cli_rpc_fail(const char *base, cairn_err e, const snode_err *why)
{
    if (why->status == 0 && e != CAIRN_ERR_BAD_ARG && e != CAIRN_ERR_NOMEM)
        return cli_fail("no answer from the node at %s: %s", base, why->msg);
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
        printf("tx %s committed in block %lld\n", jstr(r, "hash"), jint(r, "height"));
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

int cli_send_tx(const cli_tx *t, uint16_t kind, const uint8_t *body,
                size_t len, int *status, json_t **reply)
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
    cairn_err e = cairn_tx_make(&tx, ctx.chain_id, t->kp, nonce,
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
