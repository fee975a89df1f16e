#!/usr/bin/env python3
"""Independent reference for the wireless hex grid (docs/wireless-hexgrid.md).

Written from the document, not from the C: fractional axial coordinates are
exact Fractions rounded half up, the cosine table and the hex sizes are
recomputed with math and checked against the tables the document lists.
Writes tests/vectors/hexgrid_vectors.txt and prints the measured error of
distance_m against a float haversine.

  python3 tests/vectors/hexgrid_ref.py            # writes the vectors
  python3 tests/vectors/hexgrid_ref.py --measure  # also prints error stats
"""
import math
import os
import random
import sys
from fractions import Fraction as F

UDEG = 10**6
Q20 = 1 << 20
RES_MAX = 12
R_EARTH = 6371008.8
HALF_CIRCLE = 20015114  # floor(pi * R_EARTH), the cap of distance_m
assert HALF_CIRCLE == math.floor(math.pi * R_EARTH)

COS = [round(Q20 * math.cos(math.radians(d))) for d in range(91)]
SIZE_S = [2 * round(40 * math.sqrt(7) ** (12 - r)) for r in range(13)]
SIZE_W = [2 * round(math.sqrt(3) * s / 2) for s in SIZE_S]
SIZE_V = [3 * s // 2 for s in SIZE_S]
# The tables as the document lists them (guards against float surprises).
assert SIZE_S == [9411920, 3557372, 1344560, 508196, 192080, 72600, 27440,
                  10372, 3920, 1482, 560, 212, 80]
assert COS[0] == 1048576 and COS[60] == 524288 and COS[89] == 18300
assert COS[90] == 0


def cosq(lat):
    a = min(abs(lat), 90 * UDEG)
    if a == 90 * UDEG:
        return 0
    i, f = divmod(a, UDEG)
    return (COS[i] * (UDEG - f) + COS[i + 1] * f) // UDEG


def round_half_up(x):
    return math.floor(x + F(1, 2))


ZONE = 15 * UDEG  # 24 longitude zones, each with its central meridian


def zone(lon_or_x):
    return min(23, max(0, (lon_or_x + 180 * UDEG) // ZONE))


def meridian(z):
    return -180 * UDEG + ZONE // 2 + z * ZONE


def to_plane(lat, lon):
    m = meridian(zone(lon))
    return m + round_half_up(F((lon - m) * cosq(lat), Q20)), lat


def hex_at(x, y, res):
    w, v = SIZE_W[res], SIZE_V[res]
    r = F(y, v)
    q = F(x, w) - F(y, 2 * v)
    s = -q - r
    rq, rr, rs = round_half_up(q), round_half_up(r), round_half_up(s)
    dq, dr, ds = abs(q - rq), abs(r - rr), abs(s - rs)
    if dq > dr and dq > ds:
        rq = -rr - rs
    elif dr > ds:
        rr = -rq - rs
    return rq, rr


def center_plane(res, q, r):
    return q * SIZE_W[res] + r * SIZE_W[res] // 2, r * SIZE_V[res]


def encode(res, q, r):
    return (res << 56) | ((q % (1 << 28)) << 28) | (r % (1 << 28))


def decode(cid):
    res = (cid >> 56) & 15
    q = (cid >> 28) & ((1 << 28) - 1)
    r = cid & ((1 << 28) - 1)
    q = q - (1 << 28) if q >= 1 << 27 else q
    r = r - (1 << 28) if r >= 1 << 27 else r
    return res, q, r


def valid(cid):
    if cid >> 60 or cid < 0:
        return False
    res, q, r = decode(cid)
    if res > RES_MAX:
        return False
    x, y = center_plane(res, q, r)
    return (abs(y) <= 90 * UDEG + 4 * SIZE_S[res]
            and abs(x) <= 180 * UDEG + 2 * SIZE_W[res])


def cell(lat, lon, res):
    assert -90 * UDEG <= lat <= 90 * UDEG and -180 * UDEG <= lon < 180 * UDEG
    x, y = to_plane(lat, lon)
    q, r = hex_at(x, y, res)
    return encode(res, q, r)


def parent(cid, res):
    cur, q, r = decode(cid)
    assert res <= cur
    while cur > res:
        x, y = center_plane(cur, q, r)
        cur -= 1
        q, r = hex_at(x, y, cur)
    return encode(cur, q, r)


def center(cid):
    res, q, r = decode(cid)
    x, y = center_plane(res, q, r)
    c, m = cosq(y), meridian(zone(x))
    return y, (m if c == 0 else m + round_half_up(F((x - m) * Q20, c)))


DIRS = [(1, 0), (1, -1), (0, -1), (-1, 0), (-1, 1), (0, 1)]


def neighbors(cid):
    res, q, r = decode(cid)
    return [encode(res, q + a, r + b) for a, b in DIRS]


def grid_distance(a, b):
    _, qa, ra = decode(a)
    _, qb, rb = decode(b)
    dq, dr = qa - qb, ra - rb
    return max(abs(dq), abs(dr), abs(dq + dr))


def distance_m(lat1, lon1, lat2, lon2):
    dlon = abs(lon2 - lon1)
    if dlon > 180 * UDEG:
        dlon = 360 * UDEG - dlon
    dlat = abs(lat2 - lat1)
    mlat = (lat1 + lat2) // 2
    dx = round_half_up(F(dlon * cosq(mlat), Q20))
    d = math.isqrt(dx * dx + dlat * dlat)
    return min(round_half_up(F(d * 11119493, 10**8)), HALF_CIRCLE)


def haversine(lat1, lon1, lat2, lon2):
    p1, p2 = math.radians(lat1 / UDEG), math.radians(lat2 / UDEG)
    dp, dl = p2 - p1, math.radians((lon2 - lon1) / UDEG)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * R_EARTH * math.asin(min(1.0, math.sqrt(h)))


def rand_point(rng):
    k = rng.randrange(10)
    if k == 0:  # near a pole
        lat = rng.choice([-1, 1]) * rng.randrange(89 * UDEG, 90 * UDEG + 1)
    else:
        lat = rng.randrange(-90 * UDEG, 90 * UDEG + 1)
    if k == 1:  # near the antimeridian
        lon = rng.choice([rng.randrange(-180 * UDEG, -179 * UDEG),
                          rng.randrange(179 * UDEG, 180 * UDEG)])
    else:
        lon = rng.randrange(-180 * UDEG, 180 * UDEG)
    return lat, lon


def near(rng, lat, lon, meters):
    """A point within about `meters` of (lat, lon), in range."""
    du = int(meters / 0.11119493)
    lat2 = min(90 * UDEG, max(-90 * UDEG, lat + rng.randint(-du, du)))
    c = max(math.cos(math.radians(lat / UDEG)), 0.01)
    lon2 = lon + int(rng.randint(-du, du) / c)
    lon2 = (lon2 + 180 * UDEG) % (360 * UDEG) - 180 * UDEG
    return lat2, lon2


def write_vectors(path):
    rng = random.Random(20261202)
    out = ["# hex grid vectors: tests/vectors/hexgrid_ref.py "
           "(docs/wireless-hexgrid.md). ids in hex."]
    fixed = [(0, 0), (90 * UDEG, 0), (-90 * UDEG, 123), (0, -180 * UDEG),
             (0, 180 * UDEG - 1), (45123456, 7654321), (-33868820, 151209290),
             (37774929, -122419416), (89999999, 179999999)]
    pts = fixed + [rand_point(rng) for _ in range(300)]
    for i, (lat, lon) in enumerate(pts):
        res = i % 13
        c = cell(lat, lon, res)
        clat, clon = center(c)
        out.append(f"cell {lat} {lon} {res} {c:016x}")
        out.append(f"center {c:016x} {clat} {clon}")
        c12 = cell(lat, lon, 12)
        pr = rng.randrange(13)
        out.append(f"parent {c12:016x} {pr} {parent(c12, pr):016x}")
        if i % 3 == 0:
            nb = " ".join(f"{n:016x}" for n in neighbors(c))
            out.append(f"nbr {c:016x} {nb}")
        lat2, lon2 = near(rng, lat, lon, rng.choice([50, 2000, 100000]))
        c2 = cell(lat2, lon2, res)
        out.append(f"gdist {c:016x} {c2:016x} {grid_distance(c, c2)}")
        out.append(f"dist {lat} {lon} {lat2} {lon2} "
                   f"{distance_m(lat, lon, lat2, lon2)}")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def measure():
    rng = random.Random(7)
    for latmax, dmax in [(45, 100e3), (60, 100e3), (70, 100e3), (80, 100e3),
                         (85, 100e3), (89.9, 100e3), (60, 1000e3),
                         (85, 1000e3)]:
        worst_rel, worst_abs, n = 0.0, 0.0, 0
        while n < 200000:
            lat = rng.randrange(-int(latmax * UDEG), int(latmax * UDEG))
            lon = rng.randrange(-180 * UDEG, 180 * UDEG)
            d = rng.uniform(10, dmax)
            b = rng.uniform(0, 2 * math.pi)
            dlat = int(d * math.cos(b) / 0.11119493)
            c = max(math.cos(math.radians(lat / UDEG)), 1e-6)
            dlon = int(d * math.sin(b) / 0.11119493 / c)
            lat2 = lat + dlat
            if abs(lat2) > latmax * UDEG or abs(dlon) >= 180 * UDEG:
                continue
            lon2 = (lon + dlon + 180 * UDEG) % (360 * UDEG) - 180 * UDEG
            h = haversine(lat, lon, lat2, lon2)
            if h < 1 or h > dmax:
                continue
            e = distance_m(lat, lon, lat2, lon2) - h
            worst_abs = max(worst_abs, abs(e))
            if h >= 1000:
                worst_rel = max(worst_rel, abs(e) / h)
            n += 1
        print(f"|lat|<={latmax} deg, d<={dmax / 1e3:.0f} km: max abs err "
              f"{worst_abs:.1f} m, max rel err (d >= 1 km) {worst_rel * 100:.3f}% "
              f"({n} pairs)")
    worst = 0.0
    for _ in range(200000):
        a, b = rand_point(rng), rand_point(rng)
        worst = max(worst, abs(distance_m(*a, *b) - haversine(*a, *b)))
    print(f"any two points on the globe: max abs err {worst / 1e3:.0f} km")


if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    write_vectors(os.path.join(here, "hexgrid_vectors.txt"))
    if "--measure" in sys.argv:
        measure()
