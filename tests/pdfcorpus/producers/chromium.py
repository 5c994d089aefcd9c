"""Chromium's print-to-PDF (headless `chromium --print-to-pdf`) of the profiles as HTML.

Five stylesheets, each what an author might write for a document printed from the browser:
a corporate A4 report with CSS page margin boxes, a plain page printed with the browser's
own header and footer, a landscape appendix with banded rows, a serif report without rules,
and a compact US-Letter handout. See html.py for the document and the checks.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from tests.pdfcorpus.data import ProfileData
from tests.pdfcorpus.producers import Producer, Rendered
from tests.pdfcorpus.producers.html import Template, build_html, render_corpus

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
TIMEOUT = 180

COVER = """
.cover {
  break-after: page; position: relative; height: 225mm; box-sizing: border-box;
  padding-top: 28mm;
}
.cover .alliance { margin: 0 0 4pt; }
.cover .period { margin: 0 0 40mm; }
.cover .funding { position: absolute; bottom: 0; left: 0; display: flex; align-items: center; }
.cover .flag { width: 27mm; height: 18mm; background: #003399; margin-right: 8pt; }
.cover .funded { margin: 0; }
"""

# 1. Corporate A4 report: Carlito (Calibri's metrics), light-blue grid, shaded header that
#    repeats, a narrow Type column, CSS running header and "Page N of M" footer.
CORPORATE = Template(
    name="corporate-grid",
    aims=(
        "header-wrap-2",
        "header-bold",
        "header-shaded",
        "header-repeated",
        "rules-grid",
        "name-wrap",
        "row-across-pages",
        "row-over-3-pages",
        "bullets-list",
        "running-header",
        "page-numbers",
        "sans",
    ),
    cols=("19%", "7%", "44%", "12%", "18%"),
    css="""
@page {
  size: A4;
  margin: 22mm 18mm 20mm;
  @top-left { content: %ALLIANCE%; font: 8pt Carlito, sans-serif; color: #595959; }
  @top-right { content: %TITLE%; font: 8pt Carlito, sans-serif; color: #595959; }
  @bottom-right {
    content: "Page " counter(page) " of " counter(pages);
    font: 8pt Carlito, sans-serif; color: #595959;
  }
}
@page :first {
  @top-left { content: none; } @top-right { content: none; } @bottom-right { content: none; }
}
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { font: 10.5pt/1.3 Carlito, sans-serif; color: #222; margin: 0; }
"""
    + COVER
    + """
.cover .alliance { font-size: 14pt; color: #1F4E79; }
.cover .period { font-size: 12pt; }
.cover-title { font-size: 28pt; color: #1F4E79; }
h1.title { font-size: 18pt; color: #1F4E79; margin: 0 0 8pt; }
h2 { font-size: 13pt; color: #1F4E79; margin: 16pt 0 6pt; break-after: avoid; }
.description p { margin: 0 0 6pt; }
table { border-collapse: collapse; width: 100%; font-size: 9pt; line-height: 1.25; }
th, td { border: 0.75pt solid #8EAADB; padding: 3pt 4pt; vertical-align: top; text-align: left; }
thead th { background: #D9E2F3; font-weight: bold; }
table.context th { width: 32mm; background: #D9E2F3; }
td p { margin: 0; }
ul { margin: 0; padding-left: 11pt; }
""",
)

# 2. What a user gets printing a plain page from the browser: almost no CSS (cells are
#    vertically centred and header cells centred by the browser's own stylesheet), Times
#    New Roman (Liberation Serif here) at 11pt, rules under the rows, Chromium's default
#    US-Letter page with its date / title / URL / "n/N" header and footer.
BROWSER = Template(
    name="browser-default",
    aims=(
        "header-centred",
        "header-bold",
        "header-repeated",
        "rules-horizontal",
        "valign-middle",
        "row-across-pages",
        "row-over-3-pages",
        "name-wrap",
        "bullets-list",
        "running-header",
        "page-numbers",
        "large-type",
        "serif",
    ),
    links=True,
    lines="br",
    esco="br",
    css="""
body { font-family: "Times New Roman", serif; font-size: 11pt; }
"""
    + COVER
    + """
.cover { height: 215mm; }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid #999; padding: 4px 6px; }
table.competence th.type, table.competence th.level { width: 8%; }
table.competence td.name { width: 18%; }
table.competence td.esco { width: 20%; }
ul { margin: 0; padding-left: 1.3em; list-style-type: "– "; }
""",
)

# 3. A landscape appendix: the competence tables on A4 landscape pages (a CSS named page),
#    DejaVu Sans 7.5pt, banded rows without any rule, a dark shaded header with centred
#    labels, ESCO labels as spaced paragraphs in a narrow column, cells vertically centred,
#    square bullets. Chromium never breaks a line after '/' by itself, so this author put
#    <wbr> after the slashes of the labels to let "Type (S/K)" fold into its narrow column.
LANDSCAPE = Template(
    name="landscape-bands",
    aims=(
        "landscape",
        "shaded-rows",
        "header-shaded",
        "header-bold",
        "header-centred",
        "header-wrap-3",
        "header-repeated",
        "esco-paragraphs",
        "valign-middle",
        "small-type",
        "sans",
        "bullets-list",
        "page-numbers",
    ),
    wide=True,
    labels=("Name", "Type (S/<wbr>K)", "Description/<wbr>Context", "Level", "ESCO"),
    cols=("17%", "2%", "55%", "12%", "14%"),
    css="""
@page {
  size: A4;
  margin: 20mm 20mm 18mm;
  @bottom-center { content: counter(page); font: 7pt "DejaVu Sans", sans-serif; }
}
@page :first { @bottom-center { content: none; } }
@page wide { size: A4 landscape; margin: 14mm 16mm 16mm; }
.wide { page: wide; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { font: 9pt/1.4 "DejaVu Sans", sans-serif; color: #1a1a1a; margin: 0; }
"""
    + COVER
    + """
.cover .alliance { font-size: 12pt; font-weight: bold; }
.cover-title { font-size: 24pt; }
h1.title { font-size: 16pt; margin: 0 0 10pt; }
h2 { font-size: 11pt; margin: 14pt 0 5pt; break-after: avoid; }
.description p { margin: 0 0 7pt; }
table { border-collapse: collapse; width: 100%; }
table.occupations, table.context { font-size: 8pt; }
table.occupations th, table.context th { text-align: left; }
th, td { border: none; padding: 3pt 5pt; text-align: left; vertical-align: top; }
table.competence { font-size: 7.5pt; line-height: 1.3; }
table.competence thead th {
  background: #2F5496; color: #fff; font-weight: bold; text-align: center;
  vertical-align: middle;
}
table.competence td { vertical-align: middle; }
table.competence tbody tr:nth-child(even) td { background: #E4EAF5; }
td p { margin: 0; }
td.esco p { margin: 0 0 4pt; }
ul { margin: 0; padding-left: 10pt; list-style-type: square; }
""",
)

# 4. A serif report without rules: Caladea (Cambria's metrics), a chapter-style opening on
#    page 2, justified description, cells aligned to the bottom, running title and folio.
SERIF = Template(
    name="serif-borderless",
    aims=(
        "borderless",
        "valign-bottom",
        "justified-description",
        "header-bold",
        "header-repeated",
        "name-wrap",
        "name-across-pages",
        "row-across-pages",
        "bullets-list",
        "running-header",
        "page-numbers",
        "large-type",
        "serif",
    ),
    cols=("20%", "9%", "41%", "12%", "18%"),
    css="""
@page {
  size: A4;
  margin: 25mm 30mm 25mm;
  @top-center { content: %TITLE%; font: italic 8.5pt Caladea, serif; color: #444; }
  @bottom-center { content: "– " counter(page) " –"; font: 9pt Caladea, serif; }
}
@page :first { @top-center { content: none; } @bottom-center { content: none; } }
body { font: 11.5pt/1.55 Caladea, serif; color: #111; margin: 0; }
"""
    + COVER
    + """
.cover { text-align: center; height: 215mm; }
.cover .alliance { font-variant: normal; font-size: 13pt; }
.cover-title { font-size: 26pt; font-weight: bold; margin-top: 0; }
.cover .funding { left: 50%; transform: translateX(-50%); text-align: left; }
h1.title { font-size: 24pt; margin: 70mm 0 16pt; padding-bottom: 6pt; font-weight: bold; }
h2 { font-size: 14pt; margin: 18pt 0 6pt; break-after: avoid; }
.description { font-size: 12.5pt; line-height: 1.6; }
.description p { text-align: justify; margin: 0; text-indent: 1.5em; }
.description p:first-child { text-indent: 0; }
table { border-collapse: separate; border-spacing: 0; width: 100%; }
table.occupations, table.context { font-size: 10pt; }
th, td { padding: 4pt 5pt 5pt; text-align: left; vertical-align: top; }
table.competence { font-size: 10.5pt; line-height: 1.3; }
table.competence th { font-weight: bold; vertical-align: bottom; }
table.competence td { vertical-align: bottom; padding-bottom: 9pt; }
td p { margin: 0; }
ul { margin: 0; padding-left: 14pt; list-style-type: disc; }
""",
)

# 5. A compact US-Letter handout: Liberation Sans (Arial's metrics) 8pt, thin black grid,
#    bold centred header without fill, a narrow Name column, en-dash markers set with
#    ::marker, "n" page numbers bottom right only.
COMPACT = Template(
    name="compact-letter",
    aims=(
        "rules-grid",
        "header-bold",
        "header-centred",
        "header-wrap-2",
        "header-repeated",
        "name-wrap",
        "name-across-pages",
        "row-across-pages",
        "row-over-3-pages",
        "bullets-list",
        "page-numbers",
        "small-type",
        "sans",
    ),
    labels=("Name", "Type<br>(S/K)", "Description/Context", "Level", "ESCO"),
    cols=("13%", "7%", "50%", "11%", "19%"),
    css="""
@page {
  size: letter;
  margin: 0.6in 0.6in 0.7in;
  @bottom-right { content: counter(page); font: 8pt Arial, sans-serif; }
}
@page :first { @bottom-right { content: none; } }
body { font: 9.5pt/1.3 Arial, sans-serif; margin: 0; }
"""
    + COVER
    + """
.cover { height: 220mm; }
.cover-title { font-size: 22pt; }
h1.title { font-size: 15pt; margin: 0 0 6pt; }
h2 { font-size: 11pt; margin: 12pt 0 4pt; break-after: avoid; }
.description p { margin: 0 0 5pt; }
table { border-collapse: collapse; width: 100%; font-size: 8pt; line-height: 1.2; }
th, td { border: 0.5pt solid #000; padding: 2pt 3pt; vertical-align: top; text-align: left; }
table.competence thead th { text-align: center; font-weight: bold; }
td p { margin: 0; }
ul { margin: 0; padding-left: 9pt; }
li::marker { content: "– "; }
""",
)

TEMPLATES = (CORPORATE, BROWSER, LANDSCAPE, SERIF, COMPACT)


def browser() -> str | None:
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    return None


def missing() -> str | None:
    return None if browser() else "a Chromium browser (Debian package chromium)"


def versions() -> dict[str, str]:
    path = browser()
    if path is None:
        return {}
    out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=60)
    return {"chromium": out.stdout.strip()}


def print_pdf(profile: ProfileData, template: Template, pdf: Path) -> None:
    """Write the profile's HTML to a scratch folder and print it with headless Chromium."""
    path = browser()
    if path is None:
        raise RuntimeError(missing())
    with tempfile.TemporaryDirectory(prefix="albatts-chromium-") as scratch:
        page = Path(scratch) / f"{pdf.stem.split('__')[0]}.html"
        page.write_text(build_html(profile, template), encoding="utf-8")
        target = Path(scratch) / "out.pdf"
        command = [
            path,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            f"--user-data-dir={Path(scratch) / 'profile'}",
            f"--print-to-pdf={target}",
        ]
        if template.name != BROWSER.name:
            command.append("--no-pdf-header-footer")
        command.append(page.as_uri())
        done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT)
        if not target.exists():
            raise RuntimeError(f"chromium wrote no PDF for {pdf.name}: {done.stderr[-500:]}")
        shutil.move(target, pdf)


def render(profiles: Sequence[tuple[str, ProfileData]], folder: Path) -> list[Rendered]:
    return render_corpus(profiles, folder, TEMPLATES, print_pdf)


PRODUCER = Producer(name="chromium", missing=missing, versions=versions, render=render)
