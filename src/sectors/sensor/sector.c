/* The sensor sector's descriptor: kinds, parameters and hooks
 * (docs/sensor-chain.md); its plugin (src/sensor/plugin.c) is listed in
 * src/sectors/registry.c. */
#include "sectors/sensor/sector.h"

#include "core/bytes.h"
#include "sectors/sensor/sn.h"

static const tx_kind kinds[] = {
    {CAIRN_TX_DEVICE_PAIR, "device_pair", sn_pair_check, sn_pair_apply},
    {CAIRN_TX_DEVICE_TRANSFER, "device_transfer", sn_transfer_check,
     sn_transfer_apply},
    {CAIRN_TX_BATCH_REGISTER, "batch_register", sn_batch_check, sn_batch_apply},
    {CAIRN_TX_GRANT, "grant", sn_grant_check, sn_grant_apply},
    {CAIRN_TX_REVOKE, "revoke", sn_revoke_check, sn_revoke_apply},
    {CAIRN_TX_ACCESS_PAY, "access_pay", sn_pay_check, sn_pay_apply},
    {CAIRN_TX_BOUNTY_FUND, "bounty_fund", sn_bounty_check, sn_bounty_apply},
    {CAIRN_TX_MAP_READ, "map_read", sn_map_read_check, sn_map_read_apply},
};

static const econ_param_def params[] = {
    {P_SN_TILE_RES, "sensor_tile_res", 9, 1, 12, 0,
     "hex resolution of map tiles (the wireless grid; 9: about 165 m edge)"},
    {P_SN_REF_WINDOW, "sensor_ref_window", 20, 1, 100000, 0,
     "a batch's ref_height must be one of this many latest blocks"},
    {P_SN_BATCH_SPAN_MS, "sensor_batch_span_ms", 600000, 1000, 86400000, 0,
     "longest time range of one batch, ms"},
    {P_SN_MAX_SPEED_MPS, "sensor_max_speed_mps", 70, 1, 1000, 0,
     "fastest a device may move between consecutive tiles, m/s"},
    {P_SN_QUORUM, "sensor_quorum", 2, 1, 100, 0,
     "distinct owners that must agree on a tile's value for it to count"},
    {P_SN_TILE_UNITS, "sensor_tile_units", 1000, 1, 1000000000, 0,
     "map units of a fresh agreed tile (before freshness and boost)"},
    {P_SN_FRESH_EPOCHS, "sensor_fresh_epochs", 7, 1, 10000, 0,
     "epochs after which a mapped tile is worth its full value again"},
    {P_SN_BOUNTY_BOOST_BPS, "sensor_bounty_boost_bps", 10000, 0, 100000, 0,
     "extra value of a tile with a live bounty, bps"},
    {P_SN_BOUNTY_MAX, "sensor_bounty_max", 28, 1, 10000, 0,
     "longest a bounty may run, epochs"},
    {P_SN_MAP_READ_CREDITS, "sensor_map_read_credits", 1, 0, 1000000, 0,
     "credits a map read spends"},
    {P_SN_OWNER_BPS, "sensor_owner_bps", 8000, 0, 10000, 0,
     "owner's share of an access payment, bps (the rest: the fee split)"},
    {P_SN_PERIOD_EPOCHS, "sensor_period_epochs", 7, 1, 10000, 0,
     "epochs in one access period (a grant's price is per period)"},
    {P_SN_WEEK_EPOCHS, "sensor_week_epochs", 7, 1, 10000, 0,
     "epochs in one reward week (DIMO's weekly points)"},
    {P_SN_FULL_BATCHES, "sensor_full_batches", 3, 1, 10000, 0,
     "batches in a week for the full connection points (6000, else 3000)"},
    {P_SN_MAP_BPS, "sensor_map_bps", 7000, 0, 10000, 0,
     "part of the sensor emission paid by map units (the rest: weekly)"},
    {P_SN_QUORUM_EPOCHS, "sensor_quorum_epochs", 3, 1, 28, 0,
     "epochs over which distinct owners' reports of a tile corroborate "
     "each other"},
};

const econ_param_def *sn_param_def(unsigned id)
{
    for (size_t i = 0; i < sizeof params / sizeof params[0]; i++)
        if (params[i].id == id)
            return &params[i];
    return NULL;
}

/* Bounty rows hold their amount in escrow; nothing else holds tokens. */
static uint64_t held(const uint8_t *k, size_t kn, const uint8_t *v, size_t vn)
{
    if (kn < 1 || k[0] != SN_STATE_BOUNTY)
        return 0;
    if (kn != 41 || vn != 16)
        return UINT64_MAX;
    return cairn_le64_get(v);
}

const econ_sector cairn_sensor_sector = {
    .id = CAIRN_SECTOR_SENSOR,
    .name = "sensor",
    .weight = ECON_WEIGHT(CAIRN_SECTOR_SENSOR, "weight_sensor", 2500),
    .tag_first = 0x80,
    .tag_last = 0x8F,
    .kind_first = 0x70,
    .kind_last = 0x7F,
    .kinds = kinds,
    .nkinds = sizeof kinds / sizeof kinds[0],
    .params = params,
    .nparams = sizeof params / sizeof params[0],
    .end_epoch = sn_end_epoch,
    .held = held,
    .pay_emission = sn_pay_emission,
};
