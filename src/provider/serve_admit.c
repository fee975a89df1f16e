/* Who gets in (serve_internal.h): the limits on connections per server,
 * per IP address and per key, the choice of a connection to close when the
 * server is full (a stranger that is idle or slow, never a friend and never
 * one whose request is with a worker), the memory budget, and the set of
 * friends (peers with a deal). All on the loop thread but the budget and
 * the friends, which workers and the chain thread use too. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "provider/serve_internal.h"

static int same_ip(const pd_conn *c, const uint8_t ip[16])
{
    return memcmp(c->ip, ip, 16) == 0;
}

static int is_stranger(const pd_conn *c)
{
    return !(c->authed && c->friend);
}

/* Handshakes in progress, from ip (NULL: from anyone). */
static int handshakes(const pd_server *s, const uint8_t *ip)
{
    int n = 0;
    for (int i = 0; i < s->nconns; i++)
        n += s->conns[i]->state == PC_HS && (!ip || same_ip(s->conns[i], ip));
    return n;
}

/* The oldest handshake in progress, from ip (NULL: from anyone). */
static pd_conn *oldest_handshake(const pd_server *s, const uint8_t *ip)
{
    pd_conn *best = NULL;
    for (int i = 0; i < s->nconns; i++) {
        pd_conn *c = s->conns[i];
        if (c->state == PC_HS && (!ip || same_ip(c, ip)) &&
            (!best || c->born < best->born))
            best = c;
    }
    return best;
}

#define STALLED_MS 2000 /* a request with no byte for this long is idle */

/* How much a connection is worth keeping, lowest first: 0 closing, 1 an
 * idle stranger (or one whose request has stalled), 2 a handshake, 3 a
 * stranger reading or being written to; -1 never (a friend, or a request
 * with a worker). */
static int evict_rank(const pd_conn *c, int64_t now)
{
    if (c->state == PC_BUSY || !is_stranger(c))
        return -1;
    switch (c->state) {
    case PC_CLOSING:
        return 0;
    case PC_IDLE:
        return 1;
    case PC_HS:
        return 2;
    default:
        return now - c->last_active > STALLED_MS ? 1 : 3;
    }
}

static pd_conn *pick_victim(const pd_server *s, const pd_conn *keep)
{
    pd_conn *best = NULL;
    int best_rank = 99;
    int64_t now = pd_now();
    for (int i = 0; i < s->nconns; i++) {
        pd_conn *c = s->conns[i];
        int r = evict_rank(c, now);
        if (c == keep || r < 0)
            continue;
        if (r < best_rank ||
            (r == best_rank && c->last_active < best->last_active)) {
            best = c;
            best_rank = r;
        }
    }
    return best;
}

static void evict(pd_server *s, pd_conn *c, const char *why)
{
    pd_count(s, &s->stats.evicted);
    log_limited(&s->lim_refuse, s->cfg.log, s->cfg.who,
                "closed a connection from %s to make room: %s", c->ip_text,
                why);
    pd_conn_close(c);
}

int pd_admit_accept(pd_server *s, const uint8_t ip[16], const char *ip_text)
{
    pd_conn *v;
    if (handshakes(s, ip) >= s->lim.per_ip_handshakes &&
        (v = oldest_handshake(s, ip)))
        evict(s, v, "too many handshakes from one address");
    if (handshakes(s, NULL) >= s->lim.max_handshakes &&
        (v = oldest_handshake(s, NULL)))
        evict(s, v, "too many handshakes in progress");
    if (s->nconns < s->lim.max_conns)
        return 0;
    if ((v = pick_victim(s, NULL))) {
        evict(s, v, "the server is at its connection limit");
        return 0;
    }
    pd_count(s, &s->stats.refused);
    log_limited(&s->lim_refuse, s->cfg.log, s->cfg.who,
                "refused a connection from %s: %d connections, all busy or "
                "with peers that have a deal",
                ip_text, s->nconns);
    return -1;
}

const char *pd_admit_peer(pd_conn *c)
{
    pd_server *s = c->srv;
    int by_key = 0, by_ip = 0;
    for (int i = 0; i < s->nconns; i++) {
        const pd_conn *o = s->conns[i];
        if (!o->authed || o->state == PC_CLOSING)
            continue;
        by_key += memcmp(o->peer.b, c->peer.b, CAIRN_PK_LEN) == 0;
        by_ip += is_stranger(o) && same_ip(o, c->ip);
    }
    if (c->friend)
        return by_key > s->lim.per_key_friend
                   ? "too many connections with this key"
                   : NULL;
    if (by_key > s->lim.per_key)
        return "too many connections with this key from a peer without a "
               "deal; close some and try again";
    if (by_ip > s->lim.per_ip)
        return "too many connections from this address by peers without a "
               "deal; close some and try again";
    return NULL;
}

/* ---- the memory budget ---- */

int pd_mem_charge(pd_server *s, size_t bytes, int stranger, int force)
{
    pthread_mutex_lock(&s->mu);
    int ok = force ||
             (s->mem_used + bytes <= s->lim.mem_total &&
              (!stranger || s->mem_strangers + bytes <= s->lim.mem_strangers));
    if (ok) {
        s->mem_used += bytes;
        if (stranger)
            s->mem_strangers += bytes;
    }
    pthread_mutex_unlock(&s->mu);
    return ok ? 0 : -1;
}

void pd_mem_release(pd_server *s, size_t bytes, int stranger)
{
    pthread_mutex_lock(&s->mu);
    s->mem_used -= bytes;
    if (stranger)
        s->mem_strangers -= bytes;
    pthread_mutex_unlock(&s->mu);
}

static size_t held(const pd_conn *c)
{
    return (c->in ? c->in_cap : 0) + c->out_charge;
}

void pd_mem_evict(pd_server *s, size_t bytes, const pd_conn *keep)
{
    for (int round = 0; round < s->lim.max_conns; round++) {
        pthread_mutex_lock(&s->mu);
        int fits = s->mem_used + bytes <= s->lim.mem_total;
        pthread_mutex_unlock(&s->mu);
        if (fits)
            return;
        pd_conn *best = NULL;
        for (int i = 0; i < s->nconns; i++) {
            pd_conn *c = s->conns[i];
            if (c != keep && evict_rank(c, 0) >= 0 && held(c) > 0 &&
                (!best || held(c) > held(best)))
                best = c;
        }
        if (!best)
            return;
        evict(s, best, "its buffers were needed for a peer with a deal");
    }
}

/* ---- the friends ---- */

static int cmp_key(const void *a, const void *b)
{
    return memcmp(a, b, CAIRN_PK_LEN);
}

cairn_err pd_serve_set_friends(pd_server *s, const cairn_pubkey *keys, size_t n)
{
    cairn_pubkey *copy = NULL;
    if (n) {
        copy = malloc(n * sizeof *copy);
        if (!copy)
            return CAIRN_ERR_NOMEM;
        memcpy(copy, keys, n * sizeof *copy);
        qsort(copy, n, sizeof *copy, cmp_key);
    }
    pthread_mutex_lock(&s->fmu);
    free(s->friends);
    s->friends = copy;
    s->nfriends = n;
    pthread_mutex_unlock(&s->fmu);
    return CAIRN_OK;
}

void pd_serve_add_friend(pd_server *s, const cairn_pubkey *key, unsigned ttl_s)
{
    uint64_t until = (uint64_t)time(NULL) + (ttl_s ? ttl_s : PD_FRIEND_TTL_S);
    pthread_mutex_lock(&s->fmu);
    for (int i = 0; i < PD_PROVISIONAL; i++)
        if (s->prov_until[i] &&
            memcmp(s->prov_key[i].b, key->b, CAIRN_PK_LEN) == 0) {
            s->prov_until[i] = until;
            pthread_mutex_unlock(&s->fmu);
            return;
        }
    s->prov_key[s->prov_next] = *key;
    s->prov_until[s->prov_next] = until;
    s->prov_next = (s->prov_next + 1) % PD_PROVISIONAL;
    pthread_mutex_unlock(&s->fmu);
}

int pd_is_friend(pd_server *s, const cairn_pubkey *k)
{
    uint64_t now = (uint64_t)time(NULL);
    int yes = 0;
    pthread_mutex_lock(&s->fmu);
    if (s->nfriends &&
        bsearch(k, s->friends, s->nfriends, sizeof *s->friends, cmp_key))
        yes = 1;
    for (int i = 0; !yes && i < PD_PROVISIONAL; i++)
        yes = s->prov_until[i] > now &&
              memcmp(s->prov_key[i].b, k->b, CAIRN_PK_LEN) == 0;
    pthread_mutex_unlock(&s->fmu);
    return yes;
}
