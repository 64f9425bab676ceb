"""What pytest's JUnit XML carries of each model test: its metrics and every gate's verdict.

Under ``junit_family=xunit1`` the values are properties of the test's testcase; under ``xunit2``,
whose schema forbids properties on a testcase, they are properties of the testsuite named
``<test id>::<metric>``. Found through pytest's public ``LogXML`` object, no private imports.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pytest

    from .results import TestResult



def junit_properties(result: TestResult) -> list[tuple[str, str]]:
    """JUnit (name, value) pairs of one test: every metric, each gate's verdict, baseline and change."""
    props: list[tuple[str, str]] = [(name, repr(m.value)) for name, m in result.metrics.items()]
    valued = set(result.metrics)
    with_baseline: set[str] = set()
    for gate in result.gates:
        if gate.metric not in valued and gate.value is not None:
            valued.add(gate.metric)
            props.append((gate.metric, repr(gate.value)))
        props.append((f"{gate.metric}.{gate.kind}", f"{gate.status} {gate.threshold_text}"))
        if gate.baseline is not None and gate.metric not in with_baseline:
            with_baseline.add(gate.metric)
            props.append((f"{gate.metric}.baseline", repr(gate.baseline)))
            if gate.value is not None:
                props.append((f"{gate.metric}.change", repr(gate.value - gate.baseline)))
    return [(xml_safe(name), value) for name, value in props]


def set_testcase_properties(item: pytest.Item, result: TestResult) -> None:
    """xunit1: the test's properties are this attempt's alone (a rerun replaces a failed attempt's)."""
    mine = getattr(item, "_mlgate_junit_props", [])
    for prop in mine:
        if prop in item.user_properties:
            item.user_properties.remove(prop)
    props = junit_properties(result)
    item.user_properties.extend(props)
    item._mlgate_junit_props = props  # type: ignore[attr-defined]


def add_suite_properties(config: pytest.Config, results: list[TestResult]) -> None:
    """xunit2: every test's properties on the testsuite, named ``<test id>::<metric>``."""
    xml = _junit_plugin(config)
    if xml is None:
        return
    for result in results:
        for name, value in junit_properties(result):
            xml.add_global_property(f"{xml_safe(result.nodeid)}::{name}", value)


_XML_ILLEGAL = re.compile("[^\u0009\u000A\u000D\u0020-\uD7FF\uE000-\uFFFD\U00010000-\U0010FFFF]")


def xml_safe(text: str) -> str:
    """``text`` with characters XML 1.0 cannot hold written as ``#xNN``, as pytest does for values.

    pytest escapes property values but not names, and a metric name (or a slice value in it)
    may hold any character; one control character would make the whole JUnit file unreadable.
    """
    return _XML_ILLEGAL.sub(lambda m: f"#x{ord(m.group()):02X}", text)


def _junit_plugin(config: pytest.Config) -> Any:
    """pytest's LogXML instance, found by its public method rather than a private import."""
    for plugin in config.pluginmanager.get_plugins():
        if type(plugin).__name__ == "LogXML" and hasattr(plugin, "add_global_property"):
            return plugin
    return None
