"""The pytest entry point: options, markers, the automatic ``model`` marker and the ``mlgate`` fixture.

It stays small because pytest loads it in every run. The stateful plugin in
:mod:`pytest_mlgate.session` is loaded and registered only when a session has model tests
or asks for a report, so a plain pytest run never pays for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from ._stash import collected_key, session_key, settings_key, state_key

if TYPE_CHECKING:
    from .cache import ModelCache
    from .fixture import MlGate
    from .session import MlgateSession

# Only pytest and the standard library load with the plugin: the rest of the package, and
# numpy, pandas, scipy and scikit-learn, load when a model test first needs them.

MARKERS = {
    "model": "model: a model quality test (added automatically to tests that use the mlgate fixture "
    "or carry model_threshold / model_regression); select with -m model.",
    "model_threshold": "model_threshold(*, severity='fail', confidence=None, slices=False, **metrics): one gate "
    "per metric: a number is 'at least' (or 'at most' for lower-is-better metrics), a string such as "
    "'>=0.9' or '<0.2' gives the direction; severity='warn' only warns; confidence=0.95 gates the bootstrap "
    "bound; slices=True gates every slice of at least mlgate_min_slice_size rows.",
    "model_regression": "model_regression(**metrics): how much each metric may worsen against the stored "
    "baseline: a number is absolute, '2%' relative (default: ini mlgate_regression_tolerance).",
    "model_seeds": "model_seeds(k): run the test body once per seed (each with its own mlgate.seed and "
    "mlgate.rng); gates judge the worst replicate, or with confidence= the bound of the mean across seeds.",
}
GATE_MARKERS = ("model_threshold", "model_regression", "model_seeds")


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    from . import hookspecs

    pluginmanager.add_hookspecs(hookspecs)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("mlgate", "model quality gates (pytest-mlgate)")
    group.addoption("--mlgate-seed", type=int, default=None, metavar="N",
                    help="base seed; each model test's seed derives from it and the test id (ini mlgate_seed).")
    group.addoption("--mlgate-warn-only", action="store_true", default=False,
                    help="report every failed gate as a warning; none fails.")
    group.addoption("--mlgate-baseline", default=None, metavar="PATH",
                    help="baseline file (ini mlgate_baseline, default mlgate-baseline.json in the rootdir).")
    group.addoption("--mlgate-save-baseline", action="store_true", default=False,
                    help="write the metrics of the tests that ran into the baseline file.")
    group.addoption("--mlgate-history", default=None, metavar="PATH",
                    help="append one JSON line per run to PATH (ini mlgate_history).")
    group.addoption("--mlgate-report", default=None, metavar="PATH", help="write a Markdown report to PATH.")
    group.addoption("--mlgate-json", default=None, metavar="PATH", help="write a JSON report to PATH.")
    group.addoption("--mlgate-cache", choices=("rw", "read", "off"), default="rw",
                    help="model cache (mlgate_cache fixture): rw loads and stores (default), read only loads, "
                    "off neither (stored models stay).")
    group.addoption("--mlgate-cache-clear", action="store_true", default=False,
                    help="remove every stored model from the model cache before the run.")
    group.addoption("--mlgate-html", default=None, metavar="PATH",
                    help="write a self-contained HTML report with pictures to PATH (extra pytest-mlgate[html]).")
    parser.addini("mlgate_html_all_columns", "draw every drift column in the HTML report, not only drifted ones",
                  type="bool", default=False)
    parser.addini("mlgate_seed", "base seed of model tests (default 0)", default="0")
    parser.addini("mlgate_seed_globals", "seed Python's and numpy's global random state before each model test",
                  type="bool", default=True)
    parser.addini("mlgate_baseline", "baseline file, relative to the rootdir", default="mlgate-baseline.json")
    parser.addini("mlgate_regression_tolerance", "allowed worsening against the baseline: absolute or 'N%'",
                  default="0")
    parser.addini("mlgate_history", "append one JSON line per run to this file", default="")
    parser.addini("mlgate_min_slice_size", "smallest slice a slices=True gate judges", default="30")
    parser.addini("mlgate_bootstrap", "bootstrap resamples for confidence intervals (0 turns them off)",
                  default="1000")
    parser.addini("mlgate_inconclusive", "what an inconclusive comparison does: warn or fail", default="warn")
    parser.addini("mlgate_cache_dir", "model cache directory, relative to the rootdir "
                  "(default: mlgate-models in pytest's cache directory)", default="")
    parser.addini("mlgate_step_summary", "append the Markdown report to $GITHUB_STEP_SUMMARY when it is set",
                  type="bool", default=True)


def pytest_configure(config: pytest.Config) -> None:
    for line in MARKERS.values():
        config.addinivalue_line("markers", line)
    config.stash[collected_key] = set()
    from .options import resolve

    settings = resolve(config)  # every bad option or ini value is a usage error before anything runs
    config.stash[settings_key] = settings
    from .cacheplugin import configure as configure_cache

    configure_cache(config)  # the mlgate_cache fixture; --mlgate-cache-clear empties the cache here
    opt = config.option
    if getattr(opt, "mlgate_html", None):
        from .html import html_available, missing_extra_message

        if not html_available():  # a usage error naming the extra, before anything runs
            raise pytest.UsageError(missing_extra_message())
    controller = not hasattr(config, "workerinput") and getattr(opt, "dist", "no") not in (None, "no")
    if controller or settings.outputs_asked:
        activate(config)  # the xdist controller collects nothing, and asked-for reports are written anyway


def activate(config: pytest.Config) -> MlgateSession:
    """Load and register the stateful plugin once per session."""
    session = config.stash.get(session_key, None)
    if session is None:
        from .session import MlgateSession

        session = MlgateSession(config, config.stash[settings_key], config.stash[collected_key])
        config.stash[session_key] = session
        config.pluginmanager.register(session, "mlgate-session")
    return session


def pytest_unconfigure(config: pytest.Config) -> None:
    session = config.stash.get(session_key, None)
    if session is not None:
        config.pluginmanager.unregister(session)
        del config.stash[session_key]


def pytest_itemcollected(item: pytest.Item) -> None:
    item.config.stash[collected_key].add(item.nodeid)
    if "mlgate" in getattr(item, "fixturenames", ()) or any(
        item.get_closest_marker(name) is not None for name in GATE_MARKERS
    ):
        item.add_marker("model")
    if item.get_closest_marker("model") is not None:
        activate(item.config)


# What a model test imports lazily. numpy refuses to load twice in one process, and pytester's
# in-process runs (``pytester.runpytest()``) drop every module first imported inside them; so a
# test that uses pytester gets these imported before its pytester snapshot is taken.
_PRELOAD = (
    "numpy", "pandas", "scipy.sparse", "scipy.spatial.distance", "scipy.special", "scipy.stats",
    "sklearn.base", "sklearn.metrics", "sklearn.preprocessing", "sklearn.utils.multiclass",
    "pytest_mlgate.session", "pytest_mlgate.fixture", "pytest_mlgate.metrics", "pytest_mlgate.baseline",
    "pytest_mlgate.report", "pytest_mlgate.drift", "pytest_mlgate.stats", "pytest_mlgate.judge",
    "pytest_mlgate.outputs", "pytest_mlgate.junit", "pytest_mlgate.policy", "pytest_mlgate.markers",
    "joblib", "pytest_mlgate.cache",
)
_preloaded: list[bool] = []


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    if _preloaded:
        return
    names = getattr(item, "fixturenames", ())
    if "pytester" in names or "testdir" in names:
        import importlib

        _preloaded.append(True)
        for name in _PRELOAD:
            try:
                importlib.import_module(name)
            except ImportError:  # reported where a model test needs it
                pass


@pytest.fixture
def mlgate(request: pytest.FixtureRequest) -> MlGate:
    """Record, evaluate and compare models; the test's model_threshold gates judge what it records."""
    state = request.node.stash.get(state_key, None)
    if state is None:  # e.g. requested from a fixture of wider scope than a test
        pytest.fail(f"{request.node.nodeid}: the mlgate fixture belongs to one test; request it from a test "
                    "or a function-scoped fixture", pytrace=False)
    return state.fixture




@pytest.fixture(scope="session")
def mlgate_cache(pytestconfig: pytest.Config) -> ModelCache:
    """Train once: ``mlgate_cache.model(name, train, *args, **params)`` returns ``train(*args, **params)``,
    stored across runs and loaded while the code, the arguments and the library versions are unchanged."""
    from .cacheplugin import cache_plugin_key

    return pytestconfig.stash[cache_plugin_key].make_cache()
