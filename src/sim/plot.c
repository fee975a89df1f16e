/* The simulator's plots: reads OUT/metrics.csv, writes OUT/plots/plots.gp
 * and runs gnuplot on it for the PNGs (docs/simulator-report.md lists
 * them). Also the metrics.csv reader that compare.c shares.
 *
 * gnuplot runs with OUT/plots as its working directory and reads the data
 * as "../metrics.csv": the output folder's name never appears in the
 * script nor in a command line, so no name can inject anything. It is
 * started with fork and execv on a path resolved beforehand, with a fixed
 * argv ("gnuplot", "plots.gp"), no shell. */
#define _GNU_SOURCE
#include "sim/report.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cairn/amount.h"
#include "cairn/parse.h"

#define SIM_PATH_MAX 4096

const sim_col sim_csv_cols[SIM_CSV_COLS] = {
    {"epoch", SIM_COL_COUNT},
    {"providers_active", SIM_COL_COUNT},
    {"providers_joined", SIM_COL_COUNT},
    {"providers_left", SIM_COL_COUNT},
    {"users", SIM_COL_COUNT},
    {"usage_units", SIM_COL_COUNT},
    {"revenue", SIM_COL_AMOUNT},
    {"fees_providers", SIM_COL_AMOUNT},
    {"fees_burned", SIM_COL_AMOUNT},
    {"fees_treasury", SIM_COL_AMOUNT},
    {"fees_stakers", SIM_COL_AMOUNT},
    {"emitted", SIM_COL_AMOUNT},
    {"burned", SIM_COL_AMOUNT},
    {"net_supply_change", SIM_COL_SAMOUNT},
    {"supply", SIM_COL_AMOUNT},
    {"circulating", SIM_COL_AMOUNT},
    {"staked", SIM_COL_AMOUNT},
    {"staked_ratio_bps", SIM_COL_COUNT},
    {"velocity", SIM_COL_VELOCITY},
    {"token_price_usd", SIM_COL_USD},
    {"credits_bought", SIM_COL_COUNT},
    {"provider_profit_usd", SIM_COL_USD},
};

void sim_say(char *msg, size_t len, const char *fmt, ...)
{
    if (!msg || !len)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, len, fmt, ap);
    va_end(ap);
}

void sim_csv_free(sim_csv *t)
{
    if (!t)
        return;
    free(t->v);
    t->v = NULL;
    t->rows = 0;
}

/* One field's text (NUL-terminated) into the scaled integer of kind. */
static cairn_err parse_field(const char *s, sim_col_kind kind, int64_t *out)
{
    uint64_t u;
    int neg = 0;
    if (kind == SIM_COL_COUNT) {
        if (cairn_parse_u64_max(s, INT64_MAX, &u))
            return CAIRN_ERR_BAD_ARG;
        *out = (int64_t)u;
        return CAIRN_OK;
    }
    if ((kind == SIM_COL_SAMOUNT || kind == SIM_COL_USD) && s[0] == '-') {
        neg = 1;
        s++;
    }
    /* The amount parser reads any decimal with up to six decimals
     * exactly: amounts and %.6f dollars as millionths, velocity's four
     * decimals as millionths too (then /100 for bps). */
    if (cairn_amount_parse(&u, s) || u > INT64_MAX)
        return CAIRN_ERR_BAD_ARG;
    if (kind == SIM_COL_VELOCITY) {
        if (u % 100)
            return CAIRN_ERR_BAD_ARG; /* more than four decimals */
        u /= 100;
    }
    *out = neg ? -(int64_t)u : (int64_t)u;
    return CAIRN_OK;
}

static const char *kind_words(sim_col_kind kind)
{
    switch (kind) {
    case SIM_COL_COUNT:
        return "a whole number";
    case SIM_COL_AMOUNT:
        return "a token amount (digits, up to 6 decimals)";
    case SIM_COL_SAMOUNT:
        return "a token amount, '-' allowed (up to 6 decimals)";
    case SIM_COL_VELOCITY:
        return "a velocity (digits, up to 4 decimals)";
    case SIM_COL_USD:
        return "a dollar value (digits, '-' allowed, up to 6 decimals)";
    }
    return "a number";
}

/* Reads one line into buf (at most SIM_CSV_LINE_MAX bytes with its
 * newline). 1: a line (newline and a '\r' before it removed), 0: end of
 * file, -1: too long, -2: read error, -3: a NUL byte in it. */
static int read_line(FILE *fp, char *buf, size_t cap)
{
    size_t n = 0;
    int c;
    while ((c = getc(fp)) != EOF) {
        if (c == '\n')
            break;
        if (c == '\0')
            return -3;
        if (n + 1 >= cap)
            return -1;
        buf[n++] = (char)c;
    }
    if (c == EOF) {
        if (ferror(fp))
            return -2;
        if (n == 0)
            return 0;
    }
    if (n && buf[n - 1] == '\r')
        n--;
    buf[n] = '\0';
    return 1;
}

/* Splits line at commas in place; returns the field count (stops counting
 * past max: a line with more fields returns max + 1). */
static int split(char *line, char *fields[], int max)
{
    int n = 0;
    char *p = line;
    for (;;) {
        if (n == max)
            return max + 1;
        fields[n++] = p;
        char *c = strchr(p, ',');
        if (!c)
            return n;
        *c = '\0';
        p = c + 1;
    }
}

cairn_err sim_csv_read(const char *path, sim_csv *out, char *msg, size_t len)
{
    out->rows = 0;
    out->v = NULL;
    FILE *fp = fopen(path, "r");
    if (!fp) {
        sim_say(msg, len, "%s: cannot open (%s)", path, strerror(errno));
        return CAIRN_ERR_IO;
    }
    char line[SIM_CSV_LINE_MAX];
    char *f[SIM_CSV_COLS + 1];
    size_t cap = 0, lineno = 0;
    cairn_err e = CAIRN_OK;
    for (;;) {
        int r = read_line(fp, line, sizeof line);
        lineno++;
        if (r == 0)
            break;
        if (r == -2) {
            sim_say(msg, len, "%s: line %zu: read error (%s)", path, lineno,
                    strerror(errno));
            e = CAIRN_ERR_IO;
            break;
        }
        if (r == -1 || r == -3) {
            sim_say(msg, len, "%s: line %zu: %s", path, lineno,
                    r == -1 ? "longer than 4096 bytes"
                            : "contains a NUL byte (not a text file)");
            e = CAIRN_ERR_BAD_ARG;
            break;
        }
        int n = split(line, f, SIM_CSV_COLS);
        if (n != SIM_CSV_COLS) {
            sim_say(msg, len, "%s: line %zu: %s%d fields, expected %d", path,
                    lineno, n > SIM_CSV_COLS ? "more than " : "",
                    n > SIM_CSV_COLS ? SIM_CSV_COLS : n, SIM_CSV_COLS);
            e = CAIRN_ERR_BAD_ARG;
            break;
        }
        if (lineno == 1) {
            for (int c = 0; c < SIM_CSV_COLS; c++)
                if (strcmp(f[c], sim_csv_cols[c].name)) {
                    sim_say(msg, len,
                            "%s: line 1: header column %d is \"%.40s\", "
                            "expected \"%s\" (not a cairn sim metrics.csv?)",
                            path, c + 1, f[c], sim_csv_cols[c].name);
                    e = CAIRN_ERR_BAD_ARG;
                    break;
                }
            if (e)
                break;
            continue;
        }
        if (out->rows == SIM_CSV_ROWS_MAX) {
            sim_say(msg, len, "%s: line %zu: more than %d epochs", path, lineno,
                    SIM_CSV_ROWS_MAX);
            e = CAIRN_ERR_TOO_LARGE;
            break;
        }
        if (out->rows == cap) {
            size_t ncap = cap ? cap * 2 : 64;
            if (ncap > SIM_CSV_ROWS_MAX)
                ncap = SIM_CSV_ROWS_MAX;
            int64_t *nv = realloc(out->v, ncap * SIM_CSV_COLS * sizeof *nv);
            if (!nv) {
                sim_say(msg, len, "%s: out of memory at line %zu", path,
                        lineno);
                e = CAIRN_ERR_NOMEM;
                break;
            }
            out->v = nv;
            cap = ncap;
        }
        int64_t *row = out->v + out->rows * SIM_CSV_COLS;
        for (int c = 0; c < SIM_CSV_COLS && !e; c++)
            if (parse_field(f[c], sim_csv_cols[c].kind, &row[c])) {
                sim_say(msg, len,
                        "%s: line %zu: column %d (%s) is \"%.40s\", expected "
                        "%s",
                        path, lineno, c + 1, sim_csv_cols[c].name, f[c],
                        kind_words(sim_csv_cols[c].kind));
                e = CAIRN_ERR_BAD_ARG;
            }
        if (e)
            break;
        if (out->rows && row[0] <= row[-SIM_CSV_COLS]) {
            sim_say(
                msg, len,
                "%s: line %zu: epoch %lld does not follow epoch %lld of the "
                "line before",
                path, lineno, (long long)row[0], (long long)row[-SIM_CSV_COLS]);
            e = CAIRN_ERR_BAD_ARG;
            break;
        }
        out->rows++;
    }
    fclose(fp);
    if (!e && lineno == 1) {
        sim_say(msg, len, "%s: empty (no header line)", path);
        e = CAIRN_ERR_BAD_ARG;
    }
    if (e)
        sim_csv_free(out);
    return e;
}

void sim_value_format(char out[SIM_VALUE_TEXT_MAX], int64_t v,
                      sim_col_kind kind)
{
    unsigned long long mag =
        v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    const char *sign = v < 0 ? "-" : "";
    unsigned dec = 0, keep = 0; /* decimals held, decimals always shown */
    switch (kind) {
    case SIM_COL_COUNT:
        break;
    case SIM_COL_AMOUNT:
    case SIM_COL_SAMOUNT:
        dec = 6;
        break;
    case SIM_COL_VELOCITY:
        dec = 4;
        keep = 2;
        break;
    case SIM_COL_USD:
        dec = 6;
        keep = 6;
        break;
    }
    if (!dec) {
        snprintf(out, SIM_VALUE_TEXT_MAX, "%s%llu", sign, mag);
        return;
    }
    unsigned long long scale = dec == 6 ? 1000000ULL : 10000ULL;
    int n = snprintf(out, SIM_VALUE_TEXT_MAX, "%s%llu.%0*llu", sign,
                     mag / scale, (int)dec, mag % scale);
    unsigned shown = dec;
    while (n > 0 && shown > keep && out[n - 1] == '0') {
        out[--n] = '\0';
        shown--;
    }
    if (n > 0 && out[n - 1] == '.')
        out[--n] = '\0';
}

/* ---- gnuplot ---- */

/* The gnuplot to run: $CAIRN_GNUPLOT if set, else the first executable
 * "gnuplot" on PATH. 0 and path filled, or -1. */
static int find_gnuplot(char *path, size_t cap)
{
    const char *env = getenv("CAIRN_GNUPLOT");
    if (env && *env) {
        if (strlen(env) >= cap || access(env, X_OK))
            return -1;
        snprintf(path, cap, "%s", env);
        return 0;
    }
    const char *p = getenv("PATH");
    if (!p || !*p)
        p = "/usr/local/bin:/usr/bin:/bin";
    while (*p) {
        const char *c = strchr(p, ':');
        size_t n = c ? (size_t)(c - p) : strlen(p);
        if (n && n + sizeof "/gnuplot" <= cap) {
            memcpy(path, p, n);
            memcpy(path + n, "/gnuplot", sizeof "/gnuplot");
            struct stat st;
            if (!stat(path, &st) && S_ISREG(st.st_mode) && !access(path, X_OK))
                return 0;
        }
        if (!c)
            break;
        p = c + 1;
    }
    return -1;
}

cairn_err sim_gnuplot_run(const char *dir, const char *script, char *msg,
                          size_t len)
{
    char exe[SIM_PATH_MAX], log[SIM_PATH_MAX];
    if (find_gnuplot(exe, sizeof exe)) {
        sim_say(msg, len, "gnuplot not found: apt-get install gnuplot-nox");
        return CAIRN_ERR_NOT_FOUND;
    }
    if ((size_t)snprintf(log, sizeof log, "%s/gnuplot.log", dir) >=
        sizeof log) {
        sim_say(msg, len, "%s: path too long", dir);
        return CAIRN_ERR_TOO_LARGE;
    }
    int logfd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (logfd < 0) {
        sim_say(msg, len, "%s: cannot create (%s)", log, strerror(errno));
        return CAIRN_ERR_IO;
    }
    int nullfd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    char *const argv[] = {"gnuplot", (char *)script, NULL};
    pid_t pid = fork();
    if (pid == 0) {
        /* the child: only async-signal-safe calls until execv */
        if (chdir(dir) || dup2(logfd, 1) < 0 || dup2(logfd, 2) < 0 ||
            (nullfd >= 0 && dup2(nullfd, 0) < 0))
            _exit(126);
        execv(exe, argv);
        _exit(127);
    }
    int fork_errno = errno;
    close(logfd);
    if (nullfd >= 0)
        close(nullfd);
    if (pid < 0) {
        sim_say(msg, len, "gnuplot: cannot start (fork: %s)",
                strerror(fork_errno));
        return CAIRN_ERR_IO;
    }
    /* Bounded wait: polls every 20 ms up to SIM_GNUPLOT_WAIT_S. */
    int st = 0;
    pid_t w = 0;
    for (long i = 0; i < SIM_GNUPLOT_WAIT_S * 50L; i++) {
        w = waitpid(pid, &st, WNOHANG);
        if (w == pid || (w < 0 && errno != EINTR))
            break;
        struct timespec ts = {0, 20 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    if (w < 0 && errno == ECHILD)
        return CAIRN_OK; /* reaped elsewhere (SIGCHLD ignored): the caller
                            checks the PNGs */
    if (w != pid) {
        kill(pid, SIGKILL);
        waitpid(pid, &st, 0);
        sim_say(msg, len, "gnuplot: still running after %d s, stopped (see %s)",
                SIM_GNUPLOT_WAIT_S, log);
        return CAIRN_ERR_IO;
    }
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        sim_say(msg, len, "gnuplot failed (%s %d): see %s",
                WIFEXITED(st) ? "exit status" : "signal",
                WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st), log);
        return CAIRN_ERR_IO;
    }
    return CAIRN_OK;
}

/* ---- plots.gp ---- */

/* Distinct colours, the k-th series of a chart in the k-th. */
const char *const sim_gp_colour[6] = {"#1f77b4", "#d62728", "#2ca02c",
                                      "#ff7f0e", "#9467bd", "#8c564b"};

/* One chart: a PNG, its title and labels, and its series. A series plots
 * column col (1-based) of the data file, on y2 when y2 is set, scaled by
 * 1/div (for bps as %). */
typedef struct series {
    int col;
    const char *title;
    int y2;
    int div;
} series;

typedef struct chart {
    const char *png, *title, *ylabel, *y2label;
    int si; /* y tics as 1.5k, 2M (counts, tokens) rather than %.4g */
    series s[6];
} chart;

/* Column numbers in metrics.csv (1-based, as gnuplot counts). */
enum {
    C_EPOCH = 1,
    C_PROV,
    C_JOINED,
    C_LEFT,
    C_USERS,
    C_USAGE,
    C_REVENUE,
    C_F_PROV,
    C_F_BURN,
    C_F_TREAS,
    C_F_STAKE,
    C_EMITTED,
    C_BURNED,
    C_NET,
    C_SUPPLY,
    C_CIRC,
    C_STAKED,
    C_RATIO,
    C_VELOCITY,
    C_PRICE,
    C_CREDITS,
    C_PROFIT
};

static const chart charts[] = {
    {"providers.png",
     "Providers and users",
     "providers",
     "users",
     1,
     {{C_PROV, "providers active", 0, 0},
      {C_JOINED, "providers joined", 0, 0},
      {C_LEFT, "providers left", 0, 0},
      {C_USERS, "users (right axis)", 1, 0}}},
    {"usage.png",
     "Usage",
     "work units",
     "credits",
     1,
     {{C_USAGE, "usage units", 0, 0},
      {C_CREDITS, "credits bought (right axis)", 1, 0}}},
    {"fees.png",
     "Revenue and fees by destination",
     "tokens per epoch",
     NULL,
     1,
     {{C_REVENUE, "revenue", 0, 0},
      {C_F_PROV, "to providers", 0, 0},
      {C_F_BURN, "burned", 0, 0},
      {C_F_TREAS, "to treasury", 0, 0},
      {C_F_STAKE, "to stakers", 0, 0}}},
    {"emission.png",
     "Emitted vs burned, net supply change",
     "tokens per epoch",
     NULL,
     1,
     {{C_EMITTED, "emitted", 0, 0},
      {C_BURNED, "burned", 0, 0},
      {C_NET, "net supply change", 0, 0}}},
    {"supply.png",
     "Supply, circulating, staked ratio",
     "tokens",
     "staked ratio (%)",
     1,
     {{C_SUPPLY, "supply", 0, 0},
      {C_CIRC, "circulating", 0, 0},
      {C_STAKED, "staked", 0, 0},
      {C_RATIO, "staked ratio % (right axis)", 1, 100}}},
    {"velocity.png",
     "Token velocity (annualised)",
     "velocity",
     NULL,
     0,
     {{C_VELOCITY, "velocity", 0, 0}}},
    {"price.png",
     "Token price (market model)",
     "USD per token",
     NULL,
     0,
     {{C_PRICE, "token price", 0, 0}}},
    {"profit.png",
     "Providers' profit (all active providers, market model)",
     "USD per epoch",
     NULL,
     0,
     {{C_PROFIT, "providers' profit", 0, 0}}},
};
#define N_CHARTS (sizeof charts / sizeof charts[0])

void sim_gp_preamble(FILE *gp, const char *what, const char *script)
{
    fprintf(gp,
            "# %s\n"
            "# Written by cairn sim (docs/simulator-report.md); run again "
            "with: gnuplot %s\n"
            "# from this folder.\n"
            "if (strstrt(GPVAL_TERMINALS, \"pngcairo\") > 0) {\n"
            "    set terminal pngcairo size 1000,560 noenhanced\n"
            "} else {\n"
            "    set terminal png size 1000,560 noenhanced\n"
            "}\n"
            "set datafile separator \",\"\n"
            "set grid\n"
            "set key tmargin center horizontal\n"
            "set xlabel \"epoch\"\n"
            "set format y \"%%.4g\"\n"
            "set format y2 \"%%.4g\"\n"
            "set xtics autofreq\n",
            what, script);
}

static int write_plots_gp(const char *path, size_t rows)
{
    FILE *gp = fopen(path, "w");
    if (!gp)
        return -1;
    const char *style = rows < 2 ? "linespoints" : "lines";
    sim_gp_preamble(gp, "Plots of ../metrics.csv, one PNG a chart", "plots.gp");
    fprintf(gp, "data = \"../metrics.csv\"\n");
    if (rows <= 20)
        fprintf(gp, "set xtics 1\n"); /* whole epochs, not 1.5 */
    for (size_t i = 0; i < N_CHARTS; i++) {
        const chart *c = &charts[i];
        fprintf(gp, "\nset output \"%s\"\nset title \"%s\"\n", c->png,
                c->title);
        fprintf(gp, "set ylabel \"%s\"\nset format y \"%s\"\n", c->ylabel,
                c->si ? "%.1s%c" : "%.4g");
        if (c->y2label)
            fprintf(gp,
                    "set y2label \"%s\"\nset ytics nomirror\n"
                    "set y2tics\n",
                    c->y2label);
        fprintf(gp, "plot");
        for (int k = 0; k < 6 && c->s[k].col; k++) {
            const series *s = &c->s[k];
            if (s->div)
                fprintf(gp, "%s data skip 1 using %d:($%d/%d.0)",
                        k ? ", \\\n" : "", C_EPOCH, s->col, s->div);
            else
                fprintf(gp, "%s data skip 1 using %d:%d", k ? ", \\\n" : "",
                        C_EPOCH, s->col);
            fprintf(gp, " axes x1y%d with %s lw 2 lc rgb \"%s\" title \"%s\"",
                    s->y2 ? 2 : 1, style, sim_gp_colour[k], s->title);
        }
        fprintf(gp, "\n");
        if (c->y2label)
            fprintf(gp, "unset y2label\nunset y2tics\nset ytics mirror\n");
    }
    fprintf(gp, "set output\n");
    return fclose(gp) ? -1 : 0;
}

int sim_plots_dir(const char *dir, char *out, size_t cap)
{
    if ((size_t)snprintf(out, cap, "%s/plots", dir) >= cap) {
        errno = ENAMETOOLONG;
        return -1;
    }
    if (mkdir(out, 0755) && errno != EEXIST)
        return -1;
    return 0;
}

int sim_pngs_present(const char *dir, const char *const *png, size_t n,
                     char *msg, size_t len)
{
    for (size_t i = 0; i < n; i++) {
        char p[SIM_PATH_MAX];
        struct stat st;
        int k = snprintf(p, sizeof p, "%s/%s", dir, png[i]);
        if (k < 0 || (size_t)k >= sizeof p || stat(p, &st) || st.st_size == 0) {
            sim_say(msg, len, "gnuplot wrote no %s: see %s/gnuplot.log", p,
                    dir);
            return -1;
        }
    }
    return 0;
}

cairn_err sim_plot(const char *outdir, char *msg, size_t len)
{
    char csv[SIM_PATH_MAX], dir[SIM_PATH_MAX], gp[SIM_PATH_MAX];
    if (msg && len)
        msg[0] = '\0';
    if ((size_t)snprintf(csv, sizeof csv, "%s/metrics.csv", outdir) >=
        sizeof csv) {
        sim_say(msg, len, "%s: path too long", outdir);
        return CAIRN_ERR_TOO_LARGE;
    }
    sim_csv t;
    cairn_err e = sim_csv_read(csv, &t, msg, len);
    if (e)
        return e;
    size_t rows = t.rows;
    sim_csv_free(&t);
    if (!rows) {
        sim_say(msg, len, "%s: no epochs (the header only): nothing to plot",
                csv);
        return CAIRN_ERR_BAD_ARG;
    }
    if (sim_plots_dir(outdir, dir, sizeof dir) ||
        (size_t)snprintf(gp, sizeof gp, "%s/plots.gp", dir) >= sizeof gp) {
        sim_say(msg, len, "%s/plots: cannot create (%s)", outdir,
                strerror(errno));
        return CAIRN_ERR_IO;
    }
    if (write_plots_gp(gp, rows)) {
        sim_say(msg, len, "%s: cannot write (%s)", gp, strerror(errno));
        return CAIRN_ERR_IO;
    }
    e = sim_gnuplot_run(dir, "plots.gp", msg, len);
    if (e)
        return e;
    const char *png[N_CHARTS];
    for (size_t i = 0; i < N_CHARTS; i++)
        png[i] = charts[i].png;
    if (sim_pngs_present(dir, png, N_CHARTS, msg, len))
        return CAIRN_ERR_IO;
    return CAIRN_OK;
}
