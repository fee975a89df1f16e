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
  - an OTAA device's join request reaches A; A answers a join accept by a
    PULL_RESP timed by tmst (3 s after the request's tmst, ipol: B never
    gets it); the device's uplinks then come with the accept's DevAddr and
    a MIC under the NwkSKey derived as src/wireless/frame.h says;
  - a txpk timed in the past is answered TX_ACK "TOO_LATE" and not sent;
  - a malformed datagram does not stop the keepalives.
Exits 0 when all pass, 1 with "FAIL: ..." otherwise."""
import base64
import hashlib
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
APP_KEY = bytes(range(16, 32))
JOIN_NONCE, NET_ID, NEW_ADDR = 0x010203, 0x000013, 0x260AB001
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
                 "tx_power_dbm": 14},
                {"name": "dev2", "lat": 45.002, "lon": 7.0, "every_ms": 800,
                 "dev_eui": "00000000000000aa", "join_eui": "00000000000000bb",
                 "app_key": APP_KEY.hex()}],
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
tmms = int(time.time() * 1000) - GPS_OFF_MS + 2000  # slack for a slow CI
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
def mic(key, msg):
    return hashlib.blake2b(msg, digest_size=16, key=key).digest()[:4]


def le(x, n):
    return x.to_bytes(n, "little")


# OTAA: answer dev2's first join request at A with a join accept, timed by
# the forwarder's tmst counter one second after the request.
def join_reqs():
    """Join requests that reached A in the last second (the accept's tmst,
    3 s after the request's, must still be ahead of the forwarder's
    counter; the device retries every 10 s)."""
    now = time.time() * 1000
    return [p for t, p in rx["A"]
            if base64.b64decode(p["data"])[:1] == b"\x00" and t > now - 1000]


wait_for(lambda: join_reqs(), 25, "a fresh join request at A")
jr = join_reqs()[-1]
req = base64.b64decode(jr["data"])
if len(req) != 23 or req[1:9] != le(0xbb, 8) or req[9:17] != le(0xaa, 8):
    fail("join request %s" % req.hex())
if mic(APP_KEY, req[:19]) != req[19:]:
    fail("join request MIC")
dev_nonce = int.from_bytes(req[17:19], "little")
acc = b"\x20" + le(JOIN_NONCE, 3) + le(NET_ID, 3) + le(NEW_ADDR, 4)
acc += mic(APP_KEY, acc)
txpk = {"txpk": {"tmst": (jr["tmst"] + 3000000) % (1 << 32), "freq": 923.3,
                 "rfch": 0, "powe": 27, "modu": "LORA", "datr": "SF9BW125",
                 "codr": "4/5", "ipol": True, "size": len(acc),
                 "data": base64.b64encode(acc).decode()}}
socks["A"].sendto(b"\x02\x55\x66\x03" + json.dumps(txpk).encode(), peer["A"])
nwk = hashlib.blake2b(b"\x01" + le(JOIN_NONCE, 3) + le(NET_ID, 3) +
                      le(dev_nonce, 2), digest_size=16, key=APP_KEY).digest()


def otaa_ups():
    out = []
    for _, p in rx["A"]:
        u = base64.b64decode(p["data"])
        if u[:1] == b"\x40" and u[1:5] == le(NEW_ADDR, 4):
            out.append(u)
    return out


wait_for(lambda: len(otaa_ups()) >= 2, 15, "dev2's uplinks after the join")
for u in otaa_ups():
    if mic(nwk, u[:-4]) != u[-4:]:
        fail("dev2 uplink %s: MIC is not under the derived NwkSKey" % u.hex())
if any(base64.b64decode(p["data"]) == acc for _, p in rx["B"] + rx["C"]):
    fail("a hotspot received the join accept (ipol downlink)")
ok("OTAA: join accept by tmst, dev2 uplinks as %08x with the derived key"
   % NEW_ADDR)

# A txpk timed 5 s in the past: TOO_LATE, not sent.
late = bytes(range(20))
txpk = {"txpk": {"tmms": int(time.time() * 1000) - GPS_OFF_MS - 5000,
                 "freq": FREQ, "rfch": 0, "powe": 27, "modu": "LORA",
                 "datr": "SF9BW125", "codr": "4/5", "size": len(late),
                 "data": base64.b64encode(late).decode()}}
socks["A"].sendto(b"\x02\x77\x88\x03" + json.dumps(txpk).encode(), peer["A"])
wait_for(lambda: any(t[1] == b"\x77\x88" for t in txacks), 10, "TX_ACK late")
ack = [t for t in txacks if t[1] == b"\x77\x88"][0]
if ack[2].get("txpk_ack", {}).get("error") != "TOO_LATE":
    fail("late txpk: TX_ACK %r" % (ack,))
pump(0.5)
if any(base64.b64decode(p["data"]) == late for _, p in rx["B"]):
    fail("the late txpk was sent")
ok("a txpk 5 s late: TX_ACK TOO_LATE, not sent")

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
