"""Markers: registration, the automatic ``model`` marker, and collection-time validation."""

from __future__ import annotations

import pytest


def test_markers_are_documented(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--markers")
    result.stdout.fnmatch_lines([
        "@pytest.mark.model: a model quality test*",
        "@pytest.mark.model_threshold(*severity='fail', confidence=None, slices=False, **metrics)*",
        "@pytest.mark.model_regression(**metrics)*",
    ])


def test_strict_markers_accept_the_plugin_markers(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        import pytest

        @pytest.mark.model
        @pytest.mark.model_threshold(accuracy=0.5)
        @pytest.mark.model_regression(accuracy=0.01)
        def test_it(mlgate):
            mlgate.record(accuracy=0.9)
    """)
    result = pytester.runpytest("--strict-markers")
    result.assert_outcomes(passed=1)


def test_model_marker_is_added_automatically(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        import pytest

        def test_uses_fixture(mlgate):
            mlgate.record(accuracy=1.0)

        @pytest.mark.model_threshold(latency="<10")
        def test_threshold_only():
            pass

        @pytest.mark.model_regression(accuracy=0.1)
        def test_regression_only():
            pass

        def test_plain():
            pass
    """)
    selected = pytester.runpytest("-m", "model", "--co", "-q")
    selected.stdout.fnmatch_lines(["*test_uses_fixture", "*test_threshold_only", "*test_regression_only"])
    assert "test_plain" not in selected.stdout.str()
    skipped = pytester.runpytest("-m", "not model", "-v")
    skipped.assert_outcomes(passed=1, deselected=3)
    skipped.stdout.fnmatch_lines(["*test_plain PASSED*"])


def test_bad_marker_arguments_are_all_reported_before_anything_runs(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        import pytest

        TRAINED = []

        @pytest.fixture
        def model():
            TRAINED.append(1)
            raise AssertionError("a fixture ran before the usage error")

        @pytest.mark.model_threshold(my_score=0.9)
        def test_unknown_direction(mlgate, model):
            pass

        @pytest.mark.model_threshold(accuracy="about 0.9")
        def test_unparsable(mlgate, model):
            pass

        @pytest.mark.model_threshold(accuracy=0.9, severity="loud")
        def test_bad_severity(mlgate, model):
            pass

        @pytest.mark.model_threshold(accuracy=0.9, confidence=1.5)
        def test_bad_confidence(mlgate, model):
            pass

        @pytest.mark.model_regression(accuracy="two percent")
        def test_bad_tolerance(mlgate, model):
            pass

        @pytest.mark.model_threshold(0.9)
        def test_positional(mlgate, model):
            pass

        @pytest.mark.model_threshold(accuracy=0.7, confidence=0.5)
        @pytest.mark.model_threshold(accuracy=0.8, confidence=0.99)
        def test_two_levels(mlgate, model):
            pass

        @pytest.mark.model_threshold(accuracy=0.9)
        def test_fine(mlgate, model):
            pass
    """)
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    err = result.stderr.str()
    assert "test_unknown_direction: model_threshold: my_score=0.9: the direction of metric 'my_score' is unknown" in err
    assert "test_unparsable: model_threshold: accuracy='about 0.9': cannot parse" in err
    assert "test_bad_severity: model_threshold: severity='loud'" in err
    assert "test_bad_confidence: model_threshold: confidence=1.5" in err
    assert "test_bad_tolerance: model_regression: accuracy='two percent'" in err
    assert "test_positional: model_threshold takes keyword arguments only" in err
    assert "test_two_levels: model_threshold: accuracy is gated at confidence levels [0.5, 0.99]; use one level" in err
    assert "test_fine" not in err
    assert "a fixture ran" not in result.stdout.str() + err


def test_explicit_direction_strings_work_for_any_metric(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        import pytest

        @pytest.mark.model_threshold(my_score=">=0.9", latency_ms="<20", cost="<=5", gain=">1e-3")
        def test_it(mlgate):
            mlgate.record(my_score=0.95, latency_ms=19.9, cost=5, gain=0.01)
    """)
    pytester.runpytest().assert_outcomes(passed=1)


def test_direction_of_prefixed_slice_and_gap_names_comes_from_the_registry(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        import pytest

        @pytest.mark.model_threshold(train_accuracy=0.9, val_log_loss=0.3, accuracy_gap=0.1)
        def test_it(mlgate):
            mlgate.record(train_accuracy=0.95, val_log_loss=0.2, accuracy_gap=0.05)

        @pytest.mark.model_threshold(val_log_loss=0.3)
        def test_lower_is_better_fails_above(mlgate):
            mlgate.record(val_log_loss=0.31)
    """)
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*val_log_loss = 0.31 fails <= 0.3*"])


def test_marker_import_from_the_package_is_the_same_decorator(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        from pytest_mlgate import model_threshold

        @model_threshold(accuracy=0.99)
        def test_it(mlgate):
            mlgate.record(accuracy=0.9)
    """)
    result = pytester.runpytest("-m", "model")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*accuracy = 0.9 fails >= 0.99*"])


def test_plugin_can_be_disabled(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        def test_plain():
            pass
    """)
    result = pytester.runpytest("-p", "no:mlgate")
    result.assert_outcomes(passed=1)
    assert "mlgate" not in result.stdout.str()


def test_bad_marker_arguments_under_xdist_are_a_usage_error_too(pytester: pytest.Pytester) -> None:
    pytest.importorskip("xdist")
    pytester.makepyfile("""
        import pytest

        @pytest.mark.model_threshold(my_score=0.9)
        def test_unknown_direction(mlgate):
            pass

        class TestNested:
            @pytest.mark.model_threshold(accuracy="bad")
            def test_unparsable(self, mlgate):
                pass

        def test_fine(mlgate):
            raise AssertionError("a test ran despite the usage error")
    """)
    result = pytester.runpytest_subprocess("-n", "2")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    err = result.stderr.str()
    assert "test_unknown_direction: model_threshold: my_score=0.9" in err
    assert "TestNested::test_unparsable: model_threshold: accuracy='bad'" in err
    assert "a test ran" not in result.stdout.str()


@pytest.mark.parametrize(
    ("ini", "message"),
    [
        ("mlgate_regression_tolerance = lots", "ini mlgate_regression_tolerance='lots'"),
        ("mlgate_bootstrap = many", "ini mlgate_bootstrap='many': expected an integer"),
        ("mlgate_min_slice_size = 0", "ini mlgate_min_slice_size='0': must be at least 1"),
        ("mlgate_inconclusive = maybe", "ini mlgate_inconclusive='maybe': expected one of warn, fail"),
    ],
)
def test_bad_settings_are_usage_errors(pytester: pytest.Pytester, ini: str, message: str) -> None:
    pytester.makeini(f"[pytest]\n{ini}\n")
    pytester.makepyfile("def test_it(mlgate):\n    mlgate.record(accuracy=1.0)\n")
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert message in result.stderr.str()


def test_bad_seed_option_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nmlgate_seed = abc\n")
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "ini mlgate_seed='abc': expected an integer" in result.stderr.str()
