"""The model cache: a training-dominated suite run cold then warm, and the speed of fingerprinting data.

Run: python benchmarks/cache.py [--rows N] [--models K] [--repeat R] [--hash-gb G]

1. Writes a suite whose session fixture trains K gradient-boosted models (scikit-learn's
   HistGradientBoostingClassifier, each with other settings) through ``mlgate_cache`` on N generated
   rows, and whose tests gate each model's accuracy. Runs it in a pytest subprocess twice: cold
   (``--mlgate-cache-clear``: every model trains) and warm (every model loads), R times each. Prints
   the wall times, the warm/cold ratio (target: at most 0.2) and the cache's own summary line.
   Training runs on one thread (``OMP_NUM_THREADS=1`` unless set), so runs on a shared machine compare.
2. Runs the README's example project (``examples/``) the same way, cold then warm.
3. Fingerprints a G GB DataFrame (float, integer and categorical columns) the way a cache key does
   and prints the time and throughput (target: about 2 s for 1 GB on a 2-core CI machine).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CONFTEST = """
import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.ensemble import HistGradientBoostingClassifier

ROWS = {rows}
SETTINGS = {settings!r}


def train(X, y, **params):
    return HistGradientBoostingClassifier(early_stopping=False, random_state=0, **params).fit(X, y)


@pytest.fixture(scope="session")
def data():
    X, y = make_classification(n_samples=ROWS, n_features=20, n_informative=12, random_state=0)
    split = int(ROWS * 0.8)
    return X[:split], y[:split], X[split:], y[split:]


@pytest.fixture(scope="session", params=range(len(SETTINGS)), ids=lambda i: f"gbm{{i}}")
def model(request, mlgate_cache, data):
    X, y, _, _ = data
    return mlgate_cache.model(f"gbm{{request.param}}", train, X, y, **SETTINGS[request.param])
"""

TESTS = """
import pytest


@pytest.mark.model_threshold(accuracy=0.8)
def test_accuracy(mlgate, model, data):
    _, _, X, y = data
    mlgate.evaluate(model, X, y)
"""


def settings(k: int) -> list[dict[str, object]]:
    grid = [
        {"max_iter": 240, "learning_rate": 0.1, "max_leaf_nodes": 63},
        {"max_iter": 240, "learning_rate": 0.05, "max_depth": 8},
        {"max_iter": 200, "learning_rate": 0.1, "l2_regularization": 1.0, "max_leaf_nodes": 127},
        {"max_iter": 300, "learning_rate": 0.05, "max_leaf_nodes": 31},
        {"max_iter": 240, "learning_rate": 0.1, "max_bins": 127, "max_leaf_nodes": 63},
    ]
    return [grid[i % len(grid)] | {"min_samples_leaf": 20 + i // len(grid)} for i in range(k)]


def run(root: Path, *extra: str) -> tuple[float, str]:
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", *extra]
    env = {**os.environ, "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "1")}  # one core: comparable runs
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=root, capture_output=True, text=True, check=False, env=env)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"pytest failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    summary = next((line for line in proc.stdout.splitlines()
                    if line.startswith("mlgate cache:") and " trained" in line), "")
    return elapsed, summary


def suite_times(rows: int, models: int, repeat: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "conftest.py").write_text(CONFTEST.format(rows=rows, settings=settings(models)))
        (root / "test_models.py").write_text(TESTS)
        (root / "pytest.ini").write_text("[pytest]\n")
        cold, warm = [], []
        for _ in range(repeat):
            seconds, cold_line = run(root, "--mlgate-cache-clear")
            cold.append(seconds)
            seconds, warm_line = run(root)
            warm.append(seconds)
        c, w = statistics.median(cold), statistics.median(warm)
        print(f"suite: {models} HistGradientBoostingClassifier models on {rows:,} rows x 20 features, "
              f"{repeat} cold/warm pair(s), median wall time of `pytest` subprocesses")
        print(f"  cold (--mlgate-cache-clear): {c:7.1f} s   runs: {', '.join(f'{s:.1f}' for s in cold)}")
        print(f"    {cold_line}")
        print(f"  warm (unchanged tree):       {w:7.1f} s   runs: {', '.join(f'{s:.1f}' for s in warm)}")
        print(f"    {warm_line}")
        print(f"  warm / cold = {w / c:.3f}   (target: <= 0.2)")


def example_times(repeat: int) -> None:
    """The README's example project (``examples/``), copied to a temporary directory, cold then warm."""
    import shutil

    source = Path(__file__).resolve().parent.parent / "examples"
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "examples"
        shutil.copytree(source, root)
        cold = [run(root, "-m", "model", "--mlgate-cache-clear")[0] for _ in range(repeat)]
        warm = [run(root, "-m", "model")[0] for _ in range(repeat)]
        line = run(root, "-m", "model")[1] or "(its fixtures do not use mlgate_cache)"
    print(f"examples/ (`pytest -m model`): cold {statistics.median(cold):.1f} s, warm "
          f"{statistics.median(warm):.1f} s, warm / cold = {statistics.median(warm) / statistics.median(cold):.3f}")
    print(f"    {line}")


def hashing(gigabytes: float, repeat: int) -> None:
    import numpy as np
    import pandas as pd

    from pytest_mlgate.cache import Fingerprinter

    rng = np.random.default_rng(0)
    rows = int(gigabytes * 1e9 / (8 * 10 + 8 + 1))  # 10 float64, 1 int64, 1 categorical (int8 codes)
    frame = pd.DataFrame({f"x{i}": rng.standard_normal(rows) for i in range(10)})
    frame["count"] = rng.integers(0, 1000, rows)
    frame["segment"] = pd.Categorical.from_codes(rng.integers(0, 8, rows).astype(np.int8), list("abcdefgh"))
    size = frame.memory_usage(deep=True, index=True).sum() / 1e9
    fp = Fingerprinter()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fp.value(frame, "frame")
        times.append(time.perf_counter() - start)
    best, median = min(times), statistics.median(times)
    print(f"fingerprint of a {size:.2f} GB DataFrame ({rows:,} rows, 12 columns), {repeat} runs:")
    print(f"  median {median:.2f} s ({size / median:.2f} GB/s), fastest {best:.2f} s ({size / best:.2f} GB/s)"
          f"   (target: about 2 s per GB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=300_000, help="generated rows (default 300000)")
    parser.add_argument("--models", type=int, default=4, help="gradient-boosted models in the suite (default 4)")
    parser.add_argument("--repeat", type=int, default=1, help="cold/warm pairs and hashing runs (default 1)")
    parser.add_argument("--hash-gb", type=float, default=1.0, help="size of the hashed frame in GB (default 1)")
    args = parser.parse_args()
    suite_times(args.rows, args.models, args.repeat)
    example_times(max(3, args.repeat))
    hashing(args.hash_gb, max(3, args.repeat))


if __name__ == "__main__":
    main()
