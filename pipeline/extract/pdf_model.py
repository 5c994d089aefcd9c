"""What the PDF reader hands to the layout code: a page's words, rulings and fills, and
the tolerances (`PdfLayout`) the layout code reads them with.

Coordinates are PDF points, origin at the top-left of the page, y growing downwards.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Literal, get_args

from pipeline.codes import Code
from pipeline.contract.vocabulary import load_vocabulary
from pipeline.errors import ReadError
from pipeline.model import Location

BULLET_GLYPH = "•"
# The PDF readers (pipeline/extract/pdf.py: READERS).
PdfEngine = Literal["pdfium", "pdfplumber"]


@dataclass(frozen=True)
class PdfLayout:
    """How PDFs are read: the reader, and every tolerance of the layout code, in points or
    in multiples of the font size.

    Validated when built; the error names the field. One instance travels with the run
    settings to every worker.
    """

    # The library that reads a page's words and rulings (pipeline/extract/pdf.py: READERS).
    # Both give the same tables (tests/test_pdfium.py); pdfium is several times faster.
    reader: PdfEngine = "pdfium"

    # Letters further apart than this (x font size) belong to different words (some
    # producers write no space characters, only positions).
    word_gap: float = 0.15
    # A paragraph of running text ends at a gap wider than this (x line height).
    paragraph_gap: float = 0.7
    # Inside a table cell, a gap this much wider than the table's usual line gap
    # (x font size) separates paragraphs (two ESCO labels, two list items).
    cell_paragraph_gap: float = 0.2
    # A list column without paragraph spacing is taken to wrap its items when at least
    # this share of its line breaks leave no room for the next word (job titles), or when
    # fewer than opening_share of the lines after such breaks open an item with a known
    # word (ESCO labels open with a verb).
    wrapped_share: float = 0.85
    opening_share: float = 0.5
    # Words further apart than this (x font size) on a line are in different columns.
    column_gap: float = 1.2
    # The narrowest white gutter (x font size) that can separate two columns; narrower
    # stretches are spaces between words.
    gutter: float = 0.4
    # Share of the pages a running header/footer line must recur on.
    furniture_share: float = 0.5
    # How far a running header/footer may move between pages (points).
    furniture_drift: float = 3.0
    # Header/footer lines are looked for among this many lines at the top and bottom.
    furniture_lines: int = 2
    # Lines a header label may wrap over (header band height, in lines).
    header_band_lines: int = 4
    # A rule or a fill edge separates rows when it spans this share of the table width.
    rule_span: float = 0.5
    # Points within which rules, fill edges and positions are the same.
    snap: float = 1.5
    # A filled shape is a bullet when no side is longer than this (x font size).
    bullet_size: float = 0.6
    # A gap above a page's first row is a row boundary when at least this share of the
    # smallest gap between two rows of the same table.
    row_gap_share: float = 0.75
    # Scanned pages (no text layer) are drawn at this resolution and read by OCR
    # (pipeline/extract/pdf_ocr.py); words read with less confidence (0..1) are warnings.
    ocr_dpi: int = 300
    ocr_confidence: float = 0.8
    # In a scan's picture, a run of ink at least this long (points) and at most this thick
    # is a ruling; shading (one grey) at least this tall and three times as wide is a fill.
    ocr_rule_length: float = 20.0
    ocr_rule_thickness: float = 3.0
    ocr_fill_size: float = 6.0
    # Words that open an ESCO skill label (schemas/vocab/esco_skill_verbs.txt), lower case.
    label_verbs: frozenset[str] = field(default_factory=lambda: _vocabulary("esco_skill_verbs"))

    def __post_init__(self) -> None:
        if self.reader not in get_args(PdfEngine):
            raise ValueError(
                f"PdfLayout.reader must be one of {', '.join(get_args(PdfEngine))}, "
                f"got {self.reader!r}"
            )
        for each in fields(self):
            value = getattr(self, each.name)
            if isinstance(value, int | float) and not value > 0:
                raise ValueError(f"PdfLayout.{each.name} must be positive, got {value!r}")
        if self.furniture_share > 1:
            raise ValueError(
                f"PdfLayout.furniture_share must be at most 1, got {self.furniture_share}"
            )
        for name in (
            "wrapped_share",
            "opening_share",
            "furniture_share",
            "rule_span",
            "ocr_confidence",
        ):
            if getattr(self, name) > 1:
                raise ValueError(f"PdfLayout.{name} must be at most 1, got {getattr(self, name)}")
        if self.rule_span > 1:
            raise ValueError(f"PdfLayout.rule_span must be at most 1, got {self.rule_span}")


def _vocabulary(name: str) -> frozenset[str]:
    return frozenset(term.casefold() for term in load_vocabulary(name).terms)


@dataclass(frozen=True)
class Word:
    """A word as drawn; `size` is the font size, `bold` from the font name."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    bold: bool = False

    @property
    def middle(self) -> float:
        return (self.top + self.bottom) / 2


@dataclass(frozen=True)
class Rule:
    """A straight ruling: `at` is its y (horizontal) or x (vertical); it runs from
    `start` to `end` along the other axis."""

    orientation: Literal["h", "v"]
    at: float
    start: float
    end: float


@dataclass(frozen=True)
class Box:
    x0: float
    top: float
    x1: float
    bottom: float

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.bottom - self.top


@dataclass(frozen=True)
class PageData:
    """One page as the reader saw it: words (bullets drawn as shapes become '•' words),
    rulings, and filled areas (cell and row shading)."""

    number: int
    width: float
    height: float
    words: tuple[Word, ...]
    rules: tuple[Rule, ...] = ()
    fills: tuple[Box, ...] = ()


@dataclass(frozen=True)
class Shape:
    """One mark of an inspect overlay: a filled rect, an outline or a line, in RGBA."""

    kind: Literal["rect", "outline", "line"]
    box: Box
    colour: tuple[int, int, int, int]
    width: int = 1


def no_text(file: str) -> ReadError:
    """What a PDF without a word on its pages gets, OCR of its pictures included."""
    return ReadError(
        Code.NO_TEXT_LAYER,
        "the PDF has no text layer, and OCR found no words on its pages (blank pages, "
        "drawings, or a scan too faint to read)",
        Location(file),
        "check that this is the profile you meant; ask for a PDF exported with text, or "
        "for a sharper scan",
    )
