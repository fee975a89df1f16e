/* Internal: the XML of the S3 API (docs/s3-auth.md). Request bodies are read
 * with libxml2's reader, with no network, no DTD, no entity expansion and a
 * size cap (S3_XML_MAX); response bodies are written with xmlTextWriter.
 *
 * Threads: every function is safe to call from any thread (libxml2 is
 * initialized once, by the first call). */
#ifndef CAIRN_S3_XML_H
#define CAIRN_S3_XML_H

#include <stddef.h>
#include <stdint.h>

#include "s3/errors.h"

#define S3_XML_MAX (1u << 20)  /* bytes of a request body */
#define S3_XML_MAX_PARTS 10000 /* parts of CompleteMultipartUpload */
#define S3_XML_MAX_DELETE 1000 /* keys of DeleteObjects */
#define S3_XML_KEY_MAX 1024    /* bytes of an object key */

typedef struct s3_part_ref {
    uint32_t number;
    char etag[80]; /* as sent, quotes removed */
} s3_part_ref;

/* Parses a CompleteMultipartUpload body. S3_OK with *parts (in the body's
 * order, part numbers 1..S3_XML_MAX_PARTS strictly ascending) and
 * *nparts >= 1; S3_INVALID_PART_ORDER when the numbers do not ascend;
 * S3_MALFORMED_XML for a body that is not XML or not of this shape (no
 * DTD, no entity of its own), S3_ENTITY_TOO_LARGE over S3_XML_MAX. Allocates:
 * the caller frees *parts with free(). */
s3_code s3_xml_complete(const char *xml, size_t n, s3_part_ref **parts,
                        size_t *nparts);

/* Parses a DeleteObjects (<Delete>) body: the keys in body order and
 * <Quiet>. S3_OK, S3_MALFORMED_XML (also for no key or more than
 * S3_XML_MAX_DELETE) or S3_ENTITY_TOO_LARGE (over S3_XML_MAX). Allocates: the
 * caller frees each
 * (*keys)[i] and *keys with free(). */
s3_code s3_xml_delete(const char *xml, size_t n, char ***keys, size_t *nkeys,
                      int *quiet);

/* A tiny writer over libxml2's xmlTextWriter for response bodies. After an
 * allocation failure the writer ignores further calls and s3_xw_finish
 * returns NULL. */
typedef struct s3_xw s3_xw;

/* A document whose root element is root, with
 * xmlns="http://s3.amazonaws.com/doc/2006-03-01/". Allocates: finish it with
 * s3_xw_finish. NULL when out of memory. */
s3_xw *s3_xw_new(const char *root);
/* As s3_xw_new with the namespace ns on the root (NULL: none). */
s3_xw *s3_xw_new_ns(const char *root, const char *ns);

void s3_xw_open(s3_xw *w, const char *name);
void s3_xw_close(s3_xw *w);
void s3_xw_text(s3_xw *w, const char *name, const char *text);
void s3_xw_u64(s3_xw *w, const char *name, uint64_t v);

/* Closes the open elements and returns the document (NUL-terminated, *len
 * its length when len is not NULL). Frees w; the caller frees the result
 * with free(). NULL when out of memory or w is NULL. */
char *s3_xw_finish(s3_xw *w, size_t *len);

#endif
