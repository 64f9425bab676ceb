"""Spark DataFrames are profiled inside Spark: same profiles and verdicts as pandas and Parquet.

A real local Spark (``local[2]``) on a real JVM; the session's ``spark.driver.maxResultSize`` is
1 MB, far below the data, so a ``collect()`` of the rows would fail.  Skipped, with the reason,
only where pyspark or a Java runtime cannot be found.
"""

from __future__ import annotations

import glob
import os
import shutil
import sys

import numpy as np
import pandas as pd
import pytest

pytestmark = [pytest.mark.spark, pytest.mark.slow]

pyspark = pytest.importorskip("pyspark", reason="pyspark is not installed (pip install pytest-mlgate[spark])")
pa = pytest.importorskip("pyarrow", reason="pyarrow is not installed (pip install pytest-mlgate[spark])")
import pyarrow.parquet as pq  # noqa: E402

from pytest_mlgate.drift import detect_drift  # noqa: E402
from pytest_mlgate.profile import RANK_ERROR, Profile, profile  # noqa: E402


def _java_home() -> str | None:
    if os.environ.get("JAVA_HOME") and os.path.exists(os.path.join(os.environ["JAVA_HOME"], "bin", "java")):
        return os.environ["JAVA_HOME"]
    for candidate in sorted(glob.glob("/usr/lib/jvm/*17*")) + sorted(glob.glob("/usr/lib/jvm/*")):
        if os.path.exists(os.path.join(candidate, "bin", "java")):
            return candidate
    java = shutil.which("java")
    return os.path.dirname(os.path.dirname(os.path.realpath(java))) if java else None


ROWS = 150_000  # x 5 columns: ~6 MB of values against a 1 MB driver result limit


@pytest.fixture(scope="module")
def spark():
    home = _java_home()
    if home is None:
        pytest.skip("no Java runtime found (install openjdk-17-jre-headless or set JAVA_HOME)")
    os.environ["JAVA_HOME"] = home
    # the Python workers (mapInArrow) run this interpreter, which has pyarrow, not whatever python3 is on PATH
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("pytest-mlgate-tests")
        .config("spark.driver.maxResultSize", "1m")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def frame(seed: int, n: int, shift: float = 0.0) -> pd.DataFrame:
    g = np.random.default_rng(seed)
    x = g.normal(shift, 1, n)
    x[g.random(n) < 0.03] = np.nan
    return pd.DataFrame(
        {
            "x": x,
            "big": g.normal(0, 1, n) * 1e160,
            "k": g.integers(0, 3, n),
            "c": g.choice(["red", "green", "blue", "grey"], n, p=[0.4, 0.3, 0.2, 0.1]),
            "b": g.random(n) < 0.3,
        }
    )


@pytest.fixture(scope="module")
def data(spark, tmp_path_factory):
    root = tmp_path_factory.mktemp("spark-data")
    out = {}
    for name, seed, shift in (("ref", 1, 0.0), ("same", 2, 0.0), ("shifted", 3, 0.3)):
        path = root / name
        path.mkdir()
        df = frame(seed, ROWS, shift)
        for i, chunk in enumerate(np.array_split(np.arange(ROWS), 4)):
            pq.write_table(pa.Table.from_pandas(df.iloc[chunk], preserve_index=False), path / f"part-{i}.parquet")
        out[name] = (str(path), spark.read.parquet(str(path)))
    return out


def test_spark_profile_equals_the_parquet_profile(data):
    path, sdf = data["ref"]
    s, p = profile(sdf), profile(path)
    assert s.rows == p.rows == ROWS
    for name in p.columns:
        a, b = s[name], p[name]
        assert (a.kind, a.missing, a.categories, a.values) == (b.kind, b.missing, b.categories, b.values), name
        if a.kind == "numeric":
            assert (a.moments.n, a.moments.min, a.moments.max) == (b.moments.n, b.moments.min, b.moments.max)
            assert a.moments.std == pytest.approx(b.moments.std, rel=1e-9)
            assert int(a.sketch.n) == a.moments.n and a.sketch.k == b.sketch.k
            if a.values is None:  # many values: Spark's quantiles sit at the same ranks of the Python sketch
                q = np.linspace(0.05, 0.95, 19)
                ranks = np.asarray(b.sketch.get_cdf(np.asarray(a.sketch.get_quantiles(q)), True))[:-1]
                assert np.max(np.abs(ranks - q)) <= 3 * RANK_ERROR


def test_spark_drift_verdicts_equal_pandas_and_parquet(data, tmp_path):
    ref_path, ref = data["ref"]
    for label in ("same", "shifted"):
        cur_path, cur = data[label]
        expected = detect_drift(profile(ref_path), pd.read_parquet(cur_path))
        for report in (detect_drift(ref, cur), detect_drift(profile(ref), cur_path), detect_drift(ref_path, cur)):
            for col in report.columns:
                if "within sketch error" not in col.reason:
                    assert col.drifted == expected[col.name].drifted, (label, col.name, col.reason)
        assert expected["x"].drifted == (label == "shifted")
    saved = tmp_path / "ref.profile.json"
    profile(ref).save(saved)
    assert not detect_drift(Profile.load(saved), data["same"][1])["c"].drifted


def test_high_cardinality_categories_are_capped_inside_spark(spark, monkeypatch):
    import importlib

    profile_module = importlib.import_module("pytest_mlgate.profile")

    monkeypatch.setattr(profile_module, "CATEGORY_CAP", 50)
    monkeypatch.setattr("pytest_mlgate.sources.CATEGORY_CAP", 50)
    sdf = spark.range(200_000).selectExpr("cast(id % 5000 as string) as id_text", "cast(id % 7 as string) as small")
    p = profile(sdf)
    col = p["id_text"]
    assert len(col.categories) == 50 and col.other_categories == 5000 - 50
    assert sum(col.categories.values()) + col.other_rows == 200_000
    assert p["small"].categories == {str(i): len(range(i, 200_000, 7)) for i in range(7)}


def test_partition_fallback_gives_the_same_profile(data, monkeypatch):
    from pyspark.sql import functions as F

    path, sdf = data["ref"]
    native = profile(sdf)
    monkeypatch.delattr(F, "kll_sketch_agg_double")
    fallback = profile(sdf)
    for name in native.columns:
        a, b = native[name], fallback[name]
        assert (a.kind, a.missing, a.categories, a.values) == (b.kind, b.missing, b.categories, b.values), name
        if a.kind == "numeric":
            assert a.moments.n == b.moments.n and a.moments.std == pytest.approx(b.moments.std, rel=1e-9)


def test_spark_errors_name_the_column(spark):
    sdf = spark.range(10).selectExpr("id", "current_timestamp() as ts")
    with pytest.raises(TypeError, match="column 'ts' has unsupported Spark type"):
        profile(sdf)
    with pytest.raises(ValueError, match="column 'nope' is not in the Spark DataFrame"):
        profile(sdf, columns=["nope"])


def test_few_valued_numeric_columns_are_counted_from_the_sketch_or_the_grouped_count(spark, monkeypatch):
    import importlib

    from pytest_mlgate.profile import DISTINCT_CAP

    sources = importlib.import_module("pytest_mlgate.sources")
    n = 120_000
    g = np.random.default_rng(5)
    df = pd.DataFrame(
        {
            "three": g.choice([-1.5, 0.0, 2.25], n),
            "over": np.concatenate([g.integers(0, DISTINCT_CAP, n - 1), [1000]]).astype(float),  # 64 + 1 rare value
            "cap": g.integers(0, DISTINCT_CAP, n),  # exactly DISTINCT_CAP values
            "x": g.normal(0, 1, n),
        }
    )
    p = sources.spark_profile(spark.createDataFrame(df))
    assert p["three"].values == df["three"].value_counts().to_dict()
    assert p["cap"].values == {float(k): int(c) for k, c in df["cap"].value_counts().items()}
    assert p["over"].values is None and p["x"].values is None
    assert p["three"].sketch.is_estimation_mode()  # decided by the grouped count, not by the sketch
    small = sources.spark_profile(spark.createDataFrame(df.head(500)))  # sketch not in estimation mode: its items
    assert not small["three"].sketch.is_estimation_mode()
    assert small["three"].values == df["three"].head(500).value_counts().to_dict()
    assert small["x"].values is None
    # every numeric column through the grouped count: a rare 65th value the sketch may have dropped,
    # and a column of all-distinct values, still end up values=None (the cap is applied inside Spark)
    monkeypatch.setattr(sources, "_sketch_values", lambda sk: sources._CANDIDATE)
    forced = sources.spark_profile(spark.createDataFrame(df))
    assert forced["over"].values is None and forced["x"].values is None
    assert forced["three"].values == p["three"].values and forced["cap"].values == p["cap"].values


def test_drift_verdicts_with_few_valued_columns_equal_pandas(spark):
    from pytest_mlgate.profile import DISTINCT_CAP

    def few(seed: int, n: int, shift: int) -> pd.DataFrame:
        g = np.random.default_rng(seed)
        over = g.integers(0, DISTINCT_CAP, n).astype(float)
        over[: 3 + shift] = 1000.0 + np.arange(3 + shift)
        return pd.DataFrame(
            {
                "three": g.choice([0, 1, 2], n, p=[0.5 - 0.1 * shift, 0.3, 0.2 + 0.1 * shift]),
                "over": over,
                "x": g.normal(0.2 * shift, 1, n),
            }
        )

    ref = few(1, 60_000, 0)
    for shift in (0, 1):
        cur = few(2, 60_000, shift)
        expected = detect_drift(ref, cur)
        report = detect_drift(spark.createDataFrame(ref), spark.createDataFrame(cur))
        for col in report.columns:
            if "within sketch error" not in col.reason:
                assert col.drifted == expected[col.name].drifted, (shift, col.name, col.reason)
        assert expected["three"].drifted == expected["x"].drifted == bool(shift)


def predictions(n: int, seed: int) -> pd.DataFrame:
    g = np.random.default_rng(seed)
    y = g.integers(0, 2, n)
    score = np.clip(0.35 * y + 0.65 * g.random(n), 0, 1)
    target = g.normal(0, 1, n)
    return pd.DataFrame(
        {
            "label": y, "pred": (score > 0.5).astype(int), "score": score, "group": g.choice(["a", "b", "c"], n),
            "target": target, "estimate": target + g.normal(0, 0.5, n),
        }
    )


def _mlgate(n_resamples: int):
    from pytest_mlgate.fixture import MlGate, Settings
    from pytest_mlgate.gates import ItemSpec
    from pytest_mlgate.metrics import MetricRegistry
    from pytest_mlgate.results import TestResult

    result = TestResult("test_spark.py::evaluate")
    return MlGate(result, ItemSpec(), MetricRegistry.default(), Settings(n_resamples=n_resamples), seed=3), result


@pytest.fixture(scope="module")
def preds(spark, tmp_path_factory):
    rows = 100_000  # x 6 columns: ~5 MB against the 1 MB driver result limit
    root = tmp_path_factory.mktemp("spark-preds")
    df = predictions(rows, 11)
    for i, chunk in enumerate(np.array_split(np.arange(rows), 4)):
        pq.write_table(pa.Table.from_pandas(df.iloc[chunk], preserve_index=False), root / f"part-{i}.parquet")
    return df, str(root), spark.read.parquet(str(root))


CASES = (
    (dict(y_true="label", y_pred="pred", y_score="score", slice_by="group"),
     ["accuracy", "f1", "roc_auc", "average_precision", "log_loss"]),
    (dict(y_true="target", y_pred="estimate", slice_by="group"), ["rmse", "r2"]),
)


def _evaluate_all(preds, n_resamples):
    df, path, sdf = preds
    for columns, metrics in CASES:
        out = {}
        for label, data in (("spark", sdf), ("pandas", df), ("parquet", path)):
            gate, result = _mlgate(n_resamples)
            out[label] = (gate.evaluate(data=data, metrics=metrics, **columns), result)
        yield metrics, out


def test_evaluate_on_spark_equals_pandas_and_parquet_per_slice(preds):
    for metrics, out in _evaluate_all(preds, 0):
        spark_values = out["spark"][0]
        assert {f"{m}[group={g}]" for m in metrics for g in "abc"} <= set(spark_values)
        for label in ("pandas", "parquet"):
            assert set(out[label][0]) == set(spark_values)
            for name, value in out[label][0].items():
                assert spark_values[name] == pytest.approx(value, rel=1e-9, abs=1e-12), (label, name)


def test_evaluate_on_spark_has_bootstrap_intervals(preds):
    # 50 replicates' score histograms are megabytes per slice: merged and evaluated on an executor,
    # they never reach the driver (maxResultSize 1 MB)
    for _, out in _evaluate_all(preds, 50):
        spark_values, spark_result = out["spark"]
        for name, value in spark_values.items():
            if name.endswith("_gap"):
                continue
            record = spark_result.metrics[name]
            assert record.interval is not None, name
            lo, hi = record.interval
            assert lo <= value <= hi, (name, lo, value, hi)
            assert value == pytest.approx(out["pandas"][0][name], rel=1e-9, abs=1e-12)


def test_evaluate_on_spark_names_a_bad_value_found_on_an_executor(spark):
    import pandas as pd

    from pytest_mlgate.table_eval import evaluate_table

    df = spark.createDataFrame(pd.DataFrame({"label": [0, 1, 1, 0], "score": [0.1, 0.9, 1.5, 0.2]}))
    with pytest.raises(ValueError, match="y_score column 'score' must hold probabilities"):
        evaluate_table(df, y_true="label", y_score="score", metrics=["roc_auc"], n_resamples=10)
    empty = spark.createDataFrame(pd.DataFrame({"label": [0], "score": [0.1]})).limit(0)
    with pytest.raises(ValueError, match="no rows"):
        evaluate_table(empty, y_true="label", y_score="score", metrics=["roc_auc"], n_resamples=10)
