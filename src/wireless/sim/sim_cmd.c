/* `cairn sim`: dispatches to the simulators (sim.h). */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "wireless/sim/scenario_gen.h"
#include "wireless/sim/sim.h"

static const char usage[] =
    "usage: cairn sim radio --scenario FILE [--seed N] [--log FILE] "
    "[--duration S]\n"
    "       cairn sim scenario [--hotspots N] [--liar I] ... > FILE\n"
    "  radio      plays the air between hotspot daemons (as their Semtech\n"
    "             packet forwarders), devices and replayers\n"
    "  scenario   prints a generated scenario (hotspots on a hexagonal\n"
    "             layout, a liar, devices, a replayer)\n"
    "(docs/wireless-sim.md; each takes --help)\n";

int cmd_sim(int argc, char **argv)
{
    if (argc < 1 || strcmp(argv[0], "--help") == 0 ||
        strcmp(argv[0], "-h") == 0 || strcmp(argv[0], "help") == 0) {
        fputs(usage, argc < 1 ? stderr : stdout);
        return argc < 1 ? 2 : 0;
    }
    if (strcmp(argv[0], "radio") == 0)
        return cmd_sim_radio(argc - 1, argv + 1);
    if (strcmp(argv[0], "scenario") == 0)
        return cmd_sim_scenario(argc - 1, argv + 1);
    fputs(usage, stderr);
    return cli_fail("sim: unknown simulator \"%s\" (try: radio, scenario)",
                    argv[0]);
}
