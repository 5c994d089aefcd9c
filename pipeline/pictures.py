"""Pictures of the pages of a PDF input where its problems are, the place outlined in red.

Drawn in the worker that read the file (the only process that holds its bytes), for
report.html: the steward sees the row or cell instead of reading coordinates. The outline
reuses what `albatts inspect` finds and draws; a problem whose place on the page cannot be
found is shown on its page without an outline, and the caption says so.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from contextlib import suppress

from pipeline.errors import PipelineError
from pipeline.extract.page_pictures import page_pngs
from pipeline.extract.pdf import Trace, read_pdf
from pipeline.extract.pdf_layout import TracedRow
from pipeline.extract.pdf_lines import TextLine
from pipeline.extract.pdf_model import Box, PdfLayout, Shape
from pipeline.inspect import PROBLEM, pad
from pipeline.model import Issue, PagePicture, Source

# A report shows the first pages with problems; the rest are in validation.json.
MAX_PAGES = 4
# Thumbnail resolution: an A4 page becomes about 580 x 820 pixels.
RESOLUTION = 70
# The published column a problem names -> the traced cell that holds it.
_CELL_OF_COLUMN = {
    "name": "name",
    "type": "type",
    "level": "level",
    "statement": "description",
    "esco_skill": "esco",
    "esco_code": "code",
    "esco_label": "label",
    "esco_uri": "uri",
}
_QUOTED_NAME = re.compile(r"competence '((?:[^'\\]|\\.)*)'|competence \"((?:[^\"\\]|\\.)*)\"")


def problem_pictures(
    data: bytes,
    source: Source,
    issues: Sequence[Issue],
    layout: PdfLayout | None = None,
    trace: Trace | None = None,
) -> tuple[PagePicture, ...]:
    """The pages (at most MAX_PAGES) that issues are located on, each with the places of
    its issues outlined, from the trace of the extraction that found them (the PDF is read
    again when none is given). Never raises for the document's sake: a page that cannot be
    drawn is left out."""
    pages = sorted({issue.location.page for issue in issues if issue.location.page})
    if not pages:
        return ()
    if trace is None:
        trace = Trace()
        # On a failure the trace holds what was found up to the problem, and its place.
        with suppress(PipelineError):
            read_pdf(data, source, layout, trace)
    drawn = []
    for page in pages[:MAX_PAGES]:
        on_page = [issue for issue in issues if issue.location.page == page]
        boxes = [box for issue in on_page for box in _places(trace, issue, page)]
        try:
            outlines = [Shape("outline", pad(box, 3), PROBLEM, 3) for box in boxes]
        except MemoryError:
            raise  # the worker's memory verdict
        except Exception:  # a picture is a courtesy, never a new failure
            continue
        drawn.append((page, outlines, _caption(on_page, bool(boxes))))
    # One opening of the document for all its pictures; a page that cannot be drawn is
    # left out (a picture is a courtesy, never a new failure).
    pngs = page_pngs(data, [(page, outlines) for page, outlines, _ in drawn], RESOLUTION, grey=True)
    return tuple(
        PagePicture(page, png, caption)
        for (page, _, caption), png in zip(drawn, pngs, strict=True)
        if png is not None
    )


def _places(trace: Trace, issue: Issue, page: int) -> list[Box]:
    """Where on the page the issue is: the problem box that stopped the reading, else the
    cell (or the whole row) of the competence it names."""
    if trace.problem is not None and trace.problem[0] == page and issue.stage == "extract":
        return [trace.problem[1]] if trace.problem[1] is not None else []
    name = _named_competence(issue.location.row or "")
    if name is None:
        return []
    row = next((row for row in trace.rows if _is_named(row, name, page)), None)
    if row is None:
        return []
    cell = _CELL_OF_COLUMN.get(issue.location.column or "")
    boxes = []
    for band in row.bands:
        if band.page != page:
            continue
        lines = band.cells.get(cell, ()) if cell else ()
        boxes.append(_union([_box_of(line) for line in lines]) if lines else band.box)
    return boxes


def _named_competence(row: str) -> str | None:
    match = _QUOTED_NAME.search(row)
    if match is None:
        return None
    return match.group(1) if match.group(1) is not None else match.group(2)


def _is_named(row: TracedRow, name: str, page: int) -> bool:
    return (
        row.table.startswith("competences")
        and any(band.page == page for band in row.bands)
        and _loose(row.cells.get("name", "")) == _loose(name)
    )


def _loose(text: str) -> str:
    """Letters and digits only: a wrapped or hyphenated name matches its cleaned form."""
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def _box_of(line: TextLine) -> Box:
    return Box(line.x0, line.top, line.x1, line.bottom)


def _union(boxes: Sequence[Box]) -> Box:
    return Box(
        min(b.x0 for b in boxes),
        min(b.top for b in boxes),
        max(b.x1 for b in boxes),
        max(b.bottom for b in boxes),
    )


def _caption(issues: Sequence[Issue], outlined: bool) -> str:
    count = len(issues)
    what = issues[0].message if count == 1 else f"{count} problems"
    where = "outlined in red" if outlined else "their place on the page could not be outlined"
    return f"{what} ({where})"
