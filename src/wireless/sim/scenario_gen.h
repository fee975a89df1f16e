/* A generated scenario for the devnet and for tests (`cairn sim scenario`,
 * docs/wireless-sim.md): hotspots on a hexagonal layout around a centre,
 * one of them optionally a liar (its asserted position offset north),
 * ABP and OTAA devices with keys drawn from the seed, an optional
 * replayer. */
#ifndef CAIRN_WIRELESS_SIM_SCENARIO_GEN_H
#define CAIRN_WIRELESS_SIM_SCENARIO_GEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct sim_gen_opts {
    size_t hotspots;    /* 1..64 (12) */
    uint16_t base_port; /* hotspot i's forwarder: 127.0.0.1:base_port+i */
    double lat, lon;    /* centre, degrees (45.0, 7.0) */
    double spacing_m;   /* between neighbours, 100..50000 (2000) */
    bool has_liar;
    size_t liar;           /* index of the liar */
    double liar_offset_m;  /* its asserted position: this far north (30000) */
    size_t devices;        /* ABP devices (3) */
    size_t otaa;           /* OTAA devices (0); devices + otaa <= 256 */
    uint64_t join_eui;     /* of the OTAA devices */
    uint32_t devaddr_base; /* ABP DevAddrs: base + i (0x26000000) */
    uint64_t every_ms;     /* devices' period (60000) */
    bool has_replayer;
    uint64_t replayer_delay_ms;
    uint64_t seed; /* keys and the scenario's seed (1) */
} sim_gen_opts;

void sim_gen_defaults(sim_gen_opts *o);

/* Writes the scenario as JSON to out. Returns 0, or -1 with why (an
 * option out of range). */
int sim_gen_write(FILE *out, const sim_gen_opts *o, char *why, size_t why_len);

/* `cairn sim scenario [options]`: prints a generated scenario. */
int cmd_sim_scenario(int argc, char **argv);

#endif
