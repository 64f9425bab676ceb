"""Bootstrap confidence intervals, paired model comparison and McNemar's test.

This module owns the statistics behind the quality gates. It is pure (no pytest) and
imports numpy/scipy lazily, inside functions, so importing it is cheap.

Resampling: ``n_resamples`` rows of ``n`` indices are drawn with
``numpy.random.Generator(numpy.random.SFC64(seed)).integers`` in chunks whose size
depends only on ``n`` (at most :data:`CHUNK_ELEMENTS` indices per chunk, which bounds
memory); the same seed and data always give the same intervals. Indices address rows
in an internal order (ascending binary score, or ascending absolute regression error;
``_Data.perm`` maps them back), and a paired comparison uses model a's order for both
models, so both are scored on the same rows.

Every standard metric is computed from per-row resample weights (multiplicity times
``sample_weight``) for a whole chunk of resamples at once: confusion matrices by a
matrix product, ROC AUC by a weighted Mann-Whitney statistic over score levels sorted
once (ties count half), average precision by cumulative weighted sums over the same
levels, regression errors by weighted sums, ``median_ae``/``max_error`` from weights in
error order. The point estimate is the same computation with all-ones weights and
equals the scikit-learn call named in :data:`METRICS`. Macro averages run over the classes
present in the sample's ``y_true`` or ``y_pred`` (scikit-learn's default labels), so the point
value and every replicate average the same label set.

Interval policy: bias-corrected and accelerated (BCa) intervals, with the acceleration
from a vectorised jackknife, when ``n <= BCA_MAX_N`` and the metric is a standard one;
percentile intervals otherwise (large ``n``, custom callables, or when BCa is undefined:
non-finite jackknife values or a bootstrap distribution entirely on one side of the
estimate). Non-finite replicates (degenerate resamples, e.g. one class for ``roc_auc``)
are dropped; when more than half are non-finite the interval is ``(nan, nan)``.
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ._errors import hide_input_errors

#: Standard metric names per task, with the scikit-learn call each one equals.
METRICS: dict[str, dict[str, str]] = {
    "classification": {
        "accuracy": "accuracy_score",
        "balanced_accuracy": "balanced_accuracy_score",
        "precision": "precision_score: binary pos_label=1; multiclass as precision_macro",
        "recall": "recall_score: binary pos_label=1; multiclass as recall_macro",
        "f1": "f1_score: binary pos_label=1; multiclass as f1_macro",
        "f1_macro": "f1_score(average='macro', zero_division=0)",
        "f1_micro": "f1_score(average='micro', zero_division=0)",
        "f1_weighted": "f1_score(average='weighted', zero_division=0)",
        "precision_macro": "precision_score(average='macro', zero_division=0)",
        "recall_macro": "recall_score(average='macro', zero_division=0)",
        "roc_auc": "roc_auc_score (multiclass: multi_class='ovr', macro)",
        "average_precision": "average_precision_score (multiclass: macro, binarized)",
        "log_loss": "log_loss (multiclass: labels=range(k))",
        "brier_score": "brier_score_loss (multiclass: labels=range(k))",
        "matthews_corrcoef": "matthews_corrcoef",
        "cohen_kappa": "cohen_kappa_score",
    },
    "regression": {
        "r2": "r2_score",
        "explained_variance": "explained_variance_score",
        "mae": "mean_absolute_error",
        "mse": "mean_squared_error",
        "rmse": "root_mean_squared_error",
        "mape": "mean_absolute_percentage_error",
        "median_ae": "median_absolute_error",
        "max_error": "max_error (ignores sample_weight, as scikit-learn does)",
    },
}

#: Largest number of rows for which BCa intervals (with a jackknife) are computed.
BCA_MAX_N = 2000

#: Upper bound on ``resamples_per_chunk * n`` (bounds memory of the vectorised path).
CHUNK_ELEMENTS = 250_000

#: Largest n for which unweighted rank sums use int64 (no overflow: 2 * n**3 < 2**63).
_EXACT_INT_MAX_N = 1_500_000

#: Below this fraction of finite replicates an interval is ``(nan, nan)``.
MIN_FINITE_FRACTION = 0.5

_TASKS = ("binary", "multiclass", "regression")
_SCORE_METRICS = frozenset({"roc_auc", "average_precision", "log_loss", "brier_score"})
_PROBA_METRICS = frozenset({"log_loss", "brier_score"})
_MACRO = {"precision_macro": "precision", "recall_macro": "recall", "f1_macro": "f1"}


# --------------------------------------------------------------------------- public API


def bootstrap_intervals(
    names: Sequence[str],
    *,
    y_true: Any,
    y_pred: Any = None,
    y_score: Any = None,
    task: str,
    n_classes: int | None = None,
    sample_weight: Any = None,
    n_resamples: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
    callables: Mapping[str, Callable[[Any, Any], float]] | None = None,
) -> dict[str, tuple[float, float]]:
    """Bootstrap ``confidence`` intervals for each metric in ``names``.

    Standard names are those in :data:`METRICS` for ``task``; any other name must be a
    key of ``callables`` (``f(y_true, y_pred) -> float``, bootstrapped by a loop over
    the resampled indices, without ``sample_weight``; ``y_score`` is passed when
    ``y_pred`` is None). Returns ``{name: (low, high)}``.
    """
    __tracebackhide__ = hide_input_errors

    names = _check_names(names, task, callables)
    _check_resampling(n_resamples, confidence, seed)
    data = _Data(task, y_true, y_pred, y_score, n_classes, sample_weight)
    standard = [m for m in names if not (callables and m in callables)]
    custom = [m for m in names if callables and m in callables]
    data.require(standard)

    out: dict[str, tuple[float, float]] = {}
    if standard:
        point = _evaluate(data, standard, _ones_counts(data.n))
        reps = _bootstrap_standard([data], [standard], data.n, n_resamples, seed)[0]
        jack = _jackknife([data], [standard], data.n)[0] if data.n <= BCA_MAX_N else None
        for m in standard:
            out[m] = _interval(
                float(point[m][0]), reps[m], None if jack is None else jack[m], confidence
            )
    for m in custom:
        fn = (callables or {})[m]
        yp = data.y_pred if data.y_pred is not None else data.y_score
        if yp is None:
            raise ValueError(f"y_pred: custom metric {m!r} needs y_pred (or y_score)")
        yp_orig = data.y_pred_orig if data.y_pred_orig is not None else data.y_score_orig
        theta = float(fn(data.y_true_orig, yp_orig))
        out[m] = bootstrap_statistic(
            lambda rows: _safe_call(fn, data.y_true[rows], yp[rows]),  # noqa: B023 - called right here
            data.n, point=theta, n_resamples=n_resamples, confidence=confidence, seed=seed,
        )
    return {m: out[m] for m in names}


#: Metrics that are a proportion of rows: they get exact (Clopper-Pearson) one-sided bounds.
#: ``precision``/``recall`` only for binary tasks (multiclass they are macro averages).
PROPORTION_METRICS = frozenset({"accuracy", "f1_micro", "precision", "recall"})
#: Metrics whose value lies in a known range (for the fallback bound of a degenerate bootstrap).
_RANGES: dict[str, tuple[float, float]] = {
    **{m: (0.0, 1.0) for m in (
        "accuracy", "balanced_accuracy", "precision", "recall", "f1", "f1_macro", "f1_micro",
        "f1_weighted", "precision_macro", "recall_macro", "roc_auc", "average_precision", "brier_score",
    )},
    "matthews_corrcoef": (-1.0, 1.0),
    "cohen_kappa": (-1.0, 1.0),
}
#: Metrics computed from predicted labels: their bounds are at least as wide as a proportion's of n rows.
_LABEL_METRICS = frozenset({
    "balanced_accuracy", "f1", "f1_macro", "f1_weighted", "precision_macro", "recall_macro",
    "matthews_corrcoef", "cohen_kappa", "precision", "recall",
})


def proportion_bounds(successes: float, trials: float, confidence: float) -> tuple[float, float]:
    """One-sided Clopper-Pearson ``confidence`` bounds ``(lower, upper)`` of a proportion.

    Each bound alone holds with probability at least ``confidence`` (exact: the binomial's
    tails, so a perfect sample gets a lower bound below 1, e.g. 30 of 30 at 95%: 0.905).
    ``successes`` and ``trials`` may be fractional (an effective sample size for weighted rows);
    no trials gives ``(0, 1)``.
    """
    from scipy.stats import beta

    alpha = 1.0 - float(confidence)
    if not trials > 0:
        return (0.0, 1.0)
    x = min(max(float(successes), 0.0), float(trials))
    lo = 0.0 if x <= 0 else float(beta.ppf(alpha, x, trials - x + 1.0))
    hi = 1.0 if x >= trials else float(beta.ppf(1.0 - alpha, x + 1.0, trials - x))
    return (lo, hi)


def expanded_level(confidence: float, n: int) -> float:
    """Two-sided bootstrap level whose ends serve as one-sided ``confidence`` bounds on ``n`` rows.

    Each tail starts at ``(1 - confidence) / 2`` and is shrunk by Hesterberg's small-sample
    expansion: ``tail' = Phi(-sqrt(n / (n - 1)) * t_{n-1}^{-1}(1 - tail))``, which makes the
    percentile/BCa bounds as wide as a Student-t interval would be (n = 30, 95%: tails 0.019
    instead of 0.025); the expansion vanishes as n grows.
    """
    from scipy.stats import norm, t

    tail = (1.0 - float(confidence)) / 2.0
    if n >= 2:
        tail = float(norm.cdf(-math.sqrt(n / (n - 1.0)) * t.ppf(1.0 - tail, n - 1)))
    return 1.0 - 2.0 * tail


def _kish(weights: Any) -> float:
    """Kish's effective sample size ``(sum w)^2 / sum w^2`` (n for equal weights)."""
    import numpy as np

    w = np.asarray(weights, dtype=np.float64)
    sq = float(np.sum(w * w))
    return float(np.sum(w)) ** 2 / sq if sq > 0 else 0.0


def _proportion_of(data: _Data, name: str, confidence: float) -> tuple[float, float]:
    """Clopper-Pearson bounds of a proportion metric from the rows it counts (weighted: Kish n)."""
    import numpy as np

    w = np.ones(data.n) if data.sw is None else data.sw
    if name in ("accuracy", "f1_micro"):
        rows = np.ones(data.n, dtype=bool)
    elif name == "precision":
        rows = data.y_pred == 1
    else:  # recall
        rows = data.y_true == 1
    hit = (data.y_pred == data.y_true)[rows]
    wr = w[rows]
    total = float(wr.sum())
    if not total > 0:
        # zero_division=0: the metric is 0 and says nothing about the true value
        return (0.0, 1.0)
    n_eff = _kish(wr)
    return proportion_bounds(float(wr @ hit) / total * n_eff, n_eff, confidence)


def _value_as_proportion(value: float, name: str, n_eff: float, confidence: float, k: int) -> tuple[float, float]:
    """Bounds of ``value`` read as a proportion of ``n_eff`` rows on the metric's range."""
    lo_r, hi_r = _RANGES[name]
    if name == "brier_score" and k >= 3:
        hi_r = 2.0
    share = (min(max(value, lo_r), hi_r) - lo_r) / (hi_r - lo_r)
    lo, hi = proportion_bounds(share * n_eff, n_eff, confidence)
    return (lo_r + lo * (hi_r - lo_r), lo_r + hi * (hi_r - lo_r))


def _degenerate(point: float, bounds: tuple[float, float]) -> bool:
    lo, hi = bounds
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return True
    return hi - lo <= 1e-12 * max(1.0, abs(point))


def confidence_bounds(
    names: Sequence[str],
    *,
    y_true: Any,
    y_pred: Any = None,
    y_score: Any = None,
    task: str,
    n_classes: int | None = None,
    sample_weight: Any = None,
    n_resamples: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
) -> dict[str, tuple[float, float]]:
    """One-sided ``confidence``-level bounds ``{name: (lower, upper)}`` of standard metrics.

    Each of ``lower`` and ``upper`` alone is a one-sided bound at level (at least)
    ``confidence``, so a gate judging one of them passes in at most ``1 - confidence`` of samples
    when the true value equals its threshold:

    * proportions (:data:`PROPORTION_METRICS`: accuracy, micro f1, binary precision and recall):
      exact Clopper-Pearson bounds on the rows they count (Kish's effective n with weights);
    * other metrics of predicted labels (balanced accuracy, f1, macro averages, MCC, kappa):
      the BCa bootstrap bound, widened where needed to the Clopper-Pearson bound of the value
      read as a proportion of n rows on the metric's range (the bootstrap's bounds are too
      narrow in small samples and collapse to the point on a perfect one);
    * score and regression metrics: the bootstrap bound (each bootstrap bound is the end of the
      two-sided ``confidence`` BCa interval, i.e. one-sided at ``1 - (1 - confidence) / 2``: the
      bootstrap under-covers in small samples); when the bootstrap degenerates (zero
      width, e.g. a perfect ranking) a metric with a known range falls back to the proportion
      bound above and any other gets ``(nan, nan)``, which a gate treats as no bound (fails).
    """
    __tracebackhide__ = hide_input_errors
    import numpy as np

    _check_resampling(n_resamples, confidence, seed)
    names = _check_names(names, task, None)
    if not float(confidence) > 0.5:
        raise ValueError(f"confidence: one-sided bounds need confidence > 0.5, got {confidence!r}")
    # Bootstrap bounds are taken at the stricter one-sided level 1 - (1 - c) / 2 (the ends of the
    # two-sided c interval), expanded for small n (:func:`expanded_level`): at level c they
    # under-cover in small samples and near the ends of a metric's range (measured by
    # benchmarks/soundness.py: log_loss at n=30 passed in ~10% of holdouts at its true value,
    # roc_auc near 0.99 at n=200 in ~7%, rmse at n=30 in ~6.5% even at 1 - (1 - c) / 2).
    data = _Data(task, y_true, y_pred, y_score, n_classes, sample_weight)
    boot = bootstrap_intervals(
        names, y_true=y_true, y_pred=y_pred, y_score=y_score, task=task, n_classes=n_classes,
        sample_weight=sample_weight, n_resamples=n_resamples, confidence=expanded_level(confidence, data.n),
        seed=seed,
    )
    point = _evaluate(data, names, _ones_counts(data.n))
    n_eff = float(data.n) if data.sw is None else _kish(data.sw)
    out: dict[str, tuple[float, float]] = {}
    for m in names:
        value = float(point[m][0])
        bounds = boot[m]
        binary_prop = m in ("precision", "recall") and task == "binary"
        if m in ("accuracy", "f1_micro") or binary_prop:
            out[m] = _proportion_of(data, m, confidence)
            continue
        if not math.isfinite(value):
            out[m] = (math.nan, math.nan)
            continue
        if m in _LABEL_METRICS and m in _RANGES:
            lo_p, hi_p = _value_as_proportion(value, m, n_eff, confidence, data.k)
            lo_b, hi_b = bounds
            lo_b = lo_p if not math.isfinite(lo_b) else lo_b
            hi_b = hi_p if not math.isfinite(hi_b) else hi_b
            out[m] = (min(lo_b, lo_p), max(hi_b, hi_p))
            continue
        if _degenerate(value, bounds):
            out[m] = _value_as_proportion(value, m, n_eff, confidence, data.k) if m in _RANGES else (math.nan, math.nan)
            continue
        out[m] = (float(np.float64(bounds[0])), float(np.float64(bounds[1])))
    return out


def bootstrap_statistic(
    statistic: Callable[[Any], float],
    n: int,
    *,
    point: float,
    n_resamples: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
) -> tuple[float, float]:
    """Percentile ``confidence`` interval of any ``statistic(rows) -> float`` of ``n`` rows.

    ``rows`` is an index array of one resample (with repeats); ``point`` is the statistic on
    all rows. A loop, one call per resample: for metrics the vectorised path does not know
    (scikit-learn scorers, user callables). A resample whose call raises ``ValueError``,
    ``ZeroDivisionError`` or ``FloatingPointError`` (e.g. one class) counts as non-finite.
    """
    __tracebackhide__ = hide_input_errors
    import numpy as np

    _check_resampling(n_resamples, confidence, seed)
    reps = np.empty(n_resamples)
    pos = 0
    with warnings.catch_warnings():  # a replicate's warnings (e.g. an undefined precision) are noise
        warnings.simplefilter("ignore")
        for idx in _index_chunks(n, n_resamples, seed):
            for rows in idx:
                try:
                    reps[pos] = float(statistic(rows))
                except (ValueError, ZeroDivisionError, FloatingPointError):
                    reps[pos] = math.nan
                pos += 1
    return _interval(float(point), reps, None, confidence)


def paired_bootstrap(
    name: str,
    *,
    y_true: Any,
    pred_a: Any = None,
    score_a: Any = None,
    pred_b: Any = None,
    score_b: Any = None,
    task: str,
    n_classes: int | None = None,
    sample_weight: Any = None,
    n_resamples: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
    callable_: Callable[[Any, Any], float] | None = None,
) -> dict[str, Any]:
    """Paired bootstrap interval of ``metric(model a) - metric(model b)``.

    Both models are scored on the same resampled rows. ``callable_`` (``f(y_true,
    pred)``) replaces the standard metric ``name``. Returns ``{"metric", "value_a",
    "value_b", "difference", "low", "high", "confidence", "n"}``; the sign is always
    a - b, whatever the metric's direction.
    """
    __tracebackhide__ = hide_input_errors
    import numpy as np

    if not isinstance(name, str) or not name:
        raise ValueError(f"name: expected a non-empty metric name, got {name!r}")
    if callable_ is None:
        if task in _TASKS and name not in METRICS[_family(task)]:
            raise ValueError(
                f"name: unknown metric {name!r} for task {task!r} (pass callable_ for a "
                f"custom metric); known: {sorted(METRICS[_family(task)])}"
            )
        _check_names([name], task, None)
    else:
        if not callable(callable_):
            raise ValueError(f"callable_: expected a callable, got {callable_!r}")
        _check_names([name], task, {name: callable_})
    _check_resampling(n_resamples, confidence, seed)
    da = _Data(task, y_true, pred_a, score_a, n_classes, sample_weight, ("pred_a", "score_a"))
    db = _Data(task, y_true, pred_b, score_b, n_classes, sample_weight, ("pred_b", "score_b"))
    if da.k != db.k:  # inferred from the codes each model happens to predict
        k = max(da.k, db.k)
        da = _Data(task, y_true, pred_a, score_a, k, sample_weight, ("pred_a", "score_a"))
        db = _Data(task, y_true, pred_b, score_b, k, sample_weight, ("pred_b", "score_b"))
    n = da.n
    db.base_map = db.inv[da.perm]

    if callable_ is None:
        da.require([name])
        db.require([name])
        ones = _ones_counts(n)
        value_a = float(_evaluate(da, [name], ones)[name][0])
        value_b = float(_evaluate(db, [name], ones)[name][0])
        ra, rb = _bootstrap_standard([da, db], [[name], [name]], n, n_resamples, seed)
        diff = ra[name] - rb[name]
        jack = None
        if n <= BCA_MAX_N:
            ja, jb = _jackknife([da, db], [[name], [name]], n)
            jack = ja[name] - jb[name]
    else:
        pa = da.y_pred_orig if da.y_pred_orig is not None else da.y_score_orig
        pb = db.y_pred_orig if db.y_pred_orig is not None else db.y_score_orig
        for arr, arg in ((pa, "pred_a"), (pb, "pred_b")):
            if arr is None:
                raise ValueError(f"{arg}: callable_ needs predictions (or scores) of both models")
        yt = da.y_true_orig
        value_a = float(callable_(yt, pa))
        value_b = float(callable_(yt, pb))
        diff = np.empty(n_resamples)
        pos = 0
        for idx in _index_chunks(n, n_resamples, seed):
            for base_row in idx:
                row = da.perm[base_row]
                diff[pos] = _safe_call(callable_, yt[row], pa[row]) - _safe_call(
                    callable_, yt[row], pb[row]
                )
                pos += 1
        jack = None
    difference = value_a - value_b
    low, high = _interval(difference, diff, jack, confidence)
    return {
        "metric": name,
        "value_a": value_a,
        "value_b": value_b,
        "difference": difference,
        "low": low,
        "high": high,
        "confidence": float(confidence),
        "n": int(n),
    }


def mcnemar_exact(correct_a: Any, correct_b: Any) -> dict[str, Any]:
    """Exact McNemar test on per-row correctness flags of two models.

    Returns ``{"b": rows only a got right, "c": rows only b got right, "p_value"}``, the
    two-sided exact binomial p-value on the discordant pairs (1.0 when there are none).
    """
    __tracebackhide__ = hide_input_errors
    import numpy as np

    a = np.asarray(correct_a)
    b = np.asarray(correct_b)
    if a.ndim != 1:
        raise ValueError(f"correct_a: expected a 1-d array, got shape {a.shape}")
    if b.ndim != 1:
        raise ValueError(f"correct_b: expected a 1-d array, got shape {b.shape}")
    if a.shape[0] != b.shape[0]:
        raise ValueError(
            f"correct_b: length {b.shape[0]} does not match correct_a length {a.shape[0]}"
        )
    a = a.astype(bool)
    b = b.astype(bool)
    only_a = int(np.count_nonzero(a & ~b))
    only_b = int(np.count_nonzero(~a & b))
    if only_a + only_b == 0:
        p = 1.0
    else:
        from scipy.stats import binomtest

        p = float(binomtest(only_a, only_a + only_b, 0.5).pvalue)
    return {"b": only_a, "c": only_b, "p_value": p}


def paired_accuracy_exact(correct_a: Any, correct_b: Any, *, confidence: float = 0.95) -> dict[str, Any]:
    """Exact interval of ``accuracy(a) - accuracy(b)`` from per-row correctness, with McNemar's p.

    With ``b`` rows only model a got right and ``c`` only model b, conditionally on the ``d = b +
    c`` discordant rows ``b ~ Binomial(d, pi)``, and the difference is ``d / n * (2 pi - 1)``.
    The interval maps the two-sided Clopper-Pearson ``confidence`` interval of ``pi`` (each tail
    ``(1 - confidence) / 2``); its upper end is below 0 exactly when the exact one-sided McNemar
    test rejects at ``(1 - confidence) / 2``, so the verdict and the reported two-sided
    ``p_value`` (``scipy.stats.binomtest``) agree at every number of discordant rows. No
    discordant rows: ``[0, 0]`` and p = 1 (identical models never differ).
    Returns ``{"b", "c", "n", "difference", "low", "high", "p_value", "confidence"}``.
    """
    __tracebackhide__ = hide_input_errors
    test = mcnemar_exact(correct_a, correct_b)
    _check_resampling(1, confidence, 0)
    b, c = int(test["b"]), int(test["c"])
    n = len(correct_a)
    d = b + c
    if d == 0:
        low = high = 0.0
    else:
        lo_pi, hi_pi = proportion_bounds(b, d, 1.0 - (1.0 - float(confidence)) / 2.0)
        low, high = d / n * (2.0 * lo_pi - 1.0), d / n * (2.0 * hi_pi - 1.0)
    return {
        "b": b, "c": c, "n": n, "difference": (b - c) / n if n else 0.0, "low": float(low),
        "high": float(high), "p_value": float(test["p_value"]), "confidence": float(confidence),
    }


def check_bootstrap_setting(n_resamples: Any, what: str) -> None:
    """Raise a ValueError naming the ini setting when ``what`` needs resamples and there are none.

    ``mlgate_bootstrap = 0`` turns the bootstrap off; ``mlgate.compare`` and ``confidence=``
    gates need it (a single resample is no verdict). For the fixture and collection-time checks.
    """
    if isinstance(n_resamples, bool) or not isinstance(n_resamples, numbers.Integral) or n_resamples < 1:
        raise ValueError(
            f"{what} needs bootstrap resamples, but ini mlgate_bootstrap = {n_resamples!r} turns them off; "
            "set mlgate_bootstrap to a positive number of resamples (e.g. 1000)"
        )


# --------------------------------------------------------------------------- validation


def _check_names(
    names: Any, task: str, callables: Mapping[str, Any] | None
) -> list[str]:
    __tracebackhide__ = hide_input_errors
    if task not in _TASKS:
        raise ValueError(f"task: expected one of {_TASKS}, got {task!r}")
    if callables is not None:
        if not isinstance(callables, Mapping):
            raise ValueError("callables: expected a mapping of name -> callable")
        for key, fn in callables.items():
            if not callable(fn):
                raise ValueError(f"callables: value for {key!r} is not callable")
    if isinstance(names, str):
        names = [names]
    names = list(names)
    if not names:
        raise ValueError("names: expected at least one metric name")
    known = METRICS[_family(task)]
    seen: list[str] = []
    for m in names:
        if not isinstance(m, str):
            raise ValueError(f"names: metric names must be strings, got {m!r}")
        if m not in known and not (callables and m in callables):
            raise ValueError(
                f"names: unknown metric {m!r} for task {task!r}; known: {sorted(known)}"
            )
        if m not in seen:
            seen.append(m)
    return seen


def _family(task: str) -> str:
    return "regression" if task == "regression" else "classification"


def _check_resampling(n_resamples: Any, confidence: Any, seed: Any) -> None:
    __tracebackhide__ = hide_input_errors
    if isinstance(n_resamples, bool) or not isinstance(n_resamples, numbers.Integral):
        raise ValueError(f"n_resamples: expected an integer, got {n_resamples!r}")
    if int(n_resamples) < 1:
        raise ValueError(f"n_resamples: must be >= 1, got {n_resamples}")
    try:
        c = float(confidence)
    except (TypeError, ValueError):
        raise ValueError(f"confidence: expected a number, got {confidence!r}") from None
    if not 0.0 < c < 1.0:
        raise ValueError(f"confidence: must be strictly between 0 and 1, got {confidence!r}")
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise ValueError(f"seed: expected an integer, got {seed!r}")
    if int(seed) < 0:
        raise ValueError(f"seed: must be >= 0, got {seed}")


class _Data:
    """Validated inputs, stored in a row order chosen so that one sort serves all."""

    def __init__(
        self,
        task: str,
        y_true: Any,
        y_pred: Any,
        y_score: Any,
        n_classes: int | None,
        sample_weight: Any,
        arg_names: tuple[str, str] = ("y_pred", "y_score"),
    ) -> None:
        import numpy as np

        pred_name, score_name = arg_names
        self.task = task
        self.pred_name, self.score_name = pred_name, score_name
        yt = np.asarray(y_true)
        if yt.ndim != 1:
            raise ValueError(f"y_true: expected a 1-d array, got shape {yt.shape}")
        n = yt.shape[0]
        if n < 1:
            raise ValueError("y_true: must contain at least one row")
        self.n = n

        def _length(arr: Any, arg: str) -> None:
            __tracebackhide__ = hide_input_errors
            if arr.shape[0] != n:
                raise ValueError(f"{arg}: length {arr.shape[0]} does not match y_true length {n}")

        yp = None if y_pred is None else np.asarray(y_pred)
        ys = None if y_score is None else np.asarray(y_score, dtype=np.float64)
        if yp is not None:
            if yp.ndim != 1:
                raise ValueError(f"{pred_name}: expected a 1-d array, got shape {yp.shape}")
            _length(yp, pred_name)
        if ys is not None:
            if ys.ndim not in (1, 2):
                raise ValueError(
                    f"{score_name}: expected a 1-d or 2-d array, got shape {ys.shape}"
                )
            _length(ys, score_name)
            if not np.all(np.isfinite(ys)):
                raise ValueError(f"{score_name}: contains NaN or infinite values")

        sw = None
        if sample_weight is not None:
            sw = np.asarray(sample_weight, dtype=np.float64)
            if sw.ndim != 1:
                raise ValueError(f"sample_weight: expected a 1-d array, got shape {sw.shape}")
            _length(sw, "sample_weight")
            if not np.all(np.isfinite(sw)) or np.any(sw < 0):
                raise ValueError("sample_weight: must be finite and non-negative")
            if not sw.sum() > 0:
                raise ValueError("sample_weight: must have a positive sum")

        if task == "regression":
            yt = yt.astype(np.float64)
            if not np.all(np.isfinite(yt)):
                raise ValueError("y_true: contains NaN or infinite values")
            if yp is not None:
                yp = yp.astype(np.float64)
                if not np.all(np.isfinite(yp)):
                    raise ValueError(f"{pred_name}: contains NaN or infinite values")
            self.k = 0
        else:
            yt = _codes(yt, "y_true")
            if yp is not None:
                yp = _codes(yp, pred_name)
            if task == "binary":
                if n_classes not in (None, 2):
                    raise ValueError(f"n_classes: binary task needs 2 classes, got {n_classes}")
                k = 2
                if ys is not None and ys.ndim == 2:
                    if ys.shape[1] != 2:
                        raise ValueError(
                            f"{score_name}: binary scores must be 1-d (score of class 1), "
                            f"got shape {ys.shape}"
                        )
                    ys = ys[:, 1]
            else:
                if ys is not None and ys.ndim != 2:
                    raise ValueError(
                        f"{score_name}: multiclass scores must be 2-d (n, n_classes), "
                        f"got shape {ys.shape}"
                    )
                if n_classes is not None:
                    k = int(n_classes)
                elif ys is not None:
                    k = ys.shape[1]
                else:
                    k = int(max(yt.max(), -1 if yp is None else yp.max())) + 1
                if k < 2:
                    raise ValueError(f"n_classes: need at least 2 classes, got {k}")
                if ys is not None and ys.shape[1] != k:
                    raise ValueError(
                        f"{score_name}: has {ys.shape[1]} columns but there are {k} classes"
                    )
            for arr, arg in ((yt, "y_true"), (yp, pred_name)):
                if arr is not None and (arr.min() < 0 or arr.max() >= k):
                    raise ValueError(f"{arg}: class codes must lie in 0..{k - 1}")
            self.k = k

        # Inputs in the caller's row order (for callables); arrays or None.
        self.y_true_orig: Any = yt
        self.y_pred_orig: Any = yp
        self.y_score_orig: Any = ys

        # Row order: ascending binary score, or ascending absolute regression error.
        if task == "binary" and ys is not None:
            perm = np.argsort(ys, kind="stable")
        elif task == "regression" and yp is not None:
            perm = np.argsort(np.abs(yp - yt), kind="stable")
        else:
            perm = np.arange(n)
        inv = np.empty(n, dtype=np.intp)
        inv[perm] = np.arange(n)
        self.perm, self.inv = perm, inv
        #: Map from the coordinates resample indices are drawn in to this data's rows
        #: (None: drawn in this data's own row order).
        self.base_map: Any = None
        # The same inputs in the internal row order.
        self.y_true: Any = yt[perm]
        self.y_pred: Any = None if yp is None else yp[perm]
        self.y_score: Any = None if ys is None else ys[perm]
        self.sw: Any = None if sw is None else sw[perm]
        self._cache: dict[Any, Any] = {}
        self._buffers: dict[Any, Any] = {}

    def require(self, names: Sequence[str]) -> None:
        """Raise ValueError when an input that one of ``names`` needs is missing."""
        __tracebackhide__ = hide_input_errors
        for m in names:
            if self.task != "regression" and m in _SCORE_METRICS:
                if self.y_score is None:
                    raise ValueError(f"{self.score_name}: metric {m!r} needs scores")
                if m in _PROBA_METRICS and (
                    self.y_score.min() < 0 or self.y_score.max() > 1
                ):
                    raise ValueError(
                        f"{self.score_name}: metric {m!r} needs probabilities in [0, 1]"
                    )
            elif self.y_pred is None:
                raise ValueError(f"{self.pred_name}: metric {m!r} needs predictions")

    def buffer(self, name: str, shape: tuple[int, int], dtype: Any) -> Any:
        """Scratch array reused across chunks (fresh large allocations page-fault)."""
        import numpy as np

        key = (name, np.dtype(dtype).str)
        buf = self._buffers.get(key)
        if buf is None or buf.shape[0] < shape[0] or buf.shape[1:] != shape[1:]:
            buf = np.empty(shape, dtype=dtype)
            self._buffers[key] = buf
        return buf[: shape[0]]

    def cached(self, key: Any, build: Callable[[], Any]) -> Any:
        """Per-dataset constant (one-hot matrices, sort orders, per-row losses)."""
        if key not in self._cache:
            self._cache[key] = build()
        return self._cache[key]


def _codes(arr: Any, arg: str) -> Any:
    __tracebackhide__ = hide_input_errors
    import numpy as np

    if arr.dtype.kind in "iu":
        return arr.astype(np.intp)
    if arr.dtype.kind == "b":
        return arr.astype(np.intp)
    if arr.dtype.kind == "f":
        if not np.all(np.isfinite(arr)) or np.any(arr != np.round(arr)):
            raise ValueError(f"{arg}: expected integer class codes, got non-integer values")
        return arr.astype(np.intp)
    raise ValueError(f"{arg}: expected integer class codes 0..k-1, got dtype {arr.dtype}")


# --------------------------------------------------------------------------- resampling


def _chunk_size(n: int, n_resamples: int) -> int:
    return max(1, min(n_resamples, CHUNK_ELEMENTS // max(n, 1)))


def _index_chunks(n: int, n_resamples: int, seed: int) -> Any:
    """Yield resample indices as ``(chunk, n)`` arrays; they depend only on n and seed.

    Indices address rows in the order of the first dataset (``_Data.perm`` maps them
    back to the caller's rows).
    """
    import numpy as np

    rng = np.random.Generator(np.random.SFC64(seed))
    size = _chunk_size(n, n_resamples)
    dtype = np.int32 if n <= 2**31 else np.int64
    done = 0
    while done < n_resamples:
        c = min(size, n_resamples - done)
        yield rng.integers(0, n, size=(c, n), dtype=dtype)
        done += c


def _resample_indices(n: int, n_resamples: int, seed: int) -> Any:
    """All resample indices as one ``(n_resamples, n)`` array (for checks and tests)."""
    import numpy as np

    return np.concatenate(list(_index_chunks(n, n_resamples, seed)), axis=0)


def _counts_from_indices(data: _Data, idx: Any) -> Any:
    """Multiplicity of each row (data order) in each resample: a ``(c, n)`` int64 array."""
    import numpy as np

    c, n = idx.shape
    offsets = (np.arange(c, dtype=np.intp) * n)[:, None]
    flat = data.buffer("flat", (c, n), np.intp)
    if data.base_map is None:
        np.add(idx, offsets, out=flat)
    else:
        np.take(data.base_map, idx, out=flat)
        flat += offsets
    return np.bincount(flat.ravel(), minlength=c * n).reshape(c, n)


def _ones_counts(n: int) -> Any:
    import numpy as np

    return np.ones((1, n), dtype=np.int64)


def _bootstrap_standard(
    datas: list[_Data], names: list[list[str]], n: int, n_resamples: int, seed: int
) -> list[dict[str, Any]]:
    import numpy as np

    out = [{m: np.empty(n_resamples) for m in ms} for ms in names]
    pos = 0
    for idx in _index_chunks(n, n_resamples, seed):
        c = idx.shape[0]
        for data, ms, res in zip(datas, names, out):
            vals = _evaluate(data, ms, _counts_from_indices(data, idx))
            for m in ms:
                res[m][pos : pos + c] = vals[m]
        pos += c
    return out


def _jackknife(datas: list[_Data], names: list[list[str]], n: int) -> list[dict[str, Any]]:
    """Leave-one-out values of each metric; entry ``i`` leaves out base row ``i``."""
    import numpy as np

    out = [{m: np.empty(n) for m in ms} for ms in names]
    size = max(1, CHUNK_ELEMENTS // max(n, 1))
    for start in range(0, n, size):
        rows = np.arange(start, min(n, start + size))
        for data, ms, res in zip(datas, names, out):
            counts = data.buffer("jack", (rows.size, n), np.int64)
            counts.fill(1)
            left_out = rows if data.base_map is None else data.base_map[rows]
            counts[np.arange(rows.size), left_out] = 0
            vals = _evaluate(data, ms, counts)
            for m in ms:
                res[m][rows] = vals[m]
    return out


def _safe_call(fn: Callable[[Any, Any], float], a: Any, b: Any) -> float:
    try:
        return float(fn(a, b))
    except (ValueError, ZeroDivisionError, FloatingPointError):
        return math.nan


# --------------------------------------------------------------------------- intervals


def _interval(
    theta: float, reps: Any, jack: Any, confidence: float
) -> tuple[float, float]:
    """BCa interval when ``jack`` is given and usable, else the percentile interval."""
    import numpy as np
    from scipy.special import ndtr, ndtri

    reps = np.asarray(reps, dtype=np.float64)
    finite = reps[np.isfinite(reps)]
    if not math.isfinite(theta) or finite.size == 0:
        return (math.nan, math.nan)
    if finite.size < MIN_FINITE_FRACTION * reps.size:
        return (math.nan, math.nan)
    alpha = (1.0 - confidence) / 2.0
    probs = np.array([alpha, 1.0 - alpha])
    if jack is not None and np.all(np.isfinite(jack)):
        frac = (np.count_nonzero(finite < theta) + np.count_nonzero(finite <= theta)) / (
            2.0 * finite.size
        )
        if 0.0 < frac < 1.0:
            z0 = float(ndtri(frac))
            dev = np.mean(jack) - np.asarray(jack, dtype=np.float64)
            den = 6.0 * float(np.sum(dev**2)) ** 1.5
            accel = float(np.sum(dev**3)) / den if den > 0 else 0.0
            z = ndtri(probs)
            with np.errstate(divide="ignore", invalid="ignore"):
                adj = z0 + (z0 + z) / (1.0 - accel * (z0 + z))
            if np.all(np.isfinite(adj)):
                probs = ndtr(adj)
    low, high = np.quantile(finite, probs)
    return (float(low), float(high))


# --------------------------------------------------------------------------- metrics


def _evaluate(data: _Data, names: Sequence[str], counts: Any) -> dict[str, Any]:
    """Each metric for each row of ``counts`` (``(c, n)`` multiplicities, data order)."""
    import numpy as np

    ctx = _Batch(data, counts)
    out = {}
    with np.errstate(divide="ignore", invalid="ignore"):
        for m in names:
            if data.task == "regression":
                out[m] = _regression_metric(m, data, ctx)
            else:
                out[m] = _classification_metric(m, data, ctx)
    return out


class _Batch:
    """One chunk of resamples: integer multiplicities, lazy float weights, shared parts."""

    def __init__(self, data: _Data, counts: Any) -> None:
        self.data = data
        self.counts = counts
        self.memo: dict[Any, Any] = {}
        self._w: Any = None
        self._total: Any = None

    @property
    def w(self) -> Any:
        """Float resample weights: multiplicity times sample_weight."""
        if self._w is None:
            import numpy as np

            out = self.data.buffer("w", self.counts.shape, np.float64)
            if self.data.sw is None:
                np.copyto(out, self.counts)
            else:
                np.multiply(self.counts, self.data.sw, out=out)
            self._w = out
        return self._w

    @property
    def total(self) -> Any:
        """Total weight of each resample."""
        if self._total is None:
            self._total = self.w.sum(axis=1)
        return self._total


def _wmean(data: _Data, ctx: _Batch, key: str, values: Callable[[], Any]) -> Any:
    vec = data.cached(key, values)
    return (ctx.w @ vec) / ctx.total


def _confusion(data: _Data, ctx: _Batch) -> Any:
    """``(c, k, k)`` weighted confusion matrices, rows true class, columns predicted."""
    import numpy as np

    key = "cm"
    if key in ctx.memo:
        return ctx.memo[key]
    k = data.k

    def build() -> Any:
        codes = data.y_true * k + data.y_pred
        if k * k <= 16:
            onehot = np.zeros((data.n, k * k))
            onehot[np.arange(data.n), codes] = 1.0
            return onehot
        from scipy.sparse import csr_matrix

        return csr_matrix(
            (np.ones(data.n), (codes, np.arange(data.n))), shape=(k * k, data.n)
        )

    onehot = data.cached("onehot", build)
    mat = ctx.w
    if k * k <= 16:
        flat = mat @ onehot
    else:
        flat = np.asarray((onehot @ mat.T).T)
    ctx.memo[key] = flat.reshape(-1, k, k)
    return ctx.memo[key]


def _prf(data: _Data, ctx: _Batch) -> tuple[Any, Any, Any, Any]:
    """Per-class precision, recall, f1 (zero_division=0) and support."""
    import numpy as np

    if "prf" in ctx.memo:
        return ctx.memo["prf"]
    cm = _confusion(data, ctx)
    tp = np.diagonal(cm, axis1=1, axis2=2)
    pred = cm.sum(axis=1)
    true = cm.sum(axis=2)
    precision = np.where(pred > 0, tp / pred, 0.0)
    recall = np.where(true > 0, tp / true, 0.0)
    den = pred + true
    f1 = np.where(den > 0, 2.0 * tp / den, 0.0)
    ctx.memo["prf"] = (precision, recall, f1, true)
    return ctx.memo["prf"]


def _classification_metric(name: str, data: _Data, ctx: _Batch) -> Any:
    __tracebackhide__ = hide_input_errors
    import numpy as np

    k = data.k
    if name == "accuracy" or name == "f1_micro":
        cm = _confusion(data, ctx)
        return np.trace(cm, axis1=1, axis2=2) / cm.sum(axis=(1, 2))
    if name == "balanced_accuracy":
        cm = _confusion(data, ctx)
        true = cm.sum(axis=2)
        per = np.diagonal(cm, axis1=1, axis2=2) / true
        ok = true > 0
        return np.where(ok, per, 0.0).sum(axis=1) / ok.sum(axis=1)
    if name in ("precision", "recall", "f1") and data.task == "binary":
        cm = _confusion(data, ctx)
        tp, fp, fn = cm[:, 1, 1], cm[:, 0, 1], cm[:, 1, 0]
        if name == "precision":
            den = tp + fp
        elif name == "recall":
            den = tp + fn
        else:
            tp, den = 2.0 * tp, 2.0 * tp + fp + fn
        return np.where(den > 0, tp / den, 0.0)
    if name in ("precision", "recall", "f1") or name in _MACRO:
        # Macro over the classes present in the sample's y_true or y_pred (scikit-learn's
        # default label set, so the point value and the interval agree, e.g. on a slice that
        # misses a class); a class absent from a resample counts as 0, so every replicate
        # averages the same label set.
        precision, recall, f1, _ = _prf(data, ctx)
        which = _MACRO.get(name, name)
        present = data.cached("present", lambda: _present_classes(data))
        return {"precision": precision, "recall": recall, "f1": f1}[which][:, present].mean(axis=1)
    if name == "f1_weighted":
        _, _, f1, support = _prf(data, ctx)
        tot = support.sum(axis=1)
        return np.where(tot > 0, (f1 * support).sum(axis=1) / tot, 0.0)
    if name == "matthews_corrcoef":
        cm = _confusion(data, ctx)
        t_sum = cm.sum(axis=2)
        p_sum = cm.sum(axis=1)
        n_correct = np.trace(cm, axis1=1, axis2=2)
        n_samples = p_sum.sum(axis=1)
        cov_ytyp = n_correct * n_samples - (t_sum * p_sum).sum(axis=1)
        cov_ypyp = n_samples**2 - (p_sum * p_sum).sum(axis=1)
        cov_ytyt = n_samples**2 - (t_sum * t_sum).sum(axis=1)
        prod = cov_ypyp * cov_ytyt
        return np.where(prod == 0, 0.0, cov_ytyp / np.sqrt(np.where(prod == 0, 1.0, prod)))
    if name == "cohen_kappa":
        cm = _confusion(data, ctx)
        sum0 = cm.sum(axis=1)
        sum1 = cm.sum(axis=2)
        total = sum0.sum(axis=1)
        observed_off = total - np.trace(cm, axis1=1, axis2=2)
        expected_off = (
            sum0.sum(axis=1) * sum1.sum(axis=1) - (sum0 * sum1).sum(axis=1)
        ) / total
        return np.where(expected_off > 0, 1.0 - observed_off / expected_off, np.nan)
    if name in ("roc_auc", "average_precision"):
        which = "auc" if name == "roc_auc" else "ap"
        if data.task == "binary":
            return _rank_stats(data, ctx, None, which)
        return np.mean([_rank_stats(data, ctx, j, which) for j in range(k)], axis=0)
    if name == "log_loss":
        return _wmean(data, ctx, "log_loss", lambda: _row_log_loss(data))
    if name == "brier_score":
        return _wmean(data, ctx, "brier", lambda: _row_brier(data))
    raise ValueError(f"names: unknown classification metric {name!r}")


def _present_classes(data: _Data) -> Any:
    """Boolean mask of the classes seen in the sample's y_true or y_pred."""
    import numpy as np

    mask = np.zeros(data.k, dtype=bool)
    mask[data.y_true] = True
    if data.y_pred is not None:
        mask[data.y_pred] = True
    return mask


def _row_log_loss(data: _Data) -> Any:
    import numpy as np

    eps = np.finfo(np.float64).eps
    if data.task == "binary":
        p = np.where(data.y_true == 1, data.y_score, 1.0 - data.y_score)
    else:
        p = data.y_score[np.arange(data.n), data.y_true]
    return -np.log(np.clip(p, eps, 1.0 - eps))


def _row_brier(data: _Data) -> Any:
    import numpy as np

    if data.task == "binary":
        return (data.y_true - data.y_score) ** 2
    onehot = np.zeros_like(data.y_score)
    onehot[np.arange(data.n), data.y_true] = 1.0
    per_row = ((onehot - data.y_score) ** 2).sum(axis=1)
    return per_row * 0.5 if data.k < 3 else per_row


def _levels(data: _Data, j: int | None) -> tuple[Any, Any, Any]:
    """Sort order (ascending score), positive flags in that order, tie-level starts."""
    import numpy as np

    def build() -> tuple[Any, Any, Any]:
        if j is None:
            order = None
            score = data.y_score
            pos = (data.y_true == 1).astype(np.int64)
        else:
            order = np.argsort(data.y_score[:, j], kind="stable")
            score = data.y_score[order, j]
            pos = (data.y_true[order] == j).astype(np.int64)
        starts = np.flatnonzero(np.r_[True, score[1:] != score[:-1]])
        return order, pos, (None if starts.size == score.size else starts)

    return data.cached(("levels", j), build)


def _rank_stats(data: _Data, ctx: _Batch, j: int | None, which: str) -> Any:
    """ROC AUC (weighted Mann-Whitney, ties count half) or average precision."""
    import numpy as np

    key = (which, j)
    if key in ctx.memo:
        return ctx.memo[key]
    order, pos, starts = _levels(data, j)
    # Unweighted: exact integer sums (integer cumsum is also several times faster).
    src = ctx.counts if data.sw is None and data.n <= _EXACT_INT_MAX_N else ctx.w
    if order is None:
        w = src
    else:
        w = np.take(src, order, axis=1, out=data.buffer("ranked", src.shape, src.dtype))
    p = np.multiply(w, pos, out=data.buffer("pos", src.shape, src.dtype))
    q = np.subtract(w, p, out=data.buffer("neg", src.shape, src.dtype))
    if starts is not None:
        p = np.add.reduceat(p, starts, axis=1)
        q = np.add.reduceat(q, starts, axis=1)
    if which == "auc":
        p_tot = p.sum(axis=1)
        # Positive-negative pairs tied at a score level count half.
        tied = np.einsum("ij,ij->i", p, q) if starts is not None else 0
        cum_q = np.cumsum(q, axis=1, out=q)
        q_tot = cum_q[:, -1].copy()
        num2 = 2 * np.einsum("ij,ij->i", p, cum_q) - tied
        num = num2 / 2.0
        p_tot = p_tot.astype(np.float64)
        q_tot = q_tot.astype(np.float64)
        ok = (p_tot > 0) & (q_tot > 0)
        ctx.memo[key] = np.where(ok, num / np.where(ok, p_tot * q_tot, 1.0), np.nan)
        return ctx.memo[key]
    # Average precision: tp and fp above each score level (descending thresholds).
    tps = np.cumsum(p[:, ::-1], axis=1)[:, ::-1]
    fps = np.cumsum(q[:, ::-1], axis=1)[:, ::-1]
    p_tot = tps[:, 0].copy()
    den = tps + fps
    precision = np.divide(tps, den, out=np.zeros(tps.shape), where=den > 0)
    ap = np.einsum("ij,ij->i", p.astype(np.float64), precision)
    ctx.memo[key] = np.where(p_tot > 0, ap / np.where(p_tot > 0, p_tot, 1.0), 0.0)
    return ctx.memo[key]


def _regression_metric(name: str, data: _Data, ctx: _Batch) -> Any:
    __tracebackhide__ = hide_input_errors
    import numpy as np

    yt, yp = data.y_true, data.y_pred
    if name == "mae":
        return _wmean(data, ctx, "abs_err", lambda: np.abs(yp - yt))
    if name == "mse":
        return _wmean(data, ctx, "sq_err", lambda: (yp - yt) ** 2)
    if name == "rmse":
        return np.sqrt(_wmean(data, ctx, "sq_err", lambda: (yp - yt) ** 2))
    if name == "mape":
        eps = np.finfo(np.float64).eps
        return _wmean(
            data, ctx, "ape", lambda: np.abs(yp - yt) / np.maximum(np.abs(yt), eps)
        )
    if name in ("r2", "explained_variance"):
        tot = ctx.total
        yc = data.cached("yc", lambda: yt - yt.mean())
        den = _wmean(data, ctx, "yc2", lambda: yc**2) - (ctx.w @ yc / tot) ** 2
        if name == "r2":
            num = _wmean(data, ctx, "sq_err", lambda: (yp - yt) ** 2)
        else:
            d = data.cached("dc", lambda: (yt - yp) - (yt - yp).mean())
            num = _wmean(data, ctx, "dc2", lambda: d**2) - (ctx.w @ d / tot) ** 2
        scale = _wmean(data, ctx, "yc2", lambda: yc**2)
        den_zero = den <= 1e-12 * np.maximum(scale, np.finfo(np.float64).tiny)
        num_zero = num <= 0
        safe_den = np.where(den_zero, 1.0, den)
        return np.where(num_zero, 1.0, np.where(den_zero, 0.0, 1.0 - num / safe_den))
    if name == "max_error":
        abs_err = data.cached("abs_err", lambda: np.abs(yp - yt))
        present = ctx.counts[:, ::-1] > 0
        last = data.n - 1 - np.argmax(present, axis=1)
        return abs_err[last]
    if name == "median_ae":
        abs_err = data.cached("abs_err", lambda: np.abs(yp - yt))
        w = ctx.w
        cdf = np.cumsum(w, axis=1, out=data.buffer("cdf", w.shape, w.dtype))
        half = 0.5 * cdf[:, -1]
        i = np.argmax(cdf >= half[:, None], axis=1)
        rows = np.arange(w.shape[0])
        at_i = cdf[rows, i]
        j = np.argmax(cdf > at_i[:, None], axis=1)
        j = np.where(cdf[rows, j] > at_i, j, i)
        exact = (at_i - half) <= np.finfo(np.float64).eps
        return np.where(exact, 0.5 * (abs_err[i] + abs_err[j]), abs_err[i])
    raise ValueError(f"names: unknown regression metric {name!r}")
