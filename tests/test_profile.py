"""Tests of profiles: building, merging, files, and drift verdicts from profiles against the rows."""

from __future__ import annotations

import importlib
import json
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from pytest_mlgate import drift as drift_module
from pytest_mlgate.drift import DriftDetected, assert_no_drift, detect_drift
from pytest_mlgate.profile import RANK_ERROR, SKETCH_K, Profile, ProfileError, profile
from pytest_mlgate.profile_drift import profile_drift

profile_drift_module = importlib.import_module("pytest_mlgate.profile_drift")

profile_module = importlib.import_module("pytest_mlgate.profile")


def frame(seed: int, n: int, shift: float = 0.0, scale: float = 1.0, cat_p=(0.4, 0.3, 0.2, 0.1)) -> pd.DataFrame:
    g = np.random.default_rng(seed)
    x = g.normal(shift, scale, n)
    x[g.random(n) < 0.02] = np.nan
    return pd.DataFrame(
        {
            "x": x,
            "u": g.uniform(0, 10, n) + shift,
            "k": g.integers(0, 3, n),
            "c": g.choice(list("abcd"), n, p=list(cat_p)),
            "b": g.random(n) < 0.3,
        }
    )


# ------------------------------------------------------------------ building and merging


def test_counts_moments_and_categories_are_exact():
    df = frame(0, 5000)
    p = profile(df)
    x = df["x"].to_numpy()
    fin = x[np.isfinite(x)]
    col = p["x"]
    assert (col.kind, col.rows, col.missing) == ("numeric", 5000, int(np.isnan(x).sum()))
    assert col.moments.n == fin.size
    assert col.moments.true_mean == pytest.approx(fin.mean(), rel=1e-12)
    assert col.moments.std == pytest.approx(fin.std(), rel=1e-12)
    assert (col.moments.min, col.moments.max) == (fin.min(), fin.max())
    assert p["k"].values == {float(v): int(c) for v, c in df["k"].value_counts().items()}
    assert p["c"].categories == df["c"].value_counts().to_dict()
    assert p["b"].kind == "bool" and p["b"].categories == df["b"].value_counts().to_dict()
    assert p["u"].values is None  # many distinct values: no exact value counts


def test_sketch_is_exact_up_to_k_and_within_the_stated_rank_error_beyond():
    small = profile(pd.DataFrame({"x": np.arange(SKETCH_K, dtype=float)}))["x"]
    assert small.rank_error == 0.0
    big = profile(pd.DataFrame({"x": np.random.default_rng(1).normal(size=200_000)}))["x"]
    # KLL's bound plus the pre-compaction's Hoeffding term: 4 chunks of 65,536 -> about 0.05%
    assert RANK_ERROR < big.rank_error < RANK_ERROR + 0.0006
    values = np.sort(np.random.default_rng(1).normal(size=200_000))
    points = np.quantile(values, np.linspace(0.01, 0.99, 99))
    true = np.searchsorted(values, points, side="right") / values.size
    est = np.asarray(big.sketch.get_cdf(points, True))[:-1]
    assert np.max(np.abs(est - true)) <= RANK_ERROR


@pytest.mark.parametrize("size", [2_000, 2_001, 65_535, 65_536, 65_537, 300_001])
def test_sorted_chunks_build_a_valid_sketch_of_the_exact_count(size):
    from datasketches import kll_doubles_sketch

    x = np.random.default_rng(size).standard_t(3, size)
    col = profile(pd.DataFrame({"x": x}))["x"]
    s = col.sketch
    assert int(s.n) == size and (s.get_min_value(), s.get_max_value()) == (x.min(), x.max())
    again = kll_doubles_sketch.deserialize(s.serialize())
    assert again.serialize() == s.serialize()
    assert col.sketch_var > 0 and 0 < col.rank_error < 0.005
    v = np.sort(x)
    points = v[np.linspace(0, size - 1, 501).astype(int)]
    true = np.searchsorted(v, points, side="right") / size
    est = np.asarray(s.get_cdf(points, True))[:-1]
    assert np.max(np.abs(est - true)) <= col.rank_error


def test_pre_compacted_sketch_error_stays_within_the_stated_bound_over_seeds():
    # the stated bound is per query at 99%; over 40 seeds the sup over 201 quantiles stays inside it
    worst = 0.0
    for seed in range(40):
        x = np.random.default_rng(seed).lognormal(0, 2, 131_072)
        col = profile(pd.DataFrame({"x": x}))["x"]
        v = np.sort(x)
        points = v[np.linspace(0, v.size - 1, 201).astype(int)]
        true = np.searchsorted(v, points, side="right") / v.size
        est = np.asarray(col.sketch.get_cdf(points, True))[:-1]
        worst = max(worst, float(np.max(np.abs(est - true))) / col.rank_error)
    assert worst < 1.0


def test_sketch_var_is_merged_saved_and_validated(tmp_path):
    a = profile(pd.DataFrame({"x": np.arange(100_000, dtype=float)}))
    b = profile(pd.DataFrame({"x": np.arange(50_000, dtype=float)}))
    m = a.merge(b)
    assert m["x"].sketch_var == a["x"].sketch_var + b["x"].sketch_var > 0
    path = tmp_path / "p.json"
    m.save(path)
    assert Profile.load(path)["x"].sketch_var == m["x"].sketch_var
    assert Profile.load(path)["x"].rank_error == m["x"].rank_error
    data = json.loads(path.read_text())
    for bad in (-1.0, "1", True):
        data["columns"][0]["sketch_var"] = bad
        path.write_text(json.dumps(data))
        with pytest.raises(ProfileError, match="sketch_var"):
            Profile.load(path)
    del data["columns"][0]["sketch_var"]  # files written before the field load with 0
    path.write_text(json.dumps(data))
    assert Profile.load(path)["x"].sketch_var == 0.0


def test_merge_equals_profile_of_union_and_is_associative():
    df = frame(2, 30_000)
    a, b, c = df.iloc[:7000], df.iloc[7000:19000], df.iloc[19000:]
    whole = profile(df)
    left = profile(a).merge(profile(b)).merge(profile(c))
    right = profile(a).merge(profile(b).merge(profile(c)))
    for p in (left, right):
        assert p.rows == whole.rows
        for name in df.columns:
            assert p[name].missing == whole[name].missing
            assert p[name].categories == whole[name].categories
            assert p[name].values == whole[name].values
        m, w = p["x"].moments, whole["x"].moments
        assert (m.n, m.min, m.max) == (w.n, w.min, w.max)
        assert m.true_mean == pytest.approx(w.true_mean, rel=1e-12, abs=1e-15)
        assert m.std == pytest.approx(w.std, rel=1e-12)
        q = np.linspace(0.05, 0.95, 19)
        merged_q = np.asarray(p["u"].sketch.get_quantiles(q))
        true_rank = np.searchsorted(np.sort(df["u"].to_numpy()), merged_q, side="right") / len(df)
        assert np.max(np.abs(true_rank - q)) <= 2 * RANK_ERROR


def test_moments_of_extreme_scales_neither_overflow_nor_underflow():
    g = np.random.default_rng(3)
    for scale in (1e-300, 1e-5, 1e160, 1e300):
        x = g.normal(0, 1, 5000) * scale
        p = profile(pd.DataFrame({"x": x[:2000]})).merge(profile(pd.DataFrame({"x": x[2000:] * 4})))
        both = np.concatenate([x[:2000], x[2000:] * 4])
        assert p["x"].moments.std == pytest.approx(np.std(both / scale) * scale, rel=1e-9, abs=0)


def test_category_cap_pools_rare_categories_into_other(monkeypatch):
    monkeypatch.setattr(profile_module, "CATEGORY_CAP", 3)
    s = pd.Series(list("aaaabbbccd") + list("efg"))
    p = profile(pd.DataFrame({"c": s}))["c"]
    assert p.categories == {"a": 4, "b": 3, "c": 2}
    assert (p.other_rows, p.other_categories) == (4, 4)
    assert p.n_distinct is None


def test_profile_errors_name_the_input():
    with pytest.raises(TypeError, match="data must be"):
        profile(42)
    with pytest.raises(ValueError, match="column 'nope' is not in the data"):
        profile(pd.DataFrame({"x": [1.0]}), columns=["nope"])
    with pytest.raises(TypeError, match="column 't'.*unsupported dtype"):
        profile(pd.DataFrame({"t": pd.to_datetime(["2024-01-01"])}))
    with pytest.raises(ProfileError, match="different columns"):
        profile(pd.DataFrame({"x": [1.0]})).merge(profile(pd.DataFrame({"y": [1.0]})))


# ------------------------------------------------------------------ files


def test_save_load_round_trip_is_strict_json(tmp_path):
    df = frame(4, 3000)
    p = profile(df)
    path = tmp_path / "ref.profile.json"
    p.save(path)
    text = path.read_text()
    data = json.loads(text, parse_constant=lambda t: pytest.fail(f"non-strict JSON constant {t}"))
    assert data["format"] == "pytest-mlgate-profile" and data["version"] == 1
    assert data["sketch"] == {"type": "kll_doubles", "k": SKETCH_K, "rank_error_99": RANK_ERROR}
    q = Profile.load(path)
    assert q.to_json() == p.to_json()
    current = profile(frame(5, 3000))  # one sketch of the current side (KLL compaction is randomised)
    assert detect_drift(q, current).to_dict() == detect_drift(p, current).to_dict()


@pytest.mark.parametrize(
    "mutate, cause",
    [
        (lambda d: d.update(version=99), "unsupported profile version 99"),
        (lambda d: d.update(format="other"), "not a pytest-mlgate profile"),
        (lambda d: d["columns"][0].update(sketch="!!notbase64"), "quantile sketch cannot be decoded"),
        (lambda d: d["columns"][0].update(missing=10**9), "missing .* exceeds rows"),
        (lambda d: d["columns"][1]["categories"].append(["zz", 5]), "category counts sum to"),
        (lambda d: d["columns"][0]["moments"].update(n=1), "counts disagree"),
        (lambda d: d.update(columns=[]), "'columns' must be a non-empty list"),
        (lambda d: d["columns"][0].update(kind="text"), "kind must be one of"),
    ],
)
def test_load_rejects_a_bad_file_naming_file_and_cause(tmp_path, mutate, cause):
    path = tmp_path / "bad.json"
    data = profile(pd.DataFrame({"x": np.arange(50.0), "c": ["a", "b"] * 25})).to_json()
    mutate(data)
    path.write_text(json.dumps(data))
    with pytest.raises(ProfileError, match=f"profile file '.*bad.json'.*{cause}"):
        Profile.load(path)


def test_load_rejects_unreadable_and_non_strict_files(tmp_path):
    with pytest.raises(ProfileError, match="cannot be read"):
        Profile.load(tmp_path / "absent.json")
    (tmp_path / "nan.json").write_text('{"format": NaN}')
    with pytest.raises(ProfileError, match="NaN is not strict JSON"):
        Profile.load(tmp_path / "nan.json")
    (tmp_path / "trunc.json").write_text('{"format": ')
    with pytest.raises(ProfileError, match="not valid JSON"):
        Profile.load(tmp_path / "trunc.json")


# ------------------------------------------------------------------ drift: the rule on the rows


def rows_verdicts(ref: pd.DataFrame, cur: pd.DataFrame, alpha: float = 0.05) -> dict[str, bool]:
    """The auto rule computed exactly from the rows, with scipy (the reference implementation)."""
    names, pvals, effects, floors = [], [], [], []
    for name in ref.columns:
        r, c = ref[name], cur[name]
        numeric = pd.api.types.is_numeric_dtype(r.dtype) and not pd.api.types.is_bool_dtype(r.dtype)
        if numeric:
            r = r.to_numpy(float)
            c = c.to_numpy(float)
            r, c = r[np.isfinite(r)], c[np.isfinite(c)]
        else:
            r, c = r.dropna().to_numpy(), c.dropna().to_numpy()
        if numeric and np.unique(np.concatenate([r, c])).size > 5:
            p = stats.ks_2samp(r, c, method="asymp").pvalue
            eff = stats.wasserstein_distance(r, c) / max(r.std(), 1e-9 * np.abs(r).max())
            floor = drift_module.NUMERIC_EFFECT_FLOOR
        else:
            keys = np.unique(np.concatenate([r, c]).astype(str))
            cr = np.array([(r.astype(str) == k).sum() for k in keys], float)
            cc = np.array([(c.astype(str) == k).sum() for k in keys], float)
            sparse = (cr + cc) * min(cr.sum(), cc.sum()) / (cr.sum() + cc.sum()) < 5
            tr = np.append(cr[~sparse], cr[sparse].sum()) if sparse.any() else cr
            tc = np.append(cc[~sparse], cc[sparse].sum()) if sparse.any() else cc
            keep = (tr + tc) > 0
            table = np.vstack([tr[keep], tc[keep]])
            p = stats.chi2_contingency(table, correction=False).pvalue if table.shape[1] > 1 else 1.0
            eff = 0.5 * np.abs(cr / cr.sum() - cc / cc.sum()).sum()
            floor = drift_module.CATEGORICAL_EFFECT_FLOOR
        names.append(name)
        pvals.append(p)
        effects.append(eff)
        floors.append(floor)
    adj = drift_module._adjust(np.array(pvals), "holm")
    return {n: bool(a < alpha and e >= f) for n, a, e, f in zip(names, adj, effects, floors)}


CASES = [
    ("same, small", dict(n=400), dict(n=400)),
    ("same, large", dict(n=60_000), dict(n=50_000)),
    ("shift 0.3", dict(n=3000), dict(n=2000, shift=0.3)),
    ("tiny shift, huge n", dict(n=200_000), dict(n=200_000, shift=0.02)),
    ("scale change", dict(n=20_000), dict(n=20_000, scale=1.6)),
    ("category shift", dict(n=5000), dict(n=5000, cat_p=(0.2, 0.3, 0.2, 0.3))),
]


@pytest.mark.parametrize("label, ref_kw, cur_kw", CASES, ids=[c[0] for c in CASES])
def test_verdicts_from_profiles_equal_verdicts_from_rows(label, ref_kw, cur_kw):
    ref, cur = frame(10, **ref_kw), frame(11, **cur_kw)
    expected = rows_verdicts(ref, cur)
    for report in (detect_drift(profile(ref), cur), detect_drift(ref, profile(cur)), detect_drift(profile(ref), profile(cur))):
        for col in report.columns:
            if "within sketch error" in col.reason:
                continue
            assert col.drifted == expected[col.name], (label, col.name, col.reason)
    if not label.startswith(("same", "tiny")):  # same-distribution rates: test_false_alarm_rate_...
        assert any(expected.values())
    if label.startswith("tiny"):  # significant at n=200,000 but below the effect floor
        assert not expected["x"] and not expected["u"]


def test_exact_sketches_give_the_rows_statistics():
    g = np.random.default_rng(5)
    r, c = g.normal(size=600), g.normal(0.1, 1.2, size=700)
    col = detect_drift(profile(pd.DataFrame({"x": r})), pd.DataFrame({"x": c}), correction=None)["x"]
    res = stats.ks_2samp(r, c)  # exact p-value, as for the rows
    assert col.method == "ks" and col.statistic == pytest.approx(res.statistic, abs=1e-12)
    assert col.p_value == pytest.approx(res.pvalue, rel=1e-9)
    w = stats.wasserstein_distance(r, c) / r.std()
    assert col.effect == pytest.approx(w, rel=1e-9) and f"effect {drift_module._fmt(w)} >= 0.1" in col.reason


def test_a_five_sd_shift_drifts_at_any_scale():
    g = np.random.default_rng(6)
    for scale in (1e-5, 1.0, 1e160):
        ref = pd.DataFrame({"x": g.normal(0, 1, 3000) * scale})
        cur = pd.DataFrame({"x": g.normal(5, 1, 3000) * scale})
        assert detect_drift(profile(ref), cur)["x"].drifted, scale
        assert not detect_drift(profile(ref), pd.DataFrame({"x": g.normal(0, 1, 3000) * scale}))["x"].drifted


def test_false_alarm_rate_from_profiles_is_small():
    hits = 0
    for seed in range(20):
        hits += detect_drift(profile(frame(100 + seed, 2000)), frame(200 + seed, 1500)).drifted
    assert hits <= 3  # at most 5% by design; 3 of 20 is p < 0.08 under 5%


def test_within_sketch_error_is_reported():
    g = np.random.default_rng(7)
    ref = pd.DataFrame({"x": g.normal(size=100_000)})
    # a shift whose W1/std sits right at the 0.1 floor: inside the sketch's error band
    cur = pd.DataFrame({"x": g.normal(0.1, 1, 100_000)})
    col = detect_drift(profile(ref), profile(cur))["x"]
    assert "within sketch error" in col.reason


def test_new_vanished_categories_and_missing_share_from_profiles():
    ref = pd.DataFrame({"c": ["a", "b", "c"] * 200, "x": np.r_[np.arange(590.0), [np.nan] * 10]})
    cur = pd.DataFrame({"c": ["a", "b", "z"] * 200, "x": np.r_[np.arange(400.0), [np.nan] * 200]})
    report = detect_drift(profile(ref), cur)
    assert report["c"].new_categories == {"z": pytest.approx(1 / 3)}
    assert report["c"].vanished_categories == {"c": pytest.approx(1 / 3)}
    assert report["x"].missing_drifted and report["x"].drifted
    with pytest.raises(DriftDetected, match="Data drift"):
        assert_no_drift(profile(ref), cur)


def test_named_methods_from_profiles_and_row_only_methods_raise():
    g = np.random.default_rng(8)
    r, c = g.normal(size=500), g.normal(0.2, size=500)
    pr = profile(pd.DataFrame({"x": r}))
    cur = pd.DataFrame({"x": c})
    ks = detect_drift(pr, cur, method="ks", correction=None)["x"]
    assert ks.p_value == pytest.approx(stats.ks_2samp(r, c).pvalue, rel=1e-9)
    t = detect_drift(pr, cur, method="t_test", correction=None)["x"]
    assert t.p_value == pytest.approx(stats.ttest_ind(r, c).pvalue, rel=1e-9)
    w = detect_drift(pr, cur, method="wasserstein")["x"]
    assert w.statistic == pytest.approx(stats.wasserstein_distance(r, c) / r.std(), rel=1e-9)
    for m in ("mannwhitney", "energy", "anderson", "cramer_von_mises"):
        with pytest.raises(ValueError, match=f"method '{m}' needs the raw rows"):
            detect_drift(pr, cur, method=m)


def test_profile_drift_errors_name_column_and_side():
    p = profile(pd.DataFrame({"x": [np.nan, np.nan], "c": ["a", "b"]}))
    q = profile(pd.DataFrame({"x": [1.0, 2.0], "c": ["a", "b"]}))
    with pytest.raises(ValueError, match="column 'x' is all missing .* in reference"):
        profile_drift(p, q)
    with pytest.raises(ValueError, match="column 'y' is missing in reference"):
        detect_drift(q, pd.DataFrame({"x": [1.0], "c": ["a"], "y": [1]}))
    with pytest.raises(TypeError, match="column 'c' is numeric in current"):
        detect_drift(q, pd.DataFrame({"x": [1.0, 2.0], "c": [1.5, 2.5]}))
    assert not math.isnan(detect_drift(q, q).drift_share)


def test_single_column_inputs_pair_with_a_one_column_profile():
    g = np.random.default_rng(9)
    p = profile(pd.DataFrame({"age": g.normal(40, 5, 800)}))
    report = detect_drift(p, g.normal(60, 5, 800))
    assert report.columns.names() == ["age"] and report["age"].drifted


def test_public_names_and_a_large_current_side_compared_exactly():
    import pytest_mlgate

    assert pytest_mlgate.profile is profile and pytest_mlgate.Profile is Profile
    g = np.random.default_rng(10)
    r, c = g.normal(size=700), g.normal(0.05, 1.1, size=60_000)
    col = detect_drift(profile(pd.DataFrame({"x": r})), pd.DataFrame({"x": c}), correction=None)["x"]
    assert col.statistic == pytest.approx(stats.ks_2samp(r, c).statistic, abs=1e-12)
    w = stats.wasserstein_distance(r, c) / r.std()
    assert col.effect == pytest.approx(w, rel=1e-9) and f"effect {drift_module._fmt(w)} >= 0.1" in col.reason
    assert "within sketch error" not in col.reason  # both sides exact: no sketch error


def test_check_drift_in_a_model_test_takes_a_saved_profile(models, tmp_path):
    g = np.random.default_rng(11)
    ref = pd.DataFrame({"x": g.normal(size=2000), "c": g.choice(["a", "b"], 2000)})
    profile(ref).save(tmp_path / "ref.profile.json")
    models.makepyfile(
        f"""
        import numpy as np, pandas as pd
        from pytest_mlgate import Profile

        def test_same(mlgate):
            g = np.random.default_rng(1)
            cur = pd.DataFrame({{"x": g.normal(size=1500), "c": g.choice(["a", "b"], 1500)}})
            mlgate.check_drift(Profile.load({str(tmp_path / "ref.profile.json")!r}), cur)

        def test_shifted(mlgate):
            g = np.random.default_rng(2)
            cur = pd.DataFrame({{"x": g.normal(1, 1, 1500), "c": g.choice(["a", "b"], 1500)}})
            mlgate.check_drift(Profile.load({str(tmp_path / "ref.profile.json")!r}), cur)
        """
    )
    result = models.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*Data drift: 1 of 2 columns drifted*"])


@pytest.mark.parametrize("top", [8.98846567431158e307, 1.7976931348623157e308])
def test_values_near_the_largest_double_neither_overflow_the_moments_nor_the_distances(top):
    g = np.random.default_rng(0)
    ref = pd.DataFrame({"x": np.concatenate([[0.0, top, -top], g.uniform(-1, 1, 3000) * top])})
    cur = pd.DataFrame({"x": np.concatenate([[0.0, top], g.uniform(-1, 1, 3000) * top])})
    p = profile(ref)
    m = p["x"].moments
    assert (m.min, m.max) == (-top, top) and math.isfinite(m.std) and m.std > 0
    report = detect_drift(p, cur)
    col = report.columns[0]
    assert math.isfinite(col.statistic) and math.isfinite(col.p_value) and not report.drifted
    assert detect_drift(p, profile(cur)).columns[0].drifted is False


@pytest.mark.parametrize("n", [20, 300, 989])  # both sides at most SKETCH_K: exact sketches
def test_an_exact_profile_gives_the_rows_exact_ks_p_value(n):
    g = np.random.default_rng(n)
    ref, cur = pd.DataFrame({"x": g.normal(size=n)}), pd.DataFrame({"x": g.normal(0.2, 1, n + 11)})
    rows = detect_drift(ref, cur).columns[0]
    for left, right in ((profile(ref), cur), (ref, profile(cur)), (profile(ref), profile(cur))):
        col = detect_drift(left, right).columns[0]
        assert col.p_value == pytest.approx(rows.p_value, rel=1e-12)
        assert col.drifted == rows.drifted


def test_at_the_effect_floor_every_verdict_that_differs_from_the_rows_is_flagged():
    # W1/std = 0.1, the numeric floor: the hardest case; benchmarks/profile_soundness.py runs 200 seeds
    differing = 0
    for seed in range(12):
        g = np.random.default_rng(seed)
        ref = pd.DataFrame({"x": g.normal(0, 1, 20_000), "y": g.lognormal(0, 1, 20_000)})
        cur = pd.DataFrame({"x": g.normal(0.1, 1, 10_000), "y": g.lognormal(0.1, 1, 10_000)})
        rows = detect_drift(ref, cur)
        pref = profile(ref)
        for rep in (detect_drift(pref, cur), detect_drift(pref, profile(cur))):
            for a, b in zip(rows.columns, rep.columns):
                if a.drifted != b.drifted:
                    differing += 1
                    assert "within sketch error" in b.reason, (seed, b.name, a.reason, b.reason)
    assert differing < 12 * 2 * 2


# ------------------------------------------------------------------ drift: the same computation as the rows

NUMERIC_NAMED = ("chi2_homogeneity", "chisquare", "z", "hellinger", "psi", "jensenshannon", "kl_div", "ks",
                 "wasserstein", "t_test", "cramer_von_mises", "anderson", "mannwhitney", "energy")


def _same_column(a, b):
    assert (a.method, a.drifted) == (b.method, b.drifted), (a.reason, b.reason)
    assert b.statistic == pytest.approx(a.statistic, rel=1e-9, abs=1e-12, nan_ok=True), (a.method, a.reason, b.reason)
    if a.p_value is None:
        assert b.p_value is None
    else:
        assert b.p_value == pytest.approx(a.p_value, rel=1e-9, abs=1e-300), (a.method, a.reason, b.reason)
    assert (b.effect is None) == (a.effect is None) and b.effect_floor == a.effect_floor
    if a.effect is not None:
        assert b.effect == pytest.approx(a.effect, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("n, values", [(800, "poisson"), (3000, "ten"), (300, "poisson")])
def test_named_methods_on_few_valued_numeric_columns_equal_the_rows(n, values):
    # at most 64 distinct values: the profile counts each value exactly, so every named method can
    # compute what the rows compute (the binned ones bin the counted values with the rows' edges)
    g = np.random.default_rng(n)
    draw = (lambda: g.poisson(20, n)) if values == "poisson" else (lambda: g.integers(0, 10, n))
    a, b = pd.DataFrame({"v": draw().astype(float)}), pd.DataFrame({"v": (draw() + (values == "ten")).astype(float)})
    for m in NUMERIC_NAMED:
        rows = detect_drift(a, b, method=m).columns[0]
        for left, right in ((profile(a), b), (a, profile(b)), (profile(a), profile(b))):
            col = detect_drift(left, right, method=m).columns[0]
            _same_column(rows, col)
            assert col.reason == rows.reason


def test_auto_on_few_valued_numeric_and_categorical_counts_equals_the_rows():
    # rare new categories: the pooled chi-square must be the rows' pool_sparse, bucket merged and all
    g = np.random.default_rng(112)
    k, n1 = int(g.integers(1, 40)), int(g.choice([300, 1000, 3000]))
    ref = g.choice(list("abcdefgh"), n1)
    cur = np.r_[g.choice(list("abcdefgh"), n1 - k), [f"new{i % 7}" for i in range(k)]]
    a, b = pd.DataFrame({"v": ref, "k": g.integers(0, 4, n1)}), pd.DataFrame({"v": cur, "k": g.integers(0, 4, n1)})
    rows = detect_drift(a, b)
    for left, right in ((profile(a), b), (a, profile(b)), (profile(a), profile(b))):
        rep = detect_drift(left, right)
        for x, y in zip(rows.columns, rep.columns):
            _same_column(x, y)
            assert y.reason == x.reason


def test_sketch_binned_distances_mark_verdicts_near_the_threshold():
    # psi from a KLL sketch: a 0.3-sd shift puts psi near its 0.1 threshold; a verdict that differs
    # from the rows must say "within sketch error", and the band must hold the rows' statistic
    for seed in (19, 3):
        g = np.random.default_rng(seed)
        a, b = pd.DataFrame({"v": g.normal(0, 1, 20_000)}), pd.DataFrame({"v": g.normal(0.3, 1, 20_000)})
        pa = profile(a)
        for m in ("psi", "jensenshannon", "kl_div"):
            rows = detect_drift(a, b, method=m).columns[0]
            col = detect_drift(pa, b, method=m).columns[0]
            if col.drifted != rows.drifted:
                assert "within sketch error" in col.reason, (seed, m, rows.reason, col.reason)
            res = profile_drift_module._column("v", pa["v"], profile_drift_module.exact_profile(b)["v"], m, False)
            lo, hi = res.effect_band
            assert lo <= rows.statistic <= hi, (seed, m, res.effect_band, rows.statistic)
    g = np.random.default_rng(19)
    a, b = pd.DataFrame({"v": g.normal(0, 1, 20_000)}), pd.DataFrame({"v": g.normal(0.3, 1, 20_000)})
    col = detect_drift(profile(a), b, method="psi").columns[0]
    assert "within sketch error" in col.reason


def test_evidently_from_profiles_is_evidentlys_preset():
    g = np.random.default_rng(0)
    cases = [
        pd.DataFrame({"a": g.normal(size=20_000), "c": g.choice(list("abc"), 20_000), "k": g.integers(0, 4, 20_000)}),
        pd.DataFrame({"a": g.normal(size=600), "c": g.choice(list("abc"), 600), "z": g.integers(0, 2, 600)}),
    ]
    for ref in cases:
        n = len(ref)
        cur = ref.sample(frac=1.0, random_state=1).reset_index(drop=True)
        cur["a"] = g.normal(0.05, 1, n)
        rows = detect_drift(ref, cur, method="evidently")
        for left, right in ((profile(ref), cur), (ref, profile(cur))):
            rep = detect_drift(left, right, method="evidently")
            for x, y in zip(rows.columns, rep.columns):
                assert (y.method, y.drifted) == (x.method, x.drifted), (x.reason, y.reason)
                # 600 rows and counted columns: exact; 20,000 normal values: within the sketch's stated
                # Wasserstein error, range * rank error / std (about 0.025 here)
                sketched = n > SKETCH_K and y.name == "a"
                assert y.statistic == pytest.approx(x.statistic, rel=1e-9, abs=0.04 if sketched else 1e-12)
    assert [c.method for c in detect_drift(profile(cases[0]), cases[0], method="evidently").columns] == [
        "wasserstein", "jensenshannon", "jensenshannon"]


@pytest.mark.parametrize("scale", [1e-300, 1e-308, 1e-310, 1e-315])
def test_a_five_sd_shift_drifts_at_subnormal_scales_from_a_profile(scale):
    g = np.random.default_rng(0)
    a, b = pd.DataFrame({"v": g.normal(0, 1, 2000) * scale}), pd.DataFrame({"v": g.normal(5, 1, 2000) * scale})
    rows, col = detect_drift(a, b).columns[0], detect_drift(profile(a), b).columns[0]
    assert rows.drifted and col.drifted, col.reason
    assert col.effect == pytest.approx(rows.effect, rel=0.02)


def test_a_constant_reference_floors_the_std_as_the_rows_do():
    g = np.random.default_rng(0)
    a, b = pd.DataFrame({"v": np.ones(2000)}), pd.DataFrame({"v": 1 + g.normal(0, 1e-12, 2000)})
    rows, col = detect_drift(a, b).columns[0], detect_drift(profile(a), b).columns[0]
    assert rows.drifted and col.drifted, col.reason
    assert col.effect == pytest.approx(rows.effect, rel=1e-6)


def test_profile_reasons_and_fields_have_the_rows_format():
    g = np.random.default_rng(12)
    a = pd.DataFrame({"x": g.normal(size=500), "c": g.choice(list("ab"), 500)})
    b = pd.DataFrame({"x": g.normal(size=500), "c": g.choice(list("ab"), 500)})
    rows = detect_drift(a, b)
    rep = detect_drift(profile(a), b)
    for x, y in zip(rows.columns, rep.columns):
        assert y.reason == x.reason
        assert (y.effect_floor, y.p_value_adjusted is None) == (x.effect_floor, x.p_value_adjusted is None)


def test_categories_beyond_the_cap_compare_as_one_other_cell_not_as_new(monkeypatch):
    monkeypatch.setattr(profile_module, "CATEGORY_CAP", 50)
    levels = np.array([f"c{i}" for i in range(120)])
    p = np.linspace(2, 1, 120)
    p /= p.sum()
    hits = 0
    for seed in range(8):  # the same distribution: a capped profile used to drift every time
        g = np.random.default_rng(seed)
        ref = pd.DataFrame({"c": levels[g.choice(120, 20_000, p=p)]})
        cur = pd.DataFrame({"c": levels[g.choice(120, 10_000, p=p)]})
        for left, right in ((profile(ref), cur), (profile(ref), profile(cur)), (ref, profile(cur))):
            col = detect_drift(left, right)["c"]
            hits += col.drifted
            assert not col.new_categories and not col.vanished_categories
            assert "compared as one 'other' cell" in col.reason
    assert hits <= 2
    g = np.random.default_rng(99)
    ref = pd.DataFrame({"c": levels[g.choice(120, 20_000, p=p)]})
    cur = pd.DataFrame({"c": np.r_[levels[g.choice(120, 7_000, p=p)], ["brand-new"] * 3_000]})
    assert detect_drift(profile(ref), cur)["c"].drifted  # a big new category shows as a larger 'other'


@pytest.mark.parametrize("method", ["chisquare", "chi2_homogeneity", "z"])
def test_per_value_count_tests_refuse_a_many_valued_numeric_column_on_every_path(method):
    g = np.random.default_rng(11)
    ref, cur = pd.DataFrame({"x": g.normal(0, 1, 2000)}), pd.DataFrame({"x": g.normal(5, 1, 2000)})
    with pytest.raises(ValueError, match=f"method '{method}' compares per-value counts.*categorical="):
        detect_drift(ref, cur, method=method)
    for left, right in ((profile(ref), cur), (ref, profile(cur)), (profile(ref), profile(cur))):
        with pytest.raises(ValueError, match=f"column 'x': method '{method}'"):
            detect_drift(left, right, method=method)
    few = pd.DataFrame({"x": g.integers(0, 10, 2000).astype(float)})
    assert detect_drift(few, few + 1, method=method)["x"].drifted  # few values: still the test
    assert detect_drift(ref, cur, method=method, categorical=["x"])["x"].method == method  # opted in


def test_merging_zeros_with_tiny_values_keeps_their_variance():
    g = np.random.default_rng(12)
    zeros, tiny = np.zeros(1000), g.normal(3, 1, 1000) * 1e-300
    expected = float(np.std(np.r_[zeros, tiny] / 1e-300)) * 1e-300
    Mo = profile_module.Moments
    for merged in (Mo.of(zeros).merge(Mo.of(tiny)), Mo.of(tiny).merge(Mo.of(zeros))):
        assert merged.std == pytest.approx(expected, rel=1e-9, abs=0)
