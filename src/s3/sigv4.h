/* Internal: AWS Signature Version 4 as S3 checks it (docs/s3-auth.md): the
 * Authorization header form and the presigned URL form (X-Amz-* in the
 * query). The canonical request follows S3's rules: the path is URI-encoded
 * once (not twice as for other AWS services), query parameters are sorted by
 * encoded name then value, header values are trimmed with inner runs of
 * blanks collapsed to one space. The signing key is derived with
 * HMAC-SHA256 (libsodium) from "AWS4" ‖ secret, date, region, "s3",
 * "aws4_request"; signatures are compared in constant time.
 *
 * The path and query must be the raw bytes of the request line: with
 * libmicrohttpd, take them from MHD_OPTION_URI_LOG_CALLBACK (it sees the
 * whole raw URI before MHD unescapes it) or keep MHD from unescaping with
 * an MHD_OPTION_UNESCAPE_CALLBACK that returns the length unchanged; an
 * unescaped path fails the signature of any key with a %-escape.
 *
 * Threads: every function is safe to call from any thread. */
#ifndef CAIRN_S3_SIGV4_H
#define CAIRN_S3_SIGV4_H

#include <stddef.h>
#include <stdint.h>

#include "s3/errors.h"
#include "s3/keys.h"

#define S3_MAX_SKEW 900               /* seconds, either way */
#define S3_PRESIGN_MAX_EXPIRES 604800 /* seconds (7 days) */

typedef struct s3_sig_req {
    const char *method;
    const char *path;  /* raw, as on the request line, without query */
    const char *query; /* raw after '?', "" if none */
    /* the value of header name (lower-case), NULL if absent */
    const char *(*header)(void *arg, const char *name);
    void *harg;
    int64_t now;      /* Unix seconds */
    int64_t max_skew; /* 900 */
} s3_sig_req;

typedef struct s3_auth {
    const s3_key *key; /* borrowed from keys */
    int presigned;
    char payload_sha256[65]; /* lower hex of the signed payload hash, or ""
                                when UNSIGNED-PAYLOAD */
    char region[64];
} s3_auth;

/* Checks header (Authorization: AWS4-HMAC-SHA256 ...) or presigned
 * (X-Amz-Algorithm... in the query) SigV4. S3_OK or the code to answer with;
 * msg gets a sentence for the error body. A request with neither ->
 * S3_ACCESS_DENIED. */
s3_code s3_sigv4_check(const s3_sig_req *r, const s3_keys *keys, s3_auth *out,
                       char *msg, size_t msglen);

/* URI-decoding of a path segment or query value into out (NUL-terminated):
 * -1 on bad % escapes or NUL, or when out (cap bytes) is too small; else the
 * decoded length. '+' is left as is. */
int s3_uri_decode(char *out, size_t cap, const char *in, size_t n);

#endif
