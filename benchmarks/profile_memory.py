"""Peak resident memory of profiling Parquet, for 1x, 10x and 30x the data, against a tiny baseline.

    python benchmarks/profile_memory.py                     # 10 files x 500,000 rows x (20 float + 1 categorical)
    python benchmarks/profile_memory.py --rows 100000       # smaller and faster

Writes ``--files`` Parquet files (``--row-group`` rows per row group) to a temporary directory and
profiles, each in a fresh subprocess, a 1,000-row file of the same schema (the baseline: imports,
pyarrow's readers, thread pools), one file, all files, and all files three times over (a list
naming each file three times: 3x the data without 3x the disk).  Peak RSS is the child's
``VmHWM`` (``ru_maxrss`` would include this process's own size: Linux keeps it across fork and exec); growth is peak minus the baseline's peak; "decoded" is rows x columns x 8 bytes.
The bound ``tests/test_sources.py`` asserts (growth under 64 MB for 131,072-row row groups) is
printed beside the figures; the README's "Memory." bullet quotes this script's output.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import textwrap

# The sibling benchmark named ``profile.py`` shadows the standard library's profile module.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]

import numpy as np  # noqa: E402

#: The growth over the baseline that tests/test_sources.py allows (131,072-row row groups).
STATED_BOUND_MB = 64

CHILD = textwrap.dedent(
    """
    import json, resource, sys
    import pyarrow as pa
    from pytest_mlgate.profile import profile

    def peak_mb():
        # VmHWM, not ru_maxrss: Linux carries ru_maxrss over fork and exec, so a child would
        # report at least its parent's resident size
        try:
            with open("/proc/self/status") as fh:
                return next(int(line.split()[1]) for line in fh if line.startswith("VmHWM:")) / 1024
        except OSError:
            return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    paths = json.loads(sys.argv[1])
    p = profile(paths if len(paths) > 1 else paths[0])
    pool = pa.default_memory_pool()
    print(json.dumps({"rows": p.rows, "peak_mb": peak_mb(),
                      "pool_peak_mb": pool.max_memory() / 2**20, "pool_backend": pool.backend_name}))
    """
)


def write(directory: str, files: int, rows: int, cols: int, row_group: int) -> tuple[str, list[str]]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    g = np.random.default_rng(0)
    cats = np.array([f"v{j}" for j in range(20)])

    def table(n: int) -> pa.Table:
        data = {f"x{i}": g.normal(size=n) for i in range(cols)}
        data["c"] = cats[g.integers(0, len(cats), n)]
        return pa.table(data)

    tiny = os.path.join(directory, "tiny.parquet")
    pq.write_table(table(1000), tiny)
    paths = []
    for f in range(files):
        path = os.path.join(directory, "data", f"part-{f:02d}.parquet")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        pq.write_table(table(rows), path, row_group_size=row_group)
        paths.append(path)
    return tiny, paths


def measure(paths: list[str], env: dict[str, str]) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, json.dumps(paths)], capture_output=True, text=True, check=True, env=env
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--files", type=int, default=10)
    ap.add_argument("--rows", type=int, default=500_000, help="rows per file")
    ap.add_argument("--cols", type=int, default=20, help="float columns (plus one categorical)")
    ap.add_argument("--row-group", type=int, default=131_072)
    ap.add_argument("--repeat", type=int, default=1, help="runs per case; the largest peak is kept")
    args = ap.parse_args()
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
    with tempfile.TemporaryDirectory() as tmp:
        tiny, paths = write(tmp, args.files, args.rows, args.cols, args.row_group)
        per_file_mb = args.rows * (args.cols + 1) * 8 / 2**20  # the categorical counted as 8 bytes a value
        cases = [("baseline, 1,000 rows", [tiny], 1000 * (args.cols + 1) * 8 / 2**20),
                 ("1 file", paths[:1], per_file_mb),
                 (f"{args.files} files", paths, per_file_mb * args.files),
                 (f"{args.files} files x 3", paths * 3, per_file_mb * args.files * 3)]
        print(f"{args.files} files x {args.rows:,} rows x ({args.cols} float + 1 categorical), "
              f"row groups of {args.row_group:,} rows; tested bound: growth < {STATED_BOUND_MB} MB")
        print(f"{'case':<24}{'decoded MB':>12}{'peak RSS MB':>13}{'growth MB':>11}{'arrow pool peak MB':>20}")
        base = None
        for label, ps, decoded in cases:
            results = [measure(ps, env) for _ in range(args.repeat)]
            r = max(results, key=lambda x: x["peak_mb"])
            base = r["peak_mb"] if base is None else base
            growth = r["peak_mb"] - base
            flag = "" if growth <= STATED_BOUND_MB else "  > bound"
            print(f"{label:<24}{decoded:>12.0f}{r['peak_mb']:>13.0f}{growth:>11.0f}{r['pool_peak_mb']:>20.1f}{flag}")
        print(f"(arrow memory pool: {r['pool_backend']})")


if __name__ == "__main__":
    main()
