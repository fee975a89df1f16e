/* Internal to the etcd client (etcd.c, etcd_req.c, etcd_json.c): the
 * handle, its transport, and the JSON pieces of requests. */
#ifndef CAIRN_NET_ETCD_INTERNAL_H
#define CAIRN_NET_ETCD_INTERNAL_H

#include <curl/curl.h>
#include <jansson.h>

#include "net/etcd.h"

struct cairn_etcd {
    CURL *curl;
    struct curl_slist *hdrs;
    char urls[CAIRN_ETCD_MAX_ENDPOINTS][CAIRN_ETCD_URL_MAX];
    size_t n;   /* endpoints */
    size_t cur; /* the one tried first: the last that answered */
    uint32_t timeout_ms;
    char err[CAIRN_ETCD_ERR_MAX];
    char curl_err[CURL_ERROR_SIZE];
    uint8_t *buf; /* the last answer's body, NUL-terminated */
    size_t len, cap;
    int over; /* the answer went over CAIRN_ETCD_MAX_ANSWER */
};

/* POSTs req (a JSON object; the reference is taken, even on error) to
 * path on the endpoints, in turn from e->cur while the connection fails.
 * On OK the HTTP 200 body is in e->buf[0..e->len). Errors as etcd.h says,
 * with e->err set. */
cairn_err etcd_call(cairn_etcd *e, const char *path, json_t *req);

/* A JSON string of p[0..n) in base64 (ORIGINAL variant); NULL when out of
 * memory. A new reference. */
json_t *etcd_json_b64(const uint8_t *p, size_t n);
/* A JSON string of v in decimal (how the gateway takes int64). A new
 * reference, NULL when out of memory. */
json_t *etcd_json_i64(int64_t v);
/* Sets e->err (printf-style). */
void etcd_set_err(cairn_etcd *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
