"""The session's options and ini settings, read and validated once into one :class:`Settings`.

Every bad value is a usage error naming the option or ini key, raised before any test runs.
The rest of the plugin receives plain values and never calls ``getoption`` or ``getini``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from .policy import StatusPolicy

if TYPE_CHECKING:
    from .fixture import Settings as EvalSettings
    from .regression import Tolerance


@dataclass(frozen=True)
class Settings:
    """Everything the plugin reads from the command line and the ini file."""

    base_seed: int
    seed_globals: bool
    warn_only: bool
    baseline_path: Path
    baseline_explicit: bool  # given with --mlgate-baseline (or the ini): it must exist unless saving
    save_baseline: bool
    tolerance: Tolerance
    history: Path | None
    report: Path | None
    json: Path | None
    html: Path | None
    html_all_columns: bool
    step_summary: bool
    n_resamples: int
    min_slice_size: int
    inconclusive: str
    junit_family: str | None  # None when pytest's junitxml plugin is off

    @property
    def policy(self) -> StatusPolicy:
        return StatusPolicy(warn_only=self.warn_only, inconclusive=self.inconclusive, saving=self.save_baseline)

    @property
    def evaluation(self) -> EvalSettings:
        from .fixture import Settings as EvalSettings

        return EvalSettings(
            n_resamples=self.n_resamples, min_slice_size=self.min_slice_size, inconclusive=self.inconclusive,
            warn_only=self.warn_only, html_all_columns=self.html_all_columns,
        )

    @property
    def outputs_asked(self) -> bool:
        """Whether the run writes any file of its own (then it needs the stateful plugin)."""
        return bool(self.history or self.report or self.json or self.html or self.save_baseline)


def resolve(config: pytest.Config) -> Settings:
    """Read and validate every mlgate option and ini value; UsageError naming the bad one."""
    from .regression import parse_tolerance

    opt = config.option
    baseline_opt = getattr(opt, "mlgate_baseline", None)
    baseline_ini = str(config.getini("mlgate_baseline") or "mlgate-baseline.json")
    save = bool(getattr(opt, "mlgate_save_baseline", False))
    baseline = _path(config, baseline_opt) if baseline_opt else _path(config, baseline_ini, from_ini=True)
    if baseline_opt and not save and not os.path.lexists(baseline):
        raise pytest.UsageError(
            f"--mlgate-baseline={baseline_opt}: no such file ({baseline}); check the path, or add "
            "--mlgate-save-baseline to create it"
        )
    if os.path.islink(baseline) and not os.path.exists(baseline) and not save:  # saving writes through it
        raise pytest.UsageError(
            f"{'--mlgate-baseline' if baseline_opt else 'ini mlgate_baseline'}: baseline file {baseline}: is a "
            f"symbolic link to {os.readlink(baseline)}, which does not exist"
        )
    raw_tol = str(config.getini("mlgate_regression_tolerance")).strip()
    try:
        tolerance = parse_tolerance(raw_tol)
    except ValueError as exc:
        raise pytest.UsageError(f"ini mlgate_regression_tolerance={raw_tol!r}: {exc}") from None
    history_opt = getattr(opt, "mlgate_history", None)
    history_ini = str(config.getini("mlgate_history") or "")
    history = _path(config, history_opt) if history_opt else (
        _path(config, history_ini, from_ini=True) if history_ini else None
    )
    return Settings(
        base_seed=base_seed(config),
        seed_globals=bool(config.getini("mlgate_seed_globals")),
        warn_only=bool(getattr(opt, "mlgate_warn_only", False)),
        baseline_path=baseline,
        baseline_explicit=bool(baseline_opt),
        save_baseline=save,
        tolerance=tolerance,
        history=history,
        report=_optional_path(config, "mlgate_report"),
        json=_optional_path(config, "mlgate_json"),
        html=_optional_path(config, "mlgate_html"),
        html_all_columns=bool(config.getini("mlgate_html_all_columns")),
        step_summary=bool(config.getini("mlgate_step_summary")),
        n_resamples=_int_ini(config, "mlgate_bootstrap", minimum=0),
        min_slice_size=_int_ini(config, "mlgate_min_slice_size", minimum=1),
        inconclusive=_choice_ini(config, "mlgate_inconclusive", ("warn", "fail")),
        junit_family=_junit_family(config),
    )


def base_seed(config: pytest.Config) -> int:
    """``--mlgate-seed``, else ini ``mlgate_seed``: each model test's seed derives from it."""
    value = config.getoption("mlgate_seed", None)
    source, raw = ("--mlgate-seed", value) if value is not None else ("ini mlgate_seed", config.getini("mlgate_seed"))
    try:
        return int(str(raw).strip())
    except ValueError:
        raise pytest.UsageError(f"{source}={raw!r}: expected an integer") from None


def _path(config: pytest.Config, raw: str, *, from_ini: bool = False) -> Path:
    """A path from an option (relative to where pytest was invoked) or the ini (relative to the rootdir)."""
    path = Path(os.path.expanduser(raw))
    if not path.is_absolute():
        path = (config.rootpath if from_ini else Path(config.invocation_params.dir)) / path
    return path


def _optional_path(config: pytest.Config, name: str) -> Path | None:
    raw = getattr(config.option, name, None)
    if raw is None:
        return None
    if not str(raw).strip():
        raise pytest.UsageError(f"--{name.replace('_', '-')}: expected a file path, got an empty string")
    return _path(config, str(raw))


def _int_ini(config: pytest.Config, ini: str, *, minimum: int) -> int:
    raw: Any = config.getini(ini)
    try:
        out = int(str(raw).strip())
    except ValueError:
        raise pytest.UsageError(f"ini {ini}={raw!r}: expected an integer") from None
    if out < minimum:
        raise pytest.UsageError(f"ini {ini}={raw!r}: must be at least {minimum}")
    return out


def _choice_ini(config: pytest.Config, ini: str, choices: tuple[str, ...]) -> str:
    raw = str(config.getini(ini)).strip().lower()
    if raw not in choices:
        raise pytest.UsageError(f"ini {ini}={raw!r}: expected one of {', '.join(choices)}")
    return raw


def _junit_family(config: pytest.Config) -> str | None:
    """pytest's ``junit_family``; None when the junitxml plugin is off (``-p no:junitxml``)."""
    try:
        family = str(config.getini("junit_family"))
    except ValueError:  # the ini key is unknown without the plugin
        return None
    return "xunit1" if family in ("xunit1", "legacy") else family
