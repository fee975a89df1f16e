/* The sequencer set (docs/api.md, "GET /v1/sequencers"): each member of
 * the genesis' set with its bond, and the tip's term (docs/replicas.md). */
#include <string.h>

#include "cairn/sequencer.h"
#include "node/api_handlers.h"

/* What the reply shows, copied under the node's lock. */
typedef struct seq_view {
    cairn_params p;
    cairn_seq_bond bond[CAIRN_SEQUENCERS_MAX];
    uint64_t term, height;
} seq_view;

/* Reads the set and every member's bond (a member without a stake has no
 * bond record: zeros). */
static cairn_err read_locked(node *n, seq_view *v)
{
    cairn_header h;
    v->p = *cairn_chain_params(n->chain);
    cairn_chain_tip(n->chain, &h, NULL);
    v->term = h.term;
    v->height = h.height;
    if (v->p.n_sequencers == 0) { /* params built in code: the one key */
        v->p.n_sequencers = 1;
        v->p.sequencers[0] = v->p.sequencer;
        v->p.sequencer_stake[0] = 0;
    }
    for (uint32_t i = 0; i < v->p.n_sequencers; i++) {
        cairn_err e =
            cairn_chain_seq_bond(n->chain, &v->p.sequencers[i], &v->bond[i]);
        if (e == CAIRN_ERR_NOT_FOUND)
            memset(&v->bond[i], 0, sizeof v->bond[i]);
        else if (e)
            return e;
    }
    return CAIRN_OK;
}

void api_sequencers(node *n, httpd_req *req)
{
    seq_view v;
    pthread_mutex_lock(&n->lock);
    cairn_err e = read_locked(n, &v);
    pthread_mutex_unlock(&n->lock);
    if (e) {
        api_error(req, 0, e, NULL);
        return;
    }
    json_t *arr = json_array();
    for (uint32_t i = 0; i < v.p.n_sequencers; i++) {
        json_t *m = json_object();
        json_object_set_new(m, "address", api_json_addr(&v.p.sequencers[i]));
        api_json_set_amount(m, "stake", v.p.sequencer_stake[i]);
        api_json_set_amount(m, "bond", v.bond[i].bond);
        api_json_set_amount(m, "slashed", v.bond[i].slashed);
        json_object_set_new(m, "slashed_height",
                            api_json_u64(v.bond[i].slashed_height));
        json_object_set_new(m, "first", json_boolean(i == 0));
        json_array_append_new(arr, m);
    }
    json_t *o = json_object();
    json_object_set_new(o, "sequencers", arr);
    json_object_set_new(o, "term", api_json_u64(v.term));
    json_object_set_new(o, "height", api_json_u64(v.height));
    api_reply(req, 200, o);
}
