/* The node API's routes endpoints (docs/api.md, docs/wireless-data.md):
 * GET /v1/wireless/routes lists every route in range order;
 * GET /v1/wireless/route/{devaddr} (8 hex digits) answers the route whose
 * range holds that address (404 no_route when none). What hotspots read to
 * find a device's router, and `cairn wireless route ls`. */
#include <stdlib.h>
#include <string.h>

#include "ledger/view.h"
#include "node/api_handlers.h"
#include "sectors/wireless/data.h"
#include "wireless/route/route.h"

static json_t *route_json(const wdata_route *r)
{
    char range[16], eui[17];
    json_t *o = json_object();
    snprintf(range, sizeof range, "%08x/%u", (unsigned)r->base,
             (unsigned)r->bits);
    json_object_set_new(o, "devaddr", json_string(range));
    json_object_set_new(o, "base", api_json_u64(r->base));
    json_object_set_new(o, "bits", api_json_u64(r->bits));
    json_object_set_new(o, "owner", api_json_addr(&r->owner));
    json_object_set_new(o, "endpoint", json_string(r->endpoint));
    if (r->join_eui) {
        snprintf(eui, sizeof eui, "%016llx", (unsigned long long)r->join_eui);
        json_object_set_new(o, "join_eui", json_string(eui));
    } else {
        json_object_set_new(o, "join_eui", json_string(""));
    }
    json_object_set_new(o, "height", api_json_u64(r->height));
    return o;
}

typedef struct list_arg {
    wdata_route *routes;
    size_t n;
} list_arg;

static cairn_err list_view(const chain_view *v, void *arg)
{
    list_arg *l = arg;
    return wdata_route_list(v->txn, v->s, &l->routes, &l->n);
}

typedef struct find_arg {
    int by_join;
    uint32_t devaddr;
    uint64_t join_eui;
    wdata_route r;
} find_arg;

static cairn_err find_view(const chain_view *v, void *arg)
{
    find_arg *f = arg;
    if (f->by_join)
        return wdata_route_by_join(v->txn, v->s, f->join_eui, &f->r);
    return wdata_route_find(v->txn, v->s, f->devaddr, &f->r);
}

static void answer_find(node *n, httpd_req *req, find_arg *f)
{
    pthread_mutex_lock(&n->lock);
    cairn_err e = chain_view_run(n->chain, find_view, f);
    pthread_mutex_unlock(&n->lock);
    if (e) {
        api_error(req, e == CAIRN_ERR_NO_ROUTE ? 404 : 0, e, NULL);
        return;
    }
    api_reply(req, 200, route_json(&f->r));
}

static void api_routes(node *n, httpd_req *req)
{
    list_arg l = {0};
    pthread_mutex_lock(&n->lock);
    cairn_err e = chain_view_run(n->chain, list_view, &l);
    pthread_mutex_unlock(&n->lock);
    if (e) {
        api_error(req, 0, e, NULL);
        return;
    }
    json_t *o = json_object(), *arr = json_array();
    for (size_t i = 0; i < l.n; i++)
        json_array_append_new(arr, route_json(&l.routes[i]));
    free(l.routes);
    json_object_set_new(o, "routes", arr);
    api_reply(req, 200, o);
}

static void api_route(node *n, httpd_req *req, const char *hex)
{
    uint8_t b[8];
    find_arg f = {0};
    if (strncmp(hex, "join/", 5) == 0) {
        hex += 5;
        if (strlen(hex) != 16 || cairn_hex_decode(b, 8, hex, 16)) {
            api_error(req, 400, CAIRN_ERR_BAD_ARG,
                      "give the JoinEUI as 16 hex digits: "
                      "/v1/wireless/route/join/70b3d57ed0000001");
            return;
        }
        f.by_join = 1;
        for (int i = 0; i < 8; i++)
            f.join_eui = f.join_eui << 8 | b[i];
        answer_find(n, req, &f);
        return;
    }
    if (strlen(hex) != 8 || cairn_hex_decode(b, 4, hex, 8)) {
        api_error(
            req, 400, CAIRN_ERR_BAD_ARG,
            "give the DevAddr as 8 hex digits: /v1/wireless/route/26011bda");
        return;
    }
    f.devaddr = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
                (uint32_t)b[2] << 8 | b[3];
    answer_find(n, req, &f);
}

int api_wireless_data_route(struct node *n, struct httpd_req *req,
                            const char *path, const char *query)
{
    (void)query;
    if (strcmp(path, "/v1/wireless/routes") == 0)
        api_routes(n, req);
    else if (strncmp(path, "/v1/wireless/route/", 19) == 0 && path[19])
        api_route(n, req, path + 19);
    else
        return 0;
    return 1;
}
