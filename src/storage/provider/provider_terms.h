/* Internal: the provider daemon's rules for the deals it signs
 * (provider_terms.c), and the collateral rule the client shares. */
#ifndef CAIRN_PROVIDER_TERMS_H
#define CAIRN_PROVIDER_TERMS_H

#include <stddef.h>

#include "cairn/storage_proto.h"
#include "storage/provider/provider_internal.h"

/* The most collateral bps the provider puts up: its --collateral-bps, or
 * the chain's requirement when none was given. */
uint64_t sprov_collateral_bps(const sprov *p, const sprov_view *v);

/* Checks a new deal's terms against the provider's ask and the chain's
 * rules; why (len bytes) receives the reason for a refusal:
 * HTTP (no chain view yet), BAD_ARG (another provider), DEAL_TERMS,
 * PRICE_LOW. */
cairn_err sprov_check_open(sprov *p, const sprov_view *v,
                           const cairn_sp_store *m, char *why, size_t len);
/* Checks a request to take over deal m->deal_id of `client` (read from
 * the node) and fills *rc with what the provider signs for: NO_DEAL,
 * NOT_DEAL_PARTY, DEAL_TERMS, DEAL_ENDED, PRICE_LOW, HTTP. */
cairn_err sprov_check_replace(sprov *p, const sprov_view *v,
                              const cairn_pubkey *client,
                              const cairn_sp_store *m, cairn_replace_ctx *rc,
                              char *why, size_t len);
/* The provider's signatures over a checked request. */
cairn_err sprov_sign_open(sprov *p, const sprov_view *v,
                          const cairn_pubkey *client, const cairn_sp_store *m,
                          cairn_sig *sig);
cairn_err sprov_sign_replace(sprov *p, const sprov_view *v,
                             const cairn_pubkey *client,
                             const cairn_sp_store *m,
                             const cairn_replace_ctx *rc, cairn_sig *sig);

#endif
