"""Regenerate ``docs/html-report.png``: the example project's HTML report, as headless Chromium shows it.

Run from the repository root, with the extras ``html`` and Python's ``playwright`` installed and
Debian's ``chromium`` on the PATH::

    python docs/make_screenshot.py            # writes docs/html-report.png
    python docs/make_screenshot.py --keep out # also keeps the report and the project run in ./out

The example project runs twice in a temporary copy (the first run saves a baseline with its
pictures and starts a history, the second writes the report), so the picture shows the
baseline's curves and a trend.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]


def run_example(workdir: Path) -> Path:
    """The example project's HTML report, written in a copy of it under ``workdir``."""
    project = workdir / "examples"
    shutil.copytree(ROOT / "examples", project, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
    env = {k: v for k, v in os.environ.items() if k != "GITHUB_STEP_SUMMARY"}
    base = [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-p", "no:cacheprovider",
            "--mlgate-history", "history.jsonl"]
    for extra in (["--mlgate-save-baseline"], ["--mlgate-html", "report.html"]):
        done = subprocess.run([*base, *extra], cwd=project, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"the example project failed:\n{done.stdout}\n{done.stderr}")
    return project / "report.html"


def screenshot(html: Path, png: Path, *, width: int = 1200, height: int = 1500) -> None:
    """The top ``height`` pixels of ``html`` at ``width``, as a PNG."""
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise SystemExit("no chromium on the PATH: apt-get install -y chromium")
    with tempfile.TemporaryDirectory() as profile, sync_playwright() as p:
        browser = p.chromium.launch_persistent_context(
            profile, executable_path=chromium, args=FLAGS, viewport={"width": width, "height": height}
        )
        try:
            page = browser.new_page()
            page.goto(html.as_uri(), wait_until="load")
            page.screenshot(path=str(png), clip={"x": 0, "y": 0, "width": width, "height": height})
        finally:
            browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "html-report.png"), help="the PNG to write")
    parser.add_argument("--keep", default=None, metavar="DIR", help="run the example project in DIR and keep it")
    args = parser.parse_args()
    if args.keep:
        workdir = Path(args.keep)
        workdir.mkdir(parents=True, exist_ok=True)
        html = run_example(workdir)
        screenshot(html, Path(args.out))
    else:
        with tempfile.TemporaryDirectory() as tmp:
            screenshot(run_example(Path(tmp)), Path(args.out))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
