"""Tables from positioned words: rulings and shading as row boundaries, rows told apart by
white space, and added hyphens softened.

Words use the fake monospace measure of test_extract_pdf: a character is half the font
size wide, a space a quarter.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from pipeline.extract.hyphens import Hyphenation, soften_hyphens
from pipeline.extract.pdf_model import Box, PageData, PdfLayout, Rule, Word
from pipeline.extract.pdf_tables import Columns, horizontal_cuts, read_part
from pipeline.model import Cell, Document, RawCompetence, RawSection, Source
from pipeline.run import run
from pipeline.settings import Settings
from tests.pdfcorpus.fixtures import PDFS

LAYOUT = PdfLayout()
SIZE = 10.0
COLUMNS = Columns(("name", "type", "description", "level", "esco"), (40, 150, 200, 400, 470, 560))


def words(text: str, x0: float, top: float, size: float = SIZE) -> list[Word]:
    placed, x = [], x0
    for part in text.split(" "):
        width = len(part) * size / 2
        placed.append(Word(part, x, x + width, top, top + size, size))
        x += width + size / 4
    return placed


def row(top: float, *cells: str) -> list[Word]:
    return [
        word
        for x0, text in zip(COLUMNS.edges, cells, strict=False)
        if text
        for word in words(text, x0 + 4, top)
    ]


def page(placed: list[Word], rules: tuple[Rule, ...] = (), fills: tuple[Box, ...] = ()) -> PageData:
    return PageData(3, 595, 842, tuple(placed), rules, fills)


def names(part_words: list[Word], data: PageData) -> list[str]:
    part = read_part(data, part_words, COLUMNS, 95, 400, ("type", "level"), LAYOUT)
    return [" | ".join(line.text for line in band.cells.get("name", ())) for band in part.bands]


# --- row boundaries -------------------------------------------------------------------------


def two_rows() -> list[Word]:
    return [
        *row(100, "Teamwork", "K", "- Work in a team", "Expert", "teamwork"),
        *row(112, "", "", "- and a second line", "", ""),
        *row(124, "Listening", "S", "- Listen", "Practitioner", "listen actively"),
    ]


@pytest.mark.parametrize(
    ("rules", "fills", "expected"),
    [
        pytest.param((), (), ["Teamwork", "Listening"], id="no-rulings-widest-white-gap"),
        pytest.param(
            (Rule("h", 122.5, 40, 560),), (), ["Teamwork", "Listening"], id="full-width-rule"
        ),
        pytest.param(
            tuple(Rule("h", 122.5, a, b) for a, b in ((40, 150), (150, 200), (200, 560))),
            (),
            ["Teamwork", "Listening"],
            id="rule-drawn-cell-by-cell",
        ),
        pytest.param(
            (), (Box(40, 98, 560, 122.5),), ["Teamwork", "Listening"], id="shaded-row-edges"
        ),
    ],
)
def test_rows_between_rulings_shading_or_white_space(
    rules: tuple[Rule, ...], fills: tuple[Box, ...], expected: list[str]
) -> None:
    placed = two_rows()
    assert names(placed, page(placed, rules, fills)) == expected


def test_an_underline_inside_one_column_is_not_a_row_boundary() -> None:
    placed = [
        *row(100, "Quality Assurance", "K", "- Apply ISO 9001 see www.iso.org", "Expert", ""),
        *row(112, "Engineering", "", "", "", ""),
    ]
    underline = Rule("h", 109.5, 204, 380)
    cuts = horizontal_cuts(page(placed, (underline,)), placed, COLUMNS, 95, 400, LAYOUT)
    assert cuts == []
    assert names(placed, page(placed, (underline,))) == ["Quality Assurance | Engineering"]


def test_vertically_centred_cells_stay_in_their_row() -> None:
    # Type and Level sit on the middle line of a three-line row.
    placed = [
        *row(100, "Cell", "", "- Assemble cells", "", ""),
        *row(112, "Assembly", "S", "- Check welds", "Expert", "assemble cells"),
        *row(124, "", "", "- Record data", "", ""),
        *row(146, "Safety", "K", "- Follow rules", "Awareness", ""),
    ]
    assert names(placed, page(placed)) == ["Cell | Assembly", "Safety"]


# --- added hyphens --------------------------------------------------------------------------


def document(*statements: str) -> Document:
    competence = RawCompetence(
        Cell("Testing"), Cell("S"), Cell("Expert"), tuple(Cell(s) for s in statements), ()
    )
    return Document(
        Source("x.pdf", "pdf", "0" * 64),
        Cell("Alliance"),
        Cell("2019-2023"),
        Cell("Title"),
        (),
        (),
        (),
        (RawSection(Cell("Soft Competence"), (competence,)),),
    )


def hyphenation(*statements: str) -> Hyphenation:
    return Hyphenation.of_words(word for text in statements for word in text.split())


@pytest.mark.parametrize(
    ("statements", "expected"),
    [
        pytest.param(
            ("- Write specifica-\ntions", "- Check the specifications"),
            "- Write specifica\u00ad\ntions",
            id="spelled-whole-elsewhere-soft",
        ),
        pytest.param(
            ("- Use model-\nbased tools", "- model-based design"),
            "- Use model-\nbased tools",
            id="written-with-hyphen-elsewhere-kept",
        ),
        pytest.param(
            ("- Run the sys-\ntems tests", "- Write docu-\nmentation"),
            "- Run the sys\u00ad\ntems tests",
            id="hyphenating-document-dictionary-word-soft",
        ),
        pytest.param(
            ("- Use model-\nbased tools", "- Write docu-\nmentation"),
            "- Use model-\nbased tools",
            id="joined-not-a-word-kept",
        ),
        pytest.param(
            ("- Plan the set-\nups", "- Check the line"),
            "- Plan the set-\nups",
            id="document-that-does-not-hyphenate-keeps-hyphens",
        ),
        pytest.param(
            ("- Run the sys-\ntems tests", "- qualifi\u2010\ncation"),
            "- Run the sys-\ntems tests",
            id="producer-marking-its-own-hyphens-keeps-every-dash",
        ),
    ],
)
def test_soften_hyphens(statements: tuple[str, ...], expected: str) -> None:
    softened = soften_hyphens(document(*statements), hyphenation(*statements))
    assert softened.sections[0].competences[0].description[0].text == expected


def test_a_uri_cut_at_its_hyphen_stays() -> None:
    words = hyphenation("http://data.europa.eu/esco/occupation/86ca306c-", "docu-", "ab99")
    assert words.soften("http://data.europa.eu/esco/occupation/86ca306c-", "ab99-420a") == (
        "http://data.europa.eu/esco/occupation/86ca306c-"
    )


# --- the layout settings --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        pytest.param({"word_gap": 0}, "PdfLayout.word_gap must be positive", id="not-positive"),
        pytest.param({"rule_span": 1.5}, "PdfLayout.rule_span must be at most 1", id="share"),
    ],
)
def test_pdf_layout_names_the_field_it_refuses(changes: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        PdfLayout(**changes)  # type: ignore[arg-type]


def test_the_run_settings_layout_reaches_the_workers(tmp_path: Path) -> None:
    # Its header labels wrap over three lines: a layout that allows one-line header bands
    # only cannot read it, in the worker processes as in this one.
    pdf = PDFS / "chromium" / "battery-pack-assembly-technician__landscape-bands.pdf"
    strict = replace(LAYOUT, header_band_lines=1)
    [default] = run([pdf], Settings(out_dir=tmp_path / "a")).verdicts
    [narrow] = run([pdf], Settings(out_dir=tmp_path / "b", layout=strict)).verdicts
    assert default.status == "ok", default.issues
    assert narrow.status == "rejected"
    assert "no competence tables" in narrow.errors[0].message
