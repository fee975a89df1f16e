/* The XML of the S3 API over libxml2 (xml.h).
 *
 * Reading: a request body is refused before libxml2 sees it unless it
 * starts (after blanks and an optional UTF-8 byte order mark) with '<', so
 * that it is in an ASCII-compatible encoding, and unless it has no
 * "<!DOCTYPE" or "<!ENTITY" in its bytes: no DTD, hence no entity of its
 * own (no billion laughs, no external entity). libxml2 then reads it as
 * UTF-8 (its encoding declaration ignored) with no network access, and the
 * reader refuses any DTD or entity node it would still meet. */
#include "s3/xml.h"

#include <inttypes.h>
#include <libxml/xmlreader.h>
#include <libxml/xmlwriter.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/parse.h"

static pthread_once_t xml_once = PTHREAD_ONCE_INIT;

static void xml_init(void)
{
    xmlInitParser();
}

/* ---- reading ---- */

#define DEPTH_MAX 8
#define TEXT_MAX (S3_XML_KEY_MAX + 1)

/* The reader's walk: element local names by depth, and the text of the
 * innermost open element (TEXT_MAX bytes at most; longer text sets
 * too_long). */
typedef struct walk {
    const char *name[DEPTH_MAX];
    int depth; /* open elements */
    char text[TEXT_MAX + 1];
    size_t tlen;
    int too_long;
} walk;

static void quiet_errors(void *arg, const char *msg, xmlParserSeverities sev,
                         xmlTextReaderLocatorPtr loc)
{
    (void)arg, (void)msg, (void)sev, (void)loc;
}

/* libxml2 reports some faults (bad encodings) through its generic error
 * function, per thread, not the reader's: silenced, so that a client's
 * bad body does not write to the gateway's log. */
static void quiet_generic(void *ctx, const char *msg, ...)
{
    (void)ctx, (void)msg;
}

static int has_bytes(const char *p, size_t n, const char *s)
{
    size_t m = strlen(s);
    for (size_t i = 0; i + m <= n; i++)
        if (p[i] == s[0] && memcmp(p + i, s, m) == 0)
            return 1;
    return 0;
}

/* S3_OK when the body may go to libxml2 (see the top of the file). */
static s3_code precheck(const char *xml, size_t n)
{
    if (n > S3_XML_MAX)
        return S3_ENTITY_TOO_LARGE;
    size_t i = 0;
    if (n >= 3 && (uint8_t)xml[0] == 0xEF && (uint8_t)xml[1] == 0xBB &&
        (uint8_t)xml[2] == 0xBF)
        i = 3;
    while (i < n && (xml[i] == ' ' || xml[i] == '\t' || xml[i] == '\r' ||
                     xml[i] == '\n'))
        i++;
    if (i >= n || xml[i] != '<')
        return S3_MALFORMED_XML;
    if (has_bytes(xml, n, "<!DOCTYPE") || has_bytes(xml, n, "<!ENTITY"))
        return S3_MALFORMED_XML;
    return S3_OK;
}

/* Walks the document; on_end is called at each element's end with the
 * walk (depth still counting the element) and returns S3_OK to go on.
 * S3_MALFORMED_XML for a document libxml2 refuses or one with a DTD or
 * entity, or deeper than DEPTH_MAX. */
static s3_code walk_doc(const char *xml, size_t n,
                        s3_code (*on_end)(void *arg, walk *w), void *arg)
{
    s3_code rc = precheck(xml, n);
    if (rc != S3_OK)
        return rc;
    pthread_once(&xml_once, xml_init);
    xmlSetGenericErrorFunc(NULL, quiet_generic);
    xmlTextReaderPtr r = xmlReaderForMemory(
        xml, (int)n, NULL, "UTF-8",
        XML_PARSE_NONET | XML_PARSE_IGNORE_ENC | XML_PARSE_NOCDATA);
    if (!r)
        return S3_INTERNAL_ERROR;
    xmlTextReaderSetErrorHandler(r, quiet_errors, NULL);
    walk *w = calloc(1, sizeof *w);
    if (!w) {
        xmlFreeTextReader(r);
        return S3_INTERNAL_ERROR;
    }
    int ret;
    rc = S3_OK;
    /* element names are interned in the reader's dictionary: they live as
     * long as the reader */
    while (rc == S3_OK && (ret = xmlTextReaderRead(r)) == 1) {
        int type = xmlTextReaderNodeType(r);
        switch (type) {
        case XML_READER_TYPE_ELEMENT: {
            if (w->depth >= DEPTH_MAX) {
                rc = S3_MALFORMED_XML;
                break;
            }
            const xmlChar *nm = xmlTextReaderConstLocalName(r);
            w->name[w->depth++] = nm ? (const char *)nm : "";
            w->tlen = 0;
            w->text[0] = 0;
            w->too_long = 0;
            if (xmlTextReaderIsEmptyElement(r)) {
                rc = on_end(arg, w);
                w->depth--;
                w->tlen = 0;
                w->text[0] = 0;
            }
            break;
        }
        case XML_READER_TYPE_END_ELEMENT:
            if (w->depth <= 0) {
                rc = S3_MALFORMED_XML;
                break;
            }
            rc = on_end(arg, w);
            w->depth--;
            w->tlen = 0;
            w->text[0] = 0;
            w->too_long = 0;
            break;
        case XML_READER_TYPE_TEXT:
        case XML_READER_TYPE_CDATA:
        case XML_READER_TYPE_WHITESPACE:
        case XML_READER_TYPE_SIGNIFICANT_WHITESPACE: {
            const xmlChar *v = xmlTextReaderConstValue(r);
            size_t m = v ? strlen((const char *)v) : 0;
            if (w->tlen + m > TEXT_MAX) {
                w->too_long = 1;
                m = TEXT_MAX - w->tlen;
            }
            if (m)
                memcpy(w->text + w->tlen, v, m);
            w->tlen += m;
            w->text[w->tlen] = 0;
            break;
        }
        case XML_READER_TYPE_COMMENT:
        case XML_READER_TYPE_PROCESSING_INSTRUCTION:
        case XML_READER_TYPE_XML_DECLARATION:
            break;
        default: /* DTD, entity, notation: none in an S3 body */
            rc = S3_MALFORMED_XML;
            break;
        }
    }
    if (rc == S3_OK && ret != 0)
        rc = S3_MALFORMED_XML;
    free(w);
    xmlFreeTextReader(r);
    return rc;
}

/* The text without surrounding blanks, into out (cap bytes). -1 if it
 * does not fit. */
static int trimmed(const walk *w, char *out, size_t cap)
{
    size_t a = 0, b = w->tlen;
    while (a < b && strchr(" \t\r\n", w->text[a]))
        a++;
    while (b > a && strchr(" \t\r\n", w->text[b - 1]))
        b--;
    if (w->too_long || b - a >= cap)
        return -1;
    memcpy(out, w->text + a, b - a);
    out[b - a] = 0;
    return 0;
}

typedef struct complete_st {
    s3_part_ref *parts;
    size_t n, cap;
    int have_num, have_etag; /* in the open <Part> */
    s3_part_ref cur;
    int root_seen;
} complete_st;

static s3_code complete_end(void *arg, walk *w)
{
    complete_st *st = arg;
    if (w->depth == 1) {
        if (strcmp(w->name[0], "CompleteMultipartUpload") != 0)
            return S3_MALFORMED_XML;
        st->root_seen = 1;
        return S3_OK;
    }
    if (strcmp(w->name[0], "CompleteMultipartUpload") != 0)
        return S3_MALFORMED_XML;
    if (w->depth == 2) {
        if (strcmp(w->name[1], "Part") != 0)
            return S3_OK; /* other members: ignored */
        if (!st->have_num || !st->have_etag)
            return S3_MALFORMED_XML;
        if (st->n > 0 && st->cur.number <= st->parts[st->n - 1].number)
            return S3_INVALID_PART_ORDER;
        if (st->n == st->cap) {
            size_t nc = st->cap ? st->cap * 2 : 16;
            s3_part_ref *np = realloc(st->parts, nc * sizeof *np);
            if (!np)
                return S3_INTERNAL_ERROR;
            st->parts = np;
            st->cap = nc;
        }
        st->parts[st->n++] = st->cur;
        memset(&st->cur, 0, sizeof st->cur);
        st->have_num = st->have_etag = 0;
        return st->n > S3_XML_MAX_PARTS ? S3_MALFORMED_XML : S3_OK;
    }
    if (w->depth == 3 && strcmp(w->name[1], "Part") == 0) {
        char t[96];
        if (strcmp(w->name[2], "PartNumber") == 0) {
            uint64_t v;
            if (st->have_num || trimmed(w, t, sizeof t) != 0 ||
                cairn_parse_u64_max(t, S3_XML_MAX_PARTS, &v) != CAIRN_OK ||
                v == 0)
                return S3_MALFORMED_XML;
            st->cur.number = (uint32_t)v;
            st->have_num = 1;
        } else if (strcmp(w->name[2], "ETag") == 0) {
            if (st->have_etag || trimmed(w, t, sizeof t) != 0)
                return S3_MALFORMED_XML;
            char *e = t;
            size_t m = strlen(e);
            if (m >= 2 && e[0] == '"' && e[m - 1] == '"') {
                e[m - 1] = 0;
                e++;
                m -= 2;
            }
            if (m == 0 || m >= sizeof st->cur.etag)
                return S3_MALFORMED_XML;
            memcpy(st->cur.etag, e, m + 1);
            st->have_etag = 1;
        }
    }
    return S3_OK;
}

s3_code s3_xml_complete(const char *xml, size_t n, s3_part_ref **parts,
                        size_t *nparts)
{
    *parts = NULL;
    *nparts = 0;
    complete_st st = {0};
    s3_code rc = walk_doc(xml, n, complete_end, &st);
    if (rc == S3_OK && (!st.root_seen || st.n == 0))
        rc = S3_MALFORMED_XML;
    if (rc != S3_OK) {
        free(st.parts);
        return rc;
    }
    *parts = st.parts;
    *nparts = st.n;
    return S3_OK;
}

typedef struct delete_st {
    char **keys;
    size_t n, cap;
    char *cur; /* the open <Object>'s key */
    int quiet, quiet_seen, root_seen;
} delete_st;

static s3_code delete_end(void *arg, walk *w)
{
    delete_st *st = arg;
    if (strcmp(w->name[0], "Delete") != 0)
        return S3_MALFORMED_XML;
    if (w->depth == 1) {
        st->root_seen = 1;
        return S3_OK;
    }
    if (w->depth == 2 && strcmp(w->name[1], "Quiet") == 0) {
        char t[16];
        if (st->quiet_seen || trimmed(w, t, sizeof t) != 0)
            return S3_MALFORMED_XML;
        if (strcmp(t, "true") == 0)
            st->quiet = 1;
        else if (strcmp(t, "false") == 0)
            st->quiet = 0;
        else
            return S3_MALFORMED_XML;
        st->quiet_seen = 1;
        return S3_OK;
    }
    if (w->depth == 2 && strcmp(w->name[1], "Object") == 0) {
        if (!st->cur)
            return S3_MALFORMED_XML;
        if (st->n == S3_XML_MAX_DELETE)
            return S3_MALFORMED_XML;
        if (st->n == st->cap) {
            size_t nc = st->cap ? st->cap * 2 : 16;
            char **nk = realloc(st->keys, nc * sizeof *nk);
            if (!nk)
                return S3_INTERNAL_ERROR;
            st->keys = nk;
            st->cap = nc;
        }
        st->keys[st->n++] = st->cur;
        st->cur = NULL;
        return S3_OK;
    }
    if (w->depth == 3 && strcmp(w->name[1], "Object") == 0 &&
        strcmp(w->name[2], "Key") == 0) {
        /* a key is taken as is: blanks are part of it */
        if (st->cur || w->too_long || w->tlen == 0 ||
            w->tlen > S3_XML_KEY_MAX || strlen(w->text) != w->tlen)
            return S3_MALFORMED_XML;
        st->cur = strdup(w->text);
        return st->cur ? S3_OK : S3_INTERNAL_ERROR;
    }
    return S3_OK; /* VersionId and others: ignored */
}

s3_code s3_xml_delete(const char *xml, size_t n, char ***keys, size_t *nkeys,
                      int *quiet)
{
    *keys = NULL;
    *nkeys = 0;
    *quiet = 0;
    delete_st st = {0};
    s3_code rc = walk_doc(xml, n, delete_end, &st);
    if (rc == S3_OK && (!st.root_seen || st.n == 0))
        rc = S3_MALFORMED_XML;
    free(st.cur);
    if (rc != S3_OK) {
        for (size_t i = 0; i < st.n; i++)
            free(st.keys[i]);
        free(st.keys);
        return rc;
    }
    *keys = st.keys;
    *nkeys = st.n;
    *quiet = st.quiet;
    return S3_OK;
}

/* ---- writing ---- */

struct s3_xw {
    xmlBufferPtr buf;
    xmlTextWriterPtr tw;
    int failed;
};

static void xw_check(s3_xw *w, int rc)
{
    if (rc < 0)
        w->failed = 1;
}

s3_xw *s3_xw_new_ns(const char *root, const char *ns)
{
    pthread_once(&xml_once, xml_init);
    xmlSetGenericErrorFunc(NULL, quiet_generic);
    s3_xw *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->buf = xmlBufferCreate();
    if (w->buf)
        w->tw = xmlNewTextWriterMemory(w->buf, 0);
    if (!w->tw) {
        if (w->buf)
            xmlBufferFree(w->buf);
        free(w);
        return NULL;
    }
    xw_check(w, xmlTextWriterStartDocument(w->tw, NULL, "UTF-8", NULL));
    xw_check(w, xmlTextWriterStartElement(w->tw, BAD_CAST root));
    if (ns)
        xw_check(w, xmlTextWriterWriteAttribute(w->tw, BAD_CAST "xmlns",
                                                BAD_CAST ns));
    return w;
}

s3_xw *s3_xw_new(const char *root)
{
    return s3_xw_new_ns(root, "http://s3.amazonaws.com/doc/2006-03-01/");
}

void s3_xw_open(s3_xw *w, const char *name)
{
    if (w && !w->failed)
        xw_check(w, xmlTextWriterStartElement(w->tw, BAD_CAST name));
}

void s3_xw_close(s3_xw *w)
{
    if (w && !w->failed)
        xw_check(w, xmlTextWriterEndElement(w->tw));
}

/* Length of the valid UTF-8 sequence at p (n bytes left) that XML 1.0
 * allows, 0 if none. */
static size_t xml_char_len(const uint8_t *p, size_t n)
{
    uint32_t c;
    size_t len;
    if (p[0] < 0x80) {
        c = p[0];
        len = 1;
    } else if ((p[0] & 0xE0) == 0xC0) {
        c = p[0] & 0x1F;
        len = 2;
    } else if ((p[0] & 0xF0) == 0xE0) {
        c = p[0] & 0x0F;
        len = 3;
    } else if ((p[0] & 0xF8) == 0xF0) {
        c = p[0] & 0x07;
        len = 4;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        c = (c << 6) | (p[i] & 0x3F);
    }
    static const uint32_t min_of[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (c < min_of[len] || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    if (c < 0x20 && c != 0x09 && c != 0x0A && c != 0x0D)
        return 0;
    if (c == 0xFFFE || c == 0xFFFF)
        return 0;
    return len;
}

void s3_xw_text(s3_xw *w, const char *name, const char *text)
{
    if (!w || w->failed)
        return;
    if (!text)
        text = "";
    /* what XML cannot carry (bad UTF-8, control characters) becomes '?' */
    size_t n = strlen(text);
    char *clean = malloc(n + 1);
    if (!clean) {
        w->failed = 1;
        return;
    }
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        size_t l = xml_char_len((const uint8_t *)text + i, n - i);
        if (l == 0) {
            clean[o++] = '?';
            i++;
        } else {
            memcpy(clean + o, text + i, l);
            o += l;
            i += l;
        }
    }
    clean[o] = 0;
    xw_check(w,
             xmlTextWriterWriteElement(w->tw, BAD_CAST name, BAD_CAST clean));
    free(clean);
}

void s3_xw_u64(s3_xw *w, const char *name, uint64_t v)
{
    char t[24];
    snprintf(t, sizeof t, "%" PRIu64, v);
    s3_xw_text(w, name, t);
}

char *s3_xw_finish(s3_xw *w, size_t *len)
{
    if (!w)
        return NULL;
    char *out = NULL;
    if (!w->failed)
        xw_check(w, xmlTextWriterEndDocument(w->tw));
    xmlFreeTextWriter(w->tw); /* flushes into buf */
    if (!w->failed) {
        const xmlChar *c = xmlBufferContent(w->buf);
        size_t n = (size_t)xmlBufferLength(w->buf);
        out = malloc(n + 1);
        if (out) {
            memcpy(out, c, n);
            out[n] = 0;
            if (len)
                *len = n;
        }
    }
    xmlBufferFree(w->buf);
    free(w);
    return out;
}
