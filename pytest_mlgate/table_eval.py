"""Metrics of a predictions table from aggregates computed where the data lives.

``evaluate_table(data, y_true=..., y_pred=..., y_score=..., slice_by=...)`` reads a pandas
DataFrame, ``pyarrow`` Table/Dataset, Parquet path(s) or a Spark DataFrame in record batches and
keeps only sums: confusion counts (accuracy, precision, recall, f1 -- binary for two labels, else
macro --, balanced_accuracy, matthews_corrcoef), per-class score histograms of :data:`SCORE_BINS`
equal bins on [0, 1] (roc_auc and average_precision of a binary score, each with a bound on its
distance from scikit-learn on the raw scores, in :attr:`TableEvaluation.errors` under the
metric's name, slices included: see below), and sums for log_loss, brier_score, mse, mae, rmse
and r2.  Intervals come from a one-pass Poisson bootstrap: every row gets an independent Poisson(1) weight per replicate, so each
replicate's sums accumulate in the same pass (percentile intervals).  A Spark DataFrame is
aggregated on the executors (``mapInArrow`` per partition, merged by one ``reduceByKey``) and
the metrics are computed there; only the values and intervals reach the driver.  The module imports no pytest.

Binned score metrics.  Scores in different bins are ordered as their bins, so only the order
within a bin is unknown.  Both values treat a bin as one threshold, which is exactly what
scikit-learn computes when every score in a bin is equal.

- ``roc_auc`` counts a positive/negative pair in the same bin as half; the raw value differs by
  at most half the share of such pairs, ``errors["roc_auc"]``.
- ``average_precision`` (scikit-learn's step-wise ``sum_k (R_k - R_(k-1)) P_k`` over distinct
  thresholds) is the mean over positives of the precision at each positive's threshold group.
  Going from the highest bin down, let bin ``b`` hold ``p`` positives and ``n`` negatives
  with ``t`` positives and ``f`` negatives above it.  The bin's positives add their precisions,
  which depend only on ``t``, ``f`` and the order inside the bin.  Order the positives by
  threshold group; the ``j``-th has precision ``(t + j') / (t + j' + f + m)``, where ``j' >= j``
  and ``m <= n`` are the bin's positives and negatives at or above its group's threshold, and
  that precision grows with ``j'`` and shrinks with ``m``.  So it lies between
  ``(t + j) / (t + j + f + n)`` (every negative of the bin first, then one positive at a time)
  and ``(t + p) / (t + p + f)`` (all the bin's positives tied, above its negatives).  Both ends
  can happen in every bin at once, so the bound is sharp.  Summed over bins and divided by all
  positives, the two give the lowest and highest average precision that raw scores with this
  histogram can have (the sum over ``j`` is a difference of digammas).
  ``errors["average_precision"]`` is the larger distance from the reported value to either end.
  It is 0 when no bin holds both classes and every bin with two or more positives has no
  negatives above it.

Both errors grow with the rows that share a bin: many scores exactly 0 or 1, or a few distinct
values, give a wide bound (0.01 to 0.3 for average precision), although the value is then exact
when each bin's scores are equal; the histogram cannot tell the two cases apart.  Continuous
scores give ~1e-4 to ~1e-3 (a few 1e-3 at 0.1% positives).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["SCORE_BINS", "TABLE_METRICS", "TableEvaluation", "evaluate_table"]

#: Equal-width bins on [0, 1] of the score histograms.
SCORE_BINS = 2048
#: Metrics a table evaluation computes.
TABLE_METRICS = (
    "accuracy", "balanced_accuracy", "precision", "recall", "f1", "matthews_corrcoef",
    "roc_auc", "average_precision", "log_loss", "brier_score", "mse", "mae", "rmse", "r2",
)
_CLASS = ("accuracy", "balanced_accuracy", "precision", "recall", "f1", "matthews_corrcoef")
_SCORE = ("roc_auc", "average_precision", "log_loss", "brier_score")
_REG = ("mse", "mae", "rmse", "r2")
_EPS = float(np.finfo(np.float64).eps)


@dataclass
class _Sums:
    """Sums of one slice; index 0 of every array is the data itself, 1..B the bootstrap replicates."""

    reps: int
    confusion: dict[tuple[Any, Any], np.ndarray] = field(default_factory=dict)
    hist: np.ndarray | None = None  # (reps + 1, 2, SCORE_BINS)
    score: np.ndarray | None = None  # (reps + 1, 3): weight, log loss sum, brier sum
    reg: np.ndarray | None = None  # (reps + 1, 5): weight, sum y, sum y^2, sum e^2, sum |e|
    rows: int = 0

    def merge(self, other: _Sums) -> _Sums:
        out = _Sums(self.reps, dict(self.confusion), rows=self.rows + other.rows)
        for k, v in other.confusion.items():
            out.confusion[k] = out.confusion[k] + v if k in out.confusion else v
        for name in ("hist", "score", "reg"):
            a, b = getattr(self, name), getattr(other, name)
            setattr(out, name, b if a is None else a if b is None else a + b)
        return out


def _weights(n: int, reps: int, rng: np.random.Generator) -> np.ndarray:
    w = np.empty((reps + 1, n))
    w[0] = 1.0
    if reps:
        w[1:] = rng.poisson(1.0, size=(reps, n))
    return w


def _add(
    s: _Sums, t: np.ndarray, p: np.ndarray | None, score: np.ndarray | None, w: np.ndarray, task: str, positive: Any = None
) -> None:
    """Add one batch; ``positive``: the label whose probability ``score`` is (default: 0/1 labels)."""
    s.rows += t.size
    if task == "regression":
        assert p is not None
        e = p - t
        cols = np.stack([np.ones_like(t), t, t * t, e * e, np.abs(e)], axis=1)
        add = w @ cols
        s.reg = add if s.reg is None else s.reg + add
        return
    if p is not None:
        pairs, inverse = np.unique(np.stack([t.astype(object), p.astype(object)], axis=1).astype(str), axis=0, return_inverse=True)
        keys = [(_restore(t, a), _restore(p, b)) for a, b in pairs]
        sums = np.zeros((w.shape[0], len(keys)))
        for j in range(len(keys)):
            sums[:, j] = w[:, inverse.ravel() == j].sum(axis=1)
        for j, k in enumerate(keys):
            s.confusion[k] = s.confusion[k] + sums[:, j] if k in s.confusion else sums[:, j]
    if score is not None:
        y = (t == positive).astype(np.float64) if positive is not None else t.astype(np.float64)
        bins = np.minimum((score * SCORE_BINS).astype(np.int64), SCORE_BINS - 1)
        h = np.zeros((w.shape[0], 2, SCORE_BINS))
        for cls in (0, 1):
            m = y == cls
            for r in range(w.shape[0]):
                h[r, cls] = np.bincount(bins[m], weights=w[r, m], minlength=SCORE_BINS)
        q = np.clip(score, _EPS, 1 - _EPS)
        ll = -(y * np.log(q) + (1 - y) * np.log(1 - q))
        add = w @ np.stack([np.ones_like(y), ll, (score - y) ** 2], axis=1)
        s.hist = h if s.hist is None else s.hist + h
        s.score = add if s.score is None else s.score + add


def _restore(original: np.ndarray, text: str) -> Any:
    if np.issubdtype(original.dtype, np.integer) or np.issubdtype(original.dtype, np.bool_):
        return int(text) if text not in ("True", "False") else text == "True"
    if np.issubdtype(original.dtype, np.floating):
        return float(text)
    return text


# ---------------------------------------------------------------------------- metrics from sums


def _from_confusion(conf: dict[tuple[Any, Any], float], metric: str, positive: Any = None) -> float:
    labels = sorted({k[0] for k in conf} | {k[1] for k in conf}, key=lambda v: (str(type(v)), v))
    idx = {lab: i for i, lab in enumerate(labels)}
    m = np.zeros((len(labels), len(labels)))
    for (a, b), c in conf.items():
        m[idx[a], idx[b]] += c
    n = m.sum()
    if n == 0:
        return math.nan
    tp = np.diag(m)
    support, predicted = m.sum(axis=1), m.sum(axis=0)
    if metric == "accuracy":
        return float(tp.sum() / n)
    with np.errstate(invalid="ignore", divide="ignore"):
        recall = np.where(support > 0, tp / support, 0.0)
        precision = np.where(predicted > 0, tp / predicted, 0.0)
        f1 = np.where(precision + recall > 0, 2 * precision * recall / (precision + recall), 0.0)
    if metric == "balanced_accuracy":
        return float(recall[support > 0].mean())
    if metric == "matthews_corrcoef":
        c, s = tp.sum(), n
        num = c * s - support @ predicted
        den = math.sqrt(s * s - predicted @ predicted) * math.sqrt(s * s - support @ support)
        return float(num / den) if den else 0.0
    values = {"precision": precision, "recall": recall, "f1": f1}[metric]
    if len(labels) == 2:
        if positive is not None and positive in idx:  # labels=[negative, positive]
            return float(values[idx[positive]])
        return float(values[1])  # the larger label is the positive class, as scikit-learn's pos_label=1
    present = (support > 0) | (predicted > 0)
    return float(values[present].mean())


def _roc_auc(h: np.ndarray) -> tuple[float, float]:
    neg, pos = h[0], h[1]
    p_total, n_total = pos.sum(), neg.sum()
    if p_total == 0 or n_total == 0:
        return math.nan, 0.0
    neg_below = np.cumsum(neg) - neg
    auc = (pos @ neg_below + 0.5 * pos @ neg) / (p_total * n_total)
    return float(auc), float(0.5 * (pos @ neg) / (p_total * n_total))


def _harmonic(x: np.ndarray, p: np.ndarray) -> np.ndarray:
    """``sum(1 / (x + j) for j in 1..p)`` elementwise (``x >= 0``, ``p >= 1``), without a loop over ``j``.

    It is ``digamma(x + p + 1) - digamma(x + 1)``; for ``x + 1 >= 100`` that difference is taken
    from the asymptotic series term by term (``log1p`` and exact differences of the powers), so a
    small ``p`` next to a large ``x`` keeps its relative accuracy (about 1e-14) instead of
    cancelling.
    """
    from scipy.special import digamma

    y = x + 1.0
    out = np.empty_like(y)
    small = y < 100.0
    out[small] = digamma(y[small] + p[small]) - digamma(y[small])
    y, q = y[~small], p[~small]
    z = y + q
    out[~small] = (
        np.log1p(q / y) + q / (2 * y * z) + q * (2 * y + q) / (12 * (y * z) ** 2)
        - q * (2 * y + q) * (y * y + z * z) / (120 * (y * z) ** 4)
    )
    return out


def _average_precision(h: np.ndarray) -> tuple[float, float]:
    """Average precision of the histogram ``h`` (``(2, SCORE_BINS)``: negatives, positives) and its error.

    The value treats each bin as one threshold: it is scikit-learn's ``average_precision_score``
    exactly when the scores within every bin are equal. The error bounds the distance to
    scikit-learn's value on the raw scores, whatever their order within a bin (module docstring).
    """
    neg, pos = h[0][::-1], h[1][::-1]  # thresholds from the highest bin down
    tp, fp = np.cumsum(pos), np.cumsum(neg)
    if tp[-1] == 0:
        return math.nan, 0.0
    keep = (pos + neg) > 0
    precision = tp[keep] / (tp[keep] + fp[keep])
    recall_step = pos[keep] / tp[-1]
    ap = float(np.sum(precision * recall_step))
    # Per bin with p > 0 positives: t, f rows of each class above it, n negatives in it. Each
    # positive's precision loses a "deficit" 1 - precision; the bin's total deficit is
    #   p (f + n) / (t + p + f + n)          as one threshold (the value above),
    #   p f / (t + p + f)                    at least (its positives tied, above its negatives),
    #   sum_j (f + n) / (t + j + f + n)      at most (its negatives first, then one positive at a time).
    has = pos > 0
    p, n = pos[has], neg[has]
    t, f = (tp - pos)[has], (fp - neg)[has]
    tied = p * (f + n) / (t + p + f + n)
    best = p * f / (t + p + f)
    worst = (f + n) * _harmonic(t + f + n, p)
    below, above = float(np.sum(worst - tied)), float(np.sum(tied - best))
    return ap, max(below, above, 0.0) / float(tp[-1])


def _metric(s: _Sums, metric: str, r: int, positive: Any = None) -> float:
    if metric in _CLASS:
        return _from_confusion({k: v[r] for k, v in s.confusion.items()}, metric, positive)
    if metric in _REG:
        w, sy, syy, se2, sae = s.reg[r]  # type: ignore[index]
        if w == 0:
            return math.nan
        mse = se2 / w
        if metric == "mse":
            return float(mse)
        if metric == "rmse":
            return float(math.sqrt(mse))
        if metric == "mae":
            return float(sae / w)
        sst = syy - sy * sy / w
        if sst <= 1e-12 * syy:  # a constant target, up to the sums' rounding: scikit-learn's force_finite values
            return 1.0 if se2 == 0 else 0.0
        return float(1 - se2 / sst)
    if metric == "roc_auc":
        return _roc_auc(s.hist[r])[0]  # type: ignore[index]
    if metric == "average_precision":
        return _average_precision(s.hist[r])[0]  # type: ignore[index]
    w, ll, brier = s.score[r]  # type: ignore[index]
    return float(ll / w) if metric == "log_loss" else float(brier / w)


# ---------------------------------------------------------------------------- reading


def _batches(data: Any, columns: list[str]) -> Iterable[Any]:
    """Record batches (as pandas frames) of the needed columns."""
    import pandas as pd

    from .sources import _parquet_files, _ParquetFiles, is_arrow, is_path_input

    if isinstance(data, pd.DataFrame):
        missing = [c for c in columns if c not in data.columns]
        if missing:
            raise ValueError(f"mlgate.evaluate: data has no column {missing[0]!r}")
        yield data[columns]
        return
    if is_path_input(data):
        files = _ParquetFiles(_parquet_files(data), "data")
        files.plan(columns, [])  # every file holds the columns, each of one kind
        source = files.batches(columns)
    elif is_arrow(data):
        import pyarrow.dataset as ds

        for c in columns:
            if c not in data.schema.names:
                raise ValueError(f"mlgate.evaluate: data has no column {c!r}")
        source = data.to_batches(columns=columns) if isinstance(data, ds.Dataset) else data.select(columns).to_batches()
    else:
        raise TypeError(
            "mlgate.evaluate: data= must be a pandas DataFrame, pyarrow Table or Dataset, Parquet path(s) "
            f"or Spark DataFrame, got {type(data).__name__}"
        )
    for batch in source:
        yield batch.to_pandas()


def _accumulate(frames: Iterable[Any], spec: dict[str, Any], reps: int, seed: int) -> dict[Any, _Sums]:
    rng = np.random.default_rng(seed)
    out: dict[Any, _Sums] = {}
    t_col, p_col, s_col, sl = spec["y_true"], spec["y_pred"], spec["y_score"], spec["slice_by"]
    task = spec["task"]
    for frame in frames:
        if len(frame) == 0:
            continue
        for c in [t_col, p_col, s_col]:
            if c is not None and frame[c].isna().any():
                raise ValueError(f"mlgate.evaluate: column {c!r} has missing values")
        t = frame[t_col].to_numpy()
        p = None if p_col is None else frame[p_col].to_numpy()
        score = None
        if s_col is not None:
            score = frame[s_col].to_numpy(dtype=np.float64)
            if not np.all((score >= 0) & (score <= 1)):
                raise ValueError(f"mlgate.evaluate: y_score column {s_col!r} must hold probabilities in [0, 1]")
            labels = spec.get("labels")
            if labels is not None:
                if not np.isin(t, labels).all():
                    other = t[~np.isin(t, labels)][0]
                    raise ValueError(f"mlgate.evaluate: y_true column {t_col!r} holds {other!r}, which is not in labels={labels!r}")
            elif not np.isin(t, [0, 1]).all():
                raise ValueError(
                    f"mlgate.evaluate: y_score needs a 0/1 y_true column, or labels=[negative, positive]; "
                    f"{t_col!r} holds other labels"
                )
        if task == "regression":
            t, p = t.astype(np.float64), p.astype(np.float64)  # type: ignore[union-attr]
            if not (np.isfinite(t).all() and np.isfinite(p).all()):
                raise ValueError("mlgate.evaluate: y_true / y_pred hold NaN or infinite values")
        w = _weights(len(frame), reps, rng)
        groups: list[tuple[Any, np.ndarray]] = [(None, np.ones(len(frame), dtype=bool))]
        if sl is not None:
            import pandas as pd

            # slices are keyed by their name, as mlgate.evaluate names them: values that print the
            # same (1 and "1", None and NaN) are one slice, and datetimes are named as numpy gives them
            from .metrics import slice_label

            codes, uniques = pd.factorize(frame[sl])  # missing values (None, NaN, NaT, pd.NA) get -1
            labels = [slice_label(None)] + [slice_label(v) for v in np.asarray(uniques).tolist()]
            by_name: dict[str, np.ndarray] = {}
            for code, label in enumerate(labels, start=-1):
                mask = codes == code
                if mask.any():
                    by_name[label] = by_name[label] | mask if label in by_name else mask
            groups += list(by_name.items())
        for key, mask in groups:
            s = out.setdefault(key, _Sums(reps))
            positive = None if spec.get("labels") is None else spec["labels"][1]
            _add(s, t[mask], None if p is None else p[mask], None if score is None else score[mask], w[:, mask], task, positive)
    return out


def _spark_evaluation(df: Any, columns: list[str], spec: dict[str, Any], reps: int, seed: int, finish: Any) -> TableEvaluation:
    """Sums per partition on the executors (``mapInArrow``), merged there by one ``reduceByKey``;
    the merged sums (megabytes: a score histogram per bootstrap replicate) are turned into the
    evaluation on that executor, so only the metric values and intervals reach the driver.
    A bad value found on an executor comes back as the ``ValueError``/``TypeError`` it raised."""
    import base64
    import pickle

    def pack(obj: Any) -> str:
        return base64.b64encode(pickle.dumps(obj)).decode("ascii")

    def unpack(text: str) -> Any:
        return pickle.loads(base64.b64decode(text))

    def per_partition(batches: Iterable[Any]) -> Iterable[Any]:
        import pyarrow as pa
        from pyspark import TaskContext

        ctx = TaskContext.get()
        part = 0 if ctx is None else ctx.partitionId()
        try:
            out: tuple[str, Any] = ("ok", _accumulate((b.to_pandas() for b in batches), spec, reps, seed * 7919 + part))
        except (ValueError, TypeError) as exc:
            out = ("error", (type(exc).__name__, str(exc)))
        yield pa.RecordBatch.from_pydict({"s": [pack(out)]})

    def merge(a: str, b: str) -> str:
        (ka, x), (kb, y) = unpack(a), unpack(b)
        if ka == "error":
            return a
        if kb == "error":
            return b
        for k, v in y.items():
            x[k] = x[k].merge(v) if k in x else v
        return pack(("ok", x))

    def done(text: str) -> str:
        kind, sums = unpack(text)
        if kind == "error":
            return text
        try:
            return pack(("ok", finish(sums)))
        except (ValueError, TypeError) as exc:
            return pack(("error", (type(exc).__name__, str(exc))))

    for c in columns:
        if c not in df.columns:
            raise ValueError(f"mlgate.evaluate: data has no column {c!r}")
    parts = df.select(*[f"`{c}`" for c in columns]).mapInArrow(per_partition, "s string").rdd.map(lambda r: (0, r.s))
    results = parts.reduceByKey(merge, numPartitions=1).map(lambda kv: done(kv[1])).collect()
    if not results:
        raise ValueError("mlgate.evaluate: data has no rows")
    kind, value = unpack(results[0])
    if kind == "error":
        error_type, message = value
        raise (TypeError if error_type == "TypeError" else ValueError)(message)
    return value  # type: ignore[no-any-return]


@dataclass
class TableEvaluation:
    """What :func:`evaluate_table` computed: values, sizes and intervals, keyed like ``mlgate.evaluate``."""

    values: dict[str, float]
    n: dict[str, int]
    intervals: dict[str, tuple[float, float]]
    errors: dict[str, float]


def evaluate_table(
    data: Any,
    *,
    y_true: str,
    y_pred: str | None = None,
    y_score: str | None = None,
    slice_by: str | None = None,
    metrics: Iterable[str] | None = None,
    n_resamples: int = 200,
    confidence: float = 0.95,
    seed: int = 0,
    labels: Any = None,
) -> TableEvaluation:
    """Metrics of the predictions table ``data`` from one pass of sums; see the module docstring.

    ``labels=[negative, positive]`` names the classes when ``y_true`` is not 0/1: ``y_score`` is
    the probability of ``positive``."""
    from .sources import is_spark

    for arg, value in (("y_true", y_true), ("y_pred", y_pred), ("y_score", y_score), ("slice_by", slice_by)):
        if value is not None and not isinstance(value, str):
            raise TypeError(f"mlgate.evaluate: with data=, {arg} must be a column name, got {type(value).__name__}")
    if not isinstance(y_true, str):
        raise TypeError("mlgate.evaluate: data= needs y_true= naming the label column")
    if y_pred is None and y_score is None:
        raise ValueError("mlgate.evaluate: data= needs y_pred= and/or y_score= column names")
    regression = y_score is None and _looks_continuous(data, y_true)
    task = "regression" if regression else "classification"
    names = list(metrics) if metrics is not None else (
        ["r2", "mae", "rmse"] if regression else ["accuracy", "balanced_accuracy", "f1"] + (["roc_auc"] if y_score else [])
    )
    for m in names:
        if m not in TABLE_METRICS:
            raise ValueError(
                f"mlgate.evaluate: metric {m!r} cannot be computed from table aggregates; available: {', '.join(TABLE_METRICS)}"
            )
        if (m in _SCORE and y_score is None) or (m in _CLASS and y_pred is None) or (m in _REG and not regression):
            raise ValueError(f"mlgate.evaluate: metric {m!r} needs {'y_score' if m in _SCORE else 'y_pred'} (or a regression target)")
    reps = max(int(n_resamples), 0)
    if labels is not None:
        if isinstance(labels, (str, bytes)) or not hasattr(labels, "__iter__"):
            raise TypeError(f"mlgate.evaluate: labels= must be a list of the two classes [negative, positive], got {labels!r}")
        labels = list(labels)
        if len(labels) != 2 or labels[0] == labels[1]:
            raise ValueError(
                f"mlgate.evaluate: with data=, labels= names the two classes [negative, positive] of y_score; got {labels!r}"
            )
    spec = {"y_true": y_true, "y_pred": y_pred, "y_score": y_score, "slice_by": slice_by, "task": task, "labels": labels}
    columns = list(dict.fromkeys(c for c in (y_true, y_pred, y_score, slice_by) if c is not None))
    finish = functools.partial(
        _evaluation, names=names, reps=reps, confidence=confidence, slice_by=slice_by,
        positive=None if labels is None else labels[1],
    )
    if is_spark(data):
        return _spark_evaluation(data, columns, spec, reps, seed, finish)
    return finish(_accumulate(_batches(data, columns), spec, reps, seed))


def _evaluation(
    sums: dict[Any, _Sums], *, names: list[str], reps: int, confidence: float, slice_by: str | None,
    positive: Any = None,
) -> TableEvaluation:
    """Values, sizes, percentile intervals and binning errors from the merged sums."""
    if None not in sums or sums[None].rows == 0:
        raise ValueError("mlgate.evaluate: data has no rows")
    values: dict[str, float] = {}
    sizes: dict[str, int] = {}
    intervals: dict[str, tuple[float, float]] = {}
    errors: dict[str, float] = {}
    alpha = (1 - confidence) / 2
    per_base: dict[str, list[float]] = {m: [] for m in names}
    keys = [None] + sorted(k for k in sums if k is not None)  # slices are keyed by their names
    for key in keys:
        s = sums[key]
        for m in names:
            name = m if key is None else f"{m}[{slice_by}={key}]"
            values[name] = _metric(s, m, 0, positive)
            sizes[name] = s.rows
            if reps:
                boot = np.array([_metric(s, m, r, positive) for r in range(1, reps + 1)])
                boot = boot[np.isfinite(boot)]
                if boot.size:
                    intervals[name] = (float(np.quantile(boot, alpha)), float(np.quantile(boot, 1 - alpha)))
            if m == "roc_auc":
                errors[name] = _roc_auc(s.hist[0])[1]  # type: ignore[index]
            if m == "average_precision":
                errors[name] = _average_precision(s.hist[0])[1]  # type: ignore[index]
            if key is not None:
                per_base[m].append(values[name])
    if slice_by is not None:
        for m, vals in per_base.items():
            finite = [v for v in vals if v == v]
            values[f"{m}_gap"] = float(max(finite) - min(finite)) if finite and len(finite) == len(vals) else math.nan
            sizes[f"{m}_gap"] = sums[None].rows
    return TableEvaluation(values, sizes, intervals, errors)


def _looks_continuous(data: Any, y_true: str) -> bool:
    """A float label column is a regression target."""
    import pandas as pd

    from .sources import is_arrow, is_path_input, is_spark

    if isinstance(data, pd.DataFrame):
        if y_true not in data.columns:
            raise ValueError(f"mlgate.evaluate: data has no column {y_true!r}")
        return pd.api.types.is_float_dtype(data[y_true].dtype)
    if is_spark(data):
        fields = {f.name: type(f.dataType).__name__ for f in data.schema.fields}
        if y_true not in fields:
            raise ValueError(f"mlgate.evaluate: data has no column {y_true!r}")
        return fields[y_true] in ("FloatType", "DoubleType")
    import pyarrow as pa

    if is_path_input(data):
        from .sources import _parquet_files, _ParquetFiles

        schema = _ParquetFiles(_parquet_files(data), "data").schema
    elif is_arrow(data):
        schema = data.schema
    else:
        raise TypeError(
            "mlgate.evaluate: data= must be a pandas DataFrame, pyarrow Table or Dataset, Parquet path(s) "
            f"or Spark DataFrame, got {type(data).__name__}"
        )
    if y_true not in schema.names:
        raise ValueError(f"mlgate.evaluate: data has no column {y_true!r}")
    return pa.types.is_floating(schema.field(y_true).type)
