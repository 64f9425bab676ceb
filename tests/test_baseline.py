"""Tests of the baseline core: file format, provenance, tolerances, regression judgement, history."""

from __future__ import annotations

import json
import math
import multiprocessing
import os
import subprocess
from pathlib import Path

import pytest

from pytest_mlgate.baseline import (
    BASELINE_VERSION,
    Baseline,
    BaselineEntry,
    BaselineError,
    Tolerance,
    append_history,
    baseline_ref,
    gather_provenance,
    history_record,
    judge_regression,
    parse_tolerance,
)
from pytest_mlgate.results import FAIL, INCONCLUSIVE, PASS, GateResult, MetricRecord, TestResult

PROV = {"commit": "abc1234def5678", "dirty": False, "date": "2026-11-27T10:00:00+00:00", "python": "3.11.7"}


def _write(path: Path, data: object) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _valid(tests: dict | None = None, version: int = 1) -> dict:
    return {
        "version": version,
        "provenance": PROV,
        "tests": tests if tests is not None else {"t.py::a": {"accuracy": {"value": 0.95, "n": 100}}},
    }


def _result(nodeid: str, **metrics: float) -> TestResult:
    return TestResult(nodeid=nodeid, metrics={k: MetricRecord(k, v) for k, v in metrics.items()})


# --- load ----------------------------------------------------------------------------------


def test_load_missing_file_returns_none(tmp_path: Path) -> None:
    assert Baseline.load(tmp_path / "nope.json") is None


def test_load_valid_file(tmp_path: Path) -> None:
    data = _valid(
        {
            "t.py::a": {
                "accuracy": {
                    "value": 0.95,
                    "n": 100,
                    "interval": [0.9, 0.98],
                    "confidence": 0.95,
                    "higher_is_better": True,
                },
                "loss": {"value": 1},
            }
        }
    )
    b = Baseline.load(_write(tmp_path / "b.json", data))
    assert b is not None
    assert b.version == 1
    assert b.provenance == PROV
    assert b.get("t.py::a", "accuracy") == BaselineEntry(0.95, 100, (0.9, 0.98), 0.95, True)
    loss = b.get("t.py::a", "loss")
    assert loss == BaselineEntry(1.0)
    assert isinstance(loss.value, float)
    assert b.get("t.py::a", "missing") is None
    assert b.get("t.py::other", "accuracy") is None
    assert b.ref == "abc1234 2026-11-27"


def test_load_malformed_json_names_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(BaselineError, match=r"broken\.json.*malformed JSON"):
        Baseline.load(path)


def test_load_rejects_nan_constant(tmp_path: Path) -> None:
    path = tmp_path / "nan.json"
    path.write_text('{"version": 1, "tests": {"t": {"m": {"value": NaN}}}}', encoding="utf-8")
    with pytest.raises(BaselineError, match=r"nan\.json"):
        Baseline.load(path)


def test_load_unreadable_names_file(tmp_path: Path) -> None:
    path = tmp_path / "dir.json"
    path.mkdir()
    with pytest.raises(BaselineError, match=r"dir\.json.*cannot be read"):
        Baseline.load(path)


def test_load_non_utf8_names_file(tmp_path: Path) -> None:
    path = tmp_path / "bin.json"
    path.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(BaselineError, match=r"bin\.json"):
        Baseline.load(path)


@pytest.mark.parametrize(
    ("data", "cause"),
    [
        ([1, 2], "top level"),
        ({"tests": {}}, "version"),
        ({"version": "1", "tests": {}}, "version"),
        ({"version": True, "tests": {}}, "version"),
        ({"version": 0, "tests": {}}, "version"),
        ({"version": 1}, "'tests'"),
        ({"version": 1, "tests": []}, "'tests'"),
        ({"version": 1, "tests": {}, "provenance": []}, "provenance"),
        ({"version": 1, "tests": {"t": []}}, "test 't'"),
        ({"version": 1, "tests": {"t": {"m": 0.5}}}, "metric 'm'"),
        ({"version": 1, "tests": {"t": {"m": {}}}}, "'value'"),
        ({"version": 1, "tests": {"t": {"m": {"value": "0.5"}}}}, "'value'"),
        ({"version": 1, "tests": {"t": {"m": {"value": True}}}}, "'value'"),
        ({"version": 1, "tests": {"t": {"m": {"value": 0.5, "n": 1.5}}}}, "'n'"),
        ({"version": 1, "tests": {"t": {"m": {"value": 0.5, "n": -1}}}}, "'n'"),
        ({"version": 1, "tests": {"t": {"m": {"value": 0.5, "interval": [1]}}}}, "'interval'"),
        ({"version": 1, "tests": {"t": {"m": {"value": 0.5, "confidence": 95}}}}, "'confidence'"),
        ({"version": 1, "tests": {"t": {"m": {"value": 0.5, "higher_is_better": "yes"}}}}, "higher_is_better"),
        ({"version": 1, "tests": {"t": {"m": {"value": 0.5, "extra": 1}}}}, "unknown keys"),
    ],
)
def test_load_wrong_structure_names_file_and_cause(tmp_path: Path, data: object, cause: str) -> None:
    path = _write(tmp_path / "wrong.json", data)
    with pytest.raises(BaselineError) as info:
        Baseline.load(path)
    assert "wrong.json" in str(info.value)
    assert cause in str(info.value)


def test_load_future_version_fails_closed(tmp_path: Path) -> None:
    path = _write(tmp_path / "future.json", _valid(version=BASELINE_VERSION + 1))
    with pytest.raises(BaselineError, match=r"future\.json.*newer pytest-mlgate"):
        Baseline.load(path)


# --- save ----------------------------------------------------------------------------------


def test_save_is_atomic_sorted_and_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "baseline.json"
    b = Baseline(
        path=path,
        entries={
            "z.py::t": {"b": BaselineEntry(0.5), "a": BaselineEntry(0.25, 10, (0.2, 0.3), 0.95, False)},
            "a.py::t": {"m": BaselineEntry(1.0)},
        },
        provenance={"date": "2026-11-27T10:00:00+00:00", "commit": None},
    )
    b.save()
    assert sorted(os.listdir(path.parent)) == ["baseline.json"]  # no temp file left
    text = path.read_text(encoding="utf-8")
    assert text.endswith("}\n")
    data = json.loads(text)
    assert text == json.dumps(data, sort_keys=True, indent=2) + "\n"
    assert list(data["tests"]) == ["a.py::t", "z.py::t"]
    assert list(data["tests"]["z.py::t"]) == ["a", "b"]
    assert data["tests"]["z.py::t"]["b"] == {"value": 0.5}  # None fields omitted
    loaded = Baseline.load(path)
    assert loaded is not None
    assert loaded.entries == b.entries
    assert loaded.provenance == b.provenance


def test_save_replaces_existing_file(tmp_path: Path) -> None:
    path = tmp_path / "baseline.json"
    path.write_text("old", encoding="utf-8")
    Baseline(path=path, entries={"t": {"m": BaselineEntry(2.0)}}).save()
    assert json.loads(path.read_text())["tests"] == {"t": {"m": {"value": 2.0}}}
    assert os.listdir(tmp_path) == ["baseline.json"]


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_save_refuses_non_finite_naming_test_and_metric(tmp_path: Path, bad: float) -> None:
    path = tmp_path / "baseline.json"
    path.write_text("keep me", encoding="utf-8")
    b = Baseline(path=path, entries={"t.py::bad": {"accuracy": BaselineEntry(bad)}})
    with pytest.raises(BaselineError, match=r"baseline\.json.*'t\.py::bad'.*'accuracy'"):
        b.save()
    assert path.read_text() == "keep me"
    assert os.listdir(tmp_path) == ["baseline.json"]


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_merge_save_keeps_the_stored_value_of_a_non_finite_metric_and_saves_the_rest(
    tmp_path: Path, bad: float
) -> None:
    path = _write(tmp_path / "baseline.json", _valid({"t.py::a": {"accuracy": {"value": 0.9}, "f1": {"value": 0.8}}}))
    updates = {"t.py::a": {"accuracy": BaselineEntry(bad), "f1": BaselineEntry(0.85)}, "t.py::b": {"r2": BaselineEntry(0.5)}}
    with pytest.raises(BaselineError, match=r"baseline\.json: NaN/inf cannot be stored.*'t\.py::a' metric 'accuracy'"):
        Baseline.merge_save(path, updates, provenance=PROV)
    stored = Baseline.load(path)
    assert stored is not None
    assert stored.entries == {
        "t.py::a": {"accuracy": BaselineEntry(0.9), "f1": BaselineEntry(0.85)},
        "t.py::b": {"r2": BaselineEntry(0.5)},
    }
    assert os.listdir(tmp_path) == ["baseline.json"]


def test_save_refuses_non_finite_interval(tmp_path: Path) -> None:
    b = Baseline(path=tmp_path / "b.json", entries={"t": {"m": BaselineEntry(0.5, interval=(0.1, math.nan))}})
    with pytest.raises(BaselineError, match="'m'"):
        b.save()
    assert not (tmp_path / "b.json").exists()


def test_save_unwritable_location_raises_baseline_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(BaselineError, match="cannot be written"):
        Baseline(path=blocker / "b.json").save()


# --- update and unused ---------------------------------------------------------------------


def test_updated_replaces_run_tests_and_keeps_others(tmp_path: Path) -> None:
    old = Baseline(
        path=tmp_path / "b.json",
        entries={
            "t.py::ran": {"accuracy": BaselineEntry(0.9), "dropped": BaselineEntry(1.0)},
            "t.py::not_run": {"f1": BaselineEntry(0.7)},
            "t.py::no_metrics": {"f1": BaselineEntry(0.6)},
        },
        provenance={"commit": "old"},
    )
    ran = TestResult(
        nodeid="t.py::ran",
        metrics={
            "accuracy": MetricRecord("accuracy", 0.93, higher_is_better=True, n=50, interval=(0.9, 0.96), confidence=0.9),
            "accuracy[sex=F]": MetricRecord("accuracy[sex=F]", 0.88),
        },
    )
    new = old.updated([ran, _result("t.py::fresh", loss=0.1), TestResult("t.py::no_metrics")], PROV)
    assert new is not old
    assert new.entries["t.py::ran"] == {
        "accuracy": BaselineEntry(0.93, 50, (0.9, 0.96), 0.9, True),
        "accuracy[sex=F]": BaselineEntry(0.88),
    }
    assert new.entries["t.py::not_run"] == {"f1": BaselineEntry(0.7)}
    assert new.entries["t.py::no_metrics"] == {"f1": BaselineEntry(0.6)}
    assert new.entries["t.py::fresh"] == {"loss": BaselineEntry(0.1)}
    assert new.provenance == PROV
    assert new.path == old.path
    # the original is untouched
    assert "dropped" in old.entries["t.py::ran"]
    assert "t.py::fresh" not in old.entries


def test_unused_lists_pairs_no_test_produced(tmp_path: Path) -> None:
    b = Baseline(
        path=tmp_path / "b.json",
        entries={"t::b": {"x": BaselineEntry(1.0), "y": BaselineEntry(2.0)}, "t::a": {"z": BaselineEntry(3.0)}},
    )
    assert b.unused({("t::b", "x")}) == [("t::a", "z"), ("t::b", "y")]
    assert b.unused({("t::b", "x"), ("t::b", "y"), ("t::a", "z"), ("t::c", "q")}) == []


# --- provenance ----------------------------------------------------------------------------


def test_baseline_ref() -> None:
    assert baseline_ref(PROV) == "abc1234 2026-11-27"
    assert baseline_ref({**PROV, "dirty": True}) == "abc1234+dirty 2026-11-27"
    assert baseline_ref({"commit": None, "date": "2026-01-02T00:00:00Z"}) == "2026-01-02"
    assert baseline_ref({}) == ""


def test_gather_provenance_outside_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    prov = gather_provenance(tmp_path)
    assert prov["commit"] is None
    assert prov["dirty"] is None
    assert prov["python"].count(".") == 2
    assert prov["date"].endswith("+00:00")
    assert prov["packages"]["pytest"] == pytest.__version__
    assert "platform" in prov
    json.dumps(prov, allow_nan=False)


def test_gather_provenance_git_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    prov = gather_provenance(tmp_path)
    assert prov["commit"] is None and prov["dirty"] is None


def _git(root: Path, *args: str) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, env=env)


def test_gather_provenance_in_git_repo(tmp_path: Path) -> None:
    try:
        _git(tmp_path, "init", "-q")
        (tmp_path / "f.txt").write_text("a")
        _git(tmp_path, "add", "f.txt")
        _git(tmp_path, "commit", "-q", "-m", "init")
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("git is not usable here")
    prov = gather_provenance(tmp_path)
    assert isinstance(prov["commit"], str) and len(prov["commit"]) == 40
    assert prov["dirty"] is False
    (tmp_path / "f.txt").write_text("b")
    assert gather_provenance(tmp_path)["dirty"] is True


# --- tolerances ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "amount", "relative", "text"),
    [
        (0.01, 0.01, False, "0.01"),
        (0, 0.0, False, "0"),
        (2, 2.0, False, "2"),
        ("0.01", 0.01, False, "0.01"),
        (" 0.5 ", 0.5, False, "0.5"),
        ("2%", 0.02, True, "2%"),
        ("0.5 %", 0.005, True, "0.5%"),
    ],
)
def test_parse_tolerance(raw: object, amount: float, relative: bool, text: str) -> None:
    tol = parse_tolerance(raw)
    assert tol.amount == pytest.approx(amount)
    assert tol.relative is relative
    assert str(tol) == text
    assert parse_tolerance(tol) is tol


def test_tolerance_allowed() -> None:
    assert parse_tolerance(0.01).allowed(0.95) == 0.01
    assert parse_tolerance("2%").allowed(0.5) == pytest.approx(0.01)
    assert parse_tolerance("10%").allowed(-2.0) == pytest.approx(0.2)  # relative to |baseline|


@pytest.mark.parametrize(
    ("raw", "cause"),
    [
        (-0.1, "negative"),
        ("-2%", "negative"),
        ("abc", "expected a number"),
        ("%", "expected a number"),
        ("", "expected a number"),
        (math.nan, "finite"),
        ("inf", "finite"),
        (None, "expected a number or a string"),
        (True, "expected a number or a string"),
        ([1], "expected a number or a string"),
    ],
)
def test_parse_tolerance_rejects_bad_input(raw: object, cause: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_tolerance(raw)
    assert repr(raw) in str(info.value)
    assert cause in str(info.value)


@pytest.mark.parametrize("raw", [10**400, -(10**400), "1e999", "1e999%", "-1e999%", "nan%"])
def test_parse_tolerance_refuses_overflow_with_a_value_error(raw: object) -> None:
    with pytest.raises(ValueError, match="invalid tolerance.*(finite|too large)"):
        parse_tolerance(raw)


# --- regression judgement ------------------------------------------------------------------


def _judge(value: float, base: float, hib: bool = True, tol: object = 0.01, **kw: object) -> GateResult:
    kw.setdefault("n", 1000)
    return judge_regression(
        "accuracy",
        value,
        BaselineEntry(base, interval=kw.pop("base_interval", None)),  # type: ignore[arg-type]
        higher_is_better=hib,
        tolerance=parse_tolerance(tol),
        baseline_ref="abc1234 2026-11-27",
        **kw,  # type: ignore[arg-type]
    )


def test_regression_fail_higher_is_better() -> None:
    g = _judge(0.912, 0.951)
    assert g.status == FAIL
    assert g.kind == "regression"
    assert g.message == "accuracy regressed: 0.912 vs baseline 0.951 (-0.039, allowed 0.01) [baseline abc1234 2026-11-27]"
    assert g.op == ">="
    assert g.threshold == pytest.approx(0.941)
    assert g.baseline == 0.951
    assert g.value == 0.912
    assert g.tolerance == "0.01"
    assert g.n == 1000
    assert g.extra["change"] == pytest.approx(-0.039)


def test_regression_pass_higher_is_better_within_tolerance_and_improvement() -> None:
    assert _judge(0.945, 0.951).status == PASS
    improved = _judge(0.99, 0.951)
    assert improved.status == PASS
    assert "+0.039" in improved.message


def test_regression_exactly_at_tolerance_passes_despite_float_error() -> None:
    # 0.951 - 0.941 is 0.010000000000000009 in binary floating point
    assert _judge(0.941, 0.951).status == PASS
    assert _judge(0.3, 0.2, hib=False, tol=0.1).status == PASS


def test_regression_lower_is_better() -> None:
    fail = _judge(0.25, 0.2, hib=False, tol=0.02)
    assert fail.status == FAIL
    assert fail.op == "<="
    assert fail.threshold == pytest.approx(0.22)
    assert "regressed: 0.25 vs baseline 0.2 (+0.05, allowed 0.02)" in fail.message
    assert _judge(0.21, 0.2, hib=False, tol=0.02).status == PASS
    assert _judge(0.1, 0.2, hib=False, tol=0.02).status == PASS  # lower is an improvement


def test_regression_relative_tolerance() -> None:
    g = _judge(0.48, 0.5, tol="2%")
    assert g.status == FAIL
    assert g.threshold == pytest.approx(0.49)
    assert g.tolerance == "2%"
    assert "allowed 0.01 (2%)" in g.message
    assert _judge(0.495, 0.5, tol="2%").status == PASS


def test_regression_nan_fails() -> None:
    g = _judge(math.nan, 0.95)
    assert g.status == FAIL
    assert "NaN" in g.message
    assert "abc1234" in g.message
    json.dumps(g.to_dict(), allow_nan=False)


def test_regression_inf_fails_in_either_direction() -> None:
    """An infinite value is no measurement: it fails closed even where it would read as an improvement."""
    assert _judge(-math.inf, 0.95).status == FAIL
    assert _judge(math.inf, 0.2, hib=False).status == FAIL
    assert _judge(math.inf, 0.95).status == FAIL
    assert _judge(-math.inf, 0.2, hib=False).status == FAIL
    assert "not a finite number" in _judge(math.inf, 0.95).message


def test_regression_inconclusive_when_not_significant() -> None:
    # se of each side from its interval: (0.95 - 0.92) / (2 * 1.645) and (0.96 - 0.94) / (2 * 1.645)
    g = _judge(0.935, 0.951, interval=(0.92, 0.95), confidence=0.95, base_interval=(0.94, 0.96))
    assert g.status == INCONCLUSIVE
    se = math.hypot(0.03, 0.02) / (2 * 1.6448536269514722)
    assert g.extra["difference_se"] == pytest.approx(se)
    assert g.judged == pytest.approx(0.935 + 1.6448536269514722 * se)
    assert g.interval == (0.92, 0.95)
    assert g.confidence == 0.95
    assert "not significant" in g.message and "95%" in g.message and "both the stored and the current" in g.message


def test_regression_fails_when_significant() -> None:
    g = _judge(0.90, 0.951, interval=(0.88, 0.92), confidence=0.95, base_interval=(0.94, 0.96))
    assert g.status == FAIL
    assert g.judged < 0.941
    assert "significant at 95%" in g.message


def test_regression_counts_the_stored_values_noise_too() -> None:
    # the current interval alone excludes the threshold, the difference test does not
    kw = {"interval": (0.925, 0.939), "confidence": 0.95}
    assert _judge(0.932, 0.951, base_interval=(0.9, 1.0), **kw).status == INCONCLUSIVE
    assert _judge(0.932, 0.951, base_interval=(0.95, 0.952), **kw).status == FAIL


def test_regression_intervals_lower_is_better() -> None:
    kw = {"confidence": 0.9, "base_interval": (0.18, 0.22)}
    assert _judge(0.25, 0.2, hib=False, interval=(0.21, 0.29), **kw).status == INCONCLUSIVE
    g = _judge(0.35, 0.2, hib=False, interval=(0.31, 0.39), **kw)
    assert g.status == FAIL
    assert g.judged > 0.22
    assert _judge(0.205, 0.2, hib=False, interval=(0.15, 0.26), **kw).status == PASS


def test_regression_without_a_stored_interval_assumes_the_current_noise_scaled_by_size() -> None:
    # no stored interval: the stored value's noise is the current one's, scaled by sqrt(n / stored n)
    assert _judge(0.935, 0.951, interval=(0.92, 0.95), confidence=0.95).status == INCONCLUSIVE
    entry = BaselineEntry(0.951, n=100_000)
    g = judge_regression(
        "accuracy", 0.935, entry, higher_is_better=True, tolerance=parse_tolerance(0.0), baseline_ref="",
        n=1000, interval=(0.925, 0.945), confidence=0.95,
    )
    assert g.extra["difference_se"] == pytest.approx(0.02 / (2 * 1.6448536269514722) * math.sqrt(1.01))
    # without a confidence the point value decides
    assert _judge(0.935, 0.951, interval=(0.92, 0.95), base_interval=(0.94, 0.96)).status == FAIL


def test_regression_without_ref_omits_brackets() -> None:
    g = judge_regression(
        "f1", 0.5, BaselineEntry(0.7), higher_is_better=True, tolerance=Tolerance(0.0), baseline_ref="", n=None
    )
    assert g.status == FAIL
    assert "[" not in g.message


# --- history -------------------------------------------------------------------------------


def test_history_record_contents() -> None:
    r = TestResult(
        nodeid="t.py::a",
        metrics={"accuracy": MetricRecord("accuracy", math.nan)},
        gates=[_judge(0.9, 0.95)],
        drift=[{"drifted": False, "drift_share": math.nan, "columns": []}],
    )
    prov = {**PROV, "platform": "Linux", "packages": {"numpy": "2.0"}}
    rec = history_record([r], prov, "FAIL")
    assert rec["commit"] == PROV["commit"]
    assert rec["dirty"] is False
    assert rec["status"] == "FAIL"
    assert rec["environment"] == {"python": "3.11.7", "platform": "Linux", "packages": {"numpy": "2.0"}}
    assert rec["time"].endswith("+00:00")
    (test,) = rec["tests"]
    assert test["nodeid"] == "t.py::a"
    assert test["verdict"] == FAIL
    assert test["metrics"]["accuracy"]["value"] == "nan"
    assert test["gates"][0]["status"] == FAIL
    json.dumps(rec, allow_nan=False)


def test_append_history_appends_lines(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "history.jsonl"
    append_history(path, {"a": 1, "text": "é"})
    append_history(path, {"a": 2})
    lines = path.read_text(encoding="utf-8").splitlines()
    assert [json.loads(x) for x in lines] == [{"a": 1, "text": "é"}, {"a": 2}]


def test_append_history_refuses_nan(tmp_path: Path) -> None:
    path = tmp_path / "h.jsonl"
    with pytest.raises(ValueError):
        append_history(path, {"v": math.nan})
    assert not path.exists() or path.read_text() == ""


def _append_many(path: str, worker: int, count: int) -> None:
    for i in range(count):
        append_history(path, {"worker": worker, "i": i, "pad": "x" * (5000 + 37 * worker)})


def test_append_history_concurrent_processes(tmp_path: Path) -> None:
    path = tmp_path / "history.jsonl"
    ctx = multiprocessing.get_context("spawn")  # fork in a threaded process warns from Python 3.12 on
    procs = [ctx.Process(target=_append_many, args=(str(path), w, 50)) for w in range(8)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    lines = path.read_text(encoding="utf-8").split("\n")
    assert lines[-1] == ""
    records = [json.loads(line) for line in lines[:-1]]
    assert len(records) == 400
    assert sorted((r["worker"], r["i"]) for r in records) == [(w, i) for w in range(8) for i in range(50)]


# --- strict, named reading (issue 9) ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "cause"),
    [
        ('{"version": 1, "tests": {}, "tests": {"t": {"m": {"value": 1}}}}', "duplicate key 'tests'"),
        ('{"version": 1, "tests": {"t": {"m": {"value": 1, "value": 2}}}}', "duplicate key 'value'"),
        ('{"version": 1, "tests": {"t": {"m": {"value": 1' + "0" * 400 + "}}}}", "too large for a float"),
        ('{"version": 1, "tests": {"t": {"m": {"value": 1' + "0" * 5000 + "}}}}", "too large for a float"),
        ('{"version": 1, "tests": {"t": {"m": {"value": 1e999}}}}', "too large for a float"),
        ('{"version": 1, "tests": {"t": {"m": {"value": -1e999}}}}', "too large for a float"),
        ('{"version": 1, "x": ' + "[" * 100_000 + "]" * 100_000 + ', "tests": {}}', "nested deeper than"),
        ('{"version": 1, "x": ' + "{\"a\": " * 50 + "1" + "}" * 50 + ', "tests": {}}', "nested deeper than"),
    ],
)
def test_load_refuses_what_cannot_be_trusted_naming_file_and_cause(tmp_path: Path, text: str, cause: str) -> None:
    path = tmp_path / "baseline.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(BaselineError) as info:  # never RecursionError, OverflowError or a silent pass
        Baseline.load(path)
    assert str(path) in str(info.value)
    assert cause in str(info.value)
    assert len(str(info.value)) < 600


def test_brackets_inside_strings_do_not_count_as_nesting(tmp_path: Path) -> None:
    nodeid = "t.py::test[" + "[" * 100 + "]"
    path = _write(tmp_path / "b.json", _valid({nodeid: {"m": {"value": 1}}}))
    loaded = Baseline.load(path)
    assert loaded is not None and nodeid in loaded.entries


def test_load_missing_file_when_it_must_exist(tmp_path: Path) -> None:
    path = tmp_path / "typo.json"
    assert Baseline.load(path) is None
    with pytest.raises(BaselineError, match=r"typo\.json: does not exist"):
        Baseline.load(path, must_exist=True)


def test_load_dangling_link_and_directory_are_errors(tmp_path: Path) -> None:
    link = tmp_path / "baseline.json"
    link.symlink_to(tmp_path / "gone.json")
    with pytest.raises(BaselineError, match=r"baseline\.json: is a symbolic link to .*gone\.json.*does not exist"):
        Baseline.load(link)
    folder = tmp_path / "folder.json"
    folder.mkdir()
    with pytest.raises(BaselineError, match=r"folder\.json: cannot be read: it is a directory"):
        Baseline.load(folder)


def test_load_and_save_follow_a_symbolic_link(tmp_path: Path) -> None:
    (tmp_path / "store").mkdir()
    real = _write(tmp_path / "store" / "real.json", _valid())
    link = tmp_path / "baseline.json"
    link.symlink_to(Path("store") / "real.json")
    loaded = Baseline.load(link)
    assert loaded is not None and loaded.get("t.py::a", "accuracy") == BaselineEntry(0.95, 100)
    Baseline.merge_save(link, {"t.py::b": {"f1": BaselineEntry(0.5)}}, provenance=PROV)
    assert link.is_symlink()  # the link is kept ...
    stored = json.loads(real.read_text())["tests"]  # ... and its target updated
    assert set(stored) == {"t.py::a", "t.py::b"}
    assert sorted(os.listdir(tmp_path / "store")) == ["real.json"]


# --- merge_save and stable precision (issue 9, issue 8 item 4) ---------------------------------


def test_merge_save_gives_each_test_exactly_its_metrics_keeps_others_and_drops(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "b.json",
        _valid({"t::a": {"x": {"value": 1}, "y": {"value": 2}}, "t::b": {"z": {"value": 3}}, "t::gone": {"q": {"value": 4}}}),
    )
    merged = Baseline.merge_save(path, {"t::a": {"x": BaselineEntry(1.5)}, "t::c": {"w": BaselineEntry(5)}},
                                 provenance={"commit": "new"}, drop=["t::gone"])
    loaded = Baseline.load(path)
    assert loaded is not None
    assert loaded.entries == merged.entries == {
        "t::a": {"x": BaselineEntry(1.5)},
        "t::b": {"z": BaselineEntry(3.0)},
        "t::c": {"w": BaselineEntry(5.0)},
    }
    assert loaded.provenance == {"commit": "new"}


def test_values_are_stored_with_six_significant_digits(tmp_path: Path) -> None:
    path = tmp_path / "b.json"
    Baseline.merge_save(
        path, {"t::a": {"acc": BaselineEntry(0.1 + 0.2, 10, (0.123456789, 1 / 3), 0.95), "big": BaselineEntry(2 / 3 * 1e9)}},
        provenance=PROV,
    )
    text = path.read_text()
    assert '"value": 0.3' in text and "0.30000000000000004" not in text
    assert "0.123457" in text and "0.333333" in text
    assert "666667000" in text
    loaded = Baseline.load(path)
    assert loaded is not None and loaded.get("t::a", "acc") == BaselineEntry(0.3, 10, (0.123457, 0.333333), 0.95)


def test_a_change_below_the_stored_precision_is_no_change(tmp_path: Path) -> None:
    path = tmp_path / "b.json"
    Baseline.merge_save(path, {"t::a": {"acc": BaselineEntry(0.9234567)}}, provenance={"commit": "first"})
    before = path.read_text()
    mtime = path.stat().st_mtime_ns
    for value in (0.9234567, 0.92345699, 0.9234572):
        Baseline.merge_save(path, {"t::a": {"acc": BaselineEntry(value)}}, provenance={"commit": "second"})
        assert path.read_text() == before  # same value, same provenance: nothing rewritten
    assert path.stat().st_mtime_ns == mtime
    Baseline.merge_save(path, {"t::a": {"acc": BaselineEntry(0.9235)}}, provenance={"commit": "third"})
    loaded = Baseline.load(path)
    assert loaded is not None and loaded.provenance == {"commit": "third"} and loaded.get("t::a", "acc") == BaselineEntry(0.9235)
    # and the regression gate treats a rerun of the stored value as unchanged at tolerance 0
    stored = BaselineEntry(0.923457)
    verdict = judge_regression("acc", 0.9234567, stored, higher_is_better=True, tolerance=Tolerance(0.0),
                               baseline_ref="", n=None)
    assert verdict.status == PASS


def test_intervals_are_stored_only_for_metrics_that_have_one(tmp_path: Path) -> None:
    from pytest_mlgate.baseline import entries_from_results

    result = TestResult(nodeid="t::a", metrics={
        "acc": MetricRecord("acc", 0.9, n=10, interval=(0.8, 0.95), confidence=0.95),
        "f1": MetricRecord("f1", 0.8, n=10, confidence=0.95),
    })
    entries = entries_from_results([result, TestResult(nodeid="t::empty")])
    assert entries == {"t::a": {"acc": BaselineEntry(0.9, 10, (0.8, 0.95), 0.95), "f1": BaselineEntry(0.8, 10)}}


def _merge_worker(args: tuple[str, int, int]) -> None:
    path, worker, rounds = args
    for r in range(rounds):
        Baseline.merge_save(path, {f"t::w{worker}": {"round": BaselineEntry(float(r))}}, provenance={"w": worker})


def test_concurrent_merge_saves_keep_every_update(tmp_path: Path) -> None:
    path = tmp_path / "b.json"
    workers, rounds = 4, 15
    with multiprocessing.get_context("spawn").Pool(workers) as pool:
        pool.map(_merge_worker, [(str(path), w, rounds) for w in range(workers)])
    loaded = Baseline.load(path)
    assert loaded is not None
    assert loaded.entries == {f"t::w{w}": {"round": BaselineEntry(float(rounds - 1))} for w in range(workers)}
    assert sorted(os.listdir(tmp_path)) == ["b.json"]  # no lock or temp file left


# --- history: whole lines or nothing (issue 9) ---------------------------------------------------


def test_append_history_starts_on_a_fresh_line(tmp_path: Path) -> None:
    path = tmp_path / "h.jsonl"
    path.write_bytes(b'{"torn": ')
    append_history(path, {"a": 1})
    assert path.read_bytes() == b'{"torn": \n{"a":1}\n'


def test_append_history_cuts_back_a_short_write(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "h.jsonl"
    append_history(path, {"run": 1})
    before = path.read_bytes()
    real_write = os.write
    calls = []

    def full_disk(fd: int, data: object) -> int:
        calls.append(fd)
        if len(calls) == 1:
            return real_write(fd, bytes(memoryview(data))[:5])  # type: ignore[arg-type]  # a short write ...
        raise OSError(28, "No space left on device")  # ... then the disk is full

    monkeypatch.setattr(os, "write", full_disk)
    with pytest.raises(OSError, match=r"No space left on device: '.*h\.jsonl'"):
        append_history(path, {"run": 2, "payload": "x" * 100})
    monkeypatch.undo()
    assert path.read_bytes() == before  # no torn line
    append_history(path, {"run": 3})
    assert [json.loads(line) for line in path.read_text().splitlines()] == [{"run": 1}, {"run": 3}]
