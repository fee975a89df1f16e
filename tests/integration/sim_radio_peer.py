#!/usr/bin/env python3
"""Three hotspot "daemons" for test_sim_radio.sh: UDP servers speaking the
Semtech UDP v2 server side to `cairn sim radio` (which is their packet
forwarder). Writes the scenario (with the ports it bound) to argv[1], then
waits for the simulator and checks, each wait bounded:
  - PULL_DATA keepalives arrive at all three (answered with PULL_ACK);
  - a PULL_RESP txpk (a beacon "CBK1...") from A is answered with TX_ACK
    (same token, no error) and delivered to B (2 km away) as an rxpk with
    RSSI <= the free-space RSSI (fs_margin_db 0 in the scenario), the same
    frequency and payload, tmms = tx time + d/c (to the ms);
  - C (556 km away) never gets it;
  - the replayer sends the same beacon again: B gets a second rxpk about
    delay_ms after the first;
  - an ABP device's uplinks reach A with FCnt incrementing;
  - a malformed datagram does not stop the keepalives.
Exits 0 when all pass, 1 with "FAIL: ..." otherwise."""
import base64
import json
import math
import os
import select
import socket
import struct
import sys
import time

GPS_OFF_MS = 315964800000 - 18000
FREQ = 904.3
DELAY_MS = 1500
POS = {"A": (45.0, 7.0), "B": (45.018, 7.0), "C": (50.0, 7.0)}
GAIN = {"A": 3.0, "B": 2.0, "C": 1.0}
EUI = {"A": "aa00000000000001", "B": "bb00000000000002", "C": "cc00000000000003"}


def fail(msg):
    print("FAIL: " + msg, flush=True)
    sys.exit(1)


def ok(msg):
    print("ok: " + msg, flush=True)


def dist_m(a, b):
    r = 6371008.8
    la1, lo1, la2, lo2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = (math.sin((la2 - la1) / 2) ** 2 +
         math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2)
    return 2 * r * math.asin(math.sqrt(h))


def fspl_db(d, f_hz):
    return 20 * math.log10(4 * math.pi * d * f_hz / 299792458.0)


socks = {}
for n in "ABC":
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    socks[n] = s
port = {n: socks[n].getsockname()[1] for n in "ABC"}
peer = {}  # the forwarder's address, learnt from its first datagram
pulls = {n: 0 for n in "ABC"}
rx = {n: [] for n in "ABC"}  # (arrival wall ms, rxpk dict)
txacks = []

scenario = {
    "seed": 7,
    "model": {"fs_margin_db": 0, "shadow_sigma_db": 6},
    "hotspots": [{"name": n, "forwarder": "127.0.0.1:%d" % port[n],
                  "eui": EUI[n], "lat": POS[n][0], "lon": POS[n][1],
                  "gain_dbi": GAIN[n]} for n in "ABC"],
    "devices": [{"name": "dev1", "lat": 45.001, "lon": 7.0, "every_ms": 700,
                 "size": 12, "dev_addr": "26011234",
                 "nwk_skey": "000102030405060708090a0b0c0d0e0f",
                 "tx_power_dbm": 14}],
    "replayers": [{"lat": 45.009, "lon": 7.001, "delay_ms": DELAY_MS,
                   "gain_dbi": 2}],
}
tmp = sys.argv[1] + ".tmp"
with open(tmp, "w") as f:
    json.dump(scenario, f)
os.rename(tmp, sys.argv[1])


def pump(seconds):
    """Serves every socket for up to `seconds`."""
    end = time.time() + seconds
    while True:
        left = end - time.time()
        if left <= 0:
            return
        r, _, _ = select.select(list(socks.values()), [], [], min(left, 0.1))
        for n, s in socks.items():
            if s not in r:
                continue
            data, addr = s.recvfrom(65535)
            peer[n] = addr
            if len(data) < 4 or data[0] != 2:
                fail("%s: malformed datagram from the sim: %r" % (n, data[:16]))
            tok, ident = data[1:3], data[3]
            if ident == 2:  # PULL_DATA
                if len(data) != 12 or data[4:12].hex() != EUI[n]:
                    fail("%s: PULL_DATA with a wrong EUI" % n)
                pulls[n] += 1
                s.sendto(b"\x02" + tok + b"\x04", addr)
            elif ident == 0:  # PUSH_DATA
                if data[4:12].hex() != EUI[n]:
                    fail("%s: PUSH_DATA with a wrong EUI" % n)
                s.sendto(b"\x02" + tok + b"\x01", addr)
                j = json.loads(data[12:])
                for p in j.get("rxpk", []):
                    rx[n].append((time.time() * 1000, p))
            elif ident == 5:  # TX_ACK
                j = json.loads(data[12:]) if len(data) > 12 else {}
                txacks.append((n, tok, j))
            else:
                fail("%s: unexpected identifier %d" % (n, ident))


def wait_for(cond, seconds, what):
    end = time.time() + seconds
    while time.time() < end:
        pump(0.2)
        if cond():
            return
    fail("timed out after %d s waiting for %s" % (seconds, what))


wait_for(lambda: all(pulls[n] >= 2 for n in "ABC"), 20,
         "two PULL_DATA keepalives at each hotspot")
ok("PULL_DATA keepalives at A, B, C: %s" % pulls)

# A malformed datagram from A's "daemon": the sim logs it and goes on.
socks["A"].sendto(b"\x02\x00\x00\x03{not json", peer["A"])

beacon = b"CBK1" + bytes(range(104))
tmms = int(time.time() * 1000) - GPS_OFF_MS + 300
txpk = {"txpk": {"tmms": tmms, "freq": FREQ, "rfch": 0, "powe": 27,
                 "modu": "LORA", "datr": "SF9BW125", "codr": "4/5",
                 "ipol": False, "size": len(beacon),
                 "data": base64.b64encode(beacon).decode()}}
token = b"\x12\x34"
socks["A"].sendto(b"\x02" + token + b"\x03" + json.dumps(txpk).encode(),
                  peer["A"])


def beacons(n):
    return [(t, p) for t, p in rx[n]
            if base64.b64decode(p["data"]) == beacon]


wait_for(lambda: any(t[1] == token for t in txacks), 10, "TX_ACK from A")
ack = [t for t in txacks if t[1] == token][0]
if ack[0] != "A" or ack[2].get("txpk_ack", {}).get("error", "NONE") != "NONE":
    fail("TX_ACK: %r" % (ack,))
ok("TX_ACK for the PULL_RESP, no error")

wait_for(lambda: len(beacons("B")) >= 1, 10, "the beacon at B")
p = beacons("B")[0][1]
d = dist_m(POS["A"], POS["B"])
fs = 27 + GAIN["A"] + GAIN["B"] - fspl_db(d, FREQ * 1e6)
if p["rssi"] > fs + 0.05:
    fail("B: rssi %d above the free-space %.2f at %.0f m" % (p["rssi"], fs, d))
if abs(p["freq"] - FREQ) > 1e-6 or p["tmms"] != tmms:
    fail("B: freq %r tmms %r, expected %r %r (d/c = %.1f us)"
         % (p["freq"], p["tmms"], FREQ, tmms, d / 0.299792458))
if p.get("modu") != "LORA" or p.get("datr") != "SF9BW125" or "lsnr" not in p:
    fail("B: rate fields %r" % p)
ok("beacon at B (%.0f m): rssi %d <= free space %.2f, snr %s, tmms = tx"
   % (d, p["rssi"], fs, p["lsnr"]))

wait_for(lambda: len(beacons("B")) >= 2, 10, "the replayed beacon at B")
t1, t2 = beacons("B")[0][1]["tmms"], beacons("B")[1][1]["tmms"]
if not (DELAY_MS <= t2 - t1 <= DELAY_MS + 50):
    fail("replay came %d ms after the beacon, expected %d" % (t2 - t1, DELAY_MS))
ok("replayer re-sent the beacon %d ms later (delay %d)" % (t2 - t1, DELAY_MS))

pump(1.0)
if beacons("C"):
    fail("C (%.0f km away) heard the beacon" % (dist_m(POS["A"], POS["C"]) / 1e3))
ok("C (%.0f km) did not hear it" % (dist_m(POS["A"], POS["C"]) / 1e3))
if any(base64.b64decode(p["data"]) == beacon for _, p in rx["A"][:0]):
    pass

ups = [base64.b64decode(p["data"]) for _, p in rx["A"]]
ups = [u for u in ups if u[0] == 0x40 and u[1:5] == bytes.fromhex("34120126")]
fcnts = [struct.unpack("<H", u[6:8])[0] for u in ups]
if len(fcnts) < 2 or fcnts != sorted(set(fcnts)):
    fail("device uplinks at A: fcnts %r" % fcnts)
ok("device uplinks at A with FCnt %s" % fcnts[:6])

before = pulls["A"]
wait_for(lambda: pulls["A"] >= before + 1, 5, "keepalives after garbage")
ok("keepalives go on after a malformed datagram")
print("PASS", flush=True)
