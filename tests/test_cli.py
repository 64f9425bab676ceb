"""Tests of the ``mlgate profile`` console script."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

pa = pytest.importorskip("pyarrow", reason="pyarrow is the parquet extra: pip install pytest-mlgate[parquet]")
import pyarrow.parquet as pq  # noqa: E402

from pytest_mlgate.cli import main  # noqa: E402
from pytest_mlgate.drift import detect_drift  # noqa: E402
from pytest_mlgate.profile import Profile  # noqa: E402


@pytest.fixture
def dataset(tmp_path):
    g = np.random.default_rng(0)
    df = pd.DataFrame({"x": g.normal(size=3000), "c": g.choice(["a", "b"], 3000), "k": g.integers(0, 4, 3000)})
    (tmp_path / "ref").mkdir()
    for i, part in enumerate(np.array_split(np.arange(3000), 3)):
        pq.write_table(pa.Table.from_pandas(df.iloc[part], preserve_index=False), tmp_path / "ref" / f"p{i}.parquet")
    return df, tmp_path


def test_profile_command_writes_a_loadable_profile(dataset, capsys):
    df, tmp = dataset
    out = tmp / "reference.profile.json"
    assert main(["profile", str(tmp / "ref"), "-o", str(out)]) == 0
    assert "3000 rows, 3 columns" in capsys.readouterr().out
    p = Profile.load(out)
    assert p.rows == 3000 and p.names == ["x", "c", "k"]
    assert not detect_drift(p, df).drifted


def test_glob_columns_and_categorical_options(dataset):
    df, tmp = dataset
    out = tmp / "p.json"
    assert main(["profile", str(tmp / "ref" / "*.parquet"), "-o", str(out), "--columns", "x,k", "--categorical", "k"]) == 0
    p = Profile.load(out)
    assert p.names == ["x", "k"] and p["k"].kind == "categorical"


def test_csv_input(tmp_path):
    csv = tmp_path / "d.csv"
    pd.DataFrame({"x": [1.0, 2.0, 3.5], "c": ["a", "b", "a"]}).to_csv(csv, index=False)
    assert main(["profile", str(csv), "-o", str(tmp_path / "p.json")]) == 0
    assert Profile.load(tmp_path / "p.json")["c"].categories == {"a": 2, "b": 1}


def test_bad_input_is_exit_status_2_naming_it(tmp_path, capsys):
    assert main(["profile", str(tmp_path / "absent.parquet"), "-o", str(tmp_path / "p.json")]) == 2
    err = capsys.readouterr().err
    assert "mlgate profile: error:" in err and "absent.parquet" in err
    assert not (tmp_path / "p.json").exists()
    with pytest.raises(SystemExit) as exc:
        main(["profile", str(tmp_path)])  # -o is required
    assert exc.value.code == 2


def test_console_script_is_installed(dataset):
    df, tmp = dataset
    exe = shutil.which("mlgate") or str(__import__("pathlib").Path(sys.executable).with_name("mlgate"))
    result = subprocess.run([exe, "profile", str(tmp / "ref"), "-o", str(tmp / "s.json")], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert json.loads((tmp / "s.json").read_text())["rows"] == 3000
