/* The compute sector's descriptor: what it adds to the chain (kinds,
 * parameters, hooks, escrow for the audit); its plugin
 * (src/compute/plugin.c) is listed in src/sectors/registry.c. */
#include "sectors/compute/sector.h"

#include "sectors/compute/compute.h"
#include "sectors/compute/subnet.h"

static const tx_kind kinds[] = {
    {CAIRN_TX_COMPUTE_OFFER, "compute_offer", compute_offer_check,
     compute_offer_apply},
    {CAIRN_TX_ORDER_OPEN, "order_open", compute_order_check,
     compute_order_apply},
    {CAIRN_TX_BID, "bid", compute_bid_check, compute_bid_apply},
    {CAIRN_TX_LEASE_CREATE, "lease_create", compute_create_check,
     compute_create_apply},
    {CAIRN_TX_LEASE_DEPOSIT, "lease_deposit", compute_deposit_check,
     compute_deposit_apply},
    {CAIRN_TX_LEASE_CLOSE, "lease_close", compute_close_check,
     compute_close_apply},
    {CAIRN_TX_LEASE_REPORT, "lease_report", compute_report_check,
     compute_report_apply},
    {CAIRN_TX_TICKET_FUND, "ticket_fund", ticket_fund_check, ticket_fund_apply},
    {CAIRN_TX_TICKET_REDEEM, "ticket_redeem", ticket_redeem_check,
     ticket_redeem_apply},
    {CAIRN_TX_TICKET_WITHDRAW, "ticket_withdraw", ticket_withdraw_check,
     ticket_withdraw_apply},
    {CAIRN_TX_SUBNET_CREATE, "subnet_create", subnet_create_check,
     subnet_create_apply},
    {CAIRN_TX_SUBNET_JOIN, "subnet_join", subnet_join_check, subnet_join_apply},
    {CAIRN_TX_SUBNET_LEAVE, "subnet_leave", subnet_leave_check,
     subnet_leave_apply},
    {CAIRN_TX_WEIGHTS_COMMIT, "weights_commit", weights_commit_check,
     weights_commit_apply},
    {CAIRN_TX_WEIGHTS_REVEAL, "weights_reveal", weights_reveal_check,
     weights_reveal_apply},
};

#define TOK 1000000ull /* base units per token */

static const econ_param_def params[] = {
    {P_COMPUTE_MIN_PRICE, "compute_min_price_per_core", TOK / 100, 0,
     1000000000 * TOK, 1,
     "lowest price of a compute lease per core per epoch: paid core-epochs "
     "earn emission, so self-dealing must cost real fees"},
    {P_COMPUTE_BID_DEPOSIT, "compute_bid_deposit", TOK / 2, 0, 1000000000 * TOK,
     1, "deposit a compute bid holds until its order closes"},
    {P_COMPUTE_MAX_BIDS, "compute_max_bids", 20, 1, 255, 0,
     "most bids on one compute order"},
    {P_COMPUTE_BID_WINDOW, "compute_bid_window_max", 1000, 1, 10000000, 0,
     "longest bid window of a compute order, blocks"},
    {P_COMPUTE_GRACE, "compute_grace_epochs", 3, 0, 1000000, 0,
     "epochs a paused compute lease waits for a top-up before it closes"},
    {P_COMPUTE_MAX_MISSED, "compute_max_missed", 2, 1, 1000, 0,
     "unreported epochs in a row that lose a compute lease"},
    {P_COMPUTE_SLASH_BPS, "compute_fault_slash_bps", 100, 0, 10000, 0,
     "stake slashed from a compute provider that lost a lease"},
    {P_COMPUTE_MAX_EPOCHS, "compute_max_epochs", 1000000, 1, 1000000000, 0,
     "longest compute lease in epochs"},
    {P_COMPUTE_TICKET_UNLOCK, "compute_ticket_unlock_blocks", 1000, 1, 10000000,
     0,
     "blocks between a ticket sender's withdrawal request and its payout: "
     "tickets in flight can still be redeemed from those funds"},
    {P_SUBNET_CREATE_COST, "compute_subnet_create_cost", 100 * TOK, 0,
     1000000000 * TOK, 1,
     "tokens a subnet's creator locks for good in the subnet (Bittensor's "
     "registration lock): keeps names from being squatted for free"},
    {P_SUBNET_MIN_STAKE, "compute_subnet_min_stake", 10 * TOK, 1,
     1000000000 * TOK, 1,
     "least stake a subnet validator holds; its weights count by stake"},
    {P_SUBNET_UNLOCK_EPOCHS, "compute_subnet_unlock_epochs", 2, 0, 1000000, 0,
     "epochs after a validator leaves a subnet before its stake comes back "
     "(paid at the end of that epoch)"},
    {P_SUBNET_KAPPA, "compute_subnet_kappa", 32767, 1, 65535, 0,
     "Yuma consensus quantile, /65535: the stake share that must back a "
     "weight for it to count"},
    {P_SUBNET_ALPHA, "compute_subnet_alpha", 6554, 1, 65535, 0,
     "Yuma bond moving-average weight of the newest epoch, /65535"},
    {P_SUBNET_OWNER_BPS, "compute_subnet_owner_bps", 1800, 0, 10000, 0,
     "share of a subnet's emission paid to its owner, bps"},
    {P_SUBNET_EMISSION_BPS, "compute_subnet_emission_bps", 5000, 0, 10000, 0,
     "share of the compute sector's emission paid to subnets by Yuma "
     "consensus, bps (the rest is paid by lease work)"},
};

/* A lease record holds its escrow, a bid record its deposit, a ticket
 * funds record its deposit and reserve, a subnet record its create cost, a
 * subnet member record its stake; the indexes, the counter, the provider
 * records, the redeemed-ticket records and the weights, bonds and results
 * hold nothing. */
static uint64_t held(const uint8_t *k, size_t kn, const uint8_t *v, size_t vn)
{
    cairn_bid_info b;
    if (k[0] == STATE_LEASE)
        return compute_lease_held(v, vn);
    if (k[0] == STATE_BID)
        return bid_decode(&b, v, vn) ? UINT64_MAX : b.deposit;
    if (k[0] == STATE_TICKET_FUNDS)
        return tfunds_held(v, vn);
    return subnet_held(k, kn, v, vn);
}

const econ_sector cairn_compute_sector = {
    .id = CAIRN_SECTOR_COMPUTE,
    .name = "compute",
    .weight = ECON_WEIGHT(CAIRN_SECTOR_COMPUTE, "weight_compute", 2500),
    .tag_first = 0x60,
    .tag_last = 0x6F,
    .kind_first = 0x50,
    .kind_last = 0x5F,
    .kinds = kinds,
    .nkinds = sizeof kinds / sizeof kinds[0],
    .params = params,
    .nparams = sizeof params / sizeof params[0],
    .end_block = compute_end_block,
    .end_epoch = compute_end_epoch,
    .held = held,
    .pay_emission = subnet_pay_emission,
};
