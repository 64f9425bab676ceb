"""Drift verdicts from profiles against verdicts from the rows: false alarms, power and agreement.

    python benchmarks/profile_soundness.py                 # 200 seeded runs per case
    python benchmarks/profile_soundness.py --runs 500 --rows 50000

For each case, a reference and a current dataset are drawn (the same distribution, or a shifted
one) and ``detect_drift`` is run three ways: frame vs frame, stored profile vs frame, and profile
vs profile.  Printed per case and way: the share of runs with any drifted column (the familywise
false-alarm rate under the null, the power under the alternative) with its 95% Wilson interval,
and for the profile ways the number of runs whose verdict differs from the rows' on some column
that the reason does not mark "within sketch error" (the contract says: none).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd
from scipy import stats


def wilson(k: int, n: int) -> tuple[float, float]:
    ci = stats.binomtest(k, n).proportion_ci(method="wilson")
    return ci.low, ci.high


def draw(case: str, rows: int, g: np.random.Generator, shifted: bool) -> pd.DataFrame:
    d = 0.1 if shifted else 0.0  # W1/std of 0.1 on x0: right at the effect floor, the hardest case to agree on
    if case == "10 normal columns":
        return pd.DataFrame({f"x{i}": g.normal(d if i == 0 else 0.0, 1, rows) for i in range(10)})
    if case == "lognormal + integers":
        return pd.DataFrame({
            "ln": g.lognormal(d, 1.0, rows),
            "small_int": g.poisson(3.0 + 2 * d, rows).astype(float),
            "wide_int": g.integers(0, 500, rows) + (g.random(rows) < d).astype(int) * 50,
        })
    if case == "categorical + missing":
        p = np.array([0.4, 0.3, 0.2, 0.1])
        if shifted:
            p = np.array([0.28, 0.3, 0.26, 0.16])  # total variation 0.12, above the 0.1 floor
        x = g.normal(0, 1, rows)
        x[g.random(rows) < 0.05] = np.nan
        return pd.DataFrame({"c": g.choice(["a", "b", "c", "d"], rows, p=p), "x": x})
    raise ValueError(case)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--rows", type=int, default=20_000)
    args = ap.parse_args()

    from pytest_mlgate import detect_drift, profile

    cases = ["10 normal columns", "lognormal + integers", "categorical + missing"]
    print(f"{args.runs} runs per case; reference {args.rows:,} rows, current {args.rows // 2:,} rows")
    print(f"{'case':24s} {'data':8s} {'way':18s} {'any drift':>10s} {'95% interval':>17s} {'unflagged disagreements':>24s}")
    t0 = time.perf_counter()
    for case in cases:
        for shifted in (False, True):
            hits = {"frame vs frame": 0, "profile vs frame": 0, "profile vs profile": 0}
            unflagged = {"profile vs frame": 0, "profile vs profile": 0}
            for run in range(args.runs):
                g = np.random.default_rng([run, shifted, cases.index(case)])
                ref = draw(case, args.rows, g, False)
                cur = draw(case, args.rows // 2, g, shifted)
                rows = detect_drift(ref, cur)
                pref = profile(ref)
                ways = {"profile vs frame": detect_drift(pref, cur), "profile vs profile": detect_drift(pref, profile(cur))}
                hits["frame vs frame"] += rows.drifted
                for way, rep in ways.items():
                    hits[way] += rep.drifted
                    if any(
                        a.drifted != b.drifted and "within sketch error" not in b.reason
                        for a, b in zip(rows.columns, rep.columns)
                    ):
                        unflagged[way] += 1
            for way, k in hits.items():
                lo, hi = wilson(k, args.runs)
                extra = f"{unflagged[way]:>24d}" if way in unflagged else f"{'-':>24s}"
                print(f"{case:24s} {'shifted' if shifted else 'same':8s} {way:18s} {k / args.runs:10.1%} "
                      f"[{lo:6.1%}, {hi:6.1%}] {extra}")
    print(f"({time.perf_counter() - t0:.0f} s)")


if __name__ == "__main__":
    main()
