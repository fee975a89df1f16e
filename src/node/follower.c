/* Follower: fetches blocks from another node, re-executes and commits them,
 * refusing any block that does not check out. Runs in its own thread so a
 * slow upstream never stalls the API. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cairn/http.h"
#include "node/node_internal.h"

#define FETCH_LIMIT 100
#define FETCH_TIMEOUT_MS 5000

static void nap_ms(node *n, uint32_t ms)
{
    for (uint32_t t = 0; t < ms && !n->stopping; t += 10) {
        struct timespec ts = {0, 10 * 1000000L};
        nanosleep(&ts, NULL);
    }
}

static void set_error(node *n, const char *msg, cairn_err e)
{
    pthread_mutex_lock(&n->lock);
    snprintf(n->follow_error, sizeof n->follow_error, "%s%s%s", msg,
             e ? ": " : "", e ? cairn_strerror(e) : "");
    pthread_mutex_unlock(&n->lock);
}

/* Applies one hex block; returns its error. */
static cairn_err apply_hex(node *n, const char *hex, uint64_t height)
{
    uint8_t *p;
    size_t len;
    cairn_err e = cairn_hex_decode_alloc(&p, &len, hex, CAIRN_BLOCK_MAX_BYTES);
    if (e)
        return CAIRN_ERR_BAD_BLOCK;
    pthread_mutex_lock(&n->lock);
    e = cairn_chain_apply_block(n->chain, p, len);
    if (!e)
        n->follow_error[0] = '\0';
    pthread_mutex_unlock(&n->lock);
    free(p);
    if (!e || e == CAIRN_ERR_DB || e == CAIRN_ERR_NOMEM || e == CAIRN_ERR_IO)
        node_note_write(n, e, height,
                        0); /* this node's fault, not the block's */
    return e;
}

/* The upstream did not answer (or not with 200): logged at once, then at
 * most every NODE_LOG_EVERY_MS with a count, and its return when it
 * answers again. */
static void upstream_down(node *n, const char *url, cairn_ratelimit *rl,
                          cairn_err e, int status)
{
    char why[96], more[80] = "";
    uint64_t skipped;
    if (e)
        snprintf(why, sizeof why, "%s", cairn_strerror(e));
    else
        snprintf(why, sizeof why, "it answered HTTP %d", status);
    set_error(n, "upstream unreachable or failing", CAIRN_OK);
    if (!cairn_ratelimit_allow(rl, node_mono_ms(), &skipped))
        return;
    if (skipped)
        snprintf(more, sizeof more,
                 " (%llu more failed tries since the last warning)",
                 (unsigned long long)skipped);
    node_log(n, 1, "cannot fetch blocks from %s (%s); retrying with back-off%s",
             url, why, more);
}

static void upstream_up(node *n, const char *url, cairn_ratelimit *rl)
{
    int was_down = rl->reported;
    uint64_t unlogged = cairn_ratelimit_reset(rl);
    if (was_down)
        node_log(n, 1,
                 "%s answers again (%llu more failed tries since the "
                 "last warning)",
                 url, (unsigned long long)unlogged);
}

/* Applies the blocks of one reply; the number applied, -1 on a refusal. */
static int apply_batch(node *n, const char *url, const cairn_http_resp *r,
                       uint64_t first)
{
    json_error_t jerr;
    json_t *j = json_loadb(r->body, r->len, JSON_REJECT_DUPLICATES, &jerr);
    json_t *arr = j ? json_object_get(j, "blocks") : NULL;
    int applied = 0;
    for (size_t i = 0; json_is_array(arr) && i < json_array_size(arr); i++) {
        json_t *b = json_array_get(arr, i);
        cairn_err e = json_is_string(b)
                          ? apply_hex(n, json_string_value(b), first + i)
                          : CAIRN_ERR_BAD_BLOCK;
        if (e == CAIRN_ERR_DB || e == CAIRN_ERR_NOMEM || e == CAIRN_ERR_IO) {
            set_error(n, "cannot write a followed block", e);
            applied = -1;
            break;
        }
        if (e) {
            node_log(n, 1, "refused block %llu from %s: %s",
                     (unsigned long long)(first + i), url, cairn_strerror(e));
            set_error(n, "refused a block from upstream", e);
            applied = -1;
            break;
        }
        applied++;
    }
    json_decref(j);
    return applied;
}

int follower_fetch(node *n, const char *base, cairn_ratelimit *rl)
{
    char url[512];
    cairn_header tip;
    cairn_http_resp r = {0};
    pthread_mutex_lock(&n->lock);
    cairn_chain_tip(n->chain, &tip, NULL);
    pthread_mutex_unlock(&n->lock);
    snprintf(url, sizeof url, "%s/v1/blocks?from=%llu&limit=%d", base,
             (unsigned long long)tip.height + 1, FETCH_LIMIT);
    cairn_err e =
        cairn_http_request("GET", url, NULL, 0, NULL, FETCH_TIMEOUT_MS, &r);
    if (e || r.status != 200) {
        upstream_down(n, base, rl, e, r.status);
        free(r.body);
        return -1;
    }
    upstream_up(n, base, rl);
    int applied = apply_batch(n, base, &r, tip.height + 1);
    free(r.body);
    return applied;
}

static void *follow_main(void *arg)
{
    node *n = arg;
    uint32_t interval = cairn_chain_params(n->chain)->block_interval_ms;
    uint32_t backoff = interval;
    cairn_ratelimit rl = {.interval_ms = NODE_LOG_EVERY_MS};
    while (!n->stopping) {
        int k = follower_fetch(n, n->follow_url, &rl);
        if (k > 0) {
            backoff = interval;
            if (k == FETCH_LIMIT)
                continue; /* more to catch up on */
            nap_ms(n, interval / 4);
        } else if (k == 0) {
            nap_ms(n, interval / 4);
        } else {
            nap_ms(n, backoff);
            backoff = backoff < 30000 ? backoff * 2 : 30000;
        }
    }
    return NULL;
}

int follower_start(node *n)
{
    if (pthread_create(&n->follower, NULL, follow_main, n))
        return -1;
    n->follower_started = 1;
    return 0;
}

void follower_stop(node *n)
{
    if (!n->follower_started)
        return;
    n->stopping = 1;
    pthread_join(n->follower, NULL);
    n->follower_started = 0;
}
