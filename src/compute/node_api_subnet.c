/* Subnet endpoints (docs/api.md, docs/compute-verify.md "Subnets"):
 * GET /v1/compute/subnets lists them; GET /v1/compute/subnet/{name|id}
 * shows one: members, the last settled epoch's Yuma result and the
 * validators' commit-reveal status with their newest revealed rows. What
 * `cairn subnet` reads. Q32
 * values (2^32 = 1.0) come as integers, with a parts-per-million twin. */
#include <stdlib.h>
#include <string.h>

#include "cairn/parse.h"
#include "cairn/subnet.h"
#include "node/api_handlers.h"

#define MEMBERS_MAX (CAIRN_SUBNET_MAX_MINERS + CAIRN_SUBNET_MAX_VALIDATORS)

int api_subnet_route(node *n, httpd_req *req, const char *path,
                     const char *query);

static void set_u64(json_t *o, const char *name, uint64_t v)
{
    json_object_set_new(o, name, api_json_u64(v));
}

/* A Q32 value as "name" (the integer) and "name_ppm". */
static void set_q32(json_t *o, const char *name, uint32_t v)
{
    char ppm[64];
    snprintf(ppm, sizeof ppm, "%s_ppm", name);
    set_u64(o, name, v);
    set_u64(o, ppm, ((uint64_t)v * 1000000u) >> 32);
}

static json_t *epoch_or_null(uint64_t e)
{
    return e == UINT64_MAX ? json_null() : api_json_u64(e);
}

static void info_fields(json_t *o, const cairn_subnet_info *s)
{
    set_u64(o, "id", s->id);
    json_object_set_new(o, "name", json_string(s->name));
    json_object_set_new(o, "type",
                        json_string(cairn_subnet_type_name(s->type)));
    json_object_set_new(o, "owner", api_json_addr(&s->owner));
    api_json_set_amount(o, "locked", s->locked);
    set_u64(o, "created_height", s->created_height);
}

/* Counts active miners and validators of a member list. */
static void count_active(json_t *o, const cairn_subnet_member *m, size_t cnt)
{
    uint64_t mi = 0, va = 0;
    for (size_t i = 0; i < cnt; i++)
        if (m[i].active)
            m[i].role == CAIRN_ROLE_MINER ? mi++ : va++;
    set_u64(o, "miners", mi);
    set_u64(o, "validators", va);
}

static void api_subnets(node *n, httpd_req *req)
{
    cairn_subnet_info *list = calloc(CAIRN_SUBNETS_MAX, sizeof *list);
    cairn_subnet_member *mem = calloc(MEMBERS_MAX, sizeof *mem);
    json_t *arr = json_array();
    uint32_t after = 0;
    int more = 1;
    cairn_err e = list && mem ? CAIRN_OK : CAIRN_ERR_NOMEM;
    pthread_mutex_lock(&n->lock);
    while (!e && more) {
        size_t cnt = 0, nm = 0;
        e = cairn_chain_subnets(n->chain, after, list, CAIRN_SUBNETS_MAX, &cnt,
                                &more);
        for (size_t i = 0; !e && i < cnt; i++) {
            json_t *o = json_object();
            e = cairn_chain_subnet_members(n->chain, list[i].id, mem,
                                           MEMBERS_MAX, &nm);
            info_fields(o, &list[i]);
            count_active(o, mem, e ? 0 : nm);
            json_array_append_new(arr, o);
            after = list[i].id;
        }
    }
    pthread_mutex_unlock(&n->lock);
    free(list);
    free(mem);
    if (e) {
        json_decref(arr);
        api_error(req, 0, e, NULL);
        return;
    }
    json_t *o = json_object();
    json_object_set_new(o, "subnets", arr);
    api_reply(req, 200, o);
}

static json_t *members_json(const cairn_subnet_member *m, size_t cnt)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < cnt; i++) {
        json_t *o = json_object();
        set_u64(o, "uid", m[i].uid);
        json_object_set_new(o, "address", api_json_addr(&m[i].address));
        json_object_set_new(o, "role",
                            json_string(cairn_subnet_role_name(m[i].role)));
        json_object_set_new(o, "active", json_boolean(m[i].active));
        api_json_set_amount(o, "stake", m[i].stake);
        set_u64(o, "joined_epoch", m[i].joined_epoch);
        json_object_set_new(o, "unlock_epoch",
                            m[i].active ? json_null()
                                        : api_json_u64(m[i].unlock_epoch));
        json_array_append_new(arr, o);
    }
    return arr;
}

static json_t *result_json(const cairn_subnet_result *r)
{
    json_t *o = json_object(), *mi = json_array(), *va = json_array();
    set_u64(o, "epoch", r->epoch);
    api_json_set_amount(o, "emission", r->emission);
    api_json_set_amount(o, "owner_pay", r->owner_pay);
    api_json_set_amount(o, "unpaid", r->unpaid);
    for (uint16_t j = 0; j < r->miners; j++) {
        json_t *m = json_object();
        set_u64(m, "uid", j);
        set_q32(m, "consensus", r->consensus[j]);
        set_q32(m, "incentive", r->incentive[j]);
        api_json_set_amount(m, "pay", r->miner_pay[j]);
        json_array_append_new(mi, m);
    }
    for (uint16_t i = 0; i < r->validators; i++) {
        json_t *v = json_object();
        set_u64(v, "uid", i);
        set_q32(v, "dividend", r->dividend[i]);
        set_u64(v, "bond_sum", r->bond_sum[i]);
        api_json_set_amount(v, "pay", r->validator_pay[i]);
        json_array_append_new(va, v);
    }
    json_object_set_new(o, "miners", mi);
    json_object_set_new(o, "validators", va);
    return o;
}

static json_t *weights_json(const cairn_subnet_weights_status *w, size_t cnt)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < cnt; i++) {
        json_t *o = json_object();
        set_u64(o, "uid", w[i].uid);
        json_object_set_new(o, "commit_epoch",
                            epoch_or_null(w[i].commit_epoch));
        json_object_set_new(o, "reveal_epoch",
                            epoch_or_null(w[i].reveal_epoch));
        set_u64(o, "reveal_count", w[i].reveal_count);
        json_t *row = json_array();
        for (uint16_t j = 0; j < w[i].row.n; j++)
            json_array_append_new(row, json_pack("[I,I]",
                                                 (json_int_t)w[i].row.e[j].uid,
                                                 (json_int_t)w[i].row.e[j].w));
        json_object_set_new(o, "row", row);
        json_array_append_new(arr, o);
    }
    return arr;
}

/* What one subnet's page reads, under the node lock. */
typedef struct subnet_page {
    cairn_subnet_info info;
    cairn_subnet_member mem[MEMBERS_MAX];
    size_t nmem, nw;
    cairn_subnet_result res;
    int has_res;
    cairn_subnet_weights_status w[CAIRN_SUBNET_MAX_VALIDATORS];
} subnet_page;

static cairn_err read_page(cairn_chain *c, const char *ref, subnet_page *p)
{
    uint64_t id;
    cairn_err e = cairn_parse_u64(ref, &id) == CAIRN_OK && id <= UINT32_MAX
                      ? cairn_chain_subnet(c, (uint32_t)id, &p->info)
                      : cairn_chain_subnet_by_name(c, ref, &p->info);
    if (!e)
        e = cairn_chain_subnet_members(c, p->info.id, p->mem, MEMBERS_MAX,
                                       &p->nmem);
    if (!e) {
        e = cairn_chain_subnet_result(c, p->info.id, &p->res);
        p->has_res = e == CAIRN_OK;
        e = e == CAIRN_ERR_NOT_FOUND ? CAIRN_OK : e;
    }
    if (!e)
        e = cairn_chain_subnet_weights(c, p->info.id, p->w,
                                       CAIRN_SUBNET_MAX_VALIDATORS, &p->nw);
    return e;
}

static void api_subnet(node *n, httpd_req *req, const char *ref)
{
    subnet_page *p = calloc(1, sizeof *p);
    if (!p) {
        api_error(req, 500, CAIRN_ERR_NOMEM, NULL);
        return;
    }
    pthread_mutex_lock(&n->lock);
    cairn_err e = read_page(n->chain, ref, p);
    pthread_mutex_unlock(&n->lock);
    if (e) {
        free(p);
        api_error(req, e == CAIRN_ERR_NO_SUBNET ? 404 : 0, e, NULL);
        return;
    }
    json_t *o = json_object();
    info_fields(o, &p->info);
    count_active(o, p->mem, p->nmem);
    json_object_set_new(o, "members", members_json(p->mem, p->nmem));
    json_object_set_new(o, "last_epoch",
                        p->has_res ? result_json(&p->res) : json_null());
    json_object_set_new(o, "weights", weights_json(p->w, p->nw));
    free(p);
    api_reply(req, 200, o);
}

int api_subnet_route(node *n, httpd_req *req, const char *path,
                     const char *query)
{
    (void)query;
    if (strcmp(path, "/v1/compute/subnets") == 0)
        api_subnets(n, req);
    else if (strncmp(path, "/v1/compute/subnet/", 19) == 0 && path[19])
        api_subnet(n, req, path + 19);
    else
        return 0;
    return 1;
}
