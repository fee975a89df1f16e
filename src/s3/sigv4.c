/* AWS Signature Version 4 as S3 checks it (sigv4.h, docs/s3-auth.md). */
#include "s3/sigv4.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cairn/parse.h"

#define ALGO "AWS4-HMAC-SHA256"
#define CANON_MAX (256u * 1024) /* bytes of a canonical request */
#define QUERY_PARAMS_MAX 512
#define SIGNED_HEADERS_MAX 64

/* ---- a growing string ---- */

typedef struct sbuf {
    char *p;
    size_t n, cap;
    int bad; /* out of memory or over CANON_MAX */
} sbuf;

static void sb_add(sbuf *b, const char *s, size_t n)
{
    if (b->bad)
        return;
    if (b->n + n + 1 > CANON_MAX) {
        b->bad = 1;
        return;
    }
    if (b->n + n + 1 > b->cap) {
        size_t nc = b->cap ? b->cap : 256;
        while (nc < b->n + n + 1)
            nc *= 2;
        char *np = realloc(b->p, nc);
        if (!np) {
            b->bad = 1;
            return;
        }
        b->p = np;
        b->cap = nc;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = 0;
}

static void sb_str(sbuf *b, const char *s)
{
    sb_add(b, s, strlen(s));
}

static void sb_ch(sbuf *b, char c)
{
    sb_add(b, &c, 1);
}

/* ---- URI encoding ---- */

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static int unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
           (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
           c == '~';
}

static void enc_byte(sbuf *b, unsigned char c)
{
    static const char hx[] = "0123456789ABCDEF";
    if (unreserved(c)) {
        sb_ch(b, (char)c);
    } else {
        char e[3] = {'%', hx[c >> 4], hx[c & 15]};
        sb_add(b, e, 3);
    }
}

int s3_uri_decode(char *out, size_t cap, const char *in, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        int c = (unsigned char)in[i];
        if (c == '%') {
            if (i + 2 >= n) /* fewer than two characters follow */
                return -1;
            int h = hexval(in[i + 1]), l = hexval(in[i + 2]);
            if (h < 0 || l < 0)
                return -1;
            c = h * 16 + l;
            i += 2;
        }
        if (c == 0 || o + 1 >= cap)
            return -1;
        out[o++] = (char)c;
    }
    if (o >= cap)
        return -1;
    out[o] = 0;
    return (int)o;
}

/* The canonical URI of the raw path: each byte as S3 encodes it (the
 * unreserved ones bare, others %XX upper-case), '/' kept, an escape of an
 * unreserved byte decoded and other escapes kept (so that %2F stays %2F).
 * -1 on a bad escape. */
static int canon_path(sbuf *b, const char *raw)
{
    if (!raw || !*raw) {
        sb_ch(b, '/');
        return 0;
    }
    for (size_t i = 0; raw[i]; i++) {
        unsigned char c = (unsigned char)raw[i];
        if (c == '%') {
            int h = hexval(raw[i + 1]);
            int l = h < 0 ? -1 : hexval(raw[i + 2]);
            if (h < 0 || l < 0)
                return -1;
            enc_byte(b, (unsigned char)(h * 16 + l));
            i += 2;
        } else if (c == '/') {
            sb_ch(b, '/');
        } else {
            enc_byte(b, c);
        }
    }
    return 0;
}

/* ---- the query ---- */

typedef struct qparam {
    char *name, *value; /* encoded as S3 canonicalizes them */
    char *dname;        /* decoded name */
} qparam;

static int qp_cmp(const void *a, const void *b)
{
    const qparam *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : strcmp(x->value, y->value);
}

/* Decodes n bytes at s (malloc'd result in *dec) and re-encodes them
 * strictly (malloc'd *enc). -1 on a bad escape or NUL, -2 out of memory. */
static int norm_component(const char *s, size_t n, char **dec, char **enc)
{
    *dec = *enc = NULL;
    char *d = malloc(n + 1);
    if (!d)
        return -2;
    int dl = s3_uri_decode(d, n + 1, s, n);
    if (dl < 0) {
        free(d);
        return -1;
    }
    sbuf b = {0};
    for (int i = 0; i < dl; i++)
        enc_byte(&b, (unsigned char)d[i]);
    if (!b.p)
        sb_add(&b, "", 0);
    if (b.bad) {
        free(b.p);
        free(d);
        return -2;
    }
    *dec = d;
    *enc = b.p;
    return 0;
}

typedef struct query {
    qparam *p;
    size_t n;
} query;

static void query_free(query *q)
{
    for (size_t i = 0; i < q->n; i++) {
        free(q->p[i].name);
        free(q->p[i].value);
        free(q->p[i].dname);
    }
    free(q->p);
    q->p = NULL;
    q->n = 0;
}

/* Splits the raw query. 0, -1 when malformed (bad escape, too many
 * parameters), -2 out of memory. */
static int query_parse(query *q, const char *raw)
{
    q->p = NULL;
    q->n = 0;
    size_t cap = 0;
    const char *s = raw ? raw : "";
    while (*s) {
        const char *amp = strchr(s, '&');
        size_t len = amp ? (size_t)(amp - s) : strlen(s);
        if (len > 0) {
            if (q->n == QUERY_PARAMS_MAX)
                return -1;
            if (q->n == cap) {
                size_t nc = cap ? cap * 2 : 16;
                qparam *np = realloc(q->p, nc * sizeof *np);
                if (!np)
                    return -2;
                q->p = np;
                cap = nc;
            }
            const char *eq = memchr(s, '=', len);
            size_t nl = eq ? (size_t)(eq - s) : len;
            const char *v = eq ? eq + 1 : s + len;
            size_t vl = eq ? len - nl - 1 : 0;
            qparam *p = &q->p[q->n];
            memset(p, 0, sizeof *p);
            char *vdec = NULL;
            int rc = norm_component(s, nl, &p->dname, &p->name);
            if (rc == 0)
                rc = norm_component(v, vl, &vdec, &p->value);
            free(vdec);
            q->n++; /* freed by query_free even when half filled */
            if (rc != 0)
                return rc;
        }
        if (!amp)
            break;
        s = amp + 1;
    }
    return 0;
}

/* The decoded value of the first parameter named name (decoded), into out;
 * 1 found, 0 absent, -1 too long or bad. */
static int query_get(const char *raw, const char *name, char *out, size_t cap)
{
    const char *s = raw ? raw : "";
    size_t nlen = strlen(name);
    while (*s) {
        const char *amp = strchr(s, '&');
        size_t len = amp ? (size_t)(amp - s) : strlen(s);
        const char *eq = memchr(s, '=', len);
        size_t nl = eq ? (size_t)(eq - s) : len;
        char dn[64];
        if (nl < sizeof dn && s3_uri_decode(dn, sizeof dn, s, nl) >= 0 &&
            strlen(dn) == nlen && memcmp(dn, name, nlen) == 0) {
            if (!eq) {
                if (cap == 0)
                    return -1;
                out[0] = 0;
                return 1;
            }
            return s3_uri_decode(out, cap, eq + 1, len - nl - 1) < 0 ? -1 : 1;
        }
        if (!amp)
            break;
        s = amp + 1;
    }
    return 0;
}

/* ---- time ---- */

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static int digits(const char *s, size_t n, unsigned *v)
{
    unsigned x = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        x = x * 10 + (unsigned)(s[i] - '0');
    }
    *v = x;
    return 0;
}

/* "YYYYMMDDTHHMMSSZ" to Unix seconds; -1 if malformed. */
static int parse_amz_date(const char *s, int64_t *t)
{
    unsigned y, mo, d, h, mi, se;
    if (!s || strlen(s) != 16 || s[8] != 'T' || s[15] != 'Z' ||
        digits(s, 4, &y) || digits(s + 4, 2, &mo) || digits(s + 6, 2, &d) ||
        digits(s + 9, 2, &h) || digits(s + 11, 2, &mi) ||
        digits(s + 13, 2, &se))
        return -1;
    if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
        se > 60)
        return -1;
    *t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
    return 0;
}

/* ---- HMAC and hashes ---- */

static void hmac(uint8_t out[32], const uint8_t *key, size_t klen,
                 const char *msg, size_t mlen)
{
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, key, klen);
    crypto_auth_hmacsha256_update(&st, (const uint8_t *)msg, mlen);
    crypto_auth_hmacsha256_final(&st, out);
    sodium_memzero(&st, sizeof st);
}

/* The lower-hex signature of sts under secret, date, region (service s3). */
static void sign(char out[65], const char *secret, const char *date,
                 const char *region, const char *sts, size_t stslen)
{
    uint8_t k[32], k2[32];
    char first[4 + 129];
    int fl = snprintf(first, sizeof first, "AWS4%s", secret);
    hmac(k, (const uint8_t *)first, (size_t)fl, date, strlen(date));
    hmac(k2, k, 32, region, strlen(region));
    hmac(k, k2, 32, "s3", 2);
    hmac(k2, k, 32, "aws4_request", 12);
    hmac(k, k2, 32, sts, stslen);
    sodium_bin2hex(out, 65, k, 32);
    sodium_memzero(first, sizeof first);
    sodium_memzero(k, sizeof k);
    sodium_memzero(k2, sizeof k2);
}

/* ---- the parts of a signature ---- */

typedef struct sigparts {
    char akid[129];
    char date[9]; /* of the credential scope */
    char region[64];
    char signed_headers[1024];
    char signature[65];
    char amz_date[17];
    int64_t t;
} sigparts;

static s3_code fail(char *msg, size_t msglen, s3_code c, const char *text)
{
    if (msglen)
        snprintf(msg, msglen, "%s", text ? text : s3_code_message(c));
    return c;
}

/* "AKID/DATE/REGION/s3/aws4_request" into p. */
static s3_code parse_credential(sigparts *p, const char *cred, char *msg,
                                size_t msglen)
{
    const char *f[5];
    size_t l[5];
    const char *s = cred;
    for (int i = 0; i < 5; i++) {
        const char *sl = strchr(s, '/');
        if ((i < 4) != (sl != NULL))
            return fail(msg, msglen, S3_AUTH_MALFORMED,
                        "The credential must be "
                        "ACCESS_KEY_ID/YYYYMMDD/REGION/s3/aws4_request.");
        f[i] = s;
        l[i] = sl ? (size_t)(sl - s) : strlen(s);
        s = sl ? sl + 1 : s + l[i];
    }
    if (l[0] == 0 || l[0] >= sizeof p->akid)
        return fail(msg, msglen, S3_INVALID_ACCESS_KEY_ID, NULL);
    memcpy(p->akid, f[0], l[0]);
    p->akid[l[0]] = 0;
    unsigned dummy;
    if (l[1] != 8 || digits(f[1], 8, &dummy) != 0)
        return fail(msg, msglen, S3_AUTH_MALFORMED,
                    "The credential's date must be YYYYMMDD.");
    memcpy(p->date, f[1], 8);
    p->date[8] = 0;
    if (l[2] == 0 || l[2] >= sizeof p->region)
        return fail(msg, msglen, S3_AUTH_MALFORMED,
                    "The credential's region is empty or too long.");
    for (size_t i = 0; i < l[2]; i++) {
        char c = f[2][i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
            return fail(msg, msglen, S3_AUTH_MALFORMED,
                        "The credential's region must be of a-z 0-9 -.");
    }
    memcpy(p->region, f[2], l[2]);
    p->region[l[2]] = 0;
    if (l[3] != 2 || memcmp(f[3], "s3", 2) != 0)
        return fail(msg, msglen, S3_AUTH_MALFORMED,
                    "The credential's service must be s3.");
    if (l[4] != 12 || memcmp(f[4], "aws4_request", 12) != 0)
        return fail(msg, msglen, S3_AUTH_MALFORMED,
                    "The credential must end in aws4_request.");
    return S3_OK;
}

static int is_lower_hex(const char *s, size_t n)
{
    if (strlen(s) != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return 1;
}

static s3_code check_signed_headers(const char *sh, char *msg, size_t msglen)
{
    size_t n = strlen(sh), count = 0;
    int host = 0;
    if (n == 0)
        return fail(msg, msglen, S3_AUTH_MALFORMED,
                    "SignedHeaders is empty: sign at least host.");
    const char *s = sh;
    while (*s) {
        const char *semi = strchr(s, ';');
        size_t l = semi ? (size_t)(semi - s) : strlen(s);
        if (l == 0 || ++count > SIGNED_HEADERS_MAX)
            return fail(msg, msglen, S3_AUTH_MALFORMED,
                        "SignedHeaders is malformed.");
        for (size_t i = 0; i < l; i++) {
            char c = s[i];
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_'))
                return fail(msg, msglen, S3_AUTH_MALFORMED,
                            "SignedHeaders must be lower-case header names "
                            "separated by ';'.");
        }
        if (l == 4 && memcmp(s, "host", 4) == 0)
            host = 1;
        if (!semi)
            break;
        if (!semi[1])
            return fail(msg, msglen, S3_AUTH_MALFORMED,
                        "SignedHeaders is malformed.");
        s = semi + 1;
    }
    if (!host)
        return fail(msg, msglen, S3_AUTH_MALFORMED,
                    "SignedHeaders must include host.");
    return S3_OK;
}

/* Copies the value of a "Name=value" component (the part after the '=')
 * when s starts with name= ; 1 matched, 0 not, -1 too long. */
static int component(const char *s, size_t len, const char *name, char *out,
                     size_t cap)
{
    size_t nl = strlen(name);
    if (len < nl + 1 || memcmp(s, name, nl) != 0 || s[nl] != '=')
        return 0;
    size_t vl = len - nl - 1;
    if (vl >= cap)
        return -1;
    memcpy(out, s + nl + 1, vl);
    out[vl] = 0;
    return 1;
}

/* Parses "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=..."
 * into p. */
static s3_code parse_authorization(sigparts *p, const char *v, char *msg,
                                   size_t msglen)
{
    size_t al = strlen(ALGO);
    if (strncmp(v, "AWS ", 4) == 0)
        return fail(msg, msglen, S3_INVALID_REQUEST,
                    "Signature version 2 is not supported: sign with AWS "
                    "Signature Version 4 (s3cmd: signature_v2 = False).");
    if (strncmp(v, ALGO, al) != 0 || (v[al] != ' ' && v[al] != '\t'))
        return fail(msg, msglen, S3_AUTH_MALFORMED,
                    "The authorization header must start with "
                    "AWS4-HMAC-SHA256 (AWS Signature Version 4).");
    char cred[512];
    int have_cred = 0, have_sh = 0, have_sig = 0;
    const char *s = v + al;
    for (;;) {
        while (*s == ' ' || *s == '\t')
            s++;
        if (!*s)
            break;
        const char *comma = strchr(s, ',');
        size_t len = comma ? (size_t)(comma - s) : strlen(s);
        while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
            len--;
        int r;
        if ((r = component(s, len, "Credential", cred, sizeof cred)) != 0) {
            if (r < 0 || have_cred++)
                return fail(msg, msglen, S3_AUTH_MALFORMED,
                            "The authorization header's Credential is "
                            "malformed.");
        } else if ((r = component(s, len, "SignedHeaders", p->signed_headers,
                                  sizeof p->signed_headers)) != 0) {
            if (r < 0 || have_sh++)
                return fail(msg, msglen, S3_AUTH_MALFORMED,
                            "The authorization header's SignedHeaders is "
                            "malformed.");
        } else if ((r = component(s, len, "Signature", p->signature,
                                  sizeof p->signature)) != 0) {
            if (r < 0 || have_sig++)
                return fail(msg, msglen, S3_AUTH_MALFORMED,
                            "The authorization header's Signature is "
                            "malformed.");
        } else {
            return fail(msg, msglen, S3_AUTH_MALFORMED,
                        "The authorization header has an unknown "
                        "component: expected Credential, SignedHeaders and "
                        "Signature.");
        }
        if (!comma)
            break;
        s = comma + 1;
    }
    if (!have_cred || !have_sh || !have_sig)
        return fail(msg, msglen, S3_AUTH_MALFORMED,
                    "The authorization header needs Credential, "
                    "SignedHeaders and Signature.");
    if (!is_lower_hex(p->signature, 64))
        return fail(msg, msglen, S3_AUTH_MALFORMED,
                    "The signature must be 64 lower-case hex digits.");
    s3_code c = parse_credential(p, cred, msg, msglen);
    if (c != S3_OK)
        return c;
    return check_signed_headers(p->signed_headers, msg, msglen);
}

static const char *hdr(const s3_sig_req *r, const char *name)
{
    return r->header ? r->header(r->harg, name) : NULL;
}

/* Appends the header's value trimmed, inner blank runs as one space. */
static void canon_value(sbuf *b, const char *v)
{
    int pending = 0, any = 0;
    for (const char *s = v; *s; s++) {
        if (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n') {
            pending = any;
            continue;
        }
        if (pending)
            sb_ch(b, ' ');
        pending = 0;
        any = 1;
        sb_ch(b, *s);
    }
}

/* Builds the canonical request into b. */
static s3_code canonical_request(sbuf *b, const s3_sig_req *r,
                                 const sigparts *p, int presigned,
                                 const char *payload, char *msg, size_t msglen)
{
    sb_str(b, r->method ? r->method : "");
    sb_ch(b, '\n');
    if (canon_path(b, r->path) != 0)
        return fail(msg, msglen, S3_INVALID_REQUEST,
                    "The request path has a bad %-escape.");
    sb_ch(b, '\n');
    query q;
    int qr = query_parse(&q, r->query);
    if (qr != 0) {
        query_free(&q);
        return qr == -2 ? fail(msg, msglen, S3_INTERNAL_ERROR, NULL)
                        : fail(msg, msglen, S3_INVALID_REQUEST,
                               "The query string is malformed (bad %-escape "
                               "or too many parameters).");
    }
    if (q.n > 1)
        qsort(q.p, q.n, sizeof *q.p, qp_cmp);
    int first = 1;
    for (size_t i = 0; i < q.n; i++) {
        if (presigned && strcmp(q.p[i].dname, "X-Amz-Signature") == 0)
            continue;
        if (!first)
            sb_ch(b, '&');
        first = 0;
        sb_str(b, q.p[i].name);
        sb_ch(b, '=');
        sb_str(b, q.p[i].value);
    }
    query_free(&q);
    sb_ch(b, '\n');
    const char *s = p->signed_headers;
    while (*s) {
        const char *semi = strchr(s, ';');
        size_t l = semi ? (size_t)(semi - s) : strlen(s);
        char name[128];
        if (l >= sizeof name)
            return fail(msg, msglen, S3_AUTH_MALFORMED,
                        "A signed header name is too long.");
        memcpy(name, s, l);
        name[l] = 0;
        const char *v = hdr(r, name);
        if (!v) {
            char t[256];
            snprintf(t, sizeof t, "The signed header %s is not in the request.",
                     name);
            return fail(msg, msglen, S3_SIGNATURE_DOES_NOT_MATCH, t);
        }
        sb_str(b, name);
        sb_ch(b, ':');
        canon_value(b, v);
        sb_ch(b, '\n');
        if (!semi)
            break;
        s = semi + 1;
    }
    sb_ch(b, '\n');
    sb_str(b, p->signed_headers);
    sb_ch(b, '\n');
    sb_str(b, payload);
    if (b->bad)
        return fail(msg, msglen, S3_REQUEST_HEADER_TOO_LARGE,
                    "The request is too large to sign.");
    return S3_OK;
}

/* Checks the signature p->signature of the request under key. */
static s3_code verify(const s3_sig_req *r, const sigparts *p, const s3_key *key,
                      int presigned, const char *payload, char *msg,
                      size_t msglen)
{
    sbuf cr = {0};
    s3_code c = canonical_request(&cr, r, p, presigned, payload, msg, msglen);
    if (c != S3_OK) {
        free(cr.p);
        return c;
    }
    uint8_t h[32];
    crypto_hash_sha256(h, (const uint8_t *)cr.p, cr.n);
    free(cr.p);
    char hhex[65];
    sodium_bin2hex(hhex, sizeof hhex, h, sizeof h);
    char sts[512];
    int n = snprintf(sts, sizeof sts, "%s\n%s\n%s/%s/s3/aws4_request\n%s", ALGO,
                     p->amz_date, p->date, p->region, hhex);
    if (n < 0 || (size_t)n >= sizeof sts)
        return fail(msg, msglen, S3_AUTH_MALFORMED, NULL);
    char want[65];
    sign(want, key->secret, p->date, p->region, sts, (size_t)n);
    int ok = sodium_memcmp(want, p->signature, 64) == 0;
    sodium_memzero(want, sizeof want);
    if (!ok)
        return fail(msg, msglen, S3_SIGNATURE_DOES_NOT_MATCH, NULL);
    return S3_OK;
}

static s3_code check_header(const s3_sig_req *r, const char *authz,
                            const s3_keys *keys, s3_auth *out, char *msg,
                            size_t msglen)
{
    sigparts p;
    memset(&p, 0, sizeof p);
    s3_code c = parse_authorization(&p, authz, msg, msglen);
    if (c != S3_OK)
        return c;
    const s3_key *key = s3_keys_find(keys, p.akid);
    if (!key)
        return fail(msg, msglen, S3_INVALID_ACCESS_KEY_ID, NULL);
    const char *d = hdr(r, "x-amz-date");
    if (!d)
        return fail(msg, msglen, S3_ACCESS_DENIED,
                    "AWS authentication requires a valid x-amz-date header.");
    if (parse_amz_date(d, &p.t) != 0)
        return fail(msg, msglen, S3_ACCESS_DENIED,
                    "x-amz-date must be YYYYMMDDTHHMMSSZ.");
    memcpy(p.amz_date, d, 16);
    p.amz_date[16] = 0;
    if (memcmp(p.amz_date, p.date, 8) != 0)
        return fail(msg, msglen, S3_AUTH_MALFORMED,
                    "The credential's date is not the date of x-amz-date.");
    int64_t skew = r->now - p.t;
    if (skew < 0)
        skew = -skew;
    if (skew > r->max_skew)
        return fail(msg, msglen, S3_REQUEST_TIME_TOO_SKEWED,
                    "The difference between the request time and the "
                    "server's time is too large.");
    const char *pl = hdr(r, "x-amz-content-sha256");
    if (!pl)
        return fail(msg, msglen, S3_INVALID_REQUEST,
                    "Missing required header for this request: "
                    "x-amz-content-sha256.");
    if (strncmp(pl, "STREAMING-", 10) == 0)
        return fail(msg, msglen, S3_NOT_IMPLEMENTED,
                    "Streaming (aws-chunked) uploads are not supported: "
                    "send the body whole, signed or UNSIGNED-PAYLOAD.");
    int unsigned_payload = strcmp(pl, "UNSIGNED-PAYLOAD") == 0;
    if (!unsigned_payload && !is_lower_hex(pl, 64))
        return fail(msg, msglen, S3_INVALID_ARGUMENT,
                    "x-amz-content-sha256 must be UNSIGNED-PAYLOAD or the "
                    "lower-case hex SHA-256 of the body.");
    c = verify(r, &p, key, 0, pl, msg, msglen);
    if (c != S3_OK)
        return c;
    out->key = key;
    out->presigned = 0;
    snprintf(out->payload_sha256, sizeof out->payload_sha256, "%s",
             unsigned_payload ? "" : pl);
    snprintf(out->region, sizeof out->region, "%s", p.region);
    return S3_OK;
}

static s3_code check_presigned(const s3_sig_req *r, const s3_keys *keys,
                               s3_auth *out, char *msg, size_t msglen)
{
    sigparts p;
    memset(&p, 0, sizeof p);
    char algo[32], cred[512], exp[16];
    const char *bad = "The presigned URL needs X-Amz-Algorithm, "
                      "X-Amz-Credential, X-Amz-Date, X-Amz-Expires, "
                      "X-Amz-SignedHeaders and X-Amz-Signature.";
    if (query_get(r->query, "X-Amz-Algorithm", algo, sizeof algo) != 1 ||
        query_get(r->query, "X-Amz-Credential", cred, sizeof cred) != 1 ||
        query_get(r->query, "X-Amz-Date", p.amz_date, sizeof p.amz_date) != 1 ||
        query_get(r->query, "X-Amz-Expires", exp, sizeof exp) != 1 ||
        query_get(r->query, "X-Amz-SignedHeaders", p.signed_headers,
                  sizeof p.signed_headers) != 1 ||
        query_get(r->query, "X-Amz-Signature", p.signature,
                  sizeof p.signature) != 1)
        return fail(msg, msglen, S3_AUTH_MALFORMED, bad);
    if (strcmp(algo, ALGO) != 0)
        return fail(msg, msglen, S3_AUTH_MALFORMED,
                    "X-Amz-Algorithm must be AWS4-HMAC-SHA256.");
    if (!is_lower_hex(p.signature, 64))
        return fail(msg, msglen, S3_AUTH_MALFORMED,
                    "X-Amz-Signature must be 64 lower-case hex digits.");
    s3_code c = parse_credential(&p, cred, msg, msglen);
    if (c == S3_OK)
        c = check_signed_headers(p.signed_headers, msg, msglen);
    if (c != S3_OK)
        return c;
    const s3_key *key = s3_keys_find(keys, p.akid);
    if (!key)
        return fail(msg, msglen, S3_INVALID_ACCESS_KEY_ID, NULL);
    if (parse_amz_date(p.amz_date, &p.t) != 0)
        return fail(msg, msglen, S3_AUTH_MALFORMED,
                    "X-Amz-Date must be YYYYMMDDTHHMMSSZ.");
    if (memcmp(p.amz_date, p.date, 8) != 0)
        return fail(msg, msglen, S3_AUTH_MALFORMED,
                    "The credential's date is not the date of X-Amz-Date.");
    uint64_t expires;
    if (cairn_parse_u64_max(exp, S3_PRESIGN_MAX_EXPIRES, &expires) !=
            CAIRN_OK ||
        expires == 0)
        return fail(msg, msglen, S3_AUTH_MALFORMED,
                    "X-Amz-Expires must be a number of seconds from 1 to "
                    "604800 (7 days).");
    if (p.t > r->now + r->max_skew)
        return fail(msg, msglen, S3_REQUEST_TIME_TOO_SKEWED,
                    "The presigned URL is dated in the future: check the "
                    "clock of the machine that signed it.");
    if (r->now > p.t + (int64_t)expires)
        return fail(msg, msglen, S3_EXPIRED_TOKEN, "Request has expired");
    c = verify(r, &p, key, 1, "UNSIGNED-PAYLOAD", msg, msglen);
    if (c != S3_OK)
        return c;
    out->key = key;
    out->presigned = 1;
    out->payload_sha256[0] = 0;
    snprintf(out->region, sizeof out->region, "%s", p.region);
    return S3_OK;
}

s3_code s3_sigv4_check(const s3_sig_req *r, const s3_keys *keys, s3_auth *out,
                       char *msg, size_t msglen)
{
    memset(out, 0, sizeof *out);
    if (msglen)
        msg[0] = 0;
    const char *authz = hdr(r, "authorization");
    char algo[32];
    int pre = query_get(r->query, "X-Amz-Algorithm", algo, sizeof algo);
    if (authz && pre != 0)
        return fail(msg, msglen, S3_INVALID_ARGUMENT,
                    "Only one auth mechanism allowed; only the "
                    "X-Amz-Algorithm query parameter or the Authorization "
                    "header should be specified.");
    if (authz)
        return check_header(r, authz, keys, out, msg, msglen);
    if (pre != 0)
        return check_presigned(r, keys, out, msg, msglen);
    return fail(msg, msglen, S3_ACCESS_DENIED,
                "Anonymous access is not allowed: sign requests with AWS "
                "Signature Version 4 and an access key of the gateway's keys "
                "file.");
}
