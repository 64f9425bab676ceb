"""Benchmark: vectorised bootstrap intervals against a loop over scikit-learn metrics.

Times accuracy, f1 and roc_auc intervals on 100,000 generated binary rows with 1000
resamples via :func:`pytest_mlgate.stats.bootstrap_intervals`, and the same work as a
plain loop of ``sklearn.metrics`` calls on the same resampled indices. The loop is timed
over ``LOOP_ITERATIONS`` resamples and extrapolated linearly to ``N_RESAMPLES``; the
vectorised call is run ``REPEATS`` times and the median is compared.

Run: ``python benchmarks/bootstrap.py``
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np
from sklearn.metrics import accuracy_score, f1_score, roc_auc_score

from pytest_mlgate.stats import _resample_indices, bootstrap_intervals

N_ROWS = 100_000
N_RESAMPLES = 1000
LOOP_ITERATIONS = 50
REPEATS = 5
SEED = 12345
NAMES = ("accuracy", "f1", "roc_auc")


def make_data(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Binary labels, a noisy score of class 1 and its thresholded prediction."""
    rng = np.random.default_rng(seed)
    y_true = (rng.random(n) < 0.4).astype(np.int64)
    score = 1.0 / (1.0 + np.exp(-(1.5 * y_true - 0.75 + rng.normal(size=n))))
    y_pred = (score >= 0.5).astype(np.int64)
    return y_true, y_pred, score


def main() -> None:
    """Print both timings and the speed-up."""
    y_true, y_pred, score = make_data(N_ROWS, SEED)

    bootstrap_intervals(  # warm-up: imports, allocator
        NAMES, y_true=y_true[:1000], y_pred=y_pred[:1000], y_score=score[:1000],
        task="binary", n_resamples=10,
    )
    times = []
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        intervals = bootstrap_intervals(
            NAMES, y_true=y_true, y_pred=y_pred, y_score=score, task="binary",
            n_resamples=N_RESAMPLES, seed=0,
        )
        times.append(time.perf_counter() - t0)
    vectorised = statistics.median(times)

    idx = _resample_indices(N_ROWS, LOOP_ITERATIONS, 0)
    t0 = time.perf_counter()
    for row in idx:
        yt, yp, ys = y_true[row], y_pred[row], score[row]
        accuracy_score(yt, yp)
        f1_score(yt, yp, zero_division=0)
        roc_auc_score(yt, ys)
    loop_measured = time.perf_counter() - t0
    loop = loop_measured * N_RESAMPLES / LOOP_ITERATIONS

    print(f"rows={N_ROWS} resamples={N_RESAMPLES} metrics={', '.join(NAMES)}")
    for name, (low, high) in intervals.items():
        print(f"  {name:<9} [{low:.4f}, {high:.4f}]")
    print(
        f"vectorised bootstrap_intervals: {vectorised:.2f} s "
        f"(median of {REPEATS} runs; min {min(times):.2f} s, max {max(times):.2f} s)"
    )
    print(
        f"sklearn loop: {loop_measured:.2f} s for {LOOP_ITERATIONS} resamples, "
        f"extrapolated to {N_RESAMPLES}: {loop:.1f} s"
    )
    print(f"speed-up: {loop / vectorised:.0f}x")


if __name__ == "__main__":
    main()
