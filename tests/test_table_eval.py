"""Table evaluation (``mlgate.evaluate(data=...)``) agrees with the in-memory path on awkward tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn import metrics as skm

from pytest_mlgate.table_eval import evaluate_table


def _null_slice_frame() -> pd.DataFrame:
    g = np.random.default_rng(0)
    n = 3000
    y = g.integers(0, 2, n)
    grp = np.where(np.arange(n) % 10 == 0, None, g.choice(["x", "y"], n))
    pred = np.where(pd.isna(grp), 1 - y, y)  # every row without a group is wrong
    return pd.DataFrame({"label": y, "pred": pred, "grp": grp})


@pytest.mark.parametrize("missing", [None, np.nan, pd.NA])
def test_rows_with_a_missing_slice_value_form_one_judged_slice(missing):
    df = _null_slice_frame()
    df["grp"] = df["grp"].astype(object).where(df["grp"].notna(), missing)
    ev = evaluate_table(df, y_true="label", y_pred="pred", slice_by="grp", metrics=["accuracy"], n_resamples=20)
    assert ev.values["accuracy[grp=nan]"] == 0.0 and ev.n["accuracy[grp=nan]"] == 300
    assert ev.values["accuracy[grp=x]"] == 1.0
    assert ev.values["accuracy_gap"] == 1.0


def test_a_missing_slice_fails_a_slices_gate_as_the_in_memory_path_does(pytester: pytest.Pytester, tmp_path):
    df = _null_slice_frame()
    df.to_pickle(tmp_path / "df.pkl")
    pytester.makepyfile(
        f"""
        import pandas as pd, pytest
        DF = pd.read_pickle({str(tmp_path / "df.pkl")!r})

        @pytest.mark.model_threshold(accuracy=0.5, slices=True)
        def test_table(mlgate):
            mlgate.evaluate(data=DF, y_true="label", y_pred="pred", slice_by="grp")

        @pytest.mark.model_threshold(accuracy=0.5, slices=True)
        def test_memory(mlgate):
            mlgate.evaluate(y_true=DF.label, y_pred=DF.pred, slice_by=DF.grp)
        """
    )
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(failed=2)
    assert result.stdout.str().count("accuracy[grp=nan] = 0 (n=300) fails >= 0.5") >= 2


def test_r2_of_a_constant_target_is_scikit_learns():
    g = np.random.default_rng(1)
    y = np.full(2000, 3.0)
    for pred in (3.0 + g.normal(0, 0.1, 2000), y.copy()):
        ev = evaluate_table(pd.DataFrame({"y": y, "p": pred}), y_true="y", y_pred="p", metrics=["r2"], n_resamples=0)
        assert ev.values["r2"] == skm.r2_score(y, pred)


def test_string_labels_with_scores_take_labels():
    g = np.random.default_rng(2)
    y = g.random(4000) < 0.4
    s = np.clip(g.normal(0.3 + 0.4 * y, 0.2), 0, 1)
    df = pd.DataFrame({"label": np.where(y, "spam", "ham"), "pred": np.where(s > 0.5, "spam", "ham"), "score": s})
    ev = evaluate_table(df, y_true="label", y_pred="pred", y_score="score", labels=["ham", "spam"],
                        metrics=["roc_auc", "log_loss", "accuracy"], n_resamples=0)
    assert abs(ev.values["roc_auc"] - skm.roc_auc_score(y, s)) <= ev.errors["roc_auc"] + 1e-12
    assert ev.values["log_loss"] == pytest.approx(skm.log_loss(y, s), rel=1e-9)
    assert ev.values["accuracy"] == pytest.approx(skm.accuracy_score(df.label, df.pred))
    with pytest.raises(ValueError, match="labels=\\[negative, positive\\]"):
        evaluate_table(df, y_true="label", y_score="score", metrics=["roc_auc"])
    with pytest.raises(ValueError, match="'spam', which is not in labels"):
        evaluate_table(df, y_true="label", y_score="score", metrics=["roc_auc"], labels=["ham", "eggs"])
    with pytest.raises(ValueError, match="two classes"):
        evaluate_table(df, y_true="label", y_score="score", metrics=["roc_auc"], labels=["ham"])


def test_sample_weight_with_data_is_an_error_not_ignored(pytester: pytest.Pytester):
    pytester.makepyfile(
        """
        import pandas as pd

        def test_weighted(mlgate):
            df = pd.DataFrame({"label": [0, 1, 1, 0], "pred": [0, 1, 0, 0]})
            mlgate.evaluate(data=df, y_true="label", y_pred="pred", sample_weight=[1, 2, 3, 4])
        """
    )
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*sample_weight= does not apply with data=*"])
    assert "INTERNALERROR" not in result.stdout.str()


def _in_memory(y_true, y_pred, slice_by, metrics, labels=None, y_score=None):
    from pytest_mlgate.metrics import MetricRegistry, evaluate

    ev = evaluate(MetricRegistry.default(), None, None, None, metrics=metrics, y_true=y_true, y_pred=y_pred,
                  y_score=y_score, slice_by=slice_by, labels=labels)
    return ev.values


@pytest.mark.parametrize("values", [
    [1, "1"],  # print the same: one slice, as mlgate.evaluate makes it
    [None, "nan"],
    [True, "True"],
    [pd.Timestamp("2024-01-01"), pd.Timestamp("2024-01-02")],
])
def test_table_slices_are_named_and_merged_as_the_in_memory_path_does(values):
    g = np.random.default_rng(3)
    n = 800
    y = g.integers(0, 2, n)
    grp = pd.Series([values[i % 2] for i in range(n)], dtype=object)
    if isinstance(values[0], pd.Timestamp):
        grp = pd.to_datetime(grp)
    pred = np.where(np.arange(n) % 2 == 0, y, 1 - y)
    df = pd.DataFrame({"label": y, "pred": pred, "g": grp})
    table = evaluate_table(df, y_true="label", y_pred="pred", slice_by="g", metrics=["accuracy"], n_resamples=0).values
    memory = _in_memory(df["label"], df["pred"], df["g"], ["accuracy"])
    assert table == pytest.approx(memory, nan_ok=True)


def test_labels_name_the_positive_class_of_f1_precision_and_recall():
    g = np.random.default_rng(4)
    y = np.where(g.random(3000) < 0.4, "spam", "ham")
    pred = np.where(g.random(3000) < 0.8, y, np.where(y == "spam", "ham", "spam"))
    s = np.where(pred == "ham", 0.8, 0.2)
    df = pd.DataFrame({"label": y, "pred": pred, "score": s})
    ev = evaluate_table(df, y_true="label", y_pred="pred", y_score="score", labels=["spam", "ham"],
                        metrics=["f1", "precision", "recall"], n_resamples=0).values
    assert ev["f1"] == pytest.approx(skm.f1_score(y, pred, pos_label="ham"))
    assert ev["precision"] == pytest.approx(skm.precision_score(y, pred, pos_label="ham"))
    assert ev["recall"] == pytest.approx(skm.recall_score(y, pred, pos_label="ham"))
