"""The typed keys under which the plugin keeps its state on pytest's config and items."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:  # the stash keys' value types, named as strings below
    from .markers import ParsedMarkers  # noqa: F401
    from .options import Settings  # noqa: F401
    from .session import ItemState, MlgateSession  # noqa: F401

settings_key = pytest.StashKey["Settings"]()
session_key = pytest.StashKey["MlgateSession"]()
collected_key = pytest.StashKey["set[str]"]()  # every collected test id, deselected ones too
parsed_key = pytest.StashKey["ParsedMarkers"]()
state_key = pytest.StashKey["ItemState"]()
