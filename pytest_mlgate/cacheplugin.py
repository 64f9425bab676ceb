"""The pytest side of the model cache: the ``mlgate_cache`` fixture, per-test records and the summary.

:func:`configure` (called from the plugin's ``pytest_configure``) reads ``--mlgate-cache``,
``--mlgate-cache-clear`` and ini ``mlgate_cache_dir`` once, clears the cache when asked (on the
xdist controller only, before any worker starts) and registers one :class:`CachePlugin`. The
cache itself, keys and files, is :mod:`pytest_mlgate.cache`, loaded when a test first asks for
the fixture.

Each model use is recorded on the report of the test phase (setup, call) it happened in, so
pytest-xdist carries it to the controller, and on that test's ``TestResult.models``, so the JSON
report and the history hold the key of every model a test used.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from ._stash import state_key

if TYPE_CHECKING:
    from collections.abc import Generator

    from .cache import ModelCache, ModelUse
    from .results import TestResult

#: The cache's directory inside pytest's cache directory (``.pytest_cache/d/mlgate-models``).
DIRECTORY_NAME = "mlgate-models"

cache_plugin_key = pytest.StashKey["CachePlugin"]()
_uses_key = pytest.StashKey[dict]()  # phase ("setup", "call", "teardown") -> model uses in it


def configure(config: pytest.Config) -> CachePlugin:
    """Resolve the cache options, clear the cache if asked, register the plugin."""
    plugin = CachePlugin(
        config,
        mode=str(config.getoption("mlgate_cache", "rw") or "rw"),
        directory=cache_directory(config),
    )
    config.stash[cache_plugin_key] = plugin
    if config.getoption("mlgate_cache_clear", False) and not hasattr(config, "workerinput"):
        plugin.clear()
    config.pluginmanager.register(plugin, "mlgate-cache")
    return plugin


def cache_directory(config: pytest.Config) -> Path:
    """ini ``mlgate_cache_dir`` (relative to the rootdir), else ``mlgate-models`` in pytest's cache
    directory, else (``-p no:cacheprovider``) ``<rootdir>/.pytest_cache/d/mlgate-models``."""
    raw = str(config.getini("mlgate_cache_dir") or "").strip()
    if raw:
        path = Path(os.path.expandvars(os.path.expanduser(raw)))
        return path if path.is_absolute() else config.rootpath / path
    try:
        cache_dir = str(config.getini("cache_dir"))  # registered by pytest's cacheprovider
    except ValueError:
        cache_dir = ".pytest_cache"
    base = Path(os.path.expandvars(os.path.expanduser(cache_dir)))
    if not base.is_absolute():
        base = config.rootpath / base
    return base / "d" / DIRECTORY_NAME


class CachePlugin:
    """Tracks which test phase is running, records model uses on its report, prints the summary."""

    def __init__(self, config: pytest.Config, *, mode: str, directory: Path) -> None:
        self.config = config
        self.mode = mode
        self.directory = directory
        self.is_worker = hasattr(config, "workerinput")
        self.current: tuple[pytest.Item, str] | None = None
        self.uses: list[dict[str, Any]] = []  # controller (or a run without xdist): every use, with its test
        self.outside: list[dict[str, Any]] = []  # uses outside any test phase
        self.cleared: int | None = None

    def clear(self) -> None:
        from .cache import ModelCache

        self.cleared = ModelCache(self.directory).clear()

    def make_cache(self) -> ModelCache:
        """The session's :class:`~pytest_mlgate.cache.ModelCache` (what the ``mlgate_cache`` fixture returns)."""
        from .cache import ModelCache

        cache = getattr(self.config, "cache", None)
        if self.mode == "rw" and cache is not None and not str(self.config.getini("mlgate_cache_dir")).strip():
            cache.mkdir(DIRECTORY_NAME)  # pytest's own cache directory, made with its README and .gitignore
        return ModelCache(self.directory, mode=self.mode, project_root=self.config.rootpath, on_use=self.record)

    # ------------------------------------------------------------------ which test is running
    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> Generator[None, None, None]:
        return (yield from self._phase(item, "setup"))

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Generator[None, None, None]:
        return (yield from self._phase(item, "call"))

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_teardown(self, item: pytest.Item) -> Generator[None, None, None]:
        return (yield from self._phase(item, "teardown"))

    def _phase(self, item: pytest.Item, when: str) -> Generator[None, None, None]:
        self.current = (item, when)
        try:
            return (yield)
        finally:
            self.current = None

    def record(self, use: ModelUse) -> None:
        """Called by the cache after each ``model`` call: file the use under the running test phase."""
        entry = use.to_dict()
        if self.current is None:
            self.outside.append(entry)
            return
        item, when = self.current
        item.stash.setdefault(_uses_key, {}).setdefault(when, []).append(entry)
        state = item.stash.get(state_key, None)
        if state is not None and when in ("setup", "call"):
            state.result.models.append(dict(entry))

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        report = yield
        uses = item.stash.get(_uses_key, {}).pop(report.when, None)
        if uses:
            report.mlgate_models = uses  # type: ignore[attr-defined]  # travels to the xdist controller
        return report

    # ------------------------------------------------------------------ collecting on the controller
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if self.is_worker:
            return
        for entry in getattr(report, "mlgate_models", None) or ():
            self.uses.append({**entry, "test": report.nodeid})

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: object) -> None:
        self.uses.extend(getattr(node, "workeroutput", {}).get("mlgate_cache_outside", []))

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if self.is_worker:
            self.config.workeroutput["mlgate_cache_outside"] = self.outside  # type: ignore[attr-defined]
        else:
            self.uses.extend(self.outside)
            self.outside = []

    @pytest.hookimpl(trylast=True)
    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if self.is_worker:
            return
        lines = summary_lines(self.uses, mode=self.mode, directory=self.directory, cleared=self.cleared)
        if not lines:
            return
        terminalreporter.write_sep("=", "mlgate cache")
        for line in lines:
            terminalreporter.write_line(line)


# ---------------------------------------------------------------------------------- rendering
def summary_lines(
    uses: Iterable[Mapping[str, Any]], *, mode: str, directory: Path, cleared: int | None = None
) -> list[str]:
    """The terminal summary: totals first, then one row per model use (source, name, key, time, test)."""
    uses = list(uses)
    lines: list[str] = []
    if cleared is not None:
        lines.append(f"mlgate cache: cleared {cleared} stored {_plural(cleared, 'model')} from {directory}")
    if not uses:
        return lines
    loaded = [u for u in uses if u.get("source") == "cache"]
    trained = [u for u in uses if u.get("source") != "cache"]
    saved = sum(float(u.get("saved_seconds") or 0.0) for u in loaded)
    spent = sum(float(u.get("seconds") or 0.0) for u in trained)
    lines.append(
        f"mlgate cache: {len(loaded)} {_plural(len(loaded), 'model')} from the cache, {len(trained)} trained"
        + (f" ({_seconds(spent)})" if trained else "")
        + f"; training time saved: {_seconds(saved)} [--mlgate-cache={mode}, {directory}]"
    )
    rows = [
        ("from cache" if u.get("source") == "cache" else "trained", str(u.get("name", "?")),
         str(u.get("key", ""))[:12], _seconds(float(u.get("seconds") or 0.0)),
         f"saved {_seconds(float(u.get('saved_seconds') or 0.0))}" if u.get("source") == "cache" else "",
         str(u.get("test", "")))
        for u in uses
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths)]
        lines.append(("  " + "  ".join([*cells, row[5]])).rstrip())
    return lines


def _plural(n: int, word: str) -> str:
    return word if n == 1 else word + "s"


def _seconds(value: float) -> str:
    return f"{value:.2f} s" if value < 10 else f"{value:.1f} s"


def with_models(provenance: Mapping[str, Any], results: Iterable[TestResult]) -> dict[str, Any]:
    """``provenance`` plus ``models``: each model a test of this run used (test, name, key, source).

    For the baseline file, so an audit can tell which trained artefact its values came from.
    Without any model use, ``provenance`` is returned unchanged.
    """
    models = [
        {"test": result.nodeid, "name": m.get("name"), "key": m.get("key"), "source": m.get("source")}
        for result in results for m in getattr(result, "models", ())
    ]
    return {**provenance, "models": models} if models else dict(provenance)
