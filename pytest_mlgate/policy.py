"""The one status policy, and the run verdict every output renders.

Judging functions decide raw statuses: PASS, FAIL, INCONCLUSIVE, NEW or SKIP. Whether a FAIL
blocks the run is decided here, once, by :class:`StatusPolicy`: a gate's ``severity="warn"``,
``--mlgate-warn-only``, ``mlgate_inconclusive``, a regression accepted by
``--mlgate-save-baseline`` and pytest's xfail each turn a FAIL into a WARN (or an INCONCLUSIVE
into a FAIL) in this one place. :func:`run_verdict` then combines the gates with pytest's own
outcome of every model test, so the terminal, Markdown, JSON, history and step summary agree.
Pure stdlib, no pytest import.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from .results import FAIL, INCONCLUSIVE, NEW, PASS, SKIP, WARN, GateResult, TestResult

#: pytest outcomes of a model test that make the run fail, whatever its gates said.
FAILED_OUTCOMES = ("failed", "error")

#: Statuses from worst to best; the worst one present is a test's (or the run's) status.
SEVERITY_ORDER = (FAIL, INCONCLUSIVE, WARN, NEW, PASS, SKIP)


@dataclass(frozen=True)
class StatusPolicy:
    """Turns raw gate statuses into the statuses the run reports."""

    warn_only: bool = False
    inconclusive: str = "warn"  # or "fail"
    saving: bool = False

    def apply(self, gate: GateResult) -> GateResult:
        """Apply the policy to ``gate`` in place and return it."""
        if gate.status == INCONCLUSIVE and self.inconclusive == "fail":
            gate.status = FAIL
            gate.extra["inconclusive"] = True
        if gate.status != FAIL:
            return gate
        if gate.severity == "warn":
            gate.status = WARN
        elif gate.kind == "regression" and self.saving and gate.baseline is not None:
            gate.status = WARN
            gate.message += " (accepted: --mlgate-save-baseline stores the new value)"
            gate.extra["accepted"] = True  # reported, but no MlgateWarning: the user asked for it
        elif self.warn_only:
            gate.status = WARN
            gate.extra["warn_only"] = True
        return gate

    def apply_all(self, gates: Iterable[GateResult]) -> list[GateResult]:
        return [self.apply(g) for g in gates]


def expect_failure(result: TestResult) -> None:
    """pytest's xfail: the failure was expected, so a failed gate of the test only warns."""
    for gate in result.gates:
        if gate.status == FAIL:
            gate.status = WARN
            gate.extra["expected"] = True
            gate.message += " (expected: the test is marked xfail)"


def worst_status(statuses: Iterable[str]) -> str:
    """The worst of ``statuses`` (FAIL > INCONCLUSIVE > WARN > NEW > PASS > SKIP); "-" when empty."""
    present = set(statuses)
    for status in SEVERITY_ORDER:
        if status in present:
            return status
    return "-"


def test_status(result: TestResult) -> str:
    """A test's status: FAIL when pytest failed it or a gate failed, else its worst gate status."""
    if result.outcome in FAILED_OUTCOMES:
        return FAIL
    return worst_status(g.status for g in result.gates)


@dataclass(frozen=True)
class Failure:
    """A model test that failed the run, with the first line of why."""

    nodeid: str
    outcome: str
    line: str
    by_gates: bool = False  # failed by its own gates, not by an error or an assert


@dataclass(frozen=True)
class RunVerdict:
    """The run's verdict, computed once from every gate and every model test's pytest outcome."""

    status: str  # PASS, WARN, INCONCLUSIVE or FAIL
    counts: dict[str, int]
    failures: tuple[Failure, ...] = ()
    tests: int = 0
    interrupted: bool = False
    errors: tuple[str, ...] = field(default=())  # outputs that could not be written, and the like

    @property
    def failed(self) -> bool:
        return self.status == FAIL


def count_statuses(results: Iterable[TestResult]) -> dict[str, int]:
    """Number of gates per status over all ``results``, plus ``"gates"`` (the total)."""
    counts = {status: 0 for status in SEVERITY_ORDER}
    total = 0
    for result in results:
        for gate in result.gates:
            counts[gate.status] = counts.get(gate.status, 0) + 1
            total += 1
    counts["gates"] = total
    return counts


def run_verdict(
    results: Sequence[TestResult], *, interrupted: bool = False, pytest_failed: bool = False
) -> RunVerdict:
    """The run's verdict: FAIL when a gate failed, a model test failed or errored anywhere (setup,
    body, teardown), or pytest failed the run for another reason (``pytest_failed``); else the
    worst gate status, NEW and SKIP counting as PASS."""
    counts = count_statuses(results)
    failures: list[Failure] = []
    for result in results:
        failed_gates = [g for g in result.gates if g.status == FAIL]
        if failed_gates:
            line = result.error if result.outcome in FAILED_OUTCOMES and result.error else \
                failed_gates[0].message.splitlines()[0]
            failures.append(Failure(result.nodeid, result.outcome if result.outcome == "error" else "failed", line,
                                    by_gates=True))
        elif result.outcome in FAILED_OUTCOMES:
            failures.append(Failure(result.nodeid, result.outcome, result.error or result.outcome))
    status = worst_status(g.status for r in results for g in r.gates)
    status = PASS if status in (NEW, SKIP, "-") else status
    if failures or pytest_failed or interrupted:
        status = FAIL
    return RunVerdict(
        status=status, counts=counts, failures=tuple(failures), tests=len(results), interrupted=interrupted
    )


__all__ = [
    "FAILED_OUTCOMES",
    "Failure",
    "RunVerdict",
    "StatusPolicy",
    "count_statuses",
    "expect_failure",
    "run_verdict",
    "test_status",
    "worst_status",
]

