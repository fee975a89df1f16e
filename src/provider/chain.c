/* A provider daemon and its registration on chain (daemon.h, part 3):
 * REGISTER on first start, the sector check, and the registered endpoint
 * kept where this daemon listens: moved there with SET_ENDPOINT (retried
 * every round until it lands), watched every round, put back when someone
 * else moves it, and given up on (c->fatal) when that keeps happening. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cairn/amount.h"
#include "cairn/staking.h"
#include "core/log.h"
#include "net/node_rpc.h"
#include "provider/daemon.h"

static void say(pd_chain *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void say(pd_chain *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_vline(c->cfg.log, c->cfg.who ? c->cfg.who : "provider", fmt, ap);
    va_end(ap);
}

void pd_chain_init(pd_chain *c, const pd_chain_config *cfg)
{
    memset(c, 0, sizeof *c);
    c->cfg = *cfg;
    snprintf(c->endpoint, sizeof c->endpoint, "%s", cfg->endpoint);
    c->cfg.endpoint = c->endpoint;
    cairn_addr_format(c->addr, &cfg->key->pk);
}

/* Signs a transaction of `kind` with body b, submits it and waits for its
 * block (*height). why receives the node's message on failure. */
static cairn_err send_tx(pd_chain *c, uint16_t kind, const cairn_buf *b,
                         uint64_t *height, snode_err *why)
{
    snode_ctx ctx;
    uint64_t nonce;
    cairn_err e = b->err;
    if (!e)
        e = snode_status(c->cfg.node, &ctx, why);
    if (!e)
        e = snode_next_nonce(c->cfg.node, &c->cfg.key->pk, &nonce, why);
    if (!e)
        e = snode_send(c->cfg.node, &ctx, c->cfg.key, nonce, kind, b->p, b->len,
                       1, height, why);
    return e;
}

/* Moves the registered endpoint from `from` to ours; 0 when it landed. */
static int move_endpoint(pd_chain *c, const char *from)
{
    snode_err why = {.msg = ""};
    uint64_t height = 0;
    cairn_buf b;
    cairn_buf_init(&b, 160);
    cairn_endpoint_body_encode(&b, c->endpoint);
    cairn_err e = send_tx(c, CAIRN_TX_SET_ENDPOINT, &b, &height, &why);
    cairn_buf_free(&b);
    if (e) {
        say(c,
            "registered endpoint %s differs from %s and cannot be moved: %s "
            "(%s); clients will dial %s until a later try succeeds",
            from, c->endpoint, cairn_strerror(e), why.msg, from);
        return 1;
    }
    say(c, "moved the registered endpoint from %s to %s (block %llu)", from,
        c->endpoint, (unsigned long long)height);
    c->held = 1;
    return 0;
}

/* Submits REGISTER (sector, endpoint, stake) and waits for its block. */
static cairn_err register_now(pd_chain *c)
{
    cairn_register r = {.sector = c->cfg.sector,
                        .commission_bps = c->cfg.commission_bps,
                        .stake = c->cfg.stake};
    snode_err why = {.msg = ""};
    uint64_t height = 0;
    cairn_buf b;
    char stake[CAIRN_AMOUNT_TEXT_MAX];
    snprintf(r.endpoint, sizeof r.endpoint, "%s", c->endpoint);
    cairn_buf_init(&b, 256);
    cairn_register_encode(&b, &r);
    cairn_err e = send_tx(c, CAIRN_TX_REGISTER, &b, &height, &why);
    cairn_buf_free(&b);
    cairn_amount_format(stake, c->cfg.stake);
    if (e) {
        say(c, "cannot register as a %s provider (stake %s): %s (%s)",
            c->cfg.sector_name, stake, cairn_strerror(e), why.msg);
        return e;
    }
    say(c, "registered as a %s provider at %s with %s staked (block %llu)",
        c->cfg.sector_name, c->endpoint, stake, (unsigned long long)height);
    c->held = 1;
    return CAIRN_OK;
}

/* Reads our registration: *j a new reference, or NOT_PROVIDER. */
static cairn_err read_registration(pd_chain *c, json_t **j)
{
    char path[128];
    snode_err why;
    snprintf(path, sizeof path, "/v1/provider/%s", c->addr);
    cairn_err e = snode_get(c->cfg.node, path, j, &why);
    if (e == CAIRN_ERR_NOT_FOUND)
        e = CAIRN_ERR_NOT_PROVIDER;
    if (e && e != CAIRN_ERR_NOT_PROVIDER && e != CAIRN_ERR_HTTP)
        say(c, "cannot read this provider's registration: %s", why.msg);
    return e;
}

/* The sector of an existing registration must be ours. */
static cairn_err check_sector(pd_chain *c, const json_t *j)
{
    const char *sector = json_string_value(json_object_get(j, "sector"));
    if (sector && strcmp(sector, c->cfg.sector_name) == 0)
        return CAIRN_OK;
    say(c, "%s is registered for the %s sector, not %s; use another key",
        c->addr, sector ? sector : "unknown", c->cfg.sector_name);
    return CAIRN_ERR_BAD_SECTOR;
}

cairn_err pd_chain_register(pd_chain *c)
{
    json_t *j;
    cairn_err e = read_registration(c, &j);
    if (e == CAIRN_ERR_NOT_PROVIDER)
        return register_now(c);
    if (e)
        return e;
    if ((e = check_sector(c, j))) {
        json_decref(j);
        return e;
    }
    const char *ep = json_string_value(json_object_get(j, "endpoint"));
    c->move_pending = 0;
    if (!ep || strcmp(ep, c->endpoint) != 0)
        c->move_pending = move_endpoint(c, ep ? ep : "(none)");
    else
        c->held = 1;
    if (!json_is_true(json_object_get(j, "active")))
        say(c, "registered but not active (self stake below the minimum): "
               "clients will not pick it; add stake with `cairn provider "
               "stake`");
    say(c, "registered as a %s provider at %s", c->cfg.sector_name,
        c->move_pending && ep ? ep : c->endpoint);
    json_decref(j);
    return CAIRN_OK;
}

/* The registered endpoint is not ours although it was: someone moved it. */
static void taken_over(pd_chain *c, const char *ep)
{
    c->takeovers++;
    if (c->takeovers > PD_TAKEOVERS_MAX) {
        say(c,
            "the registered endpoint was moved away from %s again (now %s): "
            "%d times since this daemon started. Another daemon is running "
            "with this provider's key; stop it (or this one). Stopping.",
            c->endpoint, ep, c->takeovers);
        c->fatal = 1;
        return;
    }
    say(c,
        "someone else moved the registered endpoint from %s to %s (another "
        "daemon with this key, or a SET_ENDPOINT signed with it); moving it "
        "back (%d of %d times before this daemon stops)",
        c->endpoint, ep, c->takeovers, PD_TAKEOVERS_MAX);
    c->move_pending = move_endpoint(c, ep);
}

cairn_err pd_chain_watch(pd_chain *c)
{
    json_t *j;
    cairn_err e = read_registration(c, &j);
    if (e == CAIRN_ERR_NOT_PROVIDER)
        return register_now(c); /* e.g. a chain started over */
    if (e)
        return e;
    const char *ep = json_string_value(json_object_get(j, "endpoint"));
    const char *now = ep ? ep : "(none)";
    if (ep && strcmp(ep, c->endpoint) == 0) {
        c->held = 1;
        c->move_pending = 0;
    } else if (c->held && !c->move_pending) {
        taken_over(c, now);
    } else {
        c->move_pending = move_endpoint(c, now);
    }
    json_decref(j);
    return CAIRN_OK;
}
