"""pytest-mlgate: model quality gates as ordinary pytest tests.

Importing this package is cheap: numpy, pandas, scipy and scikit-learn load only
when a function that needs them runs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ._context import active_drift_recorder

# Bound eagerly (profile.py imports only the standard library): the function ``profile`` must win
# over the submodule of the same name, which the import system would otherwise set here.
from .profile import Profile, profile

if TYPE_CHECKING:
    from .baseline import Baseline
    from .drift import ColumnDrift, DriftDetected, DriftReport, detect_drift
    from .gates import Gate, MlgateWarning
    from .results import GateResult, MetricRecord, TestResult

__all__ = [
    "Baseline",
    "ColumnDrift",
    "DriftDetected",
    "DriftReport",
    "Gate",
    "GateResult",
    "MetricRecord",
    "MlgateWarning",
    "Profile",
    "TestResult",
    "assert_no_drift",
    "detect_drift",
    "model_regression",
    "model_threshold",
    "profile",
]

_LAZY = {
    "Baseline": "baseline",
    "detect_drift": "drift",
    "DriftReport": "drift",
    "ColumnDrift": "drift",
    "DriftDetected": "drift",
    "Gate": "gates",
    "MlgateWarning": "gates",
    "GateResult": "results",
    "MetricRecord": "results",
    "TestResult": "results",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    if name in ("model_threshold", "model_regression"):
        import pytest

        return getattr(pytest.mark, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def assert_no_drift(reference: Any, current: Any, **kwargs: Any) -> DriftReport:
    """Raise :class:`DriftDetected` (an ``AssertionError``) with a table when ``current`` drifted.

    Keyword arguments as :func:`detect_drift`, plus ``max_drift_share=0.0``. Called inside
    a test that uses the ``mlgate`` fixture, the report is recorded into that test's results.
    """
    __tracebackhide__ = True
    return _checked_drift(reference, current, active_drift_recorder.get(), **kwargs)


def _checked_drift(
    reference: Any, current: Any, record: Callable[..., bool] | None, **kwargs: Any
) -> DriftReport:
    from .drift import DriftDetected
    from .drift import assert_no_drift as check

    __tracebackhide__ = True
    limit = kwargs.get("max_drift_share", 0.0)
    try:
        report = check(reference, current, **kwargs)
    except DriftDetected as exc:
        if record is not None:
            record(exc.report, passed=False, max_drift_share=limit, reference=reference, current=current)
        raise
    if record is not None:
        record(report, passed=True, max_drift_share=limit, reference=reference, current=current)
    return report
