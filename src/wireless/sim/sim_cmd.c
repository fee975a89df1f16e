/* `cairn sim`: dispatches to the simulators (sim.h). */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "wireless/sim/sim.h"

static const char usage[] =
    "usage: cairn sim radio --scenario FILE [--seed N] [--log FILE] "
    "[--duration S]\n"
    "  radio   plays the air between hotspot daemons (as their Semtech\n"
    "          packet forwarders), devices and replayers\n"
    "          (docs/wireless-sim.md)\n";

int cmd_sim(int argc, char **argv)
{
    if (argc < 1 || strcmp(argv[0], "--help") == 0 ||
        strcmp(argv[0], "-h") == 0 || strcmp(argv[0], "help") == 0) {
        fputs(usage, argc < 1 ? stderr : stdout);
        return argc < 1 ? 2 : 0;
    }
    if (strcmp(argv[0], "radio") == 0)
        return cmd_sim_radio(argc - 1, argv + 1);
    fputs(usage, stderr);
    return cli_fail("sim: unknown simulator \"%s\" (try: radio)", argv[0]);
}
