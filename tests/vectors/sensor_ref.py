#!/usr/bin/env python3
"""An independent implementation of the sensor sector's epoch formulas
(docs/sensor-chain.md, "Formulas"), written from the docs alone:

- freshness:  10000 for a tile never agreed, else
              min(10000, (epoch - last) * 10000 // fresh_epochs)
- tile value: units * fresh // 10000 * (10000 + boost) // 10000
- equal split: pot // n each, the remainder pot % n to the first
- weighted split: pot * w_i // sum(w) each, the remainder to the first
- consensus: a q value's support = its number of DISTINCT owners; the
  winner has the most support, ties to the smaller q
- the window (sensor_quorum_epochs W): at the end of epoch e a cell's
  reports of epochs e-W+1..e (below 0 skipped) are judged together:
  support and the winner as above; agreed when support >= quorum; the
  payees are the distinct owners (ascending) of winning reports not paid
  yet, and those reports become paid; reports of epoch e with another q
  count as disagreed (only when agreed); the tile record's device is the
  smallest device among the reports paid now (its latest epoch); the value
  (freshness judged at e, boost when a bounty is live) and the bounty are
  split equally among the payees; no payees: nothing is paid.
- weekly points (DIMO): connected -> streak + 1, missed = 0, level from
  the streak (0 below 4, 1 below 21, 2 below 36, else 3), points =
  (6000 if batches >= full else 3000) + (0, 1000, 2000, 3000)[level];
  not connected -> missed + 1; at 3 missed the level drops by one
  (not below 0), the streak goes back to that level's start (0, 4, 21,
  36) and missed to 0.

Writes tests/vectors/sensor_epoch.json, which tests/unit/test_sensor_vectors.c
checks against the C functions (src/sectors/sensor/rewards.c).
"""
import json
import os
import random

LEVEL_START = [0, 4, 21, 36]
LEVEL_BONUS = [0, 1000, 2000, 3000]


def fresh_bps(ever, last, epoch, fresh_epochs):
    if not ever or fresh_epochs == 0:
        return 10000
    if epoch <= last:
        return 0
    return min(10000, (epoch - last) * 10000 // fresh_epochs)


def tile_value(units, fresh, boost):
    return units * fresh // 10000 * (10000 + boost) // 10000


def split_equal(pot, n):
    out = [pot // n] * n
    out[0] += pot % n
    return out


def split_weighted(pot, w):
    s = sum(w)
    if s == 0:
        return [0] * len(w)
    out = [pot * x // s for x in w]
    out[0] += pot - sum(out)
    return out


def consensus(reports):
    """reports: list of (q, owner). Returns (winning q, support)."""
    owners = {}
    for q, o in reports:
        owners.setdefault(q, set()).add(o)
    best_q, best = 0, 0
    for q in sorted(owners):
        if len(owners[q]) > best:
            best_q, best = q, len(owners[q])
    return best_q, best


def window_judge(reports, e, w, quorum):
    """reports: list of (epoch, owner, device, q, paid). Returns (win,
    support, agreed, payees, marked indices, disagreed in e, first index
    or -1)."""
    lo = max(0, e - w + 1)
    inw = [i for i, r in enumerate(reports) if lo <= r[0] <= e]
    win, support = consensus([(reports[i][3], reports[i][1]) for i in inw])
    agreed = 1 if inw and support >= quorum else 0
    payees, marked, dis, first = [], [], 0, -1
    if agreed:
        for i in inw:
            ep, own, dev, q, paid = reports[i]
            if q != win:
                if ep == e:
                    dis += 1
                continue
            if paid:
                continue
            marked.append(i)
            if own not in payees:
                payees.append(own)
        payees.sort()
        if marked:
            first = min(marked, key=lambda i: (reports[i][2], -reports[i][0]))
    return win, support, agreed, payees, marked, dis, first


def level_of(streak):
    lvl = 0
    while lvl < 3 and streak >= LEVEL_START[lvl + 1]:
        lvl += 1
    return lvl


def week_step(st, connected, batches, full):
    streak, missed, level = st
    if connected:
        streak += 1
        missed = 0
        level = level_of(streak)
        pts = (6000 if batches >= full else 3000) + LEVEL_BONUS[level]
        return (streak, missed, level), pts
    missed += 1
    if missed >= 3:
        level = max(level - 1, 0)
        streak = LEVEL_START[level]
        missed = 0
    return (streak, missed, level), 0


def main():
    rnd = random.Random(12)
    v = {"fresh": [], "value": [], "split_equal": [], "split_weighted": [],
         "consensus": [], "weeks": [], "window": []}
    for _ in range(200):
        ever = rnd.randint(0, 1)
        last = rnd.randint(0, 1000)
        epoch = last + rnd.randint(0, 20) if rnd.random() < 0.9 else \
            rnd.randint(0, 1000)
        fe = rnd.choice([1, 2, 3, 7, 10, 13])
        v["fresh"].append([ever, last, epoch, fe,
                           fresh_bps(ever, last, epoch, fe)])
    for _ in range(200):
        units = rnd.choice([1, 7, 1000, 999, 123456, 10**9])
        fresh = rnd.randint(0, 10000)
        boost = rnd.choice([0, 1, 5000, 10000, 33333, 100000])
        v["value"].append([units, fresh, boost,
                           tile_value(units, fresh, boost)])
    for _ in range(100):
        pot = rnd.randint(0, 10**15)
        n = rnd.randint(1, 9)
        v["split_equal"].append([pot, n, split_equal(pot, n)])
    for _ in range(100):
        pot = rnd.randint(0, 10**15)
        n = rnd.randint(1, 9)
        w = [rnd.choice([0, 1, 3, 250, 1000, 6000, 9000, 10**9])
             for _ in range(n)]
        v["split_weighted"].append([pot, w, split_weighted(pot, w)])
    for _ in range(200):
        n = rnd.randint(1, 12)
        reps = [(rnd.randint(-3, 3), rnd.randint(0, 4)) for _ in range(n)]
        # the C function takes them sorted by (q, owner)
        reps = sorted(set(reps) | set(reps))
        reps = sorted(reps + [r for r in reps if rnd.random() < 0.2])
        q, s = consensus(reps)
        v["consensus"].append([[list(r) for r in reps], q, s])
    for _ in range(40):
        full = rnd.randint(1, 4)
        st = (0, 0, 0)
        steps, outs = [], []
        for _ in range(rnd.randint(1, 80)):
            c = 1 if rnd.random() < 0.8 else 0
            b = rnd.randint(1, 6) if c else 0
            st, pts = week_step(st, c, b, full)
            steps.append([c, b])
            outs.append([pts, st[0], st[2], st[1]])
        v["weeks"].append([full, steps, outs])
    for k in range(300):
        e = rnd.randint(0, 12)
        w = rnd.randint(1, 5) if k else 1
        quorum = rnd.choice([1, 2, 2, 2, 3])
        ndev = rnd.randint(1, 7)
        owner_of = [rnd.randint(0, 4) for _ in range(ndev)]
        reps = []
        for ep in range(max(0, e - w - 2), e + 1):
            for d in range(ndev):
                if rnd.random() < 0.35 or (ep == e and d == 0):
                    q = rnd.choice([-1, 4, 4, 5, 5, 9])
                    paid = 1 if ep < e and rnd.random() < 0.3 else 0
                    reps.append([ep, owner_of[d], d, q, paid])
        rnd.shuffle(reps)
        win, sup, agreed, payees, marked, dis, first = window_judge(
            reps, e, w, quorum)
        ever = rnd.randint(0, 1)
        last = rnd.randint(0, e)
        fe = rnd.choice([1, 4, 7])
        units = rnd.choice([1000, 999, 7])
        boost = rnd.choice([0, 10000])
        bounty = rnd.choice([0, 0, 1000001])
        value_parts, bounty_parts = [], []
        if payees:
            fresh = fresh_bps(ever, last, e, fe)
            value = tile_value(units, fresh, boost if bounty else 0)
            value_parts = split_equal(value, len(payees))
            if bounty:
                bounty_parts = split_equal(bounty, len(payees))
        v["window"].append({
            "reports": reps, "epoch": e, "w": w, "quorum": quorum,
            "ever": ever, "last": last, "fresh_epochs": fe, "units": units,
            "boost": boost, "bounty": bounty,
            "win": win, "support": sup, "agreed": agreed, "payees": payees,
            "marked": sorted(marked), "disagreed": dis, "first": first,
            "value_parts": value_parts, "bounty_parts": bounty_parts})
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                        "sensor_epoch.json")
    with open(path, "w") as f:
        json.dump(v, f, separators=(",", ":"))
        f.write("\n")
    print(path, sum(len(x) for x in v.values()), "cases")


if __name__ == "__main__":
    main()
