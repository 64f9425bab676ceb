"""How bad-input errors surface: at the user's call, not deep inside this package."""

from __future__ import annotations

from typing import Any


def hide_input_errors(excinfo: Any) -> bool:
    """For ``__tracebackhide__``: hide this frame when a ValueError or TypeError passes through it.

    Those are the errors this package raises for bad input, with a message that names the argument
    and the cause; pytest then points at the line of the user's test that made the call. Any other
    exception keeps every frame. ``pytest --fulltrace`` shows all frames regardless.
    """
    return excinfo is not None and bool(excinfo.errisinstance((ValueError, TypeError)))
