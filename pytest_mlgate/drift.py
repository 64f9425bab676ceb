"""Data drift between a reference and a current dataset: per-column tests, verdicts and report.

:func:`detect_drift` compares every column of two tables and returns a :class:`DriftReport`;
:func:`assert_no_drift` raises :class:`DriftDetected` (an ``AssertionError``) when too many
columns drifted.

``method="auto"`` (the default) is a two-sample rule that counts both samples' noise, the same
at every sample size (the pure per-column functions :func:`auto_numeric_test`,
:func:`auto_categorical_test` and :func:`auto_verdict` take what a profile can provide):

* numeric columns with more than :data:`AUTO_MAX_CATEGORY_VALUES` (5) distinct finite values
  over both sides: the two-sample Kolmogorov-Smirnov test (``scipy.stats.ks_2samp``: exact for
  small samples, asymptotic for large); effect = Wasserstein-1 distance / the reference's
  population std, both computed on the values divided by the column's scale (its largest
  absolute value), the std floored at :data:`RELATIVE_STD_FLOOR` (1e-12) of that scale;
* categorical, bool and numeric columns with at most 5 distinct values: the chi-square test of
  homogeneity of the 2 x k table of counts, after pooling every category whose smaller expected
  cell is below :data:`MIN_EXPECTED_COUNT` (5) into one bucket (a bucket still below 5 joins the
  smallest category); effect = total variation distance between the two share vectors;
* p-values corrected across the columns (``correction``, Holm by default); a column drifts when
  its corrected p-value < ``threshold`` (default :data:`AUTO_ALPHA`, 0.05) **and** its effect >=
  :data:`NUMERIC_EFFECT_FLOOR` / :data:`CATEGORICAL_EFFECT_FLOOR` (0.1 each, chosen by simulation
  in ``benchmarks/soundness.py``: a 0.3-sd shift or a 15-point share change passes them, a
  0.05-sd shift at 200,000 rows does not).  A NaN statistic is drift, with a reason.

``method="evidently"`` is Evidently's legacy data-drift preset (``stattests._get_default_stattest``)
column by column, with the same statistic, threshold and verdict:

* reference rows (after dropping NaN/inf) <= 1000: Kolmogorov-Smirnov for numeric columns with
  more than 5 distinct values, chi-square for 3..5 values (numeric) or more than 2 values
  (categorical), two-proportion z-test for at most 2 values;
* more reference rows: Wasserstein distance normed by the reference's population std
  (floored at 0.001) for numeric columns with more than 5 values, Jensen-Shannon distance on
  binned frequencies otherwise.

Its chi-square is a goodness of fit that takes the reference frequencies as exact and its
distances are neither corrected nor scaled to the sample size, so it raises false alarms on
same-distribution data (10 categorical columns of 300 rows: ~70% of runs); use it only to match
Evidently's verdicts.

Named methods (:data:`METHODS`) use Evidently's default thresholds and comparisons (KS and
Cramer-von Mises: drift when p <= threshold, other tests p < threshold; distances: score >=
threshold, energy: score > threshold); ``mannwhitney`` is two-sided where Evidently's is
one-sided (``alternative="less"``).

``chisquare`` (chosen by ``"evidently"`` or by name) is always Evidently's goodness of fit: the current
counts against the reference frequencies scaled to the current size, taken as exact
(``scipy.stats.chisquare``; a value never seen in reference gives p = 0).  It ignores the
reference's own sampling noise, which roughly doubles the statistic under no drift when both
sides have the same size, so it raises false alarms on many same-distribution categorical
columns (10 columns of 300 rows from one distribution: ~60% of runs even after Holm).  The
two-sample alternative is the named method ``"chi2_homogeneity"``: the chi-square test of
homogeneity of the 2 x k table of counts (``scipy.stats.chi2_contingency`` without Yates'
correction, p < 0.05, no pooling and no effect floor), for categorical and per-value numeric
columns like ``chisquare``.  The other p-value tests (z, KS, Mann-Whitney, t-test, Cramer-von Mises,
Anderson-Darling) are two-sample already.

Beyond Evidently, p-values are adjusted across the columns tested with p-values (Holm by
default), every column's share of missing values (NaN, None, +-inf) is compared, and categories
seen on one side only are listed.  The missing-share tests (a two-proportion z-test, for the
columns with a missing value on either side) form their own correction family, corrected the
same way, so that a column's value verdict does not depend on its missing values; a share
drifts when its adjusted p-value < :data:`MISSING_SHARE_ALPHA` (0.01, stricter than the value
tests so that the two families together keep a gate of 20 columns near its ~5% chance of a false
alarm) and the share moved by at least :data:`MISSING_SHARE_MIN_CHANGE`.  The module does not
import pytest.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from scipy.spatial import distance as _distance

from ._errors import hide_input_errors
from .validate import check_hashable, input_error

__all__ = [
    "ColumnDrift",
    "DriftDetected",
    "DriftReport",
    "METHODS",
    "CORRECTIONS",
    "MISSING_SHARE_ALPHA",
    "MISSING_SHARE_MIN_CHANGE",
    "NUMERIC_EFFECT_FLOOR",
    "CATEGORICAL_EFFECT_FLOOR",
    "assert_no_drift",
    "detect_drift",
]

#: Significance level of the missing-share tests (applied to the p-values adjusted within their own
#: family); stricter than the value tests' 0.05 so that both families together rarely raise falsely.
MISSING_SHARE_ALPHA = 0.01
#: Smallest absolute change in the share of missing values that can count as drift.
MISSING_SHARE_MIN_CHANGE = 0.05
#: At most this many new / vanished categories are listed per column (the largest shares).
MAX_LISTED_CATEGORIES = 50
#: Evidently's boundary between the small-data (p-value) and large-data (distance) tests.
SMALL_REFERENCE_ROWS = 1000
#: Floor of the reference std used to norm the Wasserstein distance (``method="evidently"``).
STD_FLOOR = 0.001
#: ``method="auto"``: a numeric column drifts only when Wasserstein-1 / reference std reaches this.
NUMERIC_EFFECT_FLOOR = 0.1
#: ``method="auto"``: a categorical column drifts only when the total variation distance reaches this.
CATEGORICAL_EFFECT_FLOOR = 0.1
#: ``method="auto"``: numeric columns with more distinct values than this get the KS test.
AUTO_MAX_CATEGORY_VALUES = 5
#: ``method="auto"``: default significance level of the corrected p-values.
AUTO_ALPHA = 0.05
#: ``method="auto"``: categories whose smaller expected cell is below this are pooled into one bucket.
MIN_EXPECTED_COUNT = 5.0
#: Floor of the reference std relative to the column's scale (largest absolute value on either side).
RELATIVE_STD_FLOOR = 1e-12
#: Supported multiple-testing corrections.
CORRECTIONS = (None, "bonferroni", "holm", "bh")

_BLOCK_ELEMENTS = 1 << 21  # float64 values per side held at once while sorting numeric columns


@dataclass(frozen=True)
class _Method:
    """A drift test: how it scores and when it calls drift."""

    name: str
    kind: str  # "p_value" (drift when p < threshold) or "distance" (score >= threshold)
    default_threshold: float
    numeric: bool
    categorical: bool
    inclusive: bool  # p <= threshold / score >= threshold instead of the strict comparison


#: Named methods with Evidently's default thresholds and comparison rules.
METHODS: dict[str, _Method] = {
    m.name: m
    for m in (
        _Method("ks", "p_value", 0.05, True, False, True),
        _Method("chisquare", "p_value", 0.05, True, True, False),
        _Method("chi2_homogeneity", "p_value", 0.05, True, True, False),
        _Method("z", "p_value", 0.05, True, True, False),
        _Method("cramer_von_mises", "p_value", 0.1, True, False, True),
        _Method("anderson", "p_value", 0.1, True, False, False),
        _Method("mannwhitney", "p_value", 0.05, True, False, False),
        _Method("t_test", "p_value", 0.05, True, False, False),
        _Method("wasserstein", "distance", 0.1, True, False, True),
        _Method("psi", "distance", 0.1, True, True, True),
        _Method("jensenshannon", "distance", 0.1, True, True, True),
        _Method("kl_div", "distance", 0.1, True, True, True),
        _Method("hellinger", "distance", 0.1, True, True, True),
        _Method("energy", "distance", 0.1, True, False, False),
    )
}
_ALIASES = {"mannw": "mannwhitney", "ed": "energy"}


# ----------------------------------------------------------------------------------------------
# Results
# ----------------------------------------------------------------------------------------------


def _jsonable(value: Any) -> Any:
    """Return ``value`` as JSON-able builtins; NaN and infinities become ``"nan"``, ``"inf"``, ``"-inf"``."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        f = float(value)
        if math.isfinite(f):
            return f
        return "nan" if math.isnan(f) else ("inf" if f > 0 else "-inf")
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return str(value)


def _fmt(value: float | None, digits: int = 4) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if value != 0 and abs(value) < 10 ** -digits:
        return f"{value:.2e}"
    return f"{value:.{digits}g}"


@dataclass
class ColumnDrift:
    """The drift verdict for one column.

    ``statistic`` is the test statistic (p-value tests) or the distance (distance methods);
    ``p_value`` is the raw p-value (``None`` for distances) and ``p_value_adjusted`` the one after
    the multiple-testing correction across the columns' value tests, which decides the value
    verdict.  ``drifted`` is that verdict or ``missing_drifted`` (the missing-share test, corrected
    in its own family).  Missing shares are over all rows; category shares are over the
    non-missing rows of the side they were seen on.
    """

    name: Any
    kind: str
    method: str
    statistic: float
    p_value: float | None
    threshold: float
    drifted: bool
    missing_reference: float
    missing_current: float
    missing_drifted: bool
    new_categories: dict[Any, float] = field(default_factory=dict)
    vanished_categories: dict[Any, float] = field(default_factory=dict)
    reason: str = ""
    p_value_adjusted: float | None = None
    missing_p_value: float | None = None
    effect: float | None = None
    effect_floor: float | None = None

    @property
    def missing_shares(self) -> tuple[float, float]:
        """``(reference, current)`` shares of missing values in this column."""
        return (self.missing_reference, self.missing_current)

    def _fields(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "method": self.method,
            "statistic": self.statistic,
            "p_value": self.p_value,
            "p_value_adjusted": self.p_value_adjusted,
            "threshold": self.threshold,
            "drifted": bool(self.drifted),
            "missing_reference": self.missing_reference,
            "missing_current": self.missing_current,
            "missing_p_value": self.missing_p_value,
            "missing_drifted": bool(self.missing_drifted),
            "new_categories": self.new_categories,
            "vanished_categories": self.vanished_categories,
            "reason": self.reason,
            "effect": self.effect,
            "effect_floor": self.effect_floor,
        }

    def to_dict(self) -> dict[str, Any]:
        """Return the verdict as JSON-able builtins.

        Non-finite floats (an infinite statistic from a new category, NaN) become the strings
        ``"inf"``, ``"-inf"`` and ``"nan"`` so that strict JSON keeps them; names that are not
        ``str``/``int`` become strings.
        """
        d = {k: _jsonable(v) for k, v in self._fields().items()}
        d["name"] = self.name if isinstance(self.name, (str, int)) else str(self.name)
        return d


_TABLE_HEADER = ("column", "method", "statistic", "p-value", "threshold", "effect", "reason")


def _effect_cell(c: ColumnDrift) -> str:
    if c.effect is None:
        return "-"
    return _fmt(c.effect) + ("" if c.effect_floor is None else f" (floor {_fmt(c.effect_floor)})")


def _table_row(c: ColumnDrift) -> tuple[str, ...]:
    p = _fmt(c.p_value)
    if c.p_value is not None and c.p_value_adjusted is not None and c.p_value_adjusted != c.p_value:
        p = f"{p} (adj {_fmt(c.p_value_adjusted)})"
    return (str(c.name), c.method, _fmt(c.statistic), p, _fmt(c.threshold), _effect_cell(c), c.reason)


def _text_table(rows: Sequence[tuple[str, ...]], header: tuple[str, ...]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(header)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip() for r in rows]
    return "\n".join(lines)


class ColumnDrifts(list):
    """The report's :class:`ColumnDrift` list, also looked up by column name.

    Integers and slices index it as a list; any other key is a column name
    (``report.columns["age"]``), a ``KeyError`` naming the column when it is absent.
    ``name in columns`` is True for a column name as well as for a :class:`ColumnDrift`.
    """

    __slots__ = ()

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, (int, np.integer, slice)) and not isinstance(key, bool):
            return list.__getitem__(self, key)
        for c in self:
            if _same_name(c.name, key):
                return c
        raise KeyError(f"column {key!r} is not in the drift report (columns: {', '.join(repr(c.name) for c in self)})")

    def __contains__(self, item: Any) -> bool:
        if isinstance(item, ColumnDrift):
            return any(c is item or c == item for c in self)
        return any(_same_name(c.name, item) for c in self)

    def names(self) -> list[Any]:
        """The column names, in report order."""
        return [c.name for c in self]


def _same_name(name: Any, key: Any) -> bool:
    try:
        return bool(name == key)
    except (TypeError, ValueError):  # e.g. an array compared with a name
        return False


@dataclass
class DriftReport:
    """Per-column drift verdicts of one comparison.

    ``drifted`` is True when any column drifted; ``drift_share`` is drifted columns / columns.
    ``columns`` is a list of :class:`ColumnDrift` that is also indexed by column name
    (``report.columns["age"]``, like ``report["age"]``).
    """

    columns: list[ColumnDrift]
    n_reference: int
    n_current: int
    correction: str | None

    def __post_init__(self) -> None:
        if not isinstance(self.columns, ColumnDrifts):
            self.columns = ColumnDrifts(self.columns)

    @property
    def drifted(self) -> bool:
        """True when any column drifted."""
        return any(c.drifted for c in self.columns)

    @property
    def drifted_columns(self) -> list[Any]:
        """Names of the drifted columns, in report order."""
        return [c.name for c in self.columns if c.drifted]

    @property
    def drift_share(self) -> float:
        """Drifted columns / columns (0.0 for an empty report)."""
        return len(self.drifted_columns) / len(self.columns) if self.columns else 0.0

    def __getitem__(self, name: Any) -> ColumnDrift:
        """The :class:`ColumnDrift` of the column ``name`` (``KeyError`` naming it when absent)."""
        for c in self.columns:
            if _same_name(c.name, name):
                return c
        raise KeyError(f"column {name!r} is not in the drift report (columns: {', '.join(repr(c.name) for c in self.columns)})")

    def _ordered(self) -> list[ColumnDrift]:
        return [c for c in self.columns if c.drifted] + [c for c in self.columns if not c.drifted]

    def summary(self) -> str:
        """One line: how many columns drifted, sizes and correction."""
        n = len(self.columns)
        k = len(self.drifted_columns)
        return (
            f"drift in {k} of {n} columns (share {self.drift_share:.3f}); "
            f"reference n={self.n_reference}, current n={self.n_current}, correction={self.correction}"
        )

    def to_frame(self) -> pd.DataFrame:
        """One row per column, in report order, with every :class:`ColumnDrift` field.

        Indexed by column name (the index is named ``"column"``); the ``"name"`` column repeats
        it.  Numbers stay floats (an infinite statistic stays ``inf``).
        """
        rows = [c._fields() for c in self.columns]
        cols = list(ColumnDrift("", "", "", 0.0, None, 0.0, False, 0.0, 0.0, False)._fields())
        frame = pd.DataFrame(rows, columns=cols)
        index = pd.Index([c.name for c in self.columns], name="column", tupleize_cols=False)
        if len(index) == 0:
            index = pd.Index([], dtype=object, name="column")
        frame.index = index
        return frame

    def to_markdown(self) -> str:
        """A GitHub Markdown table, drifted columns first, then a summary line."""

        def cell(text: str) -> str:
            return text.replace("|", "\\|").replace("\n", " ")

        header = [
            "column", "kind", "method", "statistic", "p-value", "threshold", "effect", "drifted",
            "missing ref → cur", "reason",
        ]
        lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
        for c in self._ordered():
            name, method, statistic, p, threshold, effect, reason = _table_row(c)
            missing = f"{c.missing_reference:.3f} → {c.missing_current:.3f}"
            values = [
                name, c.kind, method, statistic, p, threshold, effect, "**yes**" if c.drifted else "no", missing, reason,
            ]
            lines.append("| " + " | ".join(cell(v) for v in values) + " |")
        return "\n".join(lines) + "\n\n" + self.summary() + "\n"

    def to_dict(self) -> dict[str, Any]:
        """JSON-able summary plus one :meth:`ColumnDrift.to_dict` per column."""
        return {
            "drifted": self.drifted,
            "drift_share": float(self.drift_share),
            "n_columns": len(self.columns),
            "n_drifted": len(self.drifted_columns),
            "drifted_columns": _jsonable(self.drifted_columns),
            "n_reference": int(self.n_reference),
            "n_current": int(self.n_current),
            "correction": self.correction,
            "columns": [c.to_dict() for c in self.columns],
        }

    def __str__(self) -> str:
        return self.summary() + "\n" + _text_table([_table_row(c) for c in self._ordered()], _TABLE_HEADER)


class DriftDetected(AssertionError):
    """Raised by :func:`assert_no_drift`; ``.report`` holds the full :class:`DriftReport`."""

    def __init__(self, report: DriftReport, max_drift_share: float = 0.0) -> None:
        self.report = report
        self.max_drift_share = max_drift_share
        drifted = [c for c in report.columns if c.drifted]
        table = _text_table([_table_row(c) for c in drifted], _TABLE_HEADER)
        line = (
            f"Data drift: {len(drifted)} of {len(report.columns)} columns drifted "
            f"(share {report.drift_share:.3f} > max_drift_share {max_drift_share:g}); "
            f"reference n={report.n_reference}, current n={report.n_current}, correction={report.correction}"
        )
        # The headline first: it is what pytest's short summary and JUnit's failure message show,
        # and it keeps the table's header in line with its rows below "E   DriftDetected: ".
        super().__init__(line + "\n" + table)

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.report, self.max_drift_share))


# ----------------------------------------------------------------------------------------------
# Input handling
# ----------------------------------------------------------------------------------------------


#: The function named in input errors (``assert_no_drift`` and ``mlgate.check_drift`` call it).
_FN = "detect_drift"


def _as_series(data: Any, side: str) -> pd.Series | None:
    """A single-column input (Series, 1-d array, list) as a Series; None for a DataFrame."""
    __tracebackhide__ = hide_input_errors
    if isinstance(data, pd.DataFrame):
        return None
    if isinstance(data, pd.Series):
        return data
    if isinstance(data, np.ndarray):
        if data.ndim != 1:
            raise input_error(
                _FN, side, f"must be a DataFrame, Series or 1-d array, got a {data.ndim}-d array", error=TypeError
            )
        return pd.Series(data)
    if isinstance(data, list):
        for row, v in enumerate(data):
            if isinstance(v, (list, tuple, np.ndarray, pd.Series, pd.DataFrame)):
                raise input_error(
                    _FN, side, f"holds a {type(v).__name__} where one value per row is expected (a nested list)",
                    row=row, error=TypeError,
                )
        return pd.Series(data, dtype=object if not data else None)
    raise input_error(
        _FN, side, f"must be a pandas DataFrame, Series, 1-d numpy array or list, got {type(data).__name__}",
        error=TypeError,
    )


def _check_frame(frame: pd.DataFrame, side: str) -> pd.DataFrame:
    __tracebackhide__ = hide_input_errors
    if frame.shape[1] == 0:
        raise input_error(_FN, side, "has no columns")
    if len(frame) == 0:
        raise input_error(_FN, side, "is empty (0 rows)")
    if not frame.columns.is_unique:
        dup = frame.columns[frame.columns.duplicated()][0]
        raise input_error(_FN, side, f"has duplicate column {dup!r}")
    return frame


def _as_frames(reference: Any, current: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Both inputs as DataFrames.

    When each side is a single column (Series, 1-d array or list) the two are paired whatever
    their names: the column is named after the reference Series, else the current one, else
    ``"value"``.
    """
    rs = _as_series(reference, "reference")
    cs = _as_series(current, "current")
    if rs is not None and cs is not None:
        name = next(
            (s.name for s in (reference, current) if isinstance(s, pd.Series) and s.name is not None), "value"
        )
        return _check_frame(_one_column(rs, name), "reference"), _check_frame(_one_column(cs, name), "current")
    frames = []
    for data, s, side in ((reference, rs, "reference"), (current, cs, "current")):
        if s is None:
            frames.append(_check_frame(data, side))
        else:
            name = s.name if isinstance(data, pd.Series) and s.name is not None else "value"
            frames.append(_check_frame(_one_column(s, name), side))
    return frames[0], frames[1]


def _one_column(s: pd.Series, name: Any) -> pd.DataFrame:
    frame = s.to_frame(name=0)
    frame.columns = pd.Index([name], tupleize_cols=False)  # a tuple name stays one name
    return frame


def _select_columns(ref: pd.DataFrame, cur: pd.DataFrame, columns: Any) -> list[Any]:
    __tracebackhide__ = hide_input_errors
    if columns is None:
        names = list(ref.columns)
        for c in cur.columns:
            if c not in ref.columns:
                raise input_error(_FN, f"column {c!r}", "is missing in reference (present in current)")
    else:
        if isinstance(columns, (str, bytes)) or not isinstance(columns, Iterable):
            names = [columns]  # one column name
        else:
            names = list(columns)  # any iterable of names: list, tuple, set, dict keys, generator, Index
            if isinstance(columns, (set, frozenset)):
                # no order of its own: report the columns in the reference's order
                order = {c: i for i, c in enumerate(ref.columns)}
                names.sort(key=lambda c: (c not in order, order.get(c, 0), str(c)))
        if not names:
            raise input_error(_FN, "columns=", "is empty: name at least one column")
        if len(set(names)) != len(names):
            raise input_error(_FN, "columns=", "names a column twice")
    for c in names:
        if c not in ref.columns:
            raise input_error(_FN, f"column {c!r}", "is missing in reference")
        if c not in cur.columns:
            raise input_error(_FN, f"column {c!r}", "is missing in current")
    return names


def _is_categorical_dtype(dtype: Any) -> bool:
    return (
        pd.api.types.is_bool_dtype(dtype)
        or isinstance(dtype, pd.CategoricalDtype)
        or pd.api.types.is_object_dtype(dtype)
        or pd.api.types.is_string_dtype(dtype)
    )


def _is_number_dtype(dtype: Any) -> bool:
    """Numbers proper: numeric and not bool or category."""
    return (
        pd.api.types.is_numeric_dtype(dtype)
        and not pd.api.types.is_bool_dtype(dtype)
        and not isinstance(dtype, pd.CategoricalDtype)
    )


#: ``pd.api.types.infer_dtype`` kinds of an object column that holds numbers (not strings).
_NUMBER_KINDS = {"integer", "floating", "mixed-integer-float", "decimal", "boolean"}

#: ``infer_dtype`` kinds whose values are all hashable: no per-value check needed.
_HASHABLE_KINDS = _NUMBER_KINDS | {"string", "bytes", "empty", "categorical", "datetime", "datetime64", "date",
                                   "timedelta", "timedelta64", "time", "period", "interval", "complex"}


def _check_not_all_missing(s: pd.Series, name: Any, side: str) -> None:
    """Raise when a column holds no usable value on one side (checked before its dtype)."""
    __tracebackhide__ = hide_input_errors
    if _is_number_dtype(s.dtype) or pd.api.types.is_float_dtype(s.dtype):
        a = s.to_numpy(dtype=np.float64, na_value=np.nan)
        if a.size and math.isfinite(a[0]):
            return
        finite = np.isfinite(a)
        if finite.any():
            return
        what = "NaN/None/inf" if np.isinf(a).any() else "NaN/None"
    else:
        if not s.isna().all():
            return
        what = "NaN/None"
    raise input_error(_FN, f"column {name!r}", f"is all missing ({what}) in {side}")


def _check_dtype(s: pd.Series, name: Any, side: str) -> None:
    __tracebackhide__ = hide_input_errors
    dt = s.dtype
    if not (_is_categorical_dtype(dt) or pd.api.types.is_numeric_dtype(dt)):
        raise input_error(
            _FN, f"column {name!r}", f"has unsupported dtype {dt} in {side}",
            fix="convert it to numbers or list it in categorical=", error=TypeError,
        )
    if pd.api.types.is_object_dtype(dt) and pd.api.types.infer_dtype(s, skipna=True) not in _HASHABLE_KINDS:
        # a list or dict in a cell cannot be a category: say where, not "unhashable type: 'list'"
        check_hashable(_FN, f"column {name!r} in {side}", s.tolist())


def _check_same_kind(rs: pd.Series, cs: pd.Series, name: Any) -> None:
    """Numbers on one side and object/string/category on the other is an error.

    Strings are never parsed as numbers (``"1.5"`` is text); an object column holding only
    numbers is numbers, and bool against numbers is compared as numbers.
    """
    __tracebackhide__ = hide_input_errors
    num_r, num_c = _is_number_dtype(rs.dtype), _is_number_dtype(cs.dtype)
    if num_r == num_c:
        return
    num_side, num, other_side, other = ("reference", rs, "current", cs) if num_r else ("current", cs, "reference", rs)
    dt = other.dtype
    if pd.api.types.is_bool_dtype(dt):
        return
    if pd.api.types.is_object_dtype(dt) and pd.api.types.infer_dtype(other, skipna=True) in _NUMBER_KINDS:
        return
    raise input_error(
        _FN, f"column {name!r}", f"is numeric in {num_side} (dtype {num.dtype}) but not in {other_side} (dtype {dt})",
        fix="convert both sides to one type, or list it in categorical= to compare both sides as categories",
        error=TypeError,
    )


def _numeric_values(s: pd.Series, name: Any, side: str, other: str) -> np.ndarray:
    """Float64 values of one side of a numeric column (a view when possible)."""
    __tracebackhide__ = hide_input_errors
    if pd.api.types.is_numeric_dtype(s.dtype) and not isinstance(s.dtype, pd.CategoricalDtype):
        return s.to_numpy(dtype=np.float64, na_value=np.nan)
    obj = s.astype(object)
    conv = pd.to_numeric(obj, errors="coerce")
    bad = conv.isna() & obj.notna()
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise input_error(
            _FN, f"column {name!r}", f"is numeric in {other} but holds non-numeric values in {side} "
            f"(e.g. {obj.iloc[row]!r})", row=row, fix="list it in categorical= to compare it as categories",
            error=TypeError,
        )
    return conv.to_numpy(dtype=np.float64, na_value=np.nan)


def _resolve_method(name: Any, method: Any) -> str | None:
    """Return the canonical method name, or None for "auto" ("evidently" stays "evidently")."""
    __tracebackhide__ = hide_input_errors
    if method is None or method == "auto":
        return None
    if method == "evidently":
        return "evidently"
    if isinstance(method, str):
        key = _ALIASES.get(method, method)
        if key in METHODS:
            return key
    raise input_error(
        _FN, f"column {name!r}:", f"unknown drift method {method!r}; valid: 'auto', 'evidently', " + ", ".join(repr(m) for m in METHODS)
    )


def _per_column(arg: Any, names: list[Any], what: str) -> dict[Any, Any]:
    __tracebackhide__ = hide_input_errors
    if isinstance(arg, Mapping):
        unknown = [k for k in arg if k not in names]
        if unknown:
            raise input_error(_FN, f"{what}=", f"names column {unknown[0]!r}, which is not among the compared columns")
        return {n: arg.get(n) for n in names}
    return {n: arg for n in names}


def _check_threshold(name: Any, value: Any) -> float | None:
    __tracebackhide__ = hide_input_errors
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise input_error(_FN, f"column {name!r}:", f"threshold must be a number, got {value!r}", error=TypeError)
    try:
        value = float(value)
    except OverflowError:
        value = math.inf
    if not math.isfinite(value) or value < 0:
        raise input_error(_FN, f"column {name!r}:", f"threshold must be a finite number >= 0, got {value!r}")
    return value


# ----------------------------------------------------------------------------------------------
# Statistics
# ----------------------------------------------------------------------------------------------


def _sturges_edges(lo: float, hi: float, size: int) -> np.ndarray:
    """``np.histogram_bin_edges(a, bins="sturges")`` from the min, max and size of ``a``."""
    first, last = float(lo), float(hi)
    if first == last:
        first, last = first - 0.5, last + 0.5
    width = (float(hi) - float(lo)) / (np.log2(size) + 1.0)
    n_bins = int(np.ceil((last - first) / width)) if width else 1
    return np.linspace(first, last, n_bins + 1, endpoint=True)


def _sorted_histogram(sorted_values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """``np.histogram(values, edges)[0]`` for sorted values inside the edges' range."""
    pos = np.empty(len(edges), dtype=np.int64)
    pos[:-1] = np.searchsorted(sorted_values, edges[:-1], side="left")
    pos[-1] = np.searchsorted(sorted_values, edges[-1], side="right")
    return np.diff(pos)


def counts_histogram(keys: np.ndarray, counts: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """:func:`_sorted_histogram` of the rows that the sorted distinct ``keys`` with ``counts`` stand for."""
    cum = np.concatenate(([0], np.cumsum(counts, dtype=np.int64)))
    pos = np.empty(len(edges), dtype=np.int64)
    pos[:-1] = cum[np.searchsorted(keys, edges[:-1], side="left")]
    pos[-1] = cum[np.searchsorted(keys, edges[-1], side="right")]
    return np.diff(pos)


def _sorted_counts(sorted_values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct values and their counts of a sorted array."""
    if sorted_values.size == 0:
        return sorted_values[:0], np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.concatenate(([True], sorted_values[1:] != sorted_values[:-1])))
    counts = np.diff(np.append(starts, sorted_values.size))
    return sorted_values[starts], counts


def _union_counts(r: np.ndarray, c: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Union of the distinct values of two sorted arrays with each side's counts."""
    vr, cr = _sorted_counts(r)
    vc, cc = _sorted_counts(c)
    keys = np.union1d(vr, vc)
    cnt_r = np.zeros(keys.size, dtype=np.int64)
    cnt_c = np.zeros(keys.size, dtype=np.int64)
    cnt_r[np.searchsorted(keys, vr)] = cr
    cnt_c[np.searchsorted(keys, vc)] = cc
    return keys, cnt_r, cnt_c


def _wasserstein_sorted(r: np.ndarray, c: np.ndarray) -> np.ndarray:
    """1-D Wasserstein distance row by row between sorted 2-D arrays ``r`` (k, n) and ``c`` (k, m).

    Integrates ``|Q_r(u) - Q_c(u)|`` over the merged quantile breakpoints ``i/n`` and ``j/m``;
    equal to ``scipy.stats.wasserstein_distance`` (which integrates the CDF difference).
    """
    n, m = r.shape[1], c.shape[1]
    if n == m:
        return np.abs(r - c).mean(axis=1)
    t = np.union1d(np.arange(1, n + 1, dtype=np.int64) * m, np.arange(1, m + 1, dtype=np.int64) * n)
    weights = np.diff(t, prepend=0) / float(n * m)
    i = (t + m - 1) // m - 1
    j = (t + n - 1) // n - 1
    return np.abs(r[:, i] - c[:, j]) @ weights


def _floor_zeros(p: np.ndarray) -> np.ndarray:
    """Evidently's ``get_binned_data(feel_zeroes=True)``: replace zero frequencies."""
    p = p.copy()
    nonzero = p[p != 0]
    if nonzero.size:
        smallest = nonzero.min()
        p[p == 0] = smallest / 10**6 if smallest <= 0.0001 else 0.0001
    return p


def _from_frequencies(method: str, cnt_r: np.ndarray, cnt_c: np.ndarray, n_r: int, n_c: int) -> float:
    """A binned distance (psi, jensenshannon, kl_div) from per-bin counts."""
    p_r = cnt_r / n_r
    p_c = cnt_c / n_c
    if method == "jensenshannon":
        return float(_distance.jensenshannon(p_r, p_c))
    p_r, p_c = _floor_zeros(p_r), _floor_zeros(p_c)
    if method == "psi":
        return float(np.sum((p_r - p_c) * np.log(p_r / p_c)))
    return float(stats.entropy(p_r, p_c))


def _chisquare_counts(cnt_r: np.ndarray, cnt_c: np.ndarray, n_r: int, n_c: int) -> tuple[float, float]:
    """Evidently's goodness of fit: current counts against the reference frequencies taken as exact."""
    if cnt_r.size < 2:
        return 0.0, 1.0
    if np.any((cnt_r == 0) & (cnt_c > 0)):  # a value never seen in reference: infinitely unlikely
        return math.inf, 0.0
    f_exp = cnt_r * (n_c / n_r)
    res = stats.chisquare(cnt_c, f_exp)
    return float(res.statistic), float(res.pvalue)


def _chisquare_homogeneity(cnt_r: np.ndarray, cnt_c: np.ndarray, n_r: int, n_c: int) -> tuple[float, float]:
    """Chi-square test of homogeneity of the 2 x k table of counts (both samples are noisy).

    Equal to ``scipy.stats.chi2_contingency([cnt_r, cnt_c], correction=False)`` on the values seen
    on either side.  Unlike the goodness-of-fit test it accounts for the reference's own sampling
    noise, whose neglect roughly doubles the statistic under no drift when both sides are the
    same size.
    """
    seen = (cnt_r + cnt_c) > 0
    obs = np.vstack([cnt_r[seen], cnt_c[seen]]).astype(np.float64)
    k = obs.shape[1]
    if k < 2:
        return 0.0, 1.0
    total = float(n_r + n_c)
    expected = np.outer([n_r, n_c], obs.sum(axis=0)) / total
    statistic = float(np.sum((obs - expected) ** 2 / expected))
    return statistic, float(stats.chi2.sf(statistic, k - 1))


def _z_counts(cnt_r: np.ndarray, cnt_c: np.ndarray, n_r: int, n_c: int) -> tuple[float, float]:
    """Evidently's pooled two-proportion z-test: first (sorted) value against the rest."""
    if cnt_r.size < 2:
        return 0.0, 1.0
    p1 = float(n_r - cnt_r[0]) / n_r
    p2 = float(n_c - cnt_c[0]) / n_c
    pooled = (p1 * n_r + p2 * n_c) / (n_r + n_c)
    z = (p1 - p2) / np.sqrt(pooled * (1 - pooled) * (1.0 / n_r + 1.0 / n_c))
    return float(z), float(2 * (1 - stats.norm.cdf(np.abs(z))))


def _hellinger_counts(cnt_r: np.ndarray, cnt_c: np.ndarray, n_r: int, n_c: int) -> float:
    bc = float(np.clip(np.sum(np.sqrt((cnt_r / n_r) * (cnt_c / n_c))), 0, 1))
    return math.sqrt(1 - bc)


def _hellinger_numeric(r: np.ndarray, c: np.ndarray) -> float:
    """Evidently's numeric Hellinger distance: Sturges bins over the distinct values."""
    return hellinger_from_counts(*_sorted_counts(r), *_sorted_counts(c))


def hellinger_from_counts(keys_r: np.ndarray, cnt_r: np.ndarray, keys_c: np.ndarray, cnt_c: np.ndarray) -> float:
    """:func:`_hellinger_numeric` from each side's sorted distinct values and their counts."""
    keys = np.union1d(keys_r, keys_c)
    edges = np.histogram_bin_edges(keys, bins="sturges")
    widths = np.diff(edges)
    h1 = counts_histogram(keys_r, cnt_r, edges) / int(np.sum(cnt_r)) / widths
    h2 = counts_histogram(keys_c, cnt_c, edges) / int(np.sum(cnt_c)) / widths
    bin_width = (edges.max() - edges.min()) / (len(edges) - 1)
    bc = float(np.clip(np.sum(np.sqrt(h1 * h2) * bin_width), 0, 1))
    return math.sqrt(1 - bc)


def _pvalue_or_degenerate(p: float, r: np.ndarray, c: np.ndarray) -> float:
    if math.isnan(p):
        return 1.0 if np.array_equal(np.unique(r), np.unique(c)) else 0.0
    return p


def _raw_value_test(method: str, r: np.ndarray, c: np.ndarray) -> tuple[float, float | None]:
    """Tests on the raw values: (statistic, p-value or None for distances)."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        if method == "ks":
            res = stats.ks_2samp(r, c)
            return float(res.statistic), float(res.pvalue)
        if method == "cramer_von_mises":
            res = stats.cramervonmises_2samp(r, c)
            return float(res.statistic), float(res.pvalue)
        if method == "anderson":
            res = stats.anderson_ksamp([r, c])
            return float(res.statistic), float(res.pvalue)
        if method == "mannwhitney":
            res = stats.mannwhitneyu(r, c, alternative="two-sided")
            return float(res.statistic), _pvalue_or_degenerate(float(res.pvalue), r, c)
        if method == "t_test":
            return t_test_rows(r, c)
        if method == "energy":
            return float(stats.energy_distance(r, c)), None
        if method == "hellinger":
            return _hellinger_numeric(r, c), None
    raise AssertionError(method)  # unreachable: methods are validated before


#: ``chisquare``, ``chi2_homogeneity`` and ``z`` compare per-value counts; on a numeric column with
#: more distinct values than this (``profile.DISTINCT_CAP``) most values occur once and the test
#: cannot see even a 5-sd shift (chi2 ~ n on n - 1 degrees of freedom), so asking is an error.
COUNT_METHOD_MAX_VALUES = 64
_PER_VALUE_METHODS = ("chisquare", "chi2_homogeneity", "z")


def check_per_value_method(name: Any, method: str, n_values: int) -> None:
    """Refuse a per-value count test on a many-valued numeric column (see :data:`COUNT_METHOD_MAX_VALUES`)."""
    __tracebackhide__ = hide_input_errors
    if method in _PER_VALUE_METHODS and n_values > COUNT_METHOD_MAX_VALUES:
        raise ValueError(
            f"column {name!r}: method {method!r} compares per-value counts, but this numeric column has "
            f"{n_values:,} distinct values (more than {COUNT_METHOD_MAX_VALUES}), so it could not see a shift; "
            f"use 'auto', 'ks' or 'psi' (binned), or list the column in categorical= to compare its values as categories"
        )


def _count_test(method: str, cnt_r: np.ndarray, cnt_c: np.ndarray, n_r: int, n_c: int) -> tuple[float, float | None]:
    """Tests on per-value (or per-bin) counts: (statistic, p-value or None)."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        if method == "chisquare":
            return _chisquare_counts(cnt_r, cnt_c, n_r, n_c)
        if method == "chi2_homogeneity":
            return _chisquare_homogeneity(cnt_r, cnt_c, n_r, n_c)
        if method == "z":
            return _z_counts(cnt_r, cnt_c, n_r, n_c)
        if method == "hellinger":
            return _hellinger_counts(cnt_r, cnt_c, n_r, n_c), None
        return _from_frequencies(method, cnt_r, cnt_c, n_r, n_c), None


def column_scale(r_sorted: np.ndarray, c_sorted: np.ndarray) -> float:
    """The largest absolute finite value on either side (the sorted arrays' ends); 0.0 for all zeros."""
    return float(max(abs(r_sorted[0]), abs(r_sorted[-1]), abs(c_sorted[0]), abs(c_sorted[-1])))


def power_of_two_scale(big: float) -> float:
    """A power of two within a factor 2 of ``big`` (at most ``big``), 1.0 for 0: dividing by it is exact."""
    return 1.0 if big == 0.0 else math.ldexp(1.0, math.frexp(big)[1] - 1)


def student_t(n1: int, ss1: float, n2: int, ss2: float, diff: float) -> tuple[float, float]:
    """Student's two-sample t-test (``scipy.stats.ttest_ind``, ``equal_var=True``): ``(t, p)``.

    From each side's count and sum of squared deviations about its mean, and the difference of the
    means, all in units of a common scale (any: t does not depend on it), so callers divide by a
    power of two near the column's largest value and nothing overflows or underflows.  When both
    sides have zero variance (constant sides, or one value each) the test is degenerate and the rule
    is: equal means give ``(0, 1)``, no drift; different means an infinite t and ``p = 0``, drift.
    """
    ss = max(ss1, 0.0) + max(ss2, 0.0)
    if ss == 0.0:
        return (0.0, 1.0) if diff == 0.0 else (math.copysign(math.inf, diff), 0.0)
    dof = n1 + n2 - 2
    t = diff / math.sqrt(ss / dof * (1.0 / n1 + 1.0 / n2))
    if math.isnan(t):
        return math.nan, math.nan
    return float(t), float(2.0 * stats.t.sf(abs(t), dof)) if math.isfinite(t) else 0.0


def _pivoted_moments(x: np.ndarray) -> tuple[float, float]:
    """``(mean - x[0], sum of squared deviations)`` of ``x``, both about its first value.

    Centring on a value of the sample first keeps a constant sample's deviations exactly zero
    (``numpy.mean`` of identical values can be an ulp off them) and the sums well conditioned.
    """
    y = x - x[0]
    m = float(y.mean())
    d = y - m
    return m, float(np.einsum("i,i->", d, d))


def t_test_rows(r: np.ndarray, c: np.ndarray) -> tuple[float, float]:
    """:func:`student_t` on two sides' finite values, divided by a power of two near the largest."""
    big = float(max(abs(r.min()), abs(r.max()), abs(c.min()), abs(c.max())))
    scale = power_of_two_scale(big)
    x, y = r / scale, c / scale
    mx, ssx = _pivoted_moments(x)
    my, ssy = _pivoted_moments(y)
    return student_t(x.size, ssx, y.size, ssy, (float(x[0]) - float(y[0])) + (mx - my))


def numeric_effect(wasserstein: float, ref_std: float) -> float:
    """Normed Wasserstein effect of ``method="auto"`` from values already divided by the column's scale.

    ``wasserstein`` and ``ref_std`` are the Wasserstein-1 distance and the reference's population
    std of the rescaled values (so both are at most 2); the std is floored at
    :data:`RELATIVE_STD_FLOOR`, i.e. relative to the column's scale, so a constant reference or a
    column measured in tiny units still gives a finite effect.  NaN in gives NaN out.
    """
    if math.isnan(wasserstein) or math.isnan(ref_std):
        return math.nan
    return float(wasserstein / max(ref_std, RELATIVE_STD_FLOOR))


def auto_numeric_test(r_sorted: np.ndarray, c_sorted: np.ndarray) -> tuple[float, float, float]:
    """``method="auto"`` on a numeric column: ``(KS statistic, KS p-value, normed Wasserstein effect)``.

    Inputs are each side's finite values, sorted.  The two-sample Kolmogorov-Smirnov test counts
    both samples' noise (``scipy.stats.ks_2samp``, exact for small samples, asymptotic for large);
    the effect is computed on the values divided by :func:`column_scale`, so it neither overflows
    near 1e308 nor vanishes near 1e-300.
    """
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        d, p = ks_sorted(r_sorted, c_sorted)
        scale = column_scale(r_sorted, c_sorted)
        if scale == 0.0:
            effect = 0.0
        elif not math.isfinite(scale):
            effect = math.nan
        else:
            rs, cs = r_sorted / scale, c_sorted / scale
            w = float(_wasserstein_sorted(rs[None, :], cs[None, :])[0])
            effect = numeric_effect(w, float(rs.std()))
    return d, p, effect


#: Above this many rows on the larger side, ``ks_2samp(method="auto")`` is asymptotic.
_KS_EXACT_MAX_N = 10_000


def ks_sorted(r_sorted: np.ndarray, c_sorted: np.ndarray) -> tuple[float, float]:
    """Two-sided two-sample KS ``(statistic, p-value)`` of sorted samples, equal to ``scipy.stats.ks_2samp``.

    Small samples go to scipy (exact p-value); large ones reuse the sorted arrays (no second
    sort) with scipy's asymptotic p-value, ``kstwo.sf(D, round(n m / (n + m)))``.
    """
    n1, n2 = r_sorted.size, c_sorted.size
    if max(n1, n2) <= _KS_EXACT_MAX_N:
        res = stats.ks_2samp(r_sorted, c_sorted)
        return float(res.statistic), float(res.pvalue)
    both = np.concatenate([r_sorted, c_sorted])
    diff = np.searchsorted(r_sorted, both, side="right") / n1 - np.searchsorted(c_sorted, both, side="right") / n2
    d = float(max(np.max(diff), np.clip(-np.min(diff), 0, 1)))
    return ks_from_statistic(d, n1, n2)


def ks_from_statistic(d: float, n1: int, n2: int) -> tuple[float, float]:
    """``scipy.stats.ks_2samp``'s ``(statistic, p-value)`` (two-sided, ``method="auto"``) from its
    statistic before rounding, ``max |F1 - F2|``, and the sizes: exact up to :data:`_KS_EXACT_MAX_N`
    values a side (the statistic then rounded to the lattice of ``1 / lcm(n1, n2)``), else
    ``kstwo.sf(D, round(n1 n2 / (n1 + n2)))``."""
    if max(n1, n2) <= _KS_EXACT_MAX_N:
        try:
            from scipy.stats._stats_py import _attempt_exact_2kssamp

            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                ok, d_lattice, prob = _attempt_exact_2kssamp(n1, n2, math.gcd(n1, n2), d, "two-sided")
            if ok:
                return float(d_lattice), float(np.clip(prob, 0, 1))
        except (ImportError, TypeError, ValueError):  # scipy moved it: the asymptotic value below
            pass
    m, n = sorted([float(n1), float(n2)], reverse=True)
    return float(d), float(np.clip(stats.kstwo.sf(d, np.round(m * n / (m + n))), 0, 1))


def pool_sparse(cnt_r: np.ndarray, cnt_c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pool sparse categories of a 2 x k table so that the chi-square approximation holds.

    A category is sparse when its smaller expected cell, ``(cnt_r + cnt_c) * min(n_r, n_c) / (n_r
    + n_c)``, is below :data:`MIN_EXPECTED_COUNT`.  All sparse categories are merged into one
    bucket; when that bucket is itself sparse and another category exists, it is merged into the
    category with the smallest total.  Categories seen on neither side are dropped.  Pooling uses
    only the combined counts (ancillary under no drift), so the test stays calibrated at any
    number of categories.
    """
    cnt_r = np.asarray(cnt_r, dtype=np.int64)
    cnt_c = np.asarray(cnt_c, dtype=np.int64)
    total = cnt_r + cnt_c
    seen = total > 0
    cnt_r, cnt_c, total = cnt_r[seen], cnt_c[seen], total[seen]
    n_r, n_c = int(cnt_r.sum()), int(cnt_c.sum())
    if n_r == 0 or n_c == 0:
        return cnt_r, cnt_c
    share = min(n_r, n_c) / float(n_r + n_c)
    sparse = total * share < MIN_EXPECTED_COUNT
    if not sparse.any():
        return cnt_r, cnt_c
    keep_r, keep_c = cnt_r[~sparse], cnt_c[~sparse]
    bucket_r, bucket_c = int(cnt_r[sparse].sum()), int(cnt_c[sparse].sum())
    if (bucket_r + bucket_c) * share < MIN_EXPECTED_COUNT and keep_r.size:
        j = int(np.argmin(keep_r + keep_c))
        keep_r, keep_c = keep_r.copy(), keep_c.copy()
        keep_r[j] += bucket_r
        keep_c[j] += bucket_c
        return keep_r, keep_c
    return np.append(keep_r, bucket_r), np.append(keep_c, bucket_c)


def total_variation(cnt_r: np.ndarray, cnt_c: np.ndarray) -> float:
    """Total variation distance between the two category-share vectors (counts in, same order)."""
    n_r, n_c = float(np.sum(cnt_r)), float(np.sum(cnt_c))
    return float(0.5 * np.sum(np.abs(np.asarray(cnt_r) / n_r - np.asarray(cnt_c) / n_c)))


def auto_categorical_test(cnt_r: np.ndarray, cnt_c: np.ndarray) -> tuple[float, float, float]:
    """``method="auto"`` on category counts: ``(chi-square, p-value, total variation distance)``.

    The chi-square test of homogeneity of the 2 x k table after :func:`pool_sparse` (one bucket
    left: statistic 0, p-value 1); the effect is the total variation distance between the
    unpooled share vectors.
    """
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        pr, pc = pool_sparse(cnt_r, cnt_c)
        statistic, p_value = _chisquare_homogeneity(pr, pc, int(pr.sum()), int(pc.sum()))
        return statistic, p_value, total_variation(cnt_r, cnt_c)


def auto_verdict(p_adjusted: float, threshold: float, effect: float, floor: float) -> bool | None:
    """Drift when the corrected p-value is below ``threshold`` and the effect reaches ``floor``.

    Returns None when either number is NaN: the statistic could not be computed, which the
    caller reports as drift (never as "not drifted").
    """
    if math.isnan(p_adjusted) or math.isnan(effect):
        return None
    return bool(p_adjusted < threshold and effect >= floor)


def _auto_method(kind: str, n_ref_valid: int, n_values: int) -> str:
    """Evidently's ``_get_default_stattest``."""
    if n_ref_valid <= SMALL_REFERENCE_ROWS:
        if kind == "numeric" and n_values > 5:
            return "ks"
        return "chisquare" if n_values > 2 else "z"
    if kind == "numeric" and n_values > 5:
        return "wasserstein"
    return "jensenshannon"


def _two_proportion_p(k1: int, n1: int, k2: int, n2: int) -> float:
    pooled = (k1 + k2) / (n1 + n2)
    if pooled <= 0 or pooled >= 1:
        return 1.0
    z = (k1 / n1 - k2 / n2) / math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    return float(2 * stats.norm.sf(abs(z)))


def _adjust(p: np.ndarray, correction: str | None) -> np.ndarray:
    """Adjusted p-values (Holm, Bonferroni, Benjamini-Hochberg) in the input order."""
    m = p.size
    if m == 0 or correction is None:
        return p.copy()
    if correction == "bonferroni":
        return np.minimum(p * m, 1.0)
    order = np.argsort(p, kind="stable")
    ps = p[order]
    if correction == "holm":
        adj = np.maximum.accumulate(np.minimum((m - np.arange(m)) * ps, 1.0))
    else:  # bh
        adj = np.minimum(np.minimum.accumulate((ps * m / np.arange(1, m + 1))[::-1])[::-1], 1.0)
    out = np.empty(m)
    out[order] = adj
    return out


# ----------------------------------------------------------------------------------------------
# Per-column work
# ----------------------------------------------------------------------------------------------


@dataclass
class _Partial:
    name: Any
    kind: str
    method: str
    statistic: float
    p_value: float | None
    n_ref_total: int
    n_cur_total: int
    missing_ref: int
    missing_cur: int
    new_categories: dict[Any, float] = field(default_factory=dict)
    vanished_categories: dict[Any, float] = field(default_factory=dict)
    n_new: int = 0
    n_vanished: int = 0
    effect: float | None = None
    effect_floor: float | None = None
    auto: bool = False


def _run_checked(name: Any, method: str, fn: Callable[[], tuple[float, float | None]]) -> tuple[float, float | None]:
    __tracebackhide__ = hide_input_errors
    try:
        return fn()
    except (ValueError, ZeroDivisionError, FloatingPointError, np.linalg.LinAlgError) as exc:
        raise ValueError(f"column {name!r}: method {method!r} failed: {exc}") from exc


def _take_rows(block: np.ndarray, rows: list[int], lo: int, hi: int) -> np.ndarray:
    """``block[rows, lo:hi]``, as a view when the rows are contiguous."""
    if rows == list(range(rows[0], rows[-1] + 1)):
        return block[rows[0] : rows[-1] + 1, lo:hi]
    return block[rows, lo:hi]


def _threads() -> int:
    """Threads for sorting numeric blocks: the usable cores, at most 4."""
    import os

    try:
        usable = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        usable = os.cpu_count() or 1
    return max(1, min(4, usable))


def _numeric_block(
    chunk: list[tuple[Any, pd.Series, pd.Series]], methods: Mapping[Any, str | None]
) -> list[_Partial]:
    """Sort one block of numeric columns once and compute every statistic from the sorted rows."""
    __tracebackhide__ = hide_input_errors
    names = [name for name, _, _ in chunk]
    n_r, n_c = len(chunk[0][1]), len(chunk[0][2])
    rb = np.empty((len(names), n_r))
    cb = np.empty((len(names), n_c))
    for k, (name, rs, cs) in enumerate(chunk):
        rb[k] = _numeric_values(rs, name, "reference", "current")
        cb[k] = _numeric_values(cs, name, "current", "reference")
    rb.sort(axis=1)
    cb.sort(axis=1)
    bounds = []
    for k, name in enumerate(names):
        lo_r = int(np.searchsorted(rb[k], -np.inf, side="right"))
        hi_r = int(np.searchsorted(rb[k], np.inf, side="left"))
        lo_c = int(np.searchsorted(cb[k], -np.inf, side="right"))
        hi_c = int(np.searchsorted(cb[k], np.inf, side="left"))
        if hi_r <= lo_r:
            raise ValueError(f"column {name!r} is all missing (NaN/None/inf) in reference")
        if hi_c <= lo_c:
            raise ValueError(f"column {name!r} is all missing (NaN/None/inf) in current")
        bounds.append((lo_r, hi_r, lo_c, hi_c))

    # Group rows with the same valid slices so that each group is one 2-D operation.
    groups: dict[tuple[int, int, int, int], list[int]] = {}
    for k, b in enumerate(bounds):
        groups.setdefault(b, []).append(k)
    ref_unique = np.empty(len(names), dtype=np.int64)
    std = np.empty(len(names))
    for (lo_r, hi_r, _, _), rows in groups.items():
        r = _take_rows(rb, rows, lo_r, hi_r)
        ref_unique[rows] = np.count_nonzero(r[:, 1:] != r[:, :-1], axis=1) + 1
        # the std of the values divided by their scale: no overflow of the squares near 1e308
        scale = np.maximum(np.abs(r[:, :1]), np.abs(r[:, -1:]))
        scale[scale == 0] = 1.0
        std[rows] = (r / scale).std(axis=1) * scale[:, 0]

    chosen: list[str] = []
    for k, name in enumerate(names):
        lo_r, hi_r, lo_c, hi_c = bounds[k]
        method = methods[name]
        if method is None:  # auto: KS above AUTO_MAX_CATEGORY_VALUES distinct values on both sides
            n_values = int(ref_unique[k])
            if n_values <= AUTO_MAX_CATEGORY_VALUES:
                keys = np.union1d(_sorted_counts(rb[k, lo_r:hi_r])[0], _sorted_counts(cb[k, lo_c:hi_c])[0])
                n_values = keys.size
            method = "ks" if n_values > AUTO_MAX_CATEGORY_VALUES else "chi2_homogeneity"
        elif method == "evidently":
            n_values = int(ref_unique[k])
            if n_values <= 5:
                keys = np.union1d(_sorted_counts(rb[k, lo_r:hi_r])[0], _sorted_counts(cb[k, lo_c:hi_c])[0])
                n_values = keys.size
            method = _auto_method("numeric", hi_r - lo_r, n_values)
        chosen.append(method)

    out = []
    for k, name in enumerate(names):
        lo_r, hi_r, lo_c, hi_c = bounds[k]
        r, c = rb[k, lo_r:hi_r], cb[k, lo_c:hi_c]
        method = chosen[k]
        nr, nc = r.size, c.size
        auto = methods[name] is None
        effect: float | None = None
        floor: float | None = None
        if auto and method == "ks":
            d, p, effect = auto_numeric_test(r, c)
            result: tuple[float, float | None] = (d, p)
            floor = NUMERIC_EFFECT_FLOOR
        elif auto:
            _, cnt_r, cnt_c = _union_counts(r, c)
            statistic, p, effect = auto_categorical_test(cnt_r, cnt_c)
            result = (statistic, p)
            floor = CATEGORICAL_EFFECT_FLOOR
        elif method == "wasserstein":
            result = (_normed_wasserstein(r, c, float(std[k])), None)
        elif method in ("psi", "jensenshannon", "kl_div") and ref_unique[k] > 20:
            edges = _sturges_edges(min(r[0], c[0]), max(r[-1], c[-1]), nr + nc)
            cnt_r, cnt_c = _sorted_histogram(r, edges), _sorted_histogram(c, edges)
            result = _run_checked(name, method, lambda: _count_test(method, cnt_r, cnt_c, nr, nc))  # noqa: B023 - called at once
        elif method in ("psi", "jensenshannon", "kl_div", "chisquare", "chi2_homogeneity", "z"):
            _, cnt_r, cnt_c = _union_counts(r, c)
            check_per_value_method(name, method, cnt_r.size)
            result = _run_checked(name, method, lambda: _count_test(method, cnt_r, cnt_c, nr, nc))  # noqa: B023 - called at once
        else:
            result = _run_checked(name, method, lambda: _raw_value_test(method, r, c))  # noqa: B023 - called at once
        out.append(
            _Partial(
                name=name,
                kind="numeric",
                method=method,
                statistic=result[0],
                p_value=result[1],
                n_ref_total=n_r,
                n_cur_total=n_c,
                missing_ref=n_r - nr,
                missing_cur=n_c - nc,
                effect=effect,
                effect_floor=floor,
                auto=auto,
            )
        )
    return out


def _normed_wasserstein(r: np.ndarray, c: np.ndarray, std: float) -> float:
    """Evidently's Wasserstein distance / max(reference std, :data:`STD_FLOOR`), computed on rescaled values.

    Both sides are divided by the column's scale first, so the distance neither overflows near
    1e308 nor underflows near 1e-300; the result equals the unscaled formula.
    """
    scale = column_scale(r, c)
    if scale == 0.0:
        return 0.0
    with np.errstate(all="ignore"):
        w = float(_wasserstein_sorted((r / scale)[None, :], (c / scale)[None, :])[0])
        return float(w / max(std / scale, STD_FLOOR / scale))


def _category_key(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def _categorical_column(name: Any, rs: pd.Series, cs: pd.Series, method: str | None) -> _Partial:
    """Factorise both sides together once and test the per-category counts."""
    __tracebackhide__ = hide_input_errors
    n_r, n_c = len(rs), len(cs)
    sides = [
        x.where(np.isfinite(x.to_numpy(dtype=np.float64, na_value=np.nan))) if pd.api.types.is_float_dtype(x.dtype) else x
        for x in (rs, cs)
    ]
    both = pd.concat(sides, ignore_index=True)
    codes, uniques = pd.factorize(both, use_na_sentinel=True)
    k = len(uniques)
    codes_r, codes_c = codes[:n_r], codes[n_r:]
    valid_r, valid_c = codes_r >= 0, codes_c >= 0
    nr, nc = int(valid_r.sum()), int(valid_c.sum())
    if nr == 0:
        raise ValueError(f"column {name!r} is all missing (NaN/None/inf) in reference")
    if nc == 0:
        raise ValueError(f"column {name!r} is all missing (NaN/None/inf) in current")
    cnt_r = np.bincount(codes_r[valid_r], minlength=k)
    cnt_c = np.bincount(codes_c[valid_c], minlength=k)
    seen = (cnt_r + cnt_c) > 0
    cnt_r, cnt_c = cnt_r[seen], cnt_c[seen]
    values = [_category_key(v) for v in np.asarray(uniques, dtype=object)[seen]]
    try:  # Evidently's z-test compares the first sorted value with the rest
        order = sorted(range(len(values)), key=lambda i: values[i])
    except TypeError:
        order = sorted(range(len(values)), key=lambda i: str(values[i]))
    cnt_r, cnt_c = cnt_r[order], cnt_c[order]
    values = [values[i] for i in order]

    auto = method is None
    effect: float | None = None
    if auto:
        method = "chi2_homogeneity"
        statistic, p_value, effect = auto_categorical_test(cnt_r, cnt_c)
    else:
        if method == "evidently":
            method = _auto_method("categorical", nr, len(values))
        elif not METHODS[method].categorical:
            raise ValueError(
                f"column {name!r} is categorical but method {method!r} needs numbers; "
                f"use one of " + ", ".join(m.name for m in METHODS.values() if m.categorical)
            )
        m = method
        statistic, p_value = _run_checked(name, m, lambda: _count_test(m, cnt_r, cnt_c, nr, nc))

    new_idx = np.flatnonzero((cnt_r == 0) & (cnt_c > 0))
    gone_idx = np.flatnonzero((cnt_c == 0) & (cnt_r > 0))
    new_top = new_idx[np.argsort(-cnt_c[new_idx], kind="stable")][:MAX_LISTED_CATEGORIES]
    gone_top = gone_idx[np.argsort(-cnt_r[gone_idx], kind="stable")][:MAX_LISTED_CATEGORIES]
    return _Partial(
        name=name,
        kind="categorical",
        method=method,
        statistic=statistic,
        p_value=p_value,
        n_ref_total=n_r,
        n_cur_total=n_c,
        missing_ref=n_r - nr,
        missing_cur=n_c - nc,
        new_categories={values[i]: float(cnt_c[i] / nc) for i in new_top},
        vanished_categories={values[i]: float(cnt_r[i] / nr) for i in gone_top},
        n_new=int(new_idx.size),
        n_vanished=int(gone_idx.size),
        effect=effect,
        effect_floor=CATEGORICAL_EFFECT_FLOOR if auto else None,
        auto=auto,
    )


def _format_categories(values: dict[Any, float], total: int, label: str) -> str:
    shown = ", ".join(f"{v!r} ({s:.1%})" for v, s in list(values.items())[:3])
    more = f" and {total - 3} more" if total > 3 else ""
    return f"{label} {shown}{more}"


def _value_verdict(
    p: _Partial, threshold: float | None, adjusted: float | None, correction: str | None
) -> tuple[bool, float, str]:
    """``(drifted, threshold used, reason)`` of one column's value test; a NaN statistic is drift."""
    if p.auto:
        level = AUTO_ALPHA if threshold is None else threshold
        assert adjusted is not None and p.effect is not None and p.effect_floor is not None
        shown = f"p={_fmt(p.p_value)}" + (f" (adj {_fmt(adjusted)})" if correction else "")
        verdict = auto_verdict(adjusted, level, p.effect, p.effect_floor)
        if verdict is None:
            return True, level, f"{p.method}: statistic could not be computed ({shown}, effect {_fmt(p.effect)}); counted as drift"
        p_text = f"{shown} {'<' if adjusted < level else '>='} {_fmt(level)}"
        e_text = f"effect {_fmt(p.effect)} {'>=' if p.effect >= p.effect_floor else '<'} {_fmt(p.effect_floor)}"
        reason = f"{p.method} {p_text}, {e_text}"
        return verdict, level, reason if verdict else f"no drift ({reason})"
    spec = METHODS[p.method]
    level = spec.default_threshold if threshold is None else threshold
    if p.p_value is not None:
        assert adjusted is not None
        score = float(adjusted)
        shown = f"p={_fmt(p.p_value)}" + (f" (adj {_fmt(score)})" if correction else "")
        if math.isnan(score):
            return True, level, f"{p.method}: p-value could not be computed ({shown}); counted as drift"
        drifted = score <= level if spec.inclusive else score < level
        cmp = ("<=" if spec.inclusive else "<") if drifted else (">" if spec.inclusive else ">=")
        reason = f"{p.method} {shown} {cmp} {_fmt(level)}"
    else:
        score = p.statistic
        if math.isnan(score):
            return True, level, f"{p.method}: statistic could not be computed (nan); counted as drift"
        drifted = score >= level if spec.inclusive else score > level
        cmp = (">=" if spec.inclusive else ">") if drifted else ("<" if spec.inclusive else "<=")
        reason = f"{p.method} {_fmt(score)} {cmp} {_fmt(level)}"
    return drifted, level, reason if drifted else f"no drift ({reason})"


def _adjust_failing_nan(raw: np.ndarray, correction: str | None) -> np.ndarray:
    """:func:`_adjust` where a NaN p-value ranks as 0 (it fails) and stays NaN in the output."""
    nan = np.isnan(raw)
    adjusted = _adjust(np.where(nan, 0.0, raw), correction)
    adjusted[nan] = np.nan
    return adjusted


def _finish(
    partials: list[_Partial],
    thresholds: Mapping[Any, float | None],
    correction: str | None,
) -> list[ColumnDrift]:
    tested = [i for i, p in enumerate(partials) if p.p_value is not None]
    raw = np.array([partials[i].p_value for i in tested], dtype=float)
    miss_raw = np.array(
        [_two_proportion_p(p.missing_ref, p.n_ref_total, p.missing_cur, p.n_cur_total) for p in partials]
    )
    # The value tests are one correction family, so a column's value verdict does not depend on
    # its missing values (one column alone is Evidently's verdict).  The missing-share tests are a
    # second family, corrected the same way and judged at the stricter MISSING_SHARE_ALPHA so that
    # the two together rarely raise falsely.  Columns with no missing value have no such test.
    adjusted = dict(zip(tested, _adjust_failing_nan(raw, correction)))
    miss_tested = [i for i, p in enumerate(partials) if p.missing_ref + p.missing_cur > 0]
    miss_adj = np.ones(len(partials))
    miss_adj[miss_tested] = _adjust(miss_raw[miss_tested], correction)

    out = []
    for i, p in enumerate(partials):
        drifted, threshold, reason = _value_verdict(p, thresholds[p.name], adjusted.get(i), correction)
        share_r = p.missing_ref / p.n_ref_total
        share_c = p.missing_cur / p.n_cur_total
        missing_drifted = bool(
            miss_adj[i] < MISSING_SHARE_ALPHA and abs(share_c - share_r) >= MISSING_SHARE_MIN_CHANGE
        )
        parts = [reason]
        if missing_drifted:
            parts.insert(0, f"missing share {share_r:.1%} -> {share_c:.1%}")
        if p.n_new:
            parts.append(_format_categories(p.new_categories, p.n_new, "new"))
        if p.n_vanished:
            parts.append(_format_categories(p.vanished_categories, p.n_vanished, "vanished"))
        out.append(
            ColumnDrift(
                name=p.name,
                kind=p.kind,
                method=p.method,
                statistic=float(p.statistic),
                p_value=p.p_value,
                threshold=float(threshold),
                drifted=bool(drifted or missing_drifted),
                missing_reference=share_r,
                missing_current=share_c,
                missing_drifted=missing_drifted,
                new_categories=p.new_categories,
                vanished_categories=p.vanished_categories,
                reason="; ".join(parts),
                p_value_adjusted=None if p.p_value is None else float(adjusted[i]),
                missing_p_value=float(miss_raw[i]),
                effect=None if p.effect is None else float(p.effect),
                effect_floor=p.effect_floor,
            )
        )
    return out


# ----------------------------------------------------------------------------------------------
# Public API
# ----------------------------------------------------------------------------------------------


def detect_drift(
    reference: pd.DataFrame | pd.Series | np.ndarray | list,
    current: pd.DataFrame | pd.Series | np.ndarray | list,
    *,
    columns: Iterable[Any] | str | None = None,
    method: str | Mapping[Any, str] = "auto",
    threshold: float | Mapping[Any, float] | None = None,
    correction: str | None = "holm",
    categorical: Sequence[Any] | None = None,
) -> DriftReport:
    """Compare ``current`` with ``reference`` column by column; never raises for drift.

    Inputs are DataFrames, Series, 1-d arrays or lists; two single columns are paired whatever
    their names (named after the reference Series, else the current one, else ``"value"``).
    ``columns`` is one name or any iterable of names.  ``method``/``threshold`` are one value or
    a dict column -> value (missing columns get ``"auto"`` / the method's default);
    ``correction`` adjusts the p-values across the columns tested with p-values (and, as a
    separate family, the missing-share tests); ``categorical`` forces columns to be compared as
    categories.  Raises ``ValueError``/``TypeError`` naming the column for bad input, including a
    column that is numeric on one side and text/categories on the other (unless in
    ``categorical``).
    """
    __tracebackhide__ = hide_input_errors
    from .sources import needs_profile

    if needs_profile(reference) or needs_profile(current):
        # a Profile, Parquet/Arrow source or Spark DataFrame on either side: compare profiles of both
        from .profile_drift import drift_from_inputs

        return drift_from_inputs(
            reference, current, columns=columns, method=method, threshold=threshold,
            correction=correction, categorical=categorical,
        )
    if correction not in CORRECTIONS:
        raise ValueError(f"unknown correction {correction!r}; valid: None, 'bonferroni', 'holm', 'bh'")
    ref, cur = _as_frames(reference, current)
    names = _select_columns(ref, cur, columns)
    # loops, not comprehensions: a comprehension's own frame (Python < 3.12) would show in tracebacks
    methods: dict[str, str | None] = {}
    for n, m in _per_column(method, names, "method").items():
        methods[n] = _resolve_method(n, m)
    thresholds: dict[str, float | None] = {}
    for n, t in _per_column(threshold, names, "threshold").items():
        thresholds[n] = _check_threshold(n, t)
    if categorical is None:
        forced: set[Any] = set()
    else:
        forced = {categorical} if isinstance(categorical, str) else set(categorical)
        for c in forced:
            if c not in ref.columns:
                raise ValueError(f"categorical= names column {c!r}, which is missing in reference")

    numeric: list[Any] = []
    partial_by_name: dict[Any, _Partial] = {}
    for name in names:
        rs, cs = ref[name], cur[name]
        _check_not_all_missing(rs, name, "reference")
        _check_not_all_missing(cs, name, "current")
        _check_dtype(rs, name, "reference")
        _check_dtype(cs, name, "current")
        if name in forced:
            partial_by_name[name] = _categorical_column(name, rs, cs, methods[name])
            continue
        _check_same_kind(rs, cs, name)
        if _is_categorical_dtype(rs.dtype) and _is_categorical_dtype(cs.dtype):
            partial_by_name[name] = _categorical_column(name, rs, cs, methods[name])
        else:
            m = methods[name]
            if m is not None and m != "evidently" and not METHODS[m].numeric:
                raise ValueError(f"column {name!r}: method {m!r} does not apply to numeric columns")
            numeric.append(name)

    block = max(1, _BLOCK_ELEMENTS // max(len(ref), len(cur)))
    chunks = [
        [(name, ref[name], cur[name]) for name in numeric[start : start + block]]
        for start in range(0, len(numeric), block)
    ]
    workers = min(_threads(), len(chunks))
    if workers > 1:
        # numpy's sort and reductions release the GIL: blocks of columns sort on every core
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=workers) as pool:
            done = list(pool.map(lambda chunk: _numeric_block(chunk, methods), chunks))
    else:
        done = [_numeric_block(chunk, methods) for chunk in chunks]
    for block_result in done:
        for p in block_result:
            partial_by_name[p.name] = p

    partials = [partial_by_name[n] for n in names]
    return DriftReport(
        columns=_finish(partials, thresholds, correction),
        n_reference=len(ref),
        n_current=len(cur),
        correction=correction,
    )


def assert_no_drift(
    reference: pd.DataFrame | pd.Series | np.ndarray | list,
    current: pd.DataFrame | pd.Series | np.ndarray | list,
    *,
    columns: Iterable[Any] | str | None = None,
    method: str | Mapping[Any, str] = "auto",
    threshold: float | Mapping[Any, float] | None = None,
    correction: str | None = "holm",
    categorical: Sequence[Any] | None = None,
    max_drift_share: float = 0.0,
) -> DriftReport:
    """Run :func:`detect_drift`; raise :class:`DriftDetected` when drift_share > ``max_drift_share``.

    With the default 0.0 any drifted column raises.  Returns the report otherwise.  Its frames
    are hidden from pytest's traceback: a failure points at the test's own line.
    """
    __tracebackhide__ = True
    if isinstance(max_drift_share, bool) or not isinstance(max_drift_share, (int, float, np.integer, np.floating)):
        raise TypeError(f"max_drift_share must be a number, got {max_drift_share!r}")
    if not 0.0 <= float(max_drift_share) <= 1.0:
        raise ValueError(f"max_drift_share must be within [0, 1], got {max_drift_share!r}")
    report = detect_drift(
        reference,
        current,
        columns=columns,
        method=method,
        threshold=threshold,
        correction=correction,
        categorical=categorical,
    )
    if report.drift_share > max_drift_share:
        raise DriftDetected(report, float(max_drift_share))
    return report
