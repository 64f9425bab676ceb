"""Start-up cost of the plugin: ``pytest --co`` on 300 plain tests, with and without pytest-mlgate.

Run: python benchmarks/startup.py [--repeat N]

Prints the median and fastest wall time of each, side by side, and their ratios (target: at most 1.05).
Also checks that loading the plugin imported none of numpy, pandas, scipy, scikit-learn.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FILES, TESTS_PER_FILE = 30, 10
HEAVY = ("numpy", "pandas", "scipy", "sklearn")


def make_suite(root: Path) -> None:
    for f in range(FILES):
        body = "\n".join(f"def test_{t}():\n    assert {t} == {t}\n" for t in range(TESTS_PER_FILE))
        (root / f"test_plain_{f:02d}.py").write_text(body)
    (root / "pytest.ini").write_text("[pytest]\n")
    (root / "conftest.py").write_text(
        "import sys\n"
        "def pytest_collection_finish(session):\n"
        f"    heavy = [m for m in {HEAVY!r} if m in sys.modules]\n"
        "    if heavy:\n"
        "        print('HEAVY MODULES LOADED:', heavy)\n"
    )


def run(root: Path, extra: list[str]) -> tuple[float, str, float]:
    """Wall seconds, output and CPU seconds (user + system) of one ``pytest --co`` process."""
    cmd = [sys.executable, "-m", "pytest", "--co", "-q", "-p", "no:cacheprovider", *extra]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=root, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode != 0:
        raise SystemExit(f"pytest failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return elapsed, proc.stdout, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=31, help="runs of each variant (default 31)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        make_suite(root)
        out = run(root, [])[1]
        if "HEAVY MODULES LOADED" in out:
            raise SystemExit("loading the plugin imported a heavy library:\n" + out)
        runs: dict[str, list[tuple[float, str, float]]] = {"with": [], "without": []}
        for _ in range(args.repeat):  # interleave so drift of the machine hits both alike
            runs["with"].append(run(root, []))
            runs["without"].append(run(root, ["-p", "no:mlgate"]))
    wall = {k: [r[0] for r in v] for k, v in runs.items()}
    cpu = {k: [r[2] for r in v] for k, v in runs.items()}
    med = {k: statistics.median(v) for k, v in wall.items()}
    cmed = {k: statistics.median(v) for k, v in cpu.items()}
    print(f"pytest --co, {FILES * TESTS_PER_FILE} plain tests, {args.repeat} interleaved runs of each")
    print(f"{'variant':<22}{'median wall s':>15}{'fastest wall s':>16}{'median CPU s':>14}")
    print(f"{'with pytest-mlgate':<22}{med['with']:>15.3f}{min(wall['with']):>16.3f}{cmed['with']:>14.3f}")
    print(f"{'-p no:mlgate':<22}{med['without']:>15.3f}{min(wall['without']):>16.3f}{cmed['without']:>14.3f}")
    print(
        f"ratio with/without: median wall {med['with'] / med['without']:.3f}, fastest wall "
        f"{min(wall['with']) / min(wall['without']):.3f}, median CPU {cmed['with'] / cmed['without']:.3f} "
        "(target <= 1.05); heavy imports at load: none"
    )
    print("(CPU time and the fastest runs are the least disturbed by other work on the machine)")


if __name__ == "__main__":
    main()
