/* libFuzzer target for the wireless hex grid (src/sectors/wireless/
 * hexgrid.h): cell ids arrive in transactions, so any u64 must be judged
 * valid or BAD_ARG without undefined behaviour, and any in-range position
 * must give a valid cell.
 *
 * Input: 8 bytes id (LE), 4 bytes lat, 4 bytes lon, 1 byte res; shorter
 * inputs are zero-padded. A valid id has a center, six neighbors at grid
 * distance 1 and valid ancestors at every lower resolution. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sectors/wireless/hexgrid.h"

static uint64_t le(const uint8_t *p, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

static void check_id(uint64_t id)
{
    int64_t lat, lon;
    uint64_t nb[6], p, d;
    if (!hexg_valid(id)) {
        if (hexg_center(id, &lat, &lon) != CAIRN_ERR_BAD_ARG ||
            hexg_neighbors(id, nb) != CAIRN_ERR_BAD_ARG)
            abort();
        return;
    }
    if (hexg_center(id, &lat, &lon) != CAIRN_OK ||
        hexg_neighbors(id, nb) != CAIRN_OK)
        abort();
    for (size_t i = 0; i < 6; i++)
        if (hexg_valid(nb[i]) &&
            (hexg_grid_distance(id, nb[i], &d) != CAIRN_OK || d != 1))
            abort();
    for (unsigned r = 0; r <= hexg_res(id); r++)
        if (hexg_parent(id, r, &p) != CAIRN_OK || !hexg_valid(p) ||
            hexg_res(p) != r)
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t in[17] = {0};
    memcpy(in, data, size < sizeof in ? size : sizeof in);
    check_id(le(in, 8));
    int32_t lat = (int32_t)(uint32_t)le(in + 8, 4);
    int32_t lon = (int32_t)(uint32_t)le(in + 12, 4);
    unsigned res = in[16];
    uint64_t c, d;
    cairn_err e = hexg_cell(lat, lon, res, &c);
    int in_range = lat >= -HEXG_LAT_MAX && lat <= HEXG_LAT_MAX &&
                   lon >= -HEXG_LON_MAX && lon < HEXG_LON_MAX &&
                   res <= HEXG_MAX_RES;
    if (in_range != (e == CAIRN_OK))
        abort();
    if (e == CAIRN_OK) {
        if (!hexg_valid(c) || hexg_res(c) != res)
            abort();
        check_id(c);
    }
    e = hexg_distance_m(lat, lon, lat / -2, lon / 3, &d);
    if (e == CAIRN_OK && d > HEXG_HALF_CIRCLE_M)
        abort();
    return 0;
}
