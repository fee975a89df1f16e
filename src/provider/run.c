/* The provider daemon's chain loop (daemon.h, part 3): wait for the node,
 * register, then the sector's tick and the endpoint watch every round. */
#include <stdarg.h>
#include <time.h>

#include "core/log.h"
#include "provider/daemon.h"

#define STOP_SLICE_MS 100

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Sleeps ms in slices, returning early once *stop is set. */
static void nap(int ms, volatile sig_atomic_t *stop)
{
    for (int t = 0; t < ms && !*stop; t += STOP_SLICE_MS)
        sleep_ms(STOP_SLICE_MS);
}

static const char *who(const pd_chain *c)
{
    return c->cfg.who ? c->cfg.who : "provider";
}

/* Reaches the node and registers; retries while the node is down.
 * 0: registered (or stopped), 1: refused for good (logged). */
static int connect_chain(pd_chain *c, const pd_run_ops *ops, int poll_ms,
                         volatile sig_atomic_t *stop)
{
    int said = 0;
    while (!*stop) {
        cairn_err e = ops->prepare ? ops->prepare(ops->ctx) : CAIRN_OK;
        if (!e)
            e = pd_chain_register(c);
        if (!e)
            return 0;
        if (e != CAIRN_ERR_HTTP)
            return 1;
        if (!said++)
            log_line(c->cfg.log, who(c), "waiting for the node at %s",
                     c->cfg.node);
        nap(poll_ms, stop);
    }
    return 0;
}

int pd_run_chain(pd_chain *c, const pd_run_ops *ops, int poll_ms,
                 volatile sig_atomic_t *stop)
{
    cairn_err last = CAIRN_OK;
    int rc = connect_chain(c, ops, poll_ms, stop);
    while (!rc && !*stop) {
        cairn_err e = ops->tick ? ops->tick(ops->ctx) : CAIRN_OK;
        cairn_err w = pd_chain_watch(c);
        if (!e)
            e = w;
        if (c->fatal)
            rc = 1;
        else if (e && e != last)
            log_line(c->cfg.log, who(c), "chain round failed: %s",
                     cairn_strerror(e));
        last = e;
        if (!rc)
            nap(poll_ms, stop);
    }
    return rc;
}
