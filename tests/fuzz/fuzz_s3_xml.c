/* libFuzzer target for the S3 gateway's XML (src/s3/xml.h): the
 * CompleteMultipartUpload and DeleteObjects readers on any bytes, and the
 * writer on any text.
 *
 * Both readers run on every input. On S3_OK, parts ascend from 1..10000
 * with NUL-terminated ETags, and keys are 1..1024 bytes; on any other code
 * nothing is handed out (ASan's leak check sees the rest). The writer's
 * document with the input as a key (up to its first NUL, at most 1024
 * bytes) must read back with s3_xml_delete as one key. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "s3/xml.h"

int LLVMFuzzerTestOneInput(const uint8_t *p, size_t n)
{
    const char *x = (const char *)p;
    s3_part_ref *parts;
    size_t np;
    s3_code c = s3_xml_complete(x, n, &parts, &np);
    if ((unsigned)c >= S3_CODE_COUNT)
        abort();
    if (c == S3_OK) {
        if (!parts || np == 0 || np > S3_XML_MAX_PARTS)
            abort();
        for (size_t i = 0; i < np; i++) {
            if (parts[i].number < 1 || parts[i].number > S3_XML_MAX_PARTS ||
                (i && parts[i].number <= parts[i - 1].number) ||
                strnlen(parts[i].etag, sizeof parts[i].etag) ==
                    sizeof parts[i].etag ||
                !parts[i].etag[0])
                abort();
        }
        free(parts);
    } else if (parts || np) {
        abort();
    }

    char **keys;
    size_t nk;
    int quiet;
    c = s3_xml_delete(x, n, &keys, &nk, &quiet);
    if ((unsigned)c >= S3_CODE_COUNT)
        abort();
    if (c == S3_OK) {
        if (!keys || nk == 0 || nk > S3_XML_MAX_DELETE)
            abort();
        for (size_t i = 0; i < nk; i++) {
            size_t l = strlen(keys[i]);
            if (l == 0 || l > S3_XML_KEY_MAX)
                abort();
            free(keys[i]);
        }
        free(keys);
    } else if (keys || nk) {
        abort();
    }

    /* the writer */
    size_t tl = strnlen(x, n);
    if (tl > S3_XML_KEY_MAX)
        tl = S3_XML_KEY_MAX;
    char *t = malloc(tl + 1);
    if (!t)
        abort();
    memcpy(t, x, tl);
    t[tl] = 0;
    s3_xw *w = s3_xw_new("Delete");
    if (!w)
        abort();
    s3_xw_text(w, "Quiet", "true");
    s3_xw_open(w, "Object");
    s3_xw_text(w, "Key", t);
    s3_xw_u64(w, "Size", n);
    size_t len;
    char *doc = s3_xw_finish(w, &len);
    if (!doc || strlen(doc) != len)
        abort();
    c = s3_xml_delete(doc, len, &keys, &nk, &quiet);
    if (tl > 0 && (c != S3_OK || nk != 1 || !quiet))
        abort();
    if (tl == 0 && c != S3_MALFORMED_XML)
        abort();
    if (c == S3_OK) {
        free(keys[0]);
        free(keys);
    }
    free(doc);
    free(t);
    return 0;
}
