/* S3 error codes, statuses and the XML error body (errors.h). */
#include "s3/errors.h"

#include <stdlib.h>
#include <string.h>

#include "s3/xml.h"

static const struct {
    const char *name;
    unsigned status;
    const char *msg;
} codes[S3_CODE_COUNT] = {
    [S3_OK] = {"OK", 200, "OK."},
    [S3_ACCESS_DENIED] = {"AccessDenied", 403, "Access Denied."},
    [S3_INVALID_ACCESS_KEY_ID] =
        {"InvalidAccessKeyId", 403,
         "The AWS Access Key Id you provided does not exist in our records."},
    [S3_SIGNATURE_DOES_NOT_MATCH] =
        {"SignatureDoesNotMatch", 403,
         "The request signature we calculated does not match the signature "
         "you provided. Check your key and signing method."},
    [S3_REQUEST_TIME_TOO_SKEWED] =
        {"RequestTimeTooSkewed", 403,
         "The difference between the request time and the current time is "
         "too large."},
    [S3_EXPIRED_TOKEN] = {"AccessDenied", 403, "Request has expired"},
    [S3_AUTH_MALFORMED] = {"AuthorizationHeaderMalformed", 400,
                           "The authorization header is malformed."},
    [S3_MISSING_SECURITY_HEADER] =
        {"MissingSecurityHeader", 400,
         "Your request is missing a required header."},
    [S3_NO_SUCH_BUCKET] = {"NoSuchBucket", 404,
                           "The specified bucket does not exist."},
    [S3_NO_SUCH_KEY] = {"NoSuchKey", 404, "The specified key does not exist."},
    [S3_NO_SUCH_UPLOAD] =
        {"NoSuchUpload", 404,
         "The specified multipart upload does not exist. The upload ID may "
         "be invalid, or the upload may have been aborted or completed."},
    [S3_BUCKET_NOT_EMPTY] = {"BucketNotEmpty", 409,
                             "The bucket you tried to delete is not empty."},
    [S3_BUCKET_ALREADY_OWNED_BY_YOU] =
        {"BucketAlreadyOwnedByYou", 409,
         "Your previous request to create the named bucket succeeded and you "
         "already own it."},
    [S3_INVALID_BUCKET_NAME] = {"InvalidBucketName", 400,
                                "The specified bucket is not valid."},
    [S3_KEY_TOO_LONG] = {"KeyTooLongError", 400, "Your key is too long."},
    [S3_ENTITY_TOO_LARGE] =
        {"EntityTooLarge", 400,
         "Your proposed upload exceeds the maximum allowed size."},
    [S3_ENTITY_TOO_SMALL] =
        {"EntityTooSmall", 400,
         "Your proposed upload is smaller than the minimum allowed object "
         "size."},
    [S3_INCOMPLETE_BODY] =
        {"IncompleteBody", 400,
         "You did not provide the number of bytes specified by the "
         "Content-Length HTTP header."},
    [S3_BAD_DIGEST] = {"BadDigest", 400,
                       "The Content-MD5 you specified did not match what we "
                       "received."},
    [S3_INVALID_DIGEST] = {"InvalidDigest", 400,
                           "The Content-MD5 you specified is not valid."},
    [S3_CONTENT_SHA256_MISMATCH] =
        {"XAmzContentSHA256Mismatch", 400,
         "The provided 'x-amz-content-sha256' header does not match what was "
         "computed."},
    [S3_MALFORMED_XML] =
        {"MalformedXML", 400,
         "The XML you provided was not well-formed or did not validate "
         "against our published schema."},
    [S3_INVALID_PART] =
        {"InvalidPart", 400,
         "One or more of the specified parts could not be found. The part "
         "may not have been uploaded, or the specified entity tag may not "
         "match the part's entity tag."},
    [S3_INVALID_PART_ORDER] =
        {"InvalidPartOrder", 400,
         "The list of parts was not in ascending order. Parts must be "
         "ordered by part number."},
    [S3_INVALID_RANGE] = {"InvalidRange", 416,
                          "The requested range is not satisfiable."},
    [S3_INVALID_ARGUMENT] = {"InvalidArgument", 400, "Invalid Argument."},
    [S3_INVALID_REQUEST] = {"InvalidRequest", 400, "Invalid Request."},
    [S3_METHOD_NOT_ALLOWED] =
        {"MethodNotAllowed", 405,
         "The specified method is not allowed against this resource."},
    [S3_NOT_IMPLEMENTED] =
        {"NotImplemented", 501,
         "A header you provided implies functionality that is not "
         "implemented."},
    [S3_MISSING_CONTENT_LENGTH] = {"MissingContentLength", 411,
                                   "You must provide the Content-Length HTTP "
                                   "header."},
    [S3_REQUEST_HEADER_TOO_LARGE] =
        {"RequestHeaderSectionTooLarge", 400,
         "Your request header section exceeds the maximum allowed size."},
    [S3_SLOW_DOWN] = {"SlowDown", 503, "Please reduce your request rate."},
    [S3_SERVICE_UNAVAILABLE] = {"ServiceUnavailable", 503,
                                "Please reduce your request rate."},
    [S3_INTERNAL_ERROR] = {"InternalError", 500,
                           "We encountered an internal error. Please try "
                           "again."},
    [S3_PRECONDITION_FAILED] =
        {"PreconditionFailed", 412,
         "At least one of the preconditions you specified did not hold."},
};

const char *s3_code_name(s3_code c)
{
    if ((unsigned)c >= S3_CODE_COUNT)
        c = S3_INTERNAL_ERROR;
    return codes[c].name;
}

unsigned s3_code_status(s3_code c)
{
    if ((unsigned)c >= S3_CODE_COUNT)
        c = S3_INTERNAL_ERROR;
    return codes[c].status;
}

/* The S3 default sentence of c (static). */
const char *s3_code_message(s3_code c)
{
    if ((unsigned)c >= S3_CODE_COUNT)
        c = S3_INTERNAL_ERROR;
    return codes[c].msg;
}

char *s3_error_xml(s3_code c, const char *message, const char *resource,
                   const char *request_id, size_t *len)
{
    /* S3's error bodies carry no namespace */
    s3_xw *w = s3_xw_new_ns("Error", NULL);
    if (!w)
        return NULL;
    s3_xw_text(w, "Code", s3_code_name(c));
    s3_xw_text(w, "Message",
               message && *message ? message : s3_code_message(c));
    if (resource && *resource)
        s3_xw_text(w, "Resource", resource);
    if (request_id && *request_id)
        s3_xw_text(w, "RequestId", request_id);
    return s3_xw_finish(w, len);
}
