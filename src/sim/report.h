/* Internal: the simulator's reports (src/sim/plot.c, src/sim/compare.c).
 *
 * Both read the per-epoch CSV a simulator run writes, OUT/metrics.csv
 * (header line, then one row per settled epoch; the columns are listed in
 * docs/simulator.md and docs/simulator-report.md), and refuse a malformed
 * file with a message naming its line. Neither touches the chain: they are
 * pure readers of the run's output, so they also work on a copied result
 * folder. docs/simulator-report.md describes every plot and column. */
#ifndef CAIRN_SIM_REPORT_H
#define CAIRN_SIM_REPORT_H

#include <stddef.h>
#include <stdio.h>

#include "cairn/error.h"

/* Writes OUT/plots/NAME.png (gnuplot, pngcairo or png terminal) and
 * OUT/plots/plots.gp from OUT/metrics.csv; returns CAIRN_OK, or an error
 * with msg filled ("gnuplot not found: apt-get install gnuplot-nox").
 * When gnuplot is missing the CSV is still there: the caller prints the
 * message as a warning, not a failure. */
cairn_err sim_plot(const char *outdir, char *msg, size_t len);

/* Reads A/metrics.csv and B/metrics.csv (same epochs), writes
 * OUT/compare.csv (epoch, then for each numeric column: a, b, b-a) and
 * OUT/compare.txt, and prints to f a short table: for the key columns
 * (providers_active, usage_units, revenue, burned, emitted, supply,
 * circulating, staked_ratio_bps, velocity, token_price_usd) the final
 * value in A and B, the difference and the % difference, plus totals
 * over the run for flows (revenue, burned, emitted). Also writes
 * OUT/plots/compare_*.png with both runs on one chart (gnuplot) when
 * available.
 *
 * CAIRN_OK once compare.csv and compare.txt are written and the table
 * printed; msg is then empty, or holds a warning when the plots could not
 * be drawn ("compare plots skipped: gnuplot not found: apt-get install
 * gnuplot-nox"; the table's last line says the same). On error nothing
 * is printed and msg names the file and line: BAD_ARG for a malformed
 * metrics.csv or runs over different epochs, IO, OVERFLOW. f may be NULL
 * (no table printed). */
cairn_err sim_compare_report(const char *dir_a, const char *dir_b,
                             const char *outdir, FILE *f, char *msg,
                             size_t len);

/* ---- Shared by plot.c and compare.c (internal) ---- */

#include <stdint.h>

#define SIM_CSV_COLS 22          /* columns of metrics.csv, epoch first */
#define SIM_CSV_LINE_MAX 4096    /* longest line accepted, newline included */
#define SIM_CSV_ROWS_MAX 1000000 /* most epochs one file may hold */

/* How a column's text maps to the exact integer kept for it. */
typedef enum sim_col_kind {
    SIM_COL_COUNT,    /* digits: providers, users, units, bps */
    SIM_COL_AMOUNT,   /* tokens, <= 6 decimals -> base units */
    SIM_COL_SAMOUNT,  /* as AMOUNT, may start with '-' */
    SIM_COL_VELOCITY, /* cairn_velocity_format text -> bps (x 10^4) */
    SIM_COL_USD       /* %.6f, may start with '-' -> micro-USD (x 10^6) */
} sim_col_kind;

typedef struct sim_col {
    const char *name;
    sim_col_kind kind;
} sim_col;

/* The columns of metrics.csv in their order (docs/simulator-report.md). */
extern const sim_col sim_csv_cols[SIM_CSV_COLS];

/* A whole metrics.csv: rows x SIM_CSV_COLS values, row-major, each the
 * exact scaled integer of its column's kind. Epochs strictly increase. */
typedef struct sim_csv {
    size_t rows;
    int64_t *v; /* owned; sim_csv_free releases it */
} sim_csv;

/* Reads and validates path (header exactly as sim_csv_cols, then rows of
 * exactly SIM_CSV_COLS fields). On error *out is empty and msg names the
 * file, line and column: BAD_ARG for malformed text, IO when unreadable,
 * TOO_LARGE past SIM_CSV_ROWS_MAX rows. On success the caller owns out->v
 * (sim_csv_free). */
cairn_err sim_csv_read(const char *path, sim_csv *out, char *msg, size_t len);
void sim_csv_free(sim_csv *t);

/* The value of row r, column c. */
static inline int64_t sim_csv_at(const sim_csv *t, size_t r, int c)
{
    return t->v[r * SIM_CSV_COLS + (size_t)c];
}

/* Writes v as its column kind prints it (amounts trimmed like
 * cairn_amount_format, velocity with at least two decimals, USD with
 * six); out must hold 32 bytes. */
#define SIM_VALUE_TEXT_MAX 32
void sim_value_format(char out[SIM_VALUE_TEXT_MAX], int64_t v,
                      sim_col_kind kind);

/* Runs gnuplot on SCRIPT (a file name inside dir) with dir as its working
 * directory, output to dir/gnuplot.log; waits at most SIM_GNUPLOT_WAIT_S
 * seconds. NOT_FOUND with msg "gnuplot not found: apt-get install
 * gnuplot-nox" when there is none on PATH (or at $CAIRN_GNUPLOT); IO when
 * it fails (msg points to the log). */
#define SIM_GNUPLOT_WAIT_S 300
cairn_err sim_gnuplot_run(const char *dir, const char *script, char *msg,
                          size_t len);

/* Writes the printf-formatted message into msg (size len; nothing when
 * msg is NULL or len 0). */
void sim_say(char *msg, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Writes the lines every gnuplot script starts with (PNG terminal,
 * pngcairo when there is one; comma-separated data; grid); what and script
 * go into its comment. */
void sim_gp_preamble(FILE *gp, const char *what, const char *script);
/* Six distinct line colours ("#rrggbb"), one per series of a chart. */
extern const char *const sim_gp_colour[6];

/* Makes DIR/plots (an existing one is fine) and writes its path to out;
 * 0, or -1 with errno set. */
int sim_plots_dir(const char *dir, char *out, size_t cap);

/* 0 when each of the n files png[i] in dir exists and is not empty; else
 * -1 with msg naming the first missing one and dir/gnuplot.log. */
int sim_pngs_present(const char *dir, const char *const *png, size_t n,
                     char *msg, size_t len);

#endif
