"""The picture summaries: right against scikit-learn and numpy, compact, and bounded per test."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import confusion_matrix, roc_curve

from pytest_mlgate.drift import detect_drift
from pytest_mlgate.metrics import MetricRegistry, evaluate
from pytest_mlgate.summaries import (
    CURVE_POINTS,
    PLOTS_LIMIT,
    add_plot,
    baseline_plots,
    classification_summary,
    compare_summary,
    drift_summary,
    evaluation_summary,
    fit_plots,
    plots_size,
    regression_summary,
)


def prepared(**kwargs):
    return evaluate(MetricRegistry.default(), **kwargs).prepared


def binary_data(n=2000, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    score = np.clip(0.5 * y + rng.normal(0.25, 0.25, n), 0, 1)
    return y, (score >= 0.5).astype(int), score


def test_confusion_counts_match_scikit_learn():
    y, pred, score = binary_data()
    s = classification_summary(prepared(y_true=y, y_pred=pred, y_score=score))
    assert s["confusion"] == confusion_matrix(y, pred).tolist()
    assert s["classes"] == ["0", "1"]
    assert s["n"] == len(y)


def test_roc_points_lie_on_scikit_learns_curve_and_are_downsampled():
    y, pred, score = binary_data()
    s = classification_summary(prepared(y_true=y, y_pred=pred, y_score=score))
    roc = s["curves"]["1"]["roc"]
    assert 2 <= len(roc["x"]) <= CURVE_POINTS
    assert (roc["x"][0], roc["y"][0]) == (0.0, 0.0) and (roc["x"][-1], roc["y"][-1]) == (1.0, 1.0)
    fpr, tpr, _ = roc_curve(y, score)
    for x, v in zip(roc["x"], roc["y"]):  # every kept point is one of scikit-learn's (5 digits)
        assert np.min(np.abs(fpr - x) + np.abs(tpr - v)) < 1e-4
    pr = s["curves"]["1"]["pr"]
    assert pr["x"] == sorted(pr["x"])  # recall rising


def test_operating_point_is_the_predictions_rates():
    y, pred, score = binary_data()
    op = classification_summary(prepared(y_true=y, y_pred=pred, y_score=score))["operating_point"]
    tn, fp, fn, tp = confusion_matrix(y, pred).ravel()
    assert op["fpr"] == pytest.approx(fp / (fp + tn), abs=1e-4)
    assert op["tpr"] == pytest.approx(tp / (tp + fn), abs=1e-4)
    assert op["precision"] == pytest.approx(tp / (tp + fp), abs=1e-4)


def test_calibration_bins_count_every_row_and_average_right():
    y, pred, score = binary_data()
    cal = classification_summary(prepared(y_true=y, y_pred=pred, y_score=score))["calibration"]
    assert sum(cal["count"]) == len(y)
    top = np.minimum((score * 10).astype(int), 9) == 9
    assert cal["fraction_positive"][-1] == pytest.approx(y[top].mean(), abs=1e-4)
    assert cal["mean_predicted"][-1] == pytest.approx(score[top].mean(), abs=1e-4)


def test_multiclass_has_one_vs_rest_curves_and_top_label_calibration():
    rng = np.random.default_rng(1)
    y = rng.integers(0, 3, 600)
    proba = rng.dirichlet([1, 1, 1], 600)
    proba[np.arange(600), y] += 1
    proba /= proba.sum(axis=1, keepdims=True)
    s = classification_summary(prepared(y_true=y, y_score=proba, y_pred=proba.argmax(axis=1)))
    assert set(s["curves"]) == {"0", "1", "2"}
    assert s["calibration"]["top_label"] is True
    assert np.asarray(s["confusion"]).sum() == 600


def test_regression_summary_bins_every_row_and_stores_no_prediction():
    rng = np.random.default_rng(2)
    actual = rng.normal(100, 20, 50_000)
    pred = actual + rng.normal(0, 5, 50_000)
    s = regression_summary(prepared(y_true=actual, y_pred=pred))
    assert sum(c[2] for c in s["grid"]["cells"]) == 50_000
    assert sum(s["residual_hist"]["counts"]) == 50_000
    assert sum(s["band"]["count"]) == 50_000
    resid = actual - pred
    assert s["residual_quantiles"]["0.5"] == pytest.approx(np.median(resid), rel=1e-3, abs=1e-3)
    assert s["residual_quantiles"]["0.95"] == pytest.approx(np.quantile(resid, 0.95), rel=1e-3)
    assert len(json.dumps(s)) < 20_000  # fixed size, whatever the number of rows


def test_evaluation_summary_picks_the_task():
    y, pred, score = binary_data(200)
    assert evaluation_summary(prepared(y_true=y, y_pred=pred))["kind"] == "classification"
    assert evaluation_summary(prepared(y_true=score, y_pred=score * 2))["kind"] == "regression"


def test_compare_summary_holds_both_models_and_the_difference():
    y, pred, score = binary_data(500)
    a = prepared(y_true=y, y_pred=pred, y_score=score)
    b = prepared(y_true=y, y_pred=1 - pred, y_score=1 - score)
    s = compare_summary(a, b, {"metric": "roc_auc", "difference": 0.1, "interval": [0.05, 0.15],
                               "confidence": 0.95, "max_drop": 0.01, "verdict": "pass"})
    assert s["candidate"]["curves"] and s["baseline_model"]["curves"]
    assert s["interval"] == [0.05, 0.15] and s["verdict"] == "pass"


def drifted_frames():
    rng = np.random.default_rng(3)
    ref = pd.DataFrame({"age": rng.normal(40, 5, 800), "city": rng.choice(["a", "b", "c"], 800),
                        "same": rng.normal(0, 1, 800)})
    cur = pd.DataFrame({"age": rng.normal(50, 5, 700), "city": rng.choice(["a", "b", "z"], 700),
                        "same": rng.normal(0, 1, 700)})
    cur.loc[:9, "age"] = np.nan
    return ref, cur


def test_drift_summary_draws_drifted_columns_with_their_categories():
    ref, cur = drifted_frames()
    report = detect_drift(ref, cur)
    s = drift_summary(report, ref, cur)
    names = [c["name"] for c in s["columns"]]
    assert set(names) == {"age", "city"}
    age = next(c for c in s["columns"] if c["name"] == "age")
    assert sum(age["reference"]) == 800 and sum(age["current"]) == 690  # missing rows left out
    assert len(age["edges"]) == len(age["reference"]) + 1
    city = next(c for c in s["columns"] if c["name"] == "city")
    assert city["new"] == ["z"] and city["vanished"] == ["c"]
    assert sum(city["current"]) == 700
    everything = drift_summary(report, ref, cur, all_columns=True)
    assert [c["name"] for c in everything["columns"]][-1] == "same"


def test_add_plot_never_overwrites_and_the_bound_holds():
    plots: dict = {}
    assert add_plot(plots, "evaluate", {"kind": "regression"}) == "evaluate"
    assert add_plot(plots, "evaluate", {"kind": "regression"}) == "evaluate_2"
    big = {"kind": "classification", "curves": {str(i): {"roc": {"x": list(range(2000)), "y": list(range(2000))}}
                                                for i in range(20)}}
    add_plot(plots, "huge", big)
    assert plots_size(plots) <= PLOTS_LIMIT
    assert plots["evaluate"] == {"kind": "regression"}  # the small ones are kept


def test_fit_plots_marks_what_it_leaves_out():
    plots = {"a": {"kind": "drift", "blob": "x" * 5000}, "b": {"kind": "drift", "blob": "y" * 5000}}
    fit_plots(plots, limit=6000)
    assert plots_size(plots) <= 6000
    assert "omitted" in plots["b"] and plots["a"]["blob"] == "x" * 5000
    with pytest.raises(ValueError, match="limit"):
        fit_plots(plots, limit=0)


def test_baseline_keeps_curves_not_grids_or_drift():
    rng = np.random.default_rng(4)
    actual = rng.normal(0, 1, 300)
    plots = {"evaluate": regression_summary(prepared(y_true=actual, y_pred=actual * 0.9)),
             "drift": {"kind": "drift", "columns": []}}
    kept = baseline_plots(plots)
    assert set(kept) == {"evaluate"}
    assert "residual_hist" in kept["evaluate"] and "grid" not in kept["evaluate"]


def test_non_finite_scores_are_left_out_of_the_curves_and_calibration():
    from pytest_mlgate.metrics import Prepared

    y, pred, score = binary_data(300)
    score[:10] = np.nan
    s = classification_summary(Prepared(task="binary", y_true=y, y_pred=pred, y_score=score, score_is_proba=True,
                                        classes=np.array([0, 1])))
    assert sum(s["calibration"]["count"]) == 290
    assert None not in s["curves"]["1"]["roc"]["x"]
    json.dumps(s, allow_nan=False)  # strict JSON
