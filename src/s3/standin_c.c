/* TEMPORARY stand-in for helper C's s3 code (errors/keys/sigv4/xml); deleted
 * when h-s3auth's implementation is merged. Signature NOT checked. */
#include <ctype.h>
#include <libxml/xmlwriter.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "s3/errors.h"
#include "s3/keys.h"
#include "s3/sigv4.h"
#include "s3/xml.h"

static const struct {
    const char *n;
    unsigned s;
} T[S3_CODE_COUNT] = {
    {"OK", 200},
    {"AccessDenied", 403},
    {"InvalidAccessKeyId", 403},
    {"SignatureDoesNotMatch", 403},
    {"RequestTimeTooSkewed", 403},
    {"AccessDenied", 403},
    {"AuthorizationHeaderMalformed", 400},
    {"MissingSecurityHeader", 400},
    {"NoSuchBucket", 404},
    {"NoSuchKey", 404},
    {"NoSuchUpload", 404},
    {"BucketNotEmpty", 409},
    {"BucketAlreadyOwnedByYou", 409},
    {"InvalidBucketName", 400},
    {"KeyTooLongError", 400},
    {"EntityTooLarge", 400},
    {"EntityTooSmall", 400},
    {"IncompleteBody", 400},
    {"BadDigest", 400},
    {"InvalidDigest", 400},
    {"XAmzContentSHA256Mismatch", 400},
    {"MalformedXML", 400},
    {"InvalidPart", 400},
    {"InvalidPartOrder", 400},
    {"InvalidRange", 416},
    {"InvalidArgument", 400},
    {"InvalidRequest", 400},
    {"MethodNotAllowed", 405},
    {"NotImplemented", 501},
    {"MissingContentLength", 411},
    {"RequestHeaderSectionTooLarge", 400},
    {"SlowDown", 503},
    {"ServiceUnavailable", 503},
    {"InternalError", 500},
    {"PreconditionFailed", 412},
};

const char *s3_code_name(s3_code c)
{
    return (unsigned)c < S3_CODE_COUNT ? T[c].n : "InternalError";
}
unsigned s3_code_status(s3_code c)
{
    return (unsigned)c < S3_CODE_COUNT ? T[c].s : 500;
}
char *s3_error_xml(s3_code c, const char *message, const char *resource,
                   const char *request_id, size_t *len)
{
    char *b = malloc(4096);
    if (!b)
        return NULL;
    int n =
        snprintf(b, 4096,
                 "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>%"
                 "s</Code><Message>%s</Message><Resource>%s</"
                 "Resource><RequestId>%s</RequestId></Error>",
                 s3_code_name(c), message ? message : "",
                 resource ? resource : "", request_id ? request_id : "");
    if (len)
        *len = n > 4095 ? 4095 : (size_t)n;
    return b;
}

cairn_err s3_keys_load(s3_keys *out, const char *path, char *why, size_t whylen)
{
    memset(out, 0, sizeof *out);
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(why, whylen, "cannot open %s", path);
        return CAIRN_ERR_IO;
    }
    char line[9000];
    while (fgets(line, sizeof line, f)) {
        char a[129] = "", b[129] = "", c[4096] = "", d[8] = "";
        if (line[0] == '#' ||
            sscanf(line, "%128s %128s %4095s %7s", a, b, c, d) < 2)
            continue;
        s3_key *k = realloc(out->k, (out->n + 1) * sizeof *k);
        if (!k)
            break;
        out->k = k;
        k = &out->k[out->n++];
        memset(k, 0, sizeof *k);
        snprintf(k->id, sizeof k->id, "%s", a);
        snprintf(k->secret, sizeof k->secret, "%s", b);
        if (strcmp(c, "-") != 0)
            snprintf(k->key_file, sizeof k->key_file, "%s", c);
        k->read_only = strcmp(d, "ro") == 0;
    }
    fclose(f);
    return CAIRN_OK;
}
void s3_keys_free(s3_keys *k)
{
    free(k->k);
    memset(k, 0, sizeof *k);
}
const s3_key *s3_keys_find(const s3_keys *k, const char *id)
{
    for (size_t i = 0; i < k->n; i++)
        if (strcmp(k->k[i].id, id) == 0)
            return &k->k[i];
    return NULL;
}

s3_code s3_sigv4_check(const s3_sig_req *r, const s3_keys *keys, s3_auth *out,
                       char *msg, size_t msglen)
{
    memset(out, 0, sizeof *out);
    const char *a = r->header(r->harg, "authorization");
    const char *cred = a ? strstr(a, "Credential=") : NULL;
    if (!cred) {
        cred = strstr(r->query, "X-Amz-Credential=");
        if (!cred) {
            snprintf(msg, msglen, "no auth");
            return S3_ACCESS_DENIED;
        }
        cred += 6;
        out->presigned = 1;
    }
    cred += 11;
    char id[129];
    size_t i = 0;
    while (cred[i] && cred[i] != '/' && cred[i] != '%' && i < 128) {
        id[i] = cred[i];
        i++;
    }
    id[i] = '\0';
    out->key = s3_keys_find(keys, id);
    if (!out->key) {
        snprintf(msg, msglen, "unknown key");
        return S3_INVALID_ACCESS_KEY_ID;
    }
    const char *h = r->header(r->harg, "x-amz-content-sha256");
    if (h && strlen(h) == 64)
        snprintf(out->payload_sha256, sizeof out->payload_sha256, "%s", h);
    snprintf(out->region, sizeof out->region, "us-east-1");
    return S3_OK;
}

int s3_uri_decode(char *out, size_t cap, const char *in, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        int c = (unsigned char)in[i];
        if (c == '%') {
            if (i + 2 >= n + 0 && i + 2 > n - 1 + 1)
                return -1;
            if (i + 2 >= n + 1 || !isxdigit((unsigned char)in[i + 1]) ||
                !isxdigit((unsigned char)in[i + 2]))
                return -1;
            char h[3] = {in[i + 1], in[i + 2], 0};
            c = (int)strtoul(h, NULL, 16);
            i += 2;
        }
        if (c == 0 || o + 1 >= cap)
            return -1;
        out[o++] = (char)c;
    }
    out[o] = '\0';
    return (int)o;
}

/* very loose: finds <PartNumber>N</PartNumber><ETag>E</ETag> pairs */
s3_code s3_xml_complete(const char *xml, size_t n, s3_part_ref **parts,
                        size_t *nparts)
{
    char *s = strndup(xml, n);
    *parts = NULL;
    *nparts = 0;
    if (!s)
        return S3_INTERNAL_ERROR;
    for (char *p = s; (p = strstr(p, "<Part>")); p++) {
        char *pn = strstr(p, "<PartNumber>"), *et = strstr(p, "<ETag>");
        if (!pn || !et)
            break;
        s3_part_ref *np = realloc(*parts, (*nparts + 1) * sizeof *np);
        if (!np)
            break;
        *parts = np;
        s3_part_ref *r = &np[(*nparts)++];
        r->number = (uint32_t)strtoul(pn + 12, NULL, 10);
        et += 6;
        size_t j = 0;
        while (*et && *et != '<' && j < 79) {
            if (*et != '"' && strncmp(et, "&quot;", 6) != 0)
                r->etag[j++] = *et;
            et += strncmp(et, "&quot;", 6) == 0 ? 6 : 1;
        }
        r->etag[j] = 0;
    }
    free(s);
    return *nparts ? S3_OK : S3_MALFORMED_XML;
}

s3_code s3_xml_delete(const char *xml, size_t n, char ***keys, size_t *nkeys,
                      int *quiet)
{
    char *s = strndup(xml, n);
    *keys = NULL;
    *nkeys = 0;
    *quiet = 0;
    if (!s)
        return S3_INTERNAL_ERROR;
    *quiet = strstr(s, "<Quiet>true") != NULL;
    for (char *p = s; (p = strstr(p, "<Key>")); p++) {
        char *e = strstr(p, "</Key>");
        if (!e)
            break;
        char **nk = realloc(*keys, (*nkeys + 1) * sizeof *nk);
        if (!nk)
            break;
        *keys = nk;
        nk[(*nkeys)++] = strndup(p + 5, (size_t)(e - p - 5));
    }
    free(s);
    return *nkeys ? S3_OK : S3_MALFORMED_XML;
}

struct s3_xw {
    xmlBufferPtr buf;
    xmlTextWriterPtr w;
};
s3_xw *s3_xw_new(const char *root)
{
    s3_xw *w = calloc(1, sizeof *w);
    w->buf = xmlBufferCreate();
    w->w = xmlNewTextWriterMemory(w->buf, 0);
    xmlTextWriterStartDocument(w->w, NULL, "UTF-8", NULL);
    xmlTextWriterStartElement(w->w, BAD_CAST root);
    xmlTextWriterWriteAttribute(w->w, BAD_CAST "xmlns",
                                BAD_CAST
                                "http://s3.amazonaws.com/doc/2006-03-01/");
    return w;
}
void s3_xw_open(s3_xw *w, const char *name)
{
    xmlTextWriterStartElement(w->w, BAD_CAST name);
}
void s3_xw_close(s3_xw *w)
{
    xmlTextWriterEndElement(w->w);
}
void s3_xw_text(s3_xw *w, const char *name, const char *text)
{
    xmlTextWriterWriteElement(w->w, BAD_CAST name, BAD_CAST text);
}
void s3_xw_u64(s3_xw *w, const char *name, uint64_t v)
{
    char b[24];
    snprintf(b, sizeof b, "%llu", (unsigned long long)v);
    s3_xw_text(w, name, b);
}
char *s3_xw_finish(s3_xw *w, size_t *len)
{
    xmlTextWriterEndDocument(w->w);
    xmlFreeTextWriter(w->w);
    char *r = strdup((const char *)xmlBufferContent(w->buf));
    if (len)
        *len = strlen(r);
    xmlBufferFree(w->buf);
    free(w);
    return r;
}
