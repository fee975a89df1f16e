/* The tenant's calls to its lease's provider (compute/client.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cairn/compute.h"
#include "compute/client.h"
#include "compute/manifest.h"
#include "storage/client/tag.h"
#include "net/conn_io.h"
#include "net/node_rpc.h"

static cairn_err fail(cclient *c, cairn_err e, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static cairn_err fail(cclient *c, cairn_err e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->why, sizeof c->why, fmt, ap);
    va_end(ap);
    return e;
}

void cclient_init(cclient *c, const char *node, const cairn_keypair *kp)
{
    memset(c, 0, sizeof *c);
    c->node = node;
    c->key = *kp;
    c->timeout_ms = CCLIENT_TIMEOUT_MS;
}

static void hang_up(cclient *c)
{
    cairn_conn_close(c->conn);
    c->conn = NULL;
}

void cclient_close(cclient *c)
{
    hang_up(c);
    cairn_keypair_wipe(&c->key);
}

/* The provider of lease and its registered endpoint. */
static cairn_err find_provider(cclient *c, uint64_t lease, cairn_pubkey *pk,
                               char ep[CAIRN_ENDPOINT_TEXT_MAX + 1])
{
    char path[160], addr[CAIRN_ADDR_TEXT_LEN + 1];
    json_t *j;
    snode_err ne;
    snprintf(path, sizeof path, "/v1/compute/lease/%llu",
             (unsigned long long)lease);
    cairn_err e = snode_get(c->node, path, &j, &ne);
    if (e == CAIRN_ERR_NOT_FOUND || e == CAIRN_ERR_NO_ORDER)
        return fail(c, CAIRN_ERR_NO_ORDER, "there is no lease %llu on chain",
                    (unsigned long long)lease);
    if (e)
        return fail(c, e, "cannot read lease %llu from %s: %s",
                    (unsigned long long)lease, c->node, ne.msg);
    int none = json_is_null(json_object_get(j, "provider")) ||
               snode_addr(j, "provider", pk);
    json_decref(j);
    if (none)
        return fail(c, CAIRN_ERR_LEASE_STATE,
                    "lease %llu has no provider yet (still an open order)",
                    (unsigned long long)lease);
    cairn_addr_format(addr, pk);
    snprintf(path, sizeof path, "/v1/provider/%s", addr);
    if ((e = snode_get(c->node, path, &j, &ne)))
        return fail(c, e == CAIRN_ERR_NOT_FOUND ? CAIRN_ERR_NOT_PROVIDER : e,
                    "cannot read provider %s from %s: %s", addr, c->node,
                    ne.msg);
    const char *s = json_string_value(json_object_get(j, "endpoint"));
    e = s && *s && strlen(s) <= CAIRN_ENDPOINT_TEXT_MAX
            ? CAIRN_OK
            : CAIRN_ERR_NOT_PROVIDER;
    if (!e)
        snprintf(ep, CAIRN_ENDPOINT_TEXT_MAX + 1, "%s", s);
    json_decref(j);
    if (e)
        return fail(c, e, "provider %s has no endpoint on chain", addr);
    return CAIRN_OK;
}

cairn_err cclient_dial(cclient *c, uint64_t lease)
{
    cairn_pubkey pk;
    char ep[CAIRN_ENDPOINT_TEXT_MAX + 1], host[CAIRN_HOST_MAX + 1];
    int port;
    if (c->conn && c->lease == lease)
        return CAIRN_OK;
    cairn_err e = find_provider(c, lease, &pk, ep);
    if (e)
        return e;
    if (c->conn && memcmp(pk.b, c->provider.b, 32) == 0 &&
        strcmp(ep, c->endpoint) == 0) {
        c->lease = lease;
        return CAIRN_OK;
    }
    hang_up(c);
    if (cairn_endpoint_parse(ep, host, &port))
        return fail(c, CAIRN_ERR_BAD_ENDPOINT,
                    "lease %llu's provider registered endpoint \"%s\", which "
                    "is not HOST:PORT",
                    (unsigned long long)lease, ep);
    e = cairn_conn_dial(&c->conn, host, port, &c->key, &pk, c->timeout_ms);
    if (e) {
        c->conn = NULL;
        return fail(c, e, "cannot reach lease %llu's provider at %s: %s",
                    (unsigned long long)lease, ep, cairn_strerror(e));
    }
    c->provider = pk;
    c->lease = lease;
    snprintf(c->endpoint, sizeof c->endpoint, "%s", ep);
    return CAIRN_OK;
}

/* Sends one request and receives its reply: *p (malloc'd, the caller
 * frees) of *n bytes when it is of type `want`. An ERROR reply returns
 * its code with its message in c->why. */
static cairn_err call(cclient *c, uint64_t lease, uint8_t type,
                      const cairn_buf *req, uint8_t want, uint8_t **p,
                      size_t *n)
{
    uint8_t got;
    cairn_err e = req->err ? req->err : cclient_dial(c, lease);
    if (e)
        return e;
    e = cairn_conn_send(c->conn, type, req->p, req->len, c->timeout_ms);
    if (!e)
        e = cairn_conn_recv(c->conn, &got, p, n, CAIRN_CP_MSG_MAX,
                            c->timeout_ms);
    if (e) {
        hang_up(c);
        return fail(c, e, "lease %llu's provider at %s did not answer: %s",
                    (unsigned long long)lease, c->endpoint, cairn_strerror(e));
    }
    if (got == want)
        return CAIRN_OK;
    cairn_cp_error er;
    e = got == CAIRN_CP_ERROR && !cairn_cp_error_decode(&er, *p, *n)
            ? cairn_cp_error_code(&er)
            : CAIRN_ERR_BAD_MSG;
    if (e == CAIRN_ERR_BAD_MSG && got != CAIRN_CP_ERROR)
        snprintf(er.msg, sizeof er.msg, "an unexpected reply (type 0x%02x)",
                 got);
    free(*p);
    *p = NULL;
    if (e == CAIRN_ERR_BAD_MSG)
        hang_up(c);
    return fail(c, e, "the provider refused: %s", er.msg);
}

static int key_cmp(const void *a, const void *b)
{
    return memcmp(a, b, CAIRN_CP_FILE_ID_LEN);
}

/* The file id a manifest's storage source names, or -1. */
static int storage_id(const char *s, uint8_t id[CAIRN_CP_FILE_ID_LEN])
{
    return strlen(s) == 2 * CAIRN_CP_FILE_ID_LEN &&
                   !cairn_hex_decode(id, CAIRN_CP_FILE_ID_LEN, s, strlen(s))
               ? 0
               : -1;
}

/* Fills k (m->nfiles entries at most) with the keys of m's storage files;
 * *n their count. -1 with c->why on a bad id. */
static int derive_keys(cclient *c, const cairn_manifest *m, uint8_t *k,
                       size_t *n)
{
    uint8_t secret[CAIRN_SECRET_LEN];
    ctag_secret(secret, &c->key);
    *n = 0;
    for (size_t i = 0; i < m->nfiles; i++) {
        uint8_t *e = k + *n * CAIRN_CP_KEY_ENTRY;
        if (m->files[i].kind != CAIRN_MFILE_STORAGE)
            continue;
        if (storage_id(m->files[i].storage_id, e)) {
            sodium_memzero(secret, sizeof secret);
            fail(c, CAIRN_ERR_BAD_MANIFEST,
                 "files[%zu].storage: give the file id as `cairn put` "
                 "printed it (32 hex digits)",
                 i);
            return -1;
        }
        ctag_file_key(e + CAIRN_CP_FILE_ID_LEN, e, secret);
        (*n)++;
    }
    sodium_memzero(secret, sizeof secret);
    qsort(k, *n, CAIRN_CP_KEY_ENTRY, key_cmp);
    size_t u = 0; /* one key per file, even if named twice */
    for (size_t i = 0; i < *n; i++)
        if (!u || key_cmp(k + (u - 1) * CAIRN_CP_KEY_ENTRY,
                          k + i * CAIRN_CP_KEY_ENTRY) != 0)
            memmove(k + u++ * CAIRN_CP_KEY_ENTRY, k + i * CAIRN_CP_KEY_ENTRY,
                    CAIRN_CP_KEY_ENTRY);
    sodium_memzero(k + u * CAIRN_CP_KEY_ENTRY, (*n - u) * CAIRN_CP_KEY_ENTRY);
    *n = u;
    return 0;
}

cairn_err cclient_input_keys(cclient *c, const uint8_t *bytes, size_t n,
                             uint8_t **keys, size_t *nkeys)
{
    cairn_manifest m;
    char msg[256];
    *keys = NULL;
    *nkeys = 0;
    if (cairn_manifest_parse(&m, bytes, n, msg, sizeof msg)) {
        cairn_manifest_free(&m);
        return fail(c, CAIRN_ERR_BAD_MANIFEST, "%s", msg);
    }
    size_t cap = m.nfiles;
    uint8_t *k = cap ? malloc(cap * CAIRN_CP_KEY_ENTRY) : NULL;
    cairn_err e = cap && !k ? CAIRN_ERR_NOMEM : CAIRN_OK;
    if (!e && k && derive_keys(c, &m, k, nkeys))
        e = CAIRN_ERR_BAD_MANIFEST;
    cairn_manifest_free(&m);
    if (e || *nkeys == 0) {
        cclient_keys_free(k, cap);
        *nkeys = 0;
        return e;
    }
    *keys = k;
    return CAIRN_OK;
}

void cclient_keys_free(uint8_t *keys, size_t nkeys)
{
    if (keys)
        sodium_memzero(keys, nkeys * CAIRN_CP_KEY_ENTRY);
    free(keys);
}

cairn_err cclient_manifest(cclient *c, uint64_t lease, const uint8_t *bytes,
                           size_t n, uint8_t *state)
{
    cairn_buf b;
    uint8_t *rep, *keys;
    size_t rn, nkeys;
    cairn_cp_accepted a;
    if (n == 0 || n > CAIRN_CP_MANIFEST_MAX)
        return fail(c, CAIRN_ERR_TOO_LARGE, "a manifest is 1..%u bytes",
                    CAIRN_CP_MANIFEST_MAX);
    cairn_err e = cclient_input_keys(c, bytes, n, &keys, &nkeys);
    if (e)
        return e;
    cairn_cp_manifest m = {lease, bytes, (uint32_t)n, keys, (uint8_t)nkeys};
    cairn_buf_init(&b, CAIRN_CP_MSG_MAX);
    cairn_cp_manifest_encode(&b, &m);
    cclient_keys_free(keys, nkeys);
    e = call(c, lease, CAIRN_CP_MANIFEST, &b, CAIRN_CP_ACCEPTED, &rep, &rn);
    if (b.p)
        sodium_memzero(b.p, b.len);
    cairn_buf_free(&b);
    if (e)
        return e;
    e = cairn_cp_accepted_decode(&a, rep, rn);
    free(rep);
    if (e || a.lease != lease)
        return fail(c, CAIRN_ERR_BAD_MSG, "the provider's answer is malformed");
    if (state)
        *state = a.state;
    return CAIRN_OK;
}

cairn_err cclient_status(cclient *c, uint64_t lease, cairn_cp_state *out)
{
    cairn_buf b;
    uint8_t *rep;
    size_t rn;
    cairn_buf_init(&b, 64);
    cairn_cp_status_encode(&b, lease);
    cairn_err e =
        call(c, lease, CAIRN_CP_STATUS, &b, CAIRN_CP_STATE, &rep, &rn);
    cairn_buf_free(&b);
    if (e)
        return e;
    e = cairn_cp_state_decode(out, rep, rn);
    free(rep);
    if (e || out->lease != lease)
        return fail(c, CAIRN_ERR_BAD_MSG, "the provider's answer is malformed");
    return CAIRN_OK;
}

/* Copies len bytes at src into a new buffer (non-NULL). */
static cairn_err dup_bytes(const uint8_t *src, size_t len, uint8_t **out)
{
    *out = malloc(len ? len : 1);
    if (!*out)
        return CAIRN_ERR_NOMEM;
    if (len)
        memcpy(*out, src, len);
    return CAIRN_OK;
}

cairn_err cclient_logs(cclient *c, uint64_t lease, uint64_t offset,
                       uint32_t max, uint8_t **bytes, size_t *n, uint64_t *next,
                       int *ended)
{
    cairn_buf b;
    uint8_t *rep;
    size_t rn;
    cairn_cp_log lg;
    cairn_cp_logs_req m = {lease, offset, max};
    cairn_buf_init(&b, 64);
    cairn_cp_logs_encode(&b, &m);
    cairn_err e = call(c, lease, CAIRN_CP_LOGS, &b, CAIRN_CP_LOG, &rep, &rn);
    cairn_buf_free(&b);
    if (e)
        return e;
    e = cairn_cp_log_decode(&lg, rep, rn);
    if (e || lg.len > max)
        e = fail(c, CAIRN_ERR_BAD_MSG, "the provider's answer is malformed");
    if (!e && !(e = dup_bytes(lg.bytes, lg.len, bytes))) {
        *n = lg.len;
        *next = lg.next;
        *ended = lg.ended;
    }
    free(rep);
    return e;
}

cairn_err cclient_fetch_chunk(cclient *c, uint64_t lease, const char *path,
                              uint64_t offset, uint8_t **bytes, size_t *n,
                              uint64_t *total)
{
    cairn_buf b;
    uint8_t *rep;
    size_t rn;
    cairn_cp_chunk ch;
    cairn_cp_fetch_req m = {.lease = lease, .offset = offset};
    if (!cairn_cp_path_ok(path, strlen(path)))
        return fail(c, CAIRN_ERR_BAD_ARG,
                    "\"%s\": give a path relative to the lease's work "
                    "directory, of letters, digits and . _ - /, without . "
                    "or .. parts",
                    path);
    snprintf(m.path, sizeof m.path, "%s", path);
    cairn_buf_init(&b, 512);
    cairn_cp_fetch_encode(&b, &m);
    cairn_err e = call(c, lease, CAIRN_CP_FETCH, &b, CAIRN_CP_CHUNK, &rep, &rn);
    cairn_buf_free(&b);
    if (e)
        return e;
    e = cairn_cp_chunk_decode(&ch, rep, rn);
    if (e)
        e = fail(c, CAIRN_ERR_BAD_MSG, "the provider's answer is malformed");
    if (!e && !(e = dup_bytes(ch.bytes, ch.len, bytes))) {
        *n = ch.len;
        *total = ch.total;
    }
    free(rep);
    return e;
}

static int write_all(int fd, const uint8_t *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Fetches chunks into fd until size bytes are there. */
static cairn_err fetch_into(cclient *c, uint64_t lease, const char *path,
                            int fd, uint64_t *size)
{
    uint64_t off = 0, total = UINT64_MAX;
    while (off < total) {
        uint8_t *b;
        size_t n;
        uint64_t t;
        cairn_err e = cclient_fetch_chunk(c, lease, path, off, &b, &n, &t);
        if (e)
            return e;
        if (total == UINT64_MAX)
            total = t; /* the size at the first chunk */
        if (n > total - off)
            n = (size_t)(total - off);
        int bad = write_all(fd, b, n);
        free(b);
        if (bad)
            return fail(c, CAIRN_ERR_IO, "cannot write: %s", strerror(errno));
        if (n == 0 && off < total)
            return fail(c, CAIRN_ERR_TRUNCATED,
                        "%s shrank on the provider while being fetched", path);
        off += n;
    }
    *size = total;
    return CAIRN_OK;
}

cairn_err cclient_fetch(cclient *c, uint64_t lease, const char *path,
                        const char *out_path, uint64_t *size)
{
    char tmp[4096], dir[4096];
    uint64_t got = 0;
    if ((size_t)snprintf(tmp, sizeof tmp, "%s.cairn-XXXXXX", out_path) >=
        sizeof tmp)
        return fail(c, CAIRN_ERR_BAD_ARG, "output path too long");
    int fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0)
        return fail(c, CAIRN_ERR_IO, "cannot create a file beside %s: %s",
                    out_path, strerror(errno));
    cairn_err e = fetch_into(c, lease, path, fd, &got);
    if (!e && (fsync(fd) != 0 || fchmod(fd, 0644) != 0))
        e = fail(c, CAIRN_ERR_IO, "cannot write %s: %s", tmp, strerror(errno));
    close(fd);
    if (!e && rename(tmp, out_path) != 0)
        e = fail(c, CAIRN_ERR_IO, "cannot write %s: %s", out_path,
                 strerror(errno));
    if (e) {
        unlink(tmp);
        return e;
    }
    snprintf(dir, sizeof dir, "%s", out_path);
    int dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        (void)fsync(dfd);
        close(dfd);
    }
    if (size)
        *size = got;
    return CAIRN_OK;
}

cairn_err cclient_tunnel(const cairn_cp_state *st, int timeout_ms, int *fd,
                         char *why, size_t len)
{
    char host[CAIRN_HOST_MAX + 1], line[CAIRN_CP_TOKEN_LINE];
    int port, s;
    if (!st->endpoint[0]) {
        snprintf(why, len,
                 "lease %llu has no service endpoint (its order publishes no "
                 "port, or its manifest is not there yet)",
                 (unsigned long long)st->lease);
        return CAIRN_ERR_NOT_FOUND;
    }
    if (cairn_endpoint_parse(st->endpoint, host, &port)) {
        snprintf(why, len, "the service endpoint \"%s\" is not HOST:PORT",
                 st->endpoint);
        return CAIRN_ERR_BAD_ENDPOINT;
    }
    int64_t deadline =
        conn_deadline(timeout_ms > 0 ? timeout_ms : CCLIENT_TIMEOUT_MS);
    cairn_err e = conn_connect(&s, host, port, deadline);
    if (e) {
        snprintf(why, len, "cannot connect to the service endpoint %s: %s",
                 st->endpoint, cairn_strerror(e));
        return e;
    }
    cairn_cp_token_line(line, st->token);
    e = conn_write_full(s, line, sizeof line, deadline);
    memset(line, 0, sizeof line);
    if (!e) {
        int fl = fcntl(s, F_GETFL);
        if (fl < 0 || fcntl(s, F_SETFL, fl & ~O_NONBLOCK) != 0)
            e = CAIRN_ERR_IO;
    }
    if (e) {
        close(s);
        snprintf(why, len, "cannot send the token to %s: %s", st->endpoint,
                 cairn_strerror(e));
        return e;
    }
    *fd = s;
    return CAIRN_OK;
}
