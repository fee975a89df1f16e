/* Internal: a simulator scenario (docs/simulator.md, "Scenario file"):
 * every assumption of a run, parsed and bounded. */
#ifndef CAIRN_SIM_SCENARIO_H
#define CAIRN_SIM_SCENARIO_H

#include <stddef.h>
#include <stdint.h>

#include "cairn/error.h"

#define SIM_NAME_MAX 63
#define SIM_SHOCKS_MAX 64
#define SIM_PARAM_MAX 32

typedef enum sim_shock_type {
    SIM_SHOCK_EXODUS = 1, /* a share of the active providers leave */
    SIM_SHOCK_DEMAND = 2, /* the user count (and its ceiling) × factor */
    SIM_SHOCK_PARAM = 3,  /* a governance vote on one parameter */
} sim_shock_type;

typedef struct sim_shock {
    uint64_t epoch;
    sim_shock_type type;
    uint64_t fraction_bps;         /* exodus */
    uint64_t factor_bps;           /* demand: 10000 = unchanged */
    char param[SIM_PARAM_MAX + 1]; /* param: its JSON name */
    uint64_t value;                /* param: base units for amounts */
    uint64_t yes_bps;              /* param: share of providers voting yes
                                      (the rest vote no) */
} sim_shock;

typedef struct sim_providers {
    uint64_t initial, max, cpus;
    double cost_usd; /* per cpu and epoch */
    uint64_t stake;  /* base units */
    uint64_t hurdle_bps, leave_after, join_bps, bids_per_order;
} sim_providers;

typedef struct sim_users {
    uint64_t initial, max, growth_bps, cpus;
    double budget_usd; /* per cpu and epoch, the median user's */
    uint64_t elasticity_bps, prepay_epochs;
} sim_users;

typedef struct sim_market {
    double price_usd, min_price_usd, credit_usd, credits_usd;
    uint64_t k_bps, max_move_bps;
    uint64_t float_tokens; /* base units the exchange holds at genesis */
} sim_market;

typedef struct esim_scenario {
    char name[SIM_NAME_MAX + 1];
    uint64_t seed, epoch_blocks, block_interval_ms, genesis_time_ms;
    char *economy; /* owned: the "genesis" overrides as JSON, or NULL */
    sim_providers prov;
    sim_users users;
    sim_market market;
    sim_shock shocks[SIM_SHOCKS_MAX];
    size_t nshocks;
} esim_scenario;

/* Fills s with every default (docs/simulator.md). */
void esim_scenario_defaults(esim_scenario *s);
/* Parses a scenario (JSON text) over the defaults. On error (BAD_ARG),
 * msg names the key and the allowed range, e.g. "scenario
 * users.growth_bps: 200000 is above 10000". s->economy is owned by s:
 * release with esim_scenario_free (also after an error). */
cairn_err esim_scenario_parse(esim_scenario *s, const char *json, char *msg,
                              size_t len);
/* Reads and parses a file (the same, plus IO when it cannot be read). */
cairn_err esim_scenario_load(esim_scenario *s, const char *path, char *msg,
                             size_t len);
void esim_scenario_free(esim_scenario *s);

#endif
