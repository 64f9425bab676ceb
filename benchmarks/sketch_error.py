"""Rank error of a profile's quantile sketch against the exact CDF, and against DataSketches' own update.

    python benchmarks/sketch_error.py                  # 200 runs of 1,000,000 values in 65,536-row batches
    python benchmarks/sketch_error.py --runs 50 --rows 100000

A profile sorts each chunk and compacts it the way a KLL compactor does before merging it into
the sketch (``pytest_mlgate.profile._sorted_sketch``); this prints, per way of building the
sketch, the sup over 1,001 quantiles of |estimated CDF - exact CDF|, its 99th percentile over the
runs (with a 95% interval from the order statistics), the share of runs where it exceeded the
stated 99% bound (``ColumnProfile.rank_error``, a per-query bound, so the sup is the harder test),
and the time per million values.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from scipy import stats


def sup_error(sketch, v: np.ndarray) -> float:
    points = v[np.linspace(0, v.size - 1, 1001).astype(np.int64)]
    true = np.searchsorted(v, points, side="right") / v.size
    est = np.asarray(sketch.get_cdf(points, True))[:-1]
    return float(np.max(np.abs(est - true)))


def quantile_ci(x: np.ndarray, q: float) -> tuple[float, float, float]:
    s = np.sort(x)
    n = s.size
    lo = int(stats.binom.ppf(0.025, n, q))
    hi = min(int(stats.binom.ppf(0.975, n, q)) + 1, n - 1)
    return float(np.quantile(s, q)), float(s[max(lo - 1, 0)]), float(s[hi])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--batch", type=int, default=65_536)
    args = ap.parse_args()

    from datasketches import kll_doubles_sketch

    from pytest_mlgate.profile import SKETCH_K, ColumnProfile

    rows = {"profile (sorted chunks)": [], "datasketches update": []}
    bounds, times = [], {k: 0.0 for k in rows}
    for run in range(args.runs):
        g = np.random.default_rng(run)
        x = g.lognormal(0, 1.5, args.rows) if run % 2 else g.normal(0, 1, args.rows)
        v = np.sort(x)
        t = time.perf_counter()
        col = ColumnProfile.empty("x", "numeric")
        for i in range(0, x.size, args.batch):
            col.add_numeric(x[i : i + args.batch])
        times["profile (sorted chunks)"] += time.perf_counter() - t
        bounds.append(col.rank_error)
        rows["profile (sorted chunks)"].append(sup_error(col.sketch, v))
        t = time.perf_counter()
        plain = kll_doubles_sketch(SKETCH_K)
        for i in range(0, x.size, args.batch):
            plain.update(np.ascontiguousarray(x[i : i + args.batch]))
        times["datasketches update"] += time.perf_counter() - t
        rows["datasketches update"].append(sup_error(plain, v))

    bound = float(np.mean(bounds))
    print(f"{args.runs} runs of {args.rows:,} values (normal and lognormal), batches of {args.batch:,}; k = {SKETCH_K}")
    print(f"stated 99% rank error of the profile's sketch: {bound:.4%} (KLL's a-priori bound 0.2780% + pre-compaction)")
    print(f"{'sketch':26s} {'mean sup':>9s} {'p99 sup [95% CI]':>28s} {'runs > bound':>18s} {'s per 1M':>9s}")
    for name, errs in rows.items():
        e = np.asarray(errs)
        p99, lo, hi = quantile_ci(e, 0.99)
        over = int(np.sum(e > np.asarray(bounds)))
        ci = stats.binomtest(over, e.size).proportion_ci()
        print(
            f"{name:26s} {e.mean():9.4%} {p99:9.4%} [{lo:.4%}, {hi:.4%}] "
            f"{over:4d} ({ci.low:.1%}-{ci.high:.1%}) {times[name] / args.runs / args.rows * 1e6:9.3f}"
        )


if __name__ == "__main__":
    main()
