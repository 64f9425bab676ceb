"""Fast seeded checks of the soundness properties that benchmarks/soundness.py measures at length.

Each test uses fixed seeds and few repetitions; the bounds asserted leave room for that Monte
Carlo noise (the benchmark prints the rates with their intervals).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from pytest_mlgate import detect_drift
from pytest_mlgate.baseline import BaselineEntry, judge_regression, parse_tolerance
from pytest_mlgate.results import FAIL
from pytest_mlgate.stats import (
    check_bootstrap_setting,
    confidence_bounds,
    expanded_level,
    paired_accuracy_exact,
    proportion_bounds,
)

LEVELS = np.array(list("abcde"))


def _drift_rate(reps: int, seed: int, make, method: str = "auto") -> float:
    hits = 0
    for i in range(reps):
        g = np.random.default_rng([seed, i])
        ref, cur = make(g)
        hits += detect_drift(ref, cur, method=method).drifted
    return hits / reps


# ------------------------------------------------------------------------------------- drift


def test_auto_drift_is_calibrated_where_evidently_cries_wolf() -> None:
    def categorical(g):
        return tuple(pd.DataFrame({f"c{j}": g.choice(LEVELS, 300) for j in range(10)}) for _ in range(2))

    assert _drift_rate(60, 1, categorical) <= 0.1
    assert _drift_rate(30, 1, categorical, method="evidently") >= 0.4

    def numeric(g):
        return pd.DataFrame(g.normal(size=(1001, 20))), pd.DataFrame(g.normal(size=(1001, 20)))

    assert _drift_rate(60, 2, numeric) <= 0.1
    assert _drift_rate(30, 2, numeric, method="evidently") >= 0.3

    def many_levels(g):
        levels = np.array([f"l{i}" for i in range(50)])
        return pd.DataFrame({"k": g.choice(levels, 1001)}), pd.DataFrame({"k": g.choice(levels, 1001)})

    assert _drift_rate(60, 3, many_levels) <= 0.1

    def three_values(g):
        return tuple(pd.DataFrame(g.integers(0, 3, (300, 20)).astype(float)) for _ in range(2))

    assert _drift_rate(60, 4, three_values) <= 0.1


def test_auto_drift_power() -> None:
    def half_sd(g):
        ref, cur = pd.DataFrame(g.normal(size=(300, 20))), pd.DataFrame(g.normal(size=(300, 20)))
        cur[3] += 0.5
        return ref, cur

    assert _drift_rate(40, 5, half_sd) >= 0.9

    def one_level(g):
        ref = pd.DataFrame({f"c{j}": g.choice(LEVELS, 300) for j in range(10)})
        cur = pd.DataFrame({f"c{j}": g.choice(LEVELS, 300) for j in range(10)})
        cur["c0"] = g.choice(LEVELS, 300, p=[0.35, 0.1625, 0.1625, 0.1625, 0.1625])
        return ref, cur

    assert _drift_rate(60, 6, one_level) >= 0.55


def test_effect_floor_keeps_a_trivial_shift_in_a_huge_sample_quiet() -> None:
    g = np.random.default_rng(7)
    ref = pd.DataFrame({"x": g.normal(size=200_000)})
    cur = pd.DataFrame({"x": g.normal(0.05, size=200_000)})
    col = detect_drift(ref, cur)["x"]
    assert col.p_value_adjusted < 1e-10  # significant, but below the floor
    assert not col.drifted and col.effect < col.effect_floor == 0.1
    assert "effect" in col.reason and col.to_dict()["effect_floor"] == 0.1
    cur["x"] += 0.25
    assert detect_drift(ref, cur)["x"].drifted


@pytest.mark.parametrize("scale", [1e-300, 1e-5, 1.0, 1e160, 1e300])
def test_five_sd_shift_is_drift_at_any_scale(scale: float) -> None:
    g = np.random.default_rng(8)
    ref, cur = g.normal(size=2000) * scale, (g.normal(size=2000) + 5) * scale
    col = detect_drift(ref, cur)["value"]
    assert col.drifted and 4 < col.effect < 6, col.reason
    assert not detect_drift(ref, g.normal(size=2000) * scale)["value"].drifted
    ev = detect_drift(ref, cur, method="evidently")["value"]
    assert math.isfinite(ev.statistic)  # Evidently's Wasserstein: rescaled, no overflow to inf or NaN


def test_constant_and_tiny_unit_columns() -> None:
    const = np.full(500, 3.0)
    assert not detect_drift(const, const.copy())["value"].drifted
    assert detect_drift(const, const + 1e-6)["value"].drifted  # the floor is relative to the scale
    g = np.random.default_rng(9)
    tiny = g.normal(size=500) * 1e-9
    assert detect_drift(tiny, tiny + 5e-9)["value"].drifted


def test_nan_statistic_is_drift_not_quiet() -> None:
    from pytest_mlgate import drift

    p = drift._Partial("x", "numeric", "ks", math.nan, math.nan, 10, 10, 0, 0, effect=math.nan,
                       effect_floor=0.1, auto=True)
    (col,) = drift._finish([p], {"x": None}, "holm")
    assert col.drifted and "could not be computed" in col.reason
    q = drift._Partial("x", "numeric", "wasserstein", math.nan, None, 10, 10, 0, 0)
    (col,) = drift._finish([q], {"x": None}, "holm")
    assert col.drifted and "could not be computed" in col.reason
    assert drift.auto_verdict(math.nan, 0.05, 1.0, 0.1) is None


def test_pooling_keeps_the_table_calibrated_and_counts_intact() -> None:
    from pytest_mlgate.drift import pool_sparse, total_variation

    cnt_r = np.array([100, 90, 4, 3, 2, 0])
    cnt_c = np.array([95, 99, 2, 1, 2, 1])
    pr, pc = pool_sparse(cnt_r, cnt_c)  # the four sparse levels (15 rows) make one bucket
    assert pr.tolist() == [100, 90, 9] and pc.tolist() == [95, 99, 6]
    assert total_variation(cnt_r, cnt_c) == pytest.approx(0.5 * np.abs(cnt_r / 199 - cnt_c / 200).sum())
    # a lone sparse bucket joins the smallest category
    pr, pc = pool_sparse(np.array([50, 60, 1]), np.array([55, 52, 0]))
    assert pr.tolist() == [51, 60] and pc.tolist() == [55, 52]


# ---------------------------------------------------------------------------- confidence gates


def test_clopper_pearson_bounds() -> None:
    from scipy.stats import beta

    lo, hi = proportion_bounds(30, 30, 0.95)
    assert lo == pytest.approx(0.05 ** (1 / 30)) and hi == 1.0  # 0.905: a perfect 30 is not 0.95 for sure
    lo, hi = proportion_bounds(7, 20, 0.9)
    assert lo == pytest.approx(beta.ppf(0.1, 7, 14)) and hi == pytest.approx(beta.ppf(0.9, 8, 13))
    assert proportion_bounds(0, 0, 0.95) == (0.0, 1.0)


@pytest.mark.parametrize(("true_acc", "n"), [(0.95, 30), (0.98, 100), (0.99, 200)])
def test_accuracy_gate_passes_rarely_at_its_threshold(true_acc: float, n: int) -> None:
    passes = 0
    reps = 200
    for i in range(reps):
        g = np.random.default_rng([10, i])
        y = g.integers(0, 2, n)
        pred = np.where(g.random(n) < true_acc, y, 1 - y)
        lo, _ = confidence_bounds(["accuracy"], y_true=y, y_pred=pred, task="binary", n_resamples=20)["accuracy"]
        passes += lo >= true_acc
    assert passes / reps <= 0.05


def test_perfect_samples_get_a_bound_below_one_for_every_classification_metric() -> None:
    y = np.array([0, 1] * 15)
    names = ["accuracy", "balanced_accuracy", "precision", "recall", "f1", "f1_macro", "roc_auc",
             "average_precision", "matthews_corrcoef", "cohen_kappa"]
    bounds = confidence_bounds(names, y_true=y, y_pred=y, y_score=np.where(y == 1, 0.9, 0.1), task="binary",
                               n_resamples=50)
    for name in names:
        assert bounds[name][0] < 0.95, name


def test_expanded_level_is_stricter_for_small_samples() -> None:
    assert expanded_level(0.95, 30) > 0.95
    assert expanded_level(0.95, 30) > expanded_level(0.95, 300) > expanded_level(0.95, 30_000) > 0.95 - 1e-9


def test_macro_interval_uses_the_point_values_label_set() -> None:
    from sklearn.metrics import f1_score

    y = np.array([0, 1, 0, 1, 0, 1, 0, 1, 0, 1] * 4)
    pred = y.copy()
    pred[:3] = 1 - pred[:3]
    point = f1_score(y, pred, average="macro")  # classes 0 and 1 only, of k = 3
    lo, hi = confidence_bounds(["f1_macro"], y_true=y, y_pred=pred, task="multiclass", n_classes=3,
                               n_resamples=200)["f1_macro"]
    assert lo <= point <= hi


def test_confidence_on_max_error_is_a_usage_error_and_gets_no_interval(models: pytest.Pytester) -> None:
    models.makepyfile("""
        import pytest

        @pytest.mark.model_threshold(max_error=500.0)
        def test_plain(mlgate, regression):
            model, X, y = regression
            mlgate.evaluate(model, X, y, metrics=["max_error", "mae"])
            assert mlgate._result.metrics["max_error"].interval is None
            assert mlgate._result.metrics["mae"].interval is not None
    """)
    models.runpytest().assert_outcomes(passed=1)


def test_regression_with_confidence_fails_at_most_nominally_on_a_fresh_holdout() -> None:
    fails = 0
    reps = 300
    for i in range(reps):
        g = np.random.default_rng([11, i])
        sides = []
        for _ in range(2):
            y = g.integers(0, 2, 200)
            pred = np.where(g.random(200) < 0.9, y, 1 - y)  # the same model: 90% accurate
            bounds = confidence_bounds(["accuracy"], y_true=y, y_pred=pred, task="binary", n_resamples=20)["accuracy"]
            sides.append((float((pred == y).mean()), bounds))
        (base, base_iv), (cur, cur_iv) = sides
        verdict = judge_regression(
            "accuracy", cur, BaselineEntry(base, n=200, interval=base_iv, confidence=0.95), higher_is_better=True,
            tolerance=parse_tolerance(0.0), baseline_ref="", n=200, interval=cur_iv, confidence=0.95,
        )
        fails += verdict.status == FAIL
    assert fails / reps <= 0.05


# ------------------------------------------------------------------------------------- compare


def test_paired_exact_interval_agrees_with_mcnemar() -> None:
    from scipy.stats import binomtest

    for b, c in [(0, 3), (1, 7), (0, 6), (5, 5), (12, 2), (0, 0)]:
        a_right = np.array([True] * b + [False] * c + [True] * 50)
        b_right = np.array([False] * b + [True] * c + [True] * 50)
        res = paired_accuracy_exact(a_right, b_right, confidence=0.95)
        p = 1.0 if b + c == 0 else binomtest(b, b + c, 0.5).pvalue
        assert res["p_value"] == pytest.approx(p)
        assert (res["high"] < 0) == (c > b and p < 0.05)  # fails exactly when McNemar rejects for b
        assert (res["low"] > 0) == (b > c and p < 0.05)


def test_equal_models_with_few_discordant_rows_fail_at_most_half_alpha() -> None:
    fails = 0
    reps = 400
    for i in range(reps):
        g = np.random.default_rng([12, i])
        a = g.random(300) < 0.85
        b = a.copy()
        swap = g.random(300) < 0.01
        b[swap] = g.random(int(swap.sum())) < 0.5
        a[swap] = ~b[swap]
        fails += paired_accuracy_exact(a, b)["high"] < 0
    assert fails / reps <= 0.025
    same = np.random.default_rng(13).random(300) < 0.9
    assert paired_accuracy_exact(same, same.copy())["high"] == 0.0


def test_bootstrap_setting_helper_names_the_ini() -> None:
    check_bootstrap_setting(1000, "mlgate.compare")
    with pytest.raises(ValueError, match="mlgate_bootstrap = 0"):
        check_bootstrap_setting(0, "mlgate.compare")


def test_compare_without_bootstrap_is_a_usage_error(models: pytest.Pytester) -> None:
    models.makeini("[pytest]\nmlgate_bootstrap = 0\n")
    models.makepyfile("""
        import pytest

        def test_it(mlgate, binary):
            model, X, y = binary
            with pytest.raises(ValueError, match="mlgate.compare needs bootstrap resamples.*mlgate_bootstrap = 0"):
                mlgate.compare(model, model, X, y, metric="accuracy")
    """)
    models.runpytest().assert_outcomes(passed=1)


def test_identical_models_never_fail_compare(models: pytest.Pytester) -> None:
    models.makepyfile("""
        def test_it(mlgate, binary):
            model, X, y = binary
            for metric in ("accuracy", "f1", "roc_auc", "log_loss"):
                assert mlgate.compare(model, model, X, y, metric=metric).verdict == "pass"
    """)
    models.runpytest().assert_outcomes(passed=1)


def test_gap_gets_an_upper_bound_for_confidence_gates(models: pytest.Pytester) -> None:
    models.makepyfile("""
        import numpy as np
        import pytest

        @pytest.mark.model_threshold(accuracy_gap=0.5, confidence=0.95)
        def test_gap(mlgate, binary):
            model, X, y = binary
            groups = np.arange(len(y)) % 2
            mlgate.evaluate(model, X, y, metrics=["accuracy"], slice_by=groups)
            record = mlgate._result.metrics["accuracy_gap"]
            lo, hi = record.interval
            assert 0.0 <= lo <= record.value <= hi and record.confidence == 0.95

        @pytest.mark.model_threshold(accuracy_gap=0.01, confidence=0.95)
        def test_small_slices_cannot_prove_a_small_gap(mlgate, binary):
            model, X, y = binary
            mlgate.evaluate(model, X, y, metrics=["accuracy"], slice_by=np.arange(len(y)) % 2)
    """)
    result = models.runpytest()
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*accuracy_gap = *one-sided upper 95% bound*fails <= 0.01*"])
