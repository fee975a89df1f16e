/* The economic simulator (src/sim/, docs/simulator.md): a run is
 * deterministic for a seed (the same metrics.csv byte for byte and the
 * same state root), another seed gives another run, and a scenario with
 * a bad value is refused with the key and the range named, leaving no
 * metrics.csv or summary.json behind. */
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

#include "cairn/crypto.h"
#include "cairn/sim.h"
#include "sim/scenario.h"
#include "src_file.h"

static char tmp[64];

static void path_in(char *out, size_t n, const char *dir, const char *name)
{
    snprintf(out, n, "%s/%s", dir, name);
}

static int exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0;
}

static void small_path(char *out, size_t n)
{
    const char *root = getenv("CAIRN_SRC");
    snprintf(out, n, "%s/tests/data/sim/small.json", root ? root : ".");
}

static cairn_err run(const char *scenario, const char *out, int has_seed,
                     uint64_t seed, cairn_sim_result *r, char *msg, size_t len)
{
    cairn_sim_opts o;
    memset(&o, 0, sizeof o);
    o.scenario = scenario;
    o.epochs = 6;
    o.outdir = out;
    o.has_seed = has_seed;
    o.seed = seed;
    msg[0] = 0;
    return cairn_sim_run(&o, r, msg, len);
}

static char *slurp(const char *dir, const char *name)
{
    char p[256];
    path_in(p, sizeof p, dir, name);
    FILE *f = fopen(p, "rb");
    assert_non_null(f);
    char *s = calloc(1, 1 << 20);
    assert_non_null(s);
    size_t n = fread(s, 1, (1 << 20) - 1, f);
    s[n] = 0;
    fclose(f);
    return s;
}

static void test_deterministic(void **state)
{
    (void)state;
    char sc[512], a[128], b[128], c[128], msg[512];
    cairn_sim_result ra, rb, rc;
    small_path(sc, sizeof sc);
    path_in(a, sizeof a, tmp, "a");
    path_in(b, sizeof b, tmp, "b");
    path_in(c, sizeof c, tmp, "c");
    assert_int_equal(run(sc, a, 0, 0, &ra, msg, sizeof msg), CAIRN_OK);
    assert_int_equal(run(sc, b, 0, 0, &rb, msg, sizeof msg), CAIRN_OK);
    assert_int_equal(run(sc, c, 1, 8, &rc, msg, sizeof msg), CAIRN_OK);
    assert_int_equal(ra.epochs, 6);
    assert_true(ra.txs > 1000); /* providers, users, bids, leases, reports */
    assert_int_equal(ra.dropped, 0);
    char *ca = slurp(a, "metrics.csv"), *cb = slurp(b, "metrics.csv");
    char *cc = slurp(c, "metrics.csv");
    assert_string_equal(ca, cb);
    assert_memory_equal(ra.state_root, rb.state_root, 32);
    assert_true(strcmp(ca, cc) != 0);
    assert_true(memcmp(ra.state_root, rc.state_root, 32) != 0);
    /* seven lines: the header and six epochs; the columns as agreed */
    int lines = 0;
    for (char *p = ca; *p; p++)
        lines += *p == '\n';
    assert_int_equal(lines, 7);
    assert_true(strncmp(ca, "epoch,providers_active,providers_joined,", 40) ==
                0);
    /* leases were paid: usage and revenue in the last epoch */
    char *sum = slurp(a, "summary.json");
    assert_non_null(strstr(sum, "\"scenario\": \"small\""));
    assert_non_null(strstr(sum, "\"state_root\": \""));
    assert_null(strstr(sum, "\"usage_units\": 0,"));
    free(sum);
    free(ca);
    free(cb);
    free(cc);
}

/* Each bad scenario and the words its error must hold. */
static const struct {
    const char *json, *want;
} bad[] = {
    {"{\"users\": {\"growth_bps\": 200000}}",
     "scenario users.growth_bps: 200000 is above 10000"},
    {"{\"providers\": {\"colour\": 1}}",
     "scenario providers.colour: unknown key"},
    {"{\"market\": {\"price_usd\": -1}}",
     "scenario market.price_usd: -1 is below"},
    {"{\"epoch_blocks\": 2}", "scenario epoch_blocks: 2 is below 5"},
    {"{\"shocks\": [{\"epoch\": 1, \"type\": \"meteor\"}]}",
     "scenario shocks[0].type: must be"},
    {"{\"shocks\": [{\"epoch\": 1, \"type\": \"exodus\", \"factor_bps\": 1}]}",
     "scenario shocks[0].factor_bps: unknown key"},
    {"{\"providers\": {\"stake\": 100}}",
     "scenario providers.stake: must be a token amount"},
    {"{\"genesis\": {\"fee_burn_bps\": 20000}}",
     "scenario genesis: economy: \"fee_burn_bps\""},
    {"{\"genesis\": {\"epoch_blocks\": 10}}",
     "scenario genesis.epoch_blocks: set the top-level"},
    {"{\"users\": {\"initial\": 5, \"max\": 2}}",
     "scenario users.initial: 5 is above users.max (2)"},
    {"{\"seed\": 1,}", "scenario: not valid JSON"},
    {"{\"speed\": 1}", "scenario speed: unknown key"},
};

static void test_bad_values(void **state)
{
    (void)state;
    char sc[128], out[128], f[256], msg[512];
    cairn_sim_result r;
    path_in(sc, sizeof sc, tmp, "bad.json");
    path_in(out, sizeof out, tmp, "bad-out");
    assert_int_equal(mkdir(out, 0755), 0);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        FILE *fp = fopen(sc, "w");
        assert_non_null(fp);
        fputs(bad[i].json, fp);
        fclose(fp);
        /* a stale result in OUT must not survive a refused run */
        path_in(f, sizeof f, out, "metrics.csv");
        fp = fopen(f, "w");
        assert_non_null(fp);
        fputs("stale\n", fp);
        fclose(fp);
        cairn_err e = run(sc, out, 0, 0, &r, msg, sizeof msg);
        if (e == CAIRN_OK || !strstr(msg, bad[i].want))
            fail_msg("scenario %s: got \"%s\", want \"%s\"", bad[i].json, msg,
                     bad[i].want);
        assert_false(exists(f));
        path_in(f, sizeof f, out, "summary.json");
        assert_false(exists(f));
        path_in(f, sizeof f, out, "chain");
        assert_false(exists(f));
    }
    /* a missing file is named */
    assert_int_equal(run("/nonexistent/s.json", out, 0, 0, &r, msg, sizeof msg),
                     CAIRN_ERR_IO);
    assert_non_null(strstr(msg, "/nonexistent/s.json"));
}

static void test_defaults(void **state)
{
    (void)state;
    esim_scenario s;
    char msg[256];
    assert_int_equal(esim_scenario_parse(&s, "{}", msg, sizeof msg), CAIRN_OK);
    assert_int_equal(s.epoch_blocks, 5);
    assert_int_equal(s.prov.initial, 20);
    assert_int_equal(s.users.growth_bps, 200);
    assert_null(s.economy);
    esim_scenario_free(&s);
    assert_int_equal(
        esim_scenario_parse(&s,
                            "{\"name\":\"x\",\"genesis\":{\"fee_burn_bps\":"
                            "3000,\"fee_treasury_bps\":0},\"shocks\":[{"
                            "\"epoch\":2,\"type\":\"param\",\"param\":"
                            "\"fee_burn_bps\",\"value\":5000}]}",
                            msg, sizeof msg),
        CAIRN_OK);
    assert_string_equal(s.name, "x");
    assert_non_null(s.economy);
    assert_int_equal(s.nshocks, 1);
    assert_int_equal(s.shocks[0].type, SIM_SHOCK_PARAM);
    assert_int_equal(s.shocks[0].value, 5000);
    assert_int_equal(s.shocks[0].yes_bps, 10000);
    esim_scenario_free(&s);
}

static int setup(void **state)
{
    (void)state;
    cairn_crypto_init();
    snprintf(tmp, sizeof tmp, "/tmp/cairn-simtest-XXXXXX");
    return mkdtemp(tmp) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_bad_values),
        cmocka_unit_test(test_deterministic),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
