"""The example project's HTML report, opened in headless Chromium as a reviewer would open it.

Needs Debian's ``chromium`` (``apt-get install -y chromium``); skipped, saying so, only when no
Chromium is installed. With Python's ``playwright`` installed the page is driven through it
(console messages, page errors, every request, each picture's drawn size); without it Chromium's
own ``--dump-dom`` and console logging are read.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("matplotlib", reason="the HTML report needs the extra pytest-mlgate[html]")

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = next((p for p in (shutil.which("chromium"), shutil.which("chromium-browser")) if p), None)
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]

#: Every picture kind the example project's report must show.
KINDS = {"confusion", "roc", "pr", "calibration", "predicted-vs-actual", "residuals-vs-prediction",
         "residual-distribution", "slices", "compare-roc", "compare-pr", "compare-difference", "drift-numeric",
         "drift-categorical", "trend"}

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="no chromium installed (apt-get install -y chromium)"),
]


def example_report(workdir: Path) -> Path:
    """Run the example project twice (baseline with pictures, then the report run) and return its HTML."""
    project = workdir / "examples"
    shutil.copytree(ROOT / "examples", project, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("GITHUB_STEP_SUMMARY", None)
    base = [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-p", "no:cacheprovider",
            "--mlgate-history", "history.jsonl"]
    first = subprocess.run([*base, "--mlgate-save-baseline"], cwd=project, env=env, capture_output=True, text=True,
                           timeout=600)
    assert first.returncode == 0, first.stdout + first.stderr
    second = subprocess.run([*base, "--mlgate-html", "report.html", "-o", "mlgate_html_all_columns=true"],
                            cwd=project, env=env, capture_output=True, text=True, timeout=600)
    assert second.returncode == 0, second.stdout + second.stderr
    return project / "report.html"


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return example_report(tmp_path_factory.mktemp("example"))


def open_with_playwright(html: Path, profile: Path) -> dict:
    from playwright.sync_api import sync_playwright

    problems: list[str] = []
    url = html.as_uri()
    with sync_playwright() as p:
        browser = p.chromium.launch_persistent_context(  # a fresh profile directory
            str(profile), executable_path=CHROMIUM, args=FLAGS[1:], viewport={"width": 1280, "height": 900}
        )
        try:
            page = browser.new_page()
            page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}"))
            page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
            page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}"))
            page.on("request", lambda r: None if r.url == url else problems.append(f"request: {r.url}"))
            page.goto(url, wait_until="load")
            figures = page.evaluate(
                """() => Array.from(document.querySelectorAll('figure.plot')).map(f => {
                    const s = f.querySelector(':scope > svg');
                    const r = s ? s.getBoundingClientRect() : {width: 0, height: 0};
                    return {kind: f.dataset.plot, svg: !!s, width: r.width, height: r.height,
                            marks: s ? s.querySelectorAll('path, use, text').length : 0};
                })"""
            )
            text = page.inner_text("body")
        finally:
            browser.close()
    return {"problems": problems, "figures": figures, "text": text}


def open_with_chromium(html: Path, profile: Path) -> dict:
    done = subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0", "--dump-dom",
         html.as_uri()], capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    problems = [line for line in done.stderr.splitlines() if "CONSOLE" in line or "net::ERR" in line]
    dom = done.stdout
    def size(body: str, attr: str) -> float:
        found = re.search(rf'\b{attr}="([0-9.]+)', body[:2000])
        return float(found.group(1)) if found else 0.0

    figures = [
        {"kind": kind, "svg": True, "width": size(body, "width"), "height": size(body, "height"),
         "marks": len(re.findall(r"<(?:path|use|text)\b", body))}
        for kind, body in re.findall(r'<figure class="plot" data-plot="([^"]+)"><svg(.*?)</svg>', dom, re.DOTALL)
    ]
    text = re.sub(r"<[^>]+>", " ", dom.split("<body>", 1)[-1])
    return {"problems": problems, "figures": figures, "text": " ".join(text.split())}


@pytest.fixture(scope="module")
def page(report: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    profile = tmp_path_factory.mktemp("chromium-profile")
    try:
        import playwright  # noqa: F401
    except ImportError:
        return open_with_chromium(report, profile)
    return open_with_playwright(report, profile)


def test_the_page_loads_without_a_console_error_or_a_request(page: dict) -> None:
    assert page["problems"] == []


def test_every_picture_kind_is_drawn(page: dict) -> None:
    figures = page["figures"]
    assert KINDS <= {f["kind"] for f in figures}, KINDS - {f["kind"] for f in figures}
    empty = [f for f in figures if not f["svg"] or f["width"] < 50 or f["height"] < 50 or f["marks"] < 5]
    assert empty == []


def test_the_page_reads_as_a_review(page: dict) -> None:
    text = " ".join(page["text"].split())
    assert "Run verdict: WARN" in text  # the example's f1 gate only warns
    attention = text.split("Needs attention", 1)[1].split("Tests (", 1)[0]
    assert "test_models.py::test_cancer_classifier" in attention and "f1" in attention
    for name in ("test_wine_classifier", "test_challenger_is_no_worse_than_champion",
                 "test_diabetes_regressor_holds_for_both_sexes", "test_holdout_looks_like_training_data",
                 "test_labels_have_not_drifted"):
        assert f"test_models.py::{name}" in text
    assert "ROC curve beside the baseline's (dashed)" in text
    assert "Trend of accuracy over 2 runs of the history." in text


def test_the_cli_fallback_sees_the_same_page(report: Path, tmp_path: Path) -> None:
    page = open_with_chromium(report, tmp_path / "profile")
    assert page["problems"] == []
    assert KINDS <= {f["kind"] for f in page["figures"]}
    assert "Run verdict: WARN" in page["text"]
