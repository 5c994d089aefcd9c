"""Profile PDFs to a Document. The only module that imports pdfplumber.

One pass over each page's words: words become text lines, running headers/footers and
page numbers are dropped, and the remaining lines flow through the same recognisers as
the text format. Table columns come from the header row words (and vertical rulings when
a table has them), never from fixed coordinates.
"""

from __future__ import annotations

import io
import itertools
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pdfplumber
from pdfminer.pdfdocument import PDFPasswordIncorrect
from pdfminer.psexceptions import PSException
from pdfplumber.utils.exceptions import PdfminerException

from pipeline.errors import ExtractError, ReadError
from pipeline.extract.structure import (
    CONTEXT_HEADING,
    OCCUPATION_FIELDS,
    OCCUPATIONS_HEADING,
    blocks_to_cover,
    competence_header,
    header_word_runs,
    no_competence_tables,
    no_context_table,
    no_occupations_header,
    no_occupations_table,
    occupation_header,
)
from pipeline.model import (
    Cell,
    ContextEntry,
    Document,
    Location,
    RawCompetence,
    RawOccupation,
    RawSection,
    Source,
)

_PAGE_NUMBER = re.compile(r"^(?:page\s+)?\d+(?:\s*(?:/|of)\s*\d+)?$", re.IGNORECASE)


@dataclass(frozen=True)
class PdfLayout:
    """Tolerances for reading a page, in PDF points or fractions of the font size."""

    same_line: float = 0.5  # words whose tops differ by less than this x size share a line
    paragraph_gap: float = 0.7  # extra space (x line height) that separates blocks
    column_gap: float = 1.2  # horizontal gap (x font size) that separates table columns
    column_slack: float = 2.0  # points a cell's text may start left of its column
    furniture_share: float = 0.5  # share of pages a header/footer line must recur on

    def __post_init__(self) -> None:
        for name in ("same_line", "paragraph_gap", "column_gap", "furniture_share"):
            if not getattr(self, name) > 0:
                raise ValueError(f"PdfLayout.{name} must be positive")


@dataclass(frozen=True)
class Word:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float

    @property
    def size(self) -> float:
        return self.bottom - self.top


@dataclass(frozen=True)
class TextLine:
    page: int
    words: tuple[Word, ...]

    @property
    def text(self) -> str:
        return " ".join(word.text for word in self.words)

    @property
    def top(self) -> float:
        return min(word.top for word in self.words)

    @property
    def bottom(self) -> float:
        return max(word.bottom for word in self.words)

    @property
    def x0(self) -> float:
        return self.words[0].x0

    @property
    def x1(self) -> float:
        return self.words[-1].x1

    @property
    def size(self) -> float:
        return max(word.size for word in self.words)


@dataclass(frozen=True)
class Page:
    number: int
    lines: tuple[TextLine, ...]
    vertical_rulings: tuple[float, ...]


def read_pdf(data: bytes, source: Source, layout: PdfLayout | None = None) -> Document:
    layout = layout or PdfLayout()
    pages = pdf_to_pages(data, source.path, layout)
    return pages_to_document(pages, source, layout)


def pdf_to_pages(data: bytes, file: str, layout: PdfLayout) -> list[Page]:
    """Words and vertical rulings of every page (I/O: the only pdfplumber call)."""
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            raw = [(_words(page), _vertical_rulings(page)) for page in pdf.pages]
    except MemoryError:
        raise  # the worker turns it into a "used more than N MB" verdict
    except (PdfminerException, PSException) as error:
        # pdfplumber wraps pdfminer's errors; the cause tells an encrypted file apart.
        cause = error.args[0] if isinstance(error, PdfminerException) and error.args else error
        if isinstance(cause, PDFPasswordIncorrect):
            raise ReadError(
                "the PDF is encrypted and needs a password",
                Location(file),
                "ask the sender for an unprotected copy",
            ) from error
        raise ReadError(
            f"not a readable PDF ({type(cause).__name__}: {cause})",
            Location(file),
            "the file may be truncated or not a PDF; download or export it again",
        ) from error
    except Exception as error:  # the parser's own failure on a malformed file
        raise ReadError(
            f"the PDF parser failed on this file ({type(error).__name__}: {error})",
            Location(file),
            "the PDF is probably damaged: export or download it again",
        ) from error
    pages = [
        Page(number, tuple(words_to_lines(words, number, layout)), tuple(rulings))
        for number, (words, rulings) in enumerate(raw, start=1)
    ]
    if not any(page.lines for page in pages):
        raise ReadError(
            "the PDF has no text layer (a scan or images only)",
            Location(file),
            "run OCR on it first, or ask for a PDF exported with text",
        )
    return pages


def _words(page: pdfplumber.page.Page) -> list[Word]:
    return [
        Word(w["text"], float(w["x0"]), float(w["x1"]), float(w["top"]), float(w["bottom"]))
        for w in page.extract_words(keep_blank_chars=False, use_text_flow=False)
        if w.get("upright", True)
    ]


def _vertical_rulings(page: pdfplumber.page.Page) -> list[float]:
    edges = [edge for edge in page.edges if edge["orientation"] == "v"]
    return sorted({round(float(edge["x0"]), 1) for edge in edges if edge["height"] > 4})


def words_to_lines(words: Sequence[Word], page: int, layout: PdfLayout) -> list[TextLine]:
    """Group words whose tops are close into lines, top to bottom, left to right."""
    lines: list[list[Word]] = []
    for word in sorted(words, key=lambda w: (w.top, w.x0)):
        if lines and abs(word.top - lines[-1][0].top) < layout.same_line * word.size:
            lines[-1].append(word)
        else:
            lines.append([word])
    return [TextLine(page, tuple(sorted(line, key=lambda w: w.x0))) for line in lines]


def strip_furniture(pages: Sequence[Page], layout: PdfLayout) -> list[Page]:
    """Drop running headers, footers and page numbers: the first or last lines of a page
    that are page numbers or recur (digits aside) on many pages.

    The cover is left out of the count and keeps its lines (its alliance name may be the
    running header of the other pages).
    """
    body = [page for page in pages if page.number > 1]
    edge_texts: Counter[str] = Counter()
    for page in body:
        for line in {*page.lines[:2], *page.lines[-2:]}:
            edge_texts[_furniture_key(line.text)] += 1
    recurring = {
        text
        for text, count in edge_texts.items()
        if count >= 2 and count >= layout.furniture_share * len(body)
    }

    def furniture(line: TextLine, page: int) -> bool:
        return bool(_PAGE_NUMBER.match(line.text)) or (
            page > 1 and _furniture_key(line.text) in recurring
        )

    stripped = []
    for page in pages:
        lines = list(page.lines)
        while lines and furniture(lines[0], page.number):
            lines.pop(0)
        while lines and furniture(lines[-1], page.number):
            lines.pop()
        stripped.append(Page(page.number, tuple(lines), page.vertical_rulings))
    return stripped


def _furniture_key(text: str) -> str:
    return re.sub(r"\d+", "#", text.strip().casefold())


def pages_to_document(pages: Sequence[Page], source: Source, layout: PdfLayout) -> Document:
    file = source.path
    content = strip_furniture(pages, layout)
    lines = [line for page in content for line in page.lines]
    rulings = {page.number: page.vertical_rulings for page in content}
    occupations_at = _find(lines, OCCUPATIONS_HEADING)
    if occupations_at is None:
        raise no_occupations_table(Location(file))
    context_at = _find(lines, CONTEXT_HEADING, start=occupations_at + 1)
    if context_at is None:
        raise no_context_table(Location(file, page=lines[occupations_at].page))
    headers = [i for i in range(context_at + 1, len(lines)) if _header(lines[i], competence_header)]
    headings = _section_headings(lines, headers, file, layout)
    if not headings:
        raise no_competence_tables(Location(file, page=lines[context_at].page))
    cover = blocks_to_cover(lines_to_blocks(lines[:occupations_at], layout), file)
    bounds = [*headings, len(lines)]
    return Document(
        source=source,
        alliance=cover.alliance,
        period=cover.period,
        title=cover.title,
        description=cover.description,
        occupations=_occupations(lines[occupations_at + 1 : context_at], file, layout),
        context=_context(lines[context_at + 1 : headings[0]], layout),
        sections=tuple(
            _section(lines[start:end], rulings, file, layout)
            for start, end in itertools.pairwise(bounds)
        ),
    )


def _find(lines: Sequence[TextLine], pattern: re.Pattern[str], start: int = 0) -> int | None:
    return next((i for i in range(start, len(lines)) if pattern.match(lines[i].text)), None)


def lines_to_blocks(lines: Sequence[TextLine], layout: PdfLayout) -> list[Cell]:
    """Paragraph-like blocks: a block ends at a wide vertical gap or at the end of the cover.

    At a page break a block goes on only if its last line ran to the right edge, as a
    paragraph cut mid-way does.
    """
    if not lines:
        return []
    right_edge = max(line.x1 for line in lines)
    blocks: list[list[TextLine]] = [[lines[0]]]
    for previous, line in itertools.pairwise(lines):
        if line.page != previous.page:
            new_block = previous.page == 1 or previous.x1 < right_edge - 3 * previous.size
        else:
            gap = line.top - previous.bottom
            resized = abs(line.size - previous.size) > 0.1 * previous.size
            new_block = resized or gap > layout.paragraph_gap * previous.size
        if new_block:
            blocks.append([line])
        else:
            blocks[-1].append(line)
    return [Cell("\n".join(line.text for line in block), None, block[0].page) for block in blocks]


def _same_block(upper: TextLine, lower: TextLine, layout: PdfLayout) -> bool:
    return (
        upper.page == lower.page
        and abs(upper.size - lower.size) <= 0.1 * lower.size
        and lower.top - upper.bottom <= layout.paragraph_gap * lower.size
        and abs(upper.x0 - lower.x0) <= layout.column_slack
    )


def _segments(line: TextLine, layout: PdfLayout) -> list[tuple[float, str]]:
    """Runs of words separated by column-wide gaps, as (x0, text)."""
    runs: list[list[Word]] = [[line.words[0]]]
    for previous, word in itertools.pairwise(line.words):
        if word.x0 - previous.x1 > layout.column_gap * word.size:
            runs.append([word])
        else:
            runs[-1].append(word)
    return [(run[0].x0, " ".join(word.text for word in run)) for run in runs]


def _header(
    line: TextLine, recognise: Callable[[Sequence[str]], tuple[str | None, ...] | None]
) -> _Columns | None:
    """Columns of a header row: each label's field and where its text starts."""
    texts = [word.text for word in line.words]
    runs = header_word_runs(texts)
    fields = recognise([" ".join(texts[i] for i in run) for run in runs])
    if fields is None:
        return None
    return _Columns(fields, tuple(line.words[run[0]].x0 for run in runs))


def _section_headings(
    lines: Sequence[TextLine], headers: Sequence[int], file: str, layout: PdfLayout
) -> list[int]:
    """Where each section starts: the heading just above a header row on the same page.

    A header row at the top of a page with no heading above it is the header repeated after
    a page break. A long heading may wrap: lines of its size right above it belong to it.
    """
    headings: list[int] = []
    for i in headers:
        above = i - 1
        if lines[above].page == lines[i].page and above not in headers:
            while above - 1 > (headings[-1] if headings else 0) and _same_block(
                lines[above - 1], lines[above], layout
            ):
                above -= 1
            headings.append(above)
        elif not headings:
            raise ExtractError(
                "competence table header row without a category heading above it",
                Location(file, page=lines[i].page),
                "put the category heading (e.g. 'Soft Competence') above the table",
            )
    return headings


@dataclass(frozen=True)
class _Columns:
    fields: tuple[str | None, ...]
    starts: tuple[float, ...]

    def index(self, x0: float, slack: float) -> int:
        return max((i for i, start in enumerate(self.starts) if x0 >= start - slack), default=0)

    def ruled(self, rulings: Sequence[float]) -> _Columns:
        """With vertical rulings, a column starts at the ruling between its header label
        and the one before, which also holds when labels are centred or indented."""
        starts = [self.starts[0]]
        for previous, start in itertools.pairwise(self.starts):
            between = [x for x in rulings if previous < x <= start + 1]
            starts.append(max(between) if between else start)
        return _Columns(self.fields, tuple(starts))


def _line_cells(line: TextLine, columns: _Columns, layout: PdfLayout) -> dict[str, str]:
    words: list[list[str]] = [[] for _ in columns.starts]
    for word in line.words:
        words[columns.index(word.x0, layout.column_slack)].append(word.text)
    return {
        field: " ".join(texts)
        for field, texts in zip(columns.fields, words, strict=True)
        if field is not None
    }


def _occupations(
    lines: Sequence[TextLine], file: str, layout: PdfLayout
) -> tuple[RawOccupation, ...]:
    """Rows start where the code column has text; a label or URI may wrap below it."""
    header_at = next((i for i, line in enumerate(lines) if _header(line, occupation_header)), None)
    if header_at is None:
        raise no_occupations_header(
            Location(file, page=lines[0].page if lines else None, table="occupations")
        )
    columns = _header(lines[header_at], occupation_header)
    assert columns is not None
    rows: list[dict[str, list[str]]] = []
    pages: list[int] = []
    for line in lines[header_at + 1 :]:
        if _header(line, occupation_header):
            continue  # header repeated after a page break
        cells = _line_cells(line, columns, layout)
        if cells.get("code") or not rows:
            rows.append({field: [] for field in OCCUPATION_FIELDS})
            pages.append(line.page)
        for field in OCCUPATION_FIELDS:
            if cells.get(field):
                rows[-1][field].append(cells[field])
    return tuple(
        RawOccupation(*(Cell("\n".join(row[field]), None, page) for field in OCCUPATION_FIELDS))
        for row, page in zip(rows, pages, strict=True)
    )


def _context(lines: Sequence[TextLine], layout: PdfLayout) -> tuple[ContextEntry, ...]:
    """Key/value rows: the value column starts where values start (after a wide gap, or
    on lines that hold only a value); a line with no key continues the value above."""
    if not lines:
        return ()
    left = min(line.x0 for line in lines)
    value_starts = [line.x0 for line in lines if line.x0 > left + layout.column_gap * line.size]
    value_starts += [x0 for line in lines for x0, _ in _segments(line, layout)[1:]]
    value_x = min(value_starts, default=max(line.x1 for line in lines))
    entries: list[tuple[str, list[str], int]] = []
    for line in lines:
        key = " ".join(w.text for w in line.words if w.x0 < value_x - layout.column_slack)
        value = " ".join(w.text for w in line.words if w.x0 >= value_x - layout.column_slack)
        if key or not entries:
            entries.append((key, [value] if value else [], line.page))
        elif value:
            entries[-1][1].append(value)
    return tuple(
        ContextEntry(key, Cell("\n".join(values), None, page)) for key, values, page in entries
    )


@dataclass
class _Row:
    name: list[str]
    type: list[str]
    level: list[str]
    description: list[Cell]
    esco: list[Cell]
    page: int


def _section(
    lines: Sequence[TextLine],
    rulings: dict[int, tuple[float, ...]],
    file: str,
    layout: PdfLayout,
) -> RawSection:
    """One competence table. A row starts on the line where its Type or Level shows;
    lines above the first row start on a page continue the row left on the page before."""
    first_header = next(i for i, line in enumerate(lines) if _header(line, competence_header))
    heading = Cell("\n".join(line.text for line in lines[:first_header]), None, lines[0].page)
    columns: _Columns | None = None
    rows: list[_Row] = []
    for line in lines[first_header:]:
        header = _header(line, competence_header)
        if header is not None:
            columns = header.ruled(rulings.get(line.page, ()))
            continue
        assert columns is not None
        cells = _line_cells(line, columns, layout)
        if cells.get("type") or cells.get("level"):
            rows.append(_Row([], [], [], [], [], line.page))
        elif not rows:
            raise ExtractError(
                f"table text {line.text[:60]!r} before the first competence row",
                Location(file, page=line.page, table="competences"),
                "each competence row needs its Name, Type and Level",
            )
        row = rows[-1]
        row.name.append(cells.get("name", ""))
        row.type.append(cells.get("type", ""))
        row.level.append(cells.get("level", ""))
        for field, parts in (("description", row.description), ("esco", row.esco)):
            text = cells.get(field, "")
            if parts and parts[-1].page == line.page:
                parts[-1] = Cell(f"{parts[-1].text}\n{text}", None, line.page)
            else:
                parts.append(Cell(text, None, line.page))
    return RawSection(
        heading,
        tuple(
            RawCompetence(
                name=Cell("\n".join(part for part in row.name if part), None, row.page),
                type=Cell(" ".join(part for part in row.type if part), None, row.page),
                level=Cell(" ".join(part for part in row.level if part), None, row.page),
                description=tuple(row.description),
                esco=tuple(row.esco),
            )
            for row in rows
        ),
    )
