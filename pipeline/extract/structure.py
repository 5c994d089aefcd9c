"""Format-neutral recognisers shared by the text and PDF extractors.

They work on cells and blocks of lines, so the PDF reader can reuse them once it has
grouped words into the same shapes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.codes import Code
from pipeline.errors import ExtractError
from pipeline.model import Cell, Location

PERIOD = re.compile(r"^\s*(\d{4})\s*[-–—]\s*(\d{4})\s*$")
FUNDING_STATEMENT = re.compile(r"^\s*co-?funded by", re.IGNORECASE)
OCCUPATIONS_HEADING = re.compile(r"^\s*ESCO\s+Occupations\b", re.IGNORECASE)
CONTEXT_HEADING = re.compile(r"^\s*Context\s*$", re.IGNORECASE)
# A profile opens with its cover and the 'ESCO Occupations' table: the heading is on page 2
# or 3 of every PDF of the corpus and near line 27 of a text export. A document that has
# not shown it by these bounds is rejected without reading on (a 300-page report, a 50 MB
# text file); they are generous so that a long description never trips them.
PROFILE_PAGES = 5
PROFILE_LINES = 2_000

COMPETENCE_FIELDS = ("name", "type", "description", "level", "esco")
_COMPETENCE_HEADER_WORDS = {
    "name": "name",
    "type": "type",
    "description": "description",
    "description/context": "description",
    "context": "description",
    "level": "level",
    "esco": "esco",
    "esco skills": "esco",
}
OCCUPATION_FIELDS = ("code", "label", "uri")
_OCCUPATION_HEADER_WORDS = {
    "id": "code",
    "code": "code",
    "name": "label",
    "label": "label",
    "occupation": "label",
    "concept uri": "uri",
    "uri": "uri",
}


def no_occupations_table(location: Location) -> ExtractError:
    return ExtractError(
        Code.NOT_A_PROFILE,
        "not an ALBATTS job-role profile: no 'ESCO Occupations' table",
        location,
        "this does not look like an ALBATTS job-role profile; check the file",
    )


def no_context_table(location: Location) -> ExtractError:
    return ExtractError(
        Code.NO_CONTEXT_TABLE,
        "no 'Context' table after the ESCO Occupations table",
        location,
        "the profile needs a Context table (Minimum EQF, Value Chain, ...)",
    )


def no_competence_tables(location: Location) -> ExtractError:
    return ExtractError(
        Code.NO_COMPETENCE_TABLES,
        "no competence tables (header row 'Name, Type (S/K), Description/Context, Level, "
        "ESCO') after the Context table",
        location,
        "the profile needs at least one competence table under a category heading",
    )


def no_occupations_header(location: Location) -> ExtractError:
    return ExtractError(
        Code.NO_OCCUPATIONS_HEADER,
        "the ESCO Occupations table has no header row (ID, NAME, Concept URI)",
        location,
        "add the header row above the occupation rows",
    )


@dataclass(frozen=True)
class Cover:
    alliance: Cell
    period: Cell
    title: Cell
    description: tuple[Cell, ...]


# Every word a header label is made of: a line holding only these may belong to a header.
HEADER_PIECES = frozenset(
    piece
    for key in (*_COMPETENCE_HEADER_WORDS, *_OCCUPATION_HEADER_WORDS)
    for piece in re.split(r"[^a-z0-9]+", key)
    if piece
) | {"s", "k"}


def is_header_text(text: str) -> bool:
    """Whether a word could be part of a header label ('Type', '(S/K)', 'Description/')."""
    pieces = [piece for piece in re.split(r"[^a-z0-9]+", text.casefold()) if piece]
    if not pieces:
        return bool(text) and set(text) <= set("/()-:")
    return all(piece in HEADER_PIECES for piece in pieces)


def _header_fields(
    cells: Sequence[str], words: dict[str, str], strict: bool
) -> tuple[str | None, ...]:
    """Field per label: the label without a trailing note in parentheses; unless strict,
    a label's first word may name the field too ('Concept link' -> 'concept')."""
    fields: list[str | None] = []
    for cell in cells:
        key = re.sub(r"\s*\(.*\)\s*$", "", cell.strip()).casefold()
        key = re.sub(r"\s*/\s*", "/", key)
        field = words.get(key)
        if field is None and not strict:
            field = words.get(key.split(" ")[0] if key else "")
        fields.append(field)
    return tuple(fields)


def competence_header(cells: Sequence[str], strict: bool = False) -> tuple[str | None, ...] | None:
    """Field of each column if cells are a competence table's header row, else None.

    Strict: every label must be a known one (for header rows pieced together from a page).
    """
    fields = _header_fields(cells, _COMPETENCE_HEADER_WORDS, strict)
    required = {"name", "type", "description", "level"}
    if not fields or fields[0] != "name" or not required <= set(fields):
        return None
    if strict and (None in fields or len(set(fields)) < len(fields)):
        return None
    return fields


def occupation_header(cells: Sequence[str], strict: bool = False) -> tuple[str | None, ...] | None:
    """Field of each column if cells are the ESCO occupations header row, else None."""
    fields = _header_fields(cells, _OCCUPATION_HEADER_WORDS, strict)
    if not set(OCCUPATION_FIELDS) <= set(fields):
        return None
    if strict and (None in fields or len(set(fields)) < len(fields)):
        return None
    return fields


def blocks_to_cover(blocks: Sequence[Cell], file: str) -> Cover:
    """Split the blocks before the ESCO table into alliance, period, title and paragraphs.

    The cover reads alliance, period, title; the EU funding statement and the title
    repeated on the next page are not description. The period line stands apart even
    when it sits close to its neighbours.
    """
    kept = [
        part
        for block in blocks
        for part in _around_period(block)
        if not FUNDING_STATEMENT.match(part.text)
    ]
    period_at = next((i for i, block in enumerate(kept) if PERIOD.match(block.text)), None)
    first_line = blocks[0].line if blocks else None
    if period_at is None:
        raise ExtractError(
            Code.NO_COVER_PERIOD,
            "no project period (such as 2019-2023) on the cover",
            Location(file, line=first_line),
            "is this an ALBATTS profile? The cover should read alliance, period, title",
        )
    if period_at == 0:
        raise ExtractError(
            Code.NO_COVER_ALLIANCE,
            "no alliance name before the project period on the cover",
            Location(file, line=kept[0].line, page=kept[0].page),
            "the cover should start with the alliance name",
        )
    if period_at + 1 >= len(kept):
        raise ExtractError(
            Code.NO_TITLE,
            "no title after the project period on the cover",
            Location(file, line=kept[period_at].line, page=kept[period_at].page),
            "the cover should read alliance, period, title",
        )
    alliance_blocks = kept[:period_at]
    alliance = Cell(
        "\n".join(block.text for block in alliance_blocks),
        alliance_blocks[0].line,
        alliance_blocks[0].page,
    )
    title = kept[period_at + 1]
    rest = kept[period_at + 2 :]
    if rest and _same_text(rest[0].text, title.text):
        title, rest = rest[0], rest[1:]
    return Cover(alliance, kept[period_at], title, tuple(rest))


def _around_period(block: Cell) -> list[Cell]:
    """A block split before and after a line that is the project period."""
    lines = block.text.split("\n")
    at = next((i for i, line in enumerate(lines) if PERIOD.match(line)), None)
    if at is None or len(lines) == 1:
        return [block]
    parts = [(0, lines[:at]), (at, lines[at : at + 1]), (at + 1, lines[at + 1 :])]
    return [
        Cell("\n".join(chunk), None if block.line is None else block.line + start, block.page)
        for start, chunk in parts
        if chunk
    ]


def _same_text(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()
