from __future__ import annotations

# pytester's in-process runs drop modules first imported inside them, and numpy's C
# extension cannot be loaded twice: import the heavy stack once, up front.
import numpy  # noqa: F401
import pandas  # noqa: F401
import pytest
import scipy.spatial.distance  # noqa: F401
import scipy.stats  # noqa: F401
import sklearn.base  # noqa: F401
import sklearn.datasets  # noqa: F401
import sklearn.ensemble  # noqa: F401
import sklearn.linear_model  # noqa: F401
import sklearn.metrics  # noqa: F401
import sklearn.model_selection  # noqa: F401
import sklearn.pipeline  # noqa: F401
import sklearn.preprocessing  # noqa: F401
import sklearn.utils.multiclass  # noqa: F401

pytest_plugins = ["pytester"]

#: A conftest for pytester runs: small models trained on bundled data.
MODELS_CONFTEST = '''
import pytest
from sklearn.datasets import load_breast_cancer, load_diabetes, load_wine
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler


@pytest.fixture(scope="session")
def binary():
    X, y = load_breast_cancer(return_X_y=True)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3, random_state=0, stratify=y)
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)).fit(X_tr, y_tr)
    return model, X_te, y_te


@pytest.fixture(scope="session")
def multiclass():
    X, y = load_wine(return_X_y=True)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.4, random_state=0, stratify=y)
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)).fit(X_tr, y_tr)
    return model, X_te, y_te


@pytest.fixture(scope="session")
def regression():
    X, y = load_diabetes(return_X_y=True)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3, random_state=0)
    return Ridge(alpha=0.1).fit(X_tr, y_tr), X_te, y_te
'''


@pytest.fixture
def models(pytester: pytest.Pytester) -> pytest.Pytester:
    """A pytester whose conftest provides ``binary``, ``multiclass`` and ``regression`` fixtures."""
    pytester.makeconftest(MODELS_CONFTEST)
    return pytester


@pytest.fixture(autouse=True)
def _no_step_summary(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Inner pytest runs must not append to a real GitHub step summary, nor annotate a real job,
    and run in file order even where pytest-randomly is installed (tests that want it ask for it)."""
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    if "pytester" in request.fixturenames:
        request.getfixturevalue("pytester")  # pytester clears PYTEST_ADDOPTS when it starts
        monkeypatch.setenv("PYTEST_ADDOPTS", "-p no:randomly")
