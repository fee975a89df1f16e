/* Sequencer replicas on etcd: the replica thread (replica.h).
 *
 * A standby applies the blocks etcd holds and campaigns whenever the
 * leader key is free. The leader, once caught up with etcd, builds the
 * next block on its tip and appends it with one guarded transaction:
 * "put block/N and tip = N only if the leader key still has my term's
 * create revision, block/N does not exist and tip = N-1". Only after etcd
 * says it stored the block is it committed locally, served and
 * acknowledged. A timeout means "unknown": the same bytes are sent again
 * until etcd answers, so this replica never signs a second, different
 * block at a height; when etcd holds another block there, it is applied
 * instead. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "node/node_internal.h"
#include "node/replica.h"

#define SYNC_BATCH 64
#define POLL_MS 30
#define STATUS_EVERY_MS 2000
#define STATUS_TIMEOUT_MS 500

static void nap(node *n, uint32_t ms)
{
    for (uint32_t t = 0; t < ms && !n->stopping; t += 5) {
        struct timespec ts = {0, 5 * 1000000L};
        nanosleep(&ts, NULL);
    }
}

static void set_error(node *n, replica *r, const char *what, cairn_err e)
{
    pthread_mutex_lock(&n->lock);
    if (e)
        snprintf(r->error, sizeof r->error, "%s: %s%s%s", what,
                 cairn_strerror(e),
                 cairn_etcd_last_error(r->etcd)[0] ? ": " : "",
                 cairn_etcd_last_error(r->etcd));
    else
        r->error[0] = '\0';
    pthread_mutex_unlock(&n->lock);
}

/* Removes the transactions of an applied block from the mempool. */
static void prune_block(node *n, const uint8_t *p, size_t len)
{
    cairn_block blk;
    if (cairn_block_decode(&blk, p, len))
        return;
    for (uint32_t i = 0; i < blk.h.tx_count; i++) {
        cairn_tx tx;
        cairn_account a;
        if (!cairn_tx_decode(&tx, blk.txs[i].p, blk.txs[i].n) &&
            !cairn_chain_account(n->chain, &tx.sender, &a))
            (void)cairn_mempool_prune(n->mp, &tx.sender, a.nonce);
    }
    cairn_block_free(&blk);
}

/* Applies one block from etcd (under the lock); its error. */
static cairn_err apply_one(node *n, const uint8_t *p, size_t len,
                           uint64_t height)
{
    pthread_mutex_lock(&n->lock);
    cairn_err e = cairn_chain_apply_block(n->chain, p, len);
    if (!e)
        prune_block(n, p, len);
    pthread_mutex_unlock(&n->lock);
    if (e == CAIRN_ERR_DB || e == CAIRN_ERR_IO || e == CAIRN_ERR_NOMEM || !e)
        node_note_write(n, e, height, 0);
    else
        node_log(n, 1, "refused block %" PRIu64 " from etcd: %s", height,
                 cairn_strerror(e));
    return e;
}

/* Applies what etcd holds past the local tip, one batch. Returns the
 * number applied, -1 on an error; *behind = etcd's tip is further on. */
static int sync_batch(node *n, replica *r)
{
    cairn_header tip;
    cairn_etcd_kv *kvs = NULL;
    size_t k = 0;
    int applied = 0;
    pthread_mutex_lock(&n->lock);
    cairn_chain_tip(n->chain, &tip, NULL);
    pthread_mutex_unlock(&n->lock);
    cairn_err e = replica_blocks(r, tip.height + 1, SYNC_BATCH, &kvs, &k);
    if (e) {
        set_error(n, r, "reading blocks from etcd", e);
        return -1;
    }
    for (size_t i = 0; i < k && applied >= 0; i++) {
        char want[REPLICA_KEY_MAX];
        replica_block_key(r, want, tip.height + 1 + i);
        if (kvs[i].klen != strlen(want) ||
            memcmp(kvs[i].key, want, kvs[i].klen))
            break; /* a gap: etcd no longer holds that block */
        if (apply_one(n, kvs[i].val, kvs[i].vlen, tip.height + 1 + i))
            applied = -1;
        else
            applied++;
    }
    cairn_etcd_kvs_free(kvs, k);
    return applied;
}

/* Applies blocks until the local tip is etcd's; 0 when caught up. */
static int catch_up(node *n, replica *r)
{
    uint64_t etip = 0;
    cairn_header tip;
    for (int rounds = 0; rounds < 1000 && !n->stopping; rounds++) {
        cairn_err e = replica_etcd_tip(r, &etip);
        if (e) {
            set_error(n, r, "reading the tip from etcd", e);
            return -1;
        }
        pthread_mutex_lock(&n->lock);
        r->etcd_tip = etip;
        cairn_chain_tip(n->chain, &tip, NULL);
        pthread_mutex_unlock(&n->lock);
        if (etip == 0 && tip.height > 0)
            return replica_seed(n, r) ? -1 : 1; /* then look again */
        if (tip.height > etip) { /* etcd lost blocks this replica has */
            set_error(n, r,
                      "this replica's chain is ahead of etcd's tip (etcd "
                      "lost data?); it will not lead until etcd catches up",
                      CAIRN_ERR_BAD_BLOCK);
            return -1;
        }
        if (tip.height == etip) {
            set_error(n, r, "", CAIRN_OK); /* etcd answers again */
            return 0;
        }
        int k = sync_batch(n, r);
        if (k < 0)
            return -1;
        if (k == 0 && replica_catch_up_http(n, r))
            return -1; /* neither etcd nor the leader has the next block */
    }
    return 1;
}

/* The leader's append of one pending block, repeated with the same bytes
 * while the outcome is unknown. 1: stored; 0: refused (*have holds
 * etcd's block at that height, if any; *lost: no longer leader); -1:
 * stopping. */
static int append_until_known(node *n, replica *r, uint64_t height,
                              const uint8_t *blk, size_t len,
                              cairn_etcd_kv **have, size_t *nhave, int *lost)
{
    uint32_t backoff = 50;
    while (!n->stopping) {
        int stored = 0;
        cairn_err e = replica_append(r, r->term, height, blk, len, &stored,
                                     have, nhave, lost);
        if (!e) {
            set_error(n, r, "", CAIRN_OK);
            return stored;
        }
        set_error(n, r,
                  "appending a block to etcd (outcome unknown; "
                  "sending the same block again)",
                  e);
        nap(n, backoff);
        backoff = backoff < 800 ? backoff * 2 : 1000;
    }
    return -1;
}

/* Steps down: forgets the lease (it expires by itself if etcd did not
 * already drop it) and says so. */
static void step_down(node *n, replica *r, const char *why)
{
    pthread_mutex_lock(&n->lock);
    r->leading = 0;
    pthread_mutex_unlock(&n->lock);
    node_log(n, 1, "no longer the leader (term %" PRIu64 "): %s", r->term, why);
    if (r->lease)
        (void)cairn_etcd_lease_revoke(r->etcd, r->lease);
    r->lease = 0;
}

/* After etcd refused the pending block: drop it and take etcd's. */
static void adopt(node *n, replica *r, uint64_t height, cairn_etcd_kv *have,
                  size_t nhave, int lost)
{
    pthread_mutex_lock(&n->lock);
    cairn_chain_pending_abort(n->chain, n->mp);
    pthread_mutex_unlock(&n->lock);
    if (have)
        (void)apply_one(n, have[0].val, have[0].vlen, height);
    cairn_etcd_kvs_free(have, nhave);
    if (lost)
        step_down(n, r, "another replica holds the leader key");
}

/* Builds, appends and commits one block. */
static void lead_block(node *n, replica *r)
{
    cairn_proposal pr;
    const uint8_t *blk;
    size_t len, nhave = 0;
    cairn_etcd_kv *have = NULL;
    int lost = 0;
    pthread_mutex_lock(&n->lock);
    cairn_err e = cairn_chain_propose_pending(
        n->chain, n->mp, &n->kp, node_now_ms(), r->term, REPLICA_MAX_BLOCK, &pr,
        &blk, &len);
    pthread_mutex_unlock(&n->lock);
    uint64_t height = pr.header.height;
    int k =
        e ? -1
          : append_until_known(n, r, height, blk, len, &have, &nhave, &lost);
    if (k == 1) {
        pthread_mutex_lock(&n->lock);
        e = cairn_chain_pending_commit(n->chain);
        r->etcd_tip = height;
        for (size_t i = 0; !e && i < pr.n_dropped; i++)
            replica_note_drop(r, &pr.dropped[i], pr.drop_err[i]);
        pthread_mutex_unlock(&n->lock);
        node_note_write(n, e, height, 0);
        if (!e && (pr.n_included || pr.n_dropped))
            node_log(n, 0,
                     "block %" PRIu64 ": %zu txs, %zu dropped (term %" PRIu64
                     ")",
                     height, pr.n_included, pr.n_dropped, r->term);
    } else if (k == 0) {
        adopt(n, r, height, have, nhave, lost);
    } else if (!e) { /* stopping with the outcome unknown */
        pthread_mutex_lock(&n->lock);
        cairn_chain_pending_abort(n->chain, NULL);
        pthread_mutex_unlock(&n->lock);
    }
    cairn_proposal_free(&pr);
}

/* Keeps the lease alive; 0 when it is gone. */
static int keep_lease(node *n, replica *r)
{
    uint64_t now = node_mono_ms();
    int64_t ttl = 1;
    if (now - r->last_keepalive_ms < r->ttl_s * 1000u / 3)
        return 1;
    cairn_err e = cairn_etcd_lease_keepalive(r->etcd, r->lease, &ttl);
    if (e) {
        set_error(n, r, "renewing the leader's lease", e);
        return 1; /* unknown: the next append will tell */
    }
    r->last_keepalive_ms = now;
    return ttl > 0;
}

/* Leads until the lease is lost or the node stops. */
static void lead(node *n, replica *r)
{
    uint32_t interval = cairn_chain_params(n->chain)->block_interval_ms;
    uint64_t next = node_mono_ms();
    while (!n->stopping) {
        pthread_mutex_lock(&n->lock);
        int leading = r->leading;
        pthread_mutex_unlock(&n->lock);
        if (!leading)
            return;
        if (!keep_lease(n, r)) {
            step_down(n, r, "its lease expired");
            return;
        }
        uint64_t now = node_mono_ms();
        if (now < next) {
            nap(n, (uint32_t)(next - now < POLL_MS ? next - now : POLL_MS));
            continue;
        }
        next = now + interval;
        lead_block(n, r);
    }
}

/* The status thread: polls each etcd member's health for /v1/status every
 * STATUS_EVERY_MS on its own handle, so that a hung member never delays
 * the replica thread. */
static void *status_main(void *arg)
{
    node *n = arg;
    replica *r = n->rep;
    while (!n->stopping) {
        cairn_etcd_member m[REPLICA_MEMBERS_MAX];
        size_t k = 0;
        memset(m, 0, sizeof m);
        if (!cairn_etcd_status(r->status_etcd, m, REPLICA_MEMBERS_MAX, &k)) {
            pthread_mutex_lock(&n->lock);
            memcpy(r->members, m, sizeof m);
            r->nmembers = k < REPLICA_MEMBERS_MAX ? k : REPLICA_MEMBERS_MAX;
            pthread_mutex_unlock(&n->lock);
        }
        nap(n, STATUS_EVERY_MS);
    }
    return NULL;
}

/* 1 when the leader key is free (the last leader's lease ended). */
static int leader_free(node *n, replica *r)
{
    char lk[REPLICA_KEY_MAX];
    cairn_etcd_kv *kvs = NULL;
    size_t k = 0;
    int64_t rev;
    replica_key(r, lk, "leader");
    cairn_err e = cairn_etcd_range(r->etcd, lk, NULL, 1, &kvs, &k, &rev);
    if (e) {
        set_error(n, r, "reading the leader key", e);
        return 0;
    }
    int was_free = k == 0;
    if (k) {
        pthread_mutex_lock(&n->lock);
        int changed = r->term != (uint64_t)kvs[0].create_rev;
        pthread_mutex_unlock(&n->lock);
        if (changed) {
            replica_note_leader(n, r, &kvs[0]);
            replica_forward_mempool(n); /* a new leader needs them */
        }
    } else if (r->leader_api[0]) { /* the last leader's lease ended */
        replica_note_leader(n, r, NULL);
    }
    cairn_etcd_kvs_free(kvs, k);
    return was_free;
}

/* Campaigns with a fresh lease; 1 when this replica now leads. */
static int campaign(node *n, replica *r)
{
    int won = 0;
    uint64_t term = 0;
    cairn_err e = cairn_etcd_lease_grant(r->etcd, r->ttl_s, &r->lease);
    if (!e)
        e = replica_campaign(n, r, &won, &term);
    if (e) {
        set_error(n, r, "campaigning for leadership", e);
        return 0;
    }
    if (!won) {
        (void)cairn_etcd_lease_revoke(r->etcd, r->lease);
        r->lease = 0;
        return 0;
    }
    r->last_keepalive_ms = node_mono_ms();
    pthread_mutex_lock(&n->lock);
    r->leading = 1;
    r->term = term;
    r->failovers++;
    replica_fwd_clear(r); /* they are in this replica's mempool */
    pthread_mutex_unlock(&n->lock);
    node_log(n, 0, "leading the sequencer replicas, term %" PRIu64, term);
    return 1;
}

static void *replica_main(void *arg)
{
    node *n = arg;
    replica *r = n->rep;
    while (!n->stopping) {
        int behind = catch_up(n, r);
        int free_key = leader_free(n, r); /* also learns the leader's API */
        if (behind == 0 && free_key && campaign(n, r)) {
            if (catch_up(n, r) == 0) /* blocks stored while it campaigned */
                lead(n, r);
            else if (!n->stopping)
                step_down(n, r, "it could not catch up with etcd");
            continue;
        }
        replica_forward_flush(n, r);
        nap(n, POLL_MS);
    }
    return NULL;
}

int replica_catch_up_http(node *n, replica *r)
{
    char api[256];
    static cairn_ratelimit rl = {.interval_ms = NODE_LOG_EVERY_MS};
    pthread_mutex_lock(&n->lock);
    snprintf(api, sizeof api, "%s", r->leading ? "" : r->leader_api);
    pthread_mutex_unlock(&n->lock);
    if (!api[0]) {
        set_error(n, r,
                  "etcd no longer holds the next block and no leader "
                  "API to fetch it from",
                  CAIRN_ERR_NOT_FOUND);
        return -1;
    }
    return follower_fetch(n, api, &rl) > 0 ? 0 : -1;
}

/* The leader key's value for this replica: its address and API URL. */
static int self_json(node *n, replica *r, const char *advertise,
                     const char *listen)
{
    char addr[CAIRN_ADDR_TEXT_LEN + 1], url[256];
    cairn_addr_format(addr, &n->kp.pk);
    if (advertise)
        snprintf(url, sizeof url, "%s", advertise);
    else
        snprintf(url, sizeof url, "http://%s",
                 listen ? listen : "127.0.0.1:8645");
    json_t *o = json_pack("{s:s,s:s}", "id", addr, "api", url);
    char *t = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    if (!t || strlen(t) >= sizeof r->self_json) {
        free(t);
        return -1;
    }
    snprintf(r->self_json, sizeof r->self_json, "%s", t);
    free(t);
    return 0;
}

int replica_start(node *n, const cairn_node_opts *o)
{
    cairn_hash gh;
    char ghex[2 * CAIRN_HASH_LEN + 1];
    replica *r = calloc(1, sizeof *r);
    if (!r)
        return -1;
    n->rep = r;
    r->ttl_s = o->lease_ttl_s ? o->lease_ttl_s : 3;
    cairn_chain_genesis_hash(n->chain, &gh);
    cairn_hex_encode(ghex, gh.b, CAIRN_HASH_LEN);
    snprintf(r->prefix, sizeof r->prefix, "/cairn/%s/%.16s/",
             cairn_chain_params(n->chain)->chain_id, ghex);
    if (self_json(n, r, o->advertise, o->listen)) {
        fprintf(stderr, "cairn: --advertise is too long\n");
        return -1;
    }
    cairn_err e =
        cairn_etcd_open(&r->etcd, o->etcd_urls, REPLICA_ETCD_TIMEOUT_MS);
    if (e) {
        fprintf(stderr,
                "cairn: --etcd wants URL[,URL...] of etcd members, e.g. "
                "http://127.0.0.1:2379 (%s)\n",
                cairn_strerror(e));
        return -1;
    }
    if (cairn_etcd_open(&r->status_etcd, o->etcd_urls, STATUS_TIMEOUT_MS) ||
        pthread_create(&r->thread, NULL, replica_main, n))
        return -1;
    r->started = 1;
    if (pthread_create(&r->status_thread, NULL, status_main, n))
        return -1;
    r->status_started = 1;
    return 0;
}

void replica_stop(node *n)
{
    replica *r = n->rep;
    if (!r)
        return;
    n->stopping = 1;
    if (r->started)
        pthread_join(r->thread, NULL);
    if (r->status_started)
        pthread_join(r->status_thread, NULL);
    cairn_etcd_close(r->status_etcd);
    if (r->lease && r->etcd) /* hand leadership over at once */
        (void)cairn_etcd_lease_revoke(r->etcd, r->lease);
    cairn_etcd_close(r->etcd);
    replica_fwd_clear(r);
    free(r->fq);
    free(r);
    n->rep = NULL;
}

json_t *replica_status_json(const node *n)
{
    const replica *r = n->rep;
    json_t *o = json_object(), *ms = json_array();
    json_object_set_new(o, "role",
                        json_string(r->leading ? "leader" : "standby"));
    json_object_set_new(o, "term", api_json_u64(r->term));
    json_object_set_new(o, "leader", json_string(r->leader_id));
    json_object_set_new(o, "leader_api", json_string(r->leader_api));
    json_object_set_new(o, "etcd_tip", api_json_u64(r->etcd_tip));
    json_object_set_new(o, "times_elected", api_json_u64(r->failovers));
    json_object_set_new(o, "lease_ttl_s", api_json_u64(r->ttl_s));
    if (r->error[0])
        json_object_set_new(o, "last_problem", json_string(r->error));
    for (size_t i = 0; i < r->nmembers; i++) {
        const cairn_etcd_member *m = &r->members[i];
        json_t *j = json_object();
        json_object_set_new(j, "url", json_string(m->url));
        json_object_set_new(j, "up", json_boolean(m->up));
        if (m->up) {
            json_object_set_new(j, "is_leader",
                                json_boolean(m->id && m->id == m->leader));
            json_object_set_new(j, "raft_term", api_json_u64(m->raft_term));
            json_object_set_new(j, "db_size",
                                api_json_u64((uint64_t)m->db_size));
            json_object_set_new(j, "version", json_string(m->version));
        } else {
            json_object_set_new(j, "problem", json_string(m->error));
        }
        json_array_append_new(ms, j);
    }
    json_object_set_new(o, "etcd", ms);
    return o;
}
