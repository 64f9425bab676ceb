"""Drift between two profiles: the same :class:`~pytest_mlgate.drift.DriftReport` as from the rows.

Where both sides hold a numeric column's values exactly (the counts of at most
:data:`~pytest_mlgate.profile.DISTINCT_CAP` distinct values, or the sorted rows of an in-memory
side), every method computes what :mod:`pytest_mlgate.drift` computes from the rows, from the
counts: the auto rule, ``"evidently"`` and every named method, the binned ones (psi,
jensenshannon, kl_div above 20 reference values, hellinger) binning the counted values with the
rows' Sturges edges; cramer_von_mises, anderson, mannwhitney and energy run on the rows rebuilt
from the counts (up to :data:`EXPAND_MAX` values a side).  Category counts are exact, and the
auto rule's pooled chi-square is :func:`~pytest_mlgate.drift.auto_categorical_test` itself.

Otherwise a side has a KLL sketch, and ``method="auto"`` applies the sound rule of
:mod:`pytest_mlgate.drift` from it:

* numeric columns with more than 5 distinct non-missing values (on both sides together): the
  two-sample Kolmogorov-Smirnov test.  The statistic is the largest gap between the two sketches'
  CDFs, evaluated at the union of their retained items; the p-value is ``scipy.stats.kstwo``'s
  at the true sizes (above an effective size of 10,000 Stephens' corrected asymptotic formula,
  within 0.3% of it and a thousand times faster), or ``ks_2samp``'s own when the sketches hold
  every value.  Effect: the Wasserstein-1 distance between the distributions divided by the
  reference's population std from exact moments, both in units of the column's scale (its
  largest absolute value on either side), the std floored at ``STD_REL_FLOOR``
  (:data:`~pytest_mlgate.drift.RELATIVE_STD_FLOOR`) of it, as :func:`~pytest_mlgate.drift.numeric_effect`.
* categorical and bool columns, and numeric columns with at most 5 distinct values: exact counts
  (above).

p-values are corrected across the columns (``correction``, Holm by default) and verdicts and
reasons are :mod:`pytest_mlgate.drift`'s (``_value_verdict``); missing shares are tested as there.

Sketch error: a KLL sketch's CDF is within its rank error ``eps`` (0.28% at 99% confidence for
``k = 1000``; 0 while it holds every value) of the true CDF, so the KS statistic is within
``eps_ref + eps_cur`` of the one from the rows and the Wasserstein distance within
``(eps_ref + eps_cur) * range``; psi, jensenshannon and kl_div from sketch CDFs get a band from
:func:`_binned_band`.  When the verdict would change somewhere inside those bounds, the
column's ``reason`` says "within sketch error".

Named methods from sketches: ks, wasserstein, t_test (from moments), and psi, jensenshannon,
kl_div (Sturges bins from the sketches' CDFs).  chi2_homogeneity, chisquare, z, hellinger and the
rows-only tests need the rows or exact value counts on both sides: asking for them is a
``ValueError`` naming the method.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from . import drift as _drift
from ._errors import hide_input_errors
from .profile import CATEGORY_CAP, DISTINCT_CAP, ColumnProfile, Profile, _json_key, exact_profile

__all__ = ["ROW_ONLY_METHODS", "STD_REL_FLOOR", "drift_from_inputs", "profile_drift"]

#: Methods that need raw rows: from profiles only when both sides hold exact value counts.
ROW_ONLY_METHODS = ("cramer_von_mises", "anderson", "mannwhitney", "energy")
#: The auto effect's reference std is floored at this share of the column's scale (its largest
#: absolute value on either side): drift.py's RELATIVE_STD_FLOOR.
STD_REL_FLOOR = _drift.RELATIVE_STD_FLOOR
#: Auto rule: numeric columns with more distinct values than this get KS, others chi-square.
FEW_VALUES = _drift.AUTO_MAX_CATEGORY_VALUES
#: Chi-square pooling: categories whose expected count is below this on either side share one cell.
MIN_EXPECTED = _drift.MIN_EXPECTED_COUNT
_OTHER = ("__mlgate_other__",)


def _floors() -> tuple[float, float]:
    return float(_drift.NUMERIC_EFFECT_FLOOR), float(_drift.CATEGORICAL_EFFECT_FLOOR)


# ----------------------------------------------------------------------------------------------
# Counts and sketches
# ----------------------------------------------------------------------------------------------


def _counts_of(col: ColumnProfile) -> dict[Any, int] | None:
    """Per-value counts of a column (categories plus the "other" cell), or None when not exact."""
    if col.kind == "numeric":
        if col.values is None:
            return None
        return {_json_key(k): c for k, c in col.values.items()}
    out = dict(col.categories)
    if col.other_rows:
        out[_OTHER] = col.other_rows
    return out


def _pool_beyond_caps(a: dict[Any, int], b: dict[Any, int]) -> tuple[dict[Any, int], dict[Any, int]]:
    """Compare capped category counts on the categories both sides know exactly.

    A side with more than :data:`~pytest_mlgate.profile.CATEGORY_CAP` categories keeps the most
    frequent ones and pools the rest into "other"; a category it pooled has an unknown count
    there, not 0.  So every category outside the kept set of a capped side goes into "other" on
    both sides: a category new to the current data but absent from the reference's kept set then
    shows as a larger "other" share instead of a category "new" in data that holds it."""
    capped = [set(d) - {_OTHER} for d in (a, b) if _OTHER in d]
    if not capped:
        return a, b
    shared = set.intersection(*capped)

    def pool(d: dict[Any, int]) -> dict[Any, int]:
        out = {k: v for k, v in d.items() if k in shared}
        rest = sum(v for k, v in d.items() if k not in shared)
        if rest:
            out[_OTHER] = rest
        return out

    return pool(a), pool(b)


def _ordered_keys(a: Mapping[Any, int], b: Mapping[Any, int]) -> list[Any]:
    """The categories of both sides in the rows' order (:func:`~pytest_mlgate.drift._categorical_column`):
    sorted, by their text when they do not compare; the "other" cell last."""
    keys = [k for k in dict.fromkeys([*a, *b]) if k != _OTHER]
    try:
        keys.sort()
    except TypeError:
        keys.sort(key=str)
    if _OTHER in a or _OTHER in b:
        keys.append(_OTHER)
    return keys


def _aligned(a: Mapping[Any, int], b: Mapping[Any, int]) -> tuple[list[Any], np.ndarray, np.ndarray]:
    keys = _ordered_keys(a, b)
    return keys, np.array([a.get(k, 0) for k in keys], dtype=np.int64), np.array([b.get(k, 0) for k in keys], dtype=np.int64)


def _value_counts(col: ColumnProfile) -> tuple[np.ndarray, np.ndarray] | None:
    """A numeric column's sorted distinct finite values and their counts, when it holds them exactly
    (value counts of at most :data:`~pytest_mlgate.profile.DISTINCT_CAP` values, or sorted rows)."""
    if col.values is not None:
        keys = np.array([float(k) for k in col.values], dtype=np.float64)
        counts = np.array(list(col.values.values()), dtype=np.int64)
        order = np.argsort(keys, kind="stable")
        keys, counts = keys[order], counts[order]
        keep = counts > 0
        return keys[keep], counts[keep]
    if col.exact is not None:
        return _drift._sorted_counts(col.exact)
    return None


def _eps(col: ColumnProfile) -> float:
    """The rank error of a numeric column's CDF: 0 when it holds its values or rows exactly."""
    if col.values is not None or col.exact is not None:
        return 0.0
    return col.rank_error


def _step(col: ColumnProfile) -> tuple[np.ndarray, np.ndarray]:
    """The column's CDF as a right-continuous step function: distinct points and P(X <= x) there."""
    if col.exact is not None:
        x = col.exact
        if x.size == 0:
            return x, x
        last = np.flatnonzero(np.concatenate((x[1:] != x[:-1], [True])))
        return x[last], (last + 1) / x.size
    counted = _value_counts(col)
    if counted is not None:
        keys, counts = counted
        return keys, np.cumsum(counts) / max(int(counts.sum()), 1)
    items = np.fromiter((item for item, _ in col.sketch), dtype=np.float64)
    points = np.unique(items)
    return points, np.asarray(col.sketch.get_cdf(points, True), dtype=np.float64)[:-1]


def _at(x: np.ndarray, f: np.ndarray, u: np.ndarray, side: str = "right") -> np.ndarray:
    """The step function (x, f) at the points ``u`` (``side="left"``: just below them)."""
    return np.concatenate(([0.0], f))[np.searchsorted(x, u, side=side)]


def _union_stats(r: ColumnProfile, c: ColumnProfile, unit: float) -> tuple[float, float]:
    """KS statistic and Wasserstein-1 distance (in units of ``unit``) between two step CDFs, over
    the union of their points."""
    (xr, fr), (xc, fc) = _step(r), _step(c)
    u = np.union1d(xr, xc)
    gap = np.abs(_at(xr, fr, u) - _at(xc, fc, u))
    d = float(gap.max()) if u.size else 0.0
    w = float(np.sum(gap[:-1] * np.diff(u / unit))) if u.size > 1 else 0.0
    return d, w


def _exact_vs_step(v: np.ndarray, xs: np.ndarray, fs: np.ndarray, unit: float) -> tuple[float, float]:
    """KS statistic and Wasserstein-1 distance (in units of ``unit``) between the sorted values ``v``
    and a step CDF.

    The step CDF is constant on each interval between its points; there the empirical CDF of
    ``v`` is monotone, so the KS gap peaks at an interval's ends and the area between the two
    splits at one crossing point.  With prefix sums of ``v`` every interval costs two binary
    searches: O(k log n) after one pass over ``v``, instead of merging the n values.
    """
    n = v.size
    # centred so that prefix sums keep their precision; scaled (by a power of two) only where
    # the sums could overflow (scaled before centring: differences of values near 1e308
    # overflow) or underflow
    big = max(abs(v[0]), abs(v[-1]), abs(xs[0]), abs(xs[-1]))
    if big >= 1e100:
        sc = math.ldexp(1.0, math.frexp(big)[1] - 1)
        x0 = v[n // 2] / sc
        z, zs = v / sc - x0, xs / sc - x0
    else:
        x0 = v[n // 2]
        spread = max(abs(v[0] - x0), abs(v[-1] - x0), abs(xs[0] - x0), abs(xs[-1] - x0))
        sc = math.ldexp(1.0, math.frexp(spread)[1] - 1) if 0 < spread < 1e-100 else 1.0
        z = v - x0 if sc == 1.0 else (v - x0) / sc
        zs = (xs - x0) / sc
    cum = np.concatenate(([0.0], np.cumsum(z)))

    def F(t: np.ndarray, side: str) -> np.ndarray:
        return np.searchsorted(z, t, side=side) / n

    def A(t: np.ndarray) -> np.ndarray:  # integral of the empirical CDF from -inf to t
        m = np.searchsorted(z, t, side="right")
        return (m * t - cum[m]) / n

    a, b, c = zs[:-1], zs[1:], fs[:-1]
    k = np.floor(c * n).astype(np.int64)
    cross = np.where(k < n, z[np.minimum(k, n - 1)], np.inf)
    xstar = np.clip(cross, a, b)
    area = c * (xstar - a) - (A(xstar) - A(a)) + (A(b) - A(xstar)) - c * (b - xstar)
    left = A(zs[:1])[0]
    right = max(z[-1] - zs[-1], 0.0) - max(A(z[-1:])[0] - A(zs[-1:])[0], 0.0) if z[-1] > zs[-1] else 0.0
    w = (float(np.sum(area)) + float(left) + float(right)) * (sc / unit)
    gaps = [np.abs(F(a, "right") - c), np.abs(F(b, "left") - c)]
    d = max(
        float(max((g.max() for g in gaps if g.size), default=0.0)),
        float(F(zs[:1], "left")[0]),
        float(1.0 - F(zs[-1:], "right")[0]),
    )
    return d, max(w, 0.0)


def _distances(r: ColumnProfile, c: ColumnProfile, unit: float) -> tuple[float, float]:
    """(KS statistic, Wasserstein-1 distance in units of ``unit``) of two numeric columns, from
    sketches or rows."""
    for big, small in ((r, c), (c, r)):
        if big.exact is not None and small.exact is None and small.values is None and big.exact.size > 4 * small.sketch.num_retained:
            xs, fs = _step(small)
            return _exact_vs_step(big.exact, xs, fs, unit)
    return _union_stats(r, c, unit)


def _ks_p(d: float, n_r: int, n_c: int) -> float:
    """Two-sided asymptotic KS p-value at the true sizes (``ks_2samp(method="asymp")``'s ``kstwo``),
    above an effective size of 10,000 Stephens' corrected formula (relative error < 0.3% at
    p >= 1e-3; ``kstwo`` takes ~0.1 s there).  Only for sketches, whose own error is far larger."""
    en = n_r * n_c / (n_r + n_c)
    d = min(max(d, 0.0), 1.0)
    if en <= KS_EXACT_MAX_EN:
        return float(stats.kstwo.sf(d, max(round(en), 1)))
    root = math.sqrt(en)
    return float(stats.kstwobign.sf((root + 0.12 + 0.11 / root) * d))


#: Above this effective size ``n*m/(n+m)`` the KS p-value from sketches uses Stephens' formula.
KS_EXACT_MAX_EN = 10_000


def _scaled_std(m: Any, unit: float) -> float:
    """Population std of the values divided by ``unit``, from exact moments (no underflow)."""
    return math.sqrt(max(m.m2, 0.0) / m.n) * (m.scale / unit) if m.n else math.nan


def _binned_cdfs(r: ColumnProfile, c: ColumnProfile) -> tuple[np.ndarray, np.ndarray]:
    """Each side's share below each Sturges edge over both ranges (drift.py's binned methods):
    0 at the first edge, 1 at the last; bins are [a, b) except the last, [a, b]."""
    mr, mc = r.moments, c.moments
    assert mr is not None and mc is not None
    edges = _drift._sturges_edges(min(mr.min, mc.min), max(mr.max, mc.max), mr.n + mc.n)

    def below(col: ColumnProfile) -> np.ndarray:
        x, f = _step(col)
        return np.concatenate([[0.0], _at(x, f, edges[1:-1], side="left"), [1.0]])

    return below(r), below(c)


#: The band of a binned distance from sketches is widened by this factor (see :func:`_binned_band`).
BAND_MARGIN = 1.25


def _binned_band(
    method: str, cr: np.ndarray, cc: np.ndarray, eps_r: float, eps_c: float, stat: float, n_r: int, n_c: int
) -> tuple[float, float]:
    """(low, high) of a binned distance (psi, jensenshannon, kl_div) when each side's CDF at each
    inner bin edge may be off by its rank error.

    The true CDF values lie in ``[F - eps, F + eps]`` (monotone, in [0, 1]), so each bin share
    moves by at most ``2 eps``.  The distance is convex in the shares (psi, KL and Jensen-Shannon
    divergences are), so its extremes over that box lie at vertices: it is evaluated at the
    vertices along the sign of its gradient (the direction that moves it most to first order),
    at the alternating vertices (where adjacent shares move apart, the curvature's worst case), and
    per coordinate (the sum of the single-edge moves); below, the tangent plane (a convex function
    lies above it: ``f >= f0 - sum |df/dF_j| eps_j``) bounds the fall.  The largest move each way,
    times :data:`BAND_MARGIN`, gives the band.
    """
    k = cr.size
    x0 = np.concatenate([cr, cc])
    step = np.zeros_like(x0)
    step[1 : k - 1] = eps_r
    step[k + 1 : -1] = eps_c

    def proj(x: np.ndarray) -> np.ndarray:
        x = np.clip(x, 0.0, 1.0)
        x[0], x[-1] = 0.0, 1.0
        return np.maximum.accumulate(x)

    def f(x: np.ndarray) -> float:
        with np.errstate(all="ignore"):
            return _drift._from_frequencies(method, np.diff(proj(x[:k])), np.diff(proj(x[k:])), 1, 1)

    f0 = f(x0)
    free = np.flatnonzero(step)
    sign = np.zeros_like(x0)
    rise = fall = tangent = 0.0
    for j in free:
        e = np.zeros_like(x0)
        e[j] = step[j]
        fp, fm = f(x0 + e), f(x0 - e)
        sign[j] = 1.0 if fp >= fm else -1.0
        rise += max(fp, fm, f0) - f0
        fall += f0 - min(fp, fm, f0)
        tangent += abs(fp - fm) / 2  # |gradient| * eps (central difference)
    # convex: f >= f0 + gradient . (x - x0) >= f0 - sum |gradient| eps (the tangent plane below it)
    fall = max(fall, tangent)
    alt = np.where(np.arange(x0.size) % 2 == 0, 1.0, -1.0) * step
    for v in (x0 + sign * step, x0 - sign * step, x0 + alt, x0 - alt):
        fv = f(v)
        rise, fall = max(rise, fv - f0), max(fall, f0 - fv)
    # psi and kl_div floor empty bins (drift._floor_zeros: to 1e-4, or to a millionth of the
    # smallest share when that is below 1e-4), so whether a nearly empty bin holds a row or none
    # moves them far: also try the bins that may be empty within 2 eps all empty, every empty
    # bin holding one row, and one empty bin holding one row (the smallest possible share)
    shares = [np.diff(cr), np.diff(cc)]
    options: list[list[np.ndarray]] = []
    for sh, eps, n in ((shares[0], eps_r, n_r), (shares[1], eps_c, n_c)):
        opts = [sh]
        one = 1.0 / max(n, 1)
        maybe, empty = sh <= 2 * eps, sh < one / 2
        if eps and maybe.any() and not maybe.all():
            opts.append(np.where(maybe, 0.0, sh))
        if eps and empty.any():
            opts.append(np.where(empty, one, sh))
            for j in np.flatnonzero(empty)[[0, -1]]:
                single = sh.copy()
                single[j] = one
                opts.append(single)
        options.append([o / o.sum() for o in opts])
    for pr in options[0]:
        for pc in options[1]:
            with np.errstate(all="ignore"):
                fv = _drift._from_frequencies(method, pr, pc, 1, 1)
            rise, fall = max(rise, fv - f0), max(fall, f0 - fv)
    if not (math.isfinite(rise) and math.isfinite(fall)):
        return 0.0, math.inf
    return max(stat - BAND_MARGIN * fall, 0.0), stat + BAND_MARGIN * rise


# ----------------------------------------------------------------------------------------------
# Per column
# ----------------------------------------------------------------------------------------------


@dataclass
class _Result:
    name: Any
    kind: str
    method: str
    statistic: float
    p_value: float | None
    effect: float | None = None
    effect_floor: float | None = None
    # (low, high) bounds of the p-value / effect (distances: the statistic) from the sketch error; None when exact
    p_band: tuple[float, float] | None = None
    effect_band: tuple[float, float] | None = None
    new: dict[Any, float] | None = None
    vanished: dict[Any, float] | None = None
    n_new: int = 0
    n_vanished: int = 0
    eps: float = 0.0
    #: rows pooled into "other" because a side had more categories than the cap (see _pool_beyond_caps)
    pooled: int = 0


def _check_column(name: Any, r: ColumnProfile, c: ColumnProfile, forced: bool) -> tuple[ColumnProfile, ColumnProfile]:
    __tracebackhide__ = hide_input_errors
    for col, side in ((r, "reference"), (c, "current")):
        if col.valid == 0:
            raise ValueError(f"column {name!r} is all missing (NaN/None/inf) in {side}")
    if forced:
        for col, side in ((r, "reference"), (c, "current")):
            if col.kind == "numeric" and col.values is None:
                raise ValueError(
                    f"column {name!r} is in categorical=, but the {side} profile summarises it as numbers with more "
                    f"than {len(col.values or ()) or 'the capped number of'} distinct values; build that profile "
                    f"with profile(data, categorical=[{name!r}])"
                )
        return r, c
    num_r, num_c = r.kind == "numeric", c.kind == "numeric"
    if num_r != num_c:
        num_side, other_side = ("reference", "current") if num_r else ("current", "reference")
        other = c if num_r else r
        raise TypeError(
            f"column {name!r} is numeric in {num_side} but {other.kind} in {other_side}; convert both sides to one "
            f"type, or list it in categorical= to compare both sides as categories"
        )
    return r, c


def _categories_change(keys: list[Any], cr: np.ndarray, cc: np.ndarray) -> tuple[dict, dict, int, int]:
    n_r, n_c = cr.sum(), cc.sum()
    new_idx = [i for i in range(len(keys)) if cr[i] == 0 and cc[i] > 0 and keys[i] != _OTHER]
    gone_idx = [i for i in range(len(keys)) if cc[i] == 0 and cr[i] > 0 and keys[i] != _OTHER]
    new_top = sorted(new_idx, key=lambda i: -cc[i])[: _drift.MAX_LISTED_CATEGORIES]
    gone_top = sorted(gone_idx, key=lambda i: -cr[i])[: _drift.MAX_LISTED_CATEGORIES]
    return (
        {keys[i]: float(cc[i] / n_c) for i in new_top},
        {keys[i]: float(cr[i] / n_r) for i in gone_top},
        len(new_idx),
        len(gone_idx),
    )


def _evidently_method(r: ColumnProfile, c: ColumnProfile, numeric: bool) -> str:
    """Evidently's ``_get_default_stattest`` from what profiles hold, as drift.py applies it to rows:
    the reference's non-missing size and the number of distinct values on both sides."""
    if numeric:
        vr, vc = _value_counts(r), _value_counts(c)
        n_values = np.union1d(vr[0], vc[0]).size if vr is not None and vc is not None else DISTINCT_CAP + 1
        return _drift._auto_method("numeric", r.valid, int(n_values))
    counts_r, counts_c = _counts_of(r), _counts_of(c)
    assert counts_r is not None and counts_c is not None
    return _drift._auto_method("categorical", r.valid, len(set(counts_r) | set(counts_c)))


def _column(name: Any, r: ColumnProfile, c: ColumnProfile, method: str | None, forced: bool) -> _Result:
    """The statistic of one column; ``method=None`` is the auto rule (with its effect size)."""
    __tracebackhide__ = hide_input_errors
    r, c = _check_column(name, r, c, forced)
    numeric = r.kind == "numeric" and not forced
    if method == "evidently":
        method = _evidently_method(r, c, numeric)
    if not numeric:
        return _categorical(name, r, c, method)
    vr = _value_counts(r)
    vc = None if vr is None else _value_counts(c)  # a sketch reference never needs the current side's counts
    if vr is not None and vc is not None:
        return _numeric_exact(name, r, c, method, vr, vc)
    return _numeric_sketch(name, r, c, method, vr)


def _categorical(name: Any, r: ColumnProfile, c: ColumnProfile, method: str | None) -> _Result:
    """Category counts (or a column in ``categorical=``): drift.py's ``_categorical_column``."""
    __tracebackhide__ = hide_input_errors
    if method is not None and not _drift.METHODS[method].categorical:
        raise ValueError(
            f"column {name!r} is categorical but method {method!r} needs numbers; use one of "
            + ", ".join(m.name for m in _drift.METHODS.values() if m.categorical)
        )
    counts_r, counts_c = _counts_of(r), _counts_of(c)
    assert counts_r is not None and counts_c is not None
    counts_r, counts_c = _pool_beyond_caps(counts_r, counts_c)
    keys, cr, cc = _aligned(counts_r, counts_c)
    pooled = int(cr[-1] + cc[-1]) if keys and keys[-1] == _OTHER else 0
    n_r, n_c = int(cr.sum()), int(cc.sum())
    if method is None:
        stat, p, tvd = _drift.auto_categorical_test(cr, cc)
        res = _Result(name, "categorical", "chi2_homogeneity", stat, p, tvd, _floors()[1])
    else:
        m = method
        stat, p = _drift._run_checked(name, m, lambda: _drift._count_test(m, cr, cc, n_r, n_c))
        res = _Result(name, "categorical", m, stat, p)
    res.new, res.vanished, res.n_new, res.n_vanished = _categories_change(keys, cr, cc)
    res.pooled = pooled
    return res


#: Value counts are expanded into sorted rows for the rows-only tests up to this many values a side.
EXPAND_MAX = 2_000_000


def _numeric_exact(
    name: Any, r: ColumnProfile, c: ColumnProfile, method: str | None,
    vr: tuple[np.ndarray, np.ndarray], vc: tuple[np.ndarray, np.ndarray],
) -> _Result:
    """Both sides hold their values exactly (counts or rows): drift.py's ``_numeric_block``, computed
    from the counts of the distinct values (the same statistic and p-value as from the rows)."""
    __tracebackhide__ = hide_input_errors
    (kr, cr), (kc, cc) = vr, vc
    n_r, n_c = int(cr.sum()), int(cc.sum())
    keys = np.union1d(kr, kc)
    ar = np.zeros(keys.size, dtype=np.int64)
    ac = np.zeros(keys.size, dtype=np.int64)
    ar[np.searchsorted(keys, kr)] = cr
    ac[np.searchsorted(keys, kc)] = cc
    scale = float(max(abs(keys[0]), abs(keys[-1])))  # drift.column_scale
    num_floor, cat_floor = _floors()

    def scaled_ref_std() -> float:
        x = kr / scale
        mean = float(cr @ x) / n_r
        return math.sqrt(float(cr @ (x - mean) ** 2) / n_r)

    def wasserstein() -> float:  # in units of the scale
        gap = np.abs(np.cumsum(ar) / n_r - np.cumsum(ac) / n_c)
        return float(gap[:-1] @ np.diff(keys / scale)) if keys.size > 1 else 0.0

    if method is None and keys.size <= _drift.AUTO_MAX_CATEGORY_VALUES:
        stat, p, tvd = _drift.auto_categorical_test(ar, ac)
        return _Result(name, "numeric", "chi2_homogeneity", stat, p, tvd, cat_floor)
    if method is None or method == "ks":
        diff = np.cumsum(ar) / n_r - np.cumsum(ac) / n_c
        d, p = _drift.ks_from_statistic(float(max(np.max(diff), np.clip(-np.min(diff), 0, 1))), n_r, n_c)
        if method == "ks":
            return _Result(name, "numeric", "ks", d, p)
        effect = 0.0 if scale == 0.0 else _drift.numeric_effect(wasserstein(), scaled_ref_std())
        return _Result(name, "numeric", "ks", d, p, effect, num_floor)
    m = method
    if m == "wasserstein":
        stat = 0.0 if scale == 0.0 else wasserstein() / max(scaled_ref_std(), _drift.STD_FLOOR / scale)
        return _Result(name, "numeric", m, stat, None)
    if m == "t_test":
        stat, p = _t_test_counts(kr, cr, kc, cc, scale)
        return _Result(name, "numeric", m, stat, p)
    if m in ("psi", "jensenshannon", "kl_div") and kr.size > 20:
        edges = _drift._sturges_edges(keys[0], keys[-1], n_r + n_c)
        hr, hc = _drift.counts_histogram(kr, cr, edges), _drift.counts_histogram(kc, cc, edges)
        stat, p = _drift._run_checked(name, m, lambda: _drift._count_test(m, hr, hc, n_r, n_c))
    elif m in ("psi", "jensenshannon", "kl_div", "chisquare", "chi2_homogeneity", "z"):
        _drift.check_per_value_method(name, m, keys.size)
        stat, p = _drift._run_checked(name, m, lambda: _drift._count_test(m, ar, ac, n_r, n_c))
    elif m == "hellinger":
        stat, p = _drift._run_checked(name, m, lambda: (_drift.hellinger_from_counts(kr, cr, kc, cc), None))
    else:  # cramer_von_mises, anderson, mannwhitney, energy: the rows themselves
        if max(n_r if r.exact is None else 0, n_c if c.exact is None else 0) > EXPAND_MAX:
            raise ValueError(
                f"column {name!r}: method {m!r} needs the raw rows; a profile's value counts give them only up to "
                f"{EXPAND_MAX:,} values a side; use 'auto' or one of ks, wasserstein, t_test, chi2_homogeneity, "
                f"chisquare, z, psi, jensenshannon, kl_div, hellinger"
            )
        rows_r = r.exact if r.exact is not None else np.repeat(kr, cr)
        rows_c = c.exact if c.exact is not None else np.repeat(kc, cc)
        stat, p = _drift._run_checked(name, m, lambda: _drift._raw_value_test(m, rows_r, rows_c))
    return _Result(name, "numeric", m, stat, p)


def _t_test_counts(kr: np.ndarray, cr: np.ndarray, kc: np.ndarray, cc: np.ndarray, scale: float) -> tuple[float, float]:
    """drift.py's ``t_test_rows`` from value counts: the values divided by a power of two near ``scale``,
    each side's moments about its first value."""
    unit = _drift.power_of_two_scale(scale)
    x1, x2 = kr / unit, kc / unit
    n1, n2 = int(cr.sum()), int(cc.sum())

    def pivoted(x: np.ndarray, cnt: np.ndarray, n: int) -> tuple[float, float]:
        y = x - x[0]
        m = float(cnt @ y) / n
        return m, float(cnt @ (y - m) ** 2)

    m1, ss1 = pivoted(x1, cr, n1)
    m2, ss2 = pivoted(x2, cc, n2)
    return _drift.student_t(n1, ss1, n2, ss2, (float(x1[0]) - float(x2[0])) + (m1 - m2))


def _numeric_sketch(name: Any, r: ColumnProfile, c: ColumnProfile, method: str | None, vr: Any) -> _Result:
    """At least one side summarises its values by a sketch: the statistics that its CDF gives."""
    __tracebackhide__ = hide_input_errors
    m = method
    if m in ROW_ONLY_METHODS or m in ("chi2_homogeneity", "chisquare", "z", "hellinger"):
        raise ValueError(
            f"column {name!r}: method {m!r} needs the raw rows or the count of every distinct value on both sides, "
            f"which a profile keeps only for numeric columns with at most {DISTINCT_CAP} distinct values; use 'auto' or "
            f"one of ks, wasserstein, t_test, psi, jensenshannon, kl_div"
        )
    mr, mc = r.moments, c.moments
    assert mr is not None and mc is not None
    eps_r, eps_c = _eps(r), _eps(c)
    eps = eps_r + eps_c
    if m == "t_test":
        stat, p = _t_test(r, c)
        return _Result(name, "numeric", m, stat, p)
    if m in ("psi", "jensenshannon", "kl_div"):
        if vr is not None and vr[0].size <= 20:
            raise ValueError(
                f"column {name!r}: method {m!r} compares per-value counts when the reference has at most 20 distinct "
                f"values, and the current side has more than {DISTINCT_CAP}, which a profile does not count; use 'auto' "
                f"or ks, wasserstein, t_test, or compare the rows"
            )
        cdf_r, cdf_c = _binned_cdfs(r, c)
        hr, hc = np.round(np.diff(cdf_r) * mr.n).astype(np.int64), np.round(np.diff(cdf_c) * mc.n).astype(np.int64)
        stat, _ = _drift._run_checked(name, m, lambda: _drift._count_test(m, hr, hc, int(hr.sum()), int(hc.sum())))
        band = _binned_band(m, cdf_r, cdf_c, eps_r, eps_c, stat, mr.n, mc.n) if eps else None
        return _Result(name, "numeric", m, stat, None, effect_band=band, eps=eps)
    scale = float(max(abs(mr.min), abs(mr.max), abs(mc.min), abs(mc.max)))  # drift.column_scale
    unit = scale or 1.0
    d, w = _distances(r, c, unit)
    span = (max(mr.max, mc.max) - min(mr.min, mc.min)) / unit * eps
    std = _scaled_std(mr, unit)
    if m == "wasserstein":
        den = max(std, _drift.STD_FLOOR / unit)
        stat = 0.0 if scale == 0.0 else w / den
        band = (max(w - span, 0.0) / den, (w + span) / den) if eps else None
        return _Result(name, "numeric", m, stat, None, effect_band=band, eps=eps)
    if eps:
        p = _ks_p(d, mr.n, mc.n)
        p_band: tuple[float, float] | None = (_ks_p(d + eps, mr.n, mc.n), _ks_p(d - eps, mr.n, mc.n))
    else:
        d, p = _drift.ks_from_statistic(d, mr.n, mc.n)
        p_band = None
    if m == "ks":
        return _Result(name, "numeric", "ks", d, p, p_band=p_band, eps=eps)
    effect = 0.0 if scale == 0.0 else _drift.numeric_effect(w, std)
    res = _Result(name, "numeric", "ks", d, p, effect, _floors()[0], p_band=p_band, eps=eps)
    if eps and scale:
        res.effect_band = (_drift.numeric_effect(max(w - span, 0.0), std), _drift.numeric_effect(w + span, std))
    return res


def _columns(names: list[Any], ref: Profile, cur: Profile, methods: Mapping[Any, str | None], forced: set[Any]) -> list[_Result]:
    """Every column's statistic; numeric columns on several threads (numpy releases the GIL)."""
    __tracebackhide__ = hide_input_errors
    from .drift import _threads

    workers = min(_threads(), len(names))
    if workers > 1 and any(ref[n].exact is not None or cur[n].exact is not None for n in names):
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=workers) as pool:
            return list(pool.map(lambda n: _column(n, ref[n], cur[n], methods[n], n in forced), names))
    out = []
    for n in names:
        out.append(_column(n, ref[n], cur[n], methods[n], n in forced))
    return out


def _t_test(r: ColumnProfile, c: ColumnProfile) -> tuple[float, float]:
    """Student's two-sample t-test (``scipy.stats.ttest_ind``) from exact moments, as drift.py's
    ``t_test_rows``: in units of a power of two near the column's largest value; a side whose min
    equals its max is constant (mean exactly that value, zero variance)."""
    mr, mc = r.moments, c.moments
    assert mr is not None and mc is not None
    big = float(max(abs(mr.min), abs(mr.max), abs(mc.min), abs(mc.max)))  # drift.column_scale
    unit = _drift.power_of_two_scale(big)

    def scaled(m: Any) -> tuple[float, float]:
        if m.min == m.max:
            return m.min / unit, 0.0
        f = m.scale / unit  # a power of two over a power of two: exact
        return m.mean * f, m.m2 * f * f

    a_mean, a_ss = scaled(mr)
    b_mean, b_ss = scaled(mc)
    return _drift.student_t(mr.n, a_ss, mc.n, b_ss, a_mean - b_mean)


# ----------------------------------------------------------------------------------------------
# Verdicts
# ----------------------------------------------------------------------------------------------


def _select(ref: Profile, cur: Profile, columns: Any) -> list[Any]:
    __tracebackhide__ = hide_input_errors
    if columns is None:
        names = list(ref.columns)
        for c in cur.columns:
            if c not in ref.columns:
                raise ValueError(f"column {c!r} is missing in reference (present in current)")
    else:
        if isinstance(columns, (str, bytes)) or not isinstance(columns, Iterable):
            names = [columns]
        else:
            names = list(columns)
            if isinstance(columns, (set, frozenset)):
                order = {c: i for i, c in enumerate(ref.columns)}
                names.sort(key=lambda c: (c not in order, order.get(c, 0), str(c)))
        if not names:
            raise ValueError("columns= is empty: name at least one column")
        if len(set(names)) != len(names):
            raise ValueError("columns= names a column twice")
    for c in names:
        if c not in ref.columns:
            raise ValueError(f"column {c!r} is missing in reference")
        if c not in cur.columns:
            raise ValueError(f"column {c!r} is missing in current")
    return names


def _near(res: _Result, p_adj: float | None, factor: float, threshold: float, spec: Any, auto: bool) -> bool:
    """True when the verdict may flip within the sketch error (its lowest and highest possible values differ)."""
    if res.p_value is not None:
        if p_adj is None or math.isnan(p_adj):
            return False
        inclusive = spec.inclusive and not auto

        def passes(p: float) -> bool:
            return p <= threshold if inclusive else p < threshold

        sig_range = {passes(p_adj)}
        if res.p_band is not None:
            sig_range |= {passes(min(res.p_band[0] * factor, 1.0)), passes(min(res.p_band[1] * factor, 1.0))}
        big_range = {True}
        if res.effect is not None and res.effect_floor is not None:
            big_range = {res.effect >= res.effect_floor}
            if res.effect_band is not None:
                big_range |= {res.effect_band[0] >= res.effect_floor, res.effect_band[1] >= res.effect_floor}
        return (max(sig_range) and max(big_range)) != (min(sig_range) and min(big_range))
    if res.effect_band is None:
        return False
    lo, hi = res.effect_band

    def over(s: float) -> bool:
        return s >= threshold if spec.inclusive else s > threshold

    return over(lo) != over(hi)


def profile_drift(
    reference: Profile,
    current: Profile,
    *,
    columns: Iterable[Any] | str | None = None,
    method: str | Mapping[Any, str] = "auto",
    threshold: float | Mapping[Any, float] | None = None,
    correction: str | None = "holm",
    categorical: Sequence[Any] | None = None,
) -> _drift.DriftReport:
    """Compare two profiles column by column, as :func:`~pytest_mlgate.drift.detect_drift` compares rows."""
    __tracebackhide__ = hide_input_errors
    if not isinstance(reference, Profile) or not isinstance(current, Profile):
        raise TypeError("profile_drift: reference and current must be Profiles")
    if correction not in _drift.CORRECTIONS:
        raise ValueError(f"unknown correction {correction!r}; valid: None, 'bonferroni', 'holm', 'bh'")
    names = _select(reference, current, columns)
    methods: dict[Any, str | None] = {}
    for n, m in _drift._per_column(method, names, "method").items():
        methods[n] = _drift._resolve_method(n, m)
    thresholds: dict[Any, float | None] = {}
    for n, t in _drift._per_column(threshold, names, "threshold").items():
        thresholds[n] = _drift._check_threshold(n, t)
    forced = set() if categorical is None else ({categorical} if isinstance(categorical, str) else set(categorical))
    for f in forced:
        if f not in reference.columns:
            raise ValueError(f"categorical= names column {f!r}, which is missing in reference")

    results = _columns(names, reference, current, methods, forced)
    tested = [i for i, r in enumerate(results) if r.p_value is not None]
    raw = np.array([results[i].p_value for i in tested], dtype=float)
    adjusted = dict(zip(tested, _drift._adjust_failing_nan(raw, correction)))
    cols = [(reference[n], current[n]) for n in names]
    miss_raw = np.array([_drift._two_proportion_p(r.missing, r.rows, c.missing, c.rows) for r, c in cols])
    miss_tested = [i for i, (r, c) in enumerate(cols) if r.missing + c.missing > 0]
    miss_adj = np.ones(len(names))
    miss_adj[miss_tested] = _drift._adjust(miss_raw[miss_tested], correction)

    out = []
    for i, res in enumerate(results):
        r_col, c_col = cols[i]
        auto = methods[res.name] is None
        p_adj = adjusted.get(i)
        partial = _drift._Partial(
            name=res.name, kind=res.kind, method=res.method, statistic=res.statistic, p_value=res.p_value,
            n_ref_total=r_col.rows, n_cur_total=c_col.rows, missing_ref=r_col.missing, missing_cur=c_col.missing,
            effect=res.effect, effect_floor=res.effect_floor, auto=auto,
        )
        drifted, level, reason = _drift._value_verdict(partial, thresholds[res.name], p_adj, correction)
        factor = 1.0
        if res.p_value is not None and p_adj is not None and res.p_value > 0:
            factor = p_adj / res.p_value
        if res.eps and _near(res, p_adj, factor, level, _drift.METHODS[res.method], auto):
            reason += f"; within sketch error (rank error ±{res.eps:.2%}): the rows' verdict may differ"
        if res.pooled:
            reason += (
                f"; over {CATEGORY_CAP:,} categories: those outside both sides' kept sets are compared as one "
                f"'other' cell ({res.pooled:,} rows), so the rows' verdict may differ"
            )
        share_r, share_c = r_col.missing_share, c_col.missing_share
        missing_drifted = bool(
            miss_adj[i] < _drift.MISSING_SHARE_ALPHA and abs(share_c - share_r) >= _drift.MISSING_SHARE_MIN_CHANGE
        )
        parts = [reason]
        if missing_drifted:
            parts.insert(0, f"missing share {share_r:.1%} -> {share_c:.1%}")
        if res.n_new:
            parts.append(_drift._format_categories(res.new or {}, res.n_new, "new"))
        if res.n_vanished:
            parts.append(_drift._format_categories(res.vanished or {}, res.n_vanished, "vanished"))
        out.append(
            _drift.ColumnDrift(
                name=res.name, kind=res.kind, method=res.method, statistic=float(res.statistic), p_value=res.p_value,
                threshold=float(level), drifted=bool(drifted or missing_drifted), missing_reference=share_r,
                missing_current=share_c, missing_drifted=missing_drifted, new_categories=res.new or {},
                vanished_categories=res.vanished or {}, reason="; ".join(parts),
                p_value_adjusted=None if p_adj is None else float(p_adj), missing_p_value=float(miss_raw[i]),
                effect=None if res.effect is None else float(res.effect), effect_floor=res.effect_floor,
            )
        )
    return _drift.DriftReport(columns=out, n_reference=reference.rows, n_current=current.rows, correction=correction)


def _single(data: Any) -> Any:
    """A single-column pandas-side input (Series, 1-d array, list) as a Series, else None."""
    import pandas as pd

    if isinstance(data, pd.Series):
        return data
    if isinstance(data, np.ndarray) and data.ndim == 1:
        return pd.Series(data)
    if isinstance(data, list) and not any(isinstance(v, (list, tuple, np.ndarray)) for v in data):
        return pd.Series(data, dtype=object if not data else None)
    return None


def drift_from_inputs(reference: Any, current: Any, **kwargs: Any) -> _drift.DriftReport:
    """Profile both sides (whatever each is) and compare the profiles; the dispatch of ``detect_drift``."""
    __tracebackhide__ = hide_input_errors
    import pandas as pd

    from .sources import profile_source

    categorical = kwargs.get("categorical")
    columns = kwargs.get("columns")
    wanted = None if columns is None else ([columns] if isinstance(columns, (str, bytes)) or not isinstance(columns, Iterable) else list(columns))
    profiles = []
    other_names: list[Any] | None = None
    for data, _side in ((reference, "reference"), (current, "current")):
        if isinstance(data, Profile):
            other_names = list(data.columns)
    for data, side in ((reference, "reference"), (current, "current")):
        s = _single(data)
        if s is not None:
            name = s.name if s.name is not None else (other_names[0] if other_names and len(other_names) == 1 else "value")
            data = s.to_frame(name=name)
        try:
            forced = None if categorical is None else [c for c in ([categorical] if isinstance(categorical, str) else categorical)
                                                       if isinstance(data, Profile) or _has_column(data, c)]
            if isinstance(data, pd.DataFrame):  # in memory already: compare its rows exactly
                p = exact_profile(_frame_columns(data, wanted), forced or ())
            else:
                p = profile_source(data, columns=_present(data, wanted), categorical=forced)
        except (ValueError, TypeError, FileNotFoundError) as exc:
            raise type(exc)(f"{side}: {exc}") from None
        profiles.append(p)
    return profile_drift(profiles[0], profiles[1], **kwargs)


def _frame_columns(frame: Any, wanted: list[Any] | None) -> Any:
    __tracebackhide__ = hide_input_errors
    if frame.shape[1] == 0:
        raise ValueError("has no columns")
    if len(frame) == 0:
        raise ValueError("is empty (0 rows)")
    if not frame.columns.is_unique:
        raise ValueError(f"has duplicate column {frame.columns[frame.columns.duplicated()][0]!r}")
    if wanted is None:
        return frame
    return frame[[w for w in wanted if w in frame.columns]]


def _has_column(data: Any, name: Any) -> bool:
    from .sources import is_arrow, is_path_input, is_spark

    if is_spark(data):
        return name in data.columns
    if is_arrow(data):
        return name in data.schema.names
    if is_path_input(data):
        return True
    return name in getattr(data, "columns", ())


def _present(data: Any, wanted: list[Any] | None) -> list[Any] | None:
    """Restrict a source to the requested columns that it has (a missing one is reported later)."""
    if wanted is None or isinstance(data, Profile):
        return None
    from .sources import is_path_input

    if is_path_input(data):
        return wanted
    return [w for w in wanted if _has_column(data, w)] or None
