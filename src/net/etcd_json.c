/* The etcd client's JSON: parsers of the gateway's answers (untrusted
 * bytes: bounded, every field checked, fuzzed by tests/fuzz/
 * fuzz_etcd_json.c) and the base64/int64 pieces of requests. */
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/parse.h"
#include "net/etcd_internal.h"

json_t *etcd_json_b64(const uint8_t *p, size_t n)
{
    size_t cap = sodium_base64_encoded_len(n, sodium_base64_VARIANT_ORIGINAL);
    char *s = malloc(cap);
    if (!s)
        return NULL;
    sodium_bin2base64(s, cap, n ? p : (const uint8_t *)"", n,
                      sodium_base64_VARIANT_ORIGINAL);
    json_t *j = json_stringn_nocheck(s, cap - 1);
    free(s);
    return j;
}

json_t *etcd_json_i64(int64_t v)
{
    char s[24];
    snprintf(s, sizeof s, "%" PRId64, v);
    return json_string(s);
}

/* Loads the body as a JSON object; NULL when it is not one. A new
 * reference. */
static json_t *load_obj(const uint8_t *p, size_t n)
{
    json_error_t jerr;
    json_t *j = json_loadb((const char *)p, n, JSON_REJECT_DUPLICATES, &jerr);
    if (j && !json_is_object(j)) {
        json_decref(j);
        return NULL;
    }
    return j;
}

/* An unsigned field that the gateway writes as a decimal string (or, for
 * small values, a number); absent or null is 0. */
static cairn_err get_u64(const json_t *o, const char *name, uint64_t max,
                         uint64_t *out)
{
    const json_t *v = json_object_get(o, name);
    *out = 0;
    if (!v || json_is_null(v))
        return CAIRN_OK;
    if (json_is_integer(v)) {
        json_int_t i = json_integer_value(v);
        if (i < 0 || (uint64_t)i > max)
            return CAIRN_ERR_BAD_JSON;
        *out = (uint64_t)i;
        return CAIRN_OK;
    }
    if (!json_is_string(v))
        return CAIRN_ERR_BAD_JSON;
    if (cairn_parse_u64_n(json_string_value(v), json_string_length(v), max,
                          out))
        return CAIRN_ERR_BAD_JSON;
    return CAIRN_OK;
}

/* A signed int64 field: as get_u64, with an optional leading '-'. */
static cairn_err get_i64(const json_t *o, const char *name, int64_t *out)
{
    const json_t *v = json_object_get(o, name);
    uint64_t u;
    *out = 0;
    if (json_is_integer(v)) {
        *out = json_integer_value(v);
        return CAIRN_OK;
    }
    if (json_is_string(v) && json_string_length(v) > 1 &&
        json_string_value(v)[0] == '-') {
        if (cairn_parse_u64_n(json_string_value(v) + 1,
                              json_string_length(v) - 1, INT64_MAX, &u))
            return CAIRN_ERR_BAD_JSON;
        *out = -(int64_t)u;
        return CAIRN_OK;
    }
    cairn_err r = get_u64(o, name, INT64_MAX, &u);
    if (!r)
        *out = (int64_t)u;
    return r;
}

/* Decodes a base64 field (absent = empty) into a new NUL-terminated
 * buffer *out of *len bytes, which the caller frees. */
static cairn_err get_b64(const json_t *o, const char *name, uint8_t **out,
                         size_t *len)
{
    const json_t *v = json_object_get(o, name);
    *out = NULL;
    *len = 0;
    if (v && !json_is_string(v))
        return CAIRN_ERR_BAD_JSON;
    const char *s = v ? json_string_value(v) : "";
    size_t sl = v ? json_string_length(v) : 0;
    uint8_t *b = malloc(sl / 4 * 3 + 3);
    if (!b)
        return CAIRN_ERR_NOMEM;
    const char *end = NULL;
    if (sodium_base642bin(b, sl / 4 * 3 + 2, s, sl, NULL, len, &end,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        end != s + sl) {
        free(b);
        return CAIRN_ERR_BAD_JSON;
    }
    b[*len] = 0;
    *out = b;
    return CAIRN_OK;
}

void cairn_etcd_kvs_free(cairn_etcd_kv *kvs, size_t n)
{
    for (size_t i = 0; kvs && i < n; i++) {
        free(kvs[i].key);
        free(kvs[i].val);
    }
    free(kvs);
}

/* One {"key","value","create_revision","mod_revision","version","lease"}
 * into *kv (its key and value owned by it on success). */
static cairn_err parse_kv(const json_t *o, cairn_etcd_kv *kv)
{
    memset(kv, 0, sizeof *kv);
    if (!json_is_object(o))
        return CAIRN_ERR_BAD_JSON;
    cairn_err r = get_i64(o, "create_revision", &kv->create_rev);
    if (!r)
        r = get_i64(o, "mod_revision", &kv->mod_rev);
    if (!r)
        r = get_i64(o, "version", &kv->version);
    if (!r)
        r = get_i64(o, "lease", &kv->lease);
    if (!r)
        r = get_b64(o, "key", &kv->key, &kv->klen);
    if (!r)
        r = get_b64(o, "value", &kv->val, &kv->vlen);
    if (r) {
        free(kv->key);
        memset(kv, 0, sizeof *kv);
    }
    return r;
}

/* Appends the "kvs" array of o (absent = none) to (*kvs, *n). */
static cairn_err append_kvs(const json_t *o, cairn_etcd_kv **kvs, size_t *n)
{
    const json_t *a = json_object_get(o, "kvs");
    if (!a || json_is_null(a))
        return CAIRN_OK;
    if (!json_is_array(a))
        return CAIRN_ERR_BAD_JSON;
    size_t add = json_array_size(a);
    if (add == 0)
        return CAIRN_OK;
    cairn_etcd_kv *grown = realloc(*kvs, (*n + add) * sizeof **kvs);
    if (!grown)
        return CAIRN_ERR_NOMEM;
    *kvs = grown;
    for (size_t i = 0; i < add; i++) {
        cairn_err r = parse_kv(json_array_get(a, i), &grown[*n]);
        if (r)
            return r;
        (*n)++;
    }
    return CAIRN_OK;
}

/* header.revision of an answer (absent header: 0). */
static cairn_err header_rev(const json_t *o, int64_t *rev)
{
    const json_t *h = json_object_get(o, "header");
    *rev = 0;
    if (!h)
        return CAIRN_OK;
    if (!json_is_object(h))
        return CAIRN_ERR_BAD_JSON;
    return get_i64(h, "revision", rev);
}

cairn_err etcd_parse_range_answer(const uint8_t *p, size_t n,
                                  cairn_etcd_kv **kvs, size_t *nkvs,
                                  int64_t *rev)
{
    *kvs = NULL;
    *nkvs = 0;
    json_t *o = load_obj(p, n);
    if (!o)
        return CAIRN_ERR_BAD_JSON;
    cairn_err r = header_rev(o, rev);
    if (!r)
        r = append_kvs(o, kvs, nkvs);
    json_decref(o);
    if (r) {
        cairn_etcd_kvs_free(*kvs, *nkvs);
        *kvs = NULL;
        *nkvs = 0;
    }
    return r;
}

/* The "responses" array of a txn answer: every response_range's kvs. */
static cairn_err txn_responses(const json_t *o, cairn_etcd_txn_res *res)
{
    const json_t *a = json_object_get(o, "responses");
    if (!a || json_is_null(a))
        return CAIRN_OK;
    if (!json_is_array(a))
        return CAIRN_ERR_BAD_JSON;
    for (size_t i = 0; i < json_array_size(a); i++) {
        const json_t *one = json_array_get(a, i);
        if (!json_is_object(one))
            return CAIRN_ERR_BAD_JSON;
        const json_t *rr = json_object_get(one, "response_range");
        if (!rr)
            continue; /* a put's, a delete's */
        if (!json_is_object(rr))
            return CAIRN_ERR_BAD_JSON;
        cairn_err r = append_kvs(rr, &res->kvs, &res->nkvs);
        if (r)
            return r;
    }
    return CAIRN_OK;
}

cairn_err etcd_parse_txn_answer(const uint8_t *p, size_t n,
                                cairn_etcd_txn_res *res)
{
    memset(res, 0, sizeof *res);
    json_t *o = load_obj(p, n);
    if (!o)
        return CAIRN_ERR_BAD_JSON;
    const json_t *s = json_object_get(o, "succeeded");
    cairn_err r = s && !json_is_boolean(s) ? CAIRN_ERR_BAD_JSON : CAIRN_OK;
    res->succeeded = json_is_true(s);
    if (!r)
        r = header_rev(o, &res->rev);
    if (!r)
        r = txn_responses(o, res);
    json_decref(o);
    if (r)
        cairn_etcd_txn_res_free(res);
    return r;
}

void cairn_etcd_txn_res_free(cairn_etcd_txn_res *r)
{
    if (!r)
        return;
    cairn_etcd_kvs_free(r->kvs, r->nkvs);
    memset(r, 0, sizeof *r);
}

cairn_err etcd_parse_lease_answer(const uint8_t *p, size_t n, int keepalive,
                                  int64_t *id, int64_t *ttl)
{
    *id = 0;
    *ttl = 0;
    json_t *o = load_obj(p, n);
    if (!o)
        return CAIRN_ERR_BAD_JSON;
    const json_t *b = keepalive ? json_object_get(o, "result") : o;
    cairn_err r = json_is_object(b) ? CAIRN_OK : CAIRN_ERR_BAD_JSON;
    if (!r)
        r = get_i64(b, "ID", id);
    if (!r)
        r = get_i64(b, "TTL", ttl);
    /* a grant's own "error" field, and a lease that is not one */
    if (!r && !keepalive && (json_object_get(b, "error") || *id <= 0))
        r = CAIRN_ERR_BAD_JSON;
    json_decref(o);
    return r;
}

/* Copies the printable ASCII of s[0..n) into out[0..cap), NUL-terminated. */
static void copy_text(char *out, size_t cap, const char *s, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n && k + 1 < cap; i++)
        if (s[i] >= 0x20 && s[i] < 0x7f)
            out[k++] = s[i];
    if (cap)
        out[k] = 0;
}

cairn_err etcd_parse_status_answer(const uint8_t *p, size_t n,
                                   cairn_etcd_member *m)
{
    json_t *o = load_obj(p, n);
    if (!o)
        return CAIRN_ERR_BAD_JSON;
    const json_t *h = json_object_get(o, "header");
    const json_t *v = json_object_get(o, "version");
    cairn_err r =
        json_is_object(h) && json_is_string(v) ? CAIRN_OK : CAIRN_ERR_BAD_JSON;
    if (!r)
        r = get_u64(h, "member_id", UINT64_MAX, &m->id);
    if (!r)
        r = get_u64(o, "leader", UINT64_MAX, &m->leader);
    if (!r)
        r = get_u64(o, "raftTerm", UINT64_MAX, &m->raft_term);
    if (!r)
        r = get_u64(o, "raftIndex", UINT64_MAX, &m->raft_index);
    if (!r)
        r = get_i64(o, "dbSize", &m->db_size);
    if (!r)
        copy_text(m->version, sizeof m->version, json_string_value(v),
                  json_string_length(v));
    json_decref(o);
    return r;
}

/* {"error":"...","message":"...","code":N} (unary calls) or
 * {"error":{"grpc_code":N,"message":"..."}} (a stream's error). */
cairn_err etcd_parse_error_answer(const uint8_t *p, size_t n, char *msg,
                                  size_t cap, int *code)
{
    json_t *o = load_obj(p, n);
    if (!o)
        return CAIRN_ERR_BAD_JSON;
    const json_t *err = json_object_get(o, "error");
    const json_t *in = json_is_object(err) ? err : o;
    const json_t *m = json_object_get(in, "message");
    const json_t *c =
        json_object_get(in, json_is_object(err) ? "grpc_code" : "code");
    if (!json_is_string(m) && json_is_string(err))
        m = err;
    cairn_err r = json_is_string(m) ? CAIRN_OK : CAIRN_ERR_BAD_JSON;
    if (!r) {
        copy_text(msg, cap, json_string_value(m), json_string_length(m));
        json_int_t ci = json_is_integer(c) ? json_integer_value(c) : 0;
        *code = ci >= 0 && ci <= 64 ? (int)ci : 0;
    }
    json_decref(o);
    return r;
}
