"""The metric registry, checked against scikit-learn's own functions on bundled data."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import sklearn.metrics as skm
from sklearn.datasets import load_breast_cancer, load_diabetes, load_wine
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler, label_binarize
from sklearn.svm import LinearSVC

from pytest_mlgate.metrics import MetricRegistry, evaluate, split_slice_name

REGISTRY = MetricRegistry.default()


def fitted(loader, model):
    X, y = loader(return_X_y=True)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.4, random_state=1)
    return model.fit(X_tr, y_tr), X_te, y_te


@pytest.fixture(scope="module")
def binary():
    return fitted(load_breast_cancer, make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)))


@pytest.fixture(scope="module")
def multiclass():
    return fitted(load_wine, make_pipeline(StandardScaler(), LogisticRegression(C=0.05, max_iter=1000)))


@pytest.fixture(scope="module")
def regression():
    return fitted(load_diabetes, Ridge(alpha=0.5))


def binary_expected(y, pred, proba, w):
    return {
        "accuracy": skm.accuracy_score(y, pred, sample_weight=w),
        "balanced_accuracy": skm.balanced_accuracy_score(y, pred, sample_weight=w),
        "precision": skm.precision_score(y, pred, sample_weight=w),
        "recall": skm.recall_score(y, pred, sample_weight=w),
        "f1": skm.f1_score(y, pred, sample_weight=w),
        "f1_macro": skm.f1_score(y, pred, average="macro", sample_weight=w),
        "f1_micro": skm.f1_score(y, pred, average="micro", sample_weight=w),
        "f1_weighted": skm.f1_score(y, pred, average="weighted", sample_weight=w),
        "precision_macro": skm.precision_score(y, pred, average="macro", sample_weight=w),
        "recall_macro": skm.recall_score(y, pred, average="macro", sample_weight=w),
        "roc_auc": skm.roc_auc_score(y, proba[:, 1], sample_weight=w),
        "average_precision": skm.average_precision_score(y, proba[:, 1], sample_weight=w),
        "log_loss": skm.log_loss(y, proba, sample_weight=w),
        "brier_score": skm.brier_score_loss(y, proba[:, 1], sample_weight=w),
        "matthews_corrcoef": skm.matthews_corrcoef(y, pred, sample_weight=w),
        "cohen_kappa": skm.cohen_kappa_score(y, pred, sample_weight=w),
        "neg_log_loss": -skm.log_loss(y, proba, sample_weight=w),
        "neg_brier_score": -skm.brier_score_loss(y, proba[:, 1], sample_weight=w),
    }


@pytest.mark.parametrize("weighted", [False, True])
def test_binary_metrics_equal_scikit_learn(binary, weighted: bool) -> None:
    model, X, y = binary
    w = np.random.default_rng(0).uniform(0.2, 2.0, len(y)) if weighted else None
    expected = binary_expected(y, model.predict(X), model.predict_proba(X), w)
    got = evaluate(REGISTRY, model, X, y, metrics=list(expected), sample_weight=w).values
    assert got == pytest.approx(expected, rel=1e-12, abs=1e-12)


def test_multiclass_metrics_equal_scikit_learn(multiclass) -> None:
    model, X, y = multiclass
    pred, proba = model.predict(X), model.predict_proba(X)
    expected = {
        "accuracy": skm.accuracy_score(y, pred),
        "precision": skm.precision_score(y, pred, average="macro"),
        "recall": skm.recall_score(y, pred, average="macro"),
        "f1": skm.f1_score(y, pred, average="macro"),
        "f1_micro": skm.f1_score(y, pred, average="micro"),
        "f1_weighted": skm.f1_score(y, pred, average="weighted"),
        "roc_auc": skm.roc_auc_score(y, proba, multi_class="ovr"),
        "roc_auc_ovr": skm.roc_auc_score(y, proba, multi_class="ovr"),
        "average_precision": skm.average_precision_score(label_binarize(y, classes=[0, 1, 2]), proba),
        "log_loss": skm.log_loss(y, proba),
        "brier_score": skm.brier_score_loss(y, proba),
        "matthews_corrcoef": skm.matthews_corrcoef(y, pred),
        "cohen_kappa": skm.cohen_kappa_score(y, pred),
    }
    got = evaluate(REGISTRY, model, X, y, metrics=list(expected)).values
    assert got == pytest.approx(expected, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("weighted", [False, True])
def test_regression_metrics_equal_scikit_learn(regression, weighted: bool) -> None:
    model, X, y = regression
    pred = model.predict(X)
    w = np.random.default_rng(1).uniform(0.2, 2.0, len(y)) if weighted else None
    expected = {
        "r2": skm.r2_score(y, pred, sample_weight=w),
        "explained_variance": skm.explained_variance_score(y, pred, sample_weight=w),
        "mae": skm.mean_absolute_error(y, pred, sample_weight=w),
        "mse": skm.mean_squared_error(y, pred, sample_weight=w),
        "rmse": skm.root_mean_squared_error(y, pred, sample_weight=w),
        "mape": skm.mean_absolute_percentage_error(y, pred, sample_weight=w),
        "median_ae": skm.median_absolute_error(y, pred, sample_weight=w),
        "max_error": skm.max_error(y, pred),
        "neg_mean_squared_error": -skm.mean_squared_error(y, pred, sample_weight=w),
        "neg_root_mean_squared_error": -skm.root_mean_squared_error(y, pred, sample_weight=w),
        "neg_mean_absolute_error": -skm.mean_absolute_error(y, pred, sample_weight=w),
    }
    got = evaluate(REGISTRY, model, X, y, metrics=list(expected), sample_weight=w).values
    assert got == pytest.approx(expected, rel=1e-12, abs=1e-12)


def test_directions() -> None:
    higher = ["accuracy", "balanced_accuracy", "precision", "recall", "f1", "f1_macro", "f1_micro", "f1_weighted",
              "precision_macro", "recall_macro", "roc_auc", "average_precision", "matthews_corrcoef", "cohen_kappa",
              "r2", "explained_variance", "neg_log_loss", "neg_mean_squared_error"]
    lower = ["log_loss", "brier_score", "mae", "mse", "rmse", "mape", "median_ae", "max_error", "accuracy_gap",
             "r2_gap", "log_loss_gap"]
    assert all(REGISTRY.direction(m) is True for m in higher)
    assert all(REGISTRY.direction(m) is False for m in lower)
    assert REGISTRY.direction("train_accuracy") is True
    assert REGISTRY.direction("val_rmse") is False
    assert REGISTRY.direction("train_precision_weighted") is True  # a prefixed scikit-learn scorer name
    assert REGISTRY.direction("val_neg_mean_absolute_error") is True
    assert REGISTRY.direction("accuracy[sex=F]") is True
    assert REGISTRY.direction("latency_ms") is None
    assert REGISTRY.direction("something_gap") is None


def test_decision_function_scores_and_precomputed_predictions(binary) -> None:
    model, X, y = binary
    svc = LinearSVC(dual=False).fit(X, y)
    got = evaluate(REGISTRY, svc, X, y, metrics=["roc_auc", "average_precision"]).values
    assert got["roc_auc"] == pytest.approx(skm.roc_auc_score(y, svc.decision_function(X)))
    with pytest.raises(ValueError, match="log_loss needs predicted probabilities, but LinearSVC has no predict_proba"):
        evaluate(REGISTRY, svc, X, y, metrics=["log_loss"])
    pre = evaluate(REGISTRY, y_true=y, y_pred=model.predict(X), y_score=model.predict_proba(X),
                   metrics=["accuracy", "roc_auc", "log_loss"]).values
    assert pre["log_loss"] == pytest.approx(skm.log_loss(y, model.predict_proba(X)))


def test_custom_metrics_receive_original_labels() -> None:
    seen = {}

    def labels(y_true, y_pred):
        seen["labels"] = sorted(set(y_true) | set(y_pred))
        return 1.0

    y = np.array(["cat", "dog", "dog", "cat"])
    out = evaluate(REGISTRY, y_true=y, y_pred=y[::-1], metrics={"custom": labels}).values
    assert out == {"custom": 1.0} and seen["labels"] == ["cat", "dog"]


def test_slices_and_gap(binary) -> None:
    import pandas as pd

    model, X, y = binary
    frame = pd.DataFrame(X).assign(group=np.where(np.arange(len(y)) % 3 == 0, "a", "b"))
    clf = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)).fit(frame.drop(columns="group"), y)

    class DropGroup:
        classes_ = clf.classes_

        def predict(self, F):
            return clf.predict(F.drop(columns="group"))

    ev = evaluate(REGISTRY, DropGroup(), frame, y, metrics=["accuracy"], slice_by="group")
    pred = clf.predict(frame.drop(columns="group"))
    mask = frame["group"].to_numpy() == "a"
    a, b = skm.accuracy_score(y[mask], pred[mask]), skm.accuracy_score(y[~mask], pred[~mask])
    assert ev.values["accuracy[group=a]"] == pytest.approx(a)
    assert ev.values["accuracy[group=b]"] == pytest.approx(b)
    assert ev.values["accuracy_gap"] == pytest.approx(abs(a - b))
    assert ev.n["accuracy[group=a]"] == mask.sum()
    assert split_slice_name("accuracy[group=a]") == ("accuracy", "group", "a")
    with pytest.raises(ValueError, match="slice_by='nope': X has no such column"):
        evaluate(REGISTRY, DropGroup(), frame, y, metrics=["accuracy"], slice_by="nope")


def test_registry_add_validates() -> None:
    registry = MetricRegistry.default()
    registry.add("top", lambda t, p: 1.0, higher_is_better=True)
    assert registry.direction("top") is True
    with pytest.raises(TypeError, match="higher_is_better must be True or False"):
        registry.add("x", lambda t, p: 1.0, higher_is_better="yes")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="needs must be"):
        registry.add("x", lambda t, p: 1.0, higher_is_better=True, needs="labels")
    with pytest.raises(ValueError, match="unknown metric 'rocauc'; did you mean 'roc_auc'"):
        registry.lookup("rocauc")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"y_true": [0, 1], "y_pred": [0, 1, 1]}, "y_pred has 3 values but y_true has 2"),
        ({"y_true": [], "y_pred": []}, "y_true is empty"),
        ({"y_true": [1.0, 1.0], "y_pred": [1.0, 1.0]}, r"^evaluate: y_true has a single class \(1\.0\): classification"),
        ({"y_true": [0, 1], "y_pred": [0, 1], "metrics": []}, r"metrics=\[\] names no metric; pass metrics=None"),
        ({"y_true": [0, 1], "y_pred": [0, 1], "metrics": {}}, r"metrics=\{\} names no metric"),
        ({"y_true": [0, 1, 2], "y_pred": [0, 1, 2], "metrics": {"boom": lambda t, p: 1 / 0}},
         r"metric 'boom': custom metric raised ZeroDivisionError: division by zero"),
        ({"y_true": [0, 1, 2], "y_score": np.eye(3) * 4 - 1},
         "roc_auc, the default with scores alone, needs probabilities for more than two classes"),
        ({"y_true": [0, 1, 2], "y_pred": [0, 1, 2], "y_score": np.ones((3, 2)) / 2, "metrics": ["roc_auc"]},
         "y_score has 2 columns but y_true and y_pred hold 3 classes"),
        ({"y_true": [0.5, 1.5], "y_pred": [np.nan, 1.0]}, r"y_pred contains 1 missing value\(s\) \(NaN/None\), first at row 0"),
        ({"y_true": ["a", None, "b"], "y_pred": ["a", "a", "b"]}, r"y_true contains 1 missing value\(s\)"),
    ],
)
def test_bad_inputs(kwargs, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        evaluate(REGISTRY, **kwargs)


def test_multiclass_decision_scores_made_elsewhere_get_the_model_forms_defaults() -> None:
    """Without probabilities, the default set leaves roc_auc out, as evaluate(model, X, y) does;
    named explicitly, roc_auc says what it needs."""
    model, X, y = fitted(load_wine, make_pipeline(StandardScaler(), LinearSVC()))
    from_model = evaluate(REGISTRY, model, X, y).values
    elsewhere = evaluate(REGISTRY, y_true=y, y_pred=model.predict(X), y_score=model.decision_function(X)).values
    assert set(from_model) == set(elsewhere) == {"accuracy", "balanced_accuracy", "f1"}
    assert elsewhere == pytest.approx(from_model)
    with pytest.raises(ValueError, match="roc_auc for more than two classes needs probabilities"):
        evaluate(REGISTRY, y_true=y, y_score=model.decision_function(X), metrics=["roc_auc"])


def test_any_scikit_learn_scorer_name_is_a_metric(binary, multiclass) -> None:
    model, X, y = binary
    registry = MetricRegistry.default()
    assert registry.direction("precision_weighted") is True
    assert registry.direction("neg_mean_poisson_deviance") is True
    got = evaluate(registry, model, X, y, metrics=["precision_weighted", "jaccard"]).values
    pred = model.predict(X)
    assert got["precision_weighted"] == pytest.approx(skm.precision_score(y, pred, average="weighted"))
    assert got["jaccard"] == pytest.approx(skm.jaccard_score(y, pred))
    mc_model, mc_X, mc_y = multiclass
    mc = evaluate(registry, mc_model, mc_X, mc_y, metrics=["roc_auc_ovo", "top_k_accuracy"]).values
    proba = mc_model.predict_proba(mc_X)
    assert mc["roc_auc_ovo"] == pytest.approx(skm.roc_auc_score(mc_y, proba, multi_class="ovo"))
    assert mc["top_k_accuracy"] == pytest.approx(skm.top_k_accuracy_score(mc_y, proba))


def test_multiclass_averages_match_scikit_learn_on_a_slice_missing_a_class() -> None:
    y = np.array([0, 0, 1, 1, 1, 0])
    pred = np.array([0, 1, 1, 1, 0, 0])
    # classes 0..2 are known to the model, but class 2 never occurs here
    out = evaluate(REGISTRY, y_true=np.append(y, 2), y_pred=np.append(pred, 2), metrics=["f1"]).values
    assert out["f1"] == pytest.approx(skm.f1_score(np.append(y, 2), np.append(pred, 2), average="macro"))
    sub = evaluate(REGISTRY, y_true=np.append(y, 2), y_pred=np.append(pred, 2), metrics=["f1"],
                   slice_by=np.array(["a"] * 6 + ["b"])).values
    assert sub["f1[slice=a]"] == pytest.approx(skm.f1_score(y, pred, average="macro"))


def test_probability_metrics_say_what_y_score_lacks() -> None:
    rows_off = np.array([[0.2, 0.2, 0.2], [0.5, 0.4, 0.3], [0.1, 0.1, 0.9]])  # in [0, 1], rows not summing to 1
    with pytest.raises(ValueError, match=r"log_loss needs probabilities, and y_score holds none \(values in \[0, 1\]"):
        evaluate(REGISTRY, y_true=[0, 1, 2], y_score=rows_off, metrics=["log_loss"])


# --- one validator, one message shape (issue 8 item 1, issue 9 item 8) ------------------------


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"y_true": pd.array(["a", "b", pd.NA] * 4, dtype="string"), "y_pred": ["a", "b", "a"] * 4},
         ValueError, r"^evaluate: y_true contains 4 missing value\(s\) \(NaN/None\), first at row 2; drop or impute"),
        ({"y_true": [True, False] * 3, "y_pred": pd.array([True, pd.NA, False] * 2, dtype="boolean")},
         ValueError, r"^evaluate: y_pred contains 2 missing value\(s\) .*, first at row 1"),
        ({"y_true": np.array(["a", pd.NA, "b"], dtype=object), "y_pred": ["a", "b", "b"]},
         ValueError, r"^evaluate: y_true contains 1 missing value\(s\) .*, first at row 1"),
        ({"y_true": np.array(["a", pd.NaT, "b"], dtype=object), "y_pred": ["a", "b", "b"]},
         ValueError, r"^evaluate: y_true contains 1 missing value\(s\) .*, first at row 1"),
        ({"y_true": pd.array([1, 0, pd.NA], dtype="Int64"), "y_pred": [1, 0, 1]},
         ValueError, r"^evaluate: y_true contains 1 missing value\(s\) .*, first at row 2"),
        ({"y_true": [[1, 2], [3]], "y_pred": [1, 2]},
         ValueError, r"^evaluate: y_true is ragged: row 0 holds 2 values, row 1 holds 1 value, first at row 1"),
        ({"y_true": [1, 0, 1], "y_pred": [1, [0, 1], 1]},
         ValueError, r"^evaluate: y_pred is ragged: .*first at row 1"),
        ({"y_true": np.array(["a", {"k": 1}, "b"], dtype=object), "y_pred": ["a", "b", "b"]},
         TypeError, r"^evaluate: y_true holds a dict where one value per row is expected, first at row 1"),
        ({"y_true": [1.5, 10**400, 2.5], "y_pred": [1.5, 2.0, 3.0]},
         ValueError, r"^evaluate: y_true holds a number too large for a float, first at row 1"),
        ({"y_true": [1.5, math.inf, 2.5], "y_pred": [1.5, 2.0, 3.0]},
         ValueError, r"^evaluate: y_true contains 1 NaN or infinite value\(s\), first at row 1"),
        ({"y_true": [0, 1, 0, 1], "y_score": pd.array([0.1, pd.NA, 0.2, 0.9], dtype="Float64")},
         ValueError, r"^evaluate: y_score contains NaN or infinite values in 1 row\(s\), first at row 1"),
        ({"y_true": [0, 1, 0, 1], "y_score": [0.1, 0.9, "x", 0.2]},
         ValueError, r"^evaluate: y_score must be numeric, got 'x', first at row 2"),
        ({"y_true": [0, 1, 0, 1], "y_pred": [0, 1, 1, 1], "sample_weight": [1.0, 1.0, -1.0, 1.0]},
         ValueError, r"^evaluate: sample_weight must be non-negative, first at row 2"),
        ({"y_true": [0, 1, 0, 1], "y_pred": [0, 1]}, ValueError, r"^evaluate: y_pred has 2 values but y_true has 4$"),
        ({"y_true": [], "y_pred": []}, ValueError, r"^evaluate: y_true is empty"),
    ],
)
def test_input_errors_name_function_argument_row_and_cause(kwargs, error, message: str) -> None:
    with pytest.raises(error, match=message):
        evaluate(REGISTRY, **kwargs)


def test_nullable_arrays_without_missing_values_are_ordinary_labels() -> None:
    y = pd.array(["a", "b", "a", "b"], dtype="string")
    assert evaluate(REGISTRY, y_true=y, y_pred=pd.Series(["a", "b", "b", "b"], dtype="string"),
                    metrics=["accuracy"]).values == {"accuracy": 0.75}
    flags = pd.array([True, False, True, False], dtype="boolean")
    assert evaluate(REGISTRY, y_true=flags, y_pred=[True, False, False, False], metrics=["accuracy"]).values == {
        "accuracy": 0.75
    }


# --- numerics across scales (issue 9 item 7) ----------------------------------------------------

REGRESSION_METRICS = ["r2", "explained_variance", "mae", "rmse", "mape", "median_ae", "max_error", "mse"]


@pytest.mark.parametrize("scale", [1e-300, 1e-160, 1e-5, 1.0, 1e80, 1e160, 1e300])
def test_regression_metrics_are_scale_equivariant(scale: float) -> None:
    rng = np.random.default_rng(0)
    y = rng.normal(size=200) + 3.0
    pred = y + rng.normal(size=200) * 0.3
    unit = evaluate(REGISTRY, y_true=y, y_pred=pred, metrics=REGRESSION_METRICS).values
    for name in REGRESSION_METRICS:
        power = {"r2": 0, "explained_variance": 0, "mape": 0, "mse": 2}.get(name, 1)
        try:
            value = evaluate(REGISTRY, y_true=y * scale, y_pred=pred * scale, metrics=[name]).values[name]
        except ValueError as exc:  # only mse, and only where its value overflows a float
            assert name == "mse" and scale > 1e150, exc
            assert "too large for a float" in str(exc)
            continue
        expected = unit[name]
        for _ in range(power):
            expected *= scale
        assert math.isfinite(value)
        assert value == pytest.approx(expected, rel=1e-9, abs=1e-320), name


def test_finite_predictions_near_1e80_give_finite_metrics_never_overflow_error() -> None:
    rng = np.random.default_rng(1)
    y = rng.normal(size=100) * 1e80
    values = evaluate(REGISTRY, y_true=y, y_pred=y * 1.01, metrics=REGRESSION_METRICS).values
    assert all(math.isfinite(v) for v in values.values())
    assert values["r2"] == pytest.approx(1 - 0.01**2 * np.sum(y**2 / 1e160) / np.sum((y - y.mean()) ** 2 / 1e160))
