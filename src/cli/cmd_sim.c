/* `cairn sim`: the economic simulator (docs/simulator.md) and, for
 * `cairn sim radio|scenario`, the wireless plug-in's radio simulators
 * (its "sim" command, found through the registry). */
#include <stdio.h>
#include <string.h>

#include "cairn/parse.h"
#include "cairn/sim.h"
#include "cli/cli.h"
#include "cli/econ_cli.h"
#include "sectors/registry.h"
#include "sim/report.h"
#include "sim/scenario.h"

static const char usage[] =
    "usage: cairn sim --scenario FILE --epochs N --out DIR [--seed S]\n"
    "                 [--keep-chain] [--no-plots]\n"
    "       cairn sim --compare A.json B.json --epochs N --out DIR [--seed S]\n"
    "                 [--no-plots]\n"
    "  Runs a whole network in one process on the real chain code: compute\n"
    "  providers that join and leave by profit, users whose demand follows\n"
    "  the price, a token market, shocks. Writes DIR/metrics.csv (one row\n"
    "  per epoch), DIR/summary.json and DIR/plots/ (gnuplot); --keep-chain\n"
    "  also keeps DIR/chain, DIR/genesis.json and DIR/sequencer.key, so\n"
    "  that `cairn node` can serve the chain. --compare runs A into DIR/a\n"
    "  and B into DIR/b with one seed (--seed, else A's) and reports the\n"
    "  differences (DIR/compare.csv, DIR/compare.txt). docs/simulator.md.\n"
    "\n";

/* The wireless plug-in's `sim` (radio, scenario), if it is built in. */
static int (*radio_sim(void))(int, char **)
{
    size_t n;
    const cairn_sector_plugin *const *pl = cairn_plugins(&n);
    for (size_t i = 0; i < n; i++)
        for (const cairn_cli_cmd *c = pl[i]->commands; c && c->name; c++)
            if (strcmp(c->name, "sim") == 0)
                return c->run;
    return NULL;
}

static void plots(const char *dir, int no_plots)
{
    char msg[512] = "";
    if (!no_plots && sim_plot(dir, msg, sizeof msg) != CAIRN_OK)
        fprintf(stderr, "cairn: warning: no plots in %s: %s\n", dir, msg);
}

static int run_one(cairn_sim_opts *o, int no_plots)
{
    cairn_sim_result r;
    char msg[512] = "";
    cairn_err e = cairn_sim_run(o, &r, msg, sizeof msg);
    if (e)
        return cli_fail("sim: %s", msg[0] ? msg : cairn_strerror(e));
    char root[65];
    cairn_hex_encode(root, r.state_root, 32);
    fprintf(stderr,
            "sim: %llu epochs, %llu blocks, %llu txs (%llu dropped) in %.1f "
            "s; state root %s\n",
            (unsigned long long)r.epochs, (unsigned long long)r.tip_height,
            (unsigned long long)r.txs, (unsigned long long)r.dropped, r.seconds,
            root);
    plots(o->outdir, no_plots);
    printf("%s/metrics.csv\n", o->outdir);
    return 0;
}

static int compare(cairn_sim_opts *o, const char *a, const char *b,
                   int no_plots)
{
    char da[512], db[512];
    snprintf(da, sizeof da, "%s/a", o->outdir);
    snprintf(db, sizeof db, "%s/b", o->outdir);
    const char *out = o->outdir;
    if (!o->has_seed) { /* one seed for both: A's */
        esim_scenario sa;
        char msg[512];
        cairn_err e = esim_scenario_load(&sa, a, msg, sizeof msg);
        esim_scenario_free(&sa);
        if (e)
            return cli_fail("sim: %s", msg);
        o->seed = sa.seed;
        o->has_seed = 1;
    }
    o->scenario = a;
    o->outdir = da;
    int rc = run_one(o, no_plots);
    if (rc)
        return rc;
    o->scenario = b;
    o->outdir = db;
    if ((rc = run_one(o, no_plots)))
        return rc;
    char msg[512] = "";
    cairn_err e = sim_compare_report(da, db, out, stdout, msg, sizeof msg);
    if (e)
        return cli_fail("sim --compare: %s", msg[0] ? msg : cairn_strerror(e));
    return 0;
}

int cmd_sim_econ(int argc, char **argv)
{
    const char *scenario = NULL, *epochs = NULL, *out = NULL, *seed = NULL;
    int keep = 0, no_plots = 0, cmp = 0;
    int (*radio)(int, char **) = radio_sim();
    if (argc >= 1 &&
        (strcmp(argv[0], "radio") == 0 || strcmp(argv[0], "scenario") == 0)) {
        if (!radio)
            return cli_fail("sim %s: the wireless sector is not built in",
                            argv[0]);
        return radio(argc, argv);
    }
    if (argc < 1 || !strcmp(argv[0], "--help") || !strcmp(argv[0], "-h") ||
        !strcmp(argv[0], "help")) {
        FILE *f = argc < 1 ? stderr : stdout;
        fputs(usage, f);
        fflush(f);
        if (radio) { /* the radio simulators' usage, to the same stream */
            char *h[] = {"--help", NULL};
            (void)radio(argc < 1 ? 0 : 1, h);
        }
        return argc < 1 ? 2 : 0;
    }
    const cli_opt opts[] = {
        {"scenario", &scenario, NULL}, {"epochs", &epochs, NULL},
        {"out", &out, NULL},           {"seed", &seed, NULL},
        {"keep-chain", NULL, &keep},   {"no-plots", NULL, &no_plots},
        {"compare", NULL, &cmp},       {NULL, NULL, NULL}};
    cli_args a;
    int r = cli_parse(argc, argv, "sim", usage, opts, 2, &a);
    if (r)
        return CLI_EXIT(r);
    cairn_sim_opts o;
    memset(&o, 0, sizeof o);
    if (!epochs || !out)
        return cli_fail("sim: --epochs N and --out DIR are required (see "
                        "cairn sim --help)");
    if (cairn_parse_u64_max(epochs, 10000000, &o.epochs) || o.epochs == 0)
        return cli_fail("sim: --epochs \"%s\" must be 1..10000000", epochs);
    if (seed) {
        if (cairn_parse_u64(seed, &o.seed))
            return cli_fail("sim: --seed \"%s\" must be a non-negative "
                            "integer",
                            seed);
        o.has_seed = 1;
    }
    o.outdir = out;
    o.progress = stderr;
    if (cmp) {
        if (a.npos != 2 || scenario || keep)
            return cli_fail("sim --compare takes two scenario files (and no "
                            "--scenario or --keep-chain)");
        return compare(&o, a.pos[0], a.pos[1], no_plots);
    }
    if (!scenario || a.npos)
        return cli_fail("sim: --scenario FILE is required (see cairn sim "
                        "--help)");
    o.scenario = scenario;
    o.keep_chain = keep;
    return run_one(&o, no_plots);
}
