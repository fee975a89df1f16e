/* Internal: the sensor node API's answers as JSON, built from one
 * read-only view of a chain (src/sensor/node_api.c), so that tests and the
 * CLI can read exactly what /v1/sensor/... serves. Each returns a new
 * reference in *out (the caller owns it) or an error. Lists are paged:
 * at most SN_API_LIST_MAX entries, and "more": true when there are more.
 *
 * JSON names: addresses as cairn1... (device, owner, app, funder, reader),
 * hashes and ids in hex (content, file_id, box), cells twice: "cell" as a
 * decimal u64 string and "cell_hex" as 16 hex digits; amounts in base
 * units as integers. */
#ifndef CAIRN_SENSOR_SN_API_H
#define CAIRN_SENSOR_SN_API_H

#include <jansson.h>

#include "cairn/chain.h"
#include "cairn/crypto.h"

#define SN_API_LIST_MAX 100

/* {"devices":[device...], "more"} of an owner, after device `after`. */
cairn_err sn_api_devices(cairn_chain *c, const cairn_pubkey *owner,
                         const cairn_pubkey *after, uint64_t limit,
                         json_t **out);
/* One device with "grants":[...] (NOT_DEVICE when unknown). */
cairn_err sn_api_device(cairn_chain *c, const cairn_pubkey *dev, json_t **out);
/* {"batches":[...], "more"}: the device's batches (with seq > after_seq
 * when has_after) whose time range meets [from_ms, to_ms], seq order. */
cairn_err sn_api_batches(cairn_chain *c, const cairn_pubkey *dev,
                         uint64_t from_ms, uint64_t to_ms, int has_after,
                         uint64_t after_seq, uint64_t limit, json_t **out);
/* {"grants":[...], "more"} held by app. */
cairn_err sn_api_grants(cairn_chain *c, const cairn_pubkey *app, uint64_t limit,
                        json_t **out);
/* {"tiles":[...], "more"}: tiles with agreed data, cells > after (all
 * when has_after is 0). */
cairn_err sn_api_tiles(cairn_chain *c, int has_after, uint64_t after,
                       uint64_t limit, json_t **out);
/* The tile record ("tile": null when never agreed), this epoch's reports
 * and the live bounties; NOT_FOUND when there is none of the three. */
cairn_err sn_api_tile(cairn_chain *c, uint64_t cell, json_t **out);
/* The epoch's totals (zeros when none were written). */
cairn_err sn_api_epoch(cairn_chain *c, uint64_t epoch, json_t **out);
/* The tile's freshest agreed data and the batches that agreed on it, for
 * a reader with a MAP_READ of the cell in this epoch or the previous one:
 * NO_CREDITS when it has none (the route answers 402), NO_TILE_DATA when
 * the tile was never agreed. */
cairn_err sn_api_map(cairn_chain *c, uint64_t cell, const cairn_pubkey *reader,
                     json_t **out);
/* Parses a cell: 16 hex digits, 0x-prefixed hex, or a decimal u64. */
cairn_err sn_api_parse_cell(const char *s, uint64_t *cell);

#endif
