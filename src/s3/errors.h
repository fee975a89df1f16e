/* Internal: the S3 error codes of the gateway (docs/s3-auth.md), their HTTP
 * statuses and the XML error body S3 clients parse:
 *
 *   <?xml version="1.0" encoding="UTF-8"?>
 *   <Error><Code>NoSuchKey</Code><Message>...</Message>
 *   <Resource>/bucket/key</Resource><RequestId>...</RequestId></Error>
 *
 * Threads: every function is safe to call from any thread. */
#ifndef CAIRN_S3_ERRORS_H
#define CAIRN_S3_ERRORS_H

#include <stddef.h>

typedef enum s3_code {
    S3_OK = 0,
    S3_ACCESS_DENIED,
    S3_INVALID_ACCESS_KEY_ID,
    S3_SIGNATURE_DOES_NOT_MATCH,
    S3_REQUEST_TIME_TOO_SKEWED,
    S3_EXPIRED_TOKEN,  /* presigned URL expired: AccessDenied "Request has
                          expired" */
    S3_AUTH_MALFORMED, /* AuthorizationHeaderMalformed */
    S3_MISSING_SECURITY_HEADER,
    S3_NO_SUCH_BUCKET,
    S3_NO_SUCH_KEY,
    S3_NO_SUCH_UPLOAD,
    S3_BUCKET_NOT_EMPTY,
    S3_BUCKET_ALREADY_OWNED_BY_YOU,
    S3_INVALID_BUCKET_NAME,
    S3_KEY_TOO_LONG,
    S3_ENTITY_TOO_LARGE,
    S3_ENTITY_TOO_SMALL,
    S3_INCOMPLETE_BODY,
    S3_BAD_DIGEST,
    S3_INVALID_DIGEST,
    S3_CONTENT_SHA256_MISMATCH, /* XAmzContentSHA256Mismatch */
    S3_MALFORMED_XML,
    S3_INVALID_PART,
    S3_INVALID_PART_ORDER,
    S3_INVALID_RANGE,
    S3_INVALID_ARGUMENT,
    S3_INVALID_REQUEST,
    S3_METHOD_NOT_ALLOWED,
    S3_NOT_IMPLEMENTED,
    S3_MISSING_CONTENT_LENGTH,
    S3_REQUEST_HEADER_TOO_LARGE, /* RequestHeaderSectionTooLarge, 400 */
    S3_SLOW_DOWN,
    S3_SERVICE_UNAVAILABLE,
    S3_INTERNAL_ERROR,
    S3_PRECONDITION_FAILED,
    S3_CODE_COUNT
} s3_code;

/* The code's name as S3 writes it in <Code> ("NoSuchKey"); "InternalError"
 * for a value out of range. Static string. */
const char *s3_code_name(s3_code c);

/* The HTTP status S3 answers the code with (404 for NoSuchKey); 500 for a
 * value out of range, 200 for S3_OK. */
unsigned s3_code_status(s3_code c);

/* S3's default sentence for the code ("The specified key does not exist.").
 * Static string. */
const char *s3_code_message(s3_code c);

/* The XML error body of c: message (NULL: the code's default sentence),
 * resource and request_id (NULL or "": left out) are escaped. *len (when
 * len is not NULL) gets the body's length. Allocates: the caller frees the
 * result with free(); NULL when out of memory. */
char *s3_error_xml(s3_code c, const char *message, const char *resource,
                   const char *request_id, size_t *len);

#endif
