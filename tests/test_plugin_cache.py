"""The ``mlgate_cache`` fixture as a user meets it: runs of a suite, edits, options, xdist, reports."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

CONFTEST = """
import time
from pathlib import Path

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

import helpers

COUNTER = Path(__file__).with_name("trained.txt")


def train(X, y, C=1.0):
    with COUNTER.open("a") as fh:
        fh.write("logreg\\n")
    time.sleep(SLEEP)
    return LogisticRegression(C=C, max_iter=500).fit(helpers.features(X), y)


SLEEP = 0.0
C = 1.0


@pytest.fixture(scope="session")
def model(mlgate_cache):
    data = np.load(Path(__file__).with_name("data.npz"))
    return mlgate_cache.model("logreg", train, data["X"], data["y"], C=C)
"""

HELPERS = """
def features(X):
    return (X - X.mean(axis=0)) / X.std(axis=0)
"""

TESTS = """
import helpers


def test_accuracy(mlgate, model):
    import numpy as np
    from pathlib import Path

    data = np.load(Path(__file__).with_name("data.npz"))
    mlgate.record(accuracy=model.score(helpers.features(data["X"]), data["y"]))


def test_plain(model):
    assert model.coef_.shape[0] == 1
"""


def write_data(root: Path, *, bump: float = 0.0) -> None:
    import numpy as np
    from sklearn.datasets import load_breast_cancer

    X, y = load_breast_cancer(return_X_y=True)
    X = X.copy()
    X[7, 3] += bump  # one value of the data
    np.savez(root / "data.npz", X=X, y=y)


@pytest.fixture
def suite(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    monkeypatch.setattr(sys, "dont_write_bytecode", True)  # an edit in the same second must not load stale .pyc
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(helpers=HELPERS, test_suite=TESTS)
    write_data(pytester.path)
    return pytester


def trained(pytester: pytest.Pytester) -> int:
    path = pytester.path / "trained.txt"
    return len(path.read_text().splitlines()) if path.exists() else 0


def edit(pytester: pytest.Pytester, name: str, old: str, new: str) -> None:
    path = pytester.path / name
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))
    for cache in pytester.path.rglob("__pycache__"):
        shutil.rmtree(cache)


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    result = pytester.runpytest("-p", "no:randomly", *args)
    assert result.ret == 0, result.stdout.str()
    return result


def entries(root: Path) -> list[Path]:
    return sorted(root.rglob("*.mlgate-model"))


# ---------------------------------------------------------------------------------- train once
def test_second_run_trains_nothing_and_says_so(suite: pytest.Pytester) -> None:
    first = run(suite)
    assert trained(suite) == 1
    first.stdout.fnmatch_lines(["*= mlgate cache =*", "mlgate cache: 0 models from the cache, 1 trained (*"
                                "training time saved: 0.00 s*", "  trained *logreg *test_suite.py::test_accuracy"])
    second = run(suite)
    assert trained(suite) == 1
    second.stdout.fnmatch_lines(["mlgate cache: 1 model from the cache, 0 trained; training time saved: *",
                                 "  from cache *logreg *saved * test_suite.py::test_accuracy"])
    (entry,) = entries(suite.path / ".pytest_cache" / "d" / "mlgate-models")
    assert entry.name.startswith("logreg-")
    assert (suite.path / ".pytest_cache" / ".gitignore").exists()  # pytest's own cache dir, never committed


@pytest.mark.parametrize(
    ("name", "old", "new"),
    [
        ("conftest.py", "max_iter=500)", "max_iter=600)"),  # the training function
        ("helpers.py", "/ X.std(axis=0)", "/ (2 * X.std(axis=0))"),  # a helper, in another module
        ("conftest.py", "C = 1.0", "C = 0.5"),  # a parameter
    ],
    ids=["train", "helper", "parameter"],
)
def test_an_edit_retrains(suite: pytest.Pytester, name: str, old: str, new: str) -> None:
    run(suite)
    assert trained(suite) == 1
    edit(suite, name, old, new)
    run(suite).stdout.fnmatch_lines(["mlgate cache: 0 models from the cache, 1 trained*"])
    assert trained(suite) == 2
    run(suite)
    assert trained(suite) == 2


def test_one_changed_data_value_retrains(suite: pytest.Pytester) -> None:
    run(suite)
    write_data(suite.path, bump=1e-6)
    run(suite)
    assert trained(suite) == 2
    write_data(suite.path)  # back to the first data: its entry is still there
    run(suite)
    assert trained(suite) == 2


def test_an_edit_outside_the_training_code_does_not_retrain(suite: pytest.Pytester) -> None:
    run(suite)
    edit(suite, "test_suite.py", "def test_plain(model):", "def test_plain(model):\n    # a comment\n    pass\n")
    edit(suite, "conftest.py", "import helpers\n", "import helpers\n\n# a comment that moves every line\n\n")
    run(suite)
    assert trained(suite) == 1


# ---------------------------------------------------------------------------------- options
def test_read_mode_loads_but_never_stores(suite: pytest.Pytester) -> None:
    run(suite, "--mlgate-cache=read")
    assert trained(suite) == 1 and entries(suite.path) == []
    run(suite)
    run(suite, "--mlgate-cache=read").stdout.fnmatch_lines(["mlgate cache: 1 model from the cache, 0 trained*"])
    assert trained(suite) == 2


def test_off_mode_trains_and_keeps_stored_entries(suite: pytest.Pytester) -> None:
    run(suite)
    stored = entries(suite.path)
    run(suite, "--mlgate-cache=off").stdout.fnmatch_lines(["mlgate cache: 0 models from the cache, 1 trained*"])
    assert trained(suite) == 2 and entries(suite.path) == stored
    run(suite)
    assert trained(suite) == 2


def test_clear_empties_the_cache_and_the_run_goes_on(suite: pytest.Pytester) -> None:
    run(suite)
    result = run(suite, "--mlgate-cache-clear")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["mlgate cache: cleared 1 stored model from *mlgate-models",
                                 "mlgate cache: 0 models from the cache, 1 trained*"])
    assert trained(suite) == 2
    run(suite)
    assert trained(suite) == 2


def test_bad_mode_is_a_usage_error(suite: pytest.Pytester) -> None:
    result = suite.runpytest("--mlgate-cache=write")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--mlgate-cache: invalid choice: 'write'*"])


def test_ini_cache_dir_moves_the_cache(suite: pytest.Pytester) -> None:
    suite.makeini("[pytest]\nmlgate_cache_dir = ci-cache/models\n")
    run(suite)
    (entry,) = entries(suite.path)
    assert entry.parent == suite.path / "ci-cache" / "models"
    assert (entry.parent / ".gitignore").read_text().endswith("*\n")
    run(suite)
    assert trained(suite) == 1


def test_works_without_pytests_cacheprovider(suite: pytest.Pytester) -> None:
    run(suite, "-p", "no:cacheprovider")
    run(suite, "-p", "no:cacheprovider")
    assert trained(suite) == 1
    (entry,) = entries(suite.path)
    assert entry.parent == suite.path / ".pytest_cache" / "d" / "mlgate-models"


def test_corrupted_entry_is_refused_and_retrained(suite: pytest.Pytester) -> None:
    run(suite)
    (entry,) = entries(suite.path)
    data = bytearray(entry.read_bytes())
    data[-30] ^= 0x01
    entry.write_bytes(bytes(data))
    result = run(suite)
    result.stdout.fnmatch_lines(["*MlgateWarning: mlgate_cache: refused the stored entry of model 'logreg'*"
                                 "checksum mismatch; retraining*"])
    assert trained(suite) == 2
    run(suite)
    assert trained(suite) == 2


# ---------------------------------------------------------------------------------- records
def test_reports_history_and_baseline_carry_the_cache_key(suite: pytest.Pytester) -> None:
    run(suite, "--mlgate-json=first.json")
    run(suite, "--mlgate-json=second.json", "--mlgate-history=history.jsonl", "--mlgate-save-baseline")
    first = json.loads((suite.path / "first.json").read_text())
    second = json.loads((suite.path / "second.json").read_text())
    (model,) = first["tests"][0]["models"]
    assert first["tests"][0]["nodeid"] == "test_suite.py::test_accuracy"
    assert model["name"] == "logreg" and model["source"] == "trained" and len(model["key"]) == 64
    assert model["seconds"] > 0 and model["saved_seconds"] == 0
    (again,) = second["tests"][0]["models"]
    assert again["key"] == model["key"] and again["source"] == "cache"
    (line,) = (suite.path / "history.jsonl").read_text().splitlines()
    assert json.loads(line)["tests"][0]["models"][0]["key"] == model["key"]
    baseline = json.loads((suite.path / "mlgate-baseline.json").read_text())
    assert baseline["provenance"]["models"] == [
        {"test": "test_suite.py::test_accuracy", "name": "logreg", "key": model["key"], "source": "cache"}
    ]


def test_a_model_trained_in_the_test_body_is_recorded_on_that_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_body="""
        def fit(n):
            return list(range(n))

        def test_body(mlgate_cache, mlgate):
            assert mlgate_cache.model("ranges", fit, 3) == [0, 1, 2]
            mlgate.record(score=1.0)

        def test_not_a_model_test(mlgate_cache):
            assert mlgate_cache.model("ranges", fit, 4) == [0, 1, 2, 3]
        """)
    result = run(pytester, "--mlgate-json=out.json")
    result.stdout.fnmatch_lines(["mlgate cache: 0 models from the cache, 2 trained*",
                                 "  trained *ranges *test_body.py::test_body",
                                 "  trained *ranges *test_body.py::test_not_a_model_test"])
    data = json.loads((pytester.path / "out.json").read_text())
    assert [m["name"] for m in data["tests"][0]["models"]] == ["ranges"]


def test_bad_input_fails_the_test_with_a_clear_message(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_bad="""
        import threading

        def test_not_callable(mlgate_cache):
            mlgate_cache.model("m", "fit", 3)

        def test_unhashable(mlgate_cache):
            mlgate_cache.model("m", len, (i for i in range(3)))

        def test_unpicklable(mlgate_cache):
            mlgate_cache.model("m", threading.Lock)
        """)
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(failed=3)
    result.stdout.fnmatch_lines([
        "*TypeError: mlgate_cache.model('m', train): train must be callable*got str*",
        "*TypeError: mlgate_cache.model('m', len): argument 0 of train (generator) cannot be fingerprinted*",
        "*TypeError: mlgate_cache.model('m', *): the model train returned (*) cannot be pickled*",
    ])


# ---------------------------------------------------------------------------------- xdist, concurrency
XDIST_TESTS = """
def test_one(model):
    assert model is not None

def test_two(model):
    assert model is not None
"""


@pytest.mark.slow
def test_xdist_workers_train_once_and_the_controller_sums_up(suite: pytest.Pytester) -> None:
    edit(suite, "conftest.py", "SLEEP = 0.0", "SLEEP = 1.5")  # both workers ask while the first trains
    suite.makepyfile(test_suite=XDIST_TESTS)
    first = suite.runpytest_subprocess("-n", "2", "-p", "no:randomly")
    first.assert_outcomes(passed=2)
    assert trained(suite) == 1
    first.stdout.fnmatch_lines(["mlgate cache: 1 model from the cache, 1 trained*"])
    second = suite.runpytest_subprocess("-n", "2", "-p", "no:randomly")
    second.assert_outcomes(passed=2)
    second.stdout.fnmatch_lines(["mlgate cache: 2 models from the cache, 0 trained*"])
    assert trained(suite) == 1


@pytest.mark.slow
def test_concurrent_runs_do_not_corrupt_the_cache(suite: pytest.Pytester) -> None:
    edit(suite, "conftest.py", "SLEEP = 0.0", "SLEEP = 1.0")
    suite.makepyfile(test_other="""
        import pytest

        @pytest.mark.parametrize("C", [0.1, 0.2, 0.3])
        def test_c(mlgate_cache, C):
            import numpy as np
            from conftest import train
            data = np.load("data.npz")
            assert mlgate_cache.model(f"logreg-{C}", train, data["X"], data["y"], C=C).C == C
    """)
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly"]
    procs = [subprocess.Popen(cmd, cwd=suite.path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
             for _ in range(2)]
    for proc in procs:
        out, _ = proc.communicate(timeout=300)
        assert proc.returncode == 0, out
    assert trained(suite) == 4  # four keys, each trained once although two runs asked for each
    from pytest_mlgate.cache import read_entry

    stored = entries(suite.path)
    assert len(stored) == 4
    for entry in stored:
        read_entry(entry)  # whole, checksum valid
    run(suite)
    assert trained(suite) == 4
