"""Tests of pytest_mlgate.stats: point estimates, resampling, intervals, paired tests."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from scipy.stats import binomtest
from sklearn import metrics as skm
from sklearn.datasets import load_breast_cancer, load_diabetes, load_wine
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.preprocessing import StandardScaler, label_binarize

from pytest_mlgate import stats
from pytest_mlgate.stats import (
    METRICS,
    bootstrap_intervals,
    mcnemar_exact,
    paired_bootstrap,
)

CLASSIFICATION = list(METRICS["classification"])
REGRESSION = list(METRICS["regression"])


def sklearn_metric(name, task, y_true, y_pred, y_score, sample_weight, k):
    """The scikit-learn call each metric name is defined as; nan where it raises."""
    kw = {} if sample_weight is None else {"sample_weight": sample_weight}
    binary = task == "binary"
    avg = {"average": "binary", "pos_label": 1} if binary else {
        "average": "macro", "labels": list(range(k))}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            if name == "accuracy":
                return skm.accuracy_score(y_true, y_pred, **kw)
            if name == "balanced_accuracy":
                return skm.balanced_accuracy_score(y_true, y_pred, **kw)
            if name in ("precision", "recall", "f1"):
                fn = getattr(skm, f"{name}_score")
                return fn(y_true, y_pred, zero_division=0, **avg, **kw)
            if name in ("f1_macro", "f1_micro", "f1_weighted", "precision_macro", "recall_macro"):
                base, average = name.split("_")
                fn = getattr(skm, f"{base}_score")
                labels = list(range(k))
                return fn(y_true, y_pred, average=average, labels=labels, zero_division=0, **kw)
            if name == "roc_auc":
                if binary:
                    return skm.roc_auc_score(y_true, y_score, **kw)
                return skm.roc_auc_score(y_true, y_score, multi_class="ovr", **kw)
            if name == "average_precision":
                if binary:
                    return skm.average_precision_score(y_true, y_score, **kw)
                y_bin = label_binarize(y_true, classes=range(k))
                return skm.average_precision_score(y_bin, y_score, average="macro", **kw)
            if name == "log_loss":
                return skm.log_loss(y_true, y_score, labels=range(k), **kw)
            if name == "brier_score":
                if binary:
                    return skm.brier_score_loss(y_true, y_score, **kw)
                return skm.brier_score_loss(y_true, y_score, labels=range(k), **kw)
            if name == "matthews_corrcoef":
                return skm.matthews_corrcoef(y_true, y_pred, **kw)
            if name == "cohen_kappa":
                return skm.cohen_kappa_score(y_true, y_pred, **kw)
            regression = {
                "r2": skm.r2_score,
                "explained_variance": skm.explained_variance_score,
                "mae": skm.mean_absolute_error,
                "mse": skm.mean_squared_error,
                "rmse": skm.root_mean_squared_error,
                "mape": skm.mean_absolute_percentage_error,
                "median_ae": skm.median_absolute_error,
            }
            if name == "max_error":
                return skm.max_error(y_true, y_pred)
            return regression[name](y_true, y_pred, **kw)
        except ValueError:
            return math.nan


@pytest.fixture(scope="module")
def binary_data():
    x, y = load_breast_cancer(return_X_y=True)
    x = StandardScaler().fit_transform(x)
    model = LogisticRegression(C=0.05, max_iter=2000).fit(x[::2], y[::2])
    score = np.round(model.predict_proba(x)[:, 1], 3)  # rounding creates ties
    return {"y_true": y, "y_pred": model.predict(x), "y_score": score, "k": 2}


@pytest.fixture(scope="module")
def multiclass_data():
    x, y = load_wine(return_X_y=True)
    x = StandardScaler().fit_transform(x)
    model = LogisticRegression(C=0.02, max_iter=2000).fit(x[::3], y[::3])
    return {"y_true": y, "y_pred": model.predict(x), "y_score": model.predict_proba(x), "k": 3}


@pytest.fixture(scope="module")
def regression_data():
    x, y = load_diabetes(return_X_y=True)
    pred = LinearRegression().fit(x[::2], y[::2]).predict(x)
    return {"y_true": y, "y_pred": pred}


def _weights(n, seed=3):
    return np.random.default_rng(seed).uniform(0.2, 3.0, n)


def _point(names, task, d, sample_weight):
    data = stats._Data(task, d["y_true"], d["y_pred"], d.get("y_score"), None, sample_weight)
    return stats._evaluate(data, names, stats._ones_counts(data.n))


# --------------------------------------------------------------------------- point values


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("task", ["binary", "multiclass"])
def test_classification_point_estimates_equal_sklearn(
    task, weighted, binary_data, multiclass_data
):
    d = binary_data if task == "binary" else multiclass_data
    sw = _weights(len(d["y_true"])) if weighted else None
    got = _point(CLASSIFICATION, task, d, sw)
    for name in CLASSIFICATION:
        want = sklearn_metric(name, task, d["y_true"], d["y_pred"], d["y_score"], sw, d["k"])
        assert got[name][0] == pytest.approx(want, abs=1e-9, rel=0), name


@pytest.mark.parametrize("weighted", [False, True])
def test_regression_point_estimates_equal_sklearn(weighted, regression_data):
    d = regression_data
    sw = _weights(len(d["y_true"])) if weighted else None
    got = _point(REGRESSION, "regression", d, sw)
    for name in REGRESSION:
        want = sklearn_metric(name, "regression", d["y_true"], d["y_pred"], None, sw, 0)
        assert got[name][0] == pytest.approx(want, abs=1e-9, rel=0), name


def test_multiclass_brier_matches_sklearn_unhalved_sum(multiclass_data):
    d = multiclass_data
    onehot = np.eye(3)[d["y_true"]]
    expected = np.mean(np.sum((onehot - d["y_score"]) ** 2, axis=1))
    got = _point(["brier_score"], "multiclass", d, None)["brier_score"][0]
    assert got == pytest.approx(expected, abs=1e-12)


# --------------------------------------------------------------------------- vs a plain loop


def _loop_interval(names, task, d, sw, n_resamples, seed, confidence=0.9):
    """Replicates and jackknife by calling scikit-learn on each resample, then intervals."""
    yt, yp, ys = d["y_true"], d["y_pred"], d.get("y_score")
    data = stats._Data(task, yt, yp, ys, None, sw)
    rows_all = data.perm[stats._resample_indices(data.n, n_resamples, seed)]
    k = d.get("k", 0)

    def metric(name, rows):
        return sklearn_metric(
            name, task, yt[rows], yp[rows], None if ys is None else ys[rows],
            None if sw is None else sw[rows], k,
        )

    out = {}
    for name in names:
        theta = metric(name, np.arange(data.n))
        reps = np.array([metric(name, rows) for rows in rows_all])
        jack = None
        if data.n <= stats.BCA_MAX_N:
            jack = np.array(
                [metric(name, np.delete(np.arange(data.n), data.perm[i])) for i in range(data.n)]
            )
        out[name] = stats._interval(theta, reps, jack, confidence)
    return out


def _subset(d, rows):
    return {key: (v[rows] if isinstance(v, np.ndarray) else v) for key, v in d.items()}


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("task", ["binary", "multiclass", "regression"])
def test_vectorised_intervals_equal_sklearn_loop(
    task, weighted, binary_data, multiclass_data, regression_data, monkeypatch
):
    monkeypatch.setattr(stats, "CHUNK_ELEMENTS", 3000)  # several bootstrap/jackknife chunks
    d = {"binary": binary_data, "multiclass": multiclass_data, "regression": regression_data}[
        task
    ]
    d = _subset(d, np.arange(0, len(d["y_true"]), 3))  # n = 60..190, keeps the loop fast
    names = REGRESSION if task == "regression" else CLASSIFICATION
    sw = _weights(len(d["y_true"]), seed=5) if weighted else None
    got = bootstrap_intervals(
        names, y_true=d["y_true"], y_pred=d["y_pred"], y_score=d.get("y_score"), task=task,
        sample_weight=sw, n_resamples=25, confidence=0.9, seed=11,
    )
    want = _loop_interval(names, task, d, sw, 25, 11)
    for name in names:
        np.testing.assert_allclose(got[name], want[name], atol=1e-9, rtol=0, err_msg=name)


def test_replicates_equal_sklearn_loop_large_n_chunked(monkeypatch, binary_data):
    """Several chunks, percentile path (n > BCA_MAX_N is simulated by lowering it)."""
    monkeypatch.setattr(stats, "BCA_MAX_N", 10)
    monkeypatch.setattr(stats, "CHUNK_ELEMENTS", 1500)
    d = binary_data
    names = ["accuracy", "f1", "roc_auc", "average_precision", "log_loss"]
    got = bootstrap_intervals(
        names, y_true=d["y_true"], y_pred=d["y_pred"], y_score=d["y_score"], task="binary",
        n_resamples=30, confidence=0.9, seed=2,
    )
    want = _loop_interval(names, "binary", d, None, 30, 2)
    for name in names:
        np.testing.assert_allclose(got[name], want[name], atol=1e-9, rtol=0, err_msg=name)


@pytest.mark.parametrize("weighted", [False, True])
def test_many_classes_sparse_confusion_path(weighted):
    """k=6 (k*k > 16 uses a sparse one-hot); point values and replicates match sklearn."""
    rng = np.random.default_rng(9)
    n, k = 150, 6
    y = rng.integers(0, k, n)
    proba = rng.dirichlet(np.ones(k), n)
    proba[np.arange(n), y] += 0.6
    proba /= proba.sum(axis=1, keepdims=True)
    pred = np.where(rng.random(n) < 0.3, rng.integers(0, k, n), proba.argmax(axis=1))
    d = {"y_true": y, "y_pred": pred, "y_score": proba, "k": k}
    sw = _weights(n, seed=8) if weighted else None
    point = _point(CLASSIFICATION, "multiclass", d, sw)
    for name in CLASSIFICATION:
        want = sklearn_metric(name, "multiclass", y, pred, proba, sw, k)
        assert point[name][0] == pytest.approx(want, abs=1e-9, rel=0), name
    names = ["f1", "f1_weighted", "balanced_accuracy", "cohen_kappa", "matthews_corrcoef"]
    got = bootstrap_intervals(names, y_true=y, y_pred=pred, task="multiclass", n_classes=k,
                              sample_weight=sw, n_resamples=20, confidence=0.9, seed=3)
    want = _loop_interval(names, "multiclass", d, sw, 20, 3)
    for name in names:
        np.testing.assert_allclose(got[name], want[name], atol=1e-9, rtol=0, err_msg=name)


def test_callable_metric_uses_same_resamples_as_standard(binary_data):
    d = binary_data

    def acc(y_true, y_pred):
        return float(np.mean(y_true == y_pred))

    out = bootstrap_intervals(
        ["accuracy", "my_acc"], y_true=d["y_true"], y_pred=d["y_pred"], task="binary",
        n_resamples=200, seed=4, callables={"my_acc": acc},
    )
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(stats, "BCA_MAX_N", 0)  # the callable path is percentile-only
        plain = bootstrap_intervals(
            ["accuracy"], y_true=d["y_true"], y_pred=d["y_pred"], task="binary",
            n_resamples=200, seed=4,
        )
    np.testing.assert_allclose(out["my_acc"], plain["accuracy"], atol=1e-12)


def test_bootstrap_statistic_of_a_mean_matches_the_normal_interval():
    """A loop-bootstrapped mean of 400 N(0, 1) draws: the 95% interval is about +-1.96/sqrt(400)."""
    x = np.random.default_rng(3).normal(size=400)
    low, high = stats.bootstrap_statistic(lambda rows: x[rows].mean(), x.size, point=x.mean(), n_resamples=2000, seed=1)
    half = 1.96 * x.std(ddof=1) / np.sqrt(x.size)
    assert low < x.mean() < high
    assert (high - low) / 2 == pytest.approx(half, rel=0.1)
    again = stats.bootstrap_statistic(lambda rows: x[rows].mean(), x.size, point=x.mean(), n_resamples=2000, seed=1)
    assert (low, high) == again


def test_bootstrap_statistic_counts_failing_resamples_as_missing():
    calls = iter(range(10_000))

    def flaky(rows):
        if next(calls) % 3 == 0:
            raise ValueError("only one class")
        return float(rows.mean())

    low, high = stats.bootstrap_statistic(flaky, 50, point=24.5, n_resamples=300)
    assert np.isfinite(low) and np.isfinite(high)  # a third missing: still an interval

    def always_failing(rows):
        raise ZeroDivisionError

    assert all(np.isnan(stats.bootstrap_statistic(always_failing, 50, point=1.0, n_resamples=100)))


# --------------------------------------------------------------------------- properties


def test_accuracy_interval_coverage():
    """About 95% of 95% intervals cover the true accuracy 0.85.

    n=201 keeps 0.85 off the lattice k/n of attainable accuracies (at n=200 interval
    endpoints often equal 0.85 exactly, which inflates inclusive coverage).
    """
    rng = np.random.default_rng(2024)
    n_sims, n = 1000, 201
    covered = 0
    ones = np.ones(n, dtype=np.int64)
    for sim in range(n_sims):
        correct = (rng.random(n) < 0.85).astype(np.int64)
        low, high = bootstrap_intervals(
            ["accuracy"], y_true=correct, y_pred=ones, task="binary",
            n_resamples=1000, seed=sim,
        )["accuracy"]
        covered += low <= 0.85 <= high
    assert 0.93 <= covered / n_sims <= 0.97, covered / n_sims


def test_seed_determinism(binary_data):
    d = binary_data
    kw = {"y_true": d["y_true"], "y_pred": d["y_pred"], "y_score": d["y_score"],
          "task": "binary", "n_resamples": 200}
    a = bootstrap_intervals(["f1", "roc_auc"], seed=7, **kw)
    b = bootstrap_intervals(["f1", "roc_auc"], seed=7, **kw)
    c = bootstrap_intervals(["f1", "roc_auc"], seed=8, **kw)
    assert a == b
    assert a["f1"] != c["f1"] and a["roc_auc"] != c["roc_auc"]


def test_interval_contains_point_and_narrows_with_confidence(regression_data):
    d = regression_data
    kw = {"y_true": d["y_true"], "y_pred": d["y_pred"], "task": "regression",
          "n_resamples": 400}
    wide = bootstrap_intervals(["mae", "r2"], confidence=0.99, **kw)
    narrow = bootstrap_intervals(["mae", "r2"], confidence=0.5, **kw)
    point = _point(["mae", "r2"], "regression", d, None)
    for name in ("mae", "r2"):
        assert wide[name][0] <= point[name][0] <= wide[name][1]
        assert wide[name][0] < narrow[name][0] <= narrow[name][1] < wide[name][1]


def test_percentile_and_bca_policies_both_used(monkeypatch, binary_data):
    d = binary_data
    kw = {"y_true": d["y_true"], "y_pred": d["y_pred"], "task": "binary",
          "n_resamples": 300, "seed": 1}
    bca = bootstrap_intervals(["f1"], **kw)["f1"]
    monkeypatch.setattr(stats, "BCA_MAX_N", 0)
    pct = bootstrap_intervals(["f1"], **kw)["f1"]
    reps = stats._bootstrap_standard(
        [stats._Data("binary", d["y_true"], d["y_pred"], None, None, None)], [["f1"]],
        len(d["y_true"]), 300, 1,
    )[0]["f1"]
    assert pct == pytest.approx(tuple(np.quantile(reps, [0.025, 0.975])), abs=1e-12)
    assert bca != pct


# --------------------------------------------------------------------------- paired / McNemar


def test_paired_identical_models_zero_interval(binary_data):
    d = binary_data
    for name, kw in (("accuracy", {"pred_a": d["y_pred"], "pred_b": d["y_pred"]}),
                     ("roc_auc", {"score_a": d["y_score"], "score_b": d["y_score"]})):
        out = paired_bootstrap(name, y_true=d["y_true"], task="binary", n_resamples=200, **kw)
        assert out["difference"] == 0.0
        assert (out["low"], out["high"]) == (0.0, 0.0)
        assert out["n"] == len(d["y_true"]) and out["metric"] == name


def test_paired_worse_model_interval_below_zero(binary_data):
    d = binary_data
    rng = np.random.default_rng(0)
    worse = d["y_pred"].copy()
    flip = rng.random(len(worse)) < 0.15
    worse[flip] = 1 - worse[flip]
    noisy = np.clip(d["y_score"] + rng.normal(0, 0.4, len(worse)), 0, 1)
    for name, kw in (("accuracy", {"pred_a": worse, "pred_b": d["y_pred"]}),
                     ("f1", {"pred_a": worse, "pred_b": d["y_pred"]}),
                     ("roc_auc", {"score_a": noisy, "score_b": d["y_score"]})):
        out = paired_bootstrap(name, y_true=d["y_true"], task="binary", n_resamples=500, **kw)
        assert out["high"] < 0, name
        assert out["low"] <= out["difference"] <= out["high"]
        assert out["difference"] == pytest.approx(out["value_a"] - out["value_b"])


def test_paired_matches_manual_difference_of_replicates(monkeypatch, regression_data):
    monkeypatch.setattr(stats, "BCA_MAX_N", 0)
    d = regression_data
    y = d["y_true"]
    other = d["y_pred"] + np.random.default_rng(1).normal(0, 5, len(y))
    out = paired_bootstrap("mae", y_true=y, pred_a=other, pred_b=d["y_pred"],
                           task="regression", n_resamples=100, seed=3, confidence=0.8)
    da = stats._Data("regression", y, other, None, None, None)
    rows = da.perm[stats._resample_indices(len(y), 100, 3)]
    diffs = [np.mean(np.abs(y[r] - other[r])) - np.mean(np.abs(y[r] - d["y_pred"][r]))
             for r in rows]
    assert (out["low"], out["high"]) == pytest.approx(
        tuple(np.quantile(diffs, [0.1, 0.9])), abs=1e-9
    )


def test_paired_multiclass_with_unequal_inferred_classes(multiclass_data):
    d = multiclass_data
    never_two = np.where(d["y_pred"] == 2, 0, d["y_pred"])  # implies only 2 classes
    out = paired_bootstrap("f1_macro", y_true=d["y_true"], pred_a=never_two,
                           pred_b=d["y_pred"], task="multiclass", n_resamples=300)
    labels = [0, 1, 2]
    want_a = skm.f1_score(d["y_true"], never_two, average="macro", labels=labels)
    want_b = skm.f1_score(d["y_true"], d["y_pred"], average="macro", labels=labels)
    assert out["value_a"] == pytest.approx(want_a, abs=1e-12)
    assert out["value_b"] == pytest.approx(want_b, abs=1e-12)
    assert out["high"] < 0


def test_paired_with_callable(binary_data):
    d = binary_data

    def err_rate(y_true, y_pred):
        return float(np.mean(y_true != y_pred))

    out = paired_bootstrap("error_rate", y_true=d["y_true"], pred_a=d["y_pred"],
                           pred_b=d["y_pred"], task="binary", n_resamples=50,
                           callable_=err_rate)
    assert (out["difference"], out["low"], out["high"]) == (0.0, 0.0, 0.0)


def test_mcnemar_matches_binomtest():
    rng = np.random.default_rng(5)
    a = rng.random(300) < 0.8
    b = rng.random(300) < 0.7
    out = mcnemar_exact(a, b)
    n01, n10 = int(np.sum(a & ~b)), int(np.sum(~a & b))
    assert (out["b"], out["c"]) == (n01, n10)
    assert out["p_value"] == pytest.approx(binomtest(n01, n01 + n10, 0.5).pvalue)
    same = mcnemar_exact(a, a)
    assert same == {"b": 0, "c": 0, "p_value": 1.0}


# --------------------------------------------------------------------------- degenerate / bad


def test_degenerate_inputs_do_not_crash():
    y = np.array([0, 0, 0, 0, 0, 0, 0, 1])
    score = np.linspace(0.1, 0.9, 8)
    out = bootstrap_intervals(
        CLASSIFICATION, y_true=y, y_pred=np.zeros(8, dtype=int), y_score=score,
        task="binary", n_resamples=200,
    )
    assert set(out) == set(CLASSIFICATION)
    # Most resamples lack the single positive row: roc_auc is undefined there.
    assert all(math.isnan(v) for v in out["roc_auc"]) or out["roc_auc"][0] <= out["roc_auc"][1]
    one_class = bootstrap_intervals(
        ["roc_auc", "accuracy", "cohen_kappa"], y_true=np.zeros(20, dtype=int),
        y_pred=np.zeros(20, dtype=int), y_score=np.linspace(0, 1, 20), task="binary",
        n_resamples=50,
    )
    assert all(math.isnan(v) for v in one_class["roc_auc"])
    assert one_class["accuracy"] == (1.0, 1.0)
    single = bootstrap_intervals(["mae", "r2", "median_ae", "max_error"], y_true=[1.0],
                                 y_pred=[2.0], task="regression", n_resamples=10)
    assert single["mae"] == (1.0, 1.0)
    constant = bootstrap_intervals(["r2", "explained_variance"], y_true=np.ones(10),
                                   y_pred=np.ones(10), task="regression", n_resamples=10)
    assert constant["r2"] == (1.0, 1.0)


def test_mostly_nan_replicates_give_nan_interval():
    assert stats._interval(0.5, np.array([0.4, np.nan, np.nan]), None, 0.95) == (
        pytest.approx(math.nan, nan_ok=True),
        pytest.approx(math.nan, nan_ok=True),
    )


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"names": ["nope"]}, "names"),
        ({"names": []}, "names"),
        ({"names": ["r2"]}, "names"),
        ({"y_pred": np.zeros(5, dtype=int)}, "y_pred"),
        ({"sample_weight": np.ones(3)}, "sample_weight"),
        ({"confidence": 1.0}, "confidence"),
        ({"confidence": 0.0}, "confidence"),
        ({"n_resamples": 0}, "n_resamples"),
        ({"task": "ranking"}, "task"),
        ({"names": ["roc_auc"], "y_score": None}, "y_score"),
        ({"y_pred": np.array([0, 1, 2, 0, 1, 0])}, "y_pred"),
    ],
)
def test_bad_arguments_raise_value_error_naming_argument(kwargs, argument):
    base = {"names": ["accuracy"], "y_true": np.array([0, 1, 0, 1, 1, 0]),
            "y_pred": np.array([0, 1, 1, 1, 0, 0]), "y_score": np.linspace(0, 1, 6),
            "task": "binary"}
    base.update(kwargs)
    names = base.pop("names")
    with pytest.raises(ValueError, match=argument):
        bootstrap_intervals(names, **base)


def test_bad_paired_and_mcnemar_arguments():
    y = np.array([0, 1, 0, 1])
    with pytest.raises(ValueError, match="pred_b"):
        paired_bootstrap("accuracy", y_true=y, pred_a=y, pred_b=y[:3], task="binary")
    with pytest.raises(ValueError, match="name"):
        paired_bootstrap("bogus", y_true=y, pred_a=y, pred_b=y, task="binary")
    with pytest.raises(ValueError, match="n_resamples"):
        paired_bootstrap("accuracy", y_true=y, pred_a=y, pred_b=y, task="binary",
                         n_resamples=0)
    with pytest.raises(ValueError, match="correct_b"):
        mcnemar_exact([True, False], [True])


def test_module_is_cheap_to_import():
    """Loading stats.py alone pulls in neither numpy, scipy, scikit-learn nor pytest."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "import pytest_mlgate.stats\n"
        "print(sorted(m for m in ('numpy', 'scipy', 'sklearn', 'pytest') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"
