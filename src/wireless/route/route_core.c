/* The router's core (route.h): devices, MIC and frame-counter checks,
 * joins, receipts, the credit bound and the persisted counters. */
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/codec.h"
#include "core/durable.h"
#include "wireless/route/route.h"

#define STATE_MAX (64u << 20)

static cairn_err hex_u64(const char *s, uint64_t *v)
{
    uint8_t b[8];
    if (!s || strlen(s) != 16 || cairn_hex_decode(b, 8, s, 16))
        return CAIRN_ERR_BAD_JSON;
    *v = 0;
    for (int i = 0; i < 8; i++)
        *v = *v << 8 | b[i];
    return CAIRN_OK;
}

static cairn_err hex_u32(const char *s, uint32_t *v)
{
    uint8_t b[4];
    if (!s || strlen(s) != 8 || cairn_hex_decode(b, 4, s, 8))
        return CAIRN_ERR_BAD_JSON;
    *v = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 |
         b[3];
    return CAIRN_OK;
}

static cairn_err hex_key(const char *s, uint8_t k[LORA_KEY_LEN])
{
    if (!s || strlen(s) != 2 * LORA_KEY_LEN ||
        cairn_hex_decode(k, LORA_KEY_LEN, s, 2 * LORA_KEY_LEN))
        return CAIRN_ERR_BAD_JSON;
    return CAIRN_OK;
}

static void fmt_u64(char out[17], uint64_t v)
{
    snprintf(out, 17, "%016llx", (unsigned long long)v);
}

static void fmt_u32(char out[9], uint32_t v)
{
    snprintf(out, 9, "%08x", (unsigned)v);
}

cairn_err rt_load_devices(rt_router *r, const char *path, char *why,
                          size_t whylen)
{
    json_error_t je;
    json_t *a = json_load_file(path, 0, &je);
    if (!a) {
        snprintf(why, whylen, "%s: line %d: %s", path, je.line, je.text);
        return CAIRN_ERR_BAD_JSON;
    }
    cairn_err e = CAIRN_OK;
    if (!json_is_array(a) || json_array_size(a) > RT_DEVICES_MAX) {
        snprintf(why, whylen, "%s: not a JSON array of at most %d devices",
                 path, RT_DEVICES_MAX);
        json_decref(a);
        return CAIRN_ERR_BAD_JSON;
    }
    r->ndev = json_array_size(a);
    r->dev = calloc(r->ndev ? r->ndev : 1, sizeof *r->dev);
    if (!r->dev) {
        json_decref(a);
        return CAIRN_ERR_NOMEM;
    }
    for (size_t i = 0; !e && i < r->ndev; i++) {
        json_t *o = json_array_get(a, i);
        rt_device *d = &r->dev[i];
        const char *eui = json_string_value(json_object_get(o, "dev_eui"));
        if (eui) {
            d->otaa = 1;
            e = hex_u64(eui, &d->dev_eui);
            if (!e)
                e = hex_u64(json_string_value(json_object_get(o, "join_eui")),
                            &d->join_eui);
            if (!e)
                e = hex_key(json_string_value(json_object_get(o, "app_key")),
                            d->app_key);
        } else {
            d->active = 1;
            e = hex_u32(json_string_value(json_object_get(o, "dev_addr")),
                        &d->dev_addr);
            if (!e)
                e = hex_key(json_string_value(json_object_get(o, "nwk_skey")),
                            d->nwk_skey);
        }
        if (e)
            snprintf(why, whylen,
                     "%s: device %zu: give \"dev_eui\", \"join_eui\" (16 hex) "
                     "and \"app_key\" (32 hex), or \"dev_addr\" (8 hex) and "
                     "\"nwk_skey\" (32 hex)",
                     path, i);
        for (size_t j = 0; !e && j < i; j++)
            if ((d->otaa && r->dev[j].otaa &&
                 r->dev[j].dev_eui == d->dev_eui) ||
                (!d->otaa && !r->dev[j].otaa &&
                 r->dev[j].dev_addr == d->dev_addr)) {
                snprintf(why, whylen, "%s: device %zu appears twice", path, i);
                e = CAIRN_ERR_BAD_JSON;
            }
    }
    json_decref(a);
    return e;
}

/* ---- persisted state ---- */

static rt_device *by_eui(rt_router *r, uint64_t eui)
{
    for (size_t i = 0; i < r->ndev; i++)
        if (r->dev[i].otaa && r->dev[i].dev_eui == eui)
            return &r->dev[i];
    return NULL;
}

static rt_device *by_abp(rt_router *r, uint32_t addr)
{
    for (size_t i = 0; i < r->ndev; i++)
        if (!r->dev[i].otaa && r->dev[i].dev_addr == addr)
            return &r->dev[i];
    return NULL;
}

static rt_device *by_addr(rt_router *r, uint32_t addr)
{
    for (size_t i = 0; i < r->ndev; i++)
        if (r->dev[i].active && r->dev[i].dev_addr == addr)
            return &r->dev[i];
    return NULL;
}

cairn_err rt_state_load(rt_router *r)
{
    unsigned char *buf;
    size_t n;
    if (!r->state_path[0])
        return CAIRN_OK;
    cairn_err e = cairn_read_small(r->state_path, STATE_MAX, &buf, &n);
    if (e == CAIRN_ERR_NOT_FOUND)
        return CAIRN_OK;
    if (e)
        return e;
    json_t *o = json_loadb((const char *)buf, n, 0, NULL), *a;
    free(buf);
    if (!json_is_object(o)) {
        json_decref(o);
        return CAIRN_ERR_BAD_JSON;
    }
    r->join_nonce =
        (uint32_t)json_integer_value(json_object_get(o, "join_nonce"));
    size_t i;
    json_t *v;
    a = json_object_get(o, "devices");
    json_array_foreach(a, i, v)
    {
        rt_device *d = NULL;
        uint64_t eui;
        uint32_t addr;
        const char *s = json_string_value(json_object_get(v, "dev_eui"));
        if (s && !hex_u64(s, &eui))
            d = by_eui(r, eui);
        else if (!hex_u32(json_string_value(json_object_get(v, "abp_addr")),
                          &addr))
            d = by_abp(r, addr);
        if (!d)
            continue; /* a device no longer in the devices file */
        json_t *f = json_object_get(v, "fcnt"),
               *dn = json_object_get(v, "dev_nonce");
        if (json_is_integer(f)) {
            d->has_fcnt = 1;
            d->fcnt = (uint16_t)json_integer_value(f);
        }
        if (json_is_integer(dn)) {
            d->has_nonce = 1;
            d->dev_nonce = (uint16_t)json_integer_value(dn);
        }
        if (d->otaa &&
            !hex_u32(json_string_value(json_object_get(v, "dev_addr")),
                     &addr) &&
            !hex_key(json_string_value(json_object_get(v, "nwk_skey")),
                     d->nwk_skey)) {
            d->active = 1;
            d->dev_addr = addr;
        }
    }
    a = json_object_get(o, "spent");
    json_array_foreach(a, i, v)
    {
        uint64_t ep = (uint64_t)json_integer_value(json_array_get(v, 0));
        uint64_t dc = (uint64_t)json_integer_value(json_array_get(v, 1));
        r->spent_epoch[ep % RT_SPENT_SLOTS] = ep;
        r->spent_dc[ep % RT_SPENT_SLOTS] = dc;
    }
    json_decref(o);
    return CAIRN_OK;
}

cairn_err rt_state_save(const rt_router *r)
{
    char h[33], a8[9], e16[17];
    if (!r->state_path[0])
        return CAIRN_OK;
    json_t *o = json_object(), *devs = json_array(), *spent = json_array();
    json_object_set_new(o, "join_nonce", json_integer(r->join_nonce));
    for (size_t i = 0; i < r->ndev; i++) {
        const rt_device *d = &r->dev[i];
        if (!d->has_fcnt && !d->has_nonce && !(d->otaa && d->active))
            continue;
        json_t *v = json_object();
        if (d->otaa) {
            fmt_u64(e16, d->dev_eui);
            json_object_set_new(v, "dev_eui", json_string(e16));
            if (d->active) {
                fmt_u32(a8, d->dev_addr);
                cairn_hex_encode(h, d->nwk_skey, LORA_KEY_LEN);
                json_object_set_new(v, "dev_addr", json_string(a8));
                json_object_set_new(v, "nwk_skey", json_string(h));
            }
        } else {
            fmt_u32(a8, d->dev_addr);
            json_object_set_new(v, "abp_addr", json_string(a8));
        }
        if (d->has_fcnt)
            json_object_set_new(v, "fcnt", json_integer(d->fcnt));
        if (d->has_nonce)
            json_object_set_new(v, "dev_nonce", json_integer(d->dev_nonce));
        json_array_append_new(devs, v);
    }
    for (size_t i = 0; i < RT_SPENT_SLOTS; i++)
        if (r->spent_dc[i]) {
            json_t *p = json_array();
            json_array_append_new(p,
                                  json_integer((json_int_t)r->spent_epoch[i]));
            json_array_append_new(p, json_integer((json_int_t)r->spent_dc[i]));
            json_array_append_new(spent, p);
        }
    json_object_set_new(o, "devices", devs);
    json_object_set_new(o, "spent", spent);
    char *s = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    if (!s)
        return CAIRN_ERR_NOMEM;
    cairn_err e = cairn_write_durable(r->state_path, s, strlen(s));
    free(s);
    return e;
}

uint64_t rt_outstanding(const rt_router *r, uint64_t epoch, uint64_t window)
{
    uint64_t sum = 0;
    for (size_t i = 0; i < RT_SPENT_SLOTS; i++)
        if (r->spent_dc[i] && r->spent_epoch[i] <= epoch &&
            r->spent_epoch[i] + window >= epoch)
            sum += r->spent_dc[i];
    return sum;
}

void rt_free(rt_router *r)
{
    if (r->dev)
        sodium_memzero(r->dev, r->ndev * sizeof *r->dev);
    free(r->dev);
    r->dev = NULL;
    r->ndev = 0;
}

/* ---- one frame ---- */

static void refuse(rt_answer *a, int status, cairn_err e, const char *fmt,
                   const char *arg)
{
    a->status = status;
    a->err = e;
    if (snprintf(a->why, sizeof a->why, fmt, arg ? arg : "") < 0)
        a->why[0] = '\0'; /* a long message is cut, never lost */
}

/* A DevAddr in the router's range for a joining device: from its DevEUI,
 * probing on past addresses other devices hold. */
static uint32_t assign_addr(rt_router *r, const rt_device *d)
{
    uint8_t h[8];
    uint32_t m = cairn_route_mask(r->bits), v;
    crypto_generichash(h, sizeof h, (const uint8_t *)&d->dev_eui,
                       sizeof d->dev_eui, NULL, 0);
    memcpy(&v, h, 4);
    for (size_t tries = 0; tries <= r->ndev; tries++, v++) {
        uint32_t addr = (r->base & m) | (v & ~m);
        rt_device *o = by_addr(r, addr);
        if (!o || o == d)
            return addr;
    }
    return (r->base & m) | (v & ~m);
}

/* Signs a receipt for phy[0..n) carried by hotspot, within the credit
 * bound; fills a (status 200) or refuses. */
static int sign_receipt(rt_router *r, const cairn_pubkey *hotspot,
                        const uint8_t *phy, size_t n, rt_answer *a)
{
    cairn_packet_receipt rc = {0};
    uint64_t epoch, credits, window;
    int ok;
    pthread_mutex_lock(&r->mu);
    ok = r->chain_ok;
    epoch = r->epoch;
    credits = r->credits;
    window = r->window;
    pthread_mutex_unlock(&r->mu);
    if (!ok) {
        refuse(a, 503, CAIRN_ERR_NOT_READY,
               "the router has not read the chain yet (credits unknown)%s",
               NULL);
        return 0;
    }
    rc.dc = cairn_packet_dc(n);
    uint64_t owed = rt_outstanding(r, epoch, window);
    if (credits < owed + rc.dc) {
        r->n_no_credits++;
        char m[96];
        snprintf(m, sizeof m,
                 "%llu credits on chain, %llu signed in the "
                 "claim window, %u needed",
                 (unsigned long long)credits, (unsigned long long)owed,
                 (unsigned)rc.dc);
        refuse(a, 402, CAIRN_ERR_NO_CREDITS,
               "the router's data credits are spent (%s): buy more with "
               "cairn credits buy",
               m);
        return 0;
    }
    cairn_packet_hash(&rc.packet_hash, phy, n);
    rc.hotspot = *hotspot;
    rc.epoch = epoch;
    if (cairn_packet_receipt_sign(&rc, r->chain_id, &r->kp)) {
        refuse(a, 500, CAIRN_ERR_CHAIN_ID, "bad chain id%s", NULL);
        return 0;
    }
    uint8_t b[CAIRN_PACKET_RECEIPT_LEN];
    cairn_packet_receipt_encode(&rc, b);
    cairn_hex_encode(a->receipt, b, sizeof b);
    size_t slot = epoch % RT_SPENT_SLOTS;
    if (r->spent_epoch[slot] != epoch) {
        r->spent_epoch[slot] = epoch;
        r->spent_dc[slot] = 0;
    }
    r->spent_dc[slot] += rc.dc;
    r->dc_signed += rc.dc;
    a->dc = rc.dc;
    a->epoch = epoch;
    a->status = 200;
    a->err = CAIRN_OK;
    return 1;
}

static void remember(rt_device *d, const cairn_pubkey *hotspot,
                     const uint8_t *phy, size_t n, const rt_answer *a)
{
    d->has_last = 1;
    cairn_packet_hash(&d->last_hash, phy, n);
    d->last_hotspot = *hotspot;
    memcpy(d->last_receipt, a->receipt, sizeof d->last_receipt);
    memcpy(d->last_downlink, a->downlink, sizeof d->last_downlink);
}

/* The same packet from the same hotspot again: the same answer. */
static int retry(rt_router *r, rt_device *d, const cairn_pubkey *hotspot,
                 const uint8_t *phy, size_t n, rt_answer *a)
{
    cairn_hash h;
    if (!d->has_last)
        return 0;
    cairn_packet_hash(&h, phy, n);
    if (memcmp(h.b, d->last_hash.b, 32) != 0 ||
        memcmp(hotspot->b, d->last_hotspot.b, 32) != 0)
        return 0;
    memcpy(a->receipt, d->last_receipt, sizeof a->receipt);
    memcpy(a->downlink, d->last_downlink, sizeof a->downlink);
    a->status = 200;
    a->err = CAIRN_OK;
    a->dc = cairn_packet_dc(n);
    r->n_retries++;
    return 1;
}

static void join(rt_router *r, const cairn_pubkey *hotspot, const uint8_t *phy,
                 size_t n, const lora_join_req *j, rt_answer *a)
{
    char eui[17];
    fmt_u64(eui, j->dev_eui);
    rt_device *d = by_eui(r, j->dev_eui);
    if (!d || d->join_eui != j->join_eui) {
        r->n_bad++;
        refuse(a, 404, CAIRN_ERR_BAD_FRAME,
               "join request from DevEUI %s, which is not in the devices file "
               "(or with another JoinEUI)",
               eui);
        return;
    }
    if (lora_check_mic(phy, n, d->app_key)) {
        r->n_bad++;
        refuse(a, 400, CAIRN_ERR_BAD_FRAME,
               "join request from DevEUI %s fails its MIC (wrong AppKey?)",
               eui);
        return;
    }
    if (retry(r, d, hotspot, phy, n, a))
        return;
    if (d->has_nonce && j->dev_nonce <= d->dev_nonce) {
        r->n_replay++;
        refuse(a, 409, CAIRN_ERR_FCNT_REPLAY,
               "join request from DevEUI %s repeats an old DevNonce", eui);
        return;
    }
    if (!r->has_range) {
        refuse(a, 503, CAIRN_ERR_NO_ROUTE,
               "the router has no DevAddr range to assign from (start it "
               "with --devaddr BASE/BITS)%s",
               NULL);
        return;
    }
    if (!sign_receipt(r, hotspot, phy, n, a))
        return;
    lora_join_acc acc = {.join_nonce = (r->join_nonce + 1) & 0xFFFFFFu,
                         .net_id = RT_NET_ID};
    acc.dev_addr = assign_addr(r, d);
    uint8_t out[LORA_JOIN_ACC_LEN];
    size_t on;
    if (lora_join_acc_encode(&acc, d->app_key, out, sizeof out, &on)) {
        refuse(a, 500, CAIRN_ERR_BAD_ARG, "join accept%s", NULL);
        return;
    }
    sodium_bin2base64(a->downlink, sizeof a->downlink, out, on,
                      sodium_base64_VARIANT_ORIGINAL);
    r->join_nonce = acc.join_nonce;
    lora_derive_nwk_skey(d->nwk_skey, d->app_key, acc.join_nonce, acc.net_id,
                         j->dev_nonce);
    d->active = 1;
    d->dev_addr = acc.dev_addr;
    d->has_fcnt = 0; /* a new session counts from anew */
    d->has_nonce = 1;
    d->dev_nonce = j->dev_nonce;
    a->dev_addr = acc.dev_addr;
    remember(d, hotspot, phy, n, a);
    r->n_joins++;
}

static void uplink(rt_router *r, const cairn_pubkey *hotspot,
                   const uint8_t *phy, size_t n, const lora_uplink *u,
                   rt_answer *a)
{
    char addr[9];
    fmt_u32(addr, u->dev_addr);
    rt_device *d = by_addr(r, u->dev_addr);
    if (!d) {
        r->n_bad++;
        refuse(a, 404, CAIRN_ERR_BAD_FRAME,
               "uplink from DevAddr %s, which has no session here", addr);
        return;
    }
    if (lora_check_mic(phy, n, d->nwk_skey)) {
        r->n_bad++;
        refuse(a, 400, CAIRN_ERR_BAD_FRAME,
               "uplink from DevAddr %s fails its MIC (wrong NwkSKey?)", addr);
        return;
    }
    if (retry(r, d, hotspot, phy, n, a)) {
        a->dev_addr = u->dev_addr;
        a->fcnt = u->fcnt;
        return;
    }
    if (d->has_fcnt && u->fcnt <= d->fcnt) {
        r->n_replay++;
        refuse(a, 409, CAIRN_ERR_FCNT_REPLAY,
               "uplink from DevAddr %s repeats an old frame counter (already "
               "bought or replayed)",
               addr);
        return;
    }
    if (!sign_receipt(r, hotspot, phy, n, a))
        return;
    d->has_fcnt = 1;
    d->fcnt = u->fcnt;
    a->dev_addr = u->dev_addr;
    a->fcnt = u->fcnt;
    remember(d, hotspot, phy, n, a);
    r->n_uplinks++;
}

void rt_handle(rt_router *r, const cairn_pubkey *hotspot, const uint8_t *phy,
               size_t n, rt_answer *a)
{
    lora_frame f;
    char why[LORA_WHY_LEN];
    memset(a, 0, sizeof *a);
    if (lora_frame_decode(&f, phy, n, why, sizeof why)) {
        r->n_bad++;
        refuse(a, 400, CAIRN_ERR_BAD_FRAME, "malformed frame: %s", why);
        return;
    }
    if (f.type == LORA_JOIN_REQUEST)
        join(r, hotspot, phy, n, &f.u.jreq, a);
    else if (f.type == LORA_UP_UNCONFIRMED || f.type == LORA_UP_CONFIRMED)
        uplink(r, hotspot, phy, n, &f.u.up, a);
    else
        refuse(a, 400, CAIRN_ERR_BAD_FRAME,
               "a %s is not an uplink a router buys", lora_mtype_name(f.type));
    /* a bought frame is on disk before its receipt leaves */
    if (a->status == 200 && rt_state_save(r)) {
        memset(a->receipt, 0, sizeof a->receipt);
        refuse(a, 500, CAIRN_ERR_IO,
               "the router could not save its counters; receipt withheld%s",
               NULL);
    }
}
