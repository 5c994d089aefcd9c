"""Frozen records shared by the stages: what a document says, and what a profile is."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from pipeline.codes import Code

if TYPE_CHECKING:
    from pipeline.stages.tables import Tables

SourceFormat = Literal["text", "markdown", "docx", "pdf"]
Stage = Literal["read", "extract", "normalise", "validate"]
Severity = Literal["error", "warning"]
Status = Literal["ok", "rejected"]


def printable_name(name: str) -> str:
    """A file name as it is published (tables, JSON, console): bytes that are not UTF-8,
    which os.fsdecode keeps as surrogate escapes, shown as `\\xff`; any other name as it is."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


_CONTROL = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)
_NAMED_CONTROLS = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def terminal_text(text: str) -> str:
    """Text as a terminal shows it literally: names that are not UTF-8 as printable_name
    writes them, control characters (escape codes, newlines, tabs, bidirectional
    overrides) as `\\x1b`, `\\n`, `\\u202e`."""
    try:
        shown = printable_name(text)
    except UnicodeEncodeError:  # a lone surrogate, which no file name decodes to
        shown = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return _CONTROL.sub(lambda match: _escaped(match.group()), shown)


def _escaped(char: str) -> str:
    code = ord(char)
    return _NAMED_CONTROLS.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


@dataclass(frozen=True)
class Location:
    """Where in an input something was found; every field but the file is optional."""

    file: str
    page: int | None = None
    line: int | None = None
    table: str | None = None
    column: str | None = None
    row: str | None = None

    def __str__(self) -> str:
        parts = [self.file]
        if self.page is not None:
            parts.append(f"page {self.page}")
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.table is not None:
            parts.append(f"table {self.table}" + (f".{self.column}" if self.column else ""))
        elif self.column is not None:
            parts.append(f"column {self.column}")
        if self.row is not None:
            parts.append(self.row)
        return ", ".join(parts)


@dataclass(frozen=True)
class Issue:
    """One problem with one input: what, where, at which stage, and what to do about it."""

    stage: Stage
    message: str
    location: Location
    hint: str = ""
    severity: Severity = "error"
    # A traceback, for an internal error only; shown with --debug, never in the outputs.
    debug: str | None = None
    # What kind of problem it is, for machines: stable where the message's wording is not.
    code: Code = field(kw_only=True)

    def __str__(self) -> str:
        text = f"{self.location}: {self.message}"
        return f"{text} ({self.hint})" if self.hint else text


@dataclass(frozen=True)
class Source:
    """The input file a profile came from."""

    path: str
    format: SourceFormat
    sha256: str


# A word of a cell and Tesseract's confidence in it (whole percent, 0-100), or None for a
# word from a text layer (a page of the same cell that was not read by OCR).
ReadWord = tuple[str, int | None]


@dataclass(frozen=True)
class Cell:
    """The raw text of one table cell (lines joined by newlines) and where it starts; for
    a cell on a page read by OCR, its words in reading order with their confidences (None
    for a cell no OCR read)."""

    text: str
    line: int | None = None
    page: int | None = None
    ocr: tuple[ReadWord, ...] | None = None


# --- what extraction finds in a document, before any cleaning -------------------------


@dataclass(frozen=True)
class RawOccupation:
    code: Cell
    label: Cell
    uri: Cell


@dataclass(frozen=True)
class ContextEntry:
    key: str
    value: Cell


@dataclass(frozen=True)
class RawCompetence:
    """One competence row plus the continuation rows a page break split off it."""

    name: Cell
    type: Cell
    level: Cell
    description: tuple[Cell, ...]
    esco: tuple[Cell, ...]


@dataclass(frozen=True)
class RawSection:
    heading: Cell
    competences: tuple[RawCompetence, ...]


@dataclass(frozen=True)
class Document:
    """A profile as extracted from a PDF or text file: structure found, text still raw."""

    source: Source
    alliance: Cell
    period: Cell
    title: Cell
    description: tuple[Cell, ...]
    occupations: tuple[RawOccupation, ...]
    context: tuple[ContextEntry, ...]
    sections: tuple[RawSection, ...]
    # Warnings found while reading (e.g. an inferred encoding).
    issues: tuple[Issue, ...] = ()
    # The pages read by OCR (a PDF's pages without a text layer).
    ocr_pages: tuple[int, ...] = ()


# --- a normalised profile ---------------------------------------------------------------


@dataclass(frozen=True)
class Statement:
    text: str
    line: int | None
    page: int | None
    # The lowest OCR confidence (percent) of the words it is made of; None when no OCR read it.
    ocr_confidence: int | None = None


@dataclass(frozen=True)
class EscoSkill:
    label: str
    line: int | None
    page: int | None
    # The lowest OCR confidence (percent) of the words it is made of; None when no OCR read it.
    ocr_confidence: int | None = None


@dataclass(frozen=True)
class Item:
    """One member of a list-valued Context cell (a department, a specialisation)."""

    text: str
    line: int | None
    page: int | None
    # The lowest OCR confidence (percent) of the words it is made of; None when no OCR read it.
    ocr_confidence: int | None = None


@dataclass(frozen=True)
class Competence:
    competence_id: str
    category: str
    category_note: str | None
    name: str
    type: str
    level: str
    statements: tuple[Statement, ...]
    esco_skills: tuple[EscoSkill, ...]
    line: int | None
    page: int | None
    # Of the words of its heading, name, type and level (see Statement).
    ocr_confidence: int | None = None


@dataclass(frozen=True)
class Occupation:
    esco_code: str
    esco_label: str
    esco_uri: str
    line: int | None
    page: int | None
    # Of the words of its code, label and URI (see Statement).
    ocr_confidence: int | None = None


@dataclass(frozen=True)
class Profile:
    profile_id: str
    title: str
    description: str
    alliance: str
    period: str
    period_start: int | None
    period_end: int | None
    eqf_levels: tuple[int, ...]
    value_chain: str
    departments: tuple[Item, ...]
    specialisations: tuple[Item, ...]
    occupations: tuple[Occupation, ...]
    competences: tuple[Competence, ...]
    source: Source
    # The pages read by OCR, and the lowest OCR confidence (percent) of the words of its
    # own fields (cover, Minimum EQF, Value Chain); None when no OCR read them.
    ocr_pages: tuple[int, ...] = ()
    ocr_confidence: int | None = None
    # Of the words of the Minimum EQF value, which eqf_levels is read from.
    eqf_ocr_confidence: int | None = None

    @property
    def min_eqf(self) -> int | None:
        return min(self.eqf_levels) if self.eqf_levels else None


@dataclass(frozen=True)
class Verdict:
    """What happened to one input file."""

    source_file: str
    sha256: str | None
    source_format: SourceFormat | None
    status: Status
    profile_id: str | None
    issues: tuple[Issue, ...] = ()

    @property
    def errors(self) -> tuple[Issue, ...]:
        return tuple(issue for issue in self.issues if issue.severity == "error")

    @property
    def warnings(self) -> tuple[Issue, ...]:
        return tuple(issue for issue in self.issues if issue.severity == "warning")


@dataclass(frozen=True)
class PagePicture:
    """A page of a PDF input with the place of its problems outlined (PNG), for the report."""

    page: int
    png: bytes
    caption: str


@dataclass(frozen=True)
class FileResult:
    """What became of one input: its verdict, and its tables when it is ok."""

    verdict: Verdict
    tables: Tables | None
    # Pages of a PDF input that has problems, drawn in the worker (which alone reads it).
    pictures: tuple[PagePicture, ...] = ()
