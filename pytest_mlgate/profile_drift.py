"""Drift between two profiles: the same :class:`~pytest_mlgate.drift.DriftReport` as from the rows.

``method="auto"`` (the default) applies the sound rule of :mod:`pytest_mlgate.drift`:

* numeric columns with more than 5 distinct non-missing values (on both sides together): the
  two-sample Kolmogorov-Smirnov test.  The statistic is the largest gap between the two sketches'
  CDFs, evaluated at the union of their retained items; the p-value is ``scipy.stats.kstwo``'s
  (scipy's ``ks_2samp(method="asymp")``) at the true sizes, or above an effective size of 10,000
  Stephens' corrected asymptotic formula (within 0.3% of it, and a thousand times faster); when
  both sides are exact (every value kept) and neither has more than 10,000 values, the exact
  p-value that ``ks_2samp``'s default gives the rows.  Effect: the Wasserstein-1 distance
  between the sketches' distributions (the area between their CDFs, equal to the integral of the
  quantile-function gap) divided by the reference's std from exact moments, floored at
  ``STD_REL_FLOOR`` times the reference's largest magnitude.
* categorical and bool columns, and numeric columns with at most 5 distinct values: the chi-square
  test of homogeneity of the 2 x k count table, categories whose expected count is below 5 on
  either side pooled into one cell; effect: total variation distance of the two share vectors.

p-values are corrected across the columns (``correction``, Holm by default); a column drifts
when its corrected p < ``threshold`` (0.05) and its effect >= the kind's floor
(:data:`~pytest_mlgate.drift.NUMERIC_EFFECT_FLOOR`, :data:`~pytest_mlgate.drift.CATEGORICAL_EFFECT_FLOOR`).
Missing shares are tested as in :mod:`pytest_mlgate.drift` (two-proportion test, own family).

Sketch error: a KLL sketch's CDF is within its rank error ``eps`` (0.28% at 99% confidence for
``k = 1000``; 0 while it holds every value) of the true CDF, so the KS statistic is within
``eps_ref + eps_cur`` of the one from the rows and the Wasserstein distance within
``(eps_ref + eps_cur) * range``.  When the verdict would change somewhere inside those bounds,
the column's ``reason`` says "within sketch error".  Category counts and moments are exact.

Named methods from profiles: ks, wasserstein, t_test (from moments), and chi2_homogeneity,
chisquare, z, psi, jensenshannon, kl_div, hellinger on category counts (also numeric columns
with exact value counts); psi, jensenshannon and kl_div also bin many-valued numeric columns
from the sketches.  cramer_von_mises, anderson, mannwhitney and energy need the rows: asking for
them is a ``ValueError`` naming the method.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
from scipy import stats

from . import drift as _drift
from ._errors import hide_input_errors
from .profile import DISTINCT_CAP, ColumnProfile, Profile, _json_key, exact_profile

__all__ = ["ROW_ONLY_METHODS", "STD_REL_FLOOR", "drift_from_inputs", "profile_drift"]

#: Methods that need raw rows; a profile cannot give them.
ROW_ONLY_METHODS = ("cramer_von_mises", "anderson", "mannwhitney", "energy")
#: The reference std is floored at this share of the reference's largest absolute value.
STD_REL_FLOOR = 1e-9
#: Auto rule: numeric columns with more distinct values than this get KS, others chi-square.
FEW_VALUES = 5
#: Chi-square pooling: categories whose expected count is below this on either side share one cell.
MIN_EXPECTED = 5.0
_OTHER = ("__mlgate_other__",)
_HAS_EFFECT = "effect" in {f.name for f in fields(_drift.ColumnDrift)}


def _floors() -> tuple[float, float]:
    return (
        float(getattr(_drift, "NUMERIC_EFFECT_FLOOR", 0.1)),
        float(getattr(_drift, "CATEGORICAL_EFFECT_FLOOR", 0.1)),
    )


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


def _aligned(a: Mapping[Any, int], b: Mapping[Any, int]) -> tuple[list[Any], np.ndarray, np.ndarray]:
    keys = list(dict.fromkeys([*a, *b]))
    try:
        keys.sort()
    except TypeError:
        keys.sort(key=lambda k: (type(k).__name__, str(k)))
    return keys, np.array([a.get(k, 0) for k in keys], dtype=np.float64), np.array([b.get(k, 0) for k in keys], dtype=np.float64)


def _pooled_chi2(cr: np.ndarray, cc: np.ndarray) -> tuple[float, float]:
    """Chi-square homogeneity test of the 2 x k table, sparse cells (expected < 5) pooled into one."""
    n_r, n_c = cr.sum(), cc.sum()
    total = n_r + n_c
    col = cr + cc
    sparse = col * (min(n_r, n_c) / total) < MIN_EXPECTED
    if sparse.any():
        cr = np.append(cr[~sparse], cr[sparse].sum())
        cc = np.append(cc[~sparse], cc[sparse].sum())
    keep = (cr + cc) > 0
    cr, cc = cr[keep], cc[keep]
    k = cr.size
    if k < 2:
        return 0.0, 1.0
    obs = np.vstack([cr, cc])
    expected = np.outer([n_r, n_c], obs.sum(axis=0)) / total
    statistic = float(np.sum((obs - expected) ** 2 / expected))
    return statistic, float(stats.chi2.sf(statistic, k - 1))


def _step(col: ColumnProfile) -> tuple[np.ndarray, np.ndarray]:
    """The column's CDF as a right-continuous step function: distinct points and P(X <= x) there."""
    if col.exact is not None:
        x = col.exact
        if x.size == 0:
            return x, x
        last = np.flatnonzero(np.concatenate((x[1:] != x[:-1], [True])))
        return x[last], (last + 1) / x.size
    items = np.fromiter((item for item, _ in col.sketch), dtype=np.float64)
    points = np.unique(items)
    return points, np.asarray(col.sketch.get_cdf(points, True), dtype=np.float64)[:-1]


def _at(x: np.ndarray, f: np.ndarray, u: np.ndarray, side: str = "right") -> np.ndarray:
    """The step function (x, f) at the points ``u`` (``side="left"``: just below them)."""
    return np.concatenate(([0.0], f))[np.searchsorted(x, u, side=side)]


def _union_stats(r: ColumnProfile, c: ColumnProfile) -> tuple[float, float]:
    """KS statistic and Wasserstein-1 distance between two step CDFs, over the union of their points."""
    (xr, fr), (xc, fc) = _step(r), _step(c)
    u = np.union1d(xr, xc)
    gap = np.abs(_at(xr, fr, u) - _at(xc, fc, u))
    d = float(gap.max()) if u.size else 0.0
    w = float(np.sum(gap[:-1] * np.diff(u))) if u.size > 1 else 0.0
    return d, w


def _exact_vs_step(v: np.ndarray, xs: np.ndarray, fs: np.ndarray) -> tuple[float, float]:
    """KS statistic and Wasserstein-1 distance between the sorted values ``v`` and a step CDF.

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
    w = (float(np.sum(area)) + float(left) + float(right)) * sc
    gaps = [np.abs(F(a, "right") - c), np.abs(F(b, "left") - c)]
    d = max(
        float(max((g.max() for g in gaps if g.size), default=0.0)),
        float(F(zs[:1], "left")[0]),
        float(1.0 - F(zs[-1:], "right")[0]),
    )
    return d, max(w, 0.0)


def _distances(r: ColumnProfile, c: ColumnProfile) -> tuple[float, float]:
    """(KS statistic, Wasserstein-1 distance) of two numeric columns, from sketches or rows."""
    for big, small in ((r, c), (c, r)):
        if big.exact is not None and big.exact.size > 4 * (small.sketch.num_retained if small.exact is None else small.exact.size):
            xs, fs = _step(small)
            return _exact_vs_step(big.exact, xs, fs)
    return _union_stats(r, c)


#: Above this effective size ``n*m/(n+m)`` the KS p-value uses Stephens' corrected asymptotic
#: formula (relative error < 0.3% at p >= 1e-3) instead of ``kstwo``, which takes ~1 s there.
KS_EXACT_MAX_EN = 10_000


def _ks_p(d: float, n_r: int, n_c: int, exact: bool = False) -> float:
    """Two-sided KS p-value at the true sizes: ``scipy.stats.ks_2samp(method="asymp")``'s ``kstwo``.

    ``exact`` (both sides hold every value) with at most 10,000 values a side: the exact
    p-value, as ``ks_2samp``'s default ``method="auto"`` gives it for the rows."""
    en = n_r * n_c / (n_r + n_c)
    d = min(max(d, 0.0), 1.0)
    if exact and max(n_r, n_c) <= _drift._KS_EXACT_MAX_N:
        try:
            from scipy.stats._stats_py import _attempt_exact_2kssamp

            ok, _, prob = _attempt_exact_2kssamp(n_r, n_c, math.gcd(n_r, n_c), d, "two-sided")
            if ok:
                return float(np.clip(prob, 0.0, 1.0))
        except (ImportError, TypeError, ValueError):  # scipy moved it: the asymptotic value below
            pass
    if en <= KS_EXACT_MAX_EN:
        return float(stats.kstwo.sf(d, max(round(en), 1)))
    root = math.sqrt(en)
    return float(stats.kstwobign.sf((root + 0.12 + 0.11 / root) * d))


def _std_floor(col: ColumnProfile) -> float:
    m = col.moments
    assert m is not None
    big = max(abs(m.min or 0.0), abs(m.max or 0.0))
    return max(m.std, STD_REL_FLOOR * big, np.finfo(np.float64).tiny)


def _sketch_hist(r: ColumnProfile, c: ColumnProfile) -> tuple[np.ndarray, np.ndarray]:
    """Counts in Sturges bins over both ranges, from the sketches' CDFs (drift.py's binned methods)."""
    mr, mc = r.moments, c.moments
    assert mr is not None and mc is not None
    edges = _drift._sturges_edges(min(mr.min, mc.min), max(mr.max, mc.max), mr.n + mc.n)
    inner = np.unique(edges[1:-1])

    def hist(col: ColumnProfile) -> np.ndarray:
        # bins are [a, b) except the last, [a, b]: the share below each inner edge, exclusive
        x, f = _step(col)
        below = np.concatenate([[0.0], _at(x, f, inner, side="left"), [1.0]])
        return np.round(np.diff(below) * col.moments.n)  # type: ignore[union-attr]

    return hist(r), hist(c)


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
    # (low, high) bounds of the statistic / effect from the sketch error; None when exact
    p_band: tuple[float, float] | None = None
    effect_band: tuple[float, float] | None = None
    new: dict[Any, float] | None = None
    vanished: dict[Any, float] | None = None
    n_new: int = 0
    n_vanished: int = 0


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


def _column(name: Any, r: ColumnProfile, c: ColumnProfile, method: str | None, forced: bool) -> _Result:
    """The statistic of one column; ``method=None`` is the auto rule (with its effect size)."""
    __tracebackhide__ = hide_input_errors
    r, c = _check_column(name, r, c, forced)
    num_floor, cat_floor = _floors()
    counts_r, counts_c = _counts_of(r), _counts_of(c)
    numeric = r.kind == "numeric" and not forced
    few = counts_r is not None and counts_c is not None and len(set(counts_r) | set(counts_c)) <= FEW_VALUES
    if method in ROW_ONLY_METHODS:
        raise ValueError(
            f"column {name!r}: method {method!r} needs the raw rows, which a profile does not keep; use 'auto' or one "
            f"of ks, wasserstein, t_test, chi2_homogeneity, chisquare, z, psi, jensenshannon, kl_div, hellinger"
        )
    kind = "numeric" if numeric else "categorical"
    auto = method is None
    if method is None:
        method = "ks" if numeric and not few else "chi2_homogeneity_pooled"
    has_counts = counts_r is not None and counts_c is not None
    res: _Result
    if method == "chi2_homogeneity_pooled" or (method in ("chi2_homogeneity", "chisquare", "z", "psi", "jensenshannon", "kl_div", "hellinger") and has_counts):
        assert counts_r is not None and counts_c is not None
        keys, cr, cc = _aligned(counts_r, counts_c)
        n_r, n_c = int(cr.sum()), int(cc.sum())
        if method == "chi2_homogeneity_pooled":
            stat, p = _pooled_chi2(cr, cc)
            tvd = 0.5 * float(np.abs(cr / n_r - cc / n_c).sum())
            res = _Result(name, kind, "chi2_homogeneity", stat, p, tvd, cat_floor)
        else:
            m = method
            stat, p = _drift._run_checked(name, m, lambda: _drift._count_test(m, cr.astype(np.int64), cc.astype(np.int64), n_r, n_c))
            res = _Result(name, kind, method, stat, p)
        if not numeric:
            res.new, res.vanished, res.n_new, res.n_vanished = _categories_change(keys, cr, cc)
        return res
    if not numeric:
        raise ValueError(
            f"column {name!r} is categorical but method {method!r} needs numbers; use one of "
            + ", ".join(m.name for m in _drift.METHODS.values() if m.categorical)
        )
    if method in ("chi2_homogeneity", "chisquare", "z", "hellinger"):
        raise ValueError(
            f"column {name!r}: method {method!r} on a numeric column with more than {DISTINCT_CAP} distinct values needs the raw "
            f"rows, which a profile does not keep; use 'auto', ks, wasserstein, t_test, psi, jensenshannon or kl_div"
        )
    mr, mc = r.moments, c.moments
    assert mr is not None and mc is not None
    eps = r.rank_error + c.rank_error
    if method == "t_test":
        stat, p = _t_test(r, c)
        return _Result(name, kind, method, stat, p)
    if method in ("psi", "jensenshannon", "kl_div"):
        hr, hc = _sketch_hist(r, c)
        m = method
        stat, _ = _drift._count_test(m, hr.astype(np.int64), hc.astype(np.int64), int(hr.sum()), int(hc.sum()))
        return _Result(name, kind, method, stat, None)
    d, w = _distances(r, c)
    span = (max(mr.max, mc.max) - min(mr.min, mc.min)) * eps
    if method == "wasserstein":
        std = max(mr.std, _drift.STD_FLOOR)
        stat = w / std
        band = ((w - span) / std, (w + span) / std) if eps else None
        return _Result(name, kind, method, stat, None, effect_band=band)
    p = _ks_p(d, mr.n, mc.n, exact=not eps)
    p_band = (_ks_p(d + eps, mr.n, mc.n), _ks_p(d - eps, mr.n, mc.n)) if eps else None
    if auto:
        std = _std_floor(r)
        res = _Result(name, kind, "ks", d, p, w / std, num_floor, p_band=p_band)
        if eps:
            res.effect_band = (max(w - span, 0.0) / std, (w + span) / std)
        return res
    return _Result(name, kind, "ks", d, p, p_band=p_band)


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
    """Student's two-sample t-test (``scipy.stats.ttest_ind``) from exact moments."""
    mr, mc = r.moments, c.moments
    assert mr is not None and mc is not None
    scale = max(mr.scale, mc.scale)
    a, b = mr.rescaled(scale), mc.rescaled(scale)
    dof = a.n + b.n - 2
    if dof <= 0:
        return math.nan, 1.0
    pooled = (a.m2 + b.m2) / dof
    denom = math.sqrt(pooled * (1 / a.n + 1 / b.n))
    if denom == 0:
        return (0.0, 1.0) if a.mean == b.mean else (math.copysign(math.inf, a.mean - b.mean), 0.0)
    t = (a.mean - b.mean) / denom
    return float(t), float(2 * stats.t.sf(abs(t), dof))


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


def _decide(res: _Result, p_adj: float | None, factor: float, threshold: float, spec: Any, auto: bool) -> tuple[bool, str, bool]:
    """(drifted, reason, near): ``near`` when the verdict may flip within the sketch error."""
    fmt = _drift._fmt
    near = False
    if res.p_value is not None:
        assert p_adj is not None
        inclusive = spec.inclusive and not auto

        def passes(p: float) -> bool:
            return p <= threshold if inclusive else p < threshold

        sig = passes(p_adj)
        sig_range = {sig}
        if res.p_band is not None:
            sig_range |= {passes(min(res.p_band[0] * factor, 1.0)), passes(min(res.p_band[1] * factor, 1.0))}
        cmp = ("<=" if inclusive else "<") if sig else (">" if inclusive else ">=")
        text = f"{res.method} p={fmt(res.p_value)}" + (f" (adj {fmt(p_adj)})" if factor != 1.0 or p_adj != res.p_value else "")
        text += f" {cmp} {fmt(threshold)}"
        drifted = sig
        big_range = {True}
        if res.effect is not None and res.effect_floor is not None:
            big = res.effect >= res.effect_floor
            label = "W1/std" if res.kind == "numeric" and res.method == "ks" else "TVD"
            text += f", effect {label} {fmt(res.effect)} {'>=' if big else '<'} {fmt(res.effect_floor)}"
            big_range = {big}
            if res.effect_band is not None:
                big_range |= {res.effect_band[0] >= res.effect_floor, res.effect_band[1] >= res.effect_floor}
            drifted = sig and big
        # the verdict may flip when its lowest and highest possible values differ
        near = (max(sig_range) and max(big_range)) != (min(sig_range) and min(big_range))
    else:
        score = res.statistic
        drifted = score >= threshold if spec.inclusive else score > threshold
        if res.effect_band is not None:
            lo, hi = res.effect_band
            near = (lo >= threshold) != (hi >= threshold)
        cmp = (">=" if spec.inclusive else ">") if drifted else ("<" if spec.inclusive else "<=")
        text = f"{res.method} {fmt(score)} {cmp} {fmt(threshold)}"
    if not drifted:
        text = f"no drift ({text})"
    return drifted, text, near


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
    adjusted = dict(zip(tested, _drift._adjust(raw, correction)))
    cols = [(reference[n], current[n]) for n in names]
    miss_raw = np.array([_drift._two_proportion_p(r.missing, r.rows, c.missing, c.rows) for r, c in cols])
    miss_tested = [i for i, (r, c) in enumerate(cols) if r.missing + c.missing > 0]
    miss_adj = np.ones(len(names))
    miss_adj[miss_tested] = _drift._adjust(miss_raw[miss_tested], correction)

    out = []
    for i, res in enumerate(results):
        spec = _drift.METHODS[res.method]
        auto = methods[res.name] is None
        t = thresholds[res.name]
        t = spec.default_threshold if t is None else t
        p_adj = adjusted.get(i)
        factor = 1.0
        if res.p_value is not None and p_adj is not None and res.p_value > 0:
            factor = p_adj / res.p_value
        drifted, reason, near = _decide(res, p_adj, factor, t, spec, auto)
        if near:
            eps = cols[i][0].rank_error + cols[i][1].rank_error
            reason += f"; within sketch error (rank error ±{eps:.2%}): the rows' verdict may differ"
        r_col, c_col = cols[i]
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
        extra: dict[str, Any] = {}
        if _HAS_EFFECT:
            extra["effect"] = res.effect
        out.append(
            _drift.ColumnDrift(
                name=res.name, kind=res.kind, method=res.method, statistic=float(res.statistic), p_value=res.p_value,
                threshold=float(t), drifted=bool(drifted or missing_drifted), missing_reference=share_r,
                missing_current=share_c, missing_drifted=missing_drifted, new_categories=res.new or {},
                vanished_categories=res.vanished or {}, reason="; ".join(parts),
                p_value_adjusted=None if p_adj is None else float(p_adj), missing_p_value=float(miss_raw[i]), **extra,
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
