/* The HTTP/JSON API (docs/api.md): routing and replies. */
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include "cairn/parse.h"
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

int api_parse_num(const char *s, uint64_t *v)
{
    return cairn_parse_u64_max(s, CAIRN_JSON_SAFE_MAX, v) ? -1 : 0;
}

const char *api_query_get(struct evkeyvalq *kv, const char *query,
                          const char *name, int *bad)
{
    if (!query)
        return NULL;
    if (!TAILQ_FIRST(kv) && evhttp_parse_query_str(query, kv)) {
        *bad = 1;
        return NULL;
    }
    return evhttp_find_header(kv, name);
}

void api_reply(httpd_req *req, int status, json_t *body)
{
    char *s = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    if (!s) {
        static const char oom[] =
            "{\"error\":\"nomem\",\"code\":1,"
            "\"message\":\"the node is out of memory\"}\n";
        httpd_reply(req, 500, "application/json", oom, sizeof oom - 1);
        return;
    }
    size_t n = strlen(s);
    s[n] = '\n'; /* json_dumps' NUL becomes the reply's last line end */
    httpd_reply(req, status, "application/json", s, n + 1);
    free(s);
}

void api_error(httpd_req *req, int status, cairn_err e, const char *detail)
{
    json_t *o = json_object();
    json_object_set_new(o, "error", json_string(cairn_errname(e)));
    json_object_set_new(o, "code", json_integer(e));
    json_object_set_new(o, "message",
                        json_string(detail ? detail : cairn_strerror(e)));
    api_reply(req, status ? status : api_status_of(e), o);
}

/* Offers the request to each sector's routes; 1 when one answered. */
static int sector_route(node *n, httpd_req *req, const char *path,
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
static void route(httpd_req *req, void *arg)
{
    node *n = arg;
    const struct evhttp_uri *uri = httpd_req_uri(req);
    const char *path = uri ? evhttp_uri_get_path(uri) : NULL;
    http_method cmd = httpd_req_method(req);
    if (!path) {
        api_error(req, 400, CAIRN_ERR_BAD_ARG, "malformed request URI");
        return;
    }
    if (n->stopping) {
        api_error(req, 503, CAIRN_ERR_IO, "the node is stopping");
        return;
    }
    if (strcmp(path, "/v1/txs") == 0) {
        if (cmd != HTTP_POST)
            api_error(req, 405, CAIRN_ERR_BAD_ARG,
                      "use POST to submit transactions");
        else
            api_submit_batch(n, req);
        return;
    }
    if (strcmp(path, "/v1/tx") == 0) {
        if (cmd != HTTP_POST)
            api_error(req, 405, CAIRN_ERR_BAD_ARG,
                      "use POST to submit a transaction");
        else
            api_submit(n, req);
        return;
    }
    if (strncmp(path, "/v1/", 4) != 0 && strcmp(path, "/metrics") != 0) {
        api_web(n, req, path); /* api_web.c: the dashboard's files */
        return;
    }
    if (cmd != HTTP_GET) {
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
    else if (strcmp(path, "/v1/sequencers") == 0)
        api_sequencers(n, req); /* api_seq.c */
    else if (api_econ_route(n, req, path, q))
        return; /* api_econ.c: proposals, credits, price, metrics */
    else if (api_staking_route(n, req, path, q))
        return; /* api_staking.c: providers, delegations, unbonding */
    else if (!sector_route(n, req, path, q))
        api_error(req, 404, CAIRN_ERR_NOT_FOUND,
                  "no such endpoint; see docs/api.md");
}

/* The HTTP server's own refusals (malformed, too large, too slow), in the
 * API's error format. */
static void refuse(httpd_req *req, int status, const char *why, void *arg)
{
    cairn_err e = status == 413 || status == 431 ? CAIRN_ERR_TOO_LARGE
                  : status == 408                ? CAIRN_ERR_TIMEOUT
                  : status == 503                ? CAIRN_ERR_IO
                                                 : CAIRN_ERR_BAD_ARG;
    api_error(req, status, e, why);
}

static void http_log(void *arg, const char *msg)
{
    node_log(arg, 1, "%s", msg);
}

cairn_err api_start(node *n, const char *host, int port, size_t max_conns)
{
    const httpd_limits lim = {
        .max_conns = max_conns,
        .max_head = NODE_MAX_HEAD,
        .max_body = NODE_MAX_BODY,
        .max_body_total = NODE_MAX_BODIES,
        .request_ms = NODE_REQUEST_MS,
        .idle_ms = NODE_IDLE_MS,
        .write_ms = NODE_WRITE_MS,
    };
    const httpd_hooks hooks = {route, refuse, http_log, n};
    if (!(n->http = httpd_new(n->base, &lim, &hooks)))
        return CAIRN_ERR_NOMEM;
    return httpd_listen(n->http, host, port);
}
