"""PDF extraction: words to lines, furniture, blocks, header bands, synthetic pages (open
and ruled tables, rows cut by page breaks), real PDFs, bad PDFs.

Synthetic words use a fake monospace measure: a character is half the font size wide and a
space a quarter, so a line's geometry follows from its text, x0, top and size.
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from reportlab.pdfgen import canvas

from pipeline.errors import ReadError
from pipeline.extract.pdf import read_pdf
from pipeline.extract.pdf_layout import pages_to_document
from pipeline.extract.pdf_lines import TextLine, find_furniture, lines_to_blocks, words_to_lines
from pipeline.extract.pdf_model import PageData, PdfLayout, Rule, Word
from pipeline.extract.pdf_tables import find_header_band
from pipeline.extract.structure import competence_header, occupation_header
from pipeline.model import (
    Cell,
    ContextEntry,
    Document,
    Location,
    RawCompetence,
    RawOccupation,
    Source,
)
from pipeline.stages.bullets import cells_to_statements
from pipeline.stages.lists import cells_to_esco_skills
from pipeline.stages.normalise import NormaliseRules, document_to_profile
from tests.conftest import AUTHORED
from tests.pdfcorpus.build import render_pdf
from tests.pdfcorpus.data import load_profile
from tests.pdfcorpus.variants import Variant, corpus_variants
from tests.test_normalise import profile_as_expected_json

FILE = "raw/profile.pdf"
SOURCE = Source(FILE, "pdf", "0" * 64)
LAYOUT = PdfLayout()
SIZE = 10.0
WIDTH, HEIGHT = 595.0, 842.0
LEFT = 50.0
RIGHT = 545.0
TRUTH = AUTHORED / "battery-quality-test-technician.expected.json"
ESCO = "http://data.europa.eu/esco/occupation/"
URI_QUALITY = ESCO + "1ff13534-2e82-4ce1-958d-003d9a0b2361"
URI_ELECTRICAL = ESCO + "00d9f4ad-53a2-42b6-b3f5-f28807f0cbd4"
ALLIANCE = "Alliance for Batteries Technology, Training and Skills"
TITLE = "Battery Quality & Test Technician"
RUNNING_HEADER = "ALBATTS – Job Role Profile"

Segment = tuple[float, str]  # (x0, text) of a run of words


# --- synthetic geometry -------------------------------------------------------------------


def text_width(text: str, size: float = SIZE) -> float:
    return sum(len(word) for word in text.split(" ")) * size / 2 + text.count(" ") * size / 4


def words(
    text: str, x0: float, top: float, size: float = SIZE, right: float | None = None
) -> list[Word]:
    """Words of `text` from x0; with `right`, spaces widen so the last word ends there."""
    parts = text.split(" ")
    space = size / 4
    if right is not None and len(parts) > 1:
        space += (right - x0 - text_width(text, size)) / (len(parts) - 1)
    placed = []
    x = x0
    for part in parts:
        width = len(part) * size / 2
        placed.append(Word(part, x, x + width, top, top + size, size))
        x += width + space
    return placed


def line(page: int, top: float, *segments: Segment, size: float = SIZE) -> TextLine:
    return TextLine(page, tuple(w for x0, text in segments for w in words(text, x0, top, size)))


def full_line(page: int, top: float, text: str, size: float = SIZE) -> TextLine:
    """A line justified from LEFT to RIGHT, as a paragraph line that runs to the edge."""
    return TextLine(page, tuple(words(text, LEFT, top, size, right=RIGHT)))


def w(text: str, x0: float, x1: float, top: float, bottom: float) -> Word:
    return Word(text, x0, x1, top, bottom, bottom - top)


def parts(cells: Sequence[Cell]) -> list[tuple[int | None, list[str]]]:
    """Page and non-empty lines of each cell a row was split into."""
    return [(cell.page, [text for text in cell.text.split("\n") if text]) for cell in cells]


# --- 1. pure functions ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("placed", "expected"),
    [
        pytest.param(
            [w("Quality", 50, 85, 100, 110), w("Standards", 90, 135, 104, 114)],
            ["Quality Standards"],
            id="same-line-middle-within-line",
        ),
        pytest.param(
            [w("Quality", 50, 85, 100, 110), w("Standards", 90, 135, 106, 116)],
            ["Quality", "Standards"],
            id="next-line-middle-below-line",
        ),
        pytest.param(
            [
                w("Expert", 400, 430, 100.4, 110.4),
                w("K", 150, 155, 100, 110),
                w("Standards", 90, 135, 100.2, 110.2),
                w("Quality", 50, 85, 100.4, 110.4),
            ],
            ["Quality Standards K Expert"],
            id="left-to-right-whatever-the-top-jitter",
        ),
        pytest.param(
            [w("Footnote", 50, 90, 103, 110), w("Body", 100, 120, 100, 110)],
            ["Footnote Body"],
            id="different-sizes-same-baseline",
        ),
        pytest.param(
            [w("•", 50, 53, 103.5, 106.5), w("Body", 58, 80, 100, 110)],
            ["• Body"],
            id="bullet-shape-joins-its-line",
        ),
        pytest.param(
            [
                w("second", 50, 80, 112, 122),
                w("third", 50, 75, 124, 134),
                w("first", 50, 75, 100, 110),
            ],
            ["first", "second", "third"],
            id="top-to-bottom",
        ),
    ],
)
def test_words_to_lines(placed: list[Word], expected: list[str]) -> None:
    lines = words_to_lines(placed, 4)
    assert [text_line.text for text_line in lines] == expected
    assert {text_line.page for text_line in lines} == {4}
    assert all(
        [w.x0 for w in text_line.words] == sorted(w.x0 for w in text_line.words)
        for text_line in lines
    )


def test_words_to_lines_of_no_words_is_empty() -> None:
    assert words_to_lines([], 1) == []


def page_of(number: int, *rows: str, size: float = SIZE, top: float = 60) -> PageData:
    placed = [word for i, row in enumerate(rows) for word in words(row, LEFT, top + 14 * i, size)]
    return PageData(number, WIDTH, HEIGHT, tuple(placed))


def cover_of(*rows: str) -> PageData:
    """A cover: its text starts lower than the running header of the other pages."""
    return page_of(1, *rows, top=200)


def strip_furniture(pages: Sequence[PageData]) -> list[list[str]]:
    lines = [words_to_lines(page.words, page.number) for page in pages]
    dropped = find_furniture(pages, lines, LAYOUT)
    return [
        [line.text for i, line in enumerate(page_lines) if i not in drop]
        for page_lines, drop in zip(lines, dropped, strict=True)
    ]


@pytest.mark.parametrize(
    ("pages", "expected"),
    [
        pytest.param(
            [
                cover_of(ALLIANCE, "2019-2023", TITLE),
                page_of(2, ALLIANCE, TITLE, "First paragraph."),
                page_of(3, ALLIANCE, "ESCO Occupations", "ID NAME Concept URI"),
            ],
            [
                [ALLIANCE, "2019-2023", TITLE],
                [TITLE, "First paragraph."],
                ["ESCO Occupations", "ID NAME Concept URI"],
            ],
            id="running-header-dropped-but-kept-on-cover",
        ),
        pytest.param(
            [
                cover_of(ALLIANCE, "2019-2023", TITLE),
                page_of(2, TITLE, "First paragraph.", "Profile v1.2 – sheet 2"),
                page_of(3, "ESCO Occupations", "ID NAME", "Profile v1.2 – sheet 3"),
            ],
            [
                [ALLIANCE, "2019-2023", TITLE],
                [TITLE, "First paragraph."],
                ["ESCO Occupations", "ID NAME"],
            ],
            id="running-footer-digits-aside-same-place",
        ),
        pytest.param(
            [
                cover_of(ALLIANCE, "2019-2023", TITLE),
                page_of(2, TITLE, "First paragraph.", "Second paragraph."),
                page_of(3, "ESCO Occupations", "ID NAME Concept URI", "3119.4 quality"),
            ],
            [
                [ALLIANCE, "2019-2023", TITLE],
                [TITLE, "First paragraph.", "Second paragraph."],
                ["ESCO Occupations", "ID NAME Concept URI", "3119.4 quality"],
            ],
            id="first-and-last-lines-that-do-not-recur-kept",
        ),
        pytest.param(
            [
                cover_of(ALLIANCE, "2019-2023", TITLE),
                page_of(2, "Soft Competence", "Teamwork K Expert", "Listening S Expert"),
                page_of(3, "Soft Competence", "Ethics K Expert", "Empathy S Expert"),
                page_of(4, "Teamwork", "Ethics", "Soft Competence", "Listening", "Empathy"),
            ],
            [
                [ALLIANCE, "2019-2023", TITLE],
                ["Teamwork K Expert", "Listening S Expert"],
                ["Ethics K Expert", "Empathy S Expert"],
                ["Teamwork", "Ethics", "Soft Competence", "Listening", "Empathy"],
            ],
            id="recurring-line-dropped-only-at-page-edges",
        ),
        pytest.param(
            [
                page_of(1, "12/4/26, 9:15 AM Profile", ALLIANCE, "2019-2023", TITLE),
                page_of(2, "12/4/26, 9:15 AM Profile", TITLE, "First paragraph."),
                page_of(3, "12/4/26, 9:15 AM Profile", "ESCO Occupations", "ID NAME"),
            ],
            [
                [ALLIANCE, "2019-2023", TITLE],
                [TITLE, "First paragraph."],
                ["ESCO Occupations", "ID NAME"],
            ],
            id="browser-print-header-dropped-from-the-cover-too",
        ),
        pytest.param(
            [
                cover_of(ALLIANCE, "2019-2023", TITLE),
                page_of(2, "Name Type (S/K) Description/Context Level ESCO", "Teamwork K"),
                page_of(3, "Name Type (S/K) Description/Context Level ESCO", "Ethics K"),
            ],
            [
                [ALLIANCE, "2019-2023", TITLE],
                ["Name Type (S/K) Description/Context Level ESCO", "Teamwork K"],
                ["Name Type (S/K) Description/Context Level ESCO", "Ethics K"],
            ],
            id="repeated-table-header-is-not-furniture",
        ),
    ],
)
def test_strip_furniture(pages: list[PageData], expected: list[list[str]]) -> None:
    assert strip_furniture(pages) == expected


@pytest.mark.parametrize(
    "number",
    [
        pytest.param("Page 3", id="page-word-and-number"),
        pytest.param("3 / 11", id="page-number-slash-total"),
        pytest.param("3 of 11", id="page-number-of-total"),
        pytest.param("3", id="bare-page-number"),
    ],
)
@pytest.mark.parametrize("where", ["footer", "header"])
def test_strip_furniture_drops_page_numbers(number: str, where: str) -> None:
    body = ("Soft Competence", "Name Type (S/K) Description/Context Level ESCO")
    rows = (*body, number) if where == "footer" else (number, *body)
    pages = [cover_of(ALLIANCE, "2019-2023", TITLE), page_of(2, TITLE), page_of(3, *rows)]
    assert strip_furniture(pages) == [[ALLIANCE, "2019-2023", TITLE], [TITLE], list(body)]


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        pytest.param(
            [
                line(2, 100, (LEFT, "An engineer designs cells.")),
                line(2, 112, (LEFT, "They test them.")),
                line(2, 136, (LEFT, "They report results.")),
            ],
            [
                Cell("An engineer designs cells.\nThey test them.", None, 2),
                Cell("They report results.", None, 2),
            ],
            id="paragraph-gap",
        ),
        pytest.param(
            [
                line(2, 100, (LEFT, TITLE), size=14),
                line(2, 116, (LEFT, "An engineer designs cells.")),
            ],
            [Cell(TITLE, None, 2), Cell("An engineer designs cells.", None, 2)],
            id="bold-heading-size-change",
        ),
        pytest.param(
            [
                full_line(2, 100, "An engineer designs and builds battery cells for model-"),
                line(2, 112, (LEFT, "based tests.")),
            ],
            [
                Cell(
                    "An engineer designs and builds battery cells for model-\nbased tests.",
                    None,
                    2,
                )
            ],
            id="hyphen-wrap",
        ),
        pytest.param(
            [
                full_line(2, 700, "An engineer designs and builds battery cells and runs"),
                full_line(2, 712, "the tests that show whether the cells meet their"),
                line(3, 72, (LEFT, "specifications.")),
                line(3, 96, (LEFT, "A second paragraph.")),
            ],
            [
                Cell(
                    "An engineer designs and builds battery cells and runs\n"
                    "the tests that show whether the cells meet their\nspecifications.",
                    None,
                    2,
                ),
                Cell("A second paragraph.", None, 3),
            ],
            id="paragraph-cut-by-page-break",
        ),
        pytest.param(
            [
                full_line(2, 700, "An engineer designs and builds battery cells and runs"),
                line(2, 712, (LEFT, "the tests.")),
                line(3, 72, (LEFT, "A second paragraph.")),
            ],
            [
                Cell("An engineer designs and builds battery cells and runs\nthe tests.", None, 2),
                Cell("A second paragraph.", None, 3),
            ],
            id="short-line-before-page-break-ends-paragraph",
        ),
        pytest.param(
            [
                full_line(1, 700, "Alliance for Batteries Technology, Training and Skills"),
                full_line(2, 72, "Battery Quality and Test Technician for cells and packs"),
            ],
            [
                Cell("Alliance for Batteries Technology, Training and Skills", None, 1),
                Cell("Battery Quality and Test Technician for cells and packs", None, 2),
            ],
            id="cover-page-ends-block",
        ),
    ],
)
def test_lines_to_blocks(lines: list[TextLine], expected: list[Cell]) -> None:
    assert lines_to_blocks(lines, LAYOUT) == expected


def test_lines_to_blocks_of_no_lines_is_empty() -> None:
    assert lines_to_blocks([], LAYOUT) == []


Label = tuple[float, float, str]  # (x0, top, text) of one line of a header label


def band_lines(*labels: Label) -> list[TextLine]:
    placed = [word for x0, top, text in labels for word in words(text, x0, top)]
    return words_to_lines(placed, 3)


@pytest.mark.parametrize(
    ("labels", "texts", "line_count"),
    [
        pytest.param(
            [
                *[(50, 100, "Name"), (150, 100, "Type (S/K)")],
                *[(230, 100, "Description/Context"), (400, 100, "Level"), (460, 100, "ESCO")],
            ],
            ("Name", "Type (S/K)", "Description/Context", "Level", "ESCO"),
            1,
            id="one-line",
        ),
        pytest.param(
            [
                *[(50, 106, "Name"), (150, 100, "Type"), (147, 112, "(S/K)")],
                *[(230, 100, "Description/"), (240, 112, "Context")],
                *[(400, 106, "Level"), (460, 106, "ESCO")],
            ],
            ("Name", "Type (S/K)", "Description/Context", "Level", "ESCO"),
            3,
            id="wrapped-two-lines-others-centred-between",
        ),
        pytest.param(
            [
                *[(50, 100, "Name"), (150, 100, "Type"), (150, 112, "(S/K)")],
                *[(230, 100, "Descrip"), (230, 112, "tion/"), (230, 124, "Context")],
                *[(400, 100, "Level"), (460, 100, "ESCO")],
            ],
            None,
            3,
            id="label-broken-inside-a-word-is-not-a-known-label",
        ),
        pytest.param(
            [
                *[(50, 100, "Name"), (150, 100, "Type"), (150, 112, "(S/K)")],
                *[(230, 100, "Description"), (230, 112, "/"), (230, 124, "Context")],
                *[(400, 100, "Level"), (460, 100, "ESCO")],
            ],
            ("Name", "Type (S/K)", "Description/Context", "Level", "ESCO"),
            3,
            id="three-lines",
        ),
    ],
)
def test_find_header_band(
    labels: list[Label], texts: tuple[str, ...] | None, line_count: int
) -> None:
    lines = band_lines(*labels)
    start = next(i for i, text_line in enumerate(lines) if "Name" in text_line.text)
    band = find_header_band(lines, start, competence_header, LAYOUT)
    if texts is None:
        assert band is None
        return
    assert band is not None
    assert band.texts == texts
    assert band.fields == ("name", "type", "description", "level", "esco")
    assert (band.first, band.last) == (0, line_count - 1)


def test_find_header_band_leaves_a_body_row_of_header_words_out() -> None:
    lines = band_lines(
        (50, 100, "Name"), (150, 100, "Type"), (150, 112, "(S/K)"),
        (230, 100, "Description/Context"), (400, 100, "Level"), (460, 100, "ESCO"),
        (150, 124, "K"),
    )  # fmt: skip
    band = find_header_band(lines, 0, competence_header, LAYOUT)
    assert band is not None
    assert band.texts[1] == "Type (S/K)"
    assert lines[band.last + 1].text == "K"


def test_find_header_band_occupations() -> None:
    lines = band_lines((50, 100, "ID"), (110, 100, "NAME"), (300, 100, "Concept URI"))
    band = find_header_band(lines, 0, occupation_header, LAYOUT)
    assert band is not None and band.fields == ("code", "label", "uri")


# --- 2. synthetic profile pages -------------------------------------------------------------


@dataclass(frozen=True)
class Grid:
    """Competence table columns: where cell text starts, header labels, vertical rulings."""

    cells: tuple[float, float, float, float, float]
    headers: tuple[float, float, float, float, float]
    rulings: tuple[float, ...] = ()


HEADER_LABELS = ("Name", "Type (S/K)", "Description/Context", "Level", "ESCO")
OPEN_CELLS = (50.0, 150.0, 210.0, 400.0, 460.0)
OPEN = Grid(OPEN_CELLS, OPEN_CELLS)
RULINGS = (46.0, 140.0, 200.0, 390.0, 450.0, 549.0)


def centred(label: str, left: float, right: float) -> float:
    return (left + right - text_width(label)) / 2


CENTRED_HEADERS = tuple(
    centred(label, left, right)
    for label, left, right in zip(HEADER_LABELS, RULINGS, RULINGS[1:], strict=False)
)
RULED_CELLS = (50.0, 144.0, 204.0, 394.0, 454.0)


class Sheet:
    """One synthetic page, written top down; pages 2+ get a running header and footer."""

    def __init__(self, number: int, rulings: Sequence[float] = ()) -> None:
        self.number = number
        self.rulings = tuple(rulings)
        self.top = 72.0
        self.lines: list[TextLine] = []
        if number > 1:
            self.lines.append(line(number, 40, (LEFT, RUNNING_HEADER), (400, TITLE), size=8))

    def add(self, *segments: Segment, size: float = SIZE, gap: float = 0.0) -> Sheet:
        self.top += gap
        self.lines.append(line(self.number, self.top, *segments, size=size))
        self.top += 1.2 * size
        return self

    def full(self, text: str) -> Sheet:
        self.lines.append(full_line(self.number, self.top, text))
        self.top += 1.2 * SIZE
        return self

    def row(
        self,
        grid: Grid,
        name: str = "",
        kind: str = "",
        description: str = "",
        level: str = "",
        esco: str = "",
        gap: float = 0.0,
    ) -> Sheet:
        cells = zip(grid.cells, (name, kind, description, level, esco), strict=True)
        return self.add(*((x0, text) for x0, text in cells if text), gap=gap)

    def header(self, grid: Grid) -> Sheet:
        return self.add(*zip(grid.headers, HEADER_LABELS, strict=True))

    def page(self) -> PageData:
        footer = (line(self.number, 800, (290, f"Page {self.number}"), size=8),)
        lines = (*self.lines, *(footer if self.number > 1 else ()))
        rules = tuple(Rule("v", x, 60, 780) for x in self.rulings)
        placed = tuple(word for text_line in lines for word in text_line.words)
        return PageData(self.number, WIDTH, HEIGHT, placed, rules)


def cover_page() -> PageData:
    sheet = Sheet(1)
    sheet.top = 200
    sheet.add((160, ALLIANCE)).add((270, "2019-2023"), gap=18).add((150, TITLE), size=18, gap=18)
    sheet.top = 700
    sheet.add((240, "Co-funded by the")).add((230, "Erasmus+ Programme"))
    sheet.add((225, "of the European Union"))
    return sheet.page()


def description_page() -> PageData:
    sheet = Sheet(2)
    sheet.add((LEFT, TITLE), size=14)
    sheet.full("A battery quality & test technician prepares and runs electrical,")
    sheet.add((LEFT, "environmental and safety tests on cells, modules and packs."))
    sheet.add((LEFT, "They record measurement data and flag deviations."), gap=12)
    sheet.add((LEFT, "ESCO Occupations"), size=12, gap=12)
    sheet.add((LEFT, "ID"), (110, "NAME"), (300, "Concept URI"))
    sheet.add((LEFT, "3119.4"), (110, "quality engineering"), (300, URI_QUALITY), gap=6)
    sheet.add((110, "technician"))
    sheet.add((LEFT, "3113.3"), (110, "electrical technician"), (300, URI_ELECTRICAL), gap=6)
    sheet.add((LEFT, "Context"), size=12, gap=12)
    sheet.add((LEFT, "Minimum EQF"), (200, "5"))
    sheet.add((LEFT, "Value Chain"), (200, "Modules & Pack Battery Integration"), gap=6)
    sheet.add((LEFT, "Departments"), (200, "Quality"), gap=6)
    sheet.add((200, "RnD")).add((200, "Production and Maintenance"))
    sheet.add((LEFT, "Specialisations"), (200, "Other job roles that are more specialised"), gap=6)
    sheet.add((200, "but based on this")).add((200, "End-of-Line Test Operator"))
    sheet.add((200, "Test Lab Supervisor"))
    return sheet.page()


@dataclass(frozen=True)
class Break:
    """How the 'Quality Standards' row is cut by the page break after page 3."""

    cut_line: str  # its last Description line on page 3
    continuation: tuple[str, str]  # (Description, ESCO) of the line continuing it on page 4


NEW_BULLET = Break("- Knowledge of ISO 9001", ("- Apply the 8D method", ""))
CUT_BULLET = Break("- Knowledge of ISO 9001 and", ("IATF 16949 requirements", ""))
ESCO_CONTINUES = Break("- Knowledge of ISO 9001", ("", "quality management"))


def profile_pages(
    grid: Grid = OPEN, cut: Break = NEW_BULLET, repeat_header: bool = False
) -> list[PageData]:
    """Cover; title, description, ESCO table and Context; two competence tables, the first
    with a row cut by the page break between pages 3 and 4."""
    three = Sheet(3, grid.rulings)
    three.add((LEFT, "Cross-sectoral Specific Competence"), size=12).header(grid)
    three.row(grid, "Test Equipment", "S", "- Operate battery cyclers", "Expert", "operate cyclers")
    three.row(grid, "Operation", "", "- Calibrate test equipment", "", "calibrate instruments")
    three.row(grid, "Quality Standards", "K", cut.cut_line, "Practitioner", "quality standards", 8)
    four = Sheet(4, grid.rulings)
    if repeat_header:
        four.header(grid)
    four.row(grid, "", "", *cut.continuation[:1], "", cut.continuation[1])
    four.row(grid, "Data Analysis", "S", "- Evaluate test data", "Practitioner", "analyse data", 8)
    four.add((LEFT, "Academic Competence (can be taken from University"), size=12, gap=14)
    four.add((LEFT, "programme)"), size=12).header(grid)
    four.row(grid, "Electrical Engineering", "K", "- A degree in electrical", "Expert", "physics")
    four.row(grid, "", "", "engineering", "", "")
    return [cover_page(), description_page(), three.page(), four.page()]


def synthetic_document(
    grid: Grid = OPEN, cut: Break = NEW_BULLET, repeat_header: bool = False
) -> Document:
    return pages_to_document(profile_pages(grid, cut, repeat_header), SOURCE, LAYOUT)


def test_synthetic_cover_and_description() -> None:
    document = synthetic_document()
    assert document.source == SOURCE
    assert document.alliance == Cell(ALLIANCE, None, 1)
    assert document.period == Cell("2019-2023", None, 1)
    # The title repeated on page 2 is the one kept, not a description paragraph.
    assert document.title == Cell(TITLE, None, 2)
    assert document.description == (
        Cell(
            "A battery quality & test technician prepares and runs electrical,\n"
            "environmental and safety tests on cells, modules and packs.",
            None,
            2,
        ),
        Cell("They record measurement data and flag deviations.", None, 2),
    )


def test_synthetic_occupation_label_wraps_below_its_code() -> None:
    assert synthetic_document().occupations == (
        RawOccupation(
            Cell("3119.4", None, 2),
            Cell("quality engineering\ntechnician", None, 2),
            Cell(URI_QUALITY, None, 2),
        ),
        RawOccupation(
            Cell("3113.3", None, 2),
            Cell("electrical technician", None, 2),
            Cell(URI_ELECTRICAL, None, 2),
        ),
    )


def test_synthetic_context_one_item_per_line() -> None:
    assert synthetic_document().context == (
        ContextEntry("Minimum EQF", Cell("5", None, 2)),
        ContextEntry("Value Chain", Cell("Modules & Pack Battery Integration", None, 2)),
        ContextEntry("Departments", Cell("Quality\nRnD\nProduction and Maintenance", None, 2)),
        ContextEntry(
            "Specialisations",
            Cell(
                "Other job roles that are more specialised\nbut based on this\n"
                "End-of-Line Test Operator\nTest Lab Supervisor",
                None,
                2,
            ),
        ),
    )


def test_synthetic_sections_heading_wraps_and_name_wraps() -> None:
    sections = synthetic_document().sections
    assert [section.heading for section in sections] == [
        Cell("Cross-sectoral Specific Competence", None, 3),
        Cell("Academic Competence (can be taken from University\nprogramme)", None, 4),
    ]
    assert [[(c.name, c.type, c.level) for c in section.competences] for section in sections] == [
        [
            (
                Cell("Test Equipment\nOperation", None, 3),
                Cell("S", None, 3),
                Cell("Expert", None, 3),
            ),
            (
                Cell("Quality Standards", None, 3),
                Cell("K", None, 3),
                Cell("Practitioner", None, 3),
            ),
            (Cell("Data Analysis", None, 4), Cell("S", None, 4), Cell("Practitioner", None, 4)),
        ],
        [
            (
                Cell("Electrical Engineering", None, 4),
                Cell("K", None, 4),
                Cell("Expert", None, 4),
            )
        ],
    ]


def test_synthetic_row_with_wrapped_name_keeps_its_cells() -> None:
    first = synthetic_document().sections[0].competences[0]
    assert first == RawCompetence(
        name=Cell("Test Equipment\nOperation", None, 3),
        type=Cell("S", None, 3),
        level=Cell("Expert", None, 3),
        description=(Cell("- Operate battery cyclers\n- Calibrate test equipment", None, 3),),
        esco=(Cell("operate cyclers\ncalibrate instruments", None, 3),),
    )


@pytest.mark.parametrize(
    "repeat_header", [False, True], ids=["header-not-repeated", "header-repeated"]
)
@pytest.mark.parametrize(
    ("cut", "description", "esco", "statements", "labels"),
    [
        pytest.param(
            NEW_BULLET,
            [(3, ["- Knowledge of ISO 9001"]), (4, ["- Apply the 8D method"])],
            [(3, ["quality standards"]), (4, [])],
            [("Knowledge of ISO 9001", 3), ("Apply the 8D method", 4)],
            [("quality standards", 3)],
            id="continuation-new-bullet",
        ),
        pytest.param(
            CUT_BULLET,
            [(3, ["- Knowledge of ISO 9001 and"]), (4, ["IATF 16949 requirements"])],
            [(3, ["quality standards"]), (4, [])],
            [("Knowledge of ISO 9001 and IATF 16949 requirements", 3)],
            [("quality standards", 3)],
            id="continuation-cut-bullet",
        ),
        pytest.param(
            ESCO_CONTINUES,
            [(3, ["- Knowledge of ISO 9001"]), (4, [])],
            [(3, ["quality standards"]), (4, ["quality management"])],
            [("Knowledge of ISO 9001", 3)],
            [("quality standards", 3), ("quality management", 4)],
            id="esco-continues",
        ),
    ],
)
def test_synthetic_row_broken_across_pages(
    repeat_header: bool,
    cut: Break,
    description: list[tuple[int, list[str]]],
    esco: list[tuple[int, list[str]]],
    statements: list[tuple[str, int]],
    labels: list[tuple[str, int]],
) -> None:
    document = synthetic_document(cut=cut, repeat_header=repeat_header)
    competences = document.sections[0].competences
    assert [c.name.text for c in competences] == [
        "Test Equipment\nOperation",
        "Quality Standards",
        "Data Analysis",
    ]
    broken = competences[1]
    assert (broken.name, broken.type, broken.level) == (
        Cell("Quality Standards", None, 3),
        Cell("K", None, 3),
        Cell("Practitioner", None, 3),
    )
    assert parts(broken.description) == description
    assert parts(broken.esco) == esco
    assert [(s.text, s.page) for s in cells_to_statements(broken.description)] == statements
    assert [(s.label, s.page) for s in cells_to_esco_skills(broken.esco)] == labels
    after = competences[2]
    assert parts(after.description) == [(4, ["- Evaluate test data"])]
    assert parts(after.esco) == [(4, ["analyse data"])]


@pytest.mark.parametrize(
    "grid",
    [
        pytest.param(Grid(OPEN_CELLS, OPEN_CELLS), id="left-aligned-header-open"),
        pytest.param(
            Grid(RULED_CELLS, (RULED_CELLS[0], *CENTRED_HEADERS[1:]), RULINGS),
            id="centred-header-with-rulings",
        ),
        pytest.param(
            Grid(RULED_CELLS, CENTRED_HEADERS, RULINGS),
            id="centred-header-with-rulings-name-centred-too",
        ),
    ],
)
def test_synthetic_table_columns(grid: Grid) -> None:
    document = synthetic_document(grid=grid, repeat_header=True)
    [last] = document.sections[1].competences
    assert (last.name, last.type, last.level) == (
        Cell("Electrical Engineering", None, 4),
        Cell("K", None, 4),
        Cell("Expert", None, 4),
    )
    assert parts(last.description) == [(4, ["- A degree in electrical", "engineering"])]
    assert parts(last.esco) == [(4, ["physics"])]
    assert [(c.name.text, c.type.text, c.level.text) for c in document.sections[0].competences] == [
        ("Test Equipment\nOperation", "S", "Expert"),
        ("Quality Standards", "K", "Practitioner"),
        ("Data Analysis", "S", "Practitioner"),
    ]
    first = document.sections[0].competences[0]
    assert parts(first.description) == [
        (3, ["- Operate battery cyclers", "- Calibrate test equipment"])
    ]
    assert parts(first.esco) == [(3, ["operate cyclers", "calibrate instruments"])]


def test_synthetic_running_header_and_page_numbers_leave_no_trace() -> None:
    document = synthetic_document(repeat_header=True)
    every_text = [
        document.alliance.text,
        document.period.text,
        document.title.text,
        *(cell.text for cell in document.description),
        *(entry.value.text for entry in document.context),
        *(
            cell.text
            for section in document.sections
            for competence in section.competences
            for cell in (*competence.description, *competence.esco, competence.name)
        ),
    ]
    assert [text for text in every_text if "Page" in text or RUNNING_HEADER in text] == []


# --- 3. real PDFs end to end ----------------------------------------------------------------


def variant_named(name: str) -> Variant:
    return next(variant for variant in corpus_variants() if variant.name == name)


@pytest.mark.parametrize(
    ("variant_name", "pages"),
    [
        pytest.param("rl-ruled-norep-hdr-letter-endash-ul-times-s100", {2, 3}, id="reportlab"),
        pytest.param("fp-open-rep-hdr-letter-endash-ul-vera-s110", {2, 3, 4}, id="fpdf2"),
    ],
)
def test_rendered_pdf_normalises_to_its_truth(
    variant_name: str, pages: set[int], tmp_path: Path, rules: NormaliseRules
) -> None:
    path = tmp_path / f"{variant_name}.pdf"
    path.write_bytes(render_pdf(load_profile(TRUTH), variant_named(variant_name)))
    source = Source(str(path), "pdf", "0" * 64)
    normalised = document_to_profile(read_pdf(path.read_bytes(), source), rules)
    assert [i for i in normalised.issues if i.severity == "error"] == []
    assert {i.message for i in normalised.issues} <= {"competence has no ESCO skills"}
    assert profile_as_expected_json(normalised.profile) == json.loads(
        TRUTH.read_text(encoding="utf-8")
    )
    competences = normalised.profile.competences
    located = [
        (item.line, item.page)
        for competence in competences
        for item in (competence, *competence.statements, *competence.esco_skills)
    ]
    assert {line_no for line_no, _ in located} == {None}
    assert {page for _, page in located} == pages
    assert min(page for _, page in located if page is not None) >= 2
    assert normalised.profile.source == source


# --- 4. bad PDFs ----------------------------------------------------------------------------


def canvas_pdf(text: str | None = None, encrypt: str | None = None) -> bytes:
    """A one-page reportlab PDF with a rectangle and optionally a line of text."""
    buffer = io.BytesIO()
    drawing = canvas.Canvas(buffer, encrypt=encrypt, invariant=1)
    drawing.rect(100, 100, 200, 200)
    if text is not None:
        drawing.drawString(100, 700, text)
    drawing.showPage()
    drawing.save()
    return buffer.getvalue()


def truncated_profile_pdf() -> bytes:
    data = render_pdf(load_profile(TRUTH), corpus_variants()[0])
    return data[: len(data) // 2]


NOT_READABLE_HINT = "the file may be truncated or not a PDF; download or export it again"


@pytest.mark.parametrize(
    ("data", "message", "hint"),
    [
        pytest.param(
            b"hello",
            "not a readable PDF",
            NOT_READABLE_HINT,
            id="not-a-pdf",
        ),
        pytest.param(b"", "not a readable PDF", NOT_READABLE_HINT, id="empty-file"),
        pytest.param(
            truncated_profile_pdf(),
            "not a readable PDF",
            NOT_READABLE_HINT,
            id="truncated-pdf",
        ),
        pytest.param(
            canvas_pdf(),
            "the PDF has no text layer, and OCR found no words",
            "check that this is the profile you meant; ask for a PDF exported with text, or "
            "for a sharper scan",
            id="no-text-layer",
        ),
        pytest.param(
            canvas_pdf("Battery Quality & Test Technician", encrypt="secret"),
            "the PDF is encrypted and needs a password",
            "ask the sender for an unprotected copy",
            id="encrypted-with-user-password",
        ),
    ],
)
def test_bad_pdf_is_a_read_error(data: bytes, message: str, hint: str) -> None:
    with pytest.raises(ReadError) as caught:
        read_pdf(data, SOURCE)
    error = caught.value
    assert error.message.startswith(message)
    assert error.location == Location(FILE)
    assert error.hint == hint
    assert error.to_issue().stage == "read"
