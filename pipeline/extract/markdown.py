"""Markdown exports (GitHub-flavoured pipe tables, or the HTML tables converters such as
pandoc write for cells with several paragraphs) to a Document.

A text file is Markdown when it holds a pipe table (a row, then a delimiter row such as
`|---|---|`) or an HTML `<table>`; the seed's tab-separated export is not, whatever its
name, and stays with pipeline.extract.text. Lines are the file's own: every Cell starts on
the line it was read from (a pipe-table row is one line, so all of a cell's items share
it).
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from html.parser import HTMLParser
from itertools import pairwise

from pipeline.extract.blocks import (
    MAX_COLUMNS,
    Block,
    Paragraph,
    Table,
    TableCell,
    TableRow,
    blocks_to_document,
    pad_rows,
)
from pipeline.extract.encoding import decode_text
from pipeline.extract.structure import OCCUPATIONS_HEADING, PROFILE_LINES
from pipeline.extract.text import Line, guessed_encoding_note, text_to_lines
from pipeline.model import Cell, Document, Source

_DELIMITER_ROW = re.compile(r"^\s*\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?\s*$")
_TABLE_START = re.compile(r"^\s{0,3}<table\b", re.IGNORECASE)
_TABLE_END = re.compile(r"</table\s*>", re.IGNORECASE)
_ATX_HEADING = re.compile(r"^ {0,3}#{1,6}(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT_UNDERLINE = re.compile(r"^ {0,3}(?:=+|-+)[ \t]*$")
_THEMATIC_BREAK = re.compile(r"^ {0,3}(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,})$")
_COMMENT = re.compile(r"^\s*<!--")
_QUOTE = re.compile(r"^ {0,3}> ?")

# Inline markup, turned into the text it shows.
_ESCAPABLE = r"""!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~"""
_ESCAPE = re.compile(rf"\\([{re.escape(_ESCAPABLE)}])")
_CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.DOTALL)
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)|<img\b[^>]*>", re.IGNORECASE)
_LINK = re.compile(r"\[([^\]]*)\]\((?:[^()\s]|\([^()\s]*\))*(?:\s+\"[^\"]*\")?\)")
_REFERENCE_LINK = re.compile(r"\[([^\]]+)\]\[[^\]]*\]")
_AUTOLINK = re.compile(r"<((?:https?|ftp|mailto):[^<>\s]+)>", re.IGNORECASE)
_EMPHASIS = (
    re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*"),
    re.compile(r"(?<![\w_])__(?=\S)(.+?)(?<=\S)__(?![\w_])"),
    re.compile(r"(?<![\w*])\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?![\w*])"),
    re.compile(r"(?<![\w_])_(?=[^\s_])(.+?)(?<=[^\s_])_(?![\w_])"),
    re.compile(r"~~(?=\S)(.+?)(?<=\S)~~"),
)
_HARD_BREAK = re.compile(r"(?: {2,}|\\)$")
_LINE_BREAK_TAG = re.compile(r"<br\s*/?>", re.IGNORECASE)
# Inside a table cell: tags that end a line, and the one that opens a list item.
_CELL_TAG = re.compile(r"<br\s*/?>|<(/?)(p|ul|ol|div|li)\b[^>]*>", re.IGNORECASE)
# Escaped characters wait behind stand-ins (supplementary private use) while markup is read.
_STAND_IN = 0xF0000


def is_markdown(text: str) -> bool:
    """Whether a text holds a pipe table or an HTML table within its first PROFILE_LINES
    lines: what tells a Markdown export from the seed's tab-separated one."""
    lines = text_to_lines(text, PROFILE_LINES)
    return any(_TABLE_START.match(line.text) for line in lines) or any(
        "|" in above.text and "|" in below.text and _DELIMITER_ROW.match(below.text)
        for above, below in pairwise(lines)
    )


def read_markdown(data: bytes, source: Source) -> Document:
    decoded = decode_text(data, source.path)
    lines = text_to_lines(decoded.text, PROFILE_LINES)
    # As for a text export: only a profile (its occupations heading within the first
    # lines) is read whole; blocks_to_document rejects anything else from these.
    if len(lines) == PROFILE_LINES and any(
        OCCUPATIONS_HEADING.match(inline_to_text(_heading_text(line.text))) for line in lines
    ):
        lines = text_to_lines(decoded.text)
    document = blocks_to_document(lines_to_blocks(lines), source)
    if not decoded.guessed:
        return document
    note = guessed_encoding_note(decoded.encoding, source.path)
    return replace(document, issues=(note, *document.issues))


# --- blocks -------------------------------------------------------------------------------


def lines_to_blocks(lines: Sequence[Line]) -> list[Block]:
    """Paragraphs (headings among them) and tables, in order."""
    blocks: list[Block] = []
    paragraph: list[Line] = []

    def flush() -> None:
        if paragraph:
            blocks.append(Paragraph(Cell(paragraph_text(paragraph), paragraph[0].number)))
            paragraph.clear()

    i = 0
    while i < len(lines):
        line = lines[i]
        text = _QUOTE.sub("", line.text)
        if not text.strip():
            flush()
            i += 1
        elif _TABLE_START.match(text):
            flush()
            end = next((j for j in range(i, len(lines)) if _TABLE_END.search(lines[j].text)), None)
            end = len(lines) - 1 if end is None else end
            blocks.append(html_to_table(lines[i : end + 1]))
            i = end + 1
        elif i + 1 < len(lines) and _is_pipe_table(line.text, lines[i + 1].text):
            flush()
            end = i + 2
            while end < len(lines) and lines[end].text.strip() and _split_row(lines[end].text):
                end += 1
            blocks.append(pipe_table(lines[i], lines[i + 2 : end]))
            i = end
        elif _COMMENT.match(text):
            flush()
            while i < len(lines) and "-->" not in lines[i].text:
                i += 1
            i += 1
        elif paragraph and _SETEXT_UNDERLINE.match(text):
            flush()  # the paragraph above is a heading: a paragraph of its own already
            i += 1
        elif _THEMATIC_BREAK.match(text):
            flush()
            i += 1
        elif _ATX_HEADING.match(text):
            flush()
            blocks.append(Paragraph(Cell(inline_to_text(_heading_text(text)), line.number)))
            i += 1
        else:
            paragraph.append(Line(line.number, text))
            i += 1
    flush()
    return blocks


def paragraph_text(lines: Sequence[Line]) -> str:
    """A paragraph's text: a soft line break is a space, a hard one (two trailing spaces,
    a backslash, `<br>`) a new line, as Markdown renders them."""
    parts: list[str] = []
    for line in lines:
        hard = _HARD_BREAK.search(line.text) is not None
        parts += [_HARD_BREAK.sub("", line.text).strip(), "\n" if hard else " "]
    return "\n".join(part.strip() for part in inline_to_text("".join(parts)).split("\n"))


def _heading_text(text: str) -> str:
    match = _ATX_HEADING.match(text)
    return (match.group(1) or "") if match else text


def _is_pipe_table(row: str, below: str) -> bool:
    if "|" not in below or not _DELIMITER_ROW.match(below):
        return False
    cells = _split_row(row)
    return bool(cells) and len(cells) == len(_split_row(below))


def _split_row(text: str) -> list[str]:
    """The cells of a pipe-table row: split at each `|` that no backslash escapes, the
    outer pipes dropped. A line without a pipe is no row."""
    cells: list[str] = []
    current: list[str] = []
    escaped = False
    pipes = 0
    for char in text.strip():
        if escaped:
            current.append(char)
            escaped = False
        elif char == "\\":
            current.append(char)
            escaped = True
        elif char == "|":
            cells.append("".join(current))
            current = []
            pipes += 1
        else:
            current.append(char)
    cells.append("".join(current))
    if not pipes:
        return []
    stripped = text.strip()
    if stripped.startswith("|"):
        cells = cells[1:]
    if stripped.endswith("|") and not stripped.endswith("\\|") and len(cells) > 0:
        cells = cells[:-1]
    return cells


def pipe_table(header: Line, rows: Sequence[Line]) -> Table:
    """A pipe table: its header row (marked as such) and body rows, each one line. A row
    with more cells than the header keeps them (GFM would drop them): the text there is
    reported, never lost."""
    table_rows = []
    for line, is_header in [(header, True), *((row, False) for row in rows)]:
        cells = [TableCell(cell_to_lines(raw, line.number)) for raw in _split_row(line.text)]
        table_rows.append(TableRow(tuple(cells), line.number, header=is_header))
    return Table(pad_rows(table_rows), header.number)


def cell_to_lines(raw: str, number: int) -> tuple[Cell, ...]:
    """A pipe-table cell's items: split at `<br>`, paragraphs and HTML list items (an item
    gets a `-` marker), each on the row's line."""
    lines: list[Cell] = []
    marker = False
    at = 0

    def emit(piece: str) -> None:
        nonlocal marker
        text = inline_to_text(piece).strip()
        if text:
            lines.append(Cell(f"- {text}" if marker else text, number))
            marker = False

    for match in _CELL_TAG.finditer(raw):
        emit(raw[at : match.start()])
        at = match.end()
        if (match.group(2) or "").lower() == "li":
            marker = not match.group(1)
    emit(raw[at:])
    return tuple(lines)


def inline_to_text(text: str) -> str:
    """The text Markdown inline markup shows: code spans as they are, escapes resolved,
    links as their text, pictures dropped, emphasis marks removed, entities decoded."""
    kept: list[str] = []

    def stand_in(value: str) -> str:
        kept.append(value)
        return chr(_STAND_IN + len(kept) - 1)

    text = _CODE_SPAN.sub(lambda match: stand_in(match.group(2).strip()), text)
    text = _ESCAPE.sub(lambda match: stand_in(match.group(1)), text)
    text = _IMAGE.sub("", text)
    text = _LINK.sub(r"\1", text)
    text = _REFERENCE_LINK.sub(r"\1", text)
    text = _AUTOLINK.sub(r"\1", text)
    for pattern in _EMPHASIS:
        text = pattern.sub(r"\1", text)
    text = _LINE_BREAK_TAG.sub("\n", text)
    text = html.unescape(text)
    return re.sub(
        r"[\U000f0000-\U000fffff]", lambda match: kept[ord(match.group()) - _STAND_IN], text
    )


# --- HTML tables --------------------------------------------------------------------------


@dataclass
class _HtmlCell:
    lines: list[Cell] = field(default_factory=list)
    colspan: int = 1
    rowspan: int = 1


@dataclass
class _HtmlRow:
    line: int
    header: bool
    cells: list[_HtmlCell] = field(default_factory=list)


class _TableParser(HTMLParser):
    """Rows and cells of one HTML table; a cell's lines end at <br>, paragraphs and list
    items, as a browser shows them. A table inside a cell is read as the cell's text."""

    def __init__(self, first_line: int) -> None:
        super().__init__(convert_charrefs=True)
        self.first_line = first_line
        self.rows: list[_HtmlRow] = []
        self.depth = 0
        self.in_head = False
        self.cell: _HtmlCell | None = None
        self.buffer: list[str] = []
        self.buffer_line: int | None = None
        self.item = False

    def _line(self, data: str = "") -> int:
        line = self.getpos()[0] + self.first_line - 1
        lead = len(data) - len(data.lstrip())
        return line + data[:lead].count("\n")

    def _end_line(self) -> None:
        text = " ".join("".join(self.buffer).split())
        if self.cell is not None and text:
            line = self.buffer_line or self._line()
            self.cell.lines.append(Cell(f"- {text}" if self.item else text, line))
            self.item = False
        self.buffer, self.buffer_line = [], None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.depth += 1
        if self.depth > 1 and tag not in ("br", "p", "li", "tr"):
            return
        if tag == "thead":
            self.in_head = True
        elif tag == "tr" and self.depth == 1:
            self.rows.append(_HtmlRow(self._line(), self.in_head))
        elif tag in ("td", "th") and self.depth == 1 and self.rows:
            self._end_line()
            values = dict(attrs)
            self.cell = _HtmlCell(
                colspan=_span(values.get("colspan")), rowspan=_span(values.get("rowspan"))
            )
            self.rows[-1].cells.append(self.cell)
        elif tag in ("br", "p", "div", "ul", "ol", "tr"):
            self._end_line()
        elif tag == "li":
            self._end_line()
            self.item = True

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self._end_line()

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self.depth -= 1
        if tag == "thead":
            self.in_head = False
        elif tag in ("td", "th") and self.depth == 1:
            self._end_line()
            self.cell = None
        elif tag in ("p", "div", "li", "ul", "ol"):
            self._end_line()
            self.item = self.item and tag != "li"

    def handle_data(self, data: str) -> None:
        if self.cell is None or not data.strip():
            if self.cell is not None and data:
                self.buffer.append(" ")
            return
        if self.buffer_line is None:
            self.buffer_line = self._line(data)
        self.buffer.append(data)


def _span(value: str | None) -> int:
    try:
        return max(1, min(int(value or 1), 1000))
    except ValueError:
        return 1


def html_to_table(lines: Sequence[Line]) -> Table:
    """An HTML table: rows and cells with rowspan (a cell merged down: `above`) and colspan
    (`left`) laid onto the grid."""
    parser = _TableParser(lines[0].number)
    parser.feed("\n".join(line.text for line in lines))
    parser.close()
    grid: dict[tuple[int, int], TableCell] = {}
    overflow: dict[int, list[Cell]] = {}
    last = MAX_COLUMNS - 1
    for r, row in enumerate(parser.rows):
        column = 0
        for cell in row.cells:
            while (r, column) in grid:
                column += 1
            if column >= last:  # folded into the last column, as fold_columns does
                overflow.setdefault(r, []).extend(cell.lines)
                continue
            lines_ = tuple(cell.lines)
            for dr in range(min(cell.rowspan, len(parser.rows) - r)):
                for dc in range(min(cell.colspan, last - column)):
                    if dr == 0 and dc == 0:
                        grid[(r, column)] = TableCell(lines_)
                    elif dc == 0:
                        grid[(r + dr, column)] = TableCell(lines_, above=True)
                    else:
                        grid[(r + dr, column + dc)] = TableCell(left=True)
            column += cell.colspan
    width = max((c + 1 for _, c in grid), default=0)
    rows = [
        TableRow(
            (
                *(grid.get((r, c), TableCell()) for c in range(width)),
                *([TableCell(tuple(overflow[r]))] if r in overflow else []),
            ),
            row.line,
            row.header,
        )
        for r, row in enumerate(parser.rows)
    ]
    return Table(pad_rows(rows), lines[0].number)
