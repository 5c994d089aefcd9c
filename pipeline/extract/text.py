"""Seed-format text (.txt/.md) to a Document.

The format is what a text export of a profile PDF looks like: cover blocks, an
"ESCO Occupations" line and tab-separated table, a "Context" key/value table, then one
section per competence category: heading, header row, tab-separated rows. Page breaks
leave blank lines and continuation rows whose Name, Type and Level cells are empty.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from itertools import pairwise

from pipeline.codes import Code
from pipeline.errors import ExtractError
from pipeline.extract.encoding import decode_text
from pipeline.extract.structure import (
    CONTEXT_HEADING,
    OCCUPATIONS_HEADING,
    PROFILE_LINES,
    blocks_to_cover,
    competence_header,
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
    Issue,
    Location,
    RawCompetence,
    RawOccupation,
    RawSection,
    Source,
)


@dataclass(frozen=True)
class Line:
    number: int
    text: str

    @property
    def blank(self) -> bool:
        return not self.text.strip()

    @property
    def cells(self) -> list[str]:
        return self.text.split("\t")

    @property
    def is_table_row(self) -> bool:
        return "\t" in self.text


def bytes_to_text(data: bytes, file: str) -> str:
    """Decode a text export (see pipeline.extract.encoding for what is accepted)."""
    return decode_text(data, file).text


def text_to_lines(text: str, limit: int | None = None) -> list[Line]:
    """The lines of a text, numbered from 1; only the first `limit` of them if given."""
    # Split on line ends only, as editors number lines; form feeds stay as whitespace.
    unified = text.replace("\r\n", "\n").replace("\r", "\n")
    raws = unified.split("\n") if limit is None else unified.split("\n", limit)[:limit]
    return [Line(number, raw) for number, raw in enumerate(raws, start=1)]


def read_text(data: bytes, source: Source) -> Document:
    decoded = decode_text(data, source.path)
    # The first lines tell a profile (lines_to_document rejects anything else from them);
    # only a profile is split whole, never a 50 MB file of something else.
    lines = text_to_lines(decoded.text, PROFILE_LINES)
    if len(lines) == PROFILE_LINES and _occupations_heading(lines) is not None:
        lines = text_to_lines(decoded.text)
    document = lines_to_document(lines, source)
    if not decoded.guessed:
        return document
    note = guessed_encoding_note(decoded.encoding, source.path)
    return replace(document, issues=(note, *document.issues))


def guessed_encoding_note(encoding: str, file: str) -> Issue:
    """The warning for a text read in an encoding told apart from its bytes."""
    return Issue(
        "read",
        f"not UTF-8: read as {encoding}, told apart from its bytes",
        Location(file),
        "check accented letters in the outputs; saving the file as UTF-8 removes the doubt",
        severity="warning",
        code=Code.GUESSED_ENCODING,
    )


def lines_to_document(lines: Sequence[Line], source: Source) -> Document:
    file = source.path
    occupations_at = _occupations_heading(lines)
    if occupations_at is None:
        raise no_occupations_table(Location(file))
    context_at = _find(
        lines, lambda line: bool(CONTEXT_HEADING.match(line.text)), start=occupations_at + 1
    )
    if context_at is None:
        raise no_context_table(Location(file, line=lines[occupations_at].number))
    headings = _section_headings(lines, context_at + 1, file)
    if not headings:
        raise no_competence_tables(Location(file, line=lines[context_at].number))
    cover = blocks_to_cover(lines_to_blocks(lines[:occupations_at]), file)
    section_bounds = [*headings, len(lines)]
    return Document(
        source=source,
        alliance=cover.alliance,
        period=cover.period,
        title=cover.title,
        description=cover.description,
        occupations=_occupations(lines[occupations_at + 1 : context_at], file),
        context=_context(lines[context_at + 1 : headings[0]], file),
        sections=tuple(_section(lines[start:end], file) for start, end in pairwise(section_bounds)),
    )


def lines_to_blocks(lines: Sequence[Line]) -> list[Cell]:
    """Runs of non-blank lines, each as one Cell with its lines joined by newlines."""
    blocks: list[Cell] = []
    run: list[Line] = []
    for line in [*lines, Line(0, "")]:
        if line.blank:
            if run:
                blocks.append(Cell("\n".join(item.text.strip() for item in run), run[0].number))
            run = []
        else:
            run.append(line)
    return blocks


def _competence_header(cells: Sequence[str]) -> tuple[str | None, ...] | None:
    """competence_header, told at once for the many rows whose first cell cannot be the
    Name label: its label (a trailing note in parentheses dropped) must start with "name",
    so the cell, stripped and casefolded, does too."""
    if not cells[0].strip().casefold().startswith("name"):
        return None
    if sum(map(len, cells)) > _HEADER_LENGTH:
        return competence_header(cells)
    return _known_header(competence_header, tuple(cells))


def _occupation_header(cells: Sequence[str]) -> tuple[str | None, ...] | None:
    if sum(map(len, cells)) > _HEADER_LENGTH:
        return occupation_header(cells)
    return _known_header(occupation_header, tuple(cells))


# Rows longer than this are not remembered (a header row is a few words).
_HEADER_LENGTH = 200


@lru_cache(maxsize=256)
def _known_header(
    recognise: Callable[[Sequence[str]], tuple[str | None, ...] | None], cells: tuple[str, ...]
) -> tuple[str | None, ...] | None:
    """A header row's fields, worked out once: every profile repeats the same header rows."""
    return recognise(cells)


def _find(lines: Sequence[Line], predicate: Callable[[Line], bool], start: int = 0) -> int | None:
    return next((i for i in range(start, len(lines)) if predicate(lines[i])), None)


def _occupations_heading(lines: Sequence[Line]) -> int | None:
    """Where the 'ESCO Occupations' heading is, if within the first PROFILE_LINES lines."""
    return _find(lines[:PROFILE_LINES], lambda line: bool(OCCUPATIONS_HEADING.match(line.text)))


def _section_headings(lines: Sequence[Line], start: int, file: str) -> list[int]:
    """Indexes of the heading lines: the last non-blank line above each header row.

    A header row right below a table row is the header repeated after a page break, not a
    new section.
    """
    headings: list[int] = []
    for i in range(start, len(lines)):
        if _competence_header(lines[i].cells) is None:
            continue
        above = next((j for j in range(i - 1, start - 1, -1) if not lines[j].blank), None)
        if above is None or lines[above].is_table_row:
            if not headings:
                raise ExtractError(
                    Code.NO_CATEGORY_HEADING,
                    "competence table header row without a category heading above it",
                    Location(file, line=lines[i].number),
                    "put the category heading (e.g. 'Soft Competence') on its own line above",
                )
            continue
        headings.append(above)
    return headings


def _columns_to_fields(
    header: tuple[str | None, ...], row: Line, file: str, table: str
) -> dict[str, Cell]:
    cells = row.cells
    if len(cells) > len(header):
        extra = [cell for cell in cells[len(header) :] if cell.strip()]
        if extra:
            raise ExtractError(
                Code.BAD_ROW,
                f"row has {len(cells)} tab-separated cells, the header has {len(header)}",
                Location(file, line=row.number, table=table),
                "remove the stray tab characters from this row",
            )
    padded = [*cells, *[""] * (len(header) - len(cells))]
    return {
        field: Cell(text, row.number)
        for field, text in zip(header, padded, strict=False)
        if field is not None
    }


def _occupations(lines: Sequence[Line], file: str) -> tuple[RawOccupation, ...]:
    rows = [line for line in lines if not line.blank]
    # The line after the heading may be a link ("ESCO Occupations - [..](..)" wraps).
    header_at = next((i for i, line in enumerate(rows) if _occupation_header(line.cells)), None)
    if header_at is None:
        raise no_occupations_header(
            Location(file, line=rows[0].number if rows else None, table="occupations")
        )
    header = _occupation_header(rows[header_at].cells)
    assert header is not None
    occupations = []
    for row in rows[header_at + 1 :]:
        if not row.is_table_row:
            raise ExtractError(
                Code.BAD_ROW,
                f"expected a tab-separated occupation row (ID, NAME, Concept URI), "
                f"found {row.text.strip()[:60]!r}",
                Location(file, line=row.number, table="occupations"),
                "each occupation is one line: code, label and URI separated by tabs",
            )
        fields = _columns_to_fields(header, row, file, "occupations")
        occupations.append(RawOccupation(fields["code"], fields["label"], fields["uri"]))
    return tuple(occupations)


def _context(lines: Sequence[Line], file: str) -> tuple[ContextEntry, ...]:
    """Key<TAB>value rows; a line without a key continues the value above it."""
    entries: list[_Entry] = []
    previous_blank = True
    for line in lines:
        if line.blank:
            previous_blank = True
            continue
        key, _, value = line.text.partition("\t") if line.is_table_row else ("", "", line.text)
        if key.strip():
            entries.append(_Entry(key.strip(), line.number, [value]))
        elif entries and (line.is_table_row or not previous_blank):
            entries[-1].values.append(value)
        else:
            raise ExtractError(
                Code.BAD_ROW,
                f"unexpected line in the Context table: {line.text.strip()[:60]!r}",
                Location(file, line=line.number, table="context"),
                "Context rows are 'key<TAB>value' (Minimum EQF, Value Chain, ...)",
            )
        previous_blank = False
    return tuple(
        ContextEntry(entry.key, Cell("\n".join(entry.values), entry.line)) for entry in entries
    )


@dataclass
class _Entry:
    """A Context row as read so far: lines without a key add to its value, joined once."""

    key: str
    line: int
    values: list[str]


@dataclass
class _Row:
    """A competence row as read so far: continuation rows add description and ESCO cells."""

    name: Cell
    type: Cell
    level: Cell
    description: list[Cell]
    esco: list[Cell]


def _section(lines: Sequence[Line], file: str) -> RawSection:
    heading = lines[0]
    rows: list[_Row] = []
    header: tuple[str | None, ...] | None = None
    for line in lines[1:]:
        if line.blank:
            continue
        row_header = _competence_header(line.cells)
        if row_header is not None:
            header = row_header
            continue
        if header is None or not line.is_table_row:
            raise ExtractError(
                Code.BAD_ROW,
                f"expected a tab-separated competence row, found {line.text.strip()[:60]!r}",
                Location(file, line=line.number, table="competences"),
                "rows have 5 cells: Name, Type (S/K), Description/Context, Level, ESCO",
            )
        fields = _columns_to_fields(header, line, file, "competences")
        empty = Cell("", line.number)
        name, type_, level = (fields.get(key, empty) for key in ("name", "type", "level"))
        description = fields.get("description", empty)
        esco = fields.get("esco", empty)
        if not (name.text.strip() or type_.text.strip() or level.text.strip()):
            if not rows:
                raise ExtractError(
                    Code.ORPHAN_CONTINUATION,
                    "continuation row (empty Name, Type and Level) with no competence above it",
                    Location(file, line=line.number, table="competences"),
                    "give this row its Name, Type and Level, or move it below its competence",
                )
            rows[-1].description.append(description)
            rows[-1].esco.append(esco)
        else:
            rows.append(_Row(name, type_, level, [description], [esco]))
    competences = tuple(
        RawCompetence(row.name, row.type, row.level, tuple(row.description), tuple(row.esco))
        for row in rows
    )
    return RawSection(Cell(heading.text.strip(), heading.number), competences)
