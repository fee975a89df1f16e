/* Unit tests of the simulator's reports (src/sim/plot.c, compare.c): the
 * metrics.csv reader refuses every malformed file with its line named,
 * sim_plot writes plots.gp and the PNGs (when gnuplot is installed; the
 * missing-gnuplot message otherwise), a folder name with shell syntax in
 * it runs nothing, and the compare of two hand-written runs
 * (tests/data/sim/a, b) gives the exact base-unit differences and totals.
 * Every folder is made under a mkdtemp directory and removed after. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "sim/report.h"
#include "src_file.h"

#define HEADER                                                                 \
    "epoch,providers_active,providers_joined,providers_left,users,"            \
    "usage_units,revenue,fees_providers,fees_burned,fees_treasury,"            \
    "fees_stakers,emitted,burned,net_supply_change,supply,circulating,"        \
    "staked,staked_ratio_bps,velocity,token_price_usd,credits_bought,"         \
    "provider_profit_usd\n"
#define ROW1                                                                   \
    "1,10,10,0,100,1000,100.5,80.4,10.05,5.025,5.025,5000,10.05,4989.95,"      \
    "1004989.95,500000,200000,1990,0.00,1.000000,100,12.500000\n"

static char tmp[256];

static void path_in(char *out, size_t cap, const char *rel)
{
    int k = snprintf(out, cap, "%s/%s", tmp, rel);
    assert_true(k > 0 && (size_t)k < cap);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
    assert_int_equal(fclose(f), 0);
}

/* Makes tmp/name and copies tests/data/sim/fixture/metrics.csv and
 * summary.json into it; the folder's path into out. */
static void run_dir(char *out, size_t cap, const char *name,
                    const char *fixture)
{
    char rel[128], p[512];
    path_in(out, cap, name);
    assert_true(mkdir(out, 0755) == 0);
    const char *files[] = {"metrics.csv", "summary.json"};
    for (int i = 0; i < 2; i++) {
        snprintf(rel, sizeof rel, "tests/data/sim/%s/%s", fixture, files[i]);
        char *s = read_src(rel);
        snprintf(p, sizeof p, "%s/%s", out, files[i]);
        write_file(p, s);
        free(s);
    }
}

static int has_gnuplot(void)
{
    const char *path = getenv("PATH");
    char p[1024];
    while (path && *path) {
        const char *c = strchr(path, ':');
        size_t n = c ? (size_t)(c - path) : strlen(path);
        snprintf(p, sizeof p, "%.*s/gnuplot", (int)n, path);
        if (access(p, X_OK) == 0)
            return 1;
        path = c ? c + 1 : NULL;
    }
    return 0;
}

static int setup(void **st)
{
    (void)st;
    snprintf(tmp, sizeof tmp, "/tmp/cairn-test-simreport-XXXXXX");
    return mkdtemp(tmp) ? 0 : -1;
}

static int teardown(void **st)
{
    (void)st;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    return system(cmd) == 0 ? 0 : -1;
}

/* Asserts that metrics.csv with text is refused with BAD_ARG and a message
 * holding each of the NULL-terminated words. */
static void refused(const char *text, ...)
{
    static int n;
    char dir[512], p[600], msg[512] = "";
    char name[32];
    snprintf(name, sizeof name, "bad%d", n++);
    path_in(dir, sizeof dir, name);
    assert_int_equal(mkdir(dir, 0755), 0);
    snprintf(p, sizeof p, "%s/metrics.csv", dir);
    write_file(p, text);
    sim_csv t;
    cairn_err e = sim_csv_read(p, &t, msg, sizeof msg);
    if (e != CAIRN_ERR_BAD_ARG)
        fail_msg("accepted (%d): %s", (int)e, text);
    assert_null(t.v);
    /* sim_plot refuses it the same way */
    char msg2[512] = "";
    assert_int_equal(sim_plot(dir, msg2, sizeof msg2), CAIRN_ERR_BAD_ARG);
    assert_string_equal(msg, msg2);
    va_list ap;
    va_start(ap, text);
    for (const char *w; (w = va_arg(ap, const char *));)
        if (!strstr(msg, w))
            fail_msg("message \"%s\" lacks \"%s\"", msg, w);
    va_end(ap);
    if (getenv("CAIRN_TEST_VERBOSE"))
        printf("-> %s\n", msg);
}

static void malformed_refused(void **st)
{
    (void)st;
    refused("", "empty", NULL);
    refused("epoch,providers\n", "line 1", "2 fields, expected 22", NULL);
    refused("epoch,providers_active,providers_joined,providers_left,users,"
            "usage_units,revenue,fees_providers,fees_burned,fees_treasury,"
            "fees_stakers,emitted,burned,net_supply_change,supply,"
            "circulating,staked,staked_ratio_bps,velocity,price,"
            "credits_bought,provider_profit_usd\n",
            "line 1", "column 20", "\"price\"", "token_price_usd", NULL);
    refused(HEADER ROW1 "2,10\n", "line 3", "2 fields, expected 22", NULL);
    refused(HEADER ROW1 ROW1 "\n", "line 3", "epoch 1 does not follow", NULL);
    refused(HEADER "1,10,10,0,100,1000,100.5,80.4,10.05,5.025,5.025,5000,"
                   "10.05,4989.95,1004989.95,500000,200000,1990,0.00,1.0,"
                   "100,12.5,7\n",
            "line 2", "more than 22 fields", NULL);
    /* each kind of field, one bad value at a time */
    refused(HEADER "1,-10,10,0,100,1000,100.5,80.4,10.05,5.025,5.025,5000,"
                   "10.05,4989.95,1004989.95,500000,200000,1990,0.00,1.0,"
                   "100,12.5\n",
            "line 2", "column 2 (providers_active)", "\"-10\"", "whole number",
            NULL);
    refused(HEADER "1,10,10,0,100,1000,1e2,80.4,10.05,5.025,5.025,5000,"
                   "10.05,4989.95,1004989.95,500000,200000,1990,0.00,1.0,"
                   "100,12.5\n",
            "line 2", "column 7 (revenue)", "\"1e2\"", NULL);
    refused(HEADER "1,10,10,0,100,1000,100.5000001,80.4,10.05,5.025,5.025,"
                   "5000,10.05,4989.95,1004989.95,500000,200000,1990,0.00,"
                   "1.0,100,12.5\n",
            "line 2", "column 7 (revenue)", "up to 6 decimals", NULL);
    refused(HEADER "1,10,10,0,100,1000,100.5,80.4,10.05,5.025,5.025,5000,"
                   "-10.05,4989.95,1004989.95,500000,200000,1990,0.00,1.0,"
                   "100,12.5\n",
            "line 2", "column 13 (burned)", NULL);
    refused(HEADER "1,10,10,0,100,1000,100.5,80.4,10.05,5.025,5.025,5000,"
                   "10.05,4989.95,1004989.95,500000,200000,1990,0.12345,"
                   "1.0,100,12.5\n",
            "line 2", "column 19 (velocity)", "up to 4 decimals", NULL);
    refused(HEADER "1,10,10,0,100,1000,100.5,80.4,10.05,5.025,5.025,5000,"
                   "10.05,4989.95,1004989.95,500000,200000,1990,0.00,nan,"
                   "100,12.5\n",
            "line 2", "column 20 (token_price_usd)", "\"nan\"", NULL);
    refused(HEADER "1,10,10,0,100,1000,100.5,80.4,10.05,5.025,5.025,5000,"
                   "10.05,4989.95,1004989.95,500000,200000,1990,0.00,1.0,"
                   "100, 12.5\n",
            "line 2", "column 22 (provider_profit_usd)", NULL);
    refused(HEADER "1,10,10,0,100,1000,100.5,80.4,10.05,5.025,5.025,5000,"
                   "10.05,4989.95,1004989.95,500000,200000,1990,0.00,1.0,"
                   "99999999999999999999,12.5\n",
            "line 2", "column 21 (credits_bought)", NULL);
    /* a line past the bound */
    char *big = malloc(8192);
    assert_non_null(big);
    int k = snprintf(big, 8192, "%s", HEADER);
    memset(big + k, '1', 5000);
    big[k + 5000] = '\0';
    refused(big, "line 2", "longer than 4096 bytes", NULL);
    free(big);
}

static void good_csv_read_exactly(void **st)
{
    (void)st;
    char dir[512], p[600], msg[512];
    run_dir(dir, sizeof dir, "reada", "a");
    snprintf(p, sizeof p, "%s/metrics.csv", dir);
    sim_csv t;
    assert_int_equal(sim_csv_read(p, &t, msg, sizeof msg), CAIRN_OK);
    assert_int_equal(t.rows, 4);
    assert_int_equal(sim_csv_at(&t, 1, 6), 120000001);   /* revenue units */
    assert_int_equal(sim_csv_at(&t, 3, 13), -100500000); /* net change */
    assert_int_equal(sim_csv_at(&t, 2, 18), 12345);      /* velocity bps */
    assert_int_equal(sim_csv_at(&t, 0, 18), 0);
    assert_int_equal(sim_csv_at(&t, 1, 21), -3250000); /* micro-USD */
    assert_int_equal(sim_csv_at(&t, 2, 19), 900001);
    char s[SIM_VALUE_TEXT_MAX];
    sim_value_format(s, sim_csv_at(&t, 1, 6), SIM_COL_AMOUNT);
    assert_string_equal(s, "120.000001");
    sim_value_format(s, sim_csv_at(&t, 3, 13), SIM_COL_SAMOUNT);
    assert_string_equal(s, "-100.5");
    sim_value_format(s, sim_csv_at(&t, 3, 18), SIM_COL_VELOCITY);
    assert_string_equal(s, "2.50");
    sim_value_format(s, sim_csv_at(&t, 2, 18), SIM_COL_VELOCITY);
    assert_string_equal(s, "1.2345");
    sim_value_format(s, sim_csv_at(&t, 1, 21), SIM_COL_USD);
    assert_string_equal(s, "-3.250000");
    sim_value_format(s, 5000000000, SIM_COL_AMOUNT);
    assert_string_equal(s, "5000");
    sim_csv_free(&t);
}

static int png_ok(const char *dir, const char *name)
{
    char p[700];
    unsigned char b[8] = {0};
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "rb");
    if (!f)
        return 0;
    size_t n = fread(b, 1, sizeof b, f);
    fclose(f);
    return n == 8 && !memcmp(b, "\x89PNG\r\n\x1a\n", 8);
}

static void plot_writes_pngs(void **st)
{
    (void)st;
    if (!has_gnuplot()) {
        /* the CI machine's setup installs gnuplot-nox; say so when not */
        printf("gnuplot not installed: PNGs not checked\n");
        skip();
    }
    /* a folder name with shell syntax: nothing may run it */
    char dir[512], plots[600], pwned[600], msg[512] = "x";
    run_dir(dir, sizeof dir, "run \"a\";$(touch pwned)'`touch pwned`", "a");
    assert_int_equal(sim_plot(dir, msg, sizeof msg), CAIRN_OK);
    assert_string_equal(msg, "");
    snprintf(plots, sizeof plots, "%s/plots", dir);
    const char *png[] = {"providers.png", "usage.png",  "fees.png",
                         "emission.png",  "supply.png", "velocity.png",
                         "price.png",     "profit.png"};
    for (size_t i = 0; i < sizeof png / sizeof png[0]; i++)
        if (!png_ok(plots, png[i]))
            fail_msg("%s/%s is not a PNG", plots, png[i]);
    char gp[700];
    snprintf(gp, sizeof gp, "%s/plots.gp", plots);
    char *s = read_path(gp);
    assert_non_null(strstr(s, "data = \"../metrics.csv\""));
    assert_null(strstr(s, "pwned")); /* the folder's name is not in it */
    free(s);
    path_in(pwned, sizeof pwned, "pwned");
    assert_int_not_equal(access(pwned, F_OK), 0);
    assert_int_not_equal(access("pwned", F_OK), 0);
    /* a second run over the same folder replaces the plots */
    assert_int_equal(sim_plot(dir, msg, sizeof msg), CAIRN_OK);
}

static void plot_without_gnuplot(void **st)
{
    (void)st;
    char dir[512], p[700], msg[512] = "";
    run_dir(dir, sizeof dir, "nognuplot", "a");
    setenv("CAIRN_GNUPLOT", "/nonexistent/gnuplot", 1);
    cairn_err e = sim_plot(dir, msg, sizeof msg);
    unsetenv("CAIRN_GNUPLOT");
    assert_int_equal(e, CAIRN_ERR_NOT_FOUND);
    assert_non_null(strstr(msg, "gnuplot not found"));
    assert_non_null(strstr(msg, "apt-get install gnuplot-nox"));
    /* the script is there to run by hand later */
    snprintf(p, sizeof p, "%s/plots/plots.gp", dir);
    assert_int_equal(access(p, R_OK), 0);
    /* a header-only file has nothing to plot */
    char d2[512];
    path_in(d2, sizeof d2, "headeronly");
    assert_int_equal(mkdir(d2, 0755), 0);
    snprintf(p, sizeof p, "%s/metrics.csv", d2);
    write_file(p, HEADER);
    assert_int_equal(sim_plot(d2, msg, sizeof msg), CAIRN_ERR_BAD_ARG);
    assert_non_null(strstr(msg, "no epochs"));
    /* no folder at all */
    path_in(d2, sizeof d2, "absent");
    assert_int_equal(sim_plot(d2, msg, sizeof msg), CAIRN_ERR_IO);
    assert_non_null(strstr(msg, "metrics.csv: cannot open"));
}

/* The fields of the line of text that starts with "  name " after the
 * line that starts with section; fields into f (at most 8), count out. */
static int table_row(const char *text, const char *section, const char *name,
                     char f[8][40])
{
    const char *s = strstr(text, section);
    assert_non_null(s);
    char key[64];
    snprintf(key, sizeof key, "\n  %s ", name);
    const char *l = strstr(s, key);
    if (!l)
        fail_msg("no row %s under %s in:\n%s", name, section, text);
    l += 3;
    int n = 0;
    while (*l && *l != '\n' && n < 8) {
        while (*l == ' ')
            l++;
        size_t k = strcspn(l, " \n");
        snprintf(f[n++], 40, "%.*s", (int)k, l);
        l += k;
    }
    return n;
}

static void expect_row(const char *text, const char *section, const char *name,
                       const char *a, const char *b, const char *d,
                       const char *pct)
{
    char f[8][40];
    assert_int_equal(table_row(text, section, name, f), 5);
    assert_string_equal(f[1], a);
    assert_string_equal(f[2], b);
    assert_string_equal(f[3], d);
    assert_string_equal(f[4], pct);
}

/* The field of compare.csv's row for epoch at column name. */
static void csv_field(const char *csv, const char *name, int epoch, char *out,
                      size_t cap)
{
    const char *nl = strchr(csv, '\n');
    assert_non_null(nl);
    int col = -1, i = 0;
    for (const char *p = csv; p < nl; i++) {
        size_t k = strcspn(p, ",\n");
        if (k == strlen(name) && !strncmp(p, name, k))
            col = i;
        p += k + 1;
    }
    if (col < 0)
        fail_msg("compare.csv has no column %s", name);
    char lead[32];
    snprintf(lead, sizeof lead, "\n%d,", epoch);
    const char *r = strstr(csv, lead);
    assert_non_null(r);
    r++;
    for (int c = 0; c < col; c++)
        r = strchr(r, ',') + 1;
    size_t k = strcspn(r, ",\n");
    snprintf(out, cap, "%.*s", (int)k, r);
}

static void compare_exact(void **st)
{
    (void)st;
    char a[512], b[512], out[512], p[700], msg[512] = "x";
    run_dir(a, sizeof a, "cmpa", "a");
    run_dir(b, sizeof b, "cmpb", "b");
    path_in(out, sizeof out, "cmp");
    char *printed = NULL;
    size_t plen = 0;
    FILE *f = open_memstream(&printed, &plen);
    assert_non_null(f);
    cairn_err e = sim_compare_report(a, b, out, f, msg, sizeof msg);
    fclose(f);
    if (e)
        fail_msg("compare: %s", msg);
    if (getenv("CAIRN_TEST_VERBOSE"))
        printf("%s", printed);
    snprintf(p, sizeof p, "%s/compare.txt", out);
    char *txt = read_path(p);
    assert_string_equal(txt, printed); /* the same table, printed and kept */
    assert_non_null(strstr(txt, "(scenario fixture-a, seed 7)"));
    assert_non_null(strstr(txt, "epochs 1..4 (4 settled epochs"));

    const char *fin = "final values (epoch 4)";
    expect_row(txt, fin, "providers_active", "11", "14", "3", "+27.27%");
    expect_row(txt, fin, "usage_units", "1400", "1700", "300", "+21.42%");
    expect_row(txt, fin, "revenue", "140.25", "170.75", "30.5", "+21.74%");
    expect_row(txt, fin, "burned", "2600.5", "2634.15", "33.65", "+1.29%");
    expect_row(txt, fin, "emitted", "2500", "2500", "0", "0.00%");
    expect_row(txt, fin, "supply", "1012364.45", "1012289.75", "-74.7",
               "-0.00%");
    expect_row(txt, fin, "circulating", "504000", "505000", "1000", "+0.19%");
    expect_row(txt, fin, "staked_ratio_bps", "2099", "2222", "123", "+5.85%");
    expect_row(txt, fin, "velocity", "2.50", "2.75", "0.25", "+10.00%");
    expect_row(txt, fin, "token_price_usd", "0.875000", "0.890000", "0.015000",
               "+1.71%");
    const char *tot = "totals over the run";
    /* 490.750001 and 551.25: exact in base units, no float rounding */
    expect_row(txt, tot, "revenue", "490.750001", "551.25", "60.499999",
               "+12.32%");
    expect_row(txt, tot, "burned", "2635.55", "2710.25", "74.7", "+2.83%");
    expect_row(txt, tot, "emitted", "15000", "15000", "0", "0.00%");

    snprintf(p, sizeof p, "%s/compare.csv", out);
    char *csv = read_path(p);
    assert_true(!strncmp(csv,
                         "epoch,providers_active_a,providers_active_b,"
                         "providers_active_diff,",
                         strlen("epoch,providers_active_a,providers_active_b,"
                                "providers_active_diff,")));
    int lines = 0;
    for (const char *c = csv; *c; c++)
        lines += *c == '\n';
    assert_int_equal(lines, 5);
    char v[64];
    csv_field(csv, "net_supply_change_diff", 4, v, sizeof v);
    assert_string_equal(v, "-33.65");
    csv_field(csv, "revenue_diff", 2, v, sizeof v);
    assert_string_equal(v, "9.999999");
    csv_field(csv, "provider_profit_usd_diff", 4, v, sizeof v);
    assert_string_equal(v, "2.499999");
    csv_field(csv, "provider_profit_usd_diff", 2, v, sizeof v);
    assert_string_equal(v, "2.250000");
    csv_field(csv, "velocity_diff", 3, v, sizeof v);
    assert_string_equal(v, "0.0655");
    csv_field(csv, "providers_left_diff", 3, v, sizeof v);
    assert_string_equal(v, "-1");
    csv_field(csv, "fees_burned_b", 1, v, sizeof v);
    assert_string_equal(v, "20.1");

    if (has_gnuplot()) {
        assert_string_equal(msg, "");
        char plots[600];
        snprintf(plots, sizeof plots, "%s/plots", out);
        assert_true(png_ok(plots, "compare_revenue.png"));
        assert_true(png_ok(plots, "compare_token_price_usd.png"));
        assert_true(png_ok(plots, "compare_staked_ratio_bps.png"));
    }
    /* without gnuplot the numbers stand and msg warns */
    setenv("CAIRN_GNUPLOT", "/nonexistent/gnuplot", 1);
    e = sim_compare_report(a, b, out, NULL, msg, sizeof msg);
    unsetenv("CAIRN_GNUPLOT");
    assert_int_equal(e, CAIRN_OK);
    assert_non_null(strstr(msg, "apt-get install gnuplot-nox"));
    free(txt);
    txt = read_path(p);
    assert_string_equal(txt, csv);
    free(txt);
    snprintf(p, sizeof p, "%s/compare.txt", out);
    txt = read_path(p);
    assert_non_null(strstr(txt, "plots: none (gnuplot not found"));
    free(txt);
    free(csv);
    free(printed);
}

static void compare_mismatched_epochs(void **st)
{
    (void)st;
    char a[512], b[512], c[512], out[512], p[700], msg[512];
    run_dir(a, sizeof a, "mma", "a");
    /* b: the first three epochs only */
    path_in(b, sizeof b, "mmb");
    assert_int_equal(mkdir(b, 0755), 0);
    snprintf(p, sizeof p, "%s/metrics.csv", a);
    char *s = read_path(p);
    char *last = strstr(s, "\n4,");
    assert_non_null(last);
    last[1] = '\0';
    snprintf(p, sizeof p, "%s/metrics.csv", b);
    write_file(p, s);
    /* c: four epochs, the third numbered 5 */
    path_in(c, sizeof c, "mmc");
    assert_int_equal(mkdir(c, 0755), 0);
    char *t = malloc(4096);
    assert_non_null(t);
    char *third = strstr(s, "\n3,");
    assert_non_null(third);
    third[1] = '\0';
    snprintf(t, 4096, "%s%s%s", s,
             "5,11,0,1,130,1300,130,104,13,6.5,6.5,2500,13,2487,1012464.95,"
             "505000,212000,2093,1.2345,0.900001,130,0.000000\n",
             "6,11,0,0,140,1400,140.25,112.2,14.025,7.0125,7.0125,2500,"
             "2600.5,-100.5,1012364.45,504000,212500,2099,2.50,0.875000,140,"
             "1.000001\n");
    snprintf(p, sizeof p, "%s/metrics.csv", c);
    write_file(p, t);
    path_in(out, sizeof out, "mmout");

    FILE *f = fopen("/dev/null", "w");
    assert_non_null(f);
    assert_int_equal(sim_compare_report(a, b, out, f, msg, sizeof msg),
                     CAIRN_ERR_BAD_ARG);
    assert_non_null(strstr(msg, "different epochs"));
    assert_non_null(strstr(msg, "has 4"));
    assert_non_null(strstr(msg, "has 3"));
    assert_int_equal(sim_compare_report(a, c, out, f, msg, sizeof msg),
                     CAIRN_ERR_BAD_ARG);
    if (!strstr(msg, "line 4"))
        fail_msg("%s", msg);
    assert_non_null(strstr(msg, "epoch 3 in A"));
    assert_non_null(strstr(msg, "5 in B"));
    /* a malformed B is refused with its line */
    snprintf(p, sizeof p, "%s/metrics.csv", b);
    write_file(p, HEADER ROW1 "2,x\n");
    assert_int_equal(sim_compare_report(a, b, out, f, msg, sizeof msg),
                     CAIRN_ERR_BAD_ARG);
    assert_non_null(strstr(msg, "line 3"));
    fclose(f);
    /* nothing written for a refused compare */
    snprintf(p, sizeof p, "%s/compare.csv", out);
    assert_int_not_equal(access(p, F_OK), 0);
    free(s);
    free(t);
}

/* The shipped scenarios are JSON objects named as their files, each with
 * its assumptions in a description (the simulator's own tests parse them
 * with its scenario parser). */
static void shipped_scenarios(void **st)
{
    (void)st;
    const char *names[] = {"launch", "fee-split", "bme-falling-price"};
    for (size_t i = 0; i < 3; i++) {
        char rel[128];
        snprintf(rel, sizeof rel, "sim/scenarios/%s.json", names[i]);
        char *s = read_src(rel);
        json_error_t je;
        json_t *j = json_loads(s, JSON_REJECT_DUPLICATES, &je);
        if (!j)
            fail_msg("%s: line %d: %s", rel, je.line, je.text);
        assert_string_equal(json_string_value(json_object_get(j, "name")),
                            names[i]);
        const char *d = json_string_value(json_object_get(j, "description"));
        assert_non_null(d);
        assert_non_null(strstr(d, "Run: cairn sim "));
        assert_true(json_is_object(json_object_get(j, "genesis")));
        json_decref(j);
        free(s);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(malformed_refused),
        cmocka_unit_test(good_csv_read_exactly),
        cmocka_unit_test(plot_writes_pngs),
        cmocka_unit_test(plot_without_gnuplot),
        cmocka_unit_test(compare_exact),
        cmocka_unit_test(compare_mismatched_epochs),
        cmocka_unit_test(shipped_scenarios),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
