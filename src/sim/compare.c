/* `cairn sim --compare`'s report: two runs' metrics.csv side by side
 * (docs/simulator-report.md). Every value is the exact integer its column
 * holds (base units, bps, micro-dollars), so differences and totals are
 * exact; only the % column divides, in integers too. */
#include "sim/report.h"

#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>

#define CMP_PATH_MAX 4096

/* The key columns of the table and the charts, by name. */
static const char *const key_cols[] = {
    "providers_active", "usage_units",    "revenue",     "burned",
    "emitted",          "supply",         "circulating", "staked_ratio_bps",
    "velocity",         "token_price_usd"};
#define N_KEYS (sizeof key_cols / sizeof key_cols[0])
/* The flows the table also totals over the run. */
static const char *const flow_cols[] = {"revenue", "burned", "emitted"};
#define N_FLOWS (sizeof flow_cols / sizeof flow_cols[0])

static int col_index(const char *name)
{
    for (int c = 0; c < SIM_CSV_COLS; c++)
        if (!strcmp(sim_csv_cols[c].name, name))
            return c;
    return -1; /* not reached: the names above are columns */
}

/* (b - a) * 100 / |a| as text with two decimals, truncated toward zero,
 * signed as b - a is ("+1.50%", "-0.00%", "0.00%" when equal); "n/a"
 * when a is 0 and b is not. */
static void pct_format(char *out, size_t cap, int64_t a, int64_t b)
{
    if (a == 0) {
        snprintf(out, cap, "%s", b ? "n/a" : "0.00%");
        return;
    }
    __int128 d = (__int128)b - (__int128)a;
    __int128 mag_a = a < 0 ? -(__int128)a : (__int128)a;
    __int128 q = d * 10000 / mag_a; /* hundredths of a percent */
    /* the sign of the difference, so a tiny change reads -0.00% */
    const char *sign = d < 0 ? "-" : (d > 0 ? "+" : "");
    unsigned __int128 m =
        q < 0 ? (unsigned __int128)(-q) : (unsigned __int128)q;
    unsigned long long whole = (unsigned long long)(m / 100);
    unsigned frac = (unsigned)(m % 100);
    if (m / 100 > (unsigned __int128)UINT64_MAX)
        snprintf(out, cap, "%s>1e19%%", sign);
    else
        snprintf(out, cap, "%s%llu.%02u%%", sign, whole, frac);
}

/* Scenario name and seed from DIR/summary.json, if it is there. */
static void run_label(const char *dir, char *out, size_t cap)
{
    char p[CMP_PATH_MAX];
    out[0] = '\0';
    if ((size_t)snprintf(p, sizeof p, "%s/summary.json", dir) >= sizeof p)
        return;
    json_t *j = json_load_file(p, 0, NULL);
    if (!j)
        return;
    const char *name = json_string_value(json_object_get(j, "scenario"));
    json_t *seed = json_object_get(j, "seed");
    if (name && json_is_integer(seed))
        snprintf(out, cap, " (scenario %.80s, seed %lld)", name,
                 (long long)json_integer_value(seed));
    else if (name)
        snprintf(out, cap, " (scenario %.80s)", name);
    json_decref(j);
}

typedef struct totals {
    int64_t a[N_FLOWS], b[N_FLOWS];
} totals;

static cairn_err sum_flows(const sim_csv *ta, const sim_csv *tb, totals *t,
                           char *msg, size_t len)
{
    memset(t, 0, sizeof *t);
    for (size_t k = 0; k < N_FLOWS; k++) {
        int c = col_index(flow_cols[k]);
        for (size_t r = 0; r < ta->rows; r++)
            if (__builtin_add_overflow(t->a[k], sim_csv_at(ta, r, c),
                                       &t->a[k]) ||
                __builtin_add_overflow(t->b[k], sim_csv_at(tb, r, c),
                                       &t->b[k])) {
                sim_say(msg, len, "the total of %s over the run overflows",
                        flow_cols[k]);
                return CAIRN_ERR_OVERFLOW;
            }
    }
    return CAIRN_OK;
}

/* One table row: name, A, B, B-A, %. */
static cairn_err table_row(FILE *f, const char *name, sim_col_kind kind,
                           int64_t a, int64_t b)
{
    char ta[SIM_VALUE_TEXT_MAX], tb[SIM_VALUE_TEXT_MAX], td[SIM_VALUE_TEXT_MAX];
    char tp[40];
    int64_t d;
    if (__builtin_sub_overflow(b, a, &d))
        return CAIRN_ERR_OVERFLOW;
    sim_value_format(ta, a, kind);
    sim_value_format(tb, b, kind);
    sim_value_format(td, d, kind);
    pct_format(tp, sizeof tp, a, b);
    fprintf(f, "  %-22s %20s %20s %20s %12s\n", name, ta, tb, td, tp);
    return CAIRN_OK;
}

/* The table compare.txt holds and the command prints. */
static cairn_err write_table(FILE *f, const char *dir_a, const char *dir_b,
                             const sim_csv *ta, const sim_csv *tb,
                             const totals *t, const char *plots)
{
    char la[128], lb[128];
    size_t last = ta->rows - 1;
    run_label(dir_a, la, sizeof la);
    run_label(dir_b, lb, sizeof lb);
    fprintf(f, "cairn sim compare\n  A: %s%s\n  B: %s%s\n", dir_a, la, dir_b,
            lb);
    fprintf(f, "  epochs %lld..%lld (%zu settled epochs in each run)\n\n",
            (long long)sim_csv_at(ta, 0, 0), (long long)sim_csv_at(ta, last, 0),
            ta->rows);
    fprintf(f, "final values (epoch %lld)\n  %-22s %20s %20s %20s %12s\n",
            (long long)sim_csv_at(ta, last, 0), "column", "A", "B", "B-A",
            "B vs A");
    for (size_t k = 0; k < N_KEYS; k++) {
        int c = col_index(key_cols[k]);
        if (table_row(f, key_cols[k], sim_csv_cols[c].kind,
                      sim_csv_at(ta, last, c), sim_csv_at(tb, last, c)))
            return CAIRN_ERR_OVERFLOW;
    }
    fprintf(f, "\ntotals over the run\n  %-22s %20s %20s %20s %12s\n", "column",
            "A", "B", "B-A", "B vs A");
    for (size_t k = 0; k < N_FLOWS; k++) {
        int c = col_index(flow_cols[k]);
        if (table_row(f, flow_cols[k], sim_csv_cols[c].kind, t->a[k], t->b[k]))
            return CAIRN_ERR_OVERFLOW;
    }
    fprintf(f, "\nper epoch: compare.csv (a, b, b-a for every column)\n");
    fprintf(f, "plots: %s\n", plots);
    return CAIRN_OK;
}

/* compare.csv: epoch, then NAME_a, NAME_b, NAME_diff per column. */
static cairn_err write_compare_csv(const char *path, const sim_csv *ta,
                                   const sim_csv *tb, char *msg, size_t len)
{
    FILE *fp = fopen(path, "w");
    if (!fp) {
        sim_say(msg, len, "%s: cannot create (%s)", path, strerror(errno));
        return CAIRN_ERR_IO;
    }
    fprintf(fp, "epoch");
    for (int c = 1; c < SIM_CSV_COLS; c++)
        fprintf(fp, ",%s_a,%s_b,%s_diff", sim_csv_cols[c].name,
                sim_csv_cols[c].name, sim_csv_cols[c].name);
    fprintf(fp, "\n");
    cairn_err e = CAIRN_OK;
    for (size_t r = 0; r < ta->rows && !e; r++) {
        fprintf(fp, "%lld", (long long)sim_csv_at(ta, r, 0));
        for (int c = 1; c < SIM_CSV_COLS; c++) {
            int64_t a = sim_csv_at(ta, r, c), b = sim_csv_at(tb, r, c), d;
            if (__builtin_sub_overflow(b, a, &d)) {
                sim_say(msg, len, "epoch %lld: %s's difference overflows",
                        (long long)sim_csv_at(ta, r, 0), sim_csv_cols[c].name);
                e = CAIRN_ERR_OVERFLOW;
                break;
            }
            char x[SIM_VALUE_TEXT_MAX], y[SIM_VALUE_TEXT_MAX],
                z[SIM_VALUE_TEXT_MAX];
            sim_value_format(x, a, sim_csv_cols[c].kind);
            sim_value_format(y, b, sim_csv_cols[c].kind);
            sim_value_format(z, d, sim_csv_cols[c].kind);
            fprintf(fp, ",%s,%s,%s", x, y, z);
        }
        fprintf(fp, "\n");
    }
    if (fclose(fp) && !e) {
        sim_say(msg, len, "%s: cannot write (%s)", path, strerror(errno));
        e = CAIRN_ERR_IO;
    }
    return e;
}

/* compare.gp: one chart per key column, A and B on it. */
static int write_compare_gp(const char *path, size_t rows,
                            char names[N_KEYS][64], const char *png[N_KEYS])
{
    FILE *gp = fopen(path, "w");
    if (!gp)
        return -1;
    const char *style = rows < 2 ? "linespoints" : "lines";
    sim_gp_preamble(gp, "Runs A and B of ../compare.csv, one PNG a column",
                    "compare.gp");
    fprintf(gp, "data = \"../compare.csv\"\n");
    if (rows <= 20)
        fprintf(gp, "set xtics 1\n"); /* whole epochs, not 1.5 */
    for (size_t k = 0; k < N_KEYS; k++) {
        int c = col_index(key_cols[k]);
        int ca = 2 + 3 * (c - 1); /* gnuplot counts columns from 1 */
        snprintf(names[k], sizeof names[k], "compare_%s.png", key_cols[k]);
        png[k] = names[k];
        fprintf(gp,
                "\nset output \"%s\"\nset title \"%s: A vs B\"\n"
                "set ylabel \"%s\"\n"
                "plot data skip 1 using 1:%d with %s lw 2 lc rgb \"%s\" "
                "title \"A\", \\\n"
                "     data skip 1 using 1:%d with %s lw 2 lc rgb \"%s\" "
                "title \"B\"\n",
                names[k], key_cols[k], key_cols[k], ca, style, sim_gp_colour[0],
                ca + 1, style, sim_gp_colour[1]);
    }
    fprintf(gp, "set output\n");
    return fclose(gp) ? -1 : 0;
}

/* Refuses two runs that do not cover the same epochs. */
static cairn_err same_epochs(const char *dir_a, const char *dir_b,
                             const sim_csv *ta, const sim_csv *tb, char *msg,
                             size_t len)
{
    if (ta->rows != tb->rows) {
        sim_say(msg, len,
                "runs cover different epochs: A (%s) has %zu, B (%s) has %zu; "
                "compare runs of the same --epochs",
                dir_a, ta->rows, dir_b, tb->rows);
        return CAIRN_ERR_BAD_ARG;
    }
    if (!ta->rows) {
        sim_say(msg, len,
                "no epochs to compare: %s/metrics.csv has only its "
                "header",
                dir_a);
        return CAIRN_ERR_BAD_ARG;
    }
    for (size_t r = 0; r < ta->rows; r++)
        if (sim_csv_at(ta, r, 0) != sim_csv_at(tb, r, 0)) {
            sim_say(msg, len,
                    "runs cover different epochs: line %zu of metrics.csv is "
                    "epoch %lld in A (%s) and %lld in B (%s)",
                    r + 2, (long long)sim_csv_at(ta, r, 0), dir_a,
                    (long long)sim_csv_at(tb, r, 0), dir_b);
            return CAIRN_ERR_BAD_ARG;
        }
    return CAIRN_OK;
}

static cairn_err read_run(const char *dir, sim_csv *t, char *msg, size_t len)
{
    char p[CMP_PATH_MAX];
    if ((size_t)snprintf(p, sizeof p, "%s/metrics.csv", dir) >= sizeof p) {
        sim_say(msg, len, "%s: path too long", dir);
        return CAIRN_ERR_TOO_LARGE;
    }
    return sim_csv_read(p, t, msg, len);
}

cairn_err sim_compare_report(const char *dir_a, const char *dir_b,
                             const char *outdir, FILE *f, char *msg, size_t len)
{
    sim_csv ta = {0, NULL}, tb = {0, NULL};
    char p[CMP_PATH_MAX], plotdir[CMP_PATH_MAX], plots[CMP_PATH_MAX + 64];
    char warn[512] = "";
    totals t;
    if (msg && len)
        msg[0] = '\0';
    cairn_err e = read_run(dir_a, &ta, msg, len);
    if (!e)
        e = read_run(dir_b, &tb, msg, len);
    if (!e)
        e = same_epochs(dir_a, dir_b, &ta, &tb, msg, len);
    if (!e)
        e = sum_flows(&ta, &tb, &t, msg, len);
    if (e)
        goto out;
    if (mkdir(outdir, 0755) && errno != EEXIST) {
        sim_say(msg, len, "%s: cannot create (%s)", outdir, strerror(errno));
        e = CAIRN_ERR_IO;
        goto out;
    }
    if ((size_t)snprintf(p, sizeof p, "%s/compare.csv", outdir) >= sizeof p) {
        sim_say(msg, len, "%s: path too long", outdir);
        e = CAIRN_ERR_TOO_LARGE;
        goto out;
    }
    e = write_compare_csv(p, &ta, &tb, msg, len);
    if (e)
        goto out;

    /* The plots: a failure here is a warning, the numbers stand. */
    const char *png[N_KEYS];
    char names[N_KEYS][64];
    if (sim_plots_dir(outdir, plotdir, sizeof plotdir) ||
        (size_t)snprintf(p, sizeof p, "%s/compare.gp", plotdir) >= sizeof p ||
        write_compare_gp(p, ta.rows, names, png))
        sim_say(warn, sizeof warn, "%s/plots/compare.gp: cannot write (%s)",
                outdir, strerror(errno));
    else if (sim_gnuplot_run(plotdir, "compare.gp", warn, sizeof warn) ==
             CAIRN_OK)
        sim_pngs_present(plotdir, png, N_KEYS, warn, sizeof warn);
    if (warn[0])
        snprintf(plots, sizeof plots, "none (%s)", warn);
    else
        snprintf(plots, sizeof plots, "%s/compare_*.png", plotdir);

    if ((size_t)snprintf(p, sizeof p, "%s/compare.txt", outdir) >= sizeof p) {
        sim_say(msg, len, "%s: path too long", outdir);
        e = CAIRN_ERR_TOO_LARGE;
        goto out;
    }
    FILE *txt = fopen(p, "w");
    if (!txt) {
        sim_say(msg, len, "%s: cannot create (%s)", p, strerror(errno));
        e = CAIRN_ERR_IO;
        goto out;
    }
    e = write_table(txt, dir_a, dir_b, &ta, &tb, &t, plots);
    if (fclose(txt) && !e) {
        sim_say(msg, len, "%s: cannot write (%s)", p, strerror(errno));
        e = CAIRN_ERR_IO;
        goto out;
    }
    if (!e && f)
        e = write_table(f, dir_a, dir_b, &ta, &tb, &t, plots);
    if (e == CAIRN_ERR_OVERFLOW)
        sim_say(msg, len, "a final value's difference overflows");
    if (!e && warn[0])
        sim_say(msg, len, "compare plots skipped: %s", warn);
out:
    sim_csv_free(&ta);
    sim_csv_free(&tb);
    return e;
}
