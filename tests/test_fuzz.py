"""Property-based fuzzing of the gate parser, ``evaluate`` and ``detect_drift`` (issue 9 item 9).

Whatever the input: only the documented exceptions (GateSpecError, ValueError, TypeError), and
never a PASS on missing, NaN or infinite input. Example counts are bounded to keep the file fast.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_mlgate import detect_drift
from pytest_mlgate.gates import GateSpecError, parse_gate
from pytest_mlgate.metrics import MetricRegistry, evaluate
from pytest_mlgate.results import PASS

REGISTRY = MetricRegistry.default()
FUZZ = settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])

# ---------------------------------------------------------------------------- the gate parser

numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**500), max_value=10**500),
)
number_texts = st.one_of(
    numbers.map(repr),
    st.from_regex(r"\A[-+]?\d{1,400}(\.\d{0,5})?([eE][-+]?\d{1,4})?\Z"),
    st.sampled_from(["1e999", "-1e999", "1e308", "inf", "nan", "-0", ".5", "5."]),
)
specs = st.one_of(
    numbers,
    st.tuples(st.sampled_from([">=", ">", "<=", "<", "=", "", " >= "]), number_texts).map("".join),
    st.text(max_size=20),
    st.none(),
    st.booleans(),
    st.lists(st.floats(), max_size=2),
)


@FUZZ
@given(metric=st.sampled_from(["accuracy", "log_loss", "latency_ms"]), spec=specs, confidence=st.one_of(st.none(), numbers))
def test_parse_gate_raises_only_gate_spec_errors_and_every_gate_is_finite(metric: str, spec: Any, confidence: Any) -> None:
    try:
        gate = parse_gate(metric, spec, direction=REGISTRY.direction, confidence=confidence)
    except GateSpecError as exc:
        assert str(exc)  # a message, never an empty error
        return
    assert math.isfinite(gate.threshold)
    assert gate.confidence is None or 0 < gate.confidence < 1
    for value in (None, math.nan, math.inf, -math.inf):
        interval = (0.0, 1.0) if gate.confidence is not None else None
        assert gate.judge(value, interval=interval).status != PASS, (gate, value)


# ---------------------------------------------------------------------------- evaluate

values = st.one_of(
    st.floats(min_value=-1e300, max_value=1e300),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-3, max_value=3),
    st.sampled_from([None, "a", "b", pd.NA, 10**400, [1, 2]]),
)


def _bad(v: Any) -> bool:
    if v is None or v is pd.NA:
        return True
    return isinstance(v, float) and not math.isfinite(v)


@FUZZ
@given(
    data=st.lists(st.tuples(values, values), min_size=0, max_size=30),
    metrics=st.one_of(st.none(), st.sampled_from([["accuracy"], ["r2", "rmse", "mse"], ["mae"], ["f1", "accuracy"]])),
)
def test_evaluate_raises_only_documented_errors_and_never_passes_bad_input(data: list, metrics: Any) -> None:
    y_true = np.array([t for t, _ in data], dtype=object) if data else []
    y_pred = np.array([p for _, p in data], dtype=object) if data else []
    try:
        ev = evaluate(REGISTRY, y_true=y_true, y_pred=y_pred, metrics=metrics)
    except (ValueError, TypeError) as exc:
        assert str(exc).startswith("evaluate: ") or "metric " in str(exc), exc
        return
    assert data, "empty input must be an error"
    assert not any(_bad(t) or _bad(p) for t, p in data), f"missing/NaN/inf input gave {ev.values}"
    gate_of = {name: parse_gate(name, "<=1e308" if not REGISTRY.direction(name) else ">=-1e308",
                                direction=REGISTRY.direction) for name in ev.values}
    for name, value in ev.values.items():
        if not math.isfinite(value):  # an undefined metric (one class, say) must fail its gate
            assert gate_of[name].judge(value).status != PASS


@FUZZ
@given(
    scale=st.sampled_from([1e-300, 1e-150, 1e-5, 1.0, 1e5, 1e80, 1e150, 1e300]),
    base=st.lists(st.floats(min_value=-1.0, max_value=1.0), min_size=3, max_size=40),
    noise=st.floats(min_value=0.0, max_value=1.0),
)
def test_evaluate_regression_is_finite_or_a_clear_error_at_every_scale(scale: float, base: list, noise: float) -> None:
    y = np.array(base) * scale
    pred = (np.array(base) + noise * np.cos(np.arange(len(base)))) * scale
    try:
        ev = evaluate(REGISTRY, y_true=y, y_pred=pred, metrics=["r2", "explained_variance", "mae", "rmse", "mse",
                                                                 "median_ae", "max_error"])
    except (ValueError, TypeError) as exc:
        assert "too large for a float" in str(exc) or str(exc).startswith("evaluate: "), exc
        return
    for name, value in ev.values.items():
        assert not math.isinf(value), (name, value)
        if name not in ("r2", "explained_variance"):
            assert math.isfinite(value), (name, value)


# ---------------------------------------------------------------------------- detect_drift

columns = st.lists(
    st.one_of(st.floats(min_value=-1e6, max_value=1e6), st.floats(allow_nan=True, allow_infinity=True), st.none()),
    min_size=0,
    max_size=40,
)


def _all_bad(col: list) -> bool:
    return all(v is None or not math.isfinite(v) for v in col)


@FUZZ
@given(reference=columns, current=columns, method=st.sampled_from(["auto", "ks", "psi", "wasserstein", "chisquare"]))
def test_detect_drift_raises_only_documented_errors_and_never_passes_all_missing_input(
    reference: list, current: list, method: str
) -> None:
    ref = pd.DataFrame({"x": pd.Series(reference, dtype=float)})
    cur = pd.DataFrame({"x": pd.Series(current, dtype=float)})
    try:
        report = detect_drift(ref, cur, method=method)
    except (ValueError, TypeError) as exc:
        assert str(exc), exc
        return
    assert not _all_bad(reference) and not _all_bad(current), "a side with no usable value cannot pass"
    column = report.columns[0]
    if column.statistic is not None and not math.isfinite(column.statistic):
        assert column.drifted, "a statistic that cannot be computed is a failure, never 'not drifted'"


cells = st.one_of(st.text(max_size=3), st.none(), st.sampled_from([pd.NA, math.nan, [1], {"k": 1}, 1, True]))


@FUZZ
@given(reference=st.lists(cells, min_size=0, max_size=30), current=st.lists(cells, min_size=0, max_size=30))
def test_detect_drift_on_odd_object_columns_raises_only_documented_errors(reference: list, current: list) -> None:
    ref = pd.DataFrame({"c": pd.Series(reference, dtype=object)})
    cur = pd.DataFrame({"c": pd.Series(current, dtype=object)})
    try:
        report = detect_drift(ref, cur)
    except (ValueError, TypeError) as exc:
        message = str(exc)
        assert "unhashable type" not in message or "column 'c'" in message, message
        return
    assert report.columns[0].name == "c"
    assert not all(v is None or v is pd.NA or (isinstance(v, float) and v != v) for v in reference)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf, None])
def test_a_current_side_of_nothing_but_bad_values_is_an_error(bad: Any) -> None:
    with pytest.raises(ValueError, match="all missing"):
        detect_drift(pd.DataFrame({"x": np.arange(50.0)}), pd.DataFrame({"x": pd.Series([bad] * 50, dtype=float)}))


# ---------------------------------------------------------------------------- profile sketches

finite_floats = st.floats(allow_nan=False, allow_infinity=False, width=64)


@FUZZ
@given(
    values=st.lists(finite_floats, min_size=1, max_size=40),
    repeat=st.integers(min_value=1, max_value=400),
    extra=st.lists(st.floats(allow_nan=True, allow_infinity=True), max_size=20),
)
def test_sorted_chunk_sketches_keep_exact_counts_extremes_and_bounded_ranks(values: list, repeat: int, extra: list) -> None:
    from pytest_mlgate.profile import Profile, profile

    g = np.random.default_rng(repeat)
    x = np.asarray(values * repeat + extra, dtype=np.float64)  # few distinct values, repeated past a chunk
    x = x[g.permutation(x.size)]
    col = profile(pd.DataFrame({"x": x}))["x"]
    fin = np.sort(x[np.isfinite(x)])
    assert col.rows == x.size and col.missing == x.size - fin.size
    assert int(col.sketch.n) == fin.size
    assert (col.sketch.get_min_value(), col.sketch.get_max_value()) == (fin[0], fin[-1])
    assert col.moments.min == fin[0] and col.moments.max == fin[-1]
    distinct, counts = np.unique(fin, return_counts=True)
    if distinct.size <= 64:
        assert col.values == {float(v): int(c) for v, c in zip(distinct, counts)}
    else:
        assert col.values is None
    points = np.unique(fin)
    true = np.searchsorted(fin, points, side="right") / fin.size
    est = np.asarray(col.sketch.get_cdf(points, True))[:-1]
    assert np.max(np.abs(est - true)) <= max(col.rank_error, 0.0) + 1e-12
    again = Profile.from_json(col_json := profile(pd.DataFrame({"x": x})).to_json())
    assert int(again["x"].sketch.n) == fin.size and col_json["columns"][0]["sketch_var"] >= 0
