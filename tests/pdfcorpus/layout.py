"""Shared, pure pagination: profile + variant + style + measure -> pages of draw operations.

Coordinates are PDF points with the origin at the top-left corner of the page and y growing
downwards; a TextOp's y is the text baseline. Fonts are logical ("regular" or "bold"); each
producer maps them to its real fonts and passes its own `measure` and `Style`.
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
from tests.pdfcorpus.variants import Variant, ul_cells

REGULAR = "regular"
BOLD = "bold"
OCCUPATIONS_HEADING = "ESCO Occupations"
CONTEXT_HEADING = "Context"
CONTEXT_KEYS = ("Minimum EQF", "Value Chain", "Departments", "Specialisations")
RUNNING_TITLE = "ALBATTS – Job Role Profile"
# Characters the pipeline reads as bullet markers when they stand alone.
MARKER_CHARS = "-•–*▪●◦‣"

_T = TypeVar("_T")
Measure = Callable[[str, str, float], float]
"""measure(text, font, size) -> width in points; font is REGULAR or BOLD."""


class LayoutError(ValueError):
    """The profile cannot be drawn under the layout conventions (e.g. a label too wide)."""


@dataclass(frozen=True)
class TextOp:
    """Draw `text` with its baseline starting at (x, y); `role` is for checks only.

    Roles: cover, title, paragraph, heading, table-header, cell, running-header, footer.
    """

    x: float
    y: float
    text: str
    font: str
    size: float
    role: str = ""


@dataclass(frozen=True)
class LineOp:
    """Stroke a line from (x1, y1) to (x2, y2)."""

    x1: float
    y1: float
    x2: float
    y2: float
    width: float


Op = TextOp | LineOp


@dataclass(frozen=True)
class Split:
    """A table row broken by a page break (for corpus statistics and tests).

    kind: "new-bullet" (the continuation starts a bullet), "mid-bullet" (it continues a bullet
    cut mid-sentence), "no-description" (only ESCO labels continue) or "other" (not a
    competence table).
    """

    page: int
    row: str
    kind: str


@dataclass(frozen=True)
class PageLayout:
    """Page size, the draw operations of every page (page 1 is the cover), row splits."""

    width: float
    height: float
    pages: tuple[tuple[Op, ...], ...]
    splits: tuple[Split, ...] = ()


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
        return replace(self, **changes)  # type: ignore[arg-type]


@dataclass(frozen=True)
class CellLine:
    """One text line of a table cell; `marker` is drawn at the cell start (hanging indent)."""

    text: str
    font: str = REGULAR
    indent: float = 0.0
    marker: str | None = None
    starts_bullet: bool = False


Cell = tuple[CellLine, ...]


@dataclass(frozen=True)
class Row:
    """A table row; its first `keep` lines never split across pages."""

    cells: tuple[Cell, ...]
    keep: int = 1

    @property
    def lines(self) -> int:
        """Number of text lines (the tallest cell)."""
        return max([1, *(len(cell) for cell in self.cells)])

    def part(self, start: int, end: int | None = None) -> Row:
        """Lines start:end of every cell."""
        return Row(tuple(cell[start:end] for cell in self.cells), 1)


@dataclass(frozen=True)
class Table:
    """A table: column widths, font, optional header row, body rows and the page policy."""

    widths: tuple[float, ...]
    size: float
    header: Row | None
    rows: tuple[Row, ...]
    split_rows: bool
    description_column: int | None = None

    def split_kind(self, continuation: Row) -> str:
        """How the continuation part of a broken row starts (see Split)."""
        if self.description_column is None:
            return "other"
        cell = continuation.cells[self.description_column]
        if not cell:
            return "no-description"
        return "new-bullet" if cell[0].starts_bullet else "mid-bullet"


# --- wrapping -----------------------------------------------------------------------------


def _hyphen_pieces(word: str) -> list[str]:
    """Split a word after each hyphen between two letters ('model-based' -> model-, based)."""
    pieces, start = [], 0
    for i in range(1, len(word) - 1):
        if word[i] == "-" and word[i - 1].isalpha() and word[i + 1].isalpha():
            pieces.append(word[start : i + 1])
            start = i + 1
    return [*pieces, word[start:]]


def _is_marker(word: str) -> bool:
    return len(word) == 1 and word in MARKER_CHARS


def _soft_end(text: str) -> bool:
    """Text ends like a hyphen-wrapped line (letter + '-'), which readers join without space."""
    return len(text) >= 2 and text[-1] == "-" and text[-2].isalpha()


def wrap_units(text: str) -> list[tuple[str, str]]:
    """Unbreakable units of a text, each with the glue before it (' ' or '' after a hyphen).

    A line may not start with a lone marker, end with one, or end with a space-separated
    word like 'pre-' (it would read as a wrapped 'pre-and'): such units are merged.
    """
    units: list[tuple[str, str]] = []
    for word in text.split():
        for k, piece in enumerate(_hyphen_pieces(word)):
            glue = "" if k else " "
            if units and glue == " ":
                last_text, last_glue = units[-1]
                last_word = last_text.split(" ")[-1]
                if _is_marker(piece) or _is_marker(last_word) or _soft_end(last_text):
                    units[-1] = (last_text + " " + piece, last_glue)
                    continue
            units.append((piece, glue))
    return units


def wrap(text: str, width: float, measure: Callable[[str], float]) -> list[str]:
    """Greedy wrap at spaces or after an existing hyphen; never breaks inside a unit."""
    lines: list[str] = []
    current: str | None = None
    for unit, glue in wrap_units(text):
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
    height: float
    pages: list[list[Op]] = field(default_factory=list)
    ops: list[Op] = field(default_factory=list)
    y: float = 0.0
    splits: list[Split] = field(default_factory=list)

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

    def new_page(self) -> None:
        self.pages.append(self.ops)
        self.ops = []
        self.y = self.top

    def skip(self, amount: float) -> None:
        if not self.at_top:
            self.y = min(self.y + amount, self.bottom)

    def finish(self) -> list[list[Op]]:
        if self.ops:
            self.pages.append(self.ops)
            self.ops = []
        return self.pages


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


def _draw_row(
    flow: _Flow, table: Table, row: Row, x0: float, ruled: bool, role: str = "cell"
) -> None:
    style, size = flow.style, table.size
    leading = size * style.table_leading
    x = x0
    for width, cell in zip(table.widths, row.cells, strict=True):
        for k, line in enumerate(cell):
            y = baseline(flow.y + style.pad_y + k * leading, size, leading)
            if line.marker:
                flow.ops.append(TextOp(x + style.pad_x, y, line.marker, REGULAR, size, role))
            if line.text:
                flow.ops.append(
                    TextOp(x + style.pad_x + line.indent, y, line.text, line.font, size, role)
                )
        x += width
    flow.y += _row_height(row.lines, size, style)
    if ruled:
        right = x0 + sum(table.widths)
        flow.ops.append(LineOp(x0, flow.y, right, flow.y, style.rule_width))


def _open_segment(flow: _Flow, table: Table, x0: float, ruled: bool, header: bool) -> _Segment:
    segment = _Segment(flow.y, flow.at_top)
    if ruled:
        right = x0 + sum(table.widths)
        flow.ops.append(LineOp(x0, flow.y, right, flow.y, flow.style.rule_width))
    if header and table.header is not None:
        _draw_row(flow, table, table.header, x0, ruled, "table-header")
        segment.header = True
    return segment


def _close_segment(flow: _Flow, table: Table, segment: _Segment, x0: float, ruled: bool) -> None:
    if ruled:
        x = x0
        for width in (0.0, *table.widths):
            x += width
            flow.ops.append(LineOp(x, segment.top, x, flow.y, flow.style.rule_width))


def _start_segment(
    flow: _Flow, table: Table, variant: Variant, heading: Sequence[str], keep: int
) -> _Segment:
    """Open a table part: heading (first part only), header row, and room for `keep` lines."""
    style, x0 = flow.style, flow.style.margin_left
    gap = 0.0 if variant.ruled else style.row_gap
    with_header = table.header is not None and (bool(heading) or variant.repeat_header)
    need = _row_height(keep, table.size, style)
    if with_header:
        need += _row_height(1, table.size, style) + gap
    if heading:
        need += _heading_height(heading, style) + style.heading_before
    if flow.space() < need - 1e-6 and not flow.at_top:
        flow.new_page()
    if heading:
        flow.skip(style.heading_before)
        _draw_heading(flow, heading, x0)
    return _open_segment(flow, table, x0, variant.ruled, with_header)


def _place_table(flow: _Flow, table: Table, variant: Variant, heading: Sequence[str] = ()) -> None:
    """Draw a table, splitting rows at page breaks (rules in tests/pdfcorpus/README.md)."""
    style, x0, ruled = flow.style, flow.style.margin_left, variant.ruled
    gap = 0.0 if ruled else style.row_gap
    leading = table.size * style.table_leading
    segment: _Segment | None = None
    for row in table.rows:
        pending, keep = row, row.keep
        while True:
            if segment is None:
                room = min(keep, pending.lines) if table.split_rows else pending.lines
                segment = _start_segment(flow, table, variant, heading, room)
                heading = ()
            before = gap if segment.header or segment.body else 0.0
            fit = int((flow.bottom - flow.y - before - 2 * style.pad_y + 1e-6) // leading)
            alone = segment.body == 0 and segment.page_top
            if fit >= pending.lines or (fit >= keep and (table.split_rows or alone)):
                flow.y += before
                _draw_row(flow, table, pending.part(0, fit), x0, ruled)
                segment.body += 1
                if fit >= pending.lines:
                    break
                pending, keep = pending.part(fit), 1
                label = " ".join(line.text for line in row.cells[0])
                page = len(flow.pages) + 2  # physical page number: the cover is page 1
                flow.splits.append(Split(page, label, table.split_kind(pending)))
            elif alone:
                raise LayoutError("a table row does not fit on an empty page")
            _close_segment(flow, table, segment, x0, ruled)
            flow.new_page()
            segment = None
    if segment is not None:
        _close_segment(flow, table, segment, x0, ruled)
    flow.y += style.table_after


# --- tables ---------------------------------------------------------------------------------


def _measurer(measure: Measure, font: str, size: float) -> Callable[[str], float]:
    return lambda text: measure(text, font, size)


def _header_row(
    labels: Sequence[str], widths: Sequence[float], size: float, style: Style, measure: Measure
) -> Row:
    bold = _measurer(measure, BOLD, size)
    cells = tuple(
        (CellLine(one_line(label, width - 2 * style.pad_x, bold, "header"), BOLD),)
        for label, width in zip(labels, widths, strict=True)
    )
    return Row(cells, 1)


def _lines(texts: Sequence[str], font: str = REGULAR) -> Cell:
    return tuple(CellLine(text, font) for text in texts)


def occupations_table(
    profile: ProfileData, style: Style, measure: Measure, size: float, text_w: float
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
    header = _header_row(OCCUPATION_HEADER, widths, size, style, measure)
    return Table(widths, size, header, tuple(rows), split_rows=False)


def context_table(
    profile: ProfileData, style: Style, measure: Measure, size: float, text_w: float
) -> Table:
    """Minimum EQF, Value Chain, Departments (one per line), Specialisations (lead-in + titles)."""
    regular = _measurer(measure, REGULAR, size)
    key = _measurer(measure, style.key_font, size)
    pad = 2 * style.pad_x
    key_w = pad + max(key(text) for text in CONTEXT_KEYS) + 2 * size
    value_w = text_w - key_w
    inner = value_w - pad
    values = (
        [one_line(profile.eqf_text, inner, regular, "Minimum EQF")],
        wrap(profile.value_chain, inner, regular),
        [one_line(item, inner, regular, "department") for item in profile.departments],
        [
            *wrap(SPECIALISATIONS_LEAD_IN, inner, regular),
            *(one_line(item, inner, regular, "specialisation") for item in profile.specialisations),
        ],
    )
    rows = tuple(
        Row(((CellLine(k, style.key_font),), _lines(v)), 1)
        for k, v in zip(CONTEXT_KEYS, values, strict=True)
    )
    return Table((key_w, value_w), size, None, rows, split_rows=False)


def competence_widths(
    profile: ProfileData, style: Style, measure: Measure, size: float, text_w: float, with_ul: bool
) -> tuple[float, ...]:
    """Name, Type, Description/Context, Level, ESCO column widths; ESCO labels never wrap."""
    regular, bold = _measurer(measure, REGULAR, size), _measurer(measure, BOLD, size)
    items = profile.competences
    pad = 2 * style.pad_x
    type_w = pad + max([bold("Type (S/K)"), *(regular(c.type) for c in items)])
    level_w = pad + max([bold("Level"), *(regular(c.level) for c in items)])
    esco_w = (
        pad
        + style.esco_slack
        + max([bold("ESCO"), *(regular(s) for c in items for s in c.esco_skills)])
    )
    needed = max(
        style.min_description * size,
        pad + bold("Description/Context"),
        pad + (regular(UL_PREFIX) if with_ul else 0.0),
    )
    fixed = type_w + level_w + esco_w
    words = [regular(unit) for c in items for unit, _ in wrap_units(c.name)]
    name_min = pad + max([bold("Name"), *words])
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
) -> list[tuple[str, Table]]:
    """One (heading, table) per section; Name/Type/Level lines are kept together."""
    ul = ul_cells(len(profile.competences), variant.ul_prefix)
    widths = competence_widths(profile, style, measure, size, text_w, bool(ul))
    regular = _measurer(measure, REGULAR, size)
    pad = 2 * style.pad_x
    header = _header_row(COMPETENCE_HEADER, widths, size, style, measure)
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
                _lines(
                    [one_line(s, widths[4] - pad, regular, "ESCO label") for s in item.esco_skills]
                ),
            )
            rows.append(Row(cells, keep=len(name)))
        tables.append((section.heading, Table(widths, size, header, tuple(rows), True, 2)))
    return tables


def _fit(build: Callable[[float], _T], style: Style) -> _T:
    """Build with the style's table font size, shrinking by 0.25pt until everything fits."""
    size = style.table_size
    while True:
        try:
            return build(size)
        except LayoutError:
            if size - 0.25 < style.min_table_size - 1e-9:
                raise
            size -= 0.25


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


def layout_profile(
    profile: ProfileData, variant: Variant, style: Style, measure: Measure
) -> PageLayout:
    """Cover, then title, description, occupations, context and competence tables."""
    width, height = variant.page_width_height
    style = style.scaled(variant.font_scale)
    text_w = width - style.margin_left - style.margin_right
    x0 = style.margin_left
    occupations = _fit(lambda s: occupations_table(profile, style, measure, s, text_w), style)
    context = _fit(lambda s: context_table(profile, style, measure, s, text_w), style)
    competences = _fit(
        lambda s: competence_tables(profile, variant, style, measure, s, text_w), style
    )

    flow = _Flow(style, height)
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
    for heading, table in competences:
        lines = wrap(heading, text_w, _measurer(measure, BOLD, style.heading_size))
        _place_table(flow, table, variant, lines)
    body_pages = flow.finish()
    total = len(body_pages) + 1
    pages = [cover_ops(profile, style, width, height, measure)]
    for number, ops in enumerate(body_pages, start=2):
        extra = running_ops(profile, variant, style, width, height, number, total, measure)
        pages.append(tuple(ops + extra))
    return PageLayout(width, height, tuple(pages), tuple(flow.splits))
