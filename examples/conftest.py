"""Fixtures of a small model project: models trained on bundled data, once, through the model cache.

``mlgate_cache.model(name, train, *args)`` trains on the first run and loads on the next ones; it
retrains when the training function, a helper it calls, an argument or a library version changes.
"""

from __future__ import annotations

import json
import os

import pytest
from sklearn.datasets import load_breast_cancer, load_diabetes, load_wine
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

SEED = 0


def _split(X, y, stratify=True):
    return train_test_split(X, y, test_size=0.3, random_state=SEED, stratify=y if stratify else None)


@pytest.fixture(scope="session")
def cancer_data():
    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    return _split(X, y)


def fit_logistic(X, y):
    return make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)).fit(X, y)


def fit_forest(X, y, seed=SEED):
    return RandomForestClassifier(n_estimators=200, random_state=seed).fit(X, y)


def fit_tree(X, y):
    from sklearn.tree import DecisionTreeClassifier

    return DecisionTreeClassifier(max_depth=3, random_state=SEED).fit(X, y)


def fit_ridge(X, y):
    return Ridge(alpha=0.1).fit(X, y)


@pytest.fixture(scope="session")
def cancer_model(mlgate_cache, cancer_data):
    X_train, _, y_train, _ = cancer_data
    return mlgate_cache.model("cancer", fit_logistic, X_train, y_train)


@pytest.fixture(scope="session")
def wine_data():
    X, y = load_wine(return_X_y=True, as_frame=True)
    return _split(X, y)


@pytest.fixture(scope="session")
def wine_model(mlgate_cache, wine_data):
    X_train, _, y_train, _ = wine_data
    return mlgate_cache.model("wine", fit_forest, X_train, y_train)


@pytest.fixture(scope="session")
def wine_forest(mlgate_cache, wine_data):
    """``wine_forest(seed)``: the wine forest trained with ``seed``, once per seed across runs."""
    X_train, _, y_train, _ = wine_data
    return lambda seed: mlgate_cache.model("wine-seeded", fit_forest, X_train, y_train, seed=seed)


@pytest.fixture(scope="session")
def cancer_champion(mlgate_cache, cancer_data):
    """The model in production: an older, simpler one (a shallow tree)."""
    X_train, _, y_train, _ = cancer_data
    return mlgate_cache.model("cancer-champion", fit_tree, X_train, y_train)


@pytest.fixture(scope="session")
def diabetes_data():
    X, y = load_diabetes(return_X_y=True, as_frame=True)
    return _split(X, y, stratify=False)


@pytest.fixture(scope="session")
def diabetes_model(mlgate_cache, diabetes_data):
    X_train, _, y_train, _ = diabetes_data
    return mlgate_cache.model("diabetes", fit_ridge, X_train, y_train)


@pytest.hookimpl(optionalhook=True)  # so `pytest -p no:mlgate` still runs this project's other tests
def pytest_mlgate_test_result(item, result):
    """The results hook: here each test's metrics go to a JSON-lines log when MLGATE_LOG is set.

    Swap the body for ``mlflow.log_metrics(...)`` to send them to an experiment tracker.
    """
    path = os.environ.get("MLGATE_LOG")
    if not path:
        return
    line = {
        "test": result.nodeid,
        "metrics": {name: m.value for name, m in result.metrics.items()},
        "gates": {g.metric: g.status for g in result.gates},
    }
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(line, sort_keys=True) + "\n")
