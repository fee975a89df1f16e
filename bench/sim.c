/* The economic simulator at scale: 1,000 compute providers and 10,000
 * users for 30 epochs (a scenario written here), every action a signed
 * transaction checked and applied by the real chain. Prints epochs/s and
 * transactions/s, and in the same run the two floors it is measured
 * against: the epoch settlement at this provider count (the epochs' last
 * blocks, which carry no agent transactions: lease settlement, the
 * economy's epoch end, the commit) and Ed25519 sign + verify per second
 * (each simulated transaction is signed once and verified once). Then
 * extrapolates a year of epochs at 10,000 providers / 100,000 users,
 * linearly, and says so. Asserts nothing about speed.
 *
 *   bench_sim [PROVIDERS USERS EPOCHS]   (defaults 1000 10000 30) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cairn/crypto.h"
#include "cairn/parse.h"
#include "cairn/sim.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU time of the whole process, all threads (the wall time on a shared
 * machine says more about the neighbours). */
static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Ed25519 sign + verify of a transaction-sized message, per second. */
static double sign_verify_rate(void)
{
    cairn_keypair kp;
    cairn_sig sig;
    uint8_t msg[160];
    memset(msg, 0xA5, sizeof msg);
    cairn_keypair_generate(&kp);
    int n = 0;
    double t0 = now(), t = t0;
    while (t - t0 < 1.0) {
        for (int i = 0; i < 200; i++, n++) {
            msg[0] = (uint8_t)n;
            cairn_sign(&sig, msg, sizeof msg, &kp);
            if (cairn_verify(&sig, msg, sizeof msg, &kp.pk)) {
                fprintf(stderr, "bench_sim: verify failed\n");
                exit(1);
            }
        }
        t = now();
    }
    return n / (t - t0);
}

static uint64_t arg(int argc, char **argv, int i, uint64_t def)
{
    uint64_t v;
    if (argc <= i)
        return def;
    if (cairn_parse_u64(argv[i], &v) || v == 0) {
        fprintf(stderr, "bench_sim: \"%s\" is not a positive integer\n",
                argv[i]);
        exit(2);
    }
    return v;
}

int main(int argc, char **argv)
{
    uint64_t np = arg(argc, argv, 1, 1000), nu = arg(argc, argv, 2, 10000);
    uint64_t ne = arg(argc, argv, 3, 30);
    char dir[64], sc[128], out[128], msg[512], cmd[128];
    cairn_crypto_init();
    snprintf(dir, sizeof dir, "/tmp/cairn-bench-sim-XXXXXX");
    if (!mkdtemp(dir))
        return 1;
    snprintf(sc, sizeof sc, "%s/scenario.json", dir);
    snprintf(out, sizeof out, "%s/out", dir);
    FILE *f = fopen(sc, "w");
    if (!f)
        return 1;
    /* capacity for every user (32 cores a provider, 1..4 a user), all of
     * them present from epoch 0, escrow prepaid for 4 epochs; providers
     * stay (leave_after 1000): this measures speed, not economics */
    fprintf(
        f,
        "{\"name\": \"bench\", \"seed\": 1, \"epoch_blocks\": 6,\n"
        " \"block_interval_ms\": 600000,\n"
        " \"providers\": {\"initial\": %llu, \"max\": %llu, \"cpus\": 32,\n"
        "   \"cost_usd_per_cpu_epoch\": 0.001, \"leave_after\": 1000},\n"
        " \"users\": {\"initial\": %llu, \"max\": %llu, \"growth_bps\": 0},\n"
        " \"market\": {\"float_tokens\": \"100000000\"}}\n",
        (unsigned long long)np, (unsigned long long)np, (unsigned long long)nu,
        (unsigned long long)nu);
    fclose(f);

    double sv = sign_verify_rate();
    cairn_sim_opts o;
    cairn_sim_result r;
    memset(&o, 0, sizeof o);
    o.scenario = sc;
    o.epochs = ne;
    o.outdir = out;
    o.progress = stderr;
    double c0 = cpu_now();
    cairn_err e = cairn_sim_run(&o, &r, msg, sizeof msg);
    double cpu = cpu_now() - c0;
    if (e) {
        fprintf(stderr, "bench_sim: %s\n", msg);
        return 1;
    }
    double eps = (double)r.epochs / r.seconds;
    double tps = (double)r.txs / r.seconds;
    double settle = r.settle_seconds / (double)r.epochs;
    double floor_s = (double)r.txs / sv;
    printf("simulator, %llu providers, %llu users, %llu epochs:\n",
           (unsigned long long)np, (unsigned long long)nu,
           (unsigned long long)ne);
    printf("  run:                            %8.2f s (%llu blocks)\n",
           r.seconds, (unsigned long long)r.tip_height);
    printf("  CPU time (all threads):         %8.2f s\n", cpu);
    printf("  epochs/s:                       %8.2f\n", eps);
    printf("  transactions:                   %8llu (%llu dropped)\n",
           (unsigned long long)r.txs, (unsigned long long)r.dropped);
    printf("  transactions/s:                 %8.0f\n", tps);
    printf("epoch settlement in the run (the epochs' last blocks):\n");
    printf("  per epoch:                      %8.4f s\n", settle);
    printf("  ratio settlement / whole epoch: %8.3f\n",
           settle / (r.seconds / (double)r.epochs));
    printf("Ed25519 sign+verify, one core:    %8.0f /s\n", sv);
    printf("  floor for these txs:            %8.2f s\n", floor_s);
    printf("  ratio tx/s / sign+verify/s:     %8.3f\n", tps / sv);
    /* a year: 365 epochs at ten times the agents, from the steady state
     * (the last half of the run), linear in agents (the transactions per
     * epoch and the leases settled grow with them) */
    double per = r.tail_epochs ? r.tail_seconds / (double)r.tail_epochs
                               : r.seconds / (double)r.epochs;
    double tx_per = r.tail_epochs ? (double)r.tail_txs / (double)r.tail_epochs
                                  : (double)r.txs / (double)r.epochs;
    double year = 365.0 * 10.0 * per;
    double year_floor = 365.0 * 10.0 * tx_per / sv;
    printf("steady state (the last %llu epochs): %.3f s and %.0f txs an "
           "epoch\n",
           (unsigned long long)r.tail_epochs, per, tx_per);
    printf("extrapolated, not measured: a year of 365 epochs at %llu "
           "providers / %llu users:\n",
           (unsigned long long)(10 * np), (unsigned long long)(10 * nu));
    printf("  %8.0f s at this rate (signing and verifying alone: %.0f s)%s\n",
           year, year_floor,
           year > 60 ? "; over the minute the issue asks for" : "");
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : 1;
}
