"""Start-up cost of the plugin: ``pytest --co`` on 300 plain tests, with and without pytest-mlgate.

Run: python benchmarks/startup.py [--repeat N]

Prints the median and fastest wall time of each, side by side, and their ratios (target: at most 1.05).
Also checks that loading the plugin imported none of numpy, pandas, scipy, scikit-learn.
"""

from __future__ import annotations

import argparse
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


def run(root: Path, extra: list[str]) -> tuple[float, str]:
    cmd = [sys.executable, "-m", "pytest", "--co", "-q", "-p", "no:cacheprovider", *extra]
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=root, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"pytest failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return elapsed, proc.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=31, help="runs of each variant (default 31)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        make_suite(root)
        _, out = run(root, [])
        if "HEAVY MODULES LOADED" in out:
            raise SystemExit("loading the plugin imported a heavy library:\n" + out)
        with_plugin: list[float] = []
        without: list[float] = []
        for _ in range(args.repeat):  # interleave so drift of the machine hits both alike
            with_plugin.append(run(root, [])[0])
            without.append(run(root, ["-p", "no:mlgate"])[0])
    a, b = statistics.median(with_plugin), statistics.median(without)
    print(f"pytest --co, {FILES * TESTS_PER_FILE} plain tests, median of {args.repeat} runs")
    print(f"{'variant':<28}{'median s':>10}{'min s':>10}")
    print(f"{'with pytest-mlgate':<28}{a:>10.3f}{min(with_plugin):>10.3f}")
    print(f"{'-p no:mlgate':<28}{b:>10.3f}{min(without):>10.3f}")
    print(f"ratio with/without: median {a / b:.3f}, fastest run {min(with_plugin) / min(without):.3f} "
          "(target <= 1.05); heavy imports at load: none")
    print("(the fastest runs are the least disturbed by other work on the machine)")


if __name__ == "__main__":
    main()
