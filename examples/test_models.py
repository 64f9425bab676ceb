"""Model quality gates of the example project: run them with ``pytest -m model``."""

from __future__ import annotations

import pytest

from pytest_mlgate import assert_no_drift


@pytest.mark.model_threshold(accuracy=0.95, roc_auc=0.98, log_loss=0.15)
@pytest.mark.model_threshold(f1=0.97, severity="warn")
def test_cancer_classifier(mlgate, cancer_model, cancer_data):
    _, X_test, _, y_test = cancer_data
    mlgate.evaluate(cancer_model, X_test, y_test)


@pytest.mark.model_threshold(accuracy=0.9, confidence=0.95)
def test_cancer_classifier_is_confidently_accurate(mlgate, cancer_model, cancer_data):
    _, X_test, _, y_test = cancer_data
    mlgate.evaluate(cancer_model, X_test, y_test)


@pytest.mark.model_threshold(train_accuracy=0.95)
def test_cancer_classifier_fits_its_training_data(mlgate, cancer_model, cancer_data):
    X_train, _, y_train, _ = cancer_data
    mlgate.evaluate(cancer_model, X_train, y_train, prefix="train_")


@pytest.mark.model_threshold(accuracy=0.9, f1_macro=0.9, roc_auc=0.98)
def test_wine_classifier(mlgate, wine_model, wine_data):
    _, X_test, _, y_test = wine_data
    mlgate.evaluate(wine_model, X_test, y_test)


def test_challenger_is_no_worse_than_champion(mlgate, cancer_model, cancer_champion, cancer_data):
    _, X_test, _, y_test = cancer_data
    # a failed verdict fails the test by itself; INCONCLUSIVE warns (ini mlgate_inconclusive = fail to fail)
    mlgate.compare(cancer_model, cancer_champion, X_test, y_test, metric="roc_auc", max_drop=0.01)


@pytest.mark.model_seeds(3)
@pytest.mark.model_threshold(accuracy=0.9)
def test_wine_classifier_is_stable_across_seeds(mlgate, wine_forest, wine_data):
    """Every seed's forest must reach the floor, not just the lucky one (trained once per seed, cached)."""
    _, X_test, _, y_test = wine_data
    mlgate.evaluate(wine_forest(mlgate.seed), X_test, y_test, metrics=["accuracy"])


@pytest.mark.model_threshold(r2=0.2, slices=True)
def test_diabetes_regressor_holds_for_both_sexes(mlgate, diabetes_model, diabetes_data):
    _, X_test, _, y_test = diabetes_data
    sex = (X_test["sex"] > 0).map({True: "M", False: "F"})  # the bundled data is centred and scaled
    mlgate.evaluate(diabetes_model, X_test, y_test, metrics=["r2", "mae"], slice_by=sex.rename("sex"))


@pytest.mark.model_threshold(r2=0.35, mae=50)
@pytest.mark.model_regression(r2=0.05)
def test_diabetes_regressor(mlgate, diabetes_model, diabetes_data):
    _, X_test, _, y_test = diabetes_data
    mlgate.evaluate(diabetes_model, X_test, y_test)


@pytest.mark.model_threshold(model_kb="<64")
@pytest.mark.model_regression(model_kb="10%")
def test_cancer_classifier_stays_small(mlgate, cancer_model):
    import pickle

    mlgate.record("model_kb", len(pickle.dumps(cancer_model)) / 1024, higher_is_better=False)


def test_holdout_looks_like_training_data(mlgate, cancer_data):
    X_train, X_test, _, _ = cancer_data
    mlgate.check_drift(X_train, X_test)


@pytest.mark.model
def test_labels_have_not_drifted(wine_data):
    _, _, y_train, y_test = wine_data
    assert_no_drift(y_train.astype("category"), y_test.astype("category"))
