"""Dataset profiles: compact, mergeable per-column summaries that drift checks can use instead of rows.

A :class:`Profile` holds, per column, its kind (``"numeric"``, ``"categorical"`` or ``"bool"``), the
row count, the number of missing values (NaN, None, NaT, +-inf), and

* numeric columns: exact moments (count, mean, M2, min, max of the finite values, merged exactly
  with Chan's formulas; stored relative to a power-of-two scale so that data of any magnitude,
  1e-300 to 1e300, neither overflows nor underflows), the exact counts of the distinct values
  while there are at most :data:`DISTINCT_CAP` of them, and a KLL quantile sketch
  (Apache DataSketches, ``k =`` :data:`SKETCH_K`).  With ``k = 1000`` the sketch's normalized
  single-sided rank error is :data:`RANK_ERROR` (0.28%) at 99% confidence; a sketch of at most
  ``k`` values is exact.
* categorical and bool columns: exact category counts for at most :data:`CATEGORY_CAP` categories;
  the rows of the rarer categories beyond the cap are counted in one "other" bucket
  (``other_rows``, ``other_categories``), which a drift check compares like one more category.

``profile(a).merge(profile(b))`` equals ``profile(a + b)`` exactly for counts, moments (to
rounding) and categories below the cap, and within the sketch's rank error for quantiles;
``merge`` is associative.  :meth:`Profile.save` writes versioned strict JSON (sketch bytes
base64); :meth:`Profile.load` validates the file and raises :class:`ProfileError` naming the file
and the cause.  The module imports no pytest; numpy, pandas and datasketches load on first use.
"""

from __future__ import annotations

import base64
import contextlib
import json
import math
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "CATEGORY_CAP",
    "DISTINCT_CAP",
    "PROFILE_FORMAT",
    "PROFILE_VERSION",
    "RANK_ERROR",
    "SKETCH_K",
    "ColumnProfile",
    "Profile",
    "ProfileError",
    "profile",
]

#: Identifies a profile file.
PROFILE_FORMAT = "pytest-mlgate-profile"
#: Version of the file layout; :meth:`Profile.load` refuses other versions.
PROFILE_VERSION = 1
#: KLL sketch size.  Larger is more accurate: the rank error falls roughly as 1/k.
SKETCH_K = 1000
#: Normalized single-sided rank error of a KLL sketch with ``k = SKETCH_K`` at 99% confidence
#: (``datasketches.kll_doubles_sketch.get_normalized_rank_error(1000, False)``).
RANK_ERROR = 0.0027801733995191495
#: Exact category counts are kept for at most this many categories per column; rarer ones are pooled.
CATEGORY_CAP = 10_000
#: Exact counts of a numeric column's distinct values are kept while there are at most this many.
DISTINCT_CAP = 64

KINDS = ("numeric", "categorical", "bool")


class ProfileError(ValueError):
    """A profile file or value that is not valid; the message names the file and the cause."""


# ----------------------------------------------------------------------------------------------
# Moments
# ----------------------------------------------------------------------------------------------


@dataclass
class Moments:
    """Count, mean and M2 (sum of squared deviations) of the finite values, plus min and max.

    ``mean`` and ``m2`` are of ``x / scale`` with ``scale`` a power of two, so that squares of
    values near 1e300 do not overflow; :attr:`true_mean` and :attr:`std` undo the scale.
    """

    n: int = 0
    mean: float = 0.0
    m2: float = 0.0
    min: float | None = None
    max: float | None = None
    scale: float = 1.0

    @property
    def true_mean(self) -> float:
        return self.mean * self.scale

    @property
    def std(self) -> float:
        """Population standard deviation (``numpy.std`` with ``ddof=0``)."""
        if self.n == 0:
            return math.nan
        return math.sqrt(max(self.m2, 0.0) / self.n) * self.scale

    def rescaled(self, scale: float) -> Moments:
        f = self.scale / scale
        return Moments(self.n, self.mean * f, self.m2 * f * f, self.min, self.max, scale)

    def merge(self, other: Moments) -> Moments:
        if other.n == 0:
            return Moments(self.n, self.mean, self.m2, self.min, self.max, self.scale)
        if self.n == 0:
            return Moments(other.n, other.mean, other.m2, other.min, other.max, other.scale)
        # an all-zero side has no magnitude: its scale (1.0) must not squash the other's tiny values
        zero_a, zero_b = (m.min == 0 and m.max == 0 for m in (self, other))
        scale = other.scale if zero_a else self.scale if zero_b else max(self.scale, other.scale)
        a, b = self.rescaled(scale), other.rescaled(scale)
        n = a.n + b.n
        delta = b.mean - a.mean
        mean = a.mean + delta * (b.n / n)
        m2 = a.m2 + b.m2 + delta * delta * (a.n * (b.n / n))
        lo = min(a.min, b.min)  # type: ignore[type-var]
        hi = max(a.max, b.max)  # type: ignore[type-var]
        return Moments(n, mean, m2, lo, hi, scale)

    @classmethod
    def of(cls, finite: np.ndarray, lo: float | None = None, hi: float | None = None) -> Moments:
        """Moments of finite values (``lo``/``hi``: their min and max when known, e.g. sorted)."""
        import numpy as np

        if finite.size == 0:
            return cls()
        lo = float(finite.min()) if lo is None else lo
        hi = float(finite.max()) if hi is None else hi
        big = max(abs(lo), abs(hi))
        # rescale only where squares could overflow or underflow: values near 1e150 or 1e-150
        scale = 1.0 if big == 0 or 1e-100 < big < 1e100 else math.ldexp(1.0, math.frexp(big)[1] - 1)
        x = finite if scale == 1.0 else finite / scale
        mean = float(x.mean())
        dev = x - mean
        m2 = float(np.einsum("i,i->", dev, dev))  # not np.dot: BLAS threads contend with the reader
        return cls(int(finite.size), mean, m2, lo, hi, scale)


# ----------------------------------------------------------------------------------------------
# Columns
# ----------------------------------------------------------------------------------------------


def _new_sketch() -> Any:
    from datasketches import kll_doubles_sketch

    return kll_doubles_sketch(SKETCH_K)


#: Values are added to a sketch in sorted chunks of at most this many (see :func:`_sorted_sketch`).
CHUNK = 65_536
#: Chunks smaller than this go to the sketch's own ``update``.
_PRESORT_MIN = 2 * SKETCH_K
_KLL_M = 8  # DataSketches' minimum level width
_HOEFFDING_99 = 2.0 * math.log(2.0 / 0.01)  # t**2 / sum(w**2) at two-sided 99%


def _level_capacity(k: int, depth: int) -> int:
    """DataSketches' ``kll_helper::int_cap_aux``: ``round(k * (2/3) ** depth)``."""
    if depth > 30:
        half = depth // 2
        return _level_capacity(_level_capacity(k, half), depth - half)
    return (((2 * k) << depth) // 3**depth + 1) >> 1


def _total_capacity(levels: int) -> int:
    return sum(max(_KLL_M, _level_capacity(SKETCH_K, levels - h - 1)) for h in range(levels))


def _sorted_sketch(v: np.ndarray) -> tuple[Any, float]:
    """A KLL sketch of the sorted finite values ``v``, built by KLL's own compaction, and its error term.

    ``datasketches``' ``update`` costs ~30 ns a value and holds the GIL.  Here the chunk is
    compacted the way a KLL compactor does it, all at once: at each level an odd item stays
    behind, and of the sorted rest every other item (from a random start) moves up a level with
    twice the weight, until the top level fits the sketch's capacity.  The levels are written in
    DataSketches' serialized layout and read back, so the result is an ordinary sketch for
    ``merge``.  A compaction at level ``l`` changes any rank by 0 or +-2**l with equal chance,
    independently of the others, so the error it adds to a normalized rank is, by Hoeffding's
    inequality, at most ``sqrt(2 ln(200) * sum(4**l)) / n`` at 99% (the returned
    ``sum(4**l)`` accumulates in :attr:`ColumnProfile.sketch_var`).  For chunks of
    :data:`CHUNK` values that is about 0.09% / sqrt(chunks): 0.024% at a million values.
    """
    import random
    import struct

    import numpy as np
    from datasketches import kll_doubles_sketch

    size = int(v.size)
    h = 0
    while size // (1 << h) + h > _total_capacity(h + 1):
        h += 1
    levels: list[np.ndarray] = []
    var = 0.0
    cur = v
    for level in range(h):
        if cur.size % 2:
            levels.append(cur[-1:])
            cur = cur[:-1]
        else:
            levels.append(cur[:0])
        if cur.size:
            var += 4.0**level
            cur = cur[random.getrandbits(1) :: 2]
    levels.append(cur)
    count = h + 1
    retained = sum(int(x.size) for x in levels)
    offsets = [_total_capacity(count) - retained]
    for x in levels[:-1]:
        offsets.append(offsets[-1] + int(x.size))
    # preamble: 5 ints, serial version 1, family 15 (KLL), flags 0, k, m, n, min k, levels
    raw = (
        struct.pack("<BBBBHBBQHBB", 5, 1, 15, 0, SKETCH_K, _KLL_M, 0, size, SKETCH_K, count, 0)
        + struct.pack(f"<{count}I", *offsets)
        + struct.pack("<dd", float(v[0]), float(v[-1]))
        + np.concatenate(levels).astype("<f8", copy=False).tobytes()
    )
    return kll_doubles_sketch.deserialize(raw), var


def _sorted_value_counts(v: np.ndarray) -> dict[float, int] | None:
    """Counts of the distinct values of the sorted array ``v``, or None when there are more than
    :data:`DISTINCT_CAP`.  Many-valued arrays are told apart from 2 * cap + 1 evenly spaced items
    (their distinct values are some of the array's), without a pass over it."""
    import numpy as np

    if v.size == 0:
        return {}
    probe = v[np.linspace(0, v.size - 1, min(v.size, 2 * DISTINCT_CAP + 1)).astype(np.int64)]
    if np.count_nonzero(probe[1:] != probe[:-1]) + 1 > DISTINCT_CAP:
        return None
    starts = np.flatnonzero(np.concatenate(([True], v[1:] != v[:-1])))
    if starts.size > DISTINCT_CAP:
        return None
    counts = np.diff(np.append(starts, v.size))
    return {float(x): int(c) for x, c in zip(v[starts], counts)}


def _json_key(value: Any) -> Any:
    """A category as a JSON scalar: str, int, float or bool (anything else becomes its str)."""
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        try:
            value = value.item()
        except (TypeError, ValueError):
            pass
    if isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() and abs(value) < 2**53 else value
    if isinstance(value, bytes):
        return value.decode("utf-8", "backslashreplace")
    return str(value)


@dataclass
class ColumnProfile:
    """The summary of one column; see the module docstring for what each kind holds."""

    name: Any
    kind: str
    rows: int = 0
    missing: int = 0
    moments: Moments | None = None
    sketch: Any = None  # datasketches.kll_doubles_sketch, numeric only
    values: dict[float, int] | None = None  # exact distinct value counts (numeric), None once > DISTINCT_CAP
    categories: dict[Any, int] = field(default_factory=dict)
    other_rows: int = 0
    other_categories: int = 0
    #: sorted finite values, for a side compared from its rows (never saved; see :func:`exact_profile`)
    exact: Any = None
    #: sum of the squared rank steps of the compactions done before the sketch (:func:`_sorted_sketch`)
    sketch_var: float = 0.0

    @property
    def valid(self) -> int:
        """Rows that are not missing."""
        return self.rows - self.missing

    @property
    def missing_share(self) -> float:
        return self.missing / self.rows if self.rows else 0.0

    @property
    def rank_error(self) -> float:
        """The sketch's normalized rank error at 99% confidence; 0 while the sketch is exact.

        KLL's a-priori bound (:data:`RANK_ERROR`) plus the Hoeffding bound of the compactions done
        before the values reached it (:func:`_sorted_sketch`)."""
        if self.exact is not None or self.sketch is None or not self.sketch.is_estimation_mode():
            return 0.0
        pre = math.sqrt(_HOEFFDING_99 * self.sketch_var) / max(int(self.sketch.n), 1)
        return float(self.sketch.normalized_rank_error(False)) + pre

    @property
    def n_distinct(self) -> int | None:
        """Exact number of distinct non-missing values, or None when above the caps."""
        if self.kind == "numeric":
            return None if self.values is None else len(self.values)
        return None if self.other_rows else len(self.categories)

    # ------------------------------------------------------------------ building
    @classmethod
    def empty(cls, name: Any, kind: str) -> ColumnProfile:
        if kind not in KINDS:
            raise ProfileError(f"column {name!r}: unknown kind {kind!r}")
        if kind == "numeric":
            return cls(name, kind, moments=Moments(), sketch=_new_sketch(), values={})
        return cls(name, kind)

    def add_numeric(self, values: np.ndarray) -> None:
        """Add a batch of float64 values (NaN and +-inf count as missing)."""
        import numpy as np

        finite_mask = np.isfinite(values)
        finite = values if finite_mask.all() else values[finite_mask]
        self.rows += int(values.size)
        self.missing += int(values.size - finite.size)
        if finite.size == 0:
            return
        assert self.moments is not None
        for start in range(0, finite.size, CHUNK):
            self._add_finite(finite[start : start + CHUNK])

    def _add_finite(self, finite: np.ndarray) -> None:
        import numpy as np

        assert self.moments is not None
        v = np.sort(finite)  # numpy's sort releases the GIL: columns of a batch sort on several threads
        self.moments = self.moments.merge(Moments.of(v, float(v[0]), float(v[-1])))
        if v.size < _PRESORT_MIN:  # a small chunk: the sketch's own update is as cheap
            self.sketch.update(v)
        else:
            sketch, var = _sorted_sketch(v)
            self.sketch.merge(sketch)
            self.sketch_var += var
        if self.values is not None:
            self._add_values(_sorted_value_counts(v))

    def _add_values(self, counts: Mapping[float, int] | None) -> None:
        """Merge one chunk's value counts (None: it had more than :data:`DISTINCT_CAP` values)."""
        if counts is None or self.values is None:
            self.values = None
            return
        merged = dict(self.values)
        for k, c in counts.items():
            merged[k] = merged.get(k, 0) + int(c)
        self.values = merged if len(merged) <= DISTINCT_CAP else None

    def add_counts(self, counts: Mapping[Any, int], rows: int, missing: int) -> None:
        """Add a batch of category counts (non-missing values only) with its row and missing counts."""
        self.rows += int(rows)
        self.missing += int(missing)
        merged = dict(self.categories)
        for k, c in counts.items():
            key = _json_key(k)
            merged[key] = merged.get(key, 0) + int(c)
        self.categories = merged
        self._cap()

    def _cap(self) -> None:
        if len(self.categories) <= CATEGORY_CAP:
            return
        ordered = sorted(self.categories.items(), key=lambda kv: (-kv[1], str(kv[0])))
        keep, rest = ordered[:CATEGORY_CAP], ordered[CATEGORY_CAP:]
        self.categories = dict(keep)
        self.other_rows += sum(c for _, c in rest)
        self.other_categories += len(rest)

    # ------------------------------------------------------------------ merging
    def merge(self, other: ColumnProfile) -> ColumnProfile:
        if self.kind != other.kind:
            # a side without any value has no kind of its own (an all-null batch)
            if self.valid == 0:
                return _with_rows(other, self.rows, self.missing)
            if other.valid == 0:
                return _with_rows(self, other.rows, other.missing)
            raise ProfileError(f"column {self.name!r} is {self.kind} in one profile and {other.kind} in the other")
        out = ColumnProfile(self.name, self.kind, self.rows + other.rows, self.missing + other.missing)
        if self.kind == "numeric":
            assert self.moments is not None and other.moments is not None
            out.moments = self.moments.merge(other.moments)
            out.sketch = _new_sketch()
            out.sketch.merge(self.sketch)
            out.sketch.merge(other.sketch)
            out.sketch_var = self.sketch_var + other.sketch_var
            if self.values is None or other.values is None:
                out.values = None
            else:
                merged = dict(self.values)
                for k, c in other.values.items():
                    merged[k] = merged.get(k, 0) + c
                out.values = merged if len(merged) <= DISTINCT_CAP else None
        else:
            merged_c = dict(self.categories)
            for k, c in other.categories.items():
                merged_c[k] = merged_c.get(k, 0) + c
            out.categories = merged_c
            out.other_rows = self.other_rows + other.other_rows
            out.other_categories = self.other_categories + other.other_categories
            out._cap()
        return out

    # ------------------------------------------------------------------ JSON
    def to_json(self) -> dict[str, Any]:
        if self.exact is not None:
            raise ProfileError(f"column {self.name!r}: an exact (in-memory) column profile cannot be saved")
        d: dict[str, Any] = {"name": self.name, "kind": self.kind, "rows": self.rows, "missing": self.missing}
        if self.kind == "numeric":
            m = self.moments
            assert m is not None
            d["moments"] = {"n": m.n, "mean": m.mean, "m2": m.m2, "min": m.min, "max": m.max, "scale": m.scale}
            d["values"] = None if self.values is None else [[k, c] for k, c in sorted(self.values.items())]
            d["sketch"] = base64.b64encode(self.sketch.serialize()).decode("ascii")
            d["sketch_var"] = self.sketch_var
        else:
            items = sorted(self.categories.items(), key=lambda kv: (type(kv[0]).__name__, str(kv[0])))
            d["categories"] = [[k, c] for k, c in items]
            d["other_rows"] = self.other_rows
            d["other_categories"] = self.other_categories
        return d

    @classmethod
    def from_json(cls, d: Any, where: str, caps: tuple[int, int, int] = (CATEGORY_CAP, DISTINCT_CAP, SKETCH_K)) -> ColumnProfile:
        """One column entry; ``caps`` are the file's (category_cap, distinct_cap, sketch k)."""
        if not isinstance(d, dict):
            raise ProfileError(f"{where}: a column entry must be an object, got {type(d).__name__}")
        name = d.get("name")
        if not isinstance(name, (str, int)) or isinstance(name, bool):
            raise ProfileError(f"{where}: column name must be a string or integer, got {name!r}")
        here = f"{where}, column {name!r}"
        kind = d.get("kind")
        if kind not in KINDS:
            raise ProfileError(f"{here}: kind must be one of {', '.join(KINDS)}, got {kind!r}")
        rows, missing = _count(d, "rows", here), _count(d, "missing", here)
        if missing > rows:
            raise ProfileError(f"{here}: missing ({missing}) exceeds rows ({rows})")
        col = cls(name, kind, rows, missing)
        if kind == "numeric":
            col.moments = _moments_from_json(d.get("moments"), here)
            col.sketch = _sketch_from_json(d.get("sketch"), here)
            col.values = _values_from_json(d.get("values"), here)
            var = _finite_number(d.get("sketch_var", 0.0), "sketch_var", here)
            if var < 0:
                raise ProfileError(f"{here}: sketch_var must be a number >= 0, got {var!r}")
            col.sketch_var = float(var)
            if col.moments.n != rows - missing or int(col.sketch.n) != col.moments.n:
                raise ProfileError(
                    f"{here}: counts disagree (rows - missing = {rows - missing}, moments n = {col.moments.n}, "
                    f"sketch n = {int(col.sketch.n)})"
                )
            _check_numeric(col, caps, here)
        else:
            cats = d.get("categories")
            if not isinstance(cats, list):
                raise ProfileError(f"{here}: 'categories' must be a list of [value, count] pairs")
            for pair in cats:
                if not (isinstance(pair, list) and len(pair) == 2) or not _is_count(pair[1]):
                    raise ProfileError(f"{here}: bad category entry {pair!r} (want [value, count >= 0])")
                if not isinstance(pair[0], (str, int, float, bool)) or pair[0] is None:
                    raise ProfileError(f"{here}: category value {pair[0]!r} is not a JSON scalar")
                if kind == "bool" and not isinstance(pair[0], bool):
                    raise ProfileError(f"{here}: a bool column's categories are true and false, got {pair[0]!r}")
                if isinstance(pair[0], float) and not math.isfinite(pair[0]):
                    raise ProfileError(f"{here}: category value {pair[0]!r} is not finite")
                if pair[0] in col.categories:
                    raise ProfileError(f"{here}: category {pair[0]!r} appears twice")
                col.categories[pair[0]] = int(pair[1])
            col.other_rows = _count(d, "other_rows", here)
            col.other_categories = _count(d, "other_categories", here)
            total = sum(col.categories.values()) + col.other_rows
            if total != rows - missing:
                raise ProfileError(f"{here}: category counts sum to {total}, but rows - missing = {rows - missing}")
            if len(col.categories) > caps[0]:
                raise ProfileError(f"{here}: {len(col.categories)} categories exceed category_cap {caps[0]}")
            if col.other_rows and not col.other_categories:
                raise ProfileError(f"{here}: other_rows {col.other_rows} but other_categories 0")
        return col


def _with_rows(col: ColumnProfile, rows: int, missing: int) -> ColumnProfile:
    out = ColumnProfile.empty(col.name, col.kind).merge(col)
    out.rows += rows
    out.missing += missing
    return out


def _is_count(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and v >= 0


def _count(d: Mapping[str, Any], key: str, where: str) -> int:
    v = d.get(key)
    if not _is_count(v):
        raise ProfileError(f"{where}: {key!r} must be an integer >= 0, got {v!r}")
    return int(v)


def _finite_number(v: Any, what: str, where: str, allow_none: bool = False) -> Any:
    if v is None and allow_none:
        return None
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
        raise ProfileError(f"{where}: {what} must be a finite number, got {v!r}")
    return float(v)


def _moments_from_json(m: Any, where: str) -> Moments:
    if not isinstance(m, dict):
        raise ProfileError(f"{where}: 'moments' must be an object")
    n = _count(m, "n", where)
    mean = _finite_number(m.get("mean"), "moments.mean", where)
    m2 = _finite_number(m.get("m2"), "moments.m2", where)
    lo = _finite_number(m.get("min"), "moments.min", where, allow_none=n == 0)
    hi = _finite_number(m.get("max"), "moments.max", where, allow_none=n == 0)
    scale = _finite_number(m.get("scale"), "moments.scale", where)
    if m2 < 0 or scale <= 0 or (n and lo > hi):
        raise ProfileError(f"{where}: moments are inconsistent (m2={m2}, scale={scale}, min={lo}, max={hi})")
    return Moments(n, mean, m2, lo, hi, scale)


def _sketch_from_json(s: Any, where: str) -> Any:
    from datasketches import kll_doubles_sketch

    if not isinstance(s, str):
        raise ProfileError(f"{where}: 'sketch' must be a base64 string")
    try:
        raw = base64.b64decode(s.encode("ascii"), validate=True)
        return kll_doubles_sketch.deserialize(raw)
    except Exception as exc:  # binascii.Error, RuntimeError from the C++ deserializer, ...
        raise ProfileError(f"{where}: the quantile sketch cannot be decoded ({exc})") from None


def _values_from_json(v: Any, where: str) -> dict[float, int] | None:
    if v is None:
        return None
    if not isinstance(v, list):
        raise ProfileError(f"{where}: 'values' must be null or a list of [value, count] pairs")
    out: dict[float, int] = {}
    for pair in v:
        if not (isinstance(pair, list) and len(pair) == 2) or not _is_count(pair[1]) or pair[1] == 0:
            raise ProfileError(f"{where}: bad value entry {pair!r} (want [number, count >= 1])")
        key = _finite_number(pair[0], "a value", where)
        if key in out:
            raise ProfileError(f"{where}: value {key!r} appears twice in 'values'")
        out[key] = int(pair[1])
    return out


def _check_numeric(col: ColumnProfile, caps: tuple[int, int, int], where: str) -> None:
    """A numeric column's moments, sketch and value counts describe the same values."""
    m = col.moments
    assert m is not None
    k = int(col.sketch.k)
    if k != caps[2]:
        raise ProfileError(f"{where}: the column's sketch k is {k}, but the file says {caps[2]}")
    if m.n == 0:
        if col.values:
            raise ProfileError(f"{where}: 'values' lists values of a column without any")
        return
    lo, hi = m.min, m.max
    assert lo is not None and hi is not None
    s_lo, s_hi = float(col.sketch.get_min_value()), float(col.sketch.get_max_value())
    if s_lo != lo or s_hi != hi:
        raise ProfileError(
            f"{where}: the sketch's minimum and maximum ({s_lo!r}, {s_hi!r}) are not the moments' ({lo!r}, {hi!r})"
        )
    # rounding: a mean of equal values can differ from them in the last bits; merges add a little
    slack = 1e-9 * max(abs(lo), abs(hi)) + 4 * _TINY
    mean = m.true_mean
    if not (lo - slack <= mean <= hi + slack):
        raise ProfileError(f"{where}: the mean {mean!r} is outside [min, max] = [{lo!r}, {hi!r}]")
    # Popoviciu: a standard deviation is at most half the range
    if m.std > (hi - lo) / 2 * (1 + 1e-9) + slack:
        raise ProfileError(f"{where}: the standard deviation {m.std!r} exceeds half the range [{lo!r}, {hi!r}]")
    if col.values is not None:
        if len(col.values) > caps[1]:
            raise ProfileError(f"{where}: {len(col.values)} distinct values exceed distinct_cap {caps[1]}")
        total = sum(col.values.values())
        if total != m.n:
            raise ProfileError(f"{where}: the value counts sum to {total}, but the column has {m.n} finite values")
        for v in col.values:
            if not lo <= v <= hi:
                raise ProfileError(f"{where}: value {v!r} is outside [min, max] = [{lo!r}, {hi!r}]")


_TINY = 5e-324


# ----------------------------------------------------------------------------------------------
# Profile
# ----------------------------------------------------------------------------------------------


@dataclass
class Profile:
    """Per-column summaries of one dataset, in column order; ``profile[name]`` is a :class:`ColumnProfile`."""

    columns: dict[Any, ColumnProfile]
    rows: int
    source: str = ""

    def __getitem__(self, name: Any) -> ColumnProfile:
        try:
            return self.columns[name]
        except KeyError:
            raise KeyError(f"column {name!r} is not in the profile (columns: {', '.join(map(repr, self.columns))})") from None

    def __contains__(self, name: Any) -> bool:
        return name in self.columns

    @property
    def names(self) -> list[Any]:
        return list(self.columns)

    def __repr__(self) -> str:
        return f"<Profile rows={self.rows} columns={len(self.columns)}>"

    def merge(self, other: Profile) -> Profile:
        """The profile of both datasets together (same columns required); associative."""
        if not isinstance(other, Profile):
            raise TypeError(f"Profile.merge: other must be a Profile, got {type(other).__name__}")
        if list(self.columns) != list(other.columns):
            raise ProfileError(
                f"Profile.merge: the profiles have different columns ({self.names} vs {other.names})"
            )
        cols = {n: self.columns[n].merge(other.columns[n]) for n in self.columns}
        return Profile(cols, self.rows + other.rows, self.source)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": PROFILE_FORMAT,
            "version": PROFILE_VERSION,
            "sketch": {"type": "kll_doubles", "k": SKETCH_K, "rank_error_99": RANK_ERROR},
            "category_cap": CATEGORY_CAP,
            "distinct_cap": DISTINCT_CAP,
            "rows": self.rows,
            "source": self.source,
            "columns": [c.to_json() for c in self.columns.values()],
        }

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the profile as strict JSON, atomically (a temporary file renamed over ``path``)."""
        import tempfile

        path = os.fspath(path)
        text = json.dumps(self.to_json(), indent=1, allow_nan=False) + "\n"
        directory = os.path.dirname(os.path.abspath(path))
        fail = f"cannot write the profile to {path!r}"
        if os.path.isdir(path):
            raise ProfileError(f"{fail}: it is a directory (give a file name, e.g. {os.path.join(path, 'reference.profile.json')!r})")
        if not os.path.isdir(directory):
            raise ProfileError(f"{fail}: the directory {directory!r} does not exist")
        try:
            fd, tmp = tempfile.mkstemp(prefix=".profile-", suffix=".tmp", dir=directory)
        except OSError as exc:
            raise ProfileError(f"{fail}: {exc.strerror or exc}") from None
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
            os.chmod(tmp, 0o666 & ~_umask())
            os.replace(tmp, path)
        except BaseException as exc:
            if os.path.exists(tmp):
                os.unlink(tmp)
            if isinstance(exc, OSError):
                raise ProfileError(f"{fail}: {exc.strerror or exc}") from None
            raise

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Profile:
        """Read a file written by :meth:`save`; :class:`ProfileError` names the file and what is wrong."""
        name = os.fspath(path)
        try:
            with open(name, encoding="utf-8") as fh:
                text = fh.read()
        except OSError as exc:
            raise ProfileError(f"profile file {name!r} cannot be read: {exc.strerror or exc}") from None
        except UnicodeDecodeError:
            raise ProfileError(f"profile file {name!r} is not UTF-8 text") from None

        def no_constants(token: str) -> Any:
            raise ProfileError(f"profile file {name!r}: {token} is not strict JSON")

        try:
            data = json.loads(text, parse_constant=no_constants)
        except json.JSONDecodeError as exc:
            raise ProfileError(f"profile file {name!r} is not valid JSON: {exc}") from None
        except RecursionError:
            raise ProfileError(f"profile file {name!r} is not a profile: its JSON is nested too deeply") from None
        return cls.from_json(data, f"profile file {name!r}")

    @classmethod
    def from_json(cls, data: Any, where: str = "profile") -> Profile:
        if not isinstance(data, dict):
            raise ProfileError(f"{where}: expected a JSON object, got {type(data).__name__}")
        if data.get("format") != PROFILE_FORMAT:
            raise ProfileError(f"{where}: not a pytest-mlgate profile (format {data.get('format')!r})")
        version = data.get("version")
        if type(version) is not int or version != PROFILE_VERSION:
            raise ProfileError(
                f"{where}: unsupported profile version {data.get('version')!r} (this pytest-mlgate reads {PROFILE_VERSION})"
            )
        rows = _count(data, "rows", where)
        caps = (_cap_of(data, "category_cap", where), _cap_of(data, "distinct_cap", where), _sketch_k(data, where))
        entries = data.get("columns")
        if not isinstance(entries, list) or not entries:
            raise ProfileError(f"{where}: 'columns' must be a non-empty list")
        cols: dict[Any, ColumnProfile] = {}
        for entry in entries:
            col = ColumnProfile.from_json(entry, where, caps)
            if col.name in cols:
                raise ProfileError(f"{where}: column {col.name!r} appears twice")
            if col.rows != rows:
                raise ProfileError(f"{where}, column {col.name!r}: {col.rows} rows, but the profile has {rows}")
            cols[col.name] = col
        source = data.get("source", "")
        return cls(cols, rows, source if isinstance(source, str) else "")


def _cap_of(data: Mapping[str, Any], key: str, where: str) -> int:
    v = data.get(key)
    if not _is_count(v) or v == 0:
        raise ProfileError(f"{where}: {key!r} must be an integer >= 1, got {v!r}")
    return int(v)


def _sketch_k(data: Mapping[str, Any], where: str) -> int:
    s = data.get("sketch")
    if not isinstance(s, dict):
        raise ProfileError(f"{where}: 'sketch' must be an object like {{\"type\": \"kll_doubles\", \"k\": {SKETCH_K}}}, got {s!r}")
    if s.get("type") != "kll_doubles":
        raise ProfileError(f"{where}: unsupported sketch type {s.get('type')!r} (this pytest-mlgate reads kll_doubles)")
    k = s.get("k")
    if not _is_count(k) or not 8 <= k <= 65535:
        raise ProfileError(f"{where}: the sketch's 'k' must be an integer from 8 to 65535, got {k!r}")
    return int(k)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# ----------------------------------------------------------------------------------------------
# Building from pandas
# ----------------------------------------------------------------------------------------------


def _pandas_kind(s: Any, name: Any, forced: bool) -> str:
    import pandas as pd

    dt = s.dtype
    if forced:
        return "categorical"
    if pd.api.types.is_bool_dtype(dt):
        return "bool"
    if isinstance(dt, pd.CategoricalDtype):
        return "categorical"
    if pd.api.types.is_complex_dtype(dt):
        raise TypeError(f"column {name!r} has unsupported dtype {dt}; profile its real and imaginary parts as two columns")
    if pd.api.types.is_numeric_dtype(dt):
        return "numeric"
    if pd.api.types.is_object_dtype(dt):
        inferred = pd.api.types.infer_dtype(s, skipna=True)
        if inferred == "boolean":
            return "bool"
        if inferred in ("integer", "floating", "mixed-integer-float", "decimal"):
            return "numeric"
        return "categorical"
    if pd.api.types.is_string_dtype(dt):
        return "categorical"
    raise TypeError(
        f"column {name!r} has unsupported dtype {dt}; convert it to numbers or strings, or list it in categorical="
    )


def add_series(col: ColumnProfile, s: Any) -> None:
    """Add a pandas Series to ``col`` (of the kind :func:`_pandas_kind` gave it)."""
    import numpy as np
    import pandas as pd

    if col.kind == "numeric":
        values = pd.to_numeric(s.astype(object), errors="raise") if pd.api.types.is_object_dtype(s.dtype) else s
        col.add_numeric(np.asarray(values.to_numpy(dtype=np.float64, na_value=np.nan), dtype=np.float64))
        return
    if pd.api.types.is_float_dtype(s.dtype):
        s = s.where(np.isfinite(s.to_numpy(dtype=np.float64, na_value=np.nan)))
    counts = s.value_counts(dropna=True, sort=False)
    valid = int(counts.sum())
    col.add_counts(dict(zip(counts.index.tolist(), counts.to_numpy().tolist())), len(s), len(s) - valid)


@contextlib.contextmanager
def column_map(items: int) -> Iterator[Callable[[Callable[[Any], Any], Iterable[Any]], list[Any]]]:
    """A ``map`` over columns on up to :func:`~pytest_mlgate.drift._threads` threads (numpy's sort
    and reductions release the GIL); the first exception is raised in the caller."""
    from .drift import _threads

    workers = min(_threads(), items)
    if workers <= 1:
        yield lambda fn, xs: [fn(x) for x in xs]
        return
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=workers) as pool:
        yield lambda fn, xs: list(pool.map(fn, xs))


def profile_frame(frame: Any, categorical: Iterable[Any] = (), source: str = "DataFrame") -> Profile:
    """Profile one pandas DataFrame."""
    forced = set(categorical)
    cols: dict[Any, ColumnProfile] = {}
    for name in frame.columns:
        cols[name] = ColumnProfile.empty(name, _pandas_kind(frame[name], name, name in forced))

    def work(name: Any) -> None:
        col = cols[name]
        try:
            add_series(col, frame[name])
        except (TypeError, ValueError) as exc:
            raise TypeError(f"column {name!r}: cannot be profiled as {col.kind} ({exc})") from None

    with column_map(len(cols)) as each:
        each(work, list(cols))
    return Profile(cols, len(frame), source)


def _exact_numeric(col: ColumnProfile, s: Any) -> None:
    import numpy as np
    import pandas as pd

    values = pd.to_numeric(s.astype(object), errors="raise") if pd.api.types.is_object_dtype(s.dtype) else s
    a = np.asarray(values.to_numpy(dtype=np.float64, na_value=np.nan), dtype=np.float64)
    mask = np.isfinite(a)
    finite = np.sort(a) if mask.all() else np.sort(a[mask])
    col.rows, col.missing = int(a.size), int(a.size - finite.size)
    col.moments = Moments.of(finite, float(finite[0]), float(finite[-1])) if finite.size else Moments()
    col.exact = finite
    col.sketch = None
    col.values = _sorted_value_counts(finite)


def exact_profile(frame: Any, categorical: Iterable[Any] = ()) -> Profile:
    """A profile of an in-memory DataFrame for one comparison: numeric columns keep their sorted
    finite values instead of a sketch (exact CDFs, no rank error); it cannot be saved.

    Columns are sorted on several threads (numpy's sort releases the GIL)."""
    forced = set(categorical)
    cols: dict[Any, ColumnProfile] = {}
    numeric: list[tuple[ColumnProfile, Any]] = []
    for name in frame.columns:
        s = frame[name]
        kind = _pandas_kind(s, name, name in forced)
        col = ColumnProfile(name, kind)
        cols[name] = col
        if kind == "numeric":
            numeric.append((col, s))
        else:
            add_series(col, s)

    def work(item: tuple[ColumnProfile, Any]) -> None:
        try:
            _exact_numeric(*item)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"column {item[0].name!r}: cannot be compared as numeric ({exc})") from None

    with column_map(len(numeric)) as each:
        each(work, numeric)
    return Profile(cols, len(frame), "DataFrame")


def profile(data: Any, *, columns: Iterable[Any] | None = None, categorical: Iterable[Any] | None = None) -> Profile:
    """Profile ``data``: a pandas DataFrame or Series, a ``pyarrow.Table`` or ``pyarrow.dataset.Dataset``,
    a Parquet file, directory or glob (``str`` / ``os.PathLike``) or a list of them, or a Spark DataFrame.

    Arrow and Parquet inputs are streamed in record batches (bounded memory); a Spark DataFrame is
    profiled inside Spark.  ``columns`` restricts the profile to those columns; ``categorical``
    names columns to summarise as categories whatever their dtype.  A :class:`Profile` is
    returned unchanged (restricted to ``columns``).
    """
    from .sources import profile_source

    return profile_source(data, columns=columns, categorical=categorical)
