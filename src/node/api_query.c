/* Read-only API endpoints: status, accounts and proofs, blocks, txs. */
#include <event2/keyvalq_struct.h>
#include <stdlib.h>
#include <string.h>

#include "node/api_handlers.h"
#include "node/replica.h"

void api_status(node *n, httpd_req *req)
{
    cairn_header h;
    cairn_hash th, gh;
    cairn_totals t = {0};
    json_t *o = json_object(), *tok = json_object();
    pthread_mutex_lock(&n->lock);
    const cairn_params *p = cairn_chain_params(n->chain);
    cairn_chain_tip(n->chain, &h, &th);
    cairn_chain_genesis_hash(n->chain, &gh);
    cairn_err e = cairn_chain_totals(n->chain, &t);
    json_object_set_new(o, "chain_id", json_string(p->chain_id));
    json_object_set_new(tok, "name", json_string(p->token_name));
    json_object_set_new(tok, "symbol", json_string(p->token_symbol));
    json_object_set_new(o, "token", tok);
    json_object_set_new(o, "mode",
                        json_string(n->rep         ? "replica"
                                    : n->sequencer ? "sequencer"
                                                   : "follower"));
    json_object_set_new(o, "height", api_json_u64(h.height));
    json_object_set_new(o, "tip_hash", api_json_hex(th.b, 32));
    json_object_set_new(o, "state_root", api_json_hex(h.state_root.b, 32));
    json_object_set_new(o, "time_ms", api_json_u64(h.time_ms));
    json_object_set_new(o, "genesis_hash", api_json_hex(gh.b, 32));
    json_object_set_new(o, "sequencer", api_json_addr(&p->sequencer));
    api_json_set_amount(o, "min_fee", p->min_fee);
    json_object_set_new(o, "block_interval_ms",
                        api_json_u64(p->block_interval_ms));
    json_object_set_new(o, "mempool", api_json_u64(cairn_mempool_count(n->mp)));
    api_json_set_amount(o, "supply", t.supply);
    api_json_set_amount(o, "treasury", t.treasury);
    if (n->follow_url) {
        json_object_set_new(o, "following", json_string(n->follow_url));
        if (n->follow_error[0])
            json_object_set_new(o, "follow_error",
                                json_string(n->follow_error));
    }
    if (n->rep)
        json_object_set_new(o, "replica", replica_status_json(n));
    json_t *we = node_write_error_json(n);
    json_object_set_new(o, "writable", json_boolean(!we));
    if (we)
        json_object_set_new(o, "write_error", we);
    pthread_mutex_unlock(&n->lock);
    json_object_set_new(o, "connections",
                        api_json_u64(httpd_conn_count(n->http)));
    json_object_set_new(o, "max_connections",
                        api_json_u64(httpd_conn_max(n->http)));
    if (e) {
        json_decref(o);
        api_error(req, 0, e, NULL);
        return;
    }
    api_reply(req, 200, o);
}

static json_t *vesting_json(const cairn_account *a)
{
    if (!a->vest_total)
        return json_null();
    json_t *v = json_object();
    api_json_set_amount(v, "total", a->vest_total);
    json_object_set_new(v, "start_height", api_json_u64(a->vest_start));
    json_object_set_new(v, "cliff_height", api_json_u64(a->vest_cliff));
    json_object_set_new(v, "end_height", api_json_u64(a->vest_end));
    return v;
}

static void account_plain(node *n, httpd_req *req, const cairn_pubkey *pk)
{
    cairn_account a;
    cairn_header h;
    json_t *o = json_object();
    pthread_mutex_lock(&n->lock);
    cairn_chain_tip(n->chain, &h, NULL);
    cairn_err e = cairn_chain_account(n->chain, pk, &a);
    uint64_t base = a.nonce; /* past a replica leader's block in etcd */
    if (!e && cairn_chain_pending_next_nonce(n->chain, pk, &base) &&
        base < a.nonce)
        base = a.nonce;
    uint32_t pending = cairn_mempool_pending(n->mp, pk);
    pthread_mutex_unlock(&n->lock);
    if (e) {
        json_decref(o);
        api_error(req, 0, e, NULL);
        return;
    }
    uint64_t next = h.height + 1; /* vesting is judged at the next block */
    json_object_set_new(o, "address", api_json_addr(pk));
    json_object_set_new(o, "height", api_json_u64(h.height));
    api_json_set_amount(o, "balance", a.balance);
    api_json_set_amount(o, "spendable", cairn_account_spendable(&a, next));
    api_json_set_amount(o, "locked",
                        a.balance - cairn_account_spendable(&a, next));
    json_object_set_new(o, "nonce", api_json_u64(a.nonce));
    json_object_set_new(o, "next_nonce", api_json_u64(base + pending));
    json_object_set_new(o, "vesting", vesting_json(&a));
    api_reply(req, 200, o);
}

static json_t *proof_json(const cairn_smt_proof *pf)
{
    json_t *o = json_object(), *sib = json_array();
    json_object_set_new(o, "depth", api_json_u64(pf->depth));
    for (uint16_t i = 0; i < pf->depth; i++)
        json_array_append_new(sib, api_json_hex(pf->sib[i].b, 32));
    json_object_set_new(o, "siblings", sib);
    json_object_set_new(o, "end", json_string(pf->end ? "leaf" : "empty"));
    if (pf->end) {
        json_object_set_new(o, "leaf_key", api_json_hex(pf->leaf_key.b, 32));
        json_object_set_new(o, "leaf_vhash",
                            api_json_hex(pf->leaf_vhash.b, 32));
    }
    return o;
}

static void account_proof(node *n, httpd_req *req, const cairn_pubkey *pk)
{
    cairn_smt_proof pf;
    cairn_account a;
    cairn_header h;
    cairn_hash bh, key;
    cairn_buf hb;
    uint8_t rec[48];
    pthread_mutex_lock(&n->lock);
    int busy = cairn_chain_is_pending(n->chain); /* a replica's block */
    cairn_chain_tip(n->chain, &h, &bh);
    cairn_err e = cairn_chain_account(n->chain, pk, &a);
    if (!busy)
        cairn_chain_prove_account(n->chain, pk, &pf);
    pthread_mutex_unlock(&n->lock);
    if (busy) {
        api_error(req, 503, CAIRN_ERR_BUSY,
                  "a block is being appended to etcd; ask again");
        return;
    }
    if (e) {
        api_error(req, 0, e, NULL);
        return;
    }
    cairn_account_key(&key, pk);
    int present = pf.end && memcmp(pf.leaf_key.b, key.b, 32) == 0;
    json_t *o = json_object();
    cairn_buf_init(&hb, CAIRN_HEADER_LEN);
    cairn_header_encode(&h, &hb);
    json_object_set_new(o, "address", api_json_addr(pk));
    json_object_set_new(o, "height", api_json_u64(h.height));
    json_object_set_new(o, "block_hash", api_json_hex(bh.b, 32));
    json_object_set_new(o, "header", api_json_hex(hb.p, hb.len));
    json_object_set_new(o, "state_root", api_json_hex(h.state_root.b, 32));
    json_object_set_new(o, "key", api_json_hex(key.b, 32));
    json_object_set_new(o, "present", json_boolean(present));
    cairn_account_encode(rec, &a);
    if (present)
        json_object_set_new(o, "account", api_json_hex(rec, sizeof rec));
    json_object_set_new(o, "proof", proof_json(&pf));
    cairn_buf_free(&hb);
    api_reply(req, 200, o);
}

void api_account(node *n, httpd_req *req, const char *rest)
{
    char addr[CAIRN_ADDR_TEXT_LEN + 1];
    cairn_pubkey pk;
    const char *slash = strchr(rest, '/');
    size_t len = slash ? (size_t)(slash - rest) : strlen(rest);
    if (len != CAIRN_ADDR_TEXT_LEN) {
        api_error(req, 400, CAIRN_ERR_BAD_ADDRESS, NULL);
        return;
    }
    memcpy(addr, rest, len);
    addr[len] = '\0';
    if (cairn_addr_parse(&pk, addr)) {
        api_error(req, 400, CAIRN_ERR_BAD_ADDRESS, NULL);
        return;
    }
    if (!slash)
        account_plain(n, req, &pk);
    else if (strcmp(slash, "/proof") == 0)
        account_proof(n, req, &pk);
    else
        api_error(req, 404, CAIRN_ERR_NOT_FOUND,
                  "no such endpoint; see docs/api.md");
}
