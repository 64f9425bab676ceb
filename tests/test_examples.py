"""The example project, as the Quickstart runs it: green, and a second run trains nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@pytest.mark.slow
@pytest.mark.parametrize("args", [[], ["-n", "2"]], ids=["serial", "xdist"])
def test_a_second_run_of_the_examples_trains_nothing(pytester: pytest.Pytester, args: list[str]) -> None:
    for path in EXAMPLES.iterdir():
        if path.is_file():
            shutil.copy(path, pytester.path / path.name)
    cold = pytester.runpytest_subprocess(*args, "-m", "model", "-p", "no:randomly")
    cold.assert_outcomes(passed=11, warnings=1)
    cold.stdout.fnmatch_lines(["mlgate cache: * from the cache, 7 trained*"])  # each trained once
    warm = pytester.runpytest_subprocess(*args, "-m", "model", "-p", "no:randomly")
    warm.assert_outcomes(passed=11, warnings=1)
    warm.stdout.fnmatch_lines(["mlgate cache: * from the cache, 0 trained; training time saved*"])
