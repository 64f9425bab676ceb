"""Size and cost of the HTML report, and the Markdown's size against GitHub's limits.

Prints, for the example project and for a generated project of N model tests (default 200: binary
classifiers, regressors, champion/challenger comparisons and drift checks, a fifth of them
failing): the HTML report's size, the pictures in it, the largest per-test summary (against the
64 KiB bound), the Markdown report's size (against 65,536 characters and 1 MiB), and the wall time
of the same run with and without ``--mlgate-html`` (best of ``--repeat``). Both runs have two
history runs before them, so trends are drawn.

    python benchmarks/html_report.py [--tests 200] [--repeat 1]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CONFTEST = '''
import pytest
from sklearn.datasets import load_breast_cancer, load_diabetes
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler


@pytest.fixture(scope="session")
def binary():
    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3, random_state=0, stratify=y)
    return make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)).fit(X_tr, y_tr), X_tr, X_te, y_te


@pytest.fixture(scope="session")
def regression():
    X, y = load_diabetes(return_X_y=True)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3, random_state=0)
    return Ridge(alpha=0.1).fit(X_tr, y_tr), X_te, y_te
'''

SUITE = '''
import pytest
from sklearn.tree import DecisionTreeClassifier

N = {n}


@pytest.mark.model_threshold(accuracy=0.95, roc_auc=0.98, f1=0.97)
@pytest.mark.parametrize("k", range(N * 2 // 5))
def test_classifier(mlgate, binary, k):
    model, _, X, y = binary
    rows = slice(k % 7, None)
    mlgate.evaluate(model, X[rows], y[rows])
    if k % 5 == 0:
        mlgate.record(accuracy=0.5)  # a fifth of them fail


@pytest.mark.model_threshold(r2=0.35, mae=50)
@pytest.mark.parametrize("k", range(N * 3 // 10))
def test_regressor(mlgate, regression, k):
    model, X, y = regression
    mlgate.evaluate(model, X[k % 5:], y[k % 5:])


@pytest.mark.parametrize("k", range(N // 10))
def test_compare(mlgate, binary, k):
    model, X_tr, X, y = binary
    champion = DecisionTreeClassifier(max_depth=1 + k % 3, random_state=0).fit(X_tr, model.predict(X_tr))
    mlgate.compare(model, champion, X, y, metric="roc_auc", max_drop=0.01)


@pytest.mark.parametrize("k", range(N - N * 2 // 5 - N * 3 // 10 - N // 10))
def test_drift(mlgate, binary, k):
    _, X_tr, X, _ = binary
    current = X.copy()
    if k % 2:
        current["mean radius"] = current["mean radius"] * 1.3
    mlgate.check_drift(X_tr, current, max_drift_share=1.0)
'''


def run(project: Path, *args: str) -> float:
    env = {k: v for k, v in os.environ.items() if k != "GITHUB_STEP_SUMMARY"}
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-p", "no:cacheprovider", *args],
                   cwd=project, env=env, capture_output=True, text=True)
    return time.perf_counter() - start


def measure(project: Path, label: str, repeat: int, extra: tuple[str, ...] = ()) -> None:
    for _ in range(2):
        run(project, "--mlgate-history", "h.jsonl", *extra)
    base = ("--mlgate-history", "h.jsonl", "--mlgate-report", "r.md", "--mlgate-json", "r.json", *extra)
    without = min(run(project, *base) for _ in range(repeat))
    with_html = min(run(project, *base, "--mlgate-html", "r.html") for _ in range(repeat))
    html = (project / "r.html").read_text(encoding="utf-8")
    md = (project / "r.md").read_text(encoding="utf-8")
    data = json.loads((project / "r.json").read_text())
    largest = max(len(json.dumps(t.get("plots", {}), separators=(",", ":"))) for t in data["tests"])
    print(f"{label}: {len(data['tests'])} tests, status {data['summary']['status']}")
    pictures = len(re.findall(r'<figure class="plot"', html))
    print(f"  HTML report: {len(html.encode()) / 1024:,.0f} KiB, {pictures} pictures, "
          f"{len(re.findall('<script', html))} scripts")
    print(f"  largest per-test summary: {largest:,} characters of JSON (bound 65,536)")
    print(f"  Markdown: {len(md):,} characters (comment limit 65,536), {len(md.encode()):,} bytes (step summary "
          f"limit 1,048,576), {md.count('```mermaid')} Mermaid charts"
          + (", shortened" if "Shortened to fit" in md else ""))
    print(f"  run without --mlgate-html {without:.1f} s, with {with_html:.1f} s: the HTML adds "
          f"{with_html - without:.1f} s (best of {repeat})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tests", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        example = Path(tmp) / "examples"
        shutil.copytree(ROOT / "examples", example, ignore=shutil.ignore_patterns("__pycache__"))
        measure(example, "example project", args.repeat)
        project = Path(tmp) / "generated"
        project.mkdir()
        (project / "conftest.py").write_text(CONFTEST)
        (project / "test_many.py").write_text(SUITE.format(n=args.tests))
        (project / "pytest.ini").write_text("[pytest]\nmlgate_bootstrap = 0\n")
        measure(project, f"{args.tests} generated model tests", args.repeat)


if __name__ == "__main__":
    main()
