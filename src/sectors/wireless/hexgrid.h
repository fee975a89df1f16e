/* A small hierarchical hex grid for the wireless sector's consensus rules
 * (docs/wireless-hexgrid.md is the specification; tests/vectors/
 * hexgrid_ref.py an independent implementation of it). Integers only, so
 * every node computes the same cells: no floats, no libm.
 *
 * Positions are latitude and longitude in micro-degrees, lat in
 * [-90e6, 90e6], lon in [-180e6, 180e6). They are projected onto a plane
 * by an integer interrupted sinusoidal projection (24 zones of 15 degrees;
 * x = m + (lon - m) * cos(lat), y = lat, m the zone's central meridian, the
 * cosine from a table): equal-area, little shear. The plane is tiled at each
 * resolution 0..12 by pointy hexes in axial (q, r) coordinates; each
 * resolution's edge is about 1/sqrt(7) of the one before (res 0: ~1047 km, res
 * 12: ~8.9 m at the equator). A cell's parent is found one level at a time (the
 * hex of the level above containing the cell's center), so parent(parent(c, a),
 * b) == parent(c, b). Nothing allocates. */
#ifndef CAIRN_SECTORS_WIRELESS_HEXGRID_H
#define CAIRN_SECTORS_WIRELESS_HEXGRID_H

#include <stdbool.h>
#include <stdint.h>

#include "cairn/error.h"

#define HEXG_MAX_RES 12u
#define HEXG_LAT_MAX 90000000
#define HEXG_LON_MAX 180000000 /* exclusive */
/* Longitude zones: 24 of 15 degrees, each with its central meridian. */
#define HEXG_ZONE 15000000
#define HEXG_ZONES 24
#define HEXG_HALF_CIRCLE_M 20015114u /* pi * 6371008.8 m, distance cap */

/* Cell id layout (u64): bits 60..63 zero, bits 56..59 the resolution,
 * bits 28..55 q and bits 0..27 r, each 28-bit two's complement. */

/* Is id well formed (reserved bits zero, res <= 12) with its center in the
 * projected plane's bounding box widened by a margin (so every neighbor of a
 * cell that holds a point is valid too)? */
bool hexg_valid(uint64_t id);

/* The resolution of a valid id. */
unsigned hexg_res(uint64_t id);

/* The cell at res holding (lat, lon). CAIRN_ERR_BAD_ARG: lat, lon or res out
 * of range. */
CAIRN_WUR cairn_err hexg_cell(int32_t lat, int32_t lon, unsigned res,
                              uint64_t *out);

/* The ancestor of id at res (res <= the id's resolution; equal gives id).
 * BAD_ARG: invalid id or res above the id's. */
CAIRN_WUR cairn_err hexg_parent(uint64_t id, unsigned res, uint64_t *out);

/* The cell's center in micro-degrees. For cells on the domain's edge the
 * center may lie outside the input range (beyond a pole by less than four
 * edges, or beyond the antimeridian) or in the gap between two zones (then
 * its lon lies outside the zone); at or beyond a pole lon is the zone's
 * central meridian. BAD_ARG: invalid id. */
CAIRN_WUR cairn_err hexg_center(uint64_t id, int64_t *lat, int64_t *lon);

/* The six neighbors, in the axial directions (+1,0) (+1,-1) (0,-1) (-1,0)
 * (-1,+1) (0,+1). Neighbors of a cell at the edge of the valid box may be
 * invalid; those of any cell that holds a point are valid. BAD_ARG: invalid
 * id. */
CAIRN_WUR cairn_err hexg_neighbors(uint64_t id, uint64_t out[6]);

/* Hex steps between two cells of the same resolution. BAD_ARG: an invalid id
 * or different resolutions. */
CAIRN_WUR cairn_err hexg_grid_distance(uint64_t a, uint64_t b, uint64_t *out);

/* Approximate great-circle distance in meters (local plane at the mean
 * latitude, sphere of radius 6371008.8 m), capped at HEXG_HALF_CIRCLE_M;
 * error bounds in the doc (a few meters within 100 km below 60 degrees).
 * BAD_ARG: a coordinate out of range. */
CAIRN_WUR cairn_err hexg_distance_m(int32_t lat1, int32_t lon1, int32_t lat2,
                                    int32_t lon2, uint64_t *out);

#endif
