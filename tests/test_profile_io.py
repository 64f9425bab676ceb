"""Profiles in and out of files: Parquet inputs whose files disagree, saved profiles that are
inconsistent, and the clear errors both get (file, column and cause named; nothing dropped)."""

from __future__ import annotations

import os

import pytest

pa = pytest.importorskip("pyarrow", reason="pyarrow is the parquet extra: pip install pytest-mlgate[parquet]")
import pyarrow.parquet as pq  # noqa: E402

from pytest_mlgate.profile import profile  # noqa: E402

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
