"""Documents that keep their own structure (DOCX, Markdown) to a Document.

Their readers turn a file into Blocks: paragraphs, and tables whose rows hold one TableCell
per grid column, each cell its lines with the line (or paragraph) number of each. Nothing
here guesses a layout: a row is a row because the file says so. What is left to find is
the profile's shape, as in a text export: cover paragraphs, the 'ESCO Occupations' table,
the 'Context' table, then competence tables under their category headings.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from pipeline.codes import Code
from pipeline.errors import ExtractError
from pipeline.extract.structure import (
    CONTEXT_HEADING,
    FUNDING_STATEMENT,
    OCCUPATIONS_HEADING,
    PROFILE_LINES,
    blocks_to_cover,
    competence_header,
    is_header_text,
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

Header = tuple[str | None, ...]
Recogniser = Callable[[Sequence[str]], Header | None]


@dataclass(frozen=True)
class Paragraph:
    """A paragraph outside tables (a heading is one too): its lines and where it starts."""

    cell: Cell


@dataclass(frozen=True)
class TableCell:
    """One grid position of a row. `above`: covered by a cell of a row above (Word's
    vMerge, HTML rowspan), whose lines it repeats; `left`: covered by the cell to its left
    (gridSpan, colspan), and empty."""

    lines: tuple[Cell, ...] = ()
    above: bool = False
    left: bool = False

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines).strip()

    @property
    def own_text(self) -> str:
        """The text written in this cell itself (none for a merged-over position)."""
        return "" if self.above or self.left else self.text


@dataclass(frozen=True)
class TableRow:
    cells: tuple[TableCell, ...]
    line: int
    # Marked as a header row by the file (Word's "repeat as header row", HTML <thead>,
    # the row above a Markdown delimiter row).
    header: bool = False

    @property
    def texts(self) -> list[str]:
        return [cell.text for cell in self.cells]

    @property
    def blank(self) -> bool:
        return not any(cell.own_text for cell in self.cells)


@dataclass(frozen=True)
class Table:
    rows: tuple[TableRow, ...]
    line: int


Block = Paragraph | Table

# No profile table has more than a handful of columns. Readers fold the cells of a row past
# this many into its last one (the text is kept, and reported as in no named column), so a
# hostile span or row cannot grow a table without bound.
MAX_COLUMNS = 64


def fold_columns(cells: Sequence[TableCell]) -> tuple[TableCell, ...]:
    """A row's cells, at most MAX_COLUMNS: the text of the others in the last."""
    if len(cells) <= MAX_COLUMNS:
        return tuple(cells)
    rest = cells[MAX_COLUMNS - 1 :]
    folded = tuple(line for cell in rest if not cell.above for line in cell.lines)
    return (*cells[: MAX_COLUMNS - 1], TableCell(folded))


def pad_rows(rows: Sequence[TableRow]) -> tuple[TableRow, ...]:
    """Rows as wide as the widest (empty cells added), each at most MAX_COLUMNS."""
    folded = [TableRow(fold_columns(row.cells), row.line, row.header) for row in rows]
    width = max((len(row.cells) for row in folded), default=0)
    return tuple(
        TableRow((*row.cells, *[TableCell()] * (width - len(row.cells))), row.line, row.header)
        for row in folded
    )


# A word processor sets the EU funding statement of the cover one line per paragraph; its
# pieces are one block, as in a text export, so that none is read as description.
_FUNDING_SENTENCES = (
    "co-funded by the erasmus+ programme of the european union",
    "co-funded by the european union",
)


def blocks_to_document(blocks: Sequence[Block], source: Source) -> Document:
    """The profile in a file's blocks; ExtractError when its shape is not a profile's."""
    file = source.path
    occupations_at = _find_heading(blocks, OCCUPATIONS_HEADING, 0)
    if occupations_at is None or _line(blocks[occupations_at]) > PROFILE_LINES:
        raise no_occupations_table(Location(file))
    heading = _paragraph(blocks[occupations_at])
    context_at = _find_heading(blocks, CONTEXT_HEADING, occupations_at + 1)
    if context_at is None:
        raise no_context_table(Location(file, line=heading.line))
    context_heading = _paragraph(blocks[context_at])
    cover = blocks_to_cover(cover_cells(blocks[:occupations_at]), file)
    occupations = _occupations(blocks[occupations_at + 1 : context_at], heading, file)
    rest = blocks[context_at + 1 :]
    at = next((i for i, block in enumerate(rest) if isinstance(block, Table)), None)
    context: tuple[ContextEntry, ...] = ()
    # Without a Context table the first table is a competence table; normalise names the
    # Context rows missing.
    if at is not None and _competence_start(table := _table(rest[at])) is None:
        context = _context(table, file)
        rest = rest[at + 1 :]
    sections = _sections(rest, file)
    if not sections:
        raise no_competence_tables(Location(file, line=context_heading.line))
    return Document(
        source=source,
        alliance=cover.alliance,
        period=cover.period,
        title=cover.title,
        description=cover.description,
        occupations=occupations,
        context=context,
        sections=tuple(sections),
    )


def cover_cells(blocks: Sequence[Block]) -> list[Cell]:
    """The non-empty paragraphs before the ESCO Occupations heading (a layout table's cells
    count as paragraphs), the funding statement's pieces joined."""
    cells: list[Cell] = []
    for block in blocks:
        if isinstance(block, Paragraph):
            found = [block.cell]
        else:
            found = [_joined(cell, row.line) for row in block.rows for cell in row.cells]
        for cell in found:
            if not cell.text.strip():
                continue
            if cells and _continues_funding(cells[-1].text, cell.text):
                cells[-1] = Cell(f"{cells[-1].text}\n{cell.text}", cells[-1].line, cells[-1].page)
            else:
                cells.append(cell)
    return cells


def _continues_funding(before: str, after: str) -> bool:
    if not FUNDING_STATEMENT.match(before):
        return False
    joined = " ".join(f"{before} {after}".split()).casefold()
    return any(sentence.startswith(joined) for sentence in _FUNDING_SENTENCES)


def _line(block: Block) -> int:
    return block.line if isinstance(block, Table) else block.cell.line or 0


def _table(block: Block) -> Table:
    assert isinstance(block, Table)
    return block


def _paragraph(block: Block) -> Cell:
    assert isinstance(block, Paragraph)
    return block.cell


def _find_heading(blocks: Sequence[Block], pattern: re.Pattern[str], start: int) -> int | None:
    return next(
        (
            i
            for i in range(start, len(blocks))
            if isinstance(block := blocks[i], Paragraph) and pattern.match(block.cell.text)
        ),
        None,
    )


def _joined(cell: TableCell, row_line: int) -> Cell:
    """A cell's lines as one Cell (lines joined by newlines) that starts at its first line."""
    first = cell.lines[0].line if cell.lines else row_line
    return Cell(cell.text, first)


# --- the header row ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Start:
    """Where a table's body starts: its header's fields, and the category heading written
    in a title row above the header, if any."""

    header: Header
    body: int
    title: Cell | None = None


def _heading_row(row: TableRow) -> Cell | None:
    """The text of a row that is one cell spanning the table (a heading inside a table)."""
    if len(row.cells) < 2 or row.cells[0].above or not row.cells[0].text:
        return None
    if not all(cell.left for cell in row.cells[1:]):
        return None
    return _joined(row.cells[0], row.line)


def _own(row: TableRow, column: int) -> str:
    return row.cells[column].own_text if column < len(row.cells) else ""


def _header_start(rows: Sequence[TableRow], at: int, recognise: Recogniser) -> _Start | None:
    """The header at rows[at]: a run of rows marked as header rows whose labels, stacked
    column by column, are known ('Type' over '(S/K)'), or the one row at `at`."""
    marked = 0
    while at + marked < len(rows) and rows[at + marked].header:
        marked += 1
    if marked > 1:
        stacked = [
            " ".join(filter(None, (_own(rows[at + i], c) for i in range(marked))))
            for c in range(len(rows[at].cells))
        ]
        if (header := recognise(stacked)) is not None:
            return _Start(header, at + marked)
    if at >= len(rows) or (header := recognise(rows[at].texts)) is None:
        return None
    labels, body = rows[at].texts, at + 1
    # A header row wrapped by hand into the row below ('(S/K)' under 'Type'), which a
    # conversion that keeps one header row (a Markdown pipe table) leaves as a body row.
    while body < len(rows) and not rows[body].blank:
        below = [cell.own_text for cell in rows[body].cells]
        if not all(is_header_text(text) for text in below if text):
            break
        stacked = [" ".join(filter(None, pair)) for pair in zip(labels, below, strict=False)]
        if (longer := recognise(stacked)) is None:
            break
        header, labels, body = longer, stacked, body + 1
    return _Start(header, body)


def _table_start(table: Table, recognise: Recogniser) -> _Start | None:
    rows = table.rows
    at = 0
    while at < len(rows) and rows[at].blank:
        at += 1
    title = _heading_row(rows[at]) if at < len(rows) else None
    if title is not None:
        at += 1
    start = _header_start(rows, at, recognise)
    if start is None:
        return None
    return _Start(start.header, start.body, title)


def _competence_start(table: Table) -> _Start | None:
    return _table_start(table, competence_header)


def _fields(
    header: Header, row: TableRow, file: str, table: str
) -> dict[str, tuple[TableCell, Cell]]:
    """Each field's cell in a body row; text in a column the header does not name is an
    error, not dropped."""
    extra = [cell.own_text for cell in row.cells[len(header) :] if cell.own_text]
    extra += [
        cell.own_text
        for cell, field_name in zip(row.cells, header, strict=False)
        if field_name is None and cell.own_text
    ]
    if extra:
        raise ExtractError(
            Code.BAD_ROW,
            f"text in a column the header row does not name: {extra[0][:60]!r}",
            Location(file, line=row.line, table=table),
            "give every column of the table its header label, or move the text into a named "
            "column (in Markdown, a | inside a cell is written \\|)",
        )
    return {
        name: (cell, _joined(cell, row.line))
        for cell, name in zip(row.cells, header, strict=False)
        if name is not None
    }


# --- the tables -------------------------------------------------------------------------


def _occupations(blocks: Sequence[Block], heading: Cell, file: str) -> tuple[RawOccupation, ...]:
    """The rows of the table(s) under the ESCO Occupations heading (a table the author
    split in two keeps its header in the first part; a repeat of it is skipped)."""
    tables = [block for block in blocks if isinstance(block, Table)]
    start = _table_start(tables[0], occupation_header) if tables else None
    if start is None:
        where = tables[0].line if tables else heading.line
        raise no_occupations_header(Location(file, line=where, table="occupations"))
    rows = [*tables[0].rows[start.body :], *(row for table in tables[1:] for row in table.rows)]
    occupations = []
    for row in rows:
        if row.blank or occupation_header(row.texts) is not None:
            continue
        fields = _fields(start.header, row, file, "occupations")
        empty = Cell("", row.line)
        code, label, uri = (fields[key][1] if key in fields else empty for key in _OCCUPATION)
        occupations.append(RawOccupation(code, label, uri))
    return tuple(occupations)


_OCCUPATION = ("code", "label", "uri")


def _context(table: Table, file: str) -> tuple[ContextEntry, ...]:
    """Key/value rows; a row without a key continues the value above it."""
    entries: list[tuple[str, Cell]] = []
    for row in table.rows:
        if row.blank:
            continue
        key = row.cells[0].text
        values = [cell for cell in row.cells[1:] if cell.own_text]
        if len(values) > 1:
            raise ExtractError(
                Code.BAD_ROW,
                f"Context row {key[:40]!r} has {len(values)} value cells",
                Location(file, line=row.line, table="context"),
                "Context rows have two cells: the key (Minimum EQF, Value Chain, ...) and "
                "its value",
            )
        value = _joined(values[0], row.line) if values else Cell("", row.line)
        if key and not row.cells[0].above:
            entries.append((key, value))
        elif entries:
            last_key, last = entries[-1]
            entries[-1] = (last_key, Cell(f"{last.text}\n{value.text}", last.line))
        else:
            raise ExtractError(
                Code.BAD_ROW,
                f"Context row without a key: {value.text[:60]!r}",
                Location(file, line=row.line, table="context"),
                "Context rows are key and value (Minimum EQF, Value Chain, ...)",
            )
    return tuple(ContextEntry(key, value) for key, value in entries)


@dataclass
class _Row:
    """A competence row as read so far: continuation rows add description and ESCO lines."""

    name: Cell
    type: Cell
    level: Cell
    description: list[Cell]
    esco: list[Cell]


@dataclass
class _Section:
    heading: Cell
    rows: list[_Row] = field(default_factory=list)


def _sections(blocks: Sequence[Block], file: str) -> list[RawSection]:
    """Competence tables after the Context table, each under the last paragraph above it
    (its category heading). A table right below another, with no paragraph between, goes
    on with the section above (a table the author split, its header row repeated)."""
    sections: list[_Section] = []
    above: Cell | None = None
    for block in blocks:
        if isinstance(block, Paragraph):
            if block.cell.text.strip():
                above = block.cell
            continue
        start = _competence_start(block)
        if start is None:
            raise ExtractError(
                Code.UNEXPECTED_TABLE,
                "a table after the Context table that is not a competence table (its "
                "header row is not 'Name, Type (S/K), Description/Context, Level, ESCO')",
                Location(file, line=block.line, table="competences"),
                "give the table the competence header row, or remove it",
            )
        heading = start.title or above
        if heading is not None:
            sections.append(_Section(heading))
        elif not sections:
            raise ExtractError(
                Code.NO_CATEGORY_HEADING,
                "competence table without a category heading above it",
                Location(file, line=block.line, table="competences"),
                "put the category heading (e.g. 'Soft Competence') on its own line above",
            )
        _table_rows(block.rows[start.body :], start.header, sections, file)
        above = None
    return [
        RawSection(
            section.heading,
            tuple(
                RawCompetence(
                    row.name, row.type, row.level, tuple(row.description), tuple(row.esco)
                )
                for row in section.rows
            ),
        )
        for section in sections
    ]


def _table_rows(
    rows: Sequence[TableRow], header: Header, sections: list[_Section], file: str
) -> None:
    for row in rows:
        if row.blank or competence_header(row.texts) is not None:
            continue
        if (heading := _heading_row(row)) is not None:
            sections.append(_Section(heading))
            continue
        fields = _fields(header, row, file, "competences")
        empty = TableCell(), Cell("", row.line)
        name, type_, level = (fields.get(key, empty) for key in ("name", "type", "level"))
        description = _lines(fields.get("description", empty), row.line)
        esco = _lines(fields.get("esco", empty), row.line)
        rows_so_far = sections[-1].rows
        # A row whose Name, Type and Level are empty, or merged with the row above, goes on
        # with the competence above: a row an author split by hand, or a merged Name.
        if not (name[0].own_text or type_[0].own_text or level[0].own_text):
            if not rows_so_far:
                raise ExtractError(
                    Code.ORPHAN_CONTINUATION,
                    "continuation row (empty Name, Type and Level) with no competence above it",
                    Location(file, line=row.line, table="competences"),
                    "give this row its Name, Type and Level, or move it below its competence",
                )
            rows_so_far[-1].description.extend(description)
            rows_so_far[-1].esco.extend(esco)
        else:
            rows_so_far.append(_Row(name[1], type_[1], level[1], description, esco))


def _lines(field_cell: tuple[TableCell, Cell], row_line: int) -> list[Cell]:
    """A list cell's lines, each with its own number; a cell merged down from the row
    above holds nothing new."""
    cell, _ = field_cell
    if cell.above or not cell.lines:
        return [Cell("", row_line)]
    return list(cell.lines)
