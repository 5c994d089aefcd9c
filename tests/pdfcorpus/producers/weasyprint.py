"""WeasyPrint's rendering of the profiles as HTML (the Python library, in process).

Five stylesheets written the way WeasyPrint users write them: running headers from
`string-set`, `@page` margin boxes with "Page N of M", a named landscape page, a book-like
serif page with justified and hyphenated description. See html.py for the document and the
checks.

Note: WeasyPrint 70 fails ("min-content width for TextBox not handled yet") on
`li::marker { content: ... }` inside an auto-width table, so custom markers here use
`list-style-type: "..."`.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Sequence
from pathlib import Path

from tests.pdfcorpus.data import ProfileData
from tests.pdfcorpus.producers import Producer, Rendered
from tests.pdfcorpus.producers.html import Template, build_html, render_corpus

COVER = """
.cover {
  page: cover; break-after: page; position: relative; height: 225mm;
  box-sizing: border-box; padding-top: 28mm;
}
.cover .alliance { margin: 0 0 4pt; }
.cover .period { margin: 0 0 40mm; }
.cover .funding { position: absolute; bottom: 0; left: 0; width: 90mm; }
.cover .flag { float: left; width: 27mm; height: 18mm; background: #039; margin-right: 8pt; }
.cover .funded { margin: 0; padding-top: 1mm; }
"""

# 1. A technical handbook: DejaVu Sans, tables at 8pt in a dark grid, grey header that
#    repeats, a narrow Type column (Pango breaks "(S/K)" after the slash), the title in a
#    running header (string-set), "Page N of M" footer.
HANDBOOK = Template(
    name="handbook-grid",
    aims=(
        "header-wrap-3",
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
        "small-type",
        "sans",
    ),
    cols=("20%", "5%", "45%", "11%", "19%"),
    css="""
@page {
  size: A4;
  margin: 24mm 17mm 22mm;
  @top-left { content: %ALLIANCE%; font: 7.5pt "DejaVu Sans"; color: #555; }
  @top-right { content: string(title); font: 7.5pt "DejaVu Sans"; color: #555; }
  @bottom-center {
    content: "Page " counter(page) " of " counter(pages); font: 7.5pt "DejaVu Sans";
  }
}
@page cover { @top-left { content: none; } @top-right { content: none; }
  @bottom-center { content: none; } }
body { font: 9.5pt/1.35 "DejaVu Sans", sans-serif; color: #222; }
"""
    + COVER
    + """
.cover .alliance { font-size: 12pt; }
.cover-title { font-size: 22pt; }
h1.title { string-set: title content(); font-size: 17pt; margin: 0 0 8pt; }
h2 { font-size: 11.5pt; margin: 14pt 0 5pt; break-after: avoid; }
.description p { margin: 0 0 6pt; }
table { border-collapse: collapse; width: 100%; font-size: 8pt; line-height: 1.3; }
th, td { border: 0.6pt solid #444; padding: 2.5pt 3.5pt; vertical-align: top; text-align: left; }
thead th { background: #D0D0D0; font-weight: bold; }
table.context th { width: 30mm; background: #EEE; }
td p { margin: 0; }
ul { margin: 0; padding-left: 10pt; list-style-type: disc; }
""",
)

# 2. A US-Letter memo in Liberation Serif (Times New Roman's metrics) 11pt: rules between
#    rows only, centred bold header labels, vertically centred cells, en-dash markers,
#    alliance name top left and the page number bottom right.
MEMO = Template(
    name="memo-rules",
    aims=(
        "rules-horizontal",
        "header-centred",
        "header-bold",
        "header-wrap-2",
        "header-repeated",
        "valign-middle",
        "name-wrap",
        "row-across-pages",
        "row-over-3-pages",
        "bullets-list",
        "running-header",
        "page-numbers",
        "large-type",
        "serif",
    ),
    lines="br",
    esco="br",
    cols=("19%", "8%", "43%", "12%", "18%"),
    css="""
@page {
  size: letter;
  margin: 0.9in 0.8in 0.8in;
  @top-left { content: %ALLIANCE%; font: 8pt "Liberation Serif"; }
  @bottom-right { content: counter(page); font: 9pt "Liberation Serif"; }
}
@page cover { @top-left { content: none; } @bottom-right { content: none; } }
body { font: 11pt/1.3 "Liberation Serif", serif; }
"""
    + COVER
    + """
.cover { height: 215mm; }
.cover-title { font-size: 24pt; }
h1.title { font-size: 18pt; margin: 0 0 10pt; }
h2 { font-size: 13pt; margin: 16pt 0 6pt; break-after: avoid; }
.description p { margin: 0 0 8pt; }
table { border-collapse: collapse; width: 100%; }
table.occupations, table.context { font-size: 10pt; }
th, td { padding: 4pt 5pt; text-align: left; border-top: 0.5pt solid #777; }
table { border-bottom: 0.5pt solid #777; }
table.competence { font-size: 11pt; line-height: 1.25; }
table.competence thead th { text-align: center; border-bottom: 1.5pt solid #000; }
table.competence td { vertical-align: middle; }
ul { margin: 0; padding-left: 1.2em; list-style-type: "– "; }
""",
)

# 3. A landscape annex: the competence tables on A4 landscape pages (named page), Carlito
#    7.5pt, banded rows and no rules, a shaded header, ESCO labels as spaced paragraphs in a
#    narrow column, square markers.
ANNEX = Template(
    name="landscape-annex",
    aims=(
        "landscape",
        "shaded-rows",
        "header-shaded",
        "header-bold",
        "header-wrap-2",
        "header-repeated",
        "esco-paragraphs",
        "name-wrap",
        "bullets-list",
        "page-numbers",
        "small-type",
        "sans",
    ),
    wide=True,
    cols=("18%", "5%", "54%", "9%", "14%"),
    css="""
@page { size: A4; margin: 20mm 20mm 18mm;
  @bottom-right { content: counter(page) " / " counter(pages); font: 7pt Carlito; } }
@page cover { @bottom-right { content: none; } }
@page wide { size: A4 landscape; margin: 15mm 15mm 16mm; }
.wide { page: wide; }
body { font: 10pt/1.35 Carlito, sans-serif; color: #1b1b1b; }
"""
    + COVER
    + """
.cover .alliance { font-size: 13pt; font-weight: bold; color: #385723; }
.cover-title { font-size: 26pt; color: #385723; }
h1.title { font-size: 18pt; color: #385723; margin: 0 0 8pt; }
h2 { font-size: 12pt; color: #385723; margin: 14pt 0 5pt; break-after: avoid; }
.description p { margin: 0 0 6pt; }
table { border-collapse: collapse; width: 100%; font-size: 9pt; }
th, td { padding: 3pt 5pt; text-align: left; vertical-align: top; }
table.competence { font-size: 7.5pt; line-height: 1.3; }
table.competence thead th { background: #C5E0B4; font-weight: bold; }
table.competence tbody tr:nth-child(odd) td { background: #EEF5EA; }
table.competence tr { break-inside: avoid; }
td p { margin: 0; }
td.esco p { margin: 0 0 4.5pt; }
ul { margin: 0; padding-left: 9pt; list-style-type: square; }
""",
)

# 4. A book-like serif page: DejaVu Serif, justified description with automatic hyphenation
#    (hyphens: auto, lang="en"), no rules, cells aligned to the bottom, the title in the
#    running header, folios outside on alternate sides.
BOOK = Template(
    name="book-serif",
    aims=(
        "borderless",
        "valign-bottom",
        "justified-description",
        "hyphenation",
        "header-bold",
        "header-repeated",
        "name-wrap",
        "name-across-pages",
        "row-across-pages",
        "bullets-list",
        "running-header",
        "page-numbers",
        "serif",
    ),
    cols=("21%", "8%", "41%", "12%", "18%"),
    css="""
@page {
  size: A4;
  margin: 27mm 28mm 27mm;
  @top-center { content: string(title); font: italic 8pt "DejaVu Serif"; color: #444; }
}
@page :right { @bottom-right { content: counter(page); font: 8.5pt "DejaVu Serif"; } }
@page :left { @bottom-left { content: counter(page); font: 8.5pt "DejaVu Serif"; } }
@page cover { @top-center { content: none; } @bottom-right { content: none; }
  @bottom-left { content: none; } }
body { font: 10pt/1.5 "DejaVu Serif", serif; color: #111; }
"""
    + COVER
    + """
.cover { text-align: center; height: 215mm; }
.cover-title { font-size: 22pt; }
.cover .funding { left: 50%; margin-left: -30mm; text-align: left; }
h1.title { string-set: title content(); font-size: 21pt; margin: 72mm 0 14pt; }
h2 { font-size: 12.5pt; margin: 16pt 0 6pt; break-after: avoid; }
.description { font-size: 11.5pt; line-height: 1.6; }
.description p { text-align: justify; hyphens: auto; margin: 0; text-indent: 1.5em; }
.description p:first-child { text-indent: 0; }
table { width: 100%; border-collapse: separate; border-spacing: 0; }
table.occupations, table.context { font-size: 9pt; }
th, td { padding: 4pt 5pt; text-align: left; vertical-align: top; }
table.competence { font-size: 9pt; line-height: 1.35; }
table.competence th { vertical-align: bottom; font-weight: bold; }
table.competence td { vertical-align: bottom; padding-bottom: 8pt; }
td p { margin: 0; }
ul { margin: 0; padding-left: 12pt; list-style-type: disc; }
""",
)

# 5. A compact A4 form: Liberation Sans 9pt, double outer border and light inner grid, bold
#    centred header, a narrow Name column, circle markers, a footer with the alliance name.
FORM = Template(
    name="form-grid",
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
        "running-header",
        "page-numbers",
        "sans",
    ),
    labels=("Name", "Type<br>(S/K)", "Description/Context", "Level", "ESCO"),
    cols=("14%", "7%", "48%", "12%", "19%"),
    css="""
@page {
  size: A4;
  margin: 18mm 16mm 20mm;
  @bottom-left { content: %ALLIANCE%; font: 7.5pt "Liberation Sans"; color: #333; }
  @bottom-right { content: "Page " counter(page); font: 7.5pt "Liberation Sans"; }
}
@page cover { @bottom-left { content: none; } @bottom-right { content: none; } }
body { font: 10pt/1.3 "Liberation Sans", sans-serif; }
"""
    + COVER
    + """
.cover-title { font-size: 22pt; }
h1.title { font-size: 16pt; margin: 0 0 8pt; }
h2 { font-size: 11.5pt; margin: 12pt 0 4pt; break-after: avoid; }
.description p { margin: 0 0 6pt; }
table { border-collapse: collapse; width: 100%; font-size: 9pt; line-height: 1.25; }
table.competence, table.occupations, table.context { border: 2pt double #000; }
th, td { border: 0.5pt solid #888; padding: 2pt 3pt; vertical-align: top; text-align: left; }
table.competence thead th { text-align: center; font-weight: bold; }
td p { margin: 0; }
ul { margin: 0; padding-left: 10pt; list-style-type: circle; }
""",
)

TEMPLATES = (HANDBOOK, MEMO, ANNEX, BOOK, FORM)


def missing() -> str | None:
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError) as error:  # OSError: Pango libraries not found
        return f"WeasyPrint (pip install weasyprint; Pango): {error}"
    return None


def versions() -> dict[str, str]:
    import pydyf
    import weasyprint
    from weasyprint.text.ffi import pango

    number = int(pango.pango_version())  # e.g. 15008 for 1.50.8
    return {
        "weasyprint": weasyprint.__version__,
        "pydyf": pydyf.__version__,
        "pango": f"{number // 10000}.{number // 100 % 100}.{number % 100}",
    }


def print_pdf(profile: ProfileData, template: Template, pdf: Path) -> None:
    """Render the profile's HTML with WeasyPrint."""
    import weasyprint

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    source = build_html(profile, template)
    with tempfile.TemporaryDirectory(prefix="albatts-weasyprint-") as scratch:
        page = Path(scratch) / f"{pdf.stem.split('__')[0]}.html"
        page.write_text(source, encoding="utf-8")
        weasyprint.HTML(filename=str(page)).write_pdf(pdf)


def render(profiles: Sequence[tuple[str, ProfileData]], folder: Path) -> list[Rendered]:
    return render_corpus(profiles, folder, TEMPLATES, print_pdf)


PRODUCER = Producer(name="weasyprint", missing=missing, versions=versions, render=render)
