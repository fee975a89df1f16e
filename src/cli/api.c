/* Talking to a node's HTTP/JSON API (docs/api.md) from the command line:
 * GET and POST of JSON, with the server's error message printed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/amount.h"
#include "cairn/http.h"
#include "cli/cli.h"

#define GET_TIMEOUT_MS 10000
#define URL_MAX 2048

/* GETs base+path without printing anything; a new reference, or NULL. */
static json_t *quiet_get(const char *base, const char *path)
{
    char url[URL_MAX];
    cairn_http_resp r;
    if ((size_t)snprintf(url, sizeof url, "%s%s", base, path) >= sizeof url ||
        cairn_http_request("GET", url, NULL, 0, NULL, GET_TIMEOUT_MS, &r))
        return NULL;
    json_t *j = r.status == 200 ? json_loadb(r.body, r.len, 0, NULL) : NULL;
    free(r.body);
    return j;
}

/* fee_too_low: says the network's minimum fee. 1 if printed. */
static int print_min_fee(const char *base)
{
    json_t *s = quiet_get(base, "/v1/status");
    const char *fee = jstr(s, "min_fee");
    int done = *fee != '\0';
    if (done)
        cli_fail("the fee is below the network minimum of %s %s; raise --fee to at "
                 "least %s", fee, jstr(json_object_get(s, "token"), "symbol"), fee);
    json_decref(s);
    return done;
}

/* price_jump: says the range the price may take this epoch. 1 if printed. */
static int print_price_range(const char *base)
{
    char lo[CAIRN_AMOUNT_TEXT_MAX], hi[CAIRN_AMOUNT_TEXT_MAX];
    json_t *p = quiet_get(base, "/v1/price");
    unsigned long long ref = strtoull(jstr(p, "epoch_start_price_units"), NULL, 10);
    long long bps = jint(p, "max_change_bps");
    int done = ref > 0 && bps >= 0;
    if (done) {
        uint64_t room = (uint64_t)((unsigned __int128)ref * (uint64_t)bps / 10000);
        cairn_amount_format(lo, ref - room);
        cairn_amount_format(hi, ref + room < ref ? UINT64_MAX : ref + room);
        cli_fail("the price may move at most %lld bps per epoch: in epoch %lld it "
                 "started at %s, so it must stay within %s..%s",
                 bps, jint(p, "epoch"), jstr(p, "epoch_start_price"), lo, hi);
    }
    json_decref(p);
    return done;
}

/* Prints why a reply is an error: the bound the request broke when the
 * node can tell it, else the API's "message" when it sent one. */
static int print_api_error(const char *base, const json_t *j, int status)
{
    const char *msg = jstr(j, "message"), *name = jstr(j, "error");
    if (!strcmp(name, "fee_too_low") && print_min_fee(base))
        return 1;
    if (!strcmp(name, "price_jump") && print_price_range(base))
        return 1;
    if (*msg)
        return cli_fail("%s", msg);
    if (*name)
        return cli_fail("the node refused: %s (HTTP %d)", name, status);
    return cli_fail("the node answered HTTP %d", status);
}

/* Performs the request and parses the reply into *out (a new reference
 * owned by the caller). *status gets the HTTP status. Prints and returns 1
 * on failure, including any status of 400 or more. */
static int call(const char *method, const char *base, const char *path,
                const char *body, int timeout_ms, int *status, json_t **out)
{
    char url[URL_MAX];
    cairn_http_resp r;
    *out = NULL;
    if ((size_t)snprintf(url, sizeof url, "%s%s", base, path) >= sizeof url)
        return cli_fail("URL too long: %s%s", base, path);
    cairn_err e = cairn_http_request(method, url, body, body ? strlen(body) : 0,
                                     "application/json", timeout_ms, &r);
    if (e == CAIRN_ERR_BAD_ARG)
        return cli_fail("bad node URL \"%s\" (expected http://HOST:PORT)", base);
    if (e)
        return cli_fail("no answer from the node at %s: %s", base, cairn_strerror(e));
    json_t *j = json_loadb(r.body, r.len, 0, NULL);
    free(r.body);
    *status = r.status;
    if (r.status >= 400) {
        int rc = print_api_error(base, j, r.status);
        json_decref(j);
        return rc;
    }
    if (!json_is_object(j)) {
        json_decref(j);
        return cli_fail("the node at %s sent a reply that is not a JSON object", base);
    }
    *out = j;
    return 0;
}

int api_get(const char *base, const char *path, json_t **out)
{
    int status;
    return call("GET", base, path, NULL, GET_TIMEOUT_MS, &status, out);
}

int api_post(const char *base, const char *path, const json_t *body,
             int timeout_ms, int *status, json_t **out)
{
    char *text = json_dumps(body, JSON_COMPACT);
    if (!text)
        return cli_fail("out of memory");
    int rc = call("POST", base, path, text, timeout_ms, status, out);
    free(text);
    return rc;
}
