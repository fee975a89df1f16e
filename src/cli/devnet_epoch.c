/* `cairn devnet`: one line per sector per settled epoch with the sector's
 * own numbers (providers, usage, revenue, burn and emission from
 * /v1/metrics), the network's velocity, and, on the storage line, how the
 * sample file's pieces stand (on the compute line, the sample lease).
 *
 * Which sample pieces were proven in epoch E is seen while E runs: a deal's
 * last_proven is E from its proof in E until its proof in E+1, so it is
 * read every tick during E and once more at the first tick after E. A
 * devnet that starts (or resumes) in the middle of an epoch has not seen
 * the one before, so it reports from the running epoch on. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/devnet.h"
#include "net/node_rpc.h"

#define SAMPLE_PIECES_MAX 256
#define DONE_RING 4

/* The epochs followed and reported (one devnet per process). */
static struct {
    int started;                       /* the first tick has run */
    uint64_t next;                     /* the next epoch to report */
    int tracking;                      /* t and proven[] are in use */
    uint64_t t;                        /* the epoch being followed */
    size_t n;                          /* sample pieces followed */
    uint8_t proven[SAMPLE_PIECES_MAX]; /* piece i seen proven in t */
    struct {
        int valid;
        uint64_t epoch;
        int proven;
    } done[DONE_RING]; /* counts of finished epochs */
} ep;

/* The running epoch from /v1/staking. 0, or -1 when the node is down. */
static int current_epoch(const devnet *d, uint64_t *epoch)
{
    json_t *j;
    snode_err ne;
    if (snode_get(d->seq.url, "/v1/staking", &j, &ne))
        return -1;
    int bad = snode_u64(j, "epoch", epoch);
    json_decref(j);
    return bad ? -1 : 0;
}

static void finish(uint64_t epoch)
{
    int count = 0;
    for (size_t i = 0; i < ep.n; i++)
        count += ep.proven[i];
    ep.done[epoch % DONE_RING].valid = 1;
    ep.done[epoch % DONE_RING].epoch = epoch;
    ep.done[epoch % DONE_RING].proven = count;
}

/* Marks the sample's pieces proven in the followed epoch; when the chain
 * has moved past it, counts it as finished and follows `now`. */
static void follow_sample(uint64_t now)
{
    uint64_t last[SAMPLE_PIECES_MAX];
    size_t n;
    if (devnet_sample_proven(last, SAMPLE_PIECES_MAX, &n))
        return;
    if (!ep.tracking || n != ep.n) {
        ep.tracking = 1, ep.t = now, ep.n = n;
        memset(ep.proven, 0, sizeof ep.proven);
    }
    if (now > ep.t) {
        for (size_t i = 0; i < n; i++)
            ep.proven[i] |= last[i] == ep.t; /* proven late in t */
        finish(ep.t);
        ep.t = now;
        memset(ep.proven, 0, sizeof ep.proven);
    }
    for (size_t i = 0; i < n; i++)
        ep.proven[i] |= last[i] == now;
}

/* The storage line's tail: the sample's pieces alive now and proven in E. */
static void sample_part(char *out, size_t len, uint64_t epoch)
{
    int alive, all;
    const char *id = devnet_storage_sample_id();
    out[0] = '\0';
    if (!*id || devnet_sample_alive(&alive, &all))
        return;
    int n = snprintf(out, len, "; sample.bin %d/%d pieces alive", alive, all);
    if (ep.done[epoch % DONE_RING].valid &&
        ep.done[epoch % DONE_RING].epoch == epoch)
        snprintf(out + n, len - (size_t)n, ", %d proven",
                 ep.done[epoch % DONE_RING].proven);
}

/* The compute line's tail: the sample lease's state and what it paid. */
static void lease_part(const devnet *d, char *out, size_t len)
{
    char path[64];
    json_t *l;
    snode_err ne;
    uint64_t id = devnet_compute_sample_lease();
    out[0] = '\0';
    snprintf(path, sizeof path, "/v1/compute/lease/%llu",
             (unsigned long long)id);
    if (!id || snode_get(d->seq.url, path, &l, &ne))
        return;
    snprintf(out, len, "; sample lease %llu %s, %s paid so far",
             (unsigned long long)id, jstr(l, "state"), jstr(l, "paid"));
    json_decref(l);
}

/* Sector k's amount in m's per-sector object `field` ("?" when absent). */
static const char *sector_amount(const json_t *m, const char *field,
                                 const char *k)
{
    const char *s = jstr(json_object_get(m, field), k);
    return *s ? s : "?";
}

/* Prints the lines of one settled epoch m (/v1/metrics). */
static void print_epoch(const devnet *d, const json_t *m)
{
    const char *k;
    json_t *v;
    uint64_t epoch = 0;
    snode_u64(m, "epoch", &epoch);
    json_object_foreach(json_object_get(m, "work_units"), k, v)
    {
        long long usage = json_integer_value(v);
        long long with_work = jint(json_object_get(m, "active_providers"), k);
        long long stk = jint(json_object_get(m, "staked_providers"), k);
        const char *rev = sector_amount(m, "revenue_by_sector", k);
        char tail[320] = "";
        if (usage <= 0 && with_work <= 0 && stk <= 0 && !strcmp(rev, "0"))
            continue;
        if (!strcmp(k, "storage"))
            sample_part(tail, sizeof tail, epoch);
        if (!strcmp(k, "compute"))
            lease_part(d, tail, sizeof tail);
        if (!strcmp(k, "wireless"))
            devnet_wireless_tail(d, epoch, tail, sizeof tail);
        if (!strcmp(k, "sensor"))
            devnet_sensor_tail(d, epoch, tail, sizeof tail);
        printf("epoch %llu %s: %lld providers staked, %lld with work, usage "
               "%lld units; revenue %s CRN, burned %s, emitted %s; network "
               "velocity %s%s\n",
               (unsigned long long)epoch, k, stk < 0 ? 0 : stk,
               with_work < 0 ? 0 : with_work, usage, rev,
               sector_amount(m, "burned_by_sector", k),
               sector_amount(m, "emitted_by_sector", k), jstr(m, "velocity"),
               tail);
    }
    fflush(stdout);
}

/* Reports settled epoch E. 0, or -1 to try again next tick. */
static int report(const devnet *d, uint64_t epoch)
{
    char path[96];
    json_t *j;
    snode_err ne;
    snprintf(path, sizeof path, "/v1/metrics?from=%llu&to=%llu",
             (unsigned long long)epoch, (unsigned long long)epoch);
    if (snode_get(d->seq.url, path, &j, &ne))
        return -1;
    json_t *m = json_array_get(json_object_get(j, "epochs"), 0);
    if (m) {
        print_epoch(d, m);
        devnet_subnet_line(d, epoch);
    }
    json_decref(j);
    return m ? 0 : -1;
}

void devnet_epoch_tick(const devnet *d)
{
    uint64_t now;
    if (current_epoch(d, &now))
        return;
    follow_sample(now);
    if (!ep.started) {
        ep.started = 1;
        ep.next = now;
    }
    if (now > ep.next && report(d, now - 1) == 0)
        ep.next = now;
}
