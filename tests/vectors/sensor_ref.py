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
         "consensus": [], "weeks": []}
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
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                        "sensor_epoch.json")
    with open(path, "w") as f:
        json.dump(v, f, separators=(",", ":"))
        f.write("\n")
    print(path, sum(len(x) for x in v.values()), "cases")


if __name__ == "__main__":
    main()
