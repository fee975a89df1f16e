/* GET /v1/rewards: what each provider earned in an epoch and for which
 * work (docs/api.md): ?epoch=E[&after=ADDR][&limit=N] lists an epoch's
 * paid providers; ?provider=ADDR[&from=E][&to=E][&limit=N] one provider's
 * history. Records come from cairn_chain_*_rewards. */
#include <event2/keyvalq_struct.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include "cairn/rewards.h"
#include "cairn/staking.h"
#include "node/api_handlers.h"

#define REWARDS_DEFAULT 100

static json_t *reward_json(const cairn_reward *r)
{
    json_t *o = json_object();
    json_object_set_new(o, "epoch", api_json_u64(r->epoch));
    json_object_set_new(o, "provider", api_json_addr(&r->provider));
    json_object_set_new(o, "sector", json_string(cairn_sector_name(r->sector)));
    json_object_set_new(o, "work_units", api_json_u64(r->work_units));
    json_object_set_new(o, "sector_work_units", api_json_u64(r->sector_work));
    api_json_set_amount(o, "reward", r->reward);
    api_json_set_amount(o, "stake_reward", r->stake_reward);
    api_json_set_amount(o, "provider_part", r->provider_part);
    api_json_set_amount(o, "delegators_part", r->delegators_part);
    return o;
}

/* The parsed query: every field optional. */
typedef struct rq {
    uint64_t epoch, from, to, limit;
    int has_epoch, has_provider, has_after;
    cairn_pubkey provider, after;
} rq;

static int num(struct evkeyvalq *q, const char *k, uint64_t *v, int *set)
{
    const char *s = evhttp_find_header(q, k);
    if (set)
        *set = s != NULL;
    return s ? api_parse_num(s, v) : 0;
}

static int addr(struct evkeyvalq *q, const char *k, cairn_pubkey *pk, int *set)
{
    const char *s = evhttp_find_header(q, k);
    *set = s != NULL;
    return s ? (cairn_addr_parse(pk, s) ? -1 : 0) : 0;
}

/* 0 when the query is well formed; else msg says why. */
static int parse(const char *query, rq *r, const char **msg)
{
    struct evkeyvalq q;
    TAILQ_INIT(&q);
    memset(r, 0, sizeof *r);
    r->to = UINT64_MAX >> 11; /* API numbers stop at 2^53 - 1 */
    r->limit = REWARDS_DEFAULT;
    int bad = query && evhttp_parse_query_str(query, &q) != 0;
    bad = bad || num(&q, "epoch", &r->epoch, &r->has_epoch) ||
          num(&q, "from", &r->from, NULL) || num(&q, "to", &r->to, NULL) ||
          num(&q, "limit", &r->limit, NULL);
    *msg = "epoch, from, to and limit are decimal numbers";
    if (!bad && (addr(&q, "provider", &r->provider, &r->has_provider) ||
                 addr(&q, "after", &r->after, &r->has_after))) {
        bad = 1;
        *msg = "provider and after are cairn addresses";
    }
    evhttp_clear_headers(&q);
    if (!bad && (r->limit < 1 || r->limit > CAIRN_REWARDS_MAX)) {
        bad = 1;
        *msg = "limit must be 1..1000";
    } else if (!bad && r->has_epoch == r->has_provider) {
        bad = 1;
        *msg =
            "give epoch=E (an epoch's rewards) or provider=ADDR (a provider's)";
    } else if (!bad && r->from > r->to) {
        bad = 1;
        *msg = "from must not be after to";
    }
    return bad;
}

void api_rewards(node *n, httpd_req *req, const char *query)
{
    rq r;
    const char *msg;
    size_t count = 0;
    int more = 0;
    uint64_t next = 0;
    if (parse(query, &r, &msg)) {
        api_error(req, 400, CAIRN_ERR_BAD_ARG, msg);
        return;
    }
    cairn_reward *out = malloc(r.limit * sizeof *out);
    if (!out) {
        api_error(req, 0, CAIRN_ERR_NOMEM, NULL);
        return;
    }
    pthread_mutex_lock(&n->lock);
    cairn_err e =
        r.has_epoch
            ? cairn_chain_epoch_rewards(n->chain, r.epoch,
                                        r.has_after ? &r.after : NULL, out,
                                        r.limit, &count, &more)
            : cairn_chain_provider_rewards(n->chain, &r.provider, r.from, r.to,
                                           out, r.limit, &count, &more, &next);
    pthread_mutex_unlock(&n->lock);
    if (e) {
        free(out);
        api_error(req, 0, e, NULL);
        return;
    }
    json_t *o = json_object(), *arr = json_array();
    for (size_t i = 0; i < count; i++)
        json_array_append_new(arr, reward_json(&out[i]));
    free(out);
    json_object_set_new(o, "rewards", arr);
    json_object_set_new(o, "more", json_boolean(more));
    if (more && r.has_provider) /* where the next page starts */
        json_object_set_new(o, "next_from", api_json_u64(next));
    api_reply(req, 200, o);
}
