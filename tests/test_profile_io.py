"""Profiles in and out of files: Parquet inputs whose files disagree, saved profiles that are
inconsistent, and the clear errors both get (file, column and cause named; nothing dropped)."""

from __future__ import annotations

import copy
import json
import os

import numpy as np
import pandas as pd
import pytest

pa = pytest.importorskip("pyarrow", reason="pyarrow is the parquet extra: pip install pytest-mlgate[parquet]")
import pyarrow.parquet as pq  # noqa: E402

from pytest_mlgate.cli import main  # noqa: E402
from pytest_mlgate.profile import Profile, ProfileError, profile  # noqa: E402

# ------------------------------------------------------------------ Parquet files that disagree


@pytest.fixture
def two_schemas(tmp_path):
    d = tmp_path / "d"
    d.mkdir()
    p1, p2 = d / "p1.parquet", d / "p2.parquet"
    pq.write_table(pa.table({"a": [1.0, 2.0], "b": [1.0, 2.0]}), p1)
    pq.write_table(pa.table({"a": [3.0, 4.0]}), p2)
    return d, p1, p2


def test_files_with_different_columns_are_an_error_in_any_order(two_schemas):
    d, p1, p2 = two_schemas
    for src in ([p1, p2], [p2, p1], [str(p2), str(p1)], d, str(d / "*.parquet")):
        with pytest.raises(ValueError, match=r"column 'b' is in .*p1\.parquet.* but not in .*p2\.parquet") as err:
            profile(src)
        assert "columns=" in str(err.value)  # says how to profile the shared columns


def test_columns_selects_what_every_file_must_hold(two_schemas):
    d, p1, p2 = two_schemas
    for src in ([p2, p1], [p1, p2], d):
        p = profile(src, columns=["a"])
        assert p.rows == 4 and p.names == ["a"] and p["a"].moments.n == 4
        with pytest.raises(ValueError, match=r"column 'b' is not in .*p2\.parquet' \(it is in .*p1\.parquet'\)"):
            profile(src, columns=["a", "b"])
    with pytest.raises(ValueError, match=r"column 'zz' is not in any of the files"):
        profile([p2, p1], columns=["zz"])


def test_a_column_whose_type_differs_between_files_is_an_error_naming_both(tmp_path):
    i, s = tmp_path / "i.parquet", tmp_path / "s.parquet"
    pq.write_table(pa.table({"x": pa.array([1, 2, 3])}), i)
    pq.write_table(pa.table({"x": pa.array(["x", "y"])}), s)
    for order in ([i, s], [s, i], tmp_path):
        with pytest.raises(ValueError, match=r"column 'x' is categorical \(string\) in .*s\.parquet' but numeric \(int64\) in .*i\.parquet'"):
            profile(order)
    # asking for categories makes both files' values categories
    p = profile([i, s], categorical=["x"])
    assert p["x"].categories == {1: 1, 2: 1, 3: 1, "x": 1, "y": 1}


def test_compatible_types_across_files_are_profiled_together(tmp_path):
    pq.write_table(pa.table({"x": pa.array([1, 2], type=pa.int32()), "c": pa.array(["a", "b"])}), tmp_path / "a.parquet")
    pq.write_table(
        pa.table({"x": pa.array([0.5, None]), "c": pa.array(["a", None], type=pa.large_string()).dictionary_encode()}),
        tmp_path / "b.parquet",
    )
    pq.write_table(pa.table({"x": pa.array([None, None], type=pa.null()), "c": pa.array(["b", "b"])}), tmp_path / "c.parquet")
    for src in (tmp_path, [tmp_path / "c.parquet", tmp_path / "b.parquet", tmp_path / "a.parquet"]):
        p = profile(src)
        assert p.rows == 6
        assert p["x"].kind == "numeric" and p["x"].missing == 3 and p["x"].values == {0.5: 1, 1.0: 1, 2.0: 1}
        assert p["c"].kind == "categorical" and p["c"].categories == {"a": 2, "b": 3} and p["c"].missing == 1


def test_duplicate_arrow_column_names_are_a_value_error():
    table = pa.Table.from_arrays([pa.array([1.0]), pa.array(["x"])], names=["a", "a"])
    with pytest.raises(ValueError, match="duplicate column 'a'"):
        profile(table)


def test_duplicate_column_names_in_a_parquet_file(tmp_path):
    path = tmp_path / "dup.parquet"
    pq.write_table(pa.Table.from_arrays([pa.array([1.0]), pa.array(["x"])], names=["a", "a"]), path)
    with pytest.raises(ValueError, match=r"duplicate column 'a' in .*dup\.parquet"):
        profile(path)


def test_a_directory_with_a_non_parquet_file_names_that_file(tmp_path):
    d = tmp_path / "txt"
    d.mkdir()
    pq.write_table(pa.table({"x": [1.0]}), d / "p1.parquet")
    (d / "README.txt").write_text("hi")
    with pytest.raises(ValueError, match=r"cannot read .*README\.txt.* as Parquet"):
        profile(d)
    # files and directories starting with _ or . are not data (as in pyarrow.dataset): _SUCCESS, .crc
    os.remove(d / "README.txt")
    (d / "_SUCCESS").write_text("")
    (d / ".p1.parquet.crc").write_text("x")
    (d / "_tmp").mkdir()
    (d / "_tmp" / "junk").write_text("x")
    assert profile(d).rows == 1


def test_nested_directories_are_read_in_sorted_order(tmp_path):
    for part, value in [("k=2", 2.0), ("k=1", 1.0)]:
        (tmp_path / part).mkdir()
        pq.write_table(pa.table({"x": [value]}), tmp_path / part / "data.parquet")
    p = profile(tmp_path)
    assert p.rows == 2 and p["x"].values == {1.0: 1, 2.0: 1}


def test_arrow_read_errors_of_a_dataset_are_value_errors_naming_the_source(tmp_path):
    import pyarrow.dataset as ds

    pq.write_table(pa.table({"x": pa.array([1, 2])}), tmp_path / "a.parquet")
    pq.write_table(pa.table({"x": pa.array(["s"])}), tmp_path / "b.parquet")
    with pytest.raises(ValueError, match="profile: cannot read FileSystemDataset: Failed to parse") as err:
        profile(ds.dataset(tmp_path, format="parquet"))
    assert not isinstance(err.value, pa.ArrowException)


def test_a_complex_column_is_refused_not_truncated():
    with pytest.raises(TypeError, match="column 'a' has unsupported dtype complex128"):
        profile(pd.DataFrame({"a": [1 + 2j, 3j]}))


# ------------------------------------------------------------------ saving


def test_save_to_a_directory_or_into_a_missing_directory_is_a_profile_error(tmp_path):
    p = profile(pd.DataFrame({"x": [1.0, 2.0]}))
    with pytest.raises(ProfileError, match=f"cannot write the profile to '{tmp_path}': it is a directory"):
        p.save(tmp_path)
    missing = tmp_path / "no" / "such" / "p.json"
    with pytest.raises(ProfileError, match=r"cannot write the profile to '.*p\.json': the directory '.*such' does not exist"):
        p.save(missing)
    assert os.listdir(tmp_path) == []  # no temporary file left behind


# ------------------------------------------------------------------ loading inconsistent files


@pytest.fixture
def saved():
    g = np.random.default_rng(0)
    return profile(pd.DataFrame({"x": g.normal(size=5000), "small": np.arange(5000) % 4, "c": ["a", "b"] * 2500})).to_json()


def _cols(d):
    return {c["name"]: c for c in d["columns"]}


@pytest.mark.parametrize(
    "mutate, cause",
    [
        (lambda d: _cols(d)["small"]["values"][0].__setitem__(1, 99999), "value counts sum to"),
        (lambda d: [v.__setitem__(1, v[1] * 3) for v in _cols(d)["small"]["values"]], "value counts sum to"),
        (lambda d: _cols(d)["small"]["values"].append(list(_cols(d)["small"]["values"][0])), "value 0.0 appears twice"),
        (lambda d: _cols(d)["small"]["values"][0].__setitem__(0, -5.0), "value -5.0 is outside"),
        (lambda d: _cols(d)["x"]["moments"].update(mean=1e9), "mean .* is outside"),
        (lambda d: _cols(d)["x"]["moments"].update(m2=1e12), "standard deviation .* exceeds"),
        (lambda d: _cols(d)["x"]["moments"].update(min=-100.0), "sketch's minimum"),
        (lambda d: d.update(version=True), "unsupported profile version True"),
        (lambda d: d.update(version=1.0), "unsupported profile version 1.0"),
        (lambda d: d.update(category_cap=-1), "'category_cap' must be an integer >= 1"),
        (lambda d: d.update(distinct_cap="64"), "'distinct_cap' must be an integer >= 1"),
        (lambda d: d.update(distinct_cap=2), "4 distinct values exceed distinct_cap 2"),
        (lambda d: d["sketch"].update(k=200), "sketch k is 1000, but the file says 200"),
        (lambda d: d.update(sketch="kll"), "'sketch' must be an object"),
        (lambda d: _cols(d)["c"]["categories"].append(["a", 0]), "category 'a' appears twice"),
        (lambda d: _cols(d)["c"].update(other_rows=5, categories=[["a", 2495], ["b", 2500]]), "other_rows 5 but other_categories 0"),
    ],
)
def test_load_rejects_inconsistent_files(tmp_path, saved, mutate, cause):
    doc = copy.deepcopy(saved)
    mutate(doc)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(ProfileError, match=f"profile file '.*bad.json'.*({cause})"):
        Profile.load(path)


def test_a_valid_file_still_loads(tmp_path, saved):
    path = tmp_path / "good.json"
    path.write_text(json.dumps(saved))
    assert Profile.load(path).to_json() == saved


def test_load_of_deeply_nested_json_is_a_profile_error(tmp_path):
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(ProfileError, match=r"profile file '.*deep\.json'.*nested too deeply"):
        Profile.load(path)


# ------------------------------------------------------------------ the command line


def test_cli_prints_one_clear_line_for_bad_inputs(tmp_path, two_schemas, capsys):
    d, _, _ = two_schemas
    (tmp_path / "t").mkdir()
    pq.write_table(pa.table({"x": [1.0]}), tmp_path / "t" / "p.parquet")
    (tmp_path / "t" / "README.txt").write_text("hi")
    cases = [
        ([str(d)], str(tmp_path / "o.json"), "column 'b' is in"),
        ([str(tmp_path / "t")], str(tmp_path / "o.json"), "README.txt"),
        ([str(d)], str(tmp_path), "is a directory"),
    ]
    for data, out, needle in cases:
        args = ["profile", *data, "-o", out] + (["--columns", "a"] if out == str(tmp_path) else [])
        assert main(args) == 2
        err = capsys.readouterr().err
        assert needle in err and err.count("\n") == 1 and "Traceback" not in err, err


def test_cli_reports_an_unexpected_failure_in_one_line(tmp_path, monkeypatch, capsys):
    import sys

    profile_module = sys.modules["pytest_mlgate.profile"]  # the package's `profile` is the function

    def boom(*args, **kwargs):
        raise RuntimeError("something\nwent wrong")

    monkeypatch.setattr(profile_module, "profile", boom)
    pq.write_table(pa.table({"x": [1.0]}), tmp_path / "p.parquet")
    assert main(["profile", str(tmp_path / "p.parquet"), "-o", str(tmp_path / "o.json")]) == 1
    err = capsys.readouterr().err
    assert err == "mlgate profile: error: RuntimeError: something went wrong\n"


def test_a_glob_over_a_spark_output_directory_skips_its_marker_files(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    out = tmp_path / "out"
    out.mkdir()
    for i in range(2):
        pq.write_table(pa.table({"x": [float(i), 2.0, 3.0]}), out / f"part-{i}.parquet")
    (out / "_SUCCESS").write_text("")
    (out / ".part-0.parquet.crc").write_text("crc")
    p = profile(str(out / "*"))
    assert p.rows == 6 and p.rows == profile(str(out)).rows
