/* The radio simulator's scenario: the model's parameters and where the
 * hotspots' forwarders, the devices and the replayers are (JSON, read with
 * jansson; format in docs/wireless-sim.md). */
#ifndef CAIRN_WIRELESS_SIM_SCENARIO_H
#define CAIRN_WIRELESS_SIM_SCENARIO_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wireless/sim/radio_model.h"

#define SIM_MAX_HOTSPOTS 64
#define SIM_MAX_DEVICES 256
#define SIM_MAX_REPLAYERS 16
#define SIM_NAME_MAX 32 /* names: 1..31 of [A-Za-z0-9_.-] */

typedef struct sim_hotspot_cfg {
    char name[SIM_NAME_MAX];
    struct sockaddr_in addr; /* the hotspot daemon's UDP address */
    uint8_t eui[8];
    int32_t lat, lon; /* TRUE position, micro-degrees */
    double gain_dbi;
    /* what its daemon is told to assert, when the scenario says (for the
     * scripts that start the daemons, and the log); the sim never uses it */
    bool has_asserted;
    int32_t asserted_lat, asserted_lon;
} sim_hotspot_cfg;

typedef struct sim_device_cfg {
    char name[SIM_NAME_MAX];
    int32_t lat, lon;
    uint64_t every_ms; /* between uplinks, >= 100 */
    uint32_t size;     /* application payload bytes, 0..200 */
    bool otaa;
    uint32_t dev_addr; /* ABP */
    uint8_t nwk_skey[16];
    uint64_t dev_eui, join_eui; /* OTAA */
    uint8_t app_key[16];
    double tx_power_dbm;
} sim_device_cfg;

typedef struct sim_replayer_cfg {
    int32_t lat, lon;
    uint64_t delay_ms;
    double gain_dbi;
    double tx_power_dbm;
} sim_replayer_cfg;

typedef struct sim_scenario {
    rm_params model;
    bool has_seed;
    uint64_t seed;
    size_t n_hs, n_dev, n_rep;
    sim_hotspot_cfg hs[SIM_MAX_HOTSPOTS];
    sim_device_cfg dev[SIM_MAX_DEVICES];
    sim_replayer_cfg rep[SIM_MAX_REPLAYERS];
} sim_scenario;

/* Reads the scenario file at path into *sc (fully overwritten). Returns 0,
 * or -1 with why (one line naming the field and what is wrong). */
int sim_scenario_load(const char *path, sim_scenario *sc, char *why,
                      size_t why_len);
/* As sim_scenario_load from JSON text. */
int sim_scenario_parse(const char *text, sim_scenario *sc, char *why,
                       size_t why_len);

#endif
