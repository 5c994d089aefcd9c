"""report.html in a real browser: headless Debian Chromium driven by Playwright.

The browser is the system's (`apt-get install chromium`; .ci/run installs it); Playwright
never downloads one. Without it the test is skipped with what to install (it fails instead
when ALBATTS_REQUIRE_BROWSER is set, as .ci/run does). The screenshot is kept in
test-artifacts/report.png for a person to look at.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from pipeline.cli import main
from tests.conftest import REPO, SEED
from tests.test_inspect import GOOD_ROW, profile_pdf

ARTIFACTS = REPO / "test-artifacts"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _chromium() -> str:
    found = os.environ.get("ALBATTS_CHROMIUM") or shutil.which("chromium")
    if not found:
        message = (
            "no Chromium to open report.html in: install it with `apt-get install chromium` "
            "(or set ALBATTS_CHROMIUM to a Chromium binary)"
        )
        if os.environ.get("ALBATTS_REQUIRE_BROWSER"):  # CI installs it: a skip would hide
            pytest.fail(message)
        pytest.skip(message)
    return found


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A run over the seed (ok, with warnings), a PDF whose level is not in the vocabulary
    and a PDF the layout code cannot read (a row without a name)."""
    from click.testing import CliRunner

    inbox = tmp_path_factory.mktemp("inbox")
    (inbox / "seed.txt").write_bytes(SEED.read_bytes())
    bad_level = ("Listening", "S", "- Listen to people", "Expertt", "listening")
    (inbox / "bad level.pdf").write_bytes(profile_pdf([(20, GOOD_ROW), (20, bad_level)]))
    no_name = ("", "S", "- Sort cells by state", "Practitioner", "")
    (inbox / "no [name].pdf").write_bytes(profile_pdf([(20, GOOD_ROW), (20, no_name)]))
    out = tmp_path_factory.mktemp("run") / "out"
    result = CliRunner().invoke(main, ["extract", str(inbox), "--out", str(out)])
    assert result.exit_code == 1, result.output
    return out / "report.html"


def test_report_renders_in_chromium_with_the_problems_shown(report: Path) -> None:
    executable = _chromium()
    sync_api = pytest.importorskip("playwright.sync_api")
    ARTIFACTS.mkdir(exist_ok=True)
    console_errors: list[str] = []
    requests: list[str] = []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 900})
            page.on(
                "console",
                lambda message: (
                    console_errors.append(message.text) if message.type == "error" else None
                ),
            )
            page.on("pageerror", lambda error: console_errors.append(str(error)))
            page.on("request", lambda request: requests.append(request.url))
            page.goto(report.as_uri())
            page.wait_for_load_state("load")
            rejected = page.locator("section.file.rejected h3").all_inner_texts()
            problems = page.locator("section.file.rejected ul.problems").all_inner_texts()
            figures = page.locator("section.file.rejected figure img")
            widths = [
                figures.nth(i).evaluate("img => img.naturalWidth") for i in range(figures.count())
            ]
            profile_titles = page.locator("section.profile h2").all_inner_texts()
            page.locator("#rejected").scroll_into_view_if_needed()
            page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=True)
        finally:
            browser.close()
    assert console_errors == []
    # Self-contained: nothing but the file itself and its inline pictures is fetched.
    assert all(url.startswith(("file:", "data:")) for url in requests), requests
    assert rejected == ["bad level.pdf", "no [name].pdf"]
    assert any("'Expertt' is not in the levels vocabulary" in text for text in problems)
    assert any("a row without a name" in text for text in problems)
    assert len(widths) == 2 and all(width > 300 for width in widths)
    assert profile_titles == ["Embedded System and BMS Engineers"]
