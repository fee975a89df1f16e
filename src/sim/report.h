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

/* Writes OUT/plots/*.png (gnuplot, pngcairo or png terminal) and
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
 * available. */
cairn_err sim_compare_report(const char *dir_a, const char *dir_b,
                             const char *outdir, FILE *f, char *msg,
                             size_t len);

#endif
