#!/usr/bin/env python3
"""Yuma consensus, an independent reference in plain Python integers.

Written from docs/compute-verify.md ("Yuma consensus"), not from the C:
matrices are lists of lists, every normalisation is spelled out, the
consensus is found by sorting each column, the bonds' EMA and the emission
split follow the formula line by line. Writes tests/vectors/yuma_vectors.txt,
which tests/unit/test_yuma.c reproduces to the unit.

    python3 tests/vectors/yuma_ref.py            # rewrite the vector file
    python3 tests/vectors/yuma_ref.py --print    # print the worked example
"""
import os
import random
import sys

ONE = 1 << 32          # Q32: 1.0
U16 = 65535            # κ, α, stored bonds: value / 65535
M64 = (1 << 64) - 1


def frac(x, d):
    """x/d in Q32, floored through the reciprocal floor((2^64-1)/d)."""
    if d == 0:
        return 0
    assert 0 <= x <= d
    return (x * (M64 // d)) >> 32


def q(a, b):
    """Product of two Q32 values, floored."""
    return (a * b) >> 32


def consensus_of(column, stake, kappa, total):
    """Largest w with (stake of rows whose w_ij >= w) * 65535 >= kappa * T.
    Zero-stake rows are left out; rows with all-zero weights count at 0."""
    rows = sorted(((w, s) for w, s in zip(column, stake) if s > 0),
                  key=lambda t: -t[0])
    if not rows:
        return 0
    cum = 0
    for k, (w, s) in enumerate(rows):
        cum += s
        last_of_value = k + 1 == len(rows) or rows[k + 1][0] != w
        if last_of_value and cum * U16 >= kappa * total:
            return w
    raise AssertionError("the whole stake always reaches kappa")


def largest_remainder(pool, x):
    """floor(pool*x_k/sum), then +1 to the largest remainders, ties by
    lower index; (pays, unpaid)."""
    total = sum(x)
    if total == 0:
        return [0] * len(x), pool
    pays = [pool * v // total for v in x]
    rems = [(pool * v) % total for v in x]
    left = pool - sum(pays)
    order = sorted(range(len(x)), key=lambda k: (-rems[k], k))
    for k in order[:left]:
        pays[k] += 1
    return pays, 0


def yuma(stake, W, B_prev, kappa, alpha, emission, owner_bps):
    n, m = len(W), len(W[0])
    if B_prev is None:
        B_prev = [[0] * m for _ in range(n)]
    T = sum(stake)
    # 1. stake shares and row-normalised weights
    s = [frac(st, T) for st in stake]
    w = [[frac(W[i][j], sum(W[i])) for j in range(m)] for i in range(n)]
    # 2. consensus per miner, clipping
    C = [consensus_of([w[i][j] for i in range(n)], stake, kappa, T)
         for j in range(m)]
    clipped = [[min(w[i][j], C[j]) for j in range(m)] for i in range(n)]
    # 3. ranks and incentive
    dB = [[q(s[i], clipped[i][j]) for j in range(m)] for i in range(n)]
    R = [sum(dB[i][j] for i in range(n)) for j in range(m)]
    I = [frac(R[j], sum(R)) for j in range(m)]
    # 4. bonds: column-normalise ΔB and B_prev, EMA, normalise, to u16
    P = [sum(B_prev[i][j] for i in range(n)) for j in range(m)]
    ema = [[(alpha * frac(dB[i][j], R[j])
             + (U16 - alpha) * frac(B_prev[i][j], P[j])) // U16
            for j in range(m)] for i in range(n)]
    Q = [sum(ema[i][j] for i in range(n)) for j in range(m)]
    B = [[(frac(ema[i][j], Q[j]) * U16) >> 32 for j in range(m)]
         for i in range(n)]
    # 5. dividends
    draw = [sum(B[i][j] * I[j] for j in range(m)) for i in range(n)]
    D = [frac(d, sum(draw)) for d in draw]
    # 6. emission
    owner = emission * owner_bps // 10000
    rest = emission - owner
    vpool = rest // 2
    mpool = rest - vpool
    mpay, um = largest_remainder(mpool, I)
    vpay, uv = largest_remainder(vpool, D)
    assert owner + sum(mpay) + sum(vpay) + um + uv == emission
    return dict(consensus=C, rank=R, incentive=I, bonds=B, dividend=D,
                owner=owner, miner_pay=mpay, validator_pay=vpay,
                unpaid=um + uv)


# ---- cases ----

KAPPA, ALPHA, OWNER = 32767, 6554, 1800

# The worked example of docs/compute-verify.md: 3 validators x 4 miners.
EX_STAKE = [600, 300, 100]
EX_W = [[40000, 20000, 5535, 0],
        [30000, 30000, 5535, 0],
        [0, 0, 0, 65535]]      # the minority puts everything on miner 3
EX_E = 1_000_000


def cases():
    out = []
    ex = dict(stake=EX_STAKE, W=EX_W, B=None, kappa=KAPPA, alpha=ALPHA,
              emission=EX_E, owner_bps=OWNER)
    out.append(("worked_example", ex))
    first = yuma(EX_STAKE, EX_W, None, KAPPA, ALPHA, EX_E, OWNER)
    out.append(("second_epoch", dict(ex, B=first["bonds"],
                                     W=[[40000, 25000, 535, 0],
                                        [30000, 30000, 5535, 0],
                                        [0, 0, 0, 65535]])))
    out.append(("first_epoch_even", dict(
        stake=[1000, 1000, 1000, 1000], W=[[1, 1, 1]] * 4, B=None,
        kappa=KAPPA, alpha=ALPHA, emission=999_999_999, owner_bps=0)))
    out.append(("zero_stake_validator", dict(
        stake=[500, 0, 500], W=[[100, 0, 0], [0, 0, 65535], [50, 50, 0]],
        B=[[1000, 0, 0], [30000, 0, 65535], [0, 1000, 0]],
        kappa=KAPPA, alpha=ALPHA, emission=12345, owner_bps=1800)))
    out.append(("all_zero_row", dict(
        stake=[400, 400, 200], W=[[10, 20, 30], [0, 0, 0], [30, 20, 10]],
        B=None, kappa=KAPPA, alpha=ALPHA, emission=10_000, owner_bps=1000)))
    out.append(("miner_nobody_weights", dict(
        stake=[7, 3], W=[[5, 5, 0, 0], [1, 2, 0, 0]],
        B=[[100, 200, 300, 0], [50, 60, 700, 0]],
        kappa=KAPPA, alpha=ALPHA, emission=1_000_003, owner_bps=1800)))
    out.append(("minority_inflates", dict(
        stake=[350, 350, 300], W=[[1000, 1000, 1000, 1000]] * 2
        + [[65535, 1, 1, 1]], B=None, kappa=KAPPA, alpha=ALPHA,
        emission=10 ** 12, owner_bps=1800)))
    out.append(("ties", dict(
        stake=[5, 5, 5, 5], W=[[1, 1], [1, 1], [1, 1], [1, 1]], B=None,
        kappa=KAPPA, alpha=ALPHA, emission=7, owner_bps=0)))
    out.append(("no_stake", dict(
        stake=[0, 0], W=[[1, 2], [3, 4]], B=None, kappa=KAPPA, alpha=ALPHA,
        emission=100, owner_bps=1800)))
    out.append(("kappa_zero_alpha_one", dict(
        stake=[1, 2, 3], W=[[9, 1], [1, 9], [5, 5]],
        B=[[1, 2], [3, 4], [5, 6]], kappa=0, alpha=65535, emission=10 ** 9,
        owner_bps=10000)))
    rnd = random.Random(20240610)
    for k in range(4):
        n, m = rnd.randint(1, 9), rnd.randint(1, 12)
        stake = [rnd.choice([0, rnd.randint(1, 10 ** 6),
                             rnd.randint(1, 10 ** 15)]) for _ in range(n)]
        W = [[rnd.choice([0, 0, rnd.randint(0, 65535), rnd.randint(0, 9)])
              for _ in range(m)] for _ in range(n)]
        B = None if k == 0 else [[rnd.randint(0, 65535) for _ in range(m)]
                                 for _ in range(n)]
        out.append((f"random_{k}", dict(
            stake=stake, W=W, B=B, kappa=rnd.randint(0, 65535),
            alpha=rnd.randint(0, 65535), emission=rnd.randint(0, 1 << 63),
            owner_bps=rnd.randint(0, 10000))))
    return out


def fmt(xs):
    return " ".join(str(x) for x in xs)


def write(path):
    lines = ["# Yuma consensus vectors, written by tests/vectors/yuma_ref.py;",
             "# do not edit. Format: docs/compute-verify.md (Yuma consensus).",
             ""]
    for name, c in cases():
        n, m = len(c["W"]), len(c["W"][0])
        r = yuma(c["stake"], c["W"], c["B"], c["kappa"], c["alpha"],
                 c["emission"], c["owner_bps"])
        lines.append(f"case {name}")
        lines.append(f"dims {n} {m} {c['kappa']} {c['alpha']} "
                     f"{c['emission']} {c['owner_bps']}")
        lines.append("stake " + fmt(c["stake"]))
        lines += ["w " + fmt(row) for row in c["W"]]
        if c["B"] is not None:
            lines += ["bprev " + fmt(row) for row in c["B"]]
        lines.append("consensus " + fmt(r["consensus"]))
        lines.append("rank " + fmt(r["rank"]))
        lines.append("incentive " + fmt(r["incentive"]))
        lines += ["bond " + fmt(row) for row in r["bonds"]]
        lines.append("dividend " + fmt(r["dividend"]))
        lines.append(f"pay {r['owner']} {r['unpaid']}")
        lines.append("miner_pay " + fmt(r["miner_pay"]))
        lines.append("validator_pay " + fmt(r["validator_pay"]))
        lines.append("end")
        lines.append("")
    with open(path, "w") as f:
        f.write("\n".join(lines))


def show_example():
    r = yuma(EX_STAKE, EX_W, None, KAPPA, ALPHA, EX_E, OWNER)
    T = sum(EX_STAKE)
    print("s", [frac(x, T) for x in EX_STAKE])
    print("w", [[frac(x, sum(row)) for x in row] for row in EX_W])
    for k, v in r.items():
        print(k, v)


if __name__ == "__main__":
    if "--print" in sys.argv:
        show_example()
    else:
        here = os.path.dirname(os.path.abspath(__file__))
        write(os.path.join(here, "yuma_vectors.txt"))
