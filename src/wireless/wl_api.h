/* Internal: the wireless node API's answers as JSON, built from one
 * read-only view of a chain (src/wireless/node_api.c), so that tests can
 * read exactly what /v1/wireless/... serves. Each returns a new reference
 * in *out (the caller owns it) or an error. */
#ifndef CAIRN_WIRELESS_WL_API_H
#define CAIRN_WIRELESS_WL_API_H

#include <jansson.h>

#include "cairn/chain.h"
#include "cairn/crypto.h"

#define WL_API_LIST_MAX 1000         /* hotspots per page */
#define WL_API_EPOCH_LAST UINT64_MAX /* the last settled epoch */

/* Hotspots after `after` (NULL: from the first) in key order, at most
 * limit (1..WL_API_LIST_MAX): {"hotspots":[...],"more":bool}. */
cairn_err wl_api_hotspots(cairn_chain *c, const cairn_pubkey *after,
                          uint64_t limit, json_t **out);
/* One hotspot: its record, density scale now, units of the last settled
 * epoch and this epoch's beacon schedule. NOT_HOTSPOT. */
cairn_err wl_api_hotspot(cairn_chain *c, const cairn_pubkey *pk, json_t **out);
/* The witnesses of pk's beacon in epoch e and the reports pk made, each
 * with its verdict name and message. */
cairn_err wl_api_witnesses(cairn_chain *c, const cairn_pubkey *pk, uint64_t e,
                           json_t **out);
/* Hexes at res (0..12) holding hotspots: count, HIP-17 limit (res 4..10),
 * valid witnesses last epoch, center and corners. BAD_ARG on res. */
cairn_err wl_api_coverage(cairn_chain *c, unsigned res, json_t **out);
/* The totals of a settled epoch (NOT_FOUND when none is kept). */
cairn_err wl_api_epoch(cairn_chain *c, uint64_t e, json_t **out);

#endif
