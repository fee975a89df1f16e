/* The wireless sector's descriptor: what it adds to the chain (kinds,
 * parameters, hooks); its plugin (src/wireless/plugin.c) is listed in
 * src/sectors/registry.c. The proof-of-coverage part is here; the
 * data-credit part (route_set, packet_claim, route_close; params
 * 0x320..0x33F) is appended where marked. */
#include "sectors/wireless/sector.h"

#include "sectors/wireless/data.h"
#include "sectors/wireless/wl.h"

static const tx_kind kinds[] = {
    {CAIRN_TX_HOTSPOT_ASSERT, "hotspot_assert", wl_assert_check,
     wl_assert_apply},
    {CAIRN_TX_POC_WITNESS, "poc_witness", wl_witness_check, wl_witness_apply},
    {CAIRN_TX_POC_BEACON, "poc_beacon", wl_beacon_check, wl_beacon_apply},
    {CAIRN_TX_POC_APPEAL, "poc_appeal", wl_appeal_check, wl_appeal_apply},
    WDATA_KIND_ENTRIES, /* route_set, packet_claim, route_close (data.c) */
};

#define TOK 1000000ull /* base units per token */
/* HIP-17 per resolution, packed N·10^8 + target·10^4 + max. */
#define HIP17(n, t, m) ((n)*100000000ull + (t)*10000ull + (m))
#define HIP17_DOC(r)                                                           \
    "HIP-17 density limits at hex resolution " #r                              \
    ", packed N*10^8 + target*10^4 + max (docs/wireless-chain.md)"

static const econ_param_def params[] = {
    {P_WL_WITNESS_BLOCKS, "wireless_witness_blocks", 3, 1, 1000, 0,
     "blocks after a beacon's slot in which its witness reports are taken"},
    {P_WL_BEACON_WINDOW_MS, "wireless_beacon_window_ms", 5000, 1, 600000, 0,
     "a beacon's time must lie within this many ms after its slot block's "
     "time"},
    {P_WL_LOCATION_FEE, "wireless_location_fee", TOK, 0, 1000000 * TOK, 1,
     "fee for moving a hotspot's asserted location (the first is free)"},
    {P_WL_REPORTS_MAX, "wireless_reports_max", 28, 1, 255, 0,
     "witness reports stored per beacon"},
    {P_WL_APPEAL_EPOCHS, "wireless_appeal_epochs", 4, 1, 1000, 0,
     "epochs after a beacon's epoch in which a not_reported witness can be "
     "appealed"},
    {P_WL_KEEP_EPOCHS, "wireless_keep_epochs", 8, 2, 1000, 0,
     "epochs that beacon and witness records are kept (then pruned)"},
    {P_WL_GROUP_EPOCHS, "wireless_group_epochs", 4, 1, 1000, 0,
     "epochs of valid witness edges the closed-group rule looks at"},
    {P_WL_GROUP_MAX, "wireless_group_max", 4, 0, 1000000, 0,
     "a witness group this small or smaller is a closed group (capped)"},
    {P_WL_GROUP_CAP_BPS, "wireless_group_cap_bps", 2500, 0, 10000, 0,
     "share of its PoC units a hotspot in a closed group keeps, bps"},
    {P_WL_BEACON_BPS, "wireless_beacon_bps", 750, 0, 10000, 0,
     "part of the wireless emission paid to beacons (of the three pools)"},
    {P_WL_WITNESS_BPS, "wireless_witness_bps", 3000, 0, 10000, 0,
     "part of the wireless emission paid to witnesses (of the three pools)"},
    {P_WL_DATA_BPS, "wireless_data_bps", 6250, 0, 10000, 0,
     "part of the wireless emission paid for data carried (of the three "
     "pools)"},
    {P_WL_MAX_DELAY_MS, "wireless_max_delay_ms", 4000, 1, 600000, 0,
     "latest a witness may hear a beacon after its time, ms"},
    {P_WL_MAX_FREQ_OFF_HZ, "wireless_max_freq_off_hz", 100000, 0, 100000000, 0,
     "largest frequency difference between beacon and witness, Hz"},
    {P_WL_MIN_CELLS, "wireless_min_cells", 8, 0, 100000, 0,
     "closest a witness may be to the beaconer, in res-11 hex cells"},
    {P_WL_MAX_DIST_M, "wireless_max_dist_m", 100000, 1, 20000000, 0,
     "farthest a witness may be from the beaconer, m"},
    {P_WL_RSSI_TOLERANCE, "wireless_rssi_tolerance_cdb", 300, 0, 10000, 0,
     "how far a witness RSSI may exceed the free-space limit, centi-dB"},
    {P_WL_SNR_MIN_NEG, "wireless_snr_min_neg_cdb", 2000, 0, 100000, 0,
     "lowest witness SNR, as centi-dB below zero (2000: -20 dB)"},
    {P_WL_SNR_MAX, "wireless_snr_max_cdb", 2000, 0, 100000, 0,
     "highest witness SNR, centi-dB"},
    {P_WL_MAX_WITNESSES, "wireless_max_witnesses", 14, 1, 255, 0,
     "valid witnesses rewarded per beacon (earliest first)"},
    {P_WL_REDUNDANCY, "wireless_redundancy", 4, 1, 255, 0,
     "witnesses per beacon before rewards decay (Helium's R)"},
    {P_WL_DECAY_BPS, "wireless_decay_bps", 8000, 1, 9999, 0,
     "reward decay per witness past the redundancy, bps"},
    {P_WL_HIP17_R4, "wireless_hip17_r4", HIP17(1, 250, 800), 0,
     HIP17(9999, 9999, 9999), 0, HIP17_DOC(4)},
    {P_WL_HIP17_R4 + 1, "wireless_hip17_r5", HIP17(1, 100, 400), 0,
     HIP17(9999, 9999, 9999), 0, HIP17_DOC(5)},
    {P_WL_HIP17_R4 + 2, "wireless_hip17_r6", HIP17(1, 25, 100), 0,
     HIP17(9999, 9999, 9999), 0, HIP17_DOC(6)},
    {P_WL_HIP17_R4 + 3, "wireless_hip17_r7", HIP17(2, 5, 20), 0,
     HIP17(9999, 9999, 9999), 0, HIP17_DOC(7)},
    {P_WL_HIP17_R4 + 4, "wireless_hip17_r8", HIP17(2, 1, 4), 0,
     HIP17(9999, 9999, 9999), 0, HIP17_DOC(8)},
    {P_WL_HIP17_R4 + 5, "wireless_hip17_r9", HIP17(2, 1, 2), 0,
     HIP17(9999, 9999, 9999), 0, HIP17_DOC(9)},
    {P_WL_HIP17_R10, "wireless_hip17_r10", HIP17(2, 1, 1), 0,
     HIP17(9999, 9999, 9999), 0, HIP17_DOC(10)},
    WDATA_PARAM_ENTRIES, /* 0x320..: data credits (data.c) */
};

const econ_param_def *wl_param_def(unsigned id)
{
    for (size_t i = 0; i < sizeof params / sizeof params[0]; i++)
        if (params[i].id == id)
            return &params[i];
    return NULL;
}

/* No wireless record holds tokens: the location fee is paid at once
 * through the fee split, and rewards go straight to balances. */
static uint64_t held(const uint8_t *k, size_t kn, const uint8_t *v, size_t vn)
{
    (void)k;
    (void)kn;
    (void)v;
    (void)vn;
    return 0;
}

/* Proof of coverage's verdicts and units (epoch.c), then the data part's
 * pruning (data.c), which keeps this epoch's data units for the
 * settlement's pay_emission. */
static cairn_err end_epoch(exec_ctx *x, uint64_t epoch)
{
    cairn_err e = wl_end_epoch(x, epoch);
    return e ? e : wdata_end_epoch(x, epoch);
}

const econ_sector cairn_wireless_sector = {
    .id = CAIRN_SECTOR_WIRELESS,
    .name = "wireless",
    .weight = ECON_WEIGHT(CAIRN_SECTOR_WIRELESS, "weight_wireless", 2500),
    .tag_first = 0x70,
    .tag_last = 0x7F,
    .kind_first = 0x60,
    .kind_last = 0x6F,
    .kinds = kinds,
    .nkinds = sizeof kinds / sizeof kinds[0],
    .params = params,
    .nparams = sizeof params / sizeof params[0],
    .end_epoch = end_epoch,
    .held = held,
    .pay_emission = wl_pay_emission,
};
