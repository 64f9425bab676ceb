"""The stateful plugin: checks markers at collection, wires each model test, gathers the results.

Loaded by :mod:`pytest_mlgate.plugin` only when a session has model tests or asks for reports.
Its hooks are thin: judging lives in :mod:`~pytest_mlgate.judge`, the status rules in
:mod:`~pytest_mlgate.policy`, the files in :mod:`~pytest_mlgate.outputs`, the renderers in
:mod:`~pytest_mlgate.report`. Results travel on the test reports, so under pytest-xdist the
controller alone gathers and writes.
"""

from __future__ import annotations

import hashlib
import os
import shlex
import sys
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from ._context import active_drift_recorder
from ._stash import parsed_key, state_key
from .markers import ParsedMarkers, marks_key, parse_markers
from .options import Settings

if TYPE_CHECKING:
    from collections.abc import Callable, Generator

    from .baseline import Baseline
    from .fixture import MlGate
    from .gates import ItemSpec
    from .judge import JudgeContext
    from .metrics import MetricRegistry
    from .results import GateResult, TestResult

USAGE_HEADER = "pytest-mlgate: invalid model test setup:"


def derive_seed(base: int, nodeid: str) -> int:
    """A 32-bit seed from the base seed and the test id: stable across runs, processes and xdist."""
    digest = hashlib.sha256(f"{base}\x00{nodeid}".encode()).digest()
    return int.from_bytes(digest[:4], "little")


class ItemState:
    """One running model test: its result record, its markers and its fixture object."""

    def __init__(self, result: TestResult, parsed: ParsedMarkers, fixture: MlGate) -> None:
        self.result = result
        self.parsed = parsed
        self.fixture = fixture
        self.failed_by_gates = False


class MlgateSession:
    """The plugin object of one session (see the module docstring)."""

    def __init__(self, config: pytest.Config, settings: Settings, collected: set[str]) -> None:
        self.config = config
        self.settings = settings
        self.is_worker = hasattr(config, "workerinput")
        self.results: dict[str, TestResult] = {}
        self.messages: list[str] = []
        self.usage_errors: list[str] = []
        self.collected = collected  # every collected test id, deselected ones too
        self.known: set[str] = set()  # every test id the run collected, on any xdist worker too
        self._registry: MetricRegistry | None = None
        self._baseline: Baseline | None = None
        self._baseline_loaded = False

    # ------------------------------------------------------------------ shared state
    @property
    def registry(self) -> MetricRegistry:
        if self._registry is None:
            from .metrics import MetricRegistry

            registry = MetricRegistry.default()
            try:
                self.config.hook.pytest_mlgate_add_metrics(registry=registry, config=self.config)
            except Exception as exc:  # a broken hook is a setup mistake: one usage error, not one per test
                raise pytest.UsageError(
                    f"pytest_mlgate_add_metrics{user_location(exc)}: {type(exc).__name__}: {exc}"
                ) from exc
            self._registry = registry
        return self._registry

    @property
    def baseline(self) -> Baseline | None:
        if not self._baseline_loaded:
            from .baseline import Baseline, BaselineError

            try:
                s = self.settings
                self._baseline = Baseline.load(s.baseline_path, must_exist=s.baseline_explicit and not s.save_baseline)
            except BaselineError as exc:
                raise pytest.UsageError(str(exc)) from None
            self._baseline_loaded = True
        return self._baseline

    def judge_context(self, fixture: MlGate) -> JudgeContext:
        from .judge import JudgeContext

        return JudgeContext(
            policy=self.settings.policy, min_slice_size=self.settings.min_slice_size,
            default_tolerance=self.settings.tolerance, baseline=self.baseline, tasks=frozenset(fixture.tasks),
            metric_task=self.registry.tasks(),
        )

    # ------------------------------------------------------------------ collection
    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, session: pytest.Session, items: list[pytest.Item]) -> None:
        errors: list[str] = []
        models = [item for item in items if item.get_closest_marker("model") is not None]
        self.known.update(item.nodeid for item in items)
        if models:
            try:
                self.registry  # noqa: B018 - the metrics hook runs here, once, before any marker is read
                self.baseline  # noqa: B018 - an unreadable baseline is a usage error before any model trains
            except pytest.UsageError as exc:
                errors.append(str(exc))
        if not errors:
            for item in models:
                parsed = parse_markers(item, self.registry, n_resamples=self.settings.n_resamples)
                item.stash[parsed_key] = parsed
                errors += [f"{item.nodeid}: {p}" for p in parsed.problems]
                for text in parsed.warnings:
                    item.warn(_warning(f"{item.nodeid}: {text}"))
        if errors and self.is_worker:
            # a usage error would crash an xdist worker: run nothing, and let the controller say why
            self.config.workeroutput["mlgate_usage_errors"] = errors  # type: ignore[attr-defined]
            items[:] = []
            return
        if errors:
            raise pytest.UsageError(USAGE_HEADER + "\n  " + "\n  ".join(errors))

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: object) -> None:
        """xdist controller: a worker found bad marker arguments and ran nothing."""
        output = getattr(node, "workeroutput", {})
        for line in output.get("mlgate_usage_errors", []):
            if line not in self.usage_errors:
                self.usage_errors.append(line)
        self.collected.update(output.get("mlgate_collected", []))

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node: Any, ids: list[str]) -> None:
        self.known.update(ids)

    # ------------------------------------------------------------------ running
    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        if item.get_closest_marker("model") is None:
            return
        from .fixture import MlGate
        from .results import TestResult

        parsed = item.stash.get(parsed_key, None) or parse_markers(item, self.registry, n_resamples=self.settings.n_resamples)
        seed = derive_seed(self.settings.base_seed, item.nodeid)
        path, line, _ = item.location
        result = TestResult(nodeid=item.nodeid, seed=seed, file=path, line=None if line is None else line + 1)
        state = ItemState(result, parsed, None)  # type: ignore[arg-type]
        state.fixture = MlGate(result, lambda: self.current_spec(item, state), self.registry,
                               self.settings.evaluation, seed)
        item.stash[state_key] = state
        self.seed_globals(seed)
        if parsed.problems:
            pytest.fail(f"{USAGE_HEADER} {item.nodeid}: " + "; ".join(parsed.problems), pytrace=False)

    def seed_globals(self, seed: int) -> None:
        if self.settings.seed_globals:
            import random

            import numpy as np

            random.seed(seed)
            np.random.seed(seed)

    def current_spec(self, item: pytest.Item, state: ItemState) -> ItemSpec:
        """The test's gates, read again when a marker was added since (``request.node.add_marker``)."""
        if marks_key(item) != state.parsed.key:
            state.parsed = parse_markers(item, self.registry, n_resamples=self.settings.n_resamples)
        return state.parsed.spec

    @pytest.hookimpl(tryfirst=True)
    def pytest_pyfunc_call(self, pyfuncitem: pytest.Function) -> bool | None:
        """Seed the global random state again right before the body, after other plugins reseeded it
        (pytest-randomly does at every phase), so the replay line reproduces the body; with
        ``model_seeds(k)``, run the body once per seed."""
        state = pyfuncitem.stash.get(state_key, None)
        if state is None:
            return None
        seeds = self.current_spec(pyfuncitem, state).seeds
        if not seeds:
            self.seed_globals(state.result.seed or 0)
            return None  # pytest calls the function
        self.run_replicates(pyfuncitem, state, seeds)
        return True

    def run_replicates(self, item: pytest.Function, state: ItemState, k: int) -> None:
        from .replicates import combine
        from .results import TestResult

        names = getattr(getattr(item, "_fixtureinfo", None), "argnames", None) or tuple(item.funcargs)
        kwargs = {name: item.funcargs[name] for name in names if name in item.funcargs}
        replicates: list[TestResult] = []
        try:
            for r in range(k):
                seed = derive_seed(self.settings.base_seed, f"{item.nodeid}\x00replicate {r}")
                replicate = TestResult(nodeid=item.nodeid, seed=seed)
                replicates.append(replicate)
                state.fixture.rebind(replicate, seed)
                self.seed_globals(seed)
                try:
                    item.obj(**kwargs)
                except Exception as exc:
                    pytest.fail(f"mlgate: replicate {r + 1} of {k} (mlgate.seed {seed}) raised "
                                f"{type(exc).__name__}: {exc}", pytrace=True)
        finally:
            result = state.result
            state.fixture.rebind(result, result.seed or 0)
            result.metrics = combine([rep.metrics for rep in replicates]) if replicates else {}
            result.replicates = [
                {"seed": rep.seed, "metrics": {name: m.value for name, m in rep.metrics.items()}} for rep in replicates
            ]
            for rep in replicates:  # compare and drift gates of every replicate count
                for gate in rep.gates:
                    if isinstance(gate.extra.get("check"), int):
                        gate.extra["check"] += len(result.drift)
                result.gates += rep.gates
                result.drift += rep.drift
                result.comparisons += rep.comparisons

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Generator[None, None, None]:
        """Run the test body, then judge its gates (any kind of item: functions, unittest, ...)."""
        state = item.stash.get(state_key, None)
        if state is None:
            return (yield)
        from .drift import DriftDetected

        token = active_drift_recorder.set(state.fixture.record_drift)
        caught_by_test = True
        try:
            out = yield
        except DriftDetected:
            if not (self.settings.warn_only and _recorded_drift_failed(state.result)):
                raise
            out, caught_by_test = None, False  # --mlgate-warn-only: the recorded drift gate warns instead
        finally:
            active_drift_recorder.reset(token)
        if caught_by_test:
            _expected_drift(state.result)
        spec = self.current_spec(item, state)
        if state.parsed.problems:
            pytest.fail(f"{USAGE_HEADER} {item.nodeid}: " + "; ".join(state.parsed.problems), pytrace=False)
        from .judge import judge_test

        state.result.gates[:] = judge_test(state.result, spec, self.judge_context(state.fixture))
        state.result.judged = True
        self.warn_soft_gates(item, state.result.gates)
        failed = [g for g in state.result.gates if g.status == "FAIL"]
        if failed:
            state.failed_by_gates = True
            pytest.fail(self.failure_message(item, state.result, failed), pytrace=False)
        return out

    def warn_soft_gates(self, item: pytest.Item, gates: list[GateResult]) -> None:
        from .gates import MlgateWarning

        lineno = item.location[1]
        for gate in gates:
            if gate.status in ("WARN", "INCONCLUSIVE") and not gate.extra.get("accepted"):
                # a regression accepted by --mlgate-save-baseline is no surprise
                warnings.warn_explicit(
                    MlgateWarning(f"{item.nodeid}: {gate.message}"), MlgateWarning,
                    filename=str(item.path), lineno=(lineno or 0) + 1,
                )

    def failure_message(self, item: pytest.Item, result: TestResult, failed: list[GateResult]) -> str:
        # The first line is what pytest's short summary and JUnit's message attribute show: it says
        # what failed, the full message when one gate failed, the metrics when several did.
        if len(failed) == 1:
            lines = [f"mlgate: 1 gate failed: {failed[0].message}"]
        else:
            names = ", ".join(dict.fromkeys(f"{g.metric} ({g.kind})" for g in failed))
            lines = [f"mlgate: {len(failed)} gates failed: {names}"] + [f"  {g.kind}: {g.message}" for g in failed]
        lines.append(self.replay_line(item, result))
        return "\n".join(lines)

    def replay_line(self, item: pytest.Item, result: TestResult) -> str:
        """The seed, and a command that reruns the test with it from where pytest was invoked."""
        arg = shlex.quote(self.cli_id(item))
        arg = arg if arg.startswith("'") else f"'{arg}'"  # always quoted: parametrized ids hold [ ] and spaces
        # the seed derives from the test id, which is relative to the rootdir: keep a rootdir given by hand
        extra = f" --rootdir {shlex.quote(str(self.config.rootpath))}" if self.config.option.rootdir else ""
        randomly = getattr(self.config.option, "randomly_seed", None)
        if isinstance(randomly, int) and self.config.pluginmanager.has_plugin("randomly"):
            extra += f" --randomly-seed={randomly}"  # pytest-randomly reseeds the globals at every phase
        return f"mlgate seed {result.seed} (replay: pytest --mlgate-seed {self.settings.base_seed}{extra} {arg})"

    def cli_id(self, item: pytest.Item) -> str:
        """The test as a command-line argument from the invocation directory: its file, then its id's rest."""
        _, sep, rest = item.nodeid.partition("::")
        path = getattr(item, "path", None)
        if path is None or not sep:
            return item.nodeid
        try:
            return os.path.relpath(path, self.config.invocation_params.dir) + sep + rest
        except ValueError:  # another drive (Windows)
            return str(path) + sep + rest

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        report = yield
        state = item.stash.get(state_key, None)
        if state is None:
            return report
        result = state.result
        record_outcome(result, report, call)
        if report.failed and report.when == "call":
            replay = self.replay_line(item, result)
            if replay not in str(report.longrepr):  # a failed gate's message already carries it
                report.sections.append(("mlgate", replay))
        last = report.when == "call" or (report.when == "setup" and not report.passed)
        if last:
            self.call_result_hook(item, result, report)
            if self.settings.junit_family == "xunit1":
                from .junit import set_testcase_properties

                set_testcase_properties(item, result)
        report.mlgate = result.to_dict()  # type: ignore[attr-defined]  # travels to the xdist controller
        return report

    def call_result_hook(self, item: pytest.Item, result: TestResult, report: pytest.TestReport) -> None:
        """``pytest_mlgate_test_result``: an implementation that raises fails this test, not the run."""
        try:
            item.ihook.pytest_mlgate_test_result(item=item, result=result)
        except Exception as exc:
            line = f"mlgate: pytest_mlgate_test_result{user_location(exc)} raised {type(exc).__name__}: {exc}"
            if report.passed:
                report.outcome = "failed"
                report.longrepr = line
                result.outcome, result.when = "failed", report.when
                result.error = line.splitlines()[0] if line else line
            else:
                report.sections.append(("mlgate", line))

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if self.is_worker:
            return
        data = getattr(report, "mlgate", None)
        if data:
            from .results import TestResult

            self.results[report.nodeid] = TestResult.from_dict(data)

    # ------------------------------------------------------------------ finishing
    def sorted_results(self) -> list[TestResult]:
        # by file, then where each test is defined, then its id: the same order whatever order the
        # tests ran in (pytest-xdist, pytest-randomly)
        def key(r: TestResult) -> tuple[str, int, str]:
            return (r.file or r.nodeid.split("::")[0], r.line or 0, r.nodeid)

        return sorted(self.results.values(), key=key)

    def unused_entries(self) -> list[tuple[str, str]]:
        """Stored entries no test produced: tests that ran without the metric, or that no longer exist."""
        baseline = self._baseline if self._baseline_loaded else None
        if baseline is None:
            return []
        from .outputs import savable

        seen = {(r.nodeid, m) for r in self.results.values() for m in r.metrics}
        complete = {r.nodeid for r in self.results.values() if savable(r)}  # a test that stopped early proves nothing
        gone = gone_test_check(self.config, self.collected | self.known)
        return [(nodeid, metric) for nodeid, metric in baseline.unused(seen)
                if nodeid in complete or (nodeid not in self.results and gone(nodeid))]

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        if self.is_worker:
            self.config.workeroutput["mlgate_collected"] = sorted(self.collected)  # type: ignore[attr-defined]
            return
        if self.usage_errors:
            sys.stderr.write("ERROR: " + USAGE_HEADER + "\n  " + "\n  ".join(self.usage_errors) + "\n")
            session.exitstatus = pytest.ExitCode.USAGE_ERROR
        if session.exitstatus == pytest.ExitCode.USAGE_ERROR:
            return
        results = self.sorted_results()
        if not results and not self.settings.outputs_asked:
            return  # no model test ran and no report was asked for: touch nothing
        if self.settings.junit_family not in (None, "xunit1"):
            from .junit import add_suite_properties

            add_suite_properties(self.config, results)
        self.verdict = self.compute_verdict(results, int(session.exitstatus))
        from .outputs import RunOutputs

        unused = self.unused_entries()
        run = RunOutputs(
            self.settings, results, self.verdict, self._baseline if self._baseline_loaded else None, unused,
            {nodeid for nodeid, _ in unused if nodeid not in self.results}, self.config.rootpath,
        )
        run.write_all()
        self.verdict = run.verdict  # FAIL when an output could not be written
        self.messages += run.messages + run.errors
        if run.errors and session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def compute_verdict(self, results: list[TestResult], exitstatus: int) -> Any:
        from .policy import run_verdict

        interrupted = exitstatus == pytest.ExitCode.INTERRUPTED
        return run_verdict(results, interrupted=interrupted, pytest_failed=exitstatus != pytest.ExitCode.OK)

    @pytest.hookimpl(trylast=True)  # after pytest's own lines, wherever this plugin was registered
    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if self.is_worker:
            return
        results = self.sorted_results()
        if results:
            from .report import render_terminal

            verdict = getattr(self, "verdict", None) or self.compute_verdict(results, 0)
            terminalreporter.write_sep("=", "mlgate")
            for line in render_terminal(
                results, baseline_present=self._baseline_loaded and self._baseline is not None,
                unused=self.unused_entries(), verdict=verdict,
            ):
                terminalreporter.write_line(line, red=line.startswith(("failed:", "mlgate: FAIL")))
        for message in self.messages:
            terminalreporter.write_line(message, red="ERROR" in message)
        if results and os.environ.get("GITHUB_ACTIONS") == "true":
            from .report import github_annotations

            for line in github_annotations(results):  # the pull request's diff shows them on the test's line
                terminalreporter.write_line(line)


# ---------------------------------------------------------------------- helpers
def record_outcome(result: TestResult, report: pytest.TestReport, call: pytest.CallInfo[None]) -> None:
    """pytest's outcome of the test, phase by phase: the final word is its worst phase."""
    xfail = hasattr(report, "wasxfail")
    if report.when == "setup":
        if report.failed:
            result.outcome, result.when, result.error = "error", "setup", first_error_line(report, call)
        elif report.skipped:
            result.outcome, result.when = ("xfailed" if xfail else "skipped"), "setup"
        return
    if report.when == "call":
        if report.passed:
            result.outcome = "xpassed" if xfail else "passed"
        elif report.skipped:
            result.outcome = "xfailed" if xfail else "skipped"
            if xfail:
                from .policy import expect_failure

                expect_failure(result)
        elif report.failed:
            result.outcome, result.when, result.error = "failed", "call", first_error_line(report, call)
        else:  # another plugin's outcome, such as pytest-rerunfailures' "rerun"
            result.outcome = str(report.outcome)
        return
    if report.failed and result.outcome not in ("failed", "error"):
        result.outcome, result.when, result.error = "error", "teardown", first_error_line(report, call)


def first_error_line(report: pytest.TestReport, call: pytest.CallInfo[None]) -> str:
    """The first line of what failed: the exception's own words (``AssertionError: assert 1 == 2``)."""
    excinfo = call.excinfo
    if excinfo is not None:
        text = excinfo.exconly().strip()
        if excinfo.typename == "Failed":
            text = text.partition(": ")[2] or text
    else:
        text = str(report.longrepr or "").strip()
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[0][:500] if lines else report.outcome


def _recorded_drift_failed(result: TestResult) -> bool:
    return any(g.kind == "drift" and g.status == "FAIL" for g in result.gates)


def _expected_drift(result: TestResult) -> None:
    """The body returned, so a failed drift check in it raised DriftDetected and the test handled it
    (e.g. ``pytest.raises``): it expected drift, so the check is no gate of this test. Its report
    stays in the results, marked expected."""
    keep = []
    for gate in result.gates:
        if gate.kind == "drift" and gate.status == "FAIL":
            index = gate.extra.get("check")
            if isinstance(index, int) and 0 <= index < len(result.drift):
                result.drift[index]["expected"] = True
            continue
        keep.append(gate)
    result.gates[:] = keep


def _warning(text: str) -> Warning:
    from .gates import MlgateWarning

    return MlgateWarning(text)


def gone_test_check(config: pytest.Config, known: set[str]) -> Callable[[str], bool]:
    """A predicate: does a stored test id that did not run no longer exist?

    The evidence: this run collected the test's whole file without it (removed or renamed),
    or its file is found neither under the rootdir, nor the invocation directory, nor any path
    given on the command line. A file collected in part (``file.py::test``, ``--lf``) or not
    at all (``pytest other_dir``) proves nothing, and its tests are kept.
    """
    files = {nodeid.split("::", 1)[0] for nodeid in known}
    args = [str(a) for a in config.args]
    whole_files = not any("::" in a for a in args) and not config.getoption("lf", False)
    invoked = Path(config.invocation_params.dir)
    bases = {config.rootpath, invoked}
    for arg in args:
        path = invoked / arg.split("::", 1)[0]
        bases.add(path if path.is_dir() else path.parent)

    def gone(nodeid: str) -> bool:
        file = nodeid.split("::", 1)[0]
        if nodeid in known or not file:
            return False
        if file in files:
            return whole_files
        return not any((base / file).exists() for base in bases)

    return gone


def user_location(exc: BaseException) -> str:
    """`` (conftest.py:4)``: the innermost frame of ``exc`` outside pluggy and this package, if any."""
    import traceback

    here = os.path.dirname(os.path.abspath(__file__))
    frames = [
        f for f in traceback.extract_tb(exc.__traceback__)
        if not os.path.abspath(f.filename).startswith(here + os.sep) and f"{os.sep}pluggy{os.sep}" not in f.filename
    ]
    if not frames:
        return ""
    return f" ({os.path.basename(frames[-1].filename)}:{frames[-1].lineno})"
