"""Tests of profile sources: Parquet files, directories, globs and lists, Arrow tables and datasets."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pa = pytest.importorskip("pyarrow", reason="pyarrow is the parquet extra: pip install pytest-mlgate[parquet]")
import pyarrow.dataset as ds  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

from pytest_mlgate.drift import detect_drift  # noqa: E402
from pytest_mlgate.profile import profile  # noqa: E402
from pytest_mlgate.sources import is_path_input  # noqa: E402


def frame(seed: int, n: int, shift: float = 0.0) -> pd.DataFrame:
    g = np.random.default_rng(seed)
    x = g.normal(shift, 1, n)
    x[g.random(n) < 0.05] = np.nan
    return pd.DataFrame(
        {
            "x": x,
            "i": g.integers(0, 1000, n),
            "k": g.integers(0, 3, n),
            "c": g.choice(["red", "green", "blue"], n),
            "b": g.random(n) < 0.4,
        }
    )


def write_parts(df: pd.DataFrame, directory: Path, parts: int) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, chunk in enumerate(np.array_split(np.arange(len(df)), parts)):
        path = directory / f"part-{i}.parquet"
        pq.write_table(pa.Table.from_pandas(df.iloc[chunk], preserve_index=False), path, row_group_size=5000)
        paths.append(path)
    return paths


def same_summary(a, b) -> None:
    assert a.rows == b.rows and list(a.columns) == list(b.columns)
    for name in a.columns:
        ca, cb = a[name], b[name]
        assert (ca.kind, ca.rows, ca.missing) == (cb.kind, cb.rows, cb.missing), name
        assert ca.categories == cb.categories and ca.values == cb.values, name
        if ca.kind == "numeric":
            assert (ca.moments.n, ca.moments.min, ca.moments.max) == (cb.moments.n, cb.moments.min, cb.moments.max)
            assert ca.moments.std == pytest.approx(cb.moments.std, rel=1e-10)


def test_every_parquet_and_arrow_input_gives_the_pandas_profile(tmp_path):
    df = frame(0, 23_000)
    paths = write_parts(df, tmp_path / "data", 3)
    expected = profile(df)
    table = pa.Table.from_pandas(df, preserve_index=False)
    inputs = [
        str(tmp_path / "data"),
        tmp_path / "data",
        str(tmp_path / "data" / "part-*.parquet"),
        [str(p) for p in paths],
        paths,
        ds.dataset(str(tmp_path / "data"), format="parquet"),
        table,
    ]
    for data in inputs:
        same_summary(profile(data), expected)
    single = profile(paths[0])
    assert single.rows == pq.ParquetFile(paths[0]).metadata.num_rows


def test_dictionary_and_large_string_columns(tmp_path):
    table = pa.table(
        {
            "d": pa.array(["a", "b", None, "a"]).dictionary_encode(),
            "s": pa.array(["x", "y", "y", None], type=pa.large_string()),
            "n": pa.array([1, None, 3, 4], type=pa.int32()),
        }
    )
    p = profile(table)
    assert p["d"].categories == {"a": 2, "b": 1} and p["d"].missing == 1
    assert p["s"].categories == {"x": 1, "y": 2} and p["s"].missing == 1
    assert p["n"].kind == "numeric" and p["n"].missing == 1 and p["n"].values == {1.0: 1, 3.0: 1, 4.0: 1}


def test_drift_verdicts_from_parquet_arrow_and_pandas_agree(tmp_path):
    ref, cur = frame(1, 40_000), frame(2, 30_000, shift=0.25)
    write_parts(ref, tmp_path / "ref", 4)
    write_parts(cur, tmp_path / "cur", 2)
    expected = detect_drift(profile(ref), cur)
    assert expected["x"].drifted and not expected["c"].drifted
    for r_in, c_in in [
        (str(tmp_path / "ref"), cur),
        (str(tmp_path / "ref"), str(tmp_path / "cur")),
        (pa.Table.from_pandas(ref, preserve_index=False), cur),
        (ref, ds.dataset(str(tmp_path / "cur"), format="parquet")),
    ]:
        report = detect_drift(r_in, c_in)
        for col in report.columns:
            if "within sketch error" not in col.reason:
                assert col.drifted == expected[col.name].drifted, (type(r_in), col.name, col.reason)


def test_columns_and_categorical_select_what_is_read(tmp_path):
    df = frame(3, 2000)
    write_parts(df, tmp_path / "d", 1)
    p = profile(tmp_path / "d", columns=["x", "k"], categorical=["k"])
    assert p.names == ["x", "k"] and p["k"].kind == "categorical" and p["k"].categories == df["k"].value_counts().to_dict()
    report = detect_drift(str(tmp_path / "d"), df, columns=["c"])
    assert report.columns.names() == ["c"] and not report.drifted


def test_bad_sources_get_clear_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such file or directory"):
        profile(str(tmp_path / "absent.parquet"))
    with pytest.raises(FileNotFoundError, match="matches no file"):
        profile(str(tmp_path / "*.parquet"))
    (tmp_path / "junk.parquet").write_text("not parquet")
    with pytest.raises(ValueError, match="cannot read .*junk.parquet.* as Parquet"):
        profile(tmp_path / "junk.parquet")
    write_parts(frame(4, 100), tmp_path / "ok", 1)
    with pytest.raises(ValueError, match="column 'nope' is not in"):
        profile(tmp_path / "ok", columns=["nope"])
    with pytest.raises(TypeError, match="unsupported Arrow type"):
        profile(pa.table({"t": pa.array([1, 2], type=pa.timestamp("s"))}))
    with pytest.raises(FileNotFoundError, match="reference: .*absent"):
        detect_drift(str(tmp_path / "absent"), frame(4, 100))


def test_a_list_of_values_is_data_not_paths():
    assert not is_path_input(["red", "green"])
    assert is_path_input(["a.parquet", "b.parquet"]) and is_path_input("data/")
    report = detect_drift(["red", "green"] * 50, ["red", "green"] * 50)
    assert not report.drifted


PEAK_SCRIPT = textwrap.dedent(
    """
    import json, sys
    from pytest_mlgate.profile import profile
    paths = json.loads(sys.argv[1])
    p = profile(paths)
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over fork and exec, so this child would report
    # at least the size of the pytest process that started it
    with open("/proc/self/status") as fh:
        peak = next(int(line.split()[1]) for line in fh if line.startswith("VmHWM:"))
    print(json.dumps({"rows": p.rows, "peak_mb": peak / 1024}))
    """
)


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="VmHWM is read from /proc (Linux)")
def test_streamed_parquet_peak_memory_stays_bounded(tmp_path):
    """Peak RSS of profiling 305 MB of decoded Parquet (one 80 MB file of 131,072-row row groups,
    read four times) exceeds that of profiling 1,000 rows by less than the README's 64 MB.

    Before the reader decoded a few column chunks at a time it grew by ~210 MB here (pre-buffering
    the whole file and decoding whole row groups); ``benchmarks/profile_memory.py`` measures more.
    """
    bound_mb = 64
    g = np.random.default_rng(5)
    rows, cols, reads = 500_000, 20, 4
    table = pa.table({f"x{i}": g.normal(size=rows) for i in range(cols)})
    pq.write_table(table, tmp_path / "big.parquet", row_group_size=131_072)
    pq.write_table(table.slice(0, 1000), tmp_path / "tiny.parquet")
    del table
    decoded_mb = rows * cols * 8 * reads / 2**20
    assert decoded_mb >= 4 * bound_mb  # the data is several times the bound
    script = tmp_path / "peak.py"
    script.write_text(PEAK_SCRIPT)
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1")

    def peak(paths):
        out = subprocess.run(
            [sys.executable, str(script), json.dumps([str(p) for p in paths])],
            capture_output=True, text=True, check=True, env=env, timeout=300,
        )
        return json.loads(out.stdout.strip().splitlines()[-1])

    base = peak([tmp_path / "tiny.parquet"])
    result = peak([tmp_path / "big.parquet"] * reads)
    assert base["rows"] == 1000 and result["rows"] == rows * reads
    growth = result["peak_mb"] - base["peak_mb"]
    assert growth < bound_mb, f"peak RSS grew {growth:.1f} MB for {decoded_mb:.0f} MB of data"


# ------------------------------------------------------------------ evaluation from a predictions table


def predictions(n: int = 6000, seed: int = 0) -> pd.DataFrame:
    g = np.random.default_rng(seed)
    y = g.integers(0, 2, n)
    score = np.clip(0.35 * y + 0.65 * g.random(n), 0, 1)
    return pd.DataFrame({"label": y, "pred": (score > 0.5).astype(int), "score": score, "group": g.choice(["a", "b"], n)})


def test_table_metrics_from_parquet_equal_scikit_learn(tmp_path):
    from sklearn import metrics as skm

    from pytest_mlgate.table_eval import evaluate_table

    df = predictions()
    write_parts(df, tmp_path / "preds", 3)
    names = ["accuracy", "balanced_accuracy", "precision", "recall", "f1", "matthews_corrcoef", "roc_auc", "log_loss", "brier_score"]
    ev = evaluate_table(str(tmp_path / "preds"), y_true="label", y_pred="pred", y_score="score", slice_by="group",
                        metrics=names, n_resamples=50)
    y, p, s = df["label"], df["pred"], df["score"]
    expected = {
        "accuracy": skm.accuracy_score(y, p), "balanced_accuracy": skm.balanced_accuracy_score(y, p),
        "precision": skm.precision_score(y, p), "recall": skm.recall_score(y, p), "f1": skm.f1_score(y, p),
        "matthews_corrcoef": skm.matthews_corrcoef(y, p), "log_loss": skm.log_loss(y, s),
        "brier_score": skm.brier_score_loss(y, s),
    }
    for name, value in expected.items():
        assert ev.values[name] == pytest.approx(value, rel=1e-9), name
        lo, hi = ev.intervals[name]
        assert lo <= ev.values[name] <= hi
    assert abs(ev.values["roc_auc"] - skm.roc_auc_score(y, s)) <= ev.errors["roc_auc"]
    a = df[df.group == "a"]
    assert ev.values["accuracy[group=a]"] == pytest.approx(skm.accuracy_score(a.label, a.pred))
    assert ev.n["accuracy[group=a]"] == len(a) and "accuracy_gap" in ev.values


def simulated_scores(kind: str, n: int, share: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Labels and scores in [0, 1] of one simulated model: ``kind`` names the score distribution."""
    g = np.random.default_rng(seed)
    y = (g.random(n) < share).astype(int)
    y[: max(1, round(n * share / 4))] = 1  # a tiny share still has positives
    g.shuffle(y)
    if kind == "separated":
        s = np.where(y == 1, g.normal(0.8, 0.08, n), g.normal(0.2, 0.08, n))
    elif kind == "overlapping":
        s = np.where(y == 1, g.normal(0.55, 0.15, n), g.normal(0.45, 0.15, n))
    elif kind == "beta":
        s = np.where(y == 1, g.beta(4, 2, n), g.beta(2, 4, n))
    elif kind == "ties":  # a few distinct scores, as from a small tree ensemble
        s = np.round(0.6 * g.random(n) + 0.3 * y, 2)
    else:  # "ends": many scores exactly 0 or 1, the rest continuous
        s = np.where(g.random(n) < 0.3, y.astype(float), g.random(n))
        s = np.where(g.random(n) < 0.05, 1.0 - y, s)
    return y, np.clip(s, 0.0, 1.0)


AP_CASES = [(kind, n, share) for kind in ("separated", "overlapping", "beta", "ties", "ends")
            for n, share in ((3000, 0.3), (50_000, 0.05), (200_000, 0.001), (200_000, 0.5))]


@pytest.mark.parametrize(("kind", "n", "share"), AP_CASES)
def test_table_average_precision_error_contains_scikit_learn(kind, n, share):
    from sklearn import metrics as skm

    from pytest_mlgate.table_eval import evaluate_table

    for seed in range(3):
        y, s = simulated_scores(kind, n, share, seed)
        df = pd.DataFrame({"label": y, "score": s})
        ev = evaluate_table(df, y_true="label", y_score="score", metrics=["roc_auc", "average_precision"], n_resamples=0)
        ap, err = ev.values["average_precision"], ev.errors["average_precision"]
        exact = skm.average_precision_score(y, s)
        assert ap - err - 1e-12 <= exact <= ap + err + 1e-12, (kind, n, share, seed, ap, err, exact)
        assert abs(ev.values["roc_auc"] - skm.roc_auc_score(y, s)) <= ev.errors["roc_auc"] + 1e-12
        if kind == "ties":  # every distinct score in a bin of its own: one threshold per bin, as scikit-learn
            assert ap == pytest.approx(exact, abs=1e-12)
        if kind in ("separated", "overlapping", "beta"):  # continuous scores: measured at most 1.6e-3, 7.3e-3 at 0.1%
            assert err <= (1e-2 if share < 0.01 else 2.5e-3), (kind, n, share, seed, err)


def test_table_average_precision_error_is_attained():
    """The bound is sharp: the raw scores can reach either end within the same histogram."""
    from sklearn import metrics as skm

    from pytest_mlgate.table_eval import SCORE_BINS, _average_precision

    g = np.random.default_rng(3)
    bins = g.integers(SCORE_BINS - 40, SCORE_BINS, 600)  # few bins, so that they mix both classes
    y = (g.random(600) < 0.4).astype(int)
    h = np.zeros((2, SCORE_BINS))
    np.add.at(h, (y, bins), 1.0)
    ap, err = _average_precision(h)
    low = bins / SCORE_BINS
    jitter = g.permutation(600) / (600 * SCORE_BINS * 2)  # distinct offsets inside the bin's lower half
    best = np.where(y == 1, low + 0.9 / SCORE_BINS, low + jitter)  # positives tied above the negatives
    worst = np.where(y == 1, low + jitter, low + 0.9 / SCORE_BINS)  # negatives above distinct positives
    hi, lo = skm.average_precision_score(y, best), skm.average_precision_score(y, worst)
    assert lo < ap < hi
    assert err == pytest.approx(max(hi - ap, ap - lo), rel=1e-9)


def test_harmonic_sums():
    from pytest_mlgate.table_eval import _harmonic

    x = np.array([0, 0, 3, 50, 98, 99, 100, 150, 1e3, 1e6, 1e9, 1e4, 5, 2e5])
    p = np.array([1, 5, 1, 7, 1, 1, 1, 1, 1, 1, 3, 1e5, 1e6, 2e5])
    exact = [math.fsum((1.0 / (a + np.arange(1, int(b) + 1))).tolist()) for a, b in zip(x, p)]
    np.testing.assert_allclose(_harmonic(x, p), exact, rtol=1e-12)


scores_in_few_bins = st.sampled_from([0.0, 1.0, 0.5, 0.5 + 1e-9, 0.5 + 2e-9, 1 - 1e-12, 1 / 2048, 1.5 / 2048, 0.25, 0.2500001])


@settings(max_examples=200, deadline=None, database=None)
@given(st.lists(st.tuples(st.booleans(), st.one_of(scores_in_few_bins, st.floats(0, 1))), min_size=1, max_size=40))
def test_table_average_precision_error_fuzz(rows):
    from sklearn import metrics as skm

    from pytest_mlgate.table_eval import evaluate_table

    y = np.array([int(a) for a, _ in rows])
    s = np.array([b for _, b in rows])
    ev = evaluate_table(pd.DataFrame({"label": y, "score": s}), y_true="label", y_score="score",
                        metrics=["average_precision"], n_resamples=0)
    ap, err = ev.values["average_precision"], ev.errors["average_precision"]
    if not y.any():
        assert math.isnan(ap) and err == 0.0
        return
    assert ap - err - 1e-12 <= skm.average_precision_score(y, s) <= ap + err + 1e-12
    assert 0.0 <= err <= 1.0


def test_table_average_precision_bootstrap_and_slices():
    from sklearn import metrics as skm

    from pytest_mlgate.table_eval import evaluate_table

    df = predictions(8000, seed=4)
    ev = evaluate_table(df, y_true="label", y_score="score", slice_by="group",
                        metrics=["average_precision", "roc_auc"], n_resamples=60, seed=1)
    for name, rows in (("average_precision", df), ("average_precision[group=a]", df[df.group == "a"])):
        lo, hi = ev.intervals[name]
        assert lo < ev.values[name] < hi and hi - lo < 0.1
        assert abs(ev.values[name] - skm.average_precision_score(rows.label, rows.score)) <= ev.errors[name] + 1e-12
        assert 0 < ev.errors[name] < 1e-3
    assert set(ev.errors) == {f"{m}{k}" for m in ("average_precision", "roc_auc") for k in ("", "[group=a]", "[group=b]")}


def test_fixture_evaluate_data_gates_table_metrics(models, tmp_path):
    df = predictions()
    write_parts(df, tmp_path / "preds", 2)
    models.makepyfile(
        f"""
        import pytest

        @pytest.mark.model_threshold(accuracy=0.6, roc_auc=0.7)
        def test_table(mlgate):
            values = mlgate.evaluate(data={str(tmp_path / "preds")!r}, y_true="label", y_pred="pred", y_score="score")
            assert set(values) == {{"accuracy", "roc_auc"}}

        @pytest.mark.model_threshold(accuracy=0.99)
        def test_table_fails(mlgate):
            mlgate.evaluate(data={str(tmp_path / "preds")!r}, y_true="label", y_pred="pred")
        """
    )
    result = models.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*accuracy*0.99*"])


def test_fixture_table_interval_counts_the_binning_error(models, tmp_path):
    import json

    from pytest_mlgate.table_eval import evaluate_table

    df = predictions()
    df["score"] = np.where(df.index % 3 == 0, (df.index % 2).astype(float), df["score"])  # many exact 0s and 1s
    write_parts(df, tmp_path / "preds", 2)
    errors = evaluate_table(str(tmp_path / "preds"), y_true="label", y_pred="pred", y_score="score", metrics=["roc_auc", "average_precision"], n_resamples=0).errors
    assert errors["roc_auc"] > 1e-3 and errors["average_precision"] > 1e-3
    models.makepyfile(
        f"""
        import pytest

        @pytest.mark.model_threshold(roc_auc=0.5, average_precision=0.5)
        def test_table(mlgate):
            mlgate.evaluate(data={str(tmp_path / "preds")!r}, y_true="label", y_pred="pred", y_score="score")
        """
    )
    models.runpytest("-p", "no:randomly", "--mlgate-json", "r.json").assert_outcomes(passed=1)
    metrics = json.loads((models.path / "r.json").read_text())["tests"][0]["metrics"]
    for name in ("roc_auc", "average_precision"):
        m = metrics[name] if isinstance(metrics, dict) else next(x for x in metrics if x["name"] == name)
        lo, hi = m["interval"]
        assert lo <= m["value"] - errors[name] and hi >= m["value"] + errors[name]
