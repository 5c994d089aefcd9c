"""What the extractor saw in one input, for a person to look at: `albatts inspect`.

For a PDF: one PNG per page with what the layout code detected drawn over the page
(running header/footer, headings, each table's header band, column boundaries and row
bands, the place of a problem), and a plain-text dump of what each row became. For a text,
Markdown or Word file: the rows with their line numbers (a Word file's paragraph numbers).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import PipelineError
from pipeline.extract import content_format, extract_document, source_format
from pipeline.extract.page_pictures import render_page_png
from pipeline.extract.pdf import Trace, read_pdf
from pipeline.extract.pdf_model import Box, PdfLayout, Shape
from pipeline.model import Document, Source

# Colours (RGBA) of the overlay, named after what they mark; the README explains them.
FURNITURE = (128, 128, 128, 90)
HEADING = (255, 140, 0, 220)
HEADER_BAND = (128, 0, 192, 60)
COLUMN = (0, 90, 255, 230)
ROW_RULE = (0, 160, 0, 230)
ROW_GAP = (0, 200, 200, 230)
PROBLEM = (230, 0, 0, 255)


@dataclass(frozen=True)
class Inspection:
    """What inspect wrote, and how reading the file ended."""

    images: tuple[Path, ...]
    dump: Path
    error: PipelineError | None


def inspect_file(
    path: Path,
    out_dir: Path,
    pages: Sequence[int] | None = None,
    layout: PdfLayout | None = None,
) -> Inspection:
    """Read one input as `albatts extract` would and write what was detected to out_dir."""
    data = path.read_bytes()
    fmt = content_format(data, source_format(path) or "text")
    source = Source(path.name, fmt, "")
    out_dir.mkdir(parents=True, exist_ok=True)
    dump = out_dir / f"{path.stem}.rows.txt"
    if fmt != "pdf":
        try:
            document: Document | None = extract_document(data, source)
            error = None
        except PipelineError as problem:
            document, error = None, problem
        dump.write_text(text_rows(document, error), encoding="utf-8")
        return Inspection((), dump, error)
    trace = Trace()
    try:
        read_pdf(data, source, layout, trace)
        error = None
    except PipelineError as problem:
        error = problem
    wanted = list(pages) if pages else sorted({*trace.furniture, *_pages_of(trace)})
    images = []
    for number in wanted:
        image = out_dir / f"{path.stem}-page-{number:03d}.png"
        render_page_png(data, number, image, page_shapes(trace, number))
        images.append(image)
    dump.write_text(pdf_rows(trace, error, pages), encoding="utf-8")
    return Inspection(tuple(images), dump, error)


def _pages_of(trace: Trace) -> set[int]:
    return {part.page for _, part in trace.parts} | set(trace.headings)


def page_shapes(trace: Trace, page: int) -> list[Shape]:
    """The overlay of one page: what the layout code found there (pure)."""
    shapes: list[Shape] = []
    for line in trace.furniture.get(page, []):
        shapes.append(Shape("rect", _box(line.x0, line.top, line.x1, line.bottom), FURNITURE))
    for line in trace.headings.get(page, []):
        box = _box(line.x0, line.top, line.x1, line.bottom)
        shapes.append(Shape("outline", box, HEADING, 2))
    for _, part in trace.parts:
        if part.page != page:
            continue
        if part.header is not None:
            shapes.append(Shape("rect", part.header, HEADER_BAND))
        for x in part.columns.edges:
            shapes.append(Shape("line", Box(x, part.top, x, part.bottom), COLUMN, 2))
        for band in part.bands:
            colour = ROW_GAP if band.bound == "gap" else ROW_RULE
            shapes.append(Shape("outline", pad(band.box, 1.5), colour, 2))
    if trace.problem is not None and trace.problem[0] == page and trace.problem[1] is not None:
        shapes.append(Shape("outline", pad(trace.problem[1], 3), PROBLEM, 4))
    return shapes


def _box(x0: float, top: float, x1: float, bottom: float) -> Box:
    return Box(x0, top, x1, bottom)


def pad(box: Box, by: float) -> Box:
    """The box grown by `by` points on every side, so an outline does not hide the text."""
    return Box(box.x0 - by, box.top - by, box.x1 + by, box.bottom + by)


def pdf_rows(trace: Trace, error: PipelineError | None, pages: Sequence[int] | None) -> str:
    """Plain text: each table row found, on which pages and where, and its cells."""
    out: list[str] = []
    if error is not None:
        out += [f"could not read the file: {error}", ""]
    for page in sorted(trace.furniture):
        if pages and page not in pages:
            continue
        for line in trace.furniture[page]:
            out.append(f"page {page}: running header/footer {line.text!r} (dropped)")
    table = None
    for row in trace.rows:
        if pages and not any(band.page in pages for band in row.bands):
            continue
        if row.table != table:
            table = row.table
            out += ["", f"== {table}"]
        where = ", ".join(
            f"page {b.page} y {b.box.top:.0f}-{b.box.bottom:.0f} ({b.bound})" for b in row.bands
        )
        out.append(f"row {row.number}: {where}")
        for name, text in row.cells.items():
            shown = text.replace("\n", " | ")
            out.append(f"  {name:<12}{shown}")
    if trace.problem is not None:
        page, box, message = trace.problem
        place = f" at x {box.x0:.0f}-{box.x1:.0f}, y {box.top:.0f}-{box.bottom:.0f}" if box else ""
        out += ["", f"problem on page {page}{place}: {message}"]
    return "\n".join(out).strip() + "\n"


def text_rows(document: Document | None, error: PipelineError | None) -> str:
    """Plain text: the rows of a text profile with the line each cell starts on."""
    out: list[str] = []
    if error is not None:
        out += [f"could not read the file: {error}", ""]
    if document is None:
        return "\n".join(out)
    out.append(f"title (line {document.title.line}): {document.title.text}")
    out += ["", "== occupations"]
    for occupation in document.occupations:
        out.append(
            f"line {occupation.code.line}: {occupation.code.text} | {occupation.label.text} | "
            f"{occupation.uri.text}"
        )
    out += ["", "== context"]
    for entry in document.context:
        out.append(f"line {entry.value.line}: {entry.key} = {entry.value.text!r}")
    for section in document.sections:
        out += ["", f"== competences: {section.heading.text} (line {section.heading.line})"]
        for number, competence in enumerate(section.competences, start=1):
            lines = [competence.name.line, *(cell.line for cell in competence.description)]
            shown = ", ".join(str(line) for line in lines if line is not None)
            out.append(f"row {number}: lines {shown}")
            out.append(f"  {'name':<12}{competence.name.text}")
            out.append(f"  {'type':<12}{competence.type.text}")
            out.append(f"  {'level':<12}{competence.level.text}")
            for cell in competence.description:
                out.append(f"  {'description':<12}{cell.text.strip()}")
            for cell in competence.esco:
                out.append(f"  {'esco':<12}{cell.text.strip()}")
    return "\n".join(out) + "\n"
