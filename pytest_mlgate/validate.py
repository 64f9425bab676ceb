"""Input checks shared by metrics and drift, with one message shape.

Every error reads ``"<function>: <argument> <cause>"``, followed by ``", first at row N"``
when a row is to blame and ``"; <what to do>"`` when that is not obvious, e.g. ``"evaluate: y_pred has 3 values but y_true has 4"`` or
``"detect_drift: column 'city' in reference holds an unhashable value (list), first at row 3"``.
They are ValueError (bad values) or TypeError (bad types), the errors this package documents
for bad input. numpy is imported inside the functions; nothing here imports pytest or pandas.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from ._errors import hide_input_errors

#: How a missing value is named in messages.
MISSING = "NaN/None"

F = TypeVar("F", bound=Callable[..., Any])


def named_errors(function: str) -> Callable[[F], F]:
    """Decorate a public function so every ValueError/TypeError it raises reads ``"<function>: ..."``.

    Messages raised through :func:`input_error` already do; others (written as ``"<argument>
    <cause>"``, or from a library underneath) get the prefix, keeping their type (ValueError or
    TypeError) and the original as ``__cause__``.
    """
    prefix = f"{function}: "

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            __tracebackhide__ = hide_input_errors
            try:
                return func(*args, **kwargs)
            except (ValueError, TypeError) as exc:
                if str(exc).startswith(prefix):
                    raise
                kind = TypeError if isinstance(exc, TypeError) and not isinstance(exc, ValueError) else ValueError
                raise kind(prefix + str(exc)) from exc

        return wrapper  # type: ignore[return-value]

    return decorate


def input_error(
    function: str,
    argument: str,
    cause: str,
    *,
    row: int | None = None,
    fix: str | None = None,
    error: type[Exception] = ValueError,
) -> Exception:
    """The exception for bad input, in the one message shape (see the module docstring)."""
    where = f", first at row {row}" if row is not None else ""
    advice = f"; {fix}" if fix else ""
    return error(f"{function}: {argument} {cause}{where}{advice}")


def is_missing(value: Any) -> bool:
    """None, NaN, pandas' NA and NaT, numpy's NaT: a value that is not there."""
    if value is None:
        return True
    if isinstance(value, float):
        return value != value
    kind = type(value).__name__
    if kind in ("NAType", "NaTType"):
        return True
    if kind in ("datetime64", "timedelta64") or kind.startswith(("float", "complex")):
        try:
            return bool(value != value)
        except (TypeError, ValueError):
            return False
    return False


def as_1d(function: str, argument: str, values: Any) -> Any:
    """``values`` as a 1-d numpy array (a single column ``(n, 1)`` is flattened).

    pandas' nullable arrays keep their missing values as such (object dtype with None, float
    with NaN), so :func:`check_missing` finds them; ragged nesting, more dimensions and Python
    integers too large for a float are errors naming the argument and the row.
    """
    __tracebackhide__ = hide_input_errors
    import numpy as np

    values = _plain(values)
    try:
        arr = np.asarray(values)
    except ValueError as exc:
        if "inhomogeneous" not in str(exc) and "sequence" not in str(exc):
            raise input_error(function, argument, f"cannot be read as an array: {exc}") from None
        raise _ragged(function, argument, values) from None
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim != 1:
        raise input_error(function, argument, f"must be 1-dimensional, got shape {arr.shape}")
    if arr.dtype.kind == "O":
        _check_objects(function, argument, arr)
    return arr


def _plain(values: Any) -> Any:
    """A pandas Series/array with a nullable (extension) dtype as numpy data, its NA as None/NaN."""
    dtype = getattr(values, "dtype", None)
    to_numpy = getattr(values, "to_numpy", None)
    if dtype is None or to_numpy is None or type(dtype).__module__.startswith("numpy"):
        return values
    has_na = bool(getattr(values, "hasnans", False)) or bool(getattr(values, "_hasna", False))
    kind = getattr(dtype, "kind", "O")
    if kind in "iuf" and has_na:
        return to_numpy(dtype="float64", na_value=float("nan"))
    if has_na or kind not in "iufb":
        return to_numpy(dtype=object, na_value=None)
    return to_numpy()


def _ragged(function: str, argument: str, values: Any) -> Exception:
    """Name the first row whose length differs from the first row's (or that nests where others do not)."""
    rows = list(values) if not isinstance(values, (str, bytes)) else [values]

    def shape(v: Any) -> str:
        if isinstance(v, (str, bytes)) or not hasattr(v, "__len__"):
            return "a single value"
        return f"{len(v)} value{'s' if len(v) != 1 else ''}"

    first = shape(rows[0]) if rows else ""
    for i, v in enumerate(rows):
        if shape(v) != first:
            return input_error(
                function, argument, f"is ragged: row 0 holds {first}, row {i} holds {shape(v)}", row=i,
                fix="give the same number of values in every row",
            )
    return input_error(function, argument, "is ragged: its rows hold sequences of different lengths")


def _check_objects(function: str, argument: str, arr: Any) -> None:
    for i, v in enumerate(arr.tolist()):
        if isinstance(v, (str, bool, float)) or v is None:
            continue
        if isinstance(v, int):
            if abs(v) > 2**63:
                try:
                    float(v)
                except OverflowError:
                    raise input_error(function, argument, "holds a number too large for a float", row=i) from None
            continue
        if isinstance(v, (list, tuple, set, dict)) or hasattr(v, "__len__") and not isinstance(v, bytes):
            raise input_error(
                function, argument, f"holds a {type(v).__name__} where one value per row is expected", row=i,
                error=TypeError,
            )
        _check_hash(function, argument, v, i)


def check_hashable(function: str, argument: str, values: Sequence[Any]) -> None:
    """TypeError naming the first row whose value cannot be a category (a list, a dict, ...)."""
    __tracebackhide__ = hide_input_errors
    for i, v in enumerate(values):
        _check_hash(function, argument, v, i)


def _check_hash(function: str, argument: str, value: Any, row: int) -> None:
    __tracebackhide__ = hide_input_errors
    try:
        hash(value)
    except TypeError:
        raise input_error(
            function, argument, f"holds an unhashable value ({type(value).__name__})", row=row, error=TypeError
        ) from None


def check_missing(function: str, argument: str, arr: Any, *, hint: str | None = "drop or impute them") -> None:
    """ValueError when ``arr`` holds a missing value (NaN, None, pandas NA/NaT), naming the first row."""
    __tracebackhide__ = hide_input_errors
    import numpy as np

    kind = arr.dtype.kind
    if kind in "fc":
        bad = np.isnan(arr)
    elif kind in "mM":
        bad = np.isnat(arr)
    elif kind == "O":
        bad = np.fromiter((is_missing(v) for v in arr.tolist()), dtype=bool, count=len(arr))
    else:
        return
    if bad.any():
        rows = np.flatnonzero(bad)
        raise input_error(
            function, argument, f"contains {len(rows)} missing value(s) ({MISSING})", row=int(rows[0]), fix=hint
        )


def as_float(function: str, argument: str, arr: Any, *, finite: bool = True) -> Any:
    """``arr`` as float64; ValueError naming the first row that is not a number (or, with ``finite``,
    that is NaN or infinite)."""
    __tracebackhide__ = hide_input_errors
    import numpy as np

    try:
        out = np.asarray(arr, dtype=np.float64)
    except (TypeError, ValueError, OverflowError):
        out = None
    if out is None:
        for i, v in enumerate(np.asarray(arr, dtype=object).tolist()):
            try:
                float(v)
            except OverflowError:
                raise input_error(function, argument, "holds a number too large for a float", row=i) from None
            except (TypeError, ValueError):
                raise input_error(function, argument, f"must be numeric, got {v!r}", row=i) from None
        raise input_error(function, argument, "must be numeric")
    if finite:
        bad = ~np.isfinite(out)
        if bad.any():
            rows = np.flatnonzero(bad)
            raise input_error(
                function, argument, f"contains {len(rows)} NaN or infinite value(s)", row=int(rows[0])
            )
    return out


def check_length(function: str, argument: str, n: int, reference: str, n_reference: int, unit: str = "values") -> None:
    """ValueError when ``argument`` has ``n`` items but ``reference`` has ``n_reference``."""
    __tracebackhide__ = hide_input_errors
    if n != n_reference:
        raise input_error(function, argument, f"has {n} {unit} but {reference} has {n_reference}")


def check_not_empty(function: str, argument: str, n: int, what: str = "nothing to evaluate") -> None:
    """ValueError when ``argument`` holds no row."""
    __tracebackhide__ = hide_input_errors
    if n == 0:
        raise input_error(function, argument, f"is empty: {what}")
