/* A strict HTTP/1.x request parser (net/http_parse.h). */
#include "net/http_parse.h"

#include <string.h>
#include <strings.h>

#include "cairn/parse.h"

size_t http_head_len(const char *p, size_t n)
{
    size_t i = 0;
    /* blank lines before a request are ignored (RFC 9112 2.2) */
    while (i < n &&
           (p[i] == '\n' || (p[i] == '\r' && i + 1 < n && p[i + 1] == '\n')))
        i += p[i] == '\r' ? 2 : 1;
    for (; i < n; i++) {
        if (p[i] != '\n')
            continue;
        if (i + 1 < n && p[i + 1] == '\n')
            return i + 2;
        if (i + 2 < n && p[i + 1] == '\r' && p[i + 2] == '\n')
            return i + 3;
    }
    return 0;
}

/* The next line of p[*pos..n) without its LF or CRLF; 0 at the end. */
static int next_line(const char *p, size_t n, size_t *pos, const char **line,
                     size_t *len)
{
    const char *nl = *pos < n ? memchr(p + *pos, '\n', n - *pos) : NULL;
    if (!nl)
        return 0;
    *line = p + *pos;
    *len = (size_t)(nl - *line);
    if (*len && (*line)[*len - 1] == '\r')
        (*len)--;
    *pos = (size_t)(nl - p) + 1;
    return 1;
}

/* RFC 9110 token characters. */
static int is_tchar(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
           (c >= 'A' && c <= 'Z') || (c && strchr("!#$%&'*+-.^_`|~", c));
}

static http_method method_of(const char *m, size_t n)
{
    static const struct {
        const char *name;
        http_method m;
    } tab[] = {{"GET", HTTP_GET},        {"HEAD", HTTP_HEAD},
               {"POST", HTTP_POST},      {"PUT", HTTP_PUT},
               {"DELETE", HTTP_DELETE},  {"OPTIONS", HTTP_OPTIONS},
               {"PATCH", HTTP_PATCH},    {"TRACE", HTTP_TRACE},
               {"CONNECT", HTTP_CONNECT}};
    for (size_t i = 0; i < sizeof tab / sizeof *tab; i++)
        if (strlen(tab[i].name) == n && memcmp(tab[i].name, m, n) == 0)
            return tab[i].m;
    return HTTP_OTHER;
}

#define FAIL(status, text)                                                     \
    do {                                                                       \
        *why = (text);                                                         \
        return (status);                                                       \
    } while (0)

/* "METHOD SP /target SP HTTP/1.x". */
static int request_line(const char *l, size_t n, http_head *h, const char **why)
{
    size_t m = 0, t;
    while (m < n && is_tchar((unsigned char)l[m]))
        m++;
    if (m == 0 || m >= n || l[m] != ' ')
        FAIL(400, "the request line must be METHOD /path HTTP/1.1");
    h->method = method_of(l, m);
    for (t = m + 1; t < n && l[t] > ' ' && l[t] < 0x7f; t++)
        ;
    if (t == m + 1 || t >= n || l[t] != ' ')
        FAIL(400, "the request line must be METHOD /path HTTP/1.1");
    if (l[m + 1] != '/')
        FAIL(400, "the request target must be a path starting with /");
    h->target = l + m + 1;
    h->target_len = t - m - 1;
    const char *v = l + t + 1;
    size_t vn = n - t - 1;
    if (vn == 8 && memcmp(v, "HTTP/1.", 7) == 0 &&
        (v[7] == '0' || v[7] == '1')) {
        h->minor = v[7] - '0';
        return 0;
    }
    if (vn == 8 && memcmp(v, "HTTP/", 5) == 0 && v[6] == '.')
        FAIL(505, "only HTTP/1.0 and HTTP/1.1 are served");
    FAIL(400, "the request line must be METHOD /path HTTP/1.1");
}

/* Header facts gathered before they are judged together. */
typedef struct hdr_facts {
    int length_bad, length_conflict, length_huge;
    int te_other, conn_close, conn_keep, expect_other;
} hdr_facts;

/* Whether the comma-separated list v holds token tok (any case). */
static int list_has(const char *v, size_t n, const char *tok)
{
    size_t k = strlen(tok), i = 0;
    while (i < n) {
        while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
            i++;
        size_t s = i;
        while (i < n && v[i] != ',')
            i++;
        size_t e = i;
        while (e > s && (v[e - 1] == ' ' || v[e - 1] == '\t'))
            e--;
        if (e - s == k && strncasecmp(v + s, tok, k) == 0)
            return 1;
    }
    return 0;
}

static int name_is(const char *name, size_t n, const char *want)
{
    return strlen(want) == n && strncasecmp(name, want, n) == 0;
}

/* Records what the header name: value means for framing. */
static void note_header(const char *name, size_t nn, const char *v, size_t vn,
                        http_head *h, hdr_facts *f)
{
    if (name_is(name, nn, "content-length")) {
        uint64_t len;
        cairn_err e = cairn_parse_u64_n(v, vn, UINT64_MAX, &len);
        if (e == CAIRN_ERR_OVERFLOW)
            f->length_huge = 1;
        else if (e)
            f->length_bad = 1;
        else if (h->has_length && h->length != len)
            f->length_conflict = 1;
        else
            h->has_length = 1, h->length = len;
    } else if (name_is(name, nn, "transfer-encoding")) {
        if (vn == 7 && strncasecmp(v, "chunked", 7) == 0 && !h->chunked)
            h->chunked = 1;
        else
            f->te_other = 1;
    } else if (name_is(name, nn, "connection")) {
        f->conn_close |= list_has(v, vn, "close");
        f->conn_keep |= list_has(v, vn, "keep-alive");
    } else if (name_is(name, nn, "expect")) {
        if (vn == 12 && strncasecmp(v, "100-continue", 12) == 0)
            h->expect_continue = h->minor == 1;
        else
            f->expect_other = 1;
    }
}

/* One "name: value" line. */
static int header_line(const char *l, size_t n, http_head *h, hdr_facts *f,
                       const char **why)
{
    size_t c = 0;
    if (l[0] == ' ' || l[0] == '\t')
        FAIL(400, "folded header lines are not accepted");
    while (c < n && is_tchar((unsigned char)l[c]))
        c++;
    if (c == 0 || c >= n || l[c] != ':')
        FAIL(400, "a header line must be Name: value");
    size_t s = c + 1, e = n;
    for (size_t i = s; i < n; i++)
        if (((unsigned char)l[i] < ' ' && l[i] != '\t') || l[i] == 0x7f)
            FAIL(400, "a header value holds a control character");
    while (s < e && (l[s] == ' ' || l[s] == '\t'))
        s++;
    while (e > s && (l[e - 1] == ' ' || l[e - 1] == '\t'))
        e--;
    note_header(l, c, l + s, e - s, h, f);
    return 0;
}

/* Judges the gathered facts; 0 or a status. */
static int judge(http_head *h, const hdr_facts *f, uint64_t max_body,
                 const char **why)
{
    if (f->te_other)
        FAIL(501, "the only transfer coding served is chunked");
    if (h->chunked && (h->has_length || f->length_bad || f->length_huge))
        FAIL(400, "Content-Length and Transfer-Encoding together");
    if (f->length_bad)
        FAIL(400, "Content-Length is not a decimal number");
    if (f->length_conflict)
        FAIL(400, "two different Content-Length values");
    if (f->length_huge || (h->has_length && h->length > max_body))
        FAIL(413, "the request body is larger than the node accepts");
    if (f->expect_other)
        FAIL(417, "the only expectation served is 100-continue");
    h->keep_alive = !f->conn_close && (h->minor == 1 || f->conn_keep);
    return 0;
}

int http_parse_head(const char *p, size_t n, uint64_t max_body, http_head *h,
                    const char **why)
{
    size_t pos = 0, len;
    const char *line;
    hdr_facts f = {0};
    int st;
    memset(h, 0, sizeof *h);
    do {
        if (!next_line(p, n, &pos, &line, &len))
            FAIL(400, "the request has no request line");
    } while (len == 0);
    if (memchr(line, '\r', len))
        FAIL(400, "a bare CR in the request line");
    if ((st = request_line(line, len, h, why)))
        return st;
    while (next_line(p, n, &pos, &line, &len) && len > 0)
        if ((st = header_line(line, len, h, &f, why)))
            return st;
    if (len != 0)
        FAIL(400, "the request head does not end with an empty line");
    return judge(h, &f, max_body, why);
}

enum { CS_SIZE, CS_DATA, CS_DATA_END, CS_TRAILER, CS_DONE };

static int hex_digit(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/* A chunk-size line: 1*HEXDIG [BWS] [";" extensions]. */
static int size_line(http_chunks *c, const char *l, size_t n, uint64_t max_body)
{
    uint64_t v = 0;
    size_t i = 0;
    int over = 0;
    for (int d; i < n && (d = hex_digit(l[i])) >= 0; i++) {
        over |= v >> 60 != 0;
        v = v << 4 | (uint64_t)d;
    }
    if (i == 0)
        return 400;
    while (i < n && (l[i] == ' ' || l[i] == '\t'))
        i++;
    if (i < n && l[i] != ';')
        return 400;
    for (; i < n; i++)
        if ((unsigned char)l[i] < ' ' && l[i] != '\t')
            return 400;
    if (over || v > max_body - c->total)
        return 413;
    c->left = v;
    c->state = v ? CS_DATA : CS_TRAILER;
    return 0;
}

/* The CRLF (or LF) after a chunk's data. */
static int data_end(http_chunks *c, const char *p, size_t n, size_t *used)
{
    if (p[0] == '\n')
        *used = 1;
    else if (p[0] == '\r' && n < 2)
        return HC_MORE;
    else if (p[0] == '\r' && p[1] == '\n')
        *used = 2;
    else
        return 400;
    c->state = CS_SIZE;
    return HC_SKIP;
}

/* One trailer line; an empty one ends the body. */
static int trailer_line(http_chunks *c, const char *p, size_t n,
                        size_t max_trailer, size_t *used)
{
    size_t room = max_trailer - c->trailer;
    const char *nl = memchr(p, '\n', n < room ? n : room);
    if (!nl)
        return n < room ? HC_MORE : 413;
    size_t len = (size_t)(nl - p);
    *used = len + 1;
    c->trailer += *used;
    if (len && p[len - 1] == '\r')
        len--;
    if (len == 0) {
        c->state = CS_DONE;
        return HC_DONE;
    }
    const char *colon = memchr(p, ':', len);
    return colon && colon != p && p[0] != ' ' && p[0] != '\t' ? HC_SKIP : 400;
}

int http_chunks_step(http_chunks *c, const char *p, size_t n, uint64_t max_body,
                     size_t max_trailer, size_t *used)
{
    *used = 0;
    if (c->state == CS_DATA) {
        size_t k = c->left < n ? (size_t)c->left : n;
        c->left -= k;
        c->total += k;
        c->state = c->left ? CS_DATA : CS_DATA_END;
        *used = k;
        return HC_DATA;
    }
    if (c->state == CS_DATA_END)
        return data_end(c, p, n, used);
    if (c->state == CS_TRAILER)
        return trailer_line(c, p, n, max_trailer, used);
    if (c->state == CS_DONE)
        return HC_DONE;
    size_t look = n < HTTP_CHUNK_LINE_MAX ? n : HTTP_CHUNK_LINE_MAX;
    const char *nl = memchr(p, '\n', look);
    if (!nl)
        return n < HTTP_CHUNK_LINE_MAX ? HC_MORE : 400;
    size_t len = (size_t)(nl - p);
    *used = len + 1;
    int st =
        size_line(c, p, len && p[len - 1] == '\r' ? len - 1 : len, max_body);
    if (st)
        *used = 0;
    return st ? st : HC_SKIP;
}

const char *http_reason(int status)
{
    switch (status) {
    case 100:
        return "Continue";
    case 200:
        return "OK";
    case 202:
        return "Accepted";
    case 400:
        return "Bad Request";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 408:
        return "Request Timeout";
    case 409:
        return "Conflict";
    case 413:
        return "Content Too Large";
    case 417:
        return "Expectation Failed";
    case 431:
        return "Request Header Fields Too Large";
    case 500:
        return "Internal Server Error";
    case 501:
        return "Not Implemented";
    case 503:
        return "Service Unavailable";
    case 505:
        return "HTTP Version Not Supported";
    default:
        return "Error";
    }
}
