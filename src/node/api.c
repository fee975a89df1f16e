/* The HTTP/JSON API (docs/api.md): routing and replies. */
#include <event2/buffer.h>
#include <event2/keyvalq_struct.h>
#include <stdlib.h>
#include <string.h>

#include "node/api_handlers.h"
#include "sectors/registry.h"

int api_status_of(cairn_err e)
{
    switch (e) {
    case CAIRN_ERR_NOT_FOUND:
        return 404;
    case CAIRN_ERR_MEMPOOL_FULL:
        return 503;
    case CAIRN_ERR_READ_ONLY:
        return 409;
    case CAIRN_ERR_TOO_LARGE:
        return 413;
    case CAIRN_ERR_DB:
    case CAIRN_ERR_NOMEM:
    case CAIRN_ERR_IO:
        return 500;
    default:
        return 400;
    }
}

void api_reply(struct evhttp_request *req, int status, json_t *body)
{
    char *s = json_dumps(body, JSON_COMPACT);
    struct evbuffer *buf = evbuffer_new();
    json_decref(body);
    if (buf && s) {
        evbuffer_add(buf, s, strlen(s));
        evbuffer_add(buf, "\n", 1);
    }
    evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
                      "application/json");
    evhttp_send_reply(req, status, status < 300 ? "OK" : "Error", buf);
    if (buf)
        evbuffer_free(buf);
    free(s);
}

void api_error(struct evhttp_request *req, int status, cairn_err e,
               const char *detail)
{
    json_t *o = json_object();
    json_object_set_new(o, "error", json_string(cairn_errname(e)));
    json_object_set_new(o, "code", json_integer(e));
    json_object_set_new(o, "message", json_string(detail ? detail : cairn_strerror(e)));
    api_reply(req, status ? status : api_status_of(e), o);
}

/* Offers the request to each sector's routes; 1 when one answered. */
static int sector_route(node *n, struct evhttp_request *req, const char *path,
                        const char *q)
{
    size_t np;
    const cairn_sector_plugin *const *pl = cairn_plugins(&np);
    for (size_t i = 0; i < np; i++)
        if (pl[i]->api_route && pl[i]->api_route(n, req, path, q))
            return 1;
    return 0;
}

/* Routes on method and path. Paths: /v1/status, /v1/account/A[/proof],
 * /v1/block/X, /v1/blocks, /v1/tx[/H]; the economy's in api_econ.c. */
static void route(struct evhttp_request *req, void *arg)
{
    node *n = arg;
    const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
    const char *path = uri ? evhttp_uri_get_path(uri) : NULL;
    enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
    if (!path) {
        api_error(req, 400, CAIRN_ERR_BAD_ARG, "malformed request URI");
        return;
    }
    if (n->stopping) {
        api_error(req, 503, CAIRN_ERR_IO, "the node is stopping");
        return;
    }
    if (strcmp(path, "/v1/tx") == 0) {
        if (cmd != EVHTTP_REQ_POST)
            api_error(req, 405, CAIRN_ERR_BAD_ARG, "use POST to submit a transaction");
        else
            api_submit(n, req);
        return;
    }
    if (cmd != EVHTTP_REQ_GET) {
        api_error(req, 405, CAIRN_ERR_BAD_ARG, "only GET is allowed here");
        return;
    }
    const char *q = evhttp_uri_get_query(uri);
    if (strcmp(path, "/v1/status") == 0)
        api_status(n, req);
    else if (strncmp(path, "/v1/account/", 12) == 0)
        api_account(n, req, path + 12);
    else if (strncmp(path, "/v1/block/", 10) == 0)
        api_block(n, req, path + 10);
    else if (strcmp(path, "/v1/blocks") == 0)
        api_blocks(n, req, q);
    else if (strncmp(path, "/v1/tx/", 7) == 0)
        api_tx(n, req, path + 7);
    else if (api_econ_route(n, req, path, q))
        return; /* api_econ.c: proposals, credits, price, metrics */
    else if (api_staking_route(n, req, path, q))
        return; /* api_staking.c: providers, delegations, unbonding */
    else if (!sector_route(n, req, path, q))
        api_error(req, 404, CAIRN_ERR_NOT_FOUND, "no such endpoint; see docs/api.md");
}

void api_register(node *n)
{
    evhttp_set_max_body_size(n->http, NODE_MAX_BODY);
    evhttp_set_max_headers_size(n->http, 16384);
    evhttp_set_timeout(n->http, 60);
    evhttp_set_allowed_methods(n->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST);
    evhttp_set_gencb(n->http, route, n);
}
