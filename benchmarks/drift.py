"""Benchmark of pytest_mlgate.drift.detect_drift against a per-column scipy loop and a numpy sort.

Builds reference and current frames (default 1,000,000 rows x 50 float64 + 10 categorical columns,
fixed seed) and prints seconds and peak traced memory for:

(a) ``detect_drift`` (auto: normed Wasserstein / Jensen-Shannon at this size, no correction change),
(b) a plain per-column loop over the same scipy functions
    (``scipy.stats.wasserstein_distance / np.std``; ``np.histogram`` / value counts +
    ``scipy.spatial.distance.jensenshannon``),
(c) ``np.sort`` of the numeric columns of both frames (the floor).

Usage: ``python benchmarks/drift.py [--rows N] [--seed S]``.  Timings come from an untraced run;
peak memory from a second run under ``tracemalloc``.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from scipy.spatial import distance

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pytest_mlgate.drift import detect_drift  # noqa: E402

N_NUMERIC = 50
N_CATEGORICAL = 10
LEVELS = [f"level_{i}" for i in range(10)]


def make_frames(rows: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Reference and current frames; current has a few shifted numeric columns."""
    rng = np.random.default_rng(seed)

    def frame(shift: float) -> pd.DataFrame:
        data: dict[str, Any] = {}
        for i in range(N_NUMERIC):
            data[f"num_{i}"] = rng.normal(shift if i % 10 == 0 else 0.0, 1.0, rows)
        p = np.linspace(1.0, 2.0, len(LEVELS))
        p /= p.sum()
        for i in range(N_CATEGORICAL):
            codes = rng.choice(len(LEVELS), size=rows, p=p).astype(np.int8)
            cat = pd.Categorical.from_codes(codes, categories=LEVELS)
            # half pandas categoricals, half the default string dtype
            data[f"cat_{i}"] = cat if i % 2 == 0 else pd.Series(cat).astype(str)
        return pd.DataFrame(data)

    return frame(0.0), frame(0.3)


def scipy_loop(ref: pd.DataFrame, cur: pd.DataFrame) -> dict[str, float]:
    """The straightforward per-column implementation with scipy, same methods as detect_drift."""
    out = {}
    for name in ref.columns:
        r, c = ref[name], cur[name]
        if pd.api.types.is_float_dtype(r.dtype):
            out[name] = stats.wasserstein_distance(r, c) / max(np.std(r), 0.001)
        else:
            keys = sorted(set(r.dropna().unique()) | set(c.dropna().unique()))
            pr = r.value_counts().reindex(keys, fill_value=0).to_numpy() / len(r)
            pc = c.value_counts().reindex(keys, fill_value=0).to_numpy() / len(c)
            out[name] = distance.jensenshannon(pr, pc)
    return out


def sort_floor(ref: pd.DataFrame, cur: pd.DataFrame) -> None:
    """np.sort of the numeric columns of both frames."""
    num = [c for c in ref.columns if pd.api.types.is_float_dtype(ref[c].dtype)]
    np.sort(ref[num].to_numpy(), axis=0)
    np.sort(cur[num].to_numpy(), axis=0)


def measure(fn: Callable[[], Any]) -> tuple[float, int]:
    """(seconds of an untraced run, peak traced bytes above the starting point of a traced run)."""
    gc.collect()
    t0 = time.perf_counter()
    fn()
    seconds = time.perf_counter() - t0
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    fn()
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    return seconds, peak


def frame_bytes(df: pd.DataFrame) -> int:
    return int(df.memory_usage(deep=True, index=True).sum())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    ref, cur = make_frames(args.rows, args.seed)
    size = frame_bytes(ref) + frame_bytes(cur)
    print(
        f"rows={args.rows:,} columns={N_NUMERIC} float64 + {N_CATEGORICAL} categorical/string; "
        f"frames {size / 2**20:,.0f} MiB; numpy {np.__version__}, pandas {pd.__version__}"
    )

    report = detect_drift(ref, cur)
    loop = scipy_loop(ref, cur)
    worst = max(abs(c.statistic - loop[c.name]) for c in report.columns)
    print(f"max |detect_drift - scipy loop| statistic difference: {worst:.2e}; drifted columns: {len(report.drifted_columns)}")

    rows = [
        ("(a) detect_drift", *measure(lambda: detect_drift(ref, cur))),
        ("(b) scipy per-column loop", *measure(lambda: scipy_loop(ref, cur))),
        ("(c) np.sort numeric (floor)", *measure(lambda: sort_floor(ref, cur))),
    ]
    print(f"{'':30s} {'seconds':>9s} {'peak MiB':>10s}")
    for label, sec, peak in rows:
        print(f"{label:30s} {sec:9.2f} {peak / 2**20:10.0f}")
    (_, a_s, a_m), (_, b_s, _), (_, c_s, _) = rows
    print(f"detect_drift / floor: {a_s / c_s:.2f}x (target <= 3x)")
    print(f"loop / detect_drift:  {b_s / a_s:.2f}x (target >= 5x)")
    print(
        f"peak memory / frames: {(size + a_m) / size:.2f}x including the frames, "
        f"{a_m / size:.2f}x extra (target <= 2.5x)"
    )


if __name__ == "__main__":
    main()
