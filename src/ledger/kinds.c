/* The registration table of transaction kinds: the one place a new kind
 * (from econ/ or a sector) is added. Transfers have a fast path in exec.c
 * and appear here for their name and body check. */
#include "ledger/kinds.h"

#include "econ/credits.h"
#include "econ/gov.h"
#include "econ/staking.h"
#include "sectors/storage/storage.h"

#include <stddef.h>
#include <string.h>

static cairn_err transfer_check(const cairn_tx *tx)
{
    cairn_transfer t;
    cairn_err e = cairn_transfer_decode(&t, tx->body, tx->body_len);
    if (e)
        return e;
    if (t.amount == 0)
        return CAIRN_ERR_ZERO_AMOUNT;
    if (memcmp(t.to.b, tx->sender.b, 32) == 0)
        return CAIRN_ERR_SELF_TRANSFER;
    return CAIRN_OK;
}

static const tx_kind kinds[] = {
    {CAIRN_TX_TRANSFER, "transfer", transfer_check, NULL},
    {CAIRN_TX_REGISTER, "register", econ_register_check, econ_register_apply},
    {CAIRN_TX_STAKE, "stake", econ_amount_check, econ_stake_apply},
    {CAIRN_TX_UNBOND, "unbond", econ_amount_check, econ_unbond_apply},
    {CAIRN_TX_DELEGATE, "delegate", econ_delegate_check, econ_delegate_apply},
    {CAIRN_TX_UNDELEGATE, "undelegate", econ_delegate_check, econ_undelegate_apply},
    {CAIRN_TX_SET_COMMISSION, "set_commission", econ_commission_check, econ_commission_apply},
    {CAIRN_TX_SET_ENDPOINT, "set_endpoint", econ_endpoint_check, econ_endpoint_apply},
    {CAIRN_TX_CLAIM, "claim", econ_claim_check, econ_claim_apply},
    {CAIRN_TX_PROPOSE, "propose", gov_propose_check, gov_propose_apply},
    {CAIRN_TX_VOTE, "vote", gov_vote_check, gov_vote_apply},
    {CAIRN_TX_SET_PRICE, "set_price", econ_set_price_check, econ_set_price_apply},
    {CAIRN_TX_BUY_CREDITS, "buy_credits", econ_buy_credits_check, econ_buy_credits_apply},
    {CAIRN_TX_DEAL_OPEN, "deal_open", storage_open_check, storage_open_apply},
    {CAIRN_TX_PROVE, "prove", storage_prove_check, storage_prove_apply},
    {CAIRN_TX_DEAL_END, "deal_end", storage_end_check, storage_end_apply},
    {CAIRN_TX_DEAL_REPLACE, "deal_replace", storage_replace_check, storage_replace_apply},
};

const tx_kind *kind_find(uint16_t kind)
{
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (kinds[i].kind == kind)
            return &kinds[i];
    return NULL;
}
