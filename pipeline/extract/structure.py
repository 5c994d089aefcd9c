"""Format-neutral recognisers shared by the text and PDF extractors.

They work on cells and blocks of lines, so the PDF reader can reuse them once it has
grouped words into the same shapes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.errors import ExtractError
from pipeline.model import Cell, Location

PERIOD = re.compile(r"^\s*(\d{4})\s*[-–—]\s*(\d{4})\s*$")
FUNDING_STATEMENT = re.compile(r"^\s*co-?funded by", re.IGNORECASE)
OCCUPATIONS_HEADING = re.compile(r"^\s*ESCO\s+Occupations\b", re.IGNORECASE)
CONTEXT_HEADING = re.compile(r"^\s*Context\s*$", re.IGNORECASE)

COMPETENCE_FIELDS = ("name", "type", "description", "level", "esco")
_COMPETENCE_HEADER_WORDS = {
    "name": "name",
    "type": "type",
    "description": "description",
    "description/context": "description",
    "context": "description",
    "level": "level",
    "esco": "esco",
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
        "not an ALBATTS job-role profile: no 'ESCO Occupations' table",
        location,
        "this does not look like an ALBATTS job-role profile; check the file",
    )


def no_context_table(location: Location) -> ExtractError:
    return ExtractError(
        "no 'Context' table after the ESCO Occupations table",
        location,
        "the profile needs a Context table (Minimum EQF, Value Chain, ...)",
    )


def no_competence_tables(location: Location) -> ExtractError:
    return ExtractError(
        "no competence tables (header row 'Name, Type (S/K), Description/Context, Level, "
        "ESCO') after the Context table",
        location,
        "the profile needs at least one competence table under a category heading",
    )


def no_occupations_header(location: Location) -> ExtractError:
    return ExtractError(
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


_HEADER_LABELS = sorted(
    {tuple(key.split()) for key in (*_COMPETENCE_HEADER_WORDS, *_OCCUPATION_HEADER_WORDS)},
    key=len,
    reverse=True,
)


def header_word_runs(words: Sequence[str]) -> list[list[int]]:
    """Group a header row's words into column labels when no wide gaps tell them apart.

    A run starts at a word that opens a known column label ("Name", "Concept URI", ...);
    anything else ("(S/K)") belongs to the run before it. Returns word indexes per run.
    """
    folded = [word.casefold() for word in words]
    runs: list[list[int]] = []
    i = 0
    while i < len(words):
        label = next(
            (lab for lab in _HEADER_LABELS if tuple(folded[i : i + len(lab)]) == lab), None
        )
        if label is not None or not runs:
            size = len(label) if label else 1
            runs.append(list(range(i, i + size)))
            i += size
        else:
            runs[-1].append(i)
            i += 1
    return runs


def _header_fields(cells: Sequence[str], words: dict[str, str]) -> tuple[str | None, ...]:
    fields: list[str | None] = []
    for cell in cells:
        key = re.sub(r"\s*\(.*\)\s*$", "", cell.strip()).casefold()
        fields.append(words.get(key) or words.get(key.split(" ")[0] if key else ""))
    return tuple(fields)


def competence_header(cells: Sequence[str]) -> tuple[str | None, ...] | None:
    """Field of each column if cells are a competence table's header row, else None."""
    fields = _header_fields(cells, _COMPETENCE_HEADER_WORDS)
    required = {"name", "type", "description", "level"}
    if not fields or fields[0] != "name" or not required <= set(fields):
        return None
    return fields


def occupation_header(cells: Sequence[str]) -> tuple[str | None, ...] | None:
    """Field of each column if cells are the ESCO occupations header row, else None."""
    fields = _header_fields(cells, _OCCUPATION_HEADER_WORDS)
    return fields if set(OCCUPATION_FIELDS) <= set(fields) else None


def blocks_to_cover(blocks: Sequence[Cell], file: str) -> Cover:
    """Split the blocks before the ESCO table into alliance, period, title and paragraphs.

    The cover reads alliance, period, title; the EU funding statement and the title
    repeated on the next page are not description.
    """
    kept = [block for block in blocks if not FUNDING_STATEMENT.match(block.text)]
    period_at = next((i for i, block in enumerate(kept) if PERIOD.match(block.text)), None)
    first_line = blocks[0].line if blocks else None
    if period_at is None:
        raise ExtractError(
            "no project period (such as 2019-2023) on the cover",
            Location(file, line=first_line),
            "is this an ALBATTS profile? The cover should read alliance, period, title",
        )
    if period_at == 0:
        raise ExtractError(
            "no alliance name before the project period on the cover",
            Location(file, line=kept[0].line, page=kept[0].page),
            "the cover should start with the alliance name",
        )
    if period_at + 1 >= len(kept):
        raise ExtractError(
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


def _same_text(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()
