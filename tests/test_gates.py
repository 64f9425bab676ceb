"""Gates: parsing marker arguments and judging values, without pytest in between."""

from __future__ import annotations

import math

import pytest

from pytest_mlgate.gates import Gate, GateSpecError, parse_gate
from pytest_mlgate.metrics import MetricRegistry
from pytest_mlgate.results import FAIL, PASS, WARN

direction = MetricRegistry.default().direction


@pytest.mark.parametrize(
    ("metric", "spec", "op", "threshold"),
    [
        ("accuracy", 0.9, ">=", 0.9),
        ("log_loss", 0.3, "<=", 0.3),
        ("anything", ">=0.9", ">=", 0.9),
        ("anything", "> 0.9", ">", 0.9),
        ("anything", "<=2e-3", "<=", 0.002),
        ("anything", " < .5 ", "<", 0.5),
        ("rmse", 10, "<=", 10.0),
    ],
)
def test_parse(metric: str, spec: object, op: str, threshold: float) -> None:
    gate = parse_gate(metric, spec, direction=direction)
    assert (gate.metric, gate.op, gate.threshold) == (metric, op, threshold)


@pytest.mark.parametrize(
    ("spec", "kwargs", "message"),
    [
        (0.9, {}, "direction of metric 'mystery' is unknown"),
        ("~0.9", {}, "cannot parse"),
        ("=>0.9", {}, "cannot parse"),
        (True, {}, "expected a number"),
        ([0.9], {}, "expected a number"),
        (float("nan"), {}, "finite"),
        (">=0.9", {"severity": "error"}, "severity='error'"),
        (">=0.9", {"confidence": 1}, "strictly between 0 and 1"),
        (">=0.9", {"confidence": "95%"}, "strictly between 0 and 1"),
        (">=0.9", {"slices": "yes"}, "slices='yes'"),
    ],
)
def test_parse_errors(spec: object, kwargs: dict, message: str) -> None:
    with pytest.raises(GateSpecError, match=message):
        parse_gate("mystery", spec, direction=direction, **kwargs)


def test_judge_point_value() -> None:
    gate = Gate("accuracy", ">=", 0.9)
    assert gate.judge(0.9, n=100).status == PASS
    failed = gate.judge(0.89, n=100)
    assert failed.status == FAIL and failed.message == "accuracy = 0.89 (n=100) fails >= 0.9"
    assert Gate("accuracy", ">", 0.9).judge(0.9).status == FAIL
    assert Gate("loss", "<", 0.2).judge(0.2).status == FAIL
    assert Gate("loss", "<=", 0.2).judge(0.2).status == PASS


def test_judge_fails_closed() -> None:
    gate = Gate("accuracy", ">=", 0.5)
    assert gate.judge(None).status == FAIL
    assert gate.judge(math.nan).status == FAIL
    assert Gate("rmse", "<=", 5.0).judge(-math.inf).status == FAIL


def test_warn_severity_and_warn_only_are_the_policys_to_apply() -> None:
    from pytest_mlgate.policy import StatusPolicy

    raw = Gate("accuracy", ">=", 0.9, severity="warn").judge(0.5)
    assert raw.status == FAIL  # the gate judges; the policy decides what only warns
    assert StatusPolicy().apply(raw).status == WARN
    assert StatusPolicy(warn_only=True).apply(Gate("accuracy", ">=", 0.9).judge(0.5)).status == WARN
    assert StatusPolicy().apply(Gate("accuracy", ">=", 0.9).judge(0.5)).status == FAIL
    assert StatusPolicy().apply(Gate("accuracy", ">=", 0.9, severity="warn").judge(None)).status == WARN
    assert StatusPolicy(warn_only=True).apply(Gate("accuracy", ">=", 0.9).judge(0.95)).status == PASS


def test_confidence_judges_the_bound() -> None:
    gate = Gate("accuracy", ">=", 0.9, confidence=0.95)
    ok = gate.judge(0.95, interval=(0.91, 0.98), n=400)
    assert ok.status == PASS and ok.judged == 0.91
    lucky = gate.judge(0.93, interval=(0.88, 0.97), n=100)
    assert lucky.status == FAIL and lucky.judged == 0.88
    assert "accuracy = 0.93, one-sided lower 95% bound 0.88 (n=100) fails >= 0.9" == lucky.message
    upper = Gate("log_loss", "<=", 0.3, confidence=0.9).judge(0.25, interval=(0.2, 0.35))
    assert upper.status == FAIL and upper.judged == 0.35 and "one-sided upper 90% bound 0.35" in upper.message
    no_interval = gate.judge(0.99)
    assert no_interval.status == FAIL and "needs a bootstrap interval, and this metric has none" in no_interval.message
    undefined = gate.judge(0.99, interval=(float("nan"), float("nan")))
    assert undefined.status == FAIL and "this metric's is undefined" in undefined.message


# --- fail closed on thresholds that cannot be judged (issue 9) ------------------------------


@pytest.mark.parametrize(
    ("spec", "cause"),
    [
        (math.inf, "finite"),
        (-math.inf, "finite"),
        (math.nan, "finite"),
        (">=-1e999", "finite number, got -inf"),
        ("<=1e999", "finite number, got inf"),
        (">1e999", "finite"),
        (10**400, "too large for a float"),
        (-(10**400), "too large for a float"),
    ],
)
def test_non_finite_or_overflowing_thresholds_are_gate_spec_errors(spec: object, cause: str) -> None:
    with pytest.raises(GateSpecError, match="accuracy=") as info:
        parse_gate("accuracy", spec, direction=direction)
    assert cause in str(info.value)
    assert len(str(info.value)) < 300  # a 400-digit literal is not echoed back


def test_numpy_thresholds_are_numbers() -> None:
    import numpy as np

    assert parse_gate("accuracy", np.float32(0.5), direction=direction).threshold == 0.5
    assert parse_gate("rmse", np.int64(3), direction=direction).threshold == 3.0


@pytest.mark.parametrize("confidence", [math.inf, math.nan, 10**400, -(10**400), 1, 0, "0.9", True])
def test_confidence_must_be_a_finite_number_in_the_open_unit_interval(confidence: object) -> None:
    with pytest.raises(GateSpecError, match="strictly between 0 and 1"):
        parse_gate("accuracy", 0.9, direction=direction, confidence=confidence)


def test_confidence_on_a_metric_with_no_sound_bound_is_a_usage_error() -> None:
    from pytest_mlgate.metrics import MetricRegistry

    registry = MetricRegistry.default()
    kwargs = {"direction": registry.direction, "can_bound": registry.can_bound}
    for name in ("max_error", "neg_max_error", "max_error[sex=F]", "max_error_gap", "train_max_error"):
        with pytest.raises(GateSpecError, match="no sound confidence bound"):
            parse_gate(name, 5.0 if name != "neg_max_error" else -5.0, confidence=0.95, **kwargs)
        assert parse_gate(name, 5.0, **kwargs).confidence is None  # without confidence= it is fine
    assert parse_gate("mae", 1.0, confidence=0.95, **kwargs).confidence == 0.95
    assert parse_gate("max_error", 1.0, confidence=0.95, direction=registry.direction).confidence == 0.95
