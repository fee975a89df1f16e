/* libFuzzer target for the etcd client's answer parsers
 * (src/net/etcd_json.c, declared in src/net/etcd.h): the bodies that an
 * etcd gateway (or whatever answers at its URL) sends back.
 *
 * Every parser runs on every input. Each must succeed or fail with
 * BAD_JSON (NOMEM aside), leave nothing allocated on failure, and on
 * success hand out keys and values that are NUL-terminated at their
 * length; the texts copied out (status version, error message) are
 * NUL-terminated printable ASCII. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/etcd.h"

static void check(cairn_err e)
{
    if (e != CAIRN_OK && e != CAIRN_ERR_BAD_JSON && e != CAIRN_ERR_NOMEM)
        abort();
}

static void check_kvs(const cairn_etcd_kv *kvs, size_t n)
{
    if (n && !kvs)
        abort();
    for (size_t i = 0; i < n; i++)
        if (!kvs[i].key || !kvs[i].val || kvs[i].key[kvs[i].klen] != 0 ||
            kvs[i].val[kvs[i].vlen] != 0)
            abort();
}

static void check_text(const char *s, size_t cap)
{
    size_t n = strnlen(s, cap);
    if (n == cap)
        abort();
    for (size_t i = 0; i < n; i++)
        if (s[i] < 0x20 || s[i] >= 0x7f)
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *p, size_t n)
{
    cairn_etcd_kv *kvs;
    size_t nkvs;
    int64_t rev, id, ttl;
    cairn_err e = etcd_parse_range_answer(p, n, &kvs, &nkvs, &rev);
    check(e);
    if (e && (kvs || nkvs))
        abort();
    check_kvs(kvs, nkvs);
    cairn_etcd_kvs_free(kvs, nkvs);

    cairn_etcd_txn_res r;
    e = etcd_parse_txn_answer(p, n, &r);
    check(e);
    if (e && (r.kvs || r.nkvs))
        abort();
    check_kvs(r.kvs, r.nkvs);
    cairn_etcd_txn_res_free(&r);

    check(etcd_parse_lease_answer(p, n, 0, &id, &ttl));
    check(etcd_parse_lease_answer(p, n, 1, &id, &ttl));

    cairn_etcd_member m;
    memset(&m, 0, sizeof m);
    if (etcd_parse_status_answer(p, n, &m) == CAIRN_OK)
        check_text(m.version, sizeof m.version);

    char msg[64];
    int code = -1;
    e = etcd_parse_error_answer(p, n, msg, sizeof msg, &code);
    check(e);
    if (!e) {
        check_text(msg, sizeof msg);
        if (code < 0 || code > 64)
            abort();
    }
    return 0;
}
