"""The HTML report: what it shows, that it is self-contained, and how a user asks for it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

pytest.importorskip("matplotlib", reason="the HTML report needs the extra pytest-mlgate[html]")
import matplotlib.figure  # noqa: F401 - loaded once, before pytester snapshots modules
from matplotlib.backends import backend_svg  # noqa: F401

from pytest_mlgate.html import render_html

SUITE = '''
import numpy as np
import pandas as pd
import pytest


@pytest.mark.model_threshold(accuracy=0.9, roc_auc=0.99)
def test_binary(mlgate, binary):
    model, X, y = binary
    mlgate.evaluate(model, X, y, metrics=["accuracy", "roc_auc", "log_loss"])


def test_regression(mlgate, regression):
    model, X, y = regression
    mlgate.evaluate(model, X, y)


@pytest.mark.model_threshold(accuracy=0.8, slices=True)
def test_slices(mlgate, multiclass):
    model, X, y = multiclass
    group = pd.Series(np.where(np.arange(len(y)) % 2, "odd", "even"), name="row")
    mlgate.evaluate(model, X, y, slice_by=group)


def test_compare(mlgate, binary):
    from sklearn.dummy import DummyClassifier
    model, X, y = binary
    dummy = DummyClassifier(strategy="prior").fit(X, y)
    mlgate.compare(model, dummy, X, y, metric="roc_auc", max_drop=0.01)


def test_drift(mlgate):
    rng = np.random.default_rng(0)
    ref = pd.DataFrame({"age": rng.normal(40, 5, 500), "city": rng.choice(["a", "b", "c"], 500)})
    cur = pd.DataFrame({"age": rng.normal(48, 5, 500), "city": rng.choice(["a", "b", "new"], 500)})
    mlgate.check_drift(ref, cur)
'''

KINDS = {"confusion", "roc", "pr", "calibration", "predicted-vs-actual", "residuals-vs-prediction",
         "residual-distribution", "slices", "compare-roc", "compare-pr", "compare-difference", "drift-numeric",
         "drift-categorical"}


def plot_kinds(page: str) -> dict[str, int]:
    kinds: dict[str, int] = {}
    for kind in re.findall(r'<figure class="plot" data-plot="([^"]+)"><svg', page):
        kinds[kind] = kinds.get(kind, 0) + 1
    return kinds


def assert_self_contained(page: str) -> None:
    assert "<script" not in page.lower()
    assert not re.search(r'(?:src|href)\s*=\s*["\']?(?:https?:)?//', page, re.IGNORECASE)
    assert "@import" not in page and "url(http" not in page
    ids = re.findall(r' id="([^"]+)"', page)
    assert len(ids) == len(set(ids)), "element ids repeat across pictures"


@pytest.fixture
def run(models: pytest.Pytester):
    models.makepyfile(test_suite=SUITE)

    def go(*args: str) -> pytest.RunResult:
        return models.runpytest("-p", "no:randomly", "-o", "mlgate_bootstrap=50", *args)

    return go


def test_html_report_shows_every_picture_kind(run, models: pytest.Pytester) -> None:
    result = run("--mlgate-html", "out/report.html", "--mlgate-json", "report.json")
    result.assert_outcomes(passed=4, failed=1)
    result.stdout.fnmatch_lines(["*mlgate: HTML report written to*report.html*"])
    page = (models.path / "out" / "report.html").read_text(encoding="utf-8")
    assert KINDS <= set(plot_kinds(page)), KINDS - set(plot_kinds(page))
    assert_self_contained(page)
    assert 'id="verdict">Run verdict: FAIL' in page
    attention = page.split('id="attention"', 1)[1].split("</section>", 1)[0]
    assert "test_suite.py::test_drift" in attention and "test_suite.py::test_binary" not in attention
    assert "(new)" in page and "(vanished)" in page  # the drifted city column's categories
    data = json.loads((models.path / "report.json").read_text())
    for test in data["tests"]:
        assert len(json.dumps(test["plots"])) <= 65_536


def test_pictures_beside_the_baseline_and_trends_from_history(run, models: pytest.Pytester) -> None:
    run("--mlgate-save-baseline", "--mlgate-history", "h.jsonl")
    result = run("--mlgate-html", "report.html", "--mlgate-history", "h.jsonl")
    result.stdout.fnmatch_lines(["*mlgate: HTML report written to*"])
    page = (models.path / "report.html").read_text(encoding="utf-8")
    assert "ROC curve beside the baseline's (dashed)" in page
    assert "Residual distribution beside the baseline's (dashed)" in page
    assert plot_kinds(page).get("trend", 0) >= 2  # accuracy and roc_auc of test_binary, over 2 runs
    stored = json.loads((models.path / "mlgate-baseline.json").read_text())
    assert set(stored["plots"]) >= {"test_suite.py::test_binary", "test_suite.py::test_regression"}
    assert all(len(json.dumps(p)) <= 65_536 for p in stored["plots"].values())


def test_html_without_matplotlib_is_a_usage_error_naming_the_extra(
    models: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pytest_mlgate.html

    monkeypatch.setattr(pytest_mlgate.html, "html_available", lambda: False)
    models.makepyfile("def test_x(mlgate):\n    mlgate.record(a=1.0)\n")
    result = models.runpytest("--mlgate-html", "r.html")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--mlgate-html*matplotlib*pytest-mlgate[[]html[]]*"])
    assert not (models.path / "r.html").exists()


def test_all_drift_columns_on_demand(models: pytest.Pytester) -> None:
    models.makepyfile(
        """
        import numpy as np, pandas as pd

        def test_quiet(mlgate):
            rng = np.random.default_rng(1)
            frame = pd.DataFrame({"a": rng.normal(size=300), "b": rng.normal(size=300)})
            mlgate.check_drift(frame, frame.sample(frac=1.0, random_state=2))
        """
    )
    models.runpytest("--mlgate-html", "quiet.html").assert_outcomes(passed=1)
    quiet = (models.path / "quiet.html").read_text(encoding="utf-8")
    assert "drift-numeric" not in plot_kinds(quiet) and "no column drifted" in quiet
    models.runpytest("--mlgate-html", "all.html", "-o", "mlgate_html_all_columns=true").assert_outcomes(passed=1)
    assert plot_kinds((models.path / "all.html").read_text(encoding="utf-8"))["drift-numeric"] == 2


def test_plots_travel_under_xdist(run, models: pytest.Pytester) -> None:
    pytest.importorskip("xdist")
    run("-n", "2", "--mlgate-json", "x.json")
    data = json.loads((models.path / "x.json").read_text())
    kinds = {p.get("kind") for t in data["tests"] for p in t["plots"].values()}
    assert kinds == {"classification", "regression", "compare", "drift"}


def report_dict(**summary) -> dict:
    return {"version": 1, "baseline_present": False, "summary": {"status": "PASS", **summary},
            "tests": [], "unused_baseline": [], "provenance": None}


def test_render_html_of_an_empty_run_says_so() -> None:
    page = render_html(report_dict(tests=0))
    assert "Run verdict: PASS" in page and "No test needs attention." in page
    assert_self_contained(page)


def test_render_html_escapes_test_ids_and_messages() -> None:
    report = report_dict(status="FAIL")
    report["tests"] = [{"nodeid": "t.py::test[<b>x</b>]", "outcome": "failed", "metrics": {}, "plots": {},
                        "gates": [{"metric": "m", "kind": "threshold", "status": "FAIL",
                                   "message": "m = <script>alert(1)</script>", "value": 1.0, "op": ">=",
                                   "threshold": 2.0}]}]
    page = render_html(report)
    assert "<b>x</b>" not in page and "&lt;b&gt;x&lt;/b&gt;" in page
    assert "<script" not in page


def test_render_html_notes_a_summary_that_was_left_out() -> None:
    report = report_dict()
    report["tests"] = [{"nodeid": "t.py::a", "metrics": {}, "gates": [],
                        "plots": {"evaluate": {"kind": "classification", "omitted": "too big"}}}]
    assert "evaluate: pictures left out (too big)" in render_html(report)


def test_render_html_rejects_what_is_not_a_report() -> None:
    with pytest.raises(TypeError, match="report must be the JSON report dict"):
        render_html({"tests": "no"})


def test_html_is_written_where_asked_relative_to_the_invocation_dir(run, models: pytest.Pytester) -> None:
    sub = models.mkdir("sub")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(sub)
        run(str(models.path / "test_suite.py"), "--mlgate-html", "here.html", "-k", "regression")
    assert Path(sub / "here.html").exists()


def compare_test(difference: float, interval: list[float]) -> dict:
    return {"nodeid": "t.py::cmp", "metrics": {}, "gates": [], "plots": {"compare:roc_auc": {
        "kind": "compare", "metric": "roc_auc", "difference": difference, "interval": interval,
        "confidence": 0.95, "max_drop": 0.01, "verdict": "pass", "candidate": {}, "baseline_model": {}}}}


def test_a_value_outside_its_interval_is_still_drawn() -> None:
    report = report_dict()
    report["tests"] = [compare_test(0.2, [0.05, 0.1])]  # one bootstrap resample can leave the point outside
    page = render_html(report)
    assert plot_kinds(page) == {"compare-difference": 1}
    assert "picture not drawn" not in page


def test_a_picture_that_cannot_be_drawn_is_named_and_the_rest_is_written() -> None:
    report = report_dict()
    broken = {"kind": "regression", "band": {"center": [1, 2], "q05": [1], "q25": [1], "q50": [1], "q75": [1],
                                             "q95": [1], "count": [1]},
              "residual_hist": {"edges": [0, 1, 2], "counts": [3, 4]}}
    report["tests"] = [{"nodeid": "t.py::r", "metrics": {}, "gates": [], "plots": {"evaluate": broken}}]
    page = render_html(report)
    assert "picture not drawn: ValueError" in page
    assert plot_kinds(page) == {"residual-distribution": 1}
