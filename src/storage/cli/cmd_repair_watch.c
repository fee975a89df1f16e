/* `cairn repair --watch`: the repair checker as a daemon. Once per epoch
 * (the node is read every second) it runs srepair_pass over the client's
 * store; it stops on SIGTERM or SIGINT, between passes or at the end of
 * the file being repaired. */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "storage/cli/storage_cli.h"
#include "storage/client/repairwatch.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

/* Sleeps ms milliseconds, or less when asked to stop. */
static void nap(int ms)
{
    struct timespec ts = {0, 100 * 1000000L};
    for (int i = 0; i < ms / 100 && !stop; i++)
        nanosleep(&ts, NULL);
}

int repair_watch(sclient *c, uint32_t min_alive)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    uint64_t last = UINT64_MAX;
    int complained = 0;
    c->log = stderr;
    fprintf(stderr, "repair: watching every file of the store, once per "
                    "epoch (stop with Ctrl-C)\n");
    while (!stop) {
        schain ch;
        cairn_err e = sclient_chain(c, &ch);
        if (e == CAIRN_ERR_READ_ONLY)
            return stor_fail(c, e);
        if (e) {
            if (!complained++)
                fprintf(stderr, "repair: %s; trying again\n", c->why);
            nap(2000);
            continue;
        }
        complained = 0;
        if (ch.epoch != last) {
            srepair_stats st;
            last = ch.epoch;
            fprintf(stderr, "repair: epoch %llu\n", (unsigned long long)last);
            if (srepair_pass(c, min_alive, stderr, &st))
                fprintf(stderr, "repair: %s\n", c->why);
        }
        nap(1000);
    }
    fprintf(stderr, "repair: stopped\n");
    return 0;
}
