"""The names ``pytest_mlgate`` exports, and that importing it stays cheap."""

from __future__ import annotations

import subprocess
import sys

import pytest

import pytest_mlgate


@pytest.mark.parametrize("name", pytest_mlgate.__all__)
def test_every_exported_name_resolves(name: str) -> None:
    assert getattr(pytest_mlgate, name) is not None


def test_exports_are_the_defining_objects() -> None:
    from pytest_mlgate.baseline import Baseline
    from pytest_mlgate.drift import DriftDetected, detect_drift

    assert pytest_mlgate.Baseline is Baseline
    assert pytest_mlgate.detect_drift is detect_drift
    assert issubclass(pytest_mlgate.DriftDetected, AssertionError) and pytest_mlgate.DriftDetected is DriftDetected
    assert pytest_mlgate.model_threshold.name == "model_threshold"


def test_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="has no attribute 'nope'"):
        pytest_mlgate.nope  # noqa: B018


def test_importing_the_package_loads_no_heavy_library() -> None:
    code = (
        "import sys, pytest_mlgate\n"
        "print(sorted(m for m in ('numpy', 'pandas', 'scipy', 'sklearn') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
