/* The etcd client's calls: each builds its JSON request (keys and values
 * in base64, int64s as strings), sends it with etcd_call (etcd.c) and
 * parses the answer (etcd_json.c). */
#include <stdlib.h>
#include <string.h>

#include "net/etcd_internal.h"

/* Refuses, before sending, a request whose keys and values total over
 * etcd's request bound. */
static cairn_err check_size(cairn_etcd *e, size_t total)
{
    if (total <= CAIRN_ETCD_MAX_REQUEST)
        return CAIRN_OK;
    etcd_set_err(e,
                 "etcd request of %zu bytes of keys and values is over the "
                 "%zu-byte bound (etcd's --max-request-bytes); not sent",
                 total, CAIRN_ETCD_MAX_REQUEST);
    return CAIRN_ERR_TOO_LARGE;
}

/* a + b, stopping just past the request bound (no overflow). */
static size_t add_sat(size_t a, size_t b)
{
    size_t over = CAIRN_ETCD_MAX_REQUEST + 1;
    return a >= over || b >= over - a ? over : a + b;
}

/* Sets o[name] to base64 of p[0..n); 0 when out of memory. */
static int set_b64(json_t *o, const char *name, const uint8_t *p, size_t n)
{
    return json_object_set_new(o, name, etcd_json_b64(p, n)) == 0;
}

static int set_key(json_t *o, const char *name, const char *key)
{
    return set_b64(o, name, (const uint8_t *)key, strlen(key));
}

/* Sets o[name] = "v" (int64 as a string); 0 when out of memory. */
static int set_i64(json_t *o, const char *name, int64_t v)
{
    return json_object_set_new(o, name, etcd_json_i64(v)) == 0;
}

cairn_err cairn_etcd_lease_grant(cairn_etcd *e, uint32_t ttl_s, int64_t *lease)
{
    *lease = 0;
    if (!e || ttl_s == 0)
        return CAIRN_ERR_BAD_ARG;
    json_t *req = json_object();
    if (req && json_object_set_new(req, "TTL", json_integer(ttl_s))) {
        json_decref(req);
        req = NULL;
    }
    cairn_err r = etcd_call(e, "/v3/lease/grant", req);
    int64_t ttl;
    if (!r && etcd_parse_lease_answer(e->buf, e->len, 0, lease, &ttl)) {
        etcd_set_err(e, "etcd's lease grant answer is malformed");
        r = CAIRN_ERR_BAD_JSON;
    }
    return r;
}

/* {"ID":"lease"}: the body of keepalive and revoke. */
static json_t *lease_req(int64_t lease)
{
    json_t *req = json_object();
    if (req && !set_i64(req, "ID", lease)) {
        json_decref(req);
        return NULL;
    }
    return req;
}

cairn_err cairn_etcd_lease_keepalive(cairn_etcd *e, int64_t lease, int64_t *ttl)
{
    *ttl = 0;
    if (!e || lease <= 0)
        return CAIRN_ERR_BAD_ARG;
    cairn_err r = etcd_call(e, "/v3/lease/keepalive", lease_req(lease));
    int64_t id;
    char msg[256];
    int code;
    if (r || !etcd_parse_lease_answer(e->buf, e->len, 1, &id, ttl))
        return r;
    /* the stream's error arrives in a 200 answer */
    if (!etcd_parse_error_answer(e->buf, e->len, msg, sizeof msg, &code)) {
        etcd_set_err(e, "etcd lease keepalive: %s", msg);
        return strstr(msg, "timed out") ? CAIRN_ERR_TIMEOUT : CAIRN_ERR_HTTP;
    }
    etcd_set_err(e, "etcd's lease keepalive answer is malformed");
    return CAIRN_ERR_BAD_JSON;
}

cairn_err cairn_etcd_lease_revoke(cairn_etcd *e, int64_t lease)
{
    if (!e || lease <= 0)
        return CAIRN_ERR_BAD_ARG;
    cairn_err r = etcd_call(e, "/v3/lease/revoke", lease_req(lease));
    if (r == CAIRN_ERR_HTTP && strstr(e->err, "requested lease not found")) {
        e->err[0] = 0;
        return CAIRN_OK; /* already gone: what was asked */
    }
    return r;
}

cairn_err cairn_etcd_range(cairn_etcd *e, const char *key, const char *end,
                           size_t limit, cairn_etcd_kv **kvs, size_t *n,
                           int64_t *rev)
{
    *kvs = NULL;
    *n = 0;
    *rev = 0;
    if (!e || !key || !*key || (end && !*end) || limit > INT64_MAX)
        return CAIRN_ERR_BAD_ARG;
    cairn_err r = check_size(e, strlen(key) + (end ? strlen(end) : 0));
    if (r)
        return r;
    json_t *req = json_object();
    int ok = req && set_key(req, "key", key);
    if (ok && end)
        ok = set_key(req, "range_end", end);
    if (ok && limit)
        ok = set_i64(req, "limit", (int64_t)limit);
    if (!ok) {
        json_decref(req);
        req = NULL;
    }
    r = etcd_call(e, "/v3/kv/range", req);
    if (!r && (r = etcd_parse_range_answer(e->buf, e->len, kvs, n, rev)))
        etcd_set_err(e, "etcd's range answer is malformed");
    return r;
}

/* {"key","value"[,"lease"]}: a put request (alone or in a txn). */
static json_t *put_req(const char *key, const uint8_t *v, size_t n,
                       int64_t lease)
{
    json_t *req = json_object();
    int ok = req && set_key(req, "key", key) && set_b64(req, "value", v, n);
    if (ok && lease)
        ok = set_i64(req, "lease", lease);
    if (!ok) {
        json_decref(req);
        return NULL;
    }
    return req;
}

cairn_err cairn_etcd_put(cairn_etcd *e, const char *key, const uint8_t *v,
                         size_t n, int64_t lease)
{
    if (!e || !key || !*key || (!v && n) || lease < 0)
        return CAIRN_ERR_BAD_ARG;
    cairn_err r = check_size(e, add_sat(strlen(key), n));
    if (r)
        return r;
    return etcd_call(e, "/v3/kv/put", put_req(key, v, n, lease));
}

/* One compare as the gateway takes it; NULL when out of memory. */
static json_t *cmp_json(const cairn_etcd_cmp *c)
{
    static const char *const targets[] = {"CREATE", "MOD", "VERSION", "VALUE"};
    static const char *const fields[] = {"create_revision", "mod_revision",
                                         "version", "value"};
    static const char *const results[] = {"EQUAL", "NOT_EQUAL", "GREATER",
                                          "LESS"};
    json_t *o = json_object();
    int ok =
        o && set_key(o, "key", c->key) &&
        json_object_set_new(o, "target", json_string(targets[c->target])) ==
            0 &&
        json_object_set_new(o, "result", json_string(results[c->result])) == 0;
    if (ok)
        ok = c->target == CAIRN_ETCD_VALUE
                 ? set_b64(o, fields[c->target], c->val, c->vlen)
                 : set_i64(o, fields[c->target], c->num);
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* One op as the gateway takes it ({"request_put":{..}}, ...). */
static json_t *op_json(const cairn_etcd_op *op)
{
    json_t *inner;
    const char *name;
    if (op->op == CAIRN_ETCD_PUT) {
        inner = put_req(op->key, op->val, op->vlen, op->lease);
        name = "request_put";
    } else {
        inner = json_object();
        if (inner && !set_key(inner, "key", op->key)) {
            json_decref(inner);
            inner = NULL;
        }
        name =
            op->op == CAIRN_ETCD_GET ? "request_range" : "request_delete_range";
    }
    json_t *o = inner ? json_object() : NULL;
    if (!o || json_object_set_new(o, name, inner)) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* The request's keys and values in bytes (stopping just past the bound);
 * SIZE_MAX when an argument is invalid (unknown target/result/op, a
 * missing key or value). */
static size_t txn_size(const cairn_etcd_cmp *c, size_t nc,
                       const cairn_etcd_op *ops, size_t nops)
{
    size_t t = 0;
    for (size_t i = 0; i < nc; i++) {
        if (c[i].target < CAIRN_ETCD_CREATE || c[i].target > CAIRN_ETCD_VALUE ||
            c[i].result < 0 || c[i].result > CAIRN_ETCD_LESS || !c[i].key ||
            !*c[i].key || (!c[i].val && c[i].vlen))
            return SIZE_MAX;
        t = add_sat(t, add_sat(strlen(c[i].key), c[i].vlen));
    }
    for (size_t i = 0; i < nops; i++) {
        if (ops[i].op < CAIRN_ETCD_PUT || ops[i].op > CAIRN_ETCD_DEL ||
            !ops[i].key || !*ops[i].key || (!ops[i].val && ops[i].vlen) ||
            ops[i].lease < 0)
            return SIZE_MAX;
        t = add_sat(t, add_sat(strlen(ops[i].key), ops[i].vlen));
    }
    return t;
}

/* A JSON array of the ops; NULL when out of memory. */
static json_t *ops_json(const cairn_etcd_op *ops, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++)
        if (json_array_append_new(a, op_json(&ops[i]))) {
            json_decref(a);
            a = NULL;
        }
    return a;
}

/* The txn request: {"compare":[..],"success":[..],"failure":[..]}. */
static json_t *txn_req(const cairn_etcd_cmp *c, size_t nc,
                       const cairn_etcd_op *ok, size_t nok,
                       const cairn_etcd_op *fail, size_t nfail)
{
    json_t *cmps = json_array();
    for (size_t i = 0; cmps && i < nc; i++)
        if (json_array_append_new(cmps, cmp_json(&c[i]))) {
            json_decref(cmps);
            cmps = NULL;
        }
    json_t *req = json_object();
    if (!req || json_object_set_new(req, "compare", cmps) ||
        json_object_set_new(req, "success", ops_json(ok, nok)) ||
        json_object_set_new(req, "failure", ops_json(fail, nfail))) {
        json_decref(req);
        return NULL;
    }
    return req;
}

cairn_err cairn_etcd_txn(cairn_etcd *e, const cairn_etcd_cmp *c, size_t nc,
                         const cairn_etcd_op *ok, size_t nok,
                         const cairn_etcd_op *fail, size_t nfail,
                         cairn_etcd_txn_res *res)
{
    memset(res, 0, sizeof *res);
    if (!e || (!c && nc) || (!ok && nok) || (!fail && nfail) || nc > 128 ||
        nok > 128 || nfail > 128)
        return CAIRN_ERR_BAD_ARG;
    size_t a = txn_size(c, nc, ok, nok), b = txn_size(NULL, 0, fail, nfail);
    if (a == SIZE_MAX || b == SIZE_MAX)
        return CAIRN_ERR_BAD_ARG;
    cairn_err r = check_size(e, add_sat(a, b));
    if (r)
        return r;
    r = etcd_call(e, "/v3/kv/txn", txn_req(c, nc, ok, nok, fail, nfail));
    if (!r && (r = etcd_parse_txn_answer(e->buf, e->len, res)))
        etcd_set_err(e, "etcd's txn answer is malformed");
    return r;
}

cairn_err cairn_etcd_prefix_end(const char *prefix, char *out, size_t cap)
{
    size_t n = prefix ? strlen(prefix) : 0;
    while (n && (unsigned char)prefix[n - 1] == 0xff)
        n--;
    if (n == 0)
        return CAIRN_ERR_BAD_ARG;
    if (n + 1 > cap)
        return CAIRN_ERR_TOO_LARGE;
    memcpy(out, prefix, n);
    out[n - 1] = (char)((unsigned char)out[n - 1] + 1);
    out[n] = 0;
    return CAIRN_OK;
}
