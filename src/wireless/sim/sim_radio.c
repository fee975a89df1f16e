/* `cairn sim radio`: the command line and the simulator's loop (sim.h;
 * docs/wireless-sim.md). One thread: poll over the forwarders' sockets,
 * woken for the next keepalive, uplink, transmission or summary. */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cairn/parse.h"
#include "cli/cli.h"
#include "wireless/sim/sim.h"
#include "wireless/sim/world.h"

#define SUMMARY_US 10000000
#define SEED_DEFAULT 1

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

static const char usage[] =
    "usage: cairn sim radio --scenario FILE [--seed N] [--log FILE]\n"
    "           [--duration S]\n"
    "Plays the air between hotspots, devices and replayers placed by the\n"
    "scenario (docs/wireless-sim.md): for each hotspot it is the Semtech UDP\n"
    "packet forwarder of the daemon at its \"forwarder\" address, and delivers\n"
    "each transmission to every hotspot in range with RSSI and SNR from the\n"
    "path-loss model and a time of arrival. --seed (default: the scenario's,\n"
    "else 1) fixes the shadowing and every other draw. --log writes one JSON\n"
    "line per event (tx, rx, drop with its reason, ...); a summary line goes\n"
    "to stdout every 10 s. Runs until SIGINT/SIGTERM or --duration seconds.\n";

static uint64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static void summary(const sim_world *w, uint64_t start, uint64_t now)
{
    uint64_t pulls = 0, pull_acks = 0, pushes = 0, push_acks = 0;
    for (size_t h = 0; h < w->sc->n_hs; h++) {
        pulls += w->fwd[h].pull_sent;
        pull_acks += w->fwd[h].pull_acked;
        pushes += w->fwd[h].push_sent;
        push_acks += w->fwd[h].push_acked;
    }
    printf("sim radio: t=%llus tx=%llu rx=%llu drop=%llu late=%llu "
           "replays=%llu uplinks=%llu joins=%llu joined=%llu pull=%llu/%llu "
           "push=%llu/%llu queue=%zu queue_full=%llu bad=%llu\n",
           (unsigned long long)((now - start) / 1000000),
           (unsigned long long)w->n.tx, (unsigned long long)w->n.rx,
           (unsigned long long)w->n.drop, (unsigned long long)w->n.late,
           (unsigned long long)w->n.replays, (unsigned long long)w->n.uplinks,
           (unsigned long long)w->n.joins, (unsigned long long)w->n.accepts,
           (unsigned long long)pull_acks, (unsigned long long)pulls,
           (unsigned long long)push_acks, (unsigned long long)pushes, w->nq,
           (unsigned long long)w->n.queue_full,
           (unsigned long long)w->n.bad_datagrams);
    fflush(stdout);
}

/* One "hotspot" line per hotspot at the start: where it truly is, what
 * its daemon asserts (when the scenario says) and how far apart. */
static void log_hotspot(sim_world *w, size_t h, uint64_t t0)
{
    const sim_hotspot_cfg *c = &w->sc->hs[h];
    char eui[17], asserted[96] = "", ip[INET_ADDRSTRLEN] = "?";
    sim_hex(c->eui, 8, eui);
    inet_ntop(AF_INET, &c->addr.sin_addr, ip, sizeof ip);
    if (c->has_asserted)
        snprintf(asserted, sizeof asserted,
                 ",\"asserted_lat\":%.6f,\"asserted_lon\":%.6f,"
                 "\"offset_m\":%llu",
                 c->asserted_lat / 1e6, c->asserted_lon / 1e6,
                 (unsigned long long)sim_dist_m(c->lat, c->lon, c->asserted_lat,
                                                c->asserted_lon));
    sim_log(w, t0, "hotspot",
            "\"name\":\"%s\",\"eui\":\"%s\",\"forwarder\":\"%s:%u\","
            "\"lat\":%.6f,\"lon\":%.6f,\"gain_dbi\":%.2f%s",
            c->name, eui, ip, (unsigned)ntohs(c->addr.sin_port), c->lat / 1e6,
            c->lon / 1e6, c->gain_dbi, asserted);
}

static uint64_t min64(uint64_t a, uint64_t b)
{
    return a < b ? a : b;
}

static void run(sim_world *w, uint64_t duration_us)
{
    struct pollfd pfd[SIM_MAX_HOTSPOTS];
    size_t n = w->sc->n_hs;
    for (size_t h = 0; h < n; h++)
        pfd[h] = (struct pollfd){.fd = w->fwd[h].fd, .events = POLLIN};
    uint64_t start = now_us();
    uint64_t end = duration_us ? start + duration_us : UINT64_MAX;
    uint64_t next_summary = start + SUMMARY_US;
    while (!stop_flag) {
        uint64_t now = now_us();
        if (now >= end)
            break;
        if (now >= next_summary) {
            summary(w, start, now);
            next_summary += SUMMARY_US;
        }
        uint64_t next = min64(end, next_summary);
        next = min64(next, sim_fwd_tick(w, now));
        next = min64(next, sim_dev_tick(w, now));
        next = min64(next, sim_air_run(w, now));
        now = now_us();
        int timeout = 0;
        if (next > now)
            timeout = (int)min64((next - now + 999) / 1000, 1000);
        int r = poll(pfd, n, timeout);
        if (r < 0 && errno != EINTR)
            break;
        for (size_t h = 0; r > 0 && h < n; h++)
            if (pfd[h].revents & (POLLIN | POLLERR))
                sim_fwd_read(w, h, now_us());
    }
    summary(w, start, now_us());
}

int cmd_sim_radio(int argc, char **argv)
{
    const char *scen = NULL, *seed_s = NULL, *log_s = NULL, *dur_s = NULL;
    const cli_opt opts[] = {{"scenario", &scen, NULL},
                            {"seed", &seed_s, NULL},
                            {"log", &log_s, NULL},
                            {"duration", &dur_s, NULL},
                            {NULL, NULL, NULL}};
    cli_args pa;
    int rc = cli_parse(argc, argv, "sim radio", usage, opts, 0, &pa);
    if (rc)
        return CLI_EXIT(rc);
    if (!scen)
        return cli_fail("sim radio: --scenario FILE is required (format: "
                        "docs/wireless-sim.md)");
    uint64_t seed = SEED_DEFAULT, dur = 0;
    if (seed_s && cairn_parse_u64(seed_s, &seed) != CAIRN_OK)
        return cli_fail("sim radio: --seed %s: not a number (0 to 2^64-1)",
                        seed_s);
    if (dur_s && cairn_parse_u64_max(dur_s, 31536000, &dur) != CAIRN_OK)
        return cli_fail("sim radio: --duration %s: not a number of seconds "
                        "(at most a year)",
                        dur_s);
    sim_scenario *sc = calloc(1, sizeof *sc);
    sim_world *w = calloc(1, sizeof *w);
    if (!sc || !w) {
        free(sc);
        free(w);
        return cli_fail("sim radio: out of memory");
    }
    char why[256];
    if (sim_scenario_load(scen, sc, why, sizeof why) != 0) {
        free(sc);
        free(w);
        return cli_fail("sim radio: scenario %s: %s", scen, why);
    }
    if (!seed_s && sc->has_seed)
        seed = sc->seed;
    w->sc = sc;
    w->seed = seed;
    rm_rng_seed(&w->rng, rm_mix(seed, 0x73696d2f726e67ULL));
    if (log_s && !(w->log = fopen(log_s, "w"))) {
        rc = cli_fail("sim radio: --log %s: %s", log_s, strerror(errno));
        free(sc);
        free(w);
        return rc;
    }
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    uint64_t t0 = now_us();
    if (sim_fwd_open(w, t0) != 0) {
        if (w->log)
            fclose(w->log);
        free(sc);
        free(w);
        return 1;
    }
    sim_dev_init(w, t0);
    printf("sim radio: %zu hotspots, %zu devices, %zu replayers, seed %llu\n",
           sc->n_hs, sc->n_dev, sc->n_rep, (unsigned long long)seed);
    fflush(stdout);
    sim_log(w, t0, "start",
            "\"hotspots\":%zu,\"devices\":%zu,\"replayers\":%zu,\"seed\":%llu",
            sc->n_hs, sc->n_dev, sc->n_rep, (unsigned long long)seed);
    for (size_t h = 0; h < sc->n_hs; h++)
        log_hotspot(w, h, t0);
    run(w, dur * 1000000);
    sim_log(w, 0, "stop", "\"tx\":%llu,\"rx\":%llu,\"drop\":%llu",
            (unsigned long long)w->n.tx, (unsigned long long)w->n.rx,
            (unsigned long long)w->n.drop);
    sim_fwd_close(w);
    if (w->log)
        fclose(w->log);
    free(sc);
    free(w);
    return 0;
}
