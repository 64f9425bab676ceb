"""The model cache core: keys, fingerprints, entries on disk, modes and locking, from plain Python."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pandas as pd
import pytest

from pytest_mlgate.cache import (
    ENTRY_SUFFIX,
    CorruptEntry,
    Fingerprinter,
    ModelCache,
    ModelUse,
    environment,
    read_entry,
    write_entry,
)
from pytest_mlgate.gates import MlgateWarning

TRAINER = """
from pathlib import Path

import numpy as np

COUNTER = Path(__file__).with_name("trained.txt")
SCALE = 2.0


def helper(X):
    return X * SCALE


def train(X, y=None, *, alpha=1.0):
    with COUNTER.open("a") as fh:
        fh.write("trained\\n")
    return {"coef": helper(np.asarray(X, dtype=float)).sum(axis=0) / alpha}
"""


def load_module(path: Path, name: str) -> ModuleType:
    """Import ``path`` as a fresh module ``name`` (edited sources give new function objects)."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(sys, "dont_write_bytecode", True)  # an edit in the same second must not load stale .pyc
    monkeypatch.delitem(sys.modules, "trainer", raising=False)
    (tmp_path / "trainer.py").write_text(TRAINER)
    return tmp_path


def trainer(project: Path, source: str | None = None) -> ModuleType:
    """The project's ``trainer`` module, imported afresh (after writing ``source`` into it)."""
    if source is not None:
        (project / "trainer.py").write_text(source)
    return load_module(project / "trainer.py", "trainer")


def trained(project: Path) -> int:
    path = project / "trained.txt"
    return len(path.read_text().splitlines()) if path.exists() else 0


def make_cache(project: Path, mode: str = "rw", uses: list[ModelUse] | None = None) -> ModelCache:
    return ModelCache(project / "cache", mode=mode, project_root=project,
                      on_use=None if uses is None else uses.append)


X = np.arange(12.0).reshape(4, 3)


# ---------------------------------------------------------------------------------- keys
def test_key_is_stable_across_module_reloads(project: Path) -> None:
    cache = make_cache(project)
    first = cache.key("m", trainer(project).train, X, alpha=2.0)
    assert cache.key("m", trainer(project).train, X, alpha=2.0) == first
    assert cache.key("m", trainer(project).train, X.copy(), alpha=2.0) == first  # content, not identity


def test_key_is_stable_across_processes(project: Path) -> None:
    script = textwrap.dedent(f"""
        import sys, numpy as np
        sys.path.insert(0, {str(project)!r})
        import trainer
        from pytest_mlgate.cache import ModelCache
        cache = ModelCache({str(project / "cache")!r}, project_root={str(project)!r})
        print(cache.key("m", trainer.train, np.arange(12.0).reshape(4, 3), alpha=2.0))
    """)
    keys = {subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                           env={"PYTHONHASHSEED": str(seed), "PATH": ""}).stdout.strip() for seed in (1, 2)}
    assert len(keys) == 1
    local = ModelCache(project / "cache", project_root=project)
    assert keys == {local.key("m", trainer(project).train, X, alpha=2.0)}


@pytest.mark.parametrize(
    "edit",
    [
        ("/ alpha}", "/ alpha / 2}"),  # the training function's body
        ("return X * SCALE", "return X * SCALE + 0"),  # a helper it calls
        ("SCALE = 2.0", "SCALE = 3.0"),  # a module constant it reads
        ("alpha=1.0):", "alpha=1.5):"),  # a default value
    ],
    ids=["train-body", "helper", "constant", "default"],
)
def test_editing_code_changes_the_key(project: Path, edit: tuple[str, str]) -> None:
    cache = make_cache(project)
    before = cache.key("m", trainer(project).train, X)
    assert edit[0] in TRAINER
    after = cache.key("m", trainer(project, TRAINER.replace(*edit)).train, X)
    assert after != before


def test_comments_and_line_numbers_do_not_change_the_key(project: Path) -> None:
    cache = make_cache(project)
    before = cache.key("m", trainer(project).train, X)
    moved = "# a comment\n\n\n" + TRAINER.replace("def helper(X):", "def helper(X):  # scales")
    assert cache.key("m", trainer(project, moved).train, X) == before


def test_every_argument_is_in_the_key(project: Path) -> None:
    cache = make_cache(project)
    train = trainer(project).train
    base = cache.key("m", train, X, alpha=1.0)
    one_value = X.copy()
    one_value[2, 1] += 1e-9
    assert cache.key("m", train, one_value, alpha=1.0) != base
    assert cache.key("m", train, X, alpha=2.0) != base
    assert cache.key("m", train, X, None, alpha=1.0) != base
    assert cache.key("m", train, X.astype(np.float32), alpha=1.0) != base
    assert cache.key("other", train, X, alpha=1.0) != base


def test_frames_are_fingerprinted_by_content() -> None:
    fp = Fingerprinter()
    frame = pd.DataFrame({"a": np.arange(1000.0), "b": ["x", "y"] * 500, "c": pd.Categorical(["p", "q"] * 500)})
    digest = fp.value(frame, "frame")
    assert fp.value(frame.copy(), "frame") == digest
    edited = frame.copy()
    edited.loc[517, "a"] = -1.0
    assert fp.value(edited, "frame") != digest
    edited = frame.copy()
    edited.loc[3, "b"] = "z"
    assert fp.value(edited, "frame") != digest
    assert fp.value(frame.rename(columns={"a": "A"}), "frame") != digest
    assert fp.value(frame.set_axis(np.arange(1, 1001)), "frame") != digest


def test_closure_data_is_in_the_key(project: Path) -> None:
    cache = ModelCache(project / "cache", project_root=Path(__file__).parent)  # this file is the project

    def factory(data: np.ndarray) -> Any:
        def train() -> float:
            return float(data.sum())
        return train

    changed = X.copy()
    changed[0, 0] = 99.0
    assert cache.key("m", factory(X)) == cache.key("m", factory(X.copy()))
    assert cache.key("m", factory(X)) != cache.key("m", factory(changed))


def test_library_code_is_named_not_walked(project: Path) -> None:
    from sklearn.linear_model import LogisticRegression

    fp = Fingerprinter(project)
    assert not fp.is_project(LogisticRegression)
    assert not fp.is_project(np.mean)
    assert fp.is_project(trainer(project).train)
    assert ModelCache(project / "cache", project_root=project).key("m", LogisticRegression, C=1.0)


def test_versions_are_in_the_key(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env = environment()
    assert env["python"] == sys.version
    assert {"numpy", "scipy", "pandas", "scikit-learn"} <= set(env["packages"])
    train = trainer(project).train
    before = make_cache(project).key("m", train, X)
    upgraded = {**env, "packages": {**env["packages"], "scikit-learn": "99.0"}}
    monkeypatch.setattr("pytest_mlgate.cache.environment", lambda: upgraded)
    assert make_cache(project).key("m", train, X) != before


# ---------------------------------------------------------------------------------- bad input
def test_non_callable_train_is_a_clear_error(project: Path) -> None:
    with pytest.raises(TypeError, match=r"mlgate_cache.model\('m', train\): train must be callable.*got int"):
        make_cache(project).model("m", 3, X)
    with pytest.raises(TypeError, match="name must be a non-empty string"):
        make_cache(project).model("", trainer(project).train, X)


def test_unhashable_argument_names_the_argument(project: Path) -> None:
    train = trainer(project).train
    with pytest.raises(TypeError, match=r"argument 1 of train \(generator\) cannot be fingerprinted"):
        make_cache(project).model("m", train, X, (i for i in range(3)))
    with pytest.raises(TypeError, match=r"parameter alpha= \(generator\) cannot be fingerprinted"):
        make_cache(project).model("m", train, X, alpha=(i for i in range(3)))
    assert trained(project) == 0  # refused before training


def test_unpicklable_result_is_a_clear_error(project: Path) -> None:
    import threading

    cache = make_cache(project)
    with pytest.raises(TypeError, match=r"the model train returned \(dict\) cannot be pickled"):
        cache.model("m", lambda: {"lock": threading.Lock()})
    assert cache.entries() == []
    assert list((project / "cache").glob("*.tmp")) == []  # no partial file left behind


# ---------------------------------------------------------------------------------- entries
def test_entry_round_trip(tmp_path: Path) -> None:
    path = tmp_path / f"m{ENTRY_SUFFIX}"
    value = {"w": np.arange(100_000.0), "name": "x"}
    write_entry(path, value, {"key": "k", "train_seconds": 1.5})
    meta, loaded = read_entry(path)
    assert meta == {"key": "k", "train_seconds": 1.5}
    np.testing.assert_array_equal(loaded["w"], value["w"])
    assert loaded["name"] == "x"


@pytest.mark.parametrize("damage", ["flip", "truncate", "header", "extend"])
def test_damaged_entries_are_refused(tmp_path: Path, damage: str) -> None:
    path = tmp_path / f"m{ENTRY_SUFFIX}"
    write_entry(path, {"w": np.arange(1000.0)}, {"key": "k"})
    data = bytearray(path.read_bytes())
    if damage == "flip":
        data[-100] ^= 0xFF
    elif damage == "truncate":
        del data[-10:]
    elif damage == "header":
        data[:5] = b"XXXXX"
    else:
        data += b"\0"
    path.write_bytes(bytes(data))
    reason = {"flip": "checksum mismatch", "truncate": "truncated", "header": "bad header", "extend": "extended"}
    with pytest.raises(CorruptEntry, match=reason[damage]):
        read_entry(path)


# ---------------------------------------------------------------------------------- modes
def test_rw_trains_once_then_loads(project: Path) -> None:
    uses: list[ModelUse] = []
    first = make_cache(project, uses=uses).model("m", trainer(project).train, X, alpha=2.0)
    second = make_cache(project, uses=uses).model("m", trainer(project).train, X, alpha=2.0)
    assert trained(project) == 1
    np.testing.assert_array_equal(first["coef"], second["coef"])
    assert [u.source for u in uses] == ["trained", "cache"]
    assert uses[0].key == uses[1].key and len(uses[0].key) == 64
    assert uses[0].saved_seconds == 0.0 and uses[1].saved_seconds >= 0.0
    make_cache(project).model("m", trainer(project).train, X, alpha=3.0)
    assert trained(project) == 2  # a new parameter value is a new key


def test_read_mode_loads_but_never_stores(project: Path) -> None:
    train = trainer(project).train
    make_cache(project, "read").model("m", train, X)
    assert trained(project) == 1 and make_cache(project).entries() == []
    make_cache(project, "rw").model("m", train, X)
    make_cache(project, "read").model("m", train, X)
    assert trained(project) == 2


def test_off_mode_neither_loads_nor_stores(project: Path) -> None:
    train = trainer(project).train
    make_cache(project).model("m", train, X)
    stored = make_cache(project).entries()
    uses: list[ModelUse] = []
    make_cache(project, "off", uses).model("m", train, X)
    assert trained(project) == 2 and uses[0].source == "trained"
    assert make_cache(project).entries() == stored  # stored entries stay


def test_corrupt_entry_is_refused_with_a_warning_and_retrained(project: Path) -> None:
    train = trainer(project).train
    make_cache(project).model("m", train, X)
    (entry,) = make_cache(project).entries()
    data = bytearray(entry.read_bytes())
    data[-20] ^= 0x01
    entry.write_bytes(bytes(data))
    with pytest.warns(MlgateWarning, match=r"refused the stored entry of model 'm'.*checksum mismatch; retraining"):
        make_cache(project).model("m", train, X)
    assert trained(project) == 2
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        make_cache(project).model("m", train, X)  # the retrained entry replaced the corrupt one
    assert trained(project) == 2


def test_clear_removes_every_entry(project: Path) -> None:
    cache = make_cache(project)
    train = trainer(project).train
    cache.model("a", train, X)
    cache.model("b", train, X)
    assert len(cache.entries()) == 2
    assert cache.clear() == 2
    assert cache.entries() == []
    cache.model("a", train, X)
    assert trained(project) == 3


def test_a_cached_model_may_train_on_other_cached_models(project: Path) -> None:
    cache = make_cache(project)
    train = trainer(project).train

    def stacked(X: np.ndarray) -> dict[str, Any]:  # trains its base model through the cache, under its own lock
        return {"base": cache.model("base", train, X), "n": len(X)}

    first = cache.model("stacked", stacked, X)
    again = make_cache(project).model("stacked", stacked, X)
    assert first["n"] == again["n"] == 4
    assert trained(project) == 1 and len(cache.entries()) == 2


def test_an_unusable_directory_warns_and_trains(project: Path) -> None:
    (project / "cache").write_text("a file where the cache directory should be")
    with pytest.warns(MlgateWarning, match="cannot use the cache directory .* model 'm' trains without being stored"):
        value = make_cache(project).model("m", trainer(project).train, X)
    assert trained(project) == 1 and "coef" in value


def test_bad_mode_is_refused(project: Path) -> None:
    with pytest.raises(ValueError, match="mode='write': expected one of rw, read, off"):
        ModelCache(project / "cache", mode="write")


# ---------------------------------------------------------------------------------- processes
WORKER = """
import sys, time
sys.path.insert(0, {project!r})
import trainer
from pytest_mlgate.cache import ModelCache

def slow(X):
    time.sleep(0.5)
    return trainer.train(X)

cache = ModelCache({cache!r}, project_root={project!r})
start = float(sys.argv[1])
while time.time() < start:  # both processes ask at the same moment
    time.sleep(0.01)
for name in ("a", "b", "c"):
    cache.model(name, slow, [[1.0, 2.0], [3.0, 4.0]])
"""


def test_concurrent_processes_train_each_key_once_and_never_corrupt(project: Path) -> None:
    import time

    script = WORKER.format(project=str(project), cache=str(project / "cache"))
    start = str(time.time() + 1.5)
    procs = [subprocess.Popen([sys.executable, "-c", script, start], stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    assert trained(project) == 3  # three keys, each trained by one process; the other waited and loaded
    entries = make_cache(project).entries()
    assert len(entries) == 3
    for entry in entries:
        meta, value = read_entry(entry)  # every entry whole, checksum valid
        np.testing.assert_array_equal(value["coef"], [8.0, 12.0])
