/* The storage client's session: key, secret, metadata store, and what the
 * chain says about the current epoch and the storage rules. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "storage/client/client.h"
#include "storage/client/tag.h"

#define EPOCH_MARGIN                                                           \
    3 /* blocks: too close to the epoch's end to start next                    \
       */

cairn_err sclient_open(sclient *c, const char *node, const char *store_dir,
                       const cairn_keypair *kp)
{
    memset(c, 0, sizeof *c);
    c->node = node;
    c->key = *kp;
    ctag_secret(c->secret, kp);
    cairn_err e = cmeta_open(&c->meta, store_dir);
    if (e)
        sclient_fail(c, e, "cannot open the client's store in %s: %s",
                     store_dir, cairn_strerror(e));
    return e;
}

void sclient_close(sclient *c)
{
    cmeta_close(c->meta);
    c->meta = NULL;
    cairn_keypair_wipe(&c->key);
    sodium_memzero(c->secret, sizeof c->secret);
}

cairn_err sclient_fail(sclient *c, cairn_err e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->why, sizeof c->why, fmt, ap);
    va_end(ap);
    return e;
}

void sclient_endpoint(sclient *c, const cairn_pubkey *pk, const char *known,
                      char out[CAIRN_ENDPOINT_MAX + 1])
{
    char addr[CAIRN_ADDR_TEXT_LEN + 1], path[128];
    snode_err ne;
    json_t *j;
    snprintf(out, CAIRN_ENDPOINT_MAX + 1, "%s", known);
    cairn_addr_format(addr, pk);
    snprintf(path, sizeof path, "/v1/provider/%s", addr);
    if (snode_get(c->node, path, &j, &ne))
        return;
    const char *ep = json_string_value(json_object_get(j, "endpoint"));
    if (ep && *ep)
        snprintf(out, CAIRN_ENDPOINT_MAX + 1, "%s", ep);
    json_decref(j);
}

/* Reads the storage rules and the epoch from /v1/storage/params. */
static cairn_err read_params(sclient *c, schain *ch)
{
    json_t *j;
    snode_err ne;
    cairn_err e = snode_get(c->node, "/v1/storage/params", &j, &ne);
    if (e)
        return sclient_fail(c, e, "cannot read the storage rules from %s: %s",
                            c->node, ne.msg);
    if (snode_u64(j, "epoch", &ch->epoch) ||
        snode_u64(j, "deal_collateral_bps", &ch->collateral_bps) ||
        snode_u64(j, "deal_max_epochs", &ch->max_epochs) ||
        snode_u64(j, "perm_cost_per_mib_units", &ch->perm_cost_per_mib) ||
        snode_u64(j, "perm_decline_bps", &ch->perm_decline_bps))
        e = sclient_fail(c, CAIRN_ERR_BAD_JSON,
                         "the node's storage rules are malformed");
    if (snode_u64(j, "deal_min_price_per_mib_units", &ch->min_price_per_mib))
        ch->min_price_per_mib = 0; /* a node from before the floor */
    json_decref(j);
    return e;
}

/* The last block of the current epoch, from /v1/staking. */
static cairn_err read_epoch_end(sclient *c, schain *ch)
{
    json_t *j;
    snode_err ne;
    uint64_t start, blocks;
    cairn_err e = snode_get(c->node, "/v1/staking", &j, &ne);
    if (e)
        return sclient_fail(c, e, "cannot read the epoch from %s: %s", c->node,
                            ne.msg);
    if (snode_u64(j, "epoch_start_height", &start) ||
        snode_u64(j, "epoch_blocks", &blocks) || blocks == 0)
        e = sclient_fail(c, CAIRN_ERR_BAD_JSON,
                         "the node's /v1/staking is malformed");
    else
        ch->epoch_end = start + blocks - 1;
    json_decref(j);
    return e;
}

cairn_err sclient_chain(sclient *c, schain *ch)
{
    snode_err ne;
    memset(ch, 0, sizeof *ch);
    cairn_err e = snode_status(c->node, &ch->ctx, &ne);
    if (e)
        return sclient_fail(c, e, "no answer from the node at %s: %s", c->node,
                            ne.msg);
    if ((e = snode_require_sequencer(c->node, &ch->ctx, &ne)))
        return sclient_fail(c, e, "%s", ne.msg);
    if ((e = read_params(c, ch)))
        return e;
    return read_epoch_end(c, ch);
}

uint64_t sclient_start_epoch(const schain *ch)
{
    uint64_t left =
        ch->epoch_end > ch->ctx.height ? ch->epoch_end - ch->ctx.height : 0;
    return ch->epoch + (left < EPOCH_MARGIN ? 2 : 1);
}
