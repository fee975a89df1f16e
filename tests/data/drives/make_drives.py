#!/usr/bin/env python3
"""Writes the recorded drives of the sensor sector's tests and devnet
(docs/sensor-agent.md, "Recorded drives"). Deterministic: running it again
gives the same bytes.

Three drives along the same road in Berlin: eastward along lat 52.52 from
lon 13.3800 to 13.4400 (about 4 km; at res 9, about 165 m edges, some 25
map tiles), each a reading a second:

  drive1.csv  9 m/s,  starts 2026-01-01T08:00:00Z, 0.0 m off the centre line
  drive2.csv 11 m/s,  starts 08:03:00, 2 m north
  drive3.csv 13 m/s,  starts 08:05:30, 2 m south
  drive1.nmea drive1 as NMEA 0183 ($GPRMC + $GPGGA a second), for gpsfake

Each reading's value is the road's "feature" at that point (think road
roughness): a per-tile base of 10 m + 5 (m from the tile's cell id) plus
noise in -2..2. With the agent's default quantum 10 every honest device's
q for a tile is m, however many of the tile's readings a batch holds:
floor of a mean of values in [10 m + 3, 10 m + 7] is in that range too.

CSV format: '#' starts a comment line; then "t_ms,lat_udeg,lon_udeg,value"
per line, integers (t_ms Unix milliseconds, positions micro-degrees).
"""
import hashlib
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "vectors"))
import hexgrid_ref  # noqa: E402  (the independent hex grid)

RES = 9
LAT = 52520000
LON0, LON1 = 13380000, 13440000
M_PER_UDEG_LON = 0.0677  # at lat 52.52: 111320 m * cos(52.52) / 1e6
M_PER_UDEG_LAT = 0.1112
T0 = 1767254400000  # 2026-01-01T08:00:00Z in ms

DRIVES = [
    ("drive1", 9.0, 0, 0.0),
    ("drive2", 11.0, 180000, 2.0),
    ("drive3", 13.0, 330000, -2.0),
]


def base(cell):
    h = hashlib.blake2b(cell.to_bytes(8, "little"), digest_size=8).digest()
    return 10 * (int.from_bytes(h, "little") % 50) + 5


def noise(name, i):
    h = hashlib.blake2b(f"{name}/{i}".encode(), digest_size=8).digest()
    return int.from_bytes(h, "little") % 5 - 2


def drive(name, speed, t_off, north_m):
    rows = []
    lat = LAT + int(round(north_m / M_PER_UDEG_LAT))
    step = speed / M_PER_UDEG_LON
    i = 0
    while True:
        lon = LON0 + int(round(i * step))
        if lon > LON1:
            break
        cell = hexgrid_ref.cell(lat, lon, RES)
        rows.append((T0 + t_off + 1000 * i, lat, lon,
                     base(cell) + noise(name, i), speed))
        i += 1
    return rows


def write_csv(name, speed, north_m, rows):
    with open(os.path.join(HERE, name + ".csv"), "w") as f:
        f.write(f"# {name}: recorded drive, {speed:g} m/s eastward along lat "
                f"52.52 (+{north_m:g} m), one reading a second\n")
        f.write("# made by tests/data/drives/make_drives.py; "
                "t_ms,lat_udeg,lon_udeg,value\n")
        for t, lat, lon, v, _ in rows:
            f.write(f"{t},{lat},{lon},{v}\n")


def nmea_sum(body):
    c = 0
    for ch in body.encode():
        c ^= ch
    return f"${body}*{c:02X}"


def dm(udeg, deg_digits, pos, neg):
    hemi = pos if udeg >= 0 else neg
    udeg = abs(udeg)
    d = udeg // 1000000
    # minutes with 5 decimals: udeg * 60 / 1e6 minutes, exact in 1e-5 units
    mins_e5 = (udeg - d * 1000000) * 60 // 10  # minutes * 1e5
    return (f"{d:0{deg_digits}d}{mins_e5 // 100000:02d}."
            f"{mins_e5 % 100000:05d}", hemi)


def write_nmea(name, rows):
    import datetime
    with open(os.path.join(HERE, name + ".nmea"), "w") as f:
        for t, lat, lon, _, speed in rows:
            ts = datetime.datetime.fromtimestamp(t / 1000,
                                                 datetime.timezone.utc)
            hms = ts.strftime("%H%M%S") + ".00"
            dmy = ts.strftime("%d%m%y")
            la, ns = dm(lat, 2, "N", "S")
            lo, ew = dm(lon, 3, "E", "W")
            knots = f"{speed / 0.514444:.3f}"
            f.write(nmea_sum(f"GPRMC,{hms},A,{la},{ns},{lo},{ew},{knots},"
                             f"90.0,{dmy},,,A") + "\r\n")
            f.write(nmea_sum(f"GPGGA,{hms},{la},{ns},{lo},{ew},1,08,0.9,"
                             f"34.0,M,39.0,M,,") + "\r\n")


def main():
    for name, speed, t_off, north in DRIVES:
        rows = drive(name, speed, t_off, north)
        write_csv(name, speed, north, rows)
        if name == "drive1":
            write_nmea(name, rows)


if __name__ == "__main__":
    main()
