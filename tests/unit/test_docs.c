/* The docs agree with the node's errors (issue 8, point 16): docs/api.md's
 * error table lists every code of include/cairn/error.h with its name
 * (cairn_errname), its C name and its HTTP status (api_status_of), and no
 * page of docs/ names an error any other way. Reads the tree at $CAIRN_SRC
 * (set by ctest). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/error.h"
#include "node/node_internal.h"
#include "unit/src_file.h"

#define NAME_MAX_LEN 48
#define DOCS_MAX 64

/* The C names of include/cairn/error.h, by code ("" when none). */
static char cnames[CAIRN__ERR_COUNT][NAME_MAX_LEN];

/* Fills cnames from "CAIRN_ERR_X = N," lines of error.h. */
static void parse_header(void)
{
    char *h = read_src("include/cairn/error.h");
    for (char *p = strstr(h, "CAIRN_ERR_"); p;
         p = strstr(p + 1, "CAIRN_ERR_")) {
        char name[NAME_MAX_LEN];
        int code, used = 0;
        if (sscanf(p + 10, "%47[A-Z_] = %d,%n", name, &code, &used) != 2 ||
            !used)
            continue;
        assert_true(code > 0 && code < CAIRN__ERR_COUNT);
        assert_string_equal(cnames[code], ""); /* one name per code */
        snprintf(cnames[code], sizeof cnames[code], "%s", name);
    }
    free(h);
    for (int c = 1; c < CAIRN__ERR_COUNT; c++)
        if (!cnames[c][0])
            fail_msg("error.h: no CAIRN_ERR_ name for code %d", c);
}

/* Copies the text between the first pair of backticks of cell into out. */
static int backticked(const char *cell, char *out, size_t n)
{
    const char *a = strchr(cell, '`'), *b = a ? strchr(a + 1, '`') : NULL;
    if (!b || (size_t)(b - a - 1) >= n)
        return -1;
    memcpy(out, a + 1, (size_t)(b - a - 1));
    out[b - a - 1] = '\0';
    return 0;
}

/* Splits a table row "| a | b | ... |" into at most max cells (the row is
 * modified). Returns the count. */
static int cells_of(char *row, char **cell, int max)
{
    int n = 0;
    char *p = strchr(row, '|');
    while (p && n < max) {
        char *q = strchr(p + 1, '|');
        if (!q)
            break;
        *q = '\0';
        cell[n++] = p + 1;
        p = q;
    }
    return n;
}

/* Checks one row of the error table; marks its code in seen[]. */
static void check_row(char *row, int *seen)
{
    char *c[6], name[NAME_MAX_LEN], cname[NAME_MAX_LEN];
    int code, http;
    if (cells_of(row, c, 6) != 5 || sscanf(c[0], " %d", &code) != 1)
        return; /* the header or its rule */
    if (code <= 0 || code >= CAIRN__ERR_COUNT)
        fail_msg("api.md lists code %d, which error.h does not have", code);
    if (seen[code]++)
        fail_msg("api.md lists code %d twice", code);
    if (backticked(c[1], name, sizeof name) ||
        backticked(c[2], cname, sizeof cname))
        fail_msg("api.md, code %d: name and C name must be in backticks", code);
    if (strcmp(name, cairn_errname((cairn_err)code)) != 0)
        fail_msg("api.md, code %d: \"%s\" but the node says \"%s\"", code, name,
                 cairn_errname((cairn_err)code));
    if (strncmp(cname, "CAIRN_ERR_", 10) != 0 ||
        strcmp(cname + 10, cnames[code]) != 0)
        fail_msg("api.md, code %d: %s but error.h says CAIRN_ERR_%s", code,
                 cname, cnames[code]);
    if (sscanf(c[3], " %d", &http) != 1 ||
        http != api_status_of((cairn_err)code))
        fail_msg("api.md, code %d (%s): HTTP %s but the node answers %d", code,
                 name, c[3], api_status_of((cairn_err)code));
    while (*c[4] == ' ')
        c[4]++;
    if (strlen(c[4]) < 3)
        fail_msg("api.md, code %d: no meaning given", code);
}

/* docs/api.md's "## Errors" table names every code as the node does. */
static void error_table(void **st)
{
    char *doc = read_src("docs/api.md");
    char *sec = strstr(doc, "\n## Errors");
    int seen[CAIRN__ERR_COUNT] = {0};
    assert_non_null(sec);
    char *end = strstr(sec + 1, "\n## ");
    if (end)
        *end = '\0';
    char *save = NULL;
    for (char *line = strtok_r(sec, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save))
        if (line[0] == '|')
            check_row(line, seen);
    for (int code = 1; code < CAIRN__ERR_COUNT; code++)
        if (!seen[code])
            fail_msg("api.md's error table lacks code %d (%s)", code,
                     cairn_errname((cairn_err)code));
    free(doc);
}

/* 1 when s is the name of an error (cairn_errname). */
static int is_errname(const char *s)
{
    for (int c = 0; c < CAIRN__ERR_COUNT; c++)
        if (strcmp(s, cairn_errname((cairn_err)c)) == 0)
            return 1;
    return 0;
}

/* The names of the Markdown pages checked: docs/ *.md and README.md. */
static int doc_pages(char names[DOCS_MAX][300])
{
    const char *root = getenv("CAIRN_SRC");
    char dir[1024];
    int n = 0;
    snprintf(dir, sizeof dir, "%s/docs", root ? root : ".");
    DIR *d = opendir(dir);
    assert_non_null(d);
    for (struct dirent *e; (e = readdir(d));) {
        size_t len = strlen(e->d_name);
        if (len > 3 && strcmp(e->d_name + len - 3, ".md") == 0) {
            assert_true(n < DOCS_MAX - 1); /* else raise DOCS_MAX */
            snprintf(names[n++], 300, "docs/%s", e->d_name);
        }
    }
    closedir(d);
    snprintf(names[n++], 300, "README.md");
    return n;
}

/* No page writes an error as its bare C suffix (`BAD_SIG`): the names are
 * the node's (`bad_signature`). */
static void check_no_c_suffix(const char *page, const char *text)
{
    char pat[NAME_MAX_LEN + 3];
    for (int c = 1; c < CAIRN__ERR_COUNT; c++) {
        snprintf(pat, sizeof pat, "`%s`", cnames[c]);
        if (strstr(text, pat))
            fail_msg("%s writes %s: use the node's name `%s`", page, pat,
                     cairn_errname((cairn_err)c));
    }
}

/* Every name after `after` (up to `stop`) at each place it occurs is an
 * error name: "\"error\": \"x\"", "exec_error: \"x\"", "400 `x`". */
static void check_after(const char *page, const char *text, const char *after,
                        char stop)
{
    size_t alen = strlen(after);
    for (const char *p = strstr(text, after); p; p = strstr(p + 1, after)) {
        char name[NAME_MAX_LEN];
        size_t n = 0;
        const char *q = p + alen;
        while (q[n] && q[n] != stop && n < sizeof name - 1)
            n++;
        memcpy(name, q, n);
        name[n] = '\0';
        if (q[n] == stop && !is_errname(name))
            fail_msg("%s: \"%s%s\" is not an error the node sends", page, after,
                     name);
    }
}

/* The same after an HTTP status: "404 `no_deal`". */
static void check_status_names(const char *page, const char *text)
{
    for (const char *p = strstr(text, " `"); p; p = strstr(p + 1, " `")) {
        if (p - text < 3 || !isdigit((unsigned char)p[-1]) ||
            !isdigit((unsigned char)p[-2]) || !strchr("45", p[-3]))
            continue;
        char name[NAME_MAX_LEN];
        if (backticked(p, name, sizeof name) == 0 && !is_errname(name))
            fail_msg("%s: \"%.3s `%s`\" is not an error the node sends", page,
                     p - 3, name);
    }
}

/* Each error named in a table column headed "error…": every part of a
 * cell, parentheses dropped, split at commas, is an error name. */
static void check_cell_names(const char *page, char *cell)
{
    char buf[512], *save, *part;
    size_t n = 0;
    for (int depth = 0; *cell && n < sizeof buf - 1; cell++) {
        depth += *cell == '(' ? 1 : *cell == ')' ? -1 : 0;
        if (!depth && *cell != ')' && *cell != '`')
            buf[n++] = *cell;
    }
    buf[n] = '\0';
    for (part = strtok_r(buf, ",", &save); part;
         part = strtok_r(NULL, ",", &save)) {
        char name[NAME_MAX_LEN];
        if (sscanf(part, " %47s", name) == 1 && strcmp(name, "—") != 0 &&
            !is_errname(name))
            fail_msg(
                "%s: \"%s\" in an error column is not an error the node sends",
                page, name);
    }
}

/* Finds the tables whose header has an "error" column and checks it. */
static void check_error_columns(const char *page, const char *text)
{
    char *t = strdup(text), *save, *c[12];
    int col = -1;
    assert_non_null(t);
    for (char *line = strtok_r(t, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        if (line[0] != '|') {
            col = -1;
            continue;
        }
        int n = cells_of(line, c, 12);
        if (col < 0) { /* a header row */
            for (int i = 0; i < n; i++)
                if (strncmp(c[i] + strspn(c[i], " "), "error", 5) == 0)
                    col = i;
            if (col < 0)
                col = -2; /* a table without one: skip it */
        } else if (col >= 0 && col < n && !strstr(c[col], "---")) {
            check_cell_names(page, c[col]);
        }
    }
    free(t);
}

/* Every page names errors as the node does. */
static void error_names_in_docs(void **st)
{
    char names[DOCS_MAX][300];
    int n = doc_pages(names);
    assert_true(n >= 5);
    for (int i = 0; i < n; i++) {
        char *text = read_src(names[i]);
        check_no_c_suffix(names[i], text);
        check_after(names[i], text, "\"error\": \"", '"');
        check_after(names[i], text, "\"exec_error\": \"", '"');
        check_after(names[i], text, "exec_error: \"", '"');
        check_status_names(names[i], text);
        check_error_columns(names[i], text);
        free(text);
    }
}

static int setup(void **st)
{
    parse_header();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(error_table),
        cmocka_unit_test(error_names_in_docs),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
