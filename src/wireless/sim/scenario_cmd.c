/* `cairn sim scenario`: prints a generated scenario (scenario_gen.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "cairn/parse.h"
#include "cli/cli.h"
#include "wireless/sim/scenario_gen.h"

static const char usage[] =
    "usage: cairn sim scenario [--hotspots N] [--base-port P] [--lat D]\n"
    "           [--lon D] [--spacing-m M] [--liar I] [--liar-offset-m M]\n"
    "           [--devices N] [--otaa N] [--join-eui HEX16]\n"
    "           [--devaddr-base HEX8] [--every-ms MS] [--replayer-delay-ms MS]\n"
    "           [--seed S]\n"
    "Prints a scenario for `cairn sim radio` (docs/wireless-sim.md): N\n"
    "hotspots (default 12) on a hexagonal spiral M metres apart (2000) around\n"
    "(D, D) (45.0, 7.0), hotspot i's forwarder at 127.0.0.1:P+i (1700);\n"
    "with --liar I, hotspot I asserts a position --liar-offset-m north of\n"
    "its true one (30000; start its daemon with asserted_lat/asserted_lon);\n"
    "--devices ABP and --otaa OTAA devices (3 and 0) with keys drawn from\n"
    "the seed, DevAddrs from --devaddr-base (26000000) up; with\n"
    "--replayer-delay-ms a replayer near the centre.\n";

static int dbl(const char *s, const char *name, double *out)
{
    char *end;
    errno = 0;
    double x = strtod(s, &end);
    if (end == s || *end || errno)
        return cli_fail("sim scenario: --%s %s: not a number", name, s);
    *out = x;
    return 0;
}

static int u64(const char *s, const char *name, uint64_t max, uint64_t *out)
{
    if (cairn_parse_u64_max(s, max, out) != CAIRN_OK)
        return cli_fail("sim scenario: --%s %s: not a number from 0 to %llu",
                        name, s, (unsigned long long)max);
    return 0;
}

static int hex(const char *s, const char *name, size_t digits, uint64_t *out)
{
    uint64_t x = 0;
    size_t n = 0;
    for (; s[n]; n++) {
        char c = s[n];
        int v = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (v < 0 || n >= digits)
            break;
        x = x << 4 | (uint64_t)v;
    }
    if (n != digits || s[n])
        return cli_fail("sim scenario: --%s %s: must be %zu hex digits", name,
                        s, digits);
    *out = x;
    return 0;
}

int cmd_sim_scenario(int argc, char **argv)
{
    const char *v[14] = {0};
    static const char *const names[14] = {"hotspots",
                                          "base-port",
                                          "lat",
                                          "lon",
                                          "spacing-m",
                                          "liar",
                                          "liar-offset-m",
                                          "devices",
                                          "otaa",
                                          "join-eui",
                                          "devaddr-base",
                                          "every-ms",
                                          "replayer-delay-ms",
                                          "seed"};
    cli_opt opts[15];
    for (int i = 0; i < 14; i++)
        opts[i] = (cli_opt){names[i], &v[i], NULL};
    opts[14] = (cli_opt){NULL, NULL, NULL};
    cli_args pa;
    int rc = cli_parse(argc, argv, "sim scenario", usage, opts, 0, &pa);
    if (rc)
        return CLI_EXIT(rc);
    sim_gen_opts o;
    sim_gen_defaults(&o);
    uint64_t x;
    if ((v[0] && (u64(v[0], names[0], 1000, &x) || ((o.hotspots = x), 0))) ||
        (v[1] && (u64(v[1], names[1], 65535, &x) ||
                  ((o.base_port = (uint16_t)x), 0))) ||
        (v[2] && dbl(v[2], names[2], &o.lat)) ||
        (v[3] && dbl(v[3], names[3], &o.lon)) ||
        (v[4] && dbl(v[4], names[4], &o.spacing_m)) ||
        (v[5] && (u64(v[5], names[5], 1000, &x) ||
                  ((o.liar = x), (o.has_liar = true), 0))) ||
        (v[6] && dbl(v[6], names[6], &o.liar_offset_m)) ||
        (v[7] && (u64(v[7], names[7], 1000, &x) || ((o.devices = x), 0))) ||
        (v[8] && (u64(v[8], names[8], 1000, &x) || ((o.otaa = x), 0))) ||
        (v[9] && hex(v[9], names[9], 16, &o.join_eui)) ||
        (v[10] && (hex(v[10], names[10], 8, &x) ||
                   ((o.devaddr_base = (uint32_t)x), 0))) ||
        (v[11] && u64(v[11], names[11], 86400000, &o.every_ms)) ||
        (v[12] && (u64(v[12], names[12], 600000, &o.replayer_delay_ms) ||
                   ((o.has_replayer = true), 0))) ||
        (v[13] && u64(v[13], names[13], CAIRN_JSON_SAFE_MAX, &o.seed)))
        return 1;
    char why[160];
    if (sim_gen_write(stdout, &o, why, sizeof why) != 0)
        return cli_fail("sim scenario: %s", why);
    return 0;
}
