"""``model_seeds``: the body runs once per seed, and every gate judges the replicates together."""

from __future__ import annotations

import json
import math

import pytest

from pytest_mlgate.replicates import combine, judged_value, mean_bound_interval, parse_seeds
from pytest_mlgate.results import MetricRecord

SEEDED = """
import pytest

SEEN = []

@pytest.mark.model_seeds(5)
@pytest.mark.model_threshold(accuracy={threshold})
def test_seeded(mlgate):
    SEEN.append(mlgate.seed)
    # each replicate gets its own seed and rng: the "trained" accuracy varies with it
    mlgate.record(accuracy=0.9 + 0.02 * float(mlgate.rng.random()))
"""


def test_each_replicate_has_its_own_seed_and_the_worst_is_judged(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_s=SEEDED.format(threshold=0.9))
    result = pytester.runpytest("--mlgate-json=r.json")
    result.assert_outcomes(passed=1)
    test = json.loads((pytester.path / "r.json").read_text())["tests"][0]
    seeds = [r["seed"] for r in test["replicates"]]
    assert len(seeds) == 5 == len(set(seeds))
    values = [r["metrics"]["accuracy"] for r in test["replicates"]]
    assert test["metrics"]["accuracy"]["value"] == pytest.approx(sum(values) / 5)
    gate = test["gates"][0]
    assert gate["judged"] == min(values) and "the worst of 5 seeds" in gate["message"]
    pytester.runpytest("--mlgate-json=r2.json")  # seeds derive from the base seed and the test id
    test2 = json.loads((pytester.path / "r2.json").read_text())["tests"][0]
    assert [r["seed"] for r in test2["replicates"]] == seeds


VALUES = """
import pytest

RUNS = []

@pytest.mark.model_seeds(5)
@pytest.mark.model_threshold(accuracy=0.9{confidence})
def test_one_weak_seed(mlgate):
    RUNS.append(mlgate.seed)
    mlgate.record(accuracy=[0.95, 0.94, 0.96, 0.95, 0.89][len(RUNS) - 1])
"""


def test_a_gate_the_mean_passes_fails_on_the_worst_replicate(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_s=VALUES.format(confidence=""))
    result = pytester.runpytest("-rf")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*accuracy = 0.89 fails >= 0.9 (the worst of 5 seeds: mean 0.938, sd *"])


def test_confidence_judges_the_bound_of_the_mean(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_s=VALUES.format(confidence=", confidence=0.95"))
    result = pytester.runpytest("--mlgate-json=r.json")
    result.assert_outcomes(passed=1)  # the mean's lower 95% bound, 0.912, clears 0.9
    gate = json.loads((pytester.path / "r.json").read_text())["tests"][0]["gates"][0]
    lo, _ = mean_bound_interval([0.95, 0.94, 0.96, 0.95, 0.89], 0.95)
    assert gate["judged"] == pytest.approx(lo) and lo == pytest.approx(0.9116, abs=1e-3)
    assert "the bound of the mean across 5 seeds" in gate["message"]


def test_a_replicate_that_raises_fails_the_test_naming_its_seed(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_s="""
        import pytest

        @pytest.mark.model_seeds(3)
        def test_breaks(mlgate):
            mlgate.record(accuracy=0.9)
            if len(mlgate.metrics) and mlgate.seed % 3 != 7:
                raise RuntimeError("diverged")
    """)
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*mlgate: replicate 1 of 3 (mlgate.seed *) raised RuntimeError: diverged*"])


@pytest.mark.parametrize("arg", ["0", "'5'", "True", "10**6", "2, 3"])
def test_bad_model_seeds_arguments_are_usage_errors(pytester: pytest.Pytester, arg: str) -> None:
    pytester.makepyfile(f"""
        import pytest

        @pytest.mark.model_seeds({arg})
        def test_x(mlgate):
            pass
    """)
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*model_seeds*"])


def test_seeds_run_under_xdist_and_baselines_store_the_mean(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_s=SEEDED.format(threshold=0.5))
    pytester.runpytest("-n", "2", "--mlgate-save-baseline").assert_outcomes(passed=1)
    stored = json.loads((pytester.path / "mlgate-baseline.json").read_text())["tests"]["test_s.py::test_seeded"]
    assert 0.9 <= stored["accuracy"]["value"] <= 0.92


def test_combine_and_worst() -> None:
    reps = [{"a": MetricRecord("a", 0.9, True)}, {"a": MetricRecord("a", 0.8, True), "b": MetricRecord("b", 1.0)}]
    combined = combine(reps)
    assert combined["a"].value == pytest.approx(0.85) and combined["a"].replicates == (0.9, 0.8)
    assert math.isnan(combined["b"].value)  # missing in one replicate: a gate on it fails closed
    assert judged_value([0.9, 0.8], higher_is_better=True) == 0.8
    assert judged_value([0.9, 0.8], higher_is_better=False) == 0.9
    assert mean_bound_interval([0.9], 0.95) is None
    lo, hi = mean_bound_interval([0.9, 0.8, 0.85], 0.95)
    assert lo < 0.85 < hi
    assert parse_seeds((3,), {}) == 3
    with pytest.raises(ValueError, match="whole number"):
        parse_seeds((0,), {})
