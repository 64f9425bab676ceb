"""Hooks that plugins and conftest files implement to extend pytest-mlgate."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    import pytest

    from .metrics import MetricRegistry
    from .results import TestResult

hookspec = pluggy.HookspecMarker("pytest")


@hookspec
def pytest_mlgate_add_metrics(registry: MetricRegistry, config: pytest.Config) -> None:
    """Add metrics to the registry, e.g.
    ``registry.add("top2_accuracy", fn, higher_is_better=True, needs="score")``.

    Called once per session, after every conftest file is loaded and before marker
    arguments are validated, so gates may name the metrics added here.
    """


@hookspec
def pytest_mlgate_test_result(item: pytest.Item, result: TestResult) -> None:
    """Receive one model test's metrics and gate verdicts when its body has been judged.

    Called once per test, in the process that ran it (an xdist worker or the only
    process), e.g. to log the metrics to MLflow. ``result`` must not be modified.
    """
