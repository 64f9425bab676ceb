"""Tests of pytest_mlgate.drift: statistics against scipy, Evidently's auto choice, report, errors."""

from __future__ import annotations

import json
import math
import pickle

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from scipy.spatial import distance

from pytest_mlgate.drift import (
    METHODS,
    MISSING_SHARE_ALPHA,
    MISSING_SHARE_MIN_CHANGE,
    ColumnDrift,
    DriftDetected,
    DriftReport,
    _sturges_edges,
    _wasserstein_sorted,
    assert_no_drift,
    detect_drift,
)


def rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


# ------------------------------------------------------------------ statistics match scipy


def test_ks_matches_scipy():
    g = rng(1)
    r, c = g.normal(size=400), g.normal(0.2, size=350)
    col = detect_drift(r, c, correction=None)["value"]
    res = stats.ks_2samp(r, c)
    assert col.method == "ks"
    assert col.p_value == pytest.approx(res.pvalue, rel=1e-12)
    assert col.statistic == pytest.approx(res.statistic)
    assert col.drifted == (res.pvalue <= 0.05)


@pytest.mark.parametrize("n_r,n_c", [(3000, 3000), (5000, 3001), (1200, 7777)])
def test_normed_wasserstein_matches_scipy(n_r, n_c):
    g = rng(n_r + n_c)
    r, c = g.gamma(2.0, size=n_r), g.gamma(2.2, size=n_c)
    col = detect_drift(pd.Series(r, name="x"), pd.Series(c, name="x"), method="evidently")["x"]
    expected = stats.wasserstein_distance(r, c) / max(np.std(r), 0.001)
    assert col.method == "wasserstein"
    assert col.p_value is None
    assert col.statistic == pytest.approx(expected, rel=1e-9, abs=1e-12)


def test_sorted_wasserstein_kernel_matches_scipy():
    g = rng(2)
    for n, m in [(1, 1), (1, 5), (7, 3), (10, 10), (123, 457), (1000, 999)]:
        r = np.sort(g.normal(size=(3, n)), axis=1)
        c = np.sort(g.standard_t(3, size=(3, m)), axis=1)
        got = _wasserstein_sorted(r, c)
        want = [stats.wasserstein_distance(r[k], c[k]) for k in range(3)]
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)


def test_jensenshannon_matches_scipy_on_sturges_bins():
    g = rng(3)
    r, c = g.normal(size=2000), g.normal(0.1, 1.2, size=1500)
    col = detect_drift(r, c, method="jensenshannon")["value"]
    edges = np.histogram_bin_edges(np.concatenate([r, c]), bins="sturges")
    pr = np.histogram(r, edges)[0] / r.size
    pc = np.histogram(c, edges)[0] / c.size
    assert col.statistic == pytest.approx(distance.jensenshannon(pr, pc), rel=1e-12)


def test_jensenshannon_per_value_bins_auto_large():
    g = rng(4)
    r, c = g.integers(0, 4, 5000), g.integers(0, 5, 4000)  # value 4 only in current
    col = detect_drift(r, c, method="evidently")["value"]
    assert col.method == "jensenshannon"
    keys = np.arange(5)
    pr = np.array([(r == k).mean() for k in keys])
    pc = np.array([(c == k).mean() for k in keys])
    assert col.statistic == pytest.approx(distance.jensenshannon(pr, pc), rel=1e-12)
    assert col.drifted == (col.statistic >= 0.1)


def test_sturges_edges_match_numpy():
    g = rng(5)
    for n in [2, 3, 10, 1000, 4097, 100_000]:
        a = g.normal(size=n) * g.uniform(0.001, 1000)
        np.testing.assert_array_equal(_sturges_edges(a.min(), a.max(), n), np.histogram_bin_edges(a, bins="sturges"))
    np.testing.assert_array_equal(_sturges_edges(3.0, 3.0, 50), np.histogram_bin_edges(np.full(50, 3.0), bins="sturges"))


def test_chisquare_matches_scipy_numeric_and_categorical():
    g = rng(6)
    r, c = g.integers(0, 4, 600), g.integers(0, 4, 450)
    col = detect_drift(r, c, correction=None, method="evidently")["value"]
    f_obs = np.bincount(c, minlength=4)
    f_exp = np.bincount(r, minlength=4) * (c.size / r.size)
    res = stats.chisquare(f_obs, f_exp)
    assert col.method == "chisquare"
    assert col.p_value == pytest.approx(res.pvalue, rel=1e-10)
    assert col.statistic == pytest.approx(res.statistic, rel=1e-10)

    rs = pd.Series(g.choice(list("abcd"), 500), name="s")
    cs = pd.Series(g.choice(list("abcd"), 300, p=[0.4, 0.2, 0.2, 0.2]), name="s")
    col = detect_drift(rs, cs, correction=None, method="evidently")["s"]
    keys = list("abcd")
    f_obs = cs.value_counts().reindex(keys, fill_value=0).to_numpy()
    f_exp = rs.value_counts().reindex(keys, fill_value=0).to_numpy() * (len(cs) / len(rs))
    assert col.method == "chisquare"
    assert col.p_value == pytest.approx(stats.chisquare(f_obs, f_exp).pvalue, rel=1e-10)


@pytest.mark.parametrize("correction", [None, "holm", "bonferroni", "bh"])
def test_chisquare_is_evidently_goodness_of_fit_whatever_the_correction(correction):
    g = rng(61)
    r, c = g.integers(0, 4, 600), g.integers(0, 4, 450)
    col = detect_drift(r, c, correction=correction, method="evidently")["value"]
    res = stats.chisquare(np.bincount(c, minlength=4), np.bincount(r, minlength=4) * (c.size / r.size))
    assert col.method == "chisquare"
    assert col.p_value == pytest.approx(res.pvalue, rel=1e-10)
    assert col.statistic == pytest.approx(res.statistic, rel=1e-10)
    # categorical, named method, a category seen only in current: infinitely unlikely, as Evidently
    rs = pd.Series(g.choice(list("abcd"), 500), name="s")
    cs = pd.Series(g.choice(list("abcde"), 300, p=[0.3, 0.2, 0.2, 0.2, 0.1]), name="s")
    col = detect_drift(rs, cs, method="chisquare", correction=correction)["s"]
    assert col.method == "chisquare" and col.statistic == math.inf and col.p_value == 0.0 and col.drifted
    assert col.new_categories == {"e": pytest.approx((cs == "e").mean())}


def test_evidently_chisquare_with_default_correction_matches_evidently_on_one_column():
    ref = pd.Series(["a", "b"] * 150, name="k")
    cur = pd.Series(["a", "b"] * 148 + ["c"] * 4, name="k")
    col = detect_drift(ref, cur, method="evidently")["k"]  # default correction="holm"
    with np.errstate(divide="ignore", invalid="ignore"):
        res = stats.chisquare([148, 148, 4], np.array([150, 150, 0]) * (300 / 300))
    assert col.method == "chisquare"
    assert col.p_value == res.pvalue == 0.0 and col.statistic == res.statistic == math.inf
    assert col.drifted and col.p_value_adjusted == 0.0
    assert not detect_drift(ref, ref.iloc[::-1], method="evidently")["k"].drifted


@pytest.mark.parametrize("correction", [None, "holm"])
def test_chi2_homogeneity_matches_chi2_contingency(correction):
    g = rng(63)
    r, c = g.integers(0, 4, 600), g.integers(0, 4, 450)
    col = detect_drift(r, c, method="chi2_homogeneity", correction=correction)["value"]
    res = stats.chi2_contingency(np.vstack([np.bincount(r, minlength=4), np.bincount(c, minlength=4)]), correction=False)
    assert col.method == "chi2_homogeneity" and col.kind == "numeric" and col.threshold == 0.05
    assert col.p_value == pytest.approx(res.pvalue, rel=1e-10)
    assert col.statistic == pytest.approx(res.statistic, rel=1e-10)
    assert col.drifted == (res.pvalue < 0.05)
    # categorical, per-column dict, a category seen only in current: still a finite two-sample test
    rs = pd.Series(g.choice(list("abcd"), 500), name="s")
    cs = pd.Series(g.choice(list("abcde"), 300, p=[0.3, 0.2, 0.2, 0.2, 0.1]), name="s")
    col = detect_drift(rs, cs, method={"s": "chi2_homogeneity"}, correction=correction)["s"]
    keys = list("abcde")
    table = np.vstack(
        [rs.value_counts().reindex(keys, fill_value=0).to_numpy(), cs.value_counts().reindex(keys, fill_value=0).to_numpy()]
    )
    res = stats.chi2_contingency(table, correction=False)
    assert col.kind == "categorical" and math.isfinite(col.statistic)
    assert col.p_value == pytest.approx(res.pvalue, rel=1e-10)
    assert col.statistic == pytest.approx(res.statistic, rel=1e-10)
    assert col.new_categories == {"e": pytest.approx((cs == "e").mean())}
    # numbers listed in categorical= are categories for it too
    codes = detect_drift(
        pd.DataFrame({"c": r}), pd.DataFrame({"c": c}), method="chi2_homogeneity", categorical=["c"]
    )["c"]
    assert codes.kind == "categorical" and codes.p_value == pytest.approx(
        stats.chi2_contingency(np.vstack([np.bincount(r, minlength=4), np.bincount(c, minlength=4)]), correction=False).pvalue
    )


def test_z_test_matches_hand_computation():
    r = np.array([0] * 300 + [1] * 200)
    c = np.array([0] * 150 + [1] * 250)
    col = detect_drift(r, c, correction=None, method="evidently")["value"]
    p1, p2 = 200 / 500, 250 / 400
    pooled = (200 + 250) / 900
    z = (p1 - p2) / math.sqrt(pooled * (1 - pooled) * (1 / 500 + 1 / 400))
    assert col.method == "z"
    assert col.statistic == pytest.approx(z)
    assert col.p_value == pytest.approx(2 * (1 - stats.norm.cdf(abs(z))))
    assert col.drifted


def test_psi_and_kl_use_evidently_zero_floor():
    r = pd.Series(["a"] * 60 + ["b"] * 40, name="k")
    c = pd.Series(["a"] * 50 + ["b"] * 30 + ["c"] * 20, name="k")
    pr = np.array([0.6, 0.4, 0.0])
    pc = np.array([0.5, 0.3, 0.2])
    pr_f = np.where(pr == 0, 0.0001, pr)  # smallest non-zero share > 1e-4 -> floor 1e-4
    psi = detect_drift(r, c, method="psi")["k"]
    assert psi.statistic == pytest.approx(np.sum((pr_f - pc) * np.log(pr_f / pc)))
    kl = detect_drift(r, c, method="kl_div")["k"]
    assert kl.statistic == pytest.approx(stats.entropy(pr_f, pc))


def test_hellinger_numeric_matches_evidently_definition():
    g = rng(7)
    r, c = g.normal(size=800), g.normal(0.3, size=600)
    keys = np.union1d(r, c)
    edges = np.histogram_bin_edges(keys, bins="sturges")
    h1 = np.histogram(r, edges, density=True)[0]
    h2 = np.histogram(c, edges, density=True)[0]
    width = (edges.max() - edges.min()) / (len(edges) - 1)
    want = math.sqrt(1 - min(1.0, float(np.sum(np.sqrt(h1 * h2) * width))))
    assert detect_drift(r, c, method="hellinger")["value"].statistic == pytest.approx(want, rel=1e-9)


# ------------------------------------------------------------------ automatic method choice


@pytest.mark.parametrize(
    "n_rows,make,expected",
    [
        (500, lambda g, n: g.normal(size=n), "ks"),
        (500, lambda g, n: g.integers(0, 5, n), "chisquare"),
        (500, lambda g, n: g.integers(0, 3, n), "chisquare"),
        (500, lambda g, n: g.integers(0, 2, n), "z"),
        (500, lambda g, n: pd.Series(g.choice(list("abc"), n), dtype=object), "chisquare"),
        (500, lambda g, n: pd.Series(g.choice(list("ab"), n), dtype="string"), "z"),
        (500, lambda g, n: pd.Series(g.random(n) < 0.5), "z"),
        (500, lambda g, n: pd.Series(pd.Categorical(g.choice(list("abcdefg"), n))), "chisquare"),
        (1000, lambda g, n: g.normal(size=n), "ks"),
        (1001, lambda g, n: g.normal(size=n), "wasserstein"),
        (5000, lambda g, n: g.integers(0, 5, n), "jensenshannon"),
        (5000, lambda g, n: g.integers(0, 2, n), "jensenshannon"),
        (5000, lambda g, n: pd.Series(g.choice(list("ab"), n), dtype="str"), "jensenshannon"),
        (5000, lambda g, n: pd.Series(g.random(n) < 0.5), "jensenshannon"),
    ],
)
def test_evidently_method_follows_evidently(n_rows, make, expected):
    g = rng(8)
    col = detect_drift(make(g, n_rows), make(g, 700), method="evidently")["value"]
    assert col.method == expected


def test_auto_counts_reference_rows_after_dropping_missing_and_values_over_both_sides():
    g = rng(9)
    r = np.concatenate([g.normal(size=1000), [np.nan] * 50, [np.inf] * 5])
    assert detect_drift(r, g.normal(size=300))["value"].method == "ks"  # 1000 finite rows
    # 3 values in reference, 6 over both sides -> KS, not chi-square
    r2 = g.integers(0, 3, 400).astype(float)
    c2 = g.integers(0, 6, 400).astype(float)
    assert detect_drift(r2, c2)["value"].method == "ks"


def test_explicit_categorical_list():
    g = rng(10)
    df_r = pd.DataFrame({"code": g.integers(0, 10, 400)})
    df_c = pd.DataFrame({"code": g.integers(0, 10, 400)})
    col = detect_drift(df_r, df_c, categorical=["code"], method="evidently")["code"]
    assert col.kind == "categorical" and col.method == "chisquare"
    col = detect_drift(df_r, df_c, categorical=["code"])["code"]
    assert col.kind == "categorical" and col.method == "chi2_homogeneity" and col.effect_floor == 0.1


# ------------------------------------------------------------------ named methods, dicts


@pytest.mark.parametrize("name", sorted(METHODS))
def test_each_named_method_numeric(name):
    g = rng(11)
    r, c, same_c = g.normal(size=300), g.normal(1.0, size=250), g.normal(size=250)
    if name in ("chisquare", "chi2_homogeneity", "z"):  # per-value tests: give them few distinct values
        r, c, same_c = (np.clip(np.round(x), -2, 2) for x in (r, c, same_c))
    col = detect_drift(r, c, method=name)["value"]
    spec = METHODS[name]
    assert col.method == name
    assert col.threshold == spec.default_threshold
    assert (col.p_value is None) == (spec.kind == "distance")
    assert col.drifted, col.reason
    same = detect_drift(r, same_c, method=name)["value"]
    assert math.isfinite(same.statistic)


@pytest.mark.parametrize("name", [n for n, m in METHODS.items() if m.categorical])
def test_each_categorical_method(name):
    g = rng(12)
    r = pd.Series(g.choice(list("abcd"), 600))
    c = pd.Series(g.choice(list("abcd"), 500, p=[0.7, 0.1, 0.1, 0.1]))
    col = detect_drift(r, c, method=name)["value"]
    assert col.method == name and col.kind == "categorical" and col.drifted


def test_aliases_and_reference_values():
    g = rng(13)
    r, c = g.normal(size=200), g.normal(size=200)
    assert detect_drift(r, c, method="mannw")["value"].method == "mannwhitney"
    assert detect_drift(r, c, method="ed")["value"].statistic == pytest.approx(stats.energy_distance(r, c))
    assert detect_drift(r, c, method="t_test", correction=None)["value"].p_value == pytest.approx(stats.ttest_ind(r, c).pvalue)
    assert detect_drift(r, c, method="cramer_von_mises", correction=None)["value"].p_value == pytest.approx(
        stats.cramervonmises_2samp(r, c).pvalue
    )


def test_per_column_method_and_threshold_dicts():
    g = rng(14)
    ref = pd.DataFrame({"a": g.normal(size=400), "b": g.normal(size=400), "c": g.normal(size=400)})
    cur = pd.DataFrame({"a": g.normal(0.05, size=400), "b": g.normal(size=400), "c": g.normal(size=400)})
    rep = detect_drift(ref, cur, method={"a": "wasserstein", "b": "psi"}, threshold={"a": 0.001, "c": 0.9})
    assert [c.method for c in rep.columns] == ["wasserstein", "psi", "ks"]
    assert rep["a"].threshold == 0.001 and rep["a"].drifted
    assert rep["b"].threshold == 0.1
    assert rep["c"].threshold == 0.9
    with pytest.raises(ValueError, match="'zzz'"):
        detect_drift(ref, cur, method={"zzz": "ks"})
    with pytest.raises(ValueError, match="'zzz'"):
        detect_drift(ref, cur, threshold={"zzz": 0.1})


# ------------------------------------------------------------------ corrections


def _pvalue_frames(seed: int = 15, k: int = 8):
    g = rng(seed)
    shifts = np.linspace(0.0, 0.35, k)
    ref = pd.DataFrame({f"x{i}": g.normal(size=200) for i in range(k)})
    cur = pd.DataFrame({f"x{i}": g.normal(s, size=200) for i, s in enumerate(shifts)})
    return ref, cur


def test_holm_matches_hand_computation():
    ref, cur = _pvalue_frames()
    rep = detect_drift(ref, cur, correction="holm")
    p = np.array([c.p_value for c in rep.columns])
    m = p.size
    order = np.argsort(p)
    adj = np.empty(m)
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[i]))
        adj[i] = running
    np.testing.assert_allclose([c.p_value_adjusted for c in rep.columns], adj)
    assert [c.drifted for c in rep.columns] == list(adj <= 0.05)


def test_bh_matches_scipy_and_bonferroni_and_none():
    ref, cur = _pvalue_frames()
    p = np.array([c.p_value for c in detect_drift(ref, cur, correction=None).columns])
    bh = detect_drift(ref, cur, correction="bh")
    np.testing.assert_allclose([c.p_value_adjusted for c in bh.columns], stats.false_discovery_control(p, method="bh"))
    bonf = detect_drift(ref, cur, correction="bonferroni")
    np.testing.assert_allclose([c.p_value_adjusted for c in bonf.columns], np.minimum(p * p.size, 1))
    none = detect_drift(ref, cur, correction=None)
    assert [c.p_value_adjusted for c in none.columns] == [c.p_value for c in none.columns]
    assert none.correction is None and bh.correction == "bh"


def test_correction_ignores_distance_columns():
    ref, cur = _pvalue_frames()
    rep = detect_drift(ref, cur, method={"x0": "wasserstein"}, correction="bonferroni")
    p = [c.p_value for c in rep.columns if c.p_value is not None]
    assert rep["x0"].p_value_adjusted is None
    np.testing.assert_allclose(
        [c.p_value_adjusted for c in rep.columns if c.p_value is not None], np.minimum(np.array(p) * len(p), 1)
    )


def test_unknown_correction():
    with pytest.raises(ValueError, match="unknown correction 'fdr'"):
        detect_drift(np.arange(10.0), np.arange(10.0), correction="fdr")


# ------------------------------------------------------------------ missing values, categories, constants


def test_missing_share_drift_is_reported():
    g = rng(16)
    r = g.normal(size=2000)
    c = g.normal(size=2000)
    c[:400] = np.nan  # 0% -> 20% missing, values themselves unchanged
    col = detect_drift(r, c)["value"]
    assert col.missing_reference == 0.0 and col.missing_current == pytest.approx(0.2)
    assert col.missing_shares == (0.0, pytest.approx(0.2))
    assert col.missing_drifted and col.drifted
    assert "missing share" in col.reason


def _holm(p: np.ndarray) -> np.ndarray:
    m = p.size
    out = np.empty(m)
    running = 0.0
    for rank, i in enumerate(np.argsort(p)):
        running = max(running, min(1.0, (m - rank) * p[i]))
        out[i] = running
    return out


def test_missing_share_tests_are_their_own_correction_family():
    g = rng(62)
    ref = pd.DataFrame({"x": g.normal(size=300), "y": g.normal(size=300), "z": g.normal(size=300)})
    cur = pd.DataFrame({"x": g.normal(0.2, size=300), "y": g.normal(size=300), "z": g.normal(size=300)})
    ref.loc[g.random(300) < 0.1, "x"] = np.nan
    cur.loc[g.random(300) < 0.2, "x"] = np.nan
    ref.loc[g.random(300) < 0.1, "y"] = np.nan  # "z" has no missing value: no missing-share test
    raw = detect_drift(ref, cur, correction=None)
    rep = detect_drift(ref, cur)
    # value tests: Holm over the three columns only
    np.testing.assert_allclose([c.p_value_adjusted for c in rep.columns], _holm(np.array([c.p_value for c in raw.columns])))
    # missing-share tests: Holm over x and y, at MISSING_SHARE_ALPHA, with the effect floor
    miss = _holm(np.array([raw["x"].missing_p_value, raw["y"].missing_p_value]))
    assert rep["z"].missing_p_value == 1.0 and not rep["z"].missing_drifted
    for name, adj in zip("xy", miss):
        c = rep[name]
        change = abs(c.missing_current - c.missing_reference)
        assert c.missing_drifted == bool(adj < MISSING_SHARE_ALPHA and change >= MISSING_SHARE_MIN_CHANGE)
    assert MISSING_SHARE_ALPHA == 0.01


def test_missing_values_do_not_change_a_columns_value_verdict():
    g = np.random.default_rng(3)
    x = g.normal(size=400)
    x[:8] = np.nan
    y = g.normal(0.17, 1, 400)
    y[:8] = np.nan
    with_nan, without = detect_drift(x, y)["value"], detect_drift(x[8:], y[8:])["value"]
    assert with_nan.method == without.method == "ks"
    assert with_nan.p_value == without.p_value and with_nan.p_value_adjusted == without.p_value_adjusted
    assert with_nan.statistic == without.statistic
    assert with_nan.drifted == without.drifted
    assert with_nan.p_value == pytest.approx(stats.ks_2samp(x[8:], y[8:]).pvalue, rel=1e-12)
    assert not with_nan.missing_drifted


def test_missing_share_noise_does_not_trip():
    g = rng(17)
    r = g.normal(size=300)
    c = g.normal(size=300)
    r[g.random(300) < 0.30] = np.nan
    c[g.random(300) < 0.33] = np.nan
    col = detect_drift(r, c)["value"]
    assert not col.missing_drifted
    # a significant but tiny change stays below the effect-size floor
    big_r = np.zeros(400_000)
    big_c = np.zeros(400_000)
    big_r[: int(0.10 * big_r.size)] = np.nan
    big_c[: int((0.10 + MISSING_SHARE_MIN_CHANGE / 2) * big_c.size)] = np.nan
    col = detect_drift(big_r, big_c)["value"]
    assert col.missing_p_value < 1e-10 and not col.missing_drifted


def test_inf_and_none_count_as_missing():
    r = pd.Series([1.0, 2.0, np.inf, -np.inf, 3.0, 4.0, 5.0, 6.0, 7.0, np.nan])
    col = detect_drift(r, r)["value"]
    assert col.missing_reference == pytest.approx(0.3)
    s = pd.Series(["a", None, "b", "a"], dtype=object)
    assert detect_drift(s, s)["value"].missing_reference == 0.25


def test_new_and_vanished_categories():
    r = pd.Series(["a"] * 50 + ["b"] * 30 + ["old"] * 20, name="k")
    c = pd.Series(["a"] * 50 + ["b"] * 40 + ["new"] * 10, name="k")
    col = detect_drift(r, c)["k"]
    assert col.new_categories == {"new": pytest.approx(0.1)}
    assert col.vanished_categories == {"old": pytest.approx(0.2)}
    assert "new 'new'" in col.reason and "vanished 'old'" in col.reason
    assert col.drifted


@pytest.mark.parametrize("n", [300, 5000])
def test_constant_columns(n):
    ref = pd.DataFrame({"k": np.full(n, 2.0), "s": ["x"] * n})
    same = detect_drift(ref, ref.iloc[: n // 2])
    assert not same.drifted
    moved = detect_drift(ref, pd.DataFrame({"k": np.full(n, 2.5), "s": ["y"] * n}))
    assert moved["k"].drifted and moved["s"].drifted
    assert all(math.isfinite(c.statistic) or c.statistic == math.inf for c in moved.columns)
    wide = detect_drift(ref["k"], pd.Series(np.linspace(0, 4, n), name="k"), method="wasserstein")["k"]
    assert wide.statistic == pytest.approx(stats.wasserstein_distance(ref["k"], np.linspace(0, 4, n)) / 0.001)


# ------------------------------------------------------------------ inputs and errors


def test_series_and_array_inputs_and_lengths():
    g = rng(18)
    rep = detect_drift(pd.Series(g.normal(size=100), name="score"), pd.Series(g.normal(size=37), name="score"))
    assert [c.name for c in rep.columns] == ["score"]
    assert (rep.n_reference, rep.n_current) == (100, 37)
    assert detect_drift(g.normal(size=50), g.normal(size=80)).columns[0].name == "value"


def test_inputs_are_not_mutated():
    g = rng(19)
    ref = pd.DataFrame({"a": g.normal(size=3000), "s": pd.Series(g.choice(list("ab"), 3000), dtype="str")})
    ref.loc[::7, "a"] = np.inf
    cur = ref.copy()
    before_r, before_c = ref.copy(), cur.copy()
    detect_drift(ref, cur)
    pd.testing.assert_frame_equal(ref, before_r)
    pd.testing.assert_frame_equal(cur, before_c)


def _frames():
    g = rng(20)
    ref = pd.DataFrame({"a": g.normal(size=50), "b": g.normal(size=50)})
    return ref, ref.copy()


def test_missing_column_names_column_and_side():
    ref, cur = _frames()
    with pytest.raises(ValueError, match="'b' is missing in current"):
        detect_drift(ref, cur.drop(columns="b"))
    with pytest.raises(ValueError, match="'b' is missing in reference"):
        detect_drift(ref.drop(columns="b"), cur)
    with pytest.raises(ValueError, match="'zz' is missing in reference"):
        detect_drift(ref, cur, columns=["a", "zz"])


def test_columns_subset():
    ref, cur = _frames()
    assert [c.name for c in detect_drift(ref, cur, columns=["b"]).columns] == ["b"]


def test_empty_frames_name_the_side():
    ref, cur = _frames()
    with pytest.raises(ValueError, match="current is empty"):
        detect_drift(ref, cur.iloc[:0])
    with pytest.raises(ValueError, match="reference is empty"):
        detect_drift(ref.iloc[:0], cur)


def test_all_nan_column():
    ref, cur = _frames()
    bad = cur.assign(b=np.nan)
    with pytest.raises(ValueError, match="'b' is all missing .* in current"):
        detect_drift(ref, bad)
    with pytest.raises(ValueError, match="'b' is all missing .* in reference"):
        detect_drift(ref.assign(b=np.inf), cur)
    with pytest.raises(ValueError, match="'s' is all missing .* in current"):
        detect_drift(pd.DataFrame({"s": ["a", "b"]}), pd.DataFrame({"s": [None, None]}, dtype=object))
    with pytest.raises(ValueError, match="'b' is all missing .* in current"):
        detect_drift(ref, cur.assign(b=pd.Series([None] * len(cur), dtype=object)))


def test_numeric_column_with_strings_on_other_side():
    ref, cur = _frames()
    bad = cur.assign(b=["oops"] + [1.0] * 49)
    with pytest.raises(TypeError, match=r"'b' is numeric in reference \(dtype float64\) but not in current \(dtype object\)"):
        detect_drift(ref, bad)
    # strings that look like numbers are not parsed either, on either side
    as_text = cur.assign(b=cur["b"].astype(str))
    with pytest.raises(TypeError, match=r"'b' is numeric in reference \(dtype float64\) but not in current \(dtype (str|object)"):
        detect_drift(ref, as_text)
    with pytest.raises(TypeError, match=r"'b' is numeric in current \(dtype float64\) but not in reference \(dtype category\)"):
        detect_drift(ref.assign(b=ref["b"].astype("category")), cur)
    # ... unless the column is listed in categorical=: both sides are categories
    col = detect_drift(ref, as_text, categorical=["b"])["b"]
    assert col.kind == "categorical"
    # an object column holding numbers is numbers; bool against numbers stays numeric
    assert detect_drift(ref, cur.assign(b=cur["b"].astype(object)))["b"].kind == "numeric"
    flags = pd.DataFrame({"f": [0, 1] * 25})
    assert detect_drift(flags, flags.astype(bool))["f"].kind == "numeric"


def test_all_missing_is_reported_before_the_dtype_check():
    with pytest.raises(ValueError, match=r"'value' is all missing \(NaN/None\) in current"):
        detect_drift(pd.Series(["a", "b"] * 50), pd.Series([np.nan] * 100))
    with pytest.raises(ValueError, match=r"'k' is all missing \(NaN/None\) in reference"):
        detect_drift(pd.DataFrame({"k": [None] * 10}, dtype=object), pd.DataFrame({"k": np.arange(10.0)}))
    with pytest.raises(ValueError, match=r"'k' is all missing \(NaN/None\) in current"):
        detect_drift(pd.DataFrame({"k": np.arange(10.0)}), pd.DataFrame({"k": pd.Series([None] * 10, dtype="str")}))


def test_single_columns_are_paired_whatever_their_names():
    g = rng(23)
    ref = pd.DataFrame({"a": g.normal(size=200)})
    cur = pd.DataFrame({"a": g.normal(size=150)})
    want = detect_drift(ref, cur)["a"]
    got = detect_drift(ref["a"], cur["a"].to_numpy())
    assert [c.name for c in got.columns] == ["a"] and got["a"].p_value == want.p_value
    two = detect_drift(ref["a"].rename("before"), cur["a"].rename("after"))
    assert [c.name for c in two.columns] == ["before"] and two["before"].p_value == want.p_value
    assert detect_drift(ref["a"].to_numpy(), cur["a"].rename("after")).columns[0].name == "after"
    unnamed = detect_drift(ref["a"].rename(None), cur["a"].to_numpy())
    assert unnamed.columns[0].name == "value" and unnamed["value"].p_value == want.p_value
    # Python lists are 1-d inputs too, numbers and categories alike
    lists = detect_drift(list(ref["a"]), list(cur["a"]))
    assert lists["value"].p_value == want.p_value and lists["value"].kind == "numeric"
    cats = detect_drift(["x", "y"] * 50, pd.Series(["x", "y"] * 40, name="k"))
    assert cats.columns[0].name == "k" and cats["k"].kind == "categorical" and not cats.drifted
    with pytest.raises(ValueError, match="current is empty"):
        detect_drift([1.0, 2.0], [])


@pytest.mark.parametrize(
    "columns",
    [("b", "a"), {"b", "a"}, dict.fromkeys(["b", "a"]).keys(), (c for c in ["b", "a"]), pd.Index(["b", "a"])],
    ids=["tuple", "set", "dict_keys", "generator", "index"],
)
def test_columns_accepts_any_iterable(columns):
    ref, cur = _frames()
    names = [c.name for c in detect_drift(ref, cur, columns=columns).columns]
    assert sorted(names) == ["a", "b"]
    if not isinstance(columns, set):
        assert names == ["b", "a"]
    else:
        assert names == ["a", "b"]  # a set has no order: the reference's is used


def test_columns_single_name_and_empty():
    ref, cur = _frames()
    assert [c.name for c in detect_drift(ref, cur, columns="b").columns] == ["b"]
    for empty in ([], (), set(), {}.keys(), (c for c in [])):
        with pytest.raises(ValueError, match="columns= is empty"):
            detect_drift(ref, cur, columns=empty)


def test_unknown_method_names_column_and_lists_valid():
    ref, cur = _frames()
    with pytest.raises(ValueError, match=r"column 'a': unknown drift method 'foo'; valid: .*'ks'.*'energy'"):
        detect_drift(ref, cur, method={"a": "foo"})


def test_numeric_only_method_on_categorical():
    s = pd.Series(list("abcab") * 20)
    with pytest.raises(ValueError, match="categorical but method 'ks'"):
        detect_drift(s, s, method="ks")


def test_bad_shapes_and_types():
    with pytest.raises(TypeError, match="2-d array"):
        detect_drift(np.zeros((5, 2)), np.zeros(5))
    with pytest.raises(TypeError, match="current must be a pandas DataFrame"):
        detect_drift(np.zeros(5), {"a": [1, 2, 3]})
    with pytest.raises(TypeError, match="current holds a list where one value per row is expected"):
        detect_drift(np.zeros(5), [[1, 2], [3, 4]])
    with pytest.raises(TypeError, match="threshold must be a number"):
        detect_drift(np.arange(9.0), np.arange(9.0), threshold="high")
    with pytest.raises(ValueError, match="max_drift_share"):
        assert_no_drift(np.arange(9.0), np.arange(9.0), max_drift_share=2)


# ------------------------------------------------------------------ assertion and report


def _drifting():
    g = rng(21)
    ref = pd.DataFrame({"a": g.normal(size=300), "b": g.normal(size=300), "c": g.choice(list("xyz"), 300)})
    cur = pd.DataFrame({"a": g.normal(1.0, size=300), "b": ref["b"].to_numpy()[::-1], "c": ref["c"].to_numpy()})
    return ref, cur


def test_drift_detected_is_assertion_error_with_report():
    ref, cur = _drifting()
    with pytest.raises(AssertionError) as info:
        assert_no_drift(ref, cur)
    err = info.value
    assert isinstance(err, DriftDetected)
    assert isinstance(err.report, DriftReport) and err.report.drifted_columns == ["a"]
    text = str(err)
    # the headline first: pytest's short summary and JUnit's message show the first line
    headline, *lines = text.splitlines()
    assert headline.startswith("Data drift: 1 of 3 columns drifted")
    assert lines[0].split() == ["column", "method", "statistic", "p-value", "threshold", "effect", "reason"]
    assert lines[2].startswith("a ") and "ks" in lines[2]
    assert len(lines) == 3
    assert " b " not in text


def test_drift_detected_pickles():
    ref, cur = _drifting()
    with pytest.raises(DriftDetected) as info:
        assert_no_drift(ref, cur)
    copy = pickle.loads(pickle.dumps(info.value))
    assert str(copy) == str(info.value) and copy.report.drifted_columns == ["a"]


def test_max_drift_share_and_return_value():
    ref, cur = _drifting()
    rep = assert_no_drift(ref, cur, max_drift_share=0.5)
    assert isinstance(rep, DriftReport) and rep.drift_share == pytest.approx(1 / 3)
    assert assert_no_drift(ref, ref).drifted is False


def test_report_outputs():
    ref, cur = _drifting()
    cur = cur.copy()
    cur.loc[:5, "b"] = np.nan
    rep = detect_drift(ref, cur)
    frame = rep.to_frame()
    assert list(frame["name"]) == ["a", "b", "c"] and len(frame.columns) >= 13
    md = rep.to_markdown()
    rows = [line for line in md.splitlines() if line.startswith("| ")]
    assert rows[0].startswith("| column |") and rows[1].startswith("| a |")
    assert "**yes**" in rows[1]
    d = rep.to_dict()
    json.dumps(d, allow_nan=False)
    assert d["drifted"] is True and d["n_drifted"] == 1 and d["n_columns"] == 3
    assert set(d["columns"][0]) >= {
        "name", "kind", "method", "statistic", "p_value", "p_value_adjusted", "threshold", "drifted",
        "missing_reference", "missing_current", "missing_drifted", "new_categories", "vanished_categories", "reason",
    }
    s = str(rep)
    assert s.startswith("drift in 1 of 3 columns") and "ks" in s


def test_to_dict_writes_non_finite_floats_as_strings():
    col = ColumnDrift("x", "numeric", "ks", float("nan"), float("inf"), 0.05, False, 0.0, 0.0, False, {1: 0.5})
    d = col.to_dict()
    assert d["statistic"] == "nan" and d["p_value"] == "inf" and d["new_categories"] == {"1": 0.5}
    assert ColumnDrift("x", "numeric", "z", -math.inf, 0.0, 0.05, True, 0.0, 0.0, False).to_dict()["statistic"] == "-inf"
    assert json.loads(json.dumps(d, allow_nan=False)) == d
    # a new category makes Evidently's chi-square infinite: the JSON report keeps it
    rep = detect_drift(
        pd.Series(["a", "b"] * 150, name="k"), pd.Series(["a", "b"] * 148 + ["c"] * 4, name="k"), method="evidently"
    )
    d = rep.to_dict()
    assert d["columns"][0]["statistic"] == "inf" and d["columns"][0]["p_value"] == 0.0
    assert json.loads(json.dumps(d, allow_nan=False)) == d
    assert rep.to_frame().loc["k", "statistic"] == math.inf
    for value in d["columns"][0].values():
        assert value is None or isinstance(value, (str, int, float, bool, dict))


def test_report_columns_by_name_and_position():
    ref, cur = _drifting()
    rep = detect_drift(ref, cur)
    cols = rep.columns
    assert isinstance(cols, list) and len(cols) == 3
    assert cols[0].name == "a" and cols[-1].name == "c" and [c.name for c in cols[1:]] == ["b", "c"]
    assert cols["b"] is cols[1] is rep["b"]
    assert [c.name for c in cols] == ["a", "b", "c"] and "b" in cols and cols[2] in cols and "zz" not in cols
    with pytest.raises(KeyError, match="'zz'"):
        cols["zz"]
    with pytest.raises(KeyError, match="'zz'"):
        rep["zz"]
    # integer column names: integers index positions, names still look up
    ints = detect_drift(pd.DataFrame({10: ref["a"], 20: ref["b"]}), pd.DataFrame({10: cur["a"], 20: cur["b"]}))
    assert ints.columns[0].name == 10 and ints.columns[1].name == 20 and ints[20].name == 20
    frame = rep.to_frame()
    assert frame.index.name == "column" and list(frame.index) == ["a", "b", "c"]
    assert list(frame["name"]) == ["a", "b", "c"] and frame.loc["a", "drifted"]
    copy = pickle.loads(pickle.dumps(rep))
    assert copy.columns["a"].name == "a"


def test_drift_failure_hides_library_frames(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        import numpy as np
        from pytest_mlgate.drift import assert_no_drift

        def test_moved():
            rng = np.random.default_rng(1)
            assert_no_drift(rng.normal(size=300), rng.normal(1.0, size=300))
    """)
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    out = result.stdout.str()
    assert "drift.py" not in out
    lines = result.stdout.lines
    first = next(i for i, line in enumerate(lines) if "DriftDetected:" in line and line.startswith("E "))
    assert "DriftDetected: Data drift: 1 of 1 columns drifted" in lines[first]
    # the short summary (untruncated with -vv, as on CI) carries the headline
    verbose = pytester.runpytest("-vv")
    verbose.stdout.fnmatch_lines(["FAILED *::test_moved - *DriftDetected: Data drift: 1 of 1 columns drifted*"])
    header, row = lines[first + 1], lines[first + 3]
    assert header.split()[:3] == ["E", "column", "method"] and row.split()[:3] == ["E", "value", "ks"]
    assert header.index("column") == row.index("value") and header.index("method") == row.index("ks")


# ------------------------------------------------------------------ statistical properties


def _null_and_power(reps: int, shift: float) -> float:
    hits = 0
    for rep in range(reps):
        g = rng(1000 + rep)
        ref = g.normal(size=(300, 20))
        cur = g.normal(size=(300, 20))
        cur[:, 7] += shift
        rep_ = detect_drift(pd.DataFrame(ref), pd.DataFrame(cur))
        hits += rep_.drifted
    return hits / reps


def test_false_alarm_rate_with_twenty_columns():
    assert _null_and_power(200, 0.0) <= 0.08


def test_power_for_half_sd_shift():
    assert _null_and_power(200, 0.5) >= 0.95


def test_false_alarm_rate_with_missing_values():
    # the missing-share family is judged at a stricter alpha, so 10% NaN does not double the alarms
    hits = 0
    for rep in range(200):
        g = rng(3000 + rep)
        ref, cur = g.normal(size=(300, 20)), g.normal(size=(300, 20))
        ref[g.random(ref.shape) < 0.1] = np.nan
        cur[g.random(cur.shape) < 0.1] = np.nan
        hits += detect_drift(pd.DataFrame(ref), pd.DataFrame(cur)).drifted
    assert hits / 200 <= 0.08


_LEVELS = np.array(list("abcd"))


def _categorical_hits(
    reps: int, n_columns: int, rows: int, shifted: list[float] | None, method: str = "chi2_homogeneity"
) -> float:
    hits = 0
    for rep in range(reps):
        g = rng(4000 + rep)
        ref = pd.DataFrame({f"k{i}": g.choice(_LEVELS, rows) for i in range(n_columns)})
        cur = pd.DataFrame({f"k{i}": g.choice(_LEVELS, rows) for i in range(n_columns)})
        if shifted is not None:
            cur["k0"] = g.choice(_LEVELS, rows, p=shifted)
            hits += detect_drift(ref, cur, method=method)["k0"].drifted
        else:
            hits += detect_drift(ref, cur, method=method).drifted
    return hits / reps


def test_categorical_false_alarm_rate_with_chi2_homogeneity():
    # the two-sample test keeps Holm's ~5%; Evidently's goodness of fit (the default "chisquare")
    # ignores the reference's own noise and raises in most runs here
    assert _categorical_hits(200, 10, 300, None) <= 0.08
    assert _categorical_hits(200, 10, 300, None, method="auto") <= 0.08
    assert _categorical_hits(40, 10, 300, None, method="evidently") >= 0.3


def test_categorical_power_for_one_level_shift():
    # one level's share 25% -> 40%: the two-sample test's power is ~0.9 at 300 rows per side
    assert _categorical_hits(200, 1, 300, [0.4, 0.2, 0.2, 0.2]) >= 0.85
    assert _categorical_hits(200, 10, 500, [0.4, 0.2, 0.2, 0.2]) >= 0.90


def test_large_data_tiny_shift_passes_and_real_shift_fails():
    g = rng(22)
    ref = pd.DataFrame(g.normal(size=(30_000, 5)), columns=list("abcde"))
    tiny = pd.DataFrame(g.normal(size=(30_000, 5)), columns=list("abcde"))
    tiny["c"] += 0.01
    assert_no_drift(ref, tiny)
    shifted = tiny.copy()
    shifted["c"] += 0.3
    with pytest.raises(DriftDetected) as info:
        assert_no_drift(ref, shifted)
    assert info.value.report.drifted_columns == ["c"]
    assert info.value.report["c"].method == "ks" and info.value.report["c"].effect >= 0.1


@pytest.mark.parametrize(("n_r", "n_c"), [(300, 400), (20_000, 15_000), (12_000, 30_001)])
def test_auto_ks_matches_scipy_at_every_size(n_r, n_c):
    from pytest_mlgate.drift import ks_sorted

    g = rng(n_r)
    r, c = g.normal(size=n_r), g.normal(0.02, size=n_c)
    res = stats.ks_2samp(r, c)
    d, p = ks_sorted(np.sort(r), np.sort(c))
    assert d == pytest.approx(res.statistic, rel=1e-12) and p == pytest.approx(res.pvalue, rel=1e-9)
    tied_r, tied_c = np.round(r * 2), np.round(c * 2)  # many ties, more than 5 values
    res = stats.ks_2samp(tied_r, tied_c)
    assert ks_sorted(np.sort(tied_r), np.sort(tied_c)) == pytest.approx((res.statistic, res.pvalue), rel=1e-9)
    col = detect_drift(r, c, correction=None)["value"]
    assert col.method == "ks" and col.p_value == pytest.approx(stats.ks_2samp(r, c).pvalue, rel=1e-9)
