/* The wireless sector's epoch end and reward payment (docs/wireless-
 * chain.md, "Verdicts", "Closed groups", "Rewards"):
 *
 * wl_end_epoch(e), at the last block of e: every beacon's witness records
 * (key order) are judged with poc_check_beacon against the beacon receipt
 * (none: NOT_REPORTED; off schedule: OFF_SCHEDULE); units per beacon and
 * witness from the valid count; each hotspot's density scale (HIP-17);
 * the closed-group cap over the valid witness edges of the last
 * wireless_group_epochs epochs (union-find over the sorted hotspot list);
 * the final units per hotspot (tag 0x73), work reported to the economy,
 * the epoch's totals (tag 0x75), and records older than
 * wireless_keep_epochs pruned.
 *
 * wl_pay_emission(e, share): three pools (beacons, witnesses, data) by the
 * bps params, each split by poc_split (largest remainder); a pool nobody
 * earned moves to the others (unused data 20/80 to beacons/witnesses as
 * Helium); the data pool pays at most the value of the credits carried
 * (Σ dc × the price feed's price: Helium's HIP-10), the excess going 20/80
 * to beacons/witnesses, so that fake traffic bought with one's own credits
 * never earns more than it burned; Σ paid == share whenever anyone earned
 * PoC units, else what data earns. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/amount.h"
#include "cairn/econ_math.h"
#include "core/bytes.h"
#include "econ/credits.h"
#include "econ/staking.h"
#include "ledger/view.h"
#include "sectors/wireless/wl.h"

const char *wl_verdict_name(uint8_t v)
{
    /* stable snake_case names for JSON (poc_reason_name's are prose) */
    static const char *const names[WL_V_COUNT] = {
        [POC_OK] = "ok",
        [POC_PAYLOAD_MISMATCH] = "payload_mismatch",
        [POC_EARLY] = "early",
        [POC_LATE] = "late",
        [POC_FREQ_OFF] = "freq_off",
        [POC_SELF_WITNESS] = "self_witness",
        [POC_TOO_CLOSE] = "too_close",
        [POC_TOO_FAR] = "too_far",
        [POC_RSSI_IMPOSSIBLE] = "rssi_impossible",
        [POC_SNR_RANGE] = "snr_range",
        [POC_OVER_CAP] = "over_cap",
        [WL_V_NOT_REPORTED] = "not_reported",
        [WL_V_OFF_SCHEDULE] = "beacon_off_schedule",
    };
    if (v < WL_V_COUNT && names[v])
        return names[v];
    return v == WL_V_PENDING ? "pending" : "unknown";
}

void wl_verdict_format(const wl_witness *w, char *buf, size_t cap)
{
    if (w->verdict < POC_REASON_COUNT) {
        poc_result r = {(poc_reason)w->verdict, w->value, w->limit};
        if (w->verdict == POC_OK && w->appealed)
            snprintf(buf, cap, "valid (on appeal)");
        else
            poc_result_format(&r, buf, cap);
    } else if (w->verdict == WL_V_NOT_REPORTED) {
        snprintf(buf, cap,
                 "beacon never reported on chain (appealable with the "
                 "payload heard)");
    } else if (w->verdict == WL_V_OFF_SCHEDULE) {
        snprintf(buf, cap,
                 "beacon off schedule (sent outside its slot "
                 "window)");
    } else if (w->verdict == WL_V_PENDING) {
        snprintf(buf, cap, "pending (judged at the end of the epoch)");
    } else {
        snprintf(buf, cap, "unknown verdict %u", (unsigned)w->verdict);
    }
}

/* ---- end of epoch ---- */

typedef struct ep {
    exec_ctx *x;
    const wl_params *P;
    uint64_t epoch;
    wl_hotspot *h; /* every hotspot, sorted by key */
    size_t nh;
    uint64_t *braw, *wraw; /* raw units per hotspot */
    wl_totals *t;
} ep;

/* Judges the n witness records (keys k[i]) of one beacon. */
static cairn_err judge_beacon(ep *c, const cairn_pubkey *beaconer,
                              uint8_t (*keys)[42], wl_witness *w, size_t n)
{
    wl_beacon b;
    poc_witness_in *in = NULL;
    poc_result *res = NULL;
    uint32_t n_valid = 0;
    int have_b;
    size_t ib = wl_hotspot_find(c->h, c->nh, beaconer);
    cairn_err e = wl_beacon_read(c->x->w->txn, c->x->s, c->epoch, beaconer, &b);
    if (e && e != CAIRN_ERR_NOT_FOUND)
        return e;
    have_b = !e;
    e = CAIRN_OK;
    if (ib == c->nh)
        return CAIRN_ERR_DB; /* reports name asserted hotspots only */
    if (have_b && b.verdict == WL_B_OK) {
        if (!(in = calloc(n, sizeof *in)) || !(res = calloc(n, sizeof *res)))
            e = CAIRN_ERR_NOMEM;
        for (size_t i = 0; !e && i < n; i++) {
            size_t iw = wl_hotspot_find(c->h, c->nh, &w[i].witness);
            if (iw == c->nh)
                e = CAIRN_ERR_DB;
            else
                e = wl_witness_input(&c->h[ib], &c->h[iw], &b.payload_hash,
                                     b.time_ms, b.freq_hz, &w[i], &in[i]);
        }
        if (!e)
            e = poc_check_beacon(&c->P->poc, in, n, res, &n_valid);
    }
    uint64_t wu = poc_witness_units(&c->P->poc, n_valid);
    for (size_t i = 0; !e && i < n; i++) {
        uint8_t v[WL_WITNESS_LEN];
        if (res) {
            w[i].verdict = (uint8_t)res[i].reason;
            w[i].value = res[i].value;
            w[i].limit = res[i].limit;
        } else {
            w[i].verdict = have_b ? WL_V_OFF_SCHEDULE : WL_V_NOT_REPORTED;
            w[i].value = w[i].limit = 0;
        }
        w[i].units = w[i].verdict == POC_OK ? wu : 0;
        c->t->reason[w[i].verdict]++;
        if (w[i].verdict == POC_OK) {
            c->t->witnesses_valid++;
            c->wraw[wl_hotspot_find(c->h, c->nh, &w[i].witness)] += wu;
        } else {
            c->t->witnesses_invalid++;
        }
        wl_witness_encode(v, &w[i]);
        e = state_put(c->x->w, c->x->s, WL_STATE_WITNESS, keys[i] + 1, 41, v,
                      sizeof v);
    }
    if (!e && have_b && b.verdict == WL_B_OK) {
        b.n_valid = n_valid;
        b.units = poc_beacon_units(&c->P->poc, n_valid);
        c->braw[ib] += b.units;
        e = wl_beacon_put(c->x, c->epoch, beaconer, &b);
    }
    free(in);
    free(res);
    return e;
}

typedef struct wrec {
    uint8_t k[42];
    wl_witness w;
} wrec;

typedef struct wrecs {
    wrec *r;
    size_t n, cap;
} wrecs;

static cairn_err visit_wrec(void *arg, const uint8_t *k, size_t kn,
                            const uint8_t *v, size_t vn)
{
    wrecs *l = arg;
    if (kn != 42)
        return CAIRN_ERR_DB;
    cairn_err e = grow_array((void **)&l->r, &l->cap, l->n, sizeof *l->r, 64);
    if (!e && !(e = wl_witness_decode(&l->r[l->n].w, v, vn))) {
        memcpy(l->r[l->n].k, k, 42);
        l->n++;
    }
    return e;
}

/* Every witness record of epoch e (key order) into l. */
static cairn_err epoch_witnesses(exec_ctx *x, uint64_t e, wrecs *l)
{
    uint8_t p[9] = {WL_STATE_WITNESS};
    cairn_be64_put(p + 1, e);
    return wl_scan_prefix(x->w->txn, x->s, p, 9, visit_wrec, l);
}

static cairn_err judge_all(ep *c)
{
    wrecs l = {0};
    uint8_t(*keys)[42] = NULL;
    wl_witness *w = NULL;
    cairn_err e = epoch_witnesses(c->x, c->epoch, &l);
    if (!e && l.n &&
        (!(keys = malloc(l.n * sizeof *keys)) ||
         !(w = malloc(l.n * sizeof *w))))
        e = CAIRN_ERR_NOMEM;
    for (size_t i = 0; !e && i < l.n;) {
        size_t j = i, m = 0;
        cairn_pubkey b;
        memcpy(b.b, l.r[i].k + 9, 32);
        while (j < l.n && memcmp(l.r[j].k + 9, b.b, 32) == 0) {
            memcpy(keys[m], l.r[j].k, 42);
            w[m++] = l.r[j].w;
            j++;
        }
        e = judge_beacon(c, &b, keys, w, m);
        i = j;
    }
    free(l.r);
    free(keys);
    free(w);
    return e;
}

/* Beacon receipts of the epoch: counted. */
static cairn_err visit_beacon_count(void *arg, const uint8_t *k, size_t kn,
                                    const uint8_t *v, size_t vn)
{
    wl_totals *t = arg;
    wl_beacon b;
    (void)k;
    (void)kn;
    cairn_err e = wl_beacon_decode(&b, v, vn);
    if (!e) {
        t->beacons++;
        if (b.verdict != WL_B_OK)
            t->beacons_off++;
    }
    return e;
}

/* ---- closed groups: union-find over sorted indices ---- */

static size_t uf_find(size_t *par, size_t i)
{
    while (par[i] != i) {
        par[i] = par[par[i]];
        i = par[i];
    }
    return i;
}

static void uf_union(size_t *par, size_t *size, size_t a, size_t b)
{
    a = uf_find(par, a);
    b = uf_find(par, b);
    if (a == b)
        return;
    if (size[a] < size[b] || (size[a] == size[b] && a > b)) {
        size_t t = a;
        a = b;
        b = t;
    }
    par[b] = a;
    size[a] += size[b];
}

/* comp[i] = the size of hotspot i's group over the valid witness edges of
 * epochs e - L + 1 .. e. */
static cairn_err groups(ep *c, size_t *comp)
{
    size_t *par = malloc((c->nh + 1) * sizeof *par);
    cairn_err e = CAIRN_OK;
    if (!par)
        return CAIRN_ERR_NOMEM;
    for (size_t i = 0; i < c->nh; i++) {
        par[i] = i;
        comp[i] = 1;
    }
    uint64_t first = c->epoch + 1 >= c->P->group_epochs
                         ? c->epoch + 1 - c->P->group_epochs
                         : 0;
    for (uint64_t ep_i = first; !e && ep_i <= c->epoch; ep_i++) {
        wrecs l = {0};
        e = epoch_witnesses(c->x, ep_i, &l);
        for (size_t i = 0; !e && i < l.n; i++) {
            cairn_pubkey b;
            if (l.r[i].w.verdict != POC_OK)
                continue;
            memcpy(b.b, l.r[i].k + 9, 32);
            size_t a = wl_hotspot_find(c->h, c->nh, &b);
            size_t z = wl_hotspot_find(c->h, c->nh, &l.r[i].w.witness);
            if (a < c->nh && z < c->nh)
                uf_union(par, comp, a, z);
        }
        free(l.r);
    }
    size_t *root = malloc((c->nh + 1) * sizeof *root);
    if (!e && !root)
        e = CAIRN_ERR_NOMEM;
    for (size_t i = 0; !e && i < c->nh; i++)
        root[i] = uf_find(par, i);
    for (size_t i = 0; !e && i < c->nh; i++)
        par[i] = comp[root[i]]; /* sizes are kept at the roots */
    for (size_t i = 0; !e && i < c->nh; i++)
        comp[i] = par[i];
    free(root);
    free(par);
    return e;
}

static uint64_t mul_div(uint64_t a, uint64_t b, uint64_t d)
{
    return d ? (uint64_t)((unsigned __int128)a * b / d) : 0;
}

/* A registered, unjailed wireless provider earns; others do not. */
static int may_earn(exec_ctx *x, const cairn_pubkey *pk, uint64_t epoch)
{
    econ_provider p;
    if (econ_provider_read(x->w->txn, x->s, pk, &p))
        return 0;
    return p.sector == CAIRN_SECTOR_WIRELESS && !econ_is_jailed(&p, epoch);
}

/* Final units per hotspot, work reports. */
static cairn_err settle_units(ep *c)
{
    uint64_t *scale = calloc(c->nh + 1, sizeof *scale);
    size_t *comp = calloc(c->nh + 1, sizeof *comp);
    cairn_err e = CAIRN_OK;
    if (!scale || !comp)
        e = CAIRN_ERR_NOMEM;
    if (!e)
        e = wl_density(c->P->hip17, c->h, c->nh, scale);
    if (!e)
        e = groups(c, comp);
    for (size_t i = 0; !e && i < c->nh; i++) {
        wl_units u;
        const cairn_pubkey *pk = &c->h[i].pk;
        if ((e = wl_units_read(c->x->w->txn, c->x->s, c->epoch, pk, &u)))
            break;
        uint64_t b = c->braw[i], w = c->wraw[i] + u.appeal_raw;
        if (!b && !w && !u.appeal_raw)
            continue;
        u.scale = scale[i];
        u.capped = comp[i] <= c->P->group_max;
        uint64_t cap = u.capped ? c->P->group_cap_bps : CAIRN_BPS;
        if (!may_earn(c->x, pk, c->epoch))
            cap = 0;
        u.beacon = mul_div(mul_div(b, scale[i], POC_ONE), cap, CAIRN_BPS);
        u.witness = mul_div(mul_div(w, scale[i], POC_ONE), cap, CAIRN_BPS);
        u.appeal_raw = 0;
        if ((e = wl_units_put(c->x, c->epoch, pk, &u)))
            break;
        if (u.beacon || u.witness) {
            c->t->hotspots_paid++;
            /* work in milli-units (1000 = one beacon or witness unit) */
            e = econ_add_work(c->x, pk, (u.beacon + u.witness) / 1000000);
            if (e == CAIRN_ERR_NOT_PROVIDER)
                e = CAIRN_OK;
        }
        if (u.capped && (u.beacon || u.witness || b || w))
            c->t->hotspots_capped++;
    }
    free(scale);
    free(comp);
    return e;
}

/* ---- pruning ---- */

typedef struct klist {
    uint8_t (*k)[STATE_KEY_MAX];
    size_t *len;
    size_t n, cap, cap2;
    uint64_t before;
} klist;

static cairn_err visit_old(void *arg, const uint8_t *k, size_t kn,
                           const uint8_t *v, size_t vn)
{
    klist *l = arg;
    (void)v;
    (void)vn;
    if (kn < 9 || kn > STATE_KEY_MAX)
        return CAIRN_ERR_DB;
    if (cairn_be64_get(k + 1) >= l->before)
        return STATE_SCAN_STOP; /* epoch-first keys: the rest is newer */
    size_t c1 = l->cap, c2 = l->cap2;
    cairn_err e = grow_array((void **)&l->k, &c1, l->n, sizeof *l->k, 64);
    if (!e)
        e = grow_array((void **)&l->len, &c2, l->n, sizeof *l->len, 64);
    l->cap = c1;
    l->cap2 = c2;
    if (!e) {
        memcpy(l->k[l->n], k, kn);
        l->len[l->n++] = kn;
    }
    return e;
}

static cairn_err prune(exec_ctx *x, uint64_t before)
{
    static const uint8_t tags[] = {WL_STATE_BEACON, WL_STATE_WITNESS,
                                   WL_STATE_UNITS, WL_STATE_TOTALS};
    cairn_err e = CAIRN_OK;
    for (size_t t = 0; !e && t < sizeof tags; t++) {
        klist l = {.before = before};
        e = state_scan(x->w->txn, x->s, tags[t], visit_old, &l);
        for (size_t i = 0; !e && i < l.n; i++)
            e = state_del_raw(x->w, x->s, l.k[i], l.len[i]);
        free(l.k);
        free(l.len);
    }
    return e;
}

/* Data units (tag 0x7A) of the epoch: reported as work too. */
static cairn_err visit_data_work(void *arg, const uint8_t *k, size_t kn,
                                 const uint8_t *v, size_t vn)
{
    exec_ctx *x = arg;
    cairn_pubkey pk;
    if (kn != 41 || vn != 8)
        return CAIRN_ERR_DB;
    memcpy(pk.b, k + 9, 32);
    uint64_t dc = cairn_le64_get(v);
    cairn_err e = dc ? econ_add_work(x, &pk, dc) : CAIRN_OK;
    return e == CAIRN_ERR_NOT_PROVIDER ? CAIRN_OK : e;
}

/* The sector's end_epoch (sector.c) calls wdata_end_epoch after this; that
 * keeps tag 0x7A of `epoch` (wl_pay_emission reads it in this block's
 * settlement, after this hook). */
cairn_err wl_end_epoch(exec_ctx *x, uint64_t epoch)
{
    wl_params P;
    wl_totals t;
    econ_global g;
    ep c = {.x = x, .P = &P, .epoch = epoch, .t = &t};
    uint8_t k[9];
    memset(&t, 0, sizeof t);
    cairn_err e = wl_params_read(x->w->txn, x->s, &P);
    if (e || (e = econ_global_get(x->w->txn, x->s, &g)))
        return e;
    t.start_height = g.start_height;
    if ((e = wl_hotspots_all(x->w->txn, x->s, &c.h, &c.nh)))
        return e;
    if (!c.nh) /* no hotspot ever: nothing to judge, no record to write */
        return CAIRN_OK;
    if ((e = chain_epoch_seed(x->w->txn, x->s, g.start_height, &t.seed))) {
        free(c.h);
        return e == CAIRN_ERR_NOT_FOUND ? CAIRN_ERR_DB : e;
    }
    if (!(c.braw = calloc(c.nh + 1, sizeof *c.braw)) ||
        !(c.wraw = calloc(c.nh + 1, sizeof *c.wraw)))
        e = CAIRN_ERR_NOMEM;
    k[0] = WL_STATE_BEACON;
    cairn_be64_put(k + 1, epoch);
    if (!e)
        e = wl_scan_prefix(x->w->txn, x->s, k, 9, visit_beacon_count, &t);
    if (!e)
        e = judge_all(&c);
    if (!e)
        e = settle_units(&c);
    k[0] = WL_STATE_DATA_UNITS;
    if (!e)
        e = wl_scan_prefix(x->w->txn, x->s, k, 9, visit_data_work, x);
    if (!e) {
        uint8_t tk[8], tv[WL_TOTALS_LEN];
        cairn_be64_put(tk, epoch);
        wl_totals_encode(tv, &t);
        e = state_put(x->w, x->s, WL_STATE_TOTALS, tk, 8, tv, sizeof tv);
    }
    if (!e && epoch + 1 > P.keep_epochs)
        e = prune(x, epoch + 1 - P.keep_epochs);
    free(c.h);
    free(c.braw);
    free(c.wraw);
    return e;
}

/* ---- rewards ---- */

typedef struct payee {
    cairn_pubkey pk;
    uint64_t b, w, d;
} payee;

typedef struct payees {
    payee *p;
    size_t n, cap;
} payees;

/* Finds or appends pk (entries arrive in key order per tag; the data tag
 * may add hotspots without PoC units, kept sorted by insertion). */
static cairn_err payee_at(payees *l, const cairn_pubkey *pk, payee **out)
{
    size_t lo = 0, hi = l->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = memcmp(l->p[mid].pk.b, pk->b, 32);
        if (c == 0) {
            *out = &l->p[mid];
            return CAIRN_OK;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    cairn_err e = grow_array((void **)&l->p, &l->cap, l->n, sizeof *l->p, 16);
    if (e)
        return e;
    memmove(&l->p[lo + 1], &l->p[lo], (l->n - lo) * sizeof *l->p);
    memset(&l->p[lo], 0, sizeof *l->p);
    l->p[lo].pk = *pk;
    l->n++;
    *out = &l->p[lo];
    return CAIRN_OK;
}

static cairn_err visit_units_pay(void *arg, const uint8_t *k, size_t kn,
                                 const uint8_t *v, size_t vn)
{
    payees *l = arg;
    wl_units u;
    payee *p;
    cairn_pubkey pk;
    if (kn != 41)
        return CAIRN_ERR_DB;
    cairn_err e = wl_units_decode(&u, v, vn);
    if (e || (!u.beacon && !u.witness))
        return e;
    memcpy(pk.b, k + 9, 32);
    if (!(e = payee_at(l, &pk, &p))) {
        p->b = u.beacon;
        p->w = u.witness;
    }
    return e;
}

typedef struct data_pay {
    payees *l;
    exec_ctx *x;
    uint64_t epoch;
} data_pay;

static cairn_err visit_data_pay(void *arg, const uint8_t *k, size_t kn,
                                const uint8_t *v, size_t vn)
{
    data_pay *d = arg;
    payee *p;
    cairn_pubkey pk;
    if (kn != 41 || vn != 8)
        return CAIRN_ERR_DB;
    uint64_t dc = cairn_le64_get(v);
    memcpy(pk.b, k + 9, 32);
    if (!dc || !may_earn(d->x, &pk, d->epoch))
        return CAIRN_OK;
    cairn_err e = payee_at(d->l, &pk, &p);
    if (!e)
        p->d = dc;
    return e;
}

/* Splits pot among l by field f (0 beacon, 1 witness, 2 data) and credits
 * it; *out the amount paid. */
static cairn_err pay_pool(exec_ctx *x, payees *l, int f, uint64_t pot,
                          uint64_t *out)
{
    uint64_t *u = NULL, *sc = NULL, *got = NULL, unpaid = 0;
    cairn_err e = CAIRN_OK;
    *out = 0;
    if (!pot || !l->n)
        return CAIRN_OK;
    if (!(u = malloc(l->n * sizeof *u)) || !(sc = malloc(l->n * sizeof *sc)) ||
        !(got = calloc(l->n, sizeof *got)))
        e = CAIRN_ERR_NOMEM;
    for (size_t i = 0; !e && i < l->n; i++) {
        u[i] = f == 0 ? l->p[i].b : f == 1 ? l->p[i].w : l->p[i].d;
        sc[i] = POC_ONE;
    }
    if (!e)
        e = poc_split(pot, u, sc, l->n, got, &unpaid);
    for (size_t i = 0; !e && i < l->n; i++)
        if (got[i] && !(e = econ_credit(x, &l->p[i].pk, got[i])))
            *out += got[i];
    free(u);
    free(sc);
    free(got);
    return e;
}

cairn_err wl_pay_emission(exec_ctx *x, uint64_t epoch, uint64_t share,
                          uint64_t *paid)
{
    wl_params P;
    payees l = {0};
    uint8_t k[9];
    uint64_t tb = 0, tw = 0, td = 0, pb, pw, pd, sum, got;
    *paid = 0;
    uint64_t price;
    cairn_err e = wl_params_read(x->w->txn, x->s, &P);
    if (!e)
        e = econ_price_get(x->w->txn, x->s, &price);
    if (e)
        return e;
    k[0] = WL_STATE_UNITS;
    cairn_be64_put(k + 1, epoch);
    e = wl_scan_prefix(x->w->txn, x->s, k, 9, visit_units_pay, &l);
    k[0] = WL_STATE_DATA_UNITS;
    data_pay dp = {&l, x, epoch};
    if (!e)
        e = wl_scan_prefix(x->w->txn, x->s, k, 9, visit_data_pay, &dp);
    for (size_t i = 0; !e && i < l.n; i++) {
        if (tb > UINT64_MAX - l.p[i].b || tw > UINT64_MAX - l.p[i].w ||
            td > UINT64_MAX - l.p[i].d)
            e = CAIRN_ERR_OVERFLOW;
        tb += l.p[i].b;
        tw += l.p[i].w;
        td += l.p[i].d;
    }
    sum = P.beacon_bps + P.witness_bps + P.data_bps;
    if (e || !sum || (!tb && !tw && !td)) {
        free(l.p);
        return e;
    }
    pb = mul_div(share, P.beacon_bps, sum);
    pd = mul_div(share, P.data_bps, sum);
    pw = share - pb - pd;
    if (td) { /* HIP-10: data pays at most the value of the credits burned */
        unsigned __int128 v = (unsigned __int128)td * price;
        uint64_t value = v > UINT64_MAX ? UINT64_MAX : (uint64_t)v;
        if (pd > value) { /* the excess goes 20/80 to beacons/witnesses */
            uint64_t ex = pd - value, to_b = ex / 5;
            pb += to_b;
            pw += ex - to_b;
            pd = value;
        }
    }
    if (!td) { /* unused data pool: 20/80 to beacons/witnesses */
        uint64_t to_b = pd / 5;
        pb += to_b;
        pw += pd - to_b;
        pd = 0;
    }
    if (!tb) { /* a pool nobody earned goes to the others */
        if (tw)
            pw += pb;
        else
            pd += pb;
        pb = 0;
    }
    if (!tw) {
        if (tb)
            pb += pw;
        else
            pd += pw;
        pw = 0;
    }
    if (!(e = pay_pool(x, &l, 0, pb, &got)))
        *paid += got;
    if (!e && !(e = pay_pool(x, &l, 1, pw, &got)))
        *paid += got;
    if (!e && !(e = pay_pool(x, &l, 2, pd, &got)))
        *paid += got;
    free(l.p);
    return e;
}
