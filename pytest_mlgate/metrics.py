"""The metric registry (name, direction, needs) and the evaluation of a model against it.

Nothing here imports pytest. numpy and scikit-learn are imported inside the functions
that need them, so importing this module is cheap.
"""

from __future__ import annotations

import difflib
import inspect
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ._errors import hide_input_errors
from .validate import _plain, as_1d, as_float, check_length, check_missing, check_not_empty, input_error, named_errors

#: The function named in input errors.
_FN = "evaluate"

CLASSIFICATION = "classification"
REGRESSION = "regression"

#: What a metric needs from the model: predicted labels/values, any score, or probabilities.
PRED, SCORE, PROBA = "pred", "score", "proba"

_SLICE = re.compile(r"^(?P<base>.+?)\[(?P<col>[^=\]]+)=(?P<val>.*)\]$")


@dataclass(frozen=True)
class Metric:
    """One registry entry: how to compute a metric and which way is better."""

    name: str
    higher_is_better: bool | None  # None only for a callable passed to evaluate(metrics=...)
    needs: str = PRED
    task: str | None = None  # CLASSIFICATION, REGRESSION, or None for either
    func: Callable[[Prepared], float] | None = field(default=None, compare=False, repr=False)
    builtin: bool = False
    sign: float = 1.0  # -1 for scikit-learn's "neg_*" scorer names
    base: str | None = None  # the built-in metric an alias stands for
    #: False for a statistic the bootstrap cannot bound (``max_error``: every resample's maximum is
    #: at most the sample's, so its "upper bound" is the sample maximum); no interval, and a
    #: ``confidence=`` gate on it is a usage error.
    can_bound: bool = True

    @property
    def canonical(self) -> str:
        """The built-in name this metric computes (``neg_log_loss`` -> ``log_loss``)."""
        return self.base or self.name


@dataclass
class Prepared:
    """Validated arrays for one evaluation; classification labels are coded 0..k-1."""

    task: str  # "binary", "multiclass" or "regression"
    y_true: Any
    y_pred: Any = None
    y_score: Any = None  # binary: 1-d score of class 1; multiclass: (n, k)
    score_is_proba: bool = False
    classes: Any = None
    sample_weight: Any = None
    y_true_raw: Any = None
    y_pred_raw: Any = None

    @property
    def n(self) -> int:
        return int(len(self.y_true))

    @property
    def n_classes(self) -> int | None:
        return None if self.classes is None else len(self.classes)

    def subset(self, mask: Any) -> Prepared:
        def take(a: Any) -> Any:
            return None if a is None else a[mask]

        return Prepared(
            task=self.task, y_true=take(self.y_true), y_pred=take(self.y_pred),
            y_score=take(self.y_score), score_is_proba=self.score_is_proba, classes=self.classes,
            sample_weight=take(self.sample_weight), y_true_raw=take(self.y_true_raw),
            y_pred_raw=take(self.y_pred_raw),
        )


# ---------------------------------------------------------------------------- built-in metrics


def _sk(name: str) -> Any:
    import sklearn.metrics

    return getattr(sklearn.metrics, name)


def _avg(d: Prepared, multiclass: str = "macro") -> dict[str, Any]:
    # multiclass averages run over the labels present in y_true or y_pred, as scikit-learn's do
    if d.task == "binary":
        return {"average": "binary", "pos_label": 1, "zero_division": 0}
    return {"average": multiclass, "zero_division": 0}


def _pred_metric(fn: str, **fixed: Any) -> Callable[[Prepared], float]:
    def compute(d: Prepared) -> float:
        __tracebackhide__ = hide_input_errors
        return float(_sk(fn)(d.y_true, d.y_pred, sample_weight=d.sample_weight, **fixed))

    return compute


def _prf(fn: str, average: str | None) -> Callable[[Prepared], float]:
    def compute(d: Prepared) -> float:
        __tracebackhide__ = hide_input_errors
        kwargs = _avg(d) if average is None else {"average": average, "zero_division": 0}
        return float(_sk(fn)(d.y_true, d.y_pred, sample_weight=d.sample_weight, **kwargs))

    return compute


def _roc_auc(d: Prepared) -> float:
    if d.task == "binary":
        return float(_sk("roc_auc_score")(d.y_true, d.y_score, sample_weight=d.sample_weight))
    return float(
        _sk("roc_auc_score")(
            d.y_true, d.y_score, multi_class="ovr", labels=list(range(d.n_classes or 0)),
            sample_weight=d.sample_weight,
        )
    )


def _average_precision(d: Prepared) -> float:
    if d.task == "binary":
        return float(_sk("average_precision_score")(d.y_true, d.y_score, sample_weight=d.sample_weight))
    from sklearn.preprocessing import label_binarize

    onehot = label_binarize(d.y_true, classes=list(range(d.n_classes or 0)))
    return float(
        _sk("average_precision_score")(onehot, d.y_score, average="macro", sample_weight=d.sample_weight)
    )


def _log_loss(d: Prepared) -> float:
    if d.task == "binary":
        return float(_sk("log_loss")(d.y_true, d.y_score, labels=[0, 1], sample_weight=d.sample_weight))
    return float(
        _sk("log_loss")(d.y_true, d.y_score, labels=list(range(d.n_classes or 0)), sample_weight=d.sample_weight)
    )


def _brier(d: Prepared) -> float:
    if d.task == "binary":
        return float(_sk("brier_score_loss")(d.y_true, d.y_score, sample_weight=d.sample_weight))
    return float(
        _sk("brier_score_loss")(
            d.y_true, d.y_score, labels=list(range(d.n_classes or 0)), sample_weight=d.sample_weight
        )
    )


def _max_error_score(y_true: Any, y_pred: Any, sample_weight: Any = None) -> float:
    import numpy as np

    return float(np.max(np.abs(np.asarray(y_true, float) - np.asarray(y_pred, float))))


#: Regression values are rescaled when their magnitude is outside this range, so that squares
#: and differences neither overflow nor underflow (mse of values near 1e160, r2 near 1e-300).
_SAFE_SCALE = (1e-100, 1e100)


def _regression_metric(fn: str | Callable[..., float], power: int) -> Callable[[Prepared], float]:
    """A regression metric that holds at any scale of the data.

    ``power`` is how the metric scales with the data: 0 for r2, explained variance and mape, 1
    for mae, rmse, median and max error, 2 for mse. Far from 1 the values are divided by their
    largest magnitude ``s`` first and the result multiplied by ``s ** power``; a result a float
    cannot hold (mse of errors near 1e160) is a ValueError, never inf or an OverflowError.
    """

    def compute(d: Prepared) -> float:
        __tracebackhide__ = hide_input_errors
        import numpy as np

        func = _sk(fn) if isinstance(fn, str) else fn
        yt, yp = np.asarray(d.y_true, float), np.asarray(d.y_pred, float)
        scale = float(max(np.max(np.abs(yt), initial=0.0), np.max(np.abs(yp), initial=0.0)))
        if scale == 0.0 or _SAFE_SCALE[0] <= scale <= _SAFE_SCALE[1]:
            return float(func(yt, yp, sample_weight=d.sample_weight))
        value = float(func(yt / scale, yp / scale, sample_weight=d.sample_weight))
        for _ in range(power):
            value *= scale
        if math.isinf(value):
            raise ValueError(
                f"the value is too large for a float (the data are near {scale:.0e}); gate a metric in the "
                "data's own units, such as rmse or mae, or rescale the target"
            )
        return value

    return compute


#: Built-in statistics the bootstrap cannot bound (see :attr:`Metric.can_bound`).
_UNBOUNDED = frozenset({"max_error"})


def _builtin_metrics() -> list[Metric]:
    c, r = CLASSIFICATION, REGRESSION
    items = [
        Metric("accuracy", True, PRED, c, _pred_metric("accuracy_score")),
        Metric("balanced_accuracy", True, PRED, c, _pred_metric("balanced_accuracy_score")),
        Metric("precision", True, PRED, c, _prf("precision_score", None)),
        Metric("recall", True, PRED, c, _prf("recall_score", None)),
        Metric("f1", True, PRED, c, _prf("f1_score", None)),
        Metric("f1_macro", True, PRED, c, _prf("f1_score", "macro")),
        Metric("f1_micro", True, PRED, c, _prf("f1_score", "micro")),
        Metric("f1_weighted", True, PRED, c, _prf("f1_score", "weighted")),
        Metric("precision_macro", True, PRED, c, _prf("precision_score", "macro")),
        Metric("recall_macro", True, PRED, c, _prf("recall_score", "macro")),
        Metric("roc_auc", True, SCORE, c, _roc_auc),
        Metric("average_precision", True, SCORE, c, _average_precision),
        Metric("log_loss", False, PROBA, c, _log_loss),
        Metric("brier_score", False, PROBA, c, _brier),
        Metric("matthews_corrcoef", True, PRED, c, _pred_metric("matthews_corrcoef")),
        Metric("cohen_kappa", True, PRED, c, _pred_metric("cohen_kappa_score")),
        Metric("r2", True, PRED, r, _regression_metric("r2_score", 0)),
        Metric("explained_variance", True, PRED, r, _regression_metric("explained_variance_score", 0)),
        Metric("mae", False, PRED, r, _regression_metric("mean_absolute_error", 1)),
        Metric("mse", False, PRED, r, _regression_metric("mean_squared_error", 2)),
        Metric("rmse", False, PRED, r, _regression_metric("root_mean_squared_error", 1)),
        Metric("mape", False, PRED, r, _regression_metric("mean_absolute_percentage_error", 0)),
        Metric("median_ae", False, PRED, r, _regression_metric("median_absolute_error", 1)),
        Metric("max_error", False, PRED, r, _regression_metric(_max_error_score, 1)),
    ]
    out = [
        Metric(m.name, m.higher_is_better, m.needs, m.task, m.func, builtin=True, can_bound=m.name not in _UNBOUNDED)
        for m in items
    ]
    # scikit-learn scorer names: the scorer's value, so always higher is better.
    by_name = {m.name: m for m in out}
    aliases = {
        "neg_log_loss": "log_loss", "neg_brier_score": "brier_score",
        "neg_mean_absolute_error": "mae", "neg_mean_squared_error": "mse",
        "neg_root_mean_squared_error": "rmse", "neg_mean_absolute_percentage_error": "mape",
        "neg_median_absolute_error": "median_ae", "neg_max_error": "max_error",
    }
    for alias, target in aliases.items():
        t = by_name[target]
        out.append(
            Metric(alias, True, t.needs, t.task, t.func, builtin=True, sign=-1.0, base=target, can_bound=t.can_bound)
        )
    t = by_name["roc_auc"]
    out.append(Metric("roc_auc_ovr", True, t.needs, t.task, t.func, builtin=True, base="roc_auc"))
    return out


class MetricRegistry:
    """Every metric a gate or ``evaluate`` can name, with its direction and needs."""

    def __init__(self, metrics: Iterable[Metric] = ()) -> None:
        self._metrics: dict[str, Metric] = {}
        self._origins: dict[str, str] = {}
        for m in metrics:
            self._metrics[m.name] = m

    @classmethod
    def default(cls) -> MetricRegistry:
        return cls(_builtin_metrics())

    def add(
        self,
        name: str,
        func: Callable[..., float],
        *,
        higher_is_better: bool,
        needs: str = PRED,
        task: str | None = None,
        replace: bool = False,
    ) -> None:
        """Register ``func(y_true, y_pred_or_score[, sample_weight=...]) -> float`` under ``name``.

        A name that already exists is an error naming both definitions; ``replace=True`` means it.
        """
        __tracebackhide__ = hide_input_errors
        if not isinstance(name, str) or not name.isidentifier():
            raise ValueError(f"metric name {name!r} must be a Python identifier")
        if not callable(func):
            raise TypeError(f"metric {name!r}: func must be callable, got {type(func).__name__}")
        if not isinstance(higher_is_better, bool):
            raise TypeError(f"metric {name!r}: higher_is_better must be True or False")
        if needs not in (PRED, SCORE, PROBA):
            raise ValueError(f"metric {name!r}: needs must be 'pred', 'score' or 'proba', got {needs!r}")
        existing = self.get(name)
        if existing is not None and not replace:
            if existing.builtin:
                before = f"built into pytest-mlgate, {'higher' if existing.higher_is_better else 'lower'} is better"
            else:
                before = f"registered by {self._origins[name]}" if name in self._origins else "a scikit-learn scorer"
            raise ValueError(
                f"metric {name!r} is already defined ({before}); registering it again with {_where(func)} "
                "would replace it: pick another name, or pass replace=True to mean it"
            )
        self._metrics[name] = Metric(name, higher_is_better, needs, task, _wrap_user(name, func, needs))
        self._origins[name] = _where(func)

    def tasks(self) -> dict[str, str]:
        """Each registered metric's task (classification or regression), where it has one."""
        return {name: m.task for name, m in self._metrics.items() if m.task is not None}

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.get(name) is not None

    def get(self, name: str) -> Metric | None:
        """The metric ``name``: registered, or any other scikit-learn scorer name; None if neither."""
        if name not in self._metrics:
            scorer = _scorer_metric(name)
            if scorer is None:
                return None
            self._metrics[name] = scorer
        return self._metrics[name]

    def __getitem__(self, name: str) -> Metric:
        return self._metrics[name]

    def names(self) -> list[str]:
        return sorted(self._metrics)

    def lookup(self, name: str) -> Metric:
        """The metric ``name``, or a ValueError with the closest registered names."""
        __tracebackhide__ = hide_input_errors
        metric = self.get(name)
        if metric is not None:
            return metric
        close = difflib.get_close_matches(name, list(self._metrics), n=3, cutoff=0.6)
        hint = f"; did you mean {' or '.join(map(repr, close))}?" if close else ""
        raise ValueError(f"unknown metric {name!r}{hint} (known: {', '.join(self.names())})")

    def can_bound(self, name: str) -> bool:
        """False when ``name`` (a slice, ``_gap`` or prefixed name too) is a statistic with no sound interval.

        ``max_error`` (and its scorer alias) is the only built-in one; unknown names are True (a
        callable's interval is the bootstrap's).  For ``gates.parse_gate(can_bound=...)``.
        """
        m = _SLICE.match(name)
        if m:
            name = m.group("base")
        if name.endswith("_gap") and name not in self._metrics:
            name = name[: -len("_gap")]
        metric = self._metrics.get(name) or (self.get(name) if name else None)
        if metric is not None:
            return metric.can_bound
        parts = name.split("_")
        for i in range(1, len(parts)):
            found = self.get("_".join(parts[i:]))
            if found is not None:
                return found.can_bound
        return True

    def known_direction(self, name: str) -> bool | None:
        """The direction of a registry metric named exactly (or its slice or ``_gap``), else None.

        Unlike :meth:`direction` it guesses nothing from prefixes: a name the user made up
        (``error_rate``) has no known direction to contradict.
        """
        base = split_slice_name(name)[0]
        if base.endswith("_gap") and base not in self._metrics:
            return False if self.known_direction(base[: -len("_gap")]) is not None else None
        metric = self._metrics.get(base)
        return None if metric is None else metric.higher_is_better

    def direction(self, name: str) -> bool | None:
        """True when higher is better, False when lower is, None when unknown.

        Understands slice names (``accuracy[sex=F]``), ``<metric>_gap`` and prefixes
        such as ``train_accuracy``.
        """
        m = _SLICE.match(name)
        if m:
            name = m.group("base")
        if name in self._metrics:
            return self._metrics[name].higher_is_better
        if name.endswith("_gap") and self.direction(name[: -len("_gap")]) is not None:
            return False
        metric = self.get(name)  # a scikit-learn scorer name: higher is better
        if metric is not None:
            return metric.higher_is_better
        parts = name.split("_")
        for i in range(1, len(parts)):  # a prefix such as train_: the rest is a registry or scorer name
            found = self.get("_".join(parts[i:]))
            if found is not None:
                return found.higher_is_better
        return None


def _scorer_metric(name: str) -> Metric | None:
    """A scikit-learn scorer name as a metric computed from the predictions we already have."""
    if not name or name.startswith("_"):
        return None
    from sklearn.metrics import get_scorer, get_scorer_names

    if name not in get_scorer_names():
        return None
    scorer = get_scorer(name)
    func = getattr(scorer, "_score_func", None)
    if func is None:
        return None
    sign = float(getattr(scorer, "_sign", 1))
    kwargs = dict(getattr(scorer, "_kwargs", {}))
    response = getattr(scorer, "_response_method", "predict")
    response = (response,) if isinstance(response, str) else tuple(response)
    needs = PRED if response == ("predict",) else PROBA if response == ("predict_proba",) else SCORE
    takes_weight = _accepts(func, "sample_weight")

    def compute(d: Prepared) -> float:
        __tracebackhide__ = hide_input_errors
        second = d.y_pred if needs == PRED else d.y_score
        extra = {"sample_weight": d.sample_weight} if takes_weight and d.sample_weight is not None else {}
        return sign * float(func(d.y_true, second, **kwargs, **extra))

    return Metric(name, True, needs, None, compute)


def _wrap_user(name: str, func: Callable[..., float], needs: str) -> Callable[[Prepared], float]:
    """A user's ``func(y_true, y_pred_or_score[, sample_weight=])`` on the original labels."""
    __tracebackhide__ = hide_input_errors
    takes_weight = _accepts(func, "sample_weight")

    def compute(d: Prepared) -> float:
        __tracebackhide__ = hide_input_errors
        y_true = d.y_true_raw if d.y_true_raw is not None else d.y_true
        second = d.y_pred_raw if needs == PRED and d.y_pred_raw is not None else (
            d.y_pred if needs == PRED else d.y_score
        )
        extra = {"sample_weight": d.sample_weight} if takes_weight and d.sample_weight is not None else {}
        try:
            return float(func(y_true, second, **extra))
        except ValueError:
            raise  # compute_metric names the metric
        except Exception as exc:  # whatever the user's function raised: reported with the metric's name
            raise ValueError(f"custom metric raised {type(exc).__name__}: {exc}") from exc

    return compute


def _where(func: Callable[..., Any]) -> str:
    """``top2 at conftest.py:12``: where a metric function is defined, as precisely as known."""
    code = getattr(func, "__code__", None)
    name = getattr(func, "__qualname__", None) or type(func).__name__
    if code is None:
        return name
    import os

    return f"{name} at {os.path.basename(code.co_filename)}:{code.co_firstlineno}"


def _accepts(func: Callable[..., Any], name: str) -> bool:
    try:
        params = inspect.signature(func).parameters
    except (TypeError, ValueError):
        return False
    return name in params or any(p.kind is p.VAR_KEYWORD for p in params.values())


def split_slice_name(name: str) -> tuple[str, str | None, str | None]:
    """``"accuracy[sex=F]"`` -> ``("accuracy", "sex", "F")``; other names -> ``(name, None, None)``."""
    m = _SLICE.match(name)
    if not m:
        return name, None, None
    return m.group("base"), m.group("col"), m.group("val")


# ---------------------------------------------------------------------------- evaluation


DEFAULT_CLASSIFICATION = ("accuracy", "balanced_accuracy", "f1", "roc_auc")
DEFAULT_REGRESSION = ("r2", "mae", "rmse")


@dataclass
class Evaluation:
    """What one ``evaluate`` call computed."""

    values: dict[str, float]
    n: dict[str, int]
    prepared: Prepared
    metrics: dict[str, Metric]  # metrics computed on the whole input (custom callables too), by recorded name
    slices: dict[str, tuple[str, str, Any]] = field(default_factory=dict)  # recorded name -> (base, col, mask)


def _nrows(a: Any) -> int:
    shape = getattr(a, "shape", None)
    if shape is not None:
        return int(shape[0]) if len(shape) else 0
    return len(a)


def _to_1d(name: str, a: Any) -> Any:
    __tracebackhide__ = hide_input_errors
    return as_1d(_FN, name, a)


def _task_of_model(model: Any) -> str | None:
    from sklearn.base import BaseEstimator, is_classifier, is_regressor

    # Only estimators carry scikit-learn's tags; asking about any other object makes some versions
    # warn (1.6, 1.7) or raise. Others say it with the old attribute, or are duck-typed below.
    if isinstance(model, BaseEstimator) or hasattr(model, "__sklearn_tags__"):
        try:
            if is_classifier(model):
                return CLASSIFICATION
            if is_regressor(model):
                return REGRESSION
        except (AttributeError, TypeError):
            pass
    kind = getattr(model, "_estimator_type", None)
    if kind in ("classifier", "regressor"):
        return CLASSIFICATION if kind == "classifier" else REGRESSION
    if hasattr(model, "predict_proba") or hasattr(model, "classes_"):
        return CLASSIFICATION
    return None


def _task_of_values(y: Any, pred: Any) -> str:
    """Classification or regression, from the target and (when given) the predictions."""
    __tracebackhide__ = hide_input_errors
    import numpy as np
    from sklearn.utils.multiclass import type_of_target

    kinds = []
    for values in (y, pred):
        if values is None:
            continue
        try:
            kinds.append(type_of_target(np.asarray(values)))
        except ValueError:
            kinds.append("unknown")
    if "continuous" in kinds:
        return REGRESSION
    arr = np.asarray(y)
    if arr.dtype.kind == "f" and len(np.unique(arr)) > max(20, len(arr) // 2):
        return REGRESSION  # whole-number floats with this many values are a quantity, not labels
    if kinds and kinds[0] in ("binary", "multiclass"):
        return CLASSIFICATION
    raise ValueError(f"y: cannot tell classification from regression for a target of type {kinds[0]!r}")


def resolve_metrics(
    registry: MetricRegistry, metrics: Sequence[Any] | Mapping[str, Any] | str | None
) -> tuple[list[str], list[Metric]]:
    """Split ``metrics`` into registry names and custom callables (as metrics); unknown names raise."""
    __tracebackhide__ = hide_input_errors
    if metrics is None:
        return [], []
    if isinstance(metrics, (str, Mapping)):
        metrics = [metrics]
    names: list[str] = []
    custom: list[Metric] = []
    for item in metrics:
        if isinstance(item, Mapping):
            for key, fn in item.items():
                if not callable(fn):
                    raise TypeError(f"metrics[{key!r}] must be a callable(y_true, y_pred), got {type(fn).__name__}")
                custom.append(Metric(str(key), None, PRED, None, _wrap_user(str(key), fn, PRED)))
        elif isinstance(item, str):
            registry.lookup(item)
            names.append(item)
        else:
            raise TypeError(f"metrics entries must be metric names or {{name: callable}}, got {item!r}")
    return names, custom


@named_errors(_FN)
def evaluate(
    registry: MetricRegistry,
    model: Any = None,
    X: Any = None,
    y: Any = None,
    *,
    metrics: Sequence[str] | Mapping[str, Any] | str | None = None,
    requested: Sequence[str] = (),
    sample_weight: Any = None,
    y_true: Any = None,
    y_pred: Any = None,
    y_score: Any = None,
    slice_by: Any = None,
    labels: Any = None,
) -> Evaluation:
    """Predict once per output kind and compute each metric once.

    ``requested`` are registry names the markers gate on; used when ``metrics`` is None (those
    that do not fit the task are left out). ``labels`` are the classes in the column order of
    ``y_score`` when the predictions were made elsewhere (default: the labels seen).
    """
    __tracebackhide__ = hide_input_errors
    import numpy as np

    names, custom = resolve_metrics(registry, metrics)
    if metrics is not None and not names and not custom:
        raise ValueError(
            f"metrics={metrics!r} names no metric; pass metrics=None for the markers' metrics or the task's "
            "default set"
        )
    if metrics is None:
        names = [n for n in dict.fromkeys(requested) if registry.get(n) is not None]

    # ---- inputs
    if model is not None:
        if y_true is not None or y_pred is not None or y_score is not None:
            raise ValueError("pass either model, X, y or y_true=/y_pred=/y_score=, not both")
        if X is None or y is None:
            missing = "X" if X is None else "y"
            raise ValueError(f"{missing} is missing (evaluate(model, X, y) needs all three)")
        if not hasattr(model, "predict"):
            raise TypeError(f"model must have a predict method, got {type(model).__name__}")
        truth = y
    else:
        if X is not None:
            raise ValueError("X was given without a model")
        truth = y_true if y_true is not None else y
        if truth is None:
            raise ValueError("y_true is missing (pass model, X, y or y_true=, y_pred=/y_score=)")
        if y_pred is None and y_score is None:
            raise ValueError("y_pred= and/or y_score= must be given with y_true=")
    y_name = "y" if model is not None else "y_true"
    y_arr = _to_1d(y_name, truth)
    n = len(y_arr)
    check_not_empty(_FN, y_name, n)
    _check_missing(y_name, y_arr)
    if model is None and y_pred is not None:
        y_pred = _to_1d("y_pred", y_pred)
        check_length(_FN, "y_pred", len(y_pred), "y_true", n)
        _check_missing("y_pred", y_pred)
    if model is not None:
        check_length(_FN, "X", _nrows(X), "y", n, unit="rows")
    weight = None
    if sample_weight is not None:
        weight = as_float(_FN, "sample_weight", _to_1d("sample_weight", sample_weight))
        check_length(_FN, "sample_weight", len(weight), y_name, n)
        if np.any(weight < 0):
            raise input_error(_FN, "sample_weight", "must be non-negative", row=int(np.flatnonzero(weight < 0)[0]))

    # ---- task
    task = _task_of_model(model) if model is not None else None
    pred = None
    if model is not None and task is None:  # not a scikit-learn estimator: its predictions tell
        pred = _predict(model, X, n)
    candidates = [registry[nm] for nm in names]
    kinds = {m.task for m in candidates if m.task}
    if task is None:
        task = kinds.pop() if len(kinds) == 1 else _task_of_values(y_arr, pred if model is not None else y_pred)
    if metrics is None:
        names = [m.name for m in candidates if m.task in (None, task)]  # markers may name both kinds
    else:
        for m in candidates:
            if m.task and m.task != task:
                raise ValueError(f"metric {m.name!r} is a {m.task} metric, but this is a {task} task")
    defaulted = not names and not custom
    if defaulted:
        if model is None and y_pred is None:
            names = ["roc_auc"] if task == CLASSIFICATION else []  # scores alone
            if not names:
                raise ValueError("regression metrics need y_pred, which was not given")
        else:
            names = list(DEFAULT_CLASSIFICATION if task == CLASSIFICATION else DEFAULT_REGRESSION)
            if task == CLASSIFICATION and not _has_usable_scores(model, y_score):
                names.remove("roc_auc")  # the default set has roc_auc only where scores exist
    wanted = [registry[nm] for nm in names]
    needs = {m.needs for m in wanted}

    # ---- predictions, once per kind
    score_is_proba = False
    if model is not None:
        if pred is None:
            pred = _predict(model, X, n)
        score = None
        if task == CLASSIFICATION and (needs & {SCORE, PROBA}):
            if hasattr(model, "predict_proba"):
                score = np.asarray(model.predict_proba(X), dtype=float)
                score_is_proba = True
            elif PROBA in needs:
                bad = [m.name for m in wanted if m.needs == PROBA]
                raise ValueError(
                    f"{', '.join(bad)} {_verb(bad)} predicted probabilities, but {type(model).__name__} has no predict_proba"
                )
            elif hasattr(model, "decision_function"):
                score = np.asarray(model.decision_function(X), dtype=float)
            else:
                bad = [m.name for m in wanted if m.needs != PRED]
                raise ValueError(
                    f"{', '.join(bad)} {_verb(bad)} scores, but {type(model).__name__} has neither predict_proba "
                    "nor decision_function"
                )
    else:
        pred = None if y_pred is None else _to_1d("y_pred", y_pred)
        score = None if y_score is None else _scores(y_score)
        if score is not None and (score.ndim not in (1, 2) or score.shape[0] != n):
            raise input_error(
                _FN, "y_score", f"must have {n} rows (1-d, or 2-d with one column per class), got shape {score.shape}"
            )
        if score is not None and score.ndim == 2:
            score_is_proba = bool(np.allclose(score.sum(axis=1), 1.0, atol=1e-6) and np.all(score >= 0))
        elif score is not None:
            score_is_proba = bool(np.all((score >= 0) & (score <= 1)))
        if pred is None and (PRED in needs or custom):
            bad = [m.name for m in wanted if m.needs == PRED] + [m.name for m in custom]
            raise ValueError(f"{', '.join(bad)} {_verb(bad)} y_pred, which was not given")
        if score is None and needs & {SCORE, PROBA}:
            bad = [m.name for m in wanted if m.needs != PRED]
            raise ValueError(f"{', '.join(bad)} {_verb(bad)} y_score, which was not given")

    # ---- encode labels
    if task == CLASSIFICATION:
        classes = getattr(model, "classes_", None) if model is not None else None
        if classes is None and labels is not None:
            classes = _to_1d("labels", labels)
            if len(set(classes.tolist())) != len(classes):
                raise ValueError(f"labels must be distinct, got {classes.tolist()!r}")
        if classes is None:
            parts = [y_arr] + ([pred] if pred is not None else [])
            classes = np.unique(np.concatenate([np.asarray(p, dtype=object) for p in parts]).astype(str)) \
                if _mixed(parts) else np.unique(np.concatenate(parts))
            if score is not None and score.ndim == 2 and score.shape[1] != max(len(classes), 2):
                raise ValueError(
                    f"y_score has {score.shape[1]} columns but y_true and y_pred hold {len(classes)} classes "
                    f"{classes.tolist()!r}; pass labels= with every class, in y_score's column order"
                )
        classes = np.asarray(classes)
        if len(classes) < 2:
            only = classes[0].item() if hasattr(classes[0], "item") else classes[0]
            raise ValueError(f"{y_name} has a single class ({only!r}): classification metrics need at least two")
        codes_true = _encode("y" if model is not None else "y_true", y_arr, classes)
        codes_pred = None if pred is None else _encode(
            "model.predict(X)" if model is not None else "y_pred", pred, classes
        )
        task_kind = "binary" if len(classes) == 2 else "multiclass"
        if score is not None:
            if task_kind == "binary":
                if score.ndim == 2:
                    if score.shape[1] != 2:
                        raise ValueError(f"y_score has {score.shape[1]} columns for 2 classes")
                    score = score[:, 1]
            else:
                if score.ndim != 2 or score.shape[1] != len(classes):
                    raise ValueError(
                        f"multiclass scores need one column per class ({len(classes)}), got shape {score.shape}"
                    )
            bad_rows = np.flatnonzero(~np.isfinite(score.reshape(len(score), -1)).all(axis=1))
            if bad_rows.size:
                raise input_error(
                    _FN, "y_score" if model is None else "the model's scores",
                    f"contains NaN or infinite values in {bad_rows.size} row(s)", row=int(bad_rows[0]),
                )
            if not score_is_proba and PROBA in needs:
                bad = [m.name for m in wanted if m.needs == PROBA]
                raise ValueError(
                    f"{', '.join(bad)} {_verb(bad)} probabilities, and y_score holds none (values in [0, 1] "
                    "and, with one column per class, rows that sum to 1)"
                )
            if task_kind == "multiclass" and not score_is_proba and any(m.name.startswith("roc_auc") for m in wanted):
                if not defaulted:
                    raise ValueError(
                        "roc_auc for more than two classes needs probabilities (predict_proba, or a y_score "
                        "whose rows are non-negative and sum to 1)"
                    )
                wanted = [m for m in wanted if not m.name.startswith("roc_auc")]  # as for a model without them
                if not wanted and not custom:
                    raise ValueError(
                        "roc_auc, the default with scores alone, needs probabilities for more than two classes "
                        "(rows of y_score non-negative and summing to 1); pass y_pred= or metrics="
                    )
        prepared = Prepared(
            task=task_kind, y_true=codes_true, y_pred=codes_pred, y_score=score,
            score_is_proba=score_is_proba, classes=classes, sample_weight=weight,
            y_true_raw=y_arr, y_pred_raw=pred,
        )
    else:
        yt = as_float(_FN, y_name, y_arr)
        yp = None if pred is None else as_float(_FN, "model.predict(X)" if model is not None else "y_pred", pred)
        prepared = Prepared(task=REGRESSION, y_true=yt, y_pred=yp, sample_weight=weight, y_true_raw=yt, y_pred_raw=yp)

    # ---- compute
    values: dict[str, float] = {}
    counts: dict[str, int] = {}
    computed: dict[str, Metric] = {}
    for m in wanted + custom:
        values[m.name] = compute_metric(m, prepared)
        counts[m.name] = n
        computed[m.name] = m
    ev = Evaluation(values=values, n=counts, prepared=prepared, metrics=computed)
    if slice_by is not None:
        _add_slices(ev, slice_by, X, n)
    return ev


def _predict(model: Any, X: Any, n: int) -> Any:
    __tracebackhide__ = hide_input_errors
    pred = _to_1d("model.predict(X)", model.predict(X))
    check_length(_FN, "model.predict(X)", len(pred), "X", n, unit="values")
    _check_missing("model.predict(X)", pred)
    return pred


def _check_missing(name: str, values: Any) -> None:
    """Labels and targets must all be present: NaN, None or pandas' NA is an error naming the input."""
    __tracebackhide__ = hide_input_errors
    check_missing(_FN, name, values, hint="drop or impute them before evaluating")


def _scores(y_score: Any) -> Any:
    """``y_score`` (1-d, or 2-d with one column per class) as floats; errors name the row."""
    __tracebackhide__ = hide_input_errors
    import numpy as np

    data = _plain(y_score)
    try:
        arr = np.asarray(data)
    except ValueError:
        return as_1d(_FN, "y_score", data)  # ragged: raises, naming the row
    if arr.dtype.kind in "iufb" or arr.ndim not in (1, 2):
        return arr.astype(float)
    columns = [arr] if arr.ndim == 1 else [arr[:, j] for j in range(arr.shape[1])]
    floats = [as_float(_FN, "y_score", column, finite=False) for column in columns]  # names a bad row
    return floats[0] if arr.ndim == 1 else np.column_stack(floats)


def _has_usable_scores(model: Any, y_score: Any) -> bool:
    if model is None:
        return y_score is not None
    if hasattr(model, "predict_proba"):
        return True
    classes = getattr(model, "classes_", None)
    return hasattr(model, "decision_function") and classes is not None and len(classes) == 2


def _mixed(parts: list[Any]) -> bool:
    kinds = {p.dtype.kind for p in parts}
    return len(kinds) > 1 and not kinds <= {"i", "u", "f", "b"}


def _encode(name: str, values: Any, classes: Any) -> Any:
    __tracebackhide__ = hide_input_errors
    import numpy as np

    values = np.asarray(values)
    lookup = {c.item() if hasattr(c, "item") else c: i for i, c in enumerate(classes.tolist())}
    try:
        return np.fromiter((lookup[v] for v in values.tolist()), dtype=np.intp, count=len(values))
    except KeyError as exc:
        raise ValueError(
            f"{name} holds label {exc.args[0]!r}, which is not one of the classes {classes.tolist()!r}"
        ) from None
    except TypeError:
        raise ValueError(f"{name} holds unhashable labels") from None


def compute_metric(metric: Metric, d: Prepared) -> float:
    __tracebackhide__ = hide_input_errors
    assert metric.func is not None
    try:
        value = metric.func(d)
    except ValueError as exc:
        # e.g. roc_auc on a slice with one class: undefined, recorded as NaN so a gate fails closed
        if "only one class" in str(exc) or "Only one class" in str(exc):
            return float("nan")
        raise ValueError(f"metric {metric.name!r}: {exc}") from exc
    return metric.sign * value


def slice_label(value: Any) -> str:
    """How a slice value appears inside a metric name."""
    try:
        missing = value is None or bool(value != value)  # NaN, NaT
    except TypeError:  # pd.NA: its comparisons are NA, whatever dtype held it
        missing = True
    if missing:
        return "nan"  # one name for a missing value, so a dtype change renames no baseline entry
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


#: More distinct slice values than this get a warning that suggests binning the column.
MAX_SLICES_WITHOUT_WARNING = 100


def _add_slices(ev: Evaluation, slice_by: Any, X: Any, n: int) -> None:
    __tracebackhide__ = hide_input_errors
    import numpy as np

    if isinstance(slice_by, str):
        columns = getattr(X, "columns", None)
        if columns is None:
            raise ValueError(f"slice_by={slice_by!r} names a column, but X is not a DataFrame")
        if slice_by not in columns:
            raise ValueError(f"slice_by={slice_by!r}: X has no such column (columns: {list(columns)[:20]})")
        col_name = slice_by
        keys = X[slice_by].to_numpy()
    else:
        col_name = str(getattr(slice_by, "name", None) or "slice")
        keys = np.asarray(slice_by)
        if keys.ndim != 1 or len(keys) != n:
            raise ValueError(f"slice_by must be a column name or an array of {n} values, got shape {keys.shape}")
    labels = np.array([slice_label(v) for v in keys.tolist()], dtype=object)
    order = sorted(set(labels.tolist()))
    if len(order) > MAX_SLICES_WITHOUT_WARNING:
        import warnings

        from .gates import MlgateWarning

        warnings.warn(MlgateWarning(
            f"slice_by={col_name!r} has {len(order)} distinct values, so most slices are too small to judge; "
            f"bin it first, e.g. slice_by=pandas.cut(X[{col_name!r}], bins=5) or pandas.qcut(..., q=5)"
        ), stacklevel=3)
    base_names = list(ev.metrics)
    per_base: dict[str, list[float]] = {b: [] for b in base_names}
    for value in order:
        mask = labels == value
        sub = ev.prepared.subset(mask)
        size = int(mask.sum())
        for base in base_names:
            name = f"{base}[{col_name}={value}]"
            v = compute_metric(ev.metrics[base], sub)
            ev.values[name] = v
            ev.n[name] = size
            ev.slices[name] = (base, col_name, mask)
            per_base[base].append(v)
    for base, vals in per_base.items():
        finite = [v for v in vals if v == v]
        gap = max(finite) - min(finite) if len(finite) == len(vals) and vals else float("nan")
        ev.values[f"{base}_gap"] = float(gap)
        ev.n[f"{base}_gap"] = n


def _verb(names: list[str]) -> str:
    """'needs' after one metric name, 'need' after several."""
    return "needs" if len(names) == 1 else "need"
