"""Fault injection: concurrent saves, signals, a full disk, unwritable and odd paths (issue 9).

Each test proves that nothing is lost and nothing passes by accident: no update of a concurrent
run is dropped, no file is torn, no temporary file survives, and every failure is an error that
names the file, never an INTERNALERROR. The slow ones (real pytest subprocesses) are marked
``slow``; the default test command runs them too.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pytest_mlgate._files import append_whole, remove_stale_temps, write_text_atomic
from pytest_mlgate.baseline import Baseline, BaselineEntry, BaselineError, append_history

pytestmark = pytest.mark.slow  # real processes, signals and filesystems

PROV = {"commit": "abc"}

#: One test per subset: each records the round number it was given, so a lost update shows.
SUBSETS = ["alpha", "beta", "gamma"]
SUITE = "import os\n\n" + "".join(
    f"def test_{name}(mlgate):\n    mlgate.record(score=float(os.environ['ROUND']) + {i} / 10)\n\n"
    for i, name in enumerate(SUBSETS)
)


def _leftovers(directory: Path) -> list[str]:
    return sorted(n for n in os.listdir(directory) if n.endswith((".tmp", ".lock")))


def _pytest(cwd: Path, *args: str, env: dict[str, str] | None = None, **popen: object) -> subprocess.Popen[str]:
    full_env = {**os.environ, **(env or {})}
    full_env.pop("GITHUB_STEP_SUMMARY", None)
    full_env.pop("PYTEST_ADDOPTS", None)
    full_env.pop("PYTEST_XDIST_WORKER", None)
    return subprocess.Popen(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:hypothesispytest", *args],
        cwd=cwd, env=full_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **popen,  # type: ignore[arg-type]
    )


# --- concurrent saves ------------------------------------------------------------------------


@pytest.mark.slow
def test_concurrent_saves_of_different_subsets_keep_every_update(tmp_path: Path) -> None:
    """Several pytest processes save different subsets of one suite into one baseline at once,
    round after round: the file holds every run's update (today's code lost most of them)."""
    (tmp_path / "test_suite.py").write_text(SUITE)
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    baseline = tmp_path / "mlgate-baseline.json"
    for round_ in range(3):
        procs = [
            _pytest(tmp_path, "-k", f"test_{name}", "--mlgate-save-baseline", env={"ROUND": str(round_)})
            for name in SUBSETS
        ]
        outputs = [p.communicate(timeout=180)[0] for p in procs]
        for proc, out in zip(procs, outputs, strict=True):
            assert proc.returncode == 0, out
            assert "baseline saved" in out
        stored = json.loads(baseline.read_text())["tests"]
        assert {nodeid: entry["score"]["value"] for nodeid, entry in stored.items()} == {
            f"test_suite.py::test_{name}": round_ + i / 10 for i, name in enumerate(SUBSETS)
        }, f"round {round_}: an update was lost"
        assert _leftovers(tmp_path) == []


# --- signals ---------------------------------------------------------------------------------

SLOW_SUITE = """
import os, time
from pathlib import Path

def test_first(mlgate):
    mlgate.record(score=float(os.environ["ROUND"]))

def test_second(mlgate):
    mlgate.record(score=float(os.environ["ROUND"]) + 0.5)
    if os.environ.get("SLEEP"):
        Path("started").write_text("yes")
        time.sleep(60)
"""


def _wait_for(path: Path, proc: subprocess.Popen[str], timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if proc.poll() is not None:
            raise AssertionError(f"pytest ended early:\n{proc.communicate()[0]}")
        if time.monotonic() > deadline:
            proc.kill()
            raise AssertionError("the test never started")
        time.sleep(0.05)


@pytest.fixture
def slow_suite(tmp_path: Path) -> Path:
    (tmp_path / "test_slow.py").write_text(SLOW_SUITE)
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    proc = _pytest(tmp_path, "--mlgate-save-baseline", env={"ROUND": "1"})
    out = proc.communicate(timeout=180)[0]
    assert proc.returncode == 0, out
    return tmp_path


def _stored(baseline: Path) -> dict:
    return json.loads(baseline.read_text())["tests"]


@pytest.mark.slow
def test_sigkill_during_a_run_leaves_the_baseline_whole(tmp_path: Path) -> None:
    (tmp_path / "test_slow.py").write_text(SLOW_SUITE)
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    baseline = tmp_path / "mlgate-baseline.json"
    Baseline.merge_save(baseline, {"test_slow.py::test_first": {"score": BaselineEntry(1.0)}}, provenance=PROV)
    before = baseline.read_bytes()
    proc = _pytest(tmp_path, "--mlgate-save-baseline", "--mlgate-history=history.jsonl", env={"ROUND": "2", "SLEEP": "1"})
    _wait_for(tmp_path / "started", proc)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=60)
    assert baseline.read_bytes() == before
    assert _leftovers(tmp_path) == []


def test_a_writer_killed_mid_write_leaves_a_temp_file_the_next_save_removes(tmp_path: Path) -> None:
    """SIGKILL between writing the temporary file and renaming it: the target is untouched, and
    the next save of that file removes the orphan (its writer's pid is dead)."""
    target = tmp_path / "mlgate-baseline.json"
    Baseline.merge_save(target, {"t::a": {"m": BaselineEntry(1.0)}}, provenance=PROV)
    before = target.read_bytes()
    code = textwrap.dedent(f"""
        import os, sys, time
        from pytest_mlgate import _files
        def stall(fd):
            sys.stdout.write("stalled\\n"); sys.stdout.flush(); time.sleep(60)
        os.fsync = stall
        _files.write_text_atomic({str(target)!r}, "torn?" * 1000)
    """)
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline() == "stalled\n"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    orphans = [n for n in os.listdir(tmp_path) if n.endswith(".tmp")]
    assert len(orphans) == 1 and str(proc.pid) in orphans[0]
    assert target.read_bytes() == before  # readers never saw a partial file
    Baseline.merge_save(target, {"t::b": {"m": BaselineEntry(2.0)}}, provenance=PROV)
    assert _leftovers(tmp_path) == []
    loaded = Baseline.load(target)
    assert loaded is not None and set(loaded.entries) == {"t::a", "t::b"}


def test_a_live_writers_temp_file_is_left_alone(tmp_path: Path) -> None:
    target = tmp_path / "report.md"
    mine = tmp_path / f".report.md.{os.getpid()}.abc.tmp"
    mine.write_text("in progress")
    dead = tmp_path / ".report.md.999999999.abc.tmp"
    dead.write_text("orphan")
    other = tmp_path / ".other.md.999999999.abc.tmp"
    other.write_text("another file's")
    assert remove_stale_temps(target) == [dead]
    assert mine.exists() and other.exists()


@pytest.mark.slow
def test_sigint_during_a_run_tears_nothing_and_leaves_no_temp_file(slow_suite: Path) -> None:
    baseline = slow_suite / "mlgate-baseline.json"
    json.loads(baseline.read_text())  # whole before
    proc = _pytest(slow_suite, "--mlgate-save-baseline", "--mlgate-history=history.jsonl", env={"ROUND": "2", "SLEEP": "1"})
    _wait_for(slow_suite / "started", proc)
    proc.send_signal(signal.SIGINT)
    out = proc.communicate(timeout=120)[0]
    assert "INTERNALERROR" not in out
    assert proc.returncode != 0
    json.loads(baseline.read_text())  # still whole JSON
    history = slow_suite / "history.jsonl"
    if history.exists():
        for line in history.read_text().splitlines():
            json.loads(line)
    assert _leftovers(slow_suite) == []


@pytest.mark.slow
def test_sigint_during_a_run_saves_nothing(slow_suite: Path) -> None:
    baseline = slow_suite / "mlgate-baseline.json"
    before = baseline.read_bytes()
    proc = _pytest(slow_suite, "--mlgate-save-baseline", env={"ROUND": "2", "SLEEP": "1"})
    _wait_for(slow_suite / "started", proc)
    proc.send_signal(signal.SIGINT)
    proc.communicate(timeout=120)
    assert baseline.read_bytes() == before


# --- a full filesystem -----------------------------------------------------------------------


@contextlib.contextmanager
def _tmpfs(where: Path, size: str = "16k") -> Iterator[bool]:
    """Mount a tiny tmpfs at ``where`` when this process may (root on Linux); yields whether it did."""
    where.mkdir()
    mounted = False
    if sys.platform.startswith("linux") and os.geteuid() == 0:
        mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
                                 capture_output=True, check=False).returncode == 0
    try:
        yield mounted
    finally:
        if mounted:
            subprocess.run(["umount", str(where)], check=True)


def _fill(directory: Path) -> None:
    """Fill the filesystem of ``directory`` to the last byte."""
    fd = os.open(directory / "filler", os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        for chunk in (b"x" * 1024, b"x"):
            with contextlib.suppress(OSError):
                while True:
                    os.write(fd, chunk)
    finally:
        os.close(fd)


@pytest.fixture
def full_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A directory on a full filesystem: a real tiny tmpfs where it can be mounted, else ENOSPC simulated."""
    where = tmp_path / "full"
    with _tmpfs(where) as mounted:
        (where / "mlgate-baseline.json").write_text(
            json.dumps({"version": 1, "provenance": PROV, "tests": {"t::a": {"m": {"value": 1.0}}}})
        )
        (where / "history.jsonl").write_text('{"run":1}\n')
        if mounted:
            _fill(where)
        else:
            real_write = os.write

            def enospc(fd: int, data: bytes) -> int:
                if os.path.realpath(f"/proc/self/fd/{fd}").startswith(str(where)) or sys.platform != "linux":
                    half = len(data) // 2
                    if half:
                        real_write(fd, bytes(data)[:half])
                    raise OSError(28, "No space left on device")
                return real_write(fd, data)

            monkeypatch.setattr(os, "write", enospc)
        yield where
        monkeypatch.undo()


def test_a_full_disk_fails_the_save_naming_the_file_and_keeps_the_old_one(full_disk: Path) -> None:
    target = full_disk / "mlgate-baseline.json"
    before = target.read_bytes()
    with pytest.raises(BaselineError, match=rf"baseline file {target}: cannot be written: .*No space left .*{target.name}"):
        Baseline.merge_save(target, {"t::a": {"m": BaselineEntry(2.0)}, "t::b": {"x": BaselineEntry(3.0) }},
                            provenance={"commit": "x" * 20_000})
    assert target.read_bytes() == before
    assert _leftovers(full_disk) == []


def test_a_full_disk_never_tears_a_history_line(full_disk: Path) -> None:
    history = full_disk / "history.jsonl"
    with pytest.raises(OSError, match=rf"No space left on device: '{history}'"):
        append_history(history, {"run": 2, "payload": "y" * 50_000})
    assert history.read_text() == '{"run":1}\n'


def test_a_full_disk_report_error_names_the_report_not_a_temp_file(full_disk: Path) -> None:
    report = full_disk / "report.md"
    with pytest.raises(OSError) as info:
        write_text_atomic(report, "z" * 50_000)
    assert info.value.filename == str(report)
    assert ".tmp" not in str(info.value)
    assert _leftovers(full_disk) == []


def test_a_full_disk_through_the_plugin_is_an_error_naming_the_file(
    pytester: pytest.Pytester, full_disk: Path
) -> None:
    pytester.makepyfile("def test_a(mlgate):\n    mlgate.record(m=2.0, big=1.0)\n")
    for i in range(200):  # enough entries that the file cannot fit in what is left
        pytester.makepyfile(**{f"test_more_{i}": f"def test_{i}(mlgate):\n    mlgate.record(m={i}.5, pad_{'p' * 200}=1.0)\n"})
    target = full_disk / "mlgate-baseline.json"
    before = target.read_bytes()
    result = pytester.runpytest(f"--mlgate-baseline={target}", "--mlgate-save-baseline", "-p", "no:randomly")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines([f"mlgate: ERROR --mlgate-save-baseline: baseline file {target}: cannot be written: *"])
    result.stdout.no_fnmatch_line("*INTERNALERROR*")
    assert target.read_bytes() == before
    assert _leftovers(full_disk) == []


# --- unwritable and odd paths ----------------------------------------------------------------


@contextlib.contextmanager
def _read_only_dir(tmp_path: Path) -> Iterator[Path]:
    """A directory this process cannot write: a read-only tmpfs as root, else mode 0555."""
    where = tmp_path / "ro"
    with _tmpfs(where, size="64k") as mounted:
        (where / "mlgate-baseline.json").write_text(
            json.dumps({"version": 1, "provenance": PROV, "tests": {"test_a.py::test_a": {"m": {"value": 1.0}}}})
        )
        if mounted:
            subprocess.run(["mount", "-o", "remount,ro", str(where)], check=True)
        elif os.geteuid() == 0:
            pytest.skip("root ignores permission bits and cannot mount a read-only filesystem here")
        else:
            where.chmod(0o555)
        try:
            yield where
        finally:
            if not mounted:
                where.chmod(0o755)


def test_saving_into_a_read_only_directory_is_an_error_naming_the_file(pytester: pytest.Pytester, tmp_path: Path) -> None:
    pytester.makepyfile(test_a="def test_a(mlgate):\n    mlgate.record(m=2.0)\n")
    with _read_only_dir(tmp_path) as ro:
        target = ro / "mlgate-baseline.json"
        before = target.read_bytes()
        result = pytester.runpytest(f"--mlgate-baseline={target}", "--mlgate-save-baseline")
        assert result.ret == pytest.ExitCode.TESTS_FAILED
        result.stdout.fnmatch_lines([f"mlgate: ERROR --mlgate-save-baseline*{target}*not writable*"])
        result.stdout.no_fnmatch_line("*INTERNALERROR*")
        assert target.read_bytes() == before


def test_a_read_only_report_directory_is_an_error_naming_the_report(tmp_path: Path) -> None:
    with _read_only_dir(tmp_path) as ro:
        with pytest.raises(OSError) as info:
            write_text_atomic(ro / "report.md", "# report\n")
        assert info.value.filename == str(ro / "report.md")
        with pytest.raises(OSError) as info:
            append_whole(ro / "history.jsonl", b"{}\n")
        assert info.value.filename == str(ro / "history.jsonl")


def test_a_directory_given_as_the_baseline_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_a="def test_a(mlgate):\n    mlgate.record(m=2.0)\n")
    (pytester.path / "folder.json").mkdir()
    for args in ([], ["--mlgate-save-baseline"]):
        result = pytester.runpytest("--mlgate-baseline=folder.json", *args)
        assert result.ret == pytest.ExitCode.USAGE_ERROR
        result.stderr.fnmatch_lines(["*baseline file *folder.json: cannot be read: it is a directory*"])
        result.stdout.no_fnmatch_line("*INTERNALERROR*")


@pytest.mark.parametrize(
    ("content", "cause"),
    [
        ('{"version": 1, "provenance": {}, "tests": {}, "tests": {}}', "duplicate key 'tests'"),
        ('{"version": 1, "provenance": {}, "tests": {"t": {"m": {"value": 1' + "0" * 400 + "}}}}", "too large for a float"),
        ('{"version": 1, "provenance": ' + "[" * 5000 + "]" * 5000 + ', "tests": {}}', "nested deeper than"),
    ],
)
def test_an_untrustworthy_baseline_is_a_usage_error_not_a_silent_pass(
    pytester: pytest.Pytester, content: str, cause: str
) -> None:
    pytester.makepyfile(test_a="def test_a(mlgate):\n    mlgate.record(m=2.0)\n")
    (pytester.path / "mlgate-baseline.json").write_text(content)
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"*mlgate-baseline.json*{cause}*"])
    result.stdout.no_fnmatch_line("*INTERNALERROR*")


def test_a_mistyped_or_dangling_baseline_path_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_a="def test_a(mlgate):\n    mlgate.record(m=2.0)\n")
    result = pytester.runpytest("--mlgate-baseline=mlgate-baselin.json")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*mlgate-baselin.json: no such file*"])
    (pytester.path / "mlgate-baseline.json").symlink_to(pytester.path / "elsewhere" / "b.json")
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*mlgate-baseline.json: is a symbolic link to *does not exist*"])
    # saving with a path that does not exist yet is how a baseline starts
    (pytester.path / "mlgate-baseline.json").unlink()
    assert pytester.runpytest("--mlgate-baseline=new.json", "--mlgate-save-baseline").ret == 0
    assert (pytester.path / "new.json").exists()


def test_saving_a_symlinked_baseline_updates_its_target_and_keeps_the_link(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_a="def test_a(mlgate):\n    mlgate.record(m=2.0)\n")
    store = pytester.mkdir("store")
    link = pytester.path / "mlgate-baseline.json"
    link.symlink_to(Path("store") / "baseline.json")
    (store / "baseline.json").write_text(json.dumps({"version": 1, "provenance": PROV, "tests": {}}))
    assert pytester.runpytest("--mlgate-save-baseline").ret == 0
    assert link.is_symlink()
    assert json.loads((store / "baseline.json").read_text())["tests"]["test_a.py::test_a"]["m"]["value"] == 2.0
    assert _leftovers(store) == [] and _leftovers(pytester.path) == []


# --- gates that would pass on nothing ----------------------------------------------------------


def test_a_regression_gate_fails_on_an_infinite_improvement(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    pytester.makepyfile(test_a="""
        import os
        def test_acc(mlgate):
            mlgate.record(accuracy=float(os.environ["ACC"]), log_loss=-float(os.environ["ACC"]))
    """)
    monkeypatch.setenv("ACC", "0.9")
    assert pytester.runpytest("--mlgate-save-baseline").ret == 0
    monkeypatch.setenv("ACC", "inf")  # +inf accuracy and -inf log_loss read as improvements
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*accuracy is inf, not a finite number*", "*log_loss is -inf, not a finite number*"])


@pytest.mark.parametrize("spec", ["'>=-1e999'", "'<=1e999'", "10**400", "float('inf')"])
def test_a_threshold_that_cannot_fail_is_a_usage_error_at_collection(pytester: pytest.Pytester, spec: str) -> None:
    pytester.makepyfile(test_a=f"""
        import pytest
        @pytest.mark.model_threshold(accuracy={spec})
        def test_acc(mlgate):
            mlgate.record(accuracy=0.5)
    """)
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*test_a.py::test_acc: model_threshold: accuracy=*"])
    assert "INTERNALERROR" not in result.stdout.str() + result.stderr.str()
