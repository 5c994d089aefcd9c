"""Shared, pure pagination: profile + variant + style + measure -> pages of draw operations.

Coordinates are PDF points with the origin at the top-left corner of the page and y growing
downwards; a TextOp's y is the text baseline. Fonts are logical ("regular" or "bold"); each
producer maps them to its real fonts and passes its own `measure` and `Style`. Pages may
change size (landscape competence pages); a PageLayout also records where table rows broke
across pages and the layout variations it shows. The rules are in tests/pdfcorpus/README.md.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal, TypeVar

from tests.pdfcorpus.data import ProfileData, map_profile_text, sections
from tests.pdfcorpus.render_text import (
    COMPETENCE_HEADER,
    FUNDING_LINES,
    OCCUPATION_HEADER,
    SPECIALISATIONS_LEAD_IN,
    UL_PREFIX,
)
from tests.pdfcorpus.variants import (
    LARGE_TYPE,
    RULES_VARIATIONS,
    SMALL_TYPE,
    Variant,
    ul_cells,
)

REGULAR = "regular"
BOLD = "bold"
OCCUPATIONS_HEADING = "ESCO Occupations"
CONTEXT_HEADING = "Context"
CONTEXT_KEYS = ("Minimum EQF", "Value Chain", "Departments", "Specialisations")
RUNNING_TITLE = "ALBATTS – Job Role Profile"
# Characters the pipeline reads as bullet markers when they stand alone.
MARKER_CHARS = "-•–*▪●◦‣"
RULED = ("grid", "horizontal")  # table rules with a horizontal line under every row
NAME_COLUMN, TYPE_COLUMN, DESCRIPTION_COLUMN, LEVEL_COLUMN, ESCO_COLUMN = range(5)
Box = tuple[float, float, float, float]

_T = TypeVar("_T")
Measure = Callable[[str, str, float], float]
"""measure(text, font, size) -> width in points; font is REGULAR or BOLD."""


class LayoutError(ValueError):
    """The profile cannot be drawn under the layout conventions (e.g. a label too wide)."""


@dataclass(frozen=True)
class TextOp:
    """Draw `text` with its baseline starting at (x, y); `role` is for checks only.

    Roles: cover, title, paragraph, heading, table-header, cell, running-header, footer.
    Table text (table-header, cell) also tells its cell on this page: `box` (left, top,
    right, bottom) and `column`; the producers draw none of it.
    """

    x: float
    y: float
    text: str
    font: str
    size: float
    role: str = ""
    box: Box | None = None
    column: int | None = None


@dataclass(frozen=True)
class LineOp:
    """Stroke a line from (x1, y1) to (x2, y2)."""

    x1: float
    y1: float
    x2: float
    y2: float
    width: float


@dataclass(frozen=True)
class RectOp:
    """Fill a rectangle (top-left corner x, y; width, height) with grey (0 black, 1 white)."""

    x: float
    y: float
    width: float
    height: float
    grey: float


Op = TextOp | LineOp | RectOp


@dataclass(frozen=True)
class Split:
    """A table row broken by a page break (for corpus statistics and tests).

    kind: "mid-name" (the Name cell continues on the next page), else how the Description
    continues: "new-bullet" (the continuation starts a bullet), "mid-bullet" (it continues a
    bullet cut mid-sentence), "no-description" (only other cells continue) or "other" (not a
    competence table). description: that Description kind, even for "mid-name". part: 1 for
    a row's first break, 2 for its second (the row runs over three pages), ...
    """

    page: int
    row: str
    kind: str
    description: str = ""
    part: int = 1


@dataclass(frozen=True)
class PageLayout:
    """Page size, the draw operations of every page (page 1 is the cover), row splits.

    width x height is the size of the cover and of every page not listed in `sizes` (when
    set, `sizes` holds every page's size: landscape pages). `variations` names the layout
    variations (tests/pdfcorpus/variations.py) this layout really shows; the producers add
    the typeface ("serif"/"sans").
    """

    width: float
    height: float
    pages: tuple[tuple[Op, ...], ...]
    splits: tuple[Split, ...] = ()
    sizes: tuple[tuple[float, float], ...] = ()
    variations: tuple[str, ...] = ()

    def page_size(self, index: int) -> tuple[float, float]:
        """(width, height) of pages[index]."""
        return self.sizes[index] if self.sizes else (self.width, self.height)


@dataclass(frozen=True)
class Style:
    """A producer's look: margins, fonts sizes, spacing, column policy, cover, header/footer.

    Sizes and gaps are points; leadings are ratios of the font size.
    """

    margin_left: float
    margin_top: float
    margin_right: float
    margin_bottom: float
    body_size: float
    body_leading: float
    paragraph_gap: float  # extra space between paragraphs, in body line heights (>= 1)
    title_size: float
    heading_size: float
    heading_before: float
    heading_after: float
    table_size: float
    min_table_size: float
    table_leading: float
    pad_x: float
    pad_y: float
    row_gap: float  # extra space between rows of borderless tables
    rule_width: float
    table_after: float
    name_share: float  # Name column: share of the text width
    esco_slack: float  # extra width for the ESCO column
    min_description: float  # narrowest Description/Context column, in ems of the table font
    bullet_indent: float | None  # hanging indent (marker apart); None: "- text" in one string
    key_font: str
    cover: Literal["centered", "left"]
    cover_alliance_size: float
    cover_period_size: float
    cover_title_size: float
    cover_funding_size: float
    header_size: float
    header_offset: float  # header baseline above the content top
    footer_offset: float  # footer baseline below the content bottom
    header_kind: Literal["title", "alliance"]
    header_rule: bool
    footer_format: str  # "Page {page}" or "{page} / {pages}"
    footer_align: Literal["left", "center", "right"]
    bare_footer_align: Literal["left", "center", "right"]
    # Labels (ESCO skills, departments, specialisations) stay on one line while the table
    # type can shrink to this size (None: min_table_size) to fit them; below, they wrap.
    label_min_size: float | None = None
    esco_share: float = 0.2  # widest ESCO column when labels wrap, share of the text width
    label_gap: float = 0.5  # paragraph spacing between labels, in table line heights
    header_grey: float = 0.82  # shaded header band
    band_grey: float = 0.92  # shaded body rows

    def scaled(self, factor: float) -> Style:
        """The same style with every font size multiplied by `factor`."""
        names = (
            "body_size",
            "title_size",
            "heading_size",
            "table_size",
            "min_table_size",
            "cover_alliance_size",
            "cover_period_size",
            "cover_title_size",
            "cover_funding_size",
        )
        changes: dict[str, float] = {name: getattr(self, name) * factor for name in names}
        if self.bullet_indent is not None:
            changes["bullet_indent"] = self.bullet_indent * factor
        if self.label_min_size is not None:
            changes["label_min_size"] = self.label_min_size * factor
        return replace(self, **changes)  # type: ignore[arg-type]


@dataclass(frozen=True)
class CellLine:
    """One text line of a table cell; `marker` is drawn at the cell start (hanging indent).

    gap: paragraph spacing (points) above the line, unless it is the first line of its cell
    on the page.
    """

    text: str
    font: str = REGULAR
    indent: float = 0.0
    marker: str | None = None
    starts_bullet: bool = False
    gap: float = 0.0


Cell = tuple[CellLine, ...]


@dataclass(frozen=True)
class Row:
    """A table row; its first `keep` lines (of the line grid) never split across pages."""

    cells: tuple[Cell, ...]
    keep: int = 1

    @property
    def lines(self) -> int:
        """Number of text lines (the tallest cell)."""
        return max([1, *(len(cell) for cell in self.cells)])


@dataclass(frozen=True)
class Table:
    """A table: column widths, font, optional header row, body rows and the page policy."""

    widths: tuple[float, ...]
    size: float
    header: Row | None
    rows: tuple[Row, ...]
    split_rows: bool
    description_column: int | None = None
    name_column: int | None = None

    def split_kind(self, continuation: Row) -> str:
        """How the Description of the continuation part of a broken row starts (see Split)."""
        if self.description_column is None:
            return "other"
        cell = continuation.cells[self.description_column]
        if not cell:
            return "no-description"
        return "new-bullet" if cell[0].starts_bullet else "mid-bullet"


def cell_gaps(cell: Cell) -> list[float]:
    """Paragraph spacing above each line of a cell part, summed from its top (points)."""
    gaps, total = [], 0.0
    for k, line in enumerate(cell):
        if k:
            total += line.gap
        gaps.append(total)
    return gaps


# --- wrapping -----------------------------------------------------------------------------


def _hyphen_pieces(word: str, slash: bool = False) -> list[str]:
    """Split a word after each hyphen between two letters ('model-based' -> model-, based),
    and with `slash` after a '/' before a letter or digit ('(S/K)' -> '(S/', 'K)')."""
    pieces, start = [], 0
    for i in range(1, len(word) - 1):
        hyphen = word[i] == "-" and word[i - 1].isalpha() and word[i + 1].isalpha()
        if hyphen or (slash and word[i] == "/" and word[i + 1].isalnum()):
            pieces.append(word[start : i + 1])
            start = i + 1
    return [*pieces, word[start:]]


def _is_marker(word: str) -> bool:
    return len(word) == 1 and word in MARKER_CHARS


def _soft_end(text: str) -> bool:
    """Text ends like a hyphen-wrapped line (letter + '-'), which readers join without space."""
    return len(text) >= 2 and text[-1] == "-" and text[-2].isalpha()


def wrap_units(text: str, slash: bool = False) -> list[tuple[str, str]]:
    """Unbreakable units of a text, each with the glue before it (' ' or '' after a hyphen).

    A line may not start with a lone marker, end with one, or end with a space-separated
    word like 'pre-' (it would read as a wrapped 'pre-and'): such units are merged. With
    `slash` (header labels only), a line may also end after a '/' inside a word.
    """
    units: list[tuple[str, str]] = []
    for word in text.split():
        for k, piece in enumerate(_hyphen_pieces(word, slash)):
            glue = "" if k else " "
            if units and glue == " ":
                last_text, last_glue = units[-1]
                last_word = last_text.split(" ")[-1]
                if _is_marker(piece) or _is_marker(last_word) or _soft_end(last_text):
                    units[-1] = (last_text + " " + piece, last_glue)
                    continue
            units.append((piece, glue))
    return units


def wrap(
    text: str, width: float, measure: Callable[[str], float], slash: bool = False
) -> list[str]:
    """Greedy wrap at spaces or after an existing hyphen; never breaks inside a unit."""
    lines: list[str] = []
    current: str | None = None
    for unit, glue in wrap_units(text, slash):
        candidate = unit if current is None else current + glue + unit
        if current is not None and measure(candidate) > width + 1e-6:
            lines.append(current)
            candidate = unit
        if measure(candidate) > width + 1e-6:
            raise LayoutError(f"{unit!r} does not fit in {width:.1f}pt")
        current = candidate
    return [*lines, current] if current is not None else []


def one_line(text: str, width: float, measure: Callable[[str], float], what: str) -> str:
    """Text that must not wrap: assert it fits."""
    if measure(text) > width + 1e-6:
        raise LayoutError(f"{what} {text!r} does not fit on one line in {width:.1f}pt")
    return text


def narrowest_width(text: str, lines: int, measure: Callable[[str], float]) -> float:
    """The narrowest width in which `text` wraps (header rules: after '/' too) into at most
    `lines` lines; the text's own width when lines is 1."""
    if lines <= 1:
        return measure(text)
    units = wrap_units(text, slash=True)
    runs = set()
    for start in range(len(units)):
        run = units[start][0]
        runs.add(run)
        for unit, glue in units[start + 1 :]:
            run += glue + unit
            runs.add(run)
    for width in sorted({measure(run) for run in runs}):
        try:
            if len(wrap(text, width, measure, slash=True)) <= lines:
                return width
        except LayoutError:
            continue
    return measure(text)


# --- glyph coverage ---------------------------------------------------------------------------


def nfkc_alternatives(charset: Iterable[int]) -> dict[str, str]:
    """Characters a font lacks mapped to one it has with the same NFKC form (μ -> µ)."""
    alternatives: dict[str, str] = {}
    for code in sorted(charset):
        normal = unicodedata.normalize("NFKC", chr(code))
        if normal != chr(code) and len(normal) == 1:
            alternatives.setdefault(normal, chr(code))
    return alternatives


def drawable_profile(profile: ProfileData, charset: frozenset[int], font: str) -> ProfileData:
    """The profile as drawn with a font covering `charset`.

    A missing character is replaced by one with the same NFKC form (the pipeline reads
    text NFKC-normalised, so the truth still holds); anything else raises LayoutError.
    """
    alternatives = nfkc_alternatives(charset)
    missing: set[str] = set()

    def change(text: str) -> str:
        out = []
        for char in text:
            if not (char.isspace() or ord(char) in charset):
                if char not in alternatives:
                    missing.add(char)
                char = alternatives.get(char, char)
            out.append(char)
        return "".join(out)

    drawn = map_profile_text(profile, change)
    if missing:
        names = ", ".join(f"{c!r} U+{ord(c):04X}" for c in sorted(missing))
        raise LayoutError(f"{profile.title!r}: {font} has no glyph for {names}")
    return drawn


# --- pagination -----------------------------------------------------------------------------


def baseline(top: float, size: float, leading: float) -> float:
    """Baseline of a line box starting at `top` (text vertically centred in the leading)."""
    return top + (leading - size) / 2 + 0.78 * size


@dataclass
class _Flow:
    """Mutable page builder used inside layout_profile only."""

    style: Style
    width: float
    height: float
    pages: list[list[Op]] = field(default_factory=list)
    sizes: list[tuple[float, float]] = field(default_factory=list)
    ops: list[Op] = field(default_factory=list)
    y: float = 0.0
    splits: list[Split] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.y = self.top

    @property
    def top(self) -> float:
        return self.style.margin_top

    @property
    def bottom(self) -> float:
        return self.height - self.style.margin_bottom

    @property
    def at_top(self) -> bool:
        return self.y <= self.top + 1e-6

    def space(self) -> float:
        return self.bottom - self.y

    def new_page(self, size: tuple[float, float] | None = None) -> None:
        self.pages.append(self.ops)
        self.sizes.append((self.width, self.height))
        self.ops = []
        self.y = self.top
        if size is not None:
            self.width, self.height = size

    def skip(self, amount: float) -> None:
        if not self.at_top:
            self.y = min(self.y + amount, self.bottom)

    def turn(self, size: tuple[float, float]) -> None:
        """Go on with pages of another size (from the next page unless this one is empty)."""
        if self.ops:
            self.new_page(size)
        else:
            self.width, self.height = size
            self.y = self.top

    def finish(self) -> list[tuple[list[Op], tuple[float, float]]]:
        if self.ops:
            self.new_page()
        return list(zip(self.pages, self.sizes, strict=True))


def _text_block(
    flow: _Flow,
    lines: Sequence[str],
    x: float,
    font: str,
    size: float,
    leading: float,
    role: str,
) -> None:
    """Flowing lines: a line that does not fit goes to the next page."""
    for text in lines:
        if flow.y + leading > flow.bottom + 1e-6:
            flow.new_page()
        flow.ops.append(TextOp(x, baseline(flow.y, size, leading), text, font, size, role))
        flow.y += leading


def _heading_height(lines: Sequence[str], style: Style) -> float:
    return len(lines) * style.heading_size * 1.25 + style.heading_after


def _draw_heading(flow: _Flow, lines: Sequence[str], x: float) -> None:
    size = flow.style.heading_size
    _text_block(flow, lines, x, BOLD, size, size * 1.25, "heading")
    flow.y += flow.style.heading_after


@dataclass
class _Segment:
    """The part of a table drawn on one page; `body` counts the rows below the header."""

    top: float
    page_top: bool
    header: bool = False
    body: int = 0


def _row_height(lines: int, size: float, style: Style) -> float:
    return 2 * style.pad_y + lines * size * style.table_leading


def _content_height(row: Row, size: float, style: Style) -> float:
    """Height of the row's tallest cell: its lines plus their paragraph spacing."""
    leading = size * style.table_leading
    lines = row.lines
    over = 0.0  # what paragraph spacing adds to the `lines` grid lines
    for cell in row.cells:
        spacing = cell_gaps(cell)[-1] if cell else 0.0
        if spacing:
            over = max(over, (len(cell) - lines) * leading + spacing)
    return lines * size * style.table_leading + over


def _part_height(row: Row, size: float, style: Style) -> float:
    """Height of a drawn row (part): padding and the tallest cell."""
    return 2 * style.pad_y + _content_height(row, size, style)


def _gap(variant: Variant, style: Style) -> float:
    """Space between rows: only borderless tables need it (rules or bands tell rows apart)."""
    return style.row_gap if variant.table_rules == "none" else 0.0


def _valign_shift(cell: Cell, content: float, leading: float, valign: str) -> float:
    """How far below the top of the row part's content the cell's first line box starts."""
    if valign == "top" or not cell:
        return 0.0
    free = content - (len(cell) * leading + cell_gaps(cell)[-1])
    if free <= 1e-6:
        return 0.0
    return free / 2 if valign == "middle" else free


def _draw_row(
    flow: _Flow,
    table: Table,
    row: Row,
    x0: float,
    variant: Variant,
    role: str = "cell",
    shade: float | None = None,
) -> None:
    style, size = flow.style, table.size
    leading = size * style.table_leading
    top = flow.y
    height = _part_height(row, size, style)
    right = x0 + sum(table.widths)
    if shade is not None:
        flow.ops.append(RectOp(x0, top, right - x0, height, shade))
    content = _content_height(row, size, style)
    x = x0
    for column, (width, cell) in enumerate(zip(table.widths, row.cells, strict=True)):
        box = (x, top, x + width, top + height)
        shift = _valign_shift(cell, content, leading, variant.valign)
        competence = role == "cell" and table.name_column is not None
        if shift and competence and column in (TYPE_COLUMN, LEVEL_COLUMN):
            flow.seen.add(f"valign-{variant.valign}")
        for k, (line, spacing) in enumerate(zip(cell, cell_gaps(cell), strict=True)):
            y = baseline(top + style.pad_y + k * leading + (spacing + shift), size, leading)
            if line.marker:
                flow.ops.append(
                    TextOp(x + style.pad_x, y, line.marker, REGULAR, size, role, box, column)
                )
            if line.text:
                text_x = x + style.pad_x + line.indent
                flow.ops.append(TextOp(text_x, y, line.text, line.font, size, role, box, column))
        x += width
    flow.y += height
    if variant.table_rules in RULED:
        flow.ops.append(LineOp(x0, flow.y, right, flow.y, style.rule_width))


def _open_segment(flow: _Flow, table: Table, x0: float, variant: Variant, header: bool) -> _Segment:
    segment = _Segment(flow.y, flow.at_top)
    if variant.table_rules in RULED:
        right = x0 + sum(table.widths)
        flow.ops.append(LineOp(x0, flow.y, right, flow.y, flow.style.rule_width))
    if header and table.header is not None:
        shade = flow.style.header_grey if variant.header_shaded else None
        _draw_row(flow, table, table.header, x0, variant, "table-header", shade)
        segment.header = True
    return segment


def _close_segment(
    flow: _Flow, table: Table, segment: _Segment, x0: float, variant: Variant
) -> None:
    if variant.table_rules == "grid":
        x = x0
        for width in (0.0, *table.widths):
            x += width
            flow.ops.append(LineOp(x, segment.top, x, flow.y, flow.style.rule_width))


def _start_segment(
    flow: _Flow, table: Table, variant: Variant, heading: Sequence[str], room: float
) -> _Segment:
    """Open a table part: heading (first part only), header row, and `room` for the row."""
    style, x0 = flow.style, flow.style.margin_left
    gap = _gap(variant, style)
    with_header = table.header is not None and (bool(heading) or variant.repeat_header)
    need = room
    if with_header and table.header is not None:
        need += _part_height(table.header, table.size, style) + gap
    if heading:
        need += _heading_height(heading, style) + style.heading_before
    if flow.space() < need - 1e-6 and not flow.at_top:
        flow.new_page()
    if heading:
        flow.skip(style.heading_before)
        _draw_heading(flow, heading, x0)
    elif with_header:
        flow.seen.add("header-repeated")
    return _open_segment(flow, table, x0, variant, with_header)


def _fitting(cell: Cell, room: float, fit: int, leading: float) -> int:
    """How many of the cell's first lines end within `room` (`fit` whole grid lines)."""
    count = 0
    for k, spacing in enumerate(cell_gaps(cell)):
        # without spacing, count grid lines like `fit` does (the same float rounding)
        inside = (k + 1) * leading + spacing <= room + 1e-6 if spacing else k + 1 <= fit
        if not inside:
            break
        count += 1
    return count


def _cut(row: Row, room: float, fit: int, leading: float) -> tuple[Row, Row | None]:
    """The part of the row that fits in `room` and the rest (None when it all fits).

    Every cell is cut at its own first line that does not fit: paragraph spacing makes
    cells' lines fall at different heights. The rest of each cell starts the continuation.
    """
    counts = [_fitting(cell, room, fit, leading) for cell in row.cells]
    whole = all(n == len(cell) for n, cell in zip(counts, row.cells, strict=True))
    if whole and (any(row.cells) or fit >= 1):  # an empty row is still one line high
        return row, None
    head = Row(tuple(cell[:n] for n, cell in zip(counts, row.cells, strict=True)), 1)
    rest = Row(tuple(cell[n:] for n, cell in zip(counts, row.cells, strict=True)), 1)
    return head, rest


def _place_table(flow: _Flow, table: Table, variant: Variant, heading: Sequence[str] = ()) -> None:
    """Draw a table, splitting rows at page breaks (rules in tests/pdfcorpus/README.md)."""
    style, x0 = flow.style, flow.style.margin_left
    gap = _gap(variant, style)
    leading = table.size * style.table_leading
    segment: _Segment | None = None
    for index, row in enumerate(table.rows):
        pending, keep, part = row, row.keep, 1
        shade = style.band_grey if variant.table_rules == "bands" and index % 2 == 0 else None
        while True:
            if segment is None:
                if table.split_rows:
                    room = _row_height(min(keep, pending.lines), table.size, style)
                else:
                    room = _part_height(pending, table.size, style)
                segment = _start_segment(flow, table, variant, heading, room)
                heading = ()
            before = gap if segment.header or segment.body else 0.0
            space = flow.bottom - flow.y - before - 2 * style.pad_y
            fit = int((space + 1e-6) // leading)
            alone = segment.body == 0 and segment.page_top
            head, rest = _cut(pending, space, fit, leading)
            if rest is None or (fit >= keep and (table.split_rows or alone)):
                flow.y += before
                _draw_row(flow, table, head, x0, variant, shade=shade)
                segment.body += 1
                if rest is None:
                    break
                description = table.split_kind(rest)
                mid_name = table.name_column is not None and bool(rest.cells[table.name_column])
                label = " ".join(line.text for line in row.cells[0])
                page = len(flow.pages) + 2  # physical page number: the cover is page 1
                kind = "mid-name" if mid_name else description
                flow.splits.append(Split(page, label, kind, description, part))
                pending, keep, part = rest, 1, part + 1
            elif alone:
                raise LayoutError("a table row does not fit on an empty page")
            _close_segment(flow, table, segment, x0, variant)
            flow.new_page()
            segment = None
    if segment is not None:
        _close_segment(flow, table, segment, x0, variant)
    flow.y += style.table_after


# --- tables ---------------------------------------------------------------------------------


def _measurer(measure: Measure, font: str, size: float) -> Callable[[str], float]:
    return lambda text: measure(text, font, size)


def _header_row(
    labels: Sequence[str],
    widths: Sequence[float],
    size: float,
    style: Style,
    measure: Measure,
    variant: Variant,
) -> Row:
    """Bold labels; with variant.header_lines > 1 they wrap (after '/' too), else they
    must fit; centred with variant.header_centred."""
    bold = _measurer(measure, BOLD, size)
    cells = []
    for label, width in zip(labels, widths, strict=True):
        inner = width - 2 * style.pad_x
        if variant.header_lines > 1:
            texts = wrap(label, inner, bold, slash=True)
        else:
            texts = [one_line(label, inner, bold, "header")]
        cells.append(
            tuple(
                CellLine(text, BOLD, (inner - bold(text)) / 2 if variant.header_centred else 0.0)
                for text in texts
            )
        )
    return Row(tuple(cells), 1)


def _lines(texts: Sequence[str], font: str = REGULAR) -> Cell:
    return tuple(CellLine(text, font) for text in texts)


def list_cell(
    items: Sequence[str],
    width: float,
    measure: Callable[[str], float],
    what: str,
    wrap_items: bool,
    paragraphs: bool,
    gap: float,
    lead: Sequence[str] = (),
) -> Cell:
    """A cell of labels (ESCO skills, departments, specialisations), after `lead` lines.

    Without wrap_items every label must fit on one line (one label per line). With it, a
    label too wide wraps; when one does, or with `paragraphs`, every label is a paragraph:
    `gap` points of spacing above it, none between the wrapped lines of one label.
    """
    lines = list(_lines(lead))
    if not wrap_items:
        return (*lines, *_lines([one_line(item, width, measure, what) for item in items]))
    blocks = [wrap(item, width, measure) for item in items]
    spaced = paragraphs or any(len(block) > 1 for block in blocks)
    for block in blocks:
        for k, text in enumerate(block):
            lines.append(CellLine(text, gap=gap if spaced and k == 0 and lines else 0.0))
    return tuple(lines)


def occupations_table(
    profile: ProfileData,
    variant: Variant,
    style: Style,
    measure: Measure,
    size: float,
    text_w: float,
) -> Table:
    """ID | NAME | Concept URI; URIs never wrap."""
    regular, bold = _measurer(measure, REGULAR, size), _measurer(measure, BOLD, size)
    pad = 2 * style.pad_x
    id_w = pad + max([bold("ID"), *(regular(o.esco_code) for o in profile.occupations)])
    uri_w = pad + max([bold("Concept URI"), *(regular(o.esco_uri) for o in profile.occupations)])
    name_w = text_w - id_w - uri_w
    if name_w < pad + max(bold("NAME"), 8 * size):
        raise LayoutError("occupation URIs leave no room for the NAME column")
    widths = (id_w, name_w, uri_w)
    rows = []
    for item in profile.occupations:
        name = wrap(item.esco_label, name_w - pad, regular)
        row = Row((_lines([item.esco_code]), _lines(name), _lines([item.esco_uri])), 1)
        rows.append(replace(row, keep=row.lines))
    header = _header_row(OCCUPATION_HEADER, widths, size, style, measure, variant)
    return Table(widths, size, header, tuple(rows), split_rows=False)


def context_table(
    profile: ProfileData,
    variant: Variant,
    style: Style,
    measure: Measure,
    size: float,
    text_w: float,
    wrap_items: bool = False,
) -> Table:
    """Minimum EQF, Value Chain, Departments (one per line), Specialisations (lead-in + titles).

    Departments and specialisations wrap only with wrap_items (see list_cell).
    """
    regular = _measurer(measure, REGULAR, size)
    key = _measurer(measure, style.key_font, size)
    pad = 2 * style.pad_x
    key_w = pad + max(key(text) for text in CONTEXT_KEYS) + 2 * size
    value_w = text_w - key_w
    inner = value_w - pad
    gap = style.label_gap * size * style.table_leading
    paragraphs = variant.esco_paragraphs
    values = (
        _lines([one_line(profile.eqf_text, inner, regular, "Minimum EQF")]),
        _lines(wrap(profile.value_chain, inner, regular)),
        list_cell(profile.departments, inner, regular, "department", wrap_items, paragraphs, gap),
        list_cell(
            profile.specialisations,
            inner,
            regular,
            "specialisation",
            wrap_items,
            paragraphs,
            gap,
            wrap(SPECIALISATIONS_LEAD_IN, inner, regular),
        ),
    )
    rows = tuple(
        Row(((CellLine(k, style.key_font),), v), 1)
        for k, v in zip(CONTEXT_KEYS, values, strict=True)
    )
    return Table((key_w, value_w), size, None, rows, split_rows=False)


def competence_widths(
    profile: ProfileData,
    style: Style,
    measure: Measure,
    size: float,
    text_w: float,
    with_ul: bool,
    header_lines: int = 1,
    esco_cap: float | None = None,
) -> tuple[float, ...]:
    """Name, Type, Description/Context, Level, ESCO column widths.

    Without esco_cap the ESCO column is as wide as its widest label (labels never wrap);
    with it, at most esco_cap (but as wide as the widest word). With header_lines > 1 the
    Type column is as narrow as its label wrapped over that many lines allows.
    """
    regular, bold = _measurer(measure, REGULAR, size), _measurer(measure, BOLD, size)
    items = profile.competences
    pad = 2 * style.pad_x
    name_head, type_head, description_head, level_head, esco_head = COMPETENCE_HEADER
    type_label = narrowest_width(type_head, header_lines, bold)
    type_w = pad + max([type_label, *(regular(c.type) for c in items)])
    level_label = narrowest_width(level_head, header_lines, bold)
    level_w = pad + max([level_label, *(regular(c.level) for c in items)])
    labels = [s for c in items for s in c.esco_skills]
    esco_w = pad + style.esco_slack + max([bold(esco_head), *(regular(s) for s in labels)])
    if esco_cap is not None:
        words = [regular(unit) for s in labels for unit, _ in wrap_units(s)]
        esco_w = min(esco_w, max(esco_cap, pad + style.esco_slack + max([bold(esco_head), *words])))
    needed = max(
        style.min_description * size,
        pad + narrowest_width(description_head, header_lines, bold),
        pad + (regular(UL_PREFIX) if with_ul else 0.0),
    )
    fixed = type_w + level_w + esco_w
    words = [regular(unit) for c in items for unit, _ in wrap_units(c.name)]
    name_min = pad + max([bold(name_head), *words])
    name_w = max(name_min, min(style.name_share * text_w, text_w - fixed - needed))
    desc_w = text_w - fixed - name_w
    if desc_w < needed:
        raise LayoutError(f"Description/Context column {desc_w:.1f}pt < {needed:.1f}pt")
    return (name_w, type_w, desc_w, level_w, esco_w)


def description_cell(
    statements: Sequence[str],
    markers: Sequence[str],
    ul: bool,
    width: float,
    style: Style,
    measure: Callable[[str], float],
) -> Cell:
    """Optional <ul> line, then one bullet per statement with wrapped lines aligned."""
    lines = [CellLine(one_line(UL_PREFIX, width, measure, "<ul> line"))] if ul else []
    for statement, marker in zip(statements, markers, strict=True):
        if style.bullet_indent is None:
            indent = measure(marker + " ")
            body = wrap(statement, width - indent, measure)
            lines.append(CellLine(f"{marker} {body[0]}", starts_bullet=True))
        else:
            indent = style.bullet_indent
            body = wrap(statement, width - indent, measure)
            lines.append(CellLine(body[0], indent=indent, marker=marker, starts_bullet=True))
        lines += [CellLine(text, indent=indent) for text in body[1:]]
    return tuple(lines)


def competence_tables(
    profile: ProfileData,
    variant: Variant,
    style: Style,
    measure: Measure,
    size: float,
    text_w: float,
    wrap_labels: bool = False,
) -> list[tuple[str, Table]]:
    """One (heading, table) per section; Name/Type/Level lines are kept together unless
    variant.keep_name is off. ESCO labels wrap only with wrap_labels (see list_cell), in a
    column at most variant.esco_share (else style.esco_share) of the table width."""
    ul = ul_cells(len(profile.competences), variant.ul_prefix)
    share = style.esco_share if variant.esco_share is None else variant.esco_share
    cap = share * text_w if wrap_labels else None
    widths = competence_widths(
        profile, style, measure, size, text_w, bool(ul), variant.header_lines, cap
    )
    regular = _measurer(measure, REGULAR, size)
    pad = 2 * style.pad_x
    gap = style.label_gap * size * style.table_leading
    header = _header_row(COMPETENCE_HEADER, widths, size, style, measure, variant)
    # A producer styles every ESCO cell of a document alike: once one label wraps, every
    # cell sets its labels apart as paragraphs.
    spaced = variant.esco_paragraphs or (
        wrap_labels
        and any(
            len(wrap(label, widths[4] - pad, regular)) > 1
            for item in profile.competences
            for label in item.esco_skills
        )
    )
    tables = []
    for section in sections(profile):
        rows = []
        for offset, item in enumerate(section.competences):
            index = section.first_index + offset
            markers = [variant.marker_for(i) for i in range(len(item.statements))]
            name = wrap(item.name, widths[0] - pad, regular) or [""]
            cells = (
                _lines(name),
                _lines([one_line(item.type, widths[1] - pad, regular, "type")]),
                description_cell(
                    item.statements, markers, index in ul, widths[2] - pad, style, regular
                ),
                _lines([one_line(item.level, widths[3] - pad, regular, "level")]),
                list_cell(
                    item.esco_skills,
                    widths[4] - pad,
                    regular,
                    "ESCO label",
                    wrap_labels,
                    spaced,
                    gap,
                ),
            )
            rows.append(Row(cells, keep=len(name) if variant.keep_name else 1))
        table = Table(widths, size, header, tuple(rows), True, DESCRIPTION_COLUMN, NAME_COLUMN)
        tables.append((section.heading, table))
    return tables


def _fit(build: Callable[[float], _T], style: Style, smallest: float | None = None) -> _T:
    """Build with the style's table font size, shrinking by 0.25pt until everything fits
    (down to `smallest`, by default the style's min_table_size)."""
    size = style.table_size
    smallest = style.min_table_size if smallest is None else smallest
    while True:
        try:
            return build(size)
        except LayoutError:
            if size - 0.25 < smallest - 1e-9:
                raise
            size -= 0.25


def _fit_labels(build: Callable[[float, bool], _T], style: Style, wrap_first: bool) -> _T:
    """Labels on one line, shrinking the type down to style.label_min_size (see _fit); if
    they cannot all fit so, or with wrap_first, labels too wide wrap instead (the type
    shrinking only if something else does not fit)."""
    if not wrap_first:
        try:
            return _fit(lambda size: build(size, False), style, style.label_min_size)
        except LayoutError:
            pass
    return _fit(lambda size: build(size, True), style)


# --- cover, running header and footer -------------------------------------------------------


def _aligned_x(
    text: str, font: str, size: float, align: str, style: Style, width: float, measure: Measure
) -> float:
    left, right = style.margin_left, width - style.margin_right
    if align == "left":
        return left
    text_w = measure(text, font, size)
    return right - text_w if align == "right" else (left + right - text_w) / 2


def cover_ops(
    profile: ProfileData, style: Style, width: float, height: float, measure: Measure
) -> tuple[Op, ...]:
    """Alliance, period, title (larger) and the three funding lines near the bottom."""
    align = "center" if style.cover == "centered" else "left"
    text_w = width - style.margin_left - style.margin_right
    ops: list[Op] = []

    def block(text: str, font: str, size: float, top: float) -> float:
        for line in wrap(text, text_w, _measurer(measure, font, size)):
            x = _aligned_x(line, font, size, align, style, width, measure)
            ops.append(TextOp(x, top + size, line, font, size, "cover"))
            top += size * 1.3
        return top

    y = height * (0.22 if style.cover == "centered" else 0.12)
    alliance_font = REGULAR if style.cover == "centered" else BOLD
    y = block(profile.alliance, alliance_font, style.cover_alliance_size, y)
    y = block(profile.period, REGULAR, style.cover_period_size, y + style.cover_period_size)
    y = block(profile.title, BOLD, style.cover_title_size, max(y, height * 0.38))
    if style.cover == "left":
        ops.append(LineOp(style.margin_left, y + 6, style.margin_left + 120, y + 6, 1.5))
    size = style.cover_funding_size
    y = height - style.margin_bottom - 3 * size * 1.3 - (0 if style.cover == "left" else 20)
    for line in FUNDING_LINES:
        y = block(line, REGULAR, size, y)
    return tuple(ops)


def running_ops(
    profile: ProfileData,
    variant: Variant,
    style: Style,
    width: float,
    height: float,
    page: int,
    pages: int,
    measure: Measure,
) -> list[Op]:
    """Running header/footer, or a bare page number, for a page after the cover."""
    size = style.header_size
    head_y = style.margin_top - style.header_offset
    foot_y = height - style.margin_bottom + style.footer_offset
    ops: list[Op] = []
    head = "running-header"
    if variant.running_header:
        if style.header_kind == "title":
            ops.append(TextOp(style.margin_left, head_y, RUNNING_TITLE, REGULAR, size, head))
            x = _aligned_x(profile.title, REGULAR, size, "right", style, width, measure)
            if x < style.margin_left + measure(RUNNING_TITLE, REGULAR, size) + 3 * size:
                raise LayoutError("title too long for the running header")
            ops.append(TextOp(x, head_y, profile.title, REGULAR, size, head))
        else:
            ops.append(TextOp(style.margin_left, head_y, profile.alliance, REGULAR, size, head))
        if style.header_rule:
            rule_y = head_y + 0.5 * size
            ops.append(LineOp(style.margin_left, rule_y, width - style.margin_right, rule_y, 0.5))
        footer = style.footer_format.format(page=page, pages=pages)
        x = _aligned_x(footer, REGULAR, size, style.footer_align, style, width, measure)
        ops.append(TextOp(x, foot_y, footer, REGULAR, size, "footer"))
    elif variant.page_number:
        x = _aligned_x(str(page), REGULAR, size, style.bare_footer_align, style, width, measure)
        ops.append(TextOp(x, foot_y, str(page), REGULAR, size, "footer"))
    return ops


# --- the whole profile ----------------------------------------------------------------------


def _variations(
    variant: Variant,
    style: Style,
    flow: _Flow,
    competences: Sequence[tuple[str, Table]],
) -> tuple[str, ...]:
    """The variations (tests/pdfcorpus/variations.py) the layout shows, but the typeface."""
    names = set(flow.seen) | {"header-bold", RULES_VARIATIONS[variant.table_rules]}
    if variant.running_header:
        names |= {"running-header", "page-numbers"}
    elif variant.page_number:
        names.add("page-numbers")
    if variant.header_centred:
        names.add("header-centred")
    if variant.header_shaded:
        names.add("header-shaded")
    if style.bullet_indent is not None:
        names.add("bullets-list")
    tables = [table for _, table in competences]
    if tables:
        if variant.landscape:
            names.add("landscape")
        header = tables[0].header
        lines = header.lines if header is not None else 1
        if lines > 1:
            names.add(f"header-wrap-{min(lines, 3)}")
        if tables[0].size <= SMALL_TYPE + 1e-6:
            names.add("small-type")
        if tables[0].size >= LARGE_TYPE - 1e-6:
            names.add("large-type")
    rows = [row for table in tables for row in table.rows]
    if any(len(row.cells[NAME_COLUMN]) > 1 for row in rows):
        names.add("name-wrap")
    esco = [row.cells[ESCO_COLUMN] for row in rows]
    paragraphs = [1 + sum(1 for line in cell[1:] if line.gap) for cell in esco]
    spaced = any(count > 1 for count in paragraphs)
    if spaced and any(len(cell) > count for cell, count in zip(esco, paragraphs, strict=True)):
        names.add("esco-paragraphs")
    for split in flow.splits:
        if split.description != "other":
            names.add("row-across-pages")
            if split.part >= 2:
                names.add("row-over-3-pages")
            if split.kind == "mid-name":
                names.add("name-across-pages")
    return tuple(sorted(names))


def layout_profile(
    profile: ProfileData, variant: Variant, style: Style, measure: Measure
) -> PageLayout:
    """Cover, then title, description, occupations, context and competence tables."""
    width, height = variant.page_width_height
    tables_size = (height, width) if variant.landscape else (width, height)
    style = style.scaled(variant.font_scale)
    text_w = width - style.margin_left - style.margin_right
    tables_w = tables_size[0] - style.margin_left - style.margin_right
    x0 = style.margin_left
    occupations = _fit(
        lambda s: occupations_table(profile, variant, style, measure, s, text_w), style
    )
    wrap_first = variant.esco_share is not None
    context = _fit_labels(
        lambda s, w: context_table(profile, variant, style, measure, s, text_w, w),
        style,
        wrap_first,
    )
    competences = _fit_labels(
        lambda s, w: competence_tables(profile, variant, style, measure, s, tables_w, w),
        style,
        wrap_first,
    )

    flow = _Flow(style, width, height)
    title_size, body = style.title_size, style.body_size
    leading = body * style.body_leading
    title = wrap(profile.title, text_w, _measurer(measure, BOLD, title_size))
    _text_block(flow, title, x0, BOLD, title_size, title_size * 1.25, "title")
    flow.y += style.heading_after
    body_measure = _measurer(measure, REGULAR, body)
    for number, paragraph in enumerate(profile.paragraphs):
        if number:
            flow.skip(style.paragraph_gap * leading)
        lines = wrap(paragraph, text_w, body_measure)
        _text_block(flow, lines, x0, REGULAR, body, leading, "paragraph")
    flow.y += style.table_after
    _place_table(flow, occupations, variant, [OCCUPATIONS_HEADING])
    _place_table(flow, context, variant, [CONTEXT_HEADING])
    if competences and tables_size != (width, height):
        flow.turn(tables_size)
    for heading, table in competences:
        lines = wrap(heading, tables_w, _measurer(measure, BOLD, style.heading_size))
        _place_table(flow, table, variant, lines)
    body_pages = flow.finish()
    total = len(body_pages) + 1
    pages = [cover_ops(profile, style, width, height, measure)]
    sizes = [(width, height)]
    for number, (ops, (page_w, page_h)) in enumerate(body_pages, start=2):
        extra = running_ops(profile, variant, style, page_w, page_h, number, total, measure)
        pages.append(tuple(ops + extra))
        sizes.append((page_w, page_h))
    return PageLayout(
        width,
        height,
        tuple(pages),
        tuple(flow.splits),
        tuple(sizes) if any(size != (width, height) for size in sizes) else (),
        _variations(variant, style, flow, competences),
    )
