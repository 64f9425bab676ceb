"""Compact, JSON-able summaries of what a test measured, from which the HTML report draws its pictures.

Each summary is a small dict of counts, quantiles and downsampled curve points: confusion counts,
ROC and precision-recall points with the operating point, calibration bins, residual quantiles and
histograms, a binned predicted-vs-actual grid, and reference-vs-current histograms or category bars
of drifted columns. No raw prediction is stored. A test's summaries together stay under
:data:`PLOTS_LIMIT` characters of JSON (:func:`fit_plots` enforces it), so they travel on the test
report under pytest-xdist and sit in the JSON report and the baseline.

numpy and scikit-learn are imported inside the functions; nothing here imports pytest.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, MutableMapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

    from .drift import DriftReport
    from .metrics import Prepared

#: Upper bound, in characters of compact JSON, of one test's summaries (``TestResult.plots``).
PLOTS_LIMIT = 65_536

#: Curve points kept per ROC / precision-recall curve.
CURVE_POINTS = 80
#: Calibration bins.
CALIBRATION_BINS = 10
#: Histogram bins (residuals, numeric drift columns).
HIST_BINS = 30
#: Cells per side of the predicted-vs-actual grid.
GRID_BINS = 24
#: Prediction bins of the residuals-vs-prediction band.
BAND_BINS = 12
#: Most classes drawn (confusion matrix, one-vs-rest curves); categories per drift bar chart.
MAX_CLASSES = 20
MAX_CURVE_CLASSES = 6
MAX_CATEGORIES = 20
#: Drift columns kept per drift check.
MAX_DRIFT_COLUMNS = 24

_QUANTILES = (0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99)


def _r(value: Any) -> float | None:
    """A float rounded to 5 significant digits, None for NaN/inf (JSON has neither)."""
    v = float(value)
    if not math.isfinite(v):
        return None
    return float(f"{v:.5g}")


def _rl(values: Any) -> list[float | None]:
    return [_r(v) for v in values]


def _thin(n: int, keep: int) -> list[int]:
    """Indices of ``keep`` points spread evenly over ``range(n)``, both ends included."""
    if n <= keep:
        return list(range(n))
    step = (n - 1) / (keep - 1)
    return sorted({round(i * step) for i in range(keep)})


def _curve(x: Any, y: Any, keep: int) -> dict[str, list[float | None]]:
    idx = _thin(len(x), keep)
    return {"x": _rl(x[i] for i in idx), "y": _rl(y[i] for i in idx)}


# ---------------------------------------------------------------------------- classification


def classification_summary(prepared: Prepared) -> dict[str, Any]:
    """Confusion counts, ROC / PR curves with the operating point, calibration bins of one evaluation.

    Counts are unweighted rows. Binary curves are of the positive class (the second label);
    multiclass curves are one-vs-rest for the first :data:`MAX_CURVE_CLASSES` classes, and the
    calibration is the top-label one (confidence of the predicted class vs accuracy).
    """
    import numpy as np

    classes = [str(c) for c in (prepared.classes if prepared.classes is not None else [])]
    out: dict[str, Any] = {"kind": "classification", "task": prepared.task, "n": prepared.n, "classes": classes}
    y_true = np.asarray(prepared.y_true)
    if prepared.y_pred is not None and 0 < len(classes) <= MAX_CLASSES:
        k = len(classes)
        pred = np.asarray(prepared.y_pred)
        ok = (pred >= 0) & (pred < k)
        counts = np.zeros((k, k), dtype=int)
        np.add.at(counts, (y_true[ok].astype(int), pred[ok].astype(int)), 1)
        out["confusion"] = counts.tolist()
    score = prepared.y_score
    if score is None:
        return out
    score = np.asarray(score, dtype=float)
    if prepared.task == "binary" and score.ndim == 1:
        out["curves"] = {classes[1] if len(classes) > 1 else "1": _binary_curves(y_true == 1, score)}
        if prepared.y_pred is not None:
            out["operating_point"] = _operating_point(y_true == 1, np.asarray(prepared.y_pred) == 1)
        if prepared.score_is_proba:
            out["calibration"] = _calibration(y_true == 1, score)
    elif score.ndim == 2:
        curves = {}
        for j in range(min(score.shape[1], MAX_CURVE_CLASSES)):
            positive = y_true == j
            if positive.any() and (~positive).any():
                curves[classes[j] if j < len(classes) else str(j)] = _binary_curves(positive, score[:, j])
        out["curves"] = curves
        if prepared.score_is_proba:
            top = score.argmax(axis=1)
            out["calibration"] = _calibration(top == y_true, score.max(axis=1))
            out["calibration"]["top_label"] = True
    return out


def _binary_curves(positive: np.ndarray, score: np.ndarray) -> dict[str, Any]:
    import numpy as np
    from sklearn.metrics import precision_recall_curve, roc_curve

    finite = np.isfinite(score)
    positive, score = positive[finite], score[finite]
    if not positive.any() or positive.all():
        return {}
    fpr, tpr, _ = roc_curve(positive, score)
    precision, recall, _ = precision_recall_curve(positive, score)
    return {
        "roc": _curve(fpr, tpr, CURVE_POINTS),
        "pr": _curve(recall[::-1], precision[::-1], CURVE_POINTS),  # recall rising
        "prevalence": _r(positive.mean()),
    }


def _operating_point(actual: np.ndarray, predicted: np.ndarray) -> dict[str, float | None]:
    import numpy as np

    tp = float(np.sum(actual & predicted))
    fp = float(np.sum(~actual & predicted))
    fn = float(np.sum(actual & ~predicted))
    tn = float(np.sum(~actual & ~predicted))
    return {
        "fpr": _r(fp / (fp + tn)) if fp + tn else None,
        "tpr": _r(tp / (tp + fn)) if tp + fn else None,
        "precision": _r(tp / (tp + fp)) if tp + fp else None,
    }


def _calibration(actual: np.ndarray, prob: np.ndarray) -> dict[str, Any]:
    import numpy as np

    finite = np.isfinite(prob)
    actual, prob = actual[finite].astype(float), np.clip(prob[finite], 0.0, 1.0)
    bins = np.minimum((prob * CALIBRATION_BINS).astype(int), CALIBRATION_BINS - 1)
    mean_pred, frac, count = [], [], []
    for b in range(CALIBRATION_BINS):
        inside = bins == b
        if inside.any():
            mean_pred.append(_r(prob[inside].mean()))
            frac.append(_r(actual[inside].mean()))
            count.append(int(inside.sum()))
    return {"mean_predicted": mean_pred, "fraction_positive": frac, "count": count}


# ---------------------------------------------------------------------------- regression


def regression_summary(prepared: Prepared) -> dict[str, Any]:
    """Binned predicted-vs-actual counts, residual band by prediction, residual histogram and quantiles.

    Residuals are ``actual - predicted``. Only finite pairs are summarised; ``n`` counts them.
    """
    import numpy as np

    actual = np.asarray(prepared.y_true, dtype=float)
    pred = np.asarray(prepared.y_pred, dtype=float) if prepared.y_pred is not None else None
    out: dict[str, Any] = {"kind": "regression", "n": prepared.n}
    if pred is None:
        return out
    ok = np.isfinite(actual) & np.isfinite(pred)
    actual, pred = actual[ok], pred[ok]
    out["n_finite"] = int(ok.sum())
    if not len(actual):
        return out
    resid = actual - pred
    lo, hi = float(min(actual.min(), pred.min())), float(max(actual.max(), pred.max()))
    if hi <= lo:
        hi = lo + 1.0
    edges = np.linspace(lo, hi, GRID_BINS + 1)
    grid, _, _ = np.histogram2d(pred, actual, bins=[edges, edges])
    cells = [[int(i), int(j), int(c)] for (i, j), c in np.ndenumerate(grid) if c]
    out["grid"] = {"low": _r(lo), "high": _r(hi), "bins": GRID_BINS, "cells": cells}  # [pred bin, actual bin, n]
    out["band"] = _residual_band(pred, resid)
    counts, hedges = np.histogram(resid, bins=HIST_BINS)
    out["residual_hist"] = {"edges": _rl(hedges), "counts": counts.astype(int).tolist()}
    out["residual_quantiles"] = {f"{q:g}": _r(v) for q, v in zip(_QUANTILES, np.quantile(resid, _QUANTILES))}
    return out


def _residual_band(pred: np.ndarray, resid: np.ndarray) -> dict[str, list[Any]]:
    import numpy as np

    lo, hi = float(pred.min()), float(pred.max())
    edges = np.linspace(lo, hi if hi > lo else lo + 1.0, BAND_BINS + 1)
    which = np.clip(np.searchsorted(edges, pred, side="right") - 1, 0, BAND_BINS - 1)
    band: dict[str, list[Any]] = {"center": [], "q05": [], "q25": [], "q50": [], "q75": [], "q95": [], "count": []}
    for b in range(BAND_BINS):
        r = resid[which == b]
        if not len(r):
            continue
        q = np.quantile(r, (0.05, 0.25, 0.5, 0.75, 0.95))
        band["center"].append(_r((edges[b] + edges[b + 1]) / 2))
        for key, v in zip(("q05", "q25", "q50", "q75", "q95"), q):
            band[key].append(_r(v))
        band["count"].append(len(r))
    return band


def evaluation_summary(prepared: Prepared) -> dict[str, Any]:
    """The summary that fits ``prepared``'s task."""
    if prepared.task == "regression":
        return regression_summary(prepared)
    return classification_summary(prepared)


def compare_summary(candidate: Prepared, baseline_model: Prepared, comparison: Mapping[str, Any]) -> dict[str, Any]:
    """Both models' summaries on the same rows, and the paired difference with its interval."""
    return {
        "kind": "compare",
        "metric": comparison.get("metric"),
        "difference": _r(comparison["difference"]) if comparison.get("difference") is not None else None,
        "interval": _rl(comparison.get("interval") or ()),
        "confidence": comparison.get("confidence"),
        "max_drop": comparison.get("max_drop"),
        "verdict": comparison.get("verdict"),
        "candidate": evaluation_summary(candidate),
        "baseline_model": evaluation_summary(baseline_model),
    }


# ---------------------------------------------------------------------------- drift


def drift_summary(report: DriftReport, reference: Any, current: Any, *, all_columns: bool = False) -> dict[str, Any]:
    """Reference-vs-current distributions of the drifted columns (every column with ``all_columns``).

    Numeric columns get histogram counts on shared edges; categorical ones counts per category
    (the :data:`MAX_CATEGORIES` most frequent, the rest summed as ``"(other)"``), with the new
    and vanished categories listed. At most :data:`MAX_DRIFT_COLUMNS` columns, drifted first.
    """
    from .drift import _as_frames

    ref, cur = _as_frames(reference, current)
    chosen = [c for c in report.columns if c.drifted] + ([c for c in report.columns if not c.drifted] if all_columns else [])
    columns = []
    for col in chosen[:MAX_DRIFT_COLUMNS]:
        if col.name not in ref.columns or col.name not in cur.columns:
            continue
        entry: dict[str, Any] = {
            "name": str(col.name), "kind": col.kind, "method": col.method, "drifted": bool(col.drifted),
            "statistic": _r(col.statistic), "p_value": _r(col.p_value) if col.p_value is not None else None,
            "missing": [_r(col.missing_reference), _r(col.missing_current)],
        }
        if col.kind == "numeric":
            entry.update(_numeric_hist(ref[col.name], cur[col.name]))
        else:
            entry.update(_category_bars(ref[col.name], cur[col.name], col.new_categories, col.vanished_categories))
        columns.append(entry)
    return {
        "kind": "drift", "n_reference": report.n_reference, "n_current": report.n_current,
        "columns": columns, "omitted_columns": max(0, len(chosen) - MAX_DRIFT_COLUMNS),
        "all_columns": all_columns,
    }


def _numeric_hist(ref: Any, cur: Any) -> dict[str, Any]:
    import numpy as np

    r = np.asarray(ref.dropna(), dtype=float)
    c = np.asarray(cur.dropna(), dtype=float)
    r, c = r[np.isfinite(r)], c[np.isfinite(c)]
    both = np.concatenate([r, c])
    if not len(both):
        return {"edges": [], "reference": [], "current": []}
    lo, hi = float(both.min()), float(both.max())
    edges = np.linspace(lo, hi if hi > lo else lo + 1.0, HIST_BINS + 1)
    return {
        "edges": _rl(edges),
        "reference": np.histogram(r, bins=edges)[0].astype(int).tolist(),
        "current": np.histogram(c, bins=edges)[0].astype(int).tolist(),
    }


def _category_bars(ref: Any, cur: Any, new: Mapping[Any, float], vanished: Mapping[Any, float]) -> dict[str, Any]:
    rc = ref.dropna().astype(str).value_counts()
    cc = cur.dropna().astype(str).value_counts()
    total = rc.add(cc, fill_value=0).sort_values(ascending=False, kind="stable")
    top = [str(k) for k in total.index[:MAX_CATEGORIES]]
    entry: dict[str, Any] = {
        "categories": top,
        "reference": [int(rc.get(k, 0)) for k in top],
        "current": [int(cc.get(k, 0)) for k in top],
        "new": sorted(str(k) for k in new),
        "vanished": sorted(str(k) for k in vanished),
    }
    rest = [k for k in total.index[MAX_CATEGORIES:]]
    if rest:
        entry["categories"].append(f"(other {len(rest)})")
        entry["reference"].append(int(sum(rc.get(k, 0) for k in rest)))
        entry["current"].append(int(sum(cc.get(k, 0) for k in rest)))
    return entry


# ---------------------------------------------------------------------------- keys and the size bound


def add_plot(plots: MutableMapping[str, Any], key: str, summary: Mapping[str, Any], *, limit: int = PLOTS_LIMIT) -> str:
    """Store ``summary`` under ``key`` (``key_2``, ``key_3``... when taken) and keep ``plots`` in bound.

    Returns the key used.
    """
    used, i = key, 1
    while used in plots:
        i += 1
        used = f"{key}_{i}"
    plots[used] = dict(summary)
    fit_plots(plots, limit=limit)
    return used


def plots_size(plots: Mapping[str, Any]) -> int:
    """Characters of ``plots`` as compact JSON."""
    return len(json.dumps(plots, separators=(",", ":"), allow_nan=False))


def fit_plots(plots: MutableMapping[str, Any], *, limit: int = PLOTS_LIMIT) -> None:
    """Shrink ``plots`` in place until it is at most ``limit`` characters of JSON.

    First curves and grids are thinned (halved, up to three times), then the newest summaries
    are replaced by ``{"kind": ..., "omitted": reason}``.
    """
    if limit <= 0:
        raise ValueError(f"fit_plots: limit must be > 0, got {limit!r}")
    for _ in range(3):
        if plots_size(plots) <= limit:
            return
        for key in list(plots):
            plots[key] = _thinned(plots[key])
    for key in reversed(list(plots)):
        if plots_size(plots) <= limit:
            return
        plots[key] = {"kind": plots[key].get("kind"), "omitted": f"summary over the {limit}-character bound"}
    while plots and plots_size(plots) > limit:
        plots.pop(next(reversed(list(plots))))


def _thinned(obj: Any) -> Any:
    """``obj`` with every curve's points and the grid's cells halved."""
    if isinstance(obj, dict):
        if set(obj) == {"x", "y"} and isinstance(obj["x"], list):
            idx = _thin(len(obj["x"]), max(2, len(obj["x"]) // 2))
            return {"x": [obj["x"][i] for i in idx], "y": [obj["y"][i] for i in idx]}
        out = {k: _thinned(v) for k, v in obj.items()}
        if "cells" in out and isinstance(out["cells"], list):
            cells = sorted(out["cells"], key=lambda c: -c[2])
            out["cells"] = cells[: max(1, len(cells) // 2)]
            out["thinned"] = True
        return out
    if isinstance(obj, list):
        return [_thinned(v) for v in obj]
    return obj


def baseline_plots(plots: Mapping[str, Any]) -> dict[str, Any]:
    """What a baseline keeps of a test's summaries: the curves, calibration, confusion and residual histogram.

    The predicted-vs-actual grid, the residual band and drift histograms stay out (the pictures
    draw the baseline only beside curves and distributions of evaluations).
    """
    keep = {"kind", "task", "n", "classes", "confusion", "curves", "operating_point", "calibration",
            "residual_hist", "residual_quantiles"}
    out = {}
    for key, summary in plots.items():
        if isinstance(summary, Mapping) and summary.get("kind") in ("classification", "regression"):
            out[key] = {k: v for k, v in summary.items() if k in keep}
    fit_plots(out)
    return out
