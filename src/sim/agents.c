/* The simulator's agents and market model (docs/simulator.md, "The
 * model"). Each epoch runs five phases, one before each of the epoch's
 * first five blocks; every action is a signed transaction:
 *
 *   0  the oracle posts the price; shocks; leaving providers close their
 *      leases and unbond; joining providers and users buy tokens from
 *      the exchange; users close leases they no longer want
 *   1  governance votes; new providers REGISTER and COMPUTE_OFFER; users
 *      ORDER_OPEN or LEASE_DEPOSIT; the credit buyer BUY_CREDITS
 *   2  providers BID on the new orders (each order: up to bids_per_order
 *      providers drawn at random among those with free cores and an ask
 *      at or below the order's max price)
 *   3  users LEASE_CREATE with the cheapest bid whose provider still has
 *      the cores (a bid reserves none); providers CLAIM their
 *      rewards and sell to the exchange what covers their costs
 *   4  providers LEASE_REPORT all their leases (64 per transaction)
 *
 * The chain settles the leases and the epoch at its last block; the
 * agents then read what they were paid (sim_epoch_end). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/amount.h"
#include "cairn/compute.h"
#include "cairn/credits.h"
#include "cairn/gov.h"
#include "cairn/rewards.h"
#include "cairn/staking.h"
#include "sim/sim_int.h"

#define UNITS 1e6
#define NEW_USERS_MAX 10000 /* users arriving in one epoch, at most */

static uint64_t to_units(double tokens)
{
    if (!(tokens > 0))
        return 0;
    if (tokens > 1e12)
        tokens = 1e12;
    return (uint64_t)(tokens * UNITS);
}

uint64_t sim_users_leased(const sim_engine *s)
{
    uint64_t n = 0;
    for (size_t i = 0; i < s->nuser; i++)
        n += s->user[i].state == SIM_U_LEASED;
    return n;
}

static const cairn_keypair *exch(sim_engine *s, size_t i)
{
    return &s->ex[i % SIM_EXCHANGES];
}

static uint64_t spendable(sim_engine *s, const cairn_pubkey *pk)
{
    cairn_account a;
    cairn_header tip;
    if (cairn_chain_account(s->chain, pk, &a))
        return 0;
    cairn_chain_tip(s->chain, &tip, NULL);
    return cairn_account_spendable(&a, tip.height + 1);
}

/* Buys tokens from the exchange so that pk can spend `need`. */
static cairn_err buy(sim_engine *s, size_t who, const cairn_pubkey *pk,
                     uint64_t need)
{
    uint64_t have = spendable(s, pk);
    if (have >= need)
        return CAIRN_OK;
    s->flow.buy_tokens += (double)(need - have) / UNITS;
    /* the first market-maker key from `who` on that holds the amount (one
     * key alone may not: the float is spread over SIM_EXCHANGES keys) */
    for (size_t k = 0; k < SIM_EXCHANGES; k++) {
        const cairn_keypair *ex = exch(s, who + k);
        if (spendable(s, &ex->pk) >= need - have + s->min_fee)
            return sim_transfer(s, ex, pk, need - have);
    }
    return sim_transfer(s, exch(s, who), pk, need - have); /* fails: the
                                                 market holds too little */
}

/* ---- agents ---- */

static int grow(void **p, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return 0;
    size_t nc = *cap ? *cap * 2 : 64;
    void *q = realloc(*p, nc * size);
    if (!q)
        return -1;
    memset((char *)q + *cap * size, 0, (nc - *cap) * size);
    *p = q;
    *cap = nc;
    return 0;
}

static cairn_err prov_add(sim_engine *s)
{
    size_t i = s->nprov;
    if (grow((void **)&s->prov, &s->prov_cap, i, sizeof *s->prov))
        return CAIRN_ERR_NOMEM;
    sim_prov *p = &s->prov[i];
    memset(p, 0, sizeof *p);
    sim_key(&p->kp, s->sc.seed, 4, i);
    p->state = SIM_P_ACTIVE;
    p->cpus = s->sc.prov.cpus;
    p->cost = s->sc.prov.cost_usd * (0.75 + 0.5 * sim_rand01(s));
    p->joined = s->epoch;
    s->nprov++;
    s->flow.joined++;
    /* its stake, bid deposits for every core and fees */
    uint64_t need = s->sc.prov.stake + s->bid_deposit * p->cpus + 10 * 1000000;
    return buy(s, i, &p->kp.pk, need);
}

static cairn_err user_add(sim_engine *s)
{
    size_t i = s->nuser, cap = s->user_cap;
    size_t bpo = s->sc.prov.bids_per_order;
    if (grow((void **)&s->user, &s->user_cap, i, sizeof *s->user))
        return CAIRN_ERR_NOMEM;
    if (s->user_cap != cap) {
        uint32_t *b = realloc(s->bidders, s->user_cap * bpo * sizeof *b);
        if (!b)
            return CAIRN_ERR_NOMEM;
        s->bidders = b;
    }
    sim_user *u = &s->user[i];
    memset(u, 0, sizeof *u);
    sim_key(&u->kp, s->sc.seed, 5, i);
    u->has_key = 1;
    u->u = sim_rand01(s);
    u->budget = s->sc.users.budget_usd * (0.5 + sim_rand01(s));
    s->nuser++;
    return CAIRN_OK;
}

/* Cores user u wants at the market's USD price per cpu-epoch. */
static uint64_t want_cpus(const sim_engine *s, const sim_user *u)
{
    double p = s->mkt_cpu_usd > 0 ? s->mkt_cpu_usd : s->sc.users.budget_usd;
    double eps = (double)s->sc.users.elasticity_bps / 10000.0;
    double c = (double)s->sc.users.cpus;
    double x = c * pow(u->budget / p, eps);
    if (x > 4 * c)
        x = 4 * c;
    return (uint64_t)(x + 0.5);
}

/* A provider's ask for `cpus` cores per epoch, base units. */
static uint64_t ask(const sim_engine *s, const sim_prov *p, uint64_t cpus)
{
    double hurdle = 1.0 + (double)s->sc.prov.hurdle_bps / 10000.0;
    uint64_t per = to_units(p->cost * hurdle / s->price);
    if (per < s->floor_per_core)
        per = s->floor_per_core;
    return per * cpus;
}

static void release(sim_engine *s, sim_user *u)
{
    if (u->state == SIM_U_LEASED && u->prov < s->nprov) {
        sim_prov *p = &s->prov[u->prov];
        p->used = p->used >= u->cpus ? p->used - u->cpus : 0;
        p->nleases -= p->nleases ? 1 : 0;
    }
    u->state = SIM_U_IDLE;
    u->lease = 0;
}

static cairn_err tx_u64(sim_engine *s, const cairn_keypair *kp, uint16_t kind,
                        uint64_t v)
{
    cairn_buf b;
    cairn_buf_init(&b, 64);
    cairn_put_u64(&b, v);
    cairn_err e = sim_submit(s, kp, kind, &b);
    cairn_buf_free(&b);
    return e;
}

/* ---- phase 0 ---- */

static void post_price(sim_engine *s)
{
    cairn_price_info pi;
    double want = s->sc.market.credit_usd / s->price * UNITS;
    uint64_t p = want < 1 ? 1 : (uint64_t)(want + 0.5);
    if (cairn_chain_price(s->chain, &pi) == CAIRN_OK && pi.has_price) {
        uint64_t ref = pi.epoch_start_price;
        uint64_t d =
            (uint64_t)(((unsigned __int128)ref * pi.max_change_bps) / 10000);
        if (p > ref + d)
            p = ref + d;
        if (p + d < ref)
            p = ref - d;
        if (p == 0)
            p = 1;
    }
    cairn_buf b;
    cairn_buf_init(&b, 16);
    cairn_set_price_encode(&b, p);
    (void)sim_submit(s, &s->oracle, CAIRN_TX_SET_PRICE, &b);
    cairn_buf_free(&b);
}

static void shocks(sim_engine *s)
{
    for (size_t i = 0; i < s->sc.nshocks; i++) {
        const sim_shock *sh = &s->sc.shocks[i];
        if (sh->epoch != s->epoch)
            continue;
        if (sh->type == SIM_SHOCK_EXODUS) {
            for (size_t j = 0; j < s->nprov; j++)
                if (s->prov[j].state == SIM_P_ACTIVE &&
                    sim_rand01(s) * 10000.0 < (double)sh->fraction_bps)
                    s->prov[j].leave = 1;
        } else if (sh->type == SIM_SHOCK_DEMAND) {
            s->users_target *= (double)sh->factor_bps / 10000.0;
            s->users_max *= (double)sh->factor_bps / 10000.0;
        } else {
            cairn_gov_propose gp;
            cairn_buf b;
            memset(&gp, 0, sizeof gp);
            gp.type = CAIRN_GOV_PARAM;
            snprintf(gp.param, sizeof gp.param, "%s", sh->param);
            gp.value = sh->value;
            cairn_buf_init(&b, 128);
            cairn_gov_propose_encode(&b, &gp);
            if (sim_submit(s, &s->ex[0], CAIRN_TX_PROPOSE, &b) == CAIRN_OK) {
                s->pending_proposal = UINT64_MAX; /* looked up in phase 1 */
                s->pending_yes_bps = (double)sh->yes_bps;
            }
            cairn_buf_free(&b);
        }
    }
}

static cairn_err leaves(sim_engine *s)
{
    int any = 0;
    for (size_t j = 0; j < s->nprov; j++) {
        sim_prov *p = &s->prov[j];
        if (p->state == SIM_P_ACTIVE &&
            (p->leave || p->bad >= s->sc.prov.leave_after))
            p->leave = any = 1;
    }
    if (!any)
        return CAIRN_OK;
    for (size_t i = 0; i < s->nuser; i++) {
        sim_user *u = &s->user[i];
        if (u->state == SIM_U_LEASED && s->prov[u->prov].leave) {
            (void)tx_u64(s, &s->prov[u->prov].kp, CAIRN_TX_LEASE_CLOSE,
                         u->lease);
            release(s, u);
        }
    }
    for (size_t j = 0; j < s->nprov; j++) {
        sim_prov *p = &s->prov[j];
        if (!p->leave || p->state != SIM_P_ACTIVE)
            continue;
        cairn_provider_info pi;
        if (cairn_chain_provider(s->chain, &p->kp.pk, &pi) == CAIRN_OK &&
            pi.self_stake)
            (void)tx_u64(s, &p->kp, CAIRN_TX_UNBOND, pi.self_stake);
        p->state = SIM_P_LEFT;
        p->leave = 0;
        s->flow.left++;
    }
    return CAIRN_OK;
}

static cairn_err joins(sim_engine *s)
{
    uint64_t active = 0, n = 0;
    for (size_t j = 0; j < s->nprov; j++)
        active += s->prov[j].state == SIM_P_ACTIVE;
    if (s->epoch == 0 && s->nprov == 0) {
        n = s->sc.prov.initial;
    } else {
        double per_cpu = s->exp_cpu_tokens;
        if (active == 0 && s->have_last)
            per_cpu = (double)s->last.emitted / UNITS *
                      (double)s->weight_compute / 10000.0 /
                      (double)s->sc.prov.cpus;
        double hurdle = 1.0 + (double)s->sc.prov.hurdle_bps / 10000.0;
        if (per_cpu * s->price > s->sc.prov.cost_usd * hurdle) {
            n = active * s->sc.prov.join_bps / 10000;
            n = n ? n : 1;
        }
    }
    if (active + n > s->sc.prov.max)
        n = s->sc.prov.max > active ? s->sc.prov.max - active : 0;
    for (uint64_t k = 0; k < n; k++) {
        cairn_err e = prov_add(s);
        if (e == CAIRN_ERR_NOMEM)
            return e; /* a refused purchase is counted as a drop */
    }
    return CAIRN_OK;
}

static cairn_err users0(sim_engine *s)
{
    double target =
        s->users_target < s->users_max ? s->users_target : s->users_max;
    for (int k = 0; k < NEW_USERS_MAX && (double)s->nuser + 1 <= target; k++) {
        cairn_err e = user_add(s);
        if (e)
            return e;
    }
    uint64_t fee = s->min_fee;
    for (size_t i = 0; i < s->nuser; i++) {
        sim_user *u = &s->user[i];
        u->act = 0;
        if (u->state == SIM_U_LEASED) {
            u->want = want_cpus(s, u);
            if (u->want == 0) {
                (void)tx_u64(s, &u->kp, CAIRN_TX_LEASE_CLOSE, u->lease);
                release(s, u);
            } else if (u->escrow < 2 * u->price) {
                u->deposit = s->sc.users.prepay_epochs * u->price;
                u->act = 2;
                (void)buy(s, i, &u->kp.pk, u->deposit + 2 * fee);
            }
        } else if (u->state == SIM_U_IDLE) {
            u->want = want_cpus(s, u);
            if (u->want == 0)
                continue;
            uint64_t mp = to_units(u->budget * (double)u->want / s->price);
            if (mp < s->floor_per_core * u->want || mp == 0)
                continue; /* cannot pay even the floor */
            u->max_price = mp;
            u->escrow = s->sc.users.prepay_epochs * mp;
            u->act = 1;
            (void)buy(s, i, &u->kp.pk, u->escrow + 3 * fee);
        }
    }
    if (s->sc.market.credits_usd > 0)
        (void)buy(s, 1, &s->buyer.pk,
                  to_units(s->sc.market.credits_usd / s->price) + 2 * fee);
    return CAIRN_OK;
}

static cairn_err phase0(sim_engine *s)
{
    cairn_err e;
    post_price(s);
    shocks(s);
    if ((e = leaves(s)) || (e = joins(s)))
        return e;
    return users0(s);
}

/* ---- phase 1 ---- */

static void votes(sim_engine *s)
{
    cairn_gov_info gi[64];
    size_t n;
    uint64_t after = 0, id = 0;
    while (cairn_chain_gov_proposals(s->chain, after, gi, 64, &n) == CAIRN_OK &&
           n) {
        after = gi[n - 1].id;
        for (size_t i = 0; i < n; i++)
            if (gi[i].status == CAIRN_GOV_OPEN)
                id = gi[i].id;
        if (n < 64)
            break;
    }
    s->pending_proposal = 0;
    if (!id)
        return;
    for (size_t j = 0; j < s->nprov; j++) {
        sim_prov *p = &s->prov[j];
        if (p->state != SIM_P_ACTIVE || p->joined == s->epoch)
            continue;
        cairn_gov_vote v = {id, sim_rand01(s) * 10000.0 < s->pending_yes_bps
                                    ? CAIRN_VOTE_YES
                                    : CAIRN_VOTE_NO};
        cairn_buf b;
        cairn_buf_init(&b, 16);
        cairn_gov_vote_encode(&b, &v);
        (void)sim_submit(s, &p->kp, CAIRN_TX_VOTE, &b);
        cairn_buf_free(&b);
    }
}

static void registers(sim_engine *s)
{
    for (size_t j = 0; j < s->nprov; j++) {
        sim_prov *p = &s->prov[j];
        if (p->state != SIM_P_ACTIVE || p->joined != s->epoch)
            continue;
        cairn_register r = {CAIRN_SECTOR_COMPUTE, 0, s->sc.prov.stake,
                            "sim://provider"};
        cairn_compute_offer o = {(uint32_t)p->cpus, (uint32_t)p->cpus * 2048,
                                 (uint32_t)p->cpus * 10240};
        cairn_buf b;
        cairn_buf_init(&b, 256);
        cairn_register_encode(&b, &r);
        (void)sim_submit(s, &p->kp, CAIRN_TX_REGISTER, &b);
        cairn_buf_reset(&b);
        cairn_compute_offer_encode(&b, &o);
        (void)sim_submit(s, &p->kp, CAIRN_TX_COMPUTE_OFFER, &b);
        cairn_buf_free(&b);
    }
}

static void orders(sim_engine *s)
{
    cairn_buf b;
    cairn_buf_init(&b, 256);
    for (size_t i = 0; i < s->nuser; i++) {
        sim_user *u = &s->user[i];
        cairn_buf_reset(&b);
        if (u->act == 1) {
            cairn_order o;
            memset(&o, 0, sizeof o);
            cairn_hash_bytes(&o.manifest, &i, sizeof i);
            o.cpus = (uint32_t)u->want;
            o.mem_mib = (uint32_t)u->want * 1024;
            o.disk_mib = (uint32_t)u->want * 1024;
            o.max_price = u->max_price;
            o.max_epochs = s->max_epochs;
            o.escrow = u->escrow;
            o.bid_blocks = 2;
            cairn_order_encode(&b, &o);
            if (sim_submit(s, &u->kp, CAIRN_TX_ORDER_OPEN, &b) == CAIRN_OK)
                u->state = SIM_U_ORDER;
        } else if (u->act == 2) {
            cairn_lease_deposit_encode(&b, u->lease, u->deposit);
            if (sim_submit(s, &u->kp, CAIRN_TX_LEASE_DEPOSIT, &b) == CAIRN_OK)
                u->escrow += u->deposit;
        }
        u->act = 0;
    }
    cairn_buf_free(&b);
}

static void credits(sim_engine *s)
{
    cairn_price_info pi;
    if (s->sc.market.credits_usd <= 0 ||
        cairn_chain_price(s->chain, &pi) != CAIRN_OK || !pi.has_price)
        return;
    uint64_t have = spendable(s, &s->buyer.pk);
    uint64_t n = have > 2 * s->min_fee ? (have - 2 * s->min_fee) / pi.price : 0;
    if (!n)
        return;
    cairn_buf b;
    cairn_buf_init(&b, 16);
    cairn_buy_credits_encode(&b, n);
    (void)sim_submit(s, &s->buyer, CAIRN_TX_BUY_CREDITS, &b);
    cairn_buf_free(&b);
}

/* ---- phase 2: bids ---- */

/* The id of u's newest order, if it is open (0 otherwise). */
static uint64_t find_order(sim_engine *s, sim_user *u)
{
    static cairn_lease_info l[CAIRN_LEASES_MAX];
    uint64_t after = u->last_id, id = 0;
    size_t n;
    int more = 1;
    while (more &&
           cairn_chain_leases(s->chain, CAIRN_LEASES_TENANT, &u->kp.pk, after,
                              l, CAIRN_LEASES_MAX, &n, &more) == CAIRN_OK &&
           n) {
        after = l[n - 1].id;
        if (l[n - 1].state == CAIRN_LEASE_OPEN)
            id = l[n - 1].id;
    }
    u->last_id = after;
    return id;
}

static cairn_err bids(sim_engine *s)
{
    size_t na = 0, bpo = s->sc.prov.bids_per_order;
    uint32_t *act = malloc((s->nprov + 1) * sizeof *act);
    if (!act)
        return CAIRN_ERR_NOMEM;
    for (size_t j = 0; j < s->nprov; j++) {
        s->prov[j].nbids = 0;
        if (s->prov[j].state == SIM_P_ACTIVE)
            act[na++] = (uint32_t)j;
    }
    cairn_buf b;
    cairn_buf_init(&b, 64);
    for (size_t i = 0; i < s->nuser; i++) {
        sim_user *u = &s->user[i];
        if (u->state != SIM_U_ORDER)
            continue;
        u->bids = 0;
        u->lease = find_order(s, u);
        if (!u->lease) {
            u->state = SIM_U_IDLE;
            continue;
        }
        uint32_t *bl = &s->bidders[i * bpo];
        for (size_t t = 0; na && t < 4 * bpo && u->bids < bpo; t++) {
            uint32_t j = act[sim_rand(s) % na];
            sim_prov *p = &s->prov[j];
            int dup = 0;
            for (uint32_t k = 0; k < u->bids; k++)
                dup |= bl[k] == j;
            uint64_t price = ask(s, p, u->want);
            /* its bid deposits: it holds bid_deposit × cpus for them */
            if (dup || p->cpus - p->used < u->want || price > u->max_price ||
                p->nbids >= p->cpus)
                continue;
            cairn_bid bid = {u->lease, price};
            cairn_buf_reset(&b);
            cairn_bid_encode(&b, &bid);
            if (sim_submit(s, &p->kp, CAIRN_TX_BID, &b) != CAIRN_OK)
                continue;
            bl[u->bids++] = j;
            p->nbids++;
        }
    }
    cairn_buf_free(&b);
    free(act);
    return CAIRN_OK;
}

/* ---- phase 3: leases, claims and sales ---- */

static void leases(sim_engine *s)
{
    static cairn_bid_info bi[256];
    size_t bpo = s->sc.prov.bids_per_order, n;
    cairn_buf b;
    cairn_buf_init(&b, 64);
    for (size_t i = 0; i < s->nuser; i++) {
        sim_user *u = &s->user[i];
        if (u->state != SIM_U_ORDER)
            continue;
        uint32_t *bl = &s->bidders[i * bpo];
        if (cairn_chain_bids(s->chain, u->lease, bi, 256, &n) != CAIRN_OK)
            n = 0;
        /* the cheapest bid (the first in key order among equals) whose
         * provider still has the cores: bids reserve nothing on chain */
        int best = -1;
        uint32_t win = UINT32_MAX;
        for (size_t k = 0; k < n; k++) {
            uint32_t j = UINT32_MAX;
            for (uint32_t q = 0; q < u->bids; q++)
                if (!memcmp(s->prov[bl[q]].kp.pk.b, bi[k].provider.b, 32))
                    j = bl[q];
            if (j == UINT32_MAX || s->prov[j].cpus - s->prov[j].used < u->want)
                continue;
            if (best < 0 || bi[k].price < bi[best].price) {
                best = (int)k;
                win = j;
            }
        }
        u->state = SIM_U_IDLE;
        if (win == UINT32_MAX)
            continue; /* no bid: the order expires, its escrow returns */
        cairn_buf_reset(&b);
        cairn_lease_create_encode(&b, u->lease, &bi[best].provider);
        if (sim_submit(s, &u->kp, CAIRN_TX_LEASE_CREATE, &b) != CAIRN_OK)
            continue;
        u->state = SIM_U_LEASED;
        u->prov = win;
        u->price = bi[best].price;
        u->cpus = u->want;
        u->paid_seen = 0;
        s->prov[win].used += u->want;
        s->prov[win].nleases++;
    }
    cairn_buf_free(&b);
}

static void sales(sim_engine *s)
{
    uint64_t keep = 5 * 1000000;
    for (size_t j = 0; j < s->nprov; j++) {
        sim_prov *p = &s->prov[j];
        cairn_provider_info pi;
        if (p->state != SIM_P_ACTIVE || p->joined == s->epoch ||
            cairn_chain_provider(s->chain, &p->kp.pk, &pi) != CAIRN_OK)
            continue;
        if (pi.reward) {
            cairn_buf b;
            cairn_buf_init(&b, 64);
            cairn_claim_encode(&b, &p->kp.pk);
            if (sim_submit(s, &p->kp, CAIRN_TX_CLAIM, &b) != CAIRN_OK)
                pi.reward = 0;
            cairn_buf_free(&b);
        }
        uint64_t have = spendable(s, &p->kp.pk) + pi.reward;
        uint64_t reserve = keep + s->bid_deposit * p->cpus;
        uint64_t sell = to_units(p->cost * (double)p->cpus / s->price);
        if (have <= reserve)
            continue;
        if (sell > have - reserve)
            sell = have - reserve;
        if (sell && sim_transfer(s, &p->kp, &exch(s, j)->pk, sell) == CAIRN_OK)
            s->flow.sell_tokens += (double)sell / UNITS;
    }
}

/* ---- phase 4: reports ---- */

static cairn_err reports(sim_engine *s)
{
    size_t np = s->nprov, total = 0;
    size_t *start = calloc(np + 1, sizeof *start);
    uint64_t *ids = NULL;
    if (!start)
        return CAIRN_ERR_NOMEM;
    for (size_t i = 0; i < s->nuser; i++)
        if (s->user[i].state == SIM_U_LEASED) {
            start[s->user[i].prov + 1]++;
            total++;
        }
    for (size_t j = 0; j < np; j++)
        start[j + 1] += start[j];
    ids = malloc((total + 1) * sizeof *ids);
    size_t *fill = calloc(np + 1, sizeof *fill);
    if (!ids || !fill) {
        free(start);
        free(ids);
        free(fill);
        return CAIRN_ERR_NOMEM;
    }
    for (size_t i = 0; i < s->nuser; i++)
        if (s->user[i].state == SIM_U_LEASED) {
            uint32_t j = s->user[i].prov;
            ids[start[j] + fill[j]++] = s->user[i].lease;
        }
    cairn_report_entry e[CAIRN_REPORT_MAX];
    cairn_buf b;
    cairn_buf_init(&b, 2048);
    for (size_t j = 0; j < np; j++) {
        size_t n = 0;
        for (size_t k = start[j]; k < start[j + 1]; k++) {
            e[n++] = (cairn_report_entry){ids[k], CAIRN_WORK_RUNNING, 0};
            if (n == CAIRN_REPORT_MAX || k + 1 == start[j + 1]) {
                cairn_buf_reset(&b);
                cairn_report_encode(&b, e, n);
                (void)sim_submit(s, &s->prov[j].kp, CAIRN_TX_LEASE_REPORT, &b);
                n = 0;
            }
        }
    }
    cairn_buf_free(&b);
    free(start);
    free(fill);
    free(ids);
    return CAIRN_OK;
}

/* ---- the epoch ---- */

cairn_err sim_agents_start(sim_engine *s)
{
    s->price = s->sc.market.price_usd;
    s->users_target = (double)s->sc.users.initial;
    s->users_max = (double)s->sc.users.max;
    return CAIRN_OK;
}

cairn_err sim_phase(sim_engine *s, int phase)
{
    switch (phase) {
    case 0:
        return phase0(s);
    case 1:
        if (s->pending_proposal == UINT64_MAX)
            votes(s);
        registers(s);
        orders(s);
        credits(s);
        return CAIRN_OK;
    case 2:
        return bids(s);
    case 3:
        leases(s);
        sales(s);
        return CAIRN_OK;
    default:
        return reports(s);
    }
}

/* Reads what the leases paid and what the providers earned in epoch m,
 * then moves the market: price_{t+1} = price_t × (1 + k × (buy − sell) /
 * circulating), the change clamped to ±max_move, the price floored. */
cairn_err sim_epoch_end(sim_engine *s, const cairn_epoch_metrics *m)
{
    cairn_lease_info l;
    double fee_share = (double)s->fee_provider_bps / 10000.0;
    double sum_price = 0, n_leased = 0;
    for (size_t i = 0; i < s->nuser; i++) {
        sim_user *u = &s->user[i];
        if (u->state != SIM_U_LEASED ||
            cairn_chain_lease(s->chain, u->lease, &l) != CAIRN_OK)
            continue;
        if (l.paid > u->paid_seen)
            s->prov[u->prov].income +=
                (double)(l.paid - u->paid_seen) / UNITS * fee_share;
        u->paid_seen = l.paid;
        u->escrow = l.escrow;
        if (l.state == CAIRN_LEASE_CLOSED) {
            release(s, u);
            continue;
        }
        sum_price += (double)u->price / (double)u->cpus;
        n_leased += 1;
    }
    double inc = 0, cpus = 0;
    for (size_t j = 0; j < s->nprov; j++) {
        sim_prov *p = &s->prov[j];
        cairn_reward rw;
        size_t n;
        int more;
        uint64_t next;
        if (p->state != SIM_P_ACTIVE)
            continue;
        if (cairn_chain_provider_rewards(s->chain, &p->kp.pk, m->epoch,
                                         m->epoch, &rw, 1, &n, &more,
                                         &next) == CAIRN_OK &&
            n)
            p->income += (double)rw.provider_part / UNITS;
        double profit = p->income * s->price - p->cost * (double)p->cpus;
        s->flow.profit_usd += profit;
        if (p->joined < m->epoch)
            p->bad = profit < 0 ? p->bad + 1 : 0;
        inc += p->income;
        cpus += (double)p->cpus;
        p->income = 0;
    }
    s->exp_cpu_tokens = cpus > 0 ? inc / cpus : 0;
    if (n_leased > 0)
        s->mkt_cpu_usd = sum_price / n_leased / UNITS * s->price;
    double circ = (double)m->circulating / UNITS;
    if (circ > 0) {
        double k = (double)s->sc.market.k_bps / 10000.0;
        double mv = (double)s->sc.market.max_move_bps / 10000.0;
        double d = k * (s->flow.buy_tokens - s->flow.sell_tokens) / circ;
        d = d > mv ? mv : (d < -mv ? -mv : d);
        s->price *= 1.0 + d;
        if (s->price < s->sc.market.min_price_usd)
            s->price = s->sc.market.min_price_usd;
    }
    s->users_target *= 1.0 + (double)s->sc.users.growth_bps / 10000.0;
    return CAIRN_OK;
}
