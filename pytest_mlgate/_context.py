"""Where a drift check made inside a running model test is recorded (set by the plugin per test)."""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar

active_drift_recorder: ContextVar[Callable[..., bool] | None] = ContextVar("mlgate_drift_recorder", default=None)
