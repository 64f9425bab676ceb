"""``method="t_test"``: Student's two-sample t-test at every scale, on constant columns, and the same
answer from rows, value counts (few distinct values) and moments (a sketched side)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from pytest_mlgate import detect_drift, profile

SCALES = (1e-300, 1e-5, 1.0, 1e160, 1e300)


def _all_paths(a: np.ndarray, b: np.ndarray) -> list:
    """The t_test column from the rows and from every mix of profiles and rows."""
    A, B = pd.DataFrame({"v": a}), pd.DataFrame({"v": b})
    pairs = ((A, B), (profile(A), B), (A, profile(B)), (profile(A), profile(B)))
    return [detect_drift(x, y, method="t_test", correction=None).columns[0] for x, y in pairs]


def _agree(cols: list) -> None:
    first = cols[0]
    for col in cols:
        assert col.method == "t_test"
        assert not math.isnan(col.statistic), col.reason
        assert col.drifted == first.drifted, (first.reason, col.reason)
        assert col.statistic == pytest.approx(first.statistic, rel=1e-9, abs=1e-12), (first.reason, col.reason)
        assert col.p_value == pytest.approx(first.p_value, rel=1e-9, abs=1e-300), (first.reason, col.reason)


def _shifted(scale: float, shift_sd: float, seed: int, n: int = 3000) -> tuple[np.ndarray, np.ndarray]:
    g = np.random.default_rng(seed)
    sd = 0.1 * scale
    return g.normal(scale, sd, n), g.normal(scale + shift_sd * sd, sd, n)


@pytest.mark.parametrize("scale", SCALES)
def test_a_5_sd_shift_is_drift_at_every_scale_on_every_path(scale):
    r, c = _shifted(scale, 5.0, 0)
    cols = _all_paths(r, c)
    _agree(cols)
    expected = stats.ttest_ind(r / scale, c / scale).statistic
    for col in cols:
        assert col.drifted and col.p_value == 0.0, col.reason
        assert math.isfinite(col.statistic) and col.statistic < -100
        assert col.statistic == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize("scale", SCALES)
def test_same_distribution_gives_scipys_statistic_at_every_scale(scale):
    r, c = _shifted(scale, 0.0, 1)
    cols = _all_paths(r, c)
    _agree(cols)
    expected = stats.ttest_ind(r / scale, c / scale)
    for col in cols:
        assert col.statistic == pytest.approx(expected.statistic, rel=1e-9)
        assert col.p_value == pytest.approx(expected.pvalue, rel=1e-9)


@pytest.mark.parametrize("scale", SCALES)
def test_few_distinct_values_counted_exactly_agree_with_the_rows(scale):
    # at most 64 distinct values: the profile holds value counts, not moments
    g = np.random.default_rng(2)
    r = g.integers(0, 10, 2000).astype(float) * (scale / 10)
    c = (g.integers(0, 10, 1500) + 1).astype(float) * (scale / 10)
    cols = _all_paths(r, c)
    _agree(cols)
    assert all(col.drifted for col in cols)
    for col in cols:
        assert col.statistic == pytest.approx(stats.ttest_ind(r / scale, c / scale).statistic, rel=1e-9)
    sub = g.permutation(r)[:1000]
    same = _all_paths(r, sub)
    _agree(same)
    expected = stats.ttest_ind(r / scale, sub / scale)
    assert same[0].statistic == pytest.approx(expected.statistic, rel=1e-9)
    assert same[0].p_value == pytest.approx(expected.pvalue, rel=1e-9)


@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize("value", (3.7, 1.0, -0.3))
def test_identical_constant_columns_do_not_drift(scale, value):
    v = value * scale
    for col in _all_paths(np.full(5000, v), np.full(3000, v)):
        assert (col.statistic, col.p_value, col.drifted) == (0.0, 1.0, False), col.reason


@pytest.mark.parametrize("scale", SCALES)
def test_different_constant_columns_drift_with_an_infinite_statistic(scale):
    lo = 3.7 * scale
    for hi in (3.8 * scale, float(np.nextafter(lo, np.inf))):
        for col in _all_paths(np.full(5000, lo), np.full(3000, hi)):
            assert col.statistic == -math.inf and col.p_value == 0.0 and col.drifted, col.reason
        for col in _all_paths(np.full(5000, hi), np.full(3000, lo)):
            assert col.statistic == math.inf and col.p_value == 0.0 and col.drifted, col.reason


@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.filterwarnings("ignore:Precision loss occurred in moment calculation")
def test_a_constant_side_against_a_spread_side(scale):
    g = np.random.default_rng(3)
    spread = g.normal(scale, 0.1 * scale, 3000)
    for const in (scale, 1.5 * scale):
        cols = _all_paths(np.full(2000, const), spread)
        _agree(cols)
        expected = stats.ttest_ind(np.full(2000, const / scale), spread / scale)
        assert cols[0].statistic == pytest.approx(expected.statistic, rel=1e-9)
        assert cols[0].p_value == pytest.approx(expected.pvalue, rel=1e-9, abs=1e-300)
    assert all(col.drifted for col in cols)


def test_values_spanning_the_whole_double_range():
    both = np.array([5e-324, 1.7e308] * 1000 + [1.0] * 10)
    for col in _all_paths(both, both.copy()):
        assert (col.statistic, col.p_value, col.drifted) == (0.0, 1.0, False), col.reason
    lower = np.array([5e-324, 1.0e308] * 1000 + [1.0] * 10)
    cols = _all_paths(both, lower)
    _agree(cols)
    assert all(col.drifted and math.isfinite(col.statistic) and col.statistic > 0 for col in cols)


def test_one_value_a_side():
    for col in _all_paths(np.array([2.0]), np.array([2.0])):
        assert (col.statistic, col.p_value, col.drifted) == (0.0, 1.0, False), col.reason
    for col in _all_paths(np.array([2.0]), np.array([3.0])):
        assert col.statistic == -math.inf and col.drifted, col.reason


@pytest.mark.parametrize("seed", range(6))
def test_equals_scipy_at_ordinary_scale(seed):
    g = np.random.default_rng(100 + seed)
    n_r, n_c = (5, 7, 40, 300, 2000, 5000)[seed], (9, 4, 60, 250, 1000, 4000)[seed]
    r = g.normal(g.normal(), g.uniform(0.5, 3), n_r)
    c = g.normal(g.normal() * 0.05, g.uniform(0.5, 3), n_c)
    expected = stats.ttest_ind(r, c)
    cols = _all_paths(r, c)
    _agree(cols)
    for col in cols:
        assert col.statistic == pytest.approx(expected.statistic, rel=1e-9)
        assert col.p_value == pytest.approx(expected.pvalue, rel=1e-9)
        assert col.drifted == (expected.pvalue < 0.05)
